"""The notice's table as files: CSV (UTF-8 with BOM, for Excel), XLSX, JSON.

All three are written from :mod:`.tables`, the same objects as the page, with
every figure as published (:mod:`.figures`): a string in the JSON, the published
decimals in the CSV, a number cell formatted to those decimals in the XLSX.  The
XLSX and the JSON also carry the notice's long tables (:mod:`.dataset`: every
line's points, every ranking, honours, levels and vetoes with unit ids).  The
XLSX is made byte-reproducible: fixed document dates and fixed zip timestamps.

No text cell can become a formula (CSV/formula injection, the OWASP rule): a
text that begins with ``= + - @``, a tab or a carriage return — also after
leading white space, and the full-width ``＝＋－＠`` that spreadsheets fold to
ASCII — is written as inert text: in the CSV with a leading ``'``, in the XLSX
as an explicit string cell marked ``quotePrefix`` (shown as typed, never
evaluated, even after editing).  Numbers are never text, so a negative score
stays a plain ``-0.5`` in the CSV and a number in the XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Iterable
from decimal import Decimal

from site_builder.site.output import xlsx
from site_builder.site.output.xlsx import formula_like
from site_builder.site.present import i18n
from site_builder.site.present.figures import figure
from site_builder.site.present.tables import GroupTable


def lf(data: bytes) -> bytes:
    """A source text file as git stores it: CRLF line endings turned into LF.

    A checkout with ``core.autocrlf=true`` (Git for Windows' default) has CRLF
    in the working tree; sources offered for download and their hashes in the
    manifest use LF so that such a checkout publishes the same bytes.
    """
    return data.replace(b"\r\n", b"\n")


def inert(text: str) -> str:
    """A CSV text cell no spreadsheet evaluates: ``'`` before a formula-like text."""
    return "'" + text if formula_like(text) else text


def _header(columns: list[str], locale: str, coefficient: bool) -> list[str]:
    t = lambda key: i18n.text(key, locale)
    head = [t("col.group"), t("col.rank"), t("col.unit_id"), t("col.unit"), *columns]
    if coefficient:
        head.append(t("col.coefficient"))
    return [*head, t("col.total"), t("col.marks"), t("col.remark")]


def _shows(tables: tuple[GroupTable, ...]) -> str | None:
    """How the notice shows levels (等次): "level" (no rank, points or total), "both", or None."""
    shows = {t.show for t in tables if t.show}
    return "level" if shows == {"level"} else ("both" if shows else None)


def _level_header(columns: list[str], locale: str, coefficient: bool, show: str) -> list[str]:
    """The header with the level and its rewards before the marks; without rank, points and
    total when the result is the level alone."""
    t = lambda key: i18n.text(key, locale)
    if show == "level":
        return [t("col.group"), t("col.unit_id"), t("col.unit"), t("col.level"), t("col.reward"), t("col.marks"), t("col.remark")]
    head = _header(columns, locale, coefficient)
    return [*head[:-2], t("col.level"), t("col.reward"), *head[-2:]]


def _level_row(row: list, show: str, level: str | None, reward: str | None) -> list:
    """A row of :func:`_header` laid out as :func:`_level_header` (group, rank, id, name, …, marks, remark)."""
    if show == "level":
        return [row[0], row[2], row[3], level, reward, row[-2], row[-1]]
    return [*row[:-2], level, reward, *row[-2:]]


def to_csv(tables: tuple[GroupTable, ...], locale: str) -> bytes:
    names: list[str] = []
    for tbl in tables:
        for c in tbl.columns:
            if c.name not in names:
                names.append(c.name)
    coefficient = any(t.has_coefficient for t in tables)
    show = _shows(tables)
    if show is not None:
        return _levels_csv(tables, locale, names, coefficient, show)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([inert(h) for h in _header(names, locale, coefficient)])
    for tbl in tables:
        for r in tbl.rows:
            by_name = {c.name: _text(v, c.places) for c, v in zip(tbl.columns, r.cells, strict=True)}
            cells = [by_name.get(n, "") for n in names]
            rank = "" if r.rank is None else str(r.rank)
            extra = [_coefficient(r.coefficient)] if coefficient else []
            w.writerow(
                [
                    inert(tbl.name),
                    rank,
                    inert(r.unit),
                    inert(r.name),
                    *cells,
                    *extra,
                    _text(r.total, tbl.places),
                    inert("；".join(r.marks)),
                    inert(_tied(r.tied, locale)),
                ]
            )
        for u in tbl.unranked:
            blanks = [""] * (len(names) + (1 if coefficient else 0))
            w.writerow(
                [inert(tbl.name), "", inert(u.unit), inert(u.name), *blanks, "", "", inert(u.reason)]
            )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _levels_csv(tables: tuple[GroupTable, ...], locale: str, names: list[str], coefficient: bool, show: str) -> bytes:
    """The CSV of a notice with levels: as :func:`to_csv`, with the level and its rewards."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([inert(h) for h in _level_header(names, locale, coefficient, show)])
    for tbl in tables:
        for r in tbl.rows:
            by_name = {c.name: _text(v, c.places) for c, v in zip(tbl.columns, r.cells, strict=True)}
            cells = [by_name.get(n, "") for n in names]
            extra = [_coefficient(r.coefficient)] if coefficient else []
            row = [inert(tbl.name), "" if r.rank is None else str(r.rank), inert(r.unit), inert(r.name), *cells, *extra,
                   _text(r.total, tbl.places), inert("；".join(r.marks)), inert(_tied(r.tied, locale))]
            w.writerow(_level_row(row, show, inert(r.level or ""), inert(r.reward or "")))
        for u in tbl.unranked:
            blanks = [""] * (len(names) + (1 if coefficient else 0))
            row = [inert(tbl.name), "", inert(u.unit), inert(u.name), *blanks, "", "", inert(u.reason)]
            w.writerow(_level_row(row, show, "", ""))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# A figure's text by value and places (and kind: 0.5 and Decimal("0.5") are equal keys otherwise):
# the same text whatever the value's own trailing zeros (figure drops them), so a figure repeated on
# many rows, and in the CSV, the XLSX and the JSON of one notice, is made once.
_figure = functools.lru_cache(maxsize=1 << 14, typed=True)(figure)


def _text(v: Decimal | None, places: int | None = None) -> str:
    """A figure as published (:func:`.figures.figure`); blank for none."""
    return _figure(v, places) or ""


def _coefficient(v: Decimal | None) -> str:
    """A unit's coefficient exactly as written in the scheme (1.05, 1.0), as the page shows it."""
    return "" if v is None else format(v, "f")


def _tied(tied: bool, locale: str) -> str:
    return i18n.text("rank.tied", locale) if tied else ""


def to_xlsx(tables: tuple[GroupTable, ...], locale: str, title: str, on: dt.date, records=None,
            old=None, keyed: bool = False, check: bool = False, pieces: bool = False) -> xlsx.Package:
    """The notice's tables, one sheet per group; with ``records`` (:class:`.dataset.Records`), a sheet
    per long table after them (every line's points, every ranking, honours and levels).  ``old``,
    ``keyed``, ``check``: the unchanged sheets of the last build's file taken over, ``pieces``: saved
    in pieces (:meth:`.xlsx.Workbook.save`, :mod:`.xlsx_pieces`)."""
    wb = xlsx.Workbook(title, dt.datetime(on.year, on.month, on.day))
    used: set[str] = set()
    for tbl in tables:
        ws = wb.sheet(_sheet_name(tbl.name, used), freeze="E2", widths={3: 24})
        titles = _header([c.name for c in tbl.columns], locale, tbl.has_coefficient)
        if tbl.show:
            titles = _level_header([c.name for c in tbl.columns], locale, tbl.has_coefficient, tbl.show)
        ws.append(titles, bold=True)
        for r in tbl.rows:
            extra = [_number(_coefficient(r.coefficient))] if tbl.has_coefficient else []
            row = [
                tbl.name,
                r.rank,
                r.unit,
                r.name,
                *(_number(_text(v, c.places)) for c, v in zip(tbl.columns, r.cells, strict=True)),
                *extra,
                _number(_text(r.total, tbl.places)),
                "；".join(r.marks) or None,
                _tied(r.tied, locale) or None,
            ]
            if tbl.show:
                row = _level_row(row, tbl.show, r.level, r.reward or None)
            ws.append(row)
        for u in tbl.unranked:
            blanks = [None] * (len(tbl.columns) + (1 if tbl.has_coefficient else 0))
            row = [tbl.name, None, u.unit, u.name, *blanks, None, None, u.reason]
            if tbl.show:
                row = _level_row(row, tbl.show, None, None)
            ws.append(row)
    if records is not None:
        from site_builder.site.output.dataset import TABLES

        for name, fields in TABLES.items():
            if name == "results":
                continue  # the group sheets above
            ws = wb.sheet(_sheet_name(i18n.text(f"data.sheet.{name}", locale), used), freeze="A2")
            ws.append([f.name for f in fields], bold=True)
            rows = records.table(name)  # columns (:class:`.jsontext.Columns`)
            ws.extend_columns([_cells(rows.column(f.name), f.type == "number") for f in fields])
    return wb.save(old, keyed, check, pieces)


def _number(text: str | None) -> xlsx.Number | None:
    """A published figure as a number cell showing these decimals (40.0 shows as 40.0); blank for none."""
    return xlsx.Number(text) if text else None


class _Figures(dict):
    """Number cells by published figure (a figure repeats on many rows)."""

    def __missing__(self, text):
        cell = self[text] = _number(text)
        return cell


class _Texts(dict):
    """Text cells by value: the text itself (a blank for "")."""

    def __missing__(self, text):
        self[text] = text
        return text


_YES_NO = {True: "true", False: "false", None: None}


def _cells(values: list, number: bool) -> Iterable:
    """One column of a long table as :func:`_number` (a figure) or :func:`_plain` makes each cell."""
    kinds = set(map(type, values))
    if number and kinds <= {str, type(None)}:
        return map(_Figures({None: None}).__getitem__, values)
    if not number and kinds <= {int, type(None)}:
        return values
    if not number and kinds <= {bool, type(None)}:
        return map(_YES_NO.__getitem__, values)
    if not number and kinds <= {str, type(None)}:
        return map(_Texts({None: None, "": None}).__getitem__, values)
    return [_number(v) if number else _plain(v) for v in values]


def _plain(value):
    """A field of a long table as a cell: yes/no as the CSV writes it (never a 1/0 number), "" a blank."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value == "" else value


def _sheet_name(name: str, used: set[str]) -> str:
    name = xlsx.clean(name).strip("'")
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:28] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}{n}", n + 1
    used.add(candidate)
    return candidate
