"""Fuzzing every file kind: whatever the bytes, only the project's own error escapes.

One hypothesis test per file kind (site.yaml, a unit registry file, a scheme
version, a period file, a notice body, ``published.lock``, an archived file
under ``published/``).  Each starts from the fixture project's real file and
mutates it:

- bytes: flips, insertions, deletions, YAML/Markdown/JSON-significant tokens
  (anchors, tags, tabs, ``---``, NUL, BOM, bidi overrides, ``1e999999``…),
  duplicated, dropped, swapped and re-indented lines, truncation;
- structure: the file is parsed, a node is replaced by random text, numbers,
  lists or mappings (huge, NaN, YAML 1.1 booleans and octals, impossible
  dates, ids from elsewhere in the project), deleted, duplicated, wrapped,
  nested deeply, or given an unknown sibling, and written back;
- encodings: UTF-16 with and without BOM, GBK, GB18030, UTF-8 with BOM, CRLF
  and CR line ends, a missing final newline.

Each example runs ``site-builder check`` and (when check passes, and for a
share of the refused ones) ``site-builder build`` in-process and asserts:

- only :class:`site_builder.errors.SiteBuilderError` escapes — any other
  exception is a bug, and so is the loader's catch-all ``yaml.internal``;
- every error has a location: a path inside the project and, when it names a
  line, a line the file has; each is one line with no control characters, so
  no line of the output is without its location;
- a refused build changed nothing (every byte of the project, ``_site``
  included), and what ``check`` refuses ``build`` refuses too;
- what ``build`` refuses ``check`` refuses too (the two agree on every input).

The runs are deterministic (``derandomize=True``, no example database).
``FUZZ_EXAMPLES=2000 python -m pytest tests/hostile/test_fuzz.py`` runs every
test with that many examples (the long local run); ``FUZZ_SEED=n`` varies them.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import jinja2
import jinja2.bccache
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile.harness import FIXTURE, snapshot
from site_builder.cli import main
from site_builder.errors import InputError, SiteBuilderError

# ------------------------------------------------------------------ settings

_N = os.environ.get("FUZZ_EXAMPLES")
_SEED = os.environ.get("FUZZ_SEED")


def fuzz_settings(examples: int):
    n = int(_N) if _N else examples
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=_SEED is None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


# ------------------------------------------------------------------ projects


class _Templates(jinja2.BytecodeCache):
    """Compiled theme templates kept across the many builds of one run (half of a build's time)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="module", autouse=True)
def _environment():
    """No SOURCE_DATE_EPOCH from the caller; theme templates compiled once."""
    from site_builder.site import build as build_module

    cache = _Templates()
    make = build_module.make_environment

    def cached(*args, **kwargs):
        env = make(*args, **kwargs)
        env.bytecode_cache = cache
        return env

    mp = pytest.MonkeyPatch()
    mp.delenv("SOURCE_DATE_EPOCH", raising=False)
    mp.setattr(build_module, "make_environment", cached)
    yield
    mp.undo()


def _run(*args: str) -> SiteBuilderError | None:
    """One CLI command in-process: None when it passed, the user-facing error when refused.

    Any other exception propagates and fails the test: it would be a traceback.
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main.main(list(args), prog_name="site-builder", standalone_mode=False)
    except SiteBuilderError as exc:
        return exc
    return None


def _build(root: Path) -> SiteBuilderError | None:
    return _run("build", "--root", str(root), "--quiet")


def _check(root: Path) -> SiteBuilderError | None:
    return _run("check", "--root", str(root))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain_project(base: Path) -> Path:
    """The fixture, its unit registry moved to units/county.yaml, built once, not locked."""
    root = base / "plain"
    shutil.copytree(FIXTURE, root)
    (root / "units").mkdir()
    (root / "units.yaml").rename(root / "units" / "county.yaml")
    assert _build(root) is None
    return root


def _corrected_project(base: Path) -> Path:
    """The fixture locked (v1), 2017-Q3 corrected and locked again (v2), then built.

    Version 1 of 2017-Q3 is then rebuilt from ``published/`` on every build,
    so the archive files are read, loaded and scored, not only hashed.
    """
    root = base / "corrected"
    shutil.copytree(FIXTURE, root)
    assert _run("lock", "--root", str(root)) is None
    q3 = root / "scores/xiaoneng/2017-Q3.yaml"
    text = q3.read_text("utf-8")
    assert 'tuijin: "56.5"' in text
    text = text.replace('tuijin: "56.5"', 'tuijin: "50"') + (
        "corrections:\n"
        '  - date: "2017-10-20"\n'
        "    number: 示效办〔2017〕10号\n"
        "    reason: 县财政局“重点工作推进”得分录入错误，经复核更正。\n"
    )
    q3.write_text(text, "utf-8")
    assert _run("lock", "--root", str(root)) is None
    assert _build(root) is None
    return root


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _plain_project(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corrected_project(tmp_path_factory.mktemp("fuzz"))


# ------------------------------------------------------------------ the promise


class Bug(AssertionError):
    pass


def _lines_of(data: bytes) -> int:
    """An upper bound of the number of lines any reader may count in ``data``."""
    best = len(data.splitlines()) + 1
    for enc in ("utf-8", "utf-16", "gb18030"):
        try:
            best = max(best, len(data.decode(enc).splitlines()) + 1)
        except (UnicodeDecodeError, LookupError):
            pass
    return best


def assert_located(err: SiteBuilderError, root: Path, label: str) -> None:
    """Every error of a refusal names a place in the project; no hidden crash."""
    text = err.format_message()
    assert "Traceback" not in text, f"{label}: traceback in message\n{text}"
    assert isinstance(err, InputError), f"{label}: {type(err).__name__} without problems: {text}"
    errors = [p for p in err.problems if p.severity == "error"]
    assert errors, f"{label}: refused without an error\n{text}"
    for p in errors:
        shown = p.render("zh-CN")
        assert p.code != "yaml.internal", f"{label}: the loader caught an unexpected exception: {shown}"
        assert p.mark is not None and p.mark.path, f"{label}: error without a location: {shown}"
        path = root / p.mark.path
        assert not Path(p.mark.path).is_absolute() and ".." not in Path(p.mark.path).parts, (
            f"{label}: location outside the project: {shown}"
        )
        if p.mark.line and path.is_file() and not path.is_symlink():
            n = _lines_of(path.read_bytes())
            assert 1 <= p.mark.line <= n, f"{label}: line {p.mark.line} of a {n - 1}-line file: {shown}"
            assert p.mark.column >= 1, f"{label}: column {p.mark.column}: {shown}"
        for lang in ("zh-CN", "en"):
            line = p.render(lang)
            assert line.startswith(str(p.mark)), f"{label}: message does not start at its place: {line}"
            assert not re.search(r"[\n\r\x00-\x08\x0b-\x1f\x7f\u2028\u2029]", line), (
                f"{label}: one problem is not one clean line (its later lines have no location): {line!r}"
            )


@dataclass
class Exercise:
    """What one example did (for the statistics of a long run)."""

    check: SiteBuilderError | None
    build: SiteBuilderError | None
    built: bool


def exercise(root: Path, files: dict[str, bytes], *, build: bool) -> Exercise:
    """Write ``files`` over the project, run check (and build), assert the promise, restore."""
    originals = {rel: (root / rel).read_bytes() for rel in files}
    try:
        for rel, data in files.items():
            (root / rel).write_bytes(data)
        before = snapshot(root)
        check_err = _check(root)
        if check_err is not None:
            assert_located(check_err, root, "check")
        build_err = None
        built = build or check_err is None
        if built:
            build_err = _build(root)
            if build_err is not None:
                assert_located(build_err, root, "build")
                after = snapshot(root)
                assert after == before, "a refused build changed: " + ", ".join(
                    sorted(k for k in set(after) | set(before) if after.get(k) != before.get(k))[:8]
                )
            if check_err is not None:
                assert build_err is not None, "check refused what build accepted:\n" + check_err.format_message()
            if check_err is None and build_err is not None:
                raise Bug("build refused what check accepted:\n" + build_err.format_message())
        return Exercise(check_err, build_err, built)
    finally:
        for rel, data in originals.items():
            (root / rel).write_bytes(data)


# ------------------------------------------------------------------ mutations: bytes

YAML_TOKENS = [
    b"&a ", b"*a", b"!!python/object/apply:os.system ['id'] ", b"!!str ", b"!x ", b"<<: ", b"<<: *a",
    b"\t", b"---\n", b"...\n", b": ", b":", b"- ", b"? ", b"{", b"}", b"[", b"]", b'"', b"'", b"|",
    b"|-\n", b">", b"#", b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n", b"\x00", b"\x07", b"\x1b[31m",
    "\u202e".encode(), "\u200b".encode(), "\u2028".encode(), "\x85".encode(), b"\xef\xbb\xbf",
    b"\xff\xfe", b"\xfe\xff", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"1e999999",
    b"-1e999999", b".nan", b".inf", b"-.inf", b"NaN", b"0x1F", b"0o17", b"017", b"yes", b"no",
    b"on", b"~", b"null", b"2017-02-30", b"9" * 400, b"\r", b"\r\n", "\u3000".encode(),
    "\uff11\uff12".encode(), b"\\", b"%", b"@", b"`", b",", b"!", b"&", b"*", b"  ", b"\n  ",
    b"\n- ", b"\n  - ", b"\nx: ", b"\n  x: y", b"\nunits:\n", b"{a: [b, {c: d}]}", b"[[[[[[[[",
    b"]]]]]]]]", b"'''", b'"\\x"', b'"\\uD800"', b'"\\U0010FFFF"', b"\xe4\xb8",
]
MD_TOKENS = [
    b"<script>alert(1)</script>", b"<img src=x onerror=alert(1)>", b"[x](javascript:alert(1))",
    b"[x](JaVaScRiPt:alert(1))", b"[x](data:text/html,<script>)", b"![x](javascript:alert(1))",
    b"<a href='javascript:alert(1)'>x</a>", b"<iframe src=//evil>", b"<style>*{}</style>",
    b"<!--", b"-->", b"{{ 7*7 }}", b"{% for x in y %}", b"{# x #}", b"<svg onload=alert(1)>",
    b"\x00", b"\r", b"\r\n", b"```\n", b"    ", b"\t", b"> ", b"# ", b"| a | b |\n|---|---|\n",
    b"&lt;", b"&#0;", b"&#x110000;", b"\\", b"*", b"_", b"[", b"]", b"(", b")", b"<", b">", b"`",
    "\u202e".encode(), "\u200b".encode(), b"\xff", b"\xc3", b"\xef\xbb\xbf", b"x" * 5000,
    "110101199003074578".encode(), "138 0013 8000".encode(), "\uff11\uff13\uff18".encode(),
    b"[x]: javascript:alert(1)\n", b"<https://example.gov.cn>", b"<javascript:alert(1)>",
    b"\n---\n", b"\n===\n", b"~~~\n", b"$$\n", b"\n\n\n\n",
]
JSON_TOKENS = [
    b"1e999999", b"-1e999999", b"NaN", b"Infinity", b"-Infinity", b"-0", b"9" * 5000, b"null",
    b"true", b"[]", b"{}", b'""', b"[" * 64, b"]" * 64, b"{", b"}", b",", b":", b'"', b"\\",
    b"\\u0000", b"\\ud800", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\t", b"\r\n", b"/*", b"//",
    b'"../../etc/passwd"', b'"/etc/passwd"', b'"published/../site.yaml"', b"0.5", b"1.0", b"-1",
]


@st.composite
def byte_mutation(draw, original: bytes, tokens: list[bytes]) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(
            ["flip", "insert", "delete", "token", "token", "token", "dupline", "dropline",
             "swaplines", "indent", "truncate", "repeat"]
        ))
        n = len(data)
        pos = draw(st.integers(0, n))
        if op == "flip" and n:
            i = min(pos, n - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            data[pos:pos + draw(st.integers(1, 16))] = b""
        elif op == "token":
            token = draw(st.sampled_from(tokens))
            if draw(st.booleans()):  # at the start of a line, or after the key of a line
                starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]
                line = draw(st.sampled_from(starts))
                colon = data.find(b": ", line)
                end = data.find(b"\n", line)
                pos = colon + 2 if draw(st.booleans()) and colon != -1 and (end == -1 or colon < end) else line
            data[pos:pos] = token
        elif op in ("dupline", "dropline", "swaplines", "indent"):
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if op == "dupline":
                lines.insert(i, lines[i])
            elif op == "dropline":
                del lines[i]
            elif op == "swaplines":
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = draw(st.sampled_from([b"  ", b" ", b"\t", b"    "])) + lines[i] if draw(
                    st.booleans()) else lines[i][draw(st.integers(1, 4)):]
            data = bytearray(b"\n".join(lines))
        elif op == "truncate":
            del data[pos:]
        elif op == "repeat" and n:
            start = min(pos, n - 1)
            chunk = bytes(data[start:start + draw(st.integers(1, 40))])
            data[start:start] = chunk * draw(st.integers(1, 50))
    return bytes(data)


# ------------------------------------------------------------------ mutations: encodings


@st.composite
def encoding_mutation(draw, text: str) -> bytes:
    ending = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed", "\n"]))
    if ending == "mixed":
        parts = text.split("\n")
        text = "".join(p + draw(st.sampled_from(["\n", "\r\n", "\r"])) for p in parts[:-1]) + parts[-1]
    elif ending != "\n":
        text = text.replace("\n", ending)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    enc = draw(st.sampled_from(
        ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "gbk", "gb18030",
         "big5", "latin-1", "utf-8", "utf-8-sig"]
    ))
    data = text.encode(enc, errors="replace")
    if enc == "utf-8-sig" and draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data  # a BOM twice
    return data


# ------------------------------------------------------------------ mutations: structure


class Plain(str):
    """Text written as a plain scalar, so the loader sees 1e999999, not '1e999999'."""


class _Dumper(yaml.SafeDumper):
    pass


def _plain(dumper: yaml.SafeDumper, value: Plain) -> yaml.ScalarNode:
    tag = dumper.resolve(yaml.ScalarNode, str(value), (True, False))
    return dumper.represent_scalar(tag, str(value))


_Dumper.add_representer(Plain, _plain)

WEIRD_TEXT = [
    "", " ", "1e999999", "-1e999999", "1e-999999", ".nan", ".inf", "-.inf", "NaN", "Infinity",
    "0x10", "0o17", "017", "0b11", "1_000", "+5", "-0", "-1", "--1", "1.", ".5", "1/2", "½", "５",
    "٣", "1,000", "1 000", "9" * 60, "0." + "0" * 60 + "1", "1e400", "1E-400", "100.0000000001",
    "yes", "no", "on", "off", "y", "n", "True", "FALSE", "~", "null", "2017-02-30", "2017-13-01",
    "0000-00-00", "9999-12-31", "2017-1-1", "2017/10/16", "2017-10-16T25:00:00", "20171016",
    "2017-Q5", "2017-Q0", "2017-H3", "2017-M13", "2017", "2017-Q3", "2016-Q4", "2030-Q1", "2018-H1",
    "\u202e", "\u200b", "\ufeff", "a\u0085b", "\u2028", "x" * 3000, "<script>alert(1)</script>",
    "javascript:alert(1)", "=HYPERLINK(\"http://x\",\"y\")", "+1", "@SUM(1)", "../../etc/passwd",
    "/etc/passwd", "..", ".", "CON", "a/b", "a\\b", "%2e%2e", "😀", "𠀀", "İ", "ß", "Ａ",
    "110101199003074578", "13800138000", "http://", "https://example.gov.cn/", "mailto:a@b",
    "{{ 7*7 }}", "published", "publshed", "draft", "public", "公示", "通报", "quarter", "year",
    "month", "half", "sanction", "bonus", "deduction", "score", "assessed", "formula",
]
PLAIN_TEXT = [
    "1e999999", "-1e999999", ".nan", ".inf", "-.inf", "0x10", "0o17", "017", "0b11", "1_000",
    "yes", "no", "on", "off", "~", "null", "2017-02-30", "2017-10-16", "12:30", "1:20:30",
    "2017-10-16 10:00:00", "1e3", "9" * 60, "-0", "+.5", "Infinity", "<<", "=", "True",
]


def _scalars(tree: object) -> set[str]:
    if isinstance(tree, dict):
        return {str(k) for k in tree} | {s for v in tree.values() for s in _scalars(v)}
    if isinstance(tree, list):
        return {s for v in tree for s in _scalars(v)}
    return {str(tree)} if tree is not None else set()


def _fixture_pool() -> tuple[list[str], list[str]]:
    """Every scalar and every key of the fixture's YAML: ids and names from elsewhere."""
    values: set[str] = set()
    keys: set[str] = set()
    for path in sorted(FIXTURE.rglob("*.yaml")):
        tree = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
        values |= _scalars(tree)

        def walk(t: object) -> None:
            if isinstance(t, dict):
                keys.update(map(str, t))
                for v in t.values():
                    walk(v)
            elif isinstance(t, list):
                for v in t:
                    walk(v)

        walk(tree)
    return sorted(values), sorted(keys)


POOL, KEYS = _fixture_pool()

scalar_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(WEIRD_TEXT),
    st.sampled_from(PLAIN_TEXT).map(Plain),
    st.sampled_from(POOL),
)


def _nested(scalars: st.SearchStrategy, keys: st.SearchStrategy) -> st.SearchStrategy:
    """Scalars, and lists and mappings of them two levels deep (deeper nesting is its own mutation)."""
    one = st.one_of(scalars, st.lists(scalars, max_size=4), st.dictionaries(keys, scalars, max_size=4))
    return st.one_of(scalars, one, st.lists(one, max_size=3), st.dictionaries(keys, one, max_size=3))


any_values = _nested(scalar_values, st.sampled_from(KEYS) | st.text(max_size=6))


def _paths(tree: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += _paths(v, prefix + (i,))
    return out


def _get(tree: object, path: tuple) -> object:
    for p in path:
        tree = tree[p]  # type: ignore[index]
    return tree


@st.composite
def tree_mutation(draw, tree: object, values=any_values, keys: list[str] = KEYS) -> object:
    """The tree with one to three nodes replaced, deleted, duplicated, wrapped or nested."""
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(tree)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(
            ["replace", "replace", "replace", "pool", "delete", "delete", "unknown_key", "wrap_list",
             "wrap_map", "nest", "duplicate", "swap", "empty"]
        ))
        if not path:
            if op in ("replace", "empty"):
                tree = draw(values) if op == "replace" else draw(st.sampled_from([None, [], {}, ""]))
            continue
        parent, key = _get(tree, path[:-1]), path[-1]
        old = parent[key]
        if op == "replace":
            parent[key] = draw(values)
        elif op == "pool":
            parent[key] = draw(st.sampled_from(POOL))
        elif op == "delete":
            del parent[key]
        elif op == "unknown_key":
            target = old if isinstance(old, dict) else parent if isinstance(parent, dict) else None
            if target is not None:
                target[draw(st.sampled_from(keys) | st.text(min_size=1, max_size=8))] = draw(values)
        elif op == "wrap_list":
            parent[key] = [old]
        elif op == "wrap_map":
            parent[key] = {draw(st.sampled_from(keys)): old}
        elif op == "nest":
            depth = draw(st.sampled_from([3, 20, 49, 50, 51, 60, 200]))
            for _ in range(depth):
                old = [old] if draw(st.booleans()) else {"k": old}
            parent[key] = old
        elif op == "duplicate":
            if isinstance(parent, list):
                parent.insert(key, copy.deepcopy(old))
            else:
                parent[key] = copy.deepcopy(old) if not isinstance(old, list) else old + copy.deepcopy(old)
        elif op == "swap":
            other = draw(st.sampled_from(paths))
            try:
                value = copy.deepcopy(_get(tree, other))
            except (KeyError, IndexError, TypeError):
                continue
            parent[key] = value
        elif op == "empty":
            parent[key] = draw(st.sampled_from([None, [], {}, "", Plain("")]))
    return tree


@st.composite
def yaml_mutation(draw, original: bytes) -> bytes:
    """A YAML file mutated at the byte level, structurally, in its encoding, or several of these."""
    kind = draw(st.sampled_from(["bytes", "tree", "tree", "encoding", "tree+encoding", "tree+bytes"]))
    if kind == "bytes":
        return draw(byte_mutation(original, YAML_TOKENS))
    text = original.decode("utf-8")
    if kind == "encoding":
        return draw(encoding_mutation(text))
    tree = yaml.load(text, Loader=yaml.BaseLoader)
    mutated = draw(tree_mutation(tree))
    try:
        out = yaml.dump(
            mutated,
            Dumper=_Dumper,
            allow_unicode=draw(st.booleans()),
            sort_keys=False,
            default_flow_style=draw(st.sampled_from([False, None, True])),
            width=draw(st.sampled_from([80, 10**6])),
        )
    except (yaml.YAMLError, RecursionError):
        out = text
    if kind == "tree+encoding":
        return draw(encoding_mutation(out))
    data = out.encode("utf-8")
    if kind == "tree+bytes":
        return draw(byte_mutation(data, YAML_TOKENS))
    return data


@st.composite
def markdown_mutation(draw, original: bytes) -> bytes:
    kind = draw(st.sampled_from(["bytes", "bytes", "encoding", "text"]))
    if kind == "bytes":
        return draw(byte_mutation(original, MD_TOKENS))
    text = original.decode("utf-8")
    if kind == "text":
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.text(max_size=40)) + text[pos:]
    return draw(encoding_mutation(text))


DEEP = "\u0000deep\u0000"

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(WEIRD_TEXT),
    st.sampled_from([DEEP, "published/../site.yaml", "/etc/passwd", "published/x/../../site.yaml",
                     "published/xiaoneng/2017-Q3/v1.yaml", "published/xiaoneng/2017-Q4/v1.yaml",
                     "xiaoneng/2017-Q3", "xiaoneng/2018-Q1", "0" * 64, "f" * 64]),
)
json_values = _nested(json_scalars, st.text(max_size=12))
LOCK_KEYS = ["periods", "versions", "n", "sha256", "corrections", "correction", "basis", "period_file",
             "scheme_file", "body_file", "path", "version", "2017-Q3", "xiaoneng/2017-Q3"]


@st.composite
def json_mutation(draw, original: bytes) -> bytes:
    kind = draw(st.sampled_from(["bytes", "tree", "tree", "tree", "encoding"]))
    if kind == "bytes":
        return draw(byte_mutation(original, JSON_TOKENS))
    text = original.decode("utf-8")
    if kind == "encoding":
        return draw(encoding_mutation(text))
    mutated = draw(tree_mutation(json.loads(text), values=json_values, keys=LOCK_KEYS))
    out = json.dumps(mutated, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2])))
    deep = json.dumps(DEEP)
    if deep in out:
        n = draw(st.sampled_from([10, 500, 5000, 100000]))
        out = out.replace(deep, "[" * n + "1" + "]" * n, 1)
    return out.encode("utf-8")


# ------------------------------------------------------------------ the tests

YAML_KINDS = {
    "site": ["site.yaml"],
    "units": ["units/county.yaml"],
    "scheme": ["schemes/xiaoneng/v2017.yaml", "schemes/xiaoneng/v2018.yaml"],
    "period": [
        "scores/xiaoneng/2017-Q3.yaml",
        "scores/xiaoneng/2017-Q4.yaml",
        "scores/xiaoneng/2018-Q1.yaml",
        "scores/xiaoneng/2018-Q2.yaml",
    ],
}
ARCHIVE = "published/xiaoneng/2017-Q3"


@pytest.mark.parametrize("kind", sorted(YAML_KINDS))
@fuzz_settings(100)
@given(data=st.data())
def test_fuzz_yaml_kind(plain: Path, kind: str, data: st.DataObject) -> None:
    """site.yaml, a unit registry, a scheme version, a period file: refused with a location or built."""
    rel = data.draw(st.sampled_from(YAML_KINDS[kind]), label="file")
    mutated = data.draw(yaml_mutation((plain / rel).read_bytes()), label="bytes")
    exercise(plain, {rel: mutated}, build=data.draw(st.integers(0, 4), label="build") == 0)


LOCKED_KINDS = {
    "site": ["site.yaml"],
    "units": ["units.yaml"],
    "scheme": ["schemes/xiaoneng/v2017.yaml"],
    "period": YAML_KINDS["period"][:2],
}


@pytest.mark.parametrize("kind", sorted(LOCKED_KINDS))
@fuzz_settings(40)
@given(data=st.data())
def test_fuzz_yaml_kind_of_a_locked_project(corrected: Path, kind: str, data: st.DataObject) -> None:
    """The sources of published, corrected notices (their unit names, clauses, contact and facts are
    locked): an unrecorded change is refused at a location, never a crash."""
    rel = data.draw(st.sampled_from(LOCKED_KINDS[kind]), label="file")
    mutated = data.draw(yaml_mutation((corrected / rel).read_bytes()), label="bytes")
    exercise(corrected, {rel: mutated}, build=data.draw(st.integers(0, 3), label="build") == 0)


@fuzz_settings(40)
@given(data=st.data())
def test_fuzz_notice_body(plain: Path, data: st.DataObject) -> None:
    """The Markdown body of a notice: any bytes either publish safely or are refused at the file."""
    rel = "content/notices/2017-q3.md"
    mutated = data.draw(markdown_mutation((plain / rel).read_bytes()), label="bytes")
    exercise(plain, {rel: mutated}, build=True)


@fuzz_settings(60)
@given(data=st.data())
def test_fuzz_lock(corrected: Path, data: st.DataObject) -> None:
    """published.lock: malformed, wrong types, deep, huge numbers — a located refusal or a build."""
    mutated = data.draw(json_mutation((corrected / "published.lock").read_bytes()), label="bytes")
    exercise(corrected, {"published.lock": mutated}, build=True)


def _forge(lock: bytes, rel: str, data: bytes) -> bytes:
    """The lock with every recorded SHA-256 of ``rel`` replaced by that of ``data`` (a determined forger)."""
    doc = json.loads(lock)

    def walk(t: object) -> None:
        if isinstance(t, dict):
            if t.get("path") == rel and "sha256" in t:
                t["sha256"] = _sha(data)
            for v in t.values():
                walk(v)
        elif isinstance(t, list):
            for v in t:
                walk(v)

    walk(doc)
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


@fuzz_settings(40)
@given(data=st.data())
def test_fuzz_archive(corrected: Path, data: st.DataObject) -> None:
    """A file under published/ (version 1 of a corrected notice), with and without the lock forged to match.

    The names are read from the archive, so every kind the lock archives (period, scheme, body,
    notice content) is fuzzed.
    """
    names = sorted(p.name for p in (corrected / ARCHIVE).glob("v1.*"))
    name = data.draw(st.sampled_from(names), label="file")
    rel = f"{ARCHIVE}/{name}"
    original = (corrected / rel).read_bytes()
    if name.endswith(".md"):
        mutated = data.draw(markdown_mutation(original), label="bytes")
    elif name.endswith(".json"):
        mutated = data.draw(json_mutation(original), label="bytes")
    else:
        mutated = data.draw(yaml_mutation(original), label="bytes")
    files = {rel: mutated}
    if data.draw(st.booleans(), label="forge"):
        files["published.lock"] = _forge((corrected / "published.lock").read_bytes(), rel, mutated)
    exercise(corrected, files, build=True)


def test_projects_build_unchanged(plain: Path, corrected: Path) -> None:
    """The fuzzers' starting points are valid: the unmutated projects check and build."""
    for root in (plain, corrected):
        result = exercise(root, {}, build=True)
        assert result.check is None and result.build is None
    assert re.search(r"v1/index\.html", "\n".join(snapshot(corrected / "_site/notices")))


def test_a_quoted_value_with_line_breaks_stays_on_its_line(tmp_path: Path) -> None:
    """Regression (found by fuzzing): a value holding a line break was echoed raw, so one
    problem took two lines and the second had no file:line:column."""
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    q3 = root / "scores/xiaoneng/2017-Q3.yaml"
    q3.write_text(q3.read_text("utf-8").replace('tuijin: "55"', 'tuijin: "5\\n5"'), "utf-8")
    q4 = root / "scores/xiaoneng/2017-Q4.yaml"
    q4.write_text(q4.read_text("utf-8").replace("status: published", 'status: "publ\\r\\nished"'), "utf-8")
    err = _check(root)
    assert isinstance(err, InputError)
    assert err.format_message().split("\n") == [
        "scores/xiaoneng/2017-Q3.yaml:21:15: “5\\n5”不是有效的数值 — 请按 5.25、-1、0.5 这样的格式填写",
        "scores/xiaoneng/2017-Q4.yaml:4:9: “publ\\r\\nished”不是可选值 — 可选：'draft', 'public_notice' or 'published'",
        "共 2 个错误；未写出任何文件。",
    ]


def _edited(tmp_path: Path, rel: str, old: str, new: str) -> Path:
    root = tmp_path / "p"
    if not root.exists():
        shutil.copytree(FIXTURE, root)
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return root


def test_a_count_of_42_digits_is_scored_and_shown_without_a_crash(tmp_path: Path) -> None:
    """Regression (found by fuzzing): fmt() quantized a 42-digit amount in a 34-digit context
    and raised decimal.InvalidOperation (a traceback from check and build)."""
    from site_builder import pipeline

    count = "1" + "0" * 41
    root = _edited(tmp_path, "scores/xiaoneng/2017-Q3.yaml", 'koufen: "0"', f'koufen: "{count}"')
    _, results = pipeline.check(root)
    fgw = results[("xiaoneng", "2017-Q3")].units["fgw"]
    line = next(x for x in fgw.lines if x.id == "koufen")
    assert (line.raw, line.points, line.clip) == (-2 * Decimal(count), Decimal(-10), "cap")
    assert fgw.total == Decimal("84.00")  # 2017-Q3 fgw: 18 + 20 + 55 + 1 (bonus) − 10 (capped)
    assert _build(root) is None
    card = (root / "_site/units/fgw/xiaoneng/2017-Q3/index.html").read_text("utf-8")
    assert "2" + "0" * 41 in card  # the amount before the cap, written out in full


def test_rounding_to_ten_places_rounds_a_huge_total_without_a_crash(tmp_path: Path) -> None:
    """Regression (found by fuzzing): round_points() quantized in the engine's 34-digit context,
    so 10 places of a 30-digit total raised decimal.InvalidOperation."""
    from site_builder import pipeline
    from site_builder.schema.scheme import Rounding
    from site_builder.scoring.engine import round_points

    big = Decimal("123456789012345678901234567890.123456789012345")
    assert round_points(big, Rounding(places=10)) == Decimal("123456789012345678901234567890.1234567890")
    assert round_points(Decimal("2.5"), Rounding(places=0, mode="half_even")) == Decimal(2)
    root = _edited(tmp_path, "schemes/xiaoneng/v2017.yaml", "sample: true", 'rounding: {places: "10"}')
    _, results = pipeline.check(root)
    total = results[("xiaoneng", "2017-Q3")].units["czj"].total
    assert total == Decimal("91.5") and total.as_tuple().exponent == -10
