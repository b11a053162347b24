"""Quality floors pinned a little under the measured benchmark scores (see bench/).
Lowering a floor needs a written reason in the commit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_timex_value_f1_floor(schema_dir):
    # schema_dir only makes the test skip with a message when ../shared is absent.
    proc = subprocess.run(
        # Quality only: the normaliser's speed share (limit 10%, measured 8.3-8.8%) is a bench
        # figure; as a test it failed the suite on CPU noise.
        [sys.executable, str(REPO / "bench" / "timex_bench.py"), "--check", "--no-speed"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_plover_coding_floor(schema_dir):
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "plover_bench.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_linking_floor(schema_dir):
    # Events and stories on MEANTIME (skips itself when the eval folder is absent).
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "linking_bench.py"), "--check", "--no-speed"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_event_date_floor(schema_dir):
    # Event dates against TimeBank's and MEANTIME's event-time links.
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "eventdate_bench.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
