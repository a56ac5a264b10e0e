"""A cache of scored, ranked and graded periods (``.site-builder/periods/``).

:func:`site_builder.pipeline.compute` walks the periods of every scheme in one
chain (schemes in the order of their ``inputs``, each scheme's periods in
order), carrying state from step to step: what a scheme's later periods read
(points booked against caps over a stage or year, lasting vetoes, running
totals, honour streaks, ``previous(x)``) and the history every scheme reads.
Each step has a key

    K_0 = H(the tool's code, this cache's format, drafts in or out, the site settings, the unit
            registry and every scheme version (digests of the objects, as the site stage makes
            them: a comment changes nothing), and the bytes of calendar.yaml)
    P_i = H(the period file of step i (path and bytes), its scheme version, the registry, the calendar)
    K_i = H(K_{i-1}, P_i)

so equal K_i means equal inputs to every step up to i, hence an equal result of
step i and equal state after it.  The loader makes a period of its file, its scheme
version, the registry and the calendar alone (notice bodies are only checked,
never read by scoring), so equal P_i means an equal period: P_i stands in for the
period's digest in the site stage's keys.

**Scorings** (``.site-builder/scores/``).  From the first changed step on, each step is ranked and
graded again, but its *scoring* (the units' lines and totals before ranking, and the ledger after
it) is read back when what it reads is equal.  It has a key of its own

    S_i = H(K_0, P_i, the ledger's view of period i's spans (engine._Ledger.view: the points booked
            against caps of its month, quarter, stage and year, the balances of those spans, the
            vetoes lasting to their end, the stage names), sorted;
            when a line of its scheme version reads previous(x): the digest of the previous period
            of the scheme as previous(x) reads it (its facts and every line's points), or that
            there is none;
            when a line reads the history: R_j of every step j before it)

which holds everything ``engine.score_period`` reads besides the code (K_0 holds it): the period,
its scheme version, the registry and the calendar (P_i, K_0), the ledger through those keys only
(every key a cap, a balance or a lasting veto of period i reads or writes ends in one of its
spans), the previous period's units and facts (``previous``) and the history (``history``); it
writes nothing else but entries of its view (so the view after it is stored, and the rest of the
ledger is the one it started from).  A history is made of the results of the steps before and their
periods (the schemes a scheme reads come before it), hence of R_j.  So equal S_i, equal scoring,
whatever changed before period i: an edit in the middle period scores that period, and a later one
only when its view of the ledger, the period before it (``previous``) or the history changed.

**Content keys.**  R_i = H(S_i, the digest of the graded result without its units) is the key of a
result's content: equal S_i, equal units; equal digests, equal rankings, honours, totals and levels.
R_i (not K_i) stands in for the result's digest in the site stage's keys, so a later period that
comes out as it was keeps its pages' pre-keys.  Each step's entry stores its R_i and S_i, and its
result without the units, which its scoring entry holds (pickled once: a step ranked again after a
reused scoring writes only its rankings, honours and totals); a step read whole reads its units from
there and keeps that entry, for the edit that comes before it next time.  A scoring entry also
holds its units' digests (:func:`site_builder.site.output.prekeys.unit_digest`, what a score card's
pre-key reads of its unit), so that a later period ranked again from it keys its cards without
pickling a unit (checked under ``SITE_BUILDER_CHECK_PREKEYS``).  Under
``SITE_BUILDER_CHECK_PREKEYS`` (the test suite) a reused scoring is scored again on a copy of the
ledger and compared (``SchemeScoring.check``).

An entry per step holds the step's graded result and the state its scheme carries
after it (without the history: that is rebuilt from the results of the steps
before, and the honour streaks from each step's new part, so an entry does not
grow with the number of earlier periods).  A compute reads the longest run of
hits from the first step, and from the first miss on computes exactly as
without a cache.  Entries are written only after a compute without any failure,
so a hit is a step that once went through cleanly; the entries a successful
compute did not use are deleted then (one folder for what is published, one for
a preview with drafts).  Entries are signed and read as in
:mod:`site_builder.load.cache` (a damaged, altered or foreign entry is a miss);
``--no-cache`` turns it off; a folder that cannot be written means no cache.

The cache is used only for a project as :func:`site_builder.pipeline.load_project`
made it (its periods are those of its source bytes); a project assembled
otherwise (e.g. with periods from the archive of earlier versions) is computed
without it.  compute passes R_i and P_i to :func:`site_builder.site.output.digest.remember`.

During ``serve`` (:mod:`site_builder.load.warm`) the steps a successful compute read or computed are
kept in memory with their period object, and the next compute takes a step's result from there
instead of unpickling its entry, when its key is K_i and its period is the very same object (the
loader gives an unchanged period file the same object again; a result shares its facts with it);
the same for the scorings, by S_i.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from site_builder import aside
from site_builder.load import warm
from site_builder.load.cache import SourceCache, digest, loads
from site_builder.model import Period, Project
from site_builder.scoring.facts import EMPTY_FACTS, Facts
from site_builder.scoring.results import PeriodResult, UnitResult

FORMAT = "5"  # 2: an entry holds its result's group digests; 3: its content key and scoring key, scoring entries;
#  4: a scoring entry holds its units' digests; 5: no group digests (their slot left empty: cards are keyed
#  by what they show, :class:`site_builder.site.pages.scorecard._CardFigures`)
#: One folder per kind of compute, pruned on its own: published results, a preview with drafts.
FOLDERS = {False: ".site-builder/periods", True: ".site-builder/periods-drafts"}
#: The steps' scorings (their units before ranking, and the ledger after them), by S_i, beside them.
SCORE_FOLDERS = {False: ".site-builder/scores", True: ".site-builder/scores-drafts"}

_LOADED: weakref.WeakValueDictionary[int, Project] = weakref.WeakValueDictionary()


def loaded(project: Project) -> None:
    """Note that ``project`` is as the loader read it from its sources (called by load_project)."""
    _LOADED[id(project)] = project


def _is_loaded(project: Project) -> bool:
    return _LOADED.get(id(project)) is project


@dataclass(frozen=True)
class Inputs:
    """Digests of what a compute reads besides the period files: the objects themselves (so that a
    comment or a reformatted line in a source changes nothing), and the bytes of calendar.yaml."""

    site: str
    units: str
    versions: dict[tuple[str, str], str]  # (scheme id, version) -> digest of the scheme version
    calendar: bytes


@dataclass(frozen=True)
class Hit:
    """One step read from the cache: its graded result and the state its scheme carries after it."""

    result: PeriodResult
    carried: bytes  # pickled (ledger, ranking state without honour streaks, honour streaks added)
    result_key: str | None = None  # R_i: the content key of the result (see the module)
    score_key: str | None = None  # S_i: the key of its scoring entry

    def state(self) -> tuple[object, dict, dict]:
        ledger, ranking, added = loads(self.carried)
        return ledger, ranking, added


class PeriodCache:
    """The chain keys of one compute, and its entries."""

    def __init__(self, entries: SourceCache, keys: list[str], period_keys: list[str],
                 scorings: SourceCache | None = None) -> None:
        self.entries = entries
        self.scorings = scorings if scorings is not None else entries
        self.keys = keys  # K_1 … K_n
        #: per step, a key of its period alone: equal key, equal period (as the parse cache keys it)
        self.period_keys = period_keys
        self.carried: dict[int, bytes] = {}  # step -> its carried state, for the entries written at the end
        # during serve: K_i -> (its period, its hit, {}) of the last successful
        # compute, and of this one
        self.memo = warm.memo(entries.dir, "results")
        self.noted: dict[str, warm.Noted] = {}
        self.base = ""  # K_0
        self.result_keys: list[str | None] = [None] * len(keys)  # R_i, as each step is read or computed
        self.score_keys: list[str | None] = [None] * len(keys)  # S_i
        self.scored: dict[int, tuple[dict, tuple]] = {}  # step -> (its units, its ledger view after): scored now
        self.smemo = warm.memo(self.scorings.dir, "scores")  # during serve: S_i -> (period, units, view after)
        self.snoted: dict[str, warm.Noted] = {}

    @classmethod
    def open(cls, project: Project, include_drafts: bool, steps: list[Period],
             inputs: Callable[[], Inputs | None]) -> PeriodCache | None:
        """The cache of this compute, or None (off, no secret, a project not read from its sources, or
        inputs that cannot be digested).  ``inputs`` digests what is read besides the period files."""
        if not _is_loaded(project):
            return None
        entries = SourceCache(project.root, folder=FOLDERS[include_drafts], remember=False)  # results kept here
        if not entries.enabled or any(p.path not in project.sources for p in steps):
            return None
        got = inputs()
        if got is None:
            return None
        key = SourceCache.key("period chain", FORMAT, "drafts" if include_drafts else "published", got.calendar,
                              got.site, got.units, *(f"{sid}/{v}:{d}" for (sid, v), d in sorted(got.versions.items())))
        keys, period_keys = [], []
        base = key
        for p in steps:
            # what the loader made the period of: its file, its scheme version, the registry, the calendar
            period_keys.append(SourceCache.key("period", FORMAT, got.calendar, got.units,
                                               got.versions[(p.scheme, p.version)], p.path,
                                               digest(project.sources[p.path])))
            key = SourceCache.key("step", key, period_keys[-1], p.scheme, p.id)
            keys.append(key)
        cache = cls(entries, keys, period_keys, SourceCache(project.root, folder=SCORE_FOLDERS[include_drafts],
                                                            remember=False))
        cache.base = base
        return cache

    def hits(self, steps: list[Period]) -> list[Hit]:
        """The entries of the first steps, up to the first miss."""
        out: list[Hit] = []  # (compute runs with the collector settled: site_builder/collector.py)
        for i, (key, period) in enumerate(zip(self.keys, steps)):
            hit = self._read(key, period)
            if hit is None:
                break
            out.append(hit)
            self.result_keys[i], self.score_keys[i] = hit.result_key, hit.score_key
        return out

    def _read(self, key: str, period: Period) -> Hit | None:
        held = self.memo.take(key) if self.memo is not None else None
        if isinstance(held, tuple) and held[0] is period:
            return self._held(key, held)
        got = self.entries.get(key)
        if not (isinstance(got, tuple) and len(got) == 8 and got[0] == FORMAT and got[1] == key
                and isinstance(got[2], bytes) and isinstance(got[3], bytes) and _digests(got[4])
                and all(x is None or isinstance(x, str) for x in got[5:7]) and got[7] in (True, False)
                and (got[6] is not None or not got[7])):
            return None
        try:
            result = loads(got[2], _facts_of(period))
        except Exception:  # noqa: BLE001 - a reference the period does not hold: a miss
            return None
        if not (isinstance(result, PeriodResult) and result.scheme == period.scheme and result.period == period.id):
            return None
        if got[7]:  # its units are those of its scoring entry (S_i), stored once
            units = self._units(got[6], period)
            if units is None or result.units:
                return None
            result = dataclasses.replace(result, units=dict(sorted(units.items())))
        hit = Hit(result, got[3], got[5], got[6])
        if self.memo is not None:
            self.noted[key] = warm.note((period, hit, _known_digests(result.units)))
        return hit

    def _held(self, key: str, held: tuple) -> Hit:
        """A step the last compute of this session read or computed, taken as it is, with its units'
        digests as that compute knew them: a unit's page reads every period's units, and without them
        its pre-key pickled again every unit of every period before the one edited (0.2 s of a rebuild
        in ``serve`` at 500 units)."""
        period, hit, digests = held
        self.noted[key] = self.memo.entries[key]
        _remember_units(hit.result.units, digests)
        return hit

    def score(self, step: int, scoring, sv, period: Period) -> dict[str, UnitResult]:
        """Step ``step``'s units before ranking: those of an earlier scoring from equal inputs
        (:meth:`score_key`; a later period than the one edited), scored again and compared under the
        tests' check, else scored now by ``scoring`` (:class:`SchemeScoring`) and kept for its entry."""
        if self.score_key(step, scoring.reads(sv, period)) is not None:
            got = self.scores(step, period)
            if got is not None:
                if os.environ.get(warm.CHECK_ENV):
                    scoring.check(sv, period, *got)
                return scoring.reuse(period, *got)
        units = scoring.score(sv, period)
        self.scored_now(step, units, scoring.ledger.view(period))
        return units

    def score_key(self, step: int, reads: tuple) -> str | None:
        """S_i: the key of step ``step``'s scoring (its units before ranking, and the ledger after it), of
        what scoring reads (:meth:`SchemeScoring.reads`): K_0, P_i, the ledger's view of the period's
        spans, the previous period's facts and points when a line reads ``previous(x)``, and when a line
        reads the history, the content keys of every step before (the history is made of their results
        and periods, P_j being part of R_j).  None: cannot be keyed (no reuse)."""
        from site_builder.site.output import digest

        view, previous, history = reads
        parts = [self.base, self.period_keys[step], digest.digest("ledger view", view, swap=False)]
        if previous is not None:
            parts.append(digest.digest("previous", previous, swap=False))
        if history:
            parts += self.result_keys[:step]
        if any(p is None for p in parts):
            return None
        key = self.score_keys[step] = SourceCache.key("scores", FORMAT, *parts)
        return key

    def scores(self, step: int, period: Period) -> tuple[dict, tuple] | None:
        """The units and the ledger view after of a scoring with an equal key (:meth:`score_key`), or None."""
        skey = self.score_keys[step]
        if skey is None:
            return None
        held = self.smemo.take(skey) if self.smemo is not None else None
        if isinstance(held, tuple) and held[0] is period:
            self.snoted[skey] = self.smemo.entries[skey]
            _remember_units(held[1], held[3])
            return held[1], held[2]
        got = self._scoring(skey, period)
        if got is None:
            return None
        units, after = got
        if self.smemo is not None:
            self.snoted[skey] = warm.note((period, units, after, _unit_digests(units)))
        return units, after

    def _scoring(self, skey: str, period: Period) -> tuple[dict, tuple] | None:
        """A scoring entry read from the disk: (units, ledger view after), or None."""
        got = self.scorings.get(skey)
        if not (isinstance(got, tuple) and len(got) == 6 and got[:3] == (FORMAT, "scores", skey)
                and isinstance(got[3], bytes) and isinstance(got[4], bytes) and _digests(got[5])):
            return None
        try:
            units = loads(got[3], _facts_of(period))
            after = loads(got[4])
        except Exception:  # noqa: BLE001 - a reference the period does not hold: a miss
            return None
        if not (isinstance(units, dict) and all(isinstance(k, str) and isinstance(v, UnitResult) and v.unit == k
                                                for k, v in units.items())
                and isinstance(after, tuple) and len(after) == 4):
            return None
        _remember_units(units, got[5])
        return units, after

    def _units(self, skey: str, period: Period) -> dict | None:
        """The units of a step's scoring, for its entry that holds the rest of its result."""
        held = self.smemo.take(skey) if self.smemo is not None else None
        if isinstance(held, tuple) and held[0] is period:
            self.snoted[skey] = self.smemo.entries[skey]
            _remember_units(held[1], held[3])
            return held[1]
        got = self._scoring(skey, period)
        if got is None:
            return None
        if self.smemo is not None:
            self.snoted[skey] = warm.note((period, *got, _unit_digests(got[0])))
        return got[0]

    def scored_now(self, step: int, units: dict, after: tuple) -> None:
        """A step scored in this compute, for its scoring entry."""
        if self.score_keys[step] is not None:
            self.scored[step] = (units, after)

    def result_key(self, step: int, result: PeriodResult) -> str | None:
        """R_i of a computed step: its scoring key (equal key, equal units) and the digest of the rest of
        its graded result (rankings, honours, totals, levels: equal digests, equal values).  Equal R_i,
        equal result byte for byte, whatever the chain before: it stands in for the result's digest in
        the site stage's keys."""
        from site_builder.site.output import digest

        skey = self.score_keys[step]
        rest = digest.digest("ranked", dataclasses.replace(result, units={}), swap=False) if skey else None
        got = None if rest is None else SourceCache.key("result", FORMAT, skey, rest)
        self.result_keys[step] = got
        return got

    def carry(self, step: int, ledger: object, ranking: dict, streaks_before: dict[str, int]) -> None:
        """The state after ``step``, taken now (the next steps change it): the ledger, the ranking's
        state without its honour streaks, and what this step added to each streak (its length before
        the step in ``streaks_before``)."""
        honours = ranking.get("honours", {})
        added = {hid: v[streaks_before.get(hid, 0):] for hid, v in honours.items()
                 if len(v) > streaks_before.get(hid, 0)}
        rest = {k: v for k, v in ranking.items() if k != "honours"}
        self.carried[step] = pickle.dumps((ledger, rest, added), protocol=5)

    @staticmethod
    def resume(hits: list[Hit], schemes: list[str], scheme_id: str) -> tuple[object, dict, int] | None:
        """What scheme ``scheme_id`` carries after its last step read from the cache: (ledger, the
        ranking's state with its honour streaks rebuilt from every read step's part, that step's
        index); None when none of its steps was read.  ``schemes``: each step's scheme."""
        done = [j for j in range(len(hits)) if schemes[j] == scheme_id]
        if not done:
            return None
        honours: dict[str, list] = {}
        for j in done:
            ledger, ranking, added = hits[j].state()
            for hid, new in added.items():
                honours.setdefault(hid, []).extend(new)
        ranking["honours"] = honours
        return ledger, ranking, done[-1]

    def save(self, results: list[PeriodResult], steps: list[Period], first: int) -> None:
        """After a compute without failures: write the steps from ``first`` on, keep those read,
        delete the rest of the folder."""
        for i in range(first):
            self.entries.keep(self.keys[i])
        carried, self.carried = self.carried, {}
        # each scored step's units' digests are stored with its scoring, for the next compute that
        # reuses it (a later period than the one edited: its cards' pre-keys pickle no unit)
        computed = range(first, len(results))
        # every step's scoring entry, also of the steps read whole: an edit before them re-scores them
        scored, self.scored = self.scored, {}
        # the units' digests: serve keeps them with the units in memory (made here); a build's are made by
        # the writer beside it, not before its workers start (at 10,000 units 5 s; the workers make
        # their units' for the pre-keys)
        scored = {i: (*got, _unit_digests(got[0]) if self.smemo is not None else None) for i, got in scored.items()}
        for i, skey in enumerate(self.score_keys):
            if skey is None:
                continue
            if i in scored:
                if self.smemo is not None:
                    self.snoted[skey] = warm.note((steps[i], *scored[i]))
            else:
                self.scorings.keep(skey)
                if self.smemo is not None and skey in self.smemo.entries and skey not in self.snoted:
                    self.snoted[skey] = self.smemo.entries[skey]
        if self.smemo is not None:
            self.smemo.replace(self.snoted)
            self.snoted = {}
        if self.memo is not None:  # this compute's steps, and no others, for the next one of the session
            for i in computed:
                self.noted[self.keys[i]] = warm.note((steps[i], Hit(results[i], carried[i], self.result_keys[i],
                                                                    self.score_keys[i]),
                                                      _known_digests(results[i].units)))
            self.memo.replace(self.noted)
            self.noted = {}

        def write() -> None:
            for i in computed:
                # the units are in the step's scoring entry (written or kept now): not pickled twice
                apart = self.score_keys[i] is not None
                blob = _dump(dataclasses.replace(results[i], units={}) if apart else results[i], steps[i])
                self.entries.store(self.keys[i], (FORMAT, self.keys[i], blob, carried[i], {},
                                                  self.result_keys[i], self.score_keys[i], apart))
            for i, (units, after, digests) in scored.items():
                skey = self.score_keys[i]
                if skey is not None:
                    self.scorings.store(skey, (FORMAT, "scores", skey, _dump(units, steps[i]),
                                               pickle.dumps(after, protocol=5),
                                               _unit_digests(units) if digests is None else digests))
            self.entries.prune()
            self.scorings.prune()

        aside.run(write)  # in a build, by a forked child while the build goes on (site_builder/aside.py)


def _digests(value: object) -> bool:
    """Unit digests as an entry stores them (and the emptied slot of group digests): id → hex digest."""
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _unit_digests(units: dict[str, UnitResult]) -> dict[str, str]:
    """Each unit's digest (:func:`site_builder.site.output.prekeys.unit_digest`: made once per process,
    most of them already by the cards' pre-keys), for the scoring's entry; {} when one has none."""
    from site_builder.site.output import prekeys

    out = {uid: prekeys.unit_digest(u) for uid, u in units.items()}
    return {} if None in out.values() else out  # type: ignore[return-value]


def _known_digests(units: dict[str, UnitResult]) -> dict[str, str]:
    """The digests of ``units`` this process knows already (remembered or made for their pre-keys),
    none made here; empty unless every unit's is known."""
    from site_builder.site.output import prekeys

    out = {}
    for uid, u in units.items():
        got = prekeys.known(u)
        if got is None:
            return {}
        out[uid] = got
    return out


def _remember_units(units: dict[str, UnitResult], digests: dict[str, str]) -> None:
    """Take a scoring's stored unit digests as its units' (equal scoring key, equal units: made of
    equal units), so that the cards' pre-keys of a result ranked from them pickle no unit."""
    if digests and digests.keys() == units.keys():
        from site_builder.site.output import prekeys

        for uid, u in units.items():
            prekeys.remember_unit(u, digests[uid])


class _Pickler(pickle.Pickler):
    """Writes each of the period's facts a line's result holds as a reference to it: the period is
    equal whenever the entry is read (its file is in the key), and the result then shares its facts
    with it, as a computed one does."""

    def __init__(self, file, facts: dict[int, tuple[str, str] | str]) -> None:
        super().__init__(file, protocol=5)
        self.facts = facts

    def persistent_id(self, obj: object) -> tuple[str, str] | str | None:
        if type(obj) is Facts:
            return self.facts.get(id(obj))
        return None


def _dump(result: PeriodResult, period: Period) -> bytes:
    facts: dict[int, tuple[str, str] | str] = {id(EMPTY_FACTS): "empty"}
    for uid, leaves in period.facts.items():
        for leaf, f in leaves.items():
            facts[id(f)] = (uid, leaf)
    buf = io.BytesIO()
    _Pickler(buf, facts).dump(result)
    return buf.getvalue()


def _facts_of(period: Period) -> Callable[[object], Facts]:
    def load(ref: object) -> Facts:
        if ref == "empty":
            return EMPTY_FACTS
        if not (isinstance(ref, tuple) and len(ref) == 2):
            raise pickle.UnpicklingError("not a reference to facts")
        f = period.facts[ref[0]][ref[1]]
        if type(f) is not Facts:
            raise pickle.UnpicklingError("not facts")
        return f

    return load
