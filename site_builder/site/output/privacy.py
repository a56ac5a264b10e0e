"""Personal data: masking names, and a scan of every published and archived byte.

Two guarantees, both built here:

**Registered names are masked by construction.**  The names recorded with
events (``name:`` of a person, an award or an event) are personal data.
Unless every scheme that records a name declares a legal basis for publishing
it (``personal_data: {publish_names: true, legal_basis: …}``), the site stage
works on a copy of the data in which each such name is replaced by its mask
(张三 → 张*) wherever it occurs: notes, titles, reasons, unit names, the
notice body (:func:`redact_site_data`).  Pages, downloads, the feed and the
search index are all made from that copy, so no view has to remember to mask.
(When every name is written only as its event's ``name:`` — the usual case —
no copy is needed: the views show that field masked.)  The archive in
``published/`` keeps masks too (:func:`redact_archive`), and a registered name
that still reaches an output file or the archive is refused.

**No personal number is published or archived.**  A Chinese resident ID
number (18 characters: a province code, a valid birth date and the GB 11643
check digit; or the 15-digit first generation: province code, YYMMDD, three
digits), a mobile number (``1[3-9]`` + 9 digits, also after +86/0086) and a
bank-card number (16–19 digits, starting 3–6 as the card networks' numbers do,
passing Luhn) are refused — by ``check``, ``build`` and ``lock`` alike — in
every source file read (site, units, schemes, period files, drafts included,
notice bodies; comments too), in every file of ``published/``, and — the
safety net — in every output file, the XLSX downloads (their sheet XML),
manifest, feed, sitemap and search index included.

How text is read so that writing cannot dodge the scan:

- NFKC first, so full-width digits (１３８…), full-width X, full-width
  hyphens and the ideographic space count as their ASCII forms; zero-width
  characters, soft hyphens and bidi controls are dropped; in HTML and XML,
  comments and inline tags (``<b>``, ``<span>``…) are dropped and entities
  decoded, and other tags end a number — the tags and comments themselves are
  read too, after the text, for what attributes publish (``href="tel:…"``);
  in sources, Markdown's emphasis, code and strike-through marks (``*``,
  backquotes, ``~``) are dropped as well; in
  JSON and JS, ``\\uXXXX`` escapes are decoded; an XLSX is read through its
  sheet XML.
- A number may be written in *groups* of digits.  Between two groups one
  separator is allowed: 1–3 spaces (any Unicode space), or one hyphen/dash
  (``-‐‑‒–—―−``), dot (``.·・``) or underscore with at most one space on each
  side.  Not a slash, comma, colon or newline: dates written 2017/08/03, 文号
  such as 〔2017〕23号 and 索引号 such as 003412345/2017-00009 stay apart.
- Groups only combine in the shapes people write these numbers in: a mobile
  in at most three groups of at least three digits (138 1234 5678,
  138-1234-5678, 1381234 5678); a card or an 18-character ID in at most five
  groups of at least three digits, the last may be shorter (6222 0212 3456
  7890 128, 110105 19491231 002X, 1101 0519 4912 3100 2X); a 15-digit ID
  whole, 6-6-3 or 6-9.  Decimals (85.50), ranks, dates (2017-08-03) and 文号 have groups
  too short to combine.  A group is one number only as a whole: a longer run
  of digits (a 20-digit 索引号) is not searched inside — except a
  ``86``/``0086`` country code written straight before a mobile number.
- Digits inside a hexadecimal word (letters a-f touch them, two or more
  letters or 16 characters in all: a SHA-256 or commit hash, an asset
  fingerprint) and the parts of a UUID are not part of a number; digits
  touching other letters are (``TEL13812345678``, ``a13812345678``).

Every finding is reported located at the source file, line and column it came
from, with the number as it is written there, its digits masked but the first
three and the last four (the normalisation keeps a map back to the original
characters).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from site_builder import messages
from site_builder.errors import Mark, Problems

messages.register(
    {
        "privacy.number": (
            "这里有{what}“{number}”，个人号码不得公开或存档",
            "请删除该号码（写在注释里也不行）：它会出现在网站、下载文件或 published/ 存档中",
            "a {what_en} “{number}” is here; personal numbers must never be published or archived",
            "remove the number (in a comment too): it would appear on the site, in a download or in the published/ archive",
        ),
        "privacy.number_in_output": (
            "生成的 {page} 含有{what}“{number}”",
            "个人号码不得公开：请从这里的备注或记录中删除",
            "the generated {page} contains a {what_en} “{number}”",
            "personal numbers must never be published: remove it from the note or record here",
        ),
        "privacy.name_in_archive": (
            "存档中有未遮盖的人员姓名“{masked}”",
            "方案未声明公开姓名的依据（personal_data.legal_basis）：请用 site-builder lock 重新存档，或把姓名改为“{masked}”",
            "the archive holds the unmasked name of a person (“{masked}”)",
            "the scheme declares no legal basis for publishing names (personal_data.legal_basis): re-archive with site-builder lock, or write “{masked}”",
        ),
        "privacy.name_in_output": (
            "生成的 {page} 含有未遮盖的人员姓名“{masked}”",
            "请从这里删除该姓名：按原样发布的文件（如方案原文、主题模板）不会自动遮盖",
            "the generated {page} holds the unmasked name of a person (“{masked}”)",
            "remove the name here: files published as they are (the scheme's own YAML, theme templates) are not masked automatically",
        ),
    }
)

KIND_WORDS = {
    "id_card": ("身份证号", "resident ID number"),
    "mobile": ("手机号", "mobile phone number"),
    "bank_card": ("银行卡号", "bank card number"),
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# GB/T 2260 province-level codes (first two digits of an ID number).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83 91".split()
)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_COUNTRY_MOBILE = re.compile(r"(?:0086|86)(1[3-9][0-9]{9})")

#: Characters dropped before scanning: zero-width, soft hyphen, bidi controls, BOM.
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
# Between two groups of digits (after NFKC, which turns every space into U+0020).
_SEP = "-._\u00b7\u30fb\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
_GAP = re.compile(rf"[ \t]{{1,3}}|[ \t]?[{re.escape(_SEP)}][ \t]?")
_DIGITS = re.compile(r"[0-9]+")
# A run of digit groups joined by allowed separators, with the final X of an ID.
_CHAIN = re.compile(
    # (a chain shorter than 11 characters holds no personal number: skipped by the lookahead)
    # (a digit first, so the engine skips ahead to digits quickly)
    rf"[0-9](?<![0-9]{{2}})(?=[0-9 \t{re.escape(_SEP)}]{{9}}[0-9 \t{re.escape(_SEP)}Xx])"
    rf"[0-9]*(?:(?:{_GAP.pattern})[0-9]+)*(?:[Xx](?![0-9A-Za-z]))?"
)

_HEX_ONLY = re.compile(r"[0-9A-Fa-f]+")
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

#: Output files never scanned: images and fonts (binary; they carry no data text).
BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".pdf")


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***: keep the first character only."""
    name = name.strip()
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


# ------------------------------------------------------------------ numbers


def is_id_card(text: str) -> bool:
    """An 18-character resident ID: province code, valid birth date, GB 11643 check digit."""
    if len(text) != 18 or not text[:17].isascii() or not text[:17].isdigit():
        return False
    if text[:2] not in _PROVINCES or not _valid_date(text[6:10], text[10:12], text[12:14]):
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17].upper()


def is_id_card_15(text: str) -> bool:
    """A first-generation 15-digit ID: province code, YYMMDD (19YY), three digits."""
    if len(text) != 15 or not text.isascii() or not text.isdigit():
        return False
    return text[:2] in _PROVINCES and _valid_date("19" + text[6:8], text[8:10], text[10:12])


def _valid_date(y: str, m: str, d: str) -> bool:
    try:
        year = int(y)
        dt.date(year, int(m), int(d))
    except ValueError:
        return False
    return 1850 <= year <= 2099


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class _Group:
    start: int  # in the normalised text
    end: int
    text: str  # digits, and a final X of an ID number


def _groups(text: str) -> list[list[_Group]]:
    """Chains of digit groups joined by one allowed separator each (11 characters or more).

    A group that is part of a hexadecimal word (digits with a-f touching them:
    a hash, a fingerprint, a UUID's part) or of a UUID is no part of a number
    and splits the chain it is in.
    """
    uuids: list[tuple[int, int]] | None = None
    chains: list[list[_Group]] = []
    for m in _CHAIN.finditer(text):
        if m.end() - m.start() < 11:  # too short to hold any personal number
            continue
        if uuids is None:
            uuids = [u.span() for u in _UUID.finditer(text)] if "-" in text else []
        chain: list[_Group] = []
        for g in _DIGITS.finditer(text, m.start(), m.end()):
            if _in_hex_word(text, g.start(), g.end()) or any(s <= g.start() < e for s, e in uuids):
                if chain:
                    chains.append(chain)
                chain = []
                continue
            chain.append(_Group(g.start(), g.end(), g.group()))
        if chain and text[m.end() - 1] in "Xx" and chain[-1].end == m.end() - 1:
            last = chain[-1]
            chain[-1] = _Group(last.start, m.end(), last.text + "X")
        if chain:
            chains.append(chain)
    return chains


def _in_hex_word(text: str, start: int, end: int) -> bool:
    """Whether the digits at ``start:end`` are part of a hexadecimal word (a hash):
    letters touch them, all a-f, two or more of them or 16 characters in all."""
    before = start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
    after = end < len(text) and text[end].isascii() and text[end].isalpha()
    if not (before or after):
        return False
    s, e = start, end
    while s > 0 and text[s - 1].isascii() and text[s - 1].isalnum():
        s -= 1
    while e < len(text) and text[e].isascii() and text[e].isalnum():
        e += 1
    if _HEX_ONLY.fullmatch(text, s, e) is None:
        return False
    letters = sum(1 for ch in text[s:e] if ch.isalpha())
    return letters >= 2 or e - s >= 16  # one stray letter before a number is no hash


def _classify(parts: list[_Group]) -> tuple[str, str] | None:
    """(kind, number) when these groups, as written, are one personal number."""
    lens = [len(g.text) for g in parts]
    number = "".join(g.text for g in parts)
    k = len(parts)
    if any(g.text.endswith("X") for g in parts[:-1]):
        return None
    if k > 1 and any(n < 3 for n in lens[:-1]):
        return None
    if len(number) == 18 and k <= 5 and is_id_card(number):
        return ("id_card", number)
    if number.endswith("X"):
        return None
    if k <= 3 and min(lens) >= 3:
        if len(number) == 11 and _MOBILE.fullmatch(number):
            return ("mobile", number)
        m = _COUNTRY_MOBILE.fullmatch(number)
        if m and lens[0] > len(number) - 11:  # the code is written with the number
            return ("mobile", m.group(1))
    if len(number) == 15 and tuple(lens) in ((15,), (6, 6, 3), (6, 9)) and is_id_card_15(number):
        return ("id_card", number)
    if 16 <= len(number) <= 19 and k <= 5 and number[0] in "3456" and luhn(number):
        return ("bank_card", number)
    return None


def _find(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, number, start, end in ``text``) of every personal number in normalised text."""
    found: list[tuple[int, int, str, str, int]] = []
    for chain in _groups(text):
        for i in range(len(chain)):
            total = 0
            for j in range(i, min(i + 5, len(chain))):
                total += len(chain[j].text)
                if total > 19:
                    break
                if total >= 11:
                    hit = _classify(chain[i : j + 1])
                    if hit:
                        found.append((chain[i].start, chain[j].end, *hit, chain[i].start))
                if len(chain[j].text) < 3:  # a short group can only end a number
                    break
    # a number written inside a longer one counts once, as the longer
    out = []
    for s, e, kind, number, _ in found:
        if any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2, *_ in found):
            continue
        out.append((kind, number, s, e))
    return out


def normalise(text: str) -> str:
    """NFKC, with zero-width, soft-hyphen and bidi characters dropped."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text))


# What a source may wrap a number's digits in that a reader of the page never sees:
# Markdown emphasis and code marks, inline HTML tags and comments; and entities.
_MARKUP = re.compile(
    r"(?P<drop><!--.*?-->|</?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var|wbr|del|ins)\b[^>\n]*>|[*`~]+)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)",
    re.S | re.I,
)


def _normalise_mapped(text: str) -> tuple[str, list[int]]:
    """:func:`normalise` of a source, with the index in ``text`` of every character of the result.

    Markup a reader never sees is dropped and entities are decoded first, so
    ``**138**-1234-5678`` and ``&#49;38 1234 5678`` in a notice body are found
    where ``check`` reads them, as the output scan finds them on the page; the
    inline tags and comments dropped are read after the text, one a line.
    """
    out: list[str] = []
    where: list[int] = []

    def put(chars: str, i: int) -> None:
        for ch in chars:
            if ch in _INVISIBLE:
                continue
            n = ch if ch < "\x80" else unicodedata.normalize("NFKC", ch)
            out.append(n)
            where.extend([i] * len(n))

    pos = 0
    tags: list[tuple[int, int]] = []
    for m in _MARKUP.finditer(text):
        for i in range(pos, m.start()):
            put(text[i], i)
        if m.group("entity"):
            put(html.unescape(m.group()), m.start())
        elif m.group().startswith("<"):
            tags.append(m.span())
        pos = m.end()
    for i in range(pos, len(text)):
        put(text[i], i)
    for start, end in tags:  # an inline tag's attributes (href="tel:…") are published too
        put("\n", start)
        for i in range(start, end):
            put(text[i], i)
    return "".join(out), where


def _unmarked(text: str) -> str:
    """``text`` as :func:`_normalise_mapped` reads it, without the map (fast)."""
    tags: list[str] = []

    def one(m: re.Match[str]) -> str:
        if m.group("entity"):
            return html.unescape(m.group())
        if m.group().startswith("<"):
            tags.append("\n" + m.group())
        return ""

    return _MARKUP.sub(one, text) + "".join(tags)


def find_numbers(text: str) -> list[tuple[str, str]]:
    """(kind, number) for every personal number in ``text``; numbers in their canonical digits."""
    return [(kind, number) for kind, number, _, _ in _find(normalise(text))]


def locate_numbers(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, number, line, column) — 1-based, in ``text`` as written — of every personal number."""
    return [(kind, number, line, col) for kind, number, line, col, _ in _locate(text)]


def _locate(text: str) -> list[tuple[str, str, int, int, str]]:
    """:func:`locate_numbers`, with each number as written there, masked (:func:`mask_written`)."""
    if not _find(normalise(_unmarked(text))):  # the usual case: no number, no map needed
        return []
    norm, where = _normalise_mapped(text)
    out = []
    for kind, number, start, end in _find(norm):
        a, b = where[start], where[end - 1] + 1
        out.append((kind, number, *_line_col(text, a), mask_written(text[a:b], number)))
    return out


def mask_written(written: str, number: str) -> str:
    """The number as written (spaces, dashes, full-width digits kept), its digits masked
    but the first three and the last four — a country code written with it is kept too."""
    digits = [i for i, ch in enumerate(written) if unicodedata.normalize("NFKC", ch) in _DIGIT_CHARS]
    if len(digits) < len(number):
        return redact_number(number)  # written across markup or entities: show it plainly
    prefix = len(digits) - len(number)
    keep = set(digits[: prefix + 3]) | set(digits[len(digits) - 4 :])
    return "".join("*" if i in set(digits) - keep else ch for i, ch in enumerate(written))


_DIGIT_CHARS = frozenset("0123456789Xx")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def redact_number(number: str) -> str:
    """138****5678: enough to find it in the source, not enough to use it."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# ------------------------------------------------------------------ output text

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var|wbr|del|ins)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_MARKUP_ANY = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
# In spreadsheet XML a cell, row or shared string ends a text; rich-text runs do not.
_XLSX_BREAK = re.compile(r"</?(?:c|row|si|is|v|f|sheetData|cols?|rPh|phoneticPr)\b[^>]*>")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def output_text(path: str, data: bytes) -> str | None:
    """The text a reader of ``path`` can see, for the scan; None for images and fonts."""
    lower = path.lower()
    if lower.endswith(BINARY_SUFFIXES):
        return None
    if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _zip_text(data)
    text = data.decode("utf-8", errors="replace")
    if lower.endswith((".html", ".htm", ".xml", ".svg", ".rss", ".atom")):
        # Text as read: comments and inline tags vanish, other tags end a line.  The
        # tags and comments themselves follow, one a line: an attribute
        # (href="tel:…", alt, title, content) or a comment is published too.
        markup = "\n".join(_MARKUP_ANY.findall(text))
        text = html.unescape(_TAG.sub("\n", _INLINE.sub("", _COMMENT.sub("", text))) + "\n" + markup)
    elif lower.endswith((".json", ".js", ".webmanifest")):
        text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _zip_text(data: bytes) -> str:
    """The text of every XML part of an XLSX (shared strings, sheets, properties)."""
    parts = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in sorted(z.infolist(), key=lambda i: i.filename):
                if info.filename.endswith((".xml", ".rels")) and info.file_size <= 64 * 2**20:
                    xml = z.read(info).decode("utf-8", errors="replace")
                    parts.append(html.unescape(_TAG.sub("", _XLSX_BREAK.sub("\n", xml))))
    except (zipfile.BadZipFile, OSError, ValueError):
        return data.decode("utf-8", errors="replace")
    return "\n".join(parts)


# ------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Finding:
    kind: str  # id_card | mobile | bank_card | name
    text: str  # the number or name, masked for the message
    page: str  # the output file ("" for a source)
    sources: tuple[str, ...]
    mark: Mark | None = None  # where it was written


def scan(files: Mapping[str, bytes], sources: Mapping[str, bytes]) -> list[Finding]:
    """Every personal number in the output files, located at its source."""
    return scan_outputs(files, sources, ())


def scan_outputs(
    files: Mapping[str, bytes], sources: Mapping[str, bytes], names: Iterable[str], *, numbers: bool = True
) -> list[Finding]:
    """Personal numbers (unless ``numbers`` is false) and unmasked registered ``names``
    in the output files — the path of each file included — located at their source."""
    names = _maskable(names)
    findings = []
    index = _SourceIndex(sources)
    for page in sorted(files):
        text = output_text(page, files[page])
        if text is None:
            continue
        norm = normalise(page + "\n" + text)
        if numbers:
            for kind, number, _, _ in _find(norm):
                mark, written = index.where(number)
                origin = index.files_with(number)
                findings.append(Finding(kind, written, page, origin, mark))
        for name in _names_in(norm, names):
            mark = _name_mark(name, sources)
            findings.append(Finding("name", mask_name(name), page, (mark.path,) if mark else (), mark))
    return findings


class _SourceIndex:
    """The personal numbers of the source files, located, computed once."""

    def __init__(self, sources: Mapping[str, bytes]) -> None:
        self.sources = sources
        self._located: dict[str, list[tuple[str, str, int, int, str]]] | None = None

    def located(self) -> dict[str, list[tuple[str, str, int, int, str]]]:
        if self._located is None:
            self._located = {p: _locate(_decode(b)) for p, b in sorted(self.sources.items())}
        return self._located

    def mark(self, kind: str, number: str) -> Mark | None:
        return self.where(number)[0]

    def where(self, number: str) -> tuple[Mark | None, str]:
        """Where ``number`` is written first, and how (masked)."""
        for path, hits in self.located().items():
            for _, n, line, col, written in hits:
                if n.upper() == number.upper():
                    return Mark(path, line, col), written
        files = self.files_with(number)
        return (Mark(files[0]) if files else None), redact_number(number)

    def files_with(self, number: str) -> tuple[str, ...]:
        """Source files holding the number's digits, however they are written."""
        out = []
        for path, hits in self.located().items():
            if any(n.upper() == number.upper() for _, n, *_ in hits):
                out.append(path)
        if out:
            return tuple(out)
        digits = number.rstrip("Xx")
        for path, data in sorted(self.sources.items()):
            if digits in re.sub(r"[^0-9]", "", normalise(_decode(data))):
                out.append(path)
        return tuple(out)


def _decode(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def unique(findings: Iterable[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.kind, f.text, f.mark or f.page)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


# ------------------------------------------------------------------ registered names
#
# The names recorded with events (``name:`` of a person, an award or an event)
# are personal data.  Unless a scheme declares a legal basis for publishing
# them, every occurrence of such a name — in a note, a title, an archived
# period file — is replaced by its mask.  The privacy stage and the lock share
# these functions.


def person_names(facts_by_unit: Mapping[str, Mapping[str, object]]) -> set[str]:
    """Every person's name recorded in one period's validated facts (unit -> line -> Facts)."""
    names: set[str] = set()
    for lines in facts_by_unit.values():
        for facts in lines.values():
            for ev in getattr(facts, "all_events", lambda: [])():
                if ev.name and ev.name.strip():
                    names.add(ev.name.strip())
    return names


def _maskable(names: Iterable[str]) -> list[str]:
    """Names worth masking (two characters or more), longest first."""
    # a name already masked (张*, as archived by ``site-builder lock``) is not a name
    return sorted(
        {n.strip() for n in names if len(n.strip()) >= 2 and "*" not in n},
        key=lambda n: (-len(n), n),
    )


def redact_names(text: str, names: Iterable[str]) -> str:
    """``text`` with every registered name replaced by its mask (longest names first)."""
    for name in _maskable(names):
        if name in text:  # one character would mask ordinary words
            text = text.replace(name, mask_name(name))
    return text


def redact_archive(data: bytes, names: Iterable[str]) -> bytes:
    """A period file's bytes with every registered name masked, for ``published/``.

    The replacement works on the UTF-8 bytes (a character's encoding never
    overlaps another's), so everything but the names — line endings, comments,
    a BOM — stays byte-for-byte, and the result is stable: redacting twice
    gives the same bytes.  A mask keeps the name's first character, so it never
    begins a plain YAML scalar with ``*`` and the file stays valid YAML.
    """
    for name in _maskable(names):
        needle = name.encode("utf-8")
        if needle in data:
            data = data.replace(needle, mask_name(name).encode("utf-8"))
    return data


def redact_markdown(data: bytes, names: Iterable[str]) -> bytes:
    """A notice body's bytes with every registered name masked (the mask's ``*``
    escaped for Markdown), for ``published/``: what the page shows, byte-stable."""
    return _Redactor(_maskable(names)).markdown(data)


def publishes_names(project: Any, scheme: str, version: str | None = None) -> bool:
    """Whether ``scheme`` (its ``version``, else its latest) declares a legal basis for names."""
    versions = getattr(project, "schemes", {}).get(scheme) or {}
    sv = versions.get(version) if version else None
    if sv is None and versions:
        sv = list(versions.values())[-1]
    if sv is None:
        return False
    pd = sv.scheme.personal_data
    return bool(pd.publish_names and pd.legal_basis)  # check refuses the one without the other


def names_to_mask(project: Any, histories: Mapping[Any, Any] | None = None) -> list[str]:
    """Registered names of every period (earlier published versions too) whose scheme
    does not publish names: masked everywhere on the site, longest first."""
    periods = list(project.periods)
    for h in (histories or {}).values():
        for v in h.versions:
            periods.append(v.period)
            periods.extend(v.project.periods)
    names: set[str] = set()
    seen: set[int] = set()
    for p in periods:
        if id(p) in seen:
            continue
        seen.add(id(p))
        if not publishes_names(project, p.scheme, p.version):
            names |= person_names(p.facts)
    return _maskable(names)


_ATOMS = (bool, int, float, Decimal, dt.date, dt.time, Path, enum.Enum)
_PLAIN = frozenset({type(None), bool, int, float, Decimal, dt.date, dt.datetime})


class _Redactor:
    """A copy of immutable data (dataclasses, pydantic models, containers) with names masked.

    Only what changes is copied; shared objects stay shared (one copy each).
    Dictionary keys are identifiers and are left alone; bytes are Markdown
    (a notice body), where the mask's ``*`` is escaped.
    """

    def __init__(self, names: list[str], skip: frozenset[tuple[type, str]] = frozenset()) -> None:
        self.names = names
        self.pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None
        self.masks = {n: mask_name(n) for n in names}
        self.skip = skip
        self.memo: dict[int, tuple[Any, Any]] = {}
        self.handlers: dict[type, Any] = {}

    def text(self, s: str) -> str:
        if self.pattern is None or self.pattern.search(s) is None:
            return s
        new = self.pattern.sub(lambda m: self.masks[m.group()], s)
        return new if type(s) is str else type(s)(new)

    def markdown(self, b: bytes) -> bytes:
        if self.pattern is None:
            return b
        text = b.decode("utf-8", errors="surrogateescape")
        if self.pattern.search(text) is None:
            return b
        new = self.pattern.sub(lambda m: self.masks[m.group()].replace("*", "\\*"), text)
        return new.encode("utf-8", errors="surrogateescape")

    def __call__(self, obj: Any) -> Any:
        t = type(obj)
        if t is str:
            return self.text(obj)
        handler = self.handlers.get(t)
        if handler is None:
            handler = self.handlers[t] = self._handler(t)
        return handler(obj)

    def _handler(self, t: type) -> Any:
        if t is type(None) or issubclass(t, _ATOMS):
            return _same
        if issubclass(t, str):
            return self.text
        if issubclass(t, bytes):
            return self.markdown
        if issubclass(t, BaseModel):
            return self._memo(self._model, tuple(t.model_fields))
        if dataclasses.is_dataclass(t):
            names = tuple(f.name for f in dataclasses.fields(t) if (t, f.name) not in self.skip)
            return self._memo(self._dataclass, names)
        if issubclass(t, dict):
            return self._memo(self._dict, ())
        if issubclass(t, (list, tuple)):
            return self._sequence
        if issubclass(t, (set, frozenset)):
            return self._set
        return _same

    def _memo(self, copy_of: Any, names: tuple[str, ...]) -> Any:
        memo = self.memo

        def handle(obj: Any) -> Any:
            hit = memo.get(id(obj))
            if hit is not None and hit[0] is obj:
                return hit[1]
            new = copy_of(obj, names)
            memo[id(obj)] = (obj, new)
            return new

        return handle

    def _item(self, value: Any) -> Any:
        """``self(value)``, with the common cases (no text, text without a name) inline."""
        t = type(value)
        if t is str:
            if self.pattern is None or self.pattern.search(value) is None:
                return value
            return self.text(value)
        if t in _PLAIN:
            return value
        return self(value)

    def _changes(self, obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
        changes = {}
        item = self._item
        for name in names:
            value = getattr(obj, name)
            red = item(value)
            if red is not value:
                changes[name] = red
        return changes

    def _model(self, obj: Any, names: tuple[str, ...]) -> Any:
        changes = self._changes(obj, names)
        return obj.model_copy(update=changes) if changes else obj

    def _dataclass(self, obj: Any, names: tuple[str, ...]) -> Any:
        changes = self._changes(obj, names)
        if not changes:
            return obj
        import copy

        new = copy.copy(obj)
        for name, value in changes.items():
            object.__setattr__(new, name, value)
        return new

    def _dict(self, obj: dict, _names: tuple[str, ...]) -> dict:
        item = self._item
        out = {k: item(v) for k, v in obj.items()}
        if all(out[k] is v for k, v in obj.items()):
            return obj
        return out if type(obj) is dict else type(obj)(out)

    def _sequence(self, obj: Any) -> Any:
        item = self._item
        items = [item(v) for v in obj]
        if all(a is b for a, b in zip(items, obj, strict=True)):
            return obj
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return type(obj)(*items)
        return type(obj)(items)

    def _set(self, obj: Any) -> Any:
        items = {self(v) for v in obj}
        return obj if items == set(obj) else type(obj)(items)


def _same(obj: Any) -> Any:
    return obj


def redact_site_data(data: Any, names: list[str] | None = None) -> Any:
    """The site's data with every registered name masked: what every page is made from.

    ``data`` is a :class:`~site_builder.site.data.SiteData`; the source bytes it
    lists for the manifest (``project.sources``, ``archive``) stay as they are,
    because their hashes must match the files in the repository.
    """
    from site_builder.model import Project

    if names is None:
        names = names_to_mask(data.project, data.histories)
    if not names or not _written_elsewhere(data, names):
        # Each name is only the ``name:`` of its event, which every view shows
        # masked (:func:`mask_name`); the scan of the outputs stands behind that.
        # Copying the whole data would only cost time (a tenth of a large build).
        return data
    red = _Redactor(names, skip=frozenset({(Project, "sources")}))
    return dataclasses.replace(
        data,
        project=red(data.project),
        results=red(data.results),
        histories=red(data.histories),
        content={k: red.markdown(v) for k, v in data.content.items()},
    )


def _written_elsewhere(data: Any, names: list[str]) -> bool:
    """Whether a registered name is written anywhere but as the ``name:`` of an event:
    in a note, a title, the registry, a scheme, a notice body (now or archived)."""
    periods = {p.path for p in data.project.periods}
    files = [*data.project.sources.items(), *data.content.items(), *data.archive.items()]
    for h in data.histories.values():
        files.extend((f"body of v{v.n}", v.body) for v in h.versions if v.body)
    for path, raw in files:
        text = _decode(raw)
        if re.search(r"\\[uUxN]", text):
            return True  # an escape in a quoted YAML string may spell a name
        if not any(n in text for n in names):
            continue
        if path in periods or re.search(r"/v[0-9]+\.ya?ml$", path):
            text = _NAME_VALUE.sub("", text)  # a period file: its events' own names
        if any(n in normalise(text) for n in names):
            return True
    return False


def find_names(text: str, names: Iterable[str]) -> list[str]:
    """The registered names that occur in ``text`` (after NFKC), longest first."""
    return _names_in(normalise(text), _maskable(names))


def _names_in(norm: str, names: list[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        if name in norm and not any(name in longer for longer in found):
            found.append(name)
    return found


def scan_names(files: Mapping[str, bytes], sources: Mapping[str, bytes], names: Iterable[str]) -> list[Finding]:
    """The safety net: an unmasked registered name in any output file, located at its source."""
    return scan_outputs(files, sources, names, numbers=False)


_NAME_FIELD = re.compile(r"^\s*(?:-\s*)?name\s*:")


def _name_mark(name: str, sources: Mapping[str, bytes]) -> Mark | None:
    """Where ``name`` is written other than as a ``name:`` of its own, else where it is registered."""
    first: Mark | None = None
    for path, data in sorted(sources.items()):
        text = _decode(data)
        if name not in text:
            continue
        for i, line in enumerate(text.splitlines(), 1):
            col = line.find(name)
            if col < 0:
                continue
            mark = Mark(path, i, col + 1)
            if not _NAME_FIELD.match(line):
                return mark
            first = first or mark
    return first


# ------------------------------------------------------------------ sources and archive

#: An unmasked registered name in ``published/`` is refused (``site-builder lock``
#: archives period files with names masked, :func:`redact_archive`).
ARCHIVE_NAMES_SEVERITY = "error"

_NAME_VALUE = re.compile(r"(?:^|[\s{,])name\s*:[ \t]*(?P<v>\"[^\"\n]*\"|'[^'\n]*'|[^,}#\n]+)")
_VERSION_LINE = re.compile(r"^version\s*:\s*[\"']?([^\"'#\n]+?)[\"']?\s*(?:#.*)?$", re.M)
_ARCHIVE_CAP = 8 * 2**20


def archive_files(root: Path) -> dict[str, bytes]:
    """Every regular file of ``published/`` (and ``published.lock``), by path; links are not followed."""
    out: dict[str, bytes] = {}
    lock = root / "published.lock"
    if lock.is_file() and not lock.is_symlink():
        out["published.lock"] = _read_capped(lock)
    base = root / "published"
    if not base.is_dir() or base.is_symlink():
        return out
    import os

    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_symlink() or not p.is_file():
                continue
            out[p.relative_to(root).as_posix()] = _read_capped(p)
    return dict(sorted(out.items()))


def _read_capped(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(_ARCHIVE_CAP)
    except OSError:
        return b""


def _archived_names(text: str) -> set[str]:
    """The ``name:`` values written in an archived period file (masked ones left out)."""
    names = set()
    for m in _NAME_VALUE.finditer(text):
        v = m.group("v").strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v = v[1:-1].strip()
        if v and "*" not in v:
            names.add(v)
    return names


def source_problems(root: Path, project: Any) -> Problems:
    """Personal numbers in every source read (drafts included) and in ``published/``;
    unmasked registered names in ``published/``.

    ``check`` and ``build`` both call this, so they refuse the same inputs at
    the same file, line and column.
    """
    problems = Problems()
    # drafts too: a draft is published one day, and the repository may be public now
    files = {**dict(sorted(project.sources.items())), **archive_files(Path(root))}
    for path, data in files.items():
        text = _decode(data)
        for kind, number, line, col, written in _locate(text):
            what = KIND_WORDS[kind]
            problems.add(
                "privacy.number",
                Mark(path, line, col),
                what=what[0],
                what_en=what[1],
                number=written,
            )
    _archive_name_problems(project, {p: d for p, d in files.items() if p.startswith("published/")}, problems)
    return problems


def _archive_name_problems(project: Any, archive: Mapping[str, bytes], problems: Problems) -> None:
    """Unmasked registered names in the archive of each published period.

    The names are those of the period — registered in its file now, or written
    in ``name:`` of an archived version — as ``site-builder lock`` masks them
    when it archives (:func:`redact_archive`), unless the scheme version
    publishes names.
    """
    folders: dict[tuple[str, str], list[str]] = {}
    for path in archive:
        parts = path.split("/")
        if len(parts) == 4:
            folders.setdefault((parts[1], parts[2]), []).append(path)
    periods = {(p.scheme, p.id): p for p in project.periods}
    for (scheme, period_id), paths in sorted(folders.items()):
        texts = {path: _decode(archive[path]) for path in sorted(paths)}
        names: set[str] = set()
        version = None
        for path, text in texts.items():
            if re.fullmatch(r"v[0-9]+\.ya?ml", path.rsplit("/", 1)[-1]):
                names |= _archived_names(text)
                m = _VERSION_LINE.search(text)
                version = version or (m.group(1).strip() if m else None)
        period = periods.get((scheme, period_id))
        if period is not None:
            names |= person_names(period.facts)
            version = version or period.version
        if publishes_names(project, scheme, version):
            continue
        maskable = _maskable(names)
        for path, text in texts.items():
            for name in _names_in(normalise(text), maskable):
                line, col = _line_col(text, text.find(name)) if name in text else (0, 0)
                problems.add(
                    "privacy.name_in_archive",
                    Mark(path, line, col),
                    severity=ARCHIVE_NAMES_SEVERITY,
                    masked=mask_name(name),
                )
