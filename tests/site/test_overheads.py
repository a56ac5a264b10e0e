"""What every build pays whatever changed, made cheaper without changing a byte of the site.

- unit pages are lazy routes made from each period's results indexed by unit once (the answers
  of the index are the answers of the scans it replaced, for every unit of the example project);
- the staging folder's folders are made once each, parents first, with ``os.makedirs``'s modes;
- the previous site is removed whole, read-only folders too, links never followed (it is removed
  before the build records its files: unlinking the old site's hard links changes the new
  files' ctimes, which the record keeps);
- compiled templates are kept in ``.site-builder/templates/``: a warm build compiles nothing and
  is byte-identical, a truncated, garbage, raw-Jinja or foreign-signed entry is never run, an
  edited template is compiled again, ``--no-cache`` keeps nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
from conftest import REPO, copy_fixture
from test_dataset_stream import site_of

from site_builder.load import cache as cache_mod
from site_builder.site.build import build_site
from site_builder.site.output import write
from site_builder.site.pages import unit as unit_pages
from site_builder.site.plan import plan_site
from site_builder.site.present.render import TemplateCache, make_environment
from site_builder.site.theme import theme_dir


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ unit pages


@pytest.fixture(scope="module")
def example_data():
    if not (REPO / "site.yaml").is_file():
        pytest.skip("no example content at the repository root")
    return site_of(REPO)


def test_the_unit_index_answers_what_the_scans_answered(example_data):
    """Each unit's first running-total ranking, its note, its running total and its honours, for
    every period and unit of the example, are what scanning every ranking and honour gave."""
    data = example_data
    running_seen = honours_seen = 0
    for sid in sorted(data.project.schemes):
        for period in data.periods_of(sid):
            p = unit_pages._PeriodOfUnits(data, period)
            result = data.result(period)
            for uid in result.units:
                scanned = next((gr for gr in result.rankings if gr.span is not None
                                and any(e.unit == uid for e in gr.entries)), None)
                got = p.running.get(uid)
                assert (got[0] if got else None) is scanned, (period.id, uid)
                if scanned is None:
                    assert p.total_running(uid) == result.cumulative.get(uid)
                else:
                    running_seen += 1
                    basis = unit_pages.running_basis(data, period, scanned)
                    assert got[1] == (basis[1] if basis else None)
                    assert p.total_running(uid) == result.running.get(scanned.ranking, {}).get(uid)
                names = [h[0] for h in data.honours_of(result, uid)]
                assert p.honours.get(uid, []) == names
                honours_seen += bool(names)
    # the example has running-total rankings and honours: the comparison is not vacuous
    assert running_seen > 0 and honours_seen > 0


def test_unit_pages_are_planned_without_their_contexts(example_data, monkeypatch):
    made = []
    real = unit_pages._UnitsOfSite.__init__

    def counting(self, data):
        made.append(1)
        real(self, data)

    monkeypatch.setattr(unit_pages._UnitsOfSite, "__init__", counting)
    routes = [r for r in plan_site(example_data) if r.kind == "unit"]
    assert len(routes) == len(example_data.project.units)
    assert made == [] and all(r.make is not None and not r.context for r in routes)
    first, second = routes[0].resolved(), routes[1].resolved()
    assert made == [1], "the index is made once, by the first unit page made"
    assert first.context["page"].path == routes[0].path == f"units/{min(example_data.project.units)}/index.html"
    assert second.context["unit"].id == sorted(example_data.project.units)[1]


def test_a_planned_score_card_holds_little_memory_of_its_own(example_data):
    """A province's build plans 130,000 routes in its own process, most of them score cards, and every
    forked worker starts from that memory: a planned card is its path, a route of slots and one small
    object that makes its context and pre-key (not a closure and two partials, each with a tuple and a
    dict: 0.9 KB a card of the example before, 0.5 KB now)."""
    import tracemalloc

    from site_builder.site.pages import scorecard

    data = example_data
    periods = [p for sid in sorted(data.project.schemes) for p in data.periods_of(sid)]
    list(scorecard.scorecard_routes(data, periods[0]))  # (what a first call makes once)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cards = [r for p in periods for r in scorecard.scorecard_routes(data, p)]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(cards) > 100
    assert held / len(cards) < 650, f"{held / len(cards):.0f} bytes a card"
    assert all(r.context is cards[0].context and not r.context for r in cards)  # one shared empty context
    assert not hasattr(cards[0], "__dict__")
    page = cards[0].resolved().context["page"]  # the lazy context is still the card's
    assert (page.path, page.kind) == (cards[0].path, "scorecard")


def _record(n: int) -> dict[str, list]:
    """A build's record of ``n`` files as :func:`.reuse.load` reads it: score cards keyed by their
    pre-key alone, pages by a full key, downloads with what their maker recorded."""
    import hashlib

    def hexd(*parts) -> str:
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    files = {}
    for i in range(n):
        path = f"units/u{i:05d}/bench/2025-{i % 12 + 1:02d}/index.html"
        pre = hexd("pre", i)
        key = "pre:" + pre if i % 3 else hexd("key", i)
        extra = [["piece", i]] if i % 97 == 0 else None
        files[path] = [key, hexd("sha", i), 20_000 + i, 1_764_900_000_123_456_789 + i,
                       1_764_900_000_987_654_321 + i, 4_000_000 + i, pre, extra, None]
    return files


def test_the_last_builds_record_is_held_compactly_and_reads_back_as_recorded():
    """A rebuild holds the record of every file of the last build until its last worker has forked
    (at 10,000 units, 130,000 entries: 89 MiB as read, 700 bytes an entry): held as digests in one
    buffer and numbers in arrays, an entry takes under 330 bytes with its path, and reads back as
    the list it was recorded as."""
    import marshal
    import tracemalloc

    from site_builder.site.output.entries import Entries

    record = _record(20_000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        read = marshal.loads(marshal.dumps(record))  # as read from the file: every entry its own objects
        as_read = tracemalloc.get_traced_memory()[0] - before
        held = Entries(read)
        compact = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert not read  # (taken as it went)
    assert as_read / len(record) > 600, as_read / len(record)
    assert compact / len(record) < 330, f"{compact / len(record):.0f} bytes an entry"
    assert list(held) == list(record) and len(held) == len(record)
    assert all(held[p] == rec and held.get(p) == rec for p, rec in record.items())
    assert held.get("nowhere") is None and "nowhere" not in held and next(iter(record)) in held
    assert [held.extra(p) for p in record] == [rec[7] for rec in record.values()] and held.extra("nowhere") is None


def test_an_entry_the_compact_record_cannot_hold_is_kept_as_read():
    from site_builder.site.output.entries import Entries

    hexd = "ab" * 32
    odd = {
        "upper.html": ["AB" * 32, hexd, 1, 2, 3, 4, None, None, None],  # not lowercase
        "short.html": [hexd, hexd[:-2], 1, 2, 3, 4, None, None, None],
        "prekey.html": ["pre:" + "x" * 64, hexd, 1, 2, 3, 4, "x" * 64, None, None],
        "inode.html": [hexd, hexd, 1, 2, 3, 1 << 64, None, None, None],
        "negative-inode.html": [hexd, hexd, 1, 2, 3, -1, None, None, None],
        "time.html": [hexd, hexd, 1, 1 << 63, 3, 4, None, None, None],
        "other-pre.html": ["pre:" + "ef" * 32, "cd" * 32, 7, 8, 9, 10, hexd, None, None],
    }
    plain = {
        "before-1970.html": [hexd, hexd, 0, -5, -(1 << 63), (1 << 64) - 1, None, None, None],
        "pre-alone.html": ["pre:" + hexd, "cd" * 32, 7, 8, 9, 10, hexd, {"a": [1]}, None],
        "checked.html": ["ef" * 32, "cd" * 32, 7, 8, 9, 10, hexd, None, "01" * 32],
    }
    held = Entries({**odd, **plain})
    assert {p: held[p] for p in held} == {**odd, **plain}
    assert list(held) == [*plain, *odd]  # (the odd ones after the others)
    assert all(held[p] is odd[p] for p in odd)
    assert held["pre-alone.html"][0] == "pre:" + hexd
    assert held.extra("pre-alone.html") == {"a": [1]} and held.extra("upper.html") is None


# ------------------------------------------------------------------ make_dirs


@contextlib.contextmanager
def _mkdirs(root):
    """Every folder ``os.mkdir`` is asked to make meanwhile, relative to ``root``."""
    made = []
    real_mkdir = os.mkdir

    def mkdir(path, *a, **k):
        made.append(os.path.relpath(path, root))
        return real_mkdir(path, *a, **k)

    os.mkdir = mkdir
    try:
        yield made
    finally:
        os.mkdir = real_mkdir


def test_make_dirs_makes_each_folder_once_parents_first(tmp_path):
    root = tmp_path / "stage"
    root.mkdir()
    stage = write.Stage(root, "zh-CN")
    with _mkdirs(root) as made:
        stage.make_dirs(["a/b/c.html", "a/d.html", "x.html", "a-b/e.html", "a/b/f/g.html"])
        stage.make_dirs(["a/b/h.html", "a/i/j.html"])  # only the new folder
    assert made == ["a", "a-b", "a/b", "a/b/f", "a/i"]
    folders = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())
    assert folders == ["a", "a-b", "a/b", "a/b/f", "a/i"]
    os.makedirs(tmp_path / "ref" / "deep")
    want = stat.S_IMODE((tmp_path / "ref" / "deep").stat().st_mode)
    assert {stat.S_IMODE((root / f).stat().st_mode) for f in folders} == {want}


def test_lazy_folders_are_made_by_the_process_that_writes_into_them(tmp_path):
    """A parallel render notes the site's folders and leaves them to the workers: none is made before
    a file goes into it; a worker makes the folder and its parents once, a folder another worker made
    is taken as it is, and the record lists every folder as an eager build's would."""
    import copy

    root = tmp_path / "stage"
    root.mkdir()
    stage = write.Stage(root, "zh-CN")
    paths = ["a/b/c.html", "a/b/d.html", "a/e.html", "x.html", "f/g/h.html"]
    stage.make_dirs(paths, lazy=True)
    assert [p for p in root.rglob("*")] == []  # nothing made yet
    first, second = copy.deepcopy(stage), copy.deepcopy(stage)  # two forked workers' copies
    with _mkdirs(root) as made:
        first.write("a/b/c.html", b"c")
        first.write("a/e.html", b"e")  # its folder made by this process already
        second.write_chunks("a/b/d.html", [b"d"])  # made by the other one
        second.link(str(root / "a/b/c.html"), "f/g/h.html")
    assert made == ["a", "a/b", "a", "a/b", "f", "f/g"]
    assert (root / "a/b/d.html").read_bytes() == b"d" and (root / "f/g/h.html").read_bytes() == b"c"
    assert stage.folders() == ["a", "a/b", "f", "f/g"]
    os.makedirs(tmp_path / "ref" / "deep")
    want = stat.S_IMODE((tmp_path / "ref" / "deep").stat().st_mode)
    assert {stat.S_IMODE((root / f).stat().st_mode) for f in stage.folders()} == {want}


def test_lazy_folders_in_a_refilled_site_replace_a_file_at_once(tmp_path):
    """Refilling the site before the last build: a file lying where a folder now goes is removed and
    the folder made before any worker starts; folders the old site has are not made again."""
    root = tmp_path / "stage"
    (root / "kept").mkdir(parents=True)
    (root / "was-a-file").write_bytes(b"old")
    stage = write.Stage(root, "zh-CN", ({"was-a-file"}, {"kept"}))
    stage.make_dirs(["was-a-file/index.html", "kept/index.html", "new/index.html"], lazy=True)
    assert (root / "was-a-file").is_dir() and not (root / "new").exists()
    stage.write("new/index.html", b"n")
    stage.write("kept/index.html", b"k")
    assert (root / "new/index.html").read_bytes() == b"n" and (root / "kept/index.html").read_bytes() == b"k"


# ------------------------------------------------------------------ removing the old site


def _old_site(root: Path, outside: Path) -> None:
    (root / "units" / "a").mkdir(parents=True)
    (root / "units" / "a" / "index.html").write_bytes(b"a")
    (root / "index.html").write_bytes(b"i")
    (root / "link").symlink_to(outside)  # a link to a folder: removed, never followed
    (root / "file-link").symlink_to(outside / "keep.txt")
    ro = root / "ro"
    ro.mkdir()
    (ro / "x").write_bytes(b"x")
    ro.chmod(0o555)


def test_rmtree_removes_everything_and_follows_no_link(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_bytes(b"keep")
    old = tmp_path / ".site-1-old"
    old.mkdir()
    _old_site(old, outside)
    write._rmtree(old)
    assert not os.path.lexists(old)
    assert tree(outside) == {"keep.txt": b"keep"}


def test_rmtree_of_a_link_removes_nothing_it_points_to(tmp_path):
    target = tmp_path / "real"
    target.mkdir()
    (target / "f").write_bytes(b"f")
    link = tmp_path / ".site-1-link"
    link.symlink_to(target)
    write._rmtree(link)
    assert tree(target) == {"f": b"f"}


def test_rmtree_of_nothing_leaves_the_folder_it_is_in_alone(tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    folder.chmod(0o755)
    write._rmtree(folder / ".site-1-gone")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


# ------------------------------------------------------------------ compiled templates


@pytest.fixture
def cache_on(monkeypatch, tmp_path_factory):
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))


@pytest.fixture
def compiles(monkeypatch):
    """The names of the templates Jinja compiles (in this process: builds run with jobs=1)."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def _entries(root: Path) -> dict[str, bytes]:
    folder = root / TemplateCache.FOLDER
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def _build(root: Path, out: Path) -> dict[str, bytes]:
    build_site(root, out, quiet=True, jobs=1)
    return tree(out)


def test_a_warm_build_compiles_no_template_and_is_byte_identical(tmp_path, cache_on, compiles):
    root = copy_fixture(tmp_path / "project")
    cold = _build(root, tmp_path / "cold")
    assert "base.html" in compiles and "scorecard.html" in compiles
    entries = _entries(root)
    assert len(entries) == len(set(compiles))
    compiles.clear()
    assert _build(root, tmp_path / "warm") == cold
    assert compiles == []
    assert _entries(root) == entries


def _bucket_bytes(env: jinja2.Environment, name: str, evil: str) -> tuple[str, bytes]:
    """(entry name, a raw Jinja cache file for template ``name`` that runs ``evil``'s code), its
    header naming the real template's checksum: what Jinja's own file cache would run."""
    source, filename, _ = env.loader.get_source(env, name)
    bcc = jinja2.FileSystemBytecodeCache()
    key, checksum = bcc.get_cache_key(name, filename), bcc.get_source_checksum(source)
    bucket = jinja2.bccache.Bucket(env, key, checksum)
    bucket.code = env.compile(evil, name, filename)
    f = io.BytesIO()
    bucket.write_bytecode(f)
    return TemplateCache.entry(key, checksum), f.getvalue()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "raw_jinja", "foreign_key", "emptied"])
def test_a_damaged_or_planted_entry_is_never_run(tmp_path, cache_on, compiles, damage):
    root = copy_fixture(tmp_path / "project")
    cold = _build(root, tmp_path / "cold")
    folder = root / TemplateCache.FOLDER
    env = make_environment(theme_dir(root) / "templates", {"locale": "zh-CN"})
    names = sorted(set(compiles))
    for name in names:
        entry, raw = _bucket_bytes(env, name, "PWNED")
        path = folder / entry
        assert path.is_file(), name
        blob = path.read_bytes()
        path.write_bytes({
            "truncated": blob[: len(blob) // 2],
            "garbage": os.urandom(len(blob)),
            "raw_jinja": raw,
            "foreign_key": cache_mod.encode(raw, b"another computer's key.........."),
            "emptied": b"",
        }[damage])
    compiles.clear()
    warm = _build(root, tmp_path / "warm")
    assert warm == cold
    assert not any(b"PWNED" in b for b in warm.values())
    assert sorted(set(compiles)) == names, "every damaged entry was compiled again"
    compiles.clear()
    assert _build(root, tmp_path / "again") == cold and compiles == [], "and stored afresh"


def test_an_edited_template_is_compiled_again_and_its_old_entry_deleted(tmp_path, cache_on, compiles):
    root = copy_fixture(tmp_path / "project")
    shutil.copytree(theme_dir(root), root / "theme")  # the project's own theme
    _build(root, tmp_path / "one")
    before = _entries(root)
    base = root / "theme" / "templates" / "base.html"
    base.write_text(base.read_text("utf-8").replace("</body>", "<!-- 已修改 --></body>"), "utf-8")
    compiles.clear()
    out = _build(root, tmp_path / "two")
    assert "<!-- 已修改 -->" in out["index.html"].decode("utf-8")
    assert "base.html" in compiles
    after = _entries(root)
    assert len(after) == len(before) and len(set(after) - set(before)) == 1, "one entry replaced"


def test_no_cache_keeps_no_compiled_template(tmp_path, compiles, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV_OFF, "1")
    root = copy_fixture(tmp_path / "project")
    _build(root, tmp_path / "one")
    n = len(compiles)
    assert n > 0 and not (root / TemplateCache.FOLDER).exists()
    compiles.clear()
    _build(root, tmp_path / "two")
    assert len(compiles) == n
