"""Why a score card reads as it does: where points were lost and gained, how each
line compares with the group, and which lines were not scored this period and why.

* :func:`why_summary`: the points lost (a score line below its maximum, a
  deduction) and gained (a bonus, a positive adjustment) by item, largest first,
  with the arithmetic that joins them to the total stated honestly (caps between
  lines, a coefficient, a veto, a rescaled total, the rounding step);
* :func:`group_line_stats`: the group's median and best for every line, computed
  once per period (one pass over the units, one sort per line and group);
* :func:`folded_lines`: the lines left out of the main list: not scored this
  period (with the reason in words) and zero-point bonus/deduction lines with
  nothing recorded (named in one sentence).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import NamedTuple

from site_builder.model import Period, SchemeVersion
from site_builder.periods import parse_period
from site_builder.scoring.engine import PRECISION
from site_builder.scoring.results import LineResult, PeriodResult, UnitResult
from site_builder.site.present import i18n
from site_builder.site.present.render import pts

ZERO = Decimal(0)
TINY = Decimal("1e-20")


# ---------------------------------------------------------------- the group per line


@dataclass(frozen=True)
class LineStat:
    """One line across the assessed units of a group that were scored on it."""

    median: Decimal
    best: Decimal  # the most points; for a deduction the smallest deduction
    n: int


def _median(values: Sequence[Decimal]) -> Decimal:
    s = sorted(values)
    mid = len(s) // 2
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def group_line_stats(result: PeriodResult) -> dict[str, dict[str, LineStat]]:
    """group id → line id → the group's median and best for the line (exact Decimal).

    Over the assessed units whose line was scored (not excluded, not filled in
    for “not applicable”); a line scored for fewer than two units has no entry.
    Points are signed, so the best of a deduction line (−0 beats −2) is the max too."""
    found: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for u in result.units.values():
        if u.status != "assessed":
            continue
        for ln in u.lines:
            if ln.is_leaf and ln.status == "scored" and ln.points is not None:
                found[u.group][ln.id].append(ln.points)
    return {
        g: {lid: LineStat(_median(vs), max(vs), len(vs)) for lid, vs in lines.items() if len(vs) >= 2}
        for g, lines in found.items()
    }


def stat_text(kind: str, stat: LineStat | None, locale: str) -> str | None:
    """“本组中位数 12.5 分，最高 15 分”; a deduction: “本组扣分中位数 1 分，最少 0 分”."""
    if stat is None:
        return None
    return _stat_text(kind, stat.median, stat.best, locale)


@lru_cache(maxsize=4096)
def _stat_text(kind: str, median: Decimal, best: Decimal, locale: str) -> str:
    """:func:`stat_text` by value (the words of equal values are equal: ``pts`` drops trailing
    zeros), so a group's figures for a line are put in words once, not once per card."""
    stat = LineStat(median, best, 0)
    if kind == "deduction":
        return i18n.text("card.peer.deduction", locale, median=pts(-stat.median), best=pts(-stat.best))
    if kind == "adjustment":
        return i18n.text("card.peer.score", locale, median=_signed(stat.median), best=_signed(stat.best))
    return i18n.text("card.peer.score", locale, median=pts(stat.median), best=pts(stat.best))


def _signed(v: Decimal) -> str:
    return f"+{pts(v)}" if v > 0 else pts(v)


# ---------------------------------------------------------------- lost and gained


class WhyItem(NamedTuple):
    """A line's points lost or gained (a named tuple: a card has some twenty-five, made and pickled
    for the page's key faster than a frozen dataclass)."""

    id: str
    name: str
    clause: str  # link target in the scheme document
    facts: str  # the facts in brief: “迟到 3 次”, or the line's first explanation
    points: Decimal  # how many points were lost or gained (positive)


@dataclass(frozen=True)
class Why:
    lost: tuple[WhyItem, ...]
    gained: tuple[WhyItem, ...]
    sums: str  # “计分项满分 70 分 − 失分 4 分 + 加分 11.5 分 = 77.5 分”
    notes: tuple[str, ...]  # what joins the sum to the total: caps, coefficient, veto, rounding


def _leaves_under(line: LineResult, kids: dict[str, list[LineResult]]) -> list[LineResult]:
    if line.is_leaf:
        return [line]
    return [x for c in kids.get(line.id, []) for x in _leaves_under(c, kids)]


def brief(view, amount: Decimal, locale: str, skip: frozenset[int] = frozenset()) -> str:
    """The facts of a line in a few words: its recorded events (“迟到 3 次”), else the explanation
    that gives its points (the one naming ``amount`` or the line's points, else the last);
    ``skip``: the steps that are not facts (the rounding step, said in the line itself)."""
    said = []
    for e in view.events:
        text = e.text or e.note or ""
        if not text:
            continue
        said.append(text + (i18n.text("card.why.times", locale, n=e.count) if e.count != 1 else ""))
    if said:
        more = len(said) - 3
        head = i18n.text("p.semi", locale).join(said[:3])
        return head + (i18n.text("card.why.more", locale, n=len(said)) if more > 0 else "")
    steps = [st for i, st in enumerate(view.steps) if i not in skip] or list(view.steps)
    if len(steps) <= 1:
        return steps[0] if steps else ""
    figures = {f"{pts(amount)} 分", f"{pts(abs(view.points))} 分" if view.points is not None else None} - {None}
    return next((st for st in steps if any(f in st for f in figures)), steps[-1])


def why_summary(u: UnitResult, views: Sequence, places: int, locale: str, *, shape: tuple | None = None,
                items: dict | None = None) -> Why | None:
    """The points lost and gained by line, largest first, and the sum that joins them to the total.

    ``shape``: :func:`line_shape` of the unit's lines, when the caller has it; ``items``: a dict kept
    by the caller for the cards of one period and locale, where a line's item is remembered by its
    view (a line shared by units has one view: :func:`.card_views.line_views`)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION  # the engine's: its sums are repeated here exactly
        return _why(u, views, places, locale, shape, items)


def _why(u: UnitResult, views: Sequence, places: int, locale: str, shape: tuple | None = None,
         items: dict | None = None) -> Why | None:
    if u.status != "assessed" or u.total is None:
        return None
    by_id = {v.id: v for v in views}
    kids, counted, top = shape or _shape(u.lines)
    lost: list[tuple[Decimal, int, WhyItem]] = []
    gained: list[tuple[Decimal, int, WhyItem]] = []
    leaf_sum = {"score": ZERO, "deduction": ZERO, "bonus": ZERO, "adjustment": ZERO}
    for order, ln in enumerate(u.lines):
        if not ln.is_leaf or ln.points is None or ln.id not in counted:
            continue
        # lost (positive) or gained (negative) by the line's own kind …
        amount = ((ln.max - ln.points) if ln.max is not None else ZERO) if ln.type == "score" else -ln.points
        # … and what it does to the figure of its top-level line (a deduction under a score line
        # lowers that line's points: it is part of the 失分 of the sum)
        kind = top[ln.id]
        leaf_sum[kind] += amount if kind in ("score", "deduction") else -amount
        if amount == 0:
            continue
        v = by_id[ln.id]
        got = items.get(id(v)) if items is not None else None
        if got is not None and got[0] is v:  # the view is kept with its item: its id stays its own
            item = got[1]
        else:
            item = _item(ln, v, abs(amount), locale)
            if items is not None and len(items) < MEMO_LIMIT:
                items[id(v)] = (v, item)
        (lost if amount > 0 else gained).append((item.points, order, item))
    # what the top-level lines put into the total
    full = sum((_reachable(ln, kids) for ln in u.top_lines if ln.type == "score" and ln.counts and ln.points is not None), ZERO)
    short = full - u.base
    parts = [(i18n.text("card.why.lost", locale), short, "−"), (i18n.text("card.why.deducted", locale), -u.deduction, "−"),
             (i18n.text("card.why.bonus", locale), u.bonus, "+")]
    if u.adjustment:
        parts.append((i18n.text("card.why.adjusted", locale), abs(u.adjustment), "+" if u.adjustment > 0 else "−"))
    start = i18n.text("card.why.full" if full == u.max_total else "card.why.score_full", locale, n=pts(full))
    terms = "".join(f" {sign} {i18n.text('card.why.term', locale, what=what, n=pts(n))}" for what, n, sign in parts if n)
    raw = u.base + u.bonus + u.deduction + u.adjustment
    sums = (i18n.text("card.why.sum", locale, terms=start + terms, total=pts(raw)) if terms
            else i18n.text("card.why.sum_none", locale, full=start, total=pts(raw)))
    notes = []
    # caps and floors between the lines and the subtotals: the leaves' sum is not what counted
    for ln in u.lines:
        if not ln.is_leaf and ln.clip and ln.clip_note and ln.counts:
            notes.append(i18n.text("card.why.clipped", locale, name=ln.name, note=ln.clip_note))
    for kind, counted, key in (("score", short, "card.why.leaf_lost"), ("deduction", -u.deduction, "card.why.leaf_deducted"),
                               ("bonus", u.bonus, "card.why.leaf_bonus")):
        if abs(leaf_sum[kind] - counted) > TINY:  # not a difference in the 34th digit of a sum
            notes.append(i18n.text(key, locale, leaves=pts(leaf_sum[kind]), counted=pts(counted)))
    exact = u.exact_total if u.exact_total is not None else raw
    if exact != raw:
        zero = [v for v in u.vetoes if v.effect == "zero"]
        if zero:
            notes.append(i18n.text("card.why.veto_zero", locale, name=zero[0].name))
        elif u.coefficient != 1 and raw * u.coefficient == exact:
            notes.append(i18n.text("card.why.coefficient", locale, c=pts(u.coefficient), n=pts(exact)))
        else:
            notes.append(i18n.text("card.why.rescaled", locale, max=pts(u.max_total), n=pts(exact)))
    if u.total != exact:
        notes.append(i18n.text("card.why.rounded", locale, places=places, n=format(u.total, "f")))
    key = lambda x: (-x[0], x[1])  # noqa: E731  largest first, then in the scheme's order
    return Why(tuple(x[2] for x in sorted(lost, key=key)), tuple(x[2] for x in sorted(gained, key=key)),
               sums, tuple(notes))


_NONE: frozenset[int] = frozenset()

# the most lines' views (or items) the memos of a build's cards keep, in all (scorecard.py)
MEMO_LIMIT = 12_000


def _item(ln: LineResult, v, size: Decimal, locale: str) -> WhyItem:
    """A line's points lost or gained (``size``), with its facts in brief: a function of the line and
    its view (the view of a line shared by units is one object, remembered with its item)."""
    # the rounding step is said in the line itself: not a fact (looked for only where brief reads steps)
    skip = frozenset(i for i, st in enumerate(ln.steps) if st.code == "explain.line_rounded") \
        if len(ln.steps) > 1 else _NONE
    return WhyItem(ln.id, ln.name, v.clause, brief(v, size, locale, skip), size)


def line_shape(lines: Sequence[LineResult]) -> tuple[dict[str, list[LineResult]], set[str], dict[str, str]]:
    """:func:`_shape` of a card's lines, made once for :func:`why_summary` and :func:`folded_lines`."""
    return _shape(lines)


def _shape(lines: Sequence[LineResult]) -> tuple[dict[str, list[LineResult]], set[str], dict[str, str]]:
    """In one pass over ``lines`` (pre-order, with depths): line id → its direct children; the lines
    that count (not display-only, ``counts: false``, and not under a
    display-only subtotal); line id → the type of its top-level line (whose figure it goes into)."""
    kids: dict[str, list[LineResult]] = defaultdict(list)
    counted: set[str] = set()
    top: dict[str, str] = {}
    stack: list[tuple[LineResult, bool]] = []  # the lines above, with whether each counts
    kind = "score"
    for ln in lines:
        depth = ln.depth
        while stack and stack[-1][0].depth >= depth:
            stack.pop()
        counts = ln.counts
        if stack:
            above = stack[-1]
            kids[above[0].id].append(ln)
            counts = counts and above[1]
        if counts:
            counted.add(ln.id)
        if depth == 0:
            kind = ln.type
        top[ln.id] = kind
        stack.append((ln, counts))
    return kids, counted, top


def _reachable(ln: LineResult, kids: dict[str, list[LineResult]]) -> Decimal:
    """The most a score line could give this unit: its maximum, without the excluded leaves."""
    if ln.points is None:
        return ZERO
    if ln.is_leaf:
        return ln.max or ZERO
    s = sum((_reachable(c, kids) for c in kids.get(ln.id, []) if c.type == "score" and c.counts), ZERO)
    return min(s, ln.max) if ln.max is not None else s


# ---------------------------------------------------------------- folded lines


@dataclass(frozen=True)
class Folded:
    """Lines the card does not list one by one."""

    not_scored: tuple[tuple[str, str, str], ...]  # (name, clause, reason in words)
    no_deduction: tuple[tuple[str, str], ...]  # (name, clause): a deduction line, nothing recorded
    no_bonus: tuple[tuple[str, str], ...]
    hidden: tuple[str, ...]  # ids of the lines folded away (subtotals whose lines are all folded too), sorted


def _nothing_recorded(ln: LineResult, view) -> bool:
    """A bonus or deduction line at 0 with nothing recorded (no events, no count, no points)."""
    f = ln.facts
    recorded = f is not None and bool(
        f.all_events() or f.count or f.incidents or f.value or f.points or f.level or f.actual
        or any((f.counts or {}).values()) or any(f.values.values()) or f.na)
    return (ln.is_leaf and ln.type in ("bonus", "deduction") and ln.status == "scored" and ln.points == 0
            and not recorded and not view.events and not view.note and not ln.clip and not ln.disqualified)


def not_scored_reason(ln: LineResult, sv: SchemeVersion, period: Period, unit: str, locale: str) -> str:
    """Why a line has no points this period, in words the reader can check against the scheme."""
    if ln.status != "out_of_scope":
        text = "".join(s.render(locale) for s in ln.steps)
        return text or i18n.text("card.fold.not_applicable", locale)
    tree = sv.group_tree.get(sv.unit_group.get(unit, ""), "main")
    chain = sv.chains.get(tree, {}).get(ln.id) or [sv.indicators.get(tree, {}).get(ln.id)]
    group = sv.unit_group.get(unit, "")
    for node in chain:
        if node is not None and node.applies_to and unit not in node.applies_to and group not in node.applies_to:
            return i18n.text("card.fold.out_of_scope", locale)
    for node in chain:
        if node is None or not node.applies_in:
            continue
        when = [_period_of(sv, pid) for pid in node.applies_in]
        known = [w for w in when if w is not None]
        names = i18n.text("list.sep", locale).join(w[1] if locale != "en" else w[2] for w in known)
        if known and all(w[0] < period.start for w in known):
            return i18n.text("card.fold.scored_in", locale, periods=names)
        word = i18n.text(f"card.fold.period.{sv.scheme.period.kind}", locale)
        if known and all(w[0] > period.end for w in known):
            return i18n.text("card.fold.scored_later", locale, span=word, periods=names)
        return i18n.text("card.fold.not_this_period", locale, span=word)
    return i18n.text("card.fold.out_of_scope", locale)


def _period_of(sv: SchemeVersion, pid: str):
    """(end date, zh name, en name) of a period or stage named in ``applies_in``."""
    for st in sv.scheme.period.stages:
        if st.id == pid:
            return st.until, st.name, st.name
    got = parse_period(pid, sv.scheme.period)
    return (got[1], got[2], got[3]) if got is not None else None


def folded_lines(u: UnitResult, views: Sequence, sv: SchemeVersion, period: Period, locale: str, *,
                 shape: tuple | None = None) -> Folded:
    by_id = {v.id: v for v in views}
    kids = (shape or _shape(u.lines))[0]
    hidden: set[str] = set()
    not_scored, no_ded, no_bonus = [], [], []
    for ln in u.lines:
        v = by_id[ln.id]
        if ln.is_leaf and ln.points is None:
            hidden.add(ln.id)
            not_scored.append((ln.name, v.clause, not_scored_reason(ln, sv, period, u.unit, locale)))
        elif _nothing_recorded(ln, v):
            hidden.add(ln.id)
            (no_ded if ln.type == "deduction" else no_bonus).append((ln.name, v.clause))
    # a subtotal with every line under it folded away, and nothing of its own to say, goes too
    for ln in reversed(u.lines):
        if not ln.is_leaf and (ln.points is None or (ln.points == 0 and not ln.clip)) \
                and all(x.id in hidden for x in _leaves_under(ln, kids)):
            hidden.add(ln.id)
    return Folded(tuple(not_scored), tuple(no_ded), tuple(no_bonus), tuple(sorted(hidden)))

