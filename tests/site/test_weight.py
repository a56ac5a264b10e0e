"""Page weight budgets (issue 10): what a reader on a phone downloads.

A score card at most 30 KB of HTML, a notice for 60 units at most 100 KB, all CSS
and JS together at most 30 KB — on the benchmark's synthetic project (60 units in
8 groups, 40 leaf indicators a card, 2 monthly periods, made by
``benchmarks/synth.py``) and on the example content.  KB = 1,000 bytes, as the
benchmark reports them.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest


CARD_BUDGET = 30_000
NOTICE_BUDGET = 100_000  # for 60 units
ASSETS_BUDGET = 30_000
REPO = Path(__file__).resolve().parents[2]


def _synth():
    spec = importlib.util.spec_from_file_location("bench_synth", REPO / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from site_builder.site.build import build_site

    root = tmp_path_factory.mktemp("weight") / "project"
    _synth().generate(root, units=60, periods=2)
    out = root / "_site"
    mp = pytest.MonkeyPatch()
    mp.delenv("SOURCE_DATE_EPOCH", raising=False)
    try:
        build_site(root, out, quiet=True)
    finally:
        mp.undo()
    return out


def pages(site: Path, kind: str) -> dict[str, int]:
    """{path: size in bytes} of the pages of one kind (the body's ``kind-…`` class)."""
    found = {}
    for p in sorted(site.rglob("*.html")):
        raw = p.read_bytes()
        if f'<body class="kind-{kind}'.encode() in raw:
            found[p.relative_to(site).as_posix()] = len(raw)
    return found


def assets(site: Path) -> dict[str, int]:
    """The theme's CSS and JS every page loads (the search index ``search.*.js`` is data, not code:
    it grows with the units and only the home page and the unit list load it)."""
    return {p.name: p.stat().st_size for p in sorted((site / "assets").iterdir())
            if p.suffix in (".css", ".js") and not p.name.startswith("search.")}


def search_index_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if re.search(rb"assets/search\.[0-9a-f]{10}\.js", p.read_bytes()))


def test_synthetic_cards_are_at_most_30_kb(synth_site):
    cards = pages(synth_site, "scorecard")
    assert len(cards) == 120  # 60 units × 2 periods
    largest = max(cards, key=cards.get)
    html = (synth_site / largest).read_text("utf-8")
    # the shape the budget is about: 8 + 3 subtotals over 40 leaf lines, a “why” summary
    assert html.count(' id="line-') + html.count("本期无") >= 40
    assert '<section class="why"' in html
    assert cards[largest] <= CARD_BUDGET, (largest, cards[largest])


def test_synthetic_60_unit_notice_is_at_most_100_kb(synth_site):
    notices = pages(synth_site, "notice")
    assert sorted(notices) == ["notices/bench/2025-01/index.html", "notices/bench/2025-02/index.html"]
    for path, size in notices.items():
        html = (synth_site / path).read_text("utf-8")
        # every unit in its group's ranking table, with a link to its card
        assert len(re.findall(r'<th scope="row" class="c-name"><a href="\.\./\.\./\.\./units/u\d{5}/', html)) == 60
        assert size <= NOTICE_BUDGET, (path, size)


def test_synthetic_css_and_js_are_at_most_30_kb(synth_site):
    files = assets(synth_site)
    assert sorted(re.sub(r"\.[0-9a-f]{10}\.", ".", n) for n in files) == ["site.css", "site.js"]
    assert sum(files.values()) <= ASSETS_BUDGET, files
    assert search_index_pages(synth_site) == ["index.html", "units/index.html"]


def test_example_pages_within_budget(example_site):
    cards = pages(example_site, "scorecard")
    notices = pages(example_site, "notice")
    assert cards and notices
    assert max(cards.values()) <= CARD_BUDGET, max(cards, key=cards.get)
    # the example's largest notice lists 126 units, and still holds the 60-unit budget
    assert max(notices.values()) <= NOTICE_BUDGET, max(notices, key=notices.get)
    assert sum(assets(example_site).values()) <= ASSETS_BUDGET
    assert search_index_pages(example_site) == ["index.html", "units/index.html"]
