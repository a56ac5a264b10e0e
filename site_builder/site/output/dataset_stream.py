"""A scheme's full dataset (``data/<scheme>/``) written a period at a time.

The dataset of a province (10,000 units × 12 periods × 40 lines: about five million
line rows, a JSON file of gigabytes) cannot be held in memory as one document.  Each
file here is made as a stream of byte chunks — the rows of one period, in batches —
computed from one period's records at a time (:func:`.dataset.period_records`), so
memory holds one period, never the scheme.  The bytes are exactly those of the whole
document (:func:`.dataset.to_csv`, :func:`.jsontext.dumps`); ``tests/site/test_dataset_stream.py``
compares them.

An incremental build makes again only what changed.  Each period has a key of what its records
are made from (:func:`period_key`); the files' pre-keys are made of those keys (an unchanged
dataset is linked without any records being made) and so are their keys (equal period keys, equal
records: no records are made or digested to key a file whose pre-key changed), and a file made again takes over from the last build's file
every batch of an unchanged period, and every batch of a changed period whose rows are unchanged
(:class:`DatasetFile`, :mod:`.dataset_pieces`); ``tests/site/test_dataset_pieces.py`` compares
the result with clean builds.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from typing import Any

from site_builder.site.data import SiteData
from site_builder.site.output import dataset, dataset_kept, dataset_pieces, jsontext, reuse, write
from site_builder.site.output.dataset import TABLES, Records
from site_builder.site.output.dataset_kept import records_of, table_of  # noqa: F401 - records_of re-exported
from site_builder.site.output.jsontext import Columns
from site_builder.site.output.digest import digest, keyed

BATCH = 2000  # rows per chunk


_LAST = dataset_pieces.Last()


def follow(previous: reuse.Previous | None) -> None:
    """Take over the dataset files' pieces the last build recorded (before routes are keyed; workers inherit them)."""
    global _LAST
    _LAST = dataset_pieces.Last(previous)


def previous() -> reuse.Previous | None:
    """The record of the last build that :func:`follow` took (None: none is kept, --no-cache)."""
    return _LAST.previous


def forget() -> None:
    """Drop the kept records and the last build's pieces (at the end of a build)."""
    global _LAST
    dataset_kept.forget()
    _ROWS.clear()
    _LAST = dataset_pieces.Last()


def period_records(data: SiteData, scheme_id: str) -> Iterator[Records]:
    """The records of each published period of the scheme, one period at a time."""
    for period in dataset.published_periods(data, scheme_id):
        yield records_of(data, period)


def _batches(rows: tuple, size: int | None = None) -> Iterator[tuple]:
    size = size or BATCH
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


# ---------------------------------------------------------------- what a period's records are made of


def _unit_ids(result) -> list[str]:
    """Every unit the period's records name (results, rankings, honours)."""
    ids = set(result.units)
    for r in result.rankings:
        ids.update(e.unit for e in r.entries)
        ids.update(uid for uid, _ in r.unranked)
    for h in result.honours:
        ids.update(h.chosen)
        ids.update(uid for uid, _ in h.excluded)
    return sorted(ids)


def period_key(data: SiteData, period) -> str | None:
    """The digest of everything :func:`.dataset.period_records` reads (None: no key, made every time):
    the period's results and its scheme version (each digested once per process, :mod:`.digest`),
    its scheme, id and version, its name in the site's language, its status and notice date as of
    the build (公示 or 通报, the as-of date), and the name of every unit it names on that date.
    Equal keys, equal records (checked in the tests: ``SITE_BUILDER_CHECK_PREKEYS``)."""
    on = data.notice_date(period)
    result = data.result(period)
    try:
        names = tuple((uid, data.unit_name(uid, on)) for uid in _unit_ids(result))
    except KeyError:
        return None
    return digest("dataset period", period.scheme, period.id, period.version, data.period_name(period),
                  data.status(period), on.isoformat(), data.version_of(period), result, names)


def period_keys(data: SiteData, scheme_id: str) -> tuple[str, ...] | None:
    """:func:`period_key` of each published period of the scheme, in order (None: one has none)."""
    keys = tuple(period_key(data, p) for p in dataset.published_periods(data, scheme_id))
    return None if any(k is None for k in keys) else keys


def _records_digest(records: Records) -> str | None:
    return digest(records.digest_parts(), swap=False)


def records_digest(data: SiteData, period, pk: str | None) -> str | None:
    """The digest of the period's records: remembered by its period key (from the last build's record
    or made earlier in this process) or made; with ``SITE_BUILDER_CHECK_PREKEYS`` a remembered digest
    is checked against the records."""
    return _remembered(_LAST.digests, pk, lambda: _records_digest(records_of(data, period)), period, "records")


def _remembered(table: dict, pk: str | None, make, period, what: str) -> Any:
    """``table[pk]`` (remembered by the period's key from the last build's record, or made earlier in
    this process), or ``make()`` remembered there; with ``SITE_BUILDER_CHECK_PREKEYS`` a remembered
    value is checked against a made one."""
    known = table.get(pk) if pk is not None else None
    if known is not None and not os.environ.get(reuse.CHECK_ENV):
        return known
    made = make()
    if known is not None and made != known:
        raise AssertionError(f"{period.path}: equal period keys, other {what} (dataset_stream.period_key)")
    if pk is not None and made is not None:
        table[pk] = made
    return made


def inputs(data: SiteData, scheme_id: str, keys=None) -> tuple[str, ...] | None:
    """What the dataset's files are made from, for their keys (:mod:`.reuse`): each published period's
    key (``keys()``: :func:`period_keys`; equal keys, equal records), or, when a period has none, the
    digest of each period's records, made and dropped one period at a time."""
    pks = keys() if keys is not None else None
    periods = dataset.published_periods(data, scheme_id)
    if pks:
        return keyed("period keys", *(records_key(data, p, pk) for p, pk in zip(periods, pks)))
    return keyed(*(records_digest(data, p, None) for p in periods))


def records_key(data: SiteData, period, pk: str | None) -> str | None:
    """What a file's key takes for the period's records: its period key (equal keys, equal records), or
    their digest when it has none.  With ``SITE_BUILDER_CHECK_PREKEYS`` (the tests) they are digested all
    the same and checked against the digest remembered for the key (:func:`records_digest`)."""
    if pk is None:
        return records_digest(data, period, None)
    if os.environ.get(reuse.CHECK_ENV):
        records_digest(data, period, pk)
    return pk


# ---------------------------------------------------------------- the files, a batch at a time


def _csv_batch(name: str, rows: tuple) -> bytes:
    """A batch of rows of the table ``name`` as CSV lines (without the header)."""
    head = dataset.to_csv(name, ())
    chunk = dataset.to_csv(name, rows, kept=True)
    assert chunk.startswith(head)
    return chunk[len(head):]


def _json_batch(rows: tuple) -> bytes:
    """A batch of records as items of a list of the JSON document (without the separators around)."""
    text = jsontext.records(rows, 2)
    if text is None:
        text = ",\n  ".join(_record(r) for r in rows)
    return text.encode("utf-8")


def _record(row: Any) -> str:
    """One record as an item of a list at depth 1 of the document (indent 1, keys sorted)."""
    try:
        return jsontext._value(row, 2)
    except (jsontext._Other, TypeError, ValueError, RecursionError):
        return json.dumps(row, ensure_ascii=False, indent=1, sort_keys=True).replace("\n", "\n  ")


# Batches' rows' digests by (period key, table, batch, rows a batch): a table's CSV and the JSON share them.
_ROWS: dict[tuple[str, str, int, int], str | None] = {}


def _rows_digest(pk: str | None, table: str, i: int, size: int, rows) -> str | None:
    """The digest of batch ``i`` of ``table`` of the period with key ``pk`` (``rows``), made once in this
    process (equal keys, equal records; checked under ``SITE_BUILDER_CHECK_PREKEYS``)."""
    if pk is None:
        return digest(rows.columns, swap=False)
    key = (pk, table, i, size)
    if key in _ROWS and not os.environ.get(reuse.CHECK_ENV):
        return _ROWS[key]
    made = digest(rows.columns, swap=False)
    if key in _ROWS and _ROWS[key] != made:
        raise AssertionError(f"{table}: batch {i}: equal period keys, other rows (dataset_stream.period_key)")
    _ROWS[key] = made
    return made


class DatasetFile(reuse.Recorded):
    """One dataset file as a stream of chunks: each published period's batches of rows, each taken over
    from the last build's file when the period's key is unchanged (:mod:`.dataset_pieces`), else made
    from the period's records.  Once written, :attr:`record` holds the file's pieces for the next
    build: per period key, the digest of its records, the data dictionary's examples in them and,
    per table, the range, SHA-256 and digest of the rows of each batch (:mod:`.dataset_pieces`)."""

    def __init__(self, data: SiteData, scheme_id: str, path: str, keys=None, name: str | None = None,
                 fixed: dict[str, Any] | None = None, periods: tuple | None = None, batch: int | None = None,
                 records=None) -> None:
        self.data, self.scheme_id, self.path, self.keys = data, scheme_id, path, keys
        self.name, self.fixed, self.periods, self.batch = name, fixed, periods, batch
        self.records = records  # a notice's long table: its period's records, shared with its other files
        self.record = None
        self._examples: dict[str, dict] = {}  # a period key → its tables' examples so far (the JSON)

    def __iter__(self) -> Iterator[bytes]:
        periods = dataset.published_periods(self.data, self.scheme_id) if self.periods is None else self.periods
        keys = self.keys() if self.keys is not None and _LAST.recording else None
        pks = keys or (None,) * len(periods)
        old = _LAST.old_file(self.path)
        pieces: dict[str, list] = {}
        self._at = 0
        try:
            for chunk in self._chunks(periods, pks, old, pieces):
                self._at += len(chunk)
                yield chunk
        finally:
            if old is not None:
                old.close()
        for pk, entry in pieces.items():
            entry[0], entry[2] = _LAST.digests.get(pk), _LAST.examples.get(pk)
        self.record = pieces or None

    def _chunks(self, periods, pks, old, pieces) -> Iterator[bytes]:
        if self.name is not None:
            yield dataset.to_csv(self.name, ())
            for period, pk in zip(periods, pks):
                yield from self._period(period, pk, self.name, old, pieces, b"")
            return
        keys = sorted([*self.fixed, *TABLES])
        for i, key in enumerate(keys):
            yield (("{" if i == 0 else ",") + "\n " + json.encoder.encode_basestring(key) + ": ").encode("utf-8")
            if key not in TABLES:
                yield jsontext.dumps(self.fixed[key]).replace("\n", "\n ").encode("utf-8")
                continue
            start = self._at
            for period, pk in zip(periods, pks):
                yield from self._period(period, pk, key, old, pieces, b",\n  " if self._at > start else b"[\n  ")
            yield b"\n ]" if self._at > start else b"[]"
        yield b"\n}\n"

    def _records(self, period) -> Records:
        """The period's records: the notice's (``records``), or kept or made here (:func:`records_of`)."""
        return self.records() if self.records is not None else records_of(self.data, period)

    def _table(self, period, table: str) -> Columns:
        """One table of the period's records: the notice's, or that table alone kept or made (:func:`table_of`)."""
        return self.records().table(table) if self.records is not None else table_of(self.data, period, table)

    def _encode(self, table: str, rows: tuple) -> bytes:
        return _csv_batch(table, rows) if self.name is not None else _json_batch(rows)

    def _period(self, period, pk, table, old, pieces, sep) -> Iterator[bytes]:
        """The period's batches of ``table``, each after its separator in the JSON (the first after
        ``sep``, the others after ``,\\n  ``), each recorded in ``pieces`` with its range.  A period
        whose key is unchanged is taken over from the last build's file without its records being
        made, while its bytes are intact; a changed period's records are made, and each batch whose
        rows are those of a batch of the last build's file (e.g. rows without the running totals that
        changed) is taken over too; any other batch is made."""
        ranges = None
        if old is not None and pk in _LAST.examples:
            ranges = old.ranges(pk, table)
        out = pieces.setdefault(pk, [None, {}, None])[1].setdefault(table, []) if pk is not None else None
        n = 0
        if ranges is not None:
            made = None
            if os.environ.get(reuse.CHECK_ENV):  # the tests: what is taken over is what would be made
                made = [self._encode(table, rows) for rows in _batches(self._table(period, table), self.batch)]
                records_digest(self.data, period, pk)
                _examples_of(self.data, period, pk)
            for start, length, sha, rows_digest in ranges:
                piece = old.read(start, length, sha)
                if piece is None:
                    break
                if made is not None and (n >= len(made) or made[n] != piece):
                    raise AssertionError(f"{self.path}: {period.path}: equal period keys, other bytes")
                yield from self._put(write.Kept(piece), sha, rows_digest, out, sep if n == 0 else b",\n  ")
                n += 1
            else:
                if made is not None and len(made) != n:
                    raise AssertionError(f"{self.path}: {period.path}: equal period keys, other bytes")
                return
        if pk is not None and pk not in _LAST.digests and os.environ.get(reuse.CHECK_ENV):  # (the tests' check)
            digested = _records_digest(self._records(period))
            if digested is not None:
                _LAST.digests[pk] = digested
        columns = self._table(period, table)
        if pk is not None and pk not in _LAST.examples and self.name is None:  # (the JSON reads every table)
            # each table's examples from the table written, the period's once the last one is
            seen = self._examples.setdefault(pk, {})
            seen[table] = table_examples(table, columns)
            if len(seen) == len(TABLES):
                _LAST.examples[pk] = {t: seen[t] for t in TABLES}
        for i, rows in enumerate(_batches(columns, self.batch)):
            if i < n:  # taken over before a piece that was not intact
                continue
            rows_digest = _rows_digest(pk, table, i, self.batch or BATCH, rows) if out is not None else None
            got = old.same_rows(table, rows_digest) if old is not None and rows_digest is not None else None
            if got is not None:
                if os.environ.get(reuse.CHECK_ENV) and self._encode(table, rows) != got[0]:
                    raise AssertionError(f"{self.path}: {period.path}: equal rows, other bytes")
                yield from self._put(write.Kept(got[0]), got[1], rows_digest, out, sep if i == 0 else b",\n  ")
            else:
                yield from self._put(self._encode(table, rows), None, rows_digest, out, sep if i == 0 else b",\n  ")

    def _put(self, batch: bytes, sha: str | None, rows_digest: str | None, out: list | None,
             sep: bytes) -> Iterator[bytes]:
        if self.name is None:
            yield sep
        if out is not None:
            out.append([self._at, len(batch), sha or hashlib.sha256(batch).hexdigest(), rows_digest])
        yield batch


def csv_chunks(data: SiteData, scheme_id: str, name: str, path: str = "", keys=None, periods: tuple | None = None,
               batch: int | None = None, records=None) -> DatasetFile:
    """``dataset.to_csv(name, every period's rows)``, a batch of rows at a time (``periods``: those
    periods only, e.g. a notice's long table of its period, with ``records()`` its records as its other
    files read them; ``batch``: rows a batch, :data:`BATCH` by default)."""
    return DatasetFile(data, scheme_id, path, keys, name=name, periods=periods, batch=batch, records=records)


def json_chunks(data: SiteData, scheme_id: str, fixed: dict[str, Any], path: str = "", keys=None) -> DatasetFile:
    """The dataset's JSON document — ``fixed`` (scheme, title, periods) and every table's records —
    exactly as :func:`.jsontext.document` writes it, a batch of records at a time."""
    return DatasetFile(data, scheme_id, path, keys, fixed=fixed)


def period_examples(records: Records) -> dict[str, dict[str, Any]]:
    """Each table's first value of each field that is not blank, in one period's records."""
    return {table: table_examples(table, records.table(table)) for table in TABLES}


def table_examples(table: str, rows: Columns) -> dict[str, Any]:
    """The first value of each field of ``table`` that is not blank, in one period's ``rows``."""
    have = {}
    for f in TABLES[table]:
        value = next((v for v in rows.column(f.name) if v is not None and v != ""), None)
        if value is not None:
            have[f.name] = value
    return have


def _examples_of(data: SiteData, period, pk: str | None) -> dict[str, dict[str, Any]]:
    """:func:`period_examples` of the period: remembered by its period key, or made."""
    return _remembered(_LAST.examples, pk, lambda: period_examples(records_of(data, period)), period, "examples")


def examples(data: SiteData, scheme_id: str, keys=None) -> dict[str, dict[str, Any]]:
    """Each table's first value of each field that is not blank, reading periods only until every
    field has one (the data dictionary's examples); a period whose key (``keys()``:
    :func:`period_keys`) the last build recorded is not read again.  Once a table has every field, a
    later period's is not made: a field blank in every period (a reason, a category) no longer makes
    every period's line rows, nine tenths of its records (at 10,000 units, 7 million values a period)."""
    found: dict[str, dict[str, Any]] = {t: {} for t in TABLES}
    pks = keys() if keys is not None and _LAST.recording else None
    for i, period in enumerate(dataset.published_periods(data, scheme_id)):
        wanted = [t for t, fields in TABLES.items() if len(found[t]) < len(fields)]
        if not wanted:
            break
        pk = pks[i] if pks else None
        if len(wanted) == len(TABLES) or pk in _LAST.examples:
            got = _examples_of(data, period, pk)  # (remembered for the key, or made whole and remembered)
        else:
            got = {t: table_examples(t, table_of(data, period, t)) for t in wanted}
        for table, values in got.items():
            have = found[table]
            for name, value in values.items():
                have.setdefault(name, value)
    return found
