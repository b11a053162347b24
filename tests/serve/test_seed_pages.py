"""On the seed articles: the ROK-US 2+2 page lists its three reports; claimed events say who
claims them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.seeds


@pytest.fixture(scope="module")
def seeds(seeds_db: str) -> Iterator[TestClient]:
    from wirewatch.serve import create_app

    with TestClient(create_app(seeds_db)) as c:
        yield c


def test_two_plus_two_lists_three_sources(seeds: TestClient) -> None:
    got = seeds.get("/api/events?type=CONSULT&actor=USA&since=2024-10-31&until=2024-10-31")
    event = next(e for e in got.json()["data"] if e["label"] == "2+2")
    assert {"seed-002", "seed-003", "seed-004"} <= set(event["articles"])
    page = seeds.get(f"/events/{event['id']}").text
    for art in ("seed-002", "seed-003", "seed-004"):
        assert f'data-article="{art}"' in page
    assert page.count('class="source"') == len(event["evidence"])
    assert event["corroboration"]["independent"] >= 3


def test_claimed_events_show_status_and_claimant(seeds: TestClient) -> None:
    claimed = seeds.get("/api/events?status=claimed&limit=100").json()["data"]
    assert claimed
    for e in claimed:
        page = seeds.get(f"/events/{e['id']}").text
        assert '<span class="status st-claimed">claimed</span>' in page
        for a in e["attributed_to"]:
            assert a["name"].replace("'", "&#39;") in page


def test_nis_troop_claim(seeds: TestClient) -> None:
    claimed = seeds.get("/api/events?status=claimed&actor=PRK&limit=100").json()["data"]
    nis = [
        e
        for e in claimed
        if "National Intelligence Service" in {a["name"] for a in e["attributed_to"]}
    ]
    assert nis
    # ... and its page says so: the status and who claims it
    page = seeds.get(f"/events/{nis[0]['id']}").text
    assert '<span class="status st-claimed">claimed</span>' in page
    assert "National Intelligence Service" in page
