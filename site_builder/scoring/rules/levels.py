"""Rating levels: “报送好得6分，较好得4分，一般得2分，差的不得分”.

The period file records the level (its id or its name); the rule maps it to
points.  A level may carry a discretionary range instead of fixed points
(“否则酌情给分”), in which case the record also gives ``points``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import Id, NonNeg, Strict, Text
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.assessed import require
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
from site_builder.scoring.rules.tally import Range

messages.register(
    {
        "facts.unknown_level": (
            "“{level}”不是本项规定的等次",
            "可用的等次：{known}",
            "“{level}” is not one of this line's levels",
            "known levels: {known}",
        ),
        "rule.level_above_max": (
            "等次“{level}”的分值 {points} 超过本项满分 {max}",
            "请核对分值",
            "level “{level}” gives {points}, above the maximum {max}",
            "check the points",
        ),
        "explain.level": ("评定为“{level}”，得 {points} 分", "", "rated “{level}”: {points} points", ""),
    }
)


class Level(Strict):
    id: Id = Field(description="等次标识，如 good")
    name: Text = Field(description="等次名称，如“好”")
    points: NonNeg | Range = Field(description="该等次的得分，或酌情范围 {min, max}")


@rule_kind
class Levels(Rule):
    """按评定等次计分。"""

    kind: Literal["levels"] = "levels"
    levels: list[Level] = Field(min_length=1, description="各等次")
    primary: ClassVar[str | None] = "level"
    example = "报送好得6分，较好得4分，一般得2分，差的不得分"

    def _find(self, text: str) -> Level | None:
        return next((lv for lv in self.levels if text in (lv.id, lv.name)), None)

    def check_scheme(self, line: LineSpec, report: Report) -> None:
        for i, lv in enumerate(self.levels):
            top = lv.points.max if isinstance(lv.points, Range) else lv.points
            if line.max is not None and top > line.max:
                report("rule.level_above_max", ("levels", i, "points"), level=lv.name, points=fmt(top), max=fmt(line.max))

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        if not require(facts, "level", self.kind, report):
            return
        lv = self._find(facts.level or "")
        if lv is None:
            known = "、".join(f"{x.name}（{x.id}）" for x in self.levels)
            report("facts.unknown_level", ("level",), level=facts.level, known=known)
        elif isinstance(lv.points, Range):
            if facts.points is None:
                report("rule.discretionary_points_missing", ("level",), rate=lv.name, min=fmt(lv.points.min), max=fmt(lv.points.max))
            elif not lv.points.min <= facts.points <= lv.points.max:
                report("rule.discretionary_points_range", ("points",), points=fmt(facts.points), min=fmt(lv.points.min), max=fmt(lv.points.max))

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        lv = self._find(facts.level or "")
        assert lv is not None
        pts = facts.points if isinstance(lv.points, Range) else lv.points
        assert pts is not None
        signed = -pts if line.type == "deduction" else pts
        return Outcome(signed, signed, None, (step("explain.level", level=lv.name, points=fmt(pts)),))

    def describe(self, line: LineSpec, locale: str) -> str:
        def amount(lv: Level) -> str:
            if isinstance(lv.points, Range):
                return pick(locale, f"酌情得{fmt(lv.points.min)}—{fmt(lv.points.max)}分", f"{fmt(lv.points.min)}–{fmt(lv.points.max)} points at discretion")
            if lv.points == 0:
                return pick(locale, "不得分", "0 points")
            return pick(locale, f"得{fmt(lv.points)}分", f"{fmt(lv.points)} points")

        parts = [pick(locale, f"{lv.name}的{amount(lv)}", f"{lv.name}: {amount(lv)}") for lv in self.levels]
        return pick(locale, "按评定等次计分：" + "，".join(parts) + "。", "By rating: " + "; ".join(parts) + ".")
