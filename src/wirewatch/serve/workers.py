"""Worker processes for ``wirewatch serve --workers N`` on Linux, each listening on a socket of
its own bound with SO_REUSEPORT, so that the kernel spreads new connections evenly over them.

uvicorn's own workers share one listening socket, and whichever wakes first takes every
connection waiting: on a quiet machine a burst of keep-alive clients (200 analysts opening
their connections within a second) went mostly to one worker, which then ran at ~95% CPU and
queued while the other idled at ~30%. Elsewhere (no SO_REUSEPORT, or not Linux, where it does
not balance) ``wirewatch serve`` uses uvicorn's workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from typing import Any

APP = "wirewatch.serve.app:app_from_environment"
BACKLOG = 2048
# uvicorn's exit status when the application cannot start: restarting it would not help.
STARTUP_FAILURE = 3

log = logging.getLogger("wirewatch.serve")


def balanced_workers_available() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _bound(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host.strip("[]"), port))
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    sock = _bound(host, port)
    sock.listen(BACKLOG)
    config = uvicorn.Config(APP, factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(workers: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Serve with ``workers`` processes until SIGINT or SIGTERM; a worker that dies is started
    again. ``options``: uvicorn.Config keywords (logging). The exit status."""
    # Bound but not listening: holds the port (a second server fails here, not in each
    # worker) and takes no connections itself.
    guard = _bound(host, port)
    port = guard.getsockname()[1]
    spawn = multiprocessing.get_context("spawn")

    def start() -> Any:
        proc = spawn.Process(target=_worker, args=(host, port, options), daemon=False)
        proc.start()
        return proc

    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    procs = [start() for _ in range(workers)]
    status = 0
    try:
        while not stop.wait(0.5):
            for i, proc in enumerate(procs):
                if proc.is_alive():
                    continue
                if proc.exitcode == STARTUP_FAILURE:
                    log.error("a server process could not start; stopping")
                    status = STARTUP_FAILURE
                    stop.set()
                    break
                log.warning("server process %s exited (%s); another", proc.pid, proc.exitcode)
                procs[i] = start()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()
        guard.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
