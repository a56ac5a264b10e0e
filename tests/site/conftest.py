"""Fixtures of the site tests: a scratch copy of the fixture project, built sites.

The fixture project lives in ``tests/site/fixtures/basic``; every test that
changes it works on a copy in ``tmp_path`` (outside any git repository, so the
footer reads “未提交” and the output does not depend on this repo's commits).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "basic"


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def copy_fixture(dest: Path) -> Path:
    shutil.copytree(FIXTURE, dest)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the fixture project."""
    return copy_fixture(tmp_path / "project")


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    """Load a fixture YAML file, change it, write it back (all scalars stay text)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_style=None),
        encoding="utf-8",
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project built once (read-only for the tests that use it)."""
    from site_builder.site.build import build_site

    root = copy_fixture(tmp_path_factory.mktemp("built") / "project")
    out = root / "_site"
    mp = pytest.MonkeyPatch()
    mp.delenv("SOURCE_DATE_EPOCH", raising=False)
    try:
        build_site(root, out, quiet=True)
    finally:
        mp.undo()
    return out


REPO = HERE.parents[1]


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example content (schemes/, scores/, units/, content/) built once."""
    from site_builder.site.build import build_site

    if not (REPO / "site.yaml").is_file():
        pytest.skip("no example content at the repository root")
    out = tmp_path_factory.mktemp("example") / "_site"
    mp = pytest.MonkeyPatch()
    mp.delenv("SOURCE_DATE_EPOCH", raising=False)
    try:
        build_site(REPO, out, quiet=True)
    finally:
        mp.undo()
    return out


@pytest.fixture(params=["fixture", "example"])
def any_site(request: pytest.FixtureRequest) -> Path:
    """Each read-only check runs on the fixture project and on the example content."""
    return request.getfixturevalue("built_site" if request.param == "fixture" else "example_site")


def tree_bytes(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }
