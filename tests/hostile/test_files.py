"""The YAML-level hostile suite: what real offices and attackers put into each file kind.

Every case copies the fixture project, builds it, damages one file the way an
editor, a copy-paste from Word, a Windows checkout or an attacker would, and
asserts through :func:`hostile.harness.refused` that ``check`` and ``build``
both exit 1 without a traceback, name the exact ``file:line:column`` of the
problem, and write nothing (the previous ``_site`` byte-identical).

The fixture's files are quoted in the comments where a line number is
asserted, so a reader can check the number by eye; each helper also asserts
that the text it replaces is really there, so a changed fixture fails loudly
instead of silently testing nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hostile.harness import refused

SITE = "site.yaml"
UNITS = "units.yaml"
SCHEME = "schemes/xiaoneng/v2017.yaml"
Q3 = "scores/xiaoneng/2017-Q3.yaml"
Q4 = "scores/xiaoneng/2017-Q4.yaml"
BODY = "content/notices/2017-q3.md"
LOCK = "published.lock"

Mutate = Callable[[Path], None]


def at(path: str, line: int | None = None, col: int | None = None) -> str:
    """A location regex: ``path``, ``path:line:\\d+`` or ``path:line:col``."""
    where = re.escape(path)
    if line is None:
        return where + r"(?::\d+:\d+)?(?=[:：\s])"
    return where + f":{line}:" + (str(col) if col is not None else r"\d+") + r"(?!\d)"


def sub(rel: str, old: str, new: str, count: int = 1) -> Mutate:
    """Replace the first ``count`` occurrences of ``old`` (which must be there)."""

    def mutate(root: Path) -> None:
        p = root / rel
        text = p.read_text("utf-8")
        assert text.count(old) >= count, f"{old!r} not in {rel}"
        p.write_text(text.replace(old, new, count), "utf-8")

    return mutate


def append(rel: str, extra: str) -> Mutate:
    def mutate(root: Path) -> None:
        p = root / rel
        p.write_text(p.read_text("utf-8") + extra, "utf-8")

    return mutate


def put(rel: str, data: bytes | str) -> Mutate:
    def mutate(root: Path) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return mutate


def recode(rel: str, encoding: str, *, crlf: bool = False, bom: bytes = b"", then: Mutate | None = None) -> Mutate:
    """Rewrite the file in another encoding / with CRLF line ends / a BOM (after ``then``)."""

    def mutate(root: Path) -> None:
        if then is not None:
            then(root)
        p = root / rel
        text = p.read_text("utf-8")
        if crlf:
            text = text.replace("\n", "\r\n")
        p.write_bytes(bom + text.encode(encoding))

    return mutate


def both(*steps: Mutate) -> Mutate:
    def mutate(root: Path) -> None:
        for step in steps:
            step(root)

    return mutate


def lock_edit(change: Callable[[dict], None]) -> Mutate:
    def mutate(root: Path) -> None:
        p = root / LOCK
        doc = json.loads(p.read_text("utf-8"))
        change(doc)
        p.write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")

    return mutate


def lock_sub(old: str, new: str) -> Mutate:
    return sub(LOCK, old, new)


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Mutate
    where: str
    locked: bool = False
    xfail: str | None = None  # the reason (and the owner) while a known bug stands


LAUGHS = "".join(
    ["a0: &a0 [\"lol\"]\n"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)]
)

# ------------------------------------------------------------------ site.yaml
# 1 title: 示范县机关效能考核结果公示   2 organisation: …   3 description: …
# 4 contact:   5   office: 县效能办督查科   6   phone: 0551-12345678   7   address: …

SITE_CASES = [
    Case("site-tab-indent", sub(SITE, "  office:", "\toffice:"), at(SITE, 5, 1)),
    Case("site-unclosed-quote", sub(SITE, "organisation: 示范县", 'organisation: "示范县'),
         at(SITE, 8, 1) + ".*起始于第 2 行第 15 列"),
    Case("site-colon-in-plain-text", sub(SITE, "description: 公布", "description: 说明: 公布"), at(SITE, 3, 16)),
    Case("site-anchor", sub(SITE, "contact:", "contact: &c"), at(SITE, 4, 10)),
    Case("site-alias", append(SITE, "description2: *c\n"), at(SITE, 8, 15)),
    Case("site-merge-key", sub(SITE, "  office:", "  <<: {office: x}\n  office:"), at(SITE, 5, 3)),
    Case("site-explicit-str-tag", sub(SITE, "title: 示范县", "title: !!str 示范县"), at(SITE, 1, 8)),
    Case("site-python-object-tag", sub(SITE, "title: 示范县机关效能考核结果公示",
                                       "title: !!python/object/apply:os.system [\"id\"]"), at(SITE, 1, 8)),
    Case("site-duplicate-key", append(SITE, "title: 另一个标题\n"), at(SITE, 8, 1)),
    Case("site-two-documents", append(SITE, "---\ntitle: 第二个文档\n"), at(SITE, 8, 1)),
    Case("site-billion-laughs", put(SITE, "title: x\norganisation: y\n" + LAUGHS), at(SITE, 3, 5)),
    Case("site-nesting-60-deep", sub(SITE, "description: 公布", "description: " + "[" * 60 + "x" + "]" * 60 + "\nx: 公布"),
         at(SITE, 3)),
    Case("site-title-is-a-list", sub(SITE, "title: 示范县机关效能考核结果公示", "title: [示范县, 公示]"), at(SITE, 1, 8)),
    Case("site-contact-is-text", sub(SITE, "contact:\n  office: 县效能办督查科\n", "contact: 县效能办督查科\nx:\n  office: 县效能办督查科\n"),
         at(SITE, 4, 10)),
    Case("site-unknown-key", append(SITE, "titel: 公示\n"), at(SITE, 8, 1)),
    Case("site-locale-typo", append(SITE, "locale: zh_CN\n"), at(SITE, 8, 9)),
    Case("site-sample-yaml11-yes", append(SITE, "sample: yes\n"), at(SITE, 8, 9)),
    Case("site-base-url-javascript", append(SITE, "base_url: javascript:alert(1)\n"), at(SITE, 8, 11)),
    Case("site-missing-organisation", sub(SITE, "organisation: 示范县机关效能建设领导小组办公室\n", ""), at(SITE, 1, 1)),
    Case("site-empty-file", put(SITE, b""), at(SITE)),
    Case("site-only-comments", put(SITE, "# title: 示范县\n# organisation: 县效能办\n"), at(SITE)),
    Case("site-top-level-list", put(SITE, "- title: 示范县\n- organisation: 县效能办\n"), at(SITE, 1, 1)),
    Case("site-bom-crlf-and-unknown-key", recode(SITE, "utf-8", crlf=True, bom=b"\xef\xbb\xbf",
                                                  then=append(SITE, "titel: 公示\n")), at(SITE, 8, 1)),
    Case("site-utf16", recode(SITE, "utf-16"), at(SITE, 1)),
    Case("site-gbk", recode(SITE, "gbk"), at(SITE, 1, 9)),  # 示 (CA BE) happens to be valid UTF-8; 范 is not
    Case("site-nul-byte", sub(SITE, "县效能办督查科", "县效能办\x00督查科"), at(SITE, 5, 15)),
    Case("site-organisation-yaml11-no", sub(SITE, "organisation: 示范县机关效能建设领导小组办公室", "organisation: no"), at(SITE, 2, 15)),
]

# ------------------------------------------------------------------ units.yaml
#  1 units:   2   - id: fgw   3     name: 县发展改革委   4     category: 综合管理部门
#  5   - id: czj   6     name: 县财政局   7     category: 综合管理部门
#  8   - id: jyj   9     name: 县教育体育局  10     category: 社会事业部门  11     former_names:
# 12       - name: 县教育局  13         until: "2017-12-31"  14   - id: wjw …  17   - id: sjj

UNIT_CASES = [
    Case("units-duplicate-id", sub(UNITS, "id: czj", "id: fgw"), at(UNITS, 5, 9)),
    Case("units-uppercase-id", sub(UNITS, "id: fgw", "id: FGW"), at(UNITS, 2, 9)),
    Case("units-chinese-id", sub(UNITS, "id: fgw", "id: 发改委"), at(UNITS, 2, 9)),
    Case("units-id-path-traversal", sub(UNITS, "id: fgw", 'id: "../fgw"'), at(UNITS, 2, 9)),
    Case("units-missing-name", sub(UNITS, "    name: 县财政局\n", ""), at(UNITS, 5, 5)),
    Case("units-name-is-a-mapping", sub(UNITS, "name: 县财政局", "name: {zh: 县财政局}"), at(UNITS, 6, 11)),
    Case("units-former-name-impossible-date", sub(UNITS, '"2017-12-31"', '"2017-02-30"'), at(UNITS, 13, 16)),
    Case("units-former-name-slash-date", sub(UNITS, '"2017-12-31"', "2017/12/31"), at(UNITS, 13, 16)),
    Case("units-unknown-key", sub(UNITS, "    name: 县财政局\n", "    name: 县财政局\n    nmae: 县财政局\n"), at(UNITS, 7, 5)),
    Case("units-unknown-parent", sub(UNITS, "    name: 县财政局\n", "    name: 县财政局\n    parent: zfb\n"), at(UNITS, 7, 13)),
    Case("units-empty-list", put(UNITS, "units: []\n"), at(UNITS, 1, 8)),
    Case("units-mapping-not-list", put(UNITS, "units:\n  fgw: 县发展改革委\n"), at(UNITS, 2, 3)),
    Case("units-tab", sub(UNITS, "    name: 县财政局", "\tname: 县财政局"), at(UNITS, 6, 1)),
    Case("units-alias", both(sub(UNITS, "category: 综合管理部门", "category: &g 综合管理部门"),
                             sub(UNITS, "category: 综合管理部门", "category: *g")), at(UNITS, 4, 15)),
    Case("units-zero-width-in-name", sub(UNITS, "name: 县财政局", "name: 县财政\u200b局"), at(UNITS, 6, 14)),
    Case("units-bidi-override-in-name", sub(UNITS, "name: 县财政局", "name: 县财政局\u202e"), at(UNITS, 6, 15)),
    Case("units-crlf-bom-duplicate-id", recode(UNITS, "utf-8", crlf=True, bom=b"\xef\xbb\xbf",
                                               then=sub(UNITS, "id: czj", "id: fgw")), at(UNITS, 5, 9)),
    Case("units-nested-registry-duplicate", put("units/more.yaml", "units:\n  - id: czj\n    name: 县财政局（重复）\n"),
         at("units/more.yaml", 2, 9)),
]

# ------------------------------------------------------------------ schemes/xiaoneng/v2017.yaml
#  6 issued: "2017-06-20"   8   from: "2017-07-01"   9   until: "2017-12-31"  10 total: "100"
# 12   kind: quarter  13 sample: true  26     units: [fgw, czj, sjj]  33     max: "40"
# 41           kind: per_person  45               per: "4"  49       - id: fuwu  56 - {id: good, …}
# 97     ranking: jidu  99       top: "1"

SCHEME_CASES = [
    Case("scheme-total-nan", sub(SCHEME, 'total: "100"', "total: .nan"), at(SCHEME, 10, 8)),
    Case("scheme-total-huge-exponent", sub(SCHEME, 'total: "100"', "total: 1e999999"), at(SCHEME, 10, 8)),
    Case("scheme-total-infinity", sub(SCHEME, 'total: "100"', "total: .inf"), at(SCHEME, 10, 8)),
    Case("scheme-max-negative", sub(SCHEME, 'max: "40"', 'max: "-40"'), at(SCHEME, 33, 10)),
    Case("scheme-issued-2017-02-30", sub(SCHEME, 'issued: "2017-06-20"', 'issued: "2017-02-30"'), at(SCHEME, 6, 9)),
    Case("scheme-effective-until-before-from", sub(SCHEME, 'until: "2017-12-31"', 'until: "2017-06-30"'), at(SCHEME, 8, 3)),
    Case("scheme-period-kind-typo", sub(SCHEME, "kind: quarter", "kind: quartr"), at(SCHEME, 12, 9)),
    Case("scheme-rule-kind-unknown", sub(SCHEME, "kind: per_person", "kind: per_persn"), at(SCHEME, 41, 17)),
    Case("scheme-points-in-chinese", sub(SCHEME, 'points: "20"', 'points: "二十"'), at(SCHEME, 56, 43)),
    Case("scheme-group-unknown-unit", sub(SCHEME, "units: [fgw, czj, sjj]", "units: [fgw, czj, sjj, zfb]"), at(SCHEME, 26, 28)),
    Case("scheme-duplicate-indicator-id", sub(SCHEME, "- id: fuwu", "- id: jilv"), at(SCHEME, 49, 13)),
    Case("scheme-honour-unknown-ranking", sub(SCHEME, "ranking: jidu", "ranking: niandu"), at(SCHEME, 97, 14)),
    Case("scheme-select-top-negative", sub(SCHEME, 'top: "1"', 'top: "-1"'), at(SCHEME, 99, 12)),
    Case("scheme-per-person-infinity", sub(SCHEME, 'per: "4"', "per: .inf"), at(SCHEME, 45, 20)),
    Case("scheme-sample-yaml11-yes", sub(SCHEME, "sample: true", "sample: yes"), at(SCHEME, 13, 9)),
    Case("scheme-unknown-indicator-key", sub(SCHEME, '    max: "40"\n', '    max: "40"\n    weight: "2"\n'), at(SCHEME, 34, 5)),
    Case("scheme-empty-indicators", lambda root: (root / SCHEME).write_text(
        (root / SCHEME).read_text("utf-8").split("indicators:\n")[0] + "indicators: []\n", "utf-8"), at(SCHEME, 30, 13)),
    Case("scheme-deep-nesting", sub(SCHEME, "preamble: |", "deep: " + "{a: " * 55 + "x" + "}" * 55 + "\npreamble: |"),
         at(SCHEME, 14)),
    Case("scheme-anchor-on-indicator", sub(SCHEME, "  - id: zuofeng", "  - &zf\n    id: zuofeng"), at(SCHEME, 31, 5)),
    Case("scheme-share-above-one", sub(SCHEME, '      top: "1"', '      share: "99999999999999999999999999999999999"'),
         at(SCHEME, 99, 14)),  # was a ValueError traceback from ranking/selection.py (found by fuzzing)
    Case("scheme-rounding-places-40", sub(SCHEME, "sample: true", 'rounding: {places: "40"}'), at(SCHEME, 13, 20)),
    Case("scheme-copy-beside-the-original", lambda root: (root / "schemes/xiaoneng/v2017.yml").write_bytes(
        (root / SCHEME).read_bytes()),
         r"(?m)^schemes/xiaoneng/v2017\.yml(:\d+:\d+)?: (?=[^\n]*schemes/xiaoneng/v2017\.yaml)"
         r"(?=[^\n]*(请删除副本|delete the copy) schemes/xiaoneng/v2017\.yml(?!\w))"),
]

# one message line, at the copy, that names both files and tells to delete the copy (not the original)
BOTH_COPIES = (r"(?m)^scores/xiaoneng/2017-Q3 - 副本\.yaml(:\d+:\d+)?: (?=[^\n]*scores/xiaoneng/2017-Q3\.yaml)"
               r"(?=[^\n]*(请删除副本|delete the copy) scores/xiaoneng/2017-Q3 - 副本\.yaml)")

# ------------------------------------------------------------------ scores/xiaoneng/2017-Q3.yaml
#  1 scheme: xiaoneng   2 version: v2017   3 period: 2017-Q3   4 status: published
#  8   date: "2017-10-16"  10   body: notices/2017-q3.md  12   fgw:  14       jilv:
# 16           - rank: staff  18             date: "2017-08-03"  20       fuwu: good
# 21       tuijin: "55"  27       koufen: "0"  28   czj:  39           - date: "2017-08-21"

PERIOD_CASES = [
    Case("period-status-typo", sub(Q3, "status: published", "status: publishd"), at(Q3, 4, 9)),
    Case("period-status-chinese", sub(Q3, "status: published", "status: 已发布"), at(Q3, 4, 9)),
    Case("period-unknown-period-id", sub(Q3, "period: 2017-Q3", "period: 2017-Q5"), at(Q3, 3, 9)),
    Case("period-outside-scheme-dates", sub(Q3, "period: 2017-Q3", "period: 2017-Q2"), at(Q3, 3, 9)),
    Case("period-unknown-version", sub(Q3, "version: v2017", "version: v2099"), at(Q3, 2, 10)),
    Case("period-unknown-scheme", sub(Q3, "scheme: xiaoneng", "scheme: xiaonen"), at(Q3, 1, 9)),
    Case("period-version-yaml11-float", sub(Q3, "version: v2017", "version: 2017.10"), at(Q3, 2, 10)),
    Case("period-notice-date-2017-02-30", sub(Q3, 'date: "2017-10-16"', 'date: "2017-02-30"'), at(Q3, 8, 9)),
    Case("period-unknown-unit", sub(Q3, "  fgw:\n", "  fgx:\n"), at(Q3, 12, 3)),
    Case("period-unknown-indicator", sub(Q3, "      jilv:\n", "      jilu:\n"), at(Q3, 14, 7)),
    Case("period-unknown-level", sub(Q3, "fuwu: good", "fuwu: great"), at(Q3, 20, 13)),
    Case("period-unknown-rank", sub(Q3, "rank: staff", "rank: intern"), at(Q3, 16, 19)),
    Case("period-points-nan", sub(Q3, 'tuijin: "55"', "tuijin: .nan"), at(Q3, 21, 15)),
    Case("period-points-huge-exponent", sub(Q3, 'tuijin: "55"', "tuijin: 1e999999"), at(Q3, 21, 15)),
    Case("period-points-above-max", sub(Q3, 'tuijin: "55"', 'tuijin: "61"'), at(Q3, 21, 15)),
    Case("period-points-negative", sub(Q3, 'tuijin: "55"', 'tuijin: "-5"'), at(Q3, 21, 15)),
    Case("period-points-full-width-digits", sub(Q3, 'tuijin: "55"', "tuijin: ５５"), at(Q3, 21, 15)),
    Case("period-points-yaml11-octal", sub(Q3, 'tuijin: "55"', "tuijin: 0o55"), at(Q3, 21, 15)),
    Case("period-negative-count", sub(Q3, 'koufen: "0"', 'koufen: "-1"'), at(Q3, 27, 15)),
    Case("period-event-date-2017-02-30", sub(Q3, 'date: "2017-08-21"', 'date: "2017-02-30"'), at(Q3, 39, 19)),
    Case("period-missing-status", sub(Q3, "status: published\n", ""), at(Q3, 1, 1)),
    Case("period-body-missing-file", sub(Q3, "body: notices/2017-q3.md", "body: notices/2017-q9.md"), at(Q3, 10, 9)),
    Case("period-body-path-traversal", sub(Q3, "body: notices/2017-q3.md", "body: ../../../../etc/passwd"), at(Q3, 10, 9)),
    Case("period-duplicate-unit-key", sub(Q3, "  jyj:\n", "  czj:\n"), at(Q3, 42, 3)),
    Case("period-public-notice-without-window", sub(Q3, "status: published", "status: public_notice"), at(Q3, 1, 1)),
    Case("period-bom-crlf-and-status-typo", recode(Q3, "utf-8", crlf=True, bom=b"\xef\xbb\xbf",
                                                   then=sub(Q3, "status: published", "status: publishd")), at(Q3, 4, 9)),
    Case("period-gbk", recode(Q3, "gbk"), at(Q3, 7, 13)),  # 示效 happen to be valid UTF-8; 办 is not
    Case("period-utf16-without-bom", recode(Q3, "utf-16-le"), at(Q3, 7, 26)),
    Case("period-empty", put(Q3, b"\n\n"), at(Q3)),
    Case("period-same-period-twice", lambda root: (root / "scores/xiaoneng/2017-Q3 - 副本.yaml").write_bytes(
        (root / Q3).read_bytes()), BOTH_COPIES),
    Case("period-correction-date-invalid", sub(Q4, 'date: "2018-01-22"', 'date: "2018-13-22"'), at(Q4, 11, 11)),
    Case("period-veto-unknown-id", sub(Q4, "id: jilv-chufen", "id: jilv-chufa"), at(Q4, 43, 13)),
    Case("period-exempt-status-typo", sub(Q4, "status: exempt", "status: exampt"), at(Q4, 34, 13)),
]

# ------------------------------------------------------------------ content/ and the lock

CONTENT_CASES = [
    Case("body-gbk", recode(BODY, "gbk"), at(BODY, None)),
    Case("body-symlink-outside-project", lambda root: ((root / BODY).unlink(), (root / BODY).symlink_to("/etc/hostname")),
         at(BODY, None) + "|" + at(Q3, 10)),
]

LOCK_CASES = [
    Case("lock-not-json", put(LOCK, "{\n"), at(LOCK), locked=True),
    Case("lock-empty", put(LOCK, b""), at(LOCK), locked=True),
    Case("lock-utf16", recode(LOCK, "utf-16"), at(LOCK), locked=True),
    Case("lock-periods-is-a-list", lock_edit(lambda d: d.update(periods=[])), at(LOCK), locked=True),
    Case("lock-version-is-null", lock_edit(lambda d: d["periods"]["xiaoneng/2017-Q3"]["versions"].insert(0, None)),
         at(LOCK), locked=True),
    Case("lock-n-is-huge-exponent", lock_sub('"n": 1', '"n": 1e999999'), at(LOCK), locked=True),
    Case("lock-deep-nesting", put(LOCK, "[" * 100_000 + "]" * 100_000), at(LOCK), locked=True),
    Case("lock-archive-path-outside", lock_sub('"path": "published/xiaoneng/2017-Q3/v1.yaml"',
                                               '"path": "published/../scores/xiaoneng/2017-Q3.yaml"'), at(LOCK), locked=True),
    Case("lock-corrections-lowered", lock_edit(lambda d: d["periods"]["xiaoneng/2017-Q4"].update(corrections=0)),
         at(LOCK) + "|" + at(Q4), locked=True),
]

def _forged_archive_body(root: Path) -> None:
    """2017-Q3 corrected and locked as version 2; then v1's archived body replaced by bytes that
    are not UTF-8, and the lock's SHA-256 forged to match (a determined forger)."""
    import hashlib

    from site_builder.site.records.lock.update import update_lock

    sub(Q3, 'tuijin: "56.5"', 'tuijin: "50"')(root)
    append(Q3, 'corrections:\n  - date: "2017-10-20"\n    reason: 录入错误，经复核更正。\n')(root)
    update_lock(root)
    body = root / "published/xiaoneng/2017-Q3/v1.body.md"
    data = b"\x80" + body.read_bytes()
    body.write_bytes(data)

    def forge(t: object) -> None:
        if isinstance(t, dict):
            if t.get("path") == "published/xiaoneng/2017-Q3/v1.body.md":
                t["sha256"] = hashlib.sha256(data).hexdigest()
            for v in t.values():
                forge(v)
        elif isinstance(t, list):
            for v in t:
                forge(v)

    lock_edit(forge)(root)


LOCK_CASES += [
    Case("lock-n-is-a-list-holding-a-float", lock_sub('"n": 1,', '"n": [1.5],'), r"published\.lock:\d+:\d+", locked=True),
    Case("archive-body-not-utf8-lock-forged", _forged_archive_body,
         r"published/xiaoneng/2017-Q3/v1\.body\.md", locked=True),
]

CASES = SITE_CASES + UNIT_CASES + SCHEME_CASES + PERIOD_CASES + CONTENT_CASES + LOCK_CASES


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


def test_case_ids_are_distinct() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 50


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_refused(tmp_path: Path, case: Case) -> None:
    refused(tmp_path, case.mutate, case.where, locked=case.locked)
