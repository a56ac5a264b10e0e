"""The site before the last build is listed by a child while the build checks its sources
(output/listing.py), and the listing counts only for the very folder it walked."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from site_builder.errors import InputError
from site_builder.site.output import listing, write
from tests.test_incremental import build, cache_on, clean_build, files, make_project, set_score


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # pytest may run helper threads (a browser test's server's, left idle): the build would not fork
    monkeypatch.setattr(listing.threading, "active_count", lambda: 1)
    with cache_on(tmp_path):
        yield make_project(tmp_path)


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders walked in this process (a child's walks happen in the child: not seen here)."""
    seen: list[str] = []
    real = listing.walk

    def counted(root: str):
        seen.append(root)
        return real(root)

    monkeypatch.setattr(listing, "walk", counted)
    return seen


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list:
    """What each build took from its child (None: nothing it could use)."""
    got: list = []
    real = listing.Ahead.take

    def take(self, folder):
        got.append(real(self, folder))
        return got[-1]

    monkeypatch.setattr(listing.Ahead, "take", take)
    return got


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list:
    """The children each build forked to list the old site (their ids: 0 once closed)."""
    made: list = []
    real = listing.ahead

    def ahead(folder):
        got = real(folder)
        if got is not None:
            made.append((got, got.pid))
        return got

    monkeypatch.setattr(listing, "ahead", ahead)
    return made


def _reaped(started: list) -> bool:
    """Every child listed in ``started`` ended and was waited for (none left running or a zombie; the
    test process may have other children of its own, a browser test's)."""
    for got, pid in started:
        if got.pid != 0:
            return False
        try:
            os.waitpid(pid, os.WNOHANG)
            return False  # still there (running, or ended and not waited for)
        except ChildProcessError:
            continue
    return True


def _twice(project: Path, out: Path) -> None:
    """Two builds: the folder kept beside ``out`` then holds the first site."""
    build(project, out)
    set_score(project, "2018-Q1", "fgw", 44)
    build(project, out)


def test_a_rebuild_takes_the_listing_its_child_made(project: Path, tmp_path: Path, walks: list, taken: list,
                                                    started: list) -> None:
    out = tmp_path / "site"
    _twice(project, out)
    prev = write.recycled(out)
    old = {p.relative_to(prev).as_posix() for p in prev.rglob("*")}
    walks.clear(), taken.clear()
    set_score(project, "2018-Q1", "fgw", 45)
    build(project, out)
    assert len(taken) == 1 and taken[0] is not None
    files_, dirs = taken[0][1]
    assert files_ | dirs == old  # every file and folder of the site before, as a walk finds them
    assert walks == []  # nothing walked in this process
    assert len(started) == 2 and _reaped(started)  # (the second build's, and this one's)
    clean_build(project, tmp_path / "clean")
    assert files(out) == files(tmp_path / "clean")


def test_a_folder_changed_after_it_was_listed_is_walked_here(project: Path, tmp_path: Path,
                                                             walks: list, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder's identity changed between the child's walk and the build's taking it (a file added
    at its top, as another build refilling it would change it): the listing is set aside."""
    out = tmp_path / "site"
    _twice(project, out)
    prev = write.recycled(out)
    real = listing.Ahead.take

    def take_then_plant(self, folder):
        got = real(self, folder)
        assert got is not None
        (prev / "stray.html").write_text("stray", "utf-8")
        return got

    monkeypatch.setattr(listing.Ahead, "take", take_then_plant)
    walks.clear()
    set_score(project, "2018-Q1", "fgw", 45)
    build(project, out)
    assert len(walks) == 1  # walked here, as before the child
    assert not (out / "stray.html").exists()
    clean_build(project, tmp_path / "clean")
    assert files(out) == files(tmp_path / "clean")


@pytest.mark.parametrize("how", ["killed", "refused"])
def test_a_child_with_nothing_to_give_means_a_walk_here(how: str, project: Path, tmp_path: Path,
                                                        walks: list, taken: list, started: list,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    _twice(project, out)
    prev = write.recycled(out)
    if how == "refused":  # a link planted in it: the child refuses the folder, and so does the walk here
        target = tmp_path / "elsewhere"
        target.mkdir()
        (prev / "assets" / "link").symlink_to(target, target_is_directory=True)
    else:
        real = listing.ahead

        def killed(folder):
            got = real(folder)
            assert got is not None
            os.kill(got.pid, signal.SIGKILL)
            return got

        monkeypatch.setattr(listing, "ahead", killed)
    walks.clear(), taken.clear()
    set_score(project, "2018-Q1", "fgw", 45)
    build(project, out)
    assert taken == [None] and len(walks) == 1
    assert not (prev / "assets" / "link").exists()
    assert started and _reaped(started)
    clean_build(project, tmp_path / "clean")
    assert files(out) == files(tmp_path / "clean")


def test_a_build_that_fails_before_writing_leaves_no_child(project: Path, tmp_path: Path, started: list) -> None:
    out = tmp_path / "site"
    _twice(project, out)
    started.clear()
    path = project / "scores" / "xiaoneng" / "2018-Q1.yaml"
    path.write_text(path.read_text("utf-8") + "\nnot: [valid\n", "utf-8")
    with pytest.raises(InputError):
        build(project, out)
    assert len(started) == 1 and started[0][0].pid == 0  # closed
    assert _reaped(started)  # and waited for


def test_no_child_where_forking_is_not_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "kept"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "x.html").write_text("x", "utf-8")
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # a server's threads running
    assert listing.ahead(folder) is None
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    got = listing.ahead(folder)
    assert got is not None
    listed = got.take(folder)
    assert listed is not None and listed[1] == ({"a/x.html"}, {"a"})
    assert listed[0] == listing.ident(os.lstat(folder))
    assert listing.ahead(tmp_path / "missing") is None


def test_a_fork_refused_means_a_walk_when_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No process to spare (a container's limit): no child, no error; the build walks the folder itself."""
    folder = tmp_path / "kept"
    folder.mkdir()
    monkeypatch.setattr(listing.threading, "active_count", lambda: 1)

    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    fds = Path("/proc/self/fd")  # (Linux: the descriptors open in this process)
    before = len(os.listdir(fds)) if fds.is_dir() else 0
    assert listing.ahead(folder) is None
    assert (len(os.listdir(fds)) if fds.is_dir() else 0) == before  # the pipe closed
