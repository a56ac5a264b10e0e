"""What the engine produces: immutable results, free of YAML and of HTML.

The site stage reads only these objects (and the validated scheme/units
models); the scoring stage writes only these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.base import Outcome, Step


@dataclass(frozen=True)
class LineResult:
    """One node of the indicator tree for one unit (leaf or subtotal)."""

    id: str
    name: str
    depth: int  # 0 for 一级指标
    type: str  # score | bonus | deduction
    max: Decimal | None
    points: Decimal | None  # None when excluded (not applicable / not in scope)
    raw: Decimal | None
    clip: str | None  # "max" | "cap" | "floor" | None — a cap clipped the points
    clip_note: str | None  # e.g. "扣分不超过加分总数"
    steps: tuple[Step, ...]
    facts: Facts | None  # leaves only; None for subtotals
    status: str = "scored"  # scored | not_applicable | out_of_scope
    is_leaf: bool = True
    disqualified: bool = False


@dataclass(frozen=True)
class VetoResult:
    id: str
    name: str
    effect: str
    reason: str
    date: dt.date | None


@dataclass(frozen=True)
class UnitResult:
    """One unit in one period."""

    unit: str
    group: str
    status: str  # assessed | exempt | absent | not_applicable
    reason: str | None
    lines: tuple[LineResult, ...]  # pre-order traversal of the tree
    base: Decimal  # sum of score-type top-level nodes
    bonus: Decimal  # sum of bonus-type top-level nodes (after caps)
    deduction: Decimal  # sum of deduction-type top-level nodes (≤ 0, after caps)
    coefficient: Decimal
    total: Decimal | None  # rounded once as the scheme declares; None if not assessed
    exact_total: Decimal | None  # before rounding
    max_total: Decimal  # the unit's maximum (after exclusions)
    vetoes: tuple[VetoResult, ...]
    disqualified_by: tuple[str, ...]  # names of lines that cancel honours
    note: str | None

    def line(self, line_id: str) -> LineResult:
        return next(l for l in self.lines if l.id == line_id)

    @property
    def top_lines(self) -> tuple[LineResult, ...]:
        return tuple(l for l in self.lines if l.depth == 0)


@dataclass(frozen=True)
class RankEntry:
    unit: str
    rank: int
    value: Decimal  # the basis value (total, cumulative total or composite)
    tied: bool


@dataclass(frozen=True)
class GroupRanking:
    ranking: str  # ranking id
    name: str
    basis: str
    group: str
    entries: tuple[RankEntry, ...]
    unranked: tuple[tuple[str, str], ...]  # (unit, reason) exempt/absent/…


@dataclass(frozen=True)
class HonourResult:
    honour: str
    name: str
    kind: str  # honour | sanction
    group: str
    chosen: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]  # (unit, reason text) e.g. vetoed
    streaks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodResult:
    """Everything computed for one period file."""

    scheme: str
    version: str
    period: str
    period_name: str
    start: dt.date
    end: dt.date
    stage: str | None
    units: dict[str, UnitResult]
    rankings: tuple[GroupRanking, ...]
    honours: tuple[HonourResult, ...]
    cumulative: dict[str, Decimal]  # unit -> running total over the year/scheme
    stage_totals: dict[str, Decimal]  # unit -> running total in the stage
    composites: dict[str, dict[str, Decimal]]  # composite id -> unit -> value
    conversions: dict[str, dict[str, Decimal]]  # conversion id -> unit -> converted points
    group_medians: dict[str, Decimal]
    previous: str | None  # previous period id of the same scheme


__all__ = ["GroupRanking", "HonourResult", "LineResult", "Outcome", "PeriodResult", "RankEntry", "UnitResult", "VetoResult"]
