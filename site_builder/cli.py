"""The ``site-builder`` command: thin wrappers over library functions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from site_builder import __version__


def _root(ctx_root: str) -> Path:
    return Path(ctx_root).resolve()


def _no_cache(f):
    """``--no-cache``: read and check every source afresh, without .site-builder/cache/."""

    def off(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        if value:
            import os

            from site_builder.load.cache import ENV_OFF

            os.environ[ENV_OFF] = "1"
        return value

    return click.option(
        "--no-cache", "no_cache", is_flag=True, expose_value=False, is_eager=True, callback=off,
        help="不使用缓存 .site-builder/（重新读取、检查全部源文件；build 总是完整生成网站；缓存可随时删除）",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="site-builder")
def main() -> None:
    """考核结果公示网站生成器 — build a site of assessment schemes, score cards and notices."""
    import os

    # pydantic looks for plugins of other programs by reading every installed distribution's entry
    # points when the first model is built (15–30 ms a run); the tool's own files load without any
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


@main.command()
@click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False), help="项目根目录")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default=None, help="消息语言（默认取 site.yaml 的 locale）")
@_no_cache
def check(root: str, lang: str | None) -> None:
    """检查全部源文件并计算结果，报告所有问题；不写任何文件。"""
    from site_builder.errors import Problems
    from site_builder.site.records.verify import check_project, summary

    warnings = Problems()
    project, results = check_project(_root(root), locale=lang, warnings=warnings)
    loc = lang or project.site.locale
    for w in warnings.sorted():
        click.echo(w.render(loc), err=True)
    unfinished = sum(1 for w in warnings.sorted() if w.code == "scores.draft_unfilled")
    click.echo(summary(project, results, loc, unfinished))


@main.command()
@click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False), help="项目根目录")
@click.option(
    "--out",
    default="_site",
    show_default=True,
    help="输出目录（相对项目根目录）。若是指向其他目录（如网站根目录）的符号链接，则写入链接所指的目录：在其旁边生成后整体替换，链接本身不变",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="按此日期（北京时间）判断公示是否结束、通报是否到发布日期（YYYY-MM-DD，或 today）；不写时：设置了环境变量 SOURCE_DATE_EPOCH（可重现构建）则取它在北京时间的日期，否则取北京时间的今天。所用日期会显示出来并写入 manifest.json",
)
@click.option("--preview", is_flag=True, help="包含草稿（带“草稿 预览”水印），不要用于正式发布")
@click.option("--quiet", is_flag=True, help="不显示进度")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="同时生成页面的进程数（默认：CPU 核数；1 表示只用一个进程）。结果与进程数无关，逐字节相同",
)
@_no_cache
def build(root: str, out: str, as_of: str | None, preview: bool, quiet: bool, jobs: int | None) -> None:
    """生成网站到 _site/（先写入临时目录，全部成功后再替换）。

    \b
    输出目录：
    - 是符号链接时写入它所指的目录，链接保持不变（指向不存在的位置则拒绝）；
    - 只读（权限、chattr +i、只读挂载）或是挂载点时拒绝，原有网站不变；
    - 两个构建同时写入同一位置时依次进行（等待另一个构建写完），结果总是一个完整的网站；
    - 写入失败（如磁盘已满）时原有网站不变，并报告出错的路径。
    发布日期晚于判断日期的通报暂不发布，日期到了再构建即可。
    """
    import gc
    import time

    # what the imports make (modules, classes, functions) lives as long as the process: collected
    # while it is made, it would only be walked again and again (30 ms of a rebuild after an edit)
    gc.disable()
    try:
        from site_builder.site.output import fingerprint

        started = time.perf_counter()
        r = _root(root)
        day = _date(as_of, r)
        # nothing changed since the last build into --out: say so before loading the models
        same, digest = fingerprint.unchanged_report(r, r / out, as_of=day, preview=preview, started=started,
                                                    quiet=quiet)
        if same is not None:
            if not quiet:
                click.echo(same)
            return
        from site_builder.site.build import build_site

        gc.freeze()
    finally:
        gc.enable()
    report = build_site(r, r / out, as_of=day, preview=preview, quiet=quiet, jobs=jobs, inputs=digest)
    if not quiet:
        click.echo(str(report))


@main.command()
@click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False))
@click.option(
    "--out",
    default=None,
    help="预览输出目录（相对项目根目录；默认 .site-builder/serve/，不会提交到 git）。不能是 _site",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--as-of", "as_of", default=None, help="同 build：按此日期（北京时间）判断公示与发布日期")
@click.option("--preview", is_flag=True, help="包含草稿（带“草稿 预览”水印）")
@_no_cache
def serve(root: str, out: str | None, host: str, port: int, as_of: str | None, preview: bool) -> None:
    """本地预览：生成并在浏览器中查看，源文件修改后自动刷新；生成失败时问题显示在页面上。"""
    from site_builder.site.serve import serve as run_serve

    r = _root(root)
    target = r / out if out is not None else None
    run_serve(r, target, host=host, port=port, as_of=_date(as_of, r), preview=preview)


@main.command()
@click.option("--out", default="schema", show_default=True, help="JSON Schema 输出目录")
def schema(out: str) -> None:
    """为编辑器生成 JSON Schema（draft-07）：site、units、scheme、scores。"""
    from site_builder.jsonschema import write_schemas

    for path in write_schemas(Path(out)):
        click.echo(path.as_posix())


@main.command()
@click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="不检查更正记录，直接以当前结果重写指纹（仅用于修复损坏的锁文件）")
def lock(root: str, force: bool) -> None:
    """锁定已发布的结果：每一版存档到 published/ 并记入 published.lock，之后未登记更正的改动会使构建失败。"""
    from site_builder.site.records.lock.update import update_lock

    path = update_lock(_root(root), force=force)
    click.echo(str(path))


def _add_workflow_commands() -> None:
    """The office's workflow commands live in :mod:`site_builder.workflow`."""
    from site_builder.workflow import cli_export, cli_new, cli_publish, cli_sheet

    for command in (
        cli_new.new,
        cli_sheet.sheet,
        cli_sheet.import_cmd,
        cli_publish.publish,
        cli_publish.correct,
        cli_export.export,
    ):
        main.add_command(command)


_add_workflow_commands()


def _register_messages() -> None:
    from site_builder import messages

    messages.register(
        {
            "cli.bad_as_of": (
                "“{value}”不是 YYYY-MM-DD 格式的日期",
                "请写成如 2018-01-15 的日期（北京时间）",
                "“{value}” is not a date in the form YYYY-MM-DD",
                "write a date such as 2018-01-15 (Shanghai time)",
            ),
        }
    )


_register_messages()


def _date(text: str | None, root: Path | None = None) -> dt.date | None:
    """``--as-of``: a date (YYYY-MM-DD), ``today`` (today's date in Shanghai, for
    scheduled deploys), or a moment whose date in Shanghai is meant.

    A moment with an offset (``2017-10-31T16:30:00Z``) is converted to
    Asia/Shanghai (UTC+8); one without an offset is read as Shanghai time.
    """
    from site_builder.site.clock import SHANGHAI

    if text is None:
        return None
    if text.strip().lower() == "today":  # today in Beijing, as without --as-of (but even with SOURCE_DATE_EPOCH)
        from site_builder.site.clock import today

        return today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        from site_builder.errors import Mark
        from site_builder.site.failures import fail

        from site_builder.pipeline import _guess_locale

        shown = "".join(ch if ch.isprintable() else "?" for ch in text)[:40]
        locale = _guess_locale(root) if root is not None else "zh-CN"
        fail("cli.bad_as_of", locale, Mark("--as-of"), value=shown)
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(SHANGHAI).date()


def run() -> None:
    """The command's entry point (``site-builder``, ``python -m site_builder``): :func:`main`, then out of
    the process at once, its output flushed.  A build leaves hundreds of thousands of objects (the
    project, its scored periods, the caches' indexes) that the interpreter would otherwise free one by
    one on its way out: about 0.3 s at 500 units, a tenth of a rebuild after an edit.  Everything a
    command writes is closed before it returns (the build waits for its forked writers and its pool), and
    the project registers no exit hooks; an exit other than a number (a message, an interrupt) takes the
    ordinary way out."""
    import os
    import sys

    try:
        main()  # click's standalone mode: always ends in SystemExit
    except SystemExit as exc:
        code = exc.code
        if code is not None and not isinstance(code, int):
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed or broken pipe: as the ordinary exit would report it
            raise exc from None
        os._exit(code or 0)
