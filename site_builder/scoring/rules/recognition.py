"""Bonuses by level of recognition: “市级每次加0.5分，省级1分，国家级1.5分，累计不超过4分”.

Awards are recorded with their ``level``; ``highest_per_event: true`` makes
several awards for one event count once, at the highest level.  Arithmetic as
in :mod:`.tally`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from site_builder.scoring.rules.base import rule_kind
from site_builder.scoring.rules.tally import Rate, TallyRule


@rule_kind
class Recognition(TallyRule):
    """按表彰、报道层级加分，可封顶，同一事项可只计最高。"""

    kind: Literal["recognition"] = "recognition"
    levels: list[Rate] = Field(min_length=1, description="层级及每次分值")
    rates_field: ClassVar[str] = "levels"
    event_field: ClassVar[str] = "level"
    what_zh: ClassVar[str] = "层级"
    what_en: ClassVar[str] = "levels"
    example = "市级每次加0.5分，省级1分，国家级1.5分，累计不超过4分"
