"""Personal data: masking names, and a last scan of everything written.

The scan is the safety net behind the data model: whatever reached a page —
a note, an event title, a unit's remark — is searched for a Chinese resident
ID number (18 characters with a valid birth date and the GB 11643 check
digit), a mobile number (``1[3-9]`` + 9 digits) and a bank-card number
(16–19 digits passing Luhn, starting 3–6 as the card networks' numbers
do — 索引号 and other official codes start with 1 or 0).  Digits count as one number only when no other
digit or ASCII letter touches them, so hashes and longer digit runs (索引号)
are not mistaken for either.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_RUN = re.compile(r"(?<![0-9A-Za-z])(\d{11,19}[Xx]?)(?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")

#: Output files scanned (text); binary XLSX carries the same data as the CSV.
SCANNED_SUFFIXES = (".html", ".xml", ".json", ".csv", ".js", ".yaml", ".txt")


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***: keep the first character only."""
    name = name.strip()
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def is_id_card(text: str) -> bool:
    if len(text) != 18 or not text[:17].isdigit():
        return False
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17].upper()


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class Finding:
    kind: str  # id_card | mobile | bank_card
    text: str  # the number, partly masked for the message
    page: str
    sources: tuple[str, ...]


def find_numbers(text: str) -> list[tuple[str, str]]:
    """(kind, number) for every personal number in ``text``."""
    found = []
    for m in _RUN.finditer(text):
        run = m.group(1)
        if is_id_card(run):
            found.append(("id_card", run))
        elif not run[-1].isdigit():
            continue
        elif _MOBILE.match(run):
            found.append(("mobile", run))
        elif 16 <= len(run) <= 19 and run[0] in "3456" and luhn(run):
            found.append(("bank_card", run))
    return found


def _redact(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def scan(files: Mapping[str, bytes], sources: Mapping[str, bytes]) -> list[Finding]:
    """Every personal number in the text files of the output, with its sources."""
    findings = []
    for page in sorted(files):
        if not page.endswith(SCANNED_SUFFIXES) or page == "manifest.json":
            continue
        text = files[page].decode("utf-8", errors="replace")
        for kind, number in find_numbers(text):
            origin = _origins(number, sources)
            findings.append(Finding(kind, _redact(number), page, origin))
    return findings


def _origins(number: str, sources: Mapping[str, bytes]) -> tuple[str, ...]:
    needle = number.encode("ascii")
    return tuple(sorted(p for p, data in sources.items() if needle in data))


def unique(findings: Iterable[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.kind, f.text, f.page)
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
# these two functions.


def person_names(facts_by_unit: Mapping[str, Mapping[str, object]]) -> set[str]:
    """Every person's name recorded in one period's validated facts (unit -> line -> Facts)."""
    names: set[str] = set()
    for lines in facts_by_unit.values():
        for facts in lines.values():
            for ev in getattr(facts, "all_events", lambda: [])():
                if ev.name and ev.name.strip():
                    names.add(ev.name.strip())
    return names


def redact_names(text: str, names: Iterable[str]) -> str:
    """``text`` with every registered name replaced by its mask (longest names first)."""
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        if len(name) >= 2 and name in text:  # one character would mask ordinary words
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
    for name in sorted({n.strip() for n in names}, key=lambda n: (-len(n), n)):
        if len(name) < 2:
            continue
        needle = name.encode("utf-8")
        if needle in data:
            data = data.replace(needle, mask_name(name).encode("utf-8"))
    return data
