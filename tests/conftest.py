"""Shared fixtures: scratch projects (see ``tests/scratch``) and a CLI runner."""

from __future__ import annotations

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


@pytest.fixture(name="make_project")
def _make_project_fixture():
    """The :func:`make_project` helper as a fixture."""
    return make_project


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
