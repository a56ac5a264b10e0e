"""``site-builder new``: start a site or a period (placeholder until implemented)."""

import click


@click.group()
def new() -> None:
    """新建网站或考核期。"""
