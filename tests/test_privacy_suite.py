"""The privacy suite: personal numbers in every writing, every field and every output kind.

Three layers are tested:

- the finder (:func:`personal_numbers.find_numbers`, :func:`personal_numbers.locate_numbers`):
  every common writing of an ID, mobile and card number is found, with its
  line and column as written; dates, 文号, 索引号, hashes, decimals and office
  landlines are not;
- the output scan (:func:`privacy.scan`): a number in any output kind (HTML
  split by tags or written as entities, CSV, XLSX sheet XML, JSON and JS with
  ``\\u`` escapes, feed, sitemap, manifest) is found and located at its source;
- end to end: a number in any field is refused by ``check`` and ``build`` at
  its file, line and column with nothing written; with that first check
  switched off, the safety net over the outputs still refuses it, and it
  finds the number in every output kind the field reaches; a registered
  person's name is masked in every field and every output kind.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.cli import main
from site_builder.site.output import personal_names, personal_numbers, privacy, scan_text
from site_builder.site.build import build_site
from site_builder.site.failures import SiteError

FIXTURE = Path(__file__).resolve().parent / "site" / "fixtures" / "basic"
sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))

ID18 = "11010519491231002X"  # check digit X (GB 11643)
ID18_DIGIT = "440524188001010014"  # check digit 4
ID15 = "110105491231002"  # first generation: 110105 491231 002
MOBILE = "13812345678"
CARD19 = "6222021234567890128"  # Luhn-valid, 19 digits
CARD16 = "4111111111111111"  # Luhn-valid, 16 digits

FW = str.maketrans("0123456789Xx-", "０１２３４５６７８９ＸＸ－")


def fullwidth(text: str) -> str:
    return text.translate(FW)


# ---------------------------------------------------------------- writings

WRITINGS = [
    # (writing, kind, canonical number)
    (ID18, "id_card", ID18),
    (ID18.lower(), "id_card", ID18),
    (ID18_DIGIT, "id_card", ID18_DIGIT),
    (fullwidth(ID18), "id_card", ID18),
    (fullwidth(ID18.lower()), "id_card", ID18),
    ("110105 19491231 002X", "id_card", ID18),
    ("110105-19491231-002X", "id_card", ID18),
    ("110105\u300019491231\u3000002X", "id_card", ID18),
    ("110105\u00a019491231\u00a0002x", "id_card", ID18),
    ("1101 0519 4912 3100 2X", "id_card", ID18),
    ("110105–1949–1231–002X", "id_card", ID18),
    ("1101051949\u200b1231002X", "id_card", ID18),
    ("110105 1949 1231 002X", "id_card", ID18),
    (ID15, "id_card", ID15),
    ("110105 491231 002", "id_card", ID15),
    ("110105-491231-002", "id_card", ID15),
    (fullwidth(ID15), "id_card", ID15),
    (MOBILE, "mobile", MOBILE),
    ("138 1234 5678", "mobile", MOBILE),
    ("138-1234-5678", "mobile", MOBILE),
    ("138.1234.5678", "mobile", MOBILE),
    ("138 - 1234 - 5678", "mobile", MOBILE),
    ("138—1234—5678", "mobile", MOBILE),
    ("138\u30001234\u30005678", "mobile", MOBILE),
    ("138\u00a01234\u00a05678", "mobile", MOBILE),
    ("1381234 5678", "mobile", MOBILE),
    ("138 12345678", "mobile", MOBILE),
    ("+86 138 1234 5678", "mobile", MOBILE),
    ("+86-138-1234-5678", "mobile", MOBILE),
    ("+86 13812345678", "mobile", MOBILE),
    ("+8613812345678", "mobile", MOBILE),
    ("0086 13812345678", "mobile", MOBILE),
    ("0086-138-1234-5678", "mobile", MOBILE),
    ("008613812345678", "mobile", MOBILE),
    ("(+86)13812345678", "mobile", MOBILE),
    ("(+86) 138 1234 5678", "mobile", MOBILE),
    ("（＋86）13812345678", "mobile", MOBILE),
    (fullwidth(MOBILE), "mobile", MOBILE),
    (fullwidth("138-1234-5678"), "mobile", MOBILE),
    ("１３８ １２３４ ５６７８", "mobile", MOBILE),
    ("138\u200b1234\u200b5678", "mobile", MOBILE),
    ("138\u00ad1234\u00ad5678", "mobile", MOBILE),
    ("TEL13812345678", "mobile", MOBILE),
    ("a13812345678", "mobile", MOBILE),
    (CARD19, "bank_card", CARD19),
    ("6222 0212 3456 7890 128", "bank_card", CARD19),
    ("6222-0212-3456-7890-128", "bank_card", CARD19),
    ("6222\u30000212\u30003456\u30007890\u3000128", "bank_card", CARD19),
    (fullwidth("6222 0212 3456 7890 128"), "bank_card", CARD19),
    (fullwidth(CARD19), "bank_card", CARD19),
    ("622202 1234567890128", "bank_card", CARD19),
    (CARD16, "bank_card", CARD16),
    ("4111 1111 1111 1111", "bank_card", CARD16),
    ("4111-1111-1111-1111", "bank_card", CARD16),
]


@pytest.mark.parametrize(("writing", "kind", "number"), WRITINGS)
def test_every_writing_is_found_inside_chinese_text(writing, kind, number):
    text = f"经核实，联系人（{writing}）已告知。"
    assert personal_numbers.find_numbers(text) == [(kind, number)]


@pytest.mark.parametrize(("writing", "kind", "number"), WRITINGS)
def test_every_writing_is_located_where_it_is_written(writing, kind, number):
    text = f"units:\n  fgw:\n    note: 联系人{writing}，请回电\n"
    # a country code before the number is not part of it: the location is the number itself
    first = re.search(r"[0-9０-９]", writing).start()
    prefix = re.match(r"^(?:\+86[- ]|0086[- ]|\(\+86\) ?|（＋86）)", writing)
    offset = prefix.end() if prefix and kind == "mobile" else first
    assert personal_numbers.locate_numbers(text) == [(kind, number, 3, len("    note: 联系人") + offset + 1)]


def test_a_number_at_the_start_of_a_crlf_line_with_a_bom():
    text = "\ufeffa: 1\r\nnote: x\r\n138 1234 5678\r\n"
    assert personal_numbers.locate_numbers(text[1:]) == [("mobile", MOBILE, 3, 1)]


def test_several_numbers_in_one_text_each_found_once():
    text = f"身份证 {ID18}，手机 138-1234-5678，卡号 6222 0212 3456 7890 128；旧证 {ID15}。"
    assert personal_numbers.find_numbers(text) == [
        ("id_card", ID18),
        ("mobile", MOBILE),
        ("bank_card", CARD19),
        ("id_card", ID15),
    ]


NOT_PERSONAL = [
    "2017-08-03",
    "2017年8月3日",
    "2017-08-03—2017-08-10",
    "2017-08-03 至 2017-08-10",
    "2017.08.03-2017.08.10",
    "2017/08/03",
    "淮软建办〔2017〕23号",
    "示效办〔2017〕9号",
    "索引号 003412345/2017-00009",
    "索引号：11320800014211000X/2017-00009",
    "sha256: " + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "commit 3e8b60e8c1c3a5e7b72b882692416d989976169a",
    "assets/search.6666982c65.js",
    "85.50",
    "得分 85.50，排名 3，较上期 +1.25",
    "13.5 12.5 14.5 9.66 18",
    "第1名 第2名 第3名 第4名 第5名 第6名 第7名 第8名 第9名 第10名 第11名",
    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
    "0551-12345678",
    "电话：0551-6288 1234",
    "12345678901",  # 11 digits, not 1[3-9]
    "110105194912310021",  # wrong check digit
    "110105194902300026",  # 30 February
    "990105194912310023",  # no such province
    "6222021234567890129",  # fails Luhn
    "1222021234567890128",  # Luhn-valid, but no card network starts with 1
    "9222021234567890122",  # nor with 9
    "138123456789",  # 12 digits
    "23813812345678",  # a mobile inside a longer run is not a mobile
    "003412345201700009",  # an 18-digit code that is no ID
    "1,234,567.89 元",
    "12:30-13:45",
    "v1.2.3",
    "M120.5 345.25 L130.75 360 Z",
    "urn:uuid:d279afa4-d198-5514-8484-7fc9d80e912e",  # found in a feed: 198 5514 8484
    "urn:uuid:12345678-1985-5148-4123-123456789012",
    "sha256 9f86d0818138123456786c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "ab13812345678",  # two hex letters: a hash's tail, not a number
]


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_official_numbers_dates_hashes_and_decimals_are_not_flagged(text):
    assert personal_numbers.find_numbers(f"关于{text}的说明") == []


# ---------------------------------------------------------------- property


def _id18(draw) -> str:
    province = draw(st.sampled_from(sorted(personal_numbers._PROVINCES)))
    region = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(st.dates(min_value=__import__("datetime").date(1900, 1, 1), max_value=__import__("datetime").date(2025, 12, 31)))
    seq = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    body = f"{province}{region}{born:%Y%m%d}{seq}"
    total = sum(int(d) * w for d, w in zip(body, personal_numbers._ID_WEIGHTS, strict=True))
    return body + personal_numbers._ID_CHECK[total % 11]


def _luhn_complete(body: str) -> str:
    for d in "0123456789":
        if personal_numbers.luhn(body + d):
            return body + d
    raise AssertionError


SEPARATORS = [" ", "-", "\u3000", "\u00a0", "–", "—", ".", "_", " - ", "\u2009", "－", "\u200b"]
CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=12)


@st.composite
def written_number(draw):
    kind = draw(st.sampled_from(["id_card", "mobile", "bank_card"]))
    if kind == "id_card":
        number = _id18(draw)
        shape = draw(st.sampled_from([(18,), (6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2), (3, 3, 4, 4, 4)]))
    elif kind == "mobile":
        number = "1" + draw(st.sampled_from("3456789")) + draw(st.from_regex(r"[0-9]{9}", fullmatch=True))
        shape = draw(st.sampled_from([(11,), (3, 4, 4), (3, 8), (7, 4), (4, 3, 4)]))
    else:
        length = draw(st.integers(16, 19))
        body = draw(st.sampled_from("3456")) + draw(st.from_regex(rf"[0-9]{{{length - 2}}}", fullmatch=True))
        number = _luhn_complete(body)
        shape = draw(st.sampled_from([(length,), (6, length - 6), (4,) * (length // 4) + ((length % 4,) if length % 4 else ())]))
    parts, i = [], 0
    for n in shape:
        parts.append(number[i : i + n])
        i += n
    out = parts[0]
    for p in parts[1:]:
        out += draw(st.sampled_from(SEPARATORS)) + p
    out = "".join(fullwidth(c) if draw(st.booleans()) else c for c in out)
    if number.endswith("X") and draw(st.booleans()):
        out = out[:-1] + draw(st.sampled_from(["x", "Ｘ", "ｘ"]))
    if kind == "mobile":
        out = draw(st.sampled_from(["", "+86 ", "+86-", "0086", "0086 ", "(+86)", "（＋86）"])) + out
    return kind, number, out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written_number(), CJK, CJK)
def test_property_any_valid_number_however_written_is_found(found, before, after):
    kind, number, writing = found
    text = before + writing + after
    # (a card number may also be a valid ID number: found either way, as one of them)
    assert number in [n for _, n in personal_numbers.find_numbers(text)], (writing, personal_numbers.find_numbers(text))
    located = personal_numbers.locate_numbers("note:\n  " + text)
    assert any(n == number and line == 2 for _, n, line, _ in located)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False), max_size=30), st.sampled_from([" ", "、", "，", " | ", "\n"]))
def test_property_lists_of_scores_are_never_personal_numbers(scores, sep):
    text = sep.join(format(s, "f") for s in scores)
    assert personal_numbers.find_numbers(text) == []


# ---------------------------------------------------------------- output kinds


def _xlsx(cells: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        strings = "".join(f"<si><t>{c}</t></si>" for c in cells)
        z.writestr("xl/sharedStrings.xml", f'<sst count="{len(cells)}">{strings}</sst>')
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>85.5</v></c></row></sheetData></worksheet>')
    return buf.getvalue()


SOURCE = {"scores/x/2017-Q3.yaml": "scheme: x\nunits:\n  fgw:\n    note: 联系人 138-1234-5678\n".encode()}

OUTPUTS = {
    "page.html": "<p>联系人 138-1234-5678</p>",
    "split.html": "<p>联系人 <b>138</b>-<span>1234</span>-5678</p>",
    "entities.html": "<p>联系人 &#49;38&#x2d;1234&nbsp;5678</p>",
    "comment.html": "<p>联系人 138<!-- -->12345678</p>",
    "table.csv": "\ufeff单位,备注\r\n县发改委,联系人 138-1234-5678\r\n",
    "data.json": '{"note": "\\u8054\\u7cfb\\u4eba 138-1234-5678"}',
    "escaped.json": '{"note": "\\u0031\\u0033\\u0038\\u0031\\u0032\\u0033\\u0034\\u0035\\u0036\\u0037\\u0038"}',
    "search.js": 'window.SB_UNITS=[{"n":"138\\u00a01234\\u00a05678"}];',
    "feed.xml": "<feed><entry><summary>联系人 138-1234-5678</summary></entry></feed>",
    "sitemap.xml": "<urlset><url><loc>https://x.example/units/13812345678/</loc></url></urlset>",
    "manifest.json": '{"sources": {"scores/13812345678.yaml": "9f86d0"}}',
    "scheme.yaml": "note: 联系人 138-1234-5678\n",
    "plain.txt": "联系人 138-1234-5678",
}


@pytest.mark.parametrize("page", sorted(OUTPUTS))
def test_the_output_scan_reads_every_text_output_kind(page):
    files = {page: OUTPUTS[page].encode("utf-8")}
    findings = privacy.scan(files, SOURCE)
    # the number as written in the source, masked
    assert [(f.kind, f.text, f.page) for f in findings] == [("mobile", "138-****-5678", page)]
    assert findings[0].mark == privacy.Mark("scores/x/2017-Q3.yaml", 4, 15)


@pytest.mark.parametrize(
    "cell",
    ["联系人 138-1234-5678", "联系人 １３８１２３４５６７８", "138&#160;1234&#160;5678", "联系人<r><t>138</t></r><r><t>12345678</t></r>"],
)
def test_the_output_scan_reads_the_xlsx_sheets(cell):
    findings = privacy.scan({"t.xlsx": _xlsx([cell])}, SOURCE)
    assert [(f.kind, f.text) for f in findings] == [("mobile", "138-****-5678")]


def test_a_path_of_an_output_is_scanned_too():
    findings = privacy.scan({"units/13812345678/index.html": b"<p>x</p>"}, {})
    assert [(f.kind, f.page, f.mark) for f in findings] == [("mobile", "units/13812345678/index.html", None)]


def test_images_are_not_read_as_text():
    assert privacy.scan({"a.png": MOBILE.encode()}, {}) == []


def test_a_number_not_written_in_any_source_is_located_by_its_digits():
    sources = {"a.yaml": "x: 1\n".encode(), "b.md": "电话 1 3 8 1 2 3 4 5 6 7 8\n".encode()}
    findings = privacy.scan({"p.html": b"<p>13812345678</p>"}, sources)
    assert [(f.mark, f.sources) for f in findings] == [(privacy.Mark("b.md"), ("b.md",))]


# ---------------------------------------------------------------- names


def test_mask_and_redact_names():
    assert personal_names.mask_name("张三") == "张*"
    assert personal_names.mask_name(" 欧阳小明 ") == "欧***"
    names = ["小明", "欧阳小明", "张三", "王"]
    assert personal_names.redact_names("欧阳小明、小明和张三、王五", names) == "欧***、小*和张*、王五"


def test_redact_archive_keeps_yaml_valid_and_every_other_byte():
    data = "\ufeffunits:\r\n  fgw:  # 张三 的记录\r\n    note: \"张三与欧阳小明\"\r\n    people: [{name: 张三}, {name: '欧阳小明'}]\r\n".encode()
    out = personal_names.redact_archive(data, ["张三", "欧阳小明", "小明", "王"])
    assert out == "\ufeffunits:\r\n  fgw:  # 张* 的记录\r\n    note: \"张*与欧***\"\r\n    people: [{name: 张*}, {name: '欧***'}]\r\n".encode()
    assert yaml.safe_load(out.decode("utf-8-sig"))["units"]["fgw"]["people"] == [{"name": "张*"}, {"name": "欧***"}]
    assert personal_names.redact_archive(out, ["张三", "欧阳小明"]) == out  # stable
    assert personal_names.redact_archive(data, []) == data


# ---------------------------------------------------------------- end to end


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text("utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")


def _units(d, uid):
    return d["units"][uid]


# Every field kind a person's number (or name) may be written in, and the
# output kinds its text reaches.  (file, change(doc, text), outputs reached)
FIELDS = {
    "unit_note": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["units"]["sjj"].update(note=t), {"html"}),
    "exempt_reason": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: (d["units"]["jyj"].pop("facts"), d["units"]["jyj"].update(status="exempt", reason=t)), {"html", "csv", "xlsx", "json"}),
    "unit_name": ("units.yaml", lambda d, t: d["units"][1].update(name="县财政局" + t), {"html", "csv", "xlsx", "json", "js"}),
    "fact_note": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["units"]["fgw"]["facts"]["jilv"]["people"][0].update(note=t), {"html"}),
    "event_title": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["units"]["sjj"]["facts"]["koufen"]["events"][0].update(title=t), {"html"}),
    "event_note": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["units"]["sjj"]["facts"]["koufen"]["events"][0].update(note=t), {"html"}),
    # not shown on any page today, but in the repository and the archive: refused all the same
    "event_evidence": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["units"]["sjj"]["facts"]["koufen"]["events"][0].update(evidence=t), set()),
    "award_title": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["units"]["fgw"]["facts"]["jiafen"]["awards"][0].update(title=t), {"html"}),
    "veto_reason": ("scores/xiaoneng/2017-Q4.yaml", lambda d, t: next(u for u in d["units"].values() if u.get("vetoes"))["vetoes"][0].update(reason=t), {"html"}),
    "correction_reason": ("scores/xiaoneng/2017-Q4.yaml", lambda d, t: d["corrections"][0].update(reason=t), {"html"}),
    "notice_title": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["notice"].update(title=t), {"html", "xml"}),
    "notice_number": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["notice"].update(number=t), {"html"}),
    "notice_index": ("scores/xiaoneng/2017-Q3.yaml", lambda d, t: d["notice"].update(index_number=t), {"html"}),
    "site_description": ("site.yaml", lambda d, t: d.update(description=t), {"html"}),
    "site_contact": ("site.yaml", lambda d, t: d["contact"].update(office=t), {"html"}),
}


def _put(root: Path, field: str, text: str) -> Path:
    rel, change, _ = FIELDS[field]
    _edit(root / rel, lambda d: change(d, text))
    return root / rel


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("writing", ["138 1234 5678", fullwidth("110105-19491231-002X"), "6222-0212-3456-7890-128"])
def test_a_number_in_any_field_is_refused_by_check_and_build_at_its_line(tmp_path, field, writing):
    root = _project(tmp_path)
    path = _put(root, field, f"请联系{writing}")
    rel = path.relative_to(root).as_posix()
    line = _line_of(path, writing)
    runner = CliRunner()
    for args in (["check"], ["build", "--quiet"]):
        r = runner.invoke(main, [*args, "--root", str(root)], env={"SOURCE_DATE_EPOCH": None})
        assert r.exit_code == 1, r.output
        assert "Traceback" not in r.output
        assert re.search(rf"^{re.escape(rel)}:{line}:\d+: 这里有(手机号|身份证号|银行卡号)", r.output, re.M), r.output
    assert not (root / "_site").exists()


def _scan_only_outputs(monkeypatch):
    """Switch the source check off, and record what the output scan saw."""
    from site_builder.site import render_pool

    monkeypatch.setattr(privacy, "source_problems", lambda root, project: privacy.Problems())
    seen: dict[str, bytes] = {}
    original = render_pool.privacy_findings

    def recording(files, sources, names=()):
        seen.update(files)
        return original(files, sources, names)

    monkeypatch.setattr(render_pool, "privacy_findings", recording)
    return seen


def _kind(path: str) -> str:
    return path.rsplit(".", 1)[-1]


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("writing", ["138 1234 5678", "１１０１０５１９４９１２３１００２Ｘ", "6222 0212 3456 7890 128"])
def test_the_safety_net_alone_finds_it_in_every_output_kind_the_field_reaches(tmp_path, monkeypatch, field, writing):
    root = _project(tmp_path)
    path = _put(root, field, f"请联系{writing}")
    rel = path.relative_to(root).as_posix()
    seen = _scan_only_outputs(monkeypatch)
    if not FIELDS[field][2]:  # published nowhere: nothing for the safety net to find
        build_site(root, root / "_site", quiet=True)
        assert privacy.scan(seen, {}) == []
        return
    with pytest.raises(SiteError) as err:
        build_site(root, root / "_site", quiet=True)
    message = err.value.message
    assert re.search(rf"^{re.escape(rel)}:{_line_of(path, writing)}:\d+: 生成的 \S+ 含有", message, re.M), message
    assert not (root / "_site").exists()
    flagged = {_kind(f.page) for f in privacy.scan(seen, {})}
    assert FIELDS[field][2] <= flagged, (field, flagged)


def test_the_safety_net_finds_a_number_in_the_body_markdown_and_the_theme(tmp_path, monkeypatch):
    root = _project(tmp_path)
    body = root / "content/notices/2017-q3.md"
    body.write_text(body.read_text("utf-8") + "\n联系电话 **138**-1234-5678。\n", "utf-8")
    seen = _scan_only_outputs(monkeypatch)
    with pytest.raises(SiteError) as err:
        build_site(root, root / "_site", quiet=True)
    n = len(body.read_text("utf-8").splitlines())
    assert f"content/notices/2017-q3.md:{n}:" in err.value.message
    assert "notices/xiaoneng/2017-Q3/index.html" in {f.page for f in privacy.scan(seen, {})}


def test_a_number_only_the_theme_writes_is_refused_by_the_output_scan(tmp_path):
    from site_builder.site.build import PACKAGE_THEME

    root = _project(tmp_path)
    shutil.copytree(PACKAGE_THEME, root / "theme")
    footer = next((root / "theme/templates").glob("base.html"))
    footer.write_text(footer.read_text("utf-8").replace("</body>", "<p>值班 138 1234 5678</p></body>"), "utf-8")
    with pytest.raises(SiteError) as err:
        build_site(root, root / "_site", quiet=True)
    assert "生成的 404.html 含有手机号“138****5678”" in err.value.message or "含有手机号“138****5678”" in err.value.message
    assert not (root / "_site").exists()


# -- names


NAME_FIELDS = sorted(FIELDS)


def _all_text(out: Path) -> dict[str, str]:
    texts = {}
    for p in sorted(out.rglob("*")):
        if p.is_file():
            t = scan_text.output_text(p.name, p.read_bytes())
            if t is not None:
                texts[p.relative_to(out).as_posix()] = t
    return texts


@pytest.mark.parametrize("field", NAME_FIELDS)
def test_a_registered_name_is_masked_in_every_field_and_output(tmp_path, field):
    root = _project(tmp_path)
    _put(root, field, "经张三同志核实（李四复核）")
    out = root / "_site"
    build_site(root, out, quiet=True)
    texts = _all_text(out)
    leaked = [p for p, t in texts.items() if "张三" in t or "李四" in t]
    assert leaked == []
    shown = {_kind(p) for p, t in texts.items() if "经张*同志核实（李*复核）" in t}
    assert FIELDS[field][2] <= shown, (field, shown)


def test_a_registered_name_is_masked_in_the_unit_name_and_the_body(tmp_path):
    root = _project(tmp_path)
    _edit(root / "units.yaml", lambda d: d["units"][1].update(name="县财政局（张三工作室）"))
    body = root / "content/notices/2017-q3.md"
    body.write_text(body.read_text("utf-8") + "\n感谢张三、李四同志。\n", "utf-8")
    out = root / "_site"
    build_site(root, out, quiet=True)
    texts = _all_text(out)
    assert [p for p, t in texts.items() if "张三" in t or "李四" in t] == []
    notice = texts["notices/xiaoneng/2017-Q3/index.html"]
    assert "感谢张*、李*同志。" in notice  # the escaped mask is not read as Markdown emphasis
    assert "县财政局（张*工作室）" in notice
    assert "县财政局（张*工作室）" in texts["notices/xiaoneng/2017-Q3/xiaoneng-2017-Q3.csv"]
    assert "县财政局（张*工作室）" in texts["notices/xiaoneng/2017-Q3/xiaoneng-2017-Q3.xlsx"]
    assert "县财政局（张*工作室）" in texts[next(p for p in texts if p.startswith("assets/search."))]


def test_names_are_shown_when_every_scheme_declares_a_legal_basis(tmp_path):
    root = _project(tmp_path)
    for v in ("v2017", "v2018"):
        _edit(root / f"schemes/xiaoneng/{v}.yaml", lambda d: d.update(personal_data={"publish_names": "true", "legal_basis": "《某某条例》第十条"}))
    _put(root, "unit_note", "经张三同志核实")
    out = root / "_site"
    build_site(root, out, quiet=True)
    assert "经张三同志核实" in (out / "units/sjj/xiaoneng/2017-Q3/index.html").read_text("utf-8")


def test_the_name_safety_net_refuses_a_name_that_is_not_masked(tmp_path):
    """A name the masking cannot reach (the scheme's own YAML is published as written)."""
    root = _project(tmp_path)
    _edit(root / "schemes/xiaoneng/v2017.yaml", lambda d: d.update(preamble="由张三同志负责解释。"))
    with pytest.raises(SiteError) as err:
        build_site(root, root / "_site", quiet=True)
    line = _line_of(root / "schemes/xiaoneng/v2017.yaml", "张三")
    assert f"schemes/xiaoneng/v2017.yaml:{line}:" in err.value.message
    assert "含有未遮盖的人员姓名“张*”" in err.value.message
    assert "张三" not in err.value.message
    assert not (root / "_site").exists()


def test_redact_site_data_changes_nothing_without_names(tmp_path):
    from site_builder import pipeline
    from site_builder.site.data import Options, SiteData

    root = _project(tmp_path)
    _put(root, "unit_note", "经张三核实")  # a name written outside its event: the data is copied masked
    project, results = pipeline.check(root)
    data = SiteData(project, results, Options(as_of=__import__("datetime").date(2018, 1, 1)), None)  # type: ignore[arg-type]
    assert personal_names.redact_site_data(data, []) is data
    red = personal_names.redact_site_data(data)
    assert red.project.sources is project.sources  # the manifest hashes the files as they are
    assert red.project.units is project.units  # nothing to mask there: shared, not copied
    people = red.project.periods[0].facts["fgw"]["jilv"].people
    assert [p.name for p in people] == ["张*"]
    assert project.periods[0].facts["fgw"]["jilv"].people[0].name == "张三"  # the original is untouched


def test_a_number_in_a_draft_is_refused_too(tmp_path):
    """A draft is published one day (and a preview publishes it now): refused like the rest."""
    root = _project(tmp_path)
    path = root / "scores/xiaoneng/2018-Q2.yaml"
    assert "status: draft" in path.read_text("utf-8")
    path.write_text(path.read_text("utf-8") + "# 填表人 138 1234 5678\n", "utf-8")
    line = len(path.read_text("utf-8").splitlines())
    runner = CliRunner()
    for args in (["check"], ["build", "--quiet"], ["build", "--quiet", "--preview"]):
        r = runner.invoke(main, [*args, "--root", str(root)], env={"SOURCE_DATE_EPOCH": None})
        assert r.exit_code == 1, (args, r.output)
        assert f"scores/xiaoneng/2018-Q2.yaml:{line}:7: 这里有手机号“138 **** 5678”" in r.output
    assert not (root / "_site").exists()


DIGITISH = st.text(
    st.sampled_from(list("0123456789Xx -._/:,+()abcf") + ["０", "１", "３", "８", "Ｘ", "\u3000", "\u00a0", "—", "－", "\u200b", "号", "张"]),
    max_size=60,
)


@settings(max_examples=500, deadline=None)
@given(DIGITISH)
def test_property_locating_finds_what_the_scan_finds(text):
    """The fast scan (whole-text NFKC) and the located one (a map per character) agree."""
    found = sorted(personal_numbers.find_numbers(text))
    located = personal_numbers.locate_numbers(text)
    assert sorted((k, n) for k, n, _, _ in located) == found
    for _, number, line, col in located:
        assert line == 1 and 1 <= col <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["a.html", "a.xlsx", "a.json", "a.js", "a.csv", "a.xml", "a.png"]))
def test_property_any_output_bytes_are_scanned_without_an_exception(data, name):
    privacy.scan({name: data}, {"s.yaml": data})
    privacy.scan_outputs({name: data}, {"s.yaml": data}, ["张三", "欧阳小明"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.lists(st.text(min_size=1, max_size=4), max_size=4))
def test_property_redacting_an_archive_is_stable_and_leaves_no_name(text, names):
    data = text.encode("utf-8")
    once = personal_names.redact_archive(data, names)
    assert personal_names.redact_archive(once, names) == once
    for name in names:
        name = name.strip()
        # a name survives only inside the mask of a longer name that contains it
        if len(name) >= 2 and "*" not in name:
            assert name.encode("utf-8") not in once or any(
                len(o.strip()) > len(name) and name in o for o in names
            )


def test_messages_in_english(tmp_path):
    root = _project(tmp_path)
    _edit(root / "site.yaml", lambda d: d.update(locale="en"))
    path = _put(root, "unit_note", "call 138-1234-5678")
    line = _line_of(path, "138-1234-5678")
    col = next(l for l in path.read_text("utf-8").splitlines() if "138-" in l).index("138-") + 1
    r = CliRunner().invoke(main, ["check", "--root", str(root)], env={"SOURCE_DATE_EPOCH": None})
    assert r.exit_code == 1
    assert r.output.splitlines()[0] == (
        f"scores/xiaoneng/2017-Q3.yaml:{line}:{col}: a mobile phone number “138-****-5678” is here; "
        "personal numbers must never be published or archived — remove the number (in a comment too): "
        "it would appear on the site, in a download or in the published/ archive"
    )
    assert r.output.splitlines()[1] == "1 error(s); nothing was written."


def test_the_output_message_names_the_page_and_the_source_line(tmp_path, monkeypatch):
    root = _project(tmp_path)
    path = _put(root, "unit_name", "（电话 13812345678）")
    seen = _scan_only_outputs(monkeypatch)
    with pytest.raises(SiteError) as err:
        build_site(root, root / "_site", quiet=True)
    line = _line_of(path, "13812345678")
    col = next(l for l in path.read_text("utf-8").splitlines() if "1381" in l).index("1381") + 1
    # one message per place it was written, naming the first generated file that shows it
    assert err.value.message.splitlines() == [
        f"units.yaml:{line}:{col}: 生成的 assets/{next(p.split('/')[-1] for p in seen if p.startswith('assets/search.'))} "
        "含有手机号“138****5678” — 个人号码不得公开：请从这里的备注或记录中删除",
        "共 1 个错误；未写出任何文件。",
    ]


def test_a_name_spelled_with_yaml_escapes_is_masked_too(tmp_path):
    root = _project(tmp_path)
    path = root / "scores/xiaoneng/2017-Q3.yaml"
    text = path.read_text("utf-8").replace("    note: 7月起承担食品安全专项整治任务。", '    note: "经\\u5f20\\u4e09核实"')
    path.write_text(text, "utf-8")
    out = root / "_site"
    build_site(root, out, quiet=True)
    card = (out / "units/sjj/xiaoneng/2017-Q3/index.html").read_text("utf-8")
    assert "经张*核实" in card
    assert not [p for p, t in _all_text(out).items() if "张三" in t]


def test_without_names_written_elsewhere_the_data_is_not_copied(tmp_path):
    from site_builder import pipeline
    from site_builder.site.data import Options, SiteData

    root = _project(tmp_path)
    project, results = pipeline.check(root)
    data = SiteData(project, results, Options(as_of=__import__("datetime").date(2018, 1, 1)), None)  # type: ignore[arg-type]
    assert personal_names.redact_site_data(data) is data  # 张三 and 李四 are only their events' name:
    _put(root, "unit_note", "张三")
    project, results = pipeline.check(root)
    data = SiteData(project, results, Options(as_of=__import__("datetime").date(2018, 1, 1)), None)  # type: ignore[arg-type]
    assert personal_names.redact_site_data(data).project.periods[0].scores.units["sjj"].note == "张*"


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="tel:13812345678">值班电话</a>',
        '<a href="tel:+86-138-1234-5678">值班电话</a>',
        '<span title="138 1234 5678">联系人</span>',
        "<!-- 联系人 138 1234 5678 -->",
    ],
)
def test_a_number_in_an_attribute_or_comment_of_the_body_is_refused(tmp_path, markup):
    """Not shown as text, but published in the page: read by check and by the output scan."""
    root = _project(tmp_path)
    body = root / "content/notices/2017-q3.md"
    body.write_text(body.read_text("utf-8") + "\n如有异议请联系 " + markup + "\n", "utf-8")
    line = len(body.read_text("utf-8").splitlines())
    col = len("如有异议请联系 ") + markup.index("138") + 1
    r = CliRunner().invoke(main, ["check", "--root", str(root)], env={"SOURCE_DATE_EPOCH": None})
    assert r.exit_code == 1, r.output
    shown = re.sub(r"(?<=138)(.*)(?=5678)", lambda m: re.sub(r"[0-9]", "*", m.group(1)), markup[markup.index("138") :])
    shown = shown[: shown.index("5678") + 4]
    assert f"content/notices/2017-q3.md:{line}:{col}: 这里有手机号“{shown}”" in r.output


def test_the_output_scan_reads_attributes_and_comments():
    for page in ('<a href="tel:13812345678">x</a>', '<img alt="138-1234-5678">', "<!--13812345678-->", '<meta content="138 1234 5678">'):
        assert [f.kind for f in privacy.scan({"p.html": page.encode()}, {})] == ["mobile"], page


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138 **** 5678"),
        ("１３８－１２３４－５６７８", "１３８－****－５６７８"),
        ("+86 138-1234-5678", "138-****-5678"),
        ("+8613812345678", "86138****5678"),
        ("110105 19491231 002x", "110*** ******** 002x"),
        ("6222 0212 3456 7890 128", "622* **** **** ***0 128"),
    ],
)
def test_the_message_shows_the_number_as_written_and_masked(written, shown):
    assert [w for *_, w in personal_numbers.locate_written(f"联系 {written}。")] == [shown]


# ---------------------------------------------------------------- the XLSX our writer makes


def _workbook(cells: list, sheet: str = "结果", title: str = "通报") -> bytes:
    import datetime as dt

    from site_builder.site.output import xlsx

    wb = xlsx.Workbook(title, dt.datetime(2018, 1, 15))
    ws = wb.sheet(sheet)
    ws.append(["单位", "备注"], bold=True)
    ws.extend_columns([["县财政局"] * len(cells), cells])
    return wb.save()


@pytest.mark.parametrize(
    ("cells", "sheet", "title", "found"),
    [
        (["联系人 138-1234-5678"], "结果", "通报", [("mobile", "138-****-5678")]),
        (["联系人 １３８１２３４５６７８", "96.40"], "结果", "通报", [("mobile", "138-****-5678")]),
        (["a&b <138 1234 5678>"], "结果", "通报", [("mobile", "138-****-5678")]),
        (["{0}", "}{"], "结果", "通报", []),
        ([None, 13812345678], "结果", "通报", [("mobile", "138-****-5678")]),
        (["卡号 6222 0212 3456 7890 128"], "结果", "通报", [("bank_card", "622" + "*" * 12 + "0128")]),
        (["96.40"], "电话13812345678", "通报", [("mobile", "138-****-5678")]),
        (["96.40"], "结果", "电话 138 1234 5678", [("mobile", "138-****-5678")]),
    ],
)
def test_a_number_in_a_cell_sheet_name_or_title_of_our_xlsx_is_found_without_inflating_it(
        monkeypatch, cells, sheet, title, found):
    from site_builder.site.output import xlsx

    data = _workbook(cells, sheet, title)
    assert isinstance(data, xlsx.Package)
    inflated = privacy.scan({"t.xlsx": bytes(data)}, SOURCE)  # read as any other XLSX: inflated
    with monkeypatch.context() as m:
        m.setattr(scan_text.zipfile, "ZipFile", None)  # the writer's text is read: nothing inflated
        direct = privacy.scan({"t.xlsx": data}, SOURCE)
    assert [(f.kind, f.text) for f in privacy.unique(direct)] == found
    assert privacy.unique(direct) == privacy.unique(inflated)


def test_a_number_planted_in_an_xlsx_cell_alone_is_refused_at_its_source_and_nothing_is_written(tmp_path, monkeypatch):
    """Only the XLSX carries it (a writer that leaked a field no page shows): the scan of what the
    writer made still finds it, names that file and the source line, and the build writes nothing."""
    from site_builder.site.output import xlsx

    root = _project(tmp_path)
    path = _put(root, "event_evidence", "请联系138 1234 5678")  # published nowhere
    seen = _scan_only_outputs(monkeypatch)
    save = xlsx.Workbook.save

    def leaking(self, *args):
        self.sheet("附表").append(["证据：请联系138 1234 5678"])
        return save(self, *args)

    monkeypatch.setattr(xlsx.Workbook, "save", leaking)
    with pytest.raises(SiteError) as err:
        build_site(root, root / "_site", quiet=True)
    line = _line_of(path, "138 1234 5678")
    col = next(l for l in path.read_text("utf-8").splitlines() if "138 1234" in l).index("138 1234") + 1
    assert err.value.message.splitlines() == [
        (f"scores/xiaoneng/2017-Q3.yaml:{line}:{col}: 生成的 notices/xiaoneng/2017-Q3/xiaoneng-2017-Q3.xlsx "
         "含有手机号“138 **** 5678” — 个人号码不得公开：请从这里的备注或记录中删除"),
        "共 1 个错误；未写出任何文件。",
    ]
    assert not (root / "_site").exists()
    # every notice's XLSX had it planted (one message: one place in the sources), no other file
    flagged = {p for p, data in seen.items() if privacy.scan({p: data}, {})}
    assert flagged == {p for p in seen if p.endswith(".xlsx")}
    assert "notices/xiaoneng/2017-Q3/xiaoneng-2017-Q3.xlsx" in flagged
