"""Engine: runs the per-article stage and hands the results to the store and the linker.

Where the per-article stage runs is a ``Runner`` (``engine.runners``): in this process by
default, a process pool for the cores of one machine, or Spark.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from wirewatch import gctune
from wirewatch.analyse import Analyser
from wirewatch.config import Limits
from wirewatch.engine.runners import Runner, fewer_collections
from wirewatch.errors import Code, InputError
from wirewatch.ingest import iter_articles
from wirewatch.ingest.sources import FeedState, FetchPolicy
from wirewatch.link import link
from wirewatch.link.incremental import Fallback, IncrementReport, relink_increment
from wirewatch.link.kb import KnowledgeBase
from wirewatch.model import Analysis, Article
from wirewatch.store import Store


@dataclass
class IngestSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    failed: int = 0
    mentions: int = 0
    events: int = 0
    errors: list[InputError] = field(default_factory=list)
    relink: IncrementReport | None = None  # how the closing relink ran (incremental or full)

    def as_dict(self) -> dict[str, int]:
        return {
            "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
            "duplicate": self.duplicate, "failed": self.failed, "mentions": self.mentions,
            "events": self.events,
        }  # fmt: skip


def _batches(
    items: Iterable[Article | InputError], size: int
) -> Iterator[list[Article | InputError]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


@fewer_collections
def ingest(
    paths: Iterable[str | Path],
    store: Store,
    analyser: Runner | None = None,
    *,
    limits: Limits = Limits(),
    batch_size: int = 32,
    on_error: Callable[[InputError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    policy: FetchPolicy | None = None,
    feeds: Iterable[str] = (),
    feed_state: FeedState | None = None,
    fetch_pages: bool = False,
) -> IngestSummary:
    """Ingest files and folders into the store, then relink. Safe to re-run: an article
    already stored with the same content is skipped, exact copies are marked duplicates."""
    summary = IngestSummary()
    runner: Runner = analyser or Analyser()
    seen_hashes: dict[str, str] = {}
    seen_ids: dict[str, str] = {}  # id -> content hash, within this run
    articles = iter_articles(paths, limits, policy, feeds, feed_state, fetch_pages)

    def report(err: InputError) -> None:
        summary.failed += 1
        summary.errors.append(err)
        if on_error:
            on_error(err)

    # Batches read but not yet stored: (articles to analyse, duplicates, input items, ids of
    # the articles to analyse that replace a stored version).
    pending: deque[tuple[list[Article], list[Article], int, set[str]]] = deque()

    def to_analyse() -> Iterator[Article]:
        """Reads, skips and dedupes batch by batch. The runner pulls from here as it has
        room, so reading runs ahead of storing; what an earlier, still unstored batch of
        this run holds is known from ``seen_ids`` and ``seen_hashes``."""
        for batch in _batches(articles, batch_size):
            fresh: list[Article] = []
            for item in batch:
                if isinstance(item, Article) and item.id in seen_ids:
                    if seen_ids[item.id] == item.content_hash:
                        summary.unchanged += 1
                        continue
                    item = InputError(Code.E016, item.source, record=item.id)
                if isinstance(item, InputError):
                    report(item)
                else:
                    seen_ids[item.id] = item.content_hash
                    fresh.append(item)
            stored = store.article_hashes(a.id for a in fresh)
            originals = store.originals_by_hash(a.content_hash for a in fresh)
            analyse: list[Article] = []
            duplicates: list[Article] = []
            for article in fresh:
                if stored.get(article.id) == article.content_hash:
                    summary.unchanged += 1
                    continue
                original = originals.get(article.content_hash) or seen_hashes.get(
                    article.content_hash
                )
                if original and original != article.id:
                    article.duplicate_of = original
                    duplicates.append(article)
                    summary.duplicate += 1
                    continue
                seen_hashes[article.content_hash] = article.id
                if article.id in stored:
                    summary.updated += 1
                else:
                    summary.new += 1
                analyse.append(article)
            updated = {a.id for a in analyse if a.id in stored}
            pending.append((analyse, duplicates, len(batch), updated))
            yield from analyse

    done: list[Analysis] = []

    def store_finished() -> None:
        """Store each leading batch whose analyses have all come back, in input order."""
        while pending and len(done) >= len(pending[0][0]):
            analyse, duplicates, n_items, updated = pending.popleft()
            results = done[: len(analyse)]
            del done[: len(analyse)]
            analysed = [(r.article, r.mentions) for r in results]
            entities = {r.article.id: r.entities for r in results}
            for r in results:
                if r.error:
                    report(InputError(
                        Code.E050, r.article.source, record=r.article.id, detail=r.error
                    ))  # fmt: skip
            late_copies = set(
                store.save_batch(analysed + [(a, []) for a in duplicates], runner.version, entities)
            )
            for article, ms in analysed:
                if article.id in late_copies:  # another writer stored the same text first
                    summary.duplicate += 1
                    if article.id in updated:
                        summary.updated -= 1
                    else:
                        summary.new -= 1
                else:
                    summary.mentions += len(ms)
            if on_progress:
                on_progress(n_items)

    for result in runner.run(to_analyse(), batch_size=min(batch_size, 32)):
        done.append(result)
        store_finished()
    store_finished()
    if pending or done:
        raise RuntimeError(f"{len(done)} analyses left over; the runner lost the input order")
    summary.relink = IncrementReport()
    summary.events = relink(store, incremental=True, report=summary.relink)
    return summary


def relink(
    store: Store, *, incremental: bool = False, report: IncrementReport | None = None
) -> int:
    """Link the ledger; returns the number of events.

    Full (the default, and what corrections use): rebuild actors, events and stories from
    every stored mention, keeping ids from the last run. ``incremental``: link only the
    articles no relink has seen yet and rewrite the part of the ledger they change, with the
    result a full relink would give; when that cannot be shown (see
    ``wirewatch.link.incremental``) it relinks in full and says why in ``report``.

    Read, link and write happen in one write transaction: two ingests that finish at once
    take turns, and the second links what the first wrote, never an older state."""
    report = report if report is not None else IncrementReport()
    with store.write(), gctune.paused():
        if incremental:
            kb = KnowledgeBase.default()
            t0 = time.process_time()
            try:
                return relink_increment(store, kb, report)
            except Fallback as exc:
                report.mode, report.reason = "full", str(exc)
                report.timings["failed_increment"] = round(time.process_time() - t0, 4)
        else:
            report.mode, report.reason = "full", "asked for"
        linked = link(
            list(store.iter_mentions()),
            list(store.iter_entities()),
            corrections=store.corrections(),
            articles=store.article_infos(),
            previous=store.previous_links(),
        )
        store.replace_links(linked)
    report.events = len(linked.events)
    return report.events
