"""Pages rendered by forked workers (``--jobs``) give the very bytes of a serial build,
and a failure in a worker is reported like any other: located, no traceback, the
previous site untouched."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from conftest import edit_yaml, tree_bytes
from scratch import make_project

from site_builder.cli import main
from site_builder.site import build, render_pool
from site_builder.site.build import PACKAGE_THEME, build_site
from site_builder.site.failures import SiteError

pytestmark = pytest.mark.skipif(not render_pool._can_fork(), reason="no fork on this platform: builds are serial")


@pytest.fixture(autouse=True)
def _parallel_even_when_small(monkeypatch):
    """The fixture projects are small: fork workers for them too."""
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_ROUTES", 0)


def _forks(monkeypatch) -> list[int]:
    """Record how many workers each build forks (0: rendered in this process)."""
    seen: list[int] = []
    original = render_pool._render_parallel

    def recording(job, jobs, show):
        seen.append(jobs)
        return original(job, jobs, show)

    monkeypatch.setattr(render_pool, "_render_parallel", recording)
    return seen


@pytest.mark.parametrize("jobs", [2, 3])
def test_serial_and_parallel_builds_of_the_fixture_are_byte_identical(project, tmp_path, monkeypatch, jobs):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764900000")
    forks = _forks(monkeypatch)
    serial = build_site(project, tmp_path / "serial", quiet=True, jobs=1)
    parallel = build_site(project, tmp_path / "parallel", quiet=True, jobs=jobs)
    assert forks == [jobs]  # the serial build forked nothing, the other one did
    one, other = tree_bytes(tmp_path / "serial"), tree_bytes(tmp_path / "parallel")
    assert sorted(one) == sorted(other)
    assert [p for p in one if one[p] != other[p]] == []
    assert (parallel.pages, parallel.files, parallel.bytes) == (serial.pages, serial.files, serial.bytes)
    assert serial.files == len(one) and serial.bytes == sum(len(b) for b in one.values())


def test_serial_and_parallel_builds_of_a_scratch_project_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764900000")
    root = make_project(tmp_path / "p")
    build_site(root, tmp_path / "serial", quiet=True, jobs=1)
    build_site(root, tmp_path / "parallel", quiet=True, jobs=2)
    one, other = tree_bytes(tmp_path / "serial"), tree_bytes(tmp_path / "parallel")
    assert one == other
    assert "manifest.json" in one and any(p.endswith(".html") for p in one)


@pytest.mark.parametrize("recycled", [False, True], ids=["pool", "a process a share"])
def test_no_process_to_spare_means_one_process_renders_the_same_site(project, tmp_path, monkeypatch, recycled):
    """Every fork refused (a container's process limit, memory): the pool, or each share's process,
    is not started and this process renders instead — the same bytes, no error."""
    import os

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764900000")
    serial = build_site(project, tmp_path / "serial", quiet=True, jobs=1)
    if recycled:
        monkeypatch.setattr(render_pool, "RECYCLE_MIN_ROUTES", 0)

    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    forks = _forks(monkeypatch)
    again = build_site(project, tmp_path / "refused", quiet=True, jobs=2)
    assert forks == [2]  # a parallel render was asked for
    assert tree_bytes(tmp_path / "refused") == tree_bytes(tmp_path / "serial")
    assert (again.pages, again.files) == (serial.pages, serial.files)


def test_a_personal_number_in_a_page_rendered_by_a_worker_fails_the_build(project, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build_site(project, out, quiet=True, jobs=2)
    before = tree_bytes(out)
    edit_yaml(
        project / "scores/xiaoneng/2017-Q4.yaml",
        lambda d: d["units"]["wjw"].update(note="联系人手机 13812345678"),
    )
    monkeypatch.setattr(build, "privacy_check", lambda *a, **k: None)  # only the scan of the output
    forks = _forks(monkeypatch)
    with pytest.raises(SiteError) as err:
        build_site(project, out, quiet=True, jobs=2)
    assert forks == [2]
    message = err.value.message
    line = next(
        i
        for i, text in enumerate((project / "scores/xiaoneng/2017-Q4.yaml").read_text("utf-8").splitlines(), 1)
        if "13812345678" in text
    )
    # the score card of the period, a page only a worker wrote, is named and located
    assert f"scores/xiaoneng/2017-Q4.yaml:{line}:" in message
    assert "生成的 units/wjw/" in message and "含有手机号“138****5678”" in message
    assert "13812345678" not in message
    assert "Traceback" not in message
    assert tree_bytes(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site-")] == []


def test_a_template_error_in_a_worker_is_reported_not_a_traceback(project, tmp_path):
    out = tmp_path / "out"
    build_site(project, out, quiet=True, jobs=2)
    before = tree_bytes(out)
    shutil.copytree(PACKAGE_THEME, project / "theme")
    card = project / "theme/templates/scorecard.html"
    card.write_text(card.read_text("utf-8").replace("{% block content %}", "{% block content %}{{ 1 | no_such_filter }}", 1), "utf-8")
    r = CliRunner().invoke(main, ["build", "--root", str(project), "--out", str(out), "--quiet", "--jobs", "2"])
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert "模板 scorecard.html 渲染 units/" in r.output and "no_such_filter" in r.output
    assert r.output.strip().endswith("共 1 个错误；未写出任何文件。")
    assert tree_bytes(out) == before
    # the same message as a serial build gives (the first failing page in plan order)
    serial = CliRunner().invoke(main, ["build", "--root", str(project), "--out", str(out), "--quiet", "--jobs", "1"])
    assert serial.output == r.output


def test_jobs_must_be_a_positive_number(project):
    r = CliRunner().invoke(main, ["build", "--root", str(project), "--jobs", "0"])
    assert r.exit_code == 2 and "--jobs" in r.output
    assert not (project / "_site").exists()
