"""Acceptance test of issue 8 (part K), written as the clerks of two other offices would, from the docs only.

One project built in tmp_path from the strings below, with two offices' schemes:

* a school's 德育处 (classes c1–c4 of 初一年级):
  ``bjpb`` 初一年级班级纪律卫生评比细则, weekly (2025-W08, W09, W10), one stage (the spring semester):
  纪律方面 200 points a month carried across the weeks (``balance_span: month``), 卫生方面 with a littering
  penalty moved to the class that reported it (``transfer_to``), 检举奖励, two line rankings with a
  流动红旗 each (纪律, 卫生), and 一票否决 for a safety accident lasting to the end of the stage;
  ``xqxj`` 初一年级班级学期星级评定办法, half-yearly (2025-H1), reads the weekly flags (``inputs`` +
  ``history``) and publishes 一星—五星 with a reward per class (``grades``, reading ``zp.vetoed``).
* a city bureau (8 districts, 城区 d1–d4 and 郊县 d5–d8 as two groups):
  ``qxkh`` 各区县营商环境季度考核办法, quarterly, version "2024" (2024-Q3, 2024-Q4) and version "2025"
  written with ``extends`` (2025-Q1): 满意度测评 by rater groups ×20%, a target with a ``deadline`` in
  working days, a ``yes_no`` item, an honour pool of 3 places “左右” across the two groups (a decision of
  4 places recorded in 2024-Q4) and a sanction (约谈) for the last place decided at the year's end only.

Every expected figure is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner

from scratch import (
    built_site,
    check_output as check_files,
    checked_project,
    chosen,
    excluded,
    line_points as points,
    page_text as page,
    totals,
)
from site_builder.cli import main

SITE = """\
title: 某市教育与营商环境考核公示
organisation: 某市考核工作领导小组办公室
sample: true
"""

UNITS = """\
units:
  - {id: c1, name: 初一（1）班}
  - {id: c2, name: 初一（2）班}
  - {id: c3, name: 初一（3）班}
  - {id: c4, name: 初一（4）班}
  - {id: d1, name: 东城区, category: 城区}
  - {id: d2, name: 西城区, category: 城区}
  - {id: d3, name: 南城区, category: 城区}
  - {id: d4, name: 北城区, category: 城区}
  - {id: d5, name: 青山县, category: 郊县}
  - {id: d6, name: 白水县, category: 郊县}
  - {id: d7, name: 云岭县, category: 郊县}
  - {id: d8, name: 石桥县, category: 郊县}
"""

WEEKLY = """\
title: 初一年级班级纪律卫生评比细则
issuer: 某中学德育处
effective: {from: 2025-02-17}
total: 300
period:
  kind: week
  stages:
    - {id: s2, name: 2024—2025学年第二学期, from: 2025-02-17, until: 2025-07-06}
groups:
  - {id: g7, name: 初一年级, units: [c1, c2, c3, c4]}
indicators:
  - id: discipline
    name: 纪律方面
    max: 200
    balance_span: month
    clause: 纪律方面每月200分，每周检查扣分，月内累计，次月重新从200分起算。上课讲话每人次扣2分，迟到每人次扣5分。
    rule:
      kind: per_occurrence
      rates:
        - {id: talk, name: 上课讲话, per: 2}
        - {id: late, name: 迟到, per: 5}
  - id: hygiene
    name: 卫生方面
    max: 100
    transfer_to: reported
    clause: 卫生区不洁每次扣5分；向卫生区丢弃杂物的，扣所在班级卫生分2分，奖给检举有功的班级。
    rule:
      kind: per_occurrence
      rates:
        - {id: dirty, name: 卫生区不洁, per: 5}
        - {id: litter, name: 向卫生区丢弃杂物, per: 2}
  - id: reported
    name: 检举奖励
    type: bonus
    max: 10
    rule: {kind: per_occurrence, per: 2}
vetoes:
  - id: accident
    name: 发生安全责任事故
    lasts: stage
    clause: 班级发生安全责任事故的，本学期不得评为流动红旗。
rankings:
  - {id: week, name: 周总分排名}
  - {id: jl, name: 纪律评比, basis: "line:discipline"}
  - {id: ws, name: 卫生评比, basis: "line:hygiene"}
honours:
  - {id: jlflag, name: 纪律流动红旗, ranking: jl, select: {top: 1}}
  - {id: wsflag, name: 卫生流动红旗, ranking: ws, select: {top: 1}}
"""

SEMESTER = """\
title: 初一年级班级学期星级评定办法
issuer: 某中学德育处
effective: {from: 2025-01-01}
total: 100
period: {kind: half-year}
inputs:
  - {scheme: bjpb, name: 班级纪律卫生周评比, as: zp}
groups:
  - {id: g7, name: 初一年级, units: [c1, c2, c3, c4]}
indicators:
  - id: jlflags
    name: 纪律流动红旗
    max: 50
    clause: 本学期获得纪律流动红旗2次及以上的得50分，1次的得30分。
    rule:
      kind: history
      scheme: bjpb
      label: 本学期获得纪律流动红旗的次数
      unit: 次
      measure: held
      honour: jlflag
      brackets:
        - {min: 2, points: 50}
        - {min: 1, max: 1, points: 30}
        - {max: 0, points: 0}
  - id: wsflags
    name: 卫生流动红旗
    max: 50
    clause: 本学期获得卫生流动红旗2次及以上的得50分，1次的得30分。
    rule:
      kind: history
      scheme: bjpb
      label: 本学期获得卫生流动红旗的次数
      unit: 次
      measure: held
      honour: wsflag
      brackets:
        - {min: 2, points: 50}
        - {min: 1, max: 1, points: 30}
        - {max: 0, points: 0}
rankings:
  - {id: term, name: 学期排名}
grades:
  show: both
  span: period
  levels:
    - id: five
      name: 五星
      when: "total >= 60 and zp.vetoed == 0"
      rewards: [{amount: 500, per: 班, name: 班级奖励}]
    - id: four
      name: 四星
      when: "total >= 50 and zp.vetoed == 0"
      rewards: [{amount: 300, per: 班, name: 班级奖励}]
    - id: three
      name: 三星
      when: "total >= 30 and zp.vetoed == 0"
      rewards: [{amount: 100, per: 班, name: 班级奖励}]
    - {id: two, name: 二星, when: "zp.vetoed == 0"}
    - {id: one, name: 一星}
"""

W08 = """\
scheme: bjpb
version: "2025"
period: 2025-W08
status: published
notice: {date: 2025-02-24, number: 德育〔2025〕8号}
units:
  c1:
    facts:
      discipline: {counts: {talk: 2}}
  c2:
    facts:
      discipline: {counts: {late: 1}}
      hygiene: {counts: {dirty: 1}}
  c3:
    facts:
      discipline: {counts: {talk: 1}}
      hygiene:
        - {rate: litter, to: c1, note: 课间向卫生区丢纸屑，初一（1）班检举}
  c4:
    facts:
      hygiene: {counts: {dirty: 2}}
"""

W09 = """\
scheme: bjpb
version: "2025"
period: 2025-W09
status: published
notice: {date: 2025-03-03, number: 德育〔2025〕9号}
units:
  c1:
    facts:
      discipline: {counts: {talk: 1}}
      hygiene: {counts: {dirty: 2}}
  c2:
    facts:
      hygiene:
        - {rate: litter, to: c4, note: 向卫生区丢食品袋，初一（4）班检举}
  c3:
    facts:
      discipline: {counts: {late: 1}}
      hygiene: {counts: {dirty: 1}}
  c4:
    vetoes: [{id: accident, reason: 2月27日课间追逐致学生骨折, date: 2025-02-27}]
    facts:
      discipline: {counts: {talk: 3}}
"""

W10 = """\
scheme: bjpb
version: "2025"
period: 2025-W10
status: published
notice: {date: 2025-03-10, number: 德育〔2025〕10号}
units:
  c1:
    facts:
      discipline: {counts: {talk: 2}}
  c2:
    facts:
      discipline: {counts: {late: 2}}
      hygiene: {counts: {dirty: 1}}
  c3:
    facts:
      hygiene:
        - {rate: litter, to: c2}
  c4:
    facts:
      hygiene: {counts: {dirty: 1}}
"""

TERM = """\
scheme: xqxj
version: "2025"
period: 2025-H1
status: published
notice: {date: 2025-07-08, number: 德育〔2025〕30号}
units:
  c1: {}
  c2: {}
  c3: {}
  c4: {}
"""

CITY_2024 = """\
title: 各区县营商环境季度考核办法
issuer: 某市优化营商环境工作领导小组办公室
effective: {from: 2024-01-01, until: 2024-12-31}
total: 100
period: {kind: quarter}
groups:
  - {id: cq, name: 城区, units: [d1, d2, d3, d4]}
  - {id: jx, name: 郊县, units: [d5, d6, d7, d8]}
indicators:
  - id: sat
    name: 满意度测评
    max: 20
    clause: 满意度测评按百分制测评，测评得分×20%计入。市领导、市直部门、企业代表分别占40%、30%、30%。
    rule:
      kind: weighted
      label: 满意度测评
      weight: 0.2
      groups:
        - {id: leaders, name: 市领导, weight: 0.4}
        - {id: depts, name: 市直部门, weight: 0.3}
        - {id: firms, name: 企业代表, weight: 0.3}
      means: {places: 2}
  - id: target
    name: 重点改革任务
    max: 10
    clause: 重点改革任务按市里交办的期限完成，每逾期1个工作日扣1分，扣完为止；季度末仍未完成的不得分。
    rule: {kind: deadline, label: 完成市交办的重点改革任务, due: recorded, per_day: 1, days: working}
  - id: list
    name: 权责清单公开
    max: 5
    rule: {kind: yes_no, label: 按时公开权责清单}
  - id: work
    name: 工作实绩
    max: 65
    rule: {kind: assessed}
rankings:
  - {id: q, name: 季度排名}
  - {id: year, name: 年度累计排名, basis: cumulative}
honours:
  - id: adv
    name: 营商环境先进区县
    ranking: q
    select:
      pool: {places: 3, groups: [cq, jx]}
      about: 1
  - id: talk
    name: 约谈
    kind: sanction
    ranking: year
    select: {bottom: 1}
    decided: [year_end]
"""

CITY_2025 = """\
extends: "2024"
title: 各区县营商环境季度考核办法（2025年修订）
effective: {from: 2025-01-01}
changes:
  - 满意度测评市领导、市直部门、企业代表权重调整为50%、20%、30%；取消“权责清单公开”，工作实绩调整为70分。
remove:
  - indicator: list
change:
  - indicator: sat
    set:
      clause: 满意度测评按百分制测评，测评得分×20%计入。市领导、市直部门、企业代表分别占50%、20%、30%。
      rule:
        kind: weighted
        label: 满意度测评
        weight: 0.2
        groups:
          - {id: leaders, name: 市领导, weight: 0.5}
          - {id: depts, name: 市直部门, weight: 0.2}
          - {id: firms, name: 企业代表, weight: 0.3}
        means: {places: 2}
  - indicator: work
    set: {max: 70}
"""


def _city(period, version, number, date, rows, extra=""):
    out = [f'scheme: qxkh\nversion: "{version}"\nperiod: {period}\nstatus: published\n'
           f"notice: {{date: {date}, number: {number}}}\n{extra}units:\n"]
    for unit, (l, d, f, target, lst, work) in rows.items():
        out.append(f"  {unit}:\n    facts:\n")
        out.append(f"      sat: {{ratings: {{leaders: {l}, depts: {d}, firms: {f}}}}}\n")
        out.append(f"      target: {target}\n")
        if lst is not None:
            out.append(f"      list: {lst}\n")
        out.append(f"      work: {work}\n")
    return "".join(out)


Q3 = _city("2024-Q3", "2024", "市营商办〔2024〕31号", "2024-10-15", {
    "d1": ("[90]", "[80, 90]", "[80]", "{due: 2024-08-30, done_on: 2024-08-30}", "true", 60),
    "d2": ("[95]", "[90]", "[90]", "{due: 2024-08-30, done_on: 2024-09-03}", "true", 58),
    "d3": ("[85]", "[85]", "[85]", "{due: 2024-08-30, done_on: 2024-08-29}", "false", 62),
    "d4": ("[80]", "[70]", "[90]", "{due: 2024-08-30, done: false}", "true", 55),
    "d5": ("[90]", "[90]", "[84]", "{due: 2024-08-30, done_on: 2024-08-30}", "true", 61),
    "d6": ("[88]", "[86]", "[80]", "{due: 2024-08-30, done_on: 2024-09-02}", "true", 57),
    "d7": ("[92, 94]", "[90]", "[87]", "{due: 2024-08-30, done_on: 2024-08-30}", "true", 50),
    "d8": ("[75]", "[80]", "[70]", "{due: 2024-08-30, done_on: 2024-09-06}", "false", 52),
})

Q4_DECISION = """\
honour_places:
  adv: {places: 4, by: 市优化营商环境工作领导小组会议, reason: 第四季度各区县改革攻坚成效突出, date: 2025-01-08}
"""

Q4 = _city("2024-Q4", "2024", "市营商办〔2025〕2号", "2025-01-15", {
    "d1": ("[90]", "[90]", "[90]", "{due: 2024-09-30, done_on: 2024-10-12}", "true", 60),
    "d2": ("[95]", "[95]", "[95]", "{due: 2024-09-30, done_on: 2024-10-08}", "true", 60),
    "d3": ("[85]", "[80]", "[90]", "{due: 2024-09-30, done_on: 2024-09-30}", "true", 58),
    "d4": ("[80]", "[80]", "[80]", "{due: 2024-09-30, done_on: 2024-09-30}", "true", 50),
    "d5": ("[90]", "[80]", "[80]", "{due: 2024-09-30, done_on: 2024-10-09}", "true", 60),
    "d6": ("[90]", "[90]", "[90]", "{due: 2024-09-30, done_on: 2024-09-30}", "true", 62),
    "d7": ("[85]", "[85]", "[85]", "{due: 2024-09-30, done_on: 2024-10-08}", "true", 55),
    "d8": ("[80]", "[80]", "[80]", "{due: 2024-09-30, done: false}", "true", 50),
}, Q4_DECISION)

Q1 = _city("2025-Q1", "2025", "市营商办〔2025〕21号", "2025-04-15", {
    "d1": ("[90]", "[80]", "[80]", "{due: 2025-01-24, done_on: 2025-02-05}", None, 65),
    "d2": ("[90]", "[90]", "[90]", "{due: 2025-01-24, done_on: 2025-01-24}", None, 60),
    "d3": ("[80]", "[80]", "[80]", "{due: 2025-01-24, done_on: 2025-01-24}", None, 66),
    "d4": ("[70]", "[70]", "[70]", "{due: 2025-01-24, done_on: 2025-01-24}", None, 60),
    "d5": ("[90]", "[90]", "[90]", "{due: 2025-01-24, done_on: 2025-01-24}", None, 62),
    "d6": ("[85]", "[85]", "[85]", "{due: 2025-01-24, done_on: 2025-01-24}", None, 60),
    "d7": ("[80]", "[80]", "[80]", "{due: 2025-01-24, done_on: 2025-01-24}", None, 63),
    "d8": ("[75]", "[75]", "[75]", "{due: 2025-01-24, done_on: 2025-01-24}", None, 58),
})

FILES = {
    "site.yaml": SITE,
    "units/units.yaml": UNITS,
    "schemes/bjpb/2025.yaml": WEEKLY,
    "schemes/xqxj/2025.yaml": SEMESTER,
    "schemes/qxkh/2024.yaml": CITY_2024,
    "schemes/qxkh/2025.yaml": CITY_2025,
    "scores/bjpb/2025-W08.yaml": W08,
    "scores/bjpb/2025-W09.yaml": W09,
    "scores/bjpb/2025-W10.yaml": W10,
    "scores/xqxj/2025-H1.yaml": TERM,
    "scores/qxkh/2024-Q3.yaml": Q3,
    "scores/qxkh/2024-Q4.yaml": Q4,
    "scores/qxkh/2025-Q1.yaml": Q1,
}


# ------------------------------------------------------------------ the project, checked and built once


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return checked_project(tmp_path_factory.mktemp("office2"), FILES)


@pytest.fixture(scope="module")
def res(office):
    return office[1]


@pytest.fixture(scope="module")
def site(office):
    return built_site(office[0])


def ranked(pr, ranking: str) -> dict[str, tuple[int, D]]:
    return {e.unit: (e.rank, e.value) for g in pr.rankings if g.ranking == ranking for e in g.entries}


def check_output(tmp_path: Path, changes: dict[str, str]) -> tuple[int, str]:
    return check_files(tmp_path, FILES, changes)


# ------------------------------------------------------------------ the school: weekly 纪律 / 卫生 评比


def test_week_8_balance_transfer_and_flags(res):
    pr = res[("bjpb", "2025-W08")]
    # 纪律方面 (200 a month; February starts at 200):
    #   c1 上课讲话 2 × 2 = 4 → 196; c2 迟到 1 × 5 = 5 → 195; c3 讲话 1 × 2 → 198; c4 none → 200
    # 卫生方面 (100): c1 none → 100; c2 不洁 1 × 5 → 95; c3 丢杂物 1 × 2 → 98 (moved to c1); c4 不洁 2 × 5 → 90
    # 检举奖励: c1 receives c3's 2 points → 2; others 0
    assert {u: (points(pr, u)["discipline"], points(pr, u)["hygiene"], points(pr, u)["reported"])
            for u in pr.units} == {"c1": (196, 100, 2), "c2": (195, 95, 0), "c3": (198, 98, 0), "c4": (200, 90, 0)}
    # totals: c1 196 + 100 + 2 = 298; c2 195 + 95 = 290; c3 198 + 98 = 296; c4 200 + 90 = 290
    assert totals(pr) == {"c1": 298, "c2": 290, "c3": 296, "c4": 290}
    # 纪律评比: c4 200, c3 198, c1 196, c2 195 → 纪律流动红旗 c4; 卫生评比: c1 100, c3 98, c2 95, c4 90 → c1
    assert ranked(pr, "jl") == {"c4": (1, 200), "c3": (2, 198), "c1": (3, 196), "c2": (4, 195)}
    assert ranked(pr, "ws") == {"c1": (1, 100), "c3": (2, 98), "c2": (3, 95), "c4": (4, 90)}
    assert chosen(pr, "jlflag") == [("c4",)] and chosen(pr, "wsflag") == [("c1",)]


def test_week_9_accident_veto_and_transfer(res):
    pr = res[("bjpb", "2025-W09")]
    # W09 is 2025-02-24 … 03-02: it belongs to March, the month it ends in, so 纪律 starts again at 200:
    #   c1 200 − 1 × 2 = 198; c2 200 (no deduction); c3 200 − 5 = 195; c4 200 − 3 × 2 = 194
    # 卫生: c1 不洁 2 → 90; c2 丢杂物 → 98 (moved to c4); c3 不洁 1 → 95; c4 100, 检举奖励 +2
    assert {u: (points(pr, u)["discipline"], points(pr, u)["hygiene"], points(pr, u)["reported"])
            for u in pr.units} == {"c1": (198, 90, 0), "c2": (200, 98, 0), "c3": (195, 95, 0), "c4": (194, 100, 2)}
    # totals: c1 288; c2 298; c3 290; c4 194 + 100 + 2 = 296 (the veto takes no points: effect no_honour)
    assert totals(pr) == {"c1": 288, "c2": 298, "c3": 290, "c4": 296}
    # 纪律: c2 200 first → flag c2; 卫生: c4 100 first but 一票否决 → c2 98
    assert chosen(pr, "jlflag") == [("c2",)] and chosen(pr, "wsflag") == [("c2",)]
    assert excluded(pr, "wsflag")["c4"] == "一票否决：发生安全责任事故（2月27日课间追逐致学生骨折）"
    assert [(v.id, v.since_period) for v in pr.units["c4"].vetoes] == [("accident", None)]


def test_week_10_new_month_and_the_veto_carried(res):
    pr = res[("bjpb", "2025-W10")]
    # March goes on from W09: c1 198 − 2 × 2 = 194; c2 200 − 2 × 5 = 190; c3 195; c4 194
    # 卫生: c1 100; c2 不洁 1 → 95 and receives c3's 2 → 检举奖励 2; c3 丢杂物 → 98; c4 不洁 1 → 95
    assert {u: (points(pr, u)["discipline"], points(pr, u)["hygiene"], points(pr, u)["reported"])
            for u in pr.units} == {"c1": (194, 100, 0), "c2": (190, 95, 2), "c3": (195, 98, 0), "c4": (194, 95, 0)}
    # totals: c1 294; c2 190 + 95 + 2 = 287; c3 293; c4 289
    assert totals(pr) == {"c1": 294, "c2": 287, "c3": 293, "c4": 289}
    # the accident of W09 lasts to the end of the stage: carried, not written again
    assert [(v.id, v.since_period) for v in pr.units["c4"].vetoes] == [("accident", "2025-W09")]
    # 纪律: c3 195 first, c1 and c4 194 (tied second) → c3.  卫生: c1 100 → c1
    assert ranked(pr, "jl")["c3"] == (1, 195) and ranked(pr, "jl")["c4"] == (2, 194)
    assert chosen(pr, "jlflag") == [("c3",)] and chosen(pr, "wsflag") == [("c1",)]
    assert excluded(pr, "jlflag")["c4"] == "一票否决：发生安全责任事故（2月27日课间追逐致学生骨折；2025年第9周起）"


def test_cross_month_week_belongs_to_the_month_it_ends_in(res):
    # balance_span: month puts a week in the month it ENDS in, as history spans do (docs/rules.md, 通用约定)
    pr = res[("bjpb", "2025-W09")]
    # by the end date W09 is March: c1 200 − 2 = 198; c3 200 − 5 = 195; c2 200
    assert points(pr, "c1")["discipline"] == 198
    assert points(pr, "c2")["discipline"] == 200 and points(pr, "c3")["discipline"] == 195


# ------------------------------------------------------------------ the school: semester stars


def test_semester_stars_from_the_weekly_flags(res):
    pr = res[("xqxj", "2025-H1")]
    # flags held in 2025-H1: 纪律 c4 (W08), c2 (W09), c3 (W10); 卫生 c1 (W08), c2 (W09), c1 (W10)
    #   c1: 纪律 0 → 0, 卫生 2 → 50, total 50
    #   c2: 纪律 1 → 30, 卫生 1 → 30, total 60
    #   c3: 纪律 1 → 30, 卫生 0 → 0, total 30
    #   c4: 纪律 1 → 30, 卫生 0 → 0, total 30
    assert {u: (points(pr, u)["jlflags"], points(pr, u)["wsflags"]) for u in pr.units} == {
        "c1": (0, 50), "c2": (30, 30), "c3": (30, 0), "c4": (30, 0)}
    assert totals(pr) == {"c1": 50, "c2": 60, "c3": 30, "c4": 30}
    # stars: c2 60 ≥ 60, not vetoed → 五星 (500 元); c1 50 → 四星 (300); c3 30 → 三星 (100);
    #        c4 30 but vetoed in 2 weekly periods (W09, W10) → not 五/四/三/二星 → 一星
    assert {u: lv.level for u, lv in pr.levels.items()} == {"c1": "four", "c2": "five", "c3": "three", "c4": "one"}


# ------------------------------------------------------------------ the city: 2024 (version 2024)


def test_q3_lines_totals_and_pool(res):
    pr = res[("qxkh", "2024-Q3")]
    # 满意度测评 = (市领导 × 0.4 + 市直部门 × 0.3 + 企业代表 × 0.3) × 20%, group means to 2 places:
    #   d1 90, (80 + 90)/2 = 85, 80 → 36 + 25.5 + 24 = 85.5 → 17.1
    #   d2 95, 90, 90 → 38 + 27 + 27 = 92 → 18.4;   d3 85 → 17;   d4 80, 70, 90 → 32 + 21 + 27 = 80 → 16
    #   d5 90, 90, 84 → 36 + 27 + 25.2 = 88.2 → 17.64;   d6 88, 86, 80 → 35.2 + 25.8 + 24 = 85 → 17
    #   d7 (92 + 94)/2 = 93, 90, 87 → 37.2 + 27 + 26.1 = 90.3 → 18.06;   d8 75, 80, 70 → 30 + 24 + 21 = 75 → 15
    # 重点改革任务 (due 2024-08-30, a Friday; working days, 1 point each):
    #   d2 09-03 → 09-02, 09-03 = 2 → 8; d6 09-02 → 1 → 9; d8 09-06 → 5 → 5; d4 not done → 0; others 10
    # 权责清单公开: d3, d8 false → 0; others 5
    assert {u: tuple(points(pr, u)[k] for k in ("sat", "target", "list", "work")) for u in pr.units} == {
        "d1": (D("17.1"), 10, 5, 60), "d2": (D("18.4"), 8, 5, 58), "d3": (17, 10, 0, 62), "d4": (16, 0, 5, 55),
        "d5": (D("17.64"), 10, 5, 61), "d6": (17, 9, 5, 57), "d7": (D("18.06"), 10, 5, 50), "d8": (15, 5, 0, 52)}
    # totals: d1 17.1 + 10 + 5 + 60 = 92.1; d2 18.4 + 8 + 5 + 58 = 89.4; d3 17 + 10 + 62 = 89; d4 16 + 5 + 55 = 76
    #         d5 17.64 + 10 + 5 + 61 = 93.64; d6 17 + 9 + 5 + 57 = 88; d7 18.06 + 10 + 5 + 50 = 83.06; d8 15 + 5 + 52 = 72
    assert totals(pr) == {"d1": D("92.1"), "d2": D("89.4"), "d3": 89, "d4": 76,
                          "d5": D("93.64"), "d6": 88, "d7": D("83.06"), "d8": 72}
    assert ranked(pr, "q") == {"d1": (1, D("92.1")), "d2": (2, D("89.4")), "d3": (3, 89), "d4": (4, 76),
                               "d5": (1, D("93.64")), "d6": (2, 88), "d7": (3, D("83.06")), "d8": (4, 72)}
    # pool of 3 by size: 3 × 4/8 = 1.5 each → 1 + 1, the last place on equal remainders and sizes goes to the
    # first group listed (城区): 城区 2 (d1, d2), 郊县 1 (d5)
    assert chosen(pr, "adv") == [("d1", "d2"), ("d5",)]
    # 约谈 waits for the year's end
    assert chosen(pr, "talk") == [(), ()]
    assert {h.pending for h in pr.honours if h.honour == "talk"} == {"本期不评定，2024年末（2024年12月31日）评定"}


def test_q4_decision_of_four_places_and_the_year_end_sanction(res):
    pr = res[("qxkh", "2024-Q4")]
    # 满意度测评: d1 90 → 18; d2 95 → 19; d3 85, 80, 90 → 34 + 24 + 27 = 85 → 17; d4 80 → 16;
    #             d5 90, 80, 80 → 36 + 24 + 24 = 84 → 16.8; d6 90 → 18; d7 85 → 17; d8 80 → 16
    # 重点改革任务 due 2024-09-30 (Monday); 10-01 … 10-07 国庆 holidays, 10-12 (Saturday) a working day:
    #   d1 done 10-12 → 10-08, 09, 10, 11, 12 = 5 working days (12 calendar days) → 5
    #   d2 10-08 → 1 → 9; d5 10-09 → 2 → 8; d7 10-08 → 1 → 9; d8 not done → 0; others on time → 10
    assert [points(pr, u)["target"] for u in sorted(pr.units)] == [5, 9, 10, 10, 8, 10, 9, 0]
    assert [points(pr, u)["sat"] for u in sorted(pr.units)] == [18, 19, 17, 16, D("16.8"), 18, 17, 16]
    # totals: d1 18 + 5 + 5 + 60 = 88; d2 19 + 9 + 5 + 60 = 93; d3 17 + 10 + 5 + 58 = 90; d4 16 + 10 + 5 + 50 = 81
    #         d5 16.8 + 8 + 5 + 60 = 89.8; d6 18 + 10 + 5 + 62 = 95; d7 17 + 9 + 5 + 55 = 86; d8 16 + 0 + 5 + 50 = 71
    assert totals(pr) == {"d1": 88, "d2": 93, "d3": 90, "d4": 81, "d5": D("89.8"), "d6": 95, "d7": 86, "d8": 71}
    # the meeting decided 4 places (within 3 ± 1): 4 × 4/8 = 2 each → 城区 d2, d3; 郊县 d6, d5
    assert chosen(pr, "adv") == [("d2", "d3"), ("d6", "d5")]
    # 年度累计 (Q3 + Q4): d1 92.1 + 88 = 180.1; d2 89.4 + 93 = 182.4; d3 89 + 90 = 179; d4 76 + 81 = 157
    #                     d5 93.64 + 89.8 = 183.44; d6 88 + 95 = 183; d7 83.06 + 86 = 169.06; d8 72 + 71 = 143
    assert ranked(pr, "year") == {"d2": (1, D("182.4")), "d1": (2, D("180.1")), "d3": (3, 179), "d4": (4, 157),
                                  "d5": (1, D("183.44")), "d6": (2, 183), "d7": (3, D("169.06")), "d8": (4, 143)}
    # the last of each group at the year's end: 约谈 北城区 d4, 石桥县 d8
    assert chosen(pr, "talk") == [("d4",), ("d8",)]
    assert {h.pending for h in pr.honours if h.honour == "talk"} == {None}


# ------------------------------------------------------------------ the city: 2025-Q1 under the extended version


def test_q1_2025_under_the_extended_version(res):
    pr = res[("qxkh", "2025-Q1")]
    # 权责清单公开 removed; weights now 50/20/30; 工作实绩 up to 70
    assert all("list" not in points(pr, u) for u in pr.units)
    # d1: 90 × 0.5 + 80 × 0.2 + 80 × 0.3 = 45 + 16 + 24 = 85 → 17 (under the 2024 weights it would be 84 → 16.8)
    #   due 2025-01-24 (Friday), done 02-05: 01-26 (Sunday) worked, 01-27, then 春节 01-28 … 02-04, 02-05
    #   → 3 working days → 7; 17 + 7 + 65 = 89
    assert points(pr, "d1") == {"sat": 17, "target": 7, "work": 65}
    # others on time (10), sat = the one rating × 20%:
    #   d2 18 + 10 + 60 = 88; d3 16 + 10 + 66 = 92; d4 14 + 10 + 60 = 84
    #   d5 18 + 10 + 62 = 90; d6 17 + 10 + 60 = 87; d7 16 + 10 + 63 = 89; d8 15 + 10 + 58 = 83
    assert totals(pr) == {"d1": 89, "d2": 88, "d3": 92, "d4": 84, "d5": 90, "d6": 87, "d7": 89, "d8": 83}
    # no decision recorded: 3 places, 城区 2 (d3 92, d1 89), 郊县 1 (d5 90)
    assert chosen(pr, "adv") == [("d3", "d1"), ("d5",)]
    # a new year: the cumulative ranking restarts, 约谈 waits for 2025's end
    assert ranked(pr, "year")["d3"] == (1, 92) and ranked(pr, "year")["d8"] == (4, 83)
    assert {h.pending for h in pr.honours if h.honour == "talk"} == {"本期不评定，2025年末（2025年12月31日）评定"}


# ------------------------------------------------------------------ the commands and the pages


def test_check_passes_and_build_succeeds(office, site):
    result = CliRunner().invoke(main, ["check", "--root", str(office[0])])
    assert result.exit_code == 0, result.output
    # 3 schemes; 7 period files; 4 × 3 + 4 + 8 × 3 = 40 unit results
    assert result.output.strip() == "检查通过：3 个方案，7 个考核期文件，40 条单位结果。"
    assert (site / "notices" / "qxkh" / "2025-Q1" / "index.html").is_file()


def test_school_cards_and_notices(site):
    c1 = page(site, "units/c1/bjpb/2025-W09")
    # the card names the span: W09 is March's (it ends on 03-02), nothing lost before in March
    assert "2025年3月起始 200 分，此前已扣 0 分，本期扣 2 分，余额 198 分" in c1
    assert "2025年3月起始 200 分，此前已扣 2 分，本期扣 4 分，余额 194 分" in page(site, "units/c1/bjpb/2025-W10")
    giver = page(site, "units/c3/bjpb/2025-W08")
    assert "2 分转给初一（1）班（记入其“检举奖励”）" in giver
    # the record's note is said once in the giving card's lines: in the record's line, not again on the
    # transfer (part M); the summary of lost points above the lines quotes it as the line's facts
    lines = giver[giver.index("逐项得分"):]
    assert lines.count("课间向卫生区丢纸屑，初一（1）班检举") == 1
    assert "向卫生区丢弃杂物：2 分转给初一（1）班（记入其“检举奖励”）" in giver
    taker = page(site, "units/c1/bjpb/2025-W08")
    assert "初一（3）班“卫生方面”转来：向卫生区丢弃杂物（课间向卫生区丢纸屑，初一（1）班检举），2 分" in taker
    c4 = page(site, "units/c4/bjpb/2025-W10")
    assert "一票否决 发生安全责任事故 （2025年2月27日）" in c4 and "（自2025年第9周起）" in c4
    # the veto section of a notice says how long a veto lasting to the stage's end holds (part M)
    assert "初一（4）班 ：发生安全责任事故（2025年2月27日；自2025年第9周起，至本阶段结束）。" in page(
        site, "notices/bjpb/2025-W10")
    w09 = page(site, "notices/bjpb/2025-W09")
    assert "初一（4）班 ：发生安全责任事故（2025年2月27日；至本阶段结束）。" in w09
    assert "纪律流动红旗：初一（2）班" in w09 and "卫生流动红旗：初一（2）班" in w09
    assert "初一（4）班未列入，原因：一票否决：发生安全责任事故（2月27日课间追逐致学生骨折）" in w09
    star = page(site, "units/c4/xqxj/2025-H1")
    assert "未评为“二星”：不满足条件 zp.vetoed == 0（“班级纪律卫生周评比”中受一票否决的期数 2）" in star
    assert "评为“一星”：未满足以上等次的条件" in star
    assert "获得“纪律流动红旗” 1 期（2025年第8周）" in star
    term = page(site, "notices/xqxj/2025-H1")
    assert "五星：初一（2）班（班级奖励每班 500 元）" in term and "一星：初一（4）班" in term


def test_city_cards_and_notices(site):
    d1 = page(site, "units/d1/qxkh/2024-Q4")
    assert "市领导：1 人评分，平均 90 分（保留2位小数），占 40%" in d1
    assert "满意度测评得分 90（满分 100），乘以权重 20%，得 18 分" in d1
    assert "2024-10-12 完成，期限 2024-09-30，逾期 5 个工作日，每天扣 1 分，共扣 5 分" in d1
    assert "按时公开权责清单：达到，得 5 分" in d1
    q4 = page(site, "notices/qxkh/2024-Q4")
    assert "营商环境先进区县：西城区、南城区" in q4 and "营商环境先进区县：白水县、青山县" in q4
    assert ("名额3个左右，本期经市优化营商环境工作领导小组会议决定评选4个（第四季度各区县改革攻坚成效突出）；"
            "按各组单位数比例分配：城区2个、郊县2个") in q4
    assert "约谈：北城区" in q4 and "约谈：石桥县" in q4
    assert "年度累计得分（2024年第三季度至2024年第四季度）" in q4
    q3 = page(site, "notices/qxkh/2024-Q3")
    assert "名额3个左右，本期评选3个；按各组单位数比例分配：城区2个、郊县1个" in q3
    assert "约谈：本期不评定，2024年末（2024年12月31日）评定" in q3
    assert "逾期 3 个工作日" in page(site, "units/d1/qxkh/2025-Q1")


def test_scheme_pages_word_each_rule(site):
    s = page(site, "schemes/bjpb/2025")
    assert "本项200分为每月的余额：每期得分为本月起始200分减去本月至今的全部扣分" in s
    assert "记录注明转给其他单位的扣分，同时记入该单位的“检举奖励”" in s
    assert "发生安全责任事故 ：取消评先评优资格，至本阶段结束" in s
    assert "“纪律流动红旗”（表彰）：依据“纪律评比”，每组前1名；被一票否决的单位不得入选" in s
    star = page(site, "schemes/xqxj/2025")
    assert "按本学期获得纪律流动红旗的次数计分：0次得0分，1次得30分，2次及以上得50分" in star
    assert "五星 ：total >= 60 且 zp.vetoed == 0" in star and "班级奖励每班 500 元" in star
    city = page(site, "schemes/qxkh/2024")
    assert "满意度测评按百分制评分，乘以权重20%" in city and "（市领导40%、市直部门30%、企业代表30%）" in city
    assert "每逾期1个工作日扣1分，扣完为止；考核期末仍未完成的不得分" in city
    assert "按时公开权责清单的得5分，否则不得分" in city
    assert ("城区、郊县共3个名额，按各组单位数比例分配（最大余数法：城区2个、郊县1个），各组按本组排名评选"
            "（名额3个左右，可上下浮动1个，即2至4个，以当期通报记载的决定为准）") in city
    assert "“约谈”（整改/通报）：依据“年度累计排名”，每组后1名；于每年的最后一期评定，其他考核期不评定" in city
    assert "本版本已停止执行，现行版本为《各区县营商环境季度考核办法（2025年修订）》" in city
    new = page(site, "schemes/qxkh/2025")
    assert "与上一版本相比的变化" in new and "删除指标“权责清单公开”" in new
    assert "（市领导50%、市直部门20%、企业代表30%）" in new
    assert "“工作实绩”分值由 65 分 调整为 70 分" in new


# ------------------------------------------------------------------ the check errors a clerk would hit


def test_error_misspelt_honour_in_a_level_condition(tmp_path):
    code, out = check_output(tmp_path, {"schemes/xqxj/2025.yaml": SEMESTER.replace(
        '"total >= 60 and zp.vetoed == 0"', '"total >= 60 and zp.held.jlflg >= 1"')})
    assert code != 0
    # line 49 is the 五星 `when:`, column 13 its value
    assert out.startswith("schemes/xqxj/2025.yaml:49:13: 等次“五星”的条件用到的“zp.held.jlflg”不是方案“bjpb”的结果名称，"
                          "是不是“zp.held.jlflag”？")
    assert "共 1 个错误；未写出任何文件。" in out


def test_error_misspelt_honour_in_a_history_line(tmp_path):
    code, out = check_output(tmp_path, {"schemes/xqxj/2025.yaml": SEMESTER.replace("honour: jlflag", "honour: jlflg")})
    assert code != 0
    assert "schemes/xqxj/2025.yaml:21:15: “jlflg”不是已定义的荣誉，是不是“jlflag”？ — 可用：jlflag, wsflag" in out


def test_error_impossible_date(tmp_path):
    code, out = check_output(tmp_path, {"scores/qxkh/2024-Q3.yaml": Q3.replace("done_on: 2024-09-03", "done_on: 2025-2-30")})
    assert code != 0
    # d2's target is line 16; `      target: {due: 2024-08-30, done_on: ` is 41 characters
    assert "scores/qxkh/2024-Q3.yaml:16:42: “2025-2-30”不是真实存在的日期 — 请检查年、月、日（如 2 月没有 30 日）" in out


def test_error_rater_weights_not_adding_up(tmp_path):
    code, out = check_output(tmp_path, {"schemes/qxkh/2024.yaml": CITY_2024.replace(
        "{id: firms, name: 企业代表, weight: 0.3}", "{id: firms, name: 企业代表, weight: 0.2}")})
    assert code != 0
    # the sum is a problem of the whole list: at `groups:` (line 18, column 7), not its first group (part M)
    assert "schemes/qxkh/2024.yaml:18:7: 各评价组的权重之和为 0.9，应为 1 — 请核对各组权重" in out


def test_error_transfer_to_an_unknown_class(tmp_path):
    code, out = check_output(tmp_path, {"scores/bjpb/2025-W08.yaml": W08.replace("to: c1,", "to: c9,")})
    assert code != 0
    # line 18, `        - {rate: litter, to: ` is 29 characters
    assert "scores/bjpb/2025-W08.yaml:18:30: “c9”不是本方案的单位，是不是“c4”？ — 可用：c1, c2, c3, c4" in out
    # a district of the other office's scheme (in the same registry) is refused the same way
    code, out = check_output(tmp_path, {"scores/bjpb/2025-W08.yaml": W08.replace("to: c1,", "to: d1,")})
    assert code != 0 and "scores/bjpb/2025-W08.yaml:18:30: “d1”不是本方案的单位，是不是“c1”？" in out


def test_error_extends_changes_a_removed_indicator(tmp_path):
    code, out = check_output(tmp_path, {"schemes/qxkh/2025.yaml": CITY_2025 + "  - indicator: list\n    set: {max: 3}\n"})
    assert code != 0
    # the appended `- indicator: list` is line 23, its value at column 16; the removal is on line 7
    assert "schemes/qxkh/2025.yaml:23:16: 指标“list”已在本文件第 7 行删除 — 删除的项不能再修改或作为位置；请删去其中一处" in out


# ------------------------------------------------------------------ problems found, kept honest


POOL_OVER_CATEGORIES = (CITY_2024
                        .replace("  - {id: cq, name: 城区, units: [d1, d2, d3, d4]}\n"
                                 "  - {id: jx, name: 郊县, units: [d5, d6, d7, d8]}\n",
                                 "  - {id: all, name: 各区县, units: [d1, d2, d3, d4, d5, d6, d7, d8]}\n")
                        .replace("  - {id: q, name: 季度排名}", "  - {id: q, name: 季度排名, categories: units}")
                        .replace("groups: [cq, jx]", "groups: [all]"))


def test_pool_over_categories_is_explained(tmp_path):
    # a pool over the categories of one group is refused with what a pool is shared between (part M)
    code, out = check_output(tmp_path, {"schemes/qxkh/2024.yaml": POOL_OVER_CATEGORIES})
    assert code != 0 and "类别" in out
    assert "不能在一个组别的各类别之间分配（“季度排名”在组内按类别排名）" in out and "quota" in out


def test_pool_over_categories_is_refused_at_the_key(tmp_path):
    code, out = check_output(tmp_path, {"schemes/qxkh/2024.yaml": POOL_OVER_CATEGORIES})
    assert code != 0
    assert "schemes/qxkh/2024.yaml:43:33: 名额池只列了一个组别“各区县”：名额池是几个组别合用的名额" in out
    assert "共 1 个错误；未写出任何文件。" in out
    # one group without categories: a pool needs two groups
    code, out = check_output(tmp_path, {"schemes/qxkh/2024.yaml": CITY_2024.replace("groups: [cq, jx]", "groups: [cq]")})
    assert code != 0
    assert "schemes/qxkh/2024.yaml:44:33: 名额池只列了一个组别“城区”：名额池是两个及以上组别合用的名额 — " in out


def test_line_ranking_is_worded_with_the_indicator_name(site):
    # a line ranking (basis: line:discipline) is worded with the indicator's name, not its id (part M)
    s = page(site, "schemes/bjpb/2025")
    assert "“discipline”" not in s and "纪律方面" in s.split("“纪律评比”：")[1][:40]


def test_notice_title_of_the_revised_version(site):
    # the revision note is dropped with 办法, as for 2024 (part M)
    q1 = page(site, "notices/qxkh/2025-Q1")
    assert "考核办法（2025年修订）考核结果的通报" not in q1
    assert "关于2025年第一季度各区县营商环境季度考核结果的通报" in q1
    assert "关于2024年第三季度各区县营商环境季度考核结果的通报" in page(site, "notices/qxkh/2024-Q3")


def test_old_version_page_breadcrumb(site):
    # the page of the superseded 2024 version names its own title in the breadcrumb (part M)
    old = page(site, "schemes/qxkh/2024")
    assert "（2025年修订）" not in old.split("本版本已停止执行")[0]
    assert "历次通报 各区县营商环境季度考核办法 各区县营商环境季度考核办法 本版本已停止执行" in old
    assert "历次通报 各区县营商环境季度考核办法（2025年修订） 各区县营商环境季度考核办法（2025年修订）" in page(
        site, "schemes/qxkh/2025")


def test_export_for_print_says_how_long_a_veto_lasts(office, tmp_path):
    # the notice exported for print words a carried veto as the notice page does (part M)
    from site_builder.workflow.export import export_notice

    export_notice(office[0], "bjpb", "2025-W10", out=tmp_path / "x")
    text = re.sub(r"<[^>]+>", "", next((tmp_path / "x").rglob("*.html")).read_text("utf-8"))
    assert "发生安全责任事故（2025年2月27日；自2025年第9周起，至本阶段结束）。" in text
