"""A published notice is locked whole: every item a reader sees, not only the figures.

The fixture project (``tests/site/fixtures/basic``) is locked: 2017-Q3 and
2017-Q4 are 通报, 2018-Q1 is a 公示 (locked from its first publication).  For
each item of the notice — 文号, title, date, issuer, body, index number, unit
name and group, honour name and kind, the scheme's clause text, fact and event
notes, event titles and people, unit notes and reasons, the 公示 window, the
contact and every kind of figure — a change after ``lock``:

- is refused by ``check`` and ``build`` alike (exit 1, located at the period
  file, the changed item named with its old and new text, nothing written);
- with a correction recorded in the period file, builds, and the notice page
  shows the item old → new.

A unit renamed with ``former_names`` keeps its old name on the old notices and
needs no correction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from site_builder.cli import main
from tests.hostile.harness import make, refused, run_both

Q3 = "scores/xiaoneng/2017-Q3.yaml"
Q4 = "scores/xiaoneng/2017-Q4.yaml"
Q1 = "scores/xiaoneng/2018-Q1.yaml"
SCHEME = "schemes/xiaoneng/v2017.yaml"
SCHEME_2018 = "schemes/xiaoneng/v2018.yaml"
BODY = "content/notices/2017-q3.md"
PAGE = {
    Q3: "_site/notices/xiaoneng/2017-Q3/index.html",
    Q4: "_site/notices/xiaoneng/2017-Q4/index.html",
    Q1: "_site/notices/xiaoneng/2018-Q1/index.html",
}


def edit(path: Path, change: Callable[[dict], None]) -> None:
    doc = yaml.safe_load(path.read_text("utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")


def replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def by_indicator(nodes: list, line_id: str) -> dict:
    for n in nodes:
        if n["id"] == line_id:
            return n
        found = by_indicator(n.get("children", []), line_id) if n.get("children") else None
        if found:
            return found
    return {}


def scheme_line(line_id: str, key: str, value: str) -> Callable[[dict], None]:
    return lambda d: by_indicator(d["indicators"], line_id).__setitem__(key, value)


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # the file changed
    change: Callable[[Path], None]
    item: str  # the stable key the refusal names
    old: str
    new: str
    periods: tuple[str, ...]  # the period files that need a correction
    shown: str  # what the current notice page of periods[0] shows once corrected


def _set_notice(key: str, value: str) -> Callable[[Path], None]:
    return lambda root: edit(root / Q3, lambda d: d["notice"].__setitem__(key, value))


def _q3_unit(change: Callable[[dict], None]) -> Callable[[Path], None]:
    return lambda root: edit(root / Q3, lambda d: change(d["units"]))


def _item(label: str, old: str, new: str) -> str:
    return f"{label}：<del>{old}</del> → <ins>{new}</ins>"


CASES = [
    Case("number", Q3, _set_notice("number", "示效办〔2017〕99号"), "notice.number",
         "示效办〔2017〕9号", "示效办〔2017〕99号", (Q3,),
         _item("文号", "示效办〔2017〕9号", "示效办〔2017〕99号")),
    Case("title", Q3, _set_notice("title", "关于第三季度效能考核情况的通报"), "notice.title",
         "关于2017年第三季度机关效能考核结果的通报", "关于第三季度效能考核情况的通报", (Q3,),
         _item("标题", "关于2017年第三季度机关效能考核结果的通报", "关于第三季度效能考核情况的通报")),
    Case("date", Q3, _set_notice("date", "2017-10-17"), "notice.date",
         "2017-10-16", "2017-10-17", (Q3,), _item("发布日期", "2017-10-16", "2017-10-17")),
    Case("issuer", Q3, _set_notice("issuer", "示范县人民政府办公室"), "notice.issuer",
         "示范县机关效能建设领导小组办公室", "示范县人民政府办公室", (Q3,),
         _item("发布机关", "示范县机关效能建设领导小组办公室", "示范县人民政府办公室")),
    Case("index_number", Q3, _set_notice("index_number", "003412345/2017-00010"),
         "notice.index_number", "003412345/2017-00009", "003412345/2017-00010", (Q3,),
         _item("索引号", "003412345/2017-00009", "003412345/2017-00010")),
    # 主送 is part of the notice: one added after publication is a change like any other
    Case("addressee", Q3, _set_notice("addressee", "各乡镇人民政府，县直各部门"), "notice.addressee",
         "（无）", "各乡镇人民政府，县直各部门", (Q3,),
         _item("主送", "—", "各乡镇人民政府，县直各部门")),
    Case("unit_name", "units.yaml",
         lambda root: replace_text(root / "units.yaml", "name: 县发展改革委", "name: 县发改委"),
         "unit.fgw.name", "县发展改革委", "县发改委", (Q3, Q4, Q1),
         _item("县发改委 单位名称", "县发展改革委", "县发改委")),
    Case("unit_group", SCHEME,
         lambda root: replace_text(root / SCHEME, "name: 综合管理部门组", "name: 综合部门组"),
         "unit.czj.group", "综合管理部门组", "综合部门组", (Q3, Q4),
         _item("县财政局 组别", "综合管理部门组", "综合部门组")),
    Case("honour_name", SCHEME,
         lambda root: replace_text(root / SCHEME, "name: 流动红旗", "name: 红旗单位"),
         "honour.hongqi.name", "流动红旗", "红旗单位", (Q3, Q4),
         _item("“红旗单位” 名称", "流动红旗", "红旗单位")),
    Case("honour_kind", SCHEME,
         lambda root: edit(root / SCHEME, lambda d: d["honours"][0].__setitem__("kind", "sanction")),
         "honour.hongqi.kind", "表彰", "整改", (Q3, Q4),  # the message shows the reader's words
         _item("“流动红旗” 类别", "表彰", "整改")),
    Case("clause", SCHEME,
         lambda root: edit(root / SCHEME, scheme_line("tuijin", "clause", "依据督查通报如实打分。")),
         "scheme.line.tuijin.clause", "依据相关通报及资料如实打分。", "依据督查通报如实打分。", (Q3, Q4),
         _item("指标 “重点工作推进” 考核内容", "依据相关通报及资料如实打分。", "依据督查通报如实打分。")),
    Case("indicator_name", SCHEME,
         lambda root: edit(root / SCHEME, scheme_line("yewu", "name", "业务工作实绩")),
         "scheme.line.yewu.name", "业务工作", "业务工作实绩", (Q3, Q4),
         _item("指标 “业务工作实绩” 名称", "业务工作", "业务工作实绩")),
    Case("indicator_office", SCHEME,
         lambda root: edit(root / SCHEME, scheme_line("yewu", "office", "督查科")),
         "scheme.line.yewu.office", "综合科", "督查科", (Q3, Q4),
         _item("指标 “业务工作” 责任科室", "综合科", "督查科")),
    Case("veto_name", SCHEME,
         lambda root: replace_text(root / SCHEME, "name: 发生严重违纪违法案件", "name: 发生违纪违法案件"),
         "scheme.veto.jilv-chufen.name", "发生严重违纪违法案件", "发生违纪违法案件", (Q3, Q4),
         _item("一票否决事项 “发生违纪违法案件” 名称", "发生严重违纪违法案件", "发生违纪违法案件")),
    Case("ranking_name", SCHEME,
         lambda root: replace_text(root / SCHEME, "name: 季度排名", "name: 季度名次"),
         "scheme.ranking.jidu.name", "季度排名", "季度名次", (Q3, Q4),
         _item("排名 “季度名次” 名称", "季度排名", "季度名次")),
    Case("fact_note", Q3,
         _q3_unit(lambda u: u["fgw"]["facts"].__setitem__("tuijin", {"points": "55", "note": "按季度台账评分"})),
         "unit.fgw.line.tuijin.note", "（无）", "按季度台账评分", (Q3,),
         _item("县发展改革委 “重点工作推进” 说明", "—", "按季度台账评分")),
    Case("event_note", Q3,
         _q3_unit(lambda u: u["fgw"]["facts"]["jilv"]["people"][0].__setitem__("note", "上班时间串岗")),
         "unit.fgw.line.jilv.event.1.note", "上班时间办私事", "上班时间串岗", (Q3,),
         _item("县发展改革委 “工作纪律” 第 1 项记录 说明", "上班时间办私事", "上班时间串岗")),
    Case("event_title", Q3,
         _q3_unit(lambda u: u["sjj"]["facts"]["koufen"]["events"][0].__setitem__("title", "市督查通报窗口服务质量问题")),
         "unit.sjj.line.koufen.event.1.text", "市督查通报窗口服务问题", "市督查通报窗口服务质量问题", (Q3,),
         _item("县市场监管局 “通报扣分” 第 1 项记录 事项", "市督查通报窗口服务问题", "市督查通报窗口服务质量问题")),
    Case("event_person", Q3,
         _q3_unit(lambda u: u["fgw"]["facts"]["jilv"]["people"][0].__setitem__("name", "王五")),
         "unit.fgw.line.jilv.event.1.person", "张*", "王*", (Q3,),
         _item("县发展改革委 “工作纪律” 第 1 项记录 人员", "张*", "王*")),
    Case("event_date", Q3,
         _q3_unit(lambda u: u["fgw"]["facts"]["jiafen"]["awards"][0].__setitem__("date", "2017-09-13")),
         "unit.fgw.line.jiafen.event.1.date", "2017-09-12", "2017-09-13", (Q3,),
         _item("县发展改革委 “创新加分” 第 1 项记录 日期", "2017-09-12", "2017-09-13")),
    Case("unit_note", Q3,
         _q3_unit(lambda u: u["sjj"].__setitem__("note", "8月起承担食品安全专项整治任务。")),
         "unit.sjj.note", "7月起承担食品安全专项整治任务。", "8月起承担食品安全专项整治任务。", (Q3,),
         "<del>7月起承担食品安全专项整治任务。</del> → <ins>8月起承担食品安全专项整治任务。</ins>"),
    Case("unit_reason", Q4,
         lambda root: edit(root / Q4, lambda d: d["units"]["sjj"].__setitem__("reason", "机构改革期间免于考核。")),
         "unit.sjj.reason", "机构改革期间免于本季度考核。", "机构改革期间免于考核。", (Q4,),
         "<del>机构改革期间免于本季度考核。</del> → <ins>机构改革期间免于考核。</ins>"),
    Case("window", Q1,
         lambda root: edit(root / Q1, lambda d: d["public_notice"].update(  # 6 working days: until agrees
             {"until": "2018-04-19", "working_days": "6"})),
         "notice.window.until", "2018-04-18", "2018-04-19", (Q1,),
         _item("公示截止日期", "2018-04-18", "2018-04-19")),
    Case("window_q1_number", Q1,
         lambda root: edit(root / Q1, lambda d: d["notice"].__setitem__("number", "示效办〔2018〕80号")),
         "notice.number", "示效办〔2018〕8号", "示效办〔2018〕80号", (Q1,),
         _item("文号", "示效办〔2018〕8号", "示效办〔2018〕80号")),
    Case("contact", "site.yaml",
         lambda root: replace_text(root / "site.yaml", "phone: 0551-12345678", "phone: 0551-87654321"),
         "contact.phone", "0551-12345678", "0551-87654321", (Q1,),  # shown on a 公示 only
         _item("联系电话", "0551-12345678", "0551-87654321")),
    # figures of every kind
    Case("line_points", Q3, _q3_unit(lambda u: u["czj"]["facts"].__setitem__("tuijin", "50")),
         "unit.czj.line.tuijin.points", "56.5", "50", (Q3,),
         "重点工作推进 <del>56.5</del> → <ins>50</ins>"),
    Case("total_and_rank", Q3, _q3_unit(lambda u: u["czj"]["facts"].__setitem__("fuwu", "good")),
         "unit.czj.line.fuwu.points", "15", "20", (Q3,),
         "季度排名 <del>第 2 名</del> → <ins>第 1 名</ins>"),
    Case("honour_list", Q3, _q3_unit(lambda u: u["fgw"]["facts"].__setitem__("tuijin", "40")),
         "unit.fgw.line.tuijin.points", "55", "40", (Q3,),
         "新列入“重点整改单位”"),
    Case("event_count", Q3,
         _q3_unit(lambda u: u["fgw"]["facts"]["jilv"]["people"][0].__setitem__("count", "2")),
         "unit.fgw.line.jilv.event.1.count", "1", "2", (Q3,),
         "工作纪律 <del>18</del> → <ins>16</ins>"),
    Case("status", Q4, lambda root: edit(root / Q4, lambda d: d["units"]["sjj"].__setitem__("status", "absent")),
         "unit.sjj.status", "exempt", "absent", (Q4,),
         "<del>免于考核</del> → <ins>缺考</ins>"),
    Case("veto_reason", Q4,
         lambda root: edit(root / Q4, lambda d: d["units"]["jyj"]["vetoes"][0].__setitem__("reason", "发生违纪案件。")),
         "unit.jyj.veto.jilv-chufen.reason", "发生严重违纪违法案件，取消本季度评先资格。", "发生违纪案件。", (Q4,),
         _item("县教育体育局 一票否决“发生严重违纪违法案件” 理由",
               "发生严重违纪违法案件，取消本季度评先资格。", "发生违纪案件。")),
    Case("max", SCHEME, lambda root: edit(root / SCHEME, scheme_line("jiafen", "max", "6")),
         "scheme.line.jiafen.max", "5", "6", (Q3, Q4),
         _item("指标 “创新加分” 分值", "5", "6")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_change_after_lock_is_refused_and_a_correction_shows_it(tmp_path: Path, case: Case):
    first = case.periods[0]
    outcome = refused(
        tmp_path / "refused",
        case.change,
        where=r"scores/xiaoneng/20\d\d-Q\d\.yaml",
        locked=True,
    )
    for result in (outcome.check, outcome.build):
        assert "没有登记新的更正" in result.output, result.output
        assert f"{first}:" in result.output
        assert f"{case.item}: {case.old} → {case.new}" in result.output, result.output

    # the same change with a correction recorded: builds, the page shows old → new
    root = make(tmp_path / "corrected", locked=True)
    case.change(root)
    for period in case.periods:
        edit(
            root / period,
            lambda d: d.setdefault("corrections", []).append(
                {"date": "2018-05-02", "number": "示效办〔2018〕12号", "reason": "更正。"}
            ),
        )
    both = run_both(root)
    assert both.check.exit_code == 0, both.check.output
    assert both.build.exit_code == 0, both.build.output
    page = (root / PAGE[first]).read_text("utf-8")
    assert case.shown in page, page[page.find("corrections"):][:3000]
    # and ``lock`` makes it the next version; the build still passes
    lock = CliRunner().invoke(main, ["lock", "--root", str(root)])
    assert lock.exit_code == 0, lock.output
    again = run_both(root)
    assert again.build.exit_code == 0, again.build.output


def test_body_change_is_refused_at_its_line_and_shown_once_corrected(tmp_path: Path):
    def change(root: Path) -> None:
        replace_text(root / BODY, "取得**明显成效**", "取得**一定成效**")

    outcome = refused(tmp_path / "r", change, where=r"content/notices/2017-q3\.md:7:1", locked=True)
    assert "通报正文" in outcome.check.output and "通报正文" in outcome.build.output
    root = make(tmp_path / "c", locked=True)
    change(root)
    edit(root / Q3, lambda d: d.setdefault("corrections", []).append(
        {"date": "2017-10-18", "reason": "更正通报正文中的用词。"}))
    assert run_both(root).build.exit_code == 0
    page = (root / PAGE[Q3]).read_text("utf-8")
    assert "正文：<del>各单位高度重视，作风建设取得**明显成效**。" in page
    assert "<ins>各单位高度重视，作风建设取得**一定成效**。" in page


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="bom"),
    ],
)
def test_a_body_in_crlf_or_with_a_bom_is_the_same_body(tmp_path: Path, encode):
    root = make(tmp_path / "p", locked=True)
    body = root / BODY
    body.write_bytes(encode(body.read_text("utf-8")))
    both = run_both(root)
    assert both.check.exit_code == 0, both.check.output
    assert both.build.exit_code == 0, both.build.output
    assert "一定成效" not in both.build.output


def test_a_body_saved_in_gbk_is_refused_as_an_encoding_not_as_a_change(tmp_path: Path):
    def gbk(root: Path) -> None:
        body = root / BODY
        body.write_bytes(body.read_text("utf-8").encode("gb18030"))

    outcome = refused(tmp_path, gbk, where=r"content/notices/2017-q3\.md:1:1", locked=True)
    assert "GBK" in outcome.check.output and "没有登记新的更正" not in outcome.text


def test_yaml_quoting_and_key_order_do_not_change_the_notice(tmp_path: Path):
    root = make(tmp_path / "p", locked=True)
    q3 = root / Q3
    doc = yaml.safe_load(q3.read_text("utf-8"))
    reordered = dict(reversed(list(doc.items())))


    class Quoting(yaml.SafeDumper):
        pass

    Quoting.add_representer(
        str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style='"')
    )
    q3.write_text(
        yaml.dump(reordered, Dumper=Quoting, allow_unicode=True, sort_keys=False), "utf-8"
    )
    assert '"示效办〔2017〕9号"' in q3.read_text("utf-8")
    both = run_both(root)
    assert both.check.exit_code == 0, both.check.output
    assert both.build.exit_code == 0, both.build.output


def test_a_rename_with_former_names_needs_no_correction(tmp_path: Path):
    root = make(tmp_path / "p", locked=True)
    replace_text(
        root / "units.yaml",
        "  - id: fgw\n    name: 县发展改革委\n",
        "  - id: fgw\n    name: 县发改委\n    former_names:\n      - name: 县发展改革委\n"
        '        until: "2018-12-31"\n',
    )
    both = run_both(root)
    assert both.check.exit_code == 0, both.check.output
    assert both.build.exit_code == 0, both.build.output
    page = (root / PAGE[Q3]).read_text("utf-8")
    assert "县发展改革委" in page and "县发改委" not in page
    # the lock stays as it was: nothing to record
    before = (root / "published.lock").read_bytes()
    assert CliRunner().invoke(main, ["lock", "--root", str(root)]).exit_code == 0
    assert (root / "published.lock").read_bytes() == before


def test_a_public_notice_is_locked_and_stays_readable_after_the_final_notice(tmp_path: Path):
    import json

    root = make(tmp_path / "p", locked=True)
    lock = json.loads((root / "published.lock").read_text("utf-8"))
    [v1] = lock["periods"]["xiaoneng/2018-Q1"]["versions"]
    assert v1["stage"] == "public_notice" and v1["n"] == 1
    # the 公示 becomes the 通报 with a new 文号 and date, and a figure settled after objections
    edit(root / Q1, lambda d: (
        d.__setitem__("status", "published"),
        d["notice"].update(number="示效办〔2018〕10号", date="2018-04-20"),
        d["units"]["sjj"]["facts"].__setitem__("tuijin", "50"),
    ))
    both = run_both(root)
    assert both.check.exit_code == 0, both.check.output
    assert both.build.exit_code == 0, both.build.output
    assert CliRunner().invoke(main, ["lock", "--root", str(root)]).exit_code == 0
    lock = json.loads((root / "published.lock").read_text("utf-8"))
    v1, v2 = lock["periods"]["xiaoneng/2018-Q1"]["versions"]
    assert (v1["stage"], v2["stage"], v2["n"], v2["correction"]) == (
        "public_notice", "published", 2, None)
    assert run_both(root).build.exit_code == 0
    earlier = (root / "_site/notices/xiaoneng/2018-Q1/v1/index.html").read_text("utf-8")
    assert "此为第 1 版（公示），已于 2018年4月20日 正式通报，请以现行版本为准。" in earlier
    assert "示效办〔2018〕8号" in earlier
    assert 'class="doc-kind status-public_notice"' in earlier
    current = (root / "_site/notices/xiaoneng/2018-Q1/index.html").read_text("utf-8")
    assert "第 1 版，2018年4月12日（公示）" in current
    assert "示效办〔2018〕10号" in current
    # from now on the 通报 is locked like any other
    edit(root / Q1, lambda d: d["notice"].__setitem__("number", "示效办〔2018〕11号"))
    refusal = run_both(root)
    assert refusal.build.exit_code == 1
    assert "notice.number: 示效办〔2018〕10号 → 示效办〔2018〕11号" in refusal.build.output


def test_a_public_notice_cannot_silently_be_turned_back_into_a_draft(tmp_path: Path):
    refused(
        tmp_path,
        lambda root: edit(root / Q1, lambda d: d.__setitem__("status", "draft")),
        where=r"scores/xiaoneng/2018-Q1\.yaml",
        locked=True,
    )


def test_the_score_cards_of_the_public_notice_version_read_as_the_public_notice(tmp_path: Path):
    root = make(tmp_path / "p", locked=True)
    edit(root / Q1, lambda d: (
        d.__setitem__("status", "published"),
        d["notice"].update(number="示效办〔2018〕10号", date="2018-04-20"),
    ))
    assert run_both(root).build.exit_code == 0
    card = (root / "_site/units/fgw/xiaoneng/2018-Q1/v1/index.html").read_text("utf-8")
    assert "关于2018年第一季度机关效能考核结果的公示（第 1 版）" in card
    now = (root / "_site/units/fgw/xiaoneng/2018-Q1/index.html").read_text("utf-8")
    assert "关于2018年第一季度机关效能考核结果的通报" in now


def test_the_text_of_a_recorded_correction_is_locked_too(tmp_path: Path):
    """A correction's reason, date and 文号 as the locked version showed them."""

    def correct_and_lock(root: Path) -> None:
        edit(root / Q3, lambda d: (
            d["units"]["czj"]["facts"].__setitem__("tuijin", "50"),
            d.setdefault("corrections", []).append(
                {"date": "2017-10-20", "number": "示效办〔2017〕10号", "reason": "录入错误，经复核更正。"}
            ),
        ))
        assert CliRunner().invoke(main, ["lock", "--root", str(root)]).exit_code == 0

    def mutate(root: Path) -> None:
        correct_and_lock(root)
        edit(root / Q3, lambda d: d["corrections"][0].__setitem__("reason", "经复核更正。"))

    out = refused(tmp_path / "r", mutate, where=r"scores/xiaoneng/2017-Q3\.yaml", locked=True)
    assert "correction.1.reason: 录入错误，经复核更正。 → 经复核更正。" in out.build.output


def test_a_correction_that_changes_nothing_is_no_new_version(tmp_path: Path):
    import json

    root = make(tmp_path / "p", locked=True)
    edit(root / Q3, lambda d: d.setdefault("corrections", []).append(
        {"date": "2017-10-18", "reason": "核对无误。"}))
    assert CliRunner().invoke(main, ["lock", "--root", str(root)]).exit_code == 0
    entry = json.loads((root / "published.lock").read_text("utf-8"))["periods"]["xiaoneng/2017-Q3"]
    assert (entry["corrections"], len(entry["versions"])) == (1, 1)
    both = run_both(root)
    assert both.check.exit_code == 0 and both.build.exit_code == 0, both.build.output


def test_the_refusal_points_at_the_changed_line_and_explains_a_rename(tmp_path: Path):
    out = refused(
        tmp_path / "number",
        _set_notice("number", "示效办〔2017〕99号"),
        where=r"scores/xiaoneng/2017-Q3\.yaml:7:11: ",  # number: 示效办〔2017〕99号
        locked=True,
    )
    assert "former_names" not in out.build.output
    out = refused(
        tmp_path / "rename",
        lambda root: replace_text(root / "units.yaml", "name: 县发展改革委", "name: 县发改委"),
        where=r"scores/xiaoneng/2017-Q3\.yaml: ",
        locked=True,
    )
    assert "单位更名的，请在单位名册中把旧名称写进 former_names" in out.build.output


def test_a_format_2_lock_is_read_and_upgraded_without_new_versions(tmp_path: Path):
    """A lock written before notice content and stages were locked (and without the 公示)."""
    import json

    root = make(tmp_path / "p", locked=True)
    lock = json.loads((root / "published.lock").read_text("utf-8"))
    lock["version"] = 2
    lock["periods"].pop("xiaoneng/2018-Q1")
    for entry in lock["periods"].values():
        for v in entry["versions"]:
            v.pop("notice_file")
            v.pop("stage")
    (root / "published.lock").write_text(json.dumps(lock, ensure_ascii=False, indent=2), "utf-8")
    import shutil

    shutil.rmtree(root / "published/xiaoneng/2018-Q1")
    for f in (root / "published").rglob("*.notice.json"):
        f.unlink()
    # not locked yet: a change of the 文号 is not detected, the results still are
    edit(root / Q3, lambda d: d["notice"].__setitem__("number", "示效办〔2017〕99号"))
    both = run_both(root)
    assert both.check.exit_code == 0 and both.build.exit_code == 0, both.build.output
    assert CliRunner().invoke(main, ["lock", "--root", str(root)]).exit_code == 0
    lock = json.loads((root / "published.lock").read_text("utf-8"))
    assert lock["version"] == 3
    [q3] = lock["periods"]["xiaoneng/2017-Q3"]["versions"]
    assert q3["stage"] == "published"
    assert q3["notice_file"]["path"] == "published/xiaoneng/2017-Q3/v1.notice.json"
    assert [v["stage"] for v in lock["periods"]["xiaoneng/2018-Q1"]["versions"]] == ["public_notice"]
    # from now on the 文号 is locked
    edit(root / Q3, lambda d: d["notice"].__setitem__("number", "示效办〔2017〕9号"))
    assert "notice.number: 示效办〔2017〕99号 → 示效办〔2017〕9号" in run_both(root).build.output


def test_a_public_notice_is_withdrawn_only_with_a_recorded_reason(tmp_path: Path):
    def withdraw(root: Path) -> None:
        edit(root / Q1, lambda d: d.__setitem__("status", "draft"))

    out = refused(tmp_path / "r", withdraw, where=r"scores/xiaoneng/2018-Q1\.yaml: ", locked=True)
    assert "公示不能悄悄撤回" in out.build.output
    out = refused(
        tmp_path / "gone", lambda root: (root / Q1).unlink(), where=r"published\.lock", locked=True
    )
    assert "被改回草稿或删除" in out.build.output
    root = make(tmp_path / "ok", locked=True)
    withdraw(root)
    edit(root / Q1, lambda d: d.setdefault("corrections", []).append(
        {"date": "2018-04-16", "reason": "发现计分依据有误，撤回本次公示，核实后重新公示。"}))
    both = run_both(root)
    assert both.check.exit_code == 0 and both.build.exit_code == 0, both.build.output
    assert not (root / PAGE[Q1]).exists()
    # lock keeps the withdrawn 公示's entry and archive
    assert CliRunner().invoke(main, ["lock", "--root", str(root)]).exit_code == 0
    assert "xiaoneng/2018-Q1" in (root / "published.lock").read_text("utf-8")


def test_a_registered_name_in_the_body_is_archived_masked_and_the_notice_still_builds(tmp_path: Path):
    """The body is archived as published: 张三 (a registered name) as 张\\*, never in full."""
    root = make(tmp_path, built=False)
    body = root / "content/notices/2017-q3.md"
    body.write_text(body.read_text("utf-8") + "\n张三同志上班时间办私事，已处理。\n", "utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["lock", "--root", str(root)])
    assert r.exit_code == 0, r.output
    archived = (root / "published/xiaoneng/2017-Q3/v1.body.md").read_text("utf-8")
    assert "张三" not in archived and "张\\*同志" in archived
    assert body.read_text("utf-8").count("张三") == 1  # the office's own file is left alone
    outcome = run_both(root)
    assert outcome.check.exit_code == 0 and outcome.build.exit_code == 0, outcome.text
    page = (root / "_site/notices/xiaoneng/2017-Q3/index.html").read_text("utf-8")
    assert "张*同志" in page and "张三" not in page
    # locking again changes nothing: the masked archive is the body as published
    r = runner.invoke(main, ["lock", "--root", str(root)])
    assert r.exit_code == 0, r.output
    assert "v2" not in (root / "published.lock").read_text("utf-8")
