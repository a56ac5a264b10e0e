"""Proportional points: max × actual / target, capped at max (“未完成的按比例扣分”).

The target is declared by the rule or recorded per unit (``target``).  A
target of 0 gives full points (nothing was asked).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import NonNeg, Text
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
        "explain.proportional": ("完成 {actual}{unit} / 目标 {target}{unit}，得 {max} × {actual} ÷ {target} = {raw} 分", "", "{actual}{unit} of {target}{unit}: {max} × {actual} ÷ {target} = {raw} points", ""),
        "rule.target_missing": ("没有目标数", "请在方案中写 target，或在每个单位的记录中写 target", "no target", "declare target in the rule, or record it per unit"),
    }
)


@rule_kind
class Proportional(Rule):
    """按完成比例计分：满分 × 实际 ÷ 目标，封顶满分。"""

    kind: Literal["proportional"] = "proportional"
    label: Text = Field(description="任务名称，如“信息目标任务”")
    unit: str = Field("", description="单位")
    target: NonNeg | None = Field(None, description="目标数；不填则每个单位记录 target")
    primary: ClassVar[str | None] = "actual"
    types: ClassVar[tuple[str, ...]] = ("score", "bonus")
    example = "全面完成信息目标任务，未完成的按比例扣分"

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        require(facts, "actual", self.kind, report)
        if self.target is None and facts.target is None:
            report("rule.target_missing", ())

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        actual = facts.actual
        target = facts.target if facts.target is not None else self.target
        assert actual is not None and target is not None
        top = line.max or ZERO
        raw = top if target == 0 else top * actual / target
        value, clip = clamp(raw, default_bounds(line))
        s = step("explain.proportional", actual=fmt(actual), target=fmt(target), unit=self.unit, max=fmt(top), raw=fmt(raw))
        return Outcome(value, raw, clip, (s,))

    def describe(self, line: LineSpec, locale: str) -> str:
        tgt = fmt(self.target) + self.unit if self.target is not None else pick(locale, "下达的目标", "the assigned target")
        return pick(
            locale,
            f"按{self.label}完成比例计分：得分＝{fmt(line.max or ZERO)}分×实际完成数÷{tgt}，最高{fmt(line.max or ZERO)}分。",
            f"By completion of {self.label}: {fmt(line.max or ZERO)} × actual ÷ {tgt}, at most {fmt(line.max or ZERO)}.",
        )
