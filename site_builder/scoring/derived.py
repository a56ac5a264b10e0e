"""Derived facts (派生指标) and what a formula may know beyond one unit's facts.

A scheme declares a derived value once (“按时办结率＝按时办结件数÷受理件数×100”)
under ``derived:``; any formula line may use it by its id, and group statistics
may compare it.  It is computed from the values the line records for the unit,
so every line that uses it records the values it needs.

:class:`Context` carries what the engine knows when it scores a formula line:
the scheme's rounding mode, the other units' facts of the period (for
``group_mean`` and the other statistics) and the previous period's facts (for
``previous(x)``).  The scheme binds its derived values to its formula lines
once, when it is validated (:func:`bind_derived`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import Field

from site_builder import messages
from site_builder.errors import Problems
from site_builder.schema.types import Strict, Text
from site_builder.scoring.facts import Facts
from site_builder.scoring.formula import STATISTICS, FormulaError, check_types, compile_formula

messages.register(
    {
        "rule.formula_in_derived": (
            "派生值“{name}”（{id} = {expr}）无法计算：{detail_zh}",
            "{fix_zh}",
            "the derived value “{name}” ({id} = {expr}) cannot be computed: {detail_en}",
            "{fix_en}",
        ),
        "scheme.derived_invalid": (
            "派生值“{id}”的公式有误：{detail}",
            "请按文档中的公式语法修改",
            "the formula of the derived value “{id}” is not valid: {detail}",
            "see the formula syntax in the docs",
        ),
        "scheme.derived_bad_id": (
            "派生值的标识“{id}”不能用作公式中的名称",
            "请用字母、数字、下划线组成、以字母开头的标识，如 on_time_rate；不能用 max、and、or、not、true、false",
            "the derived value id “{id}” cannot be used as a name in formulas",
            "use letters, digits and underscores starting with a letter, e.g. on_time_rate; not max, and, or, not, true, false",
        ),
        "scheme.derived_duplicate": (
            "派生值标识“{id}”重复",
            "每个派生值的标识必须不同",
            "the derived value id “{id}” is used twice",
            "give each derived value its own id",
        ),
        "scheme.derived_order": (
            "派生值“{id}”用到了“{other}”，而“{other}”在它之后定义（或就是它自己）",
            "派生值按顺序计算，只能用记录的数值和前面已定义的派生值；请调整顺序或去掉循环引用",
            "the derived value “{id}” uses “{other}”, which is defined after it (or is itself)",
            "derived values are computed in order from recorded values and earlier derived values: reorder them or break the cycle",
        ),
        "scheme.peers_category_none": (
            "“{name}”按本单位类别比较同类单位（peers: category），但单位“{unit}”在 units.yaml 中没有 category",
            "请在 units.yaml 为该单位写 category，或在 peers 中列出同类单位所在的组别或单位",
            "“{name}” compares each unit with its own category (peers: category) but unit “{unit}” has no category in units.yaml",
            "give the unit a category in units.yaml, or list the peer groups or units under peers",
        ),
        "scheme.derived_lookup": (
            "派生值“{id}”的公式不能用 {function}(…)",
            "组内统计和上期数值请写在使用它的公式规则中",
            "the derived value “{id}” cannot use {function}(…)",
            "use statistics and previous values in the formula rule that needs them",
        ),
    }
)

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
RESERVED = frozenset({"max", "and", "or", "not", "true", "false"})


class Derived(Strict):
    """A value computed from recorded values, declared once for the scheme (派生指标)."""

    id: Text = Field(description="派生值标识，在公式中用作名称（字母、数字、下划线，以字母开头），如 on_time_rate")
    name: Text = Field(description="派生值名称，如“按时办结率”，在计分说明中显示")
    expr: Text = Field(
        description="公式：用各单位在 values 下记录的数值和前面定义的派生值，如 on_time / received * 100"
    )


@dataclass(frozen=True)
class PreviousPeriod:
    """The previous period of the same scheme: its name, and the facts and the points of
    its assessed units."""

    id: str
    facts: Mapping[str, Mapping[str, Facts]]  # unit → line → facts
    points: Mapping[str, Mapping[str, Decimal | None]] = field(default_factory=dict)  # unit → line → points


@dataclass(frozen=True)
class Context:
    """What the engine knows beyond one unit's facts of one line."""

    unit: str = ""
    rounding: str = "half_up"  # the scheme's rounding mode, for round(x, places)
    unit_group: Mapping[str, str] = field(default_factory=dict)
    #: unit → category in the registry (units without one left out), for ``peers: category``
    unit_category: Mapping[str, str] = field(default_factory=dict)
    #: this period: unit → line → facts (None where the line is not in scope)
    line_facts: Mapping[str, Mapping[str, Facts | None]] = field(default_factory=dict)
    previous: PreviousPeriod | None = None


def bind_derived(derived: Sequence[Derived], rules: Iterable[object]) -> None:
    """Tell every formula rule of a scheme which derived values it may use."""
    from site_builder.scoring.rules.formula_rule import FormulaRule

    for rule in rules:
        if isinstance(rule, FormulaRule):
            rule._derived = tuple(derived)


def needed(names: Iterable[str], derived: Sequence[Derived]) -> list[Derived]:
    """The derived values ``names`` use, directly or through each other, in declaration order."""
    by_id = {d.id: d for d in derived}
    want: set[str] = set()
    todo = [n for n in names if n in by_id]
    while todo:
        cur = todo.pop()
        if cur in want:
            continue
        want.add(cur)
        try:
            todo.extend(n for n in compile_formula(by_id[cur].expr).names if n in by_id)
        except FormulaError:
            pass  # refused by check_derived
    return [d for d in derived if d.id in want]


def recorded_names(names: Iterable[str], derived: Sequence[Derived]) -> set[str]:
    """The recorded values a set of names needs once derived values are expanded."""
    ids = {d.id for d in derived}
    out = {n for n in names if n not in ids}
    for d in needed(names, derived):
        try:
            out |= {n for n in compile_formula(d.expr).names if n not in ids}
        except FormulaError:
            pass
    return out


def compute(d: Derived, env: Mapping[str, Decimal | bool], rounding: str) -> Decimal:
    """One derived value; a failure (division by zero, …) names the derived value."""
    try:
        return compile_formula(d.expr).evaluate(env, rounding)
    except FormulaError as exc:
        zh, zfix = messages.get(exc.code).render("zh-CN", exc.params)
        en, efix = messages.get(exc.code).render("en", exc.params)
        raise FormulaError("rule.formula_in_derived", None, name=d.name, id=d.id, expr=d.expr, detail_zh=zh,
                           fix_zh=zfix, detail_en=en, fix_en=efix) from None


def value_of(name: str, facts: Facts | None, derived: Sequence[Derived], rounding: str) -> Decimal | None:
    """A recorded or derived value of one unit's line, or None when it cannot be had
    (not recorded, not applicable, or a derived value that fails with these facts)."""
    if facts is None or facts.na:
        return None
    if name in facts.values:
        return facts.values[name]
    if name not in {d.id for d in derived}:
        return None
    chain = needed([name], derived)
    env: dict[str, Decimal | bool] = dict(facts.values)
    try:
        for d in chain:
            env[d.id] = compute(d, env, rounding)
    except FormulaError:
        return None
    value = env.get(name)
    return value if isinstance(value, Decimal) else None


def check_formula_extras(scheme, prefixes: Mapping[str, tuple], doc, problems: Problems, scope_ids: list[str],
                         categories: Mapping[str, str | None] | None = None) -> None:
    """Scheme-level checks for formulas: the ``derived:`` list, and every formula rule's
    ``peers`` naming groups or units of the scheme (``prefixes``: tree id → path of the tree);
    ``peers: category`` needs a category for every unit of the scheme (``categories``: the
    scheme's units → their category in the registry, None: none written)."""
    from site_builder.checks import unknown_ref
    from site_builder.scoring.rules.formula_rule import FormulaRule

    check_derived(scheme.derived, doc, problems)
    trees = [(prefixes[t.id], t.indicators) for t in scheme.trees if t.id in prefixes]
    if not scheme.trees:
        trees = [((), scheme.indicators)]

    def walk(nodes, path: tuple) -> None:
        for i, n in enumerate(nodes):
            p = (*path, i)
            if isinstance(n.rule, FormulaRule) and n.rule.peers == "category":
                for u, category in sorted((categories or {}).items()):
                    if not category:
                        problems.add("scheme.peers_category_none", doc.mark((*p, "rule", "peers")), name=n.name, unit=u)
                walk(n.children, (*p, "children"))
                continue
            for j, peer in enumerate(n.rule.peers if isinstance(n.rule, FormulaRule) else ()):
                if peer not in scope_ids:
                    unknown_ref(problems, "scheme.unknown_ref", doc.mark((*p, "rule", "peers", j)), peer, scope_ids,
                                "组别或单位", "group or unit")
            walk(n.children, (*p, "children"))

    for prefix, nodes in trees:
        walk(nodes, (*prefix, "indicators"))


def check_derived(derived: Sequence[Derived], doc, problems: Problems) -> None:
    """Located problems of the scheme's ``derived:`` list: ids, formulas, order."""
    ids = [d.id for d in derived]
    seen: set[str] = set()
    for i, d in enumerate(derived):
        where = (("derived", i, "id"), ("derived", i, "expr"))
        if not NAME.fullmatch(d.id) or d.id in RESERVED:
            problems.add("scheme.derived_bad_id", doc.mark(where[0]), id=d.id)
        if d.id in seen:
            problems.add("scheme.derived_duplicate", doc.mark(where[0]), id=d.id)
        seen.add(d.id)
        try:
            f = compile_formula(d.expr)
        except FormulaError as exc:
            problems.add("scheme.derived_invalid", doc.mark(where[1]), id=d.id, detail=str(exc))
            continue
        try:  # every name is a number: a comparison as the result is refused here
            check_types(f, f.names)
        except FormulaError as exc:
            problems.add("scheme.derived_invalid", doc.mark(where[1]), id=d.id, detail=str(exc))
        for fn, _ in sorted(f.lookups):
            if fn in STATISTICS or fn == "previous":
                problems.add("scheme.derived_lookup", doc.mark(where[1]), id=d.id, function=fn)
        for other in sorted(f.names & set(ids[i:])):
            problems.add("scheme.derived_order", doc.mark(where[1]), id=d.id, other=other)
