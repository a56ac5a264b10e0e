"""The XLSX writer deflates each sheet a batch of rows at a time, as the rows' XML is made
(site_builder/site/output/xlsx.py ``Sheet.chunks``, ``_member``): the file must be the bytes the
one-piece writer made (every part's whole text given to ``ZipFile.writestr``), whatever the cells —
long texts, CJK, characters XML escapes or cannot hold, formula-like texts, empty sheets, many
sheets — and whether the rows were given one by one or column by column; openpyxl reads back the
cells written; and the memory used while saving a long sheet no longer grows with its text."""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import tracemalloc
import zipfile
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.site.output import xlsx
from site_builder.site.output.xlsx_sheet import text

_HOSTILE = "县市局考核得分<>&\"'=+-@＝＋－＠ \t\r\n\x00\x0b\ufffe{}\\0"
texts = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=_HOSTILE, max_size=40),
    st.text(alphabet="县市局<>&=", min_size=2000, max_size=5000),  # a long text
)
figures = st.from_regex(r"-?[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True).map(xlsx.Number)
cells = st.one_of(st.none(), texts, figures, st.integers(-10**12, 10**12))


@st.composite
def blocks(draw):
    """A block of rows of one width: given row by row (with a bold flag) or column by column."""
    width = draw(st.integers(1, 6))
    # a column of one kind (made by value) or of mixed kinds (a figure and the same text)
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=12))
    return draw(st.sampled_from(["rows", "bold", "columns"])), rows


sheets = st.lists(st.tuples(st.text(alphabet="县表ab&<1", min_size=1, max_size=10),
                            st.lists(blocks(), max_size=4)), max_size=5)


def _book(spec, by_rows: bool = False) -> xlsx.Workbook:
    wb = xlsx.Workbook("考核<表>&", _dt.datetime(2025, 3, 31))
    for name, sheet_blocks in spec:
        ws = wb.sheet(name, freeze="E2", widths={3: 24})
        for how, rows in sheet_blocks:
            if how == "columns" and not by_rows:
                ws.extend_columns([list(c) for c in zip(*rows)] if rows else [])
            else:
                for row in rows:
                    ws.append(row, bold=how == "bold")
    return wb


def _one_piece(package: bytes) -> bytes:
    """The package written again as the writer did before it deflated in pieces: every member's
    whole text to ``ZipFile.writestr``, with the same header fields."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for old in src.infolist():
            info = zipfile.ZipInfo(old.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            z.writestr(info, src.read(old))
    return out.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets)
def test_the_sheets_deflated_in_pieces_are_the_bytes_of_the_one_piece_writer(spec):
    wb = _book(spec)
    package = wb.save()
    assert bytes(package) == _one_piece(package)
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        assert all(not (i.flag_bits & 0x08) for i in z.infolist())  # no data descriptor
        for i, ws in enumerate(wb.sheets, 1):
            whole = z.read(f"xl/worksheets/sheet{i}.xml").decode("utf-8")
            # the same text whatever the size of the pieces
            assert text(ws.chunks(i == 1, rows=1)) == text(ws.chunks(i == 1, rows=5)) == whole
    # rows given column by column: the same file (styles and cells numbered in the same order) as
    # every row appended, and the same text for the privacy scan
    again = _book(spec, by_rows=True).save()
    assert bytes(package) == bytes(again)
    assert package.parts == again.parts and package.cells == again.cells
    assert [name for name, _ in package.parts] == [
        "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml", "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels", "xl/styles.xml"]


def _expected(v):
    """A cell as openpyxl reads it back."""
    if v is None:
        return None
    if isinstance(v, xlsx.Number):
        return Decimal(str(v))
    if isinstance(v, int):
        return v
    # XML cannot hold some characters (dropped); a parser reads a carriage return as a line break
    return xlsx.clean(v).replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.lists(blocks(), max_size=3), min_size=1, max_size=3))
def test_openpyxl_reads_back_every_cell(sheet_blocks):
    import openpyxl

    spec = [(f"表{i}", b) for i, b in enumerate(sheet_blocks)]
    package = _book(spec).save()
    book = openpyxl.load_workbook(io.BytesIO(package))
    assert book.sheetnames == [name for name, _ in spec]
    for (_, blocks_), ws in zip(spec, book.worksheets, strict=True):
        rows = [row for _, block in blocks_ for row in block]
        got = [[c.value for c in row] for row in ws.iter_rows()]
        want = [[_expected(v) for v in row] for row in rows]
        width = max((len(r) for r in rows), default=0)
        for r, row in enumerate(want):
            for c in range(width):
                value = got[r][c] if r < len(got) and c < len(got[r]) else None
                value = Decimal(str(value)) if isinstance(value, float) else value
                if isinstance(value, int) and c < len(row) and isinstance(row[c], Decimal):
                    value = Decimal(value)
                assert value == (row[c] if c < len(row) else None), (r, c)


def _long_columns(n: int) -> list[list]:
    """The columns of a long table of ``n`` rows, as the downloads give them."""
    return [
        [f"某某县第{i % 500:03d}考核单位" for i in range(n)],
        [f"u{i % 500:03d}" for i in range(n)],
        [f"L{i % 40:02d}" for i in range(n)],
        [f"指标{i % 40}：按时报送并落实整改" for i in range(n)],
        [xlsx.Number(f"{i % 997}.{i % 10}") for i in range(n)],
        [i % 3 for i in range(n)],
        [None if i % 3 else "扣分" for i in range(n)],
        ["true" if i % 2 else "false" for i in range(n)],
    ]


def _long_book(columns: list[list]) -> xlsx.Workbook:
    wb = xlsx.Workbook("long", _dt.datetime(2025, 1, 1))
    ws = wb.sheet("lines", freeze="A2")
    ws.append(["unit", "unit_id", "line_id", "line", "points", "depth", "note", "leaf"], bold=True)
    ws.extend_columns(columns)
    return wb


def _long_sheet_peak(n: int) -> tuple[int, int]:
    """The peak of memory (bytes traced) while a workbook with a long table of ``n`` rows is made
    (its columns given) and saved, and the file's size."""
    columns = _long_columns(n)
    tracemalloc.start()
    try:
        size = len(_long_book(columns).save())
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_saving_a_long_sheet_does_not_hold_its_text():
    # measured (CPython 3.11): with every row's XML held, then the sheet joined and encoded, 20,000
    # rows peaked at 53 MiB and 80,000 at 208 MiB (about 2.6 KB a row); deflated in pieces 7.7 and
    # 16.8 MiB (the columns' lists, the cells by value, the file itself: about 160 bytes a row)
    small, small_size = _long_sheet_peak(20_000)
    large, large_size = _long_sheet_peak(80_000)
    assert large < 24 * 2**20, large
    per_row = (large - small) / 60_000
    assert per_row < 400, per_row  # the text of a row alone is more than 500 bytes
    assert large_size > 3.5 * small_size  # (the sheet did grow)


def test_a_workbook_saved_in_pieces_is_the_same_file_never_joined(monkeypatch):
    """A notice's XLSX is written a piece at a time (xlsx_pieces.Book): the pieces are the file's
    bytes, the first carries every cell's text to the scan, and each member's deflated bytes are the
    pieces themselves — never joined into the file and the file copied into the package (30 MB each,
    at once, for a notice of 10,000 units)."""
    columns = _long_columns(20_000)
    whole = _long_book(columns).save()
    made = []
    of = xlsx.Deflated.of
    monkeypatch.setattr(xlsx.Deflated, "of", classmethod(lambda cls, texts: made.append(of(texts)) or made[-1]))
    first = _long_book(columns).save(pieces=True)
    assert type(whole.rest) is tuple and not whole.rest
    assert bytes(first) + b"".join(first.rest) == bytes(whole)
    assert first.parts == whole.parts and first.cells == whole.cells and first.sheets == whole.sheets
    # a header and the deflated bytes of each of the 8 members (7 parts, 1 sheet), the central
    # directory: the first header is the package's own bytes, each member's bytes the deflater's own
    assert len(made) == 8 and len(first.rest) == 2 * 8 and len(first) < 100
    assert all(raw is piece for (raw, _, _), piece in zip(made, first.rest[::2], strict=True))
    assert len(made[-1][0]) > 0.9 * len(whole)


def test_a_notice_workbook_is_written_in_pieces_the_first_scanned_for_all(tmp_path, monkeypatch):
    from site_builder.site.output import dataset_stream, stage, xlsx_pieces

    monkeypatch.setattr(dataset_stream, "previous", lambda: None)  # no last build
    columns = _long_columns(2_000)
    book = xlsx_pieces.Book("a/b.xlsx", lambda old, keyed, check: _long_book(columns).save(old, keyed, check,
                                                                                          pieces=True))
    chunks = list(book)
    assert isinstance(chunks[0], xlsx.Package) and "指标7：按时报送并落实整改" in chunks[0].cells
    assert all(type(c) is stage.Scanned for c in chunks[1:]) and len(chunks) == 2 * 8 + 1
    scanned = []
    out = stage.Stage(tmp_path, "zh-CN")
    sha, size = out.write_chunks("b.xlsx", iter(chunks), scanned.append)
    assert scanned == [chunks[0]]  # the rest: its text was in the first
    data = (tmp_path / "b.xlsx").read_bytes()
    assert data == bytes(_long_book(columns).save()) and size == len(data)
    assert sha == hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
