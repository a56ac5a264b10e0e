"""Rankings and honours stated in words, as the scheme document and the notice say them:
what a ranking is based on and over which categories, who may be honoured, from which
pool, how many places (a share of the group, rounded as declared).
"""

from __future__ import annotations

from collections.abc import Mapping

from site_builder.ranking.decided import decided_text
from site_builder.schema.scheme import Honour, Ranking, Scheme
from site_builder.scoring.rules.base import fmt
from site_builder.site.present.wording import all_nodes, by_locale, rounding_words, veto_called


def _basis(basis: str, scheme: Scheme, locale: str) -> str:
    if basis == "period":
        return by_locale(locale, "本期总分", "the period's total")
    if basis == "stage":
        return by_locale(locale, "本阶段累计得分", "the stage's cumulative total")
    if basis == "cumulative":
        return by_locale(locale, "全年累计得分", "the cumulative total")
    cid = basis.split(":", 1)[-1]
    if basis.startswith("line:"):
        name = _indicator_name(scheme, cid)
    else:
        name = next((c.name for c in scheme.composites if c.id == cid), cid)
    return by_locale(locale, f"“{name}”", f"“{name}”")


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
        return by_locale(locale, f"累计得分（{zh}）", f"the cumulative total ({en})")
    return _basis(r.basis, scheme, locale)


def _categories_text(r: Ranking, locale: str) -> str:
    """“；组内按类别分别排名：专业部门、其他部门”."""
    if r.categories is None:
        return ""
    if r.categories == "units":
        return by_locale(locale, "；组内按单位类别（名册所列）分别排名", "; within each group, units are ranked per category (as in the registry)")
    names = by_locale(locale, "、", ", ").join(c.name for c in r.categories)
    return by_locale(locale, f"；组内按类别分别排名：{names}", f"; within each group, ranked per category: {names}")


def ranking_text(r: Ranking, scheme: Scheme, locale: str) -> str:
    ties = (
        by_locale(
            locale,
            "并列名次按1、2、2、4排列",
            "ties share a place and the next place is skipped (1, 2, 2, 4)",
        )
        if r.ties == "competition"
        else by_locale(locale, "并列名次按1、2、2、3排列", "ties share a place (1, 2, 2, 3)")
    )
    text = by_locale(
        locale,
        f"“{r.name}”：各组按{_basis_of(r, scheme, locale)}从高到低排名，{ties}",
        f"“{r.name}”: each group ranked by {_basis_of(r, scheme, locale)}, highest first; {ties}",
    )
    text += _categories_text(r, locale)
    if r.tie_break:
        names = {n.id: n.name for n in all_nodes(scheme)}
        order = by_locale(locale, "、", ", ").join(f"“{names.get(i, i)}”" for i in r.tie_break)
        text += by_locale(
            locale, f"；总分相同的依次比较{order}得分", f"; equal totals are separated by {order}"
        )
    return text + by_locale(locale, "。", ".")


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
    per = by_locale(locale, "、", ", ").join(cats)
    within = (by_locale(locale, f"各类别（{per}）", f"each category ({per})") if cats
              else by_locale(locale, "各类别", "each category")) if rk is not None and rk.categories is not None else None
    if s.top is not None:
        how = (by_locale(locale, f"{within}前{s.top}名", f"the top {s.top} of {within}") if within
               else by_locale(locale, f"每组前{s.top}名", f"the top {s.top} of each group"))
    elif s.bottom is not None:
        how = (by_locale(locale, f"{within}后{s.bottom}名", f"the bottom {s.bottom} of {within}") if within
               else by_locale(locale, f"每组后{s.bottom}名", f"the bottom {s.bottom} of each group"))
    elif s.share is not None:
        pct = fmt(s.share * 100)
        if s.rounding == "floor" and h.ties != "include":
            # rounded down and a tie at the last place left out: never more than the share
            how = by_locale(
                locale,
                f"每组不超过{pct}%（名额{rounding_words(s.rounding, locale)}）",
                f"at most {pct}% of each group (places {rounding_words(s.rounding, locale)})",
            )
        else:
            # rounded up or half up, or ties included: the places may exceed the share, so
            # say how many they are for each group rather than “不超过”
            how = _share_places(h, scheme, pct, group_names, locale)
    elif s.pool is not None:
        how = _pool_text(h, scheme, group_names, locale)
    else:
        quota = by_locale(locale, "，", ", ").join(f"{k} {v}" for k, v in sorted((s.quota or {}).items()))
        how = by_locale(locale, f"按单位类别分配名额（{quota}）", f"by quota per category ({quota})")
    if s.about is not None:
        how += _about_text(h, locale)
    kind = (
        by_locale(locale, "表彰", "honour") if h.kind == "honour" else by_locale(locale, "整改/通报", "sanction")
    )
    text = by_locale(
        locale,
        f"“{h.name}”（{kind}）：依据“{rname}”，{how}",
        f"“{h.name}” ({kind}): by “{rname}”, {how}",
    )
    if h.min_score is not None:
        text += by_locale(
            locale,
            f"，且得分不低于{fmt(h.min_score)}分",
            f", with at least {fmt(h.min_score)} points",
        )
    ties = h.ties or ("exclude" if s.share is not None else None)  # the engine's default for a share
    if ties == "include":
        text += by_locale(
            locale, "；名额末位并列的一并入选", "; a tie at the last place includes all tied units"
        )
    elif ties == "exclude":
        text += by_locale(
            locale, "；名额末位并列的均不入选", "; a tie at the last place includes none of them"
        )
    if h.groups:
        gs = by_locale(locale, "、", ", ").join(group_names.get(g, g) for g in h.groups)
        text += by_locale(locale, f"；仅在{gs}评选", f"; only in {gs}")
    if rk is not None and rk.categories is not None and s.top is None and s.bottom is None:
        text += by_locale(locale, "；在各类别内分别评选，名额按类别计算", "; chosen within each category, places counted per category")
    when = decided_text(h, scheme.period, locale)
    if when:
        text += by_locale(locale, f"；{when}，其他考核期不评定", f"; {when}, not in other periods")
    if h.kind == "honour" and scheme.vetoes:
        called = list(dict.fromkeys(veto_called(v.called, locale) for v in scheme.vetoes))
        text += by_locale(locale, f"；被{'、'.join(called)}的单位不得入选", "; vetoed units are not eligible")
    if h.description:
        text += by_locale(locale, f"。{h.description}", f". {h.description}")
    return _stop(text, locale)


def _stop(text: str, locale: str) -> str:
    """``text`` ended by one full stop: a description that ends in its own (“…均授予。”) gets no second."""
    return text if text.endswith(("。", "！", "？", ".", "!", "?")) else text + by_locale(locale, "。", ".")


def _pool_text(h: Honour, scheme: Scheme, group_names: dict[str, str], locale: str) -> str:
    """“局机关处室、大厅窗口共6个名额，按各组单位数比例分配（局机关处室4个、大厅窗口2个）；大厅窗口依据“…””."""
    from site_builder.ranking.pool import allot

    pool = h.select.pool
    assert pool is not None
    sep = by_locale(locale, "、", ", ")
    names = sep.join(group_names.get(g, g) for g in pool.groups)
    if pool.split == "score":
        text = by_locale(locale, f"{names}共{pool.places}个名额，各组单位统一按得分排序评选",
                  f"{pool.places} places shared by {names}, their units ranked together by score")
    else:
        sizes = [(g, len(next((x.units for x in scheme.groups if x.id == g), ()))) for g in pool.groups]
        got = sep.join(by_locale(locale, f"{group_names.get(g, g)}{n}个", f"{group_names.get(g, g)} {n}")
                       for g, n in allot(pool.places, sizes).items())
        text = by_locale(locale, f"{names}共{pool.places}个名额，按各组单位数比例分配（最大余数法：{got}），各组按本组排名评选",
                  f"{pool.places} places shared by {names} in proportion to the number of units of each group "
                  f"(largest remainders: {got}), each group choosing by its own ranking")
    rnames = {r.id: r.name for r in scheme.rankings}
    for g, rid in pool.rankings.items():
        text += by_locale(locale, f"；{group_names.get(g, g)}依据“{rnames.get(rid, rid)}”",
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
    return by_locale(locale, f"（名额{n}个左右，可上下浮动{s.about}个，即{low}至{high}个，以当期通报记载的决定为准）",
              f" (about {n} places: {low} to {high}, as decided and recorded in each period)")


def _share_places(h: Honour, scheme: Scheme, pct: str, group_names: dict[str, str], locale: str) -> str:
    """“每组按参评单位数的20%四舍五入确定名额（全体8个单位为2个）”: the arithmetic, not a bound."""
    from site_builder.ranking.selection import share_limit

    s = h.select
    assert s.share is not None
    wanted = [g for g in scheme.groups if not h.groups or g.id in h.groups]
    sep = by_locale(locale, "、", ", ")
    rk = next((r for r in scheme.rankings if r.id == h.ranking), None)
    if rk is not None and isinstance(rk.categories, list):  # places are counted per category
        members = {u for g in wanted for u in g.units}
        sizes = [(c.name, len([u for u in c.units if u in members])) for c in rk.categories]
    elif rk is not None and rk.categories == "units":  # the registry's categories: not known here
        return by_locale(locale, f"每类别名额按参评单位数的{pct}%{rounding_words(s.rounding, locale)}确定",
                  f"places per category: {pct}% of the units assessed, {rounding_words(s.rounding, locale)}")
    else:
        sizes = [(group_names.get(g.id, g.name), len(g.units)) for g in wanted]
    cases = sep.join(
        by_locale(locale, f"{name}{n}个单位为{share_limit(n, s.share, s.rounding)}个",
           f"{name}: {share_limit(n, s.share, s.rounding)} of {n}")
        for name, n in sizes
    )
    return by_locale(
        locale,
        f"每组名额按参评单位数的{pct}%{rounding_words(s.rounding, locale)}确定（{cases}）",
        f"places per group: {pct}% of the units assessed, {rounding_words(s.rounding, locale)} ({cases})",
    )
