"""``site-builder sheet``: the scoring workbook an office's assessors fill in.

Written with openpyxl from the scheme version in force for the period and the
unit registry (see :mod:`site_builder.workflow.tabular` for what a column
holds).  The workbook is reproducible byte for byte: its properties carry the
period's last day as created/modified date, and the zip entries a fixed date.

Sheets:

- ``评分表``: title, three header rows (name with the clause as a comment,
  满分, line ids), one row per unit; only the cells to fill are unlocked
  (sheet protection without a password), with drop-down lists for levels and
  number validation within the line's limits; a read-only column of the points
  computed from the facts already recorded (never an Excel formula);
- with ``layout="cards"``: the same sheet as an index, and one sheet per unit
  like a 考核表 (indicator rows, 满分, 考核内容, 记录);
- ``考核内容``: every clause, with its maximum and the rule in words;
- ``_meta`` (hidden): scheme, version, period, layout and format version.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from site_builder.errors import InputError, Mark, Problems
from site_builder.scoring.rules.base import fmt
from site_builder.workflow import tabular as tb
from site_builder.workflow.tabular_target import Target, load_target, ordered_units

STATUS_WORDS = {
    "exempt": ("免于考核", "exempt"),
    "absent": ("缺考", "absent"),
    "not_applicable": ("本期不适用", "not applicable"),
}

_GREY = "FFEFEFEF"
_HEAD = "FFDDE6F0"
_FILL = "FFFFFFFF"
_CARD_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")


@dataclass
class SheetReport:
    path: Path
    display: str
    units: int
    columns: int
    filled: int
    yaml_lines: tuple[str, ...]
    layout: str
    scheme: str
    period: str

    def render(self, locale: str) -> str:
        cmd = f"site-builder import {self.display}"
        if locale == "en":
            lines = [f"Wrote the scoring workbook {self.display}: {self.units} units, {self.columns} columns to fill"
                     f" ({self.filled} cells already filled from the period file)."]
            if self.yaml_lines:
                lines.append(f"Lines kept in the period file (recorded item by item): {', '.join(self.yaml_lines)}.")
            lines.append(f"Next: fill it in (Excel or WPS), save it as .xlsx, then run: {cmd}")
        else:
            lines = [f"已写出评分表 {self.display}：{self.units} 个单位，{self.columns} 列待填写"
                     f"（其中 {self.filled} 格已按考核期文件填好）。"]
            if self.yaml_lines:
                lines.append(f"以下各项按逐项记录，仍在考核期文件中填写：{'、'.join(self.yaml_lines)}。")
            lines.append(f"下一步：用 Excel 或 WPS 填写并保存为 .xlsx，然后运行：{cmd}")
        return "\n".join(lines)


def write_sheet(root: Path, scheme: str, period: str, out: Path | None = None, layout: str = "rows",
                locale: str | None = None) -> SheetReport:
    t = load_target(root, scheme, period, locale)
    loc = locale or t.locale
    if out is None:
        out = root / f"{scheme}-{period}-评分表.xlsx"
    if out.is_dir():
        problems = Problems()
        problems.add("sheet.out_exists_dir", Mark(out.as_posix()), path=out.as_posix())
        raise InputError(problems.sorted(), loc)
    data, counts = workbook_bytes(t, layout)
    from site_builder.workflow.periodfile import atomic_write

    atomic_write(out, data)
    try:
        display = out.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        display = out.as_posix()
    if " " in display:
        display = f'"{display}"'
    return SheetReport(out, display, counts[0], counts[1], counts[2], counts[3], layout, scheme, period)


def _totals(t: Target) -> dict[str, object]:
    """Points computed from the facts recorded so far (empty when the period is not computable)."""
    if t.loaded is None:
        return {}
    try:
        from site_builder.pipeline import compute

        results = compute(t.project)
    except Exception:  # a period that cannot be scored yet: the column stays empty
        return {}
    res = results.get((t.scheme, t.period))
    if res is None:
        return {}
    out: dict[str, object] = {}
    for uid, ur in res.units.items():
        if ur.status != "assessed":
            out[uid] = STATUS_WORDS.get(ur.status, (ur.status, ur.status))[0]
        elif ur.total is not None:
            out[uid] = ur.total
    return out


def workbook_bytes(t: Target, layout_kind: str = "rows") -> tuple[bytes, tuple]:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from site_builder.site.present.wording import rule_text

    lay = tb.layout(t.sv, t.period, t.stage, t.unit_group)
    units = ordered_units(t)
    groups = {g.id: g.name for g in t.sv.scheme.groups}
    totals = _totals(t)
    scheme = t.sv.scheme
    moment = dt.datetime.combine(t.end, dt.time(0, 0))

    wb = Workbook()
    wb.properties.creator = "site-builder"
    wb.properties.lastModifiedBy = "site-builder"
    wb.properties.title = f"{scheme.title} {t.period_name} 评分表"
    wb.properties.created = moment
    wb.properties.modified = moment

    thin = Side(style="thin", color="FF999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor=_HEAD)
    grey_fill = PatternFill("solid", fgColor=_GREY)
    wrap = Alignment(wrap_text=True, vertical="center")
    unlocked = Protection(locked=False)

    # the hidden _meta sheet also holds the drop-down lists
    meta = wb.create_sheet(tb.SHEET_META)
    for r, (k, v) in enumerate([
        ("format", tb.FORMAT_VERSION), ("scheme", t.scheme), ("version", t.sv.version),
        ("period", t.period), ("layout", layout_kind), ("generator", "site-builder sheet"),
    ], start=1):
        meta.cell(r, 1, k)
        meta.cell(r, 2, v)
    list_refs: dict[str, str] = {}
    list_col = 4
    for col in lay.columns:
        if col.part != "level":
            continue
        names = [n for _, n in col.levels] + (["不适用"] if col.na else [])
        meta.cell(1, list_col, col.key)
        for i, n in enumerate(names, start=2):
            meta.cell(i, list_col, n)
        letter = get_column_letter(list_col)
        list_refs[col.key] = f"'{tb.SHEET_META}'!${letter}$2:${letter}${len(names) + 1}"
        list_col += 1
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    ws = wb.active
    ws.title = tb.SHEET_ROWS
    fact_cols = list(lay.columns) if layout_kind == "rows" else []
    last_col = tb.FIRST_FACT_COL + len(fact_cols)  # the computed-points column
    ws.cell(tb.TITLE_ROW, 1, f"{scheme.title}　{t.period_name}　评分表")
    ws.cell(tb.TITLE_ROW, 1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=tb.TITLE_ROW, start_column=1, end_row=tb.TITLE_ROW, end_column=last_col)
    heads = ["单位标识", "单位名称", "组别"]
    for i, h in enumerate(heads, start=1):
        ws.cell(tb.HEADER_ROW, i, h)
    ws.cell(tb.MAX_ROW, 1, "满分")
    ws.cell(tb.KEY_ROW, 1, tb.KEY_LABELS[0])
    for j, col in enumerate(fact_cols):
        c = tb.FIRST_FACT_COL + j
        ws.cell(tb.HEADER_ROW, c, col.title)
        if col.max is not None and col.first:
            ws.cell(tb.MAX_ROW, c, _cell_number(col.max))
        ws.cell(tb.KEY_ROW, c, col.key)
        ws.cell(tb.HEADER_ROW, c).comment = _comment(Comment, col, rule_text(col.node, col.node_type, "zh-CN"))
    ws.cell(tb.HEADER_ROW, last_col, "计算得分（导入后生成）")
    ws.cell(tb.KEY_ROW, last_col, tb.TOTAL_KEY)
    ws.cell(tb.MAX_ROW, last_col, _cell_number(scheme.total) if scheme.total is not None else None)
    for r in (tb.HEADER_ROW, tb.MAX_ROW, tb.KEY_ROW):
        for c in range(1, last_col + 1):
            cell = ws.cell(r, c)
            cell.fill = head_fill
            cell.border = border
            cell.alignment = wrap
            if r == tb.HEADER_ROW:
                cell.font = Font(bold=True)
            if r == tb.KEY_ROW:
                cell.font = Font(size=8, color="FF666666")

    filled = 0
    row_of: dict[str, int] = {}
    for i, (uid, gid) in enumerate(units):
        r = tb.FIRST_DATA_ROW + i
        row_of[uid] = r
        entry = t.units.get(uid) or {}
        status = entry.get("status") or "assessed"
        ws.cell(r, 1, uid)
        ws.cell(r, 2, t.project.unit_name(uid, t.end) if uid in t.project.units else uid)
        ws.cell(r, 3, groups.get(gid, gid))
        facts = entry.get("facts") or {}
        tree = t.sv.group_tree[gid]
        chains = t.sv.chains[tree]
        for j, col in enumerate(fact_cols):
            cell = ws.cell(r, tb.FIRST_FACT_COL + j)
            cell.border = border
            from site_builder.checks.tree import applies

            in_scope = col.line in chains and applies(chains[col.line], uid, gid, t.period, t.stage)
            if status != "assessed" or not in_scope:
                cell.value = tb.NOT_IN_SCOPE
                cell.fill = grey_fill
                cell.alignment = Alignment(horizontal="center")
                continue
            shown = tb.cells_for(facts.get(col.line), lay.line_columns[col.line])
            if shown is None:
                cell.value = tb.YAML_ONLY
                cell.fill = grey_fill
                cell.font = Font(size=9, color="FF666666")
                continue
            v = shown.get(col.key)
            if v is not None:
                cell.value = _cell_number(v) if isinstance(v, Decimal) else v
                filled += 1
            cell.protection = unlocked
        total = totals.get(uid)
        if status != "assessed":
            total = STATUS_WORDS.get(status, (status, status))[0]
        tc = ws.cell(r, last_col, _cell_number(total) if isinstance(total, Decimal) else total)
        tc.fill = grey_fill
        tc.border = border
        for c in (1, 2, 3):
            ws.cell(r, c).fill = grey_fill
            ws.cell(r, c).border = border
    first, last = tb.FIRST_DATA_ROW, tb.FIRST_DATA_ROW + max(len(units), 1) - 1
    for j, col in enumerate(fact_cols):
        letter = get_column_letter(tb.FIRST_FACT_COL + j)
        dv = _validation(DataValidation, col, list_refs.get(col.key))
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}{first}:{letter}{last}")
    ws.freeze_panes = ws.cell(tb.FIRST_DATA_ROW, tb.FIRST_FACT_COL)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 16
    for j in range(len(fact_cols)):
        ws.column_dimensions[get_column_letter(tb.FIRST_FACT_COL + j)].width = 14
    ws.column_dimensions[get_column_letter(last_col)].width = 14
    ws.row_dimensions[tb.HEADER_ROW].height = 48
    _print_setup(ws, f"1:{tb.KEY_ROW}")
    ws.protection.sheet = True

    if layout_kind == "cards":
        for i, (uid, gid) in enumerate(units):
            _card(wb, t, lay, uid, gid, groups, totals, border, head_fill, grey_fill, wrap, unlocked,
                  list_refs, DataValidation, Comment, rule_text, i)
        filled = sum(1 for sh in wb.worksheets[2:] for row in sh.iter_rows(min_row=6, min_col=5, max_col=5)
                     for c in row if c.value not in (None, tb.YAML_ONLY, tb.NOT_IN_SCOPE) and not c.protection.locked)

    _clauses(wb, t, lay, border, head_fill, wrap, rule_text)
    # sheet order: 评分表, unit cards, 考核内容, _meta (hidden) last
    order = [ws] + [s for s in wb.worksheets if s not in (ws, meta) and s.title != tb.SHEET_CLAUSES]
    order += [wb[tb.SHEET_CLAUSES], meta]
    wb._sheets = order
    wb.active = 0

    buf = io.BytesIO()
    wb.save(buf)
    data = _stable_zip(buf.getvalue(), moment)
    ncols = len(lay.columns)
    return data, (len(units), ncols, filled, lay.yaml_lines)


def _cell_number(v):
    """A Decimal as the cell's number: int when whole, else the float of its exact text."""
    if v is None or not isinstance(v, Decimal):
        return v
    if v == v.to_integral_value():
        return int(v)
    return float(fmt(v)) if "≈" not in fmt(v) else float(v)


def _comment(Comment, col: tb.Column, rule_words: str):
    parts = [col.path]
    if col.max is not None:
        parts.append(f"满分：{fmt(col.max)}")
    if col.node.clause:
        parts.append(f"考核内容：{col.node.clause}")
    if rule_words:
        parts.append(f"计分：{rule_words}")
    if col.part == "rate":
        parts.append("填写次数（整数）")
    elif col.part == "count":
        parts.append("填写次数（整数）；没有发生的可不填")
    elif col.part == "level":
        parts.append("从下拉列表中选择等次")
    if col.na and col.first:
        parts.append("不适用的填“不适用”")
    text = "\n".join(parts)
    c = Comment(text, "site-builder")
    c.width = 320
    c.height = min(60 + 18 * (len(text) // 22 + len(parts)), 600)
    return c


def _validation(DataValidation, col: tb.Column, list_ref: str | None):
    style = "warning" if col.na and col.first else "stop"
    na_hint = "；不适用的填“不适用”" if col.na and col.first else ""
    if col.part == "level":
        dv = DataValidation(type="list", formula1=list_ref, allow_blank=True)
        dv.error = "请从下拉列表中选择等次"
    elif col.integer:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "请填写 0 或正整数（次数）" + na_hint
    elif col.lo is not None and col.hi is not None:
        dv = DataValidation(type="decimal", operator="between", formula1=fmt(col.lo), formula2=fmt(col.hi),
                            allow_blank=True)
        dv.error = f"请填写 {fmt(col.lo)} 到 {fmt(col.hi)} 之间的数" + na_hint
    elif col.lo is not None:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=fmt(col.lo), allow_blank=True)
        dv.error = "请填写 0 或正数" + na_hint
    else:
        dv = DataValidation(type="decimal", operator="between", formula1="-1000000000", formula2="1000000000",
                            allow_blank=True)
        dv.error = "请填写数字" + na_hint
    dv.errorTitle = col.title[:32]
    dv.errorStyle = style
    dv.showErrorMessage = True
    return dv


def _print_setup(ws, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _card_title(name: str, used: set[str]) -> str:
    base = _CARD_SHEET_BAD.sub("_", name).strip() or "单位"
    base = base[:28]
    title, n = base, 2
    while title in used or title in (tb.SHEET_ROWS, tb.SHEET_CLAUSES, tb.SHEET_META):
        title = f"{base[:25]}({n})"
        n += 1
    used.add(title)
    return title


def _card(wb, t, lay, uid, gid, groups, totals, border, head_fill, grey_fill, wrap, unlocked, list_refs,
          DataValidation, Comment, rule_text, index) -> None:
    from openpyxl.styles import Font

    from site_builder.checks.tree import applies

    used = {s.title for s in wb.worksheets}
    name = t.project.unit_name(uid, t.end) if uid in t.project.units else uid
    ws = wb.create_sheet(_card_title(name, used))
    ws.cell(1, 1, f"{t.sv.scheme.title}　{t.period_name}　考核表")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    for r, (label, value) in enumerate([("单位标识", uid), ("单位名称", name), ("组别", groups.get(gid, gid))], start=2):
        ws.cell(r, 1, label).fill = head_fill
        ws.cell(r, 2, value)
    heads = [tb.KEY_LABELS[0], "指标", "满分", "考核内容", "记录"]
    for c, h in enumerate(heads, start=1):
        cell = ws.cell(5, c, h)
        cell.fill = head_fill
        cell.font = Font(bold=True)
        cell.border = border
    entry = t.units.get(uid) or {}
    status = entry.get("status") or "assessed"
    facts = entry.get("facts") or {}
    chains = t.sv.chains[t.sv.group_tree[gid]]
    for i, col in enumerate(lay.columns):
        r = 6 + i
        ws.cell(r, 1, col.key).font = Font(size=8, color="FF666666")
        ws.cell(r, 2, col.path if col.first else col.title)
        ws.cell(r, 3, _cell_number(col.max) if col.max is not None and col.first else None)
        ws.cell(r, 4, col.node.clause or rule_text(col.node, col.node_type, "zh-CN"))
        for c in range(1, 5):
            ws.cell(r, c).alignment = wrap
            ws.cell(r, c).border = border
        cell = ws.cell(r, 5)
        cell.border = border
        in_scope = col.line in chains and applies(chains[col.line], uid, gid, t.period, t.stage)
        if status != "assessed" or not in_scope:
            cell.value = tb.NOT_IN_SCOPE
            cell.fill = grey_fill
            continue
        shown = tb.cells_for(facts.get(col.line), lay.line_columns[col.line])
        if shown is None:
            cell.value = tb.YAML_ONLY
            cell.fill = grey_fill
            continue
        v = shown.get(col.key)
        cell.value = _cell_number(v) if isinstance(v, Decimal) else v
        cell.protection = unlocked
        dv = _validation(DataValidation, col, list_refs.get(col.key))
        ws.add_data_validation(dv)
        dv.add(f"E{r}")
    end = 6 + len(lay.columns)
    ws.cell(end, 2, "计算得分（导入后生成）").font = Font(bold=True)
    total = totals.get(uid)
    ws.cell(end, 5, _cell_number(total) if isinstance(total, Decimal) else total).fill = grey_fill
    for letter, width in (("A", 12), ("B", 28), ("C", 8), ("D", 60), ("E", 16)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "E6"
    _print_setup(ws, "1:5")
    ws.page_setup.orientation = "portrait"
    ws.protection.sheet = True


def _clauses(wb, t, lay, border, head_fill, wrap, rule_text) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(tb.SHEET_CLAUSES)
    heads = ["指标标识", "指标", "满分", "考核内容", "计分规则", "责任科室", "表中的列"]
    for c, h in enumerate(heads, start=1):
        cell = ws.cell(1, c, h)
        cell.fill = head_fill
        cell.font = Font(bold=True)
        cell.border = border
    r = 2
    done: set[str] = set()
    for tree_id, tree in t.sv.trees.items():
        types = t.sv.types[tree_id]
        for leaf, chain in t.sv.chains[tree_id].items():
            if leaf in done:
                continue
            done.add(leaf)
            node = chain[-1]
            cols = lay.line_columns.get(leaf, ())
            where = "、".join(c.title for c in cols) if cols else (
                "在考核期文件中逐项记录" if leaf in lay.yaml_lines else "本期不考核")
            values = [leaf, " › ".join(n.name for n in chain), _cell_number(node.max) if node.max is not None else None,
                      node.clause or "", rule_text(node, types[node.id], "zh-CN"), node.office or "", where]
            for c, v in enumerate(values, start=1):
                cell = ws.cell(r, c, v)
                cell.alignment = wrap
                cell.border = border
            r += 1
    for letter, width in (("A", 14), ("B", 30), ("C", 8), ("D", 60), ("E", 40), ("F", 14), ("G", 24)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws, "1:1")
    ws.protection.sheet = True


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _stable_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same workbook with fixed entry dates and the modified date of the period."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    date_time = (max(moment.year, 1980), moment.month, moment.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(lambda m: m.group(1) + stamp + m.group(2), body)
            zi = zipfile.ZipInfo(info.filename, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()
