"""Full-text search (``q=``) with each database's own engine: stems, phrases, exclusions and
alternatives, on SQLite (FTS5) and PostgreSQL (tsvector), kept in step with re-ingests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from wirewatch.engine import ingest
from wirewatch.serve import create_app
from wirewatch.store import Store
from wirewatch.store.fts import fts5_query

ARTICLES = [
    {
        "id": "fts-1",
        "published": "2024-03-04T08:00:00+00:00",
        "text": "Norway condemns Chile over fishing rights.\n"
        "Norway and Chile held talks in Oslo on Monday.",
    },
    {
        "id": "fts-2",
        "published": "2024-03-05T08:00:00+00:00",
        "text": "Kenya accused Ghana of sheltering rebels on Tuesday.\n"
        "Ghana rejected the accusation in a statement on Wednesday.",
    },
]


def texts_of(client: TestClient, q: str) -> list[str]:
    r = client.get("/api/events", params={"q": q, "limit": 1000})
    assert r.status_code == 200, r.text
    return sorted(ev["sentence"] for e in r.json()["data"] for ev in e["evidence"])


def build(db: str, tmp_path: Path, analyser: object, records: list[dict]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    summary = ingest([src], Store.open(db), analyser)  # type: ignore[arg-type]
    assert summary.failed == 0


def check_search(db: str, tmp_path: Path, analyser: object) -> None:
    build(db, tmp_path, analyser, ARTICLES)
    with TestClient(create_app(db)) as c:
        # a stem finds the inflected word, in any case
        assert any("condemns" in s for s in texts_of(c, "CONDEMNED"))
        assert any("accused" in s for s in texts_of(c, "accuse"))
        # every word must occur; a phrase keeps its order
        assert texts_of(c, "Kenya rebels") and not texts_of(c, "Kenya Oslo")
        assert texts_of(c, '"held talks"') and not texts_of(c, '"talks held"')
        # exclusion and alternatives
        found = texts_of(c, "Ghana -statement")
        assert found and all("statement" not in s for s in found)
        either = texts_of(c, "Oslo or rebels")
        assert any("Oslo" in s for s in either) and any("rebels" in s for s in either)
        assert texts_of(c, "zzzunknownword") == []

    # A re-ingest with new text: the old words no longer find the article.
    changed = dict(ARTICLES[0], text="Norway praised Chile for its fisheries reform on Friday.")
    build(db, tmp_path, analyser, [changed])
    with TestClient(create_app(db)) as c:
        assert not any("Oslo" in s for s in texts_of(c, "Oslo"))
        assert any("praised" in s for s in texts_of(c, "praise"))


def test_search_sqlite(tmp_path: Path, analyser: object) -> None:
    db = str(tmp_path / "fts.db")
    check_search(db, tmp_path, analyser)
    # The index survives a VACUUM, which may renumber the mentions table's own rowids.
    store = Store.open(db)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("COMMIT")  # VACUUM cannot run inside the driver's transaction
        conn.exec_driver_sql("VACUUM")
    with TestClient(create_app(db)) as c:
        assert any("praised" in s for s in texts_of(c, "praise"))
    with store.engine.connect() as conn:
        indexed = conn.execute(text("select count(*) from mentions_fts")).scalar_one()
        stored = conn.execute(text("select count(*) from mentions")).scalar_one()
    assert indexed == stored


def test_search_postgres(tmp_path: Path, analyser: object, fresh_pg_url: str) -> None:
    check_search(fresh_pg_url, tmp_path, analyser)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("troops", '("troops")'),
        ('"joint statement" Seoul', '("joint statement" AND "Seoul")'),
        ("a or b", '("a") OR ("b")'),
        ("sanctions -oil", '(("sanctions")) NOT ("oil")'),
        ("' OR '1'='1", '("1 1")'),
        ("NEAR(a b) * ^col:x", '("NEAR a" AND "b" AND "col x")'),
        ("-only", None),
        ("!!! ***", None),
    ],
)
def test_fts5_query_quotes_every_word(query: str, expected: str | None) -> None:
    assert fts5_query(query) == expected
