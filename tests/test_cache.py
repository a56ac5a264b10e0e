"""The source cache (.site-builder/cache/): never changes what a build makes, never trusted blindly.

A warm build is byte-identical to a cold one; a damaged, foreign or stale entry
is detected and rebuilt; an edited file is read again; problems keep their
file:line:column; no writable cache folder means no cache, silently.  Also the
size caps per kind of file (a province's period file loads, a file over its
cap is refused where it is, with nothing written).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import BASE_FILES, SCHEME, SCORES, listing, make_project
from site_builder.errors import InputError, Problems
from site_builder.load import cache as cache_mod
from site_builder.load.cache import CACHE_DIR, MAGIC, SourceCache, decode, encode
from site_builder.pipeline import check, load_project

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch, tmp_path_factory):
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    # this "computer's" cache key lives outside every project (never in ~/.cache during tests)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))


def _key() -> bytes:
    key = cache_mod.secret()
    assert key is not None and len(key) == 32
    return key


def _entries(root: Path) -> dict[str, bytes]:
    folder = root / CACHE_DIR
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _build(root: Path, out: Path) -> dict[str, bytes]:
    from site_builder.site.build import build_site

    build_site(root, out, as_of=AS_OF, quiet=True)
    return _tree(out)


def _fresh(root: Path):
    problems = Problems()
    project = load_project(root, problems, SourceCache(root, enabled=False))
    return project, problems


def _cached(root: Path):
    problems = Problems()
    c = SourceCache(root)
    project = load_project(root, problems, c)
    return project, problems, c


def _messages(root: Path, **kw) -> list[str]:
    with pytest.raises(InputError) as exc:
        load = check(root)
        del load
    return [p.render("zh-CN") for p in exc.value.problems]


# ------------------------------------------------------------------ (a) warm == cold


def test_warm_build_of_the_example_project_is_byte_identical(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "example"
    root.mkdir()
    for name in ("site.yaml", "published.lock", "calendar.yaml"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, root / name)
    for name in ("units", "schemes", "scores", "content", "published"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    cold = _build(root, tmp_path / "cold")
    entries = _entries(root)
    assert len(entries) > 10  # site, registry, every scheme version, every period (parsed and checked)
    stats = SourceCache(root)
    load_project(root, Problems(), stats)
    assert stats.misses == 0 and stats.hits > 0  # nothing parsed again
    warm = _build(root, tmp_path / "warm")
    assert warm == cold
    monkeypatch.setenv(cache_mod.ENV_OFF, "1")
    assert _build(root, tmp_path / "none") == cold


def test_warm_check_of_a_scratch_project_gives_equal_objects_and_the_same_site(tmp_path):
    root = make_project(tmp_path / "p")
    project0, _ = _fresh(root)
    project1, problems1, c1 = _cached(root)
    assert c1.hits == 0 and not problems1.items
    project2, problems2, c2 = _cached(root)
    assert c2.misses == 0 and c2.hits == 2 + 1 + 1 + 1  # site, registry, scheme and its validated model; the checked period
    assert project0 == project1 == project2
    # the same Decimal values, not floats, and the same model objects
    p = project2.periods[0]
    assert repr(p.facts["a1"]["work"]) == repr(project0.periods[0].facts["a1"]["work"])
    cold = _build(root, tmp_path / "cold")
    assert _build(root, tmp_path / "warm") == cold


def test_a_cache_entry_holds_a_header_with_format_and_payload_digest(tmp_path):
    root = make_project(tmp_path / "p")
    _cached(root)
    assert (root / ".site-builder" / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    for blob in _entries(root).values():
        assert blob.startswith(MAGIC)
        assert decode(blob, _key()) is not None


# ------------------------------------------------------------------ (b) damaged entries


def _damaged_variants(blob: bytes, key: bytes = bytes(32)) -> dict[str, bytes]:
    head = len(MAGIC) + 2 + 32
    evil = pickle.dumps(_Boom(), protocol=5)  # calls os.system if ever unpickled unchecked
    import hashlib
    import hmac

    return {
        "truncated": blob[: len(blob) // 2],
        "header only": blob[:head],
        "empty": b"",
        "altered payload": blob[:-1] + bytes([blob[-1] ^ 0xFF]),
        "wrong digest": blob[: len(MAGIC) + 2] + bytes(32) + blob[head:],
        "foreign version": blob[: len(MAGIC)] + (99).to_bytes(2, "big") + blob[len(MAGIC) + 2:],
        "not an entry": b"hello" * 40,
        "foreign object with a good digest": MAGIC + (1).to_bytes(2, "big") + hmac.new(key, evil, hashlib.sha256).digest() + evil,
        "plain sha256 instead of this computer's keyed digest": MAGIC + (1).to_bytes(2, "big") + hashlib.sha256(blob[head:]).digest() + blob[head:],
        "written on another computer": encode(decode(blob, key), bytes(range(32))) if decode(blob, key) is not None else b"",
    }


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/site-builder-cache-pwned",))


@pytest.mark.parametrize("variant", list(_damaged_variants(encode(1, bytes(32)))))
def test_a_damaged_entry_is_detected_and_rebuilt_and_the_result_is_unchanged(tmp_path, variant):
    root = make_project(tmp_path / "p")
    expected, _ = _fresh(root)
    _cached(root)
    good = _entries(root)
    for name, blob in good.items():
        (root / CACHE_DIR / name).write_bytes(_damaged_variants(blob, _key())[variant])
    project, problems, c = _cached(root)
    assert not problems.items
    assert project == expected
    assert c.hits == 0
    assert _entries(root) == good  # rewritten as they were
    assert not os.path.exists("/tmp/site-builder-cache-pwned")


def test_an_entry_moved_to_another_key_is_not_taken_for_it(tmp_path):
    root = make_project(tmp_path / "p")
    expected, _ = _fresh(root)
    _cached(root)
    entries = _entries(root)
    names = sorted(entries)
    for i, name in enumerate(names):  # every entry now holds another file's data under a valid digest
        (root / CACHE_DIR / name).write_bytes(entries[names[(i + 1) % len(names)]])
    project, problems, _ = _cached(root)
    assert project == expected and not problems.items


def test_decode_never_calls_anything_but_model_classes():
    evil = pickle.dumps(_Boom(), protocol=5)
    import hashlib
    import hmac

    key = _key()
    blob = MAGIC + (1).to_bytes(2, "big") + hmac.new(key, evil, hashlib.sha256).digest() + evil
    assert decode(blob, key) is None
    assert decode(encode({"x": [1]}, key), key) == {"x": [1]}
    assert decode(encode({"x": [1]}, key), bytes(32)) is None  # another computer's key


# ------------------------------------------------------------------ (c) edits are read


def test_an_edited_source_is_read_again(tmp_path):
    root = make_project(tmp_path / "p")
    _cached(root)
    assert check(root)[1][("demo", "2024-Q1")].units["a1"].total is not None
    before = check(root)[1][("demo", "2024-Q1")]
    (root / "scores/demo/2024-Q1.yaml").write_text(SCORES.replace("work: 9.5", "work: 7"), "utf-8")
    after = check(root)[1][("demo", "2024-Q1")]
    assert {ln.id: str(ln.points) for ln in after.units["a1"].lines}["work"] == "7"
    assert {ln.id: str(ln.points) for ln in before.units["a1"].lines}["work"] == "9.5"
    # a change in the scheme reaches the period that was cached against the old scheme
    (root / "schemes/demo/2024.yaml").write_text(SCHEME.replace("max: 10\n    office", "max: 6\n    office").replace("total: 20", "total: 16"), "utf-8")
    msgs = _messages(root)
    assert any("scores/demo/2024-Q1.yaml:9:13" in m for m in msgs), msgs


def test_a_changed_notice_body_is_read_again(tmp_path):
    scores = SCORES.replace("number: 测〔2024〕1号}", "number: 测〔2024〕1号, body: notices/q1.md}")
    root = make_project(tmp_path / "p", {"scores/demo/2024-Q1.yaml": scores, "content/notices/q1.md": "第一稿。\n"})
    p1 = check(root)[0]
    assert p1.sources["content/notices/q1.md"] == "第一稿。\n".encode()
    (root / "content/notices/q1.md").write_text("第二稿。\n", "utf-8")
    p2 = check(root)[0]
    assert p2.sources["content/notices/q1.md"] == "第二稿。\n".encode()


# ------------------------------------------------------------------ (d) located problems


def test_problems_keep_their_file_line_column_with_a_warm_cache(tmp_path, monkeypatch):
    root = make_project(tmp_path / "p")
    check(root)  # warm: every file cached
    assert _entries(root)
    # a second file for the same period sorts first: the cached file is the duplicate
    make_project(root, {"scores/demo/2024-Q0.yaml": SCORES}, base=False)
    warm = _messages(root)
    monkeypatch.setenv(cache_mod.ENV_OFF, "1")
    cold = _messages(root)
    assert warm == cold
    assert any(m.startswith("scores/demo/2024-Q1.yaml:3:9") for m in warm), warm


def test_a_file_with_problems_is_not_cached_and_a_failed_run_writes_nothing(tmp_path):
    root = make_project(tmp_path / "p", {"scores/demo/2024-Q1.yaml": SCORES.replace("a3:", "zz:")})
    before = listing(root)
    first = _messages(root)
    assert listing(root) == before  # not even the cache folder
    assert _messages(root) == first
    assert any("scores/demo/2024-Q1.yaml:" in m and "zz" in m for m in first)


@pytest.mark.parametrize("rel", ["units/units.yaml", "scores/demo/2024-Q1.yaml"])
def test_a_bom_warning_is_given_again_with_a_warm_cache(tmp_path, rel):
    root = make_project(tmp_path / "p", {rel: b"\xef\xbb\xbf" + BASE_FILES[rel].encode()})
    for _ in range(3):
        warnings = Problems()
        check(root, warnings=warnings)
        assert [(w.code, str(w.mark)) for w in warnings.items] == [("yaml.bom", f"{rel}:1:1")]


# ------------------------------------------------------------------ (e) no writable cache


@pytest.mark.parametrize("blocker", ["file", "link", "no key"])
def test_no_usable_cache_folder_still_builds_and_says_nothing(tmp_path, blocker, monkeypatch):
    root = make_project(tmp_path / "p")
    outside = tmp_path / "outside"
    outside.mkdir()
    if blocker == "file":
        (root / ".site-builder").write_text("not a folder", "utf-8")
    elif blocker == "link":
        (root / ".site-builder").symlink_to(outside, target_is_directory=True)
    else:  # the user's cache folder cannot hold a key
        (tmp_path / "blocked").write_text("", "utf-8")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    expected, _ = _fresh(root)
    for _ in range(2):
        project, problems, c = _cached(root)
        assert project == expected and not problems.items
    assert list(outside.iterdir()) == []  # never written through a link
    cold = _build(root, tmp_path / "o1")
    assert cold and _build(root, tmp_path / "o2") == cold
    if blocker == "no key":
        assert not (root / ".site-builder").exists()


def test_no_cache_flag_reads_everything_afresh(tmp_path):
    from click.testing import CliRunner

    from site_builder.cli import main

    root = make_project(tmp_path / "p")
    result = CliRunner().invoke(main, ["check", "--no-cache", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert not (root / CACHE_DIR).exists()


def test_unused_entries_are_pruned(tmp_path):
    root = make_project(tmp_path / "p")
    check(root)
    first = set(_entries(root))
    (root / "scores/demo/2024-Q1.yaml").write_text(SCORES.replace("work: 9.5", "work: 7"), "utf-8")
    check(root)
    second = set(_entries(root))
    # the old period's entries are gone; the edit, read by splicing its one changed entry into the last
    # parse (load/yamlsplice.py), leaves its checked period and its last parse but no document entry
    assert len(second) == len(first) - 1
    assert first & second  # site, registry and scheme kept


# ------------------------------------------------------------------ (f) random damage


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
       which=st.integers(0, 100))
def test_random_byte_edits_of_entries_never_change_the_result(tmp_path_factory, edits, which):
    root = make_project(tmp_path_factory.mktemp("h"))
    expected, _ = _fresh(root)
    _cached(root)
    entries = _entries(root)
    name = sorted(entries)[which % len(entries)]
    blob = bytearray(entries[name])
    for pos, value in edits:
        blob[pos % len(blob)] = value
    (root / CACHE_DIR / name).write_bytes(bytes(blob))
    project, problems, _ = _cached(root)
    assert project == expected and not problems.items


# ------------------------------------------------------------------ file size caps per kind


def _province(n: int) -> dict[str, str]:
    ids = [f"u{i:05d}" for i in range(n)]
    units = "units:\n" + "".join(f"  - {{id: {u}, name: 第{i}号单位}}\n" for i, u in enumerate(ids))
    scheme = SCHEME.replace("units: [a1, a2, a3]", "units: [" + ", ".join(ids) + "]")
    head = SCORES[: SCORES.index("units:\n")]
    body = "".join(
        f"  {u}:\n    facts:\n      work: 9.5\n      duty: {{events: [{{date: 2024-02-01, note: 值班缺岗一次已通报批评并责令限期整改到位}}]}}\n"
        f"      bonus: {{awards: [{{level: prov, title: 获省级表彰先进集体称号（省委省政府联合表彰）}}]}}\n"
        for u in ids)
    return {"units/units.yaml": units, "schemes/demo/2024.yaml": scheme, "scores/demo/2024-Q1.yaml": head + "units:\n" + body}


def test_a_period_file_of_ten_thousand_units_loads(tmp_path):
    files = _province(10_000)
    assert len(files["scores/demo/2024-Q1.yaml"].encode()) > 2 * 1024 * 1024  # over the old cap
    root = make_project(tmp_path / "p", files)
    project, results = check(root)
    pr = results[("demo", "2024-Q1")]
    assert len(pr.units) == 10_000
    assert {ln.id: str(ln.points) for ln in pr.units["u09999"].lines}["work"] == "9.5"


def _sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)


@pytest.mark.parametrize("rel,size,limit", [
    ("scores/demo/2024-Q2.yaml", 64 * 1024 * 1024 + 1, "64.0 MB（67108864 字节）"),
    ("units/more.yaml", 16 * 1024 * 1024 + 1, "16.0 MB（16777216 字节）"),
    ("schemes/demo/2025.yaml", 2 * 1024 * 1024 + 1, "2.0 MB（2097152 字节）"),
])
def test_a_file_over_its_kinds_cap_is_refused_where_it_is_and_nothing_is_written(tmp_path, rel, size, limit):
    from click.testing import CliRunner

    from site_builder.cli import main

    root = make_project(tmp_path / "p")
    _sparse(root / rel, size)
    before = listing(root)
    result = CliRunner().invoke(main, ["build", "--root", str(root)])
    assert result.exit_code != 0
    assert f"{rel}: 文件大小" in result.output and f"超过上限 {limit}" in result.output, result.output
    assert listing(root) == before
