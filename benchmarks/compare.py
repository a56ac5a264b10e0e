"""Compare our full build with Hugo's on the same synthetic results.

    bash benchmarks/setup.sh                       # once: Hugo into benchmarks/.bench/
    python benchmarks/compare.py --units 100 --periods 12 --runs 3
    python benchmarks/compare.py --units 500 --runs 3 --noop --one-change

1. Generates the synthetic project (``synth.py``) and the equivalent Hugo site
   (``hugo_site.py``) under ``benchmarks/.bench/``, cached by their parameters
   and by the source of the two generators.
2. Runs cold full builds alternately, ours then Hugo's, ``--runs`` times each:
   ours is ``python -m site_builder build --root P --out O --quiet`` in a
   subprocess, Hugo's is ``hugo --quiet -s S -d O``.  Before every run the
   output folder is removed and so are the caches (ours: :data:`OUR_CACHES`,
   none yet; Hugo's: its ``--cacheDir`` and ``resources/``).  The operating
   system's file cache stays warm for both.
3. Measures per run the wall time, the CPU time (user + system, from
   ``os.wait4``), the peak resident memory of the largest process
   (``ru_maxrss``) and the peak of the summed resident memory of the process
   tree (``/proc`` sampled every 20 ms by a thread), and counts the HTML pages.
   Medians are over the runs; each ratio is ours_i / hugo_i per pair, then the
   median of those ratios.
4. Times our stages in one more run, in-process (``--no-phases`` skips it):
   the stage functions are wrapped at their module attributes from the outside
   (site_builder is not edited), each phase counts its own time only (a
   nested wrapped call is subtracted from its caller).
5. ``--noop``: rebuilds into the same output folder with nothing changed;
   ``--one-change``: rebuilds after one unit's facts changed in one period (a
   copy of the project is edited; the change alternates so every run changes
   something); ``--last-change``: the same in the last period, the clerk's usual
   edit (the month being prepared).  Hugo's no-op rebuild is shown for reference (Hugo has no
   incremental mode outside ``hugo server``).
6. ``--serve``: the same two edits, each rebuilt inside one process that built
   the site before (what ``site-builder serve`` does after a save: the build
   function called again in the same process, dev pages and all), timed from
   the call to its return.
7. ``--gauge``: after each timed rebuild (no-op or edit), one cold Hugo build
   as a yardstick of the machine's speed at that moment; each rebuild is also
   given as a share of it, pair by pair (median).  The issue's targets were set
   on a quiet machine on which Hugo built U=500 in 5.1 s: there, 2 s is 0.39×
   Hugo's cold build.  This machine kind's speed varies up to threefold from
   day to day, and the share stays put where the seconds do not.

Prints a table, and as the last line one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BENCH = HERE / ".bench"
DEFAULT_HUGO = BENCH / "hugo" / "bin" / "hugo"

#: Cache folders our build keeps inside the project root; removed before every
#: cold run: the parse cache and the no-op build records, both in .site-builder/.
OUR_CACHES: list[str] = [".site-builder"]

PAGE = os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------- generation


def _source_key(*files: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


def prepare(units: int, periods: int, seed: int) -> tuple[Path, Path]:
    """The synthetic project and its Hugo site, generated once per parameters and generator source."""
    project = synthetic_project(units, periods, seed)
    key = project.name
    # the Hugo site holds figures our pipeline computed: rewritten when any of our code changes
    ours = sorted((REPO / "site_builder").rglob("*.py"))
    hugo = BENCH / "hugo-sites" / f"{key}-{_source_key(HERE / 'hugo_site.py', *ours)}"
    env = _env()
    if not (hugo / ".complete").exists():
        shutil.rmtree(hugo, ignore_errors=True)
        print(f"writing the Hugo site {hugo.relative_to(REPO)} …", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "hugo_site.py"), str(project), str(hugo)],
            check=True,
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        (hugo / ".complete").write_text("ok\n")
    return project, hugo


def synthetic_project(units: int, periods: int, seed: int) -> Path:
    """The synthetic project alone (``synth.py``), generated once per parameters and generator source."""
    key = f"u{units}-p{periods}-s{seed}-{_source_key(HERE / 'synth.py')}"
    project = BENCH / "projects" / key
    env = _env()
    if not (project / ".complete").exists():
        shutil.rmtree(project, ignore_errors=True)
        print(f"generating {project.relative_to(REPO)} …", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "synth.py"),
                str(project),
                "--units",
                str(units),
                "--periods",
                str(periods),
                "--seed",
                str(seed),
            ],
            check=True,
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        (project / ".complete").write_text("ok\n")
    return project


def _env() -> dict[str, str]:
    """The environment of our subprocesses: this checkout's site_builder first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    env.pop("CI", None)
    # as an installed tool runs: Python keeps the compiled modules (compiled once, before timing)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# --------------------------------------------------------------------------- measuring one process


@dataclass
class Run:
    wall: float
    cpu: float
    rss_largest: int  # bytes, ru_maxrss of the process (largest process of the tree)
    rss_tree: int  # bytes, peak of the sampled sum over the process tree
    pages: int
    html_bytes: int


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return found


def _tree_rss(root: int) -> int:
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(_children(pid))
    return total


def measure(cmd: list[str], cwd: Path, out: Path | None, env: dict[str, str]) -> Run:
    """Run ``cmd`` to completion; wall, CPU and memory of it and its process tree.  The file system
    is synced first (not timed), so that no run pays for the writes of the one before it (a rebuild
    of 500 units writes 200 MB: the cold Hugo build gauged after it took 9-13 s, against 6.6-7.0 s
    in the cold pairs, before each run was synced)."""
    os.sync()
    peak = [0]
    done = threading.Event()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(err.decode("utf-8", "replace"))
        raise SystemExit(f"compare: {' '.join(cmd)} exited with {proc.returncode}")
    pages = html_bytes = 0
    if out is not None:
        for p in out.rglob("*.html"):
            pages += 1
            html_bytes += p.stat().st_size
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss * 1024,
        max(peak[0], usage.ru_maxrss * 1024),
        pages,
        html_bytes,
    )


def ours_cmd(project: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "site_builder",
        "build",
        "--root",
        str(project),
        "--out",
        str(out),
        "--quiet",
    ]


def hugo_cmd(hugo: Path, site: Path, out: Path, cache: Path) -> list[str]:
    return [str(hugo), "--quiet", "-s", str(site), "-d", str(out), "--cacheDir", str(cache)]


def _clear(*paths: Path) -> None:
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()


# --------------------------------------------------------------------------- phases (in-process)

#: phase -> functions at their module attributes (the names the callers look up at call time)
PHASES: dict[str, list[str]] = {
    "load": [
        "site_builder.pipeline.read_source",
        "site_builder.pipeline.load_yaml_bytes",
        "site_builder.site.build.read_content",
    ],
    "validate": [
        "site_builder.pipeline.validate",
        "site_builder.pipeline.check_scheme",
        "site_builder.pipeline.check_inputs",
        "site_builder.pipeline.check_period",
        "site_builder.pipeline._notice_problems",
    ],
    "score": ["site_builder.scoring.engine.score_period"],
    "rank": ["site_builder.ranking.engine.rank_period", "site_builder.ranking.levels.grade"],
    # planning, and the contexts (and bytes) of lazy routes made when they are written
    "plan": ["site_builder.site.build.plan_site", "site_builder.site.plan.Route.resolved"],
    "render": ["site_builder.site.render_pool.render_route", "site_builder.site.build.make_environment"],
    "write": ["site_builder.site.output.stage.Stage.write"],
    # inside the stages above, shown apart because each is a cost of its own
    "downloads": [
        "site_builder.site.output.downloads.to_xlsx",
        "site_builder.site.output.downloads.to_csv",
        "site_builder.site.output.downloads_json.to_json",
        "site_builder.site.output.dataset.period_records",
        "site_builder.site.output.stage.Stage.write_chunks",
    ],
    # the keys of incremental builds: digests of each file's inputs, the record, links
    "reuse": [
        "site_builder.site.output.reuse.route_keys",
        "site_builder.site.output.reuse.route_key",
        "site_builder.site.output.reuse.load",
        "site_builder.site.output.reuse.save",
        "site_builder.site.output.reuse.Previous.link",
    ],
    "privacy": [
        "site_builder.site.build.privacy_check",
        "site_builder.site.render_pool.privacy_findings",
        "site_builder.site.output.personal_names.redact_site_data",
    ],
    "lock": [
        "site_builder.site.build.check_lock",
        "site_builder.site.build.notice_histories",
        "site_builder.site.build.archive_sources",
    ],
    "search+manifest": ["site_builder.site.build.search_index", "site_builder.site.build.manifest"],
}
MAIN_PHASES = ("load", "validate", "score", "rank", "plan", "render", "write")


def run_phases(project: Path, out: Path) -> dict:
    """One full build in this process with every stage function timed (exclusive times)."""
    import importlib

    spent: dict[str, float] = {name: 0.0 for name in PHASES}
    stack: list[list[float]] = []  # per active wrapped call: [time spent in nested wrapped calls]

    def wrap(fn, phase: str):
        def timed(*args, **kwargs):
            stack.append([0.0])
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                nested = stack.pop()[0]
                spent[phase] += elapsed - nested
                if stack:
                    stack[-1][0] += elapsed

        return timed

    t_imports = time.perf_counter()
    for phase, targets in PHASES.items():
        for target in targets:
            owner_name, attr = target.rsplit(".", 1)
            try:
                owner = importlib.import_module(owner_name)
            except ImportError:  # a class's method: the module, then the class
                module_name, cls = owner_name.rsplit(".", 1)
                owner = getattr(importlib.import_module(module_name), cls, None)
            if owner is None or not hasattr(owner, attr):
                raise SystemExit(
                    f"compare: {target} no longer exists; update PHASES in benchmarks/compare.py"
                )
            setattr(owner, attr, wrap(getattr(owner, attr), phase))

    gc_time = [0.0, 0.0]

    def on_gc(stage: str, info: dict) -> None:
        if stage == "start":
            gc_time[1] = time.perf_counter()
        else:
            gc_time[0] += time.perf_counter() - gc_time[1]

    from site_builder.site.build import build_site

    imports = time.perf_counter() - t_imports
    gc.callbacks.append(on_gc)

    t0 = time.perf_counter()
    # one process (--jobs 1): forked workers' stage times would not be seen here
    report = build_site(project, out, quiet=True, jobs=1)
    total = time.perf_counter() - t0
    gc.callbacks.remove(on_gc)
    other = total - sum(spent.values())
    return {
        "total": round(total, 3),
        **{k: round(v, 3) for k, v in spent.items()},
        "other": round(other, 3),
        "gc": round(gc_time[0], 3),
        "imports": round(imports, 3),
        "pages": report.pages,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def phases_subprocess(project: Path, work: Path) -> dict:
    out = work / "phases-out"
    _clear(out, *(project / c for c in OUR_CACHES))
    res = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--_phases", str(project), str(out)],
        cwd=REPO,
        env=_env(),
        check=True,
        stdout=subprocess.PIPE,
    )
    _clear(out)
    return json.loads(res.stdout.decode().strip().splitlines()[-1])


# --------------------------------------------------------------------------- the one-fact change


def change_one_fact(project: Path, periods: int, units: int, turn: int, last: bool = False) -> str:
    """Change one assessed fact of one unit in the middle period, or the last (alternating two values)."""
    month = periods if last else periods // 2 + 1
    path = (
        project / "scores" / "bench" / f"{2025 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}.yaml"
    )
    unit = f"u{units // 2:05d}"
    text = path.read_text(encoding="utf-8")
    block = re.search(rf"^  {unit}:\n(?:    .*\n)*", text, re.MULTILINE)
    assert block, unit
    part = block.group(0)
    m = re.search(r"t1a0: ([0-9.]+)", part)
    assert m, part
    from decimal import Decimal

    value = Decimal(m.group(1))
    new = value - Decimal("0.1") if turn % 2 == 0 else value + Decimal("0.1")
    changed = part[: m.start(1)] + format(new, "f") + part[m.end(1) :]
    path.write_text(text[: block.start()] + changed + text[block.end() :], encoding="utf-8")
    return f"{path.relative_to(project)}: {unit} t1a0 {value} → {new}"


def run_serve(project: Path, out: Path, periods: int, units: int, runs: int) -> dict:
    """In one process, as ``serve`` rebuilds: a first build (not timed), then ``runs`` rebuilds after
    one fact changed in the middle period and ``runs`` after one changed in the last."""
    from site_builder.site.build import _build

    def rebuild() -> float:
        t0 = time.perf_counter()
        _build(project, out, as_of=None, preview=False, quiet=True, serve=True)
        return time.perf_counter() - t0

    rebuild()
    got: dict = {}
    for name, last in (("middle", False), ("last", True)):
        got[name] = []
        for i in range(runs):
            change_one_fact(project, periods, units, i, last=last)
            got[name].append(rebuild())
    got["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return got


def serve_subprocess(project: Path, out: Path, periods: int, units: int, runs: int) -> dict:
    res = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--_serve", str(project), str(out),
         str(periods), str(units), str(runs)],
        cwd=REPO, env=_env(), check=True, stdout=subprocess.PIPE,
    )
    return json.loads(res.stdout.decode().strip().splitlines()[-1])


# --------------------------------------------------------------------------- reporting


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b))


def mib(b: float) -> float:
    return b / 2**20


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))
        ).rstrip()
        for r in rows
    )


def hugo_version(hugo: Path) -> str:
    out = subprocess.run(
        [str(hugo), "version"], check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    m = re.search(r"v(\d+\.\d+\.\d+)", out)
    return m.group(1) if m else out.strip()


def main() -> None:
    ap = argparse.ArgumentParser(
        description="Compare our full build with Hugo's on the same synthetic results."
    )
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--periods", type=int, default=12)
    ap.add_argument(
        "--runs", type=int, default=3, help="runs of each tool (at least 3 for the README)"
    )
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--hugo", default=os.environ.get("HUGO", str(DEFAULT_HUGO)))
    ap.add_argument(
        "--noop", action="store_true", help="also time no-op rebuilds into the same output folder"
    )
    ap.add_argument(
        "--one-change",
        action="store_true",
        help="also time rebuilds after one unit's facts changed in the middle period",
    )
    ap.add_argument(
        "--last-change",
        action="store_true",
        help="also time rebuilds after one unit's facts changed in the last period (the clerk's usual edit)",
    )
    ap.add_argument(
        "--serve",
        action="store_true",
        help="also time the same edits rebuilt inside one running process, as `serve` rebuilds after a save",
    )
    ap.add_argument(
        "--gauge",
        action="store_true",
        help="after each timed rebuild, a cold Hugo build as the machine's yardstick: each rebuild is "
        "also given as a share of it, pair by pair",
    )
    ap.add_argument("--no-full", action="store_true", help="skip the cold full builds")
    ap.add_argument(
        "--no-phases", action="store_true", help="skip the in-process run timing our stages"
    )
    ap.add_argument("--_phases", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--_serve", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._phases:
        print(json.dumps(run_phases(Path(args._phases[0]), Path(args._phases[1]))))
        return
    if args._serve:
        p, o, n_periods, n_units, n_runs = args._serve
        print(json.dumps(run_serve(Path(p), Path(o), int(n_periods), int(n_units), int(n_runs))))
        return
    hugo = Path(args.hugo)
    if not os.access(hugo, os.X_OK):
        raise SystemExit(
            f"compare: no Hugo at {hugo}: run `bash benchmarks/setup.sh` first (or set HUGO)"
        )
    project, hugo_site = prepare(args.units, args.periods, args.seed)
    work = BENCH / "work"
    work.mkdir(parents=True, exist_ok=True)
    env = _env()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "site_builder")], env=env, check=True)
    ours_out, hugo_out, hugo_cache = work / "ours-out", work / "hugo-out", work / "hugo-cache"
    version = hugo_version(hugo)
    load_start = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    result: dict = {
        "date": started,
        "units": args.units,
        "periods": args.periods,
        "seed": args.seed,
        "runs": args.runs,
        "hugo": version,
        "cores": os.cpu_count(),
    }
    lines: list[str] = [
        (
            f"synthetic project: {args.units} units in 8 groups × {args.periods} monthly periods × 40 leaf indicators "
            f"(seed {args.seed}); Hugo {version}; {os.cpu_count()} cores; {started}"
        ),
        f"load average at start: {' '.join(f'{x:.2f}' for x in load_start)}",
    ]

    if not args.no_full:
        ours: list[Run] = []
        theirs: list[Run] = []
        for i in range(args.runs):
            _clear(ours_out, *(project / c for c in OUR_CACHES))
            ours.append(measure(ours_cmd(project, ours_out), REPO, ours_out, env))
            _clear(hugo_out, hugo_cache, hugo_site / "resources", hugo_site / ".hugo_build.lock")
            theirs.append(
                measure(hugo_cmd(hugo, hugo_site, hugo_out, hugo_cache), hugo_site, hugo_out, env)
            )
            print(
                f"run {i + 1}/{args.runs}: ours {ours[-1].wall:.2f} s, Hugo {theirs[-1].wall:.2f} s",
                file=sys.stderr,
            )
        w_o, w_h = [r.wall for r in ours], [r.wall for r in theirs]
        m_o, m_h = [r.rss_largest for r in ours], [r.rss_largest for r in theirs]
        t_o, t_h = [r.rss_tree for r in ours], [r.rss_tree for r in theirs]
        c_o, c_h = [r.cpu / r.wall for r in ours], [r.cpu / r.wall for r in theirs]
        u_o, u_h = [r.cpu for r in ours], [r.cpu for r in theirs]
        p_o, p_h = ours[-1].pages, theirs[-1].pages
        card_o = (ours_out / "units" / "u00000" / "bench" / "2025-01" / "index.html").stat().st_size
        card_h = (hugo_out / "units" / "u00000" / "bench" / "2025-01" / "index.html").stat().st_size
        rows = [
            ("cold full build", "ours", f"Hugo {version}", "ours/Hugo"),
            ("HTML pages", f"{p_o:,}", f"{p_h:,}", ""),
            (
                "HTML total (MB)",
                f"{ours[-1].html_bytes / 1e6:.1f}",
                f"{theirs[-1].html_bytes / 1e6:.1f}",
                f"{ours[-1].html_bytes / theirs[-1].html_bytes:.1f}×",
            ),
            (
                "a score card (KB)",
                f"{card_o / 1e3:.1f}",
                f"{card_h / 1e3:.1f}",
                f"{card_o / card_h:.1f}×",
            ),
            ("wall, median (s)", f"{med(w_o):.2f}", f"{med(w_h):.2f}", f"{ratio(w_o, w_h):.1f}×"),
            (
                "wall, each run (s)",
                " ".join(f"{x:.2f}" for x in w_o),
                " ".join(f"{x:.2f}" for x in w_h),
                "",
            ),
            (
                "peak RSS, largest process (MiB)",
                f"{mib(med(m_o)):.0f}",
                f"{mib(med(m_h)):.0f}",
                f"{ratio(m_o, m_h):.1f}×",
            ),
            (
                "peak RSS, sum over the tree (MiB)",
                f"{mib(med(t_o)):.0f}",
                f"{mib(med(t_h)):.0f}",
                f"{ratio(t_o, t_h):.1f}×",
            ),
            (
                "CPU time (user+system), median (s)",
                f"{med(u_o):.2f}",
                f"{med(u_h):.2f}",
                f"{ratio(u_o, u_h):.1f}×",
            ),
            ("CPU time / wall time", f"{med(c_o):.2f}", f"{med(c_h):.2f}", ""),
            (
                "ms per page (median wall)",
                f"{med(w_o) / p_o * 1e3:.2f}",
                f"{med(w_h) / p_h * 1e3:.2f}",
                "",
            ),
        ]
        lines += ["", table(rows)]
        result.update(
            {
                "pages": {"ours": p_o, "hugo": p_h},
                "html_bytes": {"ours": ours[-1].html_bytes, "hugo": theirs[-1].html_bytes},
                "card_bytes": {"ours": card_o, "hugo": card_h},
                "wall_s": {"ours": round(med(w_o), 3), "hugo": round(med(w_h), 3)},
                "wall_runs_s": {
                    "ours": [round(x, 3) for x in w_o],
                    "hugo": [round(x, 3) for x in w_h],
                },
                "peak_rss_mib": {"ours": round(mib(med(m_o)), 1), "hugo": round(mib(med(m_h)), 1)},
                "peak_rss_tree_mib": {
                    "ours": round(mib(med(t_o)), 1),
                    "hugo": round(mib(med(t_h)), 1),
                },
                "cpu_s": {"ours": round(med(u_o), 3), "hugo": round(med(u_h), 3)},
                "cpu_per_wall": {"ours": round(med(c_o), 2), "hugo": round(med(c_h), 2)},
                "ratios": {
                    "wall": round(ratio(w_o, w_h), 2),
                    "cpu": round(ratio(u_o, u_h), 2),
                    "peak_rss": round(ratio(m_o, m_h), 2),
                    "peak_rss_tree": round(ratio(t_o, t_h), 2),
                },
            }
        )

    if not args.no_phases:
        ph = phases_subprocess(project, work)
        total = ph["total"]
        rows = [("our stages (one in-process run)", "s", "share")]
        for name in (*MAIN_PHASES, *(k for k in PHASES if k not in MAIN_PHASES), "other"):
            rows.append((name, f"{ph[name]:.2f}", f"{ph[name] / total:.0%}"))
        rows.append(("total", f"{total:.2f}", "100%"))
        rows.append(
            ("(garbage collection, inside the above)", f"{ph['gc']:.2f}", f"{ph['gc'] / total:.0%}")
        )
        rows.append(("(imports before the build, not in total)", f"{ph['imports']:.2f}", ""))
        lines += [
            "",
            table(rows),
            (
                "phases count their own time only; plan includes the contexts of lazy routes (score cards, the "
                "data pages) made as they are written; downloads (CSV/JSON/XLSX, a period's records, the streamed "
                "dataset) are made then too; reuse = the keys of incremental builds (digests, record, links); "
                "privacy and lock run between check and render; other = site data, content, assets, sitemap "
                "and the rest."
            ),
        ]
        result["phases_s"] = {k: v for k, v in ph.items() if k not in ("pages", "peak_rss_mib")}

    if args.noop or args.one_change or args.last_change or args.serve:
        inc = work / "incremental"
        inc_project = inc / "project"
        _clear(inc)
        shutil.copytree(project, inc_project, ignore=shutil.ignore_patterns(".complete"))
        inc_out, inc_hugo_out = inc / "ours-out", inc / "hugo-out"
        measure(
            ours_cmd(inc_project, inc_out), REPO, inc_out, env
        )  # the site being rebuilt (not timed)
        measure(hugo_cmd(hugo, hugo_site, inc_hugo_out, hugo_cache), hugo_site, inc_hugo_out, env)
        rows = [("rebuild into the same folder", "ours (s)", f"Hugo {version} (s)")]
        if args.gauge:
            rows[0] += ("ours / Hugo's cold build",)
        gauge_out, gauge_cache = inc / "gauge-out", inc / "gauge-cache"  # (Hugo's no-op runs keep theirs)

        def gauged(runs: list[float]) -> None:
            """A cold Hugo build just after the rebuild timed last (the machine's speed then), into ``runs``."""
            if not args.gauge:
                return
            _clear(gauge_out, gauge_cache, hugo_site / "resources", hugo_site / ".hugo_build.lock")
            runs.append(measure(hugo_cmd(hugo, hugo_site, gauge_out, gauge_cache), hugo_site, gauge_out, env).wall)

        def share(name: str, mine: list[float], yard: list[float]) -> tuple[str, ...]:
            if not args.gauge:
                return ()
            result[name]["hugo_cold_runs"] = [round(x, 3) for x in yard]
            result[name]["per_hugo_cold"] = round(ratio(mine, yard), 3)
            return (f"{ratio(mine, yard):.2f}×",)

        if args.noop:
            n_o, n_h, g_n = [], [], []
            for _ in range(args.runs):
                n_o.append(measure(ours_cmd(inc_project, inc_out), REPO, inc_out, env).wall)
                gauged(g_n)
                n_h.append(
                    measure(
                        hugo_cmd(hugo, hugo_site, inc_hugo_out, hugo_cache),
                        hugo_site,
                        inc_hugo_out,
                        env,
                    ).wall
                )
            result["noop_s"] = {
                "ours": round(med(n_o), 3),
                "hugo": round(med(n_h), 3),
                "ours_runs": [round(x, 3) for x in n_o],
            }
            rows.append(("no change, median", f"{med(n_o):.2f}", f"{med(n_h):.2f}", *share("noop_s", n_o, g_n)))
        changes = [("one_change_s", "one unit's facts changed, median", False),
                   ("last_change_s", "one unit's facts changed in the last period, median", True)]
        for name, label, last in changes:
            if not (args.last_change if last else args.one_change):
                continue
            c_runs, g_c, what = [], [], ""
            for i in range(args.runs):
                what = change_one_fact(inc_project, args.periods, args.units, i, last=last)
                c_runs.append(measure(ours_cmd(inc_project, inc_out), REPO, inc_out, env).wall)
                gauged(g_c)
            result[name] = {
                "ours": round(med(c_runs), 3),
                "ours_runs": [round(x, 3) for x in c_runs],
                "change": what,
            }
            rows.append((label, f"{med(c_runs):.2f}", "—", *share(name, c_runs, g_c)))
        if args.serve:
            served = serve_subprocess(inc_project, inc / "serve-out", args.periods, args.units, args.runs)
            for name, label in (("middle", "in `serve`: one unit's facts changed, median"),
                                ("last", "in `serve`: the same in the last period, median")):
                rows.append((label, f"{med(served[name]):.2f}", "—", *(("",) if args.gauge else ())))
                result[f"serve_{name}_change_s"] = {"ours": round(med(served[name]), 3),
                                                     "ours_runs": [round(x, 3) for x in served[name]]}
            result["serve_peak_rss_mib"] = served["peak_rss_mib"]
        lines += ["", table(rows)]
        _clear(inc)

    result["loadavg"] = {
        "start": [round(x, 2) for x in load_start],
        "end": [round(x, 2) for x in os.getloadavg()],
    }
    lines.append(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n".join(lines))
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
