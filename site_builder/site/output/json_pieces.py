"""The groups of a notice's JSON that the last build wrote, taken over when unchanged.

Encoding a group of a notice's JSON (its rows, each with the points of every line) is most of
what the file costs, and after an edit most groups of a notice made again are what they were:
an edit in the middle of the year changes the running totals of one unit in each later period,
so of each later notice only that unit's group changes.  The JSON is written a piece at a time
(:func:`.json_chunks.chunks`); each group is a :class:`.json_chunks.Piece` whose key is the digest of
everything its text is made of (the group's table, its units' lines and running totals, its
depth in the document).  Each build records, for each notice's JSON, each group's key, where
its bytes lie in the file, their length and SHA-256 (the ``extra`` of the file in the signed
record of the build, :meth:`.reuse.Previous.extra`).  The next build takes a group's bytes from
the last build's file instead of encoding it only when its key is recorded, the file lies in the
old output folder exactly as that build left it (size, times, inode:
:func:`.dataset_pieces.open_intact`) *and* the bytes read have the recorded SHA-256.  On any
doubt the group is made.  So the bytes are those of a clean build; with
``SITE_BUILDER_CHECK_PREKEYS`` (the tests) every group taken over is made all the same and
compared.  Bytes taken over passed the privacy scan when they were made (under the same masked
names, part of the build's key) and are not scanned again (:class:`.write.Kept`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from typing import Any

from site_builder.site.output import dataset_pieces, dataset_stream, json_chunks, reuse
from site_builder.site.output.entries import SHA256_HEX
from site_builder.site.output.stage import Kept


def valid(extra: Any) -> dict[str, tuple[int, int, str]] | None:
    """A JSON file's record of pieces as key → (start, length, SHA-256), checked field by field (None:
    not one)."""
    if not isinstance(extra, list) or not extra:
        return None
    out = {}
    for m in extra:
        if not (isinstance(m, list) and len(m) == 4 and isinstance(m[0], str) and SHA256_HEX.match(m[0])
                and type(m[1]) is int and type(m[2]) is int and m[1] >= 0 and m[2] > 0
                and isinstance(m[3], str) and SHA256_HEX.match(m[3])):
            return None
        out[m[0]] = (m[1], m[2], m[3])
    return out


class Doc(reuse.Recorded):
    """A notice's JSON made when written: ``make(cut)`` gives its chunks (:func:`.json_chunks.chunks`
    with that ``cut``), its groups as :class:`.json_chunks.Piece`; each group recorded in the last
    build's file at ``path`` is taken from there; once written, :attr:`record` holds the file's pieces
    for the next build."""

    def __init__(self, path: str, make: Callable[[Callable | None, bool], Iterator[bytes]]) -> None:
        self.path, self.make = path, make
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        previous = dataset_stream.previous()
        if previous is None:  # no record kept (--no-cache): nothing to key, record or take over
            yield from self.make(None, False)
            return
        pieces = valid(previous.extra(self.path))
        opened = dataset_pieces.open_intact(previous, self.path) if pieces else None
        old = None if opened is None else dataset_pieces.OldFile(*opened, {})
        check = bool(os.environ.get(reuse.CHECK_ENV))
        record: list[list] = []
        at = 0

        def cut(piece: json_chunks.Piece, depth: int) -> bytes:
            got = None
            # the key with the piece's depth (its text is indented to it)
            key = None if piece.key is None else hashlib.sha256(f"{piece.key} {depth}".encode()).hexdigest()
            if old is not None and key is not None and key in pieces:
                start, length, sha = pieces[key]
                got = old.read(start, length, sha)
            if got is not None:
                if check and piece.text(depth) != got:
                    raise AssertionError(f"{self.path}: equal keys of a group, other bytes (json_pieces)")
                self.taken += 1
                data = Kept(got)
            else:
                data = piece.text(depth)
                sha = hashlib.sha256(data).hexdigest()
            if key is not None and data:
                record.append([key, at, len(data), sha])
            return data

        try:
            for chunk in self.make(cut, True):
                at += len(chunk)
                yield chunk
        finally:
            if old is not None:
                old.close()
        self.record = record or None
