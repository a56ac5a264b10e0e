"""``calendar.yaml``: the official holidays and working weekends a project adds or corrects.

The built-in calendar (the ``chinese_calendar`` package) knows the State
Council's arrangements for the years it was released with; an office writes a
later year here when its notice comes out.  A year written here replaces the
package's data for that whole year (:mod:`site_builder.workflow.workdays`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from site_builder import messages
from site_builder.schema.types import Date, Strict, _scalar_text

messages.register(
    {
        "calendar.bad_year": (
            "“{text}”不是年份",
            "years 下的键写四位数的年份，如 2027",
            "“{text}” is not a year",
            "the keys under years are four-digit years, such as 2027",
        ),
    }
)


def _year(value: Any) -> int:
    text = value if isinstance(value, str) else _scalar_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    if not (len(text) == 4 and text.isascii() and text.isdigit() and 1900 <= int(text) <= 2999):
        raise PydanticCustomError("calendar.bad_year", "year", {"text": text})
    return int(text)


Year = Annotated[
    int, BeforeValidator(_year), WithJsonSchema({"type": "string", "pattern": "^(19|2[0-9])[0-9]{2}$"})
]


class CalendarYear(Strict):
    """One year's arrangement, as the State Council's notice gives it."""

    holidays: list[Date] = Field(default_factory=list, description="放假的工作日（周一至周五的法定节假日及调休放假日）")
    workdays: list[Date] = Field(default_factory=list, description="调休上班的周六、周日")


class CalendarFile(Strict):
    years: dict[Year, CalendarYear] = Field(
        description="按年份写的节假日安排；写在这里的年份整年以此为准（内置安排中这一年的数据不再使用）"
    )
