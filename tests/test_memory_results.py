"""What a period's scored results cost per line (issue 10, memory).

Every period's results are held for the whole build.  Many units' lines are scored from the very
same facts object (a period's facts written alike are one object: tests/test_memory_facts.py) by
the same rule, and come out equal: scoring makes such a line once per period and every unit holds
that one object; a subtotal is one object for equal content in every period; a figure written
alike is one Decimal.  Sharing must never show: a line written differently keeps its own, equal
results digest equal, nothing can change a shared line, the period cache gives equal results
back, and a build makes the same bytes with sharing on and off.
"""

from __future__ import annotations

import dataclasses
import gc
import pickle
import shutil
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from scratch import SCORES, make_project, many_units
from site_builder.errors import Problems
from site_builder.load.cache import SourceCache
from site_builder.pipeline import compute, load_project
from site_builder.scoring import engine
from site_builder.site.output.digest import digest

REPO = Path(__file__).resolve().parents[1]

# work and duty under one parent (日常工作, max 20): a subtotal for every unit
TREE = """\
title: 测试考核办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 20
period: {kind: quarter}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - id: daily
    name: 日常工作
    max: 20
    children:
      - {id: work, name: 工作推进, max: 10, rule: {kind: assessed}}
      - {id: duty, name: 值守纪律, max: 10, rule: {kind: per_occurrence, per: 1, cap: 3}}
  - id: bonus
    name: 加分项
    type: bonus
    max: 4
    rule:
      kind: recognition
      levels:
        - {id: city, name: 市级, per: 0.5}
        - {id: prov, name: 省级, per: 1}
"""

# a1 and a2 write the same facts alike; a3 writes work 9.50 (equal to 9.5, printed otherwise) and duty 2
ALIKE = SCORES.replace(
    """  a2:
    facts:
      work: 10
      duty: {events: [{date: 2024-02-01, note: 缺岗}]}""",
    """  a2:
    facts:
      work: 9.5
      duty: 1
      bonus: {awards: [{level: prov, title: 省级表彰}]}""",
).replace("    facts: {work: 8, duty: 0}\n", "    facts: {work: 9.50, duty: 2}\n")


def _results(root: Path) -> dict:
    problems = Problems()
    project = load_project(root, problems, SourceCache(root, enabled=False))
    assert project is not None, problems.errors
    return compute(project, include_drafts=True)


def _project(tmp_path: Path) -> Path:
    return make_project(tmp_path, {"schemes/demo/2024.yaml": TREE, "scores/demo/2024-Q1.yaml": ALIKE})


def test_units_whose_facts_were_written_alike_hold_one_line_object(tmp_path):
    (pr,) = _results(_project(tmp_path)).values()
    a1, a2, a3 = (pr.units[u] for u in ("a1", "a2", "a3"))
    for line in ("work", "duty", "bonus", "daily"):
        assert a1.line(line) is a2.line(line), line
    assert [(ln.id, str(ln.points), str(ln.raw)) for ln in a1.lines] == [
        ("daily", "18.5", "18.5"), ("work", "9.5", "9.5"), ("duty", "9", "9"), ("bonus", "1", "1")]
    # 9.50 is equal to 9.5 but prints otherwise: its own line, and so its own subtotal (17.50)
    assert a3.line("work") is not a1.line("work") and a3.line("work") == dataclasses.replace(a1.line("work"), points=Decimal("9.50"), raw=Decimal("9.50"), facts=a3.line("work").facts)
    assert str(a3.line("work").points) == "9.50" and str(a3.line("daily").points) == "17.50"
    assert a3.line("duty").points == Decimal(8) and a3.line("duty") is not a1.line("duty")
    assert a3.line("bonus").status == "scored" and a3.line("bonus").points == 0
    # the unit results themselves are each unit's own
    assert a1 is not a2 and a1.unit == "a1" and a2.unit == "a2" and a1.total == a2.total == Decimal("19.5")
    assert str(a3.total) == "17.50"


def test_a_figure_written_alike_is_one_decimal_but_one_written_otherwise_is_not(tmp_path):
    (pr,) = _results(_project(tmp_path)).values()
    a1, a2, a3 = (pr.units[u] for u in ("a1", "a2", "a3"))
    assert a1.total is a2.total and a1.base is a2.base
    assert a3.line("work").points == a1.line("work").points and a3.line("work").points is not a1.line("work").points


def test_equal_results_digest_alike_with_sharing_on_and_off(tmp_path, monkeypatch):
    root = _project(tmp_path)
    shared = _results(root)
    monkeypatch.setattr(engine, "SHARE", False)
    own = _results(root)
    (key,) = shared
    a, b = shared[key], own[key]
    assert a == b
    assert digest(a, swap=False) == digest(b, swap=False)
    assert b.units["a1"].line("work") is not b.units["a2"].line("work")  # off: each unit its own
    assert a.units["a1"].line("work") is a.units["a2"].line("work")


def test_a_subtotal_of_equal_content_is_one_object_in_every_period(tmp_path):
    q2 = ALIKE.replace("period: 2024-Q1", "period: 2024-Q2").replace("notice: {date: 2024-04-10, number: 测〔2024〕1号}",
                                                                    "notice: {date: 2024-07-10, number: 测〔2024〕2号}")
    root = make_project(tmp_path, {"schemes/demo/2024.yaml": TREE, "scores/demo/2024-Q1.yaml": ALIKE,
                                   "scores/demo/2024-Q2.yaml": q2})
    first, second = (r for _, r in sorted(_results(root).items()))
    assert first.period == "2024-Q1" and second.period == "2024-Q2"
    assert first.units["a1"].line("daily") is second.units["a1"].line("daily")
    # a leaf holds its period's facts: its own line in each period, equal all the same
    assert first.units["a1"].line("work") is not second.units["a1"].line("work")
    assert first.units["a1"].line("work") == second.units["a1"].line("work")
    assert first.units["a1"].line("work").facts is first.units["a2"].line("work").facts


def test_a_shared_line_cannot_be_changed(tmp_path):
    (pr,) = _results(_project(tmp_path)).values()
    line = pr.units["a1"].line("work")
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.points = Decimal(0)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del line.points  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):  # a name beside the fields: refused (how depends on the version)
        line.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(line, "__dict__")  # slots: nothing to write into beside the fields
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.steps[0].code = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        pr.units["a1"].lines = ()  # type: ignore[misc]
    assert type(line.steps) is tuple and type(pr.units["a1"].lines) is tuple
    assert pr.units["a2"].line("work").points == Decimal("9.5")


def test_results_pickled_and_read_back_are_equal_and_still_shared(tmp_path, monkeypatch):
    root = _project(tmp_path)
    (pr,) = _results(root).values()
    data = pickle.dumps(pr, protocol=5)
    back = pickle.loads(data)
    assert back == pr and digest(back, swap=False) == digest(pr, swap=False)
    assert back.units["a1"].line("work") is back.units["a2"].line("work")
    assert [str(ln.points) for ln in back.units["a3"].lines] == ["17.50", "9.50", "8", "0"]
    # a shared line is written once (the period cache's entries are smaller): with sharing off, larger
    monkeypatch.setattr(engine, "SHARE", False)
    (own,) = _results(root).values()
    assert own == pr and len(pickle.dumps(own, protocol=5)) > len(data)


def test_a_formula_failing_for_two_units_written_alike_is_reported_for_each(tmp_path):
    from click.testing import CliRunner

    from site_builder.cli import main

    scheme = TREE.replace("rule: {kind: assessed}", "rule: {kind: formula, expr: '10 / (n - 3)', inputs: [n]}")
    scores = (ALIKE.replace("      work: 9.5\n", "      work: {values: {n: 3}}\n")
              .replace("{work: 9.50, duty: 2}", "{work: {values: {n: 4}}, duty: 2}"))
    assert scores.count("work: {values: {n: 3}}") == 2
    root = make_project(tmp_path, {"schemes/demo/2024.yaml": scheme, "scores/demo/2024-Q1.yaml": scores})
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert result.exit_code != 0
    failed = [ln for ln in result.output.splitlines() if "除数为零" in ln]
    # the same facts object scored once would say it once: each unit is told where it wrote it
    assert len(failed) == 2, result.output
    assert "（a1）" in failed[0] and "（a2）" in failed[1], failed


# ------------------------------------------------------------------ the cost per line

LEAVES = 8
VALUES = ("8", "8.5", "9", "9.5", "10")


def _kept(tmp_path: Path, periods: list[str], units: int) -> int:
    """Bytes the scored results of ``periods`` keep (traced from the start of compute, the loaded project aside)."""
    half = LEAVES // 2
    kids = [[f"      - {{id: l{j}, name: 指标{j}, max: 10, rule: {{kind: assessed}}}}\n" for j in range(p * half, (p + 1) * half)]
            for p in range(2)]
    tree = "".join(f"  - id: p{p}\n    name: 方面{p}\n    max: {10 * half}\n    children:\n{''.join(kids[p])}" for p in range(2))
    files = many_units(units, periods, LEAVES, tree,
                       lambda i, j, period: VALUES[(i * 7 + j * 3 + len(period)) % len(VALUES)])
    root = make_project(tmp_path, files)
    project = load_project(root, Problems(), SourceCache(root, enabled=False))
    assert project is not None and len(project.periods) == len(periods)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        results = compute(project, include_drafts=True)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert sum(len(u.lines) for r in results.values() for u in r.units.values()) == len(periods) * units * (LEAVES + 2)
    return kept


#: Bytes a period's results keep per line of a unit (leaf or subtotal) when the records repeat.
#: Measured (Python 3.11, 10 lines a unit): 394 before lines were shared (each unit's own line
#: object with its __dict__, its own Decimals and steps); 95 after, nearly all of it each unit's
#: own (its result, its tuple of lines, its ranking entry and running totals; the period's few
#: distinct lines are shared).  Set with room for other versions, well below the old cost.
BUDGET_PER_LINE = 180


def test_scored_results_keep_at_most_a_small_budget_per_line(tmp_path):
    units = 120
    _kept(tmp_path / "warm", ["2024-Q1"], units)  # stores made once per process
    one = _kept(tmp_path / "one", ["2024-Q1"], units)
    five = _kept(tmp_path / "five", ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"], units)
    per_line = (five - one) / (4 * units * (LEAVES + 2))
    assert 0 < per_line < BUDGET_PER_LINE, per_line


# ------------------------------------------------------------------ the site is the same

def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("which", ["fixture", "example"])
def test_a_build_is_byte_identical_with_sharing_on_and_off(tmp_path, monkeypatch, which):
    from site_builder.site.build import build_site

    monkeypatch.setenv("SITE_BUILDER_NO_CACHE", "1")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    if which == "fixture":
        root = tmp_path / "project"
        shutil.copytree(REPO / "tests" / "site" / "fixtures" / "basic", root)
    else:
        if not (REPO / "site.yaml").is_file():
            pytest.skip("no example content at the repository root")
        root = REPO  # read only: no cache is read or written
    build_site(root, tmp_path / "shared", quiet=True, jobs=1)
    monkeypatch.setattr(engine, "SHARE", False)
    build_site(root, tmp_path / "own", quiet=True, jobs=1)
    shared, own = _tree(tmp_path / "shared"), _tree(tmp_path / "own")
    assert shared.keys() == own.keys() and len(shared) > 20
    assert [k for k in shared if shared[k] != own[k]] == []
