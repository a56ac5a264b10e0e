"""Pre-keys of the per-period pages: a score card, a notice and its downloads are recognised as
unchanged (:func:`.reuse.route_keys`) from a few digests, without their context being made.

What such a page of period *p*, as a :class:`~site_builder.site.data.SiteData` shows it, reads
(``scorecard._card_context``, ``notice.notice_routes`` and everything they call):

- **the site-wide part** (:func:`site_part`, digested once per process and site data): the
  project's settings (``site.yaml``), unit registry (names and former names by date), every scheme
  version, every period's *header* (the period file without its units' records: name, dates,
  status, notice metadata and body path, 公示 window, corrections, honour places), which periods
  have results, what the as-of date makes of each period (its status and whether it is under
  embargo: the only way a page reads the as-of date), the preview and dev-server options, the
  build version, the earlier version being shown, the locale;
- **the period's part** (:func:`period_part`, once per process and period): the period itself
  (with its records: the bytes of its file), its results, the results of the period before it
  (“上期”: rank and total), and the versions of its notice when corrected (:func:`history_part`:
  each version's period, results, project and archived body, and the changes between them);
- for the notice page, the text of its body in ``content/`` (:func:`body_part`);
- the unit (a card) — the path, kind and template are in the pre-key's head (:mod:`.reuse`).

**A score card reads only its unit's group**.  ``scorecard._card_context`` and
what it calls (``rank_summary``, ``line_views``, ``group_line_stats``, ``why_summary``,
``folded_lines``, ``sharing.card``, ``honours_of``, ``card_level``, ``_cumulative``,
``_cumulative_note`` / ``running_basis``, ``unit_corrections``, ``superseded_card``, ``EntryIndex``,
``notice_crumbs``) read, for unit *u* of group *g* in period *p*:

- of *p*: its header only (name, dates, status, sample, notice title/date/number; ``folded_lines``
  its start and end) — never another unit's records;
- of *p*'s results: the head (scheme, version, period, its name, dates, stage, previous period);
  ``units[u]`` (lines with their facts, totals, vetoes); *g*'s median (``group_medians[g]``) and the
  line statistics of *g* (made of the results of *g*'s units only); the rankings of *g* — the main
  one, or the category slots of its leading ranking; ``of`` is the number of entries of the whole
  ranking — and the first cumulative ranking that ranks *u*, with its span; the honours that chose
  *u* (with *u*'s streak); ``cumulative[u]``, ``running[r][u]``, ``stage_totals[u]``, ``levels[u]``
  (the level's tests and figures: a level decided by a quota over all units is *u*'s level);
- of the previous period's results (上期): ``units[u]`` and *u*'s entry in the ranking of the group
  *u* was in then;
- the scheme version, the unit registry, settings, status and embargo of periods, the notice's
  versions and the version shown (the site-wide part and :func:`history_part`).

A card's pre-key (``scorecard._CardFigures``) is finer still: of the group it holds only what the
card shows (the group's median, each line's median and best, the size and category of the ranking the
unit is placed in), and of the unit its own result (:func:`unit_digest`), its entry there and in the
previous period's, its honours, running totals and level; a unit's page (``unit._UnitsOfSite.prekey``)
likewise per period.  An edit that moves no one and changes no group figure makes the edited unit's
cards and page again, and no other.

A unit's result counts by its digest (:func:`unit_digest`), made of the digests of its lines: a
period's units share a line when it came out equal (one frozen object), so each distinct line is
pickled once, not once per unit.  The period cache stores the units' digests with each scoring, so
that a later period ranked again from a reused scoring pickles no unit
(:mod:`site_builder.scoring.period_cache`).

The build's key (code, templates, the settings every page shows, the masked names) is part of every
key already.  A period's records (the facts of its units) are read only through its own part and its
results: a change in one period leaves the pre-keys of the other periods' pages as they were,
unless their results change with it (running totals, streaks of later periods), they show it as
their previous period, or their notice was corrected (its versions hold every period's results:
conservative).  A template that reads the search index where the page lists ``"search"`` reads
``page.scripts``, which is constant for these pages.  ``SITE_BUILDER_CHECK_PREKEYS`` (on in the
tests) checks every matched pre-key against the full key (``tests/test_incremental.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import operator
import os
from collections.abc import Callable
from typing import Any

from site_builder.site.output.digest import digest

CHECK_ENV = "SITE_BUILDER_CHECK_PREKEYS"  # (as reuse.CHECK_ENV) the tests: a stored digest is checked

_MEMO: dict[tuple[str, int], tuple[Any, str | None]] = {}


def memo(tag: str, obj: Any, make: Callable[[], str | None]) -> str | None:
    """``make()`` once per process for ``obj`` (kept in the memo, so that its id stays its own) until
    :func:`forget`."""
    got = _MEMO.get((tag, id(obj)))
    if got is None or got[0] is not obj:
        got = _MEMO[(tag, id(obj))] = (obj, make())
    return got[1]



def forget() -> None:
    """Drop the per-process digests (at the end of a build)."""
    _MEMO.clear()
    _LINES.clear()
    _UNITS.clear()
    _FACTS.clear()


def header(period: Any) -> str | None:
    """The digest of a period file without its units' records (those are read through its results,
    and through the period's own part by its own pages)."""

    def make() -> str | None:
        scores = period.scores.model_copy(update={"units": {}, "external": {}})
        return digest("period header", dataclasses.replace(period, facts={}, scores=scores), swap=False)

    return memo("header", period, make)


def project_part(project: Any) -> str | None:
    """Settings, units, schemes and every period's header of a project."""

    def make() -> str | None:
        headers = tuple(header(p) for p in project.periods)
        if any(h is None for h in headers):
            return None
        return digest("project", str(project.root), project.site, project.units, project.schemes, headers)

    return memo("project", project, make)


def site_part(data: Any) -> str | None:
    """What every per-period page of ``data`` may read besides its own period (see the module)."""

    def make() -> str | None:
        project = project_part(data.project)
        if project is None:
            return None
        seen = tuple((p.scheme, p.id, data.status(p), data.embargoed(p)) for p in data.project.periods)
        options = (data.options.preview, data.options.serve)
        return digest("site", project, tuple(sorted(data.results)), seen, options, data.version,
                      data.earlier, data.locale, swap=False)

    return memo("site", data, make)


def _bytes(raw: bytes | None) -> str | None:
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def history_part(data: Any, history: Any) -> str | None:
    """Every version of a corrected notice: its period, results, project (every period in it,
    with records), results of every period, archived body and what the notice showed; and the
    changes between versions.  A period that is the project's own counts by its file (:func:`_period`)."""
    if history is None:
        return "no history"

    def make() -> str | None:
        versions = []
        for v in history.versions:
            project = project_part(v.project)
            if project is None:
                return None
            periods = tuple(_period(data, q) for q in v.project.periods)
            versions.append((v.n, v.correction, _period(data, v.period), v.result, project, periods,
                             dict(v.results), _bytes(v.body), v.stage, v.items))
        return digest("history", tuple(versions), history.changes, history.items)

    # by history and site data: how a period counts depends on the data (the project's own, or not)
    return memo(f"history {id(history)}", data, make)


def body_part(data: Any, period: Any) -> str:
    """The text of the notice's body (``content/`` as ``data`` has it: an earlier version's is the
    archived one)."""
    n = period.scores.notice
    if n is None or not n.body:
        return "no body"
    return _bytes(data.content.get(f"content/{n.body}")) or "no file"


def _period(data: Any, period: Any) -> Any:
    """A period of the project as the build read it counts by its file's bytes (the period is made
    from them, the schemes and the unit registry, which the site-wide part holds, by the code, which
    the build's key holds): hashing the file is far cheaper than pickling the period.  An earlier
    version's period (from the archive) counts by its own digest."""
    raw = data.project.sources.get(period.path) if data.earlier is None else None
    if raw is None or not any(p is period for p in data.project.periods):
        return period
    return ("period file", period.path, _bytes(raw))


def period_part(data: Any, period: Any) -> str | None:
    """The site-wide part, the period with its records and results, the previous period's results
    and the notice's versions (see the module): once per process and period."""

    def make() -> str | None:
        site, history = site_part(data), history_part(data, data.history(period))
        if site is None or history is None:
            return None
        prev = data.previous(period)
        before = data.result(prev) if prev is not None else None
        return digest("period", site, _period(data, period), data.result(period), before, history,
                      data.shown_version(period))

    return memo(f"period {period.scheme}/{period.id}", data, make)


# ------------------------------------------------------------------ a score card's group
_LINES: dict[int, tuple[Any, str | None]] = {}  # id → (a line's result, its digest)
_UNITS: dict[int, tuple[Any, str | None]] = {}  # id → (a unit's result, its digest)


_FACTS: dict[int, tuple[Any, str | None]] = {}  # id → (a leaf's facts, their digest)


@functools.cache
def _unit_fields() -> Callable[[Any], tuple]:
    """A unit's result's values but its lines, in the order of its fields."""
    from site_builder.scoring.results import UnitResult

    names = tuple(f.name for f in dataclasses.fields(UnitResult) if f.name != "lines")
    return lambda unit: tuple(getattr(unit, n) for n in names)


@functools.cache
def _line_fields() -> tuple[Callable[[Any], tuple], int]:
    """A line's result's values in the order of its fields, and where its facts are among them."""
    from site_builder.scoring.results import LineResult

    names = tuple(f.name for f in dataclasses.fields(LineResult))
    return operator.attrgetter(*names), names.index("facts")


def _line_digest(line: Any) -> str | None:
    """A line's values, its facts (shared by the lines scored from them) by their digest, once per
    process and object."""
    values, at = _line_fields()
    got = values(line)
    facts = got[at]
    if facts is not None:
        seen = _FACTS.get(id(facts))
        if seen is None or seen[0] is not facts:
            seen = _FACTS[id(facts)] = (facts, digest(facts, swap=False))
        if seen[1] is None:
            return None
        got = (*got[:at], seen[1], *got[at + 1:])
    return digest("line", got, swap=False)


def unit_digest(unit: Any) -> str | None:
    """The digest of a unit's result (a :class:`~site_builder.scoring.results.UnitResult`), once per
    process and object: of its values and of the digest of each of its lines, each line digested once
    per process and object.  A period's units share their lines when equal (one frozen object for
    equal facts and rule, scoring/engine.py ``_Shared``: at 100 units ~5,000 distinct lines of
    60,000), so this pickles a tenth of what pickling every unit whole would, for the same promise:
    equal digests, equal results (a line's digest has a fixed length, so the joined digests are
    unambiguous)."""
    got = _UNITS.get(id(unit))
    if got is not None and got[0] is unit:
        return got[1]
    lines = []
    for line in unit.lines:
        seen = _LINES.get(id(line))
        if seen is None or seen[0] is not line:
            seen = _LINES[id(line)] = (line, _line_digest(line))
        if seen[1] is None:
            lines = None
            break
        lines.append(seen[1])
    made = None if lines is None else digest("unit", _unit_fields()(unit), "".join(lines), swap=False)
    _UNITS[id(unit)] = (unit, made)
    return made


def known(unit: Any) -> str | None:
    """The digest of ``unit`` when this process has made or been given it already (None: not yet)."""
    got = _UNITS.get(id(unit))
    return got[1] if got is not None and got[0] is unit else None


def remember_unit(unit: Any, hexdigest: str) -> None:
    """Take ``hexdigest`` as the digest of ``unit`` (stored with its scoring in the period cache, made
    of an equal unit: equal scoring key) until :func:`forget`.  Under ``SITE_BUILDER_CHECK_PREKEYS``
    (the tests) it is made anyway and must be the same."""
    if os.environ.get(CHECK_ENV):
        _UNITS.pop(id(unit), None)
        made = unit_digest(unit)
        if made != hexdigest:
            raise AssertionError(f"{unit.unit}: the stored digest of its result is not that of its result")
    _UNITS[id(unit)] = (unit, hexdigest)


def line_stats(result: Any) -> dict:
    """:func:`.card_why.group_line_stats` of ``result``, once per process and result (a card's
    pre-key and its context read them)."""
    from site_builder.site.present.card_why import group_line_stats

    return memo("line stats", result, lambda: group_line_stats(result))  # type: ignore[return-value]
