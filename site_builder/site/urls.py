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
    if target.startswith(("#", "http://", "https://", "mailto:", "tel:")):
        return target
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


def root_prefix(from_page: str) -> str:
    """``../`` repeated to reach the site root from ``from_page`` ('' at the root)."""
    depth = from_page.count("/")
    return "../" * depth


def absolute(base_url: str, target: str) -> str:
    """Absolute URL of a root-relative target under the site's ``base_url``."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    target = target.removesuffix("index.html")
    return base + target
