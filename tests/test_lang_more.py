"""Two more clauses (issue 8, part L): a transfer whose amount differs from the deduction
(``transfer_points``: “扣10分，奖励举报班级2分”) and a line's own history (``history``
measures ``line_periods``/``line_run``; ``grades.line_counts``: “本年度有3个月纪律分低于180分的，
不得评为优秀”).  Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import make_project
from site_builder import pipeline
from site_builder.errors import InputError
from test_lang_transfers import card, refuse, run

D = Decimal

# ---------------------------------------------------------------- 1. transfer_points

GIVE = """\
  - id: order
    name: 课堂纪律
    max: 10
    transfer_to: report
    transfer_points: 1
    rule: {kind: per_occurrence, per: 3}
  - id: report
    name: 检举奖励
    type: bonus
    max: 2
    rule: {kind: per_occurrence, per: 1}
"""


def test_the_receiver_gains_the_declared_amount_not_the_deduction(tmp_path):
    q = run(tmp_path, GIVE, {"2024-Q1": {
        "a1": "facts:\n  order: [{to: a2, note: 考试作弊}, {to: a3, count: 2}]",
        "a2": "facts: {}",
        "a3": "facts:\n  order: [{to: a2, count: 4}]",
    }})["2024-Q1"]
    a1, a2, a3 = (q.units[u] for u in ("a1", "a2", "a3"))
    assert a1.line("order").points == D(1)  # 10 − 3 × 3
    assert a3.line("order").points == D(0)  # 10 − 4 × 3 = −2, floored at 0
    assert a2.line("report").points == D(2)  # 1 (from a1) + 4 × 1 (from a3) = 5, capped at 2
    assert a3.line("report").points == D(2)  # 2 × 1 from a1, not a1's 6 points
    assert (a1.total, a2.total, a3.total) == (D(1), D(12), D(2))  # 1 + 0; 10 + 2; 0 + 2
    assert "考试作弊：本单位扣 3 分，另记 1 分给二班（记入其“检举奖励”）" in card(a1.line("order"))
    assert "本单位扣 6 分，另记 2 分给三班（记入其“检举奖励”）" in card(a1.line("order"))
    assert "一班“课堂纪律”转来：考试作弊（该单位扣 3 分），本单位得 1 分" in card(a2.line("report"))
    assert "一班“课堂纪律”转来（该单位扣 6 分），本单位得 2 分" in card(a3.line("report"))
    en = [s.render("en") for s in a3.line("report").steps]
    assert "from 一班's “课堂纪律” (6 points deducted there): 2 points here" in en


def test_without_transfer_points_the_record_amount_moves_as_before(tmp_path):
    q = run(tmp_path, GIVE.replace("    transfer_points: 1\n", ""), {"2024-Q1": {
        "a1": "facts:\n  order: [{to: a3}]", "a2": "facts: {}", "a3": "facts: {}"}})["2024-Q1"]
    assert q.units["a3"].line("report").points == D(2)  # the record's own 3, capped at 2


def test_the_scheme_page_states_the_receivers_amount():
    from site_builder.schema.scheme import Indicator
    from site_builder.site.present import wording

    node = Indicator(id="order", name="课堂纪律", max="10", transfer_to="report", transfer_points="2",
                     rule={"kind": "per_occurrence", "per": "10"})
    assert wording.indicator_notes(node, {"report": "检举奖励"}, {}, "zh-CN") == [
        "记录注明转给其他单位的扣分，该单位的“检举奖励”每次得2分"]
    assert wording.indicator_notes(node, {"report": "检举奖励"}, {}, "en") == [
        "a deduction recorded as going to another unit gives that unit's “检举奖励” 2 points per occurrence"]


def test_transfer_points_without_transfer_to_is_refused(tmp_path):
    out = refuse(tmp_path, GIVE.replace("    transfer_to: report\n", ""), {"2024-Q1": {
        "a1": "facts: {}", "a2": "facts: {}", "a3": "facts: {}"}})
    assert "schemes/t/2024.yaml:12:5:" in out  # the transfer_points key
    assert "写了 transfer_points，但没有 transfer_to" in out


def test_zero_or_negative_transfer_points_are_refused(tmp_path):
    out = refuse(tmp_path / "zero", GIVE.replace("transfer_points: 1", "transfer_points: 0"), {"2024-Q1": {
        "a1": "facts: {}", "a2": "facts: {}", "a3": "facts: {}"}})
    assert "schemes/t/2024.yaml:13:22:" in out and "transfer_points 为 0" in out
    out = refuse(tmp_path / "neg", GIVE.replace("transfer_points: 1", "transfer_points: -1"), {"2024-Q1": {
        "a1": "facts: {}", "a2": "facts: {}", "a3": "facts: {}"}})
    assert "schemes/t/2024.yaml:13:" in out


# ---------------------------------------------------------------- 2. a line's own history

LINES = """\
  - {id: safety, name: 安全生产, max: 10, rule: {kind: assessed}}
  - {id: discipline, name: 纪律, max: 200, rule: {kind: assessed}}
  - id: streak
    name: 连续满分
    type: bonus
    max: 1
    rule: {kind: history, label: 此前两个月安全生产连续满分的月数, measure: line_run, line: {id: safety, full: true}, last: 2, at_least: 2, points: 1}
  - id: lows
    name: 纪律偏低
    type: deduction
    max: 5
    rule:
      kind: history
      label: 本年度此前纪律分低于180分的月数
      measure: line_periods
      line: {id: discipline, below: 180}
      span: year
      brackets: [{min: 2, points: 5}, {max: 1, points: 0}]
"""

GRADES = """\
grades:
  span: year
  line_counts:
    - {as: low, id: discipline, below: 180}
    - {as: top, id: safety, full: true}
  levels:
    - {id: best, name: 优秀, when: "low < 2 and top.run >= 2"}
    - {id: pass, name: 合格}
"""

# (safety, discipline) by month
A1 = {"2024-01": (10, 170), "2024-02": (10, 175), "2024-03": (10, 190), "2024-04": (9, 160)}
A2 = {"2024-01": (9, 190), "2024-02": (10, 195), "2024-03": (10, 199), "2024-04": (10, 200)}
A3 = {"2024-01": (10, 181), "2024-02": (8, 180), "2024-03": (10, 179), "2024-04": (10, 185)}


def months(units=("a1", "a2", "a3")) -> dict[str, dict[str, str]]:
    table = {"a1": A1, "a2": A2, "a3": A3}
    return {m: {u: f"facts: {{safety: {table[u][m][0]}, discipline: {table[u][m][1]}}}" for u in units} for m in A1}


def test_line_history_on_the_score_card_and_in_levels(tmp_path):
    r = run(tmp_path, LINES, months(), total="210", kind="month", tail=GRADES)
    pts = {(m, u): (r[m].units[u].line("streak").points, r[m].units[u].line("lows").points) for m in r for u in r[m].units}
    # streak: the two months before; full safety in both → +1
    # lows: earlier months of the year with discipline < 180; 2 or more → −5
    assert pts[("2024-01", "a1")] == (D(0), D(0))  # nothing earlier
    assert pts[("2024-02", "a1")] == (D(0), D(0))  # only January: run 1; one low month
    assert pts[("2024-03", "a1")] == (D(1), D(-5))  # Jan, Feb full; Jan 170, Feb 175 low
    assert pts[("2024-04", "a1")] == (D(1), D(-5))  # Feb, Mar full; still two low months
    assert pts[("2024-03", "a2")] == (D(0), D(0))  # Jan 9 breaks the run
    assert pts[("2024-04", "a2")] == (D(1), D(0))  # Feb, Mar full
    assert pts[("2024-03", "a3")] == (D(0), D(0))  # Feb 8; 180 is not below 180
    assert pts[("2024-04", "a3")] == (D(0), D(0))  # Feb 8, Mar 10: run 1; one low month (Mar 179)
    assert r["2024-03"].units["a1"].total == D(196)  # 10 + 190 + 1 − 5
    steps = card(r["2024-03"].units["a1"].line("streak"))
    assert "最长连续“安全生产”得满分 2 期（2024年1月、2024年2月）" in steps
    low = card(r["2024-04"].units["a1"].line("lows"))
    assert "“纪律”得分低于180分 2 期（2024年1月、2024年2月）" in low
    en = [s.render("en") for s in r["2024-03"].units["a1"].line("streak").steps]
    assert "longest run, full marks in “安全生产”: 2 period(s) (January 2024, February 2024)" in en
    level = {(m, u): r[m].levels[u].level for m in r for u in r[m].levels}
    # levels count the current month too: low = months < 180 so far; top.run = longest run of full safety
    assert level[("2024-01", "a1")] == "pass"  # low 1, run 1
    assert level[("2024-02", "a1")] == "pass"  # low 2
    assert level[("2024-02", "a2")] == "pass"  # run 1 (Jan 9)
    assert level[("2024-03", "a2")] == "best"  # low 0, run 2 (Feb, Mar)
    assert level[("2024-04", "a2")] == "best"  # run 3
    assert level[("2024-03", "a3")] == "pass"  # run 1 (Mar), low 1
    assert level[("2024-04", "a3")] == "best"  # run 2 (Mar, Apr), low 1 (Mar 179)


def test_unknown_line_of_a_history_rule_is_refused_at_the_id(tmp_path):
    out = refuse(tmp_path, LINES.replace("line: {id: safety, full: true}", "line: {id: safty, full: true}"),
                 months(), total="210", kind="month")
    assert "schemes/t/2024.yaml:15:82:" in out and "safty" in out
    assert "safety" in out  # did you mean


def test_line_tests_are_refused_when_ill_formed(tmp_path):
    two = LINES.replace("line: {id: discipline, below: 180}", "line: {id: discipline, below: 180, at_least: 100}")
    out = refuse(tmp_path / "two", two, months(), total="210", kind="month")
    assert "schemes/t/2024.yaml:" in out and "须且只能写一个" in out
    missing = LINES.replace("      line: {id: discipline, below: 180}\n", "")
    out = refuse(tmp_path / "missing", missing, months(), total="210", kind="month")
    assert "须写明指标及其条件 line" in out
    stray = LINES.replace("measure: line_periods", "measure: periods")
    out = refuse(tmp_path / "stray", stray, months(), total="210", kind="month")
    assert "不用写 line" in out
    nomax = LINES.replace("{id: discipline, below: 180}", "{id: extra, full: true}") + (
        "  - {id: extra, name: 其他加分, type: bonus, uncapped: true, rule: {kind: per_occurrence, per: 1}}\n")
    out = refuse(tmp_path / "nomax", nomax, months(), total="210", kind="month")
    assert "没有分值 max" in out


def test_line_counts_are_refused_at_the_key(tmp_path):
    bad = GRADES.replace("{as: low, id: discipline, below: 180}", "{as: total, id: discpline, below: 180}").replace(
        "low < 2", "total < 2")
    out = refuse(tmp_path, LINES, months(), total="210", kind="month", tail=bad)
    assert "“total”不能用作 line_counts 的名称 as" in out
    assert "discpline" in out
    assert "schemes/t/2024.yaml:30:12: “total”" in out  # the as key of the first line count
    assert "schemes/t/2024.yaml:30:23: “discpline”" in out  # its id
    out = refuse(tmp_path / "u", LINES, months(), total="210", kind="month", tail=GRADES.replace("top.run", "tops.run"))
    assert "tops.run" in out


# ---------------------------------------------------------------- 3. properties

@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False), st.lists(st.tuples(st.integers(8, 10), st.integers(170, 200)), min_size=12, max_size=12))
def test_line_counts_do_not_depend_on_the_order_of_units(tmp_path_factory, rnd: random.Random, figures):
    """The same facts with the units listed in another order give the same points and levels."""
    units = ["a1", "a2", "a3"]
    table = {u: {m: figures[i * 4 + j] for j, m in enumerate(A1)} for i, u in enumerate(units)}

    def result(order):
        per = {m: {u: f"facts: {{safety: {table[u][m][0]}, discipline: {table[u][m][1]}}}" for u in order} for m in A1}
        r = run(tmp_path_factory.mktemp("p"), LINES, per, total="210", kind="month", tail=GRADES)
        return {(m, u): (r[m].units[u].line("streak").points, r[m].units[u].line("lows").points, r[m].units[u].total,
                         r[m].levels[u].level) for m in r for u in units}

    shuffled = units[:]
    rnd.shuffle(shuffled)
    first = result(units)
    assert result(shuffled) == first
    for u in units:  # the count itself, by hand: earlier months below 180, at most 2 makes −5
        low = 0
        for m in A1:
            assert first[(m, u)][1] == (D(-5) if low >= 2 else D(0))
            low += table[u][m][1] < 180


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False), st.lists(st.integers(0, 3), min_size=3, max_size=3))
def test_transfer_points_do_not_depend_on_the_order_of_units(tmp_path_factory, rnd: random.Random, counts):
    """Each unit reports on the next; the receiver gains 1 per occurrence, whatever the order."""
    units = ["a1", "a2", "a3"]
    nxt = {"a1": "a2", "a2": "a3", "a3": "a1"}

    def result(order):
        entries = {u: (f"facts:\n  order: [{{to: {nxt[u]}, count: {counts[units.index(u)]}}}]" if counts[units.index(u)]
                       else "facts: {}") for u in order}
        q = run(tmp_path_factory.mktemp("t"), GIVE, {"2024-Q1": entries})["2024-Q1"]
        return {u: (q.units[u].line("order").points, q.units[u].line("report").points) for u in units}

    shuffled = units[:]
    rnd.shuffle(shuffled)
    got = result(units)
    assert result(shuffled) == got
    for i, u in enumerate(units):
        giver = units[(i - 1) % 3]
        assert got[u] == (max(D(0), D(10) - 3 * counts[i]), min(D(2), D(counts[units.index(giver)])))


def test_level_conditions_name_line_counts_in_words(tmp_path):
    from test_lang_transfers import files

    from site_builder.site.present.level_views import name_words

    root = make_project(tmp_path, files(LINES, months(), total="210", kind="month", tail=GRADES), base=False)
    try:
        project, _ = pipeline.check(root)
    except InputError as exc:
        raise AssertionError(exc.format_message()) from None
    sv = next(iter(project.schemes["t"].values()))
    assert name_words("low", sv, "zh-CN") == "“纪律”得分低于180分的期数"
    assert name_words("top.run", sv, "zh-CN") == "连续“安全生产”得满分的最多期数"
    assert name_words("low", sv, "en") == "periods with “纪律” below 180"
    assert name_words("top.run", sv, "en") == "longest run of periods with full marks in “安全生产”"
