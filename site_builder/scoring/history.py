"""The record of results across periods (历史考核结果), read by ``history`` lines.

:func:`site_builder.pipeline.compute` adds every period to a
:class:`History` as soon as it is ranked, schemes in the order of their
``inputs``; a line scored later reads it: its own scheme's earlier periods
(“连续三个月获得流动红旗的加2分”) or another scheme's periods within the
current one (“学期内获得流动红旗8次以上的评为五星”).  Only periods that are
part of the build are recorded (drafts as ``include_drafts`` says).

Which periods a span holds (:func:`window`): the source's recorded periods
whose *end* falls between the start of the span and the end of the current
period (a week that crosses a month end belongs to the month it ends in).  A
span with no recorded period counts 0 periods; the score card says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from decimal import Decimal

from site_builder import messages
from site_builder.model import Period, Project, SchemeVersion
from site_builder.periods import span_of
from site_builder.scoring.results import PeriodResult

if TYPE_CHECKING:
    from site_builder.scoring.rules.history import LineTest

ZERO = Decimal(0)

messages.register(
    {
        "scheme.input_alias": (
            "“{alias}”不能用作 inputs 的名称 as",
            "请用字母、数字、下划线组成、以字母开头的名称，且不与 line、facts、held、run、first、periods、total、vetoed 等条件中的名称或其他 inputs 的名称重复，如 monthly",
            "“{alias}” cannot be the name (as) of an input",
            "use letters, digits and underscores starting with a letter, not a name of conditions (line, facts, held, run, first, periods, total, vetoed …) nor another input's name, e.g. monthly",
        ),
    }
)

#: Spans a history line can read: the current period, its stage, its calendar
#: year, the whole life of the scheme; ``last N`` is given as an int.
SPANS = ("period", "stage", "year", "all")


@dataclass(frozen=True)
class Recorded:
    """One period of a scheme that is part of the build."""

    id: str
    name: str
    name_en: str
    start: dt.date
    end: dt.date
    version: str = ""  # the scheme version the period was scored under


@dataclass(frozen=True)
class Record:
    """One unit in one period of one scheme, as published."""

    scheme: str
    period: str
    name: str  # e.g. "2024年3月"
    name_en: str
    start: dt.date
    end: dt.date
    unit: str
    total: Decimal | None  # None: exempt, absent, not applicable
    lines: dict[str, Decimal | None]  # indicator id -> points
    ranks: dict[str, int]  # ranking id -> rank in the unit's group
    honours: frozenset[str]  # ids of the honours (kind honour or sanction) it was chosen for
    level: str | None = None  # room for a level as a result (等次), filled by the levels part
    vetoed: bool = False  # under a one-vote veto in that period (one recorded then, or one that lasts)
    maxes: dict[str, Decimal | None] = field(default_factory=dict)  # indicator id -> its max that period


@dataclass
class History:
    """Results per scheme and unit, in period order; filled while periods are computed."""

    #: scheme id -> stage id -> (from, until), for ``span: stage``
    stages: dict[str, dict[str, tuple[dt.date, dt.date]]] = field(default_factory=dict)
    #: scheme id -> honour/ranking id -> name, for explanations
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    #: (scheme id, version) -> title of that version: a period is named by the version in force
    version_titles: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (reading scheme id, version, input scheme id) -> the ``name:`` its ``inputs`` entry declares
    input_names: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: scheme id -> honour ids and ranking ids (any version, in declaration order)
    honour_ids: dict[str, list[str]] = field(default_factory=dict)
    ranking_ids: dict[str, list[str]] = field(default_factory=dict)
    #: scheme id -> indicator id -> name (any version, the latest name wins), for explanations
    line_names: dict[str, dict[str, str]] = field(default_factory=dict)
    #: scheme id -> periods recorded, in order
    periods: dict[str, list[Recorded]] = field(default_factory=dict)
    records: dict[tuple[str, str], dict[str, Record]] = field(default_factory=dict)  # (scheme, unit) -> period -> record

    @classmethod
    def for_project(cls, project: Project) -> History:
        h = cls()
        for sid in sorted(project.schemes):
            for sv in project.schemes[sid].values():  # versions by start date: the latest name wins
                h._declare(sv)
        return h

    @classmethod
    def from_results(cls, project: Project, results: dict[tuple[str, str], PeriodResult]) -> History:
        """The history of a finished run (for pages): every result, in period order."""
        h = cls.for_project(project)
        name_en = {(p.scheme, p.id): p.name_en for p in project.periods}
        for r in sorted(results.values(), key=lambda r: (r.scheme, r.start, r.period)):
            h.add(r, name_en.get((r.scheme, r.period)))
        return h

    def _declare(self, sv: SchemeVersion) -> None:
        st = self.stages.setdefault(sv.id, {})
        for s in sv.scheme.period.stages:
            st[s.id] = (s.start, s.until)
        nm = self.names.setdefault(sv.id, {})
        for x in (*sv.scheme.rankings, *sv.scheme.honours):
            nm[x.id] = x.name
        hids = self.honour_ids.setdefault(sv.id, [])
        hids += [x.id for x in sv.scheme.honours if x.id not in hids]
        rids = self.ranking_ids.setdefault(sv.id, [])
        for rid in [x.id for x in sv.scheme.rankings] or ["period"]:  # none declared: the period total
            if rid not in rids:
                rids.append(rid)
        self.titles[sv.id] = sv.scheme.short_title or sv.scheme.title
        ln = self.line_names.setdefault(sv.id, {})
        for index in sv.indicators.values():
            for iid, node in index.items():
                ln[iid] = node.name
        self.version_titles[(sv.id, sv.version)] = sv.scheme.title
        for inp in sv.scheme.inputs:
            if inp.name:
                self.input_names[(sv.id, sv.version, inp.scheme)] = inp.name

    def add(self, result: PeriodResult, name_en: str | None = None) -> None:
        """Record one ranked period (periods of a scheme are added in order)."""
        self.periods.setdefault(result.scheme, []).append(
            Recorded(result.period, result.period_name, name_en or result.period_name, result.start, result.end,
                     result.version))
        ranks: dict[str, dict[str, int]] = {}
        for gr in result.rankings:
            for e in gr.entries:
                ranks.setdefault(e.unit, {})[gr.ranking] = e.rank
        won: dict[str, set[str]] = {}
        for hr in result.honours:
            for u in hr.chosen:
                won.setdefault(u, set()).add(hr.honour)
        for uid, ur in result.units.items():
            self.records.setdefault((result.scheme, uid), {})[result.period] = Record(
                scheme=result.scheme, period=result.period, name=result.period_name,
                name_en=name_en or result.period_name, start=result.start, end=result.end, unit=uid, total=ur.total,
                lines={line.id: line.points for line in ur.lines}, ranks=ranks.get(uid, {}),
                honours=frozenset(won.get(uid, ())), vetoed=bool(ur.vetoes),
                maxes={line.id: line.max for line in ur.lines},
            )

    def name_of(self, scheme: str, ref: str) -> str:
        return self.names.get(scheme, {}).get(ref, ref)

    def source_title(self, reader: Period, source: str, read: list[Recorded]) -> str:
        """How a score card of ``reader`` names the scheme ``source`` it read: the ``name:`` of the
        reader's ``inputs`` entry, else the title of the version the periods ``read`` were scored
        under (the latest of them), else the title of the version in force at the reader's end."""
        declared = self.input_names.get((reader.scheme, reader.version, source))
        if declared:
            return declared
        for x in reversed(read):
            if (source, x.version) in self.version_titles:
                return self.version_titles[(source, x.version)]
        return self.titles.get(source, source)


def span_start(history: History, period: Period, span: str | int) -> dt.date | None:
    """First day of the span around ``period`` (None: no lower bound)."""
    if span == "period":
        return period.start
    if span == "stage":
        window = history.stages.get(period.scheme, {}).get(period.stage or "")
        return window[0] if window else period.start
    if span == "year":  # the year the reading period ends in (periods.span_of), as for every span
        return dt.date(int(span_of("year", period.end)), 1, 1)
    return None  # "all" and last N


def window(history: History, scheme_id: str, period: Period, span: str | int) -> list[Recorded]:
    """The periods of ``scheme_id`` recorded so far that fall in the span, in order.  For the
    current scheme while its lines are scored these are its earlier periods: the current one
    is added once it is ranked (a level decided after ranking sees it)."""
    first = span_start(history, period, span)
    chosen = sorted(
        (x for x in history.periods.get(scheme_id, []) if x.end <= period.end and (first is None or x.end >= first)),
        key=lambda x: (x.start, x.id),
    )
    if isinstance(span, int):
        chosen = chosen[-span:] if span > 0 else []
    return chosen


@dataclass(frozen=True)
class Past:
    """What a history line may read while one unit's line is scored: the record so far."""

    history: History
    unit: str
    period: Period


@dataclass(frozen=True)
class Reading:
    """What a history line found for one unit: the periods in the span and the value measured."""

    value: Decimal
    periods: tuple[str, ...]  # names of every period in the span
    periods_en: tuple[str, ...]
    hits: tuple[str, ...]  # names of the periods that counted (honour held, ranked first)
    hits_en: tuple[str, ...]


def records_in(history: History, scheme_id: str, unit: str, period: Period, span: str | int) -> list[tuple[Recorded, Record | None]]:
    """Every period of the span with the unit's record in it (None: the unit was not in that scheme)."""
    recs = history.records.get((scheme_id, unit), {})
    return [(x, recs.get(x.id)) for x in window(history, scheme_id, period, span)]


def measure(history: History, scheme_id: str, unit: str, period: Period, span: str | int,
            what: str, ref: str | None = None, test: LineTest | None = None) -> Reading:
    """One measure of the unit's history: ``held``/``run`` of honour ``ref``, ``first`` in
    ranking ``ref``, ``periods`` assessed, ``total_sum``/``total_mean`` of its totals,
    ``vetoed``: periods in which it was under a one-vote veto, ``line_periods``/``line_run``:
    periods in which one line's points passed ``test`` (its own points that period, as published)."""
    rows = records_in(history, scheme_id, unit, period, span)
    names = tuple(x.name for x, _ in rows)
    names_en = tuple(x.name_en for x, _ in rows)

    def hit(rec: Record | None) -> bool:
        if what == "vetoed":  # a veto counts whatever it did to the total
            return rec is not None and rec.vetoed
        if what in ("line_periods", "line_run"):  # the line's points, whatever happened to the total
            return rec is not None and test is not None and test.passes(rec.lines.get(test.id), rec.maxes.get(test.id))
        if rec is None or rec.total is None:
            return False
        if what in ("held", "run"):
            return ref in rec.honours
        if what == "first":
            return rec.ranks.get(ref or "") == 1
        return True  # periods, total_sum, total_mean: every period the unit was assessed

    flags = [hit(rec) for _, rec in rows]
    hits = tuple(x.name for (x, _), f in zip(rows, flags) if f)
    hits_en = tuple(x.name_en for (x, _), f in zip(rows, flags) if f)
    if what in ("run", "line_run"):
        best = cur = 0
        for f in flags:
            cur = cur + 1 if f else 0
            best = max(best, cur)
        value = Decimal(best)
    elif what in ("total_sum", "total_mean"):
        totals = [rec.total for f, (_, rec) in zip(flags, rows) if f and rec is not None and rec.total is not None]
        s = sum(totals, ZERO)
        value = s if what == "total_sum" else (s / len(totals) if totals else ZERO)
    else:
        value = Decimal(sum(flags))
    return Reading(value, names, names_en, hits, hits_en)


def line_count_values(history: History, scheme_id: str, unit: str, period: Period, span: str | int,
                      counts: Iterable[tuple[str, LineTest]]) -> dict[str, Decimal]:
    """The names a scheme declares for its lines' history (``grades.line_counts``): ``<as>`` the periods
    of the span in which the line passed its test, ``<as>.run`` the longest run of such periods."""
    out: dict[str, Decimal] = {}
    for name, test in counts:
        out[name] = measure(history, scheme_id, unit, period, span, "line_periods", test=test).value
        out[f"{name}.run"] = measure(history, scheme_id, unit, period, span, "line_run", test=test).value
    return dict(sorted(out.items()))


def values_for(history: History, scheme_id: str, unit: str, period: Period, span: str | int) -> dict[str, Decimal]:
    """Readable names for a unit's history in a span, for formulas (level conditions and the like).

    ``scheme_id`` is the scheme whose results are read (the current one or an input), ``period`` the
    period being decided, ``span`` one of :data:`SPANS` or an int for the last N periods.  Keys:

    - ``periods``: periods in the span in which the unit was assessed;
    - ``held.<honour>``: periods in which it held the honour (or sanction); ``run.<honour>``: the
      longest run of consecutive periods holding it;
    - ``first``: periods ranked first in the scheme's first ranking; ``first.<ranking>``: in that ranking;
    - ``total_sum``, ``total_mean``: sum and mean of its totals.

    Every honour and ranking the scheme declares (any version) has its keys, 0 when never held.
    The current period of ``scheme_id`` counts once it has been added to the history.
    """
    out: dict[str, Decimal] = {}
    honour_ids = history.honour_ids.get(scheme_id, [])
    ranking_ids = history.ranking_ids.get(scheme_id, [])
    for hid in honour_ids:
        out[f"held.{hid}"] = measure(history, scheme_id, unit, period, span, "held", hid).value
        out[f"run.{hid}"] = measure(history, scheme_id, unit, period, span, "run", hid).value
    for rid in ranking_ids:
        out[f"first.{rid}"] = measure(history, scheme_id, unit, period, span, "first", rid).value
    default = ranking_ids[0] if ranking_ids else "period"
    out["first"] = measure(history, scheme_id, unit, period, span, "first", default).value
    for what in ("periods", "total_sum", "total_mean"):
        out[what] = measure(history, scheme_id, unit, period, span, what).value
    return dict(sorted(out.items()))


#: Names an input's prefix (``as:``) cannot take: they begin the figures of the unit itself.
PREFIX_TAKEN = frozenset({"line", "facts", "held", "run", "first", "periods", "total_sum", "total_mean", "vetoed",
                          "total", "max_total", "bonus", "deduction", "rank", "ratio", "group_size", "disqualified",
                          "max", "and", "or", "not", "true", "false"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def is_prefix_name(text: str) -> bool:
    """A name of the formula language (letters, digits, underscores, a letter first)."""
    return _NAME.fullmatch(text) is not None


def input_prefix(scheme_id: str, alias: str | None) -> str | None:
    """The name that begins an input scheme's history names in conditions (``m.held.flag``):
    its ``as:``, else its id when that is a name of the formula language (no hyphen); None otherwise."""
    if alias is not None:
        return alias
    return scheme_id if _NAME.fullmatch(scheme_id) and scheme_id not in PREFIX_TAKEN else None


def input_values(history: History, inputs: Iterable[tuple[str, str | None]], unit: str, period: Period,
                 span: str | int) -> dict[str, Decimal]:
    """:func:`values_for` of every input scheme (``(scheme id, as)``), each name behind the input's prefix:
    ``m.held.flag``, ``m.vetoed`` (periods of the span in which the unit was under a veto there)."""
    out: dict[str, Decimal] = {}
    for scheme_id, alias in inputs:
        prefix = input_prefix(scheme_id, alias)
        if prefix is not None:
            out.update({f"{prefix}.{k}": v for k, v in values_for(history, scheme_id, unit, period, span).items()})
            out[f"{prefix}.vetoed"] = measure(history, scheme_id, unit, period, span, "vetoed").value
    return dict(sorted(out.items()))


def dependency_order(schemes: Iterable[str], inputs: dict[str, set[str]]) -> list[str]:
    """Scheme ids so that every scheme comes after the schemes it reads (ties by id).

    A cycle is refused by check before the engine runs; here its members simply keep id order."""
    todo = sorted(set(schemes))
    done: list[str] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def visit(sid: str) -> None:
        if sid in placed or sid in visiting:
            return
        visiting.add(sid)
        for dep in sorted(inputs.get(sid, ())):
            if dep in todo:
                visit(dep)
        visiting.discard(sid)
        placed.add(sid)
        done.append(sid)

    for sid in todo:
        visit(sid)
    return done
