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


def test_held_keeps_what_each_stage_froze_until_it_ends() -> None:
    """Inside a build, a stage's results stay out of collections after the stage: the next stage's
    collections would otherwise walk them all again."""
    from site_builder.collector import held

    before = gc.get_threshold()
    with held():
        with settled():
            kept = [_Node() for _ in range(1000)]  # made inside the stage, kept after it
        assert gc.get_threshold() == before
        frozen = gc.get_freeze_count()
        assert frozen >= 1000  # what existed and what the stage kept: both frozen
        assert not any(gc.is_tracked(n) and n in gc.get_objects(0) for n in kept[:5])
        with settled(None):
            pass
        assert gc.get_freeze_count() >= frozen
    assert gc.get_freeze_count() == 0  # all back in collections when the build ends
    assert gc.get_threshold() == before
    del kept


def test_paused_loads_without_collections_and_freezes_what_it_made_inside_a_stage() -> None:
    from site_builder.collector import held, paused

    counts = []
    gc.callbacks.append(lambda phase, info: counts.append(info["generation"]) if phase == "start" else None)
    try:
        with paused():
            made = [_Node() for _ in range(50_000)]
            assert not gc.isenabled() and counts == []  # no collection while loading
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0  # outside a stage nothing is frozen
        with held():
            with paused():
                more = [_Node() for _ in range(50_000)]
            assert gc.get_freeze_count() >= 100_000  # frozen: the next collection does not walk them
            gc.collect(0)
            assert more[0] not in gc.get_objects(0) and more[0] not in gc.get_objects(2)
        assert gc.get_freeze_count() == 0
    finally:
        gc.callbacks.pop()
    del made, more


def test_paused_restores_a_disabled_collector() -> None:
    from site_builder.collector import paused

    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
