"""Scratch projects written inline (shared by the check, engine and property tests).

Kept out of ``conftest.py`` so test modules can import it by a name no other
conftest shares: ``from scratch import make_project, SCHEME, …``.

``make_project(tmp_path, files)`` writes the tiny valid project below into
``tmp_path`` and then applies ``files``: ``{relative path: text}`` adds or
replaces a file (``bytes`` are written as they are), ``None`` deletes one.
Tests change only what they are about, so every expected ``line:column`` can
be counted by hand from the inline text.
"""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path

SITE = """\
title: 测试考核公示
organisation: 测试县考核办
sample: true
"""

UNITS = """\
units:
  - {id: a1, name: 发改委}
  - {id: a2, name: 教育局}
  - {id: a3, name: 科技局}
"""

# Line numbers matter: tests quote them.
SCHEME = """\
title: 测试考核办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 20
period: {kind: quarter}
groups:
  - {id: g, name: 全体, units: [a1, a2, a3]}
indicators:
  - id: work
    name: 工作推进
    max: 10
    office: 综合科
    rule: {kind: assessed}
  - id: duty
    name: 值守纪律
    max: 10
    rule: {kind: per_occurrence, per: 1, cap: 3}
  - id: bonus
    name: 加分项
    type: bonus
    max: 4
    rule:
      kind: recognition
      levels:
        - {id: city, name: 市级, per: 0.5}
        - {id: prov, name: 省级, per: 1}
vetoes:
  - {id: disc, name: 被纪委通报批评}
rankings:
  - {id: q, name: 季度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1}}
"""

SCORES = """\
scheme: demo
version: "2024"
period: 2024-Q1
status: published
notice: {date: 2024-04-10, number: 测〔2024〕1号}
units:
  a1:
    facts:
      work: 9.5
      duty: 1
      bonus: {awards: [{level: prov, title: 省级表彰}]}
  a2:
    facts:
      work: 10
      duty: {events: [{date: 2024-02-01, note: 缺岗}]}
  a3:
    facts: {work: 8, duty: 0}
"""

BASE_FILES: dict[str, str] = {
    "site.yaml": SITE,
    "units/units.yaml": UNITS,
    "schemes/demo/2024.yaml": SCHEME,
    "scores/demo/2024-Q1.yaml": SCORES,
}


def make_project(tmp_path: Path, files: dict[str, str | bytes | None] | None = None,
                 base: bool = True) -> Path:
    """Write the base project (unless ``base=False``) plus ``files`` into ``tmp_path``."""
    merged: dict[str, str | bytes | None] = dict(BASE_FILES) if base else {}
    merged.update(files or {})
    for rel, content in merged.items():
        path = tmp_path / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return tmp_path


def many_units(units: int, periods: list[str], leaves: int, indicators: str, value) -> dict[str, str | None]:
    """A project of ``units`` units u000… in one group, each scored on leaves l0…l{leaves-1} (the
    scheme's ``indicators:`` block given, 10 points a leaf) in each of ``periods`` (quarters), the
    fact of unit i, leaf j in a period being ``value(i, j, period)``: files for :func:`make_project`."""
    ids = ", ".join(f"u{i:03}" for i in range(units))
    scheme = (f"title: 测试考核办法\nissuer: 测试县考核办\neffective: {{from: 2024-01-01}}\ntotal: {10 * leaves}\n"
              f"period: {{kind: quarter}}\ngroups:\n  - {{id: g, name: 全体, units: [{ids}]}}\nindicators:\n{indicators}")

    def scores(period: str) -> str:
        rows = "".join(
            f"  u{i:03}:\n    facts: {{{', '.join(f'l{j}: {value(i, j, period)}' for j in range(leaves))}}}\n"
            for i in range(units))
        return f'scheme: demo\nversion: "2024"\nperiod: {period}\nstatus: draft\nunits:\n{rows}'

    return {
        "units/units.yaml": "units:\n" + "".join(f"  - {{id: u{i:03}, name: 单位{i}}}\n" for i in range(units)),
        "schemes/demo/2024.yaml": scheme,
        "scores/demo/2024-Q1.yaml": None,
        **{f"scores/demo/{p}.yaml": scores(p) for p in periods},
    }


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and mtime: to prove nothing was written."""
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.stat()
            out[p.relative_to(root).as_posix()] = (st.st_size if p.is_file() else -1, st.st_mtime_ns)
    return out


def built_site(root: Path) -> Path:
    """``site-builder build`` on ``root`` (it must succeed); the output folder."""
    from click.testing import CliRunner

    from site_builder.cli import main

    result = CliRunner().invoke(main, ["build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    return root / "_site"


def page_text(site: Path, rel: str) -> str:
    """The words a reader sees on ``rel``/index.html: tags, scripts and styles out, spaces collapsed."""
    raw = (site / rel / "index.html").read_text("utf-8")
    raw = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", raw)))


def line_points(pr, unit: str) -> dict:
    """{line id: points} of one unit's result in a period."""
    return {ln.id: ln.points for ln in pr.units[unit].lines}


def checked_project(directory: Path, files: dict[str, str]) -> tuple[Path, dict]:
    """A project of exactly ``files`` in ``directory``, checked: (root, results by (scheme, period))."""
    from site_builder.pipeline import check

    root = make_project(directory, files, base=False)
    return root, check(root)[1]


def check_output(tmp_path: Path, files: dict[str, str], changes: dict[str, str]) -> tuple[int, str]:
    """``site-builder check`` on ``files`` with ``changes`` applied, in a fresh folder under ``tmp_path``:
    (exit code, output)."""
    from click.testing import CliRunner

    from site_builder.cli import main

    root = make_project(tmp_path / f"p{len(list(tmp_path.iterdir()))}", {**files, **changes}, base=False)
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    return result.exit_code, result.output


def totals(pr) -> dict:
    """{unit: published total} of a period's result."""
    return {u: pr.units[u].total for u in pr.units}


def chosen(pr, hid: str) -> list[tuple[str, ...]]:
    """The units chosen for an honour, one tuple per group (or category), in the scheme's order."""
    return [h.chosen for h in pr.honours if h.honour == hid]


def excluded(pr, hid: str) -> dict[str, str]:
    """{unit: the published reason} of the units kept out of an honour."""
    return {u: why for h in pr.honours if h.honour == hid for u, why in (h.excluded or ())}
