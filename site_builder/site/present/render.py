"""The render stage: routes → bytes, with Jinja2 autoescaped and strict.

Autoescape is on for every template; a missing variable is an error
(``StrictUndefined``), never an empty string.  The only ``Markup`` values a
template receives are HTML this package generated itself (sanitised Markdown
from :mod:`.markdown_html`, SVG from :mod:`.charts`); data is always text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from jinja2 import pass_context
from jinja2.runtime import missing

from site_builder.load.cache import SourceCache
from site_builder.site.failures import fail
from site_builder.site.plan import Route
from site_builder.site.present import i18n
from site_builder.site.urls import absolute, relative, root_prefix


def make_environment(templates: Path, common: Mapping[str, Any], cache_root: Path | None = None) -> jinja2.Environment:
    """One environment per build; ``common`` holds what every page shows (site, assets, version).

    With ``cache_root`` (a project, the cache on) templates compiled by an earlier build are read
    from its ``.site-builder/templates/`` instead of being parsed and compiled again
    (:class:`TemplateCache`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    locale = common["locale"]
    env.globals.update(common)
    env.globals["url"] = _url
    env.globals["root"] = _root
    env.globals["page_url"] = _page_url
    env.globals["t"] = t = _text_of(locale)
    env.globals["max_text"] = _max_text_of(t)
    # a card's lines, made in Python (they use this module's filters: imported here)
    from site_builder.site.present.card_lines import card_lines, card_why_items

    env.globals["card_lines"] = card_lines
    env.globals["card_why_items"] = card_why_items
    env.filters["num"] = num
    env.filters["signed"] = signed
    env.filters["pts"] = pts
    env.filters["date"] = lambda d: format_date(d, locale)
    if cache_root is not None:
        env.bytecode_cache = TemplateCache.of(cache_root, env)
    return env


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in ``.site-builder/templates/``, one entry per template source.

    Jinja's own file cache would run whatever code a file in its folder holds, once its header
    names the template's checksum; here an entry is the cache's (:mod:`site_builder.load.cache`):
    signed with this user's secret key (a truncated, altered, planted or copied entry never
    verifies and is compiled afresh), keyed by the tool's fingerprint, Jinja's version, the
    template's name and file and the digest of its source.  Entries of templates that changed or
    went away are deleted when the cache is opened.
    """

    FOLDER = ".site-builder/templates"

    def __init__(self, cache: SourceCache) -> None:
        self.cache = cache

    @classmethod
    def of(cls, root: Path, env: jinja2.Environment) -> TemplateCache | None:
        """The cache of the project at ``root`` for ``env``'s templates (None with the cache off)."""
        cache = SourceCache(root, folder=cls.FOLDER, remember=False)
        if not cache.enabled:
            return None
        self = cls(cache)
        try:  # keep the entries of today's templates, delete the rest
            for name in env.loader.list_templates():
                source, filename, _ = env.loader.get_source(env, name)
                cache.keep(self.entry(self.get_cache_key(name, filename), self.get_source_checksum(source)))
        except (OSError, jinja2.TemplateError, UnicodeError):
            return self  # a template that cannot be read fails when rendered; nothing is pruned
        cache.prune()
        return self

    @staticmethod
    def entry(key: str, checksum: str) -> str:
        return SourceCache.key("jinja", jinja2.__version__, key, checksum)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        blob = self.cache.get(self.entry(bucket.key, bucket.checksum))
        if isinstance(blob, bytes):
            bucket.load_bytecode(io.BytesIO(blob))  # Jinja checks its header and the checksum again

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        out = io.BytesIO()
        bucket.write_bytecode(out)
        self.cache.store(self.entry(bucket.key, bucket.checksum), out.getvalue())


def _text_of(locale: str) -> Callable[..., str]:
    """The templates' ``t(key, **params)``: :func:`i18n.text` of ``locale``, with the locale's
    strings looked up in one dict (a card calls it hundreds of times)."""
    strings = i18n.strings(locale)

    def t(key: str, **params: object) -> str:
        try:
            template = strings[key]
        except KeyError:
            raise RuntimeError(f"unknown UI string {key!r}") from None
        return template.format(**params) if params else template

    return t


_MAX_KEYS = {"bonus": "max.bonus", "deduction": "max.deduction", "adjustment": "max.adjustment"}


def _max_text_of(t: Callable[..., str]) -> Callable[[str, Decimal | None], str]:
    """The templates' ``max_text(type, max)``: a line's maximum in words (“10 分”, “最多加 5 分”,
    “不设上限”; “—” for a score line without one). A function, not a macro: a card shows it on
    every line."""

    def max_text(type: str, max: Decimal | None) -> str:
        if max is None:
            return t("max.uncapped") if type in ("bonus", "deduction", "adjustment") else "—"
        return t(_MAX_KEYS.get(type, "max.score"), max=pts(max))

    return max_text


@pass_context
def _url(ctx: Any, target: str) -> str:
    # a page served at any address (404.html) links from the site's root path instead
    fixed = ctx.resolve_or_missing("url_root")  # ctx.get("url_root"), without its KeyError
    if fixed is not missing and fixed and not target.startswith(("#", "http://", "https://")):
        return fixed + target
    return relative(ctx["page"].path, target)


@pass_context
def _page_url(ctx: Any) -> str:
    """The page's full address for sharing (og:url); empty without ``base_url``."""
    base = ctx["site"].base_url
    return absolute(base, ctx["page"].path) if base else ""


@pass_context
def _root(ctx: Any) -> str:
    return ctx.get("url_root") or root_prefix(ctx["page"].path)


def num(value: Decimal | int | None) -> str:
    """A number exactly as computed (no exponent, no float rounding); ``—`` for none."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return format(value, "f")


def trim(value: Decimal | None, places: int) -> Decimal | None:
    """A figure derived from published ones (a sum of totals, a median) as the scheme publishes
    figures: trailing zeros beyond the scheme's ``places`` dropped (110.500 → 110.5 with one
    place; 85.00 stays with two), the value itself unchanged."""
    if value is None or isinstance(value, int) or not value.is_finite():
        return value
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    while exponent < -places and value == value.quantize(Decimal(1).scaleb(exponent + 1)):
        exponent += 1
        value = value.quantize(Decimal(1).scaleb(exponent))
    return value


@lru_cache(maxsize=8192, typed=True)
def pts(value: Decimal | None) -> str:
    """Points of a line as people write them: 18, 9.5, 9.66 (no trailing zeros).

    A value with more than four decimals (an average, a rescaled line) is shown
    to two decimals and marked ≈, so the page never prints 27.3333333333….

    Remembered by value (a card shows hundreds of figures, most of them repeated on every card):
    equal values are written alike (10, 10.0 and 1E+1 all as “10”; −0 as “0”), and ``typed`` keeps
    an ``int`` apart from the ``Decimal`` it equals.
    """
    if value is None:
        return "—"
    text = format(value, "f")  # exactly as many decimals as the value's exponent says
    dot = text.find(".")
    if dot < 0:
        return "0" if text == "-0" else text
    if len(text) - dot > 5 and value != value.quantize(_TEN_THOUSANDTH):  # more than four decimals
        return "≈" + pts(value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_TEN_THOUSANDTH = Decimal("0.0001")
_HUNDREDTH = Decimal("0.01")


def signed(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = num(value)
    return text if value <= 0 else "+" + text


def format_date(d: dt.date | None, locale: str) -> str:
    if d is None:
        return "—"
    if locale == "en":
        return d.isoformat()
    return f"{d.year}年{d.month}月{d.day}日"


def render_route(env: jinja2.Environment, route: Route, locale: str) -> bytes:
    if route.data is not None:
        return route.data
    assert route.template is not None
    try:
        html = env.get_template(route.template).render(route.context)
    except jinja2.TemplateError as exc:
        fail(
            "site.template_error", locale, template=route.template, path=route.path, error=str(exc)
        )
    return html.encode("utf-8")
