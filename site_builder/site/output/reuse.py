"""Incremental builds: a page whose inputs did not change is neither rendered nor written again.

Every output file gets a *key* before it is made: the SHA-256 of everything its
bytes are a function of —

- the **build's key** (:func:`build_key`): the tool's code fingerprint and the
  libraries that render and write, the theme's templates, what every page
  shows (the ``common`` globals: site settings, asset paths, the version in
  the footer, locale, preview, dev server) and the personal names masked and
  scanned for;
- the **route's own inputs**: its path, kind and template, and its context (a
  page), or what a lazy download declares it is made from (``Route.inputs``),
  or its bytes (anything else).

A context is digested by pickling it (:func:`digest`): a set in an object's
state is written in sorted order, and a large model object (a period, a scheme version, a
period's results) is replaced by its own digest, computed once per process.
Anything that cannot be pickled has no key and is always made.

A route that declares a *pre-key* (a few cheap inputs its bytes are a function of,
:mod:`.prekeys`) is keyed by its pre-key alone (``"pre:"`` and the pre-key): a build
pickles no context of such a page for its key, since the next build links it when its
pre-key is the same.  A page whose pre-key changed is made again, and when its bytes come
out as the last build recorded them (their SHA-256) the old file is kept all the same
(:meth:`Previous.same`): most pages whose pre-key changed did change, and rendering one
costs less than pickling its context would (:func:`route_keys`).  Routes of a *batch* (a period's
score cards: ``Route.batch``) whose batch key — what every pre-key of the batch is a function of,
digested once per process — is the one the last build recorded take the keys recorded for them
without their own pre-keys being made (:mod:`.batches`).  A download whose
pre-key changed gets its full key, of its declared inputs (far cheaper than its bytes).

After each successful build the keys and the size, SHA-256 and file times of
every output file are recorded (:func:`save`, signed with this user's cache
key, like the no-op record of :mod:`.fingerprint`).  The next build into the
same folder links a file of the previous site into its staging folder instead
of making it again when its key is the recorded key *and* the file is exactly
as that build left it (same size, modification and change times and inode);
otherwise the file is made, scanned and written as in a clean build.  The
privacy scan of a linked file is the one its bytes passed under the same names
(part of the build's key).  So an incremental build writes exactly the bytes a
clean build writes (``tests/test_incremental.py``).  ``--no-cache`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple


from site_builder.load import cache
from site_builder.site.output import batches as batching
from site_builder.site.output.digest import digest, forget_shared  # noqa: F401 - forget_shared re-exported
from site_builder.site.output.entries import PRE, Entries  # PRE: a key made of a route's pre-key alone
from site_builder.site.output.template_keys import template_digests  # noqa: F401 - re-exported
from site_builder.site.output.stage import as_recorded
from site_builder.site.output.write import real_out

FORMAT = 4  # 4: a key may be a route's pre-key alone ("pre:"); the full key checked in the tests
CHECK_ENV = "SITE_BUILDER_CHECK_PREKEYS"  # the tests: a matched pre-key is checked against the full key
SUFFIX = ".routes"
MAX_RECORD = 256 * 1024 * 1024


@dataclass(frozen=True)
class BuildKey:
    """What every output of this build depends on besides its own inputs, and each template's digest."""

    build: str
    templates: Mapping[str, tuple[str, str]]  # name → (digest, use of the search index)
    search: str | None = None  # the search index's file name


def build_key(env: Any, common: Mapping[str, Any], names: tuple[str, ...]) -> BuildKey | None:
    """The key of this build (None: nothing is reused)."""
    from site_builder.site.output.fingerprint import _libraries

    try:
        templates = template_digests(env)
    except (OSError, ValueError, UnicodeError):
        return None
    assets = dict(common.get("assets") or {})
    search = assets.pop("search", None)
    common_digest = digest(dict(sorted({**common, "assets": assets}.items())))
    if common_digest is None:
        return None
    parts = (FORMAT, cache.fingerprint(), _libraries(), sorted(names), common_digest)
    build = hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return BuildKey(build, templates, search)


def _head(key: BuildKey, route: Any) -> tuple[tuple, tuple[str, str] | None] | None:
    """What every key of ``route`` starts with, and its template's (digest, search use); None when its
    template cannot be followed (no key)."""
    template = None
    if route.template is not None:
        template = key.templates.get(route.template)
        if template is None:
            return None
    return (key.build, route.path, route.kind, route.template, template and template[0]), template


class Keyed(NamedTuple):
    """What a route's file is recorded under: its key (None: always made), its pre-key, and (the tests,
    ``SITE_BUILDER_CHECK_PREKEYS``) its full key, against which the next build checks a matched pre-key."""

    key: str | None
    pre: str | None = None
    check: str | None = None
    batch: tuple[str, str] | None = None  # (its batch's name, the batch key: :func:`.batches.key`)


def _prekey(key: BuildKey, route: Any) -> str | None:
    """The pre-key of ``route``: its head, what its ``prekey`` returns and, for a template that loads
    the search index on every page, the index's file name (None: it has none)."""
    got = _head(key, route)
    if got is None:
        return None
    given = route.prekey()
    if given is None:
        return None
    # a template that loads the search index on every page: its file name is an input too (a
    # template that loads it where the page lists "search" reads that from the page, which the
    # route's pre-key covers); one digest of all (a shared object in what ``prekey`` gave by its own)
    search = key.search if got[1] is not None and got[1][1] == "always" else None
    return digest(got[0], "prekey", search, given)


def route_keys(key: BuildKey | None, route: Any, previous: "Previous | None") -> tuple[Keyed, Any]:
    """The keys of ``route`` (:class:`Keyed`) and the route, with its context or bytes made when its
    key needed them.

    A route that declares a ``prekey`` — a few cheap inputs its context or bytes are a function of
    (e.g. a period's results and the site's settings, each digested once per process) — and whose
    pre-key is the one the last build recorded for its path gets the key recorded with it, without
    its context being made.  A pre-key promises equal bytes for equal pre-keys, so any other route
    with a pre-key is keyed by its pre-key alone (``"pre:"`` and the pre-key): no context is pickled
    for a key.  Such a page whose pre-key changed is made again; when its bytes are those the last
    build recorded for its path, the old file is kept (:meth:`Previous.same`, in the render pool).
    At an edit in the middle of the year nearly every page whose pre-key changed did change (479
    of 506 at 500 units), so pickling their contexts to find the few that did not cost more
    (~2.7 ms a card) than making those few again.  A download whose pre-key changed gets its full
    key (:func:`route_key`, of its declared ``inputs``: far cheaper than its bytes), so that it is
    linked unmade when its inputs did not change after all.  With ``SITE_BUILDER_CHECK_PREKEYS=1``
    (the tests) the full key is made anyway and kept in the record (:attr:`Keyed.check`), and a
    pre-key that matched the last build's while the full key differs stops the build: a pre-key that
    misses an input is a bug, never a stale page.  A route without a pre-key gets its full key.

    A route of a batch (:func:`.batches.key`) whose batch key is the one the last build recorded takes the
    key and pre-key recorded for its path unmade (a dictionary lookup instead of a pre-key: at an
    edit in the middle of the year, the cards of every period before it); with
    ``SITE_BUILDER_CHECK_PREKEYS`` its pre-key is made anyway and must be the recorded one."""
    if key is None:
        return Keyed(None), route
    rec = previous.files.get(route.path) if previous is not None and previous.build is not None else None
    batch = batching.key(key, route) if route.batch is not None and route.prekey is not None else None
    if batch is not None and rec is not None and rec[6] is not None and route.path in previous.batch(*batch):
        if not os.environ.get(CHECK_ENV):
            return Keyed(rec[0], rec[6], None, batch), route
        if _prekey(key, route) != rec[6]:
            raise AssertionError(f"{route.path}: its batch's key matched the last build's but its pre-key changed")
    pre = _prekey(key, route) if route.prekey is not None else None
    if pre is None:
        full, route = route_key(key, route)
        return Keyed(full), route
    check = None
    if os.environ.get(CHECK_ENV):
        check, route = route_key(key, route)
        if rec is not None and rec[6] == pre and rec[8] is not None and check != rec[8]:
            raise AssertionError(f"{route.path}: pre-key matched the last build's but the page's inputs changed")
    got = None
    if rec is not None and rec[6] == pre:
        got = rec[0]
    elif rec is not None and route.make is not None and route.inputs is not None:
        got, route = (check, route) if check is not None else route_key(key, route)
    return Keyed(got if got is not None else PRE + pre, pre, check, batch), route


def route_key(key: BuildKey | None, route: Any) -> tuple[str | None, Any]:
    """(the key of ``route``, the route with its context or bytes made when that was needed for the
    key); a key of None: always make it."""
    if key is None:
        return None, route
    got = _head(key, route)
    if got is None:
        return None, route
    head, template = got
    if route.make is not None and route.inputs is not None:
        given = route.inputs()  # a download's inputs: text, figures, views (None: no key)
        inner = None if given is None else digest(given, swap=False)
        return (None if inner is None else digest(head, inner, swap=False)), route
    route = route.resolved()
    if route.data is not None:
        if not isinstance(route.data, bytes):
            return None, route  # a stream with no declared inputs: always made
        return digest(head, hashlib.sha256(route.data).hexdigest(), swap=False), route
    search = None
    if template is not None and template[1] != "never":
        page = route.context.get("page")
        if template[1] == "always" or "search" in getattr(page, "scripts", ("search",)):
            search = key.search
    inner = digest(dict(route.context), search)
    return (None if inner is None else digest(head, inner, swap=False)), route


# ------------------------------------------------------------------ the record of the last build
@dataclass
class Previous:
    """The last build of this output folder: key, SHA-256, size and file times by path."""

    out: Path
    build: str | None
    files: Mapping[str, list] = field(default_factory=dict)  # (:class:`.entries.Entries`, as loaded)
    batches: batching.Recorded = field(default_factory=batching.Recorded)  # the batches it recorded

    def batch(self, name: str, key: str) -> frozenset:
        """The paths of the routes of batch ``name`` that the last build recorded under batch key ``key``
        (empty: another key, or an entry of theirs is not as recorded with the batch)."""
        return self.batches.held(name, key, self.files)

    def extra(self, path: str) -> Any:
        """What the file's maker recorded of it besides its key (:class:`Recorded`; None: nothing)."""
        held = getattr(self.files, "extra", None)  # (:class:`.entries.Entries`: without making the entry)
        if held is not None:
            return held(path)
        rec = self.files.get(path)
        return rec[7] if rec is not None and len(rec) > 7 else None

    def reusable(self, path: str, key: str | None) -> tuple[str, int] | None:
        """(SHA-256, size) of the file at ``path`` when it can be linked instead of made."""
        if key is None or self.build is None:
            return None
        rec = self.files.get(path)
        if rec is None or rec[0] != key:
            return None
        return self._intact(path, rec)

    def same(self, path: str, data: bytes) -> tuple[str, int] | None:
        """(SHA-256, size) of the file at ``path`` when ``data``, just made for it, are the bytes the
        last build recorded for it and the file lies there as that build left it: it can be linked
        instead of written (its privacy scan is the one those bytes passed under the same names)."""
        if self.build is None:
            return None
        rec = self.files.get(path)
        if rec is None or rec[2] != len(data) or rec[1] != hashlib.sha256(data).hexdigest():
            return None
        return self._intact(path, rec)

    def _intact(self, path: str, rec: list) -> tuple[str, int] | None:
        """(SHA-256, size) of record ``rec`` when the file at ``path`` is a plain file with the size,
        times and inode the last build recorded for it."""
        try:
            st = os.lstat(os.path.join(self.out, path))
        except OSError:
            return None
        return (rec[1], rec[2]) if as_left(st, rec) else None

    def link(self, path: str, stage) -> bool:
        """The previous file at ``path`` into the staging folder (:meth:`.write.Stage.link`: a hard
        link, else a copy)."""
        return stage.link(os.path.join(self.out, path), path)


def as_left(st: os.stat_result, rec: list) -> bool:
    """Whether a file with status ``st`` is a plain file with the size, modification and change times
    and inode that the last build recorded for it (``rec``, a record's entry)."""
    return stat.S_ISREG(st.st_mode) and as_recorded(st) == rec[2:6]


class Recorded:
    """A file's stream of chunks that, once written, leaves in :attr:`record` what the next build may
    use of it (JSON values; e.g. the byte ranges of a dataset file's pieces, :mod:`.dataset_pieces`),
    kept in the record of the build (:meth:`Previous.extra`)."""

    record: Any = None


@dataclass
class Keys:
    """What a build records for the next: its build key and every output file's key."""

    build: str | None = None
    # path → (its keys, what its maker recorded of it: :class:`Recorded`)
    files: dict[str, tuple[Keyed, Any]] = field(default_factory=dict)
    linked: int = 0  # files taken over unchanged from the last build
    # the site as the build left it: each file's status as written (:meth:`.stage.Stage.status`) and
    # every folder, as a walk of it finds them (:func:`.fingerprint.scan`); None: walk it
    left: tuple[dict[str, list[int]], list[str]] | None = None


def _record_path(root: Path, out: Path) -> Path:
    from site_builder.site.output.fingerprint import RECORD_DIR

    name = hashlib.sha256(os.fsencode(str(real_out(out)))).hexdigest()
    return Path(root) / RECORD_DIR / f"{name}{SUFFIX}"


def load(root: Path, out: Path, build: str | None) -> Previous:
    """The record of the last build of ``out``, when signed here, for this folder and this build key;
    else an empty record (everything is made)."""
    from site_builder.site.output.fingerprint import read_signed

    real = real_out(out)
    empty = Previous(real, None)
    if build is None:
        return empty
    doc = read_signed(_record_path(root, out), MAX_RECORD)
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("out") == str(real)
            and doc.get("build") == build and isinstance(doc.get("files"), dict)):
        return empty
    files = doc.pop("files")
    for p in [p for p, r in files.items() if not _valid(p, r)]:
        del files[p]
    return Previous(real, build, Entries(files), batching.Recorded.read(doc.get("batches")))


def _valid(path: Any, rec: Any) -> bool:
    return (isinstance(path, str) and isinstance(rec, list) and len(rec) == 9
            and isinstance(rec[0], str) and isinstance(rec[1], str)
            and all(x is None or isinstance(x, str) for x in (rec[6], rec[8]))
            and (not rec[0].startswith(PRE) or rec[0] == f"{PRE}{rec[6]}")  # a pre-key alone is its own
            and all(isinstance(x, int) and not isinstance(x, bool) for x in rec[2:6])
            and ".." not in path.split("/") and not path.startswith("/"))


def forget(root: Path, out: Path) -> None:
    """Delete the record of ``out`` (a build that fails leaves none behind)."""
    try:
        os.unlink(_record_path(root, out))
    except OSError:
        pass


def save(root: Path, out: Path, keys: Keys, files: Mapping[str, tuple[str, int]]) -> None:
    """Record each output file's key with its SHA-256, size and times as it now lies in ``out`` (as
    written, ``keys.left``, or read now); silent on any failure (no record: the next build makes
    everything)."""
    key, build = cache.secret(), keys.build
    if build is None or key is None:
        return
    from site_builder.site.output.fingerprint import ensure_record_dir, write_signed
    from site_builder.site.output.write import _exclusive

    real = real_out(out)
    path = _record_path(root, out)
    try:
        if not ensure_record_dir(root, path.parent):
            return
        with _exclusive(real.parent, "zh-CN"):
            recs: dict[str, list] = {}
            left = keys.left[0] if keys.left is not None else {}
            for p, (k, extra) in keys.files.items():
                if k.key is None or p not in files:
                    continue
                got = left.get(p)
                if got is None:
                    st = os.lstat(os.path.join(real, p))
                    if not stat.S_ISREG(st.st_mode):
                        return  # not this build's site any more
                    got = as_recorded(st)
                if got[0] != files[p][1]:
                    return  # not this build's site any more
                recs[p] = [k.key, files[p][0], *got, k.pre, extra, k.check]
            write_signed(path, {"format": FORMAT, "out": str(real), "build": build, "files": recs,
                                "batches": batching.record(keys.files, recs)}, key)
    except Exception:  # noqa: BLE001 - no record simply means everything is made next time
        return
