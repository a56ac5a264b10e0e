"""Hostile cases for ``published.lock`` and ``published/``: tampering is refused, located.

Every case runs through :func:`tests.hostile.harness.refused` on the locked
fixture project: ``check`` and ``build`` both exit 1 without a traceback, name
the place (``published.lock:line:col``, the archive, or the period file), and
write nothing.  Messages about a deleted or edited lock say how to restore it
from git.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from site_builder.cli import main
from tests.hostile.harness import make, refused, run_both

LOCK = "published.lock"
Q3 = "scores/xiaoneng/2017-Q3.yaml"
ARCHIVE = "published/xiaoneng/2017-Q3"
RESTORE = "git checkout HEAD -- published.lock published/"
AT_LOCK = r"published\.lock:\d+:\d+"
HAS_GIT = shutil.which("git") is not None


def lock_doc(root: Path) -> dict:
    return json.loads((root / LOCK).read_text("utf-8"))


def write_lock(root: Path, doc: object) -> None:
    (root / LOCK).write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")


def edit_lock(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        doc = lock_doc(root)
        change(doc)
        write_lock(root, doc)

    return mutate


def q3_v1(doc: dict) -> dict:
    return doc["periods"]["xiaoneng/2017-Q3"]["versions"][0]


def correct_and_lock(root: Path) -> None:
    """A correction of 2017-Q3 (县财政局 重点工作推进 56.5 → 50), locked as version 2."""
    doc = yaml.safe_load((root / Q3).read_text("utf-8"))
    doc["units"]["czj"]["facts"]["tuijin"] = "50"
    doc["corrections"] = [{"date": "2017-10-20", "reason": "录入错误，经复核更正。"}]
    (root / Q3).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    result = CliRunner().invoke(main, ["lock", "--root", str(root)])
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------ the lock deleted or cut


def test_deleted_lock_with_archives_left(tmp_path):
    out = refused(tmp_path, lambda r: (r / LOCK).unlink(), where=r"published\.lock: ", locked=True)
    assert RESTORE in out.check.output and RESTORE in out.build.output


@pytest.mark.skipif(not HAS_GIT, reason="needs git")
def test_deleted_lock_and_archive_while_git_head_has_them(tmp_path):
    def mutate(root: Path) -> None:
        git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", "published"], check=True)
        (root / LOCK).unlink()
        shutil.rmtree(root / "published")

    out = refused(tmp_path, mutate, where=r"published\.lock: ", locked=True)
    assert "git HEAD" in out.build.output and RESTORE in out.build.output


def _commit(root: Path) -> None:
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "published"], check=True)


@pytest.mark.skipif(not HAS_GIT, reason="needs git")
def test_entry_and_its_archive_removed_while_git_head_has_them(tmp_path):
    def mutate(root: Path) -> None:
        _commit(root)
        edit_lock(lambda d: d["periods"].pop("xiaoneng/2017-Q4"))(root)
        shutil.rmtree(root / "published/xiaoneng/2017-Q4")

    out = refused(tmp_path, mutate, where=AT_LOCK, locked=True)
    assert "“xiaoneng/2017-Q4”已不存在，比版本库（git HEAD）中记录的少" in out.build.output


@pytest.mark.skipif(not HAS_GIT, reason="needs git")
def test_a_consistent_forgery_of_lower_counts_is_caught_by_git_head(tmp_path):
    """Counts lowered everywhere in the lock and the last version dropped: HEAD still knows."""

    def forge(d: dict) -> None:
        entry = d["periods"]["xiaoneng/2017-Q3"]
        entry["corrections"] = 0
        entry["versions"] = entry["versions"][:1]

    def mutate(root: Path) -> None:
        correct_and_lock(root)
        _commit(root)
        edit_lock(forge)(root)
        (root / ARCHIVE / "v2.yaml").unlink()

    out = refused(tmp_path, mutate, where=AT_LOCK, locked=True)
    assert "只有 1 个版本（HEAD 中为 2 个）" in out.build.output


@pytest.mark.parametrize("period", ["xiaoneng/2017-Q3", "xiaoneng/2017-Q4", "xiaoneng/2018-Q1"])
def test_an_entry_removed_from_the_lock(tmp_path, period):
    out = refused(
        tmp_path, edit_lock(lambda d: d["periods"].pop(period)), where=AT_LOCK, locked=True
    )
    assert f"published.lock 中没有“{period}”" in out.build.output


def test_lock_emptied_to_no_periods(tmp_path):
    refused(tmp_path, edit_lock(lambda d: d["periods"].clear()), where=AT_LOCK, locked=True)


def test_lock_is_a_symlink(tmp_path):
    def mutate(root: Path) -> None:
        real = root / "elsewhere.lock"
        (root / LOCK).rename(real)
        (root / LOCK).symlink_to(real)

    refused(tmp_path, mutate, where=r"published\.lock: .*符号链接", locked=True)


def test_lock_is_a_folder(tmp_path):
    def mutate(root: Path) -> None:
        (root / LOCK).unlink()
        (root / LOCK).mkdir()

    refused(tmp_path, mutate, where=r"published\.lock: ", locked=True)


def test_lock_too_large_is_refused_before_reading(tmp_path):
    def mutate(root: Path) -> None:
        with (root / LOCK).open("ab") as f:
            f.truncate(3 * 1024 * 1024)

    out = refused(tmp_path, mutate, where=r"published\.lock:1:1", locked=True)
    assert "文件过大" in out.build.output


# ------------------------------------------------------------------ counts lowered


def test_corrections_count_lowered_in_the_lock(tmp_path):
    def mutate(root: Path) -> None:
        correct_and_lock(root)
        edit_lock(lambda d: d["periods"]["xiaoneng/2017-Q3"].__setitem__("corrections", 0))(root)

    out = refused(tmp_path, mutate, where=AT_LOCK, locked=True)
    assert "更正数被改小了" in out.build.output and RESTORE in out.build.output


def test_corrections_count_lowered_and_version_counts_too(tmp_path):
    def lower(d: dict) -> None:
        entry = d["periods"]["xiaoneng/2017-Q3"]
        entry["corrections"] = 0
        entry["versions"][1]["corrections"] = 0

    def mutate(root: Path) -> None:
        correct_and_lock(root)
        edit_lock(lower)(root)

    refused(tmp_path, mutate, where=AT_LOCK, locked=True)


def test_correction_deleted_from_the_period_file(tmp_path):
    def mutate(root: Path) -> None:
        correct_and_lock(root)
        doc = yaml.safe_load((root / Q3).read_text("utf-8"))
        doc.pop("corrections")
        (root / Q3).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")

    out = refused(tmp_path, mutate, where=r"scores/xiaoneng/2017-Q3\.yaml", locked=True)
    assert "更正记录由 1 条减少为 0 条" in out.build.output


def test_correction_deleted_and_figure_put_back(tmp_path):
    """Back to version 1's figures without the correction: still a deleted correction."""

    def mutate(root: Path) -> None:
        correct_and_lock(root)
        doc = yaml.safe_load((root / Q3).read_text("utf-8"))
        doc.pop("corrections")
        doc["units"]["czj"]["facts"]["tuijin"] = "56.5"
        (root / Q3).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")

    refused(tmp_path, mutate, where=r"scores/xiaoneng/2017-Q3\.yaml", locked=True)


def test_published_notice_turned_back_into_a_draft(tmp_path):
    def mutate(root: Path) -> None:
        text = (root / Q3).read_text("utf-8")
        (root / Q3).write_text(text.replace("status: published", "status: draft"), "utf-8")

    refused(tmp_path, mutate, where=r"scores/xiaoneng/2017-Q3\.yaml", locked=True)


def test_published_period_file_deleted(tmp_path):
    refused(tmp_path, lambda r: (r / Q3).unlink(), where=r"published\.lock", locked=True)


# ------------------------------------------------------------------ archives


def test_archive_replaced_by_a_symlink_inside_the_project(tmp_path):
    def mutate(root: Path) -> None:
        target = root / "copy.yaml"
        shutil.copy(root / ARCHIVE / "v1.yaml", target)
        (root / ARCHIVE / "v1.yaml").unlink()
        (root / ARCHIVE / "v1.yaml").symlink_to(target)

    refused(tmp_path, mutate, where=r"published/xiaoneng/2017-Q3/v1\.yaml: .*符号链接", locked=True)


def test_archive_replaced_by_a_symlink_outside_the_project(tmp_path):
    def mutate(root: Path) -> None:
        target = tmp_path / "outside.yaml"
        shutil.copy(root / ARCHIVE / "v1.scheme.yaml", target)
        (root / ARCHIVE / "v1.scheme.yaml").unlink()
        (root / ARCHIVE / "v1.scheme.yaml").symlink_to(target)

    refused(tmp_path, mutate, where=r"published/xiaoneng/2017-Q3/v1\.scheme\.yaml", locked=True)


def test_archive_folder_is_a_symlink(tmp_path):
    def mutate(root: Path) -> None:
        moved = tmp_path / "moved-archive"
        shutil.move(str(root / ARCHIVE), moved)
        (root / ARCHIVE).symlink_to(moved, target_is_directory=True)

    refused(tmp_path, mutate, where=r"published/xiaoneng/2017-Q3", locked=True)


def test_whole_published_folder_is_a_symlink(tmp_path):
    def mutate(root: Path) -> None:
        moved = tmp_path / "moved-published"
        shutil.move(str(root / "published"), moved)
        (root / "published").symlink_to(moved, target_is_directory=True)

    refused(tmp_path, mutate, where=r"published: .*符号链接", locked=True)


@pytest.mark.parametrize(
    "name", ["v1.yaml", "v1.scheme.yaml", "v1.body.md", "v1.notice.json"]
)
def test_archive_file_missing(tmp_path, name):
    refused(
        tmp_path,
        lambda r: (r / ARCHIVE / name).unlink(),
        where=r"published/xiaoneng/2017-Q3/" + re.escape(name) + ": ",
        locked=True,
    )


@pytest.mark.parametrize(
    "name", ["v1.yaml", "v1.scheme.yaml", "v1.body.md", "v1.notice.json"]
)
def test_archive_file_edited(tmp_path, name):
    def mutate(root: Path) -> None:
        with (root / ARCHIVE / name).open("a", encoding="utf-8") as f:
            f.write("\n# 改过\n" if not name.endswith(".json") else " ")

    out = refused(
        tmp_path, mutate, where=r"published/xiaoneng/2017-Q3/" + re.escape(name) + ": ",
        locked=True,
    )
    assert "被修改过" in out.build.output


def test_forged_notice_document_with_a_matching_hash_is_refused_by_the_results(tmp_path):
    """Rewrite the archived content and its hash: the period file no longer matches it."""

    def mutate(root: Path) -> None:
        path = root / ARCHIVE / "v1.notice.json"
        doc = json.loads(path.read_text("utf-8"))
        doc["items"]["notice.number"] = "示效办〔2017〕99号"
        data = (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()
        path.write_bytes(data)
        import hashlib

        edit_lock(lambda d: q3_v1(d)["notice_file"].__setitem__(
            "sha256", hashlib.sha256(data).hexdigest()))(root)

    out = refused(tmp_path, mutate, where=r"scores/xiaoneng/2017-Q3\.yaml", locked=True)
    assert "notice.number: 示效办〔2017〕99号 → 示效办〔2017〕9号" in out.build.output


@pytest.mark.parametrize(
    "path",
    [
        "../outside.yaml",
        "published/../scores/xiaoneng/2017-Q3.yaml",
        "scores/xiaoneng/2017-Q3.yaml",
        "/etc/hostname",
        "published/xiaoneng/2017-Q3/./v1.yaml",
        "published\\xiaoneng\\2017-Q3\\v1.yaml",
        "published//xiaoneng/v1.yaml",
        "published/xiaoneng/2017-Q3/v1.yaml\u0000",
    ],
)
def test_archive_path_outside_published(tmp_path, path):
    out = refused(
        tmp_path, edit_lock(lambda d: q3_v1(d)["period_file"].__setitem__("path", path)),
        where=AT_LOCK, locked=True,
    )
    assert "published/ 之内" in out.build.output
    assert "/etc/hostname" not in out.build.output or path == "/etc/hostname"


def test_extra_period_folder_in_the_archive_without_an_entry(tmp_path):
    def mutate(root: Path) -> None:
        folder = root / "published/xiaoneng/2016-Q4"
        folder.mkdir()
        (folder / "v1.yaml").write_text("scheme: xiaoneng\n", "utf-8")

    out = refused(tmp_path, mutate, where=AT_LOCK, locked=True)
    assert "xiaoneng/2016-Q4" in out.build.output


# ------------------------------------------------------------------ malformed JSON

def raw(text_change: Callable[[str], str]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        text = (root / LOCK).read_text("utf-8")
        (root / LOCK).write_text(text_change(text), "utf-8")

    return mutate


def setv1(key: str, value: object) -> Callable[[Path], None]:
    return edit_lock(lambda d: q3_v1(d).__setitem__(key, value))


def set_entry(key: str, value: object) -> Callable[[Path], None]:
    return edit_lock(lambda d: d["periods"]["xiaoneng/2017-Q3"].__setitem__(key, value))


def whole(value: object) -> Callable[[Path], None]:
    return lambda root: write_lock(root, value)


CASES: list[tuple[str, Callable[[Path], None], str]] = [
    # not JSON at all
    ("empty", raw(lambda t: ""), r"published\.lock:1:1"),
    ("truncated", raw(lambda t: t[: len(t) // 2]), AT_LOCK),
    ("trailing_comma", raw(lambda t: t.replace('"version": 3', '"version": 3,', 1)), AT_LOCK),
    ("single_quotes", raw(lambda t: t.replace('"version"', "'version'", 1)), AT_LOCK),
    ("comment", raw(lambda t: "// locked\n" + t), r"published\.lock:1:1"),
    ("merge_conflict", raw(lambda t: t.replace('  "periods"', "<<<<<<< HEAD\n  \"periods\"", 1)), r"published\.lock:2:1"),
    ("not_utf8", lambda r: (r / LOCK).write_bytes((r / LOCK).read_bytes()[:40] + b"\xff\xfe" + (r / LOCK).read_bytes()[40:]), r"published\.lock:\d+:\d+"),
    ("deep_nesting", raw(lambda t: "[" * 100000 + "]" * 100000), r"published\.lock:1:33"),
    ("deep_nesting_inside", setv1("basis", json.loads("[" * 40 + "]" * 40)), AT_LOCK),
    # wrong shapes
    ("top_is_list", whole([]), r"published\.lock:1:1"),
    ("top_is_string", whole("published"), r"published\.lock:1:1"),
    ("top_is_null", whole(None), r"published\.lock:1:1"),
    ("no_periods", whole({"version": 3}), r"published\.lock:1:1"),
    ("periods_null", edit_lock(lambda d: d.__setitem__("periods", None)), AT_LOCK),
    ("periods_list", edit_lock(lambda d: d.__setitem__("periods", [])), AT_LOCK),
    ("entry_string", set_entry("versions", "v1"), AT_LOCK),
    ("entry_is_number", edit_lock(lambda d: d["periods"].__setitem__("xiaoneng/2017-Q3", 1)), AT_LOCK),
    ("versions_empty", set_entry("versions", []), AT_LOCK),
    ("versions_mapping", set_entry("versions", {"1": {}}), AT_LOCK),
    ("version_is_list", edit_lock(lambda d: d["periods"]["xiaoneng/2017-Q3"]["versions"].__setitem__(0, [])), AT_LOCK),
    ("bad_period_key", edit_lock(lambda d: d["periods"].__setitem__("../../etc", d["periods"].pop("xiaoneng/2017-Q3"))), AT_LOCK),
    ("newer_format", edit_lock(lambda d: d.__setitem__("version", 99)), AT_LOCK),
    # numbers
    ("n_negative", setv1("n", -1), AT_LOCK),
    ("n_zero", setv1("n", 0), AT_LOCK),
    ("n_float", setv1("n", 1.5), AT_LOCK),
    ("n_string", setv1("n", "1"), AT_LOCK),
    ("n_bool", setv1("n", True), AT_LOCK),
    ("n_null", setv1("n", None), AT_LOCK),
    ("n_skips", setv1("n", 2), AT_LOCK),
    ("n_huge", raw(lambda t: t.replace('"n": 1,', '"n": ' + "9" * 5000 + ",", 1)), AT_LOCK),
    ("n_exponent", raw(lambda t: t.replace('"n": 1,', '"n": 1e400,', 1)), AT_LOCK),
    ("n_nan", raw(lambda t: t.replace('"n": 1,', '"n": NaN,', 1)), AT_LOCK),
    ("n_infinity", raw(lambda t: t.replace('"n": 1,', '"n": -Infinity,', 1)), AT_LOCK),
    ("corrections_negative", set_entry("corrections", -1), AT_LOCK),
    ("corrections_huge", set_entry("corrections", 10**15), AT_LOCK),
    ("corrections_string", set_entry("corrections", "0"), AT_LOCK),
    ("correction_zero", setv1("correction", 0), AT_LOCK),
    ("basis_list", setv1("basis", [1]), AT_LOCK),
    ("basis_value_string", setv1("basis", {"2017-Q2": "1"}), AT_LOCK),
    ("basis_value_negative", setv1("basis", {"2017-Q2": -3}), AT_LOCK),
    # hashes and files
    ("sha_short", setv1("sha256", "abc"), AT_LOCK),
    ("sha_number", setv1("sha256", 12345), AT_LOCK),
    ("sha_upper", edit_lock(lambda d: q3_v1(d).__setitem__("sha256", q3_v1(d)["sha256"].upper())), AT_LOCK),
    ("file_string", setv1("period_file", "published/xiaoneng/2017-Q3/v1.yaml"), AT_LOCK),
    ("file_no_sha", setv1("scheme_file", {"path": "published/xiaoneng/2017-Q3/v1.scheme.yaml"}), AT_LOCK),
    ("file_path_number", setv1("body_file", {"path": 7, "sha256": "0" * 64}), AT_LOCK),
    ("stage_draft", setv1("stage", "draft"), AT_LOCK),
    ("stage_list", setv1("stage", ["published"]), AT_LOCK),
]


@pytest.mark.parametrize("mutate,where", [(m, w) for _, m, w in CASES], ids=[c[0] for c in CASES])
def test_malformed_lock_is_located(tmp_path, mutate, where):
    out = refused(tmp_path, mutate, where=where, locked=True)
    assert RESTORE in out.build.output, out.build.output


def test_malformed_lock_is_reported_with_the_sources_problems(tmp_path):
    """``check`` lists a broken lock in the same run as a broken source file."""

    def mutate(root: Path) -> None:
        (root / LOCK).write_text("{", "utf-8")
        text = (root / Q3).read_text("utf-8")
        (root / Q3).write_text(text.replace("status: published", "status: publishd"), "utf-8")

    out = refused(tmp_path, mutate, where=r"scores/xiaoneng/2017-Q3\.yaml:\d+:\d+", locked=True)
    assert "published.lock:1:2" in out.check.output


# ------------------------------------------------------------------ what is accepted


def test_a_lock_with_a_bom_is_read(tmp_path):
    root = make(tmp_path, locked=True)
    (root / LOCK).write_bytes(b"\xef\xbb\xbf" + (root / LOCK).read_bytes())
    both = run_both(root)
    assert both.check.exit_code == 0, both.check.output
    assert both.build.exit_code == 0, both.build.output


def test_archives_with_crlf_line_endings_are_the_same_archives(tmp_path):
    root = make(tmp_path, locked=True)
    for path in (root / "published").rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    both = run_both(root)
    assert both.check.exit_code == 0, both.check.output
    assert both.build.exit_code == 0, both.build.output


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.skipif(not HAS_GIT, reason="needs git")
def test_a_crlf_clone_of_a_locked_project_builds_the_same_site(tmp_path):
    """``git -c core.autocrlf=true clone`` (Git for Windows' default) of a locked project."""
    root = make(tmp_path / "src", locked=True)
    shutil.copy(Path(__file__).resolve().parents[2] / ".gitattributes", root / ".gitattributes")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "-C", str(root), "init", "-q"], check=True)
    subprocess.run([*git, "-C", str(root), "add", "-A", "."], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-q", "-m", "locked"], check=True)
    for name, attrs in (("clone", True), ("bare", False)):
        clone = tmp_path / name
        subprocess.run(
            [*git, "-c", "core.autocrlf=true", "clone", "-q", str(root), str(clone)], check=True
        )
        if not attrs:  # a clone of a repository without .gitattributes converts published/ too
            (clone / ".gitattributes").unlink()
            for p in clone.rglob("*"):
                if p.is_file() and ".git" not in p.parts:
                    p.write_bytes(p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        assert b"\r\n" in (clone / Q3).read_bytes()
        assert (b"\r\n" in (clone / ARCHIVE / "v1.yaml").read_bytes()) is not attrs
        both = run_both(clone)
        assert both.check.exit_code == 0, both.check.output
        assert both.build.exit_code == 0, both.build.output
        # and it locks to the same lock: nothing changed
        before = (clone / LOCK).read_bytes()
        assert CliRunner().invoke(main, ["lock", "--root", str(clone)]).exit_code == 0
        assert (clone / LOCK).read_bytes() == before
    lf = tmp_path / "lf-site"
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    assert env is not None
    r = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet", "--out", str(lf)])
    assert r.exit_code == 0, r.output
    a, b = _tree(lf), _tree(tmp_path / "clone" / "_site")
    assert sorted(a) == sorted(b)
    differ = [p for p in a if a[p] != b[p] and p != "manifest.json"]
    assert differ == [], differ


# ------------------------------------------------------------------ site-builder lock itself


def test_lock_never_archives_a_body_outside_the_project(tmp_path):
    root = make(tmp_path / "p")
    outside = tmp_path / "outside.md"
    outside.write_text("项目之外的文字\n", "utf-8")
    body = root / "content/notices/2017-q3.md"
    body.unlink()
    body.symlink_to(outside)
    result = CliRunner().invoke(main, ["lock", "--root", str(root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "content/notices/2017-q3.md" in result.output
    assert "项目之外的文字" not in result.output
    assert not (root / "published").exists() and not (root / LOCK).exists()


@pytest.mark.parametrize("text", ["{", '{"periods": []}', "[" * 5000])
def test_lock_refuses_a_malformed_lock_and_force_rebuilds_it(tmp_path, text):
    root = make(tmp_path / "p", locked=True)
    good = (root / LOCK).read_bytes()
    (root / LOCK).write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["lock", "--root", str(root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(AT_LOCK, result.output), result.output
    assert (root / LOCK).read_text("utf-8") == text
    forced = CliRunner().invoke(main, ["lock", "--root", str(root), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (root / LOCK).read_bytes() == good  # the same history: the same lock


def test_archived_body_that_is_not_utf8_with_a_forged_hash(tmp_path):
    import hashlib

    def mutate(root: Path) -> None:
        body = root / ARCHIVE / "v1.body.md"
        data = body.read_bytes().replace("作风建设".encode(), "作风建设".encode("gb18030"))
        body.write_bytes(data)
        edit_lock(lambda d: q3_v1(d)["body_file"].__setitem__(
            "sha256", hashlib.sha256(data).hexdigest()))(root)

    out = refused(tmp_path, mutate, where=r"published/xiaoneng/2017-Q3/v1\.body\.md:7:\d+: ",
                  locked=True)
    assert "不是 UTF-8 编码" in out.build.output


def test_a_list_holding_a_huge_number_where_n_belongs(tmp_path):
    def mutate(root: Path) -> None:
        text = (root / LOCK).read_text("utf-8")
        (root / LOCK).write_text(text.replace('"n": 1,', '"n": [1e999, 12345678901234567890123],', 1), "utf-8")

    out = refused(tmp_path, mutate, where=AT_LOCK, locked=True)
    assert "1e999" in out.build.output
