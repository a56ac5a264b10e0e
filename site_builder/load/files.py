"""Finding and reading source files: inside the project, regular, bounded.

Every source file (``site.yaml``, the unit registry, scheme versions, period
files, notice bodies) is read through :func:`read_source`, which never
raises for anything the file system can do:

- a symbolic link is followed only when it resolves inside the project root;
  one that points outside (or loops, or dangles) is refused at the link's own
  path and its target is never opened, so nothing from outside the project
  can reach a page, ``published/`` or a message;
- only regular files are read: a folder named ``x.yaml``, a FIFO or a device
  is refused before it is opened (opening a FIFO would block);
- the size cap is checked with ``stat`` before reading and again while
  reading (at most ``cap + 1`` bytes are read), so a 1 GiB file costs
  nothing;
- a file that vanishes, or cannot be read for any reason, is a located
  problem, never a traceback.

:func:`list_files` walks a source folder the same way: symlinked folders
inside the project are followed once (a loop is reported), those outside are
refused without being listed.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from pathlib import Path

from site_builder.errors import Mark, Problems
from site_builder.load.rawtext import report_too_large
from site_builder.messages import register

MAX_BYTES = 2 * 1024 * 1024  # site.yaml, scheme versions, notice bodies, the lock, …
UNITS_MAX_BYTES = 16 * 1024 * 1024  # a unit registry file (a province: 10,000 units and more)
PERIOD_MAX_BYTES = 64 * 1024 * 1024  # a period file (10,000 units × 40 indicators)

register({
    "file.outside": (
        "这是指向项目目录之外的符号链接（快捷方式），不会读取",
        "请删除该链接，把所需文件本身放进项目目录（项目之外的文件不会被读取或发布）",
        "this is a symbolic link to a place outside the project; it is not read",
        "delete the link and put the file itself into the project "
        "(nothing outside the project is read or published)"),
    "file.hidden_target": (
        "这是指向隐藏文件或文件夹（如 .git、.env）的符号链接，不会读取",
        "请删除该链接，把所需文件本身放在这里",
        "this is a symbolic link into a hidden file or folder (such as .git or .env); it is not read",
        "delete the link and put the file itself here"),
    "file.link_loop": (
        "符号链接形成循环（或层级过多），无法读取",
        "请删除或改正该链接",
        "the symbolic link loops (or is nested too deeply) and cannot be read",
        "delete or fix the link"),
    "file.dangling": (
        "符号链接指向的文件不存在",
        "请删除该链接，或把文件本身放在这里",
        "the symbolic link points to a file that does not exist",
        "delete the link or put the file itself here"),
    "file.not_regular": (
        "这不是普通文件（而是{what}），无法读取",
        "请换成普通的文本文件，或删除它",
        "this is not a regular file but {what_en}; it cannot be read",
        "replace it with a regular text file or remove it"),
    "file.vanished": (
        "文件在读取过程中被删除或移动",
        "请在构建时不要修改项目文件，然后重新运行",
        "the file was deleted or moved while it was being read",
        "do not change the project while building, then run again"),
})


_COPY_PREFIX = re.compile(r"^(?:复件|副本|copy of)\s*(?:\(\d+\)\s*)?", re.I)
_COPY_SUFFIX = re.compile(
    r"(?:[\s_\-]*(?:-\s*)?(?:的副本|副本|复件|copy)(?:\s*\(?\d+\)?)?|\s*\(\d+\))$", re.I)


def copy_key(stem: str) -> str:
    """A file name without the marks copies get, to find two files for one thing.

    ``2019 - 副本``, ``2019 - Copy (2)``, ``复件 2019``, ``Copy of 2019``,
    ``2019 copy``, ``2019 (1)``, ``2019-copy`` and ``V2019`` → ``2019`` /
    ``v2019``: case, full-width forms and the copy marks of Windows, macOS,
    WPS and browsers are ignored.
    """
    key = unicodedata.normalize("NFKC", stem).casefold().strip()
    while True:
        new = _COPY_SUFFIX.sub("", _COPY_PREFIX.sub("", key)).strip(" _-.")
        if new == key or not new:
            break
        key = new
    return key or stem.casefold()


def display_path(path: Path, root: Path) -> str:
    """``path`` as shown in messages: relative to ``root`` without resolving links."""
    try:
        return Path(os.path.normpath(path)).relative_to(root).as_posix()
    except ValueError:
        return Path(path).name


def _within(real: str, root: Path) -> bool:
    r = str(root)
    return real == r or real.startswith(r.rstrip(os.sep) + os.sep)


def resolve_inside(path: Path, root: Path, display: str, problems: Problems | None) -> Path | None:
    """The real path of ``path`` when it lies inside ``root``; else report and return None.

    Reports a link that points outside the project, loops or dangles.  A path
    that does not exist (and is no link) returns its own path: the caller
    reports it as missing in its own words.
    """
    root = Path(os.path.realpath(root))
    where = Mark(display)
    try:
        real = os.path.realpath(path, strict=True)
    except FileNotFoundError:
        loose = os.path.realpath(path)
        if not _within(loose, root):
            _add(problems, "file.outside", where)
            return None
        if os.path.lexists(path):
            _add(problems, "file.dangling", where)
            return None
        return Path(path)  # simply missing
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            _add(problems, "file.link_loop", where)
        else:
            _add(problems, "yaml.read_failed", where, reason=exc.strerror or type(exc).__name__)
        return None
    except (RuntimeError, ValueError):  # pragma: no cover - older Pythons signal loops so
        _add(problems, "file.link_loop", where)
        return None
    if not _within(real, root):
        _add(problems, "file.outside", where)
        return None
    if real != os.path.normpath(path) and any(
        part.startswith(".") for part in Path(real).relative_to(root).parts
    ):  # a link into .git, .env, …: never a source, and may hold credentials
        _add(problems, "file.hidden_target", where)
        return None
    return Path(real)


def _add(problems: Problems | None, code: str, mark: Mark, **params: object) -> None:
    if problems is not None:
        problems.add(code, mark, **params)


def _kind(mode: int) -> tuple[str, str]:
    if stat.S_ISDIR(mode):
        return "文件夹", "a folder"
    if stat.S_ISFIFO(mode):
        return "命名管道", "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "套接字", "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件", "a device"
    return "特殊文件", "a special file"


def read_source(
    path: Path, display: str, root: Path, problems: Problems, max_bytes: int = MAX_BYTES
) -> bytes | None:
    """The bytes of one source file, or None after reporting why it cannot be read."""
    where = Mark(display)
    real = resolve_inside(path, root, display, problems)
    if real is None:
        return None
    try:
        st = os.stat(real)
    except FileNotFoundError:
        problems.add("yaml.not_found", where)
        return None
    except OSError as exc:
        problems.add("yaml.read_failed", where, reason=exc.strerror or type(exc).__name__)
        return None
    if not stat.S_ISREG(st.st_mode):
        zh, en = _kind(st.st_mode)
        problems.add("file.not_regular", where, what=zh, what_en=en)
        return None
    if st.st_size > max_bytes:
        report_too_large(st.st_size, max_bytes, display, problems)
        return None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        problems.add("file.vanished", where)
        return None
    except OSError as exc:
        problems.add("yaml.read_failed", where, reason=exc.strerror or type(exc).__name__)
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped for something else after the check
            zh, en = _kind(st.st_mode)
            problems.add("file.not_regular", where, what=zh, what_en=en)
            return None
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
        if len(raw) > max_bytes:
            report_too_large(max(os.fstat(fd).st_size, len(raw)), max_bytes, display, problems)
            return None
        return raw
    except OSError as exc:
        problems.add("yaml.read_failed", where, reason=exc.strerror or type(exc).__name__)
        return None
    finally:
        os.close(fd)


def list_files(
    folder: Path, root: Path, problems: Problems, suffixes: tuple[str, ...] = (".yaml", ".yml"),
    *, recursive: bool = True,
) -> list[Path]:
    """Files under ``folder`` whose names end in ``suffixes``, sorted; never follows a link outside.

    The paths keep the names as written (a linked folder's files are listed
    under the link).  A folder named like a source file (``x.yaml/``) is
    listed too, so that :func:`read_source` reports it instead of it being
    skipped silently.
    """
    root = Path(os.path.realpath(root))
    found: list[Path] = []
    seen: set[str] = set()

    def walk(d: Path) -> None:
        real = resolve_inside(d, root, display_path(d, root), problems)
        if real is None:
            return
        if str(real) in seen:
            problems.add("file.link_loop", Mark(display_path(d, root)))
            return
        seen.add(str(real))
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            return
        except OSError as exc:
            problems.add("yaml.read_failed", Mark(display_path(d, root)),
                         reason=exc.strerror or type(exc).__name__)
            return
        for e in entries:
            p = Path(e.path)
            wanted = e.name.endswith(suffixes)
            try:
                link = e.is_symlink()
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                link, is_dir = False, False
            if link:
                if wanted:
                    found.append(p)  # read_source reports it when it points outside
                elif os.path.isdir(p) and recursive:
                    walk(p)  # reports a folder link that points outside or loops
                continue
            elif is_dir and not wanted:
                if recursive:
                    walk(p)
            elif wanted:
                found.append(p)

    if os.path.lexists(folder):
        walk(folder)
    return sorted(found)


def list_folders(folder: Path, root: Path, problems: Problems) -> list[Path]:
    """The folders directly in ``folder`` (links inside the project followed), sorted."""
    root = Path(os.path.realpath(root))
    if not os.path.lexists(folder):
        return []
    if resolve_inside(folder, root, display_path(folder, root), problems) is None:
        return []
    out: list[Path] = []
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if os.path.isdir(folder):
            problems.add("yaml.read_failed", Mark(display_path(folder, root)),
                         reason=exc.strerror or type(exc).__name__)
        return []
    for e in entries:
        p = Path(e.path)
        try:
            if e.is_symlink():
                if not os.path.isdir(p):
                    continue
                if resolve_inside(p, root, display_path(p, root), problems) is None:
                    continue
            elif not e.is_dir(follow_symlinks=False):
                continue
        except OSError:
            continue
        out.append(p)
    return out
