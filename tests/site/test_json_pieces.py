"""A notice's JSON made again takes its unchanged groups from the last build's file (:mod:`.json_pieces`).

After an edit, an incremental build into the folder of the last build encodes again only the
groups whose text changed; every other group's bytes are read from the last build's file — only
when that file lies there as the build left it and the bytes read have the recorded SHA-256.
The files are byte for byte those of a clean build (no cache, no record).  A record damaged,
re-signed with wrong ranges or made stale by an edit of the old file gives no byte of it: the
group is made.  ``SITE_BUILDER_CHECK_PREKEYS`` (on in the suite) makes every group taken over
be made all the same and compared; tests that count what is made turn it off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import pytest
from test_incremental import (
    DAY,
    build,
    cache_on,
    clean_build,
    files,
    make_project,
    rename_unit,
    set_score,
)
from test_incremental import signed_record as _record

from site_builder.load import cache
from site_builder.site import render_pool
from site_builder.site.output import downloads_json, fingerprint, json_chunks, json_pieces, reuse

NOTICES = "notices/xiaoneng/"
GROUPS = ["综合管理部门组", "社会事业部门组"]


def notices_json(out: Path) -> dict[str, bytes]:
    return {p: b for p, b in files(out).items() if p.startswith(NOTICES) and p.endswith(".json")}


@pytest.fixture
def project(tmp_path: Path):
    with cache_on(tmp_path):
        yield make_project(tmp_path)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every group of a notice's JSON that is encoded, in order."""
    seen: list[str] = []
    real = json_chunks.Piece.text

    def text(self, depth: int) -> bytes:
        seen.append(self.value["name"])
        return real(self, depth)

    monkeypatch.setattr(json_chunks.Piece, "text", text)
    return seen


def _targets(doc: dict) -> list[str]:
    return [p for p in doc["files"] if p.startswith(NOTICES) and p.endswith(".json")]


@pytest.mark.parametrize("change", ["first", "middle", "last", "renamed"])
def test_an_incremental_json_is_the_clean_one(change: str, project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    before = notices_json(out)
    if change == "renamed":
        rename_unit(project, "jyj", 2)
    else:
        set_score(project, {"first": "2017-Q3", "middle": "2017-Q4", "last": "2018-Q1"}[change], "jyj", 47)
    build(project, out)
    clean_build(project, clean)
    assert notices_json(out) != before  # the change shows in the downloads
    assert files(out) == files(clean)


def test_only_the_changed_groups_are_encoded(project: Path, tmp_path: Path, made: list,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """One unit's points changed in the last published period: of that notice's JSON only the unit's
    group is encoded; the other group is taken from the last build's file, and no other notice's
    JSON is made."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    assert made == GROUPS * 3  # a first build encodes every group of the three published notices
    made.clear()
    set_score(project, "2018-Q1", "jyj", 43)
    build(project, out)
    assert made == ["社会事业部门组"]  # jyj's group
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_the_record_names_each_groups_bytes(project: Path, tmp_path: Path) -> None:
    """Each recorded group: its key, the range of its bytes in the file and their SHA-256 — the group
    as the document holds it, in order."""
    out = tmp_path / "site"
    build(project, out)
    _, doc = _record(project, out)
    targets = _targets(doc)
    assert len(targets) == 3  # the published notices (2018-Q2 is a draft)
    for target in targets:
        data = (out / target).read_bytes()
        pieces = doc["files"][target][7]
        assert [len(p) for p in pieces] == [4, 4]
        groups = json.loads(data)["groups"]
        for (key, start, length, sha), group in zip(pieces, groups, strict=True):
            assert len(key) == 64 and hashlib.sha256(data[start:start + length]).hexdigest() == sha
            assert json.loads(data[start:start + length]) == group
            assert data[start - 4:start] in (b"[\n  ", b",\n  ")  # a list's item at depth 2
            assert data[start:start + 1] == b"{" and data[start + length - 1:start + length] == b"}"


def test_a_record_with_wrong_ranges_gives_made_bytes(project: Path, tmp_path: Path, made: list,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A record signed here (a bug, never an attacker: the key is this user's) whose ranges point at
    other bytes: each group read is checked against its SHA-256, so it is made."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path, doc = _record(project, out)
    for target in _targets(doc):
        for piece in doc["files"][target][7]:
            piece[1] += 1  # one byte off
    fingerprint.write_signed(path, doc, cache.secret())
    made.clear()
    set_score(project, "2018-Q1", "jyj", 44)
    build(project, out)
    assert made == GROUPS  # both groups of the notice made again, none taken
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_truncated_record_entry_is_refused(project: Path, tmp_path: Path, made: list,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A group's entry of the wrong shape (a field missing, a key that is not a digest): the whole
    file's record is refused, every group made."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path, doc = _record(project, out)
    for target in _targets(doc):
        rec = doc["files"][target][7]
        rec[0] = rec[0][:3]
        rec[1][0] = "not a digest"
    fingerprint.write_signed(path, doc, cache.secret())
    made.clear()
    set_score(project, "2018-Q1", "jyj", 44)
    build(project, out)
    assert made == GROUPS
    clean_build(project, clean)
    assert files(out) == files(clean)
    a, b = "a" * 64, "b" * 64
    assert json_pieces.valid([[a, 0, 1, b]]) == {a: (0, 1, b)}
    for bad in ([[a, 0, 1]], [[a, -1, 1, b]], [[a, 0, 0, b]], [[a, 0, True, b]], [[a, 0, 1, "B" * 64]], [], {a: 1}):
        assert json_pieces.valid(bad) is None


def test_a_damaged_record_is_not_read(project: Path, tmp_path: Path, made: list,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path = reuse._record_path(project, out)
    raw = path.read_bytes()
    mac, _, payload = raw.partition(b"\n")
    doc = fingerprint.decode_record(payload)
    for target in _targets(doc):
        doc["files"][target][7][0][2] -= 1  # changed without its signature
    path.write_bytes(mac + b"\n" + fingerprint.encode_record(doc))
    made.clear()
    set_score(project, "2018-Q1", "jyj", 50)
    again = build(project, out)
    assert again.reused == 0  # the whole record is refused
    assert made == GROUPS * 3  # every notice made again, every group encoded
    clean_build(project, clean)
    assert files(out) == files(clean)


@pytest.mark.parametrize("resign", [False, True], ids=["as recorded", "record re-signed to match"])
def test_an_old_file_edited_in_place_is_not_taken_over(resign: bool, project: Path, tmp_path: Path, made: list,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The last build's JSON of the notice made again altered in place, same size (a byte of every
    group flipped): its times differ from the record, so nothing is read from it; and even a record
    that matches the altered file's times (re-signed here) gives no altered byte, every group being
    checked against its SHA-256."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path, doc = _record(project, out)
    target = NOTICES + "2018-Q1/xiaoneng-2018-Q1.json"
    data = bytearray((out / target).read_bytes())
    for piece in doc["files"][target][7]:
        data[piece[1] + piece[2] // 2] ^= 0x01
    (out / target).write_bytes(bytes(data))
    if resign:
        st = os.lstat(out / target)
        doc["files"][target][2:6] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        fingerprint.write_signed(path, doc, cache.secret())
    made.clear()
    set_score(project, "2018-Q1", "jyj", 45)
    build(project, out)
    assert made == GROUPS
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_key_that_misses_an_input_is_caught_by_the_check(project: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With the check on (the suite), a group taken over is made all the same: a key that would let
    other bytes through fails the build loudly."""
    out = tmp_path / "site"
    monkeypatch.setattr(downloads_json, "_group_key", lambda t, *_: "0" * 64)  # every group "the same"
    build(project, out)
    set_score(project, "2018-Q1", "jyj", 41)
    with pytest.raises(AssertionError, match="equal keys of a group, other bytes"):
        build(project, out)


@dataclasses.dataclass(frozen=True)
class Row:
    unit: str


@dataclasses.dataclass(frozen=True)
class Table:
    rows: tuple


def test_a_groups_key_is_made_of_what_its_text_is() -> None:
    """The key of a group changes with the group's table, its units' lines and their running totals;
    equal inputs give one key."""
    from site_builder.site.output.jsontext import Columns

    lines = downloads_json._UnitRows(Columns(("unit_id", "points"), (("a", "a", "b"), ("1.0", "2.0", "3.0"))))
    other = downloads_json._UnitRows(Columns(("unit_id", "points"), (("a", "a", "b"), ("1.0", "2.5", "3.0"))))

    t = Table((Row("a"),))
    base = downloads_json._group_key(t, lines, {"a": {"cumulative": "3.0"}}, True)
    assert base == downloads_json._group_key(Table((Row("a"),)), lines, {"a": {"cumulative": "3.0"}}, True)
    assert base != downloads_json._group_key(t, other, {"a": {"cumulative": "3.0"}}, True)  # a line's points
    assert base != downloads_json._group_key(t, lines, {"a": {"cumulative": "3.5"}}, True)  # the running total
    assert base != downloads_json._group_key(t, lines, {"a": {"cumulative": "3.0"}}, False)  # without lines
    assert base != downloads_json._group_key(Table((Row("b"),)), lines, {"a": {"cumulative": "3.0"}}, True)
    # a line of another unit changed: the same key
    third = downloads_json._UnitRows(Columns(("unit_id", "points"), (("a", "a", "b"), ("1.0", "2.0", "9.0"))))
    assert base == downloads_json._group_key(t, third, {"a": {"cumulative": "3.0"}}, True)


def test_a_parallel_incremental_json_is_the_clean_one(project: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers make the JSON files with the record the parent read; their records of groups
    come back to the parent and are kept for the next build."""
    from site_builder.site.build import build_site

    monkeypatch.setattr(render_pool, "PARALLEL_MIN_ROUTES", 1)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    set_score(project, "2017-Q4", "jyj", 51)
    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    _, doc = _record(project, out)
    assert all(doc["files"][p][7] for p in _targets(doc))
    set_score(project, "2018-Q1", "wjw", 50)
    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_without_a_record_kept_nothing_is_keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that keeps no record (no cache) makes the JSON as one stream, no group keyed."""
    from test_incremental import cache_off

    keyed: list = []
    monkeypatch.setattr(downloads_json, "_group_key", lambda *a: keyed.append(a) or "0" * 64)
    project = make_project(tmp_path)
    with cache_off():
        build(project, tmp_path / "site")
    assert keyed == []
    assert notices_json(tmp_path / "site")
