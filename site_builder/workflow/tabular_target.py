"""The period a sheet is for: project, scheme version, period file and what it records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder import messages, periods
from site_builder.errors import InputError, Mark, Problems
from site_builder.model import Period, Project, SchemeVersion
from site_builder.pipeline import _guess_locale, load_project


@dataclass
class Target:
    project: Project
    sv: SchemeVersion
    scheme: str
    period: str
    period_name: str
    start: dt.date
    end: dt.date
    stage: str | None
    path: Path  # scores/<scheme>/<period>.yaml (may not exist yet)
    display: str
    loaded: Period | None
    units: dict[str, Any]  # unit id -> entry as plain Python (empty when no file)
    unit_group: dict[str, str]  # units of this period (retired ones left out)

    @property
    def locale(self) -> str:
        return self.project.site.locale


def load_target(root: Path, scheme: str, period: str, locale: str | None = None) -> Target:
    """Load the project and find the scheme version in force for ``period``; InputError if impossible."""
    problems = Problems()
    project = load_project(root, problems)
    loc = locale or (project.site.locale if project else _guess_locale(root))
    if project is None:
        raise InputError(problems.sorted(), loc)
    versions = project.schemes.get(scheme)
    if versions is None:
        known = sorted(project.schemes)
        problems.add("project.unknown_scheme", Mark("--scheme"), scheme=scheme,
                     known=", ".join(known), **messages.did_you_mean(scheme, known))
        raise InputError(problems.sorted(), loc)
    loaded = next((p for p in project.periods if p.scheme == scheme and p.id == period), None)
    if loaded is not None:
        sv = versions[loaded.version]
        parsed = (loaded.start, loaded.end, loaded.name)
    else:
        sv, parsed = None, None
        for v in reversed(list(versions.values())):
            got = periods.parse_period(period, v.scheme.period)
            if got is None:
                continue
            start, end = got[0], got[1]
            eff = v.scheme.effective
            if start >= eff.start and (eff.until is None or end <= eff.until):
                sv, parsed = v, (start, end, got[2])
                break
        if sv is None:
            kind = list(versions.values())[-1].scheme.period.kind
            problems.add("sheet.no_version", Mark(scheme), scheme=scheme, period=period,
                         example=periods.example(kind))
            raise InputError(problems.sorted(), loc)
    start, end, name = parsed
    stage = periods.stage_of(start, end, sv.scheme.period)
    if loaded is not None:
        path = project.root / loaded.path
        display = loaded.path
    else:
        display = f"scores/{scheme}/{period}.yaml"
        path = project.root / display
    units: dict[str, Any] = {}
    if path.exists():
        from site_builder.workflow.periodfile import PeriodFile

        got = PeriodFile.read(path).get("units")
        if isinstance(got, dict):
            units = {str(k): (v if isinstance(v, dict) else {}) for k, v in got.items()}
    unit_group = {}
    for uid, g in sv.unit_group.items():
        retired = project.units[uid].retired if uid in project.units else None
        if retired is not None and retired.date <= start:
            continue
        unit_group[uid] = g
    return Target(project, sv, scheme, period, name, start, end, stage, path, display, loaded, units, unit_group)


def ordered_units(t: Target) -> list[tuple[str, str]]:
    """(unit id, group id) in the scheme's group order, then as listed in each group."""
    out = []
    for g in t.sv.scheme.groups:
        for uid in g.units:
            if uid in t.unit_group and t.unit_group[uid] == g.id:
                out.append((uid, g.id))
    return out
