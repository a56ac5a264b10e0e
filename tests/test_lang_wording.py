"""Wording found by the office acceptance test (issue 8, part J1): each fix, on the pages it was seen on.

The project is the one of ``tests/test_lang_office.py`` (built once here); every expected text follows
from that file's hand-computed figures.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from scratch import built_site, make_project, page_text as page
from site_builder.cli import main
from test_lang_office import FILES


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("wording"), FILES, base=False)
    return built_site(root)




# 1. a line rounded to the scheme's places says so beside the computed figure


def test_card_explains_line_rounding(site):
    card = page(site, "units/zj/jxkh/2024-11")
    # 86.2 × 20% = 17.24, published to one place: 17.2
    assert "得 17.24 分 按规定保留1位小数，计 17.2 分" in card
    # 2024-12 da: (89.25 − 80) × 0.1 = 0.925 deducted, published −0.9
    dec = page(site, "units/da/jxkh/2024-12")
    assert "扣 0.925 分 按规定保留1位小数，计 -0.9 分" in dec
    # fg 2024-11: 17.983 → 18.0 (the published figure keeps its place)
    assert "按规定保留1位小数，计 18.0 分" in page(site, "units/fg/jxkh/2024-11")
    # a line whose figure needs no rounding (5 points) and a kept line (13.875) say nothing
    assert card.count("按规定保留") == 1


# 5. “{max: 0}” of a count is “0次”


def test_bracket_up_to_zero_is_zero(site):
    yearly = page(site, "schemes/ndpd/2024")
    assert "0次得0分，1次得5分，2次及以上得10分" in yearly
    assert "0次及以下" not in yearly


# 6. a single rate without a label: no stray “—：”


def test_single_rate_without_label(site):
    card = page(site, "units/zj/jxkh/2024-11")
    assert "—：" not in card
    assert "安全事故 -10 / 不设上限 2 次 × 5 分 = 10 分" in card
    assert "5 次 × 0.5 分 = 2.5 分" in card


# 7. an honour chosen within categories names them


def test_honour_within_categories(site):
    s = page(site, "schemes/jxkh/2024")
    assert "“流动红旗”（表彰）：依据“月度排名”，各类别（专业部门、其他部门）前1名；" in s
    assert "“年度优秀”（表彰）：依据“年度累计排名”，每组前1名" in s  # no categories: per group


# 2. a veto is headed and worded by its consequence (一票否优 here), a mix by a neutral heading


def test_veto_headed_by_its_consequence(site):
    card = page(site, "units/wl/jxkh/2024-12")
    assert "一票否优 被县纪委监委通报批评 （2024年11月20日）：11月被县纪委监委通报批评" in card
    assert "一票否决" not in card
    notice = page(site, "notices/jxkh/2024-11")
    assert "一票否决" not in notice
    assert "一票否优 县文学艺术界联合会 ：被县纪委监委通报批评" in notice
    year = page(site, "units/wl/ndpd/2024")
    assert "（总分 90，受一票否优 是）" in year and "一票否决" not in year
    scheme = page(site, "schemes/jxkh/2024")
    assert "一票否优事项 被县纪委监委通报批评 ：一票否优：取消评先评优资格" in scheme


def test_mixed_vetoes_get_a_neutral_heading(tmp_path):
    files = dict(FILES)
    files["schemes/jxkh/2024.yaml"] = FILES["schemes/jxkh/2024.yaml"].replace(
        "rankings:\n", "  - {id: fraud, name: 数据造假, clause: 考核数据造假的，实行一票否决。}\nrankings:\n", 1)
    files["scores/jxkh/2024-11.yaml"] = FILES["scores/jxkh/2024-11.yaml"].replace(
        "    vetoes: [{id: warned, reason: 11月被县纪委监委通报批评, date: 2024-11-20}]",
        "    vetoes: [{id: warned, reason: 11月被县纪委监委通报批评, date: 2024-11-20}, {id: fraud, reason: 报表数据不实}]")
    root = make_project(tmp_path, files, base=False)
    result = CliRunner().invoke(main, ["build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    site = root / "_site"
    card = page(site, "units/wl/jxkh/2024-11")
    assert "否决事项 一票否优： 被县纪委监委通报批评" in card and "一票否决： 数据造假 ：报表数据不实" in card
    notice = page(site, "notices/jxkh/2024-11")
    assert "否决事项 县文学艺术界联合会 ：一票否优：被县纪委监委通报批评" in notice
    assert "县文学艺术界联合会 ：一票否决：数据造假" in notice
    scheme = page(site, "schemes/jxkh/2024")
    assert "否决事项 被县纪委监委通报批评 ：一票否优：" in scheme and "数据造假 ：一票否决：取消评先评优资格" in scheme


# 4. figures derived from published ones (a year-to-date sum, a median) without trailing zeros beyond the scheme's places


def test_derived_figures_as_the_scheme_publishes(site):
    card = page(site, "units/fg/jxkh/2024-12")
    # median of 55.125, 52.575, 48.2, 60.65 = (52.575 + 55.125) / 2 = 53.85; cumulative 55.375 + 55.125 = 110.5
    assert "本组中位数 53.85 " in card and "年度累计得分（2024年11月至2024年12月） 110.5 " in card
    assert "2 县发展和改革局 110.5 " in page(site, "notices/jxkh/2024-12")
    assert " 110.5 " in page(site, "units/fg") and "110.500" not in page(site, "units/fg")
    # the yearly scheme publishes totals to 2 places (rounded at the total): its figures keep them
    assert "本组中位数 85.00" in page(site, "units/fg/ndpd/2024")


def test_trim_keeps_the_value():
    from decimal import Decimal as D

    from site_builder.site.present.render import trim

    assert [str(trim(D(v), p)) for v, p in [("110.500", 1), ("53.850", 1), ("85.00", 2), ("18.0", 1), ("120.000", 0)]] == [
        "110.5", "53.85", "85.00", "18.0", "120"]
    assert trim(None, 1) is None


# 3. formulas are worded with the declared labels and derived names; the scheme page keeps the formula beside them


def test_formulas_worded_with_labels(site):
    s = page(site, "schemes/jxkh/2024")
    assert ("扣分＝最大值(平均值(按时办结率) - 按时办结率, 0) * 0.1（公式：max(group_mean(rate) - rate, 0) * 0.1；"
            "on_time：按时办结件数，received：受理件数），最多扣2分。") in s
    assert "按时办结率（rate）＝按时办结件数 / 受理件数 * 100（公式：on_time / received * 100）。" in s
    assert "最小值(最大值(报送信息篇数 - 上期(报送信息篇数, 报送信息篇数), 0) * 0.5, 本项满分)" in s
    card = page(site, "units/da/jxkh/2024-12")
    # da: 24 / 30 × 100 = 80; (89.25 − 80) × 0.1 = 0.925
    assert "按时办结率＝按时办结件数 / 受理件数 * 100＝24 / 30 * 100＝80" in card
    assert ("最大值(平均值(按时办结率) - 按时办结率, 0) * 0.1，"
            "其中 按时办结件数=24，受理件数=30，即 最大值(89.25 - 80, 0) * 0.1，扣 0.925 分") in card
    assert "group_mean(" not in card  # the formula as written is on the scheme page, not on the card


def test_formula_without_labels_keeps_its_text():
    from site_builder.scoring.formula import describe

    assert describe("max(a - b, 0) * 2", "zh-CN") == "最大值(a - b, 0) * 2"
    assert describe("max(a - b, 0) * 2", "zh-CN", {"a": "甲"}) == "最大值(甲 - b, 0) * 2"
    assert describe("max(a - b, 0) * 2", "en", {"a": "甲"}) == "max(甲 - b, 0) * 2"


# 6. a scan of every built page of the docs/rules.md example project and of the office project


TEXT_FRAGMENTS = ("—：", "。。", "，，", "（）")
# “≈” marks a figure shown to fewer places than computed; a rounding note must follow on the page
APPROX = re.compile(r"≈\s*-?\d")


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", html))


def scan(site: Path) -> list[tuple[str, str]]:
    """(page, fragment) for every forbidden fragment on every built page."""
    found = []
    for f in sorted(site.rglob("*.html")):
        raw = f.read_text("utf-8")
        text = _text(raw)
        rel = str(f.relative_to(site))
        found += [(rel, frag) for frag in TEXT_FRAGMENTS if frag in text]
        found += [(rel, word) for word in ("None", "nan") if re.search(rf"(?<![A-Za-z_]){word}(?![A-Za-z_])", text)]
        if re.search(r"<li[^>]*>\s*</li>", raw):
            found.append((rel, "<li></li>"))
        if APPROX.search(text) and "≈" not in _approx_notes(text):
            found.append((rel, "≈"))
    return found


def _approx_notes(text: str) -> str:
    """The page's note on figures marked ≈ (shown rounded), if it has one."""
    return "≈" if re.search(r"≈[^\n]{0,40}(约|四舍五入|保留|rounded|approx)|(约|四舍五入|rounded|approx)[^\n]{0,40}≈", text) else ""


def _build(root: Path) -> Path:
    return built_site(root)


def test_office_pages_have_no_broken_fragments(site):
    assert scan(site) == []


def test_docs_example_pages_have_no_broken_fragments(tmp_path):
    from test_docs import parse, write_project

    site = _build(write_project(parse("rules.md"), tmp_path))
    assert scan(site) == []


def test_the_scan_finds_each_fragment(tmp_path):
    pages = {
        "a.html": "<p>—：2 次 × 5 分 = 10 分</p>",
        "b.html": "<p>得分。。</p><p>（）</p>",
        "c.html": "<ul><li>x</li><li> </li></ul>",
        "d.html": "<p>平均 ≈27.33 分</p>",
        "e.html": "<p>平均 ≈27.33 分（约数，四舍五入到2位小数）</p><p>None</p>",
        "f.html": "<p>Nanjing，nan</p>",
    }
    for name, html in pages.items():
        (tmp_path / name).write_text(html, "utf-8")
    assert scan(tmp_path) == [("a.html", "—："), ("b.html", "。。"), ("b.html", "（）"), ("c.html", "<li></li>"),
                              ("d.html", "≈"), ("e.html", "None"), ("f.html", "nan")]


# English and properties


def test_english_wording_of_the_new_steps():
    from site_builder.scoring.rules.base import step

    assert step("explain.line_rounded", places=1, mode_zh="", mode_en="", shown="17.2").render("en") == \
        "rounded as the scheme declares (1 d.p.): 17.2"
    assert step("explain.line_rounded", places=0, mode_zh="（截尾）", mode_en=", truncated", shown="3").render("zh-CN") == \
        "按规定保留0位小数（截尾），计 3 分"
    assert step("explain.tally_item_plain", count=2, per="5", amount="10").render("en") == "2 × 5 = 10 points"
    from site_builder.site.present.level_views import vetoed_words

    assert vetoed_words(["no_excellence"]) == {"vetoed": "受一票否优", "vetoed_en": "barred from excellence"}
    assert vetoed_words(["veto", "ineligible"]) == {"vetoed": "有否决事项", "vetoed_en": "vetoed"}
    assert vetoed_words([]) == {"vetoed": "受一票否决", "vetoed_en": "under a one-vote veto"}


from decimal import Decimal  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.decimals(min_value=-10**6, max_value=10**6, places=6, allow_nan=False, allow_infinity=False),
       st.integers(min_value=0, max_value=6))
def test_trim_never_changes_a_value_nor_cuts_below_the_places(value, places):
    from site_builder.site.present.render import trim

    got = trim(value, places)
    assert got == value and trim(got, places) == got  # same value, same answer twice
    exp = got.as_tuple().exponent
    assert exp >= min(value.as_tuple().exponent, -places)  # never more places than given
    assert exp <= -places or got != got.quantize(Decimal(1).scaleb(exp + 1))  # no zero left beyond the places


@given(st.permutations(["veto", "no_excellence", "ineligible", "no_excellence"]))
def test_veto_words_do_not_depend_on_order(called):
    from site_builder.site.present.level_views import vetoed_words

    assert vetoed_words(called) == vetoed_words(sorted(called))
