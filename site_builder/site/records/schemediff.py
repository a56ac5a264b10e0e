"""What changed between two versions of a scheme's indicator trees.

Indicators are matched by tree and id (ids are stable anchors, names may
change).  Reported per indicator: added, removed, renamed, a changed maximum,
a changed kind of line (score, bonus, deduction), a changed rule (compared by
its wording, which is what readers see) and a changed clause.  Groups,
vetoes, rankings and honours are matched by id: added, removed or changed.
These are everything a version written as changes (``extends:``) can change
by id, so its page lists what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from site_builder.checks.tree import node_types
from site_builder.model import SchemeVersion
from site_builder.schema.scheme import Indicator
from site_builder.scoring.rules.base import fmt
from site_builder.site.present import i18n
from site_builder.site.present.wording import rule_text


@dataclass(frozen=True)
class Node:
    name: str
    max: Decimal | None
    rule: str
    type: str = "score"
    clause: str | None = None


def _flatten(sv: SchemeVersion, locale: str) -> dict[tuple[str, str], Node]:
    out: dict[tuple[str, str], Node] = {}
    for tid, tree in sorted(sv.trees.items()):
        types = node_types(tree)

        def walk(nodes: list[Indicator], tid: str = tid, types: dict = types) -> None:
            for n in nodes:
                out[(tid, n.id)] = Node(n.name, n.max, rule_text(n, types[n.id], locale), types[n.id], n.clause)
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
        if o.type != n.type:
            out.append(i18n.text("diff.type", locale, name=n.name, old=i18n.text(f"diff.what.type.{o.type}", locale),
                                 new=i18n.text(f"diff.what.type.{n.type}", locale)))
        if o.rule != n.rule and n.rule:
            out.append(i18n.text("diff.rule", locale, name=n.name, new=n.rule))
        if o.clause != n.clause and n.clause:
            out.append(i18n.text("diff.clause", locale, name=n.name, new=n.clause))
    for key, o in a.items():
        if key not in b:
            out.append(i18n.text("diff.removed", locale, name=o.name))
    for what, key in (("group", "groups"), ("veto", "vetoes"), ("ranking", "rankings"), ("honour", "honours")):
        out.extend(_items(what, getattr(old.scheme, key), getattr(new.scheme, key), locale))
    return out


def _items(what: str, old: list, new: list, locale: str) -> list[str]:
    """Items matched by id: added, changed (any key), removed."""
    label = i18n.text(f"diff.what.{what}", locale)
    before = {x.id: x for x in old}
    after = {x.id: x for x in new}
    out = []
    for ident, x in after.items():
        if ident not in before:
            out.append(i18n.text("diff.item_added", locale, what=label, name=x.name))
        elif before[ident] != x:
            out.append(i18n.text("diff.item_changed", locale, what=label, name=x.name))
    out.extend(i18n.text("diff.item_removed", locale, what=label, name=x.name) for i, x in before.items() if i not in after)
    return out
