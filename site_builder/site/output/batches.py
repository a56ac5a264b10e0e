"""Batches of routes: a period's score cards are recognised as unchanged by one key per period.

A route may belong to a *batch* (``Route.batch``: a name and a function returning what the pre-key of
every route of the batch is a function of, e.g. the period's part for the period's score cards).  The
batch's key (:func:`key`) is the digest of the build's key, the route's kind and template with the
template's digest, the search index's file name and what that function returns: everything each
route's pre-key is made of but its path.  The record of a build (:mod:`.reuse`) keeps each batch's key
with the paths of its routes and the digest of their entries (:func:`record`); the next build, for a
route of a batch whose key is the recorded one, takes the key and pre-key recorded for its path
without making its pre-key (:meth:`Recorded.held`) — a dictionary lookup instead of ~500 pre-keys a
period.  A batch is trusted only with the entries it was recorded with (an entry altered since is
caught), and with ``SITE_BUILDER_CHECK_PREKEYS`` (the tests) each route's pre-key is made anyway and
must be the recorded one (:func:`.reuse.route_keys`): a batch key that misses an input stops the build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from site_builder.site.output import prekeys
from site_builder.site.output.digest import digest


def key(build_key: Any, route: Any) -> tuple[str, str] | None:
    """(name, key) of ``route``'s batch, once per process and batch (None: it has none)."""
    from site_builder.site.output.reuse import _head

    name, given = route.batch

    def make() -> str | None:
        got = _head(build_key, route)
        inputs = given() if got is not None else None
        if inputs is None:
            return None
        search = build_key.search if got[1] is not None and got[1][1] == "always" else None
        return digest("batch", got[0][0], *got[0][2:], search, inputs)

    made = prekeys.memo(f"batch {route.kind} {route.template}", given, make)
    return None if made is None else (name, made)


def _entries(paths, recs: Mapping[str, list]) -> str:
    """The digest of the key and pre-key recorded for each of ``paths``."""
    h = hashlib.sha256()
    for p in paths:
        rec = recs[p]
        h.update(f"{p}\0{rec[0]}\0{rec[6]}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def record(files: Mapping[str, tuple], recs: Mapping[str, list]) -> dict[str, list]:
    """What the record keeps of the batches (``files``: path → (:class:`.reuse.Keyed`, extra); ``recs``:
    the entries recorded): name → [key, digest of its routes' entries, their paths].  A batch whose routes
    gave two keys is not kept; its routes are those recorded with a pre-key."""
    keys: dict[str, str | None] = {}
    members: dict[str, list[str]] = {}
    for p, (k, _extra) in files.items():
        if k.batch is None:
            continue
        name, bkey = k.batch
        keys[name] = bkey if keys.get(name, bkey) == bkey else None
        if p in recs and k.pre is not None:
            members.setdefault(name, []).append(p)
    kept = {}
    for name, bkey in sorted(keys.items()):
        if bkey is not None and name in members:
            paths = sorted(members[name])
            kept[name] = [bkey, _entries(paths, recs), paths]
    return kept


class Recorded:
    """The batches of the last build's record, each checked against the entries on first use."""

    def __init__(self, batches: Mapping[str, list] | None = None) -> None:
        self.batches = dict(batches or {})
        self._held: dict[str, frozenset] = {}

    @classmethod
    def read(cls, doc: Any) -> "Recorded":
        """The batches of a record (``doc["batches"]``); a malformed one is left out."""
        if not isinstance(doc, dict):
            return cls()
        return cls({n: b for n, b in doc.items()
                    if isinstance(n, str) and isinstance(b, list) and len(b) == 3 and isinstance(b[0], str)
                    and isinstance(b[1], str) and isinstance(b[2], list) and all(isinstance(p, str) for p in b[2])})

    def held(self, name: str, key: str, files: Mapping[str, list]) -> frozenset:
        """The paths of batch ``name`` when it was recorded under ``key`` and every entry of its routes
        in ``files`` is the one it was recorded with (else empty)."""
        got = self.batches.get(name)
        if got is None or got[0] != key:
            return frozenset()
        held = self._held.get(name)
        if held is None:
            paths = got[2]
            ok = all(p in files for p in paths) and _entries(paths, files) == got[1]
            held = self._held[name] = frozenset(paths) if ok else frozenset()
        return held
