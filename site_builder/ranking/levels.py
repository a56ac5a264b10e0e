"""Levels as results (等次): the first level whose condition holds, after ranking.

A scheme may publish a level per unit and period instead of (``show: level``)
or beside (``show: both``) its points: “年度考核得分90分以上且排名前20%的，评为
五星；……其余为合格”.  Each level's ``when`` is a condition in the formula
language over the unit's figures (see :func:`figure_names`); the levels are
tried best first and the last, without ``when``, is the default.  A unit under
a one-vote veto gets ``grades.vetoed`` when the scheme names one (“受一票否决的，
直接评为不合格”); otherwise its level follows from its figures like any other.
Units not assessed this period (exempt, absent, not applicable) get no level:
the notice lists them with their reason, as it does for the ranking.

The level is a function of the unit's own figures and of its place in the
ranking only: the order of units, files or period lines cannot change it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from site_builder import messages
from site_builder.checks import unknown_ref
from site_builder.errors import InputError, Mark, Problems
from site_builder.load.yamlsafe import Document
from site_builder.model import Period, Project, SchemeVersion
from site_builder.schema.extends import scheme_document
from site_builder.schema.scheme import Grades, Indicator, Scheme
from site_builder.scoring.history import (
    PREFIX_TAKEN,
    History,
    input_prefix,
    input_values,
    is_prefix_name,
    line_count_values,
    values_for,
)
from site_builder.scoring.formula import Formula, FormulaError, check_types, compile_formula
from site_builder.scoring.results import GroupRanking, LevelTest, PeriodResult, UnitLevel, UnitResult

ZERO = Decimal(0)
# whole-unit figures a condition may read; ``line.<id>`` and ``facts.<id>.<fact>`` besides
UNIT_NUMBERS = ("total", "max_total", "bonus", "deduction", "rank", "ratio", "group_size")
UNIT_FLAGS = ("vetoed", "disqualified")
FACT_NUMBERS = ("points", "value", "count", "actual", "target", "incidents", "events")
# the condition is checked and evaluated as the first argument of if(…, 1, 0)
_WRAP = "if("

messages.register(
    {
        "grades.no_default": (
            "等次中没有默认等次（不写 when 的等次）",
            "请在最后加一个不写 when 的等次，如 {{id: pass, name: 合格}}，未满足以上条件的单位评为此等次",
            "the levels have no default (a level without when)",
            "add a last level without when, e.g. {{id: pass, name: pass}}, for units that meet no condition",
        ),
        "grades.default_not_last": (
            "等次“{name}”没有条件 when，但不是最后一个：其后的等次永远不会评到",
            "请把默认等次放在最后，或给它写上条件 when",
            "level “{name}” has no when but is not the last: the levels after it can never be given",
            "put the default level last, or give it a condition",
        ),
        "grades.bad_condition": (
            "等次“{name}”的条件有误：{detail_zh}",
            "条件用公式语言书写，结果须为真或假，如 total >= 90 and line.discipline >= 8",
            "the condition of level “{name}” is not valid: {detail_en}",
            "write a condition in the formula language that is true or false, e.g. total >= 90 and line.discipline >= 8",
        ),
        "grades.not_condition": (
            "等次“{name}”的条件“{when}”算出的是数值，不是真或假",
            "请写成比较，如 total >= 90",
            "the condition “{when}” of level “{name}” gives a number, not true or false",
            "write a comparison, e.g. total >= 90",
        ),
        "grades.unknown_name": (
            "等次“{name}”的条件用到的“{ref}”不是可用的名称{suggestion_zh}",
            "可用：{known}{hint_zh}",
            "the condition of level “{name}” uses “{ref}”, which is not a known name{suggestion_en}",
            "known: {known}{hint_en}",
        ),
        "grades.line_count_name": (
            "“{alias}”不能用作 line_counts 的名称 as",
            "请用字母、数字、下划线组成、以字母开头的名称，不与条件中的其他名称（total、line、held、periods 等、inputs 的名称）或另一项 line_counts 重复，如 low_discipline",
            "“{alias}” cannot be the name (as) of a line count",
            "use letters, digits and underscores starting with a letter, not another name of conditions (total, line, held, periods …, an input's name) nor another line count's, e.g. low_discipline",
        ),
        "grades.line_count_test": (
            "line_counts 的“{alias}”须且只能写一个条件：full: true（得满分）、at_least（不低于）或 below（低于）",
            "请只写其中一个",
            "line count “{alias}” needs exactly one test: full: true, at_least or below",
            "give one of the three",
        ),
        "grades.line_count_no_max": (
            "line_counts 的“{alias}”按满分统计，但指标“{line}”没有分值 max",
            "请改用 at_least: 分数，或给该项写 max",
            "line count “{alias}” counts full marks but line “{line}” has no max",
            "use at_least: <points> instead, or give the line a max",
        ),
        "grades.failed": (
            "{period_zh}，单位“{unit_name}”（{unit}）：等次“{name}”的条件无法计算：{what_zh}",
            "{fix_zh}；或改写条件（未参加排名的单位没有 rank、ratio）",
            "{period_en}, unit “{unit_name}” ({unit}): the condition of level “{name}” cannot be computed: {what_en}",
            "{fix_en}; or change the condition (a unit that is not ranked has no rank or ratio)",
        ),
    }
)



# ---------------------------------------------------------------- conditions
def compile_condition(when: str) -> Formula:
    """``when`` as a formula giving 1 when it holds and 0 otherwise.

    The text is parsed alone first, so that it must be one whole expression;
    wrapped in ``if(…, 1, 0)`` the formula module checks it is a condition
    (alone, a comparison is refused as “not a number”: that is what a condition is)."""
    try:
        compile_formula(when)
    except FormulaError as exc:
        if exc.code != "formula.result_not_number":
            raise
    return compile_formula(f"{_WRAP}{when}, 1, 0)")


def _unwrapped(exc: FormulaError) -> FormulaError:
    """The error as the author wrote the text: positions without the ``if(`` wrapper."""
    if exc.offset is None or exc.offset < len(_WRAP):
        return exc
    return FormulaError(exc.code, exc.offset - len(_WRAP), **{k: v for k, v in exc.params.items() if k != "position"})


def _leaves(indicators: Mapping[str, Mapping[str, Indicator]]) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for index in indicators.values():
        for i, n in index.items():
            out.setdefault(i, n)
    return out


def figure_names(indicators: Mapping[str, Mapping[str, Indicator]]) -> tuple[frozenset[str], frozenset[str]]:
    """(numbers, flags): every name a condition may use with this indicator tree."""
    numbers = set(UNIT_NUMBERS)
    for i, n in _leaves(indicators).items():
        numbers.add(f"line.{i}")
        if not n.children:
            numbers.update(f"facts.{i}.{f}" for f in FACT_NUMBERS)
            numbers.update(f"facts.{i}.{x}" for x in getattr(n.rule, "inputs", ()) or ())
    return frozenset(numbers), frozenset(UNIT_FLAGS)


def history_names(scheme: Scheme, line_counts: bool = True) -> frozenset[str]:
    """The names of a unit's history in this scheme (:func:`~site_builder.scoring.history.values_for`):
    ``held.<honour>``, ``run.<honour>``, ``first``, ``first.<ranking>``, ``periods``, ``total_sum``, ``total_mean``,
    and the names ``grades.line_counts`` declares (``<as>``, ``<as>.run``) unless ``line_counts`` is false."""
    names = {"first", "periods", "total_sum", "total_mean"}
    if line_counts and scheme.grades is not None:
        names |= {n for lc in scheme.grades.line_counts for n in (lc.as_, f"{lc.as_}.run")}
    for h in scheme.honours:
        names |= {f"held.{h.id}", f"run.{h.id}"}
    names |= {f"first.{r.id}" for r in scheme.rankings} or {"first.period"}
    return frozenset(names)


def input_prefixes(scheme: Scheme) -> dict[str, str]:
    """prefix → input scheme id: the names that begin another scheme's history in conditions (``m.held.flag``)."""
    out: dict[str, str] = {}
    for inp in scheme.inputs:
        prefix = input_prefix(inp.scheme, inp.as_)
        if prefix is not None:
            out.setdefault(prefix, inp.scheme)
    return out


def input_history_names(prefix: str, honours: list[str], rankings: list[str]) -> frozenset[str]:
    """The names of an input scheme's history behind its prefix: ``<prefix>.held.<honour>`` …,
    ``<prefix>.vetoed`` (periods under a one-vote veto)."""
    names = {"first", "periods", "total_sum", "total_mean", "vetoed"}
    for h in honours:
        names |= {f"held.{h}", f"run.{h}"}
    names |= {f"first.{r}" for r in rankings} or {"first.period"}
    return frozenset(f"{prefix}.{n}" for n in names)


def _known_text(prefixes: tuple[str, ...] = ()) -> str:
    """The names a condition may use (``prefixes``: of the input schemes)."""
    names = ", ".join([*UNIT_NUMBERS, *UNIT_FLAGS, "line.<id>", "facts.<id>.<" + "|".join(FACT_NUMBERS) + ">",
                       "held.<honour>", "run.<honour>", "first", "first.<ranking>", "periods", "total_sum", "total_mean",
                       *(f"{p}.<held.<honour>|run.<honour>|first|first.<ranking>|periods|total_sum|total_mean|vetoed>"
                         for p in prefixes)])
    return names


def _alias_hints(unnamed: tuple[str, ...]) -> dict[str, str]:
    """``hint_zh``/``hint_en``: how to read an input whose id cannot begin a name (a hyphen): write ``as:``."""
    zh, en = [], []
    for sid in unnamed:
        alias = re.sub(r"[^A-Za-z0-9_]", "_", sid).strip("_") or "src"
        alias = alias if alias[0].isalpha() else f"s_{alias}"
        zh.append(f"（读取方案“{sid}”的结果，请在 inputs 中为它写名称 as，如 as: {alias}）")
        en.append(f" (to read scheme “{sid}”, give its inputs entry a name, e.g. as: {alias})")
    return {"hint_zh": "".join(zh), "hint_en": "".join(en)}


def check_grades(scheme: Scheme, indicators: Mapping[str, Mapping[str, Indicator]], doc: Document, problems: Problems) -> None:
    """``check``: ids unique, one default and last, conditions known names and true-or-false."""
    grades = scheme.grades
    if grades is None:
        return
    numbers, flags = figure_names(indicators)
    numbers = numbers | history_names(scheme, False) | _check_line_counts(
        grades, indicators, numbers | flags | history_names(scheme, False), input_prefixes(scheme), doc, problems)
    known = sorted(numbers | flags)
    # an input scheme's names (``m.held.flag``) are checked against that scheme by check_inputs
    prefixes = input_prefixes(scheme)
    unnamed = tuple(i.scheme for i in scheme.inputs if input_prefix(i.scheme, i.as_) is None)
    seen: set[str] = set()
    levels = grades.levels
    for i, lv in enumerate(levels):
        at = ("grades", "levels", i)
        if lv.id in seen:
            problems.add("scheme.duplicate_id", doc.mark((*at, "id")), id=lv.id)
        seen.add(lv.id)
        if lv.when is None:
            if i != len(levels) - 1:
                problems.add("grades.default_not_last", doc.mark(at), name=lv.name)
            continue
        mark = doc.mark((*at, "when"))
        try:
            formula = compile_condition(lv.when)
        except FormulaError as exc:
            _bad(problems, mark, lv.name, lv.when, exc)
            continue
        read = {n for n in formula.names if n.partition(".")[0] in prefixes}
        unknown = sorted(formula.names - numbers - flags - read)
        for ref in unknown:
            problems.add("grades.unknown_name", mark, name=lv.name, ref=ref, known=_known_text(tuple(prefixes)), **_alias_hints(unnamed),
                         **messages.did_you_mean(ref, known, cutoff=0.5))
        if unknown:
            continue
        try:
            check_types(formula, numbers | read)
        except FormulaError as exc:
            _bad(problems, mark, lv.name, lv.when, exc)
    if levels and levels[-1].when is not None:
        problems.add("grades.no_default", doc.mark(("grades", "levels")))
    if grades.vetoed is not None and grades.vetoed not in seen:
        unknown_ref(problems, "scheme.unknown_ref", doc.mark(("grades", "vetoed")), grades.vetoed,
                    sorted(seen), "等次", "level")
    ranking_ids = [r.id for r in scheme.rankings] or ["period"]
    if grades.ranking is not None and grades.ranking not in ranking_ids:
        unknown_ref(problems, "scheme.unknown_ref", doc.mark(("grades", "ranking")), grades.ranking,
                    ranking_ids, "排名", "ranking")


def _check_line_counts(grades: Grades, indicators: Mapping[str, Mapping[str, Indicator]], taken: frozenset[str],
                       prefixes: Mapping[str, str], doc: Document, problems: Problems) -> frozenset[str]:
    """``line_counts``: a free formula name each, one test, a line of the scheme (with a max for ``full``).
    Returns the names they give to conditions (``<as>``, ``<as>.run``)."""
    nodes = _leaves(indicators) | {i: n for index in indicators.values() for i, n in index.items()}
    out: set[str] = set()
    for i, lc in enumerate(grades.line_counts):
        at = ("grades", "line_counts", i)
        alias = lc.as_
        if (not is_prefix_name(alias) or "." in alias or alias in taken or alias in out or alias in prefixes
                or alias in PREFIX_TAKEN):
            problems.add("grades.line_count_name", doc.mark((*at, "as")), alias=alias)
        else:
            out |= {alias, f"{alias}.run"}
        if lc.given() != 1:
            problems.add("grades.line_count_test", doc.mark(at), alias=alias)
        if lc.id not in nodes:
            unknown_ref(problems, "scheme.unknown_ref", doc.mark((*at, "id")), lc.id, sorted(nodes), "指标", "line")
        elif lc.full and nodes[lc.id].max is None:
            problems.add("grades.line_count_no_max", doc.mark((*at, "full")), alias=alias, line=nodes[lc.id].name)
    return frozenset(out)


def _bad(problems: Problems, mark: Mark, name: str, when: str, exc: FormulaError) -> None:
    if exc.code == "formula.not_boolean" and exc.offset == len(_WRAP):  # the whole text is a number
        problems.add("grades.not_condition", mark, name=name, when=when)
        return
    exc = _unwrapped(exc)
    details = {f"detail_{lang}": "；".join(x for x in messages.get(exc.code).render(loc, exc.params) if x)
               for lang, loc in (("zh", "zh-CN"), ("en", "en"))}
    problems.add("grades.bad_condition", mark, name=name, **details)


# ---------------------------------------------------------------- the figures of one unit
def _ranking(grades: Grades, result: PeriodResult, group: str) -> GroupRanking | None:
    ranks = [r for r in result.rankings if r.group == group]
    if grades.ranking is not None:
        return next((r for r in ranks if r.ranking == grades.ranking), None)
    return ranks[0] if ranks else None


def unit_figures(u: UnitResult, ranking: GroupRanking | None, names: frozenset[str]) -> dict[str, Decimal | bool]:
    """The values of ``names`` for one unit; a name with no value (rank of an unranked unit) is left out."""
    entry = next((e for e in ranking.entries if e.unit == u.unit), None) if ranking else None
    lines = {line.id: line for line in u.lines}
    env: dict[str, Decimal | bool] = {}
    if "ratio" in names:  # shown as rank/group size on the card
        names = names | {"rank", "group_size"}
    for name in sorted(names):
        kind, _, rest = name.partition(".")
        if name in ("total", "max_total", "bonus", "deduction"):
            value = getattr(u, name)
            if value is not None:
                env[name] = value
        elif name in ("rank", "ratio", "group_size"):
            if entry is not None and ranking is not None:
                size = Decimal(len(ranking.entries))
                env[name] = {"rank": Decimal(entry.rank), "group_size": size, "ratio": Decimal(entry.rank) / size}[name]
        elif name == "vetoed":
            env[name] = bool(u.vetoes)
        elif name == "disqualified":
            env[name] = bool(u.disqualified_by)
        elif kind == "line":
            line = lines.get(rest)
            env[name] = line.points if line is not None and line.points is not None else ZERO
        elif kind == "facts":
            lid, _, fact = rest.partition(".")
            line = lines.get(lid)
            env[name] = _fact(line.facts if line is not None else None, fact)
    return env


def _fact(facts, fact: str) -> Decimal:
    """A recorded fact as a number; not recorded is 0 (no occurrences, no value)."""
    if facts is None:
        return ZERO
    if fact == "events":
        return Decimal(sum(e.count for e in facts.all_events()))
    if fact in FACT_NUMBERS:
        value = getattr(facts, fact)
        return ZERO if value is None else Decimal(value)
    return facts.values.get(fact, ZERO)


# ---------------------------------------------------------------- the level of every unit
def level_of(grades: Grades, compiled: list[Formula | None], u: UnitResult, env: Mapping[str, Decimal | bool]) -> UnitLevel:
    """The first level whose condition holds (raises :class:`FormulaError` with the level's index in ``args``)."""
    levels = grades.levels
    if grades.vetoed is not None and u.vetoes:
        order = next(i for i, lv in enumerate(levels) if lv.id == grades.vetoed)
        return UnitLevel(u.unit, grades.vetoed, levels[order].name, order, "vetoed", ())
    tests: list[LevelTest] = []
    for i, (lv, formula) in enumerate(zip(levels, compiled, strict=True)):
        if formula is None:
            return UnitLevel(u.unit, lv.id, lv.name, i, "default", tuple(tests))
        try:
            held = formula.evaluate(env) == 1
        except FormulaError as exc:
            raise _LevelFailure(i, _unwrapped(exc)) from None
        shown = formula.names | ({"rank", "group_size"} if "ratio" in formula.names else set())
        figures = tuple((n, env[n]) for n in sorted(shown) if n in env)
        tests.append(LevelTest(lv.id, held, figures))
        if held:
            return UnitLevel(u.unit, lv.id, lv.name, i, "condition", tuple(tests))
    # check guarantees a default level; a condition on the last level that fails has nowhere to go
    raise AssertionError("levels without a default")


class _LevelFailure(Exception):
    def __init__(self, index: int, error: FormulaError) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


def grade_period(sv: SchemeVersion, result: PeriodResult,
                 past: Callable[[str], Mapping[str, Decimal]] | None = None,
                 ) -> tuple[dict[str, UnitLevel], list[tuple[str, int, FormulaError]]]:
    """Every assessed unit's level, and the (unit, level index, error) of conditions that failed.
    ``past(unit)`` gives the history names of a unit (``held.flag`` …) when a condition reads them."""
    grades = sv.scheme.grades
    if grades is None:
        return {}, []
    compiled = [compile_condition(lv.when) if lv.when is not None else None for lv in grades.levels]
    names = frozenset(n for f in compiled if f is not None for n in f.names)
    prefixes = input_prefixes(sv.scheme)
    own = names & history_names(sv.scheme) | {n for n in names if n.partition(".")[0] in prefixes}
    out: dict[str, UnitLevel] = {}
    failed: list[tuple[str, int, FormulaError]] = []
    for uid in sorted(result.units):
        u = result.units[uid]
        if u.status != "assessed" or u.total is None:
            continue
        env = unit_figures(u, _ranking(grades, result, u.group), names - own)
        if own and past is not None:
            env.update({n: v for n, v in past(uid).items() if n in own})
        try:
            out[uid] = level_of(grades, compiled, u, env)
        except _LevelFailure as exc:
            failed.append((uid, exc.index, exc.error))
    return out, failed


@dataclass(frozen=True)
class LevelFailure:
    """A condition that could not be computed for one unit (reported after every period is done)."""

    sv: SchemeVersion
    period: Period
    unit: str
    index: int
    error: FormulaError


def grade(sv: SchemeVersion, period: Period, result: PeriodResult, history: History | None,
          failures: list[LevelFailure]) -> PeriodResult:
    """One ranked period with its levels, once it is in ``history`` (so that ``held.flag``
    counts this period too); each unit's level is recorded in the history for later readers."""
    if sv.scheme.grades is None:
        return result
    span = sv.scheme.grades.span
    this = replace(period, id=f"{period.id}\x00level")  # the window then keeps the current period

    inputs = [(i.scheme, i.as_) for i in sv.scheme.inputs]
    counts = [(lc.as_, lc) for lc in sv.scheme.grades.line_counts]

    def past(uid: str) -> Mapping[str, Decimal]:
        """The unit's history here and in the input schemes (``m.vetoed``) over the span."""
        if history is None:
            return {}
        return {**values_for(history, sv.id, uid, this, span), **input_values(history, inputs, uid, this, span),
                **line_count_values(history, sv.id, uid, this, span, counts)}

    levels, failed = grade_period(sv, result, past)
    failures += [LevelFailure(sv, period, uid, index, error) for uid, index, error in failed]
    if history is not None:
        record_levels(history, sv, period, levels)
    return replace(result, levels=levels)


def record_levels(history: History, sv: SchemeVersion, period: Period, levels: Mapping[str, UnitLevel]) -> None:
    """Each unit's level in its record of the history, for later readers (also when a graded
    period comes from the period cache)."""
    for uid, lv in levels.items():
        recs = history.records.get((sv.id, uid), {})
        if period.id in recs:
            recs[period.id] = replace(recs[period.id], level=lv.level)


def raise_level_failures(project: Project, failures: list[LevelFailure]) -> None:
    """Every condition that could not be computed as one located problem (all in one run)."""
    if not failures:
        return
    problems = Problems()
    docs: dict[str, Document | None] = {}
    for f in failures:
        _report(project, f.sv, f.period, f.unit, f.index, f.error, problems, docs)
    raise InputError(problems.sorted(), project.site.locale)


def _report(project: Project, sv: SchemeVersion, period: Period, uid: str, index: int, error: FormulaError,
            problems: Problems, docs: dict[str, Document | None]) -> None:
    if sv.path not in docs:  # a version written as changes (extends:) is located in its merged document
        docs[sv.path] = scheme_document(project.sources, project.schemes.get(sv.id, {}), sv.version)
    doc = docs[sv.path]
    where = ("grades", "levels", index, "when")
    mark = doc.mark(where) if doc is not None else Mark(sv.path)
    zh_what, zh_fix = messages.get(error.code).render("zh-CN", error.params)
    en_what, en_fix = messages.get(error.code).render("en", error.params)
    name = project.unit_name(uid, period.end) if uid in project.units else uid
    problems.add("grades.failed", mark, unit=uid, unit_name=name, name=sv.scheme.grades.levels[index].name,
                 period_zh=period.name, period_en=period.name_en, what_zh=zh_what, fix_zh=zh_fix,
                 what_en=en_what, fix_en=en_fix)
