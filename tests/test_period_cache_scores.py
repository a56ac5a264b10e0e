"""The period cache's scorings (.site-builder/scores/): an edit in one period scores that period again,
and a later period only when what its scoring reads from before it changed.

A step's scoring (its units before ranking, and the ledger after it) is keyed by S_i: the period's own
inputs, the ledger's view of the period's spans, what ``previous(x)`` reads (when a line uses it) and
the content keys of every earlier step (when a line reads the history).  Ranking and grading run
again for every period after the edit, from the reused scorings.  Counted by wrapping
``score_period``; the results always equal a compute without any cache, and a site built after the
edit is byte for byte a clean build.  The test suite runs with ``SITE_BUILDER_CHECK_PREKEYS=1``
(tests/conftest.py): every reused scoring is scored again and compared (a key that misses an input
stops the run: :func:`test_a_key_that_misses_an_input_is_caught`).

The project: a monthly scheme ``p`` of three units over two stages (January–March, April–June) that
carries state through its ledger only — a bonus capped across the stage (``extra``), a budget for the
quarter (``discipline``, ``balance_span: quarter``), a veto lasting the stage — with a monthly and a
cumulative ranking and a flag with streaks.  Variants read ``previous(x)`` in the info line or add a
history line.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scratch import make_project

from site_builder import pipeline
from site_builder.load import cache as cache_mod
from site_builder.scoring import engine
from site_builder.scoring.period_cache import SCORE_FOLDERS, PeriodCache

SITE = "title: 测试\norganisation: 测试县考核办\nsample: true\n"
UNITS = "units:\n  - {id: a1, name: 甲局}\n  - {id: a2, name: 乙局}\n  - {id: a3, name: 丙局}\n"

PLAIN = """\
title: 月度评比
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 30
period:
  kind: month
  stages:
    - {id: s1, name: 第一阶段, from: 2024-01-01, until: 2024-03-31}
    - {id: s2, name: 第二阶段, from: 2024-04-01, until: 2024-06-30}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - {id: work, name: 工作, max: 10, rule: {kind: assessed}}
  - id: discipline
    name: 纪律
    max: 20
    balance_span: quarter
    rule: {kind: per_occurrence, per: 2}
  - {id: extra, name: 创新加分, type: bonus, max: 2, cap_span: stage, rule: {kind: assessed}}
  - id: info
    name: 信息报送
    type: bonus
    max: 2
    rule:
      kind: formula
      inputs: [reports]
      labels: {reports: 报送信息篇数}
      expr: min(reports * 0.1, max)
vetoes:
  - {id: warned, name: 被通报批评, called: no_excellence, lasts: stage}
rankings:
  - {id: mr, name: 月度排名}
  - {id: cum, name: 累计排名, basis: cumulative}
honours:
  - {id: flag, name: 流动红旗, ranking: mr, select: {top: 1}, streak: true}
"""

#: the info line reading the previous month's reports
PREVIOUS = PLAIN.replace("expr: min(reports * 0.1, max)", "expr: min(max(reports - previous(reports, reports), 0) * 0.5, max)")

#: a line reading the flags of the months before
HISTORY = PLAIN.replace("vetoes:\n", """\
  - id: stk
    name: 连续红旗
    type: bonus
    max: 1
    rule: {kind: history, label: 此前两个月连续获得流动红旗的月数, measure: run, honour: flag, last: 2, at_least: 2, points: 1}
vetoes:
""")

UNIT_IDS = ("a1", "a2", "a3")
MONTHS = ("01", "02", "03", "04", "05", "06")
#: per month and unit: work, times late (discipline), extra, reports
DATA = {
    "01": ((9, 0, 1.5, 2), (8, 3, 0, 3), (7, 1, 1, 1)),
    "02": ((9, 1, 1.5, 5), (8.5, 0, 1, 3), (7, 2, 1, 4)),
    "03": ((7, 2, 1, 6), (9, 1, 1, 3), (8, 0, 0.5, 8)),
    "04": ((9, 0, 1.5, 6), (8, 2, 1.5, 9), (7, 4, 0, 8)),
    "05": ((8, 3, 1, 7), (8, 1, 0, 12), (9, 0, 1, 9)),
    "06": ((9, 1, 0.5, 7), (6, 0, 1, 14), (8, 1, 1, 10)),
}
CHAIN = [("p", f"2024-{m}") for m in MONTHS]
AS_OF = dt.date(2024, 7, 31)


def month(m: str, rows, warned: dict[str, str] | None = None) -> str:
    out = (f"scheme: p\nversion: \"2024\"\nperiod: 2024-{m}\nstatus: published\n"
           f"notice: {{date: 2024-{int(m) + 1:02d}-05, number: 测〔2024〕{int(m)}号}}\nunits:\n")
    for uid, (work, late, extra, reports) in zip(UNIT_IDS, rows):
        out += (f"  {uid}:\n    facts: {{work: {work}, discipline: {late}, extra: {extra}, "
                f"info: {{values: {{reports: {reports}}}}}}}\n")
        if (warned or {}).get(uid) == m:
            out += f"    vetoes: [{{id: warned, reason: 被通报批评, date: 2024-{m}-10}}]\n"
    return out


def files(scheme: str = PLAIN, data=DATA, warned: dict[str, str] | None = None) -> dict[str, str]:
    out = {"site.yaml": SITE, "units/units.yaml": UNITS, "schemes/p/2024.yaml": scheme}
    for m, rows in data.items():
        out[f"scores/p/2024-{m}.yaml"] = month(m, rows, warned)
    return out


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch, tmp_path_factory):
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))


@pytest.fixture
def scored(monkeypatch):
    """The (scheme, period) of every period actually scored, in order (the check's own scorings,
    ``engine._score_again``, are not counted)."""
    calls: list[tuple[str, str]] = []
    real = engine.score_period

    def counting(project, sv, period, *args, **kw):
        calls.append((period.scheme, period.id))
        return real(project, sv, period, *args, **kw)

    monkeypatch.setattr(engine, "score_period", counting)
    return calls


def fresh(root: Path):
    before = os.environ.get(cache_mod.ENV_OFF)
    os.environ[cache_mod.ENV_OFF] = "1"
    try:
        return pipeline.check(root)[1]
    finally:
        if before is None:
            del os.environ[cache_mod.ENV_OFF]
        else:
            os.environ[cache_mod.ENV_OFF] = before


def cached(root: Path, scored: list):
    scored.clear()
    results = pipeline.check(root)[1]
    return results, list(scored)


def edit(root: Path, m: str, unit: int, data=DATA, warned=None, **change) -> dict:
    """Change one unit's facts in month ``m`` (work, late, extra, reports); the new data."""
    fields = ("work", "late", "extra", "reports")
    rows = [list(r) for r in data[m]]
    for name, value in change.items():
        rows[unit][fields.index(name)] = value
    new = {**data, m: tuple(tuple(r) for r in rows)}
    make_project(root, {f"scores/p/2024-{m}.yaml": month(m, new[m], warned)}, base=False)
    return new


def start(tmp_path: Path, scored: list, scheme: str = PLAIN, warned=None) -> Path:
    root = make_project(tmp_path / "p", files(scheme, warned=warned), base=False)
    results, calls = cached(root, scored)
    assert calls == CHAIN
    assert results == fresh(root)
    return root


def scorings(root: Path) -> dict[str, bytes]:
    folder = root / SCORE_FOLDERS[True]
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- what is scored again


def test_a_middle_edit_scores_that_period_only(tmp_path, scored):
    root = start(tmp_path, scored)
    assert len(scorings(root)) == len(CHAIN)
    before = fresh(root)
    edit(root, "04", 1, work=10)
    results, calls = cached(root, scored)
    assert calls == [("p", "2024-04")]  # May and June read nothing April's work changed
    assert results == fresh(root)
    # yet they are ranked again: a2's cumulative total in June grows by April's 2 points
    assert results[("p", "2024-06")].cumulative["a2"] == before[("p", "2024-06")].cumulative["a2"] + 2
    assert results[("p", "2024-05")].units == before[("p", "2024-05")].units
    assert len(scorings(root)) == len(CHAIN)  # April's old scoring is gone
    assert cached(root, scored) == (results, [])


def test_a_stage_cap_reaches_the_months_of_its_stage_only(tmp_path, scored):
    root = start(tmp_path, scored)
    before = fresh(root)
    # a1's extra: 1.5 in January, 1.5 in February (0.5 left of the stage's 2), 1 in March (nothing
    # left); February's made 0: March now books 0.5
    assert [before[("p", f"2024-{m}")].units["a1"].line("extra").points for m in ("01", "02", "03")] == [
        Decimal("1.5"), Decimal("0.5"), Decimal("0")]
    edit(root, "02", 0, extra=0)
    results, calls = cached(root, scored)
    assert calls == [("p", "2024-02"), ("p", "2024-03")]  # April starts the second stage
    assert results == fresh(root)
    assert results[("p", "2024-03")].units["a1"].line("extra").points == Decimal("0.5")


def test_a_balance_reaches_the_months_of_its_quarter_only(tmp_path, scored):
    root = start(tmp_path, scored)
    # a2 late 3 times in January: 6 of the quarter's 20 lost; 5 times: 10, and February and March
    # show the balance that is left
    edit(root, "01", 1, late=5)
    results, calls = cached(root, scored)
    assert calls == CHAIN[:3]
    assert results == fresh(root)
    assert results[("p", "2024-02")].units["a2"].line("discipline").points == Decimal("10")


def test_a_lasting_veto_reaches_the_months_of_its_stage_only(tmp_path, scored):
    root = start(tmp_path, scored)
    make_project(root, files(warned={"a3": "02"}), base=False)
    results, calls = cached(root, scored)
    assert calls == [("p", "2024-02"), ("p", "2024-03")]
    assert results == fresh(root)
    assert [v.id for v in results[("p", "2024-03")].units["a3"].vetoes] == ["warned"]
    assert results[("p", "2024-04")].units["a3"].vetoes == ()


def test_previous_is_read_by_the_next_month_only(tmp_path, scored):
    root = start(tmp_path, scored, PREVIOUS)
    # a1 reports 6 in March, 6 in April: April's increase is 0; 8 in March: May (7, against April's
    # 6) is as it was, April is scored again with it
    data = edit(root, "03", 0, reports=8)
    results, calls = cached(root, scored)
    assert calls == [("p", "2024-03"), ("p", "2024-04")]
    assert results == fresh(root)
    assert results[("p", "2024-04")].units["a1"].line("info").points == 0
    # previous(x) may read any line's points of the month before: April's work changed, May is scored
    # again, and comes out as it was: June reads May's as they were
    edit(root, "04", 0, data=data, work=10)
    results, calls = cached(root, scored)
    assert calls == [("p", "2024-04"), ("p", "2024-05")]
    assert results == fresh(root)


def test_a_month_added_before_is_read_by_previous(tmp_path, scored):
    # without January, February is the first month: previous(reports, reports) reads its own reports;
    # January added, February reads January's (its file, its spans' ledger: all as before)
    root = start(tmp_path, scored, PREVIOUS)
    (root / "scores/p/2024-01.yaml").unlink()
    results, calls = cached(root, scored)
    assert results == fresh(root)
    assert results[("p", "2024-02")].units["a1"].line("info").points == 0
    make_project(root, {"scores/p/2024-01.yaml": month("01", DATA["01"])}, base=False)
    results, calls = cached(root, scored)
    assert calls[:2] == CHAIN[:2]
    assert results == fresh(root)
    assert results[("p", "2024-02")].units["a1"].line("info").points == Decimal("1.5")  # (5 − 2) × 0.5


def test_history_lines_score_every_later_month_again(tmp_path, scored):
    root = start(tmp_path, scored, HISTORY)
    edit(root, "03", 1, work=6)
    results, calls = cached(root, scored)
    assert calls == CHAIN[2:]  # their history holds March's result
    assert results == fresh(root)


# ---------------------------------------------------------------- entries never trusted


@pytest.mark.parametrize("damage", ["truncated", "altered", "renamed"])
def test_a_damaged_scoring_is_a_miss(tmp_path, scored, damage):
    root = start(tmp_path, scored)
    p, _ = pipeline.check(root)
    cache = PeriodCache.open(p, True, list(p.periods), lambda: pipeline._compute_inputs(p))
    cache.hits(list(p.periods))
    folder = root / SCORE_FOLDERS[True]
    path = folder / cache.score_keys[4]  # May's
    blob = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "altered":
        path.write_bytes(blob[:-10] + bytes([blob[-10] ^ 1]) + blob[-9:])
    else:  # June's scoring under May's name (a valid signature, the wrong scoring)
        path.write_bytes((folder / cache.score_keys[5]).read_bytes())
    edit(root, "04", 1, work=10)
    results, calls = cached(root, scored)
    assert calls == [("p", "2024-04"), ("p", "2024-05")]
    assert results == fresh(root)
    assert (folder / cache.score_keys[4]).read_bytes() != (folder / cache.score_keys[5]).read_bytes()


def test_a_step_read_whole_takes_its_units_from_its_scoring(tmp_path, scored):
    # a step's entry holds its result without the units (they are in its scoring entry, stored once):
    # April's scoring damaged, April is no longer read whole, and is scored again; May and June are
    # ranked again from their scorings
    root = start(tmp_path, scored)
    p, _ = pipeline.check(root)
    cache = PeriodCache.open(p, True, list(p.periods), lambda: pipeline._compute_inputs(p))
    cache.hits(list(p.periods))
    path = root / SCORE_FOLDERS[True] / cache.score_keys[3]
    path.write_bytes(path.read_bytes()[:-10])
    results, calls = cached(root, scored)
    assert calls == [("p", "2024-04")]
    assert results == fresh(root)
    assert cached(root, scored) == (results, [])


def test_a_key_that_misses_an_input_is_caught(tmp_path, scored, monkeypatch):
    # a key without the ledger's view: March would be taken as it was, with February's cap usage
    # changed under it; the check (on in the tests) scores it again and stops the run
    real = engine.SchemeScoring.reads
    monkeypatch.setattr(engine.SchemeScoring, "reads", lambda self, sv, period: ((), *real(self, sv, period)[1:]))
    root = start(tmp_path, scored)
    edit(root, "02", 0, extra=0)
    with pytest.raises(AssertionError, match="2024-03"):
        cached(root, scored)


# ---------------------------------------------------------------- the site stage


def test_a_later_result_that_comes_out_the_same_keeps_its_digest(tmp_path, scored):
    from site_builder.site.output import digest

    root = start(tmp_path, scored)

    def keys() -> tuple[list[str], dict]:
        _, results = pipeline.check(root)
        got = [digest._shared_digest(results[c]) for c in CHAIN]
        digest.forget_shared()
        return got, results

    before, was = keys()
    # a1's extra in March: 1 → 0.5, nothing of it counted either way (the stage's 2 are used up), so no
    # total moves: March's result changes (its facts), April to June come out as they were and keep
    # their digests, so their pages keep their pre-keys
    edit(root, "03", 0, extra=0.5)
    after, now = keys()
    assert [b == a for b, a in zip(before, after)] == [True, True, False, True, True, True]
    assert [was[c] == now[c] for c in CHAIN] == [True, True, False, True, True, True]
    # a total that moves changes every later result of the year (its running totals)
    edit(root, "04", 1, work=10)
    last, _ = keys()
    assert [a == b for a, b in zip(after, last)] == [True, True, True, False, False, False]


@pytest.mark.parametrize("serve", [False, True])
def test_a_site_built_after_a_middle_edit_is_a_clean_build(tmp_path, scored, serve):
    from site_builder.load import warm
    from site_builder.site.build import _build

    def tree(out: Path) -> dict[str, bytes]:
        return {q.relative_to(out).as_posix(): q.read_bytes() for q in sorted(out.rglob("*")) if q.is_file()}

    def build(root: Path, out: Path) -> None:
        _build(root, out, as_of=AS_OF, preview=False, quiet=True, serve=serve)

    root = make_project(tmp_path / "p", files(PREVIOUS), base=False)
    try:
        build(root, tmp_path / "site")
        data = edit(root, "02", 0, extra=0)
        scored.clear()
        build(root, tmp_path / "site")
        assert scored == [("p", "2024-02"), ("p", "2024-03"), ("p", "2024-04")]  # April reads March's points
        edit(root, "05", 2, data=data, reports=3)
        scored.clear()
        build(root, tmp_path / "site")
        assert scored == [("p", "2024-05"), ("p", "2024-06")]
    finally:
        warm.forget()
    shutil.rmtree(root / ".site-builder")
    os.environ[cache_mod.ENV_OFF] = "1"
    try:
        build(root, tmp_path / "clean")
    finally:
        del os.environ[cache_mod.ENV_OFF]
        warm.forget()
    assert tree(tmp_path / "site") == tree(tmp_path / "clean")


def test_a_builds_unit_digests_are_made_by_the_writer_beside_it(tmp_path, scored, monkeypatch):
    """A build's new scorings are stored with their units' digests, made by the child that writes
    them while the build goes on, not by the build before its workers start; a later build reads
    them with the scorings (and the tests' check makes them again and compares)."""
    from site_builder import aside
    from site_builder.scoring import period_cache
    from site_builder.site.build import _build
    from site_builder.site.output import prekeys

    monkeypatch.setattr(aside.threading, "active_count", lambda: 1)  # (threads the suite leaves behind)
    made = tmp_path / "made"
    made.mkdir()
    real = period_cache._unit_digests

    def noted(units):
        (made / f"{os.getpid()}.{len(os.listdir(made))}").touch()
        return real(units)

    monkeypatch.setattr(period_cache, "_unit_digests", noted)
    root = make_project(tmp_path / "p", files(PLAIN), base=False)
    _build(root, tmp_path / "site", as_of=AS_OF, preview=False, quiet=True, serve=False)
    pids = {name.split(".")[0] for name in os.listdir(made)}
    assert pids and str(os.getpid()) not in pids  # the writer's, not the build's
    p, _ = pipeline.check(root, include_drafts=False)
    cache = PeriodCache.open(p, False, list(p.periods), lambda: pipeline._compute_inputs(p))
    cache.hits(list(p.periods))
    for skey, period in zip(cache.score_keys, p.periods):
        entry = cache.scorings.get(skey)
        assert set(entry[5]) == set(period.scores.units)  # every unit's digest stored
        # read back, each stored digest is made again from its unit and compared (SITE_BUILDER_CHECK_PREKEYS)
        assert cache._scoring(skey, period) is not None
    prekeys.forget()


# ---------------------------------------------------------------- random sequences of edits


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scheme=st.sampled_from([PLAIN, PREVIOUS, HISTORY, PLAIN.replace("lasts: stage", "lasts: year")]),
       edits=st.lists(st.tuples(st.sampled_from(MONTHS), st.integers(0, 2), st.integers(5, 10), st.integers(0, 6),
                                st.sampled_from([0, 0.5, 1, 2]), st.integers(0, 12), st.booleans()),
                      min_size=1, max_size=4))
def test_random_edits_keep_the_results_those_of_a_fresh_compute(tmp_path_factory, scored, scheme, edits):
    root = make_project(tmp_path_factory.mktemp("seq"), files(scheme), base=False)
    data = {m: [list(r) for r in rows] for m, rows in DATA.items()}
    warned: dict[str, str] = {}
    cached(root, scored)
    for m, unit, work, late, extra, reports, warn in edits:
        data[m][unit] = [work, late, extra, reports]
        first = m
        if warn:  # the unit warned in this month (a veto lasting the stage, or the year), not in another
            first = min(m, warned.get(UNIT_IDS[unit], m))
            warned[UNIT_IDS[unit]] = m
        make_project(root, files(scheme, {k: tuple(map(tuple, v)) for k, v in data.items()}, warned), base=False)
        results, calls = cached(root, scored)
        assert results == fresh(root)
        # never a month before the first file changed
        assert all(c >= ("p", f"2024-{first}") for c in calls)
