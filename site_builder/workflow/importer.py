"""``site-builder import``: a filled scoring sheet into the period file, all or nothing.

Reads the workbook written by ``site-builder sheet`` (XLSX, its cached values
— a formula whose result was never saved is refused at its cell) or that sheet
saved as CSV (UTF-8 with or without BOM, or GB18030 as Windows Excel saves it:
a BOM means UTF-8, otherwise strict UTF-8 is tried, then GB18030).

Every problem is reported at once, as ``file!sheet!cell`` for a workbook and
``file!cell`` for a CSV (the cell as Excel shows it when the CSV is opened);
nothing is written unless everything is valid.  Units are matched by id
(column A), by their name in the period, current name or a former name
(column B).  Unchanged lines keep their text in the YAML (13.50 stays 13.50),
so importing the same sheet twice changes nothing the second time.

A period that is already on public notice or published is still written (the
clerk's correction draft), and the changes are listed with the next command:
``site-builder correct`` records them; until then the build refuses.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.errors import InputError, Mark, Problems
from site_builder.workflow import tabular as tb
from site_builder.workflow.tabular_target import Target, load_target, ordered_units

@dataclass
class Grid:
    """One sheet's cells as read: values, formulas, number formats, merged ranges."""

    name: str | None  # None for a CSV
    values: dict[tuple[int, int], Any]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # r1, c1, r2, c2, text
    max_row: int = 0
    max_col: int = 0

    def get(self, r: int, c: int) -> Any:
        return self.values.get((r, c))


@dataclass
class ImportReport:
    display: str
    file: str
    created: bool
    units: int
    changed_units: list[str]
    changes: list[tuple[str, str, str, str]]  # unit, line, old, new
    empty_cells: int
    locked: bool
    scheme: str
    period: str
    yaml_lines: tuple[str, ...] = ()

    def render(self, locale: str) -> str:
        en = locale == "en"
        out: list[str] = []
        if not self.changes and not self.created:
            out.append(f"{self.file}: nothing changed; {self.display} is already up to date ({self.units} units)."
                       if en else f"{self.file}：没有变化，{self.display} 已是最新（{self.units} 个单位）。")
        else:
            verb = ("created" if self.created else "updated") if en else ("新建" if self.created else "已更新")
            if en:
                out.append(f"{verb} {self.display} from {self.file}: {self.units} units, "
                           f"{len(self.changes)} facts changed in {len(self.changed_units)} units.")
            else:
                out.append(f"{verb} {self.display}（来自 {self.file}）：{self.units} 个单位，"
                           f"{len(self.changed_units)} 个单位的 {len(self.changes)} 项记录有变化。")
        if self.empty_cells:
            out.append(f"{self.empty_cells} cells are still empty (allowed in a draft; check reports them before publishing)."
                       if en else f"还有 {self.empty_cells} 格未填（草稿中允许；发布前 check 会逐项列出）。")
        if self.yaml_lines:
            out.append(f"Lines recorded item by item are filled in {self.display} itself: {', '.join(self.yaml_lines)}."
                       if en else f"以下各项按逐项记录，请直接在 {self.display} 中填写：{'、'.join(self.yaml_lines)}。")
        if self.locked and not self.changes:
            return "\n".join(out)
        if self.locked and self.changes:
            out.append("This period is already on public notice or published. Changes against the published version:"
                       if en else "本期结果已公示或已发布。与已发布版本相比的改动：")
            for unit, line, old, new in self.changes:
                out.append(f"  {unit}  {line}: {old} → {new}")
            out.append(
                f'The build refuses these changes until they are recorded as a correction: site-builder correct {self.scheme} {self.period} --reason "…"'
                if en else
                f'在登记更正之前构建会拒绝这些改动。请运行：site-builder correct {self.scheme} {self.period} --reason "更正原因"')
        else:
            if self.changes and len(self.changes) <= 30:
                for unit, line, old, new in self.changes:
                    out.append(f"  {unit}  {line}: {old} → {new}")
            out.append(
                f"Next: site-builder check, then site-builder publish {self.scheme} {self.period} --gongshi --number … --date …"
                if en else
                f"下一步：运行 site-builder check 检查，无误后 site-builder publish {self.scheme} {self.period} --gongshi --number 文号 --date 日期")
        return "\n".join(out)


# ----------------------------------------------------------------- reading files


def _decode_csv(raw: bytes) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict") if _utf8(raw[3:]) else None
    if _utf8(raw):
        return raw.decode("utf-8")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _read_csv(path: Path, display: str, problems: Problems) -> Grid | None:
    raw = path.read_bytes()
    text = _decode_csv(raw)
    if text is None:
        problems.add("sheet.bad_encoding", Mark(display))
        return None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    values: dict[tuple[int, int], Any] = {}
    max_row = max_col = 0
    for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
        for c, v in enumerate(row, start=1):
            if v != "":
                values[(r, c)] = v
                max_col = max(max_col, c)
        max_row = r
    return Grid(None, values, max_row=max_row, max_col=max_col)


def _read_xlsx(path: Path, display: str, problems: Problems) -> tuple[dict[str, Grid], dict[str, str]] | None:
    import zipfile

    from openpyxl import load_workbook

    try:
        cached = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        problems.add("sheet.unreadable", Mark(display), error=type(exc).__name__)
        return None
    except Exception as exc:  # openpyxl raises many kinds on a damaged file: report, never a traceback
        problems.add("sheet.unreadable", Mark(display), error=type(exc).__name__)
        return None
    grids: dict[str, Grid] = {}
    meta: dict[str, str] = {}
    for ws in cached.worksheets:
        fws = formulas[ws.title]
        values: dict[tuple[int, int], Any] = {}
        forms: dict[tuple[int, int], str] = {}
        fmts: dict[tuple[int, int], str] = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    values[(cell.row, cell.column)] = cell.value
                    if cell.number_format and cell.number_format != "General":
                        fmts[(cell.row, cell.column)] = cell.number_format
        for row in fws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                    forms[(cell.row, cell.column)] = str(cell.value)
                elif type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula"):
                    forms[(cell.row, cell.column)] = getattr(cell.value, "text", None) or "{=…}"
        merged = [(m.min_row, m.min_col, m.max_row, m.max_col, str(m)) for m in ws.merged_cells.ranges]
        grids[ws.title] = Grid(ws.title, values, forms, fmts, merged, ws.max_row, ws.max_column)
    if tb.SHEET_META in grids:
        g = grids[tb.SHEET_META]
        for r in range(1, 20):
            k, v = g.get(r, 1), g.get(r, 2)
            if isinstance(k, str) and v is not None:
                meta[k] = str(v)
    return grids, meta


# ----------------------------------------------------------------- the import


def _cell_name(r: int, c: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c)}{r}"


def import_file(root: Path, file: Path, scheme: str | None = None, period: str | None = None,
                locale: str | None = None) -> ImportReport:
    from site_builder.pipeline import _guess_locale

    loc = locale or _guess_locale(root)
    problems = Problems()
    display = file.as_posix()
    if not file.is_file():
        problems.add("sheet.unreadable", Mark(display), error="找不到文件 / file not found")
        raise InputError(problems.sorted(), loc)
    is_csv = file.suffix.lower() in (".csv", ".txt")
    grids: dict[str, Grid] = {}
    meta: dict[str, str] = {}
    if is_csv:
        g = _read_csv(file, display, problems)
        if g is not None:
            grids[tb.SHEET_ROWS] = g
    else:
        got = _read_xlsx(file, display, problems)
        if got is not None:
            grids, meta = got
    if problems:
        raise InputError(problems.sorted(), loc)
    if meta.get("format") not in (None, tb.FORMAT_VERSION):
        problems.add("sheet.meta_format", Mark(f"{display}!{tb.SHEET_META}"), found=meta.get("format"),
                     expected=tb.FORMAT_VERSION)
        raise InputError(problems.sorted(), loc)
    f_scheme, f_period = meta.get("scheme"), meta.get("period")
    if f_scheme and f_period:
        if (scheme and scheme != f_scheme) or (period and period != f_period):
            problems.add("sheet.meta_mismatch", Mark(display), file_scheme=f_scheme, file_period=f_period,
                         scheme=scheme or f_scheme, period=period or f_period)
            raise InputError(problems.sorted(), loc)
        scheme, period = f_scheme, f_period
    if not scheme or not period:
        problems.add("sheet.no_meta", Mark(display), example_scheme="scheme-id", example_period="2024-Q1")
        raise InputError(problems.sorted(), loc)
    t = load_target(root, scheme, period, locale)
    loc = locale or t.locale
    if meta.get("version") and meta["version"] != t.sv.version:
        problems.add("sheet.version_mismatch", Mark(f"{display}!{tb.SHEET_META}"), found=meta["version"],
                     expected=t.sv.version)
        raise InputError(problems.sorted(), loc)
    lay = tb.layout(t.sv, t.period, t.stage, t.unit_group)
    reader = _Reader(t, lay, display, problems, is_csv)
    if meta.get("layout") == "cards":
        records = reader.cards(grids)
    elif tb.SHEET_ROWS in grids:
        records = reader.rows(grids[tb.SHEET_ROWS])
    else:
        problems.add("sheet.no_sheet", Mark(display), sheet=tb.SHEET_ROWS)
        records = {}
    if problems:
        raise InputError(problems.sorted(), loc)
    return _write(t, lay, records, display, problems, loc)


class _Reader:
    def __init__(self, t: Target, lay: tb.Layout, display: str, problems: Problems, is_csv: bool) -> None:
        self.t, self.lay, self.display, self.problems, self.is_csv = t, lay, display, problems, is_csv
        self.by_key = lay.by_key()
        self.names = self._names()

    def mark(self, grid: Grid, r: int, c: int) -> Mark:
        where = _cell_name(r, c)
        if grid.name is None:
            return Mark(f"{self.display}!{where}")
        return Mark(f"{self.display}!{grid.name}!{where}")

    def _names(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for uid in self.t.unit_group:
            names = tb.unit_names(self.t.project, uid, self.t.end) if uid in self.t.project.units else [uid]
            for n in names:
                out.setdefault(_norm(n), set()).add(uid)
        return out

    def unit_of(self, grid: Grid, r: int, id_col: int, name_col: int) -> str | None:
        uid_raw, name_raw = grid.get(r, id_col), grid.get(r, name_col)
        uid = _norm(str(uid_raw)) if uid_raw is not None else ""
        name = _norm(str(name_raw)) if name_raw is not None else ""
        if uid and uid in self.t.unit_group:
            return uid
        if name:
            hits = self.names.get(name, set())
            if len(hits) == 1:
                return next(iter(hits))
            if len(hits) > 1:
                self.problems.add("sheet.ambiguous_unit", self.mark(grid, r, name_col), name=name,
                                  ids="、".join(sorted(hits)))
                return None
        shown = name or uid
        where = self.mark(grid, r, name_col if name else id_col)
        close = difflib.get_close_matches(shown, sorted(self.names), n=3, cutoff=0.0)
        close_zh = f"；最接近的是：{'、'.join(close)}" if close else ""
        close_en = f"; closest: {', '.join(close)}" if close else ""
        self.problems.add("sheet.unknown_unit", where, name=shown, close_zh=close_zh, close_en=close_en)
        return None

    # -- one cell --------------------------------------------------------------------

    def cell(self, grid: Grid, r: int, c: int, col: tb.Column) -> tuple[Any, bool]:
        """(parsed value, ok)"""
        v = grid.get(r, c)
        formula = grid.formulas.get((r, c))
        if formula is not None and v is None:
            self.problems.add("sheet.formula_no_cache", self.mark(grid, r, c), formula=formula[:60])
            return None, False
        parsed, problem = tb.parse_cell(v, col, grid.formats.get((r, c), "General"))
        if problem is not None:
            self.problems.add(problem.code, self.mark(grid, r, c), **problem.params)
            return None, False
        return parsed, True

    # -- the 评分表 sheet ---------------------------------------------------------------

    def rows(self, grid: Grid) -> dict[str, dict[str, tuple[Any, Mark]]]:
        key_row = next((r for r in range(1, min(grid.max_row, 20) + 1)
                        if isinstance(grid.get(r, 1), str) and _norm(grid.get(r, 1)) in tb.KEY_LABELS), None)
        if key_row is None:
            self.problems.add("sheet.no_key_row", self.mark(grid, 1, 1) if grid.name else Mark(self.display))
            return {}
        first_data = key_row + 1
        header_row = max(1, key_row - 2)
        cols: dict[int, tb.Column] = {}
        seen: dict[str, int] = {}
        for c in range(tb.FIRST_FACT_COL, grid.max_col + 1):
            key = grid.get(key_row, c)
            key = _norm(str(key)) if key is not None else ""
            if key == tb.TOTAL_KEY:
                continue
            has_data = any(grid.get(r, c) is not None for r in range(first_data, grid.max_row + 1))
            head = grid.get(header_row, c)
            if key in self.by_key:
                if key in seen:
                    self.problems.add("sheet.duplicate_column", self.mark(grid, key_row, c), key=key,
                                      other=_cell_name(key_row, seen[key]))
                    continue
                seen[key] = c
                cols[c] = self.by_key[key]
            elif key or has_data or head is not None:
                self.problems.add("sheet.unknown_column", self.mark(grid, header_row if head is not None else key_row, c),
                                  header=str(head if head is not None else key or _cell_name(key_row, c)),
                                  key_row=key_row)
        for key, col in self.by_key.items():
            if key not in seen:
                self.problems.add("sheet.missing_column", self.mark(grid, key_row, 1), key=key, name=col.title)
        for r1, c1, r2, c2, text in grid.merged:
            if r2 >= first_data:
                self.problems.add("sheet.merged", self.mark(grid, max(r1, first_data), c1), range=text)
        records: dict[str, dict[str, tuple[Any, Mark]]] = {}
        row_of: dict[str, int] = {}
        last = max(grid.max_row, first_data - 1)
        for r in range(first_data, last + 1):
            if all(_blank(grid.get(r, c)) for c in range(1, grid.max_col + 1)):
                continue  # an empty row: skipped
            if _blank(grid.get(r, 1)) and _blank(grid.get(r, 2)):
                if any(not _blank(grid.get(r, c)) for c in cols):
                    self.problems.add("sheet.no_unit", self.mark(grid, r, 1))
                continue
            uid = self.unit_of(grid, r, 1, 2)
            if uid is None:
                continue
            if uid in row_of:
                self.problems.add("sheet.duplicate_unit", self.mark(grid, r, 2), id=uid, name=self._name(uid),
                                  other=f"{_cell_name(row_of[uid], 2)}")
                continue
            row_of[uid] = r
            records[uid] = self._unit_cells(grid, uid, [(r, c, col) for c, col in cols.items()])
        self._missing(records, grid)
        return records

    def _name(self, uid: str) -> str:
        return self.t.project.unit_name(uid, self.t.end) if uid in self.t.project.units else uid

    def _missing(self, records: dict, grid: Grid) -> None:
        groups = {g.id: g.name for g in self.t.sv.scheme.groups}
        for uid, gid in ordered_units(self.t):
            if uid not in records:
                self.problems.add("sheet.missing_unit", Mark(f"{self.display}!{grid.name}" if grid.name else self.display),
                                  id=uid, name=self._name(uid), group=groups.get(gid, gid))

    def _unit_cells(self, grid: Grid, uid: str, cells: list[tuple[int, int, tb.Column]]) -> dict[str, tuple[Any, Mark]]:
        """Parsed values of one unit's cells: column key -> (value, mark); YAML-only and out-of-scope cells checked."""
        from site_builder.checks.tree import applies

        t = self.t
        gid = t.unit_group[uid]
        chains = t.sv.chains[t.sv.group_tree[gid]]
        entry = t.units.get(uid) or {}
        status = entry.get("status") or "assessed"
        facts = entry.get("facts") or {}
        out: dict[str, tuple[Any, Mark]] = {}
        for r, c, col in cells:
            raw = grid.get(r, c)
            m = self.mark(grid, r, c)
            text = _norm(str(raw)) if raw is not None else ""
            in_scope = col.line in chains and applies(chains[col.line], uid, gid, t.period, t.stage)
            if status != "assessed":
                if text and text != tb.NOT_IN_SCOPE:
                    self.problems.add("sheet.unit_not_assessed", m, status=status, reason=entry.get("reason") or "—")
                continue
            if not in_scope:
                if text and text != tb.NOT_IN_SCOPE:
                    self.problems.add("sheet.not_in_scope", m, text=text[:40])
                continue
            shown = tb.cells_for(facts.get(col.line), self.lay.line_columns[col.line])
            if shown is None:
                if text not in (_norm(tb.YAML_ONLY), _norm(tb.YAML_ONLY_EN)):
                    self.problems.add("sheet.yaml_only", m, file=t.display, text=text[:40], shown=tb.YAML_ONLY)
                continue
            value, ok = self.cell(grid, r, c, col)
            if not ok:
                continue
            if value is tb.NA and not col.first:
                first = self.lay.line_columns[col.line][0]
                self.problems.add("sheet.na_elsewhere", m, first=first.title)
                continue
            out[col.key] = (value, m)
        return out

    # -- the per-unit cards ------------------------------------------------------------------

    def cards(self, grids: dict[str, Grid]) -> dict[str, dict[str, tuple[Any, Mark]]]:
        records: dict[str, dict[str, tuple[Any, Mark]]] = {}
        where: dict[str, str] = {}
        for name, grid in grids.items():
            if name in (tb.SHEET_ROWS, tb.SHEET_CLAUSES, tb.SHEET_META):
                continue
            if _norm(str(grid.get(2, 1) or "")) != "单位标识":
                continue
            uid = self.unit_of(grid, 2, 2, 2) if grid.get(2, 2) is not None else self.unit_of(grid, 3, 2, 2)
            if uid is None:
                continue
            if uid in records:
                self.problems.add("sheet.duplicate_unit", self.mark(grid, 2, 2), id=uid, name=self._name(uid),
                                  other=where[uid])
                continue
            where[uid] = name
            cells: list[tuple[int, int, tb.Column]] = []
            seen: set[str] = set()
            for r1, c1, r2, c2, text in grid.merged:
                if r2 >= 6 and c2 >= 5 >= c1:
                    self.problems.add("sheet.merged", self.mark(grid, max(r1, 6), c1), range=text)
            for r in range(6, grid.max_row + 1):
                key = grid.get(r, 1)
                key = _norm(str(key)) if key is not None else ""
                if not key:
                    continue
                col = self.by_key.get(key)
                if col is None:
                    self.problems.add("sheet.unknown_column", self.mark(grid, r, 1), header=key, key_row="A")
                    continue
                seen.add(key)
                cells.append((r, 5, col))
            for key, col in self.by_key.items():
                if key not in seen:
                    self.problems.add("sheet.missing_column", self.mark(grid, 5, 1), key=key, name=col.title)
            records[uid] = self._unit_cells(grid, uid, cells)
        self._missing(records, Grid(None, {}))
        return records


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# ----------------------------------------------------------------- writing


def _cell_text(raw: Any, cols: tuple[tb.Column, ...]) -> str:
    """A line's record as the sheet shows it (level names, 不适用, the number), else as YAML."""
    shown = tb.cells_for(raw, cols)
    if shown is None or raw is None:
        return _shown(raw)
    parts = []
    for c in cols:
        v = shown.get(c.key)
        if v is None:
            continue
        text = _shown(v)
        parts.append(text if len(cols) == 1 else f"{c.title.split('：')[-1]} {text}")
    return "、".join(parts) if parts else _shown(None)


def _shown(raw: Any) -> str:
    if raw is None:
        return "（空）"
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in raw.items()) + "}"
    from decimal import Decimal

    if isinstance(raw, Decimal):
        from site_builder.scoring.rules.base import fmt

        return fmt(raw)
    return str(raw)


def _check_facts(t: Target, lay: tb.Layout, uid: str, line: str, value: Any, marks: list[Mark],
                 problems: Problems) -> None:
    """The rule's own checks of the new record (level known, points within max, rates known)."""
    from site_builder.checks.tree import line_spec
    from site_builder.scoring.facts import Facts

    cols = lay.line_columns[line]
    data = tb._expand(value, cols[0])
    if data is None or data.get("na") in (True, "true"):
        return
    try:
        facts = Facts.model_validate(data)
    except Exception:
        return  # the cells were checked one by one; the full check runs on the file
    node = cols[0].node

    def report(code: str, sub: tuple = (), **params: object) -> None:
        problems.add(code, marks[0] if marks else Mark(t.display), **params)

    node.rule.check_facts(line_spec(node, cols[0].node_type), facts, report)


def _write(t: Target, lay: tb.Layout, records: dict[str, dict[str, tuple[Any, Mark]]], display: str,
           problems: Problems, loc: str) -> ImportReport:
    from site_builder.workflow.periodfile import PeriodFile, period_text, write_new

    changes: list[tuple[str, str, str, str]] = []
    new_units: dict[str, dict] = {}
    changed_units: list[str] = []
    empty = 0
    for uid, gid in ordered_units(t):
        cells = records.get(uid, {})
        entry = dict(t.units.get(uid) or {})
        if (entry.get("status") or "assessed") != "assessed":
            new_units[uid] = entry
            continue
        old_facts = dict(entry.get("facts") or {})
        facts = dict(old_facts)
        for line, cols in lay.line_columns.items():
            if not any(c.key in cells for c in cols):
                continue
            values = {c.key: cells[c.key][0] for c in cols if c.key in cells}
            marks = [cells[c.key][1] for c in cols if c.key in cells]
            present, value = tb.facts_from_cells(values, cols, old_facts.get(line))
            if present and value is None and not cols[0].node.rule.facts_optional:
                empty += 1
            old = old_facts.get(line)
            if tb.same_record(old, value if present else None, cols):
                continue
            _check_facts(t, lay, uid, line, value, marks, problems)
            if present:
                facts[line] = value
            else:
                facts.pop(line, None)
            changes.append((uid, line, _cell_text(old, cols), _cell_text(value if present else None, cols)))
        if uid not in t.units:  # a new entry lists the lines kept in YAML too, empty, to be filled there
            facts.update({line: None for line in _yaml_lines(t, lay, uid, gid) if line not in facts})
        if facts != old_facts or uid not in t.units:
            if uid in t.units:
                changed_units.append(uid)
            entry["facts"] = _ordered(facts, t, gid)
        new_units[uid] = entry
    if problems:
        raise InputError(problems.sorted(), loc)
    locked = _is_locked(t)
    created = not t.path.exists()
    if created:
        doc = {"scheme": t.scheme, "version": t.sv.version, "period": t.period, "status": "draft",
               "units": {uid: {"facts": new_units[uid].get("facts") or {}} for uid, _ in ordered_units(t)}}
        groups = {g.id: g.name for g in t.sv.scheme.groups}
        firsts: dict[str, str] = {}
        for uid, gid in ordered_units(t):
            firsts.setdefault(gid, uid)
        text = period_text(
            doc, schema="../../schema/scores.schema.json",
            header=[f"{t.period_name}。由 site-builder import 从 {Path(display).name} 写入；记录的是事实，分数由方案计算。"],
            unit_comments={uid: t.project.unit_name(uid, t.end) for uid, _ in ordered_units(t) if uid in t.project.units},
            group_comments={uid: groups.get(gid, gid) for gid, uid in firsts.items()},
        )
        write_new(t.path, text)
        changed_units = [uid for uid, _ in ordered_units(t)]
    elif changed_units:
        pf = PeriodFile.read(t.path)
        for uid in changed_units:
            pf.set_unit(uid, new_units[uid])
        pf.save()
    return ImportReport(t.display, display, created, len(ordered_units(t)), changed_units, changes, empty, locked,
                        t.scheme, t.period, lay.yaml_lines)


def _yaml_lines(t: Target, lay: tb.Layout, uid: str, gid: str) -> list[str]:
    from site_builder.checks.tree import applies

    chains = t.sv.chains[t.sv.group_tree[gid]]
    return [line for line in lay.yaml_lines
            if line in chains and applies(chains[line], uid, gid, t.period, t.stage)
            and not chains[line][-1].rule.facts_optional]


def _ordered(facts: dict, t: Target, gid: str) -> dict:
    """Facts in the order of the unit's tree (lines added by the sheet go where the scheme has them)."""
    order = list(t.sv.chains[t.sv.group_tree[gid]])
    known = [k for k in order if k in facts]
    return {**{k: facts[k] for k in known}, **{k: v for k, v in facts.items() if k not in order}}


def _is_locked(t: Target) -> bool:
    if t.loaded is not None and t.loaded.status in ("public_notice", "published"):
        return True
    try:
        from site_builder.site.records.lock.reading import load_lock

        locked = load_lock(t.project.root, Problems())
    except Exception:
        return False
    return bool(locked) and f"{t.scheme}/{t.period}" in locked
