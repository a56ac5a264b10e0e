"""A JSON document written a piece at a time (:func:`chunks`): the bytes of :func:`.jsontext.document`
for a document of :class:`.jsontext.Parts` and :class:`.jsontext.Items`, each big list's items made
when the list is reached, and a :class:`Piece` given as a chunk of its own (its bytes may be taken
from the last build's file: :mod:`.json_pieces`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from json.encoder import encode_basestring

from site_builder.site.output.jsontext import Items, Parts, part


class Piece:
    """A value of a document that :func:`chunks` gives to its ``cut`` as a chunk of its own (its bytes
    alone, between the separators around it): ``key`` names what its text is made of (None: nothing
    to recognise it by), ``value`` is what is written (:func:`Piece.text`)."""

    __slots__ = ("key", "value")

    def __init__(self, key: str | None, value: object) -> None:
        self.key, self.value = key, value

    def text(self, depth: int) -> bytes:
        """The value's bytes at ``depth``, exactly as :func:`chunks` writes it there."""
        return "".join(p if type(p) is str else p.piece.text(p.depth).decode("utf-8")
                       for p in _pieces(self.value, depth)).encode("utf-8")


class _Cut:
    __slots__ = ("depth", "piece")

    def __init__(self, piece: Piece, depth: int) -> None:
        self.piece, self.depth = piece, depth


def chunks(doc: object, size: int = 1 << 16, cut: Callable[[Piece, int], bytes] | None = None) -> Iterator[bytes]:
    """:func:`document`'s bytes for a document of :class:`Parts` and :class:`Items`, in pieces of about
    ``size`` characters or more, each ending between two of its values (never inside a text).  A
    :class:`Piece` in it is a chunk of its own: ``cut(piece, depth)`` gives its bytes (by default
    :meth:`Piece.text`), asked for once every chunk before it has been given."""
    buf: list[str] = []
    n = 0
    for piece in _pieces(doc, 0):
        if type(piece) is _Cut:
            if buf:
                yield "".join(buf).encode("utf-8")
                buf, n = [], 0
            yield cut(piece.piece, piece.depth) if cut is not None else piece.piece.text(piece.depth)
            continue
        buf.append(piece)
        n += len(piece)
        if n >= size:
            yield "".join(buf).encode("utf-8")
            buf, n = [], 0
    buf.append("\n")
    yield "".join(buf).encode("utf-8")


def _pieces(o: object, depth: int) -> Iterator[str]:
    if type(o) is Piece:
        yield _Cut(o, depth)  # type: ignore[misc] - taken out by chunks (Piece.text: its value's text)
    elif isinstance(o, Items):
        inner = "\n" + " " * (depth + 1)
        sep = "[" + inner
        for item in o.make():
            yield sep
            sep = "," + inner
            yield from _pieces(item, depth + 1)
        yield "[]" if sep[0] == "[" else inner[:-1] + "]"
    elif isinstance(o, Parts):
        if not o:
            yield "{}"
            return
        if not all(isinstance(k, str) for k in o):
            raise TypeError("the keys of a document's Parts are texts")
        inner = "\n" + " " * (depth + 1)
        sep = "{" + inner
        for k, v in sorted(o.items()):
            yield sep + encode_basestring(k) + ": "
            sep = "," + inner
            yield from _pieces(v, depth + 1)
        yield inner[:-1] + "}"
    else:
        yield part(o, depth)
