"""The home page: latest notices first, schemes in force, unit search, archive."""

from __future__ import annotations

from collections.abc import Iterator

from site_builder.site import paths

from site_builder.site.present import i18n
from site_builder.site.data import SiteData
from site_builder.site.present import sharing
from site_builder.site.plan import PageMeta, Route, page, page_kind

LATEST = 8


def notice_item(data: SiteData, period) -> dict:
    return {
        "title": data.notice_title(period),
        "target": paths.notice(period.scheme, period.id),
        "date": data.notice_date(period),
        "status": data.label_status(period),
        "number": period.scores.notice.number if period.scores.notice else None,
        "corrected": bool(period.scores.corrections),
        "sample": data.period_sample(period),
    }


@page_kind("home")
def home_page(data: SiteData) -> Iterator[Route]:
    loc = data.locale
    as_of = data.options.as_of
    schemes = []
    for sid in sorted(data.project.schemes):
        sv = data.project.current_version(sid)
        in_force = sv.start <= as_of and (sv.until is None or as_of <= sv.until)
        schemes.append(
            {
                "title": sv.scheme.title,
                "short": data.scheme_title(sv),
                "number": sv.scheme.doc_number,
                "start": sv.start,
                "until": sv.until,
                "in_force": in_force,
                "target": paths.scheme_doc(sid, sv.version),
                "archive": paths.archive_scheme(sid),
                "count": len(data.periods_of(sid)),
            }
        )
    schemes.sort(key=lambda s: not s["in_force"])  # in force first, each part by id
    latest = [notice_item(data, p) for p in data.notices_latest_first()[:LATEST]]
    meta = PageMeta(
        path=paths.home(),
        title=data.project.site.title,
        kind="home",
        sample=data.any_sample(),
        draft=any(n["status"] == "draft" for n in latest),
        description=sharing.site(data),
        scripts=("search",),
    )
    yield page(
        meta,
        "home.html",
        latest=latest,
        schemes=schemes,
        has_more=len(data.periods) > LATEST,
        search_hint=i18n.text("home.search.hint", loc),
    )
