"""Golden pages: the fixture project's key pages, compared byte for byte.

After a deliberate change to templates, views or the fixture, regenerate with

    UPDATE_GOLDEN=1 python -m pytest tests/site/test_golden.py

and review the diff of tests/site/golden/ before committing it.  Asset
fingerprints (``assets/site.<hash>.css``) are replaced by ``<hash>`` so a
stylesheet change alone does not churn every golden page.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from pathlib import Path

import pytest

from site_builder.site.build import build_site

GOLDEN = Path(__file__).resolve().parent / "golden"
PAGES = [
    "index.html",
    "notices/xiaoneng/2017-Q4/index.html",
    "notices/xiaoneng/2018-Q1/index.html",
    "units/czj/xiaoneng/2017-Q4/index.html",
    "units/sjj/xiaoneng/2018-Q1/index.html",
    "units/jyj/index.html",
    "schemes/xiaoneng/v2017/index.html",
    "notices/xiaoneng/2017-Q4/xiaoneng-2017-Q4.csv",
    "notices/xiaoneng/2017-Q4/xiaoneng-2017-Q4-lines.csv",
    "data/xiaoneng/index.html",
    "data/xiaoneng/xiaoneng.json",
    "data/xiaoneng/datapackage.json",
    "feed.xml",
]
_ASSET = re.compile(r"(assets/[a-z]+)\.[0-9a-f]{10}\.(css|js)")


def normalise(text: str) -> str:
    return _ASSET.sub(r"\1.<hash>.\2", text)


@pytest.fixture(scope="module")
def golden_build(tmp_path_factory) -> Path:
    from conftest import copy_fixture

    root = copy_fixture(tmp_path_factory.mktemp("golden") / "project")
    out = root / "_site"
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        build_site(root, out, as_of=dt.date(2018, 4, 12), quiet=True)
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return out


@pytest.mark.parametrize("page", PAGES)
def test_golden_page(golden_build, page):
    actual = normalise((golden_build / page).read_text(encoding="utf-8-sig"))
    expected_path = GOLDEN / page
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.is_file(), (
        f"no golden file for {page}: run UPDATE_GOLDEN=1 python -m pytest {__file__}"
    )
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), "golden", "built", n=2
            )
        )
        pytest.fail(f"{page} differs from tests/site/golden/{page}:\n{diff[:6000]}")


def test_no_stale_golden_files():
    on_disk = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert on_disk <= set(PAGES), f"golden files no test compares: {sorted(on_disk - set(PAGES))}"
