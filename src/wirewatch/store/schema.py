"""The store's tables (SQLAlchemy Core). Changes go through a migration in ``migrations/``.

Articles and mentions are facts from the analyse stage; actors and events are derived by the
link stage and can be rebuilt from them at any time.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", String, primary_key=True),
    Column("url", Text),
    Column("title", Text),
    Column("outlet", Text),
    Column("published", String),  # ISO 8601 with its original offset
    Column("published_utc", String),  # for sorting and date filters
    Column("language", String),
    Column("text", Text, nullable=False),
    Column("content_hash", String, nullable=False),
    Column("duplicate_of", String),
    Column("story", String),
    Column("source", Text),
    Column("ingested_at", String, nullable=False),
    Column("analysed_with", String),
    Index("ix_articles_content_hash", "content_hash"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", String, primary_key=True),
    Column("article_id", String, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("type", String, nullable=False),
    Column("status", String, nullable=False),
    Column("cameo", String),
    Column("mode", String),
    Column("label", String),
    Column("date_start", String),
    Column("date_end", String),
    Column("location_name", Text),
    Column("location_country", String),
    Column("confidence", Float, nullable=False),
    Column("data", JSON, nullable=False),  # the whole EventMention, spans included
    Column("event_id", String),
    Column("pass_id", String),  # the event-merging pass's cluster, before reconciling dates
    Index("ix_mentions_article", "article_id"),
    Index("ix_mentions_event", "event_id"),
    Index("ix_mentions_pass", "pass_id"),
    Index("ix_mentions_type_label", "type", "label"),
)

mention_actors = Table(
    "mention_actors",
    metadata,
    Column("mention_id", String, ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("role", String, nullable=False),  # source | target | participant | attribution
    Column("surface", Text, nullable=False),
    Column("actor_id", String),
    Index("ix_mention_actors_actor", "actor_id"),
)

entity_mentions = Table(
    "entity_mentions",
    metadata,
    Column("article_id", String, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("data", JSON, nullable=False),  # an ActorMention with role "mention"
    Column("actor_id", String),
    Index("ix_entity_mentions_actor", "actor_id"),
)

actors = Table(
    "actors",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String, nullable=False),
    Column("country", String),
    Column("sector", String),
    Column("stats", JSON),  # {"names": {...}, "countries": {...}}: counts for re-linking
)

actor_aliases = Table(
    "actor_aliases",
    metadata,
    Column("actor_id", String, ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    Column("alias", Text, primary_key=True),
    Column("reason", Text),
)

actor_corrections = Table(
    "actor_corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String, nullable=False),  # merge | split | alias | rename
    Column("actor_id", String, nullable=False),
    Column("value", Text, nullable=False),
    Column("created_at", String, nullable=False),
)

actor_roles = Table(
    "actor_roles",
    metadata,
    Column("actor_id", String, ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    Column("title", Text, primary_key=True),
    Column("first_seen", String),
    Column("last_seen", String),
)

events = Table(
    "events",
    metadata,
    Column("id", String, primary_key=True),
    Column("type", String, nullable=False),
    Column("mode", String),
    Column("context", JSON),
    Column("cameo", String),
    Column("status", String, nullable=False),
    Column("label", String),
    Column("date_start", String),
    Column("date_end", String),
    Column("location_name", Text),
    Column("location_country", String),
    Column("confidence", Float, nullable=False),
    Column("first_published", String),
    Column("story", String),
    Column("contradictions", JSON),
    Index("ix_events_date", "date_start"),
    Index("ix_events_type", "type"),
    Index("ix_events_story", "story"),
)

stories = Table(
    "stories",
    metadata,
    Column("id", String, primary_key=True),
    Column("title", Text),
    Column("first_date", String),
    Column("last_date", String),
    Column("articles", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("actors", JSON),  # [{id, name, kind, articles}], most named first
)

# One row: a counter every write transaction raises, so a server can tell in one cheap read
# whether what it built from the ledger earlier still holds.
ledger_state = Table(
    "ledger_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)


# -- state the incremental link stage keeps (derived, rebuilt by every full relink) --------

link_state = Table(
    "link_state",
    metadata,
    Column("key", String, primary_key=True),  # "needs_full": the next relink must be full
    Column("value", Text),
)

pass_cells = Table(
    "pass_cells",
    metadata,
    # (type, actor key, month) buckets where the merging pass indexes each of its clusters
    Column("cell", String, primary_key=True),
    Column("pass_id", String, primary_key=True),
    Index("ix_pass_cells_pass", "pass_id"),
)

mention_cells = Table(
    "mention_cells",
    metadata,
    # the (type, actor key, month) cells where each mention looks for its event: the mentions
    # a change in a cell can reach, so a resumed pass replays only those
    Column("cell", String, primary_key=True),
    Column("mention_id", String, primary_key=True),
)

actor_bases = Table(
    "actor_bases",
    metadata,
    # actor key of a name before refinement -> its actor; simple: nothing else maps there
    # and all its occurrences do (no split, merge, short form or correction involved)
    Column("base", String, primary_key=True),
    Column("actor_id", String, nullable=False),
    Column("simple", Integer, nullable=False),
    Column("n", Integer, nullable=False),  # organisation occurrences (short-form union sizes)
)

actor_names = Table(
    "actor_names",
    metadata,
    # folded names tagged person or organisation: the kind correction counts them
    Column("fold", String, primary_key=True),
    Column("as_person", Integer, nullable=False),
    Column("as_org", Integer, nullable=False),
)

actor_votes = Table(
    "actor_votes",
    metadata,
    # articles pairing a short form (or acronym) with a long name: the short-form votes
    Column("short", String, primary_key=True),
    Column("target", String, primary_key=True),
    Column("n", Integer, nullable=False),
)

actor_shorts = Table(
    "actor_shorts",
    metadata,
    # per short form, its votes summed up: what picks its long name (a strict majority)
    Column("short", String, primary_key=True),
    Column("total", Integer, nullable=False),
    Column("targets", Integer, nullable=False),
    Column("top", String, nullable=False),  # a target with the most votes
    Column("top_n", Integer, nullable=False),
    Index("ix_actor_shorts_top", "top"),
)

person_state = Table(
    "person_state",
    metadata,
    # a person's name key as the office-holder merge sees it, for those it could merge (a
    # single-holder office) or that were split by office: sightings, countries in the order
    # first seen, offices' first and last days, family names, and the actor it resolved to
    Column("base", String, primary_key=True),
    Column("size", Integer, nullable=False),
    Column("countries", JSON, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("families", JSON, nullable=False),
    Column("root", String, nullable=False),
    Column("split", Integer, nullable=False),
)

person_families = Table(
    "person_families",
    metadata,
    # family name -> the person_state rows whose names carry it (office-holder candidates)
    Column("family", String, primary_key=True),
    Column("base", String, primary_key=True),
)

story_docs = Table(
    "story_docs",
    metadata,
    # what story grouping knows of an article, so a relink does not re-read every text
    Column(
        "article_id", String, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),  # fmt: skip
    Column("words", JSON, nullable=False),
    Column("actors", JSON, nullable=False),
    Column("countries", JSON, nullable=False),
    Column("events", JSON),  # multi-article events, by event id
)

story_terms = Table(
    "story_terms",
    metadata,
    # articles whose story terms include this one ("w:", "a:", "e:" block prefixes): the IDF
    Column("term", String, primary_key=True),
    Column("df", Integer, nullable=False),
)

story_actors = Table(
    "story_actors",
    metadata,
    # per actor named in a story: the articles naming it and its mentions (the story's actors
    # are its top rows, read through the index however many actors a long story names)
    Column("story_id", String, primary_key=True),
    Column("actor_id", String, primary_key=True),
    Column("articles", Integer, nullable=False),
    Column("mentions", Integer, nullable=False),
    Index("ix_story_actors_top", "story_id", "articles", "mentions"),
)

story_sums = Table(
    "story_sums",
    metadata,
    # a story's summed vectors over its latest members, weighed when the store had n_at
    # articles, and the counts of its members' telling terms (what story scoring reads)
    Column("story_id", String, primary_key=True),
    Column("n_at", Integer, nullable=False),
    Column("members", Integer, nullable=False),
    Column("last", String, nullable=False),
    Column("sums", JSON, nullable=False),
    Column("keys", JSON, nullable=False),
)

story_postings = Table(
    "story_postings",
    metadata,
    # the stories that most recently took an article with this telling term (a few per term)
    Column("term", String, primary_key=True),
    Column("story_id", String, primary_key=True),
    Column("seq", Integer, nullable=False),
    Index("ix_story_postings_story", "story_id"),
)
