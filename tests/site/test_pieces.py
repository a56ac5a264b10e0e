"""Small pieces with their input and expected output side by side."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from site_builder.site.present import i18n
from site_builder.site.present.charts import line_chart
from site_builder.site.present.markdown_html import render_markdown
from site_builder.site.output.personal_names import mask_name
from site_builder.site.output.personal_numbers import find_numbers, is_id_card, luhn
from site_builder.site.present.render import pts
from site_builder.site.urls import relative

THEME = Path(__file__).resolve().parents[2] / "theme"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证 11010519491231002X。", [("id_card", "11010519491231002X")]),
        ("证号11010519491231002x", [("id_card", "11010519491231002X")]),  # canonical: upper-case X
        ("校验位错 110105194912310021", []),
        ("日期不存在 110105194913310021", []),
        ("手机13812345678，", [("mobile", "13812345678")]),
        ("座机 0551-12345678", []),
        ("更长的数字 213812345678 不是手机号", []),
        ("卡号 6222021234567890128", [("bank_card", "6222021234567890128")]),
        ("卡号 6222021234567890127（校验不过）", []),
        ("索引号 1134010000312345670", []),
        ("哈希 a138123456789b0c", []),
        ("文号 淮办发〔2017〕26号 2017-10-16", []),
    ],
)
def test_find_numbers(text, expected):
    assert find_numbers(text) == expected


def test_checksums():
    assert is_id_card("11010519491231002X")
    assert not is_id_card("11010519491231002")
    assert luhn("4111111111111111") and not luhn("4111111111111112")


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("欧阳小明", "欧***"), ("李", "李*")]
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("# 标题\n\n正文", "<h2>标题</h2>\n<p>正文</p>"),
        ("**加粗**", "<p><strong>加粗</strong></p>"),
        ("<script>alert(1)</script>文字", "<p>文字</p>"),
        ("[x](javascript:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
        (
            "[x](https://example.gov.cn/)",
            '<p><a href="https://example.gov.cn/" rel="noopener noreferrer">x</a></p>',
        ),
        ('<img src="https://t.example/p.gif">图', "<p>图</p>"),
        ('<p style="color:red" onclick="x()">段</p>', "<p>段</p>"),
    ],
)
def test_render_markdown(source, html):
    assert str(render_markdown(source)) == html


@pytest.mark.parametrize(
    ("page", "target", "link"),
    [
        ("index.html", "notices/a/q3/index.html", "notices/a/q3/index.html"),
        ("notices/a/q3/index.html", "units/x/index.html", "../../../units/x/index.html"),
        ("notices/a/q3/index.html", "notices/a/q3/index.html#group-a", "index.html#group-a"),
        (
            "units/x/a/q3/index.html",
            "schemes/a/v1/index.html#ind-b",
            "../../../../schemes/a/v1/index.html#ind-b",
        ),
        ("units/x/index.html", "#main", "#main"),
    ],
)
def test_relative(page, target, link):
    assert relative(page, target) == link


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("18.0", "18"),
        ("32.00", "32"),
        ("9.66", "9.66"),
        ("-2", "-2"),
        ("0.00", "0"),
        ("100", "100"),
        ("27.33333333333333333333333333333333", "≈27.33"),
        ("9.66250", "9.6625"),
        ("-1.666666666", "≈-1.67"),
    ],
)
def test_points_text(value, text):
    assert pts(Decimal(value)) == text


def test_chart_is_escaped_svg_with_title_and_desc():
    svg = str(
        line_chart(
            "c", ["Q1", "<Q2>"], [Decimal(90), Decimal("95.5")], title="得分<&>", desc="说明"
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c-t c-d"' in svg
    assert '<title id="c-t">得分&lt;&amp;&gt;</title>' in svg
    assert "&lt;Q2&gt;" in svg and "<Q2>" not in svg
    assert "style=" not in svg


def test_every_ui_string_used_by_templates_exists():
    used: set[str] = set()
    for path in (THEME / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", path.read_text("utf-8")))
    missing = sorted(k for k in used if k not in i18n.catalogue_keys() and not k.endswith("."))
    assert missing == []


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_ui_string_renders(locale):
    for key in i18n.catalogue_keys():
        i18n._UI[key]  # both languages present
        assert i18n.text(key, locale) or key
