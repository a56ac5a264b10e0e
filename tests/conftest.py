"""Shared fixtures: scratch projects (see ``tests/scratch``) and a CLI runner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scratch import make_project


@pytest.fixture(name="make_project")
def _make_project_fixture():
    """The :func:`make_project` helper as a fixture."""
    return make_project


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
