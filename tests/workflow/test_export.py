"""``site-builder export SCHEME PERIOD``: the notice as a folder a government portal's CMS imports."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.cli import main
from tests.workflow.project_support import copy_fixture, edit
from site_builder.workflow.export import inline_styles

AS_OF = "2018-04-20"  # every fixture notice published; the 2018-Q1 公示 window (04-12 … 04-18) over
FILES = ["index.html", "print.html", "xiaoneng-2017-Q4.csv", "xiaoneng-2017-Q4.xlsx"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def run(root: Path, *args: str):
    r = CliRunner().invoke(main, ["export", *args, "--root", str(root)])
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r


def export(root: Path, scheme="xiaoneng", period="2017-Q4", *args: str, as_of=AS_OF) -> Path:
    r = run(root, scheme, period, "--as-of", as_of, *args)
    assert r.exit_code == 0, r.output
    return root / "_export" / scheme / period


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def everything(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class Tree(HTMLParser):
    """Every element with its attributes and depth; text collected."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], int]] = []
        self.depth = 0
        self.roots: list[str] = []
        self.text: list[str] = []
        self.stray_text = False

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.roots.append(tag)
        self.elements.append((tag, dict(attrs), self.depth))
        if tag not in ("br", "hr", "meta"):
            self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1

    def handle_data(self, data):
        if self.depth == 0 and data.strip():
            self.stray_text = True
        self.text.append(data)


def parse(html: str) -> Tree:
    t = Tree()
    t.feed(html)
    t.close()
    return t


def test_fragment_is_one_div_inline_styled_without_scripts_or_site_links(root):
    out = export(root)
    assert sorted(files_of(out)) == sorted(FILES)
    html = (out / "index.html").read_text("utf-8")
    tree = parse(html)
    assert tree.roots == ["div"] and not tree.stray_text and tree.depth == 0
    tags = {tag for tag, _a, _d in tree.elements}
    assert not tags & {"script", "style", "link", "iframe", "img", "object", "embed", "form", "font", "meta"}
    assert "<script" not in html.lower() and "@font-face" not in html and "class=" not in html
    unstyled = [(tag, a) for tag, a, _d in tree.elements if tag != "br" and not a.get("style")]
    assert unstyled == []
    for tag, a, _d in tree.elements:
        assert "src" not in a
        href = a.get("href")
        if href is not None:
            assert href in FILES[2:] or re.match(r"https?://", href), href
    hrefs = [a["href"] for tag, a, _d in tree.elements if tag == "a"]
    assert hrefs == ["xiaoneng-2017-Q4.csv", "xiaoneng-2017-Q4.xlsx"]
    assert "onclick" not in html and "javascript:" not in html


def test_fragment_content_ranking_honours_attachments_issuer_date_corrections(root):
    html = (export(root) / "index.html").read_text("utf-8")
    text = "".join(parse(html).text)
    assert "关于2017年第四季度机关效能考核结果的通报" in text
    assert "示效办〔2018〕2号" in text
    assert "综合管理部门组季度排名（满分 100 分）" in text
    rows = re.findall(r"<tr[^>]*>\n<td[^>]*>(\d+)</td>\n<th scope=\"row\"[^>]*>([^<]+)</th>\n<td[^>]*>([0-9.]+)</td>", html)
    assert rows[:2] == [("1", "县财政局", "94.00"), ("2", "县发展改革委", "89.00")]
    assert "流动红旗：县财政局" in text and "重点整改单位：县发展改革委" in text
    assert "县市场监管局：免于考核：机构改革期间免于本季度考核。" in text
    # 附件：1. … 2. …
    assert re.search(r"附件：</p>\n<ol[^>]*>\n<li[^>]*><a href=\"xiaoneng-2017-Q4.csv\"", html)
    # 落款: the issuer, then the date of the notice (成文日期), after the attachments
    tail = html[html.index("附件："):]
    assert re.search(r'text-align:right;">示范县机关效能建设领导小组办公室</p>\n<p[^>]*text-align:right;">2018年1月15日</p>', tail)
    # the correction history, with what it changed
    assert "2018年1月22日更正" in text and "（示效办〔2018〕4号）" in text
    assert "县财政局：重点工作推进 50 → 52" in text


def test_attachments_are_the_site_s_downloads_byte_for_byte(root):
    out = export(root)
    r = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet", "--as-of", AS_OF])
    assert r.exit_code == 0, r.output
    site = root / "_site/notices/xiaoneng/2017-Q4"
    for name in FILES[2:]:
        assert (out / name).read_bytes() == (site / name).read_bytes(), name
    assert (out / "xiaoneng-2017-Q4.csv").read_bytes().startswith("\ufeff组别,名次".encode())


def test_print_page_is_a4_self_contained_and_holds_the_fragment(root):
    out = export(root)
    page = (out / "print.html").read_text("utf-8")
    fragment = (out / "index.html").read_text("utf-8")
    assert page.startswith("<!doctype html>")
    assert "@page { size: A4;" in page
    assert fragment.strip() in page
    tree = parse(page)
    tags = [tag for tag, _a, _d in tree.elements]
    assert "script" not in tags and "link" not in tags
    assert tags.count("style") == 1  # its own CSS, inside the page
    assert not re.search(r"(src|href)=\"(?!xiaoneng-2017-Q4\.(csv|xlsx)\")(?!https?://)", page)


def test_a_public_notice_in_its_window_has_the_window_and_the_contact(root):
    out = export(root, "xiaoneng", "2018-Q1", as_of="2018-04-13")
    html = (out / "index.html").read_text("utf-8")
    text = "".join(parse(html).text)
    assert "公示期：2018年4月12日至2018年4月18日（5 个工作日）" in text
    assert "异议受理：县效能办督查科" in text and "电话：0551-12345678" in text
    assert "地址：示范县政务中心 3 楼" in text
    assert "tel:" not in html  # no links but the attachments
    # after the window: the 通报, with the window's end noted and no objection box
    out = export(root, "xiaoneng", "2018-Q1", as_of="2018-04-19")
    text = "".join(parse((out / "index.html").read_text("utf-8")).text)
    assert "公示期已于 2018年4月18日 结束，结果已生效。" in text
    assert "异议受理" not in text and "0551-12345678" not in text
    assert "通报（公示期满）" in text


def test_the_scheme_s_contact_and_the_notice_s_issuer_in_the_export(root):
    edit(root / "schemes/xiaoneng/v2018.yaml", lambda d: d.update(contact={"office": "县效能办考评科"}))
    edit(root / "scores/xiaoneng/2018-Q1.yaml", lambda d: d["notice"].update(issuer="示范县考核委员会"))
    html = (export(root, "xiaoneng", "2018-Q1", as_of="2018-04-13") / "index.html").read_text("utf-8")
    assert "异议受理：县效能办考评科" in html and "县效能办督查科" not in html
    assert re.search(r'text-align:right;">示范县考核委员会</p>', html)


def test_a_draft_is_refused_and_nothing_is_written(root):
    before = everything(root)
    r = run(root, "xiaoneng", "2018-Q2", "--as-of", AS_OF)
    assert r.exit_code == 1
    assert re.search(r"scores/xiaoneng/2018-Q2\.yaml: 该考核期是草稿（status: draft），不能导出到政府网站 — 请先发布（site-builder publish xiaoneng 2018-Q2 --gongshi …）", r.output), r.output
    assert everything(root) == before and not (root / "_export").exists()


def test_a_draft_exports_with_preview_marked_as_a_draft(root):
    r = run(root, "xiaoneng", "2018-Q2", "--as-of", AS_OF, "--preview")
    assert r.exit_code == 0, r.output
    assert "这是草稿预览，不得上传到政府网站。" in r.output
    html = (root / "_export/xiaoneng/2018-Q2/index.html").read_text("utf-8")
    assert "草稿 预览：未发布，不得上传到政府网站。" in html


def test_a_notice_dated_after_the_as_of_date_is_refused(root):
    r = run(root, "xiaoneng", "2017-Q4", "--as-of", "2018-01-14")
    assert r.exit_code == 1
    assert "scores/xiaoneng/2017-Q4.yaml: 通报日期 2018-01-15 晚于判断日期 2018-01-14，尚未发布" in r.output
    assert not (root / "_export").exists()


def test_unknown_scheme_and_period_name_what_exists(root):
    r = run(root, "xiaonen", "2017-Q4", "--as-of", AS_OF)
    assert r.exit_code == 1
    assert "schemes/xiaonen: 方案“xiaonen”不存在，是不是“xiaoneng”？ — 已有方案：xiaoneng" in r.output
    r = run(root, "xiaoneng", "2017-Q5", "--as-of", AS_OF)
    assert r.exit_code == 1
    assert "scores/xiaoneng/2017-Q5.yaml: 方案“xiaoneng”没有考核期“2017-Q5”" in r.output
    assert "已有考核期：2017-Q3、2017-Q4、2018-Q1、2018-Q2" in r.output
    assert not (root / "_export").exists()


def test_a_registered_person_s_name_never_reaches_the_export(root):
    body = root / "content/notices/2017-q3.md"
    body.write_text(body.read_text("utf-8") + "\n县发展改革委张三同志违反工作纪律，已作处理。\n", "utf-8")
    out = export(root, "xiaoneng", "2017-Q3")
    files = files_of(out)
    assert "县发展改革委张*同志违反工作纪律" in files["index.html"].decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(files["xiaoneng-2017-Q3.xlsx"])) as z:
        xlsx_text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    for name, data in {**files, "xlsx": xlsx_text.encode()}.items():
        for person in ("张三", "李四"):
            assert person.encode() not in data, (name, person)


def test_a_personal_number_in_the_body_refuses_the_export_and_writes_nothing(root):
    body = root / "content/notices/2017-q3.md"
    body.write_text(body.read_text("utf-8") + "\n联系人手机 13912345678。\n", "utf-8")
    before = everything(root)
    r = run(root, "xiaoneng", "2017-Q3", "--as-of", AS_OF)
    assert r.exit_code == 1
    assert "content/notices/2017-q3.md:" in r.output and "139" in r.output
    assert everything(root) == before


def test_export_into_the_sources_or_a_foreign_folder_is_refused(root):
    before = everything(root)
    r = run(root, "xiaoneng", "2017-Q4", "--as-of", AS_OF, "--out", "scores/export")
    assert r.exit_code == 1
    assert "导出目录" in r.output and "位于项目的源文件目录 scores/ 之内" in r.output
    r = run(root, "xiaoneng", "2017-Q4", "--as-of", AS_OF, "--out", ".")
    assert r.exit_code == 1
    foreign = root.parent / "docs"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", "utf-8")
    r = run(root, "xiaoneng", "2017-Q4", "--as-of", AS_OF, "--out", str(foreign))
    assert r.exit_code == 1 and "已有其他文件，不是以前导出的通报" in r.output
    assert (foreign / "notes.txt").read_text("utf-8") == "mine" and len(list(foreign.iterdir())) == 1
    assert everything(root) == before


def test_export_again_replaces_the_folder_with_the_same_bytes(root, tmp_path):
    out = export(root)
    first = files_of(out)
    (out / "xiaoneng-2017-Q4-old.csv").write_bytes(b"stale")  # left from an earlier export
    out = export(root)
    assert files_of(out) == first
    other = tmp_path / "elsewhere"
    r = run(root, "xiaoneng", "2017-Q4", "--as-of", AS_OF, "--out", str(other))
    assert r.exit_code == 0, r.output
    assert files_of(other) == first
    assert str(other / "index.html") in r.output


def test_the_report_lists_the_files_and_how_to_upload_them(root):
    r = run(root, "xiaoneng", "2017-Q4", "--as-of", AS_OF)
    out = root / "_export/xiaoneng/2017-Q4"
    lines = r.output.splitlines()
    assert lines[0] == f"已导出“关于2017年第四季度机关效能考核结果的通报”（按 2018-04-20 判断公示状态）到 {out}："
    assert lines[1:5] == [f"  {out / name}" for name in FILES]
    assert "粘贴 index.html 的全部内容" in r.output and "xiaoneng-2017-Q4.csv、xiaoneng-2017-Q4.xlsx 作为附件上传" in r.output
    r = CliRunner().invoke(main, ["export", "xiaoneng", "2017-Q4", "--as-of", AS_OF, "--root", str(root), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "paste the whole of index.html" in r.output


def test_a_broken_source_refuses_the_export_like_build(root):
    (root / "scores/xiaoneng/2017-Q3.yaml").write_text(
        (root / "scores/xiaoneng/2017-Q3.yaml").read_text("utf-8").replace("status: published", "status: publishd"),
        "utf-8",
    )
    before = everything(root)
    r = run(root, "xiaoneng", "2017-Q4", "--as-of", AS_OF)
    assert r.exit_code == 1
    assert re.search(r"scores/xiaoneng/2017-Q3\.yaml:4:9: ", r.output), r.output
    assert everything(root) == before


def test_body_links_keep_only_absolute_web_links_and_every_element_gets_a_style():
    html = inline_styles(
        '<p>见<a href="../../schemes/x/index.html">办法</a>、<a href="https://example.gov.cn/" rel="noopener">网站</a>'
        '、<a href="mailto:a@example.org">邮箱</a> &amp; &lt;b&gt;</p><ul><li>一</li></ul><table><tr><td colspan="2">x</td></tr></table>'
    )
    assert '<a style="color:#1a4f9c;">办法</a>' in html
    assert '<a href="https://example.gov.cn/" style="color:#1a4f9c;">网站</a>' in html
    assert "mailto:" not in html and "rel=" not in html
    assert "&amp; &lt;b&gt;" in html
    assert '<td colspan="2" style="' in html
    assert all("style=" in tag for tag in re.findall(r"<[a-z][^>]*>", html))


def test_an_unreadable_export_folder_is_reported_not_a_traceback(root, tmp_path, monkeypatch):
    folder = tmp_path / "shared"
    folder.mkdir()

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", denied)
    r = run(root, "xiaoneng", "2017-Q4", "--as-of", AS_OF, "--out", str(folder))
    assert r.exit_code == 1
    assert f"{folder}: 输出位置 {folder} 不可写（Permission denied）" in r.output
    monkeypatch.undo()
    assert list(folder.iterdir()) == []


def test_hostile_text_is_escaped_and_the_body_s_script_never_arrives(root):
    edit(
        root / "scores/xiaoneng/2017-Q3.yaml",
        lambda d: d["notice"].update(title='关于<script>alert(1)</script>“第三季度”的通报 & <img src=x onerror=alert(2)>'),
    )
    html = (export(root, "xiaoneng", "2017-Q3") / "index.html").read_text("utf-8")
    assert "关于&lt;script&gt;alert(1)&lt;/script&gt;“第三季度”的通报 &amp; &lt;img src=x onerror=alert(2)&gt;" in html
    tree = parse(html)
    tags = {tag for tag, _a, _d in tree.elements}
    assert "script" not in tags and "img" not in tags
    assert 'alert("x")' not in html  # the body's <script> is dropped by the sanitiser
    # the body's Markdown: headings and emphasis styled inline, its web link kept
    assert '<h3 style="font-size:1.05em;font-weight:bold;margin:0.8em 0 0.4em;">一、总体情况</h3>' in html
    assert '<strong style="font-weight:bold;">明显成效</strong>' in html
    assert '<a href="https://example.gov.cn/" style="color:#1a4f9c;">考核办法</a>' in html
