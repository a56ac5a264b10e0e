"""``published.lock`` and ``published/``: every published version of every notice.

For each published period — a 通报, and a 公示 from its first publication —
the lock lists its versions, oldest first.  Version 1 is the first
publication; ``site-builder lock`` appends version n+1 when what the notice
shows changed and a new correction (更正) was recorded, or when a 公示 became
the 通报 (``status: published``; no correction needed).  Each version holds:

- the SHA-256 of the canonical JSON of its computed results;
- the stage it was published at (``public_notice`` or ``published``);
- the number of corrections in the period file, the correction that produced
  it, and the versions of the earlier periods of the same scheme it was
  computed with (running totals, streaks and caps across periods depend on them);
- the files it was computed from and what it showed:
  ``published/<scheme>/<period>/v<n>.yaml`` (the period file, with every
  registered person's name masked unless the scheme declares a legal basis for
  publishing names), ``v<n>.scheme.yaml`` (its scheme version file),
  ``v<n>.body.md`` (the notice body as published) and ``v<n>.notice.json``,
  the canonical content of the notice and its score cards
  (:mod:`site_builder.site.records.noticedoc`: 文号, title, date, issuer, body, unit
  names and groups as shown then, honours, the scheme's clause text, notes and
  events, the 公示 window and contact, every figure).

``check`` and ``build`` refuse, each with its file:line and how to fix it: a
published period whose notice content, results or body differ from its last
version unless a new correction was recorded since the last ``lock`` (the
message lists the changed items ``项目: 旧 → 新``); a published period that
disappeared; a correction deleted from the period file or a count lowered in
the lock; a lock that was deleted (while ``published/`` still holds archives,
or while git's HEAD has it) or lost an entry whose archive is still there; an
archived file that is missing, is a symbolic link, lies outside
``published/``, or whose content differs from the lock; a malformed lock
(located at its line:column).  Archived text files are compared by their
canonical text (LF, no BOM), so a checkout that converted line endings
(``core.autocrlf``) still builds.  Earlier versions are rebuilt from the
archive by :mod:`site_builder.site.records.versions`.

    {"periods": {"<scheme>/<period>": {"corrections": 1, "versions": [
        {"n": 1, "sha256": "…", "stage": "published", "corrections": 0, "correction": null,
         "basis": {"<earlier period>": 1},
         "period_file": {"path": "published/<scheme>/<period>/v1.yaml", "sha256": "…"},
         "scheme_file": {"path": "published/<scheme>/<period>/v1.scheme.yaml", "sha256": "…"},
         "body_file": {"path": "published/<scheme>/<period>/v1.body.md", "sha256": "…"},
         "notice_file": {"path": "published/<scheme>/<period>/v1.notice.json", "sha256": "…"}},
        …]}}, "version": 3}

``"body_file": null`` is a notice without a body.  Older files are still read:
``{"sha256": …, "corrections": …}`` per period (format 1, no archive) is one
version without files; a version without ``body_file`` is one whose body is
not locked yet, without ``notice_file`` one whose notice content is not locked
yet, without ``stage`` a 通报.  The next ``lock`` archives what the last
version lacks from the current files when they still reproduce its results
(without creating a new version).  Earlier versions locked before bodies were
archived are shown with the body in ``content/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from json.decoder import scanstring
from pathlib import Path
from typing import Any


from site_builder import messages
from site_builder.errors import Mark, Problems
from site_builder.load.files import read_source
from site_builder.load.yamlsafe import load_yaml_bytes
from site_builder.model import Period, Project
from site_builder.scoring.results import PeriodResult
from site_builder.site.output import privacy
from site_builder.site.records import noticedoc
from site_builder.site.failures import fail_all

LOCK_NAME = "published.lock"
ARCHIVE_DIR = "published"
FORMAT = 3
MAX_LOCK_BYTES = 2 * 1024 * 1024
LOCKED_STAGES = ("public_notice", "published")
RESTORE = "git checkout HEAD -- published.lock published/"

_STAGE = {"public_notice": ("公示", "public notice"), "published": ("通报", "notice")}

messages.register(
    {
        "lock.changed": (
            "已发布的“{period}”的考核结果与 published.lock 记录的不一致，但没有登记新的更正",
            "已发布的结果不得悄悄修改：请运行 site-builder correct {cmd} --reason \"更正原因\" 登记更正（它列出改动、记入 {source} 并锁定）",
            "the published results of “{period}” differ from published.lock, but no new correction was recorded",
            "published results must not change silently: run site-builder correct {cmd} --reason \"…\" to record a correction (it lists the changes, records them in {source} and locks)",
        ),
        "lock.notice_changed": (
            "已发布的“{period}”（第 {n} 版，{stage_zh}）的内容与 published.lock 锁定的不一致，但没有登记新的更正：{items_zh}",
            "已发布的{stage_zh}不得悄悄修改：请运行 site-builder correct {cmd} --reason \"更正原因\" 登记更正（它列出改动、记入 {source} 并锁定）；或撤销这些改动，恢复第 {n} 版的内容（{archive}）{hint_zh}",
            "the published “{period}” (version {n}, {stage_en}) differs from what published.lock locked, but no new correction was recorded: {items_en}",
            "a published {stage_en} must not change silently: run site-builder correct {cmd} --reason \"…\" to record a correction (it lists the changes, records them in {source} and locks); or revert these changes to version {n} ({archive}){hint_en}",
        ),
        "lock.body_changed": (
            "已发布的“{period}”的通报正文{body_zh}与 published.lock 记录的第 {n} 版不一致，但没有登记新的更正",
            "已发布的通报正文不得悄悄修改：请运行 site-builder correct {cmd} --reason \"更正原因\" 登记更正（它列出改动、记入 {source} 并锁定）；或撤销对正文的改动，恢复第 {n} 版的原文（{archive_zh}）",
            "the body text of the published notice “{period}”{body_en} differs from version {n} in published.lock, but no new correction was recorded",
            "published notices must not change silently: run site-builder correct {cmd} --reason \"…\" to record a correction (it lists the changes, records them in {source} and locks); or revert the text to version {n} ({archive_en})",
        ),
        "lock.vanished": (
            "published.lock 中已发布的“{period}”找不到了，或不再是已发布状态",
            "已发布的通报不能删除或撤回为草稿/公示：请恢复 status: published，如有错误请登记更正",
            "the published period “{period}” in published.lock no longer exists or is no longer published",
            "published notices cannot be deleted or turned back into drafts: restore status: published and record a correction if something was wrong",
        ),
        "lock.withdrawn": (
            "已发布的公示“{period}”被改回草稿或删除，但没有登记更正",
            "公示不能悄悄撤回：确需撤回的，保留 {source}，改为 status: draft，并在 corrections 中登记一条更正写明撤回的原因；否则请恢复 status: public_notice",
            "the published public notice “{period}” was turned back into a draft or deleted, but no correction was recorded",
            "a public notice cannot be withdrawn silently: to withdraw it, keep {source} with status: draft and record a correction giving the reason; otherwise restore status: public_notice",
        ),
        "lock.corrections_removed": (
            "“{period}”的更正记录由 {old} 条减少为 {new} 条",
            "已登记的更正不得删除：请恢复 {source} 中的 corrections",
            "the corrections of “{period}” went down from {old} to {new}",
            "recorded corrections must not be deleted: restore corrections in {source}",
        ),
        "lock.count_lowered": (
            "published.lock 中“{period}”的更正数被改小了：记为 {count}，但第 {n} 版已由 {needed} 条更正产生",
            "published.lock 只由 site-builder lock 写入，不得手工修改：请从版本库恢复（" + RESTORE + "）",
            "the corrections count of “{period}” in published.lock was lowered: it says {count}, but version {n} already followed {needed} correction(s)",
            "published.lock is written by site-builder lock only: restore it from version control (" + RESTORE + ")",
        ),
        "lock.invalid": (
            "published.lock 无法读取：{error}",
            "请从版本库恢复（" + RESTORE + "）；确实损坏且无法恢复时，运行 site-builder lock --force 重新生成",
            "published.lock cannot be read: {error}",
            "restore it from version control (" + RESTORE + "); if it is damaged beyond repair, run site-builder lock --force",
        ),
        "lock.malformed": (
            "published.lock 格式不正确：{what_zh}",
            "published.lock 只由 site-builder lock 写入，不得手工修改：请从版本库恢复（" + RESTORE + "）",
            "published.lock is malformed: {what_en}",
            "published.lock is written by site-builder lock only: restore it from version control (" + RESTORE + ")",
        ),
        "lock.missing": (
            "published.lock 不存在，但{why_zh}：已发布的通报失去了锁定",
            "锁文件不得删除：请从版本库恢复（" + RESTORE + "）",
            "published.lock does not exist, but {why_en}: the published notices are no longer locked",
            "the lock must not be deleted: restore it from version control (" + RESTORE + ")",
        ),
        "lock.entry_missing": (
            "published.lock 中没有“{period}”，但 {folder}/ 中有它已发布版本的存档：锁定记录被删除了",
            "锁定记录不得删除：请从版本库恢复（" + RESTORE + "）",
            "published.lock has no entry for “{period}”, but {folder}/ holds archives of its published versions: the entry was removed",
            "lock entries must not be removed: restore them from version control (" + RESTORE + ")",
        ),
        "lock.behind_git": (
            "published.lock 中“{period}”{what_zh}，比版本库（git HEAD）中记录的少：锁定记录被删改了",
            "已发布的版本和更正不得从锁中删除：请从版本库恢复（" + RESTORE + "）",
            "published.lock has {what_en} for “{period}” than git's HEAD: the lock was cut back",
            "published versions and corrections must not be taken out of the lock: restore it from version control (" + RESTORE + ")",
        ),
        "lock.symlink": (
            "{path} 是符号链接（快捷方式）：已发布版本的锁定和存档必须是本项目中的普通文件",
            "请删除该链接，从版本库恢复原文件（" + RESTORE + "）",
            "{path} is a symbolic link: the lock and the archives of published versions must be regular files of the project",
            "remove the link and restore the file from version control (" + RESTORE + ")",
        ),
        "lock.archive_outside": (
            "published.lock 记录的存档路径 {path} 不在 published/ 之内（“{period}”第 {n} 版）",
            "存档只能位于 published/ 之下：请从版本库恢复（" + RESTORE + "）",
            "the archive path {path} in published.lock is not inside published/ (“{period}” version {n})",
            "archives live under published/ only: restore it from version control (" + RESTORE + ")",
        ),
        "lock.archive_missing": (
            "published.lock 记录的已发布版本存档 {path} 不存在（“{period}”第 {n} 版）",
            "已发布版本的存档不得删除：请从版本库恢复该文件（git checkout -- {path}）",
            "the archive {path} of a published version is missing (“{period}” version {n})",
            "archives of published versions must not be deleted: restore the file from version control (git checkout -- {path})",
        ),
        "lock.archive_changed": (
            "已发布版本的存档 {path} 被修改过：内容与 published.lock 记录的 SHA-256 不一致（“{period}”第 {n} 版）",
            "存档是当时公布内容的原样副本，不得修改：请从版本库恢复该文件（git checkout -- {path}）；要改正结果，请修改 scores/ 下的文件并登记更正",
            "the archive {path} of a published version was modified: its SHA-256 differs from published.lock (“{period}” version {n})",
            "archives are exact copies of what was published and must not change: restore the file from version control (git checkout -- {path}); to correct results, edit the file under scores/ and record a correction",
        ),
        "lock.archive_encoding": (
            "已发布版本的存档 {path} 不是 UTF-8 编码的文本（“{period}”第 {n} 版）",
            "存档由 site-builder lock 以 UTF-8 写入，不得修改：请从版本库恢复（" + RESTORE + "）",
            "the archive {path} of a published version is not UTF-8 text (“{period}” version {n})",
            "archives are written in UTF-8 by site-builder lock and must not change: restore them from version control (" + RESTORE + ")",
        ),
        "lock.archive_exists": (
            "存档文件 {path} 已存在，且内容与要存档的不同",
            "published/ 下的文件只由 site-builder lock 写入：请从版本库恢复 published/ 和 published.lock；确需重建时加 --force",
            "the archive file {path} exists with other content",
            "files under published/ are written by site-builder lock only: restore published/ and published.lock from version control, or use --force to rebuild them",
        ),
        "lock.body_outside": (
            "通报正文 {path} 不是 content/ 中的普通文件（符号链接或位于项目之外），不能存档",
            "请把正文文件本身放进 content/，不要使用符号链接",
            "the notice body {path} is not a regular file inside content/ (a symbolic link or outside the project); it cannot be archived",
            "put the body file itself into content/; do not use a symbolic link",
        ),
    }
)


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


def _num(d: Decimal | None) -> str | None:
    if d is None:
        return None
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def canonical_results(result: PeriodResult) -> dict:
    """What a notice publishes, as plain JSON values (numbers as normalised text)."""
    units = {}
    for uid, u in sorted(result.units.items()):
        units[uid] = {
            "group": u.group,
            "status": u.status,
            "reason": u.reason,
            "total": _num(u.total),
            "bonus": _num(u.bonus),
            "deduction": _num(u.deduction),
            "coefficient": _num(u.coefficient),
            "lines": {line.id: _num(line.points) for line in u.lines},
            "vetoes": [[v.id, v.reason] for v in u.vetoes],
            "note": u.note,
        }
        if uid in result.levels:  # a published level (grades:); absent before levels existed
            units[uid]["level"] = result.levels[uid].level
    return {
        "scheme": result.scheme,
        "version": result.version,
        "period": result.period,
        "units": units,
        "rankings": [
            [
                r.ranking,
                r.group,
                [[e.unit, e.rank, _num(e.value), e.tied] for e in r.entries],
                [list(x) for x in r.unranked],
            ]
            for r in result.rankings
        ],
        "honours": [
            [h.honour, h.group, list(h.chosen), [list(x) for x in h.excluded]]
            for h in result.honours
        ],
    }


def results_hash(result: PeriodResult) -> str:
    text = json.dumps(
        canonical_results(result), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def same_bytes(data: bytes, digest: str) -> bool:
    """Whether ``data`` is the archived file ``digest`` names: byte for byte, or as canonical text.

    A checkout that converted line endings (git's ``core.autocrlf``) or an
    editor that added a BOM changes the bytes, not the text.
    """
    return sha256(data) == digest or sha256(noticedoc.canonical_bytes(data)) == digest


def key_of(period: Period) -> str:
    return f"{period.scheme}/{period.id}"


def body_path(period: Period) -> str | None:
    """The notice body of ``period`` as a project path (``content/…``), if it has one."""
    body = period.scores.notice.body if period.scores.notice else None
    return f"content/{body}" if body else None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _body_file(root: Path, rel: str) -> Path | None:
    """The body file ``rel`` when it is a regular file inside content/ reached without links."""
    base = root / "content"
    path = root / rel
    real = Path(os.path.realpath(path))
    if not _inside(real, Path(os.path.realpath(base))) or not real.is_file():
        return None
    if os.path.realpath(path) != os.path.abspath(path) and path.is_symlink():
        return None
    return path


def current_body(project: Project, period: Period) -> bytes | None:
    """The notice body ``period`` names today, as published (None: no body).

    Registered person names are masked (as on the page) unless the scheme
    declares a legal basis for publishing them, so the archived body holds
    none and comparisons with it are like with like.
    """
    path = body_path(period)
    if path is None:
        return None
    if path in project.sources:
        data = project.sources[path]
    else:
        file = _body_file(project.root, path)
        if file is None:
            return None
        data = file.read_bytes()
    if privacy.publishes_names(project, period.scheme, period.version):
        return data
    return privacy.redact_markdown(data, privacy.person_names(period.facts))


def body_hash(data: bytes | None) -> str | None:
    return None if data is None else sha256(data)


def same_body(version: LockedVersion, data: bytes | None, root: Path | None = None) -> bool:
    """Whether ``data`` is the body ``version`` was published with (True when not locked yet).

    Line endings, a BOM and the encoding do not count: the text does.
    """
    if not version.body_locked:
        return True
    if version.body_file is None or data is None:
        return version.body_file is None and data is None
    if same_bytes(data, version.body_file.sha256):
        return True
    old = _archived(root, version.body_file) if root is not None else None
    return old is not None and noticedoc.decode(old) == noticedoc.decode(data)


def _archived(root: Path, f: ArchivedFile) -> bytes | None:
    """An archived file's bytes when it is a regular file under published/ (no links)."""
    path = root / f.path
    if _link_on_way(root, f.path) or not path.is_file():
        return None
    return read_source(path, f.path, root, Problems())  # size cap before reading


def _link_on_way(root: Path, rel: str) -> str | None:
    """The first component of ``rel`` (from the root) that is a symbolic link."""
    here = root
    for part in rel.split("/"):
        here = here / part
        if here.is_symlink():
            return here.relative_to(root).as_posix()
    return None


def locked_periods(
    project: Project, results: Mapping[tuple[str, str], PeriodResult]
) -> list[Period]:
    """The periods the lock covers, in the engine's order: every 通报 and every 公示."""
    return [
        p for p in project.periods if p.status in LOCKED_STAGES and (p.scheme, p.id) in results
    ]


published_periods = locked_periods  # the name versions.py and older callers use


def notice_bytes(
    project: Project, period: Period, result: PeriodResult, body: bytes | None
) -> bytes:
    """The canonical notice content of ``period`` as archived (``v<n>.notice.json``)."""
    return noticedoc.document_bytes(noticedoc.notice_items(project, period, result, body))


# ------------------------------------------------------------------ reading


class _Bad(Exception):
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
        raise _Bad(path, f"{_where(path)} 应为整数，而不是 {shown[:40]}",
                   f"{_where(path)} must be a whole number, not {shown[:40]}")
    if not least <= value <= _MAX_INT:
        raise _Bad(path, f"{_where(path)} 应在 {least} 到 {_MAX_INT} 之间，而不是 {value}",
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
        raise _Bad(path, f"{_where(path)} 应为对象（{{…}}）", f"{_where(path)} must be an object ({{…}})")
    return value


def _digest(value: object, path: tuple) -> str:
    if not isinstance(value, str) or not _HEX.match(value):
        raise _Bad(path, f"{_where(path)} 应为 64 位十六进制的 SHA-256",
                   f"{_where(path)} must be a SHA-256 (64 hexadecimal digits)")
    return value


def _file(value: Any, path: tuple) -> ArchivedFile | None:
    if value is None:
        return None
    value = _obj(value, path)
    rel = value.get("path")
    if not isinstance(rel, str):
        raise _Bad((*path, "path"), f"{_where(path)} 缺少存档路径 path", f"{_where(path)} needs a path")
    digest = _digest(value.get("sha256"), (*path, "sha256"))
    parts = rel.split("/")
    if (
        not rel.startswith(f"{ARCHIVE_DIR}/")
        or any(p in ("", ".", "..") for p in parts)
        or "\\" in rel
        or any(ord(c) < 32 or c == "\x7f" for c in rel)
        or len(rel) > 300
    ):
        raise _Bad((*path, "path"), f"存档路径 {rel[:80]!r} 不在 published/ 之内",
                   f"the archive path {rel[:80]!r} is not inside published/")
    return ArchivedFile(rel, digest)


def _version(value: Any, path: tuple, index: int) -> LockedVersion:
    value = _obj(value, path)
    n = _int(value.get("n"), (*path, "n"), least=1)
    if n != index + 1:
        raise _Bad((*path, "n"), f"版本应依次编号为 1、2、3……，第 {index + 1} 个却是 {n}",
                   f"versions must be numbered 1, 2, 3, …; number {index + 1} is {n}")
    corrections = _int(value.get("corrections", 0), (*path, "corrections"))
    correction = value.get("correction")
    if correction is not None:
        correction = _int(correction, (*path, "correction"), least=1)
    basis = _obj(value.get("basis") or {}, (*path, "basis"))
    stage = value.get("stage", "published")
    if stage not in LOCKED_STAGES:
        raise _Bad((*path, "stage"), f"{_where((*path, 'stage'))} 应为 published 或 public_notice",
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
        raise _Bad((*path, "versions"), f"{_where((*path, 'versions'))} 应为非空的列表",
                   f"{_where((*path, 'versions'))} must be a non-empty list")
    if len(raw) > 10000:
        raise _Bad((*path, "versions"), "版本数过多", "too many versions")
    versions = tuple(_version(v, (*path, "versions", i), i) for i, v in enumerate(raw))
    count = _int(value.get("corrections", versions[-1].corrections), (*path, "corrections"))
    return LockedPeriod(count, versions)


def parse_lock(text: str) -> dict[str, LockedPeriod]:
    """The lock in ``text``; raises :class:`_Bad` (or ``ValueError`` for invalid JSON)."""
    doc = json.loads(
        text,
        parse_int=lambda s: int(s) if len(s) <= 18 else _Odd(s),
        parse_float=_Odd,
        parse_constant=_Odd,
    )
    doc = _obj(doc, ())
    version = doc.get("version", 1)
    if _int(version, ("version",), least=1) > FORMAT:
        raise _Bad(("version",), f"格式版本 {version} 由更新的 site-builder 写出，本版本无法读取",
                   f"format {version} was written by a newer site-builder")
    periods = _obj(doc.get("periods"), ("periods",))
    out = {}
    for key, value in sorted(periods.items()):
        if not _KEY.match(key):
            raise _Bad(("periods", key), f"“{key[:60]}”不是“方案/考核期”形式的标识",
                       f"“{key[:60]}” is not a scheme/period key")
        out[key] = _period(value, ("periods", key))
    return out


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _locate(text: str, path: tuple) -> int:
    """The offset of the value at ``path`` in the (valid) JSON ``text``, or of its nearest parent."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")

    def skip(i: int) -> int:
        return ws.match(text, i).end()  # type: ignore[union-attr]

    def past_value(j: int) -> int | None:
        """Past the value at ``j`` and its comma; None when it is not JSON."""
        try:
            _, j = decoder.raw_decode(text, j)
        except (ValueError, RecursionError):
            return None
        j = skip(j)
        return skip(j + 1) if j < len(text) and text[j] == "," else j

    i = skip(0)
    for step in path:
        if i >= len(text):
            break
        opener = text[i]
        if opener == "{" and isinstance(step, str):
            j, found = skip(i + 1), None
            while j < len(text) and text[j] == '"':
                key, j = scanstring(text, j + 1)
                j = skip(skip(j) + 1)  # past the colon
                if key == step:
                    found = j
                    break
                j = past_value(j)
                if j is None:
                    break
            if found is None:
                break
            i = found
        elif opener == "[" and isinstance(step, int):
            j, k, found = skip(i + 1), 0, None
            while j < len(text) and text[j] != "]":
                if k == step:
                    found = j
                    break
                j = past_value(j)
                if j is None:
                    break
                k += 1
            if found is None:
                break
            i = found
        else:
            break
    return i


def _too_deep(text: str, limit: int = 32) -> int | None:
    """The offset where brackets nest deeper than ``limit`` (strings skipped)."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "[{":
            depth += 1
            if depth > limit:
                return i
        elif c in "]}":
            depth -= 1
        i += 1
    return None


def _malformed(problems: Problems, text: str, offset: int, zh: str, en: str) -> None:
    line, col = _line_col(text, offset)
    problems.add("lock.malformed", Mark(LOCK_NAME, line, col), what_zh=zh, what_en=en)


def load_lock(root: Path, problems: Problems) -> dict[str, LockedPeriod] | None:
    """The lock of the project at ``root`` (None: there is none, or it is unusable — see ``problems``)."""
    path = root / LOCK_NAME
    if path.is_symlink():
        problems.add("lock.symlink", Mark(LOCK_NAME), path=LOCK_NAME)
        return None
    if not path.exists():
        _lock_gone(root, problems)
        return None
    if not path.is_file():
        problems.add("lock.invalid", Mark(LOCK_NAME), error="not a regular file / 不是普通文件")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_LOCK_BYTES:
            problems.add(
                "lock.malformed",
                Mark(LOCK_NAME, 1, 1),
                what_zh=f"文件过大（{size} 字节，上限 {MAX_LOCK_BYTES} 字节）",
                what_en=f"the file is too large ({size} bytes, the limit is {MAX_LOCK_BYTES})",
            )
            return None
        with path.open("rb") as fh:
            data = fh.read(MAX_LOCK_BYTES + 1)
    except OSError as exc:
        problems.add("lock.invalid", Mark(LOCK_NAME), error=exc.strerror or type(exc).__name__)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode("utf-8", errors="replace")
        _malformed(problems, head, len(head), "不是 UTF-8 编码的文本", "not UTF-8 text")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    deep = _too_deep(text)
    if deep is not None:
        _malformed(problems, text, deep, "嵌套层级过深", "nested too deeply")
        return None
    try:
        return parse_lock(text)
    except json.JSONDecodeError as exc:
        problems.add(
            "lock.malformed",
            Mark(LOCK_NAME, exc.lineno, exc.colno),
            what_zh=f"不是有效的 JSON（{exc.msg}）",
            what_en=f"not valid JSON ({exc.msg})",
        )
    except _Bad as exc:
        _malformed(problems, text, _locate(text, exc.path), exc.zh, exc.en)
    except (ValueError, RecursionError) as exc:
        _malformed(problems, text, 0, f"无法解析（{type(exc).__name__}）", f"cannot be parsed ({type(exc).__name__})")
    return None


def _lock_gone(root: Path, problems: Problems) -> None:
    """A missing lock is fine for a project never locked; not when archives or git say otherwise."""
    folder = root / ARCHIVE_DIR
    if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
        problems.add(
            "lock.missing",
            Mark(LOCK_NAME),
            why_zh=f" {ARCHIVE_DIR}/ 中仍有已发布版本的存档",
            why_en=f"{ARCHIVE_DIR}/ still holds archives of published versions",
        )
    elif _in_git_head(root):
        problems.add(
            "lock.missing",
            Mark(LOCK_NAME),
            why_zh="版本库（git HEAD）中有该文件",
            why_en="git's HEAD has it",
        )


def _in_git_head(root: Path) -> bool:
    """Whether git's HEAD of the work tree holding ``root`` has ``published.lock`` (False without git)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "cat-file", "-e", f"HEAD:./{LOCK_NAME}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _head_lock(root: Path) -> dict[str, LockedPeriod] | None:
    """The lock in git's HEAD of the work tree holding ``root`` (None: no git, no HEAD, no lock)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "show", f"HEAD:./{LOCK_NAME}"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or len(done.stdout) > MAX_LOCK_BYTES:
        return None
    try:
        text = done.stdout.decode("utf-8").lstrip("\ufeff")
        return None if _too_deep(text) is not None else parse_lock(text)
    except (_Bad, ValueError, RecursionError):
        return None


def head_problems(root: Path, locked: Mapping[str, LockedPeriod]) -> Problems:
    """What git's HEAD shows was taken out of the lock: an entry, a version, a correction.

    Only when ``root`` is in a git work tree whose HEAD has a lock; without git
    nothing is checked here.
    """
    problems = Problems()
    head = _head_lock(root)
    if not head:
        return problems
    for key, before in sorted(head.items()):
        now = locked.get(key)
        if now is None:
            what = ("已不存在", "no entry")
            mark = _mark_in_lock(root, "periods")
        elif len(now.versions) < len(before.versions):
            what = (
                f"只有 {len(now.versions)} 个版本（HEAD 中为 {len(before.versions)} 个）",
                f"{len(now.versions)} version(s), fewer ({len(before.versions)} in HEAD)",
            )
            mark = _mark_in_lock(root, "periods", key, "versions")
        elif now.corrections < before.corrections:
            what = (
                f"的更正数为 {now.corrections}（HEAD 中为 {before.corrections}）",
                f"{now.corrections} correction(s), fewer ({before.corrections} in HEAD)",
            )
            mark = _mark_in_lock(root, "periods", key, "corrections")
        else:
            continue
        problems.add("lock.behind_git", mark, period=key, what_zh=what[0], what_en=what[1])
    return problems


def read_lock(root: Path, locale: str) -> dict[str, LockedPeriod] | None:
    """The lock of the project at ``root``; ``None`` when there is none yet."""
    problems = Problems()
    locked = load_lock(root, problems)
    fail_all(problems, locale)
    return locked


# ------------------------------------------------------------------ checking


def _mark_in_lock(root: Path, *path: object) -> Mark:
    try:
        text = (root / LOCK_NAME).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return Mark(LOCK_NAME)
    line, col = _line_col(text, _locate(text, tuple(path)))
    return Mark(LOCK_NAME, line, col)


def archive_problems(root: Path, locked: Mapping[str, LockedPeriod]) -> Problems:
    """Every archived file exists under published/, is no link, and has the content the lock recorded."""
    problems = Problems()
    base = Path(os.path.realpath(root / ARCHIVE_DIR))
    for key, entry in sorted(locked.items()):
        for v in entry.versions:
            for f in v.files:
                path = root / f.path
                link = _link_on_way(root, f.path)
                if link is not None:
                    problems.add("lock.symlink", Mark(link), path=link)
                elif not _inside(Path(os.path.realpath(path)), base):
                    problems.add(
                        "lock.archive_outside", Mark(f.path), path=f.path, period=key, n=v.n
                    )
                elif not path.is_file():
                    problems.add(
                        "lock.archive_missing", Mark(f.path), path=f.path, period=key, n=v.n
                    )
                else:
                    data = path.read_bytes()
                    if not same_bytes(data, f.sha256):
                        problems.add(
                            "lock.archive_changed", Mark(f.path), path=f.path, period=key, n=v.n
                        )
                        continue
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        head = data[: exc.start].decode("utf-8", errors="replace")
                        line, col = _line_col(head, len(head))
                        problems.add(
                            "lock.archive_encoding",
                            Mark(f.path, line, col),
                            path=f.path,
                            period=key,
                            n=v.n,
                        )
    # an entry removed from the lock while its archive is still there
    folder = root / ARCHIVE_DIR
    if folder.is_dir() and not folder.is_symlink():
        for scheme in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
            for period in sorted(p for p in scheme.iterdir() if p.is_dir()):
                key = f"{scheme.name}/{period.name}"
                if key not in locked and any(p.is_file() for p in period.iterdir()):
                    problems.add(
                        "lock.entry_missing",
                        _mark_in_lock(root, "periods"),
                        period=key,
                        folder=f"{ARCHIVE_DIR}/{key}",
                    )
    return problems


def count_problems(root: Path, locked: Mapping[str, LockedPeriod]) -> Problems:
    """A corrections count lowered in the lock below what its own versions record."""
    problems = Problems()
    for key, entry in sorted(locked.items()):
        for v in entry.versions:
            needed = max(v.corrections, v.correction or 0)
            if entry.corrections < needed:
                problems.add(
                    "lock.count_lowered",
                    _mark_in_lock(root, "periods", key, "corrections"),
                    period=key,
                    count=entry.corrections,
                    n=v.n,
                    needed=needed,
                )
                break
    return problems


def archived_items(root: Path, version: LockedVersion) -> dict[str, str] | None:
    """The notice content archived with ``version`` (None: not locked, or unreadable)."""
    if version.notice_file is None:
        return None
    data = _archived(root, version.notice_file)
    return noticedoc.read_document(data) if data is not None else None


def lock_problems(
    project: Project,
    results: Mapping[tuple[str, str], PeriodResult],
    locked: Mapping[str, LockedPeriod],
) -> Problems:
    problems = Problems()
    root = project.root
    now = {key_of(p): p for p in locked_periods(project, results)}
    sources = {key_of(p): p.path for p in project.periods}
    drafts = {key_of(p): p for p in project.periods if p.status == "draft"}
    problems.extend(count_problems(root, locked))
    problems.extend(head_problems(root, locked))
    for key, entry in sorted(locked.items()):
        period = now.get(key)
        last = entry.last
        if period is None and last.stage == "public_notice":
            # a 公示 withdrawn: allowed with a correction that says why, never silently
            draft = drafts.get(key)
            if draft is None or len(draft.scores.corrections) <= entry.corrections:
                problems.add(
                    "lock.withdrawn",
                    Mark(sources.get(key, LOCK_NAME)),
                    period=key,
                    source=sources.get(key, f"scores/{key}.yaml"),
                )
            continue
        if period is None or (last.stage == "published" and period.status != "published"):
            # deleted, or turned back into a draft or a 公示
            problems.add("lock.vanished", Mark(sources.get(key, LOCK_NAME)), period=key)
            continue
        count = len(period.scores.corrections)
        if count < entry.corrections:
            problems.add(
                "lock.corrections_removed",
                Mark(period.path),
                period=key,
                old=entry.corrections,
                new=count,
                source=period.path,
            )
            continue
        if count > entry.corrections:
            continue  # a new correction covers the change
        if last.stage == "public_notice" and period.status == "published":
            continue  # the 公示 became the 通报: the next version
        result = results[(period.scheme, period.id)]
        body = current_body(project, period)
        old = archived_items(root, last)
        body_changed = not same_body(last, body, root)
        if old is not None:
            new = noticedoc.notice_items(project, period, result, body)
            diff = noticedoc.differences(
                noticedoc.comparable(old, last.corrections),
                noticedoc.comparable(new, last.corrections),
            )
            items = [c for c in diff if c.key != "notice.body"]
            if any(c.key == "notice.body" for c in diff):
                body_changed = True
            if items:
                stage = _STAGE[last.stage]
                renamed = any(re.fullmatch(r"unit\.[^.]+\.name", c.key) for c in items)
                problems.add(
                    "lock.notice_changed",
                    _where_changed(project, period, items),
                    period=key,
                    n=last.n,
                    stage_zh=stage[0],
                    stage_en=stage[1],
                    items_zh=noticedoc.describe(items, "zh-CN", old_items=old, new_items=new),
                    items_en=noticedoc.describe(items, "en", old_items=old, new_items=new),
                    source=period.path,
                    cmd=key.replace("/", " "),
                    archive=last.notice_file.path if last.notice_file else "",
                    hint_zh="。单位更名的，请在单位名册中把旧名称写进 former_names（含 until 日期），旧通报仍显示旧名称，不需要更正"
                    if renamed
                    else "",
                    hint_en=". A unit that was renamed: put its old name into former_names (with until) "
                    "in the unit registry; old notices keep the old name and need no correction"
                    if renamed
                    else "",
                )
            elif results_hash(result) != last.sha256:
                problems.add("lock.changed", Mark(period.path), period=key, source=period.path, cmd=key.replace("/", " "))
        elif results_hash(result) != last.sha256:
            problems.add("lock.changed", Mark(period.path), period=key, source=period.path, cmd=key.replace("/", " "))
        if body_changed:
            _body_changed(problems, root, key, period, last, body)
    problems.extend(archive_problems(root, locked))
    return problems


def _where_changed(project: Project, period: Period, items: list) -> Mark:
    """The period file, at the first changed text found in it (else without a line)."""
    data = project.sources.get(period.path)
    if data is None:
        return Mark(period.path)
    text = noticedoc.decode(data)
    for c in items:
        value = c.new
        if noticedoc.is_figure(c.key):  # computed: "50" may be written anywhere
            continue
        if value and len(value) >= 2 and "\n" not in value and value in text:
            offset = text.index(value)
            line, col = _line_col(text, offset)
            return Mark(period.path, line, col)
    return Mark(period.path)


def _first_difference(old: str, new: str) -> int:
    """The 1-based line where ``new`` first differs from ``old``."""
    a, b = old.split("\n"), new.split("\n")
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i + 1
    return max(1, min(min(len(a), len(b)) + 1, len(b)))  # lines added or taken off the end


def _body_changed(
    problems: Problems,
    root: Path,
    key: str,
    period: Period,
    last: LockedVersion,
    body: bytes | None,
) -> None:
    """``lock.body_changed`` at the first changed line of the body (the period file when removed)."""
    path = body_path(period)
    archived = last.body_file
    old = _archived(root, archived) if archived is not None else None
    if path is None or body is None:
        mark = Mark(period.path)
    else:
        line = (
            _first_difference(noticedoc.decode(old), noticedoc.decode(body))
            if old is not None
            else 1
        )
        mark = Mark(path, line, 1)
    problems.add(
        "lock.body_changed",
        mark,
        period=key,
        n=last.n,
        source=period.path,
        cmd=key.replace("/", " "),
        body_zh=f" {path} " if path else "（notice.body 已删除）",
        body_en=f" ({path})" if path else " (notice.body was removed)",
        archive_zh=archived.path if archived else f"第 {last.n} 版没有正文",
        archive_en=archived.path if archived else f"version {last.n} had no body",
    )


def body_problems(project: Project, results: Mapping[tuple[str, str], PeriodResult]) -> Problems:
    """A locked notice's body that is a link or lies outside content/ (never archived)."""
    problems = Problems()
    for p in locked_periods(project, results):
        path = body_path(p)
        if path is None or path in project.sources:
            continue
        if (project.root / path).exists() or (project.root / path).is_symlink():
            if _body_file(project.root, path) is None:
                problems.add("lock.body_outside", Mark(p.path), path=path)
    return problems


def check_lock(
    project: Project, results: Mapping[tuple[str, str], PeriodResult], locale: str
) -> dict[str, LockedPeriod]:
    """Fail the build when a published notice changed without a correction, or the lock was tampered with.

    Returns the lock (empty when the project has none yet).
    """
    problems = Problems()
    locked = load_lock(project.root, problems)
    fail_all(problems, locale)
    if locked is None:
        return {}
    fail_all(lock_problems(project, results, locked), locale)
    return locked


def lock_file_problems(root: Path) -> Problems:
    """What can be checked without the sources: the lock itself and its archives.

    ``check`` reports these together with the problems of the sources when
    those do not load.
    """
    problems = Problems()
    locked = load_lock(Path(root).resolve(), problems)
    if locked:
        problems.extend(count_problems(Path(root).resolve(), locked))
        problems.extend(head_problems(Path(root).resolve(), locked))
        problems.extend(archive_problems(Path(root).resolve(), locked))
    return problems


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


def archive_path(period: Period, n: int, suffix: str = "", ext: str = ".yaml") -> str:
    return f"{ARCHIVE_DIR}/{period.scheme}/{period.id}/v{n}{suffix}{ext}"


def _put(
    project: Project,
    target: str,
    data: bytes,
    force: bool,
    writes: dict[str, bytes],
    problems: Problems,
) -> ArchivedFile:
    existing = project.root / target
    if existing.is_file() and not same_bytes(existing.read_bytes(), sha256(data)) and not force:
        problems.add("lock.archive_exists", Mark(target), path=target)
    writes[target] = data
    return ArchivedFile(target, sha256(data))


def _archive_body(
    project: Project,
    period: Period,
    n: int,
    force: bool,
    writes: dict[str, bytes],
    problems: Problems,
) -> ArchivedFile | None:
    """The archived body of version ``n`` (to write); None when the notice has no body."""
    data = current_body(project, period)
    if data is None:
        return None
    return _put(project, archive_path(period, n, ".body", ".md"), data, force, writes, problems)


def _archive_notice(
    project: Project,
    period: Period,
    result: PeriodResult,
    n: int,
    force: bool,
    writes: dict[str, bytes],
    problems: Problems,
) -> ArchivedFile:
    data = notice_bytes(project, period, result, current_body(project, period))
    return _put(project, archive_path(period, n, ".notice", ".json"), data, force, writes, problems)


def _archived_yaml(data: bytes) -> object:
    """An archived YAML file's data through the project's strict loader (no aliases
    expanded, depth and size bounded, plain scalars as text); None when unreadable."""
    doc = load_yaml_bytes(noticedoc.canonical_bytes(data), ARCHIVE_DIR, Problems())
    return None if doc is None else doc.data


def _names_in(data: bytes) -> set[str]:
    """Every ``name:`` recorded under ``units:`` of a period file (people, awards, events)."""
    doc = _archived_yaml(data)
    found: set[str] = set()

    def walk(node: object, depth: int) -> None:
        if depth > 20:
            return
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "name" and isinstance(v, str) and v.strip():
                    found.add(v.strip())
                else:
                    walk(v, depth + 1)
        elif isinstance(node, list):
            for v in node:
                walk(v, depth + 1)

    if isinstance(doc, dict):
        walk(doc.get("units"), 0)
    return found


def _publishes_names(scheme_data: bytes | None) -> bool:
    """Whether an (archived) scheme file declares a legal basis for publishing names."""
    if scheme_data is None:
        return False
    doc = _archived_yaml(scheme_data)
    pd = doc.get("personal_data") if isinstance(doc, dict) else None
    return (
        isinstance(pd, dict)
        and str(pd.get("publish_names")) == "true"
        and bool(pd.get("legal_basis"))
    )


def masked_period_file(data: bytes, names: set[str], scheme_data: bytes | None) -> bytes:
    """A period file as archived: every registered person's name masked, unless published by law."""
    if _publishes_names(scheme_data):
        return data
    return privacy.redact_archive(data, names | _names_in(data))


def _archive(
    project: Project,
    period: Period,
    n: int,
    force: bool,
    writes: dict[str, bytes],
    problems: Problems,
) -> tuple[ArchivedFile, ArchivedFile]:
    """The archive files of version ``n`` (to write): the period file (names masked) and its scheme."""
    sv = project.schemes[period.scheme][period.version]
    # a version written as changes (extends:) is archived written out in full: it must rebuild alone
    scheme_data = sv.full_text if sv.full_text is not None else project.sources[sv.path]
    period_data = masked_period_file(
        project.sources[period.path], privacy.person_names(period.facts), scheme_data
    )
    return (
        _put(project, archive_path(period, n), period_data, force, writes, problems),
        _put(project, archive_path(period, n, ".scheme"), scheme_data, force, writes, problems),
    )


def _migrate_names(
    root: Path, entry: LockedPeriod, writes: dict[str, bytes]
) -> LockedPeriod:
    """Archived period files of ``entry`` rewritten with names masked (not a new version)."""
    versions = []
    for v in entry.versions:
        f = v.period_file
        if f is not None and f.path not in writes:
            data = _archived(root, f)
            scheme = _archived(root, v.scheme_file) if v.scheme_file else None
            if data is not None:
                masked = masked_period_file(data, set(), scheme)
                if masked != data:
                    writes[f.path] = masked
                    v = replace(v, period_file=ArchivedFile(f.path, sha256(masked)))
        versions.append(v)
    return replace(entry, versions=tuple(versions))


def next_lock(
    project: Project,
    results: Mapping[tuple[str, str], PeriodResult],
    locked: Mapping[str, LockedPeriod],
    *,
    force: bool = False,
) -> tuple[dict[str, LockedPeriod], dict[str, bytes], Problems]:
    """The lock after ``site-builder lock``, and the archive files to write.

    A period seen for the first time becomes version 1 (a 公示 too).  A period
    whose results, notice content or body differ from its last version gets
    version n+1, tied to the newest correction when one was recorded since
    (``force`` appends it even without); so does a 公示 that became the 通报.
    The last version of a lock written before archives (or before bodies or
    the notice content were archived) gets the files it lacks, from the
    current sources.  Archived period files that still hold a person's name
    are rewritten masked.
    """
    problems = Problems()
    writes: dict[str, bytes] = {}
    root = project.root
    out: dict[str, LockedPeriod] = dict(locked)  # periods no longer published stay locked
    latest: dict[tuple[str, str], int] = {}  # (scheme, period) -> its version after this run
    for p in locked_periods(project, results):
        key = key_of(p)
        result = results[(p.scheme, p.id)]
        digest = results_hash(result)
        count = len(p.scores.corrections)
        entry = locked.get(key)
        versions = list(entry.versions) if entry else []
        basis = {pid: n for (sid, pid), n in latest.items() if sid == p.scheme}
        body = current_body(project, p)
        last = versions[-1] if versions else None
        old_items = archived_items(root, last) if last is not None else None
        changed = (
            last is None
            or last.sha256 != digest
            or last.stage != p.status
            or not same_body(last, body, root)
            or (
                old_items is not None
                and noticedoc.comparable(old_items)
                != noticedoc.comparable(noticedoc.notice_items(project, p, result, body))
            )
        )
        if changed:
            n = len(versions) + 1
            grew = entry is not None and count > entry.corrections
            files = _archive(project, p, n, force, writes, problems)
            versions.append(
                LockedVersion(
                    n,
                    digest,
                    count,
                    count if grew else None,
                    basis,
                    *files,
                    body_file=_archive_body(project, p, n, force, writes, problems),
                    body_locked=True,
                    notice_file=_archive_notice(project, p, result, n, force, writes, problems),
                    stage=p.status,
                )
            )
        elif (
            last.period_file is None or not last.body_locked or last.notice_file is None
        ):
            # locked before archives (or before bodies or the notice content were
            # archived): the current files still reproduce it, so they are archived
            # as that version
            if last.period_file is None:
                files = _archive(project, p, last.n, force, writes, problems)
                last = replace(last, basis=basis, period_file=files[0], scheme_file=files[1])
            if not last.body_locked:
                last = replace(
                    last,
                    body_file=_archive_body(project, p, last.n, force, writes, problems),
                    body_locked=True,
                )
            if last.notice_file is None:
                last = replace(
                    last,
                    notice_file=_archive_notice(
                        project, p, result, last.n, force, writes, problems
                    ),
                )
            versions[-1] = last
        out[key] = LockedPeriod(count, tuple(versions))
        latest[(p.scheme, p.id)] = versions[-1].n
    out = {key: _migrate_names(root, entry, writes) for key, entry in out.items()}
    return dict(sorted(out.items())), writes, problems


def update_lock(root: Path, *, force: bool = False) -> Path:
    """``site-builder lock``: archive every new published version, record it in the lock.

    Refuses (like the build) a changed published notice without a new
    correction, and a tampered lock or archive, unless ``force`` is given.
    """
    from site_builder import pipeline

    project, results = pipeline.check(root, include_drafts=False)
    locale = project.site.locale
    fail_all(privacy.source_problems(root, project), locale)  # no personal number is ever archived
    if force:
        problems = Problems()
        locked = load_lock(project.root, problems) or {}  # a damaged lock is what --force is for
    else:
        locked = check_lock(project, results, locale)
        fail_all(body_problems(project, results), locale)
    entries, writes, problems = next_lock(project, results, locked, force=force)
    fail_all(problems, locale)
    for rel_path, data in sorted(writes.items()):
        _write(project.root / rel_path, data)
    path = project.root / LOCK_NAME
    _write(path, lock_json(entries).encode("utf-8"))
    return path


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` unless the file already holds it (a CRLF checkout of it counts)."""
    if (
        path.is_file()
        and not path.is_symlink()
        and noticedoc.canonical_bytes(path.read_bytes()) == data
    ):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
