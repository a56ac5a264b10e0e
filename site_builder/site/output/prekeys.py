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
import hashlib
from collections.abc import Callable
from typing import Any

from site_builder.site.output.digest import digest

_MEMO: dict[tuple[str, int], tuple[Any, str | None]] = {}


def _memo(tag: str, obj: Any, make: Callable[[], str | None]) -> str | None:
    """``make()`` once per process for ``obj`` (kept in the memo, so that its id stays its own)."""
    got = _MEMO.get((tag, id(obj)))
    if got is None or got[0] is not obj:
        got = _MEMO[(tag, id(obj))] = (obj, make())
    return got[1]


def forget() -> None:
    """Drop the per-process digests (at the end of a build)."""
    _MEMO.clear()


def header(period: Any) -> str | None:
    """The digest of a period file without its units' records (those are read through its results,
    and through the period's own part by its own pages)."""

    def make() -> str | None:
        scores = period.scores.model_copy(update={"units": {}, "external": {}})
        return digest("period header", dataclasses.replace(period, facts={}, scores=scores), swap=False)

    return _memo("header", period, make)


def project_part(project: Any) -> str | None:
    """Settings, units, schemes and every period's header of a project."""

    def make() -> str | None:
        headers = tuple(header(p) for p in project.periods)
        if any(h is None for h in headers):
            return None
        return digest("project", str(project.root), project.site, project.units, project.schemes, headers)

    return _memo("project", project, make)


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

    return _memo("site", data, make)


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
    return _memo(f"history {id(history)}", data, make)


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

    return _memo(f"period {period.scheme}/{period.id}", data, make)
