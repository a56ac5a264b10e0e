"""Walking the indicator tree: effective node types, leaf chains, applicability.

Shared by the scheme and period checks, the engine and the site.
"""

from __future__ import annotations

from site_builder.schema.scheme import Indicator, Tree
from site_builder.scoring.rules.base import LineSpec


def line_spec(node: Indicator, node_type: str) -> LineSpec:
    return LineSpec(node.id, node.name, node_type, node.max)


def node_types(tree: Tree) -> dict[str, str]:
    """Effective type of every node (inherited from the parent, default score)."""
    out: dict[str, str] = {}

    def walk(nodes: list[Indicator], parent: str) -> None:
        for n in nodes:
            t = n.type or parent
            out[n.id] = t
            walk(n.children, t)

    walk(tree.indicators, "score")
    return out


def leaves(nodes: list[Indicator]) -> list[Indicator]:
    out: list[Indicator] = []
    for n in nodes:
        out.extend(leaves(n.children) if n.children else [n])
    return out


def applies(node_chain: list[Indicator], unit: str, group: str, period: str | None = None, stage: str | None = None) -> bool:
    """Is the line scored for this unit (applies_to) in this period (applies_in)?"""
    for n in node_chain:
        if n.applies_to and unit not in n.applies_to and group not in n.applies_to:
            return False
        if n.applies_in and period is not None and period not in n.applies_in and (stage is None or stage not in n.applies_in):
            return False
    return True


def chains(nodes: list[Indicator], above: tuple[Indicator, ...] = ()) -> dict[str, list[Indicator]]:
    """Leaf id -> the chain of nodes from the top down to the leaf."""
    out: dict[str, list[Indicator]] = {}
    for n in nodes:
        if n.children:
            out.update(chains(n.children, (*above, n)))
        else:
            out[n.id] = [*above, n]
    return out
