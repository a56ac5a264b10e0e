"""A safe formula, the escape hatch for clauses no other kind covers.

``expr`` uses named facts recorded per unit under ``values``, the line's
maximum as ``max``, numbers, + − × ÷, min, max, clamp, if, round, comparisons.  It
is parsed by :mod:`site_builder.scoring.formula` and evaluated on Decimal —
never Python ``eval``.  The result is clamped to the line's bounds and the
clamp is shown.

Beyond one unit's facts a formula may use:

- ``let``: named intermediate values, computed in order and shown on the score
  card one by one (“超出天数＝实际天数－承诺天数”);
- the scheme's ``derived`` values (:mod:`site_builder.scoring.derived`);
- group statistics ``group_mean(x)`` … ``group_count(x)`` over the unit's group
  or the declared ``peers`` (“低于同类单位平均值的，每低1个百分点扣0.1分”), a
  list of groups and units or ``category``: each unit's own category in the registry:
  such a line is scored once the whole group is known, and units without the
  value (not recorded, not applicable) are left out of the statistic;
- ``previous(x)`` / ``previous(x, default)``: the unit's value in the previous
  period of the same scheme; without a default a missing previous value is a
  located failure.

On a deduction line ``amount: positive`` reads the result as the amount
deducted (a positive number), as ``assessed`` does with recorded points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Annotated, ClassVar, Literal, Union

from pydantic import BeforeValidator, Field, PrivateAttr
from pydantic_core import PydanticCustomError

from site_builder import messages
from site_builder.schema.types import _ID, Id, Text
from site_builder.scoring.derived import NAME, RESERVED, Context, Derived, compute, needed, recorded_names, value_of
from site_builder.scoring.facts import Facts
from site_builder.scoring.formula import (
    STATISTICS,
    Formula,
    FormulaError,
    check_types,
    compile_formula,
    describe,
    worked,
)
from site_builder.scoring.rules.base import (
    ZERO,
    LineSpec,
    Outcome,
    Report,
    Rule,
    Step,
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
        "rule.formula_let_name": (
            "命名值“{name}”不能用这个名称",
            "请用字母、数字、下划线组成、以字母开头的名称，且不与 inputs、派生值、max 或 and、or、not、true、false 重名",
            "the named value “{name}” cannot have this name",
            "use letters, digits and underscores starting with a letter, not an input, a derived value, max, and, or, not, true or false",
        ),
        "rule.formula_let_order": (
            "命名值“{name}”用到了“{other}”，而“{other}”在它之后定义（或就是它自己）",
            "命名值按顺序计算，只能用 inputs、派生值和前面已定义的命名值；请调整顺序或去掉循环引用",
            "the named value “{name}” uses “{other}”, which is defined after it (or is itself)",
            "named values are computed in order from inputs, derived values and earlier named values: reorder them or break the cycle",
        ),
        "rule.formula_lookup_name": (
            "{function}({name}) 只能用于 inputs 中的数值或派生值，“{name}”不是",
            "请把“{name}”加入 inputs，或在方案的 derived 中定义它",
            "{function}({name}) takes an input or a derived value, and “{name}” is neither",
            "add “{name}” to inputs or define it under the scheme's derived",
        ),
        "rule.formula_peers_unused": (
            "写了同类单位 peers，但公式没有用到组内统计（group_mean 等）",
            "请删除 peers，或在公式中使用 group_mean、group_median、group_max、group_min、group_count",
            "peers are given but the formula uses no group statistic (group_mean, …)",
            "remove peers, or use group_mean, group_median, group_max, group_min or group_count",
        ),
        "rule.formula_peers_word": (
            "同类单位 peers 写“{text}”无法识别",
            "按本单位类别（units.yaml 的 category）比较请写 peers: category；否则写组别或单位标识的列表，如 peers: [g1, a3]（类别名称不能写在列表中）",
            "peers “{text}” is not understood",
            "write peers: category to compare each unit with its own category (category in units.yaml), or a list of group or unit ids such as peers: [g1, a3] (not category names)",
        ),
        "rule.formula_amount_type": (
            "amount: positive（公式结果为扣分数）只能用于扣分项，本项是{type_zh}",
            "请删除 amount，或把本项改为扣分项 type: deduction",
            "amount: positive (the result is the amount deducted) is for deduction lines; this is a {type} line",
            "remove amount, or make the line type: deduction",
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
        "rule.formula_in_let": (
            "命名值“{name}”（{id} = {expr}）无法计算：{detail_zh}",
            "{fix_zh}",
            "the named value “{name}” ({id} = {expr}) cannot be computed: {detail_en}",
            "{fix_en}",
        ),
        # {arith_zh}/{arith_en}: the arithmetic with the figures (“即 10 - 0.3，”), or nothing
        "explain.formula": ("{expr}，其中 {inputs}，{arith_zh}结果 {raw} 分", "", "{expr} with {inputs}: {arith_en}{raw} points", ""),
        "explain.formula_deducted": ("{expr}，其中 {inputs}，{arith_zh}扣 {raw} 分", "",
                                     "{expr} with {inputs}: {arith_en}{raw} points deducted", ""),
        "explain.formula_let": ("{label}＝{expr}＝{arith_zh}{value}", "", "{label} = {expr} = {arith_en}{value}", ""),
        "explain.formula_derived": ("{label}＝{expr}＝{arith_zh}{value}", "", "{label} = {expr} = {arith_en}{value}", ""),
        # the same with the declared labels in place of the ids: the reader's words only (the
        # formula as written is on the scheme page; ids in brackets would be noise on a card)
        "explain.formula_named": ("{words_zh}，其中 {inputs}，{arith_zh}结果 {raw} 分", "",
                                  "{words_en} with {inputs}: {arith_en}{raw} points", ""),
        "explain.formula_deducted_named": ("{words_zh}，其中 {inputs}，{arith_zh}扣 {raw} 分", "",
                                           "{words_en} with {inputs}: {arith_en}{raw} points deducted", ""),
        "explain.formula_let_named": ("{label}＝{words_zh}＝{arith_zh}{value}", "", "{label} = {words_en} = {arith_en}{value}", ""),
        "explain.formula_derived_named": ("{label}＝{words_zh}＝{arith_zh}{value}", "", "{label} = {words_en} = {arith_en}{value}", ""),
        "explain.formula_statistic": (
            "{label}的{stat_zh}为 {value}（按 {count} 个单位计算）",
            "",
            "{stat_en} of {label}: {value} ({count} units compared)",
            "",
        ),
        "explain.formula_statistic_among": (
            "{label}的{stat_zh}为 {value}（{who}，按 {count} 个单位计算）",
            "",
            "{stat_en} of {label} among {who}: {value} ({count} units compared)",
            "",
        ),
        "explain.formula_previous": ("上期（{period}）{label}为 {value}", "", "{label} in the previous period ({period}): {value}", ""),
        "explain.formula_previous_none": (
            "上期{label}无记录，按 {value} 计",
            "",
            "no previous value of {label}: counted as {value}",
            "",
        ),
    }
)

def _peers_value(value: object) -> object:
    """``category`` or a list of ids; anything else one located message (a category's name in the
    list is the likely slip: “同类单位” written as ``[专业部门]``)."""
    if isinstance(value, str) and value.strip() != "category":
        raise PydanticCustomError("rule.formula_peers_word", "peers", {"text": value})
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and not _ID.match(item):
                raise PydanticCustomError("rule.formula_peers_word", "peers", {"text": item})
    return value.strip() if isinstance(value, str) else value


Peers = Annotated[
    Union[list[Id], Literal["category"]],  # noqa: UP007 (a pydantic union)
    BeforeValidator(_peers_value),
]

_STAT_WORDS = {
    "group_mean": ("平均值", "mean"),
    "group_median": ("中位数", "median"),
    "group_max": ("最高值", "highest"),
    "group_min": ("最低值", "lowest"),
    "group_count": ("单位数", "number of units"),
}
_TYPE_ZH = {"score": "计分项", "bonus": "加分项", "deduction": "扣分项"}


def statistic(fn: str, values: list[Decimal]) -> Decimal | None:
    """One group statistic of ``values``; None when there is nothing to compute it from.

    The values are sorted first so that the result never depends on the order of
    the units (a sum at 34 digits can depend on it)."""
    xs = sorted(values)
    if fn == "group_count":
        return Decimal(len(xs))
    if not xs:
        return None
    if fn == "group_max":
        return xs[-1]
    if fn == "group_min":
        return xs[0]
    if fn == "group_mean":
        return sum(xs[1:], xs[0]) / len(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


@rule_kind
class FormulaRule(Rule):
    """按公式计分（安全的四则运算与 min/max/clamp/if/round，可用命名值、派生值、组内统计和上期数值）。"""

    kind: Literal["formula"] = "formula"
    expr: Text = Field(description="公式，如 “min(reports * 2, max)”")
    inputs: list[str] = Field(default_factory=list, description="公式用到的数值名称（每个单位在 values 下记录）")
    labels: dict[str, Text] = Field(default_factory=dict, description="数值名称（含命名值）的中文说明")
    let: dict[str, Text] = Field(
        default_factory=dict,
        description="命名的中间值：名称 → 公式，按书写顺序计算，可用 inputs、派生值、组内统计、上期数值和前面的命名值；expr 中直接使用，计分说明逐项列出",
    )
    peers: Peers = Field(
        default_factory=list,
        description="组内统计（group_mean 等）比较的同类单位：组别或单位标识的列表；写 category 为本方案中与本单位类别（units.yaml 的 category）相同的单位，各单位与本类别比较；不填为本单位所在组别",
    )
    peers_name: Text | None = Field(
        None,
        description="同类单位在页面上的名称，如“城区街道”；不填则列出 peers 中的标识",
    )
    amount: Literal["signed", "positive"] = Field(
        "signed",
        description="signed 公式结果就是得分（默认，扣分项上为负数）；positive 扣分项上公式结果为扣分数（正数），如“每低1个百分点扣0.1分”",
    )
    primary: ClassVar[str | None] = None
    example = "得分＝min(报送篇数×2, 满分)"
    _derived: tuple[Derived, ...] = PrivateAttr(default=())

    # ------------------------------------------------------------ compiled parts
    def _compiled(self) -> Formula:
        return compile_formula(self.expr)

    def _lets(self) -> list[tuple[str, Formula]]:
        return [(name, compile_formula(text)) for name, text in self.let.items()]

    def _formulas(self) -> list[Formula]:
        return [f for _, f in self._lets()] + [self._compiled()]

    def _lookups(self) -> list[tuple[str, str]]:
        try:
            return sorted({x for f in self._formulas() for x in f.lookups})
        except FormulaError:
            return []

    def _derived_used(self) -> list[Derived]:
        try:
            names = {n for f in self._formulas() for n in f.names}
        except FormulaError:
            return []
        return needed(names, self._derived)

    @property
    def group_relative(self) -> bool:  # type: ignore[override]
        """Scored in the engine's second stage, with the whole period known, when a group
        statistic or a previous value is used."""
        return bool(self._lookups())

    def _is_points(self, fn: str, name: str) -> bool:
        """``previous(points)``: the line's own points in the previous period (unless an input is so named)."""
        return fn == "previous" and name == "points" and name not in self.inputs

    def _names(self, locale: str) -> dict[str, str]:
        """Every name of the formulas worded as the scheme declares it: derived values by their
        names, inputs and named values by their labels, ``max`` as the line's maximum."""
        return {"max": pick(locale, "本项满分", "max"), **{d.id: d.name for d in self._derived}, **self.labels}

    def _worded(self, text: str, locale: str) -> str | None:
        """``text`` with the declared labels in place of the ids, or None when it names nothing labelled."""
        try:
            plain, named = describe(text, locale), describe(text, locale, self._names(locale))
        except FormulaError:
            return None
        return named if named != plain else None

    def _said(self, text: str, locale: str) -> str | None:
        """``text`` as a card says it: function names in the locale's words (最小值, 如果), the declared
        labels in place of the ids; None when it cannot be read."""
        try:
            return describe(text, locale, self._names(locale), signs=True)
        except FormulaError:
            return None

    def _step(self, code: str, text: str, **params: object) -> Step:
        """A formula's step: the ``_named`` variant (worded with the labels; never the raw text on a card)."""
        zh, en = self._said(text, "zh-CN"), self._said(text, "en")
        if zh is None or en is None:
            return step(code, expr=text, **params)
        return step(f"{code}_named", expr=text, words_zh=zh, words_en=en, **params)

    def _arithmetic(self, env: Mapping[str, Decimal | bool], raw: Decimal) -> dict[str, str]:
        """The working with the figures put in: each condition met and whether it held, then the
        arithmetic of the branch taken (“20 = 0 不成立，即 2 - 0 * 0.5，”); nothing when it would
        only repeat the result."""
        figures = {k: fmt(v) for k, v in env.items() if isinstance(v, Decimal)}
        zh, en = worked(self.expr, figures, "zh-CN", env), worked(self.expr, figures, "en", env)
        if zh is None or en is None:
            return {"arith_zh": "", "arith_en": ""}
        said_zh = [f"{c} {'成立' if held else '不成立'}" for c, held in zh[0]]
        said_en = [f"{c} {'holds' if held else 'does not hold'}" for c, held in en[0]]
        if zh[1] != fmt(raw):
            said_zh.append(f"即 {zh[1]}")
            said_en.append(f"{en[1]} =")
        return {"arith_zh": "".join(f"{x}，" for x in said_zh), "arith_en": "".join(f"{x} " if x.endswith("=") else f"{x}; " for x in said_en)}

    def _label(self, name: str) -> str:
        if name in self.labels:
            return self.labels[name]
        if self._is_points("previous", name):
            return "本项得分"
        return next((d.name for d in self._derived if d.id == name), name)

    # ------------------------------------------------------------ checks
    def check_scheme(self, line: LineSpec, report: Report) -> None:
        derived_ids = {d.id for d in self._derived}
        base = {*self.inputs, "max", *derived_ids}
        lookups: list[tuple[tuple, Formula]] = []
        lets = list(self.let)
        known = set(base)
        for i, (name, text) in enumerate(self.let.items()):
            where = ("let", name)
            if not NAME.fullmatch(name) or name in RESERVED or name in base:
                report("rule.formula_let_name", where, name=name)
            try:
                f = compile_formula(text)
            except FormulaError as exc:
                report("rule.formula_invalid", where, detail=str(exc))
                continue
            for other in sorted(f.bare_names - known):
                if other in lets[i:]:
                    report("rule.formula_let_order", where, name=name, other=other)
                else:
                    report("rule.formula_unknown_input", where, name=other)
            lookups.append((where, f))
            known.add(name)
        try:
            f = self._compiled()
        except FormulaError as exc:
            report("rule.formula_invalid", ("expr",), detail=str(exc))
            f = None
        if f is not None:
            for name in sorted(f.bare_names - known):
                report("rule.formula_unknown_input", ("expr",), name=name)
            lookups.append((("expr",), f))
        numbers = known | set(lets)
        for where, g in lookups:
            for fn, name in sorted(g.lookups):
                if name not in self.inputs and name not in derived_ids and not self._is_points(fn, name):
                    report("rule.formula_lookup_name", where, function=fn, name=name)
            try:  # every input is a number: ``if(done, 1, 0)`` is refused here, not with the facts
                check_types(g, numbers)
            except FormulaError as exc:
                report("rule.formula_invalid", where, detail=str(exc))
        if self.peers and not any(fn in STATISTICS for fn, _ in self._lookups()):
            report("rule.formula_peers_unused", ("peers",))
        if self.amount == "positive" and line.type != "deduction":
            report("rule.formula_amount_type", ("amount",), type=line.type, type_zh=_TYPE_ZH[line.type])

    def _recorded(self) -> list[str]:
        """The values each unit records: the inputs and what the derived values used need."""
        extra = recorded_names({d.id for d in self._derived_used()}, self._derived) - set(self.inputs)
        return [*self.inputs, *sorted(extra)]

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        recorded = self._recorded()
        for name in recorded:
            if name not in facts.values:
                report("facts.formula_input_missing", ("values",), name=name)
        for name in facts.values:
            if name not in recorded:
                report("facts.formula_input_unknown", ("values", name), name=name, known=", ".join(recorded))

    # ------------------------------------------------------------ scoring
    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        mode = line.context.rounding_mode if line.context is not None else "half_up"
        return self._evaluate(line, facts, Context(rounding=mode), {})

    def score_group(self, line: LineSpec, facts: Mapping[str, Facts], subtotals: Mapping[str, Decimal]) -> dict[str, Outcome]:
        got = self.score_group_in(line, facts, subtotals, Context())
        for o in got.values():
            if isinstance(o, FormulaError):
                raise o
        return got  # type: ignore[return-value]

    def score_group_in(self, line: LineSpec, facts: Mapping[str, Facts], subtotals: Mapping[str, Decimal],  # type: ignore[override]
                       context: Context) -> dict[str, Outcome | Exception]:
        """Every unit of one group; a unit whose facts make the formula fail maps to the error."""
        out: dict[str, Outcome | Exception] = {}
        stats: dict[frozenset[str], dict[str, tuple[Decimal | None, int]]] = {}
        for unit in sorted(facts):
            pool = self._pool(line, unit, facts, context)
            key = frozenset(pool)
            if key not in stats:
                stats[key] = self._statistics(pool, context)
            try:
                out[unit] = self._evaluate(line, facts[unit], replace(context, unit=unit), stats[key])
            except FormulaError as exc:
                out[unit] = exc
        return out

    def _peers_words(self, context: Context) -> str:
        """Whom a statistic compares, as the card names them: the scheme's ``peers_name``, else the
        unit's own category for ``peers: category``; nothing for the unit's group (the default)."""
        if self.peers_name:
            return self.peers_name
        if self.peers == "category":
            return context.unit_category.get(context.unit) or ""
        return ""

    def _pool(self, line: LineSpec, unit: str, facts: Mapping[str, Facts], context: Context) -> dict[str, Facts]:
        """The units a statistic compares: the declared peers, else the unit's group."""
        if not context.line_facts:
            return {u: f for u, f in facts.items() if not f.na}
        group = context.unit_group.get(unit)
        if self.peers == "category":  # “同类单位”: the scheme's units of the unit's own category
            mine = context.unit_category.get(unit)
            members = [u for u in context.unit_group if mine is not None and context.unit_category.get(u) == mine]
        elif self.peers:
            members = [u for u, g in context.unit_group.items() if u in self.peers or g in self.peers]
        else:
            members = [u for u, g in context.unit_group.items() if g == group]
        pool: dict[str, Facts] = {}
        for u in members:
            f = context.line_facts.get(u, {}).get(line.id)
            if f is not None and not f.na:
                pool[u] = f
        return pool

    def _statistics(self, pool: Mapping[str, Facts], context: Context) -> dict[str, tuple[Decimal | None, int]]:
        out: dict[str, tuple[Decimal | None, int]] = {}
        for fn, name in self._lookups():
            if fn not in STATISTICS:
                continue
            values = [v for u in sorted(pool) if (v := value_of(name, pool[u], self._derived, context.rounding)) is not None]
            out[f"{fn}({name})"] = (statistic(fn, values), len(values))
        return out

    def _evaluate(self, line: LineSpec, facts: Facts, context: Context,
                  stats: Mapping[str, tuple[Decimal | None, int]]) -> Outcome:
        mode = context.rounding
        env: dict[str, Decimal | bool] = dict(facts.values)
        env["max"] = line.max or Decimal(0)
        steps: list[Step] = []
        for d in self._derived_used():
            env[d.id] = compute(d, env, mode)
            steps.append(self._step("explain.formula_derived", d.expr, label=d.name, value=fmt(env[d.id]),
                                    **_sums(d.expr, env, env[d.id])))
        for fn, name in self._lookups():
            key = f"{fn}({name})"
            label = self._label(name)
            if fn == "previous":
                steps.extend(self._previous(line, name, key, label, env, context))
                continue
            value, count = stats.get(key, (None, 0))
            if value is not None:
                env[key] = value
            zh, en = _STAT_WORDS[fn]
            who = self._peers_words(context)
            steps.append(step("explain.formula_statistic_among" if who else "explain.formula_statistic",
                              label=label, stat_zh=zh, stat_en=en, value=fmt(value) if value is not None else "—",
                              count=count, **({"who": who} if who else {})))
        for name, f in self._lets():
            env[name] = _named(name, self._label(name), f, env, mode)
            steps.append(self._step("explain.formula_let", f.text, label=self._label(name), value=fmt(env[name]),
                                    **_sums(f.text, env, env[name])))
        raw = self._compiled().evaluate(env, mode)
        inputs = "，".join(f"{self.labels.get(k, k)}={fmt(v)}" for k, v in sorted(facts.values.items()))
        arith = self._arithmetic(env, raw)
        if self.amount == "positive" and line.type == "deduction":
            steps.append(self._step("explain.formula_deducted", self.expr, inputs=inputs, raw=fmt(raw), **arith))
            raw = ZERO - raw  # never a negative zero
        else:
            steps.append(self._step("explain.formula", self.expr, inputs=inputs, raw=fmt(raw), **arith))
        value, clip = clamp(raw, self.bounds(line))
        return Outcome(value, raw, clip, tuple(steps))

    def _previous(self, line: LineSpec, name: str, key: str, label: str, env: dict[str, Decimal | bool],
                  context: Context) -> list[Step]:
        prev = context.previous
        if self._is_points("previous", name):
            value = prev.points.get(context.unit, {}).get(line.id) if prev is not None else None
        else:
            facts = prev.facts.get(context.unit, {}).get(line.id) if prev is not None else None
            value = value_of(name, facts, self._derived, context.rounding)
        if value is not None and prev is not None:
            env[key] = value
            return [step("explain.formula_previous", label=label, period=prev.id, value=fmt(value))]
        default = self._previous_default(name, env, context)
        if default is None:
            return []  # evaluation raises formula.no_previous, located by the engine
        return [step("explain.formula_previous_none", label=label, value=fmt(default))]

    def _previous_default(self, name: str, env: Mapping[str, Decimal | bool], context: Context) -> Decimal | None:
        """The default written as ``previous(name, default)``, for the card; None without one."""
        for f in self._formulas():
            default = f.previous_default(name, env, context.rounding)
            if default is not None:
                return default
        return None

    # ------------------------------------------------------------ words
    def describe(self, line: LineSpec, locale: str) -> str:
        try:
            text = describe(self._compiled(), locale)
        except FormulaError:
            text = self.expr
        names = "，".join(f"{k}：{v}" for k, v in self.labels.items())
        extra = pick(locale, f"（{names}）", f" ({names})") if names else ""
        worded = self._worded(self.expr, locale)
        if worded is not None:  # labels in place of the ids; the formula itself kept to check the arithmetic
            text = worded
            extra = pick(locale, f"（公式：{self.expr}" + (f"；{names}" if names else "") + "）",
                         f" (formula: {self.expr}" + (f"; {names}" if names else "") + ")")
        top = fmt(line.max or 0)
        if self.amount == "positive" and line.type == "deduction":
            head = pick(locale, f"扣分＝{text}{extra}，最多扣{top}分。", f"Deducted = {text}{extra}, at most {top}.")
        else:
            head = pick(locale, f"得分＝{text}{extra}，在0至{top}分之间。", f"Points = {text}{extra}, between 0 and {top}.")
        return head + self._describe_more(locale)

    def _describe_more(self, locale: str) -> str:
        parts: list[str] = []
        for d in self._derived_used():
            worded = self._worded(d.expr, locale)
            if worded is not None:
                parts.append(pick(locale, f"{d.name}（{d.id}）＝{worded}（公式：{d.expr}）。",
                                  f"{d.name} ({d.id}) = {worded} (formula: {d.expr})."))
            else:
                parts.append(pick(locale, f"{d.id}（{d.name}）＝{_words(d.expr, locale)}。", f"{d.id} ({d.name}) = {_words(d.expr, locale)}."))
        for name, text in self.let.items():
            label = self.labels.get(name)
            worded = self._worded(text, locale)
            if worded is not None:
                named = pick(locale, f"{label}（{name}）", f"{label} ({name})") if label else name
                parts.append(pick(locale, f"{named}＝{worded}（公式：{text}）。", f"{named} = {worded} (formula: {text})."))
                continue
            named = pick(locale, f"{name}（{label}）", f"{name} ({label})") if label else name
            parts.append(f"{named}＝{_words(text, locale)}。" if locale != "en" else f"{named} = {_words(text, locale)}.")
        fns = {fn for fn, _ in self._lookups()}
        if fns & set(STATISTICS):
            if self.peers == "category":
                who_zh = "同类单位（与本单位类别相同的单位，各单位分别按本类别计算）"
                who_en = "the peers (the units of the unit's own category, each unit within its category)"
                if self.peers_name:
                    who_zh, who_en = f"同类单位（{self.peers_name}）", f"the peers ({self.peers_name})"
            else:
                who = (self.peers_name or "、".join(self.peers)) if self.peers else ""
                who_zh = "同类单位（" + who + "）" if who else "本组"
                who_en = f"the peers ({who if self.peers_name else ', '.join(self.peers)})" if who else "the group"
            parts.append(pick(
                locale,
                f"平均值、中位数、最高值、最低值、单位数按{who_zh}中记录了该数值的单位计算，不适用或未记录的单位不计入。",
                f"Means, medians, highest and lowest values and counts are over the units of {who_en}"
                " that recorded the value; units without it are left out.",
            ))
        if "previous" in fns:
            parts.append(pick(locale, "上期指本方案的上一考核期。", "Previous means the scheme's previous period."))
        return "".join(parts) if locale != "en" else "".join(" " + p for p in parts)


def _sums(text: str, env: Mapping[str, Decimal | bool], value: Decimal | bool) -> dict[str, str]:
    """A named value's arithmetic with the figures put in (“保留小数(1 * 0.25, 1)＝”), when it
    has no condition and says more than the value."""
    figures = {k: fmt(v) for k, v in env.items() if isinstance(v, Decimal)}
    zh, en = worked(text, figures, "zh-CN"), worked(text, figures, "en")
    if zh is None or en is None or not isinstance(value, Decimal) or zh[1] == fmt(value):
        return {"arith_zh": "", "arith_en": ""}
    return {"arith_zh": f"{zh[1]}＝", "arith_en": f"{en[1]} = "}


def _named(name: str, label: str, f: Formula, env: Mapping[str, Decimal | bool], mode: str) -> Decimal:
    """One named value; a failure names it (the position is inside its own formula)."""
    try:
        return f.evaluate(env, mode)
    except FormulaError as exc:
        zh, zfix = messages.get(exc.code).render("zh-CN", exc.params)
        en, efix = messages.get(exc.code).render("en", exc.params)
        raise FormulaError("rule.formula_in_let", None, name=label, id=name, expr=f.text, detail_zh=zh,
                           fix_zh=zfix, detail_en=en, fix_en=efix) from None


def _words(text: str, locale: str) -> str:
    try:
        return describe(text, locale)
    except FormulaError:
        return text
