"""``site-builder export`` (placeholder until implemented)."""

import click


@click.command()
def export() -> None:
    """导出到政府网站集约化平台。"""
