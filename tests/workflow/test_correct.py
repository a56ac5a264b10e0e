"""``site-builder correct``: the changes listed, the correction recorded, version n+1 locked."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from tests.workflow.project_support import FIXTURE, cli, copy_fixture, snapshot

Q3 = "scores/xiaoneng/2017-Q3.yaml"
REASON = "县财政局“重点工作推进”得分录入错误，经复核更正。"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path, locked=True)


def change_q3(root: Path, value: str = '"50"') -> None:
    path = root / Q3
    text = path.read_text("utf-8")
    assert 'tuijin: "56.5"' in text
    path.write_text(text.replace('tuijin: "56.5"', f"tuijin: {value}"), "utf-8")


def versions(root: Path, key: str = "xiaoneng/2017-Q3") -> list[tuple[int, str, object]]:
    lock = json.loads((root / "published.lock").read_text("utf-8"))
    return [(v["n"], v["stage"], v["correction"]) for v in lock["periods"][key]["versions"]]


def test_correct_lists_the_changes_records_and_locks_version_2(project, tmp_path):
    change_q3(project)
    before = (project / Q3).read_text("utf-8")
    r = cli("correct", "xiaoneng", "2017-Q3", "--reason", REASON, "--number", "示效办〔2017〕12号",
            "--date", "2017-10-30", "--root", str(project))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        f"已登记2017年第三季度（xiaoneng/2017-Q3）的更正，2017-10-30，示效办〔2017〕12号：{REASON}",
        "改动：",
        "  县财政局 重点工作推进：56.5 → 50",
        "  县财政局 总分：91.50 → 85.00",
        "  县财政局 名次（季度排名）：2 → 3",
        "  县财政局 重点整改单位：未列入 → 列入",
        "  县市场监管局 名次（季度排名）：3 → 2",
        "  县市场监管局 重点整改单位：列入 → 未列入",
        "已锁定为第 2 版：/notices/xiaoneng/2017-Q3/（第 1 版保留在 /notices/xiaoneng/2017-Q3/v1/）。",
        "",
        "下一步：",
        "  git add scores/xiaoneng/2017-Q3.yaml published.lock published/xiaoneng/2017-Q3/",
        "  git commit -m \"更正2017年第三季度（示效办〔2017〕12号）\"",
        "  git push",
    ]
    after = (project / Q3).read_text("utf-8")
    assert after.startswith(before.split("units:\n")[0] + "corrections:\n")
    assert "corrections:\n  - " in after and "date: 2017-10-30" in after
    assert f"reason: {REASON}" in after and "number: 示效办〔2017〕12号" in after
    assert versions(project) == [(1, "published", None), (2, "published", 1)]
    # check and build accept it; the old version is readable with the change
    assert cli("check", "--root", str(project)).exit_code == 0
    out = tmp_path / "site"
    b = cli("build", "--root", str(project), "--as-of", "2018-05-01", "--out", str(out))
    assert b.exit_code == 0, b.output
    v1 = (out / "notices/xiaoneng/2017-Q3/v1/index.html").read_text("utf-8")
    assert "56.5" in v1
    now = (out / "notices/xiaoneng/2017-Q3/index.html").read_text("utf-8")
    assert "2017年10月30日" in now or "2017-10-30" in now


def test_correct_defaults_to_today_in_beijing(project, monkeypatch):
    from site_builder.site import data

    monkeypatch.setattr(data, "today", lambda: dt.date(2017, 11, 2))
    change_q3(project)
    r = cli("correct", "xiaoneng", "2017-Q3", "--reason", REASON, "--root", str(project))
    assert r.exit_code == 0, r.output
    assert "date: 2017-11-02" in (project / Q3).read_text("utf-8")


def test_a_second_correction_makes_version_3(project):
    change_q3(project)
    assert cli("correct", "xiaoneng", "2017-Q3", "--reason", REASON, "--date", "2017-10-30",
               "--root", str(project)).exit_code == 0
    change_q3_again = (project / Q3).read_text("utf-8").replace('tuijin: "50"', 'tuijin: "52"')
    (project / Q3).write_text(change_q3_again, "utf-8")
    r = cli("correct", "xiaoneng", "2017-Q3", "--reason", "再次复核。", "--date", "2017-11-03",
            "--root", str(project))
    assert r.exit_code == 0, r.output
    assert "  县财政局 重点工作推进：50 → 52" in r.output.splitlines()
    assert versions(project) == [(1, "published", None), (2, "published", 1), (3, "published", 2)]


@pytest.mark.parametrize(
    "change, args, message",
    [
        (False, ["--reason", REASON, "--date", "2017-10-30"],
         "scores/xiaoneng/2017-Q3.yaml: 没有需要更正的改动：“2017年第三季度”与已发布的第 1 版相同 — "
         "先修改记录（或重新导入评分表），再登记更正"),
        (True, ["--reason", "  ", "--date", "2017-10-30"],
         "--reason: 更正原因不能为空 — 请写明原因（将公布）"),
        (True, ["--reason", REASON, "--date", "2017-10-01"],
         "--date: 更正日期 2017-10-01 早于通报首次发布（2017-10-16） — 更正只能在发布之后：请核对 --date"),
    ],
)
def test_refusals_write_nothing(project, change, args, message):
    if change:
        change_q3(project)
    before = snapshot(project)
    r = cli("correct", "xiaoneng", "2017-Q3", *args, "--root", str(project))
    assert r.exit_code == 1, r.output
    assert message in r.output
    assert snapshot(project) == before


def test_a_period_not_published_needs_no_correction(project):
    before = snapshot(project)
    r = cli("correct", "xiaoneng", "2018-Q2", "--reason", REASON, "--root", str(project))
    assert r.exit_code == 1
    assert "scores/xiaoneng/2018-Q2.yaml: “2018年第二季度”还没有发布（published.lock 中没有它），不需要登记更正" in r.output
    assert snapshot(project) == before


def test_a_change_the_check_refuses_is_restored_exactly(project):
    change_q3(project, '"500"')  # above the line's maximum
    before = snapshot(project)
    r = cli("correct", "xiaoneng", "2017-Q3", "--reason", REASON, "--date", "2017-10-30", "--root", str(project))
    assert r.exit_code == 1
    assert r.output.startswith("scores/xiaoneng/2017-Q3.yaml:")
    assert snapshot(project) == before


def test_an_objection_during_the_gongshi_corrects_it_as_a_gongshi(project, tmp_path):
    q1 = project / "scores/xiaoneng/2018-Q1.yaml"
    text = q1.read_text("utf-8")
    q1.write_text(text.replace('tuijin: "57"', 'tuijin: "58"', 1), "utf-8")
    r = cli("correct", "xiaoneng", "2018-Q1", "--reason", "Objection upheld.", "--date", "2018-04-16",
            "--root", str(project), "--lang", "en")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:4] == [
        "Recorded correction of Q1 2018 (xiaoneng/2018-Q1) dated 2018-04-16: Objection upheld.",
        "Changes:",
        "  县发展改革委 重点工作推进: 57 → 58",
        "  县发展改革委 total: 97.00 → 98.00",
    ]
    assert 'git commit -m "Correction of Q1 2018"' in r.output
    assert versions(project, "xiaoneng/2018-Q1") == [(1, "public_notice", None), (2, "public_notice", 1)]
    out = tmp_path / "site"
    assert cli("build", "--root", str(project), "--as-of", "2018-04-17", "--out", str(out)).exit_code == 0
    assert (out / "notices/xiaoneng/2018-Q1/v1/index.html").is_file()


def test_a_later_period_whose_running_totals_move_is_corrected_with_it(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    scheme = root / "schemes/xiaoneng/v2017.yaml"
    text = scheme.read_text("utf-8")
    scheme.write_text(text.replace(
        "rankings:\n  - id: jidu\n    name: 季度排名\n",
        "rankings:\n  - id: jidu\n    name: 季度排名\n  - id: leiji\n    name: 累计排名\n    basis: cumulative\n"), "utf-8")
    assert cli("lock", "--root", str(root)).exit_code == 0
    change_q3(root)
    r = cli("correct", "xiaoneng", "2017-Q3", "--reason", REASON, "--number", "示效办〔2018〕12号",
            "--date", "2018-02-01", "--root", str(root))
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    i = lines.index("2017年第四季度（scores/xiaoneng/2017-Q4.yaml）的结果随之变化，已一并登记更正，锁定为第 2 版：")
    assert lines[i + 1].startswith("  县财政局 ")
    q4 = (root / "scores/xiaoneng/2017-Q4.yaml").read_text("utf-8")
    assert f"因2017年第三季度的更正（{REASON}）相应更正。" in q4
    assert versions(root) == [(1, "published", None), (2, "published", 1)]
    assert versions(root, "xiaoneng/2017-Q4")[-1] == (2, "published", 2)
    assert ("  git add scores/xiaoneng/2017-Q3.yaml scores/xiaoneng/2017-Q4.yaml published.lock "
            "published/xiaoneng/\n  git commit") in r.output
    assert cli("check", "--root", str(root)).exit_code == 0
