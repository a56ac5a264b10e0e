"""Choosing units by place: the top or bottom n, a share, quotas, streaks.

Every function takes the output of :func:`~site_builder.ranking.ties.rank_entries`
for one group (any order; it is re-sorted by place, then unit id) and returns a
:class:`Selection`.  Decisions common to all of them:

* ``excluded`` maps unit → reason code (``"veto"`` for "被一票否决的单位不得评为
  优秀", ``"exempt"`` for "新组建单位当年免于末位通报").  An excluded unit is
  never chosen, does not take a place, and is always listed with its reason
  (wherever it ranks); filling simply continues with the next units.  Ids in
  ``excluded`` that are not in the ranking are ignored, so one map may serve
  every group.
* ``ties`` decides a tied block that does not fit in the places left:
  ``"include"`` takes the whole block even beyond the limit ("并列的一并入选");
  ``"exclude"`` takes none of it, lists its units with ``"tie_at_limit"`` and
  stops there: no lower-ranked unit moves past units that rank above it.
* Reasons are listed only for units that would otherwise have been chosen:
  units merely ranked too low to be reached are not listed.
* ``chosen`` and ``excluded`` are in ranking order (place, then unit id), for
  ``bottom_n`` too; the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from types import MappingProxyType

from site_builder.ranking.ties import Ranked

TIES = ("include", "exclude")
ROUNDINGS = {"floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "ceil": ROUND_CEILING}
_NONE: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Selection:
    chosen: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]  # (unit, reason code)


class _Walk:
    """Shared bookkeeping: the ranking cut into blocks of one place, minus excluded units."""

    def __init__(self, ranked: Sequence[Ranked], excluded: Mapping[str, str], ties: str) -> None:
        if ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, not {ties!r}")
        ordered = sorted(ranked, key=lambda r: (r.rank, r.unit))
        self.position = {r.unit: i for i, r in enumerate(ordered)}
        if len(self.position) != len(ordered):
            raise ValueError("a unit appears twice in one ranking")
        self.ties = ties
        self.chosen: list[str] = []
        self.notes = [(r.unit, excluded[r.unit]) for r in ordered if r.unit in excluded]
        self.blocks: list[list[Ranked]] = []
        for r in ordered:
            if r.unit in excluded:
                continue
            if self.blocks and self.blocks[-1][0].rank == r.rank:
                self.blocks[-1].append(r)
            else:
                self.blocks.append([r])

    def note(self, block: Iterable[Ranked], reason: str) -> None:
        self.notes.extend((r.unit, reason) for r in block)

    def fill(self, blocks: Iterable[list[Ranked]], limit: int,
             min_score: Decimal | None = None) -> Selection:
        """Take blocks in the given order until ``limit`` places are used.

        A block below ``min_score`` is not taken but uses up its places for the
        walk, so exactly the units that the threshold kept out are listed with
        ``"below_min_score"`` (a threshold overrides a tie at the limit)."""
        used = 0
        for block in blocks:
            if used >= limit:
                break
            good = min_score is None or block[0].key[0] >= min_score
            if len(block) > limit - used and self.ties == "exclude":
                self.note(block, "tie_at_limit" if good else "below_min_score")
                break
            if good:
                self.chosen.extend(r.unit for r in block)
            else:
                self.note(block, "below_min_score")
            used += len(block)
        return self.result()

    def result(self) -> Selection:
        pos = self.position
        return Selection(tuple(sorted(self.chosen, key=pos.__getitem__)),
                         tuple(sorted(self.notes, key=lambda n: pos[n[0]])))


def _count(n: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"{what} must be a non-negative int, not {n!r}")
    return n


def top_n(ranked: Sequence[Ranked], n: int, *, min_score: Decimal | None = None,
          excluded: Mapping[str, str] = _NONE, ties: str = "include") -> Selection:
    """The best ``n`` places' units, e.g. "各组评选前3名为先进单位，并列的一并评为先进"
    → ``top_n(ranked, 3, ties="include")``.

    ``min_score`` serves "得分低于80分的不得评为优秀" (``min_score=Decimal("80")``,
    compared with ``key[0]``): units below it are never chosen; those that would
    have filled the places are listed with ``"below_min_score"``."""
    walk = _Walk(ranked, excluded, ties)
    return walk.fill(walk.blocks, _count(n, "n"), min_score)


def bottom_n(ranked: Sequence[Ranked], n: int, *, excluded: Mapping[str, str] = _NONE,
             ties: str = "include") -> Selection:
    """The worst ``n`` places' units, walking up from the last place, e.g.
    "排名末位的单位予以通报，新组建单位当年免于末位" → ``bottom_n(ranked, 1,
    excluded={"新单位": "exempt"})``: the exempt unit is skipped and the next
    one up is named instead.  ``ties="include"`` names every unit sharing the
    last place ("并列末位的均予通报")."""
    walk = _Walk(ranked, excluded, ties)
    return walk.fill(reversed(walk.blocks), _count(n, "n"))


def share_limit(count: int, share: Decimal, rounding: str = "floor") -> int:
    """``share × count`` rounded to a whole number of units (never below 0),
    computed exactly: 30% of 7 units is 2 with ``"floor"``, 2 with
    ``"half_up"`` and 3 with ``"ceil"``."""
    if not isinstance(share, Decimal) or not share.is_finite() or not 0 <= share <= 1:
        raise ValueError(f"share must be a Decimal between 0 and 1, not {share!r}")
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding must be one of {tuple(ROUNDINGS)}, not {rounding!r}")
    with localcontext() as ctx:
        ctx.prec = len(share.as_tuple().digits) + len(str(count)) + 2  # exact product
        limit = (share * _count(count, "count")).to_integral_value(rounding=ROUNDINGS[rounding])
    return max(0, int(limit))


def top_share(ranked: Sequence[Ranked], share: Decimal, *, rounding: str = "floor",
              min_score: Decimal | None = None, excluded: Mapping[str, str] = _NONE,
              ties: str = "exclude") -> Selection:
    """At most ``share`` of the group's units, best first, e.g.
    "每圈层评选优秀的比例不超过该圈层单位总数的30%" → ``top_share(ranked,
    Decimal("0.3"), rounding="floor", ties="exclude")``.

    The count is every unit in ``ranked``, excluded ones too ("单位总数"):
    vetoing a unit does not shrink the others' share.  "不超过" is why the
    defaults are ``floor`` and ``"exclude"``; ``ties="include"`` may exceed it."""
    walk = _Walk(ranked, excluded, ties)
    return walk.fill(walk.blocks, share_limit(len(ranked), share, rounding), min_score)


def by_quota(ranked: Sequence[Ranked], category_of: Mapping[str, str], quotas: Mapping[str, int],
             *, excluded: Mapping[str, str] = _NONE, ties: str = "exclude") -> Selection:
    """名额配比: e.g. "优秀名额机关1个、基层2个" → ``by_quota(ranked, category_of,
    {"机关": 1, "基层": 2})``.

    Walk by place and take a unit while its category has room.  A unit whose
    category is full (or has no quota) is listed with ``"quota_full"``; the walk
    stops once every category is full.  Ties apply per category: units of one
    category sharing a place are taken or left together; with ``"exclude"``
    a block that does not fit is listed with ``"tie_at_limit"`` and closes its
    category.  Every unit not excluded must have a category (else ValueError)."""
    walk = _Walk(ranked, excluded, ties)
    room = {cat: _count(q, f"quota of {cat!r}") for cat, q in quotas.items()}
    missing = [r.unit for b in walk.blocks for r in b if r.unit not in category_of]
    if missing:
        raise ValueError(f"units without a category: {missing}")
    for block in walk.blocks:
        if all(left <= 0 for left in room.values()):
            break
        per_cat: dict[str, list[Ranked]] = {}
        for r in block:
            per_cat.setdefault(category_of[r.unit], []).append(r)
        for cat, members in per_cat.items():
            left = room.get(cat, 0)
            if left <= 0:
                walk.note(members, "quota_full")
            elif len(members) <= left or ties == "include":
                walk.chosen.extend(r.unit for r in members)
                room[cat] = left - len(members)
            else:
                walk.note(members, "tie_at_limit")
                room[cat] = 0
    return walk.result()


def streaks(history: Sequence[Iterable[str]]) -> dict[str, int]:
    """How many periods in a row, ending with the newest, each unit honoured in
    the newest period has been honoured ("连续三年被评为优秀的" → ``>= 3``).

    ``history`` runs oldest → newest; each period is the set of honoured unit
    ids.  Units not honoured in the newest period are absent from the result;
    keys are in unit id order."""
    periods: list[frozenset[str]] = []
    for period in history:
        if isinstance(period, str):
            raise TypeError("each period must be a collection of unit ids, not a str")
        periods.append(frozenset(period))
    if not periods:
        return {}
    result: dict[str, int] = {}
    for unit in sorted(periods[-1]):
        run = 0
        for period in reversed(periods):
            if unit not in period:
                break
            run += 1
        result[unit] = run
    return result
