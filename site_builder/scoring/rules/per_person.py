"""Per person by rank: “主要领导、科级以上干部、普通干部职工受到党政纪处分的，有1人次
分别扣4分、2分、1分”.

Each person is recorded with a ``rank`` (and, optionally, a name that is never
published unless the scheme declares a legal basis).  Arithmetic as in
:mod:`.tally`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from site_builder.scoring.rules.base import rule_kind
from site_builder.scoring.rules.tally import Rate, TallyRule


@rule_kind
class PerPerson(TallyRule):
    """按人次、按职级扣分或加分。"""

    kind: Literal["per_person"] = "per_person"
    ranks: list[Rate] = Field(min_length=1, description="职级及每人次分值")
    rates_field: ClassVar[str] = "ranks"
    event_field: ClassVar[str] = "rank"
    what_zh: ClassVar[str] = "职级"
    what_en: ClassVar[str] = "ranks"
    unit_zh: ClassVar[str] = "人次"
    unit_en: ClassVar[str] = "person"
    example = "主要领导、科级以上干部、普通干部职工受到党政纪处分的，有1人次分别扣4分、2分、1分"
