"""Points moved between units: “处罚所在班级……奖给检举有功的班级”.

A record on a counting line that deducts names another unit (``to: a2``); the
scheme says which line of the other unit receives it (``transfer_to``).  The
giving unit is deducted as usual; the receiving unit's line gains the record's
own amount (per × count, before any cap), in the same period, or, when the line
declares ``transfer_points`` (“扣10分，奖励举报班级2分”), that figure × count.  Each side is then
capped as usual: the giving line by its rule and its parents, the receiving
line by its rule's bounds (a bonus line's cap, a score line's maximum) and its
parents.  Both cards say where the points went or came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from site_builder import messages
from site_builder.checks.tree import line_spec
from site_builder.model import SchemeVersion
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.base import ZERO, Outcome, clamp, fmt, step
from site_builder.scoring.rules.tally import TallyRule

messages.register(
    {
        "explain.transfer_out": (
            "{label}：{amount} 分转给{unit}（记入其“{line}”）",
            "",
            "{label}: {amount} points go to {unit} (its “{line}”)",
            "",
        ),
        "explain.transfer_in": (
            "{unit}“{from_line}”转来：{label}，{amount} 分",
            "",
            "from {unit}'s “{from_line}”: {label}, {amount} points",
            "",
        ),
        "explain.transfer_out_plain": (
            "{amount} 分转给{unit}（记入其“{line}”）", "", "{amount} points go to {unit} (its “{line}”)", "",
        ),
        "explain.transfer_in_plain": (
            "{unit}“{from_line}”转来 {amount} 分", "", "from {unit}'s “{from_line}”: {amount} points", "",
        ),
        "explain.transfer_out_other": (
            "{label}：本单位扣 {given} 分，另记 {amount} 分给{unit}（记入其“{line}”）",
            "",
            "{label}: {given} points deducted here; {amount} points go to {unit} (its “{line}”)",
            "",
        ),
        "explain.transfer_out_other_plain": (
            "本单位扣 {given} 分，另记 {amount} 分给{unit}（记入其“{line}”）",
            "",
            "{given} points deducted here; {amount} points go to {unit} (its “{line}”)",
            "",
        ),
        "explain.transfer_in_other": (
            "{unit}“{from_line}”转来：{label}（该单位扣 {given} 分），本单位得 {amount} 分",
            "",
            "from {unit}'s “{from_line}”: {label} ({given} points deducted there), {amount} points here",
            "",
        ),
        "explain.transfer_in_other_plain": (
            "{unit}“{from_line}”转来（该单位扣 {given} 分），本单位得 {amount} 分",
            "",
            "from {unit}'s “{from_line}” ({given} points deducted there): {amount} points here",
            "",
        ),
        "explain.transfer_capped": (
            "连同转入的分数合计 {raw} 分，按本项上限 {points} 分计",
            "",
            "with the points received, {raw} in all: counted as the line's limit of {points}",
            "",
        ),
    }
)


@dataclass(frozen=True)
class Transfer:
    """One record that moves points from one unit's line to another unit's line."""

    giver: str
    line: str  # the giving line
    receiver: str
    to_line: str  # the receiving line, in the receiver's tree
    amount: Decimal  # what the receiver gains: the record's own amount, or transfer_points × count
    label: str | None  # the rate's name or the record's title/note; None for a plain record of a single rate
    given: Decimal | None = None  # the record's own amount when the line declares transfer_points (else None)


def transfers_of(sv: SchemeVersion, facts: Mapping[str, Mapping[str, Facts | None]]) -> list[Transfer]:
    """Every transfer of a period, by giving unit (sorted), line (tree order), record (as written)."""
    out: list[Transfer] = []
    for uid in sorted(facts):
        if uid not in sv.unit_group:
            continue
        tree_id = sv.group_tree[sv.unit_group[uid]]
        for leaf_id, chain in sv.chains[tree_id].items():
            node = chain[-1]
            f = facts[uid].get(leaf_id)
            if node.transfer_to is None or f is None or f.na or not isinstance(node.rule, TallyRule):
                continue
            line = line_spec(node, sv.types[tree_id][leaf_id])
            for _, ev, amount, label, deducts in node.rule.transfer_items(line, f):
                if deducts and ev.to is not None and ev.to != uid:
                    shown = label if label != "—" else None
                    if node.transfer_points is None:
                        out.append(Transfer(uid, leaf_id, ev.to, node.transfer_to, amount, shown))
                    else:  # “扣10分，奖励举报班级2分”: the receiver's own figure per occurrence
                        out.append(Transfer(uid, leaf_id, ev.to, node.transfer_to, node.transfer_points * ev.count, shown, amount))
    return out


def _without_closing_note(label: str) -> str:
    """“向卫生区丢弃杂物” from “向卫生区丢弃杂物（课间丢纸屑，初一（1）班检举）”: the closing parenthetical
    (brackets inside it matched) taken off, unless nothing would be left."""
    depth = 0
    for i in range(len(label) - 1, -1, -1):
        depth += {"）": 1, "（": -1}.get(label[i], 0)
        if depth == 0:
            return label[:i] or label
    return label


def apply_transfers(sv: SchemeVersion, moved: list[Transfer], outcomes: Mapping[str, dict[str, Outcome | None]],
                    unit_names: Mapping[str, str]) -> None:
    """Note each transfer on the giving line and add it to the receiving line (``outcomes`` edited in place:
    unit -> leaf id -> outcome); a receiving line that is not scored (check refuses that) is left alone."""
    def line_name(uid: str, leaf: str) -> str:
        return sv.chains[sv.group_tree[sv.unit_group[uid]]][leaf][-1].name

    received: dict[tuple[str, str], list[Transfer]] = {}
    for t in moved:
        o = outcomes.get(t.giver, {}).get(t.line)
        if o is not None:
            said = {"amount": fmt(t.amount), "unit": unit_names.get(t.receiver, t.receiver), "line": line_name(t.receiver, t.to_line)}
            code = "explain.transfer_out" if t.given is None else "explain.transfer_out_other"
            if t.given is not None:
                said["given"] = fmt(t.given)
            label = t.label
            if label and label.endswith("）") and "（" in label and any(label in x.render("zh-CN") for x in o.steps):
                label = _without_closing_note(label)  # the record's note is said above: name the rate only
            note = step(code, label=label, **said) if label else step(code + "_plain", **said)
            outcomes[t.giver][t.line] = replace(o, steps=(*o.steps, note))
        received.setdefault((t.receiver, t.to_line), []).append(t)
    for (uid, leaf), items in sorted(received.items()):
        o = outcomes.get(uid, {}).get(leaf)
        if o is None:
            continue
        tree_id = sv.group_tree[sv.unit_group[uid]]
        node = sv.chains[tree_id][leaf][-1]
        assert node.rule is not None
        steps = [*o.steps]
        total = ZERO
        for t in items:
            total += t.amount
            said = {"unit": unit_names.get(t.giver, t.giver), "from_line": line_name(t.giver, t.line), "amount": fmt(t.amount)}
            code = "explain.transfer_in" if t.given is None else "explain.transfer_in_other"
            if t.given is not None:
                said["given"] = fmt(t.given)
            steps.append(step(code, label=t.label, **said) if t.label else step(code + "_plain", **said))
        points, clip = clamp(o.points + total, node.rule.bounds(line_spec(node, sv.types[tree_id][leaf])))
        if clip is not None:
            steps.append(step("explain.transfer_capped", raw=fmt(o.points + total), points=fmt(points)))
        outcomes[uid][leaf] = Outcome(points, o.raw + total, o.clip or ("cap" if clip else None), tuple(steps), o.occurrences)
