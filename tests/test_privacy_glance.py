"""The privacy scan glances at a file before it reads it (issue 10): an HTML page only where
its raw lines are not known clean, a CSV or JSON file's bytes whole, in C.  What it reports —
kind, masked text, page, sources, location, order — is what the plain reading reports
(``old_scan``: every file read whole, each of its lines once, nothing remembered), on the
hostile files above all; and the glance never calls a file clean that holds a number.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.errors import Mark
from site_builder.site.output import personal_numbers, privacy, scan_text
from site_builder.site.output.personal_numbers import find_spans, normalise, surely_none
from site_builder.site.output.privacy import Finding
from tests.test_privacy_lines import PIECES, old_scan


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    """Nothing known clean from another test."""
    monkeypatch.setattr(scan_text, "_RAW", {})
    monkeypatch.setattr(scan_text, "_CLEAN", scan_text._CleanLines())


def scan(files: dict[str, str], names=(), sources=None, numbers=True) -> list[Finding]:
    encoded = {p: t.encode("utf-8") for p, t in files.items()}
    found = privacy.scan_outputs(encoded, sources or {}, list(names), numbers=numbers)
    assert found == old_scan(encoded, sources or {}, list(names), numbers)
    return found


def seen(found: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.kind, f.text, f.page) for f in found]


CHROME = '<header><a href="../index.html">首页</a></header>\n<p>第 3 名，得分 96.40 分</p>\n'


@pytest.mark.parametrize(
    ("files", "names", "expected"),
    [
        # an ID number split by inline tags, its X full width: one number
        (
            {"u/a.html": CHROME + "<td>110105<b>19491231</b>002Ｘ</td>\n"},
            (),
            [("id_card", "110***********002X", "u/a.html")],
        ),
        # an ID number split by a block tag: two groups that are no number
        ({"u/a.html": CHROME + "<td>110105</td><td>19491231002X</td>\n"}, (), []),
        # a mobile number of entities and full-width digits, a tag spanning two lines inside it
        (
            {"a.html": '<p>&#49;３８<span\nclass="n">1234</span>&#x35;678</p>\n'},
            (),
            [("mobile", "138****5678", "a.html")],
        ),
        # in an attribute only
        (
            {"a.html": CHROME + '<a href="tel:+86-138-1234-5678">电话</a>\n'},
            (),
            [("mobile", "138****5678", "a.html")],
        ),
        # in a comment
        (
            {"a.html": CHROME + "<!-- 138 1234 5678 -->\n"},
            (),
            [("mobile", "138****5678", "a.html")],
        ),
        # CSV with a BOM and CRLF, full-width digits and an ideographic space
        (
            {"d.csv": "\ufeff单位,电话\r\n县,１３８\u30001234\u30005678\r\n"},
            (),
            [("mobile", "138****5678", "d.csv")],
        ),
        # CSV: digits joined by a zero-width space, a bank card in groups
        (
            {"d.csv": "县,138\u200b1234\u200b5678\n乡,6222 0212 3456 7890 128\n"},
            (),
            [("mobile", "138****5678", "d.csv"), ("bank_card", "622************0128", "d.csv")],
        ),
        # JSON: a number spelled with escapes, a name spelled with escapes
        (
            {"d.json": '{"tel": "\\u0031\\u00338 1234 5678"}'},
            (),
            [("mobile", "138****5678", "d.json")],
        ),
        (
            {"d.json": '{"note": "\\u5f20\\u4e09\\u4e30 到场"}'},
            ("张三丰", "张三"),
            [("name", "张**", "d.json")],
        ),
        # a name that begins another: the longer one reported where both are written
        (
            {"a.html": "<p>张三丰</p>\n<p>张三</p>\n"},
            ("张三丰", "张三"),
            [("name", "张**", "a.html")],
        ),
        (
            {"a.html": "<p>张<b>三</b></p>\n", "b.csv": "张三\n"},
            ("张三丰", "张三"),
            [("name", "张*", "a.html"), ("name", "张*", "b.csv")],
        ),
        # a hash, a UUID, dates and 文号: no number
        (
            {
                "m.json": '{"sha": "b784ab0c9c4b2dda644c747045999522c8", "id": "12345678-1234-1234-1234-123456789012"}',
                "d.csv": "2017-08-03,〔2017〕23号,003412345/2017-00009,85.50\n",
            },
            (),
            [],
        ),
        # a number at the end of a long line
        (
            {"d.csv": "县," + "得分 96.40，" * 2000 + "电话 13812345678\n"},
            (),
            [("mobile", "138****5678", "d.csv")],
        ),
        ({"a.html": "<p>" + "<span>96</span>" * 2000 + "13812345678</p>\n"}, (), []),
        # the path holds the number
        (
            {"u/13812345678/index.html": CHROME},
            (),
            [("mobile", "138****5678", "u/13812345678/index.html")],
        ),
    ],
)
def test_hostile_files_report_what_the_plain_reading_reports(files, names, expected):
    assert seen(scan(files, names)) == expected
    assert seen(scan(files, names)) == expected  # again, its clean lines known


def test_a_line_clean_on_many_pages_and_a_number_on_one():
    pages = {f"u{i:03d}/index.html": CHROME + f"<p>第 {i} 页</p>\n" for i in range(50)}
    for path, text in pages.items():
        assert scan({path: text}) == []
    known = scan_text._RAW["markup"]
    assert (
        "<p>第 3 名，得分 96.40 分</p>".encode() in known.new
        and "<p>第 49 页</p>".encode() in known.new
    )
    # the chrome is known clean: the new line is read, and its number found
    page = CHROME + "<p>第 7 页</p>\n<td>1101051949<b>1231</b>002X</td>\n"
    assert seen(scan({"u007/index.html": page})) == [
        ("id_card", "110***********002X", "u007/index.html")
    ]
    # a number on a line known clean elsewhere only as part of a tag spanning two lines is found
    scan({"x.html": "<p>138</p>\n"})
    assert b"<p>138</p>" in known.new
    assert seen(scan({"y.html": "<p>138<b\n>12345678</p>\n"})) == [
        ("mobile", "138****5678", "y.html")
    ]


def test_a_finding_is_located_at_its_source():
    sources = {"units.yaml": "- id: u1\n  note: 电话 １３８-1234-5678\n".encode()}
    files = {"u/index.html": CHROME + "<p>电话 138-1234-5678</p>", "d.csv": "u1,138-1234-5678\r\n"}
    found = scan(files, sources=sources)
    mark = Mark("units.yaml", 2, 12)
    assert found == [
        Finding("mobile", "１３８-****-5678", "d.csv", ("units.yaml",), mark),
        Finding("mobile", "１３８-****-5678", "u/index.html", ("units.yaml",), mark),
    ]


# ------------------------------------------------------------------ the glance is sound

SEPARATORS = "0123456789 \t" + personal_numbers._SEP + "Xx"


def test_the_characters_read_as_plain_are_plain():
    """Every character the glance lets by (CJK ideographs by their leading byte, the full-width
    punctuation listed): NFKC makes no digit, space, separator, X or ASCII letter of it, nor
    drops it, and it is no invisible character."""
    plain = [chr(c) for c in range(0x4000, 0xA000)] + list(personal_numbers._PLAIN_WIDE)
    for ch in plain:
        n = unicodedata.normalize("NFKC", ch)
        assert n and ch not in personal_numbers._INVISIBLE, ch
        assert not any(c in SEPARATORS or (c.isascii() and c.isalnum()) for c in n), ch
    for ch in map(chr, range(0x4000, 0xA000)):  # the leading bytes E4-E9 are exactly these
        assert 0xE4 <= ch.encode()[0] <= 0xE9
    # every other character that NFKC turns into a digit, a space or a separator is not let by
    for c in range(0x80, 0x30000):
        ch = chr(c)
        if 0xD800 <= c < 0xE000 or not (set(unicodedata.normalize("NFKC", ch)) & set(SEPARATORS)):
            continue
        assert personal_numbers._OTHER_CHAR.fullmatch(ch), hex(c)
    assert all(personal_numbers._OTHER_CHAR.fullmatch(ch) for ch in personal_numbers._INVISIBLE)


def test_the_glance_is_not_sure_of_digits_in_a_row():
    assert surely_none("县,96.40,2017-08-03,第 3 名\r\n".encode())
    assert not surely_none("县,138 1234 5678\n".encode())
    assert not surely_none("县,１３８12345678\n".encode())  # full-width digits
    assert not surely_none("县,138\u200b12345678\n".encode())  # a zero-width space
    assert not surely_none("县,1381234567\ufeff8\n".encode())  # a BOM that is not first
    assert surely_none("\ufeff县，（甲）：96.40\n".encode())
    assert not surely_none(b'{"n": "\\u0031"}', escapes=True)
    assert surely_none(b'{"n": "\\u0031"}', escapes=False)
    assert not surely_none("县,⑳⑳⑳⑳⑳⑳\n".encode())  # one character, two digits
    assert not surely_none("县,…\n".encode(), numbers=False)  # NFKC changes it: names read after


GLANCE_PIECES = [
    *PIECES,
    "\ufeff",
    "\r\n",
    "\r",
    "⑳",
    "¹",
    "－",
    "．",
    "…",
    "\u00a0",
    "１",
    "Ｘ",
    "𝟏",
    "㉑",
    "0" * 11,
    "1" * 5,
    "  ",
    "、",
    "〔",
    "【",
    "“",
    "‘",
    "丰",
    "\u4dc0",
    "\u3400",
    "\ufffd",
]
texts = st.lists(st.sampled_from(GLANCE_PIECES), max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(texts, st.booleans())
def test_what_the_glance_calls_clean_holds_no_number(text, escapes):
    data = text.encode("utf-8")
    if surely_none(data, escapes):
        read = (
            scan_text._JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
            if escapes
            else text
        )
        assert find_spans(normalise(read)) == []
    if surely_none(data, escapes, numbers=False):
        # the text normalised is the text but for a first BOM and full-width punctuation: a name
        # without that punctuation is in one where it is in the other
        plain = text.removeprefix("\ufeff")
        assert normalise(text) == plain.translate(str.maketrans("，：；（）！？", ",:;()!?"))


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=60), st.booleans())
def test_bytes_that_are_no_utf8_are_glanced_at_soundly(data, escapes):
    if surely_none(data, escapes):
        text = data.decode("utf-8", errors="replace")
        read = (
            scan_text._JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
            if escapes
            else text
        )
        assert find_spans(normalise(read)) == []


PATHS = ["a.html", "b/index.html", "c.xml", "d.json", "e.csv", "g.js", "h.txt"]
NAMES = [[], ["张三"], ["张三丰", "张三"], ["张,三"], ["张三", "县"]]


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(PATHS), texts, min_size=1, max_size=4),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(NAMES),
    st.booleans(),
)
def test_the_scan_finds_what_the_plain_reading_finds(runs, names, numbers):
    # several scans in a row, each file scanned twice: the second time its clean lines are known
    for files in runs + runs:
        encoded = {p: t.encode("utf-8") for p, t in files.items()}
        assert privacy.scan_outputs(encoded, {}, names, numbers=numbers) == old_scan(
            encoded, {}, names, numbers
        )


# pieces of bytes: the hostile text, and bytes that are no UTF-8 (a character cut at a line end)
BYTE_PIECES = [p.encode() for p in GLANCE_PIECES] + [
    b"\xe4\xb8",
    b"\xe4",
    b"\xff",
    b"\x80",
    b"\xef\xbc",
    b"\xf0\x9f\x98",
]
byte_files = st.dictionaries(
    st.sampled_from(PATHS),
    st.lists(st.sampled_from(BYTE_PIECES), max_size=40).map(b"".join),
    min_size=1,
    max_size=4,
)


@settings(max_examples=800, deadline=None)
@given(st.lists(byte_files, min_size=1, max_size=3), st.sampled_from(NAMES))
def test_files_that_are_no_utf8_report_what_the_plain_reading_reports(runs, names):
    for files in runs + runs:
        assert privacy.scan_outputs(files, {}, names) == old_scan(files, {}, names)
