"""``site-builder check``: every problem ``build`` can find in the inputs, without writing.

``build`` refuses a project for its sources (:func:`site_builder.pipeline.check`),
for the lock and archives of published notices, for personal data in the
sources and ``published/``, and for a malformed ``SOURCE_DATE_EPOCH``.  This
module runs the same checks, in the same order, so that a project ``check``
passes is never refused by ``build`` for its inputs (only the output folder,
which ``check`` does not know, is left to ``build``).
"""

from __future__ import annotations

from pathlib import Path

from site_builder.errors import InputError, Problems
from site_builder.model import Project


def check_project(root: Path, locale: str | None = None, warnings: Problems | None = None):
    """``(project, results)`` when nothing is wrong; raises the project's error otherwise.

    When the sources cannot be loaded, the problems of ``published.lock`` and its
    archives are reported in the same run.
    """
    from site_builder.pipeline import check as run_check
    from site_builder.pipeline import compute
    from site_builder.site.data import source_date
    from site_builder.site.records.lock.checks import lock_file_problems
    from site_builder.site.output.privacy import source_problems
    from site_builder.site.records.versions import check_published

    found = Problems()
    try:
        project, results = run_check(root, locale=locale, warnings=found)
    except InputError as exc:
        problems = Problems(list(exc.problems))
        problems.extend(lock_file_problems(root))
        raise InputError(problems.sorted(), exc.locale) from None
    loc = locale or project.site.locale
    source_date(loc)  # a malformed SOURCE_DATE_EPOCH fails build, so it fails check
    # published figures never depend on drafts: the lock is checked against those
    drafts = any(p.status == "draft" for p in project.periods)
    check_published(project, compute(project, include_drafts=False) if drafts else results, loc)
    personal = source_problems(root, project)
    found.extend(personal.warnings)
    personal.raise_if_errors(loc)
    if warnings is not None:
        warnings.extend(found)
    return project, results


def summary(project: Project, results, locale: str, unfinished: int = 0) -> str:
    """The line ``check`` ends with; ``unfinished`` drafts (values still empty) are counted apart."""
    n_units = sum(len(r.units) for r in results.values())
    if locale == "en":
        extra = f" ({unfinished} more draft(s) not filled in yet, not computed)" if unfinished else ""
        return f"OK: {len(project.schemes)} scheme(s), {len(project.periods)} period file(s){extra}, {n_units} unit results."
    extra = f"（另有 {unfinished} 个草稿尚未填完，未计算）" if unfinished else ""
    return f"检查通过：{len(project.schemes)} 个方案，{len(project.periods)} 个考核期文件{extra}，{n_units} 条单位结果。"
