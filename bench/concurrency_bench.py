"""Readers and a writer at once: ``wirewatch serve`` answers while ``wirewatch ingest`` keeps
writing new articles into the same store, for a set time.

    .venv/bin/python bench/concurrency_bench.py                      # SQLite (WAL), 5 minutes
    .venv/bin/python bench/concurrency_bench.py --seconds 30 --db postgresql+psycopg://...

What runs: a real ``wirewatch serve`` process on a free loopback port; a writer thread that
runs ``wirewatch ingest`` on one new batch of generated articles after another (each ingest
also relinks the whole ledger in one transaction); reader threads that cycle through event,
article, actor and story lists and single records over HTTP.

What counts as a failure:
  * error: any answer but 200, a connection error, or a body that is not the JSON envelope;
  * torn read: an answer that mixes two states of the ledger: a page with fewer rows than
    its own total says, an event without sources or evidence, an evidence span that is not
    the sentence at those offsets of its article, an event that names an article the store
    cannot show, or a count of articles that goes down (ingest never deletes one).
A story or actor that a list showed and that is gone when fetched a moment later (a relink
merged it into another) is counted apart, as ``vanished_between_requests``: each answer is
consistent, the ledger simply moved on between two requests.

Exit status 1 on any error or torn read. Prints a JSON summary with request counts and
latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

COUNTRIES = ["Chile", "Peru", "Norway", "Kenya", "Ghana", "Japan", "Poland", "Egypt", "Laos",
             "Brazil", "Canada", "India", "Mexico", "Spain", "Turkey", "Vietnam"]  # fmt: skip
VERBS = ["criticized", "praised", "met", "sanctioned", "threatened", "urged", "accused",
         "held talks with", "signed an agreement with", "condemned"]  # fmt: skip

EVENT_FILTERS = ["", "&type=ACCUSE", "&status=occurred", "&q=statement", "&actor=CHL",
                 "&since=2024-03-01&until=2024-09-30"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_batch(path: Path, batch: int, size: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(size):
            a, b = rng.sample(COUNTRIES, 2)
            day = 1 + (batch * size + k) % 28
            text = (
                f"Bulletin {batch}-{k}\n{a} {rng.choice(VERBS)} {b} on Monday, officials in "
                f"{a} said. The foreign ministry of {b} responded in a statement on the "
                f"{day}th. {b} {rng.choice(VERBS)} {a} a day later."
            )
            record = {
                "id": f"b{batch}-{k}",
                "text": text,
                "outlet": rng.choice(["North Wire", "South Post", "East Herald"]),
                "published": f"2024-{1 + batch % 12:02d}-{day:02d}T09:00:00+00:00",
            }
            fh.write(json.dumps(record) + "\n")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.errors: list[str] = []
        self.torn: list[str] = []
        self.latencies: list[float] = []
        self.ingests = 0
        self.vanished = 0
        self.ingest_failures: list[str] = []

    def error(self, msg: str) -> None:
        with self.lock:
            self.errors.append(msg)

    def tear(self, msg: str) -> None:
        with self.lock:
            self.torn.append(msg)


def reader(base: str, deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    max_articles = 0
    texts: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=30) as http:

        def get(url: str, may_vanish: bool = False) -> dict[str, Any] | None:
            t0 = time.perf_counter()
            try:
                r = http.get(url)
            except httpx.HTTPError as exc:
                tally.error(f"{url}: {type(exc).__name__}: {exc}")
                return None
            with tally.lock:
                tally.requests += 1
                tally.latencies.append(time.perf_counter() - t0)
            if r.status_code == 404 and may_vanish:
                # Listed a moment ago, merged into another by a relink since: not an error.
                with tally.lock:
                    tally.vanished += 1
                return None
            if r.status_code != 200:
                tally.error(f"{url}: HTTP {r.status_code} {r.text[:200]}")
                return None
            try:
                body = r.json()
            except ValueError:
                tally.error(f"{url}: not JSON")
                return None
            if "data" not in body:
                tally.error(f"{url}: no envelope: {str(body)[:200]}")
                return None
            return dict(body)

        def check_page(url: str, body: dict[str, Any]) -> None:
            meta = body.get("meta", {})
            total, limit, offset = meta.get("total"), meta.get("limit"), meta.get("offset", 0)
            if isinstance(total, int) and isinstance(limit, int) and meta.get("total_exact", True):
                expected = max(0, min(limit, total - offset))
                if len(body["data"]) != expected:
                    tally.tear(f"{url}: {len(body['data'])} rows, total {total} says {expected}")

        while time.monotonic() < deadline:
            choice = rng.random()
            if choice < 0.45:
                params = rng.choice(EVENT_FILTERS)
                url = f"/api/events?limit=20{params}"
                body = get(url)
                if body is None:
                    continue
                check_page(url, body)
                for event in body["data"]:
                    if not event["articles"] or not event["evidence"]:
                        tally.tear(f"{url}: event {event['id']} without sources or evidence")
                for event in rng.sample(body["data"], min(2, len(body["data"]))):
                    ev = rng.choice(event["evidence"])
                    text = texts.get(ev["article"])
                    if text is None:
                        art = get(f"/api/articles/{ev['article']}")
                        if art is None:
                            tally.tear(f"event {event['id']} names article {ev['article']}")
                            continue
                        text = texts[ev["article"]] = art["data"]["text"]
                    if text[ev["start"] : ev["end"]] != ev["sentence"]:
                        tally.tear(f"event {event['id']}: evidence not at its offsets")
            elif choice < 0.65:
                body = get("/api/articles?limit=10")
                if body is None:
                    continue
                check_page("/api/articles?limit=10", body)
                total = body["meta"]["total"]
                if total < max_articles:
                    tally.tear(f"articles went from {max_articles} to {total}")
                max_articles = max(max_articles, total)
            elif choice < 0.8:
                body = get("/api/actors?limit=10")
                if body is not None:
                    check_page("/api/actors?limit=10", body)
                    for actor in body["data"][:1]:
                        get(f"/api/actors/{actor['id']}", may_vanish=True)
            else:
                body = get("/api/stories?limit=5")
                if body is not None:
                    for story in body["data"][:1]:
                        get(f"/api/stories/{story['id']}", may_vanish=True)


def writer(db: str, work: Path, deadline: float, tally: Tally, batch_size: int) -> None:
    rng = random.Random(1)
    batch = 0
    while time.monotonic() < deadline:
        path = work / f"batch-{batch}.jsonl"
        write_batch(path, batch, batch_size, rng)
        proc = subprocess.run(
            [sys.executable, "-m", "wirewatch", "-q", "--db", db, "ingest", str(path)],
            capture_output=True,
            text=True,
        )
        with tally.lock:
            tally.ingests += 1
            if proc.returncode != 0:
                tally.ingest_failures.append(f"batch {batch}: {proc.stderr[-500:]}")
        batch += 1


def run(db: str, seconds: float, readers: int, batch_size: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="wirewatch-conc-"))
    # A first batch so readers have something to read from the start.
    write_batch(work / "first.jsonl", 10_000, batch_size, random.Random(0))
    subprocess.run([sys.executable, "-m", "wirewatch", "-q", "--db", db, "ingest",
                    str(work / "first.jsonl")], check=True)  # fmt: skip
    port = free_port()
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
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/api/events?limit=1", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise SystemExit(f"serve exited: {server.stderr.read() if server.stderr else ''}")
            time.sleep(0.1)
        tally = Tally()
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=writer, args=(db, work, deadline, tally, batch_size))]
        threads += [
            threading.Thread(target=reader, args=(base, deadline, tally, n)) for n in range(readers)
        ]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
    lat = sorted(tally.latencies)

    def pct(p: float) -> float:
        return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else 0.0

    return {
        "db": db.split("://")[0] if "://" in db else "sqlite",
        "seconds": round(elapsed, 1),
        "readers": readers,
        "requests": tally.requests,
        "requests_per_s": round(tally.requests / elapsed, 1) if elapsed else 0.0,
        "ingests": tally.ingests,
        "articles_written": tally.ingests * batch_size,
        "latency_ms": {
            "p50": pct(0.5),
            "p99": pct(0.99),
            "max": pct(1.0),
            "mean": round(1000 * statistics.fmean(lat), 1) if lat else 0.0,
        },  # fmt: skip
        "vanished_between_requests": tally.vanished,
        "errors": len(tally.errors),
        "torn_reads": len(tally.torn),
        "ingest_failures": len(tally.ingest_failures),
        "examples": (tally.errors + tally.torn + tally.ingest_failures)[:10],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="SQLAlchemy URL or SQLite path (default: a temporary file)")
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--readers", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=10)
    args = ap.parse_args()
    db = args.db or os.path.join(tempfile.mkdtemp(prefix="wirewatch-conc-db-"), "ledger.db")
    result = run(db, args.seconds, args.readers, args.batch_size)
    print(json.dumps(result, indent=2))
    return 1 if result["errors"] or result["torn_reads"] or result["ingest_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
