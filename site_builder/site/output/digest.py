"""Digests of a page's inputs for incremental builds (:mod:`.reuse`): equal inputs, equal digest, in
every process.

Inputs are pickled by the C pickler (protocol 5) with no memo — equal values give equal
bytes whether or not they are one object — and a dispatch table for pydantic models that
writes their set of fields set (and any set-valued field) in sorted order, because a set of
text iterates in a different order in every process.  A period, a scheme version or a
period's results anywhere in a page's dicts, lists and tuples counts by its own digest,
made once per process (:func:`forget_shared` at the end of a build).  Anything that cannot
be pickled has no digest: its file is always made.
"""

from __future__ import annotations

import functools
import hashlib
import io
import pickle
from typing import Any


@functools.cache
def _shared_types() -> tuple[type, ...]:
    from site_builder.model import Period, SchemeVersion
    from site_builder.scoring.results import PeriodResult

    return (Period, SchemeVersion, PeriodResult)


class _Unkeyable(Exception):
    """An input that cannot be digested: the file is made."""


class _Pickler(pickle.Pickler):
    def __init__(self, file) -> None:
        super().__init__(file, protocol=5)
        # no memo: equal values give equal bytes whether or not they are one object (a name read
        # from the parse cache is a copy, the same name parsed from YAML may be shared) — but for
        # the classes and functions named in nearly every digest (:func:`_named`), each written as
        # its number in that table instead of its module and name, and never looked up again
        self.fast = True
        self.memo = _named()[0]
        self.dispatch_table = _dispatch_table()


@functools.cache
def _named() -> tuple[dict[int, tuple[int, Any]], bytes]:
    """The classes and functions a period's results are pickled with (a line, an explanation step,
    the facts, figures and dates; the reconstructors of pickle), numbered in the order of their
    names, and the digest of those names.  A digest hashes that digest before its pickle: equal
    digests, equal tables, so a number written in a pickle names the same class in every process."""
    import copyreg
    import datetime as dt
    from decimal import Decimal

    from site_builder.scoring import results
    from site_builder.scoring.facts import Event, Facts
    from site_builder.scoring.rules.base import Step

    found = {Decimal, dt.date, copyreg.__newobj__, copyreg._reconstructor, Step, Facts, Event}
    found.update(v for v in vars(results).values() if isinstance(v, type) and v.__module__ == results.__name__)
    ordered = sorted(found, key=lambda c: (c.__module__, c.__qualname__))
    names = "\n".join(f"{c.__module__}.{c.__qualname__}" for c in ordered)
    return {id(c): (i, c) for i, c in enumerate(ordered)}, hashlib.sha256(names.encode("utf-8")).digest()


def _hash(data: bytes) -> str:
    """The SHA-256 of a pickle made here, after the digest of the table of :func:`_named`."""
    h = hashlib.sha256(_named()[1])
    h.update(data)
    return h.hexdigest()


_TABLE: dict = {}


def _dispatch_table() -> dict:
    """copyreg's table and, for every pydantic model class, a reduction that writes its set of
    fields set (and any set-valued field) in sorted order: the C pickler writes a set in its hash
    order, which differs between processes for text, and a key must not.  Made once per build
    (:func:`forget_shared` drops it)."""
    if not _TABLE:
        import copyreg

        from pydantic import BaseModel

        _TABLE.update(copyreg.dispatch_table)
        todo = [BaseModel]
        while todo:
            c = todo.pop()
            _TABLE[c] = _reduce_model
            todo.extend(c.__subclasses__())
    return _TABLE


_FIELDS: dict[type, tuple[str, ...]] = {}
_SETS = frozenset((set, frozenset))


def _reduce_model(obj: Any) -> tuple:
    """A model as its class and its state: the values of its fields in their declared order (their
    names only when its values are not exactly its fields), its fields set in sorted order, its
    extra and private values; a set-valued field in sorted order (:func:`_sorted_set`)."""
    cls = type(obj)
    values = obj.__dict__
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(cls.model_fields)
    got = tuple(values.values())
    if not _SETS.isdisjoint(map(type, got)):
        got = tuple(_sorted_set(v) if type(v) in _SETS else v for v in got)
    keys = tuple(values)
    fields = obj.__pydantic_fields_set__
    return (cls, (), (None if keys == names else keys, got, tuple(sorted(fields)) if len(fields) > 1 else tuple(fields),
                      obj.__pydantic_extra__, obj.__pydantic_private__))


def _sorted_set(value: set | frozenset) -> tuple:
    return (_SET, type(value).__name__, tuple(sorted(_dumps(x) for x in value)))


_SET = "<set in sorted order>"


def _dumps(obj: Any) -> bytes:
    buf = io.BytesIO()
    try:
        _Pickler(buf).dump(obj)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError) as exc:
        raise _Unkeyable(str(exc)) from exc
    return buf.getvalue()


_MEMO: dict[int, tuple[Any, str]] = {}


def _shared_digest(obj: Any) -> str:
    """A period, a scheme version or a period's results: digested once per process (the object is
    kept in the memo, so its id stays its own)."""
    got = _MEMO.get(id(obj))
    if got is None or got[0] is not obj:
        got = _MEMO[id(obj)] = (obj, _hash(_dumps(obj)))
    return got[1]


def remember(obj: Any, hexdigest: str) -> None:
    """Take ``hexdigest`` as the digest of the shared object ``obj`` until :func:`forget_shared`, instead
    of pickling it.  Only for a stand-in that is sound: equal stand-ins mean equal objects, byte for
    byte (a scored period's chain key, site_builder/scoring/period_cache.py).  The memo keeps
    ``obj``, so its id cannot pass to another object while the digest is remembered."""
    _MEMO[id(obj)] = (obj, hexdigest)


def _swap_shared(value: Any, shared: tuple[type, ...], depth: int = 6) -> Any:
    """``value`` with each shared object in it — itself, or anywhere in its dicts, lists and tuples,
    a few levels deep — replaced by its digest."""
    if isinstance(value, shared):
        return ("<shared>", type(value).__name__, _shared_digest(value))
    if depth:
        kind = type(value)
        if kind is dict:
            return {k: _swap_shared(v, shared, depth - 1) for k, v in value.items()}
        if kind is list:
            return [_swap_shared(v, shared, depth - 1) for v in value]
        if kind is tuple:
            return tuple(_swap_shared(v, shared, depth - 1) for v in value)
    return value


def digest(*objs: Any, swap: bool = True) -> str | None:
    """The SHA-256 of ``objs`` as pickled here (None: something in them cannot be pickled).  A large
    shared object among them, or in their dicts, lists and tuples, counts by its own digest
    (``swap=False``: values known to hold none, e.g. rows of text and figures, are not searched)."""
    try:
        if swap:
            shared = _shared_types()
            objs = tuple(_swap_shared(o, shared) for o in objs)
        return _hash(_dumps(objs))
    except _Unkeyable:
        return None


def forget_shared() -> None:
    """Drop the per-process digests of shared objects, the table of model classes and the pre-keys'
    parts (at the end of a build)."""
    from site_builder.site.output import prekeys

    _MEMO.clear()
    _TABLE.clear()
    _FIELDS.clear()
    prekeys.forget()


def keyed(*parts: Any) -> tuple | None:
    """``parts`` as a route's inputs, or None (no key: the file is made) when a digest among them
    could not be made."""
    return None if any(p is None for p in parts) else parts
