"""A period file edited in one entry is read by re-reading that entry alone (load/yamlsplice.py):
the document must be exactly the one loading the whole file gives, or the splice must decline."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.errors import Mark, Problems
from site_builder.load.yamlsafe import PlainStr, load_yaml_bytes
from site_builder.load.yamlsplice import same_document, spliced

D = "scores/s/2025-07.yaml"
OLD = """scheme: s
version: "2025"
period: 2025-07
units:
  u1:
    facts: {a: 1.5, b: 2, lvl: good}
  u2:
    facts: {a: 2.5, b: 3, awards: [{level: city, title: 示范}]}
    note: 已核实
  u3:
    facts:
      a: 3
      b: 4
# the last unit
  u4:
    status: exempt
    reason: 改制
notice: {date: 2025-08-10}
"""


def _old():
    doc = load_yaml_bytes(OLD.encode(), D, Problems())
    assert doc is not None
    return doc


def _check(new: str) -> object:
    """The splice of ``new``, checked against the whole load: equal, and only for a clean file."""
    got = spliced(OLD.encode(), _old(), new.encode(), D, 1 << 20)
    problems = Problems()
    whole = load_yaml_bytes(new.encode(), D, problems)
    if got is not None:
        assert not problems.items, problems.items
        assert whole is not None and same_document(got, whole)
    return got


def test_one_figure_changed_is_spliced_with_its_positions():
    new = OLD.replace("a: 2.5", "a: 12.75")
    got = _check(new)
    assert got is not None
    assert got.data["units"]["u2"]["facts"]["a"] == "12.75" and type(got.data["units"]["u2"]["facts"]["a"]) is PlainStr
    assert got.marks[("units", "u2", "facts", "a")] == Mark(D, 8, 16)
    assert got.marks[("units", "u2", "facts", "b")] == Mark(D, 8, 26)  # 24 before: two characters more
    # the other units are the old objects, not copies
    assert got.data["units"]["u1"] is _old().data["units"]["u1"] or got.data["units"]["u1"] == _old().data["units"]["u1"]


def test_lines_added_move_the_positions_after_the_entry():
    new = OLD.replace("      b: 4\n", "      b: 4\n      c: 5\n      d: 6\n")
    got = _check(new)
    assert got is not None
    assert got.data["units"]["u3"]["facts"] == {"a": "3", "b": "4", "c": "5", "d": "6"}
    assert got.key_marks[("units", "u4")] == Mark(D, 17, 3)  # line 15 before, two lines added above
    assert got.marks[("notice", "date")] == Mark(D, 20, 16)


def test_lines_removed_and_the_last_entry():
    got = _check(OLD.replace("    reason: 改制\n", ""))
    assert got is not None and got.data["units"]["u4"] == {"status": "exempt"}
    assert got.key_marks[("notice",)] == Mark(D, 17, 1)
    # a whole unit removed is a change of ``units`` itself: the whole file is read
    assert _check(OLD.replace("  u1:\n    facts: {a: 1.5, b: 2, lvl: good}\n", "")) is None


def test_declines_what_it_cannot_prove():
    # a new unit (a second key in the lines), a renamed key, a duplicate key, a tab, a block scalar,
    # a flow mapping left open, a key moved out of its entry, a Windows line end: the whole file is read
    for new in (
        OLD.replace("    note: 已核实\n", "    note: 已核实\n  u9:\n    status: exempt\n"),
        OLD.replace("  u2:\n", "  u22:\n"),
        OLD.replace("  u2:\n", "  u1:\n"),
        OLD.replace("    note: 已核实", "    note:\t已核实"),
        OLD.replace("    note: 已核实", "    note: |\n      已核实"),
        OLD.replace("a: 2.5, b: 3, awards: [{level: city, title: 示范}]}", "a: 2.5, b: 3,"),
        OLD.replace("    note: 已核实", "note: 已核实"),
        OLD.replace("    note: 已核实\n", "    note: 已核实\r\n"),
        OLD.replace("      b: 4", "      b: 4\n      b: 5"),
        OLD.replace("    note: 已核实", "    note: &x 已核实"),
        OLD.replace("scheme: s", "scheme: t"),  # a top-level key: the whole file
    ):
        assert _check(new) is None, new


def test_an_unfinished_flow_mapping_before_the_next_key_is_never_spliced():
    old = "units:\n  u1:\n    facts: {a: 1,\n  b: 2}\n  u2:\n    facts: {a: 3}\n"
    doc = load_yaml_bytes(old.encode(), D, Problems())
    if doc is None:  # PyYAML refuses the layout: nothing to splice from
        return
    new = old.replace("{a: 1,", "{a: 7,")
    got = spliced(old.encode(), doc, new.encode(), D, 1 << 20)
    if got is not None:
        whole = load_yaml_bytes(new.encode(), D, Problems())
        assert whole is not None and same_document(got, whole)


_PIECES = ["", "    x: 1", "      y: 2", "  u5:", "    facts: {a: 9}", "# note", "    facts: {a: [1, 2]}",
           "    facts: {a: 1,", "      b: 2}", "  - 3", "    note: \"引号\"", "    note: '单引号'", "    k: v: w",
           "units:", "    - a", "      ", "    deep: [[[[1]]]]", "    ? q", "    : r", "    a: *x", "---", "...", "    x:", "    note: a # c",
           "  # c", '    note: "多行', '      续"', "    facts: {a: 1}  ", "\t", "    events:", "    - b",
           "      - c", "    -", "  u3:", "    a: 'x", "      y'", "    facts: {}", "    [a, b]: c"]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=18), st.integers(min_value=0, max_value=2),
       st.lists(st.sampled_from(_PIECES), max_size=3))
def test_any_edit_splices_to_the_whole_load_or_declines(at, cut, insert):
    lines = OLD.split("\n")
    lines[at:at + cut] = insert
    _check("\n".join(lines))
