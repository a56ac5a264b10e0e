"""Strict parsing of the scalar texts the YAML loader hands out.

The loader never types scalars, so every number and date arrives as the text
written in the file.  These functions accept exactly one spelling of each:

* numbers: ``-?(0|[1-9][0-9]*)(\\.[0-9]+)?`` - e.g. ``0``, ``5.25``, ``-1`` - and at
  most ``MAX_NUMBER_LENGTH`` characters;
* integers: the same without a fraction;
* dates: ISO ``YYYY-MM-DD`` naming a real calendar day.

Anything else is refused with a specific message code and, where one exists,
the correct spelling as the ``value`` parameter.  Near misses such as
full-width digits (``５．２５``), thousands separators or a percent sign are
refused rather than silently normalised: published figures must be exactly
what the file says, so the author has to write the intended value themselves.
Decimals are built from the text, never through ``float``.

:func:`yaml11_reading` tells what other YAML tools (YAML 1.1, like PyYAML's
default loader, or YAML 1.2) would have turned a plain scalar into, so callers
can warn that a text field would be misread elsewhere.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from site_builder.messages import register

MAX_NUMBER_LENGTH = 100

_NUM = "请改为 {value}"
_NUM_EN = "write {value}"

register({
    "number.empty": ("数值为空", "请填写数值，如 5.25", "the number is empty",
                     "write a number, such as 5.25"),
    "number.whitespace": ("数值“{text}”前后有空白", _NUM, "the number '{text}' has spaces around it",
                          _NUM_EN),
    "number.fullwidth": ("数值“{text}”使用了全角字符", "请改为半角 {value}",
                         "the number '{text}' uses full-width characters",
                         "write it with ASCII characters: {value}"),
    "number.percent": ("数值“{text}”带有百分号", "请写 {value}，并在说明中声明单位为 %",
                       "the number '{text}' has a percent sign",
                       "write {value} and declare the unit (%) separately"),
    "number.not_finite": ("“{text}”不是一个有限的数值", "请填写具体数值",
                          "'{text}' is not a finite number", "write an actual number"),
    "number.scientific": ("数值“{text}”使用了科学计数法", _NUM,
                          "the number '{text}' uses scientific notation", _NUM_EN),
    "number.underscore": ("数值“{text}”中有下划线", _NUM,
                          "the number '{text}' contains underscores", _NUM_EN),
    "number.thousands": ("数值“{text}”中有千位分隔符", _NUM,
                         "the number '{text}' contains thousands separators", _NUM_EN),
    "number.plus": ("数值“{text}”以加号开头", _NUM, "the number '{text}' starts with '+'", _NUM_EN),
    "number.leading_zero": (
        "数值“{text}”以多余的 0 开头（YAML 1.1 会把 010 读作八进制的 8）", _NUM,
        "the number '{text}' has leading zeros (YAML 1.1 reads 010 as octal 8)", _NUM_EN),
    "number.leading_dot": ("数值“{text}”以小数点开头", _NUM,
                           "the number '{text}' starts with a decimal point", _NUM_EN),
    "number.trailing_dot": ("数值“{text}”以小数点结尾", _NUM,
                            "the number '{text}' ends with a decimal point", _NUM_EN),
    "number.too_long": ("数值“{text}”过长（超过 {limit} 个字符）", "请检查该数值",
                        "the number '{text}' is too long (over {limit} characters)",
                        "check the number"),
    "number.not_integer": ("“{text}”不是整数", "这里只能填写整数，如 3",
                           "'{text}' is not a whole number", "write a whole number, such as 3"),
    "number.invalid": ("“{text}”不是有效的数值", "请按 5.25、-1、0.5 这样的格式填写",
                       "'{text}' is not a valid number",
                       "write it like 5.25, -1 or 0.5"),
    "date.empty": ("日期为空", "请按 YYYY-MM-DD 格式填写，如 2024-03-01", "the date is empty",
                   "write a date as YYYY-MM-DD, such as 2024-03-01"),
    "date.fullwidth": ("日期“{text}”使用了全角字符", "请改为半角 {value}",
                       "the date '{text}' uses full-width characters",
                       "write it with ASCII characters: {value}"),
    "date.has_time": ("日期“{text}”带有时间", "这里只填日期：{value}",
                      "the date '{text}' includes a time", "write only the date: {value}"),
    "date.format_suggest": ("日期“{text}”的格式不对", "请按 YYYY-MM-DD 格式写作 {value}",
                            "the date '{text}' is not in YYYY-MM-DD form", "write {value}"),
    "date.format": ("“{text}”不是 YYYY-MM-DD 格式的日期", "请按 YYYY-MM-DD 格式填写，如 2024-03-01",
                    "'{text}' is not a date in YYYY-MM-DD form",
                    "write the date as YYYY-MM-DD, such as 2024-03-01"),
    "date.invalid": ("“{text}”不是真实存在的日期", "请检查年、月、日（如 2 月没有 30 日）",
                     "'{text}' is not a real calendar date",
                     "check the year, month and day (February has no 30th)"),
})


class ScalarSyntax(ValueError):
    """A scalar text that is not in the one accepted spelling.

    ``code`` is a message code; ``params`` its parameters (always ``text``, the
    text as written, and ``value``, the correct spelling, where one exists),
    ready for ``problems.add(e.code, mark, **e.params)``.
    """

    def __init__(self, code: str, params: dict[str, object]) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class DecimalSyntax(ScalarSyntax):
    """Raised by :func:`parse_decimal` and :func:`parse_int`."""


class DateSyntax(ScalarSyntax):
    """Raised by :func:`parse_date`."""


# ------------------------------------------------------------------------ YAML readings

_READINGS = (
    ("null", re.compile(r"~|null|", re.IGNORECASE)),
    ("bool", re.compile(r"yes|no|on|off|true|false|y|n", re.IGNORECASE)),
    ("timestamp", re.compile(
        r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
        r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
        r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?")),
    ("sexagesimal", re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")),
    ("int", re.compile(r"[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)")),
    ("float", re.compile(
        r"[-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.?(?:inf|infinity)|\.?nan", re.IGNORECASE)),
)


def yaml11_reading(text: str) -> str | None:
    """What YAML 1.1 or 1.2 tools would read this plain scalar as, if not a string.

    One of "null", "bool", "timestamp", "sexagesimal", "int", "float", or None.
    """
    for name, pattern in _READINGS:
        if pattern.fullmatch(text):
            return name
    return None


# ------------------------------------------------------------------------ numbers

_DEC = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_NOT_FINITE = re.compile(r"[-+]?\.?(?:nan|inf|infinity)", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]{1,2}")
_UNDERSCORE = re.compile(r"-?[0-9][0-9_]*(?:\.[0-9_]+)?")
_THOUSANDS = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_LEADING_ZERO = re.compile(r"(-?)0+([0-9]+(?:\.[0-9]+)?)")
_LEADING_DOT = re.compile(r"(-?)(\.[0-9]+)")
_TRAILING_DOT = re.compile(r"(-?[0-9]+)\.")


def _normalise_width(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-").replace("\u3002", ".")


def _why(t: str, integer: bool) -> tuple[str, dict[str, object]] | None:
    """None if ``t`` is acceptable, else (code, extra params) for the problem."""
    if len(t) > MAX_NUMBER_LENGTH:  # also keeps int() clear of its digit limit
        return "number.too_long", {"limit": MAX_NUMBER_LENGTH}
    if (_INT if integer else _DEC).fullmatch(t):
        return None
    if t == "":
        return "number.empty", {}
    if integer and _DEC.fullmatch(t):
        return "number.not_integer", {}
    candidate: str | None = None
    if t != t.strip():
        code, candidate = "number.whitespace", t.strip()
    elif not t.isascii():
        code, candidate = "number.fullwidth", _normalise_width(t)
        if not candidate.isascii():
            return "number.invalid", {}
    elif t.endswith("%"):
        code, candidate = "number.percent", t[:-1]
    elif _NOT_FINITE.fullmatch(t):
        return "number.not_finite", {}
    elif t.startswith("+"):
        code, candidate = "number.plus", t[1:]
    elif _SCIENTIFIC.fullmatch(t):
        code, candidate = "number.scientific", format(Decimal(t), "f")
    elif "_" in t and _UNDERSCORE.fullmatch(t):
        code, candidate = "number.underscore", t.replace("_", "")
    elif _THOUSANDS.fullmatch(t):
        code, candidate = "number.thousands", t.replace(",", "")
    elif m := _LEADING_ZERO.fullmatch(t):
        code = "number.leading_zero"
        candidate = m[1] + m[2]
    elif m := _LEADING_DOT.fullmatch(t):
        code, candidate = "number.leading_dot", m[1] + "0" + m[2]
    elif m := _TRAILING_DOT.fullmatch(t):
        code, candidate = "number.trailing_dot", m[1]
    else:
        return "number.invalid", {}
    deeper = _why(candidate, integer)
    if deeper is None:
        return code, {"value": candidate}
    return deeper


def _check_number(text: object, integer: bool) -> str:
    if text is None:
        raise DecimalSyntax("number.empty", {"text": ""})
    if not isinstance(text, str):
        raise DecimalSyntax("number.invalid", {"text": str(text)[:MAX_NUMBER_LENGTH]})
    problem = _why(str(text), integer)
    if problem is not None:
        code, params = problem
        raise DecimalSyntax(code, {"text": str(text)[:MAX_NUMBER_LENGTH], **params})
    return str(text)


def parse_decimal(text: str) -> Decimal:
    """The exact Decimal written as ``text``; raises :class:`DecimalSyntax` otherwise."""
    return Decimal(_check_number(text, integer=False))


def parse_int(text: str) -> int:
    """The integer written as ``text`` (same rules, no fraction); raises DecimalSyntax."""
    return int(_check_number(text, integer=True))


# ------------------------------------------------------------------------ dates

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|\s+)[0-9]{1,2}:[0-9]{2}.*")
_LOOSE_DATE = re.compile(
    r"\s*([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?\s*")


def _calendar(m: re.Match[str]) -> datetime.date | None:
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_date(text: str) -> datetime.date:
    """The date written as ISO ``YYYY-MM-DD``; raises :class:`DateSyntax` otherwise."""
    if text is None or text == "":
        raise DateSyntax("date.empty", {"text": ""})
    if not isinstance(text, str):
        raise DateSyntax("date.format", {"text": str(text)[:40]})
    t = str(text)
    shown = {"text": t[:40]}
    if m := _DATE.fullmatch(t):
        day = _calendar(m)
        if day is None:
            raise DateSyntax("date.invalid", shown)
        return day
    nf = _normalise_width(t)
    if nf != t and (m := _DATE.fullmatch(nf)):
        if _calendar(m) is None:
            raise DateSyntax("date.invalid", shown)
        raise DateSyntax("date.fullwidth", {**shown, "value": nf})
    for pattern, code in ((_DATE_TIME, "date.has_time"), (_LOOSE_DATE, "date.format_suggest")):
        if m := pattern.fullmatch(nf):
            day = _calendar(m)
            if day is None:
                raise DateSyntax("date.invalid", shown)
            raise DateSyntax(code, {**shown, "value": day.isoformat()})
    raise DateSyntax("date.format", shown)
