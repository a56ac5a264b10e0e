"""site_builder/aside.py: work a build does aside, in a forked child, waited for before it returns."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from site_builder import aside
from site_builder.scoring import period_cache
from site_builder.scoring.period_cache import FOLDERS, SCORE_FOLDERS

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="work aside needs fork (not on Windows)")


@pytest.fixture
def one_thread(monkeypatch):
    """This process as the command line runs a build: one thread.  (Earlier tests of the suite may
    leave an idle server thread behind, and work aside is then done in line, as in ``serve``.)"""
    monkeypatch.setattr(aside.threading, "active_count", lambda: 1)


def _note(path: Path, delay: float = 0.0):
    def work() -> None:
        time.sleep(delay)
        path.write_text(str(os.getpid()))

    return work


def test_within_a_build_the_work_runs_in_a_child_and_is_done_when_the_build_ends(tmp_path: Path, one_thread) -> None:
    done = tmp_path / "done"
    with aside.allowed():
        aside.run(_note(done, delay=0.5))
        assert not done.exists()  # the build went on without waiting
    assert done.exists()  # waited for before the block ended
    assert int(done.read_text()) != os.getpid()


def test_outside_a_build_the_work_is_done_in_line(tmp_path: Path) -> None:
    done = tmp_path / "done"
    aside.run(_note(done))
    assert int(done.read_text()) == os.getpid()


def test_with_another_thread_running_the_work_is_done_in_line(tmp_path: Path) -> None:
    """serve builds beside its HTTP threads: forking a threaded process is not safe."""
    done, stop = tmp_path / "done", threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert threading.active_count() > 1
        with aside.allowed():
            aside.run(_note(done))
            assert int(done.read_text()) == os.getpid()
    finally:
        stop.set()
        other.join()


def test_a_failing_child_does_not_fail_the_build(tmp_path: Path, one_thread) -> None:
    def broken() -> None:
        raise OSError("disk full")

    done = tmp_path / "done"
    with aside.allowed():
        aside.run(broken)
        aside.run(_note(done))
    assert done.exists() and not aside._CHILDREN


def test_an_error_in_the_build_still_waits_for_its_children(tmp_path: Path, one_thread) -> None:
    done = tmp_path / "done"
    with pytest.raises(ValueError), aside.allowed():
        aside.run(_note(done, delay=0.3))
        raise ValueError("a template error")
    assert done.exists() and not aside._CHILDREN


def test_a_build_writes_the_period_cache_aside_and_the_next_build_reads_it(tmp_path: Path, monkeypatch,
                                                                          one_thread) -> None:
    """The entries a build writes are written by a child, and are all there when build_site returns."""
    from test_incremental import build, cache_on, make_project, set_score

    pids = tmp_path / "pids"
    real = period_cache._dump

    def dump(result, period):
        with pids.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real(result, period)

    monkeypatch.setattr(period_cache, "_dump", dump)
    root = make_project(tmp_path)
    with cache_on(tmp_path):
        build(root, tmp_path / "out")
        writers = set(pids.read_text().split())
        assert writers and str(os.getpid()) not in writers  # pickled and written by the child
        folder, scores = root / FOLDERS[False], root / SCORE_FOLDERS[False]
        # every period's entry and its scoring's, now
        assert len(list(folder.iterdir())) + len(list(scores.iterdir())) == len(pids.read_text().split())
        pids.unlink()
        set_score(root, "2018-Q1", "wjw", 57)  # the last published period: only it is scored and written again
        build(root, tmp_path / "out")
        assert len(pids.read_text().split()) == 2  # its entry and its scoring


def test_wait_for_one_child_waits_for_it_alone(tmp_path: Path, one_thread) -> None:
    """What the parse cache stages aside must be complete before its commit renames it."""
    first, second = tmp_path / "first", tmp_path / "second"
    with aside.allowed():
        pid = aside.run(_note(first, delay=0.3))
        other = aside.run(_note(second, delay=1.0))
        assert isinstance(pid, int) and pid != os.getpid()
        aside.wait_for(pid)
        assert first.exists() and not second.exists()
        aside.wait_for(pid)  # waited for already: nothing
        aside.wait_for(None)  # work done in line: nothing
        assert other in aside._CHILDREN and pid not in aside._CHILDREN
    assert second.exists()


def test_in_line_work_has_no_child_to_wait_for(tmp_path: Path) -> None:
    done = tmp_path / "done"
    assert aside.run(_note(done)) is None and done.exists()


def test_a_fork_refused_means_the_work_is_done_in_line(tmp_path: Path, one_thread, monkeypatch) -> None:
    """No process to spare (a container's limit, memory): the work is done here, no error."""
    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(aside.os, "fork", refused)
    done = tmp_path / "done"
    with aside.allowed():
        assert aside.run(_note(done)) is None
        assert int(done.read_text()) == os.getpid()
