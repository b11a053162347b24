"""Worker processes for ``wirewatch serve --workers N`` on Linux, each listening on a socket of
its own bound with SO_REUSEPORT, so that the kernel spreads new connections evenly over them.

uvicorn's own workers share one listening socket, and whichever wakes first takes every
connection waiting: on a quiet machine a burst of keep-alive clients (200 analysts opening
their connections within a second) went mostly to one worker, which then ran at ~95% CPU and
queued while the other idled at ~30%. Elsewhere (no SO_REUSEPORT, or not Linux, where it does
not balance) ``wirewatch serve`` uses uvicorn's workers.

The supervisor starts a worker again when it exits, and also when its event loop has not run
for ``hang_after`` seconds (each worker stamps a shared clock on every tick of uvicorn's main
loop, ten times a second): a worker stuck in a blocking call, or stopped, keeps its socket
and would otherwise take its share of the connections and never answer them.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from typing import Any

APP = "wirewatch.serve.app:app_from_environment"
BACKLOG = 2048
# uvicorn's exit status when the application cannot start: restarting it would not help.
STARTUP_FAILURE = 3
HANG_AFTER = 30.0  # seconds without a tick of a worker's event loop before it is replaced

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


def _worker(host: str, port: int, options: dict[str, Any], beat: Any) -> None:
    import uvicorn

    class Beating(uvicorn.Server):
        async def on_tick(self, counter: int) -> bool:
            beat.value = time.monotonic()  # one clock for every process of the machine
            return await super().on_tick(counter)

    sock = _bound(host, port)
    sock.listen(BACKLOG)
    config = uvicorn.Config(APP, factory=True, host=host, port=port, **options)
    Beating(config).run(sockets=[sock])


def run_workers(
    workers: int, host: str, port: int, options: dict[str, Any], hang_after: float = HANG_AFTER
) -> int:
    """Serve with ``workers`` processes until SIGINT or SIGTERM; a worker that dies, or whose
    event loop stops for ``hang_after`` seconds (0: never checked), is started again.
    ``options``: uvicorn.Config keywords (logging). The exit status."""
    # Bound but not listening: holds the port (a second server fails here, not in each
    # worker) and takes no connections itself.
    guard = _bound(host, port)
    port = guard.getsockname()[1]
    spawn = multiprocessing.get_context("spawn")

    def start() -> tuple[Any, Any]:
        beat = spawn.RawValue("d", 0.0)  # 0 until the worker's loop first runs
        proc = spawn.Process(target=_worker, args=(host, port, options, beat), daemon=False)
        proc.start()
        return proc, beat

    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    started = [start() for _ in range(workers)]
    procs = [p for p, _ in started]
    beats = [b for _, b in started]
    status = 0
    try:
        while not stop.wait(0.5):
            for i, proc in enumerate(procs):
                if proc.is_alive():
                    silent = time.monotonic() - beats[i].value
                    if not (hang_after and beats[i].value and silent > hang_after):
                        continue
                    log.error(
                        "server process %s has not run its event loop for %.0f s; another",
                        proc.pid, silent,
                    )  # fmt: skip
                    proc.kill()  # also ends a stopped process
                    proc.join(timeout=10)
                elif proc.exitcode == STARTUP_FAILURE:
                    log.error("a server process could not start; stopping")
                    status = STARTUP_FAILURE
                    stop.set()
                    break
                else:
                    log.warning("server process %s exited (%s); another", proc.pid, proc.exitcode)
                procs[i], beats[i] = start()
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
