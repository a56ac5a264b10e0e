"""The build version shown in every footer: the source commit, never the clock."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildVersion:
    commit: str | None  # short hash, None when the sources are not committed
    date: str | None  # commit date YYYY-MM-DD

    def text(self, locale: str) -> str:
        if self.commit is None:
            return "uncommitted" if locale == "en" else "未提交"
        return f"{self.commit} ({self.date})"


def build_version(root: Path) -> BuildVersion:
    """``git log -1`` of the project root, or ``未提交`` outside a repository."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["LC_ALL"] = "C"
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%h%x09%cs"],
            capture_output=True,
            text=True,
            env=env,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return BuildVersion(None, None)
    line = out.stdout.strip()
    if out.returncode != 0 or "\t" not in line:
        return BuildVersion(None, None)
    commit, date = line.split("\t", 1)
    return BuildVersion(commit, date)
