"""The indicator tree, second generation (issue 8, part B), as input → hand-computed results.

Rounding per line and ``total: sum_of_lines``, display-only lines (``counts:
false``), floors on parents (``min``), a cap per rate inside the line's cap,
explicit “不设上限” (``uncapped``), signed adjustments, veto names and vetoes
lasting to the end of the stage or year, and count limits (``max_count``).
Each case runs the whole engine on a scratch project; the arithmetic is in the
comment beside the expected figure.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import SITE, listing, make_project
from site_builder import pipeline
from site_builder.cli import main
from site_builder.errors import InputError
from site_builder.ranking.engine import veto_reason
from site_builder.schema.scheme import Scheme
from site_builder.site.present import wording

D = Decimal

UNITS = """\
units:
  - {id: a1, name: 一局}
  - {id: a2, name: 二局}
  - {id: a3, name: 三局}
"""

HEAD = """\
title: 指标树测试办法
issuer: 测试县考核办
effective: {{from: 2024-01-01}}
total: {total}
period: {{kind: quarter}}
{extra}groups:
  - {{id: g, name: 全体, units: [a1, a2, a3]}}
indicators:
"""


def period_file(entries: dict[str, str], pid: str) -> str:
    body = "".join(f"  {uid}:\n" + "".join(f"    {ln}\n" for ln in text.splitlines()) for uid, text in entries.items())
    return f'scheme: t\nversion: "2024"\nperiod: {pid}\nstatus: draft\nunits:\n{body}'


def files(indicators: str, periods: list[dict[str, str]], total: str = "10", extra: str = "", tail: str = "") -> dict[str, str]:
    out = {
        "site.yaml": SITE,
        "units/units.yaml": UNITS,
        "schemes/t/2024.yaml": HEAD.format(total=total, extra=extra) + indicators + tail,
    }
    for i, entries in enumerate(periods):
        out[f"scores/t/2024-Q{i + 1}.yaml"] = period_file(entries, f"2024-Q{i + 1}")
    return out


def run(tmp_path: Path, indicators: str, periods: dict[str, str] | list[dict[str, str]], **kw):
    """``{period id: PeriodResult}`` of a one-scheme project."""
    root = make_project(tmp_path, files(indicators, periods if isinstance(periods, list) else [periods], **kw), base=False)
    try:
        _, results = pipeline.check(root)
    except InputError as exc:
        raise AssertionError(exc.format_message()) from None
    return {pid: r for (_, pid), r in results.items()}


def refuse(tmp_path: Path, indicators: str, periods: dict[str, str], **kw) -> str:
    """Run ``site-builder check``: it must fail cleanly, in Chinese, and write nothing."""
    root = make_project(tmp_path, files(indicators, [periods], **kw), base=False)
    before = listing(root)
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert listing(root) == before
    assert "未写出任何文件" in result.output
    return result.output


# ---------------------------------------------------------------- 1. rounding per line

ROUNDED = """\
  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
  - {id: imported, name: 上级评分, max: 5, rounding: {keep: true}, rule: {kind: assessed}}
  - {id: ratio, name: 办结率得分, max: 5, rounding: {places: 2, mode: down}, rule: {kind: assessed}}
"""
ROUNDED_FACTS = {"a1": "facts: {work: 8.26, imported: 3.125, ratio: 4.567}",
                 "a2": "facts: {work: 9, imported: 4, ratio: 5}",
                 "a3": "facts: {work: 7.04, imported: 2.5, ratio: 1.999}"}


def test_sum_of_lines_total_is_the_sum_of_the_published_lines(tmp_path):
    r = run(tmp_path, ROUNDED, ROUNDED_FACTS, total="20", extra="rounding: {places: 1, at: line, total: sum_of_lines}\n")["2024-Q1"]
    a1 = r.units["a1"]
    assert a1.line("work").points == D("8.3")  # 8.26 to one place, half up
    assert a1.line("imported").points == D("3.125")  # keep: an imported figure keeps its decimals
    assert a1.line("ratio").points == D("4.56")  # its own rounding: two places, truncated
    assert a1.total == D("15.985")  # 8.3 + 3.125 + 4.56, not rounded again
    assert r.units["a3"].total == D("11.49")  # 7.0 + 2.5 + 1.99 (1.999 truncated)


def test_rounded_total_rounds_the_sum_once(tmp_path):
    # at: line and the default total: rounded: the lines as above, their sum rounded once more
    r = run(tmp_path, ROUNDED, ROUNDED_FACTS, total="20", extra="rounding: {places: 1, at: line}\n")["2024-Q1"]
    assert r.units["a1"].total == D("16.0")  # 15.985 to one place
    # at: total (today's default): only the lines that declare their own rounding are rounded
    r = run(tmp_path / "b", ROUNDED, ROUNDED_FACTS, total="20", extra="rounding: {places: 1}\n")["2024-Q1"]
    assert r.units["a1"].line("work").points == D("8.26")
    assert r.units["a1"].total == D("15.9")  # 8.26 + 3.125 + 4.56 = 15.945 → 15.9


RELATIVE = """  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
  - id: place
    name: 工作名次分
    max: 3
    rule: {kind: group_rank, label: 工作推进得分, of: work, points: [3, 2, 1]}
"""
RELATIVE_FACTS = {"a1": "facts: {work: 8.04}", "a2": "facts: {work: 7.96}", "a3": "facts: {work: 7}"}


@pytest.mark.parametrize(("relative", "a1", "a2", "a3"), [
    ("exact", "3", "2", "1"),  # 8.04 > 7.96 > 7
    ("rounded", "3", "3", "1"),  # 8.0 = 8.0 > 7.0: a1 and a2 share the first place
])
def test_of_subtotals_use_the_figures_the_scheme_declares(tmp_path, relative, a1, a2, a3):
    extra = f"rounding: {{places: 1, relative: {relative}}}\n"
    r = run(tmp_path, RELATIVE, RELATIVE_FACTS, total="13", extra=extra)["2024-Q1"]
    assert {u: x.line("place").points for u, x in r.units.items()} == {"a1": D(a1), "a2": D(a2), "a3": D(a3)}


# ---------------------------------------------------------------- 2. display-only lines

DISPLAY = """  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
  - {id: survey, name: 群众满意度（仅作参考）, max: 10, counts: false, rule: {kind: assessed}}
"""


def test_display_only_line_is_shown_but_not_counted(tmp_path):
    r = run(tmp_path, DISPLAY, {"a1": "facts: {work: 8, survey: 9.5}", "a2": "facts: {work: 10, survey: 6}",
                                "a3": "facts: {work: 7, survey: 10}"})["2024-Q1"]
    a1 = r.units["a1"]
    assert a1.line("survey").points == D("9.5") and a1.line("survey").counts is False
    assert (a1.total, a1.max_total) == (D("8"), D("10"))  # work only, of a maximum of 10


def test_display_only_child_is_left_out_of_the_parent(tmp_path):
    nested = """\
  - id: work
    name: 工作
    max: 10
    children:
      - {id: a, name: 推进, max: 10, rule: {kind: assessed}}
      - {id: ref, name: 参考指标, max: 5, counts: false, rule: {kind: assessed}}
"""
    r = run(tmp_path, nested, {"a1": "facts: {a: 6, ref: 5}", "a2": "facts: {a: 10, ref: 0}", "a3": "facts: {a: 1, ref: 1}"})["2024-Q1"]
    assert r.units["a1"].line("work").points == D("6")  # 6 (ref 5 shown, not added)
    assert r.units["a1"].total == D("6")


# ---------------------------------------------------------------- 3. floors on parents, 5. uncapped

FLOOR = """  - id: safety
    name: 安全生产
    max: 10
    min: 0
    children:
      - {id: daily, name: 日常管理, max: 10, rule: {kind: assessed}}
      - {id: accidents, name: 安全事故, type: deduction, uncapped: true, rule: {kind: per_occurrence, per: 5}}
"""


def test_floor_on_a_parent_and_an_uncapped_deduction(tmp_path):
    r = run(tmp_path, FLOOR, {"a1": "facts: {daily: 8, accidents: 3}", "a2": "facts: {daily: 9, accidents: 1}",
                              "a3": "facts: {daily: 10}"})["2024-Q1"]
    a1 = r.units["a1"]
    assert a1.line("accidents").points == D("-15")  # 3 × 5, no cap
    assert (a1.line("safety").points, a1.line("safety").raw, a1.line("safety").clip) == (D("0"), D("-7"), "floor")  # 8 − 15 → 0
    assert a1.total == 0
    assert r.units["a2"].total == D("4")  # 9 − 5
    assert r.units["a3"].total == D("10")


def test_uncapped_bonus(tmp_path):
    bonus = """\
  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
  - {id: innov, name: 创新加分, type: bonus, uncapped: true, rule: {kind: per_occurrence, per: 3}}
"""
    r = run(tmp_path, bonus, {"a1": "facts: {work: 9, innov: 5}", "a2": "facts: {work: 9}", "a3": "facts: {work: 9, innov: 1}"})["2024-Q1"]
    assert r.units["a1"].total == D("24")  # 9 + 5 × 3: no cap
    assert r.units["a3"].total == D("12")


# ---------------------------------------------------------------- 4. a cap per rate inside the line's cap

NESTED = """\
  - id: duty
    name: 值守纪律
    max: 10
    rule:
      kind: per_occurrence
      cap: 6
      rates:
        - {id: late, name: 迟到, per: 0.5, cap: 2}
        - {id: absent, name: 缺岗, per: 2}
"""


def test_rate_cap_inside_the_line_cap(tmp_path):
    r = run(tmp_path, NESTED, {"a1": "facts: {duty: {counts: {late: 6, absent: 1}}}",
                               "a2": "facts: {duty: {counts: {late: 2, absent: 4}}}",
                               "a3": "facts: {duty: {counts: {late: 3}}}"})["2024-Q1"]
    assert r.units["a1"].total == D("6")  # late 6 × 0.5 = 3 → 2; absent 2: 10 − 4
    assert r.units["a2"].total == D("4")  # late 1 + absent 8 = 9 → line cap 6: 10 − 6
    assert r.units["a3"].total == D("8.5")  # 1.5, under both caps
    steps = [s.code for s in r.units["a1"].line("duty").steps]
    assert "explain.tally_rate_capped" in steps


# ---------------------------------------------------------------- 6. signed adjustments

ADJUST = """\
  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
  - {id: adj, name: 综合调整, type: adjustment, max: 2, rule: {kind: assessed}}
"""


def test_adjustments_are_signed_and_summed(tmp_path):
    r = run(tmp_path, ADJUST, {"a1": "facts: {work: 8, adj: -1.5}", "a2": "facts: {work: 8, adj: 2}",
                               "a3": "facts: {work: 8, adj: 0}"})["2024-Q1"]
    assert {u: x.total for u, x in r.units.items()} == {"a1": D("6.5"), "a2": D("10"), "a3": D("8")}
    assert r.units["a1"].adjustment == D("-1.5") and r.units["a1"].max_total == 10  # not in the maximum
    assert r.units["a2"].line("adj").steps[0].render("zh-CN") == "调整 +2 分"


def test_adjustment_beyond_its_limit_is_refused(tmp_path):
    out = refuse(tmp_path, ADJUST, {"a1": "facts: {work: 8, adj: -2.5}", "a2": "facts: {work: 8}", "a3": "facts: {work: 8}"})
    assert "scores/t/2024-Q1.yaml:" in out and "调整分 -2.5 超出本项规定的 ±2 分" in out


# ---------------------------------------------------------------- 8. count limits

LIMIT = """\
  - {id: spot, name: 抽查问题, max: 10, rule: {kind: per_occurrence, per: 1, max_count: 5}}
"""


def test_occurrences_beyond_the_limit_do_not_count(tmp_path):
    r = run(tmp_path, LIMIT, {"a1": "facts: {spot: 7}", "a2": "facts: {spot: 5}",
                              "a3": "facts: {spot: {events: [{count: 4}, {count: 3}]}}"})["2024-Q1"]
    assert {u: x.total for u, x in r.units.items()} == {"a1": D("5"), "a2": D("5"), "a3": D("5")}  # 10 − 5 each
    said = [s.render("zh-CN") for s in r.units["a1"].line("spot").steps]
    assert "共记录 7 次，按规定至多计 5 次，其余 2 次不计分" in said


# ---------------------------------------------------------------- 7. veto names and spans

VETO_TAIL = """\
vetoes:
  - {id: disc, name: 被纪委通报批评, called: no_excellence, lasts: year}
  - {id: acc, name: 发生重大安全事故, effect: zero}
rankings:
  - {id: q, name: 季度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1}}
"""
WORK = "  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}\n"


def test_veto_lasting_the_year_is_carried_with_its_origin(tmp_path):
    q1 = {"a1": "facts: {work: 10}\nvetoes: [{id: disc, reason: 违反规定, date: 2024-02-03}]",
          "a2": "facts: {work: 9}", "a3": "facts: {work: 8}"}
    q2 = {"a1": "facts: {work: 10}", "a2": "facts: {work: 9}",
          "a3": "facts: {work: 8}\nvetoes: [{id: acc, reason: 事故, date: 2024-05-01}]"}
    rs = run(tmp_path, WORK, [q1, q2], tail=VETO_TAIL)
    r1, r2 = rs["2024-Q1"], rs["2024-Q2"]
    flag1 = next(h for h in r1.honours if h.honour == "flag")
    assert flag1.chosen == ("a2",)
    assert dict(flag1.excluded)["a1"] == "一票否优：被纪委通报批评（违反规定）"
    carried = r2.units["a1"].vetoes
    assert [(v.id, v.since_period, v.date.isoformat()) for v in carried] == [("disc", "2024-Q1", "2024-02-03")]
    flag2 = next(h for h in r2.honours if h.honour == "flag")
    assert flag2.chosen == ("a2",)  # a1 still vetoed in Q2
    assert dict(flag2.excluded)["a1"].startswith("一票否优：被纪委通报批评（违反规定；")
    assert r2.units["a3"].total == 0  # effect zero, this period only
    assert r2.units["a1"].total == 10  # no_honour: the figure stands


def test_veto_reason_names_each_consequence():
    from site_builder.scoring.results import VetoResult

    vs = [VetoResult("x", "甲", "zero", "理由一", None), VetoResult("y", "乙", "no_honour", "理由二", None, called="ineligible")]
    assert veto_reason("zh-CN", vs) == "一票否决：甲（理由一）；取消评选资格：乙（理由二）"


# ---------------------------------------------------------------- wording on the scheme page


def test_scheme_page_words():
    s = Scheme.model_validate({
        "title": "t", "effective": {"from": "2024-01-01"}, "total": "10", "period": {"kind": "quarter"},
        "groups": [{"id": "g", "name": "g", "units": ["a1"]}],
        "rounding": {"at": "line", "total": "sum_of_lines", "relative": "rounded"},
        "indicators": [{"id": "x", "name": "x", "max": "10", "rule": {"kind": "assessed"}}],
        "vetoes": [{"id": "v", "name": "v", "called": "no_excellence", "lasts": "year"}],
    })
    rules = wording.other_rules(s, "zh-CN")
    assert "总分为各项公布得分之和，不再舍入。" in rules and "组内比较时各项得分按舍入后的分数计。" in rules
    assert wording.veto_consequence(s.vetoes[0], "zh-CN") == "一票否优：取消评先评优资格，至本年度结束"
    node = s.indicators[0].model_copy(update={"counts": False, "uncapped": True, "min": D(0)})
    notes = wording.tree_notes(node, "zh-CN")
    assert notes == ["本项只计算并公布，不计入总分和满分", "本项合计最低0分（扣完为止）", "不设上限"]
    assert wording.tree_notes(node, "en")[2] == "no cap"


# ---------------------------------------------------------------- refusals, located, nothing written

OK_FACTS = {"a1": "facts: {work: 8}", "a2": "facts: {work: 8}", "a3": "facts: {work: 8}"}


@pytest.mark.parametrize(("indicators", "extra", "tail", "where", "fragment"), [
    ("  - {id: work, name: 工作推进, max: 10, rounding: {keep: true, places: 1}, rule: {kind: assessed}}\n", "", "",
     "schemes/t/2024.yaml:9:", "keep: true"),
    (WORK, "rounding: {total: sum_of_lines}\n", "", "schemes/t/2024.yaml:6:", "at: line"),
    ("  - {id: work, name: 工作推进, max: 10, min: 0, rule: {kind: assessed}}\n", "", "",
     "schemes/t/2024.yaml:9:", "min（小计最低分）只用于上级指标"),
    (WORK + "  - {id: b, name: 加分, type: bonus, max: 3, uncapped: true, rule: {kind: per_occurrence, per: 1}}\n", "", "",
     "schemes/t/2024.yaml:10:", "又写了上限 max 3"),
    ("  - {id: work, name: 工作推进, max: 10, uncapped: true, rule: {kind: assessed}}\n", "", "",
     "schemes/t/2024.yaml:9:", "是计分项，不能不设上限"),
    (WORK, "", "vetoes:\n  - {id: v, name: 事故, effect: zero, called: no_excellence}\n",
     "schemes/t/2024.yaml:11:", "称作“一票否优”"),
    (WORK, "", "vetoes:\n  - {id: v, name: 事故, lasts: stage}\n",
     "schemes/t/2024.yaml:11:", "没有列出阶段"),
    ("  - id: p\n    name: 上级\n    max: 10\n    rounding: {places: 1}\n    children:\n"
     "      - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}\n", "", "",
     "schemes/t/2024.yaml:12:", "rounding 只对末级指标起作用"),
    ("  - id: p\n    name: 上级\n    max: 10\n    min: 12\n    children:\n"
     "      - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}\n", "", "",
     "schemes/t/2024.yaml:12:", "最低分 min 12 高于分值 max 10"),
])
def test_check_refuses_misuse_with_a_location(tmp_path, indicators, extra, tail, where, fragment):
    out = refuse(tmp_path, indicators, OK_FACTS, extra=extra, tail=tail)
    lines = [ln for ln in out.splitlines() if ln.startswith(where) and fragment in ln]
    assert lines, out


# ---------------------------------------------------------------- properties

LINES = [
    ("l1", "  - {id: l1, name: 一, max: 10, rule: {kind: assessed}}\n"),
    ("l2", "  - {id: l2, name: 二, max: 10, rounding: {keep: true}, rule: {kind: assessed}}\n"),
    ("l3", "  - {id: l3, name: 三, max: 10, rounding: {places: 2, mode: down}, rule: {kind: assessed}}\n"),
    ("l4", "  - {id: l4, name: 四, max: 10, counts: false, rule: {kind: assessed}}\n"),
    ("l5", "  - {id: l5, name: 五, type: adjustment, max: 3, rule: {kind: assessed}}\n"),
]
ROUNDING = "rounding: {places: 1, at: line, total: sum_of_lines}\n"
points = st.decimals(min_value=0, max_value=10, places=3, allow_nan=False, allow_infinity=False)
signed = st.decimals(min_value=-3, max_value=3, places=3, allow_nan=False, allow_infinity=False)
unit_facts = st.tuples(points, points, points, points, signed)


def _facts(values) -> str:
    return "facts: {" + ", ".join(f"l{i + 1}: {v}" for i, v in enumerate(values)) + "}"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(unit_facts, min_size=3, max_size=3), st.randoms(use_true_random=False))
def test_sum_of_lines_total_is_independent_of_line_order(tmp_path_factory, facts, rnd: random.Random):
    entries = {u: _facts(f) for u, f in zip(("a1", "a2", "a3"), facts)}
    order = list(LINES)
    rnd.shuffle(order)
    units = list(entries)
    rnd.shuffle(units)  # the units in another order in the period file too
    a = run(tmp_path_factory.mktemp("a"), "".join(t for _, t in LINES), entries, total="30", extra=ROUNDING)["2024-Q1"]
    b = run(tmp_path_factory.mktemp("b"), "".join(t for _, t in order), {u: entries[u] for u in units},
            total="30", extra=ROUNDING)["2024-Q1"]
    again = run(tmp_path_factory.mktemp("c"), "".join(t for _, t in LINES), entries, total="30", extra=ROUNDING)["2024-Q1"]
    for u in ("a1", "a2", "a3"):
        assert a.units[u].total == b.units[u].total == again.units[u].total
        assert a.units[u] == again.units[u]
        # the published total is exactly the sum of the published lines that count
        counted = [x.points for x in a.units[u].lines if x.depth == 0 and x.counts and x.points is not None]
        assert a.units[u].total == sum(counted, D(0))


# ---------------------------------------------------------------- the pages


def test_pages_word_the_new_mechanisms(tmp_path):
    """The lang-tree example of docs/rules.md, built: the score card marks display-only lines,
    shows “不设上限”, signed adjustments, the floor and a carried veto with its origin."""
    import re
    from html import unescape

    from test_docs import parse

    doc = parse("rules.md")
    for rel, text in doc.files.items():
        if rel in ("site.yaml", "units.yaml") or "/lang-tree/" in rel:
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["build", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output

    def page(rel: str) -> str:
        raw = (tmp_path / "_site" / rel / "index.html").read_text("utf-8")
        return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", raw)))

    card = page("units/a1/lang-tree/2024-Q1")
    assert "只作显示，不计入总分" in card and "不设上限" in card
    assert "最多加减 2 分" in card and "调整 -1.5 分" in card
    assert "按 0 分计（扣完为止）" in card
    assert "共记录 4 次，按规定至多计 3 次，其余 1 次不计分" in card
    assert "迟到早退：合计 3 分，超过本标准上限 2 分，按 2 分计" in card
    assert "+2" in page("units/a2/lang-tree/2024-Q1")
    carried = page("units/a2/lang-tree/2024-Q2")
    assert "一票否优" in carried and "自2024年第一季度起" in carried
    scheme = page("schemes/lang-tree/2024")
    assert "一票否优：取消评先评优资格，至本年度结束" in scheme
    assert "总分为各项公布得分之和，不再舍入。" in scheme and "本项得分不舍入，保留原有小数" in scheme
    assert "一票否优（被县纪委监委通报批评）" in page("notices/lang-tree/2024-Q2")


def test_sum_of_lines_with_a_coefficient_rounds_the_new_figure_once(tmp_path):
    extra = "rounding: {places: 1, at: line, total: sum_of_lines}\ncoefficient: {label: 难度系数, min: 0.9, max: 1.1}\n"
    r = run(tmp_path, WORK, {"a1": "coefficient: 1.05\nfacts: {work: 8.26}", "a2": "facts: {work: 8.26}",
                             "a3": "facts: {work: 7}"}, extra=extra)["2024-Q1"]
    assert r.units["a1"].total == D("8.7")  # 8.3 × 1.05 = 8.715 → 8.7
    assert r.units["a2"].total == D("8.3")  # the line as published


def test_adjustments_under_a_parent_are_limited_to_its_range(tmp_path):
    nested = """\
  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
  - id: adj
    name: 综合调整
    type: adjustment
    max: 2
    children:
      - {id: urgent, name: 急难险重任务, max: 2, rule: {kind: assessed}}
      - {id: late, name: 工作滞后, max: 2, rule: {kind: assessed}}
"""
    r = run(tmp_path, nested, {"a1": "facts: {work: 8, urgent: 2, late: 1.5}", "a2": "facts: {work: 8, urgent: -2, late: -1}",
                               "a3": "facts: {work: 8, urgent: 1, late: -1.5}"})["2024-Q1"]
    assert r.units["a1"].line("adj").points == D("2") and r.units["a1"].total == D("10")  # 3.5 → +2
    assert r.units["a2"].line("adj").points == D("-2") and r.units["a2"].total == D("6")  # −3 → −2
    assert r.units["a3"].total == D("7.5")  # 8 + 1 − 1.5
