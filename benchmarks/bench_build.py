"""Time a full build of the example content: median of five runs.

    python benchmarks/bench_build.py [project-root]

Each run is a complete ``build_site`` (check → plan → render → write) into a
temporary directory; the first run also warms the imports and is included.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5


def main(argv: list[str]) -> int:
    from site_builder.site.build import build_site

    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1]
    times = []
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        out = Path(tmp) / "_site"
        report = None
        for _ in range(RUNS):
            started = time.perf_counter()
            report = build_site(root, out, quiet=True)
            times.append(time.perf_counter() - started)
    assert report is not None
    print(
        f"build of {root}: {report.pages} pages, {report.files} files, {report.bytes / 1e6:.1f} MB; "
        f"median {statistics.median(times):.3f}s over {RUNS} runs "
        f"(min {min(times):.3f}s, max {max(times):.3f}s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
