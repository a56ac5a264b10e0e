"""Period ids and their date windows (考核期).

week ``2026-W05`` · month ``2026-09`` · quarter ``2017-Q3`` · half-year
``2017-H1`` · year ``"2017"`` (quoted in YAML) · stage: the stage's id.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from site_builder.schema.scheme import PeriodSpec

_FORMATS = {
    "week": (re.compile(r"^(\d{4})-W(\d{2})$"), "2026-W05"),
    "month": (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "2026-09"),
    "quarter": (re.compile(r"^(\d{4})-Q([1-4])$"), "2017-Q3"),
    "half-year": (re.compile(r"^(\d{4})-H([12])$"), "2017-H1"),
    "year": (re.compile(r"^(\d{4})$"), '"2017"'),
}
_CN_DIGITS = "〇一二三四"


def example(kind: str) -> str:
    return _FORMATS[kind][1] if kind in _FORMATS else "s1"


def parse_period(pid: str, spec: PeriodSpec) -> tuple[dt.date, dt.date, str, str] | None:
    """(start, end, zh name, en name) or None when ``pid`` does not fit the kind."""
    if spec.kind == "stage":
        for st in spec.stages:
            if st.id == pid:
                return st.start, st.until, st.name, st.name
        return None
    pattern, _ = _FORMATS[spec.kind]
    m = pattern.match(pid)
    if not m:
        return None
    year = int(m.group(1))
    if not 1900 <= year <= 2999:
        return None
    n = int(m.group(2)) if m.lastindex and m.lastindex >= 2 else 0
    if spec.kind == "week":
        try:
            start = dt.date.fromisocalendar(year, n, 1)
        except ValueError:
            return None
        return start, start + dt.timedelta(days=6), f"{year}年第{n}周", f"week {n} of {year}"
    if spec.kind == "month":
        last = calendar.monthrange(year, n)[1]
        return dt.date(year, n, 1), dt.date(year, n, last), f"{year}年{n}月", f"{calendar.month_name[n]} {year}"
    if spec.kind == "quarter":
        m1 = 3 * (n - 1) + 1
        last = calendar.monthrange(year, m1 + 2)[1]
        return dt.date(year, m1, 1), dt.date(year, m1 + 2, last), f"{year}年第{_CN_DIGITS[n]}季度", f"Q{n} {year}"
    if spec.kind == "half-year":
        if n == 1:
            return dt.date(year, 1, 1), dt.date(year, 6, 30), f"{year}年上半年", f"H1 {year}"
        return dt.date(year, 7, 1), dt.date(year, 12, 31), f"{year}年下半年", f"H2 {year}"
    return dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年度", f"{year}"


def stage_of(start: dt.date, end: dt.date, spec: PeriodSpec) -> str | None:
    for st in spec.stages:
        if st.start <= start and end <= st.until:
            return st.id
    return None


def span_of(kind: str, end: dt.date, stage: str | None = None) -> str:
    """The month, quarter, year or stage a period belongs to, for every mechanism that spans
    periods (caps and balances across periods, vetoes lasting to the year's end, history
    windows): the one in which the period ENDS (a week from 02-24 to 03-02 is March's).
    A period outside every stage belongs, for ``stage``, to its year."""
    if kind == "stage":
        return stage or str(end.year)
    if kind == "month":
        return f"{end.year}-{end.month:02d}"
    if kind == "quarter":
        return f"{end.year}-Q{(end.month - 1) // 3 + 1}"
    return str(end.year)


#: The word for a kind of span, as in 本月 / 每季度 (zh-CN, en).
SPAN_WORDS = {"month": ("月", "month"), "quarter": ("季度", "quarter"), "stage": ("阶段", "stage"), "year": ("年度", "year")}


def span_name(kind: str, key: str, locale: str = "zh-CN", stage_name: str | None = None) -> str:
    """A span named on a score card: 2025年3月, 2025年第一季度, 2025年, or the stage's name."""
    zh = locale != "en"
    if kind == "stage":
        return stage_name or (f"{key}年" if zh else key)
    if kind == "month":
        y, m = key.split("-")
        return f"{y}年{int(m)}月" if zh else f"{calendar.month_name[int(m)]} {y}"
    if kind == "quarter":
        y, q = key.split("-Q")
        return f"{y}年第{_CN_DIGITS[int(q)]}季度" if zh else f"Q{q} {y}"
    return f"{key}年" if zh else key
