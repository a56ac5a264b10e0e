"""New rule kinds (issue 8, part C): ``weighted``, ``yes_no``, ``deadline``.

Each case runs the whole engine on a scratch project (one quarter, 2024-Q1:
1 January to 31 March); the arithmetic is in the comment beside the expected
figure.  Refusals run ``site-builder check`` and prove that nothing is written.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal, localcontext
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scratch import SITE, listing, make_project
from site_builder import pipeline
from site_builder.cli import main
from site_builder.errors import InputError
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.base import LineSpec, PeriodContext
from site_builder.scoring.rules.deadline import Deadline
from site_builder.scoring.rules.weighted import RaterGroup, Weighted
from site_builder.scoring.rules.yes_no import YesNo

D = Decimal

UNITS = """\
units:
  - {id: a1, name: 一局}
  - {id: a2, name: 二局}
  - {id: a3, name: 三局}
"""

HEAD = """\
title: 新规则测试办法
issuer: 测试县考核办
effective: {{from: 2024-01-01}}
total: {total}
period: {{kind: quarter}}
{extra}groups:
  - {{id: g, name: 全体, units: [a1, a2, a3]}}
indicators:
"""


def files(indicators: str, facts: dict[str, str], total: str = "10", extra: str = "", more: dict | None = None) -> dict:
    body = "".join(f"  {uid}:\n    facts:\n" + "".join(f"      {ln}\n" for ln in text.splitlines()) for uid, text in facts.items())
    out = {
        "site.yaml": SITE,
        "units/units.yaml": UNITS,
        "schemes/t/2024.yaml": HEAD.format(total=total, extra=extra) + indicators,
        "scores/t/2024-Q1.yaml": f'scheme: t\nversion: "2024"\nperiod: 2024-Q1\nstatus: draft\nunits:\n{body}',
    }
    out.update(more or {})
    return out


def run(tmp_path: Path, indicators: str, facts: dict[str, str], **kw):
    root = make_project(tmp_path, files(indicators, facts, **kw), base=False)
    try:
        _, results = pipeline.check(root)
    except InputError as exc:
        raise AssertionError(exc.format_message()) from None
    return results[("t", "2024-Q1")]


def points(tmp_path: Path, indicators: str, facts: dict[str, str], line: str, **kw) -> dict[str, Decimal]:
    r = run(tmp_path, indicators, facts, **kw)
    return {u: x.line(line).points for u, x in r.units.items()}


def refuse(tmp_path: Path, indicators: str, facts: dict[str, str], **kw) -> str:
    """``site-builder check`` fails cleanly, in Chinese, with locations, and writes nothing."""
    root = make_project(tmp_path, files(indicators, facts, **kw), base=False)
    before = listing(root)
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert listing(root) == before
    assert "未写出任何文件" in result.output
    return result.output


# ---------------------------------------------------------------- weighted

SATISFACTION = """\
  - id: sat
    name: 满意度测评
    max: 15
    rule:
      kind: weighted
      label: 满意度测评
      weight: 0.15
      groups:
        - {{id: leaders, name: 领导班子, weight: 0.4}}
        - {{id: middle, name: 中层干部, weight: 0.3}}
        - {{id: staff, name: 群众, weight: 0.3}}
{options}"""
RATED = {
    "a1": "sat: {ratings: {leaders: [92, 88, 95], middle: [85, 90], staff: [80, 82, 90, 84]}}",
    "a2": "sat: {ratings: {leaders: [90, 90], middle: [], staff: [80, 86]}}",
    "a3": "sat: {ratings: {leaders: [100], middle: [95, 96, 97], staff: [90]}}",
}
FULL = {**RATED, "a2": "sat: {ratings: {leaders: [90, 90], middle: [70], staff: [80, 86]}}"}


def test_weighted_value_times_weight(tmp_path):
    lines = "  - {id: review, name: 民主评议, max: 15, rule: {kind: weighted, label: 民主评议, weight: 0.15}}\n"
    got = points(tmp_path, lines, {"a1": "review: 92", "a2": "review: 0", "a3": "review: 100"}, "review", total="15")
    assert got == {"a1": D("13.8"), "a2": D(0), "a3": D(15)}  # 92 × 0.15; 0; 100 × 0.15


def test_weighted_ten_point_scale(tmp_path):
    lines = "  - {id: review, name: 民主评议, max: 3, rule: {kind: weighted, label: 民主评议, scale: 10, weight: 0.3}}\n"
    got = points(tmp_path, lines, {"a1": "review: 8.5", "a2": "review: 10", "a3": "review: 0"}, "review", total="3")
    assert got == {"a1": D("2.55"), "a2": D(3), "a3": D(0)}  # 8.5 × 0.3


def test_rater_groups_with_rounded_means(tmp_path):
    got = points(tmp_path, SATISFACTION.format(options="      means: {places: 2}\n"), FULL, "sat", total="15")
    # a1: means 91.666… → 91.67, 87.5, 84: 36.668 + 26.25 + 25.2 = 88.118; × 0.15 = 13.2177
    assert got["a1"] == D("13.2177")
    # a2: 90, 70, 83: 36 + 21 + 24.9 = 81.9; × 0.15 = 12.285
    assert got["a2"] == D("12.285")
    # a3: 100, 96, 90: 40 + 28.8 + 27 = 95.8; × 0.15 = 14.37
    assert got["a3"] == D("14.37")


def test_group_means_rounded_as_the_scheme_rounds_by_default(tmp_path):
    got = points(tmp_path, SATISFACTION.format(options="      means: {places: 2}\n"), FULL, "sat", total="15",
                 extra="rounding: {mode: down}\n")
    # 91.666… truncated → 91.66: 36.664 + 26.25 + 25.2 = 88.114; × 0.15 = 13.2171
    assert got["a1"] == D("13.2171")


def test_group_means_declared_mode(tmp_path):
    got = points(tmp_path, SATISFACTION.format(options="      means: {places: 0, mode: up}\n"), FULL, "sat", total="15")
    # 91.666… → 92, 87.5 → 88, 84: 36.8 + 26.4 + 25.2 = 88.4; × 0.15 = 13.26
    assert got["a1"] == D("13.26")


def test_group_means_exact_without_means(tmp_path):
    r = run(tmp_path, SATISFACTION.format(options=""), FULL, total="15")
    # 275/3 × 0.4 + 26.25 + 25.2 = 88.11666…; × 0.15 = 13.2175; the total rounded once to 13.22
    assert r.units["a1"].total == D("13.22")
    assert abs(r.units["a1"].line("sat").points - D("13.2175")) < D("1e-30")


def test_empty_group_reweighted(tmp_path):
    got = points(tmp_path, SATISFACTION.format(options="      empty_group: reweight\n"), RATED, "sat", total="15")
    # a2: middle empty → (90 × 0.4 + 83 × 0.3) / 0.7 = 60.9 / 0.7 = 87; × 0.15 = 13.05
    assert got["a2"] == D("13.05")


def test_score_card_shows_unweighted_and_weighted(tmp_path):
    r = run(tmp_path, SATISFACTION.format(options="      empty_group: reweight\n      means: {places: 2}\n"), RATED, total="15")
    zh = [s.render("zh-CN") for s in r.units["a2"].line("sat").steps]
    assert zh == [
        "领导班子：2 人评分，平均 90 分（保留2位小数），占 40%",
        "中层干部：无人评分，其余各组按权重比例折算",
        "群众：2 人评分，平均 83 分（保留2位小数），占 30%",
        "满意度测评得分 87（满分 100），乘以权重 15%，得 13.05 分",
    ]
    en = [s.render("en") for s in r.units["a2"].line("sat").steps]
    assert en[-1] == "满意度测评 87 out of 100, × weight 15%: 13.05 points"


def test_weighted_describe():
    rule = Weighted(kind="weighted", label="满意度测评", weight=D("0.15"),
                    groups=[RaterGroup(id="a", name="领导班子", weight=D("0.4")), RaterGroup(id="b", name="群众", weight=D("0.6"))],
                    empty_group="reweight")
    line = LineSpec("sat", "满意度测评", "score", D(15))
    zh = rule.describe(line, "zh-CN")
    assert zh.startswith("满意度测评按百分制评分，乘以权重15%。")
    assert "领导班子40%、群众60%" in zh and "按权重比例折算" in zh
    assert rule.describe(line, "en").startswith("满意度测评 is rated out of 100 and multiplied by a weight of 15%.")


def test_empty_group_refused_by_default(tmp_path):
    out = refuse(tmp_path, SATISFACTION.format(options=""), RATED, total="15")
    assert "scores/t/2024-Q1.yaml:" in out and "评价组“中层干部”没有评分" in out


def test_weighted_facts_refused(tmp_path):
    facts = {
        "a1": "sat: {ratings: {leaders: [92, 101], middle: [85], staff: [80], bosses: [90]}}",
        "a2": "sat: {ratings: {leaders: [], middle: [], staff: []}}",
        "a3": "sat: 90",
    }
    out = refuse(tmp_path, SATISFACTION.format(options="      empty_group: reweight\n"), facts, total="15")
    assert "scores/t/2024-Q1.yaml:8:" in out and "评分 101 不在 0 到 100 之间" in out
    assert "“bosses”不是本项规定的评价组" in out
    assert "所有评价组都没有评分" in out
    assert "本项按评价组计算，不能直接记录 value" in out


def test_weighted_scheme_refused(tmp_path):
    lines = """\
  - id: sat
    name: 满意度测评
    max: 10
    rule:
      kind: weighted
      label: 满意度测评
      weight: 0.15
      groups:
        - {id: leaders, name: 领导班子, weight: 0.5}
        - {id: leaders, name: 群众, weight: 0.3}
  - id: review
    name: 民主评议
    max: 5
    rule: {kind: weighted, label: 民主评议, weight: 0.05, means: {places: 2}}
"""
    out = refuse(tmp_path, lines, {u: "sat: {ratings: {leaders: [90]}}\nreview: 90" for u in ("a1", "a2", "a3")}, total="15")
    assert "schemes/t/2024.yaml:15:15: 满分评分 100 × 权重 15% = 15 分，超过本项满分 10" in out
    assert "各评价组的权重之和为 0.8，应为 1" in out
    assert "评价组标识“leaders”重复" in out
    assert "“means”只用于分组评价（groups）" in out


def _mean_of(groups: list[tuple[str, Decimal]], ratings: dict[str, list[Decimal]]) -> Decimal:
    rule = Weighted(kind="weighted", label="测评", weight=D(1),
                    groups=[RaterGroup(id=g, name=g, weight=w) for g, w in groups], empty_group="reweight")
    line = LineSpec("x", "x", "score", D(100), PeriodContext(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    with localcontext() as ctx:
        ctx.prec = 34
        return rule.figure(line, Facts(ratings=ratings))[0]


ratings_st = st.lists(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(ratings_st, min_size=3, max_size=3), st.randoms(use_true_random=False))
def test_weighted_mean_independent_of_order(lists, rnd):
    if not any(lists):
        lists[0] = [D(50)]
    groups = [("g1", D("0.3")), ("g2", D("0.3")), ("g3", D("0.4"))]
    ratings = {g: list(v) for (g, _), v in zip(groups, lists, strict=True)}
    want = _mean_of(groups, ratings)
    shuffled_groups = groups[:]
    rnd.shuffle(shuffled_groups)
    shuffled = {}
    for g in rnd.sample(sorted(ratings), len(ratings)):
        values = ratings[g][:]
        rnd.shuffle(values)
        shuffled[g] = values
    assert _mean_of(shuffled_groups, shuffled) == want
    assert _mean_of(groups, ratings) == want  # same input, same output
    assert D(0) <= want <= D(100)


# ---------------------------------------------------------------- yes_no

YES_NO = """\
  - {id: summary, name: 年度工作总结, max: 3, rule: {kind: yes_no, label: 按时报送年度工作总结}}
  - {id: filing, name: 档案归档, max: 2, rule: {kind: yes_no, label: 按时归档, no: 0.5}}
  - {id: model, name: 示范点, type: bonus, max: 1, rule: {kind: yes_no, label: 被确定为示范点}}
"""


def test_yes_no(tmp_path):
    facts = {"a1": "summary: true\nfiling: true\nmodel: true",
             "a2": "summary: false\nfiling: false\nmodel: false",
             "a3": "summary: {done: true, note: 按时}\nfiling: {done: false}\nmodel: false"}
    r = run(tmp_path, YES_NO, facts, total="5")
    got = {u: (x.line("summary").points, x.line("filing").points, x.line("model").points) for u, x in r.units.items()}
    assert got == {"a1": (D(3), D(2), D(1)), "a2": (D(0), D("0.5"), D(0)), "a3": (D(3), D("0.5"), D(0))}
    assert r.units["a1"].total == D(6)  # 3 + 2 + bonus 1
    assert [s.render("zh-CN") for s in r.units["a2"].line("filing").steps] == ["按时归档：未达到，得 0.5 分"]


def test_yes_no_refused(tmp_path):
    lines = "  - {id: summary, name: 年度工作总结, max: 3, rule: {kind: yes_no, label: 按时报送, yes: 4, no: 5}}\n"
    out = refuse(tmp_path, lines, {u: "summary: true" for u in ("a1", "a2", "a3")}, total="3")
    assert "达到的分值 4 超过本项满分 3" in out and "未达到的得分 5 高于达到的得分 4" in out
    out = refuse(tmp_path / "b", YES_NO, {"a1": "summary: 是\nfiling: true\nmodel: true",
                                           "a2": "summary: true\nfiling: {note: 无}\nmodel: true",
                                           "a3": "summary: true\nfiling: true\nmodel: true"}, total="5")
    assert "scores/t/2024-Q1.yaml:8:16: 这里应为 true 或 false" in out
    assert "缺少“done”" in out


def test_yes_no_describe():
    line = LineSpec("m", "示范点", "bonus", D(1))
    assert YesNo(kind="yes_no", label="被确定为示范点").describe(line, "zh-CN") == "被确定为示范点的加1分，否则不加分。"
    line = LineSpec("s", "总结", "score", D(3))
    assert YesNo(kind="yes_no", label="按时报送", no=D(1)).describe(line, "zh-CN") == "按时报送的得3分，否则得1分。"


# ---------------------------------------------------------------- deadline

DEADLINES = """\
  - {id: report, name: 年度总结, max: 5, rule: {kind: deadline, label: 报送年度总结, due: 2024-01-20, per_day: 0.5}}
  - {id: plan, name: 工作计划, max: 4, rule: {kind: deadline, label: 报送工作计划, due: 2024-02-07, per_day: 1, days: working}}
  - {id: close, name: 季度小结, max: 2, rule: {kind: deadline, label: 报送季度小结, due: period_end, per_day: 0.5}}
  - {id: own, name: 整改报告, max: 4, rule: {kind: deadline, label: 报送整改报告, due: recorded, per_day: 0.5, not_done: count_to_end}}
  - {id: minutes, name: 会议纪要, type: deduction, max: 1, rule: {kind: deadline, label: 报送会议纪要, due: 2024-03-15, per_day: 0.2}}
"""
DEADLINE_FACTS = {
    "a1": "report: 2024-01-18\nplan: 2024-02-18\nclose: 2024-03-31\nown: {due: 2024-02-01, done_on: 2024-02-03}\nminutes: 2024-03-14",
    "a2": "report: 2024-01-23\nplan: 2024-02-19\nclose: 2024-04-02\nown: {due: 2024-03-25, done: false}\nminutes: 2024-03-18",
    "a3": "report: 2024-02-15\nplan: {done: false}\nclose: {done: false}\nown: {due: 2024-03-31, done_on: 2024-03-30}\nminutes: 2024-03-29",
}


def test_deadlines(tmp_path):
    r = run(tmp_path, DEADLINES, DEADLINE_FACTS, total="15")
    got = {u: {ln: x.line(ln).points for ln in ("report", "plan", "close", "own", "minutes")} for u, x in r.units.items()}
    # report, calendar days after 20 January: a1 on time; a2 3 days → 5 − 1.5; a3 26 days → 5 − 13, floored at 0
    assert [got[u]["report"] for u in ("a1", "a2", "a3")] == [D(5), D("3.5"), D(0)]
    # plan, working days after 7 February (Spring Festival 10–17 February, Sunday 18 February a working day):
    # a1 18 Feb → 8, 9, 18 = 3 → 4 − 3; a2 19 Feb → 4 → 0; a3 not done → lose_all → 0
    assert [got[u]["plan"] for u in ("a1", "a2", "a3")] == [D(1), D(0), D(0)]
    # close, due the period's last day: a1 on 31 March in time; a2 on 2 April is after the period: not done → 0
    assert [got[u]["close"] for u in ("a1", "a2", "a3")] == [D(2), D(0), D(0)]
    # own, each unit's due date: a1 2 days → 4 − 1; a2 not done, counted to 31 March: 6 days → 4 − 3; a3 on time
    assert [got[u]["own"] for u in ("a1", "a2", "a3")] == [D(3), D(1), D(4)]
    # minutes, a deduction line: a1 on time; a2 3 days × 0.2; a3 14 days × 0.2 = 2.8, limited to the line's 1
    assert [got[u]["minutes"] for u in ("a1", "a2", "a3")] == [D(0), D("-0.6"), D(-1)]
    assert r.units["a1"].total == D(11)  # 5 + 1 + 2 + 3, nothing deducted
    steps = [s.render("zh-CN") for s in r.units["a1"].line("plan").steps]
    assert steps == ["报送工作计划：2024-02-18 完成，期限 2024-02-07，逾期 3 个工作日，每天扣 1 分，共扣 3 分"]
    steps = [s.render("zh-CN") for s in r.units["a2"].line("own").steps]
    assert steps == ["报送整改报告：考核期末（2024-03-31）仍未完成，逾期天数计至考核期末：期限 2024-03-25，逾期 6 天，每天扣 0.5 分，共扣 3 分"]


def test_working_days_follow_the_projects_calendar(tmp_path):
    # calendar.yaml replaces 2024 entirely: only 8 February is a holiday, no working weekends;
    # after 7 February up to Sunday 18 February the working days are 9, 12, 13, 14, 15, 16 = 6 → 4 − 6 × 0.5 = 1
    lines = "  - {id: plan, name: 工作计划, max: 4, rule: {kind: deadline, label: 报送工作计划, due: 2024-02-07, per_day: 0.5, days: working}}\n"
    cal = {"calendar.yaml": "years:\n  2024:\n    holidays: [2024-02-08]\n    workdays: []\n"}
    got = points(tmp_path, lines, {u: "plan: 2024-02-18" for u in ("a1", "a2", "a3")}, "plan", total="4", more=cal)
    assert got["a1"] == D(1)


def test_deadline_describe():
    rule = Deadline(kind="deadline", label="报送年度总结", due=dt.date(2024, 1, 20), per_day=D("0.5"))
    line = LineSpec("r", "年度总结", "score", D(5))
    assert rule.describe(line, "zh-CN") == "报送年度总结于2024年1月20日前按时完成的得5分，每逾期1天扣0.5分，扣完为止；考核期末仍未完成的不得分。"
    assert "per day late" in rule.describe(line, "en")


def test_deadline_refused(tmp_path):
    facts = {
        "a1": "report: 2024-02-30\nplan: 2031-01-05\nclose: {done_on: 2024-03-01, done: false}\nown: 2024-02-03\nminutes: 2024-03-14",
        "a2": "report: {note: 未报}\nplan: 2024-02-19\nclose: {done: true}\nown: {due: 2024-03-25, done: false}\nminutes: {due: 2024-03-01, done_on: 2024-03-01}",
        "a3": "report: 2024-01-01\nplan: 2024-02-01\nclose: 2024-03-01\nown: {due: 2024-03-31, done_on: 2024-03-30}\nminutes: 2024-03-29",
    }
    out = refuse(tmp_path, DEADLINES, facts, total="15")
    assert "scores/t/2024-Q1.yaml:8:15: “2024-02-30”不是真实存在的日期" in out
    assert "计算逾期工作日要用到" not in out  # 2031-01-05 is after the period: not done by its end, no days counted
    assert "同时写了完成日期 2024-03-01 和 done: false" in out
    assert "缺少本单位的完成期限 due" in out
    assert out.count("缺少完成日期 done_on") == 2  # report {note}, close {done: true}
    assert "本项的完成期限由方案规定（2024年3月15日），不能逐单位记录 due" in out


def test_working_days_in_a_year_no_calendar_covers_are_refused(tmp_path):
    # the built-in calendar ends with 2026 (chinese_calendar); a 2027 deadline needs calendar.yaml
    lines = ("  - {id: plan, name: 工作计划, max: 4, rule: {kind: deadline, label: 报送工作计划, due: 2024-02-07, per_day: 1,"
             " days: working, not_done: count_to_end}}\n")
    facts = {"a1": "plan: 2024-02-18", "a2": "plan: {done: false}", "a3": "plan: 2024-02-01"}
    made = {k: v.replace("2024", "2027") for k, v in files(lines, facts, total="4").items()}
    root = make_project(tmp_path, {k.replace("2024", "2027"): v for k, v in made.items()}, base=False)
    before = listing(root)
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert listing(root) == before
    out = result.output
    assert "scores/t/2027-Q1.yaml:8:13: 计算逾期工作日要用到 2027 年的日历" in out  # a1's completion date
    assert "scores/t/2027-Q1.yaml:11:13: 计算逾期工作日要用到 2027 年的日历" in out  # a2: counted to the period end
    assert out.count("计算逾期工作日") == 2  # a3 was on time: no day to count
    # with the year written into calendar.yaml the same files pass
    cal = "years:\n  2027:\n    holidays: [2027-02-08]\n    workdays: []\n"
    make_project(root, {"calendar.yaml": cal}, base=False)
    _, results = pipeline.check(root)
    got = {u: x.line("plan").points for u, x in results[("t", "2027-Q1")].units.items()}
    # a1: after Sunday 7 Feb 2027 up to Thursday 18 Feb: 9–12, 15–18 = 8 working days (8 Feb a holiday) → 4 − 8 → 0
    assert got == {"a1": D(0), "a2": D(0), "a3": D(4)}


def test_bad_due_dates_are_refused_once_each(tmp_path):
    lines = """\
  - {id: a, name: 甲, max: 2, rule: {kind: deadline, label: 甲, due: soon, per_day: 1}}
  - {id: b, name: 乙, max: 2, rule: {kind: deadline, label: 乙, due: 2024-13-01, per_day: 1}}
"""
    out = refuse(tmp_path, lines, {u: "a: 2024-01-01\nb: 2024-01-01" for u in ("a1", "a2", "a3")}, total="4")
    assert "schemes/t/2024.yaml:9:68: 完成期限“soon”既不是日期，也不是 period_end 或 recorded" in out
    assert "schemes/t/2024.yaml:10:68: “2024-13-01”不是真实存在的日期" in out
    assert "共 2 个错误" in out
    lines = "  - {id: a, name: 甲, max: 2, rule: {kind: deadline, label: 甲, due: period_end, per_day: 1, not_done: count_to_end}}\n"
    out = refuse(tmp_path / "b", lines, {u: "a: 2024-01-01" for u in ("a1", "a2", "a3")}, total="2")
    assert "未完成的逾期天数计至考核期末总是 0 天" in out


def test_deadline_needs_a_limit_on_a_deduction_line(tmp_path):
    lines = "  - {id: minutes, name: 会议纪要, type: deduction, rule: {kind: deadline, label: 报送会议纪要, due: 2024-03-15, per_day: 0.2}}\n"
    out = refuse(tmp_path, lines, {u: "minutes: 2024-03-14" for u in ("a1", "a2", "a3")}, total="0")
    assert "扣分项按逾期天数扣分时须写明扣分上限 max" in out


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=120), st.integers(min_value=0, max_value=120),
       st.sampled_from(["calendar", "working"]), st.sampled_from(["score", "deduction"]))
def test_later_never_scores_more(a, b, days, kind):
    rule = Deadline(kind="deadline", label="x", due=dt.date(2024, 1, 20), per_day=D("0.5"), days=days, not_done="count_to_end")
    line = LineSpec("x", "x", kind, D(5), PeriodContext(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    early, late = sorted((a, b))
    start = dt.date(2024, 1, 1)
    p1 = rule.score(line, Facts(done_on=start + dt.timedelta(days=early))).points
    p2 = rule.score(line, Facts(done_on=start + dt.timedelta(days=late))).points
    assert p2 <= p1
    lo = -5 if kind == "deduction" else 0
    assert lo <= p2 <= (0 if kind == "deduction" else 5)
    assert rule.score(line, Facts(done_on=start + dt.timedelta(days=early))).points == p1  # same input, same output


def test_line_order_does_not_matter(tmp_path):
    lines = DEADLINES.splitlines(keepends=True)
    random.Random(8).shuffle(lines)
    a = run(tmp_path / "a", DEADLINES, DEADLINE_FACTS, total="15")
    b = run(tmp_path / "b", "".join(lines), DEADLINE_FACTS, total="15")
    assert {u: x.total for u, x in a.units.items()} == {u: x.total for u, x in b.units.items()}
