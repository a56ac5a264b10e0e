"""A small XLSX (Office Open XML workbook) writer for the downloads, byte-reproducible.

Only what the downloads need: sheets of rows, inline string cells, number cells,
a bold header row, number formats (``0``, ``0.0``, ``0.00`` …), a frozen header
row or corner, a column width, the document's title and dates.  Everything is
written in a fixed order with fixed zip timestamps, so equal inputs give equal
bytes.

A number cell stores the published figure's own text (``96.29``, ``40.0``,
``-0.5``): never a float's digits (``96.29000000000001``).  Its format shows the
figure's decimals.  Text is always a string cell (``t="inlineStr"``), never a
formula: this writer has no formula cells at all, and a text a spreadsheet could
read as a formula (:func:`formula_like`) is also marked ``quotePrefix`` so that
editing the cell does not turn it into one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import struct
import zlib
from collections.abc import Iterable

from site_builder.site.output.xlsx_sheet import HEAD as _HEAD
from site_builder.site.output.xlsx_sheet import MAIN as _MAIN
from site_builder.site.output.xlsx_sheet import Number, Sheet, _column
from site_builder.site.present.figures import number_format

# the zip container as ``zipfile`` writes these members (a seekable file, no data descriptor): version
# 2.0, made on Unix (the same bytes whichever system builds), mode 644, deflated, dated 1980-01-01 00:00
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION, _UNIX, _DEFLATED, _DOS_TIME, _DOS_DATE, _MODE = 20, 3, 8, 0, (1 << 5) | 1, 0o644 << 16
_ZIP64_LIMIT = (1 << 31) - 1
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# characters XML 1.0 cannot carry (the checks refuse them in sources; never a broken file here)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# number formats Excel knows by id; any other gets an id from 164 on
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2}
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text cell as a formula (or as the start of one)?"""
    if text[:1] in ("\t", "\r"):
        return True
    return text.lstrip()[:1] in _FORMULA_START


def clean(text: str) -> str:
    """``text`` without the characters an XML file cannot hold."""
    return _ILLEGAL.sub("", text)


class Package(bytes):
    """A workbook's bytes as :meth:`Workbook.save` made them, with what a reader of it can see
    (``parts``: the package's small XML parts by name, as written, and ``cells``: the text of
    every cell, each once, the name of every sheet): the privacy scan reads these instead of
    inflating the zip it was just deflated into (:func:`.scan_text.output_text`).  ``sheets``:
    for the next build, each sheet's member as [name, key, start, length, CRC-32, size, SHA-256
    of its deflated bytes] (keyed sheets only, :meth:`Workbook.save`).  ``rest``: a workbook saved
    in pieces, the file's bytes that follow these (whose text ``parts`` and ``cells`` hold too)."""

    parts: tuple[tuple[str, str], ...]
    cells: tuple[str, ...]
    sheets: tuple[list, ...] = ()
    rest: list[bytes] | tuple = ()


class Deflated(tuple):
    """A member's deflated bytes, CRC-32 and size (of its text in UTF-8)."""

    @classmethod
    def of(cls, texts: Iterable[str | bytes]) -> Deflated:
        """``texts`` (text, or already UTF-8) deflated a piece at a time as ``zipfile`` does (one raw
        deflate stream at the default level, flushed once at its end)."""
        c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        out, crc, size = [], 0, 0
        for text in texts:
            data = text.encode("utf-8") if type(text) is str else text
            crc, size = zlib.crc32(data, crc), size + len(data)
            out.append(c.compress(data))
        out.append(c.flush())
        return cls((b"".join(out), crc, size))


def _zip(members: list[tuple[str, Deflated]]) -> tuple[list[bytes], list[int]]:
    """The zip file of ``members`` (name, deflated) in this order, as pieces (each member's header,
    its deflated bytes themselves, not copied, and last the central directory), and where each
    member's data starts."""
    pieces, central, starts, offset = [], bytearray(), [], 0
    for name, (raw, crc, size) in members:
        encoded = name.encode("ascii")
        if max(size, len(raw), offset) > _ZIP64_LIMIT:  # as zipfile refused (no ZIP64 here)
            raise RuntimeError(f"{name}: too large for a zip file without ZIP64")
        head = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, 0, _DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(raw), size,
                           len(encoded), 0) + encoded
        central += _CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, 0, _DEFLATED, _DOS_TIME, _DOS_DATE,
                                 crc, len(raw), size, len(encoded), 0, 0, 0, 0, _MODE, offset)
        central += encoded
        pieces += (head, raw)
        offset += len(head)
        starts.append(offset)
        offset += len(raw)
    central += _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(central), offset, 0)
    pieces.append(bytes(central))
    return pieces, starts


def _esc(text: str) -> str:
    return text.translate(_ESCAPE)


def _s(style: int) -> str:
    return f' s="{style}"' if style else ""


class Workbook:
    """Sheets in the order they are added; :meth:`save` gives the file's bytes."""

    def __init__(self, title: str, stamp: dt.datetime, creator: str = "site-builder"):
        self.title, self.stamp, self.creator = clean(title), stamp, creator
        self.sheets: list[Sheet] = []
        self._styles: dict[tuple[bool, str, bool], int] = {(False, "General", False): 0}
        self._columns: list[str] = []
        self._cells: dict[bool, tuple[dict[str, str], dict[str, str], dict[int, str]]] = {
            False: ({}, {}, {}), True: ({}, {}, {})}
        self._shown: list[str] = []  # the text of every cell made, as a reader sees it (once a cell's XML is made)

    def columns(self, n: int) -> list[str]:
        while len(self._columns) < n:
            self._columns.append(_column(len(self._columns)))
        return self._columns

    def cells(self, bold: bool) -> tuple[dict[str, str], dict[str, str], dict[int, str]]:
        return self._cells[bold]

    def number_tail(self, figure: str, bold: bool) -> str:
        """A number cell's XML after its reference: the figure's own digits, a format showing its decimals."""
        text = str.__str__(figure)
        if not _NUMBER.match(text):
            raise ValueError(f"not a published figure: {text!r}")
        self._shown.append(text)
        return f"{_s(self.style(bold, number_format(text), False))}><v>{text}</v></c>"

    def other_tail(self, v, bold: bool) -> str:
        """The XML after its reference of a cell whose value is not exactly a text, a figure or none."""
        if isinstance(v, Number):
            return self.number_tail(v, bold)
        if isinstance(v, str):
            return self.text_tail(v, bold)
        if isinstance(v, int) and not isinstance(v, bool):
            self._shown.append(f"{v}")
            return f'{_s(self.style(bold, "General", False))}><v>{v}</v></c>'
        raise TypeError(f"not a cell value: {v!r} (yes/no and other values are written as text by the caller)")

    def text_tail(self, value: str, bold: bool) -> str:
        """A string cell's XML after its reference; marked quotePrefix when it looks like a formula."""
        text = clean(value)
        s = self.style(bold, "General", formula_like(text))
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        self._shown.append(text)
        return f'{_s(s)} t="inlineStr"><is><t{space}>{_esc(text)}</t></is></c>'

    def style(self, bold: bool, fmt: str, quote: bool) -> int:
        key = (bold, fmt, quote)
        s = self._styles.get(key)
        if s is None:
            s = self._styles[key] = len(self._styles)
        return s

    def sheet(self, name: str, freeze: str | None = None, widths: dict[int, float] | None = None) -> Sheet:
        ws = Sheet(self, name, freeze, widths)
        self.sheets.append(ws)
        return ws

    def save(self, old=None, keyed: bool = False, check: bool = False, pieces: bool = False) -> Package:
        """The file's bytes, with what the privacy scan reads of them (:class:`Package`).  A sheet is
        deflated as its XML is made, a batch of rows at a time (:meth:`Sheet.chunks`): the same
        bytes as deflating it whole (one deflate stream, flushed once at its end).

        With ``keyed`` (or ``old``) each sheet gets a key, the digest of everything its XML is made
        of (:meth:`Sheet.state`), recorded in :attr:`Package.sheets`; a sheet whose key ``old``
        knows (``old.member(key)``: the deflated member of the last build's file, checked) is taken
        over without its XML being made or deflated.  ``check`` (the tests): a sheet taken over is
        made all the same and must be the same bytes.

        With ``pieces`` the package holds only the file's first bytes, the rest in
        :attr:`Package.rest` as the zip's pieces (each sheet's deflated bytes as made, not copied):
        the file is written a piece at a time, never joined (30 MB a notice of 10,000 units, joined
        and then copied into the package, twice more at once)."""
        n = len(self.sheets)
        parts = [
            ("[Content_Types].xml", self._content_types()),
            ("_rels/.rels", _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
             f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
             f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
             f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
             "</Relationships>"),
            ("docProps/core.xml", self._core()),
            ("docProps/app.xml", _HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
             f'2006/extended-properties"><Application>{_esc(self.creator)}</Application></Properties>'),
            ("xl/workbook.xml", self._workbook()),
            ("xl/_rels/workbook.xml.rels", _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
             + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
             + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
            ("xl/styles.xml", self._styles_xml()),  # every cell's style is known: cells are made when added
        ]
        members = [(name, Deflated.of((text,))) for name, text in parts]
        keys = []
        for i, ws in enumerate(self.sheets, 1):
            name = f"xl/worksheets/sheet{i}.xml"
            key = ws.key(i == 1) if keyed or old is not None else None
            got = old.member(key) if old is not None and key is not None else None
            if got is None:
                got = Deflated.of(ws.chunks(i == 1))
            elif check and Deflated.of(ws.chunks(i == 1)) != got:
                raise AssertionError(f"{name}: an equal key, other bytes (xlsx_sheet.Sheet.state)")
            members.append((name, got))
            keys.append(key)
        out, starts = _zip(members)
        sheets = tuple(
            [name, key, start, len(raw), crc, size, hashlib.sha256(raw).hexdigest()]
            for (name, (raw, crc, size)), start, key in zip(members[len(parts):], starts[len(parts):], keys)
            if key is not None)
        del members
        if pieces:
            package = Package(out[0])
            package.rest = out[1:]
        else:
            whole = b"".join(out)
            del out  # (two copies at most held at once)
            package = Package(whole)
        package.sheets = sheets
        # every part but the sheets as written; of the sheets, each cell's text (a text as it was
        # escaped into the XML, a number's digits) and each sheet's name (a tab a reader sees)
        package.parts = tuple(parts)
        package.cells = (*(ws.name for ws in self.sheets), *dict.fromkeys(self._shown))
        return package

    def _content_types(self) -> str:
        ct = "application/vnd.openxmlformats-officedocument"
        sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{ct}.spreadsheetml.worksheet+xml"/>'
                         for i in range(1, len(self.sheets) + 1))
        return (_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.spreadsheetml.sheet.main+xml"/>'
                f"{sheets}"
                f'<Override PartName="/xl/styles.xml" ContentType="{ct}.spreadsheetml.styles+xml"/>'
                '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                f'<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/>'
                "</Types>")

    def _core(self) -> str:
        when = self.stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        return (_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
                ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f"<dc:title>{_esc(self.title)}</dc:title><dc:creator>{_esc(self.creator)}</dc:creator>"
                f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>')

    def _workbook(self) -> str:
        sheets = "".join(f'<sheet name="{_esc(ws.name)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, ws in enumerate(self.sheets, 1))
        return (_HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/>'
                f"</bookViews><sheets>{sheets}</sheets></workbook>")

    def _styles_xml(self) -> str:
        custom: dict[str, int] = {}
        for _, fmt, _ in self._styles:
            if fmt not in _BUILTIN_FORMATS and fmt not in custom:
                custom[fmt] = 164 + len(custom)
        parts = [_HEAD, f'<styleSheet xmlns="{_MAIN}">']
        if custom:
            parts.append(f'<numFmts count="{len(custom)}">')
            parts.extend(f'<numFmt numFmtId="{i}" formatCode="{_esc(f)}"/>' for f, i in custom.items())
            parts.append("</numFmts>")
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        parts.append(f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
                     '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                     '<fill><patternFill patternType="gray125"/></fill></fills>'
                     '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                     '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                     f'<cellXfs count="{len(self._styles)}">')
        for bold, fmt, quote in self._styles:  # in the order of their indexes
            fid = _BUILTIN_FORMATS.get(fmt, custom.get(fmt))
            attrs = f'numFmtId="{fid}" fontId="{1 if bold else 0}" fillId="0" borderId="0" xfId="0"'
            if fid:
                attrs += ' applyNumberFormat="1"'
            if bold:
                attrs += ' applyFont="1"'
            if quote:
                attrs += ' quotePrefix="1"'
            parts.append(f"<xf {attrs}/>")
        parts.append('</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                     "</styleSheet>")
        return "".join(parts)
