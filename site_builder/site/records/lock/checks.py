"""The refusals of ``check`` and ``build``: published results, bodies or notice
content changed without a new correction, archives missing or altered,
corrections deleted, entries lost.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from site_builder.errors import Mark, Problems
from site_builder.model import Period, Project
from site_builder.scoring.results import PeriodResult
from site_builder.site.records import notice_changes, noticedoc
from site_builder.site.failures import fail_all
from site_builder.site.records.lock.fingerprints import (
    read_archived,
    regular_body_file,
    is_inside,
    link_on_way,
    body_path,
    current_body,
    key_of,
    locked_periods,
    results_hash,
    same_body,
    same_bytes,
)
from site_builder.site.records.lock.lockfile import ARCHIVE_DIR, LOCK_NAME, STAGE_WORDS, LockedPeriod, LockedVersion
from site_builder.site.records.lock.reading import head_problems, line_col, load_lock, mark_in_lock


# ------------------------------------------------------------------ checking


def archive_problems(root: Path, locked: Mapping[str, LockedPeriod]) -> Problems:
    """Every archived file exists under published/, is no link, and has the content the lock recorded."""
    problems = Problems()
    base = Path(os.path.realpath(root / ARCHIVE_DIR))
    for key, entry in sorted(locked.items()):
        for v in entry.versions:
            for f in v.files:
                path = root / f.path
                link = link_on_way(root, f.path)
                if link is not None:
                    problems.add("lock.symlink", Mark(link), path=link)
                elif not is_inside(Path(os.path.realpath(path)), base):
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
                        line, col = line_col(head, len(head))
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
                        mark_in_lock(root, "periods"),
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
                    mark_in_lock(root, "periods", key, "corrections"),
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
    data = read_archived(root, version.notice_file)
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
            diff = notice_changes.differences(
                notice_changes.comparable(old, last.corrections),
                notice_changes.comparable(new, last.corrections),
            )
            items = [c for c in diff if c.key != "notice.body"]
            if any(c.key == "notice.body" for c in diff):
                body_changed = True
            if items:
                stage = STAGE_WORDS[last.stage]
                renamed = any(re.fullmatch(r"unit\.[^.]+\.name", c.key) for c in items)
                problems.add(
                    "lock.notice_changed",
                    _where_changed(project, period, items),
                    period=key,
                    n=last.n,
                    stage_zh=stage[0],
                    stage_en=stage[1],
                    items_zh=notice_changes.describe(items, "zh-CN", old_items=old, new_items=new),
                    items_en=notice_changes.describe(items, "en", old_items=old, new_items=new),
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
        if notice_changes.is_figure(c.key):  # computed: "50" may be written anywhere
            continue
        if value and len(value) >= 2 and "\n" not in value and value in text:
            offset = text.index(value)
            line, col = line_col(text, offset)
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
    old = read_archived(root, archived) if archived is not None else None
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
            if regular_body_file(project.root, path) is None:
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
