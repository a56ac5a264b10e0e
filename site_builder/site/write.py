"""The write stage: every output file lands in a staging directory beside
``out`` and is swapped in only when everything succeeded.

A failed or killed build leaves the previous site exactly as it was (at worst
a stale ``.site-*`` staging directory remains, which the next build removes).
Like Pelican's writer, a second write to one path is refused: two units whose
ids map to one URL fail the build instead of overwriting each other.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from site_builder.site.failures import fail

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
        if not _SAFE.match(path) or path.startswith("/") or "//" in path:
            fail("site.unsafe_path", self.locale, path=path)
        if path in self._files:
            fail(
                "site.duplicate_path",
                self.locale,
                path=path,
                first=self._origin[path],
                second=origin,
            )
        self._files[path] = data
        self._origin[path] = origin

    @property
    def files(self) -> Mapping[str, bytes]:
        return self._files

    def __len__(self) -> int:
        return len(self._files)


def check_out(root: Path, out: Path, locale: str) -> None:
    """Refuse an output directory that would swallow the sources or a foreign folder."""
    r, o = root.resolve(), out.resolve()
    if o == r or o in r.parents:
        fail("site.unsafe_out", locale, out=str(out))
    if o.exists() and (
        not o.is_dir() or (any(o.iterdir()) and not (o / "manifest.json").is_file())
    ):
        fail("site.foreign_out", locale, out=str(out))


def write_site(out: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` into a staging directory, then swap it in for ``out``."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out.parent)
    stage = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-", dir=out.parent))
    try:
        for path in sorted(files):
            target = stage / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(files[path])
        os.chmod(stage, 0o755)
        _swap(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)  # now holds the previous site


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
    """Staging directories of builds whose process is gone (killed builds)."""
    for entry in parent.glob(f"{_STAGING_PREFIX}*"):
        m = re.match(rf"{re.escape(_STAGING_PREFIX)}(\d+)-", entry.name)
        if not m or not entry.is_dir():
            continue
        pid = int(m.group(1))
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
