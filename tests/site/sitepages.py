"""The pages of a built site grouped by page kind, for the browser proofs.

Kinds are read from the built pages themselves (``<body class="kind-…">``),
never listed by hand, so a page kind added later is checked without editing
the tests.  A 公示 (public notice) is told apart from a 通报 by its status mark.
"""

from __future__ import annotations

import re
from pathlib import Path

_KIND = re.compile(r'<body class="kind-([A-Za-z0-9_-]+)')
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_COL = re.compile(r'<th scope="col"')
_ROW = re.compile(r"<tr\b")

ALL_BELOW = 12  # a kind with at most this many pages is checked page by page


def kind_of(html: str) -> str | None:
    m = _KIND.search(html)
    if m is None:
        return None
    kind = m.group(1)
    if kind == "notice" and "status-public_notice" in html:
        return "public_notice"
    return kind


def pages_by_kind(site: Path) -> dict[str, list[str]]:
    """Every HTML page of ``site`` (relative paths, sorted) under its kind."""
    kinds: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*.html")):
        kind = kind_of(path.read_text("utf-8"))
        if kind is not None:
            kinds.setdefault(kind, []).append(path.relative_to(site).as_posix())
    return kinds


def widest_table(html: str) -> tuple[int, int]:
    """(columns, rows) of the page's widest table: the one most likely to be clipped."""
    best = (0, 0)
    for table in _TABLE.findall(html):
        best = max(best, (len(_COL.findall(table)), len(_ROW.findall(table))))
    return best


def sample(site: Path, pages: list[str]) -> list[str]:
    """All pages of a small kind; else the one with the widest table, the largest
    one and the one with the longest heading (the likeliest to overflow), plus the first."""
    if len(pages) <= ALL_BELOW:
        return list(pages)
    texts = {rel: (site / rel).read_text("utf-8") for rel in pages}

    def heading(rel: str) -> int:
        m = _H1.search(texts[rel])
        return len(re.sub(r"<[^>]+>", "", m.group(1))) if m else 0

    picks = [
        max(pages, key=lambda r: (widest_table(texts[r]), r)),
        max(pages, key=lambda r: (len(texts[r]), r)),
        max(pages, key=lambda r: (heading(r), r)),
        pages[0],
    ]
    return sorted(dict.fromkeys(picks))


def widest_page(site: Path, pages: list[str]) -> str:
    """The page whose widest table has the most columns (then rows)."""
    return max(pages, key=lambda r: (widest_table((site / r).read_text("utf-8")), r))
