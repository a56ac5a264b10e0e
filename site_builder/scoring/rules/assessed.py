"""Assessed points (评分人打分): “重大项目推进度（15分）……依据相关通报及资料如实打分”.

The period file records the points an assessor gave; the rule only checks them
against the line: within [0, max], or for a discretionary bonus “根据实际情况加
1—5分” either 0 or within [min, max].  On a deduction line the recorded figure
is the amount deducted.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import NonNeg
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.base import (
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
        "facts.points_above_max": (
            "得分 {points} 超过本项满分 {max}",
            "请核对评分，得分应在 0 到 {max} 之间",
            "points {points} exceed the line's maximum {max}",
            "check the score: it must be between 0 and {max}",
        ),
        "facts.points_below_min": (
            "得分 {points} 低于本项规定的最低分 {min}（不得分请写 0）",
            "请填写 0 或 {min} 到 {max} 之间的分数",
            "points {points} are below the line's minimum {min} (write 0 for none)",
            "use 0 or a value between {min} and {max}",
        ),
        "facts.points_negative": (
            "得分不能为负数：{points}",
            "扣分项请填写扣分数（正数），由方案决定从总分中减去",
            "points must not be negative: {points}",
            "on a deduction line write the amount deducted as a positive number",
        ),
        "facts.missing_field": (
            "缺少“{field}”：本项的计分规则（{kind}）需要它",
            "请填写 {field}，或写 na 表示不适用（方案允许时）",
            "“{field}” is missing: this line's rule ({kind}) needs it",
            "add {field}, or write na if the scheme allows the line to be not applicable",
        ),
        "explain.assessed": ("评分 {points} 分", "", "assessed {points} points", ""),
        "explain.assessed_deduction": ("扣 {points} 分", "", "{points} points deducted", ""),
        "explain.assessed_adjustment": ("调整 {signed} 分", "", "adjusted by {signed} points", ""),
        "facts.adjustment_range": (
            "调整分 {points} 超出本项规定的 ±{max} 分",
            "请核对，调整分应在 -{max} 到 +{max} 之间（减分写负数）",
            "the adjustment {points} is outside the line's limit of ±{max}",
            "check it: it must be between -{max} and +{max} (negative to subtract)",
        ),
    }
)


def require(facts: Facts, field: str, kind: str, report: Report) -> bool:
    if getattr(facts, field) is None:
        report("facts.missing_field", (), field=field, kind=kind)
        return False
    return True


@rule_kind
class Assessed(Rule):
    """评分人在 0 到满分之间打分。"""

    kind: Literal["assessed"] = "assessed"
    #: on an adjustment line (调整项) the recorded figure is signed: + adds, − subtracts
    types: ClassVar[tuple[str, ...]] = ("score", "bonus", "deduction", "adjustment")
    min: NonNeg | None = Field(
        None, description="酌情加分的最低分（如“加1—5分”写 1）；0 始终允许，表示不加分"
    )
    example = "重大项目推进度（15分）依据相关通报及资料如实打分"

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        if not require(facts, "points", self.kind, report):
            return
        p = facts.points
        assert p is not None
        if line.type == "adjustment":
            if line.max is not None and abs(p) > line.max:
                report("facts.adjustment_range", ("points",), points=fmt(p), max=fmt(line.max))
            return
        if p < 0:
            report("facts.points_negative", ("points",), points=fmt(p))
        elif line.max is not None and p > line.max:
            report("facts.points_above_max", ("points",), points=fmt(p), max=fmt(line.max))
        elif self.min is not None and 0 < p < self.min:
            report(
                "facts.points_below_min",
                ("points",),
                points=fmt(p),
                min=fmt(self.min),
                max=fmt(line.max or 0),
            )

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        p = facts.points
        assert p is not None
        if line.type == "deduction":
            return Outcome(-p, -p, None, (step("explain.assessed_deduction", points=fmt(p)),))
        if line.type == "adjustment":
            return Outcome(p, p, None, (step("explain.assessed_adjustment", signed=f"+{fmt(p)}" if p > 0 else fmt(p)),))
        return Outcome(p, p, None, (step("explain.assessed", points=fmt(p)),))

    def describe(self, line: LineSpec, locale: str) -> str:
        top = fmt(line.max) if line.max is not None else ""
        if line.type == "adjustment":
            if line.max is None:
                return pick(locale, "由评分人酌情加减分，不设上限。", "Added or subtracted at the assessor's discretion, without limit.")
            return pick(locale, f"由评分人酌情加减分，最多加减{top}分。", f"Added or subtracted at the assessor's discretion, at most ±{top} points.")
        if line.type == "deduction":
            if line.max is None:
                return pick(locale, "由评分人酌情扣分。", "Deducted at the assessor's discretion.")
            return pick(locale, f"由评分人酌情扣分，最多扣{top}分。", f"Deducted at the assessor's discretion, at most {top} points.")
        if self.min is not None:
            return pick(
                locale,
                f"根据实际情况加{fmt(self.min)}—{top}分。",
                f"{fmt(self.min)}–{top} points by assessment.",
            )
        return pick(locale, f"由评分人在0至{top}分之间评分。", f"Scored by the assessor between 0 and {top} points.")
