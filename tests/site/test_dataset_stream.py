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
