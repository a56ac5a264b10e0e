"""Scheme versions that extend an earlier one (``extends: "2018"``).

A new year's scheme usually changes a few lines of last year's.  Instead of a
copy of the whole file, the new version names the version it extends and
writes only what differs:

- any top-level key written (``title``, ``effective``, ``rankings`` …)
  replaces the earlier version's value as a whole;
- ``remove:`` deletes items by id (an indicator with everything under it);
- ``change:`` finds an item by id and replaces the keys written under ``set``
  (an empty value deletes the key, so it takes its default again);
- ``add:`` inserts new items, under a parent indicator and/or ``before`` /
  ``after`` a sibling, else at the end.

They are applied in that order (removals, then changes, then additions in the
order written), so the order of removals and changes in the file never
matters, and an addition may sit next to one added above it.  ``changes``
(the notes about the previous version) is never inherited.

The result is an ordinary scheme document: every value keeps the position it
was written at, in the extending file or in the file it came from, so the
usual validation reports each problem where it has to be fixed.  A chain
(2020 extends 2019 extends 2018) is followed; a cycle is refused, and so is
extending a version that does not exist in the same scheme's folder.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from site_builder import messages
from site_builder.checks import unknown_ref
from site_builder.errors import Mark, Problems
from site_builder.load.yamlsafe import Document, PlainStr
from site_builder.schema.convert import validate
from site_builder.schema.scheme import EXTENDS_TARGETS, SchemeAddition, SchemeChange, SchemeRemoval
from site_builder.schema.types import Id, Strict

messages.register(
    {
        "extends.one_target": (
            "每一项修改、删除或新增须写且只写一个对象（indicator、group、veto 等），此处写了：{given}",
            "请拆成多项，每项只写一个，如 - indicator: 标识",
            "each change, removal or addition names exactly one item (indicator, group, veto …); this one names: {given}",
            "split it into several entries, one item each, e.g. - indicator: <id>",
        ),
        "extends.unknown_version": (
            "找不到要沿用的版本“{version}”（schemes/{scheme}/{version}.yaml）{suggestion_zh}",
            "extends 只能写同一方案的另一个版本；已有版本：{known}",
            "the version to extend, “{version}”, does not exist (schemes/{scheme}/{version}.yaml){suggestion_en}",
            "extends names another version of the same scheme; known versions: {known}",
        ),
        "extends.cycle": (
            "版本之间循环沿用：{cycle}",
            "最早的版本必须写成完整的方案，不能再写 extends",
            "the versions extend each other in a cycle: {cycle}",
            "the earliest version must be a complete scheme without extends",
        ),
        "extends.ops_without_extends": (
            "“{key}”只能用于沿用旧版本的文件",
            "请加 extends: 旧版本标识，或把内容直接写进方案",
            "“{key}” is only for a file that extends an earlier version",
            "add extends: <version> or write the content into the scheme directly",
        ),
        "extends.effective_required": (
            "沿用旧版本的文件必须写明本版本的有效期 effective",
            "请加 effective: {{from: 开始日期}}",
            "a version that extends another must state its own effective window",
            "add effective: {{from: <date>}}",
        ),
        "extends.not_found": (
            "找不到{what}“{ref}”{suggestion_zh}",
            "可用：{known}",
            "there is no {what_en} “{ref}”{suggestion_en}",
            "known: {known}",
        ),
        "extends.removed_here": (
            "{what}“{ref}”已在本文件第 {line} 行删除",
            "删除的项不能再修改或作为位置；请删去其中一处",
            "{what_en} “{ref}” is removed on line {line} of this file",
            "a removed item cannot be changed or used as a position; drop one of the two",
        ),
        "extends.ambiguous": (
            "指标“{ref}”在多个指标体系中都有（{trees}）",
            "请加 in_tree: 指标体系标识",
            "indicator “{ref}” is in several trees ({trees})",
            "add in_tree: <tree id>",
        ),
        "extends.twice": (
            "{what}“{ref}”在本文件第 {line} 行已{action_zh}",
            "同一项只能{action_zh}一次：请合并为一项",
            "{what_en} “{ref}” is already {action_en} on line {line} of this file",
            "change or remove an item once: merge the entries",
        ),
        "extends.set_id": (
            "change 不能修改标识 id",
            "要改标识，请用 remove 删除旧的一项，再用 add 新增",
            "change cannot alter an id",
            "to change an id, remove the item and add the new one",
        ),
        "extends.position_both": (
            "before 和 after 只能写一个",
            "请删去其中一个",
            "write either before or after, not both",
            "remove one of them",
        ),
        "extends.position_indicator": (
            "{key} 只能用于新增指标",
            "组别、排名等新增项用 before 或 after 指定位置",
            "{key} is for added indicators only",
            "place groups, rankings etc. with before or after",
        ),
        "extends.not_sibling": (
            "“{ref}”不在“{parent}”之下，不能作为新增项的位置",
            "before、after 须写同一层级的指标标识",
            "“{ref}” is not under “{parent}” and cannot place the added item",
            "before and after name an indicator on the same level",
        ),
        "extends.tree_required": (
            "方案有多个指标体系，新增的一级指标须写明所在体系",
            "请加 in_tree: 指标体系标识（{known}）",
            "the scheme has several trees: say which one the new top-level indicator belongs to",
            "add in_tree: <tree id> ({known})",
        ),
    }
)

OPS = ("change", "remove", "add")

# target kind -> (top-level list key, Chinese, English)
_KINDS = {
    "indicator": ("indicators", "指标", "indicator"),
    "tree": ("trees", "指标体系", "tree"),
    "group": ("groups", "组别", "group"),
    "veto": ("vetoes", "一票否决事项", "veto"),
    "ranking": ("rankings", "排名", "ranking"),
    "honour": ("honours", "荣誉", "honour"),
    "composite": ("composites", "综合排名", "composite"),
    "conversion": ("conversions", "折算", "conversion"),
}
assert set(_KINDS) == set(EXTENDS_TARGETS)


class _Extension(Strict):
    """The keys of an extending file that are not scheme content."""

    extends: Id
    change: list[SchemeChange] = []
    remove: list[SchemeRemoval] = []
    add: list[SchemeAddition] = []


# ---------------------------------------------------------------- positioned values


@dataclass
class _Node:
    """A value with the place it was written at (its own and its key's)."""

    value: object  # dict[str, _Node] | list[_Node] | scalar
    mark: Mark | None
    key_mark: Mark | None = None


def _wrap(doc: Document, value: object, path: tuple) -> _Node:
    if isinstance(value, dict):
        inner: object = {k: _wrap(doc, v, (*path, k)) for k, v in value.items()}
    elif isinstance(value, list):
        inner = [_wrap(doc, v, (*path, i)) for i, v in enumerate(value)]
    else:
        inner = value
    return _Node(inner, doc.marks.get(path), doc.key_marks.get(path))


def _unwrap(node: _Node, path: tuple, marks: dict, key_marks: dict) -> object:
    if node.mark is not None:
        marks[path] = node.mark
    if node.key_mark is not None:
        key_marks[path] = node.key_mark
    if isinstance(node.value, dict):
        return {k: _unwrap(v, (*path, k), marks, key_marks) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [_unwrap(v, (*path, i), marks, key_marks) for i, v in enumerate(node.value)]
    return node.value


def _id(node: _Node) -> str | None:
    if isinstance(node.value, dict) and "id" in node.value:
        v = node.value["id"].value
        return None if v is None or isinstance(v, (dict, list)) else str(v)
    return None


# ---------------------------------------------------------------- order of versions


def extends_of(doc: Document) -> str | None:
    """The version ``doc`` extends, as written (None: a complete scheme)."""
    data = doc.data
    if isinstance(data, dict) and data.get("extends") is not None and not isinstance(data["extends"], (dict, list)):
        return str(data["extends"])
    return None


def in_order(scheme_id: str, docs: dict[str, Document], problems: Problems, present: set[str]) -> list[str]:
    """The versions to build, each after the one it extends.

    ``present`` names every version file of the scheme, also those that could
    not be read (their own problems are reported: no follow-on error here).
    Reports stray operations, unknown bases and cycles; a version with such a
    problem (or extending one) is left out.
    """
    base: dict[str, str] = {}
    bad: set[str] = set()
    for version, doc in sorted(docs.items()):
        data = doc.data
        if not isinstance(data, dict):
            continue
        own = {k: data[k] for k in ("extends", *OPS) if k in data}
        if "extends" not in data:
            for key in OPS:
                if key in data:
                    problems.add("extends.ops_without_extends", doc.key_marks.get((key,), doc.mark((key,))), key=key)
                    bad.add(version)
            continue
        if validate(_Extension, doc, problems, data=own) is None:
            bad.add(version)
            continue
        target = extends_of(doc)
        if target in present and target not in docs:
            bad.add(version)  # the base could not be read: reported there
            continue
        if target not in docs or target == version:
            known = sorted(v for v in docs if v != version)
            problems.add("extends.unknown_version", doc.mark(("extends",)), scheme=scheme_id, version=target,
                         known=", ".join(known) or "—", **messages.did_you_mean(str(target), known))
            bad.add(version)
            continue
        if "effective" not in data:
            problems.add("extends.effective_required", doc.key_marks.get(("extends",), doc.mark(("extends",))))
            bad.add(version)
        base[version] = str(target)
    # cycles: follow each chain; a version met twice on one chain closes a cycle
    for start in sorted(base):
        trail = [start]
        while trail[-1] in base and base[trail[-1]] not in trail:
            trail.append(base[trail[-1]])
        if trail[-1] in base and base[trail[-1]] in trail:
            cycle = trail[trail.index(base[trail[-1]]):]
            if start in cycle:
                shown = " → ".join(f"{v}.yaml" for v in [*cycle, cycle[0]])
                problems.add("extends.cycle", docs[start].mark(("extends",)), cycle=shown)
            bad.add(start)
    order: list[str] = []

    def place(version: str) -> bool:
        if version in order:
            return True
        if version in bad or (version in base and not place(base[version])):
            bad.add(version)
            return False
        order.append(version)
        return True

    for version in sorted(docs):
        place(version)
    return order


# ---------------------------------------------------------------- applying the changes


class _Merge:
    def __init__(self, base: Document, ext: Document, problems: Problems) -> None:
        self.ext = ext
        self.problems = problems
        self.before = len(problems.errors)
        self.root = _wrap(base, base.data, ())
        self.root.value.pop("changes", None)  # notes about the version before: not this one's
        self.removed: dict[tuple[str, str], int] = {}
        self.changed: dict[tuple[str, str, str], int] = {}

    # where things are
    def top(self) -> dict[str, _Node]:
        return self.root.value  # type: ignore[return-value]

    def trees(self) -> list[tuple[str | None, _Node]]:
        """(tree id, its ``indicators`` list) for every tree; one tree: id None."""
        top = self.top()
        if "trees" in top and isinstance(top["trees"].value, list) and top["trees"].value:
            out = []
            for t in top["trees"].value:
                ind = t.value.get("indicators") if isinstance(t.value, dict) else None
                if ind is not None and isinstance(ind.value, list):
                    out.append((_id(t), ind))
            return out
        ind = top.get("indicators")
        return [(None, ind)] if ind is not None and isinstance(ind.value, list) else []

    def find_indicator(self, ident: str, in_tree: str | None) -> list[tuple[str | None, _Node, int]]:
        """Every (tree id, list holding it, index) of indicator ``ident``."""
        found: list[tuple[str | None, _Node, int]] = []

        def walk(tid: str | None, holder: _Node) -> None:
            for i, n in enumerate(holder.value):  # type: ignore[arg-type]
                if _id(n) == ident:
                    found.append((tid, holder, i))
                kids = n.value.get("children") if isinstance(n.value, dict) else None
                if kids is not None and isinstance(kids.value, list):
                    walk(tid, kids)

        for tid, holder in self.trees():
            if in_tree is None or tid == in_tree:
                walk(tid, holder)
        return found

    def all_indicator_ids(self) -> list[str]:
        ids: set[str] = set()

        def walk(holder: _Node) -> None:
            for n in holder.value:  # type: ignore[union-attr]
                if _id(n) is not None:
                    ids.add(_id(n))  # type: ignore[arg-type]
                kids = n.value.get("children") if isinstance(n.value, dict) else None
                if kids is not None and isinstance(kids.value, list):
                    walk(kids)

        for _, holder in self.trees():
            walk(holder)
        return sorted(ids)

    def locate(self, kind: str, ident: str, in_tree: str | None, at: Mark, what: str = "") -> tuple[_Node, int] | None:
        """The list holding item ``ident`` of ``kind`` and its index; reports when there is none."""
        key, zh, en = _KINDS[kind]
        if kind == "indicator":
            found = self.find_indicator(ident, in_tree)
            if len(found) > 1:
                self.problems.add("extends.ambiguous", at, ref=ident, trees=", ".join(str(t) for t, _, _ in found))
                return None
            if found:
                return found[0][1], found[0][2]
            known = self.all_indicator_ids()
        else:
            holder = self.top().get(key)
            items = holder.value if holder is not None and isinstance(holder.value, list) else []
            for i, n in enumerate(items):
                if _id(n) == ident:
                    return holder, i  # type: ignore[return-value]
            known = sorted(x for x in (_id(n) for n in items) if x is not None)
        line = self.removed.get((kind, ident))
        if line is not None:
            self.problems.add("extends.removed_here", at, what=zh, what_en=en, ref=ident, line=line)
        else:
            unknown_ref(self.problems, "extends.not_found", at, ident, known, zh, en)
        return None

    def mark(self, path: tuple) -> Mark:
        return self.ext.mark(path)

    # the steps
    def replace_top(self) -> None:
        data: dict = self.ext.data  # type: ignore[assignment]
        for key in data:
            if key not in OPS:
                self.top()[key] = _wrap(self.ext, data[key], (key,))

    def remove(self, ops: list[SchemeRemoval]) -> None:
        for i, op in enumerate(ops):
            kind = next(k for k in EXTENDS_TARGETS if getattr(op, k) is not None)
            ident = str(getattr(op, kind))
            at = self.mark(("remove", i, kind))
            if (kind, ident) in self.removed:
                _, zh, en = _KINDS[kind]
                self.problems.add("extends.twice", at, what=zh, what_en=en, ref=ident, line=self.removed[(kind, ident)],
                                  action_zh="删除", action_en="removed")
                continue
            where = self.locate(kind, ident, op.in_tree, at)
            if where is not None:
                holder, index = where
                del holder.value[index]  # type: ignore[attr-defined]
                self.removed[(kind, ident)] = at.line

    def change(self, ops: list[SchemeChange]) -> None:
        for i, op in enumerate(ops):
            kind = next(k for k in EXTENDS_TARGETS if getattr(op, k) is not None)
            ident = str(getattr(op, kind))
            at = self.mark(("change", i, kind))
            where = self.locate(kind, ident, op.in_tree, at)
            if where is None:
                continue
            holder, index = where
            item = holder.value[index]  # type: ignore[index]
            if not isinstance(item.value, dict):
                continue  # not a mapping in the base: validation reports it there
            for key in op.set:
                path = ("change", i, "set", key)
                at_key = self.ext.key_marks.get(path, self.mark(path))
                if key == "id":
                    self.problems.add("extends.set_id", at_key)
                    continue
                seen = self.changed.get((kind, ident, key))
                if seen is not None:
                    _, zh, en = _KINDS[kind]
                    self.problems.add("extends.twice", at_key, what=zh, what_en=en, ref=f"{ident}.{key}", line=seen,
                                      action_zh="修改", action_en="changed")
                    continue
                self.changed[(kind, ident, key)] = at_key.line
                raw = self.ext.data["change"][i]["set"][key]  # type: ignore[index]
                if raw is None:
                    item.value.pop(key, None)
                else:
                    node = _wrap(self.ext, raw, path)
                    item.value[key] = node

    def add(self, ops: list[SchemeAddition]) -> None:
        for i, op in enumerate(ops):
            kind = next(k for k in EXTENDS_TARGETS if getattr(op, k) is not None)
            new = _wrap(self.ext, self.ext.data["add"][i][kind], ("add", i, kind))  # type: ignore[index]
            if op.before is not None and op.after is not None:
                self.problems.add("extends.position_both", self.mark(("add", i, "after")))
                continue
            if kind != "indicator":
                for key in ("under", "in_tree"):
                    if getattr(op, key) is not None:
                        self.problems.add("extends.position_indicator", self.mark(("add", i, key)), key=key)
                        break
                else:
                    self._add_item(i, op, kind, new)
                continue
            self._add_indicator(i, op, new)

    def _sibling(self, i: int, op: SchemeAddition, kind: str) -> tuple[_Node, int] | None | bool:
        """Where ``before``/``after`` points: (list, index to insert at); True: no position given."""
        side = "before" if op.before is not None else "after" if op.after is not None else None
        if side is None:
            return True
        where = self.locate(kind, str(getattr(op, side)), op.in_tree, self.mark(("add", i, side)))
        if where is None:
            return None
        holder, index = where
        return holder, index + (side == "after")

    def _add_item(self, i: int, op: SchemeAddition, kind: str, new: _Node) -> None:
        pos = self._sibling(i, op, kind)
        if pos is None:
            return
        if pos is True:
            key = _KINDS[kind][0]
            holder = self.top().setdefault(key, _Node([], self.mark(("add", i))))
            if not isinstance(holder.value, list):
                return  # not a list in the base: validation reports it there
            holder.value.append(new)
        else:
            holder, index = pos  # type: ignore[misc]
            holder.value.insert(index, new)

    def _add_indicator(self, i: int, op: SchemeAddition, new: _Node) -> None:
        parent_list: _Node | None = None
        if op.under is not None:
            where = self.locate("indicator", str(op.under), op.in_tree, self.mark(("add", i, "under")))
            if where is None:
                return
            holder, index = where
            parent = holder.value[index]  # type: ignore[index]
            if not isinstance(parent.value, dict):
                return
            parent_list = parent.value.setdefault("children", _Node([], self.mark(("add", i, "under"))))
            if not isinstance(parent_list.value, list):
                return
        pos = self._sibling(i, op, "indicator")
        if pos is None:
            return
        if pos is not True:
            holder, index = pos  # type: ignore[misc]
            if parent_list is not None and holder is not parent_list:
                side = "before" if op.before is not None else "after"
                self.problems.add("extends.not_sibling", self.mark(("add", i, side)), ref=str(getattr(op, side)),
                                  parent=str(op.under))
                return
            holder.value.insert(index, new)
            return
        if parent_list is None:
            trees = self.trees()
            chosen = [h for t, h in trees if op.in_tree is None or t == op.in_tree]
            if op.in_tree is not None and not chosen:
                unknown_ref(self.problems, "extends.not_found", self.mark(("add", i, "in_tree")), str(op.in_tree),
                            sorted(str(t) for t, _ in trees), "指标体系", "tree")
                return
            if len(chosen) > 1:
                self.problems.add("extends.tree_required", self.mark(("add", i)), known=", ".join(str(t) for t, _ in trees))
                return
            if not chosen:
                self.top()["indicators"] = parent_list = _Node([], self.mark(("add", i)))
            else:
                parent_list = chosen[0]
        parent_list.value.append(new)  # type: ignore[union-attr]

    def result(self, ops: _Extension) -> Document | None:
        self.replace_top()
        self.remove(ops.remove)
        self.change(ops.change)
        self.add(ops.add)
        if len(self.problems.errors) > self.before:
            return None
        marks: dict = {}
        key_marks: dict = {}
        data = _unwrap(self.root, (), marks, key_marks)
        marks[()] = Mark(self.ext.display, 1, 1)
        return Document(self.ext.display, data, marks, key_marks)


def apply(base: Document, ext: Document, problems: Problems) -> Document | None:
    """The scheme ``ext`` describes, written out in full over ``base`` (itself complete).

    Positions point into ``ext`` for what it wrote and into the base's file
    for the rest.  None when a change cannot be applied (reported).
    """
    data: dict = ext.data  # type: ignore[assignment]
    ops = _Extension.model_validate({k: data[k] for k in ("extends", *OPS) if k in data})
    if not isinstance(base.data, dict):
        return None
    return _Merge(base, ext, problems).result(ops)


# ---------------------------------------------------------------- written out in full


def full_text(data: object) -> bytes:
    """``data`` as a complete scheme file the strict loader reads back to the same data.

    Plain scalars stay plain (the loader keeps their text, never types them),
    quoted ones are quoted again, empty values stay empty; ``extends`` is left
    out, as the file stands alone.  Archived with a published period
    (site/records/lock/update.py), so an old version can be rebuilt without its base.
    """
    events: list[yaml.Event] = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]

    def emit(value: object) -> None:
        if isinstance(value, dict):
            events.append(yaml.MappingStartEvent(None, None, True, flow_style=False))
            for k, v in value.items():
                events.append(yaml.ScalarEvent(None, None, (True, True), str(k), style=None))
                emit(v)
            events.append(yaml.MappingEndEvent())
        elif isinstance(value, list):
            events.append(yaml.SequenceStartEvent(None, None, True, flow_style=False))
            for v in value:
                emit(v)
            events.append(yaml.SequenceEndEvent())
        elif value is None:
            events.append(yaml.ScalarEvent(None, None, (True, True), "", style=None))
        elif isinstance(value, PlainStr):
            events.append(yaml.ScalarEvent(None, None, (True, True), str(value), style=None))
        else:
            text = str(value)
            style = "|" if "\n" in text.strip("\n") else '"'
            events.append(yaml.ScalarEvent(None, None, (False, True), text, style=style))

    emit({k: v for k, v in data.items() if k != "extends"} if isinstance(data, dict) else data)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    return yaml.emit(events, allow_unicode=True, width=100000).encode("utf-8")


def scheme_document(sources: dict[str, bytes], versions: dict, version: str) -> Document | None:
    """The (merged) document of a loaded scheme version, to locate a problem found later.

    ``versions`` maps the scheme's version ids to objects with a ``path``
    (the project's SchemeVersions); ``sources`` the project's file bytes.
    """
    from site_builder.load.yamlsafe import load_yaml_bytes

    sv = versions.get(version)
    raw = sources.get(sv.path) if sv is not None else None
    doc = load_yaml_bytes(raw, sv.path, Problems()) if raw is not None else None
    base = extends_of(doc) if doc is not None else None
    if doc is None or base is None:
        return doc
    base_doc = scheme_document(sources, versions, base) if base != version else None
    return apply(base_doc, doc, Problems()) if base_doc is not None else None
