"""Field types shared by every file kind.

The loader hands over plain scalars as text (``PlainStr``), never as YAML 1.1
booleans, octal integers or floats.  These annotated types turn that text into
values with strict rules and raise ``PydanticCustomError`` whose type is one of
our message codes, so the error converter can render it in the user's locale.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from site_builder import messages
from site_builder.load.rawtext import HIDDEN, char_name
from site_builder.load.scalars import parse_date, parse_decimal, yaml11_reading
from site_builder.load.yamlsafe import PlainStr

messages.register(
    {
        "schema.ambiguous_plain": (
            "“{text}”未加引号，其他 YAML 工具会把它读成{reading}而不是文字",
            '请加引号写成 "{text}"',
            "unquoted “{text}” is read as {reading_en} by other YAML tools, not as text",
            'quote it: "{text}"',
        ),
        "schema.expected_text": (
            "这里应为文字，实际是{got}",
            "请写成一段文字（必要时加引号）",
            "text expected here, found {got_en}",
            "write a single piece of text (quoted if needed)",
        ),
        "schema.expected_bool": (
            "这里应为 true 或 false，实际是“{text}”",
            "请写 true 或 false（yes/no/on/off 在不同 YAML 版本中含义不同）",
            "true or false expected, found “{text}”",
            "write true or false (yes/no/on/off mean different things in different YAML versions)",
        ),
        "schema.bad_id": (
            "标识“{text}”不合规：只能用小写英文字母、数字、连字符和下划线，并以字母或数字开头（最长 64 个字符）",
            "例如 fgw、window-01；中文名称请写在 name 中",
            "id “{text}” is not valid: use lowercase ASCII letters, digits, '-' and '_', starting with a letter or digit (at most 64 characters)",
            "for example fgw or window-01; put the Chinese name in `name`",
        ),
        "schema.negative": (
            "这里的数值不能为负数：{text}",
            "请填写 0 或正数",
            "this value must not be negative: {text}",
            "use 0 or a positive number",
        ),
        "schema.bad_url": (
            "网址“{text}”不可用：{why}",
            "请写完整的网址，以 https:// 或 http:// 开头，如 https://example.gov.cn/kaohe/",
            "the address “{text}” cannot be used: {why_en}",
            "write a full address starting with https:// or http://, such as https://example.gov.cn/kaohe/",
        ),
        "schema.bad_email": (
            "电子邮箱“{text}”的格式不对",
            "请写成 name@example.gov.cn 的形式（不含空格、引号、尖括号，不加 mailto:）",
            "the e-mail address “{text}” is not valid",
            "write it as name@example.gov.cn (no spaces, quotes, angle brackets or mailto:)",
        ),
        "schema.hidden_char": (
            "文字的第 {index} 个字符是不可见字符 {char}",
            "请删除该字符（它看不见，却会改变文字的显示顺序，或使两个看起来相同的名称并不相同）",
            "character {index} of the text is the invisible character {char}",
            "delete it (it cannot be seen but can reorder the text or make two names that look the same differ)",
        ),
        "schema.one_line": (
            "这里只能写一行文字，实际写了 {n} 行",
            "请把各行合成一行，几项之间用顿号或逗号隔开，如“各乡镇人民政府，县直各部门”",
            "only one line of text may be written here, found {n} lines",
            "join the lines into one, separating the items with commas",
        ),
        "schema.empty": (
            "这里不能为空",
            "请填写内容，或删除这一行",
            "this value must not be empty",
            "fill it in or delete the line",
        ),
    }
)

_READING_ZH = {
    "bool": "布尔值（是/否）",
    "null": "空值",
    "int": "整数",
    "float": "数字",
    "sexagesimal": "六十进制数（如 12:30 读作 750）",
    "timestamp": "日期时间",
}
_READING_EN = {
    "bool": "a boolean",
    "null": "null",
    "int": "an integer",
    "float": "a number",
    "sexagesimal": "a base-60 number (12:30 becomes 750)",
    "timestamp": "a date/time",
}


def describe_value(value: Any) -> tuple[str, str]:
    """What was found instead of the expected kind, for messages: (zh, en)."""
    if isinstance(value, dict):
        return "一组键值", "a mapping"
    if isinstance(value, list):
        return "一个列表", "a list"
    if value is None:
        return "空值", "nothing"
    text = short(str(value))
    return f"“{text}”", f"“{text}”"


def short(text: str, limit: int = 40) -> str:
    """``text`` as quoted in a message: its first line, at most ``limit`` characters."""
    lines = text.strip().splitlines()
    line = lines[0] if lines else ""
    if len(line) > limit or len(lines) > 1:
        return line[:limit] + "…"
    return line


def _text(value: Any) -> str:
    if value is None:
        raise PydanticCustomError("schema.empty", "empty")
    if isinstance(value, PlainStr):
        reading = yaml11_reading(str(value))
        if reading is not None:
            raise PydanticCustomError(
                "schema.ambiguous_plain",
                "ambiguous",
                {
                    "text": str(value),
                    "reading": _READING_ZH[reading],
                    "reading_en": _READING_EN[reading],
                },
            )
    if not isinstance(value, str):
        zh, en = describe_value(value)
        raise PydanticCustomError("schema.expected_text", "text", {"got": zh, "got_en": en})
    text = str(value).strip()
    if not text:
        raise PydanticCustomError("schema.empty", "empty")
    hidden = _HIDDEN.search(text)
    if hidden is not None:  # written as an escape ("\u202e"): the raw scan saw only ASCII
        raise PydanticCustomError(
            "schema.hidden_char", "hidden", {"index": hidden.start() + 1, "char": char_name(hidden.group())}
        )
    return text


# Control characters other than tab and line breaks, and every invisible one.
_HIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff{HIDDEN.pattern[1:-1]}]")


def _email(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[^\s@<>\"'(),;:\\]+@[^\s@<>\"'(),;:\\/?#]+\.[^\s@<>\"'(),;:\\/?#]+", text):
        raise PydanticCustomError("schema.bad_email", "email", {"text": short(text, 60)})
    return text


def _url(value: Any) -> str:
    """An absolute http(s) address: nothing a browser or feed reader would run or open locally."""
    text = _text(value)
    why = None
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", text)
    if re.search(r"[\s<>\"'`\\{}|^]", text):
        why = ("含有空格、引号、尖括号或反斜杠", "it contains spaces, quotes, angle brackets or backslashes")
    elif scheme is None:
        why = ("不是完整的网址（缺少 https://）", "it is not a full address (https:// is missing)")
    elif scheme.group(1).lower() not in ("http", "https"):
        why = (f"协议“{scheme.group(1)}:”不允许，只能用 https: 或 http:",
               f"the scheme “{scheme.group(1)}:” is not allowed, only https: or http:")
    elif not re.match(r"(?i)https?://[^/?#@:]+(:\d{1,5})?([/?#]|$)", text):
        why = ("“//”之后应是域名", "a host name must follow “//”")
    if why is not None:
        raise PydanticCustomError("schema.bad_url", "url", {"text": short(text, 60), "why": why[0], "why_en": why[1]})
    return text


def _scalar_text(value: Any) -> str:
    """Text of a scalar that is parsed further (numbers, dates): any quoting is fine."""
    if value is None:
        raise PydanticCustomError("schema.empty", "empty")
    if not isinstance(value, str):
        zh, en = describe_value(value)
        raise PydanticCustomError("schema.expected_text", "text", {"got": zh, "got_en": en})
    return str(value).strip()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    text = _scalar_text(value)
    try:
        return parse_decimal(text)
    except ValueError as exc:
        raise PydanticCustomError(
            getattr(exc, "code", "number.invalid"), "number", dict(getattr(exc, "params", {}))
        ) from None


def _nonneg(value: Any) -> Decimal:
    d = _decimal(value)
    if d < 0:
        raise PydanticCustomError("schema.negative", "negative", {"text": str(value)})
    return d


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    d = _nonneg(value)
    if d != d.to_integral_value():
        raise PydanticCustomError("number.not_integer", "int", {"text": str(value)})
    return int(d)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = _scalar_text(value)
    try:
        return parse_date(text)
    except ValueError as exc:
        raise PydanticCustomError(
            getattr(exc, "code", "date.invalid"), "date", dict(getattr(exc, "params", {}))
        ) from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _scalar_text(value)
    if text == "true":
        return True
    if text == "false":
        return False
    raise PydanticCustomError("schema.expected_bool", "bool", {"text": text})


_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _id(value: Any) -> str:
    if isinstance(value, str) and _ID.match(value):
        return str(value)  # ids are unambiguous even unquoted (e.g. 2017 or no)
    text = _scalar_text(value)
    if not _ID.match(text):
        raise PydanticCustomError("schema.bad_id", "id", {"text": text})
    return text


_DEC_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"},
    ]
}

Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]


def _one_line(value: Any) -> str:
    text = _text(value)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1:
        raise PydanticCustomError("schema.one_line", "one line", {"n": len(lines)})
    return text


#: Text of one line (a heading-like item such as 主送: a line break would split it on the page).
OneLine = Annotated[
    str, BeforeValidator(_one_line), WithJsonSchema({"type": "string", "minLength": 1, "pattern": "^\\s*[^\\n\\r]+\\s*$"})
]
Email = Annotated[
    str, BeforeValidator(_email), WithJsonSchema({"type": "string", "format": "email"})
]
Url = Annotated[
    str, BeforeValidator(_url), WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"})
]
Dec = Annotated[Decimal, BeforeValidator(_decimal), WithJsonSchema(_DEC_SCHEMA)]
NonNeg = Annotated[
    Decimal,
    BeforeValidator(_nonneg),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"},
            ]
        }
    ),
]
Int = Annotated[
    int,
    BeforeValidator(_int),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"}]}),
]
Date = Annotated[
    dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})
]
Bool = Annotated[bool, BeforeValidator(_bool), WithJsonSchema({"type": "boolean"})]
Id = Annotated[
    str,
    BeforeValidator(_id),
    WithJsonSchema({"type": "string", "pattern": _ID.pattern}),
]


class Strict(BaseModel):
    """Base of every file-format model: immutable, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _mapping_expected(cls, data: Any) -> Any:
        if data is None:
            raise PydanticCustomError("schema.empty", "empty")
        return data
