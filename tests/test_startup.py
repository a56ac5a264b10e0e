"""The serial start of a rebuild: what the privacy stage learnt of unchanged sources is kept
(site_builder/site/output/source_memo.py) — the personal-number scan of each source file and the
registered names of each period file — and never trusted when damaged, foreign or stale."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from site_builder.errors import Problems
from site_builder.load import cache as cache_mod
from site_builder.pipeline import check
from site_builder.site.output import personal_names, privacy

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "site" / "fixtures" / "basic"
PERIOD = "scores/xiaoneng/2017-Q3.yaml"


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch, tmp_path_factory):
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))


@pytest.fixture
def project_root(tmp_path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".site-builder", "_site"))
    return root


@pytest.fixture
def scans(monkeypatch) -> list[str]:
    """The texts the personal-number scan of the sources really read."""
    seen: list[str] = []
    original = privacy.locate_written

    def counting(text):
        seen.append(text)
        return original(text)

    monkeypatch.setattr(privacy, "locate_written", counting)
    return seen


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """How many periods' facts were read for their names."""
    seen: list[int] = []
    original = personal_names.person_names

    def counting(facts):
        seen.append(1)
        return original(facts)

    monkeypatch.setattr(personal_names, "person_names", counting)
    return seen


def _project(root: Path):
    project, _ = check(root, warnings=Problems(), include_drafts=False)
    return project


def _all(root: Path, project) -> int:
    """The files the source check reads: every source, and published/ (none in the fixture)."""
    return len(project.sources) + len(privacy.archive_files(root))


def _entry(root: Path, name: str) -> Path:
    (entry,) = [p for p in (root / ".site-builder" / name).iterdir() if not p.name.startswith(".")]
    return entry


def _numbers(found: Problems) -> list[tuple[str, int, int, str]]:
    return [(p.mark.path, p.mark.line, p.mark.column, dict(p.params)["number"]) for p in found.items if p.code == "privacy.number"]


def test_clean_sources_are_not_scanned_again(project_root, scans):
    project = _project(project_root)
    assert not privacy.source_problems(project_root, project).items
    files = len(scans)
    assert files == _all(project_root, project)
    scans.clear()
    assert not privacy.source_problems(project_root, project).items
    assert scans == []  # every file the same bytes, found clean last time


def test_a_changed_source_is_scanned_and_its_number_reported_every_time(project_root, scans):
    privacy.source_problems(project_root, _project(project_root))
    path = project_root / "site.yaml"
    path.write_bytes(path.read_bytes() + "# 联系电话 13812345678\n".encode())
    lines = path.read_bytes().count(b"\n")
    project = _project(project_root)
    for _ in range(2):  # a file with a finding is never remembered clean
        scans.clear()
        found = privacy.source_problems(project_root, project)
        assert _numbers(found) == [("site.yaml", lines, 8, "138****5678")]
        assert len(scans) == 1


def test_a_damaged_entry_is_refused_and_made_again(project_root, scans):
    project = _project(project_root)
    privacy.source_problems(project_root, project)
    entry = _entry(project_root, "clean-sources")
    good = entry.read_bytes()
    entry.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # one bit of the payload
    scans.clear()
    assert not privacy.source_problems(project_root, project).items
    assert len(scans) == _all(project_root, project)  # everything scanned again
    assert _entry(project_root, "clean-sources").read_bytes() != good[:-1] + bytes([good[-1] ^ 1])
    scans.clear()
    privacy.source_problems(project_root, project)
    assert scans == []  # the entry was written again, whole


def test_an_entry_signed_with_another_key_is_refused(project_root, scans, monkeypatch, tmp_path):
    project = _project(project_root)
    privacy.source_problems(project_root, project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-computer"))
    scans.clear()
    privacy.source_problems(project_root, project)
    assert len(scans) == _all(project_root, project)


def test_a_link_in_place_of_the_folder_is_not_used(project_root, scans, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project_root / ".site-builder").mkdir()
    os.symlink(elsewhere, project_root / ".site-builder" / "clean-sources")
    project = _project(project_root)
    for _ in range(2):
        scans.clear()
        privacy.source_problems(project_root, project)
        assert len(scans) == _all(project_root, project)
    assert list(elsewhere.iterdir()) == []


def test_names_of_unchanged_period_files_are_remembered(project_root, reads):
    project = _project(project_root)
    first = personal_names.names_to_mask(project, root=project_root)
    assert "张三" in first and "李四" in first
    assert len(reads) == len(project.periods)
    reads.clear()
    assert personal_names.names_to_mask(project, root=project_root) == first
    assert reads == []
    assert personal_names.names_to_mask(project) == first  # the same as read from the facts


def test_a_renamed_person_is_found_in_the_changed_file_only(project_root, reads):
    personal_names.names_to_mask(_project(project_root), root=project_root)
    path = project_root / PERIOD
    path.write_text(path.read_text(encoding="utf-8").replace("name: 张三", "name: 王五"), encoding="utf-8")
    project = _project(project_root)
    reads.clear()
    names = personal_names.names_to_mask(project, root=project_root)
    assert len(reads) == 1  # the changed period only
    assert "王五" in names and "张三" not in names
    assert names == personal_names.names_to_mask(project)  # as read from every period's facts


def test_names_are_read_again_when_another_source_changes(project_root, reads):
    personal_names.names_to_mask(_project(project_root), root=project_root)
    site = project_root / "site.yaml"
    site.write_bytes(site.read_bytes() + b"# changed\n")
    project = _project(project_root)
    reads.clear()
    personal_names.names_to_mask(project, root=project_root)
    assert len(reads) == len(project.periods)


def test_a_damaged_names_entry_is_refused_and_made_again(project_root, reads):
    project = _project(project_root)
    first = personal_names.names_to_mask(project, root=project_root)
    entry = _entry(project_root, "names")
    entry.write_bytes(entry.read_bytes()[:40])  # torn
    reads.clear()
    assert personal_names.names_to_mask(project, root=project_root) == first
    assert len(reads) == len(project.periods)
    reads.clear()
    assert personal_names.names_to_mask(project, root=project_root) == first
    assert reads == []


def test_no_cache_means_no_memo(project_root, scans, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV_OFF, "1")
    project = _project(project_root)
    for _ in range(2):
        scans.clear()
        privacy.source_problems(project_root, project)
        assert len(scans) == _all(project_root, project)
    assert not (project_root / ".site-builder" / "clean-sources").exists()


# ------------------------------------------------------------------ libraries' versions, without importlib.metadata


@pytest.mark.parametrize("dist", ["PyYAML", "pydantic-core", "markdown", "nh3", "jinja2", "openpyxl", "et_xmlfile"])
def test_library_versions_are_those_importlib_metadata_gives(dist):
    from importlib import metadata

    assert cache_mod.dist_version(dist) == metadata.version(dist)


def test_a_library_version_is_read_from_the_first_folder_that_has_it(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "Some_Lib-2.0.1.dist-info").mkdir(parents=True)
    (second / "some_lib-1.0.dist-info").mkdir(parents=True)
    (second / "other-3.0.dist-info").mkdir()
    monkeypatch.setattr("sys.path", [str(tmp_path / "missing"), str(first), str(second)])
    cache_mod._listing.cache_clear()
    try:
        assert cache_mod.dist_version("some-lib") == "2.0.1"
        assert cache_mod.dist_version("other") == "3.0"
        assert cache_mod.dist_version("absent") == "-"
    finally:
        cache_mod._listing.cache_clear()


def test_an_unclear_library_folder_is_left_to_importlib_metadata(tmp_path, monkeypatch):
    folder = tmp_path / "site"
    for name in ("twice-1.0.dist-info", "twice-2.0.dist-info", "legacy.egg-info"):
        (folder / name).mkdir(parents=True)
    asked: list[str] = []
    import importlib.metadata as metadata

    def version(dist):
        asked.append(dist)
        return "from-metadata"

    monkeypatch.setattr(metadata, "version", version)
    monkeypatch.setattr("sys.path", [str(folder)])
    cache_mod._listing.cache_clear()
    try:
        assert cache_mod.dist_version("twice") == "from-metadata"
        assert cache_mod.dist_version("legacy") == "from-metadata"
    finally:
        cache_mod._listing.cache_clear()
    assert asked == ["twice", "legacy"]
