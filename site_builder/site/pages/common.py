"""Small helpers shared by the page kinds: breadcrumbs and page metadata."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from site_builder.model import Period, SchemeVersion
from site_builder.site import paths
from site_builder.site.present import i18n
from site_builder.site.data import SiteData
from site_builder.site.output import prekeys
from site_builder.site.plan import Crumb


def home_crumb(data: SiteData) -> Crumb:
    return Crumb(i18n.text("nav.home", data.locale), paths.home())


def archive_crumbs(data: SiteData, scheme_id: str, period: Period | None = None,
                   version: SchemeVersion | None = None) -> tuple[Crumb, ...]:
    """Home › archive › the scheme: named by its current (short) title, or on the pages of one
    period by the version that period was scored under (a 2024 notice names the 2024 rules),
    or on the page of one version by that version's own title."""
    if version is not None:
        sv = version
    else:
        sv = data.version_of(period) if period is not None else data.project.current_version(scheme_id)
    return (
        home_crumb(data),
        Crumb(i18n.text("nav.archive", data.locale), paths.archive()),
        Crumb(data.scheme_title(sv), paths.archive_scheme(scheme_id)),
    )


def notice_crumbs(data: SiteData, period: Period) -> tuple[Crumb, ...]:
    return (
        *archive_crumbs(data, period.scheme, period),
        Crumb(data.period_name(period), paths.notice(period.scheme, period.id)),
    )


def is_draft(data: SiteData, period: Period) -> bool:
    return data.status(period) == "draft"


def earlier_versions(data: SiteData) -> Iterator[tuple[SiteData, Period]]:
    """(data as of that version, its period) for every earlier version of every corrected notice."""
    for period in data.periods:
        history = data.history(period)
        if history is None:
            continue
        for version in history.earlier:
            then = data.as_version(version)
            if version.stage == "public_notice":
                # a version that was the 公示 reads as the 公示 it was, whatever today is
                on = then.notice_date(version.period)
                then = replace(then, options=replace(then.options, as_of=on))
            yield then, version.period


def first_entries(ranking) -> dict:
    """Unit → its first entry in ``ranking`` (as a search of the entries finds it), indexed once per
    process and ranking (kept until the build's per-process memos are dropped, :func:`.prekeys.forget`;
    a recycled render's parent indexes every period's rankings before it forks the shares:
    :mod:`..shares`)."""
    return prekeys.memo("first entries", ranking, lambda: _index(ranking))  # type: ignore[return-value]


def _index(ranking) -> dict:
    return {e.unit: e for e in reversed(ranking.entries)}


class PlacesShown:
    """What a unit's pages show of the ranking it is placed in (for their pre-keys): the ranking's
    size and category and the unit's first entry there (place, tied), each group's main ranking
    found once per process (the results are kept by the periods: their ids stay their own), each
    ranking's entries indexed once (:func:`first_entries`)."""

    def __init__(self, data) -> None:
        self.data = data
        self.main: dict[tuple[int, str], object] = {}  # (id of a result, group) → its main ranking

    def __call__(self, result, uid: str) -> tuple | None:
        u = result.units.get(uid)
        if u is None:
            return None
        main = self.main.get((id(result), u.group), self)
        if main is self:
            main = self.main[(id(result), u.group)] = self.data.main_ranking(result, u.group)
        ranking = main if main is not None else self.data.unit_ranking(result, uid)
        if ranking is None:
            return None
        e = first_entries(ranking).get(uid)
        return (len(ranking.entries), ranking.category_name, None if e is None else (e.rank, e.tied))
