"""Write a synthetic large project for benchmarks: N units × M monthly periods.

    python benchmarks/make_large.py /tmp/large --units 300 --months 12
    python benchmarks/bench_check.py /tmp/large
    python benchmarks/bench_build.py /tmp/large   (if it accepts a root)

Facts are pseudo-random but fixed (a seeded generator), so runs are comparable.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SCHEME_HEAD = """\
title: 基准测试考核办法
issuer: 基准测试考核办
effective: {{from: 2025-01-01}}
total: 100
period: {{kind: month}}
rounding: {{places: 2, mode: half_up, at: total}}
groups:
{groups}
indicators:
"""

LEAF_KINDS = [
    ("assessed", "rule: {kind: assessed}"),
    ("deduct", "rule: {kind: per_occurrence, per: 0.5, cap: 5}"),
    ("brackets", "rule: {kind: brackets, label: 件数, brackets: [{max: 0, points: 1}, {min: 1, max: 5, points: 3}, {min: 6, points: 5}]}"),
    ("levels", "rule: {kind: levels, levels: [{id: a, name: 好, points: 5}, {id: b, name: 较好, points: 3}, {id: c, name: 差, points: 0}]}"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--months", type=int, default=12)
    args = ap.parse_args()
    root = Path(args.root)
    rnd = random.Random(20251)
    (root / "units").mkdir(parents=True, exist_ok=True)
    (root / "schemes" / "big").mkdir(parents=True, exist_ok=True)
    (root / "scores" / "big").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text("title: 基准测试\norganisation: 基准测试考核办\nsample: true\n", encoding="utf-8")
    units = [f"u{i:04d}" for i in range(args.units)]
    (root / "units" / "units.yaml").write_text(
        "units:\n" + "".join(f"  - {{id: {u}, name: 单位{i:04d}号}}\n" for i, u in enumerate(units)), encoding="utf-8"
    )
    groups = [units[i : i + 30] for i in range(0, len(units), 30)]
    group_text = "".join(f"  - {{id: g{j}, name: 第{j + 1}组, units: [{', '.join(g)}]}}\n" for j, g in enumerate(groups))
    # 4 top-level indicators × 5 leaves × 5 points = 100
    lines = []
    leaves = []
    for t in range(4):
        lines.append(f"  - id: t{t}\n    name: 一级指标{t}\n    max: 25\n    children:\n")
        for k in range(5):
            kind, rule = LEAF_KINDS[(t * 5 + k) % len(LEAF_KINDS)]
            lid = f"t{t}l{k}"
            leaves.append((lid, kind))
            lines.append(f"      - id: {lid}\n        name: 二级指标{t}-{k}\n        max: 5\n        {rule}\n")
    honours = "rankings:\n  - {id: m, name: 月度排名}\n  - {id: y, name: 年度累计, basis: cumulative}\nhonours:\n  - {id: flag, name: 流动红旗, ranking: m, select: {top: 1}, streak: true}\n"
    (root / "schemes" / "big" / "2025.yaml").write_text(SCHEME_HEAD.format(groups=group_text) + "".join(lines) + honours, encoding="utf-8")
    for m in range(1, args.months + 1):
        out = [f'scheme: big\nversion: "2025"\nperiod: 2025-{m:02d}\nstatus: published\nnotice: {{date: 2025-{m:02d}-28, number: 基准〔2025〕{m}号}}\nunits:\n']
        for u in units:
            facts = []
            for lid, kind in leaves:
                if kind == "assessed":
                    facts.append(f"{lid}: {rnd.randint(30, 50) / 10}")
                elif kind == "deduct":
                    facts.append(f"{lid}: {rnd.choice([0, 0, 0, 1, 2])}")
                elif kind == "brackets":
                    facts.append(f"{lid}: {rnd.randint(0, 9)}")
                else:
                    facts.append(f"{lid}: {rnd.choice('aab')}")
            out.append(f"  {u}:\n    facts: {{{', '.join(facts)}}}\n")
        (root / "scores" / "big" / f"2025-{m:02d}.yaml").write_text("".join(out), encoding="utf-8")
    print(f"wrote {root}: {len(units)} units, {args.months} periods, {len(leaves)} leaves per unit")


if __name__ == "__main__":
    main()
