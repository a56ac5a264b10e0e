"""``site-builder correct``: record a correction (更正) of a published notice.

The clerk changes the facts (by hand or by ``site-builder import``), then runs
``correct`` with the reason.  It lists what changes against the last locked
version — each unit's lines old → new, totals, places, honours, and every
other item of the notice (title, 文号, names) — exactly as ``check`` and the
notice's correction history compute them (:func:`site_builder.site.records.changes.diff_results`,
:mod:`site_builder.site.records.noticedoc`), appends ``{date, reason, number}`` to
``corrections``, checks the project and locks the new version.  Nothing is
written when there is nothing to correct, the reason is empty, the date is
before the notice was first published, or the check refuses (the period
file gets back its exact bytes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from site_builder import messages
from site_builder.errors import Mark, Problems

messages.register(
    {
        "correct.not_locked": (
            "“{period}”还没有发布（published.lock 中没有它），不需要登记更正",
            "未发布的结果可以直接修改；发布请用 site-builder publish {scheme} {period} …",
            "“{period}” is not published yet (not in published.lock): no correction is needed",
            "unpublished results may simply be edited; publish with site-builder publish {scheme} {period} …",
        ),
        "correct.nothing": (
            "没有需要更正的改动：“{period}”与已发布的第 {n} 版相同",
            "先修改记录（或重新导入评分表），再登记更正",
            "nothing to correct: “{period}” is the same as published version {n}",
            "change the facts (or import the corrected sheet) first, then record the correction",
        ),
        "correct.empty_reason": (
            "更正原因不能为空",
            "请写明原因（将公布），如 --reason \"经复核，某单位某项得分录入错误\"",
            "the reason is empty",
            "write the reason (it is published), e.g. --reason \"a score was entered wrongly\"",
        ),
        "correct.before_first": (
            "更正日期 {date} 早于通报首次发布（{first}）",
            "更正只能在发布之后：请核对 --date",
            "the correction date {date} is before the notice was first published ({first})",
            "a correction comes after publication: check --date",
        ),
        "correct.pending": (
            "“{period}”已有一条尚未锁定的更正（第 {k} 条）",
            "运行 site-builder lock 锁定它；不要为同一次修改登记两次更正",
            "“{period}” already has a correction that is not locked yet (number {k})",
            "run site-builder lock to lock it; do not record the same change twice",
        ),
        "correct.draft": (
            "“{period}”现在是草稿（status: draft），已发布的结果不能改回草稿",
            "把 status 改回 {stage}，再登记更正",
            "“{period}” is now a draft (status: draft); a published notice cannot become a draft again",
            "set status back to {stage}, then record the correction",
        ),
    }
)


@dataclass
class Corrected:
    scheme: str
    period: str
    name: str
    date: dt.date
    reason: str
    number: str | None
    version: int
    lines: list[str] = field(default_factory=list)  # the changes, one per line, as printed
    locale: str = "zh-CN"
    path: str = ""
    # later periods corrected with it: (name, file, new version, changes)
    later: list[tuple[str, str, int, list[str]]] = field(default_factory=list)


def _num(d: object, en: bool) -> str:
    if d is None:
        return "—"
    if isinstance(d, Decimal):
        return format(d, "f")
    if d is True:
        return "listed" if en else "列入"
    if d is False:
        return "not listed" if en else "未列入"
    return str(d)


def change_lines(project, period, old_result, new_result, old_items, new_items, locale: str) -> list[str]:
    """Every change a reader of the notice would see, unit by unit, then other items."""
    from site_builder.site.records import notice_changes
    from site_builder.site.records.changes import diff_results

    en = locale == "en"
    out: list[str] = []
    for uc in diff_results(old_result, new_result):
        unit = project.unit_name(uc.unit, period.end) if uc.unit in project.units else uc.unit
        for c in uc.changes:
            what = {
                "line": c.name,
                "total": "total" if en else "总分",
                "rank": (f"place ({c.name})" if en else f"名次（{c.name}）"),
                "honour": c.name,
                "veto": (f"veto: {c.name}" if en else f"一票否决：{c.name}"),
                "status": "status" if en else "考核状态",
                "reason": "reason" if en else "原因",
                "coefficient": "coefficient" if en else "系数",
                "note": "note" if en else "备注",
                "level": "level" if en else "等次",
            }.get(c.kind, c.kind)
            out.append(f"{unit} {what}: {_num(c.old, en)} → {_num(c.new, en)}" if en
                       else f"{unit} {what}：{_num(c.old, en)} → {_num(c.new, en)}")
    if old_items is not None:
        diff = notice_changes.differences(notice_changes.comparable(old_items), notice_changes.comparable(new_items))
        others = [c for c in diff if not notice_changes.is_figure(c.key)]
        if others:
            out.append(notice_changes.describe(others, locale, limit=20, old_items=old_items, new_items=new_items))
    return out


def correct(
    root: Path,
    scheme: str,
    period: str,
    *,
    reason: str,
    number: str | None = None,
    date: dt.date | None = None,
    lang: str | None = None,
) -> Corrected:
    from site_builder import pipeline
    from site_builder.site.data import today
    from site_builder.site.failures import fail_all
    from site_builder.site.records.lock.checks import lock_file_problems
    from site_builder.site.records.lock.fingerprints import key_of
    from site_builder.site.records.lock.reading import load_lock
    from site_builder.site.records.versions import _Archive
    from site_builder.workflow.periodfile import PeriodFile
    from site_builder.workflow.publish import commit_edits, locale_of, require_period

    root = Path(root).resolve()
    locale = locale_of(root, lang)
    path = require_period(root, scheme, period, locale)
    display = f"scores/{scheme}/{period}.yaml"
    project, results = pipeline.check(root, locale=lang, include_drafts=False)
    locale = lang or project.site.locale
    fail_all(lock_file_problems(root), locale)
    problems = Problems()
    locked = load_lock(root, problems) or {}
    fail_all(problems, locale)
    key = f"{scheme}/{period}"
    entry = locked.get(key)
    current = next((p for p in project.periods if p.path == display), None)
    name = (current.name if locale != "en" else current.name_en) if current else period
    if entry is None:
        problems.add("correct.not_locked", Mark(display), period=name, scheme=scheme, )
        problems.raise_if_errors(locale)
    if current is None or current.status == "draft" or (current.scheme, current.id) not in results:
        stage = "published" if entry.last.stage == "published" else "public_notice"
        problems.add("correct.draft", Mark(display), period=name, stage=stage)
        problems.raise_if_errors(locale)
    reason = (reason or "").strip()
    if not reason:
        problems.add("correct.empty_reason", Mark("--reason"))
    day = date or today()
    s = current.scores
    first = min([d for d in (s.notice.date if s.notice else None,
                             s.public_notice.start if s.public_notice else None) if d],
                default=None)
    if first is not None and day < first:
        problems.add("correct.before_first", Mark("--date"), date=day.isoformat(), first=first.isoformat())
    if len(s.corrections) > entry.corrections:
        problems.add("correct.pending", Mark(display), period=name, k=len(s.corrections))
    problems.raise_if_errors(locale)

    # what changed against the last locked version
    archive = _Archive(project, locked, Problems())
    last = entry.last
    lines = _changes_of(project, results, archive, current, last, locale)
    if not lines:
        problems.add("correct.nothing", Mark(display), period=name, n=last.n)
        problems.raise_if_errors(locale)
    # later periods of the scheme whose published figures move with it (running
    # totals, streaks): each gets the same correction, or the check refuses them
    later: list[tuple[object, list[str]]] = []
    for p in project.periods:
        other = locked.get(key_of(p))
        if (p.scheme != current.scheme or p.start <= current.start or other is None
                or (p.scheme, p.id) not in results or len(p.scores.corrections) != other.corrections):
            continue
        moved = _changes_of(project, results, archive, p, other.last, locale)
        if moved:
            later.append((p, moved))

    def record(text: str) -> dict[str, object]:
        out: dict[str, object] = {"date": dt.date(day.year, day.month, day.day), "reason": text}
        if number:
            out["number"] = number.strip()
        return out

    pf = PeriodFile.read(path)
    pf.append("corrections", record(reason))
    edits = {path: pf.encoded()}
    for p, _moved in later:
        other_pf = PeriodFile.read(root / p.path)
        why = (f"Follows the correction of {current.name_en}: {reason}" if locale == "en"
               else f"因{current.name}的更正（{reason}）相应更正。")
        other_pf.append("corrections", record(why))
        edits[root / p.path] = other_pf.encoded()
    commit_edits(root, edits, locale)
    entry_after = (load_lock(root, Problems()) or {}).get(key)
    version = entry_after.last.n if entry_after else last.n + 1
    done = Corrected(scheme, period, name, day, reason, number, version, lines, locale, display)
    for p, moved in later:
        after = (load_lock(root, Problems()) or {}).get(key_of(p))
        done.later.append((p.name if locale != "en" else p.name_en, p.path, after.last.n if after else 0, moved))
    return done


def _changes_of(project, results, archive, period, last, locale: str) -> list[str]:
    """What ``period`` shows now that its locked version ``last`` did not (empty: nothing)."""
    from site_builder.site.records import noticedoc
    from site_builder.site.failures import fail_all
    from site_builder.site.records.lock.checks import archived_items
    from site_builder.site.records.lock.fingerprints import current_body, key_of
    from site_builder.site.records.versions import _rebuild

    result = results[(period.scheme, period.id)]
    new_items = noticedoc.notice_items(project, period, result, current_body(project, period))
    old_items = archived_items(project.root, last)
    old = _rebuild(archive, key_of(period), last, project, results)
    fail_all(archive.problems, locale)
    if old is None and old_items is None:
        return []
    return change_lines(project, period, old.result if old else result, result, old_items, new_items, locale)


def report_text(r: Corrected) -> str:
    from site_builder.site import paths

    en = r.locale == "en"
    out = []
    if en:
        out.append(f"Recorded correction of {r.name} ({r.scheme}/{r.period}) dated {r.date.isoformat()}"
                   + (f", {r.number}" if r.number else "") + f": {r.reason}")
        out.append("Changes:")
    else:
        out.append(f"已登记{r.name}（{r.scheme}/{r.period}）的更正，{r.date.isoformat()}"
                   + (f"，{r.number}" if r.number else "") + f"：{r.reason}")
        out.append("改动：")
    out += [f"  {line}" for line in r.lines] or ["  —"]
    for name, path, n, moved in r.later:
        out.append(f"{name} ({path}) moves with it, corrected as version {n}:" if en
                   else f"{name}（{path}）的结果随之变化，已一并登记更正，锁定为第 {n} 版：")
        out += [f"  {line}" for line in moved]
    now = "/" + paths.notice(r.scheme, r.period).removesuffix("index.html")
    before = "/" + paths.notice(r.scheme, r.period, r.version - 1).removesuffix("index.html")
    if en:
        out.append(f"Locked as version {r.version}: {now} (version {r.version - 1} stays at {before}).")
        out.append("")
        out.append("Next:")
    else:
        out.append(f"已锁定为第 {r.version} 版：{now}（第 {r.version - 1} 版保留在 {before}）。")
        out.append("")
        out.append("下一步：")
    if en:
        msg = f"Correction of {r.name}" + (f" ({r.number})" if r.number else "")
    else:
        msg = f"更正{r.name}" + (f"（{r.number}）" if r.number else "")
    files = " ".join([r.path, *(path for _, path, _, _ in r.later), "published.lock", f"published/{r.scheme}/"])
    if not r.later:
        files = f"{r.path} published.lock published/{r.scheme}/{r.period}/"
    from site_builder.workflow.publish import git_lines

    out.extend(git_lines(files, msg))
    return "\n".join(out)
