"""When an honour or sanction is decided (评定时间): ``Honour.decided``.

"流动红旗每月评比；优秀单位每阶段结束时评定" — the flag is chosen every
period, the 优秀 only in the last period of each stage.  ``decided`` lists
when: ``stage_end`` (the last period of every stage), ``year_end`` (the last
period of every calendar year), a stage id (that stage's last period) or a
period id.  An empty list means every period, as before.

A period "ends" a stage or a year when its last day reaches the stage's
``until`` or 31 December; so a quarter ending on 30 June ends a stage that
runs to 30 June.  In the other periods the honour is not decided and the
notice names the next time it will be.
"""

from __future__ import annotations

import datetime as dt

from site_builder import messages
from site_builder.periods import parse_period
from site_builder.schema.scheme import Honour, PeriodSpec

WORDS = ("stage_end", "year_end")

messages.register(
    {
        "decided.stage_end": ("每个阶段的最后一期", "", "the last period of each stage", ""),
        "decided.year_end": ("每年的最后一期", "", "the last period of each year", ""),
        "decided.stage": ("{stage}的最后一期", "", "the last period of {stage}", ""),
        "decided.next_stage": ("{stage}结束时（{until}）", "", "at the end of {stage} ({until})", ""),
        "decided.next_year": ("{year}年末（{until}）", "", "at the end of {year} ({until})", ""),
        "decided.next_period": ("{period}", "", "{period}", ""),
        "decided.pending": ("本期不评定，{when}评定", "", "not decided this period; decided {when}", ""),
        "decided.pending_never": ("本期不评定", "", "not decided this period", ""),
        "decided.when": ("于{items}评定", "", "decided in {items}", ""),
    }
)


def _say(locale: str, code: str, **params: object) -> str:
    return messages.get(code).render(locale, params)[0]


def _stage_end(spec: PeriodSpec, stage_id: str | None) -> dt.date | None:
    return next((st.until for st in spec.stages if st.id == stage_id), None)


def is_decided(h: Honour, period_id: str, start: dt.date, end: dt.date, stage: str | None, spec: PeriodSpec) -> bool:
    """Whether ``h`` is decided in the period ``period_id`` (``start``–``end``, in ``stage``)."""
    if not h.decided:
        return True
    for when in h.decided:
        if when == "year_end" and end >= dt.date(start.year, 12, 31):
            return True
        if when == "stage_end" and stage is not None:
            until = _stage_end(spec, stage)
            if until is not None and end >= until:
                return True
        if when == period_id:
            return True
        if when == stage and when not in WORDS:
            until = _stage_end(spec, stage)
            if until is not None and end >= until:
                return True
    return False


def _date(d: dt.date, locale: str) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if locale != "en" else d.isoformat()


def next_decision(h: Honour, end: dt.date, spec: PeriodSpec, locale: str) -> str | None:
    """The next time after a period ending on ``end`` that ``h`` is decided, in words; None if never."""
    found: list[tuple[dt.date, str]] = []
    zh = locale != "en"
    for when in h.decided:
        if when == "year_end":
            until = dt.date(end.year if end < dt.date(end.year, 12, 31) else end.year + 1, 12, 31)
            found.append((until, _say(locale, "decided.next_year", year=until.year, until=_date(until, locale))))
        elif when == "stage_end" or any(st.id == when for st in spec.stages):
            for st in spec.stages:
                if st.until > end and (when == "stage_end" or st.id == when):
                    found.append((st.until, _say(locale, "decided.next_stage", stage=st.name, until=_date(st.until, locale))))
                    break
        else:
            parsed = parse_period(when, spec)
            if parsed is not None and parsed[1] > end:
                found.append((parsed[1], _say(locale, "decided.next_period", period=parsed[2] if zh else parsed[3])))
    if not found:
        return None
    return min(found)[1]


def pending_text(h: Honour, end: dt.date, spec: PeriodSpec, locale: str) -> str:
    """What the notice says of ``h`` in a period it is not decided in."""
    when = next_decision(h, end, spec, locale)
    return _say(locale, "decided.pending", when=when) if when else _say(locale, "decided.pending_never")


def decided_text(h: Honour, spec: PeriodSpec, locale: str) -> str | None:
    """“于每个阶段的最后一期评定” for the scheme page; None when decided every period."""
    if not h.decided:
        return None
    zh = locale != "en"
    items = []
    for when in h.decided:
        if when in WORDS:
            items.append(_say(locale, f"decided.{when}"))
            continue
        stage = next((st for st in spec.stages if st.id == when), None)
        if stage is not None:
            items.append(_say(locale, "decided.stage", stage=stage.name))
            continue
        parsed = parse_period(when, spec)
        items.append((parsed[2] if zh else parsed[3]) if parsed else when)
    return _say(locale, "decided.when", items=("、" if zh else ", ").join(items))
