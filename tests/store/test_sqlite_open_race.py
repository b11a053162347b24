"""Processes that open a new SQLite file at the same moment all get a connection.

Each wants the write lock to switch the file to WAL while the others hold a read lock; SQLite
answers one of them "database is locked" at once, without waiting (waiting could deadlock).
CI saw two ingests started together on a fresh store fail this way."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

from wirewatch.store import _sqlite_pragmas

ROUNDS = 25
PROCESSES = 3


def _open(path: str, start: Any, errors: Any) -> None:
    start.wait()
    try:
        conn = sqlite3.connect(path)
        _sqlite_pragmas(conn, None)
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            errors.put(f"journal mode {mode}")
        conn.close()
    except sqlite3.Error as exc:
        errors.put(str(exc))


def test_processes_opening_a_new_file_at_once_all_connect(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    for k in range(ROUNDS):
        path = str(tmp_path / f"new-{k}.db")
        start = ctx.Barrier(PROCESSES)
        procs = [ctx.Process(target=_open, args=(path, start, errors)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
            assert p.exitcode == 0
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
