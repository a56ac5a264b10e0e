"""The rule in words, as the published scheme document states it (input and output side by side)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from pydantic import TypeAdapter

from site_builder.scoring.rules import RuleUnion
from site_builder.scoring.rules.base import LineSpec

RULE = TypeAdapter(RuleUnion)


def words(rule: dict, max: str | None = "10", type: str = "score", locale: str = "zh-CN") -> str:
    r = RULE.validate_python(rule)
    return r.describe(LineSpec("x", "测试", type, D(max) if max is not None else None), locale)


@pytest.mark.parametrize(
    "rule, max, type, expected",
    [
        ({"kind": "assessed"}, "15", "score", "由评分人在0至15分之间评分。"),
        ({"kind": "assessed", "min": "1"}, "5", "bonus", "根据实际情况加1—5分。"),
        ({"kind": "assessed"}, None, "deduction", "由评分人酌情扣分。"),
        ({"kind": "per_occurrence", "per": "0.5", "cap": "5"}, "5", "score", "每次扣0.5分，扣分不超过5分。"),
        (
            {"kind": "per_occurrence", "per": "1", "effect": "add", "if_none": "1", "noun": "个项目"},
            "6",
            "score",
            "每个项目加1分，最多得6分；无记录的得基础分1分。",
        ),
        (
            {
                "kind": "per_person",
                "ranks": [
                    {"id": "leader", "name": "主要领导", "per": "4"},
                    {"id": "staff", "name": "普通干部职工", "per": "1", "noun": "名"},
                ],
            },
            None,
            "deduction",
            "主要领导每人次扣4分；普通干部职工每名扣1分。",
        ),
        (
            {
                "kind": "recognition",
                "levels": [{"id": "city", "name": "市级", "per": "0.5"}, {"id": "prov", "name": "省级", "per": "1"}],
                "cap": "4",
                "highest_per_event": "true",
            },
            "4",
            "bonus",
            "市级每次加0.5分；省级每次加1分，累计不超过4分；同一事项只按最高一项计分。",
        ),
        (
            {
                "kind": "levels",
                "levels": [
                    {"id": "good", "name": "好", "points": "6"},
                    {"id": "fair", "name": "一般", "points": "2"},
                    {"id": "poor", "name": "差", "points": "0"},
                ],
            },
            "6",
            "score",
            "按评定等次计分：好的得6分，一般的得2分，差的不得分。",
        ),
        (
            {
                "kind": "brackets",
                "label": "网办件数",
                "unit": "件",
                "brackets": [
                    {"max": "0", "points": "0.5"},
                    {"min": "1", "max": "5", "points": "1"},
                    {"min": "11", "points": "2"},
                    {"min": "6", "max": "10", "points": "1.5"},
                ],
            },
            "2",
            "score",
            "按网办件数计分：0件得0.5分，1—5件得1分，6—10件得1.5分，11件及以上得2分。",
        ),
        (
            {"kind": "quota", "label": "信息", "unit": "篇", "target": "2", "shortfall_per": "5", "excess_per": "1", "excess_cap": "5"},
            "10",
            "score",
            "每期应完成信息2篇，少1篇扣5分，每超出1篇加1分（加分不超过5分）。",
        ),
        (
            {"kind": "threshold", "label": "按时办结率", "unit": "%", "at_least": "100"},
            "5",
            "score",
            "按时办结率达到100%及以上的得5分，否则得0分。",
        ),
    ],
)
def test_rule_in_words(rule, max, type, expected):
    assert words(rule, max, type) == expected


def test_rule_in_english():
    assert words({"kind": "per_occurrence", "per": "0.5", "cap": "5"}, "5", locale="en") == (
        "minus 0.5 points per occurrence, at most 5 points deducted."
    )


@pytest.mark.parametrize("count, expected", [(0, "1"), (3, "3"), (8, "6")])
def test_additive_shorthand_scores_like_its_words(count, expected):
    # “每办理1个项目得1分，无办件的得基础分1分。最多得分不超过6分。”
    from site_builder.scoring.facts import Facts

    r = RULE.validate_python({"kind": "per_occurrence", "per": "1", "effect": "add", "if_none": "1"})
    line = LineSpec("x", "帮办代办", "score", D(6))
    facts = Facts.model_validate({"count": str(count)}) if count else Facts()
    assert r.score(line, facts).points == D(expected)  # 0 → base 1; 3 × 1 = 3; 8 × 1 = 8 → max 6
