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
