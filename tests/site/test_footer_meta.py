"""The footer's 网站标识码 / ICP 备案号 / 公安备案号 from site.yaml, and the sharing meta
(description and Open Graph) of every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.cli import main
from site_builder.site.build import build_site

FOOTER = (
    "footer:\n"
    "  site_code: 1100000088\n"
    "  icp: 京ICP备12345678号-1\n"
    '  police_record: "京公网安备 11010502030143号"\n'
)
FOOTER_HTML = (
    '<p class="footer-ids">\n'
    "<span>网站标识码：1100000088</span>\n"
    '<span><a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备12345678号-1</a></span>\n'
    '<span><a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143" rel="noopener">'
    "京公网安备 11010502030143号</a></span>\n"
    "</p>\n"
)


def add_to_site(project: Path, text: str) -> None:
    site = project / "site.yaml"
    site.write_text(site.read_text("utf-8") + text, "utf-8")


def meta(html: str) -> dict[str, str]:
    found = dict(re.findall(r'<meta (?:name|property)="((?:og:)?\w+)" content="([^"]*)">', html))
    found.pop("viewport", None)
    found.pop("generator", None)
    found.pop("referrer", None)
    return found


def test_footer_ids_on_every_page(project: Path, tmp_path: Path) -> None:
    add_to_site(project, FOOTER)
    out = tmp_path / "site"
    build_site(project, out, quiet=True)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        assert FOOTER_HTML in page.read_text("utf-8"), page


def test_only_the_ids_given_are_shown(project: Path, tmp_path: Path) -> None:
    add_to_site(project, "footer:\n  icp: 粤ICP备2023012345号\n")
    out = tmp_path / "site"
    build_site(project, out, quiet=True)
    html = (out / "index.html").read_text("utf-8")
    assert (
        '<p class="footer-ids">\n'
        '<span><a href="https://beian.miit.gov.cn/" rel="noopener">粤ICP备2023012345号</a></span>\n'
        "</p>\n"
    ) in html
    assert "网站标识码" not in html and "公网安备" not in html


def test_no_footer_ids_without_the_setting(built_site: Path) -> None:
    assert "footer-ids" not in (built_site / "index.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "site_code",
            '"11000000"',
            "网站标识码“11000000”的格式不对 — 网站标识码共 10 位：政府门户网站是 10 位数字（如 1100000088），"
            "部门网站是 bm 加 8 位数字（如 bm01000001）；请照抄赋码通知上的写法",
        ),
        (
            "site_code",
            "BM0100000１",
            "网站标识码“BM0100000１”的格式不对 — 网站标识码共 10 位：政府门户网站是 10 位数字（如 1100000088），"
            "部门网站是 bm 加 8 位数字（如 bm01000001）；请照抄赋码通知上的写法",
        ),
        (
            "icp",
            "京ICP备12345678号—1",
            "ICP 备案号“京ICP备12345678号—1”的格式不对 — 请照抄备案通知上的写法，如 京ICP备12345678号 或 "
            "京ICP备12345678号-1（省份简称 + ICP备 + 数字 + 号，网站序号前用半角连字符 -，中间不加空格）",
        ),
        (
            "icp",
            "ICP备12345678号",
            "ICP 备案号“ICP备12345678号”的格式不对 — 请照抄备案通知上的写法，如 京ICP备12345678号 或 "
            "京ICP备12345678号-1（省份简称 + ICP备 + 数字 + 号，网站序号前用半角连字符 -，中间不加空格）",
        ),
        (
            "police_record",
            "京公网安备1101050203014号",
            "公安机关备案号“京公网安备1101050203014号”的格式不对 — 请照抄备案通知上的写法，"
            "如 京公网安备11010502030143号（省份简称 + 公网安备 + 14 位数字 + 号）",
        ),
        (
            "police_record",
            '"京公网安备11010502030143号<script>"',
            "公安机关备案号“京公网安备11010502030143号<script>”的格式不对 — 请照抄备案通知上的写法，"
            "如 京公网安备11010502030143号（省份简称 + 公网安备 + 14 位数字 + 号）",
        ),
    ],
)
def test_malformed_ids_are_refused_where_they_are_written(
    project: Path, key: str, value: str, message: str
) -> None:
    lines = (project / "site.yaml").read_text("utf-8").count("\n")
    add_to_site(project, f"footer:\n  {key}: {value}\n")
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--out", "_site"])
    assert result.exit_code == 1
    column = len(f"  {key}: ") + 1
    assert result.output == f"site.yaml:{lines + 2}:{column}: {message}\n共 1 个错误；未写出任何文件。\n"
    assert not (project / "_site").exists()


def test_unknown_footer_key_is_refused(project: Path) -> None:
    add_to_site(project, "footer:\n  beian: 京ICP备12345678号\n")
    result = CliRunner().invoke(main, ["check", "--root", str(project)])
    assert result.exit_code == 1
    assert "site.yaml:" in result.output and "beian" in result.output


def test_sharing_meta_of_each_page_kind(built_site: Path) -> None:
    site = "示范县机关效能考核结果公示"
    issuer = "示范县机关效能建设领导小组办公室"
    expected = {
        "index.html": ("website", site, "公布本县机关效能考核办法、各单位得分与排名通报。"),
        "notices/xiaoneng/2017-Q4/index.html": (
            "article",
            "关于2017年第四季度机关效能考核结果的通报",
            f"关于2017年第四季度机关效能考核结果的通报。发布机关：{issuer}。",
        ),
        "units/czj/xiaoneng/2017-Q4/index.html": (
            "article",
            "县财政局2017年第四季度考核得分",
            "县财政局2017年第四季度考核得分 94.00 分，排第 1 名（共 2 个单位）。",
        ),
        "units/jyj/xiaoneng/2017-Q4/index.html": (
            "article",
            "县教育体育局2017年第四季度考核得分",
            "县教育体育局2017年第四季度考核得分 95.00 分，并列第 1 名（共 2 个单位）。",
        ),
        "units/jyj/index.html": ("website", "县教育体育局考核结果", "县教育体育局历次考核的得分、排名和得分明细。"),
        "schemes/xiaoneng/v2017/index.html": (
            "website",
            "示范县机关效能建设考核办法（试行）",
            f"示范县机关效能建设考核办法（试行）全文：考核指标、分值和计分办法。发布机关：{issuer}。",
        ),
        "units/index.html": ("website", "全部被考核单位", "全部被考核单位，可按名称查找各单位的考核结果。"),
        "404.html": ("website", "页面不存在", "您访问的页面不存在。"),
    }
    for path, (kind, title, description) in expected.items():
        found = meta((built_site / path).read_text("utf-8"))
        assert found == {
            "description": description,
            "og:type": kind,
            "og:site_name": site,
            "og:title": title,
            "og:description": description,
        }, path


def test_every_page_has_a_description(built_site: Path) -> None:
    for page in built_site.rglob("*.html"):
        found = meta(page.read_text("utf-8"))
        assert found.get("description"), page
        assert found["description"] == found["og:description"]
        assert "。。" not in found["description"] and "None" not in found["description"]


def test_og_url_with_base_url(project: Path, tmp_path: Path) -> None:
    add_to_site(project, "base_url: https://example.gov.cn/kaohe/\n")
    out = tmp_path / "site"
    build_site(project, out, quiet=True)
    card = meta((out / "units/czj/xiaoneng/2017-Q4/index.html").read_text("utf-8"))
    assert card["og:url"] == "https://example.gov.cn/kaohe/units/czj/xiaoneng/2017-Q4/"
    assert meta((out / "index.html").read_text("utf-8"))["og:url"] == "https://example.gov.cn/kaohe/"
    assert "og:url" not in meta((out / "404.html").read_text("utf-8"))


@pytest.mark.browser
def test_footer_ids_fit_a_phone_with_the_largest_font(
    project: Path, tmp_path: Path, serve_dir, open_page, run_axe, serious
) -> None:
    add_to_site(project, FOOTER)
    out = tmp_path / "site"
    build_site(project, out, quiet=True)
    page = open_page(f"{serve_dir(out)}/notices/xiaoneng/2017-Q4/index.html", width=360)
    page.click("label[for=fs-xl]")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    for span in page.query_selector_all(".footer-ids span"):
        box = span.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.inner_text(".footer-ids a >> nth=1") == "京公网安备 11010502030143号"
    assert serious(run_axe(page)) == []
