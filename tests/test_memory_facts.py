"""What a loaded project costs per recorded fact (issue 10, memory).

A period file repeats the same few records unit after unit (``work: 9.5``): each is validated
once and the units that wrote it share the one frozen :class:`Facts`; the facts as written are
dropped once validated; unit entries that say nothing else are shared.  Sharing must never show:
equal facts stay equal and digest equal, a record written differently (``9.50``, quoted, one more
key) keeps its own facts, nothing can change a shared fact, the caches keep what they read equal,
and a build makes the same bytes with or without sharing.
"""

from __future__ import annotations

import gc
import pickle
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError
from scratch import SCORES, make_project, many_units

from site_builder.checks import alike, scores_checks
from site_builder.checks.alike import written_key
from site_builder.errors import Problems
from site_builder.load import cache as cache_mod
from site_builder.load.cache import SourceCache
from site_builder.model import Period
from site_builder.pipeline import load_project
from site_builder.scoring.facts import Event
from site_builder.site.output.digest import digest

ALIKE = SCORES.replace(
    """  a3:
    facts: {work: 8, duty: 0}
""",
    """  a3:
    facts: {work: "9.5", duty: 1, bonus: {awards: [{level: prov, title: 省级表彰}]}}
  # a1 and a2 wrote work: 9.5 alike (plain); a3 quoted it
""",
).replace(
    """      work: 10
      duty: {events: [{date: 2024-02-01, note: 缺岗}]}""",
    """      work: 9.5
      duty: 1
      bonus: {awards: [{level: prov, title: 省级表彰}], note: 另有说明}""",
)


def _period(root: Path, cache: SourceCache | None = None) -> Period:
    problems = Problems()
    project = load_project(root, problems, cache if cache is not None else SourceCache(root, enabled=False))
    assert project is not None, problems.errors
    (period,) = project.periods
    return period


def test_records_written_alike_share_one_fact_and_others_keep_their_own(tmp_path):
    period = _period(make_project(tmp_path, {"scores/demo/2024-Q1.yaml": ALIKE}))
    a1, a2, a3 = (period.facts[u] for u in ("a1", "a2", "a3"))
    assert a1["work"] is a2["work"]  # work: 9.5 twice, plain
    assert a1["duty"] is a2["duty"] is a3["duty"]  # duty: 1 three times
    assert a1["work"].points == Decimal("9.5") and str(a1["work"].points) == "9.5"
    # quoted "9.5": equal facts, equal digest, validated on its own (not the same object)
    assert a3["work"] is not a1["work"]
    assert a3["work"] == a1["work"] and digest(a3["work"]) == digest(a1["work"])
    assert a3["work"].model_fields_set == a1["work"].model_fields_set == {"points"}
    # one key more (note): its own facts, with what it said
    assert a2["bonus"] is not a1["bonus"] and a2["bonus"].note == "另有说明" and a1["bonus"].note is None
    assert a1["bonus"] is a3["bonus"] and a1["bonus"].awards == [Event(level="prov", title="省级表彰")]
    assert digest(a1["bonus"]) != digest(a2["bonus"])
    # ... but the award it wrote alike is the one a1 wrote
    assert a2["bonus"].awards[0] is a1["bonus"].awards[0]
    assert a2["bonus"].model_fields_set == {"awards", "note"} and a1["bonus"].model_fields_set == {"awards"}


def test_records_inside_facts_are_shared_only_when_written_alike(tmp_path):
    scores = ALIKE.replace(
        "      duty: 1\n      bonus: {awards: [{level: prov, title: 省级表彰}], note",
        "      duty: {events: [{date: 2024-02-01, note: 缺岗}, {date: 2024-02-03, note: 迟到}]}\n"
        "      bonus: {awards: [{level: prov, title: 省级表彰}], note",
    ).replace('    facts: {work: "9.5", duty: 1,',
              '    facts: {work: "9.5", duty: {events: [{date: 2024-02-03, note: 迟到}, {date: "2024-02-01", note: 缺岗}]},')
    period = _period(make_project(tmp_path, {"scores/demo/2024-Q1.yaml": scores}))
    a2, a3 = period.facts["a2"]["duty"].events, period.facts["a3"]["duty"].events
    assert a2[1] is a3[0] and a2[1].note == "迟到"  # the same record, in another list, at another place
    assert a2[0] is not a3[1] and a2[0] == a3[1] and digest(a2[0]) == digest(a3[1])  # one date quoted
    assert period.facts["a2"]["duty"].model_fields_set == {"events"}


def test_a_figure_written_with_more_places_is_not_taken_for_the_shorter_one(tmp_path):
    scores = ALIKE.replace("      work: 9.5\n      duty: 1\n      bonus: {awards: [{level: prov, title: 省级表彰}], note",
                           "      work: 9.50\n      duty: 1\n      bonus: {awards: [{level: prov, title: 省级表彰}], note")
    period = _period(make_project(tmp_path, {"scores/demo/2024-Q1.yaml": scores}))
    a1, a2 = period.facts["a1"]["work"], period.facts["a2"]["work"]
    assert a1 is not a2 and str(a1.points) == "9.5" and str(a2.points) == "9.50"
    assert digest(a1) != digest(a2)


def test_written_keys_tell_plain_from_quoted_order_and_kind():
    from site_builder.load.yamlsafe import PlainStr

    assert written_key({"points": PlainStr("9.5")}) == written_key({"points": PlainStr("9.5")})
    assert written_key({"points": PlainStr("9.5")}) != written_key({"points": "9.5"})
    assert written_key({"counts": {"a": PlainStr("1"), "b": PlainStr("2")}}) != written_key(
        {"counts": {"b": PlainStr("2"), "a": PlainStr("1")}})  # the mapping's order is kept by validation
    assert written_key({"events": [{"note": "x"}]}) != written_key({"events": {"note": "x"}})
    assert written_key({"note": None}) != written_key({"note": "None"}) != written_key({})
    assert written_key({"points": 9.5}) is None and written_key({1: "x"}) is None  # not YAML text: not shared


def test_a_shared_fact_cannot_be_changed_by_any_unit(tmp_path):
    period = _period(make_project(tmp_path, {"scores/demo/2024-Q1.yaml": ALIKE}))
    shared = period.facts["a1"]["work"]
    with pytest.raises(ValidationError, match="frozen"):
        shared.points = Decimal(0)
    award = period.facts["a1"]["bonus"].awards[0]
    with pytest.raises(ValidationError, match="frozen"):
        award.level = "city"
    entry = period.scores.units["a3"]
    with pytest.raises(ValidationError, match="frozen"):
        entry.status = "exempt"
    assert period.facts["a2"]["work"].points == Decimal("9.5") and award.level == "prov"


def test_the_period_keeps_validated_facts_not_the_text_as_written(tmp_path):
    period = _period(make_project(tmp_path, {"scores/demo/2024-Q1.yaml": ALIKE}))
    assert all(e.facts == {} for e in period.scores.units.values())
    # entries that say nothing but their facts are one object; equal to a fresh validation without facts
    units = period.scores.units
    assert units["a1"] is units["a2"] is units["a3"]
    assert units["a3"].status == "assessed" and units["a3"].model_fields_set == {"facts"}


def test_a_unit_entry_with_a_veto_or_a_coefficient_keeps_its_own(tmp_path):
    scores = ALIKE.replace("  a1:\n    facts:\n", "  a1:\n    note: 本期调整\n    facts:\n")
    period = _period(make_project(tmp_path, {"scores/demo/2024-Q1.yaml": scores}))
    units = period.scores.units
    assert units["a1"] is not units["a2"] and units["a1"].note == "本期调整" and units["a2"].note is None
    key = alike._entry_key
    assert key(units["a1"]) != key(units["a2"])
    from site_builder.schema.scores import UnitEntry

    one, one_0 = UnitEntry(coefficient="1"), UnitEntry(coefficient="1.0")
    assert one == one_0 and key(one) != key(one_0)  # equal figures written differently print differently
    assert key(UnitEntry(vetoes=[{"id": "disc", "reason": "通报"}])) is None


def test_the_caches_round_trip_keeps_facts_equal_and_shared(tmp_path, monkeypatch, tmp_path_factory):
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))
    root = make_project(tmp_path, {"scores/demo/2024-Q1.yaml": ALIKE})
    fresh = _period(root, SourceCache(root))
    cache = SourceCache(root)
    read = _period(root, cache)
    assert cache.hits > 0 and read is not fresh
    assert read == fresh and digest(read) == digest(fresh)
    assert read.facts["a1"]["work"] is read.facts["a2"]["work"]  # shared again when read back
    again = pickle.loads(pickle.dumps(fresh, protocol=5))
    assert again == fresh and again.facts["a1"]["duty"] is again.facts["a3"]["duty"]


def test_a_build_is_byte_identical_with_or_without_sharing(tmp_path, monkeypatch):
    from site_builder.site.build import build_site

    files = {"scores/demo/2024-Q1.yaml": ALIKE.replace("  a3:\n", "  a3:\n    note: 备注\n")}

    def tree(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    build_site(make_project(tmp_path / "a", files), tmp_path / "shared", quiet=True, jobs=1)
    monkeypatch.setattr(scores_checks, "written_key", lambda data: None)  # every record validated on its own
    monkeypatch.setattr(scores_checks, "checked", lambda scores: scores)  # the text as written kept
    build_site(make_project(tmp_path / "b", files), tmp_path / "own", quiet=True, jobs=1)
    shared, own = tree(tmp_path / "shared"), tree(tmp_path / "own")
    assert shared.keys() == own.keys() and len(shared) > 20
    assert [k for k in shared if shared[k] != own[k]] == []


# ------------------------------------------------------------------ the cost per fact

LINES = 8
VALUES = ("8", "8.5", "9", "9.5", "10")


def _retained(tmp_path: Path, periods: list[str], units: int) -> int:
    lines = "".join(f"  - {{id: l{j}, name: 指标{j}, max: 10, rule: {{kind: assessed}}}}\n" for j in range(LINES))
    files = many_units(units, periods, LINES, lines, lambda i, j, period: VALUES[(i * 7 + j * 3) % len(VALUES)])
    root = make_project(tmp_path, files)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        project = load_project(root, Problems(), SourceCache(root, enabled=False))
        assert project is not None and len(project.periods) == len(periods)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


#: Bytes a loaded period keeps per recorded fact (one unit, one line) when the records repeat.
#: Measured (Python 3.11, pydantic 2.13): 1,419 before the records written alike were shared (each
#: its own Facts with its dict, fields-set and three empty lists, and the text as written); 67
#: after (the unit's mapping of line to facts).  Set with room for other versions.
BUDGET_PER_FACT = 200


def test_a_period_keeps_at_most_a_small_budget_per_recorded_fact(tmp_path):
    units = 120
    _retained(tmp_path / "warm", ["2024-Q1"], units)  # models' validators and the like, made once per process
    one = _retained(tmp_path / "one", ["2024-Q1"], units)
    five = _retained(tmp_path / "five", ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"], units)
    per_fact = (five - one) / (4 * units * LINES)
    assert 0 < per_fact < BUDGET_PER_FACT, per_fact


def test_a_wrong_record_written_alike_is_reported_where_each_unit_wrote_it(tmp_path):
    from scratch import BASE_FILES, check_output

    # work: 11 is over the line's maximum of 10 (checked for each unit, though validated once);
    # duty: abc is no number (never shared: each unit's record is validated on its own)
    scores = SCORES.replace("      work: 9.5\n      duty: 1\n", "      work: 11\n      duty: abc\n").replace(
        "      work: 10\n      duty: {events: [{date: 2024-02-01, note: 缺岗}]}",
        "      work: 11\n      duty: abc").replace("    facts: {work: 8, duty: 0}", "    facts: {work: 11, duty: 0}")
    code, out = check_output(tmp_path, {**BASE_FILES, "scores/demo/2024-Q1.yaml": scores}, {})
    assert code != 0
    lines = [ln for ln in out.splitlines() if "scores/demo/2024-Q1.yaml:" in ln]
    assert [ln.split(" ")[0] for ln in lines if "超过本项满分" in ln] == [
        "scores/demo/2024-Q1.yaml:9:13:", "scores/demo/2024-Q1.yaml:14:13:", "scores/demo/2024-Q1.yaml:17:19:"], out
    assert len([ln for ln in lines if "abc" in ln]) == 2, out
