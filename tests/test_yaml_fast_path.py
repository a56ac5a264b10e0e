"""libyaml's fast path and PyYAML's careful path give the same document for clean files."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.errors import Problems
from site_builder.load import yamlsafe

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    p for folder in ("units", "schemes", "scores", "tests/site/fixtures", "published")
    for p in (ROOT / folder).rglob("*.yaml")
) + [ROOT / "site.yaml"]


@pytest.mark.skipif(yamlsafe._CParser is None, reason="PyYAML without libyaml: only the careful path exists")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_fast_and_careful_paths_agree(path, monkeypatch):
    raw = path.read_bytes()
    fast = yamlsafe.load_yaml_bytes(raw, "f.yaml", Problems())
    monkeypatch.setattr(yamlsafe, "_CParser", None)
    careful = yamlsafe.load_yaml_bytes(raw, "f.yaml", Problems())
    assert fast is not None and careful is not None
    assert fast.data == careful.data
    assert [type(x) for x in _leaves(fast.data)] == [type(x) for x in _leaves(careful.data)]  # PlainStr vs str
    assert fast.marks == careful.marks
    assert fast.key_marks == careful.key_marks


def test_unusual_input_takes_the_careful_path():
    problems = Problems()
    assert yamlsafe.load_yaml_bytes(b"a: &x 1\nb: *x\n", "f.yaml", problems) is None
    codes = [p.code for p in problems.items]
    assert codes == ["yaml.anchor", "yaml.alias"]
    assert [(p.mark.line, p.mark.column) for p in problems.items] == [(1, 4), (2, 4)]


def _leaves(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from _leaves(v)
    elif isinstance(node, list):
        for v in node:
            yield from _leaves(v)
    else:
        yield node
