"""Mixed analyst traffic for bench/load_bench.py: event lists with every kind of filter, single
events, actors, articles, stories and HTML pages, at a fixed rate per simulated user.

Ids follow bench/serve_bench.py's generated store; its size comes from WIREWATCH_LOAD_EVENTS.
"""

from __future__ import annotations

import os
import random
import time

import gevent
from locust import FastHttpUser, task

EVENTS = int(os.environ.get("WIREWATCH_LOAD_EVENTS", "100000"))
PEOPLE = max(50, EVENTS // 1000)
STORIES = max(1, EVENTS // 200)
ARTICLES = EVENTS // 4
TYPES = ["AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "REQUEST", "ACCUSE", "REJECT",
         "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"]  # fmt: skip
STATUSES = ["occurred", "planned", "claimed", "denied", "hypothetical"]
COUNTRIES = ["KOR", "PRK", "USA", "GBR", "RUS", "CAN", "JPN", "CHN", "FRA", "DEU"]


def event_filter(rng: random.Random) -> str:
    year, month = rng.randrange(2015, 2025), rng.randrange(1, 13)
    return rng.choice([
        f"type={rng.choice(TYPES)}",
        f"status={rng.choice(STATUSES)}",
        f"type={rng.choice(TYPES)}&status={rng.choice(STATUSES)}",
        f"actor={rng.choice(COUNTRIES)}",
        f"actor=person:p{rng.randrange(PEOPLE):04d}",
        f"actor={rng.choice(COUNTRIES)}&type={rng.choice(TYPES)}",
        f"since={year}-{month:02d}-01&until={year}-{month:02d}-28",
        f"story=st-{rng.randrange(STORIES):06d}",
        f"type={rng.choice(TYPES)}&offset=500",
        "limit=50",
    ])  # fmt: skip


# FastHttpUser (geventhttpclient), not HttpUser (requests): the generator shares the machine
# with the server, and requests cost it ~1 ms of CPU per request against ~0.5.
class Analyst(FastHttpUser):
    """One request a second, each analyst at a phase of its own: users = requests/s.

    Not ``constant_throughput(1)``: it keeps every user on the cadence of the instant it was
    spawned, Locust spawns all of them within ~0.1 s, and then all asked at once once a
    second (a burst of 200 every second, not a rate). Measured with one cached endpoint at
    200 req/s: all requests started within 0.1 s of each second, p50 32 ms, p99 140 ms; in
    random phases, p50 1 ms, p99 3 ms."""

    def on_start(self) -> None:
        self.rng = random.Random()
        gevent.sleep(self.rng.random())
        self.next_at = time.perf_counter()

    def wait_time(self) -> float:
        # A second after the last turn; one that came late is not made up for (a stalled
        # server would get every analyst's missed requests at once).
        now = time.perf_counter()
        self.next_at = max(self.next_at + 1.0, now)
        return self.next_at - now

    @task(10)
    def events(self) -> None:
        self.client.get(f"/api/events?{event_filter(self.rng)}", name="/api/events?[filter]")

    @task(3)
    def event(self) -> None:
        self.client.get(f"/api/events/ev-{self.rng.randrange(EVENTS):09d}", name="/api/events/[id]")

    @task(2)
    def actors(self) -> None:
        self.client.get(f"/api/actors?country={self.rng.choice(COUNTRIES)}", name="/api/actors")

    @task(1)
    def actor(self) -> None:
        self.client.get(f"/api/actors/person:p{self.rng.randrange(PEOPLE):04d}",
                        name="/api/actors/[id]")  # fmt: skip

    @task(1)
    def articles(self) -> None:
        self.client.get(f"/api/articles?offset={self.rng.randrange(1000)}", name="/api/articles")

    @task(1)
    def article(self) -> None:
        self.client.get(f"/api/articles/a-{self.rng.randrange(ARTICLES):07d}",
                        name="/api/articles/[id]")  # fmt: skip

    @task(1)
    def stories(self) -> None:
        self.client.get(f"/api/stories/st-{self.rng.randrange(STORIES):06d}",
                        name="/api/stories/[id]")  # fmt: skip

    @task(1)
    def event_page(self) -> None:
        self.client.get(f"/events/ev-{self.rng.randrange(EVENTS):09d}", name="/events/[id]")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="/")
