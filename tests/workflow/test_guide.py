"""docs/guide.md cannot drift from the commands: every ``site-builder …`` it quotes must parse.

The guide is read by a clerk who types its commands as written.  Each command
line in a ``powershell``/``sh`` block and each inline ``site-builder …`` code
span is parsed by the real click commands (names, options, arguments, choices,
required options); command lines inside quoted output (``text`` blocks) must
at least name existing commands and options.  Links within the docs resolve.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from pathlib import Path

import click
import pytest

from site_builder.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE = DOCS / "guide.md"
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.S | re.M)
INLINE = re.compile(r"(?<!`)`(site-builder(?: [^`]*)?)`(?!`)")
IN_OUTPUT = re.compile(r"site-builder(?: [^\s（），。；：、]+)*")


def _commands() -> tuple[list[str], list[str]]:
    """(lines to parse in full, lines to check for names and options only)."""
    text = GUIDE.read_text("utf-8")
    full: list[str] = []
    names: list[str] = []
    for _, lang, body in FENCE.findall(text):
        for line in body.splitlines():
            line = line.strip()
            if lang in ("powershell", "sh", "bat", "cmd"):
                if line.startswith("site-builder"):
                    full.append(line)
            else:
                names.extend(IN_OUTPUT.findall(line))
    outside = FENCE.sub("", text)
    full.extend(INLINE.findall(outside))
    return full, names


FULL, NAMES = _commands()
SKELETON_README = Path(__file__).resolve().parents[2] / "site_builder/workflow/skeleton/README.md"


def _readme_commands() -> list[str]:
    """The commands the README of a new site lists (placeholders filled as ``new site`` fills them)."""
    text = SKELETON_README.read_text("utf-8").replace("{{scheme}}", "xiaoneng").replace("{{year}}", "2026")
    lines = []
    for _, lang, body in FENCE.findall(text):
        lines += [ln.strip() for ln in body.splitlines() if lang == "sh" and ln.strip().startswith("site-builder")]
    return lines


README_LINES = _readme_commands()


def _resolve(tokens: list[str]) -> tuple[click.Command, list[str], str]:
    """The command a token list names, the tokens left for it, and its path for messages."""
    cmd: click.Command = main
    path = "site-builder"
    rest = list(tokens)
    while isinstance(cmd, click.Group) and rest and not rest[0].startswith("-"):
        sub = cmd.get_command(click.Context(cmd), rest[0])
        assert sub is not None, f"{path} has no command “{rest[0]}”"
        path += " " + rest[0]
        cmd, rest = sub, rest[1:]
    return cmd, rest, path


def _option_names(cmd: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for p in cmd.params:
        if isinstance(p, click.Option):
            names.update(p.opts)
            names.update(p.secondary_opts)
    return names


def _check_options(cmd: click.Command, rest: list[str], path: str) -> None:
    known = _option_names(cmd)
    for token in rest:
        if token.startswith("-") and not re.fullmatch(r"-\d+(\.\d+)?", token):
            name = token.split("=", 1)[0]
            assert name in known, f"{path}: no option {name} (has {sorted(known)})"


def test_the_guide_quotes_commands():
    assert len(FULL) >= 25, FULL
    typed = {" ".join(_resolve(shlex.split(line)[1:])[2].split()[1:]) for line in FULL}
    for command in ("new site", "new period", "sheet", "import", "publish", "correct", "export", "check", "build"):
        assert command in typed, f"the guide has no command line for site-builder {command}"


def test_the_new_sites_readme_quotes_commands():
    assert len(README_LINES) >= 6, README_LINES


@pytest.mark.parametrize("line", FULL + README_LINES)
def test_command_lines_parse(line):
    tokens = shlex.split(line, comments=True)
    assert tokens[0] == "site-builder"
    cmd, rest, path = _resolve(tokens[1:])
    _check_options(cmd, rest, path)
    if {"--help", "-h", "--version"} & set(rest):
        return
    assert not isinstance(cmd, click.Group), f"“{line}” names a group, not a command"
    try:
        cmd.make_context(path, list(rest))
    except click.ClickException as exc:
        pytest.fail(f"“{line}”: {exc.format_message()}")


@pytest.mark.parametrize("line", NAMES)
def test_commands_in_quoted_output_exist(line):
    cmd, rest, path = _resolve(line.split()[1:])
    _check_options(cmd, rest, path)
    assert not isinstance(cmd, click.Group) or not rest, f"“{line}”"


def test_a_wrong_option_would_be_caught():
    """The checks above can fail: a misspelt option, a missing required one, an unknown command."""
    with pytest.raises(AssertionError):
        _check_options(*_resolve(["publish", "xiaoneng", "2026-Q2", "--gongshii"]))
    cmd, rest, path = _resolve(["publish", "xiaoneng", "2026-Q2", "--gongshi", "--date", "2026-07-10"])
    with pytest.raises(click.ClickException):
        cmd.make_context(path, rest)  # --number is required
    with pytest.raises(AssertionError):
        _resolve(["new", "scheme", "x"])


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation removed, spaces → hyphens."""
    text = heading.strip().lower()
    text = "".join(c for c in text if c in "-_ " or not unicodedata.category(c).startswith(("P", "S")))
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text("utf-8"))
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def test_links_in_the_guide_resolve():
    text = FENCE.sub("", GUIDE.read_text("utf-8"))
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links
    for target in links:
        if re.match(r"https?://", target):
            continue
        file, _, anchor = target.partition("#")
        path = GUIDE if not file else (DOCS / file)
        assert path.is_file(), f"docs/guide.md: broken link {target}"
        if anchor:
            assert anchor in _anchors(path), f"docs/guide.md: no heading for #{anchor} in {path.name}"


def test_the_docs_index_links_the_guide():
    assert "(guide.md)" in (DOCS / "index.md").read_text("utf-8")
