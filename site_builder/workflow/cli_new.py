"""``site-builder new site`` and ``site-builder new period`` (library: :mod:`site_builder.workflow.scaffold`)."""

from __future__ import annotations

import click


@click.group()
def new() -> None:
    """新建网站或考核期。"""


@new.command("site")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--title", default=None, help="网站标题（不填则写“【请填写网站标题】”，之后在 site.yaml 中修改）")
@click.option("--organisation", default=None, help="发布机关全称（不填则之后在 site.yaml 中修改）")
@click.option("--year", type=int, default=None, help="示例方案和考核期的年度（默认：北京时间的今年）")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True, help="提示语言")
def site(directory: str, title: str | None, organisation: str | None, year: int | None, lang: str) -> None:
    """在新的（或空的）文件夹 DIRECTORY 中创建网站项目：网站设置、单位名册、示例方案、示例考核期、自动发布设置。"""
    from pathlib import Path

    from site_builder.workflow.scaffold import new_site

    click.echo(str(new_site(Path(directory), title=title, organisation=organisation, year=year, locale=lang)))


@new.command("period")
@click.argument("scheme")
@click.argument("period")
@click.option("--version", "version", default=None, help="方案版本（默认：考核期所在有效期的版本）")
@click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False), help="项目根目录")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default=None, help="提示语言（默认取 site.yaml 的 locale）")
def period(scheme: str, period: str, version: str | None, root: str, lang: str | None) -> None:
    """开始一个考核期：写出 scores/SCHEME/PERIOD.yaml（草稿），列出每个单位每一项待填写的记录。"""
    from pathlib import Path

    from site_builder.workflow.scaffold import new_period

    click.echo(str(new_period(Path(root), scheme, period, version=version, locale=lang)))
