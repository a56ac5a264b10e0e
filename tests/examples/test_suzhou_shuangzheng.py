"""苏州市“双争双创”考评 (seed 004): engine results against hand-computed values.

Every expected value below was worked out by hand from
``scores/suzhou-shuangzheng/2019.yaml`` (评议得分, 双月考核得分 and the external
项目评审/第三方测评/民主测评 data) and ``schemes/suzhou-shuangzheng/2019.yaml``.

大厅窗口 (13 assessed; 商务局窗口 not eligible), places by hand (higher is better):

=========  =====  ====  =====  ====  =====  ====  ==================  ======================
window     双月    名次   第三方  名次   民主    名次   第三方折算 (S+M)/2    总排名折算 B/2 + 第三方/2
=========  =====  ====  =====  ====  =====  ====  ==================  ======================
scjg       97.5   1     99.0   2     95     1     1.5                 0.5 + 0.75 = 1.25
sw         97.2   2     99.2   1     93     3     2                   1 + 1 = 2
rs         96.8   3     98.5   4     94     2     3                   1.5 + 1.5 = 3
ga         96.5   4     98.7   3     91     5     4                   2 + 2 = 4
gjj        96.1   5     96.2   12    85     11    11.5                2.5 + 5.75 = 8.25
zj         95.8   6     98.3   5     92     4     4.5                 3 + 2.25 = 5.25
yb         95.4   7     98.0   6     89     7     6.5                 3.5 + 3.25 = 6.75
wj         95.0   8     97.8   7     90     6     6.5                 4 + 3.25 = 7.25
bdc        94.6   9     96.9   10    84     12    11                  4.5 + 5.5 = 10
zrzy       94.1   10    97.5   8     88     8     8                   5 + 4 = 9
st         93.7   11    97.2   9     87     9     9                   5.5 + 4.5 = 10
jt         93.2   12    96.5   11    86     10    10.5                6 + 5.25 = 11.25
fg         92.5   13    95.8   13    83     13    13                  6.5 + 6.5 = 13
=========  =====  ====  =====  ====  =====  ====  ==================  ======================

总排名 (smaller is better): 1.25, 2, 3, 4, 5.25, 6.75, 7.25, 8.25, 9, 10, 10, 11.25, 13
→ places 1 … 9, 10, 10, 12, 13.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from site_builder.pipeline import check

ROOT = Path(__file__).resolve().parents[2]
SCHEME = "suzhou-shuangzheng"
QUOTA_FULL = "所在类别名额已满"


@pytest.fixture(scope="module")
def checked():
    return check(ROOT)


@pytest.fixture(scope="module")
def period(checked):
    _, results = checked
    return results[(SCHEME, "2019")]


def ranking(period, ranking_id, group):
    return next(g for g in period.rankings if g.ranking == ranking_id and g.group == group)


def ranks(period, ranking_id, group):
    return {e.unit: e.rank for e in ranking(period, ranking_id, group).entries}


def honour(period, honour_id, group):
    return next(h for h in period.honours if h.honour == honour_id and h.group == group)


def test_period_is_a_public_notice(checked):
    project, _ = checked
    p = next(p for p in project.periods if p.scheme == SCHEME and p.id == "2019")
    assert p.status == "public_notice"
    w = p.scores.public_notice
    assert (str(w.start), str(w.until), w.working_days) == ("2019-12-23", "2019-12-27", 5)


# -- 大厅窗口: composites, a tie, the honour -----------------------------------

def test_window_third_party_composite(period):
    third = period.composites["disanfang"]
    # 市场监管局窗口: 第三方 2nd, 民主 1st → 0.5 × 2 + 0.5 × 1 = 1.5
    assert third["sz-w-scjg"] == D("1.5")
    # 公积金窗口: 0.5 × 12 + 0.5 × 11 = 11.5
    assert third["sz-w-gjj"] == D("11.5")
    # 卫健委窗口 0.5 × 7 + 0.5 × 6 = 6.5; 医保局窗口 0.5 × 6 + 0.5 × 7 = 6.5
    assert third["sz-w-wj"] == third["sz-w-yb"] == D("6.5")
    assert "sz-w-swu" not in third  # 不在参评范围
    assert len(third) == 13


def test_window_overall_composite_and_tie(period):
    total = period.composites["chuangkou-zong"]
    # 第三方测评 enters as a RANK (“民主测评排名占第三方测评排名的1/2”): its values
    # 1.5 2 3 4 4.5 6.5 6.5 8 9 10.5 11 11.5 13 rank (lower is better, 1,2,2,4 style) as
    # scjg 1, sw 2, rs 3, ga 4, zj 5, wj/yb 6, zrzy 8, st 9, jt 10, bdc 11, gjj 12, fg 13.
    assert total["sz-w-scjg"] == D("1")  # 0.5 × 双月 1 + 0.5 × 第三方 1
    assert total["sz-w-gjj"] == D("8.5")  # 0.5 × 5 + 0.5 × 12
    assert total["sz-w-bdc"] == D("10")  # 0.5 × 9 + 0.5 × 11
    assert total["sz-w-st"] == D("10")  # 0.5 × 11 + 0.5 × 9
    assert total["sz-w-jt"] == D("11")  # 0.5 × 12 + 0.5 × 10
    assert total["sz-w-yb"] == D("6.5")  # 0.5 × 7 + 0.5 × 6
    assert total["sz-w-wj"] == D("7")  # 0.5 × 8 + 0.5 × 6
    r = ranks(period, "chuangkou-zong", "chuangkou")
    assert r == {
        "sz-w-scjg": 1, "sz-w-sw": 2, "sz-w-rs": 3, "sz-w-ga": 4, "sz-w-zj": 5, "sz-w-yb": 6,
        "sz-w-wj": 7, "sz-w-gjj": 8, "sz-w-zrzy": 9, "sz-w-bdc": 10, "sz-w-st": 10,
        "sz-w-jt": 12, "sz-w-fg": 13,
    }
    # 双月考核排名 is the windows' own ranking of their 双月考核得分
    assert ranks(period, "defen", "chuangkou")["sz-w-gjj"] == 5  # 96.1
    assert period.units["sz-w-gjj"].total == D("96.1")


def test_window_honour(period):
    h = honour(period, "weimin-chuangkou", "chuangkou")
    # quota 7 of 局机关及直属单位、大厅窗口 in this group: places 1–7
    assert h.chosen == ("sz-w-scjg", "sz-w-sw", "sz-w-rs", "sz-w-ga", "sz-w-zj", "sz-w-yb", "sz-w-wj")


def test_window_not_eligible(period):
    # 商务局窗口: 进驻人员不足2人 → not assessed, not ranked, no honour, reason published
    assert period.units["sz-w-swu"].total is None
    reason = "本期不适用：进驻苏州市政务大厅人员不足2人，不在参评范围"
    assert ("sz-w-swu", reason) in ranking(period, "chuangkou-zong", "chuangkou").unranked
    assert all("sz-w-swu" not in h.chosen for h in period.honours)


# -- 市、区审批局: quota bites, a tie -------------------------------------------

def test_city_reform_quota(period):
    # 项目评审: 昆山 95, 园区 94, 张家港 92, 吴江 90, 高新区 89.5 | 常熟 88, 太仓 86, 吴中 85, 相城 84, 姑苏 82
    h = honour(period, "gaige-biaobing", "shi")
    assert h.chosen == ("sz-ks", "sz-sip", "sz-zjg", "sz-wj", "sz-snd")
    # quota 5 filled: 常熟 (6th, 88) and everyone below are listed as 名额已满
    assert h.excluded[0] == ("sz-cs", QUOTA_FULL)
    assert {u for u, why in h.excluded} == {"sz-cs", "sz-tc", "sz-wz", "sz-xc", "sz-gs"}
    assert period.composites["chuangxin"]["sz-snd"] == D("89.5")  # 1 × 89.5


def test_city_service_tie(period):
    # 评议得分: 常熟 93; 太仓 92, 姑苏 92; 吴中 91; 相城 90.5; 昆山 90 …
    r = ranks(period, "defen", "shi")
    assert (r["sz-cs"], r["sz-tc"], r["sz-gs"], r["sz-wz"], r["sz-xc"], r["sz-ks"]) == (1, 2, 2, 4, 5, 6)
    assert period.units["sz-tc"].total == period.units["sz-gs"].total == D("92")
    h = honour(period, "weimin-jiti", "shi")
    assert h.chosen == ("sz-cs", "sz-gs", "sz-tc", "sz-wz", "sz-xc")


# -- 开发区、镇审批局: the unit that did not apply in time ------------------------

def test_late_unit_has_no_honour(period):
    u = "sz-xcjk"
    assert period.units[u].status == "not_applicable"
    assert period.units[u].total is None
    reason = "本期不适用：逾期未报送申报材料，视作不申报"
    assert (u, reason) in ranking(period, "defen", "kfq").unranked
    assert all(u not in h.chosen for h in period.honours)
    # 评议得分 太仓港 92, 浒墅关 91.5, 常熟高新区 91 → quota 3
    assert honour(period, "weimin-jiti", "kfq").chosen == ("sz-tcg", "sz-xsg", "sz-csgx")
    # 未申报改革创新标兵 (no 项目评审 data): not ranked for that honour
    unranked = dict(ranking(period, "chuangxin", "kfq").unranked)
    assert set(unranked) == {"sz-xcjk", "sz-wzjk", "sz-ksgx"}


# -- totals per honour (名额配比) ---------------------------------------------

def test_quota_totals(period):
    def chosen(hid):
        return [u for h in period.honours if h.honour == hid for u in h.chosen]

    # 改革创新标兵 5 + 5 + 4 + (3 局机关 + 3 窗口) = 20
    assert len(chosen("gaige-biaobing")) == 20
    # 为民服务先进集体 5 + 3 + 2 + 3 局机关 + 7 窗口 = 20
    assert len(chosen("weimin-jiti")) + len(chosen("weimin-chuangkou")) == 20


def test_no_unit_holds_both_collective_honours(period):
    # “已重点推荐为改革创新标兵单位的，不再获评此项荣誉” cannot be expressed in the
    # scheme language; the sample data were checked by hand.  Guard that check.
    reform = {u for h in period.honours if h.honour == "gaige-biaobing" for u in h.chosen}
    service = {u for h in period.honours if h.honour in ("weimin-jiti", "weimin-chuangkou") for u in h.chosen}
    assert not reform & service
