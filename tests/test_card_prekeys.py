"""A score card's pre-key is what it shows (site_builder/site/pages/scorecard.py, ``_CardFigures``): the
unit's own result, its group's median and each line's median and best, its place and the number ranked,
its place in the period before, its honours, running totals and level.  An edit of one unit's facts
makes again the cards that show what changed, and no other; the site is byte for byte the clean build's.

The fixture (tests/site/fixtures/basic): 综合管理部门组 = fgw, czj, sjj; in 2017-Q3 all three are
assessed (重点工作推进 fgw 55, czj 56.5, sjj 50: sjj last), in 2017-Q4 sjj is exempt (fgw 54, czj 52).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.site.output import reuse
from tests.test_incremental import build, cache_on, clean_build, files, make_project, set_score


def _card(unit: str, period: str) -> str:
    return f"units/{unit}/xiaoneng/{period}/index.html"


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The paths of the cards whose context was made (pre-keys not checked: a matched one is linked)."""
    from site_builder.site.pages import scorecard

    got: list[str] = []
    real = scorecard._card_context

    def wrapper(*args, **kwargs):
        meta, ctx = real(*args, **kwargs)
        got.append(meta.path)
        return meta, ctx

    monkeypatch.setattr(scorecard, "_card_context", wrapper)
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    return got


def _cards(out: Path) -> dict[str, bytes]:
    return {p: b for p, b in files(out).items() if p.startswith("units/") and "/xiaoneng/" in p}


def _edit(root: Path, out: Path, made: list[str], period: str, unit: str, value: int) -> tuple[list[str], list[str]]:
    """(the cards made, the cards whose bytes changed) by one edit and a rebuild."""
    before = _cards(out)
    made.clear()
    set_score(root, period, unit, value)
    build(root, out)
    after = _cards(out)
    assert set(after) == set(before)
    return sorted(made), sorted(p for p in after if after[p] != before[p])


def test_an_edit_makes_only_the_cards_that_show_what_changed(tmp_path: Path, made: list[str]) -> None:
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out, clean = tmp_path / "site", tmp_path / "clean"
        build(root, out)
        assert len(made) == 3 * 5
        inode = {p: (out / p).stat().st_ino for p in files(out)}

        # sjj, last of its group in 2017-Q3, loses a point: still last, the group's median (fgw's total)
        # and the line's median (55) and best (56.5) are as they were: fgw's and czj's cards are linked,
        # unmade; sjj's card of 2017-Q3 and of 2017-Q4 (上期: its total) are made again
        got, changed = _edit(root, out, made, "2017-Q3", "sjj", 49)
        assert got == [_card("sjj", "2017-Q3"), _card("sjj", "2017-Q4")]
        assert changed == got
        for u in ("fgw", "czj", "jyj", "wjw"):
            for period in ("2017-Q3", "2017-Q4", "2018-Q1"):
                assert (out / _card(u, period)).stat().st_ino == inode[_card(u, period)], (u, period)
        clean_build(root, clean)
        assert files(out) == files(clean)

        # fgw in 2017-Q4 (sjj exempt): the median of fgw and czj changes (every card of the group shows
        # it, sjj's context has it too); in 2018-Q1 only fgw's own card (上期 its total; places as they were)
        got, changed = _edit(root, out, made, "2017-Q4", "fgw", 49)
        assert got == sorted([_card("czj", "2017-Q4"), _card("fgw", "2017-Q4"), _card("sjj", "2017-Q4"),
                              _card("fgw", "2018-Q1")])
        assert changed == sorted([_card("czj", "2017-Q4"), _card("fgw", "2017-Q4"), _card("fgw", "2018-Q1")])
        clean_build(root, clean)
        assert files(out) == files(clean)


def test_an_edit_that_moves_another_unit_makes_its_cards_again(tmp_path: Path, made: list[str]) -> None:
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out, clean = tmp_path / "site", tmp_path / "clean"
        build(root, out)
        # czj falls below fgw in 2017-Q4: fgw's place there changes, and so what fgw's card of 2018-Q1
        # says of its place the period before (上期 第 n 名)
        got, changed = _edit(root, out, made, "2017-Q4", "czj", 20)
        assert _card("fgw", "2017-Q4") in changed and _card("fgw", "2018-Q1") in changed
        assert set(changed) <= set(got)
        assert _card("fgw", "2018-Q1") in got
        assert not any("/jyj/" in p or "/wjw/" in p for p in got)
        text = (out / _card("fgw", "2018-Q1")).read_text("utf-8")
        assert "上期" in text
        clean_build(root, clean)
        assert files(out) == files(clean)


def test_edits_one_after_another_match_the_full_keys(tmp_path: Path) -> None:
    """With SITE_BUILDER_CHECK_PREKEYS (tests/conftest.py) every matched pre-key is checked against the
    card's full key: edits that move places, medians and nothing else, one after the other."""
    import os

    assert os.environ.get(reuse.CHECK_ENV)
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out, clean = tmp_path / "site", tmp_path / "clean"
        build(root, out)
        for period, unit, value in (("2017-Q3", "sjj", 49), ("2017-Q3", "sjj", 60), ("2017-Q4", "czj", 20),
                                    ("2017-Q4", "fgw", 52), ("2018-Q1", "wjw", 30), ("2017-Q3", "czj", 55)):
            set_score(root, period, unit, value)
            build(root, out)
            clean_build(root, clean)
            assert files(out) == files(clean), (period, unit, value)


def test_an_edit_makes_only_the_unit_pages_that_show_what_changed(tmp_path: Path, monkeypatch) -> None:
    """A unit's page lists, per period, its own figures, its place and the number ranked: sjj losing a
    point while last of its group (2017-Q3) makes sjj's page again and leaves fgw's and czj's linked;
    czj falling below fgw in 2017-Q4 makes both pages again (both places changed)."""
    from site_builder.site.pages import unit as unit_pages

    made: list[str] = []
    real = unit_pages._unit_context

    def wrapper(*args, **kwargs):
        meta, ctx = real(*args, **kwargs)
        made.append(meta.path)
        return meta, ctx

    monkeypatch.setattr(unit_pages, "_unit_context", wrapper)
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    with cache_on(tmp_path):
        root = make_project(tmp_path)
        out, clean = tmp_path / "site", tmp_path / "clean"
        build(root, out)
        inode = {p: (out / p).stat().st_ino for p in files(out)}
        made.clear()
        set_score(root, "2017-Q3", "sjj", 49)
        build(root, out)
        assert made == ["units/sjj/index.html"]
        for u in ("fgw", "czj", "jyj", "wjw"):
            assert (out / f"units/{u}/index.html").stat().st_ino == inode[f"units/{u}/index.html"], u
        clean_build(root, clean)
        assert files(out) == files(clean)
        made.clear()
        set_score(root, "2017-Q4", "czj", 20)
        build(root, out)
        assert sorted(made) == ["units/czj/index.html", "units/fgw/index.html"]
        clean_build(root, clean)
        assert files(out) == files(clean)
