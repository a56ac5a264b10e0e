"""A due date: “按时完成得满分，每逾期1天扣0.5分，扣完为止”.

The scheme declares the due date (``due``): a date, ``period_end`` (the last
day of the period being scored) or ``recorded`` (each unit's period file
records its own ``due``).  The period file records the completion date
(``done_on``), or ``done: false`` when the work was not done by the period end.

Days late are the days after the due date up to and including the completion
date: calendar days, or working days on the official calendar (法定节假日与调休,
the project's ``calendar.yaml`` included) with ``days: working``.  Each day
late costs ``per_day`` points, the line's maximum being the limit (a score
line falls to 0 at most, a deduction line deducts its maximum at most).

Not done by the period end — ``done: false``, or a completion date after the
period's last day — has the consequence ``not_done`` declares: ``lose_all``
(the default: a score line scores 0, a deduction line deducts its maximum) or
``count_to_end`` (days late counted up to the period's last day).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, ClassVar, Literal, Union

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from site_builder import messages
from site_builder.schema.types import NonNeg, Text, _date
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.base import (
    ZERO,
    LineSpec,
    Outcome,
    Report,
    Rule,
    clamp,
    default_bounds,
    fmt,
    pick,
    rule_kind,
    step,
)

messages.register(
    {
        "rule.deadline_needs_max": (
            "扣分项按逾期天数扣分时须写明扣分上限 max",
            "请在本项写 max（最多扣多少分）",
            "a deduction line counting days late needs its limit max",
            "write max on the line (the most that can be deducted)",
        ),
        "rule.deadline_bad_due": (
            "完成期限“{text}”既不是日期，也不是 period_end 或 recorded",
            "请写日期（如 2024-01-20）、period_end（考核期最后一天）或 recorded（逐单位记录）",
            "the due date “{text}” is neither a date nor period_end or recorded",
            "write a date (e.g. 2024-01-20), period_end (the period's last day) or recorded (recorded per unit)",
        ),
        "rule.deadline_end_count": (
            "期限是考核期最后一天时，未完成的逾期天数计至考核期末总是 0 天",
            "请改写 not_done: lose_all（未完成的扣完），或写明具体的完成期限",
            "with the period's last day as the due date, days late counted to the period end are always 0",
            "write not_done: lose_all, or give the due date",
        ),
        "facts.deadline_missing": (
            "缺少完成日期 done_on：本项的计分规则（deadline）需要它",
            "请写完成日期，如 done_on: 2026-12-18；考核期末仍未完成的写 done: false",
            "the completion date done_on is missing: this line's rule (deadline) needs it",
            "write the completion date, e.g. done_on: 2026-12-18; write done: false if it was not done by the period end",
        ),
        "facts.deadline_conflict": (
            "同时写了完成日期 {done_on} 和 done: false",
            "已完成的只写 done_on，未完成的只写 done: false",
            "both a completion date {done_on} and done: false are recorded",
            "write only done_on when it was done, only done: false when it was not",
        ),
        "facts.deadline_due_missing": (
            "缺少本单位的完成期限 due：本项规则规定期限逐单位记录",
            "请写 due，如 due: 2026-12-20",
            "the due date due is missing: this line's rule says each unit's due date is recorded",
            "write due, e.g. due: 2026-12-20",
        ),
        "facts.deadline_due_undeclared": (
            "本项的完成期限由方案规定（{due}），不能逐单位记录 due",
            "请删除 due；如期限因单位而异，请在方案中把规则的 due 写成 recorded",
            "this line's due date is set by the scheme ({due_en}): due cannot be recorded per unit",
            "remove due; if the due date differs by unit, write due: recorded in the scheme's rule",
        ),
        "facts.deadline_uncovered": (
            "计算逾期工作日要用到 {year} 年的日历，工作日日历不含该年（内置的法定节假日安排只到 {last} 年）",
            "请在 calendar.yaml 中写明 {year} 年的节假日和调休上班日，格式见 docs/formats.md 的“工作日日历”",
            "counting working days late needs the calendar of {year}, which the working-day calendar does not cover (the built-in one ends with {last})",
            "write {year}'s public holidays and working weekends into calendar.yaml, as docs/formats.md (working-day calendar) shows",
        ),
        "explain.deadline_on_time": (
            "{label}：{done_on} 完成，期限 {due}，按时完成",
            "",
            "{label}: done on {done_on}, due {due}: on time",
            "",
        ),
        "explain.deadline_late": (
            "{label}：{done_on} 完成，期限 {due}，逾期 {days} {unit}，每天扣 {per_day} 分，共扣 {minus} 分",
            "",
            "{label}: done on {done_on}, due {due}: {days} {unit_en} late, −{per_day} a day, −{minus} in all",
            "",
        ),
        "explain.deadline_not_done": (
            "{label}：考核期末（{end}）仍未完成，扣完本项 {minus} 分",
            "",
            "{label}: not done by the period end ({end}); all {minus} points lost",
            "",
        ),
        "explain.deadline_count_to_end": (
            "{label}：考核期末（{end}）仍未完成，逾期天数计至考核期末：期限 {due}，逾期 {days} {unit}，每天扣 {per_day} 分，共扣 {minus} 分",
            "",
            "{label}: not done by the period end ({end}); days late counted to the period end: due {due}, {days} {unit_en}, −{per_day} a day, −{minus} in all",
            "",
        ),
    }
)

_WORDS = ("period_end", "recorded")


def _due_value(value: object) -> object:
    """A date, or one of the words: one located message for anything else."""
    text = value.strip() if isinstance(value, str) else value
    if text in _WORDS:
        return text
    if isinstance(text, str) and not any(c.isdigit() for c in text):
        raise PydanticCustomError("rule.deadline_bad_due", "due", {"text": text})
    return _date(value)  # a date, or the date parser's own message (“2024-13-01”不是真实存在的日期)


Due = Annotated[
    Union[dt.date, Literal["period_end", "recorded"]],  # noqa: UP007 (a pydantic union)
    BeforeValidator(_due_value),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"enum": list(_WORDS)}]}),
]

_UNIT = {"calendar": ("天", "days", "day"), "working": ("个工作日", "working days", "working day")}


@rule_kind
class Deadline(Rule):
    """按时完成得分，逾期按天扣分。"""

    kind: Literal["deadline"] = "deadline"
    label: Text = Field(description="须完成的事项，如“报送年度工作总结”")
    due: Due = Field(
        description="完成期限：日期 YYYY-MM-DD；period_end 考核期最后一天；recorded 由考核期文件逐单位记录 due"
    )
    per_day: NonNeg = Field(description="每逾期 1 天扣分，如 0.5；以本项分值为限（扣完为止）")
    days: Literal["calendar", "working"] = Field(
        "calendar", description="逾期天数的计法：calendar 按日历日（默认）、working 按工作日（法定节假日和调休按官方日历）"
    )
    not_done: Literal["lose_all", "count_to_end"] = Field(
        "lose_all",
        description="考核期末仍未完成（done: false，或完成日期晚于考核期末）时：lose_all 扣完本项分值（默认）、count_to_end 逾期天数计至考核期最后一天",
    )
    primary: ClassVar[str | None] = "done_on"
    types: ClassVar[tuple[str, ...]] = ("score", "deduction")
    example = "按时完成得满分，每逾期1天扣0.5分，扣完为止"

    def check_scheme(self, line: LineSpec, report: Report) -> None:
        if line.type == "deduction" and line.max is None:
            report("rule.deadline_needs_max", ("kind",))
        if self.due == "period_end" and self.not_done == "count_to_end":
            report("rule.deadline_end_count", ("not_done",))

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        if facts.done_on is None and facts.done is not False:
            report("facts.deadline_missing", ())
        if facts.done_on is not None and facts.done is False:
            report("facts.deadline_conflict", ("done",), done_on=facts.done_on.isoformat())
        if self.due == "recorded":
            if facts.due is None:
                report("facts.deadline_due_missing", ())
        elif facts.due is not None:
            report("facts.deadline_due_undeclared", ("due",), due=self._due_text(line, "zh-CN"), due_en=self._due_text(line, "en"))
        if self.days != "working" or line.context is None:
            return
        from site_builder.workflow.workdays import Uncovered

        due, end = self._due(line, facts), line.context.end
        if facts.done_on is not None and facts.done_on <= end:
            until, where = facts.done_on, ("done_on",)
        elif self.not_done == "count_to_end":
            until, where = end, ("done_on",) if facts.done_on is not None else ()
        else:
            return
        if due is None:
            return
        try:
            self._late(line, due, until)
        except Uncovered as exc:
            report("facts.deadline_uncovered", where, year=exc.year, last=exc.last)

    def _calendar(self, line: LineSpec) -> object:
        if line.context is not None and line.context.calendar is not None:
            return line.context.calendar()
        from site_builder.workflow.workdays import Calendar

        return Calendar()

    def _due(self, line: LineSpec, facts: Facts) -> dt.date | None:
        if self.due == "recorded":
            return facts.due
        if self.due == "period_end":
            return line.context.end if line.context is not None else None
        return self.due

    def _late(self, line: LineSpec, due: dt.date, done_on: dt.date) -> int:
        """Days after ``due`` up to and including ``done_on`` (0 when done by the due date)."""
        if done_on <= due:
            return 0
        if self.days == "calendar":
            return (done_on - due).days
        return self._calendar(line).working_days_between(due + dt.timedelta(days=1), done_on)  # type: ignore[attr-defined]

    def _top(self, line: LineSpec) -> Decimal:
        return line.max or ZERO

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        assert line.context is not None, "a deadline is scored within a period"
        due = self._due(line, facts)
        assert due is not None
        end = line.context.end
        top = self._top(line)
        unit, unit_en, _ = _UNIT[self.days]
        steps = []
        done_on = facts.done_on
        if done_on is not None and done_on <= end:
            days = self._late(line, due, done_on)
            minus = self.per_day * days
            code = "explain.deadline_on_time" if days == 0 else "explain.deadline_late"
            steps.append(step(code, label=self.label, done_on=done_on.isoformat(), due=due.isoformat(), days=days,
                              unit=unit, unit_en=unit_en, per_day=fmt(self.per_day), minus=fmt(minus)))
        elif self.not_done == "count_to_end":
            days = self._late(line, due, end)
            minus = self.per_day * days
            steps.append(step("explain.deadline_count_to_end", label=self.label, end=end.isoformat(), due=due.isoformat(),
                              days=days, unit=unit, unit_en=unit_en, per_day=fmt(self.per_day), minus=fmt(minus)))
        else:
            minus = top
            steps.append(step("explain.deadline_not_done", label=self.label, end=end.isoformat(), minus=fmt(top)))
        raw = -minus if line.type == "deduction" else top - minus
        value, clip = clamp(raw, default_bounds(line))
        return Outcome(value, raw, clip, tuple(steps))

    def _due_text(self, line: LineSpec, locale: str) -> str:
        if self.due == "recorded":
            return pick(locale, "规定期限（逐单位记录）", "the due date recorded for each unit")
        if self.due == "period_end":
            return pick(locale, "考核期最后一天", "the last day of the period")
        d = self.due
        return pick(locale, f"{d.year}年{d.month}月{d.day}日", d.isoformat())

    def describe(self, line: LineSpec, locale: str) -> str:
        due = self._due_text(line, locale)
        unit, _, unit_en = _UNIT[self.days]
        top = fmt(self._top(line))
        per = fmt(self.per_day)
        if self.not_done == "lose_all":
            nd = pick(locale, "不得分" if line.type != "deduction" else f"扣{top}分", "0 points" if line.type != "deduction" else f"−{top}")
        else:
            nd = pick(locale, "逾期天数计至考核期末", "days late are counted to the period end")
        if line.type == "deduction":
            return pick(
                locale,
                f"{self.label}应于{due}前完成，每逾期1{unit}扣{per}分，最多扣{top}分；考核期末仍未完成的{nd}。",
                f"{self.label} is due by {due}; −{per} per {unit_en} late, at most −{top}; not done by the period end: {nd}.",
            )
        return pick(
            locale,
            f"{self.label}于{due}前按时完成的得{top}分，每逾期1{unit}扣{per}分，扣完为止；考核期末仍未完成的{nd}。",
            f"{self.label} done by {due}: {top} points; −{per} per {unit_en} late, down to 0; not done by the period end: {nd}.",
        )
