"""The Atom feed of notices and the sitemap — both from dates in the sources.

The feed has an entry per notice and one per correction (更正); its
``updated`` is the newest notice or correction date, never the clock.  Without
``site.base_url`` entry links are relative to the feed (Atom allows it) and ids are stable ``urn:uuid`` values derived from the path; the
sitemap, which requires absolute URLs, is only written when ``base_url`` is set.

Whatever got past the checks of ``site.yaml``, these files only ever carry
``http:``/``https:`` URLs: a ``base_url`` of another scheme (``javascript:``,
``data:``, ``file:``…), without a host, or with white space, quotes or angle
brackets fails the build here (:func:`web_base`).  Every text is escaped, and
characters XML 1.0 cannot carry (C0 controls other than tab and newline,
lone surrogates, U+FFFE/U+FFFF) are left out, so the XML is always well formed.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

from site_builder import messages
from site_builder.errors import Mark
from site_builder.site import paths
from site_builder.site.present import i18n
from site_builder.site.data import SiteData
from site_builder.site.failures import fail
from site_builder.site.urls import absolute

messages.register(
    {
        "site.bad_base_url": (
            "base_url“{url}”不是 http(s) 网址，不能写入订阅（feed.xml）和站点地图（sitemap.xml）",
            "请写成 https://域名/路径/ 的形式，如 https://kaohe.example.gov.cn/，或删除 base_url",
            "base_url “{url}” is not an http(s) URL and cannot go into the feed (feed.xml) or the sitemap (sitemap.xml)",
            "write it as https://host/path/, e.g. https://kaohe.example.gov.cn/, or remove base_url",
        ),
    }
)

_NS = uuid.UUID("5b0f4d1e-7c55-4d8e-9a51-5d1b2f0c9e3a")
# characters XML 1.0 cannot carry at all
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# characters a URL in an href or <loc> must never carry unencoded
_NOT_URL = re.compile("[\x00-\x20\x7f-\x9f\"'<>`{}|\\^\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def escape(text: str) -> str:
    """``text`` as XML character data: escaped, and only characters XML allows."""
    return _escape(_NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    return _quoteattr(_NOT_XML.sub("", text))


def web_url(url: str) -> bool:
    """An absolute http(s) URL with a host and nothing that needs escaping to be safe."""
    if _NOT_URL.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def web_base(url: str, locale: str, sources: dict[str, bytes] | None = None) -> str:
    """``url`` if it is an http(s) base URL, else the build fails naming site.yaml's line."""
    if not web_url(url):
        fail("site.bad_base_url", locale, _base_url_mark(sources or {}), url=_NOT_XML.sub("?", url)[:200])
    return url


def _base_url_mark(sources: dict[str, bytes]) -> Mark:
    text = sources.get("site.yaml", b"").decode("utf-8", "replace")
    for n, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"\s*[\"']?base_url\b", line)
        if m:
            return Mark("site.yaml", n, line.index("base_url") + 1)
    return Mark("site.yaml")


def _iso(d) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def _author(data: SiteData, period) -> list[str]:
    """An entry's own author when its notice names another issuer than the site's organisation."""
    from site_builder.site.records.noticedoc import issuer_of

    issuer = issuer_of(data.project, period)
    if issuer == data.project.site.organisation:
        return []
    return [f"<author><name>{escape(issuer)}</name></author>"]


def atom_feed(data: SiteData) -> bytes:
    site = data.project.site
    loc = data.locale
    base = web_base(site.base_url, loc, data.project.sources) if site.base_url else None

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
            *_author(data, p),
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
                *_author(data, p),
                "</entry>",
            ]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


def sitemap(base_url: str, pages: list[str], locale: str = "zh-CN") -> bytes:
    web_base(base_url, locale)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for p in sorted(pages):
        out.append(f"<url><loc>{escape(absolute(base_url, p))}</loc></url>")
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")
