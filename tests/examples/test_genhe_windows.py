"""根河市政务服务中心进驻部门考核 (seed 003): engine results against hand-computed values.

Expected values are worked out by hand from ``scores/genhe-windows/2021-Q1.yaml``
and ``2021-Q2.yaml`` with the rules of ``schemes/genhe-windows/2021.yaml``.
A window with full marks on every line has 15 + 40 + 22 + 13 = 90 before 加分项.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from site_builder.pipeline import check

ROOT = Path(__file__).resolve().parents[2]
SCHEME = "genhe-windows"


@pytest.fixture(scope="module")
def checked():
    return check(ROOT)  # (project, results), computed once for the module


@pytest.fixture(scope="module")
def results(checked):
    return checked[1]


@pytest.fixture(scope="module")
def q1(results):
    return results[(SCHEME, "2021-Q1")]


@pytest.fixture(scope="module")
def q2(results):
    return results[(SCHEME, "2021-Q2")]


def pts(period, unit, line):
    return period.units[unit].line(line).points


def entries(period):
    gr = next(g for g in period.rankings if g.ranking == "quarter" and g.group == "jzbm")
    return [(e.unit, e.rank) for e in gr.entries]


def honour(period):
    return next(h for h in period.honours if h.honour == "xianjin")


def test_scheme_total_is_90_plus_bonus(checked):
    project, _ = checked
    sv = project.current_version(SCHEME)
    tops = {n.id: n.max for n in sv.scheme.indicators}
    # 一级指标 15 + 40 + 22 + 13 = 90 ; 加分项 10 (in_total) → 100
    assert tops == {"ldzs": D(15), "ywgl": D(40), "rcgl": D(22), "zhgz": D(13), "jfx": D(10)}
    assert sv.scheme.total == D(100)


# -- caps: 帮办代办 “最多得分不超过6分”, 表彰加分 “总分数不超过10分” (税务局, Q1) ----------

def test_caps_bite_swj_q1(q1):
    u = q1.units["gh-swj"]
    # 帮办代办: 8 个项目 × 1 = 8 > 6 → 6
    assert u.line("bbdb").raw == D(8)
    assert u.line("bbdb").points == D(6)
    assert u.line("bbdb").clip == "max"
    # 网办件 25 件 → “11件及以上” 2 分
    assert pts(q1, "gh-swj", "wsb-bjs") == D(2)
    # 日常管理: 仪容仪表 1 项 × 0.5 → 5 − 0.5 = 4.5 ; 4.5 + 5 + (5 + 4) + 3 = 21.5
    assert pts(q1, "gh-swj", "rcgl") == D("21.5")
    # 综合工作: 信息报送“较好” 4 + 2 + 5 = 11
    assert pts(q1, "gh-swj", "zhgz") == D(11)
    # 表彰加分: 活动获奖 4 (酌情) + 表扬 3 × 1 + 自治区级表彰 2 + 全程网办 2 = 11 > 10 → 10
    bz = u.line("bzjf")
    assert bz.raw == D(11) and bz.points == D(10) and bz.clip == "cap"
    # 15 + 40 + 21.5 + 11 = 87.5 ; + 10 = 97.5
    assert u.base == D("87.5")
    assert u.total == D("97.50")
    assert entries(q1)[0] == ("gh-swj", 1)


# -- 取消评先资格: 服务态度 “一次扣2分 … 并取消窗口本季度评选先进资格” (公安局, Q1) ----------

def test_disqualified_gaj_q1(q1):
    u = q1.units["gh-gaj"]
    # 争吵被投诉 1 次 → “1次”档 3 分 (5 − 2)
    assert pts(q1, "gh-gaj", "fwtd-zc") == D(3)
    # 考勤: 2 人次 × 0.5 = 1 → 4
    assert pts(q1, "gh-gaj", "kq") == D(4)
    # 日常管理 5 + 4 + 3 + 4 + 3 = 19 ; 基本 15 + 40 + 19 + 13 = 87 ; 加分 4 + 2 × 1 + 市级 1 = 7 → 94
    assert u.base == D(87)
    assert u.total == D("94.00")
    assert entries(q1)[1] == ("gh-gaj", 2)
    assert u.disqualified_by == ("窗口工作人员与服务对象发生争吵被投诉属实，取消窗口本季度评选先进资格",)
    h = honour(q1)
    # 人社局: 网上咨询超时 0 (−2), 办事指南不一致 1 次 (−1) → 15 + 37 + 22 + 13 = 87 ; 加分 3 + 1 + 2 = 6 → 93
    assert q1.units["gh-rsj"].total == D("93.00")
    # top 3 skip the disqualified window: 税务局 (1), 人社局 (3), then the 4th place
    assert h.chosen[:2] == ("gh-swj", "gh-rsj") and len(h.chosen) == 3
    assert "gh-gaj" not in h.chosen
    assert dict(h.excluded)["gh-gaj"] == "取消评先资格：窗口工作人员与服务对象发生争吵被投诉属实，取消窗口本季度评选先进资格"


# -- 一票否决 (市场监管局, Q2) and a tie 1, 2, 2, 4 ------------------------------------------

def test_veto_scjg_q2(q2):
    u = q2.units["gh-scjg"]
    # 办件信息录入: 40 件中错 2 件 (2 × 2 = 4 ≤ 40) → 2 − 2 × 0.5 = 1
    assert pts(q2, "gh-scjg", "wsb-lr") == D(1)
    # 基本 15 + 39 + 22 + 13 = 89 ; 加分 国家级 3 + 表扬 2 + 活动获奖 2 = 7 → 96
    assert u.total == D("96.00")
    # effect no_honour: the total stands and it keeps first place …
    assert [v.id for v in u.vetoes] == ["tongbao"]
    assert entries(q2)[0] == ("gh-scjg", 1)
    # … but it is not chosen, and the reason is published
    h = honour(q2)
    assert "gh-scjg" not in h.chosen
    assert dict(h.excluded)["gh-scjg"] == (
        "一票否决：被市本级和上级纪委监委部门通报批评（5月月度考核中，窗口工作人员违规收受服务对象礼品被市纪委监委通报批评）"
    )


def test_tie_q2(q2):
    # 人社局: 仪容仪表 3 × 0.5 = 1.5 → 3.5 ; 基本 90 − 1.5 = 88.5 ; 加分 表扬 2 + 市级 2 × 1 = 4 → 92.5
    assert q2.units["gh-rsj"].total == D("92.50")
    # 医保局: 会议不在中心 −2, 网办件 4 件 → 1 (−1), 考勤 1 人次 −0.5 → 90 − 3.5 = 86.5 ; 加分 5 + 1 = 6 → 92.5
    assert q2.units["gh-ybj"].total == D("92.50")
    # 税务局: 领导带班缺 1 次 −1, 录入 30 件错 1 件 → 1.5 (−0.5) → 88.5 ; 加分 自治区级 2 + 表扬 1 = 3 → 91.5
    assert pts(q2, "gh-swj", "wsb-lr") == D("1.5")
    assert q2.units["gh-swj"].total == D("91.50")
    assert entries(q2)[:4] == [("gh-scjg", 1), ("gh-rsj", 2), ("gh-ybj", 2), ("gh-swj", 4)]
    # 先进窗口 top 3 with 市场监管局 vetoed: places 2, 2 and 4
    assert honour(q2).chosen == ("gh-rsj", "gh-ybj", "gh-swj")


def test_disqualification_is_per_quarter(q2):
    # 公安局 was disqualified in Q1 only
    assert q2.units["gh-gaj"].disqualified_by == ()


def test_formula_edges_q2(q2):
    # 交通运输局: 4 件中错 3 件, 3 × 2 = 6 > 4 → “错件超过50%的不得分” → 0
    assert pts(q2, "gh-jtj", "wsb-lr") == D(0)
    # 林草局: 本季度无办件 → 基础分 1 ; 帮办代办无办件 → 基础分 1
    assert pts(q2, "gh-lcj", "wsb-lr") == D(1)
    assert pts(q2, "gh-lcj", "bbdb") == D(1)
    # 林草局: 90 − 1 (无网办事项 1) − 1.5 (无网办件 0.5) − 2 (无咨询事项 0) − 1 (录入 1) − 5 (帮办 1) = 79.5
    assert q2.units["gh-lcj"].total == D("79.50")


def test_public_notice_status(checked):
    project, _ = checked
    p = next(p for p in project.periods if p.scheme == SCHEME and p.id == "2021-Q2")
    assert p.status == "public_notice"
    assert p.scores.public_notice is not None
