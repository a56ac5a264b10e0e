"""Editing period files keeps what the office wrote: comments, order, quoting, CRLF, BOM."""

from __future__ import annotations

import datetime as dt
import glob
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from site_builder.workflow.periodfile import PeriodFile, period_text, write_new

ROOT = Path(__file__).resolve().parents[2]
PERIOD_FILES = sorted(
    glob.glob(str(ROOT / "scores/*/*.yaml")) + glob.glob(str(ROOT / "tests/site/fixtures/*/scores/*/*.yaml"))
)

SAMPLE = """\
# yaml-language-server: $schema=../../schema/scores.schema.json
scheme: s
version: "2017"
period: 2017-Q3
status: draft
units:
  # 第一组
  a:  # 甲
    facts:
      x: 13.50  # 复核后
      y: {counts: {late: 2}}
  b:  # 乙
    facts:
      x: 12
  # 第二组
  c:  # 丙
    facts:
      x: 9.8
"""


@pytest.mark.parametrize("path", PERIOD_FILES, ids=lambda p: Path(p).relative_to(ROOT).as_posix())
def test_untouched_file_round_trips_byte_for_byte(path):
    raw = Path(path).read_bytes()
    pf = PeriodFile.read(Path(path))
    assert pf.encoded() == raw
    for unit, entry in (pf.get("units") or {}).items():  # writing back the same values changes nothing
        if isinstance(entry, dict):
            pf.set_unit(unit, entry)
    assert pf.encoded() == raw


def _pf(tmp_path, text=SAMPLE, name="p.yaml", newline="\n", bom=False):
    path = tmp_path / name
    data = text.replace("\n", newline)
    path.write_bytes((("\ufeff" if bom else "") + data).encode("utf-8"))
    return path, PeriodFile.read(path)


def test_numbers_are_exact_text_and_read_as_decimal(tmp_path):
    _, pf = _pf(tmp_path)
    assert pf.get("units.a.facts.x") == Decimal("13.50")
    assert str(pf.get("units.a.facts.x")) == "13.50"
    assert pf.get("units.c.facts.x") == Decimal("9.8")
    assert pf.get("version") == "2017"
    assert pf.get("nothing.here") is None
    with pytest.raises(TypeError):
        pf.set("units.a.facts.x", 1.5)  # a float never reaches a period file


def test_changed_value_keeps_its_comment_and_group_headings_stay(tmp_path):
    _, pf = _pf(tmp_path)
    entry = pf.get("units.b")
    entry["facts"]["x"] = Decimal("12.25")
    entry["facts"]["z"] = Decimal("0.10")
    pf.set_unit("b", entry)
    a = pf.get("units.a")
    a["facts"]["x"] = Decimal("14")
    pf.set_unit("a", a)
    text = pf.text()
    assert re.search(r"\n      x: 14 +# 复核后\n", text)  # the comment keeps its column
    assert "      y: {counts: {late: 2}}\n" in text  # an unchanged flow mapping keeps its style
    assert "  b:  # 乙\n    facts:\n      x: 12.25\n      z: 0.10\n  # 第二组\n  c:  # 丙\n" in text


def test_new_keys_go_in_documented_order_and_strings_are_quoted_for_yaml_1_1(tmp_path):
    _, pf = _pf(tmp_path)
    pf.set("status", "public_notice")
    pf.set("public_notice.from", dt.date(2017, 10, 20))
    pf.set("public_notice.until", dt.date(2017, 10, 26))
    pf.set("notice.number", "2017")
    pf.set("notice.date", dt.date(2017, 10, 20))
    pf.set("notice.title", "yes")
    pf.append("corrections", {"date": dt.date(2017, 11, 1), "reason": "on"})
    pf.append("corrections", {"date": dt.date(2017, 11, 2), "reason": "更正"})
    text = pf.text()
    head = text.split("units:")[0]
    assert head.index("status: public_notice") < head.index("notice:") < head.index("public_notice:") < head.index("corrections:")
    assert 'number: "2017"' in text and 'title: "yes"' in text and 'reason: "on"' in text
    data = yaml.safe_load(text)  # a YAML 1.1 reader sees strings and dates
    assert data["notice"] == {"number": "2017", "date": dt.date(2017, 10, 20), "title": "yes"}
    assert [c["reason"] for c in data["corrections"]] == ["on", "更正"]
    assert data["public_notice"] == {"from": dt.date(2017, 10, 20), "until": dt.date(2017, 10, 26)}
    day = dt.date(2017, 10, 20)
    pf.set("notice.date", day)  # the same object in two places: written twice, never as an anchor
    assert "&id" not in pf.text() and "*id" not in pf.text()
    pf.set("public_notice", None)
    assert "public_notice:" not in pf.text()


@pytest.mark.parametrize("newline,bom", [("\r\n", False), ("\r\n", True), ("\n", True)])
def test_crlf_and_bom_are_kept(tmp_path, newline, bom):
    path, pf = _pf(tmp_path, newline=newline, bom=bom)
    pf.set("status", "published")
    pf.save()
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    body = raw[3:] if bom else raw
    if newline == "\r\n":
        assert b"\n" not in body.replace(b"\r\n", b"")
    assert body.decode().replace("\r\n", "\n") == SAMPLE.replace("status: draft", "status: published")


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path, pf = _pf(tmp_path)
    pf.set("status", "published")
    pf.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]


def test_period_text_and_write_new_refuses_to_overwrite(tmp_path):
    text = period_text(
        {"scheme": "s", "version": "2018", "period": "2018-Q1", "status": "draft",
         "units": {"a": {"facts": {"x": None, "y": None}}, "bb": {"facts": {"x": None}}}},
        schema="../../schema/scores.schema.json",
        header=["2018年第一季度"],
        unit_comments={"a": "甲", "bb": "乙"},
        group_comments={"a": "第一组"},
    )
    assert text == (
        "# yaml-language-server: $schema=../../schema/scores.schema.json\n"
        "# 2018年第一季度\n"
        'scheme: s\nversion: "2018"\nperiod: 2018-Q1\nstatus: draft\nunits:\n'
        "  # 第一组\n  a:  # 甲\n    facts:\n      x:\n      y:\n  bb:  # 乙\n    facts:\n      x:\n"
    )
    target = tmp_path / "scores" / "s" / "2018-Q1.yaml"
    write_new(target, text)
    assert target.read_text(encoding="utf-8") == text
    with pytest.raises(FileExistsError):
        write_new(target, "other")
    assert target.read_text(encoding="utf-8") == text
