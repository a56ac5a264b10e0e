"""What a scoring sheet holds, shared by ``site-builder sheet`` (writing) and ``import`` (reading).

A scheme line becomes one or more *columns* of the sheet; a cell holds the
line's primary fact as the assessor knows it:

- ``assessed`` (points), ``brackets``/``threshold``/``linear_step`` and the
  group-relative kinds (value), ``proportional`` (actual), ``quota`` (count):
  one number column;
- ``levels``: one column with a drop-down of the level names; a scheme whose
  levels give discretionary points (“酌情给分”) gets a second column for them;
- the counting kinds (``per_occurrence``, ``per_person``, ``recognition``):
  one whole-number column when the line has one rate, else one column per
  rate with a fixed amount (“扣分次数：迟到”);
- ``不适用`` in the first column of a line stands for ``na`` where the scheme
  allows it.

What a cell cannot hold stays in the period file and is shown read-only:
``formula`` lines (named values), discretionary per-occurrence amounts, and
records kept one by one (events, people, awards with names, dates or
evidence).  ``note``, ``evidence``, ``incidents`` and ``target`` written in the
period file are kept when a line's number changes.

Numbers follow one rule everywhere: plain decimal digits with at most
:data:`MAX_PLACES` decimal places (full-width digits accepted); a number
Excel stored as a binary float is read as its shortest repr
(``Decimal(repr(x))``: 13.5, 5.16), never through ``Decimal(float)``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from site_builder import messages
from site_builder.checks.tree import applies
from site_builder.model import Project, SchemeVersion
from site_builder.schema.scheme import Indicator
from site_builder.scoring.rules.base import fmt
from site_builder.scoring.rules.tally import Range, TallyRule

FORMAT_VERSION = "1"
MAX_PLACES = 4

SHEET_ROWS = "评分表"
SHEET_CLAUSES = "考核内容"
SHEET_META = "_meta"

# Row layout of the 评分表 sheet (1-based)
TITLE_ROW = 1
HEADER_ROW = 2
MAX_ROW = 3
KEY_ROW = 4
FIRST_DATA_ROW = 5
FIRST_FACT_COL = 4  # A id, B name, C group, then facts

KEY_LABELS = ("指标标识", "line id")
NA_WORDS = ("不适用", "na", "n/a")
TOTAL_KEY = "_total"
YAML_ONLY = "（见考核期文件）"
YAML_ONLY_EN = "(see the period file)"
NOT_IN_SCOPE = "—"

KEEP_KEYS = ("note", "evidence", "incidents", "target")

messages.register(
    {
        "sheet.not_a_number": (
            "“{text}”不是数字",
            "请只填写数字，如 13.5（不要加单位或说明）",
            "“{text}” is not a number",
            "write a plain number such as 13.5 (no units or remarks)",
        ),
        "sheet.thousands": (
            "“{text}”带千位分隔符",
            "请去掉逗号，写成 {plain}",
            "“{text}” has thousands separators",
            "remove the commas: {plain}",
        ),
        "sheet.percent": (
            "“{text}”带百分号（或单元格格式为百分比）",
            "请填写不带 % 的数，如 {plain}，并把单元格格式设为“常规”或“数值”",
            "“{text}” is a percentage (or the cell is formatted as one)",
            "write the number without %, such as {plain}, in a General or Number cell",
        ),
        "sheet.places": (
            "{text} 有 {places} 位小数，最多允许 {max} 位",
            "请按实际精度填写（若是公式算出的数，请用 ROUND 取整到 {max} 位以内）",
            "{text} has {places} decimal places; at most {max} are allowed",
            "write it to the precision measured (round a computed value with ROUND to at most {max} places)",
        ),
        "sheet.out_of_range": (
            "{text} 超出本项允许的范围 {lo}—{hi}",
            "请填写 {lo} 到 {hi} 之间的数",
            "{text} is outside this line's range {lo}–{hi}",
            "write a number from {lo} to {hi}",
        ),
        "sheet.negative": (
            "{text} 是负数",
            "请填写 0 或正数",
            "{text} is negative",
            "write 0 or a positive number",
        ),
        "sheet.not_integer": (
            "次数“{text}”不是整数",
            "请填写 0、1、2 这样的整数次数",
            "the count “{text}” is not a whole number",
            "write a whole number such as 0, 1, 2",
        ),
        "sheet.unknown_level": (
            "“{text}”不是本项规定的等次",
            "请从下拉列表中选择：{known}",
            "“{text}” is not one of this line's levels",
            "choose from the drop-down list: {known}",
        ),
        "sheet.na_forbidden": (
            "本项不允许填“不适用”",
            "请填写实际的记录",
            "this line cannot be “not applicable”",
            "fill in what was recorded",
        ),
        "sheet.na_elsewhere": (
            "“不适用”只能填在本项的第一列（{first}）",
            "请把“不适用”移到 {first}，并清空本项其余各格",
            "“not applicable” belongs in this line's first column ({first})",
            "move it to {first} and clear the line's other cells",
        ),
        "sheet.not_in_scope": (
            "本项不适用于该单位（或本考核期），但填了“{text}”",
            "请清空该格",
            "this line does not apply to this unit (or period), but the cell holds “{text}”",
            "clear the cell",
        ),
        "sheet.yaml_only": (
            "本项按逐项记录（人员、事项、公式数值），只能在 {file} 中修改，表中改成了“{text}”",
            "请把该格恢复为“{shown}”，在 {file} 中修改这一项",
            "this line is recorded item by item (people, events, formula values) and can only be changed in {file}; the cell now says “{text}”",
            "put back “{shown}” and edit the line in {file}",
        ),
        "sheet.unit_not_assessed": (
            "该单位本期的状态为 {status}（{reason}），不应填写记录",
            "请清空该行的记录，或先在考核期文件中修改该单位的 status",
            "this unit's status this period is {status} ({reason}); it takes no records",
            "clear the row's records, or change the unit's status in the period file first",
        ),
        "sheet.formula_no_cache": (
            "公式 {formula} 没有保存计算结果（文件不是由 Excel 或 WPS 计算后保存的）",
            "请用 Excel 或 WPS 打开并保存一次，或把公式改成数值",
            "the formula {formula} has no saved result (the file was not calculated and saved by Excel or WPS)",
            "open and save the file in Excel or WPS once, or replace the formula by its value",
        ),
        "sheet.error_value": (
            "单元格是错误值 {text}",
            "请改正公式，或直接填写数值",
            "the cell holds the error value {text}",
            "fix the formula or type the value",
        ),
        "sheet.not_text_or_number": (
            "单元格的内容是{what}，这里需要数字或等次",
            "请填写数字，或从下拉列表中选择",
            "the cell holds a {what_en}; a number or a level is needed here",
            "type a number or choose from the drop-down list",
        ),
        "sheet.merged": (
            "填写区域内有合并单元格 {range}",
            "请取消合并（每个单位一行、每项一格）",
            "merged cells {range} inside the area to fill",
            "unmerge them (one row per unit, one cell per line)",
        ),
        "sheet.unknown_column": (
            "多出的列“{header}”不是本方案的考核项",
            "请删除这一列（表头第 {key_row} 行的标识要与方案一致）；要增加考核项请修改方案，再重新生成评分表",
            "the extra column “{header}” is not a line of this scheme",
            "delete the column (the ids in header row {key_row} must match the scheme); to add a line, change the scheme and generate the sheet again",
        ),
        "sheet.duplicate_column": (
            "“{key}”列出现了两次（另一列在 {other}）",
            "请删除重复的列",
            "the column “{key}” appears twice (also at {other})",
            "delete the duplicate column",
        ),
        "sheet.missing_column": (
            "缺少“{name}”（{key}）一列",
            "请用 site-builder sheet 重新生成评分表，不要删除列",
            "the column “{name}” ({key}) is missing",
            "generate the sheet again with site-builder sheet; do not delete columns",
        ),
        "sheet.unknown_unit": (
            "单位“{name}”不在本方案的单位中{close_zh}",
            "请改正单位名称（或在 A 列填写单位标识）；新单位请先在 units/ 中登记并加入方案的组别",
            "the unit “{name}” is not one of this scheme's units{close_en}",
            "correct the name (or write the unit id in column A); register a new unit in units/ and add it to a group of the scheme first",
        ),
        "sheet.ambiguous_unit": (
            "名称“{name}”对应多个单位：{ids}",
            "请在 A 列填写单位标识，以区分是哪一个",
            "the name “{name}” matches several units: {ids}",
            "write the unit id in column A to say which",
        ),
        "sheet.duplicate_unit": (
            "单位“{name}”（{id}）在 {other} 已经有一行",
            "每个单位只填一行：请删除重复的行",
            "the unit “{name}” ({id}) already has a row at {other}",
            "one row per unit: delete the duplicate",
        ),
        "sheet.missing_unit": (
            "缺少单位“{name}”（{id}，{group}）的一行",
            "请补上该单位的一行（可用 site-builder sheet 重新生成评分表）",
            "the unit “{name}” ({id}, {group}) has no row",
            "add a row for it (site-builder sheet writes a complete sheet)",
        ),
        "sheet.no_unit": (
            "这一行填了记录，但没有单位标识或名称",
            "请在 A 列填写单位标识或在 B 列填写单位名称，或删除这一行",
            "this row holds records but no unit id or name",
            "write the unit id in column A or its name in column B, or delete the row",
        ),
        "sheet.no_key_row": (
            "找不到表头的标识行（第一列为“指标标识”的一行）",
            "请使用 site-builder sheet 生成的评分表（另存为 CSV 时也要保留表头各行）",
            "no header row of line ids (a row whose first cell is “指标标识”)",
            "use the workbook written by site-builder sheet (keep its header rows when saving as CSV)",
        ),
        "sheet.no_sheet": (
            "工作簿中没有“{sheet}”工作表",
            "请使用 site-builder sheet 生成的评分表，不要改工作表名",
            "the workbook has no sheet “{sheet}”",
            "use the workbook written by site-builder sheet and keep its sheet names",
        ),
        "sheet.unreadable": (
            "无法读取该文件（{error}）",
            "请确认它是 Excel 工作簿（.xlsx）或 CSV 文件；WPS 请另存为 .xlsx",
            "the file cannot be read ({error})",
            "check that it is an Excel workbook (.xlsx) or a CSV file; in WPS, save as .xlsx",
        ),
        "sheet.bad_encoding": (
            "CSV 文件既不是 UTF-8 也不是 GB18030 编码",
            "请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”",
            "the CSV file is neither UTF-8 nor GB18030",
            "in Excel, use Save As → CSV UTF-8 (comma delimited)",
        ),
        "sheet.no_meta": (
            "文件中没有说明方案和考核期的“_meta”工作表（CSV 文件也没有）",
            "请加上 --scheme 方案标识 --period 考核期，如 --scheme {example_scheme} --period {example_period}",
            "the file has no “_meta” sheet saying which scheme and period it is for (nor has a CSV)",
            "add --scheme <id> --period <period>, such as --scheme {example_scheme} --period {example_period}",
        ),
        "sheet.meta_mismatch": (
            "评分表是 {file_scheme} {file_period} 的，命令行给的是 {scheme} {period}",
            "请去掉 --scheme/--period，或导入正确的文件",
            "the sheet is for {file_scheme} {file_period}, the command says {scheme} {period}",
            "drop --scheme/--period, or import the right file",
        ),
        "sheet.meta_format": (
            "评分表的格式版本 {found} 不是本程序能读的版本 {expected}",
            "请用当前版本的 site-builder sheet 重新生成评分表",
            "the sheet's format version {found} is not the one this program reads ({expected})",
            "generate the sheet again with this version of site-builder sheet",
        ),
        "sheet.version_mismatch": (
            "评分表按方案版本 {found} 生成，考核期文件用的是版本 {expected}",
            "请用 site-builder sheet 重新生成评分表",
            "the sheet was made from scheme version {found}; the period file uses version {expected}",
            "generate the sheet again with site-builder sheet",
        ),
        "sheet.no_version": (
            "方案“{scheme}”没有适用于考核期“{period}”的版本",
            "请检查考核期的写法（如 {example}），或先添加新的方案版本",
            "scheme “{scheme}” has no version in force for the period “{period}”",
            "check how the period is written (such as {example}), or add a scheme version first",
        ),
        "sheet.out_exists_dir": (
            "输出路径 {path} 是一个文件夹",
            "请用 --out 给出一个 .xlsx 文件名",
            "the output path {path} is a folder",
            "give an .xlsx file name with --out",
        ),
    }
)


@dataclass(frozen=True)
class Column:
    """One column of facts: a line's primary fact, one rate of it, or its discretionary points."""

    key: str  # line | line:rate | line#points
    line: str
    part: str  # "number" | "count" | "level" | "rate" | "points"
    title: str
    max: Decimal | None
    lo: Decimal | None
    hi: Decimal | None
    node: Indicator
    node_type: str
    path: str  # 一级 › 二级 › 末级
    rate: str | None = None
    levels: tuple[tuple[str, str], ...] = ()  # (id, name)
    na: bool = False
    first: bool = True  # the line's first column (where 不适用 goes)

    @property
    def integer(self) -> bool:
        return self.part in ("count", "rate")


@dataclass(frozen=True)
class Layout:
    """Which columns a scheme version has for one period, and which lines stay in YAML."""

    sv: SchemeVersion
    period: str
    stage: str | None
    columns: tuple[Column, ...]
    line_columns: dict[str, tuple[Column, ...]] = field(default_factory=dict)
    yaml_lines: tuple[str, ...] = ()  # lines no cell can hold (formula, discretionary rates only)

    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}


def _bounds(node: Indicator, node_type: str, rule) -> tuple[Decimal | None, Decimal | None]:
    if rule.kind == "assessed":
        return Decimal(0), node.max
    if rule.primary == "count":
        return Decimal(0), None
    return None, None


def layout(sv: SchemeVersion, period: str, stage: str | None, unit_group: dict[str, str]) -> Layout:
    """The columns of ``sv`` for ``period``: every leaf that applies to at least one unit."""
    columns: list[Column] = []
    yaml_lines: list[str] = []
    per_line: dict[str, tuple[Column, ...]] = {}
    seen: set[str] = set()
    tree_groups: dict[str, list[str]] = {}
    for g, t in sv.group_tree.items():
        tree_groups.setdefault(t, []).append(g)
    for tree_id, tree in sv.trees.items():
        types = sv.types[tree_id]
        units = [(u, g) for u, g in unit_group.items() if g in tree_groups.get(tree_id, [])]
        for leaf_id, chain in sv.chains[tree_id].items():
            if leaf_id in seen:
                continue
            if not any(applies(chain, u, g, period, stage) for u, g in units):
                continue
            seen.add(leaf_id)
            node = chain[-1]
            rule = node.rule
            if rule is None or rule.reads_history:  # computed from earlier results: no cell to fill
                continue
            node_type = types[node.id]
            path = " › ".join(n.name for n in chain)
            na = node.not_applicable != "forbidden"
            base = dict(line=leaf_id, max=node.max, node=node, node_type=node_type, path=path, na=na)
            cols: list[Column] = []
            if isinstance(rule, TallyRule):
                rates = rule.rate_list()
                fixed = [r for r in rates if not isinstance(r.per, Range)]
                if len(rates) == 1 and fixed:
                    cols.append(Column(key=leaf_id, part="count", title=node.name, lo=Decimal(0), hi=None, **base))
                elif len(rates) > 1:
                    for i, r in enumerate(fixed):
                        cols.append(Column(key=f"{leaf_id}:{r.id}", part="rate", rate=r.id,
                                           title=f"{node.name}：{r.name}", lo=Decimal(0), hi=None,
                                           first=not cols, **base))
            elif rule.kind == "levels":
                levels = tuple((lv.id, lv.name) for lv in rule.levels)
                cols.append(Column(key=leaf_id, part="level", title=node.name, lo=None, hi=None, levels=levels, **base))
                if any(isinstance(lv.points, Range) for lv in rule.levels):
                    top = max((lv.points.max for lv in rule.levels if isinstance(lv.points, Range)), default=None)
                    cols.append(Column(key=f"{leaf_id}#points", part="points", title=f"{node.name}：酌情得分",
                                       lo=Decimal(0), hi=top, first=False, **base))
            elif rule.primary is not None:
                lo, hi = _bounds(node, node_type, rule)
                part = "count" if rule.primary == "count" else "number"
                cols.append(Column(key=leaf_id, part=part, title=node.name, lo=lo, hi=hi, **base))
            if cols:
                columns.extend(cols)
                per_line[leaf_id] = tuple(cols)
            else:
                yaml_lines.append(leaf_id)
    return Layout(sv, period, stage, tuple(columns), per_line, tuple(yaml_lines))


def primary_field(col: Column) -> str:
    rule = col.node.rule
    return rule.primary or "points"


# ----------------------------------------------------------------- facts <-> cells


def _expand(raw: Any, col: Column) -> dict | None:
    """A line's recorded facts (as read from the period file) as a mapping, or None when empty."""
    if raw is None:
        return None
    if isinstance(raw, str) and raw.strip() == "na":
        return {"na": True}
    if isinstance(raw, list):
        return {"events": raw} if raw else {}
    if isinstance(raw, dict):
        return dict(raw)
    return {primary_field(col): raw}


def cells_for(raw: Any, cols: tuple[Column, ...]) -> dict[str, Any] | None:
    """The cell values (by column key) that show ``raw``; None when a cell cannot show it."""
    first = cols[0]
    facts = _expand(raw, first)
    out: dict[str, Any] = {c.key: None for c in cols}
    if facts is None:
        return out
    if facts.get("na") in (True, "true"):
        if any(k not in ("na", *KEEP_KEYS) for k in facts):
            return None
        out[first.key] = "不适用"
        return out
    extra = [k for k in facts if k not in KEEP_KEYS]
    rule = first.node.rule
    if isinstance(rule, TallyRule):
        if first.part == "count":
            if any(k not in ("count", "counts") for k in extra):
                return None
            n = facts.get("count")
            counts = facts.get("counts") or {}
            if counts:
                if n is not None or len(counts) != 1:
                    return None
                n = next(iter(counts.values()))
            out[first.key] = _num(n)
            return out
        if any(k != "counts" for k in extra):
            return None
        counts = facts.get("counts") or {}
        by_rate = {c.rate: c for c in cols}
        if any(r not in by_rate for r in counts):
            return None
        for r, n in counts.items():
            out[by_rate[r].key] = _num(n)
        return out
    if first.part == "level":
        allowed = {"level", "points"} if len(cols) > 1 else {"level"}
        if any(k not in allowed for k in extra):
            return None
        level = facts.get("level")
        if level is not None:
            name = next((n for i, n in first.levels if str(level) in (i, n)), str(level))
            out[first.key] = name
        if len(cols) > 1 and facts.get("points") is not None:
            out[cols[1].key] = _num(facts["points"])
        return out
    field_name = primary_field(first)
    if any(k != field_name for k in extra):
        return None
    out[first.key] = _num(facts.get(field_name))
    return out


def _num(v: Any) -> Decimal | None:
    if v is None:
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def level_id(text: str, col: Column) -> str | None:
    for i, n in col.levels:
        if text in (i, n):
            return i
    return None


def facts_from_cells(values: dict[str, Any], cols: tuple[Column, ...], old: Any) -> tuple[bool, Any]:
    """See :func:`_from_cells`; a line written in full (``{count: 2}``) stays written in full."""
    present, value = _from_cells(values, cols, old)
    if isinstance(old, dict) and value is not None and not isinstance(value, dict) and value != "na":
        value = {_field(cols[0]): value}
    return present, value


def _field(col: Column) -> str:
    return "level" if col.part == "level" else "count" if col.part in ("count", "rate") else primary_field(col)


def _from_cells(values: dict[str, Any], cols: tuple[Column, ...], old: Any) -> tuple[bool, Any]:
    """The new record of a line from its parsed cells: ``(present, value)``.

    ``values`` maps column keys to parsed values (Decimal, int, level id, ``NA`` or None).
    Keys of ``KEEP_KEYS`` in the old record are kept.  ``present`` is False when the
    line should not appear at all (an empty counting line).
    """
    first = cols[0]
    rule = first.node.rule
    old_facts = _expand(old, first) or {}
    keep = {k: old_facts[k] for k in KEEP_KEYS if k in old_facts}
    if values.get(first.key) is NA:
        new: Any = "na" if not keep else {"na": True, **keep}
        return True, new
    filled = {k: v for k, v in values.items() if v is not None}
    if isinstance(rule, TallyRule):
        if not filled:
            return (bool(keep), dict(keep) if keep else None)
        if first.part == "count":
            n = filled[first.key]
            return True, ({"count": n, **keep} if keep else n)
        counts = {c.rate: filled[c.key] for c in cols if c.key in filled}
        return True, {"counts": counts, **keep}
    if not filled:
        return True, None
    if first.part == "level":
        lv = filled.get(first.key)
        pts = filled.get(cols[1].key) if len(cols) > 1 else None
        if pts is None and not keep:
            return True, lv
        d: dict[str, Any] = {}
        if lv is not None:
            d["level"] = lv
        if pts is not None:
            d["points"] = pts
        return True, {**d, **keep}
    v = filled.get(first.key)
    return True, ({primary_field(first): v, **keep} if keep else v)


def same_record(old: Any, new: Any, cols: tuple[Column, ...]) -> bool:
    """Do two records of a line say the same (13.50 == 13.5, level id == its name, 3 == {count: 3})?"""
    return _canon(old, cols) == _canon(new, cols)


def _canon(raw: Any, cols: tuple[Column, ...]) -> Any:
    first = cols[0]
    facts = _expand(raw, first)
    if facts is None:
        return None
    out: dict[str, Any] = {}
    for k, v in facts.items():
        if k == "na":
            if v in (True, "true"):
                out["na"] = True
            continue
        if k == "level" and v is not None:
            out[k] = level_id(str(v), first) or str(v)
        elif k == "counts" and isinstance(v, dict):
            out[k] = {str(r): _num(n) for r, n in v.items()}
        elif isinstance(v, (int, Decimal)) and not isinstance(v, bool) or (isinstance(v, str) and _num(v) is not None and k != "note"):
            out[k] = _num(v)
        else:
            out[k] = v
    rule = first.node.rule
    if isinstance(rule, TallyRule) and first.part == "count" and "counts" in out and len(out["counts"]) == 1:
        out["count"] = next(iter(out.pop("counts").values()))
    return out


# ----------------------------------------------------------------- reading one cell


class _Na:
    def __repr__(self) -> str:
        return "NA"


NA = _Na()

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


@dataclass
class CellProblem:
    code: str
    params: dict[str, object]


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_cell(value: Any, col: Column, number_format: str = "General") -> tuple[Any, CellProblem | None]:
    """A cell's value as a fact (Decimal, int, level id, NA or None), or the problem with it."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, CellProblem("sheet.not_text_or_number", {"what": "逻辑值 TRUE/FALSE", "what_en": "TRUE/FALSE value"})
    if hasattr(value, "year"):  # date, datetime
        return None, CellProblem("sheet.not_text_or_number", {"what": "日期", "what_en": "date"})
    if hasattr(value, "seconds") or hasattr(value, "hour"):
        return None, CellProblem("sheet.not_text_or_number", {"what": "时间", "what_en": "time"})
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not text:
            return None, None
        if text.startswith("#") and text.upper().rstrip("!?/0") in ("#DIV", "#N/A", "#NAME", "#REF", "#VALUE", "#NUM", "#NULL") or text.upper() in (
            "#DIV/0!", "#N/A", "#NAME?", "#REF!", "#VALUE!", "#NUM!", "#NULL!"):
            return None, CellProblem("sheet.error_value", {"text": text})
        if text.casefold() in NA_WORDS:
            if not col.na:
                return None, CellProblem("sheet.na_forbidden", {})
            return NA, None
        if col.part == "level":
            lid = level_id(text, col)
            if lid is None:
                return None, CellProblem("sheet.unknown_level", {"text": _show(text), "known": "、".join(n for _, n in col.levels)})
            return lid, None
        return _number_text(text, col)
    if isinstance(value, int):
        number = Decimal(value)
        shown = str(value)
    elif isinstance(value, float):
        shown = repr(value)
        if value != value or value in (float("inf"), float("-inf")):
            return None, CellProblem("sheet.not_a_number", {"text": shown})
        number = Decimal(shown)
        if "e" in shown.lower():
            shown = format(number, "f")
    elif isinstance(value, Decimal):
        number, shown = value, str(value)
    else:
        return None, CellProblem("sheet.not_a_number", {"text": _show(value)})
    if "%" in (number_format or ""):
        return None, CellProblem("sheet.percent", {"text": f"{fmt(number * 100)}%", "plain": fmt(number * 100)})
    if col.part == "level":
        lid = level_id(fmt(number), col)
        if lid is None:
            return None, CellProblem("sheet.unknown_level", {"text": shown, "known": "、".join(n for _, n in col.levels)})
        return lid, None
    return _checked(number, shown, col)


def _number_text(text: str, col: Column) -> tuple[Any, CellProblem | None]:
    compact = text.replace(" ", "")
    if _THOUSANDS.fullmatch(compact):
        return None, CellProblem("sheet.thousands", {"text": text, "plain": compact.replace(",", "")})
    if compact.endswith("%") and _NUMBER.fullmatch(compact[:-1]):
        return None, CellProblem("sheet.percent", {"text": text, "plain": compact[:-1]})
    if not _NUMBER.fullmatch(compact):
        return None, CellProblem("sheet.not_a_number", {"text": _show(text)})
    number = Decimal(compact)
    return _checked(number, compact, col)


def _checked(number: Decimal, shown: str, col: Column) -> tuple[Any, CellProblem | None]:
    places = max(0, -number.normalize().as_tuple().exponent) if number != 0 else 0
    if col.integer:
        if number != number.to_integral_value():
            return None, CellProblem("sheet.not_integer", {"text": shown})
        if number < 0:
            return None, CellProblem("sheet.negative", {"text": shown})
        return int(number), None
    if places > MAX_PLACES:
        return None, CellProblem("sheet.places", {"text": shown, "places": places, "max": MAX_PLACES})
    if col.lo is not None and col.hi is not None and not (col.lo <= number <= col.hi):
        return None, CellProblem("sheet.out_of_range", {"text": shown, "lo": fmt(col.lo), "hi": fmt(col.hi)})
    if col.lo is not None and col.hi is None and number < col.lo:
        return None, CellProblem("sheet.negative", {"text": shown})
    return number, None


def unit_names(project: Project, uid: str, on) -> list[str]:
    """The names a unit is known by: its name on the date, its current name, its former names."""
    unit = project.units[uid]
    names = [project.unit_name(uid, on), unit.name, *(f.name for f in unit.former_names)]
    return list(dict.fromkeys(names))
