"""The parts of a scheme that are not rule kinds, stated in words.

Rule kinds describe themselves (``Rule.describe``); this module words the rest
of what the published document must say: modifiers, disqualification, scope,
not-applicable policies, caps between lines, vetoes, rankings, honours,
composites, conversions, rounding.  Chinese follows the phrasing of county
考核办法; English is plain.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from site_builder.periods import SPAN_WORDS
from site_builder.ranking.decided import decided_text
from site_builder.schema.scheme import Honour, Indicator, Ranking, Scheme, Veto
from site_builder.scoring.rules.base import LineSpec, fmt


def _p(locale: str, zh: str, en: str) -> str:
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
                _p(locale, "不得分", "no points")
                if s.factor == 0
                else (
                    _p(locale, "得分减半", "half points")
                    if s.factor == Decimal("0.5")
                    else _p(locale, f"得分乘以{fmt(s.factor)}", f"points × {fmt(s.factor)}")
                )
            )
            steps.append(_p(locale, f"{s.min}件次以上{effect}", f"{s.min} or more: {effect}"))
        out.append(_p(locale, f"{m.label}：" + "；".join(steps), f"{m.label}: " + "; ".join(steps)))
    if node.disqualify is not None:
        d = node.disqualify
        times = (
            _p(locale, f"达到{d.at_least}次的", f"{d.at_least} or more occurrences")
            if d.at_least > 1
            else _p(locale, "发生的", "any occurrence")
        )
        out.append(_p(locale, f"{times}，取消评先评优资格", f"{times}: not eligible for honours"))
    if node.applies_to:
        who = _p(locale, "、", ", ").join(group_names.get(a, a) for a in node.applies_to)
        out.append(_p(locale, f"仅适用于：{who}", f"Applies only to: {who}"))
    if node.not_applicable in _NA:
        zh, en = _NA[node.not_applicable]
        out.append(_p(locale, zh, en))
    if node.cap_by:
        ref = names.get(node.cap_by, node.cap_by)
        out.append(
            _p(
                locale,
                f"扣分不超过“{ref}”的得分",
                f"deductions may not exceed the points of “{ref}”",
            )
        )
    if node.cap_span != "period":
        span = {
            "month": _p(locale, "每月", "each month"),
            "quarter": _p(locale, "每季度", "each quarter"),
            "stage": _p(locale, "每阶段", "each stage"),
            "year": _p(locale, "全年", "the year"),
        }[node.cap_span]
        out.append(_p(locale, f"封顶按{span}累计计算", f"the cap applies across {span}"))
    if node.balance_span is not None:
        span = SPAN_WORDS[node.balance_span]
        out.append(_p(locale, f"本项{fmt(node.max or 0)}分为每{span[0]}的余额：每期得分为本{span[0]}起始{fmt(node.max or 0)}分减去本{span[0]}至今的全部扣分",
                      f"the {fmt(node.max or 0)} points are a balance for each {span[1]}: each period shows what is left after every deduction of the {span[1]} so far"))
    if node.transfer_to is not None:
        ref = names.get(node.transfer_to, node.transfer_to)
        if node.transfer_points is None:
            out.append(_p(locale, f"记录注明转给其他单位的扣分，同时记入该单位的“{ref}”",
                          f"a deduction recorded as going to another unit is added to that unit's “{ref}”"))
        else:
            pts = fmt(node.transfer_points)
            out.append(_p(locale, f"记录注明转给其他单位的扣分，该单位的“{ref}”每次得{pts}分",
                          f"a deduction recorded as going to another unit gives that unit's “{ref}” {pts} points per occurrence"))
    out.extend(tree_notes(node, locale))
    if node.rater:
        out.append(_p(locale, f"评分单位：{node.rater}", f"Assessed by: {node.rater}"))
    if node.source:
        out.append(_p(locale, f"数据来源：{node.source}", f"Source: {node.source}"))
    return out


def tree_notes(node: Indicator, locale: str) -> list[str]:
    """Display-only lines, floors, “不设上限”, a line's own rounding."""
    out = []
    if not node.counts:
        out.append(_p(locale, "本项只计算并公布，不计入总分和满分", "shown for reference: not counted in the total or the maximum"))
    if node.min is not None:
        out.append(_p(locale, f"本项合计最低{fmt(node.min)}分（扣完为止）", f"the subtotal never falls below {fmt(node.min)}"))
    if node.uncapped:
        out.append(_p(locale, "不设上限", "no cap"))
    r = node.rounding
    if r is not None:
        if r.keep:
            out.append(_p(locale, "本项得分不舍入，保留原有小数", "this line keeps its decimals (not rounded)"))
        else:
            parts = []
            if r.places is not None:
                parts.append(_p(locale, f"保留{r.places}位小数", f"kept to {r.places} decimal places"))
            if r.mode is not None:
                parts.append(_MODE[r.mode][0 if locale != "en" else 1])
            out.append(_p(locale, "本项得分" + "，".join(parts), "this line is " + ", ".join(parts)))
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
    return _p(locale, zh, en)


def veto_consequence(v: Veto, locale: str, named: bool = False) -> str:
    """The consequence of a veto clause as the scheme names it, and how long it lasts;
    ``named``: a plain 一票否决 is named too (in a list mixing consequences)."""
    text = veto_effect(v.effect, locale)
    if v.called != "veto" or named:
        text = _p(locale, f"{veto_called(v.called, locale)}：{text}", f"{veto_called(v.called, locale)}: {text}")
    if v.lasts == "stage":
        text += _p(locale, "，至本阶段结束", ", until the end of the stage")
    elif v.lasts == "year":
        text += _p(locale, "，至本年度结束", ", until the end of the year")
    return text


_EFFECT = {
    "no_honour": ("取消评先评优资格", "not eligible for honours"),
    "zero": ("总分记0分", "total counted as 0"),
    "last": ("排在本组最后", "ranked last in the group"),
}


def veto_effect(effect: str, locale: str) -> str:
    zh, en = _EFFECT[effect]
    return _p(locale, zh, en)


def _basis(basis: str, scheme: Scheme, locale: str) -> str:
    if basis == "period":
        return _p(locale, "本期总分", "the period's total")
    if basis == "stage":
        return _p(locale, "本阶段累计得分", "the stage's cumulative total")
    if basis == "cumulative":
        return _p(locale, "全年累计得分", "the cumulative total")
    cid = basis.split(":", 1)[-1]
    if basis.startswith("line:"):
        name = _indicator_name(scheme, cid)
    else:
        name = next((c.name for c in scheme.composites if c.id == cid), cid)
    return _p(locale, f"“{name}”", f"“{name}”")


def _indicator_name(scheme: Scheme, iid: str) -> str:
    """The name of the indicator ``iid`` anywhere in the scheme's trees (its id if none has it)."""
    nodes = [*scheme.indicators, *(n for t in scheme.trees for n in t.indicators)]
    while nodes:
        n = nodes.pop(0)
        if n.id == iid:
            return n.name
        nodes.extend(n.children)
    return iid


_SPAN = {
    "year": ("本年各期总分之和，每年重新累计", "the sum of the period totals within the calendar year, restarting every year"),
    "stage": ("本阶段各期总分之和", "the sum of the period totals within the stage"),
    "scheme": ("自第一个考核期起各期总分之和，跨年连续累计", "the sum of the period totals since the first period, not restarting each year"),
}


def _basis_of(r: Ranking, scheme: Scheme, locale: str) -> str:
    """The basis in words, with what a cumulative ranking sums (“累计范围”)."""
    if r.basis == "cumulative" and r.span is not None:
        zh, en = _SPAN[r.span]
        return _p(locale, f"累计得分（{zh}）", f"the cumulative total ({en})")
    return _basis(r.basis, scheme, locale)


def _categories_text(r: Ranking, locale: str) -> str:
    """“；组内按类别分别排名：专业部门、其他部门”."""
    if r.categories is None:
        return ""
    if r.categories == "units":
        return _p(locale, "；组内按单位类别（名册所列）分别排名", "; within each group, units are ranked per category (as in the registry)")
    names = _p(locale, "、", ", ").join(c.name for c in r.categories)
    return _p(locale, f"；组内按类别分别排名：{names}", f"; within each group, ranked per category: {names}")


def ranking_text(r: Ranking, scheme: Scheme, locale: str) -> str:
    ties = (
        _p(
            locale,
            "并列名次按1、2、2、4排列",
            "ties share a place and the next place is skipped (1, 2, 2, 4)",
        )
        if r.ties == "competition"
        else _p(locale, "并列名次按1、2、2、3排列", "ties share a place (1, 2, 2, 3)")
    )
    text = _p(
        locale,
        f"“{r.name}”：各组按{_basis_of(r, scheme, locale)}从高到低排名，{ties}",
        f"“{r.name}”: each group ranked by {_basis_of(r, scheme, locale)}, highest first; {ties}",
    )
    text += _categories_text(r, locale)
    if r.tie_break:
        names = {n.id: n.name for n in _all_nodes(scheme)}
        order = _p(locale, "、", ", ").join(f"“{names.get(i, i)}”" for i in r.tie_break)
        text += _p(
            locale, f"；总分相同的依次比较{order}得分", f"; equal totals are separated by {order}"
        )
    return text + _p(locale, "。", ".")


def category_names(r: Ranking | None, scheme: Scheme, unit_categories: Mapping[str, str | None]) -> list[str]:
    """The categories a ranking ranks within, in order: its own list, or the registry's
    categories of the scheme's units in the order first met (``categories: units``)."""
    if r is None or r.categories is None:
        return []
    if isinstance(r.categories, list):
        return [c.name for c in r.categories]
    found = (unit_categories.get(u) for g in scheme.groups for u in g.units)
    return list(dict.fromkeys(c for c in found if c))


def honour_text(h: Honour, scheme: Scheme, group_names: dict[str, str], locale: str,
                unit_categories: Mapping[str, str | None] | None = None) -> str:
    rname = next((r.name for r in scheme.rankings if r.id == h.ranking), h.ranking)
    s = h.select
    rk = next((r for r in scheme.rankings if r.id == h.ranking), None)
    cats = category_names(rk, scheme, unit_categories or {})
    per = _p(locale, "、", ", ").join(cats)
    within = (_p(locale, f"各类别（{per}）", f"each category ({per})") if cats
              else _p(locale, "各类别", "each category")) if rk is not None and rk.categories is not None else None
    if s.top is not None:
        how = (_p(locale, f"{within}前{s.top}名", f"the top {s.top} of {within}") if within
               else _p(locale, f"每组前{s.top}名", f"the top {s.top} of each group"))
    elif s.bottom is not None:
        how = (_p(locale, f"{within}后{s.bottom}名", f"the bottom {s.bottom} of {within}") if within
               else _p(locale, f"每组后{s.bottom}名", f"the bottom {s.bottom} of each group"))
    elif s.share is not None:
        pct = fmt(s.share * 100)
        if s.rounding == "floor" and h.ties != "include":
            # rounded down and a tie at the last place left out: never more than the share
            how = _p(
                locale,
                f"每组不超过{pct}%（名额{_round(s.rounding, locale)}）",
                f"at most {pct}% of each group (places {_round(s.rounding, locale)})",
            )
        else:
            # rounded up or half up, or ties included: the places may exceed the share, so
            # say how many they are for each group rather than “不超过”
            how = _share_places(h, scheme, pct, group_names, locale)
    elif s.pool is not None:
        how = _pool_text(h, scheme, group_names, locale)
    else:
        quota = _p(locale, "，", ", ").join(f"{k} {v}" for k, v in sorted((s.quota or {}).items()))
        how = _p(locale, f"按单位类别分配名额（{quota}）", f"by quota per category ({quota})")
    if s.about is not None:
        how += _about_text(h, locale)
    kind = (
        _p(locale, "表彰", "honour") if h.kind == "honour" else _p(locale, "整改/通报", "sanction")
    )
    text = _p(
        locale,
        f"“{h.name}”（{kind}）：依据“{rname}”，{how}",
        f"“{h.name}” ({kind}): by “{rname}”, {how}",
    )
    if h.min_score is not None:
        text += _p(
            locale,
            f"，且得分不低于{fmt(h.min_score)}分",
            f", with at least {fmt(h.min_score)} points",
        )
    ties = h.ties or ("exclude" if s.share is not None else None)  # the engine's default for a share
    if ties == "include":
        text += _p(
            locale, "；名额末位并列的一并入选", "; a tie at the last place includes all tied units"
        )
    elif ties == "exclude":
        text += _p(
            locale, "；名额末位并列的均不入选", "; a tie at the last place includes none of them"
        )
    if h.groups:
        gs = _p(locale, "、", ", ").join(group_names.get(g, g) for g in h.groups)
        text += _p(locale, f"；仅在{gs}评选", f"; only in {gs}")
    if rk is not None and rk.categories is not None and s.top is None and s.bottom is None:
        text += _p(locale, "；在各类别内分别评选，名额按类别计算", "; chosen within each category, places counted per category")
    when = decided_text(h, scheme.period, locale)
    if when:
        text += _p(locale, f"；{when}，其他考核期不评定", f"; {when}, not in other periods")
    if h.kind == "honour" and scheme.vetoes:
        called = list(dict.fromkeys(veto_called(v.called, locale) for v in scheme.vetoes))
        text += _p(locale, f"；被{'、'.join(called)}的单位不得入选", "; vetoed units are not eligible")
    if h.description:
        text += _p(locale, f"。{h.description}", f". {h.description}")
    return _stop(text, locale)


def _stop(text: str, locale: str) -> str:
    """``text`` ended by one full stop: a description that ends in its own (“…均授予。”) gets no second."""
    return text if text.endswith(("。", "！", "？", ".", "!", "?")) else text + _p(locale, "。", ".")


def _pool_text(h: Honour, scheme: Scheme, group_names: dict[str, str], locale: str) -> str:
    """“局机关处室、大厅窗口共6个名额，按各组单位数比例分配（局机关处室4个、大厅窗口2个）；大厅窗口依据“…””."""
    from site_builder.ranking.pool import allot

    pool = h.select.pool
    assert pool is not None
    sep = _p(locale, "、", ", ")
    names = sep.join(group_names.get(g, g) for g in pool.groups)
    if pool.split == "score":
        text = _p(locale, f"{names}共{pool.places}个名额，各组单位统一按得分排序评选",
                  f"{pool.places} places shared by {names}, their units ranked together by score")
    else:
        sizes = [(g, len(next((x.units for x in scheme.groups if x.id == g), ()))) for g in pool.groups]
        got = sep.join(_p(locale, f"{group_names.get(g, g)}{n}个", f"{group_names.get(g, g)} {n}")
                       for g, n in allot(pool.places, sizes).items())
        text = _p(locale, f"{names}共{pool.places}个名额，按各组单位数比例分配（最大余数法：{got}），各组按本组排名评选",
                  f"{pool.places} places shared by {names} in proportion to the number of units of each group "
                  f"(largest remainders: {got}), each group choosing by its own ranking")
    rnames = {r.id: r.name for r in scheme.rankings}
    for g, rid in pool.rankings.items():
        text += _p(locale, f"；{group_names.get(g, g)}依据“{rnames.get(rid, rid)}”",
                   f"; {group_names.get(g, g)} by “{rnames.get(rid, rid)}”")
    return text


def _about_text(h: Honour, locale: str) -> str:
    """“（名额可上下浮动1个，即5至7个，以当期记录的决定为准）”."""
    from site_builder.ranking.pool import places_range

    s = h.select
    n = s.pool.places if s.pool is not None else s.top if s.top is not None else s.bottom
    if n is None or s.about is None:
        return ""
    low, high = places_range(n, s.about)
    return _p(locale, f"（名额{n}个左右，可上下浮动{s.about}个，即{low}至{high}个，以当期通报记载的决定为准）",
              f" (about {n} places: {low} to {high}, as decided and recorded in each period)")


def _share_places(h: Honour, scheme: Scheme, pct: str, group_names: dict[str, str], locale: str) -> str:
    """“每组按参评单位数的20%四舍五入确定名额（全体8个单位为2个）”: the arithmetic, not a bound."""
    from site_builder.ranking.selection import share_limit

    s = h.select
    assert s.share is not None
    wanted = [g for g in scheme.groups if not h.groups or g.id in h.groups]
    sep = _p(locale, "、", ", ")
    rk = next((r for r in scheme.rankings if r.id == h.ranking), None)
    if rk is not None and isinstance(rk.categories, list):  # places are counted per category
        members = {u for g in wanted for u in g.units}
        sizes = [(c.name, len([u for u in c.units if u in members])) for c in rk.categories]
    elif rk is not None and rk.categories == "units":  # the registry's categories: not known here
        return _p(locale, f"每类别名额按参评单位数的{pct}%{_round(s.rounding, locale)}确定",
                  f"places per category: {pct}% of the units assessed, {_round(s.rounding, locale)}")
    else:
        sizes = [(group_names.get(g.id, g.name), len(g.units)) for g in wanted]
    cases = sep.join(
        _p(locale, f"{name}{n}个单位为{share_limit(n, s.share, s.rounding)}个",
           f"{name}: {share_limit(n, s.share, s.rounding)} of {n}")
        for name, n in sizes
    )
    return _p(
        locale,
        f"每组名额按参评单位数的{pct}%{_round(s.rounding, locale)}确定（{cases}）",
        f"places per group: {pct}% of the units assessed, {_round(s.rounding, locale)} ({cases})",
    )


def _round(mode: str, locale: str) -> str:
    return {
        "floor": _p(locale, "向下取整", "rounded down"),
        "half_up": _p(locale, "四舍五入", "rounded half up"),
        "ceil": _p(locale, "向上取整", "rounded up"),
    }[mode]


def other_rules(scheme: Scheme, locale: str) -> list[str]:
    """Rounding, coefficient, composites and conversions."""
    out = []
    r = scheme.rounding
    mode = {
        "half_up": _p(locale, "四舍五入", "half up"),
        "half_even": _p(locale, "银行家舍入", "half even"),
        "down": _p(locale, "截尾", "truncated"),
        "up": _p(locale, "进位", "rounded up"),
    }[r.mode]
    where = (
        _p(locale, "总分", "totals") if r.at == "total" else _p(locale, "每一项得分", "each line")
    )
    out.append(
        _p(
            locale,
            f"{where}保留{r.places}位小数，{mode}。",
            f"{where} are kept to {r.places} decimal places, {mode}.",
        )
    )
    if r.total == "sum_of_lines":
        out.append(_p(locale, "总分为各项公布得分之和，不再舍入。", "The total is the sum of the published lines, not rounded again."))
    if r.relative == "rounded":
        out.append(_p(locale, "组内比较时各项得分按舍入后的分数计。", "Group comparisons use the rounded line figures."))
    if scheme.coefficient is not None:
        c = scheme.coefficient
        out.append(
            _p(
                locale,
                f"总分乘以{c.label}（{fmt(c.min)}—{fmt(c.max)}，未核定的按{fmt(c.default)}计）。",
                f"Totals are multiplied by the {c.label} ({fmt(c.min)}–{fmt(c.max)}; {fmt(c.default)} when not set).",
            )
        )
    for comp in scheme.composites:
        parts = _p(locale, "，", ", ").join(
            f"{p.name or p.source} × {fmt(p.weight)}" for p in comp.parts
        )
        by = _p(locale, "名次", "rank") if comp.by == "rank" else _p(locale, "得分", "score")
        out.append(
            _p(
                locale,
                f"“{comp.name}”按{by}加权：{parts}。",
                f"“{comp.name}” weights the {by}: {parts}.",
            )
        )
    for conv in scheme.conversions:
        out.append(
            _p(
                locale,
                f"“{conv.name}”：按满分{fmt(conv.points)}分折算。",
                f"“{conv.name}”: converted to {fmt(conv.points)} points.",
            )
        )
    if scheme.inputs:  # inputs: the schemes whose results history lines read
        sep = _p(locale, "、", ", ")
        names = sep.join(f"“{i.name or i.scheme}”" for i in scheme.inputs)
        out.append(_p(locale, f"本方案部分指标依据{names}已公布的考核结果计分。",
                      f"Some lines are scored from the published results of {names}."))
    return out


def _all_nodes(scheme: Scheme) -> list[Indicator]:
    out: list[Indicator] = []

    def walk(nodes: list[Indicator]) -> None:
        for n in nodes:
            out.append(n)
            walk(n.children)

    walk(scheme.indicators)
    for t in scheme.trees:
        walk(t.indicators)
    return out
