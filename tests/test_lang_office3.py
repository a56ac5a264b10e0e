"""Acceptance test of issue 8 (part N): a 政务服务中心 rating its service windows monthly, from the docs only.

The clerk's office (seed 002: 基本分 plus capped 加分 minus 减分, 有效投诉 bars honours) writes:

* ``ckpb`` 政务服务中心窗口月度考评细则, monthly, 8 windows in two groups (综合受理区 w1–w4, 专项服务区 w5–w8):
  four 基础分 lines adding up to 100 (工作纪律 40 and 办件效能 30 deducted per occurrence, each kind capped;
  群众满意度 20 from the imported rate by a formula with ``round``; 差评 10 compared with the centre's average
  by ``group_mean`` over both groups), 加分 capped at 5, a ``no_honour`` veto for a 有效投诉, 红旗窗口 top 2
  per group, every line rounded to 1 place and the total the sum of the lines.  Months 2025-10, 11, 12.
* ``ckpb`` version "2026" ``extends`` "2025" and lowers one cap (迟到早退 at most 2 points instead of 3);
  month 2026-01 is scored under it.
* ``ckxj`` 窗口季度星级评定, quarterly (2025-Q4), reads the months (``inputs`` + ``history``) and publishes
  三星/二星/一星/不评星 with a reward (``grades``, reading ``zp.vetoed``).

Every figure is worked out by hand in the comments next to it.
"""

from __future__ import annotations

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
title: 某区政务服务中心窗口考评公示
organisation: 某区政务服务中心
sample: true
"""

UNITS = """\
units:
  - {id: w1, name: 不动产登记窗口}
  - {id: w2, name: 社保医保窗口}
  - {id: w3, name: 税务窗口}
  - {id: w4, name: 公积金窗口}
  - {id: w5, name: 企业开办窗口}
  - {id: w6, name: 工程建设窗口}
  - {id: w7, name: 公安户政窗口}
  - {id: w8, name: 市场监管窗口}
"""

MONTHLY = """\
title: 政务服务中心窗口月度考评细则
issuer: 某区政务服务中心
effective: {from: 2025-01-01, until: 2025-12-31}
total: 100
period: {kind: month}
rounding: {places: 1, at: line, total: sum_of_lines}
groups:
  - {id: g1, name: 综合受理区, units: [w1, w2, w3, w4]}
  - {id: g2, name: 专项服务区, units: [w5, w6, w7, w8]}
indicators:
  - id: conduct
    name: 工作纪律
    max: 40
    clause: 迟到早退每人次扣1分，最多扣3分；脱岗每人次扣2分，最多扣6分；未按规定着装每人次扣0.5分，最多扣2分。
    rule:
      kind: per_occurrence
      rates:
        - {id: late, name: 迟到早退, per: 1, cap: 3, noun: 人次}
        - {id: absent, name: 脱岗, per: 2, cap: 6, noun: 人次}
        - {id: dress, name: 未按规定着装, per: 0.5, cap: 2, noun: 人次}
  - id: efficiency
    name: 办件效能
    max: 30
    clause: 超过承诺时限办结的，每件扣2分，最多扣6分。
    rule: {kind: per_occurrence, per: 2, cap: 6, noun: 件}
  - id: satisfaction
    name: 群众满意度
    max: 20
    clause: 群众满意度按“好差评”系统导入的满意率计分，满意率98%及以上得20分，每低1个百分点扣1.5分，扣分保留1位小数。
    rule:
      kind: formula
      inputs: [rate]
      let:
        lost: round(max(98 - rate, 0) * 1.5, 1)
      labels: {rate: 满意率, lost: 满意度扣分}
      expr: max - lost
  - id: bad
    name: 差评整改
    max: 10
    clause: 当月差评条数高于全中心窗口平均数的，每高1条扣1分，最多扣5分。
    rule:
      kind: formula
      inputs: [bad]
      peers: [g1, g2]
      peers_name: 全中心各窗口
      let:
        avg: group_mean(bad)
        over: round(max(bad - avg, 0), 1)
      labels: {bad: 差评条数, avg: 全中心平均差评条数, over: 超出条数}
      expr: max - min(over, 5)
  - id: bonus
    name: 加分项目
    type: bonus
    max: 5
    clause: 收到群众锦旗表扬的每次加1分，受到媒体正面报道的每次加2分，累计不超过5分。
    rule:
      kind: per_occurrence
      cap: 5
      rates:
        - {id: praise, name: 锦旗表扬, per: 1}
        - {id: media, name: 媒体正面报道, per: 2}
vetoes:
  - {id: complaint, name: 有效投诉, effect: no_honour}
rankings:
  - {id: month, name: 月度排名}
honours:
  - {id: redflag, name: 红旗窗口, ranking: month, select: {top: 2}}
"""

MONTHLY_2026 = """\
extends: "2025"
title: 政务服务中心窗口月度考评细则（2026年修订）
effective: {from: 2026-01-01}
changes:
  - 迟到早退扣分上限由3分调整为2分。
change:
  - indicator: conduct
    set:
      clause: 迟到早退每人次扣1分，最多扣2分；脱岗每人次扣2分，最多扣6分；未按规定着装每人次扣0.5分，最多扣2分。
      rule:
        kind: per_occurrence
        rates:
          - {id: late, name: 迟到早退, per: 1, cap: 2, noun: 人次}
          - {id: absent, name: 脱岗, per: 2, cap: 6, noun: 人次}
          - {id: dress, name: 未按规定着装, per: 0.5, cap: 2, noun: 人次}
"""

QUARTER = """\
title: 政务服务中心窗口季度星级评定办法
issuer: 某区政务服务中心
effective: {from: 2025-01-01}
total: 3
period: {kind: quarter}
inputs:
  - {scheme: ckpb, name: 窗口月度考评, as: zp}
groups:
  - {id: g1, name: 综合受理区, units: [w1, w2, w3, w4]}
  - {id: g2, name: 专项服务区, units: [w5, w6, w7, w8]}
indicators:
  - id: flags
    name: 红旗窗口
    max: 3
    clause: 本季度获得红旗窗口3次的得3分，2次的得2分，1次的得1分。
    rule:
      kind: history
      scheme: ckpb
      label: 本季度获得红旗窗口的次数
      unit: 次
      measure: held
      honour: redflag
      brackets:
        - {min: 3, points: 3}
        - {min: 2, max: 2, points: 2}
        - {min: 1, max: 1, points: 1}
        - {max: 0, points: 0}
rankings:
  - {id: q, name: 季度排名}
grades:
  show: both
  levels:
    - id: three
      name: 三星窗口
      when: "total >= 3 and zp.vetoed == 0"
      rewards: [{amount: 1000, per: 窗口, name: 窗口奖励}]
    - id: two
      name: 二星窗口
      when: "total >= 2 and zp.vetoed == 0"
      rewards: [{amount: 500, per: 窗口, name: 窗口奖励}]
    - {id: one, name: 一星窗口, when: "total >= 1 and zp.vetoed == 0"}
    - {id: none, name: 不评星}
"""

ORDER = ("conduct", "efficiency", "satisfaction", "bad", "bonus")


def _month(period, version, number, date, rows):
    """rows: unit → (工作纪律 counts, 超时件数, 满意率, 差评条数, 加分 counts, 有效投诉 reason or None)."""
    out = [f'scheme: ckpb\nversion: "{version}"\nperiod: {period}\nstatus: published\n'
           f"notice: {{date: {date}, number: {number}}}\nunits:\n"]
    for unit, (conduct, late_jobs, rate, bad, bonus, veto) in rows.items():
        out.append(f"  {unit}:\n")
        if veto:
            out.append(f"    vetoes: [{{id: complaint, reason: {veto}}}]\n")
        out.append("    facts:\n")
        if conduct:
            out.append(f"      conduct: {{counts: {conduct}}}\n")
        if late_jobs:
            out.append(f"      efficiency: {late_jobs}\n")
        out.append(f"      satisfaction: {{values: {{rate: {rate}}}}}\n")
        out.append(f"      bad: {{values: {{bad: {bad}}}}}\n")
        if bonus:
            out.append(f"      bonus: {{counts: {bonus}}}\n")
    return "".join(out)


M10 = _month("2025-10", "2025", "政服〔2025〕40号", "2025-11-05", {
    "w1": ("{late: 4}", 0, 98.5, 2, "{praise: 1}", None),
    "w2": ("{absent: 1}", 1, 96.4, 5, None, None),
    "w3": (None, 0, 99, 0, "{media: 1}", "10月12日办理税务登记推诿群众，经查属实"),
    "w4": ("{dress: 2}", 4, 95.25, 1, None, None),
    "w5": (None, 0, 97, 3, "{praise: 3, media: 2}", None),
    "w6": ("{late: 1}", 0, 98, 0, None, None),
    "w7": ("{absent: 4}", 1, 92, 8, None, None),
    "w8": (None, 0, 98.8, 1, "{praise: 1}", None),
})

M11 = _month("2025-11", "2025", "政服〔2025〕44号", "2025-12-05", {
    "w1": (None, 0, 99, 1, None, None),
    "w2": ("{late: 2}", 0, 98.2, 2, "{praise: 2}", None),
    "w3": (None, 0, 97.5, 0, None, None),
    "w4": ("{absent: 1}", 0, 98, 1, None, None),
    "w5": (None, 1, 98.6, 4, None, None),
    "w6": (None, 0, 99.1, 0, "{media: 1}", None),
    "w7": ("{late: 1}", 0, 97.9, 3, None, "11月6日户籍迁移材料一次性告知不到位，经查属实"),
    "w8": ("{dress: 1}", 0, 98.5, 1, None, None),
})

M12 = _month("2025-12", "2025", "政服〔2026〕2号", "2026-01-06", {
    "w1": ("{late: 1}", 0, 98.9, 0, "{praise: 1}", None),
    "w2": (None, 2, 98, 6, None, None),
    "w3": (None, 0, 99, 1, "{praise: 2}", None),
    "w4": ("{dress: 1}", 0, 98.3, 1, None, None),
    "w5": (None, 0, 99.2, 2, "{media: 1}", None),
    "w6": ("{absent: 1}", 0, 96, 2, None, None),
    "w7": (None, 0, 98, 0, None, None),
    "w8": ("{late: 3}", 0, 98.1, 4, None, None),
})

M01 = _month("2026-01", "2026", "政服〔2026〕8号", "2026-02-05", {
    "w1": ("{late: 4}", 0, 98, 1, None, None),
    **{u: (None, 0, 98, 1, None, None) for u in ("w2", "w3", "w4", "w5", "w6", "w7", "w8")},
})

STARS = """\
scheme: ckxj
version: "2025"
period: 2025-Q4
status: published
notice: {date: 2026-01-10, number: 政服〔2026〕3号}
units:
  w1: {}
  w2: {}
  w3: {}
  w4: {}
  w5: {}
  w6: {}
  w7: {}
  w8: {}
"""

FILES = {
    "site.yaml": SITE,
    "units/units.yaml": UNITS,
    "schemes/ckpb/2025.yaml": MONTHLY,
    "schemes/ckpb/2026.yaml": MONTHLY_2026,
    "schemes/ckxj/2025.yaml": QUARTER,
    "scores/ckpb/2025-10.yaml": M10,
    "scores/ckpb/2025-11.yaml": M11,
    "scores/ckpb/2025-12.yaml": M12,
    "scores/ckpb/2026-01.yaml": M01,
    "scores/ckxj/2025-Q4.yaml": STARS,
}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return checked_project(tmp_path_factory.mktemp("office3"), FILES)


@pytest.fixture(scope="module")
def res(office):
    return office[1]


@pytest.fixture(scope="module")
def site(office):
    return built_site(office[0])


def lines(pr) -> dict[str, tuple]:
    return {u: tuple(points(pr, u).get(k, 0) for k in ORDER) for u in pr.units}


def check_output(tmp_path: Path, changes: dict[str, str]) -> tuple[int, str]:
    return check_files(tmp_path, FILES, changes)


# ------------------------------------------------------------------ the months (version 2025)


def test_october_lines_caps_formulas_and_flags(res):
    pr = res[("ckpb", "2025-10")]
    # 工作纪律 40: w1 迟到早退 4 × 1 = 4 > 此类上限 3 → 37; w2 脱岗 1 × 2 → 38; w4 着装 2 × 0.5 → 39;
    #              w6 迟到 1 → 39; w7 脱岗 4 × 2 = 8 > 6 → 34; w3, w5, w8 none → 40
    # 办件效能 30: w2 1 件 × 2 → 28; w4 4 × 2 = 8 > 6 → 24; w7 1 → 28; others 30
    # 群众满意度 20 = 20 − round(max(98 − rate, 0) × 1.5, 1):
    #   w1 98.5 → 20; w2 96.4 → 1.6 × 1.5 = 2.4 → 17.6; w3 99 → 20; w4 95.25 → 2.75 × 1.5 = 4.125 → 4.1 → 15.9
    #   w5 97 → 1.5 → 18.5; w6 98 → 20; w7 92 → 9 → 11; w8 98.8 → 20
    # 差评整改 10: 全中心平均 (2 + 5 + 0 + 1 + 3 + 0 + 8 + 1) / 8 = 20 / 8 = 2.5;
    #   w2 5 − 2.5 = 2.5 → 7.5; w5 3 − 2.5 = 0.5 → 9.5; w7 8 − 2.5 = 5.5, at most 5 → 5; others at or below → 10
    # 加分 (≤ 5): w1 锦旗 1 → 1; w3 媒体 1 → 2; w5 锦旗 3 + 媒体 2 × 2 = 7 > 5 → 5; w8 锦旗 1 → 1
    assert lines(pr) == {
        "w1": (37, 30, 20, 10, 1), "w2": (38, 28, D("17.6"), D("7.5"), 0),
        "w3": (40, 30, 20, 10, 2), "w4": (39, 24, D("15.9"), 10, 0),
        "w5": (40, 30, D("18.5"), D("9.5"), 5), "w6": (39, 30, 20, 10, 0),
        "w7": (34, 28, 11, 5, 0), "w8": (40, 30, 20, 10, 1)}
    # totals (sum of the published lines): w1 37 + 30 + 20 + 10 + 1 = 98; w2 38 + 28 + 17.6 + 7.5 = 91.1;
    #   w3 102; w4 39 + 24 + 15.9 + 10 = 88.9; w5 40 + 30 + 18.5 + 9.5 + 5 = 103; w6 99; w7 34 + 28 + 11 + 5 = 78; w8 101
    assert totals(pr) == {"w1": 98, "w2": D("91.1"), "w3": 102, "w4": D("88.9"),
                          "w5": 103, "w6": 99, "w7": 78, "w8": 101}
    # 红旗窗口 top 2 per group: 综合受理区 w3 102 first but 有效投诉 (一票否优) → w1 98, w2 91.1;
    #                          专项服务区 w5 103, w8 101
    assert chosen(pr, "redflag") == [("w1", "w2"), ("w5", "w8")]
    assert excluded(pr, "redflag") == {"w3": "一票否决：有效投诉（10月12日办理税务登记推诿群众，经查属实）"}


def test_november_half_up_rounding_and_a_second_complaint(res):
    pr = res[("ckpb", "2025-11")]
    # 满意度: w3 97.5 → 0.5 × 1.5 = 0.75 → 0.8 (half up) → 19.2; w7 97.9 → 0.15 → 0.2 → 19.8; others ≥ 98 → 20
    # 差评平均 (1 + 2 + 0 + 1 + 4 + 0 + 3 + 1) / 8 = 1.5: w2 0.5 → 9.5; w5 2.5 → 7.5; w7 1.5 → 8.5
    # 纪律: w2 迟到 2 → 38; w4 脱岗 1 → 38; w7 迟到 1 → 39; w8 着装 1 → 39.5.  效能: w5 1 件 → 28
    # 加分: w2 锦旗 2 → 2; w6 媒体 1 → 2
    assert lines(pr) == {
        "w1": (40, 30, 20, 10, 0), "w2": (38, 30, 20, D("9.5"), 2),
        "w3": (40, 30, D("19.2"), 10, 0), "w4": (38, 30, 20, 10, 0),
        "w5": (40, 28, 20, D("7.5"), 0), "w6": (40, 30, 20, 10, 2),
        "w7": (39, 30, D("19.8"), D("8.5"), 0), "w8": (D("39.5"), 30, 20, 10, 0)}
    # totals: w1 100; w2 38 + 30 + 20 + 9.5 + 2 = 99.5; w3 99.2; w4 98; w5 40 + 28 + 20 + 7.5 = 95.5;
    #         w6 102; w7 39 + 30 + 19.8 + 8.5 = 97.3; w8 99.5
    assert totals(pr) == {"w1": 100, "w2": D("99.5"), "w3": D("99.2"), "w4": 98,
                          "w5": D("95.5"), "w6": 102, "w7": D("97.3"), "w8": D("99.5")}
    # flags: 综合受理区 w1 100, w2 99.5; 专项服务区 w6 102, w8 99.5 (w7 vetoed, 97.3, would not reach anyway)
    assert chosen(pr, "redflag") == [("w1", "w2"), ("w6", "w8")]
    assert set(excluded(pr, "redflag")) == {"w7"}


def test_december(res):
    pr = res[("ckpb", "2025-12")]
    # 差评平均 (0 + 6 + 1 + 1 + 2 + 2 + 0 + 4) / 8 = 2: w2 6 − 2 = 4 → 6; w8 4 − 2 = 2 → 8; w5, w6 exactly 2 → 10
    # w1 39 + 30 + 20 + 10 + 1 = 100; w2 40 + 26 (2 件 × 2) + 20 + 6 = 92; w3 40 + 30 + 20 + 10 + 2 = 102;
    # w4 39.5 + 30 + 20 + 10 = 99.5; w5 100 + 媒体 2 = 102; w6 38 + 30 + 17 (96 → 3) + 10 = 95;
    # w7 100; w8 37 (迟到 3 = 上限 3) + 30 + 20 + 8 = 95
    assert totals(pr) == {"w1": 100, "w2": 92, "w3": 102, "w4": D("99.5"),
                          "w5": 102, "w6": 95, "w7": 100, "w8": 95}
    # the October complaint of w3 lasted its month only: w3 is 红旗 again in December
    assert chosen(pr, "redflag") == [("w3", "w1"), ("w5", "w7")]
    assert excluded(pr, "redflag") == {}


# ------------------------------------------------------------------ the extended version (2026)


def test_january_2026_under_the_lowered_cap(res):
    pr = res[("ckpb", "2026-01")]
    # 2026 lowers 迟到早退 to at most 2: w1 迟到 4 → 4 > 2 → 38 (under 2025 it would have been 37)
    # everyone 98% → 20; 差评 all 1 = the average → 10; w1 38 + 30 + 20 + 10 = 98, the others 100
    assert points(pr, "w1")["conduct"] == 38
    assert totals(pr) == {"w1": 98, **{u: 100 for u in ("w2", "w3", "w4", "w5", "w6", "w7", "w8")}}
    # tied at 100 on the second place: top 2 with ties included → 3 and 4 windows
    assert chosen(pr, "redflag") == [("w2", "w3", "w4"), ("w5", "w6", "w7", "w8")]


# ------------------------------------------------------------------ the quarter's stars


def test_quarter_stars_from_the_monthly_flags(res):
    pr = res[("ckxj", "2025-Q4")]
    # 红旗 months in Q4: w1 10, 11, 12 → 3; w2 10, 11 → 2; w3 12 → 1; w4 0; w5 10, 12 → 2; w6 11 → 1;
    #                   w7 12 → 1; w8 10, 11 → 2
    assert totals(pr) == {"w1": 3, "w2": 2, "w3": 1, "w4": 0, "w5": 2, "w6": 1, "w7": 1, "w8": 2}
    # stars: w1 3 → 三星 (1000 元); w2, w5, w8 2 → 二星 (500 元); w6 1 → 一星;
    #        w3 (complaint in October) and w7 (November) have zp.vetoed = 1 → 不评星; w4 0 → 不评星
    assert {u: lv.level for u, lv in pr.levels.items()} == {
        "w1": "three", "w2": "two", "w3": "none", "w4": "none",
        "w5": "two", "w6": "one", "w7": "none", "w8": "two"}


# ------------------------------------------------------------------ the commands and the pages


def test_check_passes_and_build_succeeds(office, site):
    result = CliRunner().invoke(main, ["check", "--root", str(office[0])])
    assert result.exit_code == 0, result.output
    # 2 schemes; 5 period files; 4 months × 8 + 8 = 40 unit results
    assert result.output.strip() == "检查通过：2 个方案，5 个考核期文件，40 条单位结果。"
    assert (site / "notices" / "ckxj" / "2025-Q4" / "index.html").is_file()


def test_cards_and_notices_read_as_a_clerk_wrote_them(site):
    w1 = page(site, "units/w1/ckpb/2025-10")
    assert "迟到早退：合计 4 分，超过本标准上限 3 分，按 3 分计" in w1
    assert "差评条数的平均值为 2.5（全中心各窗口，按 8 个单位计算）" in w1
    w2 = page(site, "units/w2/ckpb/2025-10")
    assert "其中 满意率=96.4，即 20 - 2.4，结果 17.6 分" in w2
    assert "本项满分 - 最小值(超出条数, 5)，其中 差评条数=5，即 10 - 最小值(2.5, 5)，结果 7.5 分" in w2  # over = 5 − mean 2.5
    oct_notice = page(site, "notices/ckpb/2025-10")
    assert "红旗窗口：不动产登记窗口、社保医保窗口" in oct_notice
    assert "红旗窗口：企业开办窗口、市场监管窗口" in oct_notice
    assert "税务窗口未列入，原因：一票否决：有效投诉（10月12日办理税务登记推诿群众，经查属实）" in oct_notice
    assert "迟到早退：合计 4 分，超过本标准上限 2 分，按 2 分计" in page(site, "units/w1/ckpb/2026-01")
    stars = page(site, "notices/ckxj/2025-Q4")
    assert "三星窗口：不动产登记窗口（窗口奖励每窗口 1000 元）" in stars
    assert "二星窗口：企业开办窗口、市场监管窗口（窗口奖励每窗口 500 元）" in stars
    w7 = page(site, "units/w7/ckxj/2025-Q4")
    assert ("未评为“一星窗口”：不满足条件 total >= 1 且 zp.vetoed == 0"
            "（总分 1，“窗口月度考评”中受一票否决的期数 1）") in w7
    assert "获得“红旗窗口” 1 期（2025年12月）" in w7
    new = page(site, "schemes/ckpb/2026")
    assert "与上一版本相比的变化 迟到早退扣分上限由3分调整为2分。" in new
    assert "“工作纪律”评分标准调整为：迟到早退每人次扣1分，最多扣2分" in new


# ------------------------------------------------------------------ the mistakes a clerk makes


def test_error_rate_copied_with_a_percent_sign(tmp_path):
    code, out = check_output(tmp_path, {"scores/ckpb/2025-10.yaml": M10.replace("rate: 96.4", "rate: 96.4%")})
    assert code != 0
    # w2's satisfaction is line 17; `      satisfaction: {values: {rate: ` is 36 characters
    assert out.startswith("scores/ckpb/2025-10.yaml:17:37: 数值“96.4%”带有百分号 — 请写 96.4")
    assert "共 1 个错误；未写出任何文件。" in out


def test_error_misspelt_veto(tmp_path):
    code, out = check_output(tmp_path, {"scores/ckpb/2025-10.yaml": M10.replace("id: complaint", "id: complain")})
    assert code != 0
    # w3's vetoes is line 20; `    vetoes: [{id: ` is 18 characters
    assert "scores/ckpb/2025-10.yaml:20:19: “complain”不是一票否决事项，是不是“complaint”？ — 可用：complaint" in out


def test_error_honour_written_by_its_chinese_name(tmp_path):
    code, out = check_output(tmp_path, {"schemes/ckxj/2025.yaml": QUARTER.replace("honour: redflag", "honour: 红旗窗口")})
    assert code != 0
    # `      honour: ` on line 22 is 14 characters
    assert "schemes/ckxj/2025.yaml:22:15: “红旗窗口”不是已定义的荣誉，这是名称，它的标识是“redflag” — 可用：redflag" in out


def test_error_misspelt_rate_is_found(tmp_path):
    code, out = check_output(tmp_path, {"scores/ckpb/2025-10.yaml": M10.replace("{late: 4}", "{lates: 4}")})
    assert code != 0
    assert "“lates”不是本项规定的计分标准，是不是“late”？ — 可用的有：late, absent, dress" in out


# ------------------------------------------------------------------ problems found, kept honest


def test_misspelt_rate_located_at_the_key_with_a_suggestion(tmp_path):
    code, out = check_output(tmp_path, {"scores/ckpb/2025-10.yaml": M10.replace("{late: 4}", "{lates: 4}")})
    # line 9 `      conduct: {counts: {` is 25 characters: the key `lates` starts at column 26
    assert "scores/ckpb/2025-10.yaml:9:26: “lates”不是本项规定的计分标准，是不是“late”？" in out


def test_card_names_the_peers(site):
    # docs/rules.md 组内统计: “页面上的名称写在 peers_name”
    assert "全中心各窗口" in page(site, "units/w1/ckpb/2025-10")
