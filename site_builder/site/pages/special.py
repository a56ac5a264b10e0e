"""Pages without data of their own: 404.html and the Atom feed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from site_builder.site.present import i18n
from site_builder.site.data import SiteData
from site_builder.site.output.feeds import atom_feed
from site_builder.site.present import sharing
from site_builder.site.plan import PageMeta, Route, page, page_kind


@page_kind("404")
def not_found(data: SiteData) -> Iterator[Route]:
    meta = PageMeta(
        path="404.html",
        title=i18n.text("notfound.title", data.locale),
        kind="404",
        sample=data.project.site.sample,
        description=sharing.text(data, "share.notfound"),
    )
    yield page(meta, "404.html", url_root=site_root_path(data))


def site_root_path(data: SiteData) -> str:
    """The site's root as an absolute path (``/`` or ``/kaohe/``): 404.html is served at any
    missing address, so its links and stylesheet cannot be relative to where it lies.

    The path comes from ``base_url``; without one the site is taken to be served at the
    host's root (as on Netlify).  The local preview always serves at ``/``.
    """
    base = data.project.site.base_url
    path = urlsplit(base).path if base and not data.options.serve else "/"
    return path if path.endswith("/") else path + "/"


@page_kind("feed")
def feed(data: SiteData) -> Iterator[Route]:
    yield Route("feed.xml", "feed", data=atom_feed(data))
