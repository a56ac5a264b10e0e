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


CORRECTION = {
    "date": "2017-10-20",
    "number": "示效办〔2017〕10号",
    "reason": "县财政局“重点工作推进”得分录入错误，经复核更正。",
}


def correct_q3(root: Path, tuijin: str = "50", correction: dict | None = CORRECTION) -> None:
    """Change 县财政局's 重点工作推进 in 2017-Q3 (56.5 when published) and record a correction."""

    def change(d: dict) -> None:
        d["units"]["czj"]["facts"]["tuijin"] = tuijin
        if correction is not None:
            d.setdefault("corrections", []).append(dict(correction))

    edit_yaml(root / "scores/xiaoneng/2017-Q3.yaml", change)


def corrected_project(root: Path) -> Path:
    """The fixture published and locked (v1), then 2017-Q3 corrected and locked again (v2)."""
    from site_builder.site.records.lock.update import update_lock

    copy_fixture(root)
    update_lock(root)
    correct_q3(root)
    update_lock(root)
    return root


@pytest.fixture(scope="session")
def corrected_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with a corrected 2017-Q3 (an earlier version v1) built once."""
    from site_builder.site.build import build_site

    root = corrected_project(tmp_path_factory.mktemp("corrected") / "project")
    out = root / "_site"
    mp = pytest.MonkeyPatch()
    mp.delenv("SOURCE_DATE_EPOCH", raising=False)
    try:
        build_site(root, out, quiet=True)
    finally:
        mp.undo()
    return out


@pytest.fixture(params=["fixture", "example", "corrected"])
def any_site(request: pytest.FixtureRequest) -> Path:
    """Each read-only check runs on the fixture, the example content and a corrected fixture."""
    name = {"fixture": "built_site", "example": "example_site", "corrected": "corrected_site"}
    return request.getfixturevalue(name[request.param])


def tree_bytes(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }
