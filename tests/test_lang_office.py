"""Acceptance test of issue 8, written as a county 考核办 clerk would: one project of its own.

The project (built in tmp_path from the strings below), four county departments::

    fg 发改局   专业部门        da 档案馆   其他部门
    zj 住建局   专业部门        wl 文联     其他部门

* ``jxkh`` 县直机关效能建设月度考核细则, monthly, version "2024" (2024-11, 2024-12) and
  version "2025" written with ``extends`` (2025-01), changing two lines (作风抽查, 信息报送增量).
  Lines are rounded to one place each (``at: line``), the total is the sum of the published lines.
* ``ndpd`` 县直机关效能建设年度综合评定办法, yearly ("2024"), reads the monthly scheme through
  ``inputs`` (history lines: mean of the monthly totals, number of 流动红旗) and publishes
  levels 优秀/良好/合格/不合格 with a reward.

Every expected figure is worked out by hand in the comments next to it.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from click.testing import CliRunner

from scratch import built_site, checked_project, line_points as points, page_text as page
from site_builder.cli import main

SITE = """\
title: 某县县直机关效能建设考核公示
organisation: 某县考核工作领导小组办公室
sample: true
"""

UNITS = """\
units:
  - {id: fg, name: 县发展和改革局, category: 专业部门}
  - {id: zj, name: 县住房和城乡建设局, category: 专业部门}
  - {id: da, name: 县档案馆, category: 其他部门}
  - {id: wl, name: 县文学艺术界联合会, category: 其他部门}
"""

MONTHLY_2024 = """\
title: 县直机关效能建设月度考核细则
issuer: 某县考核工作领导小组办公室
effective: {from: 2024-11-01, until: 2024-12-31}
total: 60
period: {kind: month}
rounding: {places: 1, at: line, total: sum_of_lines}
groups:
  - {id: zx, name: 县直部门, units: [fg, zj, da, wl]}
derived:
  - {id: rate, name: 按时办结率, expr: on_time / received * 100}
indicators:
  - id: sat
    name: 满意度测评
    max: 20
    clause: 满意度测评按百分制测评，测评得分×20%计入。县领导、部门互评、服务对象分别占50%、30%、20%，各组平均分保留两位小数。
    rule:
      kind: weighted
      label: 满意度测评
      weight: 0.2
      groups:
        - {id: leaders, name: 县领导, weight: 0.5}
        - {id: peers, name: 部门互评, weight: 0.3}
        - {id: public, name: 服务对象, weight: 0.2}
      means: {places: 2}
  - id: online
    name: 网上办件评价（市平台导入）
    max: 15
    clause: 按市政务服务平台反馈得分直接计入，不作舍入。
    rounding: {keep: true}
    rule: {kind: assessed}
  - id: below
    name: 按时办结率低于平均
    type: deduction
    max: 2
    clause: 按时办结率低于同类单位平均值的，每低1个百分点扣0.1分，最多扣2分。
    rule:
      kind: formula
      inputs: [on_time, received]
      labels: {on_time: 按时办结件数, received: 受理件数}
      amount: positive
      expr: max(group_mean(rate) - rate, 0) * 0.1
  - id: info
    name: 信息报送增量
    type: bonus
    max: 2
    clause: 比上月每多报送1篇信息加0.5分，最多加2分；首月不加分。
    rule:
      kind: formula
      inputs: [reports]
      labels: {reports: 报送信息篇数}
      expr: min(max(reports - previous(reports, reports), 0) * 0.5, max)
  - id: summary
    name: 月度工作总结
    max: 5
    rule: {kind: yes_no, label: 按时报送月度工作总结}
  - id: report
    name: 统计报表报送
    max: 5
    clause: 统计报表按通知时限报送，每逾期1个工作日扣1分，扣完为止；月末仍未报送的不得分。
    rule: {kind: deadline, label: 报送月度统计报表, due: recorded, per_day: 1, days: working}
  - id: safety
    name: 安全稳定
    max: 10
    min: 0
    clause: 日常管理由县应急管理局评分；发生安全事故的，每起扣5分，不设上限，本项扣完为止。
    children:
      - id: daily
        name: 日常管理
        max: 10
        rule: {kind: assessed}
      - id: accidents
        name: 安全事故
        type: deduction
        uncapped: true
        rule: {kind: per_occurrence, per: 5}
  - id: spot
    name: 作风抽查
    max: 5
    clause: 每月抽查不超过5次，每次发现问题扣0.5分。
    rule: {kind: per_occurrence, per: 0.5, max_count: 5}
  - id: adjust
    name: 领导小组综合调整
    type: adjustment
    max: 2
    clause: 考核领导小组可根据承担急难险重任务等情况，对考核得分作±2分以内的调整。
    rule: {kind: assessed}
  - id: letters
    name: 群众来信办理（仅作参考）
    max: 5
    counts: false
    rule: {kind: assessed}
vetoes:
  - id: warned
    name: 被县纪委监委通报批评
    called: no_excellence
    lasts: year
    clause: 被县纪委监委通报批评的单位，当年不得评为优秀、不得获得流动红旗。
rankings:
  - {id: month, name: 月度排名, categories: units}
  - {id: year, name: 年度累计排名, basis: cumulative}
honours:
  - {id: flag, name: 流动红旗, ranking: month, select: {top: 1}}
  - {id: excellent, name: 年度优秀, ranking: year, select: {top: 1}, decided: [year_end]}
"""

MONTHLY_2025 = """\
extends: "2024"
title: 县直机关效能建设月度考核细则（2025年修订）
effective: {from: 2025-01-01}
changes:
  - 作风抽查每次发现问题扣分由0.5分调整为1分；信息报送比上月每多报送1篇加分由0.5分调整为1分。
change:
  - indicator: spot
    set:
      clause: 每月抽查不超过5次，每次发现问题扣1分。
      rule: {kind: per_occurrence, per: 1, max_count: 5}
  - indicator: info
    set:
      clause: 比上月每多报送1篇信息加1分，最多加2分。
      rule:
        kind: formula
        inputs: [reports]
        labels: {reports: 报送信息篇数}
        expr: min(max(reports - previous(reports, reports), 0) * 1, max)
"""

YEARLY = """\
title: 县直机关效能建设年度综合评定办法
issuer: 某县考核工作领导小组办公室
effective: {from: 2024-01-01}
total: 100
period: {kind: year}
inputs:
  - {scheme: jxkh, name: 县直机关效能建设月度考核}
groups:
  - {id: zx, name: 县直部门, units: [fg, zj, da, wl]}
indicators:
  - id: monthly
    name: 月度考核成绩
    max: 90
    clause: 本年度各月考核平均分55分及以上的得90分，50分至55分的得80分，50分以下的得70分。
    rule:
      kind: history
      scheme: jxkh
      label: 本年度各月考核平均分
      unit: 分
      measure: total_mean
      brackets:
        - {min: 55, points: 90}
        - {min: 50, below: 55, points: 80}
        - {below: 50, points: 70}
  - id: flags
    name: 流动红旗
    max: 10
    clause: 本年度获得流动红旗2次及以上的得10分，1次的得5分。
    rule:
      kind: history
      scheme: jxkh
      label: 本年度获得流动红旗的次数
      unit: 次
      measure: held
      honour: flag
      brackets:
        - {min: 2, points: 10}
        - {min: 1, max: 1, points: 5}
        - {max: 0, points: 0}
vetoes:
  - {id: warned, name: 被县纪委监委通报批评, called: no_excellence, clause: 被县纪委监委通报批评的单位，当年不得评为优秀等次。}
rankings:
  - {id: year, name: 年度排名}
grades:
  show: both
  levels:
    - id: you
      name: 优秀
      when: "total >= 95 and not vetoed"
      rewards: [{amount: 3000}]
    - {id: liang, name: 良好, when: "total >= 85"}
    - {id: he, name: 合格, when: "total >= 70"}
    - {id: bu, name: 不合格}
"""

NOV = """\
scheme: jxkh
version: "2024"
period: 2024-11
status: published
notice: {date: 2024-12-05, number: 县效考〔2024〕11号}
units:
  fg:
    facts:
      sat: {ratings: {leaders: [92, 95, 90], peers: [88, 90], public: [85, 80, 90, 86]}}
      online: 13.875
      below: {values: {on_time: 45, received: 50}}
      info: {values: {reports: 6}}
      summary: true
      report: {due: 2024-11-08, done_on: 2024-11-08}
      daily: 9
      spot: 1
      adjust: 0
      letters: 4.5
  zj:
    facts:
      sat: {ratings: {leaders: [90, 88], peers: [85, 86, 84], public: [80, 82]}}
      online: 14.25
      below: {values: {on_time: 38, received: 40}}
      info: {values: {reports: 4}}
      summary: true
      report: {due: 2024-11-08, done_on: 2024-11-12}
      daily: 8
      accidents: 2
      spot: 6
      adjust: 1.5
      letters: 4
  da:
    facts:
      sat: {ratings: {leaders: [86, 84], peers: [80], public: [90, 91, 92]}}
      online: 12.625
      below: {values: {on_time: 27, received: 30}}
      info: {values: {reports: 3}}
      summary: false
      report: {due: 2024-11-08, done_on: 2024-11-07}
      daily: 10
      adjust: -1
      letters: 5
  wl:
    vetoes: [{id: warned, reason: 11月被县纪委监委通报批评, date: 2024-11-20}]
    facts:
      sat: {ratings: {leaders: [95, 96], peers: [92, 93], public: [88]}}
      online: 14.5
      below: {values: {on_time: 17, received: 20}}
      info: {values: {reports: 5}}
      summary: true
      report: {due: 2024-11-08, done_on: 2024-11-11}
      daily: 9
      spot: 2
      adjust: 0
      letters: 3
"""

DEC = """\
scheme: jxkh
version: "2024"
period: 2024-12
status: published
notice: {date: 2025-01-06, number: 县效考〔2025〕1号}
units:
  fg:
    facts:
      sat: {ratings: {leaders: [90, 92], peers: [90, 91, 89], public: [87]}}
      online: 14.125
      below: {values: {on_time: 46, received: 50}}
      info: {values: {reports: 6}}
      summary: true
      report: {due: 2024-12-06, done_on: 2024-12-10}
      daily: 10
      adjust: 0
      letters: 4
  zj:
    facts:
      sat: {ratings: {leaders: [93, 94, 95], peers: [90, 90], public: [85, 86]}}
      online: 14.375
      below: {values: {on_time: 36, received: 40}}
      info: {values: {reports: 7}}
      summary: false
      report: {due: 2024-12-06, done_on: 2024-12-06}
      daily: 9
      spot: 1
      adjust: 0
      letters: 4
  da:
    facts:
      sat: {ratings: {leaders: [88], peers: [86, 87], public: [92, 90]}}
      online: 13.5
      below: {values: {on_time: 24, received: 30}}
      info: {values: {reports: 3}}
      summary: true
      report: {due: 2024-12-06, done: false}
      daily: 9
      spot: 2
      adjust: 0
      letters: 4
  wl:
    facts:
      sat: {ratings: {leaders: [96, 97], peers: [93], public: [90, 92]}}
      online: 14.75
      below: {values: {on_time: 19, received: 20}}
      info: {values: {reports: 10}}
      summary: true
      report: {due: 2024-12-06, done_on: 2024-12-05}
      daily: 10
      adjust: 0
      letters: 4
"""

JAN = """\
scheme: jxkh
version: "2025"
period: 2025-01
status: published
notice: {date: 2025-02-10, number: 县效考〔2025〕2号}
units:
  fg:
    facts:
      sat: {ratings: {leaders: [94, 94], peers: [90], public: [90, 90]}}
      online: 14
      below: {values: {on_time: 48, received: 50}}
      info: {values: {reports: 8}}
      summary: true
      report: {due: 2025-01-24, done_on: 2025-01-27}
      daily: 9
      spot: 2
      adjust: -0.5
      letters: 5
  zj:
    facts:
      sat: {ratings: {leaders: [90], peers: [88, 89], public: [84, 85, 86]}}
      online: 13.625
      below: {values: {on_time: 40, received: 40}}
      info: {values: {reports: 7}}
      summary: true
      report: {due: 2025-01-24, done_on: 2025-01-24}
      daily: 10
      adjust: 0
      letters: 5
  da:
    facts:
      sat: {ratings: {leaders: [92, 93], peers: [90], public: [93]}}
      online: 14.875
      below: {values: {on_time: 27, received: 30}}
      info: {values: {reports: 4}}
      summary: true
      report: {due: 2025-01-24, done_on: 2025-01-26}
      daily: 10
      spot: 1
      adjust: 0
      letters: 5
  wl:
    facts:
      sat: {ratings: {leaders: [85], peers: [85], public: [85]}}
      online: 12.5
      below: {values: {on_time: 18, received: 20}}
      info: {values: {reports: 10}}
      summary: true
      report: {due: 2025-01-24, done_on: 2025-01-20}
      daily: 8
      accidents: 1
      spot: 3
      adjust: 0
      letters: 5
"""

YEAR_2024 = """\
scheme: ndpd
version: "2024"
period: "2024"
status: published
notice: {date: 2025-01-15, number: 县效考〔2025〕3号}
units:
  fg: {}
  zj: {}
  da: {}
  wl:
    vetoes: [{id: warned, reason: 2024年11月被县纪委监委通报批评, date: 2024-11-20}]
"""

FILES = {
    "site.yaml": SITE,
    "units/units.yaml": UNITS,
    "schemes/jxkh/2024.yaml": MONTHLY_2024,
    "schemes/jxkh/2025.yaml": MONTHLY_2025,
    "schemes/ndpd/2024.yaml": YEARLY,
    "scores/jxkh/2024-11.yaml": NOV,
    "scores/jxkh/2024-12.yaml": DEC,
    "scores/jxkh/2025-01.yaml": JAN,
    "scores/ndpd/2024.yaml": YEAR_2024,
}


# ------------------------------------------------------------------ the project, checked and built once


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return checked_project(tmp_path_factory.mktemp("office"), FILES)


@pytest.fixture(scope="module")
def res(office):
    return office[1]


@pytest.fixture(scope="module")
def site(office):
    return built_site(office[0])


def ranked(pr, ranking: str, category: str | None = None) -> dict[str, tuple[int, D]]:
    return {e.unit: (e.rank, e.value) for g in pr.rankings
            if g.ranking == ranking and getattr(g, "category", None) == category for e in g.entries}


def honours(pr, hid: str) -> dict:
    """{category (None when the ranking has none): HonourResult}"""
    return {getattr(h, "category", None): h for h in pr.honours if h.honour == hid}


# ------------------------------------------------------------------ 2024-11 (version 2024)


def test_november_lines_and_totals(res):
    pr = res[("jxkh", "2024-11")]
    # 满意度测评 (means to 2 places, weights 50/30/20, ×20%, line rounded to 1 place):
    #   fg: 277/3 = 92.333… → 92.33; 178/2 = 89; 341/4 = 85.25
    #       92.33×0.5 + 89×0.3 + 85.25×0.2 = 46.165 + 26.7 + 17.05 = 89.915; ×0.2 = 17.983 → 18.0
    #   zj: 89, 85, 81 → 44.5 + 25.5 + 16.2 = 86.2 → 17.24 → 17.2
    #   da: 85, 80, 91 → 42.5 + 24 + 18.2 = 84.7 → 16.94 → 16.9
    #   wl: 95.5, 92.5, 88 → 47.75 + 27.75 + 17.6 = 93.1 → 18.62 → 18.6
    # 网上办件评价 keeps its imported decimals: 13.875, 14.25, 12.625, 14.5
    # 按时办结率 (derived): fg 45/50 = 90, zj 38/40 = 95, da 27/30 = 90, wl 17/20 = 85; mean 360/4 = 90
    #   only wl is below: (90 − 85) × 0.1 = 0.5 → −0.5
    # 信息报送增量: first month, previous(reports, reports) = reports → 0 for all
    # 月度工作总结: da false → 0, others 5
    # 统计报表 (due 2024-11-08, a Friday; working days): fg on time 5; zj 11-12 → 11th, 12th = 2 days → 3;
    #   da early 5; wl 11-11 → 1 day → 4
    # 安全稳定 (min 0): fg 9; zj 8 − 2×5 = −2 → floored to 0; da 10; wl 9
    # 作风抽查 (0.5 each, at most 5 counted): fg 1 → 4.5; zj 6 → 5 counted → 2.5; da 0 → 5; wl 2 → 4
    # 调整: zj +1.5, da −1; 群众来信 is display-only
    assert points(pr, "fg") == {"sat": D("18.0"), "online": D("13.875"), "below": 0, "info": 0, "summary": 5,
                                "report": 5, "safety": 9, "daily": 9, "accidents": 0, "spot": D("4.5"),
                                "adjust": 0, "letters": D("4.5")}
    assert points(pr, "zj")["sat"] == D("17.2") and points(pr, "da")["sat"] == D("16.9")
    assert points(pr, "wl")["sat"] == D("18.6")
    assert points(pr, "wl")["below"] == D("-0.5") and points(pr, "da")["below"] == 0
    assert points(pr, "zj")["report"] == 3 and points(pr, "wl")["report"] == 4
    assert points(pr, "da")["summary"] == 0
    assert points(pr, "zj")["accidents"] == -10 and points(pr, "zj")["safety"] == 0  # uncapped, then floored
    assert points(pr, "zj")["spot"] == D("2.5")  # the 6th occurrence is not counted
    assert points(pr, "zj")["adjust"] == D("1.5") and points(pr, "da")["adjust"] == -1
    assert points(pr, "wl")["letters"] == 3
    # totals = sum of published lines (letters not counted):
    #   fg 18.0 + 13.875 + 0 + 0 + 5 + 5 + 9 + 4.5 + 0     = 55.375
    #   zj 17.2 + 14.25 + 0 + 0 + 5 + 3 + 0 + 2.5 + 1.5    = 43.45
    #   da 16.9 + 12.625 + 0 + 0 + 0 + 5 + 10 + 5 − 1      = 48.525
    #   wl 18.6 + 14.5 − 0.5 + 0 + 5 + 4 + 9 + 4 + 0       = 54.6
    assert {u: pr.units[u].total for u in pr.units} == {"fg": D("55.375"), "zj": D("43.45"),
                                                        "da": D("48.525"), "wl": D("54.6")}


def test_november_rankings_by_category_and_the_veto(res):
    pr = res[("jxkh", "2024-11")]
    # 专业部门: fg 55.375 first, zj 43.45; 其他部门: wl 54.6 first, da 48.525
    assert ranked(pr, "month", "专业部门") == {"fg": (1, D("55.375")), "zj": (2, D("43.45"))}
    assert ranked(pr, "month", "其他部门") == {"wl": (1, D("54.6")), "da": (2, D("48.525"))}
    flags = honours(pr, "flag")
    assert flags["专业部门"].chosen == ("fg",)
    # wl is first in 其他部门 but 一票否优 (warned on 11-20): the flag goes to da
    assert flags["其他部门"].chosen == ("da",)
    assert dict(flags["其他部门"].excluded)["wl"] == "一票否优：被县纪委监委通报批评（11月被县纪委监委通报批评）"
    # 年度优秀 is decided at the year's end only
    assert honours(pr, "excellent")[None].chosen == ()
    assert honours(pr, "excellent")[None].pending == "本期不评定，2024年末（2024年12月31日）评定"


# ------------------------------------------------------------------ 2024-12 (version 2024, year end)


def test_december_lines_and_totals(res):
    pr = res[("jxkh", "2024-12")]
    # 满意度测评: fg 91, 90, 87 → 45.5 + 27 + 17.4 = 89.9 → 17.98 → 18.0
    #   zj 94, 90, 85.5 → 47 + 27 + 17.1 = 91.1 → 18.22 → 18.2
    #   da 88, 86.5, 91 → 44 + 25.95 + 18.2 = 88.15 → 17.63 → 17.6
    #   wl 96.5, 93, 91 → 48.25 + 27.9 + 18.2 = 94.35 → 18.87 → 18.9
    assert [points(pr, u)["sat"] for u in ("fg", "zj", "da", "wl")] == [D("18.0"), D("18.2"), D("17.6"), D("18.9")]
    # 按时办结率: fg 92, zj 90, da 80, wl 95; mean 357/4 = 89.25
    #   da (89.25 − 80) × 0.1 = 0.925 → one place, half up → 0.9 → −0.9
    assert points(pr, "da")["below"] == D("-0.9")
    assert [points(pr, u)["below"] for u in ("fg", "zj", "wl")] == [0, 0, 0]
    # 信息报送增量 vs November: fg 6−6 = 0; zj 7−4 = 3 → 1.5; da 0; wl 10−5 = 5 → 2.5 → capped at 2
    assert [points(pr, u)["info"] for u in ("fg", "zj", "da", "wl")] == [0, D("1.5"), 0, 2]
    # 统计报表 due 2024-12-06 (Friday): fg 12-10 → 9th, 10th = 2 working days → 3; da not done → lose all → 0
    assert [points(pr, u)["report"] for u in ("fg", "zj", "da", "wl")] == [3, 5, 0, 5]
    assert points(pr, "zj")["summary"] == 0
    # totals: fg 18.0 + 14.125 + 0 + 0 + 5 + 3 + 10 + 5 + 0 = 55.125
    #         zj 18.2 + 14.375 + 0 + 1.5 + 0 + 5 + 9 + 4.5  = 52.575
    #         da 17.6 + 13.5 − 0.9 + 0 + 5 + 0 + 9 + 4      = 48.2
    #         wl 18.9 + 14.75 + 0 + 2 + 5 + 5 + 10 + 5      = 60.65 (above the 60 maximum: a bonus)
    assert {u: pr.units[u].total for u in pr.units} == {"fg": D("55.125"), "zj": D("52.575"),
                                                        "da": D("48.2"), "wl": D("60.65")}


def test_december_year_end_excellent_over_the_cumulative_ranking(res):
    pr = res[("jxkh", "2024-12")]
    # cumulative 2024: fg 55.375 + 55.125 = 110.5; zj 43.45 + 52.575 = 96.025;
    #                  da 48.525 + 48.2 = 96.725; wl 54.6 + 60.65 = 115.25
    assert ranked(pr, "year") == {"wl": (1, D("115.25")), "fg": (2, D("110.5")),
                                  "da": (3, D("96.725")), "zj": (4, D("96.025"))}
    # the 一票否优 of November lasts to the year's end: carried into December with its origin
    assert [(v.id, v.since_period) for v in pr.units["wl"].vetoes] == [("warned", "2024-11")]
    exc = honours(pr, "excellent")[None]
    assert exc.pending is None and exc.chosen == ("fg",)  # wl first but excluded
    assert dict(exc.excluded)["wl"].startswith("一票否优：被县纪委监委通报批评（")
    # monthly flags: 专业部门 fg 55.125 > zj 52.575; 其他部门 wl 60.65 (vetoed) → da 48.2
    flags = honours(pr, "flag")
    assert flags["专业部门"].chosen == ("fg",) and flags["其他部门"].chosen == ("da",)
    assert pr.units["wl"].total == D("60.65")  # no_excellence: the figure stands


# ------------------------------------------------------------------ 2025-01 (version 2025, extends 2024)


def test_january_under_the_extended_version(res):
    pr = res[("jxkh", "2025-01")]
    # 作风抽查 now 1 point each (was 0.5): fg 2 → 3; zj 0 → 5; da 1 → 4; wl 3 → 2
    assert [points(pr, u)["spot"] for u in ("fg", "zj", "da", "wl")] == [3, 5, 4, 2]
    # 信息报送增量 now 1 per report, previous() reads December (version 2024):
    #   fg 8 − 6 = 2 → 2; zj 7 − 7 = 0; da 4 − 3 = 1; wl 10 − 10 = 0
    assert [points(pr, u)["info"] for u in ("fg", "zj", "da", "wl")] == [2, 0, 1, 0]
    # 统计报表 due 2025-01-24 (Friday); 01-26 is a Sunday worked (春节调休):
    #   fg done 01-27 → 26th, 27th = 2 working days → 3; da done 01-26 → 1 → 4
    assert [points(pr, u)["report"] for u in ("fg", "zj", "da", "wl")] == [3, 5, 4, 5]
    # 按时办结率: fg 96, zj 100, da 90, wl 90 → mean 94; da and wl (94 − 90) × 0.1 = 0.4
    assert [points(pr, u)["below"] for u in ("fg", "zj", "da", "wl")] == [0, 0, D("-0.4"), D("-0.4")]
    # 满意度测评: fg 94, 90, 90 → 92 → 18.4; zj 90, 88.5, 85 → 88.55 → 17.71 → 17.7;
    #             da 92.5, 90, 93 → 91.85 → 18.37 → 18.4; wl 85 → 17.0
    assert [points(pr, u)["sat"] for u in ("fg", "zj", "da", "wl")] == [D("18.4"), D("17.7"), D("18.4"), 17]
    # 安全稳定: wl 8 − 5 = 3 (no floor needed)
    assert points(pr, "wl")["safety"] == 3
    # totals: fg 18.4 + 14 + 0 + 2 + 5 + 3 + 9 + 3 − 0.5         = 53.9
    #         zj 17.7 + 13.625 + 0 + 0 + 5 + 5 + 10 + 5           = 56.325
    #         da 18.4 + 14.875 − 0.4 + 1 + 5 + 4 + 10 + 4         = 56.875
    #         wl 17.0 + 12.5 − 0.4 + 0 + 5 + 5 + 3 + 2            = 44.1
    assert {u: pr.units[u].total for u in pr.units} == {"fg": D("53.9"), "zj": D("56.325"),
                                                        "da": D("56.875"), "wl": D("44.1")}
    # a new year: the veto has ended, cumulative restarts, 年度优秀 waits for 2025's end
    assert pr.units["wl"].vetoes == () or list(pr.units["wl"].vetoes) == []
    assert ranked(pr, "year") == {"da": (1, D("56.875")), "zj": (2, D("56.325")),
                                  "fg": (3, D("53.9")), "wl": (4, D("44.1"))}
    assert honours(pr, "excellent")[None].pending == "本期不评定，2025年末（2025年12月31日）评定"
    flags = honours(pr, "flag")
    assert flags["专业部门"].chosen == ("zj",) and flags["其他部门"].chosen == ("da",)


# ------------------------------------------------------------------ the yearly scheme: inputs, history, levels


def test_yearly_scheme_reads_the_monthly_results(res):
    pr = res[("ndpd", "2024")]
    # 月度考核成绩 = bracket of the mean monthly total in 2024 (2024-11, 2024-12):
    #   fg 110.5/2 = 55.25 → 90; zj 96.025/2 = 48.0125 → 70; da 96.725/2 = 48.3625 → 70; wl 115.25/2 = 57.625 → 90
    # 流动红旗 held in 2024: fg 2 → 10; da 2 → 10; zj 0, wl 0 → 0 (the January 2025 flags are not read)
    assert {u: (points(pr, u)["monthly"], points(pr, u)["flags"]) for u in pr.units} == {
        "fg": (90, 10), "zj": (70, 0), "da": (70, 10), "wl": (90, 0)}
    assert {u: pr.units[u].total for u in pr.units} == {"fg": 100, "zj": 70, "da": 80, "wl": 90}
    # levels: fg 100 ≥ 95, not vetoed → 优秀 (3000 元); wl 90: 一票否优 → not 优秀, 90 ≥ 85 → 良好;
    #         da 80 ≥ 70 → 合格; zj 70 ≥ 70 → 合格
    assert {u: lv.level for u, lv in pr.levels.items()} == {"fg": "you", "wl": "liang", "da": "he", "zj": "he"}


# ------------------------------------------------------------------ the commands and the pages


def test_check_passes_without_warnings(office):
    result = CliRunner().invoke(main, ["check", "--root", str(office[0])])
    assert result.exit_code == 0, result.output
    # 2 schemes, 4 period files (3 monthly, 1 yearly), 4 units × 4 = 16 results; nothing else said
    assert result.output.strip() == "检查通过：2 个方案，4 个考核期文件，16 条单位结果。"


def test_score_card_explains_the_new_rules(site):
    card = page(site, "units/zj/jxkh/2024-11")
    assert "县领导：2 人评分，平均 89 分（保留2位小数），占 50%" in card
    assert "满意度测评得分 86.2（满分 100），乘以权重 20%，得 17.24 分" in card
    assert "按时办结率的平均值为 90（按 4 个单位计算）" in card
    assert "上期报送信息篇数无记录，按 4 计" in card
    assert "2024-11-12 完成，期限 2024-11-08，逾期 2 个工作日，每天扣 1 分，共扣 2 分" in card
    assert "按 0 分计（扣完为止）" in card and "不设上限" in card
    assert "共记录 6 次，按规定至多计 5 次，其余 1 次不计分" in card
    assert "调整 +1.5 分" in card and "只作显示，不计入总分" in card
    dec = page(site, "units/wl/jxkh/2024-12")
    assert "一票否优" in dec and "自2024年11月起" in dec
    assert "上期（2024年11月）报送信息篇数为 5" in dec
    assert "年度累计得分（2024年11月至2024年12月） 115.25" in dec
    assert "考核期末（2024-12-31）仍未完成，扣完本项 5 分" in page(site, "units/da/jxkh/2024-12")
    year = page(site, "units/wl/ndpd/2024")
    assert "考核等次 良好" in year
    assert "未评为“优秀”：不满足条件 total >= 95 且 非 vetoed（总分 90，受一票否优 是）" in year
    assert "获得“流动红旗” 0 期" in year
    assert "奖励每人 3000 元" in page(site, "units/fg/ndpd/2024")
    assert "获得“流动红旗” 2 期（2024年11月、2024年12月）" in page(site, "units/fg/ndpd/2024")


def test_scheme_pages_state_each_rule(site):
    s = page(site, "schemes/jxkh/2024")
    assert "满意度测评按百分制评分，乘以权重20%" in s
    assert "县领导50%、部门互评30%、服务对象20%" in s
    assert "按时办结率（rate）＝按时办结件数 / 受理件数 * 100（公式：on_time / received * 100）" in s
    assert "上期指本方案的上一考核期" in s
    assert "按时报送月度工作总结的得5分，否则不得分" in s
    assert "每逾期1个工作日扣1分，扣完为止；考核期末仍未完成的不得分" in s
    assert "本项得分不舍入，保留原有小数" in s
    assert "本项合计最低0分（扣完为止）" in s
    assert "至多计5次，超出的不计分" in s
    assert "最多加减2分" in s
    assert "本项只计算并公布，不计入总分和满分" in s
    assert "一票否优：取消评先评优资格，至本年度结束" in s
    assert "组内按单位类别（名册所列）分别排名" in s
    assert "于每年的最后一期评定，其他考核期不评定" in s
    assert "总分为各项公布得分之和，不再舍入" in s
    new = page(site, "schemes/jxkh/2025")
    assert "与上一版本相比的变化" in new
    assert "“作风抽查”评分标准调整为：每次扣1分；至多计5次，超出的不计分" in new
    yearly = page(site, "schemes/ndpd/2024")
    assert "依据“县直机关效能建设月度考核”已公布的考核结果计分" in yearly
    assert "1次得5分，2次及以上得10分" in yearly
    assert "奖励每人 3000 元" in yearly


def test_notice_names_the_categories_and_the_pending_honour(site):
    nov = page(site, "notices/jxkh/2024-11")
    assert "流动红旗（其他部门）：县档案馆" in nov and "流动红旗（专业部门）：县发展和改革局" in nov
    assert "年度优秀：本期不评定，2024年末（2024年12月31日）评定" in nov
    year = page(site, "notices/ndpd/2024")
    assert "优秀：县发展和改革局（奖励每人 3000 元）" in year


# ------------------------------------------------------------------ problems found (engine / pages), kept honest


# Fixed (part H1): the scheme's first ranking has categories, so the notice's main table and the card show
# each unit's place within its category for the month (not the cumulative place under another heading).
def test_notice_main_table_ranks_by_the_month(site):
    dec = page(site, "notices/jxkh/2024-12")
    assert "县直部门年度累计排名（满分 60 分）" not in dec
    assert "县直部门月度排名（满分 60 分）" in dec
    assert "2 （其他部门） 县档案馆 48.2" in dec and "2 （专业部门） 县住房和城乡建设局 52.575" in dec


def test_card_rank_is_the_months(site):
    card = page(site, "units/da/jxkh/2024-12")
    assert "组内名次 第 3 名（共 4 个单位）" not in card
    assert "其他部门内名次 第 2 名（共 2 个单位）" in card


# Fixed (part J2): the pages of a period name the version it was scored under (the breadcrumb of
# 2024-11 names the 2024 rules; January 2025 the revised ones), and the yearly history line names the
# monthly scheme as the yearly scheme's inputs entry does (its name:).
def test_pages_of_2024_periods_name_the_2024_version(site):
    card = page(site, "units/zj/jxkh/2024-11")
    assert "（2025年修订）" not in card and "历次通报 县直机关效能建设月度考核细则 2024年11月" in card
    assert "（2025年修订）" not in page(site, "notices/jxkh/2024-11")
    assert "历次通报 县直机关效能建设月度考核细则（2025年修订） 2025年1月" in page(site, "units/zj/jxkh/2025-01")
    year = page(site, "units/fg/ndpd/2024")
    assert "（2025年修订）" not in year
    assert "“县直机关效能建设月度考核”（本期内）共 2 期：2024年11月、2024年12月" in year
