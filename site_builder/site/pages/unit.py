"""Unit pages (``units/<unit>/index.html``) and the list of all units.

A unit's page gathers every published period: score and rank over time as
inline SVG charts (with a data table for screen readers), the cumulative
total where the scheme ranks on it, and the unit's former names.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import partial

from site_builder.scoring.results import GroupRanking
from site_builder.site import paths
from site_builder.site.data import SiteData
from site_builder.site.output import prekeys
from site_builder.site.output.digest import digest, keyed
from site_builder.site.pages.common import PlacesShown, home_crumb
from site_builder.site.pages.scorecard import EntryIndex, cumulative_kind
from site_builder.site.plan import Crumb, Once, PageMeta, Route, lazy_page, page, page_kind
from site_builder.site.present import i18n, sharing
from site_builder.site.present.charts import line_chart
from site_builder.site.present.render import trim
from site_builder.site.present.tables import running_basis


class _UnitsOfSite:
    """What every unit page shares, made once per process (the first unit page rendered in it): each
    scheme's published periods with what their rows read, and each period's results indexed by unit
    once — a unit's place, its first running-total ranking and its honours are dict lookups, not
    scans of every ranking's entries for every unit and period (O(units × periods), not O(units² ×
    periods))."""

    def __init__(self, data: SiteData) -> None:
        self.data = data
        self.entry_of = EntryIndex(data)
        self.periods = {sid: [_PeriodOfUnits(data, p) for p in data.periods_of(sid)]
                        for sid in sorted(data.project.schemes)}
        self.places = PlacesShown(data)  # the unit's place and the ranking's size, as shown

    def prekey(self, uid: str) -> tuple | None:
        """:func:`_unit_prekey`: one small pickle of what the page shows."""
        data = self.data
        site = prekeys.site_part(data)
        if site is None:
            return None
        rows = []
        for sid, periods in self.periods.items():
            for p in periods:
                result = p.result
                head = prekeys.header(p.period)
                if head is None:
                    return None
                u = result.units.get(uid)
                row = None
                if u is not None:
                    own = prekeys.unit_digest(u)
                    if own is None:
                        return None
                    running = p.running.get(uid)
                    run = ((None, None, None) if running is None
                           else (running[0].ranking, running[0].name, running[0].span))
                    row = (own, self.places(result, uid), run, p.total_running(uid), p.honours.get(uid),
                           result.levels.get(uid))
                rows.append((sid, p.period.id, head, row))
        return keyed(digest("unit page", site, uid, tuple(rows), swap=False))


class _PeriodOfUnits:
    """One period as the unit pages show it."""

    __slots__ = ("cumulative", "draft", "honours", "name", "period", "places", "result", "running", "sample", "sv")

    def __init__(self, data: SiteData, period) -> None:
        self.period = period
        self.result = result = data.result(period)
        self.sv = sv = data.version_of(period)
        self.name = data.period_name(period)
        self.draft = data.status(period) == "draft"
        self.sample = data.period_sample(period)
        self.cumulative = bool(cumulative_kind(sv))
        self.places = sv.scheme.rounding.places
        # each unit's first running-total ranking (stage or cumulative, any span) and what it sums
        self.running: dict[str, tuple[GroupRanking, str | None]] = {}
        for gr in result.rankings:
            if gr.span is None:
                continue
            basis = running_basis(data, period, gr)
            note = basis[1] if basis else None
            for e in gr.entries:
                self.running.setdefault(e.unit, (gr, note))
        self.honours: dict[str, list[str]] = {}
        for h in result.honours:
            for unit in dict.fromkeys(h.chosen):
                self.honours.setdefault(unit, []).append(h.name)

    def total_running(self, unit_id: str) -> Decimal | None:
        """The unit's running total: of its first running-total ranking, else its cumulative total."""
        got = self.running.get(unit_id)
        if got is None:
            return self.result.cumulative.get(unit_id)
        return self.result.running.get(got[0].ranking, {}).get(unit_id)


def _series(shared: _UnitsOfSite, unit_id: str, scheme_id: str) -> dict | None:
    data = shared.data
    rows = []
    for p in shared.periods[scheme_id]:
        result, period, sv = p.result, p.period, p.sv
        u = result.units.get(unit_id)
        if u is None:
            continue
        entry = shared.entry_of(result, unit_id)
        ranking = data.unit_ranking(result, unit_id)  # the category's when the group is ranked only within categories
        running = p.running.get(unit_id)
        rows.append(
            {
                "period_id": period.id,
                "period_name": p.name,
                "status": u.status,
                "reason": u.reason,
                "total": u.total if u.status == "assessed" else None,
                "max": u.max_total,
                "rank": entry.rank if entry else None,
                "tied": entry.tied if entry else False,
                "of": len(ranking.entries) if ranking else 0,
                "group": (i18n.text("notice.in_category", data.locale, name=data.group_name(sv, u.group), category=ranking.category_name)
                          if ranking is not None and ranking.category_name else data.group_name(sv, u.group)),
                "cumulative": trim(p.total_running(unit_id), p.places) if p.cumulative else None,
                "running_note": running[1] if running is not None else None,
                "honours": list(p.honours.get(unit_id, ())),
                "level": result.levels[unit_id].name if unit_id in result.levels else None,
                "card": paths.scorecard(unit_id, period.scheme, period.id),
                "draft": p.draft,
                "sample": p.sample,
            }
        )
    if not rows:
        return None
    title = data.scheme_title(data.project.current_version(scheme_id))
    labels = [r["period_id"] for r in rows]
    loc = data.locale
    totals: list[Decimal | None] = [r["total"] for r in rows]
    ranks: list[Decimal | None] = [Decimal(r["rank"]) if r["rank"] else None for r in rows]
    sep = i18n.text("list.sep", loc)
    score_desc = sep.join(
        f"{r['period_name']} {format(r['total'], 'f')}" for r in rows if r["total"] is not None
    )
    rank_desc = sep.join(f"{r['period_name']} {r['rank']}" for r in rows if r["rank"])
    return {
        "id": scheme_id,
        "title": title,
        "rows": rows,
        "show_cumulative": any(r["cumulative"] is not None for r in rows),
        # what the latest running total sums, from which period to which
        "running_note": next((r["running_note"] for r in reversed(rows) if r["running_note"]), None),
        "show_level": any(r["level"] is not None for r in rows),
        "score_chart": line_chart(
            f"c-{scheme_id}-score",
            labels,
            totals,
            title=i18n.text("unit.chart.score", loc, scheme=title),
            desc=i18n.text("unit.chart.score_desc", loc, points=score_desc),
        )
        if len([t for t in totals if t is not None]) > 1
        else None,
        "rank_chart": line_chart(
            f"c-{scheme_id}-rank",
            labels,
            ranks,
            title=i18n.text("unit.chart.rank", loc, scheme=title),
            desc=i18n.text("unit.chart.rank_desc", loc, points=rank_desc),
            invert=True,
        )
        if len([r for r in ranks if r is not None]) > 1
        else None,
    }


@page_kind("unit")
def unit_pages(data: SiteData) -> Iterator[Route]:
    """Every unit's page, made when it is rendered (:func:`lazy_page`): planning holds paths only."""
    shared = Once(lambda: _UnitsOfSite(data))
    for uid in sorted(data.project.units):
        yield lazy_page(paths.unit(uid), "unit", "unit.html", partial(_unit_context, shared, uid),
                        prekey=partial(_unit_prekey, shared, uid))


def _unit_prekey(shared: Once, uid: str) -> tuple | None:
    """What a unit's page is a function of besides its path, kind and template: the site-wide part (the
    registry, schemes, which periods are shown and how: :func:`..output.prekeys.site_part`) and, for
    each period it lists, the period's header and what a row shows (:func:`_series`): the unit's own
    result (by its digest), the size and category of the ranking it is placed in and its entry there,
    its first running-total ranking (id, name, span) with its running total (else its cumulative
    total), the names of its honours and its level.  An edit of another unit's facts leaves it as it
    was unless it moves this unit or changes the number ranked."""
    c: _UnitsOfSite = shared()
    return c.prekey(uid)


def _unit_context(shared: Once, uid: str) -> tuple[PageMeta, dict]:
    c: _UnitsOfSite = shared()
    data = c.data
    loc = data.locale
    unit = data.project.units[uid]
    schemes = [s for s in (_series(c, uid, sid) for sid in sorted(data.project.schemes)) if s]
    merged = None
    if unit.retired and unit.retired.merged_into in data.project.units:
        target = unit.retired.merged_into
        merged = {"name": data.project.units[target].name, "target": paths.unit(target)}
    meta = PageMeta(
        path=paths.unit(uid),
        title=i18n.text("unit.title", loc, unit=unit.name),
        kind="unit",
        sample=data.project.site.sample or any(r["sample"] for s in schemes for r in s["rows"]),
        draft=any(r["draft"] for s in schemes for r in s["rows"]),
        crumbs=(home_crumb(data), Crumb(i18n.text("nav.units", loc), paths.units_index())),
        description=sharing.unit(data, unit.name),
    )
    return meta, {"unit": unit, "schemes": schemes, "merged": merged}


@page_kind("units")
def units_index(data: SiteData) -> Iterator[Route]:
    loc = data.locale
    by_cat: dict[str, list[dict]] = {}
    for uid in sorted(data.project.units):
        u = data.project.units[uid]
        cat = u.category or i18n.text("units.uncategorised", loc)
        by_cat.setdefault(cat, []).append(
            {"name": u.name, "target": paths.unit(uid), "former": [f.name for f in u.former_names]}
        )
    cats = [
        (c, sorted(v, key=lambda x: (x["name"], x["target"]))) for c, v in sorted(by_cat.items())
    ]
    meta = PageMeta(
        path=paths.units_index(),
        title=i18n.text("units.title", loc),
        kind="units",
        sample=data.project.site.sample,
        crumbs=(home_crumb(data),),
        scripts=("search",),
        description=sharing.text(data, "share.units"),
    )
    yield page(meta, "units.html", categories=cats)
