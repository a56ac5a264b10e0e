"""A dataset's records kept as columns (site_builder/site/output/jsontext.py ``Columns``) give the
files exactly the bytes the rows as dicts gave, weigh eight bytes a value, and digest alike in
every process.

The writers (``dataset.to_csv``, ``jsontext.records``/``dumps``/``chunks`` with ``Rows``, the XLSX
sheets) read the columns a column at a time; the reference is the same rows as dicts, written
as before.  The values are hostile: texts Excel would run as formulas, quotes, line breaks, NUL,
CJK, none, yes/no, integers, published figures and a Decimal (which no writer may take as a text).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.site.output import dataset, dataset_kept, dataset_stream, json_chunks, jsontext
from site_builder.site.output.dataset import NAMES, TABLES, Records
from site_builder.site.output.digest import digest
from site_builder.site.output.jsontext import Columns

REPO = Path(__file__).resolve().parents[2]

texts = st.one_of(
    st.sampled_from(["县财政局", "=1+2", " -3", "+86", "@x", "\t1", "－5", "96.40", "-0.5", "", "a,b", 'q"q', "x\ny",
                     "\x00", "\u2028", "😀"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
)
figures = st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True)
values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.integers(), texts, figures)


def outcome(make):
    """What ``make()`` gives: its value, or the kind of error it raises."""
    try:
        return ("ok", make())
    except Exception as exc:  # noqa: BLE001 - both forms must fail alike
        return ("error", type(exc))


@st.composite
def tables(draw, decimals: bool = False):
    """(table name, rows as dicts in the table's fields) with values of one kind or mixed per column."""
    table = draw(st.sampled_from(sorted(TABLES)))
    names = NAMES[table]
    pick = {"none": st.none(), "bool": st.one_of(st.none(), st.booleans()), "int": st.one_of(st.none(), st.integers()),
            "text": st.one_of(st.none(), texts), "figure": st.one_of(st.none(), figures), "mixed": values}
    if decimals:
        pick["decimal"] = st.one_of(st.none(), figures.map(Decimal))
    # a number field holds published figures (or, now and then, anything: refused alike both ways)
    number = {f.name for f in TABLES[table] if f.type == "number"}
    kinds = {n: draw(st.sampled_from(["none", "figure", "figure", "mixed"] if n in number else sorted(pick)))
             for n in names}
    rows = draw(st.lists(st.fixed_dictionaries({n: pick[kinds[n]] for n in names}), max_size=9))
    return table, rows


def reference(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(tables(decimals=True), st.integers(0, 3), st.data())
def test_columns_write_the_bytes_the_dicts_wrote(drawn, depth, data):
    table, rows = drawn
    cols = Columns.of_dicts(NAMES[table], rows)
    assert len(cols) == len(rows) and list(cols) == rows and cols == rows
    # CSV
    assert outcome(lambda: dataset.to_csv(table, cols)) == outcome(lambda: dataset.to_csv(table, rows))
    # JSON: the records together, a whole document, a document in chunks, rows without some fields
    assert jsontext.records(cols, depth) == jsontext.records(rows, depth)
    assert outcome(lambda: jsontext.dumps({"t": cols, "n": 1})) == outcome(lambda: reference({"t": rows, "n": 1}))
    omit = frozenset(data.draw(st.sets(st.sampled_from(NAMES[table]), max_size=4)))
    plain = [{k: v for k, v in r.items() if k not in omit} for r in rows]
    lazy = jsontext.Parts(a=1, rows=jsontext.Rows(cols, omit))
    assert outcome(lambda: b"".join(json_chunks.chunks(lazy))) == \
        outcome(lambda: (reference({"a": 1, "rows": plain}) + "\n").encode("utf-8"))
    # a batch (a slice) is the rows of that slice
    a = data.draw(st.integers(0, len(rows)))
    b = data.draw(st.integers(a, len(rows)))
    assert cols[a:b] == rows[a:b] and type(cols[a:b]) is Columns
    assert outcome(lambda: dataset.to_csv(table, cols[a:b])) == outcome(lambda: dataset.to_csv(table, rows[a:b]))


@settings(max_examples=150, deadline=None)
@given(tables())
def test_xlsx_sheets_of_columns_are_those_of_dicts(drawn):
    """The notice's XLSX long-table sheets read the columns; a workbook of the rows as dicts (turned
    into columns by Records) is byte for byte the same."""
    from site_builder.site.output import downloads

    table, rows = drawn
    if table == "results":
        return  # the results are the group sheets, not a long-table sheet
    as_dicts = Records(**{table: tuple(rows)})
    as_columns = Records(**{table: Columns.of_dicts(NAMES[table], rows)})
    on = __import__("datetime").date(2025, 3, 1)
    assert outcome(lambda: downloads.to_xlsx((), "zh", "标题", on, as_columns)) == \
        outcome(lambda: downloads.to_xlsx((), "zh", "标题", on, as_dicts))


def test_a_row_of_other_length_is_refused():
    with pytest.raises(ValueError):
        Columns.of_rows(("a", "b"), [("x", 1), ("y",)])
    with pytest.raises(ValueError):
        Columns.of_rows(("a",), [("x", 1)])
    empty = Columns.of_rows(("a", "b"), [])
    assert len(empty) == 0 and empty.columns == ((), ()) and empty == () and list(empty) == []


def test_a_row_read_by_place_and_rows_taken():
    cols = Columns.of_rows(("a", "b"), [("x", 1), ("y", 2), ("z", None)])
    assert cols[0] == {"a": "x", "b": 1} and cols[-1] == {"a": "z", "b": None}
    with pytest.raises(IndexError):
        cols[3]
    assert cols.take([1, 2]).columns == (("y", "z"), (2, None))
    assert cols.take([2, 0]).columns == (("z", "x"), (None, 1))
    assert (cols[:1] + cols[2:]).columns == (("x", "z"), (1, None))
    assert list(cols.tuples()) == [("x", 1), ("y", 2), ("z", None)]


def _line_rows(n: int) -> list[tuple]:
    """Rows of the lines table as a period makes them: texts and figures shared by many rows."""
    units = [(f"u{i:04d}", f"单位{i}") for i in range(n // 40 + 1)]
    lines = [(f"L{j}", f"指标{j}", f"L{j // 10}" if j % 10 else None, 1 + (j % 10 > 0), j % 10 > 0)
             for j in range(40)]
    points = [f"{k}.{k % 10}0" for k in range(50)]
    return [("s", "2025-01", *units[i // 40], *lines[i % 40][:4], lines[i % 40][4], "deduct",
             points[i % 50], "10", "assessed", True) for i in range(n)]


def test_kept_records_weigh_eight_bytes_a_value():
    """What keeping a period's records costs beyond the texts and figures they share: at most 8.5 bytes
    a value (a pointer in a column, and the columns' headers), where the same rows as dicts took
    over 30 bytes a value (a dict of 14 keys per row, ~464 bytes)."""
    n = 20_000
    rows = _line_rows(n)
    names = NAMES["lines"]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cols = Columns.of_rows(names, rows)
        kept = tracemalloc.get_traced_memory()[0] - before
        before = tracemalloc.get_traced_memory()[0]
        dicts = [dict(zip(names, r)) for r in rows]
        as_dicts = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    cells = n * len(names)
    assert Records(lines=cols).cells() == cells
    assert kept <= 8.5 * cells, kept / cells
    assert as_dicts >= 30 * cells  # (what the compact form saves)
    assert len(dicts) == n


def test_the_budget_keeps_periods_while_their_values_fit(monkeypatch: pytest.MonkeyPatch):
    """Tables are made once while they fit in VALUES_KEPT values, and again when read again beyond;
    a reader of one table makes that table alone."""
    made: list[tuple[str, tuple]] = []
    rows = 100 // len(NAMES["results"])  # results rows a period
    per = rows * len(NAMES["results"])

    class Period:
        def __init__(self, path):
            self.path = path

    def fake(data, period, tables):
        made.append((period.path, tuple(tables)))
        out = {t: Columns.of_rows(NAMES[t], []) for t in tables}
        if "results" in tables:
            out["results"] = Columns.of_rows(NAMES["results"], [(period.path,) * len(NAMES["results"])] * rows)
        return out

    monkeypatch.setattr(dataset, "period_tables", fake)
    monkeypatch.setattr(dataset_kept, "VALUES_KEPT", 2 * per)
    dataset_stream.forget()
    try:
        data = object()
        periods = [Period(p) for p in ("p1", "p2", "p3")]
        for _ in range(3):
            for p in periods:
                got = dataset_stream.records_of(data, p)
                assert got.results.column("scheme_id")[0] == p.path
        everything = tuple(TABLES)
        # p1 and p2 kept, p3's results made at every read (its empty tables kept after the first)
        assert made == [("p1", everything), ("p2", everything), ("p3", everything), ("p3", ("results",)),
                        ("p3", ("results",))]
        assert dataset_kept._KEPT.values == 2 * per
        made.clear()
        assert dataset_stream.table_of(data, periods[2], "results").column("scheme_id")[0] == "p3"
        assert dataset_stream.table_of(data, periods[0], "results").column("scheme_id")[0] == "p1"
        assert made == [("p3", ("results",))]  # one table alone; p1's kept
    finally:
        dataset_stream.forget()


_DIGEST = """
import sys
from site_builder.site.output.jsontext import Columns
from site_builder.site.output.dataset import NAMES, Records
from site_builder.site.output.digest import digest
rows = [tuple(("县" + str(i % 3)) if j % 3 else (None if j % 2 else i % 2 == 0) for j in range(len(NAMES["lines"])))
        for i in range(30)]
print(digest(Records(lines=Columns.of_rows(NAMES["lines"], rows)).digest_parts(), swap=False))
"""


def test_equal_records_give_equal_digests_in_every_process():
    """The records' digest (a dataset file's key, a notice's downloads' key) is the same for equal
    records whether their texts are one object or copies, and in processes with other hash seeds."""
    got = []
    for seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _DIGEST], cwd=REPO, env=env, capture_output=True, text=True,
                             check=True)
        got.append(out.stdout.strip())
    assert len(got[0]) == 64 and got[0] == got[1] == got[2]
    # copies of the texts, not the same objects: the same digest
    cols = Columns.of_rows(("a", "b"), [("县" + "x", 1), ("县" + "x", 1)])
    shared = "县x"
    same = Columns.of_rows(("a", "b"), [(shared, 1), (shared, 1)])
    assert digest(cols.columns, swap=False) == digest(same.columns, swap=False)
    assert digest(cols.columns, swap=False) != digest(cols[:1].columns, swap=False)
