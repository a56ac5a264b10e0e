"""History and other schemes' results as inputs (issue 8, part E): the ``history`` rule kind,
``inputs``, the record of results (``scoring/history.py``) and ``values_for``.

One small project: a monthly scheme ``m`` (flag for the best unit each month, stages of three
months, a bonus for holding the flag in the last two months) and a half-year scheme ``t``
that reads ``m``.  Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import listing, make_project
from site_builder import pipeline
from site_builder.cli import main
from site_builder.pipeline import compute
from site_builder.scoring.history import History, dependency_order, values_for

D = Decimal

SITE = "title: 测试\norganisation: 测试县考核办\nsample: true\n"
UNITS = "units:\n  - {id: a1, name: 甲局}\n  - {id: a2, name: 乙局}\n  - {id: a3, name: 丙局}\n"

MONTHLY = """\
title: 月度评比
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 10
period:
  kind: month
  stages:
    - {id: s1, name: 第一阶段, from: 2024-01-01, until: 2024-03-31}
    - {id: s2, name: 第二阶段, from: 2024-04-01, until: 2024-06-30}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - {id: work, name: 工作, max: 10, rule: {kind: assessed}}
  - id: stk
    name: 连续红旗
    type: bonus
    max: 1
    rule: {kind: history, label: 此前两个月连续获得流动红旗的月数, measure: run, honour: flag, last: 2, at_least: 2, points: 1}
rankings:
  - {id: mr, name: 月度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: mr, select: {top: 1}}
"""

TERM = """\
title: 半年评定
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 13
period: {kind: half-year}
inputs:
  - {scheme: m, name: 月度评比}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - id: held
    name: 红旗次数
    max: 3
    rule:
      kind: history
      scheme: m
      label: 半年内获得流动红旗的次数
      measure: held
      honour: flag
      brackets: [{min: 3, points: 3}, {min: 1, max: 2, points: 1}, {max: 0, points: 0}]
  - {id: run, name: 连续红旗, max: 2, rule: {kind: history, scheme: m, label: 最长连续获得的月数, measure: run, honour: flag, at_least: 2, points: 2}}
  - {id: first, name: 第一名, max: 1, rule: {kind: history, scheme: m, label: 排名第一的月数, measure: first, at_least: 1, points: 1}}
  - id: avg
    name: 平均分
    max: 4
    rule:
      kind: history
      scheme: m
      label: 各月平均分
      measure: total_mean
      brackets: [{min: 8.5, points: 4}, {min: 8, below: 8.5, points: 3}, {below: 8, points: 1}]
  - {id: sum, name: 总分合计, max: 2, rule: {kind: history, scheme: m, label: 各月总分合计, measure: total_sum, brackets: [{min: 34, points: 2}, {below: 34, points: 0}]}}
  - {id: cnt, name: 参加月数, max: 1, rule: {kind: history, scheme: m, label: 参加考核的月数, measure: periods, at_least: 4, points: 1}}
"""

# work points per month (a1, a2, a3); the flag goes to the best total.
#   Jan 9 8 7 → a1 · Feb 9 8 7 → a1 · Mar a1 7 + 1 (Jan, Feb held) = 8, a2 9 → a2 · Apr 9 8 7 → a1
WORK = {"01": (9, 8, 7), "02": (9, 8, 7), "03": (7, 9, 8), "04": (9, 8, 7)}


def month(m: str, work: tuple[int, int, int], status: str = "published", scheme: str = "m") -> str:
    notice = f"notice: {{date: 2024-{int(m) + 1:02d}-05, number: 测〔2024〕{int(m)}号}}\n" if status == "published" else ""
    return (f"scheme: {scheme}\nversion: \"2024\"\nperiod: 2024-{m}\nstatus: {status}\n{notice}units:\n"
            + "".join(f"  a{i + 1}: {{facts: {{work: {w}}}}}\n" for i, w in enumerate(work)))


def term(scheme: str = "t", facts: str = "") -> str:
    return (f"scheme: {scheme}\nversion: \"2024\"\nperiod: 2024-H1\nstatus: published\n"
            f"notice: {{date: 2024-07-10, number: 测〔2024〕9号}}\nunits:\n  a1: {{{facts}}}\n  a2: {{}}\n  a3: {{}}\n")


def files(work: dict[str, tuple[int, int, int]] = WORK, draft: str | None = None, term_id: str = "t",
          monthly: str = MONTHLY, term_scheme: str = TERM) -> dict[str, str | None]:
    out: dict[str, str | None] = {
        "site.yaml": SITE, "units/units.yaml": UNITS, "schemes/m/2024.yaml": monthly,
        f"schemes/{term_id}/2024.yaml": term_scheme, f"scores/{term_id}/2024-H1.yaml": term(term_id),
    }
    for m, w in work.items():
        out[f"scores/m/2024-{m}.yaml"] = month(m, w, "draft" if m == draft else "published")
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("hist"), files(), base=False)
    return pipeline.check(root)


def points(results, scheme: str, period: str, unit: str, line: str) -> Decimal | None:
    return results[(scheme, period)].units[unit].line(line).points


# ---------------------------------------------------------------- own earlier periods


def test_own_history_reads_earlier_periods_only(built):
    _, results = built
    assert [h.chosen for h in results[("m", "2024-01")].honours] == [("a1",)]
    assert points(results, "m", "2024-02", "a1", "stk") == 0  # only January before: a run of 1
    assert points(results, "m", "2024-03", "a1", "stk") == 1  # January and February: a run of 2
    assert results[("m", "2024-03")].units["a1"].total == D("8.00")  # 7 + 1
    assert [h.chosen for h in results[("m", "2024-03")].honours] == [("a2",)]  # a2 9 beats a1 8
    assert points(results, "m", "2024-04", "a1", "stk") == 0  # February held, March not
    assert points(results, "m", "2024-04", "a2", "stk") == 0  # March only


def test_the_score_card_names_the_periods(built):
    _, results = built
    steps = results[("m", "2024-03")].units["a1"].line("stk").steps
    zh = [s.render("zh-CN") for s in steps]
    assert zh[0] == "本方案此前各期（最近 2 期）共 2 期：2024年1月、2024年2月"
    assert zh[1] == "最长连续获得“流动红旗” 2 期（2024年1月、2024年2月）"
    assert zh[2] == "达到 2，得 1 分"
    en = [s.render("en") for s in steps]
    assert en[1] == "longest run holding “流动红旗”: 2 period(s) (January 2024, February 2024)"
    first = results[("m", "2024-01")].units["a1"].line("stk").steps[0].render("zh-CN")
    assert first == "本方案此前各期（最近 2 期）没有已计算的考核期，按 0 期计"


# ---------------------------------------------------------------- another scheme's results


def test_term_reads_the_months_within_it(built):
    _, results = built
    got = {u: {ln: points(results, "t", "2024-H1", u, ln) for ln in ("held", "run", "first", "avg", "sum", "cnt")}
           for u in ("a1", "a2", "a3")}
    # a1: flags Jan, Feb, Apr = 3 → 3; longest run 2 → 2; first in 3 months → 1;
    #     totals 9, 9, 8, 9: mean 8.75 → 4, sum 35 → 2; 4 months → 1
    assert got["a1"] == {"held": 3, "run": 2, "first": 1, "avg": 4, "sum": 2, "cnt": 1}
    # a2: flag in March only → 1; run 1 → 0; first in March → 1; totals 8, 8, 9, 8: mean 8.25 → 3, sum 33 → 0
    assert got["a2"] == {"held": 1, "run": 0, "first": 1, "avg": 3, "sum": 0, "cnt": 1}
    # a3: no flag, never first (8 ties a1 for 2nd in March); totals 7, 7, 8, 7: mean 7.25 → 1, sum 29 → 0
    assert got["a3"] == {"held": 0, "run": 0, "first": 0, "avg": 1, "sum": 0, "cnt": 1}
    assert results[("t", "2024-H1")].units["a1"].total == D("13.00")
    steps = [s.render("zh-CN") for s in results[("t", "2024-H1")].units["a1"].line("held").steps]
    assert steps == ["“月度评比”（本期内）共 4 期：2024年1月、2024年2月、2024年3月、2024年4月",
                     "获得“流动红旗” 3 期（2024年1月、2024年2月、2024年4月）", "属于“3及以上”档，得 3 分"]


def test_drafts_follow_include_drafts(tmp_path):
    root = make_project(tmp_path, files(draft="04"), base=False)
    project, _ = pipeline.check(root)
    with_drafts = compute(project, include_drafts=True)
    without = compute(project, include_drafts=False)
    assert points(with_drafts, "t", "2024-H1", "a1", "held") == 3  # Jan, Feb, Apr
    assert points(without, "t", "2024-H1", "a1", "held") == 1  # Jan, Feb: 2 → the 1–2 bracket
    assert points(without, "t", "2024-H1", "a1", "cnt") == 0  # 3 months, below 4


def test_no_input_period_in_the_span_counts_zero(tmp_path):
    root = make_project(tmp_path, {**files(), **{f"scores/m/2024-{m}.yaml": None for m in WORK}}, base=False)
    _, results = pipeline.check(root)
    assert points(results, "t", "2024-H1", "a1", "held") == 0
    assert points(results, "t", "2024-H1", "a1", "avg") == 1  # mean of nothing is 0: the lowest bracket
    step = results[("t", "2024-H1")].units["a1"].line("held").steps[0]
    assert step.render("zh-CN") == "“月度评比”（本期内）没有已计算的考核期，按 0 期计"


def test_schemes_are_computed_after_their_inputs_whatever_their_ids(tmp_path):
    # "a-term" sorts before "m": it must still be computed after it
    text = files(term_id="a-term", term_scheme=TERM)
    root = make_project(tmp_path, text, base=False)
    _, results = pipeline.check(root)
    assert points(results, "a-term", "2024-H1", "a1", "held") == 3
    assert list(results)[0][0] == "a-term"  # results keep the order by scheme id


# ---------------------------------------------------------------- values_for (for level conditions)


def test_values_for_each_span(built):
    project, results = built
    h = History.from_results(project, results)
    april = next(p for p in project.periods if p.scheme == "m" and p.id == "2024-04")
    year = values_for(h, "m", "a1", april, "year")
    # a1: flags Jan, Feb, Apr; first in those 3; totals 9 + 9 + 8 + 9
    assert year == {"first": 3, "first.mr": 3, "held.flag": 3, "periods": 4, "run.flag": 2,
                    "total_mean": D("8.75"), "total_sum": 35}
    assert values_for(h, "m", "a1", april, "stage")["held.flag"] == 1  # stage s2: April only
    assert values_for(h, "m", "a1", april, "all")["held.flag"] == 3
    assert values_for(h, "m", "a1", april, 2)["held.flag"] == 1  # March, April
    assert values_for(h, "m", "a2", april, 2)["held.flag"] == 1
    half = next(p for p in project.periods if p.scheme == "t")
    assert values_for(h, "m", "a2", half, "period")["first"] == 1


def test_dependency_order():
    assert dependency_order(["t", "m", "a"], {"a": {"t"}, "t": {"m"}}) == ["m", "t", "a"]
    assert dependency_order(["b", "a"], {}) == ["a", "b"]


@given(st.permutations(["a", "b", "c", "d", "e"]), st.sets(st.tuples(st.sampled_from("abcde"), st.sampled_from("abcde"))))
def test_dependency_order_is_independent_of_the_listing(order, edges):
    reads: dict[str, set[str]] = {}
    for x, y in edges:
        if x < y:  # acyclic: only read a scheme with a later id
            reads.setdefault(x, set()).add(y)
    got = dependency_order(order, reads)
    assert got == dependency_order(sorted(order), reads)
    for x, ys in reads.items():
        for y in ys:
            assert got.index(y) < got.index(x)


# ---------------------------------------------------------------- properties of the counts


def _expected(work: dict[str, tuple[int, int, int]]) -> dict[str, tuple[int, int]]:
    """(held, longest run) per unit, worked out independently: the bonus of ``stk`` is added first."""
    held: dict[str, list[bool]] = {u: [] for u in ("a1", "a2", "a3")}
    for m in sorted(work):
        totals = {}
        for i, u in enumerate(("a1", "a2", "a3")):
            last2 = held[u][-2:]
            totals[u] = work[m][i] + (1 if len(last2) == 2 and all(last2) else 0)
        best = max(totals.values())
        for u in held:
            held[u].append(totals[u] == best)
    out = {}
    for u, flags in held.items():
        run = cur = 0
        for f in flags:
            cur = cur + 1 if f else 0
            run = max(run, cur)
        out[u] = (sum(flags), run)
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(*[st.integers(5, 10)] * 3), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_counts_match_an_independent_count_and_ignore_listing_order(tmp_path_factory, months, rnd):
    work = {f"{i + 1:02d}": w for i, w in enumerate(months)}
    root = make_project(tmp_path_factory.mktemp("prop"), files(work), base=False)
    project, results = pipeline.check(root)
    want = _expected(work)
    for u, (held, run) in want.items():
        got_held = points(results, "t", "2024-H1", u, "held")
        assert got_held == (3 if held >= 3 else 1 if held >= 1 else 0)
        assert points(results, "t", "2024-H1", u, "run") == (2 if run >= 2 else 0)
    # the schemes listed in another order, the same input twice: the same results
    keys = list(project.schemes)
    rnd.shuffle(keys)
    shuffled = dataclasses.replace(project, schemes={k: project.schemes[k] for k in keys})
    assert compute(shuffled) == results
    assert compute(project) == results


# ---------------------------------------------------------------- check refuses misuse, at the key


def _fails(root: Path, lang: str | None = None) -> str:
    before = listing(root)
    result = CliRunner().invoke(main, ["check", "--root", str(root)] + (["--lang", lang] if lang else []))
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert listing(root) == before
    assert ("nothing was written" if lang == "en" else "未写出任何文件") in result.output
    return result.output


def _at(out: str, where: str, *fragments: str) -> None:
    lines = [ln for ln in out.splitlines() if ln.startswith(where + ": ") and all(f in ln for f in fragments)]
    assert lines, f"nothing at {where} with {fragments}:\n{out}"


def test_unknown_input(tmp_path):
    root = make_project(tmp_path, files(term_scheme=TERM.replace("{scheme: m, name: 月度评比}", "{scheme: mm}")), base=False)
    out = _fails(root)
    _at(out, "schemes/t/2024.yaml:7:14", "“mm”不是已定义的方案")


def test_cycle_between_schemes(tmp_path):
    monthly = MONTHLY.replace("groups:", "inputs: [{scheme: t}]\ngroups:")
    root = make_project(tmp_path, files(monthly=monthly), base=False)
    out = _fails(root)
    _at(out, "schemes/m/2024.yaml:10:19", "循环", "m → t → m")
    _at(out, "schemes/t/2024.yaml:7:14", "循环", "t → m → t")


def test_self_input(tmp_path):
    root = make_project(tmp_path, files(term_scheme=TERM.replace("{scheme: m, name: 月度评比}", "{scheme: t}")), base=False)
    _at(_fails(root), "schemes/t/2024.yaml:7:14", "不能把自己列为 inputs")


def test_scheme_not_listed_in_inputs(tmp_path):
    # without the two lines of inputs, "scheme: m" of the first line is on line 14
    root = make_project(tmp_path, files(term_scheme=TERM.replace("inputs:\n  - {scheme: m, name: 月度评比}\n", "")), base=False)
    out = _fails(root, "en")
    _at(out, "schemes/t/2024.yaml:14:15", "reads the results of scheme “m”, which inputs does not list")


def test_unknown_honour_of_the_input(tmp_path):
    root = make_project(tmp_path, files(term_scheme=TERM.replace("honour: flag\n", "honour: flg\n")), base=False)
    _at(_fails(root), "schemes/t/2024.yaml:19:15", "“flg”不是已定义的荣誉", "flag")


def test_own_history_needs_a_span_beyond_the_period(tmp_path):
    root = make_project(tmp_path, files(monthly=MONTHLY.replace(" last: 2,", "")), base=False)
    _at(_fails(root), "schemes/m/2024.yaml:18:11", "span: period")


def test_rule_parameters(tmp_path):
    bad = TERM.replace("measure: run, honour: flag, at_least: 2", "measure: run, at_least: 2")
    bad = bad.replace("measure: periods, at_least: 4, points: 1", "measure: periods, at_least: 4, points: 1, brackets: [{min: 0, points: 1}]")
    root = make_project(tmp_path, files(term_scheme=bad), base=False)
    out = _fails(root)
    _at(out, "schemes/t/2024.yaml:21:41", "须写明荣誉 honour")
    _at(out, "schemes/t/2024.yaml:33:41", "brackets 分档，或 at_least 与 points")


def test_facts_recorded_for_a_history_line(tmp_path):
    root = make_project(tmp_path, {**files(), "scores/t/2024-H1.yaml": term(facts="facts: {held: {value: 3}}")}, base=False)
    _at(_fails(root), "scores/t/2024-H1.yaml:7:22", "按历史考核结果计分，不需要记录")


def test_the_scheme_page_states_the_rule():
    from site_builder.scoring.rules.base import LineSpec
    from site_builder.scoring.rules.history import FromHistory

    r = FromHistory.model_validate({"kind": "history", "label": "学期内获得流动红旗的次数", "unit": "次",
                                    "measure": "held", "honour": "flag", "scheme": "weekly", "span": "stage",
                                    "at_least": "8", "points": "5"})
    line = LineSpec("x", "五星", "bonus", D(5))
    assert r.describe(line, "zh-CN") == "学期内获得流动红旗的次数达到8次的，得5分。"
    assert r.describe(line, "en") == "学期内获得流动红旗的次数: at least 8次 gives 5 points."
    assert r.span_key == "stage"


def test_new_period_and_sheet_leave_history_lines_out(tmp_path):
    from site_builder.workflow.scaffold import new_period
    from site_builder.workflow.tabular import layout

    root = make_project(tmp_path, files(), base=False)
    new_period(root, "m", "2024-05")
    text = (root / "scores" / "m" / "2024-05.yaml").read_text("utf-8")
    assert "work:" in text and "stk" not in text  # nothing to fill for the history line
    project, _ = pipeline.check(root)  # the draft is valid as written
    sv = project.schemes["m"]["2024"]
    lay = layout(sv, "2024-05", "s2", dict(sv.unit_group))
    assert [c.key for c in lay.columns] == ["work"] and lay.yaml_lines == ()


def test_the_scheme_page_names_the_inputs():
    from site_builder.errors import Problems
    from site_builder.load.yamlsafe import load_yaml_bytes
    from site_builder.schema.scheme import Scheme
    from site_builder.site.present.wording import other_rules

    doc = load_yaml_bytes(TERM.encode(), "t.yaml", Problems())
    s = Scheme.model_validate(doc.data)
    assert "本方案部分指标依据“月度评比”已公布的考核结果计分。" in other_rules(s, "zh-CN")
    assert "Some lines are scored from the published results of “月度评比”." in other_rules(s, "en")


@pytest.mark.parametrize(("rule", "code", "where"), [
    ({"measure": "held", "honour": "flag", "span": "year", "last": "3", "at_least": "1", "points": "1"}, "rule.history_last_span", ("last",)),
    ({"measure": "periods", "honour": "flag", "at_least": "1", "points": "1"}, "rule.history_stray", ("honour",)),
    ({"measure": "held", "honour": "flag", "ranking": "mr", "at_least": "1", "points": "1"}, "rule.history_stray", ("ranking",)),
    ({"measure": "periods", "at_least": "1"}, "rule.history_points", ()),
    ({"measure": "periods", "at_least": "1", "points": "6"}, "rule.history_above_max", ("points",)),
    ({"measure": "periods", "brackets": [{"min": "1", "points": "1"}, {"min": "1", "max": "3", "points": "2"}]}, "rule.bracket_overlap", ("brackets", 1)),
])
def test_rule_parameters_refused_at_the_key(rule, code, where):
    from site_builder.scoring.rules.base import LineSpec
    from site_builder.scoring.rules.history import FromHistory

    r = FromHistory.model_validate({"kind": "history", "label": "次数", **rule})
    got: list[tuple[str, tuple]] = []
    r.check_scheme(LineSpec("x", "测试", "bonus", D(5)), lambda c, sub=(), **kw: got.append((c, tuple(sub))))
    assert (code, where) in got, got
