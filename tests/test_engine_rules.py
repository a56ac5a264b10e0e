"""Every rule kind, and the engine around it, as inline input → expected pairs.

Each case puts the scheme snippet, the recorded facts and the points worked
out by hand side by side (the arithmetic is in the comment next to it).  The
simplest cases call the rule directly after parsing the same YAML text the
files would hold; everything that needs the whole engine (not-applicable
policies, modifiers, caps across nodes and periods, coefficients, vetoes,
rounding, group-relative kinds, rankings) runs ``pipeline.check`` on a
scratch project.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from scratch import SITE, make_project
from site_builder import pipeline
from site_builder.checks.scores_checks import _normalise
from site_builder.errors import InputError, Problems
from site_builder.load.yamlsafe import load_yaml_bytes
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules import RULES, RuleUnion
from site_builder.scoring.rules.base import LineSpec, PeriodContext

D = Decimal
RULE = TypeAdapter(RuleUnion)


# ---------------------------------------------------------------- direct: one rule, one unit


def score(rule: str, facts: str, max: str | None = "10", type: str = "score"):
    """Parse ``rule`` and ``facts`` (YAML flow text, shorthand allowed) and score them.

    Returns ``(outcome, codes)``: ``codes`` are the problems the rule found in
    its parameters or the facts (the outcome is None when there are any).
    """
    problems = Problems()
    doc = load_yaml_bytes(f"rule: {rule}\nfacts: {facts}\n".encode(), "t.yaml", problems)
    assert doc is not None, problems.items
    r = RULE.validate_python(doc.data["rule"])
    line = LineSpec("x", "测试项", type, D(max) if max is not None else None)
    codes: list[str] = []
    r.check_scheme(line, lambda code, sub=(), **kw: codes.append(code))
    data, ok = _normalise(doc.data["facts"], r)
    assert ok
    f = Facts.model_validate(data if data is not None else {})
    r.check_facts(line, f, lambda code, sub=(), **kw: codes.append(code))
    if codes:
        return None, codes
    return r.score(line, f), codes


def pts(rule: str, facts: str, max: str | None = "10", type: str = "score") -> Decimal:
    out, codes = score(rule, facts, max, type)
    assert not codes, codes
    return out.points


def refused(rule: str, facts: str, max: str | None = "10", type: str = "score") -> list[str]:
    out, codes = score(rule, facts, max, type)
    assert codes, f"expected a problem, got {out}"
    return codes


def test_every_registered_kind_is_covered_here():
    covered = {
        "assessed", "per_occurrence", "per_person", "recognition", "brackets", "levels", "quota",
        "threshold", "proportional", "linear_step", "formula", "group_rank", "relative_to_best",
        "relative_to_average",
        "history",  # needs earlier periods: its cases are in tests/test_lang_history.py
        "weighted", "yes_no", "deadline",  # cases at the end; more in tests/test_lang_kinds.py
    }
    assert set(RULES) == covered, f"new rule kinds need cases here: {set(RULES) - covered}"


# --- assessed: points as given, within [0, max]; on a deduction line the figure is deducted
ASSESSED = "{kind: assessed}"


@pytest.mark.parametrize(("facts", "max", "type", "expected"), [
    ("7.5",          "10", "score",     "7.5"),   # as given
    ("0",            "10", "score",     "0"),
    ("10",           "10", "score",     "10"),    # exactly the maximum
    ("{points: 3}",  "10", "score",     "3"),     # long form
    ("2",            "5",  "deduction", "-2"),    # deduction: recorded 2 → −2
    ("1.5",          "2",  "bonus",     "1.5"),
])
def test_assessed(facts, max, type, expected):
    assert pts(ASSESSED, facts, max, type) == D(expected)


def test_assessed_refusals():
    assert refused(ASSESSED, "10.01") == ["facts.points_above_max"]
    assert refused(ASSESSED, "-0.5") == ["facts.points_negative"]
    assert refused(ASSESSED, "{note: 无}") == ["facts.missing_field"]
    # discretionary bonus “根据实际情况加1—5分”: 0 or within [1, 5]
    assert pts("{kind: assessed, min: 1}", "0", "5", "bonus") == 0
    assert pts("{kind: assessed, min: 1}", "1", "5", "bonus") == 1
    assert refused("{kind: assessed, min: 1}", "0.5", "5", "bonus") == ["facts.points_below_min"]


# --- per_occurrence: from max minus per × n, deductions capped at cap, floored at floor
PER = "{kind: per_occurrence, per: 0.5, cap: 5}"            # “每发现一项扣0.5分，扣分不超过5分”


@pytest.mark.parametrize(("rule", "facts", "expected"), [
    (PER, "{}",              "10"),    # nothing recorded: full points
    (PER, "0",               "10"),
    (PER, "3",               "8.5"),   # 10 − 3 × 0.5
    (PER, "10",              "5"),     # 10 − 5 (exactly the cap)
    (PER, "12",              "5"),     # 6 deducted, capped at 5 → 10 − 5
    (PER, "[{date: 2024-01-05}, {date: 2024-02-01, count: 2}]", "8.5"),  # events: 1 + 2 occurrences
    # floor at 0: 4 × 3 = 12 deducted (cap 20 allows it) → 10 − 12 = −2 → 0
    ("{kind: per_occurrence, per: 3, cap: 20}",           "4", "0"),
    # declared floor: never below 2
    ("{kind: per_occurrence, per: 3, cap: 20, floor: 2}", "4", "2"),
    # no cap written: the cap is the line's maximum → 10 − min(12, 10) = 0
    ("{kind: per_occurrence, per: 3}",                    "4", "0"),
    # several rates: 10 − (2 × 0.5 + 1 × 2) = 7
    ("{kind: per_occurrence, rates: [{id: late, name: 迟到, per: 0.5}, {id: absent, name: 缺岗, per: 2}]}",
     "{counts: {late: 2, absent: 1}}", "7"),
    # discretionary “扣1—10分，酌情”: 10 − (3 + 2.5) = 4.5
    ("{kind: per_occurrence, per: {min: 1, max: 10}}", "[{points: 3}, {points: 2.5}]", "4.5"),
])
def test_per_occurrence_score_line(rule, facts, expected):
    assert pts(rule, facts) == D(expected)


# “每办理1个项目得1分，无办件的得基础分1分，最多得分不超过6分”
ADD = "{kind: per_occurrence, rates: [{id: item, name: 项目, per: 1, effect: add}], if_none: 1}"


@pytest.mark.parametrize(("facts", "expected"), [
    ("{}",  "1"),   # nothing recorded: if_none
    ("0",   "1"),   # a zero count is nothing recorded too
    ("1",   "1"),   # 0 + 1 × 1
    ("4",   "4"),   # 0 + 4
    ("6",   "6"),
    ("8",   "6"),   # 8 → the line's maximum 6
])
def test_per_occurrence_additive_with_if_none(facts, expected):
    assert pts(ADD, facts, max="6") == D(expected)


def test_per_occurrence_ceiling_above_max():
    rule = "{kind: per_occurrence, rates: [{id: item, name: 项目, per: 1, effect: add}], ceiling: 8}"
    assert pts(rule, "7", max="6") == 7   # 7 > max 6 but the scheme allows up to 8
    assert pts(rule, "9", max="6") == 8   # 9 → ceiling 8


@pytest.mark.parametrize(("rule", "facts", "max", "type", "expected"), [
    ("{kind: per_occurrence, per: 0.5}",         "3", "2", "bonus",     "1.5"),  # 3 × 0.5
    ("{kind: per_occurrence, per: 0.5}",         "5", "2", "bonus",     "2"),    # 2.5 → cap = max 2
    ("{kind: per_occurrence, per: 0.5, cap: 1}", "5", "2", "bonus",     "1"),    # explicit cap 1
    ("{kind: per_occurrence, per: 1}",           "2", "3", "deduction", "-2"),   # −2
    ("{kind: per_occurrence, per: 1}",           "5", "3", "deduction", "-3"),   # −5 → cap 3
    ("{kind: per_occurrence, per: 1}",           "5", None, "deduction", "-5"),  # no max, no cap: uncapped
])
def test_per_occurrence_bonus_and_deduction_lines(rule, facts, max, type, expected):
    assert pts(rule, facts, max, type) == D(expected)


def test_per_occurrence_refusals():
    disc = "{kind: per_occurrence, per: {min: 1, max: 10}}"
    assert refused(disc, "[{date: 2024-01-05}]") == ["rule.discretionary_points_missing"]
    assert refused(disc, "[{points: 11}]") == ["rule.discretionary_points_range"]
    assert refused(disc, "2") == ["rule.discretionary_points_missing"]  # a bare count has no amounts
    assert refused(PER, "[{points: 1}]") == ["rule.fixed_points_given"]
    two = "{kind: per_occurrence, rates: [{id: late, name: 迟到, per: 0.5}, {id: absent, name: 缺岗, per: 2}]}"
    assert refused(two, "2") == ["rule.rate_required"]
    assert refused(two, "{counts: {lat: 1}}") == ["rule.unknown_rate"]
    assert refused("{kind: per_occurrence, per: {min: 5, max: 1}}", "{}") == ["rule.range_order"]
    assert refused("{kind: per_occurrence}", "{}") == ["rule.no_rates"]


# --- per_person: “主要领导、科级以上干部、普通干部职工……有1人次分别扣4分、2分、1分”
RANKS = ("{kind: per_person, ranks: [{id: leader, name: 主要领导, per: 4}, "
         "{id: cadre, name: 科级以上干部, per: 2}, {id: staff, name: 普通干部职工, per: 1}]}")


@pytest.mark.parametrize(("facts", "expected"), [
    ("{}",                                                "10"),  # nobody
    ("{people: [{rank: leader}]}",                        "6"),   # 10 − 4
    ("{people: [{rank: leader}, {rank: staff, count: 2}]}", "4"), # 10 − 4 − 2
    ("{counts: {cadre: 3}}",                              "4"),   # 10 − 6
    ("{counts: {cadre: 6}}",                              "0"),   # 12 deducted, cap = max 10 → 0
])
def test_per_person(facts, expected):
    assert pts(RANKS, facts) == D(expected)


def test_per_person_unknown_rank():
    assert refused(RANKS, "{people: [{rank: boss}]}") == ["rule.unknown_rate"]


# --- recognition: “市级每次加0.5分，省级1分，国家级1.5分，累计不超过4分”
LEVELS3 = "[{id: city, name: 市级, per: 0.5}, {id: prov, name: 省级, per: 1}, {id: nation, name: 国家级, per: 1.5}]"
REC = "{kind: recognition, levels: " + LEVELS3 + "}"
REC_HIGHEST = "{kind: recognition, highest_per_event: true, levels: " + LEVELS3 + "}"
THREE_AWARDS = "{awards: [{level: city, event: A}, {level: prov, event: A}, {level: nation, event: B}]}"


@pytest.mark.parametrize(("rule", "facts", "expected"), [
    (REC,         "{}",                                           "0"),
    (REC,         "{awards: [{level: city}, {level: prov}]}",     "1.5"),   # 0.5 + 1
    (REC,         "{awards: [{level: nation, count: 3}]}",        "4"),     # 4.5 → cap = max 4
    (REC,         THREE_AWARDS,                                   "3"),     # 0.5 + 1 + 1.5
    (REC_HIGHEST, THREE_AWARDS,                                   "2.5"),   # event A counts once at prov (1), B 1.5
    ("{kind: recognition, cap: 3, levels: " + LEVELS3 + "}",
                  "{awards: [{level: nation, count: 4}]}",        "3"),     # 6 → explicit cap 3
])
def test_recognition(rule, facts, expected):
    assert pts(rule, facts, max="4", type="bonus") == D(expected)


# --- brackets: “无网办件得0.5分，1-5件得1分，6-10件得1.5分，11件及以上得2分”
BRACKETS = ("{kind: brackets, label: 网办件数, unit: 件, brackets: [{max: 0, points: 0.5}, "
            "{min: 1, max: 5, points: 1}, {min: 6, max: 10, points: 1.5}, {min: 11, points: 2}]}")


@pytest.mark.parametrize(("value", "expected"), [
    ("0",  "0.5"),
    ("1",  "1"),
    ("5",  "1"),
    ("6",  "1.5"),
    ("10", "1.5"),
    ("11", "2"),
    ("99", "2"),
])
def test_brackets_boundaries(value, expected):
    assert pts(BRACKETS, value, max="2") == D(expected)


PERCENT = ("{kind: brackets, label: 办结率, unit: '%', brackets: [{min: 95, points: 3}, "
           "{min: 90, below: 95, points: 2}, {below: 90, points: 0}]}")


@pytest.mark.parametrize(("value", "expected"), [
    ("100",   "3"),
    ("95",    "3"),   # min is inclusive
    ("94.99", "2"),   # below is exclusive
    ("90",    "2"),
    ("89.9",  "0"),
])
def test_brackets_with_exclusive_bounds(value, expected):
    assert pts(PERCENT, value, max="3") == D(expected)


def test_brackets_on_a_deduction_line():
    rule = "{kind: brackets, label: 超时件, brackets: [{max: 0, points: 0}, {min: 1, max: 3, points: 1}, {min: 4, points: 3}]}"
    assert pts(rule, "2", max="3", type="deduction") == -1
    assert pts(rule, "7", max="3", type="deduction") == -3


def test_brackets_refusals():
    gap = "{kind: brackets, label: 件数, brackets: [{min: 0, max: 5, points: 1}, {min: 7, points: 2}]}"
    assert refused(gap, "1", max="2") == ["rule.bracket_gap"]           # 6 falls in no bracket
    overlap = "{kind: brackets, label: 件数, brackets: [{min: 0, max: 5, points: 1}, {min: 5, points: 2}]}"
    assert refused(overlap, "1", max="2") == ["rule.bracket_overlap"]   # 5 is in both
    assert refused(BRACKETS, "1", max="1.5") == ["rule.bracket_above_max"]
    assert refused("{kind: brackets, label: 件数, brackets: [{min: 1, points: 1}]}", "0", max="2") == ["facts.no_bracket"]


# --- levels: “报送好得6分，较好得4分，一般得2分，差的不得分”, by id or by name
LEVELS = ("{kind: levels, levels: [{id: good, name: 好, points: 6}, {id: fair, name: 较好, points: 4}, "
          "{id: avg, name: 一般, points: 2}, {id: poor, name: 差, points: 0}, "
          "{id: other, name: 其他, points: {min: 1, max: 3}}]}")


@pytest.mark.parametrize(("facts", "expected"), [
    ("good",                        "6"),    # by id
    ("好",                          "6"),    # by name
    ("较好",                        "4"),
    ("avg",                         "2"),
    ("差",                          "0"),
    ("{level: other, points: 2.5}", "2.5"),  # discretionary level “否则酌情给分”
])
def test_levels(facts, expected):
    assert pts(LEVELS, facts, max="6") == D(expected)


def test_levels_refusals():
    assert refused(LEVELS, "excellent", max="6") == ["facts.unknown_level"]
    assert refused(LEVELS, "other", max="6") == ["rule.discretionary_points_missing"]
    assert refused(LEVELS, "{level: other, points: 4}", max="6") == ["rule.discretionary_points_range"]
    assert refused(LEVELS, "good", max="5") == ["rule.level_above_max"]


# --- quota: “每月报送2篇，少1篇扣5分，每超出一篇加1分（加分不超过5分）”
QUOTA = "{kind: quota, label: 信息报送, unit: 篇, target: 2, shortfall_per: 5, excess_per: 1, excess_cap: 5}"


@pytest.mark.parametrize(("count", "max", "expected", "clip"), [
    ("2", "10", "10", None),     # on target
    ("1", "10", "5",  None),     # 1 short: 10 − 5
    ("0", "10", "0",  None),     # 2 short: 10 − 10
    ("0", "8",  "0",  "floor"),  # 8 − 10 = −2 → floored at 0
    ("3", "10", "11", None),     # 1 over: 10 + 1 (above max: allowed by excess_cap)
    ("7", "10", "15", None),     # 5 over: 10 + 5 = max + excess_cap
    ("9", "10", "15", "cap"),    # 7 over: +7 capped at +5
])
def test_quota(count, max, expected, clip):
    out, _ = score(QUOTA, count, max)
    assert (out.points, out.clip) == (D(expected), clip)


# --- threshold: “现场办结率99.5%以上得满分，否则不得分”
THRESHOLD = "{kind: threshold, label: 办结率, unit: '%', at_least: 99.5}"


@pytest.mark.parametrize(("rule", "value", "expected"), [
    (THRESHOLD, "99.5",  "3"),   # boundary is inclusive
    (THRESHOLD, "99.49", "0"),
    (THRESHOLD, "100",   "3"),
    ("{kind: threshold, label: 办结率, at_least: 99.5, points_met: 2, points_unmet: 1}", "99",  "1"),
    ("{kind: threshold, label: 办结率, at_least: 99.5, points_met: 2, points_unmet: 1}", "100", "2"),
])
def test_threshold(rule, value, expected):
    assert pts(rule, value, max="3") == D(expected)


# --- proportional: max × actual ÷ target, capped at max
PROP = "{kind: proportional, label: 信息目标任务, unit: 篇, target: 10}"


@pytest.mark.parametrize(("rule", "facts", "expected", "clip"), [
    (PROP, "7",  "3.5", None),     # 5 × 7 ÷ 10
    (PROP, "10", "5",   None),
    (PROP, "12", "5",   "max"),    # 6 → capped at max 5
    (PROP, "0",  "0",   None),
    ("{kind: proportional, label: 任务}", "{actual: 3, target: 4}", "3.75", None),  # per-unit target: 5 × 3 ÷ 4
    ("{kind: proportional, label: 任务}", "{actual: 3, target: 0}", "5",    None),  # nothing asked: full points
])
def test_proportional(rule, facts, expected, clip):
    out, _ = score(rule, facts, max="5")
    assert (out.points, out.clip) == (D(expected), clip)


def test_proportional_needs_a_target():
    assert refused("{kind: proportional, label: 任务}", "3", max="5") == ["rule.target_missing"]


# --- linear_step: “每低1个百分点扣0.5分”; partial steps whole / started / proportional
def linear(partial: str, step: str = "1") -> str:
    return f"{{kind: linear_step, label: 满意率, unit: '%', threshold: 98, step: {step}, per: 0.5, partial: {partial}}}"


@pytest.mark.parametrize(("partial", "step", "value", "expected"), [
    ("whole",        "1",   "97.5", "5"),     # 0.5 below: no whole step
    ("started",      "1",   "97.5", "4.5"),   # a started step counts: 5 − 0.5
    ("proportional", "1",   "97.5", "4.75"),  # 0.5 step: 5 − 0.25
    ("whole",        "1",   "95",   "3.5"),   # 3 steps: 5 − 1.5
    ("started",      "1",   "95",   "3.5"),
    ("proportional", "1",   "95",   "3.5"),
    ("whole",        "1",   "99",   "5"),     # above the threshold
    ("whole",        "1",   "80",   "0"),     # 18 steps: 5 − 9 → floored at 0
    ("whole",        "0.5", "97.2", "4.5"),   # 0.8 / 0.5 = 1.6 → 1 step
    ("started",      "0.5", "97.2", "4"),     # → 2 steps
    ("proportional", "0.5", "97.2", "4.2"),   # → 1.6 steps × 0.5 = 0.8
])
def test_linear_step(partial, step, value, expected):
    assert pts(linear(partial, step), value, max="5") == D(expected)


# --- formula: clamped to [0, max], the clamp shown
@pytest.mark.parametrize(("expr", "values", "expected", "clip"), [
    ("min(reports * 2, max)", "{reports: 2}",  "4",  None),
    ("min(reports * 2, max)", "{reports: 5}",  "6",  None),     # min() keeps it at 6
    ("reports * 2 - 3",       "{reports: 1}",  "0",  "floor"),  # −1 → 0
    ("reports * 2 - 3",       "{reports: 10}", "6",  "max"),    # 17 → 6
    ("if(reports >= 3, max, reports)", "{reports: 2}", "2", None),
])
def test_formula(expr, values, expected, clip):
    out, _ = score(f"{{kind: formula, expr: '{expr}', inputs: [reports]}}", f"{{values: {values}}}", max="6")
    assert (out.points, out.clip) == (D(expected), clip)


def test_formula_refusals():
    assert refused("{kind: formula, expr: 'a + b', inputs: [a]}", "{values: {a: 1, b: 1}}", max="6") == [
        "rule.formula_unknown_input", "facts.formula_input_unknown"]
    assert refused("{kind: formula, expr: 'a +', inputs: [a]}", "{values: {a: 1}}", max="6") == ["rule.formula_invalid"]
    assert refused("{kind: formula, expr: 'a', inputs: [a]}", "{values: {}}", max="6") == ["facts.formula_input_missing"]


# ---------------------------------------------------------------- through the engine

SCHEME_HEAD = """\
title: 规则测试办法
issuer: 测试县考核办
effective: {{from: 2024-01-01}}
total: {total}
period: {{kind: quarter}}
{rounding}groups:
  - {{id: g, name: 全体, units: [{units}]}}
indicators:
"""

UNITS4 = """\
units:
  - {id: a1, name: 一局, category: 机关}
  - {id: a2, name: 二局, category: 机关}
  - {id: a3, name: 三局, category: 基层}
  - {id: a4, name: 四局, category: 基层}
"""


def period_file(entries: dict[str, str], period: str = "2024-Q1", extra: str = "") -> str:
    body = "".join(f"  {uid}:\n" + "".join(f"    {ln}\n" for ln in text.splitlines()) for uid, text in entries.items())
    return f'scheme: t\nversion: "2024"\nperiod: {period}\nstatus: draft\n{extra}units:\n{body}'


def run_engine(tmp_path: Path, indicators: str, entries: dict[str, str] | list[dict[str, str]], *,
               total: str = "10", tail: str = "", rounding: str = "", units: str = "a1, a2, a3"):
    """Write a one-scheme project and return ``{period id: PeriodResult}``."""
    periods = entries if isinstance(entries, list) else [entries]
    scheme = SCHEME_HEAD.format(total=total, rounding=rounding, units=units) + indicators + tail
    files: dict[str, str | None] = {"site.yaml": SITE, "units/units.yaml": UNITS4, "schemes/t/2024.yaml": scheme}
    for i, e in enumerate(periods):
        pid = f"2024-Q{i + 1}"
        files[f"scores/t/{pid}.yaml"] = period_file(e, pid)
    root = make_project(tmp_path, files, base=False)
    try:
        _, results = pipeline.check(root)
    except InputError as exc:
        raise AssertionError(exc.format_message()) from None
    return {pid: r for (_, pid), r in results.items()}


def totals(result) -> dict[str, Decimal | None]:
    return {u: r.total for u, r in result.units.items()}


def line_points(result, line: str) -> dict[str, Decimal | None]:
    return {u: r.line(line).points for u, r in result.units.items() if r.lines}


# --- not_applicable policies: full / zero / exclude / rescale / group_average
NA = """\
  - id: work
    name: 工作推进
    max: 10
    not_applicable: {policy}
    rule: {{kind: assessed}}
  - id: duty
    name: 值守纪律
    max: 10
    rule: {{kind: per_occurrence, per: 1}}
"""
NA_FACTS = {"a1": "facts: {work: na, duty: 1}", "a2": "facts: {work: 10}", "a3": "facts: {work: 8, duty: 2}"}


@pytest.mark.parametrize(("policy", "a1_total", "a1_max"), [
    ("full",          "19", "20"),  # work 10 (full) + duty 9
    ("zero",          "9",  "20"),  # work 0 + duty 9
    ("exclude",       "9",  "10"),  # work left out: 9 of a maximum of 10
    ("rescale",       "18", "20"),  # 9 of 10, rescaled to 20: 9 × 20 ÷ 10
    ("group_average", "18", "20"),  # work = average of a2 and a3 = (10 + 8) ÷ 2 = 9; + duty 9
])
def test_not_applicable_policies(tmp_path, policy, a1_total, a1_max):
    r = run_engine(tmp_path, NA.format(policy=policy), NA_FACTS, total="20")["2024-Q1"]
    a1 = r.units["a1"]
    assert (a1.total, a1.max_total) == (D(a1_total), D(a1_max))
    assert totals(r)["a2"] == 20 and totals(r)["a3"] == 16  # 10 + 10; 8 + 8
    assert r.units["a2"].max_total == 20


def test_group_average_excludes_other_na_units(tmp_path):
    facts = {"a1": "facts: {work: na}", "a2": "facts: {work: na}", "a3": "facts: {work: 7}"}
    r = run_engine(tmp_path, NA.format(policy="group_average"), facts, total="20")["2024-Q1"]
    assert line_points(r, "work") == {"a1": 7, "a2": 7, "a3": 7}  # the average of the one scored unit


# --- occurrence modifiers: “1件次该项得分减半；2件次以上该项不得分”
MOD = """\
  - id: work
    name: 工作推进
    max: 10
    rule: {kind: assessed}
    modifiers:
      - label: 有效投诉
        steps: [{min: 1, factor: 0.5}, {min: 2, factor: 0}]
"""


def test_modifiers(tmp_path):
    facts = {"a1": "facts: {work: {points: 8}}", "a2": "facts: {work: {points: 8, incidents: 1}}",
             "a3": "facts: {work: {points: 8, incidents: 3}}"}
    r = run_engine(tmp_path, MOD, facts)["2024-Q1"]
    assert totals(r) == {"a1": 8, "a2": 4, "a3": 0}  # 8; halved at 1; zero at 2 and above


# --- disqualify: “并取消评先评优资格”
DISQ = """\
  - id: work
    name: 工作推进
    max: 8
    rule: {kind: assessed}
  - id: safety
    name: 安全生产
    max: 2
    rule: {kind: per_occurrence, per: 1}
    disqualify: {at_least: 1, reason: 发生安全事故}
"""
HONOUR = """\
rankings:
  - {id: q, name: 季度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1}}
"""


def test_disqualify_cancels_the_honour_not_the_points(tmp_path):
    facts = {"a1": "facts: {work: 8, safety: 1}", "a2": "facts: {work: 7}", "a3": "facts: {work: 6}"}
    r = run_engine(tmp_path, DISQ, facts, tail=HONOUR)["2024-Q1"]
    assert totals(r) == {"a1": 9, "a2": 9, "a3": 8}  # a1: 8 + (2 − 1); a2: 7 + 2
    assert r.units["a1"].disqualified_by == ("发生安全事故",)
    assert r.units["a1"].line("safety").disqualified
    (flag,) = r.honours
    assert flag.chosen == ("a2",)  # a1 ties for first but is disqualified
    assert [u for u, _ in flag.excluded] == ["a1"]
    assert "取消评先资格" in flag.excluded[0][1]


# --- bonus node cap: children add up to more than the node's cap
BONUS_NODE = """\
  - id: work
    name: 工作推进
    max: 10
    rule: {kind: assessed}
  - id: plus
    name: 加分项
    type: bonus
    max: 3
    children:
      - {id: b1, name: 表彰, max: 2, rule: {kind: assessed}}
      - {id: b2, name: 创新, max: 2, rule: {kind: assessed}}
"""


def test_bonus_node_cap(tmp_path):
    facts = {"a1": "facts: {work: 8, b1: 2, b2: 2}", "a2": "facts: {work: 8, b1: 1, b2: 1}",
             "a3": "facts: {work: 8, b1: 0, b2: 0}"}
    r = run_engine(tmp_path, BONUS_NODE, facts)["2024-Q1"]
    assert line_points(r, "plus") == {"a1": 3, "a2": 2, "a3": 0}  # 4 → cap 3; 2; 0
    assert r.units["a1"].line("plus").clip == "cap"
    assert totals(r) == {"a1": 11, "a2": 10, "a3": 8}  # bonus on top of the total of 10
    assert r.units["a1"].bonus == 3


# --- deduction capped by the bonus: “同一单位减分总数不超过加分总数”
CAP_BY = """\
  - id: work
    name: 工作推进
    max: 10
    rule: {kind: assessed}
  - id: plus
    name: 加分
    type: bonus
    max: 5
    rule: {kind: assessed}
  - id: minus
    name: 减分
    type: deduction
    max: 5
    cap_by: plus
    children:
      - {id: m1, name: 通报批评, rule: {kind: per_occurrence, per: 1}}
"""


def test_deduction_capped_by_bonus(tmp_path):
    facts = {"a1": "facts: {work: 8, plus: 2, m1: 3}",   # −3 → limited to the bonus 2: 8 + 2 − 2 = 8
             "a2": "facts: {work: 8, plus: 4, m1: 3}",   # −3 within the bonus 4: 8 + 4 − 3 = 9
             "a3": "facts: {work: 8, plus: 0, m1: 2}"}   # no bonus: nothing may be deducted: 8
    r = run_engine(tmp_path, CAP_BY, facts)["2024-Q1"]
    assert line_points(r, "minus") == {"a1": -2, "a2": -3, "a3": 0}
    assert totals(r) == {"a1": 8, "a2": 9, "a3": 8}
    assert r.units["a1"].line("minus").clip == "cap"


def test_deduction_leaf_capped_by_bonus(tmp_path):
    """cap_by on a leaf deduction line (no children) must cap it just the same."""
    indicators = CAP_BY.replace(
        "    cap_by: plus\n    children:\n      - {id: m1, name: 通报批评, rule: {kind: per_occurrence, per: 1}}\n",
        "    cap_by: plus\n    rule: {kind: per_occurrence, per: 1}\n")
    facts = {"a1": "facts: {work: 8, plus: 2, minus: 3}", "a2": "facts: {work: 8, plus: 4, minus: 3}",
             "a3": "facts: {work: 8, plus: 0, minus: 2}"}
    r = run_engine(tmp_path, indicators, facts)["2024-Q1"]
    assert line_points(r, "minus") == {"a1": -2, "a2": -3, "a3": 0}
    assert totals(r) == {"a1": 8, "a2": 9, "a3": 8}
    assert r.units["a1"].line("minus").clip == "cap"
    assert "不超过“加分”的得分 2 分" in (r.units["a1"].line("minus").clip_note or "")


# --- cap across periods: a yearly cap on a bonus line, quarter by quarter
SPAN = """\
  - id: work
    name: 工作推进
    max: 10
    rule: {kind: assessed}
  - id: plus
    name: 加分
    type: bonus
    max: 4
    cap_span: year
    rule: {kind: assessed}
"""


def test_cap_span_year(tmp_path):
    q1 = {"a1": "facts: {work: 8, plus: 3}", "a2": "facts: {work: 8, plus: 4}", "a3": "facts: {work: 8, plus: 0}"}
    q2 = {"a1": "facts: {work: 8, plus: 3}", "a2": "facts: {work: 8, plus: 1}", "a3": "facts: {work: 8, plus: 4}"}
    r = run_engine(tmp_path, SPAN, [q1, q2])
    assert line_points(r["2024-Q1"], "plus") == {"a1": 3, "a2": 4, "a3": 0}
    # a1: 3 booked, 1 left; a2: 4 booked, nothing left; a3: 0 booked, 4 left
    assert line_points(r["2024-Q2"], "plus") == {"a1": 1, "a2": 0, "a3": 4}
    assert totals(r["2024-Q2"]) == {"a1": 9, "a2": 8, "a3": 12}
    assert r["2024-Q2"].units["a1"].line("plus").clip == "cap"


def test_cap_span_period_is_per_period(tmp_path):
    q = {"a1": "facts: {work: 8, plus: 3}", "a2": "facts: {work: 8, plus: 4}", "a3": "facts: {work: 8, plus: 0}"}
    r = run_engine(tmp_path, SPAN.replace("    cap_span: year\n", ""), [q, q])
    assert line_points(r["2024-Q2"], "plus") == {"a1": 3, "a2": 4, "a3": 0}


# --- unit coefficient
COEF = """\
  - id: work
    name: 工作推进
    max: 10
    rule: {kind: assessed}
"""
COEF_TAIL = "coefficient: {label: 难度系数, min: 0.8, max: 1.2}\n"


def test_unit_coefficient(tmp_path):
    facts = {"a1": "facts: {work: 9}\ncoefficient: 1.1", "a2": "facts: {work: 9}\ncoefficient: 0.8",
             "a3": "facts: {work: 9}"}
    r = run_engine(tmp_path, COEF, facts, tail=COEF_TAIL)["2024-Q1"]
    assert totals(r) == {"a1": D("9.9"), "a2": D("7.2"), "a3": 9}  # 9 × 1.1; 9 × 0.8; default 1
    assert r.units["a1"].coefficient == D("1.1")


def test_unit_coefficient_out_of_range(tmp_path):
    facts = {"a1": "facts: {work: 9}\ncoefficient: 1.3", "a2": "facts: {work: 9}", "a3": "facts: {work: 9}"}
    with pytest.raises(AssertionError, match="系数 1.3 不在 0.8—1.2 之间"):
        run_engine(tmp_path, COEF, facts, tail=COEF_TAIL)


# --- vetoes: no_honour / zero / last
VETO_TAIL = """\
vetoes:
  - {id: disc, name: 被通报批评, effect: no_honour}
  - {id: fraud, name: 弄虚作假, effect: zero}
  - {id: acc, name: 重大事故, effect: last}
rankings:
  - {id: q, name: 季度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1}}
"""


@pytest.mark.parametrize(("veto", "a1_total", "ranks", "chosen"), [
    (None,    "10", {"a1": 1, "a2": 2, "a3": 3}, ("a1",)),
    ("disc",  "10", {"a1": 1, "a2": 2, "a3": 3}, ("a2",)),  # keeps its points and place, loses the honour
    ("fraud", "0",  {"a1": 3, "a2": 1, "a3": 2}, ("a2",)),  # total 0: last by points
    ("acc",   "10", {"a1": 3, "a2": 1, "a3": 2}, ("a2",)),  # keeps 10 points but ranks last
])
def test_veto_effects(tmp_path, veto, a1_total, ranks, chosen):
    a1 = "facts: {work: 10}" + (f"\nvetoes: [{{id: {veto}, reason: 测试}}]" if veto else "")
    facts = {"a1": a1, "a2": "facts: {work: 9}", "a3": "facts: {work: 8}"}
    r = run_engine(tmp_path, COEF, facts, tail=VETO_TAIL)["2024-Q1"]
    assert r.units["a1"].total == D(a1_total)
    (ranking,) = r.rankings
    assert {e.unit: e.rank for e in ranking.entries} == ranks
    (flag,) = r.honours
    assert flag.chosen == chosen


# --- rounding: once at the total (default) vs at every line
THIRDS = "".join(f"""\
  - id: p{i}
    name: 任务{i}
    max: 1
    rule: {{kind: proportional, label: 任务{i}, target: 3}}
""" for i in (1, 2, 3))
THIRDS_FACTS = {u: "facts: {p1: 1, p2: 1, p3: 1}" for u in ("a1", "a2", "a3")}


@pytest.mark.parametrize(("rounding", "expected"), [
    ("",                                        "1.00"),  # 3 × (1 ÷ 3) = 0.999… rounded once → 1.00
    ("rounding: {at: line}\n",                  "0.99"),  # 0.33 + 0.33 + 0.33
    ("rounding: {mode: down}\n",                "0.99"),  # 0.999… cut down once
    ("rounding: {places: 1}\n",                 "1.0"),
    ("rounding: {places: 0, at: line}\n",       "0"),     # each 0.33… → 0
])
def test_rounding_once_at_the_total(tmp_path, rounding, expected):
    r = run_engine(tmp_path, THIRDS, THIRDS_FACTS, total="3", rounding=rounding)["2024-Q1"]
    t = r.units["a1"].total
    assert t == D(expected)
    assert str(t) == expected  # exactly the declared number of places


def test_rounding_half_up_vs_half_even(tmp_path):
    indicators = "  - {id: w, name: 工作, max: 10, rule: {kind: assessed}}\n"
    facts = {"a1": "facts: {w: 8.125}", "a2": "facts: {w: 8.135}", "a3": "facts: {w: 8}"}
    r = run_engine(tmp_path, indicators, facts)["2024-Q1"]
    assert totals(r) == {"a1": D("8.13"), "a2": D("8.14"), "a3": D("8.00")}  # half_up (default)
    r = run_engine(tmp_path, indicators, facts, rounding="rounding: {mode: half_even}\n")["2024-Q1"]
    assert totals(r) == {"a1": D("8.12"), "a2": D("8.14"), "a3": D("8.00")}


# --- group-relative kinds, through the engine (the whole group is needed)
def group_rank_line(rule: str) -> str:
    return f"  - {{id: rank, name: 名次分, max: 10, rule: {rule}}}\n"


GR_FACTS = {"a1": "facts: {rank: 90}", "a2": "facts: {rank: 95}", "a3": "facts: {rank: 95}", "a4": "facts: {rank: 80}"}


@pytest.mark.parametrize(("rule", "expected"), [
    # values 95, 95, 90, 80 → ranks 1, 1, 3, 4 (ties share the better place and its points)
    ("{kind: group_rank, label: 满意度, points: [10, 8, 6], otherwise: 2}", {"a1": "6", "a2": "10", "a3": "10", "a4": "2"}),
    ("{kind: group_rank, label: 满意度, best: 10, step: 0.5}",             {"a1": "9", "a2": "10", "a3": "10", "a4": "8.5"}),
    # lower is better: 80, 90, 95, 95 → ranks 1, 2, 3, 3
    ("{kind: group_rank, label: 超时件, lower_is_better: true, points: [10, 8, 6]}", {"a1": "8", "a2": "6", "a3": "6", "a4": "10"}),
])
def test_group_rank(tmp_path, rule, expected):
    r = run_engine(tmp_path, group_rank_line(rule), GR_FACTS, units="a1, a2, a3, a4")["2024-Q1"]
    assert line_points(r, "rank") == {u: D(v) for u, v in expected.items()}


@pytest.mark.parametrize(("rule", "values", "expected"), [
    # max × value ÷ best: best 100 → 8, 10, 5
    ("{kind: relative_to_best, label: 完成量}", ("80", "100", "50"), ("8", "10", "5")),
    # lower is better: best ÷ value × max: best 2 → 10, 5, 4
    ("{kind: relative_to_best, label: 用时, lower_is_better: true}", ("2", "4", "5"), ("10", "5", "4")),
    # average 90: at or above → 10, below → 1
    ("{kind: relative_to_average, label: 效能, below: 1}", ("80", "90", "100"), ("1", "10", "10")),
    ("{kind: relative_to_average, label: 超时, lower_is_better: true, below: 1}", ("80", "90", "100"), ("10", "10", "1")),
])
def test_relative_kinds(tmp_path, rule, values, expected):
    indicators = f"  - {{id: rel, name: 相对分, max: 10, rule: {rule}}}\n"
    facts = {u: f"facts: {{rel: {v}}}" for u, v in zip(("a1", "a2", "a3"), values)}
    r = run_engine(tmp_path, indicators, facts)["2024-Q1"]
    assert line_points(r, "rel") == {u: D(v) for u, v in zip(("a1", "a2", "a3"), expected)}


def test_relative_to_best_of_a_subtotal(tmp_path):
    indicators = """\
  - id: work
    name: 工作推进
    max: 10
    rule: {kind: assessed}
  - id: rel
    name: 相对分
    max: 5
    rule: {kind: relative_to_best, label: 工作推进得分, of: work}
"""
    facts = {"a1": "facts: {work: 8}", "a2": "facts: {work: 4}", "a3": "facts: {work: 6}"}
    r = run_engine(tmp_path, indicators, facts, total="15")["2024-Q1"]
    # 5 × 8/8, 5 × 4/8, 5 × 6/8
    assert line_points(r, "rel") == {"a1": 5, "a2": D("2.5"), "a3": D("3.75")}
    assert totals(r) == {"a1": 13, "a2": D("6.5"), "a3": D("9.75")}


def test_group_relative_skips_na_units(tmp_path):
    indicators = "  - {id: rel, name: 相对分, max: 10, not_applicable: zero, rule: {kind: relative_to_best, label: 完成量}}\n"
    facts = {"a1": "facts: {rel: 40}", "a2": "facts: {rel: 50}", "a3": "facts: {rel: na}"}
    r = run_engine(tmp_path, indicators, facts)["2024-Q1"]
    assert line_points(r, "rel") == {"a1": 8, "a2": 10, "a3": 0}  # best of the two that have it: 50


# --- ranking ties: competition 1, 1, 3 vs dense 1, 1, 2
@pytest.mark.parametrize(("ties", "expected"), [
    ("competition", {"a1": 1, "a2": 1, "a3": 3}),
    ("dense",       {"a1": 1, "a2": 1, "a3": 2}),
])
def test_ranking_ties(tmp_path, ties, expected):
    facts = {"a1": "facts: {work: 9}", "a2": "facts: {work: 9}", "a3": "facts: {work: 7}"}
    tail = f"rankings:\n  - {{id: q, name: 排名, ties: {ties}}}\n"
    r = run_engine(tmp_path, COEF, facts, tail=tail)["2024-Q1"]
    (ranking,) = r.rankings
    assert {e.unit: e.rank for e in ranking.entries} == expected


def test_tie_break_by_indicator(tmp_path):
    indicators = COEF + "  - {id: duty, name: 值守, max: 10, rule: {kind: per_occurrence, per: 1}}\n"
    facts = {"a1": "facts: {work: 9, duty: 1}", "a2": "facts: {work: 8, duty: 0}", "a3": "facts: {work: 7}"}
    tail = "rankings:\n  - {id: q, name: 排名, tie_break: [duty]}\n"
    r = run_engine(tmp_path, indicators, facts, total="20", tail=tail)["2024-Q1"]
    (ranking,) = r.rankings
    # a1 and a2 both 18; a2 has more duty points (10 vs 9) so ranks first
    assert {e.unit: e.rank for e in ranking.entries} == {"a2": 1, "a1": 2, "a3": 3}


def test_cap_by_a_nested_node_defined_later_keeps_its_depth(tmp_path):
    """The capping node is computed first when it comes earlier in the tree; the line it
    refers to must still sit at its own depth (not become a top-level line)."""
    indicators = """\
  - {id: work, name: 工作, max: 10, rule: {kind: assessed}}
  - id: minus
    name: 减分
    type: deduction
    max: 5
    cap_by: b1
    children:
      - {id: m1, name: 通报, rule: {kind: per_occurrence, per: 1}}
  - id: plus
    name: 加分
    type: bonus
    max: 5
    children:
      - {id: b1, name: 表彰, max: 5, rule: {kind: assessed}}
"""
    facts = {u: "facts: {work: 8, b1: 2, m1: 3}" for u in ("a1", "a2", "a3")}
    r = run_engine(tmp_path, indicators, facts)["2024-Q1"]
    a1 = r.units["a1"]
    assert [(ln.id, ln.depth) for ln in a1.lines] == [("work", 0), ("minus", 0), ("m1", 1), ("plus", 0), ("b1", 1)]
    assert a1.total == 8  # 8 + 2 − min(3, 2)
    assert sum(ln.points for ln in a1.top_lines) == a1.total


# --- weighted: a figure on its own scale × the weight; rater groups' means weighted
WEIGHTED = "{kind: weighted, label: 测评, weight: 0.15}"
GROUPS = "{kind: weighted, label: 测评, weight: 0.1, groups: [{id: a, name: 甲, weight: 0.5}, {id: b, name: 乙, weight: 0.5}]"


@pytest.mark.parametrize(("rule", "facts", "expected"), [
    (WEIGHTED, "80", "12"),  # 80 × 0.15
    (WEIGHTED, "100", "15"),  # 100 × 0.15
    (GROUPS + "}", "{ratings: {a: [90, 80], b: [70]}}", "7.75"),  # (85 × 0.5 + 70 × 0.5) × 0.1
    (GROUPS + ", means: {places: 0, mode: down}}", "{ratings: {a: [90, 81], b: [70]}}", "7.75"),  # 85.5 → 85
    (GROUPS + ", empty_group: reweight}", "{ratings: {a: [90, 80], b: []}}", "8.5"),  # 85 / 0.5 × 0.5 × 0.1
])
def test_weighted(rule, facts, expected):
    assert pts(rule, facts, "15") == D(expected)


@pytest.mark.parametrize(("rule", "facts", "code"), [
    (WEIGHTED, "101", "facts.rating_range"),
    (WEIGHTED, "{ratings: {a: [1]}}", "facts.ratings_undeclared"),
    (GROUPS + "}", "{ratings: {a: [90], b: []}}", "facts.rater_group_empty"),
    (GROUPS + "}", "{ratings: {a: [90], c: [1]}}", "facts.unknown_rater_group"),
    ("{kind: weighted, label: 测评, weight: 0.2}", "50", "rule.weighted_above_max"),  # 100 × 0.2 > 15
])
def test_weighted_refused(rule, facts, code):
    assert code in refused(rule, facts, "15")


# --- yes_no: yes → `yes` (default the maximum), no → `no` (default 0)
@pytest.mark.parametrize(("rule", "facts", "expected"), [
    ("{kind: yes_no, label: 按时报送}", "true", "3"),
    ("{kind: yes_no, label: 按时报送}", "false", "0"),
    ("{kind: yes_no, label: 按时报送, yes: 2, no: 1}", "{done: false}", "1"),
])
def test_yes_no(rule, facts, expected):
    assert pts(rule, facts, "3") == D(expected)


def test_yes_no_needs_done():
    assert "facts.missing_field" in refused("{kind: yes_no, label: 按时报送}", "{note: 无}", "3")


# --- deadline: per day late from the maximum, down to 0; not done → lose_all or count_to_end
@pytest.mark.parametrize(("rule", "facts", "type", "expected"), [
    ("{due: 2024-01-20, per_day: 0.5}", "2024-01-20", "score", "5"),  # on the due date: on time
    ("{due: 2024-01-20, per_day: 0.5}", "2024-01-24", "score", "3"),  # 4 days: 5 − 2
    ("{due: 2024-01-20, per_day: 0.5}", "2024-03-01", "score", "0"),  # 41 days: floored at 0
    ("{due: 2024-01-20, per_day: 0.5}", "{done: false}", "score", "0"),  # lose_all
    ("{due: 2024-03-29, per_day: 0.5, not_done: count_to_end}", "{done: false}", "score", "4"),  # 30, 31 March: 5 − 1
    ("{due: 2024-03-29, per_day: 0.5, days: working, not_done: count_to_end}", "{done: false}", "score", "5"),  # weekend
    ("{due: period_end, per_day: 0.5}", "2024-04-01", "score", "0"),  # after the period: not done
    ("{due: 2024-01-20, per_day: 0.5}", "2024-01-24", "deduction", "-2"),  # 4 days × 0.5 deducted
    ("{due: 2024-01-20, per_day: 0.5}", "{done: false}", "deduction", "-5"),  # lose_all: the limit
])
def test_deadline(rule, facts, type, expected):
    problems = Problems()
    doc = load_yaml_bytes(f"rule: {rule}\nfacts: {facts}\n".encode(), "t.yaml", problems)
    r = RULE.validate_python({"kind": "deadline", "label": "报送", **doc.data["rule"]})
    data, _ = _normalise(doc.data["facts"], r)
    context = PeriodContext(date(2024, 1, 1), date(2024, 3, 31))
    assert r.score(LineSpec("x", "报送", type, D(5), context), Facts.model_validate(data)).points == D(expected)

