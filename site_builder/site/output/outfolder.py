"""Where a site may be built: the output folder checked before anything is rendered.

The folder (or the folder a symlink named as the output points to) must not be the project or
hold its sources, must be a folder of a site this tool built (``manifest.json``) or empty, must
not be a mount point (it is swapped as a whole, :mod:`.write`), and it and the folder it is in
must be writable.  Each refusal names the path and says what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from site_builder import messages
from site_builder.errors import Mark
from site_builder.site.failures import fail

messages.register(
    {
        "site.out_in_sources": (
            "输出目录 {out} 位于源文件目录 {folder}/ 之内，生成的文件会被当作源文件读入",
            "请换一个输出目录，如 _site",
            "the output directory {out} is inside the source folder {folder}/, where the built files would be read as sources",
            "choose another output directory, e.g. _site",
        ),
        "site.out_not_dir": (
            "输出目录 {out} 不是文件夹（{path} 是一个文件）",
            "请换一个输出目录，或移走该文件",
            "the output directory {out} is not a folder ({path} is a file)",
            "choose another output directory or move the file away",
        ),
        "site.out_bad_link": (
            "输出目录 {out} 是符号链接，但指向的位置不存在或链接成环",
            "请改正链接（ln -sfn 目标目录 {out}），或删除链接后重新构建",
            "the output directory {out} is a symbolic link to nowhere (missing target or a loop)",
            "fix the link (ln -sfn TARGET {out}) or remove it and build again",
        ),
        "site.out_read_only": (
            "输出位置 {path} 不可写（{why}）；原有网站保持不变",
            "请检查该目录的写入权限、只读挂载或 chattr +i 标志，或换一个输出目录",
            "cannot write to {path} ({why}); the previous site is unchanged",
            "check the folder's write permission, a read-only mount or chattr +i, or choose another output directory",
        ),
        "site.out_mount_point": (
            "输出目录 {out} 是一个挂载点，无法整体替换",
            "请输出到挂载点里面的一个子目录，如 {out}/site，并让网站服务器指向它",
            "the output directory {out} is a mount point and cannot be swapped",
            "build into a folder inside it, e.g. {out}/site, and point the web server there",
        ),
    }
)

# Folders of the project whose files are read as sources: the site must not land in them.
SOURCE_DIRS = ("units", "schemes", "scores", "content", "published", "theme", "schema", ".git")


def real_out(out: Path) -> Path:
    """Where the site really goes: ``out`` with every symlink followed (``out`` may not exist)."""
    return Path(os.path.realpath(Path(out).absolute()))


def check_out(root: Path, out: Path, locale: str) -> None:
    """Refuse an output directory that would swallow the sources, a foreign folder, or fail to write.

    Called before anything is rendered, so a build that cannot write says so at once.
    """
    out = Path(out).absolute()
    try:
        _check_out(root, out, locale)
    except OSError as exc:  # a folder on the way that cannot even be looked into
        path = exc.filename or out
        why = exc.strerror or str(exc)
        fail("site.out_read_only", locale, Mark(str(path)), path=str(path), why=why)


def _check_out(root: Path, out: Path, locale: str) -> None:
    shown = str(out)
    if out.is_symlink():
        try:
            out.resolve(strict=True)
        except (OSError, RuntimeError):
            fail("site.out_bad_link", locale, Mark(shown), out=shown)
    r, o = root.resolve(), real_out(out)
    if o == r or o in r.parents:
        fail("site.unsafe_out", locale, Mark(shown), out=shown)
    for name in SOURCE_DIRS:
        folder = r / name
        if o == folder or folder in o.parents:
            fail("site.out_in_sources", locale, Mark(shown), out=shown, folder=name)
    existing = o
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        fail("site.out_not_dir", locale, Mark(shown), out=shown, path=str(existing))
    if o.exists() and any(o.iterdir()) and not (o / "manifest.json").is_file():
        fail("site.foreign_out", locale, Mark(shown), out=shown)
    if o.exists() and os.path.ismount(o):
        fail("site.out_mount_point", locale, Mark(shown), out=shown)
    # the folder the site is swapped into, and the site itself (an immutable or
    # read-only-mounted site cannot be renamed away)
    for place in (existing if existing != o else o.parent, o):
        if place.exists() and not os.access(place, os.W_OK | os.X_OK):
            why = _why_not_writable(place, locale)
            fail("site.out_read_only", locale, Mark(str(place)), path=str(place), why=why)


def _why_not_writable(place: Path, locale: str) -> str:
    try:
        if os.statvfs(place).f_flag & os.ST_RDONLY:
            return "read-only file system" if locale == "en" else "只读文件系统"
    except (OSError, AttributeError):
        pass
    return "permission denied" if locale == "en" else "没有写入权限"
