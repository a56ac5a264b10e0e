"""The built site in Chromium: phone and desktop widths, axe, overflow, CSP.

Pages are served with the production CSP (from netlify.toml) so an inline
style or script would show up as a console error here.  Screenshots land in
tests/artifacts/screenshots/site-*.png.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = {
    "notice": "notices/xiaoneng/2017-Q4/index.html",
    "public-notice": "notices/xiaoneng/2018-Q1/index.html",
    "scorecard": "units/czj/xiaoneng/2017-Q4/index.html",
    "scheme": "schemes/xiaoneng/v2017/index.html",
    "unit": "units/jyj/index.html",
    "home": "index.html",
}


def production_headers() -> dict[str, str]:
    with (REPO / "netlify.toml").open("rb") as fh:
        config = tomllib.load(fh)
    rule = next(r for r in config["headers"] if r["for"] == "/*")
    return dict(rule["values"])


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} -> {[n.get('target') for n in v.get('nodes', [])[:4]]}"
        for v in violations
    )


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_in_browser(
    built_site, serve_dir, open_page, run_axe, serious, screenshot, name, width
):
    base = serve_dir(built_site, headers=production_headers())
    page = open_page(f"{base}/{PAGES[name]}", width=width)
    screenshot(page, f"site-{name}-{width}")
    assert page.blocked_requests == []
    assert page.console_errors == [], "CSP violations or script errors"
    violations = serious(run_axe(page))
    assert violations == [], describe(violations)
    if width == 360:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert page.evaluate("getComputedStyle(document.querySelector('.page')).fontFamily").startswith(
        '"PingFang SC"'
    )


def example_pages(site: Path) -> list[str]:
    """Every notice and scheme document of the example; a score card and a unit page per scheme."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob("notices/*/*/index.html"))
    pages += sorted(p.relative_to(site).as_posix() for p in site.glob("schemes/*/*/index.html"))
    cards: dict[str, str] = {}
    for p in sorted(site.glob("units/*/*/*/index.html")):
        cards.setdefault(p.parts[-3], p.relative_to(site).as_posix())  # one per scheme
    pages += sorted(cards.values())
    pages += sorted({"/".join(c.split("/")[:2]) + "/index.html" for c in cards.values()})
    return pages


@pytest.mark.browser
def test_example_pages_in_browser(example_site, serve_dir, open_page, run_axe, serious, screenshot):
    pages = example_pages(example_site)
    assert len(pages) >= 4 * 5
    base = serve_dir(example_site, headers=production_headers())
    audited: set[tuple[str, str]] = set()  # axe once per (kind, scheme): it is the slow part
    for rel in pages:
        page = open_page(f"{base}/{rel}", width=360)
        assert page.blocked_requests == [], rel
        assert page.console_errors == [], rel
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360, rel
        parts = rel.split("/")
        key = (
            parts[0] + str(len(parts)),
            parts[1] if parts[0] != "units" or len(parts) < 4 else parts[2],
        )
        if key not in audited:
            audited.add(key)
            violations = serious(run_axe(page))
            assert violations == [], f"{rel}\n{describe(violations)}"
        page.context.close()
    screenshot(open_page(f"{base}/{pages[0]}", width=360), "site-example-notice-360")


@pytest.mark.browser
def test_search_works_from_file_url(built_site, open_page):
    page = open_page((built_site / "index.html").as_uri(), width=360)
    page.fill("#unit-search", "财政")
    page.wait_for_selector("#search-results a")
    links = page.locator("#search-results a")
    assert links.count() == 1
    assert links.first.inner_text().startswith("县财政局")
    links.first.click()
    page.wait_for_load_state()
    assert page.url.endswith("units/czj/index.html")
    assert page.title().startswith("县财政局")


@pytest.mark.browser
def test_search_finds_former_names(built_site, open_page):
    page = open_page((built_site / "index.html").as_uri(), width=360)
    page.fill("#unit-search", "教育局")
    page.wait_for_selector("#search-results a")
    assert "县教育体育局" in page.locator("#search-results").inner_text()


@pytest.mark.browser
def test_font_size_switch_without_javascript(built_site, open_page):
    page = open_page((built_site / "index.html").as_uri(), width=360, java_script_enabled=False)
    size = lambda: page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.page')).fontSize)"
    )
    normal = size()
    page.click("label[for=fs-xl]")
    assert size() > normal * 1.3
    page.keyboard.press("Tab")  # the switch stays operable by keyboard


@pytest.mark.browser
def test_font_size_is_remembered(built_site, serve_dir, open_page):
    base = serve_dir(built_site)
    page = open_page(f"{base}/index.html", width=360)
    page.click("label[for=fs-l]")
    page.goto(f"{base}/notices/xiaoneng/2017-Q4/index.html")
    page.wait_for_load_state("load")
    page.wait_for_function("document.getElementById('fs-l').checked")


@pytest.mark.browser
def test_print_layout_hides_navigation_and_repeats_headers(built_site, open_page):
    page = open_page((built_site / PAGES["notice"]).as_uri(), width=1280)
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") == "none"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('thead')).display")
        == "table-header-group"
    )
    assert (
        page.evaluate("getComputedStyle(document.querySelector('tbody tr')).breakInside") == "avoid"
    )
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"


@pytest.mark.browser
@pytest.mark.parametrize(
    "name, rel",
    [
        ("notice-v1", "notices/xiaoneng/2017-Q3/v1/index.html"),
        ("notice-corrected", "notices/xiaoneng/2017-Q3/index.html"),
        ("scorecard-v1", "units/czj/xiaoneng/2017-Q3/v1/index.html"),
    ],
)
@pytest.mark.parametrize("width", [360, 1280])
def test_corrected_notice_and_earlier_version_in_browser(
    corrected_site, serve_dir, open_page, run_axe, serious, screenshot, name, rel, width
):
    base = serve_dir(corrected_site, headers=production_headers())
    page = open_page(f"{base}/{rel}", width=width)
    screenshot(page, f"site-{name}-{width}")
    assert page.blocked_requests == []
    assert page.console_errors == []
    violations = serious(run_axe(page))
    assert violations == [], describe(violations)
    if width == 360:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    if "v1" in rel:  # the banner is the first thing in the article, boxed
        banner = page.locator("article .superseded")
        assert banner.is_visible()
        assert banner.inner_text().startswith("此为第 1 版，已于 2017年10月20日 更正")
        box = banner.bounding_box()
        h1 = page.locator("h1").bounding_box()
        assert box["y"] < h1["y"]
