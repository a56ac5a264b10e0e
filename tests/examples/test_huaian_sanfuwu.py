"""淮安区“三服务”流动红旗 (seed 000): engine results against hand-computed values.

Every expected value below was worked out by hand from the facts in
``scores/huaian-sanfuwu/2017-Q2.yaml`` and ``2017-Q3.yaml`` and the rules in
``schemes/huaian-sanfuwu/2017.yaml``; the arithmetic is written next to it.
The scheme (like its source) has no 一票否决 clause, so instead of a veto this
module checks the exempt unit (免于考核): no total, no rank, no honour, reason
published.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from site_builder.pipeline import check

ROOT = Path(__file__).resolve().parents[2]
SCHEME = "huaian-sanfuwu"


@pytest.fixture(scope="module")
def results():
    _, res = check(ROOT)
    return res


@pytest.fixture(scope="module")
def q2(results):
    return results[(SCHEME, "2017-Q2")]


@pytest.fixture(scope="module")
def q3(results):
    return results[(SCHEME, "2017-Q3")]


def points(period, unit, line):
    return period.units[unit].line(line).points


def ranking(period, ranking_id, group):
    return next(g for g in period.rankings if g.ranking == ranking_id and g.group == group)


def rank_of(period, ranking_id, group, unit):
    return next(e.rank for e in ranking(period, ranking_id, group).entries if e.unit == unit)


def honour(period, group):
    return next(h for h in period.honours if h.honour == "hongqi" and h.group == group)


# -- 2017-Q3, 综合管理部门A组: 97.85, 96.4, 96.4, 95.3 → places 1, 2, 2, 4 ----------

def test_fgw_q3_line_by_line(q3):
    # 招商引资完成度 3 + 3 + 13.5 = 19.5
    assert points(q3, "ha-fgw", "zsyz") == D("19.5")
    # 社会评议满意度 10.2 + 5.1 + 5.05 + 5.2 + 8.5 = 34.05
    assert points(q3, "ha-fgw", "shpy") == D("34.05")
    # 自查加分: 党政纪处分 1 人次 × 0.2 = 0.2
    assert points(q3, "ha-fgw", "zcjf") == D("0.2")
    # 15 + 19.5 + 34.05 + 5 + 4.5 + 19.6 = 97.65 (基本项) ; + 0.2 = 97.85
    assert q3.units["ha-fgw"].base == D("97.65")
    assert q3.units["ha-fgw"].total == D("97.85")
    assert rank_of(q3, "quarter", "zh-a", "ha-fgw") == 1
    assert honour(q3, "zh-a").chosen == ("ha-fgw",)


def test_tie_competition_ranking_q3(q3):
    # 财政局: 14.5 + (3 + 2.5 + 13.5) + (10.1 + 5.05 + 5.1 + 5.0 + 8.45) + 5 + 4.5 + 19.7
    #       = 14.5 + 19 + 33.7 + 5 + 4.5 + 19.7 = 96.4, no bonus, no deduction
    assert q3.units["ha-czj"].total == D("96.40")
    # 商务局: 15 + (3 + 3 + 14) + (9.8 + 4.9 + 4.95 + 5.05 + 8.3) + 4.5 + 5 + 19.4
    #       = 15 + 20 + 33 + 4.5 + 5 + 19.4 = 96.9 ; 被问责通报 普通干部职工 1 人次 −0.5 → 96.4
    assert points(q3, "ha-swj", "kf") == D("-0.5")
    assert q3.units["ha-swj"].total == D("96.40")
    # 住建局: 15 + 20 + (10.3 + 5.2 + 5.15 + 5.1 + 8.6) + 5 + 5 + 17.75
    #       = 15 + 20 + 34.35 + 10 + 17.75 = 97.1 ;
    #       党政纪处分 科级以上干部 1 人次 −2 ; 自查 党政纪处分 1 人次 +0.2 → 95.3
    assert points(q3, "ha-zjj", "kf-cf") == D("-2")
    assert points(q3, "ha-zjj", "zcjf") == D("0.2")
    assert q3.units["ha-zjj"].total == D("95.30")
    # competition ranking 1, 2, 2, 4
    top4 = [(e.unit, e.rank, e.tied) for e in ranking(q3, "quarter", "zh-a").entries[:4]]
    assert top4 == [("ha-fgw", 1, False), ("ha-czj", 2, True), ("ha-swj", 2, True), ("ha-zjj", 4, False)]


# -- 2017-Q3, 综合管理部门B组: tie at the top, both get the flag ----------------------

def test_tie_at_top_both_honoured_q3(q3):
    # 政务办: 14.5 + (3 + 3 + 13) + (10.0 + 5.0 + 5.0 + 5.1 + 8.4) + 5 + 4.5 + 19.5
    #       = 14.5 + 19 + 33.5 + 9.5 + 19.5 = 96.0 ; 自查 其他问责 1 人次 +0.1 → 96.1
    assert q3.units["ha-zwb"].total == D("96.10")
    # 档案局: 14 + (3 + 3 + 13.5) + (9.9 + 5.05 + 5.05 + 5.0 + 8.5) + 5 + 5 + 19.1
    #       = 14 + 19.5 + 33.5 + 10 + 19.1 = 96.1
    assert q3.units["ha-daj"].total == D("96.10")
    assert rank_of(q3, "quarter", "zh-b", "ha-zwb") == 1
    assert rank_of(q3, "quarter", "zh-b", "ha-daj") == 1
    h = honour(q3, "zh-b")
    # ties: include — 并列第一的均授予
    assert h.chosen == ("ha-daj", "ha-zwb")
    # 政务办 also won B组 in Q2 (98.0, see below) → second quarter in a row
    assert h.streaks == {"ha-daj": 1, "ha-zwb": 2}


def test_zwb_q2(q2):
    # 15 + (3 + 3 + 13.5) + (10.2 + 5.1 + 5.1 + 5.1 + 8.6) + 5 + 5 + 19.4
    # = 15 + 19.5 + 34.1 + 10 + 19.4 = 98.0
    assert q2.units["ha-zwb"].total == D("98.00")
    assert honour(q2, "zh-b").chosen == ("ha-zwb",)


# -- 综合管理部门C组: the 5-point cap on 自查加分 bites (公安分局) --------------------------

def test_self_inspection_cap_bites_q3(q3):
    u = q3.units["ha-gafj"]
    zcjf = u.line("zcjf")
    # 党政纪处分 15 人次 × 0.2 = 3 ; 其他问责 25 人次 × 0.1 = 2.5 ; 3 + 2.5 = 5.5 > 5 → 5分封顶
    assert zcjf.raw == D("5.5")
    assert zcjf.points == D("5")
    assert zcjf.clip == "cap"
    # 扣分: 党政纪处分 普通干部职工 2 人次 × 1 = 2 ; 问责通报 科级以上干部 1 人次 × 1 = 1 → −3
    assert u.line("kf").points == D("-3")
    # 基本项: 14 + (3 + 2.5 + 13) + (9.5 + 4.8 + 4.9 + 4.7 + 8.0) + 4.5 + 4.5 + 18.6
    #       = 14 + 18.5 + 31.9 + 9 + 18.6 = 92.0 ; 92 + 5 − 3 = 94.0
    assert u.base == D("92.0")
    assert u.total == D("94.00")
    assert rank_of(q3, "quarter", "zh-c", "ha-gafj") == 1


def test_streak_and_cumulative(q2, q3):
    # Q2: 14.5 + (3 + 3 + 13.5) + (9.8 + 4.9 + 5.0 + 4.8 + 8.2) + 4.5 + 4.5 + 18.8
    #   = 14.5 + 19.5 + 32.7 + 9 + 18.8 = 94.5 ; 自查 6 × 0.2 + 10 × 0.1 = 1.2 + 1.0 = 2.2 → 96.7
    assert q2.units["ha-gafj"].total == D("96.70")
    assert honour(q2, "zh-c").chosen == ("ha-gafj",)
    assert honour(q3, "zh-c").chosen == ("ha-gafj",)
    assert honour(q3, "zh-c").streaks == {"ha-gafj": 2}
    # 年度累计: 96.7 + 94.0 = 190.7
    assert q3.cumulative["ha-gafj"] == D("190.70")
    assert rank_of(q3, "year", "zh-c", "ha-gafj") == 1


# -- the correction of Q3 (淮软建办〔2017〕23号): 经信委 重大项目推进度 12.5 → 14.5 --------------

def test_corrected_unit_q3(q3):
    # As corrected: 14.5 + (2.5 + 2.5 + 12) + (9.11 + 4.74 + 4.74 + 4.64 + 7.46) + 4.5 + 4.5 + 18.1
    #             = 14.5 + 17 + 30.69 + 9 + 18.1 = 89.29, no bonus, no deduction
    # (first published with 12.5: 87.29; published/huaian-sanfuwu/2017-Q3/v1.yaml keeps it)
    assert points(q3, "ha-jxw", "zdxm") == D("14.5")
    assert q3.units["ha-jxw"].total == D("89.29")
    # A组: 89.29 is above 交通局 88.61 and below 文广新局 91.84 → 14th (was 15th)
    assert rank_of(q3, "quarter", "zh-a", "ha-jxw") == 14
    assert rank_of(q3, "quarter", "zh-a", "ha-jtj") == 15
    # 年度累计: Q2 14 + (2.5 + 3 + 12.5) + (10.17 + 5.12 + 4.86 + 4.58 + 7.87) + 5 + 5 + 19.5
    #         = 14 + 18 + 32.6 + 10 + 19.5 = 94.1 ; 94.1 + 89.29 = 183.39 (was 94.1 + 87.29 = 181.39)
    #         above 民政局 183.25, below 文广新局 183.49 → 11th (was 12th)
    assert q3.cumulative["ha-jxw"] == D("183.39")
    assert rank_of(q3, "year", "zh-a", "ha-jxw") == 11
    assert rank_of(q3, "year", "zh-a", "ha-mzj") == 12


# -- exempt unit (盐务局, Q3): no total, no rank, no honour, reason published ---------------

def test_exempt_unit_q3(q2, q3):
    u = q3.units["ha-ywj"]
    assert u.status == "exempt"
    assert u.total is None
    gr = ranking(q3, "quarter", "zh-c")
    assert "ha-ywj" not in [e.unit for e in gr.entries]
    assert dict(gr.unranked)["ha-ywj"].startswith("免于考核：盐业体制改革期间")
    assert all("ha-ywj" not in h.chosen for h in q3.honours)
    # it was assessed in Q2, so it still has a Q2 total and a rank there
    assert q2.units["ha-ywj"].total is not None


def test_every_unit_present(q2, q3):
    # 附件1: 34 上午 + 29 下午 = 63 units; Q3 has 62 ranked + 1 exempt
    assert len(q2.units) == 63 and len(q3.units) == 63
    ranked_q3 = sum(len(g.entries) for g in q3.rankings if g.ranking == "quarter")
    assert ranked_q3 == 62
