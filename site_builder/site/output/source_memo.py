"""What the privacy stage learnt of unchanged sources, kept for the next build.

Before a build renders anything it scans every source for personal numbers
(:func:`.privacy.source_problems`) and reads every period's registered names
(:func:`.personal_names.names_to_mask`).  After one fact of one period file
changed, the other files are the same bytes as last time, and so are the
answers.  A :class:`Memo` keeps them in one signed entry of its own folder of
``.site-builder/`` (the parse cache's format, site_builder/load/cache.py: a
keyed sha256 of the payload checked before anything is unpickled, the tool's
fingerprint — its code and libraries — in the key), by the sha256 of what each
answer was made of:

- ``clean-sources``: the digests of the source files found free of personal
  numbers (a file with a finding is scanned every time, so its problems are
  reported as always, at their ``file:line:column``);
- ``names``: the registered names of each period file, by the digests of its
  bytes and of every source it is validated with (site, registries, schemes).

A missing, damaged, stale or foreign entry is no memo at all (everything is
worked out again, then stored); only the answers the build asked for are
stored, so the entry never grows; during ``serve`` the entry's contents are kept in memory between
builds, as the parse cache's are; ``--no-cache`` (``SITE_BUILDER_NO_CACHE=1``)
turns it off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from site_builder.load import cache, warm
from site_builder.load.cache import SourceCache

FOLDER = ".site-builder/"


class Memo:
    """One kind of answer (``name``) by the digest of what it was made of."""

    def __init__(self, root: Path | None, name: str) -> None:
        self.cache = SourceCache(root, folder=FOLDER + name) if root is not None else None
        self.key = SourceCache.key("source memo", name) if self.cache and self.cache.enabled else None
        got = self.cache.get(self.key) if self.key else None
        self.old: dict = got if isinstance(got, dict) else {}
        self.new: dict = {}

    def get(self, key: Hashable) -> Any:
        """The answer stored for ``key`` (kept for the next build), or None."""
        got = self.old.get(key)
        if got is not None:
            self.new[key] = got
        return got

    def put(self, key: Hashable, value: Any) -> None:
        self.new[key] = value

    def save(self) -> None:
        """Store the answers of this build (only when they differ from what was read); during
        ``serve`` they are also kept in memory for the next build (site_builder/load/warm.py)."""
        if self.key is None:
            return
        if self.cache.memo is not None:
            self.cache.memo.replace({self.key: warm.note(self.new)})
        if self.new == self.old:
            return
        self.cache.store(self.key, self.new)
        self.cache.prune()  # the entry of another version of the tool


def digest(*parts: bytes) -> bytes:
    """The SHA-256 of ``parts``, each framed by its length (:func:`.cache.framed`)."""
    return cache.framed(hashlib.sha256(), parts).digest()
