"""Facts → points → totals for every unit of every period.

Order of work for one period (each step sees only what earlier steps made):
1. leaves scored from each unit's own facts (not-applicable policies, scope,
   occurrence modifiers, disqualification);
2. group-relative leaves, once the whole group's facts and subtotals are known,
   and group-average imputation;
3. the tree summed bottom-up with caps (bonus caps, deduction caps, caps
   relative to another node, caps across a stage or year);
4. total = Σ top-level nodes, rescaled for excluded lines where declared,
   × unit coefficient, veto effects, rounded once as the scheme declares.
Ranking and honours live in :mod:`site_builder.ranking.engine`; periods are scored and
ranked in turn by :func:`site_builder.pipeline.compute` (this module never imports ranking).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, localcontext

from site_builder import messages
from site_builder.checks.tree import applies, leaves, line_spec
from site_builder.model import Period, Project, SchemeVersion
from site_builder.periods import SPAN_WORDS, span_name, span_of
from site_builder.schema.scheme import Indicator, Rounding, Tree, Veto
from site_builder.scoring.facts import EMPTY_FACTS, Facts
from site_builder.scoring.failures import Failure
from site_builder.scoring.derived import Context as FormulaContext
from site_builder.scoring.derived import PreviousPeriod
from site_builder.scoring.formula import FormulaError
from site_builder.scoring.history import History, Past, dependency_order
from site_builder.scoring.results import LineResult, UnitResult, VetoResult
from site_builder.scoring.rules.base import ZERO, LineSpec, Outcome, PeriodContext, Step, fmt, period_context, step
from site_builder.scoring.transfers import apply_transfers, transfers_of

messages.register(
    {
        "explain.na_full": ("本项不适用，按规定得满分", "", "not applicable: full points as declared", ""),
        "explain.na_zero": ("本项不适用，按规定得 0 分", "", "not applicable: 0 points as declared", ""),
        "explain.na_excluded": ("本项不适用，不计分，满分相应扣除", "", "not applicable: excluded from the maximum", ""),
        "explain.na_average": ("本项不适用，按本组平均分 {points} 分计", "", "not applicable: group average {points}", ""),
        "explain.out_of_scope": ("本项不适用于本单位", "", "this line does not apply to the unit", ""),
        "explain.modifier": ("{label} {count} 件次，得分 × {factor}", "", "{label}: {count}, points × {factor}", ""),
        "clip.node_cap": ("合计超过上限 {cap} 分，按 {cap} 分计", "", "sum exceeds the cap of {cap}: counted as {cap}", ""),
        "clip.cap_by": ("扣分不超过“{ref}”的得分 {cap} 分", "", "deductions may not exceed “{ref}” ({cap})", ""),
        "clip.span_lost": ("累计扣分封顶：本{span}已扣 {used} 分，本期最多再扣 {left} 分", "", "deductions capped across the {span_en}: {used} already lost, at most {left} more", ""),
        "clip.span": ("累计封顶：本{span}已计 {used} 分，本期最多再计 {left} 分", "", "cap across the {span_en}: {used} already booked, at most {left} more", ""),
        "clip.node_floor": ("合计 {raw} 分，低于最低分 {min} 分，按 {min} 分计（扣完为止）", "", "sum {raw} is below the floor of {min}: counted as {min}", ""),
        "explain.balance": ("{span}起始 {budget} 分，此前已扣 {before} 分，本期扣 {now} 分，余额 {left} 分", "",
                            "{span_en} starts at {budget}: {before} lost before, {now} this period, {left} left", ""),
        "clip.adjustment": ("调整合计超过 ±{cap} 分，按 {signed} 分计", "", "adjustments exceed ±{cap}: counted as {signed}", ""),
        "explain.line_rounded": ("按规定保留{places}位小数{mode_zh}，计 {shown} 分", "",
                                 "rounded as the scheme declares ({places} d.p.{mode_en}): {shown}", ""),
    }
)

_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
PRECISION = 34
#: Whether a period's equal outcomes and lines are one shared object (:func:`score_period`); the tests
#: turn it off to show the site is the same byte for byte either way.
SHARE = True


def round_points(value: Decimal, rounding: Rounding) -> Decimal:
    """``value`` to the scheme's places; the context is widened so that a large value with many
    places never overflows the precision (``quantize`` would raise InvalidOperation)."""
    with localcontext() as ctx:
        ctx.prec = max(PRECISION, value.adjusted() + rounding.places + 2)
        return value.quantize(Decimal(1).scaleb(-rounding.places), rounding=_MODES[rounding.mode])


def line_rounding(node: Indicator, rounding: Rounding, always: bool = False) -> Rounding | None:
    """How a leaf's figure is rounded, or None when it is kept exact: the line's own
    ``rounding`` (``keep: true`` never rounds), else the scheme's when it rounds every
    line (``at: line``) or ``always`` (a rounded figure wanted for a group comparison)."""
    own = node.rounding
    if own is not None and own.keep:
        return None
    if own is not None:
        return rounding.model_copy(update={k: v for k, v in (("places", own.places), ("mode", own.mode)) if v is not None})
    return rounding if always or rounding.at == "line" else None


def published_points(node: Indicator, value: Decimal, rounding: Rounding, always: bool = False) -> Decimal:
    """A leaf's figure as published: rounded once, as :func:`line_rounding` declares."""
    r = line_rounding(node, rounding, always)
    return round_points(value, r) if r is not None else value


_MODE_WORDS = {"half_up": ("", ""), "half_even": ("（银行家舍入）", ", half even"), "down": ("（截尾）", ", truncated"),
               "up": ("（进位）", ", rounded up")}


def _rounded_step(r: Rounding | None, computed: Decimal, shown: Decimal) -> tuple[Step, ...]:
    """“按规定保留1位小数，计 17.2 分”: said when a line's published figure differs from its computed
    one; ``r`` is the line's rounding (:func:`line_rounding`)."""
    if r is None or shown == computed:
        return ()
    zh, en = _MODE_WORDS[r.mode]
    return (step("explain.line_rounded", places=r.places, mode_zh=zh, mode_en=en, shown=format(shown, "f")),)


@dataclass
class _Ledger:
    """What later periods of a scheme carry: points already booked against caps that
    span a stage or a year, and vetoes that last to the end of a stage or year.  A
    dataclass of plain values, so the period cache can store it (scoring/period_cache.py)."""

    used: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    lost: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)  # a balance's deductions so far in its span
    vetoes: dict[tuple[str, str, str], dict[str, VetoResult]] = field(default_factory=dict)
    stage_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # stage id -> (zh, en) name, for the score card

    @staticmethod
    def veto_spans(unit: str, period: Period) -> dict[str, tuple[str, str, str]]:
        """The keys under which a veto lasting to the end of the stage or year is kept."""
        return {kind: (unit, kind, _Ledger.span(kind, period)) for kind in ("stage", "year")}

    def carry(self, unit: str, clause: Veto, period: Period, veto: VetoResult) -> None:
        if clause.lasts != "period":
            kept = self.vetoes.setdefault(self.veto_spans(unit, period)[clause.lasts], {})
            kept.setdefault(clause.id, replace(veto, since=period.name, since_period=period.id))

    def carried(self, unit: str, period: Period) -> list[VetoResult]:
        """Vetoes recorded in an earlier period of the same stage or year, one per clause."""
        out: dict[str, VetoResult] = {}
        for key in self.veto_spans(unit, period).values():
            for vid, v in sorted(self.vetoes.get(key, {}).items()):
                if v.since_period != period.id:
                    out.setdefault(vid, v)
        return [out[k] for k in sorted(out)]

    def key(self, unit: str, node: Indicator, period: Period) -> tuple[str, str, str] | None:
        if node.cap_span == "period":
            return None
        return (unit, node.id, self.span(node.cap_span, period))

    @staticmethod
    def span(kind: str, period: Period) -> str:
        """The month, quarter, stage or year a period belongs to: the one it ends in (:func:`span_of`)."""
        return span_of(kind, period.end, period.stage)

    def view(self, period: Period) -> tuple:
        """Everything scoring ``period`` can read or change of the ledger, as plain values in the
        ledger's order: the entries of the spans the period belongs to (each kind of span the
        period is in; every key a cap, a balance or a lasting veto of the period makes ends in one
        of them: :meth:`key`, :func:`_balance`, :meth:`veto_spans`) and the stage names.  Equal views
        before a period (and equal other inputs) mean an equal scoring and an equal view after it,
        and the entries outside the view are left as they were (the period cache's scoring entries:
        scoring/period_cache.py)."""
        mine = {self.span(kind, period) for kind in (*SPAN_WORDS, "period")}
        return (tuple((k, v) for k, v in self.used.items() if k[2] in mine),
                tuple((k, v) for k, v in self.lost.items() if k[2] in mine),
                tuple((k, tuple(v.items())) for k, v in self.vetoes.items() if k[2] in mine),
                tuple(self.stage_names.items()))

    @staticmethod
    def canonical(view: tuple) -> tuple:
        """A view in sorted order, for a key: scoring reads the ledger by key only (and sorts the
        carried vetoes), so the order of its entries changes nothing."""
        used, lost, vetoes, names = view
        return (tuple(sorted(used)), tuple(sorted(lost)), tuple(sorted((k, tuple(sorted(v))) for k, v in vetoes)),
                tuple(sorted(names)))

    def restore(self, view: tuple) -> None:
        """Take a view made after a period (:meth:`view`) as this ledger's entries of that period's
        spans: what scoring the period from an equal view would have left (new entries added in the
        order scoring adds them)."""
        used, lost, vetoes, names = view
        self.used.update(used)
        self.lost.update(lost)
        for k, v in vetoes:
            self.vetoes[k] = dict(v)
        self.stage_names.update(names)


def _leaf(node: Indicator, line: LineSpec, facts: Facts | None, unit: str, group: str, chain: list[Indicator], period: Period,
          failed: list[FormulaError] | None = None, history: History | None = None,
          scoped: bool = True, shared: _Shared | None = None) -> tuple[Outcome | None, str, Facts | None]:
    """Score one leaf from the unit's own facts; (None, status) when excluded or deferred.

    ``line`` is the leaf's :class:`LineSpec` with the period's context (the same for every unit:
    made once per period, :func:`_leaf_plan`); ``scoped`` False when no node of its chain limits
    where it applies (``applies_to``, ``applies_in``).  A formula that fails with these facts (division
    by zero, …) is appended to ``failed`` and scores 0, so the run goes on and reports every such line.

    ``shared`` (one per period, :func:`score_period`): a leaf scored from the very facts object
    another unit's was scored from (a period's facts written alike are one object) gives that unit's
    outcome itself — what a rule makes of a line is a function of the line and the facts alone — except
    a history line (it reads the unit's own record) and a formula that failed (each unit is reported)."""
    if scoped and not applies(chain, unit, group, period.id, period.stage):
        return None, "out_of_scope", None
    rule = node.rule
    assert rule is not None
    f = facts if facts is not None else EMPTY_FACTS
    if shared is None or rule.reads_history:
        return _leaf_scored(node, line, f, unit, period, failed, history)
    key = (id(line), id(f))
    got = shared.outcomes.get(key)
    if got is not None:
        return got[1]
    before = len(failed) if failed is not None else 0
    made = _leaf_scored(node, line, f, unit, period, failed, history)
    if failed is None or len(failed) == before:
        shared.outcomes[key] = ((line, f), made)
    return made


def _leaf_scored(node: Indicator, line: LineSpec, f: Facts, unit: str, period: Period,
                 failed: list[FormulaError] | None, history: History | None) -> tuple[Outcome | None, str, Facts | None]:
    rule = node.rule
    assert rule is not None
    if f.na:
        top = node.max or ZERO
        if node.not_applicable == "full":
            return Outcome(top, top, None, (step("explain.na_full"),)), "not_applicable", f
        if node.not_applicable == "zero":
            return Outcome(ZERO, ZERO, None, (step("explain.na_zero"),)), "not_applicable", f
        return None, "not_applicable", f
    if rule.group_relative:
        return None, "deferred", f
    try:
        # a history line reads the results computed so far (none when scored on its own)
        out = (rule.score_history(line, Past(history if history is not None else History(), unit, period))
               if rule.reads_history else rule.score(line, f))
    except FormulaError as exc:
        if failed is None:
            raise
        failed.append(exc)
        return Outcome(ZERO, ZERO), "scored", f
    return _modify(node, out, f), "scored", f


def _modify(node: Indicator, out: Outcome, f: Facts) -> Outcome:
    if not node.modifiers:
        return out
    n = f.incidents or 0
    for mod in node.modifiers:
        chosen = None
        for s in sorted(mod.steps, key=lambda s: s.min):
            if n >= s.min:
                chosen = s
        if chosen is not None:
            pts = out.points * chosen.factor
            out = Outcome(pts, out.raw, out.clip, (*out.steps, step("explain.modifier", label=mod.label, count=n, factor=fmt(chosen.factor))), out.occurrences)
    return out


class _Shared:
    """What one period's scoring makes once and shares between its units (:data:`SHARE`): many units'
    lines are scored from the very same facts object (a period's facts written alike are one object)
    by the same rule and come out equal, and a period's results are held for the whole build.

    - ``outcomes``: (id of the leaf's line spec, id of the facts) -> a leaf's scoring (:func:`_leaf`);
    - ``lines``: a line made of the same objects -> that line (:func:`_aggregate`): a leaf by its node,
      outcome, facts and status, a subtotal by its node and its children's lines (and a subtotal of
      other lines by its content, in every period: :func:`_subtotal`).

    Keys made of ids hold ids of objects their entry keeps (or that live as long as the scheme
    version: its trees and nodes), so an id in a key cannot pass to another object meanwhile.
    Everything shared is immutable: frozen outcomes, steps and lines; a later stage that needs another
    value makes a copy (a transfer's outcome is a new one, ``dataclasses.replace``)."""

    __slots__ = ("outcomes", "lines")

    def __init__(self) -> None:
        self.outcomes: dict[tuple[int, int], tuple[tuple, tuple[Outcome | None, str, Facts | None]]] = {}
        self.lines: dict[tuple, tuple[tuple, LineResult]] = {}


class _UnitWork:
    """Mutable scratch space for one unit while its period is computed."""

    def __init__(self, unit: str, group: str, tree: Tree) -> None:
        self.unit, self.group, self.tree = unit, group, tree
        self.outcomes: dict[str, Outcome | None] = {}
        self.status: dict[str, str] = {}
        self.facts: dict[str, Facts | None] = {}
        self.na_policy: dict[str, str] = {}


def _sum_node(node: Indicator, work: _UnitWork, types: dict[str, str], rounding: Rounding | None = None) -> Decimal | None:
    """Subtotal of a node from leaf outcomes only (for group-relative ``of``); display-only
    lines (``counts: false``) left out; each leaf rounded first when ``rounding`` is given
    (the scheme's ``relative: rounded``)."""
    if not node.children:
        o = work.outcomes.get(node.id)
        if o is None:
            return None
        return published_points(node, o.points, rounding, always=True) if rounding is not None else o.points
    vals = [v for c in node.children if c.counts and (v := _sum_node(c, work, types, rounding)) is not None]
    return sum(vals, ZERO) if vals else None


def _relative_order(chains: dict[str, list[Indicator]], index: dict[str, Indicator]) -> list[str]:
    """Group-relative leaves in dependency order: one that compares the subtotal ``of`` a node
    comes after every group-relative leaf under that node, whatever the order of the lines
    (check refuses cycles), else in the order of the tree."""
    relative = [i for i, ch in chains.items() if ch[-1].rule is not None and ch[-1].rule.group_relative]
    wanted = set(relative)
    done: list[str] = []
    state: dict[str, int] = {}

    def visit(leaf_id: str) -> None:
        if state.get(leaf_id):
            return
        state[leaf_id] = 1
        of = getattr(chains[leaf_id][-1].rule, "of", None)
        if of in index:
            for dep in leaves([index[of]]):
                if dep.id in wanted and dep.id != leaf_id:
                    visit(dep.id)
        done.append(leaf_id)

    for leaf_id in relative:
        visit(leaf_id)
    return done


_NO_FACTS: dict[str, Facts] = {}


def _leaf_plan(sv: SchemeVersion, tree: Tree, context: PeriodContext) -> list[tuple[str, list[Indicator], Indicator, LineSpec, bool]]:
    """(leaf id, chain, leaf, line spec, scoped) of every leaf of ``tree`` in order: what scoring a leaf
    needs that is the same for every unit of the period, made once."""
    types = sv.types[tree.id]
    return [(leaf_id, chain, chain[-1], LineSpec(chain[-1].id, chain[-1].name, types[chain[-1].id], chain[-1].max, context),
             any(n.applies_to or n.applies_in for n in chain))
            for leaf_id, chain in sv.chains[tree.id].items()]


def score_period(project: Project, sv: SchemeVersion, period: Period, ledger: _Ledger,
                 failures: list[Failure] | None = None, history: History | None = None,
                 previous: PreviousPeriod | None = None) -> dict[str, UnitResult]:
    scheme = sv.scheme
    works: dict[str, _UnitWork] = {}
    results: dict[str, UnitResult] = {}
    # outcomes and lines made once per period and shared by every unit they are equal for (SHARE)
    shared = _Shared() if SHARE else None
    outcomes_of = shared.outcomes if shared is not None else None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        # 1. leaves from own facts
        context = period_context(project.root, period.start, period.end, scheme.rounding.mode)
        ledger.stage_names.update({st.id: (st.name, st.name) for st in scheme.period.stages})
        plans: dict[str, list[tuple[str, list[Indicator], Indicator, LineSpec, bool]]] = {}
        for uid in sorted(sv.unit_group):
            entry = period.scores.units.get(uid)
            group = sv.unit_group[uid]
            tree = sv.trees[sv.group_tree[group]]
            if entry is None or entry.status != "assessed":
                continue
            w = _UnitWork(uid, group, tree)
            plan = plans.get(tree.id)
            if plan is None:
                plan = plans[tree.id] = _leaf_plan(sv, tree, context)
            own = period.facts.get(uid, _NO_FACTS)
            outcomes, status_of, facts_of = w.outcomes, w.status, w.facts
            for leaf_id, chain, node, line, scoped in plan:
                facts = own.get(leaf_id)
                # most leaves were scored from these very facts for another unit: what _leaf() would
                # find in ``shared``, looked up here (a scoped leaf asks applies() first, in _leaf)
                got = None if scoped or outcomes_of is None else outcomes_of.get(
                    (id(line), id(facts if facts is not None else EMPTY_FACTS)))
                if got is not None:
                    outcomes[leaf_id], status_of[leaf_id], facts_of[leaf_id] = got[1]
                    continue
                failed: list[FormulaError] = []
                out, status, f = _leaf(node, line, facts, uid, group, chain, period,
                                       failed if failures is not None else None, history, scoped, shared)
                if failed and failures is not None:
                    failures.append(Failure(sv, period, uid, node, failed[0]))
                outcomes[leaf_id], status_of[leaf_id], facts_of[leaf_id] = out, status, f
            works[uid] = w
        # 1b. points moved between units (transfer_to): both sides in this period, before any
        # group comparison reads the receiving line
        moved = transfers_of(sv, {w.unit: w.facts for w in works.values()})
        if moved:
            outcomes = {w.unit: w.outcomes for w in works.values()}
            apply_transfers(sv, moved, outcomes, {u: x.name for u, x in project.units.items()})
        # 2. group-relative leaves and group-average imputation; a formula also reads every
        # unit's facts of the period (group statistics) and the previous period's (previous(x))
        formulas = FormulaContext(rounding=scheme.rounding.mode, unit_group=sv.unit_group,
                                  line_facts={w.unit: w.facts for w in works.values()}, previous=previous,
                                  unit_category={u: x.category for u, x in project.units.items()
                                                 if u in sv.unit_group and x.category})
        for gid in sorted({w.group for w in works.values()}):
            members = [w for w in works.values() if w.group == gid]
            tree = members[0].tree
            types = sv.types[tree.id]
            index = sv.indicators[tree.id]
            for leaf_id in _relative_order(sv.chains[tree.id], index):
                node = sv.chains[tree.id][leaf_id][-1]
                rule = node.rule
                deferred = [w for w in members if w.status[leaf_id] == "deferred"]
                facts = {w.unit: w.facts[leaf_id] or EMPTY_FACTS for w in deferred}
                of = getattr(rule, "of", None)
                subtotals = {}
                if of:
                    for w in deferred:
                        v = _sum_node(index[of], w, types, scheme.rounding if scheme.rounding.relative == "rounded" else None)
                        if v is not None:
                            subtotals[w.unit] = v
                got = rule.score_group_in(line_spec(node, types[node.id]), facts, subtotals, formulas)
                for w in deferred:
                    o = got.get(w.unit)
                    if isinstance(o, FormulaError):  # located and reported with the others; 0 meanwhile
                        if failures is None:
                            raise o
                        failures.append(Failure(sv, period, w.unit, node, o))
                        o = Outcome(ZERO, ZERO)
                    w.outcomes[leaf_id] = _modify(node, o, facts[w.unit]) if o is not None else None
                    w.status[leaf_id] = "scored" if o is not None else "not_applicable"
            for leaf_id, chain in sv.chains[tree.id].items():
                node = chain[-1]
                if node.not_applicable != "group_average":
                    continue
                scored = [w.outcomes[leaf_id].points for w in members if w.status[leaf_id] == "scored" and w.outcomes[leaf_id] is not None]
                if scheme.rounding.relative == "rounded":
                    scored = [published_points(node, x, scheme.rounding, always=True) for x in scored]
                avg = sum(scored, ZERO) / len(scored) if scored else ZERO
                for w in members:
                    if w.status[leaf_id] == "not_applicable" and (w.facts.get(leaf_id) or EMPTY_FACTS).na:
                        w.outcomes[leaf_id] = Outcome(avg, avg, None, (step("explain.na_average", points=fmt(round_points(avg, scheme.rounding))),))
        # 3–4. aggregate, total
        shapes: dict[str, _Shape] = {}
        for uid, w in works.items():
            shape = shapes.get(w.tree.id)
            if shape is None:
                shape = shapes[w.tree.id] = _shape(w.tree, sv.types[w.tree.id], scheme.rounding)
            results[uid] = _aggregate(project, sv, period, w, ledger, shape, shared)
        for uid in sorted(sv.unit_group):
            if uid not in results:
                entry = period.scores.units[uid]
                tree = sv.trees[sv.group_tree[sv.unit_group[uid]]]
                results[uid] = UnitResult(
                    unit=uid, group=sv.unit_group[uid], status=entry.status, reason=entry.reason, lines=(),
                    base=ZERO, bonus=ZERO, deduction=ZERO, coefficient=Decimal(1), total=None, exact_total=None,
                    max_total=tree.total, vetoes=(), disqualified_by=(), note=entry.note,
                )
    return results


#: the check's own scoring (:meth:`SchemeScoring.check`), not counted where tests count scorings
_score_again = score_period

_Shape = tuple[dict[str, int], list[str], dict[str, "Rounding | None"], dict[str, Decimal]]


def _shape(tree: Tree, types: dict[str, str], rounding: Rounding) -> _Shape:
    """What summing a unit's tree reads that is the same for every unit: each node's depth, the
    node ids in pre-order (the order of the lines), each leaf's rounding (:func:`line_rounding`),
    and the most each top-level score line with children can give when no leaf is excluded
    (``reachable(n, True)`` in :func:`_aggregate`, the same arithmetic)."""
    depth_of: dict[str, int] = {}
    preorder: list[str] = []
    roundings: dict[str, Rounding | None] = {}
    reach: dict[str, Decimal] = {}

    def reachable(node: Indicator) -> Decimal:
        if not node.children:
            return node.max or ZERO
        s = sum((reachable(c) for c in node.children if types[c.id] == "score" and c.counts), ZERO)
        return min(s, node.max) if node.max is not None else s

    def walk(nodes: list[Indicator], d: int) -> None:
        for n in nodes:
            depth_of[n.id] = d
            preorder.append(n.id)
            if not n.children:
                roundings[n.id] = line_rounding(n, rounding)
            walk(n.children, d + 1)

    walk(tree.indicators, 0)
    for n in tree.indicators:
        if types[n.id] == "score" and n.counts and n.children:
            reach[n.id] = reachable(n)
    return depth_of, preorder, roundings, reach


def _aggregate(project: Project, sv: SchemeVersion, period: Period, w: _UnitWork, ledger: _Ledger,
               shape: _Shape | None = None, shared: _Shared | None = None) -> UnitResult:
    scheme = sv.scheme
    tree = w.tree
    types = sv.types[tree.id]
    index = sv.indicators[tree.id]
    rounding = scheme.rounding
    values: dict[str, Decimal | None] = {}
    lines: dict[str, LineResult] = {}
    disq: list[str] = []
    depth_of, preorder, roundings, reach = shape if shape is not None else _shape(tree, types, rounding)

    def cap_by(node: Indicator, t: str, v: Decimal) -> tuple[Decimal, str | None]:
        """“同一单位减分总数不超过加分总数”: limit ``v`` by another node's points (leaves and subtotals alike)."""
        if not node.cap_by:
            return v, None
        ref_node = index[node.cap_by]
        limit = abs(compute(ref_node, depth_of[ref_node.id]) or ZERO)
        if (t == "deduction" and -v > limit) or (t != "deduction" and v > limit):
            return (-limit if t == "deduction" else limit), step("clip.cap_by", ref=ref_node.name, cap=fmt(limit)).render("zh-CN")
        return v, None

    def compute(node: Indicator, depth: int) -> Decimal | None:
        if node.id in values:
            return values[node.id]
        # A line that reads neither another line (cap_by) nor the ledger (caps and balances over a
        # span) is a function of its node and of what it is made of: a leaf of its outcome, facts and
        # status, a subtotal of its children's lines.  Made once per period and shared (``shared``):
        # the key holds ids of objects its entry keeps, so an id in it cannot pass to another object.
        key = None
        if shared is not None and not node.cap_by and node.cap_span == "period" and node.balance_span is None:
            if not node.children:
                made = (tree, node, w.outcomes.get(node.id), w.facts.get(node.id), w.status.get(node.id, "scored"))
            else:
                for c in node.children:
                    compute(c, depth + 1)
                made = (tree, node, *(lines[c.id] for c in node.children))
            key = (depth, *map(id, made))
            got = shared.lines.get(key)
            if got is not None:
                line = got[1]
                values[node.id] = line.points
                lines[node.id] = line
                if line.disqualified:
                    disq.append(node.disqualify.reason or node.name)  # type: ignore[union-attr]
                return line.points
        line = make(node, depth)
        values[node.id] = line.points
        lines[node.id] = line
        if line.disqualified:
            disq.append(node.disqualify.reason or node.name)  # type: ignore[union-attr]
        if key is not None:
            shared.lines[key] = (made, line)  # type: ignore[union-attr]
        return line.points

    fig = _figure if shared is not None else _same

    def make(node: Indicator, depth: int) -> LineResult:
        t = types[node.id]
        clip = clip_note = None
        if not node.children:
            o = w.outcomes.get(node.id)
            status = w.status.get(node.id, "scored")
            if o is None:
                return LineResult(node.id, node.name, depth, t, node.max, None, None, None, None,
                                  (step("explain.out_of_scope"),) if status == "out_of_scope" else (step("explain.na_excluded"),),
                                  w.facts.get(node.id), status if status != "deferred" else "not_applicable", True)
            r = roundings[node.id]
            pts = round_points(o.points, r) if r is not None else o.points
            steps = o.steps
            if r is not None:
                steps = (*steps, *_rounded_step(r, o.points, pts))
            span_note = by_note = None
            if node.cap_by:
                pts, by_note = cap_by(node, t, pts)
            if node.cap_span != "period":
                pts, span_note = _span_cap(node, t, pts, w.unit, period, ledger)
            span_note = span_note or by_note
            if node.balance_span is not None:
                pts, balance = _balance(node, pts, w.unit, period, ledger)
                steps = (*steps, *balance)
            facts = w.facts.get(node.id)
            disqualified = False
            if node.disqualify is not None:
                n = max(o.occurrences, (facts or EMPTY_FACTS).incidents or 0)
                disqualified = n >= node.disqualify.at_least
            return LineResult(node.id, node.name, depth, t, node.max, fig(pts), fig(o.raw), o.clip or ("cap" if span_note else None),
                              span_note, steps, facts, "scored" if status != "not_applicable" else "not_applicable",
                              True, disqualified, node.counts)
        child_vals = [compute(c, depth + 1) for c in node.children]
        if all(v is None for v in child_vals):
            return LineResult(node.id, node.name, depth, t, node.max, None, None, None, None, (), None, "not_applicable", False,
                              counts=node.counts)
        # display-only children (counts: false) are shown but left out of the subtotal
        raw = sum((v for c, v in zip(node.children, child_vals) if v is not None and c.counts), ZERO)
        v = raw
        if node.max is not None:
            if t == "bonus" and v > node.max:
                v, clip, clip_note = node.max, "cap", step("clip.node_cap", cap=fmt(node.max)).render("zh-CN")
            elif t == "deduction" and v < -node.max:
                v, clip, clip_note = -node.max, "cap", step("clip.node_cap", cap=fmt(node.max)).render("zh-CN")
            elif t == "score" and v > node.max:
                v, clip, clip_note = node.max, "max", step("clip.node_cap", cap=fmt(node.max)).render("zh-CN")
            elif t == "adjustment" and abs(v) > node.max:
                v = node.max if v > 0 else -node.max
                clip, clip_note = "cap", step("clip.adjustment", cap=fmt(node.max), signed=_signed(v)).render("zh-CN")
        if node.min is not None and v < node.min:  # “扣完为止”: a subtotal never below its floor
            v, clip, clip_note = node.min, "floor", step("clip.node_floor", raw=fmt(v), min=fmt(node.min)).render("zh-CN")
        v, by_note = cap_by(node, t, v)
        if by_note:
            clip, clip_note = "cap", by_note
        v, span_note = _span_cap(node, t, v, w.unit, period, ledger)
        if span_note:
            clip, clip_note = "cap", span_note
        v, balance = _balance(node, v, w.unit, period, ledger)
        if shared is not None and not balance:
            return _subtotal(node.id, node.name, depth, t, node.max, v, raw, clip, clip_note, node.counts)
        return LineResult(node.id, node.name, depth, t, node.max, v, raw, clip, clip_note, balance, None, "scored", False,
                          counts=node.counts)

    # nodes capped by another node are computed after it (compute() recurses into the reference)
    for n in tree.indicators:
        compute(n, 0)
    ordered = [lines[i] for i in preorder]
    base = bonus = deduction = adjustment = ZERO
    excluded_max = ZERO
    rescale = False
    for n in tree.indicators:
        v = values.get(n.id)
        t = types[n.id]
        if not n.counts:  # display-only: neither in the total nor in the maximum
            continue
        if v is None:
            if t == "score":
                excluded_max += n.max or ZERO
            continue
        if t == "score":
            base += v
        elif t == "bonus":
            bonus += v
        elif t == "adjustment":
            adjustment += v
        else:
            deduction += v
    for leaf_id, chain in sv.chains[tree.id].items():
        node = chain[-1]
        if values.get(leaf_id) is None and types[leaf_id] == "score" and node.not_applicable == "rescale":
            rescale = True

    def reachable(node: Indicator, everything: bool) -> Decimal:
        """The most a score node can give: a leaf its max (0 when excluded, unless
        ``everything``), a parent the sum of its children, capped at its own max."""
        if not node.children:
            return (node.max or ZERO) if everything or values.get(node.id) is not None else ZERO
        s = sum((reachable(c, everything) for c in node.children if types[c.id] == "score" and c.counts), ZERO)
        return min(s, node.max) if node.max is not None else s

    # excluded leaves inside a present top-level line lower the maximum by what they could
    # have given: never more than the line's own maximum under a capped parent (with no leaf
    # excluded, what a line can give is what it could give: the tree's own figure)
    excluded = None in values.values()
    for n in tree.indicators:
        if types[n.id] == "score" and n.counts and n.children and values.get(n.id) is not None:
            everything = reach[n.id]
            excluded_max += everything - (reachable(n, False) if excluded else everything)
    entry = period.scores.units[w.unit]
    total = base + bonus + deduction + adjustment
    max_total = tree.total - excluded_max
    scaled = False
    if rescale and max_total > 0:
        total = total * tree.total / max_total
        max_total = tree.total
        scaled = True
    coefficient = entry.coefficient if entry.coefficient is not None else (scheme.coefficient.default if scheme.coefficient else Decimal(1))
    total = total * coefficient
    scaled = scaled or coefficient != 1
    vetoes = []
    recorded = {v.id for v in entry.vetoes}
    for v in entry.vetoes:
        clause = next(x for x in scheme.vetoes if x.id == v.id)
        result = VetoResult(v.id, clause.name, clause.effect, v.reason, v.date, called=clause.called)
        vetoes.append(result)
        ledger.carry(w.unit, clause, period, result)
    # a veto lasting to the end of the stage or year (lasts:) holds in the later periods too
    vetoes.extend(v for v in ledger.carried(w.unit, period) if v.id not in recorded)
    if any(v.effect == "zero" for v in vetoes):
        total = ZERO
    exact = total
    # sum_of_lines: the total is the sum of the published lines, not rounded again (a figure
    # rescaled or multiplied by a coefficient is a new figure and is rounded once)
    rounded = total if rounding.total == "sum_of_lines" and not scaled else round_points(total, rounding)
    return UnitResult(
        unit=w.unit, group=w.group, status="assessed", reason=entry.reason, lines=tuple(ordered),
        base=fig(base), bonus=fig(bonus), deduction=fig(deduction), coefficient=fig(coefficient), total=fig(rounded),
        exact_total=fig(exact), max_total=fig(max_total), vetoes=tuple(vetoes), disqualified_by=tuple(disq), note=entry.note,
        adjustment=fig(adjustment),
    )


_SUBTOTALS: dict[tuple, LineResult] = {}


def _subtotal(nid: str, name: str, depth: int, t: str, top: Decimal | None, v: Decimal, raw: Decimal, clip: str | None,
              clip_note: str | None, counts: bool) -> LineResult:
    """A subtotal's line, one object for equal content (children that differ may sum alike, and a
    subtotal holds no facts: in every period and every unit alike), by its content with each figure
    by its text (Decimal 1 and 1.0 are equal but print differently); at most 65,536 kept."""
    texts = str(v), str(raw)
    key = (nid, name, depth, t, None if top is None else str(top), *texts, clip, clip_note, counts)
    got = _SUBTOTALS.get(key)
    if got is None:
        if len(_SUBTOTALS) >= 65536:
            _SUBTOTALS.clear()
        got = _SUBTOTALS[key] = LineResult(nid, name, depth, t, top, _figure(v, texts[0]), _figure(raw, texts[1]), clip, clip_note,
                                           (), None, "scored", False, counts=counts)
    return got


_FIGURES: dict[str, Decimal] = {}


def _figure(value: Decimal, text: str | None = None) -> Decimal:
    """One Decimal object for each figure written alike (“10”, “9.5”: a few hundred figures recur in
    hundreds of thousands of lines and totals), by its text: Decimal 1 and 1.0 are equal but print
    differently, 0 and −0 too.  A Decimal is immutable; at most 65,536 kept, then begun again."""
    if text is None:
        text = str(value)
    got = _FIGURES.get(text)
    if got is None:
        if len(_FIGURES) >= 65536:
            _FIGURES.clear()
        got = _FIGURES[text] = value
    return got


def _same(value: Decimal) -> Decimal:
    return value


def _signed(v: Decimal) -> str:
    """An adjustment as shown: with its sign (+2, −1.5)."""
    return f"+{fmt(v)}" if v > 0 else fmt(v)


def _span_cap(node: Indicator, t: str, pts: Decimal, unit: str, period: Period, ledger: _Ledger) -> tuple[Decimal, str | None]:
    """Apply a cap that spans several periods; the points are still booked period by period.

    On a bonus or deduction node the cap limits the points booked in the span
    (“累计加分不超过4分”); on a score line it limits the points *lost* in the
    span (“考勤扣分每月不超过5分” with weekly periods): the rule's own ``cap``
    where it has one, else the line's maximum.
    """
    key = ledger.key(unit, node, period)
    if key is None or node.max is None:
        return pts, None
    used = ledger.used.get(key, ZERO)
    if t == "score":
        limit = getattr(node.rule, "cap", None) or node.max
        amount = max(node.max - pts, ZERO)  # points lost this period
    else:
        limit = node.max
        amount = abs(pts)
    left = max(limit - used, ZERO)
    note = None
    if amount > left:
        code = "clip.span_lost" if t == "score" else "clip.span"
        note = step(code, span=SPAN_WORDS[node.cap_span][0], span_en=SPAN_WORDS[node.cap_span][1], used=fmt(used), left=fmt(left)).render("zh-CN")
        amount = left
    ledger.used[key] = used + amount
    if t == "score":
        return node.max - amount, note
    return (amount if pts >= 0 else -amount), note


def _balance(node: Indicator, pts: Decimal, unit: str, period: Period, ledger: _Ledger) -> tuple[Decimal, tuple[Step, ...]]:
    """A score line whose maximum is a budget for a span (“纪律方面（200分/月）”, rated weekly):
    this period's points are the budget less every deduction of the span so far, this
    period's included (never below 0); a period without deductions shows the balance."""
    if node.balance_span is None or node.max is None:
        return pts, ()
    key = (unit, node.id, ledger.span(node.balance_span, period))
    before = ledger.lost.get(key, ZERO)
    now = max(node.max - pts, ZERO)  # lost this period
    ledger.lost[key] = before + now
    left = max(node.max - before - now, ZERO)
    names = ledger.stage_names.get(key[2], (None, None))
    return left, (step("explain.balance", span=span_name(node.balance_span, key[2], "zh-CN", names[0]),
                       span_en=span_name(node.balance_span, key[2], "en", names[1]), budget=fmt(node.max),
                       before=fmt(before), now=fmt(now), left=fmt(left)),)


def scheme_order(project: Project) -> list[str]:
    """Scheme ids, each after the schemes whose results it reads (``inputs``)."""
    reads = {sid: {i.scheme for sv in versions.values() for i in sv.scheme.inputs} for sid, versions in project.schemes.items()}
    return dependency_order(project.schemes, reads)


class SchemeScoring:
    """The periods of one scheme scored in order, one call per period: what a period
    carries to the next (points booked against caps over a stage or year, vetoes that
    last, the facts and points ``previous(x)`` reads).  Ranking is not done here: the
    caller ranks each period and adds it to ``history`` before scoring the next
    (:func:`site_builder.pipeline.compute`)."""

    def __init__(self, project: Project, failures: list[Failure], history: History | None) -> None:
        self.project = project
        self.failures = failures
        self.history = history
        self.ledger = _Ledger()
        self.previous: PreviousPeriod | None = None  # for previous(x) in formulas

    def score(self, sv: SchemeVersion, period: Period) -> dict[str, UnitResult]:
        units = score_period(self.project, sv, period, self.ledger, self.failures, self.history, self.previous)
        self.previous = previous_period(period, units)
        return units

    def reads(self, sv: SchemeVersion, period: Period) -> tuple:
        """What scoring ``period`` reads from the periods before it, besides the period itself, its
        scheme version, the unit registry and the calendar: the ledger's view of its spans
        (:meth:`_Ledger.view`, sorted), what ``previous(x)`` reads when a line of ``sv`` uses it, and
        whether it reads the history (history lines: the caller keys that, it holds every scheme).
        ``previous(x)`` read is ``("previous", None)`` in the first period of a scheme: it reads that
        there is none (a period added before it then changes its key)."""
        prev = ("previous", self.previous) if reads_previous(sv) else None
        return _Ledger.canonical(self.ledger.view(period)), prev, reads_history(sv)

    def reuse(self, period: Period, units: dict[str, UnitResult], after: tuple) -> dict[str, UnitResult]:
        """A period scored before from equal inputs (:meth:`reads`): its units as then, and the ledger
        as scoring it leaves it (``after``: its view after that scoring)."""
        self.ledger.restore(after)
        self.previous = previous_period(period, units)
        return units

    def check(self, sv: SchemeVersion, period: Period, units: dict[str, UnitResult], after: tuple) -> None:
        """Under the tests' check (``SITE_BUILDER_CHECK_PREKEYS``): score the period afresh, on a copy of
        the ledger, and stop when the reused scoring differs from it (its key missed an input)."""
        import copy

        from site_builder.site.output import digest

        ledger = copy.deepcopy(self.ledger)
        fresh = _score_again(self.project, sv, period, ledger, [], self.history, self.previous)
        if (digest.digest(fresh, swap=False) != digest.digest(units, swap=False)
                or _Ledger.canonical(ledger.view(period)) != _Ledger.canonical(after)):
            raise AssertionError(f"a reused scoring of {period.scheme}/{period.id} differs from scoring it again")


def reads_previous(sv: SchemeVersion) -> bool:
    """Whether a line of ``sv`` reads the previous period (``previous(x)`` in a formula rule: the only
    rule that can; derived values may not)."""
    from site_builder.scoring.rules.formula_rule import FormulaRule

    return any(isinstance(chain[-1].rule, FormulaRule) and any(fn == "previous" for fn, _ in chain[-1].rule._lookups())
               for chains in sv.chains.values() for chain in chains.values())


def reads_history(sv: SchemeVersion) -> bool:
    """Whether a line of ``sv`` reads the history of results (history lines)."""
    return any(chain[-1].rule is not None and chain[-1].rule.reads_history
               for chains in sv.chains.values() for chain in chains.values())


def previous_period(period: Period, units: dict[str, UnitResult]) -> PreviousPeriod:
    """What ``previous(x)`` reads in the next period of the scheme: the facts and points of the
    units assessed in ``period`` (also rebuilt from a cached period's results)."""
    assessed = {u: r for u, r in units.items() if r.status == "assessed"}
    return PreviousPeriod(
        period.name, {u: period.facts.get(u, {}) for u in assessed},
        {u: {ln.id: ln.points for ln in r.lines} for u, r in assessed.items()})
