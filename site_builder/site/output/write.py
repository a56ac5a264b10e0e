"""The write stage: every output file lands in a staging directory beside
``out`` and is swapped in only when everything succeeded.

A failed or killed build leaves the previous site exactly as it was (at worst
a stale ``.site-*`` staging directory remains, which the next build removes).
Like Pelican's writer, a second write to one path is refused: two units whose
ids map to one URL fail the build instead of overwriting each other.

The output folder:

- **a symlink** (e.g. ``_site -> /var/www/kaohe``) is followed, never
  replaced: the site is staged beside the folder it points to and swapped in
  there, so the link keeps pointing at the new site.  A link to nowhere or a
  loop is refused before anything is built;
- **read-only** (the folder or the folder it is in: permissions, ``chattr +i``,
  a read-only mount) or **a mount point** (which cannot be swapped) is refused
  before anything is written, with its path;
- **two builds at once** into one folder take turns: the write stage holds an
  exclusive ``flock`` on the folder that contains the output (no lock file is
  left behind); the second build waits for the first, then swaps in its own
  complete site; after :data:`LOCK_WAIT` seconds it gives up with a message.
  Either way the folder holds one complete site, never a mix;
- a failure while writing (a full disk) is reported with the path that failed
  and removes the staging folder; the previous site is untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from site_builder import messages
from site_builder.errors import Mark
from site_builder.site.failures import fail

try:  # not on Windows: there, two builds at once are not guarded
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

messages.register(
    {
        "site.out_in_sources": (
            "输出目录 {out} 位于源文件目录 {folder}/ 之内，生成的文件会被当作源文件读入",
            "请换一个输出目录，如 _site",
            "the output directory {out} is inside the source folder {folder}/, where the built files would be read as sources",
            "choose another output directory, e.g. _site",
        ),
        "site.out_not_dir": (
            "输出目录 {out} 不是文件夹（{path} 是一个文件）",
            "请换一个输出目录，或移走该文件",
            "the output directory {out} is not a folder ({path} is a file)",
            "choose another output directory or move the file away",
        ),
        "site.out_bad_link": (
            "输出目录 {out} 是符号链接，但指向的位置不存在或链接成环",
            "请改正链接（ln -sfn 目标目录 {out}），或删除链接后重新构建",
            "the output directory {out} is a symbolic link to nowhere (missing target or a loop)",
            "fix the link (ln -sfn TARGET {out}) or remove it and build again",
        ),
        "site.out_read_only": (
            "输出位置 {path} 不可写（{why}）；原有网站保持不变",
            "请检查该目录的写入权限、只读挂载或 chattr +i 标志，或换一个输出目录",
            "cannot write to {path} ({why}); the previous site is unchanged",
            "check the folder's write permission, a read-only mount or chattr +i, or choose another output directory",
        ),
        "site.out_mount_point": (
            "输出目录 {out} 是一个挂载点，无法整体替换",
            "请输出到挂载点里面的一个子目录，如 {out}/site，并让网站服务器指向它",
            "the output directory {out} is a mount point and cannot be swapped",
            "build into a folder inside it, e.g. {out}/site, and point the web server there",
        ),
        "site.out_busy": (
            "另一个构建正在写入 {parent}，等待 {seconds} 秒后仍未结束；原有网站保持不变",
            "请等另一个构建结束后重试",
            "another build is writing into {parent} and did not finish within {seconds} s; the previous site is unchanged",
            "wait for the other build to finish, then try again",
        ),
    }
)

LOCK_WAIT = 120.0  # seconds a build waits for another one writing into the same folder
# Folders of the project whose files are read as sources: the site must not land in them.
SOURCE_DIRS = ("units", "schemes", "scores", "content", "published", "theme", "schema", ".git")

_SAFE = re.compile(r"^(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9_.\-/]+$")
_STAGING_PREFIX = ".site-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class Outputs:
    """Output files by site-relative path; refuses a second write to one path."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._files: dict[str, bytes] = {}
        self._origin: dict[str, str] = {}

    def add(self, path: str, data: bytes, origin: str = "") -> None:
        self.claim(path, origin)
        self._files[path] = data

    def claim(self, path: str, origin: str = "") -> None:
        """Reserve ``path`` for a file written later (a page rendered while streaming)."""
        if not _SAFE.match(path) or path.startswith("/") or "//" in path:
            fail("site.unsafe_path", self.locale, path=path)
        if path in self._origin:
            fail(
                "site.duplicate_path",
                self.locale,
                path=path,
                first=self._origin[path],
                second=origin,
            )
        self._origin[path] = origin

    @property
    def paths(self) -> list[str]:
        """Every path added or claimed."""
        return list(self._origin)

    @property
    def files(self) -> Mapping[str, bytes]:
        return self._files

    def __len__(self) -> int:
        return len(self._files)


def real_out(out: Path) -> Path:
    """Where the site really goes: ``out`` with every symlink followed (``out`` may not exist)."""
    return Path(os.path.realpath(Path(out).absolute()))


def check_out(root: Path, out: Path, locale: str) -> None:
    """Refuse an output directory that would swallow the sources, a foreign folder, or fail to write.

    Called before anything is rendered, so a build that cannot write says so at once.
    """
    out = Path(out).absolute()
    try:
        _check_out(root, out, locale)
    except OSError as exc:  # a folder on the way that cannot even be looked into
        path = exc.filename or out
        why = exc.strerror or str(exc)
        fail("site.out_read_only", locale, Mark(str(path)), path=str(path), why=why)


def _check_out(root: Path, out: Path, locale: str) -> None:
    shown = str(out)
    if out.is_symlink():
        try:
            out.resolve(strict=True)
        except (OSError, RuntimeError):
            fail("site.out_bad_link", locale, Mark(shown), out=shown)
    r, o = root.resolve(), real_out(out)
    if o == r or o in r.parents:
        fail("site.unsafe_out", locale, Mark(shown), out=shown)
    for name in SOURCE_DIRS:
        folder = r / name
        if o == folder or folder in o.parents:
            fail("site.out_in_sources", locale, Mark(shown), out=shown, folder=name)
    existing = o
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        fail("site.out_not_dir", locale, Mark(shown), out=shown, path=str(existing))
    if o.exists() and any(o.iterdir()) and not (o / "manifest.json").is_file():
        fail("site.foreign_out", locale, Mark(shown), out=shown)
    if o.exists() and os.path.ismount(o):
        fail("site.out_mount_point", locale, Mark(shown), out=shown)
    # the folder the site is swapped into, and the site itself (an immutable or
    # read-only-mounted site cannot be renamed away)
    for place in (existing if existing != o else o.parent, o):
        if place.exists() and not os.access(place, os.W_OK | os.X_OK):
            why = _why_not_writable(place, locale)
            fail("site.out_read_only", locale, Mark(str(place)), path=str(place), why=why)


def _why_not_writable(place: Path, locale: str) -> str:
    try:
        if os.statvfs(place).f_flag & os.ST_RDONLY:
            return "read-only file system" if locale == "en" else "只读文件系统"
    except (OSError, AttributeError):
        pass
    return "permission denied" if locale == "en" else "没有写入权限"


def write_site(out: Path, files: Mapping[str, bytes], locale: str = "zh-CN") -> None:
    """Write ``files`` into a staging directory, then swap it in for ``out``.

    ``out`` may be a symlink: the folder it points to is replaced, the link
    stays.  Any failure to write is a :class:`SiteError` naming the path; the
    previous site is unchanged and no staging directory is left behind.
    """
    with staging(out, locale) as stage:
        stage.make_dirs(files)
        for path in sorted(files):
            stage.write(path, files[path])


class Stage:
    """The staging folder being filled: each folder made once, each file written once."""

    def __init__(self, root: Path, locale: str) -> None:
        self.root = root
        self.locale = locale
        self._dirs: set[str] = {""}

    def make_dirs(self, paths) -> None:
        """Every folder the files at ``paths`` go into (and its parents), made once before workers
        write: in sorted order, a parent first, one ``mkdir`` each (the permissions of ``makedirs``)."""
        new: set[str] = set()
        for path in paths:
            folder = path.rpartition("/")[0]
            while folder not in self._dirs and folder not in new:
                new.add(folder)
                folder = folder.rpartition("/")[0]
        for folder in sorted(new):
            os.mkdir(os.path.join(self.root, folder))
        self._dirs |= new

    def write(self, path: str, data: bytes) -> None:
        """Write one file (its folder made by :meth:`make_dirs`); an OSError is a located SiteError."""
        try:
            write_file(os.path.join(self.root, path), data)
        except OSError as exc:
            _write_failed(exc, self.root / path, self.locale)


    def write_chunks(self, path: str, chunks, each=None) -> tuple[str, int]:
        """Write a file made as a stream of byte chunks (``each(chunk)`` called on every one before it
        is written, but a :class:`Kept` one); its (SHA-256, size).  An OSError is a located SiteError."""
        h, n = hashlib.sha256(), 0
        try:
            with open(os.path.join(self.root, path), "wb") as fh:
                for chunk in chunks:
                    if each is not None and type(chunk) is not Kept:
                        each(chunk)
                    h.update(chunk)
                    n += len(chunk)
                    fh.write(chunk)
        except OSError as exc:
            _write_failed(exc, self.root / path, self.locale)
        return h.hexdigest(), n


class Kept(bytes):
    """A chunk taken over from the last build's file: scanned when it was made (under the same masked
    names), so :meth:`Stage.write_chunks` hashes and writes it without scanning it again."""


def write_file(target: str, data: bytes) -> None:
    with open(target, "wb") as fh:
        fh.write(data)


@contextmanager
def staging(out: Path, locale: str = "zh-CN") -> Iterator[Stage]:
    """A staging folder beside ``out``, swapped in when the block ends without an error.

    Any failure inside the block (a privacy finding, a template error, a full
    disk) removes the staging folder; the previous site is untouched.
    """
    out = real_out(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _write_failed(exc, out.parent, locale)
    with _exclusive(out.parent, locale):
        _remove_stale_staging(out.parent)
        stage = None
        try:
            stage = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-", dir=out.parent))
            yield Stage(stage, locale)
            os.chmod(stage, 0o755)
            _swap(stage, out)
        except OSError as exc:
            if stage is not None:
                _rmtree(stage)
            _write_failed(exc, out, locale)
        except BaseException:
            if stage is not None:
                _rmtree(stage)
            raise
        _rmtree(stage)  # now holds the previous site


def _write_failed(exc: OSError, where: Path, locale: str):
    path = exc.filename or where
    error = f"{exc.strerror or exc} ({path})"
    if exc.errno == errno.ENOSPC and locale != "en":
        error = f"磁盘空间不足，{error}"
    fail("site.write_failed", locale, Mark(str(path)), error=error)


@contextmanager
def _exclusive(parent: Path, locale: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the folder ``parent`` (waiting up to :data:`LOCK_WAIT`)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    try:
        fd = os.open(parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        _write_failed(exc, parent, locale)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fail(
                        "site.out_busy",
                        locale,
                        Mark(str(parent)),
                        parent=str(parent),
                        seconds=int(LOCK_WAIT),
                    )
                time.sleep(0.05)
            except OSError:  # a file system without flock: build unguarded
                break
        yield
    finally:
        os.close(fd)  # releases the lock


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


def _swap(stage: Path, out: Path) -> None:
    """Exchange ``stage`` and ``out`` atomically where the OS allows it."""
    if not out.exists():
        os.rename(stage, out)
        stage.mkdir()
        return
    if _rename_exchange(stage, out):
        return
    old = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-old-", dir=out.parent))
    old.rmdir()
    os.rename(out, old)
    os.rename(stage, out)
    os.rename(old, stage)


def _rename_exchange(a: Path, b: Path) -> bool:
    """Linux ``renameat2(RENAME_EXCHANGE)``: both names always exist."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _remove_stale_staging(parent: Path) -> None:
    """Staging directories of killed builds.  Called with the folder's lock held, so no other build
    is writing here: every staging directory left is stale, even when its process id was reused."""
    for entry in parent.glob(f"{_STAGING_PREFIX}*"):
        m = re.match(rf"{re.escape(_STAGING_PREFIX)}(\d+)-", entry.name)
        if not m or entry.is_symlink() or not entry.is_dir():
            continue
        _rmtree(entry)
