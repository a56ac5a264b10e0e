"""``site-builder lock``: the next lock (a new version when what a notice shows
changed with a new correction, or a 公示 became the 通报) and its archive under
``published/`` (period files with names masked, scheme, body, notice content).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from site_builder.errors import Mark, Problems
from site_builder.load.yamlsafe import load_yaml_bytes
from site_builder.model import Period, Project
from site_builder.scoring.results import PeriodResult
from site_builder.site.output import personal_names, privacy
from site_builder.site.records import notice_changes, noticedoc
from site_builder.site.failures import fail_all
from site_builder.site.records.lock.checks import archived_items, body_problems, check_lock
from site_builder.site.records.lock.fingerprints import (
    read_archived,
    current_body,
    key_of,
    locked_periods,
    notice_bytes,
    results_hash,
    same_body,
    same_bytes,
    sha256,
)
from site_builder.site.records.lock.lockfile import (
    ARCHIVE_DIR,
    ArchivedFile,
    LOCK_NAME,
    LockedPeriod,
    LockedVersion,
    lock_json,
)
from site_builder.site.records.lock.reading import load_lock


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
    return personal_names.redact_archive(data, names | _names_in(data))


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
        project.sources[period.path], personal_names.person_names(period.facts), scheme_data
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
            data = read_archived(root, f)
            scheme = read_archived(root, v.scheme_file) if v.scheme_file else None
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
                and notice_changes.comparable(old_items)
                != notice_changes.comparable(noticedoc.notice_items(project, p, result, body))
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
