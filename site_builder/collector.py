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


_HELD = 0  # depth of :func:`held` blocks (a build): their stages leave what they froze frozen
_SETTLED = 0  # depth of :func:`settled` blocks


@contextlib.contextmanager
def settled(young: int | None = YOUNG) -> Iterator[None]:
    """Within the block: what exists now is frozen out of collections and, with ``young``, young
    objects are collected after that many allocations; both restored afterwards.  (Rendering
    passes None: a page's cyclic garbage — template contexts and frames — would pile up between
    rare collections.)  Inside :func:`held`, what the stage made and kept is frozen too when it
    ends, and stays frozen until the held block ends."""
    global _SETTLED
    old = gc.get_threshold()
    gc.freeze()
    if young is not None:
        gc.set_threshold(young, old[1], old[2])
    _SETTLED += 1
    try:
        yield
    finally:
        _SETTLED -= 1
        gc.set_threshold(*old)
        if _HELD:
            gc.freeze()
        else:
            gc.unfreeze()


@contextlib.contextmanager
def held() -> Iterator[None]:
    """A build: the results of each stage live until it ends, so what a :func:`settled` stage froze
    stays frozen between stages.  Unfrozen, the next stage's first full collection would walk the
    whole project and every result again (seconds at a province's size: a rebuild after one edit
    spent a sixth of its time in one such collection while planning pages)."""
    global _HELD
    _HELD += 1
    try:
        yield
    finally:
        _HELD -= 1
        if not _HELD:
            gc.unfreeze()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off: for loading and unpickling, which make objects by the hundred thousand and
    no garbage (each collection on the way would walk them all again).  Inside :func:`settled` or
    :func:`held`, what exists afterwards is frozen with the rest: else the first collection after
    the block would still walk everything it made (they wait in the youngest generation)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _SETTLED or _HELD:
            gc.freeze()
        if enabled:
            gc.enable()
