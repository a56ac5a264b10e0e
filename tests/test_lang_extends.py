"""Scheme versions that extend an earlier one (``extends:``, issue 8 part F).

Expectations are worked out by hand from the inline files: the scratch
project's ``schemes/demo/2024.yaml`` (tests/scratch) is the base.
"""

from __future__ import annotations

import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import listing, make_project
from site_builder import pipeline
from site_builder.cli import main as cli
from site_builder.errors import InputError, Problems
from site_builder.load.yamlsafe import load_yaml_bytes
from site_builder.schema import extends
from site_builder.schema.convert import validate
from site_builder.schema.scheme import Scheme
from site_builder.site.records import schemediff
from site_builder.site.build import build_site

BASIC = Path(__file__).parent / "site" / "fixtures" / "basic"

EXT = """\
extends: "2024"
title: 测试考核办法（2025年修订）
effective: {from: 2025-01-01}
total: 22
changes: [工作推进分值调为12分，增设安全生产]
remove:
  - honour: flag
change:
  - indicator: work
    set: {max: 12, clause: 按季度推进}
  - indicator: duty
    set: {max: 8}
add:
  - indicator: {id: safety, name: 安全生产, max: 2, rule: {kind: assessed}}
    after: work
"""

SCORES_2025 = """\
scheme: demo
version: "2025"
period: 2025-Q1
status: published
notice: {date: 2025-04-10, number: 测〔2025〕1号}
units:
  a1:
    facts: {work: 11, duty: 0, safety: 2}
  a2:
    facts: {work: 10, duty: 1, safety: 1}
  a3:
    facts: {work: 8, duty: 0, safety: 0}
"""


def _check(root: Path):
    return pipeline.check(root)


def _errors(root: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        pipeline.check(root)
    return [p.render() for p in exc.value.problems if p.severity == "error"]


# ------------------------------------------------------------------ what the merge gives


def test_extended_version_is_the_base_with_the_changes(tmp_path):
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": EXT, "scores/demo/2025-Q1.yaml": SCORES_2025})
    project, results = _check(root)
    sv = project.schemes["demo"]["2025"]
    s = sv.scheme
    assert s.title == "测试考核办法（2025年修订）" and s.issuer == "测试县考核办"  # replaced, inherited
    assert s.extends == "2024"
    assert [i.id for i in s.indicators] == ["work", "safety", "duty", "bonus"]
    assert [i.max for i in s.indicators] == [Decimal(12), Decimal(2), Decimal(8), Decimal(4)]
    work = s.indicators[0]
    assert work.clause == "按季度推进" and work.office == "综合科"  # the other keys kept
    assert [h.id for h in s.honours] == []
    assert [v.id for v in s.vetoes] == ["disc"]
    assert s.changes == ["工作推进分值调为12分，增设安全生产"]
    # the base is untouched
    assert [i.max for i in project.schemes["demo"]["2024"].scheme.indicators] == [Decimal(10), Decimal(10), Decimal(4)]
    # a1: 11 + 2 + 8 (no lapse) = 21; a2: 10 + 1 + (8 - 1) = 18; a3: 8 + 0 + 8 = 16
    units = results[("demo", "2025-Q1")].units
    assert {u: units[u].total for u in units} == {"a1": Decimal(21), "a2": Decimal(18), "a3": Decimal(16)}
    # changes notes are never inherited
    assert project.schemes["demo"]["2024"].scheme.changes == []


def test_a_chain_is_followed(tmp_path):
    ext_2026 = """\
extends: "2025"
effective: {from: 2026-01-01}
change:
  - indicator: safety
    set: {name: 安全生产和消防}
add:
  - veto: {id: fire, name: 发生重大火灾}
    before: disc
"""
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": EXT, "schemes/demo/2026.yaml": ext_2026})
    project, _ = _check(root)
    s = project.schemes["demo"]["2026"].scheme
    assert [i.name for i in s.indicators][:2] == ["工作推进", "安全生产和消防"]
    assert s.indicators[0].max == Decimal(12) and s.total == Decimal(22)  # from 2025
    assert s.title == "测试考核办法（2025年修订）"
    assert [v.id for v in s.vetoes] == ["fire", "disc"]
    assert s.changes == []  # 2025's notes are about 2024


def test_add_under_a_parent_and_remove_a_subtree(tmp_path):
    ext = """\
extends: "2024"
effective: {from: 2025-01-01}
change:
  - indicator: work
    set:
      rule:
      children:
        - {id: plan, name: 计划, max: 6, rule: {kind: assessed}}
add:
  - indicator: {id: done, name: 完成, max: 4, rule: {kind: assessed}}
    under: work
  - indicator: {id: start, name: 启动, max: 0, rule: {kind: assessed}}
    under: work
    before: plan
remove:
  - indicator: bonus
"""
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": ext})
    project, _ = _check(root)
    s = project.schemes["demo"]["2025"].scheme
    work = s.indicators[0]
    assert work.rule is None  # an empty value deletes the key
    assert [c.id for c in work.children] == ["start", "plan", "done"]
    assert [i.id for i in s.indicators] == ["work", "duty"]


def test_trees_need_in_tree_when_an_id_is_in_several():
    base = load_yaml_bytes(
        b"trees:\n"
        b"  - {id: t1, name: A, total: 1, indicators: [{id: x, name: X, max: 1}]}\n"
        b"  - {id: t2, name: B, total: 1, indicators: [{id: x, name: X, max: 1}]}\n",
        "b.yaml", Problems())
    ext_text = b"extends: b\nchange:\n  - {indicator: x, set: {max: 2}}\n  - {indicator: x, in_tree: t2, set: {name: Y}}\n"
    ext = load_yaml_bytes(ext_text, "e.yaml", Problems())
    problems = Problems()
    assert extends.apply(base, ext, problems) is None
    assert [p.render() for p in problems.errors] == [
        "e.yaml:3:17: 指标“x”在多个指标体系中都有（t1, t2） — 请加 in_tree: 指标体系标识"
    ]
    ext = load_yaml_bytes(ext_text.replace(b"{indicator: x, set", b"{indicator: x, in_tree: t1, set"), "e.yaml", Problems())
    merged = extends.apply(base, ext, Problems())
    trees = merged.data["trees"]
    assert trees[0]["indicators"][0]["max"] == "2" and trees[1]["indicators"][0]["name"] == "Y"
    # positions: what the extending file wrote points there, the rest into the base
    assert str(merged.mark(("trees", 0, "indicators", 0, "max"))) == "e.yaml:3:44"
    assert str(merged.mark(("trees", 1, "indicators", 0, "max"))) == "b.yaml:3:68"


# ------------------------------------------------------------------ refused, located, nothing written


def test_bad_changes_are_refused_where_they_are_written(tmp_path):
    ext = """\
extends: "2024"
effective: {from: 2025-01-01}
change:
  - indicator: wrk
    set: {max: 12}
  - indicator: duty
    set: {id: x, max: 8}
  - indicator: bonus
    set: {max: 3}
  - indicator: bonus
    set: {max: 2}
remove:
  - honour: flag
  - honour: flag
add:
  - indicator: {id: safety, name: 安全, max: 2, rule: {kind: assessed}}
    after: nothing
  - group: {id: g2, name: 乙组, units: [a1]}
    under: work
  - ranking: {id: r2, name: 另一排名}
    before: q
    after: q
"""
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": ext})
    assert _errors(root) == [
        "schemes/demo/2025.yaml:4:16: 找不到指标“wrk”，是不是“work”？ — 可用：bonus, duty, work",
        "schemes/demo/2025.yaml:7:11: change 不能修改标识 id — 要改标识，请用 remove 删除旧的一项，再用 add 新增",
        "schemes/demo/2025.yaml:11:11: 指标“bonus.max”在本文件第 9 行已修改 — 同一项只能修改一次：请合并为一项",
        "schemes/demo/2025.yaml:14:13: 荣誉“flag”在本文件第 13 行已删除 — 同一项只能删除一次：请合并为一项",
        "schemes/demo/2025.yaml:17:12: 找不到指标“nothing” — 可用：bonus, duty, work",
        "schemes/demo/2025.yaml:19:12: under 只能用于新增指标 — 组别、排名等新增项用 before 或 after 指定位置",
        "schemes/demo/2025.yaml:22:12: before 和 after 只能写一个 — 请删去其中一个",
    ]


def test_the_merged_scheme_is_validated_like_a_full_file(tmp_path):
    ext = """\
extends: "2024"
effective: {from: 2025-01-01}
change:
  - veto: disc
    set: {effect: zeroo}
"""
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": ext})
    assert _errors(root) == ["schemes/demo/2025.yaml:5:19: “zeroo”不是可选值 — 可选：'no_honour', 'zero' or 'last'"]
    ext = """\
extends: "2024"
effective: {from: 2025-01-01}
change:
  - indicator: work
    set: {max: 12}
add:
  - indicator: {id: duty, name: 重复, max: 1, rule: {kind: assessed}}
"""
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": ext})
    assert _errors(root) == [
        # the sum is the base's line: its total is what no longer adds up
        "schemes/demo/2024.yaml:4:8: 满分为 20，但计入满分的一级指标分值之和为 23 — 请核对；若原文件确实如此，请加 total_mismatch: 说明原因",
        "schemes/demo/2025.yaml:7:21: 指标标识“duty”重复（第 14 行已使用） — 每个指标的标识必须不同",
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"schemes/demo/2025.yaml": 'extends: "2023"\neffective: {from: 2025-01-01}\n'},
         ["schemes/demo/2025.yaml:1:10: 找不到要沿用的版本“2023”（schemes/demo/2023.yaml），是不是“2024”？ — "
          "extends 只能写同一方案的另一个版本；已有版本：2024"]),
        ({"schemes/demo/2025.yaml": 'extends: "2026"\neffective: {from: 2025-01-01}\n',
          "schemes/demo/2026.yaml": 'extends: "2025"\neffective: {from: 2026-01-01}\n'},
         ["schemes/demo/2025.yaml:1:10: 版本之间循环沿用：2025.yaml → 2026.yaml → 2025.yaml — 最早的版本必须写成完整的方案，不能再写 extends",
          "schemes/demo/2026.yaml:1:10: 版本之间循环沿用：2026.yaml → 2025.yaml → 2026.yaml — 最早的版本必须写成完整的方案，不能再写 extends"]),
        ({"schemes/demo/2025.yaml": 'extends: "2025"\neffective: {from: 2025-01-01}\n'},
         ["schemes/demo/2025.yaml:1:10: 找不到要沿用的版本“2025”（schemes/demo/2025.yaml），是不是“2024”？ — "
          "extends 只能写同一方案的另一个版本；已有版本：2024"]),
        ({"schemes/demo/2025.yaml": 'extends: "2024"\ntitle: 新\n'},
         ["schemes/demo/2025.yaml:1:1: 沿用旧版本的文件必须写明本版本的有效期 effective — 请加 effective: {from: 开始日期}"]),
        ({"schemes/other/2025.yaml": 'extends: demo/2024\neffective: {from: 2025-01-01}\n'},
         None),
        ({"schemes/demo/2025.yaml": "extends: \"2024\"\neffective: {from: 2025-01-01}\nremove:\n  - {honour: flag, veto: disc}\n"},
         ["schemes/demo/2025.yaml:4:5: 每一项修改、删除或新增须写且只写一个对象（indicator、group、veto 等），此处写了：veto, honour — "
          "请拆成多项，每项只写一个，如 - indicator: 标识"]),
    ],
)
def test_versions_that_cannot_be_built_are_refused(tmp_path, files, expected):
    root = make_project(tmp_path, files)
    errors = _errors(root)
    if expected is None:  # another scheme's version is no id of this scheme
        assert len(errors) == 1 and errors[0].startswith("schemes/other/2025.yaml:1:10:")
    else:
        assert errors == expected


def test_messages_read_in_english_too(tmp_path):
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": 'extends: "2024"\neffective: {from: 2025-01-01}\n'
                                   "remove:\n  - indicator: report\n"})
    with pytest.raises(InputError) as exc:
        pipeline.check(root)
    assert [p.render("en") for p in exc.value.problems] == [
        "schemes/demo/2025.yaml:4:16: there is no indicator “report” — known: bonus, duty, work"
    ]


def test_operations_need_extends(tmp_path):
    from scratch import SCHEME

    root = make_project(tmp_path, {"schemes/demo/2024.yaml": SCHEME + "remove:\n  - honour: flag\n"})
    assert _errors(root) == [
        "schemes/demo/2024.yaml:33:1: “remove”只能用于沿用旧版本的文件 — 请加 extends: 旧版本标识，或把内容直接写进方案"
    ]


def test_check_and_build_refuse_and_write_nothing(tmp_path):
    root = make_project(tmp_path / "p", {"schemes/demo/2025.yaml": 'extends: "2023"\neffective: {from: 2025-01-01}\n'})
    before = listing(root)
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1 and "schemes/demo/2025.yaml:1:10: 找不到要沿用的版本“2023”" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["build", "--root", str(root), "--out", str(root / "_site"), "--quiet"])
    assert result.exit_code == 1 and "2025.yaml:1:10" in result.output
    assert listing(root) == before


# ------------------------------------------------------------------ the same as a full copy


V2018_AS_CHANGES = """\
extends: v2017
title: 示范县机关效能建设考核办法
doc_number: 示效办〔2018〕1号
index_number: "003412345/2018-00001"
issued: "2017-12-25"
effective:
  from: "2018-01-01"
changes:
  - 服务态度增设“差”等次，不得分。
  - 通报扣分每次由 2 分调整为 3 分。
change:
  - indicator: fuwu
    set:
      clause: 按群众满意度测评等次计分，差的不得分。
      rule:
        kind: levels
        levels:
          - {id: good, name: 好, points: "20"}
          - {id: fair, name: 较好, points: "15"}
          - {id: poor, name: 一般, points: "8"}
          - {id: bad, name: 差, points: "0"}
  - indicator: koufen
    set:
      clause: 被县级以上通报批评的，每次扣3分。
      rule:
        kind: per_occurrence
        per: "3"
"""


def _built(root: Path) -> dict[str, bytes]:
    out = root / "_site"
    build_site(root, out, quiet=True)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_an_extended_version_builds_the_same_site_as_a_full_copy(tmp_path):
    full = tmp_path / "full"
    short = tmp_path / "short"
    shutil.copytree(BASIC, full)
    shutil.copytree(BASIC, short)
    (short / "schemes/xiaoneng/v2018.yaml").write_text(V2018_AS_CHANGES, "utf-8")
    a, b = _built(full), _built(short)
    assert sorted(a) == sorted(b)
    differ = sorted(k for k in a if a[k] != b[k])
    # only the downloadable scheme source differs (written out in full, in other words),
    # and the manifest's hashes of it and of the source file
    download = "schemes/xiaoneng/v2018/xiaoneng-v2018.yaml"
    assert differ == ["manifest.json", download]
    lines = zip(a["manifest.json"].splitlines(), b["manifest.json"].splitlines(), strict=True)
    assert sorted(x.split(b":")[0].strip() for x, y in lines if x != y) == sorted([f'"{download}"'.encode(), b'"schemes/xiaoneng/v2018.yaml"'])
    merged = load_yaml_bytes(b[download], "x.yaml", Problems())
    original = load_yaml_bytes(a[download], "x.yaml", Problems())
    assert validate(Scheme, merged, Problems()) == validate(Scheme, original, Problems())
    # and the scheme page lists what changed from the version it extends
    page = b["schemes/xiaoneng/v2018/index.html"].decode("utf-8")
    assert "“通报扣分”考核内容调整为：被县级以上通报批评的，每次扣3分。" in page


def test_published_periods_archive_the_scheme_written_out_in_full(tmp_path):
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": EXT, "scores/demo/2025-Q1.yaml": SCORES_2025})
    result = CliRunner().invoke(cli, ["lock", "--root", str(root)])
    assert result.exit_code == 0, result.output
    archived = sorted((root / "published" / "demo" / "2025-Q1").glob("v1.scheme.yaml"))
    assert archived, sorted(p.as_posix() for p in (root / "published").rglob("*"))
    problems = Problems()
    doc = load_yaml_bytes(archived[0].read_bytes(), "a.yaml", problems)
    scheme = validate(Scheme, doc, problems)
    assert not problems.errors and scheme is not None and scheme.extends is None
    project, _ = _check(root)
    merged = project.schemes["demo"]["2025"].scheme
    assert scheme == merged.model_copy(update={"extends": None})
    # the lock holds: a build checks it
    build_site(root, tmp_path / "out", quiet=True)


# ------------------------------------------------------------------ the page's list of changes


def test_schemediff_names_clause_and_item_changes(tmp_path):
    root = make_project(tmp_path, {"schemes/demo/2025.yaml": EXT})
    project, _ = _check(root)
    old, new = project.schemes["demo"]["2024"], project.schemes["demo"]["2025"]
    assert schemediff.changes(old, new, "zh-CN") == [
        "“工作推进”分值由 10 分 调整为 12 分",
        "“工作推进”评分标准调整为：由评分人在0至12分之间评分。",
        "“工作推进”考核内容调整为：按季度推进",
        "新增指标“安全生产”（2 分）",
        "“值守纪律”分值由 10 分 调整为 8 分",
        "删除评选“流动红旗”",
    ]
    en = schemediff.changes(old, new, "en")
    assert "Removed honour “流动红旗”" in en


# ------------------------------------------------------------------ properties

BASE_TEXT = """\
title: 底本
effective: {from: 2024-01-01}
total: 30
period: {kind: quarter}
groups:
  - {id: g, name: 全体, units: [a1]}
indicators:
  - {id: a, name: 甲, max: 10, rule: {kind: assessed}}
  - {id: b, name: 乙, max: 10, rule: {kind: assessed}}
  - id: c
    name: 丙
    max: 10
    children:
      - {id: c1, name: 丙一, max: 5, rule: {kind: assessed}}
      - {id: c2, name: 丙二, max: 5, rule: {kind: assessed}}
vetoes:
  - {id: v1, name: 否一}
  - {id: v2, name: 否二}
rankings:
  - {id: r, name: 排名}
"""

TOP = ['title: 新标题', 'effective: {from: 2025-01-01}', 'issuer: 某办']
CHANGES = [
    "  - {indicator: a, set: {max: 12, clause: 条文}}",
    "  - {indicator: c1, set: {name: 丙之一}}",
    "  - {veto: v2, set: {effect: zero}}",
    "  - {ranking: r, set: {ties: dense}}",
]
REMOVES = ["  - {indicator: b}", "  - {veto: v1}"]
ADDS = [  # each placed by an anchor no other addition uses: their order does not matter
    "  - {indicator: {id: n1, name: 新一, max: 1, rule: {kind: assessed}}, after: a}",
    "  - {indicator: {id: n2, name: 新二, max: 1, rule: {kind: assessed}}, under: c, before: c2}",
    "  - {veto: {id: v3, name: 否三}, before: v2}",
]


def _ext_text(order: random.Random) -> bytes:
    def shuffled(items: list[str]) -> list[str]:
        items = list(items)
        order.shuffle(items)
        return items

    blocks = [[line] for line in TOP] + [
        ["change:", *shuffled(CHANGES)], ["remove:", *shuffled(REMOVES)], ["add:", *shuffled(ADDS)],
    ]
    lines = ["extends: base"] + [line for block in shuffled(blocks) for line in block]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _merge(ext_text: bytes) -> object:
    base = load_yaml_bytes(BASE_TEXT.encode("utf-8"), "base.yaml", Problems())
    ext = load_yaml_bytes(ext_text, "ext.yaml", Problems())
    problems = Problems()
    merged = extends.apply(base, ext, problems)
    assert merged is not None, [p.render() for p in problems.items]
    return merged


def _canonical(data: object) -> object:
    """The merged data with the top-level keys in a fixed order (their order means nothing)."""
    return sorted(((k, repr(v)) for k, v in data.items()))  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_the_order_of_changes_in_the_file_does_not_matter(order):
    merged = _merge(_ext_text(order))
    data = merged.data
    assert [i["id"] for i in data["indicators"]] == ["a", "n1", "c"]
    assert [c["id"] for c in data["indicators"][2]["children"]] == ["c1", "n2", "c2"]
    assert [v["id"] for v in data["vetoes"]] == ["v3", "v2"]
    assert data["indicators"][0]["max"] == "12" and data["rankings"][0]["ties"] == "dense"
    reference = _merge(_ext_text(random.Random(0)))
    assert _canonical(data) == _canonical(reference.data)
    # every value is located: in the extending file when it wrote it
    assert str(merged.mark(("indicators", 0, "max"))).startswith("ext.yaml:")
    assert str(merged.mark(("indicators", 2, "children", 0, "max"))).startswith("base.yaml:")


@settings(max_examples=20, deadline=None)
@given(st.randoms(use_true_random=False))
def test_merging_is_deterministic_and_the_full_text_reads_back(order):
    text = _ext_text(order)
    one, two = _merge(text), _merge(text)
    assert one.data == two.data and one.marks == two.marks and one.key_marks == two.key_marks
    full = extends.full_text(one.data)
    assert full == extends.full_text(two.data)
    back = load_yaml_bytes(full, "full.yaml", Problems())
    assert back is not None
    expected = {k: v for k, v in one.data.items() if k != "extends"}  # type: ignore[union-attr]
    assert back.data == expected
    assert [type(v) for v in back.data.values()] == [type(v) for v in expected.values()]
    assert validate(Scheme, back, Problems()) == validate(Scheme, one, Problems()).model_copy(update={"extends": None})
