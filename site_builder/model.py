"""The validated project: immutable objects every later stage reads.

Built by :mod:`site_builder.pipeline` from the files on disk after every check
passed; nothing here knows YAML marks or HTML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.schema.scheme import Indicator, Scheme, Tree
from site_builder.schema.scores import ScoresFile
from site_builder.schema.site import Site
from site_builder.schema.units import Unit
from site_builder.scoring.facts import Facts


@dataclass(frozen=True)
class SchemeVersion:
    """One version of one scheme (``schemes/<id>/<version>.yaml``)."""

    id: str
    version: str
    path: str  # relative to the project root, forward slashes
    scheme: Scheme
    trees: dict[str, Tree]  # tree id -> tree ("main" when the scheme has one tree)
    group_tree: dict[str, str]  # group id -> tree id
    unit_group: dict[str, str]  # unit id -> group id
    indicators: dict[str, dict[str, Indicator]]  # tree id -> indicator id -> node
    types: dict[str, dict[str, str]]  # tree id -> indicator id -> score | bonus | deduction
    chains: dict[str, dict[str, list[Indicator]]]  # tree id -> leaf id -> nodes from the top down
    # built from ``extends:``: the merged scheme written out in full (archived with published periods)
    full_text: bytes | None = None
    # made with the version (__post_init__): masked with it when names are masked (site/output/personal_names.py)
    rate_names: dict[str, dict[str, str]] = field(init=False, compare=False, repr=False)

    @property
    def start(self) -> dt.date:
        return self.scheme.effective.start

    def __post_init__(self) -> None:
        # made with the version, not on first use: an object pickled or digested before a page read it
        # and one pickled after would differ (a page's inputs are digested: site/output/digest.py)
        object.__setattr__(self, "rate_names", self._rate_names())

    def _rate_names(self) -> dict[str, dict[str, str]]:
        """Leaf id → {rate id: rate name} of the lines counted by rates (tally kinds), from the
        first tree that counts the line so (:attr:`rate_names`, made once per scheme version, not once
        per card line)."""
        out: dict[str, dict[str, str]] = {}
        for index in self.indicators.values():
            for line_id, node in index.items():
                if line_id not in out and node.rule is not None and hasattr(node.rule, "rate_list"):
                    out[line_id] = {r.id: r.name for r in node.rule.rate_list() if r.name}
        return out

    @property
    def until(self) -> dt.date | None:
        return self.scheme.effective.until


@dataclass(frozen=True)
class Period:
    """One period file (``scores/<scheme>/<period>.yaml``)."""

    scheme: str
    version: str
    id: str
    name: str  # e.g. "2017年第三季度"
    name_en: str  # e.g. "Q3 2017"
    start: dt.date
    end: dt.date
    stage: str | None
    path: str
    scores: ScoresFile  # the file as checked: its units' facts as written are dropped (``facts`` holds them validated)
    facts: dict[str, dict[str, Facts]]  # unit -> leaf id -> validated facts

    @property
    def status(self) -> str:
        return self.scores.status


@dataclass(frozen=True)
class Project:
    root: Path
    site: Site
    units: dict[str, Unit]
    schemes: dict[str, dict[str, SchemeVersion]]  # scheme id -> version -> SchemeVersion (versions sorted by start date)
    periods: tuple[Period, ...]  # sorted by (scheme, start)
    sources: dict[str, bytes] = field(default_factory=dict)  # every source file read: path -> bytes

    def unit_name(self, unit_id: str, on: dt.date) -> str:
        """The unit's name as it was on a date (old names stay on old notices)."""
        unit = self.units[unit_id]
        for former in sorted(unit.former_names, key=lambda f: f.until):
            if on <= former.until:
                return former.name
        return unit.name

    def current_version(self, scheme_id: str) -> SchemeVersion:
        versions = list(self.schemes[scheme_id].values())
        return versions[-1]
