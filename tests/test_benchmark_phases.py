"""The benchmark's stage timer wraps functions by name (``benchmarks/compare.py`` PHASES): every name
must still be a function of site_builder, or the table's stages silently lose their time (a renamed
or moved function once stopped the benchmark half-way)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _phases() -> dict[str, list[str]]:
    sys.path.insert(0, str(BENCH))
    try:
        import compare
    finally:
        sys.path.remove(str(BENCH))
    return compare.PHASES


def _resolve(name: str) -> object:
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


@pytest.mark.parametrize("phase,name", [(p, n) for p, names in _phases().items() for n in names])
def test_every_timed_stage_function_exists(phase: str, name: str) -> None:
    assert callable(_resolve(name)), f"{phase}: {name}"


def test_the_main_stages_are_all_timed() -> None:
    phases = _phases()
    assert {"load", "validate", "score", "rank", "plan", "render", "write", "downloads", "privacy"} <= set(phases)
