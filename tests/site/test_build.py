"""End-to-end checks of a built site: integrity, safety, links, downloads."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE, edit_yaml, tree_bytes
from htmlcheck import html_pages, parse

from site_builder.site.build import build_site
from site_builder.site.failures import SiteError

REPO = Path(__file__).resolve().parents[2]
NOTICE = "notices/xiaoneng/2017-Q4/index.html"
SAMPLE_BANNER = "示例数据，非真实考核结果"


# ------------------------------------------------------------- reproducible


def test_two_builds_are_byte_identical(project, tmp_path):
    """Same sources → same bytes, also under another hash seed in another process."""
    build_site(project, tmp_path / "a", as_of=dt.date(2018, 4, 12), quiet=True)
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    env.pop("SOURCE_DATE_EPOCH", None)
    code = (
        "import sys, datetime; from pathlib import Path; from site_builder.site.build import build_site;"
        "build_site(Path(sys.argv[1]), Path(sys.argv[2]), as_of=datetime.date(2018, 4, 12), quiet=True)"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(project), str(tmp_path / "b")],
        check=True,
        env=env,
        cwd=REPO,
    )
    a, b = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert sorted(a) == sorted(b)
    different = [p for p in a if a[p] != b[p]]
    assert different == []


def test_as_of_comes_from_source_date_epoch(project, tmp_path, monkeypatch):
    monkeypatch.setenv(
        "SOURCE_DATE_EPOCH", str(int(dt.datetime(2018, 5, 1, tzinfo=dt.UTC).timestamp()))
    )
    report = build_site(project, tmp_path / "out", quiet=True)
    assert report.as_of == dt.date(2018, 5, 1)


def test_default_as_of_is_latest_notice_date(built_site):
    html = (built_site / "notices/xiaoneng/2018-Q1/index.html").read_text("utf-8")
    assert "公示期" in html and "0551-12345678" in html  # window still open on 2018-04-12


def test_public_notice_becomes_notice_after_window(project, tmp_path):
    build_site(project, tmp_path / "out", as_of=dt.date(2018, 4, 19), quiet=True)
    html = (tmp_path / "out/notices/xiaoneng/2018-Q1/index.html").read_text("utf-8")
    assert "公示期已于 2018年4月18日 结束" in html
    assert '<p class="doc-kind status-final">通报（公示期满）</p>' in html
    assert "异议受理" not in html


# ------------------------------------------------------------- atomic write


def test_failed_build_leaves_previous_site_untouched(project, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build_site(project, out, quiet=True)
    before = tree_bytes(out)
    (project / "site.yaml").write_text(
        (project / "site.yaml")
        .read_text("utf-8")
        .replace("示范县机关效能考核结果公示", "改过的标题"),
        "utf-8",
    )
    from site_builder.site.output import stage as write  # where files are opened

    calls = {"n": 0}
    real_open = open

    def failing_open(path, mode="r", *args, **kwargs):
        if "w" in mode:
            calls["n"] += 1
            if calls["n"] == 10:
                raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(write, "open", failing_open, raising=False)
    with pytest.raises(SiteError, match="No space left on device"):
        build_site(project, out, quiet=True)
    assert calls["n"] == 10
    assert tree_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")], (
        "staging directory left behind"
    )


def test_stale_staging_of_a_killed_build_is_removed(project, tmp_path):
    out = tmp_path / "site"
    build_site(project, out, quiet=True)
    before = tree_bytes(out)
    stale = tmp_path / ".site-999999999-abc"
    (stale / "index.html").parent.mkdir(parents=True)
    (stale / "index.html").write_text("half written", "utf-8")
    build_site(project, out, quiet=True)
    assert not stale.exists()
    assert tree_bytes(out) == before


def test_refuses_to_replace_a_foreign_directory(project, tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"x")
    with pytest.raises(SiteError, match="manifest.json"):
        build_site(project, out, quiet=True)
    assert (out / "thesis.docx").exists()


def test_refuses_the_project_itself_as_output(project):
    with pytest.raises(SiteError):
        build_site(project, project, quiet=True)


def test_second_write_to_one_path_is_refused():
    from site_builder.site.output.write import Outputs

    outputs = Outputs("zh-CN")
    outputs.add("units/a/index.html", b"1", origin="unit")
    with pytest.raises(SiteError, match="units/a/index.html"):
        outputs.add("units/a/index.html", b"2", origin="scorecard")


# ------------------------------------------------------------- integrity


def test_draft_period_is_not_built(built_site):
    assert not [p for p in tree_bytes(built_site) if "2018-Q2" in p]
    for path, data in tree_bytes(
        built_site
    ).items():  # the manifest too: a draft's name is not public
        assert b"2018-Q2" not in data, path
        assert "2018年第二季度".encode() not in data, path


def test_draft_preview_has_watermark(project, tmp_path):
    build_site(project, tmp_path / "out", preview=True, quiet=True)
    html = (tmp_path / "out/notices/xiaoneng/2018-Q2/index.html").read_text("utf-8")
    assert "草稿 预览" in html
    assert 'class="kind-notice is-draft"' in html
    manifest = json.loads((tmp_path / "out/manifest.json").read_text("utf-8"))
    assert "scores/xiaoneng/2018-Q2.yaml" in manifest["sources"]  # a preview lists what it used


def test_every_unit_of_a_period_is_listed_on_its_notice(built_site):
    from site_builder import pipeline

    project, results = pipeline.check(FIXTURE)[:2]
    for p in project.periods:
        page = built_site / f"notices/{p.scheme}/{p.id}/index.html"
        if p.status == "draft":
            continue
        parsed = parse(page)
        ranked = {
            row[1].split("（")[0] for table in parsed.tables for row in table[1:] if len(row) > 2
        }
        listed = "".join(parsed.text)
        for uid, u in results[(p.scheme, p.id)].units.items():
            name = project.unit_name(uid, p.scores.notice.date)
            if u.status == "assessed":
                assert name in ranked, (p.id, name)
            else:
                assert f"{name}：" in listed, (p.id, name)


def test_published_result_changed_without_correction_fails(project, tmp_path):
    from site_builder.site.records.lock.update import update_lock

    update_lock(project)
    lock = json.loads((project / "published.lock").read_text("utf-8"))
    # the 公示 (2018-Q1) is locked from its first publication too; the draft (2018-Q2) is not
    assert set(lock["periods"]) == {"xiaoneng/2017-Q3", "xiaoneng/2017-Q4", "xiaoneng/2018-Q1"}
    build_site(project, tmp_path / "ok", quiet=True)

    scores = project / "scores/xiaoneng/2017-Q3.yaml"
    edit_yaml(scores, lambda d: d["units"]["czj"]["facts"].update(tuijin="50"))
    with pytest.raises(SiteError) as err:
        build_site(project, tmp_path / "bad", quiet=True)
    assert "xiaoneng/2017-Q3" in err.value.message and "site-builder correct xiaoneng 2017-Q3 --reason" in err.value.message
    assert not (tmp_path / "bad").exists()

    def correct(d: dict) -> None:
        d["corrections"] = [
            {
                "date": "2017-10-20",
                "reason": "录入错误，经复核更正。",
                "changes": [{"unit": "czj", "line": "tuijin", "old": "56.5", "new": "50"}],
            }
        ]

    edit_yaml(scores, correct)
    build_site(project, tmp_path / "corrected", quiet=True)
    html = (tmp_path / "corrected/notices/xiaoneng/2017-Q3/index.html").read_text("utf-8")
    assert "更正记录" in html
    assert (tmp_path / "corrected/notices/xiaoneng/2017-Q3/corrections/1/index.html").exists()


def test_published_notice_cannot_silently_disappear(project, tmp_path):
    from site_builder.site.records.lock.update import update_lock

    update_lock(project)
    edit_yaml(project / "scores/xiaoneng/2017-Q3.yaml", lambda d: d.update(status="draft"))
    with pytest.raises(SiteError, match="2017-Q3"):
        build_site(project, tmp_path / "out", quiet=True)


def test_manifest_lists_sources_and_pages_with_sha256(built_site):
    import hashlib

    manifest = json.loads((built_site / "manifest.json").read_text("utf-8"))
    assert "scores/xiaoneng/2017-Q3.yaml" in manifest["sources"]
    assert "content/notices/2017-q3.md" in manifest["sources"]
    files = tree_bytes(built_site)
    files.pop("manifest.json")
    assert set(manifest["pages"]) == set(files)
    for path, data in files.items():
        assert manifest["pages"][path] == hashlib.sha256(data).hexdigest()
    text = (built_site / "manifest.json").read_text("utf-8")
    assert text == json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def test_footer_shows_commit_of_a_git_project(project, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
        GIT_COMMITTER_DATE="2018-04-12T10:00:00+08:00",
        GIT_AUTHOR_DATE="2018-04-12T10:00:00+08:00",
    )
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", "-C", str(project), *cmd], check=True, env=env)
    short = subprocess.run(
        ["git", "-C", str(project), "log", "-1", "--format=%h"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    build_site(project, tmp_path / "out", quiet=True)
    html = (tmp_path / "out/index.html").read_text("utf-8")
    assert f"版本：{short} (2018-04-12)" in html


def test_footer_without_git_says_uncommitted(built_site):
    for page in html_pages(built_site):
        assert "版本：未提交" in (built_site / page).read_text("utf-8"), page


def test_english_locale(project, tmp_path):
    edit_yaml(project / "site.yaml", lambda d: d.update(locale="en"))
    build_site(project, tmp_path / "out", quiet=True)
    html = (tmp_path / "out/notices/xiaoneng/2017-Q4/index.html").read_text("utf-8")
    assert '<html lang="en">' in html
    assert "<dd>Q4 2017</dd>" in html  # the period's English name (the title is the YAML's)
    card = (tmp_path / "out/units/czj/xiaoneng/2017-Q4/index.html").read_text("utf-8")
    assert "<h1>县财政局: score card, Q4 2017</h1>" in card
    assert ">Q4 2017</a></li>" in card and ">Q3 2017</a>" in card  # crumb, previous period
    unit = (tmp_path / "out/units/czj/index.html").read_text("utf-8")
    assert ">Q3 2017</a>" in unit and "2017年第三季度" not in unit
    assert "Skip to content" in html and "Download this table" in html
    assert "Sample data, not real assessment results" in html
    scheme = (tmp_path / "out/schemes/xiaoneng/v2017/index.html").read_text("utf-8")
    assert "Indicators and scoring" in scheme
    assert "跳到正文" not in html


def test_feed_and_sitemap(project, tmp_path):
    import xml.etree.ElementTree as ET

    build_site(project, tmp_path / "plain", quiet=True)
    assert not (tmp_path / "plain/sitemap.xml").exists()
    feed = ET.parse(tmp_path / "plain/feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert entries[0].find("a:link", ns).get("href") == "notices/xiaoneng/2018-Q1/index.html"
    assert feed.find("a:updated", ns).text == "2018-04-12T00:00:00Z"

    edit_yaml(
        project / "site.yaml", lambda d: d.update(base_url="https://kaohe.example.gov.cn/xn/")
    )
    build_site(project, tmp_path / "hosted", quiet=True)
    sitemap = ET.parse(tmp_path / "hosted/sitemap.xml").getroot()
    locs = [u[0].text for u in sitemap]
    assert "https://kaohe.example.gov.cn/xn/" in locs
    assert "https://kaohe.example.gov.cn/xn/notices/xiaoneng/2017-Q4/" in locs
    assert all(loc.startswith("https://kaohe.example.gov.cn/xn/") for loc in locs)
    not_found = (tmp_path / "hosted/404.html").read_text("utf-8")
    # served at any missing address: links and stylesheet from the site's root path
    assert '<link rel="stylesheet" href="/xn/assets/site.' in not_found
    assert '<li><a href="/xn/index.html">首页</a></li>' in not_found
    assert "<base" not in not_found


def test_a_draft_never_feeds_published_figures(project, tmp_path):
    edit_yaml(project / "scores/xiaoneng/2017-Q4.yaml", lambda d: d.update(status="draft"))
    build_site(project, tmp_path / "out", quiet=True)
    card = (tmp_path / "out/units/czj/xiaoneng/2018-Q1/index.html").read_text("utf-8")
    assert "2017年第三季度" in card and "2017年第四季度" not in card
    for path, data in tree_bytes(tmp_path / "out").items():
        if path != "manifest.json":
            assert b"2017-Q4" not in data, path


def test_notice_issuer_is_the_notice_s_then_the_scheme_s_never_the_site_s(project, tmp_path):
    edit_yaml(project / "site.yaml", lambda d: d.update(organisation="示范县人民政府门户网站"))
    edit_yaml(
        project / "scores/xiaoneng/2017-Q3.yaml",
        lambda d: d["notice"].update(issuer="示范县考核委员会"),
    )
    build_site(project, tmp_path / "out", quiet=True)
    q3 = (tmp_path / "out/notices/xiaoneng/2017-Q3/index.html").read_text("utf-8")
    q4 = (tmp_path / "out/notices/xiaoneng/2017-Q4/index.html").read_text("utf-8")
    assert "<dt>发布机关</dt><dd>示范县考核委员会</dd>" in q3
    assert "<dt>发布机关</dt><dd>示范县机关效能建设领导小组办公室</dd>" in q4  # the scheme's issuer
    assert "<dd>示范县人民政府门户网站</dd>" not in q3 + q4


def test_scheme_without_rankings_shows_places_of_the_default_ranking(project, tmp_path):
    for path in project.glob("schemes/xiaoneng/*.yaml"):
        edit_yaml(path, lambda d: [d.pop(k, None) for k in ("rankings", "honours")])
    build_site(project, tmp_path / "out", quiet=True)
    notice = tmp_path / "out/notices/xiaoneng/2017-Q4/index.html"
    assert "<caption>综合管理部门组本期排名（满分 100 分）</caption>" in notice.read_text("utf-8")
    _head, *rows = parse(notice).tables[0]
    assert [(r[0], r[1]) for r in rows] == [("1", "县财政局"), ("2", "县发展改革委")]
    card = (tmp_path / "out/units/czj/xiaoneng/2017-Q4/index.html").read_text("utf-8")
    assert "第 1 名（共 2 个单位）" in card
