"""The published results as data: four long tables, described field by field.

One notice (and the whole of a scheme, all its published periods) is written as
four tables with fixed columns, so that the same reader loads one period or
all of them:

- ``results``: one row per unit and period (status, total, main place, running
  totals, level);
- ``lines``: one row per unit, period and node of the indicator tree (every
  leaf and subtotal, with its parent, points and maximum);
- ``rankings``: one row per unit in every ranking of the period (period,
  cumulative, stage, composite or line rankings), unranked units with their
  reason;
- ``honours``: one row per unit given an honour, a sanction or a level, left
  out of an honour, or under a veto.

Figures are the published texts of :mod:`.figures` (strings, never floats);
ranks, depths and streaks are integers.  :data:`TABLES` declares every field
(its type, what it is counted in and its places); the data dictionary page,
``datapackage.json`` and the tests read that one declaration.

A period's tables are kept as columns (:class:`.jsontext.Columns`: a tuple of values per
field, eight bytes a value, no dict per row); the writers read them a column at a time and
write the bytes the rows as dicts gave (``tests/site/test_dataset_columns.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from site_builder.model import Period
from site_builder.site.data import SiteData
from site_builder.site.output.dataset_parts import (
    Figures,
    Growing,
    LinePlaces,
    LineTails,
    Maxima,
    Names,
    Placed,
)
from site_builder.site.output.downloads import inert
from site_builder.site.output.jsontext import Columns
from site_builder.site.present.figures import figure
from site_builder.site.present.render import trim

Row = dict[str, Any]  # field name -> str | int | bool | None (figures as str)


@dataclass(frozen=True)
class Field:
    """One column of a long table (one key of its JSON records)."""

    name: str
    type: str  # string | integer | number | boolean | date
    unit: str | None = None  # points | place | None: what the number counts
    places: str | None = None  # scheme | line | exact: how many decimals a figure has


_COMMON = (Field("scheme_id", "string"), Field("period_id", "string"))
_UNIT = (Field("unit_id", "string"), Field("unit", "string"))

TABLES: dict[str, tuple[Field, ...]] = {
    "results": (
        *_COMMON,
        Field("period", "string"),
        Field("scheme_version", "string"),
        Field("notice_status", "string"),
        Field("notice_date", "date"),
        Field("group_id", "string"),
        Field("group", "string"),
        *_UNIT,
        Field("status", "string"),
        Field("reason", "string"),
        Field("total", "number", "points", "scheme"),
        Field("max_total", "number", "points", "exact"),
        Field("coefficient", "number", None, "exact"),
        Field("ranking_id", "string"),
        Field("category", "string"),
        Field("rank", "integer", "place"),
        Field("tied", "boolean"),
        Field("cumulative", "number", "points", "scheme"),
        Field("stage_total", "number", "points", "scheme"),
        Field("level_id", "string"),
        Field("level", "string"),
    ),
    "lines": (
        *_COMMON,
        *_UNIT,
        Field("line_id", "string"),
        Field("line", "string"),
        Field("parent_id", "string"),
        Field("depth", "integer"),
        Field("leaf", "boolean"),
        Field("type", "string"),
        Field("points", "number", "points", "line"),
        Field("max", "number", "points", "exact"),
        Field("status", "string"),
        Field("counts", "boolean"),
    ),
    "rankings": (
        *_COMMON,
        Field("ranking_id", "string"),
        Field("ranking", "string"),
        Field("basis", "string"),
        Field("group_id", "string"),
        Field("category", "string"),
        *_UNIT,
        Field("rank", "integer", "place"),
        Field("tied", "boolean"),
        Field("value", "number", "points", "scheme"),
        Field("reason", "string"),
    ),
    "honours": (
        *_COMMON,
        Field("kind", "string"),
        Field("honour_id", "string"),
        Field("honour", "string"),
        Field("group_id", "string"),
        Field("category", "string"),
        *_UNIT,
        Field("outcome", "string"),
        Field("streak", "integer"),
        Field("reason", "string"),
    ),
}


NAMES: dict[str, tuple[str, ...]] = {t: tuple(f.name for f in fields) for t, fields in TABLES.items()}


@dataclass(frozen=True)
class Records:
    """The four tables of one period, or of many, each as :class:`.jsontext.Columns` (a tuple of
    values per field, in the order of :data:`TABLES`; read as a sequence, a dict per row).  Rows
    given as dicts are kept as columns too."""

    results: Columns = ()  # type: ignore[assignment]  # (columns once made)
    lines: Columns = ()  # type: ignore[assignment]  # (columns once made)
    rankings: Columns = ()  # type: ignore[assignment]  # (columns once made)
    honours: Columns = ()  # type: ignore[assignment]  # (columns once made)

    def __post_init__(self) -> None:
        for name, names in NAMES.items():
            rows = getattr(self, name)
            if type(rows) is not Columns or rows.names != names:
                object.__setattr__(self, name, Columns.of_dicts(names, rows))

    def table(self, name: str) -> Columns:
        return getattr(self, name)

    def __add__(self, other: Records) -> Records:
        return Records(*(self.table(n) + other.table(n) for n in TABLES))

    def digest_parts(self) -> tuple:
        """What a digest of the records is made of: each table's columns (text, integers, yes/no and
        none: equal records, equal pickles in every process, :mod:`.digest`)."""
        return tuple(self.table(n).columns for n in TABLES)

    def cells(self) -> int:
        """How many values the records hold (what they weigh: eight bytes each, :class:`.jsontext.Columns`)."""
        return sum(len(self.table(n)) * len(names) for n, names in NAMES.items())


def period_records(data: SiteData, period: Period) -> Records:
    """The four tables of ``period`` as ``data`` shows it (current, or an earlier version): each row a
    tuple of its values in the order of :data:`TABLES`, each table kept as columns."""
    return Records(**period_tables(data, period, tuple(TABLES)))


def period_tables(data: SiteData, period: Period, tables: Iterable[str]) -> dict[str, Columns]:
    """The tables named ``tables`` of ``period``, as :func:`period_records` makes them, and only those:
    a reader of one table (a long table's CSV) does not make the others (the line rows are nine tenths
    of a period's values)."""
    wanted = frozenset(tables)
    result = data.result(period)
    sv = data.version_of(period)
    scheme = sv.scheme
    places = scheme.rounding.places
    on = data.notice_date(period)
    common = (period.scheme, period.id)
    groups = {g.id: g.name for g in scheme.groups}
    order = {g.id: i for i, g in enumerate(scheme.groups)}
    name = Names(data, on).__getitem__  # a unit's name on the notice date, found once per unit
    period_name, status, notice_date = data.period_name(period), data.status(period), on.isoformat()
    bases = {r.basis: r.id for r in reversed(scheme.rankings)}  # the first ranking of each basis

    def running(basis: str, fallback: Mapping, uid: str):
        if basis not in bases:
            return None
        value = result.running.get(bases[basis], {}).get(uid, fallback.get(uid))
        return figure(trim(value, places), places)

    # levels as the only result (grades.show: level): no totals or places, as the notice publishes none
    level_only = scheme.grades is not None and scheme.grades.show == "level"
    units = sorted(result.units.values(), key=lambda u: (order.get(u.group, len(order)), u.unit))
    results, lines = [], Growing(NAMES["lines"])  # (the lines a unit at a time: no tuple per row kept)
    places_of: dict = {}  # indicator tree -> its lines' rows (:class:`.dataset_parts.LineTails`)
    maxima = Maxima()  # a line's maximum -> its figure (a blank maximum stays None: figure(None) is None)
    placed = Placed(data, result)
    figures = Figures()  # a line's published points by (points, places): figures repeat
    head_of_results = (*common, period_name, period.version, status, notice_date)
    with_results, with_lines = "results" in wanted, "lines" in wanted
    for u in units if with_results or with_lines else ():
        unit_name = name(u.unit)
        if with_lines:
            tree = sv.group_tree[u.group]
            tails = places_of.get(tree)
            if tails is None:
                tails = places_of[tree] = LineTails(LinePlaces(sv.indicators[tree], scheme.rounding), figures, maxima)
            lines.add_unit((*common, u.unit, unit_name), tails.of(u.lines))
        if not with_results:
            continue
        ranking, entry = placed.of(u.unit, u.group)
        if level_only:
            entry = None
        level = result.levels.get(u.unit)
        assessed = u.status == "assessed" and not level_only
        in_ranking = ranking is not None and entry is not None
        results.append((
            *head_of_results,
            u.group,  # group_id
            groups.get(u.group, u.group),  # group
            u.unit,  # unit_id
            unit_name,  # unit
            u.status,
            u.reason,
            None if level_only else figure(u.total, places),  # total
            figure(u.max_total),  # max_total
            # coefficient: as written in the scheme (1.05, 1.0), as the page and the table show it
            format(u.coefficient, "f") if scheme.coefficient is not None and assessed else None,
            ranking.ranking if in_ranking else None,  # ranking_id
            ranking.category_name if in_ranking else None,  # category
            entry.rank if entry is not None else None,  # rank
            entry.tied if entry is not None else None,  # tied
            running("cumulative", result.cumulative, u.unit) if assessed else None,  # cumulative
            running("stage", result.stage_totals, u.unit) if assessed else None,  # stage_total
            level.level if level else None,  # level_id
            level.name if level else None,  # level
        ))
    out = {}
    if with_results:
        out["results"] = Columns.of_rows(NAMES["results"], results)
    if with_lines:
        out["lines"] = lines.done()
    rankings = []
    for r in () if level_only or "rankings" not in wanted else result.rankings:
        # ranking_id, ranking, basis, group_id, category
        head = (*common, r.ranking, r.name, r.basis, r.group, r.category_name)
        for e in sorted(r.entries, key=lambda e: (e.rank, e.unit)):
            # unit_id, unit, rank, tied, value, reason
            rankings.append((*head, e.unit, name(e.unit), e.rank, e.tied, figure(trim(e.value, places), places), None))
        for uid, reason in r.unranked:
            rankings.append((*head, uid, name(uid), None, None, None, reason))
    if "rankings" in wanted:
        out["rankings"] = Columns.of_rows(NAMES["rankings"], rankings)
    if "honours" not in wanted:
        return out
    honours = []
    for h in result.honours:
        # kind, honour_id, honour, group_id, category
        head = (*common, h.kind, h.honour, h.name, h.group, h.category_name)
        for uid in h.chosen:
            # unit_id, unit, outcome, streak, reason
            honours.append((*head, uid, name(uid), "chosen", h.streaks.get(uid) or None, None))
        for uid, reason in h.excluded:
            honours.append((*head, uid, name(uid), "excluded", None, reason))
    for u in units:
        level = result.levels.get(u.unit)
        if level is not None:
            honours.append((*common, "level", level.level, level.name, u.group, None, u.unit, name(u.unit),
                            level.how, None, None))
        for v in u.vetoes:
            honours.append((*common, v.called, v.id, v.name, u.group, None, u.unit, name(u.unit),
                            "carried" if v.since_period else "recorded", None, v.reason))
    out["honours"] = Columns.of_rows(NAMES["honours"], honours)
    return out


_Placed = Placed  # (its name in tests/site/test_dataset_records.py)


def published_periods(data: SiteData, scheme_id: str) -> tuple[Period, ...]:
    """The scheme's periods a full dataset carries: published ones (公示 and 通报), never drafts,
    not even in a preview build."""
    return tuple(p for p in data.periods_of(scheme_id) if data.status(p) != "draft")


def scheme_records(data: SiteData, scheme_id: str) -> Records:
    out = Records()
    for period in published_periods(data, scheme_id):
        out = out + period_records(data, period)
    return out


# ---------------------------------------------------------------- writers


def cell(value: Any, number: bool = False) -> str:
    """A CSV cell: blank for none, true/false, integers and figures as written (a negative figure
    stays a number); every other text made inert (:func:`.downloads.inert`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or number:
        return str(value)
    return inert(value)


_QUOTED = frozenset(',"\r\n')  # a cell holding one of these is quoted (the excel dialect, QUOTE_MINIMAL)


def _quoted(text: str) -> str:
    """``text`` as the CSV writer writes a cell: in quotes, its quotes doubled, when it holds a comma,
    a quote or a line break."""
    return '"' + text.replace('"', '""') + '"' if not _QUOTED.isdisjoint(text) else text


class _Cells(dict):
    """A column's cells as written (:func:`cell`, then :func:`_quoted`) by value, each distinct value
    once (a name, an id or a figure repeats on every row)."""

    def __init__(self, number: bool) -> None:
        super().__init__()
        self.number = number

    def __missing__(self, value: Any) -> str:
        text = self[value] = _quoted(cell(value, self.number))
        return text


_NONE = type(None)
_ONE_KIND = frozenset({str, int, bool})  # values equal only when written alike (not so Decimal("1.0") and "1.00")


# Cells as written by (field, number or not, kind of value), kept between the batches of the files that a
# process writes (a name or a figure repeats in every batch); dropped whole when they hold more cells than
# this (memory stays bounded whatever the texts).
CELLS_KEPT = 100_000
_KEPT_CELLS: dict[tuple, _Cells] = {}


def _column(values: Sequence, field: Field, kept: bool = False) -> Iterable[str]:
    """The cells of one column as written in a line of the CSV.  A column of one kind of value (and
    none) is made a distinct value at a time (with ``kept``, each distinct value once in the process
    while :data:`CELLS_KEPT` allows); any other (where equal values are written apart: ``1`` and
    ``true``) value by value."""
    number = field.type == "number"
    kinds = set(map(type, values)) - {_NONE}
    if len(kinds) <= 1 and kinds <= _ONE_KIND:
        if not kept:
            return map(_Cells(number).__getitem__, values)
        key = (field.name, number, *kinds)
        cells = _KEPT_CELLS.get(key)
        if cells is None:
            cells = _KEPT_CELLS[key] = _Cells(number)
        return map(cells.__getitem__, values)
    return [_quoted(cell(v, number)) for v in values]


def to_csv(table: str, rows: Iterable[Row] | Columns, kept: bool = False) -> bytes:
    """A long table as CSV: UTF-8 with BOM (Excel), CRLF, the field names as the header; rows as
    dicts or as :class:`.jsontext.Columns` (read a column at a time).  The bytes of the standard
    library's CSV writer (excel dialect), each line joined from its cells as written.  ``kept``: the
    cells of distinct values kept for the next call (a batch of a long file, :mod:`.dataset_stream`)."""
    fields = TABLES[table]
    if kept and sum(map(len, _KEPT_CELLS.values())) > CELLS_KEPT:
        _KEPT_CELLS.clear()
    if type(rows) is Columns:
        columns = [rows.column(f.name) for f in fields]
    else:
        rows = rows if isinstance(rows, (list, tuple)) else list(rows)
        columns = [list(map(itemgetter(f.name), rows)) for f in fields]
    head = ",".join(_quoted(f.name) for f in fields)
    lines = map(",".join, zip(*(_column(values, f, kept) for values, f in zip(columns, fields))))
    return "\r\n".join(("\ufeff" + head, *lines, "")).encode("utf-8")
