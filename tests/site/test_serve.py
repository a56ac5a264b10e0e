"""``serve``: the dev build in its own folder, rebuilds on change (atomic saves too), the
problems of a failed build as JSON for the overlay over the last good site, and the
site's own error pages; the reload script only there."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.cli import main
from site_builder.site.serve import serve, source_snapshot

TITLE = "示范县机关效能考核结果公示"


@contextmanager
def serving(project: Path, out: Path | None = None) -> Iterator[str]:
    """``serve`` on a free port in a thread; yields its address (``http://127.0.0.1:port``)."""
    stop = threading.Event()
    address: list[str] = []
    ready = threading.Event()

    def on_ready(url: str) -> None:
        address.append(url.rstrip("/"))
        ready.set()

    thread = threading.Thread(
        target=serve,
        args=(project, out),
        kwargs={"port": 0, "stop": stop, "ready": on_ready},
        daemon=True,
    )
    thread.start()
    try:
        assert ready.wait(60), "serve did not start"
        yield address[0]
    finally:
        stop.set()
        thread.join(timeout=20)


def get(url: str, method: str = "GET") -> tuple[int, str, dict]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode("utf-8"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8"), dict(e.headers)


def state(base: str) -> dict:
    status, body, headers = get(f"{base}/__reload")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    return json.loads(body)


def wait_for(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def rebuilt_after(base: str, token: str) -> Callable[[], bool]:
    return lambda: state(base)["token"] != token


def retitle(project: Path, title: str) -> str:
    """site.yaml with another title (whatever it is now)."""
    lines = (project / "site.yaml").read_text("utf-8").splitlines(keepends=True)
    return "".join(f"title: {title}\n" if x.startswith("title:") else x for x in lines)


def test_serve_builds_into_its_own_folder_and_rebuilds(project: Path) -> None:
    with serving(project) as base:
        first = state(base)
        assert first["errors"] == [] and first["built"] is True
        status, html, headers = get(f"{base}/index.html")
        assert status == 200
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "assets/reload." in html
        (project / "site.yaml").write_text(retitle(project, "示范县考核公示（已改）"), "utf-8")
        wait_for(rebuilt_after(base, first["token"]), "a rebuild after a change")
        assert "示范县考核公示（已改）" in get(f"{base}/index.html")[1]
    dev = project / ".site-builder"
    assert (dev / "serve" / "index.html").is_file()
    assert (dev / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    assert not (project / "_site").exists()


def test_a_session_keeps_what_its_builds_read_and_drops_it_at_the_end(project: Path, tmp_path: Path,
                                                                       monkeypatch) -> None:
    """With the cache on, the builds of one serve run share what the last one held
    (site_builder/load/warm.py); the run's end lets it all go."""
    from site_builder.load import warm
    from site_builder.load.cache import CACHE_DIR, ENV_OFF

    monkeypatch.delenv(ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    kept = f"entries\0{project.resolve() / CACHE_DIR}"
    with serving(project) as base:
        first = state(base)
        assert len(warm._MEMOS[kept]) > 0  # the first build's sources
        (project / "site.yaml").write_text(retitle(project, "示范县考核公示（再改）"), "utf-8")
        wait_for(rebuilt_after(base, first["token"]), "a rebuild after a change")
        assert "示范县考核公示（再改）" in get(f"{base}/index.html")[1]
    assert warm._MEMOS == {}


def test_failed_rebuild_keeps_last_good_site_and_lists_problems(project: Path) -> None:
    site = project / "site.yaml"
    good = site.read_text("utf-8")
    with serving(project) as base:
        token = state(base)["token"]
        lines = good.splitlines()
        line = next(i for i, x in enumerate(lines) if x.startswith("title:")) + 1
        site.write_text(good.replace(f"title: {TITLE}", "title: yes"), "utf-8")
        wait_for(lambda: state(base)["errors"] != [], "the problems of the failed build")
        now = state(base)
        assert now["token"] == token  # nothing to reload: the last good site stays
        assert now["errors"] == [
            {
                "where": f"site.yaml:{line}:8",
                "text": "“yes”未加引号，其他 YAML 工具会把它读成布尔值（是/否）而不是文字"
                ' — 请加引号写成 "yes"',
            }
        ]
        assert now["title"] == "生成失败"
        assert now["note"] == "下面是上次成功生成的页面。请改正以下问题并保存，页面会自动刷新。"
        assert TITLE in get(f"{base}/index.html")[1]
        site.write_text(good.replace(TITLE, "示范县考核公示（改正后）"), "utf-8")
        wait_for(rebuilt_after(base, token), "the rebuild after the fix")
        assert state(base)["errors"] == []
        assert "示范县考核公示（改正后）" in get(f"{base}/index.html")[1]


def test_first_build_failing_still_serves_a_page_with_the_problems(project: Path) -> None:
    site = project / "site.yaml"
    good = site.read_text("utf-8")
    site.write_text(good.replace("organisation:", "organization:"), "utf-8")
    with serving(project) as base:
        now = state(base)
        assert now["built"] is False and len(now["errors"]) >= 1
        assert now["note"] == "网站还没有成功生成过。请改正以下问题并保存，页面会自动刷新。"
        status, html, headers = get(f"{base}/")
        assert status == 200 and "<h1>生成失败</h1>" in html
        assert '<script src="/__serve/reload.js" defer></script>' in html
        assert get(f"{base}/__serve/reload.js")[1] == (
            Path(__file__).resolve().parents[2] / "theme" / "static" / "reload.js"
        ).read_text("utf-8")
        site.write_text(good, "utf-8")
        wait_for(lambda: state(base)["built"], "the first good build")
        assert TITLE in get(f"{base}/index.html")[1]


@pytest.mark.parametrize("how", ["rename over", "delete and re-create", "folder replaced"])
def test_atomic_saves_are_seen(project: Path, how: str) -> None:
    """Editors save by writing a temporary file and renaming it over the original: the
    watcher must look files up by path, so the second save is seen as well as the first."""
    with serving(project) as base:
        for n in (1, 2):
            token = state(base)["token"]
            title = f"示范县考核公示（第{n}次保存）"
            if how == "rename over":
                tmp = project / ".site.yaml.swp"
                tmp.write_text(retitle(project, title), "utf-8")
                os.replace(tmp, project / "site.yaml")
            elif how == "delete and re-create":
                text = retitle(project, title)
                (project / "site.yaml").unlink()
                time.sleep(0.05)
                (project / "site.yaml").write_text(text, "utf-8")
            else:  # a tool that writes a new content/ folder and swaps it in
                new = project / "content.new"
                shutil.copytree(project / "content", new)
                (project / "site.yaml").write_text(retitle(project, title), "utf-8")
                shutil.rmtree(project / "content")
                new.rename(project / "content")
            wait_for(rebuilt_after(base, token), f"rebuild after save {n}")
            assert title in get(f"{base}/index.html")[1]


def test_snapshot_sees_a_file_renamed_over_with_the_same_size_and_time(project: Path) -> None:
    site = project / "site.yaml"
    before = source_snapshot(project, project / ".site-builder" / "serve")
    st = site.stat()
    tmp = project / "site.yaml.tmp"
    tmp.write_bytes(site.read_bytes())
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, site)
    after = source_snapshot(project, project / ".site-builder" / "serve")
    assert before["site.yaml"][:2] == after["site.yaml"][:2]
    assert before != after


def test_missing_pages_and_errors_are_the_sites_own(project: Path) -> None:
    with serving(project) as base:
        status, html, headers = get(f"{base}/a/b/c/missing")
        assert status == 404
        assert "<title>页面不存在 - " in html
        assert 'href="/assets/site.' in html and '<a href="/index.html">首页</a>' in html
        assert "Error response" not in html
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        # a folder without index.html is not listed
        status, html, _ = get(f"{base}/assets/")
        assert status == 404 and "Directory listing" not in html and "页面不存在" in html
        status, html, _ = get(f"{base}/index.html", method="POST")
        assert status == 501
        assert "<h1>出错了（501）</h1><p>本地预览只支持查看页面。</p>" in html
        assert '<link rel="stylesheet" href="/__serve/site.css">' in html
        assert "Unsupported method" not in html
        status, html, _ = get(f"{base}/nothing.css", method="HEAD")
        assert status == 404 and html == ""


def test_serve_refuses_the_published_site_folder(project: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--root", str(project), "--out", "_site", "--port", "0"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"--out: 本地预览不能生成到 {project / '_site'}：这是正式发布的网站目录，预览页面带有自动刷新脚本，不能发布"
        " — 去掉 --out，预览会生成到 .site-builder/serve/；或写另一个目录\n共 1 个错误；未写出任何文件。"
    )
    assert not (project / "_site").exists() and not (project / ".site-builder").exists()


def test_reload_script_only_in_serve_mode(built_site: Path) -> None:
    assert not list(built_site.glob("assets/reload.*"))
    for page in built_site.rglob("*.html"):
        assert "reload." not in page.read_text("utf-8")


# ------------------------------------------------------------------ in Chromium


def not_404_noise(errors: list[str]) -> list[str]:
    """Console errors other than Chromium's note that the page itself answered 404."""
    return [e for e in errors if "status of 404" not in e]


@pytest.mark.browser
def test_overlay_over_the_last_good_page_in_browser(project: Path, open_page, screenshot) -> None:
    site = project / "site.yaml"
    good = site.read_text("utf-8")
    with serving(project) as base:
        page = open_page(f"{base}/index.html", width=390)
        page.click("label[for=fs-xl]")
        page.wait_for_timeout(1200)  # the script has its first token
        site.write_text(good.replace(f"title: {TITLE}", "title: yes"), "utf-8")
        overlay = page.wait_for_selector("#serve-overlay", state="visible", timeout=30000)
        screenshot(page, "serve-overlay-390", full_page=False)
        assert overlay.evaluate("e => getComputedStyle(e).position") == "fixed"
        assert page.inner_text("#serve-overlay h2") == "生成失败"
        assert page.inner_text(".serve-where") == "site.yaml:1:8"
        assert page.inner_text(".serve-text").startswith("“yes”未加引号")
        assert page.inner_text(".site-title") == TITLE  # the last good page, underneath
        box = overlay.bounding_box()
        assert box is not None and box["width"] <= 390
        assert not_404_noise(page.console_errors) == [], "CSP violations or script errors"
        site.write_text(good.replace(TITLE, "示范县考核公示（改正后）"), "utf-8")
        page.wait_for_selector(".site-title >> text=改正后", timeout=30000)  # reloaded
        assert page.query_selector("#serve-overlay") is None
        assert page.console_errors == []


@pytest.mark.browser
def test_overlay_shows_hostile_text_as_text(project: Path, open_page) -> None:
    """A problem quoting what the clerk wrote (here a key that looks like markup) is shown as
    text: the overlay is built with textContent, so nothing in it is parsed as HTML."""
    site = project / "site.yaml"
    good = site.read_text("utf-8")
    with serving(project) as base:
        page = open_page(f"{base}/index.html", width=390)
        page.wait_for_timeout(1200)
        site.write_text(good + '"<img src=x id=injected>": 1\n', "utf-8")
        page.wait_for_selector("#serve-overlay", state="visible", timeout=60000)
        assert "<img src=x id=injected>" in page.inner_text("#serve-overlay")
        assert page.query_selector("#injected") is None
        assert page.query_selector("#serve-overlay img") is None


class _SubPathHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    """A static host serving the site under /kaohe/, answering missing pages with 404.html
    (as nginx's ``error_page 404 /kaohe/404.html`` or Netlify do)."""

    prefix = "/kaohe/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__nothing__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_host(site: Path, prefix: str) -> Iterator[str]:
    import functools
    import http.server

    handler = type("H", (_SubPathHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [("https://example.gov.cn/kaohe/", "/kaohe/"), ("https://example.gov.cn/kaohe", "/kaohe/"), (None, "/")],
)
def test_404_page_works_at_any_depth_and_base_path(
    project: Path, open_page, run_axe, serious, base_url: str | None, prefix: str
) -> None:
    from site_builder.site.build import build_site

    if base_url:
        site = project / "site.yaml"
        site.write_text(site.read_text("utf-8") + f"base_url: {base_url}\n", "utf-8")
    out = project / "_site"
    build_site(project, out, quiet=True)
    with static_host(out, prefix) as host:
        page = open_page(f"{host}{prefix}a/b/c/missing", width=360)
        page.click("label[for=fs-xl]")
        assert page.inner_text("h1") == "页面不存在"
        # the stylesheet applies: the theme's font and the header's background
        assert page.evaluate("getComputedStyle(document.querySelector('.page')).fontFamily").startswith('"PingFang SC"')
        assert page.evaluate("getComputedStyle(document.querySelector('.fs-switch')).display") != "inline"
        assert not_404_noise(page.console_errors) == []
        assert serious(run_axe(page)) == []
        page.click(".notfound-links a >> text=首页")
        page.wait_for_load_state()
        assert page.url == f"{host}{prefix}index.html"
        assert page.inner_text(".site-title") == TITLE
