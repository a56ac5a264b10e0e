"""剑阁县政务服务考核 (seed 002 篇三): engine results against hand-computed values.

Every expected value below was worked out by hand from the facts in
``scores/jiange-approval/2017.yaml`` and the rules in
``schemes/jiange-approval/2017.yaml``; the arithmetic is written next to it.

Group averages used by the two ``relative_to_average`` lines:

* 部门 主要效能指标综合值: (97.6 + 96.9 + 95.8 + 94.1 + 96.2 + 93.5 + 95.4 + 96.0
  + 93.9 + 92.8 + 92.4 + 95.1 + 94.6 + 94.3 + 93.0) / 15 = 1421.6 / 15 = 94.7733…
* 乡镇 效能指标综合值: (98.2 + 97.5 + 96.1 + 95.4 + 96.8 + 94.9 + 95.7 + 97.0
  + 98.6 + 94.2) / 10 = 964.4 / 10 = 96.44
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from site_builder.pipeline import check

ROOT = Path(__file__).resolve().parents[2]
SCHEME = "jiange-approval"
DISQ = "取消评先资格：有超期办件、有效投诉、效能或媒体曝光"


@pytest.fixture(scope="module")
def period():
    _, results = check(ROOT)
    return results[(SCHEME, "2017")]


def points(period, unit, line):
    return period.units[unit].line(line).points


def ranking(period, group):
    return next(g for g in period.rankings if g.ranking == "annual" and g.group == group)


def ranks(period, group):
    return {e.unit: e.rank for e in ranking(period, group).entries}


def honour(period, group):
    return next(h for h in period.honours if h.honour == "xianjin" and h.group == group)


# -- 部门: 县发改局, where the proportional cap bites ---------------------------

def test_fgj_lines_and_cap(period):
    u = "jg-fgj"
    # 信息目标任务: 10 × 15 ÷ 12 = 12.5 > 10 → capped at the line's 10 points
    line = period.units[u].line("bm-xinxi")
    assert line.points == D("10")
    assert line.raw == D("12.5")
    assert line.clip == "max"
    # 主要效能指标 97.6 ≥ group average 94.7733… → full 5
    assert points(period, u, "bm-ruanjian") == D("5")
    # 入驻率 100% reaches 100% → 5; 抽查合格率 100% → 5
    assert points(period, u, "bm-ruzhu") == D("5")
    assert points(period, u, "bm-choucha") == D("5")
    assert points(period, u, "bm-bzh") == D("14")  # 5 + 4.5 + 4.5
    assert points(period, u, "bm-spfw") == D("24.5")  # 5 + 5 + 4.5 + 5 + 5
    assert points(period, u, "bm-liangji") == D("19")  # 5 + 5 + 9
    assert points(period, u, "bm-xiaoneng") == D("34.5")  # 9.5 + 15 + 10
    assert points(period, u, "bm-hulianwang") == D("5")  # 3 + 2
    # 14 + 24.5 + 19 + 34.5 + 5 = 97
    assert period.units[u].total == D("97")
    assert ranks(period, "bm")[u] == 1
    # 折算: 97 ÷ 100 × 5 = 4.85
    assert period.conversions["mubiao"][u] == D("4.85")


# -- 部门: 县教育局, halved by one complaint and disqualified ------------------

def test_jyj_modifier_and_disqualification(period):
    u = "jg-jyj"
    r = period.units[u]
    # 超期办件、投诉和曝光: assessed 15, 1 件次 → 15 × 0.5 = 7.5
    assert points(period, u, "bm-tousu") == D("7.5")
    assert r.line("bm-tousu").disqualified
    # 行政效能 10 + 7.5 + 10 × 12 ÷ 12 = 27.5
    assert points(period, u, "bm-xiaoneng") == D("27.5")
    # 15 + 25 + 20 + 27.5 + 5 = 92.5 (96.9 ≥ 94.7733… → 软件 5)
    assert r.total == D("92.5")
    assert r.disqualified_by == ("有超期办件、有效投诉、效能或媒体曝光",)
    # still ranked (second), but never honoured, and the reason is published
    assert ranks(period, "bm")[u] == 2
    h = honour(period, "bm")
    assert u not in h.chosen
    assert (u, DISQ) in h.excluded
    # 折算: 92.5 ÷ 100 × 5 = 4.625 → 4.63 (四舍五入到两位)
    assert period.conversions["mubiao"][u] == D("4.63")


def test_hbj_two_incidents_score_nothing(period):
    u = "jg-hbj"
    # 2 件次 → 15 × 0 = 0
    assert points(period, u, "bm-tousu") == D("0")
    # bzh 4.5 + 5 + 4.5 = 14; spfw 0 (93.0 < 94.77) + 4.5 + 4 + 4 + 4.5 = 17;
    # liangji 5 + 5 + 7 = 17; xiaoneng 8 + 0 + 10 × 10 ÷ 12 = 16.3333…; hlw 2.5 + 2 = 4.5
    # 14 + 17 + 17 + 16.3333… + 4.5 = 68.8333… → 68.83
    assert period.units[u].total == D("68.83")
    assert ranks(period, "bm")[u] == 15
    assert (u, DISQ) in honour(period, "bm").excluded


# -- 部门: a tie at 91 (places 1, 2, 3, 3, 5) --------------------------------

def test_department_tie(period):
    # 县工商局: bzh 4.5 + 5 + 5 = 14.5; spfw 0 (94.3 < 94.7733…) + 5 + 5 + 5 + 5 = 20;
    # liangji 5 + 5 + 8 = 18; xiaoneng 8.5 + 15 + 10 = 33.5; hlw 5
    # 14.5 + 20 + 18 + 33.5 + 5 = 91
    assert points(period, "jg-gsj", "bm-ruanjian") == D("0")
    assert period.units["jg-gsj"].total == D("91")
    # 县人社局: bzh 15; spfw 5 + 5 + 5 + 4 + 5 = 24;
    # liangji 5 + 0 (抽查合格率 98.5% < 100%) + 10 = 15;
    # xiaoneng 9.5 + 15 + 10 × 9 ÷ 12 = 7.5 → 32; hlw 5
    # 15 + 24 + 15 + 32 + 5 = 91
    assert points(period, "jg-rsj", "bm-choucha") == D("0")
    assert points(period, "jg-rsj", "bm-xinxi") == D("7.5")
    assert period.units["jg-rsj"].total == D("91")
    # 县公安局: bzh 5 + 5 + 4 = 14; spfw 5 + 4.5 + 5 + 4 + 5 = 23.5; liangji 5 + 5 + 6 = 16;
    #           xiaoneng 9 + 15 + 10 × 10 ÷ 12 = 32.3333…; hlw 5
    #           14 + 23.5 + 16 + 32.3333… + 5 = 90.8333… → 90.83
    assert period.units["jg-gaj"].total == D("90.83")
    r = ranks(period, "bm")
    assert (r["jg-fgj"], r["jg-jyj"], r["jg-gsj"], r["jg-rsj"], r["jg-gaj"]) == (1, 2, 3, 3, 5)
    entries = {e.unit: e for e in ranking(period, "bm").entries}
    assert entries["jg-gsj"].tied and entries["jg-rsj"].tied
    assert not entries["jg-gaj"].tied


def test_department_honours(period):
    # top 3 places, ties included, the disqualified skipped:
    # 1 发改局 97; (2 教育局 92.5 取消评先资格); 3 工商局 91, 3 人社局 91
    h = honour(period, "bm")
    assert h.chosen == ("jg-fgj", "jg-gsj", "jg-rsj")
    assert dict(h.excluded) == {"jg-jyj": DISQ, "jg-hbj": DISQ}


# -- 乡镇 ------------------------------------------------------------------

def test_puan_cap(period):
    u = "jg-puan"
    # 信息目标任务 10 × 30 ÷ 24 = 12.5 → 10
    line = period.units[u].line("xz-xinxi")
    assert (line.points, line.raw, line.clip) == (D("10"), D("12.5"), "max")
    # 效能指标 98.2 ≥ 96.44 → 10
    assert points(period, u, "xz-xiaonengzhibiao") == D("10")
    # (5 + 10 + 5) + (10 + 5 + 5 + 10 + 9) + (9.5 + 10 + 10 + 10) = 20 + 39 + 39.5 = 98.5
    assert period.units[u].total == D("98.5")
    # 折算 98.5 ÷ 100 × 5 = 4.925 → 4.93
    assert period.conversions["mubiao"][u] == D("4.93")


def test_towns_disqualified(period):
    # 下寺镇: 1 件次 → 10 × 0.5 = 5;
    # (5 + 9.5 + 5) + (9.5 + 5 + 4.5 + 10 + 9) + (9 + 5 + 10 [97.5 ≥ 96.44] + 10 [24/24])
    # = 19.5 + 38 + 34 = 91.5
    assert points(period, "jg-xiasi", "xz-tousu") == D("5")
    assert period.units["jg-xiasi"].total == D("91.5")
    # 剑门关镇: 2 件次 → 0;
    # (5 + 10 + 5) + (10 + 5 + 5 + 10 + 9.5) + (9.5 + 0 + 10 + 10) = 20 + 39.5 + 29.5 = 89
    assert points(period, "jg-jianmenguan", "xz-tousu") == D("0")
    assert period.units["jg-jianmenguan"].total == D("89")
    h = honour(period, "xz")
    assert dict(h.excluded) == {"jg-xiasi": DISQ, "jg-jianmenguan": DISQ}
    # 普安镇 98.5 (1), 武连镇 95 (2), (下寺镇 91.5 (3) skipped), 开封镇 90.67 (4)
    # 武连镇: (5 + 9.5 + 5) + (9 + 5 + 4.5 + 9.5 + 8.5) + (9 + 10 + 10 + 10 [26/24 capped]) = 19.5 + 36.5 + 39 = 95
    # 开封镇: (5 + 7.5 + 5) + (9.5 + 5 + 4.5 + 8 + 8) + (9 + 10 + 10 + 10 × 22 ÷ 24 = 9.1666…)
    #        = 17.5 + 35 + 38.1666… = 90.6666… → 90.67
    assert period.units["jg-wulian"].total == D("95")
    assert period.units["jg-kaifeng"].total == D("90.67")
    assert h.chosen == ("jg-puan", "jg-wulian", "jg-kaifeng")


def test_town_tie(period):
    # 杨村镇: (4.5 + 9 + 5) + (9 + 4.5 + 4.5 + 9.5 + 8.5) + (8.5 + 10 + 0 [95.7 < 96.44] + 10) = 18.5 + 36 + 28.5 = 83
    # 元山镇: (5 + 9 + 4.5) + (9 + 5 + 4 + 9 + 9.5) + (8.5 + 9.5 + 0 [95.4 < 96.44] + 10) = 18.5 + 36.5 + 28 = 83
    # 白龙镇: (4.5 + 9 + 5) + (9 + 4.5 + 4.5 + 9.5 + 8) + (9 + 10 + 0 + 10 × 20 ÷ 24) = 18.5 + 35.5 + 27.3333… = 81.33
    assert period.units["jg-yangcun"].total == D("83")
    assert period.units["jg-yuanshan"].total == D("83")
    assert period.units["jg-bailong"].total == D("81.33")
    r = ranks(period, "xz")
    # 98.5, 95, 91.5, 90.67, 89, 83, 83, 81.33 → 1, 2, 3, 4, 5, 6, 6, 8
    assert (r["jg-jianmenguan"], r["jg-yangcun"], r["jg-yuanshan"], r["jg-bailong"]) == (5, 6, 6, 8)
    assert points(period, "jg-yangcun", "xz-xiaonengzhibiao") == D("0")


def test_every_unit_has_a_conversion(period):
    assert len(period.conversions["mubiao"]) == 25  # 15 部门 + 10 乡镇
