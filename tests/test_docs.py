"""The documentation is checked like code: its examples are run, its tables are generated.

Conventions in ``docs/*.md`` (all invisible on the rendered page):

``<!-- file: schemes/demo/2024.yaml -->`` right before a fenced ``yaml`` block
    marks the block as a complete file (flags after the path: ``bom`` writes the
    file with a UTF-8 BOM, ``tabs`` turns every ``→`` into a tab).  All complete files of one doc form a
    scratch project, and ``site-builder check`` must pass on it (for
    ``docs/check.md``: must fail with the output shown, see below).
``<!-- wrong -->`` before a block
    a counter-example (what the tool refuses); not run.
any other ``yaml`` block
    an excerpt: its lines (indentation and ``#`` comments aside) must appear,
    in order and together, in one of the doc's complete files, so snippets
    cannot drift from the examples that are run.
``<!-- expect: scheme=S period=P unit=U line=L points=X -->``
    a result stated in the text, asserted by running the engine on the doc's
    project (other forms: ``total=``, ``ranking=R rank=N``, ``honour=H chosen=a,b``,
    ``honour=H excluded=a``, ``honour=H streak=U:N``, ``composite=C value=``,
    ``conversion=C value=``, ``cumulative=``, ``running=R value=``, ``status=``,
    ``honour=H pending=true``, ``honour=H category=C chosen=…``, ``disqualified=reason``; ``points=none``
    for a line that is not scored).
``<!-- table: scheme Indicator -->`` … ``<!-- /table -->``
    a key table generated from the JSON Schema (that is, from the pydantic
    models and their Chinese descriptions).  Regenerate after changing a
    model: ``python tests/test_docs.py --write-tables``.
``<!-- output -->`` (``<!-- output en -->``) before a ``text`` block (docs/check.md only)
    every line of the block must appear in the output of ``site-builder check``
    on that doc's project (a line ending in ``…`` must start a line of it).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.cli import main as cli
from site_builder.jsonschema import KINDS, schema_for
from site_builder.pipeline import check
from site_builder.schema.types import _ID
from site_builder.scoring.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RUN_DOCS = ("formats.md", "rules.md")  # docs whose complete files must pass check
ALL_DOCS = ("index.md", "formats.md", "rules.md", "check.md")
REGENERATE = "python tests/test_docs.py --write-tables"

# Objects documented by rules.md (rule kinds and their parameter objects); formats.md has the rest.
RULE_PARAM_DEFS = {"Range", "Rate", "Bracket", "Level", "RaterGroup", "MeanRounding", "LineTest"}
RULE_DEFS = {cls.__name__ for cls in RULES.values()}


# ------------------------------------------------------------------ parsing


@dataclass
class Block:
    doc: str
    line: int
    lang: str
    text: str
    markers: list[str]
    section: str


@dataclass
class Doc:
    name: str
    text: str
    blocks: list[Block] = field(default_factory=list)
    expects: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)  # (line, section, params)
    sections: dict[str, str] = field(default_factory=dict)  # "## " heading -> its text

    @property
    def files(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for b in self.blocks:
            for m in b.markers:
                if m.startswith("file:"):
                    path, *flags = m[len("file:"):].split()
                    assert path not in out, f"docs/{self.name}:{b.line}: {path} is given twice"
                    text = b.text
                    if "tabs" in flags:  # the doc shows a tab as →
                        text = text.replace("→", "\t")
                    if "bom" in flags:
                        text = "\ufeff" + text
                    out[path] = text
        return out


_COMMENT = re.compile(r"^\s*<!--\s*(.*?)\s*-->\s*$")
_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")


def parse(name: str) -> Doc:
    text = (DOCS / name).read_text("utf-8")
    doc = Doc(name, text)
    lines = text.split("\n")
    section = ""
    pending: list[str] = []
    sec_lines: dict[str, list[str]] = {"": []}
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            indent, lang = fence.group(1), fence.group(2)
            body: list[str] = []
            start = i + 1
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            sec_lines[section].extend([line, *body, "```"])
            doc.blocks.append(Block(name, start, lang, "\n".join(body) + "\n", pending, section))
            pending = []
            i += 1
            continue
        if line.startswith("## "):
            section = line[3:].strip()
            sec_lines[section] = []
        sec_lines[section].append(line)
        m = _COMMENT.match(line)
        if m:
            content = m.group(1)
            if content.startswith("expect:"):
                params = dict(kv.split("=", 1) for kv in content[len("expect:"):].split())
                doc.expects.append((i + 1, section, params))
            else:
                pending.append(content)
        elif line.strip():
            pending = []
        i += 1
    doc.sections = {k: "\n".join(v) for k, v in sec_lines.items()}
    return doc


def write_project(doc: Doc, root: Path) -> Path:
    files = doc.files
    assert files, f"docs/{doc.name} has no complete example files"
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
    return root


def run_check(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--root", str(root)])
    return result.exit_code, result.output


# ------------------------------------------------------------------ key tables


def _strip_null(prop: dict) -> dict:
    members = [m for m in prop.get("anyOf", []) if m != {"type": "null"}]
    if "anyOf" in prop and len(members) == 1:
        return {**{k: v for k, v in prop.items() if k != "anyOf"}, **members[0]}
    if "anyOf" in prop:
        return {**prop, "anyOf": members}
    return prop


def type_text(prop: dict) -> str:
    """A schema node in words: 文字 text, 数 number, 标识 id, 列表 list of …"""
    prop = _strip_null(prop)
    if "allOf" in prop and len(prop["allOf"]) == 1:
        return type_text(prop["allOf"][0])
    if "$ref" in prop:
        return f"`{prop['$ref'].rsplit('/', 1)[1]}`"
    if "oneOf" in prop:
        return "规则 rule（见 [rules.md](rules.md)）"
    if "anyOf" in prop:
        return " 或 ".join(_any_of(prop["anyOf"]))
    t = prop.get("type")
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if t == "string":
        if prop.get("format") == "date":
            return "日期 date"
        if "pattern" in prop and "(composite|line):" in prop["pattern"]:
            return "文字 text（`composite:<id>`、`line:<id>`）"
        if "pattern" in prop and "external:" in prop["pattern"]:
            return "文字 text（`ranking:<id>`、`composite:<id>`、`external:<id>`）"
        return "文字 text"
    if t == "number":
        return "数 number"
    if t == "integer":
        return "整数 integer"
    if t == "boolean":
        return "`true` \\| `false`"
    if t == "array":
        return f"列表 list of {type_text(prop.get('items', {}))}"
    if t == "object":
        extra = prop.get("additionalProperties")
        if isinstance(extra, dict):
            return f"映射 map → {type_text(extra)}"
        return "映射 map"
    if isinstance(t, list):
        return " 或 ".join(t)
    return "—"


_NUMERIC_TEXT = re.compile(r"^\^-?\??\(0\|")  # the quoted-number alternative of a number


def _any_of(members: list[dict]) -> list[str]:
    """Words for the members of an ``anyOf``; a number and its quoted form are one member."""
    rest = list(members)
    out: list[str] = []
    if any(m.get("type") == "string" and m.get("pattern") == _ID.pattern for m in rest):
        out.append("标识 id")
        rest = [m for m in rest if m.get("type") not in ("string", "integer")]
    for t, label in (("number", "数 number"), ("integer", "整数 integer")):
        num = next((m for m in rest if m.get("type") == t), None)
        if num is not None:
            out.append(label + (" ≥ 0" if num.get("minimum") == 0 else ""))
            rest = [m for m in rest if m is not num and not (m.get("type") == "string" and _NUMERIC_TEXT.match(m.get("pattern", "")))]
    out.extend(type_text(m) for m in rest)
    return out


def _default_text(prop: dict) -> str:
    if "default" not in prop:
        return ""
    v = prop["default"]
    if v is None or v == [] or v == {}:
        return ""
    if isinstance(v, bool):
        return f"`{str(v).lower()}`"
    if isinstance(v, dict):
        return ""
    return f"`{v}`"


def render_table(kind: str, name: str) -> str:
    schema = schema_for(kind)
    obj = schema if name == "-" else schema["definitions"][name]
    required = set(obj.get("required", []) or obj.get("else", {}).get("required", []))  # else: without extends
    rows = [
        "| 键 key | 类型 type | 必填 required | 默认 default | 说明 description |",
        "|---|---|---|---|---|",
    ]
    for key, prop in obj.get("properties", {}).items():
        desc = str(prop.get("description", "")).replace("|", "\\|")
        rows.append(
            f"| `{key}` | {type_text(prop)} | {'是 yes' if key in required else ''} | {_default_text(prop)} | {desc} |"
        )
    return "\n".join(rows) + "\n"


# an empty table (header and end marker only) is filled in too, never merged with the next one
_TABLE = re.compile(r"(<!-- table: (\w+) ([\w-]+) -->\n)((?:(?!<!-- table: ).)*?)(\n?<!-- /table -->)", re.S)


def regenerate_tables(text: str) -> str:
    return _TABLE.sub(lambda m: m.group(1) + render_table(m.group(2), m.group(3)) + m.group(5), text)


def tables_in(text: str) -> set[tuple[str, str]]:
    return {(m.group(2), m.group(3)) for m in _TABLE.finditer(text)}


# ------------------------------------------------------------------ expectations


def _dec(text: str) -> Decimal | None:
    return None if text == "none" else Decimal(text)


def check_expect(results, params: dict[str, str]) -> None:
    p = dict(params)
    key = (p.pop("scheme"), p.pop("period"))
    assert key in results, f"no result for {key}; have {sorted(results)}"
    r = results[key]
    unit = p.pop("unit", None)
    if "line" in p:
        got = r.units[unit].line(p.pop("line")).points
        want = _dec(p.pop("points"))
        assert (got is None and want is None) or (got is not None and want is not None and got == want), (got, want)
    elif "total" in p:
        got, want = r.units[unit].total, _dec(p.pop("total"))
        assert (got is None and want is None) or (got is not None and want is not None and got == want), (got, want)
    elif "status" in p:
        assert r.units[unit].status == p.pop("status")
    elif "disqualified" in p:
        assert ",".join(r.units[unit].disqualified_by) == p.pop("disqualified")
    elif "rank" in p:
        ranking = p.pop("ranking")
        entries = [e for g in r.rankings if g.ranking == ranking for e in g.entries if e.unit == unit]
        assert entries, f"{unit} is not ranked in {ranking}"
        assert entries[0].rank == int(p.pop("rank")), entries
    elif "honour" in p:
        hid = p.pop("honour")
        hs = [h for h in r.honours if h.honour == hid]
        assert hs, f"no honour {hid}"
        if "category" in p:  # within one sub-category of the ranking: category=<id>
            cat = p.pop("category")
            hs = [h for h in hs if h.category == cat]
            assert hs, f"no honour {hid} in category {cat}"
        if "pending" in p:  # pending=true: not decided in this period (the notice says when)
            want_pending = p.pop("pending") == "true"
            assert all((h.pending is not None) == want_pending for h in hs), [h.pending for h in hs]
        if "chosen" in p:
            want = sorted(x for x in p.pop("chosen").split(",") if x and x != "-")
            assert sorted(u for h in hs for u in h.chosen) == want
        elif "excluded" in p:
            want = sorted(x for x in p.pop("excluded").split(",") if x and x != "-")
            assert sorted(u for h in hs for u, _ in h.excluded) == want
        elif "streak" in p:
            u, n = p.pop("streak").split(":")
            assert {k: v for h in hs for k, v in h.streaks.items()}.get(u) == int(n)
        elif "places" in p:  # places per group (a pool or “about N”): places=<group>:<n>,<group>:<n>
            want = {g: int(n) for g, n in (x.split(":") for x in p.pop("places").split(","))}
            got = {h.group: (h.places if h.places is not None else len(h.chosen)) for h in hs}
            assert got == want, (got, want)
    elif "composite" in p:
        got, want = r.composites[p.pop("composite")][unit], Decimal(p.pop("value"))
        assert got == want, (got, want)
    elif "conversion" in p:
        got, want = r.conversions[p.pop("conversion")][unit], Decimal(p.pop("value"))
        assert got == want, (got, want)
    elif "cumulative" in p:
        got, want = r.cumulative[unit], Decimal(p.pop("cumulative"))
        assert got == want, (got, want)
    elif "level" in p:  # levels as results (grades:); "-" for no level
        got = r.levels[unit].level if unit in r.levels else "-"
        assert got == p.pop("level"), (unit, got)
    elif "running" in p:  # a running-total ranking's figure (any span): running=<ranking id> value=
        got, want = r.running[p.pop("running")][unit], Decimal(p.pop("value"))
        assert got == want, (got, want)
    assert not p, f"unused or unknown expect keys: {p}"


# ------------------------------------------------------------------ helpers for excerpts

_YAML_COMMENT = re.compile(r"(^|\s)#.*$")


def _norm_lines(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        line = _YAML_COMMENT.sub("", line).strip()
        if line and line != "...":
            out.append(line)
    return out


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


# ------------------------------------------------------------------ tests


@pytest.fixture(scope="module")
def docs() -> dict[str, Doc]:
    return {name: parse(name) for name in ALL_DOCS}


@pytest.fixture(scope="module")
def results(docs, tmp_path_factory):
    out = {}
    for name in RUN_DOCS:
        root = write_project(docs[name], tmp_path_factory.mktemp(name.replace(".", "_")))
        out[name] = check(root)[1]
    return out


def test_every_rule_kind_has_a_section(docs):
    headings = [h for h in docs["rules.md"].sections if h]
    for kind in RULES:
        assert any(f"`{kind}`" in h for h in headings), f"docs/rules.md has no '## … `{kind}` …' section"


@pytest.mark.parametrize("name", RUN_DOCS)
def test_complete_examples_pass_check(docs, name, tmp_path):
    root = write_project(docs[name], tmp_path)
    code, output = run_check(root)
    assert code == 0, f"site-builder check fails on the complete files of docs/{name}:\n{output}"
    assert "警告" not in output and "warning" not in output, output


@pytest.mark.parametrize("name", RUN_DOCS)
def test_stated_results_match_the_engine(docs, results, name):
    doc = docs[name]
    for line, section, params in doc.expects:
        try:
            check_expect(results[name], params)
        except (AssertionError, KeyError, StopIteration) as exc:
            raise AssertionError(f"docs/{name}:{line} ({section}): expect {params} does not hold: {exc!r}") from exc


def test_every_rule_section_has_a_worked_example(docs):
    doc = docs["rules.md"]
    for kind in RULES:
        heading = next(h for h in doc.sections if f"`{kind}`" in h)
        mine = [p for _, s, p in doc.expects if s == heading and "line" in p and "points" in p]
        assert mine, f"docs/rules.md section '{heading}' has no <!-- expect: … line=… points=… --> marker"
        prose = re.sub(r"<!--.*?-->", "", doc.sections[heading], flags=re.S)
        prose = re.sub(r"```.*?```", "", prose, flags=re.S)
        for p in mine:
            assert p["points"] in prose, f"'{heading}': the result {p['points']} is asserted but not stated in the text"
        assert "> " in doc.sections[heading], f"'{heading}' quotes no clause (a '> ' block quote)"
        assert f"kind: {kind}" in doc.sections[heading], f"'{heading}' shows no rule with kind: {kind}"


@pytest.mark.parametrize("name", ("formats.md", "rules.md", "check.md"))
def test_snippets_are_excerpts_of_the_complete_files(docs, name):
    doc = docs[name]
    files = {path: _norm_lines(text) for path, text in doc.files.items()}
    for b in doc.blocks:
        if b.lang != "yaml" or any(m.startswith("file:") or m == "wrong" for m in b.markers):
            continue
        needle = _norm_lines(b.text)
        assert needle, f"docs/{name}:{b.line}: empty yaml block"
        assert any(_contains(hay, needle) for hay in files.values()), (
            f"docs/{name}:{b.line}: this yaml snippet is not part of any complete example file of the doc "
            "(mark it <!-- wrong --> if it is a counter-example)"
        )


def test_yaml_blocks_are_marked_or_fenced_right(docs):
    for doc in docs.values():
        for b in doc.blocks:
            if any(m.startswith("file:") for m in b.markers):
                assert b.lang == "yaml", f"docs/{doc.name}:{b.line}: a file: marker on a non-yaml block"


def test_key_tables_are_generated_from_the_models():
    stale = []
    for name in ALL_DOCS:
        text = (DOCS / name).read_text("utf-8")
        if regenerate_tables(text) != text:
            stale.append(name)
    assert not stale, f"key tables in docs/{', docs/'.join(stale)} are out of date with the models; run: {REGENERATE}"


def test_every_object_and_key_is_documented():
    formats = tables_in((DOCS / "formats.md").read_text("utf-8"))
    rules = tables_in((DOCS / "rules.md").read_text("utf-8"))
    missing = []
    for kind in KINDS:
        schema = schema_for(kind)
        if (kind, "-") not in formats:
            missing.append(f"formats.md: {kind} -")
        for name in schema.get("definitions", {}):
            if name in RULE_DEFS or name in RULE_PARAM_DEFS:
                if not any(n == name for _, n in rules):
                    missing.append(f"rules.md: {kind} {name}")
            elif not any(n == name for _, n in formats):
                missing.append(f"formats.md: {kind} {name}")
    assert not missing, "no key table (<!-- table: kind Name --> … <!-- /table -->) for: " + "; ".join(sorted(set(missing)))


def test_check_md_output_is_real(docs, tmp_path):
    doc = docs["check.md"]
    root = write_project(doc, tmp_path)
    outputs = [b for b in doc.blocks if any(m.split()[0] == "output" for m in b.markers if m)]
    assert outputs, "docs/check.md shows no <!-- output --> block"
    for b in outputs:
        lang = "en" if "output en" in b.markers else "zh-CN"
        result = CliRunner().invoke(cli, ["check", "--root", str(root), "--lang", lang])
        assert result.exit_code != 0, "the broken example of docs/check.md passes check"
        actual = [line.rstrip() for line in result.output.split("\n")]
        for line in b.text.strip("\n").split("\n"):
            line = line.rstrip()
            if line.endswith("…"):  # shortened in the doc: the real line starts so
                ok = any(a.startswith(line[:-1]) for a in actual)
            else:
                ok = line in actual
            assert ok, f"docs/check.md:{b.line}: line not in the real output:\n{line}\n---\n{result.output}"


def test_relative_links_resolve():
    link = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")
    for name in ALL_DOCS:
        for target, _ in link.findall((DOCS / name).read_text("utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (DOCS / target).resolve().exists(), f"docs/{name}: broken link {target}"



def _slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's rules) gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_within_a_page_reach_a_heading():
    inner = re.compile(r"\]\(#([^)\s]+)\)")
    for name in ALL_DOCS:
        text = (DOCS / name).read_text("utf-8")
        anchors = {_slug(m.group(2)) for m in re.finditer(r"^(#{1,6}) (.+)$", text, re.M)}
        broken = sorted(set(inner.findall(text)) - anchors)
        assert not broken, f"docs/{name}: links to no heading: {broken}"

if __name__ == "__main__":
    if sys.argv[1:] == ["--write-tables"]:
        for name in ALL_DOCS:
            path = DOCS / name
            if not path.exists():
                continue
            text = path.read_text("utf-8")
            new = regenerate_tables(text)
            if new != text:
                path.write_text(new, "utf-8")
                print(f"updated docs/{name}")
    else:
        print(__doc__)
