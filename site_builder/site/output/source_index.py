"""The personal numbers written in the source files, located once (:mod:`.privacy` reports a number
found in an output file at the place it was written)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from site_builder.errors import Mark
from site_builder.site.output.personal_numbers import locate_written, normalise, redact_number


class SourceIndex:
    """The personal numbers of the source files, located, computed once."""

    def __init__(self, sources: Mapping[str, bytes]) -> None:
        self.sources = sources
        self._located: dict[str, list[tuple[str, str, int, int, str]]] | None = None

    def located(self) -> dict[str, list[tuple[str, str, int, int, str]]]:
        if self._located is None:
            self._located = {p: locate_written(decode_source(b)) for p, b in sorted(self.sources.items())}
        return self._located

    def mark(self, kind: str, number: str) -> Mark | None:
        return self.where(number)[0]

    def where(self, number: str) -> tuple[Mark | None, str]:
        """Where ``number`` is written first, and how (masked)."""
        for path, hits in self.located().items():
            for _, n, line, col, written in hits:
                if n.upper() == number.upper():
                    return Mark(path, line, col), written
        files = self.files_with(number)
        return (Mark(files[0]) if files else None), redact_number(number)

    def files_with(self, number: str) -> tuple[str, ...]:
        """Source files holding the number's digits, however they are written."""
        out = []
        for path, hits in self.located().items():
            if any(n.upper() == number.upper() for _, n, *_ in hits):
                out.append(path)
        if out:
            return tuple(out)
        digits = number.rstrip("Xx")
        for path, data in sorted(self.sources.items()):
            if digits in re.sub(r"[^0-9]", "", normalise(decode_source(data))):
                out.append(path)
        return tuple(out)


def decode_source(data: bytes) -> str:
    """A source file's text as the scan reads it (a BOM dropped, undecodable bytes replaced)."""
    return data.decode("utf-8-sig", errors="replace")
