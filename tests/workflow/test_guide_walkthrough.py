"""The guide's outputs are real: run its commands in order and find what it says the clerk will see.

Each ``powershell`` block of docs/guide.md followed by “会看到” and a ``text``
block is a command and its output.  This test makes the project the guide
describes (the same title, office and values the assessors fill in), runs
those commands in the guide's order, and requires every line of each quoted
output to appear in the real output — except lines the guide abbreviates
(containing “…”) or that show a path on the clerk's own computer (``D:\\``).
"""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from site_builder.cli import main

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.S | re.M)

# what the assessors enter in the workbook: id -> (重点工作推进, 服务质量, 政务公开, 工作纪律 count)
FILLED = {
    "bumen-1": (36, "好", 18, None),
    "bumen-2": (38, "较好", 19, 1),
    "bumen-3": (35, "好", 17.5, None),
    "bumen-4": (33, "一般", 18.5, None),
    "xiangzhen-1": (37, "好", 16, None),
    "xiangzhen-2": (34.5, "较好", 18, 2),
    "xiangzhen-3": (36, "好", 17, None),
}
# options the guide leaves to the clerk's calendar (the year of a new site, today's date)
EXTRA = {"new site": ["--year", "2026"], "correct": ["--date", "2026-07-20"]}


def quoted_runs() -> list[tuple[str, list[str]]]:
    """(command line, expected output lines) in the guide's order."""
    text = GUIDE.read_text("utf-8")
    fences = list(FENCE.finditer(text))
    pairs = []
    for here, after in zip(fences, fences[1:]):
        body = textwrap.dedent(here.group(3)).strip()
        if here.group(2) != "powershell" or not body.startswith("site-builder") or "\n" in body:
            continue
        if after.group(2) != "text" or "会看到" not in text[here.end():after.start()]:
            continue
        lines = textwrap.dedent(after.group(3)).splitlines()
        pairs.append((body, [ln.strip() for ln in lines if ln.strip() and "…" not in ln and "D:\\" not in ln]))
    return pairs


RUNS = quoted_runs()


def _fill(workbook: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb["评分表"]
    header = [c.value for c in ws[4]]
    col = {key: header.index(key) + 1 for key in ("zhongdian", "fuwu", "zhengwu", "jilv")}
    for row in range(5, ws.max_row + 1):
        uid = ws.cell(row, 1).value
        if uid not in FILLED:
            continue
        for key, value in zip(("zhongdian", "fuwu", "zhengwu", "jilv"), FILLED[uid]):
            if value is not None:
                ws.cell(row, col[key]).value = value
    wb.save(workbook)


def _before(command: str, root: Path) -> None:
    """What the clerk does between the guide's commands."""
    if command.startswith("import"):
        _fill(root / "xiaoneng-2026-Q2-评分表.xlsx")
    if command.startswith("correct"):  # the objection was right: 示例局二 had 38.5, not 38
        period = root / "scores/xiaoneng/2026-Q2.yaml"
        text = period.read_text("utf-8")
        assert "      zhongdian: 38\n" in text
        period.write_text(text.replace("      zhongdian: 38\n", "      zhongdian: 38.5\n", 1), "utf-8")


def test_the_guide_quotes_the_output_of_its_main_commands():
    commands = [shlex.split(c)[1] for c, _ in RUNS]
    for name in ("new", "sheet", "import", "publish", "correct", "export"):
        assert name in commands, f"no quoted output for site-builder {name}"
    assert all(expected for _, expected in RUNS)


def test_the_guide_shows_what_the_commands_print(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    root = tmp_path
    for line, expected in RUNS:
        args = shlex.split(line)[1:]
        name = " ".join(args[:2]) if args[0] == "new" else args[0]
        command = " ".join(args)
        _before(command, root)
        result = runner.invoke(main, [*args, *EXTRA.get(name, [])], env={"SOURCE_DATE_EPOCH": None})
        assert result.exit_code == 0, f"{line}\n{result.output}"
        got = [ln.strip() for ln in result.output.splitlines()]
        for want in expected:
            assert want in got, f"docs/guide.md quotes for “{line}”:\n  {want}\nbut it prints:\n{result.output}"
        if name == "new site":  # the guide's next step: cd 考核网站
            root = tmp_path / args[2]
            monkeypatch.chdir(root)


def test_a_changed_output_would_be_caught():
    line, expected = next((c, e) for c, e in RUNS if c.startswith("site-builder new period"))
    assert any(x.startswith("已创建 scores/xiaoneng/2026-Q2.yaml：") for x in expected)
    with pytest.raises(AssertionError):
        assert "已创建 scores/xiaoneng/2026-Q3.yaml：" in expected


def test_the_guides_new_year_written_as_changes_works_on_a_new_site(tmp_path):
    """Section 十一's ``extends`` example, saved as the guide says, checks and builds on a new site:
    the 2027 version is the 2026 one with 工作纪律 at 3 points a time and 创新加分 capped at 5."""
    text = GUIDE.read_text("utf-8")
    block = text[text.index("<!-- guide: extends -->"):]
    yaml_text = textwrap.dedent(FENCE.search(block).group(3))
    runner = CliRunner()
    site = tmp_path / "考核网站"
    made = runner.invoke(main, ["new", "site", str(site), "--title", "某县效能考核结果公示",
                                "--organisation", "某县考核办", "--year", "2026"])
    assert made.exit_code == 0, made.output
    scheme_dir = site / "schemes" / "xiaoneng"
    (scheme_dir / "2027.yaml").write_text(yaml_text, "utf-8")
    checked = runner.invoke(main, ["check", "--root", str(site)])
    assert checked.exit_code == 0, checked.output
    period = runner.invoke(main, ["new", "period", "xiaoneng", "2027-Q1", "--root", str(site)])
    assert period.exit_code == 0, period.output
    from site_builder.pipeline import check

    project, _ = check(site)
    merged = project.schemes["xiaoneng"]["2027"].scheme
    jilv = next(n for n in merged.indicators if n.id == "jilv")
    jiafen = next(n for n in merged.indicators if n.id == "jiafen")
    assert (jilv.rule.per, jilv.rule.cap, jiafen.max) == (3, 10, 5)
    assert [n.id for n in merged.indicators] == [n.id for n in project.schemes["xiaoneng"]["2026"].scheme.indicators]
    # a misspelt id is located in 2027.yaml with the right one suggested
    (scheme_dir / "2027.yaml").write_text(yaml_text.replace("indicator: jilv", "indicator: jilu"), "utf-8")
    wrong = runner.invoke(main, ["check", "--root", str(site)])
    assert wrong.exit_code != 0
    line = next(ln for ln in wrong.output.splitlines() if "2027.yaml:" in ln)
    assert re.search(r"schemes/xiaoneng/2027\.yaml:\d+:\d+: ", line), line
    assert "jilu" in line and "jilv" in line, wrong.output
