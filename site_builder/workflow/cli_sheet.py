"""``site-builder sheet`` and ``site-builder import``: the spreadsheet round trip."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("scheme")
@click.argument("period")
@click.option("--out", default=None, help="输出的 .xlsx 文件（默认：<方案>-<考核期>-评分表.xlsx，在项目根目录）")
@click.option("--layout", type=click.Choice(["rows", "cards"]), default="rows", show_default=True,
              help="rows 每个单位一行；cards 另加每个单位一张考核表")
@click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False), help="项目根目录")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default=None, help="消息语言（默认取 site.yaml 的 locale）")
def sheet(scheme: str, period: str, out: str | None, layout: str, root: str, lang: str | None) -> None:
    """生成评分表（Excel）：每个单位一行、每项一列，已有记录的预先填好。"""
    from site_builder.workflow.sheet import write_sheet

    r = Path(root).resolve()
    report = write_sheet(r, scheme, period, Path(out) if out else None, layout=layout, locale=lang)
    click.echo(report.render(lang or _locale(r)))


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--scheme", default=None, help="方案标识（CSV 等没有 _meta 的文件需要）")
@click.option("--period", default=None, help="考核期（CSV 等没有 _meta 的文件需要）")
@click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False), help="项目根目录")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default=None, help="消息语言（默认取 site.yaml 的 locale）")
def import_cmd(file: str, scheme: str | None, period: str | None, root: str, lang: str | None) -> None:
    """导入评分表（.xlsx 或 CSV）：检查全部内容，无误后写入考核期文件。"""
    from site_builder.workflow.importer import import_file

    r = Path(root).resolve()
    report = import_file(r, Path(file), scheme=scheme, period=period, locale=lang)
    click.echo(report.render(lang or _locale(r)))


def _locale(root: Path) -> str:
    from site_builder.pipeline import _guess_locale

    return _guess_locale(root)
