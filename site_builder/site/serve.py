"""``site-builder serve``: build, serve the dev build over HTTP, rebuild on change.

The dev build goes to its own folder (``.site-builder/serve/`` in the project,
git-ignored by a ``.gitignore`` inside it), never to ``_site/``: only pages
built for serving carry the reload script (``assets/reload.*.js``), which
polls ``/__reload``.  That answer is JSON: a token that changes after every
good build (the page reloads) and the problems of the last failed build,
which the script shows over the page as an overlay (file:line:column and the
same Chinese text as the terminal).  A failed build writes nothing, so the
last good site stays served underneath.

Sources are watched by polling their paths (``os.stat`` by name), not by
watching inodes: an editor's atomic save (write a temporary file, rename it
over ``site.yaml``), a delete and re-create, or a replaced folder are all seen.

The builds of one session share what they read from the caches: a rebuild takes the
validated sources and scored periods the last build held instead of unpickling them
again (:mod:`site_builder.load.warm`), and the templates' digests of an unchanged theme.  The HTTP
server answers from a process of its own where it can (:mod:`.serve_process`), so builds use every core.

Missing pages get the site's own ``404.html``; other HTTP errors a short
Chinese (or English) page, never Python's English error page.  Responses
carry the production CSP, so a page that would break under the real headers
breaks here first.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import http.server
import json
import os
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from site_builder import messages
from site_builder.errors import InputError, SiteBuilderError
from site_builder.site import serve_process
from site_builder.site.present import i18n

messages.register(
    {
        "serve.out_is_site": (
            "本地预览不能生成到 {out}：这是正式发布的网站目录，预览页面带有自动刷新脚本，不能发布",
            "去掉 --out，预览会生成到 .site-builder/serve/；或写另一个目录",
            "the preview cannot be built into {out}: that is the published site, and preview pages carry the reload script",
            "leave out --out (the preview goes to .site-builder/serve/) or choose another folder",
        ),
    }
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
WATCHED = (
    "site.yaml",
    "units.yaml",
    "units",
    "schemes",
    "scores",
    "content",
    "theme",
    "published.lock",
    "published",
)
DEV_DIR = ".site-builder"
DEV_OUT = f"{DEV_DIR}/serve"
# Fixed URLs of the server itself (never files of the site).
RELOAD_URL = "/__reload"
SERVER_FILES = {"/__serve/reload.js": "reload.js", "/__serve/site.css": "site.css"}


def dev_out(root: Path) -> Path:
    """Where ``serve`` builds by default: ``.site-builder/serve/`` (git-ignored)."""
    return Path(root) / DEV_OUT


class State:
    """What the reload script polls: the token of the last good build and the current problems."""

    def __init__(self, locale: str) -> None:
        self.lock = threading.Lock()
        self.locale = locale
        self.token = 0
        self.built = False  # a good build is being served
        self.problems: list[dict[str, str]] = []

    def succeeded(self) -> None:
        with self.lock:
            self.token += 1
            self.built = True
            self.problems = []

    def failed(self, problems: list[dict[str, str]]) -> None:
        with self.lock:
            self.problems = problems

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            loc = self.locale
            return {
                "token": str(self.token),
                "built": self.built,
                "errors": list(self.problems),
                "title": i18n.text("serve.failed.title", loc),
                "note": i18n.text("serve.failed.note" if self.built else "serve.failed.none", loc),
                "close": i18n.text("serve.close", loc),
            }


def problem_list(exc: BaseException, locale: str) -> list[dict[str, str]]:
    """A failed build as the overlay shows it: where (file:line:column) and what, one per problem."""
    if isinstance(exc, InputError):
        out = []
        for p in exc.problems:
            where = str(p.mark) if p.mark else ""
            line = p.render(exc.locale)
            if where and line.startswith(where + ": "):
                line = line[len(where) + 2 :]
            out.append({"where": where, "text": line})
        return out
    if isinstance(exc, SiteBuilderError):
        return [{"where": "", "text": exc.format_message()}]
    return [{"where": "", "text": i18n.text("serve.crashed", locale, error=repr(exc))}]


class Handler(http.server.SimpleHTTPRequestHandler):
    """Files of the dev build, ``/__reload`` as JSON, and error pages in the site's language."""

    state: State
    theme_static: Path

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == RELOAD_URL:
            body = json.dumps(self.state.snapshot(), ensure_ascii=False).encode("utf-8")
            return self._send(200, "application/json; charset=utf-8", body, head)
        if path in SERVER_FILES:
            name = SERVER_FILES[path]
            kind = "text/css" if name.endswith(".css") else "text/javascript"
            body = (self.theme_static / name).read_bytes()
            return self._send(200, f"{kind}; charset=utf-8", body, head)
        if not self.state.built and (path.endswith("/") or path.endswith(".html")):
            return self._send(200, "text/html; charset=utf-8", self._waiting_page(), head)
        if head:
            super().do_HEAD()
        else:
            super().do_GET()

    def _send(self, code: int, kind: str, body: bytes, head: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def list_directory(self, path: str | os.PathLike[str]) -> None:  # type: ignore[override]
        """A folder without index.html is a missing page, not a file listing."""
        self.send_error(404)
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The site's 404.html for a missing page; a short page in the site's language otherwise."""
        body = None
        if code == 404:
            try:
                body = (Path(self.directory) / "404.html").read_bytes()
            except OSError:
                body = None
        if body is None:
            body = self._error_page(code)
        self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def _error_page(self, code: int) -> bytes:
        loc = self.state.locale
        key = f"serve.http.{code}" if f"serve.http.{code}" in i18n.catalogue_keys() else "serve.http.other"
        title = i18n.text("serve.http.title", loc, code=code)
        return _page(loc, title, [i18n.text(key, loc)], ["/__serve/site.css"])

    def _waiting_page(self) -> bytes:
        """Before the first good build: a page of its own whose reload script shows the problems."""
        loc = self.state.locale
        return _page(loc, i18n.text("serve.failed.title", loc), [i18n.text("serve.failed.none", loc)], list(SERVER_FILES))

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _page(locale: str, title: str, paragraphs: list[str], assets: list[str]) -> bytes:
    """A minimal page of the server itself (escaped text, external files only: the CSP holds)."""
    lang = "en" if locale == "en" else "zh-CN"
    links = "".join(
        f'<link rel="stylesheet" href="{a}">' if a.endswith(".css") else f'<script src="{a}" defer></script>'
        for a in assets
    )
    text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    doc = (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>{links}</head>"
        f'<body><main class="serve-page"><h1>{html.escape(title)}</h1>{text}</main></body></html>\n'
    )
    return doc.encode("utf-8")


def rebuild(root: Path, out: Path, as_of: dt.date | None, preview: bool, state: State, remote=None) -> bool:
    """One build of the dev site; a failure is printed and handed to the overlay, never raised (and to
    the server's process, when it has one of its own: ``remote``)."""
    try:
        return _rebuild(root, out, as_of, preview, state)
    finally:
        if remote is not None:
            remote.update(state)


def _rebuild(root: Path, out: Path, as_of: dt.date | None, preview: bool, state: State) -> bool:
    from site_builder.site.build import _build

    try:
        report = _build(root, out, as_of=as_of, preview=preview, quiet=False, serve=True)
    except SiteBuilderError as exc:
        click.echo(exc.format_message(), err=True)
        state.failed(problem_list(exc, state.locale))
        return False
    except Exception as exc:  # a bug must not end the session: shown, and the watch goes on
        click.echo(traceback.format_exc(), err=True)
        state.failed(problem_list(exc, state.locale))
        return False
    state.locale = report.locale
    click.echo(i18n.text("serve.built", report.locale, pages=report.pages, seconds=f"{report.seconds:.2f}"), err=True)
    state.succeeded()
    return True


def source_snapshot(root: Path, out: Path) -> dict[str, tuple[int, int, int]]:
    """Every watched source by path: (mtime_ns, size, inode), looked up by name on each call.

    Stat by path sees a file renamed over another (atomic save), a file deleted
    and re-created, and a folder replaced by another one.
    """
    seen: dict[str, tuple[int, int, int]] = {}
    for name in WATCHED:
        start = root / name
        if start.is_file():
            _stat_into(seen, start, name)
            continue
        for folder, dirs, files in os.walk(start):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not (here / d).resolve().is_relative_to(out))
            for f in files:
                _stat_into(seen, here / f, (here / f).relative_to(root).as_posix())
    return seen


def _stat_into(seen: dict[str, tuple[int, int, int]], path: Path, key: str) -> None:
    try:
        st = path.stat()
    except OSError:  # vanished between listing and stat: the next poll sees the new state
        return
    seen[key] = (st.st_mtime_ns, st.st_size, st.st_ino)


def watch(
    root: Path,
    out: Path,
    on_change: Callable[[], object],
    stop: threading.Event,
    interval: float = 0.3,
    since: dict[str, tuple[int, int, int]] | None = None,
) -> None:
    """Call ``on_change`` after the sources changed (from ``since``, the sources as the last
    build read them) and then stayed still for one interval."""
    last = since if since is not None else source_snapshot(root, out)
    while not stop.wait(interval):
        now = source_snapshot(root, out)
        if now == last:
            continue
        # an editor may write in several steps: wait until the files stop changing
        while not stop.wait(interval):
            settled = source_snapshot(root, out)
            if settled == now:
                break
            now = settled
        last = now
        if not stop.is_set():
            on_change()


def prepare_out(root: Path, out: Path) -> None:
    """Refuse ``_site`` (the published site); give the default dev folder its ``.gitignore``."""
    from site_builder.errors import Mark
    from site_builder.pipeline import _guess_locale
    from site_builder.site.failures import fail

    if out.resolve() == (root / "_site").resolve():
        fail("serve.out_is_site", _guess_locale(root), Mark("--out"), out=str(out))
    if out == dev_out(root):
        dev = root / DEV_DIR
        dev.mkdir(exist_ok=True)
        ignore = dev / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# site-builder serve: local preview builds, never committed\n*\n", "utf-8")


def serve(
    root: Path,
    out: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    as_of: dt.date | None = None,
    *,
    preview: bool = False,
    stop: threading.Event | None = None,
    ready: Callable[[str], object] | None = None,
) -> None:
    """Serve the dev build and rebuild whenever a source changes (``preview`` shows drafts).

    ``stop`` ends the session (tests; Ctrl+C otherwise); ``ready`` is called
    with the server's address once it answers.
    """
    from site_builder.load import warm
    from site_builder.pipeline import _guess_locale
    from site_builder.site.build import theme_dir

    root = Path(root).resolve()
    out = Path(out).resolve() if out is not None else dev_out(root)
    prepare_out(root, out)
    try:  # each build takes what the last one held (site_builder/load/warm.py): let go at the end
        _serve(root, out, host, port, as_of, preview, stop, ready, theme_dir(root), _guess_locale(root))
    finally:
        warm.forget()


def _serve(root: Path, out: Path, host: str, port: int, as_of: dt.date | None, preview: bool,
           stop: threading.Event | None, ready: Callable[[str], object] | None, theme: Path, locale: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stop = stop or threading.Event()
    state = State(locale)
    # taken before the first build: a save while it runs is seen, not mistaken for the baseline
    sources = source_snapshot(root, out)
    rebuild(root, out, as_of, preview, state)
    if not state.built and (out / "index.html").is_file():
        state.built = True  # the previous session's site: the last good one
    handler = type("Handler", (Handler,), {"state": state, "theme_static": theme / "static"})
    server = http.server.ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(out)))
    # the server in a process of its own where it can be: then this one has no other thread, and its
    # builds render on every core (site_builder/site/serve_process.py)
    remote = serve_process.start(server, state) if serve_process.possible() else None
    if remote is None:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://{host}:{server.server_address[1]}/"
    click.echo(i18n.text("serve.serving", state.locale, out=str(out), url=address), err=True)
    if ready is not None:
        ready(address)
    try:
        watch(root, out, lambda: rebuild(root, out, as_of, preview, state, remote), stop, since=sources)
    except KeyboardInterrupt:
        pass
    finally:
        if remote is not None:
            remote.close()
        else:
            server.shutdown()
            server.server_close()
