"""Errors of the site stage, reported like every other problem (text, no traceback)."""

from __future__ import annotations

from typing import NoReturn

from site_builder import messages
from site_builder.errors import InputError, Mark, Problems

messages.register(
    {
        "site.duplicate_path": (
            "两个页面要写到同一个位置：{path}（{first}；{second}）",
            "请检查单位、方案或考核期的标识是否重复",
            "two outputs at one path: {path} ({first}; {second})",
            "check for duplicate unit, scheme or period ids",
        ),
        "site.unsafe_path": (
            "输出路径不安全：{path}",
            "标识只能用小写英文字母、数字、连字符和下划线",
            "unsafe output path: {path}",
            "ids may only use lowercase ASCII letters, digits, '-' and '_'",
        ),
        "site.unsafe_out": (
            "输出目录 {out} 不能是项目目录本身或其上级目录",
            "请换一个输出目录，如 _site",
            "the output directory {out} must not be the project or one of its parents",
            "choose another output directory, e.g. _site",
        ),
        "site.foreign_out": (
            "输出目录 {out} 已存在且不是本工具生成的（缺少 manifest.json），为防误删不予覆盖",
            "请换一个输出目录，或先手动清空该目录",
            "the output directory {out} exists and was not built by site-builder (no manifest.json); not replacing it",
            "choose another output directory or empty it yourself",
        ),
        "site.missing_body": (
            "通报正文文件 content/{body} 不存在",
            "请检查 notice.body 的路径（相对 content/）",
            "notice body content/{body} does not exist",
            "check notice.body (a path relative to content/)",
        ),
        "site.write_failed": (
            "写出网站失败：{error}；原有网站保持不变",
            "请检查磁盘空间和输出目录的写入权限后重试",
            "writing the site failed: {error}; the previous site is unchanged",
            "check the disk space and write permission of the output directory, then try again",
        ),
        "site.worker_ended": (
            "生成页面的子进程意外结束（退出码 {exitcode}），网站没有写出，原有网站保持不变",
            "多为内存不足：请关闭其他程序后重试，或加 --jobs 1 只用一个进程生成",
            "a process rendering pages ended unexpectedly (exit code {exitcode}); nothing was written, the previous site is unchanged",
            "most often it ran out of memory: close other programs and try again, or add --jobs 1 to render in one process",
        ),
        "site.template_error": (
            "模板 {template} 渲染 {path} 时出错：{error}",
            "这是主题模板的问题，请检查模板中的变量名",
            "template {template} failed while rendering {path}: {error}",
            "this is a theme problem: check the variable names in the template",
        ),
    }
)


class SiteError(InputError):
    """A problem found while planning, rendering or writing the site."""


def fail(code: str, locale: str, mark: Mark | None = None, **params: object) -> NoReturn:
    problems = Problems()
    problems.add(code, mark, **params)
    raise SiteError(problems.sorted(), locale)


def fail_all(problems: Problems, locale: str) -> None:
    if problems:
        raise SiteError(problems.sorted(), locale)
