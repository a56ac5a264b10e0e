"""Rankings, composites, honours and running totals for one period.

Reads the per-unit results of :mod:`site_builder.scoring.engine` and the
scheme's declarations; ``state`` carries what later periods of the same scheme
need (running totals, honour history).
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median

from site_builder import messages
from site_builder.model import Period, Project, SchemeVersion
from site_builder.ranking.decided import is_decided, pending_text
from site_builder.ranking.pool import allot, pooled_by_score
from site_builder.ranking.selection import Selection, bottom_n, by_quota, share_limit, top_n, top_share
from site_builder.ranking.ties import Ranked, rank_entries
from site_builder.schema.scheme import Honour, Pool, Ranking
from site_builder.schema.scores import PlacesDecision
from site_builder.scoring.engine import round_points
from site_builder.scoring.results import (
    GroupRanking,
    HonourResult,
    PeriodResult,
    RankEntry,
    ShareBasis,
    Span,
    UnitResult,
)

ZERO = Decimal(0)
DEFAULT_RANKING = Ranking(id="period", name="本期排名", basis="period")  # named in the site's language below

messages.register(
    {
        "reason.below_min_score": ("未达到最低分数线", "", "below the minimum score", ""),
        "reason.tie_at_limit": ("名额末位并列，按规定均不入选", "", "tied at the last place of the quota: none of the tied units is chosen", ""),
        "reason.quota_full": ("所在类别名额已满", "", "the quota of its category is full", ""),
        "reason.exempt": ("免于考核", "", "exempt", ""),
        "reason.absent": ("缺考", "", "absent", ""),
        "reason.not_applicable": ("本期不适用", "", "not applicable this period", ""),
        "reason.no_data": ("缺少综合排名所需数据", "", "data for the composite ranking is missing", ""),
        "reason.with_detail": ("{what}：{detail}", "", "{what}: {detail}", ""),
        "reason.veto": ("一票否决：{items}", "", "one-vote veto: {items}", ""),
        "reason.veto_no_excellence": ("一票否优：{items}", "", "barred from excellence: {items}", ""),
        "reason.veto_ineligible": ("取消评选资格：{items}", "", "not eligible for selection: {items}", ""),
        # the name and reason are the scheme's and the period file's own (Chinese) words
        "reason.veto_item": ("{name}（{reason}）", "", "{name}（{reason}）", ""),
        "reason.veto_item_since": ("{name}（{reason}；{since}起）", "", "{name}（{reason}; since {since}）", ""),
        "reason.disqualified": ("取消评先资格：{items}", "", "not eligible for honours: {items}", ""),
        "reason.already_honoured": ("已获评“{name}”，不再重复获评", "", "already awarded “{name}”", ""),
        "ranking.default_name": ("本期排名", "", "Ranking of the period", ""),
        # places shared from a pool or decided “about N” (ranking/pool.py)
        "places.about": ("名额{n}个左右，本期评选{n}个", "", "about {n} places; {n} awarded this period", ""),
        "places.about_decided": ("名额{n}个左右，本期经{by}决定评选{m}个（{reason}）", "",
                                 "about {n} places; {by} decided to award {m} this period ({reason})", ""),
        "places.total": ("共{n}个名额，{how}", "", "{n} places in all, {how}", ""),
        "places.pool_size": ("按各组单位数比例分配：{items}", "",
                             "shared in proportion to the number of units of each group: {items}", ""),
        "places.pool_score": ("各组单位统一按得分排序评选：{items}", "",
                              "the units of the groups ranked together by score: {items}", ""),
        "places.item": ("{group}{n}个", "", "{group} {n}", ""),
        "places.sep": ("、", "", ", ", ""),
        "places.join": ("{a}；{b}", "", "{a}; {b}", ""),
    }
)


def _say(locale: str, code: str, **params: object) -> str:
    return messages.get(code).render(locale, params)[0]


def _reason(locale: str, code: str, detail: str | None = None) -> str:
    what = _say(locale, f"reason.{code}") if messages.known(f"reason.{code}") else code
    return _say(locale, "reason.with_detail", what=what, detail=detail) if detail else what


def rankings_of(sv: SchemeVersion, locale: str = "zh-CN") -> list[Ranking]:
    """The scheme's rankings; a scheme that declares none is ranked on the period total."""
    if sv.scheme.rankings:
        return list(sv.scheme.rankings)
    return [DEFAULT_RANKING.model_copy(update={"name": _say(locale, "ranking.default_name")})]


def rank_period(project: Project, sv: SchemeVersion, period: Period, units: dict[str, UnitResult], state: dict, previous: str | None) -> PeriodResult:
    scheme = sv.scheme
    loc = project.site.locale
    year = str(period.start.year)
    cum = state.setdefault("cumulative", {}).setdefault(year, {})
    stage_tot = state.setdefault("stage", {}).setdefault(period.stage or year, {})
    for uid, r in units.items():
        if r.total is not None:
            cum[uid] = cum.get(uid, ZERO) + r.total
            stage_tot[uid] = stage_tot.get(uid, ZERO) + r.total
    cumulative = {u: cum[u] for u in sorted(cum) if u in units}
    stage_totals = {u: stage_tot[u] for u in sorted(stage_tot) if u in units}
    spans, span_of = _running_totals(period, units, state, cumulative, stage_totals)
    groups = [g.id for g in scheme.groups]
    ranked_units = {g: sorted(u for u, r in units.items() if r.group == g and r.total is not None) for g in groups}

    def basis_value(basis: str, uid: str) -> Decimal | None:
        if basis == "period":
            return units[uid].total
        if basis == "stage":
            return stage_totals.get(uid)
        if basis == "cumulative":
            return cumulative.get(uid)
        kind, _, ref = basis.partition(":")
        if kind == "line":
            return _line_points(units[uid], ref, None)
        return composite(ref).get(uid)

    lower_better = {c.id for c in scheme.composites if c.by == "rank"}
    by_id = {rk.id: rk for rk in rankings_of(sv, loc)}
    comp_by_id = {c.id: c for c in scheme.composites}
    rankings: dict[str, dict[str, list[tuple[GroupRanking, list[Ranked]]]]] = {}
    composites: dict[str, dict[str, Decimal]] = {}

    def ranking(rid: str) -> dict[str, list[tuple[GroupRanking, list[Ranked]]]]:
        """A ranking per group (one per sub-category of the group when the ranking declares
        ``categories``), computed on first use (composites may depend on it)."""
        if rid in rankings:
            return rankings[rid]
        rk = by_id[rid]
        per_group: dict[str, list[tuple[GroupRanking, list[Ranked]]]] = {}
        kind, _, ref = rk.basis.partition(":")
        flip = kind == "composite" and ref in lower_better
        span = _span_kind(rk)
        for g in groups:
            if rk.groups and g not in rk.groups:
                continue
            members = sorted(u for u, r in units.items() if r.group == g)
            per_group[g] = []
            for cat, cat_name, in_cat in _categories(rk, members, project):
                entries: list = []
                tail: list = []
                values: dict[str, Decimal] = {}
                unranked = [(u, _reason(loc, units[u].status, units[u].reason)) for u in in_cat if units[u].total is None]
                for uid in (u for u in ranked_units[g] if u in in_cat):
                    v = basis_value(rk.basis, uid) if span is None else spans[span].get(uid)
                    if v is None:
                        unranked.append((uid, _reason(loc, "no_data" if kind == "composite" else "not_applicable")))
                        continue
                    r = units[uid]
                    last = any(x.effect == "last" for x in r.vetoes)
                    tb = tuple(_line_points(r, t) for t in rk.tie_break)
                    (tail if last else entries).append((uid, (-v if flip else v, *tb)))
                    values[uid] = v
                ranked = rank_entries(entries, rk.ties) if entries else []
                if tail:  # 一票否决 “排在本组最后”: ranked after everyone else
                    offset = (ranked[-1].rank if rk.ties == "dense" else len(ranked)) if ranked else 0
                    ranked += [Ranked(x.unit, x.rank + offset, x.key, x.tied) for x in rank_entries(tail, rk.ties)]
                gr = GroupRanking(rk.id, rk.name, rk.basis, g, tuple(RankEntry(x.unit, x.rank, values[x.unit], x.tied) for x in ranked), tuple(unranked),
                                  span_of.get(span) if span else None, cat, cat_name)
                per_group[g].append((gr, ranked))
        rankings[rid] = per_group
        return per_group

    def ranks_of(values: dict[str, Decimal], lower_is_better: bool) -> dict[str, Decimal]:
        rr = rank_entries([(u, (-v if lower_is_better else v,)) for u, v in values.items()]) if values else []
        return {x.unit: Decimal(x.rank) for x in rr}

    def composite(cid: str) -> dict[str, Decimal]:
        """Weighted combination of rankings, composites and external data (per group)."""
        if cid in composites:
            return composites[cid]
        comp = comp_by_id[cid]
        values: dict[str, Decimal] = {}
        for g in groups:
            parts: list[dict[str, Decimal]] = []
            for part in comp.parts:
                kind, _, ref = part.source.partition(":")
                if kind == "ranking":
                    entries = [e for gr, _ in ranking(ref).get(g, ()) for e in gr.entries]  # places within categories
                    parts.append({e.unit: (Decimal(e.rank) if comp.by == "rank" else e.value) for e in entries})
                elif kind == "composite":
                    sub = {u: v for u, v in composite(ref).items() if u in ranked_units[g]}
                    parts.append(ranks_of(sub, ref in lower_better) if comp.by == "rank" else sub)
                else:
                    ext = {u: v for u, v in period.scores.external.get(ref, {}).items() if u in ranked_units[g]}
                    parts.append(ranks_of(ext, False) if comp.by == "rank" else ext)
            for uid in ranked_units[g]:
                if all(uid in p for p in parts):
                    values[uid] = sum((part.weight * p[uid] for part, p in zip(comp.parts, parts)), ZERO)
        composites[cid] = dict(sorted(values.items()))
        return composites[cid]

    for rk in rankings_of(sv, loc):
        ranking(rk.id)
    for comp in scheme.composites:
        composite(comp.id)
    # honours
    history = state.setdefault("honours", {})
    honours: list[HonourResult] = []
    for h in scheme.honours:
        chosen_all: set[str] = set()
        results_h = []
        pool = h.select.pool
        if pool is not None:  # 名额池: each pooled group by its own ranking
            slots = [(g, slot) for g in pool.groups for slot in rankings[pool.rankings.get(g, h.ranking)].get(g, ())]
        else:
            slots = [(g, slot) for g in (h.groups or groups) for slot in rankings[h.ranking].get(g, ())]
        if not is_decided(h, period.id, period.start, period.end, period.stage, scheme.period):
            pending = pending_text(h, period.end, scheme.period, loc)  # “本期不评定，第一阶段结束时评定”
            honours += [HonourResult(h.id, h.name, h.kind, g, (), (), {}, gr.category, gr.category_name, pending) for g, (gr, _) in slots]
            continue
        count, note = _places(h, period.scores.honour_places.get(h.id), loc)
        excluded_of: dict[tuple[str, str | None], dict[str, str]] = {}
        for g, (gr, ranked) in slots:
            excluded: dict[str, str] = {}
            for other in h.exclude_honoured:  # “已获评…的，不再获评此项荣誉”
                for prev in honours:
                    if prev.honour == other:
                        for u in prev.chosen:
                            excluded.setdefault(u, _say(loc, "reason.already_honoured", name=prev.name))
            # vetoes and 取消评先资格 keep a unit out of honours, never out of a sanction
            for e in gr.entries if h.kind == "honour" else ():
                r = units[e.unit]
                if r.vetoes:
                    excluded[e.unit] = veto_reason(loc, r.vetoes)
                elif r.disqualified_by:
                    excluded[e.unit] = _say(loc, "reason.disqualified", items="；".join(r.disqualified_by))
            excluded_of[(g, gr.category)] = excluded
        places_of: dict[str, int] = {}
        if pool is not None:
            sels, places_of, pool_note = _pooled(h, pool, count, slots, excluded_of, scheme, loc)
            note = _say(loc, "places.join", a=note, b=pool_note) if note else _say(loc, "places.total", n=count, how=pool_note)
            for g, (gr, _ranked) in slots:
                chosen_all.update(sels[g].chosen)
                results_h.append((g, gr, sels[g]))
        else:
            for g, (gr, ranked) in slots:
                sel = _select(h, ranked, excluded_of[(g, gr.category)], project, count)
                chosen_all.update(sel.chosen)
                results_h.append((g, gr, sel))
        hist = history.setdefault(h.id, [])
        hist.append(chosen_all)
        streak = _streaks(hist) if h.streak else {}
        counted = {(g, gr.category): len(ranked) for g, (gr, ranked) in slots}
        met = {(g, gr.category): {project.units[x.unit].category or "" for x in ranked if x.unit in project.units}
               for g, (gr, ranked) in slots}  # the categories a slot's quota applies to
        for g, gr, sel in results_h:
            honours.append(HonourResult(h.id, h.name, h.kind, g, sel.chosen,
                                        tuple((u, _reason(loc, r) if messages.known(f"reason.{r}") else r) for u, r in sel.excluded),
                                        {u: streak[u] for u in sel.chosen if u in streak}, gr.category, gr.category_name,
                                        places=places_of.get(g, count if h.select.about is not None else None), note=note,
                                        share=_share_basis(h, counted[(g, gr.category)]),
                                        quota=tuple((c, n) for c, n in (h.select.quota or {}).items()
                                                    if c in met[(g, gr.category)])))
    conversions = {}
    for conv in scheme.conversions:
        vals = {}
        for uid, r in units.items():
            if r.exact_total is not None and r.max_total:
                vals[uid] = round_points(r.exact_total / r.max_total * conv.points, scheme.rounding)
        conversions[conv.id] = dict(sorted(vals.items()))
    medians = {g: _median([units[u].total for u in ranked_units[g]]) for g in groups}
    return PeriodResult(
        scheme=sv.id, version=sv.version, period=period.id, period_name=period.name, start=period.start, end=period.end,
        stage=period.stage, units=dict(sorted(units.items())),
        rankings=tuple(gr for rk in rankings_of(sv, loc) for slots in rankings[rk.id].values() for gr, _ in slots),
        honours=tuple(honours), cumulative=cumulative, stage_totals=stage_totals, composites=composites,
        conversions=conversions, group_medians=medians, previous=previous,
        running={rk.id: spans[k] for rk in rankings_of(sv, loc) if (k := _span_kind(rk)) is not None},
    )


def _span_kind(rk: Ranking) -> str | None:
    """Which running total a ranking ranks by: stage, year (``cumulative``'s default) or scheme."""
    if rk.basis == "stage":
        return "stage"
    if rk.basis == "cumulative":
        return rk.span or "year"
    return None


def _running_totals(period: Period, units: dict[str, UnitResult], state: dict, year_totals: dict[str, Decimal],
                    stage_totals: dict[str, Decimal]) -> tuple[dict[str, dict[str, Decimal]], dict[str, Span]]:
    """The running totals of each span up to this period, and where each span began.

    ``year`` restarts every calendar year and ``stage`` every stage (as before);
    ``scheme`` runs over the scheme's whole life, across years and versions."""
    whole = state.setdefault("scheme", {})
    for uid, r in units.items():
        if r.total is not None:
            whole[uid] = whole.get(uid, ZERO) + r.total
    year = str(period.start.year)
    keys = {"year": year, "stage": period.stage or year, "scheme": ""}
    first = state.setdefault("span_first", {})
    for kind, key in keys.items():
        first.setdefault((kind, key), (period.id, period.name, period.name_en))
    spans = {"year": year_totals, "stage": stage_totals, "scheme": {u: whole[u] for u in sorted(whole) if u in units}}
    return spans, {kind: Span(kind, *first[(kind, key)]) for kind, key in keys.items()}


def _categories(rk: Ranking, members: list[str], project: Project) -> list[tuple[str | None, str | None, tuple[str, ...]]]:
    """The group's units split as the ranking declares: (category id, name, sorted units).

    Without ``categories`` the whole group is one slot.  ``categories: units``
    takes each unit's ``category`` from units.yaml, in the order first met;
    a list names the units of each category (check makes sure every unit of
    the group is in exactly one).  Categories without a unit in this group
    are left out."""
    if rk.categories is None:
        return [(None, None, tuple(members))]
    out: dict[str, tuple[str, list[str]]] = {}
    if rk.categories == "units":
        for u in members:
            cat = project.units[u].category if u in project.units else None
            out.setdefault(cat or "", (cat or "", []))[1].append(u)
    else:
        for c in rk.categories:
            inside = [u for u in members if u in c.units]
            if inside:
                out[c.id] = (c.name, inside)
    return [(cid, name, tuple(sorted(us))) for cid, (name, us) in out.items()]


def veto_reason(locale: str, vetoes) -> str:
    """“一票否决：…”, “一票否优：…”, “取消评选资格：…”: each consequence named as the scheme
    calls it, a veto carried from an earlier period with the period it came from."""
    by_called: dict[str, list[str]] = {}
    for v in vetoes:
        item = (_say(locale, "reason.veto_item_since", name=v.name, reason=v.reason, since=v.since) if v.since
                else _say(locale, "reason.veto_item", name=v.name, reason=v.reason))
        by_called.setdefault(v.called, []).append(item)
    sep = "；"
    return sep.join(_say(locale, "reason.veto" if c == "veto" else f"reason.veto_{c}", items=sep.join(items))
                    for c, items in by_called.items())


def _line_points(r: UnitResult, line_id: str, missing: Decimal | None = ZERO) -> Decimal | None:
    for line in r.lines:
        if line.id == line_id:
            return line.points if line.points is not None else missing
    return missing


def _select(h: Honour, ranked: list[Ranked], excluded: dict[str, str], project: Project, count: int | None = None) -> Selection:
    """One group's (or category's) choice; ``count`` is the number of places when a decision set it."""
    s = h.select
    if s.top is not None:
        return top_n(ranked, s.top if count is None else count, min_score=h.min_score, excluded=excluded, ties=h.ties or "include")
    if s.bottom is not None:
        return bottom_n(ranked, s.bottom if count is None else count, excluded=excluded, ties=h.ties or "include")
    if s.share is not None:
        return top_share(ranked, s.share, rounding=s.rounding, min_score=h.min_score, excluded=excluded, ties=h.ties or "exclude")
    assert s.quota is not None
    category_of = {x.unit: (project.units[x.unit].category or "") for x in ranked}
    return by_quota(ranked, category_of, s.quota, excluded=excluded, ties=h.ties or "exclude")


def _share_basis(h: Honour, counted: int) -> ShareBasis | None:
    """The arithmetic of a share's places, exactly as :func:`top_share` does it (for the notice to show)."""
    s = h.select
    if s.share is None:
        return None
    return ShareBasis(counted, s.share, s.rounding, share_limit(counted, s.share, s.rounding), s.share * counted)


def _places(h: Honour, decision: PlacesDecision | None, locale: str) -> tuple[int | None, str | None]:
    """The number of places this period (declared, or as decided within ``about``) and what the notice says
    of it: “名额6个左右，本期经局务会决定评选7个（…）”.  (None, None) for a fixed number of places."""
    s = h.select
    declared = s.pool.places if s.pool is not None else s.top if s.top is not None else s.bottom
    if s.about is None or declared is None:
        return declared if s.pool is not None else None, None
    if decision is None:
        return declared, _say(locale, "places.about", n=declared)
    return decision.places, _say(locale, "places.about_decided", n=declared, m=decision.places, by=decision.by,
                                 reason=decision.reason)


def _pooled(h: Honour, pool: Pool, count: int | None, slots, excluded_of, scheme, locale: str):
    """Each pooled group's choice, its places and the notice's sentence on how the pool was shared."""
    names = {g.id: g.name for g in scheme.groups}
    places = pool.places if count is None else count
    excluded = {u: why for ex in excluded_of.values() for u, why in ex.items()}
    ranked = {g: r for g, (_gr, r) in slots}
    sep = _say(locale, "places.sep")
    if pool.split == "score":
        sels = pooled_by_score(ranked, places, min_score=h.min_score, excluded=excluded, ties=h.ties or "include")
        got = {g: len(sels[g].chosen) for g in ranked}
        items = sep.join(_say(locale, "places.item", group=names.get(g, g), n=n) for g, n in got.items())
        return sels, got, _say(locale, "places.pool_score", items=items)
    sizes = [(g, len(next((x.units for x in scheme.groups if x.id == g), ()))) for g in pool.groups]
    got = allot(places, sizes)
    sels = {g: top_n(ranked[g], got[g], min_score=h.min_score, excluded=excluded, ties=h.ties or "include") for g in ranked}
    items = sep.join(_say(locale, "places.item", group=names.get(g, g), n=n) for g, n in got.items())
    return sels, got, _say(locale, "places.pool_size", items=items)


def _streaks(hist: list[set[str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for u in hist[-1]:
        n = 0
        for s in reversed(hist):
            if u in s:
                n += 1
            else:
                break
        out[u] = n
    return out


def _median(values: list[Decimal]) -> Decimal:
    return Decimal(median(sorted(values))) if values else ZERO
