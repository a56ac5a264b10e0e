"""Markdown from ``content/`` and scheme texts, rendered and then sanitised.

Python-Markdown passes raw HTML through, so its output is never trusted: nh3
(ammonia) keeps only the tags a notice needs, drops ``<script>``/``<style>``
together with their content, and removes every link whose scheme is not
http(s), mailto or tel — ``javascript:`` and ``data:`` links lose their
``href``.  Images are not allowed at all: the site makes no external requests.
"""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "a",
    "abbr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitise(html: str) -> Markup:
    """Clean HTML fragment; the only place the site marks HTML as safe."""
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean.strip())


def render_markdown(text: str | None, *, shift_headings: int = 1) -> Markup:
    """Markdown → sanitised HTML.  ``# x`` becomes ``<h2>`` (the page owns ``<h1>``)."""
    if not text:
        return Markup("")
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    html = md.convert(text)
    for level in range(6 - shift_headings, 0, -1):
        html = html.replace(f"<h{level}", f"<h{level + shift_headings}")
        html = html.replace(f"</h{level}>", f"</h{level + shift_headings}>")
    return sanitise(html)
