"""Personal numbers in text: resident ID numbers (18 and 15 digits), mobile numbers
and bank-card numbers, however they are written (full-width digits, groups,
separators, invisible characters, markup), located and masked.

What counts as a number and why is told in :mod:`.privacy`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass


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


def find_spans(text: str) -> list[tuple[str, str, int, int]]:
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


# A glance at a text file's bytes (:func:`surely_none`): ASCII digits, spaces and separators read
# as "0"; bytes that begin a character other than a CJK ideograph (U+4000-U+9FFF: leading bytes
# E4-E9), and backslashes (JSON escapes), as "!"; every other byte as "a".
_GLANCE = bytes(
    ord("0") if chr(b) in "0123456789 \t-._"
    else ord("!") if b == 0x5C or (b >= 0xC0 and not 0xE4 <= b <= 0xE9)
    else ord("a")
    for b in range(256)
)
# the digits alone: spaces and separators dropped
_DIGIT_BYTES = bytes(ord("0") if 0x30 <= b <= 0x39 else ord("a") for b in range(256))
_SEPARATOR_BYTES = b" \t-._"
# Characters (besides ASCII and those ideographs) that NFKC leaves alone or makes plain punctuation,
# none of them a digit, a space, a separator or invisible: they end a number as they are.
_PLAIN_WIDE = "，：；（）！？、。《》〔〕【】“”‘’"
_OTHER_CHAR = re.compile(f"[^\\x00-\\x7f\\u4000-\\u9fff{_PLAIN_WIDE}]")


def surely_none(data: bytes, escapes: bool = False, *, numbers: bool = True) -> bool:
    """Whether a text file's bytes surely hold no personal number, at a glance (C loops over the
    bytes, no line split): when not sure, read it as :func:`find_spans` does.

    A number is at least 11 ASCII digits once normalised, with at most spaces and separators
    between them.  So bytes that, their spaces and separators dropped, hold no 11 ASCII digits in
    a row, and whose other characters NFKC can make no digit, space, separator or nothing of (CJK
    ideographs, common full-width punctuation, a BOM first), hold none; nor ``\\uXXXX`` escapes
    when ``escapes`` (JSON).  Their text normalised then differs from their text only in that
    punctuation and the BOM.  With ``numbers`` false, only whether that is so (names are then
    found in the text as in the text normalised)."""
    glance = data.translate(_GLANCE)
    if numbers and b"0" * 11 in glance:  # 11 digits, spaces, separators in a row: the digits?
        if b"0" * 11 in data.translate(_DIGIT_BYTES, _SEPARATOR_BYTES):
            return False
    if b"!" in glance:
        if escapes and b"\\u" in data:
            return False
        text = data.decode("utf-8", errors="replace")
        if _OTHER_CHAR.search(text, 1 if text[:1] == "\ufeff" else 0):
            return False
    return True


# Full-width punctuation and the ideographic space, on nearly every Chinese page: each replaced by
# its compatibility decomposition (which NFKC would make of it anyway: the result is the same),
# so that a page holding no other character NFKC changes is found normalised and not rewritten.
_COMMON_COMPAT = tuple((ch, unicodedata.normalize("NFKD", ch)) for ch in "，：；（）！？\u3000…")


def normalise(text: str) -> str:
    """NFKC, with zero-width, soft-hyphen and bidi characters dropped."""
    if text.isascii():
        return text
    text = _INVISIBLE_RE.sub("", text)
    for ch, plain in _COMMON_COMPAT:
        text = text.replace(ch, plain)
    if unicodedata.is_normalized("NFKC", text):  # the usual page: nothing else to change
        return text
    return unicodedata.normalize("NFKC", text)


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
    return [(kind, number) for kind, number, _, _ in find_spans(normalise(text))]


def locate_numbers(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, number, line, column) — 1-based, in ``text`` as written — of every personal number."""
    return [(kind, number, line, col) for kind, number, line, col, _ in locate_written(text)]


def locate_written(text: str) -> list[tuple[str, str, int, int, str]]:
    """:func:`locate_numbers`, with each number as written there, masked (:func:`mask_written`)."""
    if not find_spans(normalise(_unmarked(text))):  # the usual case: no number, no map needed
        return []
    norm, where = _normalise_mapped(text)
    out = []
    for kind, number, start, end in find_spans(norm):
        a, b = where[start], where[end - 1] + 1
        out.append((kind, number, *line_col(text, a), mask_written(text[a:b], number)))
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


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def redact_number(number: str) -> str:
    """138****5678: enough to find it in the source, not enough to use it."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
