"""site-builder import: real-world spreadsheets into period files, all or nothing."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.workflow.sheet_support import (
    FULL_Q3,
    basic,
    columns,
    convert,
    dec,
    example,
    facts_of,
    fill,
    period_doc,
    rows,
    run,
)

Q3 = "scores/xiaoneng/2018-Q3.yaml"
Q2 = "scores/xiaoneng/2018-Q2.yaml"


@pytest.fixture
def q3(tmp_path):
    """A project and an empty 2018-Q3 sheet for it."""
    root = basic(tmp_path)
    out = root / "q3.xlsx"
    r = run("sheet", "xiaoneng", "2018-Q3", "--root", root, "--out", out)
    assert r.exit_code == 0, r.output
    return root, out


@pytest.fixture
def q2(tmp_path):
    """A project and the sheet of its draft 2018-Q2, pre-filled from the period file."""
    root = basic(tmp_path)
    out = root / "q2.xlsx"
    r = run("sheet", "xiaoneng", "2018-Q2", "--root", root, "--out", out)
    assert r.exit_code == 0, r.output
    return root, out


def _import(root, path, *extra):
    return run("import", path, "--root", root, *extra)


def _refused(r, root, rel, before):
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert "未写出任何文件" in r.output
    path = root / rel
    if before is None:
        assert not path.exists()
    else:
        assert path.read_bytes() == before


def test_fill_import_check(q3):
    root, sheet = q3
    fill(sheet, FULL_Q3)
    r = _import(root, sheet)
    assert r.exit_code == 0, r.output
    assert f"新建 {Q3}" in r.output and "5 个单位的 13 项记录有变化" in r.output
    assert "下一步：运行 site-builder check" in r.output
    doc = period_doc(root / Q3)
    assert (doc["scheme"], doc["version"], doc["period"], doc["status"]) == ("xiaoneng", "v2018", "2018-Q3", "draft")
    assert list(doc["units"]) == ["fgw", "czj", "sjj", "jyj", "wjw"]
    f = facts_of(root / Q3, "sjj")
    assert f == {"jilv": {"counts": {"staff": "1"}}, "fuwu": "bad", "tuijin": "48", "koufen": "2"}
    assert dec(facts_of(root / Q3, "czj")["tuijin"]) == dec("55.5")
    assert facts_of(root / Q3, "jyj")["tuijin"] == "5.16"  # an Excel float read as its shortest repr
    assert facts_of(root / Q3, "wjw")["jiafen"] == {"counts": {"city": "1", "prov": "1"}}
    text = (root / Q3).read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/scores.schema.json\n")
    assert "  fgw:  # 县发展改革委\n" in text and "  # 社会事业部门组\n" in text
    c = run("check", "--root", root)
    assert c.exit_code == 0, c.output
    # idempotent: the second import changes nothing and says so
    before = (root / Q3).read_bytes()
    again = _import(root, sheet)
    assert again.exit_code == 0
    assert f"没有变化，{Q3} 已是最新（5 个单位）" in again.output
    assert (root / Q3).read_bytes() == before


def test_example_project_sheet_then_import_is_a_no_op(tmp_path):
    root = example(tmp_path)
    periods = [("genhe-windows", "2021-Q1"), ("huaian-sanfuwu", "2017-Q3"), ("school-red-flag", "2024-W36"),
               ("jiange-approval", "2017"), ("chengdu-centres", "2013"), ("suzhou-shuangzheng", "2019")]
    before = {p: p.read_bytes() for p in (root / "scores").rglob("*.yaml")}
    for scheme, period in periods:
        out = root / f"{scheme}.xlsx"
        assert run("sheet", scheme, period, "--root", root, "--out", out).exit_code == 0
        r = _import(root, out)
        assert r.exit_code == 0, r.output
        assert "没有变化" in r.output
    assert {p: p.read_bytes() for p in (root / "scores").rglob("*.yaml")} == before


def test_changed_cell_keeps_the_rest_of_the_file(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    fill(sheet, {("sjj", "koufen"): 3, ("jyj", "fuwu"): "好"})
    r = _import(root, sheet)
    assert r.exit_code == 0, r.output
    assert "2 个单位的 2 项记录有变化" in r.output
    assert "sjj  koufen: 2 → 3" in r.output and "jyj  fuwu: 较好 → 好" in r.output
    after = (root / Q2).read_text("utf-8")
    assert after == before.decode().replace('        count: "2"\n', "        count: 3\n").replace(
        "      fuwu: fair\n", "      fuwu: good\n")


def _csv_rows(sheet):
    ws = openpyxl.load_workbook(sheet)["评分表"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for row in ws.iter_rows(values_only=True):
        w.writerow(["" if v is None else v for v in row])
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_as_windows_excel_saves_it(q3, encoding):
    root, sheet = q3
    fill(sheet, FULL_Q3)
    path = root / "评分表.csv"
    path.write_bytes(_csv_rows(sheet).encode(encoding))
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    r = _import(root, path)  # a CSV has no _meta: scheme and period are needed
    _refused(r, root, Q3, None)
    assert "请加上 --scheme 方案标识 --period 考核期" in r.output
    r = _import(root, path, "--scheme", "xiaoneng", "--period", "2018-Q3")
    assert r.exit_code == 0, r.output
    assert facts_of(root / Q3, "sjj") == {"jilv": {"counts": {"staff": "1"}}, "fuwu": "bad", "tuijin": "48", "koufen": "2"}
    assert facts_of(root / Q3, "jyj")["tuijin"] == "5.16"


def test_csv_problems_are_located_at_their_cell(q3):
    root, sheet = q3
    fill(sheet, {**FULL_Q3, ("czj", "tuijin"): "1,234"})
    path = root / "s.csv"
    path.write_bytes(_csv_rows(sheet).encode("gb18030"))
    r = _import(root, path, "--scheme", "xiaoneng", "--period", "2018-Q3")
    _refused(r, root, Q3, None)
    assert f"{path.as_posix()}!G6: “1,234”带千位分隔符 — 请去掉逗号，写成 1234" in r.output


def test_bad_encoding_refused(q3):
    root, _ = q3
    path = root / "x.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\xff\xff")
    r = _import(root, path, "--scheme", "xiaoneng", "--period", "2018-Q3")
    _refused(r, root, Q3, None)
    assert "CSV 文件既不是 UTF-8 也不是 GB18030 编码" in r.output


def test_formulas_with_cached_values_as_saved_by_a_spreadsheet(q3, tmp_path):
    root, sheet = q3
    values = dict(FULL_Q3)
    values[("fgw", "tuijin")] = "=50+7"
    values[("czj", "tuijin")] = "=ROUND(111/2,1)"
    fill(sheet, values)
    # LibreOffice computes the formulas and stores their results, as Excel or WPS would on save
    saved = convert(sheet, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    r = _import(root, saved)
    assert r.exit_code == 0, r.output
    assert facts_of(root / Q3, "fgw")["tuijin"] == "57"
    assert facts_of(root / Q3, "czj")["tuijin"] == "55.5"


def test_formula_without_cached_value_refused_at_its_cell(q3):
    root, sheet = q3
    values = dict(FULL_Q3)
    values[("fgw", "tuijin")] = "=50+7"  # openpyxl writes no cached result
    fill(sheet, values)
    r = _import(root, sheet)
    _refused(r, root, Q3, None)
    assert f"{sheet.as_posix()}!评分表!G5: 公式 =50+7 没有保存计算结果" in r.output
    assert "请用 Excel 或 WPS 打开并保存一次，或把公式改成数值" in r.output


def test_full_width_digits_text_numbers_and_spaces_accepted(q3):
    root, sheet = q3
    values = dict(FULL_Q3)
    values[("fgw", "tuijin")] = "５７．５"
    values[("czj", "tuijin")] = " 13.50 "
    values[("sjj", "koufen")] = "２"
    values[("jyj", "fuwu")] = "一般 "
    fill(sheet, values)
    r = _import(root, sheet)
    assert r.exit_code == 0, r.output
    assert facts_of(root / Q3, "fgw")["tuijin"] == "57.5"
    assert facts_of(root / Q3, "czj")["tuijin"] == "13.50"
    assert facts_of(root / Q3, "sjj")["koufen"] == "2"
    assert facts_of(root / Q3, "jyj")["fuwu"] == "poor"


def test_units_matched_by_id_name_or_former_name(q3):
    root, sheet = q3
    fill(sheet, FULL_Q3)
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    rws = rows(ws)
    ws.cell(rws["jyj"], 1).value = None
    ws.cell(rws["jyj"], 2).value = "县教育局"  # the name before 2018
    ws.cell(rws["fgw"], 1).value = None  # name only
    wb.save(sheet)
    r = _import(root, sheet)
    assert r.exit_code == 0, r.output
    assert facts_of(root / Q3, "jyj") == {"fuwu": "poor", "tuijin": "5.16"}
    assert facts_of(root / Q3, "fgw") == {"fuwu": "good", "tuijin": "57"}


def test_empty_row_in_the_middle_skipped(q3):
    root, sheet = q3
    fill(sheet, FULL_Q3)
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    ws.insert_rows(7, 2)
    wb.save(sheet)
    r = _import(root, sheet)
    assert r.exit_code == 0, r.output
    assert facts_of(root / Q3, "sjj")["koufen"] == "2"
    assert list(period_doc(root / Q3)["units"]) == ["fgw", "czj", "sjj", "jyj", "wjw"]


def test_all_problems_in_one_run_nothing_written(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    fill(sheet, {
        ("fgw", "tuijin"): 61,  # above the line's 60
        ("czj", "tuijin"): "五十",  # text in a number cell
        ("sjj", "fuwu"): "优秀",  # not a level of the line
        ("sjj", "koufen"): 1.5,  # a count must be whole
        ("jyj", "tuijin"): "99.5%",
        ("wjw", "tuijin"): 57.123456,
    })
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    ws.cell(rows(ws)["czj"], 2).value = "县财政厅"
    ws.cell(rows(ws)["czj"], 1).value = None
    wb.save(sheet)
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    f = sheet.as_posix()
    expected = [
        f"{f}!评分表!G5: 61 超出本项允许的范围 0—60 — 请填写 0 到 60 之间的数",
        f"{f}!评分表!B6: 单位“县财政厅”不在本方案的单位中；最接近的是：县财政局、县教育局、县教育体育局 — ",
        f"{f}!评分表!F7: “优秀”不是本项规定的等次 — 请从下拉列表中选择：好、较好、一般、差",
        f"{f}!评分表!J7: 次数“1.5”不是整数",
        f"{f}!评分表!G8: “99.5%”带百分号",
        f"{f}!评分表!G9: 57.123456 有 6 位小数，最多允许 4 位",
        f"{f}!评分表: 缺少单位“县财政局”（czj，综合管理部门组）的一行",
    ]
    for line in expected:
        assert line in r.output, line
    assert "共 7 个错误；未写出任何文件。" in r.output


def test_text_in_a_number_cell(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    fill(sheet, {("czj", "tuijin"): "五十五分"})
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    assert f"{sheet.as_posix()}!评分表!G6: “五十五分”不是数字 — 请只填写数字，如 13.5" in r.output


def test_percent_formatted_cell_refused(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    cell = ws.cell(rows(ws)["fgw"], columns(ws)["tuijin"])
    cell.value = 0.575
    cell.number_format = "0.0%"
    wb.save(sheet)
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    assert "G5: “57.5%”带百分号（或单元格格式为百分比） — 请填写不带 % 的数，如 57.5" in r.output


def test_extra_unknown_column_refused(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    ws.protection.sheet = False
    ws.cell(2, 12).value = "备注"
    ws.cell(6, 12).value = "已核实"
    wb.save(sheet)
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    assert f"{sheet.as_posix()}!评分表!L2: 多出的列“备注”不是本方案的考核项 — 请删除这一列" in r.output


def test_merged_cells_in_the_data_area_refused(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    ws.merge_cells("F6:F7")
    wb.save(sheet)
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    assert f"{sheet.as_posix()}!评分表!F6: 填写区域内有合并单元格 F6:F7 — 请取消合并" in r.output


def test_duplicate_and_ambiguous_rows(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    ws.cell(10, 1).value = "sjj"
    ws.cell(10, 2).value = "县市场监管局"
    ws.cell(10, 6).value = "好"
    wb.save(sheet)
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    assert f"{sheet.as_posix()}!评分表!B10: 单位“县市场监管局”（sjj）在 B7 已经有一行 — 每个单位只填一行" in r.output


def test_yaml_only_cell_must_stay(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    fill(sheet, {("wjw", "jiafen:city"): 2})
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    assert f"{sheet.as_posix()}!评分表!H9: 本项按逐项记录（人员、事项、公式数值），只能在 {Q2} 中修改" in r.output


def test_english_messages(q2):
    root, sheet = q2
    fill(sheet, {("fgw", "tuijin"): 61})
    r = _import(root, sheet, "--lang", "en")
    assert r.exit_code == 1
    assert f"{sheet.as_posix()}!评分表!G5: 61 is outside this line's range 0–60 — write a number from 0 to 60" in r.output
    assert "nothing was written" in r.output


def test_published_period_gives_a_correction_draft(tmp_path):
    root = example(tmp_path)
    out = root / "g.xlsx"
    assert run("sheet", "genhe-windows", "2021-Q1", "--root", root, "--out", out).exit_code == 0
    fill(out, {("gh-scjg", "bbdb"): 5})
    path = root / "scores/genhe-windows/2021-Q1.yaml"
    before = path.read_text("utf-8")
    r = _import(root, out)
    assert r.exit_code == 0, r.output
    assert "本期结果已公示或已发布。与已发布版本相比的改动：" in r.output
    assert "  gh-scjg  bbdb: 6 → 5" in r.output
    assert 'site-builder correct genhe-windows 2021-Q1 --reason "更正原因"' in r.output
    assert path.read_text("utf-8") == before.replace("      bbdb: 6\n", "      bbdb: 5\n", 1)
    # never a silent change: the lock refuses it until the correction is recorded
    c = run("check", "--root", root)
    assert c.exit_code == 1


def test_not_a_workbook(q3):
    root, _ = q3
    bad = root / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    r = _import(root, bad)
    _refused(r, root, Q3, None)
    assert f"{bad.as_posix()}: 无法读取该文件" in r.output


def test_not_applicable_only_where_the_scheme_allows_it(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    fill(sheet, {("fgw", "fuwu"): "不适用"})
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    assert f"{sheet.as_posix()}!评分表!F5: 本项不允许填“不适用” — 请填写实际的记录" in r.output
    scheme = root / "schemes/xiaoneng/v2018.yaml"
    text = scheme.read_text("utf-8")
    assert "        name: 服务态度\n" in text
    scheme.write_text(text.replace("        name: 服务态度\n", "        name: 服务态度\n        not_applicable: exclude\n"), "utf-8")
    out = root / "na.xlsx"
    assert run("sheet", "xiaoneng", "2018-Q2", "--root", root, "--out", out).exit_code == 0
    fill(out, {("fgw", "fuwu"): "不适用"})
    r = _import(root, out)
    assert r.exit_code == 0, r.output
    assert facts_of(root / Q2, "fgw")["fuwu"] == "na"
    assert "fgw  fuwu: 好 → 不适用" in r.output


def test_a_name_two_units_go_by_is_ambiguous(q2):
    root, sheet = q2
    before = (root / Q2).read_bytes()
    units = root / "units.yaml"
    units.write_text(units.read_text("utf-8").replace(
        "  - id: wjw\n    name: 县卫生健康委\n",
        '  - id: wjw\n    name: 县卫生健康委\n    former_names:\n      - name: 县财政局\n        until: "2017-06-30"\n'), "utf-8")
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    ws.cell(rows(ws)["czj"], 1).value = None
    wb.save(sheet)
    r = _import(root, sheet)
    _refused(r, root, Q2, before)
    assert f"{sheet.as_posix()}!评分表!B6: 名称“县财政局”对应多个单位：czj、wjw — 请在 A 列填写单位标识" in r.output
