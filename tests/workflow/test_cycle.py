"""The office's whole cycle, as a clerk runs it, on a new project.

new site → new period → sheet → the assessors fill the workbook → import →
check → publish --gongshi → build inside the window (公示) → build after the
window (通报) → publish --final (the 公示 stays readable as version 1) →
an objection upheld: re-import a changed sheet (the build refuses it) →
correct → build (correction history, the earlier version at its own URL).

Every step asserts what the clerk or a reader would see, not only that it ran.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from site_builder.cli import main

SCHEME, PERIOD = "xiaoneng", "2026-Q2"
# what the assessors enter: unit id -> {line id (row 4 of the sheet): value}
FILLED = {
    "bumen-1": {"zhongdian": 36, "fuwu": "好", "zhengwu": 18},
    "bumen-2": {"zhongdian": 38, "fuwu": "较好", "zhengwu": 19, "jilv": 1},
    "bumen-3": {"zhongdian": 35, "fuwu": "好", "zhengwu": 17.5},
    "bumen-4": {"zhongdian": 33, "fuwu": "一般", "zhengwu": 18.5, "jiafen:city": 1},
    "xiangzhen-1": {"zhongdian": 37, "fuwu": "好", "zhengwu": 16},
    "xiangzhen-2": {"zhongdian": 34.5, "fuwu": "较好", "zhengwu": 18, "jilv": 2},
    "xiangzhen-3": {"zhongdian": 36, "fuwu": "好", "zhengwu": 17},
}


def _run(runner: CliRunner, root: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(main, [*args], env={"SOURCE_DATE_EPOCH": None}, catch_exceptions=False)
    assert result.exit_code == code, f"site-builder {' '.join(args)} → {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output
    return result.output


def _fill(path: Path, values: dict[str, dict[str, object]]) -> None:
    """Open the workbook as an assessor would and type the values into the unit rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb["评分表"]
    ids = [c.value for c in ws[4]]
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    for unit, line_values in values.items():
        for line, value in line_values.items():
            cell = ws.cell(rows[unit], ids.index(line) + 1)
            assert cell.protection.locked is False, f"{unit} {line} is not a cell to fill"
            cell.value = value
    wb.save(path)


def _html(site: Path, rel: str) -> str:
    path = site / rel
    assert path.is_file(), f"{rel} is not in the built site"
    return path.read_text("utf-8")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def project(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    out = _run(runner, tmp_path, "new", "site", "考核网站", "--year", "2026")
    assert "site-builder new period" in out
    root = tmp_path / "考核网站"
    monkeypatch.chdir(root)
    assert not (root / "published.lock").exists() and not (root / "published").exists()
    return runner, root


def test_the_whole_cycle(project):
    runner, root = project
    site = root / "_site"
    period_file = root / "scores" / SCHEME / f"{PERIOD}.yaml"

    # 1. start the period: every unit listed, nothing filled, a draft
    _run(runner, root, "new", "period", SCHEME, PERIOD)
    text = period_file.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/scores.schema.json")
    assert "status: draft" in text and "notice:" not in text
    assert all(f"  {unit}:" in text for unit in FILLED)

    # 2. the workbook, filled by the assessors, imported
    out = _run(runner, root, "sheet", SCHEME, PERIOD, "--out", "评分表.xlsx")
    assert "7 个单位" in out
    _fill(root / "评分表.xlsx", FILLED)
    out = _run(runner, root, "import", "评分表.xlsx")
    assert f"scores/{SCHEME}/{PERIOD}.yaml" in out
    text = period_file.read_text("utf-8")
    assert "      zhongdian: 38\n" in text and "      zhengwu: 17.5\n" in text and "      jilv: 1\n" in text
    again = period_file.read_bytes()
    _run(runner, root, "import", "评分表.xlsx")  # importing twice changes nothing
    assert period_file.read_bytes() == again
    _run(runner, root, "check")

    # 3. the 公示: five working days from Monday 6 July 2026
    out = _run(
        runner, root, "publish", SCHEME, PERIOD, "--gongshi",
        "--number", "示效办〔2026〕5号", "--date", "2026-07-06", "--days", "5",
    )
    assert "2026-07-10" in out or "7月10日" in out
    lock = json.loads((root / "published.lock").read_text("utf-8"))
    assert any(PERIOD in key for key in json.dumps(lock).split('"'))
    text = period_file.read_text("utf-8")
    assert "status: public_notice" in text
    assert re.search(r"public_notice:\n  from: 2026-07-06\n  until: 2026-07-10\n  working_days: 5\n", text)

    # 4. inside the window the notice is a 公示
    _run(runner, root, "build", "--as-of", "2026-07-08")
    notice = _text(_html(site, f"notices/{SCHEME}/{PERIOD}/index.html"))
    assert "公示" in notice and "示效办〔2026〕5号" in notice
    assert "2026年7月10日" in notice or "2026-07-10" in notice

    # 5. after the window, the next build turns it into the 通报 by itself
    _run(runner, root, "build", "--as-of", "2026-07-13")
    after = _text(_html(site, f"notices/{SCHEME}/{PERIOD}/index.html"))
    assert "通报" in after

    # 6. the 通报 with its own number: the 公示 stays readable as version 1
    _run(
        runner, root, "publish", SCHEME, PERIOD, "--final",
        "--number", "示效办〔2026〕7号", "--date", "2026-07-13",
    )
    _run(runner, root, "build", "--as-of", "2026-07-14")
    final = _text(_html(site, f"notices/{SCHEME}/{PERIOD}/index.html"))
    assert "示效办〔2026〕7号" in final
    v1 = _text(_html(site, f"notices/{SCHEME}/{PERIOD}/v1/index.html"))
    assert "示效办〔2026〕5号" in v1 and "公示" in v1

    # 7. an objection upheld: 示例局二 had 38.5, not 38. The re-imported sheet is a
    #    correction draft: import lists the change, the build refuses it until it is recorded
    _fill(root / "评分表.xlsx", {"bumen-2": {"zhongdian": 38.5}})
    out = _run(runner, root, "import", "评分表.xlsx")
    assert "38 → 38.5" in out and f"site-builder correct {SCHEME} {PERIOD}" in out
    refused = _run(runner, root, "check", code=1)
    assert f"scores/{SCHEME}/{PERIOD}.yaml" in refused and "更正" in refused
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    _run(runner, root, "build", "--as-of", "2026-07-20", code=1)
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before  # nothing written

    # 8. the correction: recorded, locked as version 3, shown old → new
    out = _run(
        runner, root, "correct", SCHEME, PERIOD, "--reason", "经复核，示例局二重点工作推进得分应为38.5分",
        "--number", "示效办〔2026〕9号", "--date", "2026-07-20",
    )
    assert "38 → 38.5" in out
    text = period_file.read_text("utf-8")
    assert re.search(r"corrections:\n  - date: 2026-07-20\n", text)
    _run(runner, root, "check")
    _run(runner, root, "build", "--as-of", "2026-07-21")
    current = _text(_html(site, f"notices/{SCHEME}/{PERIOD}/index.html"))
    assert "更正" in current and "示效办〔2026〕9号" in current and "经复核，示例局二重点工作推进得分应为38.5分" in current
    assert "38.5" in current
    v2 = _text(_html(site, f"notices/{SCHEME}/{PERIOD}/v2/index.html"))
    assert "示效办〔2026〕7号" in v2 and "已于" in v2  # the 通报 before the correction, with its banner
    assert _html(site, f"notices/{SCHEME}/{PERIOD}/v1/index.html")  # the 公示 still there
    locked = (root / "published.lock").read_text("utf-8")
    assert all((root / "published" / SCHEME / PERIOD / f"v{n}.notice.json").is_file() for n in (1, 2, 3))
    assert "v4" not in locked
