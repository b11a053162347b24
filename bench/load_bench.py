"""Load: a fixed rate of mixed analyst requests against a running ``wirewatch serve``, from a
second process (Locust, headless), on a generated store.

    pip install -e ".[load]"
    .venv/bin/python bench/load_bench.py                          # 100k events, 200 req/s, 60 s
    .venv/bin/python bench/load_bench.py --events 20000 --rate 100 --seconds 20

The store is bench/serve_bench.py's generated one (real schema and indexes); ``wirewatch
serve`` runs on a free loopback port; Locust (bench/load/locustfile.py) drives ``--rate``
simulated analysts at one request a second each: event lists with filters, single events,
actors, articles, stories and HTML pages. The target (issue 9): zero errors and p99 under
200 ms at 200 req/s for 60 s on 100k events. Exit status 1 when it is missed.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil  # a dependency of Locust

HERE = Path(__file__).resolve().parent
TARGET_P99_MS = 200.0


def _serve_bench() -> Any:
    spec = importlib.util.spec_from_file_location("_wirewatch_serve_bench", HERE / "serve_bench.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of a process and of each of its live children (the
    server's workers), by pid."""
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    out = {}
    for proc in procs:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        out[proc.pid] = t.user + t.system
    return out


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--rate", type=int, default=200, help="requests per second")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--db", help="store to create, or to use with --reuse")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="wirewatch serve --workers")
    ap.add_argument("--threads", type=int, default=4, help="wirewatch serve --threads")
    args = ap.parse_args()
    locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or shutil.which("locust")
    if locust is None:
        sys.exit('load_bench: Locust is not installed: pip install -e ".[load]"')

    work = Path(tempfile.mkdtemp(prefix="wirewatch-load-"))
    db = args.db or str(work / "load.db")
    if not args.reuse:
        _serve_bench().generate(db, args.events)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wirewatch",
            "-q",
            "--db",
            db,
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],  # fmt: skip
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/api/events?limit=1", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                sys.exit(f"serve exited: {server.stderr.read() if server.stderr else ''}")
            time.sleep(0.1)
        httpx.get(base + "/api/events?since=2020-01-01&until=2020-01-31", timeout=60)  # warm up
        prefix = work / "locust"
        env = {**os.environ, "WIREWATCH_LOAD_EVENTS": str(args.events)}
        t0 = time.monotonic()
        server_cpu0, locust_cpu0 = tree_cpu(server.pid), children_cpu()
        subprocess.run(
            [
                locust,
                "-f",
                str(HERE / "load" / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "-u",
                str(args.rate),
                "-r",
                str(args.rate),
                "-t",
                f"{args.seconds}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],  # fmt: skip
            env=env,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        wall = time.monotonic() - t0
        # Locust is the only child reaped meanwhile; the server's workers are still running.
        server_cpu1, locust_cpu = tree_cpu(server.pid), children_cpu() - locust_cpu0
        # Per process: one worker much busier than the other means connections are unevenly
        # spread over the workers, and that one queues while the other idles.
        by_process = sorted(
            (server_cpu1[pid] - server_cpu0.get(pid, 0.0) for pid in server_cpu1), reverse=True
        )
        server_cpu = sum(by_process)
    finally:
        server.terminate()
        server.wait(timeout=30)
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = {r["Name"]: r for r in csv.DictReader(fh)}
    agg = rows.pop("Aggregated")
    requests = int(agg["Request Count"])
    failures = int(agg["Failure Count"])
    result = {
        "events": args.events,
        "target_rate": args.rate,
        "server_workers": args.workers,
        "server_threads": args.threads,
        "seconds": args.seconds,
        "wall_s": round(wall, 1),
        "requests": requests,
        "achieved_rate": round(float(agg["Requests/s"]), 1),
        "failures": failures,
        "p50_ms": float(agg["50%"]),
        "p95_ms": float(agg["95%"]),
        "p99_ms": float(agg["99%"]),
        "max_ms": round(float(agg["Max Response Time"]), 1),
        # CPU per request (ms) tells load from contention: p99 rises with either.
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_s_by_process": [round(c, 1) for c in by_process],
        "locust_cpu_s": round(locust_cpu, 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(requests, 1), 2),
        "locust_cpu_ms_per_request": round(1000 * locust_cpu / max(requests, 1), 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "by_request": {
            name: {"n": int(r["Request Count"]), "p99_ms": float(r["99%"])}
            for name, r in sorted(rows.items())
        },  # fmt: skip
    }
    print(json.dumps(result, indent=2))
    ok = failures == 0 and result["p99_ms"] < TARGET_P99_MS
    ok = ok and result["achieved_rate"] >= 0.95 * args.rate
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
