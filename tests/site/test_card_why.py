"""Score cards that answer “why” (issue 9, item 2), on a scratch project computed by hand.

Four units in one group, July 2024 (monthly), maximum 40 of which three lines are
not scored in July (``applies_in``) and one applies to a1 only (``applies_to``):

=====  =====  =====  =======  ====  =========  =====  =====  ==========================
unit   work   duty   special  late  complaint  bonus  media  total
=====  =====  =====  =======  ====  =========  =====  =====  ==========================
a1     9.5    9      4        −1.5  0          +1     0      22.5 − 1.5 + 1 = 22 (of 25)
a2     8      7      —        0     −1         0      +1     15 − 1 + 1 = 15 (of 20)
a3     9.125  10     —        −0.5  0          +0.5   0      19.125 → 19.13 (of 20)
a4     7      8      —        0     0          0      0      15 (of 20)
=====  =====  =====  =======  ====  =========  =====  =====  ==========================

Group per line: work 7, 8, 9.125, 9.5 → median (8 + 9.125) / 2 = 8.5625, best 9.5;
duty 7, 8, 9, 10 → 8.5, 10; late −1.5, −0.5, 0, 0 → median deduction 0.25, least 0;
bonus 0, 0, 0.5, 1 → 0.25, 1; special is scored for a1 only: no comparison.
"""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from scratch import built_site, checked_project, page_text

SCHEME = """\
title: 测试考核办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 40
period: {kind: month}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3, a4]}
indicators:
  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
  - {id: duty, name: 值守纪律, max: 10, rule: {kind: per_occurrence, per: 1, cap: 3}}
  - {id: report, name: 年中报告, max: 5, applies_in: [2024-06], rule: {kind: assessed}}
  - {id: audit, name: 专项审计, max: 5, applies_in: [2024-03, 2024-12], rule: {kind: assessed}}
  - {id: plan, name: 年度计划, max: 5, applies_in: [2024-12], rule: {kind: assessed}}
  - {id: special, name: 专项工作, max: 5, applies_to: [a1], rule: {kind: assessed}}
  - {id: late, name: 迟到早退, type: deduction, max: 5, rule: {kind: per_occurrence, per: 0.5}}
  - {id: complaint, name: 服务投诉, type: deduction, max: 5, rule: {kind: per_occurrence, per: 1}}
  - id: bonus
    name: 表彰加分
    type: bonus
    max: 4
    rule:
      kind: recognition
      levels:
        - {id: city, name: 市级, per: 0.5}
        - {id: prov, name: 省级, per: 1}
  - {id: media, name: 媒体报道, type: bonus, max: 2, rule: {kind: per_occurrence, per: 0.5}}
rankings:
  - {id: m, name: 月度排名}
"""

SCORES = """\
scheme: demo
version: "2024"
period: 2024-07
status: published
notice: {date: 2024-08-10, number: 测〔2024〕7号}
units:
  a1:
    facts:
      work: 9.5
      duty: 1
      special: 4
      late: {events: [{date: 2024-07-03, title: 迟到, count: 3}]}
      complaint: 0
      bonus: {awards: [{level: prov, title: 省级表彰}]}
  a2:
    facts:
      work: 8
      duty: 3
      late: 0
      complaint: {events: [{date: 2024-07-09, title: 服务态度被投诉}]}
      media: 2
  a3:
    facts:
      work: 9.125
      duty: 0
      late: 1
      bonus: {awards: [{level: city, title: 市级表彰}]}
  a4:
    facts: {work: 7, duty: 2}
"""

FILES = {
    "site.yaml": "title: 测试考核公示\norganisation: 测试县考核办\nsample: true\n",
    "units/units.yaml": "units:\n  - {id: a1, name: 发改委}\n  - {id: a2, name: 教育局}\n"
                        "  - {id: a3, name: 科技局}\n  - {id: a4, name: 财政局}\n",
    "schemes/demo/2024.yaml": SCHEME,
    "scores/demo/2024-07.yaml": SCORES,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return checked_project(tmp_path_factory.mktemp("why"), FILES)


@pytest.fixture(scope="module")
def site(project):
    return built_site(project[0])


def card(site, unit: str) -> str:
    return page_text(site, f"units/{unit}/demo/2024-07")


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def test_the_totals_the_cards_explain(project):
    units = project[1][("demo", "2024-07")].units
    assert {u: (units[u].total, units[u].max_total) for u in units} == {
        "a1": (D(22), D(25)), "a2": (D(15), D(20)), "a3": (D("19.13"), D(20)), "a4": (D(15), D(20))}


def why_items(site, unit: str, heading: str) -> list[str]:
    """The items under a heading of the card's “why” section, as read (the clause link's words left out)."""
    raw = (site / f"units/{unit}/demo/2024-07/index.html").read_text("utf-8")
    why = raw[raw.index('<section class="why"'):raw.index("</section>", raw.index('<section class="why"'))]
    if heading not in why:
        return []
    part = why[why.index(heading):why.index("</ol>", why.index(heading))]
    items = re.findall(r"<li>(.*?)</li>", part, flags=re.S)
    return [re.sub(r"<[^>]+>", "", re.sub(r"（<a [^>]*>.*?</a>）", "", x)) for x in items]


def test_lost_and_gained_largest_first_with_the_facts(site):
    # 1.5, then the two 1s in the scheme's order, then 0.5
    assert why_items(site, "a1", "失分和扣分") == [
        "迟到早退：迟到 3 次；失 1.5 分",
        "值守纪律：1 次 × 1 分 = 1 分；失 1 分",
        "专项工作：评分 4 分；失 1 分",
        "工作推进：评分 9.5 分；失 0.5 分",
    ]
    assert why_items(site, "a1", "加分（从多到少）") == ["表彰加分：省级表彰；得 1 分"]
    assert why_items(site, "a2", "失分和扣分") == [
        "值守纪律：3 次 × 1 分 = 3 分；失 3 分",
        "工作推进：评分 8 分；失 2 分",
        "服务投诉：服务态度被投诉；失 1 分",
    ]
    assert why_items(site, "a2", "加分（从多到少）") == ["媒体报道：2 次 × 0.5 分 = 1 分；得 1 分"]


def test_the_sum_is_the_total(site):
    # 25 − (0.5 + 1 + 1) − 1.5 + 1 = 22: the lost items add up to the 失分 of the sum
    assert "合计：满分 25 分 − 失分 2.5 分 − 扣分 1.5 分 + 加分 1 分 = 22 分。" in card(site, "a1")
    assert "合计：满分 20 分 − 失分 5 分 − 扣分 1 分 + 加分 1 分 = 15 分。" in card(site, "a2")


def test_the_rounding_step_is_said(site):
    text = card(site, "a3")
    assert "合计：满分 20 分 − 失分 0.875 分 − 扣分 0.5 分 + 加分 0.5 分 = 19.125 分。 按规定保留2位小数，总分计 19.13 分。" in text


def test_a_card_with_no_gains_has_no_empty_heading(site):
    text = card(site, "a4")  # lost 3 on work and 2 on duty, nothing deducted or added
    assert "合计：满分 20 分 − 失分 5 分 = 15 分。" in text
    assert "加分（从多到少）" not in text  # no empty heading


def test_each_line_with_the_groups_median_and_best(site):
    text = card(site, "a1")
    assert "各项中的“本组”指全体本期参加考核、该项计分的单位。" in text
    lines = section(text, "逐项得分", "以下各项")
    assert re.findall(r"(本组(?:扣分)?中位数 \S+ 分，\S+ \S+ 分)", lines) == [
        "本组中位数 8.5625 分，最高 9.5 分",  # work
        "本组中位数 8.5 分，最高 10 分",  # duty
        "本组扣分中位数 0.25 分，最少 0 分",  # late
        "本组中位数 0.25 分，最高 1 分",  # bonus
    ]
    special = section(lines, "专项工作", "迟到早退")
    assert "中位数" not in special  # scored for one unit only: nothing to compare


def test_group_stats_computed_once_per_period(project):
    from site_builder.site.present.card_why import LineStat, group_line_stats

    stats = group_line_stats(project[1][("demo", "2024-07")])
    assert stats["g"]["work"] == LineStat(D("8.5625"), D("9.5"), 4)
    assert stats["g"]["late"] == LineStat(D("-0.25"), D(0), 4)
    assert stats["g"]["complaint"] == LineStat(D(0), D(0), 4)
    assert "special" not in stats["g"] and "report" not in stats["g"]


def test_stats_are_not_recomputed_per_card(project, monkeypatch):
    from site_builder.site import build
    from site_builder.site.present import card_why

    calls = []
    real = card_why.group_line_stats  # made once per result for the cards' pre-keys and contexts (prekeys.line_stats)
    monkeypatch.setattr(card_why, "group_line_stats", lambda r: calls.append(r.period) or real(r))
    build.build_site(project[0], project[0] / "_once", quiet=True)
    assert calls == ["2024-07"]  # one period, four cards


def test_lines_not_scored_folded_with_the_reason(site):
    a2 = card(site, "a2")
    folded = section(a2, "本期未计分的项目（4 项）", "发布机关")
    assert re.findall(r"(\S+) ：(\S+)", folded) == [
        ("年中报告", "已于2024年6月计分"),  # applies only in June: scored earlier
        ("专项审计", "本月不考核"),  # March and December
        ("年度计划", "本月不考核，于2024年12月计分"),
        ("专项工作", "不适用于本单位"),  # applies_to a1
    ]
    assert "本项不适用于本单位" not in a2
    raw = (site / "units/a2/demo/2024-07/index.html").read_text("utf-8")
    assert '<details class="not-scored">' in raw
    for lid in ("report", "audit", "plan", "special", "late", "bonus"):
        assert f'id="line-{lid}"' not in raw  # not listed line by line
    a1 = card(site, "a1")
    assert "本期未计分的项目（3 项）" in a1 and "专项工作 ：" not in section(a1, "本期未计分", "发布机关")


def test_zero_lines_with_nothing_recorded_in_one_sentence(site):
    assert "以下各项本期无扣分记录： 迟到早退 。" in card(site, "a2")
    assert "以下各项本期无加分记录： 表彰加分 。" in card(site, "a2")
    a4 = card(site, "a4")
    assert "以下各项本期无扣分记录： 迟到早退 、 服务投诉 。" in a4
    assert "以下各项本期无加分记录： 表彰加分 、 媒体报道 。" in a4
    assert "无记录" not in a4


def test_the_why_links_to_the_line_and_its_clause(site):
    raw = (site / "units/a1/demo/2024-07/index.html").read_text("utf-8")
    why = raw[raw.index('<section class="why"'):raw.index("</section>", raw.index('<section class="why"'))]
    assert '<a href="#line-late">迟到早退</a>' in why
    # the clause is linked once, from the line the summary leads to (a card stays under 30 KB)
    assert "考核办法原文" not in why
    line = raw[raw.index('id="line-late"'):raw.index("</li>\n<li", raw.index('id="line-late"'))]
    assert '<a href="../../../../schemes/demo/2024/index.html#ind-late">考核办法原文<span class="vh">：迟到早退</span></a>' in line


@pytest.mark.browser
def test_the_card_on_a_phone_with_the_largest_font(site, serve_dir, open_page, run_axe, serious, screenshot):
    page = open_page(f"{serve_dir(site)}/units/a2/demo/2024-07/index.html", width=390)
    page.click("label[for=fs-xl]")
    screenshot(page, "card-why-390-xl")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert serious(run_axe(page)) == []
    # the lines not scored are folded away, and open without JavaScript
    assert page.evaluate("document.querySelector('details.not-scored').open") is False
    assert not page.is_visible("details.not-scored li")
    page.click("details.not-scored summary")
    assert page.is_visible("text=专项工作")
    # the summary's line name leads to the line below
    page.click("section.why a[href='#line-duty']")
    assert page.evaluate("location.hash") == "#line-duty"


# ---------------------------------------------------------------- the sum when more than lines decide the total

CAPPED = """\
title: 测试考核办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 20
period: {kind: quarter}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
  - {id: duty, name: 值守纪律, max: 10, rule: {kind: per_occurrence, per: 1, cap: 3}}
  - id: plus
    name: 加分
    type: bonus
    max: 2
    children:
      - {id: media, name: 媒体报道, max: 2, rule: {kind: per_occurrence, per: 1}}
      - {id: award, name: 表彰, max: 2, rule: {kind: per_occurrence, per: 1}}
vetoes:
  - {id: acc, name: 发生重大安全事故, effect: zero}
coefficient: {label: 难度系数, min: 0.8, max: 1.2}
rankings:
  - {id: q, name: 季度排名}
"""

CAPPED_SCORES = """\
scheme: demo
version: "2024"
period: 2024-Q1
status: published
notice: {date: 2024-04-10, number: 测〔2024〕1号}
units:
  a1:
    facts: {work: 9, duty: 1, media: 2, award: 1}
    coefficient: 1.1
  a2:
    facts: {work: 10, duty: 0}
    vetoes: [{id: acc, reason: 发生一起重大安全事故}]
  a3:
    facts: {work: 9.5, duty: 0}
    coefficient: 0.95
"""


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    root, _ = checked_project(tmp_path_factory.mktemp("capped"), {
        **FILES, "schemes/demo/2024.yaml": CAPPED, "scores/demo/2024-07.yaml": None,
        "scores/demo/2024-Q1.yaml": CAPPED_SCORES})
    return built_site(root)


def test_a_capped_subtotal_and_a_coefficient_are_said(capped):
    # a1: 9 + 9 = 18 (lost 2); bonus 2 + 1 = 3 capped at 2; 20 × 1.1 = 22
    text = page_text(capped, "units/a1/demo/2024-Q1")
    assert ("合计：满分 20 分 − 失分 2 分 + 加分 2 分 = 20 分。 “加分”合计超过上限 2 分，按 2 分计。"
            " 加分项下各项加分合计 3 分；因加分设有上限，计入总分的加分为 2 分。 乘以单位系数 1.1，为 22 分。") in text
    assert "总分 22.00 分（满分 20 分）" in text


def test_a_veto_that_zeroes_the_total_is_said(capped):
    text = page_text(capped, "units/a2/demo/2024-Q1")
    assert "合计：满分 20 分，无失分、扣分或加分，计 20 分。 因“发生重大安全事故”，总分记 0 分。" in text


def test_a_coefficient_then_the_rounding_step(capped):
    # a3: 19.5 × 0.95 = 18.525 → 18.53 (half up, 2 places)
    text = page_text(capped, "units/a3/demo/2024-Q1")
    assert ("合计：满分 20 分 − 失分 0.5 分 = 19.5 分。 乘以单位系数 0.95，为 18.525 分。"
            " 按规定保留2位小数，总分计 18.53 分。") in text
