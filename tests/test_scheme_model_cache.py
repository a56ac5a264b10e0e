"""A validated scheme is kept in the parse cache (``pipeline._validated_scheme``): read back, it is the
scheme a fresh validation makes, byte for byte, whatever was scored with it; a changed file, or one
it extends, is validated afresh, and its problems are located as before."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from site_builder import pipeline
from site_builder.errors import InputError, Problems
from site_builder.load import cache as cache_mod
from site_builder.load.cache import SourceCache
from site_builder.scoring.rules.brackets import Brackets
from site_builder.scoring.rules.per_occurrence import PerOccurrence
from site_builder.site.output import digest, personal_names

FIXTURE = Path(__file__).resolve().parent / "site" / "fixtures" / "basic"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def _schemes(root: Path) -> tuple[dict, SourceCache]:
    cache = SourceCache(root)
    project = pipeline.load_project(root, Problems(), cache)
    cache.commit()
    __import__("site_builder.aside", fromlist=["wait"]).wait()
    return {(s, v): sv.scheme for s, vs in project.schemes.items() for v, sv in vs.items()}, cache


def test_a_scheme_read_back_is_the_one_validated(project: Path) -> None:
    fresh, first = _schemes(project)
    assert first.misses > 0
    kept = {k: digest.digest(s) for k, s in fresh.items()}
    # scoring with the schemes read back: nothing it does may show in them
    scored, _ = pipeline.check(project)
    assert {(s, v): digest.digest(sv.scheme) for s, vs in scored.schemes.items() for v, sv in vs.items()} == kept
    again, second = _schemes(project)
    assert second.misses == 0
    assert again.keys() == fresh.keys()
    for key, scheme in fresh.items():
        assert again[key] is not scheme  # read from the cache, not this process's object
        assert again[key] == scheme
        assert digest.digest(again[key]) == kept[key]


def test_a_changed_scheme_is_validated_afresh_and_its_problem_located(project: Path) -> None:
    _schemes(project)
    path = next((project / "schemes").rglob("*.yaml"))
    text = path.read_text("utf-8")
    assert text.startswith("title: ")
    path.write_text("titel: " + text[len("title: "):], "utf-8")
    with pytest.raises(InputError) as err:
        pipeline.check(project)
    rel = path.relative_to(project).as_posix()
    assert any(p.mark is not None and p.mark.path == rel and p.mark.line == 1 for p in err.value.problems)
    path.write_text(text, "utf-8")
    schemes, cache = _schemes(project)
    assert schemes and cache.misses == 0  # the entry of the clean file was kept


def test_what_a_rule_makes_of_its_fields_is_made_when_validated() -> None:
    """A rule's rates and a bracket rule's whole-number test are private attributes set at validation:
    scoring with the rule changes nothing of it (no attribute computed on first use)."""
    rule = PerOccurrence.model_validate({"per": "0.5", "cap": "2"})
    before = pickle.dumps(rule, protocol=5)
    assert [r.name for r in rule.rate_list()] == ["每次"] and rule.rate_list()[0].per == rule.per
    assert pickle.dumps(rule, protocol=5) == before
    b = Brackets.model_validate({"label": "件数", "brackets": [{"min": "0", "max": "5", "points": "1"}]})
    before = pickle.dumps(b, protocol=5)
    assert b.is_integer() is True
    assert pickle.dumps(b, protocol=5) == before
    b2 = Brackets.model_validate({"label": "率", "brackets": [{"min": "0.5", "points": "1"}]})
    assert b2.is_integer() is False


def test_a_masked_rule_lists_its_masked_rates() -> None:
    rule = PerOccurrence.model_validate({"rates": [{"id": "a", "name": "张三工作室", "per": "1"}]})
    red = personal_names._Redactor(["张三"])(rule)
    assert [r.name for r in red.rates] == ["张*工作室"]
    assert [r.name for r in red.rate_list()] == ["张*工作室"]
    assert red.rate_list()[0] is red.rates[0]
    assert [r.name for r in rule.rate_list()] == ["张三工作室"]  # the original is untouched


def test_the_main_tree_is_the_one_validating_would_make(project: Path) -> None:
    """A scheme written with one list of indicators gets its tree built of its validated values
    (``check_scheme``, without Tree's validator): equal, with the same digest, to a validated one."""
    from decimal import Decimal

    from site_builder.schema.scheme import Tree

    checked, _ = pipeline.check(project)
    seen = 0
    for versions in checked.schemes.values():
        for sv in versions.values():
            s = sv.scheme
            if s.trees:
                continue
            made = Tree(id="main", name=s.title, total=s.total if s.total is not None else Decimal(0),
                        indicators=s.indicators,
                        total_mismatch=s.total_mismatch or (None if s.total is not None else "-"))
            assert sv.trees["main"] == made
            assert sv.trees["main"].model_fields_set == made.model_fields_set
            assert digest.digest(sv.trees["main"]) == digest.digest(made)
            seen += 1
    assert seen


def test_a_scheme_version_digests_the_same_before_and_after_a_page_reads_it(project: Path) -> None:
    """What a page reads of a scheme version (its rates' names) is made with it: a version digested
    before a card read it and one digested after are the same input (site/output/digest.py)."""
    import dataclasses

    checked, _ = pipeline.check(project)
    for versions in checked.schemes.values():
        for sv in versions.values():
            before = digest.digest(sv, swap=False)
            names = sv.rate_names
            assert names and all(isinstance(v, dict) for v in names.values())
            assert digest.digest(sv, swap=False) == before
            assert dataclasses.replace(sv, full_text=b"x").rate_names == names
