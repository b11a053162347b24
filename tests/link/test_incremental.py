"""Incremental linking: a store linked one article at a time (in random orders), or by
ingests in batches with a backdated report and a syndicated copy, holds the ledger one full
relink of the same store gives: the same events with the same reports, actors,
corroboration and contradictions; and the same input twice gives the same ids. Stories are
placed incrementally (they may differ from a full regrouping): they are checked for being
well formed, for a new article joining its story or starting one with only that story
rewritten, and for a full relink regrouping them. Each check also asserts that the
incremental path really ran (not only the fallback)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from wirewatch.engine import relink
from wirewatch.ingest import iter_articles
from wirewatch.link.incremental import IncrementReport
from wirewatch.model import Article
from wirewatch.store import Store
from wirewatch.store.records import actor_records, article_records, event_records, story_records

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample"
COUNTRIES = ["Chile", "Peru", "Norway", "Kenya", "Ghana", "Japan", "Poland", "Egypt"]
VERBS = ["criticized", "praised", "met", "threatened", "urged", "accused", "sanctioned"]
PEOPLE = ["Foreign Minister Ana Lopez", "Defense Minister Kofi Mensah", "President Ola Berg"]


def synthetic(path: Path, n: int = 30, seed: int = 3) -> Path:
    """Short reports that share actors, days and outlets, so events merge across them."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for k in range(n):
            a, b = rng.sample(COUNTRIES, 2)
            who = rng.choice(PEOPLE)
            day = 1 + rng.randrange(12)
            text = (
                f"{a} {rng.choice(VERBS)} {b} on Monday, officials in {a} said. "
                f"{who} of {a} met counterparts from {b} in the capital on May {day}. "
                f"Lopez said the talks would continue next month."
            )
            record = {"id": f"syn-{k}", "text": text, "outlet": rng.choice(["Wire A", "Wire B"]),
                      "published": f"2024-05-{day:02d}T{8 + k % 10:02d}:00:00+00:00"}  # fmt: skip
            fh.write(json.dumps(record) + "\n")
    return path


@pytest.fixture(scope="module")
def analysed(analyser, tmp_path_factory, seeds_path):
    folder = tmp_path_factory.mktemp("incr-src")
    paths = [seeds_path, SAMPLE, synthetic(folder / "syn.jsonl")]
    articles = [a for a in iter_articles(paths) if isinstance(a, Article)]
    results = list(analyser.run(articles))
    return [(r.article, r.mentions, r.entities) for r in results], analyser.version


def _save(store: Store, items, version: str) -> None:
    store.save_batch([(a, ms) for a, ms, _ in items], version, {a.id: es for a, _, es in items})


def ledger(store: Store) -> dict:
    """The ledger without its ids: events keyed by their evidence, actors, story groups."""
    events = {}
    for e in event_records(store):
        e = {k: v for k, v in e.items() if k not in ("id", "story")}
        key = (e["type"], json.dumps(sorted(e["evidence"], key=json.dumps)))
        assert key not in events
        events[key] = e
    stories: dict[str, list[str]] = {}
    for a in article_records(store):
        stories.setdefault(a["story"], []).append(a["id"])
    return {
        "events": events,
        "actors": sorted(actor_records(store), key=lambda a: a["id"]),
        "stories": sorted(sorted(v) for v in stories.values()),
        "story_rows": sorted(
            (s["title"], s["articles"], s["events"], s.get("first_date"))
            for s in story_records(store)
        ),
    }


def _ids(store: Store) -> tuple[list, list]:
    events = sorted((e["id"], tuple(e["articles"])) for e in event_records(store))
    return events, sorted((a["id"], a["story"]) for a in article_records(store))


def one_by_one(tmp_path: Path, name: str, items, version: str) -> tuple[Store, list[str]]:
    store = Store.open(str(tmp_path / f"{name}.db"))
    modes = []
    for item in items:
        _save(store, [item], version)
        report = IncrementReport()
        relink(store, incremental=True, report=report)
        modes.append(report.mode if report.mode == "incremental" else f"full: {report.reason}")
    return store, modes


@pytest.fixture(scope="module")
def reference(analysed, tmp_path_factory):
    items, version = analysed
    store = Store.open(str(tmp_path_factory.mktemp("incr-ref") / "full.db"))
    _save(store, items, version)
    relink(store)
    return ledger(store)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_article_at_a_time_in_random_order_equals_a_full_relink(
    analysed, reference, tmp_path, seed
):
    items, version = analysed
    order = list(items)
    random.Random(seed).shuffle(order)
    store, modes = one_by_one(tmp_path, f"order{seed}", order, version)
    # The first articles make up most of the store (a bulk load): full; then incremental.
    assert modes.count("incremental") >= len(items) // 2, modes
    # Only actors may need a full relink, and a store whose background set the stories'
    # threshold once it has grown by stories.REGROUP.
    assert not any("stor" in m and "background" not in m for m in modes), modes
    got = ledger(store)
    assert got["events"] == reference["events"]
    assert got["actors"] == reference["actors"]
    # Stories are placed article by article (``link.story_increment``): not necessarily the
    # full grouping, but well formed; a full relink regroups them into the full grouping and
    # changes nothing else (event ids included).
    story_invariants(store)
    events_before = _ids(store)[0]
    relink(store)
    assert ledger(store) == {**got, "stories": reference["stories"],
                             "story_rows": reference["story_rows"]}  # fmt: skip
    assert _ids(store)[0] == events_before


def test_batches_of_several_articles_equal_a_full_relink(analysed, reference, tmp_path):
    items, version = analysed
    order = list(items)
    random.Random(7).shuffle(order)
    store = Store.open(str(tmp_path / "batches.db"))
    _save(store, order[:10], version)
    relink(store, incremental=True)
    modes = []
    for k in range(10, len(order), 4):
        _save(store, order[k : k + 4], version)
        report = IncrementReport()
        relink(store, incremental=True, report=report)
        modes.append(report.mode if report.mode == "incremental" else str(report.reason))
    # Batches of four from these dense corpora often hold a real cascade (an acronym, a
    # second spelling of an office holder): those relink in full.
    assert modes.count("incremental") >= 2, modes
    got = ledger(store)
    assert (got["events"], got["actors"]) == (reference["events"], reference["actors"])
    story_invariants(store)


def test_the_same_input_twice_gives_the_same_ids(analysed, tmp_path):
    items, version = analysed
    order = list(items)
    random.Random(5).shuffle(order)
    one, _ = one_by_one(tmp_path, "one", order, version)
    two, _ = one_by_one(tmp_path, "two", order, version)
    assert _ids(one) == _ids(two)
    before = _ids(one)
    report = IncrementReport()
    relink(one, incremental=True, report=report)  # nothing new
    assert report.mode == "incremental" and report.articles == 0
    assert _ids(one) == before


def test_a_changed_article_or_a_correction_relinks_in_full(analysed, tmp_path):
    items, version = analysed
    store = Store.open(str(tmp_path / "changed.db"))
    _save(store, items, version)
    relink(store)
    article, ms, es = items[0]
    changed = Article(**{**article.__dict__, "text": article.text + " More.",
                         "content_hash": "changed"})  # fmt: skip
    _save(store, [(changed, ms, es)], version)
    report = IncrementReport()
    relink(store, incremental=True, report=report)
    assert report.mode == "full" and "changed article" in (report.reason or "")
    store.add_correction("rename", "KOR", "Republic of Korea")
    relink(store, incremental=True, report=report)
    assert report.mode == "full"
    names = {a["id"]: a["name"] for a in actor_records(store)}
    assert names.get("KOR") == "Republic of Korea"


def test_a_new_office_holder_spelling_falls_back_and_merges(analysed, tmp_path):
    """A cascade: a second spelling of a person holding the same single-holder office merges
    two actors, which changes stored names' actor: the relink is full, and the ledger is the
    full one."""
    items, version = analysed
    store = Store.open(str(tmp_path / "cascade.db"))
    _save(store, items, version)
    relink(store)
    text = ("Foreign Minister Ana Lopes of Chile met Norway's envoy in Santiago on Tuesday, "
            "the ministry said.")  # fmt: skip
    (src := tmp_path / "lopes.jsonl").write_text(json.dumps({
        "id": "lopes", "text": text, "published": "2024-05-09T10:00:00+00:00"}) + "\n")  # fmt: skip
    from wirewatch.analyse import Analyser

    article = next(a for a in iter_articles([src]) if isinstance(a, Article))
    result = next(iter(Analyser().run([article])))
    _save(store, [(result.article, result.mentions, result.entities)], version)
    report = IncrementReport()
    relink(store, incremental=True, report=report)
    full = Store.open(str(tmp_path / "cascade-full.db"))
    _save(full, [*items, (result.article, result.mentions, result.entities)], version)
    relink(full)
    assert ledger(store) == ledger(full)
    lopez = [a for a in actor_records(store) if "Ana Lopes" in a["aliases"]]
    if lopez and "Ana Lopez" in lopez[0]["aliases"]:
        assert report.mode == "full", "a merge of two stored actors must not pass as local"


def story_invariants(store: Store) -> None:
    """What any story assignment must leave: every article in a story (a syndicated copy in
    its original's), story rows that count their articles and events, each event in the
    story of one of its reports."""
    arts = {a["id"]: a for a in article_records(store)}
    assert all(a["story"] for a in arts.values())
    for a in arts.values():
        if a["duplicate_of"]:
            assert a["story"] == arts[a["duplicate_of"]]["story"]
    rows = {s["id"]: s for s in story_records(store)}
    assert set(rows) == {a["story"] for a in arts.values()}
    members: dict[str, int] = {}
    for a in arts.values():
        if not a["duplicate_of"]:
            members[a["story"]] = members.get(a["story"], 0) + 1
    assert {k: r["articles"] for k, r in rows.items()} == members
    per_story: dict[str, int] = {}
    for e in event_records(store):
        assert e["story"] in rows
        assert e["story"] in {arts[ev["article"]]["story"] for ev in e["evidence"]}
        per_story[e["story"]] = per_story.get(e["story"], 0) + 1
    assert {k: r["events"] for k, r in rows.items() if r["events"]} == per_story
    # Each row is what the full relink's row builder makes of the same grouping.
    from wirewatch.link import build_story_rows
    from wirewatch.link.stories import Story

    infos = {i.id: i for i in store.article_infos()}
    grouped = [Story(r["article_ids"], r["id"]) for r in story_records(store)]
    docs = store.story_docs_for(infos)
    event_rows = [
        {"story": e["story"], "date_start": (e["date"] or {}).get("start"),
         "date_end": (e["date"] or {}).get("end")}
        for e in event_records(store)
    ]  # fmt: skip
    kinds = store.actor_kinds({k for d in docs.values() for k in (*d.actors, *d.countries)})
    rebuilt = build_story_rows(grouped, [g.id for g in grouped], event_rows, infos, docs, kinds)
    for r in rebuilt:
        assert {k: v for k, v in rows[r["id"]].items() if k != "article_ids"} == r, r["id"]


def _records(seeds_path: Path, folder: Path) -> list[dict]:
    lines = seeds_path.read_text(encoding="utf-8").splitlines()
    lines += synthetic(folder / "syn.jsonl", n=16, seed=9).read_text().splitlines()
    return [json.loads(x) for x in lines if x.strip()]


def _ingest_batches(store: Store, batches: list[list[dict]], folder: Path, analyser) -> list:
    from wirewatch.engine import ingest

    modes = []
    for n, batch in enumerate(batches):
        path = folder / f"batch-{n}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in batch), encoding="utf-8")
        summary = ingest([path], store, analyser)
        assert summary.relink is not None
        modes.append(summary.relink.mode)
    return modes


def test_ingests_in_batches_with_a_backdated_report_and_a_copy_equal_a_full_relink(
    analyser, seeds_path, tmp_path
):
    records = _records(seeds_path, tmp_path)
    random.Random(4).shuffle(records)
    later = dict(records[0])  # a backdated report: published before everything else
    later.update(id="late-1", published="2024-04-20T06:00:00+00:00",
                 text=later["text"] + " Officials confirmed it again on Friday.")  # fmt: skip
    copy = {**records[1], "id": "copy-1", "outlet": "Syndicate Wire"}  # the same text again
    head, tail = records[: len(records) * 2 // 3], records[len(records) * 2 // 3 :]
    batches = [head] + [tail[k : k + 3] for k in range(0, len(tail), 3)] + [[later, copy]]
    one = Store.open(str(tmp_path / "batched.db"))
    modes = _ingest_batches(one, batches, tmp_path, analyser)
    assert modes[0] == "full" and "incremental" in modes[1:], modes
    everything = Store.open(str(tmp_path / "once.db"))
    _ingest_batches(everything, [[r for b in batches for r in b]], tmp_path, analyser)
    relink(everything)
    got, want = ledger(one), ledger(everything)
    assert got["events"] == want["events"]  # the same events with the same sources
    assert got["actors"] == want["actors"]
    arts = {a["id"]: a for a in article_records(one)}
    assert arts["copy-1"]["duplicate_of"] == records[1]["id"]
    story_invariants(one)
    # The same batches again give the same ids; a full relink then regroups the stories
    # and keeps the event ids.
    two = Store.open(str(tmp_path / "again.db"))
    _ingest_batches(two, batches, tmp_path, analyser)
    assert _ids(one) == _ids(two)
    events_before = _ids(one)[0]
    relink(one)
    assert _ids(one)[0] == events_before
    assert ledger(one)["stories"] == want["stories"]


TOPICS = {
    "harbor": ("The Velta harbor board approved the dredging contract for the northern berth, "
               "and dockworkers at the Velta container quay welcomed the dredging plan; the "
               "harbor pilots said the berth would take larger freighters."),
    "orchard": ("Apple growers in the Kallis valley said frost damaged the orchard blossoms, and "
                "the orchard cooperative asked for frost insurance payments; the valley growers "
                "expect a smaller harvest of apples and pears."),
    "rail": ("The Dorn railway company opened the mountain tunnel to freight trains, and the "
             "railway engineers said the tunnel signals passed inspection; Dorn commuters will "
             "use the tunnel trains from spring."),
    "comet": ("Astronomers at the Serin observatory tracked a bright comet whose tail spans the "
              "evening sky; the observatory telescope recorded the comet nucleus and its dust "
              "tail over three nights."),
}  # fmt: skip


def _topic_record(topic: str, k: int, day: int) -> dict:
    return {"id": f"{topic}-{k}", "published": f"2024-03-{day:02d}T09:00:00+00:00",
            "outlet": f"Outlet {k % 3}",
            "text": f"{TOPICS[topic]} Report {k}: {TOPICS[topic].split(',')[0]}."}  # fmt: skip


def test_a_new_article_joins_its_story_or_starts_one_and_only_that_story_is_rewritten(
    analyser, tmp_path
):
    store = Store.open(str(tmp_path / "stories.db"))
    # Three situations, so that no story's own words are in more than half of the articles
    # (those are common language to the grouping, as "said" is).
    first = [_topic_record(t, k, 1 + k) for t in ("harbor", "orchard", "rail") for k in range(4)]
    assert _ingest_batches(store, [first], tmp_path, analyser) == ["full"]
    story = {a["id"]: a["story"] for a in article_records(store)}
    harbor, orchard = story["harbor-0"], story["orchard-0"]
    assert harbor != orchard and all(story[f"harbor-{k}"] == harbor for k in range(4))
    before = {s["id"]: s for s in story_records(store)}

    assert _ingest_batches(store, [[_topic_record("harbor", 9, 20)]], tmp_path, analyser) == [
        "incremental"
    ]
    story = {a["id"]: a["story"] for a in article_records(store)}
    assert story["harbor-9"] == harbor
    after = {s["id"]: s for s in story_records(store)}
    assert after[orchard] == before[orchard]  # not touched
    assert after[harbor]["articles"] == 5

    assert _ingest_batches(store, [[_topic_record("comet", 1, 21)]], tmp_path, analyser) == [
        "incremental"
    ]
    story = {a["id"]: a["story"] for a in article_records(store)}
    assert story["comet-1"] not in (harbor, orchard)
    assert {s["id"]: s["articles"] for s in story_records(store)}[story["comet-1"]] == 1
    story_invariants(store)


def test_a_rename_reaches_the_rows_of_stories_the_increment_does_not_touch(analyser, tmp_path):
    """The spelling most reports use names an actor; when new reports in one story tip it,
    every story that lists the actor shows the new name, not only the story they join."""
    store = Store.open(str(tmp_path / "rename.db"))

    def record(topic: str, k: int, day: int, who: str, times: int = 1) -> dict:
        r = _topic_record(topic, k, day)
        r["text"] += f" {who} of the Velta Authority toured the site." * times
        return r

    first = [record(t, k, 1 + k, "Commissioner Lena Kovacs") for t in ("harbor", "orchard")
             for k in range(4)] + [_topic_record("rail", k, 1 + k) for k in range(4)]  # fmt: skip
    assert _ingest_batches(store, [first], tmp_path, analyser) == ["full"]
    story = {a["id"]: a["story"] for a in article_records(store)}
    orchard = story["orchard-0"]
    assert story["harbor-0"] != orchard
    names = {a["name"] for a in actor_records(store)}
    assert "Lena Kovacs" in names

    extra = record("harbor", 9, 20, "Commissioner Lena M. Kovacs", times=9)
    assert _ingest_batches(store, [[extra]], tmp_path, analyser) == ["incremental"]
    assert {a["story"] for a in article_records(store) if a["id"] == "harbor-9"} != {orchard}
    names = {a["id"]: a["name"] for a in actor_records(store)}
    listed = {
        a["id"]: a["name"] for s in story_records(store) if s["id"] == orchard for a in s["actors"]
    }
    kovacs = next(i for i, n in names.items() if "Kovacs" in n)
    assert names[kovacs] == "Lena M. Kovacs"
    assert listed[kovacs] == "Lena M. Kovacs"
    story_invariants(store)
