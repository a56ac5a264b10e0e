"""The exported notice in Chromium: the print page loads nothing but itself and prints on A4."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "site" / "fixtures" / "basic"


@pytest.mark.browser
def test_print_page_loads_no_resource_and_prints_on_a4(tmp_path, serve_dir, open_page):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    r = CliRunner().invoke(main, ["export", "xiaoneng", "2017-Q4", "--as-of", "2018-04-20", "--root", str(root)])
    assert r.exit_code == 0, r.output
    base = serve_dir(root / "_export/xiaoneng/2017-Q4")
    for name in ("print.html", "index.html"):
        page = open_page(f"{base}/{name}", width=1000)
        assert page.blocked_requests == [] and page.console_errors == []
        # no stylesheet, font, image or script was fetched: everything is in the page
        fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert [u for u in fetched if not u.endswith("/favicon.ico")] == []  # the browser's own
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.styleSheets.length") == (1 if name == "print.html" else 0)
        # the table is styled by its own attributes: borders drawn without any stylesheet
        border = page.evaluate("getComputedStyle(document.querySelector('td')).borderTopStyle")
        assert border == "solid"
    page = open_page(f"{base}/print.html", width=1000)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.28) < 1 and abs(float(h) - 841.89) < 1 for w, h in boxes)
