"""Shared fixtures: scratch projects (see ``tests/scratch``) and a CLI runner."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from browser_fixtures import (  # noqa: F401  (browser fixtures, shared by every test folder)
    _playwright,
    axe_js,
    browser,
    chromium_path,
    open_page,
    run_axe,
    screenshot,
    serious,
    serve_dir,
)
from scratch import make_project

# The suite runs without the source cache (.site-builder/cache/): a test's project must not be
# read from entries another test or an earlier run left.  tests/test_cache.py turns it on.
os.environ["SITE_BUILDER_NO_CACHE"] = "1"
# Where a test turns the cache on and builds twice, a page linked because its pre-key matched the
# last build's is checked against its full key (site_builder/site/output/reuse.py: route_keys).
os.environ["SITE_BUILDER_CHECK_PREKEYS"] = "1"


@pytest.fixture(name="make_project")
def _make_project_fixture():
    """The :func:`make_project` helper as a fixture."""
    return make_project


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()



def _pin_as_of() -> None:
    """Builds without --as-of judge by the newest notice date, as before today's date became the default.

    The sites the tests compare (golden pages, a 公示 still on public notice)
    were written for that date, and a build must not depend on the day the
    tests run.  Set at import, so session-wide built sites see it too; tests
    of the real default (today in Beijing) are marked ``real_today``.
    """
    from site_builder.site import data

    def pinned(project):
        epoch = data.source_date(project.site.locale)
        return epoch if epoch is not None else data.latest_notice_date(project)

    data.default_as_of_real = getattr(data, "default_as_of_real", data.default_as_of)
    data.default_as_of = pinned


_pin_as_of()


@pytest.fixture(autouse=True)
def _real_today(request, monkeypatch):
    if request.node.get_closest_marker("real_today"):
        from site_builder.site import data

        monkeypatch.setattr(data, "default_as_of", data.default_as_of_real)


def pytest_configure(config):
    config.addinivalue_line("markers", "real_today: the build's default as-of date is read from the clock")
