"""Peak memory of a build, process by process: runs a command and samples the resident memory
(VmRSS) of it and of every process it forks (render workers, work aside) every half second.

    python benchmarks/synth.py /tmp/p2k --units 2000 --periods 12 && (cd /tmp/p2k && git init -q)
    python benchmarks/memory_tree.py python -m site_builder build --root /tmp/p2k --out /tmp/x/out --quiet

Prints, every 5 s, each process as ``pid:MiB:state+CPU seconds`` and their sum, then the peaks: the
largest process (the target: under 1 GiB at 10,000 units × 12 periods) as the kernel's high-water mark
of every process of the tree (``ru_maxrss`` of the children waited for: a peak between two samples
counts) and as sampled, the largest sum (sampled; a forked worker counts the parent's pages it shares,
so the sum overstates what the machine holds), and the CPU time of the whole tree (user + sys).  Linux
only (/proc).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def _rss_mib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _cpu(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return f"{fields[0]}{(int(fields[11]) + int(fields[12])) // os.sysconf('SC_CLK_TCK')}s"
    except (OSError, IndexError, ValueError):
        return "?"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    start = time.time()
    proc = subprocess.Popen(argv)
    peak_one = peak_sum = 0
    seen: set[int] = set()
    shown = 0.0
    while proc.poll() is None:
        pids, todo = [], [proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += _children(pid)
        sizes = {pid: _rss_mib(pid) for pid in pids}
        seen.update(pids)
        peak_one = max(peak_one, *sizes.values())
        peak_sum = max(peak_sum, sum(sizes.values()))
        now = time.time() - start
        if now - shown >= 5:
            shown = now
            each = " ".join(f"{pid}:{mib}:{_cpu(pid)}" for pid, mib in sizes.items() if mib)
            print(f"{now:7.1f}s {each} sum {sum(sizes.values())}", file=sys.stderr, flush=True)
        time.sleep(0.5)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the kernel's high-water mark of the largest process of the tree (every one waited for): a peak
    # between two samples counts too (a notice's workbook saved at 10,000 units lasts a second)
    highest = used.ru_maxrss // 1024
    print(
        f"wall {time.time() - start:.1f} s, CPU {used.ru_utime + used.ru_stime:.1f} s (user {used.ru_utime:.1f}, "
        f"sys {used.ru_stime:.1f}); peak RSS: largest process {highest} MiB (sampled: {peak_one} MiB), "
        f"sum {peak_sum} MiB (sampled); {len(seen)} processes",
        file=sys.stderr,
    )
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
