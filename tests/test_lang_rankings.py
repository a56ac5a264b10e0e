"""Part D of the scheme language's second generation: when honours are decided
(``Honour.decided``), cumulative spans (``Ranking.span``) and rankings within
sub-categories (``Ranking.categories``) — hand-computed on scratch projects.

Span project (one line ``work`` = the total), quarters with two stages in 2024::

    period    a1   a2   a3      stage
    2024-Q1   90   80   85      s1 (2024-01-01 … 2024-06-30)
    2024-Q2   70   95   80      s1
    2024-Q3   88   60   90      s2 (2024-07-01 … 2024-12-31)
    2024-Q4   80   90   70      s2
    2025-Q1   50   70   60      —
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import listing, make_project
from site_builder.cli import main
from site_builder.pipeline import check

SPAN_UNITS = """\
units:
  - {id: a1, name: 发改委, category: 专业部门}
  - {id: a2, name: 教育局, category: 专业部门}
  - {id: a3, name: 科技局, category: 其他部门}
"""

SPAN_SCHEME = """\
title: 累计范围测试办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 100
period:
  kind: quarter
  stages:
    - {id: s1, name: 第一阶段, from: 2024-01-01, until: 2024-06-30}
    - {id: s2, name: 第二阶段, from: 2024-07-01, until: 2024-12-31}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - id: work
    name: 工作实绩
    max: 100
    rule: {kind: assessed}
rankings:
  - {id: q, name: 季度排名}
  - {id: yr, name: 年度累计排名, basis: cumulative}
  - {id: st, name: 阶段累计排名, basis: cumulative, span: stage}
  - {id: all, name: 连续累计排名, basis: cumulative, span: scheme}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1}}
  - {id: good, name: 年度优秀, ranking: yr, select: {top: 1}, decided: [year_end], streak: true}
  - {id: best, name: 阶段优秀, ranking: st, select: {top: 1}, decided: [stage_end]}
  - {id: last, name: 末位通报, kind: sanction, ranking: q, select: {bottom: 1}, decided: [2024-Q3]}
"""

TOTALS = {
    "2024-Q1": (90, 80, 85),
    "2024-Q2": (70, 95, 80),
    "2024-Q3": (88, 60, 90),
    "2024-Q4": (80, 90, 70),
    "2025-Q1": (50, 70, 60),
}
DATES = {"2024-Q1": "2024-04-10", "2024-Q2": "2024-07-10", "2024-Q3": "2024-10-10", "2024-Q4": "2025-01-10", "2025-Q1": "2025-04-10"}


def scores(pid: str, totals) -> str:
    lines = [f"scheme: span\nversion: \"2024\"\nperiod: {pid}\nstatus: published\nnotice: {{date: {DATES[pid]}}}\nunits:\n"]
    for u, t in zip(("a1", "a2", "a3"), totals):
        lines.append(f"  {u}: {{facts: {{work: {t}}}}}\n")
    return "".join(lines)


def span_project(tmp_path, scheme: str = SPAN_SCHEME, totals=TOTALS):
    files = {"units/units.yaml": SPAN_UNITS, "schemes/span/2024.yaml": scheme,
             "schemes/demo/2024.yaml": None, "scores/demo/2024-Q1.yaml": None}
    files.update({f"scores/span/{pid}.yaml": scores(pid, t) for pid, t in totals.items()})
    return make_project(tmp_path, files)


@pytest.fixture(scope="module")
def span(tmp_path_factory):
    _, results = check(span_project(tmp_path_factory.mktemp("span")))
    return {pid: results[("span", pid)] for pid in TOTALS}


def ranked(pr, ranking: str) -> dict[str, tuple[int, D]]:
    return {e.unit: (e.rank, e.value) for g in pr.rankings if g.ranking == ranking for e in g.entries}


def honour(pr, hid: str):
    hs = [h for h in pr.honours if h.honour == hid]
    assert len(hs) == 1
    return hs[0]


# ---------------------------------------------------------------- cumulative spans


def test_year_span_is_todays_cumulative(span):
    # 2024-Q4: a1 90+70+88+80 = 328, a2 80+95+60+90 = 325, a3 85+80+90+70 = 325
    assert ranked(span["2024-Q4"], "yr") == {"a1": (1, D(328)), "a2": (2, D(325)), "a3": (2, D(325))}
    assert span["2024-Q4"].cumulative == {"a1": D(328), "a2": D(325), "a3": D(325)}
    # a new calendar year starts again: 2025-Q1 alone
    assert ranked(span["2025-Q1"], "yr") == {"a2": (1, D(70)), "a3": (2, D(60)), "a1": (3, D(50))}


def test_stage_span_restarts_each_stage(span):
    # s1 at Q2: a1 160, a2 175, a3 165; s2 at Q3: Q3 alone; s2 at Q4: a1 168, a2 150, a3 160
    assert ranked(span["2024-Q2"], "st") == {"a2": (1, D(175)), "a3": (2, D(165)), "a1": (3, D(160))}
    assert ranked(span["2024-Q3"], "st") == {"a3": (1, D(90)), "a1": (2, D(88)), "a2": (3, D(60))}
    assert ranked(span["2024-Q4"], "st") == {"a1": (1, D(168)), "a3": (2, D(160)), "a2": (3, D(150))}


def test_scheme_span_runs_across_years(span):
    # 2025-Q1: a1 328+50 = 378, a2 325+70 = 395, a3 325+60 = 385
    assert ranked(span["2025-Q1"], "all") == {"a2": (1, D(395)), "a3": (2, D(385)), "a1": (3, D(378))}
    assert span["2025-Q1"].running["all"] == {"a1": D(378), "a2": D(395), "a3": D(385)}
    assert span["2025-Q1"].running["yr"] == {"a1": D(50), "a2": D(70), "a3": D(60)}


def test_the_span_names_where_it_began(span):
    def span_of(pid, rid):
        return next(g.span for g in span[pid].rankings if g.ranking == rid)

    assert (span_of("2025-Q1", "all").first, span_of("2025-Q1", "all").first_name) == ("2024-Q1", "2024年第一季度")
    assert span_of("2025-Q1", "yr").first == "2025-Q1"
    assert span_of("2024-Q4", "st").first == "2024-Q3"
    assert span_of("2024-Q4", "q") is None


# ---------------------------------------------------------------- when honours are decided


def test_year_end_honour_is_decided_in_the_last_quarter_only(span):
    for pid in ("2024-Q1", "2024-Q2", "2024-Q3"):
        h = honour(span[pid], "good")
        assert h.chosen == () and h.excluded == ()
        assert h.pending == "本期不评定，2024年末（2024年12月31日）评定"
    h = honour(span["2024-Q4"], "good")
    assert h.chosen == ("a1",) and h.pending is None  # 328 is first
    assert h.streaks == {"a1": 1}  # the undecided quarters are not a break, nor a win
    assert honour(span["2025-Q1"], "good").pending == "本期不评定，2025年末（2025年12月31日）评定"


def test_stage_end_honour(span):
    assert honour(span["2024-Q1"], "best").pending == "本期不评定，第一阶段结束时（2024年6月30日）评定"
    assert honour(span["2024-Q2"], "best").chosen == ("a2",)  # s1: 175
    assert honour(span["2024-Q3"], "best").pending == "本期不评定，第二阶段结束时（2024年12月31日）评定"
    assert honour(span["2024-Q4"], "best").chosen == ("a1",)  # s2: 168
    assert honour(span["2025-Q1"], "best").pending == "本期不评定"  # no stage is left


def test_sanction_decided_in_one_named_period(span):
    assert honour(span["2024-Q1"], "last").pending == "本期不评定，2024年第三季度评定"
    assert honour(span["2024-Q3"], "last").chosen == ("a2",)  # 60 is last
    assert honour(span["2024-Q4"], "last").pending == "本期不评定"


def test_undeclared_honours_are_decided_every_period(span):
    assert [honour(span[p], "flag").chosen for p in TOTALS] == [("a1",), ("a2",), ("a3",), ("a2",), ("a2",)]


# ---------------------------------------------------------------- sub-categories

CAT_UNITS = """\
units:
  - {id: a1, name: 发改委, category: 专业部门}
  - {id: a2, name: 教育局, category: 专业部门}
  - {id: a3, name: 科技局, category: 专业部门}
  - {id: b1, name: 民政局, category: 其他部门}
  - {id: b2, name: 司法局, category: 其他部门}
  - {id: b3, name: 财政局, category: 其他部门}
"""

CAT_SCHEME = """\
title: 分类别排名测试办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 14
period: {kind: quarter}
groups:
  - {id: g, name: 市直部门, units: [a1, a2, a3, b1, b2, b3]}
indicators:
  - id: work
    name: 工作实绩
    max: 10
    rule: {kind: assessed}
  - id: online
    name: 网上办理覆盖率
    max: 4
    rule: {kind: relative_to_best, label: 网上办理覆盖率}
rankings:
  - {id: q, name: 季度排名}
  - id: c
    name: 分类排名
    categories:
      - {id: pro, name: 专业部门, units: [a1, a2, a3]}
      - {id: other, name: 其他部门, units: [b1, b2, b3]}
  - {id: u, name: 按名册类别排名, categories: units}
honours:
  - {id: flag, name: 流动红旗, ranking: c, select: {top: 1}}
  - {id: good, name: 优秀, ranking: c, select: {share: 0.5}}
"""

# work + online; online = 4 × value ÷ 100 (b3's 100 is the best of the whole group)
CAT_FACTS = {"a1": (9, 50), "a2": (8, 100), "a3": (7, 75), "b1": (6, 25), "b2": (5, 50), "b3": (4, 100)}


def cat_scores(facts=CAT_FACTS, order=None) -> str:
    out = ["scheme: cat\nversion: \"2024\"\nperiod: 2024-Q1\nstatus: published\nnotice: {date: 2024-04-10}\nunits:\n"]
    for u in order or facts:
        w, o = facts[u]
        out.append(f"  {u}: {{facts: {{work: {w}, online: {o}}}}}\n")
    return "".join(out)


def cat_project(tmp_path, scheme: str = CAT_SCHEME, units: str = CAT_UNITS, scores_text: str | None = None):
    return make_project(tmp_path, {
        "units/units.yaml": units, "schemes/cat/2024.yaml": scheme, "scores/cat/2024-Q1.yaml": scores_text or cat_scores(),
        "schemes/demo/2024.yaml": None, "scores/demo/2024-Q1.yaml": None,
    })


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    _, results = check(cat_project(tmp_path_factory.mktemp("cat")))
    return results[("cat", "2024-Q1")]


def test_group_relative_scoring_uses_the_whole_group(cat):
    # the best coverage is b3's 100 (and a2's): a1 4 × 50 ÷ 100 = 2, b1 4 × 25 ÷ 100 = 1
    totals = {u: r.total for u, r in cat.units.items()}
    assert totals == {"a1": D(11), "a2": D(12), "a3": D(10), "b1": D(7), "b2": D(7), "b3": D(8)}


def test_ranking_within_each_category(cat):
    by_cat = {g.category: {e.unit: e.rank for e in g.entries} for g in cat.rankings if g.ranking == "c"}
    assert by_cat == {"pro": {"a2": 1, "a1": 2, "a3": 3}, "other": {"b3": 1, "b1": 2, "b2": 2}}
    names = {g.category: g.category_name for g in cat.rankings if g.ranking == "c"}
    assert names == {"pro": "专业部门", "other": "其他部门"}
    whole = {e.unit: e.rank for g in cat.rankings if g.ranking == "q" for e in g.entries}
    assert whole == {"a2": 1, "a1": 2, "a3": 3, "b3": 4, "b1": 5, "b2": 5}


def test_registry_categories_give_the_same_ranking(cat):
    by_cat = {g.category: {e.unit: e.rank for e in g.entries} for g in cat.rankings if g.ranking == "u"}
    assert by_cat == {"专业部门": {"a2": 1, "a1": 2, "a3": 3}, "其他部门": {"b3": 1, "b1": 2, "b2": 2}}


def test_honours_within_each_category(cat):
    flag = {h.category: h.chosen for h in cat.honours if h.honour == "flag"}
    assert flag == {"pro": ("a2",), "other": ("b3",)}
    # 50% of 3 units, rounded down, is 1 place per category; b1, b2 tie below b3
    good = {h.category: h.chosen for h in cat.honours if h.honour == "good"}
    assert good == {"pro": ("a2",), "other": ("b3",)}


# ---------------------------------------------------------------- check refuses misuse


def fails(tmp_path, root, lang: str | None = None) -> str:
    before = listing(root)
    result = CliRunner().invoke(main, ["check", "--root", str(root)] + (["--lang", lang] if lang else []))
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert listing(root) == before
    return result.output


def test_span_on_another_basis_is_refused(tmp_path):
    bad = SPAN_SCHEME.replace("  - {id: q, name: 季度排名}\n", "  - {id: q, name: 季度排名, span: year}\n")
    out = fails(tmp_path, span_project(tmp_path, bad))
    # line 18, the value of “span” at column 31
    assert "schemes/span/2024.yaml:18:31: 排名“季度排名”的依据是 period，不能写累计范围 span" in out


def test_stage_span_and_stage_end_need_stages(tmp_path):
    bad = SPAN_SCHEME.replace(
        "period:\n  kind: quarter\n  stages:\n    - {id: s1, name: 第一阶段, from: 2024-01-01, until: 2024-06-30}\n"
        "    - {id: s2, name: 第二阶段, from: 2024-07-01, until: 2024-12-31}\n", "period: {kind: quarter}\n")
    out = fails(tmp_path, span_project(tmp_path, bad))
    assert "schemes/span/2024.yaml:16:53: 排名“阶段累计排名”按阶段累计（span: stage），但方案没有列出阶段" in out
    assert "schemes/span/2024.yaml:21:69: “阶段优秀”在每阶段结束时评定（stage_end），但方案没有列出阶段" in out


def test_bad_decided_is_refused(tmp_path):
    bad = SPAN_SCHEME.replace("decided: [2024-Q3]", "decided: [2024-13]")
    out = fails(tmp_path, span_project(tmp_path, bad))
    assert "schemes/span/2024.yaml:26:87: “2024-13”不是有效的评定时间" in out
    assert "阶段标识（s1, s2）或考核期标识（如 2017-Q3）" in out
    out = fails(tmp_path, span_project(tmp_path, bad), "en")
    assert "schemes/span/2024.yaml:26:87: “2024-13” is not a valid time of decision — use stage_end, year_end, a stage id (s1, s2) or a period id (such as 2017-Q3)" in out


def test_unit_in_no_category_and_in_two(tmp_path):
    bad = CAT_SCHEME.replace("units: [b1, b2, b3]}", "units: [b1, a3]}")
    out = fails(tmp_path, cat_project(tmp_path, bad))
    # a3 again on line 23, column 45; b2, b3 in none: at the list of categories (line 22, column 7)
    assert "schemes/cat/2024.yaml:23:45: 单位“a3”同时在类别“专业部门”和“其他部门”中" in out
    assert "schemes/cat/2024.yaml:22:7: 组别“g”的单位“b2”不在排名“分类排名”的任何类别中" in out
    assert "schemes/cat/2024.yaml:22:7: 组别“g”的单位“b3”不在排名“分类排名”的任何类别中" in out


def test_category_unit_outside_the_groups(tmp_path):
    bad = CAT_SCHEME.replace("units: [b1, b2, b3]}", "units: [b1, b2, b3, c9]}")
    out = fails(tmp_path, cat_project(tmp_path, bad))
    assert "schemes/cat/2024.yaml:23:53: 单位“c9”不在排名“分类排名”所涉的组别中" in out


def test_registry_category_missing(tmp_path):
    units = CAT_UNITS.replace("  - {id: b3, name: 财政局, category: 其他部门}", "  - {id: b3, name: 财政局}")
    out = fails(tmp_path, cat_project(tmp_path, units=units))
    assert "schemes/cat/2024.yaml:24:40: 排名“按名册类别排名”按名册类别排名（categories: units），但单位“b3”在 units.yaml 中没有 category" in out


# ---------------------------------------------------------------- properties

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.permutations(list(CAT_FACTS)), st.permutations([
    "      - {id: pro, name: 专业部门, units: [a1, a2, a3]}\n",
    "      - {id: other, name: 其他部门, units: [b1, b2, b3]}\n",
]))
def test_category_rankings_do_not_depend_on_order(tmp_path_factory, order, cats):
    scheme = CAT_SCHEME.replace(
        "      - {id: pro, name: 专业部门, units: [a1, a2, a3]}\n      - {id: other, name: 其他部门, units: [b1, b2, b3]}\n",
        "".join(cats)).replace("units: [a1, a2, a3, b1, b2, b3]", f"units: [{', '.join(order)}]")
    units = "units:\n" + "".join(ln + "\n" for ln in sorted(CAT_UNITS.splitlines()[1:], key=lambda ln: order.index(ln.split(",")[0][9:])))
    _, results = check(cat_project(tmp_path_factory.mktemp("perm"), scheme, units, cat_scores(order=order)))
    pr = results[("cat", "2024-Q1")]
    got = {(g.ranking, g.category): {e.unit: e.rank for e in g.entries} for g in pr.rankings}
    assert got[("c", "pro")] == {"a2": 1, "a1": 2, "a3": 3}
    assert got[("c", "other")] == {"b3": 1, "b1": 2, "b2": 2}
    assert got[("u", "其他部门")] == got[("c", "other")]
    assert {h.category: h.chosen for h in pr.honours if h.honour == "flag"} == {"pro": ("a2",), "other": ("b3",)}


@SETTINGS
@given(st.lists(st.tuples(*[st.integers(0, 100)] * 3), min_size=5, max_size=5))
def test_cumulative_over_a_span_is_the_sum_of_its_period_totals(tmp_path_factory, rows):
    totals = dict(zip(TOTALS, rows))
    _, results = check(span_project(tmp_path_factory.mktemp("sum"), totals=totals))
    spans = {"yr": lambda p: p[:4] == pid[:4],
             "st": lambda p: p[:4] == pid[:4] == "2024" and (p[-1] in "12") == (pid[-1] in "12"),
             "all": lambda p: True}
    for pid in TOTALS:
        pr = results[("span", pid)]
        upto = [p for p in TOTALS if p <= pid]
        for rid, within in spans.items():
            if rid == "st" and pid == "2025-Q1":
                continue  # outside every stage
            want = {u: D(sum(totals[p][i] for p in upto if within(p))) for i, u in enumerate(("a1", "a2", "a3"))}
            assert pr.running[rid] == want, (pid, rid)
            assert {u: v for u, (_, v) in ranked(pr, rid).items()} == want


# ---------------------------------------------------------------- pages


def test_pages_say_what_is_summed_and_when_honours_are_decided(tmp_path):
    root = span_project(tmp_path)
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet", "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    site = root / "_site"
    q3 = (site / "notices/span/2024-Q3/index.html").read_text("utf-8")
    assert "年度优秀：本期不评定，2024年末（2024年12月31日）评定" in q3
    assert "年度累计得分（2024年第一季度至2024年第三季度）" in q3  # the column heading
    assert "“连续累计排名”按2024年第一季度至2024年第三季度各期总分之和排名。" in q3
    assert "阶段累计得分（2024年第三季度）" in q3  # the stage's sum starts with this period
    y25 = (site / "notices/span/2025-Q1/index.html").read_text("utf-8")
    assert "累计得分（2024年第一季度至2025年第一季度）" in y25 and ">378.00<" in y25  # a1 across years
    unit = (site / "units/a1/index.html").read_text("utf-8")
    assert "“年度累计排名”按2025年第一季度的总分排名（累计自本期开始）。" in unit
    scheme = next(site.glob("schemes/span/*/index.html")).read_text("utf-8")
    assert "于每个阶段的最后一期评定，其他考核期不评定" in scheme
    assert "累计得分（自第一个考核期起各期总分之和，跨年连续累计）" in scheme


def test_notice_names_the_category(tmp_path):
    root = cat_project(tmp_path)
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet", "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    notice = (root / "_site/notices/cat/2024-Q1/index.html").read_text("utf-8")
    assert "流动红旗（专业部门）：教育局" in notice and "流动红旗（其他部门）：财政局" in notice
    assert "分类排名（其他部门）" in notice
