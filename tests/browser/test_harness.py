"""Checks that the browser harness itself works: Chromium, fonts, axe, request gate."""

from __future__ import annotations

import struct
import tomllib
from pathlib import Path

import pytest

from browser_fixtures import REPO_ROOT, describe, is_local_url

SAMPLE_TITLE = "2024年度绩效考核结果公示"

SAMPLE_PAGE = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{SAMPLE_TITLE}</title>
<style>
  body {{ font-family: "Noto Sans CJK SC", sans-serif; margin: 12px; color: #1a1a1a; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ border: 1px solid #888; padding: 4px 6px; text-align: left; }}
  td.num {{ text-align: right; }}
</style>
</head>
<body>
<main>
<h1>{SAMPLE_TITLE}</h1>
<p>根据年度考核办法，现将各单位考核得分及等次公示如下。公示期为五个工作日。</p>
<table>
  <caption>各单位考核得分（满分100分）</caption>
  <thead>
    <tr><th scope="col">名次</th><th scope="col">单位</th><th scope="col">得分</th><th scope="col">等次</th></tr>
  </thead>
  <tbody>
    <tr><td>1</td><td>市财政局</td><td class="num">96.5</td><td>优秀</td></tr>
    <tr><td>2</td><td>市教育局</td><td class="num">93.0</td><td>优秀</td></tr>
    <tr><td>3</td><td>市交通运输局</td><td class="num">88.25</td><td>良好</td></tr>
  </tbody>
</table>
</main>
</body>
</html>
"""


def png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert head[12:16] == b"IHDR", "PNG does not start with an IHDR chunk"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def netlify_csp() -> str:
    with (REPO_ROOT / "netlify.toml").open("rb") as fh:
        config = tomllib.load(fh)
    for rule in config["headers"]:
        if rule["for"] == "/*":
            return rule["values"]["Content-Security-Policy"]
    raise AssertionError("netlify.toml has no headers for /*")


@pytest.mark.browser
def test_served_chinese_page_at_phone_width(
    tmp_path, serve_dir, open_page, run_axe, serious, screenshot
):
    (tmp_path / "index.html").write_text(SAMPLE_PAGE, encoding="utf-8")
    base = serve_dir(tmp_path)
    assert base.startswith("http://127.0.0.1:")

    page = open_page(f"{base}/index.html", width=360)

    assert page.title() == SAMPLE_TITLE
    assert page.viewport_size == {"width": 360, "height": 800}
    assert page.locator("tbody tr").count() == 3

    problems = serious(run_axe(page))
    assert problems == [], describe(problems)

    shot = screenshot(page, "harness-zh-table-360")
    assert shot.is_file()
    assert shot.parent == REPO_ROOT / "tests" / "artifacts" / "screenshots"
    width, height = png_size(shot)
    assert width == 360, "page overflows a 360 px phone screen horizontally"
    assert height >= 100

    assert page.blocked_requests == []
    assert page.console_errors == []


@pytest.mark.browser
def test_external_requests_are_blocked_and_recorded(tmp_path, open_page):
    page_file = tmp_path / "external.html"
    page_file.write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>外部资源</title>"
        '<script src="https://cdn.example.com/x.js"></script></head>'
        "<body><p>本页引用了外部脚本。</p></body></html>",
        encoding="utf-8",
    )

    page = open_page(page_file.as_uri())

    assert page.title() == "外部资源"
    assert "https://cdn.example.com/x.js" in page.blocked_requests


@pytest.mark.browser
def test_axe_runs_under_site_csp_and_finds_problems(
    tmp_path, serve_dir, open_page, run_axe, serious
):
    # The deployed site sends a strict CSP (no inline script, no eval). axe must
    # still be injectable, and it must really report problems, or a broken
    # harness would pass every page.
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>缺少替代文本</title>'
        "</head><body><main><h1>图表</h1>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10">'
        "</main></body></html>",
        encoding="utf-8",
    )
    base = serve_dir(tmp_path, headers={"Content-Security-Policy": netlify_csp()})

    page = open_page(f"{base}/bad.html")

    ids = {v["id"] for v in serious(run_axe(page))}
    assert "image-alt" in ids


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("file:///tmp/x.html", True),
        ("http://127.0.0.1:8123/a.css", True),
        ("http://localhost:9000/", True),
        ("http://[::1]:9000/", True),
        ("data:image/png;base64,AAAA", True),
        ("https://cdn.example.com/x.js", False),
        ("http://127.0.0.1.example.com/", False),
        ("https://fonts.googleapis.com/css", False),
        ("http://192.168.1.10/", False),
    ],
)
def test_request_gate(url, allowed):
    assert is_local_url(url) is allowed
