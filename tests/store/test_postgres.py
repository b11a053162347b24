"""The store against a real PostgreSQL server: migrations, and the same ledger as SQLite.

The server is started per session by the ``pg_server`` fixture (``tests/pg.py``); without the
server binaries these tests skip, except under CI, where they fail. ``analyser`` is the
session fixture of ``tests/conftest.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory

from wirewatch.analyse import Analyser
from wirewatch.engine import IngestSummary, ingest
from wirewatch.store import MIGRATIONS, Store
from wirewatch.store.records import article_records, event_records

# Three short articles written for this test; the third repeats the first word for word
# under another id, so the duplicate path runs too.
ARTICLES: list[dict[str, Any]] = [
    {
        "id": "pgtest-001",
        "url": "https://wire.example.org/2024/07/08/japan-philippines-talks",
        "title": "Japan and Philippine foreign ministers meet in Manila",
        "outlet": "Example Wire",
        "published": "2024-07-09T08:00:00+08:00",
        "language": "en",
        "text": (
            "Japanese Foreign Minister Yoko Kamikawa met Philippine Foreign Secretary "
            "Enrique Manalo in Manila on Monday.\n"
            "The two ministers signed an agreement that lets their troops train in each "
            "other's territory, officials said.\n"
            "China's foreign ministry accused the two countries on Tuesday of forming "
            "military blocs in the region."
        ),
    },
    {
        "id": "pgtest-002",
        "url": "https://post.example.net/2024/06/25/eu-russia-sanctions",
        "title": "EU adopts new sanctions on Russia",
        "outlet": "Example Post",
        "published": "2024-06-25T12:30:00+02:00",
        "language": "en",
        "text": (
            "The European Union imposed new sanctions on Russia in Luxembourg on Monday, "
            "banning the reloading of Russian liquefied natural gas in EU ports.\n"
            "Moscow threatened to retaliate against the bloc, a Kremlin spokesman said on "
            "Tuesday.\n"
            "Russia later blocked access to dozens of European media outlets."
        ),
    },
]
ARTICLES.append({**ARTICLES[0], "id": "pgtest-003", "outlet": "Example Mirror"})


@dataclass
class Ledgers:
    sqlite: Store
    postgres: Store
    corpus: Path
    sqlite_summary: IngestSummary
    postgres_summary: IngestSummary


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pg-corpus")
    path = folder / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ledgers(
    pg_url: str, corpus: Path, analyser: Analyser, tmp_path_factory: pytest.TempPathFactory
) -> Ledgers:
    """The same corpus ingested once into a SQLite file and once into PostgreSQL."""
    sqlite = Store.open(str(tmp_path_factory.mktemp("pg-sqlite") / "ledger.db"))
    postgres = Store.open(pg_url)
    return Ledgers(
        sqlite=sqlite,
        postgres=postgres,
        corpus=corpus,
        sqlite_summary=ingest([corpus], sqlite, analyser),
        postgres_summary=ingest([corpus], postgres, analyser),
    )


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The fields of an exported event that must not depend on the database."""
    return {
        "id": record["id"],
        "type": record["type"],
        "status": record["status"],
        "date": record["date"],
        "location": record["location"],
        "articles": record["articles"],
        "actors": sorted((a["id"], a["role"]) for a in record["actors"]),
    }


def test_open_migrates_to_head_and_reopen_is_a_no_op(fresh_pg_url: str) -> None:
    store = Store.open(fresh_pg_url)
    assert store.engine.dialect.name == "postgresql"
    assert head_revision() is not None
    assert store.schema_version() == head_revision()
    store.engine.dispose()

    again = Store.open(fresh_pg_url)  # already at head: nothing to upgrade, nothing fails
    assert again.schema_version() == head_revision()
    assert list(article_records(again)) == []
    again.engine.dispose()


def test_ingest_gives_the_same_events_as_sqlite(ledgers: Ledgers) -> None:
    assert ledgers.postgres_summary.as_dict() == ledgers.sqlite_summary.as_dict()
    assert ledgers.postgres_summary.failed == 0, ledgers.postgres_summary.errors
    assert ledgers.postgres_summary.new == 2
    assert ledgers.postgres_summary.duplicate == 1

    sqlite_events = [comparable(r) for r in event_records(ledgers.sqlite)]
    postgres_events = [comparable(r) for r in event_records(ledgers.postgres)]
    assert sqlite_events, "the test articles should yield events"
    assert postgres_events == sqlite_events

    # The whole export, as the CLI writes it, matches too.
    def dump(store: Store) -> list[str]:
        return [json.dumps(r, sort_keys=True, default=str) for r in event_records(store)]

    assert dump(ledgers.postgres) == dump(ledgers.sqlite)
    assert list(article_records(ledgers.postgres)) == list(article_records(ledgers.sqlite))


def test_reingest_adds_nothing(ledgers: Ledgers, analyser: Analyser) -> None:
    before_articles = list(article_records(ledgers.postgres))
    before_events = [comparable(r) for r in event_records(ledgers.postgres)]
    assert len(before_articles) == len(ARTICLES)

    summary = ingest([ledgers.corpus], ledgers.postgres, analyser)

    assert summary.new == 0
    assert summary.failed == 0
    assert list(article_records(ledgers.postgres)) == before_articles
    assert [comparable(r) for r in event_records(ledgers.postgres)] == before_events


def test_seeds_give_the_same_ledger_in_sqlite_and_postgresql(
    fresh_pg_url: str, tmp_path: Path, analyser: Analyser, seeds_path: Path
) -> None:
    pg = Store.open(fresh_pg_url)
    lite = Store.open(str(tmp_path / "seeds.db"))
    ingest([seeds_path], pg, analyser)
    ingest([seeds_path], lite, analyser)
    pg_events, lite_events = list(event_records(pg)), list(event_records(lite))
    assert pg_events and pg_events == lite_events
    assert list(article_records(pg)) == list(article_records(lite))


def test_the_version_probe_sees_each_commit(fresh_pg_url: str) -> None:
    """A server's cheap version check (its own DBAPI connection) on PostgreSQL, where a read
    opens a transaction: it must still see every writer's commit, not one old snapshot."""
    store = Store.open(fresh_pg_url)
    probe = store.version_probe()
    before = probe()
    assert before == store.ledger_version()
    with Store.open(fresh_pg_url).write():  # another writer, as another process would be
        pass
    assert probe() == before + 1
    with Store.open(fresh_pg_url).write():
        pass
    assert probe() == before + 2
    # As a server makes it (in its event loop): None until its own thread has connected.
    import time

    aside = store.version_probe(connect_now=False)
    deadline = time.monotonic() + 10
    while aside() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert aside() == before + 2


def test_incremental_relinks_give_the_full_ledger_in_postgresql(
    fresh_pg_url: str, tmp_path: Path, analyser: Analyser, seeds_path: Path, monkeypatch
) -> None:
    """The incremental path's queries (short-form and office-holder unions, the resumed
    merging pass, story ends) on PostgreSQL: the seed articles ingested a few at a time
    give the events and actors one full relink gives. Without the stories' background: the
    seeds are one region's news, and growing from 3 to 5 articles would regroup them in full."""
    from wirewatch.engine import relink
    from wirewatch.link import stories

    monkeypatch.setattr(stories, "BACKGROUND", 0.0)
    from wirewatch.store.records import actor_records

    records = [json.loads(x) for x in seeds_path.read_text("utf-8").splitlines() if x.strip()]
    head, tail = records[: len(records) * 2 // 3], records[len(records) * 2 // 3 :]
    pg = Store.open(fresh_pg_url)
    modes = []
    for n, batch in enumerate([head] + [tail[k : k + 2] for k in range(0, len(tail), 2)]):
        path = tmp_path / f"batch-{n}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in batch), encoding="utf-8")
        summary = ingest([path], pg, analyser)
        assert summary.relink is not None
        modes.append(summary.relink.mode)
    assert "incremental" in modes[1:], modes
    got = ([{k: v for k, v in e.items() if k not in ("id", "story")} for e in event_records(pg)],
           list(actor_records(pg)))  # fmt: skip
    relink(pg)
    want = ([{k: v for k, v in e.items() if k not in ("id", "story")} for e in event_records(pg)],
            list(actor_records(pg)))  # fmt: skip
    key = json.dumps
    assert sorted(map(key, got[0])) == sorted(map(key, want[0]))
    assert got[1] == want[1]
