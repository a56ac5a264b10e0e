"""Hostile input files: every one refused by check AND build at its location, nothing written.

Each case mutates a built copy of the fixture project (tests/site/fixtures/basic)
and goes through :func:`tests.hostile.harness.refused`, which asserts exit 1
for both commands, no traceback, the location in both outputs and that not a
byte of the project (``_site`` included) changed.  Positions are counted by
hand from the fixture files (columns count characters, a CJK character is one).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.hostile.harness import refused

SITE = "site.yaml"
UNITS = "units.yaml"
SCHEME = "schemes/xiaoneng/v2017.yaml"
SCHEME18 = "schemes/xiaoneng/v2018.yaml"
Q3 = "scores/xiaoneng/2017-Q3.yaml"
BODY = "content/notices/2017-q3.md"
SECRET = "SECRET-OUTSIDE-7f3a9c"

# ---------------------------------------------------------------- helpers


def edit(rel: str, old: str, new: str):
    def mutate(root: Path) -> None:
        p = root / rel
        text = p.read_text("utf-8")
        assert old in text, f"{old!r} not in {rel}"
        p.write_text(text.replace(old, new, 1), "utf-8")

    return mutate


def write(rel: str, data: bytes | str):
    def mutate(root: Path) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.exists() or p.is_symlink():
            p.unlink()
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return mutate


def copy(src: str, dst: str):
    def mutate(root: Path) -> None:
        (root / dst).parent.mkdir(parents=True, exist_ok=True)
        (root / dst).write_bytes((root / src).read_bytes())

    return mutate


def outside_file(root: Path, name: str = "secret.yaml") -> Path:
    """A file beside the project, full of text that must never be shown."""
    out = root.parent / "outside"
    out.mkdir(exist_ok=True)
    target = out / name
    target.write_text(f"title: {SECRET}\norganisation: {SECRET}\nunits:\n  - id: x\n    name: {SECRET}\n", "utf-8")
    return target


def link_out(rel: str, name: str = "secret.yaml"):
    """Replace ``rel`` with a symlink to a file outside the project."""

    def mutate(root: Path) -> None:
        target = outside_file(root, name)
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.exists() or p.is_symlink():
            p.unlink()
        p.symlink_to(target)

    return mutate


def link_dir_out(rel: str):
    """Replace the folder ``rel`` with a symlink to a copy of it outside the project."""

    def mutate(root: Path) -> None:
        import shutil

        out = root.parent / "outside" / Path(rel).name
        out.parent.mkdir(exist_ok=True)
        shutil.copytree(root / rel, out)
        shutil.rmtree(root / rel)
        (root / rel).symlink_to(out, target_is_directory=True)

    return mutate


def dangling(rel: str):
    def mutate(root: Path) -> None:
        p = root / rel
        if p.exists() or p.is_symlink():
            p.unlink()
        p.symlink_to(root / "no-such-file.yaml")

    return mutate


def loop(rel: str):
    def mutate(root: Path) -> None:
        p = root / rel
        if p.exists() or p.is_symlink():
            p.unlink()
        other = p.with_name(p.name + ".loop")
        other.symlink_to(p)
        p.symlink_to(other)

    return mutate


def fifo(rel: str):
    def mutate(root: Path) -> None:
        p = root / rel
        if p.exists():
            p.unlink()
        os.mkfifo(p)

    return mutate


def folder(rel: str):
    def mutate(root: Path) -> None:
        p = root / rel
        if p.exists():
            p.unlink()
        p.mkdir()
        (p / "inner.txt").write_text("x", "utf-8")

    return mutate


def sparse(rel: str, size: int = 1 << 30):
    def mutate(root: Path) -> None:
        with open(root / rel, "wb") as f:
            f.truncate(size)

    return mutate


def gbk(rel: str):
    def mutate(root: Path) -> None:
        p = root / rel
        p.write_bytes(p.read_text("utf-8").encode("gb18030"))

    return mutate


def utf16(rel: str):
    def mutate(root: Path) -> None:
        p = root / rel
        p.write_bytes(p.read_text("utf-8").encode("utf-16"))

    return mutate


def loc(rel: str, line: int | None = None, col: int | None = None) -> str:
    r = re.escape(rel)
    if line is None:
        return r + r":(?!\d)"
    return f"{r}:{line}:" + (str(col) if col is not None else r"\d+")


def cap_of(rel: str) -> int:
    """The size cap of a kind of file (site_builder/pipeline.py CAPS): periods and registries are larger."""
    from site_builder.load.files import MAX_BYTES, PERIOD_MAX_BYTES, UNITS_MAX_BYTES

    if rel.startswith("scores/"):
        return PERIOD_MAX_BYTES
    if rel.startswith("units"):
        return UNITS_MAX_BYTES
    return MAX_BYTES


def no_secret(outcome) -> None:
    assert SECRET not in outcome.text


# ---------------------------------------------------------------- file kinds × file-system hazards

FILES = {"site": SITE, "units": UNITS, "scheme": SCHEME, "scores": Q3, "body": BODY}

HAZARDS = {
    "symlink-outside": (link_out, None),
    "dangling-symlink": (dangling, None),
    "symlink-loop": (loop, None),
    "fifo": (fifo, None),
    "folder-named-like-the-file": (folder, None),
    "sparse-1MiB-over-its-cap": (lambda rel: sparse(rel, cap_of(rel) + 1024 * 1024), None),
    "sparse-just-over-its-cap": (lambda rel: sparse(rel, cap_of(rel) + 1), None),
}


@pytest.mark.parametrize("hazard", sorted(HAZARDS))
@pytest.mark.parametrize("kind", sorted(FILES))
def test_file_system_hazard(tmp_path, kind, hazard):
    rel = FILES[kind]
    make_mutation, _ = HAZARDS[hazard]
    outcome = refused(tmp_path, make_mutation(rel), loc(rel))
    no_secret(outcome)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_gbk_is_located_at_the_first_bad_byte(tmp_path, kind):
    rel = FILES[kind]
    # The first byte that is not UTF-8, counted by hand.  Some GBK pairs happen to be
    # valid UTF-8 (示 = CA BE, 效 = D0 A7) and decode as one character each:
    # "title: 示范县" breaks at 范 = B7 B6 (column 9), "  number: 示效办" at 办 = B0 EC
    # (column 13); 县 = CF D8 and 各 = B8 F7 break at once.
    first = {"site": (1, 9), "units": (3, 11), "scheme": (1, 9), "scores": (7, 13), "body": (1, 1)}[kind]
    outcome = refused(tmp_path, gbk(rel), loc(rel, *first))
    assert "GBK" in outcome.check.output and "UTF-8" in outcome.check.output


@pytest.mark.parametrize("kind", sorted(FILES))
def test_utf16_with_bom(tmp_path, kind):
    rel = FILES[kind]
    outcome = refused(tmp_path, utf16(rel), loc(rel, 1, 1))
    assert "UTF-16" in outcome.check.output


@pytest.mark.parametrize(
    ("kind", "old", "line", "col"),
    [
        ("site", "示范县", 1, 8),
        ("units", "县发展", 3, 11),
        ("scheme", "示范县", 1, 8),
        ("scores", "示效办", 7, 11),
        ("body", "各单位", 1, 1),
    ],
)
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_character(tmp_path, kind, old, line, col, char):
    rel = FILES[kind]
    outcome = refused(tmp_path, edit(rel, old, char + old), loc(rel, line, col))
    assert f"U+{ord(char):04X}" in outcome.check.output


# ---------------------------------------------------------------- invisible characters

INVISIBLE = [
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\u2061", "\ufeff",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069",
    "\u00ad", "\u061c", "\u180e", "\u3164", "\U000e0041",
]


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_character_in_a_unit_name(tmp_path, char):
    # "    name: 县发展改革委": the value starts at column 11, the character follows 县发展
    outcome = refused(tmp_path, edit(UNITS, "县发展改革委", "县发展" + char + "改革委"), loc(UNITS, 3, 14))
    assert f"U+{ord(char):04X}" in outcome.check.output


FIELDS = [
    # (file, text to put the character after, line, column of the character)
    (SITE, "title: 示范县", 1, 11),
    (SITE, "  office: 县效能办", 5, 15),
    (UNITS, "  - id: fg", 2, 11),
    (UNITS, "    category: 综合", 4, 17),
    (SCHEME, "title: 示范县", 1, 11),
    (SCHEME, "doc_number: 示效办", 4, 16),
    (Q3, "  number: 示效办", 7, 14),
    (Q3, "            note: 上班", 19, 21),
    (Q3, "            title: 项目", 25, 22),
    (Q3, "    note: 7月", 41, 13),
    (BODY, "各单位", 1, 4),
]


@pytest.mark.parametrize(("rel", "after", "line", "col"), FIELDS)
@pytest.mark.parametrize("char", ["\u202e", "\u200b"], ids=["RLO", "ZWSP"])
def test_invisible_character_in_a_field(tmp_path, rel, after, line, col, char):
    outcome = refused(tmp_path, edit(rel, after, after + char), loc(rel, line, col))
    assert f"U+{ord(char):04X}" in outcome.check.output


@pytest.mark.parametrize(
    ("rel", "old", "new", "line", "col"),
    [
        (SITE, "title: 示范县机关效能考核结果公示", 'title: "示范\\u202e县机关效能考核结果公示"', 1, 8),
        (UNITS, "name: 县财政局", 'name: "县财\\u200b政局"', 6, 11),
        (Q3, "  number: 示效办〔2017〕9号", '  number: "示效办\\x01〔2017〕9号"', 7, 11),
    ],
)
def test_invisible_character_written_as_an_escape(tmp_path, rel, old, new, line, col):
    outcome = refused(tmp_path, edit(rel, old, new), loc(rel, line, col))
    assert "U+" in outcome.check.output


# ---------------------------------------------------------------- URLs

BAD_BASE_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<b>x</b>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.gov.cn/",
    "/kaohe/",
    "//evil.example/",
    "example.gov.cn/kaohe/",
    "https://",
    "https://exa mple.gov.cn/",
    "https://example.gov.cn/\"onload=\"x",
]


@pytest.mark.parametrize("url", BAD_BASE_URLS)
def test_bad_base_url(tmp_path, url):
    quoted = "'" + url.replace("'", "''") + "'"
    outcome = refused(tmp_path, edit(SITE, "contact:\n", f"base_url: {quoted}\ncontact:\n"), loc(SITE, 4, 11))
    assert "https://" in outcome.check.output


@pytest.mark.parametrize(
    "email",
    ["javascript:alert(1)", "mailto:kaohe@example.gov.cn", "kaohe@example.gov.cn?subject=x", "效能办", "a b@example.gov.cn",
     "<kaohe@example.gov.cn>"],
)
def test_bad_contact_email(tmp_path, email):
    quoted = "'" + email + "'"
    # "  email: " is 9 characters: the value starts at column 10 of the new line 7
    refused(tmp_path, edit(SITE, "  address:", f"  email: {quoted}\n  address:"), loc(SITE, 7, 10))


BAD_LINKS = [
    # (text appended as line 15 of the body, column of the link target)
    ("[办法](javascript:alert(1))", 6),
    ("[办法](JAVASCRIPT:alert(1))", 6),
    ("[办法]( javascript:alert(1))", 7),
    ("[办法](data:text/html;base64,PHNjcmlwdD4=)", 6),
    ("[办法](vbscript:msgbox)", 6),
    ("[办法](file:///etc/passwd)", 6),
    ("[办法](jav&#x61;script:alert(1))", 6),
    ("[办法](<javascript:alert(1)>)", 6),
    ("![图](javascript:alert(1))", 6),
    ("<javascript:alert(1)>", 2),
    ('<a href="javascript:alert(1)">办法</a>', 9),
    ("<a href='data:text/html,x'>办法</a>", 9),
    ('<iframe src="javascript:alert(1)"></iframe>', 13),
    ("[ref]: javascript:alert(1)", 8),
    ("[办法](ftp://example.gov.cn/)", 6),
    ("[办法](C:\\Users\\a\\b.md)", 6),
]


@pytest.mark.parametrize(("text", "col"), BAD_LINKS)
def test_bad_link_in_a_notice_body(tmp_path, text, col):
    def mutate(root: Path) -> None:
        p = root / BODY
        p.write_text(p.read_text("utf-8") + "\n" + text + "\n", "utf-8")

    # the fixture body has 14 lines; one blank line, then the link on line 16
    outcome = refused(tmp_path, mutate, loc(BODY, 16, col))
    assert "https:" in outcome.check.output


# ---------------------------------------------------------------- duplicates

SCHEME_COPIES = [
    "schemes/xiaoneng/v2017.yml",
    "schemes/xiaoneng/V2017.yaml",
    "schemes/xiaoneng/old/v2017.yaml",
    "schemes/xiaoneng/v2017 - 副本.yaml",
    "schemes/xiaoneng/v2017 - 副本 (2).yaml",
    "schemes/xiaoneng/v2017 (1).yaml",
    "schemes/xiaoneng/v2017-copy.yaml",
    "schemes/xiaoneng/v2017 copy.yaml",
    "schemes/xiaoneng/v2017 - Copy.yaml",
    "schemes/xiaoneng/复件 v2017.yaml",
    "schemes/xiaoneng/Copy of v2017.yaml",
    "schemes/xiaoneng/ｖ２０１７.yaml",
]


@pytest.mark.parametrize("dup", SCHEME_COPIES)
def test_two_files_for_one_scheme_version(tmp_path, dup):
    outcome = refused(tmp_path, copy(SCHEME, dup), loc(dup))
    for result in (outcome.check, outcome.build):
        lines = [line for line in result.output.splitlines() if "有多个文件" in line]
        assert len(lines) == 1, result.output  # one error ...
        assert SCHEME in lines[0] and dup in lines[0]  # ... naming both files
        assert "共 1 个错误" in result.output


PERIOD_COPIES = [
    "scores/xiaoneng/2017-Q3.yml",
    "scores/xiaoneng/2017-q3.yaml",
    "scores/xiaoneng/old/2017-Q3.yaml",
    "scores/xiaoneng/2017-Q3 - 副本.yaml",
    "scores/xiaoneng/2017-Q3 (1).yaml",
    "scores/xiaoneng/复件 2017-Q3.yaml",
]


@pytest.mark.parametrize("dup", PERIOD_COPIES)
def test_two_files_for_one_period(tmp_path, dup):
    outcome = refused(tmp_path, copy(Q3, dup), loc(dup))
    for result in (outcome.check, outcome.build):
        assert "共 1 个错误" in result.output, result.output
        line = next(line for line in result.output.splitlines() if line.startswith(dup))
        assert Q3 in line


def test_same_period_under_another_file_name(tmp_path):
    # 2017-Q3-final.yaml sorts first ("-" < "."), so 2017-Q3.yaml is the second file for 2017-Q3
    other = "scores/xiaoneng/2017-Q3-final.yaml"
    outcome = refused(tmp_path, copy(Q3, other), loc(Q3, 3, 9))
    assert f"{Q3}:3:9: 考核期 2017-Q3 已有记录文件 {other}" in outcome.check.output
    assert "共 1 个错误" in outcome.check.output


@pytest.mark.parametrize(
    ("name", "code_text"),
    [
        ("v2019 草稿.yaml", "不能作为方案版本标识"),
        ("V2019.yaml", "不能作为方案版本标识"),
        ("2019.1.yaml", "不能作为方案版本标识"),
        ("新版.yaml", "不能作为方案版本标识"),
        ("old/v2016.yaml", "不能放在下级文件夹中"),
        ("a/b/v2015.yaml", "不能放在下级文件夹中"),
    ],
)
def test_misplaced_or_misnamed_version_file(tmp_path, name, code_text):
    rel = f"schemes/xiaoneng/{name}"
    outcome = refused(tmp_path, copy(SCHEME18, rel), loc(rel))
    assert code_text in outcome.check.output and code_text in outcome.build.output


# ---------------------------------------------------------------- links to folders, and other file kinds


def test_units_folder_linked_outside(tmp_path):
    def mutate(root: Path) -> None:
        out = root.parent / "outside" / "units"
        out.mkdir(parents=True)
        (out / "more.yaml").write_text(f"units:\n  - id: zzz\n    name: {SECRET}\n", "utf-8")
        (root / "units").symlink_to(out, target_is_directory=True)

    outcome = refused(tmp_path, mutate, loc("units"))
    no_secret(outcome)


def test_scheme_folder_linked_outside(tmp_path):
    no_secret(refused(tmp_path, link_dir_out("schemes/xiaoneng"), loc("schemes/xiaoneng")))


def test_scores_folder_linked_outside(tmp_path):
    no_secret(refused(tmp_path, link_dir_out("scores/xiaoneng"), loc("scores/xiaoneng")))


def test_content_folder_linked_outside(tmp_path):
    no_secret(refused(tmp_path, link_dir_out("content"), loc(BODY)))


def test_folder_link_loop(tmp_path):
    def mutate(root: Path) -> None:
        (root / "schemes" / "xiaoneng" / "again").symlink_to(root / "schemes", target_is_directory=True)

    refused(tmp_path, mutate, r"schemes/xiaoneng/again/xiaoneng:? ")


def test_extra_unit_file_linked_outside(tmp_path):
    no_secret(refused(tmp_path, link_out("units/extra.yaml"), loc("units/extra.yaml")))


def test_body_in_a_linked_folder_outside(tmp_path):
    def mutate(root: Path) -> None:
        outside_file(root, "2017-q3.md")
        (root / BODY).unlink()
        (root / "content" / "notices").rmdir()
        (root / "content" / "notices").symlink_to(root.parent / "outside", target_is_directory=True)

    no_secret(refused(tmp_path, mutate, loc(BODY)))


@pytest.mark.parametrize("kind", sorted(FILES))
def test_link_into_a_hidden_folder(tmp_path, kind):
    rel = FILES[kind]

    def mutate(root: Path) -> None:
        (root / ".git").mkdir()
        (root / ".git" / "config").write_text(f"[remote]\n  url = https://token:{SECRET}@example.org/x\n", "utf-8")
        (root / rel).unlink()
        (root / rel).symlink_to(root / ".git" / "config")

    no_secret(refused(tmp_path, mutate, loc(rel)))


def test_site_yaml_of_nul_bytes(tmp_path):
    refused(tmp_path, write(SITE, b"\x00" * 64), loc(SITE, 1, 1))


def test_body_of_nul_bytes(tmp_path):
    refused(tmp_path, write(BODY, b"\x00" * 64), loc(BODY, 1, 1))


def test_body_that_is_a_binary_file(tmp_path):
    # bytes 0x00-0x7f are valid UTF-8 (0x0a ends line 1); 0x80 is the 118th character of line 2
    refused(tmp_path, write(BODY, bytes(range(256)) * 4), loc(BODY, 2, 118))


def test_body_with_bidi_isolate_on_a_later_line(tmp_path):
    # line 9 is "<script>alert("x")</script>"; the character goes before "alert" (column 9)
    refused(tmp_path, edit(BODY, "<script>alert", "<script>\u2067alert"), loc(BODY, 9, 9))


def test_body_in_big5(tmp_path):
    def mutate(root: Path) -> None:
        (root / BODY).write_bytes("各單位：\n\n根據考核辦法，現將結果通報如下。\n".encode("big5"))

    outcome = refused(tmp_path, mutate, loc(BODY, 1, 1))
    assert "Big5" in outcome.check.output


def test_gbk_after_utf8_lines_points_at_the_bad_line(tmp_path):
    def mutate(root: Path) -> None:
        (root / BODY).write_bytes("各单位：\n\n".encode() + "现将结果通报如下。\n".encode("gbk"))

    refused(tmp_path, mutate, loc(BODY, 3, 1))


@pytest.mark.skipif(getattr(os, "geteuid", lambda: 1)() == 0, reason="root reads every file")
@pytest.mark.parametrize("kind", sorted(FILES))
def test_unreadable_file(tmp_path, kind):
    rel = FILES[kind]

    def mutate(root: Path) -> None:
        (root / rel).chmod(0)

    refused(tmp_path, mutate, loc(rel))
