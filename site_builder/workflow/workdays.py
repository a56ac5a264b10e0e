"""Working days on the official Chinese calendar (法定节假日与调休).

A 公示 lasts a number of *working days* (工作日): Monday to Friday, minus the
public holidays the State Council announces each year, plus the weekend days
it declares working days (调休上班).  The years the ``chinese_calendar``
package knows come from it; the project's optional ``calendar.yaml`` adds a
year the package does not know yet, or replaces the package's data for a year
(a year written there is taken entirely from there)::

    years:
      2027:
        holidays: [2027-01-01, 2027-02-05, …]   # 放假的工作日
        workdays: [2027-02-07, …]                # 调休上班的周末

Counting convention: the first day of a 公示 counts as day 1 when it is a
working day (the notice is published that morning); otherwise counting starts
on the next working day.  ``add_working_days(2023-10-20, 5)`` (a Friday) is
2023-10-26: 20, 23, 24, 25, 26.

A date in a year neither source covers is an error located where the date was
written (``--date`` on the command line, or the period file's
``public_notice.from``), never a guess.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import messages
from site_builder.errors import Mark, Problems

messages.register(
    {
        "workdays.uncovered": (
            "公示期涉及 {year} 年，内置的法定节假日安排只到 {last} 年",
            "请在 calendar.yaml 中写明 {year} 年的节假日和调休上班日（国务院办公厅通知），格式见 docs/formats.md 的“工作日日历”",
            "the notice period reaches into {year}; the built-in calendar of public holidays ends with {last}",
            "write {year}'s public holidays and working weekends (the State Council's notice) into calendar.yaml, as docs/formats.md (working-day calendar) shows",
        ),
        "workdays.bad_file": (
            "calendar.yaml 的格式不对：{why}",
            "应写成 years: {{2027: {{holidays: [2027-01-01, …], workdays: [2027-02-07, …]}}}}，日期写成 YYYY-MM-DD",
            "calendar.yaml is malformed: {why_en}",
            "write years: {{2027: {{holidays: [2027-01-01, …], workdays: [2027-02-07, …]}}}} with dates as YYYY-MM-DD",
        ),
        "workdays.wrong_year": (
            "{date} 不在 {year} 年",
            "每个日期写在它所属年份之下",
            "{date} is not in {year}",
            "list each date under its own year",
        ),
        "workdays.bad_count": (
            "公示工作日数应至少为 1（此处为 {n}）",
            "公示期一般为 5 个或 7 个工作日",
            "the number of working days must be at least 1 (found {n})",
            "a 公示 usually lasts 5 or 7 working days",
        ),
    }
)

CALENDAR_FILE = "calendar.yaml"


class Uncovered(Exception):
    """A date in a year no calendar source covers."""

    def __init__(self, year: int, last: int):
        super().__init__(year)
        self.year = year
        self.last = last


@dataclass(frozen=True)
class YearData:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


@dataclass
class Calendar:
    """The package's years, with the project's ``calendar.yaml`` years replacing or adding."""

    years: dict[int, YearData] = field(default_factory=dict)

    @staticmethod
    def package_range() -> tuple[int, int]:
        from chinese_calendar import constants

        years = [d.year for d in constants.holidays] + [d.year for d in constants.workdays]
        return min(years), max(years)

    def last_year(self) -> int:
        return max([self.package_range()[1], *self.years])

    def covers(self, year: int) -> bool:
        lo, hi = self.package_range()
        return year in self.years or lo <= year <= hi

    def is_workday(self, day: dt.date) -> bool:
        own = self.years.get(day.year)
        if own is not None:
            if day in own.workdays:
                return True
            if day in own.holidays:
                return False
            return day.weekday() < 5
        if not self.covers(day.year):
            raise Uncovered(day.year, self.last_year())
        import chinese_calendar

        return chinese_calendar.is_workday(day)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date of the ``n``-th working day, ``start`` being day 1 if it is a working day."""
        if n < 1:
            raise ValueError(n)
        day = start
        count = 0
        while True:
            if self.is_workday(day):
                count += 1
                if count == n:
                    return day
            day += dt.timedelta(days=1)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days from ``start`` to ``end`` (both included)."""
        count = 0
        day = start
        while day <= end:
            count += self.is_workday(day)
            day += dt.timedelta(days=1)
        return count


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def load_calendar(root: Path, problems: Problems) -> Calendar:
    """The calendar of the project at ``root`` (the package's alone without ``calendar.yaml``).

    Problems of ``calendar.yaml`` are added to ``problems`` at their line:column.
    """
    path = Path(root) / CALENDAR_FILE
    cal = Calendar()
    if not os.path.lexists(path):
        return cal
    from site_builder.load.files import read_source
    from site_builder.load.yamlsafe import load_yaml_bytes

    raw = read_source(path, CALENDAR_FILE, Path(root), problems)
    if raw is None:
        return cal
    doc = load_yaml_bytes(raw, CALENDAR_FILE, problems)
    if doc is None:
        return cal
    from site_builder.schema.calendar import CalendarFile
    from site_builder.schema.convert import validate

    parsed = validate(CalendarFile, doc, problems)
    _wrong_years(doc, problems)  # reported with the schema's problems, in the same run
    if parsed is None:
        return cal
    for year, entry in parsed.years.items():
        cal.years[year] = YearData(frozenset(entry.holidays), frozenset(entry.workdays))
    return cal


def _wrong_years(doc, problems: Problems) -> None:
    """A date listed under another year than its own (a slip when copying last year's list)."""
    years = doc.data.get("years") if isinstance(doc.data, dict) else None
    if not isinstance(years, dict):
        return
    for key, entry in years.items():
        text = str(key)
        if not (len(text) == 4 and text.isascii() and text.isdigit()) or not isinstance(entry, dict):
            continue
        for name in ("holidays", "workdays"):
            items = entry.get(name)
            for i, item in enumerate(items if isinstance(items, list) else []):
                day = _date(item)
                if day is not None and day.year != int(text):
                    problems.add("workdays.wrong_year", doc.mark(("years", key, name, i)),
                                 date=day.isoformat(), year=int(text))


def window_end(cal: Calendar, start: dt.date, n: int, mark: Mark | None, problems: Problems) -> dt.date | None:
    """``add_working_days`` with an uncovered year reported at ``mark``."""
    if n < 1:
        problems.add("workdays.bad_count", mark, n=n)
        return None
    try:
        return cal.add_working_days(start, n)
    except Uncovered as exc:
        problems.add("workdays.uncovered", mark, year=exc.year, last=exc.last)
        return None


def add_working_days(start: dt.date, n: int, root: Path | None = None) -> dt.date:
    """The ``n``-th working day from ``start`` (day 1 if it is a working day).

    Raises :class:`~site_builder.errors.InputError` (located at ``calendar.yaml``
    or without a place) when the calendar does not cover the window.
    """
    problems = Problems()
    cal = load_calendar(root, problems) if root is not None else Calendar()
    problems.raise_if_errors()
    end = window_end(cal, start, n, None, problems)
    problems.raise_if_errors()
    assert end is not None
    return end
