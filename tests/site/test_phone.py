"""Phone-first pages, proved in Chromium on element boxes (issue 9, “Done when”).

For every page kind of the built fixture project and of the example content
(kinds discovered from the built pages), at 360 px and 1280 px, at the normal
and at the largest text size (特大):

* the document never scrolls sideways;
* the heading, and in every table each row's name cell (unit, or period on a
  unit page), rank cell and total cell lie inside the viewport without
  scrolling the table region, and the name cell stays inside the table's box
  when the line columns are scrolled to their far end (it is sticky);
* on a score card the total and the rank; on a scheme page every clause.

axe-core runs once per page kind and width, at the largest text size.
Screenshots at 390 px land in tests/artifacts/screenshots/phone-390-<kind>.png.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from sitepages import pages_by_kind, sample, widest_page
from test_browser import describe, production_headers

from site_builder.site.present.i18n import text

WIDTHS = (360, 1280)
FONTS = {"标准": "fs-n", "特大": "fs-xl"}
# Every site has these; more kinds are checked as they appear.
EXPECTED_KINDS = {"home", "archive", "units", "unit", "group", "notice", "scheme", "scorecard"}

LABELS = {
    "rank": text("col.rank", "zh"),
    "total": text("col.total", "zh"),
    "card_total": text("card.total", "zh"),
    "card_rank_word": text("col.rank", "zh"),  # 组内名次, 某类内名次 end with it
}

# Returns {"problems": [...], "checked": {...}}; every problem names its element.
MEASURE = r"""
(L) => {
  const vw = window.innerWidth;
  const problems = [];
  const checked = {names: 0, ranks: 0, totals: 0, clauses: 0, card: 0, sticky: 0};
  const say = (el) => (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 24);
  const inside = (el, what, box) => {
    const r = el.getBoundingClientRect();
    if (el.getClientRects().length === 0) {
      if (say(el) !== '—') problems.push(`${what} 「${say(el)}」 is not shown`);
      return false;
    }
    const left = box ? Math.max(0, box.left) : 0, right = box ? Math.min(vw, box.right) : vw;
    if (r.left < left - 0.5 || r.right > right + 0.5) {
      problems.push(`${what} 「${say(el)}」 spans ${Math.round(r.left)}..${Math.round(r.right)} px, `
        + `visible ${Math.round(left)}..${Math.round(right)} px`);
    }
    return true;
  };
  const sw = document.scrollingElement.scrollWidth;
  if (sw > vw) problems.push(`the document scrolls sideways: scrollWidth ${sw} > innerWidth ${vw}`);
  const h1 = document.querySelector('main h1');
  if (h1) inside(h1, 'heading h1');

  document.querySelectorAll('main table').forEach((table, ti) => {
    const name = `table ${ti + 1} (${table.caption ? say(table.caption) : 'no caption'})`;
    const heads = table.tHead && table.tHead.rows.length
      ? [...table.tHead.rows[table.tHead.rows.length - 1].cells].map(c => c.textContent.trim()) : [];
    const rankAt = heads.indexOf(L.rank), totalAt = heads.indexOf(L.total);
    const rows = [...table.tBodies].flatMap(b => [...b.rows]);
    if (table.caption) inside(table.caption, `${name} caption`);  // wraps on screen, not off it
    rows.forEach((tr, ri) => {
      const where = `${name} row ${ri + 1}`;
      const head = tr.querySelector('th[scope=row]');
      if (head && !table.querySelector('td.content') && inside(head, `${where} name cell`)) {
        checked.names++;
        if (head.scrollWidth > head.clientWidth + 1) {
          problems.push(`${where} name 「${say(head)}」 overflows its cell (${head.scrollWidth} > ${head.clientWidth} px)`);
        }
      }
      if (rankAt >= 0 && tr.cells[rankAt] && inside(tr.cells[rankAt], `${where} ${L.rank} cell`)) checked.ranks++;
      if (totalAt >= 0 && tr.cells[totalAt] && inside(tr.cells[totalAt], `${where} ${L.total} cell`)) checked.totals++;
    });
    table.querySelectorAll('td.content').forEach((td, ci) => {
      if (inside(td, `${name} clause ${ci + 1}`)) checked.clauses++;
    });
    // Scrolled to the far end of its line columns, each row still shows its name.
    const wrap = table.closest('.table-wrap');
    if (wrap && wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.scrollLeft = wrap.scrollWidth;
      const box = wrap.getBoundingClientRect();
      rows.forEach((tr, ri) => {
        const head = tr.querySelector('th[scope=row]');
        if (head && inside(head, `${name} row ${ri + 1} name cell, table scrolled to its end`, box)) checked.sticky++;
      });
      wrap.scrollLeft = 0;
    }
  });

  if (/\bkind-scorecard/.test(document.body.className)) {
    for (const div of document.querySelectorAll('main dl.meta > div')) {
      const dt = div.querySelector('dt'), dd = div.querySelector('dd');
      if (!dt || !dd) continue;
      const label = dt.textContent.trim();
      if (label === L.card_total || label.endsWith(L.card_rank_word)) {
        if (inside(dd, `score card ${label}`)) checked.card++;
      }
    }
  }
  return {problems, checked};
}
"""


def measure_pages(open_page, base: str, site: Path, width: int) -> tuple[list[str], dict, set]:
    """Every sampled page of every kind at ``width``, at both text sizes."""
    kinds = pages_by_kind(site)
    problems: list[str] = []
    totals: dict[str, int] = {}
    page = None
    for kind, pages in sorted(kinds.items()):
        for rel in sample(site, pages):
            url = f"{base}/{rel}"
            if page is None:
                page = open_page(url, width=width)
            else:
                page.goto(url, wait_until="load")
            assert page.console_errors == [], f"{rel}: {page.console_errors}"
            for font, radio in FONTS.items():
                page.click(f"label[for={radio}]")
                assert page.evaluate(f"document.getElementById('{radio}').checked")
                result = page.evaluate(MEASURE, LABELS)
                problems += [f"{kind} {rel} @{width}px {font}: {p}" for p in result["problems"]]
                for key, n in result["checked"].items():
                    totals[key] = totals.get(key, 0) + n
    return problems, totals, set(kinds)


@pytest.fixture(params=["fixture", "example"])
def site(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue({"fixture": "built_site", "example": "example_site"}[request.param])


@pytest.fixture
def expected_kinds(request: pytest.FixtureRequest) -> set[str]:
    """The fixture is built on a day its 2018-Q1 公示 is still open."""
    extra = {"public_notice"} if request.node.callspec.params.get("site") == "fixture" else set()
    return EXPECTED_KINDS | extra


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_kind_fits_the_screen(site, expected_kinds, serve_dir, open_page, width):
    base = serve_dir(site, headers=production_headers())
    problems, checked, kinds = measure_pages(open_page, base, site, width)
    assert expected_kinds <= kinds, f"page kinds not found: {expected_kinds - kinds}"
    assert problems == [], f"{len(problems)} boxes outside the viewport:\n" + "\n".join(problems[:40])
    # The checks ran on real rows, not on nothing.
    assert checked["names"] > 20 and checked["ranks"] > 20 and checked["totals"] > 20, checked
    assert checked["clauses"] > 5 and checked["card"] >= 4, checked
    if width == 360:  # rankings are wider than a phone: their names were checked scrolled too
        assert checked["sticky"] > 20, checked


@pytest.mark.browser
def test_the_measure_reports_a_clipped_total(built_site, serve_dir, open_page) -> None:
    """The check can fail: a ranking forced wider than the phone names the total cell."""
    rel = "notices/xiaoneng/2017-Q4/index.html"
    page = open_page(f"{serve_dir(built_site)}/{rel}", width=360)
    page.click("label[for=fs-xl]")
    page.evaluate(
        "() => document.querySelectorAll('table.ranking .c-name')"
        ".forEach(c => { c.style.width = c.style.minWidth = c.style.maxWidth = '30em'; })"
    )
    problems = page.evaluate(MEASURE, LABELS)["problems"]
    assert any(f"{LABELS['total']} cell 「" in p and "visible 0..360 px" in p for p in problems), problems


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_axe_on_every_page_kind_at_the_largest_text(
    example_site, built_site, serve_dir, open_page, run_axe, serious, width
):
    """axe once per page kind: the example's page with the widest table of each kind,
    and the fixture's for a kind the example lacks."""
    audited: set[str] = set()
    failures: list[str] = []
    for site in (example_site, built_site):
        base = serve_dir(site, headers=production_headers())
        page = None
        for kind, pages in sorted(pages_by_kind(site).items()):
            if kind in audited:
                continue
            audited.add(kind)
            rel = widest_page(site, pages)
            if page is None:
                page = open_page(f"{base}/{rel}", width=width)
            else:
                page.goto(f"{base}/{rel}", wait_until="load")
            page.click("label[for=fs-xl]")
            violations = serious(run_axe(page))
            if violations:
                failures.append(f"{kind} {rel} @{width}px 特大:\n{describe(violations)}")
    assert EXPECTED_KINDS <= audited
    assert failures == [], "\n".join(failures)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


@pytest.mark.browser
def test_phone_screenshots_at_390(example_site, serve_dir, open_page, screenshot):
    """A notice (the widest), one of its score cards, that unit's page and the scheme,
    at 390 px with the largest text: kept by CI as artifacts."""
    kinds = pages_by_kind(example_site)
    notice = widest_page(example_site, kinds["notice"])
    scheme_id = notice.split("/")[1]
    card = next(p for p in kinds["scorecard"] if p.split("/")[2] == scheme_id)
    unit = "/".join(card.split("/")[:2]) + "/index.html"
    scheme = next(p for p in kinds["scheme"] if p.split("/")[1] == scheme_id)
    base = serve_dir(example_site, headers=production_headers())
    page = None
    for kind, rel in (("notice", notice), ("scorecard", card), ("unit", unit), ("scheme", scheme)):
        if page is None:
            page = open_page(f"{base}/{rel}", width=390)
        else:
            page.goto(f"{base}/{rel}", wait_until="load")
        page.click("label[for=fs-xl]")
        path = screenshot(page, f"phone-390-{kind}")
        width, height = png_size(path)
        assert width == 390 and height > 800, (kind, rel, width, height)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, rel


LONG_NAMES = """\
units:
  - {id: a1, name: PudongNewAreaGovernmentServiceCentreWindowNo1}
  - {id: a2, name: 淮安区人力资源和社会保障局劳动保障监察大队政务服务窗口}
  - {id: a3, name: 科技局}
"""


@pytest.mark.browser
def test_long_unit_names_wrap_instead_of_pushing_the_total_away(tmp_path, make_project, open_page):
    """A unit name with no break opportunity (one long Latin word) or a very long Chinese one
    wraps inside the name column: rank, name and total stay on a 360 px screen."""
    from scratch import built_site

    site = built_site(make_project(tmp_path, {"units/units.yaml": LONG_NAMES}))
    rel = next(p for p in pages_by_kind(site)["notice"])
    page = open_page((site / rel).as_uri(), width=360)
    for radio in FONTS.values():
        page.click(f"label[for={radio}]")
        result = page.evaluate(MEASURE, LABELS)
        assert result["problems"] == [], result["problems"]
        assert result["checked"]["names"] >= 3 and result["checked"]["totals"] >= 3
