"""The notice's table as a JSON download (:func:`to_json`): every figure as published, a string; with
the notice's long tables (every line's points, rankings, honours, levels and vetoes with unit ids);
written a piece at a time, each group a :class:`.json_chunks.Piece` keyed by what its text is made of
(:mod:`.json_pieces` takes an unchanged group's bytes from the last build's file)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator

from site_builder.site.output import json_chunks, jsontext
from site_builder.site.output.digest import digest
from site_builder.site.output.downloads import _coefficient, _figure
from site_builder.site.present.figures import figure
from site_builder.site.present.tables import GroupTable

_LINE_OMITS = frozenset({"scheme_id", "period_id", "unit_id", "unit"})  # a line's fields its row holds


def to_json(tables: tuple[GroupTable, ...], meta: dict, records=None, cut=None, keyed: bool = False) -> Iterator[bytes]:
    """The notice as JSON: every figure a string with its published decimals (``"96.40"``), never a
    float; ranks and counts integers.  With ``records`` (:class:`.dataset.Records`): each row's
    points of every line, every ranking of the period and every honour, level and veto with unit ids.

    The file's bytes a piece at a time (:func:`.json_chunks.chunks`): each row (with its lines), ranking
    and outcome is made when it is written, never the whole document at once.  ``keyed``: each group
    is a :class:`.json_chunks.Piece` keyed by what its text is made of (:func:`_group_key`), given to
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
        doc["groups"] = jsontext.Items(lambda: (json_chunks.Piece(_group_key(t, lines_of, extra_of, records is not None),
                                                               group(t)) for t in tables))
    else:
        doc["groups"] = jsontext.Items(lambda: map(group, tables))
    if records is not None:
        doc["rankings"] = jsontext.Items(lambda: _rankings(records.rankings))
        doc["outcomes"] = jsontext.Items(lambda: ({k: v for k, v in rec.items() if k not in ("scheme_id", "period_id")}
                                                  for rec in records.honours))
    return json_chunks.chunks(doc, cut=cut)


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
