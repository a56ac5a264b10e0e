"""Work a build does aside: in a forked child process while the build goes on.

Writing the period cache (:mod:`site_builder.scoring.period_cache`) pickles every period scored
again — about 0.6 s a period at 500 units — although nothing in the build reads what it writes.
Within :func:`allowed` (the build), :func:`run` forks a child that does it while the parent plans
and renders on, and the build waits for every child before it returns, whether it succeeded or
failed; so when a build returns, what it wrote aside is there, as if written in line.

Work aside must be best effort and self-contained: its result is files that a later run checks
before trusting (signed cache entries, written atomically), it reports nothing and returns
nothing to the parent, and a child that fails or is killed only means the work is done again
next time.  Where forking is not safe or not possible — another thread is running (``serve``
builds beside its HTTP threads), no ``fork`` (Windows), or outside a build (``check``) — the work
is done in line, exactly as before.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections.abc import Callable, Iterator

_CHILDREN: list[int] = []
_ALLOWED = 0


@contextlib.contextmanager
def allowed() -> Iterator[None]:
    """A build: :func:`run` may fork; every child is waited for when the block ends."""
    global _ALLOWED
    _ALLOWED += 1
    try:
        yield
    finally:
        _ALLOWED -= 1
        if not _ALLOWED:
            wait()


def _may_fork() -> bool:
    return bool(_ALLOWED) and hasattr(os, "fork") and threading.active_count() == 1


def run(work: Callable[[], None]) -> int | None:
    """``work()`` in a forked child when a build allows it (returns its id for :func:`wait_for`),
    else now (returns None)."""
    if not _may_fork():
        work()
        return None
    try:
        pid = os.fork()
    except OSError:  # no process to spare (a container's limit, memory): done in line
        work()
        return None
    if pid == 0:  # the child: do the work, then leave without running the parent's exit handlers
        code = 1
        try:
            gc.disable()  # it only writes: a collection would walk (and copy) the parent's objects
            work()
            code = 0
        finally:
            os._exit(code)
    _CHILDREN.append(pid)
    return pid


def fork_with_pipe() -> tuple[int, int, int] | None:
    """(``os.fork()``'s value, a pipe's read and write ends) for work in a child that sends its result
    back, or None when the pipe or the fork is refused (out of descriptors, a container's process
    limit, memory): the caller then does the work itself."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        return os.fork(), read_end, write_end
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None


def wait_for(pid: int | None) -> None:
    """Wait for the child ``pid`` of :func:`run` (nothing when its work was done in line or was
    waited for already): work aside that must be finished before the next step begins."""
    if pid is None or pid not in _CHILDREN:
        return
    _CHILDREN.remove(pid)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def wait() -> None:
    """Wait for every child still running (its outcome does not matter: see the module)."""
    while _CHILDREN:
        pid = _CHILDREN.pop()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
