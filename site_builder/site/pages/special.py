"""Pages without data of their own: 404.html and the Atom feed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from site_builder.site import i18n
from site_builder.site.data import SiteData
from site_builder.site.feeds import atom_feed
from site_builder.site.plan import PageMeta, Route, page, page_kind


@page_kind("404")
def not_found(data: SiteData) -> Iterator[Route]:
    meta = PageMeta(
        path="404.html",
        title=i18n.text("notfound.title", data.locale),
        kind="404",
        sample=data.project.site.sample,
    )
    base = data.project.site.base_url
    # served at any missing path: with a known base URL, resolve links from the site root
    yield page(meta, "404.html", base_href=urlsplit(base).path if base else None)


@page_kind("feed")
def feed(data: SiteData) -> Iterator[Route]:
    yield Route("feed.xml", "feed", data=atom_feed(data))
