"""Corrections and earlier versions: ``site-builder lock`` archives, the build rebuilds.

The scenario throughout: the fixture's 2017-Q3 notice is published and locked
(version 1, 县财政局 重点工作推进 56.5, total 91.50, second in 综合管理部门组);
then the 56.5 turns out to be a typing error for 50, a correction is recorded,
and the notice becomes version 2 (total 85.00, third, 重点整改单位), which moves
县市场监管局 from third to second and out of 重点整改单位.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_fixture, correct_q3, corrected_project, edit_yaml, tree_bytes
from htmlcheck import parse

from site_builder.cli import main as cli
from site_builder.site.build import build_site
from site_builder.site.failures import SiteError
from site_builder.site.records.lock.lockfile import LOCK_NAME
from site_builder.site.records.lock.update import update_lock

Q3 = "scores/xiaoneng/2017-Q3.yaml"
SCHEME = "schemes/xiaoneng/v2017.yaml"
ARCHIVE = "published/xiaoneng/2017-Q3"
V1 = "notices/xiaoneng/2017-Q3/v1/index.html"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def masked(data: bytes) -> bytes:
    """A period file as archived: the people recorded in the fixture's 2017-Q3 masked."""
    return data.replace("张三".encode(), "张*".encode()).replace("李四".encode(), "李*".encode())


def read_lock(root: Path) -> dict:
    return json.loads((root / LOCK_NAME).read_text("utf-8"))


def text_of(path: Path) -> str:
    """The page's text with the line breaks between elements taken out."""
    return re.sub(r"\s*\n\s*", "", "".join(parse(path).text))


# ------------------------------------------------------------------ lock


def test_lock_archives_version_1_then_version_2_with_the_correction(project):
    published = masked((project / Q3).read_bytes())
    assert published != (project / Q3).read_bytes()
    result = CliRunner().invoke(cli, ["lock", "--root", str(project)])
    assert result.exit_code == 0, result.output

    assert (project / ARCHIVE / "v1.yaml").read_bytes() == published
    assert (project / ARCHIVE / "v1.scheme.yaml").read_bytes() == (project / SCHEME).read_bytes()
    entry = read_lock(project)["periods"]["xiaoneng/2017-Q3"]
    assert entry["corrections"] == 0
    [v1] = entry["versions"]
    assert (v1["n"], v1["corrections"], v1["correction"], v1["basis"]) == (1, 0, None, {})
    assert v1["period_file"] == {"path": f"{ARCHIVE}/v1.yaml", "sha256": sha(published)}
    # 2017-Q4 was computed after 2017-Q3 of the same scheme: its basis names Q3's version
    q4 = read_lock(project)["periods"]["xiaoneng/2017-Q4"]["versions"][0]
    assert q4["basis"] == {"2017-Q3": 1}

    correct_q3(project)
    corrected = masked((project / Q3).read_bytes())
    update_lock(project)
    entry = read_lock(project)["periods"]["xiaoneng/2017-Q3"]
    assert entry["corrections"] == 1
    v1_again, v2 = entry["versions"]
    assert v1_again == v1  # earlier versions are never rewritten
    assert (v2["n"], v2["corrections"], v2["correction"]) == (2, 1, 1)
    assert v2["sha256"] != v1["sha256"]
    assert v2["period_file"] == {"path": f"{ARCHIVE}/v2.yaml", "sha256": sha(corrected)}
    assert (project / ARCHIVE / "v1.yaml").read_bytes() == published
    assert (project / ARCHIVE / "v2.yaml").read_bytes() == corrected
    # nothing changed for 2017-Q4 (no running totals in this scheme): still one version
    assert len(read_lock(project)["periods"]["xiaoneng/2017-Q4"]["versions"]) == 1


def test_lock_file_is_deterministic_and_lock_is_idempotent(tmp_path):
    root = corrected_project(tmp_path / "p")
    text = (root / LOCK_NAME).read_text("utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    assert "T00:" not in text and "time" not in text  # no timestamps
    before = tree_bytes(root / "published")
    update_lock(root)
    assert (root / LOCK_NAME).read_text("utf-8") == text
    assert tree_bytes(root / "published") == before
    other = corrected_project(tmp_path / "q")  # the same history elsewhere: the same bytes
    assert (other / LOCK_NAME).read_text("utf-8") == text


def test_lock_refuses_a_silent_change_and_a_tampered_archive(project):
    update_lock(project)
    correct_q3(project, correction=None)
    with pytest.raises(SiteError, match="没有登记新的更正"):
        update_lock(project)
    correct_q3(project, tuijin="56.5", correction=None)  # back as published
    (project / ARCHIVE / "v1.yaml").write_text("tampered\n", "utf-8")
    with pytest.raises(SiteError, match="v1.yaml 被修改过"):
        update_lock(project)


def test_a_correction_that_changed_nothing_cannot_cover_a_later_silent_change(project, tmp_path):
    update_lock(project)
    edit_yaml(
        project / Q3,
        lambda d: d.setdefault("corrections", []).append(
            {"date": "2017-10-18", "reason": "更正通报正文中的错别字。"}
        ),
    )
    update_lock(project)  # results unchanged: still version 1, the correction is accounted for
    entry = read_lock(project)["periods"]["xiaoneng/2017-Q3"]
    assert (entry["corrections"], len(entry["versions"])) == (1, 1)
    correct_q3(project, correction=None)
    with pytest.raises(SiteError, match="没有登记新的更正"):
        build_site(project, tmp_path / "out", quiet=True)


def test_a_recorded_correction_cannot_be_deleted(tmp_path):
    root = corrected_project(tmp_path / "p")
    edit_yaml(root / Q3, lambda d: d.pop("corrections"))
    with pytest.raises(SiteError, match="更正记录由 1 条减少为 0 条"):
        build_site(root, tmp_path / "out", quiet=True)


def test_a_lock_without_archive_is_upgraded(project, tmp_path):
    """A lock written before archives existed: one version per period, archived on the next lock."""
    from site_builder import pipeline
    from site_builder.site.records.lock.fingerprints import locked_periods, results_hash

    loaded, results = pipeline.check(project, include_drafts=False)
    old = {
        f"{p.scheme}/{p.id}": {
            "sha256": results_hash(results[(p.scheme, p.id)]),
            "corrections": len(p.scores.corrections),
        }
        for p in locked_periods(loaded, results)
        if p.status == "published"  # locks of that time never held a 公示
    }
    (project / LOCK_NAME).write_text(json.dumps({"version": 1, "periods": old}), "utf-8")
    build_site(project, tmp_path / "out", quiet=True)
    update_lock(project)
    [v1] = read_lock(project)["periods"]["xiaoneng/2017-Q3"]["versions"]
    assert v1["period_file"]["path"] == f"{ARCHIVE}/v1.yaml"
    assert (project / ARCHIVE / "v1.yaml").read_bytes() == masked((project / Q3).read_bytes())


# ------------------------------------------------------------------ build


def test_earlier_version_has_the_banner_and_what_changed(corrected_site):
    html = (corrected_site / V1).read_text("utf-8")
    text = text_of(corrected_site / V1)
    assert "此为第 1 版，已于 2017年10月20日 更正，请以现行版本为准。" in text
    assert '<a href="../index.html">查看现行版本</a>' in html
    assert (
        "更正原因：县财政局“重点工作推进”得分录入错误，经复核更正。（示效办〔2017〕10号）" in text
    )
    assert "第 1 版与第 2 版相比的变化：" in text
    # unit, line, old → new points, total, rank, honour — then the unit that moved because of it
    assert (
        "县财政局：重点工作推进 56.5 → 50；总分 91.50 → 85.00；季度排名 第 2 名 → 第 3 名；"
        "新列入“重点整改单位”"
    ) in text
    assert "县市场监管局：季度排名 第 3 名 → 第 2 名；不再列入“重点整改单位”" in text
    assert "<del>56.5</del> → <ins>50</ins>" in html
    assert '<meta name="robots" content="noindex">' in html
    # the page itself shows version 1 as published: 县财政局 second with 91.50
    rows = {row[1]: row for row in parse(corrected_site / V1).tables[0][1:]}
    assert rows["县财政局"][0] == "2" and rows["县财政局"][2] == "91.50"
    assert "<h1>关于2017年第三季度机关效能考核结果的通报</h1>" in html
    assert "<title>关于2017年第三季度机关效能考核结果的通报（第 1 版） - " in html


def test_current_notice_shows_the_correction_history(corrected_site):
    page = corrected_site / "notices/xiaoneng/2017-Q3/index.html"
    html, text = page.read_text("utf-8"), text_of(page)
    assert "此为第" not in text
    assert "2017年10月20日更正（示效办〔2017〕10号）：县财政局“重点工作推进”得分录入错误" in text
    assert "县财政局：重点工作推进 56.5 → 50；总分 91.50 → 85.00" in text
    assert '<a href="v1/index.html">更正前的通报（第 1 版）</a>' in html
    assert '<a href="v1/index.html">第 1 版，2017年10月16日</a>' in html
    assert "第 2 版，2017年10月20日（现行）" in text
    assert '<meta name="robots"' not in html
    rows = {row[1]: row for row in parse(page).tables[0][1:]}
    assert rows["县财政局"][0] == "3" and rows["县财政局"][2] == "85.00"
    correction = text_of(corrected_site / "notices/xiaoneng/2017-Q3/corrections/1/index.html")
    assert "县市场监管局：季度排名 第 3 名 → 第 2 名" in correction
    assert "更正前的通报（第 1 版）" in correction


def test_score_cards_of_both_versions(corrected_site):
    current = corrected_site / "units/czj/xiaoneng/2017-Q3/index.html"
    assert "本单位的结果已于 2017年10月20日 更正：重点工作推进 56.5 → 50" in text_of(current)
    assert '<a href="v1/index.html">更正前的得分（第 1 版）</a>' in current.read_text("utf-8")
    earlier = corrected_site / "units/czj/xiaoneng/2017-Q3/v1/index.html"
    text = text_of(earlier)
    assert "此为第 1 版，已于 2017年10月20日 更正，请以现行版本为准。" in text
    assert "重点工作推进 56.5 → 50；总分 91.50 → 85.00；季度排名 第 2 名 → 第 3 名" in text
    assert "91.50 分（满分 100 分）" in text and "第 2 名（共 3 个单位）" in text
    links = parse(earlier).links
    assert "../index.html" in links  # the current card
    assert "../../../../../notices/xiaoneng/2017-Q3/v1/index.html" in links  # its notice version
    untouched = text_of(corrected_site / "units/fgw/xiaoneng/2017-Q3/v1/index.html")
    assert "本次更正未改变本单位的得分、名次和评优结果。" in untouched


def test_downloads_of_the_earlier_version(corrected_site):
    folder = corrected_site / "notices/xiaoneng/2017-Q3/v1"
    csv = (folder / "xiaoneng-2017-Q3-v1.csv").read_text("utf-8-sig")
    assert ",czj,县财政局," in csv and ",91.50," in csv
    meta = json.loads((folder / "xiaoneng-2017-Q3-v1.json").read_text("utf-8"))
    assert meta["published_version"] == 1 and meta["current"] is False
    assert (folder / "xiaoneng-2017-Q3-v1.xlsx").read_bytes()[:2] == b"PK"
    assert 'href="xiaoneng-2017-Q3-v1.csv"' in (folder / "index.html").read_text("utf-8")


def test_correction_is_in_the_feed_and_earlier_versions_not_in_the_sitemap(tmp_path):
    root = corrected_project(tmp_path / "p")
    edit_yaml(root / "site.yaml", lambda d: d.update(base_url="https://kaohe.example.gov.cn/"))
    build_site(root, tmp_path / "out", quiet=True)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(tmp_path / "out/feed.xml").getroot()
    links = [e.find("a:link", ns).get("href") for e in feed.findall("a:entry", ns)]
    assert "https://kaohe.example.gov.cn/notices/xiaoneng/2017-Q3/corrections/1/" in links
    locs = [u[0].text for u in ET.parse(tmp_path / "out/sitemap.xml").getroot()]
    assert "https://kaohe.example.gov.cn/notices/xiaoneng/2017-Q3/" in locs
    assert not [loc for loc in locs if "/v1/" in loc]
    manifest = json.loads((tmp_path / "out/manifest.json").read_text("utf-8"))
    assert manifest["sources"][f"{ARCHIVE}/v1.yaml"] == sha(
        (root / ARCHIVE / "v1.yaml").read_bytes()
    )


def test_corrected_but_not_yet_locked_builds_the_same_pages(tmp_path):
    """The current data is the newest version even before ``lock`` archives it."""
    root = copy_fixture(tmp_path / "p")
    update_lock(root)
    correct_q3(root)
    build_site(root, tmp_path / "before", quiet=True)
    update_lock(root)
    build_site(root, tmp_path / "after", quiet=True)
    before, after = tree_bytes(tmp_path / "before"), tree_bytes(tmp_path / "after")
    assert V1 in before
    assert sorted(before) == sorted(after)
    assert [p for p in before if before[p] != after[p]] == ["manifest.json"]  # lists v2's archive


def test_two_builds_of_a_corrected_site_are_byte_identical(tmp_path):
    """Also in another process under another hash seed (sets and dicts in the change lists)."""
    root = corrected_project(tmp_path / "p")
    build_site(root, tmp_path / "a", as_of=dt.date(2018, 4, 12), quiet=True)
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    env.pop("SOURCE_DATE_EPOCH", None)
    code = (
        "import sys, datetime; from pathlib import Path; from site_builder.site.build import build_site;"
        "build_site(Path(sys.argv[1]), Path(sys.argv[2]), as_of=datetime.date(2018, 4, 12), quiet=True)"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(root), str(tmp_path / "b")], check=True, env=env
    )
    a, b = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert V1 in a
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []


# ------------------------------------------------------------------ the archive is checked


def test_a_tampered_archive_fails_the_build(tmp_path):
    root = corrected_project(tmp_path / "p")
    v1 = root / ARCHIVE / "v1.yaml"
    v1.write_text(v1.read_text("utf-8").replace('tuijin: "56.5"', 'tuijin: "58"'), "utf-8")
    with pytest.raises(SiteError) as err:
        build_site(root, tmp_path / "out", quiet=True)
    message = err.value.message
    assert f"{ARCHIVE}/v1.yaml: 已发布版本的存档 {ARCHIVE}/v1.yaml 被修改过" in message
    assert f"git checkout -- {ARCHIVE}/v1.yaml" in message
    assert not (tmp_path / "out").exists()


def test_a_missing_archive_fails_the_build(tmp_path):
    root = corrected_project(tmp_path / "p")
    (root / ARCHIVE / "v1.scheme.yaml").unlink()
    with pytest.raises(SiteError, match=f"{ARCHIVE}/v1.scheme.yaml 不存在"):
        build_site(root, tmp_path / "out", quiet=True)


def _rewrite_archive(root: Path, name: str, text: str) -> None:
    """Replace an archived file and make the lock agree (as a determined forger would)."""
    path = root / ARCHIVE / name
    path.write_text(text, "utf-8")
    lock = read_lock(root)
    for v in lock["periods"]["xiaoneng/2017-Q3"]["versions"]:
        for f in (v["period_file"], v["scheme_file"]):
            if f["path"] == f"{ARCHIVE}/{name}":
                f["sha256"] = sha(path.read_bytes())
    (root / LOCK_NAME).write_text(json.dumps(lock, ensure_ascii=False), "utf-8")


def test_an_archive_that_does_not_load_is_reported_at_its_line(tmp_path):
    root = corrected_project(tmp_path / "p")
    original = (root / ARCHIVE / "v1.yaml").read_text("utf-8")
    _rewrite_archive(root, "v1.yaml", original.replace("status: published", "status: publishd"))
    with pytest.raises(SiteError) as err:
        build_site(root, tmp_path / "out", quiet=True)
    line = original.splitlines().index("status: published") + 1
    assert f"{ARCHIVE}/v1.yaml:{line}:" in err.value.message


def test_an_archive_that_does_not_reproduce_its_results_fails_the_build(tmp_path):
    root = corrected_project(tmp_path / "p")
    original = (root / ARCHIVE / "v1.yaml").read_text("utf-8")
    _rewrite_archive(root, "v1.yaml", original.replace('tuijin: "56.5"', 'tuijin: "58"'))
    with pytest.raises(SiteError, match="第 1 版结果与 published.lock 记录的不一致"):
        build_site(root, tmp_path / "out", quiet=True)


# ------------------------------------------------------------------ running totals


def test_earlier_versions_use_the_earlier_periods_as_they_were(tmp_path):
    """A cumulative ranking: Q4 version 1 was computed with Q3 version 1, and is rebuilt so."""
    root = copy_fixture(tmp_path / "p")
    edit_yaml(
        root / SCHEME,
        lambda d: d["rankings"].append({"id": "leiji", "name": "累计排名", "basis": "cumulative"}),
    )
    update_lock(root)
    correct_q3(root)
    with pytest.raises(SiteError, match="xiaoneng/2017-Q4"):  # Q4's running totals moved too
        build_site(root, tmp_path / "refused", quiet=True)
    edit_yaml(
        root / "scores/xiaoneng/2017-Q4.yaml",
        lambda d: d["corrections"].append(
            {"date": "2018-01-25", "reason": "因2017年第三季度更正，累计得分相应更正。"}
        ),
    )
    update_lock(root)
    assert read_lock(root)["periods"]["xiaoneng/2017-Q4"]["versions"][1]["basis"] == {"2017-Q3": 2}
    build_site(root, tmp_path / "out", quiet=True)
    v1 = text_of(tmp_path / "out/notices/xiaoneng/2017-Q4/v1/index.html")
    assert "此为第 1 版，已于 2018年1月25日 更正" in v1  # after Q4's first publication
    assert "县财政局：累计排名" in v1
