"""API latency on a large generated store: p50/p95 of filtered ``/api/events`` and page loads.

    .venv/bin/python bench/serve_bench.py                  # 100k events (a couple of minutes)
    .venv/bin/python bench/serve_bench.py --events 1000000 # the issue's target: p95 < 50 ms

The store is synthetic: rows are inserted directly with SQLAlchemy (articles, one mention per
event with its JSON, two actors per mention, stories), through ``Store.open`` so the schema and
indexes are the real ones. Requests go through the FastAPI app in-process (TestClient), so the
figures include routing, validation, record building and JSON encoding, but no network.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from wirewatch.model import PLOVER_TYPES, STATUSES
from wirewatch.store import Store, fts
from wirewatch.store.schema import (
    actor_aliases,
    actors,
    articles,
    events,
    mention_actors,
    mentions,
    stories,
)

COUNTRIES = [
    "KOR",
    "PRK",
    "USA",
    "GBR",
    "RUS",
    "CAN",
    "JPN",
    "CHN",
    "FRA",
    "DEU",
    "UKR",
    "IND",
    "AUS",
    "BRA",
    "ZAF",
    "TUR",
    "IRN",
    "ISR",
    "EGY",
    "MEX",
]
WORDS = [
    "ministers",
    "officials",
    "met",
    "discussed",
    "agreed",
    "condemned",
    "security",
    "cooperation",
    "troops",
    "talks",
    "statement",
    "capital",
    "defense",
    "foreign",
    "sanctions",
    "summit",
    "border",
    "envoy",
    "dialogue",
]


def _actor_list(n_people: int) -> list[dict[str, Any]]:
    out = [{"id": c, "name": f"Country {c}", "kind": "country", "country": c} for c in COUNTRIES]
    for i in range(n_people):
        c = COUNTRIES[i % len(COUNTRIES)]
        out.append(
            {"id": f"person:p{i:04d}", "name": f"Person {i:04d}", "kind": "person", "country": c}
        )
    return out


def generate(db: str, n_events: int, seed: int = 7) -> Store:
    rng = random.Random(seed)
    store = Store.open(db)
    people = max(50, n_events // 1000)
    actor_rows = _actor_list(people)
    weights = [0.6, 0.2, 0.1, 0.04, 0.06]
    start = date(2015, 1, 1)
    per_article = 4
    n_stories = max(1, n_events // 200)
    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        conn.execute(insert(actors), [{**a, "sector": None} for a in actor_rows])
        conn.execute(
            insert(actor_aliases),
            [{"actor_id": a["id"], "alias": a["name"], "reason": "bench"} for a in actor_rows],
        )
        conn.execute(
            insert(stories),
            [
                {
                    "id": f"st-{i:06d}",
                    "title": f"Story {i}",
                    "first_date": None,
                    "last_date": None,
                    "articles": per_article,
                    "events": 200,
                }
                for i in range(n_stories)
            ],
        )
        batch = 20_000
        for lo in range(0, n_events, batch):
            ev_rows, m_rows, ma_rows, art_rows = [], [], [], []
            for i in range(lo, min(lo + batch, n_events)):
                art = f"a-{i // per_article:07d}"
                story = f"st-{rng.randrange(n_stories):06d}"
                if i % per_article == 0:
                    text = " ".join(rng.choice(WORDS) for _ in range(60))
                    art_rows.append(
                        {
                            "id": art,
                            "url": None,
                            "title": f"Article {art}",
                            "outlet": f"Outlet {rng.randrange(40)}",
                            "published": None,
                            "published_utc": (
                                start + timedelta(days=i * 4000 // n_events)
                            ).isoformat(),
                            "language": "en",
                            "text": text,
                            "content_hash": art,
                            "duplicate_of": None,
                            "story": story,
                            "source": "bench",
                            "ingested_at": "2026-01-01",
                            "analysed_with": "bench",
                        }
                    )
                etype = rng.choice(PLOVER_TYPES)
                status = rng.choices(STATUSES, weights)[0]
                d0 = start + timedelta(days=rng.randrange(4000))
                dated = rng.random() > 0.1
                d_start = d0.isoformat() if dated else None
                d_end = (
                    (d0 + timedelta(days=rng.choice([0, 0, 0, 1, 30]))).isoformat()
                    if dated
                    else None
                )
                a1, a2 = rng.sample(actor_rows, 2)
                eid, mid = f"ev-{i:09d}", f"m-{i:09d}"
                sent = " ".join(rng.choice(WORDS) for _ in range(12)) + "."
                data = {
                    "article": art,
                    "index": i % per_article,
                    "type": etype,
                    "status": status,
                    "sentence": {"start": 0, "end": len(sent), "text": sent},
                    "trigger": {"start": 0, "end": len(sent.split()[0]), "text": sent.split()[0]},
                    "cameo": "04",
                    "mode": None,
                    "context": [],
                    "label": None,
                    "date_start": d_start,
                    "date_end": d_end,
                    "date_span": None,
                    "location_name": None,
                    "location_country": None,
                    "location_span": None,
                    "actors": [
                        {
                            "name": a["name"],
                            "surface": a["name"],
                            "kind": a["kind"],
                            "country": a["country"],
                            "role": role,
                            "span": {"start": 0, "end": 1, "text": "x"},
                            "kb_id": None,
                            "title": None,
                            "sector": None,
                            "id": a["id"],
                        }
                        for a, role in ((a1, "source"), (a2, "target"))
                    ],
                    "attributed_to": [],
                    "status_cue": None,
                    "quantities": [],
                    "confidence": 0.8,
                    "published": None,
                }
                ev_rows.append(
                    {
                        "id": eid,
                        "type": etype,
                        "mode": None,
                        "context": None,
                        "cameo": "04",
                        "status": status,
                        "label": None,
                        "date_start": d_start,
                        "date_end": d_end,
                        "location_name": None,
                        "location_country": None,
                        "confidence": 0.8,
                        "first_published": None,
                        "story": story,
                        "contradictions": None,
                    }
                )
                m_rows.append(
                    {
                        "id": mid,
                        "article_id": art,
                        "idx": i % per_article,
                        "type": etype,
                        "status": status,
                        "cameo": "04",
                        "mode": None,
                        "label": None,
                        "date_start": d_start,
                        "date_end": d_end,
                        "location_name": None,
                        "location_country": None,
                        "confidence": 0.8,
                        "data": data,
                        "event_id": eid,
                    }
                )
                ma_rows += [
                    {
                        "mention_id": mid,
                        "position": 0,
                        "role": "source",
                        "surface": a1["name"],
                        "actor_id": a1["id"],
                    },
                    {
                        "mention_id": mid,
                        "position": 1,
                        "role": "target",
                        "surface": a2["name"],
                        "actor_id": a2["id"],
                    },
                ]
            if art_rows:
                conn.execute(insert(articles), art_rows)
            conn.execute(insert(events), ev_rows)
            conn.execute(insert(mentions), m_rows)
            if conn.dialect.name == "sqlite":  # the text index the store keeps on every write
                fts.sqlite_index(conn, m_rows)
            conn.execute(insert(mention_actors), ma_rows)
            print(f"  {min(lo + batch, n_events):>9,} events", file=sys.stderr, end="\r")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE") if store.engine.dialect.name == "sqlite" else None
    print(f"generated {n_events:,} events in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return store


def _queries(rng: random.Random, n_stories: int, people: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for _ in range(40):
        t = rng.choice(PLOVER_TYPES)
        s = rng.choice(STATUSES)
        c = rng.choice(COUNTRIES)
        p = f"person:p{rng.randrange(people):04d}"
        y = rng.randrange(2015, 2025)
        m = rng.randrange(1, 13)
        out += [
            ("type", f"type={t}"),
            ("status", f"status={s}"),
            ("type+status", f"type={t}&status={s}"),
            ("actor (country)", f"actor={c}"),
            ("actor (person)", f"actor={p}"),
            ("actor+type", f"actor={c}&type={t}"),
            ("month", f"since={y}-{m:02d}-01&until={y}-{m:02d}-28"),
            ("year+type", f"since={y}-01-01&until={y}-12-31&type={t}"),
            ("story", f"story=st-{rng.randrange(n_stories):06d}"),
            ("type, page 20", f"type={t}&offset=1000"),
            ("no filter", "limit=50"),
        ]
    return out


def _time(client: Any, url: str) -> float:
    """Milliseconds for one GET, which must answer 200."""
    t0 = time.perf_counter()
    response = client.get(url)
    ms = (time.perf_counter() - t0) * 1000
    _ok(response, url)
    return ms


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--db", help="store to create (default: a temporary file)")
    ap.add_argument("--reuse", action="store_true", help="use --db as it is, do not generate")
    ap.add_argument("--q", action="store_true", help="also time text queries (q=), a full scan")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = ap.parse_args()
    from fastapi.testclient import TestClient

    from wirewatch.serve import create_app

    tmp = tempfile.TemporaryDirectory()
    db = args.db or str(Path(tmp.name) / "bench.db")
    if not args.reuse:
        if Path(db).exists():
            sys.exit(f"{db} exists; remove it or pass --reuse")
        generate(db, args.events)
    n_events = args.events
    people = max(50, n_events // 1000)
    n_stories = max(1, n_events // 200)
    rng = random.Random(11)
    client = TestClient(create_app(db))
    client.__enter__()  # one event loop for every request, as a running server has
    client.get("/api/events?type=AID")  # warm up
    # The first date filter after start scans for the longest event span (then cached and
    # refreshed in the background): timed apart from the steady state.
    first_since = _time(client, "/api/events?since=2020-01-01&until=2020-01-31")
    timings: dict[str, list[float]] = {}
    for name, query in _queries(rng, n_stories, people):
        url = f"/api/events?{query}"
        ms = _time(client, url)
        timings.setdefault(name, []).append(ms)
    if args.q:
        for word in ("troops", "summit", "nothing-matches"):
            url = f"/api/events?q={word}"
            timings.setdefault("q (text)", []).append(_time(client, url))
    everything = [v for k, vs in timings.items() if k != "q (text)" for v in vs]
    pages: dict[str, list[float]] = {}
    for i in range(10):
        eid = f"ev-{rng.randrange(n_events):09d}"
        for name, url in (
            ("/", "/"),
            ("/events/{id}", f"/events/{eid}"),
            ("/actors/{country}", f"/actors/{rng.choice(COUNTRIES)}"),
            ("/actors/{person}", f"/actors/person:p{i:04d}"),
            ("/stories/{id}", f"/stories/st-{rng.randrange(n_stories):06d}"),
            ("/api/events/{id}", f"/api/events/{eid}"),
        ):
            pages.setdefault(name, []).append(_time(client, url))
    rows = {k: (statistics.median(v), pct(v, 95), max(v)) for k, v in timings.items()}
    page_rows = {k: (statistics.median(v), pct(v, 95), max(v)) for k, v in pages.items()}
    result = {
        "events": n_events,
        "first_date_filter_ms": round(first_since, 1),
        "api_events_filtered": {
            "n": len(everything),
            "p50_ms": round(statistics.median(everything), 1),
            "p95_ms": round(pct(everything, 95), 1),
        },
        "by_filter": {k: [round(x, 1) for x in v] for k, v in rows.items()},
        "pages": {k: [round(x, 1) for x in v] for k, v in page_rows.items()},
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"\n/api/events on {n_events:,} events, {len(everything)} filtered requests "
        f"in-process: p50 {result['api_events_filtered']['p50_ms']} ms, "
        f"p95 {result['api_events_filtered']['p95_ms']} ms (target p95 < 50 ms)"
    )
    print(f"(first date-filtered request after start: {first_since:.0f} ms, span scan)")
    print(f"{'filter':22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for k, (p50, p95, mx) in rows.items():
        print(f"{k:22} {p50:8.1f} {p95:8.1f} {mx:8.1f}")
    print(f"\n{'page':22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  (target < 1000 ms)")
    for k, (p50, p95, mx) in page_rows.items():
        print(f"{k:22} {p50:8.1f} {p95:8.1f} {mx:8.1f}")


def _ok(response: Any, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {response.text[:200]}")


if __name__ == "__main__":
    main()
