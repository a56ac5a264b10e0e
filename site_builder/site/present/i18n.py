"""Every string of the site's interface, in Chinese (default) and English.

Templates call ``t("key", **params)``; Python code calls :func:`text`.  One
catalogue, kept by area in :mod:`site_builder.site.present.catalogue` (a module
per part of the site, each key next to its neighbours) and merged here; a key
defined twice is refused.  An unknown key is a bug and fails loudly.
"""

from __future__ import annotations

from site_builder.site.present.catalogue import chrome, downloads, notice, pages, scorecard, serve, versions


def _merge(*areas) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for area in areas:
        twice = sorted(out.keys() & area.STRINGS.keys())
        if twice:
            raise RuntimeError(f"UI strings defined twice: {twice}")
        out.update(area.STRINGS)
    return out


_UI = _merge(chrome, notice, downloads, versions, scorecard, pages, serve)


def text(key: str, locale: str, **params: object) -> str:
    try:
        zh, en = _UI[key]
    except KeyError:
        raise RuntimeError(f"unknown UI string {key!r}") from None
    template = en if locale == "en" else zh
    return template.format(**params) if params else template


def strings(locale: str) -> dict[str, str]:
    """Every string of one locale, key → template: what the templates' ``t()`` looks keys up in
    (one dict lookup per call, the same text as :func:`text`)."""
    half = 1 if locale == "en" else 0
    return {key: pair[half] for key, pair in _UI.items()}


def catalogue_keys() -> list[str]:
    return sorted(_UI)
