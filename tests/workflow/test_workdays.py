"""Working days on the official Chinese calendar, and the 公示 window check built on it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.cli import main
from site_builder.errors import InputError, Problems
from site_builder.workflow.workdays import Calendar, Uncovered, add_working_days, load_calendar

D = dt.date
FIXTURE = Path(__file__).resolve().parents[1] / "site" / "fixtures" / "basic"


def test_five_working_days_from_a_friday():
    # 2023-10-20 is a Friday: 20, 23, 24, 25, 26
    assert add_working_days(D(2023, 10, 20), 5) == D(2023, 10, 26)


def test_day_one_is_the_start_when_it_is_a_working_day_else_the_next():
    assert add_working_days(D(2023, 10, 23), 1) == D(2023, 10, 23)
    assert add_working_days(D(2023, 10, 21), 1) == D(2023, 10, 23)  # a Saturday


def test_across_national_day_and_mid_autumn_2023():
    # 2023-09-29 … 10-06 holiday; Saturday 10-07 and Sunday 10-08 are working days (调休)
    cal = Calendar()
    assert [cal.is_workday(D(2023, 9, d)) for d in (28, 29, 30)] == [True, False, False]
    assert not any(cal.is_workday(D(2023, 10, d)) for d in range(1, 7))
    assert cal.is_workday(D(2023, 10, 7)) and cal.is_workday(D(2023, 10, 8))
    # from Thursday 9-28: 9-28, 10-07, 10-08, 10-09, 10-10
    assert add_working_days(D(2023, 9, 28), 5) == D(2023, 10, 10)
    assert cal.working_days_between(D(2023, 9, 25), D(2023, 10, 8)) == 6


def test_across_spring_festival_2024_with_working_sundays():
    cal = Calendar()
    assert cal.is_workday(D(2024, 2, 4)) and cal.is_workday(D(2024, 2, 18))  # Sundays, 调休上班
    assert not any(cal.is_workday(D(2024, 2, d)) for d in range(10, 18))
    # from Thursday 2-1: 1, 2, 4 (Sunday), 5, 6, 7, 8, 9 (the 8th day is 2-9), then 2-18
    assert add_working_days(D(2024, 2, 1), 3) == D(2024, 2, 4)
    assert add_working_days(D(2024, 2, 8), 3) == D(2024, 2, 18)


def test_a_year_the_package_does_not_know_is_an_uncovered_error():
    with pytest.raises(Uncovered) as exc:
        Calendar().add_working_days(D(2026, 12, 28), 5)  # runs into 2027
    assert exc.value.year == 2027
    with pytest.raises(InputError) as err:
        add_working_days(D(2026, 12, 28), 5)
    assert str(err.value).splitlines()[0] == (
        "公示期涉及 2027 年，内置的法定节假日安排只到 2026 年 — 请在 calendar.yaml 中写明 2027 年的节假日"
        "和调休上班日（国务院办公厅通知），格式见 docs/formats.md 的“工作日日历”"
    )


def test_calendar_yaml_adds_a_year(tmp_path):
    (tmp_path / "calendar.yaml").write_text(
        "years:\n  2027:\n    holidays: [2027-01-01, 2027-02-08, 2027-02-09]\n    workdays: [2027-02-06]\n",
        encoding="utf-8",
    )
    # 2026-12-28 Mon … 12-31 Thu (4), 2027-01-01 holiday, 01-04 Mon is the 5th
    assert add_working_days(D(2026, 12, 28), 5, root=tmp_path) == D(2027, 1, 4)
    # 2027-02-05 Fri, 02-06 Saturday worked, 02-08/09 off, 02-10
    assert add_working_days(D(2027, 2, 5), 3, root=tmp_path) == D(2027, 2, 10)


def test_calendar_yaml_replaces_a_known_year(tmp_path):
    (tmp_path / "calendar.yaml").write_text("years:\n  2023:\n    holidays: [2023-10-20]\n", encoding="utf-8")
    cal = load_calendar(tmp_path, Problems())
    assert not cal.is_workday(D(2023, 10, 20))
    assert not cal.is_workday(D(2023, 10, 7))  # the package's 调休 Saturday is not in this year's list
    assert cal.is_workday(D(2023, 10, 2))  # nor its holidays


def test_calendar_yaml_problems_are_located(tmp_path):
    (tmp_path / "calendar.yaml").write_text(
        "years:\n  2027:\n    holidays: [2027-01-01, 2026-12-31, 明天]\n", encoding="utf-8")
    problems = Problems()
    load_calendar(tmp_path, problems)
    rendered = [p.render() for p in problems.sorted()]
    assert rendered == [
        "calendar.yaml:3:28: 2026-12-31 不在 2027 年 — 每个日期写在它所属年份之下",
        "calendar.yaml:3:40: “明天”不是 YYYY-MM-DD 格式的日期 — 请按 YYYY-MM-DD 格式填写，如 2024-03-01",
    ]


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("years:\n  27:\n    holidays: [2027-01-01]\n", "calendar.yaml:3:5:", "“27”不是年份"),
        ("years:\n  2027:\n    holiday: [2027-01-01]\n", "calendar.yaml:3:5:", "holiday"),
        ("years:\n  2027:\n    holidays: 2027-01-01\n", "calendar.yaml:3:15:", ""),
        ("year:\n  2027: {}\n", "calendar.yaml:1:1:", "year"),
        ("[2027-01-01]\n", "calendar.yaml:1:1:", ""),
    ],
    ids=["short-year", "unknown-key", "not-a-list", "misspelt-years", "not-a-mapping"],
)
def test_calendar_yaml_is_validated_by_its_schema(tmp_path, text, where, says):
    (tmp_path / "calendar.yaml").write_text(text, encoding="utf-8")
    problems = Problems()
    cal = load_calendar(tmp_path, problems)
    rendered = [p.render() for p in problems.sorted()]
    assert rendered and all(r.startswith(where) for r in rendered), rendered
    assert says in " ".join(rendered)
    assert cal.years == {}


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def _set_window(root: Path, start: str, until: str, days: str) -> Path:
    q1 = root / "scores/xiaoneng/2018-Q1.yaml"
    text = q1.read_text("utf-8")
    text = text.replace('  date: "2018-04-12"', f'  date: "{start}"')
    text = text.replace('  from: "2018-04-12"', f'  from: "{start}"')
    text = text.replace('  until: "2018-04-18"', f'  until: "{until}"')
    text = text.replace('  working_days: "5"', f'  working_days: "{days}"')
    q1.write_text(text, "utf-8")
    return q1


def test_check_refuses_a_window_that_disagrees_with_its_working_days(tmp_path):
    root = _project(tmp_path)
    _set_window(root, "2018-04-12", "2018-04-17", "5")
    r = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert r.exit_code == 1
    assert r.output.splitlines()[0] == (
        "scores/xiaoneng/2018-Q1.yaml:11:10: 公示期从 2018-04-12 起 5 个工作日应截止到 2018-04-18，"
        "这里写的是 2018-04-17 — 请把 until 改为 2018-04-18（按国务院办公厅公布的节假日和调休计算，"
        "2018-04-12 是工作日时算第 1 天），或改正 working_days"
    )


def test_check_accepts_a_window_across_qingming_2018(tmp_path):
    # 2018-04-02 Monday; 04-05/06 Qingming off, Sunday 04-08 worked: 2, 3, 4, 8, 9
    root = _project(tmp_path)
    _set_window(root, "2018-04-02", "2018-04-09", "5")
    r = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert r.exit_code == 0, r.output


def test_build_fails_when_the_calendar_does_not_cover_the_window(tmp_path):
    root = _project(tmp_path)
    (root / "calendar.yaml").write_text("years:\n  2018:\n    holidays: []\n", encoding="utf-8")
    q1 = root / "scores/xiaoneng/2018-Q1.yaml"
    # the package covers 2018, but a window in 2003 is before it
    text = q1.read_text("utf-8").replace("working_days", "# working_days")
    q1.write_text(text, "utf-8")
    q2 = root / "scores/xiaoneng/2017-Q4.yaml"
    t2 = q2.read_text("utf-8").replace('notice:\n', 'public_notice:\n  from: "2003-01-02"\n  until: "2003-01-08"\n  working_days: 5\nnotice:\n', 1)
    q2.write_text(t2, "utf-8")
    r = CliRunner().invoke(main, ["build", "--root", str(root), "--as-of", "2018-05-01"])
    assert r.exit_code == 1
    assert "公示期涉及 2003 年，内置的法定节假日安排只到 2026 年 — 请在 calendar.yaml 中写明 2003 年的节假日和调休上班日" in r.output
    assert "scores/xiaoneng/2017-Q4.yaml:" in r.output
    assert not (root / "_site").exists()
