"""What a locked version records of a notice: the canonical JSON of its results
and its hash, the body as published (names masked), the canonical notice
content, and the archived files read back safely.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from site_builder.errors import Problems
from site_builder.load.files import PERIOD_MAX_BYTES, read_source
from site_builder.model import Period, Project
from site_builder.scoring.results import PeriodResult
from site_builder.site.output import personal_names
from site_builder.site.records import noticedoc
from site_builder.site.records.lock.lockfile import ArchivedFile, LOCKED_STAGES, LockedVersion


def _num(d: Decimal | None) -> str | None:
    if d is None:
        return None
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def canonical_results(result: PeriodResult) -> dict:
    """What a notice publishes, as plain JSON values (numbers as normalised text)."""
    units = {}
    for uid, u in sorted(result.units.items()):
        units[uid] = {
            "group": u.group,
            "status": u.status,
            "reason": u.reason,
            "total": _num(u.total),
            "bonus": _num(u.bonus),
            "deduction": _num(u.deduction),
            "coefficient": _num(u.coefficient),
            "lines": {line.id: _num(line.points) for line in u.lines},
            "vetoes": [[v.id, v.reason] for v in u.vetoes],
            "note": u.note,
        }
        if uid in result.levels:  # a published level (grades:); absent before levels existed
            units[uid]["level"] = result.levels[uid].level
    return {
        "scheme": result.scheme,
        "version": result.version,
        "period": result.period,
        "units": units,
        "rankings": [
            [
                r.ranking,
                r.group,
                [[e.unit, e.rank, _num(e.value), e.tied] for e in r.entries],
                [list(x) for x in r.unranked],
            ]
            for r in result.rankings
        ],
        "honours": [
            [h.honour, h.group, list(h.chosen), [list(x) for x in h.excluded]]
            for h in result.honours
        ],
    }


def results_hash(result: PeriodResult) -> str:
    text = json.dumps(
        canonical_results(result), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def same_bytes(data: bytes, digest: str) -> bool:
    """Whether ``data`` is the archived file ``digest`` names: byte for byte, or as canonical text.

    A checkout that converted line endings (git's ``core.autocrlf``) or an
    editor that added a BOM changes the bytes, not the text.
    """
    return sha256(data) == digest or sha256(noticedoc.canonical_bytes(data)) == digest


def key_of(period: Period) -> str:
    return f"{period.scheme}/{period.id}"


def body_path(period: Period) -> str | None:
    """The notice body of ``period`` as a project path (``content/…``), if it has one."""
    body = period.scores.notice.body if period.scores.notice else None
    return f"content/{body}" if body else None


def is_inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def regular_body_file(root: Path, rel: str) -> Path | None:
    """The body file ``rel`` when it is a regular file inside content/ reached without links."""
    base = root / "content"
    path = root / rel
    real = Path(os.path.realpath(path))
    if not is_inside(real, Path(os.path.realpath(base))) or not real.is_file():
        return None
    if os.path.realpath(path) != os.path.abspath(path) and path.is_symlink():
        return None
    return path


def current_body(project: Project, period: Period) -> bytes | None:
    """The notice body ``period`` names today, as published (None: no body).

    Registered person names are masked (as on the page) unless the scheme
    declares a legal basis for publishing them, so the archived body holds
    none and comparisons with it are like with like.
    """
    path = body_path(period)
    if path is None:
        return None
    if path in project.sources:
        data = project.sources[path]
    else:
        file = regular_body_file(project.root, path)
        if file is None:
            return None
        data = file.read_bytes()
    if personal_names.publishes_names(project, period.scheme, period.version):
        return data
    return personal_names.redact_markdown(data, personal_names.person_names(period.facts))


def body_hash(data: bytes | None) -> str | None:
    return None if data is None else sha256(data)


def same_body(version: LockedVersion, data: bytes | None, root: Path | None = None) -> bool:
    """Whether ``data`` is the body ``version`` was published with (True when not locked yet).

    Line endings, a BOM and the encoding do not count: the text does.
    """
    if not version.body_locked:
        return True
    if version.body_file is None or data is None:
        return version.body_file is None and data is None
    if same_bytes(data, version.body_file.sha256):
        return True
    old = read_archived(root, version.body_file) if root is not None else None
    return old is not None and noticedoc.decode(old) == noticedoc.decode(data)


def read_archived(root: Path, f: ArchivedFile) -> bytes | None:
    """An archived file's bytes when it is a regular file under published/ (no links)."""
    path = root / f.path
    if link_on_way(root, f.path) or not path.is_file():
        return None
    # size cap before reading: an archive (the period file, everything the notice shows) may be
    # as large as a province's period file
    return read_source(path, f.path, root, Problems(), PERIOD_MAX_BYTES)


def link_on_way(root: Path, rel: str) -> str | None:
    """The first component of ``rel`` (from the root) that is a symbolic link."""
    here = root
    for part in rel.split("/"):
        here = here / part
        if here.is_symlink():
            return here.relative_to(root).as_posix()
    return None


def locked_periods(
    project: Project, results: Mapping[tuple[str, str], PeriodResult]
) -> list[Period]:
    """The periods the lock covers, in the engine's order: every 通报 and every 公示."""
    return [
        p for p in project.periods if p.status in LOCKED_STAGES and (p.scheme, p.id) in results
    ]




def notice_bytes(
    project: Project, period: Period, result: PeriodResult, body: bytes | None
) -> bytes:
    """The canonical notice content of ``period`` as archived (``v<n>.notice.json``)."""
    return noticedoc.document_bytes(noticedoc.notice_items(project, period, result, body))
