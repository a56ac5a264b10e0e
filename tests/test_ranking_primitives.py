"""Ranking primitives: places with ties, selections, streaks."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.ranking.selection import (
    Selection,
    bottom_n,
    by_quota,
    share_limit,
    streaks,
    top_n,
    top_share,
)
from site_builder.ranking.ties import Ranked, rank_entries


def entries(**scores: str | tuple[str, ...]) -> list[tuple[str, tuple[D, ...]]]:
    return [(unit, tuple(D(v) for v in ((s,) if isinstance(s, str) else s)))
            for unit, s in scores.items()]


def places(ranked: list[Ranked]) -> list[tuple[str, int, bool]]:
    return [(r.unit, r.rank, r.tied) for r in ranked]


# ---------------------------------------------------------------- ties
def test_competition_ranking() -> None:
    ranked = rank_entries(entries(d="70", b="90", c="90", a="95"))
    assert places(ranked) == [("a", 1, False), ("b", 2, True), ("c", 2, True), ("d", 4, False)]
    assert ranked[1].key == (D("90"),)


def test_dense_ranking() -> None:
    ranked = rank_entries(entries(d="70", b="90", c="90", a="95"), "dense")
    assert places(ranked) == [("a", 1, False), ("b", 2, True), ("c", 2, True), ("d", 3, False)]


def test_tie_breakers_and_equal_values() -> None:
    # second element: negated deductions ("扣分少者排名在前")
    ranked = rank_entries(entries(a=("90", "-3"), b=("90", "-1"), c=("90.0", "-1.00"),
                                  d=("80", "0")))
    assert places(ranked) == [("b", 1, True), ("c", 1, True), ("a", 3, False), ("d", 4, False)]


def test_all_tied_and_empty() -> None:
    assert places(rank_entries(entries(x="1", y="1", z="1"))) == [
        ("x", 1, True), ("y", 1, True), ("z", 1, True)]
    assert rank_entries([]) == []


@pytest.mark.parametrize("bad", [
    [("a", (D(1),)), ("a", (D(2),))],  # duplicate id
    [("a", (D(1),)), ("b", (D(1), D(2)))],  # different key lengths
    [("a", ())],  # empty key
    [("a", (D("NaN"),))],
])
def test_rank_entries_rejects_bugs(bad: list) -> None:
    with pytest.raises(ValueError):
        rank_entries(bad)


def test_rank_entries_rejects_non_decimals_and_unknown_methods() -> None:
    with pytest.raises(TypeError):
        rank_entries([("a", (15,))])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        rank_entries([], "olympic")


_KEYS = st.tuples(st.integers(0, 4).map(D), st.sampled_from([D("0"), D("-1"), D("-1.0")]))
_ENTRIES = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3), _KEYS, max_size=25).map(
    lambda d: list(d.items()))


@settings(max_examples=300, deadline=None)
@given(_ENTRIES, st.sampled_from(["competition", "dense"]), st.randoms(use_true_random=False))
def test_ranking_properties(items: list, method: str, rnd) -> None:
    ranked = rank_entries(items, method)
    assert sorted(r.unit for r in ranked) == sorted(u for u, _ in items)  # a permutation
    assert [(r.rank, r.unit) for r in ranked] == sorted((r.rank, r.unit) for r in ranked)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert rank_entries(shuffled, method) == ranked  # input order does not matter
    keys = {u: k for u, k in items}
    for r in ranked:
        better = [k for k in keys.values() if k > keys[r.unit]]
        expected = 1 + (len(better) if method == "competition" else len(set(better)))
        assert r.rank == expected
        assert r.tied == (sum(1 for o in ranked if o.rank == r.rank) > 1)


# ---------------------------------------------------------------- selection
def group(**scores: str) -> list[Ranked]:
    return rank_entries(entries(**scores))


G = group(a="95", b="90", c="90", d="85", e="80", f="70", g="60")  # 1 2 2 4 5 6 7


def test_top_n_plain_and_ties() -> None:
    assert top_n(G, 1) == Selection(("a",), ())
    assert top_n(G, 3) == Selection(("a", "b", "c"), ())
    assert top_n(G, 2, ties="include") == Selection(("a", "b", "c"), ())
    assert top_n(G, 2, ties="exclude") == Selection(("a",), (("b", "tie_at_limit"),
                                                             ("c", "tie_at_limit")))
    assert top_n(G, 0) == Selection((), ())
    assert top_n(G, 99) == Selection(tuple("abcdefg"), ())


def test_top_n_vetoed_unit_is_skipped() -> None:
    # "被一票否决的单位不得评为优秀": b is vetoed, c alone holds place 2, d moves up
    sel = top_n(G, 3, excluded={"b": "veto", "elsewhere": "veto", "g": "veto"})
    assert sel == Selection(("a", "c", "d"), (("b", "veto"), ("g", "veto")))


def test_top_n_min_score() -> None:
    # "得分低于86分的不得评为优秀": d (85) and e (80) would have filled places 4 and 5
    sel = top_n(G, 5, min_score=D("86"))
    assert sel == Selection(("a", "b", "c"), (("d", "below_min_score"), ("e", "below_min_score")))
    tied = group(a="95", b="80", c="80", d="70")
    assert top_n(tied, 2, min_score=D("85"), ties="exclude") == Selection(
        ("a",), (("b", "below_min_score"), ("c", "below_min_score")))


def test_bottom_n() -> None:
    assert bottom_n(G, 1) == Selection(("g",), ())
    # "新组建单位当年免于末位": g is exempt, the next one up is named instead
    assert bottom_n(G, 1, excluded={"g": "exempt"}) == Selection(("f",), (("g", "exempt"),))
    last = group(a="95", b="60", c="60")
    assert bottom_n(last, 1) == Selection(("b", "c"), ())
    assert bottom_n(last, 1, ties="exclude") == Selection((), (("b", "tie_at_limit"),
                                                             ("c", "tie_at_limit")))
    assert bottom_n(last, 3) == Selection(("a", "b", "c"), ())


def test_top_share() -> None:
    # "每圈层评选优秀的比例不超过该圈层单位总数的30%": 30% of 7 units = 2.1 → 2
    assert top_share(G, D("0.3")) == Selection(("a",), (("b", "tie_at_limit"),
                                                      ("c", "tie_at_limit")))
    plain = group(a="9", b="8", c="7", d="6", e="5", f="4", g="3")
    assert top_share(plain, D("0.3")) == Selection(("a", "b"), ())
    assert top_share(plain, D("0.3"), rounding="ceil") == Selection(("a", "b", "c"), ())
    assert top_share(G, D("0.3"), ties="include") == Selection(("a", "b", "c"), ())
    # the count includes the vetoed unit; its place goes to the next one down
    assert top_share(plain, D("0.3"), excluded={"a": "veto"}) == Selection(
        ("b", "c"), (("a", "veto"),))
    assert top_share(plain, D("0.1")) == Selection((), ())


@pytest.mark.parametrize(("count", "share", "rounding", "expected"), [
    (7, "0.3", "floor", 2), (7, "0.3", "half_up", 2), (7, "0.3", "ceil", 3),
    (5, "0.5", "half_up", 3), (5, "0.5", "floor", 2), (10, "0.3", "ceil", 3),
    (0, "0.3", "ceil", 0), (3, "1", "floor", 3), (3, "0", "ceil", 0),
    (3, "0.3333333333333333333333333333333333", "ceil", 1),
])
def test_share_limit(count: int, share: str, rounding: str, expected: int) -> None:
    assert share_limit(count, D(share), rounding) == expected


@pytest.mark.parametrize(("share", "rounding"), [("1.5", "floor"), ("-0.1", "floor"),
                                                 ("NaN", "floor"), ("0.3", "round")])
def test_share_limit_rejects(share: str, rounding: str) -> None:
    with pytest.raises(ValueError):
        share_limit(7, D(share), rounding)


def test_by_quota() -> None:
    cats = {"a": "机关", "b": "基层", "c": "机关", "d": "基层", "e": "基层", "f": "机关",
            "g": "基层"}
    # b and c share place 2 but are in different categories: both fit
    sel = by_quota(G, cats, {"机关": 1, "基层": 2})
    assert sel == Selection(("a", "b", "d"), (("c", "quota_full"),))
    sel = by_quota(G, cats, {"机关": 2, "基层": 1}, excluded={"a": "veto"})
    assert sel == Selection(("b", "c", "f"), (("a", "veto"), ("d", "quota_full"),
                                              ("e", "quota_full")))
    tied = group(a="9", b="8", c="8", d="7")
    same = {"a": "x", "b": "y", "c": "y", "d": "y"}
    assert by_quota(tied, same, {"x": 1, "y": 1}) == Selection(
        ("a",), (("b", "tie_at_limit"), ("c", "tie_at_limit")))
    assert by_quota(tied, same, {"x": 1, "y": 1}, ties="include") == Selection(("a", "b", "c"), ())
    # a category without quota gets no place
    assert by_quota(tied, same, {"y": 3}) == Selection(("b", "c", "d"), (("a", "quota_full"),))
    with pytest.raises(ValueError):
        by_quota(tied, {"a": "x"}, {"x": 1})


def test_selection_argument_checks() -> None:
    with pytest.raises(ValueError):
        top_n(G, -1)
    with pytest.raises(ValueError):
        top_n(G, 2, ties="maybe")
    with pytest.raises(ValueError):
        top_n(G + G[:1], 2)


def test_streaks() -> None:
    history = [{"a", "b"}, {"a", "c"}, ["a", "b", "c"], {"a", "b", "d"}]
    assert streaks(history) == {"a": 4, "b": 2, "d": 1}
    assert list(streaks(history)) == ["a", "b", "d"]
    assert streaks([]) == {}
    assert streaks([{"a"}, set()]) == {}
    with pytest.raises(TypeError):
        streaks(["ab"])


_SEL_CASE = st.tuples(_ENTRIES, st.integers(0, 8), st.sampled_from(["include", "exclude"]),
                      st.sets(st.text("abcdefgh", min_size=1, max_size=3), max_size=4))


@settings(max_examples=300, deadline=None)
@given(_SEL_CASE)
def test_selection_properties(case: tuple) -> None:
    items, n, ties, vetoed = case
    ranked = rank_entries(items)
    excluded = {u: "veto" for u in vetoed}
    rank = {r.unit: r.rank for r in ranked}
    for sel in (top_n(ranked, n, excluded=excluded, ties=ties),
                bottom_n(ranked, n, excluded=excluded, ties=ties)):
        assert not set(sel.chosen) & vetoed
        assert {u for u, why in sel.excluded if why == "veto"} == vetoed & set(rank)
        listed = [u for u, _ in sel.excluded]
        assert len(listed) == len(set(listed)) and not set(listed) & set(sel.chosen)
        if ties == "exclude":
            assert len(sel.chosen) <= n
        # a tied block is taken whole or not at all
        for u in sel.chosen:
            assert all(o in sel.chosen for o in rank if rank[o] == rank[u] and o not in vetoed)
    best = top_n(ranked, n, excluded=excluded, ties=ties).chosen
    others = [u for u in rank if u not in best and u not in vetoed]
    assert all(rank[c] < rank[o] for c in best for o in others)  # nobody passes a better unit
