"""Points moved between units (``transfer_to`` / ``to:``), balances carried across
periods (``balance_span``) and “不设上限” for a line without a cap (issue 8, part H2).

Each case runs the whole engine on a scratch project; the arithmetic is in the
comment beside the expected figure.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import SITE, listing, make_project
from site_builder import pipeline
from site_builder.cli import main
from site_builder.errors import InputError
from site_builder.schema.scheme import Indicator
from site_builder.site.present import wording

D = Decimal

UNITS = """\
units:
  - {id: a1, name: 一班}
  - {id: a2, name: 二班}
  - {id: a3, name: 三班}
"""

HEAD = """\
title: 班级考核办法
issuer: 测试学校
effective: {{from: 2024-01-01}}
total: {total}
period: {{kind: {kind}}}
groups:
  - {{id: g, name: 全体, units: [a1, a2, a3]}}
indicators:
"""

RANKING = """\
rankings:
  - {id: r, name: 排名}
"""


def period_file(entries: dict[str, str], pid: str) -> str:
    body = "".join(f"  {uid}:\n" + "".join(f"    {ln}\n" for ln in text.splitlines()) for uid, text in entries.items())
    return f'scheme: t\nversion: "2024"\nperiod: {pid}\nstatus: draft\nunits:\n{body}'


def files(indicators: str, periods: dict[str, dict[str, str]], total: str = "10", kind: str = "quarter", tail: str = "") -> dict[str, str]:
    out = {
        "site.yaml": SITE,
        "units/units.yaml": UNITS,
        "schemes/t/2024.yaml": HEAD.format(total=total, kind=kind) + indicators + tail,
    }
    for pid, entries in periods.items():
        out[f"scores/t/{pid}.yaml"] = period_file(entries, pid)
    return out


def run(tmp_path: Path, indicators: str, periods: dict[str, dict[str, str]], **kw):
    """``{period id: PeriodResult}`` of a one-scheme project."""
    root = make_project(tmp_path, files(indicators, periods, **kw), base=False)
    try:
        _, results = pipeline.check(root)
    except InputError as exc:
        raise AssertionError(exc.format_message()) from None
    return {pid: r for (_, pid), r in results.items()}


def refuse(tmp_path: Path, indicators: str, periods: dict[str, dict[str, str]], **kw) -> str:
    """Run ``site-builder check``: it must fail cleanly, in Chinese, and write nothing."""
    root = make_project(tmp_path, files(indicators, periods, **kw), base=False)
    before = listing(root)
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert listing(root) == before
    assert "未写出任何文件" in result.output
    return result.output


def card(line) -> list[str]:
    return [s.render("zh-CN") for s in line.steps]


# ---------------------------------------------------------------- 1. transfers between units

TRANSFER = """\
  - id: order
    name: 课堂纪律
    max: 10
    transfer_to: report
    rule: {kind: per_occurrence, per: 2}
  - id: report
    name: 检举奖励
    type: bonus
    max: 3
    rule: {kind: per_occurrence, per: 1}
"""


def test_a_deduction_is_given_to_the_unit_named(tmp_path):
    q = run(tmp_path, TRANSFER, {"2024-Q1": {
        "a1": "facts:\n  order: [{to: a2, note: 考试作弊}, {to: a2}, {note: 迟到}]",
        "a2": "facts: {}",
        "a3": "facts:\n  order: [{to: a1}]",
    }}, tail=RANKING)["2024-Q1"]
    a1, a2, a3 = (q.units[u] for u in ("a1", "a2", "a3"))
    assert a1.line("order").points == D(4)  # 10 − 3 × 2
    assert a2.line("report").points == D(3)  # 2 + 2 received from a1, capped at the bonus's 3
    assert a3.line("order").points == D(8)  # 10 − 2
    assert a1.line("report").points == D(2)  # 2 received from a3
    assert (a1.total, a2.total, a3.total) == (D(6), D(13), D(8))  # 4 + 2; 10 + 3; 8 + 0
    gave = card(a1.line("order"))
    assert "考试作弊：2 分转给二班（记入其“检举奖励”）" in gave
    got = card(a2.line("report"))
    assert "一班“课堂纪律”转来：考试作弊，2 分" in got
    assert any("合计 4 分，按本项上限 3 分计" in s for s in got)
    assert [s.render("en") for s in a1.line("report").steps][-1] == "from 三班's “课堂纪律”: 2 points"  # a plain record
    assert card(a3.line("order"))[-1] == "2 分转给一班（记入其“检举奖励”）"


def test_caps_apply_on_both_sides(tmp_path):
    # a1: 6 records to a2 → 12 points deducted, floored at 0 on a1's line; a2 receives the
    # records' own 12 points before its cap of 3 (uncapped bonus: all of them)
    lines = TRANSFER.replace("    max: 3\n", "    uncapped: true\n")
    q = run(tmp_path, lines, {"2024-Q1": {
        "a1": "facts:\n  order: [{to: a2, count: 6}]", "a2": "facts: {}", "a3": "facts: {}"}})["2024-Q1"]
    assert q.units["a1"].line("order").points == D(0)
    assert q.units["a2"].line("report").points == D(12)


def test_a_score_line_receives_up_to_its_maximum(tmp_path):
    lines = """\
  - id: order
    name: 课堂纪律
    max: 10
    transfer_to: merit
    rule: {kind: per_occurrence, per: 2}
  - id: merit
    name: 好人好事
    max: 5
    rule: {kind: per_occurrence, per: 1, start: zero, effect: add}
"""
    q = run(tmp_path, lines, {"2024-Q1": {
        "a1": "facts:\n  order: [{to: a2, count: 2}]", "a2": "facts:\n  merit: 2", "a3": "facts: {}"}}, total="15")["2024-Q1"]
    assert q.units["a2"].line("merit").points == D(5)  # 2 own + 4 received = 6, at most 5


BAD_ORDER = {"a2": "facts: {}", "a3": "facts: {}"}


def test_check_refuses_a_transfer_to_an_unknown_unit_or_itself(tmp_path):
    out = refuse(tmp_path / "u", TRANSFER, {"2024-Q1": {**BAD_ORDER, "a1": "facts:\n  order: [{to: a9}]"}})
    assert "scores/t/2024-Q1.yaml:12:20:" in out and "a9" in out  # at the to: of the record
    out = refuse(tmp_path / "s", TRANSFER, {"2024-Q1": {**BAD_ORDER, "a1": "facts:\n  order:\n    events: [{to: a1}]"}})
    assert "scores/t/2024-Q1.yaml:13:" in out and "就是本单位" in out


def test_check_refuses_to_on_a_line_without_transfer_to(tmp_path):
    lines = TRANSFER.replace("    transfer_to: report\n", "")
    out = refuse(tmp_path, lines, {"2024-Q1": {**BAD_ORDER, "a1": "facts:\n  order: [{to: a2}]"}})
    assert "scores/t/2024-Q1.yaml:12:20:" in out and "transfer_to" in out


def test_check_refuses_a_receiver_whose_tree_lacks_the_line(tmp_path):
    lines = TRANSFER.replace("    type: bonus\n", "    type: bonus\n    applies_to: [a2, a3]\n")
    out = refuse(tmp_path, lines, {"2024-Q1": {"a1": "facts: {}", "a2": "facts: {}", "a3": "facts:\n  order: [{to: a1}]"}})
    assert "没有适用于它的“report”" in out and "scores/t/2024-Q1.yaml:" in out


def test_check_refuses_a_receiver_not_assessed(tmp_path):
    out = refuse(tmp_path, TRANSFER, {"2024-Q1": {"a1": "facts:\n  order: [{to: a2}]", "a2": "status: exempt\nreason: 外出研学",
                                                  "a3": "facts: {}"}})
    assert "本期状态为 exempt" in out


def test_check_refuses_a_receiving_line_marked_na_and_an_adding_rate(tmp_path):
    lines = TRANSFER.replace("    max: 3\n", "    max: 3\n    not_applicable: zero\n")
    out = refuse(tmp_path / "n", lines, {"2024-Q1": {"a1": "facts:\n  order: [{to: a2}]", "a2": "facts: {report: na}",
                                                     "a3": "facts: {}"}})
    assert "scores/t/2024-Q1.yaml:8:20:" in out and "单位“a2”的“检举奖励”本期记为不适用" in out
    lines = TRANSFER.replace("rule: {kind: per_occurrence, per: 2}", """rule:
      kind: per_occurrence
      rates:
        - {id: bad, name: 违纪, per: 2}
        - {id: good, name: 表扬, per: 1, effect: add}""")
    out = refuse(tmp_path / "a", lines, {"2024-Q1": {**BAD_ORDER, "a1": "facts:\n  order: [{rate: good, to: a2}]"}})
    assert "scores/t/2024-Q1.yaml:12:" in out and "“表扬”是加分标准" in out


def test_check_refuses_a_bad_transfer_to_in_the_scheme(tmp_path):
    lines = TRANSFER.replace("transfer_to: report", "transfer_to: reprot")
    out = refuse(tmp_path / "a", lines, {"2024-Q1": {**BAD_ORDER, "a1": "facts: {}"}})
    assert "schemes/t/2024.yaml:12:" in out and "report" in out  # suggests the closest id
    lines = TRANSFER.replace("transfer_to: report", "transfer_to: order")  # a receiving line that deducts
    out = refuse(tmp_path / "b", lines, {"2024-Q1": {**BAD_ORDER, "a1": "facts: {}"}})
    assert "schemes/t/2024.yaml:12:" in out and "不是按次计分的计分项或加分项" in out
    lines = TRANSFER.replace("    transfer_to: report\n", "").replace("    type: bonus\n", "    type: bonus\n    transfer_to: order\n")
    out = refuse(tmp_path / "c", lines, {"2024-Q1": {**BAD_ORDER, "a1": "facts: {}"}})
    assert "schemes/t/2024.yaml:16:5:" in out and "不是按次扣分的末级指标" in out


# ---------------------------------------------------------------- 2. a balance carried across periods

BALANCE = """\
  - id: discipline
    name: 纪律方面
    max: 200
    balance_span: month
    rule: {kind: per_occurrence, per: 5}
"""
WEEKS = {  # ISO weeks: W06–W09 start in February, W10 in March
    "2024-W06": {"a1": "facts: {discipline: 2}", "a2": "facts: {discipline: 1}", "a3": "facts: {}"},
    "2024-W07": {"a1": "facts: {}", "a2": "facts: {discipline: 2}", "a3": "facts: {}"},
    "2024-W08": {"a1": "facts: {discipline: 1}", "a2": "facts: {}", "a3": "facts: {discipline: 50}"},
    "2024-W10": {"a1": "facts: {}", "a2": "facts: {discipline: 1}", "a3": "facts: {}"},
}


def test_the_balance_is_the_budget_less_the_months_deductions(tmp_path):
    r = run(tmp_path, BALANCE, WEEKS, total="200", kind="week", tail=RANKING)
    pts = {(p, u): r[p].units[u].line("discipline").points for p in r for u in ("a1", "a2", "a3")}
    assert [pts[p, "a1"] for p in WEEKS] == [D(190), D(190), D(185), D(200)]  # −10; nothing: still 190; −5; March
    assert [pts[p, "a2"] for p in WEEKS] == [D(195), D(185), D(185), D(195)]
    assert pts["2024-W08", "a3"] == D(0)  # 250 deducted: the balance never falls below 0
    assert r["2024-W07"].units["a1"].total == D(190)
    # rankings within the week use the balance: a1 (190) ahead of a2 (185) in week 7
    ranks = {e.unit: e.rank for g in r["2024-W07"].rankings for e in g.entries}
    assert ranks["a3"] == 1 and ranks["a1"] == 2 and ranks["a2"] == 3
    assert card(r["2024-W08"].units["a1"].line("discipline"))[-1] == "2024年2月起始 200 分，此前已扣 10 分，本期扣 5 分，余额 185 分"
    assert r["2024-W07"].units["a1"].line("discipline").steps[-1].render("en") == (
        "February 2024 starts at 200: 10 lost before, 0 this period, 190 left")


def test_check_refuses_balance_span_where_it_means_nothing(tmp_path):
    weeks = {"2024-W06": {"a1": "facts: {}", "a2": "facts: {}", "a3": "facts: {}"}}
    bonus = BALANCE.replace("    max: 200\n", "    type: bonus\n    max: 200\n")
    out = refuse(tmp_path / "b", bonus + "  - {id: base, name: 基础, max: 200, rule: {kind: assessed}}\n",
                 {"2024-W06": {u: "facts: {base: 200}" for u in ("a1", "a2", "a3")}}, total="200", kind="week")
    assert "schemes/t/2024.yaml:13:" in out and "加分项，不能写 balance_span" in out
    nomax = """\
  - id: top
    name: 纪律方面
    children_mismatch: 测试
    max: 200
    children:
      - id: discipline
        name: 扣分
        type: deduction
        balance_span: month
        rule: {kind: per_occurrence, per: 5}
"""
    out = refuse(tmp_path / "d", nomax, weeks, total="200", kind="week")
    assert "schemes/t/2024.yaml:17:" in out and "扣分项，不能写 balance_span" in out
    out = refuse(tmp_path / "s", BALANCE, {"2024-09": weeks["2024-W06"]}, total="200", kind="month")
    assert "schemes/t/2024.yaml:12:19:" in out and "不长于考核周期" in out


def test_check_refuses_a_balance_without_max(tmp_path):
    lines = """\
  - id: discipline
    name: 纪律方面
    balance_span: month
    children:
      - {id: d1, name: 扣分, max: 200, rule: {kind: per_occurrence, per: 5}}
"""
    out = refuse(tmp_path, lines, {"2024-W06": {u: "facts: {}" for u in ("a1", "a2", "a3")}}, total="200", kind="week")
    assert "schemes/t/2024.yaml:11:5: “纪律方面”写了 balance_span，但没有分值 max" in out


# ---------------------------------------------------------------- 3. “不设上限” wording

def test_pages_say_no_cap_and_where_points_went(tmp_path):
    lines = TRANSFER + "  - {id: minus, name: 违纪扣分, type: deduction, rule: {kind: per_occurrence, per: 1}}\n"
    fs = files(lines, {"2024-Q1": {"a1": "facts:\n  order: [{to: a2, note: 考试作弊}]", "a2": "facts: {}", "a3": "facts: {}"}})
    fs["scores/t/2024-Q1.yaml"] = fs["scores/t/2024-Q1.yaml"].replace(
        "status: draft", "status: published\nnotice: {date: 2024-04-10, number: 测〔2024〕1号}")
    root = make_project(tmp_path, fs, base=False)
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet", "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    site = root / "_site"
    scheme = next(site.glob("schemes/t/*/index.html")).read_text("utf-8")
    # a deduction without max: no cap, as always; the page now says so instead of “—”
    assert '<td class="num" data-label="分值：">不设上限</td>' in scheme
    assert "记录注明转给其他单位的扣分，同时记入该单位的“检举奖励”" in scheme
    a1 = (site / "units/a1/t/2024-Q1/index.html").read_text("utf-8")  # the score cards
    a2 = (site / "units/a2/t/2024-Q1/index.html").read_text("utf-8")
    assert "考试作弊：2 分转给二班（记入其“检举奖励”）" in a1
    assert "一班“课堂纪律”转来：考试作弊，2 分" in a2
    assert "本项0分" not in scheme
    assert wording.indicator_notes(Indicator(id="x", name="纪律", max="200", balance_span="month", rule={"kind": "assessed"}),
                                   {}, {}, "zh-CN") == ["本项200分为每月的余额：每期得分为本月起始200分减去本月至今的全部扣分"]


# ---------------------------------------------------------------- 4. properties

UNCAPPED = TRANSFER.replace("    max: 3\n", "    uncapped: true\n").replace("per: 2}", "per: 0.5}")
OTHERS = {"a1": ["a2", "a3"], "a2": ["a1", "a3"], "a3": ["a1", "a2"]}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a1", "a2", "a3"]), st.integers(0, 1), st.integers(1, 3)), max_size=6),
       st.randoms(use_true_random=False))
def test_transfers_conserve_points_whatever_the_order(tmp_path_factory, records, rnd: random.Random):
    by_unit: dict[str, list[str]] = {"a1": [], "a2": [], "a3": []}
    for giver, which, count in records:
        by_unit[giver].append(f"{{to: {OTHERS[giver][which]}, count: {count}}}")
    entries = {u: (f"facts:\n  order: [{', '.join(v)}]" if v else "facts: {}") for u, v in by_unit.items()}
    results = []
    for order in (["a1", "a2", "a3"], rnd.sample(["a1", "a2", "a3"], 3)):
        q = run(tmp_path_factory.mktemp("t"), UNCAPPED, {"2024-Q1": {u: entries[u] for u in order}})["2024-Q1"]
        results.append({u: (q.units[u].line("order").points, q.units[u].line("report").points, q.units[u].total)
                        for u in ("a1", "a2", "a3")})
    assert results[0] == results[1]
    given_away = sum(D(c) * D("0.5") for _, _, c in records)
    assert sum(v[1] for v in results[0].values()) == given_away  # received (uncapped) = given, before caps


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.integers(0, 15), min_size=3, max_size=3), min_size=1, max_size=3), st.randoms(use_true_random=False))
def test_the_balance_is_the_budget_less_the_deductions_so_far(tmp_path_factory, weeks, rnd: random.Random):
    ids = [f"2024-W{6 + i:02d}" for i in range(len(weeks))]  # all ending in February (W09 ends on 03-03: March's)
    periods = {}
    for pid, counts in zip(ids, weeks):
        units = ["a1", "a2", "a3"]
        rnd.shuffle(units)
        periods[pid] = {u: f"facts: {{discipline: {counts[int(u[1]) - 1]}}}" for u in units}
    r = run(tmp_path_factory.mktemp("b"), BALANCE, periods, total="200", kind="week")
    for u in range(3):
        lost = 0
        for pid, counts in zip(ids, weeks):
            lost += 5 * counts[u]
            assert r[pid].units[f"a{u + 1}"].line("discipline").points == max(D(200) - lost, D(0))
