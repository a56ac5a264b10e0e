"""A sheet of the XLSX writer (:mod:`.xlsx`): its rows as they are added, its XML made in pieces
when the workbook is saved."""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator
from itertools import chain, repeat
from operator import itemgetter, mul, truth
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from site_builder.site.output.xlsx import Workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Number(str):
    """A figure as published (``"96.29"``): a number cell that stores and shows these digits."""


def _column(n: int) -> str:
    """The letters of the 0-based column ``n``: A … Z, AA …"""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Sheet:
    """A sheet's rows as they are added: a row given whole (:meth:`append`) as its XML, rows given
    column by column (:meth:`extend_columns`) as their columns and each column's cells by value —
    the rows' XML is made only when the workbook is saved, a batch of rows at a time, and deflated
    as it is made (:meth:`chunks`), so a long table's sheet is never held whole as text."""

    def __init__(self, book: Workbook, name: str, freeze: str | None, widths: dict[int, float] | None):
        self.book, self.name, self.freeze, self.widths = book, name, freeze, widths or {}
        self._blocks: list[list[str] | _Block] = []  # in order: runs of appended rows' XML, blocks of columns
        self._count = 0  # rows
        self._width = 0

    def append(self, values, bold: bool = False) -> None:
        """One row: ``None`` a blank, ``int`` a number, :class:`Number` a figure, ``str`` a text."""
        r = self._count + 1
        book = self.book
        at = f'{r}"'
        cells = []
        for col, v in zip(book.columns(len(values)), values):
            if v is not None:
                cells.append(f'<c r="{col}{at}{_tail(book, v, bold)}')
        self._width = max(self._width, len(values))
        if not self._blocks or not isinstance(self._blocks[-1], list):
            self._blocks.append([])
        self._blocks[-1].append(f'<row r="{r}">{"".join(cells)}</row>')
        self._count = r

    def extend_columns(self, columns: list) -> None:
        """Rows given column by column (each an iterable of cells as :meth:`append` takes them, all
        as long): the same XML as appending each row, formed without a Python step per cell.

        Each column's distinct values become once a piece of the row with the row number left
        open (``<c r="B\\0" …``, a NUL no cell's XML holds; ``""`` for a blank) — made in the order
        appending the rows would first meet them (a cell's style and the cells a reader sees are
        numbered in that order) —; the rows themselves are made when the sheet is written
        (:meth:`chunks`).
        """
        if not columns:
            return
        book = self.book
        cols = book.columns(len(columns))
        values = [list(column) for column in columns]
        n = min(map(len, values))
        if not n:
            return
        firsts = []  # (row, column, key) of the first cell of each distinct key of each column
        lookups = []
        for j, column in enumerate(values):
            del column[n:]
            kinds = set(map(type, column)) - {type(None)}
            one_kind = len(kinds) <= 1 and kinds <= {str, int, Number}
            # values of different kinds can compare equal (a Number and the same text): keyed by kind too
            keys = column if one_kind else list(zip(map(type, column), column))
            values[j] = keys
            first = dict(zip(reversed(keys), range(n - 1, -1, -1)))
            firsts.extend(zip(first.values(), repeat(j), first))
            lookups.append(_Pieces(book, '<c r="' + cols[j], one_kind))
        for _, j, key in sorted(firsts, key=itemgetter(0, 1)):
            lookups[j][key]  # made now, in the order the rows meet them
        self._blocks.append(_Block(self._count + 1, n, values, lookups))
        self._count += n
        self._width = max(self._width, len(columns))

    def chunks(self, selected: bool, rows: int = 1000) -> Iterator[str | bytes]:
        """The sheet's XML in pieces of at most ``rows`` rows (the same text whatever their size): text,
        or UTF-8 (rows given by columns, made of cells encoded once, :meth:`_Block.xml`)."""
        parts = [HEAD, f'<worksheet xmlns="{MAIN}">']
        if self._count and self._width:
            parts.append(f'<dimension ref="A1:{_column(self._width - 1)}{self._count}"/>')
        selected_attr = ' tabSelected="1"' if selected else ""
        parts.append(f'<sheetViews><sheetView{selected_attr} workbookViewId="0">')
        parts.append(_pane(self.freeze))
        parts.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        if self.widths:
            parts.append("<cols>")
            for col, width in sorted(self.widths.items()):
                parts.append(f'<col min="{col + 1}" max="{col + 1}" width="{width:g}" customWidth="1"/>')
            parts.append("</cols>")
        parts.append("<sheetData>")
        yield "".join(parts)
        for block in self._blocks:
            if isinstance(block, list):
                for a in range(0, len(block), rows):
                    yield "".join(block[a:a + rows])
            else:
                yield from block.xml(rows)
        yield "</sheetData></worksheet>"

    def xml(self, selected: bool) -> str:
        return text(self.chunks(selected))

    def state(self, selected: bool) -> tuple:
        """Everything :meth:`chunks` reads: the sheet's view and widths, its rows' XML (rows appended)
        and, of rows given by columns, each column's cells' XML by value (with their styles, as made)
        and which of them each row holds (its number in that order, four bytes a row)."""
        blocks = []
        for b in self._blocks:
            if isinstance(b, list):
                blocks.append(tuple(b))
                continue
            columns = []
            for column, pieces in zip(b.columns, b.pieces):
                order = dict(zip(pieces, range(len(pieces))))
                columns.append((tuple(pieces.values()), array("I", map(order.__getitem__, column)).tobytes()))
            blocks.append((b.first, b.count, tuple(columns)))
        return ("xlsx sheet", selected, self.freeze, tuple(sorted(self.widths.items())), self._count, self._width,
                tuple(blocks))

    def key(self, selected: bool) -> str | None:
        """The digest of :meth:`state` (None: none could be made): equal keys, equal XML."""
        from site_builder.site.output.digest import digest

        return digest(self.state(selected), swap=False)


class _Block:
    """Rows given column by column: the first row's number, how many, each column's values (or
    (kind, value) keys) and its cells by them (:class:`_Pieces`)."""

    def __init__(self, first: int, count: int, columns: list[list], pieces: list[_Pieces]) -> None:
        self.first, self.count, self.columns, self.pieces = first, count, columns, pieces

    def xml(self, rows: int) -> Iterator[bytes]:
        """The rows' XML in UTF-8, ``rows`` rows a piece: each cell's piece split at its row number
        (``<c r="B`` and ``"…</c>``; a blank's parts and number empty) and encoded once, every part of
        every row joined at once (no text of the rows to encode: a name in Chinese would make every
        piece of it four bytes a character before encoding)."""
        split = []
        for pieces in self.pieces:
            heads, tails = {}, {}
            for key, piece in pieces.items():
                head, _, tail = piece.partition("\0")
                heads[key], tails[key] = head.encode("utf-8"), tail.encode("utf-8")
            split.append((heads.__getitem__, tails.__getitem__, b"" in heads.values()))
        for a in range(0, self.count, rows):
            b = min(self.count, a + rows)
            numbers = [b"%d" % n for n in range(self.first + a, self.first + b)]
            parts: list[Iterable[bytes]] = [repeat(b'<row r="'), numbers, repeat(b'">')]
            for (head, tail, blanks), column in zip(split, self.columns):
                cells = column[a:b]
                parts.append(map(head, cells))
                # a blank cell shows no row number: the number times False
                parts.append(map(mul, numbers, map(truth, map(head, cells))) if blanks else numbers)
                parts.append(map(tail, cells))
            parts.append(repeat(b"</row>"))
            yield b"".join(chain.from_iterable(zip(*parts)))


def text(chunks: Iterable[str | bytes]) -> str:
    """A sheet's XML (:meth:`Sheet.chunks`) as one text."""
    return "".join(c if type(c) is str else c.decode("utf-8") for c in chunks)


class _Pieces(dict):
    """One column's cells by value (or, in a column of values of more than one kind, by (kind,
    value)): the cell's XML with its row number as a NUL, ``""`` for a blank."""

    def __init__(self, book: Workbook, head: str, one_kind: bool = True) -> None:
        super().__init__()
        self.book, self.head, self.one_kind = book, head, one_kind

    def __missing__(self, key):
        piece = self[key] = self.piece(key if self.one_kind else key[1])
        return piece

    def piece(self, v) -> str:
        if v is None:
            return ""
        tail = _tail(self.book, v)
        if "\0" in tail:  # pragma: no cover - XML cannot hold it: texts are cleaned of it, numbers are digits
            raise ValueError(f"a NUL in a cell: {v!r}")
        return self.head + '\0"' + tail


def _tail(book: Workbook, v, bold: bool = False) -> str:
    """A cell's XML after its reference (``v`` not None; a cell's XML by value is kept: names repeat
    a lot)."""
    texts, numbers, ints = book.cells(bold)
    kind = type(v)
    if kind is str:
        tail = texts.get(v)
        if tail is None:
            tail = texts[v] = book.text_tail(v, bold)
    elif kind is Number:
        tail = numbers.get(v)
        if tail is None:
            tail = numbers[v] = book.number_tail(v, bold)
    elif kind is int:
        tail = ints.get(v)
        if tail is None:
            tail = ints[v] = book.other_tail(v, bold)
    else:
        tail = book.other_tail(v, bold)
    return tail


def _pane(freeze: str | None) -> str:
    """The frozen rows and columns above and left of cell ``freeze`` (``"E2"``, ``"A2"``)."""
    if not freeze:
        return ""
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", freeze)
    assert m, freeze
    letters, row = m.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    x, y = col - 1, int(row) - 1
    if x and y:
        pane = "bottomRight"
        extra = '<selection pane="topRight"/><selection pane="bottomLeft"/>'
    elif y:
        pane, extra = "bottomLeft", ""
    elif x:
        pane, extra = "topRight", ""
    else:
        return ""
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return (f'<pane{split} topLeftCell="{freeze}" activePane="{pane}" state="frozen"/>{extra}'
            f'<selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/>')
