"""``published.lock`` and ``published/``: every published version of every notice.

For each published period the lock lists its versions, oldest first.  Version 1
is the first publication; ``site-builder lock`` appends version n+1 when the
results changed and a new correction (更正) was recorded.  Each version holds
the SHA-256 of the canonical JSON of its computed results, the number of
corrections in the period file, the correction that produced it, the versions
of the earlier periods of the same scheme it was computed with (running
totals, streaks and caps across periods depend on them), and the files it was
computed from: exact byte copies of the period file and of its scheme version
file, ``published/<scheme>/<period>/v<n>.yaml`` and ``v<n>.scheme.yaml``, and
the notice's Markdown body as it was published, ``v<n>.body.md``.

A version's body is part of what was published: ``lock`` also appends version
n+1 when only the body changed (after a correction was recorded), and an
earlier version is shown with its archived body, not today's.

The scheme file is copied for every version, not only once it changes: by the
time a change is noticed the old bytes are gone, and git stores identical
copies once.

The build refuses a published period whose results or notice body changed
unless a new correction was recorded since the last ``lock``, a published period that
disappeared, a correction that was deleted, and an archived file that is
missing or whose bytes differ from the lock.  Earlier versions are rebuilt from
the archive by :mod:`site_builder.site.versions`.

    {"periods": {"<scheme>/<period>": {"corrections": 1, "versions": [
        {"n": 1, "sha256": "…", "corrections": 0, "correction": null,
         "basis": {"<earlier period>": 1},
         "period_file": {"path": "published/<scheme>/<period>/v1.yaml", "sha256": "…"},
         "scheme_file": {"path": "published/<scheme>/<period>/v1.scheme.yaml", "sha256": "…"},
         "body_file": {"path": "published/<scheme>/<period>/v1.body.md", "sha256": "…"}},
        …]}}, "version": 2}

``"body_file": null`` is a notice without a body.  Files written by an earlier
site-builder (``{"sha256": …, "corrections": …}`` per period, no archive) are
read as one version without files, and a version without the ``body_file``
key as one whose body is not locked yet; the next ``lock`` archives the
current files as the last version when they still reproduce it (without
creating a new version).  Earlier versions locked before bodies were archived
are shown with the body in ``content/``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from site_builder import messages
from site_builder.errors import Mark, Problems
from site_builder.model import Period, Project
from site_builder.scoring.results import PeriodResult
from site_builder.site.failures import SiteError, fail_all

LOCK_NAME = "published.lock"
ARCHIVE_DIR = "published"
FORMAT = 2

messages.register(
    {
        "lock.changed": (
            "已发布的“{period}”的考核结果与 published.lock 记录的不一致，但没有登记新的更正",
            "已发布的结果不得悄悄修改：请在 {source} 的 corrections 中登记更正（日期、原因、更正内容），再运行 site-builder lock",
            "the published results of “{period}” differ from published.lock, but no new correction was recorded",
            "published results must not change silently: record a correction in {source} (date, reason, changes), then run site-builder lock",
        ),
        "lock.body_changed": (
            "已发布的“{period}”的通报正文{body_zh}与 published.lock 记录的第 {n} 版不一致，但没有登记新的更正",
            "已发布的通报正文不得悄悄修改：请在 {source} 的 corrections 中登记更正（日期、原因），再运行 site-builder lock；或撤销对正文的改动，恢复第 {n} 版的原文（{archive_zh}）",
            "the body text of the published notice “{period}”{body_en} differs from version {n} in published.lock, but no new correction was recorded",
            "published notices must not change silently: record a correction in {source} (date, reason), then run site-builder lock; or revert the text to version {n} ({archive_en})",
        ),
        "lock.vanished": (
            "published.lock 中已发布的“{period}”找不到了，或不再是已发布状态",
            "已发布的通报不能删除或撤回为草稿/公示：请恢复 status: published，如有错误请登记更正",
            "the published period “{period}” in published.lock no longer exists or is no longer published",
            "published notices cannot be deleted or turned back into drafts: restore status: published and record a correction if something was wrong",
        ),
        "lock.corrections_removed": (
            "“{period}”的更正记录由 {old} 条减少为 {new} 条",
            "已登记的更正不得删除：请恢复 {source} 中的 corrections",
            "the corrections of “{period}” went down from {old} to {new}",
            "recorded corrections must not be deleted: restore corrections in {source}",
        ),
        "lock.invalid": (
            "published.lock 无法读取：{error}",
            "请从版本库恢复该文件，或运行 site-builder lock 重新生成",
            "published.lock cannot be read: {error}",
            "restore it from version control or run site-builder lock",
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
        "lock.archive_exists": (
            "存档文件 {path} 已存在，且内容与要存档的不同",
            "published/ 下的文件只由 site-builder lock 写入：请从版本库恢复 published/ 和 published.lock；确需重建时加 --force",
            "the archive file {path} exists with other content",
            "files under published/ are written by site-builder lock only: restore published/ and published.lock from version control, or use --force to rebuild them",
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

    @property
    def files(self) -> tuple[ArchivedFile, ...]:
        return tuple(
            f for f in (self.period_file, self.scheme_file, self.body_file) if f is not None
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


def key_of(period: Period) -> str:
    return f"{period.scheme}/{period.id}"


def body_path(period: Period) -> str | None:
    """The notice body of ``period`` as a project path (``content/…``), if it has one."""
    body = period.scores.notice.body if period.scores.notice else None
    return f"content/{body}" if body else None


def current_body(project: Project, period: Period) -> bytes | None:
    """The bytes of the notice body ``period`` names today (None: no body)."""
    path = body_path(period)
    if path is None:
        return None
    if path in project.sources:
        return project.sources[path]
    file = project.root / path
    return file.read_bytes() if file.is_file() else None


def body_hash(data: bytes | None) -> str | None:
    return None if data is None else sha256(data)


def same_body(version: LockedVersion, data: bytes | None) -> bool:
    """Whether ``data`` is the body ``version`` was published with (True when not locked yet)."""
    return not version.body_locked or version.body_sha256 == body_hash(data)


def published_periods(
    project: Project, results: Mapping[tuple[str, str], PeriodResult]
) -> list[Period]:
    """Published periods in the engine's order (scheme, start), the ones the lock covers."""
    return [p for p in project.periods if p.status == "published" and (p.scheme, p.id) in results]


# ------------------------------------------------------------------ reading


def _file(value: Any) -> ArchivedFile | None:
    if value is None:
        return None
    path, digest = value["path"], value["sha256"]
    if not isinstance(path, str) or not isinstance(digest, str):
        raise TypeError("archived files need a path and a sha256")
    if not path.startswith(f"{ARCHIVE_DIR}/") or ".." in path.split("/"):
        raise ValueError(f"archived file outside {ARCHIVE_DIR}/: {path}")
    return ArchivedFile(path, digest)


def _version(value: Mapping[str, Any]) -> LockedVersion:
    correction = value.get("correction")
    basis = value.get("basis") or {}
    if not isinstance(basis, dict):
        raise TypeError("basis must be a mapping")
    return LockedVersion(
        n=int(value["n"]),
        sha256=str(value["sha256"]),
        corrections=int(value.get("corrections", 0)),
        correction=None if correction is None else int(correction),
        basis={str(k): int(v) for k, v in sorted(basis.items())},
        period_file=_file(value.get("period_file")),
        scheme_file=_file(value.get("scheme_file")),
        body_file=_file(value.get("body_file")),
        body_locked="body_file" in value,
    )


def _period(value: Mapping[str, Any]) -> LockedPeriod:
    if "versions" not in value:  # written by site-builder before archives: one version, no files
        version = LockedVersion(1, str(value["sha256"]), int(value.get("corrections", 0)), None)
        return LockedPeriod(version.corrections, (version,))
    versions = tuple(_version(v) for v in value["versions"])
    if not versions or [v.n for v in versions] != list(range(1, len(versions) + 1)):
        raise ValueError("versions must be numbered 1, 2, 3, …")
    return LockedPeriod(int(value.get("corrections", versions[-1].corrections)), versions)


def parse_lock(text: str) -> dict[str, LockedPeriod]:
    doc = json.loads(text)
    periods = doc["periods"]
    if not isinstance(periods, dict):
        raise TypeError("periods must be a mapping")
    return {str(key): _period(value) for key, value in sorted(periods.items())}


def read_lock(root: Path, locale: str) -> dict[str, LockedPeriod] | None:
    """The lock of the project at ``root``; ``None`` when there is none yet."""
    path = root / LOCK_NAME
    if not path.is_file():
        return None
    try:
        return parse_lock(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems = Problems()
        problems.add("lock.invalid", Mark(LOCK_NAME), error=f"{type(exc).__name__}: {exc}")
        fail_all(problems, locale)
        raise AssertionError("unreachable") from exc


# ------------------------------------------------------------------ checking


def archive_problems(root: Path, locked: Mapping[str, LockedPeriod]) -> Problems:
    """Every archived file exists and has the bytes the lock recorded."""
    problems = Problems()
    for key, entry in sorted(locked.items()):
        for v in entry.versions:
            for f in v.files:
                path = root / f.path
                if not path.is_file():
                    problems.add(
                        "lock.archive_missing", Mark(f.path), path=f.path, period=key, n=v.n
                    )
                elif sha256(path.read_bytes()) != f.sha256:
                    problems.add(
                        "lock.archive_changed", Mark(f.path), path=f.path, period=key, n=v.n
                    )
    return problems


def lock_problems(
    project: Project,
    results: Mapping[tuple[str, str], PeriodResult],
    locked: Mapping[str, LockedPeriod],
) -> Problems:
    problems = Problems()
    now = {key_of(p): p for p in published_periods(project, results)}
    sources = {key_of(p): p.path for p in project.periods}
    for key, entry in sorted(locked.items()):
        period = now.get(key)
        if period is None:  # deleted, or turned back into a draft or public notice
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
        elif count <= entry.corrections:
            if results_hash(results[(period.scheme, period.id)]) != entry.last.sha256:
                problems.add("lock.changed", Mark(period.path), period=key, source=period.path)
            body = current_body(project, period)
            if not same_body(entry.last, body):
                _body_changed(problems, project.root, key, period, entry.last, body)
    problems.extend(archive_problems(project.root, locked))
    return problems


def _first_difference(old: bytes, new: bytes) -> int:
    """The 1-based line where ``new`` first differs from ``old``."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
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
    old: bytes | None = None
    if archived is not None and (root / archived.path).is_file():
        old = (root / archived.path).read_bytes()
    if path is None or body is None:
        mark = Mark(period.path)
    else:
        mark = Mark(path, _first_difference(old, body) if old is not None else 1, 1)
    problems.add(
        "lock.body_changed",
        mark,
        period=key,
        n=last.n,
        source=period.path,
        body_zh=f" {path} " if path else "（notice.body 已删除）",
        body_en=f" ({path})" if path else " (notice.body was removed)",
        archive_zh=archived.path if archived else f"第 {last.n} 版没有正文",
        archive_en=archived.path if archived else f"version {last.n} had no body",
    )


def check_lock(
    project: Project, results: Mapping[tuple[str, str], PeriodResult], locale: str
) -> dict[str, LockedPeriod]:
    """Fail the build when a published result changed without a correction.

    Returns the lock (empty when the project has none yet).
    """
    locked = read_lock(project.root, locale)
    if locked is None:
        return {}
    fail_all(lock_problems(project, results, locked), locale)
    return locked


# ------------------------------------------------------------------ writing


def lock_json(locked: Mapping[str, LockedPeriod]) -> str:
    def file(f: ArchivedFile | None) -> dict | None:
        return None if f is None else {"path": f.path, "sha256": f.sha256}

    def version(v: LockedVersion) -> dict:
        out = {
            "n": v.n,
            "sha256": v.sha256,
            "corrections": v.corrections,
            "correction": v.correction,
            "basis": dict(sorted(v.basis.items())),
            "period_file": file(v.period_file),
            "scheme_file": file(v.scheme_file),
        }
        if v.body_locked:  # no key at all: locked before bodies were archived
            out["body_file"] = file(v.body_file)
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
    if existing.is_file() and existing.read_bytes() != data and not force:
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


def _archive(
    project: Project,
    period: Period,
    n: int,
    force: bool,
    writes: dict[str, bytes],
    problems: Problems,
) -> tuple[ArchivedFile, ArchivedFile]:
    """The archive files of version ``n`` (to write): the period file and its scheme file."""
    scheme_path = project.schemes[period.scheme][period.version].path
    out = [
        _put(project, target, project.sources[source], force, writes, problems)
        for source, target in (
            (period.path, archive_path(period, n)),
            (scheme_path, archive_path(period, n, ".scheme")),
        )
    ]
    return out[0], out[1]


def next_lock(
    project: Project,
    results: Mapping[tuple[str, str], PeriodResult],
    locked: Mapping[str, LockedPeriod],
    *,
    force: bool = False,
) -> tuple[dict[str, LockedPeriod], dict[str, bytes], Problems]:
    """The lock after ``site-builder lock``, and the archive files to write.

    A period seen for the first time becomes version 1.  A period whose results
    or notice body differ from its last version gets version n+1, tied to the
    newest correction when one was recorded since (``force`` appends it even
    without).  The last version of a lock written before archives (or before
    bodies were archived) gets the files it lacks, from the current sources.
    """
    problems = Problems()
    writes: dict[str, bytes] = {}
    out: dict[str, LockedPeriod] = dict(locked)  # periods no longer published stay locked
    latest: dict[tuple[str, str], int] = {}  # (scheme, period) -> its version after this run
    for p in published_periods(project, results):
        key = key_of(p)
        digest = results_hash(results[(p.scheme, p.id)])
        count = len(p.scores.corrections)
        entry = locked.get(key)
        versions = list(entry.versions) if entry else []
        basis = {pid: n for (sid, pid), n in latest.items() if sid == p.scheme}
        body = current_body(project, p)
        if not versions or versions[-1].sha256 != digest or not same_body(versions[-1], body):
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
                )
            )
        elif versions[-1].period_file is None or not versions[-1].body_locked:
            # locked before archives (or before bodies were archived): the current
            # files still reproduce it, so they are archived as that version
            last = versions[-1]
            if last.period_file is None:
                files = _archive(project, p, last.n, force, writes, problems)
                last = replace(last, basis=basis, period_file=files[0], scheme_file=files[1])
            if not last.body_locked:
                last = replace(
                    last,
                    body_file=_archive_body(project, p, last.n, force, writes, problems),
                    body_locked=True,
                )
            versions[-1] = last
        out[key] = LockedPeriod(count, tuple(versions))
        latest[(p.scheme, p.id)] = versions[-1].n
    return dict(sorted(out.items())), writes, problems


def update_lock(root: Path, *, force: bool = False) -> Path:
    """``site-builder lock``: archive every new published version, record it in the lock.

    Refuses (like the build) a changed published result without a new
    correction, and a tampered archive, unless ``force`` is given.
    """
    from site_builder import pipeline

    project, results = pipeline.check(root, include_drafts=False)
    locale = project.site.locale
    if force:
        try:
            locked = read_lock(project.root, locale) or {}
        except SiteError:  # a damaged lock is what --force is for
            locked = {}
    else:
        locked = check_lock(project, results, locale)
    entries, writes, problems = next_lock(project, results, locked, force=force)
    fail_all(problems, locale)
    for rel_path, data in sorted(writes.items()):
        _write(project.root / rel_path, data)
    path = project.root / LOCK_NAME
    _write(path, lock_json(entries).encode("utf-8"))
    return path


def _write(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
