"""Brackets on a count or a percentage: “无网办件得0.5分，1-5件得1分，6-10件得1.5分，
11件及以上得2分”.

Each bracket has an inclusive ``min`` and/or inclusive ``max`` (or exclusive
``below``); a value must fall into exactly one bracket.  Overlapping brackets
are a scheme error; for whole-number facts (``integer: true``, the default when
every bound is whole) gaps between brackets are an error too, and a recorded
value that falls in no bracket is always an error of the period file.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from site_builder import messages
from site_builder.schema.types import Bool, Dec, Strict, Text
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.assessed import require
from site_builder.scoring.rules.base import (
    LineSpec,
    Outcome,
    Report,
    Rule,
    fmt,
    per_object,
    pick,
    rule_kind,
    step,
)

messages.register(
    {
        "rule.bracket_overlap": (
            "第 {a} 档与第 {b} 档范围重叠",
            "调整上下限，使每个数值只落在一档",
            "brackets {a} and {b} overlap",
            "adjust the bounds so each value falls in one bracket",
        ),
        "rule.bracket_gap": (
            "第 {a} 档与第 {b} 档之间有空档（{gap}）",
            "调整上下限，使相邻两档首尾相接",
            "there is a gap between brackets {a} and {b} ({gap})",
            "make adjacent brackets meet",
        ),
        "rule.bracket_above_max": (
            "第 {a} 档的分值 {points} 超过本项满分 {max}",
            "请核对分值",
            "bracket {a} gives {points}, above the line's maximum {max}",
            "check the points",
        ),
        "facts.no_bracket": (
            "数值 {value} 不在任何一档内",
            "请核对数值，或在方案中补充这一档",
            "value {value} falls in no bracket",
            "check the value or add a bracket to the scheme",
        ),
        "explain.bracket": ("{label} {value}{unit}，属于“{range}”档，得 {points} 分", "", "{label} {value}{unit}, bracket “{range}”: {points} points", ""),
    }
)


class Bracket(Strict):
    min: Dec | None = Field(None, description="下限（含）")
    max: Dec | None = Field(None, description="上限（含）")
    below: Dec | None = Field(None, description="上限（不含）")
    points: Dec = Field(description="落在本档的得分")

    def contains(self, v: Decimal) -> bool:
        if self.min is not None and v < self.min:
            return False
        if self.max is not None and v > self.max:
            return False
        if self.below is not None and v >= self.below:
            return False
        return True

    def upper(self) -> tuple[Decimal | None, bool]:
        if self.max is not None:
            return self.max, True
        if self.below is not None:
            return self.below, False
        return None, True

    def words(self, unit: str, locale: str) -> str:
        lo, (hi, inclusive) = self.min, self.upper()
        if lo is not None and hi is not None:
            if lo == hi and inclusive:
                return f"{fmt(lo)}{unit}"
            return f"{fmt(lo)}—{fmt(hi)}{unit}" + ("" if inclusive else pick(locale, "（不含）", " (exclusive)"))
        if lo is not None:
            return pick(locale, f"{fmt(lo)}{unit}及以上", f"{fmt(lo)}{unit} or more")
        if hi is not None and inclusive and hi == 0 and unit not in SIGNED_UNITS:
            return f"0{unit}"  # a count is never below 0: “{max: 0}” is “0次”, not “0次及以下”
        if hi is not None:
            return pick(locale, f"{fmt(hi)}{unit}及以下" if inclusive else f"低于{fmt(hi)}{unit}",
                        f"up to {fmt(hi)}{unit}" if inclusive else f"below {fmt(hi)}{unit}")
        return pick(locale, "任何数值", "any value")


_WORDS_ZH: dict = {}  # (id(bracket), unit) -> (bracket, its words): see per_object


def _words_zh(b: Bracket, unit: str) -> str:
    """``b.words(unit, "zh-CN")``, worded once per bracket (the same for every unit scored in it)."""
    return per_object(_WORDS_ZH, b, lambda: b.words(unit, "zh-CN"), unit)


#: Units of a measure that may fall below 0 (a change of a rate, points); any other unit counts things.
SIGNED_UNITS = frozenset({"", "%", "‰", "分", "元", "万元", "个百分点"})


@rule_kind
class Brackets(Rule):
    """按数量或百分比分档计分。"""

    kind: Literal["brackets"] = "brackets"
    label: Text = Field(description="计数的对象，如“网办件数”“办结率”")
    unit: str = Field("", description="数值的单位，如“件”“%”")
    integer: Bool | None = Field(None, description="数值是否为整数（默认：各档界限都是整数时为是）")
    brackets: list[Bracket] = Field(min_length=1, description="各档")
    _integer: bool = PrivateAttr(default=False)
    primary: ClassVar[str | None] = "value"
    example = "无网办件得0.5分，1-5件得1分，6-10件得1.5分，11件及以上得2分"

    def is_integer(self) -> bool:
        return self._integer

    @model_validator(mode="after")
    def _note_integer(self) -> Brackets:
        """Whether values are whole numbers, decided once when the rule is validated and kept with it
        (a private attribute, as :meth:`.tally.TallyRule._list_rates`)."""
        if self.integer is not None:
            self._integer = self.integer
        else:
            bounds = [b for br in self.brackets for b in (br.min, br.max, br.below) if b is not None]
            self._integer = all(b == b.to_integral_value() for b in bounds)
        return self

    def check_scheme(self, line: LineSpec, report: Report) -> None:
        def lo(b: Bracket) -> Decimal:
            return b.min if b.min is not None else Decimal("-1e30")

        order = sorted(range(len(self.brackets)), key=lambda i: lo(self.brackets[i]))
        for i, j in zip(order, order[1:]):
            a, b = self.brackets[i], self.brackets[j]
            hi, inclusive = a.upper()
            if hi is None or (b.min is not None and (b.min < hi or (inclusive and b.min == hi))):
                report("rule.bracket_overlap", ("brackets", j), a=i + 1, b=j + 1)
            elif b.min is not None and self.is_integer():
                nxt = hi + 1 if inclusive else hi
                if b.min > nxt:
                    report("rule.bracket_gap", ("brackets", j), a=i + 1, b=j + 1, gap=f"{fmt(nxt)}—{fmt(b.min - 1)}")
        for i, b in enumerate(self.brackets):
            if line.max is not None and line.type != "deduction" and b.points > line.max:
                report("rule.bracket_above_max", ("brackets", i, "points"), a=i + 1, points=fmt(b.points), max=fmt(line.max))

    def _find(self, v: Decimal) -> Bracket | None:
        return next((b for b in self.brackets if b.contains(v)), None)

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        if require(facts, "value", self.kind, report) and self._find(facts.value) is None:  # type: ignore[arg-type]
            report("facts.no_bracket", ("value",), value=fmt(facts.value))  # type: ignore[arg-type]

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        v = facts.value
        assert v is not None
        b = self._find(v)
        assert b is not None
        pts = -b.points if line.type == "deduction" else b.points
        s = step("explain.bracket", label=self.label, value=fmt(v), unit=self.unit, range=_words_zh(b, self.unit), points=fmt(b.points))
        # a whole-number count is also the line's number of occurrences (for disqualify)
        n = int(v) if self.is_integer() and v >= 0 and v == v.to_integral_value() else 0
        return Outcome(pts, pts, None, (s,), n)

    def describe(self, line: LineSpec, locale: str) -> str:
        verb = pick(locale, "扣", "minus ") if line.type == "deduction" else pick(locale, "得", "")
        parts = [
            pick(locale, f"{b.words(self.unit, locale)}{verb}{fmt(b.points)}分", f"{b.words(self.unit, locale)}: {verb}{fmt(b.points)} points")
            for b in sorted(self.brackets, key=lambda b: b.min if b.min is not None else Decimal("-1e30"))
        ]
        return pick(locale, f"按{self.label}计分：" + "，".join(parts) + "。", f"By {self.label}: " + "; ".join(parts) + ".")
