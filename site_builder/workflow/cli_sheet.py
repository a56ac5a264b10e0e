"""``site-builder sheet`` and ``site-builder import`` (placeholder until implemented)."""

import click


@click.command()
def sheet() -> None:
    """生成评分表（Excel）。"""


@click.command("import")
def import_cmd() -> None:
    """导入评分表。"""
