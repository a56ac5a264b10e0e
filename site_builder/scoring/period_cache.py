"""A cache of scored, ranked and graded periods (``.site-builder/periods/``).

:func:`site_builder.pipeline.compute` walks the periods of every scheme in one
chain (schemes in the order of their ``inputs``, each scheme's periods in
order), carrying state from step to step: what a scheme's later periods read
(points booked against caps over a stage or year, lasting vetoes, running
totals, honour streaks, ``previous(x)``) and the history every scheme reads.
Each step has a key

    K_0 = H(the tool's code, this cache's format, drafts in or out, every project-wide
            source (site.yaml, the unit registry, every scheme version) and calendar.yaml)
    K_i = H(K_{i-1}, the period file of step i: its path and bytes)

so equal K_i means equal inputs to every step up to i, hence an equal result of
step i and equal state after it.  A period file decides its period given the
sources of K_0 (the parse cache keys a checked period the same way); notice
bodies are only checked, never read by scoring, and are left out.

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
without it.  The key of each step also stands in for the digest of its result in
the site stage's incremental keys (compute passes it to
:func:`site_builder.site.output.digest.remember`).
"""

from __future__ import annotations

import gc
import pickle
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from site_builder.load.cache import SourceCache, digest, loads
from site_builder.model import Period, Project
from site_builder.scoring.results import PeriodResult

FORMAT = "1"
#: One folder per kind of compute, pruned on its own: published results, a preview with drafts.
FOLDERS = {False: ".site-builder/periods", True: ".site-builder/periods-drafts"}

_LOADED: weakref.WeakValueDictionary[int, Project] = weakref.WeakValueDictionary()


def loaded(project: Project) -> None:
    """Note that ``project`` is as the loader read it from its sources (called by load_project)."""
    _LOADED[id(project)] = project


def _is_loaded(project: Project) -> bool:
    return _LOADED.get(id(project)) is project


@dataclass(frozen=True)
class Hit:
    """One step read from the cache: its graded result and the state its scheme carries after it."""

    result: PeriodResult
    carried: bytes  # pickled (ledger, ranking state without honour streaks, honour streaks added)

    def state(self) -> tuple[object, dict, dict]:
        ledger, ranking, added = loads(self.carried)
        return ledger, ranking, added


class PeriodCache:
    """The chain keys of one compute, and its entries."""

    def __init__(self, entries: SourceCache, keys: list[str]) -> None:
        self.entries = entries
        self.keys = keys
        self.carried: dict[int, bytes] = {}  # step -> its carried state, for the entries written at the end

    @classmethod
    def open(cls, project: Project, include_drafts: bool, steps: list[Period],
             calendar: Callable[[], bytes]) -> PeriodCache | None:
        """The cache of this compute, or None (off, no secret, or a project not read from its sources).
        ``calendar``: the digest of calendar.yaml, which the rules read (workdays)."""
        if not _is_loaded(project):
            return None
        entries = SourceCache(project.root, folder=FOLDERS[include_drafts])
        if not entries.enabled:
            return None
        paths = {p.path for p in project.periods}
        if any(p.path not in project.sources for p in steps):
            return None
        project_wide = [name.encode() + b"\0" + digest(raw) for name, raw in project.sources.items()
                        if name not in paths and not name.startswith("content/")]
        key = SourceCache.key("period chain", FORMAT, "drafts" if include_drafts else "published", calendar(),
                              *sorted(project_wide))
        keys = []
        for p in steps:
            key = SourceCache.key("step", key, p.scheme, p.id, p.path, digest(project.sources[p.path]))
            keys.append(key)
        return cls(entries, keys)

    def hits(self, steps: list[Period]) -> list[Hit]:
        """The entries of the first steps, up to the first miss."""
        out: list[Hit] = []
        paused = gc.isenabled()
        gc.disable()  # unpickling makes many objects and no garbage
        try:
            for key, period in zip(self.keys, steps):
                hit = self._read(key, period)
                if hit is None:
                    break
                out.append(hit)
        finally:
            if paused:
                gc.enable()
        return out

    def _read(self, key: str, period: Period) -> Hit | None:
        got = self.entries.get(key)
        if not (isinstance(got, tuple) and len(got) == 4 and got[0] == FORMAT and got[1] == key):
            return None
        result, carried = got[2], got[3]
        if not (isinstance(result, PeriodResult) and isinstance(carried, bytes)
                and result.scheme == period.scheme and result.period == period.id):
            return None
        return Hit(result, carried)

    def carry(self, step: int, ledger: object, ranking: dict, added: dict) -> None:
        """The state after ``step``, taken now (the next steps change it)."""
        self.carried[step] = pickle.dumps((ledger, ranking, added), protocol=5)

    def save(self, results: list[PeriodResult], first: int) -> None:
        """After a compute without failures: write the steps from ``first`` on, keep those read,
        delete the rest of the folder."""
        for i in range(first):
            self.entries.keep(self.keys[i])
        for i in range(first, len(results)):
            self.entries.store(self.keys[i], (FORMAT, self.keys[i], results[i], self.carried[i]))
        self.entries.prune()
        self.carried.clear()
