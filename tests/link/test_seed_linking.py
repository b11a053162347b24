"""Linking on the five seed articles (../shared/corpus): one event from many reports, its
status history and corroboration, distinct events that look alike, stories, and ids that
stay put when an article is added or the same input is ingested again. Skipped with a
message when ../shared is absent."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from wirewatch.engine import ingest
from wirewatch.store import Store
from wirewatch.store.records import article_records, event_records, story_records
from wirewatch.store.schema import mentions

pytestmark = pytest.mark.seeds

US_TEAM = {"person:cho-taeyul", "person:kim-yonghyun", "person:anthony-blinken",
           "person:austin-lloyd"}  # fmt: skip


def _open(tmp_path_factory, name: str, path, analyser) -> Store:
    store = Store.open(str(tmp_path_factory.mktemp(name) / "seeds.db"))
    summary = ingest([path], store, analyser)
    assert summary.failed == 0
    return store


@pytest.fixture(scope="module")
def seeds(seeds_path):
    return [json.loads(line) for line in seeds_path.read_text("utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def full(tmp_path_factory, seeds_path, analyser):
    return _open(tmp_path_factory, "full", seeds_path, analyser)


def _ids(event, role="participant"):
    return {a["id"] for a in event["actors"] if a["role"] == role}


def _links(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    """mention id -> event id, article id -> story id."""
    with store.engine.connect() as conn:
        events = dict(conn.execute(select(mentions.c.id, mentions.c.event_id)).all())
    stories = {a["id"]: a["story"] for a in article_records(store)}
    return events, stories


def test_us_two_plus_two_is_one_event_with_its_history_and_sources(full):
    events = list(event_records(full))
    matches = [e for e in events if e["type"] == "CONSULT" and _ids(e) >= US_TEAM]
    assert len(matches) == 1, [(e["id"], e["date"], e["articles"]) for e in matches]
    ev = matches[0]
    assert sorted(ev["articles"]) == ["seed-002", "seed-003", "seed-004"]
    assert ev["status"] == "occurred"
    by_article = {}
    for h in ev["status_history"]:
        by_article.setdefault(h["article"], set()).add(h["status"])
    assert "planned" in by_article["seed-002"]  # previewed on Monday
    assert by_article["seed-004"] == {"occurred"}  # the joint statement after it was held
    c = ev["corroboration"]
    assert (c["reports"], c["outlets"], c["independent"]) == (3, 3, 3)


def test_uk_dialogue_statement_and_planned_two_plus_two_are_three_events(full):
    events = list(event_records(full))
    uk = [e for e in events if {"KOR", "GBR"} <= _ids(e) | _ids(e, "source")]
    dialogue = [e for e in uk if e["label"] == "strategic dialogue"]
    planned = [e for e in uk if e["label"] == "2+2" and e["status"] == "planned"]
    statement = [e for e in uk if e["type"] == "ACCUSE" and "PRK" in _ids(e, "target")]
    assert len(dialogue) == len(planned) == len(statement) == 1, (dialogue, planned, statement)
    assert len({dialogue[0]["id"], planned[0]["id"], statement[0]["id"]}) == 3
    assert dialogue[0]["date"] == {"start": "2024-10-21", "end": "2024-10-21"}
    assert planned[0]["date"]["start"] >= "2025-01-01"
    # Reported by The Korea Herald and Herald Economy: two outlets of one media group.
    c = planned[0]["corroboration"]
    assert c["outlets"] == 2 and c["independent"] == 1


def test_no_event_listed_twice_and_every_mention_in_one_event(full):
    events = list(event_records(full))
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids))
    mention_events, _ = _links(full)
    assert all(mention_events.values())
    keys = [(r["article"], r["trigger"]["start"]) for e in events for r in e["evidence"]]
    assert len(keys) == len(set(keys)) == len(mention_events)


def test_every_article_has_a_story_and_the_two_plus_two_reports_share_one(full):
    stories = {s["id"]: s for s in story_records(full)}
    _, article_story = _links(full)
    assert set(article_story.values()) <= set(stories)
    assert all(article_story.values())
    assert len({article_story[a] for a in ("seed-002", "seed-003", "seed-004")}) == 1
    story = stories[article_story["seed-004"]]
    assert story["title"] and story["articles"] >= 3


def test_one_more_article_keeps_the_other_ids(tmp_path_factory, seeds, analyser, full):
    first = tmp_path_factory.mktemp("first") / "first.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in seeds if r["id"] != "seed-004"))
    store = _open(tmp_path_factory, "incremental", first, analyser)
    before_events, before_stories = _links(store)
    (last := first.with_name("last.jsonl")).write_text(
        "".join(json.dumps(r) + "\n" for r in seeds if r["id"] == "seed-004")
    )
    ingest([last], store, analyser)
    after_events, after_stories = _links(store)
    # The events seed-004 reports gain it; every other event keeps its id and its mentions.
    moved = {m for m in before_events if after_events[m] != before_events[m]}
    assert not moved, sorted(moved)
    assert {a: after_stories[a] for a in before_stories} == before_stories
    # the meeting (the team's agreements at it are events of their own types)
    two_plus_two = [
        e for e in event_records(store) if e["type"] == "CONSULT" and _ids(e) >= US_TEAM
    ]
    assert len(two_plus_two) == 1 and "seed-004" in two_plus_two[0]["articles"]
    # And the result is the one a single run over all five gives.
    assert after_events == _links(full)[0]


def test_the_same_input_twice_gives_the_same_ids(tmp_path_factory, seeds_path, analyser, full):
    again = _open(tmp_path_factory, "again", seeds_path, analyser)
    assert _links(again) == _links(full)
    assert [s["id"] for s in story_records(again)] == [s["id"] for s in story_records(full)]
