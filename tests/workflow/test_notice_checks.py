"""The copy-paste checks across notices (site_builder/checks/notice_checks.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.checks.notice_checks import _mentions
from site_builder.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "site" / "fixtures" / "basic"


def run_check(root: Path):
    return CliRunner().invoke(main, ["check", "--root", str(root)])


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The repository's example content (the 三服务 scheme among others)."""
    root = tmp_path / "example"
    root.mkdir()
    for name in ("site.yaml", "units", "schemes", "scores", "content", "published", "published.lock"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        elif src.exists():
            shutil.copy2(src, root / name)
    return root


@pytest.fixture
def fixture(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_the_copy_paste_trap_fails_check(example):
    q3 = example / "scores/huaian-sanfuwu/2017-Q3.yaml"
    q4 = example / "scores/huaian-sanfuwu/2017-Q4.yaml"
    q4.write_bytes(q3.read_bytes().replace(b"period: 2017-Q3", b"period: 2017-Q4"))
    r = run_check(example)
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        "content/notices/huaian-sanfuwu/2017-Q3.md:5:8: 正文（scores/huaian-sanfuwu/2017-Q4.yaml 的 notice.body）"
        "写的是“2017年三季度”，而本文件是“2017年第四季度” — 请改为本期（2017年第四季度）的内容（复制上期文件或正文时最常见）",
        "scores/huaian-sanfuwu/2017-Q3.yaml:8:11: 文号“淮软建办〔2017〕21号”已用于另一考核期的通报或公示"
        "（scores/huaian-sanfuwu/2017-Q4.yaml） — 每份通报、公示和更正通知的文号都不同：请写本期的文号（复制上期文件时最常见）",
        "scores/huaian-sanfuwu/2017-Q4.yaml:8:11: 文号“淮软建办〔2017〕21号”已用于另一考核期的通报或公示"
        "（scores/huaian-sanfuwu/2017-Q3.yaml） — 每份通报、公示和更正通知的文号都不同：请写本期的文号（复制上期文件时最常见）",
        "scores/huaian-sanfuwu/2017-Q4.yaml:9:9: 通报日期 2017-10-20 早于考核期“2017年第四季度”结束（2017-12-31） — "
        "考核期结束后才能公布其结果：请改正日期（复制上期文件时最常见）",
        "scores/huaian-sanfuwu/2017-Q4.yaml:10:10: 标题写的是“2017年三季度”，而本文件是“2017年第四季度” — "
        "请改为本期（2017年第四季度）的内容（复制上期文件或正文时最常见）",
        "scores/huaian-sanfuwu/2017-Q4.yaml:13:11: 更正日期 2017-10-27 早于考核期“2017年第四季度”结束（2017-12-31） — "
        "更正只能在发布之后：这条更正可能是从上期文件复制来的，请删除或改正日期",
        "共 6 个错误；未写出任何文件。",
    ]
    # build refuses the same way and writes nothing
    b = CliRunner().invoke(main, ["build", "--root", str(example), "--as-of", "2018-01-31"])
    assert b.exit_code == 1 and "淮软建办〔2017〕21号" in b.output
    assert not (example / "_site").exists()


def test_the_copy_paste_trap_in_english(example):
    q3 = example / "scores/huaian-sanfuwu/2017-Q3.yaml"
    (example / "scores/huaian-sanfuwu/2017-Q4.yaml").write_bytes(
        q3.read_bytes().replace(b"period: 2017-Q3", b"period: 2017-Q4"))
    r = CliRunner().invoke(main, ["check", "--root", str(example), "--lang", "en"])
    assert "scores/huaian-sanfuwu/2017-Q4.yaml:8:11: the document number “淮软建办〔2017〕21号” is already used by " \
           "the notice of another period (scores/huaian-sanfuwu/2017-Q3.yaml)" in r.output


def test_the_examples_and_the_fixture_pass(example, fixture):
    assert run_check(example).exit_code == 0
    assert run_check(fixture).exit_code == 0


# -- 文号 --------------------------------------------------------------------------


def test_a_notice_number_of_another_period_is_refused_in_both_files(fixture):
    edit(fixture / "scores/xiaoneng/2018-Q1.yaml", "示效办〔2018〕8号", "示效办〔2018〕 2号")  # spaces ignored
    r = run_check(fixture)
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert lines[0].startswith("scores/xiaoneng/2017-Q4.yaml:7:11: 文号“示效办〔2018〕2号”已用于另一考核期的通报或公示（scores/xiaoneng/2018-Q1.yaml）")
    assert lines[1].startswith("scores/xiaoneng/2018-Q1.yaml:7:11: 文号“示效办〔2018〕 2号”已用于另一考核期的通报或公示（scores/xiaoneng/2017-Q4.yaml）")


def test_a_notice_number_used_by_another_periods_correction_is_refused(fixture):
    edit(fixture / "scores/xiaoneng/2018-Q1.yaml", "示效办〔2018〕8号", "示效办〔2018〕4号")
    r = run_check(fixture)
    assert r.exit_code == 1
    assert "scores/xiaoneng/2018-Q1.yaml:7:11: 文号“示效办〔2018〕4号”已用于另一考核期的更正通知（scores/xiaoneng/2017-Q4.yaml）" in r.output


def test_corrections_of_two_periods_may_share_one_number(fixture):
    # one 更正通知 correcting two periods' notices
    q3 = fixture / "scores/xiaoneng/2017-Q3.yaml"
    edit(q3, "units:\n", 'corrections:\n  - date: "2018-01-22"\n    number: 示效办〔2018〕4号\n    reason: 同一份更正通知。\nunits:\n')
    r = run_check(fixture)
    assert "文号" not in r.output


# -- dates -------------------------------------------------------------------------


def test_a_notice_dated_before_the_period_ends_is_refused(fixture):
    edit(fixture / "scores/xiaoneng/2017-Q4.yaml", 'date: "2018-01-15"', 'date: "2017-11-30"')
    r = run_check(fixture)
    assert "scores/xiaoneng/2017-Q4.yaml:8:9: 通报日期 2017-11-30 早于考核期“2017年第四季度”结束（2017-12-31）" in r.output


def test_a_notice_in_the_last_month_of_its_quarter_is_accepted(fixture):
    # offices announce annual and quarterly honours late in the last month
    edit(fixture / "scores/xiaoneng/2017-Q4.yaml", 'date: "2018-01-15"', 'date: "2017-12-28"')
    edit(fixture / "scores/xiaoneng/2017-Q4.yaml", 'date: "2018-01-22"', 'date: "2017-12-29"')
    r = run_check(fixture)
    assert r.exit_code == 0, r.output


def test_a_gongshi_dated_after_its_window_starts_is_refused(fixture):
    edit(fixture / "scores/xiaoneng/2018-Q1.yaml", '  date: "2018-04-12"', '  date: "2018-04-13"')
    r = run_check(fixture)
    assert "scores/xiaoneng/2018-Q1.yaml:8:9: 公示的发布日期 2018-04-13 晚于公示期开始（2018-04-12） — " \
           "公示在公示期的第一天发布：notice.date 应为 2018-04-12，或把 public_notice.from 改为 2018-04-13" in r.output


def test_a_final_notice_dated_inside_its_window_is_refused_and_after_accepted(fixture):
    q1 = fixture / "scores/xiaoneng/2018-Q1.yaml"
    edit(q1, "status: public_notice", "status: published")
    edit(q1, '  date: "2018-04-12"', '  date: "2018-04-18"')
    r = run_check(fixture)
    assert "scores/xiaoneng/2018-Q1.yaml:8:9: 通报日期 2018-04-18 早于公示期结束（2018-04-18）" in r.output
    edit(q1, '  date: "2018-04-18"', '  date: "2018-04-19"')
    assert run_check(fixture).exit_code == 0


def test_a_correction_before_the_first_publication_is_refused(fixture):
    edit(fixture / "scores/xiaoneng/2017-Q4.yaml", 'date: "2018-01-22"', 'date: "2018-01-10"')
    r = run_check(fixture)
    assert "scores/xiaoneng/2017-Q4.yaml:11:11: 更正日期 2018-01-10 早于首次发布（2018-01-15） — " \
           "更正只能在发布之后：这条更正可能是从上期文件复制来的，请删除或改正日期" in r.output


def test_a_correction_after_the_first_publication_is_accepted(fixture):
    edit(fixture / "scores/xiaoneng/2017-Q4.yaml", 'date: "2018-01-22"', 'date: "2018-01-15"')
    assert run_check(fixture).exit_code == 0


# -- other periods named -----------------------------------------------------------


def test_a_title_naming_another_quarter_is_refused(fixture):
    edit(fixture / "scores/xiaoneng/2017-Q4.yaml", "关于2017年第四季度", "关于2017年第三季度")
    r = run_check(fixture)
    assert "scores/xiaoneng/2017-Q4.yaml:9:10: 标题写的是“2017年第三季度”，而本文件是“2017年第四季度”" in r.output


def test_a_title_naming_its_own_period_or_only_the_year_is_accepted(fixture):
    edit(fixture / "scores/xiaoneng/2017-Q4.yaml", "关于2017年第四季度", "关于2017年四季度（2017年度第4次）")
    assert run_check(fixture).exit_code == 0


def test_a_body_naming_only_another_period_is_refused_at_its_line(fixture):
    body = fixture / "content/notices/2017-q3.md"
    edit(body, "2017 年第三季度", "2017 年第二季度")  # the body of last quarter
    r = run_check(fixture)
    assert r.exit_code == 1
    line = body.read_text("utf-8").split("\n")[2]
    col = line.index("2017 年第二季度") + 1
    assert f"content/notices/2017-q3.md:3:{col}: 正文（scores/xiaoneng/2017-Q3.yaml 的 notice.body）" \
           "写的是“2017 年第二季度”，而本文件是“2017年第三季度”" in r.output


def test_a_body_that_also_names_its_own_period_may_compare_with_another(fixture):
    body = fixture / "content/notices/2017-q3.md"
    body.write_text(body.read_text("utf-8") + "\n2017年第三季度总分较2017年第二季度提高。\n", "utf-8")
    assert run_check(fixture).exit_code == 0


def test_mentions_are_read_the_ways_notices_write_periods():
    assert [m[0] for m in _mentions("quarter", "2017年三季度、2017年第4季度、２０１７年第一季度")] == [
        "2017-Q3", "2017-Q4", "2017-Q1"]
    assert [m[0] for m in _mentions("month", "2017年9月考核，2017年10月20日发布")] == ["2017-09"]
    assert [m[0] for m in _mentions("week", "2024年第36周")] == ["2024-W36"]
    assert [m[0] for m in _mentions("year", "2017年度，2017年")] == ["2017"]
    assert [m[0] for m in _mentions("half-year", "2017年上半年")] == ["2017-H1"]
