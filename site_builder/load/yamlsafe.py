"""The strict YAML loader: hostile bytes in, a :class:`Document` or problems out.

Only a small, predictable subset of YAML is accepted.  Scalars are never
typed: a plain scalar comes back as :class:`PlainStr` with exactly the text
written (``no``, ``1.10``, ``010``, ``2017-10-10`` stay text), an empty plain
scalar as ``None``, a quoted or block scalar as ``str``.  Anchors, aliases,
merge keys, explicit tags, complex keys, duplicate keys, several documents and
deep nesting are refused.  PyYAML is used only for scanning and parsing (its
pure-Python, non-recursive event parser); the tree is built here from the
event stream without a resolver or a composer, so aliases are never expanded
and deep input cannot exhaust the Python stack.  libyaml's CParser is not
used: it hands out no tokens, so anchors and tags could not be reported at
their own positions, and what it accepts differs slightly from PyYAML.

Whatever bytes come in, :func:`load_yaml_bytes` only ever returns a
``Document`` or ``None`` and adds problems; it never raises.  It returns
``None`` whenever it reported an error for the file, and a ``Document``
(possibly with warnings) otherwise.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner
from yaml.tokens import AliasToken, AnchorToken, TagToken

try:  # libyaml's parser: the same events, many times faster; see _fast_events()
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

from site_builder.errors import Mark, Problems
from site_builder.load.files import MAX_BYTES, read_source
from site_builder.load.rawtext import (
    BAD_CHAR,
    Report,
    check_characters,
    decode_utf8,
    report_too_large,
    strip_bom,
)
from site_builder.messages import register

MAX_DEPTH = 50

_NO_ANCHORS = "本项目不支持锚点、别名和合并键，请把内容直接完整写出"
_NO_ANCHORS_EN = "anchors, aliases and merge keys are not supported: write the content out in full"

register({
    "yaml.syntax": (
        "YAML 语法错误：{problem}",
        "请检查此处及上一行的缩进、冒号后是否有空格、引号和括号是否成对",
        "YAML syntax error: {problem}",
        "check the indentation here and on the line above, the space after each colon, "
        "and that quotes and brackets are balanced"),
    "yaml.syntax_context": (
        "YAML 语法错误：{problem}（{context}，起始于第 {context_line} 行第 {context_column} 列）",
        "请检查从起始位置到此处之间的引号、括号是否成对，缩进是否一致",
        "YAML syntax error: {problem} ({context} starting at line {context_line}, "
        "column {context_column})",
        "check that quotes and brackets between the start and here are balanced and the "
        "indentation is consistent"),
    "yaml.colon": (
        "此处不能出现键值分隔符“: ”（YAML 语法错误：{problem}）",
        "如果冒号是文字内容的一部分，请把整个值用引号括起来，如 \"时间: 上午\"；否则请检查缩进",
        "a key separator ': ' is not allowed here (YAML syntax error: {problem})",
        "if the colon is part of the text, put the whole value in quotes; "
        "otherwise check the indentation"),
    "yaml.anchor": ("使用了锚点“&{name}”", _NO_ANCHORS, "anchor '&{name}' used", _NO_ANCHORS_EN),
    "yaml.alias": ("使用了别名“*{name}”", _NO_ANCHORS, "alias '*{name}' used", _NO_ANCHORS_EN),
    "yaml.merge_key": ("使用了合并键“<<”", _NO_ANCHORS, "merge key '<<' used", _NO_ANCHORS_EN),
    "yaml.tag": (
        "使用了显式类型标签“{tag}”", "请删除该标签；如果要表示文字，请用引号把值括起来",
        "explicit tag '{tag}' used", "remove the tag; to write text, put the value in quotes"),
    "yaml.complex_key": (
        "映射的键是列表或映射", "键只能是一段简单文字，如 名称: 值",
        "a mapping key is a list or mapping", "keys must be simple text, as in  name: value"),
    "yaml.empty_key": ("键为空", "请为该项写上键名，如 名称: 值", "empty key",
                       "give the entry a key, as in  name: value"),
    "yaml.duplicate_key": (
        "第 {line} 行出现重复的键“{key}”（第 {first_line} 行已出现）", "删除或合并其中一个",
        "duplicate key '{key}' on line {line} (already on line {first_line})",
        "remove or merge one of them"),
    "yaml.multiple_documents": (
        "一个文件中有多个 YAML 文档（此处开始第 {number} 个）",
        "每个文件只能有一个文档：删除多余的“---”，或把内容拆分到不同文件",
        "more than one YAML document in the file (document {number} starts here)",
        "one document per file: remove the extra '---' or split the content into files"),
    "yaml.empty": ("文件是空的（没有内容，或只有注释）", "请填写内容，或删除该文件",
                   "the file is empty (no content, or only comments)",
                   "add the content or delete the file"),
    "yaml.too_deep": ("嵌套超过 {limit} 层", "请减少嵌套层级",
                      "nested more than {limit} levels deep", "reduce the nesting"),
    "yaml.internal": (
        "读取 YAML 时出现意外错误（{error}）",
        "请检查文件内容是否完整；若问题持续，请把该文件提供给维护者",
        "unexpected error while reading YAML ({error})",
        "check that the file is complete; if this persists, send the file to the maintainers"),
})


class PlainStr(str):
    """Text of a plain (unquoted) scalar."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"PlainStr({str.__repr__(self)})"


@dataclass(frozen=True)
class Document:
    """A loaded YAML file, with the source position of every value and key."""

    display: str
    data: object
    marks: dict[tuple, Mark] = field(default_factory=dict)
    key_marks: dict[tuple, Mark] = field(default_factory=dict)

    def mark(self, path: tuple = ()) -> Mark:
        """Mark of the value at ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            m = self.marks.get(p)
            if m is not None:
                return m
            p = p[:-1]
        return self.marks.get((), Mark(self.display, 1, 1))


def _at(rep: Report, mark: yaml.Mark | None) -> Mark:
    """PyYAML's 0-based mark as our 1-based one."""
    if mark is None:
        return rep.at()
    return rep.at(mark.line + 1, mark.column + 1)


class _Abort(Exception):
    """Stop parsing: the input is unusable and going on could be expensive."""


# ---------------------------------------------------------------- events to data

class _Events(Reader, Scanner, Parser):
    """PyYAML's scanner and parser, remembering every anchor, alias and tag token."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        self.flagged: list[yaml.Token] = []

    def get_token(self) -> yaml.Token:
        token = Scanner.get_token(self)
        if isinstance(token, (AnchorToken, AliasToken, TagToken)):
            self.flagged.append(token)
        return token


class _Unusual(Exception):
    """The fast parser met something the careful one must report: start again with it."""


class _FastEvents:
    """libyaml's events for the common, clean file.

    Anything unusual (an anchor, alias or explicit tag, or any parse error)
    makes the loader start again with PyYAML's own scanner and parser, whose
    token positions give the exact messages; a clean file gives the same
    events and marks either way (a test compares both on every shipped file).
    """

    def __init__(self, text: str) -> None:
        self._parser = _CParser(text)
        self.flagged: list[yaml.Token] = []

    def get_event(self) -> yaml.Event:
        try:
            event = self._parser.get_event()
        except yaml.YAMLError as exc:
            raise _Unusual from exc
        kind = event.__class__  # libyaml makes these classes themselves, never subclasses
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            if event.style == "":
                event.style = None  # libyaml says '' for plain, PyYAML None
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
        elif kind is AliasEvent:
            raise _Unusual
        return event


def _tag_text(value: tuple[str | None, str]) -> str:
    handle, suffix = value
    return f"!<{suffix}>" if handle is None else handle + suffix


@dataclass
class _Frame:
    kind: str  # "doc", "seq" or "map"
    container: list | dict
    path: tuple
    store: bool  # record marks and keep the data (False for discarded subtrees)
    is_key: bool = False
    awaiting_key: bool = True
    key: str | None = None
    key_path: tuple | None = None  # path + (key,): one tuple for the key's mark and its value's
    seen: dict[str, Mark] = field(default_factory=dict)


class _Builder:
    def __init__(self, rep: Report) -> None:
        self.rep = rep
        self.marks: dict[tuple, Mark] = {}
        self.key_marks: dict[tuple, Mark] = {}
        self.documents = 0
        self.plain: dict[str, PlainStr] = {}

    def drain(self, events: _Events) -> None:
        for token in events.flagged:
            mark = _at(self.rep, token.start_mark)
            if isinstance(token, AnchorToken):
                self.rep.error("yaml.anchor", mark, name=token.value)
            elif isinstance(token, AliasToken):
                self.rep.error("yaml.alias", mark, name=token.value)
            else:
                self.rep.error("yaml.tag", mark, tag=_tag_text(token.value))
        events.flagged.clear()

    def run(self, events: _Events) -> tuple[bool, object]:
        """Build the first document; returns (found a document, its data)."""
        holder: list = []
        stack: list[_Frame] = []
        while True:
            event = events.get_event()
            if events.flagged:  # an anchor, alias or tag met by the careful parser
                self.drain(events)
            kind = event.__class__ if event is not None else StreamEndEvent  # both parsers make these classes
            if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent or kind is AliasEvent:
                top = stack[-1]
                if top.kind == "map" and top.awaiting_key:
                    self._key(stack, event)
                else:
                    self._value(stack, event)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                done = stack.pop()
                parent = stack[-1]
                if parent.kind == "map":
                    parent.awaiting_key = not done.is_key
            elif kind is StreamEndEvent:
                break
            elif kind is DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    self.rep.error("yaml.multiple_documents", _at(self.rep, event.start_mark),
                                   number=self.documents)
                stack = [_Frame("doc", holder if self.documents == 1 else [], (),
                                self.documents == 1)]
            # StreamStartEvent, DocumentEndEvent: nothing to do
        return self.documents > 0, (holder[0] if holder else None)

    def _push(self, stack: list[_Frame], event: yaml.Event, frame: _Frame) -> None:
        stack.append(frame)
        if len(stack) - 1 > MAX_DEPTH:
            self.rep.error("yaml.too_deep", _at(self.rep, event.start_mark), limit=MAX_DEPTH)
            raise _Abort

    def _key(self, stack: list[_Frame], event: yaml.Event) -> None:
        top = stack[-1]
        top.awaiting_key = False
        top.key = top.key_path = None
        start = event.start_mark
        mark = Mark(self.rep.display, start.line + 1, start.column + 1) if start is not None else self.rep.at()  # _at()
        if isinstance(event, ScalarEvent):
            text = sys.intern(event.value)  # the same few keys on every unit: one string each
            if event.style is None and text == "<<":
                self.rep.error("yaml.merge_key", mark)
            elif text == "":
                self.rep.error("yaml.empty_key", mark)
            elif text in top.seen:
                self.rep.error("yaml.duplicate_key", mark, key=text, line=mark.line,
                               first_line=top.seen[text].line)
            else:
                top.seen[text] = mark
                top.key = text
                top.key_path = top.path + (text,)
                if top.store:
                    self.key_marks[top.key_path] = mark
        elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            self.rep.error("yaml.complex_key", mark)
            kind = "seq" if isinstance(event, SequenceStartEvent) else "map"
            container: list | dict = [] if kind == "seq" else {}
            self._push(stack, event, _Frame(kind, container, top.path, False, is_key=True))
        # an alias as key was reported by drain(); the entry is dropped

    def _value(self, stack: list[_Frame], event: yaml.Event) -> None:
        top = stack[-1]
        if top.kind == "doc":
            path: tuple = ()
        elif top.kind == "seq":
            path = top.path + (len(top.container),)
        else:
            path = top.key_path if top.key_path is not None else top.path + (top.key,)
        store = top.store and (top.kind != "map" or top.key is not None)
        value: object = None
        kind = event.__class__
        if kind is ScalarEvent:
            if event.style is not None:
                value = event.value
            elif event.value != "":
                value = self.plain.get(event.value)
                if value is None:  # the same few values on every unit ("9.5", a date): one object each
                    value = self.plain[event.value] = PlainStr(event.value)
        elif kind is SequenceStartEvent:
            value = []
        elif kind is MappingStartEvent:
            value = {}
        if store and path:
            mark = event.start_mark
            self.marks[path] = (Mark(self.rep.display, mark.line + 1, mark.column + 1) if mark is not None
                                else self.rep.at())  # _at(), inline: once for every value of a file
        if top.kind != "map":  # a list (a sequence, or the document's holder)
            top.container.append(value)
        elif top.key is not None:
            top.container[top.key] = value
        if kind is SequenceStartEvent:
            self._push(stack, event, _Frame("seq", value, path, store))
        elif kind is MappingStartEvent:
            self._push(stack, event, _Frame("map", value, path, store))
        elif top.kind == "map":
            top.awaiting_key = True


# ---------------------------------------------------------------- entry points

def _syntax_error(exc: yaml.MarkedYAMLError, rep: Report, bad_lines: set[int],
                  quiet_from: int) -> None:
    mark = _at(rep, exc.problem_mark or exc.context_mark)
    if (mark.line, mark.column) in rep.positions or mark.line in bad_lines:
        return  # already reported at this position (usually a tab)
    if quiet_from and mark.line >= quiet_from:
        return  # most likely caused by tabs or control characters: fix those first
    problem = exc.problem or exc.context or "?"
    if problem.startswith("mapping values are not allowed"):
        rep.error("yaml.colon", mark, problem=problem)
    elif exc.context and exc.context_mark is not None and exc.problem:
        cm = _at(rep, exc.context_mark)
        rep.error("yaml.syntax_context", mark, problem=problem, context=exc.context,
                  context_line=cm.line, context_column=cm.column)
    else:
        rep.error("yaml.syntax", mark, problem=problem)


def _load(raw: bytes, display: str, rep: Report, max_bytes: int) -> Document | None:
    if len(raw) > max_bytes:
        report_too_large(len(raw), max_bytes, display, rep.problems)
        rep.errors += 1
        return None
    text = decode_utf8(strip_bom(raw, rep), rep)
    if text is None:
        return None
    bad_lines, quiet_from = check_characters(text, rep)
    # Same length, so positions stay right; the problems are already reported.
    clean = BAD_CHAR.sub(" ", text)
    if _CParser is not None and not rep.errors:
        fast = _fast_document(clean, display, rep)
        if fast is not None:
            return fast
    events = _Events(clean)
    builder = _Builder(rep)
    try:
        found, data = builder.run(events)
    except _Abort:
        return None
    except yaml.MarkedYAMLError as exc:
        builder.drain(events)
        _syntax_error(exc, rep, bad_lines, quiet_from)
        return None
    if (not found or data is None) and not rep.errors:
        rep.error("yaml.empty", Mark(display))
    if rep.errors:
        return None
    return Document(display, data, {(): Mark(display, 1, 1), **builder.marks},
                    builder.key_marks)


def _fast_document(text: str, display: str, rep: Report) -> Document | None:
    """The document through libyaml when the file is clean; None means: use the careful path."""
    scratch = Report(Problems(), display)
    builder = _Builder(scratch)
    try:
        found, data = builder.run(_FastEvents(text))  # type: ignore[arg-type]
    except (_Unusual, _Abort, RecursionError, ValueError, IndexError, TypeError):
        return None
    if scratch.errors or not found or data is None:
        return None
    return Document(display, data, {(): Mark(display, 1, 1), **builder.marks}, builder.key_marks)


def load_yaml_bytes(raw: bytes, display: str, problems: Problems,
                    max_bytes: int = MAX_BYTES) -> Document | None:
    """Load one YAML document from ``raw``; see the module docstring."""
    rep = Report(problems, display)
    try:
        return _load(bytes(raw), display, rep, max_bytes)
    except yaml.YAMLError as exc:
        rep.error("yaml.syntax", Mark(display), problem=str(exc))
    except Exception as exc:  # noqa: BLE001 - hostile input must never crash the build
        rep.error("yaml.internal", Mark(display), error=type(exc).__name__)
    finally:
        rep.finish()
    return None


def load_yaml_file(path: Path, display: str, problems: Problems,
                   max_bytes: int = MAX_BYTES, root: Path | None = None) -> Document | None:
    """Read ``path`` with :func:`~site_builder.load.files.read_source` and load it.

    With ``root``, a symbolic link that resolves outside ``root`` is refused
    without being read; without it, any link is followed.  Either way only a
    regular file of at most ``max_bytes`` is read (the size is checked first).
    """
    raw = read_source(path, display, root if root is not None else Path(os.sep), problems, max_bytes)
    if raw is None:
        return None
    return load_yaml_bytes(raw, display, problems, max_bytes)
