"""The archive (by scheme and period) and the group pages."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from site_builder.site import paths

from site_builder.site.present import i18n
from site_builder.site.data import SiteData
from site_builder.site.pages.common import archive_crumbs, home_crumb
from site_builder.site.pages.home import notice_item
from site_builder.site.present import sharing
from site_builder.site.output.digest import keyed
from site_builder.site.plan import Once, PageMeta, Route, lazy_page, page, page_kind


def _scheme_entry(data: SiteData, sid: str) -> dict:
    current = data.project.current_version(sid)
    periods = sorted(data.periods_of(sid), key=lambda p: (p.start, p.id), reverse=True)
    years: dict[int, list[dict]] = {}
    for p in periods:
        years.setdefault(p.start.year, []).append(
            {**notice_item(data, p), "period": data.period_name(p)}
        )
    groups: dict[str, str] = {}
    for sv in data.project.schemes[sid].values():
        for g in sv.scheme.groups:
            groups[g.id] = g.name
    return {
        "id": sid,
        "title": data.scheme_title(current),
        "full_title": current.scheme.title,
        "target": paths.archive_scheme(sid),
        "years": sorted(years.items(), reverse=True),
        "count": len(periods),
        "versions": [
            {
                "title": v.scheme.title,
                "start": v.start,
                "number": v.scheme.doc_number,
                "target": paths.scheme_doc(sid, v.version),
                "current": v is current,
            }
            for v in data.project.schemes[sid].values()
        ],
        "groups": [{"name": n, "target": paths.group(sid, g)} for g, n in groups.items()],
        "sample": any(data.period_sample(p) for p in periods)
        or any(data.scheme_sample(v) for v in data.project.schemes[sid].values()),
        "draft": any(data.status(p) == "draft" for p in periods),
    }


@page_kind("archive")
def archive_pages(data: SiteData) -> Iterator[Route]:
    loc = data.locale
    entries = [_scheme_entry(data, sid) for sid in sorted(data.project.schemes)]
    meta = PageMeta(
        path=paths.archive(),
        title=i18n.text("archive.title", loc),
        kind="archive",
        sample=data.project.site.sample or any(e["sample"] for e in entries),
        draft=any(e["draft"] for e in entries),
        crumbs=(home_crumb(data),),
        description=sharing.text(data, "share.archive"),
    )
    yield page(meta, "archive.html", schemes=entries)
    for e in entries:
        meta = PageMeta(
            path=e["target"],
            title=i18n.text("archive.scheme", loc, scheme=e["title"]),
            kind="archive",
            sample=data.project.site.sample or e["sample"],
            draft=e["draft"],
            crumbs=archive_crumbs(data, e["id"])[:-1],
            description=sharing.text(data, "share.archive.scheme", scheme=e["title"]),
        )
        yield page(meta, "archive_scheme.html", scheme=e)


@page_kind("group")
def group_pages(data: SiteData) -> Iterator[Route]:
    """A page per group of each scheme: its members, its table in the latest notice, its history.

    Lazy: the latest notice's tables are made when the first group page of that period is rendered,
    once per process (not while planning, when only the parent works).  A page's pre-key is the
    site-wide part (settings, registry, schemes, every period's header, status and embargo), the
    latest period's part (its records, results, the previous period's results, the notice's versions:
    all the group's table reads) and the periods listed."""
    tables: dict[tuple[str, str], Once] = {}  # the latest notice's tables, shared by its group pages
    for sid in sorted(data.project.schemes):
        versions = list(data.project.schemes[sid].values())
        gids: dict[str, str] = {}
        for sv in versions:
            for g in sv.scheme.groups:
                gids[g.id] = g.name
        current = versions[-1]
        for gid, gname in gids.items():
            periods = [
                p
                for p in data.periods_of(sid)
                if any(u.group == gid for u in data.result(p).units.values())
            ]
            periods.sort(key=lambda p: (p.start, p.id), reverse=True)
            latest = periods[0] if periods else None
            if latest is not None and (latest.scheme, latest.id) not in tables:
                tables[(latest.scheme, latest.id)] = Once(partial(_tables, data, latest))
            made = tables[(latest.scheme, latest.id)] if latest is not None else None
            path = paths.group(sid, gid)
            listed = tuple((p.scheme, p.id) for p in periods)
            yield lazy_page(
                path, "group", "group.html",
                partial(_group_context, data, path, sid, gid, gname, current, periods, made),
                prekey=partial(_group_prekey, data, latest, (sid, gid, gname, listed)),
            )


def _tables(data: SiteData, period) -> tuple:
    from site_builder.site.present.tables import notice_tables

    return notice_tables(data, period)


def _group_prekey(data: SiteData, latest, head: tuple) -> tuple | None:
    from site_builder.site.output import prekeys

    part = prekeys.period_part(data, latest) if latest is not None else "none"
    return keyed(prekeys.site_part(data), part, *head)


def _group_context(data: SiteData, path: str, sid: str, gid: str, gname: str, current, periods: list,
                   made: Once | None) -> tuple[PageMeta, dict]:
    loc = data.locale
    latest = None
    if periods:
        table = next((t for t in made() if t.id == gid), None)
        latest = {
            "period": periods[0],
            "period_name": data.period_name(periods[0]),
            "table": table,
            "target": paths.notice(sid, periods[0].id),
        }
    members = next((g.units for g in current.scheme.groups if g.id == gid), [])
    meta = PageMeta(
        path=path,
        title=i18n.text("group.title", loc, scheme=data.scheme_title(current), group=gname),
        kind="group",
        sample=data.project.site.sample or any(data.period_sample(p) for p in periods),
        draft=any(data.status(p) == "draft" for p in periods),
        crumbs=(*archive_crumbs(data, sid),),
        description=sharing.text(data, "share.group", scheme=data.scheme_title(current), group=gname),
    )
    return meta, dict(
        group={"id": gid, "name": gname},
        members=[
            {"name": data.project.units[u].name, "target": paths.unit(u)}
            for u in members
            if u in data.project.units
        ],
        latest=latest,
        history=[
            {
                "name": data.period_name(p),
                "target": paths.notice(sid, p.id) + "#" + paths.group_anchor(gid),
                "status": data.label_status(p),
            }
            for p in periods
        ],
    )
