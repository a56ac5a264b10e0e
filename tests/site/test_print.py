"""A4 portrait print without clipped columns (issue 9, “Done when”).

Chromium prints the page to PDF (``page.pdf(format="A4")``); poppler reads it
back.  Text that falls outside the page box is cut from the PDF, so it is
missing from ``pdftotext``'s output (``test_a_clipped_column_is_missing_from_the_pdf_text``
proves this on a table made too wide).  ``-raw`` keeps the drawing order, so a
header or a unit name wrapped onto two lines still reads as one string once
white space is dropped; ``-layout`` shows each mark on its row's line.
``pdftoppm`` renders the first pages to tests/artifacts/screenshots/print-a4-*.png.

Checked: the example's notice with the widest table, the example's largest
scheme page, and the fixture's notice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser_fixtures import SCREENSHOT_DIR, missing
from sitepages import pages_by_kind, widest_page
from test_phone import png_size

from site_builder.site.present.i18n import text as ui_text

SPACE = re.compile(r"\s+")
DPI = 60
MARKS = ui_text("col.marks", "zh")  # 表彰/处理

# The text of every table cell as printed (innerText under print media), per row.
TABLE_TEXTS = r"""
() => [...document.querySelectorAll('main table')].map(table => ({
  caption: table.caption ? table.caption.innerText : '',
  heads: table.tHead ? [...table.tHead.querySelectorAll('th')].map(th => th.innerText) : [],
  rows: [...table.tBodies].flatMap(b => [...b.rows]).map(tr => [...tr.cells].map(c => c.innerText)),
}))
"""


@pytest.fixture(scope="module")
def poppler() -> None:
    for tool in ("pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            missing(f"{tool} not installed: apt-get install poppler-utils")


def squash(text: str) -> str:
    return SPACE.sub("", text)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout


def render_pages(pdf: Path, name: str, last: int = 2) -> list[Path]:
    """The first pages as PNG (kept by CI with the screenshots): print-a4-<name>-<n>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOT_DIR.glob(f"print-a4-{name}-*.png"):
        old.unlink()
    prefix = SCREENSHOT_DIR / f"print-a4-{name}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-l", str(last), str(pdf), str(prefix)], check=True)
    return sorted(SCREENSHOT_DIR.glob(f"print-a4-{name}-*.png"))


def layout_lines(pdf: Path) -> list[str]:
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout.splitlines()


def print_page(page, url: str, pdf: Path) -> list[dict]:
    page.goto(url, wait_until="load")
    page.emulate_media(media="print")
    tables = page.evaluate(TABLE_TEXTS)
    pdf.write_bytes(page.pdf(format="A4"))
    return tables


def missing_texts(tables: list[dict], text: str) -> list[str]:
    """Each caption, column header and row (all its cells, in order) the PDF text lacks,
    looked for in page order: a header printed only under another table does not count."""
    flat = squash(text)
    lost = []
    at = 0
    for t in tables:
        name = squash(t["caption"])[:30]
        pieces = [(t["caption"], "caption")]
        pieces += [(head, "column header") for head in t["heads"]]
        pieces += [(" | ".join(cells), f"row {i}") for i, cells in enumerate(t["rows"], 1)]
        for piece, what in pieces:
            wanted = squash(piece.replace(" | ", ""))
            found = flat.find(wanted, at) if wanted else at
            if found < 0:
                lost.append(f"{name}: {what} 「{piece.strip()}」 is not printed whole")
            else:
                at = found + len(wanted)
    return lost


def print_targets(example: Path, fixture: Path) -> list[tuple[str, Path, str]]:
    ex = pages_by_kind(example)
    fx = pages_by_kind(fixture)
    scheme = max(ex["scheme"], key=lambda r: ((example / r).stat().st_size, r))
    return [
        ("example-notice", example, widest_page(example, ex["notice"])),
        ("example-scheme", example, scheme),
        ("fixture-notice", fixture, widest_page(fixture, fx["notice"])),
    ]


@pytest.mark.browser
def test_a4_print_has_every_column(example_site, built_site, open_page, poppler, tmp_path):
    page = None
    failures: list[str] = []
    for name, site, rel in print_targets(example_site, built_site):
        url = (site / rel).as_uri()
        page = page or open_page(url, width=1280)
        pdf = tmp_path / f"{name}.pdf"
        tables = print_page(page, url, pdf)
        assert tables and all(t["rows"] for t in tables), f"{rel}: no table rows"
        text = pdf_text(pdf)
        failures += [f"{rel}: {m}" for m in missing_texts(tables, text)]
        for png in render_pages(pdf, name):
            width, height = png_size(png)
            assert abs(height / width - 297 / 210) < 0.01, f"{png.name} is not A4 portrait"
    assert failures == [], "clipped in the A4 print:\n" + "\n".join(failures[:30])


@pytest.mark.browser
def test_the_widest_notice_prints_its_marks_column(example_site, open_page, poppler, tmp_path):
    """The 表彰/处理 column, the one that used to be cut off, with every mark in it."""
    rel = widest_page(example_site, pages_by_kind(example_site)["notice"])
    url = (example_site / rel).as_uri()
    page = open_page(url, width=1280)
    tables = print_page(page, url, tmp_path / "n.pdf")
    flat = squash(pdf_text(tmp_path / "n.pdf"))
    with_marks = [t for t in tables if t["heads"][-1:] == [MARKS]]
    marked = [row for t in with_marks for row in t["rows"] if row[-1].strip()]
    assert with_marks and len(marked) >= 3, rel  # the example does award marks
    assert flat.count(MARKS) >= len(with_marks)
    lines = layout_lines(tmp_path / "n.pdf")
    for row in marked:
        assert squash("".join(row)) in flat, f"{rel}: row printed incompletely: {row}"
        # -layout: the mark is printed on the row's first line, beside its total
        total, mark = row[2].strip(), row[-1].strip().split("、")[0]
        assert any(total in line and mark in line for line in lines), (total, mark)


@pytest.mark.browser
def test_a_clipped_column_is_missing_from_the_pdf_text(open_page, poppler, tmp_path):
    """The method can fail: a table too wide for A4 loses its last column from the
    text, as the notices lost their 表彰/处理 column before tables wrapped."""
    page = open_page("about:blank", width=1280)
    cells = "".join(f"<td>第{i}列数据</td>" for i in range(40)) + "<td>最后一列末尾</td>"
    page.set_content(
        "<style>@page { size: A4; margin: 15mm 12mm; } td { white-space: nowrap; padding: 0 1em; }</style>"
        f"<table><thead><tr><th>表头</th></tr></thead><tbody><tr>{cells}</tr></tbody></table>"
    )
    page.pdf(path=str(tmp_path / "wide.pdf"), format="A4")
    text = squash(pdf_text(tmp_path / "wide.pdf"))
    assert "第0列数据" in text and "最后一列末尾" not in text
    rows = [[f"第{i}列数据" for i in range(40)] + ["最后一列末尾"]]
    assert missing_texts([{"caption": "宽表", "heads": ["表头"], "rows": rows}], text) != []
