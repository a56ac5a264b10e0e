"""The files and folders of the site before the last build, listed while the build checks its sources.

A build with the cache on refills the site before the last build (``.site-prev-<name>`` beside the
output folder, :func:`.stage.take_recycled`), and must know every file and folder in it first: a
walk of the whole tree (6,611 files in 7,033 folders at 500 units: 50 ms, a fortieth of a rebuild
after an edit; at 10,000 units about a second) that used to keep the build waiting once its pages
were planned.  :func:`ahead` forks a child as the build starts, which walks that folder while the
parent loads and checks the sources, and sends back what it found with the folder's identity
(device, inode, modification and change times, mode, owner) taken before and after the walk.

When the build takes the folder, under its lock, the listing counts only when the folder is still
the one walked (the same identity: another build that took and refilled it in between renamed
it, which changes its change time, or left another folder in its place); anything else — no
fork, a child that failed or was killed, a folder not walked whole, a different identity — and
the folder is walked then, as before.  What the walk refuses (anything but plain files and
folders of this user's) it refuses in either place.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

from site_builder import aside

Ident = tuple[int, int, int, int, int, int]


def ident(st: os.stat_result) -> Ident:
    """What identifies a folder as the one walked: device, inode, times (ns), mode, owner."""
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_mode, st.st_uid)


def ours(st: os.stat_result) -> bool:
    """A folder this user owns and may write into (a folder made read-only is not refilled)."""
    owner = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner and st.st_mode & stat.S_IRWXU == stat.S_IRWXU


def walk(root: str) -> tuple[set[str], set[str]] | None:
    """Every file and folder under ``root`` by its path from there; None when anything in it is not
    a plain file or a folder of this user's that it may write into (or cannot be read)."""
    files: set[str] = set()
    dirs: set[str] = set()

    def down(folder: str, rel: str) -> bool:
        with os.scandir(folder) as it:
            for e in it:
                name = rel + e.name
                if e.is_dir(follow_symlinks=False):
                    if not ours(e.stat(follow_symlinks=False)):
                        return False
                    dirs.add(name)
                    if not down(e.path, name + "/"):
                        return False
                elif e.is_file(follow_symlinks=False):
                    files.add(name)
                else:  # a link, a FIFO, a device: not a folder this tool left
                    return False
        return True

    try:
        return (files, dirs) if down(root, "") else None
    except OSError:
        return None


class Ahead:
    """A child walking a folder (:func:`ahead`): its id and the read end of its pipe."""

    def __init__(self, pid: int, fd: int, folder: Path) -> None:
        self.pid, self.fd, self.folder = pid, fd, folder

    def take(self, folder: Path) -> tuple[Ident, tuple[set[str], set[str]]] | None:
        """(the identity of the folder walked, its (files, folders)) once the child is done; None when
        it walked another folder, found something it refuses, or failed."""
        if self.fd < 0:
            return None
        chunks = []
        try:
            while chunk := os.read(self.fd, 1 << 20):
                chunks.append(chunk)
        except OSError:
            chunks = []
        self.close()
        if folder != self.folder or not chunks:
            return None
        try:
            got = pickle.loads(b"".join(chunks))  # noqa: S301 - written by this process's own child
        except Exception:  # noqa: BLE001 - a child killed while writing: the folder is walked here
            return None
        return got if isinstance(got, tuple) and len(got) == 2 and got[1] is not None else None

    def close(self) -> None:
        """The child ended (killed if still at work) and reaped, the pipe closed."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(self.pid, 0)
            self.pid = 0


@contextlib.contextmanager
def ahead_of(folder: Path | None) -> Iterator[Ahead | None]:
    """:func:`ahead` of ``folder`` (None: nothing to list) for the block, closed when it ends."""
    got = ahead(folder) if folder is not None else None
    try:
        yield got
    finally:
        if got is not None:
            got.close()


def ahead(folder: Path) -> Ahead | None:
    """A child forked to walk ``folder`` (None: no fork here, another thread running, or nothing to
    walk).  The caller takes its listing (:meth:`Ahead.take`) or closes it."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return None
    try:
        st = os.lstat(folder)
    except OSError:
        return None
    if not (stat.S_ISDIR(st.st_mode) and ours(st)):
        return None
    forked = aside.fork_with_pipe()
    if forked is None:  # no descriptor or process to spare: the folder is walked when it is taken
        return None
    pid, read_end, write_end = forked
    if pid == 0:  # the child: walk, send, leave without the parent's exit handlers
        code = 1
        try:
            os.close(read_end)
            import gc

            gc.disable()  # it only lists: a collection would walk (and copy) the parent's objects
            before = ident(os.lstat(folder))
            found = walk(str(folder))
            after = ident(os.lstat(folder))
            data = pickle.dumps((before, found if before == after else None), protocol=5)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return Ahead(pid, read_end, folder)
