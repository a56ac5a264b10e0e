"""Checks of one period file against the scheme version it names."""

from __future__ import annotations

import os
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from site_builder import messages, periods
from site_builder.checks import unknown_ref
from site_builder.checks.alike import checked, with_shared_records, written_key
from site_builder.checks.ranking_checks import check_places
from site_builder.checks.tree import applies, leaves
from site_builder.errors import Mark, Problems
from site_builder.load.files import read_source
from site_builder.load.markdown_check import check_markdown
from site_builder.load.yamlsafe import Document
from site_builder.model import Period, SchemeVersion
from site_builder.schema.convert import validate
from site_builder.schema.scores import ScoresFile
from site_builder.schema.units import Unit
from site_builder.scoring.facts import Event, Facts
from site_builder.scoring.rules.base import AT_KEY, LineSpec, period_context

messages.register(
    {
        "scores.unknown_ref": (
            "“{ref}”不是{what}{suggestion_zh}",
            "可用：{known}",
            "“{ref}” is not {what_en}{suggestion_en}",
            "known: {known}",
        ),
        "scores.bad_period": ("考核期“{period}”不符合本方案的周期（{kind}）", "请写成如 {example} 的形式", "period “{period}” does not fit the scheme's period kind ({kind})", "write it like {example}"),
        "scores.period_outside": (
            "考核期 {period}（{start} 至 {end}）不在方案有效期（{from_} 至 {until}）内",
            "请核对考核期，或改用适用的方案版本",
            "period {period} ({start} to {end}) is outside the scheme's effective dates ({from_} to {until})",
            "check the period or use the version in force",
        ),
        "scores.duplicate_period": ("考核期 {period} 已有记录文件 {other}", "一个考核期只能有一个文件：请合并或删除其中一个", "period {period} already has a file: {other}", "one file per period: merge or delete one"),
        "scores.unit_missing": (
            "组别“{group}”的单位“{unit}”（{name}）没有本期记录",
            "请补上该单位的记录，或写 status: exempt/absent/not_applicable 并注明 reason",
            "unit “{unit}” ({name}) of group “{group}” has no entry for this period",
            "add its facts, or status: exempt/absent/not_applicable with a reason",
        ),
        "scores.line_missing": (
            "单位“{unit}”缺少指标“{line}”（{name}）的记录",
            "请补上，或写 na 表示不适用（方案允许时）",
            "unit “{unit}” has no record for line “{line}” ({name})",
            "add it, or na if the scheme allows the line to be not applicable",
        ),
        "scores.not_leaf": ("“{line}”有下级指标，记录应写在末级指标上", "请改写到下级指标：{children}", "“{line}” has children: record facts on its leaves", "use the leaves: {children}"),
        "scores.na_forbidden": ("方案没有规定“{name}”不适用时如何计分，不能写 na", "请填写记录，或在方案中为该指标加 not_applicable", "the scheme does not say how to score “{name}” when not applicable", "record facts, or add not_applicable to the indicator"),
        "scores.not_in_scope": ("指标“{name}”不适用于单位“{unit}”", "请删除这条记录", "line “{name}” does not apply to unit “{unit}”", "remove the record"),
        "scores.reason_required": ("状态为 {status} 时必须写明原因 reason", "请加 reason: …（将公布）", "status {status} needs a reason", "add reason: … (it will be published)"),
        "scores.notice_required": ("状态为 {status} 时必须填写通报信息 notice（至少 date）", "请加 notice: {{date: …, number: …}}", "status {status} needs notice (at least its date)", "add notice: {{date: …, number: …}}"),
        "scores.window_required": ("公示必须写明公示期 public_notice（from、until）", "请加 public_notice: {{from: …, until: …}}", "a public notice needs its window public_notice (from, until)", "add public_notice: {{from: …, until: …}}"),
        "scores.coefficient_undeclared": ("方案没有规定单位系数，不能写 coefficient", "删除 coefficient，或在方案中声明 coefficient", "the scheme declares no coefficient", "remove it or declare coefficient in the scheme"),
        "scores.coefficient_range": ("系数 {value} 不在 {min}—{max} 之间", "请核对", "coefficient {value} is outside {min}–{max}", "check it"),
        "scores.facts_on_unassessed": ("状态为 {status} 的单位不应有指标记录", "删除记录，或把状态改为 assessed", "a unit with status {status} must not have facts", "remove the facts or set status: assessed"),
        "scores.unit_retired": ("单位“{unit}”已于 {date} 撤销或合并，不能出现在之后的考核期", "请从本期记录和方案组别中删除该单位", "unit “{unit}” was retired on {date} and cannot appear in later periods", "remove it from this period and from the scheme's groups"),
        "scores.window_order": ("公示截止日期早于开始日期", "请核对 public_notice 的 from 和 until", "the public notice window ends before it starts", "check public_notice from/until"),
        "scores.body_path": ("通报正文“{body}”应是 content/ 下的相对路径，以 .md 结尾", "例如 notices/2017-Q3.md", "notice body “{body}” must be a relative path under content/ ending in .md", "for example notices/2017-Q3.md"),
        "scores.body_missing": ("通报正文文件 content/{body} 不存在", "请创建该文件，或改正 notice.body 的路径（相对 content/）", "notice body content/{body} does not exist", "create it or fix notice.body (relative to content/)"),
        "scores.fact_empty": (
            "单位“{unit}”的“{name}”（{line}）未填写",
            "请填写记录；本项不适用（方案允许时）写 na",
            "“{name}” ({line}) of unit “{unit}” is not filled in",
            "fill it in; write na if the line does not apply (where the scheme allows it)",
        ),
        "scores.fact_empty_optional": (
            "单位“{unit}”的“{name}”（{line}）未填写",
            "请填写；本期没有发生时删除这一行",
            "“{name}” ({line}) of unit “{unit}” is not filled in",
            "fill it in, or delete the line if nothing happened this period",
        ),
        "scores.draft_unfilled": (
            "草稿尚有 {n} 项未填写（第一处 {first}），本期暂不计算、不在预览中显示",
            "填写完整后再运行 site-builder check；发布公示或通报前必须全部填写（不适用的写 na）",
            "the draft has {n} value(s) not filled in yet (first at {first}); it is not computed or previewed yet",
            "fill them in and run site-builder check again; every value must be filled before publishing (na where a line does not apply)",
        ),
        "scores.shorthand": ("“{line}”的规则（{kind}）不能用单个数值简写", "请写成键值形式，如 {{{field}: …}}", "line “{line}” ({kind}) cannot be written as a single value", "write a mapping such as {{{field}: …}}"),
    }
)


def check_body(content_root: Path, body: str, doc: Document, problems: Problems,
               sources: dict[str, bytes] | None = None) -> None:
    """Read the notice body ``content/<body>`` the way the build will, and check its text.

    Missing is reported at ``notice.body``; anything else (a link outside the
    project, not a regular file, too large, not UTF-8, control or invisible
    characters, a link with a scheme that is not allowed) at the body file.
    With ``sources``, the bytes read are stored there under ``content/<body>``.
    """
    path = content_root / body
    if not os.path.lexists(path):
        problems.add("scores.body_missing", doc.mark(("notice", "body")), body=body)
        return
    display = f"content/{Path(body).as_posix()}"
    raw = read_source(path, display, content_root.parent, problems)
    if raw is None:
        return
    if check_markdown(raw, display, problems) is not None and sources is not None:
        sources[display] = raw


def _normalise(raw: Any, rule) -> tuple[Any, bool]:
    """Expand shorthand: ``13.5`` -> ``{points: "13.5"}``, ``na`` -> ``{na: true}``."""
    if isinstance(raw, str):
        if raw.strip() == "na":
            return {"na": "true"}, True
        if rule.primary is None:
            return raw, False
        return {rule.primary: raw}, True
    if isinstance(raw, list) and rule.facts_optional:
        return {"events": raw}, True
    return raw, True


def check_period(
    path: str, doc: Document, scores: ScoresFile, sv: SchemeVersion, units: dict[str, Unit], problems: Problems,
    content_root: Path | None = None, sources: dict[str, bytes] | None = None,
) -> Period | None:
    before = len(problems.errors)
    scheme = sv.scheme
    parsed = periods.parse_period(scores.period, scheme.period)
    if parsed is None:
        problems.add("scores.bad_period", doc.mark(("period",)), period=scores.period, kind=scheme.period.kind, example=periods.example(scheme.period.kind))
        return None
    start, end, name, name_en = parsed
    context = period_context(content_root.parent if content_root is not None else None, start, end, scheme.rounding.mode, problems)
    stage = periods.stage_of(start, end, scheme.period)
    eff = scheme.effective
    if start < eff.start or (eff.until is not None and end > eff.until):
        problems.add("scores.period_outside", doc.mark(("period",)), period=scores.period, start=start, end=end, from_=eff.start, until=eff.until or "—")
    if scores.status in ("public_notice", "published") and scores.notice is None:
        problems.add("scores.notice_required", doc.mark(()), status=scores.status)
    if scores.status == "public_notice" and scores.public_notice is None:
        problems.add("scores.window_required", doc.mark(()))
    if scores.public_notice is not None and scores.public_notice.until < scores.public_notice.start:
        problems.add("scores.window_order", doc.mark(("public_notice",)))
    if scores.notice is not None and scores.notice.body is not None:
        body = scores.notice.body
        if body.startswith("/") or ".." in body.split("/") or not body.endswith(".md"):
            problems.add("scores.body_path", doc.mark(("notice", "body")), body=body)
        elif content_root is not None:
            check_body(content_root, body, doc, problems, sources)
    all_facts: dict[str, dict[str, Facts]] = {}
    # ``key:`` with nothing after it: a value not filled in yet.  A draft may
    # have them (``new period`` lists every value to fill): it is then not
    # computed, and one warning says how many are left; a notice may not.
    unfilled = []
    written: list[tuple[str, str, Facts, Any]] = []  # validated records, for transfers between units
    lines: dict[tuple[str, str], LineSpec] = {}  # (tree, leaf) -> what its rule may know, with the period
    made: dict[Hashable, Facts] = {}  # a record as written -> its facts, shared by every unit that wrote it
    records: dict[Hashable, Event] = {}  # an event, person or award as written -> the one shared
    passed: set[tuple[int, int]] = set()  # (line, facts) checked by the rule without a problem
    for uid, entry in scores.units.items():
        upath = ("units", uid)
        if uid not in sv.unit_group:
            known = sorted(sv.unit_group)
            what = "本方案组别中的单位" if uid in units else "已登记的单位"
            unknown_ref(problems, "scores.unknown_ref", doc.key_marks.get(upath, doc.mark(upath)), uid, known, what, "a unit of this scheme's groups")
            continue
        group = sv.unit_group[uid]
        retired = units[uid].retired if uid in units else None
        if retired is not None and retired.date <= start:
            problems.add("scores.unit_retired", doc.key_marks.get(upath, doc.mark(upath)), unit=uid, date=retired.date)
            continue
        tree = sv.trees[sv.group_tree[group]]
        types = sv.types[tree.id]
        chain = sv.chains[tree.id]
        index = sv.indicators[tree.id]
        if entry.status != "assessed":
            if not entry.reason:
                problems.add("scores.reason_required", doc.mark((*upath, "status")), status=entry.status)
            if entry.facts:
                problems.add("scores.facts_on_unassessed", doc.mark((*upath, "facts")), status=entry.status)
            all_facts[uid] = {}
            continue
        for vi, v in enumerate(entry.vetoes):
            known = [x.id for x in scheme.vetoes]
            if v.id not in known:
                unknown_ref(problems, "scores.unknown_ref", doc.mark((*upath, "vetoes", vi, "id")), v.id, known, "一票否决事项", "a veto clause")
        if entry.coefficient is not None:
            c = scheme.coefficient
            if c is None:
                problems.add("scores.coefficient_undeclared", doc.mark((*upath, "coefficient")))
            elif not c.min <= entry.coefficient <= c.max:
                problems.add("scores.coefficient_range", doc.mark((*upath, "coefficient")), value=entry.coefficient, min=c.min, max=c.max)
        facts: dict[str, Facts] = {}
        for key, raw in entry.facts.items():
            fpath = (*upath, "facts", key)
            if key not in chain:
                if key in index:
                    problems.add("scores.not_leaf", doc.key_marks.get(fpath, doc.mark(fpath)), line=key, children=", ".join(c.id for c in leaves(index[key].children)))
                else:
                    unknown_ref(problems, "scores.unknown_ref", doc.key_marks.get(fpath, doc.mark(fpath)), key, sorted(chain), "本单位指标体系中的末级指标", "a leaf line of this unit's tree")
                continue
            node = chain[key][-1]
            if not applies(chain[key], uid, group, scores.period, stage):
                problems.add("scores.not_in_scope", doc.key_marks.get(fpath, doc.mark(fpath)), name=node.name, unit=uid)
                continue
            rule = node.rule
            assert rule is not None
            if raw is None:
                if scores.status == "draft":
                    unfilled.append(doc.mark(fpath))
                else:
                    code = "scores.fact_empty_optional" if rule.facts_optional else "scores.fact_empty"
                    problems.add(code, doc.mark(fpath), unit=uid, line=key, name=node.name)
                continue
            data, ok = _normalise(raw, rule)
            if not ok:
                problems.add("scores.shorthand", doc.mark(fpath), line=key, kind=rule.kind, field="values")
                continue
            written_as = written_key(data)
            f = made.get(written_as) if written_as is not None else None
            if f is None:
                f = validate(Facts, doc, problems, prefix=fpath, data=data)
                if f is None:
                    continue
                f = with_shared_records(f, data, records)
                if written_as is not None:
                    made[written_as] = f
            if f.na:
                if node.not_applicable == "forbidden":
                    problems.add("scores.na_forbidden", doc.mark(fpath), name=node.name)
                facts[node.id] = f  # the scheme's own text of the id (equal to key): one string for every unit
                continue
            line = lines.get((tree.id, key))
            if line is None:  # the same for every unit: made once per line
                line = lines[(tree.id, key)] = LineSpec(node.id, node.name, types[node.id], node.max, context)

            # a rule checks what it is given (the line, the facts): facts written alike that passed on
            # this line for one unit pass for every unit (``made`` and ``lines`` keep both objects)
            alike = (id(line), id(f))
            if alike not in passed:
                said: list[str] = []

                def report(code: str, sub: tuple = (), _fp=fpath, _said=said, **params: object) -> None:
                    _said.append(code)
                    if sub and sub[-1] == AT_KEY:  # the key itself is wrong: point at it, not at its value
                        where = (*_fp, *sub[:-1])
                        problems.add(code, doc.key_marks.get(where, doc.mark(where)), **params)
                    else:
                        problems.add(code, doc.mark((*_fp, *sub)), **params)

                rule.check_facts(line, f, report)
                if not said:
                    passed.add(alike)
            facts[node.id] = f
            written.append((uid, key, f, raw))
        for leaf_id, ch in chain.items():
            node = ch[-1]
            if leaf_id in facts or leaf_id in entry.facts or not applies(ch, uid, group, scores.period, stage):
                continue
            rule = node.rule
            if rule is None or rule.facts_optional or (rule.group_relative and getattr(rule, "of", None)):
                continue
            problems.add("scores.line_missing", doc.mark((*upath, "facts")) if entry.facts else doc.mark(upath), unit=uid, line=leaf_id, name=node.name)
        all_facts[uid] = facts
    for uid, group in sorted(sv.unit_group.items()):
        retired = units[uid].retired if uid in units else None
        if uid not in scores.units and not (retired is not None and retired.date <= start):
            problems.add("scores.unit_missing", doc.mark(("units",)), unit=uid, name=units[uid].name if uid in units else uid, group=group)
    from site_builder.checks.transfer_checks import check_period_transfers

    check_period_transfers(sv, scores, doc, problems, written, all_facts, stage)
    check_places(scores, scheme, doc, problems)  # honour_places: “N个左右” decided within the tolerance
    for ext, values in scores.external.items():
        for uid in values:
            if uid not in sv.unit_group:
                unknown_ref(problems, "scores.unknown_ref", doc.mark(("external", ext, uid)), uid, sorted(sv.unit_group), "本方案的单位", "a unit of this scheme")
    if len(problems.errors) > before:
        return None
    if unfilled:
        problems.warn("scores.draft_unfilled", Mark(path), n=len(unfilled), first=str(unfilled[0]))
        return None
    return Period(
        scheme=sv.id, version=sv.version, id=scores.period, name=name, name_en=name_en, start=start, end=end,
        stage=stage, path=path, scores=checked(scores), facts=all_facts,
    )
