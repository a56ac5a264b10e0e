"""Everything a page kind may read, gathered once and never mutated.

:class:`SiteData` wraps the validated project, the engine's results and the
build options (``as_of``, preview) and answers the questions every page asks:
which periods are visible, what a notice's effective status is, a unit's name
on a date, whether a page shows sample data.  Page kinds receive it as an
explicit argument; there is no module-level state.

Dates are dates in China (Asia/Shanghai, UTC+8 all year, no daylight saving
time): ``SOURCE_DATE_EPOCH`` is turned into the date it is in Shanghai at that
second, whatever the machine's time zone.  A notice (公示 or 通报) dated after
the as-of date is under embargo: it is left out of the site entirely, as if it
were a draft, until a build on or after its date (a preview shows it as a
draft).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from site_builder import messages
from site_builder.model import Period, Project, SchemeVersion
from site_builder.scoring.results import GroupRanking, PeriodResult, RankEntry, UnitResult
from site_builder.site import paths
from site_builder.site.clock import SHANGHAI, today
from site_builder.site.failures import fail
from site_builder.site.records.gitversion import BuildVersion
from site_builder.site.records.versions import NoticeHistory, NoticeVersion

messages.register(
    {
        "site.bad_source_date_epoch": (
            "环境变量 SOURCE_DATE_EPOCH 的值“{value}”无效：{why}",
            "应为 1970-01-01 以来的秒数（0 到 {max} 的整数），如 1509467400；不需要时请删除该变量",
            "the environment variable SOURCE_DATE_EPOCH is invalid (“{value}”): {why_en}",
            "it must be the seconds since 1970-01-01 (a whole number from 0 to {max}), e.g. 1509467400; unset it if not needed",
        ),
    }
)

# 9999-12-31 23:59:59 in Shanghai: the last second a date can be made of
MAX_EPOCH = 253402271999


@dataclass(frozen=True)
class Options:
    as_of: dt.date
    preview: bool = False
    serve: bool = False  # inject the live-reload script (``site-builder serve`` only)


@dataclass(frozen=True)
class SiteData:
    project: Project
    results: Mapping[tuple[str, str], PeriodResult]
    options: Options
    version: BuildVersion
    content: Mapping[str, bytes] = field(default_factory=dict)  # content/ files read: path -> bytes
    # corrected notices: (scheme, period) -> every published version (see .versions)
    histories: Mapping[tuple[str, str], NoticeHistory] = field(default_factory=dict)
    archive: Mapping[str, bytes] = field(
        default_factory=dict
    )  # published/ files read: path -> bytes
    # set while rendering an earlier version of one notice: (scheme, period, n)
    earlier: tuple[str, str, int] | None = None

    # -- site ------------------------------------------------------------
    @property
    def locale(self) -> str:
        return self.project.site.locale

    @property
    def en(self) -> bool:
        return self.locale == "en"

    # -- periods ---------------------------------------------------------
    @property
    def periods(self) -> tuple[Period, ...]:
        """Periods that are published on the site (drafts and embargoed notices only in preview)."""
        return tuple(
            p
            for p in self.project.periods
            if (self.status(p) != "draft" or self.options.preview)
            and (p.scheme, p.id) in self.results
        )

    def embargoed(self, period: Period) -> bool:
        """A notice dated after the as-of date: not published until that date."""
        return period.status != "draft" and self.notice_date(period) > self.options.as_of

    def embargoed_periods(self) -> tuple[Period, ...]:
        return tuple(p for p in self.project.periods if self.embargoed(p))

    def periods_of(self, scheme_id: str) -> tuple[Period, ...]:
        return tuple(p for p in self.periods if p.scheme == scheme_id)

    def status(self, period: Period) -> str:
        """draft | public_notice | published — a 公示 whose window ended is a 通报.

        A notice under embargo (dated after the as-of date) is a draft.
        """
        s = period.status
        if self.embargoed(period):
            return "draft"
        window = period.scores.public_notice
        if s == "public_notice" and window is not None and self.options.as_of > window.until:
            return "published"
        return s

    def label_status(self, period: Period) -> str:
        """Status as shown on a tag: ``final`` for a 公示 whose window has passed."""
        s = self.status(period)
        return "final" if s == "published" and period.status == "public_notice" else s

    def notice_date(self, period: Period) -> dt.date:
        n = period.scores.notice
        if n is not None:
            return n.date
        if period.scores.public_notice is not None:
            return period.scores.public_notice.start
        return period.end

    def notices_latest_first(self) -> list[Period]:
        return sorted(
            self.periods, key=lambda p: (self.notice_date(p), p.scheme, p.id), reverse=True
        )

    def result(self, period: Period) -> PeriodResult:
        return self.results[(period.scheme, period.id)]

    def version_of(self, period: Period) -> SchemeVersion:
        return self.project.schemes[period.scheme][period.version]

    def previous(self, period: Period) -> Period | None:
        prev = self.result(period).previous
        return (
            next((p for p in self.periods_of(period.scheme) if p.id == prev), None)
            if prev
            else None
        )

    # -- versions of corrected notices ------------------------------------
    def history(self, period: Period) -> NoticeHistory | None:
        return self.histories.get((period.scheme, period.id))

    def shown_version(self, period: Period) -> int | None:
        """The earlier version of ``period`` this view renders (None: the current one)."""
        if self.earlier is not None and self.earlier[:2] == (period.scheme, period.id):
            return self.earlier[2]
        return None

    def as_version(self, version: NoticeVersion) -> SiteData:
        """This site as it was when ``version`` was published, for that notice's pages.

        The notice body is the one archived with the version, under the path its
        period file names (versions locked before bodies were archived keep the
        body in content/).
        """
        p = version.period
        content = self.content
        body = p.scores.notice.body if p.scores.notice else None
        if body and version.body is not None:
            content = {**self.content, f"content/{body}": version.body}
        return replace(
            self,
            project=version.project,
            results=version.results,
            content=content,
            earlier=(p.scheme, p.id, version.n),
        )

    def notice_target(self, period: Period) -> str:
        return paths.notice(period.scheme, period.id, self.shown_version(period))

    def card_target(self, unit: str, period: Period) -> str:
        return paths.scorecard(unit, period.scheme, period.id, self.shown_version(period))

    def download_target(self, period: Period, ext: str, part: str | None = None) -> str:
        return paths.download(period.scheme, period.id, ext, self.shown_version(period), part)

    # -- names -----------------------------------------------------------
    def unit_name(self, unit_id: str, on: dt.date) -> str:
        return self.project.unit_name(unit_id, on)

    def scheme_title(self, sv: SchemeVersion) -> str:
        return sv.scheme.short_title or sv.scheme.title

    def period_name(self, period: Period) -> str:
        """The period as the site's language writes it: 2017年第三季度 / Q3 2017."""
        return period.name_en if self.en else period.name

    def notice_title(self, period: Period) -> str:
        n = period.scores.notice
        if n is not None and n.title:
            return n.title
        sv = self.version_of(period)
        kind = self.status(period)
        if self.en:
            word = {"public_notice": "public notice", "published": "results", "draft": "draft"}[
                kind
            ]
            return f"{self.scheme_title(sv)}: {period.name_en} {word}"
        word = {"public_notice": "公示", "published": "通报", "draft": "通报（草稿）"}[kind]
        return f"关于{period.name}{self.assessment_name(sv)}结果的{word}"

    def assessment_name(self, sv: SchemeVersion) -> str:
        """“机关效能考核” from “机关效能考核办法”: the name of the assessment itself.  A declared
        ``short_title`` is the base; else the title without a closing parenthetical (a revision
        note: “…考核办法（2025年修订）” names the same assessment as “…考核办法”)."""
        name = sv.scheme.short_title or _without_note(sv.scheme.title)
        for suffix in ("实施办法", "实施细则", "办法", "细则", "方案"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        return name if name.endswith(("考核", "考评", "评议", "评估")) else name + "考核"

    # -- sample data -----------------------------------------------------
    def period_sample(self, period: Period) -> bool:
        return bool(
            self.project.site.sample
            or period.scores.sample
            or self.version_of(period).scheme.sample
        )

    def scheme_sample(self, sv: SchemeVersion) -> bool:
        return bool(self.project.site.sample or sv.scheme.sample)

    def any_sample(self) -> bool:
        return self.project.site.sample or any(self.period_sample(p) for p in self.periods)

    # -- rankings --------------------------------------------------------
    def _lead(self, result: PeriodResult, group: str) -> GroupRanking | None:
        """The first ranking of the group on the period's own totals (else its first ranking)."""
        ranks = [r for r in result.rankings if r.group == group]
        return next((r for r in ranks if r.basis == "period"), ranks[0] if ranks else None)

    def main_ranking(self, result: PeriodResult, group: str) -> GroupRanking | None:
        """The ranking a notice leads with: the first on the period's own totals; None when that one
        ranks within sub-categories (see :meth:`category_rankings`)."""
        lead = self._lead(result, group)
        return lead if lead is not None and lead.category is None else None

    def category_rankings(self, result: PeriodResult, group: str) -> list[GroupRanking]:
        """The sub-category slots of the group's leading ranking when it ranks within categories
        (“专业部门、其他部门分别排名”): the notice, the card and the unit page then show each unit's
        place within its category."""
        lead = self._lead(result, group)
        if lead is None or lead.category is None:
            return []
        return [r for r in result.rankings if r.group == group and r.ranking == lead.ranking]

    def unit_ranking(self, result: PeriodResult, unit: str) -> GroupRanking | None:
        """The ranking a unit's place is shown from: its group's main ranking, or else its category's."""
        u = result.units.get(unit)
        if u is None:
            return None
        main = self.main_ranking(result, u.group)
        if main is not None:
            return main
        return next((r for r in self.category_rankings(result, u.group)
                     if any(e.unit == unit for e in r.entries) or any(x == unit for x, _ in r.unranked)), None)

    def rank_entry(self, result: PeriodResult, unit: str) -> RankEntry | None:
        ranking = self.unit_ranking(result, unit)
        if ranking is None:
            return None
        return next((e for e in ranking.entries if e.unit == unit), None)

    def honours_of(self, result: PeriodResult, unit: str) -> list[tuple[str, str, int]]:
        """(name, kind, streak) of every honour or sanction the unit received."""
        out = []
        for h in result.honours:
            if unit in h.chosen:
                out.append((h.name, h.kind, h.streaks.get(unit, 0)))
        return out

    def group_name(self, sv: SchemeVersion, group_id: str) -> str:
        return next((g.name for g in sv.scheme.groups if g.id == group_id), group_id)


def unit_total(u: UnitResult) -> Decimal | None:
    return u.total if u.status == "assessed" else None


def source_date(locale: str) -> dt.date | None:
    """The date in Shanghai of ``SOURCE_DATE_EPOCH`` (None when unset or empty).

    Anything but a whole number of seconds from 0 to :data:`MAX_EPOCH` is
    refused with a message naming the variable (the reproducible-builds rule:
    a malformed value must fail the build, not be ignored).
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    why = None
    if re.fullmatch(r"-\s*[0-9]+", text):
        why = ("不能是负数", "it is negative")
    elif not re.fullmatch(r"[0-9]+", text):
        why = ("不是整数秒数", "it is not a whole number of seconds")
    elif len(text) > 12 or int(text) > MAX_EPOCH:
        why = ("超出可用范围（晚于 9999 年）", "it is out of range (after the year 9999)")
    if why is not None:
        shown = "".join(ch if ch.isprintable() else "?" for ch in raw)
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        fail(
            "site.bad_source_date_epoch",
            locale,
            None,
            value=shown,
            why=why[0],
            why_en=why[1],
            max=MAX_EPOCH,
        )
    return dt.datetime.fromtimestamp(int(text), tz=SHANGHAI).date()


def default_as_of(project: Project) -> dt.date:
    """The as-of date of a build without ``--as-of``.

    ``SOURCE_DATE_EPOCH``'s date in Shanghai when the variable is set (a
    reproducible build gets the same site whenever it runs), else today in
    Shanghai (:func:`today`): a 公示 turns into the 通报 the day after its
    window ends, and a notice dated in the future appears on its day.
    """
    epoch = source_date(project.site.locale)
    if epoch is not None:
        return epoch
    return today()


def as_of_source(explicit: dt.date | None) -> str:
    """Where the as-of date of a build came from: ``option``, ``epoch`` or ``today``."""
    if explicit is not None:
        return "option"
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    return "epoch" if raw is not None and raw.strip() else "today"


def latest_notice_date(project: Project) -> dt.date:
    """The newest notice (or 公示 start) date of the project (1970-01-01 without any)."""
    dates = []
    for p in project.periods:
        if p.status == "draft":
            continue
        if p.scores.notice is not None:
            dates.append(p.scores.notice.date)
        if p.scores.public_notice is not None:
            dates.append(p.scores.public_notice.start)
    return max(dates, default=dt.date(1970, 1, 1))


def _without_note(title: str) -> str:
    """“各区县营商环境季度考核办法” from “各区县营商环境季度考核办法（2025年修订）”: a title ending with a
    parenthetical (full-width or ASCII brackets) loses it, unless that would leave nothing."""
    for open_, close in (("（", "）"), ("(", ")")):
        if title.endswith(close) and open_ in title:
            head = title[: title.rindex(open_)].rstrip()
            if head:
                return head
    return title
