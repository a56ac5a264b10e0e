"""The parts of a scheme that are not rule kinds, stated in words.

Rule kinds describe themselves (``Rule.describe``); this module words the rest
of what the published document must say: modifiers, disqualification, scope,
not-applicable policies, caps between lines, vetoes, composites,
conversions, rounding; rankings and honours are worded by
:mod:`.ranking_wording`.  Chinese follows the phrasing of county
考核办法; English is plain.
"""

from __future__ import annotations

from decimal import Decimal

from site_builder.periods import SPAN_WORDS
from site_builder.schema.scheme import Indicator, Scheme, Veto
from site_builder.scoring.rules.base import LineSpec, fmt


def by_locale(locale: str, zh: str, en: str) -> str:
    return en if locale == "en" else zh


def rule_text(node: Indicator, node_type: str, locale: str) -> str:
    if node.rule is None:
        return ""
    return node.rule.describe(LineSpec(node.id, node.name, node_type, node.max), locale)


_NA = {
    "full": ("不适用的得满分", "full points when not applicable"),
    "zero": ("不适用的得0分", "0 points when not applicable"),
    "exclude": ("不适用的不计分，满分相应扣除", "excluded from the maximum when not applicable"),
    "rescale": (
        "不适用的不计分，总分按比例折算",
        "when not applicable, excluded and the total rescaled",
    ),
    "group_average": ("不适用的按本组平均分计", "group average when not applicable"),
}


def indicator_notes(
    node: Indicator, names: dict[str, str], group_names: dict[str, str], locale: str
) -> list[str]:
    """Sentences about a line beyond its rule: modifiers, scope, caps, policies."""
    out = []
    for m in node.modifiers:
        steps = []
        for s in sorted(m.steps, key=lambda s: s.min):
            effect = (
                by_locale(locale, "不得分", "no points")
                if s.factor == 0
                else (
                    by_locale(locale, "得分减半", "half points")
                    if s.factor == Decimal("0.5")
                    else by_locale(locale, f"得分乘以{fmt(s.factor)}", f"points × {fmt(s.factor)}")
                )
            )
            steps.append(by_locale(locale, f"{s.min}件次以上{effect}", f"{s.min} or more: {effect}"))
        out.append(by_locale(locale, f"{m.label}：" + "；".join(steps), f"{m.label}: " + "; ".join(steps)))
    if node.disqualify is not None:
        d = node.disqualify
        times = (
            by_locale(locale, f"达到{d.at_least}次的", f"{d.at_least} or more occurrences")
            if d.at_least > 1
            else by_locale(locale, "发生的", "any occurrence")
        )
        out.append(by_locale(locale, f"{times}，取消评先评优资格", f"{times}: not eligible for honours"))
    if node.applies_to:
        who = by_locale(locale, "、", ", ").join(group_names.get(a, a) for a in node.applies_to)
        out.append(by_locale(locale, f"仅适用于：{who}", f"Applies only to: {who}"))
    if node.not_applicable in _NA:
        zh, en = _NA[node.not_applicable]
        out.append(by_locale(locale, zh, en))
    if node.cap_by:
        ref = names.get(node.cap_by, node.cap_by)
        out.append(
            by_locale(
                locale,
                f"扣分不超过“{ref}”的得分",
                f"deductions may not exceed the points of “{ref}”",
            )
        )
    if node.cap_span != "period":
        span = {
            "month": by_locale(locale, "每月", "each month"),
            "quarter": by_locale(locale, "每季度", "each quarter"),
            "stage": by_locale(locale, "每阶段", "each stage"),
            "year": by_locale(locale, "全年", "the year"),
        }[node.cap_span]
        out.append(by_locale(locale, f"封顶按{span}累计计算", f"the cap applies across {span}"))
    if node.balance_span is not None:
        span = SPAN_WORDS[node.balance_span]
        out.append(by_locale(locale, f"本项{fmt(node.max or 0)}分为每{span[0]}的余额：每期得分为本{span[0]}起始{fmt(node.max or 0)}分减去本{span[0]}至今的全部扣分",
                      f"the {fmt(node.max or 0)} points are a balance for each {span[1]}: each period shows what is left after every deduction of the {span[1]} so far"))
    if node.transfer_to is not None:
        ref = names.get(node.transfer_to, node.transfer_to)
        if node.transfer_points is None:
            out.append(by_locale(locale, f"记录注明转给其他单位的扣分，同时记入该单位的“{ref}”",
                          f"a deduction recorded as going to another unit is added to that unit's “{ref}”"))
        else:
            pts = fmt(node.transfer_points)
            out.append(by_locale(locale, f"记录注明转给其他单位的扣分，该单位的“{ref}”每次得{pts}分",
                          f"a deduction recorded as going to another unit gives that unit's “{ref}” {pts} points per occurrence"))
    out.extend(tree_notes(node, locale))
    if node.rater:
        out.append(by_locale(locale, f"评分单位：{node.rater}", f"Assessed by: {node.rater}"))
    if node.source:
        out.append(by_locale(locale, f"数据来源：{node.source}", f"Source: {node.source}"))
    return out


def tree_notes(node: Indicator, locale: str) -> list[str]:
    """Display-only lines, floors, “不设上限”, a line's own rounding."""
    out = []
    if not node.counts:
        out.append(by_locale(locale, "本项只计算并公布，不计入总分和满分", "shown for reference: not counted in the total or the maximum"))
    if node.min is not None:
        out.append(by_locale(locale, f"本项合计最低{fmt(node.min)}分（扣完为止）", f"the subtotal never falls below {fmt(node.min)}"))
    if node.uncapped:
        out.append(by_locale(locale, "不设上限", "no cap"))
    r = node.rounding
    if r is not None:
        if r.keep:
            out.append(by_locale(locale, "本项得分不舍入，保留原有小数", "this line keeps its decimals (not rounded)"))
        else:
            parts = []
            if r.places is not None:
                parts.append(by_locale(locale, f"保留{r.places}位小数", f"kept to {r.places} decimal places"))
            if r.mode is not None:
                parts.append(_MODE[r.mode][0 if locale != "en" else 1])
            out.append(by_locale(locale, "本项得分" + "，".join(parts), "this line is " + ", ".join(parts)))
    return out


_MODE = {
    "half_up": ("四舍五入", "rounded half up"),
    "half_even": ("银行家舍入", "rounded half even"),
    "down": ("截尾", "truncated"),
    "up": ("进位", "rounded up"),
}


_CALLED = {
    "veto": ("一票否决", "one-vote veto"),
    "no_excellence": ("一票否优", "barred from excellence"),
    "ineligible": ("取消评选资格", "not eligible for selection"),
}


def veto_called(called: str, locale: str) -> str:
    zh, en = _CALLED[called]
    return by_locale(locale, zh, en)


def veto_consequence(v: Veto, locale: str, named: bool = False) -> str:
    """The consequence of a veto clause as the scheme names it, and how long it lasts;
    ``named``: a plain 一票否决 is named too (in a list mixing consequences)."""
    text = veto_effect(v.effect, locale)
    if v.called != "veto" or named:
        text = by_locale(locale, f"{veto_called(v.called, locale)}：{text}", f"{veto_called(v.called, locale)}: {text}")
    if v.lasts == "stage":
        text += by_locale(locale, "，至本阶段结束", ", until the end of the stage")
    elif v.lasts == "year":
        text += by_locale(locale, "，至本年度结束", ", until the end of the year")
    return text


_EFFECT = {
    "no_honour": ("取消评先评优资格", "not eligible for honours"),
    "zero": ("总分记0分", "total counted as 0"),
    "last": ("排在本组最后", "ranked last in the group"),
}


def veto_effect(effect: str, locale: str) -> str:
    zh, en = _EFFECT[effect]
    return by_locale(locale, zh, en)


def rounding_words(mode: str, locale: str) -> str:
    return {
        "floor": by_locale(locale, "向下取整", "rounded down"),
        "half_up": by_locale(locale, "四舍五入", "rounded half up"),
        "ceil": by_locale(locale, "向上取整", "rounded up"),
    }[mode]


def other_rules(scheme: Scheme, locale: str) -> list[str]:
    """Rounding, coefficient, composites and conversions."""
    out = []
    r = scheme.rounding
    mode = {
        "half_up": by_locale(locale, "四舍五入", "half up"),
        "half_even": by_locale(locale, "银行家舍入", "half even"),
        "down": by_locale(locale, "截尾", "truncated"),
        "up": by_locale(locale, "进位", "rounded up"),
    }[r.mode]
    where = (
        by_locale(locale, "总分", "totals") if r.at == "total" else by_locale(locale, "每一项得分", "each line")
    )
    out.append(
        by_locale(
            locale,
            f"{where}保留{r.places}位小数，{mode}。",
            f"{where} are kept to {r.places} decimal places, {mode}.",
        )
    )
    if r.total == "sum_of_lines":
        out.append(by_locale(locale, "总分为各项公布得分之和，不再舍入。", "The total is the sum of the published lines, not rounded again."))
    if r.relative == "rounded":
        out.append(by_locale(locale, "组内比较时各项得分按舍入后的分数计。", "Group comparisons use the rounded line figures."))
    if scheme.coefficient is not None:
        c = scheme.coefficient
        out.append(
            by_locale(
                locale,
                f"总分乘以{c.label}（{fmt(c.min)}—{fmt(c.max)}，未核定的按{fmt(c.default)}计）。",
                f"Totals are multiplied by the {c.label} ({fmt(c.min)}–{fmt(c.max)}; {fmt(c.default)} when not set).",
            )
        )
    for comp in scheme.composites:
        parts = by_locale(locale, "，", ", ").join(
            f"{p.name or p.source} × {fmt(p.weight)}" for p in comp.parts
        )
        by = by_locale(locale, "名次", "rank") if comp.by == "rank" else by_locale(locale, "得分", "score")
        out.append(
            by_locale(
                locale,
                f"“{comp.name}”按{by}加权：{parts}。",
                f"“{comp.name}” weights the {by}: {parts}.",
            )
        )
    for conv in scheme.conversions:
        out.append(
            by_locale(
                locale,
                f"“{conv.name}”：按满分{fmt(conv.points)}分折算。",
                f"“{conv.name}”: converted to {fmt(conv.points)} points.",
            )
        )
    if scheme.inputs:  # inputs: the schemes whose results history lines read
        sep = by_locale(locale, "、", ", ")
        names = sep.join(f"“{i.name or i.scheme}”" for i in scheme.inputs)
        out.append(by_locale(locale, f"本方案部分指标依据{names}已公布的考核结果计分。",
                      f"Some lines are scored from the published results of {names}."))
    return out


def all_nodes(scheme: Scheme) -> list[Indicator]:
    out: list[Indicator] = []

    def walk(nodes: list[Indicator]) -> None:
        for n in nodes:
            out.append(n)
            walk(n.children)

    walk(scheme.indicators)
    for t in scheme.trees:
        walk(t.indicators)
    return out
