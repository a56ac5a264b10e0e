"""``site-builder serve`` as a user runs it: the HTTP server answers from a process of its own, so the
``serve`` process keeps one thread and its builds render on every core (forking a process that runs
threads is not safe); the server follows every build, and Ctrl+C ends both processes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from site_builder.site import serve_process

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/task").is_dir(),
                                reason="needs fork and /proc (Linux): elsewhere the server answers from threads")


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(x) for x in f.read().split()]
    return out


def _threads(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("Threads:")).split()[1])


def _until(check, what: str, seconds: float = 60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_serve_answers_from_its_own_process_and_follows_every_build(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = os.pathsep.join(x for x in (str(REPO), env.get("PYTHONPATH", "")) if x)
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--root", str(project), "--port", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True)
    try:
        url = None
        while url is None:
            line = proc.stderr.readline()
            assert line, "serve ended before it said where it serves"
            found = re.search(r"本地预览：(http://127\.0\.0\.1:\d+/)", line)
            url = found and found.group(1)
        first = json.loads(_get(url + "__reload"))
        assert first["built"] is True and first["errors"] == []
        assert "<title>" in _get(url + "index.html")
        # the server is a child of its own; serve itself runs no other thread
        server = _children(proc.pid)
        assert len(server) == 1 and _threads(proc.pid) == 1
        assert _threads(server[0]) >= 2  # it answers from threads

        site = project / "site.yaml"
        text = site.read_text("utf-8")
        site.write_text(re.sub(r"^title: .*$", "title: 服务进程测试标题", text, count=1, flags=re.M), "utf-8")
        _until(lambda: json.loads(_get(url + "__reload"))["token"] != first["token"], "the rebuild")
        assert "服务进程测试标题" in _get(url + "index.html")

        site.write_text(text + "title: [\n", "utf-8")  # a broken file: the server shows its problems
        state = _until(lambda: (s := json.loads(_get(url + "__reload")))["errors"] and s, "the failed build")
        assert any(e["where"].startswith("site.yaml:") for e in state["errors"]), state
        assert state["built"] is True  # the last good site is still served
        assert _threads(proc.pid) == 1

        proc.send_signal(signal.SIGINT)  # Ctrl+C: serve ends, and the server with it
        assert proc.wait(timeout=20) in (0, 1)
        _until(lambda: not os.path.exists(f"/proc/{server[0]}"), "the server's end", 10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_in_a_thread_the_server_cannot_be_forked_and_answers_from_threads() -> None:
    import threading

    seen: list[bool] = []
    worker = threading.Thread(target=lambda: seen.append(serve_process.possible()))
    worker.start()
    worker.join()
    assert seen == [False]
    assert serve_process.possible() is (threading.active_count() == 1)
