"""The sheets of a notice's XLSX that the last build wrote, taken over when unchanged.

Deflating is most of what an XLSX costs, and after an edit most sheets of a notice made again
are what they were: every unit's lines of a later period whose running totals changed, the
other groups' tables.  Each build records, for each XLSX file, each sheet's member: the key of
its XML (:meth:`.xlsx_sheet.Sheet.key`, the digest of everything its XML is made of), where its
deflated bytes lie in the file, their length, SHA-256, and the member's CRC-32 and size (the
``extra`` of the file in the signed record of the build, :meth:`.reuse.Previous.extra`).  The
next build of the file makes each sheet's rows as before; a sheet whose key is recorded takes
the deflated bytes from the last build's file instead of making and deflating its XML — only
when that file lies in the old output folder exactly as that build left it (size, times,
inode: :func:`.dataset_pieces.open_intact`) *and* the bytes read have the recorded SHA-256.  On
any doubt the sheet is made.  So the bytes are those of a clean build; with
``SITE_BUILDER_CHECK_PREKEYS`` (the tests) every sheet taken over is made all the same and
compared.  Nothing is stored besides the output and its record: a failed build leaves nothing,
and nothing grows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from site_builder.site.output import dataset_pieces, dataset_stream, reuse, write, xlsx
from site_builder.site.output.entries import SHA256_HEX

_U32 = 1 << 32


def valid(extra: Any) -> dict[str, tuple[int, int, int, int, str]] | None:
    """An XLSX file's record of sheets (:attr:`.xlsx.Package.sheets`) as key → (start, length, CRC-32,
    size, SHA-256), checked field by field (None: not one)."""
    if not isinstance(extra, list):
        return None
    out = {}
    for m in extra:
        if not (isinstance(m, list) and len(m) == 7 and isinstance(m[0], str)
                and isinstance(m[1], str) and SHA256_HEX.match(m[1]) and isinstance(m[6], str) and SHA256_HEX.match(m[6])
                and all(type(x) is int and 0 <= x < _U32 for x in m[2:6])):
            return None
        out[m[1]] = (m[2], m[3], m[4], m[5], m[6])
    return out


class OldBook:
    """The last build's XLSX file at a path, open for reading its sheets' deflated bytes."""

    def __init__(self, file: dataset_pieces.OldFile, sheets: dict[str, tuple[int, int, int, int, str]]) -> None:
        self.file, self.sheets = file, sheets
        self.taken = 0

    @classmethod
    def of(cls, previous: reuse.Previous | None, path: str) -> OldBook | None:
        """The file at ``path`` of the last build when it recorded its sheets and lies there intact."""
        if previous is None:
            return None
        sheets = valid(previous.extra(path))
        opened = dataset_pieces.open_intact(previous, path) if sheets else None
        return None if opened is None else cls(dataset_pieces.OldFile(*opened, {}), sheets)

    def member(self, key: str) -> xlsx.Deflated | None:
        """The deflated member of the sheet with this key, when its bytes are whole and have the
        recorded SHA-256 (else None: it is made)."""
        got = self.sheets.get(key)
        raw = None if got is None else self.file.read(got[0], got[1], got[4])
        if raw is None:
            return None
        self.taken += 1
        return xlsx.Deflated((raw, got[2], got[3]))

    def close(self) -> None:
        self.file.close()


class Book(reuse.Recorded):
    """An XLSX download made when written: ``make(old, keyed, check)`` gives its
    :class:`.xlsx.Package` saved in pieces (:meth:`.xlsx.Workbook.save`'s arguments), with the last
    build's file at ``path`` to take unchanged sheets from; once written, :attr:`record` holds its
    sheets' members for the next build."""

    def __init__(self, path: str, make: Callable[[OldBook | None, bool, bool], xlsx.Package]) -> None:
        self.path, self.make = path, make

    def __iter__(self) -> Iterator[bytes]:
        previous = dataset_stream.previous()
        old = OldBook.of(previous, self.path)
        try:
            package = self.make(old, previous is not None, bool(os.environ.get(reuse.CHECK_ENV)))
        finally:
            if old is not None:
                old.close()
        self.record = list(package.sheets) or None
        rest, package.rest = package.rest, ()
        yield package  # the file's first bytes, carrying the text of all of it to the scan
        rest.reverse()
        while rest:  # each piece let go once written
            yield write.Scanned(rest.pop())
