"""The command line as a user runs it: real processes, a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample"

pytestmark = pytest.mark.slow


def run(*args, check=True, **kw):
    proc = subprocess.run(
        [sys.executable, "-m", "wirewatch", *args], capture_output=True, text=True, **kw
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "sample.db"
    proc = run("--db", str(db), "ingest", str(SAMPLE))
    assert "failed" in proc.stderr and " 0 failed" in proc.stderr
    assert proc.stdout == ""  # data only on stdout, and ingest prints no data
    return db


def test_sample_ingest_and_timeline(sample_db):
    out = run("--db", str(sample_db), "events").stdout
    assert "wirewatch events" in out
    assert "CONSULT" in out


def test_export_formats(sample_db, tmp_path):
    jsonl = run("--db", str(sample_db), "export", "events", "--format", "jsonl").stdout
    events = [json.loads(line) for line in jsonl.splitlines()]
    assert events and all(e["evidence"] for e in events)
    rows = list(csv.DictReader(io.StringIO(
        run("--db", str(sample_db), "export", "actors", "--format", "csv").stdout
    )))  # fmt: skip
    assert rows and {"id", "name", "kind", "country", "aliases"} <= set(rows[0])
    out = tmp_path / "articles.parquet"
    run("--db", str(sample_db), "export", "articles", "--format", "parquet", "-o", str(out))
    table = pq.read_table(out)
    assert table.num_rows >= 9 and "duplicate_of" in table.column_names


def test_events_filters(sample_db):
    all_events = run("--db", str(sample_db), "events", "--format", "jsonl").stdout.splitlines()
    consult = run("--db", str(sample_db), "events", "--type", "CONSULT", "--format", "jsonl").stdout
    assert 0 < len(consult.splitlines()) < len(all_events)
    assert all(json.loads(x)["type"] == "CONSULT" for x in consult.splitlines())
    since = run("--db", str(sample_db), "events", "--since", "2024-07-01", "--format", "jsonl")
    for line in since.stdout.splitlines():
        assert json.loads(line)["date"]["end"] >= "2024-07-01"
    bad = run("--db", str(sample_db), "events", "--since", "July", check=False)
    assert bad.returncode == 2 and "E030" in bad.stderr and "Traceback" not in bad.stderr


def test_exports_match_the_contract_schemas(sample_db, schema_dir):
    jsonschema = pytest.importorskip("jsonschema")
    for what in ("events", "actors", "articles"):
        schema = json.loads((schema_dir / f"{what}.schema.json").read_text())
        lines = run("--db", str(sample_db), "export", what).stdout.splitlines()
        assert lines
        for line in lines:
            jsonschema.validate(json.loads(line), schema)


def test_extract_without_storing(tmp_path, schema_dir):
    jsonschema = pytest.importorskip("jsonschema")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({
        "id": "x1", "published": "2024-04-02T08:00:00+00:00",
        "text": "Peru condemned Ecuador on Monday after the embassy raid in Quito.",
    }) + "\n", encoding="utf-8")  # fmt: skip
    proc = run("--db", str(tmp_path / "never.db"), "extract", str(src))
    records = [json.loads(x) for x in proc.stdout.splitlines()]
    schema = json.loads((schema_dir / "extract.schema.json").read_text())
    for r in records:
        jsonschema.validate(r, schema)
    accuse = [r for r in records if r["type"] == "ACCUSE"]
    assert accuse and accuse[0]["article"] == "x1" and accuse[0]["date"]["start"] == "2024-04-01"
    assert not (tmp_path / "never.db").exists()


def test_bad_input_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.jsonl").write_text(
        json.dumps({"id": "g1", "text": "Norway and Sweden held talks in Oslo on Friday.",
                    "published": "2024-02-05T10:00:00+01:00"}) + "\n{oops\n",
        encoding="utf-8",
    )  # fmt: skip
    (folder / "good2.txt").write_text("Finland criticized Russia on Sunday.\n", encoding="utf-8")
    (folder / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (folder / "empty.json").write_text("")
    (folder / "cp1252.txt").write_bytes(b"Caf\xe9 \x93quoted\x94 talks")
    db = tmp_path / "bad.db"
    proc = run("--db", str(db), "ingest", str(folder), "--errors", str(tmp_path / "err.jsonl"),
               check=False)  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    for name in ("good.jsonl:2", "image.html", "empty.json", "cp1252.txt"):
        assert name in proc.stderr
    assert "2 new" in proc.stderr and "4 failed" in proc.stderr
    errors = [json.loads(x) for x in (tmp_path / "err.jsonl").read_text().splitlines()]
    assert {e["code"] for e in errors} == {"E005", "E003", "E002", "E004"}
    ids = [
        json.loads(x)["id"] for x in run("--db", str(db), "export", "articles").stdout.splitlines()
    ]
    assert "g1" in ids and len(ids) == 2


def test_db_url_and_env(tmp_path):
    url = f"sqlite:///{tmp_path / 'viaurl.db'}"
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "u1", "text": "Chile praised Peru."}) + "\n")
    run("--db", url, "ingest", str(src))
    assert (tmp_path / "viaurl.db").exists()
    import os

    env = {**os.environ, "WIREWATCH_DB": str(tmp_path / "env.db")}
    run("ingest", str(src), env=env)
    assert (tmp_path / "env.db").exists()
    bad = run("--db", "nosuchdialect://x", "events", check=False)
    assert bad.returncode == 2 and "E020" in bad.stderr and "Traceback" not in bad.stderr


def test_stories_timeline_and_story_field(sample_db):
    stories = [
        json.loads(x)
        for x in run("--db", str(sample_db), "stories", "--format", "jsonl").stdout.splitlines()
    ]
    assert stories and all(s["article_ids"] for s in stories)
    articles = [
        json.loads(x) for x in run("--db", str(sample_db), "export", "articles").stdout.splitlines()
    ]
    assert {a["story"] for a in articles} <= {s["id"] for s in stories} | {None}
    assert all(a["story"] for a in articles if not a["duplicate_of"])
    out = run("--db", str(sample_db), "timeline", "--story", stories[0]["id"]).stdout
    assert out.startswith("== ") and "report(s)" in out
    events = [
        json.loads(x) for x in run("--db", str(sample_db), "export", "events").stdout.splitlines()
    ]
    for e in events:
        c = e["corroboration"]
        assert 1 <= c["independent"] <= c["outlets"] <= c["reports"]
        assert c["reports"] == len(e["articles"])


def test_actor_corrections_survive_reingest(tmp_path):
    src = tmp_path / "a.jsonl"
    records = [
        {"id": "p1", "published": "2024-03-04T08:00:00+00:00",
         "text": "Chilean Foreign Minister Alberto van Klaveren met Diana Mondino in Lima."},
        {"id": "p2", "published": "2024-03-05T08:00:00+00:00",
         "text": "Argentine minister D. Mondino criticized Chile on Monday."},
    ]  # fmt: skip
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = str(tmp_path / "c.db")
    run("--db", db, "ingest", str(src))
    people = [
        json.loads(x)
        for x in run(
            "--db", db, "actors", "--kind", "person", "--format", "jsonl"
        ).stdout.splitlines()
    ]
    ids = {p["name"]: p["id"] for p in people}
    assert ids["Diana Mondino"] != ids.get("D. Mondino", ids["Diana Mondino"] + "?")
    run("--db", db, "actors", "merge", ids["Diana Mondino"], ids["D. Mondino"])
    run("--db", db, "actors", "rename", ids["Diana Mondino"], "Diana Elena Mondino")
    shown = run("--db", db, "actors", "show", ids["Diana Mondino"]).stdout
    assert "Diana Elena Mondino" in shown and "user merge" in shown
    run("--db", db, "ingest", str(src))  # re-run: nothing new, corrections still hold
    again = [json.loads(x) for x in run("--db", db, "export", "actors").stdout.splitlines()]
    mondino = [a for a in again if a["id"] == ids["Diana Mondino"]]
    assert mondino and mondino[0]["name"] == "Diana Elena Mondino"
    assert "D. Mondino" in mondino[0]["aliases"]
    assert ids["D. Mondino"] not in {a["id"] for a in again}


def test_ingest_urls_and_feeds_from_a_local_server(tmp_path):
    import http.server
    import threading

    page = (
        "<html><head><title>Talks in Lima</title></head><body><article><h1>Talks in Lima</h1>"
        "<p>Chile and Peru held talks in Lima on Monday about the maritime border, officials "
        "from both foreign ministries said after the meeting ended late in the evening.</p>"
        "</article></body></html>"
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Andes Wire</title>'
        "<item><title>Bolivia protests</title><guid>b1</guid>"
        "<pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate><description>Bolivia protested "
        "to Chile on Tuesday over water rights, the foreign ministry in La Paz said."
        "</description></item></channel></rss>"
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            routes = {
                "/page.html": (page, "text/html"),
                "/feed.xml": (feed, "application/rss+xml"),
                "/robots.txt": ("", "text/plain"),
            }
            body, kind = routes.get(self.path, ("", "text/plain"))
            self.send_response(200 if body or self.path == "/robots.txt" else 404)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        db = str(tmp_path / "web.db")
        refused = run("--db", db, "ingest", f"{base}/page.html", check=False)
        assert refused.returncode == 1 and "E019" in refused.stderr and "loopback" in refused.stderr
        run("--db", db, "ingest", f"{base}/page.html", "--feed", f"{base}/feed.xml",
            "--allow-private")  # fmt: skip
        arts = [json.loads(x) for x in run("--db", db, "export", "articles").stdout.splitlines()]
        assert {a["title"] for a in arts} >= {"Talks in Lima", "Bolivia protests"}
        again = run("--db", db, "ingest", "--feed", f"{base}/feed.xml", "--allow-private")
        assert "0 new" in again.stderr  # the feed item was remembered
    finally:
        server.shutdown()


def test_events_text_search(sample_db):
    everything = run("--db", str(sample_db), "events", "--format", "jsonl").stdout.splitlines()
    word = "agreement"
    found = [json.loads(line) for line in run(
        "--db", str(sample_db), "events", "--text", word, "--format", "jsonl"
    ).stdout.splitlines()]  # fmt: skip
    assert found and len(found) < len(everything)
    for event in found:
        assert any(word in (ev["sentence"] + " " + (event["label"] or "")).lower()
                   for ev in event["evidence"])  # fmt: skip


def test_an_event_told_after_a_dated_one_is_approximated_by_the_story_day(tmp_path):
    src = tmp_path / "story.jsonl"
    src.write_text(json.dumps({
        "id": "s1", "published": "2024-06-12T08:00:00+00:00",
        "text": "Israeli troops raided the Jenin refugee camp on Sunday.\n"
                "Palestinian gunmen fired at Israeli soldiers in the camp.",
    }) + "\n", encoding="utf-8")  # fmt: skip
    db = tmp_path / "s.db"
    run("--db", str(db), "ingest", str(src))
    events = [json.loads(x) for x in run("--db", str(db), "export", "events").stdout.splitlines()]
    undated = [e for e in events if e["date"] is None]
    assert undated, events
    approx = undated[0]["date_approximate"]
    # still undated; the approximation names the day it rests on and where it was read
    assert (approx["start"], approx["end"], approx["basis"]) == (
        "2024-06-09", "2024-06-09", "story_date"
    )  # fmt: skip
    assert [(e["article"], e["text"]) for e in approx["evidence"]] == [("s1", "Sunday")]
    table = run("--db", str(db), "events").stdout
    assert "≈ 2024-06-09" in table


def test_undated_events_carry_a_marked_approximation(tmp_path):
    src = tmp_path / "undated.jsonl"
    src.write_text(json.dumps({
        "id": "u1", "published": "2024-06-12T08:00:00+00:00",
        "text": "Peru condemned Chile over the border incident.\n"
                "Peru and Chile will hold talks soon.",
    }) + "\n", encoding="utf-8")  # fmt: skip
    db = tmp_path / "u.db"
    run("--db", str(db), "ingest", str(src))
    events = [json.loads(x) for x in run("--db", str(db), "export", "events").stdout.splitlines()]
    past = [e for e in events if e["status"] == "occurred" and e["date"] is None]
    assert past, events
    # date stays null (nothing in the text dates it); the approximation says what it rests on
    assert past[0]["date_approximate"] == {
        "start": "2024-06-05", "end": "2024-06-12", "basis": "first_report"
    }  # fmt: skip
    # nothing is guessed for what is only planned
    assert all(e["date_approximate"] is None for e in events if e["status"] == "planned")
