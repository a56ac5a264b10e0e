"""What a score card shows of a unit's result, as plain values for the template: each line
(:class:`LineView`, with its recorded events as :class:`EventView`) and the unit's figures
(:class:`CardResult`).

A card is made for every unit in every period, so what a line shows the same on every card of a
period (the link to its clause, a “不设上限” mark, its rates' names) is worked out once per line
(``fixed``), and the views are named tuples: made, and pickled for the page's key, faster than
frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from site_builder.model import SchemeVersion
from site_builder.scoring.results import LineResult, UnitResult
from site_builder.site import paths
from site_builder.site.output.personal_names import mask_name
from site_builder.site.present import i18n
from site_builder.site.present.card_why import stat_text


class EventView(NamedTuple):
    date: dt.date | None
    text: str  # title / note / event
    person: str | None  # masked unless published by law
    count: int
    points: Decimal | None
    note: str | None
    evidence: str | None


class LineView(NamedTuple):
    """A line as the card shows it (a named tuple: a card makes some fifty, and a tuple is made
    and pickled for the page's key faster than a frozen dataclass)."""

    id: str
    name: str
    depth: int
    type: str
    max: Decimal | None
    points: Decimal | None
    raw: Decimal | None
    status: str
    is_leaf: bool
    clip: str | None  # words
    clip_kind: str | None  # max | cap | floor
    steps: tuple[str, ...]
    events: tuple[EventView, ...]
    note: str | None
    evidence: str | None
    clause: str  # link target in the scheme document
    disqualified: bool
    counts: bool = True  # False: display-only line (counts: false)
    uncapped: bool = False  # a bonus/deduction/adjustment declared “不设上限”
    peers: str | None = None  # the group's median and best for this line, in words


class CardResult(NamedTuple):
    """The unit's result as a card's ``result``: every figure of :class:`UnitResult` but its lines
    (the card shows them as ``lines``).  A page's key digests its context, and the lines' results
    with their facts and explanations were two thirds of a card's; the card reads none of them."""

    unit: str
    group: str
    status: str
    reason: str | None
    base: Decimal
    bonus: Decimal
    deduction: Decimal
    coefficient: Decimal
    total: Decimal | None
    exact_total: Decimal | None
    max_total: Decimal
    vetoes: tuple
    disqualified_by: tuple[str, ...]
    note: str | None
    adjustment: Decimal

    @classmethod
    def of(cls, u: UnitResult) -> CardResult:
        return cls(u.unit, u.group, u.status, u.reason, u.base, u.bonus, u.deduction, u.coefficient, u.total,
                   u.exact_total, u.max_total, u.vetoes, u.disqualified_by, u.note, u.adjustment)


def _events(line: LineResult, publish_names: bool, rate_names: dict[str, str] | None = None,
            steps: tuple[str, ...] | None = None) -> tuple[EventView, ...]:
    """The recorded events; one recorded by its rate alone (``{rate: late}``) is named by the rate.

    ``steps``: the line's explanation in Chinese, when the caller has it already (rendered once)."""
    if line.facts is None:
        return ()
    out = []
    said = None
    for ev in line.facts.all_events():
        if ev.note and not (ev.date or ev.title or ev.event or ev.name or ev.evidence
                            or ev.count != 1 or ev.points is not None):
            if said is None:  # the explanation (a record's note may be in it)
                said = "".join(steps if steps is not None else [st.render("zh-CN") for st in line.steps])
            if ev.note in said:
                continue  # only a note, and the explanation already says it (“向卫生区丢弃杂物（…）：1 次”)
        person = None
        if ev.name:
            person = ev.name if publish_names else mask_name(ev.name)
        text = ev.title or ev.event or ("" if ev.note else (rate_names or {}).get(ev.key or "", ""))
        if not (ev.date or text or person or ev.count != 1 or ev.points is not None or ev.note):
            continue  # nothing to say beyond the explanation's count: no empty item
        out.append(EventView(ev.date, text, person, ev.count, ev.points, ev.note, ev.evidence))
    return tuple(out)


def _rate_names(sv: SchemeVersion, line_id: str) -> dict[str, str]:
    """rate id → name for a line counted by rates (tally kinds), else nothing
    (looked up in :attr:`SchemeVersion.rate_names`, built once per scheme version)."""
    return sv.rate_names.get(line_id, _NO_RATES)


_NO_RATES: dict[str, str] = {}


def _clip(line: LineResult, locale: str) -> str | None:
    if line.clip is None:
        return None
    return line.clip_note or i18n.text(f"card.clip.{line.clip}", locale)


def line_views(locale: str, sv: SchemeVersion, u: UnitResult, stats: dict | None = None,
               fixed: dict | None = None, memo: dict | None = None) -> tuple[LineView, ...]:
    """The card's lines; ``stats``: the group's median and best per line (:func:`group_line_stats`);
    ``fixed``: a dict kept by the caller for the lines' clause links, caps and rate names, the same
    on every card of ``sv`` (:func:`_fixed`), worked out once per line and tree.

    ``memo``: a dict kept by the caller (None: it holds enough) for the cards of one period (one ``sv``, ``stats`` and
    ``locale``), where a line's view is remembered by the line's identity within the unit's group:
    a view is a function of the line, the group (its tree, its figures) and those.  Scoring makes
    one frozen line for the units whose facts and rule are equal (``engine.SHARE``), so most of a
    card's lines were viewed already for another unit of the group."""
    peers = (stats or {}).get(u.group, {})
    tree = sv.group_tree.get(u.group, "main")
    fixed = {} if fixed is None else fixed
    publish = sv.scheme.personal_data.publish_names
    zh = locale != "en"  # the explanation is also what _events reads notes in: render it once
    seen = memo.setdefault(u.group, {}) if memo is not None else None
    out = []
    for line in u.lines:
        if seen is not None:
            got = seen.get(id(line))
            if got is not None and got[0] is line:  # the line is kept with its view: its id stays its own
                out.append(got[1])
                continue
        facts = line.facts
        steps = tuple([s.render(locale) for s in line.steps])
        clause, uncapped, rates = fixed.get((tree, line.id)) or _fixed(sv, tree, line.id, fixed)
        clip = line.clip
        view = LineView(  # by position, in the order of the fields (keywords cost a lookup each)
            line.id, line.name, line.depth, line.type, line.max, line.points, line.raw if clip else None,
            line.status, line.is_leaf, _clip(line, locale), clip, steps,
            _events(line, publish, rates, steps if zh else None) if facts is not None else (),
            facts.note if facts else None, facts.evidence if facts else None, clause, line.disqualified,
            line.counts, uncapped, stat_text(line.type, peers.get(line.id), locale) if line.is_leaf else None,
        )
        if seen is not None:
            seen[id(line)] = (line, view)
        out.append(view)
    return tuple(out)


def _fixed(sv: SchemeVersion, tree: str, line_id: str, fixed: dict) -> tuple[str, bool, dict[str, str]]:
    """What a line shows the same on every card of ``sv``: the link to its clause, whether it is
    declared “不设上限”, its rates' names; remembered in ``fixed``."""
    clause = f"{paths.scheme_doc(sv.id, sv.version)}#{paths.indicator_anchor(tree, line_id, len(sv.trees))}"
    uncapped = bool(getattr(sv.indicators.get(tree, {}).get(line_id), "uncapped", False))
    fixed[(tree, line_id)] = got = (clause, uncapped, _rate_names(sv, line_id))
    return got
