"""A notice's long tables (CSV: every line's points, every ranking, honours) made again a batch of
rows at a time, each unchanged batch taken from the last build's file (:mod:`.dataset_pieces`).

After an edit, a notice made again (its unit's points, or a later period's running totals)
writes again only the batches of its long tables whose rows changed; the other batches are read
from the last build's file — only when that file lies there as the build left it and the bytes
read have the recorded SHA-256.  The files are byte for byte those of a clean build, and those of
``dataset.to_csv`` of the period's records.  ``SITE_BUILDER_CHECK_PREKEYS`` (on in the suite)
makes every batch taken over be made all the same and compared; tests that count turn it off.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_incremental import build, cache_on, clean_build, files, make_project, set_score

from site_builder.load import cache
from site_builder.site.output import dataset, dataset_stream, fingerprint, reuse
from site_builder.site.pages import notice

LINES = "notices/xiaoneng/2018-Q1/xiaoneng-2018-Q1-lines.csv"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(notice, "NOTICE_BATCH", 5)  # a few rows a batch: the small project's tables in many
    with cache_on(tmp_path):
        yield make_project(tmp_path)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple]]:
    """(table, unit ids of its rows) of every batch of a notice's long table that is made."""
    seen: list = []
    real = dataset_stream._csv_batch

    def batch(name: str, rows):
        seen.append((name, tuple(rows.column("unit_id"))))
        return real(name, rows)

    monkeypatch.setattr(dataset_stream, "_csv_batch", batch)
    return seen


def _notice_batches(project: Path, out: Path, target: str) -> list:
    doc = fingerprint.read_signed(reuse._record_path(project, out), reuse.MAX_RECORD)
    assert isinstance(doc, dict)
    (entry,) = doc["files"][target][7].values()  # one period
    return entry[1]["lines"]


def test_a_notices_long_tables_are_those_of_its_records(project: Path, tmp_path: Path) -> None:
    """Each long table a batch at a time: the bytes of ``dataset.to_csv`` of the period's records (a
    clean build) — and each recorded batch is a run of whole lines of it."""
    out = tmp_path / "site"
    build(project, out)
    clean = tmp_path / "clean"
    clean_build(project, clean)
    assert files(out) == files(clean)
    data = (out / LINES).read_bytes()
    head = dataset.to_csv("lines", ())
    assert data.startswith(head) and data.count(b"\r\n") > 10
    batches = _notice_batches(project, out, LINES)
    assert len(batches) > 2
    at = len(head)
    for start, length, _, _ in batches:
        assert start == at and data[start + length - 2:start + length] == b"\r\n"
        at += length
    assert at == len(data)


def test_only_the_batches_with_changed_rows_are_made(project: Path, tmp_path: Path, made: list,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """One unit's points changed in the last published period: of that notice's lines, only batches
    holding the unit's rows are made; the others are read from the last build's file."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    total = len(_notice_batches(project, out, LINES))
    made.clear()
    set_score(project, "2018-Q1", "jyj", 43)
    build(project, out)
    lines = [ids for name, ids in made if name == "lines"]
    assert lines and all("jyj" in ids for ids in lines)  # (the dataset's lines: the period's one batch)
    assert len(lines) - 1 < total
    clean_build(project, clean)
    assert files(out) == files(clean)


@pytest.mark.parametrize("resign", [False, True], ids=["as recorded", "record re-signed to match"])
def test_an_old_long_table_edited_in_place_is_not_taken_over(resign: bool, project: Path, tmp_path: Path,
                                                             made: list, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last build's lines of the notice made again altered in place (a byte of every batch): no
    byte of it is taken over, every batch being checked against its SHA-256."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    batches = _notice_batches(project, out, LINES)
    data = bytearray((out / LINES).read_bytes())
    for start, length, _, _ in batches:
        data[start + 1] ^= 0x01
    (out / LINES).write_bytes(bytes(data))
    if resign:
        path = reuse._record_path(project, out)
        doc = fingerprint.read_signed(path, reuse.MAX_RECORD)
        st = os.lstat(out / LINES)
        doc["files"][LINES][2:6] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        fingerprint.write_signed(path, doc, cache.secret())
    made.clear()
    set_score(project, "2018-Q1", "jyj", 44)
    build(project, out)
    # every batch of the notice's lines, and the period's one batch of the dataset's lines (data/)
    assert len([1 for name, _ in made if name == "lines"]) == len(batches) + 1
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_no_records_are_digested_to_key_the_notice_and_the_dataset(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One unit's points changed in the last published period: the notice's files and the dataset's are
    keyed by the periods' keys (equal keys, equal records), so no period's records are digested; the
    files are those of a clean build."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    digested: list[str] = []
    real = dataset.Records.digest_parts

    def parts(self):
        digested.append(self.table("results").column("period_id")[0])
        return real(self)

    monkeypatch.setattr(dataset.Records, "digest_parts", parts)
    set_score(project, "2018-Q1", "jyj", 42)
    build(project, out)
    assert digested == []
    monkeypatch.setattr(dataset.Records, "digest_parts", real)
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_period_key_that_misses_an_input_is_caught_by_the_check(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files are keyed by the periods' keys, so with the check on (the suite) a period's records are
    digested all the same and compared with the digest remembered for its key: a period key that misses
    an input (here: the period's results) fails the build loudly instead of linking a stale dataset."""
    assert os.environ.get(reuse.CHECK_ENV)
    out = tmp_path / "site"
    monkeypatch.setattr(dataset_stream, "period_key",
                        lambda data, period: dataset_stream.digest("blind key", period.scheme, period.id))
    build(project, out)
    set_score(project, "2018-Q1", "jyj", 42)
    with pytest.raises(AssertionError, match="equal period keys, other records"):
        build(project, out)
