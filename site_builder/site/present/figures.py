"""Figures as published: the exact text of a point, total or running total in every download.

A download repeats what the notice publishes, never a float: a total with the
scheme's rounding places (``96.40``, ``85.00``, ``40.0`` with one place), a line
with its own places when it is rounded (``rounding.at: line`` or the line's
``rounding:``), else exactly as computed with no trailing zeros (``19``, ``33.7``)
as the page shows it.  No digit is ever dropped: a value with more decimals than
its places (a sum of lines kept exact) keeps them.
"""

from __future__ import annotations

from decimal import Decimal

from site_builder.schema.scheme import Indicator, Rounding
from site_builder.scoring.engine import line_rounding


def line_places(node: Indicator, rounding: Rounding) -> int | None:
    """The places a line is published with: a leaf's own rounding, a subtotal's when every line is
    rounded (``at: line``); None when the line is kept exact."""
    if node.children:
        return rounding.places if rounding.at == "line" else None
    r = line_rounding(node, rounding)
    return r.places if r is not None else None


def figure(value: Decimal | None, places: int | None = None) -> str | None:
    """The published text of ``value``: at least ``places`` decimals (padded with zeros), more only
    when the value has more significant ones; with ``places`` None, trailing zeros dropped.

    >>> figure(Decimal("85"), 2), figure(Decimal("19.0")), figure(Decimal("110.500"), 1)
    ('85.00', '19', '110.5')
    """
    if value is None:
        return None
    if not value.is_finite():
        raise ValueError(f"not a published figure: {value!r}")
    want = places or 0
    text = format(value, "f")
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
    else:
        whole, frac = text, ""
    frac = frac.ljust(want, "0")
    if whole in ("-0", "") and not frac.strip("0"):
        whole = "0"
    return f"{whole}.{frac}" if frac else whole


def decimals(text: str) -> int:
    """How many decimals a published figure has (for the spreadsheet's number format)."""
    return len(text.partition(".")[2])


def number_format(text: str) -> str:
    """The spreadsheet number format that shows ``text`` as written: ``0``, ``0.0``, ``0.00``…"""
    n = decimals(text)
    return "0." + "0" * n if n else "0"
