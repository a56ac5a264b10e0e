"""The last build's record of its files, held compactly while a rebuild runs (:class:`Entries`).

A rebuild's process holds the record of every file of the last build from the moment it loads
it until its last worker has forked (:mod:`.reuse`, :mod:`.render_pool`): at 10,000 units, 130,000
entries of nine values each — three SHA-256 digests as hexadecimal text, four numbers, a list —
took 89 MiB as read, some 700 bytes an entry, and every worker forked from that process started
from them.  Here each entry's three digests are 96 bytes of one buffer and its four numbers
(size, modification and change times, inode) four machine words of two arrays, about 300 bytes an
entry with its path; an entry is made back into the list the record holds (``[key, SHA-256,
size, mtime, ctime, inode, pre-key, extra, check]``, :func:`.reuse.save`) when it is looked up.
An entry this layout cannot hold as it is (a digest that is not lowercase hexadecimal of 64
digits, a number out of range) is kept as read: every entry reads back exactly as it was recorded.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Mapping

PRE = "pre:"  # a key made of a route's pre-key alone (its full key was not made; :mod:`.reuse`)
#: a SHA-256 as the records of a build write it (this record, and the pieces its downloads record)
SHA256_HEX = re.compile(r"[0-9a-f]{64}\Z")
_NO_PRE, _KEY_IS_PRE = 1, 2  # an entry's flags: no pre-key; its key is "pre:" and its pre-key
_SIGNED = (-(1 << 63), 1 << 63)
_WIDTH = 96  # the key's, the file's and the pre-key's SHA-256, 32 bytes each


def _digest(text: object) -> bool:
    return type(text) is str and SHA256_HEX.match(text) is not None


class Entries(Mapping):
    """Path → the record's entry of that file, as :func:`.reuse.load` read it (see the module)."""

    __slots__ = ("_at", "_digests", "_flags", "_stats", "_inodes", "_more", "_odd")

    def __init__(self, files: dict[str, list]) -> None:
        """The entries of ``files``, in their order (an entry kept as read after the others);
        ``files`` is emptied as they are taken, so that the memory of one read entry serves the next."""
        self._at: dict[str, int] = {}
        self._digests = bytearray()
        self._flags = bytearray()
        self._stats = array("q")  # size, modification and change times of each entry
        self._inodes = array("Q")
        self._more: dict[str, tuple] = {}  # path → (extra, check), where either is not None
        self._odd: dict[str, list] = {}  # path → an entry kept as read
        for path in list(files):
            rec = files.pop(path)
            if not self._put(path, rec):
                self._odd[path] = rec

    def _put(self, path: str, rec: list) -> bool:
        key, sha, size, mtime, ctime, inode, pre, extra, check = rec
        flags = 0
        if pre is None:
            flags |= _NO_PRE
        elif not _digest(pre):
            return False
        if pre is not None and key == PRE + pre:
            flags |= _KEY_IS_PRE
        elif not _digest(key):
            return False
        numbers = (size, mtime, ctime)
        if not _digest(sha) or not all(type(n) is int and _SIGNED[0] <= n < _SIGNED[1] for n in numbers):
            return False
        if type(inode) is not int or not 0 <= inode < 1 << 64:
            return False
        self._at[path] = len(self._flags)
        self._digests += bytes.fromhex(key if not flags & _KEY_IS_PRE else "0" * 64)
        self._digests += bytes.fromhex(sha)
        self._digests += bytes.fromhex(pre if pre is not None else "0" * 64)
        self._flags.append(flags)
        self._stats.extend(numbers)
        self._inodes.append(inode)
        if extra is not None or check is not None:
            self._more[path] = (extra, check)
        return True

    def __getitem__(self, path: str) -> list:
        i = self._at.get(path)
        if i is None:
            return self._odd[path]
        d, o, flags = self._digests, _WIDTH * i, self._flags[i]
        pre = None if flags & _NO_PRE else d[o + 64:o + 96].hex()
        key = PRE + pre if flags & _KEY_IS_PRE else d[o:o + 32].hex()
        s, j = self._stats, 3 * i
        extra, check = self._more.get(path, (None, None))
        return [key, d[o + 32:o + 64].hex(), s[j], s[j + 1], s[j + 2], self._inodes[i], pre, extra, check]

    def extra(self, path: str):
        """What the file's maker recorded of it (the entry's eighth value), without making its entry."""
        if path in self._at:
            return self._more.get(path, (None, None))[0]
        rec = self._odd.get(path)
        return None if rec is None else rec[7]

    def get(self, path: str, default=None):
        try:
            return self[path]
        except KeyError:
            return default

    def __contains__(self, path: object) -> bool:
        return path in self._at or path in self._odd

    def __iter__(self) -> Iterator[str]:
        yield from self._at
        yield from self._odd

    def __len__(self) -> int:
        return len(self._at) + len(self._odd)
