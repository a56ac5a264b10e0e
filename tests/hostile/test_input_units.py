"""Focused tests of the input guards: size cap before reading, links outside, duplicates, characters."""

from __future__ import annotations

import os
import shutil
import sys
import time
import tracemalloc
import unicodedata
from pathlib import Path

import pytest

from site_builder import pipeline
from site_builder.errors import InputError, Problems
from site_builder.load import files
from site_builder.load.files import copy_key, list_files, read_source
from site_builder.load.markdown_check import bad_links, check_markdown
from site_builder.load.rawtext import FILLERS, HIDDEN
from site_builder.schema.types import describe_value
from tests.hostile.harness import FIXTURE

GiB = 1 << 30


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, symlinks=True)
    return root


def codes(problems: Problems) -> list[str]:
    return [p.code for p in problems.items]


def rendered(problems: Problems) -> str:
    return "\n".join(p.render() for p in problems.sorted())


# ---------------------------------------------------------------- size cap before reading


def test_a_sparse_gigabyte_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(GiB)
    problems = Problems()
    tracemalloc.start()
    started = time.perf_counter()
    assert read_source(big, "big.yaml", tmp_path, problems) is None
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert codes(problems) == ["yaml.too_large"]
    assert "1073741824 字节" in rendered(problems) and "2097152 字节" in rendered(problems)
    assert seconds < 0.5 and peak < 1 << 20  # not a byte of it was read


@pytest.mark.parametrize("where", ["units/big.yaml", "schemes/xiaoneng/big.yaml", "scores/xiaoneng/big.yaml", "content/notices/2017-q3.md"])
def test_a_sparse_gigabyte_in_a_project_costs_nothing(tmp_path, where):
    root = project(tmp_path)
    (root / where).parent.mkdir(exist_ok=True)
    with open(root / where, "wb") as f:
        f.truncate(GiB)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        pipeline.check(root)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert f"{where}: 文件大小 1024.0 MB（1073741824 字节）超过上限" in exc.value.message
    assert seconds < 10 and peak < 64 << 20, (seconds, peak)


def test_a_file_that_grows_after_stat_is_still_capped(tmp_path, monkeypatch):
    path = tmp_path / "grows.yaml"
    path.write_bytes(b"a: b\n" * 1000)  # 5000 bytes
    real_stat = os.stat

    class Small:
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 10

    monkeypatch.setattr(files.os, "stat", lambda p, *a, **k: Small(real_stat(p, *a, **k)))
    problems = Problems()
    assert read_source(path, "grows.yaml", tmp_path, problems, max_bytes=100) is None
    assert codes(problems) == ["yaml.too_large"]
    assert "5000 字节" in rendered(problems)


def test_reads_stop_at_the_cap_plus_one(tmp_path, monkeypatch):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 10_000)
    asked: list[int] = []
    real_read = os.read
    monkeypatch.setattr(files.os, "fstat", lambda fd: os.stat_result((0o100644, 0, 0, 1, 0, 0, 10, 0, 0, 0)))
    monkeypatch.setattr(files.os, "read", lambda fd, n: asked.append(n) or real_read(fd, n))
    monkeypatch.setattr(files.os, "stat", lambda p, *a, **k: os.stat_result((0o100644, 0, 0, 1, 0, 0, 10, 0, 0, 0)))
    problems = Problems()
    assert read_source(path, "a.yaml", tmp_path, problems, max_bytes=100) is None
    assert sum(asked) <= 101 and codes(problems) == ["yaml.too_large"]


# ---------------------------------------------------------------- links outside the project


def test_a_link_outside_is_never_opened_and_never_quoted(tmp_path, monkeypatch):
    root = project(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 50, "utf-8")
    (root / "site.yaml").unlink()
    (root / "site.yaml").symlink_to(secret)
    (root / "units" ).mkdir()
    (root / "units" / "more.yaml").symlink_to(secret)
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(files.os, "open", lambda p, *a, **k: opened.append(str(p)) or real_open(p, *a, **k))
    with pytest.raises(InputError) as exc:
        pipeline.check(root)
    text = exc.value.message
    assert str(secret) not in opened
    assert "root:x" not in text and "secret" not in text
    assert "site.yaml: 这是指向项目目录之外的符号链接" in text
    assert "units/more.yaml: 这是指向项目目录之外的符号链接" in text


def test_a_link_inside_the_project_is_followed(tmp_path):
    root = project(tmp_path)
    (root / "shared").mkdir()
    (root / "units.yaml").rename(root / "shared" / "units.yaml")
    (root / "units.yaml").symlink_to(Path("shared") / "units.yaml")
    project_, _ = pipeline.check(root)
    assert "units.yaml" in project_.sources and "fgw" in project_.units


def test_relative_dotdot_link_that_leaves_the_project(tmp_path):
    root = project(tmp_path)
    (tmp_path / "x.md").write_text("外部内容", "utf-8")
    body = root / "content" / "notices" / "2017-q3.md"
    body.unlink()
    body.symlink_to(Path("..") / ".." / ".." / "x.md")
    with pytest.raises(InputError) as exc:
        pipeline.check(root)
    assert "content/notices/2017-q3.md: 这是指向项目目录之外的符号链接" in exc.value.message
    assert "外部内容" not in exc.value.message


def test_listing_does_not_follow_a_folder_link_outside(tmp_path):
    root = tmp_path / "p"
    (root / "units").mkdir(parents=True)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "a.yaml").write_text("x: 1\n", "utf-8")
    (root / "units" / "etc").symlink_to(tmp_path / "etc", target_is_directory=True)
    problems = Problems()
    assert list_files(root / "units", root, problems) == []
    assert rendered(problems).startswith("units/etc: 这是指向项目目录之外的符号链接")


# ---------------------------------------------------------------- every read failure is a located message


def test_a_file_vanishing_between_listing_and_reading(tmp_path, monkeypatch):
    path = tmp_path / "a.yaml"
    path.write_text("a: b\n", "utf-8")

    def gone(*a, **k):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(files.os, "open", gone)
    problems = Problems()
    assert read_source(path, "units/a.yaml", tmp_path, problems) is None
    assert rendered(problems).startswith("units/a.yaml: 文件在读取过程中被删除或移动")


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"), OSError(5, "Input/output error")])
def test_an_unreadable_file(tmp_path, monkeypatch, error):
    path = tmp_path / "a.yaml"
    path.write_text("a: b\n", "utf-8")

    def fail(*a, **k):
        raise error

    monkeypatch.setattr(files.os, "open", fail)
    problems = Problems()
    assert read_source(path, "site.yaml", tmp_path, problems) is None
    assert rendered(problems) == (
        f"site.yaml: 无法读取文件（{error.strerror}） — 请检查文件权限，确认它是普通文件")


def test_an_error_while_reading(tmp_path, monkeypatch):
    path = tmp_path / "a.yaml"
    path.write_text("a: b\n", "utf-8")

    def fail(*a, **k):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "read", fail)
    problems = Problems()
    assert read_source(path, "site.yaml", tmp_path, problems) is None
    assert codes(problems) == ["yaml.read_failed"]


# ---------------------------------------------------------------- duplicates


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("2019", "2019"), ("2019 - 副本", "2019"), ("2019 - 副本 (2)", "2019"), ("复件 2019", "2019"),
        ("复件 (2) 2019", "2019"), ("Copy of 2019", "2019"), ("2019 copy", "2019"), ("2019 copy 2", "2019"),
        ("2019 (1)", "2019"), ("2019(1)", "2019"), ("2019-copy", "2019"), ("2019_copy", "2019"),
        ("2019 - Copy (3)", "2019"), ("2019的副本", "2019"), ("2019 副本", "2019"), ("２０１９", "2019"),
        ("V2019", "v2019"), ("2017-Q3", "2017-q3"),
        # not copies: kept apart
        ("2019-1", "2019-1"), ("2019-v2", "2019-v2"), ("v2019", "v2019"),
    ],
)
def test_copy_key(name, key):
    assert copy_key(name) == key


def test_a_copy_beside_a_version_is_one_error_naming_both(tmp_path):
    root = project(tmp_path)
    src = root / "schemes" / "xiaoneng" / "v2017.yaml"
    for copy in ("v2017 - 副本.yaml", "v2017.yml"):
        shutil.copy(src, src.with_name(copy))
    problems = Problems()
    assert pipeline.load_project(root, problems) is None
    assert len(problems.errors) == 1
    msg = problems.errors[0].render()
    # located at the first copy (.yml before a name with copy marks), naming all three
    assert msg.startswith("schemes/xiaoneng/v2017.yml: 方案版本“v2017”有多个文件：schemes/xiaoneng/v2017.yaml, ")
    for name in ("v2017.yaml", "v2017 - 副本.yaml", "v2017.yml"):
        assert f"schemes/xiaoneng/{name}" in msg


def test_check_and_build_agree_on_a_version_named_like_a_copy(tmp_path):
    root = project(tmp_path)
    d = root / "schemes" / "xiaoneng"
    (d / "v2018.yaml").rename(d / "v2018 - 副本.yaml")
    with pytest.raises(InputError) as exc:
        pipeline.check(root)
    assert "schemes/xiaoneng/v2018 - 副本.yaml: 文件名“v2018 - 副本”不能作为方案版本标识" in exc.value.message
    assert "如 v2018.yaml" in exc.value.message


# ---------------------------------------------------------------- characters


def test_hidden_class_is_every_format_character_plus_the_fillers():
    expected = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    expected.discard(0xFEFF)  # reported as a stray BOM
    expected |= set(FILLERS)
    found = {c for c in range(sys.maxunicode + 1) if HIDDEN.match(chr(c))}
    # Unicode versions after Python's add a few format characters; never fewer
    assert expected <= found, sorted(hex(c) for c in expected - found)


def test_long_values_are_quoted_by_their_first_line_only():
    zh, en = describe_value("root:x:0:0:root:/root:/bin/bash\n" * 100)
    assert zh == "“root:x:0:0:root:/root:/bin/bash…”" and zh == en
    zh, _ = describe_value("甲" * 100)
    assert zh == "“" + "甲" * 40 + "…”"


# ---------------------------------------------------------------- links in Markdown

GOOD = """\
[a](https://example.gov.cn/) [b](http://example.gov.cn/) [c](mailto:a@example.gov.cn)
[d](tel:0551-12345678) [e](../schemes/) [f](#part-2) [g](//example.gov.cn/x) [h](notices/2017-q3.md)
<https://example.gov.cn/> <a href="https://example.gov.cn/">i</a>
[ref]: https://example.gov.cn/
`[not a link](javascript:alert(1))` and ``<a href="javascript:x">``

```
[inside a fence](javascript:alert(1))
```

~~~html
<a href="data:text/html,x">x</a>
~~~
"""


def test_allowed_links_and_code_pass():
    assert bad_links(GOOD) == []
    problems = Problems()
    assert check_markdown(GOOD.encode(), "content/a.md", problems) == GOOD and not problems.items


def test_a_tab_is_fine_in_markdown_but_not_a_bidi_override():
    problems = Problems()
    assert check_markdown("a\tb\n".encode(), "content/a.md", problems) is not None
    assert check_markdown("a\u202eb\n".encode(), "content/a.md", problems) is None
    assert rendered(problems) == (
        "content/a.md:1:2: 出现不可见字符 U+202E RIGHT-TO-LEFT OVERRIDE — 请删除该字符：它看不见，却会改变文字的显示顺序，"
        "或使两个看起来相同的名称并不相同（常见于从网页、Word 或聊天软件复制的文字）")


@pytest.mark.parametrize(
    ("text", "scheme"),
    [
        ('<a href="java\tscript:alert(1)">x</a>', "javascript"),
        ('<a href="java\nscript:alert(1)">x</a>', "javascript"),
        ("[x](&#106;avascript:alert(1))", "javascript"),
        ("[x](&#x6A;avascript&colon;alert(1))", "javascript"),
        ('<a href = " javascript:alert(1)">x</a>', "javascript"),
        ("<A HREF=vbscript:x>x</A>", "vbscript"),
        ("[x](blob:https://example.gov.cn/1)", "blob"),
    ],
)
def test_obfuscated_schemes_are_found(text, scheme):
    found = bad_links(text)
    assert [s for _, _, s in found] == [scheme]


def test_scheme_markdown_links_are_checked_too(tmp_path):
    root = project(tmp_path)
    p = root / "schemes" / "xiaoneng" / "v2017.yaml"
    p.write_text(p.read_text("utf-8").replace("      县直各单位。", "      县直各单位，见[办法](javascript:alert(1))。"), "utf-8")
    with pytest.raises(InputError) as exc:
        pipeline.check(root)
    # line 18 is "    body: |", the block that holds the link
    assert "schemes/xiaoneng/v2017.yaml:18:11: 链接“javascript:alert(1”使用了不允许的协议“javascript:”" in exc.value.message
