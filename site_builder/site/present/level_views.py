"""Levels (等次) in words and on the pages: the notice's table and level list, the card's
reasons (each condition tried, with the figures it read), the scheme page, the rewards.

With ``show: level`` the notice lists units by level (best first, then by
name) without the total, the rank or the points of each line: a place or a
total beside a level would be read as the result.  With ``show: both`` the
ranking table gains a level column.  Either way each level is listed under
the table with its units and its rewards (“五星：…（奖励每人 500 元）”).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from site_builder import messages
from site_builder.model import Period, Project, SchemeVersion
from site_builder.ranking.levels import FACT_NUMBERS, compile_condition
from site_builder.scoring.formula import describe
from site_builder.scoring.history import input_prefix
from site_builder.scoring.results import PeriodResult, UnitLevel, UnitResult
from site_builder.site.data import SiteData
from site_builder.site.present.tables import GroupTable, LevelLine

messages.register(
    {
        # the score card: why the unit has its level (figures in brackets)
        "explain.level_held": (
            "评为“{level}”：满足条件 {when}（{figures}）",
            "",
            "{level}: the condition {when} holds ({figures})",
            "",
        ),
        "explain.level_missed": (
            "未评为“{level}”：不满足条件 {when}（{figures}）",
            "",
            "not {level}: the condition {when} does not hold ({figures})",
            "",
        ),
        "explain.level_default": (
            "评为“{level}”：未满足以上等次的条件",
            "",
            "{level}: none of the conditions above holds",
            "",
        ),
        "explain.level_vetoed": (
            "评为“{level}”：{vetoed}（{items}）",
            "",
            "{level}: {vetoed_en} ({items})",
            "",
        ),
        "level.reward": ("{name}每{per} {amount} {currency}", "", "{name}: {amount} {currency} per {per}", ""),
        "level.default": ("其余单位", "", "all other units", ""),
        "level.vetoed": ("{vetoed}的单位", "", "units {vetoed_en}", ""),
        "level.show.level": ("以等次公布考核结果，不公布总分和名次。", "", "The result is published as a level, without totals or ranks.", ""),
        "level.show.both": ("考核结果公布总分、名次和等次。", "", "The result is published as totals, ranks and levels.", ""),
        "level.flag.yes": ("是", "", "yes", ""),
        "level.flag.no": ("否", "", "no", ""),
        "level.word.total": ("总分", "", "total", ""),
        "level.word.max_total": ("满分", "", "maximum", ""),
        "level.word.bonus": ("加分", "", "bonus", ""),
        "level.word.deduction": ("扣分", "", "deductions", ""),
        "level.word.rank": ("名次", "", "rank", ""),
        "level.word.ratio": ("名次比例", "", "rank ratio", ""),
        "level.word.group_size": ("参加排名的单位数", "", "units ranked", ""),
        "level.word.vetoed": ("{vetoed}", "", "{vetoed_en}", ""),
        # each veto worded by its consequence (``called``), a mix of them by a neutral word
        "level.vetoed.veto": ("受一票否决", "", "under a one-vote veto", ""),
        "level.vetoed.no_excellence": ("受一票否优", "", "barred from excellence", ""),
        "level.vetoed.ineligible": ("被取消评选资格", "", "not eligible for selection", ""),
        "level.vetoed.mixed": ("有否决事项", "", "vetoed", ""),
        "level.word.disqualified": ("取消评先资格", "", "not eligible for honours", ""),
        "level.word.line": ("“{line}”得分", "", "points of “{line}”", ""),
        "level.word.fact": ("“{line}”的{fact}", "", "{fact} of “{line}”", ""),
        "level.figure": ("{word} {value}", "", "{word} {value}", ""),
        "level.word.held": ("获得“{name}”的期数", "", "periods holding “{name}”", ""),
        "level.word.run": ("连续获得“{name}”的最多期数", "", "longest run holding “{name}”", ""),
        "level.word.first": ("排名第一的期数", "", "periods ranked first", ""),
        "level.word.first_in": ("在“{name}”中排名第一的期数", "", "periods ranked first in “{name}”", ""),
        "level.word.periods": ("参加考核的期数", "", "periods assessed", ""),
        "level.word.total_sum": ("各期总分合计", "", "sum of the totals", ""),
        "level.word.total_mean": ("各期平均总分", "", "mean of the totals", ""),
        "level.word.input": ("“{source}”中{word}", "", "{word} in “{source}”", ""),
        "level.word.line_count": ("{test}的期数", "", "periods with {test}", ""),
        "level.word.line_count_run": ("连续{test}的最多期数", "", "longest run of periods with {test}", ""),
        "level.word.vetoed_periods": ("受一票否决的期数", "", "periods under a one-vote veto", ""),
        "level.fact.points": ("评分", "", "points recorded", ""),
        "level.fact.value": ("数值", "", "value", ""),
        "level.fact.count": ("次数", "", "count", ""),
        "level.fact.actual": ("实际完成数", "", "actual", ""),
        "level.fact.target": ("目标数", "", "target", ""),
        "level.fact.incidents": ("件次", "", "incidents", ""),
        "level.fact.events": ("记录的事项数", "", "events recorded", ""),
    }
)


def say(locale: str, code: str, **params: object) -> str:
    return messages.get(code).render(locale, params)[0]


def read_schemes(project: Project, sv: SchemeVersion, on: dt.date | None = None) -> dict[str, SchemeVersion]:
    """The version of every scheme ``sv`` reads (its ``inputs``) in force ``on`` a day (the last one
    begun by then; None: the current one), for its title and the names of its honours."""
    out: dict[str, SchemeVersion] = {}
    for i in sv.scheme.inputs:
        versions = list(project.schemes.get(i.scheme, {}).values())
        begun = [v for v in versions if on is None or v.start <= on]
        if begun or versions:
            out[i.scheme] = (begun or versions)[-1]
    return out


def name_words(name: str, sv: SchemeVersion, locale: str, read: Mapping[str, SchemeVersion] | None = None) -> str:
    """A condition's name as a reader says it: total → 总分, line.x → “工作纪律”得分; ``read``: the input
    schemes (:func:`read_schemes`), whose honours and rankings ``monthly.held.flag`` names."""
    kind, _, rest = name.partition(".")
    inputs = {input_prefix(i.scheme, i.as_): i for i in sv.scheme.inputs}
    if kind in inputs and rest:  # another scheme's history: “月度考核”中受一票否决的期数
        inp = inputs[kind]
        what, _, ref = rest.partition(".")
        other = (read or {}).get(inp.scheme)
        if other is not None:
            ref = {x.id: x.name for x in (*other.scheme.honours, *other.scheme.rankings)}.get(ref, ref)
        word = (say(locale, f"level.word.{what}", name=ref) if ref and what in ("held", "run")
                else say(locale, "level.word.first_in", name=ref) if ref and what == "first"
                else say(locale, "level.word.vetoed_periods") if rest == "vetoed"
                else say(locale, f"level.word.{rest}") if messages.known(f"level.word.{rest}") else rest)
        source = inp.name or (other.scheme.short_title or other.scheme.title if other is not None else inp.scheme)
        return say(locale, "level.word.input", source=source, word=word)
    line_names = {i: n.name for index in sv.indicators.values() for i, n in index.items()}
    counts = {lc.as_: lc for lc in (sv.scheme.grades.line_counts if sv.scheme.grades is not None else [])}
    if kind in counts and rest in ("", "run"):  # grades.line_counts: “纪律”得分低于180分的期数
        test = counts[kind].words(line_names.get(counts[kind].id, counts[kind].id), locale)
        return say(locale, "level.word.line_count_run" if rest else "level.word.line_count", test=test)
    if kind == "line":
        return say(locale, "level.word.line", line=line_names.get(rest, rest))
    if kind == "facts":
        lid, _, fact = rest.partition(".")
        word = say(locale, f"level.fact.{fact}") if fact in FACT_NUMBERS else fact
        return say(locale, "level.word.fact", line=line_names.get(lid, lid), fact=word)
    if kind in ("held", "run") and rest:
        names = {h.id: h.name for h in sv.scheme.honours}
        return say(locale, f"level.word.{kind}", name=names.get(rest, rest))
    if kind == "first" and rest:
        names = {r.id: r.name for r in sv.scheme.rankings}
        return say(locale, "level.word.first_in", name=names.get(rest, rest))
    if name == "vetoed":
        return say(locale, "level.word.vetoed", **vetoed_words(v.called for v in sv.scheme.vetoes))
    return say(locale, f"level.word.{name}") if messages.known(f"level.word.{name}") else name


def vetoed_words(called: Iterable[str]) -> dict[str, str]:
    """“受一票否优” for vetoes all called 一票否优, “有否决事项” for a mix: the params ``vetoed``/``vetoed_en``."""
    kinds = set(called) or {"veto"}
    code = f"level.vetoed.{kinds.pop()}" if len(kinds) == 1 else "level.vetoed.mixed"
    return {"vetoed": say("zh-CN", code), "vetoed_en": say("en", code)}


def figure_text(value: Decimal | bool, locale: str) -> str:
    if isinstance(value, bool):
        return say(locale, "level.flag.yes" if value else "level.flag.no")
    return format(value.normalize() if value == value.to_integral_value() else value, "f")


def _shown(name: str, value: Decimal | bool, given: Mapping[str, Decimal | bool], locale: str) -> str:
    """A figure as the card shows it: a ratio as rank/group size (2/3, not 0.666…)."""
    if name == "ratio" and "rank" in given and "group_size" in given:
        return f"{figure_text(given['rank'], locale)}/{figure_text(given['group_size'], locale)}"
    return figure_text(value, locale)


def condition_text(when: str, locale: str) -> str:
    """The condition as :func:`~site_builder.scoring.formula.describe` writes it (且/或 in Chinese)."""
    text = describe(compile_condition(when), locale)  # “如果(<condition>, 1, 0)”
    start, tail = text.index("(") + 1, ", 1, 0)"
    assert text.endswith(tail)
    return text[start:-len(tail)]


def legend(sv: SchemeVersion, when: str, locale: str, read: Mapping[str, SchemeVersion] | None = None) -> str:
    """What each name of a condition means, for the scheme page: “total：总分；line.x：“工作纪律”得分”."""
    colon, sep = ("：", "；") if locale != "en" else (": ", "; ")
    return sep.join(f"{n}{colon}{name_words(n, sv, locale, read)}" for n in sorted(compile_condition(when).names))


def explain(sv: SchemeVersion, level: UnitLevel, u: UnitResult, locale: str,
            read: Mapping[str, SchemeVersion] | None = None) -> tuple[str, ...]:
    """The sentences of the score card: each condition tried, with the figures it read."""
    grades = sv.scheme.grades
    assert grades is not None
    by_id = {lv.id: lv for lv in grades.levels}
    sep = "，" if locale != "en" else ", "
    out = []
    for t in level.tests:
        lv = by_id[t.level]
        given = dict(t.figures)
        figures = sep.join(say(locale, "level.figure", word=name_words(n, sv, locale, read), value=_shown(n, v, given, locale))
                           for n, v in t.figures)
        code = "explain.level_held" if t.held else "explain.level_missed"
        out.append(say(locale, code, level=lv.name, when=condition_text(lv.when or "", locale), figures=figures))
    if level.how == "default":
        out.append(say(locale, "explain.level_default", level=level.name))
    elif level.how == "vetoed":
        items = (sep).join(v.name for v in u.vetoes)
        out.append(say(locale, "explain.level_vetoed", level=level.name, items=items,
                       **vetoed_words(v.called for v in u.vetoes)))
    return tuple(out)


def reward_text(sv: SchemeVersion, level_id: str, locale: str) -> str:
    grades = sv.scheme.grades
    if grades is None:
        return ""
    lv = next((x for x in grades.levels if x.id == level_id), None)
    if lv is None:
        return ""
    sep = "；" if locale != "en" else "; "
    return sep.join(say(locale, "level.reward", name=r.name, per=r.per, amount=figure_text(r.amount, locale),
                        currency=r.currency) for r in lv.rewards)



# ---------------------------------------------------------------- pages


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
                            reward=reward_text(sv, got.level, loc) if got else None))
    if grades.show == "level":
        order = {u: lv.order for u, lv in result.levels.items()}
        rows.sort(key=lambda r: (order.get(r.unit, len(grades.levels)), r.name, r.unit))
    lines = []
    for lv in grades.levels:
        given = sorted((r.name, r.unit) for r in table.rows if (x := result.levels.get(r.unit)) and x.level == lv.id)
        lines.append(LevelLine(lv.id, lv.name, tuple(name for name, _ in given), reward_text(sv, lv.id, loc),
                               tuple(uid for _, uid in given)))
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
    return CardLevel(got.name, reward_text(sv, got.level, loc),
                     explain(sv, got, result.units[unit], loc, read_schemes(data.project, sv, result.end)), grades.show)


@dataclass(frozen=True)
class LevelRule:
    """One level as the scheme page states it."""

    id: str
    name: str
    condition: str  # the condition as written (describe), or “其余单位”
    legend: str  # what each name of the condition means: “total：总分；…”
    reward: str
    description: str | None


def scheme_levels(sv: SchemeVersion, locale: str, read: Mapping[str, SchemeVersion] | None = None) -> dict | None:
    """The levels of the scheme page: how the result is shown, each level's condition and rewards."""
    grades = sv.scheme.grades
    if grades is None:
        return None
    rules = []
    for lv in grades.levels:
        cond = condition_text(lv.when, locale) if lv.when else say(locale, "level.default")
        names = legend(sv, lv.when, locale, read) if lv.when else ""
        rules.append(LevelRule(lv.id, lv.name, cond, names, reward_text(sv, lv.id, locale), lv.description))
    vetoed = next((lv.name for lv in grades.levels if lv.id == grades.vetoed), None)
    return {
        "show": say(locale, f"level.show.{grades.show}"),
        "rules": tuple(rules),
        "vetoed": say(locale, "level.vetoed", **vetoed_words(v.called for v in sv.scheme.vetoes)) if vetoed else None,
        "vetoed_level": vetoed,
    }
