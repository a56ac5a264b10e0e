"""``site-builder publish``: 公示, 通报 after it, 通报 directly; refusals write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.workflow.project_support import cli, copy_fixture, snapshot

Q2 = "scores/xiaoneng/2018-Q2.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fixture, its notices locked; 2018-Q2 is a complete draft."""
    return copy_fixture(tmp_path, locked=True)


def versions(root: Path, key: str) -> list[tuple[int, str, object]]:
    lock = json.loads((root / "published.lock").read_text("utf-8"))
    return [(v["n"], v["stage"], v["correction"]) for v in lock["periods"][key]["versions"]]


def gongshi(root: Path, *extra: str):
    return cli("publish", "xiaoneng", "2018-Q2", "--gongshi", "--number", "示效办〔2018〕20号",
               "--date", "2018-07-12", "--root", str(root), *extra)


def test_gongshi_edits_the_file_checks_and_locks(project):
    before = (project / Q2).read_text("utf-8")
    r = gongshi(project)
    assert r.exit_code == 0, r.output
    after = (project / Q2).read_text("utf-8")
    assert after == before.replace(
        "status: draft\nsample: true\n",
        "status: public_notice\nsample: true\n"
        "notice:\n  number: 示效办〔2018〕20号\n  date: 2018-07-12\n"
        "public_notice:\n  from: 2018-07-12\n  until: 2018-07-18\n  working_days: 5\n",
    )
    assert versions(project, "xiaoneng/2018-Q2") == [(1, "public_notice", None)]
    lines = r.output.splitlines()
    assert lines[0] == "已发布2018年第二季度（xiaoneng/2018-Q2）的公示：示效办〔2018〕20号，2018年7月12日。"
    assert lines[1] == "公示期：7月12日至7月18日（5个工作日）。"
    assert "单位：5 个（综合管理部门组 3 个，社会事业部门组 2 个）。" in lines
    assert "流动红旗：县发展改革委、县卫生健康委" in lines
    assert "异议受理：县效能办督查科，0551-12345678，示范县政务中心 3 楼" in lines
    assert "已锁定为第 1 版（published.lock）。" in lines
    i = lines.index("  git add scores/xiaoneng/2018-Q2.yaml published.lock published/xiaoneng/2018-Q2/")
    assert lines[i + 1:i + 3] == ["  git commit -m \"公示2018年第二季度（示效办〔2018〕20号）\"", "  git push"]
    assert not any("&&" in line for line in lines)  # Windows PowerShell 5 has no &&
    assert ("  7月18日公示期满后：site-builder publish xiaoneng 2018-Q2 --final --number 通报文号 "
            "--date 2018-07-19（或更晚的日期）") in lines


def test_gongshi_keeps_crlf_line_endings(project):
    path = project / Q2
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    r = gongshi(project)
    assert r.exit_code == 0, r.output
    raw = path.read_bytes()
    assert b"\r\nstatus: public_notice\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_window_across_a_holiday_and_other_lengths(project):
    # Q3 2018 notice on 2018-09-28 (Friday); 10-01..07 National Day, Sat 09-29 and Sun 09-30 worked
    edit = project / "scores/xiaoneng/2018-Q2.yaml"
    r = cli("publish", "xiaoneng", "2018-Q2", "--gongshi", "--number", "示效办〔2018〕20号",
            "--date", "2018-09-28", "--days", "7", "--root", str(project))
    assert r.exit_code == 0, r.output
    # 9-28, 9-29 (Sat), 9-30 (Sun), 10-08, 10-09, 10-10, 10-11
    assert "公示期：9月28日至10月11日（7个工作日）。" in r.output
    assert "  until: 2018-10-11\n  working_days: 7\n" in edit.read_text("utf-8")


def test_build_inside_the_window_shows_the_gongshi_and_after_it_the_tongbao(project, tmp_path):
    assert gongshi(project).exit_code == 0
    page = "notices/xiaoneng/2018-Q2/index.html"
    r = cli("build", "--root", str(project), "--as-of", "2018-07-16", "--out", str(tmp_path / "in"))
    assert r.exit_code == 0, r.output
    assert "按 2018-07-16 判断公示与发布日期（北京时间，由 --as-of 指定）" in r.output
    html = (tmp_path / "in" / page).read_text("utf-8")
    assert "结果的公示" in html and "0551-12345678" in html
    r = cli("build", "--root", str(project), "--as-of", "2018-07-19", "--out", str(tmp_path / "after"))
    assert r.exit_code == 0, r.output
    html = (tmp_path / "after" / page).read_text("utf-8")
    assert "结果的通报" in html and "结果的公示" not in html


def test_final_makes_version_2_and_keeps_the_gongshi_readable(project, tmp_path):
    assert gongshi(project).exit_code == 0
    r = cli("publish", "xiaoneng", "2018-Q2", "--final", "--number", "示效办〔2018〕21号",
            "--date", "2018-07-20", "--title", "关于2018年第二季度机关效能考核结果的通报", "--root", str(project))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:2] == [
        "已发布2018年第二季度（xiaoneng/2018-Q2）的通报：示效办〔2018〕21号，2018年7月20日。",
        "标题：关于2018年第二季度机关效能考核结果的通报",
    ]
    assert "已锁定为第 2 版（published.lock）。" in r.output
    assert versions(project, "xiaoneng/2018-Q2") == [(1, "public_notice", None), (2, "published", None)]
    text = (project / Q2).read_text("utf-8")
    assert "status: published\n" in text
    assert "  number: 示效办〔2018〕21号\n  date: 2018-07-20\n" in text
    assert "public_notice:\n  from: 2018-07-12\n  until: 2018-07-18\n" in text  # kept as history
    out = tmp_path / "site"
    b = cli("build", "--root", str(project), "--as-of", "2018-07-20", "--out", str(out))
    assert b.exit_code == 0, b.output
    v1 = (out / "notices/xiaoneng/2018-Q2/v1/index.html").read_text("utf-8")
    assert "示效办〔2018〕20号" in v1 and "公示" in v1
    now = (out / "notices/xiaoneng/2018-Q2/index.html").read_text("utf-8")
    assert "示效办〔2018〕21号" in now


def test_final_renames_a_gongshi_title(project):
    assert cli("publish", "xiaoneng", "2018-Q2", "--gongshi", "--number", "示效办〔2018〕20号",
               "--date", "2018-07-12", "--title", "关于2018年第二季度考核结果的公示",
               "--root", str(project)).exit_code == 0
    r = cli("publish", "xiaoneng", "2018-Q2", "--final", "--number", "示效办〔2018〕21号",
            "--date", "2018-07-19", "--root", str(project))
    assert r.exit_code == 0, r.output
    assert "  title: 关于2018年第二季度考核结果的通报\n" in (project / Q2).read_text("utf-8")


def test_direct_publication_without_gongshi(project):
    r = cli("publish", "xiaoneng", "2018-Q2", "--number", "示效办〔2018〕20号", "--date", "2018-07-12",
            "--root", str(project))
    assert r.exit_code == 0, r.output
    assert versions(project, "xiaoneng/2018-Q2") == [(1, "published", None)]
    assert "public_notice" not in (project / Q2).read_text("utf-8")
    assert "--final" not in r.output


# -- refusals: one located message, nothing written ---------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["xiaoneng", "2018-Q2", "--gongshi", "--number", "示效办〔2018〕2号", "--date", "2018-07-12"],
         "--number: 文号“示效办〔2018〕2号”已用于 scores/xiaoneng/2017-Q4.yaml — 每份通报、公示和更正通知的文号都不同：请核对文号"),
        (["xiaoneng", "2018-Q2", "--gongshi", "--number", "示效办〔2018〕20号", "--date", "2018-05-20"],
         "--date: 日期 2018-05-20 早于考核期“2018年第二季度”结束（2018-06-30） — 考核期结束后才能公布其结果：请核对 --date"),
        (["xiaoneng", "2018-Q3", "--gongshi", "--number", "示效办〔2018〕20号", "--date", "2018-10-12"],
         "scores/xiaoneng/2018-Q3.yaml: 找不到考核期文件 scores/xiaoneng/2018-Q3.yaml — 先用 site-builder new period "
         "xiaoneng 2018-Q3 建立，填好后再发布；已有的考核期：2017-Q3、2017-Q4、2018-Q1、2018-Q2"),
        (["xiaoneng", "2018-Q2", "--final", "--number", "示效办〔2018〕20号", "--date", "2018-07-12"],
         "scores/xiaoneng/2018-Q2.yaml: “2018年第二季度”还没有公示（status: draft），不能用 --final"),
        (["xiaoneng", "2017-Q4", "--number", "示效办〔2018〕30号", "--date", "2018-02-01"],
         "scores/xiaoneng/2017-Q4.yaml: “2017年第四季度”已作为通报发布（status: published）"),
        (["xiaoneng", "2018-Q1", "--gongshi", "--number", "示效办〔2018〕30号", "--date", "2018-04-12"],
         "scores/xiaoneng/2018-Q1.yaml: “2018年第一季度”的公示已发布并锁定（公示期 2018-04-12 至 2018-04-18）"),
        (["xiaoneng", "2018-Q1", "--final", "--number", "示效办〔2018〕8号", "--date", "2018-04-18"],
         "--date: 通报日期 2018-04-18 不晚于公示期结束（2018-04-18） — 公示期满后才能发布通报：日期请写 2018-04-18 之后（如 2018-04-19）"),
        (["xiaoneng", "2018-Q2", "--gongshi", "--number", "示效办〔2018〕20号", "--date", "2026-12-28"],
         "--date: 公示期涉及 2027 年，内置的法定节假日安排只到 2026 年 — 请在 calendar.yaml 中写明 2027 年的节假日和调休上班日"),
        (["xiaoneng", "2018-Q2", "--gongshi", "--number", "示效办〔2018〕20号", "--date", "2018-7-12"],
         "--date: --date 的值“2018-7-12”不是 YYYY-MM-DD 格式的日期"),
    ],
)
def test_refusals_write_nothing(project, args, message):
    before = snapshot(project)
    r = cli("publish", *args, "--root", str(project))
    assert r.exit_code == 1, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert snapshot(project) == before


def test_final_with_the_gongshi_number_is_refused(project):
    assert gongshi(project).exit_code == 0
    before = snapshot(project)
    r = cli("publish", "xiaoneng", "2018-Q2", "--final", "--number", "示效办〔2018〕20号",
            "--date", "2018-07-19", "--root", str(project))
    assert r.exit_code == 1
    assert "--number: 通报的文号“示效办〔2018〕20号”与公示的文号相同 — 通报另行编号：请写通报的文号" in r.output
    assert snapshot(project) == before


def test_an_incomplete_draft_is_refused_after_the_edit_and_restored_exactly(project):
    path = project / Q2
    original = path.read_bytes().replace(b'tuijin: "57"', b"tuijin:")  # not filled in yet
    path.write_bytes(original)
    before = snapshot(project)
    r = gongshi(project)
    assert r.exit_code == 1, r.output
    assert r.output.startswith("scores/xiaoneng/2018-Q2.yaml:")
    assert "Traceback" not in r.output
    assert snapshot(project) == before
    assert path.read_bytes() == original


def test_publish_in_english(project):
    r = gongshi(project, "--lang", "en")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:2] == [
        "Published the public notice of Q2 2018 (xiaoneng/2018-Q2): 示效办〔2018〕20号, dated 2018-07-12.",
        "Public notice period: 2018-07-12 to 2018-07-18 (5 working days).",
    ]


# -- the build's default as-of date ------------------------------------------------


@pytest.mark.real_today
def test_build_without_as_of_judges_by_today_in_beijing(project, tmp_path, monkeypatch):
    import datetime as dt

    from site_builder.site import data

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(data, "today", lambda: dt.date(2018, 7, 19))
    assert gongshi(project).exit_code == 0
    out = tmp_path / "site"
    r = cli("build", "--root", str(project), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "按 2018-07-19 判断公示与发布日期（北京时间的今天）" in r.output
    assert json.loads((out / "manifest.json").read_text("utf-8"))["as_of"] == "2018-07-19"
    html = (out / "notices/xiaoneng/2018-Q2/index.html").read_text("utf-8")
    assert "结果的通报" in html  # the window ended on 07-18


@pytest.mark.real_today
def test_source_date_epoch_keeps_precedence_over_today(project, tmp_path, monkeypatch):
    import datetime as dt

    from site_builder.site import data

    monkeypatch.setattr(data, "today", lambda: dt.date(2030, 1, 1))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1531670400")  # 2018-07-16 00:00 Beijing
    out = tmp_path / "site"
    r = cli("build", "--root", str(project), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "按 2018-07-16 判断公示与发布日期（北京时间，取自 SOURCE_DATE_EPOCH）" in r.output
    assert json.loads((out / "manifest.json").read_text("utf-8"))["as_of"] == "2018-07-16"


@pytest.mark.real_today
def test_the_real_default_reads_the_clock_in_beijing(project):
    import datetime as dt

    from site_builder.site import data
    from site_builder.site.data import SHANGHAI

    assert data.default_as_of.__name__ == "default_as_of"
    before = dt.datetime.now(SHANGHAI).date()
    got = data.today()
    assert before <= got <= dt.datetime.now(SHANGHAI).date()


def test_a_number_only_an_earlier_version_showed_is_refused(project):
    # 2018-Q1's 公示 was 示效办〔2018〕8号; its 通报 has another number now
    assert cli("publish", "xiaoneng", "2018-Q1", "--final", "--number", "示效办〔2018〕9号",
               "--date", "2018-04-19", "--root", str(project)).exit_code == 0
    before = snapshot(project)
    r = cli("publish", "xiaoneng", "2018-Q2", "--gongshi", "--number", "示效办〔2018〕8号",
            "--date", "2018-07-12", "--root", str(project))
    assert r.exit_code == 1
    assert "--number: 文号“示效办〔2018〕8号”已用于 published/xiaoneng/2018-Q1/v1.notice.json" in r.output
    assert snapshot(project) == before


def test_a_notice_dated_after_today_is_published_with_a_note(project, monkeypatch):
    import datetime as dt

    from site_builder.site import data

    monkeypatch.setattr(data, "today", lambda: dt.date(2018, 7, 10))
    r = gongshi(project)
    assert r.exit_code == 0, r.output
    assert "注意：发布日期晚于今天（北京时间 2018-07-10），网站从 7月12日起才显示这一期（在此之前连公示也不显示）。" in r.output
    monkeypatch.setattr(data, "today", lambda: dt.date(2018, 7, 12))
    r = cli("publish", "xiaoneng", "2018-Q1", "--final", "--number", "示效办〔2018〕9号",
            "--date", "2018-04-19", "--root", str(project))
    assert r.exit_code == 0 and "注意" not in r.output


BODY = "各有关单位：\n\n现将2018年第二季度机关效能考核结果公示如下。\n"


def test_the_body_in_its_usual_place_is_taken_without_editing_yaml(project):
    body = project / "content" / "notices" / "xiaoneng" / "2018-Q2.md"
    body.parent.mkdir(parents=True, exist_ok=True)
    body.write_text(BODY, encoding="utf-8")
    r = gongshi(project)
    assert r.exit_code == 0, r.output
    assert "正文：content/notices/xiaoneng/2018-Q2.md" in r.output.splitlines()
    assert "  body: notices/xiaoneng/2018-Q2.md\n" in (project / Q2).read_text("utf-8")
    out = project / "_site"
    assert cli("build", "--root", str(project), "--as-of", "2018-07-13").exit_code == 0
    page = (out / "notices" / "xiaoneng" / "2018-Q2" / "index.html").read_text("utf-8")
    assert "现将2018年第二季度机关效能考核结果公示如下。" in page


@pytest.mark.parametrize("given", ["content/notices/q2-text.md", "notices/q2-text.md"])
def test_body_option_names_a_file_under_content(project, given):
    (project / "content" / "notices" / "q2-text.md").write_text(BODY, encoding="utf-8")
    r = gongshi(project, "--body", given)
    assert r.exit_code == 0, r.output
    assert "  body: notices/q2-text.md\n" in (project / Q2).read_text("utf-8")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("notices/none.md", "--body: 找不到正文文件 notices/none.md — 正文放在 content/ 下"),
        ("site.yaml", "--body: 正文文件 site.yaml 不在 content/ 下 — 请把正文放到 content/notices/xiaoneng/ 下"),
    ],
    ids=["missing", "outside-content"],
)
def test_a_body_that_cannot_be_used_is_refused_and_nothing_written(project, given, message):
    before = snapshot(project)
    r = gongshi(project, "--body", given)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert message in r.output
    assert snapshot(project) == before
