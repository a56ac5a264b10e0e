"""Nothing from the data can run as code, and no personal data is published."""

from __future__ import annotations

import re

import pytest
from conftest import edit_yaml, tree_bytes
from htmlcheck import html_pages, parse

from site_builder.site.build import build_site
from site_builder.site.failures import SiteError

ID_CARD = "11010519491231002X"


def test_script_and_javascript_links_render_inert(project, tmp_path):
    edit_yaml(
        project / "scores/xiaoneng/2017-Q3.yaml",
        lambda d: d["units"]["sjj"].update(
            note='<script>alert("note")</script><img src=x onerror=alert(1)>'
        ),
    )
    body = project / "content/notices/2017-q3.md"
    body.write_text(
        body.read_text("utf-8")
        + '\n<iframe src="https://evil.example/"></iframe><p onclick="alert(3)" style="color:red">段落</p>\n',
        "utf-8",
    )
    edit_yaml(
        project / "schemes/xiaoneng/v2017.yaml",
        lambda d: d.update(preamble="前言<script>alert(4)</script>"),
    )
    out = tmp_path / "out"
    build_site(project, out, quiet=True)
    for page in html_pages(out):
        html = (out / page).read_text("utf-8")
        assert "<script>alert" not in html, page
        assert "javascript:" not in html, page
        assert "data:text" not in html, page
        assert "onerror=" not in html.replace("onerror=alert(1)&gt;", ""), page
        assert "<iframe" not in html and "onclick" not in html, page
        assert "style=" not in html, page
    card = (out / "units/sjj/xiaoneng/2017-Q3/index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(&#34;note&#34;)&lt;/script&gt;" in card


BAD_LINKS = (
    '[点我](javascript:alert(1)) [数据](data:text/html;base64,PHNjcmlwdD4=) <a href="javascript:alert(2)">x</a>'
)


def test_links_with_other_schemes_are_refused_by_check_at_their_place(project):
    """``check`` refuses them (the office sees where); nothing reaches the sanitiser."""
    from site_builder.errors import InputError
    from site_builder.pipeline import check

    body = project / "content/notices/2017-q3.md"
    text = body.read_text("utf-8")
    line = text.count("\n") + 2
    body.write_text(text + "\n" + BAD_LINKS + "\n", "utf-8")
    with pytest.raises(InputError) as err:
        check(project)
    msg = str(err.value)
    for col, scheme in ((6, "javascript:"), (32, "data:"), (76, "javascript:")):
        assert f"content/notices/2017-q3.md:{line}:{col}:" in msg and scheme in msg, msg


def test_the_sanitiser_still_makes_other_schemes_inert():
    """The second line of defence, for text that reaches the renderer without the check."""
    from site_builder.site.present.markdown_html import render_markdown

    html = str(render_markdown(BAD_LINKS + "\n\n<p onclick=\"alert(3)\">段落</p>"))
    assert "javascript:" not in html and "data:text" not in html and "onclick" not in html
    assert "点我" in html and "段落" in html


def test_no_inline_styles_or_scripts_so_the_csp_holds(any_site):
    built_site = any_site
    for page in html_pages(built_site):
        parsed = parse(built_site / page)
        for tag, attrs in parsed.tags:
            assert "style" not in attrs, (page, tag)
            assert not any(k.startswith("on") for k in attrs), (page, tag)
            if tag == "script":
                assert attrs.get("src"), (page, "inline script")
            assert tag != "style", page


def test_no_external_resources(any_site):
    built_site = any_site
    for page in html_pages(built_site):
        for tag, attrs in parse(built_site / page).tags:
            if tag in ("link", "script", "img", "iframe", "source", "video", "audio"):
                ref = attrs.get("href") or attrs.get("src") or ""
                assert not re.match(r"^(https?:)?//", ref), (page, ref)
    css = next(built_site.glob("assets/site.*.css")).read_text("utf-8")
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


def test_personal_names_are_masked(built_site):
    files = tree_bytes(built_site)
    for path, data in files.items():
        if path.endswith(".yaml"):
            continue
        assert "张三".encode() not in data, path
        assert "李四".encode() not in data, path
    card = files["units/fgw/xiaoneng/2017-Q3/index.html"].decode()
    assert "张*" in card


def test_names_published_when_the_scheme_declares_a_legal_basis(project, tmp_path):
    def allow(d: dict) -> None:
        d["personal_data"] = {"publish_names": "true", "legal_basis": "《某某条例》第十条"}

    edit_yaml(project / "schemes/xiaoneng/v2017.yaml", allow)
    build_site(project, tmp_path / "out", quiet=True)
    assert "张三" in (tmp_path / "out/units/fgw/xiaoneng/2017-Q3/index.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("number", "what"),
    [(ID_CARD, "身份证号"), ("13812345678", "手机号"), ("6222021234567890128", "银行卡号")],
)
def test_personal_number_in_a_note_fails_the_build(project, tmp_path, number, what):
    out = tmp_path / "out"
    build_site(project, out, quiet=True)
    before = tree_bytes(out)
    edit_yaml(
        project / "scores/xiaoneng/2017-Q4.yaml",
        lambda d: d["units"]["wjw"].update(note=f"联系人证件号 {number}"),
    )
    with pytest.raises(SiteError) as err:
        build_site(project, out, quiet=True)
    message = err.value.message
    assert what in message
    # located where it is written (check refuses it at the same place)
    line = next(
        i
        for i, text in enumerate((project / "scores/xiaoneng/2017-Q4.yaml").read_text("utf-8").splitlines(), 1)
        if number in text
    )
    assert f"scores/xiaoneng/2017-Q4.yaml:{line}:" in message
    assert number not in message  # the message itself does not repeat it in full
    assert tree_bytes(out) == before
