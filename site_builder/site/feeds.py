"""The Atom feed of notices and the sitemap — both from dates in the sources.

The feed has an entry per notice and one per correction (更正); its
``updated`` is the newest notice or correction date, never the clock.  Without
``site.base_url`` entry links are relative to the feed (Atom allows it) and ids are stable ``urn:uuid`` values derived from the path; the
sitemap, which requires absolute URLs, is only written when ``base_url`` is set.
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape, quoteattr

from site_builder.site import i18n, paths
from site_builder.site.data import SiteData
from site_builder.site.urls import absolute

_NS = uuid.UUID("5b0f4d1e-7c55-4d8e-9a51-5d1b2f0c9e3a")


def _iso(d) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def atom_feed(data: SiteData) -> bytes:
    site = data.project.site
    base = site.base_url
    loc = data.locale

    def link(target: str) -> str:
        return absolute(base, target) if base else target

    def ident(target: str) -> str:
        return absolute(base, target) if base else f"urn:uuid:{uuid.uuid5(_NS, target)}"

    periods = data.notices_latest_first()
    stamps = [data.notice_date(p) for p in periods] + [
        c.date for p in periods for c in p.scores.corrections
    ]
    updated = max(stamps, default=data.options.as_of)
    title = i18n.text("feed.title", loc, site=site.title)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{loc}">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(ident(paths.home()))}</id>",
        f"<updated>{_iso(updated)}</updated>",
        f"<author><name>{escape(site.organisation)}</name></author>",
        f'<link rel="alternate" type="text/html" href={quoteattr(link(paths.home()))}/>',
    ]
    if base:
        out.append(
            f'<link rel="self" type="application/atom+xml" href={quoteattr(absolute(base, "feed.xml"))}/>'
        )
    for p in periods:
        target = paths.notice(p.scheme, p.id)
        changed = max([data.notice_date(p), *(c.date for c in p.scores.corrections)])
        number = p.scores.notice.number if p.scores.notice and p.scores.notice.number else ""
        status = i18n.text(f"status.{data.label_status(p)}", loc)
        summary = " ".join(x for x in (status, number, data.period_name(p)) if x)
        out += [
            "<entry>",
            f"<title>{escape(data.notice_title(p))}</title>",
            f"<id>{escape(ident(target))}</id>",
            f'<link rel="alternate" type="text/html" href={quoteattr(link(target))}/>',
            f"<published>{_iso(data.notice_date(p))}</published>",
            f"<updated>{_iso(changed)}</updated>",
            f"<summary>{escape(summary)}</summary>",
            "</entry>",
        ]
        for n, c in enumerate(p.scores.corrections, start=1):  # each correction is news of its own
            target = paths.correction(p.scheme, p.id, n)
            title = i18n.text("correction.title", loc, notice=data.notice_title(p), n=n)
            summary = " ".join(x for x in (c.number or "", c.reason) if x)
            out += [
                "<entry>",
                f"<title>{escape(title)}</title>",
                f"<id>{escape(ident(target))}</id>",
                f'<link rel="alternate" type="text/html" href={quoteattr(link(target))}/>',
                f"<published>{_iso(c.date)}</published>",
                f"<updated>{_iso(c.date)}</updated>",
                f"<summary>{escape(summary)}</summary>",
                "</entry>",
            ]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


def sitemap(base_url: str, pages: list[str]) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for p in sorted(pages):
        out.append(f"<url><loc>{escape(absolute(base_url, p))}</loc></url>")
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")
