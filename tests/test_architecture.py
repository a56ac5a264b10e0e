"""The shape of the code, checked from its imports (parsed with ``ast``, nothing imported).

- scoring and ranking do not import each other both ways, at module level or
  inside a function: ranking reads scoring's results; the pipeline
  (:func:`site_builder.pipeline.compute`) scores and ranks period by period;
- no module of the site stage is over 400 lines (a longer one is two ideas);
- the site stage's modules do not import each other in a cycle at import time, and
  records, presentation and output never import the page kinds or the build.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "site_builder"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """``(module imported, at module level)`` for every import of ``path`` inside the project."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # ``from pkg import mod`` imports the module pkg.mod when there is one
            targets = [
                f"{module}.{alias.name}" if _is_module(f"{module}.{alias.name}") else module
                for alias in node.names
            ]
        else:
            continue
        out += [(t, id(node) in top) for t in targets if t == "site_builder" or t.startswith("site_builder.")]
    return out


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / Path(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph(module_level_only: bool = False) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        graph[_module_name(path)] = {t for t, top in _imports(path) if top or not module_level_only}
    return graph


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_import_parser_sees_imports_inside_functions():
    # pipeline.compute imports the engines inside the function: the parser must see it,
    # or the cycle test below would pass for nothing
    graph = _graph()
    assert "site_builder.ranking.engine" in graph["site_builder.pipeline"]
    assert "site_builder.scoring.engine" in graph["site_builder.pipeline"]
    assert "site_builder.ranking.engine" not in _graph(module_level_only=True)["site_builder.pipeline"]
    # ``from site_builder.site.records import noticedoc`` is an import of that module
    assert "site_builder.site.records.noticedoc" in graph["site_builder.site.records.lock.fingerprints"]


def test_scoring_and_ranking_do_not_import_each_other_both_ways():
    graph = _graph()
    scoring_to_ranking = sorted(
        f"{m} -> {t}" for m, ts in graph.items() if _in(m, "site_builder.scoring")
        for t in ts if _in(t, "site_builder.ranking")
    )
    ranking_to_scoring = sorted(
        f"{m} -> {t}" for m, ts in graph.items() if _in(m, "site_builder.ranking")
        for t in ts if _in(t, "site_builder.scoring")
    )
    assert ranking_to_scoring, "ranking reads scoring's results: the parser found no import"
    assert scoring_to_ranking == []


def test_no_module_of_the_site_stage_is_over_400_lines():
    long = {
        path.relative_to(PACKAGE.parent).as_posix(): n
        for path in sorted((PACKAGE / "site").rglob("*.py"))
        if (n := path.read_bytes().count(b"\n")) > MAX_LINES
    }
    assert long == {}


def test_the_site_stage_has_no_import_cycle_at_import_time():
    graph = {m: {t for t in ts if _in(t, "site_builder.site")}
             for m, ts in _graph(module_level_only=True).items() if _in(m, "site_builder.site")}
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target == module or _in(module, target):  # a package's own __init__ runs first
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_records_presentation_and_output_never_reach_up_to_pages_or_the_build():
    graph = _graph()
    lower = ("site_builder.site.records", "site_builder.site.present", "site_builder.site.output")
    upper = ("site_builder.site.pages", "site_builder.site.build", "site_builder.site.serve")
    found = sorted(
        f"{m} -> {t}" for m, ts in graph.items() if any(_in(m, p) for p in lower)
        for t in ts if any(_in(t, p) for p in upper)
    )
    assert found == []
