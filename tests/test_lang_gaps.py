"""Gaps of issue 8 found by the office acceptance test (part J2), closed:

1. ``peers: category``: “低于同类单位平均值”, each unit compared with the units of its own category;
2. the pages of a period name the scheme version that period was scored under (breadcrumb, the
   history line of a scheme that reads it);
3. level conditions read an input scheme's results (``m.held.flag``, ``m.vetoed`` behind the
   input's ``as:``) and a history line counts the periods under a veto (``measure: vetoed``).

One small project: four units in two categories, a monthly scheme ``m-x`` (hyphenated id, read as
``m``) in two versions, a quarterly scheme ``q`` reading it.  Every expected figure is worked out
by hand in the comment beside it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import line_points as points, listing, make_project, page_text as page
from site_builder.cli import main
from site_builder.pipeline import check

D = Decimal

SITE = "title: 测试\norganisation: 测试县考核办\nsample: true\n"
UNITS = """\
units:
  - {id: a1, name: 甲局, category: 甲类}
  - {id: a2, name: 乙局, category: 甲类}
  - {id: b1, name: 丙局, category: 乙类}
  - {id: b2, name: 丁局, category: 乙类}
"""

MONTHLY_1 = """\
title: 月度考核细则
issuer: 测试县考核办
effective: {from: 2024-01-01, until: 2024-03-31}
total: 10
period: {kind: month}
groups:
  - {id: g, name: 全体, units: [a1, a2, b1, b2]}
derived:
  - {id: rate, name: 按时办结率, expr: on_time / received * 100}
indicators:
  - {id: work, name: 工作实绩, max: 10, rule: {kind: assessed}}
  - id: below
    name: 按时办结率低于同类单位平均
    type: deduction
    max: 2
    clause: 按时办结率低于同类单位平均值的，每低1个百分点扣0.1分，最多扣2分。
    rule:
      kind: formula
      inputs: [on_time, received]
      labels: {on_time: 按时办结件数, received: 受理件数}
      amount: positive
      peers: category
      expr: max(group_mean(rate) - rate, 0) * 0.1
vetoes:
  - {id: warned, name: 被通报批评, called: no_excellence}
rankings:
  - {id: mr, name: 月度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: mr, select: {top: 1}}
"""

MONTHLY_2 = """\
extends: "1"
title: 月度考核细则（修订）
effective: {from: 2024-04-01}
changes: [工作实绩改由考核办评分。]
"""

QUARTERLY = """\
title: 季度评定办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 20
period: {kind: quarter}
inputs:
  - {scheme: m-x, as: m}
groups:
  - {id: g, name: 全体, units: [a1, a2, b1, b2]}
indicators:
  - id: avg
    name: 月度平均
    max: 10
    rule:
      kind: history
      scheme: m-x
      label: 本季度各月平均分
      measure: total_mean
      brackets: [{min: 9, points: 10}, {min: 8, below: 9, points: 8}, {below: 8, points: 6}]
  - id: flags
    name: 流动红旗
    max: 10
    rule:
      kind: history
      scheme: m-x
      label: 本季度获得流动红旗的次数
      unit: 次
      measure: held
      honour: flag
      brackets: [{min: 2, points: 10}, {min: 1, max: 1, points: 5}, {max: 0, points: 0}]
  - id: vetoes
    name: 受一票否决
    type: deduction
    max: 1
    clause: 本季度有受一票否决月份的，扣1分。
    rule: {kind: history, scheme: m-x, label: 本季度受一票否决的月数, unit: 个月, measure: vetoed, at_least: 1, points: 1}
rankings:
  - {id: qr, name: 季度排名}
grades:
  show: both
  levels:
    - {id: you, name: 优秀, when: "total >= 9 and m.vetoed == 0 and m.held.flag >= 1"}
    - {id: he, name: 合格, when: "total >= 6"}
    - {id: bu, name: 不合格}
"""


def month(period: str, version: str, rows: dict[str, tuple[object, int, int]], vetoed: tuple[str, ...] = ()) -> str:
    """A monthly period file: unit → (work points, on_time, received)."""
    out = ["scheme: m-x", f'version: "{version}"', f"period: {period}", "status: published",
           f"notice: {{date: {period}-28}}", "units:"]
    for u, (work, on_time, received) in rows.items():
        out.append(f"  {u}:")
        if u in vetoed:
            out.append(f"    vetoes: [{{id: warned, reason: 被通报批评, date: {period}-10}}]")
        out.append(f"    facts: {{work: {work}, below: {{values: {{on_time: {on_time}, received: {received}}}}}}}")
    return "\n".join(out) + "\n"


# rates: a1 45/50 = 90, a2 47/50 = 94, b1 27/30 = 90, b2 21/25 = 84
JAN = month("2024-01", "1", {"a1": (8, 45, 50), "a2": (9, 47, 50), "b1": (7, 27, 30), "b2": (9, 21, 25)}, ("b2",))
FEB = month("2024-02", "1", {"a1": (10, 45, 50), "a2": (8, 47, 50), "b1": (7, 27, 30), "b2": (9, 21, 25)})
MAR = month("2024-03", "1", {"a1": (8, 45, 50), "a2": ("9.5", 47, 50), "b1": (7, 27, 30), "b2": (10, 21, 25)}, ("b2",))
APR = month("2024-04", "2", {"a1": (8, 45, 50), "a2": (9, 47, 50), "b1": (7, 27, 30), "b2": (9, 21, 25)})
Q1 = 'scheme: q\nversion: "2024"\nperiod: 2024-Q1\nstatus: published\nnotice: {date: 2024-04-10}\nunits: {a1: {}, a2: {}, b1: {}, b2: {}}\n'

FILES = {
    "site.yaml": SITE,
    "units/units.yaml": UNITS,
    "schemes/m-x/1.yaml": MONTHLY_1,
    "schemes/m-x/2.yaml": MONTHLY_2,
    "schemes/q/2024.yaml": QUARTERLY,
    "scores/m-x/2024-01.yaml": JAN,
    "scores/m-x/2024-02.yaml": FEB,
    "scores/m-x/2024-03.yaml": MAR,
    "scores/m-x/2024-04.yaml": APR,
    "scores/q/2024-Q1.yaml": Q1,
}


# ------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("gaps"), FILES, base=False)
    _, results = check(root)
    result = CliRunner().invoke(main, ["build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    return root, results






def refused(tmp_path: Path, files: dict[str, str]) -> str:
    """``build`` of the project with ``files`` changed: refused, nothing written; the output."""
    root = make_project(tmp_path, {**FILES, **files}, base=False)
    before = listing(root)
    result = CliRunner().invoke(main, ["build", "--root", str(root)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert listing(root) == before
    return result.output


# ------------------------------------------------------------------ 1. peers: category


def test_each_unit_is_compared_with_its_own_category(built):
    pr = built[1][("m-x", "2024-01")]
    # rates: 甲类 a1 45/50 = 90, a2 47/50 = 94 → mean 92; 乙类 b1 27/30 = 90, b2 21/25 = 84 → mean 87
    #   a1 (92 − 90) × 0.1 = 0.2 → −0.2; b2 (87 − 84) × 0.1 = 0.3 → −0.3; a2, b1 at or above their mean → 0
    assert {u: points(pr, u)["below"] for u in pr.units} == {"a1": D("-0.2"), "a2": 0, "b1": 0, "b2": D("-0.3")}
    # totals: a1 8 − 0.2 = 7.8; a2 9; b1 7; b2 9 − 0.3 = 8.7
    assert {u: pr.units[u].total for u in pr.units} == {"a1": D("7.8"), "a2": 9, "b1": 7, "b2": D("8.7")}


def test_without_peers_the_whole_group_is_compared(tmp_path):
    # the same facts over the whole group: mean (90 + 94 + 90 + 84) / 4 = 89.5
    #   a1 90 ≥ 89.5 → 0; b2 (89.5 − 84) × 0.1 = 0.55 → −0.55 (the category made a1 lose 0.2, b2 only 0.3)
    root = make_project(tmp_path, {**FILES, "schemes/m-x/1.yaml": MONTHLY_1.replace("      peers: category\n", "")},
                        base=False)
    pr = check(root)[1][("m-x", "2024-01")]
    assert {u: points(pr, u)["below"] for u in pr.units} == {"a1": 0, "a2": 0, "b1": 0, "b2": D("-0.55")}


def test_pages_say_the_category_is_compared(built):
    site = built[0] / "_site"
    assert "按时办结率的平均值为 92（甲类，按 2 个单位计算）" in page(site, "units/a1/m-x/2024-01")
    assert "按时办结率的平均值为 87（乙类，按 2 个单位计算）" in page(site, "units/b2/m-x/2024-01")
    assert "按同类单位（与本单位类别相同的单位，各单位分别按本类别计算）中记录了该数值的单位计算" in page(site, "schemes/m-x/1")


def test_a_unit_without_category_is_refused_with_a_location(tmp_path):
    out = refused(tmp_path, {"units/units.yaml": UNITS.replace("{id: b1, name: 丙局, category: 乙类}", "{id: b1, name: 丙局}")})
    # line 22 of the scheme is “      peers: category”, the value at column 14
    assert ("schemes/m-x/1.yaml:22:14: “按时办结率低于同类单位平均”按本单位类别比较同类单位（peers: category），"
            "但单位“b1”在 units.yaml 中没有 category") in out
    assert "共 1 个错误" in out


@pytest.mark.parametrize("written", ["[甲类]", "甲类"])
def test_a_category_name_as_peers_is_refused_with_the_way_to_say_it(tmp_path, written):
    out = refused(tmp_path, {"schemes/m-x/1.yaml": MONTHLY_1.replace("peers: category", f"peers: {written}")})
    assert "schemes/m-x/1.yaml:22:14: 同类单位 peers 写“甲类”无法识别 — 按本单位类别（units.yaml 的 category）比较请写 peers: category" in out
    assert "共 1 个错误" in out


# ------------------------------------------------------------------ 2. the version a period was scored under


def test_pages_of_a_period_name_its_version(built):
    site = built[0] / "_site"
    jan = page(site, "units/a1/m-x/2024-01")
    assert "历次通报 月度考核细则 2024年1月" in jan and "（修订）" not in jan
    assert "（修订）" not in page(site, "notices/m-x/2024-01")
    assert "历次通报 月度考核细则（修订） 2024年4月" in page(site, "units/a1/m-x/2024-04")
    # the quarter read January to March, all scored under version 1; the input declares no name
    q = page(site, "units/b2/q/2024-Q1")
    assert "“月度考核细则”（本期内）共 3 期：2024年1月、2024年2月、2024年3月" in q and "（修订）" not in q


def test_the_inputs_name_is_used_when_given(tmp_path):
    root = make_project(tmp_path, {**FILES, "schemes/q/2024.yaml": QUARTERLY.replace(
        "{scheme: m-x, as: m}", "{scheme: m-x, as: m, name: 月度考核}")}, base=False)
    assert CliRunner().invoke(main, ["build", "--root", str(root)]).exit_code == 0
    q = page(root / "_site", "units/b2/q/2024-Q1")
    assert "“月度考核”（本期内）共 3 期" in q
    assert "“月度考核”中受一票否决的期数 2" in q


# ------------------------------------------------------------------ 3. another scheme's honours and vetoes


def test_the_quarter_reads_the_months(built):
    pr = built[1][("q", "2024-Q1")]
    # monthly totals: Jan a1 7.8 a2 9 b1 7 b2 8.7 (b2 vetoed); Feb a1 9.8 a2 8 b1 7 b2 8.7;
    #                 Mar a1 7.8 a2 9.5 b1 7 b2 9.7 (b2 vetoed; first, but 一票否优: the flag goes to a2)
    # flags: Jan a2, Feb a1, Mar a2 → held: a1 1, a2 2, b1 0, b2 0
    # means: a1 25.4/3 = 8.47 → 8; a2 26.5/3 = 8.83 → 8; b1 7 → 6; b2 27.1/3 = 9.03 → 10
    # vetoes: b2 in 2 months (January, March) → at least 1 → −1
    assert {u: (points(pr, u)["avg"], points(pr, u)["flags"], points(pr, u)["vetoes"]) for u in pr.units} == {
        "a1": (8, 5, 0), "a2": (8, 10, 0), "b1": (6, 0, 0), "b2": (10, 0, -1)}
    assert {u: pr.units[u].total for u in pr.units} == {"a1": 13, "a2": 18, "b1": 6, "b2": 9}
    # 优秀: total ≥ 9, m.vetoed == 0, m.held.flag ≥ 1 → a1 (13, 0, 1), a2 (18, 0, 2);
    # b2 has 9 but 2 months under a veto and no flag → 合格; b1 6 → 合格
    assert {u: lv.level for u, lv in pr.levels.items()} == {"a1": "you", "a2": "you", "b1": "he", "b2": "he"}
    tried = dict(pr.levels["b2"].tests[0].figures)
    assert tried == {"m.held.flag": 0, "m.vetoed": 2, "total": 9}


def test_the_veto_alone_decides(tmp_path):
    # without the flag condition b2 (9, vetoed in 2 months) is still not 优秀: the veto alone keeps it out
    text = QUARTERLY.replace(" and m.held.flag >= 1", "")
    root = make_project(tmp_path, {**FILES, "schemes/q/2024.yaml": text}, base=False)
    levels = check(root)[1][("q", "2024-Q1")].levels
    assert levels["b2"].level == "he"
    root2 = make_project(tmp_path / "clean", {**FILES, "schemes/q/2024.yaml": text,
                                              "scores/m-x/2024-01.yaml": JAN.replace("    vetoes: [{id: warned, reason: 被通报批评, date: 2024-01-10}]\n", ""),
                                              "scores/m-x/2024-03.yaml": MAR.replace("    vetoes: [{id: warned, reason: 被通报批评, date: 2024-03-10}]\n", "")},
                         base=False)
    pr = check(root2)[1][("q", "2024-Q1")]
    # no veto: b2, first in March (9.7), now holds that month's flag → 5; mean 9.03 → 10; nothing deducted
    #   total 10 + 5 = 15, m.vetoed 0 → 优秀
    assert pr.units["b2"].total == 15 and pr.levels["b2"].level == "you"


def test_cards_and_scheme_page_word_the_input_names(built):
    site = built[0] / "_site"
    q = page(site, "units/b2/q/2024-Q1")
    assert "受一票否决 2 期（2024年1月、2024年3月）" in q
    assert "未评为“优秀”：不满足条件 total >= 9 且 m.vetoed == 0 且 m.held.flag >= 1" in q
    # the input has no name: the version of m-x in force at the quarter's end (version 1), its honour's name
    assert "（“月度考核细则”中获得“流动红旗”的期数 0，“月度考核细则”中受一票否决的期数 2，总分 9）" in q
    doc = page(site, "schemes/q/2024")  # a version still in force: the input's current version
    assert "m.held.flag：“月度考核细则（修订）”中获得“流动红旗”的期数；m.vetoed：“月度考核细则（修订）”中受一票否决的期数" in doc
    assert "本季度受一票否决的月数达到1个月的，扣1分" in doc


def test_unknown_input_names_are_refused_with_the_closest(tmp_path):
    out = refused(tmp_path, {"schemes/q/2024.yaml": QUARTERLY.replace("m.held.flag", "m.held.flg")})
    assert ("schemes/q/2024.yaml:42:33: 等次“优秀”的条件用到的“m.held.flg”不是方案“m-x”的结果名称，"
            "是不是“m.held.flag”？") in out
    assert "共 1 个错误" in out


def test_a_scheme_not_read_is_not_a_name(tmp_path):
    out = refused(tmp_path, {"schemes/q/2024.yaml": QUARTERLY.replace("m.vetoed == 0", "jxkh.vetoed == 0")})
    assert "schemes/q/2024.yaml:42:33: 等次“优秀”的条件用到的“jxkh.vetoed”不是可用的名称，是不是“vetoed”？" in out


def test_a_hyphenated_input_needs_as(tmp_path):
    out = refused(tmp_path, {"schemes/q/2024.yaml": QUARTERLY.replace(", as: m}", "}")})
    assert "“m.vetoed”不是可用的名称" in out
    assert "（读取方案“m-x”的结果，请在 inputs 中为它写名称 as，如 as: m_x）" in out


@pytest.mark.parametrize("alias", ["line", "vetoed", "2m", "m-x"])
def test_as_must_be_a_free_name(tmp_path, alias):
    out = refused(tmp_path, {"schemes/q/2024.yaml": QUARTERLY.replace("as: m}", f"as: {alias}}}")})
    assert f"schemes/q/2024.yaml:7:23: “{alias}”不能用作 inputs 的名称 as" in out


def test_measure_vetoed_counts_without_a_total(tmp_path):
    # a veto that takes the total away (called: veto) still counts as a period under a veto
    root = make_project(tmp_path, {**FILES, "schemes/m-x/1.yaml": MONTHLY_1.replace("called: no_excellence", "called: veto")},
                        base=False)
    pr = check(root)[1][("q", "2024-Q1")]
    assert points(pr, "b2")["vetoes"] == -1


# ------------------------------------------------------------------ properties


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(["a1", "a2", "b1", "b2"]), reverse_files=st.booleans())
def test_results_do_not_depend_on_the_order_of_units(tmp_path_factory, order, reverse_files):
    """The registry's order and the order of units in the period files change nothing; same input, same output."""
    lines = UNITS.splitlines()
    units = "\n".join([lines[0], *(next(x for x in lines if f"id: {u}," in x) for u in order)]) + "\n"
    files = {**FILES, "units/units.yaml": units}
    for rel in [k for k in FILES if k.startswith("scores/m-x/")]:
        head, _, body = FILES[rel].partition("units:\n")
        blocks = re.findall(r"  \w+:\n(?:    .*\n)+", body)
        assert len(blocks) == 4
        blocks.sort(key=lambda b: order.index(b.split(":")[0].strip()), reverse=reverse_files)
        files[rel] = head + "units:\n" + "".join(blocks)
    root = make_project(tmp_path_factory.mktemp("order"), files, base=False)
    got = check(root)[1]
    summary = {k: ({u: x.total for u, x in pr.units.items()}, {u: lv.level for u, lv in pr.levels.items()},
                   sorted((h.honour, h.chosen) for h in pr.honours)) for k, pr in got.items()}
    assert summary == _baseline()


_BASE: dict = {}


def _baseline() -> dict:
    if not _BASE:
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            got = check(make_project(Path(d), FILES, base=False))[1]
        _BASE.update({k: ({u: x.total for u, x in pr.units.items()}, {u: lv.level for u, lv in pr.levels.items()},
                          sorted((h.honour, h.chosen) for h in pr.honours)) for k, pr in got.items()})
    return _BASE


def test_the_office_yearly_scheme_reads_the_monthly_veto(tmp_path):
    """The acceptance test's case: the yearly 评定 no longer records the veto again, its level condition
    reads the monthly scheme's (``jxkh`` has no hyphen: its id is the prefix) and a line counts it."""
    import test_lang_office as office

    yearly = office.YEARLY.replace('when: "total >= 95 and not vetoed"', 'when: "total >= 95 and jxkh.vetoed == 0"')
    yearly = yearly.replace("vetoes:\n  - {id: warned, name: 被县纪委监委通报批评, called: no_excellence, "
                            "clause: 被县纪委监委通报批评的单位，当年不得评为优秀等次。}\n", "")
    year = office.YEAR_2024.replace("  wl:\n    vetoes: [{id: warned, reason: 2024年11月被县纪委监委通报批评, date: 2024-11-20}]\n",
                                    "  wl: {}\n")
    assert yearly != office.YEARLY and year != office.YEAR_2024
    root = make_project(tmp_path, {**office.FILES, "schemes/ndpd/2024.yaml": yearly, "scores/ndpd/2024.yaml": year},
                        base=False)
    pr = check(root)[1][("ndpd", "2024")]
    # the same levels as with the veto recorded twice: fg 优秀; wl 90 (良好) — and wl's monthly veto is
    # counted in November and in December (一票否优 lasts to the year's end)
    assert {u: lv.level for u, lv in pr.levels.items()} == {"fg": "you", "wl": "liang", "da": "he", "zj": "he"}
    assert dict(pr.levels["wl"].tests[0].figures) == {"jxkh.vetoed": 2, "total": 90}
    assert dict(pr.levels["fg"].tests[0].figures) == {"jxkh.vetoed": 0, "total": 100}
