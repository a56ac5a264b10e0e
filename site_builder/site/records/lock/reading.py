"""Loading ``published.lock`` from a project: malformed, missing or deleted locks
located (line:column in the lock, or git's HEAD still having it).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from json.decoder import scanstring
from pathlib import Path

from site_builder.errors import Mark, Problems
from site_builder.site.failures import fail_all
from site_builder.site.records.lock.lockfile import (
    ARCHIVE_DIR,
    LOCK_NAME,
    LockedPeriod,
    MAX_LOCK_BYTES,
    MalformedLock,
    parse_lock,
)


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def locate(text: str, path: tuple) -> int:
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
    line, col = line_col(text, offset)
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
    except MalformedLock as exc:
        _malformed(problems, text, locate(text, exc.path), exc.zh, exc.en)
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
    except (MalformedLock, ValueError, RecursionError):
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
            mark = mark_in_lock(root, "periods")
        elif len(now.versions) < len(before.versions):
            what = (
                f"只有 {len(now.versions)} 个版本（HEAD 中为 {len(before.versions)} 个）",
                f"{len(now.versions)} version(s), fewer ({len(before.versions)} in HEAD)",
            )
            mark = mark_in_lock(root, "periods", key, "versions")
        elif now.corrections < before.corrections:
            what = (
                f"的更正数为 {now.corrections}（HEAD 中为 {before.corrections}）",
                f"{now.corrections} correction(s), fewer ({before.corrections} in HEAD)",
            )
            mark = mark_in_lock(root, "periods", key, "corrections")
        else:
            continue
        problems.add("lock.behind_git", mark, period=key, what_zh=what[0], what_en=what[1])
    return problems


def mark_in_lock(root: Path, *path: object) -> Mark:
    try:
        text = (root / LOCK_NAME).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return Mark(LOCK_NAME)
    line, col = line_col(text, locate(text, tuple(path)))
    return Mark(LOCK_NAME, line, col)


def read_lock(root: Path, locale: str) -> dict[str, LockedPeriod] | None:
    """The lock of the project at ``root``; ``None`` when there is none yet."""
    problems = Problems()
    locked = load_lock(root, problems)
    fail_all(problems, locale)
    return locked
