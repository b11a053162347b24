"""The REST API in-process: every endpoint, paging, filters, formats, bad parameters, auth."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wirewatch.model import PLOVER_TYPES

from .conftest import ARTICLES, build_store


def ok(c: TestClient, url: str) -> dict[str, Any]:
    r = c.get(url)
    assert r.status_code == 200, (url, r.text)
    body = r.json()
    assert set(body) == {"data", "meta"}
    assert set(body["meta"]) >= {"total", "limit", "offset"}
    return body


def err(c: TestClient, url: str, status: int = 400, code: str = "bad_parameter") -> str:
    r = c.get(url)
    assert r.status_code == status, (url, r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    assert body["error"]["message"]
    return str(body["error"]["message"])


def test_events_list_envelope_and_contract(client: TestClient) -> None:
    body = ok(client, "/api/events")
    assert body["meta"]["total"] == len(body["data"]) > 0
    assert body["meta"]["limit"] == 50 and body["meta"]["offset"] == 0
    e = body["data"][0]
    for key in (
        "id",
        "type",
        "status",
        "date",
        "location",
        "actors",
        "attributed_to",
        "articles",
        "evidence",
        "confidence",
        "status_history",
        "corroboration",
        "contradictions",
    ):
        assert key in e
    assert e["type"] in PLOVER_TYPES
    ev = e["evidence"][0]
    text = client.get(f"/api/articles/{ev['article']}").json()["data"]["text"]
    assert text[ev["start"] : ev["end"]] == ev["sentence"]


def test_events_paging(client: TestClient) -> None:
    everything = ok(client, "/api/events?limit=1000")
    total = everything["meta"]["total"]
    ids = [e["id"] for e in everything["data"]]
    assert len(ids) == total >= 3 and len(set(ids)) == total
    paged = []
    for offset in range(0, total, 2):
        page = ok(client, f"/api/events?limit=2&offset={offset}")
        assert page["meta"] == {"total": total, "limit": 2, "offset": offset, "total_exact": True}
        paged += [e["id"] for e in page["data"]]
    assert paged == ids
    assert ok(client, f"/api/events?offset={total + 5}")["data"] == []
    asc = [e["id"] for e in ok(client, "/api/events?order=asc&limit=1000")["data"]]
    dated = [e for e in everything["data"] if e["date"]]
    assert [e["date"]["start"] for e in dated] == sorted(
        (e["date"]["start"] for e in dated), reverse=True
    )
    assert set(asc) == set(ids)


def test_count_is_capped(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from wirewatch.serve import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    meta = ok(client, "/api/events?limit=1")["meta"]
    assert meta["total"] == 2 and meta["total_exact"] is False
    assert len(ok(client, "/api/events?limit=100")["data"]) > 2  # the rows are all there


def test_since_finds_long_events_that_started_before(client: TestClient) -> None:
    everything = ok(client, "/api/events?limit=1000")["data"]
    long = [e for e in everything if e["date"] and e["date"]["start"] < e["date"]["end"]]
    assert long, "the test corpus needs an event that spans several days"
    e = max(long, key=lambda x: x["date"]["end"])
    day = e["date"]["end"]
    got = ok(client, f"/api/events?since={day}&limit=1000")["data"]
    assert e["id"] in [x["id"] for x in got]


def test_frequent_actor_path_gives_the_same_events(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wirewatch.serve import queries

    before = [e["id"] for e in ok(client, "/api/events?actor=PRK&limit=1000")["data"]]
    monkeypatch.setattr(queries, "FREQUENT_ACTOR", 0)
    body = ok(client, "/api/events?actor=PRK&limit=1000")
    assert [e["id"] for e in body["data"]] == before and body["meta"]["total"] == len(before)


def test_events_filters(client: TestClient) -> None:
    all_events = ok(client, "/api/events?limit=1000")["data"]
    for e in all_events:
        t = e["type"]
        got = ok(client, f"/api/events?type={t.lower()}&limit=1000")
        assert got["data"] and all(x["type"] == t for x in got["data"])
        assert got["meta"]["total"] == sum(1 for x in all_events if x["type"] == t)
    occurred = ok(client, "/api/events?status=occurred&limit=1000")["data"]
    assert occurred and all(x["status"] == "occurred" for x in occurred)
    two = ok(client, "/api/events?type=CONSULT,ACCUSE&limit=1000")["data"]
    assert {x["type"] for x in two} <= {"CONSULT", "ACCUSE"}
    # actor by ISO code, by name, by alias
    prk = ok(client, "/api/events?actor=PRK&limit=1000")["data"]
    assert prk and all("PRK" in {a["id"] for a in x["actors"] + x["attributed_to"]} for x in prk)
    assert {x["id"] for x in ok(client, "/api/events?actor=north%20korea&limit=1000")["data"]} == {
        x["id"] for x in prk
    }
    assert ok(client, "/api/events?actor=nobody-at-all")["meta"]["total"] == 0
    # dates: events that overlap the range
    got = ok(client, "/api/events?since=2024-11-05&until=2024-11-06&limit=1000")["data"]
    assert got and all(
        x["date"] and x["date"]["end"] >= "2024-11-05" and x["date"]["start"] <= "2024-11-06"
        for x in got
    )
    assert ok(client, "/api/events?since=2030-01-01")["meta"]["total"] == 0
    # text query over evidence sentences
    got = ok(client, "/api/events?q=CONDEMNED&limit=1000")["data"]
    assert got and all(
        any("condemned" in ev["sentence"].lower() for ev in x["evidence"])
        or "condemned" in (x["label"] or "")
        for x in got
    )
    assert ok(client, "/api/events?q=100%25")["meta"]["total"] == 0  # LIKE wildcards are literal
    # story
    story = all_events[0]["story"]
    got = ok(client, f"/api/events?story={story}&limit=1000")
    assert got["meta"]["total"] == sum(1 for x in all_events if x["story"] == story)
    # combined
    got = ok(client, "/api/events?type=CONSULT&actor=USA&status=occurred")["data"]
    assert got and got[0]["label"] == "2+2"


@pytest.mark.parametrize(
    "query, param",
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("type=FOO", "type"),
        ("status=rumoured", "status"),
        ("since=yesterday", "since"),
        ("until=2024-13-01", "until"),
        ("since=2024-12-01&until=2024-01-01", "since"),
        ("format=xml", "format"),
        ("order=up", "order"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_events_bad_parameters(client: TestClient, query: str, param: str) -> None:
    assert param in err(client, f"/api/events?{query}")


def test_event_detail(client: TestClient) -> None:
    e = ok(client, "/api/events?type=CONSULT&actor=USA")["data"][0]
    one = ok(client, f"/api/events/{e['id']}")
    assert one["data"] == e
    assert one["meta"] == {"total": None, "limit": None, "offset": None}
    err(client, "/api/events/ev-nope", 404, "not_found")


def test_actors(client: TestClient) -> None:
    body = ok(client, "/api/actors?limit=1000")
    ids = [a["id"] for a in body["data"]]
    assert {"PRK", "RUS", "KOR", "USA"} <= set(ids)
    assert ids == sorted(ids)
    page = ok(client, "/api/actors?limit=2&offset=1")
    assert [a["id"] for a in page["data"]] == ids[1:3] and page["meta"]["total"] == len(ids)
    countries = ok(client, "/api/actors?kind=country&limit=1000")["data"]
    assert countries and all(a["kind"] == "country" for a in countries)
    assert [a["id"] for a in ok(client, "/api/actors?country=prk")["data"]] == ["PRK"]
    assert "PRK" in [a["id"] for a in ok(client, "/api/actors?q=north%20korean")["data"]]
    err(client, "/api/actors?kind=alien")
    err(client, "/api/actors?country=Korea")
    err(client, "/api/actors?limit=-3")
    one = ok(client, "/api/actors/PRK")["data"]
    assert one["name"] == "North Korea" and "North Korea" in one["aliases"]
    assert one["alias_reasons"] and one["event_count"] == len(one["events"]) > 0
    assert {c["id"] for c in one["counterparts"]} >= {"RUS"}
    assert all(c["events"] >= 1 for c in one["counterparts"])
    err(client, "/api/actors/NOPE", 404, "not_found")


def test_articles(client: TestClient) -> None:
    body = ok(client, "/api/articles")
    assert [a["id"] for a in body["data"]] == ["t-003", "t-002", "t-001"]  # newest first
    assert body["meta"]["total"] == 3
    assert [a["id"] for a in ok(client, "/api/articles?limit=1&offset=1")["data"]] == ["t-002"]
    assert [a["id"] for a in ok(client, "/api/articles?outlet=example%20wire")["data"]] == ["t-001"]
    assert [a["id"] for a in ok(client, "/api/articles?q=hostile")["data"]] == ["t-003"]
    a = ok(client, "/api/articles/t-003")["data"]
    assert a["text"] == ARTICLES[2]["text"] and a["title"] == ARTICLES[2]["title"]
    assert a["mentions"] and all(m["event"] for m in a["mentions"])
    m = a["mentions"][0]
    assert a["text"][m["trigger"]["start"] : m["trigger"]["end"]] == m["trigger"]["text"]
    err(client, "/api/articles/none", 404, "not_found")
    err(client, "/api/articles?limit=5000")


def test_stories(client: TestClient) -> None:
    body = ok(client, "/api/stories")
    assert body["meta"]["total"] == len(body["data"]) >= 1
    s = body["data"][0]
    assert {"id", "title", "first_date", "last_date", "articles", "events"} <= set(s)
    one = ok(client, f"/api/stories/{s['id']}")["data"]
    assert one["article_ids"] and one["event_count"] == len(one["event_ids"])
    assert ok(client, "/api/stories?limit=1&offset=99")["data"] == []
    err(client, "/api/stories/st-nope", 404, "not_found")
    err(client, "/api/stories?offset=-2")


@pytest.mark.parametrize("what", ["events", "actors", "articles", "stories"])
def test_streaming_formats(client: TestClient, what: str) -> None:
    total = ok(client, f"/api/{what}")["meta"]["total"]
    r = client.get(f"/api/{what}?format=jsonl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert len(lines) == total
    r = client.get(f"/api/{what}?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == total and rows[0]["id"] == lines[0]["id"]
    r = client.get(f"/api/{what}?format=jsonl&limit=1&offset=1")
    assert [json.loads(x)["id"] for x in r.text.splitlines()] == [lines[1]["id"]]


def test_streamed_events_keep_nested_fields(client: TestClient) -> None:
    r = client.get("/api/events?format=csv&type=CONSULT")
    row = next(csv.DictReader(io.StringIO(r.text)))
    assert json.loads(row["actors"]) and json.loads(row["evidence"])[0]["sentence"]


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/events",
        "/api/events/{event_id}",
        "/api/actors",
        "/api/actors/{actor_id}",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/actors/{actor_id}/merge",
    ):
        assert path in spec["paths"], path
    assert "/events/{event_id}" not in spec["paths"]  # pages are not API
    r = client.get("/docs")
    assert r.status_code == 200 and "/api/events" in r.text and "limit" in r.text


def test_unknown_api_path_and_method(client: TestClient) -> None:
    err(client, "/api/nothing", 404, "not_found")
    r = client.delete("/api/events")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_no_cors_by_default(client: TestClient) -> None:
    r = client.get("/api/events", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}
    r = client.options(
        "/api/events",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}


# -- write endpoints --------------------------------------------------------------------------

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def write_db(tmp_path_factory: pytest.TempPathFactory, analyser: object) -> str:
    return build_store(tmp_path_factory.mktemp("write"), ARTICLES, analyser)


def test_writes_refused_when_read_only(client: TestClient) -> None:
    for action, body in (
        ("merge", {"other": "RUS"}),
        ("split", {"alias": "x"}),
        ("alias", {"alias": "x"}),
        ("rename", {"name": "x"}),
    ):
        r = client.post(
            f"/api/actors/PRK/{action}", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "read_only"


def test_writes_need_the_token(write_db: str) -> None:
    from wirewatch.serve import create_app

    with TestClient(create_app(write_db, token=TOKEN, allow_write=True)) as c:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": TOKEN},
            {"Authorization": f"Basic {TOKEN}"},
        ):
            r = c.post("/api/actors/PRK/rename", json={"name": "DPRK"}, headers=headers)
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        r = c.post("/api/actors/PRK/rename", json={"name": "DPRK"}, headers=auth)
        assert r.status_code == 200, r.text
        assert r.json()["data"]["action"] == "rename" and r.json()["data"]["events"] > 0
        assert c.get("/api/actors/PRK").json()["data"]["name"] == "DPRK"
        r = c.post("/api/actors/PRK/alias", json={"alias": "Pyongyang regime"}, headers=auth)
        assert r.status_code == 200
        from wirewatch.store import Store

        recorded = [(x.action, x.actor_id, x.value) for x in Store.open(write_db).corrections()]
        assert recorded == [("rename", "PRK", "DPRK"), ("alias", "PRK", "Pyongyang regime")]
        r = c.post("/api/actors/NOPE/rename", json={"name": "x"}, headers=auth)
        assert r.status_code == 404
        r = c.post("/api/actors/PRK/merge", json={"other": "NOPE"}, headers=auth)
        assert r.status_code == 404
        r = c.post("/api/actors/PRK/rename", json={"title": "x"}, headers=auth)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_parameter"
        r = c.post("/api/actors/PRK/rename", content=b"not json", headers=auth)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_body"


def test_create_app_write_needs_token(serve_db: str) -> None:
    from wirewatch.serve import create_app

    with pytest.raises(ValueError):
        create_app(serve_db, allow_write=True)
