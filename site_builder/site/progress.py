"""The progress bar of rendering, on standard error, for a site of 200 routes or more."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click


@contextmanager
def counter(total: int, locale: str, show: bool):
    """A function to call with how many routes were just done (a bar when ``show``)."""
    if not show or total < 200:
        yield lambda n: None
        return
    with _bar(locale, length=total) as bar:
        yield bar.update


@contextmanager
def progress(routes: list, locale: str, show: bool):
    """``routes`` to iterate, shown as a bar when ``show``."""
    if not show or len(routes) < 200:
        yield routes
        return
    with _bar(locale, iterable=routes) as bar:
        yield bar


def _bar(locale: str, **kw):
    label = "Rendering pages" if locale == "en" else "正在生成页面"
    return click.progressbar(label=label, file=sys.stderr, width=30, **kw)
