"""Strict scalar parsing: the one accepted spelling of numbers and dates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from site_builder.errors import Mark, Problem, Problems
from site_builder.load.scalars import (
    DateSyntax,
    DecimalSyntax,
    parse_date,
    parse_decimal,
    parse_int,
    yaml11_reading,
)
from site_builder.messages import known_codes


@pytest.mark.parametrize(("text", "reading"), [
    ("yes", "bool"), ("No", "bool"), ("ON", "bool"), ("off", "bool"), ("y", "bool"),
    ("N", "bool"), ("True", "bool"), ("false", "bool"),
    ("~", "null"), ("null", "null"), ("NULL", "null"),
    ("010", "int"), ("0x1F", "int"), ("1_000", "int"), ("0o7", "int"), ("42", "int"),
    ("1.10", "float"), ("1e3", "float"), (".5", "float"), (".inf", "float"),
    ("-.INF", "float"), ("NaN", "float"), ("1_000.5", "float"),
    ("12:30", "sexagesimal"), ("1:20:30", "sexagesimal"),
    ("2017-10-10", "timestamp"), ("2017-10-10T08:30:00", "timestamp"),
    ("2001-12-14 21:59:43.10 -5", "timestamp"),
    ("hello", None), ("第一分局", None), ("5 分", None), ("yes please", None), ("1.2.3", None),
])
def test_yaml11_reading(text: str, reading: str | None) -> None:
    assert yaml11_reading(text) == reading


@pytest.mark.parametrize(("text", "value"), [
    ("0", "0"), ("5.25", "5.25"), ("-1", "-1"), ("0.5", "0.5"), ("10", "10"),
    ("95.50", "95.50"), ("0.1", "0.1"),
])
def test_parse_decimal_accepts(text: str, value: str) -> None:
    result = parse_decimal(text)
    assert isinstance(result, Decimal) and str(result) == value  # exact: built from text


def test_decimal_is_exact_not_float() -> None:
    assert parse_decimal("0.1") + parse_decimal("0.2") == Decimal("0.3")
    assert str(parse_decimal("1.10")) == "1.10"


@pytest.mark.parametrize(("text", "code", "value"), [
    ("５．２５", "number.fullwidth", "5.25"),
    ("－３", "number.fullwidth", "-3"),
    ("1e3", "number.scientific", "1000"),
    ("2.5E-2", "number.scientific", "0.025"),
    ("1_000", "number.underscore", "1000"),
    ("1,000", "number.thousands", "1000"),
    ("12,345.6", "number.thousands", "12345.6"),
    ("NaN", "number.not_finite", None),
    (".inf", "number.not_finite", None),
    ("-inf", "number.not_finite", None),
    ("010", "number.leading_zero", "10"),
    ("00.5", "number.leading_zero", "0.5"),
    ("+5", "number.plus", "5"),
    (".5", "number.leading_dot", "0.5"),
    ("-.5", "number.leading_dot", "-0.5"),
    ("5.", "number.trailing_dot", "5"),
    ("95%", "number.percent", "95"),
    ("", "number.empty", None),
    (" 5", "number.whitespace", "5"),
    ("abc", "number.invalid", None),
    ("0x1F", "number.invalid", None),
    ("12:30", "number.invalid", None),
    ("5 分", "number.invalid", None),
    ("1" * 101, "number.too_long", None),
])
def test_parse_decimal_refuses(text: str, code: str, value: str | None) -> None:
    with pytest.raises(DecimalSyntax) as info:
        parse_decimal(text)
    err = info.value
    assert err.code == code
    assert err.params["text"] == text[:100]
    assert err.params.get("value") == value
    if value is not None:
        assert parse_decimal(value) is not None  # the suggestion is itself accepted


def test_fullwidth_message_gives_halfwidth_form() -> None:
    with pytest.raises(DecimalSyntax) as info:
        parse_decimal("５．２５")
    problems = Problems()
    problems.add(info.value.code, Mark("a.yaml", 3, 10), **info.value.params)
    p: Problem = problems.items[0]
    assert p.render("zh-CN") == "a.yaml:3:10: 数值“５．２５”使用了全角字符 — 请改为半角 5.25"
    assert p.render("en") == ("a.yaml:3:10: the number '５．２５' uses full-width characters — "
                              "write it with ASCII characters: 5.25")


def test_percent_message_asks_for_unit() -> None:
    with pytest.raises(DecimalSyntax) as info:
        parse_decimal("95%")
    problems = Problems()
    problems.add(info.value.code, None, **info.value.params)
    assert problems.items[0].render("zh-CN") == "数值“95%”带有百分号 — 请写 95，并在说明中声明单位为 %"


def test_none_is_empty() -> None:
    with pytest.raises(DecimalSyntax) as info:
        parse_decimal(None)  # type: ignore[arg-type]
    assert info.value.code == "number.empty"


def test_parse_int() -> None:
    assert parse_int("42") == 42 and parse_int("-3") == -3 and parse_int("0") == 0
    for text, code in [("5.0", "number.not_integer"), ("010", "number.leading_zero"),
                       ("1,000", "number.thousands"), ("３", "number.fullwidth"),
                       ("1e3", "number.scientific")]:
        with pytest.raises(DecimalSyntax) as info:
            parse_int(text)
        assert info.value.code == code


def test_parse_date_accepts() -> None:
    assert parse_date("2024-02-29") == datetime.date(2024, 2, 29)


@pytest.mark.parametrize(("text", "code", "value"), [
    ("2023-02-29", "date.invalid", None),
    ("2024-13-01", "date.invalid", None),
    ("２０２４－０１－１５", "date.fullwidth", "2024-01-15"),
    ("2024/1/5", "date.format_suggest", "2024-01-05"),
    ("2024年1月15日", "date.format_suggest", "2024-01-15"),
    ("2024-1-15", "date.format_suggest", "2024-01-15"),
    ("2024-01-15T08:30:00", "date.has_time", "2024-01-15"),
    ("15/01/2024", "date.format", None),
    ("昨天", "date.format", None),
    ("", "date.empty", None),
])
def test_parse_date_refuses(text: str, code: str, value: str | None) -> None:
    with pytest.raises(DateSyntax) as info:
        parse_date(text)
    assert info.value.code == code
    assert info.value.params.get("value") == value


def test_all_codes_registered_and_render() -> None:
    scalar_codes = [c for c in known_codes() if c.startswith(("number.", "date."))]
    assert len(scalar_codes) >= 20
    for code in scalar_codes:
        p = Problem(code, None, (("text", "x"), ("value", "1"), ("limit", 100)))
        for locale in ("zh-CN", "en"):
            assert "{" not in p.render(locale)
