"""Templates' digests, for the keys of incremental builds (:mod:`.reuse`): each template's
digest over its own source and every template it reaches, and whether its pages load the search
index; kept by the digest of the theme's sources in memory and in ``.site-builder/template-digests/``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from site_builder.load import cache

FORMAT = 4  # of a stored entry (the record format it was made for)

def template_digests(env: Any) -> dict[str, str]:
    """Each template's digest over its own source and every template it extends, includes or
    imports, as far as they reach (a page made from ``scorecard.html`` is made again when
    ``macros.html`` changes, not when ``notice.html`` does); a template that names another by an
    expression cannot be followed and is left out (its pages are always made).

    A function of the templates' names and sources alone (and of the syntax the environment
    parses them with): the last answer is kept by their digest, so ``serve`` does not parse an
    unchanged theme again on every rebuild, and with the project's cache of compiled templates
    (``env.bytecode_cache``, :class:`~site_builder.site.present.render.TemplateCache`) in
    ``.site-builder/template-digests/`` (signed, as the cache's entries), so that a build from the
    command line does not parse them either (~0.25 s)."""
    import jinja2

    global _LAST_TEMPLATES
    loader = env.loader
    sources = {name: loader.get_source(env, name)[0] for name in loader.list_templates()}
    h = hashlib.sha256(repr((jinja2.__version__, _syntax(env))).encode())
    seen = cache.framed(h, (part for name, source in sources.items() for part in (name, source))).digest()
    if _LAST_TEMPLATES is not None and _LAST_TEMPLATES[0] == seen:
        return dict(_LAST_TEMPLATES[1])
    store = _digests_store(env)
    entry = cache.SourceCache.key("template digests", str(FORMAT), seen)
    got = store.get(entry) if store is not None else None
    if _stored_digests(got, sources):
        out = dict(got)  # type: ignore[call-overload]
    else:
        out = _template_digests(env, sources)
        if store is not None:
            store.store(entry, out)
    if store is not None:
        store.prune()  # the entry of today's templates alone
    _LAST_TEMPLATES = (seen, dict(out))
    return out


DIGESTS_FOLDER = ".site-builder/template-digests"


def _digests_store(env: Any) -> "cache.SourceCache | None":
    """The folder of the templates' digests in the project whose compiled templates ``env`` keeps
    (None: no such cache, e.g. ``--no-cache``)."""
    kept = getattr(getattr(env, "bytecode_cache", None), "cache", None)
    if not isinstance(kept, cache.SourceCache) or not kept.enabled:
        return None
    store = cache.SourceCache(kept.root, folder=DIGESTS_FOLDER, remember=False)
    return store if store.enabled else None


def _stored_digests(got: Any, sources: Mapping[str, str]) -> bool:
    """An entry as :func:`template_digests` stores it: template name → (digest, search use)."""
    return isinstance(got, dict) and all(
        isinstance(name, str) and name in sources and isinstance(v, tuple) and len(v) == 2
        and isinstance(v[0], str) and v[1] in ("never", "scripts", "always") for name, v in got.items())


_LAST_TEMPLATES: tuple[bytes, dict] | None = None  # (digest of the sources, their template digests)


def _syntax(env: Any) -> tuple:
    """What decides how the environment parses a template (which templates it names)."""
    return (type(env).__qualname__, env.block_start_string, env.block_end_string, env.variable_start_string,
            env.variable_end_string, env.comment_start_string, env.comment_end_string,
            env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
            env.newline_sequence, env.keep_trailing_newline, tuple(sorted(env.extensions)))


def _template_digests(env: Any, sources: dict[str, str]) -> dict[str, str]:
    from jinja2 import meta

    refs: dict[str, set[str] | None] = {}
    for name, source in sources.items():
        try:
            found = set(meta.find_referenced_templates(env.parse(source)))
        except Exception:  # noqa: BLE001 - a template Jinja cannot parse fails when rendered
            found = {None}
        refs[name] = None if None in found else found
    out: dict[str, str] = {}
    for name in sources:
        seen: set[str] = set()
        todo = [name]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            if n not in sources or refs.get(n) is None:
                seen = set()
                break
            seen.add(n)
            todo.extend(refs[n])
        if seen:
            h = cache.framed(hashlib.sha256(), (part for n in sorted(seen) for part in (n, sources[n])))
            out[name] = (h.hexdigest(), _search_use("".join(sources[n] for n in sorted(seen))))
    return out


# The search index is fingerprinted by its content (unit names, periods): only pages that load it
# depend on its file name.  A template links it only inside ``{% if "search" in page.scripts %}``
# (the shipped theme), or anywhere (then every page of that template depends on it).
_SEARCH_BLOCK = re.compile(r'\{%-?\s*if\s+"search"\s+in\s+page\.scripts\s*-?%\}.*?\{%-?\s*endif\s*-?%\}', re.S)
_ASSET_USE = re.compile(r"\bassets\b(?!\s*\.\s*(?:css|js|reload)\b)")


def _search_use(source: str) -> str:
    """never | scripts (only where the page lists "search") | always."""
    if not _ASSET_USE.search(source):
        return "never"
    return "always" if _ASSET_USE.search(_SEARCH_BLOCK.sub("", source)) else "scripts"
