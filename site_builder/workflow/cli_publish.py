"""``site-builder publish`` and ``site-builder correct`` (placeholder until implemented)."""

import click


@click.command()
def publish() -> None:
    """发布公示或通报。"""


@click.command()
def correct() -> None:
    """登记更正。"""
