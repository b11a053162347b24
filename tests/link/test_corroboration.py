"""Corroboration through the pipeline, on short reports written for this test: reports,
outlets, independent sources (one media group counts once; a syndicated copy is one more
outlet, not one more source) and the share of reports that only repeat a claim."""

from __future__ import annotations

import json

import pytest

from wirewatch.engine import ingest
from wirewatch.store import Store
from wirewatch.store.records import event_records

MEETING = (
    "The foreign ministers of Norway and Chile met in Oslo on Monday to discuss fishing quotas."
)
RECORDS = [
    # A wire report, and the same text run by a newspaper: a syndicated copy.
    {"id": "wire", "outlet": "Reuters", "text": MEETING},
    {"id": "copy", "outlet": "The Guardian", "text": MEETING},
    # Two titles of one media group, in their own words.
    {"id": "observer", "outlet": "The Observer",
     "text": "In Oslo on Monday, the foreign ministers of Chile and Norway met and talked about "
             "fishing quotas."},
    # Another outlet altogether.
    {"id": "bbc", "outlet": "BBC News",
     "text": "Norway's and Chile's foreign ministers met on Monday in Oslo; fishing quotas were "
             "on the table."},
]  # fmt: skip


@pytest.fixture(scope="module")
def events(tmp_path_factory, analyser):
    folder = tmp_path_factory.mktemp("corroboration")
    src = folder / "reports.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for r in RECORDS:
            fh.write(json.dumps({**r, "published": "2024-05-07T10:00:00+00:00"}) + "\n")
    store = Store.open(str(folder / "c.db"))
    ingest([src], store, analyser)
    return list(event_records(store))


def test_one_meeting_with_its_outlets_and_independent_sources(events):
    meetings = [e for e in events if e["type"] == "CONSULT" and "wire" in e["articles"]]
    assert len(meetings) == 1, [(e["type"], e["articles"]) for e in events]
    ev = meetings[0]
    assert sorted(ev["articles"]) == ["bbc", "observer", "wire"]  # the copy is no new report
    c = ev["corroboration"]
    assert c["reports"] == 3
    assert c["copies"] == 1
    assert c["outlets"] == 4  # Reuters, The Guardian (the copy), The Observer, BBC News
    assert c["independent"] == 3  # Reuters, Guardian Media Group, BBC
    assert c["claim_share"] == 0.0


def test_claim_share_counts_reports_that_only_repeat_a_named_claim():
    from types import SimpleNamespace

    from wirewatch.model import ActorMention, EventMention, Span
    from wirewatch.store.records import _corroboration

    agency = ActorMention("Border Agency", "Border Agency", "organization", None, "attribution",
                          Span(0, 13, "Border Agency"))  # fmt: skip

    def report(article, status, attributed=()):
        return EventMention(article=article, index=0, type="MOBILIZE", status=status,
                            sentence=Span(0, 1, "x"), trigger=Span(0, 1, "x"),
                            attributed_to=list(attributed))  # fmt: skip

    ms = [
        # A hedged headline and the claim with its source: this report only repeats it.
        (report("a", "claimed"), SimpleNamespace(outlet="Reuters")),
        (report("a", "claimed", [agency]), SimpleNamespace(outlet="Reuters")),
        # A report that saw it happen.
        (report("b", "occurred"), SimpleNamespace(outlet="BBC News")),
        # Hedged but with nobody named: not an attributed claim.
        (report("c", "claimed"), SimpleNamespace(outlet="AFP")),
    ]
    c = _corroboration(ms, {})
    assert (c["reports"], c["independent"]) == (3, 3)
    assert c["claim_share"] == 0.33


def test_an_event_actor_is_on_the_side_most_mentions_give_it():
    from wirewatch.store.records import one_side_per_actor

    actors = {
        ("PRK", "source"): {"id": "PRK", "role": "source"},
        ("RUS", "target"): {"id": "RUS", "role": "target"},
        ("RUS", "source"): {"id": "RUS", "role": "source"},
        ("PRK", "target"): {"id": "PRK", "role": "target"},
        ("IRN", "target"): {"id": "IRN", "role": "target"},
        ("IRN", "source"): {"id": "IRN", "role": "source"},
        ("UKR", "participant"): {"id": "UKR", "role": "participant"},
    }
    reports = {
        ("PRK", "source"): {"m1", "m2", "m3"}, ("PRK", "target"): {"m4"},
        ("RUS", "target"): {"m1", "m2"}, ("RUS", "source"): {"m4"},
        ("IRN", "target"): {"m1"}, ("IRN", "source"): {"m2"},  # a tie: the source
        ("UKR", "participant"): {"m1"},
    }  # fmt: skip
    kept = {(r["id"], r["role"]) for r in one_side_per_actor(actors, reports)}
    assert kept == {("PRK", "source"), ("RUS", "target"), ("IRN", "source"), ("UKR", "participant")}
