"""Briefings from a story, an actor or a date range, in Markdown and HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wirewatch.report import ReportError, build_briefing, to_html, to_markdown
from wirewatch.store import Store

ARTICLES = [
    {
        "id": "r-001",
        "outlet": "Example Wire",
        "published": "2024-11-04T09:00:00+00:00",
        "title": "Seoul and Washington to hold talks",
        "text": "South Korea and the United States will hold a 2+2 meeting in Washington on "
        "Thursday.\nNorth Korea deployed troops to Russia on Monday, South Korea's spy "
        "agency claimed.",
    },
    {
        "id": "r-002",
        "outlet": "Other <i>Daily</i>",
        "published": "2024-11-08T09:00:00+00:00",
        "title": "Talks held *today*",
        "text": "South Korea and the United States held a 2+2 meeting in Washington on Thursday "
        "<script>alert(1)</script>.\nJapan condemned China on Wednesday.",
    },
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, analyser: object) -> Store:
    from wirewatch.engine import ingest

    path = tmp_path_factory.mktemp("report")
    corpus = path / "c.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    s = Store.open(str(path / "r.db"))
    ingest([corpus], s, analyser)  # type: ignore[arg-type]
    return s


def test_actor_briefing(store: Store) -> None:
    b = build_briefing(store, actor="United States")
    assert b.title == "United States"
    assert b.events and all(
        "USA" in {a["id"] for a in e["actors"] + e["attributed_to"]} for e in b.events
    )
    talks = [e for e in b.key_events if e.get("label") == "2+2"]
    assert talks and set(talks[0]["articles"]) == {"r-001", "r-002"}
    md = to_markdown(b)
    assert md.startswith("# United States")
    for heading in (
        "## Key events",
        "## Planned and announced",
        "## Open claims",
        "## Contradictions",
    ):
        assert heading in md
    assert "r-001" in md and "r-002" in md and "Example Wire" in md
    assert "<script>" not in md and "\\<script\\>" in md  # article text cannot inject HTML
    assert "Other \\<i\\>Daily\\</i\\>" in md


def test_story_and_range_briefings(store: Store) -> None:
    story = next(iter(store_story_ids(store)))
    b = build_briefing(store, story=story)
    assert b.events and all(e["story"] == story for e in b.events)
    r = build_briefing(store, since="2024-11-06", until="2024-11-06")
    assert r.title == "Events 2024-11-06 to 2024-11-06"
    assert all(
        e["date"] and e["date"]["start"] <= "2024-11-06" <= e["date"]["end"] for e in r.events
    )


def store_story_ids(store: Store) -> list[str]:
    from wirewatch.store.records import story_records

    return [s["id"] for s in story_records(store)]


def test_open_claims(store: Store) -> None:
    b = build_briefing(store, actor="PRK")
    for e in b.open_claims:
        assert e["status"] in ("claimed", "denied") or e["corroboration"]["claim_share"] >= 0.5


def test_html_is_escaped(store: Store) -> None:
    page = to_html(build_briefing(store, actor="USA"))
    assert page.startswith("<!doctype html>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<i>Daily" not in page and "Content-Security-Policy" in page


def test_errors(store: Store) -> None:
    with pytest.raises(ReportError):
        build_briefing(store)
    with pytest.raises(ReportError, match="no story"):
        build_briefing(store, story="st-none")
    with pytest.raises(ReportError, match="no actor"):
        build_briefing(store, actor="Nobody Atall")
    with pytest.raises(ReportError, match="not a date"):
        build_briefing(store, since="last week")
    with pytest.raises(ReportError, match="after"):
        build_briefing(store, since="2024-12-01", until="2024-01-01")


def test_cli(store: Store, tmp_path: Path) -> None:
    from wirewatch.cli import cli
    from wirewatch.cli.serve import report_cmd

    if "report" not in cli.commands:
        cli.add_command(report_cmd)
    db = str(store.engine.url.database)
    runner = CliRunner()
    r = runner.invoke(cli, ["--db", db, "report", "--actor", "USA"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("# United States")
    out = tmp_path / "b.html"
    r = runner.invoke(
        cli, ["--db", db, "report", "--since", "2024-11-01", "--format", "html", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("<!doctype html>")
    r = runner.invoke(cli, ["--db", db, "report"])
    assert r.exit_code == 2 and "--story" in r.output
    r = runner.invoke(cli, ["--db", db, "report", "--actor", "Nobody Atall"])
    assert r.exit_code == 1 and "no actor" in r.output
