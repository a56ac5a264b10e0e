"""Rendering the planned routes: one page at a time in this process, or in forked workers.

The parent plans; :func:`_render_parallel` forks workers after planning so they share
the planned data copy-on-write, each renders, scans and writes an interleaved share of
the routes into the staging folder and returns compact (path, hash, size) records.
The parent merges them in path order, so the output is byte-identical to a serial build.

A large site (:data:`RECYCLE_MIN_ROUTES`) is rendered by processes forked for one share each
(:func:`_render_recycled`): what a worker makes and keeps — the dataset's records, a notice's
tables, the memos of cards, units and figures — goes back to the system when its share is done,
so no worker grows with the site; each starts again from the parent's pages, shared copy-on-write.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

from site_builder.site.failures import SiteError, fail
from site_builder.site.progress import counter as _counter, progress as _progress
from site_builder.site.output import privacy, reuse
from site_builder.site.present.render import render_route

# The shared state of a parallel render: set in the parent after planning, read by
# the forked workers (copy-on-write), never pickled.
_JOB: "_Job | None" = None
PARALLEL_MIN_ROUTES = 200  # fewer routes: forking costs more than it saves
#: From this many routes (about 1,500 units of 12 periods) every share is rendered by a process of
#: its own (:func:`_render_recycled`).  Measured at 2,000 units × 12 periods (26,111 files): long-lived
#: workers reached 318 MiB, the one that made the downloads growing by 107 MiB over its first share
#: (the dataset's records +70 MiB, then ~3 MiB a notice).
RECYCLE_MIN_ROUTES = 20_000
#: The weight of a share of a recycled render that makes downloads, in pages (:func:`_recycled_bounds`),
#: and the pages of a share without downloads: a worker forked anew makes again what its pages share
#: (templates, a period's rankings, a group's lines) — at 500 units, 9 forked shares took 1.2–2.3 s
#: more CPU than 2 long-lived workers (of ~25 s) — while a share of 3,000 pages grew a worker by only
#: ~30 MiB at 2,000 units.
SHARE_WEIGHT = 3_000
PAGE_SHARE = 10_000
#: A download then weighs :data:`DOWNLOAD_WEIGHT` pages for every this many routes of the site: a
#: notice's tables and the dataset grow with the units, a page does not (at 2,000 units a notice's
#: downloads take about 3 s, 1,000 pages' worth).
DOWNLOAD_SCALE = 1_000


@dataclass
class _Job:
    env: object
    routes: list
    locale: str
    sources: dict
    names: tuple
    stage: object
    tasks: int
    build_key: reuse.BuildKey | None = None  # :func:`reuse.build_key`: None, nothing is reused
    previous: reuse.Previous | None = None  # the last build of the output folder
    bounds: list[int] | None = None  # where each share starts (:func:`_bounds`); None: equal runs
    warm: object = None  # called before a recycled render forks its shares (:func:`.shares.before_shares`)


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _share(k: int, n: int, tasks: int) -> range:
    """Share ``k`` of ``tasks``: a run of neighbouring routes (one period's or one unit's pages lie
    together, so what they share is made once per worker)."""
    job = _JOB
    if job is not None and job.bounds is not None and len(job.bounds) == tasks + 1 and n == len(job.routes):
        return range(job.bounds[k], job.bounds[k + 1])
    return range(k * n // tasks, (k + 1) * n // tasks)


DOWNLOAD_WEIGHT = 20  # a download made (a notice's XLSX, JSON, CSV) costs about as much as 20 pages
#: In a rebuild (the last build's record is kept) most pages are linked unchanged, a tenth of a millisecond
#: each, while a changed notice's downloads are made: at 500 units, after one fact changed in the middle
#: month, shares weighed with 20 kept one worker busy 0.1 s after the other was done (1.06 s against 1.00 s
#: with 100, the shares' sums of time 0.97 and 0.96 s).
REBUILD_DOWNLOAD_WEIGHT = 100


def _is_download(route) -> bool:
    """Whether ``route`` makes a download (bytes made lazily, no template): it weighs more than a page."""
    return route.template is None and route.make is not None


def _bounds(routes: list, tasks: int, weight: int = DOWNLOAD_WEIGHT) -> list[int]:
    """Where each of ``tasks`` shares of ``routes`` starts (and the end): runs of neighbouring routes
    of about equal weight, a lazy download weighing ``weight`` pages (:data:`DOWNLOAD_WEIGHT`, or
    :data:`REBUILD_DOWNLOAD_WEIGHT` in a rebuild).  The downloads of
    every period lie together (``notices/…``), so equal runs of routes put them all in the first share
    or two: after an edit in the middle of the year one worker made every notice's downloads while the
    other linked the score cards and was done.  A share does not end among the downloads of one folder
    (a notice's, the dataset's): they share what they are made of (the notice's tables, the period's
    records), made once in the process that makes them.  Workers take shares as they finish them."""
    weights = [weight if _is_download(r) else 1 for r in routes]
    total = sum(weights)
    bounds, run, k = [0], 0, 1
    for i, w in enumerate(weights):
        run += w
        while k < tasks and run >= k * total / tasks:
            bounds.append(i + 1)
            k += 1
    while len(bounds) < tasks + 1:
        bounds.append(len(routes))
    bounds[-1] = len(routes)
    for k in range(1, tasks):
        b = max(bounds[k], bounds[k - 1])
        while 0 < b < len(routes) and _is_download(routes[b]) and \
                routes[b].path.rpartition("/")[0] == routes[b - 1].path.rpartition("/")[0]:
            b += 1
        bounds[k] = b
    return bounds


def _recycled_bounds(routes: list, weight: int, pages: int | None = None) -> list[int]:
    """Where each share of a recycled render starts (and the end): runs of neighbouring routes of about
    ``weight`` pages each when they make downloads, a download weighing :data:`DOWNLOAD_WEIGHT` pages
    for every :data:`DOWNLOAD_SCALE` routes, else of ``pages`` (:data:`PAGE_SHARE`) pages.  A run ends
    between two folders once it weighs that (so the dataset's files, which share their records, stay
    together, and so do a notice's downloads, which share its tables), or after a page once it weighs
    twice that."""
    pages = PAGE_SHARE if pages is None else pages
    heavy = _download_weight(routes)
    bounds, run, downloads = [0], 0, False
    for i, r in enumerate(routes[:-1]):
        download = _is_download(r)
        run += heavy if download else 1
        downloads = downloads or download
        limit = weight if downloads else pages
        if (run >= 2 * limit and not download) or (
            run >= limit and r.path.rpartition("/")[0] != routes[i + 1].path.rpartition("/")[0]
        ):
            bounds.append(i + 1)
            run, downloads = 0, False
    bounds.append(len(routes))
    return bounds


def _download_weight(routes: list) -> int:
    """What a download weighs in pages in a recycled render of ``routes``."""
    return DOWNLOAD_WEIGHT * max(1, len(routes) // DOWNLOAD_SCALE)


def _heaviest_first(routes: list, bounds: list[int]) -> list[int]:
    """The shares, heaviest first: a long share started last would keep one worker busy while the
    others have nothing left to do (the records are merged in path order whatever order they come)."""
    heavy = _download_weight(routes)
    weights = [
        sum(heavy if _is_download(r) else 1 for r in routes[a:b])
        for a, b in itertools.pairwise(bounds)
    ]
    return sorted(range(len(weights)), key=lambda k: (-weights[k], k))


def _render_share(k: int) -> tuple[list, list, tuple[int, list] | None]:
    """Share ``k`` of the routes made (or linked from the last build when unchanged), scanned and
    written: their (path, hash, size, (keys, what the maker recorded), linked, the file's status as
    written: :meth:`.stage.Stage.status`) records, privacy findings, and the first failure (route
    index, problems)."""
    job = _JOB
    assert job is not None
    records, findings = [], []
    for i in _share(k, len(job.routes), job.tasks):
        try:
            keyed, route = reuse.route_keys(job.build_key, job.routes[i], job.previous)
            sha, size, linked, extra = _output(job, route, keyed.key, findings)
        except SiteError as exc:
            return records, findings, (i, exc.problems)
        if route.done is not None:
            route.done()
        records.append((route.path, sha, size, (keyed, extra), linked, job.stage.status(route.path)))
    return records, findings, None


def _output(job: _Job, route, key: str | None, findings: list) -> tuple[str, int, bool, object]:
    """One file into the staging folder: linked from the last build when its key says it is
    unchanged, else made — rendered, or a download's bytes or stream of chunks (a scheme's dataset,
    never held whole) — and scanned and written a chunk at a time, or linked all the same when the
    bytes made are those the last build left there (:meth:`.reuse.Previous.same`); its (SHA-256,
    size, linked, what a stream recorded of it for the next build: :class:`.reuse.Recorded`)."""
    old = job.previous.reusable(route.path, key) if job.previous is not None else None
    if old is not None and job.previous.link(route.path, job.stage):
        return old[0], old[1], True, job.previous.extra(route.path)
    route = route.resolved()
    if route.template is None and route.data is not None and not isinstance(route.data, bytes):
        chunks = route.data
    else:
        data = render_route(job.env, route, job.locale)
        # made again (its key changed: a pre-key changed) but come out as the last build left it: kept
        same = job.previous.same(route.path, data) if job.previous is not None else None
        if same is not None and job.previous.link(route.path, job.stage):
            return same[0], same[1], True, None
        chunks = (data,)

    def scan(chunk: bytes) -> None:
        findings.extend(privacy_findings({route.path: chunk}, job.sources, job.names))

    sha, size = job.stage.write_chunks(route.path, chunks, scan)
    return sha, size, False, chunks.record if isinstance(chunks, reuse.Recorded) else None


def _render_serial(job: _Job, show: bool):
    global _JOB
    _JOB = job
    job.tasks = len(job.routes)  # one route per call
    try:
        records, findings = {}, []
        with _progress(list(range(len(job.routes))), job.locale, show) as bar:
            for i in bar:
                done, found, failed = _render_share(i)
                if failed:
                    raise SiteError(failed[1], job.locale)
                records.update((p, (h, n, key, linked, st)) for p, h, n, key, linked, st in done)
                findings += found
        return records, findings
    finally:
        _JOB = None


def _render_parallel(job: _Job, jobs: int, show: bool):
    """Forked workers, each with its own copy of the Jinja environment, render shares of the routes."""
    import multiprocessing

    global _JOB
    if len(job.routes) >= RECYCLE_MIN_ROUTES:
        return _render_recycled(job, jobs, show)
    job.tasks = min(len(job.routes), jobs * 8)
    rebuild = job.previous is not None and job.previous.build is not None and bool(job.previous.files)
    job.bounds = _bounds(job.routes, job.tasks, REBUILD_DOWNLOAD_WEIGHT if rebuild else DOWNLOAD_WEIGHT)
    _JOB = job
    records, findings, failures = {}, [], []
    try:
        ctx = multiprocessing.get_context("fork")
        try:
            pool = ctx.Pool(jobs)
        except OSError:  # no process to spare (a container's limit, memory): one process renders
            return _render_serial(job, show)
        with pool, _counter(len(job.routes), job.locale, show) as bar:
            for got in pool.imap_unordered(_render_share, range(job.tasks)):
                _gather(got, records, findings, failures, bar)
    finally:
        _JOB = None
    return _gathered(job, records, findings, failures)


def _gather(got: tuple, records: dict, findings: list, failures: list, bar) -> None:
    """A share's (records, findings, failure) added to the build's."""
    done, found, failed = got
    records.update((p, (h, n, key, linked, st)) for p, h, n, key, linked, st in done)
    findings += found
    if failed:
        failures.append(failed)
    bar(len(done))


def _gathered(job: _Job, records: dict, findings: list, failures: list):
    """Every share's records by path, and the findings; the first route's problems when any failed."""
    if failures:
        raise SiteError(min(failures, key=lambda f: f[0])[1], job.locale)
    return dict(sorted(records.items())), findings


def _render_recycled(job: _Job, jobs: int, show: bool):
    """Up to ``jobs`` processes at a time, each forked for one share (:func:`_recycled_bounds`) and
    ended when it has sent its records back: a worker holds what one share needs, never what every
    share before it left behind.  No threads in the parent, so every fork is of a single thread."""
    import multiprocessing
    from multiprocessing.connection import wait

    global _JOB
    job.bounds = _recycled_bounds(job.routes, SHARE_WEIGHT)
    job.tasks = len(job.bounds) - 1
    _JOB = job
    _compiled(job.env)
    if job.warm is not None:
        job.warm()
    _trim()
    ctx = multiprocessing.get_context("fork")
    records, findings, failures = {}, [], []
    running: dict = {}  # the read end of a worker's pipe: the worker
    todo = iter(_heaviest_first(job.routes, job.bounds))
    try:
        with _counter(len(job.routes), job.locale, show) as bar:
            while True:
                while len(running) < jobs and (k := next(todo, None)) is not None:
                    reader, writer = ctx.Pipe(duplex=False)
                    worker = ctx.Process(target=_share_to, args=(k, writer), daemon=True)
                    try:
                        worker.start()
                    except OSError:  # no process to spare: this share in this process
                        reader.close()
                        writer.close()
                        _gather(_render_share(k), records, findings, failures, bar)
                        continue
                    writer.close()
                    running[reader] = worker
                if not running:
                    break
                for reader in wait(list(running)):
                    worker = running.pop(reader)
                    try:
                        ok, got = reader.recv()
                    except EOFError:
                        ok, got = False, None
                    finally:
                        reader.close()
                        worker.join()
                    if not ok:
                        if got is None:  # killed (out of memory, say) before it sent anything
                            fail("site.worker_ended", job.locale, exitcode=worker.exitcode)
                        raise got
                    _gather(got, records, findings, failures, bar)
    finally:
        _JOB = None
        for reader, worker in running.items():
            worker.terminate()
            worker.join()
            reader.close()
    return _gathered(job, records, findings, failures)


def _share_to(k: int, conn) -> None:
    """(In a worker forked for share ``k``) the share rendered and its records sent to the parent, or
    what it raised."""
    try:
        conn.send((True, _render_share(k)))
    except BaseException as exc:  # noqa: BLE001 - the parent raises it, as a pool would
        try:
            conn.send((False, exc))
        except Exception:  # noqa: BLE001 - it could not be pickled: its text then
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def _compiled(env) -> None:
    """Every template of the theme compiled (or read compiled from the cache) in the parent before it
    forks, so that the workers inherit them instead of each compiling the templates of its pages
    again (without the cache, 103 compilations for 27 shares at 500 units).  A template that does
    not compile is left to the worker that renders it, which reports it as before."""
    import jinja2

    try:
        names = env.list_templates()
    except (TypeError, AttributeError):  # a loader that cannot list its templates
        return
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


def _trim() -> None:
    """The C heap's free pages given back to the system before the parent forks (glibc): every worker
    starts from them, and loading and planning left some free (15 MiB of 217 at 2,000 units)."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def privacy_findings(files, sources, names=()) -> list:
    """The personal numbers and unmasked registered names in ``files``, located."""
    return privacy.scan_outputs(files, sources, names)
