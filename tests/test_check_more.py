"""More check cases: notice bodies and public-notice windows (file:line:col asserted)."""

from __future__ import annotations

from scratch import SCORES, make_project, listing
from site_builder.cli import main


def run(runner, root):
    before = listing(root)
    result = runner.invoke(main, ["check", "--root", str(root)])
    assert listing(root) == before  # check writes nothing
    assert "Traceback" not in result.output
    return result


def test_missing_notice_body(tmp_path, runner):
    scores = SCORES.replace("notice: {date: 2024-04-10, number: 测〔2024〕1号}",
                            "notice: {date: 2024-04-10, number: 测〔2024〕1号, body: notices/q1.md}")
    root = make_project(tmp_path, {"scores/demo/2024-Q1.yaml": scores})
    result = run(runner, root)
    assert result.exit_code != 0
    # line 5 of the period file; "notice: {" 9 + "date: 2024-04-10, " 18 + "number: 测〔2024〕1号, " 19 + "body: " 6 = 52 characters, so the value starts at column 53
    assert "scores/demo/2024-Q1.yaml:5:53: 通报正文文件 content/notices/q1.md 不存在" in result.output
    (root / "content" / "notices").mkdir(parents=True)
    (root / "content" / "notices" / "q1.md").write_text("正文", encoding="utf-8")
    assert run(runner, root).exit_code == 0


def test_notice_body_outside_content(tmp_path, runner):
    scores = SCORES.replace("notice: {date: 2024-04-10, number: 测〔2024〕1号}",
                            "notice: {date: 2024-04-10, number: 测〔2024〕1号, body: ../secret.md}")
    result = run(runner, make_project(tmp_path, {"scores/demo/2024-Q1.yaml": scores}))
    assert result.exit_code != 0
    assert "scores/demo/2024-Q1.yaml:5:53: 通报正文“../secret.md”应是 content/ 下的相对路径" in result.output


def test_public_notice_window_backwards(tmp_path, runner):
    scores = SCORES.replace("status: published", "status: public_notice").replace(
        "units:\n", "public_notice: {from: 2024-04-20, until: 2024-04-10}\nunits:\n", 1)
    result = run(runner, make_project(tmp_path, {"scores/demo/2024-Q1.yaml": scores}))
    assert result.exit_code != 0
    assert "scores/demo/2024-Q1.yaml:6:16: 公示截止日期早于开始日期" in result.output
