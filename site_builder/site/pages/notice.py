"""Ranking notices (通报/公示), their downloads and their correction notes.

``notices/<scheme>/<period>/index.html`` reads like the official document:
metadata block, body from ``content/``, one ranking table per group with
honours and sanctions in words, vetoes, exempt and absent units with their
reasons; for a 公示 the window and how to object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from site_builder.model import Period
from site_builder.site import downloads, i18n, paths
from site_builder.site.data import SiteData
from site_builder.site.markdown_html import render_markdown
from site_builder.site.pages.common import is_draft, notice_crumbs
from site_builder.site.plan import PageMeta, Route, page, page_kind
from site_builder.site.tables import notice_tables


@dataclass(frozen=True)
class ChangeView:
    unit: str
    line: str
    old: str
    new: str


@dataclass(frozen=True)
class CorrectionView:
    n: int
    date: object
    number: str | None
    reason: str
    changes: tuple[ChangeView, ...]
    target: str


def body_of(data: SiteData, period: Period) -> Markup:
    n = period.scores.notice
    if n is None or not n.body:
        return Markup("")
    raw = data.content[f"content/{n.body}"]
    return render_markdown(raw.decode("utf-8"))


def corrections_of(data: SiteData, period: Period) -> tuple[CorrectionView, ...]:
    sv = data.version_of(period)
    names = {i: node.name for tree in sv.indicators.values() for i, node in tree.items()}
    on = data.notice_date(period)
    out = []
    for n, c in enumerate(period.scores.corrections, start=1):
        changes = tuple(
            ChangeView(
                unit=data.unit_name(ch.unit, on) if ch.unit in data.project.units else ch.unit,
                line=names.get(ch.line, ch.line),
                old=ch.old,
                new=ch.new,
            )
            for ch in c.changes
        )
        out.append(
            CorrectionView(
                n,
                c.date,
                c.number,
                c.reason,
                changes,
                paths.correction(period.scheme, period.id, n),
            )
        )
    return tuple(out)


def notice_view(data: SiteData, period: Period) -> dict:
    sv = data.version_of(period)
    meta = period.scores.notice
    window = period.scores.public_notice
    return {
        "title": data.notice_title(period),
        "target": paths.notice(period.scheme, period.id),
        # 发布机关: the notice's own issuer, else the scheme's (the office that
        # assesses), never the site's operator.
        "issuer": (meta.issuer if meta and meta.issuer else None) or sv.scheme.issuer,
        "number": meta.number if meta else None,
        "date": data.notice_date(period),
        "index_number": meta.index_number if meta else None,
        "status": data.status(period),
        "source_status": period.status,
        "label": data.label_status(period),
        "window": window,
        "contact": data.project.site.contact,
        "period": period,
        "period_name": data.period_name(period),
        "scheme_title": sv.scheme.title,
        "scheme_target": paths.scheme_doc(period.scheme, period.version),
        "max_total": sv.scheme.total,
        "downloads": {
            ext: paths.download(period.scheme, period.id, ext) for ext in ("csv", "xlsx", "json")
        },
        "scheme_yaml": paths.scheme_yaml(period.scheme, period.version),
    }


@page_kind("notice")
def notice_pages(data: SiteData) -> Iterator[Route]:
    for period in data.periods:
        sv = data.version_of(period)
        tables = notice_tables(data, period)
        view = notice_view(data, period)
        corrections = corrections_of(data, period)
        path = paths.notice(period.scheme, period.id)
        meta = PageMeta(
            path=path,
            title=view["title"],
            kind="notice",
            sample=data.period_sample(period),
            draft=is_draft(data, period),
            crumbs=notice_crumbs(data, period)[:-1],
        )
        vetoed = [
            (data.unit_name(u.unit, view["date"]), v)
            for uid, u in sorted(data.result(period).units.items())
            for v in u.vetoes
        ]
        yield page(
            meta,
            "notice.html",
            notice=view,
            body=body_of(data, period),
            tables=tables,
            vetoed=vetoed,
            corrections=corrections,
            max_total=sv.scheme.total,
        )
        yield from _downloads(data, period, tables, view)
        for c in corrections:
            cmeta = PageMeta(
                path=c.target,
                title=i18n.text("correction.title", data.locale, notice=view["title"], n=c.n),
                kind="correction",
                sample=meta.sample,
                draft=meta.draft,
                crumbs=notice_crumbs(data, period),
            )
            yield page(cmeta, "correction.html", notice=view, correction=c)


def _downloads(data: SiteData, period: Period, tables, view) -> Iterator[Route]:
    loc = data.locale
    yield Route(
        paths.download(period.scheme, period.id, "csv"),
        "download",
        data=downloads.to_csv(tables, loc),
    )
    yield Route(
        paths.download(period.scheme, period.id, "xlsx"),
        "download",
        data=downloads.to_xlsx(tables, loc, view["title"], view["date"]),
    )
    meta = {
        "scheme": period.scheme,
        "version": period.version,
        "period": period.id,
        "period_name": data.period_name(period),
        "title": view["title"],
        "status": view["status"],
        "date": view["date"].isoformat(),
        "number": view["number"],
        "sample": data.period_sample(period),
        "corrections": len(period.scores.corrections),
    }
    yield Route(
        paths.download(period.scheme, period.id, "json"),
        "download",
        data=downloads.to_json(tables, meta),
    )
