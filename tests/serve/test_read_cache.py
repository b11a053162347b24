"""The server's read cache: answers are reused while the ledger is unchanged and never after a
write, whichever process made it."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from wirewatch.engine import ingest
from wirewatch.serve import create_app
from wirewatch.store import Store
from wirewatch.store.records import ReadCache, event_records_for, event_records_json

from .conftest import ARTICLES, build_store

LATE = {
    "id": "t-late",
    "outlet": "Late Wire",
    "published": "2024-11-07T08:00:00+00:00",
    "title": "Canada sends aid",
    "text": "Canada sends aid\nCanada sent medical supplies to Ukraine on Thursday.\n",
}


def test_read_cache_keeps_one_version_and_a_bound() -> None:
    cache = ReadCache(records=2)
    cache.put("records", 3, {"a": 1, "b": 2})
    assert cache.get("records", 3, ["a", "b"]) == {"a": 1, "b": 2}
    assert cache.get("records", 4, ["a"]) == {}  # a newer ledger: nothing from before holds
    cache.put("records", 2, {"c": 3})  # read in an older snapshot: not kept
    assert cache.get("records", 3, ["c"]) == {}
    cache.get("records", 3, ["a"])  # a is now the most recently used
    cache.put("records", 3, {"d": 4})
    assert set(cache.get("records", 3, ["a", "b", "d"])) == {"a", "d"}
    cache.put("records", 5, {"e": 5})
    assert cache.get("records", 3, ["a"]) == {} and cache.get("records", 5, ["e"]) == {"e": 5}


def test_every_write_raises_the_ledger_version(tmp_path: Path, analyser: object) -> None:
    db = build_store(tmp_path, ARTICLES[:1], analyser)
    store = Store.open(db)
    before = store.ledger_version()
    with store.snapshot():
        assert store.ledger_version() == before  # reading is not writing
    with store.write():
        pass
    assert store.ledger_version() == before + 1


def test_records_are_reused_until_the_ledger_changes(tmp_path: Path, analyser: object) -> None:
    db = build_store(tmp_path, ARTICLES[:2], analyser)
    store = Store.open(db)
    store.read_cache = ReadCache()
    with store.snapshot():
        ids = [r["id"] for r in event_records_for(store, _all_ids(store))]
        first = event_records_json(store, ids[:1])[0]
    with store.snapshot():
        assert event_records_json(store, ids[:1])[0] is first
        # Decoded records are the caller's own: changing one does not change the cache.
        record = event_records_for(store, ids[:1])[0]
        assert record == json.loads(first)
        record["actors"].clear()
        assert event_records_for(store, ids[:1])[0] == json.loads(first)
    # Outside a snapshot the version and the rows could come from two states: no cache.
    assert event_records_json(store, ids[:1])[0] is not first
    with Store.open(db).write():  # another writer, as another process would be
        pass
    with store.snapshot():
        again = event_records_json(store, ids[:1])[0]
    assert again is not first and again == first
    # The cached form is the uncached record, encoded.
    assert json.loads(again) == event_records_for(Store.open(db), ids[:1])[0]


def test_the_api_sees_an_ingest_made_meanwhile(tmp_path: Path, analyser: object) -> None:
    db = build_store(tmp_path, ARTICLES[:2], analyser)
    with TestClient(create_app(db)) as client:
        before = client.get("/api/events").json()
        articles_before = client.get("/api/articles").json()["meta"]["total"]
        assert client.get("/api/events").json() == before  # the same answer from the cache
        corpus = tmp_path / "late.jsonl"
        corpus.write_text(json.dumps(LATE) + "\n", encoding="utf-8")
        summary = ingest([corpus], Store.open(db), analyser)  # type: ignore[arg-type]
        assert summary.events > 0
        after = client.get("/api/events").json()
        assert after["meta"]["total"] > before["meta"]["total"]
        assert any("t-late" in e["articles"] for e in after["data"])
        assert client.get("/api/articles").json()["meta"]["total"] == articles_before + 1
        assert client.get("/api/articles/t-late").status_code == 200


def _all_ids(store: Store) -> list[str]:
    from sqlalchemy import select

    from wirewatch.store.schema import events

    with store.connect() as conn:
        return [r.id for r in conn.execute(select(events.c.id).order_by(events.c.id))]


def test_whole_answers_are_kept_per_ledger_version(tmp_path: Path, analyser: object) -> None:
    db = build_store(tmp_path, ARTICLES[:2], analyser)
    app = create_app(db)
    store = app.state.store
    with TestClient(app) as client:
        first = client.get("/api/events?order=asc")
        version = store.ledger_version()
        key = ("response", "/api/events", b"order=asc")
        kept = store.read_cache.get("responses", version, [key])
        assert kept and kept[key][1] == first.content
        again = client.get("/api/events?order=asc")
        # The cached answer: the same bytes, and the security headers added on the way out.
        assert again.content == first.content
        assert again.headers["content-type"] == "application/json"
        assert again.headers["x-content-type-options"] == "nosniff"
        page = client.get("/")
        assert (
            client.get("/").headers["content-security-policy"]
            == page.headers["content-security-policy"]
        )
        # Not kept: another question, errors, streamed lists.
        assert client.get("/api/events?order=desc").content != first.content
        assert client.get("/api/events/ev-nothing").status_code == 404
        assert client.get("/api/events?format=csv").status_code == 200
        for path, query in [("/api/events/ev-nothing", b""), ("/api/events", b"format=csv")]:
            assert store.read_cache.get("responses", version, [("response", path, query)]) == {}
        with Store.open(db).write():  # another writer: what was kept no longer holds
            pass
        assert store.read_cache.get("responses", store.ledger_version(), [key]) == {}
        assert client.get("/api/events?order=asc").json() == first.json()
        assert store.read_cache.get("responses", store.ledger_version(), [key])


def test_the_version_probe_sees_each_commit(tmp_path: Path, analyser: object) -> None:
    db = build_store(tmp_path, ARTICLES[:1], analyser)
    store = Store.open(db)
    probe = store.version_probe()
    before = probe()
    assert before == store.ledger_version()
    with Store.open(db).write():  # another writer, as another process would be
        pass
    assert probe() == before + 1
