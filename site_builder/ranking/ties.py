"""Places with ties: who shares a place, and which place comes next.

A unit's key is a tuple of Decimals, higher is better: ``key[0]`` is the score
and later elements break ties in order (the caller negates a "lower is better"
tie-breaker, e.g. ``(score, -deductions)`` for "得分相同的，扣分少者排名在前").
Units whose whole keys are equal share a place.  Two numberings are offered:

* ``"competition"`` (1, 2, 2, 4): a unit's place is 1 + the number of units
  strictly better than it, so "前三名" never names more than three places'
  worth of units by accident (并列占用名次).
* ``"dense"`` (1, 2, 2, 3): a unit's place is 1 + the number of distinct better
  keys (并列不占用名次).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

METHODS = ("competition", "dense")


@dataclass(frozen=True)
class Ranked:
    """One unit's place; ``tied`` is true when another unit has the same place."""

    unit: str
    rank: int
    key: tuple[Decimal, ...]
    tied: bool


def rank_entries(entries: Sequence[tuple[str, tuple[Decimal, ...]]],
                 method: str = "competition") -> list[Ranked]:
    """Places for ``(unit, key)`` pairs, sorted by place and then unit id.

    The result does not depend on the order of ``entries``.  Keys compare by
    value (``Decimal("1.0")`` equals ``Decimal("1.00")``).  Programming errors
    raise: an unknown method, a repeated unit id, keys that are empty, of
    different lengths, not Decimal, or NaN.
    """
    if method not in METHODS:
        raise ValueError(f"unknown ranking method {method!r}; expected one of {METHODS}")
    seen: set[str] = set()
    items: list[tuple[str, tuple[Decimal, ...]]] = []
    for unit, key in entries:
        key = tuple(key)
        if unit in seen:
            raise ValueError(f"unit {unit!r} appears twice in one ranking")
        if not key or (items and len(key) != len(items[0][1])):
            raise ValueError(f"unit {unit!r}: keys must be non-empty and of one length")
        for k in key:
            if not isinstance(k, Decimal):
                raise TypeError(f"unit {unit!r}: key element {k!r} is not a Decimal")
            if k.is_nan():
                raise ValueError(f"unit {unit!r}: key element is NaN")
        seen.add(unit)
        items.append((unit, key))
    items.sort(key=lambda item: item[0])
    items.sort(key=lambda item: item[1], reverse=True)  # stable: unit ids ascend within a tie

    blocks: list[list[tuple[str, tuple[Decimal, ...]]]] = []
    for item in items:
        if blocks and blocks[-1][0][1] == item[1]:
            blocks[-1].append(item)
        else:
            blocks.append([item])
    result: list[Ranked] = []
    for number, block in enumerate(blocks, start=1):
        rank = len(result) + 1 if method == "competition" else number
        result.extend(Ranked(unit, rank, key, len(block) > 1) for unit, key in block)
    return result
