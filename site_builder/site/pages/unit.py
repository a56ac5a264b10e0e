"""Unit pages (``units/<unit>/index.html``) and the list of all units.

A unit's page gathers every published period: score and rank over time as
inline SVG charts (with a data table for screen readers), the cumulative
total where the scheme ranks on it, and the unit's former names.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from site_builder.site import paths

from site_builder.site.present import i18n
from site_builder.site.present.charts import line_chart
from site_builder.site.data import SiteData
from site_builder.site.pages.common import home_crumb
from site_builder.site.pages.scorecard import cumulative_kind
from site_builder.site.present.tables import running_basis
from site_builder.site.present import sharing
from site_builder.site.plan import Crumb, PageMeta, Route, page, page_kind
from site_builder.site.present.render import trim


def _running_ranking(result, unit_id: str):
    """The first running-total ranking (stage or cumulative, any span) that ranks the unit."""
    return next((gr for gr in result.rankings if gr.span is not None and any(e.unit == unit_id for e in gr.entries)), None)


def _running(result, unit_id: str) -> Decimal | None:
    gr = _running_ranking(result, unit_id)
    if gr is None:
        return result.cumulative.get(unit_id)
    return result.running.get(gr.ranking, {}).get(unit_id)


def _running_note(data: SiteData, period, result, unit_id: str) -> str | None:
    gr = _running_ranking(result, unit_id)
    basis = running_basis(data, period, gr) if gr is not None else None
    return basis[1] if basis else None


def _series(data: SiteData, unit_id: str, scheme_id: str) -> dict | None:
    rows = []
    for period in data.periods_of(scheme_id):
        result = data.result(period)
        u = result.units.get(unit_id)
        if u is None:
            continue
        sv = data.version_of(period)
        entry = data.rank_entry(result, unit_id)
        ranking = data.unit_ranking(result, unit_id)  # the category's when the group is ranked only within categories
        rows.append(
            {
                "period_id": period.id,
                "period_name": data.period_name(period),
                "status": u.status,
                "reason": u.reason,
                "total": u.total if u.status == "assessed" else None,
                "max": u.max_total,
                "rank": entry.rank if entry else None,
                "tied": entry.tied if entry else False,
                "of": len(ranking.entries) if ranking else 0,
                "group": (i18n.text("notice.in_category", data.locale, name=data.group_name(sv, u.group), category=ranking.category_name)
                          if ranking is not None and ranking.category_name else data.group_name(sv, u.group)),
                "cumulative": trim(_running(result, unit_id), sv.scheme.rounding.places) if cumulative_kind(sv) else None,
                "running_note": _running_note(data, period, result, unit_id),
                "honours": [h[0] for h in data.honours_of(result, unit_id)],
                "level": result.levels[unit_id].name if unit_id in result.levels else None,
                "card": paths.scorecard(unit_id, period.scheme, period.id),
                "draft": data.status(period) == "draft",
                "sample": data.period_sample(period),
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
    loc = data.locale
    for uid in sorted(data.project.units):
        unit = data.project.units[uid]
        schemes = [
            s for s in (_series(data, uid, sid) for sid in sorted(data.project.schemes)) if s
        ]
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
        yield page(meta, "unit.html", unit=unit, schemes=schemes, merged=merged)


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
