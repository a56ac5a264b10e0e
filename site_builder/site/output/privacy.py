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
safety net — in every output file, the XLSX downloads (every cell, sheet name and property),
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
  JSON and JS, ``\\uXXXX`` escapes are decoded; an XLSX is read through the
  text of its XML parts and its sheets' names — one our writer made, through the
  text it kept of every cell as it wrote it (:class:`.xlsx.Package`), the same
  characters, not inflated again.
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

This module holds the scan (outputs, sources and the archive) and its messages;
:mod:`.personal_numbers` finds the numbers, :mod:`.personal_names` masks the names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder import messages
from site_builder.errors import Mark, Problems
from site_builder.site.output import source_memo
from site_builder.site.output.personal_names import (
    NAME_VALUE,
    mask_name,
    maskable_names,
    names_in,
    person_names,
    publishes_names,
)
from site_builder.site.output.personal_numbers import (
    find_spans,
    line_col,
    locate_written,
    normalise,
    surely_none,
)
from site_builder.site.output.scan_text import (
    clean_lines,
    clean_raw_lines,
    output_lines,
    output_text,
    reading,
    unread_text,
)
from site_builder.site.output.source_index import SourceIndex as _SourceIndex
from site_builder.site.output.source_index import decode_source as _decode

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

#: Output files never scanned: images and fonts (binary; they carry no data text).


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
    names = _maskable(tuple(names))
    # a name across lines: every line read, where it is
    clean = None if any("\n" in n for n in names) else clean_lines((numbers, tuple(names)))
    raw = None if clean is None else clean_raw_lines((numbers, tuple(names)))
    findings = []
    index = _SourceIndex(sources)
    for page in sorted(files):
        if raw is not None and _clean_at_a_glance(page, files[page], raw, numbers, names):
            continue
        if clean is None:
            text = output_text(page, files[page])
            if text is None:
                continue
        else:
            lines = output_lines(page, files[page])
            if lines is None:
                continue
            lines = clean.unknown(lines)
            text = "\n".join(lines)
        found = len(findings)
        norm = normalise(page + "\n" + text)
        if numbers:
            for kind, number, _, _ in find_spans(norm):
                mark, written = index.where(number)
                origin = index.files_with(number)
                findings.append(Finding(kind, written, page, origin, mark))
        for name in names_in(norm, names):
            mark = _name_mark(name, sources)
            findings.append(Finding("name", mask_name(name), page, (mark.path,) if mark else (), mark))
        if clean is not None and len(findings) == found:  # a page with a finding: none of its lines kept
            clean.add(lines)
    return findings


def _clean_at_a_glance(page: str, data: bytes, raw: Any, numbers: bool, names: list[str]) -> bool:
    """Whether a file surely holds no finding, read only where its raw lines are not known clean
    (:func:`.scan_text.unread_text`); its raw lines are then known clean.  A file that may hold
    one (or is not read so) is read whole as before: what it reports, and in which order, is
    the same."""
    kind = reading(page, data)
    plain = kind in ("plain", "json") and _plain_names(names)
    if plain and surely_none(data, kind == "json", numbers=numbers):
        # the bytes at a glance: no line split, no set
        head = normalise(page)
        found = numbers and find_spans(head) or names_in(head, names)
        if not found and not (names and names_in(data.decode("utf-8", errors="replace"), names)):
            return True
    unread = unread_text(page, data, raw)
    if unread is None:
        return False
    text, lines, memo = unread
    norm = normalise(page + "\n" + text)
    if numbers and find_spans(norm) or names_in(norm, names):
        return False
    memo.add(lines)
    return True


@functools.lru_cache(maxsize=8)
def _maskable(names: tuple[str, ...]) -> list[str]:
    """:func:`.personal_names.maskable_names`, once per set of names (a build scans each output
    file with the same names)."""
    return maskable_names(names)


def _plain_names(names: list[str]) -> bool:
    """Whether ``names`` are found in a text holding no character NFKC changes but common full-width
    punctuation (:func:`.personal_numbers.surely_none`) as in that text normalised."""
    return not any(ch in _PUNCTUATION for name in names for ch in name)


_PUNCTUATION = frozenset("，：；（）！？,:;()!?\ufeff")


def unique(findings: Iterable[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.kind, f.text, f.mark or f.page)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


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
    for m in NAME_VALUE.finditer(text):
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
    clean = source_memo.Memo(root, "clean-sources")  # files found clean by an earlier build
    for path, data in files.items():
        sha = source_memo.digest(data)
        if clean.get(sha):
            continue
        found = locate_written(_decode(data))
        if not found:
            clean.put(sha, True)
        for kind, number, line, col, written in found:
            what = KIND_WORDS[kind]
            problems.add(
                "privacy.number",
                Mark(path, line, col),
                what=what[0],
                what_en=what[1],
                number=written,
            )
    clean.save()
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
        maskable = maskable_names(names)
        for path, text in texts.items():
            for name in names_in(normalise(text), maskable):
                line, col = line_col(text, text.find(name)) if name in text else (0, 0)
                problems.add(
                    "privacy.name_in_archive",
                    Mark(path, line, col),
                    severity=ARCHIVE_NAMES_SEVERITY,
                    masked=mask_name(name),
                )
