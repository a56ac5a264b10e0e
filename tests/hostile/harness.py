"""The hostile-input harness: one bad input, every promise checked.

A case copies the fixture project (``tests/site/fixtures/basic``), builds it
once into ``_site`` (and, with ``locked=True``, locks it first), snapshots
every byte of the project, applies its mutation, then runs ``site-builder
check`` and ``site-builder build`` through Click's runner and asserts:

- both exit with status 1 (a refusal, not a crash), and no traceback is shown;
- the only exception is the CLI's own exit (``SystemExit``), never another;
- both messages name the expected location (a regular expression such as
  ``r"scores/xiaoneng/2017-Q3\\.yaml:\\d+:\\d+"``);
- nothing was written: every file of the project, ``_site`` included, is
  byte-identical to the state after the mutation, and no staging folder remains.

Use :func:`refused` in a test::

    def test_x(tmp_path):
        refused(tmp_path, mutate=lambda root: ..., where=r"units\\.yaml:3:\\d+")
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from site_builder.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "site" / "fixtures" / "basic"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file (and symlink target) under ``root`` by relative path; symlinks are not followed."""
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            key = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[key] = b"-> " + os.fsencode(os.readlink(p))
            elif p.is_file():
                out[key] = p.read_bytes()
            elif p.is_dir():
                out[key + "/"] = b""
    return out


def make(tmp_path: Path, *, locked: bool = False, built: bool = True) -> Path:
    """A scratch copy of the fixture project, locked and built as asked."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, symlinks=True)
    runner = CliRunner()
    if locked:
        r = runner.invoke(main, ["lock", "--root", str(root)])
        assert r.exit_code == 0, r.output
    if built:
        r = runner.invoke(main, ["build", "--root", str(root), "--quiet"])
        assert r.exit_code == 0, r.output
    return root


@dataclass
class Outcome:
    check: Result
    build: Result

    @property
    def text(self) -> str:
        return self.check.output + "\n" + self.build.output


def run_both(root: Path, *extra: str) -> Outcome:
    runner = CliRunner()
    env = {"SOURCE_DATE_EPOCH": None}
    check = runner.invoke(main, ["check", "--root", str(root)], env=env)
    build = runner.invoke(main, ["build", "--root", str(root), "--quiet", *extra], env=env)
    return Outcome(check, build)


def assert_refused(result: Result, where: str, label: str) -> None:
    import re

    assert result.exit_code == 1, f"{label}: exit {result.exit_code}\n{result.output}"
    assert isinstance(result.exception, SystemExit), f"{label}: {result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output, f"{label}: traceback\n{result.output}"
    assert re.search(where, result.output), f"{label}: no location /{where}/ in\n{result.output}"


def refused(
    tmp_path: Path,
    mutate: Callable[[Path], None],
    where: str,
    *,
    locked: bool = False,
    check: bool = True,
    extra: tuple[str, ...] = (),
) -> Outcome:
    """Apply ``mutate`` to a built copy of the fixture; both commands must refuse it.

    ``check=False`` is for problems only a build can meet (the output folder):
    then only ``build`` is run and asserted.
    """
    root = make(tmp_path, locked=locked)
    mutate(root)
    before = snapshot(root)
    outcome = run_both(root, *extra)
    if check:
        assert_refused(outcome.check, where, "check")
    assert_refused(outcome.build, where, "build")
    after = snapshot(root)
    assert after == before, f"files changed: {sorted(set(after.items()) ^ set(before.items()), key=str)[:5]}"
    return outcome
