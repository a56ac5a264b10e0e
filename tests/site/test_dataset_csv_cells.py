"""A long table's CSV is the standard library's CSV writer's bytes (excel dialect, CRLF, UTF-8 with
BOM), each line joined from its cells written once per distinct value of a column."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.site.output import dataset
from site_builder.site.output.jsontext import Columns

FIELDS = dataset.TABLES["rankings"]  # texts, integers (rank), yes/no (tied), a figure (value)
NAMES = dataset.NAMES["rankings"]

texts = st.text(st.sampled_from(['a', ',', '"', '\r', '\n', ' ', '=', '+', '-', '@', '＝', '\t', '县', '\0', "'"]),
                max_size=6)
values = st.one_of(st.none(), texts, st.integers(-3, 3), st.booleans())


def reference(rows: list[dict]) -> bytes:
    """What ``dataset.to_csv`` wrote with ``csv.writer`` (each cell as :func:`.dataset.cell` makes it)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(NAMES)
    w.writerows([dataset.cell(r[f.name], f.type == "number") for f in FIELDS] for r in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({n: values for n in NAMES}), max_size=10), st.booleans())
def test_a_table_is_written_as_the_csv_writer_writes_it(rows: list[dict], one_kind: bool) -> None:
    if one_kind:  # every column of one kind (and none): its cells made a distinct value at a time
        rows = [{n: (v if isinstance(v, str) or v is None else str(v)) for n, v in r.items()} for r in rows]
    assert dataset.to_csv("rankings", Columns.of_dicts(NAMES, rows)) == reference(rows)
    assert dataset.to_csv("rankings", rows) == reference(rows)


# a batch whose every column holds one kind of value (and none), the kind drawn per batch: the columns
# whose cells are kept (a column of mixed kinds is written value by value)
one_kind_batch = st.sampled_from([texts, st.integers(-3, 3), st.booleans()]).flatmap(
    lambda kind: st.lists(st.fixed_dictionaries({n: st.one_of(st.none(), kind) for n in NAMES}), max_size=6))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(one_kind_batch, st.lists(st.fixed_dictionaries({n: values for n in NAMES}), max_size=6)),
                max_size=6), st.integers(0, 12))
def test_cells_kept_between_batches_write_each_batch_as_alone(batches: list[list[dict]], limit: int) -> None:
    """Batches written one after another with the cells of distinct values kept between them (a long
    file, ``kept``): each is what the CSV writer writes for it alone — a value kept from an earlier
    batch, of the same field but another kind (``1`` and ``True``, ``"1"``), is never taken for it, and
    when the kept cells pass the bound (here a few) they are dropped and made again."""
    old = dataset.CELLS_KEPT
    dataset.CELLS_KEPT = limit
    dataset._KEPT_CELLS.clear()
    try:
        for rows in batches:
            assert dataset.to_csv("rankings", Columns.of_dicts(NAMES, rows), kept=True) == reference(rows)
            assert sum(map(len, dataset._KEPT_CELLS.values())) <= limit + len(rows) * len(NAMES)
    finally:
        dataset.CELLS_KEPT = old
        dataset._KEPT_CELLS.clear()


def test_cells_exact() -> None:
    row = dict.fromkeys(NAMES)
    rows = [{**row, "unit": 'a,"b"', "rank": 1, "tied": True, "value": "-0.5", "reason": "=1+1"},
            {**row, "unit": "行\n二", "rank": True, "tied": 1, "value": None, "reason": ""}]
    text = dataset.to_csv("rankings", Columns.of_dicts(NAMES, rows)).decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "\ufeff" + ",".join(NAMES)
    assert lines[1] == ',,,,,,,,"a,""b""",1,true,-0.5,\'=1+1'
    assert lines[2:] == [',,,,,,,,"行\n二",true,1,,', ""]
