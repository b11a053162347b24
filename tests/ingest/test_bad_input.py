"""A corpus of broken inputs beside good ones, through the real CLI: no traceback, every
good record stored, every bad one named with its reason, a non-zero exit, a JSONL report."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

GOOD = [
    {"id": "ok-1", "published": "2024-02-05T10:00:00+01:00",
     "text": "Norway and Sweden held talks in Oslo on Friday."},
    {"id": "ok-2", "published": "2024-02-06T10:00:00+01:00",
     "text": "Finland criticized Russia over the border closure on Monday."},
]  # fmt: skip


def build_corpus(root):
    good = root / "good"
    good.mkdir(parents=True)
    (good / "a.jsonl").write_text(
        json.dumps(GOOD[0]) + "\n" + '{"id": "cut", "text": "half a rec' + "\n", encoding="utf-8"
    )
    (good / "b.json").write_text(json.dumps(GOOD[1]), encoding="utf-8")
    (good / "c.txt").write_text("Estonia expelled a Russian diplomat on Tuesday.\n")
    bad = root / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (bad / "empty.txt").write_text("")
    (bad / "types.jsonl").write_text(json.dumps({"id": 5, "text": ["not", "a", "string"]}) + "\n")
    (bad / "latin1.txt").write_bytes("Caf\xe9 in Z\xfcrich".encode("latin-1"))
    (bad / "nobody.html").write_text("<html><head><title>x</title></head></html>")
    (bad / "huge-line.txt").write_text("word " * 1_100_000)  # one 5.5 MB line
    os.symlink(bad / "missing.txt", bad / "dangling.txt")
    os.symlink(root, bad / "loop")  # a folder that contains itself
    with open(bad / "sparse.jsonl", "wb") as fh:  # 2 GB, almost no disk
        fh.truncate(2 * 1024**3)
    return root


def test_broken_inputs_beside_good_ones(tmp_path):
    root = build_corpus(tmp_path / "in")
    db, report = tmp_path / "x.db", tmp_path / "errors.jsonl"
    cmd = [sys.executable, "-m", "wirewatch", "--db", str(db), "ingest", str(root),
           "--errors", str(report), "--max-article-chars", "1000000"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [json.loads(x) for x in report.read_text().splitlines()]
    named = {e["source"].split("/in/")[-1]: e["code"] for e in errors}
    expected = {
        "good/a.jsonl:2": "E005", "bad/binary.txt": "E003", "bad/empty.txt": "E002",
        "bad/types.jsonl:1": "E009", "bad/latin1.txt": "E004", "bad/nobody.html": "E013",
        "bad/huge-line.txt": "E015", "bad/dangling.txt": "E012", "bad/loop": "E018",
        "bad/sparse.jsonl": "E011",
    }  # fmt: skip
    assert named == expected
    for e in errors:  # every line of the report names its reason
        assert e["message"].startswith(f"[{e['code']}]")
    ids = [
        json.loads(x)["id"]
        for x in subprocess.run(
            [sys.executable, "-m", "wirewatch", "--db", str(db), "export", "articles"],
            capture_output=True, text=True, check=True,
        ).stdout.splitlines()
    ]  # fmt: skip
    assert {"ok-1", "ok-2"} <= set(ids) and len(ids) == 3
