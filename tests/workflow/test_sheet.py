"""site-builder sheet: the scoring workbook, as the office's assessors receive it."""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from decimal import Decimal

import openpyxl

from site_builder.pipeline import check
from tests.workflow.sheet_support import basic, columns, convert, example, rows, run


def _sheet(root, period="2018-Q3", *extra):
    out = root / f"{period}.xlsx"
    r = run("sheet", "xiaoneng", period, "--root", root, "--out", out, *extra)
    assert r.exit_code == 0, r.output
    return out, r


def test_layout_one_row_per_unit_one_column_per_fact(tmp_path):
    root = basic(tmp_path)
    out, r = _sheet(root)
    assert "5 个单位，7 列待填写" in r.output
    assert f"site-builder import {out.as_posix()}" in r.output or "site-builder import" in r.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["评分表", "考核内容", "_meta"]
    ws = wb["评分表"]
    assert columns(ws) == {"jilv:leader": 4, "jilv:staff": 5, "fuwu": 6, "tuijin": 7,
                           "jiafen:city": 8, "jiafen:prov": 9, "koufen": 10, "_total": 11}
    assert [ws.cell(2, c).value for c in range(1, 12)] == [
        "单位标识", "单位名称", "组别", "工作纪律：科级以上干部", "工作纪律：一般干部", "服务态度", "重点工作推进",
        "创新加分：市级", "创新加分：省级", "通报扣分", "计算得分（导入后生成）"]
    assert [ws.cell(3, c).value for c in (4, 6, 7, 8, 10, 11)] == [20, 20, 60, 5, 10, 100]
    assert rows(ws) == {"fgw": 5, "czj": 6, "sjj": 7, "jyj": 8, "wjw": 9}
    assert [ws.cell(r, 2).value for r in range(5, 10)] == ["县发展改革委", "县财政局", "县市场监管局", "县教育体育局", "县卫生健康委"]
    assert ws.cell(5, 3).value == "综合管理部门组" and ws.cell(9, 3).value == "社会事业部门组"
    comment = ws.cell(2, 7).comment.text
    assert "满分：60" in comment and "业务工作 › 重点工作推进" in comment
    assert "计分：" in comment
    # an empty period: nothing filled, no computed points
    assert all(ws.cell(r, c).value is None for r in range(5, 10) for c in range(4, 12))


def test_protection_validation_panes_print(tmp_path):
    root = basic(tmp_path)
    out, _ = _sheet(root)
    wb = openpyxl.load_workbook(out)
    ws = wb["评分表"]
    assert ws.protection.sheet is True and not ws.protection.password
    assert ws.cell(5, 1).protection.locked and ws.cell(2, 7).protection.locked and ws.cell(5, 11).protection.locked
    assert not ws.cell(5, 7).protection.locked and not ws.cell(9, 4).protection.locked
    assert ws.freeze_panes == "D5"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.print_title_rows == "$1:$4"
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert (dvs["G5:G9"].type, dvs["G5:G9"].operator, dvs["G5:G9"].formula1, dvs["G5:G9"].formula2) == (
        "decimal", "between", "0", "60")
    assert (dvs["J5:J9"].type, dvs["J5:J9"].formula1) == ("whole", "0")
    levels = dvs["F5:F9"]
    assert levels.type == "list"
    ref = levels.formula1.split("!")[1].replace("$", "")
    meta = wb["_meta"]
    assert [row[0].value for row in meta[ref]] == ["好", "较好", "一般", "差"]
    assert meta.sheet_state == "hidden"
    assert {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 6)} == {
        "format": "1", "scheme": "xiaoneng", "version": "v2018", "period": "2018-Q3", "layout": "rows"}
    clauses = wb["考核内容"]
    ids = [clauses.cell(r, 1).value for r in range(2, clauses.max_row + 1)]
    assert ids == ["jilv", "fuwu", "tuijin", "jiafen", "koufen"]
    assert clauses.cell(6, 4).value == "被县级以上通报批评的，每次扣3分。"
    assert clauses.cell(6, 3).value == 10


def test_prefilled_from_the_period_with_computed_points(tmp_path):
    root = basic(tmp_path)
    out, r = _sheet(root, "2018-Q2")
    assert "11 格已按考核期文件填好" in r.output
    ws = openpyxl.load_workbook(out)["评分表"]
    cols, rws = columns(ws), rows(ws)
    assert ws.cell(rws["sjj"], cols["fuwu"]).value == "差"
    assert ws.cell(rws["sjj"], cols["koufen"]).value == 2
    assert ws.cell(rws["czj"], cols["tuijin"]).value == 55
    # awards recorded one by one stay in the YAML: shown read-only
    assert ws.cell(rws["wjw"], cols["jiafen:city"]).value == "（见考核期文件）"
    assert ws.cell(rws["wjw"], cols["jiafen:city"]).protection.locked
    project, results = check(root)
    res = results[("xiaoneng", "2018-Q2")]
    for unit, row in rws.items():
        cell = ws.cell(row, cols["_total"])
        assert cell.data_type == "n"  # a number, never a formula
        assert Decimal(str(cell.value)) == res.units[unit].total
    assert ws.cell(rws["sjj"], cols["_total"]).value == 62


def test_reproducible_byte_for_byte(tmp_path):
    root = basic(tmp_path)
    first, _ = _sheet(root, "2018-Q2")
    one = first.read_bytes()
    time.sleep(2.1)  # zip entry times have a 2-second resolution
    second, _ = _sheet(root, "2018-Q2")
    assert second.read_bytes() == one
    z = zipfile.ZipFile(io.BytesIO(one))
    assert {i.date_time for i in z.infolist()} == {(2018, 6, 30, 0, 0, 0)}
    core = z.read("docProps/core.xml").decode()
    assert "2018-06-30T00:00:00Z</dcterms:modified>" in core and "2018-06-30T00:00:00Z</dcterms:created>" in core


def test_example_schemes_each_get_a_sheet(tmp_path):
    root = example(tmp_path)
    r = run("sheet", "genhe-windows", "2021-Q1", "--root", root, "--out", root / "g.xlsx")
    assert r.exit_code == 0, r.output
    # formula values and discretionary awards stay in the period file, and the clerk is told
    assert "以下各项按逐项记录，仍在考核期文件中填写：wsb-lr、bzjf-hd。" in r.output
    ws = openpyxl.load_workbook(root / "g.xlsx")["评分表"]
    cols, rws = columns(ws), rows(ws)
    assert "gzls:wbs" in cols and "wmc#points" in cols and "wsb-lr" not in cols
    assert ws.cell(rws["gh-scjg"], cols["gzls:wbs"]).value == 1
    assert ws.cell(rws["gh-scjg"], cols["wmc#points"]).value == 3
    assert ws.cell(rws["gh-gaj"], cols["kq"]).value == "（见考核期文件）"


def test_cards_layout_one_sheet_per_unit_and_back(tmp_path):
    root = basic(tmp_path)
    out, _ = _sheet(root, "2018-Q2", "--layout", "cards")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["评分表", "县发展改革委", "县财政局", "县市场监管局", "县教育体育局", "县卫生健康委", "考核内容", "_meta"]
    card = wb["县市场监管局"]
    assert card["B2"].value == "sjj"
    keyed = {card.cell(r, 1).value: r for r in range(6, card.max_row + 1) if card.cell(r, 1).value}
    assert card.cell(keyed["fuwu"], 5).value == "差"
    assert card.cell(keyed["tuijin"], 3).value == 60
    assert not card.cell(keyed["tuijin"], 5).protection.locked and card.cell(keyed["tuijin"], 4).protection.locked
    card.cell(keyed["tuijin"], 5).value = 50
    wb.save(out)
    before = (root / "scores/xiaoneng/2018-Q2.yaml").read_bytes()
    r = run("import", out, "--root", root)
    assert r.exit_code == 0, r.output
    assert "sjj  tuijin: 48 → 50" in r.output
    after = (root / "scores/xiaoneng/2018-Q2.yaml").read_bytes()
    assert after == before.replace(b'      tuijin: "48"\n', b'      tuijin: 50\n')


def test_unknown_scheme_and_period_are_messages_not_tracebacks(tmp_path):
    root = basic(tmp_path)
    r = run("sheet", "xiaonen", "2018-Q3", "--root", root)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "方案“xiaonen”不存在" in r.output and "是不是“xiaoneng”" in r.output
    r = run("sheet", "xiaoneng", "2016-Q1", "--root", root)
    assert r.exit_code == 1
    assert "方案“xiaoneng”没有适用于考核期“2016-Q1”的版本" in r.output
    assert not list(root.glob("*.xlsx"))


def test_workbook_opens_in_libreoffice_and_converts_to_pdf(tmp_path):
    root = basic(tmp_path)
    out, _ = _sheet(root, "2018-Q2")
    pdf = convert(out, "pdf", tmp_path / "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 2000
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
    if text.returncode == 0:  # poppler present: the units and the clauses are on the pages
        assert "县市场监管局" in text.stdout and "被县级以上通报批评的" in text.stdout
