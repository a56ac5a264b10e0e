"""``published.lock``: the fingerprint of every published result.

For each published period the lock holds the SHA-256 of the canonical JSON of
its computed results (totals, every line's points, rankings, honours, vetoes)
and the number of corrections recorded at the time.  The build refuses a
published period whose results changed unless a new correction (更正) was
recorded since, and refuses a published period that disappeared.  A period
first published is simply added by ``site-builder lock``.

    {"periods": {"<scheme>/<period>": {"corrections": 0, "sha256": "…"}}, "version": 1}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from site_builder import messages
from site_builder.errors import Mark, Problems
from site_builder.model import Project
from site_builder.scoring.results import PeriodResult
from site_builder.site.failures import fail_all

LOCK_NAME = "published.lock"

messages.register(
    {
        "lock.changed": (
            "已发布的“{period}”的考核结果与 published.lock 记录的不一致，但没有登记新的更正",
            "已发布的结果不得悄悄修改：请在 {source} 的 corrections 中登记更正（日期、原因、更正内容），再运行 site-builder lock",
            "the published results of “{period}” differ from published.lock, but no new correction was recorded",
            "published results must not change silently: record a correction in {source} (date, reason, changes), then run site-builder lock",
        ),
        "lock.vanished": (
            "published.lock 中已发布的“{period}”找不到了，或不再是已发布状态",
            "已发布的通报不能删除或撤回为草稿/公示：请恢复 status: published，如有错误请登记更正",
            "the published period “{period}” in published.lock no longer exists or is no longer published",
            "published notices cannot be deleted or turned back into drafts: restore status: published and record a correction if something was wrong",
        ),
        "lock.invalid": (
            "published.lock 无法读取：{error}",
            "请从版本库恢复该文件，或运行 site-builder lock 重新生成",
            "published.lock cannot be read: {error}",
            "restore it from version control or run site-builder lock",
        ),
    }
)


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


def published_entries(
    project: Project, results: Mapping[tuple[str, str], PeriodResult]
) -> dict[str, dict]:
    out = {}
    for p in project.periods:
        if p.status == "published" and (p.scheme, p.id) in results:
            out[f"{p.scheme}/{p.id}"] = {
                "sha256": results_hash(results[(p.scheme, p.id)]),
                "corrections": len(p.scores.corrections),
            }
    return out


def read_lock(root: Path, locale: str) -> dict[str, dict] | None:
    path = root / LOCK_NAME
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        periods = doc["periods"]
        if not isinstance(periods, dict):
            raise TypeError("periods must be a mapping")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems = Problems()
        problems.add("lock.invalid", Mark(LOCK_NAME), error=str(exc))
        fail_all(problems, locale)
        raise AssertionError("unreachable") from exc
    return periods


def lock_problems(
    project: Project, results: Mapping[tuple[str, str], PeriodResult], locked: Mapping[str, dict]
) -> Problems:
    problems = Problems()
    now = published_entries(project, results)
    sources = {f"{p.scheme}/{p.id}": p.path for p in project.periods}
    for key, old in sorted(locked.items()):
        new = now.get(key)
        if new is None:  # deleted, or turned back into a draft or public notice
            problems.add("lock.vanished", Mark(sources.get(key, LOCK_NAME)), period=key)
            continue
        if new["sha256"] != old.get("sha256") and new["corrections"] <= int(
            old.get("corrections", 0)
        ):
            problems.add("lock.changed", Mark(sources[key]), period=key, source=sources[key])
    return problems


def check_lock(
    project: Project, results: Mapping[tuple[str, str], PeriodResult], locale: str
) -> None:
    """Fail the build when a published result changed without a correction."""
    locked = read_lock(project.root, locale)
    if locked is not None:
        fail_all(lock_problems(project, results, locked), locale)


def lock_text(entries: Mapping[str, dict]) -> str:
    return (
        json.dumps(
            {"version": 1, "periods": dict(entries)}, ensure_ascii=False, sort_keys=True, indent=2
        )
        + "\n"
    )


def update_lock(root: Path, *, force: bool = False) -> Path:
    """``site-builder lock``: record the hashes of every published period.

    Refuses (like the build) to accept a changed published result without a
    new correction unless ``force`` is given.
    """
    from site_builder import pipeline

    project = pipeline.check(root)[0]
    results = pipeline.compute(project, include_drafts=False)
    locale = project.site.locale
    if not force:
        check_lock(project, results, locale)
    path = project.root / LOCK_NAME
    text = lock_text(published_entries(project, results))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
