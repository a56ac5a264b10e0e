"""Validate a loaded YAML document against a model; map errors to file:line:col.

Pydantic reports errors by *location* (a tuple of keys and indexes, with
union-member tags mixed in); the loader recorded a mark for every path in the
document.  This module walks both together so every error lands on the line
the user has to change, and turns pydantic's own error types into our
localised messages.
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from site_builder import messages
from site_builder.errors import Problems
from site_builder.load.yamlsafe import Document
from site_builder.schema.types import describe_value

M = TypeVar("M", bound=BaseModel)

messages.register(
    {
        "schema.missing": ("缺少必填项“{field}”", "请补上 {field}: …", "required key “{field}” is missing", "add {field}: …"),
        "schema.unknown_key": (
            "不认识的键“{key}”{suggestion_zh}",
            "请检查拼写；可用的键：{allowed}",
            "unknown key “{key}”{suggestion_en}",
            "check the spelling; allowed keys: {allowed}",
        ),
        "schema.expected_mapping": ("这里应为一组“键: 值”，实际是{got}", "请按示例写成键值形式", "a mapping (key: value) is expected here, found {got_en}", "write it as key: value pairs"),
        "schema.expected_list": ("这里应为列表（每项以“- ”开头），实际是{got}", "请写成列表", "a list is expected here, found {got_en}", "write it as a list (items starting with '- ')"),
        "schema.bad_choice": ("“{value}”不是可选值", "可选：{expected}", "“{value}” is not an allowed value", "allowed: {expected}"),
        "schema.unknown_kind": ("未知的规则类型“{tag}”{suggestion_zh}", "可用的规则类型：{expected}", "unknown rule kind “{tag}”{suggestion_en}", "known kinds: {expected}"),
        "schema.too_short": ("这里至少要有 {min} 项", "请补充内容", "at least {min} item(s) needed here", "add the missing items"),
        "schema.too_large": ("“{value}”超过上限 {limit}", "请填写不大于 {limit} 的数", "“{value}” is above the limit of {limit}", "write a number of at most {limit}"),
        "schema.invalid": ("取值无效：{msg}", "请对照文档修改", "invalid value: {msg}", "see the documentation"),
    }
)


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _field_type(model: type[BaseModel], key: str) -> Any:
    for name, f in model.model_fields.items():
        if key in (name, f.alias):
            return f.annotation
    return None


def _members(tp: Any) -> list[Any]:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return [_unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
    return [tp]


def _model_for(tp: Any, data: Any) -> Any:
    """Pick the union member that matches the data (models for mappings)."""
    members = _members(tp)
    if isinstance(data, dict):
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if len(models) > 1 and "kind" in data:
            for m in models:
                fk = m.model_fields.get("kind")
                if fk is not None and fk.default == data.get("kind"):
                    return m
        if models:
            return models[0]
    for m in members:
        if typing.get_origin(m) in (list, dict) or (isinstance(m, type) and issubclass(m, BaseModel)):
            return m
    return members[0] if members else None


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _walk(root_model: type[BaseModel], data: Any, loc: tuple) -> tuple[tuple, Any, type[BaseModel] | None]:
    """Resolve a pydantic loc to (document path, value there, model owning the last key)."""
    path: list = []
    cur = data
    tp: Any = root_model
    owner: type[BaseModel] | None = None
    for i, elem in enumerate(loc):
        tp = _model_for(tp, cur) if tp is not None else None
        last = i == len(loc) - 1
        if isinstance(cur, dict) and elem in cur:
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                owner = tp
                tp = _field_type(tp, str(elem))
            elif typing.get_origin(tp) is dict:
                tp = typing.get_args(tp)[1]
            else:
                tp = None
            path.append(elem)
            cur = cur[elem]
        elif isinstance(cur, list) and isinstance(elem, int) and 0 <= elem < len(cur):
            tp = typing.get_args(tp)[0] if typing.get_origin(tp) is list else None
            path.append(elem)
            cur = cur[elem]
        elif last and isinstance(cur, dict):
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                owner = tp
            path.append(elem)  # a missing key: mark the mapping that lacks it
            cur = None
        # anything else is a union-member tag in the loc: skip it
    return tuple(path), cur, owner


_WHOLE: Any = object()  # default of ``data``: the whole document (``None`` is a value: an empty entry)


def report_validation_error(
    exc: ValidationError, model: type[BaseModel], doc: Document, problems: Problems, prefix: tuple = (), data: Any = _WHOLE
) -> None:
    data = doc.data if data is _WHOLE else data
    found: list[tuple[tuple, str, dict, Any, type[BaseModel] | None, tuple]] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        path, value, owner = _walk(model, data, loc)
        found.append((path, err["type"], dict(err.get("ctx") or {}), value, owner, loc))
    structural = {"model_type", "dict_type", "model_attributes_type", "list_type", "decimal_type", "string_type"}
    for path, etype, ctx, value, owner, loc in found:
        others = [f for f in found if f[0][: len(path)] == path and (f[0] != path or f[1] != etype)]
        if etype in structural and others:
            continue
        if etype == "schema.expected_text" and isinstance(value, dict) and others:
            continue
        _emit(path, etype, ctx, value, owner, loc, doc, problems, prefix)


def _emit(path, etype, ctx, value, owner, loc, doc: Document, problems: Problems, prefix: tuple) -> None:
    full = prefix + path
    mark = doc.mark(full)
    if etype == "missing":
        problems.add("schema.missing", doc.mark(full[:-1]), field=str(path[-1]) if path else "")
    elif etype == "extra_forbidden":
        key = str(path[-1]) if path else ""
        allowed = _allowed_keys(owner) if owner is not None else []
        problems.add(
            "schema.unknown_key",
            doc.key_marks.get(full, mark),
            key=key,
            allowed=", ".join(allowed),
            **messages.did_you_mean(key, allowed),
        )
    elif etype in ("model_type", "dict_type", "model_attributes_type"):
        zh, en = describe_value(value)
        problems.add("schema.expected_mapping", mark, got=zh, got_en=en)
    elif etype == "list_type":
        zh, en = describe_value(value)
        problems.add("schema.expected_list", mark, got=zh, got_en=en)
    elif etype == "literal_error":
        problems.add("schema.bad_choice", mark, value=str(value), expected=str(ctx.get("expected", "")))
    elif etype == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        expected = str(ctx.get("expected_tags", ""))
        options = [t.strip(" '") for t in expected.split(",")]
        problems.add(
            "schema.unknown_kind",
            doc.mark(full + ("kind",)),
            tag=tag,
            expected=expected,
            **messages.did_you_mean(tag, options, cutoff=0.5),
        )
    elif etype == "union_tag_not_found":
        problems.add("schema.missing", mark, field="kind")
    elif etype == "too_short":
        problems.add("schema.too_short", mark, min=ctx.get("min_length", 1))
    elif etype == "less_than_equal":
        problems.add("schema.too_large", mark, value=str(value), limit=str(ctx.get("le", "")))
    elif etype == "string_type":
        zh, en = describe_value(value)
        problems.add("schema.expected_text", mark, got=zh, got_en=en)
    elif messages.known(etype):
        problems.add(etype, mark, **{k: v for k, v in ctx.items()})
    else:
        problems.add("schema.invalid", mark, msg=str(ctx) if ctx else etype)


def validate(model: type[M], doc: Document, problems: Problems, prefix: tuple = (), data: Any = _WHOLE) -> M | None:
    """Validate ``data`` (default: the whole document) against ``model``."""
    value = doc.data if data is _WHOLE else data
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        report_validation_error(exc, model, doc, problems, prefix, value)
        return None
