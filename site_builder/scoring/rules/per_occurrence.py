"""Per-occurrence deduction or bonus with a cap: “每发现一项扣0.5分，扣分不超过5分”.

Also covers discretionary amounts per occurrence (“扣1–10分，酌情”: ``per:
{min: 1, max: 10}``, each occurrence recorded with its points) and additive
counts (“每办理1个项目得1分，无办件的得基础分1分，最多得分不超过6分”).
See :mod:`.tally` for the shared decisions (floor, cap, start).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from site_builder.scoring.rules.base import rule_kind
from site_builder.scoring.rules.tally import Rate, TallyRule


@rule_kind
class PerOccurrence(TallyRule):
    """按次扣分或加分，可封顶。"""

    kind: Literal["per_occurrence"] = "per_occurrence"
    rates: list[Rate] = Field(default_factory=list, description="多种情形分别计分时的标准")
    example = "每发现一项扣0.5分，扣分不超过5分"
