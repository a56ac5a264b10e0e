"""A score card's lists made in Python, one call per list: ``card_lines`` (every line with its
points, maximum, explanation, events, the group's figures and the link to its clause) and
``card_why_items`` (the points lost or gained, by line), both called from ``scorecard.html``.

A card shows some fifty lines; as template markup each line was dozens of escapes, attribute
look-ups and function calls, the largest single cost of a build.  Here a line is a few string
joins.  Every piece of data is escaped where it is joined (:func:`_esc`, markupsafe's escape);
the only text not escaped is this module's own markup and figures put in words by
:func:`.render.pts` (digits, sign, point, ≈).  The markup is what the template wrote, byte for
byte (``tests/site/test_card_lines.py`` renders both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape

from site_builder.site.present.render import _url, format_date, num, pts
from site_builder.site.urls import link_prefix


@lru_cache(maxsize=16384, typed=True)
def _esc(text: str) -> str:
    """``text`` escaped, as plain text to join.  Names, explanations and the group's figures repeat
    from card to card, so most are escaped once per process.  ``typed``: a ``Markup`` is never
    taken for the plain string it equals, nor the string for it."""
    return str(escape(text))


@pass_context
def card_lines(ctx: Any, lines: Iterable[Any], hidden: Iterable[str]) -> Markup:
    """The ``<li>`` of every line (:class:`.card_views.LineView`) whose id is not in
    ``hidden`` (the lines folded away), each ending in a newline.  A clause's link is the page's
    way up to the site's root and the clause (:func:`.urls.link_prefix`), as ``url()`` gives it."""
    words = _words(ctx)
    page = ctx["page"].path
    url_root = ctx.get("url_root")
    hidden = set(hidden)
    out: list[str] = []
    for line in lines:
        if line.id not in hidden:
            clause = line.clause
            up = link_prefix(page, clause, url_root)
            _line(line, words, out, _url(ctx, clause) if up is None else up + clause)
    return Markup("".join(out))


@pass_context
def card_why_items(ctx: Any, items: Iterable[Any], key: str) -> Markup:
    """The ``<li>`` of every item (:class:`.card_why.WhyItem`) of the points lost or gained, its
    points in the words of ``key`` (``card.why.item_lost``: “失 2 分”), each ending in a newline."""
    t = ctx["t"]
    colon, semi = _esc(t("p.colon")), _esc(t("p.semi"))
    out = []
    for i in items:
        facts = f"{_esc(i.facts)}{semi}" if i.facts else ""
        out.append(f'<li><a href="#line-{_esc(i.id)}">{_esc(i.name)}</a>{colon}{facts}'
                   f'<strong>{_esc(t(key, n=pts(i.points)))}</strong></li>\n')
    return Markup("".join(out))


def _words(ctx: Any) -> _Words:
    """The :class:`_Words` of the build ``ctx`` belongs to (its ``t``, ``max_text`` and locale are
    the environment's), made once per environment."""
    t, max_text, locale = ctx["t"], ctx["max_text"], ctx["locale"]
    w = _WORDS[0]
    if w is None or w.t is not t or w.max_text is not max_text or w.locale != locale:
        w = _WORDS[0] = _Words(ctx)
    return w


_WORDS: list[_Words | None] = [None]


class _Words:
    """What every line of a card repeats, looked up and escaped once per environment."""

    def __init__(self, ctx: Any) -> None:
        t: Callable[..., str] = ctx["t"]
        self.t, self.max_text, self.locale = t, ctx["max_text"], ctx["locale"]
        self.lp, self.rp = _esc(t("p.lp")), _esc(t("p.rp"))
        self.comma, self.semi = _esc(t("p.comma")), _esc(t("p.semi"))
        self.uncapped = _esc(t("max.uncapped"))
        self.display_only = _esc(t("card.display_only"))
        self.events = _esc(t("card.events"))
        self.clause_open = f'">{_esc(t("card.clause"))}<span class="vh">{_esc(t("p.colon"))}'
        self.maxima: dict[tuple[str, Decimal | None], str] = {}

    def maximum(self, type: str, max: Decimal | None) -> str:
        got = self.maxima.get((type, max))
        if got is None:
            got = self.maxima[(type, max)] = _esc(self.max_text(type, max))
        return got


def _line(line: Any, w: _Words, out: list[str], href: str) -> None:
    """One line's ``<li>``; ``href``: the link from the page to the line's clause."""
    leaf = line.is_leaf
    name = _esc(line.name)
    out.append(f'<li class="d{line.depth:d}{"" if leaf else " sub"}" id="line-{_esc(line.id)}">\n'
               f'<div class="lh">{name if leaf else f"<strong>{name}</strong>"} <span class="lp">')
    points = line.points
    if points is None:
        out.append("—")
    else:
        plus = "+" if line.type == "adjustment" and points > 0 else ""
        out.append(f"<strong>{plus}{pts(points)}</strong>")
    out.append(f"<small> / {w.uncapped if line.uncapped else w.maximum(line.type, line.max)}</small>")
    if not line.counts:
        out.append(f' <span class="mark mark-display-only">{w.display_only}</span>')
    out.append("</span></div>\n")
    if leaf:
        if line.steps:
            out.append(f'<ul class="steps">{"".join([f"<li>{_esc(s)}</li>" for s in line.steps])}</ul>\n')
        if line.events:
            out.append(f'<ul class="events" aria-label="{w.events}">\n')
            for e in line.events:
                _event(e, w, out)
            out.append("</ul>\n")
        if line.note:
            out.append(f'<p>{_esc(w.t("card.note", note=line.note))}</p>\n')
        if line.peers:
            out.append(f'<p class="peer">{_esc(line.peers)}</p>\n')
        if line.clip:
            _clip(line, w, out)
        out.append(f'<p class="clause-link"><a href="{_esc(href)}{w.clause_open}{name}</span></a></p>\n')
    elif line.clip:
        _clip(line, w, out)
    out.append("</li>\n")


def _event(e: Any, w: _Words, out: list[str]) -> None:
    """One event: its date, what happened (its title; else its note, which then says it) and who,
    then its count and points, each after a comma only when something came before it, and its note
    after a semicolon likewise (“，” and “；” in Chinese)."""
    out.append("<li>")
    if e.date:
        out.append(f'<time datetime="{_esc(e.date.isoformat())}">{_esc(format_date(e.date, w.locale))}</time> ')
    text, note = e.text, e.note
    if not text and not e.person:  # a note alone says what happened: it comes first
        text, note = note or "", None
    out.append(_esc(text))
    if e.person:
        out.append(f"{w.lp}{_esc(e.person)}{w.rp}")
    said = bool(text or e.person)
    for shown, key, n in ((e.count != 1, "card.event.count", e.count),
                          (e.points is not None, "card.event.points", e.points)):
        if shown:
            out.append(f'{w.comma if said else ""}{_esc(w.t(key, n=n if key.endswith("count") else num(n)))}')
            said = True
    if note:
        out.append(f'{w.semi if said else ""}{_esc(note)}')
    out.append("</li>\n")


def _clip(line: Any, w: _Words, out: list[str]) -> None:
    out.append(f'<p class="clip">{_esc(w.t("card.clipped." + line.clip_kind, note=line.clip))}')
    if line.raw is not None:
        out.append(f'{w.lp}{_esc(w.t("card.raw", raw=pts(line.raw)))}{w.rp}')
    out.append("</p>\n")
