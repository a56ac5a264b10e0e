"""Score cards are keyed by what they show of their unit's group (site_builder/site/pages/scorecard.py,
``_CardFigures``; unit pages by ``unit._UnitsOfSite.prekey``).

A fact changed in one group's unit makes that group's cards of the period again when they show what
changed (and its own card of the next period, which shows it as 上期), and leaves the other group's cards linked without their context
being made; the site is byte for byte the clean build's.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.site.output import reuse
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
