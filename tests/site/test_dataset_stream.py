"""A scheme's dataset is written a period and a batch at a time, and is byte for byte the whole document.

The reference is the dataset made the way it was before streaming: every period's records
concatenated, then ``dataset.to_csv`` per table and ``jsontext.document`` of the whole
JSON document (itself proved equal to ``json.dumps(indent=1, sort_keys=True)`` in
``tests/test_jsontext.py``).  Batches of 3 rows make every table cross batch and period
boundaries.  A personal number in a streamed file is caught chunk by chunk and refuses the
build, with the previous site left as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder import pipeline
from site_builder.errors import Problems
from site_builder.site import data as site_data
from site_builder.site.build import build_site, read_content
from site_builder.site.data import Options, SiteData
from site_builder.site.failures import SiteError
from site_builder.site.output import dataset, dataset_stream, jsontext
from site_builder.site.output.dataset import TABLES, Records
from site_builder.site.output.jsontext import Columns
from site_builder.site.pages.data_dictionary import dataset_fixed
from site_builder.site.records.gitversion import build_version

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "basic"


def site_of(root: Path) -> SiteData:
    project, public = pipeline.check(root, warnings=Problems(), include_drafts=False)
    options = Options(as_of=site_data.default_as_of(project))
    return SiteData(project, public, options, build_version(root),
                    read_content(root, project.periods, options, project.site.locale, project.sources))


def whole(data: SiteData, scheme_id: str) -> Records:
    out = Records()
    for period in dataset.published_periods(data, scheme_id):
        out = out + dataset.period_records(data, period)
    return out


@pytest.fixture(autouse=True)
def _nothing_kept():
    """Records kept by an earlier test (same data object) must not stand in for patched ones."""
    dataset_stream.forget()
    yield
    dataset_stream.forget()


@pytest.fixture(scope="module")
def fixture_data(tmp_path_factory) -> SiteData:
    root = tmp_path_factory.mktemp("stream") / "project"
    shutil.copytree(FIXTURE, root)
    return site_of(root)


@pytest.mark.parametrize("batch", [3, 2000])
def test_streamed_files_are_the_whole_documents(fixture_data: SiteData, batch: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataset_stream, "BATCH", batch)
    data = fixture_data
    for scheme_id in sorted(data.project.schemes):
        if not dataset.published_periods(data, scheme_id):
            continue
        records = whole(data, scheme_id)
        assert sum(len(records.table(n)) for n in TABLES) > 20
        for name in TABLES:
            streamed = list(dataset_stream.csv_chunks(data, scheme_id, name))
            assert b"".join(streamed) == dataset.to_csv(name, records.table(name))
            if batch == 3 and len(records.table(name)) > 3:
                assert len(streamed) > 2  # really in pieces
        fixed = dataset_fixed(data, scheme_id, "方案")
        doc = {**fixed, **{n: list(records.table(n)) for n in TABLES}}
        assert b"".join(dataset_stream.json_chunks(data, scheme_id, fixed)) == jsontext.document(doc)


def test_an_empty_table_streams_as_the_whole_document(fixture_data: SiteData,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A table with no row at all (no honours anywhere) is ``[]`` as json.dumps writes it."""
    real = dataset.period_tables

    def no_honours(data, period, tables):
        got = real(data, period, tables)
        if "honours" in got:
            got["honours"] = Columns.of_rows(dataset.NAMES["honours"], [])
        return got

    monkeypatch.setattr(dataset, "period_tables", no_honours)
    data = fixture_data
    scheme_id = "xiaoneng"
    records = whole(data, scheme_id)
    assert records.honours == ()
    fixed = dataset_fixed(data, scheme_id, "方案")
    doc = {**fixed, **{n: list(records.table(n)) for n in TABLES}}
    text = b"".join(dataset_stream.json_chunks(data, scheme_id, fixed))
    assert b'"honours": [],' in text
    assert text == jsontext.document(doc)


def test_examples_are_the_first_values_of_the_whole_table(fixture_data: SiteData) -> None:
    data = fixture_data
    records = whole(data, "xiaoneng")
    found = dataset_stream.examples(data, "xiaoneng")
    for table, fields in TABLES.items():
        for f in fields:
            expected = next((r[f.name] for r in records.table(table) if r[f.name] not in (None, "")), None)
            assert found[table].get(f.name) == expected, (table, f.name)


def _tables_made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(period, table) for every table :func:`.dataset.period_tables` makes from now on, none kept
    between readers (as at 10,000 units, where a period's line rows do not fit the bound)."""
    from site_builder.site.output import dataset_kept

    made: list[tuple[str, str]] = []
    real = dataset.period_tables

    def counted(data, period, tables):
        tables = tuple(tables)
        made.extend((period.id, t) for t in tables)
        return real(data, period, tables)

    monkeypatch.setattr(dataset, "period_tables", counted)
    monkeypatch.setattr(dataset_kept, "VALUES_KEPT", 0)
    dataset_kept.forget()
    return made


def test_examples_stop_making_a_table_once_it_has_every_field(fixture_data: SiteData,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A field blank in every period makes the examples read every period, but only the tables that
    still lack a field: the line rows (every field filled in the first period) are made once."""
    data = fixture_data
    periods = [p.id for p in dataset.published_periods(data, "xiaoneng")]
    reference = {t: {} for t in TABLES}  # every period's examples merged, the first value kept
    for period in dataset.published_periods(data, "xiaoneng"):
        for table, values in dataset_stream.period_examples(dataset_stream.records_of(data, period)).items():
            for name, value in values.items():
                reference[table].setdefault(name, value)
    made = _tables_made(monkeypatch)
    found = dataset_stream.examples(data, "xiaoneng")
    assert found == reference
    assert len(periods) > 1 and any(len(reference[t]) < len(TABLES[t]) for t in TABLES)  # read them all
    assert len(reference["lines"]) == len(TABLES["lines"])
    assert [p for p, t in made if t == "lines"] == periods[:1]  # the first period's line rows only
    assert {p for p, t in made if t == "results"} == set(periods)


def test_the_json_dataset_makes_each_table_of_a_period_once_with_its_examples(fixture_data: SiteData,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Streaming the JSON document, a period's examples are taken from each table as it is written:
    its records are not made whole beside the tables (twice the line rows where they are not kept)."""
    data = fixture_data
    periods = dataset.published_periods(data, "xiaoneng")
    pks = dataset_stream.period_keys(data, "xiaoneng")
    expected = {pk: dataset_stream.period_examples(dataset_stream.records_of(data, p)) for p, pk in zip(periods, pks)}
    from types import SimpleNamespace

    first = SimpleNamespace(build=None, files={})  # a first build into the folder: a record is kept
    monkeypatch.delenv("SITE_BUILDER_CHECK_PREKEYS")  # (the tests' check makes every period's records whole)
    monkeypatch.setattr(dataset_stream, "_LAST", dataset_stream.dataset_pieces.Last(first))
    made = _tables_made(monkeypatch)
    fixed = dataset_fixed(data, "xiaoneng", "方案")
    stream = dataset_stream.json_chunks(data, "xiaoneng", fixed, "data/x.json", lambda: pks)
    b"".join(stream)
    assert sorted(made) == sorted((p.id, t) for p in periods for t in TABLES)  # each once
    assert {pk: dataset_stream._LAST.examples[pk] for pk in pks} == expected
    assert {pk: entry[2] for pk, entry in stream.record.items()} == expected


def test_a_personal_number_in_a_streamed_file_refuses_the_build(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    out = tmp_path / "site"
    build_site(root, out, quiet=True, jobs=1)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = dataset_stream.csv_chunks

    def leaky(data, scheme_id, name, *args):
        yield from real(data, scheme_id, name, *args)
        if name == "lines":
            yield "备注,联系电话 13912345678\r\n".encode("utf-8")

    monkeypatch.setattr(dataset_stream, "csv_chunks", leaky)
    with pytest.raises(SiteError) as err:
        build_site(root, out, quiet=True, jobs=1)
    text = str(err.value)
    assert "data/xiaoneng/xiaoneng-lines.csv" in text
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
