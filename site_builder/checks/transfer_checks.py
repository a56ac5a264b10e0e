"""Checks of points moved between units (``transfer_to`` / ``to:``) and of balances
carried across periods (``balance_span``).

Scheme: a giving line is a counting line that deducts (score or deduction); the
line it names is a counting leaf that gains (score or bonus) in some tree of the
scheme; a balance is a score line with a maximum over a span longer than the period.
Period file: a record names another assessed unit of the scheme whose tree has the
receiving line, in scope and applicable, and its rate deducts.
"""

from __future__ import annotations

from collections.abc import Mapping

from site_builder import messages
from site_builder.checks import unknown_ref
from site_builder.checks.tree import applies, line_spec, node_types
from site_builder.errors import Problems
from site_builder.load.yamlsafe import Document
from site_builder.model import SchemeVersion
from site_builder.schema.scheme import Indicator, Scheme, Tree
from site_builder.schema.scores import ScoresFile
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.tally import TallyRule

messages.register(
    {
        "scheme.transfer_giver": (
            "“{name}”写了 transfer_to，但它不是按次扣分的末级指标（{what}）",
            "transfer_to 只用于按次计分（per_occurrence、per_person、recognition）的计分项或扣分项",
            "“{name}” has transfer_to but is not a leaf that deducts per occurrence ({what_en})",
            "transfer_to belongs on a score or deduction line with a counting rule (per_occurrence, per_person, recognition)",
        ),
        "scheme.transfer_receiver": (
            "“{name}”的 transfer_to 指向“{ref}”，它不是按次计分的计分项或加分项末级指标",
            "接收转入分数的指标须是另一个只加分的计分项或加分项，规则为 per_occurrence 等按次计分的规则（没有本单位记录时可不填）",
            "transfer_to of “{name}” names “{ref}”, which is not a score or bonus leaf with a counting rule",
            "the receiving line must be another score or bonus leaf that only adds, with a counting rule such as per_occurrence",
        ),
        "scheme.transfer_points_alone": (
            "“{name}”写了 transfer_points，但没有 transfer_to（转给对方单位的哪一项）",
            "请加 transfer_to: 接收的指标，或删除 transfer_points",
            "“{name}” has transfer_points but no transfer_to (the line of the other unit that receives them)",
            "add transfer_to: <receiving line>, or remove transfer_points",
        ),
        "scheme.transfer_points_zero": (
            "“{name}”的 transfer_points 为 0，对方单位什么也得不到",
            "请写对方每次得到的分值（大于 0），或删除 transfer_to 与 transfer_points",
            "transfer_points of “{name}” is 0: the other unit would receive nothing",
            "give the points the other unit receives per occurrence (above 0), or remove transfer_to and transfer_points",
        ),
        "scheme.balance_not_score": (
            "“{name}”是{type_zh}，不能写 balance_span（跨期余额）",
            "余额只用于有满分的计分项：删除 balance_span，或把本项改为计分项",
            "“{name}” is a {type} line: balance_span is for score lines only",
            "remove balance_span, or make the line a score line",
        ),
        "scheme.balance_needs_max": (
            "“{name}”写了 balance_span，但没有分值 max（余额的起始分值）",
            "请写 max，如“纪律方面（200分/月）”写 max: 200",
            "“{name}” has balance_span but no max (the budget the balance starts from)",
            "add max, e.g. max: 200 for “200 points a month”",
        ),
        "scheme.balance_with_cap_span": (
            "“{name}”同时写了 balance_span 和 cap_span",
            "余额已把范围内的扣分累计在一起：删除 cap_span",
            "“{name}” has both balance_span and cap_span",
            "a balance already accumulates the span's deductions: remove cap_span",
        ),
        "scheme.balance_span_short": (
            "“{name}”的余额范围 {span} 不长于考核周期 {kind}，等于每期从满分起算",
            "请删除 balance_span，或改用更长的范围：{longer}",
            "the balance span {span} of “{name}” is not longer than the period ({kind}): each period starts afresh",
            "remove balance_span or use a longer span: {longer}",
        ),
        "scores.transfer_undeclared": (
            "“{name}”没有规定转给其他单位（方案中本项没有 transfer_to），不能写 to",
            "删除 to，或在方案中为本项写 transfer_to: 接收的指标",
            "“{name}” does not move points to other units (no transfer_to in the scheme): to is not allowed",
            "remove to, or add transfer_to: <receiving line> to the line in the scheme",
        ),
        "scores.transfer_self": (
            "转给的单位“{unit}”就是本单位",
            "分数只能转给其他单位：请改正 to",
            "the unit “{unit}” to transfer to is this unit itself",
            "points move to another unit: fix to",
        ),
        "scores.transfer_no_line": (
            "单位“{unit}”的指标体系中没有适用于它的“{line}”，转来的分数无处记入",
            "请改正 to，或在方案中让该单位的指标体系有这一项",
            "unit “{unit}” has no applicable line “{line}” in its tree to receive the points",
            "fix to, or give that unit's tree the line",
        ),
        "scores.transfer_not_assessed": (
            "单位“{unit}”本期状态为 {status}，不能接收转来的分数",
            "请改正 to，或改正该单位的状态",
            "unit “{unit}” is {status} this period and cannot receive points",
            "fix to, or the unit's status",
        ),
        "scores.transfer_receiver_na": (
            "单位“{unit}”的“{line}”本期记为不适用，不能接收转来的分数",
            "请改正 to，或删除该单位这一项的 na",
            "line “{line}” of unit “{unit}” is not applicable this period and cannot receive points",
            "fix to, or remove that unit's na",
        ),
        "scores.transfer_adds": (
            "“{rate}”是加分标准，加分不能转给其他单位",
            "只有扣分可以转给其他单位：删除 to",
            "“{rate}” adds points: only deductions move to another unit",
            "remove to",
        ),
    }
)

_TYPE_ZH = {"score": "计分项", "bonus": "加分项", "deduction": "扣分项", "adjustment": "调整项"}
_MONTHS = {"week": 0, "month": 1, "quarter": 3, "half-year": 6, "year": 12}


def check_scheme_transfers(scheme: Scheme, trees: Mapping[str, Tree], prefixes: Mapping[str, tuple], doc: Document,
                           problems: Problems) -> None:
    """``transfer_to`` names a receiving leaf of some tree; ``balance_span`` sits on a score line with a max."""
    kinds: dict[str, tuple[Indicator, str]] = {}  # leaf id -> (leaf, type), first tree that has it
    for tree in trees.values():
        types = node_types(tree)

        def collect(nodes: list[Indicator]) -> None:
            for n in nodes:
                if n.children:
                    collect(n.children)
                else:
                    kinds.setdefault(n.id, (n, types[n.id]))

        collect(tree.indicators)
    kind = scheme.period.kind
    short = {"stage"} if kind == "stage" else {s for s in ("month", "quarter", "year") if _MONTHS[s] <= _MONTHS[kind]}
    longer = [s for s in ("month", "quarter", "stage", "year") if s not in short and (s != "stage" or scheme.period.stages)]

    def walk(nodes: list[Indicator], path: tuple, types: dict[str, str]) -> None:
        for i, n in enumerate(nodes):
            p = (*path, i)
            t = types[n.id]

            def at(key: str, _p=p):
                return doc.key_marks.get((*_p, key), doc.mark((*_p, key)))

            if n.transfer_to is not None:
                if n.children or not isinstance(n.rule, TallyRule) or t not in ("score", "deduction"):
                    what = "有下级指标" if n.children else (_TYPE_ZH[t] if t not in ("score", "deduction") else "规则不是按次计分")
                    what_en = "it has children" if n.children else (f"a {t} line" if t not in ("score", "deduction") else "the rule does not count occurrences")
                    problems.add("scheme.transfer_giver", at("transfer_to"), name=n.name, what=what, what_en=what_en)
                elif n.transfer_to not in kinds:
                    unknown_ref(problems, "scheme.unknown_ref", doc.mark((*p, "transfer_to")), n.transfer_to, sorted(kinds),
                                "末级指标", "a leaf line")
                else:
                    target, tt = kinds[n.transfer_to]
                    rule = target.rule
                    if (target.id == n.id or not isinstance(rule, TallyRule) or tt not in ("score", "bonus")
                            or any(rule.effect_of(r, line_spec(target, tt)) == "deduct" for r in rule.rate_list())):
                        problems.add("scheme.transfer_receiver", doc.mark((*p, "transfer_to")), name=n.name, ref=n.transfer_to)
            if n.transfer_points is not None:
                if n.transfer_to is None:
                    problems.add("scheme.transfer_points_alone", at("transfer_points"), name=n.name)
                elif n.transfer_points == 0:
                    problems.add("scheme.transfer_points_zero", doc.mark((*p, "transfer_points")), name=n.name)
            if n.balance_span is not None:
                if t != "score":
                    problems.add("scheme.balance_not_score", at("balance_span"), name=n.name, type=t, type_zh=_TYPE_ZH[t])
                elif n.max is None:
                    problems.add("scheme.balance_needs_max", at("balance_span"), name=n.name)
                elif n.cap_span != "period":
                    problems.add("scheme.balance_with_cap_span", at("balance_span"), name=n.name)
                elif n.balance_span in short or (n.balance_span == "stage" and not scheme.period.stages):
                    problems.add("scheme.balance_span_short", doc.mark((*p, "balance_span")), name=n.name,
                                 span=n.balance_span, kind=kind, longer=", ".join(longer) or "period")
            walk(n.children, (*p, "children"), types)

    for tid, tree in trees.items():
        walk(tree.indicators, (*prefixes[tid], "indicators"), node_types(tree))


def check_period_transfers(sv: SchemeVersion, scores: ScoresFile, doc: Document, problems: Problems,
                           written: list[tuple[str, str, Facts, object]], all_facts: Mapping[str, Mapping[str, Facts]],
                           stage: str | None) -> None:
    """Every ``to:`` of the period file: declared, another unit, one that can receive.

    ``written``: (unit, line, facts, the YAML as written) of every validated record.  Units that wrote
    the same record share one :class:`Facts` (``check_period``), so whether a record carries any ``to:``
    is looked at once per distinct record, and a record without one costs nothing more."""
    carries: dict[int, bool] = {}  # id(facts) -> any of its events, people or awards has to:
    for uid, key, f, raw in written:
        moves = carries.get(id(f))
        if moves is None:
            moves = carries[id(f)] = any(ev.to is not None for field in (f.events, f.people, f.awards) for ev in field)
        if not moves:
            continue
        tree_id = sv.group_tree[sv.unit_group[uid]]
        node = sv.chains[tree_id][key][-1]
        fpath = ("units", uid, "facts", key)
        listed = isinstance(raw, list)  # the shorthand: a list of records stands for events
        rule = node.rule
        line = line_spec(node, sv.types[tree_id][node.id])
        rates = {r.id: r for r in rule.rate_list()} if isinstance(rule, TallyRule) else {}
        single = next(iter(rates.values())) if len(rates) == 1 else None
        for field in ("events", "people", "awards"):
            for i, ev in enumerate(getattr(f, field)):
                if ev.to is None:
                    continue
                mark = doc.mark((*fpath, i, "to") if listed else (*fpath, field, i, "to"))
                if node.transfer_to is None or not isinstance(rule, TallyRule):
                    problems.add("scores.transfer_undeclared", mark, name=node.name)
                    continue
                if ev.to == uid:
                    problems.add("scores.transfer_self", mark, unit=uid)
                    continue
                if ev.to not in sv.unit_group:
                    unknown_ref(problems, "scores.unknown_ref", mark, ev.to, sorted(sv.unit_group), "本方案的单位", "a unit of this scheme")
                    continue
                rate = rates.get(ev.key) if ev.key else single
                if rate is not None and rule.effect_of(rate, line) != "deduct":
                    problems.add("scores.transfer_adds", mark, rate=rate.name)
                    continue
                group = sv.unit_group[ev.to]
                chain = sv.chains[sv.group_tree[group]].get(node.transfer_to)
                if chain is None or not applies(chain, ev.to, group, scores.period, stage):
                    problems.add("scores.transfer_no_line", mark, unit=ev.to, line=node.transfer_to)
                    continue
                entry = scores.units.get(ev.to)
                if entry is not None and entry.status != "assessed":
                    problems.add("scores.transfer_not_assessed", mark, unit=ev.to, status=entry.status)
                    continue
                got = all_facts.get(ev.to, {}).get(node.transfer_to)
                if got is not None and got.na:
                    problems.add("scores.transfer_receiver_na", mark, unit=ev.to, line=chain[-1].name)
