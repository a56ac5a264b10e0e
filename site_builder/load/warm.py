"""What a build for ``serve`` read from the disk caches, kept in memory for the next one.

``site-builder serve`` builds again in the same process after every save.  Without this, each
of those builds unpickles the parse cache (``.site-builder/cache/``) and the period cache
(``.site-builder/periods/``) as a new process would, although it already made or read those very
objects a moment before.  In a build for serve (:func:`serving`, entered by ``_build(serve=True)``)
a cache takes an object from its :class:`Memo` instead, by exactly the key its disk entry has (the
source's digest, kind and the tool's fingerprint; a period's chain key K_i), so an object is taken
only where the disk entry would have been read, and it is the object that entry holds.

Why sharing the very objects between builds is sound:

- they are never changed after they are made: the validated models are frozen, the documents,
  periods and results are frozen dataclasses, and every stage that needs another value makes a
  copy (grading returns ``dataclasses.replace(result, levels=…)``, a pre-key's header a
  ``model_copy``, the privacy stage a masked copy of the site's data; ``extends`` merges wrapped
  copies of a scheme's document).  The tests check it: with ``SITE_BUILDER_CHECK_PREKEYS=1`` (the
  whole suite) an object is sealed (the digest of its pickle) when it is noted and checked when it
  is taken; a changed one stops the build;
- the memos keyed by an object's identity (``digest.remember``, ``prekeys.remember_groups``, the
  rules' ``per_object``) hold the object beside its value, and each value is a function of that
  object alone (a period's chain key stands for its result only where the result is the very one
  read or computed under that key), so sharing an object across builds shares a right value;
- bounded: a memo holds only what the last successful load or compute used (:meth:`Memo.replace`
  drops the rest), and only the memos of the last project served are kept, so a long session does
  not grow; ``serve`` lets them all go when it ends (:func:`forget`);
- a failed build changes nothing: a cache notes objects as it goes and hands them to its memo only
  where it writes its disk entries, after a load without problems or a compute without failures;
- ``--no-cache`` never reaches it: a cache that is off reads nothing, from disk or from here.

Outside a build for serve (``build``, ``check``, the command line) nothing is taken or kept: a
process that builds once would only hold the objects longer.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

#: The tests (tests/conftest.py): every object is sealed when noted and checked when taken.
CHECK_ENV = "SITE_BUILDER_CHECK_PREKEYS"

Noted = tuple[object, bytes | None]  # an object and its seal (None unless checking)


def _seal(obj: object) -> bytes | None:
    if not os.environ.get(CHECK_ENV):
        return None
    try:
        return hashlib.sha256(pickle.dumps(obj, protocol=5)).digest()
    except Exception:  # noqa: BLE001 - what cannot be pickled is not checked
        return None


def note(obj: object) -> Noted:
    """``obj`` as a cache notes it for its memo, at the moment it was read or made."""
    return obj, _seal(obj)


class Memo:
    """The objects of one cache folder by their entries' keys, as its last successful run used them."""

    def __init__(self) -> None:
        self.entries: dict[str, Noted] = {}

    def take(self, key: str) -> object | None:
        got = self.entries.get(key)
        if got is None:
            return None
        obj, seal = got
        if seal is not None and _seal(obj) != seal:
            raise AssertionError(f"an object kept for the next build was changed after it was made ({key})")
        return obj

    def replace(self, used: dict[str, Noted]) -> None:
        """Keep exactly ``used`` (what a successful run read or made), nothing else."""
        self.entries = dict(used)

    def __len__(self) -> int:
        return len(self.entries)


_MEMOS: dict[str, Memo] = {}  # by cache folder and part: those of the project served last
_SERVED: list[Path] = []  # that project's root
_ACTIVE: list[bool] = []  # one per build for serve in progress


@contextlib.contextmanager
def serving(root: Path) -> Iterator[None]:
    """A build for serve of the project at ``root``: its caches take what the last such build held and
    keep what it uses.  A project other than the last one served starts from nothing."""
    root = Path(root)
    if _SERVED != [root]:
        _MEMOS.clear()
        _SERVED[:] = [root]
    _ACTIVE.append(True)
    try:
        yield
    finally:
        _ACTIVE.pop()


def forget() -> None:
    """Let go of everything kept (the end of a serve run)."""
    _MEMOS.clear()
    _SERVED.clear()


def memo(folder: Path, part: str = "entries") -> Memo | None:
    """The memo of a cache folder (``part``: which objects of it), or None outside a build for serve."""
    if not _ACTIVE:
        return None
    return _MEMOS.setdefault(f"{part}\0{folder}", Memo())
