"""SIGKILL an ingest at random moments, re-run it, and compare with an uninterrupted run:
every article exactly once, no orphan rows, the same events."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

KILLS = 20
COUNTRIES = ["Chile", "Peru", "Norway", "Kenya", "Ghana", "Japan", "Poland", "Egypt", "Laos"]
VERBS = ["criticized", "praised", "met", "sanctioned", "threatened", "urged"]


def corpus(path, n=48):
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(n):
            a, b = rng.sample(COUNTRIES, 2)
            verb = rng.choice(VERBS)
            day = 1 + k % 27
            text = (
                f"Report {k}. {a} {verb} {b} on Monday, officials in {a} said. "
                f"The foreign ministry of {b} responded in a statement on day {day}."
            )
            published = f"2024-05-{day:02d}T09:00:00+00:00"
            fh.write(json.dumps({"id": f"c{k}", "text": text, "published": published}) + "\n")


def ingest_cmd(db, src):
    return [sys.executable, "-m", "wirewatch", "-q", "--db", str(db), "ingest", str(src),
            "--batch-size", "3"]  # fmt: skip


def snapshot(db):
    con = sqlite3.connect(db)
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        if "articles" not in tables:
            # Killed before the first migration committed: it must have left nothing behind.
            assert not tables, f"half a schema: {sorted(tables)}"
            return None
        out = {
            "articles": sorted(r[0] for r in con.execute("select id from articles")),
            "orphan_mentions": con.execute(
                "select count(*) from mentions m left join articles a on a.id = m.article_id "
                "where a.id is null"
            ).fetchone()[0],
            "orphan_actor_rows": con.execute(
                "select count(*) from mention_actors x left join mentions m on m.id = x.mention_id "
                "where m.id is null"
            ).fetchone()[0],
            "unlinked_mentions": con.execute(
                "select count(*) from mentions where event_id is null"
            ).fetchone()[0],
            "events": sorted(
                con.execute(
                    "select e.id, e.type, e.date_start, group_concat(m.id) from events e "
                    "join mentions m on m.event_id = e.id group by e.id order by e.id"
                ).fetchall()
            ),
        }
    finally:
        con.close()
    return out


def test_sigkill_at_random_moments_then_rerun(tmp_path):
    src = tmp_path / "in.jsonl"
    corpus(src)
    clean_db = tmp_path / "clean.db"
    subprocess.run(ingest_cmd(clean_db, src), check=True, timeout=600)
    expected = snapshot(clean_db)
    assert len(expected["articles"]) == 48 and expected["events"]

    duration = time.monotonic()
    subprocess.run(ingest_cmd(tmp_path / "timing.db", src), check=True, timeout=600)
    duration = time.monotonic() - duration

    rng = random.Random(11)
    killed = 0
    for trial in range(KILLS):
        # A moment within the run's own time. On a busy machine a run's time varies: one that
        # finishes before its moment shortens the estimate and is tried again, so every trial
        # really is a kill.
        for attempt in range(6):
            db = tmp_path / f"killed-{trial}-{attempt}.db"
            started = time.monotonic()
            proc = subprocess.Popen(ingest_cmd(db, src), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)  # fmt: skip
            moment = rng.uniform(0.1, 0.95) * duration
            while proc.poll() is None and time.monotonic() - started < moment:
                time.sleep(0.01)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=60)
                killed += 1
                break
            duration = min(duration, time.monotonic() - started)
        state = snapshot(db) if db.exists() else None
        if state is not None:
            assert state["orphan_mentions"] == 0 and state["orphan_actor_rows"] == 0
        subprocess.run(ingest_cmd(db, src), check=True, timeout=600)
        assert snapshot(db) == expected, f"trial {trial}"
    assert killed >= KILLS - 1, f"only {killed} of {KILLS} runs were still going when killed"
