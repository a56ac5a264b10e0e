"""Checks of one scheme version: the tree adds up, ids resolve, rules fit."""

from __future__ import annotations

from decimal import Decimal

from site_builder import messages
from site_builder.checks import unknown_ref
from site_builder.checks.ranking_checks import check_rankings
from site_builder.checks.tree import chains, line_spec, node_types
from site_builder.errors import Problems
from site_builder.load.markdown_check import bad_links
from site_builder.load.yamlsafe import Document
from site_builder.model import SchemeVersion
from site_builder.schema.scheme import Indicator, Scheme, Tree
from site_builder.schema.types import short
from site_builder.schema.units import Unit
from site_builder.scoring.derived import check_formula_extras
from site_builder.scoring.rules.base import fmt

messages.register(
    {
        "scheme.children_sum": (
            "“{name}”的分值为 {max}，但下级指标分值之和为 {sum}",
            "请核对分值；若原文件确实如此，请加 children_mismatch: 说明原因",
            "“{name}” is worth {max} but its children add up to {sum}",
            "check the figures; if the source document really says so, add children_mismatch: <reason>",
        ),
        "scheme.total_sum": (
            "满分为 {total}，但计入满分的一级指标分值之和为 {sum}",
            "请核对；若原文件确实如此，请加 total_mismatch: 说明原因",
            "the declared total is {total} but the top-level maxima add up to {sum}",
            "check the figures; if the source really says so, add total_mismatch: <reason>",
        ),
        "scheme.duplicate_indicator": ("指标标识“{id}”重复（第 {first} 行已使用）", "每个指标的标识必须不同", "indicator id “{id}” is used twice (first on line {first})", "give each indicator its own id"),
        "scheme.leaf_needs_rule": ("末级指标“{name}”没有计分规则", "请加 rule: {{kind: …}}，或加下级指标 children", "leaf indicator “{name}” has no rule", "add rule: {{kind: …}} or children"),
        "scheme.parent_has_rule": ("“{name}”有下级指标，不能再有自己的计分规则", "请把规则放到下级指标中", "“{name}” has children and cannot have its own rule", "move the rule to a child"),
        "scheme.needs_max": ("“{name}”缺少分值 max", "请写 max: 分值", "“{name}” has no max", "add max: <points>"),
        "scheme.rule_type": ("规则 {kind} 不能用于{type_zh}", "请改用适合的规则类型", "rule {kind} cannot be used on a {type} line", "use a suitable rule kind"),
        "scheme.unknown_ref": (
            "“{ref}”不是已定义的{what}{suggestion_zh}",
            "可用：{known}",
            "“{ref}” is not a known {what_en}{suggestion_en}",
            "known: {known}",
        ),
        "scheme.unit_twice": ("单位“{unit}”同时在组别“{a}”和“{b}”中", "每个单位只能属于一个组别", "unit “{unit}” is in both groups “{a}” and “{b}”", "put each unit in one group"),
        "scheme.tree_required": ("方案有多个指标体系，组别“{group}”必须写明 tree", "请加 tree: 体系标识（{known}）", "the scheme has several trees; group “{group}” must name one", "add tree: <id> ({known})"),
        "scheme.tree_xor": ("indicators 和 trees 只能二选一", "单一指标体系用 indicators，多个体系用 trees", "use either indicators or trees, not both", "indicators for one tree, trees for several"),
        "scheme.no_tree": ("方案没有指标", "请写 indicators（或 trees）", "the scheme has no indicators", "add indicators (or trees)"),
        "scheme.total_required": ("单一指标体系的方案必须写满分 total", "请加 total: 满分", "a scheme with one tree needs total", "add total: <points>"),
        "scheme.stages_required": ("周期为 stage 时必须列出阶段 stages", "请在 period 下加 stages", "period kind stage needs stages", "list the stages under period"),
        "scheme.stage_order": ("阶段“{id}”的结束日期早于开始日期，或与前一阶段重叠", "请核对阶段日期", "stage “{id}” ends before it starts or overlaps the previous one", "check the stage dates"),
        "scheme.legal_basis_required": ("公布人员姓名必须写明依据 legal_basis", "请加 legal_basis，或把 publish_names 改为 false", "publishing names needs a legal_basis", "add legal_basis or set publish_names: false"),
        "scheme.duplicate_id": ("标识“{id}”重复", "请改用不同的标识", "id “{id}” is used twice", "use distinct ids"),
        "scheme.bad_basis": ("排名依据“{basis}”无效", "可用：period、stage、cumulative、composite:<综合排名标识>", "ranking basis “{basis}” is not valid", "use period, stage, cumulative or composite:<id>"),
        "scheme.bad_source": ("来源“{source}”无效", "请写 ranking:<排名标识>、composite:<标识> 或 external:<外部数据标识>", "source “{source}” is not valid", "use ranking:<id>, composite:<id> or external:<id>"),
        "scheme.cap_by_cycle": (
            "“{name}”的 cap_by 指向“{ref}”，形成循环（封顶依据又依赖于本项）",
            "cap_by 只能指向不依赖本项的另一项（如加分项），不能指向本项、上级指标或反过来以本项封顶的指标",
            "cap_by of “{name}” refers to “{ref}”, which forms a cycle (the cap depends on this line)",
            "cap_by must name another line that does not depend on this one (e.g. the bonus section)",
        ),
        "scheme.cycle": ("排名与综合排名之间循环引用：{cycle}", "请调整依据，使引用不成环", "rankings and composites refer to each other in a cycle: {cycle}", "break the cycle"),
        "scheme.share_percent": (
            "名额比例 share 写的是 {value}，须在 0 到 1 之间（小数）",
            "{value}% 请写作 {hint}",
            "share is {value}; it must be between 0 and 1 (a fraction)",
            "for {value}% write {hint}",
        ),
        "scheme.share_range": (
            "名额比例 share 写的是 {value}，须在 0 到 1 之间（小数）",
            "如 20% 写作 0.2",
            "share is {value}; it must be between 0 and 1 (a fraction)",
            "for 20% write 0.2",
        ),
        "scheme.cap_span_no_stages": (
            "“{name}”按阶段累计封顶（cap_span: stage），但方案没有列出阶段",
            "请在 period 下列出 stages，或改用 cap_span: year",
            "“{name}” caps across a stage (cap_span: stage) but the scheme lists no stages",
            "list stages under period, or use cap_span: year",
        ),
        "scheme.cap_span_short": (
            "“{name}”的累计封顶范围 {span} 不长于考核周期 {kind}，等于每期封顶",
            "请删除 cap_span（每期封顶），或改用更长的范围：{longer}",
            "the cap span {span} of “{name}” is not longer than the period ({kind}): it caps each period",
            "remove cap_span (a cap per period) or use a longer span: {longer}",
        ),
        "scheme.of_cycle": (
            "“{name}”比较“{ref}”的得分（of），而“{ref}”的得分又要先算出本项：{cycle}",
            "of 只能指向不包含本项、也不依赖本项的指标",
            "“{name}” compares the points of “{ref}” (of), which need this line first: {cycle}",
            "of must name a line that neither contains nor depends on this one",
        ),
        "scheme.parent_ignored": (
            "“{name}”有下级指标，{key} 只对末级指标起作用，写在这里不会生效",
            "请把 {key} 写到适用的下级指标上",
            "“{name}” has children: {key} works on leaf lines only and would be ignored here",
            "write {key} on the leaf lines it applies to",
        ),
        "scheme.rounding_keep_alone": (
            "rounding 写了 keep: true（不舍入），又写了 places 或 mode",
            "不舍入的项只写 keep: true；要按别的位数舍入则删去 keep",
            "rounding says keep: true (no rounding) and also gives places or mode",
            "write only keep: true, or drop keep to round differently",
        ),
        "scheme.sum_of_lines_needs_line": (
            "rounding 的 total: sum_of_lines（总分为各项公布得分之和）要求每条细则先舍入",
            "请同时写 at: line，或删去 total: sum_of_lines",
            "rounding total: sum_of_lines (the total is the sum of the published lines) needs every line rounded",
            "add at: line as well, or remove total: sum_of_lines",
        ),
        "scheme.min_on_leaf": (
            "“{name}”没有下级指标，min（小计最低分）只用于上级指标",
            "末级指标的最低分写在计分规则里（如 floor: 0），或把 min 写到上级指标",
            "“{name}” has no children: min (a subtotal's floor) is for parent lines",
            "put a leaf's floor in its rule (e.g. floor: 0), or move min to the parent",
        ),
        "scheme.min_above_max": (
            "“{name}”的最低分 min {min} 高于分值 max {max}",
            "请核对：最低分应不高于分值",
            "the floor min {min} of “{name}” is above its max {max}",
            "check the figures: the floor must not exceed the max",
        ),
        "scheme.uncapped_with_max": (
            "“{name}”写了 uncapped: true（不设上限），又写了上限 max {max}",
            "不设上限就删去 max；有上限就删去 uncapped",
            "“{name}” is uncapped (uncapped: true) but also has max {max}",
            "remove max for no cap, or remove uncapped",
        ),
        "scheme.uncapped_score": (
            "“{name}”是计分项，不能不设上限（uncapped）",
            "计分项要有分值 max；不设上限的只能是加分项、扣分项或调整项（type: bonus/deduction/adjustment）",
            "“{name}” is a score line and cannot be uncapped",
            "a score line needs a max; only bonus, deduction or adjustment lines may be uncapped",
        ),
        "scheme.veto_called_effect": (
            "否决事项“{name}”称作“{called_zh}”，但后果 effect 为 {effect}",
            "一票否优、取消评选资格只用于 effect: no_honour；总分记 0 或排在最后请称作一票否决（删去 called）",
            "veto “{name}” is called {called} but its effect is {effect}",
            "no_excellence and ineligible go with effect: no_honour; otherwise drop called",
        ),
        "scheme.veto_lasts_no_stages": (
            "否决事项“{name}”持续到本阶段结束（lasts: stage），但方案没有列出阶段",
            "请在 period 下列出 stages，或改用 lasts: year",
            "veto “{name}” lasts to the end of the stage (lasts: stage) but the scheme lists no stages",
            "list stages under period, or use lasts: year",
        ),
        "scheme.effective_order": ("有效期结束日期早于开始日期", "请核对日期", "the effective window ends before it starts", "check the dates"),
    }
)

_TYPE_ZH = {"score": "计分项", "bonus": "加分项", "deduction": "扣分项", "adjustment": "调整项"}


def _check_tree(tree: Tree, prefix: tuple, doc: Document, problems: Problems, scope_ids: list[str]) -> dict[str, Indicator]:
    index: dict[str, Indicator] = {}
    first_line: dict[str, int] = {}
    types = node_types(tree)

    def walk(nodes: list[Indicator], path: tuple) -> None:
        for i, n in enumerate(nodes):
            p = (*path, i)
            mark = doc.mark((*p, "id"))
            if n.id in index:
                problems.add("scheme.duplicate_indicator", mark, id=n.id, first=first_line[n.id])
            else:
                index[n.id] = n
                first_line[n.id] = mark.line
            t = types[n.id]
            if n.children:
                if n.rule is not None:
                    problems.add("scheme.parent_has_rule", doc.mark((*p, "rule")), name=n.name)
                # read from a leaf's own facts only: on a parent they would be silently ignored
                for key, given in (("modifiers", bool(n.modifiers)), ("disqualify", n.disqualify is not None),
                                   ("not_applicable", n.not_applicable != "forbidden"), ("rounding", n.rounding is not None)):
                    if given:
                        problems.add("scheme.parent_ignored", doc.key_marks.get((*p, key), doc.mark((*p, key))),
                                     name=n.name, key=key)
                if t == "score":
                    if n.max is None:
                        problems.add("scheme.needs_max", doc.mark(p), name=n.name)
                    else:
                        s = sum((c.max or Decimal(0) for c in n.children if types[c.id] == "score" and c.counts), Decimal(0))
                        if s != n.max and n.children_mismatch is None:
                            problems.add("scheme.children_sum", doc.mark((*p, "max")), name=n.name, max=fmt(n.max), sum=fmt(s))
                walk(n.children, (*p, "children"))
            else:
                if n.rule is None:
                    problems.add("scheme.leaf_needs_rule", doc.mark(p), name=n.name)
                if n.max is None and t != "deduction" and not n.uncapped:
                    problems.add("scheme.needs_max", doc.mark(p), name=n.name)
                if n.rule is not None:
                    if t not in n.rule.types:
                        problems.add("scheme.rule_type", doc.mark((*p, "rule", "kind")), kind=n.rule.kind, type=t, type_zh=_TYPE_ZH[t])

                    def report(code: str, sub: tuple = (), _p=p, **params: object) -> None:
                        path = (*_p, "rule", *sub)
                        at = doc.mark(path)
                        # a problem of a whole block list (“the groups' weights add up to 0.9”) is at its key,
                        # not at its first item (a flow list [a, b] keeps the mark of its value, on the key's line)
                        key = doc.key_marks.get(path) if sub and isinstance(_value_at(doc.data, path), list) else None
                        problems.add(code, key if key is not None and key.line < at.line else at, **params)

                    n.rule.check_scheme(line_spec(n, t), report)
            _check_limits(n, t, p, doc, problems)
            for j, target in enumerate(n.applies_to):
                if target not in scope_ids:
                    unknown_ref(problems, "scheme.unknown_ref", doc.mark((*p, "applies_to", j)), target, scope_ids, "组别或单位", "group or unit")

    walk(tree.indicators, (*prefix, "indicators"))
    # cross references inside the tree, once every id is known
    def refs(nodes: list[Indicator], path: tuple) -> None:
        for i, n in enumerate(nodes):
            p = (*path, i)
            if n.cap_by and n.cap_by not in index:
                unknown_ref(problems, "scheme.unknown_ref", doc.mark((*p, "cap_by")), n.cap_by, sorted(index), "指标", "indicator")
            of = getattr(n.rule, "of", None)
            if of and of not in index:
                unknown_ref(problems, "scheme.unknown_ref", doc.mark((*p, "rule", "of")), of, sorted(index), "指标", "indicator")
            refs(n.children, (*p, "children"))

    refs(tree.indicators, (*prefix, "indicators"))
    # a node needs its children and its cap_by target first: that must not lead back to it
    needs = {i: [c.id for c in n.children] + ([n.cap_by] if n.cap_by in index else []) for i, n in index.items()}

    def cycles(nodes: list[Indicator], path: tuple) -> None:
        for i, n in enumerate(nodes):
            p = (*path, i)
            if n.cap_by in index:
                seen: set[str] = set()
                todo = [n.cap_by]
                while todo:
                    cur = todo.pop()
                    if cur == n.id:
                        problems.add("scheme.cap_by_cycle", doc.mark((*p, "cap_by")), name=n.name, ref=n.cap_by)
                        break
                    if cur not in seen:
                        seen.add(cur)
                        todo.extend(needs[cur])
            cycles(n.children, (*p, "children"))

    cycles(tree.indicators, (*prefix, "indicators"))
    _of_cycles(tree, prefix, index, doc, problems)
    in_total = Decimal(0)
    for n in tree.indicators:
        t = types[n.id]
        counted = n.in_total if n.in_total is not None else (t == "score")
        if counted and n.counts and t not in ("deduction", "adjustment"):
            in_total += n.max or Decimal(0)
    if in_total != tree.total and tree.total_mismatch is None:
        problems.add("scheme.total_sum", doc.mark((*prefix, "total")), total=fmt(tree.total), sum=fmt(in_total))
    return index


def _check_limits(n: Indicator, t: str, p: tuple, doc: Document, problems: Problems) -> None:
    """Floors (min), explicit “不设上限” (uncapped): where they can mean something."""
    def at(key: str):
        return doc.key_marks.get((*p, key), doc.mark((*p, key)))

    if n.min is not None:
        if not n.children:
            problems.add("scheme.min_on_leaf", at("min"), name=n.name)
        elif n.max is not None and t == "score" and n.min > n.max:
            problems.add("scheme.min_above_max", doc.mark((*p, "min")), name=n.name, min=fmt(n.min), max=fmt(n.max))
    if n.uncapped:
        if t == "score":
            problems.add("scheme.uncapped_score", at("uncapped"), name=n.name)
        elif n.max is not None:
            problems.add("scheme.uncapped_with_max", at("uncapped"), name=n.name, max=fmt(n.max))


def _check_rounding_and_vetoes(scheme: Scheme, doc: Document, problems: Problems) -> None:
    if scheme.rounding.total == "sum_of_lines" and scheme.rounding.at != "line":
        problems.add("scheme.sum_of_lines_needs_line", doc.mark(("rounding", "total")))
    called_zh = {"no_excellence": "一票否优", "ineligible": "取消评选资格"}
    for i, v in enumerate(scheme.vetoes):
        if v.called != "veto" and v.effect != "no_honour":
            problems.add("scheme.veto_called_effect", doc.mark(("vetoes", i, "called")), name=v.name,
                         called=v.called, called_zh=called_zh[v.called], effect=v.effect)
        if v.lasts == "stage" and not scheme.period.stages:
            problems.add("scheme.veto_lasts_no_stages", doc.mark(("vetoes", i, "lasts")), name=v.name)


def _value_at(data: object, path: tuple) -> object:
    """The raw YAML value at ``path`` (None when the path does not lead anywhere)."""
    for k in path:
        if isinstance(data, dict) and k in data:
            data = data[k]
        elif isinstance(data, list) and isinstance(k, int) and 0 <= k < len(data):
            data = data[k]
        else:
            return None
    return data


def check_scheme(scheme_id: str, version: str, path: str, scheme: Scheme, doc: Document, problems: Problems, units: dict[str, Unit], units_complete: bool = True) -> SchemeVersion | None:
    before = len(problems.errors)
    texts = [(("preamble",), scheme.preamble)] + [(("sections", i, "body"), sec.body) for i, sec in enumerate(scheme.sections)]
    for where, text in texts:
        for _, target, link in bad_links(text or ""):
            problems.add("content.bad_link", doc.mark(where), url=short(target, 60), scheme=link)
    if scheme.effective.until and scheme.effective.until < scheme.effective.start:
        problems.add("scheme.effective_order", doc.mark(("effective",)))
    # trees
    trees: dict[str, Tree] = {}
    prefixes: dict[str, tuple] = {}
    if scheme.trees and scheme.indicators:
        problems.add("scheme.tree_xor", doc.mark(("trees",)))
    if scheme.trees:
        for i, t in enumerate(scheme.trees):
            if t.id in trees:
                problems.add("scheme.duplicate_id", doc.mark(("trees", i, "id")), id=t.id)
            trees[t.id] = t
            prefixes[t.id] = ("trees", i)
    elif scheme.indicators:
        if scheme.total is None:
            problems.add("scheme.total_required", doc.mark(()))
        # made of values validated with the scheme (the title, its total, its indicators): built as they
        # are, as validating would (Tree's validator takes 25 ms to build, for nothing else to use)
        trees["main"] = Tree.model_construct(
            id="main", name=scheme.title, total=scheme.total if scheme.total is not None else Decimal(0),
            indicators=scheme.indicators, total_mismatch=scheme.total_mismatch or (None if scheme.total is not None else "-"),
        )
        prefixes["main"] = ()
    else:  # at an empty ``indicators: []`` or ``trees: []`` when one is written
        written = next((k for k in ("indicators", "trees") if (k,) in doc.marks), None)
        problems.add("scheme.no_tree", doc.mark((written,) if written else ()))
    # groups
    unit_group: dict[str, str] = {}
    group_tree: dict[str, str] = {}
    group_ids: list[str] = []
    for gi, g in enumerate(scheme.groups):
        if g.id in group_ids:
            problems.add("scheme.duplicate_id", doc.mark(("groups", gi, "id")), id=g.id)
        group_ids.append(g.id)
        if g.tree is None:
            if len(trees) > 1:
                problems.add("scheme.tree_required", doc.mark(("groups", gi)), group=g.name, known=", ".join(trees))
            group_tree[g.id] = next(iter(trees), "main")
        elif g.tree not in trees:
            unknown_ref(problems, "scheme.unknown_ref", doc.mark(("groups", gi, "tree")), g.tree, sorted(trees), "指标体系", "tree")
        else:
            group_tree[g.id] = g.tree
        for ui, u in enumerate(g.units):
            if u not in units and units_complete:  # an unreadable registry file may hold it: no follow-on error
                unknown_ref(problems, "scheme.unknown_ref", doc.mark(("groups", gi, "units", ui)), u, sorted(units), "单位", "unit")
            elif u in unit_group:
                problems.add("scheme.unit_twice", doc.mark(("groups", gi, "units", ui)), unit=u, a=unit_group[u], b=g.id)
            else:
                unit_group[u] = g.id
    scope_ids = sorted(set(group_ids) | set(unit_group))
    indicators = {tid: _check_tree(t, prefixes[tid], doc, problems, scope_ids) for tid, t in trees.items()}
    check_formula_extras(scheme, prefixes, doc, problems, scope_ids,  # derived values, formula peers
                         {u: units[u].category if u in units else "?" for u in unit_group})
    all_ids = sorted({i for idx in indicators.values() for i in idx})
    # period
    spec = scheme.period
    if spec.kind == "stage" and not spec.stages:
        problems.add("scheme.stages_required", doc.mark(("period",)))
    seen_stage: set[str] = set()
    prev_end = None
    for si, st in enumerate(spec.stages):
        if st.id in seen_stage:
            problems.add("scheme.duplicate_id", doc.mark(("period", "stages", si, "id")), id=st.id)
        seen_stage.add(st.id)
        if st.until < st.start or (prev_end is not None and st.start <= prev_end):
            problems.add("scheme.stage_order", doc.mark(("period", "stages", si)), id=st.id)
        prev_end = st.until
    _check_cap_spans(scheme, trees, prefixes, doc, problems)
    from site_builder.checks.transfer_checks import check_scheme_transfers  # transfers, balances

    check_scheme_transfers(scheme, trees, prefixes, doc, problems)
    _check_rounding_and_vetoes(scheme, doc, problems)
    # vetoes, rankings, honours, composites
    _unique(scheme.vetoes, "vetoes", doc, problems)
    _unique(scheme.rankings, "rankings", doc, problems)
    _unique(scheme.honours, "honours", doc, problems)
    _unique(scheme.composites, "composites", doc, problems)
    ranking_ids = [r.id for r in scheme.rankings]
    composite_ids = [c.id for c in scheme.composites]
    for ri, r in enumerate(scheme.rankings):
        kind, _, ref = r.basis.partition(":")
        if r.basis not in ("period", "stage", "cumulative"):
            if kind == "composite":
                if ref not in composite_ids:
                    unknown_ref(problems, "scheme.unknown_ref", doc.mark(("rankings", ri, "basis")), ref, composite_ids, "综合排名", "composite")
            elif kind == "line":
                if ref not in all_ids:
                    unknown_ref(problems, "scheme.unknown_ref", doc.mark(("rankings", ri, "basis")), ref, all_ids, "指标", "indicator")
            else:
                problems.add("scheme.bad_basis", doc.mark(("rankings", ri, "basis")), basis=r.basis)
        for gi, g in enumerate(r.groups):
            if g not in group_ids:
                unknown_ref(problems, "scheme.unknown_ref", doc.mark(("rankings", ri, "groups", gi)), g, group_ids, "组别", "group")
        for ti, tb in enumerate(r.tie_break):
            if tb not in all_ids:
                unknown_ref(problems, "scheme.unknown_ref", doc.mark(("rankings", ri, "tie_break", ti)), tb, all_ids, "指标", "indicator")
    for hi, h in enumerate(scheme.honours):
        if h.ranking not in ranking_ids:
            unknown_ref(problems, "scheme.unknown_ref", doc.mark(("honours", hi, "ranking")), h.ranking, ranking_ids, "排名", "ranking")
        for gi, g in enumerate(h.groups):
            if g not in group_ids:
                unknown_ref(problems, "scheme.unknown_ref", doc.mark(("honours", hi, "groups", gi)), g, group_ids, "组别", "group")
        earlier = [x.id for x in scheme.honours[:hi]]
        for ei, other in enumerate(h.exclude_honoured):
            if other not in earlier:
                unknown_ref(problems, "scheme.unknown_ref", doc.mark(("honours", hi, "exclude_honoured", ei)), other, earlier, "（在此之前列出的）荣誉", "honour listed earlier")
    for ci, c in enumerate(scheme.composites):
        for pi, part in enumerate(c.parts):
            kind, _, ref = part.source.partition(":")
            mark = doc.mark(("composites", ci, "parts", pi, "source"))
            if kind == "ranking":
                if ref not in ranking_ids:
                    unknown_ref(problems, "scheme.unknown_ref", mark, ref, ranking_ids, "排名", "ranking")
            elif kind == "composite":
                if ref not in composite_ids:
                    unknown_ref(problems, "scheme.unknown_ref", mark, ref, composite_ids, "综合排名", "composite")
            elif kind != "external" or not ref:
                problems.add("scheme.bad_source", mark, source=part.source)
    _check_cycles(scheme, doc, problems)
    check_rankings(scheme, doc, problems, units)  # spans, sub-categories, when honours are decided
    from site_builder.ranking.levels import check_grades  # levels as results (等次)

    check_grades(scheme, indicators, doc, problems)
    if scheme.personal_data.publish_names and not scheme.personal_data.legal_basis:
        problems.add("scheme.legal_basis_required", doc.mark(("personal_data",)))
    if len(problems.errors) > before:
        return None
    return SchemeVersion(
        id=scheme_id, version=version, path=path, scheme=scheme, trees=trees,
        group_tree=group_tree, unit_group=unit_group, indicators=indicators,
        types={tid: node_types(t) for tid, t in trees.items()},
        chains={tid: chains(t.indicators) for tid, t in trees.items()},
    )


def _unique(items: list, key: str, doc: Document, problems: Problems) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            problems.add("scheme.duplicate_id", doc.mark((key, i, "id")), id=item.id)
        seen.add(item.id)


def _check_cycles(scheme: Scheme, doc: Document, problems: Problems) -> None:
    """Rankings may rest on composites and composites on rankings: no cycles."""
    deps: dict[str, list[str]] = {}
    where: dict[str, tuple] = {}
    for i, r in enumerate(scheme.rankings):
        kind, _, ref = r.basis.partition(":")
        deps[f"ranking:{r.id}"] = [f"composite:{ref}"] if kind == "composite" else []
        where[f"ranking:{r.id}"] = ("rankings", i, "basis")
    for i, c in enumerate(scheme.composites):
        deps[f"composite:{c.id}"] = [p.source for p in c.parts if p.source.partition(":")[0] in ("ranking", "composite")]
        where[f"composite:{c.id}"] = ("composites", i, "parts")
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == 2 or node not in deps:
            return
        if state.get(node) == 1:
            cycle = trail[trail.index(node):] + [node]
            problems.add("scheme.cycle", doc.mark(where[node]), cycle=" → ".join(cycle))
            return
        state[node] = 1
        for d in deps[node]:
            visit(d, [*trail, node])
        state[node] = 2

    for node in sorted(deps):
        visit(node, [])


# how many months a span or a period covers (a week is shorter than every span)
_MONTHS = {"week": 0, "month": 1, "quarter": 3, "half-year": 6, "year": 12}


def _check_cap_spans(scheme: Scheme, trees: dict[str, Tree], prefixes: dict[str, tuple], doc: Document,
                     problems: Problems) -> None:
    """``cap_span: stage`` needs stages; a span no longer than the period would cap each period."""
    kind = scheme.period.kind
    spans = ["month", "quarter", "stage", "year"]
    if kind == "stage":
        short = {"stage"}
    else:
        short = {s for s in ("month", "quarter", "year") if _MONTHS[s] <= _MONTHS[kind]}
    longer = [s for s in spans if s not in short and (s != "stage" or scheme.period.stages)]

    def walk(nodes: list[Indicator], path: tuple) -> None:
        for i, n in enumerate(nodes):
            p = (*path, i)
            mark = doc.mark((*p, "cap_span"))
            if n.cap_span == "stage" and not scheme.period.stages:
                problems.add("scheme.cap_span_no_stages", mark, name=n.name)
            elif n.cap_span in short:
                problems.add("scheme.cap_span_short", mark, name=n.name, span=n.cap_span, kind=kind,
                             longer=", ".join(longer) or "period")
            walk(n.children, (*p, "children"))

    for tid, tree in trees.items():
        walk(tree.indicators, (*prefixes[tid], "indicators"))


def _of_cycles(tree: Tree, prefix: tuple, index: dict[str, Indicator], doc: Document, problems: Problems) -> None:
    """A group-relative line comparing ``of: X`` is scored after the group-relative lines
    under X: refuse a line whose ``of`` leads back to itself (``of`` its own parent, …)."""
    from site_builder.checks.tree import leaves

    def deps(n: Indicator) -> list[str]:
        of = getattr(n.rule, "of", None)
        if not of or of not in index:
            return []
        return [x.id for x in leaves([index[of]]) if x.rule is not None and x.rule.group_relative]

    def walk(nodes: list[Indicator], path: tuple) -> None:
        for i, n in enumerate(nodes):
            p = (*path, i)
            if deps(n):
                trail = [n.id]
                todo = [(d, [n.id, d]) for d in deps(n)]
                seen: set[str] = set()
                while todo:
                    cur, trail = todo.pop(0)
                    if cur == n.id:
                        names = " → ".join(f"“{index[x].name}”" for x in trail)
                        problems.add("scheme.of_cycle", doc.mark((*p, "rule", "of")), name=n.name,
                                     ref=index[n.rule.of].name, cycle=names)
                        break
                    if cur not in seen:
                        seen.add(cur)
                        todo.extend((d, [*trail, d]) for d in deps(index[cur]))
            walk(n.children, (*p, "children"))

    walk(tree.indicators, (*prefix, "indicators"))
