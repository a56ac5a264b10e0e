"""A scheme's dataset made again only for the periods that changed (``data/<scheme>/``).

After a change, an incremental build into the folder of the last build takes over every
unchanged period's batches of rows from the last build's dataset files and makes the others;
its files — and the manifest that lists their SHA-256 — are byte for byte those of a clean
build (no cache, no record) into a new folder.  A record of pieces that was damaged, re-signed
with wrong ranges or made stale by an edit of the old file is never trusted for a byte: the
batch is made.  ``SITE_BUILDER_CHECK_PREKEYS`` (on in the suite) makes every taken-over batch
be compared with the one made from the records; tests that count what is made turn it off.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import (
    build,
    cache_on,
    clean_build,
    files,
    make_project,
    rename_unit,
    set_scheme_title,
    set_score,
)
from test_incremental import signed_record as _record

from site_builder.load import cache
from site_builder.site import render_pool
from site_builder.site.output import dataset, dataset_stream, fingerprint, reuse

DATA = "data/xiaoneng/"
CSV = DATA + "xiaoneng-lines.csv"
JSON = DATA + "xiaoneng.json"


def publish_draft(root: Path) -> None:
    """2018-Q2 (a draft) published: a period added to the dataset."""
    path = root / "scores" / "xiaoneng" / "2018-Q2.yaml"
    text = path.read_text("utf-8").replace("status: draft\n", 'status: published\nnotice:\n  date: "2018-07-16"\n', 1)
    path.write_text(text, "utf-8")


def withdraw(root: Path) -> None:
    """2018-Q1 (in 公示) back to a draft: a period gone from the dataset."""
    path = root / "scores" / "xiaoneng" / "2018-Q1.yaml"
    path.write_text(path.read_text("utf-8").replace("status: public_notice\n", "status: draft\n", 1), "utf-8")


CHANGES = {
    "score in the first period": lambda root: set_score(root, "2017-Q3", "jyj", 47),
    "score in the middle period": lambda root: set_score(root, "2017-Q4", "fgw", 49),
    "score in the last period": lambda root: set_score(root, "2018-Q1", "jyj", 43),
    "a period added": publish_draft,
    "a period withdrawn": withdraw,
    "a unit renamed": lambda root: rename_unit(root, "jyj", 2),
    "the scheme changed": lambda root: set_scheme_title(root, 4),
}


def dataset_files(out: Path) -> dict[str, bytes]:
    return {p: b for p, b in files(out).items() if p.startswith(DATA) or p == "manifest.json"}


@pytest.fixture
def project(tmp_path: Path):
    with cache_on(tmp_path):
        yield make_project(tmp_path)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(route path, period id) of every period's records made while a file under data/ is keyed or
    made (a serial build renders one route per share)."""
    seen: list[tuple[str, str]] = []
    current: list[str] = [""]
    real_records, real_share = dataset.period_tables, render_pool._render_share

    def records(data, period, tables):
        if current[0].startswith(DATA):
            seen.append((current[0], period.id))
        return real_records(data, period, tables)

    def share(k: int):
        current[0] = render_pool._JOB.routes[k].path
        return real_share(k)

    monkeypatch.setattr(dataset, "period_tables", records)
    monkeypatch.setattr(render_pool, "_render_share", share)
    return seen


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_incremental_dataset_is_the_clean_one(change: str, project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    before = dataset_files(out)
    CHANGES[change](project)
    build(project, out)
    clean_build(project, clean)
    after = dataset_files(out)
    assert after == dataset_files(clean)
    assert files(out) == files(clean)
    assert after[CSV] != before[CSV] or change == "the scheme changed"  # the change shows in the dataset


def test_only_the_changed_period_is_made(project: Path, tmp_path: Path, made: list,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """One unit's facts changed in the last published period: the records of that period alone are
    made — for the files' keys, their rows and the data dictionary's examples; every other period's
    rows are taken over from the last build's files."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    assert {p for _, p in made} == {"2017-Q3", "2017-Q4", "2018-Q1"}  # a first build makes every period
    made.clear()
    set_score(project, "2018-Q1", "jyj", 43)
    build(project, out)
    assert {p for _, p in made} == {"2018-Q1"}
    assert made  # and was made
    clean_build(project, clean)
    assert dataset_files(out) == dataset_files(clean)
    # nothing changed since: every dataset file is linked, no period is made
    made.clear()
    (project / "site.yaml").write_text((project / "site.yaml").read_text("utf-8") + "# 说明\n", "utf-8")
    build(project, out)
    assert made == []


def _pieces(doc: dict, path: str) -> dict:
    pieces = doc["files"][path][7]
    assert isinstance(pieces, dict) and len(pieces) == 3  # the three published periods
    return pieces


def test_a_record_of_pieces_with_wrong_ranges_gives_made_bytes(project: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A record signed here (a bug, never an attacker: the key is this user's) whose ranges point at
    other bytes: each batch read is checked against its SHA-256, so the batch is made."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path, doc = _record(project, out)
    for target in (CSV, JSON):
        for entry in _pieces(doc, target).values():
            for ranges in entry[1].values():
                for r in ranges:
                    r[0] += 1  # one byte off
    fingerprint.write_signed(path, doc, cache.secret())
    set_score(project, "2018-Q1", "jyj", 44)
    build(project, out)
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_damaged_record_of_pieces_is_not_read(project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path = reuse._record_path(project, out)
    raw = path.read_bytes()
    mac, _, payload = raw.partition(b"\n")
    doc = fingerprint.decode_record(payload)
    for entry in _pieces(doc, CSV).values():
        entry[1]["lines"] = [[0, 10, entry[1]["lines"][0][2], None]]  # changed without its signature
    path.write_bytes(mac + b"\n" + fingerprint.encode_record(doc))
    set_score(project, "2017-Q4", "fgw", 50)
    again = build(project, out)
    assert again.reused == 0  # the whole record is refused
    clean_build(project, clean)
    assert files(out) == files(clean)


@pytest.mark.parametrize("resign", [False, True], ids=["as recorded", "record re-signed to match"])
def test_an_old_file_edited_in_place_is_not_taken_over(resign: bool, project: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The last build's dataset file edited in place, same size: its times differ from the record, so
    nothing is read from it; and even a record that matches the edited file's times (re-signed here)
    gives no edited byte, because every batch is checked against its SHA-256."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    for target in (CSV, JSON):
        text = (out / target).read_bytes()
        i = text.index(b"2017-Q3")
        (out / target).write_bytes(text[:i] + b"2017-Q9" + text[i + 7:])  # a period's rows, same size
    if resign:
        path, doc = _record(project, out)
        for target in (CSV, JSON):
            st = os.lstat(out / target)
            doc["files"][target][2:6] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        fingerprint.write_signed(path, doc, cache.secret())
    set_score(project, "2018-Q1", "jyj", 45)
    build(project, out)
    clean_build(project, clean)
    assert files(out) == files(clean)
    assert b"2017-Q9" not in (out / CSV).read_bytes()


def test_the_pieces_are_the_periods_rows(project: Path, tmp_path: Path) -> None:
    """The record names, for each period key, the byte range of each batch of rows: in the CSV the
    period's lines, in the JSON its records of each table (the separators outside)."""
    out = tmp_path / "site"
    build(project, out)
    _, doc = _record(project, out)
    text = (out / CSV).read_bytes()
    seen = []
    for _, tables, _ in _pieces(doc, CSV).values():
        for start, length, _, _ in tables["lines"]:
            seen.append(text[start:start + length])
    assert b"".join(sorted(seen, key=text.index)) == text[text.index(b"\r\n") + 2:]  # every row but the header
    rows = [r for r in text.decode("utf-8-sig").splitlines()[1:]]
    assert {r.split(",")[1] for r in rows} == {"2017-Q3", "2017-Q4", "2018-Q1"}
    data = (out / JSON).read_bytes()
    for _, tables, _ in _pieces(doc, JSON).values():
        for table, ranges in tables.items():
            for start, length, _, _ in ranges:
                piece = data[start:start + length]
                assert piece.startswith(b'{\n   "') and piece.endswith(b"}")
                assert data[start - 4:start] in (b"[\n  ", b",\n  ")
                items = json.loads(b"[" + piece + b"]")
                assert items and all(set(r) == {f.name for f in dataset.TABLES[table]} for r in items)


EDIT = st.one_of(
    st.tuples(st.just("score"), st.sampled_from(["2017-Q3", "2017-Q4", "2018-Q1"]),
              st.sampled_from(["fgw", "czj", "jyj", "wjw"]), st.integers(40, 60)),
    st.tuples(st.just("unit"), st.sampled_from(["fgw", "jyj"]), st.integers(1, 3)),
    st.tuples(st.just("scheme"), st.integers(1, 3)),
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                              HealthCheck.too_slow])
@given(edits=st.lists(EDIT, min_size=1, max_size=3))
def test_random_edits_give_the_clean_dataset(edits: list, tmp_path_factory) -> None:
    """Random edits, each followed by an incremental build as users run it (no check of taken-over
    pieces against made ones): the dataset files and the manifest are always the clean build's."""
    base = tmp_path_factory.mktemp("pieces")
    saved = os.environ.pop(reuse.CHECK_ENV, None)
    try:
        with cache_on(base):
            root = make_project(base)
            out, clean = base / "site", base / "clean"
            build(root, out)
            for kind, *args in edits:
                {"score": set_score, "unit": rename_unit, "scheme": set_scheme_title}[kind](root, *args)
                build(root, out)
                clean_build(root, clean)
                assert dataset_files(out) == dataset_files(clean), (kind, args)
    finally:
        if saved is not None:
            os.environ[reuse.CHECK_ENV] = saved
        dataset_stream.forget()



def test_pieces_are_kept_across_a_build_that_linked_the_files(project: Path, tmp_path: Path, made: list,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A build in which nothing of the dataset changed links its files and keeps their record of
    pieces: the build after it still takes over every unchanged period."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    set_score(project, "2018-Q2", "czj", 41)  # a draft: not in the dataset
    build(project, out)
    _, doc = _record(project, out)
    assert _pieces(doc, CSV) and _pieces(doc, JSON)
    made.clear()
    set_score(project, "2018-Q1", "fgw", 42)
    build(project, out)
    assert {p for _, p in made} == {"2018-Q1"}
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_parallel_incremental_dataset_is_the_clean_one(project: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers key and make the dataset files with the pieces the parent read; their records
    come back to the parent and are kept for the next build."""
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_ROUTES", 1)
    out, clean = tmp_path / "site", tmp_path / "clean"
    from test_incremental import DAY

    from site_builder.site.build import build_site

    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    set_score(project, "2017-Q4", "jyj", 51)
    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    _, doc = _record(project, out)
    assert _pieces(doc, CSV)
    set_score(project, "2018-Q1", "wjw", 50)
    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_personal_number_in_a_period_made_again_refuses_the_build(project: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Only taken-over batches skip the scan: a batch made again in an incremental build is scanned,
    and a personal number in it refuses the build, the last site left as it was."""
    from site_builder.site.failures import SiteError

    out = tmp_path / "site"
    build(project, out)
    before = files(out)
    real = dataset_stream._csv_batch

    def leaky(name, rows):
        made = real(name, rows)
        if name == "lines" and rows[0]["period_id"] == "2018-Q1":
            made += "xiaoneng,2018-Q1,fgw,备注,联系电话 13912345678\r\n".encode()
        return made

    monkeypatch.setattr(dataset_stream, "_csv_batch", leaky)
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    set_score(project, "2018-Q1", "fgw", 42)
    with pytest.raises(SiteError) as err:
        build(project, out)
    assert CSV in str(err.value)
    assert files(out) == before


def test_in_a_changed_period_only_the_changed_rows_are_encoded(project: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """In the period that changed, a batch whose rows are those of a batch of the last build's file is
    taken over too: with batches of 3 rows, after one unit's facts changed only the batches of the
    lines table that hold that unit's rows are encoded again."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    monkeypatch.setattr(dataset_stream, "BATCH", 3)
    encoded: list[tuple] = []
    real = dataset_stream._csv_batch

    def counted(name, rows):
        encoded.append((name, rows))
        return real(name, rows)

    monkeypatch.setattr(dataset_stream, "_csv_batch", counted)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    batches = [rows for name, rows in encoded if name == "lines" and rows[0]["period_id"] == "2018-Q1"]
    encoded.clear()
    set_score(project, "2018-Q1", "jyj", 43)
    build(project, out)
    again = [rows for name, rows in encoded if name == "lines"]
    assert again and all(any(r["unit_id"] == "jyj" for r in rows) for rows in again)
    assert len(again) < len(batches) / 2
    assert all(rows[0]["period_id"] == "2018-Q1" for rows in again)
    clean_build(project, clean)
    assert files(out) == files(clean)
