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
import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal

from site_builder.site.output import jsontext, xlsx
from site_builder.site.output.digest import digest
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
            old=None, keyed: bool = False, check: bool = False) -> xlsx.Package:
    """The notice's tables, one sheet per group; with ``records`` (:class:`.dataset.Records`), a sheet
    per long table after them (every line's points, every ranking, honours and levels).  ``old``,
    ``keyed``, ``check``: the unchanged sheets of the last build's file taken over
    (:meth:`.xlsx.Workbook.save`, :mod:`.xlsx_pieces`)."""
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
    return wb.save(old, keyed, check)


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


_LINE_OMITS = frozenset({"scheme_id", "period_id", "unit_id", "unit"})  # a line's fields its row holds


def to_json(tables: tuple[GroupTable, ...], meta: dict, records=None, cut=None, keyed: bool = False) -> Iterator[bytes]:
    """The notice as JSON: every figure a string with its published decimals (``"96.40"``), never a
    float; ranks and counts integers.  With ``records`` (:class:`.dataset.Records`): each row's
    points of every line, every ranking of the period and every honour, level and veto with unit ids.

    The file's bytes a piece at a time (:func:`.jsontext.chunks`): each row (with its lines), ranking
    and outcome is made when it is written, never the whole document at once.  ``keyed``: each group
    is a :class:`.jsontext.Piece` keyed by what its text is made of (:func:`_group_key`), given to
    ``cut`` (:class:`.json_pieces.Doc`: an unchanged group taken from the last build's file)."""
    lines_of: dict = {}
    extra_of: dict[str, dict] = {}
    if records is not None:
        lines_of = _UnitRows(records.lines)
        results = records.results
        for uid, *values in zip(*map(results.column, ("unit_id", "cumulative", "stage_total"))):
            extra_of[uid] = {k: v for k, v in zip(("cumulative", "stage_total"), values) if v is not None}
    doc = jsontext.Parts(meta)
    group = functools.partial(_json_group, lines_of=lines_of, extra_of=extra_of, lines=records is not None)
    if keyed:
        doc["groups"] = jsontext.Items(lambda: (jsontext.Piece(_group_key(t, lines_of, extra_of, records is not None),
                                                               group(t)) for t in tables))
    else:
        doc["groups"] = jsontext.Items(lambda: map(group, tables))
    if records is not None:
        doc["rankings"] = jsontext.Items(lambda: _rankings(records.rankings))
        doc["outcomes"] = jsontext.Items(lambda: ({k: v for k, v in rec.items() if k not in ("scheme_id", "period_id")}
                                                  for rec in records.honours))
    return jsontext.chunks(doc, cut=cut)


def _group_key(t: GroupTable, lines_of, extra_of: dict[str, dict], lines: bool) -> str | None:
    """The digest of everything a group's text in the notice's JSON is made of (:func:`_json_group`):
    its table, and each of its units' lines (their columns) and running totals."""
    units = [r.unit for r in t.rows]
    slices = getattr(lines_of, "slices", None)
    if not lines:
        got: list = []
    elif slices is not None:  # each unit's runs of rows as slices of the columns (no rows made)
        got = [lines_of.table.names, *map(slices, units)]
    else:
        got = [lines_of.get(u, ()) for u in units]
        got = [(c.names, c.columns) if isinstance(c, jsontext.Columns) else c for c in got]
    return digest("notice json group", 1, t, lines, sorted(_LINE_OMITS), got, [extra_of.get(u) for u in units],
                  swap=False)


class _UnitRows:
    """A unit's rows of a long table (:class:`.jsontext.Columns`, a unit's rows one after the other),
    by unit id: a slice of the columns made when asked for (never a dict per row)."""

    def __init__(self, table) -> None:
        self.table = table
        self.caches: dict = {}  # the lines' values encoded, shared by every unit's (:class:`.jsontext.Rows`)
        self.runs: dict[str, list[tuple[int, int]]] = {}
        start = 0
        for uid, run in itertools.groupby(table.column("unit_id")):  # (equal neighbours, counted in C)
            end = start + len(list(run))
            self.runs.setdefault(uid, []).append((start, end))
            start = end

    def slices(self, uid: str) -> tuple:
        """The unit's rows as slices of the table's columns, run after run (what :meth:`get` joins)."""
        runs = self.runs.get(uid)
        if runs is None:
            return ()
        columns = self.table.columns
        return tuple(c[a:b] for a, b in runs for c in columns)

    def get(self, uid: str, default=()):
        runs = self.runs.get(uid)
        if runs is None:
            return default
        (a, b), *more = runs
        out = self.table[a:b]
        for a, b in more:
            out = out + self.table[a:b]
        return out


def _json_group(t: GroupTable, lines_of: dict[str, list], extra_of: dict[str, dict], lines: bool) -> jsontext.Parts:
    """A group of the notice's JSON: its rows (each with its lines) made as they are written."""
    group = jsontext.Parts({
        "id": t.id,
        "name": t.name,
        "ranking": t.ranking,
        "places": t.places,
        "columns": [
            {"id": c.id, "name": c.name, "type": c.type, "max": figure(c.max), "places": c.places}
            for c in t.columns
        ],
        "rows": jsontext.Items(lambda: (_json_row(t, r, lines_of, extra_of, lines) for r in t.rows)),
        "unranked": [
            {"unit": u.unit, "name": u.name, "reason": u.reason} for u in t.unranked
        ],
        "honours": [
            {
                "name": h.name,
                "kind": h.kind,
                "units": [{"unit": i, "name": n} for i, n in zip(h.chosen_ids, h.chosen, strict=True)],
                "excluded": [{"unit": i, "name": n, "reason": why}
                             for i, (n, why) in zip(h.excluded_ids, h.excluded, strict=True)],
                **({"pending": h.pending} if h.pending else {}),  # not decided this period
                **({"places": h.note} if h.note and not h.pending else {}),  # a pool or “about N”
            }
            for h in t.honours
        ],
    })
    if t.show:  # levels as results (等次): the level of each row and every level's units and rewards
        group["show"] = t.show
        group["levels"] = [{"id": x.id, "name": x.name, "reward": x.reward or None,
                            "units": [{"unit": i, "name": n} for i, n in zip(x.unit_ids, x.units, strict=True)]}
                           for x in t.levels]
    return group


def _json_row(t: GroupTable, r, lines_of: dict[str, list], extra_of: dict[str, dict], lines: bool) -> dict:
    """A row of a group of the notice's JSON, with its points of every line (``lines``)."""
    row = {
        "rank": r.rank,
        "tied": r.tied,
        "unit": r.unit,
        "name": r.name,
        "scores": {c.id: _figure(v, c.places) for c, v in zip(t.columns, r.cells, strict=True)},
        "coefficient": (_coefficient(r.coefficient) or None) if t.has_coefficient else None,
        "total": _figure(r.total, t.places),
        "marks": list(r.marks),
        **({"category": r.category} if r.category else {}),  # the place is within this category
        **extra_of.get(r.unit, {}),
    }
    if lines:
        row["lines"] = jsontext.Rows(lines_of.get(r.unit, ()), _LINE_OMITS, getattr(lines_of, "caches", None))
    if t.show:
        row["level"] = r.level
        row["reward"] = r.reward or None
        if t.show == "level":
            row["rank"] = row["total"] = None
            row["tied"] = False
            row["scores"] = {}
    return row


def _rankings(rows) -> list[dict]:
    """Every ranking of the period: its entries (place, figure ranked by) and the units it leaves out."""
    out: dict[tuple, dict] = {}
    for rec in rows:
        key = (rec["ranking_id"], rec["group_id"], rec["category"])
        r = out.setdefault(key, {"id": rec["ranking_id"], "name": rec["ranking"], "basis": rec["basis"],
                                 "group": rec["group_id"], "category": rec["category"], "entries": [], "unranked": []})
        if rec["rank"] is None:
            r["unranked"].append({"unit": rec["unit_id"], "name": rec["unit"], "reason": rec["reason"]})
        else:
            r["entries"].append({"unit": rec["unit_id"], "name": rec["unit"], "rank": rec["rank"],
                                 "tied": rec["tied"], "value": rec["value"]})
    return list(out.values())
