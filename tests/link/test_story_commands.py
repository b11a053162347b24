"""`wirewatch stories` and `wirewatch timeline` as a user runs them, on short articles written
for this test: two situations, reported three times each, without publication dates."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

ARTICLES = {
    "harbour-1": "Dockworkers in Velmora walked off the job, halting container traffic at the "
    "harbour. The Velmora Dockworkers Union demands higher wages from the Velmora Port "
    "Authority.",
    "harbour-2": "The Velmora harbour strike went on as the Velmora Dockworkers Union rejected "
    "the wage offer of the Velmora Port Authority. Container ships queued outside.",
    "harbour-3": "The Velmora Port Authority met the Velmora Dockworkers Union to end the strike; "
    "cranes stood idle and container traffic stayed frozen at the harbour.",
    "drought-1": "Farmers in the Ostrava valley say the drought ruined the wheat harvest. The "
    "Ostrava Water Board said the reservoir fell to a record low.",
    "drought-2": "The Ostrava Water Board began water rationing after the reservoir dropped "
    "again; wheat farmers in the Ostrava valley asked for drought relief.",
    "drought-3": "The drought in the Ostrava valley deepened: the Ostrava Water Board said the "
    "reservoir is nearly empty, and the wheat harvest failed.",
}


def run(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "wirewatch", *args], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stories")
    src = folder / "articles.jsonl"
    src.write_text(
        "".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in ARTICLES.items()),
        encoding="utf-8",
    )
    path = folder / "stories.db"
    run("--db", str(path), "ingest", str(src))
    return str(path)


def test_stories_from_content_alone_with_their_actors(db):
    stories = [json.loads(x) for x in run("--db", db, "stories", "--format", "jsonl").splitlines()]
    groups = sorted(sorted(s["article_ids"]) for s in stories)
    assert groups == [[f"drought-{n}" for n in (1, 2, 3)], [f"harbour-{n}" for n in (1, 2, 3)]]
    for s in stories:
        assert s["title"] and s["articles"] == 3
        names = " ".join(a["name"] for a in s["actors"])
        assert ("Ostrava" in names) != ("Velmora" in names), names
        assert all(a["articles"] >= 1 and a["id"] for a in s["actors"])
    articles = [json.loads(x) for x in run("--db", db, "export", "articles").splitlines()]
    by_story = {s["id"]: set(s["article_ids"]) for s in stories}
    assert all(a["id"] in by_story[a["story"]] for a in articles)


def test_stories_table_is_readable(db):
    table = run("--db", db, "stories")
    assert "wirewatch stories" in table and "actors" in table
    assert "Ostrava" in table and "Port Authority" in table
    assert '"id"' not in table  # names, not JSON


def test_timeline_of_one_story_names_its_actors(db):
    stories = [json.loads(x) for x in run("--db", db, "stories", "--format", "jsonl").splitlines()]
    harbour = next(s for s in stories if "harbour-1" in s["article_ids"])
    out = run("--db", db, "timeline", "--story", harbour["id"])
    assert out.startswith(f"== {harbour['title']} [{harbour['id']}]")
    assert "actors:" in out and "Port Authority" in out
    lines = run("--db", db, "timeline", "--story", harbour["id"], "--format", "jsonl")
    for line in lines.splitlines():
        assert json.loads(line)["story"] == harbour["id"]
