"""The parse cache lets go of what a load made as it goes (site_builder/load/cache.py, HOLD_BYTES).

A period file's document is ~50 times its bytes in memory; a load used to hold every new one until
it committed at the end.  Now, once the new entries held stand for more than ``HOLD_BYTES`` of
source, they are written aside under staged names and dropped; ``commit`` renames them, a load with
problems deletes them.  These tests lower the budget to 0 (every entry staged as soon as it is made)
and check: what a load holds stays bounded, the entries round trip, a load with problems leaves no
entry and no staged file, a load killed before its commit leaves nothing that is read, and the
next successful load removes what it left.
"""

from __future__ import annotations

import os
import tracemalloc
import weakref
from pathlib import Path

import pytest
from scratch import SCHEME, SCORES, make_project

from site_builder import aside, pipeline
from site_builder.errors import Problems
from site_builder.load import cache as cache_mod
from site_builder.load.cache import CACHE_DIR, STAGED, SourceCache
from site_builder.load.yamlsafe import Document
from site_builder.pipeline import load_project

QUARTERS = ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
NOTICE = {"2024-Q1": "2024-04-10", "2024-Q2": "2024-07-10", "2024-Q3": "2024-10-10", "2024-Q4": "2025-01-10"}


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch, tmp_path_factory):
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))


@pytest.fixture(params=["aside", "in line"])
def mode(request, monkeypatch):
    """Within a build of the command line (one thread: staged entries are written by a forked child)
    or as ``check`` and ``serve`` do (written in line)."""
    if request.param == "aside":
        if not hasattr(os, "fork"):
            pytest.skip("work aside needs fork")
        monkeypatch.setattr(aside.threading, "active_count", lambda: 1)
    return request.param


def _load(root: Path, mode: str, cache: SourceCache | None = None):
    problems = Problems()
    cache = cache or SourceCache(root)
    if mode == "aside":
        with aside.allowed():
            project = load_project(root, problems, cache)
    else:
        project = load_project(root, problems, cache)
    return project, problems, cache


def _quarters(n_units: int = 3, bad: str | None = None) -> dict[str, str]:
    """Four quarters of the scratch scheme (``bad``: that quarter names an unregistered unit)."""
    files: dict[str, str] = {}
    ids = [f"a{i}" for i in range(1, n_units + 1)]
    if n_units > 3:
        files["units/units.yaml"] = "units:\n" + "".join(f"  - {{id: {u}, name: 第{u}号单位}}\n" for u in ids)
        files["schemes/demo/2024.yaml"] = SCHEME.replace("units: [a1, a2, a3]", "units: [" + ", ".join(ids) + "]")
    head = SCORES[: SCORES.index("units:\n")]
    body = "".join(f"  {u}:\n    facts:\n      work: 9.5\n      duty: {{events: [{{date: 2024-02-01, note: 值班缺岗一次{u}}}]}}\n"
                   "      bonus: {awards: [{level: prov, title: 省级表彰}]}\n" for u in ids)
    for i, q in enumerate(QUARTERS):
        text = head.replace("2024-Q1", q).replace("2024-04-10", NOTICE[q]).replace("测〔2024〕1号", f"测〔2024〕{i + 1}号")
        text += "units:\n" + (body.replace("  a1:\n", "  zz:\n") if q == bad else body)
        files[f"scores/demo/{q}.yaml"] = text
    return files


def _files(root: Path) -> set[str]:
    folder = root / CACHE_DIR
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_the_scratch_quarters_load_without_problems(tmp_path):
    root = make_project(tmp_path / "p", _quarters())
    project, problems, _ = _load(root, "in line", SourceCache(root, enabled=False))
    assert project is not None and not problems.items, [p.render() for p in problems.items]
    assert [p.id for p in project.periods] == list(QUARTERS)


def test_a_load_holds_one_period_document_at_a_time(tmp_path, monkeypatch, mode):
    """Counted, not timed: the period documents alive whenever a period is checked."""
    root = make_project(tmp_path / "p", _quarters())
    made: list[weakref.ref[Document]] = []  # Document is a dataclass with a dict: not hashable
    alive: list[int] = []
    load, check = pipeline.load_yaml_bytes, pipeline.check_period

    def loading(raw, display, *a, **kw):
        doc = load(raw, display, *a, **kw)
        if doc is not None and display.startswith("scores/"):
            made.append(weakref.ref(doc))
        return doc

    def checking(*a, **kw):
        alive.append(sum(1 for r in made if r() is not None))
        return check(*a, **kw)

    monkeypatch.setattr(pipeline, "load_yaml_bytes", loading)
    monkeypatch.setattr(pipeline, "check_period", checking)
    monkeypatch.setattr(cache_mod, "HOLD_BYTES", 10**9)  # everything held until the commit: as before
    _load(root, mode)
    assert alive == [1, 2, 3, 4]
    made.clear()
    alive.clear()
    (root / ".site-builder").rename(tmp_path / "old")
    monkeypatch.setattr(cache_mod, "HOLD_BYTES", 0)
    _load(root, mode)
    assert alive == [1, 1, 1, 1]


def test_what_loading_holds_does_not_grow_with_the_period_files(tmp_path, monkeypatch):
    """tracemalloc's peak of loading 4 period files of 300 units: holding every document until the
    commit costs at least two more documents than letting each go once written (in line here, so
    the writing itself is counted too)."""
    root = make_project(tmp_path / "p", _quarters(300))
    raw = (root / "scores/demo/2024-Q1.yaml").read_bytes()
    tracemalloc.start()
    try:
        doc = pipeline.load_yaml_bytes(raw, "scores/demo/2024-Q1.yaml", Problems(), pipeline.CAPS["scores"])
        one = tracemalloc.get_traced_memory()[0]
        del doc
        peaks = {}
        for budget in (10**9, 0):
            monkeypatch.setattr(cache_mod, "HOLD_BYTES", budget)
            if (root / ".site-builder").exists():
                (root / ".site-builder").rename(tmp_path / f"old{budget}")
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            project, problems, _ = _load(root, "in line")
            assert project is not None and not problems.items
            peaks[budget] = tracemalloc.get_traced_memory()[1] - base
            del project
    finally:
        tracemalloc.stop()
    assert one > 1_000_000  # a document of 300 units
    assert peaks[0] + 2 * one < peaks[10**9], (one, peaks)


def test_entries_written_as_the_load_goes_round_trip(tmp_path, monkeypatch, mode):
    monkeypatch.setattr(cache_mod, "HOLD_BYTES", 0)
    root = make_project(tmp_path / "p", _quarters())
    expected, _, _ = _load(root, "in line", SourceCache(root, enabled=False))
    project, problems, first = _load(root, mode)
    assert project == expected and not problems.items
    names = _files(root)
    assert not [n for n in names if n.startswith(STAGED)]  # every staged file renamed to its key
    assert set(first.used) <= names
    # site, registry, scheme and its validated model; each quarter's parse, checked period and last
    # parse (load/yamlsplice.py)
    assert len(names - {".gitignore"}) == 1 + 1 + 1 + 1 + 3 * len(QUARTERS)
    again, problems, warm = _load(root, mode)
    assert again == expected and not problems.items
    assert warm.misses == 0 and warm.hits > 0
    assert _files(root) == names


def test_a_load_with_problems_leaves_no_entry_and_no_staged_file(tmp_path, monkeypatch, mode):
    """The quarters before the bad one were staged while loading: none of them becomes an entry."""
    monkeypatch.setattr(cache_mod, "HOLD_BYTES", 0)
    staged: list[str] = []
    stage = SourceCache._stage

    def counting(self):
        staged.extend(self.pending)
        stage(self)

    monkeypatch.setattr(SourceCache, "_stage", counting)
    root = make_project(tmp_path / "p", _quarters(bad="2024-Q4"))
    project, problems, _ = _load(root, mode)
    assert project is None and any(p.code == "scores.unknown_ref" for p in problems.errors)
    assert len(staged) >= 6  # the three good quarters (parsed and checked) were written aside
    assert _files(root) <= {".gitignore"}


def test_a_load_stopped_before_its_commit_leaves_nothing_that_is_read(tmp_path, monkeypatch, mode):
    """As if killed after its writers finished and before the commit: staged files only, never
    taken for entries; the next load parses everything again and its commit deletes them."""
    monkeypatch.setattr(cache_mod, "HOLD_BYTES", 0)
    root = make_project(tmp_path / "p", _quarters())
    expected, _, _ = _load(root, "in line", SourceCache(root, enabled=False))
    commit = SourceCache.commit
    monkeypatch.setattr(SourceCache, "commit", lambda self: aside.wait_for(self._writer))
    _load(root, mode)
    left = _files(root) - {".gitignore"}
    assert left and all(n.startswith(STAGED) for n in left)
    monkeypatch.setattr(SourceCache, "commit", commit)
    project, problems, cache = _load(root, mode)
    assert project == expected and not problems.items
    assert cache.hits == 0
    assert not [n for n in _files(root) if n.startswith(STAGED)]


def test_a_small_project_is_written_once_at_the_end_as_before(tmp_path, monkeypatch):
    """Within the budget nothing is staged: the entries appear at the commit, in one go."""
    root = make_project(tmp_path / "p", _quarters())
    staged: list[str] = []
    monkeypatch.setattr(SourceCache, "_stage", lambda self: staged.append("x"))
    project, problems, _ = _load(root, "in line")
    assert project is not None and not problems.items and staged == []
    assert len(_files(root) - {".gitignore"}) == 4 + 3 * len(QUARTERS)  # site, registry, scheme, its model; a quarter: parse, period, last parse


def test_a_document_round_trips_through_an_entry_with_its_marks(tmp_path):
    """Mark has __slots__ and pickles as a tuple: the restricted loader rebuilds equal, hashable,
    frozen marks, and keys written alike share one string."""
    from site_builder.errors import Mark
    from site_builder.load.cache import decode, encode, secret

    raw = _quarters()["scores/demo/2024-Q2.yaml"].encode()
    doc = pipeline.load_yaml_bytes(raw, "scores/demo/2024-Q2.yaml", Problems(), pipeline.CAPS["scores"])
    key = secret()
    again = decode(encode(doc, key), key)
    assert again == doc and again is not doc
    mark = again.marks[("units", "a2", "facts", "work")]
    assert mark == Mark("scores/demo/2024-Q2.yaml", 14, 13) and str(mark) == "scores/demo/2024-Q2.yaml:14:13"
    assert hash(mark) == hash(Mark("scores/demo/2024-Q2.yaml", 14, 13)) and not hasattr(mark, "__dict__")
    with pytest.raises(AttributeError):
        mark.line = 1  # frozen
    a1, a2 = (next(k for k in doc.data["units"][u]["facts"] if k == "work") for u in ("a1", "a2"))
    assert a1 is a2  # interned
    assert doc.key_marks[("units", "a1", "facts")] == Mark("scores/demo/2024-Q2.yaml", 8, 5)
