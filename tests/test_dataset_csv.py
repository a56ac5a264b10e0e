"""The long tables' CSV writer: one pass per column, the same bytes as a cell at a time."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.site.output import dataset
from site_builder.site.output.dataset import TABLES, cell


def one_cell_at_a_time(table: str, rows) -> bytes:
    """The writer as it was: every cell through :func:`dataset.cell`."""
    fields = TABLES[table]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([f.name for f in fields])
    for row in rows:
        w.writerow([cell(row[f.name], f.type == "number") for f in fields])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


texts = st.one_of(
    st.sampled_from(["县财政局", "=1+2", " -3", "+86", "@x", "\t1", "－5", "96.40", "-0.5", "", "a,b", 'q"q', "x\ny"]),
    st.text(max_size=6),
)
# every kind of value in every column, so the columns of one kind and the mixed ones are both met
values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), texts)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(TABLES)), st.data())
def test_same_bytes_as_one_cell_at_a_time(table, data):
    names = [f.name for f in TABLES[table]]
    kinds = {n: data.draw(st.sampled_from(["none", "bool", "int", "text", "mixed"])) for n in names}
    pick = {"none": st.none(), "bool": st.one_of(st.none(), st.booleans()), "int": st.one_of(st.none(), st.integers()),
            "text": st.one_of(st.none(), texts), "mixed": values}
    rows = data.draw(st.lists(st.fixed_dictionaries({n: pick[kinds[n]] for n in names}), max_size=6))
    assert dataset.to_csv(table, rows) == one_cell_at_a_time(table, rows)
    assert dataset.to_csv(table, iter(rows)) == one_cell_at_a_time(table, rows)


def test_cells_as_published():
    row = {f.name: None for f in TABLES["rankings"]}
    row.update(scheme_id="=cmd", unit="县财政局", rank=3, tied=True, value="-0.5", reason="-2+3")
    text = dataset.to_csv("rankings", [row]).decode("utf-8-sig").splitlines()[1]
    assert text == "'=cmd,,,,,,,,县财政局,3,true,-0.5,'-2+3"


@settings(max_examples=300, deadline=None)
@given(st.booleans(), st.sampled_from(["none", "bool", "int", "text", "figure", "mixed"]), st.data())
def test_xlsx_columns_as_one_cell_at_a_time(number, kind, data):
    """The long tables' sheets: a column converted at once gives the cells :func:`_number` or
    :func:`_plain` gives one at a time (figures as number cells, yes/no as text, "" a blank)."""
    from site_builder.site.output import downloads

    figures = st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True)
    pick = {"none": st.none(), "bool": st.one_of(st.none(), st.booleans()), "int": st.one_of(st.none(), st.integers()),
            "text": st.one_of(st.none(), texts), "figure": st.one_of(st.none(), st.just(""), figures), "mixed": values}
    column = data.draw(st.lists(pick[kind], max_size=8))
    if number and kind in ("text", "mixed", "bool"):
        column = [v for v in column if not isinstance(v, str) or v == ""]  # a number column holds figures
    one = [downloads._number(v) if number else downloads._plain(v) for v in column]
    got = list(downloads._cells(column, number))
    assert got == one and [type(v) for v in got] == [type(v) for v in one]
