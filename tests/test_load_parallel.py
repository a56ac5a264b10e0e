"""Period files checked in two processes (site_builder/pipeline.py, ``_check_periods``).

A build with enough period files to check forks a child that parses, validates and checks every
other one while the parent checks the rest.  What a user sees must not depend on it: every problem
of every file in one run, in the order a serial load gives, each at its ``file:line:column``; the
same site, byte for byte; the same cache entries.  A child that dies or sends something cut short
is never a silent miss: its files are checked again in the parent.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from scratch import make_project
from test_cache_staged import QUARTERS, _quarters

from site_builder import aside, pipeline
from site_builder.errors import Problems
from site_builder.load import cache as cache_mod
from site_builder.load.cache import CACHE_DIR, STAGED, SourceCache
from site_builder.pipeline import load_project

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="checking aside needs fork")


@pytest.fixture(autouse=True)
def _setup(monkeypatch, tmp_path_factory):
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    monkeypatch.delenv(pipeline.ENV_SERIAL, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))
    monkeypatch.setattr(aside.threading, "active_count", lambda: 1)  # pytest may run helper threads
    monkeypatch.setattr(pipeline, "FORK_BYTES", 0)  # the scratch files are small: fork all the same


@pytest.fixture
def forks(monkeypatch):
    """The processes forked by the loader to check period files (their ids)."""
    made: list[int] = []
    real = os.fork

    def fork():
        caller = sys._getframe(2).f_code.co_name  # (through aside.fork_with_pipe) not aside.run's writers
        pid = real()
        if pid and caller == "_check_periods":
            made.append(pid)
        return pid

    monkeypatch.setattr(pipeline.os, "fork", fork)
    return made


def _load(root: Path, serial: bool, monkeypatch):
    if serial:
        monkeypatch.setenv(pipeline.ENV_SERIAL, "1")
    else:
        monkeypatch.delenv(pipeline.ENV_SERIAL, raising=False)
    problems = Problems()
    cache = SourceCache(root)
    with aside.allowed():
        project = load_project(root, problems, cache)
    return project, problems


def _broken() -> dict[str, str]:
    """Four quarters, three of them wrong: Q1 (checked by the parent) names an unregistered unit,
    Q2 (by the child) too, Q4 (by the child) writes ``period:`` twice."""
    files = _quarters()
    for q in ("2024-Q1", "2024-Q2"):
        files[f"scores/demo/{q}.yaml"] = files[f"scores/demo/{q}.yaml"].replace("  a2:\n", "  zz:\n")
    files["scores/demo/2024-Q4.yaml"] = files["scores/demo/2024-Q4.yaml"].replace(
        "period: 2024-Q4\n", "period: 2024-Q4\nperiod: 2024-Q4\n")
    return files


def _line(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_problems_of_files_checked_in_two_processes_are_all_reported_in_serial_order(tmp_path, monkeypatch, forks):
    files = _broken()
    serial = make_project(tmp_path / "serial", files)
    both = make_project(tmp_path / "both", files)
    p1, serial_problems = _load(serial, True, monkeypatch)
    assert forks == []
    p2, problems = _load(both, False, monkeypatch)
    assert len(forks) == 1
    assert p1 is None and p2 is None
    said = [p.render("zh-CN") for p in problems.items]
    assert said == [p.render("zh-CN") for p in serial_problems.items]
    where = [f"{p.mark.path}:{p.mark.line}:{p.mark.column}" for p in problems.errors]
    q1, q2, q4 = (files[f"scores/demo/{q}.yaml"] for q in ("2024-Q1", "2024-Q2", "2024-Q4"))
    assert where == [
        f"scores/demo/2024-Q1.yaml:{_line(q1, '  zz:')}:3",  # not registered
        "scores/demo/2024-Q1.yaml:7:3",  # a2 of its group has no record (at units:)
        f"scores/demo/2024-Q2.yaml:{_line(q2, '  zz:')}:3",
        "scores/demo/2024-Q2.yaml:7:3",
        f"scores/demo/2024-Q4.yaml:{_line(q4, 'period:') + 1}:1",  # period: written twice
    ]
    assert said[0].endswith("“zz”不是已登记的单位 — 可用：a1, a2, a3") and said[2] == said[0].replace("Q1", "Q2")
    assert said[4] == "scores/demo/2024-Q4.yaml:4:1: 第 4 行出现重复的键“period”（第 3 行已出现） — 删除或合并其中一个"
    # nothing was written: no entry, no staged file of either process
    assert os.listdir(both / CACHE_DIR) == []  # Q2's parsed document, written aside by the child, deleted


def test_a_build_is_the_same_with_the_period_files_checked_in_two_processes(tmp_path, monkeypatch, forks):
    from site_builder.site.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764900000")
    sites, entries = [], []
    for serial in (True, False):
        root = make_project(tmp_path / f"p{serial}", _quarters())
        if serial:
            monkeypatch.setenv(pipeline.ENV_SERIAL, "1")
        else:
            monkeypatch.delenv(pipeline.ENV_SERIAL)
        out = tmp_path / f"out{serial}"
        build_site(root, out, quiet=True, jobs=1)
        sites.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
        entries.append(sorted(os.listdir(root / CACHE_DIR)))
    assert len(forks) == 1
    assert sites[0].keys() == sites[1].keys() and len(sites[0]) > 20
    assert [k for k in sites[0] if sites[0][k] != sites[1][k]] == []
    assert entries[0] == entries[1]  # the child's entries were adopted, none left staged
    assert not [n for n in entries[1] if n.startswith(STAGED)]


def _quarters_loaded(root: Path, monkeypatch):
    project, problems = _load(root, False, monkeypatch)
    assert project is not None, [p.render() for p in problems.items]
    return [(p.id, sorted(p.facts)) for p in project.periods]


def test_a_killed_checker_means_its_files_are_checked_in_the_parent(tmp_path, monkeypatch, forks):
    def killed(*a, **kw):
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(pipeline, "_check_aside", killed)
    _, serial = _load(make_project(tmp_path / "serial", _broken()), True, monkeypatch)
    project, problems = _load(make_project(tmp_path / "p", _broken()), False, monkeypatch)
    assert len(forks) == 1
    assert project is None
    assert [p.mark.path for p in problems.errors] == [f"scores/demo/{q}.yaml" for q in ("2024-Q1",) * 2 + ("2024-Q2",) * 2 + ("2024-Q4",)]
    assert [p.render() for p in problems.items] == [p.render() for p in serial.items]
    good = make_project(tmp_path / "good", _quarters())
    assert _quarters_loaded(good, monkeypatch) == [(q, ["a1", "a2", "a3"]) for q in QUARTERS]
    # and the next load takes every period from the cache (the parent's entries were committed)
    cache = SourceCache(good)
    assert load_project(good, Problems(), cache) is not None
    assert cache.enabled and (cache.hits, cache.misses) == (8, 0)  # site, registry, scheme and its model, 4 periods


def test_a_fork_refused_means_every_file_is_checked_here(tmp_path, monkeypatch):
    """No process to spare (a container's limit): no error, every file checked in this process, the
    same problems in the same order."""
    _, serial = _load(make_project(tmp_path / "serial", _broken()), True, monkeypatch)

    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    project, problems = _load(make_project(tmp_path / "p", _broken()), False, monkeypatch)
    assert project is None
    assert [p.render() for p in problems.items] == [p.render() for p in serial.items]
    assert _quarters_loaded(make_project(tmp_path / "good", _quarters()), monkeypatch) == [
        (q, ["a1", "a2", "a3"]) for q in QUARTERS]


def test_a_checker_that_sends_its_outcomes_cut_short_is_not_trusted(tmp_path, monkeypatch, forks):
    real = pipeline._check_aside

    def cut_short(files, share, root, schemes, units, cache, write_end):
        r, w = os.pipe()
        real(files, share, root, schemes, units, cache, w)  # pickled whole into a pipe of its own...
        data = os.read(r, 1 << 16)
        with os.fdopen(write_end, "wb") as pipe:  # ...of which only half is sent
            pipe.write(data[: len(data) // 2])

    monkeypatch.setattr(pipeline, "_check_aside", cut_short)
    root = make_project(tmp_path / "p", _quarters())
    assert _quarters_loaded(root, monkeypatch) == [(q, ["a1", "a2", "a3"]) for q in QUARTERS]
    assert len(forks) == 1
    # what the child staged before its outcomes were refused is gone; the parent's entries are whole
    assert not [n for n in os.listdir(root / CACHE_DIR) if n.startswith(STAGED)]


def test_few_bytes_to_check_are_checked_in_one_process(tmp_path, monkeypatch, forks):
    monkeypatch.setattr(pipeline, "FORK_BYTES", 64 * 1024)
    root = make_project(tmp_path / "p", _quarters())
    assert _quarters_loaded(root, monkeypatch) == [(q, ["a1", "a2", "a3"]) for q in QUARTERS]
    assert forks == []


def test_a_period_file_that_cannot_be_read_is_reported_in_its_place(tmp_path, monkeypatch, forks):
    """Hostile: one period file is a link out of the project; the others are checked in two processes."""
    files = _broken()
    roots = []
    for name in ("serial", "both"):
        root = make_project(tmp_path / name, files)
        outside = tmp_path / f"outside-{name}.yaml"
        outside.write_text(files["scores/demo/2024-Q3.yaml"], "utf-8")
        (root / "scores/demo/2024-Q3.yaml").unlink()
        (root / "scores/demo/2024-Q3.yaml").symlink_to(outside)
        roots.append(root)
    _, serial = _load(roots[0], True, monkeypatch)
    project, problems = _load(roots[1], False, monkeypatch)
    assert len(forks) == 1 and project is None
    said = [p.render() for p in problems.items]
    assert said == [p.render() for p in serial.items]
    assert [p.mark.path for p in problems.errors] == [
        f"scores/demo/{q}.yaml" for q in ("2024-Q1", "2024-Q1", "2024-Q2", "2024-Q2", "2024-Q3", "2024-Q4")]
    assert said[4] == ("scores/demo/2024-Q3.yaml: 这是指向项目目录之外的符号链接（快捷方式），不会读取 — "
                       "请删除该链接，把所需文件本身放进项目目录（项目之外的文件不会被读取或发布）")
    assert not [n for n in os.listdir(roots[1] / CACHE_DIR) if n.startswith(STAGED)]


def test_the_cache_counts_what_the_child_read_too(tmp_path, monkeypatch, forks):
    counts = []
    for serial in (True, False):
        root = make_project(tmp_path / f"p{serial}", _quarters())
        monkeypatch.setenv(pipeline.ENV_SERIAL, "1" if serial else "0")
        cache = SourceCache(root)
        with aside.allowed():
            assert load_project(root, Problems(), cache) is not None
        counts.append((cache.hits, cache.misses))
    assert len(forks) == 1
    # cold: site, registry, scheme and its validated model, and each quarter's parse, its checked
    # period and its last parse (what an edit of the file starts from, load/yamlsplice.py)
    assert counts == [(0, 4 + 4 * 3)] * 2
