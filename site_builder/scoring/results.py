"""What the engine produces: immutable results, free of YAML and of HTML.

The site stage reads only these objects (and the validated scheme/units
models); the scoring stage writes only these.
"""

from __future__ import annotations

import copyreg
import datetime as dt
import operator
from dataclasses import dataclass, field
from decimal import Decimal

from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.base import Outcome, Step


@dataclass(frozen=True, slots=True)
class LineResult:
    """One node of the indicator tree for one unit (leaf or subtotal).

    Immutable and shared: the units of a period whose line came out equal hold one object
    (scoring/engine.py ``_Shared``), so it has slots rather than a ``__dict__`` (a third smaller) and
    nothing may change it after it is made."""

    id: str
    name: str
    depth: int  # 0 for 一级指标
    type: str  # score | bonus | deduction | adjustment
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
    counts: bool = True  # False: display-only (counts: false), left out of subtotals and the total

    def __reduce__(self) -> tuple:
        # pickled as its values in order, without the field names (a period's results hold one
        # per line per unit: the period cache writes and reads them faster); made again as pickle
        # makes any object, by the class and its state, without calling anything else
        return (copyreg.__newobj__, (LineResult,), _line_values(self))

    def __setstate__(self, values: tuple | dict) -> None:
        # for pickle and copy only, while they make the object (its slots set one by one, past the
        # frozen class's refusal): a line made already is shared and must never be changed
        if type(values) is tuple:
            for put, value in zip(_LINE_SLOTS, values):
                put(self, value)
        else:
            for name, value in values.items():
                object.__setattr__(self, name, value)


_LINE_FIELDS = tuple(LineResult.__dataclass_fields__)
_line_values = operator.attrgetter(*_LINE_FIELDS)
_LINE_SLOTS = tuple(getattr(LineResult, name).__set__ for name in _LINE_FIELDS)


@dataclass(frozen=True)
class VetoResult:
    id: str
    name: str
    effect: str
    reason: str
    date: dt.date | None
    called: str = "veto"  # veto 一票否决 | no_excellence 一票否优 | ineligible 取消评选资格
    since: str | None = None  # carried from an earlier period (lasts: stage|year): its name
    since_period: str | None = None  # … and its id


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
    adjustment: Decimal = Decimal(0)  # sum of adjustment-type top-level nodes (signed)

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
class Span:
    """What a running total sums (累计范围): every period total from ``first`` up to this period."""

    kind: str  # year | stage | scheme
    first: str  # id of the first period summed
    first_name: str  # its name (zh-CN)
    first_name_en: str


@dataclass(frozen=True)
class GroupRanking:
    ranking: str  # ranking id
    name: str
    basis: str
    group: str
    entries: tuple[RankEntry, ...]
    unranked: tuple[tuple[str, str], ...]  # (unit, reason) exempt/absent/…
    span: Span | None = None  # running-total rankings (basis stage / cumulative)
    category: str | None = None  # ranked within this sub-category of the group
    category_name: str | None = None


@dataclass(frozen=True)
class ShareBasis:
    """How a share of a group became a number of places this period (名额的计算):
    “按本组单位数的30%确定，共10个单位，取3名”."""

    counted: int  # the units counted (单位总数: vetoed and excluded ones too)
    share: Decimal  # e.g. 0.3
    rounding: str  # floor | half_up | ceil
    places: int  # share × counted, rounded as declared
    product: Decimal  # share × counted before rounding (exact)


@dataclass(frozen=True)
class HonourResult:
    honour: str
    name: str
    kind: str  # honour | sanction
    group: str
    chosen: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]  # (unit, reason text) e.g. vetoed
    streaks: dict[str, int] = field(default_factory=dict)
    category: str | None = None  # chosen within this sub-category of the group
    category_name: str | None = None
    pending: str | None = None  # not decided in this period: when it will be (in the site's language)
    places: int | None = None  # this group's places when they were shared from a pool or decided “about N”
    note: str | None = None  # how the places were set: “共6个名额，按各组单位数比例分配：…” (site's language)
    share: ShareBasis | None = None  # places computed from a share of the group (select.share)
    quota: tuple[tuple[str, int], ...] = ()  # places per unit category (select.quota), as declared


@dataclass(frozen=True)
class LevelTest:
    """One level's condition as tried for one unit: whether it held, with the figures it read."""

    level: str  # level id
    held: bool
    figures: tuple[tuple[str, Decimal | bool], ...]  # name -> value, in the order of the names


@dataclass(frozen=True)
class UnitLevel:
    """The level (等次) a unit was given in one period, and why (see :mod:`site_builder.ranking.levels`)."""

    unit: str
    level: str  # level id
    name: str  # e.g. 五星, 优秀
    order: int  # 0 for the first (best) level of the scheme
    how: str  # condition | default | vetoed
    tests: tuple[LevelTest, ...]  # the conditions tried, best level first, up to the one that held


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
    running: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # running-total ranking id -> unit -> total
    levels: dict[str, UnitLevel] = field(default_factory=dict)  # unit -> level (schemes with grades:)


__all__ = ["GroupRanking", "HonourResult", "LevelTest", "LineResult", "Outcome", "PeriodResult", "RankEntry", "Span", "UnitLevel", "UnitResult", "VetoResult"]
