"""Hostile output settings: where the site goes, the base URL, the build date.

Each case is refused by ``build`` with exit 1, no traceback, a message naming
the place (the output path, ``site.yaml:line:col``, the variable or option),
and not a byte of the project (the previous ``_site`` included) changed.
Problems only a build can meet use ``check=False``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from site_builder.cli import main
from tests.hostile.harness import assert_refused, make, refused, snapshot


def _touch(rel: str, data: bytes = b"x"):
    def mutate(root: Path) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)

    return mutate


def _nothing(root: Path) -> None:
    pass


def _link(rel: str, target: str):
    def mutate(root: Path) -> None:
        os.symlink(target, root / rel)

    return mutate


def _loop(root: Path) -> None:
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")


# (id, mutation, --out, where the message points)
OUT_CASES = [
    ("out-is-a-file", _touch("notes.txt"), "notes.txt", r"notes\.txt: "),
    ("out-below-a-file", _nothing, "site.yaml/_site", r"site\.yaml/_site: "),
    ("out-is-the-project", _nothing, ".", r"project/?\.?: "),
    ("out-is-the-parent", _nothing, "..", r"project/\.\.: "),
    ("out-in-content", _nothing, "content/_site", r"content/_site: "),
    ("out-is-content", _nothing, "content", r"project/content: "),
    ("out-in-scores", _nothing, "scores/xiaoneng/site", r"scores/xiaoneng/site: "),
    ("out-in-schemes", _nothing, "schemes/_site", r"schemes/_site: "),
    ("out-in-units", _nothing, "units/_site", r"units/_site: "),
    ("out-in-published", _nothing, "published/_site", r"published/_site: "),
    ("out-in-theme", _nothing, "theme/_site", r"theme/_site: "),
    ("out-in-git", _nothing, ".git/_site", r"\.git/_site: "),
    ("out-foreign-folder", _touch("precious/thesis.docx"), "precious", r"precious: .*manifest\.json"),
    ("out-dangling-link", _link("web", "no/such/folder"), "web", r"web: "),
    ("out-link-loop", _loop, "loop-a", r"loop-a: "),
    ("out-link-to-content", _link("web", "content"), "web", r"project/web: "),
    ("out-link-to-project", _link("web", "."), "web", r"project/web: "),
    ("out-link-to-foreign", _touch("foreign/a.txt"), "foreign", r"foreign: .*manifest\.json"),
    ("out-link-to-a-file", _link("web", "site.yaml"), "web", r"project/web: .*site\.yaml"),
    ("out-is-the-lock", _touch("published.lock", b"{}"), "published.lock", r"published\.lock: "),
    ("out-is-units-yaml", _nothing, "units.yaml", r"units\.yaml: "),
    ("out-below-a-body", _nothing, "content/notices/2017-q3.md/x", r"2017-q3\.md/x: "),
    ("out-link-in-scores", _link("web", "scores/xiaoneng"), "web", r"project/web: .*scores/"),
]


@pytest.mark.parametrize(
    "mutate,out,where", [c[1:] for c in OUT_CASES], ids=[c[0] for c in OUT_CASES]
)
def test_output_folder_refused(tmp_path, mutate, out, where):
    outcome = refused(tmp_path, mutate, where, check=False, extra=("--out", out))
    assert "未写出任何文件" in outcome.build.output


def _base_url(value: str):
    def mutate(root: Path) -> None:
        path = root / "site.yaml"
        text = path.read_text("utf-8")
        path.write_text(text + f"base_url: {yaml.safe_dump(value).splitlines()[0]}\n", "utf-8")

    return mutate


BAD_BASE_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)//https://x/",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.gov.cn/",
    "//example.gov.cn/kaohe/",
    "https://",
    "https:///kaohe/",
    'https://example.gov.cn/"><script>alert(1)</script>',
    "https://example.gov.cn/a b/",
    "https://example.gov.cn/\u202egpj.exe",
    "kaohe.example.gov.cn",
]


@pytest.mark.parametrize("url", BAD_BASE_URLS)
def test_base_url_that_is_not_http_is_refused(tmp_path, url):
    # the check-time validation of site.yaml may refuse it first; either way the
    # message points into site.yaml and the feed and sitemap are never written
    lines = len((Path(__file__).parents[1] / "site/fixtures/basic/site.yaml").read_text("utf-8").splitlines())
    refused(tmp_path, _base_url(url), rf"site\.yaml:{lines + 1}:\d+", check=False)


# ------------------------------------------------------------ SOURCE_DATE_EPOCH

BAD_EPOCHS = [
    ("-1", "不能是负数"),
    ("-1509467400", "不能是负数"),
    ("abc", "不是整数秒数"),
    ("1509467400.5", "不是整数秒数"),
    ("1.5e9", "不是整数秒数"),
    ("0x5a000000", "不是整数秒数"),
    ("+1509467400", "不是整数秒数"),
    ("1509 467400", "不是整数秒数"),
    ("１５０９４６７４００", "不是整数秒数"),  # full-width digits
    ("2017-11-01", "不是整数秒数"),
    ("253402272000", "超出可用范围"),  # 10000-01-01 in Shanghai
    ("99999999999999999999999999", "超出可用范围"),
    ("9" * 5000, "超出可用范围"),  # longer than int() accepts
    ("nan", "不是整数秒数"),
]


@pytest.mark.parametrize("value,why", BAD_EPOCHS, ids=[v[:20] for v, _ in BAD_EPOCHS])
def test_bad_source_date_epoch_is_refused(tmp_path, value, why):
    root = make(tmp_path)
    before = snapshot(root)
    r = CliRunner().invoke(
        main, ["build", "--root", str(root), "--quiet"], env={"SOURCE_DATE_EPOCH": value}
    )
    assert_refused(r, r"SOURCE_DATE_EPOCH", "build")
    assert why in r.output
    assert len(r.output) < 1000, "the value is quoted shortened"
    # check refuses what build refuses
    c = CliRunner().invoke(main, ["check", "--root", str(root)], env={"SOURCE_DATE_EPOCH": value})
    assert_refused(c, r"SOURCE_DATE_EPOCH", "check")
    assert why in c.output
    assert snapshot(root) == before


def test_bad_source_date_epoch_in_english(tmp_path):
    root = make(tmp_path)
    (root / "site.yaml").write_text(
        (root / "site.yaml").read_text("utf-8") + "locale: en\n", "utf-8"
    )
    r = CliRunner().invoke(
        main, ["build", "--root", str(root), "--quiet"], env={"SOURCE_DATE_EPOCH": "-7"}
    )
    assert_refused(r, r"SOURCE_DATE_EPOCH", "build")
    assert "it is negative" in r.output and "nothing was written" in r.output


@pytest.mark.parametrize("value", ["2018-13-01", "yesterday", "2018/01/15", "15.01.2018", "2018-01-15Tnoon"])
def test_bad_as_of_is_refused(tmp_path, value):
    outcome = refused(tmp_path, _nothing, r"--as-of: ", check=False, extra=("--as-of", value))
    assert value in outcome.build.output


def _english(then=_nothing):
    def mutate(root: Path) -> None:
        path = root / "site.yaml"
        path.write_text(path.read_text("utf-8") + "locale: en\n", "utf-8")
        then(root)

    return mutate


EN_CASES = [
    ("out-is-a-file", _english(_touch("notes.txt")), ("--out", "notes.txt"), r"notes\.txt: the output directory .* is not a folder"),
    ("out-in-content", _english(), ("--out", "content/_site"), r"content/_site: the output directory .* is inside the source folder content/"),
    ("out-dangling-link", _english(_link("web", "nowhere")), ("--out", "web"), r"web: the output directory .* symbolic link to nowhere"),
    ("out-foreign", _english(_touch("precious/a.txt")), ("--out", "precious"), r"precious: .*not built by site-builder"),
    ("bad-as-of", _english(), ("--as-of", "2018-02-30"), r"--as-of: “2018-02-30” is not a date in the form YYYY-MM-DD"),
]


@pytest.mark.parametrize("mutate,extra,where", [c[1:] for c in EN_CASES], ids=[c[0] for c in EN_CASES])
def test_output_refusals_in_english(tmp_path, mutate, extra, where):
    outcome = refused(tmp_path, mutate, where, check=False, extra=extra)
    assert "nothing was written" in outcome.build.output
