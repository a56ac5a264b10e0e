"""Places shared by several groups (``select.pool``) and places “about N”
(``select.about`` with the period file's ``honour_places``) — hand-computed.

Scratch project: group ``jg`` (局机关, 4 units) ranked by the period total,
group ``ck`` (大厅窗口, 7 units) ranked by the line ``service`` for the pool::

    unit  work service total        unit  work service total
    j1     80     5      85          w1     80     9      89
    j2     85     5      90          w2     85     6      91
    j3     70     5      75          w3     70    10      80
    j4     75     5      80          w4     75     8      83
                                     w5     60     7      67
                                     w6     88     5      93
                                     w7     65     4      69

Both quarters record the same facts; in 2024-Q2 j2 is vetoed and the pool and
the flag were adjusted (7 places instead of “6个左右”, 2 flags instead of
“1个左右”).
"""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import listing, make_project
from site_builder import messages
from site_builder.cli import main
from site_builder.pipeline import check
from site_builder.ranking.pool import allot, places_range, pooled_by_score
from site_builder.ranking.selection import top_n
from site_builder.ranking.ties import rank_entries

FACTS = {
    "j1": (80, 5), "j2": (85, 5), "j3": (70, 5), "j4": (75, 5),
    "w1": (80, 9), "w2": (85, 6), "w3": (70, 10), "w4": (75, 8), "w5": (60, 7), "w6": (88, 5), "w7": (65, 4),
}
JG = ["j1", "j2", "j3", "j4"]
CK = ["w1", "w2", "w3", "w4", "w5", "w6", "w7"]

UNITS = "units:\n" + "".join(f"  - {{id: {u}, name: 单位{u.upper()}}}\n" for u in FACTS)

SCHEME = """\
title: 名额池测试办法
issuer: 测试市行政审批局
effective: {from: 2024-01-01}
total: 100
period: {kind: quarter}
groups:
  - {id: jg, name: 局机关, units: [JG]}
  - {id: ck, name: 大厅窗口, units: [CK]}
indicators:
  - {id: work, name: 工作实绩, max: 90, rule: {kind: assessed}}
  - {id: service, name: 服务评价, max: 10, rule: {kind: assessed}}
vetoes:
  - {id: v1, name: 被通报批评}
rankings:
  - {id: q, name: 季度排名}
  - {id: svc, name: 服务评价排名, basis: "line:service", groups: [ck]}
honours:
  - id: pool
    name: 先进集体
    ranking: q
    select:
      pool: {places: 6, groups: [jg, ck], rankings: {ck: svc}}
      about: 1
  - id: best
    name: 创新标兵
    ranking: q
    select:
      pool: {places: 3, groups: [jg, ck], split: score}
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1, about: 1}}
"""

DECISIONS = """\
honour_places:
  pool: {places: 7, by: 局务会, reason: 争创实效突出, date: 2024-07-05}
  flag: {places: 2, by: 考核领导小组, reason: 两组成绩接近}
"""


def scheme_text(jg=JG, ck=CK) -> str:
    return SCHEME.replace("[JG]", f"[{', '.join(jg)}]").replace("[CK]", f"[{', '.join(ck)}]")


def scores(pid: str, order=None, decisions: str = "", veto: bool = False) -> str:
    date = {"2024-Q1": "2024-04-10", "2024-Q2": "2024-07-10"}[pid]
    lines = [f'scheme: pool\nversion: "2024"\nperiod: {pid}\nstatus: published\nnotice: {{date: {date}}}\n{decisions}units:\n']
    for u in order or FACTS:
        work, service = FACTS[u]
        extra = ", vetoes: [{id: v1, reason: 被市纪委通报批评}]" if veto and u == "j2" else ""
        lines.append(f"  {u}: {{facts: {{work: {work}, service: {service}}}{extra}}}\n")
    return "".join(lines)


def project(tmp_path, scheme: str | None = None, q1: str | None = None, q2: str | None = None):
    return make_project(tmp_path, {
        "units/units.yaml": UNITS, "schemes/pool/2024.yaml": scheme or scheme_text(),
        "scores/pool/2024-Q1.yaml": q1 or scores("2024-Q1"),
        "scores/pool/2024-Q2.yaml": q2 or scores("2024-Q2", decisions=DECISIONS, veto=True),
        "schemes/demo/2024.yaml": None, "scores/demo/2024-Q1.yaml": None,
    })


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    _, res = check(project(tmp_path_factory.mktemp("pool")))
    return {pid: res[("pool", pid)] for pid in ("2024-Q1", "2024-Q2")}


def by_group(pr, hid: str) -> dict[str, tuple[tuple[str, ...], int | None]]:
    return {h.group: (h.chosen, h.places) for h in pr.honours if h.honour == hid}


# ---------------------------------------------------------------- the allotment


def test_allot_by_largest_remainders():
    # 6 × 4 ÷ 11 = 2.18, 6 × 7 ÷ 11 = 3.82: 2 and 3, the last place to the larger remainder
    assert allot(6, [("jg", 4), ("ck", 7)]) == {"jg": 2, "ck": 4}
    # 7 × 4 ÷ 11 = 2.545 (remainder 6/11), 7 × 7 ÷ 11 = 4.454 (5/11): the smaller group wins the place
    assert allot(7, [("jg", 4), ("ck", 7)]) == {"jg": 3, "ck": 4}
    # equal remainders (4 × 3 ÷ 8 = 1.5, 4 × 5 ÷ 8 = 2.5): the larger group first
    assert allot(4, [("a", 3), ("b", 5)]) == {"a": 1, "b": 3}
    # equal remainders and sizes: the order the pool lists them
    assert allot(1, [("y", 2), ("x", 2)]) == {"y": 1, "x": 0}
    assert allot(0, [("a", 3), ("b", 5)]) == {"a": 0, "b": 0}
    assert allot(5, [("a", 0), ("b", 0)]) == {"a": 0, "b": 0}
    assert places_range(6, 1) == (5, 7) and places_range(1, 2) == (0, 3) and places_range(4, None) == (4, 4)


def test_pooled_by_score_ranks_the_groups_together():
    a = rank_entries([("a1", (D(95),)), ("a2", (D(90),))])
    b = rank_entries([("b1", (D(92),)), ("b2", (D(91),)), ("b3", (D(90),))])
    sels = pooled_by_score({"a": a, "b": b}, 3)
    assert sels["a"].chosen == ("a1",) and sels["b"].chosen == ("b1", "b2")
    # a vetoed unit takes no place: the next one (a2 and b3 tied at 90, ties included) moves up
    sels = pooled_by_score({"a": a, "b": b}, 3, excluded={"b1": "veto"})
    assert sels["a"].chosen == ("a1", "a2") and sels["b"].chosen == ("b2", "b3")
    assert sels["b"].excluded == (("b1", "veto"),) and sels["a"].excluded == ()


# ---------------------------------------------------------------- the engine


def test_pool_in_proportion_with_a_ranking_per_group(results):
    q1 = by_group(results["2024-Q1"], "pool")
    # 6 places: 局机关 2 by the total (j2 90, j1 85), 大厅窗口 4 by service (w3 10, w1 9, w4 8, w5 7)
    assert q1 == {"jg": (("j2", "j1"), 2), "ck": (("w3", "w1", "w4", "w5"), 4)}


def test_decided_number_is_shared_again_and_vetoes_keep_out(results):
    pr = results["2024-Q2"]
    q2 = by_group(pr, "pool")
    # 7 places: 局机关 3, 大厅窗口 4; j2 is vetoed: j1 85, j4 80, j3 75
    assert q2 == {"jg": (("j1", "j4", "j3"), 3), "ck": (("w3", "w1", "w4", "w5"), 4)}
    jg = next(h for h in pr.honours if h.honour == "pool" and h.group == "jg")
    assert [u for u, _ in jg.excluded] == ["j2"] and "被通报批评" in jg.excluded[0][1]
    assert jg.note == "名额6个左右，本期经局务会决定评选7个（争创实效突出）；按各组单位数比例分配：局机关3个、大厅窗口4个"
    q1 = next(h for h in results["2024-Q1"].honours if h.honour == "pool")
    assert q1.note == "名额6个左右，本期评选6个；按各组单位数比例分配：局机关2个、大厅窗口4个"


def test_pool_by_score_takes_the_best_wherever_they_are(results):
    # totals: w6 93, w2 91, j2 90, w1 89, j1 85 …
    assert by_group(results["2024-Q1"], "best") == {"jg": (("j2",), 1), "ck": (("w6", "w2"), 2)}
    # j2 vetoed in Q2: w1 89 takes the third place
    assert by_group(results["2024-Q2"], "best") == {"jg": ((), 0), "ck": (("w6", "w2", "w1"), 3)}
    best = next(h for h in results["2024-Q1"].honours if h.honour == "best")
    assert best.note == "共3个名额，各组单位统一按得分排序评选：局机关1个、大厅窗口2个"


def test_top_about_n_uses_the_decision_in_each_group(results):
    assert by_group(results["2024-Q1"], "flag") == {"jg": (("j2",), 1), "ck": (("w6",), 1)}
    assert by_group(results["2024-Q2"], "flag") == {"jg": (("j1", "j4"), 2), "ck": (("w6", "w2"), 2)}
    flag = next(h for h in results["2024-Q2"].honours if h.honour == "flag")
    assert flag.note == "名额1个左右，本期经考核领导小组决定评选2个（两组成绩接近）"


def test_english_wording():
    say = lambda code, **p: messages.get(code).render("en", p)[0]  # noqa: E731
    assert say("places.about_decided", n=6, m=7, by="the bureau meeting", reason="good work") == (
        "about 6 places; the bureau meeting decided to award 7 this period (good work)")
    assert say("places.total", n=3, how=say("places.pool_score", items="A 1, B 2")) == (
        "3 places in all, the units of the groups ranked together by score: A 1, B 2")


def test_without_pool_or_about_nothing_changes(tmp_path):
    plain = scheme_text().replace("select: {top: 1, about: 1}", "select: {top: 1}")
    _, res = check(project(tmp_path, plain, q2=scores("2024-Q2", decisions="", veto=True)))
    flag = [h for h in res[("pool", "2024-Q2")].honours if h.honour == "flag"]
    assert all(h.places is None and h.note is None for h in flag)
    assert {h.group: h.chosen for h in flag} == {"jg": ("j1",), "ck": ("w6",)}


# ---------------------------------------------------------------- check refuses misuse


def fails(root, lang: str | None = None) -> str:
    before = listing(root)
    result = CliRunner().invoke(main, ["check", "--root", str(root)] + (["--lang", lang] if lang else []))
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert listing(root) == before
    return result.output


def test_pool_naming_unknown_groups_and_rankings_is_refused(tmp_path):
    bad = scheme_text().replace("pool: {places: 6, groups: [jg, ck], rankings: {ck: svc}}",
                                "pool: {places: 6, groups: [jg, cx], rankings: {ck: svx}}")
    out = fails(project(tmp_path, bad))
    # line 22: “cx” at column 38; the key “ck” of rankings at column 58
    assert "schemes/pool/2024.yaml:22:38: 名额池中的“cx”不是本方案的组别，是不是“ck”？" in out
    assert "schemes/pool/2024.yaml:22:58: “ck”不在名额池的组别中，不能为它指定排名" in out
    bad = scheme_text().replace("rankings: {ck: svc}}", "rankings: {ck: svx}}")
    out = fails(project(tmp_path, bad))
    assert "schemes/pool/2024.yaml:22:58:" in out and "svx" in out
    out = fails(project(tmp_path, bad), "en")
    assert "schemes/pool/2024.yaml:22:58:" in out


def test_ranking_that_does_not_rank_the_group_is_refused(tmp_path):
    bad = scheme_text().replace("rankings: {ck: svc}}", "rankings: {jg: svc}}")
    out = fails(project(tmp_path, bad))
    assert "schemes/pool/2024.yaml:22:58: 排名“服务评价排名”不在组别“局机关”中排名，不能作为该组的评选依据" in out


def test_score_split_over_different_rankings_is_refused(tmp_path):
    bad = scheme_text().replace("rankings: {ck: svc}}", "rankings: {ck: svc}, split: score}")
    out = fails(project(tmp_path, bad))
    assert "schemes/pool/2024.yaml:22:71: “先进集体”按得分统一排序（split: score），但各组依据不同的排名或不同的指标体系，得分不可比" in out


def test_pool_with_groups_or_for_a_sanction_is_refused(tmp_path):
    bad = scheme_text().replace("    name: 创新标兵\n", "    name: 创新标兵\n    kind: sanction\n    groups: [jg]\n")
    out = fails(project(tmp_path, bad))
    assert "“创新标兵”有名额池，不能再写 groups" in out and "“创新标兵”是整改通报（kind: sanction），不能用名额池" in out
    assert "schemes/pool/2024.yaml:27:13: “创新标兵”有名额池" in out


def test_about_with_share_or_too_large_is_refused(tmp_path):
    bad = scheme_text().replace("select: {top: 1, about: 1}", "select: {share: 0.5, about: 1}")
    out = fails(project(tmp_path, bad, q2=scores("2024-Q2", veto=True)))
    assert "schemes/pool/2024.yaml:29:68: “流动红旗”的名额浮动范围 about 只能与 top、bottom、pool 同用" in out
    bad = scheme_text().replace("select: {top: 1, about: 1}", "select: {top: 1, about: 2}")
    out = fails(project(tmp_path, bad, q2=scores("2024-Q2", veto=True)))
    assert "schemes/pool/2024.yaml:29:64: “流动红旗”的名额是1个，浮动范围 about: 2 超过了名额" in out


def test_decision_outside_the_tolerance_is_refused(tmp_path):
    q2 = scores("2024-Q2", decisions=DECISIONS.replace("places: 7", "places: 8"), veto=True)
    out = fails(project(tmp_path, q2=q2))
    # line 7 of the period file, the value of places at column 18
    assert "scores/pool/2024-Q2.yaml:7:18: “先进集体”的名额是6个左右（可在5至7个之间调整），本期记录的8个超出了范围 — 请改为5至7之间的个数" in out
    out = fails(project(tmp_path, q2=q2), "en")
    assert "scores/pool/2024-Q2.yaml:7:18: “先进集体” has about 6 places (5 to 7); the 8 recorded this period is outside that range" in out


def test_decision_for_an_honour_without_about_is_refused(tmp_path):
    q2 = scores("2024-Q2", decisions=DECISIONS + "  best: {places: 4, by: 局务会, reason: 多评一个}\n", veto=True)
    out = fails(project(tmp_path, q2=q2))
    assert "scores/pool/2024-Q2.yaml:9:9: “best”不是本方案中名额可调整（写了 about）的荣誉" in out


# ---------------------------------------------------------------- pages


def test_notice_and_scheme_page_say_how_the_places_were_set(tmp_path):
    root = project(tmp_path)
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet", "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    site = root / "_site"
    q2 = (site / "notices/pool/2024-Q2/index.html").read_text("utf-8")
    assert "名额6个左右，本期经局务会决定评选7个（争创实效突出）；按各组单位数比例分配：局机关3个、大厅窗口4个" in q2
    assert "共3个名额，各组单位统一按得分排序评选：局机关0个、大厅窗口3个" in q2
    doc = next(site.glob("schemes/pool/*/index.html")).read_text("utf-8")
    assert "局机关、大厅窗口共6个名额，按各组单位数比例分配（最大余数法：局机关2个、大厅窗口4个）" in doc
    assert "大厅窗口依据“服务评价排名”" in doc
    assert "名额6个左右，可上下浮动1个，即5至7个" in doc


# ---------------------------------------------------------------- properties

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_allocation_does_not_depend_on_the_order_of_units(tmp_path_factory, rnd: random.Random):
    order = list(FACTS)
    rnd.shuffle(order)
    jg, ck = [u for u in order if u in JG], [u for u in order if u in CK]
    root = project(tmp_path_factory.mktemp("perm"), scheme_text(jg, ck), scores("2024-Q1", order=order),
                   scores("2024-Q2", order=order, decisions=DECISIONS, veto=True))
    _, res = check(root)
    assert by_group(res[("pool", "2024-Q1")], "pool") == {"jg": (("j2", "j1"), 2), "ck": (("w3", "w1", "w4", "w5"), 4)}
    assert by_group(res[("pool", "2024-Q2")], "pool") == {"jg": (("j1", "j4", "j3"), 3), "ck": (("w3", "w1", "w4", "w5"), 4)}
    assert by_group(res[("pool", "2024-Q2")], "best") == {"jg": ((), 0), "ck": (("w6", "w2", "w1"), 3)}


@given(st.integers(0, 30), st.lists(st.integers(0, 40), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_allotment_sums_to_the_pool_and_stays_near_the_exact_share(places, sizes, rnd):
    named = [(f"g{i}", n) for i, n in enumerate(sizes)]
    got = allot(places, named)
    total = sum(sizes)
    if total == 0:
        assert set(got.values()) == {0}
        return
    assert sum(got.values()) == places
    for g, n in named:  # within one of the exact share places × n ÷ total
        assert places * n // total <= got[g] <= -(-places * n // total)
    # the same groups listed in another order get the same places unless two are alike in size and remainder
    shuffled = named[:]
    rnd.shuffle(shuffled)
    again = allot(places, shuffled)
    alike = {n for g, n in named if sum(1 for _, m in named if m == n) > 1}
    assert {g: v for g, v in again.items() if dict(named)[g] not in alike} == {
        g: v for g, v in got.items() if dict(named)[g] not in alike}


@given(st.integers(0, 12), st.lists(st.integers(1, 8), min_size=2, max_size=4), st.randoms(use_true_random=False))
def test_every_place_is_used_when_enough_units_are_eligible(places, sizes, rnd):
    """Distinct scores, every group at least as large as its share: the chosen units number exactly ``places``,
    by size and by score, and the choice does not depend on the order the units are given in."""
    scores_ = list(range(1, sum(sizes) + 1))
    rnd.shuffle(scores_)
    groups, i = {}, 0
    for gi, n in enumerate(sizes):
        groups[f"g{gi}"] = [(f"u{i + k}", (D(scores_[i + k]),)) for k in range(n)]
        i += n
    share = allot(places, [(g, len(us)) for g, us in groups.items()])
    if any(share[g] > len(us) for g, us in groups.items()):
        return
    chosen = [u for g, us in groups.items() for u in top_n(rank_entries(us), share[g]).chosen]
    assert len(chosen) == places
    ranked = {g: rank_entries(list(reversed(us))) for g, us in groups.items()}
    if places <= sum(sizes):
        sels = pooled_by_score(ranked, places)
        assert sum(len(s.chosen) for s in sels.values()) == places
        shuffled = {g: rank_entries(rnd.sample(us, len(us))) for g, us in groups.items()}
        assert pooled_by_score(shuffled, places) == sels


# ---------------------------------------------------------------- a group ranked only within categories

CAT_UNITS = "units:\n" + "".join(f"  - {{id: {u}, name: {n}}}\n" for u, n in
                                 (("a1", "发改委"), ("a2", "教育局"), ("b1", "文旅局"), ("b2", "档案馆"), ("b3", "史志办")))
CAT_SCHEME = """\
title: 分类别排名测试办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 100
period: {kind: quarter}
groups:
  - {id: g, name: 市直部门, units: [a1, a2, b1, b2, b3]}
indicators:
  - {id: work, name: 工作实绩, max: 100, rule: {kind: assessed}}
rankings:
  - id: c
    name: 分类排名
    categories:
      - {id: pro, name: 专业部门, units: [a1, a2]}
      - {id: other, name: 其他部门, units: [b1, b2, b3]}
"""
CAT_SCORES = """\
scheme: cat
version: "2024"
period: 2024-Q1
status: published
notice: {date: 2024-04-10}
units:
  a1: {facts: {work: 80}}
  a2: {facts: {work: 90}}
  b1: {facts: {work: 70}}
  b2: {facts: {work: 95}}
  b3: {status: exempt, reason: 新组建单位}
"""


def test_category_only_ranking_shows_places_within_the_category(tmp_path):
    root = make_project(tmp_path, {"units/units.yaml": CAT_UNITS, "schemes/cat/2024.yaml": CAT_SCHEME,
                                   "scores/cat/2024-Q1.yaml": CAT_SCORES,
                                   "schemes/demo/2024.yaml": None, "scores/demo/2024-Q1.yaml": None})
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet", "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    site = root / "_site"
    notice = (site / "notices/cat/2024-Q1/index.html").read_text("utf-8")
    # the main table: 专业部门 a2 1st, a1 2nd; 其他部门 b2 1st, b1 2nd; b3 listed as exempt
    table = notice[notice.index('<table class="ranking scores">'):notice.index("</table>")]
    assert [n for n in ("教育局", "发改委", "档案馆", "文旅局") if n in table] == ["教育局", "发改委", "档案馆", "文旅局"]
    assert table.index("教育局") < table.index("发改委") < table.index("档案馆") < table.index("文旅局")
    assert table.count("（专业部门）") == 2 and table.count("（其他部门）") == 2
    assert "新组建单位" in notice
    card = (site / "units/b1/cat/2024-Q1/index.html").read_text("utf-8")
    assert "<dt>其他部门内名次</dt><dd>第 2 名（共 2 个单位）</dd>" in card
    unit = (site / "units/b1/index.html").read_text("utf-8")
    assert "市直部门（其他部门）" in unit and "2/2" in unit
