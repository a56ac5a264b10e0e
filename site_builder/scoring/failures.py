"""Problems that only the recorded facts reveal (a formula dividing by zero):
located messages, never a traceback.

The engine scores on the validated project, which keeps no YAML marks; when a
rule fails for one unit it records a :class:`Failure` and goes on with 0 points
for that line, so that one run reports every such problem.  At the end the
failures are located here, by reading the period file and the scheme file
again from ``project.sources``: at the unit's facts for the line in the period
file, naming the scheme file:line:column of the rule in the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder import messages
from site_builder.errors import InputError, Mark, Problems
from site_builder.load.files import PERIOD_MAX_BYTES
from site_builder.load.yamlsafe import Document, load_yaml_bytes
from site_builder.model import Period, Project, SchemeVersion
from site_builder.schema.scheme import Indicator
from site_builder.scoring.formula import FormulaError

messages.register(
    {
        "engine.formula_failed": (
            "单位“{unit_name}”（{unit}）的“{line}”：{what_zh}（{period_zh}；公式见 {rule_at}：{expr}）",
            "{fix_zh}；或核对本单位的记录",
            "“{line}” of unit “{unit_name}” ({unit}): {what_en} ({period_en}; the formula is at {rule_at}: {expr})",
            "{fix_en}; or check the unit's facts",
        ),
    }
)


@dataclass(frozen=True)
class Failure:
    sv: SchemeVersion
    period: Period
    unit: str
    node: Indicator
    error: FormulaError


def _doc(project: Project, path: str, cache: dict[str, Document | None]) -> Document | None:
    if path not in cache:
        raw = project.sources.get(path)
        cache[path] = load_yaml_bytes(raw, path, Problems(), PERIOD_MAX_BYTES) if raw is not None else None
    return cache[path]


def _scheme_doc(project: Project, sv: SchemeVersion, cache: dict[str, Document | None]) -> Document | None:
    """The scheme version's document; for one written as changes (extends:), merged over its base."""
    from site_builder.schema.extends import scheme_document

    if sv.path not in cache:
        cache[sv.path] = scheme_document(project.sources, project.schemes.get(sv.id, {}), sv.version)
    return cache[sv.path]


def _rule_path(sv: SchemeVersion, node_id: str) -> tuple | None:
    """The path of ``node_id``'s rule expression in the scheme document."""
    scheme = sv.scheme
    tops = [(("trees", i), t.indicators) for i, t in enumerate(scheme.trees)] or [((), scheme.indicators)]

    def walk(nodes: list[Indicator], path: tuple) -> tuple | None:
        for i, n in enumerate(nodes):
            if n.id == node_id:
                return (*path, i)
            found = walk(n.children, (*path, i, "children"))
            if found:
                return found
        return None

    for prefix, nodes in tops:
        found = walk(nodes, (*prefix, "indicators"))
        if found:
            return found
    return None


def raise_failures(project: Project, failures: list[Failure]) -> None:
    """Every failure as one located problem; raises :class:`InputError` when there are any."""
    if not failures:
        return
    problems = Problems()
    docs: dict[str, Document | None] = {}
    for f in failures:
        pdoc = _doc(project, f.period.path, docs)
        fpath = ("units", f.unit, "facts", f.node.id)
        where = pdoc.key_marks.get(fpath, pdoc.mark(fpath)) if pdoc is not None else Mark(f.period.path)
        sdoc = _scheme_doc(project, f.sv, docs)
        npath = _rule_path(f.sv, f.node.id)
        rule_at = str(sdoc.mark((*npath, "rule", "expr"))) if sdoc is not None and npath else f.sv.path
        zh_what, zh_fix = messages.get(f.error.code).render("zh-CN", f.error.params)
        en_what, en_fix = messages.get(f.error.code).render("en", f.error.params)
        unit = project.units.get(f.unit)
        problems.add(
            "engine.formula_failed", where, unit=f.unit,
            unit_name=project.unit_name(f.unit, f.period.end) if unit is not None else f.unit,
            line=f.node.name, period_zh=f.period.name, period_en=f.period.name_en, rule_at=rule_at,
            expr=getattr(f.node.rule, "expr", ""), what_zh=zh_what, fix_zh=zh_fix, what_en=en_what, fix_en=en_fix,
        )
    raise InputError(problems.sorted(), project.site.locale)
