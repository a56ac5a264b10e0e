"""The pieces of a scheme's dataset files that the last build wrote, taken over when unchanged.

A dataset file (``data/<scheme>/``: a CSV per table, one JSON) is made a batch of rows at a
time, each period's batches from that period's records only (:mod:`.dataset_stream`).  A
period's records are a function of its *period key* (:func:`.dataset_stream.period_key`), so
when a build makes a dataset file again because one period changed, every other period's
batches are the bytes the last build wrote for the same period key; and in a period that
changed, a batch whose rows equal a batch of the last build's file (most of them, when one
unit's facts changed) is those bytes too.  Each build records, per dataset file, per period
key: the digest of the period's records (made only under ``SITE_BUILDER_CHECK_PREKEYS``, to check
that equal period keys give equal records: the files are keyed by the period keys,
:func:`.dataset_stream.inputs`), the data dictionary's examples found in them, and, per table,
the byte range, SHA-256 and digest of the rows of each batch.  The record is the ``extra`` of
the file in the signed record of the build (:meth:`.reuse.Previous.extra`).

A batch is copied from the last build's file only when that file lies in the old output
folder exactly as that build left it (size, modification and change times, inode: checked on
the open file) *and* the bytes read have the recorded SHA-256; on any doubt the batch is made.
Copied bytes passed the privacy scan when they were first made, under the same masked names
(part of the build's key), so they are hashed and written but not scanned again
(:class:`.write.Kept`).  With ``SITE_BUILDER_CHECK_PREKEYS`` (the tests) every copied batch
and every remembered digest is checked against the one made from the records.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from site_builder.site.output import reuse
from site_builder.site.output.entries import SHA256_HEX


def valid(extra: Any) -> dict[str, tuple[str | None, dict[str, list[tuple[int, int, str, str | None]]], dict | None]] | None:
    """A dataset file's record of pieces, checked field by field (None: not one)."""
    if not isinstance(extra, dict):
        return None
    out = {}
    for pk, entry in extra.items():
        if not (isinstance(pk, str) and SHA256_HEX.match(pk) and isinstance(entry, list) and len(entry) == 3):
            return None
        records, tables, examples = entry
        if not ((records is None or (isinstance(records, str) and SHA256_HEX.match(records))) and isinstance(tables, dict)
                and (examples is None or _examples(examples))):
            return None
        checked = {}
        for table, ranges in tables.items():
            if not (isinstance(table, str) and isinstance(ranges, list)):
                return None
            rs = []
            for r in ranges:
                if not (isinstance(r, list) and len(r) == 4 and all(type(x) is int and x >= 0 for x in r[:2])
                        and isinstance(r[2], str) and SHA256_HEX.match(r[2])
                        and (r[3] is None or (isinstance(r[3], str) and SHA256_HEX.match(r[3])))):
                    return None
                rs.append((r[0], r[1], r[2], r[3]))
            checked[table] = rs
        out[pk] = (records, checked, examples)
    return out


def _examples(value: Any) -> bool:
    """A period's examples (:func:`.dataset_stream.period_examples`): table → field → text, integer
    or true/false."""
    return isinstance(value, dict) and all(
        isinstance(t, str) and isinstance(fields, dict)
        and all(isinstance(f, str) and type(v) in (str, int, bool) for f, v in fields.items())
        for t, fields in value.items())


class Last:
    """What the last build of the output folder recorded of its dataset files (``previous``:
    :class:`.reuse.Previous`, None: nothing), and the digests of periods' records known in this
    process (made and compared only under ``SITE_BUILDER_CHECK_PREKEYS``)."""

    def __init__(self, previous: Any = None) -> None:
        self.previous = previous
        self.recording = previous is not None  # None: no record is kept (--no-cache), nothing to note
        self.digests: dict[str, str] = {}  # period key -> digest of the period's records
        self.examples: dict[str, dict] = {}  # period key -> the examples of the data dictionary in its records
        self.pieces: dict[str, dict] = {}  # path -> its record of pieces (:func:`valid`)
        if previous is None or previous.build is None:
            return
        clash: set[str] = set()
        for path in previous.files:
            pieces = valid(previous.extra(path))
            if pieces:
                self.pieces[path] = pieces
            for pk, (records, _, examples) in (pieces or {}).items():
                for memo, value in ((self.digests, records), (self.examples, examples)):
                    if value is not None and memo.setdefault(pk, value) != value:
                        clash.add(pk)  # never in a record this tool wrote: trust neither
        for pk in clash:
            self.digests.pop(pk, None)
            self.examples.pop(pk, None)

    def old_file(self, path: str) -> OldFile | None:
        """The last build's file at ``path`` with its pieces, when it lies there as that build left it."""
        pieces = self.pieces.get(path)
        opened = open_intact(self.previous, path) if pieces else None
        return None if opened is None else OldFile(*opened, pieces)


def open_intact(previous: Any, path: str) -> tuple[int, int] | None:
    """(an open descriptor, size) of the last build's file at ``path`` (``previous``:
    :class:`.reuse.Previous`) when it lies in the old output folder exactly as that build left it
    (size, modification and change times, inode: checked on the open file); else None."""
    if previous is None or previous.build is None:
        return None
    rec = previous.files.get(path)
    if rec is None:
        return None
    try:
        fd = os.open(os.path.join(previous.out, path), os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        st = None
    if st is not None and reuse.as_left(st, rec):
        return fd, st.st_size
    os.close(fd)
    return None


class OldFile:
    """An intact dataset file of the last build, open for reading its pieces."""

    def __init__(self, fd: int, size: int, pieces: dict) -> None:
        self.fd, self.size, self.pieces = fd, size, pieces
        self._by_rows: dict | None = None

    def ranges(self, pk: str | None, table: str) -> list[tuple[int, int, str, str | None]] | None:
        """(start, length, SHA-256, digest of its rows) of each batch of ``table`` of the period with key
        ``pk`` (None: unknown)."""
        entry = self.pieces.get(pk) if pk is not None else None
        return None if entry is None else entry[1].get(table)

    def same_rows(self, table: str, rows_digest: str) -> tuple[bytes, str] | None:
        """(bytes, SHA-256) of a batch of ``table`` of any period whose rows have this digest, when
        intact (None: none)."""
        if self._by_rows is None:
            self._by_rows = {(t, r[3]): r for _, tables, _ in self.pieces.values()
                             for t, ranges in tables.items() for r in ranges if r[3] is not None}
        r = self._by_rows.get((table, rows_digest))
        got = None if r is None else self.read(r[0], r[1], r[2])
        return None if got is None else (got, r[2])

    def read(self, start: int, length: int, sha: str) -> bytes | None:
        """The bytes at ``start`` when they are whole and have the SHA-256 ``sha`` (else None)."""
        if start + length > self.size:
            return None
        parts, left = [], length
        try:
            os.lseek(self.fd, start, os.SEEK_SET)  # (no os.pread on Windows)
            while left:
                part = os.read(self.fd, left)
                if not part:
                    break
                parts.append(part)
                left -= len(part)
        except OSError:
            return None
        got = b"".join(parts)
        if len(got) != length or hashlib.sha256(got).hexdigest() != sha:
            return None
        return got

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
