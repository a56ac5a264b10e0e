"""What a corrected notice shows of its history: each correction with what it changed
(unit by unit, then other items), links to every version, and the banner of an
earlier version naming the correction that superseded it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from site_builder.model import Period
from site_builder.site import paths
from site_builder.site.records import notice_changes
from site_builder.site.records.changes import Change
from site_builder.site.data import SiteData
from site_builder.site.records.versions import NoticeHistory, NoticeVersion


@dataclass(frozen=True)
class UnitChangeView:
    """One unit's changes as the templates show them (macro ``change_list``)."""

    id: str  # the unit's id
    unit: str  # its name
    card: str | None  # its score card in the newer version
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ItemView:
    """One item of the notice's content that a correction changed, as a reader names it."""

    key: str  # the stable key (noticedoc)
    label: str  # e.g. 文号, 县财政局 单位名称, 指标“工作纪律” 考核内容
    old: str | None
    new: str | None


@dataclass(frozen=True)
class VersionLink:
    n: int
    date: dt.date  # published on
    target: str
    current: bool
    stage: str = "published"  # the version was a 公示 (public_notice) or a 通报


@dataclass(frozen=True)
class CorrectionView:
    n: int
    date: dt.date
    number: str | None
    reason: str
    changes: tuple[UnitChangeView, ...]
    computed: bool  # changes computed from the archived versions, not only as recorded
    target: str  # the correction's own page
    before: VersionLink | None  # the version this correction superseded
    items: tuple[ItemView, ...] = ()  # other items of the notice it changed (text, names, …)


def change_views(
    data: SiteData, period: Period, history: NoticeHistory, n: int
) -> tuple[UnitChangeView, ...]:
    """What changed from version ``n`` to the next, with unit names and links to the newer cards."""
    newer = history.successor(n)
    version = None if newer is history.current else newer.n
    on = data.notice_date(period)
    return tuple(
        UnitChangeView(
            uc.unit,
            data.unit_name(uc.unit, on),
            paths.scorecard(uc.unit, period.scheme, period.id, version)
            if uc.unit in newer.result.units
            else None,
            uc.changes,
        )
        for uc in history.changes_after(n)
    )


def item_views(data: SiteData, history: NoticeHistory, n: int) -> tuple[ItemView, ...]:
    """What else changed from version ``n`` to the next: every item of the notice's content
    the computed change list does not show (文号, title, names, clause text, notes, …)."""
    older = history.versions[history.index(n)]
    newer = history.successor(n)
    loc = data.locale
    out = []
    for c in history.items_after(n):
        if notice_changes.is_figure(c.key):
            continue
        old, new = c.old, c.new
        if c.key == "notice.body":
            old, new = notice_changes.first_line_change(old, new)
        out.append(
            ItemView(
                c.key,
                notice_changes.label(c.key, older.items or {}, newer.items or {}, loc),
                notice_changes.shown(c.key, old, loc),
                notice_changes.shown(c.key, new, loc),
            )
        )
    return tuple(out)


def recorded_views(data: SiteData, period: Period, n: int) -> tuple[UnitChangeView, ...]:
    """The changes of correction ``n`` as written in the period file (text old → new)."""
    sv = data.version_of(period)
    names = {i: node.name for tree in sv.indicators.values() for i, node in tree.items()}
    on = data.notice_date(period)
    by_unit: dict[str, list[Change]] = {}
    for ch in period.scores.corrections[n - 1].changes:
        by_unit.setdefault(ch.unit, []).append(
            Change("line", names.get(ch.line, ch.line), ch.old, ch.new)
        )
    return tuple(
        UnitChangeView(
            u,
            data.unit_name(u, on) if u in data.project.units else u,
            paths.scorecard(u, period.scheme, period.id)
            if u in data.result(period).units
            else None,
            tuple(items),
        )
        for u, items in by_unit.items()
    )


def version_links(
    data: SiteData, period: Period, history: NoticeHistory | None
) -> tuple[VersionLink, ...]:
    if history is None:
        return ()
    out = []
    for v in history.versions:
        current = v is history.current
        target = paths.notice(period.scheme, period.id, None if current else v.n)
        out.append(VersionLink(v.n, published_on(data, period, v), target, current, v.stage))
    return tuple(out)


def published_on(data: SiteData, period: Period, version: NoticeVersion) -> dt.date:
    """The date a version was published: the notice's, or the correction's that made it."""
    if version.correction is not None and version.correction <= len(period.scores.corrections):
        return period.scores.corrections[version.correction - 1].date
    return data.notice_date(version.period)


def corrections_of(data: SiteData, period: Period) -> tuple[CorrectionView, ...]:
    history = data.history(period)
    out = []
    for n, c in enumerate(period.scores.corrections, start=1):
        made = history.made_by(n) if history else None
        before = history.before(made) if history and made else None
        items: tuple[ItemView, ...] = ()
        if history and made and before:
            changes = change_views(data, period, history, before.n)
            items = item_views(data, history, before.n)
            link = VersionLink(
                before.n,
                published_on(data, period, before),
                paths.notice(period.scheme, period.id, before.n),
                False,
                before.stage,
            )
        else:
            changes, link = recorded_views(data, period, n), None
        out.append(
            CorrectionView(
                n,
                c.date,
                c.number,
                c.reason,
                changes,
                link is not None,
                paths.correction(period.scheme, period.id, n),
                link,
                items,
            )
        )
    return tuple(out)


def superseded_view(data: SiteData, period: Period, history: NoticeHistory, n: int) -> dict:
    """The banner of earlier version ``n``: which correction superseded it and what changed."""
    successor = history.successor(n)
    older = history.versions[history.index(n)]
    current = history.current.period
    correction = (
        current.scores.corrections[successor.correction - 1]
        if successor.correction is not None
        and successor.correction <= len(current.scores.corrections)
        else None
    )
    return {
        "n": n,
        "next": successor.n,
        "date": correction.date if correction else None,
        "number": correction.number if correction else None,
        "reason": correction.reason if correction else None,
        "correction_target": paths.correction(period.scheme, period.id, successor.correction)
        if correction
        else None,
        "current_target": paths.notice(period.scheme, period.id),
        "changes": change_views(data, current, history, n),
        "other": item_views(data, history, n),
        # a 公示 superseded by its 通报 (no correction): when the 通报 was published
        "stage": older.stage,
        "final_date": published_on(data, current, successor)
        if correction is None and older.stage == "public_notice"
        else None,
    }
