"""A rule checks facts written alike once a period (site_builder/checks/scores_checks.py, ``passed``).

Facts that passed a rule's check on a line for one unit pass it for every unit that wrote the same
(the check reads only the line and the facts); facts with a problem are checked again for every
unit, so each is reported at its own ``file:line:column``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scratch import SCORES, make_project

from site_builder.errors import Problems
from site_builder.load.cache import SourceCache
from site_builder.pipeline import load_project
from site_builder.scoring.rules.assessed import Assessed


def _load(tmp_path: Path, text: str):
    root = make_project(tmp_path, {"scores/demo/2024-Q1.yaml": text})
    problems = Problems()
    project = load_project(root, problems, SourceCache(root, enabled=False))
    return project, [p.render("zh-CN") for p in problems.items]


def test_the_same_wrong_facts_of_three_units_are_reported_for_each(tmp_path):
    text = (SCORES.replace("      work: 9.5\n", "      work: 12\n").replace("      work: 10\n", "      work: 12\n")
            .replace("{work: 8, duty: 0}", "{work: 12, duty: 0}").replace("level: prov", "level: nat"))
    project, said = _load(tmp_path, text)
    assert project is None
    assert said == [
        "scores/demo/2024-Q1.yaml:9:13: 得分 12 超过本项满分 10 — 请核对评分，得分应在 0 到 10 之间",
        "scores/demo/2024-Q1.yaml:11:32: “nat”不是本项规定的层级 — 可用的有：city, prov",
        "scores/demo/2024-Q1.yaml:14:13: 得分 12 超过本项满分 10 — 请核对评分，得分应在 0 到 10 之间",
        "scores/demo/2024-Q1.yaml:17:19: 得分 12 超过本项满分 10 — 请核对评分，得分应在 0 到 10 之间",
    ]


@pytest.fixture
def checks(monkeypatch):
    """The facts ``Assessed.check_facts`` was asked about, in order."""
    seen: list[str] = []
    real = Assessed.check_facts

    def spy(self, line, facts, report):
        seen.append(str(facts.points))
        return real(self, line, facts, report)

    monkeypatch.setattr(Assessed, "check_facts", spy)
    return seen


def test_facts_written_alike_that_passed_are_checked_once(tmp_path, checks):
    text = SCORES.replace("      work: 10\n", "      work: 9.5\n").replace("{work: 8, duty: 0}", "{work: 9.5, duty: 0}")
    project, said = _load(tmp_path, text)
    assert project is not None and said == []
    assert checks == ["9.5"]
    assert {u: str(f["work"].points) for u, f in project.periods[0].facts.items()} == {"a1": "9.5", "a2": "9.5", "a3": "9.5"}


def test_a_unit_writing_other_facts_after_passed_ones_is_still_checked(tmp_path, checks):
    text = SCORES.replace("      work: 10\n", "      work: 9.5\n").replace("{work: 8, duty: 0}", "{work: 12, duty: 0}")
    project, said = _load(tmp_path, text)
    assert project is None
    assert checks == ["9.5", "12"]
    assert said == ["scores/demo/2024-Q1.yaml:17:19: 得分 12 超过本项满分 10 — 请核对评分，得分应在 0 到 10 之间"]
