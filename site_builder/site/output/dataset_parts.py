"""What :func:`.dataset.period_records` looks up once and reads many times while it makes a period's
tables: each unit's ranking and entry, units' names on the notice date, a line's published places,
figures by value, a line's values by line object; and a table's columns made a few rows at a time."""

from __future__ import annotations

from operator import itemgetter

from site_builder.site.data import SiteData
from site_builder.site.output.jsontext import Columns
from site_builder.site.present.figures import figure, line_places


class Growing:
    """A table's columns made a few rows at a time (the rows as tuples never all held at once)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.columns: list[list] = [[] for _ in names]

    def add_unit(self, head: tuple, lines: tuple[list, list]) -> None:
        """A unit's line rows: ``head`` (its fields before the line's: scheme, period, unit id and name)
        on every row, then each line's values (:class:`LineTails`: id and name, then the
        parent id, then the rest), put into the columns a column at a time (no tuple per row)."""
        tails, parents = lines
        n = len(tails)
        if not n:
            return
        columns = self.columns
        k = len(head)
        for i, value in enumerate(head):
            columns[i].extend([value] * n)
        parts = list(zip(*tails))
        if k + len(parts) + 1 != len(columns):
            raise ValueError("one value per field")
        columns[k].extend(parts[0])
        columns[k + 1].extend(parts[1])
        columns[k + 2].extend(parents)
        for column, part in zip(columns[k + 3:], parts[2:]):
            column.extend(part)

    def done(self) -> Columns:
        columns = self.columns
        out = []
        while columns:  # each list dropped as soon as its tuple is made
            out.append(tuple(columns.pop(0)))
        return Columns(self.names, tuple(out))


class Placed:
    """Each unit's ranking and entry as :meth:`.SiteData.unit_ranking` and :meth:`.SiteData.rank_entry`
    give them, found once per group (not by searching the period's rankings and entries for every
    unit: that grew with the square of the units)."""

    def __init__(self, data: SiteData, result) -> None:
        self.data, self.result = data, result
        self.groups: dict[str, tuple[dict, dict]] = {}

    def of(self, unit: str, group: str):
        """(the unit's ranking, its entry in it), either None."""
        got = self.groups.get(group)
        if got is None:
            got = self.groups[group] = self._group(group)
        rankings, entries = got
        ranking = rankings.get(unit, rankings.get(None))
        if ranking is None:
            return None, None
        return ranking, entries[id(ranking)].get(unit)

    def _group(self, group: str) -> tuple[dict, dict]:
        """(unit -> its ranking, None -> the group's main ranking; id(ranking) -> unit -> its first entry)."""
        main = self.data.main_ranking(self.result, group)
        slots = [main] if main is not None else self.data.category_rankings(self.result, group)
        rankings: dict = {None: main}
        entries: dict = {}
        for r in slots:
            first: dict = {}
            for e in r.entries:
                first.setdefault(e.unit, e)
                if main is None:
                    rankings.setdefault(e.unit, r)  # the first category ranking that names the unit
            if main is None:
                for uid, _ in r.unranked:
                    rankings.setdefault(uid, r)
            entries[id(r)] = first
        return rankings, entries


class Names(dict):
    """Units' names on one date (:meth:`.SiteData.unit_name`), by unit id."""

    def __init__(self, data: SiteData, on) -> None:
        super().__init__()
        self.data, self.on = data, on

    def __missing__(self, uid: str) -> str:
        name = self[uid] = self.data.unit_name(uid, self.on)
        return name


class LinePlaces(dict):
    """The published places of each line of an indicator tree, by line id (None: not in the tree)."""

    def __init__(self, nodes, rounding) -> None:
        super().__init__()
        self.nodes, self.rounding = nodes, rounding

    def __missing__(self, line_id: str):
        node = self.nodes.get(line_id)
        places = self[line_id] = line_places(node, self.rounding) if node is not None else None
        return places


class Maxima(dict):
    """A line's maximum's figure by value (:func:`.figures.figure`, places as written)."""

    def __missing__(self, value):
        text = self[value] = figure(value)
        return text


class Figures(dict):
    """Published figures (:func:`.figures.figure`) by (value, places): equal values, equal figures."""

    def __missing__(self, key):
        text = self[key] = figure(*key)
        return text


class LineTails:
    """The values of a line's row after the unit's (line_id, line, parent_id, depth, leaf, type, points,
    max, status, counts) for the lines of one indicator tree, each line's once per line object: a
    period's units share their lines when equal (one frozen object for equal facts and rule,
    scoring/engine.py), so most lines' values are looked up (their figures by value) once.  The lines
    seen are kept, so an id here is never another object's."""

    def __init__(self, places: LinePlaces, figures: Figures, maxima: Maxima) -> None:
        self.places, self.figures, self.maxima = places, figures, maxima
        self.seen: dict[int, tuple] = {}  # id(line) -> its values but the parent
        self.kept: list = []  # the lines seen (their ids stay theirs)
        self.order: dict[tuple, list] = {}  # the lines' ids in a unit's order -> their parents' ids

    def _values(self, line) -> tuple:
        self.kept.append(line)
        got = self.seen[id(line)] = (
            line.id,  # line_id
            line.name,  # line
            line.depth,
            line.is_leaf,  # leaf
            line.type,
            self.figures[line.points, self.places[line.id]],  # points
            self.maxima[line.max],  # max
            line.status,
            line.counts,
        )
        return got

    def of(self, lines) -> tuple[list, list]:
        """(each line's values but the parent, each line's parent id) of a unit's lines, in order."""
        tails = list(map(self.seen.get, map(id, lines)))
        if None in tails:
            tails = [t if t is not None else self._values(line) for t, line in zip(tails, lines)]
        # a parent is the last line before it of a lesser depth: the same for every unit whose lines
        # come in the same order (of ids and depths), found once per such order
        order = tuple(map(_ID_DEPTH, tails))
        parents = self.order.get(order)
        if parents is None:
            parents = self.order[order] = []
            stack: list[str] = []
            for line_id, depth in order:
                del stack[depth:]
                parents.append(stack[-1] if stack else None)  # parent_id
                stack.append(line_id)
        return tails, parents


_ID_DEPTH = itemgetter(0, 2)  # (line_id, depth) of a line's values (:class:`LineTails`)
