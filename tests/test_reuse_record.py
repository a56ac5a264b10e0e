"""The record of a build (site_builder/site/output/reuse.py): what it holds for each output file, and
what the next build makes of it.

A page with a pre-key that the last build did not record (a cold build) is recorded under its
pre-key alone (``"pre:"`` and the pre-key), its context never pickled for a key; once its pre-key
changes, its full key is made and recorded, so that the next time its pre-key changes while its
context does not, it is linked.  A record of the previous format, or an entry that does not hold
together, is not trusted: those files are made, and the site is the clean build's.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from site_builder.load import cache
from site_builder.site.output import fingerprint, reuse
from tests.test_incremental import (
    AS_OF,
    build,
    cache_on,
    change_content,
    clean_build,
    files,
    make_project,
    set_score,
)

CARD = "units/fgw/xiaoneng/2017-Q4/index.html"


@pytest.fixture
def project(tmp_path: Path):
    with cache_on(tmp_path):
        yield make_project(tmp_path)


def _record(root: Path, out: Path) -> dict:
    doc = fingerprint.read_signed(reuse._record_path(root, out), reuse.MAX_RECORD)
    assert isinstance(doc, dict) and doc["format"] == reuse.FORMAT
    return doc


def _sign(root: Path, out: Path, doc: dict) -> None:
    """``doc`` as the record of ``out``, signed with this user's key as the tool signs its own."""
    fingerprint.write_signed(reuse._record_path(root, out), doc, cache.secret())


def test_a_cold_build_records_pages_with_pre_keys_under_their_pre_keys(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    recs = _record(project, out)["files"]
    for path in (CARD, "notices/xiaoneng/2017-Q4/index.html", "units/fgw/index.html"):
        key, pre, check = recs[path][0], recs[path][6], recs[path][8]
        assert key == reuse.PRE + pre, path
        # the tests (SITE_BUILDER_CHECK_PREKEYS) keep the full key beside it, for the next build's check
        assert check is not None and not check.startswith(reuse.PRE) and check != pre, path
    for path in ("index.html", "404.html"):  # no pre-key: the full key, nothing to check
        assert not recs[path][0].startswith(reuse.PRE) and recs[path][6] is None and recs[path][8] is None, path
    # every file but the assets (the theme's and the search index) and the manifest, which are always written
    assert {p for p in files(out) if p not in recs} == {p for p in files(out) if p.startswith("assets/")} | {
        "manifest.json"}


def test_a_changed_pre_key_records_the_new_pre_key_alone(project: Path, tmp_path: Path) -> None:
    """A page whose pre-key changed is made again without its context being digested: the record
    holds its new pre-key as its key (and, in the tests, the full key it is checked against)."""
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    before = _record(project, out)["files"]
    set_score(project, "2017-Q4", "fgw", 49)
    build(project, out)
    after = _record(project, out)["files"]
    assert after[CARD][6] != before[CARD][6]
    assert after[CARD][0] == reuse.PRE + after[CARD][6]  # made: keyed by its pre-key alone
    assert after[CARD][8] is not None and not after[CARD][8].startswith(reuse.PRE)  # the tests' full key
    kept = "units/fgw/xiaoneng/2017-Q3/index.html"  # an earlier period's card: its pre-key, as it was
    assert [after[kept][i] for i in (0, 1, 6, 8)] == [before[kept][i] for i in (0, 1, 6, 8)]  # key, SHA-256, pre
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_page_whose_pre_key_changed_keeps_its_file_when_its_bytes_did_not(tmp_path: Path, monkeypatch) -> None:
    """The synthetic project's running totals: a fact changed in a month changes what a few cards show
    (the edited unit's own cards of that month on, a card that shows its place): those are made
    again (their context made, no full key digested) and written; every other card, though its
    group's results changed, is linked without its context being made.  (A card made again whose bytes
    come out the same keeps its old file: ``tests/test_edit_path.py``.)"""
    import sys

    from site_builder.site import render_pool
    from site_builder.site.pages import scorecard

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        from synth import generate
    finally:
        sys.path.pop(0)
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)  # a matched pre-key links, unmade
    contexts: list[str] = []
    made: list[str] = []
    real_context, real_output = scorecard._card_context, render_pool._output

    def context(*args, **kwargs):
        meta, ctx = real_context(*args, **kwargs)
        contexts.append(meta.path)
        return meta, ctx

    def output(job, route, key, findings):
        got = real_output(job, route, key, findings)
        if not got[2] and route.kind == "scorecard":
            made.append(route.path)
        return got

    monkeypatch.setattr(scorecard, "_card_context", context)
    monkeypatch.setattr(render_pool, "_output", output)
    root, out, clean = tmp_path / "project", tmp_path / "site", tmp_path / "clean"
    generate(root, units=16, periods=4)
    AS_OF[root] = dt.date(2025, 12, 31)

    def change(value: str) -> tuple[int, int]:
        path = root / "scores" / "bench" / "2025-02.yaml"
        text = path.read_text("utf-8")
        new = re.sub(r"(\n  u00005:\n    facts: \{t1a0: )[0-9.]+", rf"\g<1>{value}", text, count=1)
        assert new != text
        path.write_text(new, "utf-8")
        contexts.clear()
        made.clear()
        build(root, out)
        got = len(contexts), len(made)  # the incremental build's alone, not the clean build's below
        clean_build(root, clean)
        assert files(out) == files(clean), value
        return got

    try:
        with cache_on(tmp_path):
            build(root, out)
            cards = len(contexts)  # the cold build made every card
            for value in ("0.7", "0.3", "0.5"):
                made_again, written = change(value)
                # the edited unit's cards of February on and a card that shows its place: made and
                # written; every other card linked, its context not made
                assert 0 < made_again == written <= cards // 8, (value, made_again, written, cards)
    finally:
        AS_OF.pop(root, None)


def test_a_record_of_the_previous_format_is_not_trusted(project: Path, tmp_path: Path) -> None:
    """Format 3 held no full key to check and a key of every page: read as this format it would
    be wrong, so it is not read (everything is made), nor is an entry of its shape in a record of
    this format."""
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    doc = _record(project, out)
    old = {p: r[:8] for p, r in doc["files"].items()}
    change_content(project, 1)
    _sign(project, out, {**doc, "format": 3, "files": old})
    assert build(project, out).reused == 0
    change_content(project, 2)
    _sign(project, out, {**_record(project, out), "files": old})
    assert build(project, out).reused == 0
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_an_altered_record_entry_is_made_again(project: Path, tmp_path: Path, monkeypatch) -> None:
    """An entry whose pre-key is not the page's, or whose key is a pre-key that is not its own, does
    not link its file: the page is made (the others are linked), and the site is the clean build's."""
    from site_builder.site import render_pool

    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    doc = _record(project, out)
    other = "units/czj/xiaoneng/2017-Q4/index.html"
    for path in (CARD, other):
        (out / path).write_bytes(b"stale")  # what a wrongly trusted entry would leave on the site
        st = (out / path).stat()
        doc["files"][path][2:6] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    rec = doc["files"][CARD]
    rec[6] = "0" * 64  # another pre-key (its key with it, so that the entry holds together)
    rec[0] = reuse.PRE + rec[6]
    doc["files"][other][0] = reuse.PRE + "1" * 64  # a pre-key as key that is not the entry's
    _sign(project, out, doc)
    made: list[str] = []
    real = render_pool._output

    def output(job, route, key, findings):
        got = real(job, route, key, findings)
        if not got[2]:
            made.append(route.path)
        return got

    monkeypatch.setattr(render_pool, "_output", output)
    again = build(project, out)
    assert sorted(p for p in made if p.endswith(".html")) == sorted([CARD, other])
    assert again.reused == len(doc["files"]) - len(made)  # every other recorded file linked
    clean_build(project, clean)
    assert files(out) == files(clean)
    shutil.rmtree(clean)


# ------------------------------------------------------------------ digests of models (digest.py)
class Tagged(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    tags: frozenset[str] = frozenset()


def test_a_models_digest_is_its_values_its_fields_set_and_its_sets_in_sorted_order() -> None:
    """A model counts by its class, the values of its fields, which fields were set (a page may show
    only those) and anything else in its state; a set-valued field counts in sorted order, whatever
    order the set iterates in."""
    from decimal import Decimal

    from site_builder.scoring.facts import Event, Facts
    from site_builder.site.output.digest import digest, forget_shared

    forget_shared()  # the table of model classes is made again with the class above in it
    try:
        one = Facts(points=Decimal("2.5"), events=[Event(count=2, note="迟到")])
        assert digest(one) is not None and digest(Tagged(name="a")) is not None
        assert digest(one) == digest(Facts(points=Decimal("2.5"), events=[Event(count=2, note="迟到")]))
        assert digest(one) != digest(Facts(points=Decimal("2.50"), events=[Event(count=2, note="迟到")]))
        assert digest(one) != digest(Facts(points=Decimal("2.5"), events=[Event(count=1, note="迟到")]))
        assert digest(Facts(na=False)) != digest(Facts())  # the same values, another field set
        assert digest(Facts(na=False, note="甲")) == digest(Facts(note="甲", na=False))
        assert digest(Facts(points=Decimal(1))) != digest(Facts(value=Decimal(1)))  # which field holds it
        words = [f"单位{i}" for i in range(50)]
        ahead, behind = Tagged(name="a", tags=frozenset(words)), Tagged(name="a", tags=frozenset(reversed(words)))
        assert digest(ahead) == digest(behind)
        assert digest(ahead) != digest(Tagged(name="a", tags=frozenset(words[1:])))
        more = Tagged(name="a")
        object.__setattr__(more, "__dict__", {**more.__dict__, "cached": 1})  # a value beside the fields
        assert digest(more) != digest(Tagged(name="a"))
    finally:
        forget_shared()


def test_a_digest_writes_the_common_classes_by_number_and_names_their_table(monkeypatch) -> None:
    """A figure, a step or a line of results is pickled with its class written as its number in a
    table of common classes (not its module and name), so every digest hashes the table's names
    first: numbered otherwise, the same pickle names other classes and must give another digest."""
    import hashlib
    from decimal import Decimal

    from site_builder.scoring.rules.base import Step
    from site_builder.site.output import digest as dg

    value = (Decimal("1.5"), Step("rule.assessed", (("points", Decimal(2)),)))
    pickled = dg._dumps(value)
    assert b"decimal" not in pickled and b"Step" not in pickled  # by number
    one = dg.digest(value, swap=False)
    assert one is not None and one == dg.digest((Decimal("1.5"), Step("rule.assessed", (("points", Decimal(2)),))),
                                                swap=False)
    table, _ = dg._named()
    renumbered = {k: (len(table) - 1 - i, c) for k, (i, c) in table.items()}
    monkeypatch.setattr(dg, "_named", lambda: (renumbered, hashlib.sha256(b"another order").digest()))
    assert dg._dumps(value) != pickled
    assert dg.digest(value, swap=False) != one


def test_the_records_hold_json_values_only_and_read_back_whole(project: Path, tmp_path: Path) -> None:
    """Both records of a build (the routes' and the no-op fingerprint's) are written with ``marshal``
    (fingerprint.encode_record), which keeps a tuple a tuple and a number key a number where JSON would
    not: every value a maker records must be JSON's (a tuple would fail the readers' checks, and the
    file it describes be made again every build), and what is read back is what was written."""
    import json

    out = tmp_path / "site"
    build(project, out)
    set_score(project, "2018-Q1", "fgw", 44)
    build(project, out)  # pieces, sheets and batches recorded against a previous build
    paths = [reuse._record_path(project, out), fingerprint._record_path(project, out)]
    for path in paths:
        raw = path.read_bytes()
        doc = fingerprint.read_signed(path, reuse.MAX_RECORD)
        assert isinstance(doc, dict) and doc["files"]
        assert json.loads(json.dumps(doc)) == doc  # no tuple, no number as a key
        payload = raw.partition(b"\n")[2]
        assert payload.startswith(fingerprint.RECORD_MAGIC)
        assert fingerprint.decode_record(fingerprint.encode_record(doc)) == doc == fingerprint.decode_record(payload)
    extras = [rec[7] for rec in fingerprint.read_signed(paths[0], reuse.MAX_RECORD)["files"].values()]
    assert any(isinstance(e, dict) for e in extras) and any(isinstance(e, list) for e in extras)
