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
from site_builder.ranking.selection import Selection, bottom_n, by_quota, top_n, top_share
from site_builder.ranking.ties import Ranked, rank_entries
from site_builder.schema.scheme import Honour, Ranking
from site_builder.scoring.engine import round_points
from site_builder.scoring.results import (
    GroupRanking,
    HonourResult,
    PeriodResult,
    RankEntry,
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
        "reason.disqualified": ("取消评先资格：{items}", "", "not eligible for honours: {items}", ""),
        "reason.already_honoured": ("已获评“{name}”，不再重复获评", "", "already awarded “{name}”", ""),
        "ranking.default_name": ("本期排名", "", "Ranking of the period", ""),
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
    rankings: dict[str, dict[str, tuple[GroupRanking, list[Ranked]]]] = {}
    composites: dict[str, dict[str, Decimal]] = {}

    def ranking(rid: str) -> dict[str, tuple[GroupRanking, list[Ranked]]]:
        """A ranking per group, computed on first use (composites may depend on it)."""
        if rid in rankings:
            return rankings[rid]
        rk = by_id[rid]
        per_group: dict[str, tuple[GroupRanking, list[Ranked]]] = {}
        kind, _, ref = rk.basis.partition(":")
        flip = kind == "composite" and ref in lower_better
        for g in groups:
            if rk.groups and g not in rk.groups:
                continue
            entries: list = []
            tail: list = []
            values: dict[str, Decimal] = {}
            unranked = [(u, _reason(loc, r.status, r.reason)) for u, r in sorted(units.items()) if r.group == g and r.total is None]
            for uid in ranked_units[g]:
                v = basis_value(rk.basis, uid)
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
            gr = GroupRanking(rk.id, rk.name, rk.basis, g, tuple(RankEntry(x.unit, x.rank, values[x.unit], x.tied) for x in ranked), tuple(unranked))
            per_group[g] = (gr, ranked)
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
                    gr = ranking(ref).get(g)
                    entries = gr[0].entries if gr else ()
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
        for g in (h.groups or groups):
            if g not in rankings[h.ranking]:
                continue
            gr, ranked = rankings[h.ranking][g]
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
                    excluded[e.unit] = _say(loc, "reason.veto", items="；".join(f"{v.name}（{v.reason}）" for v in r.vetoes))
                elif r.disqualified_by:
                    excluded[e.unit] = _say(loc, "reason.disqualified", items="；".join(r.disqualified_by))
            sel = _select(h, ranked, excluded, project)
            chosen_all.update(sel.chosen)
            results_h.append((g, sel))
        hist = history.setdefault(h.id, [])
        hist.append(chosen_all)
        streak = _streaks(hist) if h.streak else {}
        for g, sel in results_h:
            honours.append(HonourResult(h.id, h.name, h.kind, g, sel.chosen,
                                        tuple((u, _reason(loc, r) if messages.known(f"reason.{r}") else r) for u, r in sel.excluded),
                                        {u: streak[u] for u in sel.chosen if u in streak}))
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
        rankings=tuple(gr for rk in rankings_of(sv, loc) for gr, _ in rankings[rk.id].values()),
        honours=tuple(honours), cumulative=cumulative, stage_totals=stage_totals, composites=composites,
        conversions=conversions, group_medians=medians, previous=previous,
    )


def _line_points(r: UnitResult, line_id: str, missing: Decimal | None = ZERO) -> Decimal | None:
    for line in r.lines:
        if line.id == line_id:
            return line.points if line.points is not None else missing
    return missing


def _select(h: Honour, ranked: list[Ranked], excluded: dict[str, str], project: Project) -> Selection:
    s = h.select
    if s.top is not None:
        return top_n(ranked, s.top, min_score=h.min_score, excluded=excluded, ties=h.ties or "include")
    if s.bottom is not None:
        return bottom_n(ranked, s.bottom, excluded=excluded, ties=h.ties or "include")
    if s.share is not None:
        return top_share(ranked, s.share, rounding=s.rounding, min_score=h.min_score, excluded=excluded, ties=h.ties or "exclude")
    assert s.quota is not None
    category_of = {x.unit: (project.units[x.unit].category or "") for x in ranked}
    return by_quota(ranked, category_of, s.quota, excluded=excluded, ties=h.ties or "exclude")


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
