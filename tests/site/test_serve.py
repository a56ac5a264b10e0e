"""``serve``: the reload token changes after a source changes; the script is only injected there."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[str, dict]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode("utf-8"), dict(r.headers)


def test_serve_rebuilds_and_signals_reload(project, tmp_path):
    port = _free_port()
    out = tmp_path / "served"
    code = (
        "import sys; from pathlib import Path; from site_builder.site.serve import serve;"
        f"serve(Path(sys.argv[1]), Path(sys.argv[2]), port={port})"
    )
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(project), str(out)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        token = None
        for _ in range(300):
            try:
                token, _ = _get(f"{base}/__reload")
                break
            except OSError:
                time.sleep(0.1)
        assert token is not None, "server did not start: " + (tmp_path / "serve.log").read_text(
            "utf-8"
        )
        html, headers = _get(f"{base}/index.html")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "assets/reload." in html
        site = project / "site.yaml"
        site.write_text(
            site.read_text("utf-8").replace("示范县机关效能考核结果公示", "示范县考核公示（已改）"),
            "utf-8",
        )
        for _ in range(300):
            new, _ = _get(f"{base}/__reload")
            if new != token:
                break
            time.sleep(0.1)
        assert new != token, "no rebuild after a change"
        assert "示范县考核公示（已改）" in _get(f"{base}/index.html")[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_reload_script_only_in_serve_mode(built_site):
    assert not list(built_site.glob("assets/reload.*"))
    for page in built_site.rglob("*.html"):
        assert "reload." not in page.read_text("utf-8")
