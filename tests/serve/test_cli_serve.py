"""`wirewatch serve`: loopback by default, read-only unless a token is given."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from wirewatch.serve.workers import balanced_workers_available


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(app: Any, host: str, port: int, **logs: Any) -> None:
        seen.update(app=app, host=host, port=port, logs=logs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    from wirewatch.cli import cli
    from wirewatch.cli.serve import serve_cmd

    if "serve" not in cli.commands:
        cli.add_command(serve_cmd)
    return seen


def test_defaults_are_loopback_and_read_only(
    serve_db: str, started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wirewatch.cli import cli

    monkeypatch.delenv("WIREWATCH_TOKEN", raising=False)
    r = CliRunner().invoke(cli, ["--db", serve_db, "serve"])
    assert r.exit_code == 0, r.output
    assert started["host"] == "127.0.0.1" and started["port"] == 8000
    # Access lines are logs: stderr, never stdout (kept for data).
    assert started["logs"]["access_log"] is True
    assert started["logs"]["log_config"]["handlers"]["access"]["stream"] == "ext://sys.stderr"
    c = TestClient(started["app"], base_url="http://127.0.0.1:8000")
    assert c.get("/api/events").status_code == 200
    assert c.post("/api/actors/PRK/rename", json={"name": "x"}).status_code == 403
    # DNS rebinding: a foreign Host header is refused
    assert TestClient(started["app"], base_url="http://evil.example").get("/").status_code == 400


def test_token_from_env_enables_writes(
    serve_db: str, started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wirewatch.cli import cli

    monkeypatch.setenv("WIREWATCH_TOKEN", "a-long-enough-token-123")
    r = CliRunner().invoke(cli, ["--db", serve_db, "serve", "--port", "8123"])
    assert r.exit_code == 0, r.output
    app = started["app"]
    assert app.state.settings.allow_write and started["port"] == 8123
    c = TestClient(app, base_url="http://127.0.0.1:8123")
    assert c.post("/api/actors/PRK/rename", json={"name": "x"}).status_code == 401


def test_threads_size_the_store_pool(serve_db: str, started: dict[str, Any]) -> None:
    from wirewatch.cli import cli

    r = CliRunner().invoke(cli, ["--db", serve_db, "serve", "--threads", "2"])
    assert r.exit_code == 0, r.output
    # One pooled store connection per request thread, and one for the version probe.
    assert started["app"].state.store.engine.pool.size() == 3
    r = CliRunner().invoke(cli, ["--db", serve_db, "serve", "--threads", "0"])
    assert r.exit_code == 2


def test_short_token_refused(serve_db: str, started: dict[str, Any]) -> None:
    from wirewatch.cli import cli

    r = CliRunner().invoke(cli, ["--db", serve_db, "serve", "--token", "short"])
    assert r.exit_code == 2 and "16 characters" in r.output
    assert not started


def test_workers_serve_the_same_app(serve_db: str) -> None:
    """`--workers 2` runs real uvicorn worker processes built from the environment: the same
    API, the same loopback-only Host check."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wirewatch",
            "-q",
            "--db",
            serve_db,
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],  # fmt: skip
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(base + "/api/events", timeout=5)
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["meta"]["total"] > 0
        assert httpx.get(base + "/", headers={"Host": "evil.example"}).status_code == 400
        assert httpx.post(base + "/api/actors/PRK/rename", json={"name": "x"}).status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.skipif(not balanced_workers_available(), reason="SO_REUSEPORT balancing: Linux")
def test_workers_share_the_connections(serve_db: str) -> None:
    """Each worker listens on a socket of its own and takes connections: 20 keep-alive clients
    are spread over both (all on one would happen about twice in a million runs), and the
    server stops cleanly."""
    import socket
    import subprocess
    import sys
    import time

    import httpx
    import psutil

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirewatch", "-q", "--db", serve_db, "serve", "--port", str(port),
         "--workers", "2", "--log-level", "warning"],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    clients = [httpx.Client(base_url=base, timeout=5) for _ in range(20)]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(base + "/api/events?limit=1", timeout=5).status_code == 200
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
                time.sleep(0.2)
        time.sleep(1)  # both workers up
        for c in clients:
            assert c.get("/api/events?limit=1").status_code == 200
        workers = psutil.Process(proc.pid).children()
        held = [
            sum(
                1
                for k in w.net_connections("tcp")
                if k.status == "ESTABLISHED" and k.laddr.port == port
            )
            for w in workers
            if w.net_connections("tcp")
        ]
        assert len(held) == 2 and min(held) > 0 and sum(held) >= 20, held
    finally:
        for c in clients:
            c.close()
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0


@pytest.mark.skipif(not balanced_workers_available(), reason="SO_REUSEPORT workers: Linux")
def test_a_worker_that_stops_answering_is_replaced(serve_db: str) -> None:
    """A worker frozen with SIGSTOP keeps its socket and would sit on its share of the
    connections: the supervisor sees its event loop stop ticking, kills it and starts
    another, and the server answers again."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx
    import psutil

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirewatch", "-q", "--db", serve_db, "serve", "--port", str(port),
         "--workers", "2", "--hang-timeout", "2", "--log-level", "warning"],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(_workers(proc.pid)) < 2 or not _answers(base):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(1)  # both workers ticking
        frozen = _workers(proc.pid)[0]
        frozen.send_signal(signal.SIGSTOP)
        deadline = time.monotonic() + 30
        while frozen.is_running() and frozen.status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "the stopped worker was not replaced"
            time.sleep(0.2)
        deadline = time.monotonic() + 60
        while len(_workers(proc.pid)) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(3)  # the new worker's app is up
        with httpx.Client(base_url=base, timeout=5) as client:
            assert all(client.get("/api/events?limit=1").status_code == 200 for _ in range(20))
        assert frozen.pid not in [c.pid for c in _workers(proc.pid)]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "has not run its event loop" in err
    assert proc.returncode == 0


def _workers(pid: int) -> list:
    """The server's live worker processes (not multiprocessing's resource tracker, nor a
    killed worker the supervisor has not reaped yet: a zombie has no command line)."""
    import psutil

    live = []
    for c in psutil.Process(pid).children():
        try:
            if "spawn_main" in " ".join(c.cmdline()):
                live.append(c)
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
    return live


def _answers(base: str) -> bool:
    import httpx

    try:
        return httpx.get(base + "/api/events?limit=1", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
