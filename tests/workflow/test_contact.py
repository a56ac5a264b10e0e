"""Issuer and objection contact per notice, per scheme, per site — and every place shows the same.

Resolution: ``notice.contact`` → the scheme's ``contact`` → ``site.yaml``'s
``contact``; ``notice.issuer`` → the scheme's ``issuer`` → ``site.yaml``'s
``organisation``.  The notice page's 公示 box, its 发布机关 line, its footer,
the feed, the locked notice document and the portal export agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.cli import main
from tests.workflow.project_support import copy_fixture, edit
from site_builder.errors import InputError, Problems
from site_builder.pipeline import check, load_project
from site_builder.site.records import noticedoc

GONGSHI = "2018-Q1"  # the fixture's 公示 (window 2018-04-12 … 2018-04-18), scheme version v2018
IN_WINDOW = "2018-04-13"
SITE_OFFICE = "县效能办督查科"
SITE_ORG = "示范县机关效能建设领导小组办公室"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def scheme_file(root: Path) -> Path:
    return root / "schemes/xiaoneng/v2018.yaml"


def period_file(root: Path, period: str = GONGSHI) -> Path:
    return root / f"scores/xiaoneng/{period}.yaml"


def build(root: Path, as_of: str = IN_WINDOW) -> Path:
    out = root / "_site"
    r = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet", "--as-of", as_of])
    assert r.exit_code == 0, r.output
    return out


def notice_html(root: Path, period: str = GONGSHI, as_of: str = IN_WINDOW) -> str:
    return (build(root, as_of) / f"notices/xiaoneng/{period}/index.html").read_text("utf-8")


def contact_box(page: str) -> str:
    m = re.search(r'<section class="window".*?</section>', page, re.S)
    assert m, "no 公示 window box"
    return m.group(0)


def issuer_line(page: str) -> str:
    m = re.search(r"<dt>发布机关</dt><dd>([^<]*)</dd>", page)
    assert m
    return m.group(1)


def footer_issuer(page: str) -> str:
    m = re.search(r'<footer class="site-footer">.*?<p>发布机关：([^<]*)</p>', page, re.S)
    assert m
    return m.group(1)


def items(root: Path, period: str = GONGSHI) -> dict[str, str]:
    project, results = check(root)
    p = next(p for p in project.periods if p.id == period)
    return noticedoc.notice_items(project, p, results[("xiaoneng", period)], None)


def test_the_site_s_contact_when_neither_scheme_nor_notice_names_one(root):
    page = notice_html(root)
    box = contact_box(page)
    assert f"<dt>受理机构</dt><dd>{SITE_OFFICE}</dd>" in box
    assert '<a href="tel:0551-12345678">0551-12345678</a>' in box
    assert items(root)["contact.office"] == SITE_OFFICE


def test_a_scheme_s_contact_overrides_the_site_s(root):
    edit(scheme_file(root), lambda d: d.update(contact={"office": "县效能办考评科", "phone": "0551-22223333"}))
    page = notice_html(root)
    box = contact_box(page)
    assert "<dt>受理机构</dt><dd>县效能办考评科</dd>" in box
    assert '<a href="tel:0551-22223333">0551-22223333</a>' in box
    assert SITE_OFFICE not in page
    assert "0551-12345678" not in box  # the site's phone is not mixed into the scheme's contact
    doc = items(root)
    assert doc["contact.office"] == "县效能办考评科"
    assert doc["contact.phone"] == "0551-22223333"
    assert "contact.address" not in doc  # the site's address belongs to the site's office


def test_a_notice_s_contact_overrides_the_scheme_s(root):
    edit(scheme_file(root), lambda d: d.update(contact={"office": "县效能办考评科"}))
    edit(
        period_file(root),
        lambda d: d["notice"].update(contact={"office": "县纪委监委驻县效能办纪检组", "email": "jijian@example.org"}),
    )
    page = notice_html(root)
    box = contact_box(page)
    assert "<dt>受理机构</dt><dd>县纪委监委驻县效能办纪检组</dd>" in box
    assert '<a href="mailto:jijian@example.org">jijian@example.org</a>' in box
    assert "县效能办考评科" not in page and SITE_OFFICE not in page
    assert items(root)["contact.office"] == "县纪委监委驻县效能办纪检组"


def test_no_contact_anywhere_shows_the_window_without_an_office(root):
    edit(root / "site.yaml", lambda d: d.pop("contact"))
    page = notice_html(root)
    box = contact_box(page)
    assert "公示期" in box and "2018年4月12日至2018年4月18日" in box
    assert "受理机构" not in box and '<dl class="meta contact">' not in box
    assert not any(k.startswith("contact.") for k in items(root))


def test_issuer_notice_then_scheme_then_site(root):
    # the scheme's issuer, in the 发布机关 line and in the footer
    edit(scheme_file(root), lambda d: d.update(issuer="示范县人民政府督查室"))
    page = notice_html(root)
    assert issuer_line(page) == "示范县人民政府督查室"
    assert footer_issuer(page) == "示范县人民政府督查室"
    assert items(root)["notice.issuer"] == "示范县人民政府督查室"
    # no issuer in the scheme: the site's organisation
    edit(scheme_file(root), lambda d: d.pop("issuer"))
    page = notice_html(root)
    assert issuer_line(page) == SITE_ORG and footer_issuer(page) == SITE_ORG
    scheme_doc = (root / "_site/schemes/xiaoneng/v2018/index.html").read_text("utf-8")
    assert f"<dd>{SITE_ORG}</dd>" in scheme_doc
    # the notice's own issuer wins over both
    edit(period_file(root), lambda d: d["notice"].update(issuer="示范县考核委员会"))
    page = notice_html(root)
    assert issuer_line(page) == "示范县考核委员会" and footer_issuer(page) == "示范县考核委员会"
    assert items(root)["notice.issuer"] == "示范县考核委员会"


def test_the_box_and_the_issuer_line_name_the_same_office_when_it_both_issues_and_receives(root):
    edit(scheme_file(root), lambda d: d.update(issuer="示范县营商办", contact={"office": "示范县营商办"}))
    page = notice_html(root)
    assert issuer_line(page) == "示范县营商办"
    assert "<dt>受理机构</dt><dd>示范县营商办</dd>" in contact_box(page)
    assert footer_issuer(page) == "示范县营商办"
    # other pages keep the site's organisation in the footer
    home = (root / "_site/index.html").read_text("utf-8")
    assert f"<p>发布机关：{SITE_ORG}</p>" in home


def test_feed_entries_name_an_issuer_other_than_the_site(root):
    edit(period_file(root), lambda d: d["notice"].update(issuer="示范县考核委员会"))
    feed = (build(root) / "feed.xml").read_text("utf-8")
    entries = feed.split("<entry>")[1:]
    mine = [e for e in entries if "notices/xiaoneng/2018-Q1/" in e or "2018-Q1" in e]
    assert mine and all("<author><name>示范县考核委员会</name></author>" in e for e in mine)
    others = [e for e in entries if e not in mine]
    assert others and all("<author>" not in e for e in others)  # the feed's own author applies


def test_a_locked_public_notice_refuses_a_new_contact_until_a_correction_is_recorded(root):
    runner = CliRunner()
    r = runner.invoke(main, ["lock", "--root", str(root)])
    assert r.exit_code == 0, r.output
    edit(scheme_file(root), lambda d: d.update(contact={"office": "县效能办考评科"}))
    r = runner.invoke(main, ["check", "--root", str(root)])
    assert r.exit_code == 1
    assert "scores/xiaoneng/2018-Q1.yaml" in r.output
    assert f"contact.office: {SITE_OFFICE} → 县效能办考评科" in r.output
    assert "Traceback" not in r.output
    edit(
        period_file(root),
        lambda d: d.update(corrections=[{"date": "2018-04-13", "reason": "异议受理联系方式与正文不一致，更正为县效能办考评科。"}]),
    )
    r = runner.invoke(main, ["check", "--root", str(root)])
    assert r.exit_code == 0, r.output


def test_published_notices_do_not_lock_the_contact(root):
    """A 通报 (not a 公示) shows no contact box, so a new contact does not change its document."""
    before = items(root, "2017-Q3")
    edit(root / "schemes/xiaoneng/v2017.yaml", lambda d: d.update(contact={"office": "县效能办考评科"}))
    assert items(root, "2017-Q3") == before
    assert not any(k.startswith("contact.") for k in before)


def test_contact_keys_are_checked_at_their_line(root):
    edit(scheme_file(root), lambda d: d.update(contact={"phone": "0551-22223333", "fax": "1"}))
    problems = Problems()
    assert load_project(root, problems) is None
    text = "\n".join(p.render() for p in problems.sorted())
    assert re.search(r"schemes/xiaoneng/v2018\.yaml:\d+:\d+: .*office", text), text
    assert re.search(r"schemes/xiaoneng/v2018\.yaml:\d+:\d+: .*fax", text), text
    with pytest.raises(InputError):
        check(root)


def test_the_example_notices_box_names_the_office_their_body_names():
    """The two example 公示 name in their body where objections go; the box says the same office."""
    repo = Path(__file__).resolve().parents[2]
    project, results = check(repo)
    expected = {  # (scheme, period): (the box's office, what the body says)
        ("genhe-windows", "2021-Q2"): ("根河市政务服务中心综合办公室", "向市政务服务中心综合办公室反映"),
        ("suzhou-shuangzheng", "2019"): (
            "苏州市“双争双创”活动领导小组办公室",
            "向“双争双创”活动领导小组办公室反映",
        ),
    }
    for (scheme, pid), (office, said) in expected.items():
        period = next(p for p in project.periods if p.scheme == scheme and p.id == pid)
        contact = noticedoc.contact_of(project, period)
        assert contact is not None and contact.office == office
        body = (repo / "content" / period.scores.notice.body).read_text("utf-8")
        assert said in body
        assert period.scores.corrections[-1].reason.startswith("异议受理联系方式与正文不一致")
        items = noticedoc.notice_items(project, period, results[(scheme, pid)], None)
        assert items["contact.office"] == office and "contact.phone" not in items


def test_the_json_download_names_the_issuer_and_the_contact_of_a_public_notice(root):
    import json

    edit(scheme_file(root), lambda d: d.update(contact={"office": "县效能办考评科", "phone": "0551-22223333"}))
    out = build(root)
    meta = json.loads((out / "notices/xiaoneng/2018-Q1/xiaoneng-2018-Q1.json").read_text("utf-8"))
    assert meta["issuer"] == SITE_ORG
    assert meta["contact"] == {"office": "县效能办考评科", "phone": "0551-22223333"}
    out = build(root, "2018-04-19")  # the window is over: a 通报, no objection box
    meta = json.loads((out / "notices/xiaoneng/2018-Q1/xiaoneng-2018-Q1.json").read_text("utf-8"))
    assert meta["contact"] is None and meta["issuer"] == SITE_ORG


def test_every_locked_example_notice_document_is_unchanged_byte_for_byte():
    """The contact and issuer resolution leaves each example's last locked document as archived."""
    import json

    repo = Path(__file__).resolve().parents[2]
    project, results = check(repo)
    lock = json.loads((repo / "published.lock").read_text("utf-8"))
    assert len(lock["periods"]) == 11
    for key, entry in lock["periods"].items():
        scheme, pid = key.split("/")
        period = next(p for p in project.periods if p.scheme == scheme and p.id == pid)
        body = (repo / "content" / period.scores.notice.body).read_bytes() if period.scores.notice.body else None
        items = noticedoc.notice_items(project, period, results[(scheme, pid)], body)
        archived = (repo / entry["versions"][-1]["notice_file"]["path"]).read_bytes()
        assert noticedoc.document_bytes(items) == archived, key
