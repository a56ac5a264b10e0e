"""A deterministic synthetic project for benchmarks, in the project's own formats.

    python benchmarks/synth.py OUT --units 100 --periods 12 [--seed 2025]

Writes ``site.yaml``, ``units/units.yaml``, one scheme ``schemes/bench/2025.yaml``
and one period file per month ``scores/bench/<YYYY-MM>.yaml``.  The scheme has
40 leaf indicators of mixed rule kinds, as a county scheme has them:

- 8 scored first-level indicators (100 points), 4 leaves each, cycling through
  ``assessed``, ``per_occurrence`` with a cap, ``brackets`` and ``levels``;
- a bonus item (加分项, capped at 5) with recognition awards, capped
  publicity per piece, a discretionary ``assessed`` bonus and rates of adoption;
- a deduction item (扣分项, capped at 10) with complaints, lateness/absence
  rates (one with a cap of its own), discretionary per-event deductions and
  criticism per piece with a cap;
- vetoes (zero, last, no honour), a monthly and a cumulative ranking,
  a rotating red flag with its streak and a bottom-place sanction.

The units are spread over 8 groups.  The facts come from ``random.Random(seed)``,
so the same parameters always give the same bytes.  Nothing here is imported by
``site_builder``: this is benchmark data, not part of the tool.
"""

from __future__ import annotations

import argparse
import random
from decimal import Decimal
from pathlib import Path

GROUPS = [
    ("g1", "城区街道组"),
    ("g2", "中心镇组"),
    ("g3", "山区乡镇组"),
    ("g4", "平原乡镇组"),
    ("g5", "综合部门组"),
    ("g6", "经济部门组"),
    ("g7", "社会事业部门组"),
    ("g8", "执法部门组"),
]
SUFFIX = {
    "g1": "街道",
    "g2": "镇",
    "g3": "乡",
    "g4": "镇",
    "g5": "办",
    "g6": "局",
    "g7": "局",
    "g8": "大队",
}
SYLLABLES = "安宝北昌城川大东丰福高桂海和河红华化吉嘉江金康乐丽林龙梅明南宁平青清庆瑞山胜石水顺泰桃天万文西祥新兴阳永玉源云长正中"

TOPS = [  # (id, name, max, leaf maxima): 4 × 10 + 4 × 15 = 100
    ("t1", "党的建设", 10, (3, 3, 2, 2)),
    ("t2", "重点工作", 15, (5, 4, 3, 3)),
    ("t3", "营商环境", 10, (3, 3, 2, 2)),
    ("t4", "政务服务", 15, (5, 4, 3, 3)),
    ("t5", "安全生产", 10, (3, 3, 2, 2)),
    ("t6", "生态环保", 15, (5, 4, 3, 3)),
    ("t7", "民生实事", 10, (3, 3, 2, 2)),
    ("t8", "作风建设", 15, (5, 4, 3, 3)),
]
LEAF_NAMES = ["目标任务完成情况", "问题整改", "台账资料", "群众评价"]
KINDS = ["assessed", "per_occurrence", "brackets", "levels"]
AWARD_TITLES = ["先进集体", "示范单位", "工作经验推广", "表扬通报", "典型案例"]
EVENT_NOTES = ["督查发现", "群众反映", "暗访发现", "专项检查发现"]


def _d(value) -> str:
    """A number as the YAML text a clerk would type (no float artefacts)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _names(rnd: random.Random, count: int, groups: list[list[int]]) -> list[str]:
    names: list[str] = [""] * count
    used: set[str] = set()
    for (gid, _), members in zip(GROUPS, groups):
        for i in members:
            while True:
                name = rnd.choice(SYLLABLES) + rnd.choice(SYLLABLES) + SUFFIX[gid]
                if name not in used:
                    break
            used.add(name)
            names[i] = name
    return names


def _months(periods: int, first_year: int) -> list[tuple[int, int]]:
    return [(first_year + m // 12, m % 12 + 1) for m in range(periods)]


def scheme_text(groups: list[list[str]]) -> str:
    out = [
        "title: 基准测试综合考核办法\n",
        "issuer: 基准测试考核工作领导小组办公室\n",
        "effective: {from: 2025-01-01}\n",
        "total: 100\n",
        "period: {kind: month}\n",
        "rounding: {places: 2, mode: half_up, at: total}\n",
        "groups:\n",
    ]
    for (gid, gname), members in zip(GROUPS, groups):
        out.append(f"  - id: {gid}\n    name: {gname}\n    units: [{', '.join(members)}]\n")
    out.append("indicators:\n")
    for n, (tid, tname, tmax, leaf_max) in enumerate(TOPS):
        out.append(f"  - id: {tid}\n    name: {tname}\n    max: {tmax}\n    children:\n")
        for k, lmax in enumerate(leaf_max):
            kind = KINDS[(n + k) % 4]
            lid = f"{tid}{kind[0]}{k}"
            out.append(
                f"      - id: {lid}\n        name: {tname}{LEAF_NAMES[k]}\n        max: {lmax}\n"
            )
            out.append("        rule: " + _rule(kind, Decimal(lmax)) + "\n")
    out.append(
        "  - id: bonus\n    name: 加分项\n    type: bonus\n    max: 5\n    children:\n"
        "      - id: awards\n        name: 表彰奖励\n        max: 3\n"
        "        rule: {kind: recognition, highest_per_event: true, levels: [{id: city, name: 市级, per: 0.5}, {id: prov, name: 省级, per: 1}, {id: nation, name: 国家级, per: 1.5}]}\n"
        "      - id: publicity\n        name: 宣传报道\n        max: 2\n"
        "        rule: {kind: per_occurrence, per: 0.2, noun: 篇}\n"
        "      - id: innovation\n        name: 创新工作\n        max: 2\n"
        "        rule: {kind: assessed, min: 0.5}\n"
        "      - id: adopted\n        name: 信息采用\n        max: 2\n"
        "        rule: {kind: per_occurrence, rates: [{id: city, name: 市级采用, per: 0.2}, {id: prov, name: 省级采用, per: 0.5}]}\n"
        "  - id: minus\n    name: 扣分项\n    type: deduction\n    max: 10\n    children:\n"
        "      - id: complaints\n        name: 有效投诉\n        max: 5\n"
        "        rule: {kind: per_occurrence, per: 1, noun: 件}\n"
        "      - id: duty\n        name: 工作纪律\n        max: 4\n"
        "        rule: {kind: per_occurrence, rates: [{id: late, name: 迟到早退, per: 0.5, cap: 2}, {id: absent, name: 无故缺勤, per: 1}]}\n"
        "      - id: errors\n        name: 工作差错\n        max: 5\n"
        "        rule: {kind: per_occurrence, per: {min: 1, max: 3}}\n"
        "      - id: criticised\n        name: 被通报批评\n        max: 4\n"
        "        rule: {kind: per_occurrence, per: 2}\n"
        "vetoes:\n"
        "  - {id: corruption, name: 发生重大违纪违法案件, effect: zero}\n"
        "  - {id: accident, name: 发生重大安全责任事故, effect: last}\n"
        "  - {id: criticism, name: 被市级以上通报批评, effect: no_honour}\n"
        "rankings:\n"
        "  - {id: month, name: 月度排名}\n"
        "  - {id: year, name: 年度累计排名, basis: cumulative}\n"
        "honours:\n"
        "  - {id: flag, name: 流动红旗, ranking: month, select: {top: 1}, streak: true}\n"
        "  - {id: last, name: 末位通报, kind: sanction, ranking: month, select: {bottom: 1}}\n"
    )
    return "".join(out)


def _rule(kind: str, lmax: Decimal) -> str:
    if kind == "assessed":
        return "{kind: assessed}"
    if kind == "per_occurrence":
        return f"{{kind: per_occurrence, per: 0.5, cap: {_d(lmax / 2)}}}"
    if kind == "brackets":
        return (
            f"{{kind: brackets, label: 完成件数, unit: 件, brackets: [{{max: 0, points: 0}}, "
            f"{{min: 1, max: 5, points: {_d(lmax / 2)}}}, {{min: 6, max: 10, points: {_d(lmax * 4 / 5)}}}, "
            f"{{min: 11, points: {_d(lmax)}}}]}}"
        )
    return (
        f"{{kind: levels, levels: [{{id: good, name: 好, points: {_d(lmax)}}}, "
        f"{{id: fair, name: 较好, points: {_d(lmax * 7 / 10)}}}, {{id: average, name: 一般, points: {_d(lmax * 4 / 10)}}}, "
        f"{{id: poor, name: 差, points: 0}}]}}"
    )


def _unit_facts(rnd: random.Random, year: int, month: int) -> tuple[list[str], list[str]]:
    """One unit's facts in one month as flow-style ``key: value`` items, and its veto records."""
    facts: list[str] = []
    for n, (tid, _, _, leaf_max) in enumerate(TOPS):
        for k, lmax in enumerate(leaf_max):
            kind = KINDS[(n + k) % 4]
            lid = f"{tid}{kind[0]}{k}"
            if kind == "assessed":
                tenths = rnd.randint(lmax * 6, lmax * 10)
                facts.append(f"{lid}: {_d(Decimal(tenths) / 10)}")
            elif kind == "per_occurrence":
                count = rnd.choice((0, 0, 0, 0, 1, 1, 2, 3, 5))
                if count:
                    facts.append(f"{lid}: {count}")
            elif kind == "brackets":
                facts.append(f"{lid}: {rnd.choice((0, 2, 4, 6, 7, 9, 11, 14))}")
            else:
                facts.append(
                    f"{lid}: {rnd.choice(('good', 'good', 'fair', 'fair', 'average', 'poor'))}"
                )
    day = lambda: f"{year}-{month:02d}-{rnd.randint(1, 28):02d}"
    if rnd.random() < 0.3:
        awards = []
        for _ in range(rnd.randint(1, 3)):
            level = rnd.choice(("city", "city", "prov", "nation"))
            title = rnd.choice(AWARD_TITLES)
            awards.append(f"{{level: {level}, event: {title}, title: {title}}}")
        facts.append(f"awards: [{', '.join(awards)}]")
    if rnd.random() < 0.5:
        facts.append(f"publicity: {rnd.randint(1, 14)}")
    innovation = (
        Decimal(rnd.randint(5, 20)) / 10 if rnd.random() < 0.2 else 0
    )  # assessed: always recorded
    facts.append(f"innovation: {_d(innovation)}")
    if rnd.random() < 0.4:
        facts.append(
            f"adopted: {{counts: {{city: {rnd.randint(0, 6)}, prov: {rnd.randint(0, 3)}}}}}"
        )
    if rnd.random() < 0.3:
        facts.append(f"complaints: {rnd.randint(1, 7)}")
    if rnd.random() < 0.3:
        facts.append(
            f"duty: {{counts: {{late: {rnd.randint(0, 6)}, absent: {rnd.randint(0, 2)}}}}}"
        )
    if rnd.random() < 0.15:
        events = [
            f"{{points: {rnd.randint(1, 3)}, date: {day()}, note: {rnd.choice(EVENT_NOTES)}}}"
            for _ in range(rnd.randint(1, 3))
        ]
        facts.append(f"errors: {{events: [{', '.join(events)}]}}")
    if rnd.random() < 0.1:
        facts.append(f"criticised: {rnd.randint(1, 3)}")
    vetoes: list[str] = []
    roll = rnd.random()
    if roll < 0.002:
        vetoes.append(f"{{id: corruption, reason: 发生重大违纪违法案件, date: {day()}}}")
    elif roll < 0.004:
        vetoes.append(f"{{id: accident, reason: 发生一起安全责任事故, date: {day()}}}")
    elif roll < 0.008:
        vetoes.append(f"{{id: criticism, reason: 被市级通报批评, date: {day()}}}")
    return facts, vetoes


def generate(out: Path, units: int, periods: int, seed: int = 2025) -> dict:
    """Write the project into ``out`` (which must not hold another project); return its sizes."""
    if units < 8:
        raise SystemExit("synth: at least 8 units (one per group)")
    if not 1 <= periods <= 23:
        raise SystemExit(
            "synth: 1 to 23 monthly periods (2025-01 to 2026-11, all already published)"
        )
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "units").mkdir(exist_ok=True)
    (out / "schemes" / "bench").mkdir(parents=True, exist_ok=True)
    (out / "scores" / "bench").mkdir(parents=True, exist_ok=True)
    ids = [f"u{i:05d}" for i in range(units)]
    members = [list(range(g, units, 8)) for g in range(8)]
    names = _names(rnd, units, members)
    (out / "site.yaml").write_text(
        "title: 基准测试考核结果公示\norganisation: 基准测试考核工作领导小组办公室\nsample: true\n",
        encoding="utf-8",
    )
    registry = ["units:\n"]
    for (gid, gname), group in zip(GROUPS, members):
        registry.extend(
            f"  - {{id: {ids[i]}, name: {names[i]}, category: {gname[:-1]}}}\n" for i in group
        )
    (out / "units" / "units.yaml").write_text("".join(registry), encoding="utf-8")
    (out / "schemes" / "bench" / "2025.yaml").write_text(
        scheme_text([[ids[i] for i in group] for group in members]), encoding="utf-8"
    )
    for number, (year, month) in enumerate(_months(periods, 2025), start=1):
        notice_day = f"{year + (month == 12)}-{month % 12 + 1:02d}-10"
        text = [
            "scheme: bench\n",
            'version: "2025"\n',
            f"period: {year}-{month:02d}\n",
            "status: published\n",
            f"notice: {{date: {notice_day}, number: 基准考〔{year}〕{number}号}}\n",
            "units:\n",
        ]
        for uid in ids:
            facts, vetoes = _unit_facts(rnd, year, month)
            text.append(f"  {uid}:\n")
            if vetoes:
                text.append(f"    vetoes: [{', '.join(vetoes)}]\n")
            text.append(f"    facts: {{{', '.join(facts)}}}\n")
        (out / "scores" / "bench" / f"{year}-{month:02d}.yaml").write_text(
            "".join(text), encoding="utf-8"
        )
    return {"units": units, "periods": periods, "groups": len(GROUPS), "leaves": 40, "seed": seed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--periods", type=int, default=12)
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args()
    sizes = generate(Path(args.out), args.units, args.periods, args.seed)
    print(f"wrote {args.out}: {sizes}")


if __name__ == "__main__":
    main()
