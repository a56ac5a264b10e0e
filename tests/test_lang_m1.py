"""Part M: fixes found by the second acceptance test of issue 8 (tests/test_lang_office2.py).

Every expectation is worked out by hand in the comment next to it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from site_builder.periods import span_name, span_of

# ------------------------------------------------------------------ 1. a period belongs to the span it ENDS in


def test_a_week_across_two_months_belongs_to_the_month_it_ends_in():
    # 2025-W09 is 02-24 … 03-02: March; 2025-W01 is 2024-12-30 … 2025-01-05: January 2025, Q1 2025, 2025
    assert span_of("month", dt.date(2025, 3, 2)) == "2025-03"
    assert span_of("month", dt.date(2025, 1, 5)) == "2025-01"
    assert span_of("quarter", dt.date(2025, 1, 5)) == "2025-Q1"
    assert span_of("quarter", dt.date(2024, 12, 31)) == "2024-Q4"
    assert span_of("year", dt.date(2025, 1, 5)) == "2025"
    assert span_of("stage", dt.date(2025, 1, 5), "s2") == "s2"
    assert span_of("stage", dt.date(2025, 1, 5), None) == "2025"  # outside every stage: its year


def test_the_span_is_named_on_the_card():
    assert span_name("month", "2025-03") == "2025年3月"
    assert span_name("month", "2025-03", "en") == "March 2025"
    assert span_name("quarter", "2025-Q1") == "2025年第一季度"
    assert span_name("year", "2025") == "2025年"
    assert span_name("stage", "s2", stage_name="2024—2025学年第二学期") == "2024—2025学年第二学期"


@given(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
def test_the_span_is_the_one_of_the_end_date(end):
    assert span_of("month", end) == f"{end.year}-{end.month:02d}"
    assert span_of("quarter", end) == f"{end.year}-Q{(end.month + 2) // 3}"
    assert span_of("year", end) == str(end.year) == span_of("stage", end)


# ------------------------------------------------------------------ 4. the notice title of a revised version


def test_a_revision_note_leaves_the_assessment_name():
    from site_builder.site.data import _without_note

    assert _without_note("各区县营商环境季度考核办法（2025年修订）") == "各区县营商环境季度考核办法"
    assert _without_note("效能考核办法(试行)") == "效能考核办法"
    assert _without_note("效能考核办法") == "效能考核办法"
    assert _without_note("（试行）") == "（试行）"  # nothing would be left: kept whole
