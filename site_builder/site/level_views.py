"""Levels (等次) on the pages: the notice's table and level list, the card's reasons, the scheme page.

With ``show: level`` the notice lists units by level (best first, then by
name) without the total, the rank or the points of each line: a place or a
total beside a level would be read as the result.  With ``show: both`` the
ranking table gains a level column.  Either way each level is listed under
the table with its units and its rewards (“五星：…（奖励每人 500 元）”).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from site_builder.model import Period, SchemeVersion
from site_builder.ranking import levels
from site_builder.scoring.results import PeriodResult
from site_builder.site.data import SiteData
from site_builder.site.tables import GroupTable, LevelLine


def with_levels(data: SiteData, period: Period, table: GroupTable) -> GroupTable:
    """The group's table with each unit's level, the levels listed, ordered by level for ``show: level``."""
    sv = data.version_of(period)
    grades = sv.scheme.grades
    assert grades is not None
    result = data.result(period)
    loc = data.locale
    rows = []
    for r in table.rows:
        got = result.levels.get(r.unit)
        rows.append(replace(r, level=got.name if got else None,
                            reward=levels.reward_text(sv, got.level, loc) if got else None))
    if grades.show == "level":
        order = {u: lv.order for u, lv in result.levels.items()}
        rows.sort(key=lambda r: (order.get(r.unit, len(grades.levels)), r.name, r.unit))
    lines = []
    for lv in grades.levels:
        given = sorted((r.name, r.unit) for r in table.rows if (x := result.levels.get(r.unit)) and x.level == lv.id)
        lines.append(LevelLine(lv.id, lv.name, tuple(name for name, _ in given), levels.reward_text(sv, lv.id, loc)))
    return replace(
        table, rows=tuple(rows), show=grades.show, levels=tuple(lines),
        others=() if grades.show == "level" else table.others,
    )


@dataclass(frozen=True)
class CardLevel:
    """The unit's level on its score card, with the reasons in words."""

    name: str
    reward: str
    reasons: tuple[str, ...]
    show: str  # level | both


def card_level(data: SiteData, sv: SchemeVersion, result: PeriodResult, unit: str) -> CardLevel | None:
    grades = sv.scheme.grades
    got = result.levels.get(unit)
    if grades is None or got is None:
        return None
    loc = data.locale
    return CardLevel(got.name, levels.reward_text(sv, got.level, loc),
                     levels.explain(sv, got, result.units[unit], loc), grades.show)


@dataclass(frozen=True)
class LevelRule:
    """One level as the scheme page states it."""

    id: str
    name: str
    condition: str  # the condition as written (describe), or “其余单位”
    legend: str  # what each name of the condition means: “total：总分；…”
    reward: str
    description: str | None


def scheme_levels(sv: SchemeVersion, locale: str) -> dict | None:
    """The levels of the scheme page: how the result is shown, each level's condition and rewards."""
    grades = sv.scheme.grades
    if grades is None:
        return None
    rules = []
    for lv in grades.levels:
        cond = levels.condition_text(lv.when, locale) if lv.when else levels.say(locale, "level.default")
        legend = levels.legend(sv, lv.when, locale) if lv.when else ""
        rules.append(LevelRule(lv.id, lv.name, cond, legend, levels.reward_text(sv, lv.id, locale), lv.description))
    vetoed = next((lv.name for lv in grades.levels if lv.id == grades.vetoed), None)
    return {
        "show": levels.say(locale, f"level.show.{grades.show}"),
        "rules": tuple(rules),
        "vetoed": levels.say(locale, "level.vetoed") if vetoed else None,
        "vetoed_level": vetoed,
    }
