"""The engine's sharp edges (issue 8, item 10): each case failed before its fix.

Every project here is written inline so that each expected line:column and
each figure can be counted or computed by hand from the text.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from scratch import listing, make_project
from site_builder import pipeline
from site_builder.errors import InputError

D = Decimal

SITE = "title: 测试考核公示\norganisation: 测试县考核办\nsample: true\n"
UNITS = "units:\n  - {id: a1, name: 甲局}\n  - {id: a2, name: 乙局}\n"


def project(tmp_path, scheme: str, periods: dict[str, str], units: str = UNITS):
    files = {"site.yaml": SITE, "units/units.yaml": units, "schemes/x/2024.yaml": scheme}
    files.update({f"scores/x/{p}.yaml": text for p, text in periods.items()})
    return make_project(tmp_path, files, base=False)


def errors(root, locale=None) -> list[str]:
    with pytest.raises(InputError) as info:
        pipeline.check(root, locale=locale)
    return info.value.format_message().splitlines()


# ---------------------------------------------------------------- 1. formula errors with the facts

FORMULA_SCHEME = """\
title: 测试考核办法
effective: {from: 2024-01-01}
total: 10
period: {kind: quarter}
groups:
  - {id: g, name: 全体, units: [a1, a2]}
indicators:
  - id: xx
    name: 信息宣传
    max: 10
    rule:
      kind: formula
      expr: min(done / planned * 10, max)
      inputs: [done, planned]
"""


def period(p: str, a1: str, a2: str, status: str = "draft") -> str:
    return (f'scheme: x\nversion: "2024"\nperiod: {p}\nstatus: {status}\nunits:\n'
            f"  a1:\n    facts:\n      xx: {a1}\n  a2:\n    facts:\n      xx: {a2}\n")


def test_division_by_zero_with_the_facts_is_located_in_every_period(tmp_path):
    root = project(tmp_path, FORMULA_SCHEME, {
        "2024-Q1": period("2024-Q1", "{values: {done: 3, planned: 0}}", "{values: {done: 3, planned: 4}}"),
        "2024-Q2": period("2024-Q2", "{values: {done: 1, planned: 2}}", "{values: {done: 0, planned: 0}}"),
    })
    before = listing(root)
    assert errors(root) == [
        "scores/x/2024-Q1.yaml:8:7: 单位“甲局”（a1）的“信息宣传”：公式第 10 个字符处除数为零"
        "（2024年第一季度；公式见 schemes/x/2024.yaml:13:13：min(done / planned * 10, max)）"
        " — 可写作 if(planned == 0, 0, done / planned * 10) 处理除数为零的情况；或核对本单位的记录",
        "scores/x/2024-Q2.yaml:11:7: 单位“乙局”（a2）的“信息宣传”：公式第 10 个字符处除数为零"
        "（2024年第二季度；公式见 schemes/x/2024.yaml:13:13：min(done / planned * 10, max)）"
        " — 可写作 if(planned == 0, 0, done / planned * 10) 处理除数为零的情况；或核对本单位的记录",
        "共 2 个错误；未写出任何文件。",
    ]
    assert listing(root) == before


def test_build_writes_nothing_on_a_formula_error(tmp_path):
    from click.testing import CliRunner

    from site_builder.cli import main

    root = project(tmp_path, FORMULA_SCHEME, {
        "2024-Q1": period("2024-Q1", "{values: {done: 3, planned: 0}}", "{values: {done: 3, planned: 4}}")})
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--preview", "--quiet"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert result.output.splitlines()[0].startswith("scores/x/2024-Q1.yaml:8:7: 单位“甲局”（a1）")
    assert not (root / "_site").exists()


def test_the_guarded_formula_scores(tmp_path):
    scheme = FORMULA_SCHEME.replace("min(done / planned * 10, max)", "if(planned == 0, 0, min(done / planned * 10, max))")
    root = project(tmp_path, scheme, {
        "2024-Q1": period("2024-Q1", "{values: {done: 3, planned: 0}}", "{values: {done: 3, planned: 4}}")})
    _, results = pipeline.check(root)
    units = results[("x", "2024-Q1")].units
    assert units["a1"].total == D("0.00")
    assert units["a2"].total == D("7.50")  # 3 / 4 × 10


def test_a_number_used_as_a_condition_is_refused_at_the_scheme(tmp_path):
    scheme = FORMULA_SCHEME.replace("min(done / planned * 10, max)", "if(done, max, 0)")
    root = project(tmp_path, scheme, {
        "2024-Q1": period("2024-Q1", "{values: {done: 3, planned: 0}}", "{values: {done: 3, planned: 4}}")})
    assert errors(root) == [
        "schemes/x/2024.yaml:13:13: 公式有误：公式第 4 个字符处需要条件（真假值），却得到数值"
        " — and、or、not 和 if 的条件需要比较结果，例如 a > 0 — 请按文档中的公式语法修改",
        "共 1 个错误；未写出任何文件。",
    ]


SHARE_SCHEME = """\
title: 测试考核办法
effective: {from: 2024-01-01}
total: 10
period: {kind: quarter}
groups:
  - {id: g, name: 全体, units: [a1, a2]}
indicators:
  - {id: w, name: 工作, max: 10, rule: {kind: assessed}}
rankings:
  - {id: q, name: 季度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {share: 20}}
"""


@pytest.mark.parametrize(("locale", "line"), [
    (None, "schemes/x/2024.yaml:12:56: 名额比例 share 写的是 20，须在 0 到 1 之间（小数） — 20% 请写作 0.2"),
    ("en", "schemes/x/2024.yaml:12:56: share is 20; it must be between 0 and 1 (a fraction) — for 20% write 0.2"),
])
def test_share_written_as_a_percentage_suggests_the_fraction(tmp_path, locale, line):
    root = project(tmp_path, SHARE_SCHEME, {"2024-Q1": period("2024-Q1", "8", "9").replace("xx", "w")})
    assert errors(root, locale)[0] == line


# ---------------------------------------------------------------- 2. every cap_span value builds and is worded

SPAN_SCHEME = """\
title: 测试考核办法
effective: {{from: 2024-01-01}}
total: 10
period:
  kind: {kind}
  stages:
    - {{id: s1, name: 第一阶段, from: 2024-01-01, until: 2024-02-29}}
    - {{id: s2, name: 第二阶段, from: 2024-03-01, until: 2024-04-30}}
groups:
  - {{id: g, name: 全体, units: [a1, a2]}}
indicators:
  - {{id: w, name: 工作, max: 10, rule: {{kind: assessed}}}}
  - id: plus
    name: 加分
    type: bonus
    max: 4
    cap_span: {span}
    rule: {{kind: assessed}}
"""


def span_period(p: str) -> str:
    return (f'scheme: x\nversion: "2024"\nperiod: {p}\nstatus: draft\nunits:\n'
            "  a1: {facts: {w: 8, plus: 3}}\n  a2: {facts: {w: 8, plus: 0}}\n")


def build(root):
    from click.testing import CliRunner

    from site_builder.cli import main

    result = CliRunner().invoke(main, ["build", "--root", str(root), "--preview", "--quiet", "--as-of", "2024-12-31"])
    assert result.exit_code == 0, result.output
    return (root / "_site" / "schemes" / "x" / "2024" / "index.html").read_text("utf-8")


@pytest.mark.parametrize(("kind", "span", "periods", "booked", "words"), [
    # a1 records 3 bonus points every period; the cap is 4 per span
    ("month", "period", ["2024-01", "2024-02", "2024-03", "2024-04"], [3, 3, 3, 3], None),
    ("week", "month", ["2024-W02", "2024-W03", "2024-W06"], [3, 1, 3], "封顶按每月累计计算"),  # W06 starts 5 Feb
    ("month", "quarter", ["2024-01", "2024-02", "2024-03", "2024-04"], [3, 1, 0, 3], "封顶按每季度累计计算"),
    ("month", "stage", ["2024-01", "2024-02", "2024-03", "2024-04"], [3, 1, 3, 1], "封顶按每阶段累计计算"),
    ("quarter", "year", ["2024-Q1", "2024-Q2"], [3, 1], "封顶按全年累计计算"),
])
def test_every_cap_span_builds_with_the_hand_computed_cap(tmp_path, kind, span, periods, booked, words):
    root = project(tmp_path, SPAN_SCHEME.format(kind=kind, span=span), {p: span_period(p) for p in periods})
    _, results = pipeline.check(root)
    assert [results[("x", p)].units["a1"].line("plus").points for p in periods] == [D(b) for b in booked]
    assert [results[("x", p)].units["a1"].total for p in periods] == [D(8 + b) for b in booked]
    page = build(root)
    if words:
        assert words in page
    else:
        assert "累计计算" not in page


@pytest.mark.parametrize(("kind", "span", "stages", "line"), [
    ("month", "stage", False,
     "schemes/x/2024.yaml:14:15: “加分”按阶段累计封顶（cap_span: stage），但方案没有列出阶段"
     " — 请在 period 下列出 stages，或改用 cap_span: year"),
    ("quarter", "quarter", True,
     "schemes/x/2024.yaml:17:15: “加分”的累计封顶范围 quarter 不长于考核周期 quarter，等于每期封顶"
     " — 请删除 cap_span（每期封顶），或改用更长的范围：stage, year"),
])
def test_a_cap_span_that_cannot_work_is_refused_at_its_line(tmp_path, kind, span, stages, line):
    scheme = SPAN_SCHEME.format(kind=kind, span=span)
    if not stages:
        scheme = scheme.replace(
            "  stages:\n    - {id: s1, name: 第一阶段, from: 2024-01-01, until: 2024-02-29}\n"
            "    - {id: s2, name: 第二阶段, from: 2024-03-01, until: 2024-04-30}\n", "")
    root = project(tmp_path, scheme, {"2024-Q1" if kind == "quarter" else "2024-01":
                                      span_period("2024-Q1" if kind == "quarter" else "2024-01")})
    assert errors(root) == [line, "共 1 个错误；未写出任何文件。"]


# ---------------------------------------------------------------- 3. of: independent of line order

R2 = """\
  - id: r2
    name: 完成率
    max: 10
    rule: {kind: relative_to_best, label: 完成率}
"""
R1 = """\
  - id: r1
    name: 完成率名次
    max: 5
    rule: {kind: group_rank, label: 完成率得分, of: r2, points: [5, 3]}
"""
OF_HEAD = """\
title: 测试考核办法
effective: {from: 2024-01-01}
total: 15
period: {kind: quarter}
groups:
  - {id: g, name: 全体, units: [a1, a2]}
indicators:
"""
OF_PERIOD = ('scheme: x\nversion: "2024"\nperiod: 2024-Q1\nstatus: draft\nunits:\n'
             "  a1: {facts: {r2: 8}}\n  a2: {facts: {r2: 4}}\n")


@pytest.mark.parametrize("lines", [R2 + R1, R1 + R2])
def test_of_gives_the_same_result_whatever_the_order_of_the_lines(tmp_path, lines):
    root = project(tmp_path, OF_HEAD + lines, {"2024-Q1": OF_PERIOD})
    _, results = pipeline.check(root)
    units = results[("x", "2024-Q1")].units
    # r2: a1 is the best (10); a2 10 × 4 / 8 = 5; r1 ranks those: a1 first 5, a2 second 3
    assert [units[u].line("r2").points for u in ("a1", "a2")] == [D(10), D(5)]
    assert [units[u].line("r1").points for u in ("a1", "a2")] == [D(5), D(3)]
    assert [units[u].total for u in ("a1", "a2")] == [D(15), D(8)]


def test_of_leading_back_to_the_line_is_refused(tmp_path):
    lines = """\
  - id: sec
    name: 效能
    max: 15
    children:
      - {id: r2, name: 完成率, max: 10, rule: {kind: relative_to_best, label: 完成率}}
      - {id: r1, name: 完成率名次, max: 5, rule: {kind: group_rank, label: 完成率得分, of: sec, points: [5, 3]}}
"""
    root = project(tmp_path, OF_HEAD + lines, {"2024-Q1": OF_PERIOD})
    assert errors(root) == [
        "schemes/x/2024.yaml:13:82: “完成率名次”比较“效能”的得分（of），而“效能”的得分又要先算出本项："
        "“完成率名次” → “完成率名次” — of 只能指向不包含本项、也不依赖本项的指标",
        "共 1 个错误；未写出任何文件。",
    ]


# ---------------------------------------------------------------- 4. applies_to under a capped parent

CAPPED_PARENT = """\
title: 测试考核办法
effective: {{from: 2024-01-01}}
total: 100
period: {{kind: quarter}}
groups:
  - {{id: g, name: 全体, units: [a1, a2]}}
indicators:
  - id: dept
    name: 部门工作
    max: 10
    children_mismatch: 各项合计超过10分的按10分计
    children:
      - {{id: big, name: 重点项目, max: 1000, applies_to: [a1], rule: {{kind: assessed}}}}
      - {{id: mid, name: 专项工作, max: 800, applies_to: [a1], rule: {{kind: assessed}}}}
      - {{id: small, name: 日常工作, max: {small}, rule: {{kind: assessed}}}}
  - {{id: other, name: 其他, max: 90, rule: {{kind: assessed}}}}
"""
CAPPED_PERIOD = ('scheme: x\nversion: "2024"\nperiod: 2024-Q1\nstatus: draft\nunits:\n'
                 "  a1: {facts: {big: 3, mid: 4, small: 2, other: 80}}\n  a2: {facts: {small: 2, other: 80}}\n")


@pytest.mark.parametrize(("small", "a2_max", "a2_total"), [
    # a2 has only 日常工作 under 部门工作: it can still reach the parent's 10 when that line is worth 10
    ("10", D(100), D(82)),
    # … and 5 of the 10 when it is worth 5: the maximum drops by 5, not by 1000 + 800
    ("5", D(95), D(82)),
])
def test_an_excluded_line_under_a_capped_parent_never_gives_a_negative_maximum(tmp_path, small, a2_max, a2_total):
    root = project(tmp_path, CAPPED_PARENT.format(small=small), {"2024-Q1": CAPPED_PERIOD})
    _, results = pipeline.check(root)
    units = results[("x", "2024-Q1")].units
    assert units["a1"].max_total == D(100)
    assert units["a1"].total == D(89)  # min(3 + 4 + 2, 10) + 80
    assert units["a2"].max_total == a2_max
    assert units["a2"].total == a2_total  # 2 + 80


# ---------------------------------------------------------------- 5. what a parent item says is applied or refused, and published

PARENT = """\
title: 测试考核办法
effective: {from: 2024-01-01}
total: 10
period: {kind: quarter}
groups:
  - {id: g, name: 全体, units: [a1, a2]}
indicators:
  - id: sec
    name: 效能建设
    max: 10
    clause: 落实首问负责制
    rater: 效能办
    source: 效能监察系统
    children:
      - {id: w, name: 窗口服务, max: 10, rule: {kind: assessed}}
"""
PARENT_PERIOD = ('scheme: x\nversion: "2024"\nperiod: 2024-Q1\nstatus: draft\nunits:\n'
                 "  a1: {facts: {w: 8}}\n  a2: {facts: {w: 9}}\n")


@pytest.mark.parametrize(("extra", "key"), [
    ("    modifiers:\n      - {label: 投诉件次, steps: [{min: 1, factor: 0.5}]}\n", "modifiers"),
    ("    disqualify: {at_least: 1}\n", "disqualify"),
    ("    not_applicable: zero\n", "not_applicable"),
])
def test_what_a_parent_would_ignore_is_refused_at_its_key(tmp_path, extra, key):
    scheme = PARENT.replace("    source: 效能监察系统\n", "    source: 效能监察系统\n" + extra)
    root = project(tmp_path, scheme, {"2024-Q1": PARENT_PERIOD})
    assert errors(root) == [
        f"schemes/x/2024.yaml:14:5: “效能建设”有下级指标，{key} 只对末级指标起作用，写在这里不会生效"
        f" — 请把 {key} 写到适用的下级指标上",
        "共 1 个错误；未写出任何文件。",
    ]


def test_clause_rater_and_source_of_a_parent_are_published(tmp_path):
    page = build(project(tmp_path, PARENT, {"2024-Q1": PARENT_PERIOD}))
    for said in ("“效能建设”：落实首问负责制", "“效能建设”：评分单位：效能办", "“效能建设”：数据来源：效能监察系统"):
        assert said in page


# ---------------------------------------------------------------- 6. share: the wording agrees with the arithmetic

EIGHT = "units:\n" + "".join(f"  - {{id: u{i}, name: 单位{i}}}\n" for i in range(1, 9))
SHARE_HONOUR = """\
title: 测试考核办法
effective: {{from: 2024-01-01}}
total: 10
period: {{kind: quarter}}
groups:
  - {{id: g, name: 全体, units: [u1, u2, u3, u4, u5, u6, u7, u8]}}
indicators:
  - {{id: w, name: 工作, max: 10, rule: {{kind: assessed}}}}
rankings:
  - {{id: q, name: 季度排名}}
honours:
  - {{id: good, name: 优秀, ranking: q, select: {{share: 0.2{rounding}}}{ties}}}
"""


def share_period(points: list[int]) -> str:
    return ('scheme: x\nversion: "2024"\nperiod: 2024-Q1\nstatus: draft\nunits:\n'
            + "".join(f"  u{i}: {{facts: {{w: {p}}}}}\n" for i, p in enumerate(points, start=1)))


@pytest.mark.parametrize(("rounding", "ties", "points", "chosen", "words"), [
    # 20% of 8 = 1.6: rounded half up that is 2 places, i.e. 25%: the page must not say “不超过20%”
    (", rounding: half_up", "", [9, 8, 7, 6, 5, 4, 3, 2], ("u1", "u2"),
     "每组名额按参评单位数的20%四舍五入确定（全体8个单位为2个）；名额末位并列的均不入选"),
    # the default (rounded down, a tie at the last place left out) never exceeds the share: 1 place
    ("", "", [9, 8, 8, 6, 5, 4, 3, 2], ("u1",), "每组不超过20%（名额向下取整）；名额末位并列的均不入选"),
    # half up with a tie at the cut-off: the 2nd place is shared by u2 and u3, so neither is chosen
    (", rounding: half_up", "", [9, 8, 8, 6, 5, 4, 3, 2], ("u1",),
     "每组名额按参评单位数的20%四舍五入确定（全体8个单位为2个）；名额末位并列的均不入选"),
    # ties included may go beyond: 3 of 8 here, so no “不超过” either
    ("", ", ties: include", [9, 9, 8, 6, 5, 4, 3, 2], ("u1", "u2"),
     "每组名额按参评单位数的20%向下取整确定（全体8个单位为1个）；名额末位并列的一并入选"),
])
def test_share_wording_agrees_with_the_places_given(tmp_path, rounding, ties, points, chosen, words):
    root = project(tmp_path, SHARE_HONOUR.format(rounding=rounding, ties=ties), {"2024-Q1": share_period(points)},
                   units=EIGHT)
    _, results = pipeline.check(root)
    (honour,) = results[("x", "2024-Q1")].honours
    assert honour.chosen == chosen
    page = build(root)
    assert words in page
    if "不超过" not in words:
        assert "不超过20%" not in page


def test_the_formula_message_in_english(tmp_path):
    root = project(tmp_path, FORMULA_SCHEME, {
        "2024-Q1": period("2024-Q1", "{values: {done: 3, planned: 0}}", "{values: {done: 3, planned: 4}}")})
    (root / "site.yaml").write_text(SITE + "locale: en\n", "utf-8")
    assert errors(root) == [
        "scores/x/2024-Q1.yaml:8:7: “信息宣传” of unit “甲局” (a1): Division by zero at position 10 of the formula"
        " (Q1 2024; the formula is at schemes/x/2024.yaml:13:13: min(done / planned * 10, max))"
        " — Guard it, e.g. if(planned == 0, 0, done / planned * 10); or check the unit's facts",
        "1 error(s); nothing was written.",
    ]


def test_check_lang_en_gives_the_formula_message_in_english_on_a_chinese_site(tmp_path):
    from click.testing import CliRunner

    from site_builder.cli import main

    root = project(tmp_path, FORMULA_SCHEME, {
        "2024-Q1": period("2024-Q1", "{values: {done: 3, planned: 0}}", "{values: {done: 3, planned: 4}}")})
    result = CliRunner().invoke(main, ["check", "--root", str(root), "--lang", "en"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "scores/x/2024-Q1.yaml:8:7: “信息宣传” of unit “甲局” (a1): Division by zero at position 10" in result.output
    assert "1 error(s); nothing was written." in result.output
    assert "除数为零" not in result.output
