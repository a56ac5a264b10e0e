"""The period cache (.site-builder/periods/): scored and ranked periods reused, never trusted blindly.

With the cache on, the results always equal a compute without it, and only the
periods from the first one whose inputs changed are scored again (counted by
wrapping ``score_period``, not by timing).  A damaged, altered or foreign entry
is a miss; a run with failures reports them as before and writes nothing.

The project: a monthly scheme ``m`` (two stages) that carries state from month to
month — a bonus capped across the stage, ``previous(x)``, a veto lasting the stage,
a flag with streaks, a cumulative ranking with an honour decided at the end of each
stage, a history line reading its own flags — and a half-year scheme ``t`` that
reads m's results (``inputs``).  Chain order: m's months 01…06, then t's 2024-H1.
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
from scratch import listing, make_project

from site_builder import pipeline
from site_builder.errors import InputError
from site_builder.load import cache as cache_mod
from site_builder.scoring import engine
from site_builder.scoring.period_cache import FOLDERS

SITE = "title: 测试\norganisation: 测试县考核办\nsample: true\n"
UNITS = "units:\n  - {id: a1, name: 甲局}\n  - {id: a2, name: 乙局}\n  - {id: a3, name: 丙局}\n"

MONTHLY = """\
title: 月度评比
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 10
period:
  kind: month
  stages:
    - {id: s1, name: 第一阶段, from: 2024-01-01, until: 2024-03-31}
    - {id: s2, name: 第二阶段, from: 2024-04-01, until: 2024-06-30}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - {id: work, name: 工作, max: 10, rule: {kind: assessed}}
  - id: stk
    name: 连续红旗
    type: bonus
    max: 1
    rule: {kind: history, label: 此前两个月连续获得流动红旗的月数, measure: run, honour: flag, last: 2, at_least: 2, points: 1}
  - id: info
    name: 信息增量
    type: bonus
    max: 2
    cap_span: stage
    rule:
      kind: formula
      inputs: [reports]
      labels: {reports: 报送信息篇数}
      expr: min(max(reports - previous(reports, reports), 0) * 0.5, max)
vetoes:
  - {id: warned, name: 被通报批评, called: no_excellence, lasts: stage}
rankings:
  - {id: mr, name: 月度排名}
  - {id: cum, name: 累计排名, basis: cumulative}
honours:
  - {id: flag, name: 流动红旗, ranking: mr, select: {top: 1}, streak: true}
  - {id: good, name: 阶段优秀, ranking: cum, select: {top: 1}, decided: [stage_end]}
"""

TERM = """\
title: 半年评定
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 5
period: {kind: half-year}
inputs:
  - {scheme: m, name: 月度评比}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - id: held
    name: 红旗次数
    max: 3
    rule:
      kind: history
      scheme: m
      label: 半年内获得流动红旗的次数
      measure: held
      honour: flag
      brackets: [{min: 3, points: 3}, {min: 1, max: 2, points: 1}, {max: 0, points: 0}]
  - {id: run, name: 连续红旗, max: 2, rule: {kind: history, scheme: m, label: 最长连续获得的月数, measure: run, honour: flag, at_least: 2, points: 2}}
"""

UNIT_IDS = ("a1", "a2", "a3")
MONTHS = ("01", "02", "03", "04", "05", "06")
#: per month: (work, reports) of a1, a2, a3; a2 is warned in February (lasts the first stage)
DATA = {
    "01": ((9, 2), (8, 3), (7, 1)),
    "02": ((9, 5), (8.5, 3), (7, 4)),
    "03": ((7, 6), (9, 3), (8, 8)),
    "04": ((9, 6), (8, 9), (7, 8)),
    "05": ((8, 7), (8, 12), (9, 9)),
    "06": ((9, 7), (6, 14), (8, 10)),
}
CHAIN = [("m", f"2024-{m}") for m in MONTHS] + [("t", "2024-H1")]
AS_OF = dt.date(2024, 7, 31)


def month(m: str, rows, status: str = "published", warned: str = "02") -> str:
    notice = f"notice: {{date: 2024-{int(m) + 1:02d}-05, number: 测〔2024〕{int(m)}号}}\n" if status == "published" else ""
    out = f"scheme: m\nversion: \"2024\"\nperiod: 2024-{m}\nstatus: {status}\n{notice}units:\n"
    for uid, (work, reports) in zip(UNIT_IDS, rows):
        out += f"  {uid}:\n    facts: {{work: {work}, info: {{values: {{reports: {reports}}}}}}}\n"
        if uid == "a2" and m == warned:
            out += f"    vetoes: [{{id: warned, reason: 被通报批评, date: 2024-{m}-10}}]\n"
    return out


def term() -> str:
    return ("scheme: t\nversion: \"2024\"\nperiod: 2024-H1\nstatus: published\n"
            "notice: {date: 2024-07-10, number: 测〔2024〕9号}\nunits:\n  a1: {}\n  a2: {}\n  a3: {}\n")


def files(data=DATA, draft: str | None = None) -> dict[str, str | None]:
    out: dict[str, str | None] = {
        "site.yaml": SITE, "units/units.yaml": UNITS, "schemes/m/2024.yaml": MONTHLY,
        "schemes/t/2024.yaml": TERM, "scores/t/2024-H1.yaml": term(),
    }
    for m, rows in data.items():
        out[f"scores/m/2024-{m}.yaml"] = month(m, rows, "draft" if m == draft else "published")
    return out


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch, tmp_path_factory):
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    # this "computer's" cache key lives outside every project (never in ~/.cache during tests)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))


@pytest.fixture
def scored(monkeypatch):
    """The (scheme, period) of every period actually scored, in order."""
    calls: list[tuple[str, str]] = []
    real = engine.score_period

    def counting(project, sv, period, *args, **kw):
        calls.append((period.scheme, period.id))
        return real(project, sv, period, *args, **kw)

    monkeypatch.setattr(engine, "score_period", counting)
    return calls


def fresh(root: Path, include_drafts: bool = True):
    """What a compute without any cache gives (nothing read or written)."""
    before = os.environ.get(cache_mod.ENV_OFF)
    os.environ[cache_mod.ENV_OFF] = "1"
    try:
        return pipeline.check(root, include_drafts=include_drafts)[1]
    finally:
        if before is None:
            del os.environ[cache_mod.ENV_OFF]
        else:
            os.environ[cache_mod.ENV_OFF] = before


def cached(root: Path, scored: list, include_drafts: bool = True):
    """The results with the cache on, and the periods scored to get them."""
    scored.clear()
    results = pipeline.check(root, include_drafts=include_drafts)[1]
    return results, list(scored)


def entries(root: Path, drafts: bool = True) -> dict[str, bytes]:
    folder = root / FOLDERS[drafts]
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def edit(root: Path, m: str, unit: int, work) -> None:
    rows = list(DATA[m])
    rows[unit] = (work, rows[unit][1])
    make_project(root, {f"scores/m/2024-{m}.yaml": month(m, rows)}, base=False)


@pytest.fixture
def project(tmp_path, scored):
    root = make_project(tmp_path / "p", files(), base=False)
    results, calls = cached(root, scored)
    assert calls == CHAIN  # a cold cache: every period, in chain order
    assert results == fresh(root)
    assert len(entries(root)) == len(CHAIN)
    return root


# ---------------------------------------------------------------- what is scored again


def test_nothing_changed_nothing_scored(project, scored):
    results, calls = cached(project, scored)
    assert calls == []
    assert results == fresh(project)
    # what the cache held is what the run computed: the figures themselves, hand-checked for one:
    # a1 in March: work 7, + 1 for the flags of January and February, + 0.5 for one report more
    # than February (6 − 5) × 0.5, all that is left of the stage's 2 after February's 1.5
    assert results[("m", "2024-03")].units["a1"].total == Decimal("8.50")
    assert len(entries(project)) == len(CHAIN)


@pytest.mark.parametrize(("m", "scored_again"), [
    ("01", CHAIN),  # the first period: everything after it reads it
    ("03", CHAIN[2:]),  # the middle: the months from March, then the half-year
    ("06", CHAIN[5:]),  # the last month: it, and the half-year that reads it
])
def test_a_changed_fact_scores_that_period_and_those_after_it(project, scored, m, scored_again):
    edit(project, m, 1, 10)
    results, calls = cached(project, scored)
    assert calls == scored_again
    assert results == fresh(project)
    # entries of the last run only: the old ones of the changed steps are gone
    assert len(entries(project)) == len(CHAIN)


def test_a_changed_last_period_scores_one(project, scored):
    make_project(project, {"scores/t/2024-H1.yaml": term().replace("  a1: {}\n", "  a1: {note: 补充说明}\n")},
                 base=False)
    results, calls = cached(project, scored)
    assert calls == [("t", "2024-H1")]
    assert results == fresh(project)
    assert results[("t", "2024-H1")].units["a1"].note == "补充说明"


def test_the_state_carried_into_a_recomputed_period_is_the_cached_one(project, scored):
    # April is scored on top of March from the cache: previous(x), the flag streaks and the
    # cumulative totals must all be as a run from January gives them
    edit(project, "04", 0, 10)
    results, calls = cached(project, scored)
    assert calls == CHAIN[3:]
    want = fresh(project)
    assert results == want
    april = results[("m", "2024-04")]
    assert april.units["a1"].line("info").points == 0  # previous(reports): March's 6, from the cache
    assert april.cumulative["a1"] == Decimal("8.50") + Decimal("10.50") + Decimal("9.00") + Decimal("11.00")
    flag = next(h for h in april.honours if h.honour == "flag")
    assert flag.chosen == ("a1",) and flag.streaks == {"a1": 4}  # January to April


def test_the_stage_cap_and_a_lasting_veto_come_through_the_cache(project, scored):
    # May is scored on top of April from the cache: a2's bonus of April (3 more reports → 1.5, the
    # line's 2 at most → 2) used the second stage's cap, so May's 3 more give nothing
    edit(project, "05", 0, 7)
    results, calls = cached(project, scored)
    assert calls == CHAIN[4:]
    assert results == fresh(project)
    may = results[("m", "2024-05")].units["a2"].line("info")
    assert (may.points, may.clip) == (0, "cap")
    # and in March (first stage, from the cache) a2 is still under February's veto: no flag
    march = next(h for h in results[("m", "2024-03")].honours if h.honour == "flag")
    assert "a2" not in march.chosen and "a2" in dict(march.excluded)


def test_a_comment_in_a_project_wide_file_scores_nothing(project, scored):
    # the keys digest what site.yaml, the registry and the schemes load to, not their bytes
    make_project(project, {"site.yaml": SITE + "# 说明\n", "units/units.yaml": "# 名册\n" + UNITS,
                           "schemes/m/2024.yaml": MONTHLY + "# 备注\n"}, base=False)
    results, calls = cached(project, scored)
    assert calls == []
    assert results == fresh(project)


def test_a_scheme_change_scores_everything(project, scored):
    make_project(project, {"schemes/m/2024.yaml": MONTHLY.replace("title: 月度评比", "title: 月度评比办法")},
                 base=False)
    results, calls = cached(project, scored)
    assert calls == CHAIN
    assert results == fresh(project)


@pytest.mark.parametrize("units", [
    UNITS.replace("甲局", "甲局（新）"),  # renamed
    UNITS + "  - {id: a4, name: 丁局}\n",  # added (not in any group: scored nowhere, but read)
])
def test_a_registry_change_scores_everything(project, scored, units):
    make_project(project, {"units/units.yaml": units}, base=False)
    results, calls = cached(project, scored)
    assert calls == CHAIN
    assert results == fresh(project)


def test_a_period_added_or_removed(tmp_path, scored):
    five = {m: DATA[m] for m in MONTHS[:5]}
    root = make_project(tmp_path / "p", files(five), base=False)
    assert cached(root, scored)[1] == [("m", f"2024-{m}") for m in MONTHS[:5]] + [("t", "2024-H1")]
    make_project(root, files(), base=False)  # June added: June and the half-year
    results, calls = cached(root, scored)
    assert calls == CHAIN[5:]
    assert results == fresh(root)
    (root / "scores/m/2024-06.yaml").unlink()  # and removed again: the half-year only
    results, calls = cached(root, scored)
    assert calls == [("t", "2024-H1")]
    assert results == fresh(root)


def test_drafts_in_and_out_are_cached_apart(tmp_path, scored):
    root = make_project(tmp_path / "p", files(draft="06"), base=False)
    public, calls = cached(root, scored, include_drafts=False)
    assert calls == [c for c in CHAIN if c != ("m", "2024-06")]
    with_drafts, calls = cached(root, scored, include_drafts=True)
    assert calls == CHAIN
    assert public == fresh(root, include_drafts=False) and with_drafts == fresh(root, include_drafts=True)
    assert public[("t", "2024-H1")] != with_drafts[("t", "2024-H1")]  # June's flag counts only with drafts
    # each kind keeps its own entries
    assert (cached(root, scored, include_drafts=False), cached(root, scored, include_drafts=True)) == (
        (public, []), (with_drafts, []))
    # the draft edited: the published results are not even scored again
    rows = list(DATA["06"])
    rows[0] = (5, rows[0][1])
    make_project(root, {"scores/m/2024-06.yaml": month("06", rows, "draft")}, base=False)
    assert cached(root, scored, include_drafts=False) == (public, [])
    assert cached(root, scored, include_drafts=True)[1] == CHAIN[5:]


def test_a_project_put_together_otherwise_is_computed_without_the_cache(project, scored):
    import dataclasses

    p, _ = pipeline.check(project)
    scored.clear()
    other = dataclasses.replace(p, periods=p.periods[:3])  # e.g. earlier versions from the archive
    results = pipeline.compute(other)
    assert scored == CHAIN[:3]
    assert list(results) == [("m", "2024-01"), ("m", "2024-02"), ("m", "2024-03")]
    assert len(entries(project)) == len(CHAIN)  # and it neither wrote nor pruned


# ---------------------------------------------------------------- entries never trusted


@pytest.mark.parametrize("damage", ["truncated", "altered", "renamed"])
def test_a_damaged_entry_is_a_miss(project, scored, damage):
    from site_builder.scoring.period_cache import PeriodCache

    p, _ = pipeline.check(project)
    keys = PeriodCache.open(p, True, [x for x in p.periods], lambda: pipeline._compute_inputs(p)).keys
    folder = project / FOLDERS[True]
    path = folder / keys[3]  # April's
    blob = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "altered":
        path.write_bytes(blob[:-10] + bytes([blob[-10] ^ 1]) + blob[-9:])
    else:  # another step's entry under April's name (a valid signature, the wrong step)
        path.write_bytes((folder / keys[2]).read_bytes())
    results, calls = cached(project, scored)
    # April on is ranked again; their scorings (.site-builder/scores-drafts/, intact) are read
    # (a damaged scoring entry: tests/test_period_cache_scores.py)
    assert calls == []
    assert results == fresh(project)
    assert (folder / keys[3]).read_bytes() != (folder / keys[2]).read_bytes()  # written again, for April
    assert cached(project, scored) == (results, [])


def test_another_computers_entries_are_misses(project, scored, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    results, calls = cached(project, scored)
    assert calls == CHAIN
    assert results == fresh(project)


def test_a_read_only_project_computes_without_a_cache(tmp_path, scored):
    root = make_project(tmp_path / "p", files(), base=False)
    (root / ".site-builder").write_text("not a folder")  # nothing can be written in its place
    results, calls = cached(root, scored)
    assert calls == CHAIN and results == fresh(root)
    assert cached(root, scored)[1] == CHAIN


def test_no_cache_turns_it_off(project, scored):
    scored.clear()
    results = fresh(project)
    assert scored == CHAIN
    assert results == cached(project, scored)[0]


# ---------------------------------------------------------------- failures


FAILING = MONTHLY.replace("expr: min(max(reports - previous(reports, reports), 0) * 0.5, max)",
                          "expr: min(max(reports - previous(reports, reports), 0) * 0.5, max) + 0 * (1 / (reports - 3))")


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        pipeline.check(root)
    return [p.render("zh-CN") for p in exc.value.problems]


def test_failures_are_reported_as_before_and_write_nothing(tmp_path, scored):
    # reports of 3 make 1 / (reports - 3) fail: a2 in January to March
    fine = {m: tuple((w, r if r != 3 else 4) for w, r in rows) for m, rows in DATA.items()}
    root = make_project(tmp_path / "p", {**files(fine), "schemes/m/2024.yaml": FAILING}, base=False)
    assert cached(root, scored)[1] == CHAIN
    stored = entries(root)
    make_project(root, files(DATA), base=False)
    make_project(root, {"schemes/m/2024.yaml": FAILING}, base=False)
    before = listing(root / ".site-builder" / "periods-drafts")
    warm = _problems(root)
    os.environ[cache_mod.ENV_OFF] = "1"
    try:
        cold = _problems(root)
    finally:
        del os.environ[cache_mod.ENV_OFF]
    assert warm == cold and len(warm) == 3
    assert all("信息增量" in line for line in warm), warm
    assert listing(root / ".site-builder" / "periods-drafts") == before
    assert entries(root) == stored
    # only a later month failing: the earlier ones still come from the cache, and it still fails
    later = {**fine, "06": ((9, 3), (6, 12), (8, 10))}
    make_project(root, files(later), base=False)
    make_project(root, {"schemes/m/2024.yaml": FAILING}, base=False)
    scored.clear()
    assert len(_problems(root)) == 1
    assert scored == CHAIN[5:]
    assert entries(root) == stored


# ---------------------------------------------------------------- the site stage's digests


def test_each_result_and_period_is_digested_by_its_key_until_the_build_ends(project, scored):
    from site_builder.scoring.period_cache import PeriodCache
    from site_builder.site.output import digest

    p, results = pipeline.check(project)
    chain = PeriodCache.open(p, True, list(p.periods), lambda: pipeline._compute_inputs(p))
    assert len(chain.hits(list(p.periods))) == len(CHAIN)
    # each result by its content key R_i (its scoring key and the digest of the rest), read with its entry
    assert [digest._shared_digest(results[c]) for c in CHAIN] == chain.result_keys
    assert len(set(chain.result_keys + chain.keys)) == 2 * len(CHAIN)
    # and each period by a key of its file and the project-wide sources (as the parse cache keys it)
    assert [digest._shared_digest(x) for x in p.periods] == chain.period_keys
    assert len(set(chain.keys + chain.period_keys)) == 2 * len(CHAIN)
    digest.forget_shared()  # the end of a build: pickled again when asked
    r = results[CHAIN[0]]
    assert digest._shared_digest(r) == digest._hash(digest._dumps(r))
    assert digest._shared_digest(p.periods[0]) == digest._hash(digest._dumps(p.periods[0]))
    digest.forget_shared()


def test_a_warm_build_is_byte_identical_to_a_build_without_cache(tmp_path, scored, monkeypatch):
    from site_builder.site.build import build_site
    from site_builder.site.output import digest

    remembered: list[object] = []
    real = digest.remember
    monkeypatch.setattr(digest, "remember", lambda obj, hexdigest: (remembered.append(obj), real(obj, hexdigest)))

    def tree(out: Path) -> dict[str, bytes]:
        return {q.relative_to(out).as_posix(): q.read_bytes() for q in sorted(out.rglob("*")) if q.is_file()}

    root = make_project(tmp_path / "p", files(), base=False)
    build_site(root, tmp_path / "cold", as_of=AS_OF, quiet=True)
    # every build that computes remembers each result and period (as serve does, in one process),
    # and forgets them when it ends
    assert len(remembered) == 2 * len(CHAIN) and not digest._MEMO
    edit(root, "04", 2, 10)
    scored.clear()
    build_site(root, tmp_path / "cold", as_of=AS_OF, quiet=True)  # incremental, into the same folder
    assert ("m", "2024-03") not in scored and ("m", "2024-04") in scored
    assert len(remembered) == 4 * len(CHAIN) and not digest._MEMO
    shutil.rmtree(root / ".site-builder")
    os.environ[cache_mod.ENV_OFF] = "1"
    try:
        build_site(root, tmp_path / "clean", as_of=AS_OF, quiet=True)
    finally:
        del os.environ[cache_mod.ENV_OFF]
    assert tree(tmp_path / "cold") == tree(tmp_path / "clean")


# ---------------------------------------------------------------- random sequences of edits


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MONTHS), st.integers(0, 2), st.integers(5, 10), st.integers(0, 12)),
                min_size=1, max_size=4))
def test_random_edits_keep_the_results_those_of_a_fresh_compute(tmp_path_factory, scored, edits):
    root = make_project(tmp_path_factory.mktemp("seq"), files(), base=False)
    data = {m: list(rows) for m, rows in DATA.items()}
    cached(root, scored)
    for m, unit, work, reports in edits:
        old = data[m][unit]
        data[m][unit] = (work, reports)
        make_project(root, files({k: tuple(v) for k, v in data.items()}), base=False)
        results, calls = cached(root, scored)
        assert results == fresh(root)
        # scored again: from the edited month on, or nothing when the edit changed nothing
        assert calls == ([] if old == (work, reports) else CHAIN[MONTHS.index(m):])
