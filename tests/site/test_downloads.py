"""The notice's downloads carry the same numbers as the page."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from htmlcheck import parse

NOTICE = "notices/xiaoneng/2017-Q4"


def page_totals(built_site) -> dict[str, Decimal]:
    """unit name -> total from the ranking tables of the notice page."""
    totals = {}
    for table in parse(built_site / NOTICE / "index.html").tables:
        head = table[0] if table else []
        if "总分" not in head:
            continue
        col = head.index("总分")
        for row in table[1:]:
            if len(row) == len(head):
                totals[row[1]] = Decimal(row[col])
    assert totals
    return totals


def test_csv_has_bom_and_chinese_intact(built_site):
    raw = (built_site / NOTICE / "xiaoneng-2017-Q4.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["组别", "名次", "单位标识", "单位"]
    names = {r[3] for r in rows[1:]}
    assert {"县财政局", "县发展改革委", "县教育体育局", "县卫生健康委", "县市场监管局"} <= names
    totals = page_totals(built_site)
    col = rows[0].index("总分")
    for r in rows[1:]:
        if r[col]:
            assert Decimal(r[col]) == totals[r[3]]
    exempt = next(r for r in rows if r[3] == "县市场监管局")
    assert "机构改革" in exempt[-1]


def test_xlsx_numbers_match_the_page(built_site):
    from openpyxl import load_workbook

    wb = load_workbook(built_site / NOTICE / "xiaoneng-2017-Q4.xlsx")
    totals = page_totals(built_site)
    seen = {}
    for ws in wb.worksheets:
        head = [c.value for c in ws[1]]
        if "总分" not in head:  # the long tables after the group sheets (test_data_exact.py)
            assert ws.title in ("指标得分", "排名", "表彰与等次"), ws.title
            continue
        col = head.index("总分")
        for row in ws.iter_rows(min_row=2, values_only=True):
            if row[col] is None:
                continue
            assert isinstance(row[col], (int, float)), "totals must be numbers, not text"
            assert isinstance(row[1], int)
            seen[row[3]] = Decimal(str(row[col]))
    assert seen == {k: v for k, v in totals.items()}


def test_json_download(built_site):
    doc = json.loads((built_site / NOTICE / "xiaoneng-2017-Q4.json").read_text("utf-8"))
    assert doc["period"] == "2017-Q4" and doc["corrections"] == 1
    totals = page_totals(built_site)
    rows = [r for g in doc["groups"] for r in g["rows"]]
    assert all(isinstance(r["total"], str) for r in rows), "figures are exact strings, never floats"
    assert {r["name"]: Decimal(r["total"]) for r in rows} == totals
    unranked = [u for g in doc["groups"] for u in g["unranked"]]
    assert [u["unit"] for u in unranked] == ["sjj"]


def test_scheme_yaml_is_the_source_file(built_site):
    from conftest import FIXTURE

    copied = (built_site / "schemes/xiaoneng/v2017/xiaoneng-v2017.yaml").read_bytes()
    assert copied == (FIXTURE / "schemes/xiaoneng/v2017.yaml").read_bytes()


# ------------------------------------------------------------- formula injection
#
# A text cell that a spreadsheet would read as a formula is written inert: in
# the CSV with a leading ', in the XLSX as an explicit string cell with
# quotePrefix.  Numbers stay numbers (a deduction of -0.5 is a number).

import datetime as _dt  # noqa: E402

import pytest  # noqa: E402

from site_builder.site.output import downloads  # noqa: E402
from site_builder.site.present.tables import Column, GroupTable, Row, Unranked  # noqa: E402

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "  =1+1",  # after leading spaces
    "\u3000=1",  # after an ideographic space
    "＝1+1",  # full-width equals sign
    "＋1",
    "－1",
    "＠SUM(A1)",
    "=cmd|' /C calc'!A0",
]
HARMLESS = ["县财政局", "1+1=2", "a-b", "mail@example.cn", "（-）"]


def _table(name: str, unit_name: str, mark: str, reason: str, column: str) -> GroupTable:
    row = Row(
        unit="czj",
        name=unit_name,
        rank=1,
        tied=False,
        cells=(Decimal("-0.5"), Decimal("12.50")),
        coefficient=None,
        total=Decimal("-1.25"),
        marks=(mark,),
        card="units/czj/index.html",
    )
    gone = Unranked("sjj", unit_name, reason, "units/sjj/index.html")
    columns = (
        Column("koufen", column, "deduction", None),
        Column("tuijin", "推进", "score", Decimal("60")),
    )
    return GroupTable(
        id="zonghe",
        name=name,
        ranking=None,
        columns=columns,
        rows=(row,),
        unranked=(gone,),
        honours=(),
        others=(),
        has_coefficient=False,
        max_total=Decimal("100"),
    )


def _csv_rows(tables) -> list[list[str]]:
    raw = downloads.to_csv(tables, "zh-CN")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _xlsx_cells(tables):
    from openpyxl import load_workbook

    raw = downloads.to_xlsx(tables, "zh-CN", "t", _dt.date(2018, 1, 15))
    wb = load_workbook(io.BytesIO(raw))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["group", "unit", "mark", "reason", "column"])
def test_formula_text_is_inert_in_csv(payload, field):
    values = dict(group="组", unit="县财政局", mark="流动红旗", reason="免考", column="扣分")
    values[field] = payload
    tables = (_table(values["group"], values["unit"], values["mark"], values["reason"], values["column"]),)
    rows = _csv_rows(tables)
    cells = [c for r in rows for c in r]
    assert payload not in cells, "the formula text reached a CSV cell as it was"
    assert "'" + payload in cells
    for c in cells:  # no cell at all starts a formula, except numbers
        first = c.lstrip()[:1]
        if (first and first in "=+-@＝＋－＠") or c[:1] in ("\t", "\r"):
            assert c in ("-0.5", "-1.25"), c
    # numbers stay plain numbers
    head = rows[0]
    data = rows[1]
    assert data[head.index("总分")] == "-1.25"
    assert data[4] == "-0.5" and data[5] == "12.5"  # a line kept exact: as the page shows it


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["group", "unit", "mark", "reason", "column"])
def test_formula_text_is_inert_in_xlsx(payload, field):
    values = dict(group="组", unit="县财政局", mark="流动红旗", reason="免考", column="扣分")
    values[field] = payload
    tables = (_table(values["group"], values["unit"], values["mark"], values["reason"], values["column"]),)
    cells = _xlsx_cells(tables)
    assert all(c.data_type != "f" for c in cells)
    # XML normalises a lone CR to LF when the file is read back
    expected = payload.replace("\r", "\n")
    hits = [c for c in cells if c.value == expected]
    assert hits, "the text must be kept as written"
    for c in hits:
        assert c.data_type == "s" and c.quotePrefix
    numbers = [c.value for c in cells if c.data_type == "n" and c.value is not None]
    assert -0.5 in numbers and 12.5 in numbers and -1.25 in numbers and 1 in numbers


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_written_as_is(text):
    tables = (_table(text, text, text, text, text),)
    rows = _csv_rows(tables)
    assert rows[1][0] == text and rows[1][3] == text
    cells = _xlsx_cells(tables)
    same = [c for c in cells if c.value == text]
    assert same and all(c.data_type == "s" and not c.quotePrefix for c in same)


def test_formula_like_rule():
    for t in PAYLOADS:
        assert downloads.formula_like(t), t
    for t in HARMLESS + ["", " ", "0", "A=1"]:
        assert not downloads.formula_like(t), t
    assert downloads.inert("=1") == "'=1" and downloads.inert("县") == "县"


def test_built_downloads_never_carry_a_formula(project, tmp_path):
    """End to end: a unit name, a group name, an honour name and an indicator name."""
    from conftest import edit_yaml
    from openpyxl import load_workbook

    from site_builder.site.build import build_site

    def units(d):
        d["units"][1]["name"] = '=HYPERLINK("http://x","y")'

    def scheme(d):
        d["groups"][0]["name"] = "+1+1"
        d["indicators"][0]["name"] = "-2+3"
        for h in d.get("honours", []):
            if h["name"] == "流动红旗":
                h["name"] = "@SUM(A1)"

    edit_yaml(project / "units.yaml", units)
    edit_yaml(project / "schemes/xiaoneng/v2017.yaml", scheme)
    out = tmp_path / "out"
    build_site(project, out, quiet=True)
    raw = (out / NOTICE / "xiaoneng-2017-Q4.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    cells = [c for r in rows for c in r]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells
    assert "'+1+1" in cells and "'-2+3" in cells
    assert any(c.startswith("'@SUM(A1)") for c in cells)
    for c in cells:
        if c[:1] and c[:1] in "=+-@":
            Decimal(c)  # only numbers may start so
    negatives = [c for c in cells if c.startswith("-")]
    assert negatives, "the deduction of 县教育体育局 is a plain negative number"
    # the long tables of the notice and the scheme's full dataset: the same defence
    long_files = sorted((out / NOTICE).glob("*.csv")) + sorted((out / "data/xiaoneng").glob("*.csv"))
    assert len(long_files) == 1 + 3 + 4  # the table, its three long tables, the dataset's four
    for path in long_files:
        found = [c for row in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")) for c in row]
        assert "'=HYPERLINK(\"http://x\",\"y\")" in found or "lines" not in path.name, path.name
        for c in found:
            if c[:1] and c[:1] in "=+-@":
                Decimal(c)  # only numbers may start so
    lines = (out / NOTICE / "xiaoneng-2017-Q4-lines.csv").read_bytes().decode("utf-8-sig")
    assert ",'-2+3," in lines and ",-2," in lines  # the hostile line name inert, the deduction a number
    wb = load_workbook(out / NOTICE / "xiaoneng-2017-Q4.xlsx")
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (c.coordinate, c.value)
                if isinstance(c.value, str):
                    seen.add(c.value)
                if isinstance(c.value, str) and c.value.lstrip()[:1] in ("=", "+", "-", "@"):
                    assert c.quotePrefix, c.value
    assert '=HYPERLINK("http://x","y")' in seen and "+1+1" in seen and "-2+3" in seen
    assert "=HYPERLINK" in raw.decode("utf-8-sig")  # kept readable, only made inert


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("=+-@＝＋－＠\t\r\n '\"县,;")), st.characters(codec="utf-8")
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(group=_texts, unit=_texts, mark=_texts, reason=_texts, column=_texts)
def test_any_text_is_never_a_formula(group, unit, mark, reason, column):
    """Property: whatever the text, the CSV gives it back (inert) and the XLSX has no formula."""
    tables = (_table(group, unit, mark, reason, column),)
    rows = _csv_rows(tables)
    assert rows[1][0] == downloads.inert(group) and rows[1][3] == downloads.inert(unit)
    assert rows[2][-1] == downloads.inert(reason)
    for c in (c for r in rows for c in r):
        s = c.lstrip()
        if c not in ("-0.5", "-1.25") and ((s and s[0] in "=+-@＝＋－＠") or c[:1] in ("\t", "\r")):
            raise AssertionError(f"formula-like CSV cell {c!r}")
    for c in _xlsx_cells(tables):
        assert c.data_type != "f"
        if isinstance(c.value, str) and c.value.lstrip()[:1] in ("=", "+", "-", "@"):
            assert c.quotePrefix, c.value
