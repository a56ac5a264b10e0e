"""A safe formula, the escape hatch for clauses no other kind covers.

``expr`` uses named facts recorded per unit under ``values``, the line's
maximum as ``max``, numbers, + − × ÷, min, max, clamp, if, comparisons.  It
is parsed by :mod:`site_builder.scoring.formula` and evaluated on Decimal —
never Python ``eval``.  The result is clamped to the line's bounds and the
clamp is shown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import Text
from site_builder.scoring.facts import Facts
from site_builder.scoring.formula import FormulaError, check_types, compile_formula, describe
from site_builder.scoring.rules.base import (
    LineSpec,
    Outcome,
    Report,
    Rule,
    clamp,
    fmt,
    pick,
    rule_kind,
    step,
)

messages.register(
    {
        "rule.formula_invalid": ("公式有误：{detail}", "请按文档中的公式语法修改", "formula error: {detail}", "see the formula syntax in the docs"),
        "rule.formula_unknown_input": (
            "公式用到的“{name}”没有在 inputs 中声明",
            "请把它加入 inputs，或改正拼写",
            "the formula uses “{name}”, which is not declared in inputs",
            "add it to inputs or fix the spelling",
        ),
        "facts.formula_input_missing": (
            "缺少公式所需的数值“{name}”",
            "请在 values 下填写 {name}",
            "the formula needs the value “{name}”",
            "add {name} under values",
        ),
        "facts.formula_input_unknown": (
            "“{name}”不是本项公式的输入",
            "可用：{known}",
            "“{name}” is not an input of this formula",
            "known: {known}",
        ),
        "explain.formula": ("{expr}，其中 {inputs}，结果 {raw} 分", "", "{expr} with {inputs}: {raw} points", ""),
    }
)


@rule_kind
class FormulaRule(Rule):
    """按公式计分（安全的四则运算与 min/max/clamp/if）。"""

    kind: Literal["formula"] = "formula"
    expr: Text = Field(description="公式，如 “min(reports * 2, max)”")
    inputs: list[str] = Field(default_factory=list, description="公式用到的数值名称（每个单位在 values 下记录）")
    labels: dict[str, Text] = Field(default_factory=dict, description="数值名称的中文说明")
    primary: ClassVar[str | None] = None
    example = "得分＝min(报送篇数×2, 满分)"

    def _compiled(self):
        return compile_formula(self.expr)

    def check_scheme(self, line: LineSpec, report: Report) -> None:
        try:
            f = self._compiled()
        except FormulaError as exc:
            report("rule.formula_invalid", ("expr",), detail=str(exc))
            return
        for name in sorted(f.names - set(self.inputs) - {"max"}):
            report("rule.formula_unknown_input", ("expr",), name=name)
        try:  # every input is a number: ``if(done, 1, 0)`` is refused here, not with the facts
            check_types(f, {*self.inputs, "max"})
        except FormulaError as exc:
            report("rule.formula_invalid", ("expr",), detail=str(exc))

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        for name in self.inputs:
            if name not in facts.values:
                report("facts.formula_input_missing", ("values",), name=name)
        for name in facts.values:
            if name not in self.inputs:
                report("facts.formula_input_unknown", ("values", name), name=name, known=", ".join(self.inputs))

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        env: dict[str, Decimal | bool] = dict(facts.values)
        env["max"] = line.max or Decimal(0)
        raw = self._compiled().evaluate(env)
        value, clip = clamp(raw, self.bounds(line))
        inputs = "，".join(f"{self.labels.get(k, k)}={fmt(v)}" for k, v in sorted(facts.values.items()))
        return Outcome(value, raw, clip, (step("explain.formula", expr=self.expr, inputs=inputs, raw=fmt(raw)),))

    def describe(self, line: LineSpec, locale: str) -> str:
        try:
            text = describe(self._compiled(), locale)
        except FormulaError:
            text = self.expr
        names = "，".join(f"{k}：{v}" for k, v in self.labels.items())
        extra = pick(locale, f"（{names}）", f" ({names})") if names else ""
        return pick(locale, f"得分＝{text}{extra}，在0至{fmt(line.max or 0)}分之间。", f"Points = {text}{extra}, between 0 and {fmt(line.max or 0)}.")
