"""The JSON downloads' fast encoder writes exactly what ``json.dumps`` writes."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.site.output import json_chunks, jsontext
from site_builder.site.output.xlsx import Number


def reference(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)


# any text without lone surrogates (UTF-8 cannot hold them): CJK, control characters, quotes,
# backslashes, U+2028/9, astral characters
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.builds(Number, st.from_regex(r"-?[0-9]{1,4}\.[0-9]{1,2}", fullmatch=True)),  # a str subclass
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(texts, inner, max_size=5),
    ),
    max_leaves=40,
)


@settings(max_examples=600, deadline=None)
@given(documents)
def test_same_text_as_json_dumps(doc):
    assert jsontext.dumps(doc) == reference(doc)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none(), st.floats(), texts), scalars, max_size=4))
def test_keys_that_are_not_text_as_json_dumps(doc):
    """json.dumps writes numbers, yes/no and none as keys (or refuses mixed kinds): the same here."""
    try:
        expected = reference(doc)
    except TypeError as exc:
        expected = exc
    try:
        got = jsontext.dumps(doc)
    except TypeError as exc:
        assert isinstance(expected, TypeError) and str(exc) == str(expected)
    else:
        assert got == expected


def test_exact_layout():
    doc = {"b": [1, {"x": None, "a": True}], "a": {}, "c": [], "d": "引号\"\\\n\u2028", "e": -1.5e300}
    assert jsontext.dumps(doc) == (
        '{\n "a": {},\n "b": [\n  1,\n  {\n   "a": true,\n   "x": null\n  }\n ],\n "c": [],\n'
        ' "d": "引号\\"\\\\\\n\u2028",\n "e": -1.5e+300\n}'
    )
    assert jsontext.document(doc) == (reference(doc) + "\n").encode("utf-8")
    assert jsontext.dumps(math.inf) == "Infinity" and jsontext.dumps("x") == '"x"'


def test_what_json_cannot_write_fails_as_json_dumps():
    from decimal import Decimal

    for bad in ({"a": [Decimal("1.5")]}, {"a": {1, 2}}, [object()]):
        try:
            reference(bad)
        except TypeError as exc:
            expected = str(exc)
        try:
            jsontext.dumps(bad)
        except TypeError as exc:
            assert str(exc) == expected
        else:
            raise AssertionError(f"{bad!r} was written")
    loop: list = []
    loop.append(loop)
    try:
        jsontext.dumps({"a": loop})
    except ValueError as exc:
        assert "Circular reference" in str(exc)
    else:
        raise AssertionError("a cycle was written")


def test_without_the_c_encoder_the_same_text(monkeypatch):
    """A Python without the _json accelerator writes the records itself, the same text."""
    monkeypatch.setattr(jsontext, "c_make_encoder", None)
    docs = [
        {"rows": [{"b": 1, "a": "县\n\"x\"", "c": None, "d": True, "e": 1.5}, {}], "z": [1, "2", None, False]},
        [[], {}, [{"k": -0.0}], float("nan")],
        {"n": 10**30, "s": Number("96.40")},
    ]
    for doc in docs:
        assert jsontext.dumps(doc) == reference(doc)
    assert jsontext.dumps({1: "a"}) == reference({1: "a"})  # a number as key: json.dumps writes it


def _lazy(doc, rnd):
    """``doc`` with some of its text-keyed dicts as :class:`jsontext.Parts` and lists as :class:`jsontext.Items`."""
    if isinstance(doc, dict) and all(isinstance(k, str) for k in doc) and rnd.random() < 0.6:
        return jsontext.Parts({k: _lazy(v, rnd) for k, v in doc.items()})
    if isinstance(doc, (list, tuple)) and rnd.random() < 0.6:
        items = [_lazy(v, rnd) for v in doc]
        return jsontext.Items(lambda: iter(items))
    return doc


@settings(max_examples=400, deadline=None)
@given(documents.filter(lambda d: isinstance(d, (dict, list, tuple))), st.randoms(use_true_random=False),
       st.integers(1, 300))
def test_a_document_written_in_pieces_is_the_text_of_json_dumps(doc, rnd, size):
    """Parts and Items written a value at a time (pieces of about ``size`` characters): the bytes of the
    whole document, each piece whole UTF-8 (never cut inside a text)."""
    pieces = list(json_chunks.chunks(_lazy(doc, rnd), size=size))
    assert b"".join(pieces) == jsontext.document(doc) == (reference(doc) + "\n").encode("utf-8")
    for piece in pieces[:-1]:
        assert len(piece.decode("utf-8")) >= size


def _cut_up(doc, rnd):
    """``doc`` lazy (:func:`_lazy`) with some of its values as :class:`json_chunks.Piece`."""
    doc = _lazy(doc, rnd)
    if isinstance(doc, jsontext.Parts):
        return jsontext.Parts({k: json_chunks.Piece(k, v) if rnd.random() < 0.5 else _cut_up(v, rnd)
                               for k, v in doc.items()})
    if isinstance(doc, jsontext.Items):
        items = [json_chunks.Piece(None, v) if rnd.random() < 0.5 else v for v in doc.make()]
        return jsontext.Items(lambda: iter(items))
    return doc


@settings(max_examples=300, deadline=None)
@given(documents.filter(lambda d: isinstance(d, (dict, list, tuple))), st.randoms(use_true_random=False),
       st.integers(1, 300))
def test_a_document_with_pieces_cut_out_is_the_text_of_json_dumps(doc, rnd, size):
    """Values given as Pieces are chunks of their own, each asked of ``cut`` with its depth once every
    chunk before it was given: the bytes of the whole document all the same, each piece the value's
    text at its depth (the text json.dumps writes there)."""
    given_ = []
    out = []

    def cut(piece, depth):
        text = piece.text(depth)
        given_.append((sum(map(len, out)), text))
        return text

    out.extend(json_chunks.chunks(_cut_up(doc, rnd), size=size, cut=cut))  # (cut reads what came before)
    whole = b"".join(out)
    assert whole == (reference(doc) + "\n").encode("utf-8")
    for at, text in given_:
        assert whole[at:at + len(text)] == text  # each piece at the place it was asked for
    assert b"".join(json_chunks.chunks(_cut_up(doc, rnd), size=size)) == whole  # no cut: Piece.text


def test_a_piece_is_its_value_at_its_depth():
    doc = jsontext.Parts({"groups": jsontext.Items(lambda: [json_chunks.Piece("k", {"b": [1, "县"], "a": None})]),
                          "z": 1})
    seen = []
    text = b"".join(json_chunks.chunks(doc, cut=lambda p, d: seen.append((p.key, d)) or p.text(d)))
    assert seen == [("k", 2)]
    assert text == (
        '{\n "groups": [\n  {\n   "a": null,\n   "b": [\n    1,\n    "县"\n   ]\n  }\n ],\n "z": 1\n}\n'
    ).encode("utf-8")


def test_a_piece_json_dumps_must_write_is_written_as_json_dumps_writes_it():
    # a dict with a number as a key inside a lazy list: that item left to json.dumps, indented to its depth
    doc = {"rows": [{"a": {1: "x", 2: [None]}}, {"b": float("nan")}], "z": "县"}
    lazy = jsontext.Parts(rows=jsontext.Items(lambda: iter(doc["rows"])), z="县")
    assert b"".join(json_chunks.chunks(lazy)) == (reference(doc) + "\n").encode("utf-8")
    assert b"".join(json_chunks.chunks(jsontext.Items(lambda: ()))) == b"[]\n"
    assert b"".join(json_chunks.chunks(jsontext.Parts())) == b"{}\n"


@st.composite
def tables(draw):
    """Rows of one set of text keys (a long table's records), now and then one row that differs."""
    keys = draw(st.lists(texts, min_size=1, max_size=6, unique=True))
    rows = draw(st.lists(st.fixed_dictionaries({k: scalars for k in keys}), min_size=1, max_size=8))
    if draw(st.booleans()):
        odd = draw(st.one_of(st.dictionaries(texts, scalars, max_size=3),
                             st.fixed_dictionaries({k: st.lists(scalars, max_size=2) for k in keys})))
        rows.insert(draw(st.integers(0, len(rows))), odd)
    return rows


@settings(max_examples=400, deadline=None)
@given(tables(), st.integers(0, 4))
def test_rows_of_one_set_of_keys_encoded_together_as_json_dumps(rows, depth):
    doc = {"t": rows}
    assert jsontext.dumps(doc) == reference(doc)
    together = jsontext.records(rows, depth)
    if together is not None:  # rows of one set of keys holding no container: as each row written alone
        assert together == ("," + "\n" + " " * depth).join(jsontext._value(r, depth) for r in rows)
    else:
        assert len({frozenset(r) for r in rows}) > 1 or any(
            type(v) not in (str, int, bool, float, type(None)) for r in rows for v in r.values()) or not rows[0]


def test_rows_encoded_together_exact_layout():
    rows = [{"b": 1, "a": "县\x00\"", "c": None}, {"a": "x", "c": 2.5, "b": True}]
    assert jsontext.records(rows, 2) == (
        '{\n   "a": "县\\u0000\\"",\n   "b": 1,\n   "c": null\n  },\n'
        '  {\n   "a": "x",\n   "b": true,\n   "c": 2.5\n  }')
    assert jsontext.records([{"a": 1}, {"b": 1}], 2) is None
    assert jsontext.records([{"a": [1]}], 2) is None
    assert jsontext.records([{}], 2) is None


@settings(max_examples=300, deadline=None)
@given(tables(), st.sets(texts, max_size=3), st.randoms(use_true_random=False))
def test_rows_written_without_some_keys_as_json_dumps_of_the_rows_without_them(rows, omit, rnd):
    omit = frozenset(omit | set(rnd.sample(sorted(rows[0]), min(1, len(rows[0])))))
    plain = [{k: v for k, v in r.items() if k not in omit} for r in rows]
    doc = {"a": 1, "rows": plain}
    lazy = jsontext.Parts(a=1, rows=jsontext.Rows(rows, omit))
    assert b"".join(json_chunks.chunks(lazy)) == (reference(doc) + "\n").encode("utf-8")
    assert jsontext.dumps({"a": 1, "rows": jsontext.Rows(rows, omit)}) == reference(doc)


def test_rows_inside_a_value_json_dumps_must_write():
    rows = [{"unit_id": "u1", "x": "1.5"}, {"unit_id": "u2", "x": None}]
    doc = {"k": {1: ["a number as a key: left to json.dumps"]}, "rows": jsontext.Rows(rows, frozenset({"unit_id"}))}
    assert jsontext.dumps(doc) == reference({"k": doc["k"], "rows": [{"x": "1.5"}, {"x": None}]})
    assert jsontext.dumps({"rows": jsontext.Rows([])}) == reference({"rows": []})


# values that compare equal but are written apart (1, true, 1.0; 0, false, -0.0, 0.0), in columns of one
# kind or mixed: each distinct value of a column encoded once must still be written as its own
alike = st.sampled_from([1, True, 1.0, 0, False, 0.0, -0.0, None, "1", "true", float("nan")])


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5, unique=True).flatmap(
    lambda keys: st.tuples(st.just(keys), st.lists(st.fixed_dictionaries({k: st.one_of(alike, scalars) for k in keys}),
                                                   min_size=1, max_size=12))),
       st.integers(0, 3))
def test_columns_are_written_as_the_same_rows_as_dicts(keys_rows, depth):
    keys, rows = keys_rows
    columns = jsontext.Columns.of_dicts(tuple(keys), rows)
    assert jsontext.records(columns, depth) == jsontext.records(rows, depth)
    assert jsontext.dumps({"t": columns}) == reference({"t": rows})


def test_equal_values_of_a_column_are_written_as_their_kind():
    rows = [{"a": 1, "b": 0.0}, {"a": True, "b": -0.0}, {"a": 1.0, "b": 0}, {"a": 1, "b": None}]
    columns = jsontext.Columns.of_dicts(("a", "b"), rows)
    assert jsontext.records(columns, 0) == (
        '{\n "a": 1,\n "b": 0.0\n},\n{\n "a": true,\n "b": -0.0\n},\n'
        '{\n "a": 1.0,\n "b": 0\n},\n{\n "a": 1,\n "b": null\n}')


def test_lists_sharing_their_encodings_keep_each_kind_apart():
    """Each unit's lines in one document share the values encoded by field and kind (Rows' caches):
    a field holding 1 in one list and true in the next is written as each."""
    caches: dict = {}
    first = jsontext.Columns(("a", "u"), ((1, 1, None), ("x", "y", "x")))
    second = jsontext.Columns(("a", "u"), ((True, None, False), ("x", "x", "z")))
    third = jsontext.Columns(("a", "u"), ((1.0, 1, True), ("y", "y", "y")))  # mixed: value by value
    doc = {"g": [jsontext.Rows(rows, frozenset({"u"}) if i else frozenset(), caches)
                 for i, rows in enumerate((first, second, third))]}
    plain = {"g": [list(first), [{"a": r["a"]} for r in second], [{"a": r["a"]} for r in third]]}
    assert jsontext.dumps(doc) == reference(plain)
    assert set(caches) == {("a", int), ("u", str), ("a", bool)}
