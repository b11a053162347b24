"""`serve` answers while `ingest` writes: no errors and no torn reads, on SQLite (WAL) and on
PostgreSQL. A shorter run of bench/concurrency_bench.py (the bench runs 5 minutes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "concurrency_bench.py"


def run_bench(db: str, seconds: int = 25) -> dict:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--db", db, "--seconds", str(seconds), "--readers", "3"],
        capture_output=True,
        text=True,
        timeout=seconds + 300,
    )
    result = json.loads(proc.stdout)
    assert proc.returncode == 0, result
    return result


def check(result: dict) -> None:
    assert result["errors"] == 0 and result["torn_reads"] == 0, result["examples"]
    assert result["ingest_failures"] == 0, result["examples"]
    # Both sides really ran at once: several ingests and many reads.
    assert result["ingests"] >= 2 and result["requests"] >= 200, result


def test_serve_while_ingesting_sqlite(tmp_path):
    check(run_bench(str(tmp_path / "ledger.db")))


def test_serve_while_ingesting_postgres(fresh_pg_url):
    check(run_bench(fresh_pg_url))
