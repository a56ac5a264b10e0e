"""The dev server's HTTP side in a process of its own, so that ``serve`` builds like ``build``.

Forking a process that runs threads is not safe (a lock another thread holds stays held in the
child), so while the HTTP server answered from threads of the ``serve`` process every rebuild
rendered in that one process and loaded without its forked helper.  Where it can (``fork``, and the
command running alone in its main thread), :func:`start` forks the server — its socket already
bound, so the port is known and a port in use is still reported by ``serve`` itself — into a child
that answers requests from threads of its own; the ``serve`` process keeps one thread and renders
on every core.  What ``/__reload`` answers (the state of the last build) reaches the child through a
pipe after each build (:meth:`Remote.update`).  The child ignores Ctrl+C and ends when the pipe
closes: when ``serve`` ends, however it ends.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any


def possible() -> bool:
    """Whether the server can run in a process of its own: ``fork``, and no other thread yet."""
    return (hasattr(os, "fork") and threading.current_thread() is threading.main_thread()
            and threading.active_count() == 1)


def _raw(state: Any) -> tuple:
    with state.lock:
        return state.locale, state.token, state.built, list(state.problems)


def _take(state: Any, raw: tuple) -> None:
    with state.lock:
        state.locale, state.token, state.built, state.problems = raw


class Remote:
    """The server's process, seen from ``serve``."""

    def __init__(self, pid: int, conn: Any) -> None:
        self.pid = pid
        self.conn = conn

    def update(self, state: Any) -> None:
        """The state of the last build, for the server's ``/__reload``."""
        try:
            self.conn.send(_raw(state))
        except (OSError, ValueError):  # the server is gone: the session ends with the next close
            pass

    def close(self, wait: float = 5.0) -> None:
        """The server ended (the pipe closed), waited for; killed if it does not end in ``wait`` s."""
        self.conn.close()
        end = time.monotonic() + wait
        while time.monotonic() < end:
            try:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    return
            except ChildProcessError:
                return
            time.sleep(0.02)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def start(server: Any, state: Any) -> Remote:
    """``server`` (bound) answering in a forked child, with ``state`` as it is now."""
    from multiprocessing.connection import Pipe

    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (covered by the tests through a real serve)
        code = 0
        try:
            writer.close()
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C ends serve, which closes the pipe
            _serve_until_closed(server, state, reader)
        except BaseException:  # noqa: BLE001 - never back into serve's code in this process
            code = 1
        finally:
            os._exit(code)
    reader.close()
    server.socket.close()  # only the child answers
    return Remote(pid, writer)


def _serve_until_closed(server: Any, state: Any, conn: Any) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while True:
        try:
            raw = conn.recv()
        except (EOFError, OSError):
            return
        _take(state, raw)
