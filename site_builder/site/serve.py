"""``site-builder serve``: build, serve ``out`` over HTTP, rebuild on change.

Pages built for serving carry one extra script (``assets/reload.*.js``, never
in a normal build) that polls ``/__reload`` and reloads the page when the
token changes after a rebuild.  A failed rebuild is printed and the previous
site keeps being served.  Responses carry the production CSP, so a page that
would break under the real headers breaks here first.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import threading
from pathlib import Path
from typing import Any

import click

from site_builder.errors import SiteBuilderError

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


class _State:
    """The current reload token, shared by the server thread and the watcher."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.token = "0"

    def bump(self) -> None:
        with self.lock:
            self.token = str(int(self.token) + 1)

    def get(self) -> str:
        with self.lock:
            return self.token


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: _State

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/__reload":
            body = self.state.get().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _rebuild(root: Path, out: Path, as_of: dt.date | None, preview: bool) -> bool:
    from site_builder.site.build import _build

    try:
        report = _build(root, out, as_of=as_of, preview=preview, quiet=False, serve=True)
    except SiteBuilderError as exc:
        click.echo(exc.format_message(), err=True)
        return False
    click.echo(f"built {report.pages} pages in {report.seconds:.2f}s", err=True)
    return True


def serve(
    root: Path,
    out: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    as_of: dt.date | None = None,
    *,
    preview: bool = False,
) -> None:
    """Serve the site and rebuild whenever a source changes (``preview`` shows drafts)."""
    import watchfiles

    root, out = Path(root).resolve(), Path(out).resolve()
    if not _rebuild(root, out, as_of, preview):
        raise SiteBuilderError("initial build failed" if _en(root) else "首次构建失败")
    state = _State()
    handler = type("Handler", (_Handler,), {"state": state})
    server = http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(out))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    click.echo(
        f"serving {out} at http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)", err=True
    )
    paths = [root / p for p in WATCHED if (root / p).exists()]
    try:
        for _changes in watchfiles.watch(
            *paths, watch_filter=lambda _c, p: not Path(p).is_relative_to(out)
        ):
            if _rebuild(root, out, as_of, preview):
                state.bump()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


def _en(root: Path) -> bool:
    try:
        return "locale: en" in (root / "site.yaml").read_text(encoding="utf-8")
    except OSError:
        return False
