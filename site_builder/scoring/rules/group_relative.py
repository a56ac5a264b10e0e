"""Group-relative kinds: scored after every unit of the group is known.

Each works on a recorded fact (``value``) or on a computed subtotal of the same
unit (``of: <indicator id>``), over the units of one group that have the line
(units marked not applicable are left out of the comparison).

- ``group_rank``: points from rank within the group (“第1名得10分，第2名得8分…”),
  either a list by rank or ``best`` minus ``step`` per place; tied units share
  the better rank's points.
- ``relative_to_best``: max × value ÷ best value in the group (“以最高分为满分，
  其余按比例得分”); ``lower_is_better`` inverts it (best ÷ value).
- ``relative_to_average``: full points at or above the group average, ``below``
  points otherwise (“各项效能指标不低于全市乡镇平均水平”).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import Bool, Id, NonNeg, Text
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.assessed import require
from site_builder.scoring.rules.base import (
    ZERO,
    LineSpec,
    Outcome,
    Report,
    Rule,
    clamp,
    default_bounds,
    fmt,
    pick,
    rule_kind,
    step,
)

messages.register(
    {
        "explain.group_rank": ("{label} {value}，组内第 {rank} 名，得 {points} 分", "", "{label} {value}, rank {rank} in the group: {points} points", ""),
        "explain.relative_to_best": ("{label} {value}，组内最好 {best}，得 {max} × {ratio} = {raw} 分", "", "{label} {value}, group best {best}: {max} × {ratio} = {raw}", ""),
        "explain.relative_to_average": ("{label} {value}，组内平均 {average}，得 {points} 分", "", "{label} {value}, group average {average}: {points} points", ""),
    }
)


class GroupRelative(Rule):
    group_relative: ClassVar[bool] = True
    primary: ClassVar[str | None] = "value"
    label: Text = Field(description="比较的指标名称")
    of: Id | None = Field(None, description="比较本单位另一项指标的得分（写该指标标识）；不填则比较记录的数值 value")
    lower_is_better: Bool = Field(False, description="数值越小越好（如超时件数）")

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        if self.of is None:
            require(facts, "value", self.kind, report)

    def values(self, facts: Mapping[str, Facts], subtotals: Mapping[str, Decimal]) -> dict[str, Decimal]:
        if self.of is not None:
            return dict(subtotals)
        return {u: f.value for u, f in facts.items() if f.value is not None}

    def better(self, a: Decimal, b: Decimal) -> bool:
        return a < b if self.lower_is_better else a > b


@rule_kind
class GroupRank(GroupRelative):
    """按组内名次计分。"""

    kind: Literal["group_rank"] = "group_rank"
    points: list[NonNeg] = Field(default_factory=list, description="第 1、2、3… 名的得分")
    otherwise: NonNeg = Field(ZERO, description="名次超出列表时的得分")
    best: NonNeg | None = Field(None, description="第 1 名得分（与 step 合用）")
    step: NonNeg | None = Field(None, description="每低一个名次少得的分")
    example = "组内第1名得满分，每低一个名次减0.5分"

    def points_for(self, rank: int) -> Decimal:
        if self.points:
            return self.points[rank - 1] if rank <= len(self.points) else self.otherwise
        top = self.best if self.best is not None else ZERO
        return max(top - (self.step or ZERO) * (rank - 1), ZERO)

    def score_group(self, line, facts, subtotals):
        vals = self.values(facts, subtotals)
        out = {}
        for u, v in vals.items():
            rank = 1 + sum(1 for w in vals.values() if self.better(w, v))
            p = self.points_for(rank)
            value, clip = clamp(p, default_bounds(line))
            out[u] = Outcome(value, p, clip, (step("explain.group_rank", label=self.label, value=fmt(v), rank=rank, points=fmt(value)),))
        return out

    def describe(self, line: LineSpec, locale: str) -> str:
        if self.points:
            seq = "、".join(fmt(p) for p in self.points)
            return pick(locale, f"按{self.label}在组内的名次计分，依次得{seq}分，其余得{fmt(self.otherwise)}分；并列名次得分相同。",
                        f"By rank of {self.label} in the group: {', '.join(fmt(p) for p in self.points)}; others {fmt(self.otherwise)}; ties share points.")
        return pick(locale, f"按{self.label}在组内的名次计分，第1名得{fmt(self.best or ZERO)}分，每低一名减{fmt(self.step or ZERO)}分；并列名次得分相同。",
                    f"By rank of {self.label}: first {fmt(self.best or ZERO)}, minus {fmt(self.step or ZERO)} per place; ties share points.")


@rule_kind
class RelativeToBest(GroupRelative):
    """以组内最好者为满分，其余按比例计分。"""

    kind: Literal["relative_to_best"] = "relative_to_best"
    example = "以组内最高值为满分，其余按比例得分"

    def score_group(self, line, facts, subtotals):
        vals = self.values(facts, subtotals)
        if not vals:
            return {}
        best = min(vals.values()) if self.lower_is_better else max(vals.values())
        top = line.max or ZERO
        out = {}
        for u, v in vals.items():
            if self.lower_is_better:
                ratio = Decimal(1) if v == 0 else best / v
            else:
                ratio = Decimal(1) if best == 0 else v / best
            raw = top * ratio
            value, clip = clamp(raw, default_bounds(line))
            out[u] = Outcome(value, raw, clip, (step("explain.relative_to_best", label=self.label, value=fmt(v), best=fmt(best), max=fmt(top), ratio=fmt(ratio), raw=fmt(raw)),))
        return out

    def describe(self, line: LineSpec, locale: str) -> str:
        return pick(locale, f"以组内{self.label}最好的单位为满分，其余按比例得分。", f"The best {self.label} in the group gets full points; others in proportion.")


@rule_kind
class RelativeToAverage(GroupRelative):
    """不低于组内平均水平得满分，否则得较低分。"""

    kind: Literal["relative_to_average"] = "relative_to_average"
    below: NonNeg = Field(ZERO, description="低于平均水平时的得分，默认 0")
    strict: Bool = Field(False, description="须“高于”平均水平（等于不算）；默认“不低于”即可")
    example = "各项效能指标不低于全市乡镇平均水平"

    def score_group(self, line, facts, subtotals):
        vals = self.values(facts, subtotals)
        if not vals:
            return {}
        group_avg = sum(vals.values(), ZERO) / len(vals)
        top = line.max or ZERO
        out = {}
        for u, v in vals.items():
            # an external reference (“全省县区平均水平”) recorded as target replaces the group average
            avg = facts[u].target if u in facts and facts[u].target is not None else group_avg
            if self.strict:
                ok = v < avg if self.lower_is_better else v > avg
            else:
                ok = v <= avg if self.lower_is_better else v >= avg
            p = top if ok else self.below
            out[u] = Outcome(p, p, None, (step("explain.relative_to_average", label=self.label, value=fmt(v), average=fmt(avg.quantize(Decimal("0.01"))), points=fmt(p)),))
        return out

    def describe(self, line: LineSpec, locale: str) -> str:
        if self.strict:
            return pick(locale, f"{self.label}高于平均水平（组内平均，或记录的参照平均值）的得满分，否则得{fmt(self.below)}分。",
                        f"{self.label} above the average (of the group, or the recorded reference): full points; otherwise {fmt(self.below)}.")
        return pick(locale, f"{self.label}不低于平均水平（组内平均，或记录的参照平均值）的得满分，低于的得{fmt(self.below)}分。",
                    f"{self.label} at or above the average (of the group, or the recorded reference): full points; below: {fmt(self.below)}.")
