"""A period file edited in one entry is read by re-reading that entry alone (load/yamlsplice.py):
the document must be exactly the one loading the whole file gives, or the splice must decline."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.errors import Mark, Problems
from site_builder.load.yamlsafe import PlainStr, load_yaml_bytes
from site_builder.load.yamlsplice import document, light, same_document, spliced

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
    parts = spliced(OLD.encode(), light(_old()), new.encode(), D, 1 << 20)
    got = None if parts is None else document(D, parts)
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
    # the other units are the old objects, not copies, and their positions the old pairs
    old = light(_old())
    parts = spliced(OLD.encode(), old, new.encode(), D, 1 << 20)
    assert parts[0]["units"]["u1"] is old[0]["units"]["u1"] and parts[0] is not old[0]
    assert parts[1][("notice", "date")] is old[1][("notice", "date")]


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
    parts = spliced(old.encode(), light(doc), new.encode(), D, 1 << 20)
    if parts is not None:
        got = document(D, parts)
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


# ------------------------------------------------------------------ in a load (pipeline._parse)

def _load_counting(root, monkeypatch):
    """Load ``root`` with its cache, serially; (project, rendered problems, splices made)."""
    import site_builder.pipeline as pipeline
    from site_builder.load import yamlsplice
    from site_builder.load.cache import SourceCache

    made: list[bool] = []
    real = yamlsplice.spliced

    def counted(*args):
        got = real(*args)
        made.append(got is not None)
        return got

    monkeypatch.setattr(yamlsplice, "spliced", counted)
    monkeypatch.setenv(pipeline.ENV_SERIAL, "1")
    problems = Problems()
    project = pipeline.load_project(root, problems, SourceCache(root))
    return project, [p.render() for p in problems.items], made


def _no_cache(root):
    import site_builder.pipeline as pipeline
    from site_builder.load.cache import SourceCache

    problems = Problems()
    project = pipeline.load_project(root, problems, SourceCache(root, enabled=False))
    return project, [p.render() for p in problems.items]


def test_an_edit_in_a_load_is_spliced_and_loads_as_a_fresh_load(tmp_path, monkeypatch):
    from scratch import make_project
    from test_cache_staged import _quarters

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("SITE_BUILDER_NO_CACHE", raising=False)
    root = make_project(tmp_path / "p", _quarters(5))
    _, said, made = _load_counting(root, monkeypatch)
    assert not said and made == []  # cold: nothing to splice from
    q2 = root / "scores/demo/2024-Q2.yaml"
    text = q2.read_text("utf-8")
    at = text.index("  a3:\n")
    q2.write_text(text[:at] + text[at:].replace("work: 9.5", "work: 7.25", 1), "utf-8")
    project, said, made = _load_counting(root, monkeypatch)
    assert not said and made == [True]
    fresh, fresh_said = _no_cache(root)
    assert project == fresh and not fresh_said
    q2_period = next(p for p in project.periods if p.path == "scores/demo/2024-Q2.yaml")
    work = q2_period.facts["a3"]["work"]
    assert "7.25" in (str(work.points), str(work.value)) and "7.25" not in str(next(p for p in project.periods if p.path.endswith("Q1.yaml")).facts["a3"]["work"])
    # the next edit splices from this one
    q2.write_text(q2.read_text("utf-8").replace("work: 7.25", "work: 6", 1), "utf-8")
    project, said, made = _load_counting(root, monkeypatch)
    assert not said and made == [True] and project == _no_cache(root)[0]


def test_a_problem_in_a_spliced_edit_is_reported_at_its_position(tmp_path, monkeypatch):
    from scratch import make_project
    from test_cache_staged import _quarters

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("SITE_BUILDER_NO_CACHE", raising=False)
    root = make_project(tmp_path / "p", _quarters(5))
    _load_counting(root, monkeypatch)
    q3 = root / "scores/demo/2024-Q3.yaml"
    text = q3.read_text("utf-8")
    at = text.index("  a4:\n")
    q3.write_text(text[:at] + text[at:].replace("      work: 9.5\n", "      work: 9.5\n      wrok: 1\n", 1), "utf-8")
    project, said, made = _load_counting(root, monkeypatch)
    assert made == [True]  # the entry was spliced, its check said something: read whole again
    fresh, fresh_said = _no_cache(root)
    assert project is None and fresh is None and said == fresh_said
    line = text[:at].count("\n") + 1 + 3  # a4's key, facts, work, then the misspelt line
    assert any(f"scores/demo/2024-Q3.yaml:{line}:7" in s for s in said), said
