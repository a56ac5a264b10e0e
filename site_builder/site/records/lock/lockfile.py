"""The lock file's format: its records, parsed and validated strictly, and written back.

A malformed value raises :class:`MalformedLock` with the path of keys to it;
:mod:`.reading` turns that into a located message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


LOCK_NAME = "published.lock"
ARCHIVE_DIR = "published"
FORMAT = 3
MAX_LOCK_BYTES = 2 * 1024 * 1024
LOCKED_STAGES = ("public_notice", "published")
RESTORE = "git checkout HEAD -- published.lock published/"

STAGE_WORDS = {"public_notice": ("公示", "public notice"), "published": ("通报", "notice")}


@dataclass(frozen=True)
class ArchivedFile:
    path: str  # relative to the project root, forward slashes
    sha256: str


@dataclass(frozen=True)
class LockedVersion:
    """One published version of one period."""

    n: int  # 1 = first publication
    sha256: str  # of the canonical results
    corrections: int  # corrections in the period file when this version was locked
    correction: (
        int | None
    )  # the correction (1-based) that produced this version; None for the first
    basis: Mapping[str, int] = field(
        default_factory=dict
    )  # earlier period of the scheme -> its version
    period_file: ArchivedFile | None = None  # None: locked before archives existed
    scheme_file: ArchivedFile | None = None
    body_file: ArchivedFile | None = None  # the notice body; None: no body, or not locked
    body_locked: bool = False  # False: locked before bodies were archived
    notice_file: ArchivedFile | None = None  # the canonical notice content (None: not locked yet)
    stage: str = "published"  # published (通报) | public_notice (公示)

    @property
    def files(self) -> tuple[ArchivedFile, ...]:
        return tuple(
            f
            for f in (self.period_file, self.scheme_file, self.body_file, self.notice_file)
            if f is not None
        )

    @property
    def body_sha256(self) -> str | None:
        return self.body_file.sha256 if self.body_file is not None else None


@dataclass(frozen=True)
class LockedPeriod:
    corrections: int  # corrections accounted for by the last ``lock``
    versions: tuple[LockedVersion, ...]  # oldest first

    @property
    def last(self) -> LockedVersion:
        return self.versions[-1]


# ------------------------------------------------------------------ parsing


class MalformedLock(Exception):
    """A malformed lock: what is wrong, and where (a path of keys and indexes)."""

    def __init__(self, path: tuple, zh: str, en: str):
        super().__init__(en)
        self.path, self.zh, self.en = path, zh, en


class _Odd:
    """A JSON value the lock never holds (a huge number, NaN): kept to be refused with its place."""

    def __init__(self, text: str):
        self.text = text


_HEX = re.compile(r"^[0-9a-f]{64}$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}/[^/\\\x00-\x1f\x7f]{1,100}$")
_MAX_INT = 10**6


def _shown(value: object) -> str:
    """A JSON value as the lock wrote it (huge numbers and NaN included), for a message."""
    if isinstance(value, _Odd):
        return value.text
    return json.dumps(
        value, ensure_ascii=False, default=lambda v: v.text if isinstance(v, _Odd) else "?"
    )


def _int(value: object, path: tuple, least: int = 0) -> int:
    if isinstance(value, _Odd) or isinstance(value, bool) or not isinstance(value, int):
        shown = _shown(value)
        raise MalformedLock(path, f"{_where(path)} 应为整数，而不是 {shown[:40]}",
                   f"{_where(path)} must be a whole number, not {shown[:40]}")
    if not least <= value <= _MAX_INT:
        raise MalformedLock(path, f"{_where(path)} 应在 {least} 到 {_MAX_INT} 之间，而不是 {value}",
                   f"{_where(path)} must be between {least} and {_MAX_INT}, not {value}")
    return value


def _where(path: tuple) -> str:
    """A place in the lock as a JSONPath: ``$["periods"]["x/2017-Q3"]["versions"][0]["n"]``."""
    return "$" + "".join(
        f"[{p}]" if isinstance(p, int) else f"[{json.dumps(p, ensure_ascii=False)}]"
        for p in path
    )


def _obj(value: object, path: tuple) -> dict:
    if not isinstance(value, dict):
        raise MalformedLock(path, f"{_where(path)} 应为对象（{{…}}）", f"{_where(path)} must be an object ({{…}})")
    return value


def _digest(value: object, path: tuple) -> str:
    if not isinstance(value, str) or not _HEX.match(value):
        raise MalformedLock(path, f"{_where(path)} 应为 64 位十六进制的 SHA-256",
                   f"{_where(path)} must be a SHA-256 (64 hexadecimal digits)")
    return value


def _file(value: Any, path: tuple) -> ArchivedFile | None:
    if value is None:
        return None
    value = _obj(value, path)
    rel = value.get("path")
    if not isinstance(rel, str):
        raise MalformedLock((*path, "path"), f"{_where(path)} 缺少存档路径 path", f"{_where(path)} needs a path")
    digest = _digest(value.get("sha256"), (*path, "sha256"))
    parts = rel.split("/")
    if (
        not rel.startswith(f"{ARCHIVE_DIR}/")
        or any(p in ("", ".", "..") for p in parts)
        or "\\" in rel
        or any(ord(c) < 32 or c == "\x7f" for c in rel)
        or len(rel) > 300
    ):
        raise MalformedLock((*path, "path"), f"存档路径 {rel[:80]!r} 不在 published/ 之内",
                   f"the archive path {rel[:80]!r} is not inside published/")
    return ArchivedFile(rel, digest)


def _version(value: Any, path: tuple, index: int) -> LockedVersion:
    value = _obj(value, path)
    n = _int(value.get("n"), (*path, "n"), least=1)
    if n != index + 1:
        raise MalformedLock((*path, "n"), f"版本应依次编号为 1、2、3……，第 {index + 1} 个却是 {n}",
                   f"versions must be numbered 1, 2, 3, …; number {index + 1} is {n}")
    corrections = _int(value.get("corrections", 0), (*path, "corrections"))
    correction = value.get("correction")
    if correction is not None:
        correction = _int(correction, (*path, "correction"), least=1)
    basis = _obj(value.get("basis") or {}, (*path, "basis"))
    stage = value.get("stage", "published")
    if stage not in LOCKED_STAGES:
        raise MalformedLock((*path, "stage"), f"{_where((*path, 'stage'))} 应为 published 或 public_notice",
                   f"{_where((*path, 'stage'))} must be published or public_notice")
    return LockedVersion(
        n=n,
        sha256=_digest(value.get("sha256"), (*path, "sha256")),
        corrections=corrections,
        correction=correction,
        basis={str(k): _int(v, (*path, "basis", k), least=1) for k, v in sorted(basis.items())},
        period_file=_file(value.get("period_file"), (*path, "period_file")),
        scheme_file=_file(value.get("scheme_file"), (*path, "scheme_file")),
        body_file=_file(value.get("body_file"), (*path, "body_file")),
        body_locked="body_file" in value,
        notice_file=_file(value.get("notice_file"), (*path, "notice_file")),
        stage=stage,
    )


def _period(value: Any, path: tuple) -> LockedPeriod:
    value = _obj(value, path)
    if "versions" not in value:  # written by site-builder before archives: one version, no files
        version = LockedVersion(
            1,
            _digest(value.get("sha256"), (*path, "sha256")),
            _int(value.get("corrections", 0), (*path, "corrections")),
            None,
        )
        return LockedPeriod(version.corrections, (version,))
    raw = value["versions"]
    if not isinstance(raw, list) or not raw:
        raise MalformedLock((*path, "versions"), f"{_where((*path, 'versions'))} 应为非空的列表",
                   f"{_where((*path, 'versions'))} must be a non-empty list")
    if len(raw) > 10000:
        raise MalformedLock((*path, "versions"), "版本数过多", "too many versions")
    versions = tuple(_version(v, (*path, "versions", i), i) for i, v in enumerate(raw))
    count = _int(value.get("corrections", versions[-1].corrections), (*path, "corrections"))
    return LockedPeriod(count, versions)


def parse_lock(text: str) -> dict[str, LockedPeriod]:
    """The lock in ``text``; raises :class:`MalformedLock` (or ``ValueError`` for invalid JSON)."""
    doc = json.loads(
        text,
        parse_int=lambda s: int(s) if len(s) <= 18 else _Odd(s),
        parse_float=_Odd,
        parse_constant=_Odd,
    )
    doc = _obj(doc, ())
    version = doc.get("version", 1)
    if _int(version, ("version",), least=1) > FORMAT:
        raise MalformedLock(("version",), f"格式版本 {version} 由更新的 site-builder 写出，本版本无法读取",
                   f"format {version} was written by a newer site-builder")
    periods = _obj(doc.get("periods"), ("periods",))
    out = {}
    for key, value in sorted(periods.items()):
        if not _KEY.match(key):
            raise MalformedLock(("periods", key), f"“{key[:60]}”不是“方案/考核期”形式的标识",
                       f"“{key[:60]}” is not a scheme/period key")
        out[key] = _period(value, ("periods", key))
    return out


# ------------------------------------------------------------------ writing


def lock_json(locked: Mapping[str, LockedPeriod]) -> str:
    def file(f: ArchivedFile | None) -> dict | None:
        return None if f is None else {"path": f.path, "sha256": f.sha256}

    def version(v: LockedVersion) -> dict:
        out = {
            "n": v.n,
            "sha256": v.sha256,
            "stage": v.stage,
            "corrections": v.corrections,
            "correction": v.correction,
            "basis": dict(sorted(v.basis.items())),
            "period_file": file(v.period_file),
            "scheme_file": file(v.scheme_file),
        }
        if v.body_locked:  # no key at all: locked before bodies were archived
            out["body_file"] = file(v.body_file)
        if v.notice_file is not None:  # no key: locked before notice content was archived
            out["notice_file"] = file(v.notice_file)
        return out

    periods = {
        key: {
            "corrections": entry.corrections,
            "versions": [version(v) for v in entry.versions],
        }
        for key, entry in sorted(locked.items())
    }
    doc = {"version": FORMAT, "periods": periods}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
