"""Incremental linking: a store linked one article at a time (in random orders) holds the
ledger one full relink of the same store gives: the same events with the same reports,
actors, corroboration and contradictions; and the same input twice gives the same ids.
Each check also asserts that the incremental path really ran (not only the fallback)."""

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
    got = ledger(store)
    assert got["events"] == reference["events"]
    assert got["actors"] == reference["actors"]
    assert got["stories"] == reference["stories"]
    assert got["story_rows"] == reference["story_rows"]
    # And a full relink over the incrementally linked store changes nothing but may keep ids.
    relink(store)
    assert ledger(store) == got


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
    assert ledger(store) == reference


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
