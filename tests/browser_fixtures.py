"""Browser test harness: headless Chromium (Debian's), Playwright, axe-core.

Fixtures (all return plain callables so tests never import this module):

    chromium_path            str, path of the Chromium executable ($CHROMIUM_PATH,
                             else `chromium` on PATH, else /usr/bin/chromium)
    axe_js                   pathlib.Path of axe.min.js
    browser                  playwright Browser (session scope, headless)
    open_page(url, width=360, height=800, **context_options) -> Page
                             new context per call, phone-sized viewport, scale 1,
                             locale zh-CN; only file:, data:, blob: and http(s) to
                             127.0.0.1 / localhost / [::1] may load. The page gets
                               page.blocked_requests  list[str] of refused URLs
                               page.console_errors    list[str] console errors
                                                      and uncaught exceptions
    run_axe(page, tags=WCAG_TAGS) -> list[dict]   axe violations
    serious(violations) -> list[dict]             impact serious/critical only
    screenshot(page, name, full_page=True) -> Path
                             tests/artifacts/screenshots/<name>.png
    serve_dir(path, headers=None) -> str
                             serves `path` at http://127.0.0.1:<free port>
                             (base URL, no trailing slash); stopped after the test

Missing Chromium, Playwright or axe.min.js skips the test locally and fails
it when CI=true, so CI can never go green by skipping everything.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_AXE_JS = REPO_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = REPO_ROOT / "tests" / "artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ALLOWED_SCHEMES_ANY_HOST = {"file", "data", "blob", "about"}


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def missing(reason: str) -> None:
    """Skip locally; fail under CI=true (a skipped browser suite is not a pass)."""
    if on_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must not be skipped)", pytrace=False)
    pytest.skip(reason)


def is_local_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ALLOWED_SCHEMES_ANY_HOST:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


# --------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        missing("Chromium not installed: apt-get install chromium")
    return path


@pytest.fixture(scope="session")
def axe_js() -> Path:
    path = Path(os.environ.get("AXE_JS") or DEFAULT_AXE_JS)
    if not path.is_file():
        missing(f"axe.min.js not found at {path}: run bash scripts/install-test-deps.sh")
    return path


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing('Playwright not installed: pip install -e ".[test]"')
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright: Any, chromium_path: str) -> Iterator[Any]:
    # Playwright gives every launch() its own throw-away profile directory,
    # so no --user-data-dir is needed here.
    browser = _playwright.chromium.launch(
        executable_path=chromium_path,
        headless=True,
        args=CHROMIUM_ARGS,
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def _open_page(url: str, width: int = 360, height: int = 800, **context_options: Any) -> Any:
        options: dict[str, Any] = {
            "viewport": {"width": width, "height": height},
            "device_scale_factor": 1,
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
            "service_workers": "block",
        }
        options.update(context_options)
        context = browser.new_context(**options)
        contexts.append(context)
        blocked: list[str] = []
        errors: list[str] = []

        def gate(route: Any) -> None:
            request_url = route.request.url
            if is_local_url(request_url):
                route.continue_()
            else:
                blocked.append(request_url)
                route.abort("blockedbyclient")

        context.route("**/*", gate)
        page = context.new_page()
        page.blocked_requests = blocked
        page.console_errors = errors
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
        page.goto(url, wait_until="load")
        return page

    yield _open_page
    for context in contexts:
        context.close()


# ------------------------------------------------------------------------- axe


@pytest.fixture
def run_axe(axe_js: Path) -> Callable[..., list[dict]]:
    source = axe_js.read_text(encoding="utf-8")

    def _run_axe(page: Any, tags: tuple[str, ...] | list[str] = WCAG_TAGS) -> list[dict]:
        # page.evaluate goes through the DevTools protocol, so a strict
        # Content-Security-Policy on the page does not stop the injection.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(source)
        options = {"runOnly": {"type": "tag", "values": list(tags)}}
        return page.evaluate(
            "async (options) => (await axe.run(document, options)).violations", options
        )

    return _run_axe


def serious_only(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


@pytest.fixture
def serious() -> Callable[[list[dict]], list[dict]]:
    return serious_only


def describe(violations: list[dict]) -> str:
    """Readable summary for assertion messages."""
    lines = []
    for v in violations:
        targets = ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
        lines.append(f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} -> {targets}")
    return "\n".join(lines)


# ------------------------------------------------------------------ screenshot


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    def _screenshot(page: Any, name: str, full_page: bool = True) -> Path:
        safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "screenshot"
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{safe}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _screenshot


# ---------------------------------------------------------------- http server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extra_headers: ClassVar[dict[str, str]] = {}

    def end_headers(self) -> None:
        for key, value in self.extra_headers.items():
            self.send_header(key, value)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # browsers drop keep-alive connections; nothing worth printing


@pytest.fixture
def serve_dir() -> Iterator[Callable[..., str]]:
    running: list[tuple[_QuietServer, threading.Thread]] = []

    def _serve_dir(path: str | os.PathLike[str], headers: dict[str, str] | None = None) -> str:
        root = Path(path)
        if not root.is_dir():
            raise NotADirectoryError(root)
        handler = type("Handler", (_QuietHandler,), {"extra_headers": dict(headers or {})})
        server = _QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        thread = threading.Thread(
            target=server.serve_forever, name=f"serve_dir {root}", daemon=True
        )
        thread.start()
        running.append((server, thread))
        host, port = server.server_address[:2]
        return f"http://{host}:{port}"

    yield _serve_dir
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
