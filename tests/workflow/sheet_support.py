"""Helpers of the sheet and import tests: projects, the CLI, filling a workbook as an assessor would."""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from site_builder.cli import main
from site_builder.errors import Problems
from site_builder.load.yamlsafe import load_yaml_bytes

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "site" / "fixtures" / "basic"


def basic(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(FIXTURE, root)
    return root


def example(tmp_path: Path) -> Path:
    """The repository's example content (with its lock), as a clerk's project."""
    root = tmp_path / "example"
    root.mkdir()
    for name in ("site.yaml", "units", "schemes", "scores", "content", "published", "published.lock"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy2(src, root / name)
    return root


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def period_doc(path: Path) -> dict:
    """A period file as the project's loader reads it (plain scalars as text)."""
    doc = load_yaml_bytes(path.read_bytes(), path.name, Problems())
    assert doc is not None
    return doc.data


def facts_of(path: Path, unit: str) -> dict:
    return period_doc(path)["units"][unit]["facts"]


def columns(ws) -> dict[str, int]:
    """Column key (row 4) -> column number."""
    return {ws.cell(4, c).value: c for c in range(4, ws.max_column + 1) if ws.cell(4, c).value}


def rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value}


def fill(src: Path, values: dict[tuple[str, str], object], dst: Path | None = None) -> Path:
    """Type ``values`` ({(unit id, column key): value}) into the 评分表 sheet and save."""
    wb = openpyxl.load_workbook(src)
    ws = wb["评分表"]
    cols, rws = columns(ws), rows(ws)
    for (unit, key), value in values.items():
        ws.cell(rws[unit], cols[key]).value = value
    out = dst or src
    wb.save(out)
    return out


FULL_Q3 = {
    ("fgw", "fuwu"): "好", ("fgw", "tuijin"): 57,
    ("czj", "fuwu"): "较好", ("czj", "tuijin"): 55.5,
    ("sjj", "fuwu"): "差", ("sjj", "tuijin"): "48", ("sjj", "koufen"): 2, ("sjj", "jilv:staff"): 1,
    ("jyj", "fuwu"): "一般", ("jyj", "tuijin"): 5.16,
    ("wjw", "fuwu"): "好", ("wjw", "tuijin"): 58, ("wjw", "jiafen:city"): 1, ("wjw", "jiafen:prov"): 1,
}


def dec(x: object) -> Decimal:
    return Decimal(str(x))


def soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                 "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(path):
            return path
    return None


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def need_soffice() -> str:
    """LibreOffice's soffice: skip locally when missing, fail under CI=true (the test setup installs it)."""
    path = soffice()
    if path is None:
        reason = "LibreOffice (soffice) is not installed: bash scripts/install-test-deps.sh installs libreoffice-calc-nogui"
        if on_ci():
            pytest.fail(f"{reason} (CI=true: this test must not be skipped)", pytrace=False)
        pytest.skip(reason)
    return path


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """``soffice --headless --convert-to fmt``; returns the converted file."""
    exe = need_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "lo-profile"
    proc = subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=240,
    )
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert proc.returncode == 0 and out.exists(), f"soffice failed: {proc.stdout}\n{proc.stderr}"
    return out
