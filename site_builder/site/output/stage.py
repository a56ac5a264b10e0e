"""The staging folder's contents: each folder made once, each file written once — into a fresh
folder, or into the site before the last build, refilled (:func:`take_recycled`).

A name of a refilled folder is never written into when it may be a hard link to a file of the live
site (or to anything planted there): a file is written as a new file and renamed over its name — but
over a plain file that no other name links to, in place (freeing its blocks costs more than writing),
a file taken over is linked unless the name already is that very file, and :meth:`Stage.prune`
removes whatever the new site does not hold.  A folder holding anything but plain files and
folders of this user's is not refilled.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import sys
from contextlib import contextmanager
from pathlib import Path

from site_builder.errors import Mark
from site_builder.site.failures import fail
from site_builder.site.output import listing


class Stage:
    """The staging folder being filled: each folder made once, each file written once.

    A recycled staging folder (the site before the last build, ``tree``: its files and folders)
    is filled in place: a name it holds is unlinked before a file is written there or linked
    there, and :meth:`prune` removes what the new site does not hold."""

    def __init__(self, root: Path, locale: str, tree: tuple[set[str], set[str]] | None = None) -> None:
        self.root = root
        self.locale = locale
        self._dirs: set[str] = {""}
        self._old_files, self._old_dirs = tree if tree is not None else (set(), set())
        self._refilled = bool(self._old_files or self._old_dirs)  # names there may be taken
        self._kept: set[str] = set()  # every file of the new site (what prune leaves)
        self._later: set[str] = set()  # folders left to the process that first writes into them
        self._made: set[str] = set()  # of those, the ones this process made (or found made)

    def make_dirs(self, paths, lazy: bool = False) -> None:
        """Every folder the files at ``paths`` go into (and its parents), made once: in sorted order,
        a parent first, one ``mkdir`` each (the permissions of ``makedirs``).  A recycled folder keeps
        the folders it has; a file where a folder now goes is removed.

        With ``lazy``, a new folder is only noted here and made by the process that first writes or
        links a file into it (:meth:`_folder`): the workers that render in parallel make the folders
        of their shares, instead of this process making every folder of the site before they start
        (at 500 units, 7,000 folders: 0.5–0.7 s that no other work overlapped)."""
        new: set[str] = set()
        for path in paths:
            self._kept.add(path)
            folder = path.rpartition("/")[0]
            while folder not in self._dirs and folder not in new:
                new.add(folder)
                folder = folder.rpartition("/")[0]
        for folder in sorted(new):
            if folder in self._old_dirs:
                continue
            if folder in self._old_files:
                _unlink(os.path.join(self.root, folder))
            elif lazy:
                self._later.add(folder)
                continue
            os.mkdir(os.path.join(self.root, folder))
        self._dirs |= new

    def _folder(self, path: str) -> None:
        """The folder of ``path`` made, with its parents, when :meth:`make_dirs` left it for later and
        this process has not made it yet (another process may have: a folder holds files of several
        shares)."""
        folder = path.rpartition("/")[0]
        chain = []
        while folder in self._later and folder not in self._made:
            chain.append(folder)
            folder = folder.rpartition("/")[0]
        for folder in reversed(chain):  # a parent first
            try:
                os.mkdir(os.path.join(self.root, folder))
            except FileExistsError:  # made by another worker (the staging folder is this build's own)
                pass
            self._made.add(folder)

    def write(self, path: str, data: bytes) -> None:
        """Write one file (its folder made by :meth:`make_dirs`); an OSError is a located SiteError."""
        self._kept.add(path)
        self._folder(path)
        try:
            with self._open(path) as fh:
                fh.write(data)
        except OSError as exc:
            _write_failed(exc, self.root / path, self.locale)

    def write_chunks(self, path: str, chunks, each=None) -> tuple[str, int]:
        """Write a file made as a stream of byte chunks (``each(chunk)`` called on every one before it
        is written, but a :class:`Kept` or :class:`Scanned` one); its (SHA-256, size).  An OSError is
        a located SiteError."""
        h, n = hashlib.sha256(), 0
        self._folder(path)
        try:
            with self._open(path) as fh:
                for chunk in chunks:
                    if type(chunk) is Scanned:
                        chunk = chunk.data
                    elif each is not None and type(chunk) is not Kept:
                        each(chunk)
                    h.update(chunk)
                    n += len(chunk)
                    fh.write(chunk)
        except OSError as exc:
            _write_failed(exc, self.root / path, self.locale)
        return h.hexdigest(), n

    def link(self, src: str, path: str) -> bool:
        """The file ``src`` (of the previous site) at ``path``: a hard link, else a copy; False when
        neither works.  In a recycled folder a name that already is that file is left as it is."""
        dst = os.path.join(self.root, path)
        self._folder(path)
        if self._refilled:
            try:
                if os.path.samestat(os.lstat(src), os.lstat(dst)):
                    return True
            except OSError:
                pass
            self._clear(path, dst)
        try:
            os.link(src, dst, follow_symlinks=False)
            return True
        except OSError:
            pass
        try:
            shutil.copyfile(src, dst, follow_symlinks=False)
            return True
        except OSError:
            return False

    def status(self, path: str) -> list[int] | None:
        """[size, modification and change times, inode] of the file at ``path`` as it now lies here, as
        :func:`.fingerprint.scan` and the record of the build (:mod:`.reuse`) keep it (None: not a
        plain file).  Taken by the process that wrote or linked the file, right after: the records of
        the build need no walk of the folder (the folders moved at the swap, the files did not)."""
        try:
            st = os.lstat(os.path.join(self.root, path))
        except OSError:
            return None
        return as_recorded(st) if stat.S_ISREG(st.st_mode) else None

    def folders(self) -> list[str]:
        """Every folder of the new site (what :meth:`prune` leaves), in the order a walk of the
        folder finds them (:func:`.fingerprint.scan`: names sorted, each folder before what is in it)."""
        return sorted(self._dirs - {""}, key=lambda d: d.split("/"))

    def prune(self) -> None:
        """Remove from a recycled folder every file and folder the new site does not hold."""
        for path in self._old_files - self._kept - self._dirs:  # (a file where a folder now is: gone)
            _unlink(os.path.join(self.root, path))
        for folder in sorted(self._old_dirs - self._dirs, reverse=True):  # a folder after what is in it
            target = os.path.join(self.root, folder)
            try:
                os.rmdir(target)
            except (FileNotFoundError, NotADirectoryError):
                pass
            except OSError:
                _rmtree(Path(target))

    @contextmanager
    def _open(self, path: str):
        target = os.path.join(self.root, path)
        if not self._refilled:
            with open(target, "wb") as fh:
                yield fh
            return
        # A recycled folder: a new file, renamed over the name when complete, never a file written
        # into.  The name may be a hard link to the live site's file, which a stream may still be
        # reading (a dataset's unchanged pieces): unlinking it first would change that file's times.
        if path in self._old_dirs:
            _rmtree(Path(target))
        elif path in self._old_files:
            # a file of the site before the last build that no other name holds (not the live site's,
            # nothing planted elsewhere): written over in place, so that its blocks are not freed and
            # new ones taken (on a file system that discards freed blocks, 2–3 ms a file)
            fd = _sole_file(target)
            if fd is not None:
                with os.fdopen(fd, "wb") as fh:
                    yield fh
                    fh.truncate()
                return
        fresh = target + "~"  # never a site path (write._SAFE); one lying there is garbage
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(fresh, flags, 0o666)
        except FileExistsError:
            _discard(Path(fresh))
            fd = os.open(fresh, flags, 0o666)
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(fresh, target)

    def _clear(self, path: str, target: str) -> None:
        if path in self._old_dirs:
            _rmtree(Path(target))
        else:
            _unlink(target)


def as_recorded(st: os.stat_result) -> list[int]:
    """What the build's records keep of a file's status: [size, modification and change times in
    nanoseconds, inode] (:meth:`Stage.status`, :func:`.fingerprint.scan`, :mod:`.reuse`)."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _sole_file(target: str) -> int | None:
    """A descriptor open for writing on ``target`` when it is a plain file of this user's that no other
    name links to (None: anything else, which is then replaced as a whole)."""
    try:
        st = os.lstat(target)
    except OSError:
        return None
    if not (stat.S_ISREG(st.st_mode) and st.st_nlink == 1 and _ours_file(st)):
        return None
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        now = os.fstat(fd)
        if os.path.samestat(st, now) and now.st_nlink == 1:
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _ours_file(st: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def _unlink(target: str) -> None:
    try:
        os.unlink(target)
    except (FileNotFoundError, NotADirectoryError):  # gone already, with the folder it was in
        pass


class Kept(bytes):
    """A chunk taken over from the last build's file: scanned when it was made (under the same masked
    names), so :meth:`Stage.write_chunks` hashes and writes it without scanning it again."""


class Scanned:
    """Bytes of a file whose text an earlier chunk of the same file carried to the scan (a workbook
    written in pieces: its first chunk, :class:`.xlsx.Package`, holds every cell's text), so
    :meth:`Stage.write_chunks` hashes and writes them without scanning them; held, not copied."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def take_recycled(kept: Path, stage: Path, ahead: listing.Ahead | None = None) -> tuple[set[str], set[str]] | None:
    """The folder ``kept`` (the site before the last build) moved to ``stage`` (empty, made by
    mkdtemp), so that a killed build leaves it as a stale staging folder: its (files, folders) — as
    the child ``ahead`` listed them while the build checked its sources, when the folder is still the
    one it walked (:mod:`.listing`), else walked now; None, and ``kept`` deleted, when it holds
    anything but plain files and folders of this user's."""
    listed = ahead.take(kept) if ahead is not None else None
    try:
        st = os.lstat(kept)
    except OSError:
        return None
    if not (stat.S_ISDIR(st.st_mode) and listing.ours(st)):
        _discard(kept)
        return None
    try:
        os.rmdir(stage)
        os.rename(kept, stage)
        os.chmod(stage, 0o700)
    except OSError:  # left where it is: a fresh staging folder instead
        if not os.path.isdir(stage):
            os.mkdir(stage, 0o700)
        return None
    if listed is not None and listed[0] == listing.ident(st):
        return listed[1]
    found = listing.walk(str(stage))
    if found is not None:
        return found
    _rmtree(stage)
    os.mkdir(stage, 0o700)
    return None


def _discard(path: Path) -> None:
    """Delete ``path`` whatever it is (a link is removed, never followed)."""
    try:
        st = os.lstat(path)
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode):
        _rmtree(path)
    else:
        _unlink(str(path))


def _write_failed(exc: OSError, where: Path, locale: str):
    path = exc.filename or where
    error = f"{exc.strerror or exc} ({path})"
    if exc.errno == errno.ENOSPC and locale != "en":
        error = f"磁盘空间不足，{error}"
    fail("site.write_failed", locale, Mark(str(path)), error=error)


def _rmtree(path: Path) -> None:
    """Remove ``path`` even where a read-only folder inside it would stop ``rmtree``."""

    def retry(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), stat.S_IRWXU)
            if os.path.isdir(p) and not os.path.islink(p):
                os.chmod(p, stat.S_IRWXU)
            func(p)
        except OSError:
            pass

    if not os.path.lexists(path):  # else the retry would make the folder it is in private (0700)
        return
    shutil.rmtree(path, **{"onexc" if sys.version_info >= (3, 12) else "onerror": retry})
