"""A long build shows progress to a person at a terminal, and nothing in CI or a pipe."""

from __future__ import annotations

import io

import pytest

from site_builder.site import build, render_pool


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    "quiet, ci, tty, expected",
    [(False, None, True, True), (True, None, True, False), (False, "true", True, False), (False, None, False, False)],
)
def test_when_progress_shows(monkeypatch, quiet, ci, tty, expected):
    monkeypatch.delenv("CI", raising=False)
    if ci:
        monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(build.sys, "stderr", _Tty() if tty else io.StringIO())
    assert build.show_progress(quiet) is expected


def test_progress_bar_counts_every_page(monkeypatch):
    err = _Tty()
    monkeypatch.setattr(build.sys, "stderr", err)
    routes = list(range(250))
    with render_pool._progress(routes, "zh-CN", True) as bar:
        seen = list(bar)
    assert seen == routes
    assert "正在生成页面" in err.getvalue() and "100%" in err.getvalue()
    with render_pool._progress(routes[:10], "zh-CN", True) as bar:  # short builds: no bar
        assert bar == routes[:10]
