"""``serve`` rebuilds in one process: what the last build held is taken again, and the site is the clean one.

Each build for serve (``_build(serve=True)``, as ``serve`` rebuilds after a save) takes the validated
sources and the scored periods the last successful one read or made, by the keys of their disk
entries, instead of unpickling them (site_builder/load/warm.py).  After every change of a sequence the dev
site must be byte for byte the site a clean build (no cache, no record, a new folder) makes of the
same sources; failed builds in between must not leave anything a later build takes wrongly.  The
whole suite runs with ``SITE_BUILDER_CHECK_PREKEYS=1``: every object taken from the memo is checked
against the seal it got when it was read or made (an object changed by a build stops the next one).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import (
    AS_OF,
    CHANGE,
    DAY,
    apply,
    cache_off,
    cache_on,
    files,
    lock,
    make_project,
    set_score,
)

from site_builder.errors import SiteBuilderError
from site_builder.load import cache as cache_mod
from site_builder.load import warm
from site_builder.pipeline import _last_key, _parse_key
from site_builder.scoring import period_cache
from site_builder.site.build import _build
from site_builder.site.output import reuse


def serve_build(root: Path, out: Path, preview: bool = False):
    """One build of a serve session (the dev build: reload script, one process)."""
    return _build(root, out, as_of=AS_OF.get(root, DAY), preview=preview, quiet=True, serve=True, jobs=1)


def clean_serve_build(root: Path, out: Path, preview: bool = False):
    """The same build from nothing: no cache (nothing read from disk or memory), no record, a folder
    of its own."""
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    with cache_off():
        return serve_build(root, out, preview)


def memo_of(root: Path, folder: str, part: str = "entries") -> warm.Memo:
    """What the builds for serve of ``root`` keep for the next one."""
    return warm._MEMOS[f"{part}\0{root.resolve() / folder}"]


@pytest.fixture
def project(tmp_path: Path):
    with cache_on(tmp_path):
        yield make_project(tmp_path)
    warm.forget()


@pytest.fixture
def disk_reads(monkeypatch):
    """Which cache folders an entry was unpickled from (a period's result counts as "result")."""
    reads: list[str] = []
    real_get, real_loads = cache_mod.SourceCache.get, period_cache.loads

    def get(self, key):
        taken = self.taken
        got = real_get(self, key)
        if got is not None and self.taken == taken:
            reads.append(self.dir.name)
        return got

    def loads(data, persistent_load=None):
        if persistent_load is not None:  # a result (its facts are the period's); carried state has none
            reads.append("result")
        return real_loads(data, persistent_load)

    monkeypatch.setattr(cache_mod.SourceCache, "get", get)
    monkeypatch.setattr(period_cache, "loads", loads)
    return reads


def break_yaml(root: Path) -> None:
    path = root / "scores" / "xiaoneng" / "2018-Q1.yaml"
    path.write_text(path.read_text("utf-8").replace("units:\n", "units: [\n", 1), "utf-8")


def mend_yaml(root: Path) -> None:
    path = root / "scores" / "xiaoneng" / "2018-Q1.yaml"
    path.write_text(path.read_text("utf-8").replace("units: [\n", "units:\n", 1), "utf-8")


SEQUENCE = [
    ("score", "2017-Q4", "fgw", 49),
    ("scheme", 7),
    ("unit", "jyj", 3),
    ("template", "scorecard.html", 1),
    ("content", 5),
    ("score", "2017-Q4", "fgw", 54),  # back: its earlier entries are gone from the memo, read from disk
    ("notice_number", "2017-Q3", 11),
    ("lock",),
    ("score", "2018-Q2", "czj", 41),  # a draft
    ("site", 2),
    ("period", True),
    ("template", "base.html", 2),
    ("period", False),
]


@pytest.mark.parametrize("preview", [False, True], ids=["published", "preview"])
def test_a_session_of_changes_gives_the_clean_build_each_time(project: Path, tmp_path: Path, preview: bool) -> None:
    out, clean = tmp_path / "dev", tmp_path / "clean"
    serve_build(project, out, preview)
    for change in SEQUENCE:
        apply(project, change)
        serve_build(project, out, preview)
        clean_serve_build(project, clean, preview)
        assert files(out) == files(clean), change
    # the session holds what the last build used, and that is what the disk caches hold too
    parsed = memo_of(project, cache_mod.CACHE_DIR)
    assert 0 < len(parsed) <= len(list((project / cache_mod.CACHE_DIR).iterdir()))
    results = memo_of(project, period_cache.FOLDERS[preview], "results")
    assert len(results) == (4 if preview else 3)  # every period scored (drafts only in a preview)


def test_a_rebuild_with_nothing_changed_unpickles_nothing(project: Path, tmp_path: Path, disk_reads) -> None:
    out = tmp_path / "dev"
    serve_build(project, out)
    first = files(out)
    disk_reads.clear()
    serve_build(project, out)
    # the periods the first build scored are taken with their group digests: no entry is read
    assert [r for r in disk_reads if r != "templates"] == []
    disk_reads.clear()
    serve_build(project, out)
    assert [r for r in disk_reads if r != "templates"] == []
    assert files(out) == first


def test_after_a_score_change_only_that_period_is_read_again(project: Path, tmp_path: Path, disk_reads) -> None:
    out, clean = tmp_path / "dev", tmp_path / "clean"
    serve_build(project, out)
    serve_build(project, out)
    disk_reads.clear()
    set_score(project, "2018-Q1", "fgw", 44)
    serve_build(project, out)
    # the edited file is parsed from its last parse (one entry read: its bytes, data and positions;
    # load/yamlsplice.py) and checked afresh, the periods before it are taken from the memo, it and
    # the periods after it are scored again: nothing else is unpickled
    assert [r for r in disk_reads if r != "templates"] == ["cache"]
    clean_serve_build(project, clean)
    assert files(out) == files(clean)


def test_the_units_of_periods_taken_from_the_memo_keep_their_digests(project: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A period taken from the memo of the session comes with its units' digests (a unit's page reads
    every period's units for its pre-key): no unit of any period is digested again while rendering."""
    from site_builder.site.build import render_site as real_render
    from site_builder.site.output import prekeys

    import site_builder.site.build as build_mod

    unknown: list[int] = []

    def render_site(data, *args, **kwargs):
        unknown.append(sum(1 for r in data.results.values() for u in r.units.values() if prekeys.known(u) is None))
        return real_render(data, *args, **kwargs)

    monkeypatch.setattr(build_mod, "render_site", render_site)
    out, clean = tmp_path / "dev", tmp_path / "clean"
    serve_build(project, out)
    serve_build(project, out)
    set_score(project, "2018-Q1", "fgw", 44)  # a later period: the periods before it come from the memo
    serve_build(project, out)
    set_score(project, "2018-Q1", "fgw", 45)
    serve_build(project, out)
    assert unknown[1:] == [0, 0, 0]
    clean_serve_build(project, clean)
    assert files(out) == files(clean)


def test_the_memo_keeps_only_what_the_last_build_used(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "dev"
    path = project / "scores" / "xiaoneng" / "2017-Q4.yaml"
    display = "scores/xiaoneng/2017-Q4.yaml"
    serve_build(project, out)
    sizes = []
    for value in (41, 42, 43, 44):
        before = path.read_bytes()
        set_score(project, "2017-Q4", "fgw", value)
        serve_build(project, out)
        parsed = memo_of(project, cache_mod.CACHE_DIR)
        results = memo_of(project, period_cache.FOLDERS[False], "results")
        assert _parse_key(before, display, "scores") not in parsed.entries  # the old text of the file
        now = _parse_key(path.read_bytes(), display, "scores")
        # the new text: its last parse, made by splicing the one changed entry (load/yamlsplice.py)
        assert now not in parsed.entries and parsed.entries[_last_key(display)][0][0] == now
        sizes.append((len(parsed), len(results)))
    assert len(set(sizes)) == 1, sizes  # a long session does not grow
    assert sizes[0][1] == 3


def test_a_failed_build_does_not_poison_the_next(project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "dev", tmp_path / "clean"
    lock(project)
    serve_build(project, out)
    good = files(out)
    parsed = dict(memo_of(project, cache_mod.CACHE_DIR).entries)
    results = dict(memo_of(project, period_cache.FOLDERS[False], "results").entries)
    # a file that does not load: nothing of that build is kept
    break_yaml(project)
    with pytest.raises(SiteBuilderError):
        serve_build(project, out)
    assert memo_of(project, cache_mod.CACHE_DIR).entries == parsed
    assert memo_of(project, period_cache.FOLDERS[False], "results").entries == results
    mend_yaml(project)
    # a locked notice's figures changed: loaded and scored, then refused
    set_score(project, "2017-Q4", "fgw", 41)
    with pytest.raises(SiteBuilderError):
        serve_build(project, out)
    assert files(out) == good
    set_score(project, "2017-Q4", "fgw", 54)  # back as published
    apply(project, ("template", "notice.html", 6))
    serve_build(project, out)
    clean_serve_build(project, clean)
    assert files(out) == files(clean)


def test_the_memo_is_what_the_build_reads_and_no_cache_never_reads_it(project: Path, tmp_path: Path) -> None:
    """Put a wrong period in the memo under its right key: a build with the cache shows it (so the
    memo is really what it reads), a --no-cache build never does."""
    out = tmp_path / "dev"
    serve_build(project, out)
    parsed = memo_of(project, cache_mod.CACHE_DIR)
    key, (entry, _) = next((k, v) for k, v in parsed.entries.items()
                           if isinstance(v[0], tuple) and getattr(v[0][0], "id", None) == "2017-Q3")
    period, bodies = entry
    parsed.entries[key] = warm.note((dataclasses.replace(period, name="二〇一七年第三季度（记忆中）"), bodies))
    page = Path("notices") / "xiaoneng" / "2017-Q3" / "index.html"
    serve_build(project, tmp_path / "other")  # a folder of its own: every page made
    assert "二〇一七年第三季度（记忆中）" in (tmp_path / "other" / page).read_text("utf-8")
    with cache_off():
        serve_build(project, tmp_path / "third")
    assert "记忆中" not in (tmp_path / "third" / page).read_text("utf-8")


def test_an_object_changed_after_it_was_kept_stops_the_next_build(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "dev"
    serve_build(project, out)
    parsed = memo_of(project, cache_mod.CACHE_DIR)
    period = next(v[0][0] for v in parsed.entries.values()
                  if isinstance(v[0], tuple) and getattr(v[0][0], "id", None) == "2017-Q4")
    period.facts["fgw"] = {}  # what no stage may do to a period
    with pytest.raises(AssertionError, match="changed after it was made"):
        serve_build(project, out)


def test_only_builds_for_serve_keep_anything(project: Path, tmp_path: Path) -> None:
    from site_builder.site.build import build_site

    warm.forget()
    build_site(project, tmp_path / "site", quiet=True, jobs=1, as_of=DAY)
    assert warm._MEMOS == {}
    assert cache_mod.SourceCache(project).memo is None
    with warm.serving(project):
        assert cache_mod.SourceCache(project).memo is not None
        with cache_off():
            assert cache_mod.SourceCache(project).memo is None  # --no-cache: nothing from memory either
    serve_build(project, tmp_path / "dev")
    assert len(memo_of(project, cache_mod.CACHE_DIR)) > 0
    # another project served: the first one's objects are let go
    other = tmp_path / "other"
    other.mkdir()
    second = make_project(other)
    serve_build(second, tmp_path / "dev2")
    assert all(str(second.resolve()) in k for k in warm._MEMOS)
    warm.forget()
    assert warm._MEMOS == {}


def test_template_digests_follow_the_sources(tmp_path: Path) -> None:
    import jinja2

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "base.html").write_text("<main>{% block main %}{% endblock %}</main>", "utf-8")
    (folder / "page.html").write_text('{% extends "base.html" %}{% block main %}1{% endblock %}', "utf-8")
    (folder / "loose.html").write_text("{% include name %}", "utf-8")

    def digests() -> dict:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)))
        return reuse.template_digests(env)

    first = digests()
    assert sorted(first) == ["base.html", "page.html"]  # an include by expression cannot be followed
    assert digests() == first
    (folder / "base.html").write_text("<main id=m>{% block main %}{% endblock %}</main>", "utf-8")
    second = digests()
    assert second["base.html"] != first["base.html"] and second["page.html"] != first["page.html"]
    (folder / "loose.html").write_text('{% include "base.html" %}', "utf-8")
    third = digests()
    assert sorted(third) == ["base.html", "loose.html", "page.html"]
    assert third["base.html"] == second["base.html"]
    assert re.fullmatch(r"[0-9a-f]{64}", third["loose.html"][0])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                              HealthCheck.too_slow])
@given(changes=st.lists(CHANGE, min_size=1, max_size=4), preview=st.booleans())
def test_random_sequences_in_a_session_give_the_clean_build(changes: list, preview: bool, tmp_path_factory) -> None:
    base = tmp_path_factory.mktemp("warm")
    with cache_on(base):
        root = make_project(base)
        out, clean = base / "dev", base / "clean"
        serve_build(root, out, preview)
        for change in changes:
            apply(root, change, strict=False)
            before = files(out)
            try:
                serve_build(root, out, preview)
            except SiteBuilderError:
                # refused (a locked notice changed): the dev site is untouched, and a clean build refuses too
                assert files(out) == before
                with pytest.raises(SiteBuilderError):
                    clean_serve_build(root, clean, preview)
                continue
            clean_serve_build(root, clean, preview)
            assert files(out) == files(clean), change
    warm.forget()
