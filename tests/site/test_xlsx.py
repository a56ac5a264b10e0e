"""The XLSX download as written by site_builder/site/output/xlsx.py: every number cell stores the
published figure's own digits (never a float's 96.29000000000001), the file is the same bytes on
every build, and LibreOffice opens it and shows the figures the CSV publishes."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from site_builder.site.output import downloads, xlsx
from site_builder.site.present.tables import Column, GroupTable, Row

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from sheet_support import need_soffice

NOTICE = "notices/xiaoneng/2017-Q4"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _sheets(raw: bytes) -> list[tuple[str, list[list[tuple[str, str | None, str]]]]]:
    """(sheet name, rows of (kind n|s, style, stored text)) read straight from the XML parts."""
    z = zipfile.ZipFile(io.BytesIO(raw))
    names = [s.get("name") for s in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", NS)]
    out = []
    for i, name in enumerate(names, 1):
        rows = []
        for row in ET.fromstring(z.read(f"xl/worksheets/sheet{i}.xml")).iter(f"{{{NS['m']}}}row"):
            cells = []
            for c in row:
                assert c.find("m:f", NS) is None  # never a formula
                if c.get("t") == "inlineStr":
                    cells.append(("s", c.get("s"), "".join(c.find("m:is", NS).itertext())))
                else:
                    assert c.get("t") in (None, "n"), c.attrib
                    cells.append(("n", c.get("s"), c.find("m:v", NS).text))
            rows.append(cells)
        out.append((name, rows))
    return out


def _formats(raw: bytes) -> dict[str, str]:
    """style index -> number format code."""
    z = zipfile.ZipFile(io.BytesIO(raw))
    styles = ET.fromstring(z.read("xl/styles.xml"))
    codes = {"0": "General", "1": "0", "2": "0.00"}
    for f in styles.iterfind("m:numFmts/m:numFmt", NS):
        codes[f.get("numFmtId")] = f.get("formatCode")
    xfs = styles.find("m:cellXfs", NS)
    return {str(i): codes[xf.get("numFmtId")] for i, xf in enumerate(xfs)}


def _csv(path: Path) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    return [[c[1:] if c.startswith("'") and downloads.formula_like(c[1:]) else c for c in r] for r in rows]


def _group_rows(raw: bytes, csv_rows: list[list[str]]):
    """The group sheets' data rows in order, each beside the CSV row it must equal."""
    data = [r for _, rows in _sheets(raw) for r in rows[1:]]
    return data[: len(csv_rows) - 1], csv_rows[1:]


def test_every_number_cell_stores_the_published_figure_text(built_site):
    raw = (built_site / NOTICE / "xiaoneng-2017-Q4.xlsx").read_bytes()
    published = _csv(built_site / NOTICE / "xiaoneng-2017-Q4.csv")
    formats = _formats(raw)
    sheets, rows = _group_rows(raw, published)
    assert len(sheets) == len(rows) > 3
    numbers = 0
    for cells, expect in zip(sheets, rows, strict=True):
        shown = [text for _, _, text in cells]
        # the blanks of the CSV are cells the sheet leaves out; every other cell is the CSV's text
        assert shown == [c for c in expect if c != ""], (cells, expect)
        for kind, style, text in cells:
            if kind == "n":
                numbers += 1
                assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text), text
                if "." in text or style:  # a figure: its format shows exactly its decimals
                    places = len(text.partition(".")[2])
                    assert formats[style or "0"] == ("0." + "0" * places if places else "0"), (text, style)
    assert numbers > 20
    # and every figure of the long tables (every line's points, every ranking value) as the JSON has it
    z = zipfile.ZipFile(io.BytesIO(raw))
    values = re.findall(r"<v>([^<]*)</v>", "".join(z.read(n).decode() for n in z.namelist() if "worksheets" in n))
    assert values and all(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", v) for v in values)
    assert not [v for v in values if re.search(r"(0000000|9999999)[0-9]$", v)]  # no float's tail digits


def test_a_float_unfriendly_figure_is_stored_as_written():
    """96.29 is 96.29000000000001 as a float: the cell stores 96.29, 40.0 keeps its decimal, -0.5 its sign."""
    row = Row(unit="czj", name="县财政局", rank=1, tied=False, cells=(Decimal("40.0"), Decimal("-0.5")),
              coefficient=None, total=Decimal("96.29"), marks=(), card="units/czj/index.html")
    columns = (Column("yewu", "业务", "score", Decimal(60), places=1),
               Column("koufen", "扣分", "deduction", None, places=1))
    table = GroupTable(id="zonghe", name="组", ranking=None, columns=columns, rows=(row,), unranked=(),
                       honours=(), others=(), has_coefficient=False, max_total=Decimal(100))
    raw = downloads.to_xlsx((table,), "zh-CN", "t", _dt.date(2018, 1, 15))
    (_, rows), = _sheets(raw)
    formats = _formats(raw)
    assert [(text, formats[style or "0"]) for kind, style, text in rows[1] if kind == "n"] == [
        ("1", "General"), ("40.0", "0.0"), ("-0.5", "0.0"), ("96.29", "0.00")]
    z = zipfile.ZipFile(io.BytesIO(raw))
    assert b"96.29000000000001" not in b"".join(z.read(n) for n in z.namelist())


def test_the_writer_refuses_a_figure_that_is_not_a_published_decimal_text():
    ws = xlsx.Workbook("t", _dt.datetime(2018, 1, 15)).sheet("s")
    for bad in ("1e3", "NaN", "96,29", " 1", "1."):
        with pytest.raises(ValueError):
            ws.append([xlsx.Number(bad)])


def test_text_never_becomes_a_formula_and_bad_xml_characters_are_dropped():
    wb = xlsx.Workbook("标题\x01", _dt.datetime(2018, 1, 15))
    ws = wb.sheet("s")
    ws.append(["=1+1", "a\x00b<&>", " 县 ", "-", 7, None, "true"], bold=True)
    ws.append(["＝SUM(A1)", "@x", "普通"])
    raw = wb.save()
    (_, rows), = _sheets(raw)
    assert [t for _, _, t in rows[0]] == ["=1+1", "ab<&>", " 县 ", "-", "7", "true"]
    assert [k for k, _, _ in rows[0]] == ["s", "s", "s", "s", "n", "s"]
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(raw)).active
    quoted = {c.value: c.quotePrefix for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert quoted == {"=1+1": True, "ab<&>": False, " 县 ": False, "-": True, "true": False,
                      "＝SUM(A1)": True, "@x": True, "普通": False}
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert b"<dc:title>\xe6\xa0\x87\xe9\xa2\x98</dc:title>" in zipfile.ZipFile(io.BytesIO(raw)).read("docProps/core.xml")


def test_frozen_header_and_column_width_as_before(built_site):
    from openpyxl import load_workbook

    wb = load_workbook(built_site / NOTICE / "xiaoneng-2017-Q4.xlsx")
    group, last = wb.worksheets[0], wb.worksheets[-1]
    assert group.freeze_panes == "E2" and group.column_dimensions["D"].width == 24
    assert last.freeze_panes == "A2"
    assert wb.properties.creator == "site-builder" and wb.properties.created == _dt.datetime(2018, 1, 15)


def test_same_bytes_on_every_build(built_site, tmp_path):
    """A second build of the same project, in another process with another hash seed, writes the
    same XLSX bytes (as-of date pinned as in every test build: tests/conftest.py)."""
    import os
    import shutil
    import subprocess

    from conftest import FIXTURE

    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    out = tmp_path / "_site"
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = "12345"
    code = ("import sys; sys.path.insert(0, 'tests'); import conftest; from pathlib import Path; "
            "from site_builder.site.build import build_site; build_site(Path(sys.argv[1]), Path(sys.argv[2]), quiet=True)")
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", code, str(root), str(out)], capture_output=True, text=True,
                          cwd=repo, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    files = sorted(p.relative_to(built_site) for p in built_site.rglob("*.xlsx"))
    assert len(files) >= 2
    for rel in files:
        assert (out / rel).read_bytes() == (built_site / rel).read_bytes(), rel


def test_libreoffice_opens_it_and_shows_the_published_figures(built_site, tmp_path):
    src = tmp_path / "notice.xlsx"
    src.write_bytes((built_site / NOTICE / "xiaoneng-2017-Q4.xlsx").read_bytes())
    # UTF-8, every sheet to its own file, cells as shown (40.0 with its decimal)
    import subprocess

    exe = need_soffice()
    proc = subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
                           "--outdir", str(tmp_path / "lo"), str(src)],
                          capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    published = _csv(built_site / NOTICE / "xiaoneng-2017-Q4.csv")
    raw = src.read_bytes()
    shown = []
    for name, rows in _sheets(raw):
        path = tmp_path / "lo" / f"notice-{name}.csv"
        assert path.is_file(), sorted(p.name for p in (tmp_path / "lo").iterdir())
        lo_rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        assert len(lo_rows) == len(rows)
        if lo_rows[0] == published[0]:
            shown.extend(lo_rows[1:])
    assert shown == published[1:]


def _by_rows_and_by_columns(rows: list[list]) -> tuple[bytes, bytes]:
    """The same sheet written a row at a time (:meth:`Sheet.append`) and column by column
    (:meth:`Sheet.extend_columns`), after the same bold header row."""
    out = []
    for by_columns in (False, True):
        wb = xlsx.Workbook("t", _dt.datetime(2018, 1, 15))
        ws = wb.sheet("s", freeze="A2")
        ws.append(["a", "b", "c", "d"], bold=True)
        if by_columns:
            ws.extend_columns([list(col) for col in zip(*rows)])
        else:
            for row in rows:
                ws.append(row)
        out.append(wb.save())
    return out[0], out[1]


def test_a_sheet_written_column_by_column_is_the_same_bytes_as_row_by_row():
    # braces, which the row's pieces are formatted with; a figure and the same text in one column;
    # formula-like, escaped and illegal characters; blanks, a row of blanks, numbers
    rows = [
        ["{0}", xlsx.Number("1"), 7, None],
        ["}{", "1", 8, "a<&>\"b"],
        ["{{r}}", None, 1, "=1+1"],
        [None, None, None, None],
        [" 县 ", xlsx.Number("96.29"), 13812345678, "x\x00y"],
        ["{0}", xlsx.Number("1"), 7, None],
    ]
    by_rows, by_columns = _by_rows_and_by_columns(rows)
    assert by_rows == by_columns
    (_, sheet), = _sheets(by_columns)
    assert [t for _, _, t in sheet[1]] == ["{0}", "1", "7"]
    assert [(k, t) for k, _, t in sheet[2]] == [("s", "}{"), ("s", "1"), ("n", "8"), ("s", 'a<&>"b')]
    assert sheet[4] == []
    assert [k for k, _, _ in sheet[5]] == ["s", "n", "n", "s"]
    assert b'<row r="5"></row>' in zipfile.ZipFile(io.BytesIO(by_columns)).read("xl/worksheets/sheet1.xml")


def test_no_rows_given_column_by_column_leave_the_sheet_as_it_was():
    assert _by_rows_and_by_columns([])[0] == _by_rows_and_by_columns([])[1]
    wb = xlsx.Workbook("t", _dt.datetime(2018, 1, 15))
    ws = wb.sheet("s")
    ws.extend_columns([[], []])
    ws.extend_columns([])
    assert '<dimension' not in ws.xml(True) and "<sheetData></sheetData>" in ws.xml(True)


def test_a_cell_value_of_no_known_kind_is_refused_column_by_column_too():
    ws = xlsx.Workbook("t", _dt.datetime(2018, 1, 15)).sheet("s")
    with pytest.raises(TypeError):
        ws.extend_columns([["a", True]])
    with pytest.raises(ValueError):
        ws.extend_columns([[xlsx.Number("1e3")]])
