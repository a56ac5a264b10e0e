"""Yes or no: “按时报送年度工作总结的得3分，未报送的不得分”.

The period file records ``done: true`` or ``done: false`` (a bare ``true`` or
``false`` is shorthand); the rule gives ``yes`` points (default: the line's
maximum) or ``no`` points (default 0).  It is the two-level case of
``levels`` without writing the two levels out.
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
        "rule.yes_no_above_max": (
            "{which}的分值 {points} 超过本项满分 {max}",
            "请核对分值",
            "{which_en} gives {points}, above the line's maximum {max}",
            "check the points",
        ),
        "rule.yes_no_order": (
            "未达到的得分 {no} 高于达到的得分 {yes}",
            "请核对 yes 与 no 的分值",
            "“no” gives {no}, more than “yes” ({yes})",
            "check the points of yes and no",
        ),
        "explain.yes": ("{label}：达到，得 {points} 分", "", "{label}: yes, {points} points", ""),
        "explain.no": ("{label}：未达到，得 {points} 分", "", "{label}: no, {points} points", ""),
    }
)


@rule_kind
class YesNo(Rule):
    """达到得分，未达到不得分（或得较低分）。"""

    kind: Literal["yes_no"] = "yes_no"
    label: Text = Field(description="达到的标准，如“按时报送年度工作总结”")
    yes: NonNeg | None = Field(None, description="达到的得分，默认本项满分")
    no: NonNeg = Field(ZERO, description="未达到的得分，默认 0")
    primary: ClassVar[str | None] = "done"
    types: ClassVar[tuple[str, ...]] = ("score", "bonus")
    example = "按时报送年度工作总结的得3分，未报送的不得分"

    def _yes(self, line: LineSpec) -> Decimal:
        return self.yes if self.yes is not None else line.max or ZERO

    def check_scheme(self, line: LineSpec, report: Report) -> None:
        if line.max is not None:
            for key, which, which_en, pts in (("yes", "达到", "“yes”", self._yes(line)), ("no", "未达到", "“no”", self.no)):
                if pts > line.max:
                    report("rule.yes_no_above_max", (key,), which=which, which_en=which_en, points=fmt(pts), max=fmt(line.max))
        if self.no > self._yes(line):
            report("rule.yes_no_order", ("no",), no=fmt(self.no), yes=fmt(self._yes(line)))

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        require(facts, "done", self.kind, report)

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        pts = self._yes(line) if facts.done else self.no
        s = step("explain.yes" if facts.done else "explain.no", label=self.label, points=fmt(pts))
        return Outcome(pts, pts, None, (s,))

    def describe(self, line: LineSpec, locale: str) -> str:
        yes, no = fmt(self._yes(line)), fmt(self.no)
        verb = "加" if line.type == "bonus" else "得"
        no_zh = ("不加分" if line.type == "bonus" else "不得分") if self.no == 0 else f"{verb}{no}分"
        return pick(
            locale,
            f"{self.label}的{verb}{yes}分，否则{no_zh}。",
            f"{self.label}: {yes} points; otherwise {no}.",
        )
