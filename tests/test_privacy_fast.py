"""The privacy scan's fast paths find what the slow ones found.

``normalise`` skips NFKC for a page that holds no character NFKC changes
other than the full-width punctuation of Chinese text (replaced by what NFKC
makes of it), and the output text drops inline tags with a tree-shaped pattern:
neither may let a personal number through.
"""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.site.output import personal_numbers, privacy, scan_text
from site_builder.site.output.personal_numbers import _INVISIBLE_RE, normalise


def nfkc(text: str) -> str:
    """normalise as it was: NFKC of the text with the invisible characters dropped."""
    return text if text.isascii() else unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text))


PAGE = "<p>考核结果（第一季度）：县财政局，得分 96.40；名次 1。</p>"


@pytest.mark.parametrize(
    "number",
    [
        "１３８１２３４５６７８",  # full-width digits
        "１３８－１２３４－５６７８",  # full-width digits and hyphen-minus
        "138\u30001234\u30005678",  # ideographic spaces between the groups
        "１３８ １２３４ ５６７８",
        "\U0001d7cf\U0001d7d1\U0001d7d6\U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2\U0001d7d3\U0001d7d4\U0001d7d5\U0001d7d6",  # mathematical digits
        "13８12345678",  # one full-width digit in a plain number
        "138\u200b1234\u200d5678",  # zero-width characters inside
        "138\u20101234\u20115678",  # hyphens NFKC leaves as they are
    ],
)
def test_a_number_written_with_compatibility_characters_in_a_normalised_page_is_caught(number):
    page = PAGE.replace("96.40", f"96.40 联系电话：{number}")
    # the page is NFKC once its punctuation is: only the number's characters are not
    assert unicodedata.is_normalized("NFKC", PAGE.replace("（", "(").replace("）", ")").replace("：", ":")
                                     .replace("，", ",").replace("；", ";"))
    findings = privacy.scan({"notices/x/index.html": page.encode("utf-8")}, {})
    assert [(f.kind, f.text) for f in findings] == [("mobile", "138****5678")]
    assert normalise(page) == nfkc(page)


def test_an_ascii_page_with_one_full_width_number_is_caught():
    page = "<p>tel: １３８１２３４５６７８</p>"
    findings = privacy.scan({"a.html": page.encode("utf-8")}, {})
    assert [(f.kind, f.text) for f in findings] == [("mobile", "138****5678")]


def test_an_id_number_with_a_full_width_x_after_chinese_punctuation_is_caught():
    page = "身份证号：１１０１０５１９４９１２３１００２Ｘ，已核实。"
    assert personal_numbers.find_numbers(page) == [("id_card", "11010519491231002X")]


# text of Chinese pages: punctuation the fast path replaces, and characters NFKC changes in other
# ways (compatibility ideographs, ligatures, circled digits, combining marks that compose)
alphabet = st.sampled_from(
    list("0123456789 -.Xx县局，：；（）！？\u3000…、。“”")
    + ["１", "３", "８", "\uf900", "\ufb01", "①", "e", "\u0301", "\u0308", "\u1100", "\u1161", "\u00ad", "\u200b", "\ufeff",
       "Ａ", "ｶ", "\uff9e", "²", "\u2474", "\u3131"]
)


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.text(alphabet, max_size=40), st.text(max_size=20)))
def test_normalise_is_nfkc_without_invisible_characters(text):
    assert normalise(text) == nfkc(text)


INLINE_BEFORE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var|wbr|del|ins)\b[^>]*>",
    re.I,
)
tags = st.sampled_from(
    ["a", "abbr", "ab", "b", "bd", "bdi", "bdo", "bdx", "cite", "code", "co", "data", "dfn", "del", "de", "em", "i", "ins",
     "in", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "su", "time", "u", "var", "wbr", "td",
     "tr", "div", "SPAN", "Strong", "ſpan", "KBD", "\u212abd", "İns", "ınS", "x", "p", "section", "iframe", "abbrx"]
)
markup = st.lists(
    st.one_of(
        st.builds(lambda slash, t, rest: f"<{slash}{t}{rest}>", st.sampled_from(["", "/"]), tags,
                  st.sampled_from(["", " class=\"x\"", "-x", "1", ":y", " /"])),
        st.sampled_from(["<", ">", "138", "县", " ", "<!--", "-->"]),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=800, deadline=None)
@given(markup)
def test_inline_tags_are_the_same_tags_as_before(text):
    assert scan_text._INLINE.sub("", text) == INLINE_BEFORE.sub("", text)


def _html_text_before(text: str) -> str:
    """output_text of an HTML page as it was: every tag and comment found by one pattern."""
    found = "\n".join(scan_text._MARKUP_ANY.findall(text))
    return html.unescape(scan_text._TAG.sub("\n", scan_text._INLINE.sub("", scan_text._COMMENT.sub("", text))) + "\n" + found)


@settings(max_examples=800, deadline=None)
@given(markup)
def test_a_page_without_comments_reads_as_with_the_comment_pattern(text):
    # the tags of a page holding no "<!--" are found with the plain tag pattern
    assert scan_text.output_text("p.html", text.encode("utf-8")) == _html_text_before(text)


@pytest.mark.parametrize("page", [
    "<p>联系人 138<!-- -->12345678</p>",
    "<p>a<!-- 138 1234 5678 -->x</p>",
    "<p>a<!-- unclosed 138 1234 5678",
    "<p>a<b>1</b>&amp;<span title=\"138 1234 5678\">x</span></p>",
])
def test_a_page_with_and_without_comments_reads_as_before(page):
    assert scan_text.output_text("p.html", page.encode("utf-8")) == _html_text_before(page)
    assert [f.kind for f in privacy.scan({"p.html": page.encode("utf-8")}, {})] == ["mobile"]


line = st.lists(st.sampled_from(["138", "1234", "5678", "6222", "0212", "3456", "7890", "128", "110105", "19491231", "002",
                                 "X", "x", "-", " ", "  ", ".", "a", "f", "张三", "张", "三", "县", "，", "１３８", "\u0301", "\u200b",
                                 "e", "\u3000", "…", "86", "0"]), max_size=10).map("".join)


@settings(max_examples=800, deadline=None)
@given(st.lists(line, max_size=8), st.lists(st.integers(0, 7), max_size=6))
def test_each_line_once_finds_the_same_numbers_and_names(lines, repeats):
    # a page's repeated lines are read once: nothing found in the page is missed, nothing is added
    lines = lines + [lines[i] for i in repeats if i < len(lines)]
    text = "\n".join(lines)
    once = "\n".join(scan_text.distinct_lines(text))
    found = {(k, n) for k, n, _, _ in personal_numbers.find_spans(normalise("p.html\n" + text))}
    assert {(k, n) for k, n, _, _ in personal_numbers.find_spans(normalise("p.html\n" + once))} == found
    names = ["张三", "张*"]
    assert set(privacy.names_in(normalise(once), names)) == set(privacy.names_in(normalise(text), names))
    assert {(f.kind, f.text) for f in privacy.scan_outputs({"p.txt": text.encode()}, {}, ["张三"])} == (
        {(k, personal_numbers.redact_number(n)) for k, n in found} | ({("name", "张*")} if "张三" in normalise(text) else set()))


def test_a_name_written_across_two_lines_is_read_with_every_line():
    text = "张\n县\n张\n三"  # its first line repeats: read once, 张 would not stand before 三
    assert "张\n三" not in "\n".join(scan_text.distinct_lines(text))
    findings = privacy.scan_outputs({"p.txt": text.encode()}, {}, ["张\n三"])
    assert [f.kind for f in findings] == ["name"]
