"""Every internal link and anchor resolves; every score card is near the home page."""

from __future__ import annotations

from collections import deque
from itertools import pairwise

from htmlcheck import html_pages, parse, resolve

SAMPLE_BANNER = "示例数据，非真实考核结果"


def test_no_broken_internal_links_or_anchors(any_site):
    built_site = any_site
    pages = {p: parse(built_site / p) for p in html_pages(built_site)}
    broken = []
    for page, parsed in pages.items():
        for link in parsed.links:
            if page == "404.html" and link.startswith("/"):  # from the site's root (no base_url: /)
                link = link[1:]
            target = resolve(page, link)
            if target is None:
                continue
            path, fragment = target
            if path.startswith("..") or not (built_site / path).is_file():
                broken.append((page, link))
                continue
            if fragment and path.endswith(".html") and fragment not in pages[path].ids:
                broken.append((page, link))
    assert broken == []


def test_links_are_relative_and_name_index_html(any_site):
    built_site = any_site
    for page in html_pages(built_site):
        for link in parse(built_site / page).links:
            if resolve(page, link) is None:  # external (from the notice's Markdown)
                continue
            # 404.html is served at any missing address: its links go from the site's root
            assert link.startswith("/") == (page == "404.html" and not link.startswith("#")), (page, link)
            path = link.split("#")[0]
            assert not path.endswith("/"), (page, link)


def test_every_score_card_within_three_clicks_of_home(any_site):
    built_site = any_site
    depth = {"index.html": 0}
    queue = deque(["index.html"])
    while queue:
        page = queue.popleft()
        if depth[page] == 3:
            continue
        for link in parse(built_site / page).links:
            target = resolve(page, link)
            if target is None or not target[0].endswith(".html"):
                continue
            if target[0] not in depth and (built_site / target[0]).is_file():
                depth[target[0]] = depth[page] + 1
                queue.append(target[0])
    cards = [p for p in html_pages(built_site) if p.startswith("units/") and p.count("/") == 4]
    assert cards
    far = [c for c in cards if c not in depth]
    assert far == []


def test_sample_banner_on_every_page_with_sample_scores(built_site):
    kinds = ("index.html", "notices/", "units/", "schemes/", "archive/", "groups/")
    for page in html_pages(built_site):
        if page.startswith(kinds) and page != "units/index.html":
            assert SAMPLE_BANNER in (built_site / page).read_text("utf-8"), page


def test_no_sample_banner_without_sample_data(project, tmp_path):
    from conftest import edit_yaml

    from site_builder.site.build import build_site

    for path in [*project.glob("schemes/*/*.yaml"), *project.glob("scores/*/*.yaml")]:
        edit_yaml(path, lambda d: d.update(sample="false"))
    build_site(project, tmp_path / "out", quiet=True)
    for page in html_pages(tmp_path / "out"):
        assert SAMPLE_BANNER not in (tmp_path / "out" / page).read_text("utf-8"), page


def test_pages_have_lang_skip_link_and_one_h1(any_site):
    built_site = any_site
    for page in html_pages(built_site):
        parsed = parse(built_site / page)
        tags = [t for t, _ in parsed.tags]
        html_attrs = next(a for t, a in parsed.tags if t == "html")
        assert html_attrs.get("lang") == "zh-CN", page
        assert tags.count("h1") == 1, page
        assert "main" in parsed.ids
        first_link = next(a for t, a in parsed.tags if t == "a")
        assert first_link.get("href") == "#main", page
        levels = [int(t[1]) for t in tags if len(t) == 2 and t[0] == "h" and t[1].isdigit()]
        for a, b in pairwise(levels):
            assert b <= a + 1, (page, levels)


def test_tables_have_scoped_headers_and_scroll_boxes(any_site):
    built_site = any_site
    for page in html_pages(built_site):
        parsed = parse(built_site / page)
        for tag, attrs in parsed.tags:
            if tag == "th":
                assert attrs.get("scope") in ("col", "row", "rowgroup", "colgroup"), page
        html = (built_site / page).read_text("utf-8")
        assert html.count("<table") == html.count(
            '<div class="table-wrap" tabindex="0" role="region" aria-label='
        ), page
