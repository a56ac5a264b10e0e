"""Edit a period file the way a careful person would: change what is asked, keep the rest.

The workflow commands (``import``, ``publish``, ``correct``, ``new period``)
write ``scores/<scheme>/<period>.yaml``.  Those files are also edited by hand,
on Windows as often as not, so an edit keeps what the office wrote around the
values it changes: comments (unit names, group headings, notes beside a fact),
key order, quoting, the ``# yaml-language-server: $schema=`` line, a UTF-8 BOM
and CRLF line endings.  ruamel.yaml's round-trip mode keeps comments and order;
this module adds what the project's strict YAML needs on top:

- numbers keep their exact text (``13.50`` stays ``13.50``; a float never
  passes through binary), and :class:`~decimal.Decimal` values are written as
  plain exact decimals;
- strings are quoted where YAML 1.1 (what the project's loader and most
  editors read) would take them for something else (``"2017"``, ``"yes"``);
- new keys go where the documented order puts them (``notice`` after
  ``status``, ``corrections`` before ``units``);
- replacing a unit's entry keeps the comment lines that follow it (ruamel
  attaches the next group's heading to the last value of the unit before).

Writes are atomic (a temporary file beside the target, then ``os.replace``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

BOM = "\ufeff"

# The documented order of a period file's keys (docs/formats.md), used when a key is added.
ORDER: dict[tuple[str, ...], tuple[str, ...]] = {
    (): (
        "scheme", "version", "period", "status", "sample", "notice", "public_notice",
        "corrections", "external", "units",
    ),
    ("notice",): ("number", "date", "title", "index_number", "issuer", "contact", "body"),
    ("public_notice",): ("from", "until", "working_days"),
    ("*unit",): ("status", "reason", "facts", "vetoes", "coefficient", "note"),
    ("*correction",): ("date", "number", "reason", "changes"),
}


class Number(str):
    """A number as written in the file: its exact text, emitted unchanged."""

    def decimal(self) -> Decimal:
        return Decimal(str(self))


def _construct_number(constructor, node):
    return Number(node.value)


class _Constructor(RoundTripConstructor):
    pass


_Constructor.add_constructor("tag:yaml.org,2002:float", _construct_number)


class _Representer(RoundTripRepresenter):
    def ignore_aliases(self, data) -> bool:
        # the project's loader refuses anchors: the same date set twice is written twice
        if isinstance(data, (dt.date, str, int, Decimal)):
            return True
        return super().ignore_aliases(data)


def _represent_number(representer, value):
    return representer.represent_scalar("tag:yaml.org,2002:float", str(value))


def _represent_decimal(representer, value: Decimal):
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return representer.represent_scalar(tag, text)


_Representer.add_representer(Number, _represent_number)
_Representer.add_representer(Decimal, _represent_decimal)

_RESOLVER = pyyaml.resolver.Resolver()


def _needs_quotes(text: str) -> bool:
    """Would a YAML 1.1 reader (PyYAML, the project's loader) read this plain text as non-string?"""
    tag = _RESOLVER.resolve(pyyaml.ScalarNode, text, (True, False))
    return tag != "tag:yaml.org,2002:str"


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Constructor = _Constructor
    y.Representer = _Representer
    y.preserve_quotes = True
    y.width = 4096  # never fold long Chinese lines
    y.indent(mapping=2, sequence=4, offset=2)
    y.brace_single_entry_mapping_in_flow_sequence = True  # [{title: x}] stays as written
    return y


def to_yaml(value: Any) -> Any:
    """A plain Python value as the node ruamel should write."""
    if isinstance(value, (Number, Decimal, bool, int, dt.date)) or value is None:
        return value
    if isinstance(value, float):
        raise TypeError("points are never floats: pass a Decimal")
    if isinstance(value, str):
        return DoubleQuotedScalarString(value) if _needs_quotes(value) else value
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[str(k)] = to_yaml(v)
        return out
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(to_yaml(v) for v in value)
        if value and all(isinstance(v, dict) and _is_small(v) for v in value):
            for item in seq:
                item.fa.set_flow_style()  # - {rank: dzjcf, count: 1}, as the docs write events
        return seq
    raise TypeError(f"cannot write {type(value).__name__} to a period file")


def _is_small(item: dict) -> bool:
    """An event short enough for one line (``- {rank: dzjcf, count: 1}``); longer records stay in block style."""
    if any(isinstance(v, (dict, list, tuple)) for v in item.values()):
        return False
    return len(item) <= 4 and sum(len(str(k)) + len(str(v)) + 4 for k, v in item.items()) <= 60


def to_python(value: Any) -> Any:
    """A node read from the file as plain Python (numbers as Decimal)."""
    if isinstance(value, Number):
        return value.decimal()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_python(v) for v in value]
    return value


def _insert(mapping: CommentedMap, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Add ``key`` after the last existing key that the documented order puts before it."""
    if key in mapping or key not in order:
        mapping[key] = value
        return
    rank = order.index(key)
    position = 0
    for i, existing in enumerate(mapping):
        if existing in order and order.index(existing) < rank:
            position = i + 1
    mapping.insert(position, key, value)


def _order_for(path: tuple[str, ...]) -> tuple[str, ...]:
    if path in ORDER:
        return ORDER[path]
    if len(path) == 2 and path[0] == "units":
        return ORDER[("*unit",)]
    return ()


def _merge(node: Any, value: Any) -> Any:
    """``value`` written over ``node``, keeping every part of ``node`` that does not change.

    Unchanged values keep their text, style (``{counts: {a: 1}}`` stays in flow
    style) and comments; a changed scalar keeps the comment beside it; a
    mapping is merged key by key.  Returns the node to store.
    """
    if to_python(node) == value and not isinstance(value, float):
        return node
    if isinstance(node, CommentedMap) and isinstance(value, dict):
        for key in [k for k in node if k not in value]:
            if list(node)[-1] == key and len(node) > 1:
                tail = _take_tail(node)
                del node[key]
                _put_tail(node, tail)
            else:
                del node[key]
        for key, v in value.items():
            if key in node:
                node[key] = _merge(node[key], v)
            else:
                tail = _take_tail(node)
                node[key] = to_yaml(v)
                _put_tail(node, tail)
        return node
    new = to_yaml(value)
    if isinstance(node, (CommentedMap, CommentedSeq)) and isinstance(new, (CommentedMap, CommentedSeq)):
        if node.fa.flow_style():
            new.fa.set_flow_style()
        _put_tail(new, _take_tail(node))
    return new


# --- the comment that trails an entry (often the next group's heading) ---------------


def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    """``(container, key, index in its comment list)`` of the last scalar in ``node``."""
    while True:
        if isinstance(node, CommentedMap) and len(node):
            key = list(node)[-1]
            child = node[key]
            if isinstance(child, (CommentedMap, CommentedSeq)) and len(child) and not child.fa.flow_style():
                node = child
                continue
            return node, key, 2
        if isinstance(node, CommentedSeq) and len(node):
            index = len(node) - 1
            child = node[index]
            if isinstance(child, (CommentedMap, CommentedSeq)) and len(child) and not child.fa.flow_style():
                node = child
                continue
            return node, index, 0
        return None


def _take_tail(node: Any):
    slot = _last_slot(node)
    if slot is None:
        return None
    container, key, index = slot
    entry = container.ca.items.get(key)
    if not entry or len(entry) <= index or entry[index] is None:
        return None
    token = entry[index]
    entry[index] = None
    return token


def _put_tail(node: Any, token) -> bool:
    slot = _last_slot(node)
    if slot is None or token is None:
        return False
    container, key, index = slot
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= index:
        entry.append(None)
    entry[index] = token
    return True


class PeriodFile:
    """A period file opened for editing; :meth:`save` writes it back atomically."""

    def __init__(self, path: Path, data: CommentedMap, *, crlf: bool, bom: bool) -> None:
        self.path = path
        self.data = data
        self.crlf = crlf
        self.bom = bom

    @classmethod
    def read(cls, path: Path) -> "PeriodFile":
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        bom = text.startswith(BOM)
        if bom:
            text = text[1:]
        crlf = "\r\n" in text
        text = text.replace("\r\n", "\n")
        return cls.parse(text, path, crlf=crlf, bom=bom)

    @classmethod
    def parse(cls, text: str, path: Path, *, crlf: bool = False, bom: bool = False) -> "PeriodFile":
        data = _yaml().load(text)
        if not isinstance(data, CommentedMap):
            raise ValueError(f"{path}: a period file is a mapping")
        return cls(path, data, crlf=crlf, bom=bom)

    # --- reading ------------------------------------------------------------------

    def _node(self, dotted: str) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def get(self, dotted: str) -> Any:
        """The value at ``a.b.c`` as plain Python (numbers as Decimal), or None."""
        return to_python(self._node(dotted))

    # --- editing ------------------------------------------------------------------

    def set(self, dotted: str, value: Any) -> None:
        """Set ``a.b.c`` (creating maps on the way, in the documented key order); None deletes."""
        parts = dotted.split(".")
        node: Any = self.data
        for i, part in enumerate(parts[:-1]):
            child = node.get(part) if isinstance(node, dict) else None
            if not isinstance(child, CommentedMap):
                if value is None:
                    return
                child = CommentedMap()
                _insert(node, part, child, _order_for(tuple(parts[:i])))
            node = child
        key = parts[-1]
        if value is None:
            if key in node:
                tail = _take_tail(node) if list(node)[-1] == key else None
                del node[key]
                if tail is not None and not _put_tail(node, tail):
                    pass
            return
        if key in node:
            node[key] = _merge(node[key], value)
        else:
            _insert(node, key, to_yaml(value), _order_for(tuple(parts[:-1])))

    def delete(self, dotted: str) -> None:
        self.set(dotted, None)

    def append(self, dotted: str, item: Any) -> None:
        """Append ``item`` to the list at ``dotted`` (created when missing)."""
        seq = self._node(dotted)
        if not isinstance(seq, CommentedSeq):
            self.set(dotted, [item])
            return
        new = to_yaml(item)
        if isinstance(new, CommentedMap) and len(seq):
            tail = _take_tail(seq)
            seq.append(new)
            _put_tail(seq, tail)
        else:
            seq.append(new)

    def set_unit(self, unit: str, entry: dict[str, Any]) -> None:
        """Replace one unit's entry under ``units``, keeping its comments and the lines after it."""
        units = self.data.get("units")
        if not isinstance(units, CommentedMap):
            units = CommentedMap()
            _insert(self.data, "units", units, ORDER[()])
        if unit in units:
            old = units[unit]
            if isinstance(old, CommentedMap) and not entry:
                tail = _take_tail(old)
                units[unit] = CommentedMap()
                if tail is not None:  # an empty entry cannot carry the comment: keep it on the key
                    units.ca.items.setdefault(unit, [None, None, None, None])[2] = tail
            else:
                units[unit] = _merge(old, entry)
        else:
            new = to_yaml(entry)
            tail = _take_tail(units)
            units[unit] = new
            _put_tail(units, tail)

    # --- writing ------------------------------------------------------------------

    def text(self) -> str:
        buf = io.StringIO()
        _yaml().dump(self.data, buf)
        return buf.getvalue()

    def encoded(self) -> bytes:
        text = self.text()
        if self.crlf:
            text = text.replace("\n", "\r\n")
        if self.bom:
            text = BOM + text
        return text.encode("utf-8")

    def save(self, path: Path | None = None) -> None:
        atomic_write(path or self.path, self.encoded())


def _staged(path: Path, data: bytes, mode: int) -> str:
    """``data`` in a temporary file beside ``path``, flushed to disk; returns its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    tmp = _staged(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


def period_text(
    doc: dict[str, Any],
    *,
    schema: str | None = None,
    header: list[str] = (),
    unit_comments: dict[str, str] | None = None,
    group_comments: dict[str, str] | None = None,
) -> str:
    """A new period file: ``doc`` in the documented key order, with comments.

    ``schema`` is the path of ``scores.schema.json`` relative to the file (for
    the editor line); ``header`` the comment lines at the top;
    ``unit_comments`` an end-of-line comment per unit (its name);
    ``group_comments`` a heading line before the first unit of each group.
    Empty facts (None) are written as ``key:``.
    """
    data = CommentedMap()
    for key in ORDER[()]:
        if key in doc:
            data[key] = to_yaml(doc[key])
    for key in doc:
        if key not in data:
            data[key] = to_yaml(doc[key])
    units = data.get("units")
    if isinstance(units, CommentedMap):
        for uid, comment in (unit_comments or {}).items():
            if uid in units:
                units.yaml_add_eol_comment(f"# {comment}", uid, column=2 + len(uid) + 3)
        for uid, heading in (group_comments or {}).items():
            if uid in units:
                units.yaml_set_comment_before_after_key(uid, before=heading, indent=2)
    lines = []
    if schema:
        lines.append(f"yaml-language-server: $schema={schema}")
    lines.extend(header)
    if lines:
        data.yaml_set_start_comment("\n".join(lines))
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def write_new(path: Path, text: str, *, crlf: bool = False) -> None:
    """Create ``path`` with ``text``; refuses to overwrite (``FileExistsError``)."""
    if path.exists() or path.is_symlink():
        raise FileExistsError(str(path))
    tmp = _staged(path, (text.replace("\n", "\r\n") if crlf else text).encode("utf-8"), 0o644)
    try:
        try:
            os.link(tmp, path)  # fails if the file appeared meanwhile: never overwrites
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            if path.exists():
                raise FileExistsError(str(path)) from None
            os.replace(tmp, path)
    finally:
        _discard(tmp)
