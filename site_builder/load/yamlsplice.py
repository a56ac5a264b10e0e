"""A YAML file edited in one entry: its document from the last one's, re-reading that entry alone.

The clerk changes one figure of one unit in a period file of hundreds of units; reading the whole
file again costs ~0.13 s of CPU at 500 units, the unit's entry alone a millisecond.  :func:`spliced`
takes what the last clean reading of the file left (:func:`light`: its values, and the line and
column of each value and key as pairs, cheap to store and read) and its bytes, finds the lines that
differ, and when they lie inside one entry of a block mapping (a key at the start of its line, its
value on the lines below it until the next line indented as far as the key or less, the next key of
that mapping or of one around it), loads those lines of the new text on their own and puts the entry
into a copy of the old values: the others are the old ones (shared, never changed), the positions
after the entry moved by the lines added or removed.  :func:`document` makes the whole
:class:`~site_builder.load.yamlsafe.Document` of the result; the loader (pipeline._spliced) checks
the file with :func:`bare` (no positions) and reads it whole when anything is said about it.

It answers only when that is certainly what loading the whole text gives; None otherwise, and the
caller loads the whole text (which also reports every problem at its position):

- the old entry ends on a line that begins the next key of the document (so nothing of the entry,
  such as the end of a flow mapping, lies past it), and the new lines end at that same line;
- the new lines load without any problem, to one key, the same, at the same column;
- no block scalar (``|``, ``>``), no ``?`` (an explicit key) and no line break other than ``\\n``
  anywhere in what changed, the file decodes as UTF-8, and the entry nests well within
  :data:`~site_builder.load.yamlsafe.MAX_DEPTH`.

Under ``SITE_BUILDER_CHECK_PREKEYS=1`` (the test suite) every splice is compared with the whole text
loaded (:func:`same_document`) and a difference raises AssertionError.
"""

from __future__ import annotations

import os
import re

from site_builder.errors import Mark, Problems
from site_builder.load.rawtext import Report
from site_builder.load.yamlsafe import MAX_DEPTH, Document, PlainStr, _load

CHECK_ENV = "SITE_BUILDER_CHECK_PREKEYS"
#: Line breaks PyYAML counts besides ``\n`` (a text with any of them is loaded whole).
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
#: In the new lines, what makes it load whole: a block scalar (``|``, ``>``: its end depends on what
#: follows), an explicit key (``? k`` without a value: the empty value is placed at the next token).
_UNSURE = re.compile(r"[|>?]")


def light(doc: Document) -> tuple:
    """What :func:`spliced` needs of a document, cheap to store and read: its data, and the line and
    column of every value and key as pairs (unpickling 40,000 positions as ``Mark`` objects costs
    ~70 ms, as pairs ~12 ms)."""
    return (doc.data, {p: (m.line, m.column) for p, m in doc.marks.items()},
            {p: (m.line, m.column) for p, m in doc.key_marks.items()})


def spliced(old_raw: bytes, old: tuple, raw: bytes, display: str, max_bytes: int) -> tuple | None:
    """:func:`light` of the document of ``raw``, made from ``old`` (:func:`light` of the document of
    ``old_raw``), or None: load it whole."""
    if len(raw) > max_bytes or not (isinstance(old, tuple) and len(old) == 3 and isinstance(old[0], dict)
                                    and isinstance(old[1], dict) and isinstance(old[2], dict)):
        return None
    old = _Old(*old)
    try:
        text, old_text = raw.decode("utf-8"), old_raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _OTHER_BREAKS.search(text) or _OTHER_BREAKS.search(old_text):
        return None
    new_lines, old_lines = text.split("\n"), old_text.split("\n")
    n0, n1 = len(old_lines), len(new_lines)
    p = 0  # the first line that differs (0-based)
    limit = min(n0, n1)
    while p < limit and old_lines[p] == new_lines[p]:
        p += 1
    if p == limit and n0 == n1:
        return None  # the same text
    s = 0  # lines alike at the end, not overlapping the start
    while s < limit - p and old_lines[n0 - 1 - s] == new_lines[n1 - 1 - s]:
        s += 1
    delta = n1 - n0
    for path, a, c, end in _entries(old, old_lines, p, n0 - s):
        new_end = end + delta
        if new_end <= a or _ends(new_lines, a, c) != new_end:
            continue  # the new lines end elsewhere (a key added beside it): try the entry around it
        region = new_lines[a:new_end]
        if any(_UNSURE.search(line) for line in region):
            return None
        scratch = Problems()
        rep = Report(scratch, display)
        part = _load(("\n".join(region) + "\n").encode("utf-8"), display, rep, max_bytes)
        rep.finish()
        if part is None or scratch.items or not isinstance(part.data, dict) or len(part.data) != 1:
            return None
        key = path[-1]
        if key not in part.data or part.key_marks.get((key,)) != Mark(display, 1, c + 1):
            return None
        value = part.data[key]
        if _depth(value) + len(path) + 2 >= MAX_DEPTH:
            return None
        return _assemble(old, path, value, part, a, end, delta)
    return None


class _Old:
    def __init__(self, data: dict, marks: dict, key_marks: dict) -> None:
        self.data, self.marks, self.key_marks = data, marks, key_marks


def _indent(line: str) -> int | None:
    """The column of the line's first character, None for a blank or comment line."""
    stripped = line.lstrip(" ")
    if not stripped or stripped.startswith("#"):
        return None
    return len(line) - len(stripped)


def _ends(lines: list[str], a: int, c: int) -> int:
    """The first line after ``a`` with content indented ``c`` or less (``len(lines)`` when none)."""
    for i in range(a + 1, len(lines)):
        k = _indent(lines[i])
        if k is not None and k <= c:
            return i
    return len(lines)


def _entries(old: Document, lines: list[str], first: int, last: int):
    """The entries of block mappings (at least two deep) whose lines hold lines ``first``..``last - 1``,
    innermost first: (its path, key line, key column, the line after it)."""
    keyed: set[tuple[int, int]] = set()  # (line, column) of every key, 0-based
    best: tuple | None = None
    best_at = (-1, -1)
    for path, (line, column) in old.key_marks.items():
        at = (line - 1, column - 1)
        keyed.add(at)
        if at[0] <= first and at > best_at and len(path) >= 2:
            best, best_at = path, at
    path = best
    while path is not None and len(path) >= 2:
        m = old.key_marks.get(path)
        if m is not None and all(isinstance(k, str) for k in path):  # (not an item of a list)
            a, c = m[0] - 1, m[1] - 1
            if a < len(lines) and _indent(lines[a]) == c and _block_parent(old, lines, path[:-1]):
                end = _ends(lines, a, c)
                if end >= last and (end == len(lines) or (end, _indent(lines[end])) in keyed):
                    yield path, a, c, end
        path = path[:-1]


def _block_parent(old: _Old, lines: list[str], parent: tuple) -> bool:
    """The value at ``parent`` is a block mapping: it begins with its first key, not ``{``."""
    m = old.marks.get(parent)
    if m is None or not m[0]:
        return False
    line = lines[m[0] - 1] if m[0] - 1 < len(lines) else ""
    return line[m[1] - 1:m[1]] not in ("{", "[", "") and _indent(line) == m[1] - 1


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _assemble(old: _Old, path: tuple, value: object, part: Document, a: int, end: int,
              delta: int) -> tuple:
    """``old`` with the value at ``path`` replaced, its positions from ``part`` (lines from ``a``),
    the positions after line ``end`` moved by ``delta`` lines: as :func:`light` makes it."""
    data = dict(old.data)
    holder = data
    for k in path[:-1]:
        inner = dict(holder[k])
        holder[k] = inner
        holder = inner
    holder[path[-1]] = value
    top = path[:-1]
    n = len(path)

    def moved(marks: dict[tuple, tuple[int, int]], new: dict[tuple, Mark]) -> dict[tuple, tuple[int, int]]:
        out: dict[tuple, tuple[int, int]] = {}
        placed = False
        for p, at in marks.items():
            if p[:n] == path:
                if not placed:
                    placed = True
                    for q, nm in new.items():
                        if q:
                            out[top + q] = (nm.line + a, nm.column)
                continue
            out[p] = at if not delta or at[0] <= end else (at[0] + delta, at[1])
        return out

    return data, moved(old.marks, part.marks), moved(old.key_marks, part.key_marks)


def document(display: str, parts: tuple) -> Document:
    """The whole document of what :func:`light` made of it (positions as ``Mark`` objects)."""
    data, marks, key_marks = parts
    return Document(display, data, {p: Mark(display, *at) for p, at in marks.items()},
                    {p: Mark(display, *at) for p, at in key_marks.items()})


def bare(display: str, data: object) -> Document:
    """A document of ``data`` without positions (every problem is at the start of the file): only for
    checking a spliced file, whose caller reads the whole file again when anything is reported."""
    return Document(display, data, {}, {})


def is_bare(doc: Document) -> bool:
    return () not in doc.marks


def same_document(a: Document, b: Document) -> bool:
    """Equal documents, value types (plain or quoted text) and the order of positions included."""
    return (a.display == b.display and _same(a.data, b.data) and list(a.marks.items()) == list(b.marks.items())
            and list(a.key_marks.items()) == list(b.key_marks.items()))


def _same(x: object, y: object) -> bool:
    if type(x) is not type(y):
        return False
    if isinstance(x, dict):
        return list(x) == list(y) and all(_same(x[k], y[k]) for k in x)  # type: ignore[index]
    if isinstance(x, list):
        return len(x) == len(y) and all(_same(u, v) for u, v in zip(x, y))  # type: ignore[arg-type]
    return x == y


def checking() -> bool:
    return os.environ.get(CHECK_ENV, "") not in ("", "0")


__all__ = ["light", "spliced", "document", "bare", "is_bare", "same_document", "checking", "PlainStr"]
