"""The strict YAML loader: one test per refusal, plus marks, typing and a fuzz test."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.errors import Problem, Problems
from site_builder.load import yamlsafe
from site_builder.load.rawtext import MAX_PER_CODE
from site_builder.load.yamlsafe import Document, PlainStr, load_yaml_bytes, load_yaml_file

F = "data/units.yaml"

VALID = """\
# 2023 年度考核结果
title: 2023 年度考核结果公示
published: 2024-01-15
units:
  - name: 第一分局
    score: 95.5
    grade: 优秀
  - name: 第二分局
    score: 88
    grade: 良好
notes: |
  以上结果自公示之日起
  公示七天。
"""


def load(src: str | bytes, **kw: object) -> tuple[Document | None, Problems]:
    problems = Problems()
    raw = src.encode("utf-8") if isinstance(src, str) else src
    return load_yaml_bytes(raw, F, problems, **kw), problems


def codes(problems: Problems) -> list[str]:
    return [p.code for p in problems.items]


def one(problems: Problems, code: str) -> Problem:
    found = [p for p in problems.items if p.code == code]
    assert len(found) == 1, problems.items
    return found[0]


def where(p: Problem) -> tuple[int, int]:
    assert p.mark is not None
    return p.mark.line, p.mark.column


# ---------------------------------------------------------------- valid input, marks, typing

def test_valid_document_and_marks() -> None:
    doc, problems = load(VALID)
    assert not problems.items
    assert doc is not None and doc.display == F
    assert doc.data["units"][1]["name"] == "第二分局"
    m = doc.marks[("units", 1, "name")]
    assert (m.path, m.line, m.column) == (F, 8, 11)
    assert doc.key_marks[("units", 1, "name")].line == 8
    assert doc.key_marks[("units", 1, "name")].column == 5
    assert (doc.marks[("units", 1)].line, doc.marks[("units", 1)].column) == (8, 5)
    assert (doc.marks[("notes",)].line, doc.marks[("notes",)].column) == (11, 8)
    # nearest known mark: unknown leaf falls back to its parent, then to the root
    assert doc.mark(("units", 1, "missing")) == doc.marks[("units", 1)]
    assert (doc.mark(()).line, doc.mark(()).column) == (1, 1)
    assert doc.mark(("nothing", 3)).line == 1


@pytest.mark.parametrize("text", ["no", "yes", "on", "off", "Y", "n", "true", "1.10", "010",
                                  "0x1F", "12:30", "1:20:30", "2017-10-10", "1e3", ".inf",
                                  "NaN", "null", "~", "1_000"])
def test_yaml11_surprises_stay_exact_text(text: str) -> None:
    doc, problems = load(f"value: {text}\n")
    assert not problems.items
    assert doc is not None
    value = doc.data["value"]
    assert type(value) is PlainStr and value == text


def test_scalar_kinds() -> None:
    doc, problems = load("plain: 5.25\nquoted: '010'\ndouble: \"no\"\nempty:\n"
                         "block: |\n  两行\n  文字\n1: 键是文字\n")
    assert not problems.items and doc is not None
    d = doc.data
    assert type(d["plain"]) is PlainStr
    assert type(d["quoted"]) is str and d["quoted"] == "010"
    assert type(d["double"]) is str and d["double"] == "no"
    assert d["empty"] is None
    assert type(d["block"]) is str and d["block"] == "两行\n文字\n"
    assert all(type(k) is str for k in d) and "1" in d
    assert doc.marks[("empty",)].line == 4


def test_load_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("名称: 甲\n", encoding="utf-8")
    problems = Problems()
    doc = load_yaml_file(path, "a.yaml", problems)
    assert doc is not None and doc.data == {"名称": "甲"} and not problems.items
    missing = Problems()
    assert load_yaml_file(tmp_path / "nope.yaml", "nope.yaml", missing) is None
    assert codes(missing) == ["yaml.not_found"]
    unreadable = Problems()
    assert load_yaml_file(tmp_path, "dir", unreadable) is None
    assert codes(unreadable) == ["file.not_regular"]


# ---------------------------------------------------------------- 1. size cap

def test_size_cap_before_decoding(tmp_path: Path) -> None:
    raw = b"\xff\xfe" + b"a: 1\n" * 10  # not UTF-8 either: the size is reported first
    doc, problems = load(raw, max_bytes=20)
    assert doc is None
    p = one(problems, "yaml.too_large")
    assert codes(problems) == ["yaml.too_large"]
    assert dict(p.params)["size_bytes"] == 52 and dict(p.params)["limit_bytes"] == 20
    assert p.render("en") == (f"{F}: the file is 52 B (52 bytes), over the limit of 20 B "
                              "(20 bytes) — remove content that is not needed (long comments, "
                              "embedded data); a unit registry may be split into several files under units/")
    path = tmp_path / "big.yaml"
    path.write_bytes(b"k: v\n" * 1000)
    file_problems = Problems()
    assert load_yaml_file(path, "big.yaml", file_problems, max_bytes=100) is None
    assert dict(one(file_problems, "yaml.too_large").params)["size_bytes"] == 5000


# ---------------------------------------------------------------- 2. BOM

def test_bom_is_a_warning() -> None:
    doc, problems = load(b"\xef\xbb\xbf" + "名称: 甲\n".encode())
    assert doc is not None and doc.data == {"名称": "甲"}
    p = one(problems, "yaml.bom")
    assert p.severity == "warning" and not problems.errors and where(p) == (1, 1)
    assert p.render("zh-CN").startswith(f"{F}:1:1: 警告：文件开头有 UTF-8 BOM")
    assert "without BOM" in p.render("en")


# ---------------------------------------------------------------- 3. encodings

def test_gbk_is_recognised() -> None:
    raw = "title: ok\n名称: 考核结果\n单位: 第一分局\n".encode("gbk")
    doc, problems = load(raw)
    assert doc is None
    p = one(problems, "yaml.encoding")
    assert where(p) == (2, 1) and dict(p.params)["encoding"] == "GBK"
    assert p.render("zh-CN") == (
        f"{F}:2:1: 文件不是有效的 UTF-8 编码（第一个无效字节 0xC3），看起来是 GBK 编码 — "
        "请用编辑器（如 VS Code：右下角编码 → 通过编码保存 → UTF-8）另存为 UTF-8，"
        "或运行 iconv -f GBK -t UTF-8 原文件 > 新文件")
    assert "it looks like GBK" in p.render("en")


@pytest.mark.parametrize(("raw", "encoding", "pos"), [
    ("标题: 考核\n".encode("utf-16"), "UTF-16", (1, 1)),
    ("a: 考核結果\n".encode("big5"), "Big5", (1, 4)),
    ("a: タイトル\n".encode("shift_jis"), "Shift_JIS", (1, 4)),
])
def test_other_encodings(raw: bytes, encoding: str, pos: tuple[int, int]) -> None:
    doc, problems = load(raw)
    p = one(problems, "yaml.encoding")
    assert doc is None and dict(p.params)["encoding"] == encoding and where(p) == pos


def test_unknown_encoding_column_counts_characters() -> None:
    doc, problems = load("标题: caf".encode() + b"\xe9\n")
    p = one(problems, "yaml.not_utf8")
    assert doc is None and where(p) == (1, 8) and dict(p.params)["byte"] == "0xE9"


# ---------------------------------------------------------------- 4. tabs and invisible characters

def test_tab_indentation_reported_once_without_syntax_noise() -> None:
    doc, problems = load("a:\n\tb: 1\n  c: 2\n")
    assert doc is None and codes(problems) == ["yaml.tab"]
    assert where(problems.items[0]) == (2, 1)
    assert "use spaces" in problems.items[0].render("en")


def test_tabs_capped_per_file() -> None:
    doc, problems = load("名称: 甲" + "\t" * 30 + "\n")
    tabs = [p for p in problems.items if p.code == "yaml.tab"]
    assert len(tabs) == MAX_PER_CODE
    assert [where(p) for p in tabs[:2]] == [(1, 6), (1, 7)]
    more = one(problems, "yaml.more_hidden")
    assert dict(more.params) == {"count": 10, "kind": "yaml.tab"}


def test_control_characters_and_inner_bom() -> None:
    doc, problems = load("a: 值\x07\nb: \ufeffx\n")
    assert doc is None
    p = one(problems, "yaml.control_char")
    assert where(p) == (1, 5) and dict(p.params)["char"] == "U+0007"
    assert where(one(problems, "yaml.stray_bom")) == (2, 4)


# ---------------------------------------------------------------- 5. syntax errors

def test_syntax_error_position_and_text() -> None:
    doc, problems = load("时间: 上午: 9 点\n")
    p = one(problems, "yaml.colon")
    assert doc is None and where(p) == (1, 7)
    assert dict(p.params)["problem"] == "mapping values are not allowed here"
    assert "引号" in p.render("zh-CN")


def test_syntax_error_with_context() -> None:
    doc, problems = load("a: 1\nb: '未闭合\nc: 2\n")
    p = one(problems, "yaml.syntax_context")
    assert doc is None and where(p) == (4, 1)
    params = dict(p.params)
    assert params["context_line"] == 2 and params["context_column"] == 4
    assert "quoted scalar" in str(params["context"])


def test_syntax_error_plain() -> None:
    _, problems = load("a: @x\n")
    p = one(problems, "yaml.syntax")
    assert where(p) == (1, 4) and "'@'" in str(dict(p.params)["problem"])


# ---------------------------------------------------------------- 6. refused constructs

def test_anchor_and_alias_refused() -> None:
    doc, problems = load("a: &x 1\nb: *x\n")
    assert doc is None
    assert where(one(problems, "yaml.anchor")) == (1, 4)
    assert where(one(problems, "yaml.alias")) == (2, 4)


def test_alias_bomb_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    doc, problems = load("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert doc is None and "yaml.alias" in codes(problems) and "yaml.anchor" in codes(problems)


def test_merge_key_refused() -> None:
    doc, problems = load("base:\n  a: 1\nx:\n  <<: {a: 2}\n")
    assert doc is None and where(one(problems, "yaml.merge_key")) == (4, 3)


@pytest.mark.parametrize(("src", "tag", "pos"), [
    ("a: !!str 5\n", "!!str", (1, 4)),
    ("a: !foo x\n", "!foo", (1, 4)),
    ("- !!python/object:os.system x\n", "!!python/object:os.system", (1, 3)),
])
def test_explicit_tags_refused(src: str, tag: str, pos: tuple[int, int]) -> None:
    doc, problems = load(src)
    p = one(problems, "yaml.tag")
    assert doc is None and where(p) == pos and dict(p.params)["tag"] == tag


def test_complex_key_refused() -> None:
    doc, problems = load("a: 1\n? [x, y]\n: 2\n")
    assert doc is None and where(one(problems, "yaml.complex_key")) == (2, 3)


def test_several_documents_refused() -> None:
    doc, problems = load("a: 1\n---\nb: 2\n")
    p = one(problems, "yaml.multiple_documents")
    assert doc is None and where(p) == (2, 1) and dict(p.params)["number"] == 2


@pytest.mark.parametrize("src", ["", "\n\n", "# 只有注释\n# 第二行\n", "---\n"])
def test_empty_file(src: str) -> None:
    doc, problems = load(src)
    assert doc is None and codes(problems) == ["yaml.empty"]
    assert problems.items[0].render("en").startswith(f"{F}: the file is empty")


# ---------------------------------------------------------------- 7. duplicate keys

def test_duplicate_key() -> None:
    doc, problems = load("name: 甲\nscore: 1\nname: 乙\n")
    p = one(problems, "yaml.duplicate_key")
    assert doc is None and where(p) == (3, 1)
    assert p.render("zh-CN") == f"{F}:3:1: 第 3 行出现重复的键“name”（第 1 行已出现） — 删除或合并其中一个"
    assert p.render("en") == (f"{F}:3:1: duplicate key 'name' on line 3 (already on line 1) — "
                              "remove or merge one of them")


def test_same_key_in_different_mappings_is_fine() -> None:
    doc, problems = load("- name: 甲\n- name: 乙\n")
    assert doc is not None and not problems.items


def test_many_problems_in_one_pass() -> None:
    doc, problems = load("a: 1\na: 2\nb: &x 3\nc:\t4\n")
    assert doc is None
    assert {"yaml.duplicate_key", "yaml.anchor", "yaml.tab"} <= set(codes(problems))


# ---------------------------------------------------------------- 8. nesting

def test_nesting_limit() -> None:
    doc, _ = load("[" * 50 + "]" * 50)
    assert doc is not None
    doc, problems = load("[" * 51 + "]" * 51)
    assert doc is None and where(one(problems, "yaml.too_deep")) == (1, 51)
    block = "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v\n"
    _, problems = load(block)
    assert codes(problems) == ["yaml.too_deep"]


def test_huge_nesting_no_recursion_error() -> None:
    start = time.perf_counter()
    doc, problems = load("[" * 200_000)
    assert doc is None and codes(problems) == ["yaml.too_deep"]
    assert time.perf_counter() - start < 2.0


# ---------------------------------------------------------------- 10. nothing escapes

def test_stray_exception_becomes_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: object, events: object) -> None:
        raise IndexError("parser bug")

    monkeypatch.setattr(yamlsafe._Builder, "run", boom)
    doc, problems = load("a: 1\n")
    assert doc is None and codes(problems) == ["yaml.internal"]
    assert "IndexError" in problems.items[0].render("en")


SPECIAL = list("&*!<:\t{}[]-?|>'\"#%@`,\n ") + ["<<:", "考", "核", "：", "\ufeff", "\x00",
                                                "\u2028", "\r", "é", "𠀀"]


def check_outcome(raw: bytes) -> None:
    problems = Problems()
    doc = load_yaml_bytes(raw, F, problems)
    assert doc is None or isinstance(doc, Document)
    assert (doc is None) == bool(problems.errors)
    for p in problems.items:
        p.render("zh-CN")
        p.render("en")


FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(raw: bytes) -> None:
    check_outcome(raw)


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_random_text(text: str) -> None:
    check_outcome(text.encode("utf-8", "surrogatepass"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    text = VALID
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=3)))
        if op == "insert":
            text = text[:pos] + piece + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 5)):]
        else:
            text = text[:pos] + piece + text[pos + 1:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "gbk", "utf-16"]))
    return text.encode(encoding, "replace" if encoding == "gbk" else "surrogatepass")


@FUZZ
@given(mutated())
def test_fuzz_mutated_chinese_yaml(raw: bytes) -> None:
    check_outcome(raw)
