"""One-sentence descriptions of pages, for ``<meta name="description">`` and Open Graph.

A link shared in WeChat shows the page title and this sentence, so it names
what the page is about (the notice with its period and issuer, the unit with
its total and rank) and nothing else: organs and units only, never a person.
"""

from __future__ import annotations

from site_builder.model import Period, SchemeVersion
from site_builder.site.present import i18n
from site_builder.site.data import SiteData


def site(data: SiteData) -> str:
    """The home page: the site's own description, else what it publishes and who."""
    own = data.project.site.description
    return own or i18n.text("share.site", data.locale, organisation=data.project.site.organisation)


def notice(data: SiteData, period: Period) -> str:
    from site_builder.site.records.noticedoc import issuer_of

    title = _sentence(data.notice_title(period))
    when = data.period_name(period)
    # the usual title names the period already (“关于2017年第三季度…的通报”): not said twice
    key = "share.notice.titled" if when in title else "share.notice"
    return i18n.text(key, data.locale, title=title, period=when, issuer=issuer_of(data.project, period))


def card(data: SiteData, period: Period, unit: str, entry_of=None) -> str:
    """The unit, its total and its rank (or its status when it was not assessed); ``entry_of``: the
    unit's place as :meth:`.SiteData.rank_entry` finds it, looked up faster (scorecard.EntryIndex)."""
    result = data.result(period)
    u = result.units[unit]
    name = data.unit_name(unit, data.notice_date(period))
    loc = data.locale
    when = data.period_name(period)
    if u.status != "assessed" or u.total is None:
        status = i18n.text(f"status.{u.status}", loc)
        return i18n.text("share.card.status", loc, unit=name, period=when, status=status)
    total = format(u.total, "f")
    entry = (entry_of or data.rank_entry)(result, unit)
    ranking = data.unit_ranking(result, unit)
    if entry is None or ranking is None:
        return i18n.text("share.card", loc, unit=name, period=when, total=total)
    key = "share.card.tied" if entry.tied else "share.card.rank"
    return i18n.text(key, loc, unit=name, period=when, total=total, rank=entry.rank, n=len(ranking.entries))


def correction(data: SiteData, notice_view: dict, n: int) -> str:
    """A correction (更正) of a notice: which notice, the how-many-th, and who issued it."""
    title = i18n.text("correction.title", data.locale, notice=notice_view["title"], n=n)
    return i18n.text("share.correction", data.locale, title=_sentence(title), issuer=notice_view["issuer"])


def unit(data: SiteData, name: str) -> str:
    return i18n.text("share.unit", data.locale, unit=name)


def scheme(data: SiteData, sv: SchemeVersion) -> str:
    issuer = sv.scheme.issuer or data.project.site.organisation
    return i18n.text("share.scheme", data.locale, scheme=_sentence(sv.scheme.title), issuer=issuer)


def text(data: SiteData, key: str, **params: object) -> str:
    """Pages described by one catalogue sentence (archive, groups, units, corrections, 404)."""
    return i18n.text(key, data.locale, **params)


def _sentence(title: str) -> str:
    """A title as the start of a sentence: without a full stop of its own."""
    return title.rstrip("。. ")
