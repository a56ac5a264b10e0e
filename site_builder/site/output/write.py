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

A build with the cache on keeps the site it replaced beside the output folder
as ``.site-prev-<name>`` (private to its owner) and refills it as the next
build's staging folder (:mod:`.stage`) instead of deleting the old site and
making every folder again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from site_builder import messages
from site_builder.errors import Mark
from site_builder.site.failures import fail
from site_builder.site.output.outfolder import check_out, real_out  # noqa: F401 - check_out re-exported
from site_builder.site.output.stage import (  # noqa: F401 - Kept, Scanned, _rmtree re-exported
    Kept, Scanned, Stage, _discard, _rmtree, _write_failed, take_recycled,
)

try:  # not on Windows: there, two builds at once are not guarded
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

messages.register(
    {
        "site.out_busy": (
            "另一个构建正在写入 {parent}，等待 {seconds} 秒后仍未结束；原有网站保持不变",
            "请等另一个构建结束后重试",
            "another build is writing into {parent} and did not finish within {seconds} s; the previous site is unchanged",
            "wait for the other build to finish, then try again",
        ),
    }
)

LOCK_WAIT = 120.0  # seconds a build waits for another one writing into the same folder

_SAFE = re.compile(r"^(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9_.\-/]+$")
_STAGING_PREFIX = ".site-"
#: The site before the last build, kept beside the output folder for the next build to refill.
RECYCLED_PREFIX = ".site-prev-"
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


def recycled(out: Path) -> Path:
    """Where the site before the last build into ``out`` is kept for the next build to refill."""
    out = real_out(out)
    return out.parent / f"{RECYCLED_PREFIX}{out.name}"


@contextmanager
def staging(out: Path, locale: str = "zh-CN", recycle: bool = False, ahead=None) -> Iterator[Stage]:
    """A staging folder beside ``out``, swapped in when the block ends without an error.

    Any failure inside the block (a privacy finding, a template error, a full
    disk) removes the staging folder; the previous site is untouched.  With
    ``recycle`` the site before the last build (``.site-prev-<name>``) is the
    staging folder, and the site replaced is kept so for the next build;
    without it, that folder is deleted too.
    """
    out = real_out(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _write_failed(exc, out.parent, locale)
    with _exclusive(out.parent, locale):
        _remove_stale_staging(out.parent)
        kept = recycled(out)
        stage = None
        try:
            stage = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-", dir=out.parent))
            if recycle:
                tree = take_recycled(kept, stage, ahead)
            else:
                tree = None
                _discard(kept)
            filled = Stage(stage, locale, tree)
            yield filled
            filled.prune()
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
        # the stage now holds the previous site
        if recycle:
            try:
                os.chmod(stage, 0o700)
                os.rename(stage, kept)
                return
            except OSError:
                pass
        _rmtree(stage)


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
