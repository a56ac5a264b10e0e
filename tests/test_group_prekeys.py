"""Score cards are keyed by what they show of their unit's group (site_builder/site/pages/scorecard.py,
``_CardFigures``; unit pages by ``unit._UnitsOfSite.prekey``).

A fact changed in one group's unit makes that group's cards of the period again when they show what
changed (and its own card of the next period, which shows it as 上期), and leaves the other group's cards linked without their context
being made; the site is byte for byte the clean build's.  Each part of a result the group digest
holds is needed: changing it for a unit of one group changes that group's digest and no other's.
"""

from __future__ import annotations

import dataclasses
import os
from decimal import Decimal
from pathlib import Path

import pytest

from site_builder.scoring.results import GroupRanking, HonourResult, RankEntry, UnitLevel
from site_builder.site.output import prekeys, reuse
from tests.test_incremental import build, cache_on, clean_build, files, make_project, set_score

FIXTURE = Path(__file__).resolve().parent / "site" / "fixtures" / "basic"
ZONGHE = ("czj", "fgw", "sjj")  # 综合管理部门组
SHEHUI = ("jyj", "wjw")  # 社会事业部门组


def _card(unit: str, period: str) -> str:
    return f"units/{unit}/xiaoneng/{period}/index.html"


def _made(monkeypatch, module, name: str) -> list[str]:
    """The paths of the pages whose context ``module.name`` made (pre-keys not checked: a matched
    one is linked)."""
    made: list[str] = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        meta, ctx = real(*args, **kwargs)
        made.append(meta.path)
        return meta, ctx

    monkeypatch.setattr(module, name, wrapper)
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    return made


@pytest.fixture
def counted(monkeypatch):
    """The paths of the cards whose context was made."""
    from site_builder.site.pages import scorecard

    return _made(monkeypatch, scorecard, "_card_context")


def test_a_change_in_one_group_leaves_the_other_groups_cards_linked_unmade(tmp_path: Path, counted: list) -> None:
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out, clean = tmp_path / "site", tmp_path / "clean"
        build(root, out)
        assert len(counted) == 3 * 5
        inode = {p: (out / p).stat().st_ino for p in files(out)}
        counted.clear()
        set_score(root, "2017-Q4", "fgw", 49)  # a unit of 综合管理部门组, in the middle of three published periods
        again = build(root, out)
        # its group's cards of the period (the group's median changed: every card of the group has it) and
        # its own card of the next one (上期 shows its total; the others' places there did not change);
        # none of 社会事业部门组
        assert sorted(counted) == sorted([_card(u, "2017-Q4") for u in ZONGHE] + [_card("fgw", "2018-Q1")])
        for period in ("2017-Q3", "2017-Q4", "2018-Q1"):
            for u in SHEHUI:
                assert (out / _card(u, period)).stat().st_ino == inode[_card(u, period)], (u, period)
        assert again.reused > 0
        clean_build(root, clean)
        assert files(out) == files(clean)
        # the last published period: its own group's cards only
        counted.clear()
        set_score(root, "2018-Q1", "jyj", 51)
        build(root, out)
        assert sorted(counted) == [_card(u, "2018-Q1") for u in SHEHUI]
        clean_build(root, clean)
        assert files(out) == files(clean)


def test_group_keyed_cards_are_checked_against_their_full_keys(tmp_path: Path) -> None:
    """With SITE_BUILDER_CHECK_PREKEYS (tests/conftest.py) every matched pre-key is checked: changes in
    either group, one after the other, give the clean build."""
    assert os.environ.get(reuse.CHECK_ENV)
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out, clean = tmp_path / "site", tmp_path / "clean"
        build(root, out)
        for period, unit, value in (("2017-Q3", "wjw", 52), ("2017-Q4", "czj", 47), ("2017-Q3", "fgw", 41),
                                    ("2018-Q1", "sjj", 55)):
            set_score(root, period, unit, value)
            build(root, out)
            clean_build(root, clean)
            assert files(out) == files(clean), (period, unit)



def test_a_change_in_one_group_leaves_the_other_groups_unit_pages_linked_unmade(tmp_path: Path, monkeypatch) -> None:
    """A unit's page lists every period's figures of that unit: it is keyed by its group's part of each
    period's results (``unit._UnitsOfSite.prekey``), so a fact changed in the other group leaves it unmade."""
    from site_builder.site.pages import unit as unit_pages

    made = _made(monkeypatch, unit_pages, "_unit_context")
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out, clean = tmp_path / "site", tmp_path / "clean"
        build(root, out)
        every = len(made)
        assert every >= len(ZONGHE + SHEHUI)
        inode = {p: (out / p).stat().st_ino for p in files(out)}
        made.clear()
        set_score(root, "2017-Q4", "jyj", 44)  # 社会事业部门组
        build(root, out)
        assert sorted(made) == [f"units/{u}/index.html" for u in SHEHUI]
        for u in ZONGHE:
            assert (out / f"units/{u}/index.html").stat().st_ino == inode[f"units/{u}/index.html"]
        clean_build(root, clean)
        assert files(out) == files(clean)
        made.clear()
        build(root, out)  # nothing changed: nothing made
        assert made == []


def test_unit_pages_keyed_by_group_are_checked_against_their_full_keys(tmp_path: Path) -> None:
    """Under SITE_BUILDER_CHECK_PREKEYS a matched unit pre-key whose full key differs raises: changes in
    either group, a rename and a scheme title, one after the other, give the clean build."""
    from tests.test_incremental import rename_unit, set_scheme_title

    assert os.environ.get(reuse.CHECK_ENV)
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out, clean = tmp_path / "site", tmp_path / "clean"
        build(root, out)
        for change in (lambda: set_score(root, "2017-Q3", "czj", 43), lambda: rename_unit(root, "wjw", 2),
                       lambda: set_scheme_title(root, 4), lambda: set_score(root, "2018-Q1", "wjw", 50)):
            change()
            build(root, out)
            clean_build(root, clean)
            assert files(out) == files(clean)


# ------------------------------------------------------------------ each part of a result is read
@pytest.fixture(scope="module")
def result():
    from site_builder.load import cache as cache_mod
    from site_builder.pipeline import check

    saved = os.environ.get(cache_mod.ENV_OFF)
    os.environ[cache_mod.ENV_OFF] = "1"
    try:
        _, results = check(FIXTURE)
    finally:
        if saved is None:
            os.environ.pop(cache_mod.ENV_OFF, None)
        else:
            os.environ[cache_mod.ENV_OFF] = saved
    got = results[("xiaoneng", "2017-Q3")]
    assert {u: got.units[u].group for u in got.units} == {**dict.fromkeys(ZONGHE, "zonghe"),
                                                            **dict.fromkeys(SHEHUI, "shehui")}
    return got


def _changed(before, after) -> set[str]:
    a, b = prekeys._group_digests(before), prekeys._group_digests(after)
    assert a is not None and b is not None and a.keys() == b.keys() == {"zonghe", "shehui"}
    return {g for g in a if a[g] != b[g]}


def _level(unit: str, name: str) -> UnitLevel:
    return UnitLevel(unit=unit, level=name, name=name, order=0, how="default", tests=())


def _with(mapping: dict, unit: str, value) -> dict:
    return {**mapping, unit: value}


CHANGES = {
    "unit's result": lambda r: dataclasses.replace(
        r, units=_with(r.units, "jyj", dataclasses.replace(r.units["jyj"], note="说明"))),
    "group's ranking": lambda r: dataclasses.replace(
        r, rankings=tuple(dataclasses.replace(g, name="另一排名") if g.group == "shehui" else g for g in r.rankings)),
    "group's honour": lambda r: dataclasses.replace(
        r, honours=tuple(dataclasses.replace(h, streaks={**h.streaks, "jyj": 3}) if h.group == "shehui" else h
                         for h in r.honours)),
    "cumulative": lambda r: dataclasses.replace(r, cumulative=_with(r.cumulative, "wjw", Decimal("1.00"))),
    "stage total": lambda r: dataclasses.replace(r, stage_totals=_with(r.stage_totals, "wjw", Decimal("1.00"))),
    "level": lambda r: dataclasses.replace(r, levels=_with(r.levels, "wjw", _level("wjw", "优秀"))),
    "group median": lambda r: dataclasses.replace(r, group_medians=_with(r.group_medians, "shehui", Decimal("1"))),
}


@pytest.mark.parametrize("part", sorted(CHANGES))
def test_each_part_of_a_groups_results_is_in_its_digest_and_in_no_other_groups(result, part: str) -> None:
    assert _changed(result, CHANGES[part](result)) == {"shehui"}


@pytest.mark.parametrize("field", ["running", "composites", "conversions"])
def test_a_units_figure_by_ranking_composite_or_conversion_is_in_its_groups_digest(result, field: str) -> None:
    """running totals by ranking, composites, conversions: a value of a unit of 社会事业部门组 changed."""
    both = dataclasses.replace(result, **{field: {"x": {"jyj": Decimal("7"), "fgw": Decimal("9")}}})
    one = dataclasses.replace(result, **{field: {"x": {"jyj": Decimal("8"), "fgw": Decimal("9")}}})
    assert _changed(both, one) == {"shehui"}


@pytest.mark.parametrize("field", ["period_name", "previous", "stage", "version"])
def test_the_head_of_the_results_is_in_every_groups_digest(result, field: str) -> None:
    changed = dataclasses.replace(result, **{field: "2017-Q9"})
    assert _changed(result, changed) == {"zonghe", "shehui"}


def test_a_ranking_or_honour_that_names_a_unit_of_another_group_is_in_both_groups(result) -> None:
    """Conservative: a ranking over all units (or one of another group that names a unit) counts for
    every group whose units it names."""
    overall = GroupRanking(ranking="all", name="总排名", basis="period", group="all",
                           entries=(RankEntry("fgw", 1, Decimal("94"), False), RankEntry("jyj", 2, Decimal("90"), False)),
                           unranked=())
    with_it = dataclasses.replace(result, rankings=(*result.rankings, overall))
    assert _changed(result, with_it) == {"zonghe", "shehui"}
    moved = dataclasses.replace(with_it, rankings=(*result.rankings, dataclasses.replace(
        overall, entries=(RankEntry("fgw", 1, Decimal("95"), False), RankEntry("jyj", 2, Decimal("90"), False)))))
    assert _changed(with_it, moved) == {"zonghe", "shehui"}
    unranked = dataclasses.replace(overall, entries=(), unranked=(("wjw", "免于考核"),))
    only = dataclasses.replace(result, rankings=(*result.rankings, unranked))
    assert _changed(result, only) == {"shehui"}
    pool = HonourResult(honour="x", name="先进", kind="honour", group="zonghe", chosen=("jyj",), excluded=())
    assert _changed(result, dataclasses.replace(result, honours=(*result.honours, pool))) == {"zonghe", "shehui"}


def test_a_units_group_moves_its_parts(result) -> None:
    """A unit moved to another group: both groups' digests change (their members changed)."""
    moved = dataclasses.replace(result, units=_with(result.units, "fgw",
                                                   dataclasses.replace(result.units["fgw"], group="shehui")))
    assert _changed(result, moved) == {"zonghe", "shehui"}


def test_remembered_group_digests_stand_in_until_forgotten(result) -> None:
    prekeys.forget()
    try:
        prekeys.remember_groups(result, {"zonghe": "a" * 64, "shehui": "b" * 64})
        assert prekeys.group_digests(result) == {"zonghe": "a" * 64, "shehui": "b" * 64}
        prekeys.forget()
        assert prekeys.group_digests(result) == prekeys._group_digests(result)
    finally:
        prekeys.forget()


def test_the_period_cache_keeps_the_group_digests_of_unchanged_periods(tmp_path: Path, counted: list,
                                                                      monkeypatch) -> None:
    """A rebuild pickles only the results scored again (to store their group digests); the periods
    read from the period cache come with theirs."""
    from site_builder.scoring import period_cache

    pickled: list[str] = []
    real = prekeys._group_digests

    def wrapper(result):
        pickled.append(result.period)
        return real(result)

    monkeypatch.setattr(prekeys, "_group_digests", wrapper)
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out = tmp_path / "site"
        build(root, out)
        assert sorted(pickled) == ["2017-Q3", "2017-Q4", "2018-Q1"]  # the published periods, once each
        assert list((root / period_cache.FOLDERS[False]).iterdir())
        pickled.clear()
        counted.clear()
        set_score(root, "2018-Q1", "fgw", 47)
        build(root, out)
        assert pickled == ["2018-Q1"]
        assert sorted(counted) == [_card(u, "2018-Q1") for u in ZONGHE]
