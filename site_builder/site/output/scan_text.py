"""The text the privacy scan reads in an output file, so that markup cannot split a number.

HTML and XML: comments and inline tags dropped, entities decoded, other tags
ending a number, and the tags themselves read after the text (for what
attributes publish); JSON and JS: ``\\uXXXX`` escapes decoded; an XLSX through
its XML parts' text and its sheets' names — for a workbook our writer just made,
through the text it kept of them (:class:`.xlsx.Package`), not inflated again;
images, fonts and PDFs not at all.

The scan first glances at a file (:func:`unread_text`): a page's raw lines known clean
(:func:`clean_raw_lines`) are skipped and only the others are split at their tags; a CSV or
JSON file's bytes are looked over whole (:func:`.personal_numbers.surely_none`).  A file that
may hold a finding is read as before, whole: :func:`output_lines`, the distinct lines of that
text in the order they first occur (no number or name spans a line break), less those found
clean on an earlier page of the same process (:func:`clean_lines`).  An HTML page is split at
its tags in one pass for both.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterable
from itertools import accumulate, compress

from site_builder.site.output.xlsx import Package

BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".pdf")

_COMMENT = re.compile(r"<!--.*?-->", re.S)
# a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var|wbr|del|ins,
# written as a tree of their first letters (the same tags; fewer tries at each "<")
_INLINE = re.compile(
    r"</?(?:a(?:bbr)?|b(?:d[io])?|c(?:ite|ode)|d(?:ata|fn|el)|em|i(?:ns)?|kbd|mark|q|s(?:amp|mall|pan|trong|ub|up)?"
    r"|time|u|var|wbr)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_SPLIT = re.compile(r"(<[^>]*>)")  # text, tag, text, tag, … text
_MARKUP_ANY = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
# In spreadsheet XML a cell, row or shared string ends a text; rich-text runs do not.
_XLSX_BREAK = re.compile(r"</?(?:c|row|si|is|v|f|sheetData|cols?|rPh|phoneticPr)\b[^>]*>")
_SHEET_NAME = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"')
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def output_text(path: str, data: bytes) -> str | None:
    """The text a reader of ``path`` can see, for the scan; None for images and fonts."""
    lower = path.lower()
    if lower.endswith(BINARY_SUFFIXES):
        return None
    if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _zip_text(data)
    text = data.decode("utf-8", errors="replace")
    if lower.endswith(_MARKUP_SUFFIXES):
        split = _split_page(text)
        if split is not None:
            body, tags = split
            return html.unescape(body + "\n" + "\n".join(tags))
        return _markup_text(text)
    if lower.endswith((".json", ".js", ".webmanifest")):
        text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def output_lines(path: str, data: bytes) -> list[str] | None:
    """The distinct lines of :func:`output_text`, in the order they first occur: what the scan
    reads (no number or name spans a line break, so it finds the same in them).  A page's
    repeated tags are read once before their text is joined."""
    lower = path.lower()
    if lower.endswith(_MARKUP_SUFFIXES) and data[:4] != b"PK\x03\x04":
        text = data.decode("utf-8", errors="replace")
        split = _split_page(text)
        if split is None:
            return distinct_lines(_markup_text(text))
        body, tags = split
        # html.unescape never reads across a line break, so it reads each tag as it would in
        # the whole text; a tag repeated adds only lines already there
        return distinct_lines(html.unescape(body + "\n" + "\n".join(dict.fromkeys(tags))))
    text = output_text(path, data)
    return None if text is None else distinct_lines(text)


def reading(path: str, data: bytes) -> str | None:
    """How :func:`output_text` reads ``path``: "markup" (tags, entities), "json" (escapes) or
    "plain"; None for an image, a font or a workbook."""
    lower = path.lower()
    if lower.endswith(BINARY_SUFFIXES) or lower.endswith(".xlsx") or isinstance(data, Package):
        return None
    if data[:4] == b"PK\x03\x04":
        return None
    if lower.endswith(_MARKUP_SUFFIXES):
        return "markup"
    return "json" if lower.endswith((".json", ".js", ".webmanifest")) else "plain"


def unread_text(
    path: str, data: bytes, known: Callable[[str], _CleanLines]
) -> tuple[str, list[bytes], _CleanLines] | None:
    """A file at a glance: the text the scan reads of its raw lines not known clean (as
    :func:`output_lines` reads them), those raw lines (bytes), and the lines known clean to a
    reading of this kind (``known(kind)``: markup, JSON or plain), to remember them in when that
    text is clean.  None when the file is to be read whole: an image or font, a workbook, or a
    markup page with a comment or a "<" that does not begin a tag closed on its own line.

    Every other file reads line by line as it reads whole: no number, name, entity, escape or
    tag (in a page read here) spans a line break, nor does decoding UTF-8 (a line break is never
    part of a character), so the lines read of a raw line are the same whatever the other lines
    hold.  A raw line found clean once is clean in every file read the same way, and a site's
    pages, which share most of their lines (the chrome, a table's labels), are decoded and read
    only where they differ; the lines are compared as sets of bytes, in C."""
    kind = reading(path, data)
    if kind is None or (kind == "markup" and b"<!--" in data):
        return None
    memo = known(kind)
    lines = memo.unknown_set(data.split(b"\n"))
    unread = b"\n".join(lines).decode("utf-8", errors="replace")
    if kind == "markup":
        parts = _LINE_SPLIT.split(unread)
        tags = parts[1::2]
        if len(tags) != unread.count("<"):
            return None
        parts[1::2] = map(_SEPARATOR.__getitem__, tags)
        return html.unescape("".join(parts) + "\n" + "\n".join(dict.fromkeys(tags))), lines, memo
    if kind == "json" and "\\u" in unread:
        unread = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), unread)
    return unread, lines, memo


_LINE_SPLIT = re.compile(r"(<[^>\n]*>)")  # a tag closed on its own line


def distinct_lines(text: str) -> list[str]:
    """``text``'s lines, each once (the first time it occurs): no number or name spans a line break,
    nor does NFKC change one, so the same numbers and names are found in them — each once, as the
    report lists each once — and a page's repeated lines (blank ones, the same cell or tag) are read
    once."""
    return list(dict.fromkeys(text.split("\n")))


_MARKUP_SUFFIXES = (".html", ".htm", ".xml", ".svg", ".rss", ".atom")


def _markup_text(text: str) -> str:
    """HTML or XML as read: comments and inline tags vanish, other tags end a line.  The
    tags and comments themselves follow, one a line: an attribute (href="tel:…", alt,
    title, content) or a comment is published too."""
    if "<!--" in text:
        markup = "\n".join(_MARKUP_ANY.findall(text))
        text = _COMMENT.sub("", text)
    else:  # no comment: its tags alone, found with the simpler pattern
        markup = "\n".join(_TAG.findall(text))
    return html.unescape(_TAG.sub("\n", _INLINE.sub("", text)) + "\n" + markup)


def _split_page(text: str) -> tuple[str, list[str]] | None:
    """:func:`_markup_text`'s text before entities are decoded, and the page's tags, in one pass:
    the text between the tags joined by nothing at an inline tag and by a line break at any other.

    The same as :func:`_markup_text` reads when every "<" of the page begins a tag (none
    stands alone or inside a tag) and no comment is there: each inline tag the pattern
    would drop is then one of the tags, whole.  Otherwise None: the patterns read it."""
    if "<!--" in text:
        return None
    parts = _SPLIT.split(text)
    tags = parts[1::2]
    if len(tags) != text.count("<"):
        return None
    parts[1::2] = map(_SEPARATOR.__getitem__, tags)
    return "".join(parts), tags


class _Separators(dict):
    """What a tag leaves in the text read: nothing for an inline tag, a line break for any
    other; remembered per process (a site's pages share most of their tags), bounded."""

    LIMIT = 20_000
    LONGEST = 200

    def __missing__(self, tag: str) -> str:
        sep = "" if _INLINE.fullmatch(tag) else "\n"
        if len(tag) <= self.LONGEST:
            if len(self) >= self.LIMIT:
                self.clear()
            self[tag] = sep
        return sep


_SEPARATOR = _Separators()


def _zip_text(data: bytes) -> str:
    """The text of every XML part of an XLSX (shared strings, sheets, properties)."""
    if isinstance(data, Package):
        return _package_text(data)
    parts = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in sorted(z.infolist(), key=lambda i: i.filename):
                if info.filename.endswith((".xml", ".rels")) and info.file_size <= 64 * 2**20:
                    xml = z.read(info).decode("utf-8", errors="replace")
                    parts.append(_xml_text(xml))
                    if info.filename == "xl/workbook.xml":  # the sheets' names: tabs a reader sees
                        parts.extend(html.unescape(name) for name in _SHEET_NAME.findall(xml))
    except (zipfile.BadZipFile, OSError, ValueError):
        return data.decode("utf-8", errors="replace")
    return "\n".join(parts)


def _xml_text(xml: str) -> str:
    """A spreadsheet XML part's text: cells, rows and strings on lines of their own, tags dropped."""
    return html.unescape(_TAG.sub("", _XLSX_BREAK.sub("\n", xml)))


def _package_text(data: Package) -> str:
    """The text of a workbook our writer made, from what it kept of it (:class:`.xlsx.Package`):
    its small parts read as :func:`_zip_text` reads them, and for the sheets every cell's text once,
    a line each, and the sheets' names.  The same findings as inflating it: a number or a name
    never spans two cells, and one found twice in a file is one finding."""
    parts = [_xml_text(xml) for _, xml in sorted(data.parts)]
    return "\n".join([*parts, *data.cells])


# ------------------------------------------------------------------ lines known clean


class _CleanLines:
    """The lines this process's scan found clean — no personal number, no registered name —
    so that another page holding them (the chrome, a table's labels, common figures) does
    not read them again: no number or name spans a line break, nor does NFKC change one,
    so a line clean on one page is clean on every page.

    Only lines of a page with no finding are kept: every page holding a number or a name
    reports it.  Kept for one set of names searched (another set starts again); lines of
    at most ``LONGEST`` characters, in two generations of at most ``LIMIT`` lines and
    ``CHARS`` characters each (when the newer is full, the older is dropped), so a large
    site does not grow it without end (a few MiB); a page with more than ``PAGE`` lines
    not known yet is not remembered.  Everything here runs in C loops: a
    lookup must cost less than the search it saves.  The lines are text as read
    (:func:`clean_lines`) or a file's raw lines, bytes, their length counted in bytes
    (:func:`clean_raw_lines`)."""

    LIMIT = 16_000
    CHARS = 800_000
    LONGEST = 400
    PAGE = 2_000

    def __init__(self, key: object = None) -> None:
        self.key = key
        self.new: set = set()
        self.old: set = set()
        self.chars = 0

    def unknown(self, lines: Iterable[str]) -> list[str]:
        """``lines`` not known clean, in their order."""
        new, old = self.new, self.old
        return [line for line in lines if line not in new and line not in old]

    def unknown_set(self, lines: Iterable[bytes]) -> list[bytes]:
        """The distinct ``lines`` not known clean, sorted (set operations: what is remembered of
        them when not all fit does not depend on the order of a set)."""
        # one set at a time: difference() walks the smaller side only when given one set
        return sorted(set(lines).difference(self.new).difference(self.old))

    def add(self, lines: list) -> None:
        """Remember ``lines`` (none of them known yet) as clean, as many as the newer
        generation has room for; when it is full, it becomes the older.  A page with more
        new lines than ``PAGE`` (a table of data rows, most of them its own) is not
        remembered: its lines would push out those the pages share."""
        if len(lines) > self.PAGE:
            return
        short = list(compress(lines, map(self.LONGEST.__ge__, map(len, lines))))
        room = bisect_right(list(accumulate(map(len, short))), self.CHARS - self.chars)
        kept = short[: min(room, self.LIMIT - len(self.new))]
        self.new.update(kept)
        self.chars += sum(map(len, kept))
        if len(kept) < len(short) or len(self.new) >= self.LIMIT:
            self.old, self.new, self.chars = self.new, set(), 0


_CLEAN = _CleanLines()


def clean_lines(key: object) -> _CleanLines:
    """The lines known clean to a scan for ``key`` (whether it looks for numbers, the names it
    looks for): another key starts afresh, and a scan keeps the object it was given."""
    global _CLEAN
    if _CLEAN.key != key:
        _CLEAN = _CleanLines(key)
    return _CLEAN


_RAW: dict[str, _CleanLines] = {}


def clean_raw_lines(key: object) -> Callable[[str], _CleanLines]:
    """The raw lines of the files read at a glance (:func:`unread_text`) known clean to a scan
    for ``key``, by the way they are read: markup (tags and entities in them), JSON (escapes)
    or plain.  Kept apart from each other and from :func:`clean_lines`, whose lines are text
    as read: a raw line clean read one way need not be clean read another (a tag or an escape
    in it may split a number)."""

    def known(kind: str) -> _CleanLines:
        memo = _RAW.get(kind)
        if memo is None or memo.key != key:
            memo = _RAW[kind] = _CleanLines(key)
        return memo

    return known
