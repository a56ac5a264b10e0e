"""The command's entry point (``site-builder``, ``python -m site_builder``) leaves the process at once
after a command, without freeing what a build held object by object; its output and exit code are
exactly those of the command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_faults import env

from site_builder import cli

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "site" / "fixtures" / "basic"


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd, env=env(),
                          capture_output=True, text=True, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def test_a_build_through_a_pipe_says_everything_and_exits_0(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "site"
    done = command("build", "--root", str(project), "--out", str(out), "--as-of", "2019-01-10", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # the summary's last line, flushed before the process left
    assert "已生成" in done.stdout and done.stdout.endswith("\n"), done.stdout
    assert (out / "index.html").read_bytes().startswith(b"<!doctype html>\n")
    assert "Traceback" not in done.stderr


def test_a_refused_build_says_where_and_exits_1(project: Path, tmp_path: Path) -> None:
    site = project / "site.yaml"
    site.write_text(site.read_text("utf-8") + "title: [\n", "utf-8")
    out = tmp_path / "out" / "site"
    done = command("build", "--root", str(project), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 1, (done.stdout, done.stderr)
    text = done.stdout + done.stderr
    assert "site.yaml:" in text and "未写出任何文件" in text, text
    assert "Traceback" not in text
    assert not out.exists()


def test_run_flushes_and_leaves_with_the_commands_code(monkeypatch, capsys) -> None:
    left: list[int] = []

    def main() -> None:
        print("说完了", end="")
        raise SystemExit(3)

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(os, "_exit", left.append)
    cli.run()
    assert left == [3]
    assert capsys.readouterr().out == "说完了"


@pytest.mark.parametrize("code, left", [(None, 0), (0, 0), (1, 1)])
def test_run_leaves_with_0_for_none_and_the_number_otherwise(code, left, monkeypatch) -> None:
    codes: list[int] = []
    monkeypatch.setattr(cli, "main", lambda: sys.exit(code))
    monkeypatch.setattr(os, "_exit", codes.append)
    cli.run()
    assert codes == [left]


def test_an_exit_with_a_message_takes_the_ordinary_way_out(monkeypatch) -> None:
    codes: list[int] = []
    monkeypatch.setattr(cli, "main", lambda: sys.exit("出错了"))
    monkeypatch.setattr(os, "_exit", codes.append)
    with pytest.raises(SystemExit) as raised:
        cli.run()
    assert raised.value.code == "出错了" and codes == []
