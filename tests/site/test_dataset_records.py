"""A period's records (site_builder/site/output/dataset.py ``period_records``) find each unit's ranking
and place once per group (``_Placed``): the same ranking and entry as ``SiteData.unit_ranking`` and
``SiteData.rank_entry``, for a group ranked as a whole and for one ranked only within categories."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from site_builder.site.output import dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_lang_rankings import CAT_SCHEME, cat_project

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_dataset_stream import FIXTURE, site_of


def _placed_as_site_data(data) -> int:
    """Every unit of every period: ``_Placed`` against SiteData's own search; how many units."""
    n = 0
    for period in data.periods:
        result = data.result(period)
        placed = dataset._Placed(data, result)
        for uid, u in result.units.items():
            ranking, entry = placed.of(uid, u.group)
            assert ranking is data.unit_ranking(result, uid), (period.path, uid)
            assert entry is data.rank_entry(result, uid), (period.path, uid)
            n += 1
    return n


def test_the_fixture_units_placed_as_site_data_places_them(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    assert _placed_as_site_data(site_of(root)) > 10


@pytest.mark.parametrize("lead", ["whole group", "categories"])
def test_units_ranked_within_categories_placed_as_site_data_places_them(tmp_path, lead):
    scheme = CAT_SCHEME if lead == "whole group" else CAT_SCHEME.replace("  - {id: q, name: 季度排名}\n", "")
    data = site_of(cat_project(tmp_path, scheme=scheme))
    assert _placed_as_site_data(data) == 6
    (period,) = data.periods_of("cat")
    rows = {r["unit_id"]: r for r in dataset.period_records(data, period).results}
    if lead == "categories":  # each unit's place within its category, named
        assert {(r["ranking_id"], r["category"]) for r in rows.values()} == {("c", "专业部门"), ("c", "其他部门")}
        assert sorted(r["rank"] for r in rows.values() if r["category"] == "专业部门") == [1, 2, 3]
    else:
        assert {(r["ranking_id"], r["category"]) for r in rows.values()} == {("q", None)}
        assert sorted(r["rank"] for r in rows.values()) == [1, 2, 3, 4, 5, 5]  # b1 and b2 tied (7 points each)


class _Line:
    """A line's result as the line rows read it."""

    def __init__(self, lid: str, depth: int, points: str = "1.0") -> None:
        from decimal import Decimal

        self.id, self.name, self.depth, self.is_leaf, self.type = lid, f"name {lid}", depth, True, "score"
        self.points, self.max, self.status, self.counts = Decimal(points), Decimal("5"), "scored", True


def _stack_parents(lines) -> list:
    """Each line's parent the plain way: the last line before it of a lesser depth."""
    out, stack = [], []
    for line in lines:
        del stack[line.depth:]
        out.append(stack[-1].id if stack else None)
        stack.append(line)
    return out


def test_line_values_are_made_once_per_line_object_and_parents_follow_each_units_order():
    """``LineTails`` (the line rows of period_records): a line object shared by units is looked up once,
    equal lines that are other objects each once; each unit's parents are those of its own order of
    lines, also when a unit's lines skip a level or come in another order than the first unit's."""
    from site_builder.site.output.dataset_parts import Figures, LineTails, Maxima

    class Places(dict):
        asked: list = []

        def __missing__(self, lid):
            self.asked.append(lid)
            return 1

    a, b, c, d = _Line("a", 0), _Line("b", 1), _Line("c", 2), _Line("d", 1)
    c_other = _Line("c", 2, "2.5")  # (another object, other points)
    tails = LineTails(Places(), Figures(), Maxima())
    orders = [[a, b, c, d], [a, b, c_other, d], [a, c, d], [a, b, c, d], [d, c, b, a]]
    for lines in orders:
        values, parents = tails.of(lines)
        assert parents == _stack_parents(lines)
        assert [v[0] for v in values] == [line.id for line in lines]
        assert [v[5] for v in values] == [format(line.points, "f") for line in lines]  # points, as published
    assert len(tails.seen) == 5  # a, b, c, d and the other c: each object once
    assert len(tails.order) == 3  # three orders of (line id, depth): the other c has the same, a repeated one is found once
