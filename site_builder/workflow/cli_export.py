"""``site-builder export SCHEME PERIOD``: a notice as a folder for a government portal's CMS."""

from __future__ import annotations

import click


@click.command()
@click.argument("scheme")
@click.argument("period")
@click.option("--out", default=None, help="导出目录（默认 _export/<方案>/<考核期>/，相对项目根目录）；整个目录会被替换")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="同 build：按此日期（北京时间）判断公示是否期满、通报是否到发布日期（YYYY-MM-DD 或 today）",
)
@click.option("--preview", is_flag=True, help="允许导出草稿（带“草稿 预览”字样，不得上传）")
@click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False), help="项目根目录")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default=None, help="消息语言（默认取 site.yaml 的 locale）")
def export(scheme: str, period: str, out: str | None, as_of: str | None, preview: bool, root: str,
           lang: str | None) -> None:
    """导出一份通报到政府网站集约化平台：HTML 片段（index.html）、打印版（print.html）和附件表格。

    \b
    先像 build 一样检查全部源文件和已发布的锁定记录；草稿或未到发布日期的通报不导出（--preview 除外）。
    导出目录整体写入后替换，出错时不写任何文件。
    """
    from pathlib import Path

    from site_builder.cli import _date
    from site_builder.workflow.export import export_notice

    r = Path(root).resolve()
    report = export_notice(
        r,
        scheme,
        period,
        out=Path(out) if out else None,
        as_of=_date(as_of, r),
        preview=preview,
        locale=lang,
    )
    click.echo(str(report))
