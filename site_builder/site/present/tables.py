"""The ranking table of a notice, per group: one model for the page and every download.

The HTML table, the CSV, the XLSX and the JSON are all written from the
:class:`GroupTable` objects built here, so the numbers cannot disagree.  A
unit of the period that is neither ranked nor listed with a reason fails the
build: a unit silently missing from a ranking is the worst kind of error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from site_builder import messages
from site_builder.model import Period
from site_builder.scoring.results import GroupRanking, HonourResult, PeriodResult, UnitResult
from site_builder.site.present.figures import line_places
from site_builder.site.present.render import trim
from site_builder.site.present import i18n
from site_builder.site.data import SiteData
from site_builder.site.failures import fail

messages.register(
    {
        "site.unit_not_ranked": (
            "{period}：单位“{unit}”已考核，但不在“{group}”的排名中",
            "这是计算程序的问题，请报告；为避免漏列单位，本次不生成网站",
            "{period}: unit “{unit}” was assessed but is missing from the ranking of “{group}”",
            "this is a bug in the engine, please report it; the site is not built so that no unit goes missing",
        ),
    }
)


@dataclass(frozen=True)
class Column:
    id: str
    name: str
    type: str  # score | bonus | deduction
    max: Decimal | None
    places: int | None = None  # the line's published places (None: kept exact, trailing zeros dropped)


@dataclass(frozen=True)
class Row:
    unit: str
    name: str
    rank: int | None
    tied: bool
    cells: tuple[Decimal | None, ...]  # one per column; None = not applicable
    coefficient: Decimal | None
    total: Decimal | None
    marks: tuple[str, ...]  # honours, sanctions, veto — in words
    card: str  # score card path
    level: str | None = None  # the level's name (schemes with grades:)
    reward: str | None = None  # the level's rewards in words
    category: str | None = None  # the place is within this sub-category (a group ranked only within categories)


@dataclass(frozen=True)
class Unranked:
    unit: str
    name: str
    reason: str
    card: str


@dataclass(frozen=True)
class HonourLine:
    name: str
    kind: str
    chosen: tuple[str, ...]  # unit names
    excluded: tuple[tuple[str, str], ...]  # (unit name, reason)
    pending: str | None = None  # not decided this period: when it will be
    note: str | None = None  # how the places were set: a shared pool, “about N” as decided
    chosen_ids: tuple[str, ...] = ()  # the ids of ``chosen``, in the same order (downloads)
    excluded_ids: tuple[str, ...] = ()  # the ids of ``excluded``, in the same order
    places: str | None = None  # how the places were computed: “名额按本组单位数的30%确定：…取2名”
    streaks: tuple[str | None, ...] = ()  # beside each of ``chosen``: “连续3周获得” (streak: true), else None


@dataclass(frozen=True)
class OtherRanking:
    name: str
    basis: str
    entries: tuple[tuple[int, bool, str, Decimal, str], ...]  # rank, tied, name, value, card
    heading: str | None = None  # the value column's heading (a running total: what it sums)
    note: str | None = None  # the basis in a sentence (“按2024年第一季度至…各期总分之和排名”)


@dataclass(frozen=True)
class GroupTable:
    id: str
    name: str
    ranking: str | None  # name of the ranking shown
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    unranked: tuple[Unranked, ...]
    honours: tuple[HonourLine, ...]
    others: tuple[OtherRanking, ...]
    has_coefficient: bool
    max_total: Decimal  # the group's tree total (满分)
    show: str | None = None  # None: points only; "level" or "both" (the scheme's grades.show)
    levels: tuple[LevelLine, ...] = ()  # every level with the units given it and its rewards
    places: int = 2  # the scheme's rounding places: totals are published with these
    order_note: str | None = None  # places from a running total: what they rank by, where its figures are


@dataclass(frozen=True)
class LevelLine:
    """One level on the notice: the units given it and what it is rewarded with."""

    id: str
    name: str
    units: tuple[str, ...]  # unit names
    reward: str  # the rewards in words ("" without)
    unit_ids: tuple[str, ...] = ()  # the ids of ``units``, in the same order (downloads)


def notice_tables(data: SiteData, period: Period) -> tuple[GroupTable, ...]:
    result = data.result(period)
    sv = data.version_of(period)
    on = data.notice_date(period)
    tables = []
    for group in sv.scheme.groups:
        members = sorted(u for u, r in result.units.items() if r.group == group.id)
        if not members:
            continue
        tree = sv.trees[sv.group_tree[group.id]]
        columns = tuple(Column(n.id, n.name, _type(n.type), n.max, line_places(n, sv.scheme.rounding))
                        for n in tree.indicators)
        ranking = data.main_ranking(result, group.id)
        by_category = data.category_rankings(result, group.id) if ranking is None else []
        if by_category:  # ranked only within sub-categories: each unit with its place in its category
            rows, listed, unranked = _category_rows(data, period, result, by_category, members, columns, on, group.name)
        else:
            rows, listed = _rows(data, period, result, ranking, members, columns, on)
            unranked = _unranked(data, period, result, ranking, members, listed, group.name, on)
        tables.append(
            GroupTable(
                id=group.id,
                name=group.name,
                ranking=ranking.name if ranking else (by_category[0].name if by_category else None),
                columns=columns,
                rows=rows,
                unranked=unranked,
                honours=_honours(data, result, group.id, on, sv.scheme.period.kind),
                others=_others(data, period, result, group.id, ranking, on, by_category),
                has_coefficient=sv.scheme.coefficient is not None,
                max_total=tree.total,
                places=sv.scheme.rounding.places,
                order_note=_order_note(data, period, ranking),
            )
        )
    if sv.scheme.grades is not None:  # levels as results (等次)
        from site_builder.site.present.level_views import with_levels

        tables = [with_levels(data, period, t) for t in tables]
    return tuple(tables)


def _type(t: str | None) -> str:
    return t or "score"


def _marks(data: SiteData, result: PeriodResult, u: UnitResult) -> tuple[str, ...]:
    marks = [name for name, _kind, _streak in data.honours_of(result, u.unit)]
    marks += [i18n.text("mark.veto" if v.called == "veto" else f"mark.veto_{v.called}", data.locale, name=v.name)
              for v in u.vetoes]
    return tuple(marks)


def _row(
    data: SiteData, period: Period, result: PeriodResult, u: UnitResult, columns, rank, tied, on
) -> Row:
    lines = {line.id: line for line in u.lines}
    cells = tuple(lines[c.id].points if c.id in lines else None for c in columns)
    return Row(
        unit=u.unit,
        name=data.unit_name(u.unit, on),
        rank=rank,
        tied=tied,
        cells=cells,
        coefficient=u.coefficient,
        total=u.total,
        marks=_marks(data, result, u),
        card=data.card_target(u.unit, period),
    )


def _rows(data, period, result, ranking: GroupRanking | None, members, columns, on):
    rows, listed = [], set()
    if ranking is not None:
        for e in sorted(ranking.entries, key=lambda e: (e.rank, e.unit)):
            rows.append(
                _row(data, period, result, result.units[e.unit], columns, e.rank, e.tied, on)
            )
            listed.add(e.unit)
    else:  # no ranking declared: assessed units by total, without places
        assessed = [result.units[m] for m in members if result.units[m].status == "assessed"]
        for u in sorted(assessed, key=lambda u: (-(u.total or 0), u.unit)):
            rows.append(_row(data, period, result, u, columns, None, False, on))
            listed.add(u.unit)
    return tuple(rows), listed


def _category_rows(data, period, result, slots: list[GroupRanking], members, columns, on, group_name):
    """The rows of a group ranked only within categories: category by category, each by its place there."""
    rows, listed, reasons = [], set(), {}
    for slot in slots:
        for e in sorted(slot.entries, key=lambda e: (e.rank, e.unit)):
            row = _row(data, period, result, result.units[e.unit], columns, e.rank, e.tied, on)
            rows.append(replace(row, category=slot.category_name))
            listed.add(e.unit)
        reasons.update(slot.unranked)
    merged = GroupRanking(slots[0].ranking, slots[0].name, slots[0].basis, slots[0].group, (), tuple(reasons.items()))
    return tuple(rows), listed, _unranked(data, period, result, merged, members, listed, group_name, on)


def _unranked(
    data, period, result, ranking, members, listed, group_name, on
) -> tuple[Unranked, ...]:
    reasons = dict(ranking.unranked) if ranking is not None else {}
    out = []
    for m in members:
        if m in listed:
            continue
        u = result.units[m]
        if m not in reasons and u.status == "assessed":
            fail("site.unit_not_ranked", data.locale, period=period.path, unit=m, group=group_name)
        reason = reasons.get(m) or _status_reason(data, u)
        card = data.card_target(m, period)
        out.append(Unranked(m, data.unit_name(m, on), reason, card))
    return tuple(out)


def _status_reason(data: SiteData, u: UnitResult) -> str:
    label = i18n.text(f"status.{u.status}", data.locale)
    return f"{label}{i18n.text('p.colon', data.locale)}{u.reason}" if u.reason else label


def _honours(data: SiteData, result: PeriodResult, group: str, on, kind: str) -> tuple[HonourLine, ...]:
    out = []
    loc = data.locale
    for h in result.honours:
        if h.group != group:
            continue
        out.append(
            HonourLine(
                name=_in_category(data, h.name, h.category_name),
                kind=h.kind,
                chosen=tuple(data.unit_name(u, on) for u in h.chosen),
                excluded=tuple((data.unit_name(u, on), reason) for u, reason in h.excluded),
                pending=h.pending,
                note=h.note,
                chosen_ids=tuple(h.chosen),
                excluded_ids=tuple(u for u, _reason in h.excluded),
                places=None if h.pending else places_text(h, loc),
                streaks=tuple(streak_text(h.streaks.get(u, 0), kind, loc) for u in h.chosen),
            )
        )
    return tuple(out)


def places_text(h: HonourResult, locale: str) -> str | None:
    """How the engine computed an honour's places, in a sentence: the share's arithmetic
    (“名额按本组单位数的30%确定：本组共7个单位，7 × 30% = 2.1，向下取整，取2名”) or the quota
    per category; None when the places are a plain number (top/bottom N) or told in ``note``."""
    if h.share is not None:
        b = h.share
        exact = b.product == b.places
        tie = (i18n.text("notice.places_tie_included", locale, m=len(h.chosen))
               if len(h.chosen) > b.places else "")  # ties: include may exceed the share
        return i18n.text(
            "notice.places_share" if exact else "notice.places_share_rounded",
            locale,
            scope=i18n.text(f"notice.places_scope.{'category' if h.category else 'group'}", locale),
            pct=_plain(b.share * 100),
            n=b.counted,
            product=_plain(b.product),
            rounding=i18n.text(f"notice.places_rounding.{b.rounding}", locale),
            k=b.places,
        ) + tie
    if h.quota:
        sep = i18n.text("notice.places_quota_sep", locale)
        items = sep.join(i18n.text("notice.places_quota_item", locale, category=c, n=n) for c, n in h.quota)
        return i18n.text("notice.places_quota", locale, items=items)
    return None


def streak_text(n: int, kind: str, locale: str) -> str | None:
    """“连续3周获得” for an honour won ``n`` periods running (``n`` ≥ 2), in the scheme's period word."""
    return i18n.text(f"notice.streak.{kind}", locale, n=n) if n >= 2 else None


def _plain(d: Decimal) -> str:
    """A Decimal as written by hand: 30, 2.1 (no exponent, no trailing zeros)."""
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _others(data, period, result, group, main, on, shown=()) -> tuple[OtherRanking, ...]:
    out = []
    places = data.version_of(period).scheme.rounding.places
    for r in result.rankings:
        if r.group != group or (r is main and r.span is None):  # a running total is shown with its figure
            continue
        if any(r is s for s in shown) and r.span is None:  # already the places of the main table
            continue
        entries = tuple(
            (
                e.rank,
                e.tied,
                data.unit_name(e.unit, on),
                trim(e.value, places) if r.basis != "period" else e.value,  # a sum of totals: as the scheme publishes
                data.card_target(e.unit, period),
            )
            for e in sorted(r.entries, key=lambda e: (e.rank, e.unit))
        )
        if not entries:  # no unit of this group has the figures this ranking is made of: no table
            continue
        heading, note = running_basis(data, period, r) or (None, None)
        out.append(OtherRanking(_in_category(data, r.name, r.category_name), r.basis, entries, heading, note))
    return tuple(out)


def _order_note(data: SiteData, period: Period, ranking: GroupRanking | None) -> str | None:
    """The table's places come from a running total (a cumulative or stage ranking leads the group):
    say so, and that 总分 is this period's, so that a lower total above a higher one has its reason."""
    basis = running_basis(data, period, ranking) if ranking is not None else None
    if basis is None:
        return None
    return i18n.text("notice.ranked_by_running", data.locale, note=basis[1], ranking=ranking.name)


def _in_category(data: SiteData, name: str, category: str | None) -> str:
    """“流动红旗（专业部门）” for a ranking or honour within a sub-category."""
    return i18n.text("notice.in_category", data.locale, name=name, category=category) if category else name


def running_basis(data: SiteData, period: Period, r: GroupRanking) -> tuple[str, str] | None:
    """A running-total ranking's column heading and sentence: what is summed, from which period to which."""
    if r.span is None:
        return None
    loc = data.locale
    first = r.span.first_name_en if loc == "en" else r.span.first_name
    last = data.period_name(period)
    what = i18n.text(f"running.{r.span.kind}", loc)
    if r.span.first == period.id:  # the sum starts with this period
        return (i18n.text("col.running_one", loc, what=what, last=last),
                i18n.text("running.note_one", loc, ranking=r.name, last=last))
    return (i18n.text("col.running", loc, what=what, first=first, last=last),
            i18n.text("running.note", loc, ranking=r.name, first=first, last=last))
