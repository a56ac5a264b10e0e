"""A quota per period with a shortfall penalty and a capped excess bonus:
“每月报送2篇，少1篇扣5分，每超出一篇加1分（加分不超过5分）”.

Points = max − shortfall × per (floored at 0) + min(excess × per, cap).  The
excess bonus may lift the line above its maximum by at most ``excess_cap``;
that is declared by the scheme, so the line's ceiling is max + excess_cap.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import NonNeg, Text
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.assessed import require
from site_builder.scoring.rules.base import (
    ZERO,
    Bounds,
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
        "explain.quota": (
            "应完成 {target}{unit}，实际 {count}{unit}：少 {short}{unit} 扣 {minus} 分，超 {excess}{unit} 加 {plus} 分",
            "",
            "target {target}{unit}, actual {count}{unit}: {short} short −{minus}, {excess} over +{plus}",
            "",
        ),
    }
)


@rule_kind
class Quota(Rule):
    """定额任务：少一项扣分，超出加分（加分封顶）。"""

    kind: Literal["quota"] = "quota"
    label: Text = Field(description="任务名称，如“信息报送”")
    unit: str = Field("", description="单位，如“篇”")
    target: NonNeg = Field(description="每期应完成数")
    shortfall_per: NonNeg = Field(description="每少一项扣分")
    excess_per: NonNeg = Field(ZERO, description="每超出一项加分")
    excess_cap: NonNeg = Field(ZERO, description="超额加分上限")
    primary: ClassVar[str | None] = "count"
    types: ClassVar[tuple[str, ...]] = ("score",)
    example = "每月报送2篇，少1篇扣5分，每超出一篇加1分（加分不超过5分）"

    def bounds(self, line: LineSpec) -> Bounds:
        return Bounds(ZERO, (line.max or ZERO) + self.excess_cap)

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        require(facts, "count", self.kind, report)

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        n = Decimal(facts.count or 0)
        top = line.max or ZERO
        short = max(self.target - n, ZERO)
        excess = max(n - self.target, ZERO)
        minus = short * self.shortfall_per
        plus_raw = excess * self.excess_per
        plus = min(plus_raw, self.excess_cap)
        base = max(top - minus, ZERO)
        raw = top - minus + plus_raw
        value = base + plus
        clip = "cap" if plus < plus_raw else ("floor" if top - minus < 0 else None)
        s = step("explain.quota", target=fmt(self.target), unit=self.unit, count=fmt(n), short=fmt(short), minus=fmt(minus), excess=fmt(excess), plus=fmt(plus))
        return Outcome(value, raw, clip, (s,), int(short))

    def describe(self, line: LineSpec, locale: str) -> str:
        text = pick(
            locale,
            f"每期应完成{self.label}{fmt(self.target)}{self.unit}，少1{self.unit}扣{fmt(self.shortfall_per)}分",
            f"{self.label}: {fmt(self.target)}{self.unit} per period; minus {fmt(self.shortfall_per)} per {self.unit or 'item'} short",
        )
        if self.excess_per:
            text += pick(
                locale,
                f"，每超出1{self.unit}加{fmt(self.excess_per)}分（加分不超过{fmt(self.excess_cap)}分）",
                f", plus {fmt(self.excess_per)} per extra (at most {fmt(self.excess_cap)})",
            )
        return text + pick(locale, "。", ".")
