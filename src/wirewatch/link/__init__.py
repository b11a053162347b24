"""Link: what needs the whole store. Canonical actors across articles, one event from the
mentions of it in many articles, stories, and contradictions between reports."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wirewatch.link import stories as stories_module
from wirewatch.link.actors import Correction, actor_rows, resolve_actors
from wirewatch.link.events import (
    EventCluster,
    MergePass,
    cell_key,
    event_row,
    find_contradictions,
    query_cells,
    reconcile,
)
from wirewatch.link.kb import KnowledgeBase
from wirewatch.link.stories import (
    Story,
    StoryArticle,
    content_words,
    group_stories,
    story_index,
)
from wirewatch.model import ActorMention, EventMention


@dataclass(frozen=True)
class ArticleInfo:
    id: str
    title: str | None
    published: str | None
    text: str | None = None  # content words for story grouping; None: actors and events only


@dataclass
class Previous:
    """Ids from the last link run, so re-linking after one more article keeps them."""

    events: Mapping[str, str] = field(default_factory=dict)  # mention id -> event id
    stories: Mapping[str, str] = field(default_factory=dict)  # article id -> story id


@dataclass
class Linked:
    actors: list[dict] = field(default_factory=list)
    aliases: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    stories: list[dict] = field(default_factory=list)
    event_mentions: dict[str, list[str]] = field(default_factory=dict)
    mention_actor_ids: dict[tuple[str, int], str] = field(default_factory=dict)
    entity_actor_ids: dict[tuple[str, int], str] = field(default_factory=dict)
    article_stories: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # CPU seconds per step (benches)
    # State an incremental relink resumes from (see ``link.incremental``):
    passes: dict[str, str] = field(default_factory=dict)  # mention id -> merging-pass cluster
    pass_cells: list[tuple[str, str]] = field(default_factory=list)  # (cell, pass id)
    mention_cells: list[tuple[str, str]] = field(default_factory=list)  # (cell, mention id)
    actor_state: Any = None  # link.incremental.ActorState
    story_docs: dict[str, StoryArticle] = field(default_factory=dict)
    story_df: Mapping[str, int] = field(default_factory=dict)  # term -> articles with it
    story_postings: list[tuple[str, str, int]] = field(default_factory=list)  # term, story, seq
    story_stats: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # actors
    story_sums: list[dict[str, Any]] = field(default_factory=list)  # story_sums rows
    story_threshold: float | None = None  # the grouping's threshold (store background)


def _keep_ids(
    proposed: list[str],
    members: list[list[str]],
    previous: Mapping[str, str],
    reserved: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """For each group, the id most of its members had before (each old id used once), else
    the proposed one: ids survive when a group grows or gains an earlier member. ``reserved``
    ids belong to groups kept as they are (an incremental relink)."""
    taken: set[str] = set(reserved)
    chosen: list[str | None] = [None] * len(proposed)
    votes = []
    for n, group in enumerate(members):
        counts = Counter(previous[m] for m in group if m in previous and previous[m] not in taken)
        for old, count in counts.items():
            votes.append((-count, n, old))
    for _, n, old in sorted(votes):
        if chosen[n] is None and old not in taken:
            chosen[n] = old
            taken.add(old)
    result = []
    for n, new in enumerate(proposed):
        value = chosen[n]
        if value is None:
            value = new if new not in taken else f"{new}-{n}"
            taken.add(value)
        result.append(value)
    return result


def link(
    mentions: list[EventMention],
    entities: list[tuple[str, int, ActorMention, str | None]] | None = None,
    kb: KnowledgeBase | None = None,
    corrections: Sequence[Correction] = (),
    articles: Sequence[ArticleInfo] = (),
    previous: Previous | None = None,
) -> Linked:
    """Resolve actors, merge mentions into events, group stories. Deterministic for a store."""
    kb = kb or KnowledgeBase.default()
    previous = previous or Previous()
    entities = entities or []
    timings: dict[str, float] = {}
    t0 = time.process_time()
    from wirewatch.link.incremental import actor_state_after, occurrence_bases

    bases = occurrence_bases(mentions, entities, kb, corrections)
    resolved, assignment, entity_ids = resolve_actors(
        mentions, kb, entities, corrections, keys=[(b.base, b.reason) for b in bases]
    )  # the keys occurrence_bases took: the same computation, done once
    actors, aliases, roles = actor_rows(resolved)
    actor_state = actor_state_after(bases, mentions, entities, resolved, kb)
    timings["actors"] = time.process_time() - t0

    t0 = time.process_time()
    merging = MergePass()
    for m in mentions:
        merging.add(m)
    passes, pass_cells = pass_state(merging.clusters)
    mention_cells = query_cell_rows(mentions)
    clusters = reconcile(merging.clusters, {id(m): n for n, m in enumerate(mentions)})
    event_ids = _keep_ids(
        [c.id for c in clusters], [[m.id for m in c.mentions] for c in clusters], previous.events
    )
    contradictions = find_contradictions(clusters, kb)
    timings["events"] = time.process_time() - t0

    t0 = time.process_time()
    order = [a.id for a in articles] or sorted({m.article for m in mentions})
    story_docs = {
        d.id: d
        for d in _story_articles(order, articles, mentions, entity_ids, actors, clusters, event_ids)
    }
    grouping: dict[str, float] = {}
    # The factor read now, not bound at import: a test or an embedding program may change it.
    factor = stories_module.BACKGROUND
    computed: dict[str, tuple[dict[str, float], list[str]]] = {}
    stories = group_stories(
        list(story_docs.values()), order, used=grouping, background_factor=factor,
        computed=computed,
    )  # fmt: skip
    story_ids = _keep_ids([s.id for s in stories], [s.articles for s in stories], previous.stories)
    article_stories = {
        a: sid for s, sid in zip(stories, story_ids, strict=True) for a in s.articles
    }
    story_df, story_postings, story_sums = story_index(
        list(story_docs.values()), order, stories, story_ids, computed
    )
    del computed
    timings["stories"] = time.process_time() - t0

    event_rows = []
    for n, (cluster, eid) in enumerate(zip(clusters, event_ids, strict=True)):
        row = event_row(cluster)
        row["id"] = eid
        row["story"] = article_stories.get(cluster.mentions[0].article)
        row["contradictions"] = contradictions.get(n) or None
        event_rows.append(row)

    info = {a.id: a for a in articles}
    actor_info = {a["id"]: a for a in actors}
    story_rows = build_story_rows(stories, story_ids, event_rows, info, story_docs, actor_info)

    return Linked(
        actors=actors,
        aliases=aliases,
        roles=roles,
        events=event_rows,
        stories=story_rows,
        event_mentions={
            eid: [m.id for m in c.mentions] for c, eid in zip(clusters, event_ids, strict=True)
        },
        mention_actor_ids=assignment,
        entity_actor_ids=entity_ids,
        article_stories=article_stories,
        timings={k: round(v, 3) for k, v in timings.items()},
        passes=passes,
        pass_cells=pass_cells,
        mention_cells=mention_cells,
        actor_state=actor_state,
        story_docs=story_docs,
        story_df=story_df,
        story_postings=story_postings,
        story_sums=story_sums,
        story_threshold=grouping.get("threshold"),
        story_stats={
            sid: dict(
                zip(
                    ("articles", "mentions"),
                    map(dict, story_counts(s.articles, story_docs)),
                    strict=True,
                )
            )
            for s, sid in zip(stories, story_ids, strict=True)
        },
    )


def build_story_rows(
    stories: Sequence[Story],
    story_ids: Sequence[str],
    event_rows: Sequence[Mapping[str, Any]],
    info: Mapping[str, ArticleInfo],
    docs: Mapping[str, StoryArticle],
    actor_info: Mapping[str, Mapping[str, Any]],
) -> list[dict]:
    """One row per story: title, dates (of its events, else of its articles), sizes, actors.
    ``event_rows`` need ``story``, ``date_start`` and ``date_end``."""
    events_by_story: dict[str | None, list[Mapping[str, Any]]] = {}
    for r in event_rows:
        events_by_story.setdefault(r["story"], []).append(r)
    rows = []
    for story, sid in zip(stories, story_ids, strict=True):
        story_events = events_by_story.get(sid, [])
        days = sorted(d for r in story_events for d in (r["date_start"], r["date_end"]) if d)
        if not days:
            days = sorted((info[a].published or "")[:10] for a in story.articles if a in info)
            days = [d for d in days if d]
        rows.append({
            "id": sid,
            "title": _story_title([info[a] for a in story.articles if a in info]),
            "first_date": days[0] if days else None,
            "last_date": days[-1] if days else None,
            "articles": len(story.articles),
            "events": len(story_events),
            "actors": _story_actors(story.articles, docs, actor_info),
        })  # fmt: skip
    return rows


def pass_state(clusters: Sequence[EventCluster]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each mention's merging-pass cluster (named by its first mention) and the index cells
    of each cluster: what an incremental relink needs to resume the pass."""
    passes: dict[str, str] = {}
    cells: list[tuple[str, str]] = []
    for c in clusters:
        pid = c.mentions[0].id
        for m in c.mentions:
            passes[m.id] = pid
        cells.extend((cell_key(c.type, key, month), pid) for key, month in c.indexed)
    return passes, cells


def query_cell_rows(mentions: Sequence[EventMention]) -> list[tuple[str, str]]:
    """(cell, mention id) for the cells each mention looks for its event in (its actors'
    ids set): where a change of the merging pass can reach it."""
    return [(cell_key(*c), m.id) for m in mentions for c in dict.fromkeys(query_cells(m))]


def _story_articles(
    order: list[str],
    articles: Sequence[ArticleInfo],
    mentions: list[EventMention],
    entity_ids: Mapping[tuple[str, int], str],
    actors: list[dict],
    clusters: list,
    event_ids: Sequence[str] = (),
) -> list[StoryArticle]:
    """Words, named actors (countries left out: nearly every article names one) and
    multi-article events of each article (keyed by event id)."""
    countries = {a["id"] for a in actors if a["kind"] == "country"}
    docs = {a: StoryArticle(a) for a in order}
    for a in articles:
        docs[a.id].words = content_words(a.title, a.text)
    for (article_id, _pos), actor_id in entity_ids.items():
        doc = docs.setdefault(article_id, StoryArticle(article_id))
        # Places weigh as countries do: a story's actors are who acts, not where.
        where = actor_id in countries or actor_id.startswith("place:")
        (doc.countries if where else doc.actors)[actor_id] += 1
    for m in mentions:
        doc = docs.setdefault(m.article, StoryArticle(m.article))
        for x in m.actors:
            if x.id:
                (doc.countries if x.id in countries else doc.actors)[x.id] += 1
    for n, c in enumerate(clusters):
        arts = {m.article for m in c.mentions}
        if len(arts) > 1:
            for a in arts:
                docs[a].events[event_ids[n] if event_ids else c.id] += 1
    return list(docs.values())


STORY_ACTORS = 8  # actors listed per story


def story_counts(
    members: Sequence[str], docs: Mapping[str, StoryArticle]
) -> tuple[Counter[str], Counter[str]]:
    """Per actor named in a story (places left out): the articles naming it, its mentions."""
    articles: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    for a in members:
        doc = docs.get(a)
        if doc is None:
            continue
        named = doc.actors + doc.countries
        for place in [k for k in named if k.startswith("place:")]:  # places are no actors
            del named[place]
        articles.update(named.keys())
        mentions.update(named)
    return articles, mentions


def top_actors(
    articles: Mapping[str, int],
    mentions: Mapping[str, int],
    actor_info: Mapping[str, Mapping[str, Any]],
) -> list[dict]:
    """The actors most of a story's articles name (then most mentioned), countries too."""
    top = sorted(articles, key=lambda k: (-articles[k], -mentions.get(k, 0), k))[:STORY_ACTORS]
    return [
        {"id": k, "name": actor_info.get(k, {}).get("name", k),
         "kind": actor_info.get(k, {}).get("kind"), "articles": articles[k]}
        for k in top
    ]  # fmt: skip


def _story_actors(
    members: list[str],
    docs: Mapping[str, StoryArticle],
    actor_info: Mapping[str, Mapping[str, Any]],
) -> list[dict]:
    return top_actors(*story_counts(members, docs), actor_info)


def _story_title(members: list[ArticleInfo]) -> str | None:
    """The first article's title, else its first line (plain-text inputs start with one)."""
    for a in members:
        if a.title:
            return a.title
    for a in members:
        line = next((ln.strip() for ln in (a.text or "").splitlines() if ln.strip()), "")
        if line:
            return line if len(line) <= 120 else line[:119].rstrip() + "…"
    return None


__all__ = ["ArticleInfo", "Correction", "KnowledgeBase", "Linked", "Previous", "link"]
