"""The notice body is part of what was published: archived, fingerprinted, versioned.

The fixture's 2017-Q3 notice has a Markdown body, ``content/notices/2017-q3.md``;
2017-Q4 has none.  ``site-builder lock`` archives the body of each version as
``published/xiaoneng/2017-Q3/v<n>.body.md``; editing it afterwards needs a
recorded correction, which then makes a new version even though no figure
changed, and version 1 keeps showing the text it was published with.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import copy_fixture, corrected_project, edit_yaml
from htmlcheck import parse

from site_builder.site.build import build_site
from site_builder.site.failures import SiteError
from site_builder.site.records.lock.lockfile import LOCK_NAME
from site_builder.site.records.lock.update import update_lock

Q3 = "scores/xiaoneng/2017-Q3.yaml"
BODY = "content/notices/2017-q3.md"
ARCHIVE = "published/xiaoneng/2017-Q3"
CURRENT = "notices/xiaoneng/2017-Q3/index.html"
V1 = "notices/xiaoneng/2017-Q3/v1/index.html"

OLD_TEXT = "作风建设取得**明显成效**"
NEW_TEXT = "作风建设取得**一定成效**"
TYPO = {"date": "2017-10-18", "number": "示效办〔2017〕11号", "reason": "更正通报正文中的用词。"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_lock(root: Path) -> dict:
    return json.loads((root / LOCK_NAME).read_text("utf-8"))


def text_of(path: Path) -> str:
    return re.sub(r"\s*\n\s*", "", "".join(parse(path).text))


def edit_body(root: Path, old: str = OLD_TEXT, new: str = NEW_TEXT) -> int:
    """Change the body text; the 1-based line of the change."""
    path = root / BODY
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    return next(i for i, line in enumerate(text.splitlines(), 1) if old in line)


def record(root: Path, correction: dict = TYPO) -> None:
    edit_yaml(root / Q3, lambda d: d.setdefault("corrections", []).append(dict(correction)))


# ------------------------------------------------------------------ lock


def test_lock_archives_the_notice_body_of_each_version(project):
    body = (project / BODY).read_bytes()
    update_lock(project)
    assert (project / ARCHIVE / "v1.body.md").read_bytes() == body
    [v1] = read_lock(project)["periods"]["xiaoneng/2017-Q3"]["versions"]
    assert v1["body_file"] == {"path": f"{ARCHIVE}/v1.body.md", "sha256": sha(body)}
    # a notice without a body is locked as such (null), not left "not yet locked"
    [q4] = read_lock(project)["periods"]["xiaoneng/2017-Q4"]["versions"]
    assert q4["body_file"] is None
    assert not list((project / "published/xiaoneng/2017-Q4").glob("*.md"))


# ------------------------------------------------------------------ a silent edit


def test_editing_a_published_body_without_a_correction_fails(project, tmp_path):
    update_lock(project)
    line = edit_body(project)
    with pytest.raises(SiteError) as err:
        build_site(project, tmp_path / "out", quiet=True)
    message = err.value.message
    assert (
        f"{BODY}:{line}:1: 已发布的“xiaoneng/2017-Q3”的通报正文 {BODY} "
        "与 published.lock 记录的第 1 版不一致，但没有登记新的更正"
    ) in message
    assert f"请运行 site-builder correct xiaoneng 2017-Q3 --reason \"更正原因\" 登记更正（它列出改动、记入 {Q3} 并锁定）" in message
    assert f"恢复第 1 版的原文（{ARCHIVE}/v1.body.md）" in message
    assert not (tmp_path / "out").exists()
    with pytest.raises(SiteError, match="通报正文"):  # lock refuses it too
        update_lock(project)
    edit_body(project, NEW_TEXT, OLD_TEXT)  # reverted: builds again
    build_site(project, tmp_path / "reverted", quiet=True)


def test_the_silent_edit_message_in_english(project, tmp_path):
    edit_yaml(project / "site.yaml", lambda d: d.update(locale="en"))
    update_lock(project)
    line = edit_body(project)
    with pytest.raises(SiteError) as err:
        build_site(project, tmp_path / "out", quiet=True)
    message = err.value.message
    assert (
        f"{BODY}:{line}:1: the body text of the published notice “xiaoneng/2017-Q3” ({BODY}) "
        "differs from version 1 in published.lock, but no new correction was recorded"
    ) in message
    assert f"run site-builder correct xiaoneng 2017-Q3 --reason \"…\" to record a correction (it lists the changes, records them in {Q3} and locks)" in message
    assert f"revert the text to version 1 ({ARCHIVE}/v1.body.md)" in message


def test_removing_a_published_body_without_a_correction_fails(project, tmp_path):
    update_lock(project)
    edit_yaml(project / Q3, lambda d: d["notice"].pop("body"))
    with pytest.raises(SiteError) as err:
        build_site(project, tmp_path / "out", quiet=True)
    assert f"{Q3}: 已发布的“xiaoneng/2017-Q3”的通报正文（notice.body 已删除）" in err.value.message


def test_a_correction_that_changed_nothing_cannot_cover_a_later_body_edit(project, tmp_path):
    update_lock(project)
    record(project)
    update_lock(project)  # body and results unchanged: still version 1
    assert len(read_lock(project)["periods"]["xiaoneng/2017-Q3"]["versions"]) == 1
    edit_body(project)
    with pytest.raises(SiteError, match="没有登记新的更正"):
        build_site(project, tmp_path / "out", quiet=True)


# ------------------------------------------------------------------ a correction of the text


def test_a_body_only_correction_is_a_new_version_and_v1_keeps_its_text(project, tmp_path):
    update_lock(project)
    old_body = (project / BODY).read_bytes()
    edit_body(project)
    record(project)

    # builds before lock (the current data is already version 2) …
    build_site(project, tmp_path / "before", quiet=True)
    update_lock(project)
    # … and after: version 2 has the same results, a new body
    entry = read_lock(project)["periods"]["xiaoneng/2017-Q3"]
    v1, v2 = entry["versions"]
    assert (v2["n"], v2["correction"], v2["corrections"]) == (2, 1, 1)
    assert v2["sha256"] == v1["sha256"]
    assert v1["body_file"]["sha256"] == sha(old_body)
    assert v2["body_file"] == {
        "path": f"{ARCHIVE}/v2.body.md",
        "sha256": sha((project / BODY).read_bytes()),
    }
    assert (project / ARCHIVE / "v1.body.md").read_bytes() == old_body
    assert (project / ARCHIVE / "v2.body.md").read_bytes() == (project / BODY).read_bytes()
    update_lock(project)  # idempotent
    assert len(read_lock(project)["periods"]["xiaoneng/2017-Q3"]["versions"]) == 2

    for out in (tmp_path / "before", tmp_path / "after"):
        if not out.exists():
            build_site(project, out, quiet=True)
        current, v1_page = (out / CURRENT).read_text("utf-8"), (out / V1).read_text("utf-8")
        assert "<strong>一定成效</strong>" in current and "<strong>明显成效</strong>" not in current
        assert "<strong>明显成效</strong>" in v1_page and "<strong>一定成效</strong>" not in v1_page
        # the correction lists the changed line of the text, old → new, on both pages
        line = "各单位高度重视，作风建设取得**{}**。详见[考核办法](https://example.gov.cn/)。"
        item = (
            f"正文：<del>{line.format('明显成效')}</del> → <ins>{line.format('一定成效')}</ins>"
        )
        assert item in current and item in v1_page
        assert "第 1 版与第 2 版相比，通报内容的其他变化：" in text_of(out / V1)
        assert "此为第 1 版，已于 2017年10月18日 更正，请以现行版本为准。" in text_of(out / V1)
        # nothing but the text changed: the banner says so instead of an empty change list
        assert "第 1 版与第 2 版的得分、名次和评优结果相同（更正的是通报文字）。" in text_of(out / V1)
        assert '<a href="v1/index.html">更正前的通报（第 1 版）</a>' in current
    manifest = json.loads((tmp_path / "after/manifest.json").read_text("utf-8"))
    assert manifest["sources"][f"{ARCHIVE}/v1.body.md"] == sha(old_body)


def test_an_earlier_version_does_not_need_its_body_in_content(project, tmp_path):
    """The correction moved the text to a new file and deleted the old one."""
    update_lock(project)
    old_body = (project / BODY).read_text("utf-8")
    (project / "content/notices/2017-q3-corrected.md").write_text(
        old_body.replace(OLD_TEXT, NEW_TEXT), "utf-8"
    )
    (project / BODY).unlink()
    edit_yaml(project / Q3, lambda d: d["notice"].update(body="notices/2017-q3-corrected.md"))
    record(project)
    update_lock(project)
    build_site(project, tmp_path / "out", quiet=True)
    assert "<strong>明显成效</strong>" in (tmp_path / "out" / V1).read_text("utf-8")
    assert "<strong>一定成效</strong>" in (tmp_path / "out" / CURRENT).read_text("utf-8")


def test_a_body_correction_after_a_results_correction_is_version_3(tmp_path):
    root = corrected_project(tmp_path / "p")  # v2: the results correction
    edit_body(root)
    record(root)
    update_lock(root)
    versions = read_lock(root)["periods"]["xiaoneng/2017-Q3"]["versions"]
    assert [v["n"] for v in versions] == [1, 2, 3]
    assert versions[2]["sha256"] == versions[1]["sha256"] != versions[0]["sha256"]
    build_site(root, tmp_path / "out", quiet=True)
    out = tmp_path / "out/notices/xiaoneng/2017-Q3"
    assert "明显成效" in (out / "v1/index.html").read_text("utf-8")
    assert "明显成效" in (out / "v2/index.html").read_text("utf-8")
    assert "一定成效" in (out / "index.html").read_text("utf-8")


# ------------------------------------------------------------------ the archived body is checked


def test_a_tampered_archived_body_fails_the_build(tmp_path):
    root = corrected_project(tmp_path / "p")
    archived = root / ARCHIVE / "v1.body.md"
    archived.write_text(archived.read_text("utf-8").replace("明显成效", "显著成效"), "utf-8")
    with pytest.raises(SiteError) as err:
        build_site(root, tmp_path / "out", quiet=True)
    message = err.value.message
    assert f"{ARCHIVE}/v1.body.md: 已发布版本的存档 {ARCHIVE}/v1.body.md 被修改过" in message
    assert f"git checkout -- {ARCHIVE}/v1.body.md" in message
    assert not (tmp_path / "out").exists()


def test_a_missing_archived_body_fails_the_build(tmp_path):
    root = corrected_project(tmp_path / "p")
    (root / ARCHIVE / "v1.body.md").unlink()
    with pytest.raises(SiteError, match=f"{ARCHIVE}/v1.body.md 不存在"):
        build_site(root, tmp_path / "out", quiet=True)


# ------------------------------------------------------------------ locks without bodies


def test_a_lock_without_body_hashes_is_upgraded_without_a_new_version(tmp_path):
    """Locked before bodies (and notice content) were archived: the next lock archives the last version's."""
    root = corrected_project(tmp_path / "p")
    lock = read_lock(root)
    for entry in lock["periods"].values():
        for v in entry["versions"]:
            v.pop("body_file")
            v.pop("notice_file")
    (root / LOCK_NAME).write_text(json.dumps(lock, ensure_ascii=False), "utf-8")
    for f in [*(root / "published").rglob("*.body.md"), *(root / "published").rglob("*.notice.json")]:
        f.unlink()
    edit_body(root)  # not locked yet, so not detected: accepted as the last version's body
    build_site(root, tmp_path / "out", quiet=True)
    # version 1 has no archived body: it shows the one in content/, as before
    assert "一定成效" in (tmp_path / "out" / V1).read_text("utf-8")

    update_lock(root)
    v1, v2 = read_lock(root)["periods"]["xiaoneng/2017-Q3"]["versions"]
    assert "body_file" not in v1  # earlier versions are never rewritten
    assert v2["body_file"] == {
        "path": f"{ARCHIVE}/v2.body.md",
        "sha256": sha((root / BODY).read_bytes()),
    }
    assert not (root / ARCHIVE / "v1.body.md").exists()
    [q4] = read_lock(root)["periods"]["xiaoneng/2017-Q4"]["versions"]
    assert q4["body_file"] is None
    edit_body(root, NEW_TEXT, OLD_TEXT)  # from now on the body is locked
    with pytest.raises(SiteError, match="通报正文"):
        build_site(root, tmp_path / "refused", quiet=True)


def test_the_fixture_lock_round_trip_keeps_the_bytes(tmp_path):
    root = copy_fixture(tmp_path / "p")
    update_lock(root)
    text = (root / LOCK_NAME).read_text("utf-8")
    assert '"body_file"' in text
    update_lock(root)
    assert (root / LOCK_NAME).read_text("utf-8") == text
