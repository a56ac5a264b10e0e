"""Linear steps from a threshold: “每低1个百分点扣0.5分”.

Points = max − per × steps, steps = (threshold − value) / step for values below
the threshold, floored at 0.  ``partial`` decides a partial step: ``whole``
counts only whole steps (97.5 against 98 is no step), ``started`` counts any
started step (97.5 is one step), ``proportional`` counts the fraction (0.5
step).  The default is ``whole``; schemes should say which they mean.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import Dec, NonNeg, Text
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
        "explain.linear_step": ("{label} {value}{unit}，比 {threshold}{unit} 低 {steps} 档，扣 {minus} 分", "", "{label} {value}{unit} is {steps} steps below {threshold}{unit}: −{minus}", ""),
    }
)


@rule_kind
class LinearStep(Rule):
    """低于标准每差一档扣分（或高于标准每档加分）。"""

    kind: Literal["linear_step"] = "linear_step"
    label: Text = Field(description="指标，如“群众评议满意率”")
    unit: str = Field("", description="单位，如“%”（百分点）")
    threshold: Dec = Field(description="标准值，达到即得满分")
    step: NonNeg = Field(Decimal(1), description="每档的大小，默认 1（如 1 个百分点）")
    per: NonNeg = Field(description="每档扣分")
    partial: Literal["whole", "started", "proportional"] = Field(
        "whole", description="不足一档：whole 不计、started 按一档计、proportional 按比例计"
    )
    primary: ClassVar[str | None] = "value"
    types: ClassVar[tuple[str, ...]] = ("score",)
    example = "群众评议满意率98%以上，每低1个百分点扣0.5分"

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        require(facts, "value", self.kind, report)

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        v = facts.value
        assert v is not None
        gap = max(self.threshold - v, ZERO)
        steps = gap / self.step if self.step else ZERO
        if self.partial == "whole":
            steps = steps.to_integral_value(ROUND_FLOOR)
        elif self.partial == "started":
            steps = steps.to_integral_value(ROUND_CEILING)
        minus = steps * self.per
        top = line.max or ZERO
        raw = top - minus
        value, clip = clamp(raw, default_bounds(line))
        s = step("explain.linear_step", label=self.label, value=fmt(v), unit=self.unit, threshold=fmt(self.threshold), steps=fmt(steps), minus=fmt(minus))
        return Outcome(value, raw, clip, (s,))

    def describe(self, line: LineSpec, locale: str) -> str:
        partial = {
            "whole": pick(locale, "不足一档不扣", "partial steps are not counted"),
            "started": pick(locale, "不足一档按一档扣", "a started step counts as a whole step"),
            "proportional": pick(locale, "不足一档按比例扣", "partial steps count proportionally"),
        }[self.partial]
        return pick(
            locale,
            f"{self.label}达到{fmt(self.threshold)}{self.unit}的得满分，每低{fmt(self.step)}{self.unit}扣{fmt(self.per)}分（{partial}），扣完为止。",
            f"{self.label} at {fmt(self.threshold)}{self.unit} or more: full points; minus {fmt(self.per)} per {fmt(self.step)}{self.unit} below ({partial}), down to 0.",
        )
