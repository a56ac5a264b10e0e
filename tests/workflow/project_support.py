"""What the workflow tests share: the fixture project copied (and locked), the CLI, snapshots, YAML edits."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from site_builder.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "site" / "fixtures" / "basic"


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def copy_fixture(tmp_path: Path, *, locked: bool = False) -> Path:
    """tests/site/fixtures/basic in ``tmp_path/project``; with ``locked``, its notices locked."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    if locked:
        r = cli("lock", "--root", str(root))
        assert r.exit_code == 0, r.output
    return root


def edit(path: Path, change) -> None:
    """Load a YAML file, let ``change`` edit the data, write it back."""
    doc = yaml.safe_load(path.read_text("utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
