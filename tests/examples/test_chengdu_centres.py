"""成都市区（市）县政府政务服务中心考核细则 (seed 002 篇一): hand-computed checks.

实得分 = 基本分 70 + 加分 (each 第九条 item capped, all ≤ 30) − 减分 (≤ 加分总数).
Expected values are worked out by hand from ``scores/chengdu-centres/2013.yaml``.
篇一 has no 一票否决 clause; the honour check here is the 30% share per 圈层
with a tie at the limit.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from site_builder.pipeline import check

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def year():
    _, res = check(ROOT)
    return res[("chengdu-centres", "2013")]


def pts(r, unit, line):
    return r.units[unit].line(line).points


def entries(r, group):
    gr = next(g for g in r.rankings if g.ranking == "year" and g.group == group)
    return [(e.unit, e.rank) for e in gr.entries]


def honour(r, group):
    return next(h for h in r.honours if h.honour == "youxiu" and h.group == group)


def test_deductions_capped_by_bonus_pixian(year):
    u = year.units["cd-pixian"]
    # 加分: 第九条（一）2 + （二）1 = 3
    assert pts(year, "cd-pixian", "jf") == D(3)
    # 减分: 超时办结 1 项 × 2 + 通报批评 1 次 × 5 = 7 ; 同一单位减分总数不超过加分总数 → 3
    kf = u.line("kf")
    assert kf.raw == D(-7)
    assert kf.points == D(-3)
    assert kf.clip == "cap"
    # 70 + 3 − 3 = 70
    assert u.total == D("70.00")
    assert entries(year, "quan2")[-1] == ("cd-pixian", 6)


def test_item_cap_wuhou(year):
    u = year.units["cd-wuhou"]
    # （四）刊物: 省级 3 篇 × 1 + 国家级 1 篇 × 1.5 = 4.5 > 4 → 4
    assert u.line("jf4").raw == D("4.5")
    assert pts(year, "cd-wuhou", "jf4") == D(4)
    assert u.line("jf4").clip == "cap"
    # （五）市委、市政府表彰 2 次 × 1 = 2 ; （六）国家级 1.5 + 省级 1 = 2.5 ; （三）3 × 0.5 = 1.5
    assert pts(year, "cd-wuhou", "jf5") == D(2)
    assert pts(year, "cd-wuhou", "jf6") == D("2.5")
    assert pts(year, "cd-wuhou", "jf3") == D("1.5")
    # 加分 5 + 5 + 1.5 + 4 + 2 + 2.5 + 1 (会议 2 × 0.5) + 1 (交办 2 × 0.5) + 0.5 (其它 1 × 0.5) = 22.5
    assert pts(year, "cd-wuhou", "jf") == D("22.5")
    # 减分: 不使用普通话 1 次 × 2 = 2 (≤ 22.5, cap does not bite)
    assert pts(year, "cd-wuhou", "kf") == D(-2)
    assert u.line("kf").clip is None
    # 70 + 22.5 − 2 = 90.5
    assert u.total == D("90.50")
    assert honour(year, "quan1").chosen == ("cd-wuhou",)


def test_tie_at_share_limit_quan3(year):
    # 彭州市: 4.5 + 4 + 0.5 (创新 1) + 1 (市级刊物 2 × 0.5) + 1 (区县级表彰 2 × 0.5) + 1 (省级媒体) + 0.5 (交办 1)
    #       = 12.5 ; 70 + 12.5 = 82.5
    assert year.units["cd-pengzhou"].total == D("82.50")
    # 邛崃市: 4 + 4.5 + 1 (创新 2) + 1 (省级刊物) + 1 (市政府表彰) + 1 (市级媒体 2 × 0.5)
    #       + 0.5 (会议) + 1 (交办 2) + 0.5 (其它) = 14.5 ; 减 文明用语 1 次 × 2 → 70 + 14.5 − 2 = 82.5
    assert year.units["cd-qionglai"].total == D("82.50")
    # 都江堰市: 5 + 4.5 + 1 + 1 + 1 + 1.5 (国家级媒体) + 0.5 + 0.5 = 15 → 85
    assert year.units["cd-dujiangyan"].total == D("85.00")
    # 金堂县: 4 + 4 + 0.5 + 0.5 (区县级表彰) + 1 (市级媒体 2) + 1 (交办 2) = 11 → 81
    assert year.units["cd-jintang"].total == D("81.00")
    # competition ranking 1, 2, 2, 4
    assert entries(year, "quan3")[:4] == [("cd-dujiangyan", 1), ("cd-pengzhou", 2), ("cd-qionglai", 2), ("cd-jintang", 4)]
    # 8 units × 30% = 2.4 → at most 2 ; the tied pair would make 3 → neither is chosen
    h = honour(year, "quan3")
    assert h.chosen == ("cd-dujiangyan",)
    assert dict(h.excluded) == {
        "cd-pengzhou": "名额末位并列，按规定均不入选",
        "cd-qionglai": "名额末位并列，按规定均不入选",
    }


def test_one_excellent_in_six(year):
    # 6 units × 30% = 1.8 → 1 per 圈层 of six
    # 龙泉驿区: 5 + 4.5 + 1 + 1 + 1 + 1 + 1 (会议 2) + 0.5 = 15 → 85
    assert year.units["cd-longquanyi"].total == D("85.00")
    assert honour(year, "quan2").chosen == ("cd-longquanyi",)
    assert len(honour(year, "quan1").chosen) == 1


def test_assessed_special_deduction_dayi(year):
    # 大邑县: 加分 3.5 + 3 + 0.5 + 0.5 + 0.5 = 8 ; 减分 超时 2 + 考核小组审定 1 = 3 (≤ 8) → 70 + 8 − 3 = 75
    assert pts(year, "cd-dayi", "kf7") == D(-1)
    assert pts(year, "cd-dayi", "kf") == D(-3)
    assert year.units["cd-dayi"].total == D("75.00")


def test_all_twenty_centres(year):
    sizes = {g: len(entries(year, g)) for g in ("quan1", "quan2", "quan3")}
    assert sizes == {"quan1": 6, "quan2": 6, "quan3": 8}
