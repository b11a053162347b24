"""Two ingests writing one store at the same time, on SQLite and PostgreSQL: both succeed, every
article is stored once, no mention is left unlinked, and the ledger equals a one-by-one run."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from wirewatch.store import Store
from wirewatch.store.records import event_records
from wirewatch.store.schema import articles, mentions

pytestmark = pytest.mark.slow

NAMES = ["Chile", "Peru", "Norway", "Kenya", "Ghana", "Japan", "Poland", "Egypt"]
VERBS = ["criticized", "praised", "met", "threatened", "urged", "accused"]


def corpus(path: Path, prefix: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(n):
            a, b = rng.sample(NAMES, 2)
            text = (
                f"{a} {rng.choice(VERBS)} {b} on Monday, officials in {a} said in note {prefix}{k}."
            )
            day = 1 + k % 27
            published = f"2024-05-{day:02d}T09:00:00+00:00"
            fh.write(json.dumps({"id": f"{prefix}{k}", "text": text, "published": published}))
            fh.write("\n")


def cmd(db: str, src: Path) -> list[str]:
    return [sys.executable, "-m", "wirewatch", "-q", "--db", db, "ingest", str(src),
            "--batch-size", "2"]  # fmt: skip


def ledger(db: str) -> tuple[int, int, list[tuple]]:
    store = Store.open(db)
    with store.connect() as conn:
        n_articles = conn.execute(select(func.count()).select_from(articles)).scalar_one()
        unlinked = conn.execute(
            select(func.count()).select_from(mentions).where(mentions.c.event_id.is_(None))
        ).scalar_one()
    # Ids depend on the order articles arrived in (they are kept stable as a store grows);
    # what each event is, and which reports it has, must not.
    events = sorted((e["type"], tuple(sorted(e["articles"]))) for e in event_records(store))
    return n_articles, unlinked, events


def run_at_once(db: str, one: Path, two: Path) -> None:
    procs = [
        subprocess.Popen(cmd(db, src), stderr=subprocess.PIPE, text=True) for src in (one, two)
    ]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err


def check(db_at_once: str, db_in_turn: str, tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    corpus(one, "a", 24, 1)
    corpus(two, "b", 24, 2)
    run_at_once(db_at_once, one, two)
    for src in (one, two):
        subprocess.run(cmd(db_in_turn, src), check=True, timeout=600)
    got, expected = ledger(db_at_once), ledger(db_in_turn)
    assert got[0] == 48 and got[1] == 0
    assert got[2] == expected[2]


def check_same_text(db: str, tmp_path: Path) -> None:
    # The same texts under other ids in both inputs: each is stored once as an original and
    # once as its duplicate, however the two ingests interleave.
    one, two = tmp_path / "same-a.jsonl", tmp_path / "same-b.jsonl"
    corpus(one, "x", 16, 3)
    lines = one.read_text(encoding="utf-8").splitlines()
    two.write_text("".join(line.replace('"id": "x', '"id": "y') + "\n" for line in lines), "utf-8")
    run_at_once(db, one, two)
    store = Store.open(db)
    with store.connect() as conn:
        rows = conn.execute(select(articles.c.id, articles.c.duplicate_of)).all()
    assert len(rows) == 32
    originals = {r.id for r in rows if r.duplicate_of is None}
    assert len(originals) == 16, sorted(originals)
    assert all(r.duplicate_of in originals for r in rows if r.duplicate_of is not None)
    assert {a for e in event_records(store) for a in e["articles"]} <= originals


def test_two_writers_sqlite(tmp_path: Path) -> None:
    check(str(tmp_path / "at-once.db"), str(tmp_path / "in-turn.db"), tmp_path)


def test_two_writers_postgres(tmp_path: Path, pg_server) -> None:
    check(pg_server.create_database("writers_at_once"),
          pg_server.create_database("writers_in_turn"), tmp_path)  # fmt: skip


def test_two_writers_same_text_sqlite(tmp_path: Path) -> None:
    check_same_text(str(tmp_path / "same.db"), tmp_path)


def test_two_writers_same_text_postgres(tmp_path: Path, pg_server) -> None:
    check_same_text(pg_server.create_database("writers_same_text"), tmp_path)
