"""Ranking notices (通报/公示), their downloads, corrections and earlier versions.

``notices/<scheme>/<period>/index.html`` reads like the official document:
metadata block, body from ``content/``, one ranking table per group with
honours and sanctions in words, vetoes, exempt and absent units with their
reasons; for a 公示 the window and how to object; for a corrected notice the
correction history with what each correction changed.

Every earlier version of a corrected notice keeps its own page,
``notices/<scheme>/<period>/v<n>/index.html`` with its downloads, rendered by
the same template from the archived data (:mod:`site_builder.site.records.versions`),
under a banner that names the correction which superseded it and lists what
changed.

The views of corrections and earlier versions are in :mod:`.notice_versions`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from markupsafe import Markup

from site_builder.model import Period
from site_builder.scoring.results import VetoResult
from site_builder.site import paths, urls
from site_builder.site.output import dataset_stream, downloads, downloads_json, json_pieces, prekeys, xlsx_pieces
from site_builder.site.output.digest import digest, keyed
from site_builder.site.present import i18n
from site_builder.site.records import noticedoc
from site_builder.site.data import SiteData
from site_builder.site.present.markdown_html import render_markdown
from site_builder.site.pages.common import earlier_versions, is_draft, notice_crumbs
from site_builder.site.present import sharing
from site_builder.site.plan import Once, PageMeta, Route, lazy_page, page, page_kind
from site_builder.site.present.tables import notice_tables
from site_builder.site.pages.notice_versions import corrections_of, superseded_view, version_links


LONG_TABLES = ("lines", "rankings", "honours")  # a notice's long tables beside its table (results)
NOTICE_BATCH = 500  # rows a piece of a notice's long table (one unit's edit changes the batches holding its rows)


@dataclass(frozen=True)
class Attachment:
    """One item of the notice's 附件 list: a results table on the page, or a file to download."""

    label: str
    target: str  # the table's anchor (“#group-…”) or the file's path
    download: bool


def body_of(data: SiteData, period: Period) -> Markup:
    n = period.scores.notice
    if n is None or not n.body:
        return Markup("")
    raw = data.content[f"content/{n.body}"]
    return render_markdown(raw.decode("utf-8"))


_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")


def body_signs_off(data: SiteData, period: Period) -> bool:
    """The body ends with its own 落款 and 成文日期 (an organ's name, then a date such as
    “2019年12月23日” as its last line), as a notice copied from its paper original does:
    the page then does not sign a second time."""
    n = period.scores.notice
    if n is None or not n.body:
        return False
    lines = [ln for ln in noticedoc.decode(data.content[f"content/{n.body}"]).splitlines() if ln.strip()]
    return len(lines) >= 2 and _DATE_LINE.match(lines[-1]) is not None


def notice_view(data: SiteData, period: Period) -> dict:
    sv = data.version_of(period)
    meta = period.scores.notice
    window = period.scores.public_notice
    return {
        "title": data.notice_title(period),
        "target": data.notice_target(period),
        # 发布机关: the notice's own issuer, else the scheme's (the office that
        # assesses); the site's organisation only when neither names one.
        "issuer": noticedoc.issuer_of(data.project, period),
        # 主送: the notice's own, else the site's default; None shows no line
        "addressee": noticedoc.addressee_of(data.project, period),
        "number": meta.number if meta else None,
        "date": data.notice_date(period),
        "index_number": meta.index_number if meta else None,
        "status": data.status(period),
        "source_status": period.status,
        "label": data.label_status(period),
        "window": window,
        # 异议受理: the notice's own, else the scheme's, else the site's (as locked)
        "contact": noticedoc.contact_of(data.project, period),
        "period": period,
        "period_name": data.period_name(period),
        "scheme_title": sv.scheme.title,
        "scheme_target": paths.scheme_doc(period.scheme, period.version),
        "max_total": sv.scheme.total,
        "downloads": {
            **{ext: data.download_target(period, ext) for ext in ("csv", "xlsx", "json")},
            # the long tables: every line's points, every ranking, honours, levels and vetoes
            **{part: data.download_target(period, "csv", part) for part in LONG_TABLES},
        },
        "data_target": paths.data_dictionary(period.scheme),
        "scheme_yaml": paths.scheme_yaml(period.scheme, period.version),
    }


def attachments_of(view: dict, tables, locale: str) -> tuple[Attachment, ...]:
    """附件 of the notice, numbered on the page: each group's results table, then each download
    (“附件：1. 综合管理部门A组考核结果 2. …”)."""
    out = [
        Attachment(i18n.text("notice.attachment.table", locale, group=tbl.name), f"#group-{tbl.id}", False)
        for tbl in tables
    ]
    known = set(i18n.catalogue_keys())
    for ext, target in view["downloads"].items():
        if ext in LONG_TABLES:  # the long tables are data for reuse, listed under 下载 only
            continue
        key = next((k for k in (f"notice.attachment.{ext}", f"notice.download.{ext}") if k in known), None)
        label = i18n.text(key, locale) if key else target.rsplit("/", 1)[-1]  # a file named as it is saved
        out.append(Attachment(label, target, True))
    return tuple(out)


def print_address(data: SiteData, target: str) -> str:
    """Where the printed page lives: its full address under ``base_url``, else its path in the site."""
    base = data.project.site.base_url
    if base:
        return i18n.text("notice.print_address", data.locale, address=urls.absolute(base, target))
    return i18n.text("notice.print_path", data.locale, address=target.removesuffix("index.html"))


def notice_routes(data: SiteData, period: Period) -> Iterator[Route]:
    """The notice of ``period`` as ``data`` shows it (current, or an earlier version), with downloads.

    The page and its files are made when written, from the notice's tables made once for them; an
    unchanged notice is recognised by its period's pre-key (:mod:`..output.prekeys`) without them."""
    shown = data.shown_version(period)
    view = notice_view(data, period)
    history = data.history(period)
    kind = "notice" if not (history and shown) else "notice_version"
    # used by the page and its six files (csv, the long tables, xlsx, json)
    tables = Once(lambda: notice_tables(data, period), users=1 + 3 + len(LONG_TABLES))
    part = Once(lambda: prekeys.period_part(data, period))
    context = partial(_notice_context, data, period, view, tables, history, shown)
    route = lazy_page(view["target"], kind, "notice.html", context,
                      prekey=lambda: keyed(part(), prekeys.body_part(data, period)))
    yield dataclasses.replace(route, done=tables.done)
    yield from _downloads(
        data, period, tables, view, shown or (history.current.n if history else 1), part
    )


def _notice_context(data: SiteData, period: Period, view: dict, tables: Once, history, shown) -> tuple[PageMeta, dict]:
    sv = data.version_of(period)
    superseded = superseded_view(data, period, history, shown) if history and shown else None
    meta = PageMeta(
        path=view["target"],
        title=view["title"]
        if superseded is None
        else i18n.text("version.title", data.locale, title=view["title"], n=shown),
        kind="notice" if superseded is None else "notice_version",
        sample=data.period_sample(period),
        draft=is_draft(data, period),
        crumbs=notice_crumbs(data, period)[: -1 if superseded is None else None],
        noindex=superseded is not None,
        description=sharing.notice(data, period),
    )
    lasts = {c.id: c.lasts for c in data.version_of(period).scheme.vetoes}
    vetoed = [
        (data.unit_name(u.unit, view["date"]), v)
        for uid, u in sorted(data.result(period).units.items())
        for v in u.vetoes
    ]
    # how long each lasts (“自2025年第9周起，至本阶段结束”), beside ``vetoed`` so that older themes still render
    vetoed_lasting = [veto_lasting(v, lasts.get(v.id, "period"), data.locale) for _, v in vetoed]
    return meta, dict(
        notice=view,
        body=body_of(data, period),
        tables=tables(),
        attachments=attachments_of(view, tables(), data.locale),
        print_address=print_address(data, view["target"]),
        signed_in_body=body_signs_off(data, period),
        vetoed=vetoed,
        vetoed_lasting=vetoed_lasting,
        corrections=corrections_of(data, period) if superseded is None else (),
        versions=version_links(data, period, history) if superseded is None else (),
        superseded=superseded,
        max_total=sv.scheme.total,
        footer_issuer=view["issuer"],  # the footer names the notice's issuer, as its 落款 does
    )


@page_kind("notice")
def notice_pages(data: SiteData) -> Iterator[Route]:
    for period in data.periods:
        yield from notice_routes(data, period)
        view = notice_view(data, period)
        for c in corrections_of(data, period):
            cmeta = PageMeta(
                path=c.target,
                title=i18n.text("correction.title", data.locale, notice=view["title"], n=c.n),
                kind="correction",
                sample=data.period_sample(period),
                draft=is_draft(data, period),
                crumbs=notice_crumbs(data, period),
                description=sharing.correction(data, view, c.n),
            )
            yield page(
                cmeta, "correction.html", notice=view, correction=c, footer_issuer=view["issuer"]
            )


@page_kind("notice_version")
def earlier_notice_pages(data: SiteData) -> Iterator[Route]:
    """Every earlier version of every corrected notice, from the archive."""
    for version_data, period in earlier_versions(data):
        yield from notice_routes(version_data, period)


def _downloads(data: SiteData, period: Period, tables: Once, view, version: int, period_part: Once) -> Iterator[Route]:
    """The notice's files (CSV, long tables, XLSX, JSON), made when written: each is a function of
    the notice's tables and view, the period's records and the JSON's meta, which are its inputs;
    each is recognised as unchanged by the period's pre-key without them."""
    loc = data.locale
    records = Once(lambda: dataset_stream.records_of(data, period), users=3 + len(LONG_TABLES))
    meta = {
        "scheme": period.scheme,
        "version": period.version,
        "period": period.id,
        "period_name": data.period_name(period),
        "title": view["title"],
        "status": view["status"],
        "date": view["date"].isoformat(),
        "number": view["number"],
        "issuer": view["issuer"],
        # where objections go, while the 公示 shows the box (the same contact)
        "contact": _contact_meta(view["contact"]) if view["status"] == "public_notice" else None,
        "sample": data.period_sample(period),
        "corrections": len(period.scores.corrections),
        "published_version": version,
        "current": data.shown_version(period) is None,
    }
    # the period's key (what its records are made of), made once for its long tables' pieces
    pks = Once(partial(_period_keys, data, period))
    # the digest of the tables, made once for the six files' keys (not once a file); the records stand in
    # by the period's key (equal keys, equal records: none made to key a file, :func:`..output.dataset_stream.records_key`)
    tables_key = Once(lambda: digest(tables(), loc, swap=False))
    records_key = Once(lambda: dataset_stream.records_key(data, period, (pks() or (None,))[0]))
    files = {
        "csv": (lambda: downloads.to_csv(tables(), loc), lambda: keyed(tables_key())),
        # a batch of rows at a time, unchanged batches taken from the last build's file (:mod:`..output.dataset_pieces`)
        **{part: (partial(lambda part: dataset_stream.csv_chunks(data, period.scheme, part, view["downloads"][part], pks,
                                                                 (period,), NOTICE_BATCH, records), part),
                  partial(lambda part: keyed(part, records_key()), part)) for part in LONG_TABLES},
        # its unchanged sheets taken from the last build's file (:mod:`..output.xlsx_pieces`)
        "xlsx": (lambda: xlsx_pieces.Book(view["downloads"]["xlsx"], lambda old, keyed, check: downloads.to_xlsx(
                     tables(), loc, view["title"], view["date"], records(), old, keyed, check, pieces=True)),
                 lambda: keyed(tables_key(), view["title"], view["date"], records_key())),
        # its unchanged groups taken from the last build's file (:mod:`..output.json_pieces`)
        "json": (lambda: json_pieces.Doc(view["downloads"]["json"], lambda cut, keyed: downloads_json.to_json(
                     tables(), meta, records(), cut, keyed)),
                 lambda: keyed(tables_key(), meta, records_key())),
    }
    prekey = lambda: keyed(period_part())  # noqa: E731 - every file of the notice: its period's part
    for name in ("csv", *LONG_TABLES, "xlsx", "json"):
        make, inputs = files[name]
        yield Route(view["downloads"][name], "download", make=make, inputs=inputs, done=partial(_done, records, tables),
                    prekey=prekey)


def _period_keys(data: SiteData, period: Period) -> tuple[str] | None:
    """The period's key as the keys of a dataset file of that one period (None: it has none)."""
    pk = dataset_stream.period_key(data, period)
    return None if pk is None else (pk,)


def _done(*shared: Once) -> None:
    for once in shared:
        once.done()


def _contact_meta(contact) -> dict | None:
    if contact is None:
        return None
    return {k: v for k, v in contact.model_dump(mode="json").items() if v is not None}


def veto_lasting(v: VetoResult, lasts: str, locale: str) -> str | None:
    """How long a veto lasting beyond its period holds, as the card says it: “自2025年第9周起，至本阶段结束”
    when carried from an earlier period, “至本阶段结束” in the period it was recorded; None for one period."""
    if lasts not in ("stage", "year"):
        return None
    until = i18n.text(f"notice.veto_lasts.{lasts}", locale)
    return i18n.text("notice.veto_since_lasts", locale, since=v.since, until=until) if v.since else until
