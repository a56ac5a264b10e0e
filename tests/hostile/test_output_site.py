"""What the output promises: http(s) URLs only, a symlinked output followed,
dates in Shanghai, and no notice published before its date (embargo)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from site_builder import pipeline
from site_builder.cli import main
from site_builder.site.output import feeds
from site_builder.site.build import build_site
from site_builder.site.failures import SiteError
from tests.hostile.harness import FIXTURE, snapshot

ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text("utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "//evil.example/",
        "https://",
        'https://a.example/"><script>',
        "https://a.example/\u202e",
    ],
)
def test_base_url_past_validation_still_never_reaches_the_feed(project, tmp_path, monkeypatch, url):
    """The output-side guarantee: even a base_url the checks let through is refused."""
    (project / "site.yaml").write_text(
        (project / "site.yaml").read_text("utf-8") + "base_url: https://ok.example/\n", "utf-8"
    )
    real = pipeline.check

    def let_through(*a, **k):
        project_, results = real(*a, **k)
        site = project_.site.model_copy(update={"base_url": url})
        return dataclasses.replace(project_, site=site), results

    monkeypatch.setattr(pipeline, "check", let_through)
    out = tmp_path / "out"
    with pytest.raises(SiteError) as exc:
        build_site(project, out, quiet=True)
    text = exc.value.format_message()
    lines = (project / "site.yaml").read_text("utf-8").splitlines()
    assert f"site.yaml:{len(lines)}:1: " in text and "http(s)" in text
    assert not out.exists()


def test_web_url_and_escaping():
    assert feeds.web_url("https://kaohe.example.gov.cn/xn/")
    assert feeds.web_url("http://127.0.0.1:8000/")
    for bad in ("javascript:x", "mailto:a@b.cn", "https://a b/", "https:/x", "HTTPS//x", "", "tel:123"):
        assert not feeds.web_url(bad), bad
    assert feeds.escape("a<b>&\x00\x1fc\ufffe") == "a&lt;b&gt;&amp;c"
    assert feeds.quoteattr('x"\x07') == "'x\"'"
    with pytest.raises(SiteError, match="javascript:x"):
        feeds.sitemap("javascript:x", ["index.html"])


def test_feed_and_sitemap_are_well_formed_and_only_http(project, tmp_path):
    edit(project / "site.yaml", lambda d: d.update(base_url="https://kaohe.example.gov.cn/a&b/"))
    edit(
        project / "scores/xiaoneng/2017-Q3.yaml",
        lambda d: d["notice"].update(title="关于<script>alert(1)</script> & “通报”]]>"),
    )
    build_site(project, tmp_path / "out", quiet=True)
    feed = ET.parse(tmp_path / "out/feed.xml").getroot()
    titles = [e.find("a:title", ATOM).text for e in feed.findall("a:entry", ATOM)]
    assert "关于<script>alert(1)</script> & “通报”]]>" in titles
    hrefs = [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    ids = [i.text for i in feed.iter("{http://www.w3.org/2005/Atom}id")]
    assert hrefs and all(h.startswith("https://kaohe.example.gov.cn/a&b/") for h in hrefs + ids)
    raw = (tmp_path / "out/feed.xml").read_text("utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    locs = [u[0].text for u in ET.parse(tmp_path / "out/sitemap.xml").getroot()]
    assert locs and all(u.startswith("https://kaohe.example.gov.cn/a&b/") for u in locs)


# ------------------------------------------------------------ output folder


def test_symlinked_output_is_followed_not_replaced(project, tmp_path):
    webroot = tmp_path / "www" / "kaohe"
    webroot.mkdir(parents=True)
    link = project / "_site"
    link.symlink_to(webroot, target_is_directory=True)
    r = CliRunner().invoke(main, ["build", "--root", str(project), "--quiet"])
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and Path(os.readlink(link)) == webroot
    assert (webroot / "manifest.json").is_file() and (webroot / "index.html").is_file()
    first = files(webroot)
    # a second build swaps the target's contents beside it; the link stays a link
    edit(project / "site.yaml", lambda d: d.update(title="改过的标题"))
    r = CliRunner().invoke(main, ["build", "--root", str(project), "--quiet"])
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and Path(os.readlink(link)) == webroot
    second = files(webroot)
    assert "改过的标题" in second["index.html"].decode("utf-8")
    assert "改过的标题" not in first["index.html"].decode("utf-8")
    assert sorted(p.name for p in webroot.parent.iterdir()) == ["kaohe"], "no staging left beside the target"
    assert not [p for p in project.iterdir() if p.name.startswith(".site-")]


def test_relative_symlink_chain_is_followed(project, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "hop").symlink_to("real")
    (project / "public").symlink_to(Path("..") / "hop")
    build_site(project, project / "public", quiet=True)
    assert (project / "public").is_symlink()
    assert (tmp_path / "hop").is_symlink()
    assert (tmp_path / "real" / "manifest.json").is_file()


def test_output_under_a_missing_folder_is_created(project, tmp_path):
    out = tmp_path / "deep" / "er" / "site"
    build_site(project, out, quiet=True)
    assert (out / "manifest.json").is_file()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions (see tests/test_faults.py)")
@pytest.mark.parametrize("which", ["site", "parent"])
def test_read_only_output_refused_up_front(project, tmp_path, which):
    out = tmp_path / "pub" / "site"
    build_site(project, out, quiet=True)
    before = files(out)
    target = out if which == "site" else out.parent
    target.chmod(0o555)
    try:
        with pytest.raises(SiteError) as exc:
            build_site(project, out, quiet=True)
        assert f"{target}: 输出位置 {target} 不可写（没有写入权限）" in exc.value.format_message()
        assert files(out) == before
    finally:
        target.chmod(0o755)


# -------------------------------------------------------------------- dates


def _epoch(iso: str) -> str:
    return str(int(dt.datetime.fromisoformat(iso).timestamp()))


@pytest.mark.parametrize(
    "moment,day",
    [
        ("2017-10-31T16:30:00+00:00", "2017-11-01"),  # the example
        ("2017-10-31T15:59:59+00:00", "2017-10-31"),
        ("2017-10-31T16:00:00+00:00", "2017-11-01"),  # midnight in Shanghai
        ("2018-04-18T23:59:59+08:00", "2018-04-18"),
        ("1970-01-01T00:00:00+00:00", "1970-01-01"),
    ],
)
@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles", "Asia/Shanghai"])
def test_source_date_epoch_is_a_date_in_shanghai(project, tmp_path, monkeypatch, moment, day, tz):
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(moment))
        report = build_site(project, tmp_path / "out", quiet=True)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert report.as_of.isoformat() == day


def test_public_notice_window_ends_at_midnight_in_shanghai(project, tmp_path, monkeypatch):
    """2018-Q1's 公示 runs until 2018-04-18: still open at 23:59:59 Beijing time, over at 00:00."""
    q1 = "notices/xiaoneng/2018-Q1/index.html"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch("2018-04-18T15:59:59+00:00"))
    build_site(project, tmp_path / "open", quiet=True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch("2018-04-18T16:00:00+00:00"))
    build_site(project, tmp_path / "over", quiet=True)
    still = (tmp_path / "open" / q1).read_text("utf-8")
    assert "0551-12345678" in still and "公示期已于" not in still
    over = (tmp_path / "over" / q1).read_text("utf-8")
    assert "异议受理" not in over and "公示期已于 2018年4月18日 结束" in over


@pytest.mark.parametrize(
    "text,day",
    [
        ("2018-01-15", "2018-01-15"),
        ("2018-01-14T16:00:00Z", "2018-01-15"),
        ("2018-01-14T15:59:59+00:00", "2018-01-14"),
        ("2018-01-15T07:00:00-08:00", "2018-01-15"),
        ("2018-01-15T23:00:00-08:00", "2018-01-16"),
        ("2018-01-15T23:00", "2018-01-15"),  # no offset: Shanghai time
    ],
)
def test_as_of_option_is_a_date_in_shanghai(project, text, day):
    r = CliRunner().invoke(main, ["build", "--root", str(project), "--as-of", text])
    assert r.exit_code == 0, r.output
    assert f"按 {day} 判断" in r.output


# ------------------------------------------------------------------- embargo

LATER = ("2017-Q4", "2018-Q1", "2017年第四季度", "2018年第一季度", "示效办〔2018〕2号", "示效办〔2018〕4号", "示效办〔2018〕8号")


def test_notice_dated_after_as_of_is_not_published(project, tmp_path):
    edit(project / "site.yaml", lambda d: d.update(base_url="https://kaohe.example.gov.cn/"))
    full = tmp_path / "full"
    held = tmp_path / "held"
    build_site(project, full, quiet=True)
    r = CliRunner().invoke(
        main, ["build", "--root", str(project), "--out", str(held), "--as-of", "2018-01-14"]
    )
    assert r.exit_code == 0, r.output
    assert (
        "2 份通报发布日期晚于 2018-01-14，暂不发布：scores/xiaoneng/2017-Q4.yaml、scores/xiaoneng/2018-Q1.yaml。"
        in r.output
    )
    out = files(held)
    assert not any("2017-Q4" in p or "2018-Q1" in p for p in out), "no page or download of a later notice"
    for path, data in out.items():
        text = data.decode("utf-8", "replace")
        for word in LATER:
            assert word not in text, (path, word)
    # the published notice before it is exactly what it is on the day after
    earlier = [p for p in files(full) if "2017-Q3" in p and p.rsplit(".", 1)[-1] in ("csv", "xlsx", "json")]
    assert len(earlier) == 6  # the results as CSV, XLSX and JSON, and the long tables (lines, rankings, honours)
    for p in earlier:
        assert out[p] == files(full)[p], p
    for unit in ("czj", "fgw", "jyj", "wjw", "sjj"):
        card = f"units/{unit}/xiaoneng/2017-Q3/index.html"
        assert (held / card).is_file()


def test_notice_is_published_on_its_date(project, tmp_path):
    report = build_site(project, tmp_path / "out", as_of=dt.date(2018, 1, 15), quiet=True)
    assert (tmp_path / "out/notices/xiaoneng/2017-Q4/index.html").is_file()
    assert not (tmp_path / "out/notices/xiaoneng/2018-Q1").exists()
    assert report.embargoed == ("scores/xiaoneng/2018-Q1.yaml",)
    assert "1 份通报发布日期晚于 2018-01-15，暂不发布" in str(report)
    # the figures of 2017-Q3 and 2017-Q4 (running totals included) are those of the full site
    build_site(project, tmp_path / "full", quiet=True)
    held, full = files(tmp_path / "out"), files(tmp_path / "full")
    downloads_ = [p for p in held if p.endswith((".csv", ".xlsx", ".json")) and "/2017-Q" in p]
    assert len(downloads_) == 12  # two notices × (results as CSV, XLSX, JSON + lines, rankings, honours)
    for p in downloads_:
        assert held[p] == full[p], p
    manifest = json.loads(held["manifest.json"])
    assert "scores/xiaoneng/2018-Q1.yaml" not in manifest["sources"]
    assert "scores/xiaoneng/2017-Q4.yaml" in manifest["sources"]


def test_default_build_embargoes_nothing(project, tmp_path):
    report = build_site(project, tmp_path / "out", quiet=True)
    assert report.embargoed == ()
    assert "暂不发布" not in str(report)


def test_embargoed_notice_in_preview_is_a_draft(project, tmp_path):
    build_site(project, tmp_path / "out", as_of=dt.date(2018, 1, 14), preview=True, quiet=True)
    html = (tmp_path / "out/notices/xiaoneng/2017-Q4/index.html").read_text("utf-8")
    assert "草稿" in html


def test_embargo_in_english(project, tmp_path):
    edit(project / "site.yaml", lambda d: d.update(locale="en"))
    report = build_site(project, tmp_path / "out", as_of=dt.date(2018, 1, 15), quiet=True)
    assert "1 notice(s) dated after 2018-01-15 not published yet: scores/xiaoneng/2018-Q1.yaml." in str(report)


def test_failed_build_with_embargo_writes_nothing(project, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build_site(project, out, quiet=True)
    before = snapshot(out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(SiteError, match="SOURCE_DATE_EPOCH"):
        build_site(project, out, as_of=dt.date(2018, 1, 14), quiet=True)
    assert snapshot(out) == before


def test_output_folder_that_cannot_be_looked_into(project, tmp_path, monkeypatch):
    """A folder on the way that cannot be listed (EACCES) is a located message, not a traceback."""
    out = tmp_path / "pub" / "site"
    build_site(project, out, quiet=True)
    before = files(out)
    real = Path.iterdir

    def denied(self):
        if self == out:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(SiteError) as exc:
        build_site(project, out, quiet=True)
    monkeypatch.undo()
    assert exc.value.format_message().startswith(f"{out}: 输出位置 {out} 不可写（Permission denied）")
    assert files(out) == before


def test_stale_staging_is_removed_even_when_its_process_id_is_reused(project, tmp_path):
    """Under the output lock no other build is writing: any staging folder left is stale."""
    out = tmp_path / "pub" / "site"
    build_site(project, out, quiet=True)
    before = files(out)
    reused = out.parent / f".site-{os.getppid()}-abc123"  # a live process, not a build
    (reused / "assets").mkdir(parents=True)
    (reused / "assets" / "half.css").write_text("half", "utf-8")
    (reused / "assets").chmod(0o555)  # even a read-only folder inside is removed
    other = out.parent / ".site-config"  # not a staging folder: never touched
    other.mkdir()
    build_site(project, out, quiet=True)
    assert not reused.exists()
    assert other.is_dir()
    assert files(out) == before
