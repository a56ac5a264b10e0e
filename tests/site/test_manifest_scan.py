"""The privacy scan of manifest.json reads its digests as filler (``build.manifest_scanned``): the same
findings as the document itself, at the same offsets, for a fraction of the time."""

from __future__ import annotations

import datetime as dt
import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.site.build import manifest, manifest_scanned
from site_builder.site.output import privacy

MOBILE = "13812345678"


def _findings(files: dict[str, bytes]) -> list[tuple]:
    return [(f.kind, f.text, f.page, f.mark) for f in privacy.scan(files, {})]


def test_every_digest_and_nothing_else_is_filler():
    sources = {"scores/a/2025-01.yaml": b"x: 1\n", "site.yaml": b"title: t\n"}
    pages = {f"units/{MOBILE}/index.html": hashlib.sha256(b"a").hexdigest(),
             "index.html": hashlib.sha256(b"b").hexdigest()}
    doc = manifest(sources, pages, dt.date(2025, 3, 1))
    seen = manifest_scanned(doc)
    assert len(seen) == len(doc)
    text = seen.decode("utf-8")
    for h in [*pages.values(), *(hashlib.sha256(b).hexdigest() for b in sources.values())]:
        assert h.encode() in doc and h not in text
    assert text.count('"' + "f" * 64 + '"') == 4
    # the paths and the date are read as written
    assert f"units/{MOBILE}/index.html" in text and '"as_of": "2025-03-01"' in text
    assert _findings({"manifest.json": seen}) == _findings({"manifest.json": doc})
    assert [f[0] for f in _findings({"manifest.json": seen})] == ["mobile"]


def test_a_number_in_a_value_that_is_no_digest_is_still_read():
    # 64 characters, but not all hexadecimal digits: not a digest, not hidden
    value = (MOBILE + "g" * 53).encode()
    doc = b'{"pages": {"a.html": "' + value + b'"}}\n'
    assert manifest_scanned(doc) == doc


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.from_regex(r"[a-z0-9]{1,12}(/[a-z0-9]{1,12}){0,2}\.html", fullmatch=True),
                       st.binary(min_size=0, max_size=8)), min_size=1, max_size=8),
    st.lists(st.sampled_from(["0123456789", "13812345678", "110101199003074578", "abcdef"]), max_size=6),
)
def test_the_scan_finds_in_the_view_what_it_finds_in_the_manifest(named, runs):
    """Digests made to hold digit runs a scan looks at (a mobile or ID number inside a hash) and paths
    that hold numbers or not: the view's findings are the document's."""
    pages = {}
    for i, (path, salt) in enumerate(named):
        h = hashlib.sha256(salt + bytes([i])).hexdigest()
        if runs:
            run = runs[i % len(runs)]
            h = (run + h)[:64]  # a digest with a personal number's digits at its start
        pages[path] = h
    doc = manifest({}, pages)
    assert _findings({"manifest.json": manifest_scanned(doc)}) == _findings({"manifest.json": doc})
