"""Python's garbage collector during the stages that make millions of small objects.

Scoring a province's periods or rendering its pages makes objects by the million and little
garbage; with the default thresholds the collector walks every live object again and again (a
fifth of the time of scoring).  :func:`settled` leaves the objects that exist when a stage starts
out of collections (``gc.freeze``: the loaded project and the results of earlier stages, which
forked render workers then also leave untouched, so their memory pages stay shared) and collects
the young ones after 100,000 allocations instead of 700.  Unlike a paused collector, garbage with
cycles is still collected, so memory does not grow with the stage.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG = 100_000  # allocations between collections of the youngest generation (default 700)


@contextlib.contextmanager
def settled(young: int | None = YOUNG) -> Iterator[None]:
    """Within the block: what exists now is frozen out of collections and, with ``young``, young
    objects are collected after that many allocations; both restored afterwards.  (Rendering
    passes None: a page's cyclic garbage — template contexts and frames — would pile up between
    rare collections.)"""
    old = gc.get_threshold()
    gc.freeze()
    if young is not None:
        gc.set_threshold(young, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
