"""What scoring shares to be fast must say and store exactly what it did before.

``fmt`` prints each value once (by value), ``step`` makes a step of text and whole numbers once,
and a line's result is pickled as its values: each is checked against the plain computation.
"""

from __future__ import annotations

import io
import pickle
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.load.cache import _Unpickler
from site_builder.scoring.facts import Facts
from site_builder.scoring.results import LineResult
from site_builder.scoring.rules import base
from site_builder.scoring.rules.base import Step, fmt, step

D = Decimal


def _plain_fmt(d: Decimal) -> str:
    base._FMT.clear()
    try:
        return fmt(d)
    finally:
        base._FMT.clear()


def test_fmt_prints_equal_values_alike_but_keeps_the_sign_of_zero():
    assert fmt(D("2.5")) == "2.5"
    assert fmt(D("2.50")) == "2.5"  # equal value, written with a trailing zero: printed alike
    assert fmt(D("1E+1")) == "10"
    assert fmt(D("10.000")) == "10"
    assert fmt(D("0")) == "0"
    assert fmt(D("-0")) == "-0"  # −0 equals 0 but prints otherwise: never taken from the store
    assert fmt(D("0.0")) == "0"
    assert fmt(D(1) / D(3)) == "≈0.3333"  # a long fraction is never stored either
    assert fmt(D("0.33333")) == "≈0.3333"
    assert fmt(D("-7.25")) == "-7.25"
    assert fmt(3) == "3"


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**6, max_value=10**6, places=6),
       st.integers(min_value=0, max_value=4))
def test_fmt_of_a_value_is_what_a_fresh_fmt_prints(d, zeros):
    # the same value written with more trailing zeros (a different exponent) may be printed first
    same = d.quantize(D(1).scaleb(d.as_tuple().exponent - zeros)) if d.is_finite() and zeros else d
    assert same == d
    expected = _plain_fmt(d)
    fmt(same)
    assert fmt(d) == expected
    assert fmt(same) == _plain_fmt(same)


def test_steps_of_text_and_whole_numbers_are_made_once_and_equal_to_a_plain_one():
    a = step("explain.tally_item", name="迟到", count=2, per="0.5", amount="1")
    b = step("explain.tally_item", amount="1", per="0.5", count=2, name="迟到")
    assert a is b
    assert a == Step("explain.tally_item", (("amount", "1"), ("count", 2), ("name", "迟到"), ("per", "0.5")))
    assert step("explain.na_full") == Step("explain.na_full", ())
    # a Decimal (or a bool) prints by its own form: such a step is never shared
    c = step("explain.modifier", label="x", count=1, factor=D("0.5"))
    d = step("explain.modifier", label="x", count=1, factor=D("0.5"))
    assert c == d and c is not d
    assert step("x", n=1) is not step("x", n=True)
    assert step("x", n=1).params == (("n", 1),) and step("x", n="1").params == (("n", "1"),)


def _line(**kw) -> LineResult:
    values = dict(id="a", name="日常工作", depth=1, type="score", max=D("10.0"), points=D("7.50"), raw=D("8"),
                  clip="cap", clip_note="合计超过上限", steps=(step("explain.na_full"),), facts=Facts(points=D("7.5")),
                  status="scored", is_leaf=True, disqualified=False, counts=False)
    values.update(kw)
    return LineResult(**values)


def _load(data: bytes) -> object:
    return _Unpickler(io.BytesIO(data)).load()


def test_a_line_result_comes_back_from_a_cache_entry_equal_field_by_field():
    line = _line()
    back = _load(pickle.dumps(line, protocol=5))
    assert back == line
    assert type(back) is LineResult
    assert [str(getattr(back, f)) for f in LineResult.__dataclass_fields__] == [
        "a", "日常工作", "1", "score", "10.0", "7.50", "8", "cap", "合计超过上限",
        "(Step(code='explain.na_full', params=()),)", str(Facts(points=D("7.5"))), "scored", "True", "False", "False"]
    none = _line(points=None, raw=None, clip=None, clip_note=None, steps=(), facts=None, status="not_applicable")
    assert _load(pickle.dumps(none, protocol=5)) == none
    # the field names are not written with every line
    assert b"clip_note" not in pickle.dumps(line, protocol=5)


def test_a_line_result_pickled_with_its_field_names_still_loads():
    line = _line()
    state = {name: getattr(line, name) for name in LineResult.__dataclass_fields__}  # the fields by name
    back = object.__new__(LineResult)
    back.__setstate__(state)
    assert back == line
