"""Score cards: ``units/<unit>/<scheme>/<period>/index.html``.

Every line with its points and maximum, the facts behind it (the engine's
explanation sentences, the recorded events with dates and notes), the cap that
clipped it, and a link to the clause in the scheme document; then the unit's
place in its group, the group median and the change since the last period.
Personal names in events are masked (张*) unless the scheme declares a legal
basis for publishing them.

A corrected period keeps every earlier version of each card at
``units/<unit>/<scheme>/<period>/v<n>/index.html``, under the same banner as
the notice's earlier version and with this unit's changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from site_builder.model import Period, SchemeVersion
from site_builder.scoring.results import PeriodResult, RankEntry
from site_builder.site import paths
from site_builder.site.present import i18n, sharing
from site_builder.site.present.card_views import CardResult, line_views
from site_builder.site.present.card_why import MEMO_LIMIT, folded_lines, line_shape, why_summary
from site_builder.site.data import SiteData
from site_builder.site.present.level_views import card_level
from site_builder.site.pages.common import PlacesShown, earlier_versions, first_entries, is_draft, notice_crumbs
from site_builder.site.pages.notice_versions import corrections_of, superseded_view
from site_builder.site.plan import Crumb, Once, PageMeta, Route, lazy_page, page_kind
from site_builder.site.output import prekeys
from site_builder.site.output.digest import digest, keyed
from site_builder.site.present.render import trim
from site_builder.site.present.tables import streak_text


class EntryIndex:
    """A unit's place in its ranking, looked up in a dict built once per ranking and process
    (:func:`.common.first_entries`; not by scanning the ranking's entries for every card: O(units),
    not O(units²), for a group of 10,000)."""

    def __init__(self, data: SiteData) -> None:
        self.data = data

    def __call__(self, result: PeriodResult, unit: str) -> RankEntry | None:
        ranking = self.data.unit_ranking(result, unit)
        return None if ranking is None else first_entries(ranking).get(unit)


def rank_summary(data: SiteData, period: Period, result: PeriodResult, unit: str,
                 entry_of: EntryIndex | None = None) -> dict:
    entry_of = entry_of or data.rank_entry
    u = result.units[unit]
    entry = entry_of(result, unit)
    ranking = data.unit_ranking(result, unit)  # the group's, or the unit's category's when ranked only within categories
    summary: dict = {
        "rank": entry.rank if entry else None,
        "tied": entry.tied if entry else False,
        "of": len(ranking.entries) if ranking else 0,
        "category": ranking.category_name if ranking else None,
        "median": trim(result.group_medians.get(u.group), data.version_of(period).scheme.rounding.places),
        "previous": None,
    }
    prev = data.previous(period)
    if prev is not None:
        pres = data.result(prev)
        pu = pres.units.get(unit)
        pentry = entry_of(pres, unit)
        if pu is not None and pu.total is not None:
            if entry and pentry:
                delta = pentry.rank - entry.rank
                key = "rank.up" if delta > 0 else "rank.down" if delta < 0 else "rank.same"
                change = i18n.text(key, data.locale, n=abs(delta))
                text = i18n.text(
                    "card.prev_text",
                    data.locale,
                    total=format(pu.total, "f"),
                    rank=pentry.rank,
                    change=change,
                )
            else:
                text = i18n.text("card.prev_total", data.locale, total=format(pu.total, "f"))
            summary["previous"] = {
                "text": text,
                "target": data.card_target(unit, prev),
                "name": data.period_name(prev),
            }
    return summary


def _cumulative_ranking(result, uid: str):
    """The first ``basis: cumulative`` ranking that ranks the unit (any span); a card looks it up in
    :func:`cumulative_rankings`, made once per period (this is its specification, for the tests)."""
    return next((gr for gr in result.rankings if gr.basis == "cumulative" and any(e.unit == uid for e in gr.entries)), None)


def cumulative_rankings(result) -> dict[str, object]:
    """unit id → the first ``basis: cumulative`` ranking that ranks it, in one pass over the
    period's rankings (a unit no such ranking ranks is not in it)."""
    first: dict[str, object] = {}
    for gr in result.rankings:
        if gr.basis == "cumulative":
            for e in gr.entries:
                first.setdefault(e.unit, gr)
    return first


def _cumulative(result, uid: str, gr=None):
    """The unit's cumulative total: its ranking's running total, else the period's cumulative sum;
    ``gr``: its cumulative ranking (:func:`cumulative_rankings`), looked up when not given."""
    gr = _cumulative_ranking(result, uid) if gr is None else gr
    return result.cumulative.get(uid) if gr is None else result.running.get(gr.ranking, {}).get(uid)


def _cumulative_note(data: SiteData, period: Period, result, uid: str, gr=None) -> str | None:
    """What the cumulative total sums, from which period to which."""
    from site_builder.site.present.tables import running_basis

    gr = _cumulative_ranking(result, uid) if gr is None else gr
    basis = running_basis(data, period, gr) if gr is not None else None
    return basis[0] if basis else None


def cumulative_kind(sv: SchemeVersion) -> set[str]:
    return {r.basis for r in sv.scheme.rankings if r.basis in ("cumulative", "stage")}


def unit_corrections(data: SiteData, period: Period, unit: str) -> list[dict]:
    """Corrections of the period that changed this unit's figures, with the earlier card."""
    out = []
    for c in corrections_of(data, period):
        mine = next((v for v in c.changes if v.id == unit), None)
        if mine is None:
            continue
        before = paths.scorecard(unit, period.scheme, period.id, c.before.n) if c.before else None
        out.append(
            {
                "date": c.date,
                "n": c.before.n if c.before else None,
                "changes": (mine,),
                "target": c.target,
                "before": before,
            }
        )
    return out


def superseded_card(data: SiteData, period: Period, unit: str) -> dict | None:
    """The banner of an earlier version of this card: the notice's banner, this unit's changes."""
    history = data.history(period)
    shown = data.shown_version(period)
    if history is None or shown is None:
        return None
    view = superseded_view(data, period, history, shown)
    mine = tuple(v for v in view["changes"] if v.id == unit)
    return {
        **view,
        "changes": mine,
        "current_target": paths.scorecard(unit, period.scheme, period.id),
        "notice_target": data.notice_target(period),
    }


def scorecard_routes(data: SiteData, period: Period) -> Iterator[Route]:
    """Every unit's card of ``period`` as ``data`` shows it (current, or an earlier version); each
    card's context is made when it is rendered (:func:`lazy_page`)."""
    result = data.result(period)
    shown = data.shown_version(period)
    kind = "scorecard" if shown is None else "scorecard_version"
    shared = Once(lambda: _CardsOfPeriod(data, period))
    figures = Once(lambda: _CardFigures(data, period))
    # every card's pre-key is a function of the period's part: unchanged, no card's pre-key is made
    batch = (f"cards {period.scheme}/{period.id}", partial(_cards_batch, data, period))
    for uid in sorted(result.units):
        card = _Card(shared, figures, uid, kind)
        yield lazy_page(data.card_target(uid, period), kind, "scorecard.html", card.context,
                        prekey=card.prekey, batch=batch)


class _Card:
    """One card's ``make`` and ``prekey``: four slots, not two partials with their tuples and dicts (a
    province's 120,000 cards are planned in the build's process, which every forked worker starts from)."""

    __slots__ = ("shared", "figures", "uid", "kind")

    def __init__(self, shared: Once, figures: Once, uid: str, kind: str) -> None:
        self.shared, self.figures, self.uid, self.kind = shared, figures, uid, kind

    def context(self) -> tuple[PageMeta, dict]:
        return _card_context(self.shared, self.uid, self.kind)

    def prekey(self) -> tuple | None:
        return _card_prekey(self.figures, self.uid)


def _cards_batch(data: SiteData, period: Period) -> str | None:
    """What the pre-key of every card of ``period`` is a function of (:class:`_CardFigures` reads nothing
    else): the period's part, :func:`.prekeys.period_part`."""
    return prekeys.period_part(data, period)


def _card_prekey(figures: Once, uid: str) -> tuple | None:
    """What a card is a function of besides its path, kind and template (:class:`_CardFigures`): what
    every card of the period reads alike, its group's figures, and the unit's own result and entries."""
    return figures()(uid)


class _CardFigures:
    """The pre-keys of one period's cards, made once per process and period.

    A card (:func:`_card_context` and what it calls) reads of other units only: its group's median
    (``group_medians``) and each line's median and best in its group (:func:`.card_why.group_line_stats`);
    of the ranking it is placed in (:meth:`.SiteData.unit_ranking`) the number of entries, the
    category's name and its own first entry (place, tied); of the previous period its own total and
    its own entry there; the honours that chose it (name, kind, its streak); the first cumulative
    ranking that ranks it (its id, name and span: :func:`.tables.running_basis`) with its running
    total, or else its cumulative sum; its stage total and its level (the level's figures are its
    own).  Everything else it reads is the unit's own result, the site-wide part, the period's header,
    the notice's versions and the version shown (:mod:`..output.prekeys`)."""

    def __init__(self, data: SiteData, period: Period) -> None:
        self.data, self.period = data, period
        self.result = result = data.result(period)
        prev = data.previous(period)
        self.pres = data.result(prev) if prev is not None else None
        site, history, head = (prekeys.site_part(data), prekeys.history_part(data, data.history(period)),
                               prekeys.header(period))
        self.base = None
        if keyed(site, head, history) is not None:
            self.base = digest("cards", site, head, history, data.shown_version(period), result.scheme,
                               result.version, result.period, result.period_name, result.start, result.end,
                               result.stage, result.previous, swap=False)
        self.stats = prekeys.line_stats(result)
        self.groups: dict[str, str | None] = {}
        self.places = PlacesShown(data)  # the unit's place and the ranking's size, as shown
        self.honours: dict[str, list] = {}  # unit → its honours, as SiteData.honours_of gives them
        for h in result.honours:
            for unit in dict.fromkeys(h.chosen):
                self.honours.setdefault(unit, []).append((h.name, h.kind, h.streaks.get(unit, 0)))
        self.kinds = cumulative_kind(data.version_of(period))
        self._cumulative = cumulative_rankings(result) if "cumulative" in self.kinds else {}

    def _group(self, g: str) -> str | None:
        got = self.groups.get(g)
        if got is None:
            stats = self.stats.get(g, {})
            got = self.groups[g] = digest("card group", g, self.result.group_medians.get(g),
                                          tuple((lid, s.median, s.best) for lid, s in sorted(stats.items())),
                                          swap=False)
        return got

    def __call__(self, uid: str) -> tuple | None:
        if self.base is None:
            return None
        result = self.result
        u = result.units[uid]
        own = prekeys.unit_digest(u)
        if own is None:
            return None
        before = None
        if self.pres is not None:
            pu = self.pres.units.get(uid)
            before = (None if pu is None else (pu.total,), self.places(self.pres, uid))
        gr = self._cumulative.get(uid)
        if gr is None:
            cumulative = (None, result.cumulative.get(uid))
        else:
            cumulative = ((gr.ranking, gr.name, gr.span), result.running.get(gr.ranking, {}).get(uid))
        shown = (uid, self.places(result, uid), before, tuple(self.honours.get(uid, ())), cumulative,
                 result.stage_totals.get(uid), result.levels.get(uid))  # (None among them is a value)
        # one pickle of figures and text (nothing shared in them to look for: no swap)
        return keyed(digest("card", self.base, self._group(u.group), own, shown, swap=False))


class _CardsOfPeriod:
    """What every card of one period shares, made once per process."""

    def __init__(self, data: SiteData, period: Period) -> None:
        self.data, self.period = data, period
        self.result = data.result(period)
        self.sv = data.version_of(period)
        self.on = data.notice_date(period)
        self.kinds = cumulative_kind(self.sv)
        self.shown = data.shown_version(period)
        title = data.notice_title(period)
        if self.shown is not None:
            title = i18n.text("version.title", data.locale, title=title, n=self.shown)
        self.notice_title = title
        # what the page's header says the same on every card of the period
        self.period_name = data.period_name(period)
        self.notice_target = data.notice_target(period)
        crumbs = notice_crumbs(data, period)
        self.crumbs = crumbs if self.shown is None else (*crumbs, Crumb(title, self.notice_target))
        self.sample, self.draft = data.period_sample(period), is_draft(data, period)
        self.stats = prekeys.line_stats(self.result)  # once per period: O(units × lines)
        self.entries = EntryIndex(data)
        self.fixed: dict = {}  # what every card of the period shows the same of a line (line_views)
        # a line shared by units (scoring's engine.SHARE: one frozen object for equal facts and rule)
        # is viewed once per group (line_views), its lost/gained item once (why_summary)
        self.views: dict = {}  # group → id(line) → (line, view)
        self.items: dict = {}  # id(view) → (view, item)
        self._cumulative: dict[str, object] | None = None
        self._notes: dict[int, tuple[object, str | None]] = {}
        self.kept, self.limit = 0, MEMO_LIMIT // max(1, len(data.periods))

    def cumulative(self, uid: str) -> tuple[object, object]:
        """The unit's cumulative ranking (None: none ranks it) and total."""
        if self._cumulative is None:
            self._cumulative = cumulative_rankings(self.result)
        gr = self._cumulative.get(uid)
        if gr is None:
            return None, self.result.cumulative.get(uid)
        return gr, self.result.running.get(gr.ranking, {}).get(uid)

    def cumulative_note(self, gr) -> str | None:
        """:func:`_cumulative_note` of the ranking ``gr``, once per ranking (the ranking is kept: its
        id stays its own)."""
        if gr is None:
            return None
        got = self._notes.get(id(gr))
        if got is None or got[0] is not gr:
            from site_builder.site.present.tables import running_basis

            basis = running_basis(self.data, self.period, gr)
            got = self._notes[id(gr)] = (gr, basis[0] if basis else None)
        return got[1]

    def remember(self) -> bool:
        """Whether a card's lines may still be remembered: the cards are made unit by unit (in the
        order of their paths), so every period's memo lives through the build; each keeps at most
        its share of :data:`.card_why.MEMO_LIMIT` views."""
        return self.kept < self.limit


def _card_context(shared: Once, uid: str, kind: str) -> tuple[PageMeta, dict]:
    c: _CardsOfPeriod = shared()
    data, period, result, sv, shown = c.data, c.period, c.result, c.sv, c.shown
    u = result.units[uid]
    name = data.unit_name(uid, c.on)
    title = i18n.text("card.title", data.locale, unit=name, period=c.period_name)
    if shown is not None:
        title = i18n.text("version.title", data.locale, title=title, n=shown)
    meta = PageMeta(
        path=data.card_target(uid, period),
        title=title,
        kind=kind,
        sample=c.sample,
        draft=c.draft,
        crumbs=(*c.crumbs, Crumb(name, paths.unit(uid))),
        noindex=shown is not None,
        description=sharing.card(data, period, uid, c.entries),
    )
    room = c.remember()
    lines = line_views(data.locale, sv, u, c.stats, c.fixed, c.views if room else None)
    if room:
        c.kept = sum(map(len, c.views.values()))
    places = sv.scheme.rounding.places
    shape = line_shape(u.lines)
    ranked, cumulative = c.cumulative(uid) if "cumulative" in c.kinds else (None, None)
    return meta, dict(
        unit={"id": uid, "name": name, "target": paths.unit(uid)},
        result=CardResult.of(u),
        group=data.group_name(sv, u.group),
        group_target=paths.group(period.scheme, u.group),
        lines=lines,
        why=why_summary(u, lines, places, data.locale, shape=shape, items=c.items if room else None),
        folded=folded_lines(u, lines, sv, period, data.locale, shape=shape),
        peers_who=i18n.text("card.peer.who", data.locale, group=data.group_name(sv, u.group))
        if any(line.peers for line in lines) else None,
        approx=any("≈" in s for line in lines for s in line.steps),
        places=places,
        rounding_at=sv.scheme.rounding.at,
        summary=rank_summary(data, period, result, uid, c.entries),
        honours=[
            (hname, kind, streak_text(streak, sv.scheme.period.kind, data.locale))
            for hname, kind, streak in data.honours_of(result, uid)
        ],
        cumulative=trim(cumulative, places) if "cumulative" in c.kinds else None,
        cumulative_note=c.cumulative_note(ranked) if "cumulative" in c.kinds else None,
        stage_total=trim(result.stage_totals.get(uid), places) if "stage" in c.kinds else None,
        show_coefficient=sv.scheme.coefficient is not None,
        notice_target=c.notice_target,
        notice_title=c.notice_title,
        corrections=unit_corrections(data, period, uid) if shown is None else [],
        superseded=superseded_card(data, period, uid),
        level=card_level(data, sv, result, uid),
    )


@page_kind("scorecard")
def scorecard_pages(data: SiteData) -> Iterator[Route]:
    for period in data.periods:
        yield from scorecard_routes(data, period)


@page_kind("scorecard_version")
def earlier_scorecard_pages(data: SiteData) -> Iterator[Route]:
    """Every unit's card in every earlier version of every corrected notice."""
    for version_data, period in earlier_versions(data):
        yield from scorecard_routes(version_data, period)
