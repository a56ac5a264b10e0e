"""Checks of a scheme's ranking spans, sub-categories and honour timing.

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
    }
)


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
