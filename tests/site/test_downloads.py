"""The notice's downloads carry the same numbers as the page."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from htmlcheck import parse

NOTICE = "notices/xiaoneng/2017-Q4"


def page_totals(built_site) -> dict[str, Decimal]:
    """unit name -> total from the ranking tables of the notice page."""
    totals = {}
    for table in parse(built_site / NOTICE / "index.html").tables:
        head = table[0] if table else []
        if "总分" not in head:
            continue
        col = head.index("总分")
        for row in table[1:]:
            if len(row) == len(head):
                totals[row[1]] = Decimal(row[col])
    assert totals
    return totals


def test_csv_has_bom_and_chinese_intact(built_site):
    raw = (built_site / NOTICE / "xiaoneng-2017-Q4.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["组别", "名次", "单位标识", "单位"]
    names = {r[3] for r in rows[1:]}
    assert {"县财政局", "县发展改革委", "县教育体育局", "县卫生健康委", "县市场监管局"} <= names
    totals = page_totals(built_site)
    col = rows[0].index("总分")
    for r in rows[1:]:
        if r[col]:
            assert Decimal(r[col]) == totals[r[3]]
    exempt = next(r for r in rows if r[3] == "县市场监管局")
    assert "机构改革" in exempt[-1]


def test_xlsx_numbers_match_the_page(built_site):
    from openpyxl import load_workbook

    wb = load_workbook(built_site / NOTICE / "xiaoneng-2017-Q4.xlsx")
    totals = page_totals(built_site)
    seen = {}
    for ws in wb.worksheets:
        head = [c.value for c in ws[1]]
        col = head.index("总分")
        for row in ws.iter_rows(min_row=2, values_only=True):
            if row[col] is None:
                continue
            assert isinstance(row[col], (int, float)), "totals must be numbers, not text"
            assert isinstance(row[1], int)
            seen[row[3]] = Decimal(str(row[col]))
    assert seen == {k: v for k, v in totals.items()}


def test_json_download(built_site):
    doc = json.loads((built_site / NOTICE / "xiaoneng-2017-Q4.json").read_text("utf-8"))
    assert doc["period"] == "2017-Q4" and doc["corrections"] == 1
    totals = page_totals(built_site)
    rows = [r for g in doc["groups"] for r in g["rows"]]
    assert {r["name"]: Decimal(str(r["total"])) for r in rows} == totals
    unranked = [u for g in doc["groups"] for u in g["unranked"]]
    assert [u["unit"] for u in unranked] == ["sjj"]


def test_scheme_yaml_is_the_source_file(built_site):
    from conftest import FIXTURE

    copied = (built_site / "schemes/xiaoneng/v2017/xiaoneng-v2017.yaml").read_bytes()
    assert copied == (FIXTURE / "schemes/xiaoneng/v2017.yaml").read_bytes()
