"""Honest wording: every page a reader can open, scanned for the fragments a notice must never show.

Built: the example project, the golden fixture project (tests/site/fixtures/basic)
and the scratch projects of the office acceptance tests (test_lang_office*.py,
test_lang_gaps.py). On every HTML page the visible text (no tags, scripts or
styles) must not contain a stray fragment (“。。”, “—：”, “，，”, “：。”), a
duplicated label (“得分得分”, “总分：总分：”), an unfilled template (“None”,
“nan”, “{”, “}”), raw formula syntax (``clamp(``, ``max(``, ``snake_case``
names), or the sentence “本项不适用于本单位” (a line not scored *this period*
says so in its own words, see tests/site/test_card_why.py); no list item may be
empty or only punctuation, nor start with “，15 次” (a count with no subject).
"""

from __future__ import annotations

import importlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from scratch import make_project
from site_builder.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_MODULES = ("test_lang_office", "test_lang_office2", "test_lang_office3", "test_lang_gaps")

# (name, pattern) of what must not appear in reader text
FORBIDDEN = (
    ("doubled full stop", re.compile(r"。。")),
    ("dash before a colon", re.compile(r"[—–-]\s*：")),
    ("doubled comma", re.compile(r"，，|、、|；；")),
    ("colon before a full stop", re.compile(r"[：:]\s*[。；，]")),
    ("doubled label", re.compile(r"(得分|总分|扣分|加分|名次|说明)\1")),
    ("doubled label with colon", re.compile(r"(\S{2,8})：\s*\1：")),
    ("unfilled value", re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bnull\b")),
    ("template brace", re.compile(r"[{}]")),
    ("raw formula call", re.compile(r"\b(clamp|max|min|round|abs|if|sum)\(")),
    ("snake_case identifier", re.compile(r"(?<![\w./-])[a-z]+_[a-z0-9_]+(?![\w./-])")),
    ("“not applicable to this unit” boilerplate", re.compile(r"本项不适用于本单位")),
)
FORMULA_CHECKS = ("raw formula call", "snake_case identifier", "template brace")
# the scheme page quotes each formula as written, with what each name means: “（公式：a / b * 100；a：…）”
QUOTED_FORMULA = re.compile(r"（公式：[^）]*）")
EMPTY_ITEM = re.compile(r"^[\s，,、；;：:。.·—–\-（）()]*$")
SUBJECTLESS = re.compile(r"^[，,、；;]\s*\d")


class _Text(HTMLParser):
    """Visible text of a page, and the text of each list item."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.items: list[list[str]] = []  # open <li>s
        self.done: list[str] = []
        self.skip = 0
        self.code = 0  # inside <code>: a file, column or key name shown as written (the data page)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "template"):
            self.skip += 1
        elif tag == "code":
            self.code += 1
        elif tag == "li":
            self.items.append([])
        elif tag in ("p", "div", "li", "dt", "dd", "td", "th", "h1", "h2", "h3", "h4", "tr", "br", "summary"):
            self.parts.append("\n")
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.handle_data(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self.skip -= 1
        elif tag == "code" and self.code:
            self.code -= 1
        elif tag == "li" and self.items:
            self.done.append("".join(self.items.pop()).strip())
        if tag in ("p", "div", "li", "dt", "dd", "td", "th", "h1", "h2", "h3", "h4", "tr", "summary"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.code:
            data = "〔代码〕"  # literal names are meant to be read as written: not wording
        self.parts.append(data)
        for item in self.items:
            item.append(data)


def problems(page: str) -> list[str]:
    """Every forbidden fragment of one page, with a little context."""
    p = _Text()
    p.feed(page)
    p.close()
    out = []
    for block in "".join(p.parts).split("\n"):
        text = re.sub(r"\s+", " ", block).strip()
        quoted = QUOTED_FORMULA.sub("（公式）", text)  # a formula quoted as written, labelled 公式
        for name, pattern in FORBIDDEN:
            if name in FORMULA_CHECKS:
                text_ = quoted
            else:
                text_ = text
            for m in pattern.finditer(text_):
                out.append(f"{name}: …{text_[max(0, m.start() - 30):m.end() + 30]}…")
    for item in p.done:
        if EMPTY_ITEM.match(item):
            out.append(f"empty list item: {item!r}")
        elif SUBJECTLESS.match(item):
            out.append(f"list item without a subject: {item[:60]!r}")
    return out


def scan(site: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(site.rglob("*.html")):
        got = problems(path.read_text("utf-8"))
        if got:
            found[path.relative_to(site).as_posix()] = got
    return found


def _build(root: Path, out: Path) -> Path:
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _report(found: dict[str, list[str]]) -> str:
    lines = []
    for page, got in list(found.items())[:40]:
        lines.append(page)
        lines.extend(f"    {x}" for x in got[:5])
    return "\n".join(lines)


# ---------------------------------------------------------------- the scanner itself


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p>通报如下。。</p>", "doubled full stop"),
        ("<li>—：1 次 × 0.5 分</li>", "dash before a colon"),
        ("<li>，15 次</li>", "list item without a subject"),
        ("<ul><li> </li></ul>", "empty list item"),
        ("<ul><li>；</li></ul>", "empty list item"),
        ("<dd>得分得分</dd>", "doubled label"),
        ("<p>总分：总分：85</p>", "doubled label with colon"),
        ("<td>None</td>", "unfilled value"),
        ("<td>nan</td>", "unfilled value"),
        ("<p>{unit}考核得分</p>", "template brace"),
        ("<li>clamp(max - 0.1 * x)</li>", "raw formula call"),
        ("<li>on_time ÷ total</li>", "snake_case identifier"),
        ("<p>本项不适用于本单位</p>", "“not applicable to this unit” boilerplate"),
        ("<p>结果如下：。</p>", "colon before a full stop"),
    ],
)
def test_the_scan_finds_each_fragment(html, expected):
    assert any(x.startswith(expected) for x in problems(f"<html><body>{html}</body></html>")), problems(html)


def test_the_scan_passes_clean_text_and_ignores_scripts_and_urls():
    page = ("<html><head><style>a{color:red}</style><script>if(x){}</script></head><body>"
            "<p>迟到 3 次，扣 1.5 分。</p><ul><li><a href='a_b/c_d.html'>第一圈层</a>（2 次）</li></ul>"
            "<p>下载 xiaoneng-2017-Q4.csv</p><dl><dt><code>scheme_id</code></dt><dd>方案标识</dd></dl>"
            "</body></html>")
    assert problems(page) == []
    # a snake_case name outside <code> is still wording gone wrong
    assert problems("<html><body><dt>scheme_id</dt></body></html>")


# ---------------------------------------------------------------- the built sites


def test_example_project_pages_read_cleanly(tmp_path):
    found = scan(_build(ROOT, tmp_path / "site"))
    assert not found, _report(found)


def test_fixture_project_pages_read_cleanly(tmp_path):
    found = scan(_build(ROOT / "tests" / "site" / "fixtures" / "basic", tmp_path / "site"))
    assert not found, _report(found)


@pytest.mark.parametrize("module", SCRATCH_MODULES)
def test_office_projects_pages_read_cleanly(tmp_path, module):
    files = importlib.import_module(module).FILES
    root = make_project(tmp_path / "project", files, base=False)
    found = scan(_build(root, tmp_path / "site"))
    assert not found, _report(found)
