"""Rebuilds after an edit, this checkout against an earlier commit, alternated run by run.

    python benchmarks/pair_edits.py --base 0dbaa03 --units 500 --runs 8
    python benchmarks/pair_edits.py --base HEAD~3 --units 500 --runs 8 --last

A few percent is all one change to the rebuild path saves, and this machine kind's speed drifts by
that much within an hour (the same code's middle-month edit at 500 units took 2.13 s and, an hour
later, 2.21 s): two runs of ``compare.py`` taken apart cannot tell such a change from the drift.  Here
both sides run in turn, base then this checkout, on the same synthetic project, so what drifts drifts
for both.

1. The base commit is checked out once into ``benchmarks/.bench/worktrees/<commit>`` (``git worktree``;
   the benchmark's own generators and this script are this checkout's).
2. The synthetic project (``compare.synthetic_project``) is copied twice under ``benchmarks/.bench/pair/``, one
   copy per side, each with its own output folder and its own ``.site-builder/`` (the caches and the
   build records are keyed by the tool's code: the sides never share one).
3. Each side builds its copy once, untimed, and rebuilds it once after an edit, untimed (the first
   rebuild after a cold build has no recycled staging folder yet: slower, and not what the clerk's
   next edit meets).
4. Then ``--runs`` times: the same one-fact edit (``compare.change_one_fact``: the middle unit, the
   middle month or with ``--last`` the last) made in both copies, each side rebuilt by
   ``python -m site_builder build --root COPY --out OUT --quiet`` with its own checkout first on
   ``PYTHONPATH``, base first, then this checkout.

Prints every run, the medians, the median of the ratios taken pair by pair, and as the last line one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402 - the benchmark's generators and edit, from this checkout

WORKTREES = compare.BENCH / "worktrees"
PAIR = compare.BENCH / "pair"


def checkout(rev: str) -> tuple[str, Path]:
    """(the full commit, a worktree of it under ``.bench/worktrees/``), made once."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=compare.REPO,
                            check=True, capture_output=True, text=True).stdout.strip()
    tree = WORKTREES / commit[:12]
    if not (tree / "site_builder").is_dir():
        shutil.rmtree(tree, ignore_errors=True)
        WORKTREES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "prune"], cwd=compare.REPO, check=True)
        subprocess.run(["git", "worktree", "add", "--detach", "--force", str(tree), commit], cwd=compare.REPO,
                       check=True, capture_output=True)
    return commit, tree


def build(code: Path, project: Path) -> float:
    """One build of ``project`` into its own output folder by the tool at ``code``; its wall time."""
    env = compare._env()
    env["PYTHONPATH"] = str(code)
    started = time.perf_counter()
    subprocess.run(compare.ours_cmd(project, project.parent / f"{project.name}-out" / "out"), env=env,
                   cwd=code, check=True)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="the commit to compare this checkout with")
    ap.add_argument("--units", type=int, default=500)
    ap.add_argument("--periods", type=int, default=12)
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--last", action="store_true", help="edit the last period (default: the middle one)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    commit, base = checkout(args.base)
    source = compare.synthetic_project(args.units, args.periods, args.seed)
    sides = {"base": base, "this": compare.REPO}
    copies = {}
    for name in sides:
        copy = PAIR / name
        shutil.rmtree(copy, ignore_errors=True)
        shutil.rmtree(PAIR / f"{name}-out", ignore_errors=True)
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".site-builder", ".complete"))
        copies[name] = copy
    for name, code in sides.items():  # untimed: the cold build, and the first rebuild (no recycled folder yet)
        build(code, copies[name])
    times: dict[str, list[float]] = {name: [] for name in sides}
    edits = []
    for turn in range(args.runs + 1):
        for name, code in sides.items():
            what = compare.change_one_fact(copies[name], args.periods, args.units, turn, args.last)
            took = build(code, copies[name])
            if turn:
                times[name].append(took)
        if turn:
            edits.append(what)
            print(f"run {turn}/{args.runs}: base {times['base'][-1]:.3f} s, this {times['this'][-1]:.3f} s  ({what})",
                  flush=True)
    ratios = [b / a for a, b in zip(times["base"], times["this"])]
    out = {
        "base": commit, "units": args.units, "periods": args.periods, "runs": args.runs,
        "edit": "last" if args.last else "middle",
        "base_s": round(statistics.median(times["base"]), 3), "this_s": round(statistics.median(times["this"]), 3),
        "ratio": round(statistics.median(ratios), 3),
        "base_runs": [round(x, 3) for x in times["base"]], "this_runs": [round(x, 3) for x in times["this"]],
    }
    print(f"median: base ({commit[:10]}) {out['base_s']:.3f} s, this checkout {out['this_s']:.3f} s; "
          f"this / base, pair by pair: {out['ratio']:.3f}")
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
