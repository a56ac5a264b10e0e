"""The privacy scan reads each distinct line once per process, and an HTML page in one pass:
it reports exactly what it reported when it read every page whole with three patterns.

``scan_outputs`` skips the raw lines an earlier page of the same process found clean
(:class:`scan_text._CleanLines`, :func:`scan_text.unread_text`), and reads a page that may
hold a finding through ``output_lines`` (its distinct lines; an HTML page split at its tags
once).  The reading before both is
kept here as the reference (``old_output_text``, ``old_scan``); the findings —
kind, masked text, page, sources, location, order — must be equal for any page,
the hostile ones above all.
"""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.errors import Mark
from site_builder.site.output import privacy, scan_text
from site_builder.site.output.personal_names import mask_name, maskable_names, names_in
from site_builder.site.output.personal_numbers import find_spans, normalise
from site_builder.site.output.privacy import Finding


def old_output_text(path: str, data: bytes) -> str | None:
    """output_text as it was: comments, inline tags and tags each found by a pattern of its own."""
    lower = path.lower()
    if lower.endswith(scan_text.BINARY_SUFFIXES):
        return None
    if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return scan_text._zip_text(data)
    text = data.decode("utf-8", errors="replace")
    if lower.endswith((".html", ".htm", ".xml", ".svg", ".rss", ".atom")):
        if "<!--" in text:
            markup = "\n".join(scan_text._MARKUP_ANY.findall(text))
            text = scan_text._COMMENT.sub("", text)
        else:
            markup = "\n".join(scan_text._TAG.findall(text))
        text = html.unescape(scan_text._TAG.sub("\n", scan_text._INLINE.sub("", text)) + "\n" + markup)
    elif lower.endswith((".json", ".js", ".webmanifest")):
        text = scan_text._JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def old_scan(files, sources, names, numbers=True) -> list[Finding]:
    """scan_outputs as it was: every page read whole, each of its lines once, nothing remembered."""
    names = maskable_names(names)
    once = (lambda t: "\n".join(scan_text.distinct_lines(t))) if not any("\n" in n for n in names) else str
    findings = []
    index = privacy._SourceIndex(sources)
    for page in sorted(files):
        text = old_output_text(page, files[page])
        if text is None:
            continue
        norm = normalise(page + "\n" + once(text))
        if numbers:
            for kind, number, _, _ in find_spans(norm):
                mark, written = index.where(number)
                findings.append(Finding(kind, written, page, index.files_with(number), mark))
        for name in names_in(norm, names):
            mark = privacy._name_mark(name, sources)
            findings.append(Finding("name", mask_name(name), page, (mark.path,) if mark else (), mark))
    return findings


# Pieces of hostile pages: numbers in groups, full-width and split by inline tags, entities
# (a line break among them), comments, attributes with tel: links, zero-width characters,
# names across tags, stray and nested "<", upper-case tags, JSON escapes.
PIECES = [
    "138", "1234", "5678", "13812345678", "１３８", "１２３４", "110105", "19491231", "002X", "002", "X",
    "6222", "0212", "3456", "7890", "128", "86", "0086", "0", "85.50", "2017-08-03",
    " ", "  ", "-", ".", "_", "·", "\u200b", "\u00ad", "\u3000", "\n", "\t", "，", "：",
    "&#10;", "&NewLine;", "&nbsp;", "&#49;", "&#x31;", "&#xFF11;", "&amp;", "&amp", "&", "&lt;", "&gt;", "\\u0031", "\\u000a",
    "<b>", "</b>", "<span class=\"n\">", "</span>", "<SPAN>", "<B>", "<wbr>", "<em>", "</em>", "<abbr title=\"张三\">",
    "<p>", "</p>", "<td>", "</td>", "<br/>", "<li>", "<div\n>", "<a href=\"tel:138-1234-5678\">", "<a href=\"tel:",
    "\">", "</a>", "<img alt=\"", "\">", "<!--", "-->", "<!-- 138 1234 5678 -->", "<", ">", "<x <b>", "<q <p>",
    "<!doctype html>", "<bdi>", "<bdx>", "<ſpan>",
    "张", "三", "张三", "李四", "张三丰", "县", "联系电话", "a", "f", "ab", "fa", "e", "\u0301", "x",
]
page = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
PATHS = ["a.html", "b/index.html", "c.xml", "d.json", "e.csv", "f.HTM", "g.js", "h.svg"]
pages = st.dictionaries(st.sampled_from(PATHS), page, min_size=1, max_size=4)
NAMES = [[], ["张三"], ["张三", "李四"], ["张三丰", "张三"], ["张\n三", "李四"], ["张*", "县"]]
SOURCES = [{}, {"units.yaml": "- name: 县\n  tel: 138 1234 5678\n  note: 张三\n".encode()}]


@settings(max_examples=1500, deadline=None)
@given(st.lists(pages, min_size=1, max_size=4), st.sampled_from(NAMES), st.sampled_from(SOURCES), st.booleans())
def test_the_scan_finds_what_it_found_reading_every_page_whole(runs, names, sources, numbers):
    # several scans in a row (as one build scans page after page), each against the reference;
    # the lines remembered clean come from this example's earlier pages and from earlier examples
    for files in runs:
        encoded = {p: t.encode("utf-8") for p, t in files.items()}
        assert privacy.scan_outputs(encoded, sources, names, numbers=numbers) == old_scan(encoded, sources, names, numbers)
    # a page with a finding reports it every time it is scanned
    for files in runs:
        encoded = {p: t.encode("utf-8") for p, t in files.items()}
        assert privacy.scan_outputs(encoded, sources, names, numbers=numbers) == old_scan(encoded, sources, names, numbers)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(PATHS), page)
def test_a_page_reads_as_before_and_its_lines_are_its_distinct_lines(path, text):
    data = text.encode("utf-8")
    before = old_output_text(path, data)
    assert scan_text.output_text(path, data) == before
    assert scan_text.output_lines(path, data) == list(dict.fromkeys(before.split("\n")))


@pytest.mark.parametrize(
    "text",
    [
        "<p>联系人 138<b>1234</b>5678</p>",  # an inline tag inside the number: one number
        "<x <b>138</b>12345678",  # a "<" inside a tag: read by the patterns
        "<p>a</p><a href=\"tel:138-1234-5678\">电话</a>",  # the number in an attribute only
        "<p>a<!-- 138 1234 5678 -->b</p>",  # in a comment
        "<td>&#49;38&#10;1234</td><td>&#49;3812345678</td>",  # entities: a line break, a digit
    ],
)
def test_hostile_pages_read_in_one_pass_as_before(text):
    data = text.encode("utf-8")
    assert scan_text.output_text("p.html", data) == old_output_text("p.html", data)
    assert scan_text.output_lines("p.html", data) == list(dict.fromkeys(old_output_text("p.html", data).split("\n")))


CHROME = "<nav><a href=\"../index.html\">首页</a></nav>\n<p>考核得分 96.40 分</p>\n"


def raw_memo(monkeypatch, kind: str = "markup"):
    """The raw lines known clean for ``kind`` of reading, afresh; call the result to read it."""
    monkeypatch.setattr(scan_text, "_RAW", {})
    return lambda: scan_text._RAW[kind]


def test_a_line_found_clean_is_not_searched_again_but_a_number_is_reported_on_every_page(monkeypatch):
    memo = raw_memo(monkeypatch)
    privacy.scan_outputs({"a.html": CHROME.encode()}, {}, [])
    clean = memo()
    # the page's raw lines, as bytes
    assert clean.key == (True, ()) and clean.new == {"<nav><a href=\"../index.html\">首页</a></nav>".encode(), "<p>考核得分 96.40 分</p>".encode(), b""}
    page = (CHROME + "<p>联系电话 138 1234 5678</p>").encode()
    for path in ("b.html", "c.html", "b.html"):
        found = privacy.scan_outputs({path: page}, {}, [])
        assert [(f.kind, f.text, f.page) for f in found] == [("mobile", "138****5678", path)]
    assert memo() is clean and not any(b"138" in line for line in clean.new | clean.old)


def test_the_lines_remembered_are_those_of_the_names_searched(monkeypatch):
    memo = raw_memo(monkeypatch)
    page = "<p>经张三同志核实</p>".encode()
    assert privacy.scan_outputs({"a.html": page}, {}, []) == []  # no name registered: clean
    before = memo()
    line = "<p>经张三同志核实</p>".encode()
    assert line in before.new
    found = privacy.scan_outputs({"a.html": page}, {}, ["张三"])
    assert [(f.kind, f.text) for f in found] == [("name", "张*")]
    assert memo().key == (True, ("张三",)) and line not in memo().new
    assert line in before.new  # a scan that holds it still reads what it knew
    # a number is clean to a scan of names only, and is found by the next scan of numbers
    number = "<p>电话 13812345678</p>".encode()
    assert privacy.scan_outputs({"b.html": number}, {}, ["张三"], numbers=False) == []
    assert [f.text for f in privacy.scan_outputs({"b.html": number}, {}, ["张三"])] == ["138****5678"]


def test_a_name_across_lines_reads_every_line_in_place(monkeypatch):
    monkeypatch.setattr(scan_text, "_CLEAN", scan_text._CleanLines())
    privacy.scan_outputs({"a.txt": "县\n张".encode()}, {}, [])  # "张" remembered clean
    found = privacy.scan_outputs({"b.txt": "张\n三".encode()}, {}, ["张\n三"])
    assert [(f.kind, f.text) for f in found] == [("name", "张**")]


def test_the_lines_remembered_are_bounded(monkeypatch):
    memo = raw_memo(monkeypatch)
    monkeypatch.setattr(scan_text._CleanLines, "LIMIT", 50)
    monkeypatch.setattr(scan_text._CleanLines, "LONGEST", 20)
    for i in range(40):
        text = "\n".join(f"第 {i} 页第 {j} 行" for j in range(10)) + "\n" + "长" * 21
        privacy.scan_outputs({f"p{i}.html": text.encode()}, {}, [])
        clean = memo()
        assert len(clean.new) <= 50 and len(clean.old) <= 50
    # lines of at most 20 bytes ("第 39 页第 9 行" is 19)
    assert "第 39 页第 9 行".encode() in clean.new | clean.old and ("长" * 21).encode() not in clean.new | clean.old
    assert "第 0 页第 0 行".encode() not in clean.new | clean.old  # the oldest generation dropped
    # one page fills a generation at most (the rest of it is not remembered this time); the
    # lines not known are taken in sorted order
    memo = raw_memo(monkeypatch)
    lines = [f"行 {j:02d}".encode() for j in range(80)]
    privacy.scan_outputs({"many.html": b"\n".join(lines)}, {}, [])
    clean = memo()
    assert (clean.old, clean.new) == (set(lines[:50]), set())
    # and no more bytes than it may hold: 6 lines of 16 bytes
    memo = raw_memo(monkeypatch)
    monkeypatch.setattr(scan_text._CleanLines, "CHARS", 100)
    lines = [f"line {j:03d} abcdefg".encode() for j in range(30)]
    privacy.scan_outputs({"q.html": b"\n".join(lines)}, {}, [])
    clean = memo()
    assert (clean.old, clean.new, clean.chars) == (set(lines[:6]), set(), 0)
    privacy.scan_outputs({"r.html": b"\n".join(lines[:3])}, {}, [])
    assert (clean.new, clean.chars) == (set(), 0)  # known already
    privacy.scan_outputs({"r.html": b"\n".join(lines[5:9])}, {}, [])
    assert (clean.new, clean.chars) == (set(lines[6:9]), 48)


def test_a_page_of_rows_of_its_own_is_not_remembered(monkeypatch):
    memo = raw_memo(monkeypatch)
    monkeypatch.setattr(scan_text._CleanLines, "PAGE", 20)
    rows = "\n".join(f"<tr><td>县{j}</td><td>96.{j:02d}</td></tr>" for j in range(21)).encode()
    assert privacy.scan_outputs({"data.html": rows}, {}, []) == []
    assert (memo().new, memo().old) == (set(), set())
    privacy.scan_outputs({"less.html": b"\n".join(rows.split(b"\n")[1:])}, {}, [])
    assert len(memo().new) == 20


def test_a_long_tag_is_read_but_not_remembered(monkeypatch):
    seps = scan_text._Separators()
    monkeypatch.setattr(scan_text, "_SEPARATOR", seps)
    tag = "<span title=\"" + "县" * 300 + "\">"
    page = f"<p>138{tag}1234</span>5678</p>".encode()
    assert [f.text for f in privacy.scan_outputs({"p.html": page}, {}, [])] == ["138****5678"]
    assert tag not in seps and seps["<p>"] == "\n" and seps["</span>"] == ""


def test_a_finding_is_located_at_its_source_as_before(monkeypatch):
    monkeypatch.setattr(scan_text, "_CLEAN", scan_text._CleanLines())
    sources = {"units.yaml": "- id: u1\n  note: 电话 138-1234-5678\n".encode()}
    files = {"u/index.html": "<p>电话 138-1234-5678</p>".encode(), "a.html": "<p>电话</p>".encode()}
    found = privacy.scan_outputs(files, sources, [])
    assert found == old_scan(files, sources, [])
    assert found == [Finding("mobile", "138-****-5678", "u/index.html", ("units.yaml",), Mark("units.yaml", 2, 12))]
