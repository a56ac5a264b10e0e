"""Relative links between output files.

Every link on the site is relative, so ``_site/`` works under any path, from
a zip file and from ``file://``.  Targets are written as root-relative paths
(``notices/a/2017-q3/index.html``) and resolved against the page being
rendered.  Directory links always name ``index.html``: ``file://`` does not
serve directory indexes.
"""

from __future__ import annotations

from functools import lru_cache


def relative(from_page: str, target: str) -> str:
    """Link from the page at ``from_page`` to the root-relative ``target``.

    >>> relative("notices/a/q3/index.html", "units/x/index.html")
    '../../../units/x/index.html'
    >>> relative("index.html", "index.html#top")
    'index.html#top'
    """
    if target.startswith(_AS_IS):
        return target
    head, sep, _ = from_page.partition("/")
    if target and (not sep or not target.startswith(head + "/")):
        # outside the page's first folder: up to the root, then the target (a card links dozens
        # of targets, and each card is a page of its own: nothing to remember)
        return "../" * from_page.count("/") + target
    path, sep, fragment = target.partition("#")
    return _link(from_page, path) + sep + fragment


@lru_cache(maxsize=4096)
def _link(from_page: str, path: str) -> str:
    """The path part of :func:`relative`; remembered, as a card links to one document per line."""
    here = from_page.split("/")[:-1]
    there = (path or from_page).split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


_AS_IS = ("#", "http://", "https://", "mailto:", "tel:")


def link_prefix(from_page: str, target: str, url_root: str | None = None) -> str | None:
    """What goes before ``target`` to link to it from ``from_page``, when that depends only on how
    deep the page is: ``relative(from_page, target) == link_prefix(...) + target``.  None when the
    target shares the page's first folder (or is empty): then :func:`relative` walks the folders.
    ``url_root``: the root path of a page served at any address (404.html), as ``url()`` reads it.

    >>> link_prefix("units/x/s/p/index.html", "schemes/s/v1/index.html#ind-a")
    '../../../../'
    >>> link_prefix("units/x/s/p/index.html", "units/y/index.html") is None
    True
    """
    if url_root:
        return "" if target.startswith(("#", "http://", "https://")) else url_root
    if target.startswith(_AS_IS):
        return ""
    if not target:
        return None
    head, sep, _ = from_page.partition("/")
    if not sep:  # a page at the root: a target is linked as written
        return ""
    if target.startswith(head + "/"):
        return None
    return "../" * from_page.count("/")


def root_prefix(from_page: str) -> str:
    """``../`` repeated to reach the site root from ``from_page`` ('' at the root)."""
    depth = from_page.count("/")
    return "../" * depth


def absolute(base_url: str, target: str) -> str:
    """Absolute URL of a root-relative target under the site's ``base_url``."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    target = target.removesuffix("index.html")
    return base + target
