"""Score cards: ``units/<unit>/<scheme>/<period>/index.html``.

Every line with its points and maximum, the facts behind it (the engine's
explanation sentences, the recorded events with dates and notes), the cap that
clipped it, and a link to the clause in the scheme document; then the unit's
place in its group, the group median and the change since the last period.
Personal names in events are masked (张*) unless the scheme declares a legal
basis for publishing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from site_builder.model import Period, SchemeVersion
from site_builder.scoring.results import LineResult, PeriodResult, UnitResult
from site_builder.site import i18n, paths
from site_builder.site.data import SiteData
from site_builder.site.pages.common import is_draft, notice_crumbs
from site_builder.site.plan import Crumb, PageMeta, Route, page, page_kind
from site_builder.site.privacy import mask_name


@dataclass(frozen=True)
class EventView:
    date: dt.date | None
    text: str  # title / note / event
    person: str | None  # masked unless published by law
    count: int
    points: Decimal | None
    note: str | None
    evidence: str | None


@dataclass(frozen=True)
class LineView:
    id: str
    name: str
    depth: int
    type: str
    max: Decimal | None
    points: Decimal | None
    raw: Decimal | None
    status: str
    is_leaf: bool
    clip: str | None  # words
    clip_kind: str | None  # max | cap | floor
    steps: tuple[str, ...]
    events: tuple[EventView, ...]
    note: str | None
    evidence: str | None
    clause: str  # link target in the scheme document
    disqualified: bool


def _events(line: LineResult, publish_names: bool) -> tuple[EventView, ...]:
    if line.facts is None:
        return ()
    out = []
    for ev in line.facts.all_events():
        person = None
        if ev.name:
            person = ev.name if publish_names else mask_name(ev.name)
        text = ev.title or ev.event or ""
        out.append(EventView(ev.date, text, person, ev.count, ev.points, ev.note, ev.evidence))
    return tuple(out)


def _clip(line: LineResult, locale: str) -> str | None:
    if line.clip is None:
        return None
    return line.clip_note or i18n.text(f"card.clip.{line.clip}", locale)


def line_views(data: SiteData, sv: SchemeVersion, u: UnitResult) -> tuple[LineView, ...]:
    tree = sv.group_tree.get(u.group, "main")
    ntrees = len(sv.trees)
    doc = paths.scheme_doc(sv.id, sv.version)
    publish = sv.scheme.personal_data.publish_names
    out = []
    for line in u.lines:
        facts = line.facts
        out.append(
            LineView(
                id=line.id,
                name=line.name,
                depth=line.depth,
                type=line.type,
                max=line.max,
                points=line.points,
                raw=line.raw if line.clip else None,
                status=line.status,
                is_leaf=line.is_leaf,
                clip=_clip(line, data.locale),
                clip_kind=line.clip,
                steps=tuple(s.render(data.locale) for s in line.steps),
                events=_events(line, publish),
                note=facts.note if facts else None,
                evidence=facts.evidence if facts else None,
                clause=f"{doc}#{paths.indicator_anchor(tree, line.id, ntrees)}",
                disqualified=line.disqualified,
            )
        )
    return tuple(out)


def rank_summary(data: SiteData, period: Period, result: PeriodResult, unit: str) -> dict:
    u = result.units[unit]
    entry = data.rank_entry(result, unit)
    ranking = data.main_ranking(result, u.group)
    summary: dict = {
        "rank": entry.rank if entry else None,
        "tied": entry.tied if entry else False,
        "of": len(ranking.entries) if ranking else 0,
        "median": result.group_medians.get(u.group),
        "previous": None,
    }
    prev = data.previous(period)
    if prev is not None:
        pres = data.result(prev)
        pu = pres.units.get(unit)
        pentry = data.rank_entry(pres, unit)
        if pu is not None and pu.total is not None:
            if entry and pentry:
                delta = pentry.rank - entry.rank
                key = "rank.up" if delta > 0 else "rank.down" if delta < 0 else "rank.same"
                change = i18n.text(key, data.locale, n=abs(delta))
                text = i18n.text(
                    "card.prev_text",
                    data.locale,
                    total=format(pu.total, "f"),
                    rank=pentry.rank,
                    change=change,
                )
            else:
                text = i18n.text("card.prev_total", data.locale, total=format(pu.total, "f"))
            summary["previous"] = {
                "text": text,
                "target": paths.scorecard(unit, prev.scheme, prev.id),
                "name": data.period_name(prev),
            }
    return summary


def cumulative_kind(sv: SchemeVersion) -> set[str]:
    return {r.basis for r in sv.scheme.rankings if r.basis in ("cumulative", "stage")}


def unit_corrections(data: SiteData, period: Period, sv: SchemeVersion, unit: str) -> list[dict]:
    """Corrections of the period that changed this unit's figures."""
    names = {i: n.name for tree in sv.indicators.values() for i, n in tree.items()}
    out = []
    for n, c in enumerate(period.scores.corrections, start=1):
        changes = [
            (names.get(ch.line, ch.line), ch.old, ch.new) for ch in c.changes if ch.unit == unit
        ]
        if changes:
            out.append(
                {
                    "date": c.date,
                    "changes": changes,
                    "target": paths.correction(period.scheme, period.id, n),
                }
            )
    return out


@page_kind("scorecard")
def scorecard_pages(data: SiteData) -> Iterator[Route]:
    for period in data.periods:
        result = data.result(period)
        sv = data.version_of(period)
        on = data.notice_date(period)
        kinds = cumulative_kind(sv)
        for uid in sorted(result.units):
            u = result.units[uid]
            name = data.unit_name(uid, on)
            meta = PageMeta(
                path=paths.scorecard(uid, period.scheme, period.id),
                title=i18n.text(
                    "card.title", data.locale, unit=name, period=data.period_name(period)
                ),
                kind="scorecard",
                sample=data.period_sample(period),
                draft=is_draft(data, period),
                crumbs=(*notice_crumbs(data, period), Crumb(name, paths.unit(uid))),
            )
            yield page(
                meta,
                "scorecard.html",
                unit={"id": uid, "name": name, "target": paths.unit(uid)},
                result=u,
                period=period,
                group=data.group_name(sv, u.group),
                group_target=paths.group(period.scheme, u.group),
                lines=line_views(data, sv, u),
                summary=rank_summary(data, period, result, uid),
                honours=data.honours_of(result, uid),
                cumulative=result.cumulative.get(uid) if "cumulative" in kinds else None,
                stage_total=result.stage_totals.get(uid) if "stage" in kinds else None,
                show_coefficient=sv.scheme.coefficient is not None,
                notice_target=paths.notice(period.scheme, period.id),
                notice_title=data.notice_title(period),
                corrections=unit_corrections(data, period, sv, uid),
            )
