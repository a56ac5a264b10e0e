"""Rankings on one line, for some groups, in dependency order; honours that
exclude earlier winners; references averages — hand-computed on the scratch project.

Base project totals (tests/scratch): a1 = 9.5 + (10 − 1) + 1 = 19.5,
a2 = 10 + (10 − 1) + 0 = 19, a3 = 8 + 10 + 0 = 18.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from scratch import SCHEME, SCORES, make_project
from site_builder.errors import InputError
from site_builder.pipeline import check

TAIL = SCHEME[SCHEME.index("vetoes:"):]
HEAD = SCHEME[: SCHEME.index("vetoes:")]


def run(tmp_path, scheme_tail: str, scores: str = SCORES, head: str = HEAD):
    root = make_project(tmp_path, {"schemes/demo/2024.yaml": head + scheme_tail, "scores/demo/2024-Q1.yaml": scores})
    _, results = check(root)
    return results[("demo", "2024-Q1")]


def ranks(pr, ranking: str, group: str = "g") -> dict[str, int]:
    gr = next(g for g in pr.rankings if g.ranking == ranking and g.group == group)
    return {e.unit: e.rank for e in gr.entries}


def test_ranking_on_one_line(tmp_path):
    pr = run(tmp_path, """\
rankings:
  - {id: q, name: 季度排名}
  - {id: w, name: 工作推进评比, basis: "line:work"}
""")
    assert ranks(pr, "q") == {"a1": 1, "a2": 2, "a3": 3}  # 19.5, 19, 18
    assert ranks(pr, "w") == {"a2": 1, "a1": 2, "a3": 3}  # work: 10, 9.5, 8
    gr = next(g for g in pr.rankings if g.ranking == "w")
    assert [e.value for e in gr.entries] == [D("10"), D("9.5"), D("8")]


def test_honour_excludes_winners_of_an_earlier_honour(tmp_path):
    pr = run(tmp_path, """\
rankings:
  - {id: q, name: 季度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1}}
  - {id: good, name: 先进单位, ranking: q, select: {top: 2}, exclude_honoured: [flag]}
""")
    flag = next(h for h in pr.honours if h.honour == "flag")
    good = next(h for h in pr.honours if h.honour == "good")
    assert flag.chosen == ("a1",)  # 19.5 is first
    assert good.chosen == ("a2", "a3")  # a1 already holds the flag: the next two
    assert good.excluded == (("a1", "已获评“流动红旗”，不再重复获评"),)


def test_ranking_for_some_groups_only(tmp_path):
    head = HEAD.replace("  - {id: g, name: 全体, units: [a1, a2, a3]}", "  - {id: g, name: 甲组, units: [a1, a2]}\n  - {id: h, name: 乙组, units: [a3]}")
    pr = run(tmp_path, """\
rankings:
  - {id: q, name: 季度排名}
  - {id: only, name: 甲组评比, groups: [g]}
""", head=head)
    assert {g.group for g in pr.rankings if g.ranking == "q"} == {"g", "h"}
    assert {g.group for g in pr.rankings if g.ranking == "only"} == {"g"}
    assert ranks(pr, "only") == {"a1": 1, "a2": 2}


def test_composites_and_rankings_in_dependency_order(tmp_path):
    # c1: by rank of external survey (a3 best); r1 ranks on c1; c2 = rank in r1 + rank in q
    scores = SCORES.replace("units:\n", "external:\n  survey: {a1: '70', a2: '80', a3: '90'}\nunits:\n", 1)
    pr = run(tmp_path, """\
composites:
  - id: c2
    name: 总排名
    parts:
      - {source: "ranking:r1", weight: 1}
      - {source: "ranking:q", weight: 1}
  - id: c1
    name: 测评排名
    parts:
      - {source: "external:survey", weight: 1}
rankings:
  - {id: q, name: 季度排名}
  - {id: r1, name: 测评排名, basis: "composite:c1"}
  - {id: r2, name: 总排名, basis: "composite:c2"}
""", scores=scores)
    # survey 90, 80, 70 → ranks a3 1, a2 2, a1 3 = c1; r1 ranks c1 (lower is better): a3 1, a2 2, a1 3
    assert pr.composites["c1"] == {"a1": D(3), "a2": D(2), "a3": D(1)}
    # c2 = r1 rank + q rank: a1 3 + 1 = 4, a2 2 + 2 = 4, a3 1 + 3 = 4 → a three-way tie
    assert pr.composites["c2"] == {"a1": D(4), "a2": D(4), "a3": D(4)}
    assert ranks(pr, "r2") == {"a1": 1, "a2": 1, "a3": 1}


def test_cycle_between_ranking_and_composite_is_refused(tmp_path):
    root = make_project(tmp_path, {"schemes/demo/2024.yaml": HEAD + """\
composites:
  - id: c
    name: 综合
    parts:
      - {source: "ranking:r", weight: 1}
rankings:
  - {id: r, name: 排名, basis: "composite:c"}
"""})
    with pytest.raises(InputError) as exc:
        check(root)
    text = str(exc.value.format_message())
    assert "循环引用" in text and "schemes/demo/2024.yaml:" in text


def test_relative_to_average_with_reference_and_strict(tmp_path):
    head = HEAD.replace("""  - id: work
    name: 工作推进
    max: 10
    office: 综合科
    rule: {kind: assessed}""", """  - id: work
    name: 效能指标
    max: 10
    rule: {kind: relative_to_average, label: 按时办结率, strict: true}""")
    scores = SCORES.replace("work: 9.5", "work: {value: 99, target: 98}").replace(
        "work: 10", "work: {value: 98, target: 98}").replace("work: 8", "work: 97")
    pr = run(tmp_path, "rankings:\n  - {id: q, name: 季度排名}\n", scores=scores, head=head)
    # a1: 99 > reference 98 → 10; a2: 98 is not above 98 (strict) → 0;
    # a3: no reference: group average (99 + 98 + 97) / 3 = 98; 97 < 98 → 0
    assert pr.units["a1"].line("work").points == D(10)
    assert pr.units["a2"].line("work").points == D(0)
    assert pr.units["a3"].line("work").points == D(0)


def test_deductions_on_a_score_line_capped_across_a_month(tmp_path):
    # “值守扣分每月不超过3分”, scored weekly: week 1 loses 2, week 2 would lose 2 but only 1 is left
    head = HEAD.replace("effective: {from: 2024-01-01}", "effective: {from: 2024-01-01}").replace(
        "period: {kind: quarter}", "period: {kind: week}").replace(
        "    rule: {kind: per_occurrence, per: 1, cap: 3}", "    cap_span: month\n    rule: {kind: per_occurrence, per: 1, cap: 3}")
    week = SCORES.replace("period: 2024-Q1", "period: 2024-W{n}").replace("duty: 1", "duty: 2").replace(
        "duty: {events: [{date: 2024-02-01, note: 缺岗}]}", "duty: 0").replace("facts: {work: 8, duty: 0}", "facts: {work: 8, duty: {n3}}").replace(
        "number: 测〔2024〕1号", "number: 测〔2024〕{n}号")  # each week's notice has its own 文号
    files = {
        "schemes/demo/2024.yaml": head + "rankings:\n  - {id: q, name: 周排名}\n",
        "scores/demo/2024-Q1.yaml": None,
        # ISO weeks 2 and 3 of 2024 lie in January; week 6 starts on 5 February
        "scores/demo/w02.yaml": week.replace("{n}", "02").replace("{n3}", "4"),
        "scores/demo/w03.yaml": week.replace("{n}", "03").replace("{n3}", "0"),
        "scores/demo/w06.yaml": week.replace("{n}", "06").replace("{n3}", "0"),
    }
    _, results = check(make_project(tmp_path, files))
    w2, w3, w6 = (results[("demo", f"2024-W{n}")] for n in ("02", "03", "06"))
    assert w2.units["a1"].line("duty").points == D(8)  # 10 − 2; January has lost 2
    line = w3.units["a1"].line("duty")
    assert line.points == D(9)  # 10 − 2 would lose 2 more, but only 3 − 2 = 1 is left
    assert line.clip == "cap" and "本月已扣 2 分" in line.clip_note
    assert w6.units["a1"].line("duty").points == D(8)  # February starts afresh: 10 − 2
    assert w2.units["a3"].line("duty").points == D(7)  # 4 occurrences, per-period cap 3: 10 − 3


def test_reasons_follow_the_site_language(tmp_path):
    scores = SCORES.replace("      duty: {events: [{date: 2024-02-01, note: 缺岗}]}\n",
                            "      duty: {events: [{date: 2024-02-01, note: 缺岗}]}\n    vetoes: [{id: disc, reason: 通报批评}]\n")
    files = {"scores/demo/2024-Q1.yaml": scores, "schemes/demo/2024.yaml": HEAD + TAIL.replace("{top: 1}", "{top: 2}")}
    root = make_project(tmp_path, files)
    _, zh = check(root)
    (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8") + "locale: en\n", encoding="utf-8")
    _, en = check(root)
    h_zh = zh[("demo", "2024-Q1")].honours[0]
    h_en = en[("demo", "2024-Q1")].honours[0]
    assert h_zh.excluded == (("a2", "一票否决：被纪委通报批评（通报批评）"),)
    assert h_en.excluded == (("a2", "one-vote veto: 被纪委通报批评（通报批评）"),)
