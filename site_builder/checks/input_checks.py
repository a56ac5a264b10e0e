"""Checks across schemes: ``inputs`` name schemes that exist and never lead back to the
scheme itself, and every ``history`` line reads a listed scheme's real honours and rankings."""

from __future__ import annotations

from collections.abc import Iterator

from site_builder import messages
from site_builder.checks import unknown_ref
from site_builder.errors import Problems
from site_builder.load.yamlsafe import Document
from site_builder.model import SchemeVersion
from site_builder.schema.scheme import Indicator
from site_builder.ranking.levels import compile_condition, input_history_names, input_prefixes
from site_builder.scoring.formula import FormulaError
from site_builder.scoring.history import input_prefix
from site_builder.scoring.rules.history import FromHistory

messages.register(
    {
        "scheme.input_self": (
            "方案不能把自己列为 inputs",
            "请删除这一项；读取本方案此前各期的结果时，history 规则不写 scheme 即可",
            "a scheme cannot list itself in inputs",
            "remove it; a history line without scheme reads the scheme's own earlier periods",
        ),
        "scheme.input_cycle": (
            "方案之间互相读取结果，形成循环：{cycle}",
            "读取关系不能成环（每个方案要先于读取它的方案算出），请删除其中一项 inputs",
            "schemes read each other's results in a cycle: {cycle}",
            "inputs cannot form a cycle (a scheme is computed before those that read it); remove one of them",
        ),
        "scheme.history_not_input": (
            "“{name}”读取方案“{scheme}”的结果，但本方案的 inputs 没有列出它",
            "请在方案中加 inputs: [{{scheme: {scheme}}}]",
            "“{name}” reads the results of scheme “{scheme}”, which inputs does not list",
            "add inputs: [{{scheme: {scheme}}}] to the scheme",
        ),
        "scheme.history_own_period": (
            "“{name}”读取本方案此前各期，但范围是本期（span: period），其中没有此前的期",
            "请写 span: stage、year 或 all，或 last: N（最近 N 期）",
            "“{name}” reads the scheme's own earlier periods but its span is the current period (span: period), which holds none",
            "write span: stage, year or all, or last: N (the last N periods)",
        ),
        "grades.unknown_input_name": (
            "等次“{name}”的条件用到的“{ref}”不是方案“{scheme}”的结果名称{suggestion_zh}",
            "可用：{known}",
            "the condition of level “{name}” uses “{ref}”, which is not a result of scheme “{scheme}”{suggestion_en}",
            "known: {known}",
        ),
        "scheme.history_line_no_max": (
            "“{name}”统计“{line}”得满分的期数，但“{line}”没有分值 max",
            "请改用 at_least: 分数，或给该项写 max",
            "“{name}” counts periods of full marks in “{line}”, which has no max",
            "use at_least: <points> instead, or give the line a max",
        ),
        "scheme.history_no_stages": (
            "“{name}”按阶段读取历史结果（span: stage），但方案没有列出阶段",
            "请在 period 下列出 stages，或改用 span: year",
            "“{name}” reads results within a stage (span: stage) but the scheme lists no stages",
            "list stages under period, or use span: year",
        ),
    }
)


def _history_lines(sv: SchemeVersion) -> Iterator[tuple[Indicator, tuple]]:
    """Every leaf with a history rule, with its path in the scheme file."""
    scheme = sv.scheme

    def walk(nodes: list[Indicator], path: tuple) -> Iterator[tuple[Indicator, tuple]]:
        for i, n in enumerate(nodes):
            here = (*path, i)
            if isinstance(n.rule, FromHistory):
                yield n, here
            yield from walk(n.children, (*here, "children"))

    if scheme.trees:
        for ti, t in enumerate(scheme.trees):
            yield from walk(t.indicators, ("trees", ti, "indicators"))
    else:
        yield from walk(scheme.indicators, ("indicators",))


def check_inputs(schemes: dict[str, dict[str, SchemeVersion]], docs: dict[str, Document], folders: list[str],
                 problems: Problems) -> None:
    """``docs``: the document of every scheme file by its display path; ``folders``: every scheme id on disk
    (a scheme that failed its own checks is reported there, not again as unknown here)."""
    reads = {sid: {i.scheme for sv in vs.values() for i in sv.scheme.inputs} for sid, vs in schemes.items()}

    def path_back(start: str, goal: str) -> list[str] | None:
        """A chain of inputs from ``start`` to ``goal``, if there is one."""
        trail, seen = [start], {start}

        def go(node: str) -> bool:
            if node == goal:
                return True
            for nxt in sorted(reads.get(node, ())):
                if nxt not in seen:
                    seen.add(nxt)
                    trail.append(nxt)
                    if go(nxt):
                        return True
                    trail.pop()
            return False

        return trail if go(start) else None

    for sid in sorted(schemes):
        for sv in schemes[sid].values():
            doc = docs.get(sv.path)
            if doc is None:
                continue
            listed = [i.scheme for i in sv.scheme.inputs]
            _check_aliases(sv, doc, problems)
            _check_level_names(sv, schemes, doc, problems)
            for ii, inp in enumerate(sv.scheme.inputs):
                mark = doc.mark(("inputs", ii, "scheme"))
                if inp.scheme == sid:
                    problems.add("scheme.input_self", mark)
                elif inp.scheme not in folders:
                    unknown_ref(problems, "scheme.unknown_ref", mark, inp.scheme, sorted(set(folders) - {sid}), "方案", "scheme")
                elif (back := path_back(inp.scheme, sid)) is not None:
                    problems.add("scheme.input_cycle", mark, cycle=" → ".join([sid, *back]))
            for node, path in _history_lines(sv):
                rule = node.rule
                assert isinstance(rule, FromHistory)
                at = (*path, "rule")
                source = sid
                if rule.scheme is not None and rule.scheme != sid:
                    source = rule.scheme
                    if rule.scheme not in listed:
                        problems.add("scheme.history_not_input", doc.mark((*at, "scheme")), name=node.name, scheme=rule.scheme)
                        continue
                if source == sid and rule.last is None and rule.span == "period":
                    problems.add("scheme.history_own_period", doc.mark((*at, "span")), name=node.name)
                if rule.span == "stage" and rule.last is None and not sv.scheme.period.stages:
                    problems.add("scheme.history_no_stages", doc.mark((*at, "span")), name=node.name)
                read = schemes.get(source)
                if read is None:  # unknown (reported at inputs) or failed its own checks
                    continue
                honours = sorted({h.id for v in read.values() for h in v.scheme.honours})
                rankings = sorted({r.id for v in read.values() for r in v.scheme.rankings} or {"period"})
                if rule.honour is not None and rule.honour not in honours:
                    unknown_ref(problems, "scheme.unknown_ref", doc.mark((*at, "honour")), rule.honour, honours, "荣誉", "honour",
                                names={h.name: h.id for v in read.values() for h in v.scheme.honours})
                if rule.ranking is not None and rule.ranking not in rankings:
                    unknown_ref(problems, "scheme.unknown_ref", doc.mark((*at, "ranking")), rule.ranking, rankings, "排名", "ranking",
                                names={r.name: r.id for v in read.values() for r in v.scheme.rankings})
                if rule.line is not None:
                    _check_line_test(rule, node, read, doc, at, problems)


def _check_line_test(rule: FromHistory, node: Indicator, read: dict[str, SchemeVersion], doc: Document, at: tuple,
                     problems: Problems) -> None:
    """A history line's ``line: {id: …}`` names an indicator of the scheme it reads (any version);
    ``full`` needs one with a max."""
    assert rule.line is not None
    lines = {i: n for v in read.values() for index in v.indicators.values() for i, n in index.items()}
    if rule.line.id not in lines:
        unknown_ref(problems, "scheme.unknown_ref", doc.mark((*at, "line", "id")), rule.line.id, sorted(lines), "指标", "line")
    elif rule.line.full and lines[rule.line.id].max is None:
        problems.add("scheme.history_line_no_max", doc.mark((*at, "line", "full")), name=node.name, line=lines[rule.line.id].name)


def _check_aliases(sv: SchemeVersion, doc: Document, problems: Problems) -> None:
    """``as:`` is a name of the formula language, not a word of conditions, and names one input only."""
    seen: set[str] = set()
    for ii, inp in enumerate(sv.scheme.inputs):
        prefix = input_prefix(inp.scheme, inp.as_)
        if inp.as_ is not None and inp.as_ in seen:  # its form is checked with the file (scheme.input_alias)
            problems.add("scheme.input_alias", doc.mark(("inputs", ii, "as")), alias=inp.as_)
        if prefix is not None:
            seen.add(prefix)


def _check_level_names(sv: SchemeVersion, schemes: dict[str, dict[str, SchemeVersion]], doc: Document,
                       problems: Problems) -> None:
    """Level conditions that read an input scheme (``monthly.held.flag``) name its real honours and rankings."""
    grades = sv.scheme.grades
    if grades is None:
        return
    prefixes = input_prefixes(sv.scheme)
    for i, lv in enumerate(grades.levels):
        if lv.when is None:
            continue
        try:
            names = compile_condition(lv.when).names
        except FormulaError:  # reported by check_grades
            continue
        for ref in sorted(n for n in names if n.partition(".")[0] in prefixes):
            prefix = ref.partition(".")[0]
            read = schemes.get(prefixes[prefix])
            if read is None:  # unknown (reported at inputs) or failed its own checks
                continue
            honours = sorted({h.id for v in read.values() for h in v.scheme.honours})
            rankings = sorted({r.id for v in read.values() for r in v.scheme.rankings})
            known = sorted(input_history_names(prefix, honours, rankings))
            if ref not in known:
                problems.add("grades.unknown_input_name", doc.mark(("grades", "levels", i, "when")), name=lv.name,
                             ref=ref, scheme=prefixes[prefix], known=", ".join(known),
                             **messages.did_you_mean(ref, known, cutoff=0.5))
