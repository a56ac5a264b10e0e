"""Every download read back (csv, openpyxl, json with Decimal) equals the engine's results exactly.

Exactly means both: the Decimal value, and the published text (a total with the
scheme's places, ``94.00``; a line kept exact without trailing zeros, ``52``).
Hand-computed figures of the fixture are written out; the rest is compared
with the engine's :class:`PeriodResult` of the same project.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from site_builder.pipeline import check
from site_builder.site.output.dataset import TABLES

NOTICE = "notices/xiaoneng/2017-Q4"


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def read_json(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"), parse_float=D)


@pytest.fixture(scope="module")
def engine(built_site):
    _project, results = check(built_site.parent)
    return results


# ------------------------------------------------------------ hand-computed figures


def test_notice_table_csv_has_the_published_places(built_site):
    rows = list(csv.reader(io.StringIO((built_site / NOTICE / "xiaoneng-2017-Q4.csv").read_text("utf-8-sig"))))
    czj = next(r for r in rows if r[2] == "czj")
    # 作风建设 40, 业务工作 52, 创新加分 2, 通报扣分 0 (lines kept exact), total 94.00 (2 places)
    assert czj[4:9] == ["40", "52", "2", "0", "94.00"]
    jyj = next(r for r in rows if r[2] == "jyj")
    assert jyj[4:9] == ["40", "57", "0", "-2", "95.00"]


def test_lines_csv_carries_every_node_of_the_tree(built_site):
    rows = read_csv(built_site / NOTICE / "xiaoneng-2017-Q4-lines.csv")
    czj = [(r["line_id"], r["parent_id"], r["depth"], r["leaf"], r["points"], r["max"]) for r in rows if r["unit_id"] == "czj"]
    assert czj == [
        ("zuofeng", "", "0", "false", "40", "40"),
        ("jilv", "zuofeng", "1", "true", "20", "20"),
        ("fuwu", "zuofeng", "1", "true", "20", "20"),
        ("yewu", "", "0", "false", "52", "60"),
        ("tuijin", "yewu", "1", "true", "52", "60"),
        ("jiafen", "", "0", "true", "2", "5"),
        ("koufen", "", "0", "true", "0", "10"),
    ]
    assert not any(r["unit_id"] == "sjj" and r["points"] for r in rows), "an exempt unit has no points"


def test_rankings_and_honours_csv_name_units_by_id(built_site):
    rankings = read_csv(built_site / NOTICE / "xiaoneng-2017-Q4-rankings.csv")
    assert [(r["unit_id"], r["rank"], r["tied"], r["value"]) for r in rankings if r["group_id"] == "shehui"] == [
        ("jyj", "1", "true", "95.00"), ("wjw", "1", "true", "95.00")]
    exempt = next(r for r in rankings if r["unit_id"] == "sjj")
    assert exempt["rank"] == "" and exempt["reason"].startswith("免于考核")
    honours = read_csv(built_site / NOTICE / "xiaoneng-2017-Q4-honours.csv")
    got = {(r["kind"], r["honour_id"], r["unit_id"], r["outcome"]) for r in honours}
    assert got == {
        ("honour", "hongqi", "czj", "chosen"),
        ("honour", "hongqi", "wjw", "chosen"),
        ("honour", "hongqi", "jyj", "excluded"),
        ("sanction", "zhenggai", "fgw", "chosen"),
        ("veto", "jilv-chufen", "jyj", "recorded"),
    }


def test_json_figures_are_exact_strings(built_site):
    doc = read_json(built_site / NOTICE / "xiaoneng-2017-Q4.json")
    row = next(r for g in doc["groups"] for r in g["rows"] if r["unit"] == "czj")
    assert row["total"] == "94.00" and row["rank"] == 1
    assert row["scores"] == {"zuofeng": "40", "yewu": "52", "jiafen": "2", "koufen": "0"}
    assert [(x["line_id"], x["points"]) for x in row["lines"]][:3] == [("zuofeng", "40"), ("jilv", "20"), ("fuwu", "20")]
    flag = next(h for g in doc["groups"] if g["id"] == "shehui" for h in g["honours"] if h["name"] == "流动红旗")
    assert flag["units"] == [{"unit": "wjw", "name": "县卫生健康委"}]
    assert flag["excluded"][0]["unit"] == "jyj"
    assert {(r["id"], r["group"]) for r in doc["rankings"]} == {("jidu", "zonghe"), ("jidu", "shehui")}
    assert {"unit_id": "jyj", "kind": "veto"}.items() <= next(o for o in doc["outcomes"] if o["kind"] == "veto").items()

    def no_float(x):
        if isinstance(x, dict):
            for v in x.values():
                no_float(v)
        elif isinstance(x, list):
            for v in x:
                no_float(v)
        else:
            assert not isinstance(x, (float, D)), f"a figure written as a JSON number: {x!r}"

    no_float(doc)


def test_xlsx_numbers_show_the_published_places(built_site):
    from openpyxl import load_workbook

    wb = load_workbook(built_site / NOTICE / "xiaoneng-2017-Q4.xlsx")
    ws = wb["综合管理部门组"]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "czj")
    total = row[head.index("总分")]
    assert total.data_type == "n" and D(str(total.value)) == D("94.00") and total.number_format == "0.00"
    assert row[head.index("业务工作")].value == 52 and row[head.index("业务工作")].number_format == "0"
    lines = wb["指标得分"]
    assert [c.value for c in lines[1]] == [f.name for f in TABLES["lines"]]
    assert lines.max_row - 1 == len(read_csv(built_site / NOTICE / "xiaoneng-2017-Q4-lines.csv"))


# ------------------------------------------------------------ against the engine, everything


def _expected_total(pr, uid: str) -> D | None:
    return pr.units[uid].total


@pytest.mark.parametrize("pid", ["2017-Q3", "2017-Q4", "2018-Q1"])
def test_every_figure_equals_the_engine(built_site, engine, pid):
    pr = engine[("xiaoneng", pid)]
    base = built_site / "notices/xiaoneng" / pid / f"xiaoneng-{pid}"
    lines = read_csv(Path(f"{base}-lines.csv"))
    seen = set()
    for r in lines:
        line = pr.units[r["unit_id"]].line(r["line_id"])
        if line.points is None:
            assert r["points"] == ""
        else:
            assert D(r["points"]) == line.points
            # exact: no digit lost, no float noise; kept-exact lines without trailing zeros
            assert r["points"] == format(line.points.normalize(), "f") or "." not in r["points"]
        seen.add((r["unit_id"], r["line_id"]))
    assert seen == {(u, ln.id) for u, res in pr.units.items() for ln in res.lines}
    rankings = read_csv(Path(f"{base}-rankings.csv"))
    expected = {(g.ranking, e.unit): (e.rank, e.value, e.tied) for g in pr.rankings for e in g.entries}
    got = {(r["ranking_id"], r["unit_id"]): (int(r["rank"]), D(r["value"]), r["tied"] == "true")
           for r in rankings if r["rank"]}
    assert got == expected
    doc = read_json(Path(f"{base}.json"))
    for g in doc["groups"]:
        for row in g["rows"]:
            assert D(row["total"]) == _expected_total(pr, row["unit"])
            assert len(row["total"].partition(".")[2]) == 2  # the scheme's places


def test_full_dataset_equals_every_notice(built_site, engine):
    data = built_site / "data/xiaoneng"
    results = read_csv(data / "xiaoneng-results.csv")
    assert {r["period_id"] for r in results} == {"2017-Q3", "2017-Q4", "2018-Q1"}  # 2018-Q2 is a draft
    for r in results:
        u = engine[("xiaoneng", r["period_id"])].units[r["unit_id"]]
        assert r["status"] == u.status
        assert (D(r["total"]) if r["total"] else None) == u.total
    lines = read_csv(data / "xiaoneng-lines.csv")
    per_notice = []
    for pid in ("2017-Q3", "2017-Q4", "2018-Q1"):
        per_notice += read_csv(built_site / "notices/xiaoneng" / pid / f"xiaoneng-{pid}-lines.csv")
    assert lines == per_notice
    doc = read_json(data / "xiaoneng.json")
    assert doc["lines"] == [{k: _typed("lines", k, v) for k, v in r.items()} for r in lines]


def _typed(table: str, name: str, text: str):
    """A CSV cell as the JSON writes it."""
    kind = next(f.type for f in TABLES[table] if f.name == name)
    if text == "":
        return None
    return {"integer": int, "boolean": lambda s: s == "true"}.get(kind, str)(text)


# ------------------------------------------------------------ datapackage and the dictionary


def test_datapackage_describes_every_file(built_site):
    data = built_site / "data/xiaoneng"
    pkg = json.loads((data / "datapackage.json").read_text("utf-8"))
    assert pkg["profile"] == "data-package"
    names = set()
    for res in pkg["resources"]:
        path = data / res["path"]
        assert path.is_file(), res["path"]
        names.add(res["name"])
        if res["format"] != "csv":
            json.loads(path.read_text("utf-8"))
            continue
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
        assert [f["name"] for f in res["schema"]["fields"]] == rows[0]
        assert len(rows) > 1
        for f in res["schema"]["fields"]:
            col = rows[0].index(f["name"])
            for r in rows[1:]:
                if r[col] == "":
                    continue
                if f["type"] == "number":
                    D(r[col])
                elif f["type"] == "integer":
                    int(r[col])
                elif f["type"] == "boolean":
                    assert r[col] in ("true", "false")
    assert names == {"results", "lines", "rankings", "honours", "dataset"}


def _keys(x, prefix: str = "") -> set[str]:
    out = set()
    if isinstance(x, dict):
        for k, v in x.items():
            if prefix.endswith("scores") or prefix.endswith("contact"):
                continue  # keyed by line id / a contact's parts: described as one object
            path = f"{prefix}.{k}" if prefix else k
            if not isinstance(v, list):
                out.add(path)  # a list is named as path[]
            out |= _keys(v, path)
    elif isinstance(x, list):
        out.add(prefix + "[]") if prefix else None
        for v in x:
            out |= _keys(v, prefix + "[]")
    return out


def test_dictionary_lists_every_column_and_key(built_site):
    html = (built_site / "data/xiaoneng/index.html").read_text("utf-8")
    data = built_site / "data/xiaoneng"
    for name in TABLES:
        header = next(csv.reader(io.StringIO((data / f"xiaoneng-{name}.csv").read_text("utf-8-sig"))))
        for col in header:
            assert f"<code>{col}</code>" in html, (name, col)
    for col in next(csv.reader(io.StringIO((built_site / NOTICE / "xiaoneng-2017-Q4.csv").read_text("utf-8-sig")))):
        assert col in html, col
    notice = _keys(read_json(built_site / NOTICE / "xiaoneng-2017-Q4.json"))
    # a row's lines and the outcomes are records of the long tables, described there
    lines = {k.split(".lines[].")[1] for k in notice if ".lines[]." in k}
    assert lines and lines <= {f.name for f in TABLES["lines"]}
    outcomes = {k.split("outcomes[].")[1] for k in notice if k.startswith("outcomes[].")}
    assert outcomes and outcomes <= {f.name for f in TABLES["honours"]}
    for key in notice:
        if ".lines[]." not in key and not key.startswith("outcomes[]."):
            assert f"<code>{key}</code>" in html, key
    assert "<code>rankings[].entries[].value</code>" in html
    dataset = {k for k in _keys(read_json(data / "xiaoneng.json")) if k.count("[]") <= 1 and not
               any(k.startswith(f"{t}[].") for t in TABLES)}
    for key in dataset:
        assert f"<code>{key}</code>" in html, key
    assert "<code>94.00</code>" in html or "<code>91.50</code>" in html  # an example from the data


def test_notice_and_scheme_pages_link_every_download(built_site):
    html = (built_site / NOTICE / "index.html").read_text("utf-8")
    for name in ("xiaoneng-2017-Q4.csv", "xiaoneng-2017-Q4.xlsx", "xiaoneng-2017-Q4.json",
                 "xiaoneng-2017-Q4-lines.csv", "xiaoneng-2017-Q4-rankings.csv", "xiaoneng-2017-Q4-honours.csv"):
        assert f'href="{name}"' in html, name
    assert 'href="../../../data/xiaoneng/index.html"' in html
    scheme = (built_site / "schemes/xiaoneng/v2017/index.html").read_text("utf-8")
    assert 'href="../../../data/xiaoneng/index.html"' in scheme
    page = (built_site / "data/xiaoneng/index.html").read_text("utf-8")
    for f in ("xiaoneng-results.csv", "xiaoneng-lines.csv", "xiaoneng-rankings.csv", "xiaoneng-honours.csv",
              "xiaoneng.json", "datapackage.json"):
        assert f'href="{f}"' in page, f


# ------------------------------------------------------------ running totals and stage rankings


@pytest.fixture(scope="module")
def span_site(tmp_path_factory):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scratch import built_site as build
    from test_lang_rankings import span_project

    root = span_project(tmp_path_factory.mktemp("span-data"))
    out = build(root)
    _, results = check(root)
    return out, results


def test_running_totals_and_stage_rankings_are_downloaded(span_site):
    out, results = span_site
    base = out / "notices/span/2024-Q2/span-2024-Q2"
    rankings = read_csv(Path(f"{base}-rankings.csv"))
    # 2024-Q1 + Q2: a1 90+70 = 160, a2 80+95 = 175, a3 85+80 = 165; the scheme rounds to 2 places
    yr = {r["unit_id"]: (r["rank"], r["value"]) for r in rankings if r["ranking_id"] == "yr"}
    assert yr == {"a2": ("1", "175.00"), "a3": ("2", "165.00"), "a1": ("3", "160.00")}
    st = {r["unit_id"]: r["value"] for r in rankings if r["ranking_id"] == "st"}
    assert st == {"a1": "160.00", "a2": "175.00", "a3": "165.00"}
    q3 = read_csv(out / "notices/span/2024-Q3/span-2024-Q3-rankings.csv")
    # the stage restarts in Q3 (s2): 88, 60, 90; the year runs on: 248, 235, 255
    assert {r["unit_id"]: r["value"] for r in q3 if r["ranking_id"] == "st"} == {"a1": "88.00", "a2": "60.00", "a3": "90.00"}
    assert {r["unit_id"]: r["value"] for r in q3 if r["ranking_id"] == "yr"} == {"a1": "248.00", "a2": "235.00", "a3": "255.00"}
    res = {r["unit_id"]: (r["cumulative"], r["total"]) for r in read_csv(out / "data/span/span-results.csv")
           if r["period_id"] == "2024-Q3"}
    assert res == {"a1": ("248.00", "88.00"), "a2": ("235.00", "60.00"), "a3": ("255.00", "90.00")}
    for pid in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"):
        pr = results[("span", pid)]
        got = {(r["ranking_id"], r["unit_id"]): D(r["value"])
               for r in read_csv(out / f"notices/span/{pid}/span-{pid}-rankings.csv") if r["rank"]}
        assert got == {(g.ranking, e.unit): e.value for g in pr.rankings for e in g.entries}
    doc = read_json(Path(f"{base}.json"))
    assert {r["id"] for r in doc["rankings"]} == {"q", "yr", "st", "all"}
    honours = read_csv(out / "notices/span/2024-Q2/span-2024-Q2-honours.csv")
    assert ("best", "a2", "chosen") in {(r["honour_id"], r["unit_id"], r["outcome"]) for r in honours}


# ------------------------------------------------------------ the data page on a phone


@pytest.mark.browser
def test_data_page_reads_on_a_phone_with_the_largest_font(built_site, serve_dir, open_page, run_axe, serious):
    from browser_fixtures import describe

    base = serve_dir(built_site)
    for width in (360, 1280):
        page = open_page(f"{base}/data/xiaoneng/index.html", width=width)
        page.click("label[for=fs-xl]")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        # every field name of the long tables lies inside the viewport
        right = page.evaluate("Math.max(...[...document.querySelectorAll('dl.fields dt code')]"
                              ".map(e => e.getBoundingClientRect().right))")
        assert right <= width
        assert page.locator("a[href='xiaoneng-lines.csv']").is_visible()
        violations = serious(run_axe(page))
        assert violations == [], describe(violations)
        page.context.close()


# ------------------------------------------------------------ a scheme rounding every line


@pytest.fixture(scope="module")
def rounded_site(tmp_path_factory):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scratch import SCHEME, built_site as build, make_project

    scheme = SCHEME.replace("period: {kind: quarter}\n", "period: {kind: quarter}\nrounding: {places: 1, at: line}\n")
    assert scheme != SCHEME
    return build(make_project(tmp_path_factory.mktemp("rounded"), {"schemes/demo/2024.yaml": scheme}))


def test_lines_rounded_to_one_place_keep_it_everywhere(rounded_site):
    from openpyxl import load_workbook

    base = rounded_site / "notices/demo/2024-Q1/demo-2024-Q1"
    # a2: work 10, duty 10 − 1 event = 9, no bonus: every line and the total with one place
    lines = {r["line_id"]: r["points"] for r in read_csv(Path(f"{base}-lines.csv")) if r["unit_id"] == "a2"}
    assert lines == {"work": "10.0", "duty": "9.0", "bonus": "0.0"}
    table = list(csv.reader(io.StringIO(Path(f"{base}.csv").read_text("utf-8-sig"))))
    a2 = next(r for r in table if r[2] == "a2")
    assert a2[4:8] == ["10.0", "9.0", "0.0", "19.0"]
    row = next(r for g in read_json(Path(f"{base}.json"))["groups"] for r in g["rows"] if r["unit"] == "a2")
    assert row["scores"] == {"work": "10.0", "duty": "9.0", "bonus": "0.0"} and row["total"] == "19.0"
    wb = load_workbook(f"{base}.xlsx")
    cells = next(r for r in wb.worksheets[0].iter_rows(min_row=2) if r[2].value == "a2")
    assert [(c.value, c.number_format) for c in cells[4:8]] == [(10, "0.0"), (9, "0.0"), (0, "0.0"), (19, "0.0")]


def test_datapackage_loads_exactly_in_frictionless(built_site):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(built_site / "data/xiaoneng/datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    pkg = frictionless.Package(str(built_site / "data/xiaoneng/datapackage.json"))
    totals = {(r["period_id"], r["unit_id"]): r["total"] for r in pkg.get_resource("results").read_rows()}
    assert totals[("2017-Q4", "czj")] == D("94.00") and str(totals[("2017-Q4", "czj")]) == "94.00"


def test_coefficient_as_written_and_the_total_rounded_once(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scratch import SCHEME, SCORES, built_site as build, make_project

    scheme = SCHEME.replace("period: {kind: quarter}\n", "period: {kind: quarter}\n"
                            "rounding: {places: 1, at: line, total: sum_of_lines}\n"
                            "coefficient: {label: 难度系数, min: 0.9, max: 1.1}\n")
    scores = SCORES.replace("  a1:\n    facts:", "  a1:\n    coefficient: 0.95\n    facts:")
    assert scheme != SCHEME and scores != SCORES
    out = build(make_project(tmp_path, {"schemes/demo/2024.yaml": scheme, "scores/demo/2024-Q1.yaml": scores}))
    base = out / "notices/demo/2024-Q1/demo-2024-Q1"
    # a1: work 9.5, duty 10 − 1 = 9.0, bonus 省级 1.0; (9.5 + 9.0 + 1.0) × 0.95 = 18.525 → 18.5
    table = list(csv.reader(io.StringIO(Path(f"{base}.csv").read_text("utf-8-sig"))))
    head, a1 = table[0], next(r for r in table if r[2] == "a1")
    assert [a1[head.index(h)] for h in ("工作推进", "值守纪律", "加分项", "系数", "总分")] == ["9.5", "9.0", "1.0", "0.95", "18.5"]
    a2 = next(r for r in table if r[2] == "a2")
    assert a2[head.index("系数")] == "1"  # as the engine has it: no coefficient written, 1
    res = {r["unit_id"]: (r["coefficient"], r["total"]) for r in read_csv(out / "data/demo/demo-results.csv")}
    assert res["a1"] == ("0.95", "18.5") and res["a2"][0] == a2[head.index("系数")]
    row = next(r for g in read_json(Path(f"{base}.json"))["groups"] for r in g["rows"] if r["unit"] == "a1")
    assert (row["coefficient"], row["total"]) == ("0.95", "18.5")


def test_a_preview_keeps_drafts_out_of_the_full_dataset(project, tmp_path):
    from site_builder.site.build import build_site

    out = tmp_path / "preview"
    build_site(project, out, preview=True, quiet=True)
    assert (out / "notices/xiaoneng/2018-Q2/index.html").is_file()  # the draft is previewed …
    for name in TABLES:  # … but never part of the published data
        assert {r["period_id"] for r in read_csv(out / f"data/xiaoneng/xiaoneng-{name}.csv")} <= {
            "2017-Q3", "2017-Q4", "2018-Q1"}
    assert "2018-Q2" not in (out / "data/xiaoneng/xiaoneng.json").read_text("utf-8")
