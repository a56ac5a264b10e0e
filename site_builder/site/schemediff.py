"""What changed between two versions of a scheme's indicator trees.

Indicators are matched by tree and id (ids are stable anchors, names may
change).  Reported per indicator: added, removed, renamed, a changed maximum,
a changed rule (compared by its wording, which is what readers see).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from site_builder.checks.tree import node_types
from site_builder.model import SchemeVersion
from site_builder.schema.scheme import Indicator
from site_builder.scoring.rules.base import fmt
from site_builder.site import i18n
from site_builder.site.wording import rule_text


@dataclass(frozen=True)
class Node:
    name: str
    max: Decimal | None
    rule: str


def _flatten(sv: SchemeVersion, locale: str) -> dict[tuple[str, str], Node]:
    out: dict[tuple[str, str], Node] = {}
    for tid, tree in sorted(sv.trees.items()):
        types = node_types(tree)

        def walk(nodes: list[Indicator], tid: str = tid, types: dict = types) -> None:
            for n in nodes:
                out[(tid, n.id)] = Node(n.name, n.max, rule_text(n, types[n.id], locale))
                walk(n.children)

        walk(tree.indicators)
    return out


def _max(v: Decimal | None, locale: str) -> str:
    return "—" if v is None else i18n.text("points", locale, n=fmt(v))


def changes(old: SchemeVersion, new: SchemeVersion, locale: str) -> list[str]:
    """Sentences describing how ``new`` differs from ``old``, in ``new``'s tree order."""
    a, b = _flatten(old, locale), _flatten(new, locale)
    out = []
    for key, n in b.items():
        o = a.get(key)
        if o is None:
            out.append(i18n.text("diff.added", locale, name=n.name, max=_max(n.max, locale)))
            continue
        if o.name != n.name:
            out.append(i18n.text("diff.renamed", locale, old=o.name, new=n.name))
        if o.max != n.max:
            out.append(
                i18n.text(
                    "diff.max",
                    locale,
                    name=n.name,
                    old=_max(o.max, locale),
                    new=_max(n.max, locale),
                )
            )
        if o.rule != n.rule and n.rule:
            out.append(i18n.text("diff.rule", locale, name=n.name, new=n.rule))
    for key, o in a.items():
        if key not in b:
            out.append(i18n.text("diff.removed", locale, name=o.name))
    return out
