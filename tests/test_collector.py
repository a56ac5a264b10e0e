"""site_builder/collector.py: the collector during scoring and rendering."""

from __future__ import annotations

import gc
import weakref

from site_builder.collector import YOUNG, settled


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_settled_freezes_what_exists_and_restores_the_collector() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with settled():
        assert gc.get_threshold()[0] == YOUNG
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > frozen  # the objects that existed are out of collections
        assert gc.isenabled()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    with settled(None):
        assert gc.get_threshold() == before  # rendering: only frozen
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_made_inside_is_still_collected() -> None:
    """Unlike a paused collector, memory does not grow with the stage: cycles made and dropped
    inside the block are freed by the collections that still run."""
    with settled():
        refs = []
        for _ in range(3 * YOUNG):
            n = _Node()
            if len(refs) < 100:
                refs.append(weakref.ref(n))
            del n
        assert all(r() is None for r in refs)


def test_an_error_inside_restores_the_collector() -> None:
    before = gc.get_threshold()
    try:
        with settled():
            raise ValueError("x")
    except ValueError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
