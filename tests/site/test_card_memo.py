"""What score cards remember between cards (issue 10): a line shared by units (scoring's
``engine.SHARE``: one frozen line for equal facts and rule) is viewed once per group, and a unit's
cumulative ranking is looked up in an index made once per period.  Nothing remembered for one card
may show on another: each card shows its own unit's name and its own group's figures."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

from click.testing import CliRunner
from scratch import SCHEME, make_project

from site_builder.cli import main
from site_builder.pipeline import check
from site_builder.site.pages import scorecard
from site_builder.site.pages.scorecard import _cumulative_ranking, cumulative_rankings
from site_builder.site.present.card_views import line_views

ROOT = Path(__file__).resolve().parents[2]

# two groups of two; a1 and a3 have equal facts (one shared line each), in groups whose figures differ
UNITS4 = """\
units:
  - {id: a1, name: 发改委}
  - {id: a2, name: 教育局}
  - {id: a3, name: 科技局}
  - {id: a4, name: 民政局}
"""
SCHEME4 = SCHEME.replace("  - {id: g, name: 全体, units: [a1, a2, a3]}\n",
                         "  - {id: g1, name: 第一组, units: [a1, a2]}\n  - {id: g2, name: 第二组, units: [a3, a4]}\n")
SCORES4 = """\
scheme: demo
version: "2024"
period: 2024-Q1
status: published
notice: {date: 2024-04-10, number: 测〔2024〕1号}
units:
  a1:
    facts: {work: 9, duty: 1, bonus: {awards: []}}
  a2:
    facts: {work: 9, duty: 1, bonus: {awards: []}}
  a3:
    facts: {work: 9, duty: 1, bonus: {awards: []}}
  a4:
    facts: {work: 7, duty: 3, bonus: {awards: []}}
"""
FILES4 = {"units/units.yaml": UNITS4, "schemes/demo/2024.yaml": SCHEME4, "scores/demo/2024-Q1.yaml": SCORES4}


def _build(root: Path, out: Path) -> Path:
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(out), "--no-cache", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return out


def _li(page: str, line: str) -> str:
    start = page.index(f'id="line-{line}"')
    return page[start:page.index("</li>\n", start)]


def test_the_shared_line_is_one_object_for_both_groups(tmp_path):
    (pr,) = check(make_project(tmp_path, FILES4))[1].values()
    duty = {u: next(ln for ln in pr.units[u].lines if ln.id == "duty") for u in ("a1", "a2", "a3")}
    assert duty["a1"] is duty["a2"] is duty["a3"]  # what makes the memo worth testing


def test_each_card_shows_its_own_unit_and_its_own_groups_figures(tmp_path):
    site = _build(make_project(tmp_path / "p", FILES4), tmp_path / "out")
    card = {u: (site / f"units/{u}/demo/2024-Q1/index.html").read_text("utf-8") for u in ("a1", "a2", "a3", "a4")}
    # g1: duty 9 and 9 → median 9, best 9; g2: 9 and 7 → median 8, best 9 (hand-computed)
    for u, name, gid, group, peers in (("a1", "发改委", "g1", "第一组", "本组中位数 9 分，最高 9 分"),
                                       ("a2", "教育局", "g1", "第一组", "本组中位数 9 分，最高 9 分"),
                                       ("a3", "科技局", "g2", "第二组", "本组中位数 8 分，最高 9 分")):
        assert f"<h1>{name}2024年第一季度考核得分</h1>" in card[u]
        assert f'<dd><a href="../../../../groups/demo/{gid}/index.html">{group}</a>' in card[u]
        duty = _li(card[u], "duty")
        assert "<strong>9</strong><small> / 10 分</small>" in duty
        assert f'<p class="peer">{peers}</p>' in duty
        assert 'href="../../../../schemes/demo/2024/index.html#ind-duty"' in duty
    # the work line: 9 in both groups, the group's figures differ the same way
    assert '<p class="peer">本组中位数 9 分，最高 9 分</p>' in _li(card["a1"], "work")
    assert '<p class="peer">本组中位数 8 分，最高 9 分</p>' in _li(card["a3"], "work")
    assert "第二组" not in card["a1"] and "第一组" not in card["a3"]
    assert "科技局" not in card["a1"] and "发改委" not in card["a3"]


def test_cards_are_the_same_bytes_with_nothing_remembered(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p", FILES4)
    kept = _build(project, tmp_path / "kept")
    monkeypatch.setattr(scorecard, "MEMO_LIMIT", 0)  # every card's lines viewed afresh
    fresh = _build(project, tmp_path / "fresh")
    cards = sorted(p.relative_to(kept) for p in kept.glob("units/*/demo/*/index.html"))
    assert len(cards) == 4
    for rel in cards:
        assert (kept / rel).read_bytes() == (fresh / rel).read_bytes(), rel


def test_line_views_remembered_per_group_by_the_lines_identity(tmp_path):
    from site_builder.site.present.card_why import group_line_stats

    root = make_project(tmp_path, FILES4)
    project, results = check(root)
    (pr,) = results.values()
    sv = project.schemes["demo"]["2024"]
    stats = group_line_stats(pr)
    memo: dict = {}
    views = {u: line_views("zh-CN", sv, pr.units[u], stats, {}, memo) for u in ("a1", "a2", "a3")}
    plain = {u: line_views("zh-CN", sv, pr.units[u], stats, {}) for u in ("a1", "a2", "a3")}
    assert views == plain  # remembered or not, the same values
    duty = {u: next(v for v in views[u] if v.id == "duty") for u in views}
    assert duty["a1"] is duty["a2"]  # one group: the view made once
    assert duty["a1"] is not duty["a3"] and duty["a1"].peers != duty["a3"].peers  # the other group: its own
    assert (duty["a1"].peers, duty["a3"].peers) == ("本组中位数 9 分，最高 9 分", "本组中位数 8 分，最高 9 分")
    assert set(memo) == {"g1", "g2"}
    a4 = {v.id: v for v in line_views("zh-CN", sv, pr.units["a4"], stats, {}, memo)}
    duty4 = a4["duty"]  # duty 3 → 7 of 10, each field where its name says
    assert (duty4.name, duty4.depth, duty4.type, duty4.max, duty4.points, duty4.raw, duty4.status, duty4.is_leaf,
            duty4.clip, duty4.clip_kind, duty4.note, duty4.evidence, duty4.disqualified, duty4.counts, duty4.uncapped) \
        == ("值守纪律", 0, "score", D(10), D(7), None, "scored", True, None, None, None, None, False, True, False)
    assert duty4.clause == "schemes/demo/2024/index.html#ind-duty" and duty4.events == ()
    assert duty4.steps == ("3 次 × 1 分 = 3 分", "10 分起计，扣 3 分，加 0 分")


def _gr(name: str, basis: str, *units: str) -> SimpleNamespace:
    entries = tuple(SimpleNamespace(unit=u, rank=1, tied=len(units) > 1) for u in units)
    return SimpleNamespace(ranking=name, basis=basis, entries=entries)


def test_the_index_gives_the_first_cumulative_ranking_of_a_unit_ties_and_unranked_alike():
    # a1 and a2 tied in the first cumulative ranking; a2 and a3 also in a later one; a4 ranked
    # only per period; a5 in no ranking
    rankings = [_gr("q", "period", "a1", "a2", "a3", "a4"), _gr("y", "cumulative", "a1", "a2"),
                _gr("s", "stage", "a3"), _gr("y2", "cumulative", "a2", "a3")]
    result = SimpleNamespace(rankings=rankings, cumulative={"a4": D("88.5"), "a5": D(70)},
                             running={"y": {"a1": D("180.5"), "a2": D("180.5")}, "y2": {"a2": D(90), "a3": D(91)}})
    index = cumulative_rankings(result)
    for uid in ("a1", "a2", "a3", "a4", "a5"):
        assert index.get(uid) is _cumulative_ranking(result, uid), uid
    assert {u: gr.ranking for u, gr in index.items()} == {"a1": "y", "a2": "y", "a3": "y2"}
    assert [scorecard._cumulative(result, u, index.get(u)) for u in ("a1", "a2", "a3", "a4", "a5")] \
        == [D("180.5"), D("180.5"), D(91), D("88.5"), D(70)]


def test_the_index_agrees_with_the_search_on_the_example_project():
    results = check(ROOT)[1]
    checked = 0
    for pr in results.values():
        index = cumulative_rankings(pr)
        for uid in pr.units:
            assert index.get(uid) is _cumulative_ranking(pr, uid), uid
            checked += index.get(uid) is not None
    assert checked > 0  # the example has cumulative rankings


# ---------------------------------------------------------------- links from a page

def _walked(from_page: str, target: str) -> str:
    """A link as the folders are walked (the specification of ``relative``)."""
    if target.startswith(("#", "http://", "https://", "mailto:", "tel:")):
        return target
    path, sep, fragment = target.partition("#")
    here = from_page.split("/")[:-1]
    there = (path or from_page).split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) + sep + fragment


PAGES = ["index.html", "404.html", "units/index.html", "units/u1/index.html", "units/u1/demo/2024-Q1/index.html",
         "units/u1/demo/2024-Q1/v1/index.html", "schemes/demo/2024/index.html", "notices/demo/2024-Q1/index.html"]
TARGETS = ["", "#top", "index.html", "index.html#top", "units", "units/", "units#x", "units/u1/index.html",
           "units/u2/index.html#line-a", "units/u1/demo/2024-Q2/index.html", "schemes/demo/2024/index.html#ind-duty",
           "groups/demo/g1/index.html", "/abs", "?q", "a#b/c", "https://example.org/a?b=1&c=2", "mailto:a@b", "tel:1"]


def test_links_from_every_page_are_the_folder_walk():
    from site_builder.site.urls import link_prefix, relative

    for page in PAGES:
        for target in TARGETS:
            want = _walked(page, target)
            assert relative(page, target) == want, (page, target)
            up = link_prefix(page, target)
            assert up is None or up + target == want, (page, target)
            assert link_prefix(page, target, "/site/") + target == (
                target if target.startswith(("#", "http://", "https://")) else "/site/" + target)
    assert link_prefix("units/u1/demo/2024-Q1/index.html", "schemes/demo/2024/index.html#ind-a") == "../../../../"
    assert link_prefix("units/u1/demo/2024-Q1/index.html", "units/u2/index.html") is None


# ---------------------------------------------------------------- figures remembered by value

def test_points_remembered_by_value_read_the_same_whichever_form_came_first():
    from site_builder.site.present.render import pts

    forms = [["10", "10.0", "1E+1", "10.000000"], ["-0", "0", "0.00", "-0E-7"], ["9.5", "9.50", "9.500000"],
             ["27.333333", "27.3333330"], ["0.00010", "0.0001", "1E-4"], ["-7.50", "-7.5"]]
    want = ["10", "0", "9.5", "≈27.33", "0.0001", "-7.5"]
    for order in (1, -1):
        pts.cache_clear()
        for values, text in zip(forms, want):
            assert [pts(D(v)) for v in values[::order]] == [text] * len(values), values
    pts.cache_clear()
    assert (pts(D(1)), pts(D("1.00")), pts(None)) == ("1", "1", "—")


# ---------------------------------------------------------------- a unit's place

def test_the_entry_index_places_every_unit_where_the_search_does(tmp_path):
    import shutil
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT / "tests" / "site"))
    from test_dataset_stream import FIXTURE, site_of
    from test_lang_rankings import CAT_SCHEME, cat_project

    from site_builder.site.present import sharing

    shutil.copytree(FIXTURE, tmp_path / "fixture")
    checked = 0
    for data in (site_of(ROOT), site_of(tmp_path / "fixture"), site_of(cat_project(tmp_path / "cat", scheme=CAT_SCHEME)),
                 site_of(cat_project(tmp_path / "cat2", scheme=CAT_SCHEME.replace("  - {id: q, name: 季度排名}\n", "")))):
        for period in data.periods:
            index = scorecard.EntryIndex(data)
            result = data.result(period)
            for uid in result.units:
                assert index(result, uid) is data.rank_entry(result, uid), (period.path, uid)
                assert sharing.card(data, period, uid, index) == sharing.card(data, period, uid)
                checked += index(result, uid) is not None
    assert checked > 100
