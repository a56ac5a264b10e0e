"""Formulas an office can read and trust (issue 8, part A).

Named values (``let``), ``round`` in the scheme's mode, group statistics over the
group or declared peers, derived values, the previous period's value and
deductions written as positive amounts.  Every project is written inline and
every figure below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import make_project
from site_builder import pipeline
from site_builder.errors import InputError
from site_builder.scoring.rules.base import LineSpec

D = Decimal

SITE = "title: 测试考核公示\norganisation: 测试县考核办\nsample: true\n"
UNITS = ("units:\n  - {id: a1, name: 甲局}\n  - {id: a2, name: 乙局}\n  - {id: a3, name: 丙局}\n"
         "  - {id: a4, name: 丁局}\n  - {id: b1, name: 东镇}\n")

HEAD = """\
title: 测试考核办法
effective: {from: 2024-01-01}
total: 10
period: {kind: quarter}
"""


def scheme(indicators: str, extra: str = "", rounding: str = "",
           groups: str = "  - {id: g, name: 机关组, units: [a1, a2, a3, a4]}\n  - {id: h, name: 乡镇组, units: [b1]}\n") -> str:
    return HEAD + rounding + "groups:\n" + groups + extra + "indicators:\n" + indicators


def period(p: str, facts: dict[str, str], status: str = "draft") -> str:
    rows = "".join(f"  {u}:\n    facts:\n{''.join(f'      {k}: {v}' + chr(10) for k, v in lines.items())}"
                   for u, lines in facts.items())
    return f'scheme: x\nversion: "2024"\nperiod: {p}\nstatus: {status}\nunits:\n' + rows


def project(tmp_path, scheme_text: str, periods: dict[str, dict[str, dict[str, str]]]):
    files = {"site.yaml": SITE, "units/units.yaml": UNITS, "schemes/x/2024.yaml": scheme_text}
    files.update({f"scores/x/{p}.yaml": period(p, facts) for p, facts in periods.items()})
    return make_project(tmp_path, files, base=False)


def results(root):
    return pipeline.check(root)[1]


def errors(root) -> list[str]:
    with pytest.raises(InputError) as info:
        pipeline.check(root)
    return info.value.format_message().splitlines()


def each(units, line: str, value: str) -> dict[str, dict[str, str]]:
    return {u: {line: value} for u in units}


SCORE = "  - {id: base, name: 基础, max: 10, rule: {kind: assessed}}\n"


def based(facts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Every unit also gets 10 points on the scored line ``base``."""
    return {u: {"base": "10", **lines} for u, lines in facts.items()}


# ---------------------------------------------------------------- 1. named values and round

OVERTIME = """\
  - id: ot
    name: 办件时效
    max: 10
    rule:
      kind: formula
      inputs: [days, promised]
      let:
        over: max(days - promised, 0)
        lost: round(over * 0.25, 1)
      labels: {over: 超出天数, lost: 时效扣分}
      expr: max - lost
"""


def _overtime_facts() -> dict[str, dict[str, str]]:
    return {"a1": {"ot": "{values: {days: 5, promised: 4}}"},   # over 1: lost round(0.25, 1)
            "a2": {"ot": "{values: {days: 4, promised: 4}}"},   # over 0: lost 0 → 10
            "a3": {"ot": "{values: {days: 9, promised: 4}}"},   # over 5: lost round(1.25, 1)
            "a4": {"ot": "{values: {days: 3, promised: 4}}"},   # max(-1, 0) = 0 → 10
            "b1": {"ot": "{values: {days: 6, promised: 4}}"}}   # over 2: lost 0.5 exactly → 9.5


@pytest.mark.parametrize(("mode", "a1", "a3"), [
    ("half_up", "9.7", "8.7"),    # 0.25 → 0.3, 1.25 → 1.3
    ("half_even", "9.8", "8.8"),  # 0.25 → 0.2, 1.25 → 1.2
    ("down", "9.8", "8.8"),       # 0.25 → 0.2, 1.25 → 1.2
    ("up", "9.7", "8.7"),         # 0.25 → 0.3, 1.25 → 1.3
])
def test_named_values_and_round_in_the_schemes_mode(tmp_path, mode, a1, a3):
    root = project(tmp_path, scheme(OVERTIME, rounding=f"rounding: {{places: 2, mode: {mode}}}\n"),
                   {"2024-Q1": _overtime_facts()})
    units = results(root)[("x", "2024-Q1")].units
    got = {u: units[u].line("ot").points for u in ("a1", "a2", "a3", "a4", "b1")}
    assert got == {"a1": D(a1), "a2": D(10), "a3": D(a3), "a4": D(10), "b1": D("9.5")}


def test_the_card_shows_every_named_value_then_the_arithmetic(tmp_path):
    root = project(tmp_path, scheme(OVERTIME), {"2024-Q1": _overtime_facts()})
    line = results(root)[("x", "2024-Q1")].units["a1"].line("ot")
    assert [s.render("zh-CN") for s in line.steps] == [
        "超出天数＝最大值(days - promised, 0)＝最大值(5 - 4, 0)＝1",
        "时效扣分＝保留小数(超出天数 * 0.25, 1)＝保留小数(1 * 0.25, 1)＝0.3",  # labels in words (the formula itself is on the scheme page)
        "本项满分 - 时效扣分，其中 days=5，promised=4，即 10 - 0.3，结果 9.7 分",  # then the arithmetic with the figures
    ]
    assert [s.render("en") for s in line.steps][:2] == [
        "超出天数 = max(days - promised, 0) = max(5 - 4, 0) = 1",
        "时效扣分 = round(超出天数 * 0.25, 1) = round(1 * 0.25, 1) = 0.3"]


def test_a_plain_formula_is_worded_with_the_arithmetic(tmp_path):
    text = "  - {id: r, name: 信息宣传, max: 10, rule: {kind: formula, expr: 'min(n * 2, max)', inputs: [n]}}\n"
    root = project(tmp_path, scheme(text), {"2024-Q1": each(["a1", "a2", "a3", "a4", "b1"], "r", "{values: {n: 3}}")})
    line = results(root)[("x", "2024-Q1")].units["a1"].line("r")
    assert line.points == D(6)
    assert [s.render("zh-CN") for s in line.steps] == ["最小值(n * 2, 本项满分)，其中 n=3，即 最小值(3 * 2, 10)，结果 6 分"]


# ---------------------------------------------------------------- 2. group statistics

BELOW = """\
  - id: rate
    name: 按时办结率
    type: deduction
    max: 2
    not_applicable: exclude
    rule:
      kind: formula
      inputs: [pct]
      labels: {pct: 按时办结率}
      amount: positive
      expr: max(group_mean(pct) - pct, 0) * 0.1
"""


def test_group_mean_leaves_out_units_without_the_value(tmp_path):
    facts = {"a1": {"rate": "{values: {pct: 90}}"}, "a2": {"rate": "{values: {pct: 80}}"},
             "a3": {"rate": "{values: {pct: 100}}"}, "a4": {"rate": "na"}, "b1": {"rate": "{values: {pct: 50}}"}}
    root = project(tmp_path, scheme(SCORE + BELOW), {"2024-Q1": based(facts)})
    units = results(root)[("x", "2024-Q1")].units
    # 机关组: (90 + 80 + 100) ÷ 3 = 90, a4 left out; a2 is 10 below: 10 × 0.1 = 1 deducted
    assert units["a2"].line("rate").points == D(-1)
    assert units["a1"].line("rate").points == D(0)
    assert units["a3"].line("rate").points == D(0)
    assert units["a4"].line("rate").points is None
    # 乡镇组 alone: its own mean, nothing deducted
    assert units["b1"].line("rate").points == D(0)
    steps = [s.render("zh-CN") for s in units["a2"].line("rate").steps]
    assert steps == ["按时办结率的平均值为 90（按 3 个单位计算）",
                     "最大值(平均值(按时办结率) - 按时办结率, 0) * 0.1，其中 按时办结率=80，即 最大值(90 - 80, 0) * 0.1，扣 1 分"]
    assert units["a2"].line("rate").steps[0].render("en") == "mean of 按时办结率: 90 (3 units compared)"


def test_median_highest_lowest_and_count(tmp_path):
    text = ("  - id: s\n    name: 统计\n    max: 100\n    rule:\n      kind: formula\n      inputs: [v]\n"
            "      expr: group_median(v) + group_max(v) / 100 + group_min(v) / 10000 + group_count(v) / 1000000\n")
    facts = {"a1": {"s": "{values: {v: 70}}"}, "a2": {"s": "{values: {v: 80}}"}, "a3": {"s": "{values: {v: 95}}"},
             "a4": {"s": "{values: {v: 90}}"}, "b1": {"s": "{values: {v: 1}}"}}
    root = project(tmp_path, scheme(text).replace("total: 10", "total: 100"), {"2024-Q1": facts})
    units = results(root)[("x", "2024-Q1")].units
    # median (80 + 90) ÷ 2 = 85; max 95 → 0.95; min 70 → 0.007; count 4 → 0.000004
    assert units["a1"].line("s").points == D("85.957004")
    # b1 alone: 1 + 0.01 + 0.0001 + 0.000001
    assert units["b1"].line("s").points == D("1.010101")


def test_peers_reach_across_groups(tmp_path):
    text = BELOW.replace("      amount: positive\n", "      amount: positive\n      peers: [g, b1]\n")
    facts = {"a1": {"rate": "{values: {pct: 90}}"}, "a2": {"rate": "{values: {pct: 80}}"},
             "a3": {"rate": "{values: {pct: 100}}"}, "a4": {"rate": "{values: {pct: 70}}"},
             "b1": {"rate": "{values: {pct: 60}}"}}
    root = project(tmp_path, scheme(SCORE + text), {"2024-Q1": based(facts)})
    units = results(root)[("x", "2024-Q1")].units
    # peers: all five, mean (90 + 80 + 100 + 70 + 60) ÷ 5 = 80
    assert units["a4"].line("rate").points == D(-1)      # 10 below
    assert units["b1"].line("rate").points == D(-2)      # 20 below: 2, the line's cap
    assert units["a2"].line("rate").points == D(0)
    assert "按 5 个单位计算" in units["b1"].line("rate").steps[0].render("zh-CN")


def test_a_statistic_nobody_recorded_is_a_located_failure(tmp_path):
    text = BELOW.replace("      amount: positive\n", "      amount: positive\n      peers: [b1]\n")
    facts = {u: {"rate": "{values: {pct: 50}}"} for u in ("a1", "a2", "a3", "a4")}
    facts["b1"] = {"rate": "na"}
    lines = errors(project(tmp_path, scheme(SCORE + text), {"2024-Q1": based(facts)}))
    assert len(lines) == 5  # a1–a4 (b1 is na), and the count
    assert lines[0].startswith("scores/x/2024-Q1.yaml:9:7: 单位“甲局”（a1）的“按时办结率”：公式第 5 个字符处的 "
                               "group_mean(pct) 无法计算：参加比较的单位都没有记录“pct”")


# ---------------------------------------------------------------- 3. derived values

DERIVED = "derived:\n  - {id: on_time_rate, name: 按时办结率, expr: on_time / received * 100}\n"
USES_DERIVED = """\
  - id: t
    name: 按时办结
    max: 10
    rule:
      kind: formula
      expr: min(on_time_rate / 10, max)
"""


def test_a_derived_value_is_computed_from_the_lines_own_values(tmp_path):
    facts = each(["a1", "a2", "a3", "a4", "b1"], "t", "{values: {on_time: 45, received: 50}}")
    facts["a2"] = {"t": "{values: {on_time: 1, received: 3}}"}
    root = project(tmp_path, scheme(USES_DERIVED, extra=DERIVED), {"2024-Q1": facts})
    units = results(root)[("x", "2024-Q1")].units
    assert units["a1"].line("t").points == D(9)  # 45 ÷ 50 × 100 = 90 → 9
    assert units["a2"].total == D("3.33")  # 1 ÷ 3 × 100 ÷ 10, rounded once at the total
    assert [s.render("zh-CN") for s in units["a1"].line("t").steps][0] == "按时办结率＝on_time / received * 100＝45 / 50 * 100＝90"


def test_a_derived_value_dividing_by_zero_is_located_at_the_units_facts(tmp_path):
    facts = each(["a1", "a2", "a3", "a4", "b1"], "t", "{values: {on_time: 45, received: 50}}")
    facts["a3"] = {"t": "{values: {on_time: 0, received: 0}}"}
    root = project(tmp_path, scheme(USES_DERIVED, extra=DERIVED), {"2024-Q1": facts})
    lines = errors(root)
    assert lines[0].startswith("scores/x/2024-Q1.yaml:14:7: 单位“丙局”（a3）的“按时办结”：派生值“按时办结率”"
                               "（on_time_rate = on_time / received * 100）无法计算：公式第 9 个字符处除数为零")
    assert lines[-1] == "共 1 个错误；未写出任何文件。"


def test_the_values_a_derived_value_needs_are_checked_with_the_facts(tmp_path):
    facts = each(["a1", "a2", "a3", "a4", "b1"], "t", "{values: {on_time: 45, received: 50}}")
    facts["a1"] = {"t": "{values: {on_time: 45}}"}
    root = project(tmp_path, scheme(USES_DERIVED, extra=DERIVED), {"2024-Q1": facts})
    lines = errors(root)
    assert lines[0].startswith("scores/x/2024-Q1.yaml:")
    assert "缺少公式所需的数值“received”" in lines[0]


# ---------------------------------------------------------------- 4. the previous period

GROWTH = """\
  - id: gr
    name: 信息报送增量
    type: bonus
    max: 2
    rule:
      kind: formula
      inputs: [reports]
      labels: {reports: 报送篇数}
      expr: max(reports - previous(reports, reports), 0) * 0.5
"""


def _growth(q1: dict[str, int], q2: dict[str, int]):
    def facts(values):
        return {u: {"base": "10", "gr": f"{{values: {{reports: {n}}}}}"} for u, n in values.items()}
    return {"2024-Q1": facts(q1), "2024-Q2": facts(q2)}


def test_previous_with_a_default(tmp_path):
    units = dict.fromkeys(["a1", "a2", "a3", "a4", "b1"], 0)
    root = project(tmp_path, scheme(SCORE + GROWTH),
                   _growth({**units, "a1": 3, "a2": 2, "a3": 4}, {**units, "a1": 6, "a2": 1, "a3": 9}))
    r = results(root)
    assert r[("x", "2024-Q1")].units["a1"].line("gr").points == D(0)    # no previous: counted as this period
    q2 = r[("x", "2024-Q2")].units
    assert q2["a1"].line("gr").points == D("1.5")   # (6 − 3) × 0.5
    assert q2["a2"].line("gr").points == D(0)       # fewer than before
    assert q2["a3"].line("gr").points == D(2)       # (9 − 4) × 0.5 = 2.5, capped at 2
    assert q2["a1"].line("gr").steps[0].render("zh-CN") == "上期（2024年第一季度）报送篇数为 3"
    assert r[("x", "2024-Q1")].units["a1"].line("gr").steps[0].render("zh-CN") == "上期报送篇数无记录，按 3 计"


def test_previous_without_a_default_is_a_located_failure_in_the_first_period(tmp_path):
    text = GROWTH.replace("previous(reports, reports)", "previous(reports)")
    units = dict.fromkeys(["a1", "a2", "a3", "a4", "b1"], 1)
    root = project(tmp_path, scheme(SCORE + text), _growth(units, units))
    lines = errors(root)
    assert len(lines) == 6  # five units of the first period, and the count
    assert lines[0].startswith("scores/x/2024-Q1.yaml:9:7: 单位“甲局”（a1）的“信息报送增量”：公式第 15 个字符处需要上期的“reports”")
    assert "请写成 previous(reports, 默认值)" in lines[0]
    assert not (root / "_site").exists()


def test_a_unit_not_assessed_last_period_has_no_previous_value(tmp_path):
    units = dict.fromkeys(["a1", "a2", "a3", "a4", "b1"], 2)
    periods = _growth(units, {**units, "a1": 5})
    root = project(tmp_path, scheme(SCORE + GROWTH), periods)
    (root / "scores/x/2024-Q1.yaml").write_text(
        (root / "scores/x/2024-Q1.yaml").read_text("utf-8").replace(
            "  a1:\n    facts:\n      base: 10\n      gr: {values: {reports: 2}}\n", "  a1:\n    status: exempt\n    reason: 新组建\n"),
        "utf-8")
    q2 = results(root)[("x", "2024-Q2")].units
    assert q2["a1"].line("gr").points == D(0)  # no previous value: the default (this period's 5) → 0


def test_previous_points_of_the_line(tmp_path):
    # “连续两期被扣分的，另扣1分”: the line's own points last period
    text = ("  - id: d\n    name: 值守纪律\n    type: deduction\n    max: 5\n    rule:\n      kind: formula\n"
            "      inputs: [n]\n      amount: positive\n      expr: n * 0.5 + if(previous(points, 0) < 0 and n > 0, 1, 0)\n")
    q1 = {"a1": 1, "a2": 0, "a3": 2, "a4": 0, "b1": 0}
    q2 = {"a1": 2, "a2": 1, "a3": 0, "a4": 0, "b1": 0}
    periods = {p: based({u: {"d": f"{{values: {{n: {n}}}}}"} for u, n in q.items()})
               for p, q in (("2024-Q1", q1), ("2024-Q2", q2))}
    r = results(project(tmp_path, scheme(SCORE + text), periods))
    assert r[("x", "2024-Q1")].units["a1"].line("d").points == D("-0.5")  # first period: previous 0
    q2u = r[("x", "2024-Q2")].units
    assert q2u["a1"].line("d").points == D(-2)     # 2 × 0.5 + 1: deducted last period too
    assert q2u["a2"].line("d").points == D("-0.5")  # nothing deducted last period
    assert q2u["a3"].line("d").points == D(0)       # nothing this period
    assert q2u["a1"].line("d").steps[0].render("zh-CN") == "上期（2024年第一季度）本项得分为 -0.5"


# ---------------------------------------------------------------- 5. deductions as positive amounts

def test_signed_results_on_a_deduction_line_are_unchanged(tmp_path):
    signed = "  - {id: d, name: 扣分, type: deduction, max: 5, rule: {kind: formula, expr: '-n * 0.5', inputs: [n]}}\n"
    positive = "  - {id: d, name: 扣分, type: deduction, max: 5, rule: {kind: formula, expr: 'n * 0.5', inputs: [n], amount: positive}}\n"
    facts = each(["a1", "a2", "a3", "a4", "b1"], "d", "{values: {n: 3}}")
    facts["a2"] = {"d": "{values: {n: 30}}"}
    for i, text in enumerate((signed, positive)):
        units = results(project(tmp_path / str(i), scheme(SCORE + text),
                                {"2024-Q1": {u: {"base": "10", **f} for u, f in facts.items()}}))[("x", "2024-Q1")].units
        assert units["a1"].line("d").points == D("-1.5")
        assert units["a2"].line("d").points == D(-5)  # 15 deducted, capped at the line's 5
    # the old way: a positive result on a deduction line is clamped to 0, as before
    old = signed.replace("'-n * 0.5'", "'n * 0.5'")
    units = results(project(tmp_path / "old", scheme(SCORE + old),
                            {"2024-Q1": {u: {"base": "10", **f} for u, f in facts.items()}}))[("x", "2024-Q1")].units
    assert units["a1"].line("d").points == D(0)


# ---------------------------------------------------------------- 6. check refuses misuse, located

@pytest.mark.parametrize(("rule", "extra", "want"), [
    # use before definition
    ("      inputs: [a]\n      let:\n        x: y + 1\n        y: a\n      expr: x\n", "",
     "schemes/x/2024.yaml:16:12: 命名值“x”用到了“y”，而“y”在它之后定义（或就是它自己）"),
    # a cycle through itself
    ("      inputs: [a]\n      let:\n        x: x + a\n      expr: x\n", "",
     "schemes/x/2024.yaml:16:12: 命名值“x”用到了“x”，而“x”在它之后定义（或就是它自己）"),
    ("      inputs: [a]\n      let:\n        a: a * 2\n      expr: a\n", "",
     "schemes/x/2024.yaml:16:12: 命名值“a”不能用这个名称"),
    ("      inputs: [a]\n      peers: [g, nobody]\n      expr: a - group_mean(a)\n", "",
     "schemes/x/2024.yaml:15:18: “nobody”不是已定义的组别或单位"),
    ("      inputs: [a]\n      peers: [g]\n      expr: a\n", "",
     "schemes/x/2024.yaml:15:14: 写了同类单位 peers，但公式没有用到组内统计"),
    ("      inputs: [a]\n      let:\n        d: a * 2\n      expr: group_mean(d)\n", "",
     "schemes/x/2024.yaml:17:13: group_mean(d) 只能用于 inputs 中的数值或派生值，“d”不是"),
    ("      inputs: [a]\n      amount: positive\n      expr: a\n", "",
     "schemes/x/2024.yaml:15:15: amount: positive（公式结果为扣分数）只能用于扣分项，本项是计分项"),
    ("      inputs: [a]\n      expr: round(a, 2.5)\n", "",
     "schemes/x/2024.yaml:15:13: 公式有误：公式第 10 个字符处的小数位数须为 0 到 10 的整数"),
    ("      inputs: [a]\n      expr: r1\n",
     "derived:\n  - {id: r1, name: 甲, expr: r2 * a}\n  - {id: r2, name: 乙, expr: a}\n",
     "schemes/x/2024.yaml:9:29: 派生值“r1”用到了“r2”，而“r2”在它之后定义（或就是它自己）"),
    ("      inputs: [a]\n      expr: a\n", "derived:\n  - {id: on-time, name: 甲, expr: a}\n",
     "schemes/x/2024.yaml:9:10: 派生值的标识“on-time”不能用作公式中的名称"),
    ("      inputs: [a]\n      expr: a\n", "derived:\n  - {id: r, name: 甲, expr: group_mean(a)}\n",
     "schemes/x/2024.yaml:9:28: 派生值“r”的公式不能用 group_mean(…)"),
])
def test_check_refuses_misuse_at_the_key_and_writes_nothing(tmp_path, rule, extra, want):
    text = "  - id: f\n    name: 公式\n    max: 10\n    rule:\n      kind: formula\n" + rule
    root = project(tmp_path, scheme(text, extra=extra), {"2024-Q1": each(["a1", "a2", "a3", "a4", "b1"], "f", "{values: {a: 1}}")})
    lines = errors(root)
    assert any(line.startswith(want) for line in lines), lines
    assert not (root / "_site").exists()


# ---------------------------------------------------------------- 7. the published scheme document

def test_describe_words_the_extensions(tmp_path):
    root = project(tmp_path, scheme(SCORE + BELOW.replace("amount: positive\n", "amount: positive\n      peers: [g]\n")),
                   {"2024-Q1": based(each(["a1", "a2", "a3", "a4", "b1"], "rate", "{values: {pct: 1}}"))})
    project_, _ = pipeline.check(root)
    node = project_.schemes["x"]["2024"].scheme.indicators[1]
    spec = LineSpec(node.id, node.name, "deduction", node.max)
    zh = node.rule.describe(spec, "zh-CN")
    assert zh.startswith("扣分＝最大值(平均值(按时办结率) - 按时办结率, 0) * 0.1（公式：max(group_mean(pct) - pct, 0) * 0.1；pct：按时办结率），最多扣2分。")
    assert "同类单位（g）" in zh
    assert node.rule.describe(spec, "en").startswith(
        "Deducted = max(group_mean(按时办结率) - 按时办结率, 0) * 0.1 (formula: max(group_mean(pct) - pct, 0) * 0.1;")



def test_peers_are_named_in_words_when_the_scheme_gives_a_name(tmp_path):
    text = BELOW.replace("amount: positive\n", "amount: positive\n      peers: [g]\n      peers_name: 城区街道\n")
    root = project(tmp_path, scheme(SCORE + text),
                   {"2024-Q1": based(each(["a1", "a2", "a3", "a4", "b1"], "rate", "{values: {pct: 1}}"))})
    project_, _ = pipeline.check(root)
    node = project_.schemes["x"]["2024"].scheme.indicators[1]
    spec = LineSpec(node.id, node.name, "deduction", node.max)
    assert "按同类单位（城区街道）中记录了该数值的单位计算" in node.rule.describe(spec, "zh-CN")
    assert "the peers (城区街道)" in node.rule.describe(spec, "en")

# ---------------------------------------------------------------- 8. properties

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=3)), min_size=4, max_size=4),
       order=st.permutations(["a1", "a2", "a3", "a4"]), data=st.data())
def test_statistics_do_not_depend_on_the_order_of_units_and_lines(tmp_path_factory, values, order, data):
    text = ("  - id: s\n    name: 统计\n    max: 10000\n    not_applicable: exclude\n    rule:\n      kind: formula\n"
            "      inputs: [v]\n      expr: clamp(group_mean(v) + group_median(v) - group_min(v) + group_max(v) / 7"
            " + group_count(v), 0, max)\n"
            "  - {id: base, name: 基础, max: 10, rule: {kind: assessed}}\n")
    units = ["a1", "a2", "a3", "a4"]
    if all(v is None for v in values):
        values = [D(1), *values[1:]]
    facts = {u: {"s": "na" if v is None else f"{{values: {{v: {v}}}}}", "base": "5"} for u, v in zip(units, values)}
    facts["b1"] = {"s": "{values: {v: 3}}", "base": "5"}
    runs = []
    for i, unit_order in enumerate((units, list(order))):
        line_order = data.draw(st.permutations(["s", "base"]))
        groups = f"  - {{id: g, name: 机关组, units: [{', '.join(unit_order)}]}}\n  - {{id: h, name: 乡镇组, units: [b1]}}\n"
        shuffled = {u: {k: facts[u][k] for k in line_order} for u in [*unit_order, "b1"]}
        root = project(tmp_path_factory.mktemp(f"p{i}"), scheme(text, groups=groups).replace("total: 10", "total: 10010"),
                       {"2024-Q1": shuffled})
        r = results(root)[("x", "2024-Q1")]
        runs.append({u: (r.units[u].line("s").points, r.units[u].total) for u in r.units})
    assert runs[0] == runs[1]


def test_same_input_same_output(tmp_path):
    root = project(tmp_path, scheme(SCORE + GROWTH, extra=""),
                   _growth(dict.fromkeys(["a1", "a2", "a3", "a4", "b1"], 2), dict.fromkeys(["a1", "a2", "a3", "a4", "b1"], 7)))
    first = results(root)
    second = results(root)
    assert {k: {u: (x.total, tuple(l.points for l in x.lines)) for u, x in v.units.items()} for k, v in first.items()} == \
        {k: {u: (x.total, tuple(l.points for l in x.lines)) for u, x in v.units.items()} for k, v in second.items()}


@settings(max_examples=60, deadline=None)
@given(order=st.permutations([f"v{i}" for i in range(5)]))
def test_a_named_value_used_before_its_definition_is_refused_at_its_key(order):
    # v0 = a, v1 = v0 + 1, …: in any written order, exactly the names written before
    # the one they use are refused, each at its own key under let
    from site_builder.scoring.rules.formula_rule import FormulaRule

    uses = {f"v{i}": (f"v{i - 1}" if i else "a") for i in range(5)}
    rule = FormulaRule(kind="formula", inputs=["a"], expr="v4",
                       let={name: f"{uses[name]} + 1" for name in order})
    got: list[tuple[str, tuple, str]] = []
    rule.check_scheme(LineSpec("f", "公式", "score", D(10)),
                      lambda code, path=(), **params: got.append((code, path, params.get("other", ""))))
    position = {name: i for i, name in enumerate(order)}
    want = [("rule.formula_let_order", ("let", name), uses[name]) for name in order
            if uses[name] != "a" and position[uses[name]] > position[name]]
    assert got == want
