"""A content-hash cache of parsed and validated sources (``.site-builder/cache/``).

An unchanged source file is never parsed or validated twice: what the loader
made of it (the :class:`~site_builder.load.yamlsafe.Document` with every
position, the validated model, a checked period) is stored under a key made
of

- the sha256 of the file's bytes and its path as shown in messages,
- what the file is (site, unit registry, scheme version, period file) and the
  size cap it was read with,
- for a checked period, the digest of every other source it was checked
  against (site, registries, schemes, the calendar),
- the tool's fingerprint: its version, Python's and those of the libraries
  that decide what a file checks to (PyYAML, pydantic, the holiday calendar,
  Markdown), and the bytes of every module of the ``site_builder`` package, so
  any change of the code invalidates every entry.

Only a file that loaded without any problem (error or warning) is stored, so
problems are always found by a fresh parse, at their ``file:line:column``.

An entry is ``MAGIC``, the format version, a keyed sha256 (HMAC) of the payload,
then the payload (a pickle written by this module).  The key is a random
secret of this computer's user, kept outside the project (``~/.cache/site-builder/
cache-key``, or under ``XDG_CACHE_HOME`` / ``LOCALAPPDATA``), so an entry copied
from another computer or planted in a shared project folder never verifies.
Reading checks all three before anything is unpickled, and unpickles with a
loader that only builds the tool's own model classes, ``Decimal`` and dates,
never calls anything else: a truncated, altered, stale or foreign entry is a
miss (and is overwritten), never trusted.  Writes go to a temporary file renamed into place.  A cache
folder that cannot be created or written (read-only project, a link where the
folder should be) simply means no cache; nothing is ever reported.  Entries
are written only after a load without errors (a run that reports problems writes
nothing), and those not used by it are deleted then, so the folder does not grow.

A load does not hold everything it made until then: a period file's document is ~50 times its
bytes in memory (8 MiB at 500 units), twelve of them more than the whole loaded project.  Once
the new entries held stand for more than :data:`HOLD_BYTES` of source, they are written aside
(site_builder/aside.py) under *staged* names (``.staged-<run>-<key>``, never read as entries) and
let go; :meth:`SourceCache.commit` renames the staged files to their keys, and a load with
problems deletes them (:meth:`SourceCache.discard`).  So the guarantees stay: an entry appears
only after a load without errors; a process killed at any moment leaves entries that are whole
(each written to a temporary file renamed into place) and staged files that nothing reads, which
the next successful load deletes with the unused entries.  A project whose files fit in the
budget (every small one) is written in one go at the end, as it always was.

``SITE_BUILDER_NO_CACHE=1`` (set by ``--no-cache``) turns it off.

During ``serve`` (:mod:`site_builder.load.warm`) what a load read or made is also kept in memory
when it commits, by the same keys, and the next load takes those objects instead of unpickling.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from site_builder import aside
from site_builder.collector import paused
from site_builder.load import warm

CACHE_DIR = ".site-builder/cache"
ENV_OFF = "SITE_BUILDER_NO_CACHE"
MAGIC = b"site-builder cache\n"
FORMAT = 1
_HEAD = len(MAGIC) + 2 + 32
MAX_ENTRY = 512 * 1024 * 1024
#: Source bytes whose new entries a load may hold in memory before it writes them aside (staged).
HOLD_BYTES = 256 * 1024
STAGED = ".staged-"
_IGNORE = "# site-builder: local preview builds and cache, never committed\n*\n"

# What an entry may contain besides the tool's own classes (no callables).
_ALLOWED = {
    ("decimal", "Decimal"),
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "bytearray"),
    ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"),
    ("pathlib", "PurePosixPath"),
    ("pathlib", "PureWindowsPath"),
}


@functools.cache
def fingerprint() -> bytes:
    """The digest of everything that decides what a source loads to: the tool's code and libraries."""
    import pydantic
    import pydantic_core
    import yaml

    from site_builder import __version__

    h = hashlib.sha256()
    for part in (__version__, sys.version, yaml.__version__, pydantic.__version__,
                 pydantic_core.__version__, str(FORMAT)):
        h.update(part.encode() + b"\0")
    for dist in ("chinese_calendar", "markdown", "nh3"):  # holidays (workday checks), body checks
        h.update(f"{dist}={dist_version(dist)}".encode() + b"\0")
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        try:
            data = path.read_bytes()
        except OSError:
            data = b"?"
        h.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.digest()


def dist_version(dist: str) -> str:
    """The installed version of the distribution ``dist`` ("-" when not installed), as named by
    its ``<name>-<version>.dist-info`` folder in the first entry of ``sys.path`` that has one —
    where ``importlib.metadata`` finds it — without importing that (50–90 ms a process, paid by
    every build, a no-op one too).  Anything else (an ``.egg-info``, two candidates in one folder)
    is left to ``importlib.metadata``."""
    want = _dist_name(dist)
    for entry in sys.path:
        names = _listing(entry or ".")
        hits = [n for n in names if n.endswith((".dist-info", ".egg-info"))
                and _dist_name(n.rsplit(".", 1)[0].split("-", 1)[0]) == want]
        if not hits:
            continue
        stem = hits[0][: -len(".dist-info")]
        if len(hits) == 1 and hits[0].endswith(".dist-info") and stem.count("-") == 1:
            return stem.split("-", 1)[1]
        break
    from importlib import metadata

    try:
        return metadata.version(dist)
    except Exception:  # noqa: BLE001 - not installed: part of the fingerprint all the same
        return "-"


def _dist_name(name: str) -> str:
    return "".join("_" if c in "-_." else c for c in name).lower()


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(folder)) if os.path.isdir(folder) else ()
    except OSError:
        return ()


def _model_class(module: str, name: str) -> type | None:
    """A class of the tool's own that may be rebuilt from an entry: models, dataclasses, enums, text."""
    if not (module == "site_builder" or module.startswith("site_builder.")):
        return None
    mod = sys.modules.get(module)
    if mod is None:
        return None
    obj = mod
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    if not isinstance(obj, type):
        return None
    from enum import Enum

    from pydantic import BaseModel

    if issubclass(obj, (BaseModel, Enum, str, tuple)) or hasattr(obj, "__dataclass_fields__"):
        return obj
    return None


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):  # noqa: D401 - pickle's hook
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        cls = _model_class(module, name)
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")
        return cls


def _safe_dir(path: Path) -> bool:
    """``path`` is a real folder (no link in its place)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


class SourceCache:
    """The cache of one project; every method is silent about failures."""

    def __init__(self, root: Path, enabled: bool | None = None, folder: str = CACHE_DIR,
                 remember: bool = True) -> None:
        """``folder``: another folder of ``.site-builder/`` with entries of its own, pruned on
        its own (the period cache's, site_builder/scoring/period_cache.py).  ``remember``: during
        serve, keep what a load that commits read or made for the next one."""
        if enabled is None:
            enabled = os.environ.get(ENV_OFF, "") in ("", "0")
        self.root = Path(root)
        self.dir = self.root / folder
        self.enabled = enabled
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self.pending: dict[str, object] = {}  # key -> what the load made, written by commit
        self.pending_bytes = 0  # source bytes of what is pending (put(size=))
        self.staged: dict[str, str] = {}  # key -> the name it was written aside under (renamed by commit)
        self._writer: int | None = None  # the child writing staged entries (aside.run), if any
        self._run = os.urandom(6).hex()  # staged names of this load: another load's are never taken
        self._ready = False
        self.secret = secret() if enabled else None
        if self.secret is None:
            self.enabled = False
        # during serve: the objects of the last load that committed, and those of this one
        self.memo = warm.memo(self.dir) if self.enabled and remember else None
        self.noted: dict[str, warm.Noted] = {}
        self.taken = 0  # objects taken from the memo (not unpickled)

    # -------------------------------------------------------------- keys
    @staticmethod
    def key(*parts: bytes | str) -> str:
        return framed(hashlib.sha256(fingerprint()), parts).hexdigest()

    # -------------------------------------------------------------- folder
    def _prepare(self) -> bool:
        if self._ready:
            return True
        if not self.enabled:
            return False
        try:
            base = self.dir.parent
            for d in (base, self.dir):
                if not os.path.lexists(d):
                    d.mkdir()
                if not _safe_dir(d):
                    raise OSError("not a folder")
            ignore = base / ".gitignore"
            if not os.path.lexists(ignore):
                ignore.write_text(_IGNORE, "utf-8")
        except OSError:
            self.enabled = False
            return False
        self._ready = True
        return True

    # -------------------------------------------------------------- entries
    def get(self, key: str) -> object | None:
        """The object stored under ``key``, or None (missing, damaged, foreign: never trusted)."""
        if not self.enabled:
            return None
        self.used.add(key)
        held = self.memo.take(key) if self.memo is not None else None
        if held is not None:  # what the last load of this serve session read or made under this key
            self.noted[key], self.hits, self.taken = self.memo.entries[key], self.hits + 1, self.taken + 1
            return held
        path = self.dir / key
        try:
            if not (_safe_dir(self.dir.parent) and _safe_dir(self.dir)):
                return self._miss()
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
                | getattr(os, "O_BINARY", 0)
            fd = os.open(path, flags)
        except OSError:
            return self._miss()
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or not _HEAD <= st.st_size <= MAX_ENTRY:
                return self._miss()
            with os.fdopen(fd, "rb", closefd=False) as f:
                blob = f.read(MAX_ENTRY + 1)
        except OSError:
            return self._miss()
        finally:
            os.close(fd)
        obj = decode(blob, self.secret)
        if obj is None:
            return self._miss()
        self.hits += 1
        if self.memo is not None:
            self.noted[key] = warm.note(obj)
        return obj

    def _miss(self) -> None:
        self.misses += 1
        return None

    def keep(self, key: str) -> None:
        """Keep the entry ``key`` through :meth:`prune` without reading it."""
        self.used.add(key)

    def put(self, key: str, obj: object, size: int = 0) -> None:
        """Store ``obj`` under ``key`` when the load completes (:meth:`commit`).

        ``size``: the bytes of the source it was made of; once what is pending stands for more
        than :data:`HOLD_BYTES`, it is written aside under staged names and let go (:meth:`_stage`)."""
        if not self.enabled:
            return
        self.used.add(key)
        self.pending[key] = obj
        if self.memo is not None:
            self.noted[key] = warm.note(obj)
        self.pending_bytes += size
        if self.pending_bytes > HOLD_BYTES:
            self._stage()

    def _stage(self) -> None:
        """Hand what is pending to a writer (a forked child in a build) under staged names, and drop it."""
        batch, self.pending, self.pending_bytes = self.pending, {}, 0
        names = {key: self.staged_name(key) for key in batch}
        self.staged.update(names)
        aside.wait_for(self._writer)  # one writer at a time (the last one is usually done by now)
        self._writer = aside.run(lambda: self._write_all(batch, names))

    def has(self, key: str) -> bool:
        """An entry may be stored under ``key`` (not read, not checked: :meth:`get` decides)."""
        if not self.enabled:
            return False
        if self.memo is not None and key in self.memo.entries:
            return True
        return os.path.isfile(self.dir / key)

    def staged_name(self, key: str) -> str:
        return f"{STAGED}{self._run}-{key}"

    def write_staged(self, key: str, obj: object) -> str | None:
        """Write ``obj`` now under the staged name of ``key`` (never read as an entry), for a process
        that checks files beside the load; the load makes it an entry with :meth:`adopt`.  Returns
        the name, or None when nothing was written."""
        if not self.enabled or not self._prepare():
            return None
        try:
            blob = encode(obj, self.secret)
        except Exception:  # noqa: BLE001 - something that cannot be pickled is simply not cached
            return None
        name = self.staged_name(key)
        return name if self._write(name, blob) else None

    def adopt(self, key: str, name: str) -> None:
        """The staged file ``name`` (:meth:`write_staged`) becomes the entry ``key`` when the load
        commits (and is deleted when it is discarded)."""
        if not self.enabled:
            return
        self.used.add(key)
        self.staged[key] = name

    def unstage(self, name: str) -> None:
        """Delete a staged file that will not become an entry."""
        if not self.enabled or not (_safe_dir(self.dir.parent) and _safe_dir(self.dir)):
            return
        try:
            os.unlink(self.dir / name)
        except OSError:
            pass

    def store(self, key: str, obj: object) -> None:
        """Write ``obj`` under ``key`` now (atomically), for a caller that decides itself when a run
        succeeded and then calls :meth:`prune`; nothing is kept in memory."""
        if not self.enabled:
            return
        self.used.add(key)
        try:
            blob = encode(obj, self.secret)
        except Exception:  # noqa: BLE001 - something that cannot be pickled is simply not cached
            return
        if self._prepare():
            self._write(key, blob)

    def commit(self) -> None:
        """Write the new entries (each atomically) and delete those the load did not use.

        Called only after a load without errors: a run that reports problems
        writes nothing at all.  Any failure turns the cache off quietly.  In a build the entries
        are pickled and written by a forked process while the build goes on (site_builder/aside.py;
        the objects are immutable).  During serve the objects this load read or made (and no
        others) are kept for the next one.
        """
        pending, self.pending, self.pending_bytes = self.pending, {}, 0
        staged, self.staged = self.staged, {}
        if self.memo is not None:
            self.memo.replace(self.noted)
        self.noted = {}
        if not pending and not self.enabled:
            return
        aside.wait_for(self._writer)  # every staged file is complete (or its writer failed) before renaming
        self._writer = None
        aside.run(lambda: self._commit(pending, staged))

    def _commit(self, pending: dict[str, object], staged: dict[str, str]) -> None:
        if (pending or staged) and not self._prepare():
            return
        for key, name in staged.items():
            try:
                os.replace(self.dir / name, self.dir / key)
            except OSError:  # its writer failed: a miss next time
                pass
        if not self._write_all(pending):
            return
        self.prune()

    def discard(self) -> None:
        """A load with problems: nothing it made becomes an entry (what it staged is deleted)."""
        self.pending, self.pending_bytes = {}, 0
        staged, self.staged = self.staged, {}
        aside.wait_for(self._writer)
        self._writer = None
        if not staged or not (_safe_dir(self.dir.parent) and _safe_dir(self.dir)):
            return
        for name in staged.values():
            try:
                os.unlink(self.dir / name)
            except OSError:
                pass

    def _write_all(self, entries: dict[str, object], names: dict[str, str] | None = None) -> bool:
        """Write each entry (under its staged name when ``names`` gives one); False once writing fails."""
        if entries and not self._prepare():
            return False
        for key, obj in entries.items():
            try:
                blob = encode(obj, self.secret)
            except Exception:  # noqa: BLE001 - something that cannot be pickled is simply not cached
                continue
            if not self._write(names[key] if names else key, blob):
                return False
        return True

    def _write(self, key: str, blob: bytes) -> bool:
        try:
            replace_file(self.dir / key, blob)
            return True
        except OSError:
            self.enabled = False
            return False

    def prune(self) -> None:
        """Delete the entries the last load did not use (and temporary files left by a crash)."""
        if not self.enabled or not (_safe_dir(self.dir.parent) and _safe_dir(self.dir)):
            return
        try:
            with os.scandir(self.dir) as it:
                names = [e.name for e in it if e.is_file(follow_symlinks=False) or e.is_symlink()]
        except OSError:
            return
        for name in names:
            if name not in self.used:
                try:
                    os.unlink(self.dir / name)
                except OSError:
                    pass


def secret() -> bytes | None:
    """This user's random cache key (made on first use), or None when it cannot be kept."""
    base = os.environ.get("XDG_CACHE_HOME") or os.environ.get("LOCALAPPDATA")
    folder = Path(base) if base else Path.home() / ".cache"
    path = folder / "site-builder" / "cache-key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(os.urandom(32))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            key = f.read(33)
    except (OSError, RuntimeError):
        return None
    return key if len(key) == 32 else None


def _mac(key: bytes, payload: bytes | memoryview) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def encode(obj: object, key: bytes) -> bytes:
    payload = pickle.dumps(obj, protocol=5)
    return MAGIC + FORMAT.to_bytes(2, "big") + _mac(key, payload) + payload


def decode(blob: bytes, key: bytes) -> object | None:
    """The object of an entry; None unless magic, format and keyed digest all match and it unpickles safely."""
    if len(blob) < _HEAD or not blob.startswith(MAGIC):
        return None
    if int.from_bytes(blob[len(MAGIC):len(MAGIC) + 2], "big") != FORMAT:
        return None
    digest = blob[len(MAGIC) + 2:_HEAD]
    payload = memoryview(blob)[_HEAD:]
    if not hmac.compare_digest(_mac(key, payload), digest):
        return None
    try:
        return _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # noqa: BLE001 - a damaged entry is a miss
        return None


def loads(data: bytes, persistent_load=None) -> object:
    """Unpickle ``data`` written by this tool inside a verified entry, with the same restricted loader
    (raises on anything else); ``persistent_load`` resolves the references the writer left in place of
    objects the reader already holds."""
    unpickler = _Unpickler(io.BytesIO(data))
    if persistent_load is not None:
        unpickler.persistent_load = persistent_load
    with paused():
        return unpickler.load()


def framed(h: Any, parts: Iterable[bytes | str]) -> Any:
    """``h`` (a hashlib object) updated with each part framed by its length (text as UTF-8), so that
    no two lists of parts give the same bytes; returned for chaining."""
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else bytes(part)
        h.update(len(data).to_bytes(8, "big") + data)
    return h


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def replace_file(path: Path, *blobs: bytes) -> None:
    """Write ``blobs`` one after the other to ``path`` through a temporary file beside it, renamed
    over it (no fsync: a record lost in a crash only means the work is done again; its digest catches
    a torn one).  (Parts, not one joined copy: a build's record of 130,000 files is ~50 MB.)"""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            for blob in blobs:
                f.write(blob)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
