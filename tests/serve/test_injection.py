"""SQL injection strings in every filter of every list, API and pages: the answer is a clean
result or a 4xx, never a 500, never more rows than an honest filter, and the store is intact."""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from wirewatch.serve import create_app

from .conftest import build_store

PAYLOADS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "x'); DROP TABLE events; --",
    '" OR ""="',
    "1; DELETE FROM articles",
    "%' OR '%'='",
    "\\' UNION SELECT id, text FROM articles --",
    "Korea' AND (SELECT count(*) FROM sqlite_master) > 0 --",
]

# Every text filter of every list: (path, parameter).
FILTERS = [
    ("/api/events", "actor"),
    ("/api/events", "type"),
    ("/api/events", "status"),
    ("/api/events", "since"),
    ("/api/events", "until"),
    ("/api/events", "story"),
    ("/api/events", "q"),
    ("/api/events", "order"),
    ("/api/actors", "kind"),
    ("/api/actors", "country"),
    ("/api/actors", "q"),
    ("/api/articles", "story"),
    ("/api/articles", "outlet"),
    ("/api/articles", "q"),
    ("/events", "actor"),
    ("/events", "type"),
    ("/events", "status"),
    ("/events", "q"),
    ("/events", "story"),
    ("/actors", "q"),
]
ONE_RECORD = ["/api/events/", "/api/actors/", "/api/articles/", "/api/stories/", "/events/",
              "/actors/", "/articles/", "/stories/"]  # fmt: skip

ARTICLE = {
    "id": "inj-1",
    "outlet": "Example Wire",
    "published": "2024-11-04T09:00:00+00:00",
    "title": "Chile and Peru hold talks",
    "text": "Chile and Peru hold talks\nChile and Peru held talks in Lima on Monday.\n"
    "Chile condemned Bolivia on Tuesday.",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, analyser: object) -> str:
    return build_store(tmp_path_factory.mktemp("inject"), [ARTICLE], analyser)


def counts(db: str) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("articles", "events", "mentions", "actors", "stories")
        }
    finally:
        con.close()


def test_injection_strings_in_every_filter(db: str) -> None:
    before = counts(db)
    assert before["events"] > 0
    with TestClient(create_app(db), raise_server_exceptions=False) as c:
        for path, param in FILTERS:
            for payload in PAYLOADS:
                r = c.get(f"{path}?{param}={quote(payload)}")
                assert r.status_code in (200, 400, 404, 422), (path, param, payload, r.text)
                if path.startswith("/api/"):
                    body = r.json()
                    if r.status_code == 200:
                        # No payload names a real actor, story, outlet or text: nothing matches.
                        assert body["meta"]["total"] == 0, (path, param, payload)
                    else:
                        assert set(body) == {"error"}, body
        for prefix in ONE_RECORD:
            for payload in PAYLOADS:
                r = c.get(prefix + quote(payload, safe=""))
                assert r.status_code in (400, 404, 422), (prefix, payload, r.status_code)
    assert counts(db) == before
