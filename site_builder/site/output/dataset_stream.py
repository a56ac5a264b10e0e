"""A scheme's full dataset (``data/<scheme>/``) written a period at a time.

The dataset of a province (10,000 units × 12 periods × 40 lines: about five million
line rows, a JSON file of gigabytes) cannot be held in memory as one document.  Each
file here is made as a stream of byte chunks — the rows of one period, in batches —
computed from one period's records at a time (:func:`.dataset.period_records`), so
memory holds one period, never the scheme.  The bytes are exactly those of the whole
document (:func:`.dataset.to_csv`, :func:`.jsontext.dumps`); ``tests/site/test_dataset_stream.py``
compares them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from site_builder.site.data import SiteData
from site_builder.site.output import dataset, jsontext
from site_builder.site.output.dataset import TABLES, Records
from site_builder.site.output.digest import digest, keyed

BATCH = 2000  # rows per chunk


ROWS_KEPT = 200_000  # rows of records kept per process between the files that read them


class _Kept:
    """Periods' records kept in this process while they fit in :data:`ROWS_KEPT` rows: a scheme's
    five dataset files and a notice's downloads read the same periods' records, which at a county's
    or a city's size are made once; at a province's, those that do not fit are made again when read
    again (memory stays bounded)."""

    def __init__(self) -> None:
        self.items: dict[tuple[int, str], tuple[SiteData, Records, int]] = {}
        self.rows = 0

    def get(self, data: SiteData, period) -> Records:
        key = (id(data), period.path)
        got = self.items.get(key)
        if got is not None and got[0] is data:
            return got[1]
        records = dataset.period_records(data, period)
        n = sum(len(records.table(t)) for t in TABLES)
        # when full, nothing more is kept (rather than the oldest dropped: the files read the periods
        # in order, so dropping the oldest would make every read a miss)
        if self.rows + n <= ROWS_KEPT:
            self.items[key] = (data, records, n)
            self.rows += n
        return records


_KEPT = _Kept()


def records_of(data: SiteData, period) -> Records:
    """:func:`.dataset.period_records`, kept for the next reader while memory allows."""
    return _KEPT.get(data, period)


def forget() -> None:
    """Drop the kept records (at the end of a build)."""
    _KEPT.items.clear()
    _KEPT.rows = 0


def period_records(data: SiteData, scheme_id: str) -> Iterator[Records]:
    """The records of each published period of the scheme, one period at a time."""
    for period in dataset.published_periods(data, scheme_id):
        yield records_of(data, period)


def _batches(rows: tuple) -> Iterator[tuple]:
    for i in range(0, len(rows), BATCH):
        yield rows[i:i + BATCH]


def csv_chunks(data: SiteData, scheme_id: str, name: str) -> Iterator[bytes]:
    """``dataset.to_csv(name, every period's rows)``, a batch of rows at a time."""
    head = dataset.to_csv(name, ())
    yield head
    for records in period_records(data, scheme_id):
        for rows in _batches(records.table(name)):
            chunk = dataset.to_csv(name, rows)
            assert chunk.startswith(head)
            yield chunk[len(head):]


def _record(row: Any) -> str:
    """One record as an item of a list at depth 1 of the document (indent 1, keys sorted)."""
    try:
        return jsontext._value(row, 2)
    except (jsontext._Other, TypeError, ValueError, RecursionError):
        return json.dumps(row, ensure_ascii=False, indent=1, sort_keys=True).replace("\n", "\n  ")


def json_chunks(data: SiteData, scheme_id: str, fixed: dict[str, Any]) -> Iterator[bytes]:
    """The dataset's JSON document — ``fixed`` (scheme, title, periods) and every table's records —
    exactly as :func:`.jsontext.document` writes it, a batch of records at a time."""
    keys = sorted([*fixed, *TABLES])
    for i, key in enumerate(keys):
        yield (("{" if i == 0 else ",") + "\n " + json.encoder.encode_basestring(key) + ": ").encode("utf-8")
        if key not in TABLES:
            yield jsontext.dumps(fixed[key]).replace("\n", "\n ").encode("utf-8")
            continue
        started = False
        for records in period_records(data, scheme_id):
            for rows in _batches(records.table(key)):
                text = ",\n  ".join(_record(r) for r in rows)
                yield (("[\n  " if not started else ",\n  ") + text).encode("utf-8")
                started = True
        yield b"\n ]" if started else b"[]"
    yield b"\n}\n"


def inputs(data: SiteData, scheme_id: str) -> tuple[str, ...] | None:
    """What the dataset's files are made from, for their keys (:mod:`.reuse`): the digest of each
    published period's records, made and dropped one period at a time."""
    return keyed(*(digest(tuple(r.table(n) for n in TABLES), swap=False) for r in period_records(data, scheme_id)))


def examples(data: SiteData, scheme_id: str) -> dict[str, dict[str, Any]]:
    """Each table's first value of each field that is not blank, reading periods only until every
    field has one (the data dictionary's examples)."""
    found: dict[str, dict[str, Any]] = {t: {} for t in TABLES}
    wanted = sum(len(fields) for fields in TABLES.values())
    for records in period_records(data, scheme_id):
        for table, fields in TABLES.items():
            have = found[table]
            for f in fields:
                if f.name in have:
                    continue
                value = next((r[f.name] for r in records.table(table) if r[f.name] not in (None, "")), None)
                if value is not None:
                    have[f.name] = value
        if sum(len(v) for v in found.values()) == wanted:
            break
    return found


