"""Earlier versions of corrected notices, rebuilt from ``published/``.

Every version in ``published.lock`` is loaded from its archived files with the
project's own loader and checks (so an archive that does not load is reported
at its file:line like any source), scored and ranked by the engine together
with the earlier periods of its scheme as they were when it was locked, and
must reproduce the results hash the lock recorded: an earlier version is shown
exactly as it was published, or the build stops.  Its notice body is the
archived ``v<n>.body.md`` (checked against the lock with the other archive
files); versions locked before bodies were archived show the body in ``content/``.

The current data is the newest version: the last locked one, or one more when
a correction was recorded since and the results or the body changed (the next
``site-builder lock`` archives it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

from site_builder import messages, pipeline
from site_builder.checks.scheme_checks import check_scheme
from site_builder.checks.scores_checks import check_period
from site_builder.errors import Mark, Problems
from site_builder.load.files import PERIOD_MAX_BYTES
from site_builder.load.yamlsafe import load_yaml_bytes
from site_builder.model import Period, Project, SchemeVersion
from site_builder.schema.convert import validate
from site_builder.schema.scheme import Scheme
from site_builder.schema.scores import ScoresFile
from site_builder.scoring.results import PeriodResult
from site_builder.site.records import notice_changes, noticedoc
from site_builder.site.records.changes import UnitChanges, diff_results
from site_builder.site.failures import fail_all
from site_builder.site.records.lock.checks import archived_items, check_lock
from site_builder.site.records.lock.fingerprints import (
    current_body,
    key_of,
    locked_periods,
    results_hash,
    same_body,
)
from site_builder.site.records.lock.lockfile import LockedPeriod, LockedVersion

Results = Mapping[tuple[str, str], PeriodResult]

messages.register(
    {
        "lock.archive_other_period": (
            "存档文件 {path} 记录的是“{found}”，不是“{period}”",
            "请从版本库恢复 published/ 和 published.lock",
            "the archive {path} holds “{found}”, not “{period}”",
            "restore published/ and published.lock from version control",
        ),
        "lock.archive_results": (
            "按存档 {path} 重新计算的“{period}”第 {n} 版结果与 published.lock 记录的不一致",
            "旧版本必须与当时公布的完全相同，因此本次不生成网站：可能是计分程序的修改改变了已公布的结果，或较早考核期的存档缺失；请核对后报告",
            "recomputing version {n} of “{period}” from {path} does not give the results published.lock recorded",
            "an earlier version must read exactly as published, so the site is not built: a change to the scoring program may have changed published results, or an earlier period's archive is missing; check and report it",
        ),
    }
)


@dataclass(frozen=True)
class NoticeVersion:
    """One published version of one period, ready to render."""

    n: int
    correction: (
        int | None
    )  # the correction (1-based) that produced it; None for the first publication
    period: Period  # the period file as it was
    result: PeriodResult
    project: Project  # the project with this version (and its basis) in place
    results: Results  # with this version's results (and its basis) in place
    body: bytes | None = None  # the archived notice body; None: the body in content/ (or none)
    stage: str = "published"  # published (通报) | public_notice (公示)
    items: Mapping[str, str] | None = None  # what the notice showed (noticedoc), when known


@dataclass(frozen=True)
class NoticeHistory:
    """The versions of one corrected notice; the last is the current one."""

    versions: tuple[NoticeVersion, ...]  # oldest first
    changes: tuple[tuple[UnitChanges, ...], ...]  # changes[i]: from versions[i] to versions[i + 1]
    # items[i]: every item of the notice's content that differs from versions[i] to versions[i + 1]
    items: tuple[tuple[notice_changes.ItemChange, ...], ...] = ()

    @property
    def current(self) -> NoticeVersion:
        return self.versions[-1]

    @property
    def earlier(self) -> tuple[NoticeVersion, ...]:
        return self.versions[:-1]

    def index(self, n: int) -> int:
        return next(i for i, v in enumerate(self.versions) if v.n == n)

    def successor(self, n: int) -> NoticeVersion:
        """The version that superseded version ``n``."""
        return self.versions[self.index(n) + 1]

    def changes_after(self, n: int) -> tuple[UnitChanges, ...]:
        """What changed from version ``n`` to the next one."""
        return self.changes[self.index(n)]

    def items_after(self, n: int) -> tuple[notice_changes.ItemChange, ...]:
        """Every item of the notice's content that changed from version ``n`` to the next."""
        i = self.index(n)
        return self.items[i] if i < len(self.items) else ()

    def made_by(self, correction: int) -> NoticeVersion | None:
        """The version a correction produced (None when it changed no published figure)."""
        return next((v for v in self.versions if v.correction == correction), None)

    def before(self, version: NoticeVersion) -> NoticeVersion | None:
        i = self.index(version.n)
        return self.versions[i - 1] if i else None


class _Archive:
    """Archived versions loaded once each, by (period key, n)."""

    def __init__(self, project: Project, locked: Mapping[str, LockedPeriod], problems: Problems):
        self.project = project
        self.locked = locked
        self.problems = problems
        self._loaded: dict[tuple[str, int], tuple[Period, SchemeVersion] | None] = {}

    def version(self, key: str, n: int) -> LockedVersion | None:
        entry = self.locked.get(key)
        return next((v for v in entry.versions if v.n == n), None) if entry else None

    def load(self, key: str, n: int) -> tuple[Period, SchemeVersion] | None:
        if (key, n) not in self._loaded:
            v = self.version(key, n)
            self._loaded[(key, n)] = self._read(key, v) if v is not None else None
        return self._loaded[(key, n)]

    def _read(self, key: str, v: LockedVersion) -> tuple[Period, SchemeVersion] | None:
        if v.period_file is None or v.scheme_file is None:
            return None  # locked before archives existed: cannot be rebuilt
        root, problems, units = self.project.root, self.problems, self.project.units
        scheme_id = key.split("/", 1)[0]
        before = len(problems.errors)
        scheme_doc = load_yaml_bytes(
            (root / v.scheme_file.path).read_bytes(), v.scheme_file.path, problems
        )
        period_doc = load_yaml_bytes(  # an archived period file has a period file's size cap
            (root / v.period_file.path).read_bytes(), v.period_file.path, problems, PERIOD_MAX_BYTES
        )
        scheme = validate(Scheme, scheme_doc, problems) if scheme_doc else None
        scores = validate(ScoresFile, period_doc, problems) if period_doc else None
        if scheme is None or scores is None or period_doc is None or scheme_doc is None:
            return None
        found = f"{scores.scheme}/{scores.period}"
        if found != key:
            problems.add(
                "lock.archive_other_period",
                period_doc.mark(("period",)),
                path=v.period_file.path,
                found=found,
                period=key,
            )
            return None
        sv = check_scheme(
            scheme_id, scores.version, v.scheme_file.path, scheme, scheme_doc, problems, units
        )
        if sv is None:
            return None
        # A version whose body was archived does not need content/ (the file may be gone).
        content = None if v.body_locked else root / "content"
        period = check_period(
            v.period_file.path, period_doc, scores, sv, units, problems, content_root=content
        )
        if period is None or len(problems.errors) > before:
            return None
        return period, sv


def _rebuild(
    archive: _Archive, key: str, v: LockedVersion, project: Project, results: Results
) -> NoticeVersion | None:
    """Version ``v`` of the period ``key`` recomputed from its archive."""
    loaded = archive.load(key, v.n)
    if loaded is None:
        return None
    period, sv = loaded
    substitute: dict[tuple[str, str], Period] = {(period.scheme, period.id): period}
    for earlier_id, m in v.basis.items():
        earlier = archive.load(f"{period.scheme}/{earlier_id}", m)
        if earlier is not None:
            substitute[(period.scheme, earlier_id)] = earlier[0]
    schemes = {**project.schemes, period.scheme: {**project.schemes[period.scheme], sv.version: sv}}
    as_then = tuple(substitute.get((p.scheme, p.id), p) for p in project.periods)
    # The engine sees this scheme's periods up to this one: later ones cannot change it.
    upto: list[Period] = []
    for p in as_then:
        if p.scheme == period.scheme and p.status != "draft":
            upto.append(p)
        if p is period:
            break
    computed = pipeline.compute(
        replace(project, periods=tuple(upto), schemes=schemes), include_drafts=False
    )
    result = computed[(period.scheme, period.id)]
    if results_hash(result) != v.sha256:
        archive.problems.add(
            "lock.archive_results",
            Mark(v.period_file.path if v.period_file else key),
            path=v.period_file.path if v.period_file else key,
            period=key,
            n=v.n,
        )
        return None
    # check_lock made sure the archived body exists and has the locked content
    body = (
        noticedoc.canonical_bytes((archive.project.root / v.body_file.path).read_bytes())
        if v.body_file is not None
        else None
    )
    then = replace(project, periods=as_then, schemes=schemes)
    items = archived_items(archive.project.root, v)
    if items is None:  # locked before the notice content was archived: as rebuilt
        shown = body if v.body_file is not None else current_body(project, period)
        items = noticedoc.notice_items(then, period, result, shown)
    return NoticeVersion(
        n=v.n,
        correction=v.correction,
        period=period,
        result=result,
        project=then,
        results={**results, **computed},
        body=body,
        stage=v.stage,
        items=items,
    )


def notice_histories(
    project: Project, results: Results, locked: Mapping[str, LockedPeriod], locale: str
) -> dict[tuple[str, str], NoticeHistory]:
    """The history of every published period that has an earlier version.

    ``results`` are the published results (computed without drafts).  Fails
    the build when an archived version does not load or does not reproduce
    its locked results.
    """
    problems = Problems()
    archive = _Archive(project, locked, problems)
    out: dict[tuple[str, str], NoticeHistory] = {}
    for p in locked_periods(project, results):
        entry = locked.get(key_of(p))
        if entry is None:
            continue
        now = results[(p.scheme, p.id)]
        body = current_body(project, p)
        items = noticedoc.notice_items(project, p, now, body)
        last = entry.last
        current = NoticeVersion(
            last.n, last.correction, p, now, project, results, stage=p.status, items=items
        )
        earlier = list(entry.versions)
        old_items = archived_items(project.root, last)
        if (
            results_hash(now) == last.sha256
            and same_body(last, body, project.root)
            and last.stage == p.status
            and (
                old_items is None
                or notice_changes.comparable(old_items) == notice_changes.comparable(items)
            )
        ):
            earlier.pop()
        else:
            # corrected since the last ``lock`` (check_lock made sure a correction was
            # recorded), or the 公示 became the 通报
            count = len(p.scores.corrections)
            current = replace(
                current, n=last.n + 1, correction=count if count > entry.corrections else None
            )
        versions = [
            v for v in (_rebuild(archive, key_of(p), e, project, results) for e in earlier) if v
        ]
        if not versions:
            continue
        versions.append(current)
        changes = tuple(diff_results(a.result, b.result) for a, b in pairwise(versions))
        items_changed = tuple(
            tuple(notice_changes.differences(a.items or {}, b.items or {}))
            if a.items is not None and b.items is not None
            else ()
            for a, b in pairwise(versions)
        )
        out[(p.scheme, p.id)] = NoticeHistory(tuple(versions), changes, items_changed)
    fail_all(problems, locale)
    return out


def check_published(
    project: Project, results: Results, locale: str
) -> dict[str, LockedPeriod]:
    """What ``check`` and ``build`` both refuse about published notices: the lock, its
    archives, unrecorded changes, and earlier versions that do not reproduce.

    ``results`` are the published results (computed without drafts).
    """
    locked = check_lock(project, results, locale)
    if locked:
        notice_histories(project, results, locked, locale)
    return locked


def archive_sources(root: Path, locked: Mapping[str, LockedPeriod]) -> dict[str, bytes]:
    """The archived files the build read, for the manifest."""
    out = {}
    for entry in locked.values():
        for v in entry.versions:
            for f in v.files:
                out[f.path] = (root / f.path).read_bytes()  # checked by check_lock
    return dict(sorted(out.items()))
