"""Incremental linking stays incremental where only the new articles' neighbourhood changes,
and still gives what a full relink gives: a batch of articles with short forms beside a
short form the store pairs with many long names; an office holder seen again later with the
titles he holds; a backdated report in a store whose later reports it cannot reach; a short
form whose pick changes, so that stored names join or leave its union and change actor
(their actors, events and stories are rewritten). And it falls back where a stored name
changes in a way it does not follow (two offices held at once split a name, an office
holder becomes the better attested), or would rewrite more stored names than MAX_RESTORE.
The analyses are written here (made-up names, no model), saved to a real SQLite store, and
relinked incrementally beside a full relink of the same articles."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import pytest

from wirewatch.engine import relink
from wirewatch.link import incremental
from wirewatch.link.incremental import IncrementReport
from wirewatch.model import ActorMention, Article, EventMention, Span
from wirewatch.store import Store
from wirewatch.store.records import actor_records, event_records, story_records


@pytest.fixture(autouse=True)
def _no_background(monkeypatch):
    """These stores are made from a few templates, so any two articles are alike (backgrounds
    0.18 to 0.36): their background would regroup them in full at every stories.REGROUP of
    growth, where these tests check the incremental paths of actors and events."""
    from wirewatch.link import stories

    monkeypatch.setattr(stories, "BACKGROUND", 0.0)


DAY0 = datetime.fromisoformat("2024-01-01T09:00:00+00:00")


def _actor(name: str, kind: str, role: str, title: str | None = None,
           country: str | None = None) -> ActorMention:  # fmt: skip
    surface = f"{title} {name}" if title else name
    return ActorMention(name=name, surface=surface, kind=kind, country=country, role=role,
                        span=Span(0, len(surface), surface), title=title)  # fmt: skip


def _article(aid: str, day: int, names: list[ActorMention], event: str | None = "CONSULT"):
    """An article naming these actors; with ``event``, one event mention between the first
    two of them (so events merge across articles that share actors and days)."""
    published = DAY0 + timedelta(days=day)
    text = ". ".join(n.surface for n in names) + "."
    mentions = []
    if event:
        a, b = (json.loads(json.dumps(x.__dict__, default=lambda s: s.__dict__))
                for x in names[:2])  # fmt: skip
        a["role"], b["role"] = "source", "target"
        m = EventMention(aid, 0, event, "occurred", Span(0, len(text), text), Span(0, 4, "met"),
                         published=published.isoformat())  # fmt: skip
        m.actors = [_actor(a["name"], a["kind"], "source", a["title"], a["country"]),
                    _actor(b["name"], b["kind"], "target", b["title"], b["country"])]  # fmt: skip
        mentions.append(m)
    entities = [ActorMention(**{**n.__dict__, "role": "mention"}) for n in names]
    art = Article(id=aid, text=text, published=published, content_hash=f"h-{aid}")
    return art, mentions, entities


def _save(store: Store, items) -> None:
    store.save_batch([(a, ms) for a, ms, _ in items], "test", {a.id: es for a, _, es in items})


def _ledger(store: Store) -> dict:
    events = sorted(
        (e["type"], sorted(json.dumps(x, sort_keys=True) for x in e["evidence"]))
        for e in event_records(store)
    )
    return {"events": events, "actors": sorted(actor_records(store), key=lambda a: a["id"])}


def _grown_store(tmp_path, name: str, base, batch) -> tuple[Store, IncrementReport]:
    """A store with ``base`` linked in full, then ``batch`` added and relinked incrementally."""
    store = Store.open(str(tmp_path / f"{name}.db"))
    _save(store, base)
    relink(store)
    _save(store, batch)
    report = IncrementReport()
    relink(store, incremental=True, report=report)
    return store, report


def _full(tmp_path, name: str, items) -> Store:
    full = Store.open(str(tmp_path / f"{name}-full.db"))
    _save(full, items)
    relink(full)
    return full


def _grow(tmp_path, base, batch, name: str) -> tuple[IncrementReport, dict, dict]:
    """``_grown_store``; beside it, ``base`` and ``batch`` linked in full at once. Returns the
    report and both ledgers."""
    store, report = _grown_store(tmp_path, name, base, batch)
    return report, _ledger(store), _ledger(_full(tmp_path, name, [*base, *batch]))


def _org(name: str, role: str = "participant") -> ActorMention:
    return _actor(name, "organization", role)


def _products(n: int, start: int = 0) -> list:
    """Articles pairing the short form "Vexa" with a different long name each (no majority:
    "Vexa" stays apart), and "Norcom" with "Norcom Holdings" (a majority: one actor)."""
    items = []
    for k in range(start, start + n):
        names = [_org("Vexa"), _org(f"Vexa Line{chr(97 + k % 26)}{chr(97 + k // 26)} Systems")]
        if k % 3 == 0:
            names += [_org("Norcom"), _org("Norcom Holdings")]
        items.append(_article(f"vexa-{k}", k, names))
    return items


def test_a_batch_with_short_forms_stays_incremental_beside_a_short_form_of_many_names(
    tmp_path, monkeypatch
):
    # "Vexa" was paired with 40 long names: following every pairing from the new ones spans
    # them all (over the cap set here); following the picks spans the new names only.
    monkeypatch.setattr(incremental, "MAX_UNION", 12)
    base = _products(40)
    batch = _products(10, start=40)
    report, got, want = _grow(tmp_path, base, batch, "vexa")
    assert report.mode == "incremental", report.reason
    assert got == want
    norcom = [a for a in got["actors"] if "Norcom Holdings" in a["aliases"]]
    assert len(norcom) == 1 and "Norcom" in norcom[0]["aliases"]  # the union still holds
    assert not any("Vexa" in a["aliases"] and len(a["aliases"]) > 1 for a in got["actors"])


def test_a_short_form_whose_majority_flips_stays_incremental_and_equals_a_full_relink(tmp_path):
    # "Tarn" is paired with "Tarn Energy" in 3 articles and "Tarn Shipping" in 2: it is Tarn
    # Energy. Two more pairings with "Tarn Shipping" make it Tarn Shipping: the stored names
    # of Tarn Energy leave the union and those of Tarn Shipping join it.
    def paired(k: int, long: str):
        return _article(f"tarn-{k}", k, [_org("Tarn"), _org(long)])

    base = [paired(k, "Tarn Energy") for k in range(3)]
    base += [paired(k, "Tarn Shipping") for k in range(3, 5)]
    base += [_article(f"other-{k}", 10 + k, [_org(f"Other{chr(97 + k)} Group"), _org("Kelt")])
             for k in range(6)]  # fmt: skip
    batch = [paired(k, "Tarn Shipping") for k in range(5, 7)]
    report, got, want = _grow(tmp_path, base, batch, "tarn")
    assert report.mode == "incremental", report.reason
    assert got == want
    (tarn,) = [a for a in got["actors"] if "Tarn" in a["aliases"]]
    assert "Tarn Shipping" in tarn["aliases"] and "Tarn Energy" not in tarn["aliases"]


def _officer(day: int, k: int, title: str, name: str = "Mara Voss", country: str = "FRA"):
    return _article(f"voss-{k}", day, [_actor(name, "person", "source", title, country),
                                       _org(f"Orvel Board{chr(97 + k)}")])  # fmt: skip


def test_an_office_holder_seen_again_later_stays_incremental(tmp_path):
    # Offices one person can hold together ("Orvel CEO", "CEO", "Foreign Minister" is not
    # among them): new sightings months later stretch their spans, which splits nobody.
    base = [_officer(10 * k, k, ("Orvel CEO", "CEO", "Orvel Chairwoman")[k % 3]) for k in range(9)]
    batch = [_officer(200 + k, 20 + k, ("CEO", "Orvel Chairwoman")[k % 2]) for k in range(3)]
    report, got, want = _grow(tmp_path, base, batch, "voss")
    assert report.mode == "incremental", report.reason
    assert got == want
    (voss,) = [a for a in got["actors"] if a["name"] == "Mara Voss"]
    assert {r["title"] for r in voss["roles"]} >= {"CEO", "Orvel Chairwoman"}


def test_two_offices_held_at_once_split_a_name_and_fall_back(tmp_path):
    base = [_officer(k, k, "Foreign Minister", "Kim Dal", "KOR") for k in range(6)]
    batch = [_officer(3, 9, "Defense Minister", "Kim Dal", "KOR")]
    report, got, want = _grow(tmp_path, base, batch, "kim")
    assert report.mode == "full" and "offices" in (report.reason or "")
    assert got == want
    assert len([a for a in got["actors"] if a["name"] == "Kim Dal"]) == 2


COUNTRY_POOL = [("Chile", "CHL"), ("Peru", "PER"), ("Norway", "NOR"), ("Kenya", "KEN")]
PEOPLE_POOL = [("Ines Arlo", "CHL"), ("Tomas Brek", "PER"), ("Lena Fjord", "NOR")]


def _random_report(rng: random.Random, k: int, day: int):
    """A report of one of two event types between two of a few actors, dated or not,
    planned or held, sometimes of a named format: reports merge, chain and reconcile."""
    published = DAY0 + timedelta(days=day)
    pool = [_actor(n, "country", "participant", country=c) for n, c in COUNTRY_POOL]
    pool += [_actor(n, "person", "participant", "Foreign Minister", c) for n, c in PEOPLE_POOL]
    a, b = rng.sample(pool, 2)
    a.role, b.role = "source", "target"
    for x in (a, b):
        if x.kind == "country":
            x.kb_id = x.country
    text = f"{a.surface} met {b.surface}."
    m = EventMention(f"r-{k}", 0, rng.choice(["CONSULT", "AGREE"]),
                     "planned" if rng.random() < 0.1 else "occurred",
                     Span(0, len(text), text), Span(0, 3, "met"),
                     published=published.isoformat())  # fmt: skip
    if rng.random() < 0.4:
        when = (published - timedelta(days=rng.randrange(0, 4))).date().isoformat()
        m.date_start = m.date_end = when
    if rng.random() < 0.3:
        m.label = rng.choice(["2+2", "SCM"])
    m.actors = [a, b]
    art = Article(id=f"r-{k}", text=text, published=published, content_hash=f"h-r-{k}")
    entities = [ActorMention(**{**x.__dict__, "role": "mention"}) for x in (a, b)]
    return art, [m], entities


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_backdated_reports_replay_what_they_reach_and_equal_a_full_relink(tmp_path, seed):
    rng = random.Random(seed)
    items = [_random_report(rng, k, rng.randrange(0, 540)) for k in range(80)]
    base, late = items[:60], items[60:]
    store = Store.open(str(tmp_path / "late.db"))
    _save(store, base)
    relink(store)
    linked = list(base)
    replayed, later = [], []
    for k in range(0, len(late), 4):
        batch = late[k : k + 4]
        first = min(a.published for a, _, _ in batch)
        later.append(sum(1 for a, _, _ in linked if a.published >= first))
        _save(store, batch)
        linked += batch
        report = IncrementReport()
        relink(store, incremental=True, report=report)
        assert report.mode == "incremental", report.reason
        replayed.append(report.replayed)
        full = Store.open(str(tmp_path / f"late-full-{k}.db"))
        _save(full, linked)
        relink(full)
        assert _ledger(store)["events"] == _ledger(full)["events"], k
    # Reports spread over a year and a half: a late one reaches the reports of its own
    # weeks, not every later one (which the pass resumed at the earliest new one went over).
    assert sum(replayed) < sum(later) / 2, (replayed, later)


def _minister(k: int, day: int, name: str, title: str = "Defense Minister"):
    return _article(f"kal-{k}", day, [_actor(name, "person", "source", title, "NOR"),
                                      _org(f"Kalmar Works{chr(97 + k % 26)}")])  # fmt: skip


def test_a_merged_office_holder_named_again_stays_incremental(tmp_path):
    # Two spellings of one defence minister of one country at the same time are one person
    # (the office-holder merge); naming either again, even with another title months later
    # (not held at once: no split), keeps that.
    base = [_minister(k, k, "Lloyd Kalder") for k in range(5)]
    base += [_minister(10 + k, 3 + k, "Royce Kalder") for k in range(3)]
    batch = [_minister(20, 100, "Royce Kalder", "Party Leader"), _minister(21, 12, "Lloyd Kalder")]
    report, got, want = _grow(tmp_path, base, batch, "kalder")
    assert report.mode == "incremental", report.reason
    assert got == want
    (kalder,) = [a for a in got["actors"] if "Defense Minister Royce Kalder" in a["aliases"]]
    assert "Lloyd Kalder" in kalder["aliases"]
    # The stored alias's reason names the offices, the new one too.
    assert "leader_party" in kalder["alias_reasons"]["Defense Minister Royce Kalder"]


def test_a_merged_office_holder_that_becomes_the_better_attested_falls_back(tmp_path):
    # Lloyd (4 sightings) keeps the id of the pair; three more of Royce make Royce the
    # better attested: every stored name of the pair changes actor.
    base = [_minister(k, k, "Lloyd Kalder") for k in range(4)]
    base += [_minister(10 + k, 3 + k, "Royce Kalder") for k in range(2)]
    batch = [_minister(20 + k, 8 + k, "Royce Kalder") for k in range(3)]
    report, got, want = _grow(tmp_path, base, batch, "kalder-flip")
    assert report.mode == "full" and "office" in (report.reason or ""), report.reason
    assert got == want


GLACIER = "glacier melt flooded villages alpine pastures shepherds avalanche snowfield varn"
DAM = "dam spillways engineers turbines reservoir hydropower floodgates concrete sluice varn"
ELSEWHERE = [
    "comet tail observatory telescope nucleus dust",
    "orchard frost blossom apples growers",
    "railway tunnel freight signals commuters",
    "election ballots recount opposition",
    "harbor dredging berth freighters pilots quay",
]


def _story_article(aid: str, day: int, text: str, orgs: list[str]):
    art, ms, es = _article(aid, day, [_org(o) for o in orgs])
    art.text = text
    return art, ms, es


def test_two_stories_merged_by_an_increment_keep_their_events_and_counts(tmp_path):
    # Two situations of one valley, then reports naming both: the increment merges the two
    # stories. The story merged away must leave no event behind, and the kept story's row
    # counts its articles and events.
    base = [_story_article(f"glacier-{k}", k, GLACIER, ["Kelso Board", "Kelso Union"])
            for k in range(3)]  # fmt: skip
    base += [_story_article(f"dam-{k}", 5 + k, DAM, ["Mirel Group", "Mirel Union"])
             for k in range(3)]  # fmt: skip
    for n, words in enumerate(ELSEWHERE):
        base += [_story_article(f"else-{n}-{k}", 10 + k, f"{words} item {words}",
                                [f"Other{chr(97 + n)} Office", f"Other{chr(97 + n)} Trust"])
                 for k in range(3)]  # fmt: skip
    store = Store.open(str(tmp_path / "merge.db"))
    _save(store, base)
    relink(store)
    before = store.article_story_map()
    assert before["glacier-0"] != before["dam-0"]
    both = ["Kelso Board", "Kelso Union", "Mirel Group", "Mirel Union"]
    _save(store, [_story_article(f"both-{k}", 20 + k, f"{GLACIER} {DAM}", both) for k in range(2)])
    report = IncrementReport()
    relink(store, incremental=True, report=report)
    assert report.mode == "incremental", report.reason
    after = store.article_story_map()
    assert after["glacier-0"] == after["dam-0"]  # merged
    rows = {s["id"]: s for s in story_records(store)}
    events = list(event_records(store))
    assert all(e["story"] in rows for e in events)
    per_story: dict[str, int] = {}
    for e in events:
        per_story[e["story"]] = per_story.get(e["story"], 0) + 1
    assert {k: r["events"] for k, r in rows.items() if r["events"]} == per_story
    members: dict[str, int] = {}
    for story in after.values():
        members[story or ""] = members.get(story or "", 0) + 1
    assert {k: r["articles"] for k, r in rows.items()} == members


def _ledger_in_full(store: Store) -> dict:
    """Events with their actors, dates and reports (ids aside), actors with their aliases and
    the reasons given, the actor of every name the store holds, and the actors each
    article's story terms count."""
    events = sorted(
        json.dumps({k: v for k, v in e.items() if k not in ("id", "story")}, sort_keys=True)
        for e in event_records(store)
    )
    with store.engine.connect() as conn:
        names = sorted(
            tuple(r)
            for q in ("SELECT mention_id, position, actor_id FROM mention_actors",
                      "SELECT article_id, position, actor_id FROM entity_mentions")
            for r in conn.exec_driver_sql(q)
        )  # fmt: skip
    docs = store.story_docs_for(store.article_story_map())
    return {
        "events": events,
        "actors": sorted(actor_records(store), key=lambda a: a["id"]),
        "names": names,
        "story_actors": {a: dict(d.actors) for a, d in docs.items()},
    }


def _stories_name_their_actors(store: Store) -> None:
    """Each story's actor counts are those of its articles' story terms, and its row lists
    the actors most of them name, among the actors the store has."""
    from wirewatch.link import story_counts, top_actors

    actors = {a["id"] for a in actor_records(store)}
    docs = store.story_docs_for(store.article_story_map())
    members: dict[str, list[str]] = {}
    for article, story in store.article_story_map().items():
        members.setdefault(story or "", []).append(article)
    kinds = store.actor_kinds({k for d in docs.values() for k in d.actors})
    for row in story_records(store):
        named, mentioned = story_counts(members[row["id"]], docs)
        assert store.story_actor_counts(row["id"]) == {a: (named[a], mentioned[a]) for a in named}
        assert row["actors"] == top_actors(named, mentioned, kinds), row["id"]
        assert {a["id"] for a in row["actors"]} <= actors
    assert {k for d in docs.values() for k in d.actors} <= actors


def _korva(aid: str, day: int, long: str, event_with: str = "Korva Press"):
    """An article pairing the short form "Korva" with ``long``; its event is between
    ``event_with`` and Lemo Group (undated: two shared actors merge it across articles)."""
    first = long if event_with == "Korva Press" else event_with
    return _article(aid, day, [_org(first), _org("Lemo Group"), _org("Korva"),
                               *([_org(long)] if first != long else [])])  # fmt: skip


# "Korva" is paired with "Korva Press" in three articles and with one other long name in
# each of two more: 3 of 5 pairings, a majority, so Korva Press is Korva. Reports of Korva
# Press and of Korva meeting Lemo Group in the same days are then one event.
KORVA = [_korva(f"press-{k}", k, "Korva Press") for k in range(3)] + [
    _korva(f"line-{k}", 1 + k, f"Korva Line{chr(97 + k)}", event_with="Korva") for k in range(2)
]


def test_a_stored_name_that_leaves_a_short_form_union_is_moved_incrementally(tmp_path):
    # One more pairing with another long name leaves 3 of 6: no majority. The stored names
    # "Korva Press" leave Korva's actor for one of their own, the event of the five reports
    # splits in two, and Korva's first sighting, aliases and reasons are its own again.
    linked = _ledger_in_full(_full(tmp_path, "leave-before", KORVA))
    (korva,) = [a for a in linked["actors"] if "Korva Press" in a["aliases"]]
    assert "Korva" in korva["aliases"] and len(linked["events"]) == 1
    batch = [_korva("line-2", 3, "Korva Linec", event_with="Korva")]
    store, report = _grown_store(tmp_path, "leave", KORVA, batch)
    assert report.mode == "incremental", report.reason  # no Fallback
    assert report.replayed >= 3  # the moved reports were placed again
    full = _full(tmp_path, "leave", [*KORVA, *batch])
    got = _ledger_in_full(store)
    assert got == _ledger_in_full(full)
    press = [a for a in got["actors"] if "Korva Press" in a["aliases"]]
    assert len(press) == 1 and "Korva" not in press[0]["aliases"]
    assert len([e for e in got["events"] if "Lemo Group" in e]) == 2
    _stories_name_their_actors(store)
    # The state it leaves resumes: one more report of Korva Press links as a full run does.
    more = [_korva("press-9", 4, "Korva Press", event_with="Korva Press")]
    _save(store, more)
    relink(store, incremental=True, report=(again := IncrementReport()))
    assert again.mode == "incremental", again.reason
    assert _ledger_in_full(store) == _ledger_in_full(_full(tmp_path, "leave-more",
                                                           [*KORVA, *batch, *more]))  # fmt: skip
    _stories_name_their_actors(store)


def test_stored_names_that_join_a_short_form_union_merge_two_actors_incrementally(tmp_path):
    # "Korva" paired once with "Korva Press" and once with "Korva Labs" picks neither: two
    # actors. Two more pairings with Korva Press pick it: one of the two stored actors is
    # gone, its names and reports now the other's.
    base = [_korva("press-0", 0, "Korva Press"), _korva("labs-0", 1, "Korva Labs")]
    base += [_article(f"solo-{k}", 2 + k, [_org("Korva"), _org("Lemo Group")]) for k in range(2)]
    batch = [_korva(f"press-{k}", 3 + k, "Korva Press") for k in (1, 2)]
    before = Store.open(str(tmp_path / "before.db"))
    _save(before, base)
    relink(before)
    assert (
        len([a for a in actor_records(before) if {"Korva", "Korva Press"} & set(a["aliases"])]) == 2
    )
    store, report = _grown_store(tmp_path, "join", base, batch)
    assert report.mode == "incremental", report.reason
    got = _ledger_in_full(store)
    assert got == _ledger_in_full(_full(tmp_path, "join", [*base, *batch]))
    (korva,) = [a for a in got["actors"] if {"Korva", "Korva Press"} & set(a["aliases"])]
    assert {"Korva", "Korva Press"} <= set(korva["aliases"])
    _stories_name_their_actors(store)


def test_too_many_stored_names_to_move_fall_back(tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "MAX_RESTORE", 4)
    batch = [_korva("line-2", 3, "Korva Linec", event_with="Korva")]
    store, report = _grown_store(tmp_path, "bound", KORVA, batch)
    assert report.mode == "full" and "stored names" in (report.reason or ""), report.reason
    assert _ledger_in_full(store) == _ledger_in_full(_full(tmp_path, "bound", [*KORVA, *batch]))
