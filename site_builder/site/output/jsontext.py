"""The JSON downloads' text, fast: exactly ``json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)``.

With ``indent`` set the standard library encodes in pure Python, one generator
per container; a scheme's dataset has millions of values and spent seconds
there.  This writes the same characters for the values those documents hold
(dicts with text keys, lists and tuples, text, integers, yes/no, none and
floats), with the standard library's own C pieces: the string encoder for
every text, and its C encoder for every dict or list holding no container (a
record of a long table), given the line break and indentation of its depth as
the separator between items.  Anything else (a key that is not text, a value
JSON has no form for, a cycle) is left to ``json.dumps`` for the whole
document, so that it fails, or succeeds, exactly as before.

A document too big to hold whole (a notice's JSON with every line of every unit) is written by
:func:`.json_chunks.chunks` a piece at a time: its big lists given as :class:`Items` (what makes their items,
called when the list is reached) inside :class:`Parts` (dicts written a value at a time); each item
is written as above (or, failing that, by ``json.dumps`` indented to its depth: the same text as
``json.dumps`` of the whole document).

A long table's rows may be given as :class:`Columns` (a tuple of values per field, the compact
form the dataset's records are kept in): written exactly as the same rows as dicts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from json.encoder import c_make_encoder, encode_basestring
from operator import itemgetter

_SCALARS = frozenset({str, int, bool, float, type(None)})
_INF = float("inf")
_flat: dict[int, object] = {}  # depth -> C encoder of a container of scalars at that depth
_APART = "\0"  # between values encoded together (never in an encoded value: a text's NUL is \u0000)


class _Other(Exception):
    """A value this encoder leaves to ``json.dumps``."""


def dumps(doc: object) -> str:
    """``json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)``, faster."""
    try:
        return _value(doc, 0)
    except (_Other, TypeError, ValueError, RecursionError):
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True, default=_plain)


def document(doc: object) -> bytes:
    """A JSON download's bytes: :func:`dumps`, a final line break, UTF-8."""
    return (dumps(doc) + "\n").encode("utf-8")


class Items:
    """A list of a document written an item at a time by :func:`.json_chunks.chunks`: ``make()`` gives its items
    when the list is reached (never held as a list)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Iterable[object]]) -> None:
        self.make = make


class Parts(dict):
    """A dict of a document (text keys) holding :class:`Items` at some depth: written by :func:`.json_chunks.chunks`
    a value at a time, in the order of its keys."""


class Columns(Sequence):
    """A long table's rows kept as columns: ``names`` (the fields, in their declared order) and
    ``columns`` (a tuple of values per field, all of one length).  Eight bytes a value (a pointer
    to a text, figure or number shared by many rows), with no dict or tuple per row: a third of
    the memory of the same rows as tuples, a quarter of dicts.  Read as a sequence it gives each
    row as a dict (made when asked for), so it stands wherever the dicts stood; the writers
    (:func:`records`, ``dataset.to_csv``, the XLSX sheets) read it a column at a time.  A slice
    is a :class:`Columns` too.  Equal to another sequence of the same rows as dicts."""

    __slots__ = ("columns", "names", "size")

    def __init__(self, names: tuple[str, ...], columns: tuple[tuple, ...]) -> None:
        if len(names) != len(columns):
            raise ValueError("one column per name")
        sizes = set(map(len, columns))
        if len(sizes) > 1:
            raise ValueError("columns of one length")
        self.names, self.columns, self.size = names, columns, sizes.pop() if sizes else 0

    @classmethod
    def of_rows(cls, names: tuple[str, ...], rows: Iterable[tuple]) -> Columns:
        """The columns of ``rows``: tuples of the values of ``names``, in that order."""
        columns = tuple(zip(*rows))
        return cls(names, columns if columns else ((),) * len(names))

    @classmethod
    def of_dicts(cls, names: tuple[str, ...], rows: Iterable[dict]) -> Columns:
        """The columns of ``rows``: dicts holding (at least) the keys ``names``."""
        get = itemgetter(*names) if len(names) > 1 else (lambda r: (r[names[0]],))
        return cls.of_rows(names, map(get, rows))

    def column(self, name: str) -> tuple:
        return self.columns[self.names.index(name)]

    def tuples(self) -> Iterator[tuple]:
        """Each row as a tuple of its values, in the order of :attr:`names`."""
        return zip(*self.columns) if self.names else iter([()] * self.size)

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[dict]:
        names = self.names
        return (dict(zip(names, row)) for row in self.tuples())

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Columns(self.names, tuple(c[i] for c in self.columns))
        if not -self.size <= i < self.size:
            raise IndexError("row out of range")
        return {n: c[i] for n, c in zip(self.names, self.columns)}

    def take(self, rows: Sequence[int]) -> Columns:
        """The rows at these places, in this order (a slice when they follow each other)."""
        if rows and list(rows) == list(range(rows[0], rows[0] + len(rows))):
            return self[rows[0]:rows[0] + len(rows)]
        return Columns(self.names, tuple(tuple(map(c.__getitem__, rows)) for c in self.columns))

    def __add__(self, other: Columns) -> Columns:
        if other.names != self.names:
            raise ValueError("columns of other fields")
        return Columns(self.names, tuple(a + b for a, b in zip(self.columns, other.columns)))

    def __eq__(self, other: object) -> bool:
        if type(other) is Columns:
            return self.names == other.names and self.columns == other.columns
        if isinstance(other, (list, tuple)):
            return len(other) == self.size and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):
        return (Columns, (self.names, self.columns))

    def __repr__(self) -> str:
        return f"Columns({self.names!r}, {self.size} rows)"


class Rows:
    """A list of records (dicts) written without the keys in ``omit`` — a long table's rows inside a
    document that holds those fields beside them — without a copy of each row made.  ``caches``: the
    values already encoded by field and kind, shared by the lists of one document (each unit's
    lines name the same lines, :func:`records`)."""

    __slots__ = ("caches", "omit", "rows")

    def __init__(self, rows: Sequence[dict] | Columns, omit: frozenset[str] = frozenset(),
                 caches: dict | None = None) -> None:
        self.rows, self.omit, self.caches = rows, omit, caches

    def as_list(self) -> list[dict]:
        return [{k: v for k, v in r.items() if k not in self.omit} for r in self.rows]


def _plain(o: object) -> object:
    """``json.dumps``' ``default``: :class:`Rows` as the list they stand for, any other value refused
    as ``json.dumps`` refuses it."""
    if type(o) is Rows:
        return o.as_list()
    if type(o) is Columns:
        return list(o)
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


def part(o: object, depth: int) -> str:
    """A value of a document at ``depth`` as :func:`dumps` writes it there (indented to its depth)."""
    try:
        return _value(o, depth)
    except (_Other, TypeError, ValueError, RecursionError):
        return json.dumps(o, ensure_ascii=False, indent=1, sort_keys=True, default=_plain).replace(
            "\n", "\n" + " " * depth)


def _scalar(o: object) -> str:
    # the order of the standard library's checks (a text or int subclass is written as one)
    if isinstance(o, str):
        return encode_basestring(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        if math.isnan(o):
            return "NaN"
        if o == _INF:
            return "Infinity"
        if o == -_INF:
            return "-Infinity"
        return float.__repr__(o)
    raise _Other


def _value(o: object, depth: int) -> str:
    if isinstance(o, (str, int, float)) or o is None:
        return _scalar(o)
    if type(o) is Rows or type(o) is Columns:
        rows, omit, caches = (o.rows, o.omit, o.caches) if type(o) is Rows else (o, frozenset(), None)
        if not rows:
            return "[]"
        inner = "\n" + " " * (depth + 1)
        text = records(rows, depth + 1, omit, caches)
        if text is None:
            return _value(list(o) if type(o) is Columns else o.as_list(), depth)
        return "[" + inner + text + inner[:-1] + "]"
    if isinstance(o, (list, tuple)):
        if not o:
            return "[]"
        inner = "\n" + " " * (depth + 1)
        if _SCALARS.issuperset(map(type, o)):
            return "[" + inner + _flat_items(o, depth + 1) + inner[:-1] + "]"
        text = records(o, depth + 1) if type(o[0]) is dict else None
        if text is None:
            text = ("," + inner).join([_value(v, depth + 1) for v in o])
        return "[" + inner + text + inner[:-1] + "]"
    if isinstance(o, dict):
        if not o:
            return "{}"
        inner = "\n" + " " * (depth + 1)
        if _SCALARS.issuperset(map(type, o.values())):
            return "{" + inner + _flat_items(o, depth + 1) + inner[:-1] + "}"
        items = sorted(o.items())
        for k, _ in items:
            if not isinstance(k, str):
                raise _Other  # json.dumps writes numbers and yes/no as keys; not needed here
        pairs = [encode_basestring(k) + ": " + _value(v, depth + 1) for k, v in items]
        return "{" + inner + ("," + inner).join(pairs) + inner[:-1] + "}"
    raise _Other


def records(rows: Sequence[dict] | Columns, depth: int, omit: frozenset[str] = frozenset(),
            caches: dict | None = None) -> str | None:
    """``_value`` of each row at ``depth``, joined as the items of a list (``,`` and a line break
    indented to ``depth``) — for rows that are dicts of the same text keys, or :class:`Columns`, each
    holding no container (a long table's records): every value of every row encoded by one call of
    the standard library's C encoder (of :class:`Columns`: each distinct value of a column once, the
    encodings kept in ``caches`` by field and kind when given), each row laid out from its keys'
    fixed pieces.  None for any other rows."""
    if c_make_encoder is None or not rows:
        return None
    if type(rows) is Columns:
        if not all(type(k) is str for k in rows.names) or len(set(rows.names)) != len(rows.names):
            return None
        order = sorted(set(rows.names) - omit)
        if not order:
            return None
        encoded = _encoded_columns([rows.column(name) for name in order], order, caches)
        if encoded is None:
            return None
        return _laid_out(order, len(rows), chain.from_iterable(zip(*encoded)), depth)
    if type(rows[0]) is not dict or not rows[0]:
        return None
    keys = rows[0].keys()
    if not all(type(r) is dict for r in rows) or not all(type(k) is str for k in keys):
        return None
    if not all(map(keys.__eq__, map(dict.keys, rows))):
        return None
    order = sorted(keys - omit) if omit else sorted(keys)
    if not order:
        return None
    get = itemgetter(*order)
    values = list(chain.from_iterable(map(get, rows))) if len(order) > 1 else list(map(get, rows))
    if not _SCALARS.issuperset(map(type, values)):
        return None
    enc = _flat.get(_APART)
    if enc is None:
        enc = _flat[_APART] = c_make_encoder(None, _refuse, encode_basestring, None, ": ", _APART, True, False, True)
    try:
        encoded = "".join(enc(values, 0))[1:-1].split(_APART)
    except _Other:  # pragma: no cover - every value is a scalar
        return None
    return _laid_out(order, len(rows), encoded, depth)


def _laid_out(order: list[str], n: int, encoded: Iterable[str], depth: int) -> str:
    """``n`` records of the keys ``order`` as items of a list at ``depth``, from their values encoded
    (row after row, each row's values in the order of its keys)."""
    k = len(order)
    inner = "\n" + " " * (depth + 1)
    between = inner[:-1] + "}," + "\n" + " " * depth  # the end of a row and the start of the next
    labels = [between + "{" + inner + encode_basestring(order[0]) + ": ",
              *("," + inner + encode_basestring(key) + ": " for key in order[1:])]
    parts = [""] * (2 * k * n)
    parts[0::2] = labels * n
    parts[1::2] = encoded
    return "".join(parts)[len(between):] + inner[:-1] + "}"


class _Encoded(dict):
    """A column's values encoded (:func:`_scalar`), each distinct value once (names, ids, figures)."""

    def __missing__(self, value: object) -> str:
        text = self[value] = _scalar(value)
        return text


_NONE = type(None)


def _encoded_columns(columns: list[Sequence], names: list[str], caches: dict | None) -> list[Iterable[str]] | None:
    """Each column's values encoded as ``json.dumps`` writes them (None: a value that is not a
    scalar).  A column of one kind of value (and none) is encoded a distinct value at a time (kept in
    ``caches`` by its name and kind, when given); any other (where equal values may be written
    apart: ``1`` and ``true``, ``0`` and ``0.0``) value by value."""
    out: list[Iterable[str]] = []
    for name, column in zip(names, columns):
        kinds = set(map(type, column))
        if not _SCALARS.issuperset(kinds):
            return None
        one = kinds - {_NONE}
        if len(one) <= 1 and float not in one:
            cache = _Encoded() if caches is None else caches.setdefault((name, *one), _Encoded())
            out.append(map(cache.__getitem__, column))
        else:
            out.append(map(_scalar, column))
    return out


def _flat_items(o: object, depth: int) -> str:
    """The items of a dict or list holding no container, separated as at ``depth``, without the brackets."""
    if c_make_encoder is None:  # pragma: no cover - CPython without _json
        if isinstance(o, dict):
            items = sorted(o.items())
            for k, _ in items:
                if not isinstance(k, str):
                    raise _Other
            parts = [encode_basestring(k) + ": " + _scalar(v) for k, v in items]
        else:
            parts = [_scalar(v) for v in o]
        return (",\n" + " " * depth).join(parts)
    enc = _flat.get(depth)
    if enc is None:
        # no cycle check (no container inside), no indent (the separator carries it), sorted keys,
        # no key skipped, NaN and Infinity allowed: json.dumps' defaults
        enc = _flat[depth] = c_make_encoder(
            None, _refuse, encode_basestring, None, ": ", ",\n" + " " * depth, True, False, True)
    return "".join(enc(o, 0))[1:-1]


def _refuse(o: object) -> object:
    raise _Other
