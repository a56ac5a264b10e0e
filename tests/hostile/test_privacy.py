"""Hostile privacy input: a personal number anywhere it would be published or archived.

Each case writes one number, in one of its many writings, into one place of
the fixture project (a note, a title, a reason, a notice's metadata, a unit's
name, the site's contact, the scheme's text, the notice body, a YAML comment,
the archive in ``published/``) and asserts through the harness that ``check``
and ``build`` both refuse it at the exact file, line and column, with no
traceback and nothing written.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.hostile.harness import FIXTURE, refused

# (writing, index of the number's first character in it)
WRITINGS = {
    "id18": ("11010519491231002X", 0),
    "id18x": ("11010519491231002x", 0),
    "id18_fw": ("１１０１０５１９４９１２３１００２Ｘ", 0),
    "id18_spaced": ("110105 19491231 002X", 0),
    "id18_dashed": ("110105-1949-1231-002X", 0),
    "id15": ("110105491231002", 0),
    "id15_spaced": ("110105 491231 002", 0),
    "mobile": ("13812345678", 0),
    "mobile_spaced": ("138 1234 5678", 0),
    "mobile_dashed": ("138-1234-5678", 0),
    "mobile_plus86": ("+86 138 1234 5678", 4),
    "mobile_plus86_dash": ("+86-138-1234-5678", 4),
    "mobile_0086": ("0086 13812345678", 5),
    "mobile_paren": ("（＋86）13812345678", 5),
    "mobile_fw": ("１３８－１２３４－５６７８", 0),
    "mobile_ideographic": ("138\u30001234\u30005678", 0),
    "mobile_nbsp": ("138\u00a01234\u00a05678", 0),
    "card": ("6222021234567890128", 0),
    "card_grouped": ("6222 0212 3456 7890 128", 0),
    "card_dashed": ("6222-0212-3456-7890-128", 0),
    "card_fw": ("６２２２ ０２１２ ３４５６ ７８９０ １２８", 0),
    "card16": ("4111 1111 1111 1111", 0),
}

# (file, the line as written in the fixture, text put after it, before the number)
PLACES = {
    "fact_note": ("scores/xiaoneng/2017-Q3.yaml", "            note: 上班时间办私事", "，联系"),
    "award_title": ("scores/xiaoneng/2017-Q3.yaml", "            title: 项目审批“一窗受理”经验被市级推广", " "),
    "event_title": ("scores/xiaoneng/2017-Q3.yaml", "            title: 市督查通报窗口服务问题", "（举报人"),
    "unit_note": ("scores/xiaoneng/2017-Q3.yaml", "    note: 7月起承担食品安全专项整治任务。", "联系人"),
    "notice_number": ("scores/xiaoneng/2017-Q3.yaml", "  number: 示效办〔2017〕9号", " "),
    "correction_reason": ("scores/xiaoneng/2017-Q4.yaml", "    reason: 县财政局“重点工作推进”得分录入错误，经复核更正。", "经办人"),
    "correction_number": ("scores/xiaoneng/2017-Q4.yaml", "    number: 示效办〔2018〕4号", " "),
    "veto_reason": ("scores/xiaoneng/2017-Q4.yaml", "        reason: 发生严重违纪违法案件，取消本季度评先资格。", "当事人"),
    "unit_name": ("units.yaml", "    name: 县财政局", ""),
    "unit_category": ("units.yaml", "    category: 执法部门", " "),
    "site_description": ("site.yaml", "description: 公布本县机关效能考核办法、各单位得分与排名通报。", "咨询"),
    "site_office": ("site.yaml", "  office: 县效能办督查科", " 值班"),
    "site_address": ("site.yaml", "  address: 示范县政务中心 3 楼", " 收件人"),
    "body": ("content/notices/2017-q3.md", None, "如有异议请联系 "),
    "yaml_comment": ("scores/xiaoneng/2017-Q3.yaml", "scheme: xiaoneng", "  # 录入人 "),
}

# Every place with several writings: each case is one (place, writing) pair.
CASES = [
    ("fact_note", "id18"),
    ("fact_note", "mobile_spaced"),
    ("fact_note", "card_grouped"),
    ("award_title", "id18_fw"),
    ("award_title", "mobile_plus86"),
    ("event_title", "id15"),
    ("event_title", "mobile_fw"),
    ("event_title", "card_dashed"),
    ("unit_note", "id18_spaced"),
    ("unit_note", "mobile_paren"),
    ("unit_note", "card16"),
    ("notice_number", "mobile"),
    ("notice_number", "id18x"),
    ("correction_reason", "mobile_dashed"),
    ("correction_reason", "id15_spaced"),
    ("correction_reason", "card_fw"),
    ("correction_number", "mobile_0086"),
    ("veto_reason", "id18_dashed"),
    ("veto_reason", "mobile_ideographic"),
    ("veto_reason", "card"),
    ("unit_name", "mobile"),
    ("unit_name", "id18"),
    ("unit_category", "mobile_plus86_dash"),
    ("site_description", "mobile_nbsp"),
    ("site_description", "card_grouped"),
    ("site_office", "mobile_spaced"),
    ("site_address", "id18_fw"),
    ("body", "mobile_dashed"),
    ("body", "id18"),
    ("body", "card_grouped"),
    ("yaml_comment", "mobile"),
    ("yaml_comment", "id18_spaced"),
]


def _where(place: str, writing: str) -> tuple[str, int, int, str, str | None]:
    rel, anchor, lead = PLACES[place]
    text, at = WRITINGS[writing]
    lines = (FIXTURE / rel).read_text("utf-8").splitlines()
    if anchor is None:  # a new last line of the body
        return rel, len(lines) + 1, len(lead) + at + 1, lead + text, None
    line = lines.index(anchor) + 1
    return rel, line, len(anchor) + len(lead) + at + 1, anchor + lead + text, anchor


@pytest.mark.parametrize(("place", "writing"), CASES, ids=[f"{p}-{w}" for p, w in CASES])
def test_a_personal_number_is_refused_where_it_is_written(tmp_path, place, writing):
    rel, line, col, new, anchor = _where(place, writing)

    def mutate(root: Path) -> None:
        path = root / rel
        text = path.read_text("utf-8")
        if anchor is None:
            text = text.rstrip("\n") + "\n" + new + "\n"
        else:
            assert text.count(anchor + "\n") == 1, anchor
            text = text.replace(anchor + "\n", new + "\n")
        path.write_text(text, "utf-8")

    outcome = refused(tmp_path, mutate, rf"{re.escape(rel)}:{line}:{col}: ")
    text, at = WRITINGS[writing]
    digits = re.sub(r"[^0-9X]", "", unicodedata.normalize("NFKC", text[at:]).upper())
    # the message quotes the number as written, its digits masked but the first three and last four
    quoted = re.search(r"这里有(?:手机号|身份证号|银行卡号)“([^”]*)”", outcome.check.output).group(1)
    assert re.sub(r"[^0-9X*]", "", unicodedata.normalize("NFKC", quoted).upper()) == (
        digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    )
    assert quoted in outcome.build.output
    assert digits not in re.sub(r"[^0-9X]", "", unicodedata.normalize("NFKC", outcome.text).upper())


def _rewrite_archive(root: Path, rel: str, change) -> int:
    """Change an archived file as an older tool might have written it, and re-fingerprint it
    in published.lock (so only the privacy check can object); the changed line's number."""
    import hashlib

    path = root / rel
    old = path.read_bytes()
    text, line = change(old.decode("utf-8"))
    new = text.encode("utf-8")
    for twin in (root / "published").rglob("*"):  # a scheme archived with two periods: one hash
        if twin.is_file() and twin.read_bytes() == old:
            twin.write_bytes(new)
    lock = root / "published.lock"
    digest = hashlib.sha256(old).hexdigest()
    assert digest in lock.read_text("utf-8")
    lock.write_text(lock.read_text("utf-8").replace(digest, hashlib.sha256(new).hexdigest()), "utf-8")
    return line


ARCHIVE_CASES = [
    ("published/xiaoneng/2017-Q3/v1.yaml", "# 联系人 ", "138 1234 5678", 0),
    ("published/xiaoneng/2017-Q3/v1.yaml", "# 证件 ", "11010519491231002X", 0),
    ("published/xiaoneng/2017-Q3/v1.yaml", "# 卡号 ", "6222-0212-3456-7890-128", 0),
    ("published/xiaoneng/2017-Q3/v1.scheme.yaml", "# 起草人电话 ", "+86-138-1234-5678", 4),
    ("published/xiaoneng/2017-Q3/v1.scheme.yaml", "# 起草人 ", "１１０１０５１９４９１２３１００２Ｘ", 0),
]


@pytest.mark.parametrize(("rel", "lead", "number", "at"), ARCHIVE_CASES)
def test_a_personal_number_in_the_archive_is_refused_at_the_archive_file(tmp_path, rel, lead, number, at):
    """``published/`` is committed to the repository: a number there is refused too."""

    def append(text: str) -> tuple[str, int]:
        text = text.rstrip("\n") + "\n"
        return text + lead + number + "\n", text.count("\n") + 1

    holder: dict[str, int] = {}
    col = len(lead) + at + 1

    def mutate(root: Path) -> None:
        holder["line"] = _rewrite_archive(root, rel, append)

    outcome = refused(tmp_path, mutate, rf"{re.escape(rel)}:\d+:{col}: ", locked=True)
    assert re.search(rf"{re.escape(rel)}:{holder['line']}:{col}: ", outcome.build.output)
    assert re.search(rf"{re.escape(rel)}:{holder['line']}:{col}: ", outcome.check.output)


@pytest.mark.parametrize(
    ("old", "new"),
    [("name: 张*", "name: 张三"), ("name: 张*", 'name: "张三"'), ("note: 上班时间办私事", "note: 上班时间办私事，经张三本人确认")],
)
def test_an_unmasked_name_in_the_archive_is_refused(tmp_path, old, new):
    rel = "published/xiaoneng/2017-Q3/v1.yaml"
    holder: dict[str, int] = {}

    def unmask(text: str) -> tuple[str, int]:
        assert text.count(old) == 1
        line = text[: text.index(old)].count("\n") + 1
        return text.replace(old, new), line

    def mutate(root: Path) -> None:
        holder["line"] = _rewrite_archive(root, rel, unmask)

    outcome = refused(tmp_path, mutate, rf"{re.escape(rel)}:\d+:\d+: .*张\*", locked=True)
    assert f"{rel}:{holder['line']}:" in outcome.check.output
    assert "张三" not in outcome.text


@pytest.mark.parametrize("writing", ["138 1234 5678", "110105 19491231 002X", "6222-0212-3456-7890-128"])
def test_lock_never_archives_a_personal_number(tmp_path, writing):
    """``site-builder lock`` copies period files into published/: it refuses first, writing nothing."""
    import shutil

    from click.testing import CliRunner

    from site_builder.cli import main
    from tests.hostile.harness import snapshot

    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    rel = "scores/xiaoneng/2017-Q3.yaml"
    anchor = "            note: 上班时间办私事"
    path = root / rel
    path.write_text(path.read_text("utf-8").replace(anchor, anchor + "，" + writing), "utf-8")
    line = path.read_text("utf-8").splitlines().index(anchor + "，" + writing) + 1
    before = snapshot(root)
    r = CliRunner().invoke(main, ["lock", "--root", str(root)])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert "Traceback" not in r.output
    assert f"{rel}:{line}:{len(anchor) + 2}: " in r.output
    assert snapshot(root) == before  # no published/, no published.lock


def test_names_in_the_archive_are_fine_when_the_scheme_publishes_them(tmp_path):
    """With a declared legal basis the archive keeps names as written: no refusal."""
    from tests.hostile.harness import make, run_both

    root = make(tmp_path, built=False)
    for v in ("v2017", "v2018"):
        path = root / f"schemes/xiaoneng/{v}.yaml"
        path.write_text(
            path.read_text("utf-8") + "personal_data:\n  publish_names: true\n  legal_basis: 《某某条例》第十条\n",
            "utf-8",
        )
    from click.testing import CliRunner

    from site_builder.cli import main

    r = CliRunner().invoke(main, ["lock", "--root", str(root)])
    assert r.exit_code == 0, r.output
    archived = (root / "published/xiaoneng/2017-Q3/v1.yaml").read_text("utf-8")
    assert "name: 张三" in archived
    outcome = run_both(root)
    assert outcome.check.exit_code == 0, outcome.check.output
    assert outcome.build.exit_code == 0, outcome.build.output
    assert "张三" in (root / "_site/units/fgw/xiaoneng/2017-Q3/index.html").read_text("utf-8")


@pytest.mark.parametrize("uid", ["13812345678", "110105194912310020", "6222021234567890128"])
def test_a_unit_id_that_is_a_personal_number_is_refused(tmp_path, uid):
    """An id becomes a path on every page that links the unit, the sitemap and the search index."""
    from site_builder.site.output.personal_numbers import is_id_card

    if len(uid) == 18 and not is_id_card(uid):  # make the check digit right
        uid = next(uid[:17] + d for d in "0123456789x" if is_id_card(uid[:17] + d))  # ids are lower case
    lines = (FIXTURE / "units.yaml").read_text("utf-8").splitlines()

    def mutate(root: Path) -> None:
        path = root / "units.yaml"
        path.write_text(path.read_text("utf-8") + f'  - id: "{uid}"\n    name: 县档案馆\n', "utf-8")

    refused(tmp_path, mutate, rf"units\.yaml:{len(lines) + 1}:10: ")
