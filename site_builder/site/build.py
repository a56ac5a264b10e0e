"""``site-builder build``: check → plan → render → write.

The sources (:func:`site_builder.pipeline.check`), the lock of published
results and the routes are checked first.  Then each page is rendered,
scanned for personal data and written into a staging folder beside the
output, one page at a time (only its path, SHA-256 and size are kept; on 2+
cores by forked workers, :func:`render_site`); the manifest is made from those
records.  Only when every page passed is the staging folder swapped in; a
failure anywhere removes it and leaves the previous site untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import click

from site_builder import aside, pipeline
from site_builder.collector import held, settled
from site_builder.errors import Mark, Problems
from site_builder.load import warm
from site_builder.load.files import read_source
from site_builder.load.markdown_check import check_markdown
from site_builder.model import Period
from site_builder.site.output import (assets, dataset_stream, downloads, feeds, fingerprint, listing, personal_names,
                                      privacy, reuse)
from site_builder.site import data as site_data
from site_builder.site.data import Options, SiteData
from site_builder.site.failures import fail_all
from site_builder.site.records.gitversion import build_version
from site_builder.site.records.lock.checks import check_lock
from site_builder.site import render_pool, shares
from site_builder.site.plan import plan_site
from site_builder.site.theme import PACKAGE_THEME, theme_dir  # noqa: F401 - re-exported
from site_builder.site.present.render import make_environment
from site_builder.site.output.search import search_index
from site_builder.site.records.versions import archive_sources, notice_histories
from site_builder.site.output.outfolder import check_out
from site_builder.site.output.write import Outputs, recycled, staging
from site_builder.site.report import BuildReport  # noqa: F401 - re-exported


# Pages of earlier, corrected versions: kept at their URLs, left out of the sitemap.
EARLIER_KINDS = frozenset({"notice_version", "scorecard_version"})


def build_site(
    root: Path,
    out: Path,
    *,
    as_of: dt.date | None = None,
    preview: bool = False,
    quiet: bool = False,
    jobs: int | None = None,
    inputs: str | None = None,
) -> BuildReport:
    """Build the site from the project at ``root`` into ``out`` (atomically);
    ``jobs`` processes render (default: one per CPU; 1 renders in this process).  ``inputs``: the
    digest of the inputs (:func:`.output.fingerprint.current`) the caller just made and found
    changed since the last build (the command line); it is recorded, not made again."""
    return _build(root, out, as_of=as_of, preview=preview, quiet=quiet, serve=False, jobs=jobs, inputs=inputs)


def _build(
    root: Path, out: Path, *, as_of: dt.date | None, preview: bool, quiet: bool, serve: bool,
    jobs: int | None = None, inputs: str | None = None,
) -> BuildReport:
    started = time.perf_counter()
    root = Path(root).resolve()
    if inputs is not None:
        digest = inputs
    else:
        digest = None if serve else fingerprint.current(root, Path(out), as_of=as_of, preview=preview, serve=serve)
        same = fingerprint.unchanged(root, Path(out), digest)
        if same is not None:
            return _unchanged(same, Path(out), started, quiet)
    fingerprint.forget(root, Path(out))
    # the project and every stage's results live until the build ends: once frozen out of
    # collections, they stay so (site_builder/collector.py); work aside (the period cache's entries)
    # is done before returning; a build for serve takes what the last one held (load/warm.py)
    # the site before the last build, refilled by this one, listed meanwhile (output/listing.py)
    kept = recycled(Path(out)) if fingerprint.enabled() else None
    with held(), aside.allowed(), warm.serving(root) if serve else contextlib.nullcontext(), \
            listing.ahead_of(kept) as ahead:
        warnings = Problems()
        # Published figures never depend on drafts (a draft before a published period
        # would otherwise feed its cumulative totals, streaks and "previous period"),
        # so drafts are computed only for a preview, and then separately.
        project, public = pipeline.check(root, warnings=warnings, include_drafts=False)
        locale = project.site.locale
        check_out(root, Path(out), locale)
        privacy_check(root, project, warnings, locale)
        locked = check_lock(project, public, locale)
        histories = notice_histories(project, public, locked, locale) if locked else {}
        results = pipeline.compute(project, include_drafts=True) if preview else public
        default = site_data.default_as_of(project)  # also refuses a malformed SOURCE_DATE_EPOCH
        options = Options(as_of=as_of or default, preview=preview, serve=serve)
        # Earlier versions show their archived body; only those locked before bodies
        # were archived read theirs from content/.
        periods = [
            *project.periods,
            *(v.period for h in histories.values() for v in h.earlier if v.body is None),
        ]
        data = SiteData(
            project,
            results,
            options,
            build_version(root),
            read_content(root, periods, options, locale, project.sources),
            histories=histories,
            archive=archive_sources(root, locked),
        )
        # forking a process that runs other threads is not safe: a dev server answering from threads of
        # this process (tests, or no fork) means one render process
        jobs = 1 if serve and threading.active_count() > 1 else jobs
        keys = reuse.Keys()
        files = render_site(data, theme_dir(root), Path(out), show=show_progress(quiet), jobs=jobs,
                            root=root, keys=keys, ahead=ahead)
        reuse.save(root, Path(out), keys, files)  # nothing with --no-cache (no build key)
        notes = tuple(p.render(locale) for p in warnings.warnings)
        if not quiet:
            for line in notes:
                click.echo(line, err=True)
        report = BuildReport(
            out=Path(out),
            pages=sum(1 for p in files if p.endswith(".html")),
            files=len(files),
            bytes=sum(n for _, n in files.values()),
            seconds=time.perf_counter() - started,
            as_of=options.as_of,
            warnings=notes,
            locale=locale,
            embargoed=tuple(p.path for p in data.embargoed_periods()),
            reused=keys.linked,
            as_of_from=site_data.as_of_source(as_of),
        )
        fingerprint.remember(root, Path(out), digest, files["manifest.json"][0], keys.left, {
            "pages": report.pages, "files": report.files, "bytes": report.bytes, "as_of": report.as_of.isoformat(),
            "warnings": list(notes), "locale": locale, "embargoed": list(report.embargoed),
            "as_of_from": report.as_of_from})
        return report


def _unchanged(same: dict, out: Path, started: float, quiet: bool) -> BuildReport:
    """The report of a build that found nothing changed (the warnings of the last build again)."""
    if not quiet:
        for line in same["warnings"]:
            click.echo(line, err=True)
    return BuildReport(
        out=out, pages=same["pages"], files=same["files"], bytes=same["bytes"],
        seconds=time.perf_counter() - started, as_of=dt.date.fromisoformat(same["as_of"]),
        warnings=tuple(same["warnings"]), locale=same["locale"], embargoed=tuple(same["embargoed"]),
        as_of_from=same["as_of_from"], unchanged=True,
    )


def read_content(
    root: Path, periods: Iterable[Period], options: Options, locale: str,
    sources: dict[str, bytes] | None = None,
) -> dict[str, bytes]:
    """The Markdown bodies in content/ of the notices that will be published.

    Earlier versions of corrected notices are shown with the body archived in
    ``published/`` (:attr:`NoticeVersion.body`); ``periods`` lists only those
    whose body was not archived.  A body ``check`` already read (``sources``)
    is taken from there; any other is read and checked exactly as ``check``
    does (inside the project, regular file, size cap, UTF-8, characters,
    links), and every problem is reported at once.
    """
    content: dict[str, bytes] = {}
    problems = Problems()
    sources = sources or {}
    for p in periods:
        if p.status == "draft" and not options.preview:
            continue
        body = p.scores.notice.body if p.scores.notice else None
        if not body:
            continue
        key = f"content/{Path(body).as_posix()}"
        if key in sources:
            content[key] = sources[key]
            continue
        path = root / "content" / body
        if Path(body).is_absolute() or ".." in Path(body).parts or not os.path.lexists(path):
            problems.add("site.missing_body", Mark(p.path), body=body)
            continue
        raw = read_source(path, key, root, problems)
        if raw is not None and check_markdown(raw, key, problems) is not None:
            content[key] = raw
    fail_all(problems, locale)
    return dict(sorted(content.items()))


def show_progress(quiet: bool) -> bool:
    """A progress bar only for a person at a terminal: never with --quiet, in CI or in a pipe."""
    return not quiet and not os.environ.get("CI") and sys.stderr.isatty()


def render_site(
    data: SiteData, theme: Path, out: Path, show: bool = False, jobs: int | None = None,
    root: Path | None = None, keys: reuse.Keys | None = None, ahead: listing.Ahead | None = None,
) -> dict[str, tuple[str, int]]:
    """Render, scan and write every output file into a staging folder beside ``out``,
    one page at a time, then swap it in; returns (SHA-256, size) by path.

    Every output is made from one copy of the data in which each registered
    person's name is masked (:func:`personal_names.redact_site_data`), and the
    scan of each file as it is written refuses any personal number or unmasked
    name that still got through.  Any failure — a finding, a template error, a
    full disk — removes the staging folder: the previous site is untouched.
    With ``jobs`` > 1 (and fork available, and a site of
    :data:`PARALLEL_MIN_ROUTES` routes or more) forked workers render shares of
    the routes; the output is byte-identical to a serial build.

    With the project's ``root`` (and the cache on), a file whose key
    (:mod:`.output.reuse`) is the one recorded by the last build of ``out``, and
    that lies there untouched, is linked from the previous site instead of made
    again; ``keys`` receives every file's key for the next build's record.
    """
    names = tuple(personal_names.names_to_mask(data.project, data.histories, root))
    data = personal_names.redact_site_data(data, names)
    locale = data.locale
    outputs = Outputs(locale)
    found = assets.theme_assets(theme / "static", serve=data.options.serve)
    found.append(assets.fingerprint("search", "search", "js", search_index(data)))
    for a in found:
        outputs.add(a.path, a.data, origin="asset")
    site = data.project.site
    common = {
        "site": site,
        "locale": locale,
        "lang": "en" if locale == "en" else "zh-CN",
        "assets": {a.name: a.path for a in found},
        "build_version": data.version.text(locale),
        "serve": data.options.serve,
        "preview": data.options.preview,
    }
    env = make_environment(theme / "templates", common, cache_root=root)  # compiled templates kept with the cache
    build_key = previous = None
    if root is not None:
        if fingerprint.enabled():  # --no-cache: every file is made
            build_key = reuse.build_key(env, common, names)
            previous = reuse.load(root, out, build_key and build_key.build)
        # a build that fails, or one with --no-cache, leaves no record: the next one makes everything
        reuse.forget(root, out)
    if keys is not None:
        keys.build = build_key and build_key.build
    dataset_stream.follow(previous)  # the pieces of the dataset files the last build recorded
    routes = plan_site(data)
    for route in routes:
        outputs.claim(route.path, origin=route.kind)
    sources = public_sources(data)
    if site.base_url:
        pages = [
            r.path
            for r in routes
            if r.path.endswith(".html") and r.path != "404.html" and r.kind not in EARLIER_KINDS
        ]
        outputs.add("sitemap.xml", feeds.sitemap(site.base_url, pages), origin="sitemap")
    jobs = render_pool.default_jobs() if jobs is None else max(1, jobs)
    parallel = jobs > 1 and len(routes) >= render_pool.PARALLEL_MIN_ROUTES and render_pool._can_fork()
    # with the cache on, the site before the last build is refilled instead of a new folder made
    recycle = root is not None and fingerprint.enabled()
    with staging(out, locale, recycle, ahead) as stage:
        stage.make_dirs(outputs.paths, lazy=True)  # made by the processes that write into them
        records: dict[str, tuple[str, int]] = {}
        findings: list = []
        stats: dict[str, list[int] | None] = {}  # each file's status as written (the build's records)
        for path, blob in outputs.files.items():
            stage.write(path, blob)
            stats[path] = stage.status(path)
            records[path] = (hashlib.sha256(blob).hexdigest(), len(blob))
            findings += render_pool.privacy_findings({path: blob}, sources, names)
        job = render_pool._Job(env, routes, locale, sources, names, stage, 1, build_key, previous)
        job.warm = lambda: shares.before_shares(data)  # (a recycled render: made once, before its shares)
        try:
            with settled(None):  # the planned site frozen out of collections, shared by forked workers
                if parallel:
                    done, more = render_pool._render_parallel(job, jobs, show)
                else:
                    done, more = render_pool._render_serial(job, show)
        finally:
            reuse.forget_shared()
            dataset_stream.forget()
        for path, (sha, size, key, linked, st) in done.items():
            records[path] = (sha, size)
            stats[path] = st
            if keys is not None:
                keys.files[path] = key
                keys.linked += linked
        findings += more
        doc = manifest(sources, {p: h for p, (h, _) in records.items()}, data.options.as_of)
        stage.write("manifest.json", doc)
        stats["manifest.json"] = stage.status("manifest.json")
        records["manifest.json"] = (hashlib.sha256(doc).hexdigest(), len(doc))
        findings += render_pool.privacy_findings({"manifest.json": manifest_scanned(doc)}, sources, names)
        report_findings(findings, locale)
        if keys is not None and all(st is not None for st in stats.values()):
            keys.left = (stats, stage.folders())
    return dict(sorted(records.items()))


def public_sources(data: SiteData) -> dict[str, bytes]:
    """The source files the manifest lists: a draft's (or embargoed notice's) file name and hash are not public.

    A preview lists everything it was built from; the notice body of a draft is
    left out unless a published period uses the same file.
    """
    sources = {**data.project.sources, **data.content, **data.archive}
    if data.options.preview:
        return dict(sorted(sources.items()))
    hidden: set[str] = set()
    shown: set[str] = set()
    for p in data.project.periods:
        body = p.scores.notice.body if p.scores.notice else None
        names = {p.path} | ({f"content/{Path(body).as_posix()}"} if body else set())
        (hidden if p.status == "draft" or data.embargoed(p) else shown).update(names)
    return {k: v for k, v in sorted(sources.items()) if k not in hidden - shown}


def privacy_check(root: Path, project, warnings: Problems, locale: str) -> None:
    """Personal numbers in the published sources and ``published/``, names in ``published/``.

    The same check as ``site-builder check`` runs (:func:`privacy.source_problems`).
    """
    found = privacy.source_problems(root, project)
    warnings.extend(found.warnings)
    fail_all(found, locale)


def scan_privacy(files, sources, locale: str, names=()) -> None:
    """The safety net over every output file (downloads, feed, search index, manifest too):
    a personal number, or a registered name that is not masked, refuses the build,
    located at the source it came from."""
    report_findings(render_pool.privacy_findings(files, sources, names), locale)


def report_findings(findings: list, locale: str) -> None:
    """Refuse the build over every finding (all of them, in the order of the pages)."""
    findings = privacy.unique(sorted(findings, key=lambda f: f.page))
    if not findings:
        return
    problems = Problems()
    for f in findings:
        if f.kind == "name":
            problems.add("privacy.name_in_output", f.mark, page=f.page, masked=f.text)
            continue
        what = privacy.KIND_WORDS[f.kind]
        problems.add(
            "privacy.number_in_output",
            f.mark,
            page=f.page,
            what=what[0],
            what_en=what[1],
            number=f.text,
        )
    fail_all(problems, locale)


def manifest(
    sources: dict[str, bytes], digests: Mapping[str, str], as_of: dt.date | None = None
) -> bytes:
    """Every source and output file with its SHA-256 (``digests``: output path → hex digest),
    and the as-of date the notices were judged by."""

    def digest(b: bytes) -> str:
        return hashlib.sha256(b).hexdigest()

    # sources hashed with LF line endings, as git stores them: a CRLF checkout
    # (core.autocrlf=true) publishes the same manifest
    doc = {
        "sources": {p: digest(downloads.lf(b)) for p, b in sorted(sources.items())},
        "pages": dict(sorted(digests.items())),
    }
    if as_of is not None:
        doc["as_of"] = as_of.isoformat()
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


_DIGEST_VALUE = re.compile(rb'(?<=": ")[0-9a-f]{64}(?=")')


def manifest_scanned(doc: bytes) -> bytes:
    """What the privacy scan reads of the manifest ``doc``: every value that is a SHA-256 (its hex
    digits and nothing else between quotes) written as as many ``f``, the rest — the paths, the
    date — as it is.  The scan finds no number in such a value anyway (a hexadecimal word of 64
    characters is no personal number), but looking at each of its digit runs to see that took
    35 ms for 6,600 files, a fiftieth of a rebuild after an edit; the offsets are the document's."""
    return _DIGEST_VALUE.sub(b"f" * 64, doc)
