"""A threshold: “现场办结率99.5%以上得满分，否则不得分”.

Full points (or ``points_met``) when the value reaches ``at_least`` (inclusive),
``points_unmet`` (default 0) otherwise.
"""

from __future__ import annotations

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
    fmt,
    pick,
    rule_kind,
    step,
)

messages.register(
    {
        "explain.threshold_met": ("{label} {value}{unit}，达到 {at_least}{unit}，得 {points} 分", "", "{label} {value}{unit} reaches {at_least}{unit}: {points} points", ""),
        "explain.threshold_unmet": ("{label} {value}{unit}，未达到 {at_least}{unit}，得 {points} 分", "", "{label} {value}{unit} is below {at_least}{unit}: {points} points", ""),
    }
)


@rule_kind
class Threshold(Rule):
    """达到标准得分，否则不得分（或得较低分）。"""

    kind: Literal["threshold"] = "threshold"
    label: Text = Field(description="指标，如“按时办结率”")
    unit: str = Field("", description="单位，如“%”")
    at_least: Dec = Field(description="达标值（含）")
    points_met: NonNeg | None = Field(None, description="达标得分，默认满分")
    points_unmet: NonNeg = Field(ZERO, description="未达标得分，默认 0")
    primary: ClassVar[str | None] = "value"
    example = "按时办结率为100%"

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        require(facts, "value", self.kind, report)

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        v = facts.value
        assert v is not None
        met = v >= self.at_least
        pts = (self.points_met if self.points_met is not None else line.max or ZERO) if met else self.points_unmet
        code = "explain.threshold_met" if met else "explain.threshold_unmet"
        s = step(code, label=self.label, value=fmt(v), unit=self.unit, at_least=fmt(self.at_least), points=fmt(pts))
        return Outcome(pts, pts, None, (s,))

    def describe(self, line: LineSpec, locale: str) -> str:
        met = fmt(self.points_met if self.points_met is not None else line.max or ZERO)
        return pick(
            locale,
            f"{self.label}达到{fmt(self.at_least)}{self.unit}及以上的得{met}分，否则得{fmt(self.points_unmet)}分。",
            f"{self.label} of at least {fmt(self.at_least)}{self.unit}: {met} points; otherwise {fmt(self.points_unmet)}.",
        )
