"""Places shared by several groups (名额池) and places “about N” (名额“左右”).

“局机关及直属单位、大厅窗口共6个左右”: one pool of places over two groups that
are ranked apart (the offices by their scores, the service windows by a
composite).  Two ways to share it, declared by ``Pool.split``:

* ``"size"`` (按各组人数比例分配): each group gets ``places × its units ÷ all
  pooled units``, rounded down; the places left go one each to the largest
  remainders (larger group first on equal remainders, then the order the pool
  lists the groups).  Each group then chooses its share by its own ranking, as
  ``top: n`` would.  A group that cannot fill its share leaves the place
  unused: the clause gives the places to the group.
* ``"score"`` (统一按得分排序): the pooled units are ranked together on their
  ranking's figures (the groups must use one ranking) and the best ``places``
  are chosen, wherever they come from.

“可略作调整”: ``Selection.about`` is the declared tolerance; the period file's
``honour_places`` records the number actually awarded, who decided and why.
Without a record the declared number is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from site_builder.ranking.selection import _NONE, Selection, top_n
from site_builder.ranking.ties import Ranked, rank_entries


def allot(places: int, sizes: Sequence[tuple[str, int]]) -> dict[str, int]:
    """The places of each group in proportion to its size, by largest remainders.

    ``sizes`` lists (group, number of units) in the pool's declared order; the
    result keeps that order and always sums to ``places`` (unless every group
    is empty, when nobody gets any).  Computed in integers: exact."""
    if places < 0 or any(n < 0 for _, n in sizes):
        raise ValueError("places and sizes must not be negative")
    total = sum(n for _, n in sizes)
    if total == 0:
        return {g: 0 for g, _ in sizes}
    share = {g: places * n // total for g, n in sizes}
    left = places - sum(share.values())
    order = sorted(range(len(sizes)), key=lambda i: (-(places * sizes[i][1] % total), -sizes[i][1], i))
    for i in order[:left]:
        share[sizes[i][0]] += 1
    return share


def pooled_by_score(ranked: Mapping[str, Sequence[Ranked]], places: int, *, min_score: Decimal | None = None,
                    excluded: Mapping[str, str] = _NONE, ties: str = "include") -> dict[str, Selection]:
    """The best ``places`` units of all the groups ranked together, split back per group.

    ``ranked`` maps group → that group's places (keys of one ranking, so they
    compare); the units are re-ranked together (competition places)."""
    group_of = {r.unit: g for g, rs in ranked.items() for r in rs}
    together = rank_entries([(r.unit, r.key) for rs in ranked.values() for r in rs]) if group_of else []
    sel = top_n(together, places, min_score=min_score, excluded=excluded, ties=ties)
    return {g: Selection(tuple(u for u in sel.chosen if group_of[u] == g),
                         tuple(x for x in sel.excluded if group_of[x[0]] == g)) for g in ranked}


def places_range(places: int, about: int | None) -> tuple[int, int]:
    """The numbers a decision may award: ``places ± about`` (never below 0)."""
    return (max(0, places - (about or 0)), places + (about or 0))
