"""Checks of a scheme's ranking spans, sub-categories, honour timing and shared or adjustable places.

Called from :func:`site_builder.checks.scheme_checks.check_scheme`; every
problem is located at the key that causes it (``rankings[i].span``,
``rankings[i].categories[j].units[k]``, ``honours[i].decided[j]``).
"""

from __future__ import annotations

from site_builder import messages
from site_builder.errors import Problems
from site_builder.load.yamlsafe import Document
from site_builder.periods import example, parse_period
from site_builder.ranking.decided import WORDS
from site_builder.schema.scheme import Ranking, Scheme
from site_builder.schema.units import Unit

messages.register(
    {
        "scheme.span_basis": (
            "排名“{ranking}”的依据是 {basis}，不能写累计范围 span",
            "span 只用于 basis: cumulative；请删去 span，或把 basis 改为 cumulative",
            "ranking “{ranking}” is based on {basis} and cannot have a span",
            "span is for basis: cumulative only; remove span or use basis: cumulative",
        ),
        "scheme.span_stages": (
            "排名“{ranking}”按阶段累计（span: stage），但方案没有列出阶段",
            "请在 period 下加 stages，或改用 span: year / span: scheme",
            "ranking “{ranking}” sums over stages (span: stage) but the scheme lists no stages",
            "add stages under period, or use span: year / span: scheme",
        ),
        "scheme.category_unit_unknown": (
            "单位“{unit}”不在排名“{ranking}”所涉的组别中",
            "类别只能列本排名所涉组别（groups）中的单位；请核对单位标识",
            "unit “{unit}” is not in a group that ranking “{ranking}” ranks",
            "a category lists units of the ranking's groups only; check the unit id",
        ),
        "scheme.category_unit_twice": (
            "单位“{unit}”同时在类别“{a}”和“{b}”中",
            "每个单位只能属于一个类别",
            "unit “{unit}” is in both categories “{a}” and “{b}”",
            "put each unit in one category",
        ),
        "scheme.category_missing": (
            "组别“{group}”的单位“{unit}”不在排名“{ranking}”的任何类别中",
            "请把它加到某个类别的 units 中；组别的每个单位必须恰好属于一个类别，否则会在排名中漏掉",
            "unit “{unit}” of group “{group}” is in no category of ranking “{ranking}”",
            "add it to the units of one category: every unit of the group must be in exactly one, or it would be left out of the ranking",
        ),
        "scheme.category_none": (
            "排名“{ranking}”按名册类别排名（categories: units），但单位“{unit}”在 units.yaml 中没有 category",
            "请在 units.yaml 为该单位写 category，或在排名中列出各类别的 units",
            "ranking “{ranking}” ranks by the registry's categories (categories: units) but unit “{unit}” has no category in units.yaml",
            "give the unit a category in units.yaml, or list the units of each category in the ranking",
        ),
        "scheme.bad_decided": (
            "“{value}”不是有效的评定时间",
            "可用：stage_end（每阶段最后一期）、year_end（每年最后一期）、阶段标识（{stages}）或考核期标识（如 {example}）",
            "“{value}” is not a valid time of decision",
            "use stage_end, year_end, a stage id ({stages}) or a period id (such as {example})",
        ),
        "scheme.decided_stages": (
            "“{name}”在每阶段结束时评定（stage_end），但方案没有列出阶段",
            "请在 period 下加 stages，或改用 year_end、考核期标识",
            "“{name}” is decided at the end of each stage (stage_end) but the scheme lists no stages",
            "add stages under period, or use year_end or period ids",
        ),
        "scheme.pool_group_unknown": (
            "名额池中的“{ref}”不是本方案的组别{suggestion_zh}",
            "pool.groups 列出合用名额的组别标识（可用：{known}）",
            "“{ref}” in the pool is not a group of this scheme{suggestion_en}",
            "pool.groups lists the ids of the groups sharing the places (known: {known})",
        ),
        "scheme.pool_group_twice": (
            "组别“{group}”在名额池中列出了两次",
            "每个组别只列一次",
            "group “{group}” is listed twice in the pool",
            "list each group once",
        ),
        "scheme.pool_ranking_group": (
            "“{group}”不在名额池的组别中，不能为它指定排名",
            "pool.rankings 的键须是 pool.groups 中的组别（{known}）",
            "“{group}” is not a group of the pool, so it cannot have a ranking there",
            "the keys of pool.rankings are groups of pool.groups ({known})",
        ),
        "scheme.pool_ranking_unranked": (
            "排名“{ranking}”不在组别“{group}”中排名，不能作为该组的评选依据",
            "请选用在该组排名的排名，或在该排名的 groups 中加上此组别",
            "ranking “{ranking}” does not rank group “{group}”, so the group cannot be chosen by it",
            "pick a ranking that ranks the group, or add the group to that ranking's groups",
        ),
        "scheme.pool_categories": (
            "排名“{ranking}”分类别排名，不能用于名额池",
            "名额池按组别分配名额；请选用不分类别的排名",
            "ranking “{ranking}” ranks within categories and cannot serve a pool",
            "a pool shares places between groups; pick a ranking without categories",
        ),
        "scheme.pool_one_group": (
            "名额池只列了一个组别“{group}”：名额池是两个及以上组别合用的名额",
            "在 pool.groups 中列出合用名额的各个组别；只有一个组别时不用名额池，直接写 top: N",
            "the pool lists one group only (“{group}”): a pool is places shared by two or more groups",
            "list the groups sharing the places in pool.groups; for one group write top: N instead of a pool",
        ),
        "scheme.pool_one_group_categories": (
            "名额池只列了一个组别“{group}”：名额池是几个组别合用的名额，在组别之间分配，"
            "不能在一个组别的各类别之间分配（“{ranking}”在组内按类别排名）",
            "把各类别分设为组别（方案的 groups 中每个类别一组），在 pool.groups 中列出这些组别，"
            "各组按本组排名评选；或不用名额池，用 quota 为每个类别规定名额",
            "the pool lists one group only (“{group}”): a pool shares places between groups, not between the "
            "categories of one group (“{ranking}” ranks within categories)",
            "make each category a group of its own and list those groups in pool.groups, each chosen by its own "
            "ranking; or, without a pool, give each category its places with quota",
        ),
        "scheme.pool_score_mixed": (
            "“{name}”按得分统一排序（split: score），但各组依据不同的排名或不同的指标体系，得分不可比",
            "请改用 split: size（按各组单位数比例分配），或让各组依据同一排名、同一指标体系",
            "“{name}” ranks the pooled units together (split: score) but the groups use different rankings or indicator trees, so their scores do not compare",
            "use split: size (in proportion to the groups' sizes), or one ranking and one tree for all the groups",
        ),
        "scheme.pool_with_groups": (
            "“{name}”有名额池，不能再写 groups",
            "合用名额的组别写在 pool.groups 中；请删去 groups",
            "“{name}” has a pool and cannot also have groups",
            "the groups sharing the places are listed in pool.groups; remove groups",
        ),
        "scheme.pool_sanction": (
            "“{name}”是整改通报（kind: sanction），不能用名额池",
            "名额池从各组最好的单位评起，只用于表彰；通报请用 bottom",
            "“{name}” is a sanction and cannot use a pool",
            "a pool chooses the best units, for honours only; use bottom for a sanction",
        ),
        "scheme.about_select": (
            "“{name}”的名额浮动范围 about 只能与 top、bottom、pool 同用",
            "按比例（share）或按类别（quota）评选时不能写 about；请删去 about",
            "the tolerance about of “{name}” goes with top, bottom or pool only",
            "remove about: it cannot be used with share or quota",
        ),
        "scheme.about_too_large": (
            "“{name}”的名额是{n}个，浮动范围 about: {about} 超过了名额",
            "about 不能大于名额本身",
            "“{name}” has {n} places; the tolerance about: {about} is larger than that",
            "about cannot exceed the number of places",
        ),
        "scores.places_unknown": (
            "“{ref}”不是本方案中名额可调整（写了 about）的荣誉{suggestion_zh}",
            "honour_places 只能记录名额“左右”的荣誉（可用：{known}）",
            "“{ref}” is not an honour of this scheme whose places may be adjusted (with about){suggestion_en}",
            "honour_places records honours with “about N” places only (known: {known})",
        ),
        "scores.places_outside": (
            "“{name}”的名额是{n}个左右（可在{low}至{high}个之间调整），本期记录的{m}个超出了范围",
            "请改为{low}至{high}之间的个数，或修改方案的 about",
            "“{name}” has about {n} places ({low} to {high}); the {m} recorded this period is outside that range",
            "record a number from {low} to {high}, or change the scheme's about",
        ),
    }
)


def check_places(scores, scheme: Scheme, doc: Document, problems: Problems) -> None:
    """The period file's ``honour_places``: an honour “about N” only, a number within its tolerance."""
    from site_builder.ranking.pool import places_range

    adjustable = {h.id: h for h in scheme.honours if h.select.about is not None}
    for hid, decision in scores.honour_places.items():
        h = adjustable.get(hid)
        if h is None:
            problems.add("scores.places_unknown", doc.mark(("honour_places", hid)), ref=hid,
                         known=", ".join(adjustable) or "—", **messages.did_you_mean(hid, list(adjustable), cutoff=0.5))
            continue
        s = h.select
        n = s.pool.places if s.pool is not None else s.top if s.top is not None else s.bottom
        if n is None:
            continue  # about with share/quota: refused in the scheme
        low, high = places_range(n, s.about)
        if not low <= decision.places <= high:
            problems.add("scores.places_outside", doc.mark(("honour_places", hid, "places")), name=h.name, n=n,
                         low=low, high=high, m=decision.places)


def _check_pool(scheme: Scheme, hi: int, doc: Document, problems: Problems) -> None:
    """A pool names known groups once each, rankings that rank them, and comparable scores for split: score."""
    h = scheme.honours[hi]
    pool = h.select.pool
    assert pool is not None
    at = ("honours", hi, "select", "pool")
    groups = {g.id: g for g in scheme.groups}
    rankings = {r.id: r for r in scheme.rankings}
    if h.groups:
        problems.add("scheme.pool_with_groups", doc.mark(("honours", hi, "groups")), name=h.name)
    if h.kind == "sanction":
        problems.add("scheme.pool_sanction", doc.mark(at), name=h.name)
    if len(pool.groups) < 2:  # a pool is shared by groups: one group (split by categories or not) is refused
        g = pool.groups[0]
        r = rankings.get(pool.rankings.get(g, h.ranking))
        name = groups[g].name if g in groups else g
        if r is not None and r.categories is not None:
            problems.add("scheme.pool_one_group_categories", doc.mark((*at, "groups")), group=name, ranking=r.name)
        else:
            problems.add("scheme.pool_one_group", doc.mark((*at, "groups")), group=name)
        return
    seen: set[str] = set()
    for gi, g in enumerate(pool.groups):
        if g not in groups:
            problems.add("scheme.pool_group_unknown", doc.mark((*at, "groups", gi)), ref=g, known=", ".join(groups),
                         **messages.did_you_mean(g, list(groups), cutoff=0.5))
        elif g in seen:
            problems.add("scheme.pool_group_twice", doc.mark((*at, "groups", gi)), group=g)
        seen.add(g)
    for g, rid in pool.rankings.items():
        where = doc.mark((*at, "rankings", g))
        if g not in pool.groups:
            problems.add("scheme.pool_ranking_group", where, group=g, known=", ".join(pool.groups))
        elif rid not in rankings:
            from site_builder.checks import unknown_ref

            unknown_ref(problems, "scheme.unknown_ref", where, rid, list(rankings), "排名", "ranking")
    used = {g: pool.rankings.get(g, h.ranking) for g in pool.groups if g in groups}
    for g, rid in used.items():
        r = rankings.get(rid)
        if r is None:
            continue  # an unknown ranking is reported at its key
        where = doc.mark((*at, "rankings", g)) if g in pool.rankings else doc.mark(("honours", hi, "ranking"))
        if r.groups and g not in r.groups:
            problems.add("scheme.pool_ranking_unranked", where, ranking=r.name, group=groups[g].name)
        if r.categories is not None:
            problems.add("scheme.pool_categories", where, ranking=r.name)
    if pool.split == "score" and (len(set(used.values())) > 1 or len({groups[g].tree for g in used}) > 1):
        problems.add("scheme.pool_score_mixed", doc.mark((*at, "split")), name=h.name)


def check_rankings(scheme: Scheme, doc: Document, problems: Problems, units: dict[str, Unit]) -> None:
    """Spans, categories and honour timing: refused at the key, all in one run."""
    group_units = {g.id: list(g.units) for g in scheme.groups}
    stage_ids = [st.id for st in scheme.period.stages]
    for ri, r in enumerate(scheme.rankings):
        if r.span is not None:
            where = doc.mark(("rankings", ri, "span"))
            if r.basis != "cumulative":
                problems.add("scheme.span_basis", where, ranking=r.name, basis=r.basis)
            elif r.span == "stage" and not stage_ids:
                problems.add("scheme.span_stages", where, ranking=r.name)
        if r.categories is not None:
            _check_categories(r, ri, group_units, doc, problems, units)
    for hi, h in enumerate(scheme.honours):
        s = h.select
        if s.pool is not None:
            _check_pool(scheme, hi, doc, problems)
        if s.about is not None:
            where = doc.mark(("honours", hi, "select", "about"))
            n = s.pool.places if s.pool is not None else s.top if s.top is not None else s.bottom
            if n is None:
                problems.add("scheme.about_select", where, name=h.name)
            elif s.about > n:
                problems.add("scheme.about_too_large", where, name=h.name, n=n, about=s.about)
        for di, when in enumerate(h.decided):
            where = doc.mark(("honours", hi, "decided", di))
            if when == "stage_end" and not stage_ids:
                problems.add("scheme.decided_stages", where, name=h.name)
            elif when not in WORDS and when not in stage_ids and parse_period(when, scheme.period) is None:
                problems.add("scheme.bad_decided", where, value=when, stages=", ".join(stage_ids) or "—",
                             example=example(scheme.period.kind))


def _check_categories(r: Ranking, ri: int, group_units: dict[str, list[str]], doc: Document,
                      problems: Problems, units: dict[str, Unit]) -> None:
    covered = {u: g for g, us in group_units.items() if not r.groups or g in r.groups for u in us}
    if r.categories == "units":
        for u in covered:
            if u in units and not units[u].category:
                problems.add("scheme.category_none", doc.mark(("rankings", ri, "categories")), ranking=r.name, unit=u)
        return
    assert isinstance(r.categories, list)
    seen_ids: set[str] = set()
    placed: dict[str, str] = {}
    for ci, c in enumerate(r.categories):
        if c.id in seen_ids:
            problems.add("scheme.duplicate_id", doc.mark(("rankings", ri, "categories", ci, "id")), id=c.id)
        seen_ids.add(c.id)
        for ui, u in enumerate(c.units):
            where = doc.mark(("rankings", ri, "categories", ci, "units", ui))
            if u not in covered:
                problems.add("scheme.category_unit_unknown", where, unit=u, ranking=r.name)
            elif u in placed:
                problems.add("scheme.category_unit_twice", where, unit=u, a=placed[u], b=c.name)
            else:
                placed[u] = c.name
    for u, g in covered.items():
        if u not in placed:
            problems.add("scheme.category_missing", doc.mark(("rankings", ri, "categories")), unit=u, group=g, ranking=r.name)
