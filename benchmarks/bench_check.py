"""Time ``site-builder check`` (load, validate, score, rank) on a project.

    python benchmarks/bench_check.py [ROOT] [--runs N]

Prints the median and spread of N runs (default 5) and the work done, so
figures can be compared between commits as ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from site_builder.pipeline import check

    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        project, results = check(Path(args.root))
        times.append(time.perf_counter() - t0)
    units = sum(len(r.units) for r in results.values())
    lines = sum(len(u.lines) for r in results.values() for u in r.units.values())
    print(
        f"check: median {statistics.median(times):.3f}s (min {min(times):.3f}s, max {max(times):.3f}s, {args.runs} runs); "
        f"{len(project.sources)} files, {len(results)} periods, {units} unit results, {lines} lines"
    )


if __name__ == "__main__":
    main()
