"""班级纪律、卫生流动红旗 (seed 002 篇五): engine results against hand-computed values.

Every expected value below was worked out by hand from the records in
``scores/school-red-flag/2024-W36.yaml`` … ``2024-W39.yaml`` and the rates in
``schemes/school-red-flag/2024.yaml``: each week 纪律 and 卫生 start at 200,
deductions and rewards per person-time or per occurrence, each side kept
within 0…200 (total 400).  The arithmetic is written next to each value.

The source has no veto and no disqualification clause; the "no honour, reason
shown" case is 六年级1班 in week 38, not assessed (本期不适用) with its reason.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from site_builder.pipeline import check

ROOT = Path(__file__).resolve().parents[2]
SCHEME = "school-red-flag"


@pytest.fixture(scope="module")
def results():
    _, res = check(ROOT)
    return res


@pytest.fixture(scope="module")
def weeks(results):
    return {w: results[(SCHEME, f"2024-W{w}")] for w in (36, 37, 38, 39)}


def ranking(period, group):
    return next(g for g in period.rankings if g.ranking == "week" and g.group == group)


def ranks(period, group):
    return {e.unit: e.rank for e in ranking(period, group).entries}


def flag(period, group):
    return next(h for h in period.honours if h.honour == "hongqi" and h.group == group)


# -- week 36, 低年级组 -------------------------------------------------------

def test_w36_reward_capped_at_200(weeks):
    r = weeks[36].units["xx-1-2"]
    # 集会表扬 1 人次: 200 + 2 = 202 → 纪律 at most 200
    jilv = r.line("jilv")
    assert (jilv.points, jilv.raw, jilv.clip) == (D("200"), D("202"), "max")
    assert r.line("weisheng").points == D("200")  # nothing recorded
    assert r.total == D("400")  # 200 + 200


def test_w36_tie_at_second_place(weeks):
    w = weeks[36]
    # 一年级1班: 纪律 200 − 2×1 (拖鞋) − 1×2 (上操) = 196; 卫生 200 − 2×1 (桌椅) = 198; 394
    assert w.units["xx-1-1"].line("jilv").points == D("196")
    assert w.units["xx-1-1"].line("weisheng").points == D("198")
    assert w.units["xx-1-1"].total == D("394")
    # 二年级1班: 纪律 200 − 2×2 (午休追跑) = 196; 卫生 200 − 1×2 (教室脏物) = 198; 394
    assert w.units["xx-2-1"].total == D("394")
    # 二年级2班: 纪律 200 − 1 (粗话) − 1 (拖鞋) = 198; 卫生 200 − 2×2 (杂物) − 1 (桌椅) = 195; 393
    assert w.units["xx-2-2"].total == D("393")
    # 三年级1班: 200 − 5 (打架) = 195; 200 − 5 (打扫超时) = 195; 390
    assert w.units["xx-3-1"].total == D("390")
    # 三年级2班: 200 − 10 (三不准) = 190; 200 − 2×1 = 198; 388
    assert w.units["xx-3-2"].total == D("388")
    # 400, 394, 394, 393, 390, 388 → 1, 2, 2, 4, 5, 6
    assert ranks(w, "di") == {"xx-1-2": 1, "xx-1-1": 2, "xx-2-1": 2, "xx-2-2": 4, "xx-3-1": 5, "xx-3-2": 6}
    assert flag(w, "di").chosen == ("xx-1-2",)


def test_w36_high_grades(weeks):
    w = weeks[36]
    # 五年级1班: 纪律 200 − 1 (粗话) + 2 (举报) = 201 → 200; 卫生 200 − 1 = 199; 399
    assert w.units["xx-5-1"].line("jilv").points == D("200")
    assert w.units["xx-5-1"].total == D("399")
    # 六年级2班: 200 − 1×2 (开灯) = 198; 200 − 2 = 198; 396
    assert w.units["xx-6-2"].total == D("396")
    # 六年级1班: 200 − 5 (与学习无关的活动) = 195; 200 − 2 (大扫除) = 198; 393
    assert w.units["xx-6-1"].total == D("393")
    assert flag(w, "gao").chosen == ("xx-5-1",)
    assert flag(w, "gao").streaks == {"xx-5-1": 1}


# -- week 37: a tie for fourth, the flag moves ------------------------------

def test_w37(weeks):
    w = weeks[37]
    # 四年级1班: 纪律 200; 卫生 200 − 1 (桌椅) + 2 (检举有功) = 201 → 200; 400
    assert w.units["xx-4-1"].line("weisheng").raw == D("201")
    assert w.units["xx-4-1"].total == D("400")
    # 四年级2班: 200 − 2 (快齐静) − 1×2 (拖鞋) = 196; 200; 396
    # 五年级2班: 200 − 2 (推拉桌椅) = 198; 200 − 2 (丢果皮) = 198; 396
    assert w.units["xx-4-2"].total == D("396")
    assert w.units["xx-5-2"].total == D("396")
    # 400, 398, 397, 396, 396, 392 → 1, 2, 3, 4, 4, 6
    assert ranks(w, "gao") == {"xx-4-1": 1, "xx-5-1": 2, "xx-6-2": 3, "xx-4-2": 4, "xx-5-2": 4, "xx-6-1": 6}
    assert flag(w, "gao").chosen == ("xx-4-1",)
    # 一年级2班 again first in 低年级组: 200 − 1 (拖鞋) = 199; 200; 399
    assert w.units["xx-1-2"].total == D("399")
    assert flag(w, "di").streaks == {"xx-1-2": 2}


# -- week 38: a class not assessed; a tie 1, 2, 2, 4 ------------------------

def test_w38_not_assessed_class(weeks):
    w = weeks[38]
    r = w.units["xx-6-1"]
    assert r.status == "not_applicable"
    assert r.total is None
    gr = ranking(w, "gao")
    assert "xx-6-1" not in {e.unit for e in gr.entries}
    assert dict(gr.unranked) == {"xx-6-1": "本期不适用：本周全年级外出参加社会实践活动，不参加评比"}
    assert "xx-6-1" not in flag(w, "gao").chosen


def test_w38_ranks_and_streaks(weeks):
    w = weeks[38]
    # 四年级1班 200 − 1 + 200 = 399; 五年级1班 (200 − 1) + (200 − 2) = 397;
    # 六年级2班 (200 − 2) + (200 − 1) = 397; 五年级2班 200 + (200 − 5) = 395;
    # 四年级2班 (200 − 5 未关灯) + (200 − 1) = 394 → 1, 2, 2, 4, 5
    assert ranks(w, "gao") == {"xx-4-1": 1, "xx-5-1": 2, "xx-6-2": 2, "xx-5-2": 4, "xx-4-2": 5}
    assert w.units["xx-5-1"].total == w.units["xx-6-2"].total == D("397")
    # 一年级2班: nothing recorded → 200 + 200 = 400, third week running
    assert w.units["xx-1-2"].total == D("400")
    assert flag(w, "di").streaks == {"xx-1-2": 3}
    assert flag(w, "gao").streaks == {"xx-4-1": 2}


# -- week 39: the streak is broken in 低年级组 ---------------------------------

def test_w39(weeks):
    w = weeks[39]
    # 一年级2班: 纪律 200 − 10 (偷摸) = 190; 卫生 200; 390 → last of six
    assert w.units["xx-1-2"].line("jilv").points == D("190")
    assert w.units["xx-1-2"].total == D("390")
    assert ranks(w, "di")["xx-1-2"] == 6
    # 二年级2班: 200 + 2 (集会表扬) = 202 → 200; 200; 400
    assert w.units["xx-2-2"].total == D("400")
    assert flag(w, "di").chosen == ("xx-2-2",)
    assert flag(w, "di").streaks == {"xx-2-2": 1}
    # 五年级2班: 200 − 1 (拖鞋) + 2 (举报三不准) = 201 → 200; 200 − 1 = 199; 399
    assert w.units["xx-5-2"].total == D("399")
    # 六年级2班: 200 − 10 (三不准) = 190; 200; 390
    assert w.units["xx-6-2"].total == D("390")
    # 四年级1班 400: fourth week, third in a row (W37, W38, W39)
    assert flag(w, "gao").chosen == ("xx-4-1",)
    assert flag(w, "gao").streaks == {"xx-4-1": 3}
