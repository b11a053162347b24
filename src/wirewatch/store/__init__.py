"""Store: SQL through SQLAlchemy Core; SQLite by default (one file, WAL), PostgreSQL by URL.

The schema is versioned with Alembic from the first release; opening a store upgrades it.
Every write of an article happens in one transaction with its mentions, so a crash never
leaves half an article behind.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from wirewatch.config import database_url

if TYPE_CHECKING:
    from wirewatch.link import ArticleInfo, Linked, Previous
    from wirewatch.link.actors import Correction
    from wirewatch.link.stories import StoryArticle
    from wirewatch.store.records import ReadCache
from wirewatch.errors import Code, WirewatchError
from wirewatch.model import ActorMention, Article, EventMention, actor_from_dict
from wirewatch.store import fts, schema
from wirewatch.store.schema import (
    actor_aliases,
    actor_bases,
    actor_corrections,
    actor_names,
    actor_roles,
    actor_shorts,
    actor_votes,
    actors,
    articles,
    entity_mentions,
    events,
    ledger_state,
    link_state,
    mention_actors,
    mention_cells,
    mentions,
    pass_cells,
    person_families,
    person_state,
    stories,
    story_actors,
    story_docs,
    story_postings,
    story_sums,
    story_terms,
)

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


MMAP_SIZE = 0x7FFF0000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module only opens a transaction before DML, so DDL (a migration) would run
    # in autocommit and a kill mid-migration would leave half a schema. Hand transaction
    # control to SQLAlchemy instead (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # A writer waits its turn behind a relink of a large store rather than fail; first, as
    # the journal-mode pragma below already needs the file (the sqlite3 default waits 5 s,
    # and another process's relink may hold it longer).
    cursor.execute("PRAGMA busy_timeout=300000")
    _enter_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads through a memory map of the file (up to SQLite's usual cap of ~2 GB) instead of
    # copying each page into a small per-connection cache: ~30% less CPU on the server's
    # index-heavy queries over a 100k-event store. Writes still go through the WAL.
    cursor.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
    cursor.close()


# How long a connection retries the switch to WAL before it gives up.
WAL_SWITCH_SECONDS = 60.0


def _enter_wal(cursor: Any) -> None:
    # Processes opening a new file at once each hold a read lock and want the write lock for the
    # switch; SQLite answers "locked" at once rather than call the busy handler, as waiting
    # there could deadlock. Letting go and asking again breaks the tie.
    deadline = time.monotonic() + WAL_SWITCH_SECONDS
    pause = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause * (1 + random.random()))
        pause = min(pause * 2, 0.1)


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock at BEGIN (IMMEDIATE): a deferred transaction that reads,
    # then writes, fails at once if another writer committed in between.
    mode = conn.get_execution_options().get("wirewatch_begin", "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


# One advisory lock serialises writers on PostgreSQL, as SQLite's write lock does.
_PG_WRITE_LOCK = 0x77697265  # "wire"


class Store:
    """The ledger on disk. Create with ``Store.open(db)``; ``db`` is a path or a SQLAlchemy URL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Set by a server: what it built from the ledger, reused while the ledger version holds.
        self.read_cache: ReadCache | None = None
        # The connection of the snapshot or write transaction this context is in, if any.
        # (connection, is a write, the ledger version once a snapshot has read it)
        self._pinned: ContextVar[tuple[Connection, bool, int | None] | None] = ContextVar(
            "pinned", default=None
        )
        self.migrate()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading: the enclosing ``snapshot()``'s or ``write()``'s, else a new
        one."""
        pinned = self._pinned.get()
        if pinned is not None:
            yield pinned[0]
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every ``connect()`` inside reads one state of the ledger, so an answer built from
        several queries never mixes the ledger before and after a relink."""
        if self._pinned.get() is not None:
            yield
            return
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            token = self._pinned.set((conn, False, None))
            try:
                with conn.begin():
                    yield
            finally:
                self._pinned.reset(token)

    def in_snapshot(self) -> bool:
        """Whether this context reads inside a read-only ``snapshot()``."""
        pinned = self._pinned.get()
        return pinned is not None and not pinned[1]

    @contextmanager
    def write(self, _count: bool = True) -> Iterator[Connection]:
        """One write transaction, with the store's write lock held from its start, so writers
        from several processes take turns (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
        lock). Reads and writes nested inside use the same transaction. It raises the ledger
        version (``ledger_version``), so caches of what was read before know to drop it."""
        pinned = self._pinned.get()
        if pinned is not None:
            if not pinned[1]:
                raise RuntimeError("a write inside a read-only snapshot")
            yield pinned[0]
            return
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn = conn.execution_options(wirewatch_begin="IMMEDIATE")
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(_PG_WRITE_LOCK)))
                if _count:
                    conn.execute(update(ledger_state).values(version=ledger_state.c.version + 1))
                token = self._pinned.set((conn, True, None))
                try:
                    yield conn
                finally:
                    self._pinned.reset(token)

    @classmethod
    def open(cls, db: str | None = None, connections: int | None = None) -> Store:
        """``connections``: how many pooled connections to keep open (a server sets it to its
        thread count: with fewer, each request beyond the pool opened a new connection, and a
        new SQLite connection re-reads the schema before its first answer)."""
        url = database_url(db)
        pool: dict[str, Any] = {}
        if connections is not None:
            pool = {"pool_size": connections, "max_overflow": connections}
        try:
            engine = create_engine(
                url, future=True, json_serializer=_json_dumps, json_deserializer=orjson.loads,
                **pool,
            )  # fmt: skip
        except (ArgumentError, NoSuchModuleError) as exc:
            raise WirewatchError(Code.E020, url=url, detail=str(exc)) from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        return cls(engine)

    # -- schema -------------------------------------------------------------------------------

    def migrate(self) -> None:
        script = ScriptDirectory(str(MIGRATIONS))
        head = script.get_current_head()
        known = {rev.revision for rev in script.walk_revisions()}
        # A look first, without the write lock: a reader must not wait for a running ingest.
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return
        # Then again under the lock, as another process may have won; the version counter may
        # not exist yet.
        with self.write(_count=False) as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current is not None and current not in known:
                raise WirewatchError(Code.E021, found=current)
            if current != head:
                command.upgrade(_alembic_config(conn), "head")

    def ledger_version(self) -> int:
        """The count of write transactions committed (as seen by the enclosing snapshot, which
        reads it once: it cannot change inside one)."""
        pinned = self._pinned.get()
        if pinned is not None and not pinned[1] and pinned[2] is not None:
            return pinned[2]
        with self.connect() as conn:
            version = int(conn.execute(select(ledger_state.c.version)).scalar_one())
        if pinned is not None and not pinned[1]:
            self._pinned.set((pinned[0], False, version))
        return version

    def version_probe(self, connect_now: bool = True) -> VersionProbe:
        """A cheap reader of the latest committed ledger version (see ``VersionProbe``)."""
        return VersionProbe(self, connect_now)

    def schema_version(self) -> str | None:
        with self.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    # -- articles and mentions ---------------------------------------------------------------

    def article_hashes(self, ids: Iterable[str]) -> dict[str, str]:
        ids = list(ids)
        if not ids:
            return {}
        with self.connect() as conn:
            rows = conn.execute(
                select(articles.c.id, articles.c.content_hash).where(articles.c.id.in_(ids))
            )
            return {row.id: row.content_hash for row in rows}

    def originals_by_hash(self, hashes: Iterable[str]) -> dict[str, str]:
        """The id of the first stored, non-duplicate article with each content hash."""
        hashes = list(set(hashes))
        if not hashes:
            return {}
        with self.connect() as conn:
            rows = conn.execute(
                select(articles.c.id, articles.c.content_hash)
                .where(articles.c.content_hash.in_(hashes), articles.c.duplicate_of.is_(None))
                .order_by(articles.c.ingested_at, articles.c.id)
            )
            found: dict[str, str] = {}
            for row in rows:
                found.setdefault(row.content_hash, row.id)
            return found

    def save_batch(
        self,
        items: Sequence[tuple[Article, Sequence[EventMention]]],
        analysed_with: str,
        entities: Mapping[str, Sequence[ActorMention]] | None = None,
    ) -> list[str]:
        """Write articles with their mentions in one transaction; an article already stored
        under the same id is replaced (its mentions with it).

        Returns the ids of articles that turned out to be copies of an original another
        writer stored meanwhile: they are stored as duplicates, without their mentions."""
        if not items:
            return []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.write() as conn:
            # Checked again under the write lock: two ingests may have read the store before
            # either stored its copy of the same text.
            originals = self.originals_by_hash(
                a.content_hash for a, _ in items if a.duplicate_of is None
            )
            late_copies = []
            for article, _ in items:
                original = originals.get(article.content_hash)
                if article.duplicate_of is None and original not in (None, article.id):
                    article.duplicate_of = original
                    late_copies.append(article.id)
            if late_copies:
                dropped = set(late_copies)
                items = [(a, [] if a.id in dropped else ms) for a, ms in items]
                entities = {k: v for k, v in (entities or {}).items() if k not in dropped}
            ids = [article.id for article, _ in items]
            if self.article_hashes(ids):
                # A changed article takes its old mentions with it: the links that used
                # them are rebuilt by a full relink.
                self._set_state(conn, "needs_full", "1")
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # PostgreSQL's text index follows the table by itself
                replaced = select(mentions.c.id).where(mentions.c.article_id.in_(ids))
                fts.sqlite_unindex(conn, conn.execute(replaced).scalars().all())
            conn.execute(delete(articles).where(articles.c.id.in_(ids)))
            _executemany(
                conn,
                insert(articles),
                [_article_row(article, now, analysed_with) for article, _ in items],
            )
            mention_rows = [_mention_row(m) for _, ms in items for m in ms]
            if mention_rows:
                conn.execute(insert(mentions), mention_rows)
                if sqlite:
                    fts.sqlite_index(conn, mention_rows)
            actor_rows = [
                {"mention_id": m.id, "position": n, "role": a.role, "surface": a.surface}
                for _, ms in items
                for m in ms
                for n, a in enumerate([*m.actors, *m.attributed_to])
            ]
            if actor_rows:
                _executemany(conn, insert(mention_actors), actor_rows)
            entity_rows = [
                {"article_id": aid, "position": n, "data": e}  # a dataclass: orjson writes it
                for aid, es in (entities or {}).items()
                for n, e in enumerate(es)
            ]
            if entity_rows:
                conn.execute(insert(entity_mentions), entity_rows)
        return late_copies

    def iter_mentions(self) -> Iterator[EventMention]:
        """Every stored mention of a non-duplicate article, in a repeatable order."""
        with self.connect() as conn:
            rows = _fast_rows(conn,
                select(mentions.c.data)
                .join(articles, articles.c.id == mentions.c.article_id)
                .where(articles.c.duplicate_of.is_(None))
                .order_by(
                    func.coalesce(articles.c.published_utc, ""),
                    mentions.c.article_id,
                    mentions.c.idx,
                )
            )  # fmt: skip
            for (data,) in rows:
                yield EventMention.from_dict(data)

    def iter_entities(self) -> Iterator[tuple[str, int, ActorMention, str | None]]:
        """Every actor-like name of non-duplicate articles:
        (article id, position, mention, publication date)."""
        with self.connect() as conn:
            rows = _fast_rows(conn,
                select(
                    entity_mentions.c.article_id,
                    entity_mentions.c.position,
                    entity_mentions.c.data,
                    articles.c.published,
                )
                .join(articles, articles.c.id == entity_mentions.c.article_id)
                .where(articles.c.duplicate_of.is_(None))
                .order_by(
                    func.coalesce(articles.c.published_utc, ""),
                    entity_mentions.c.article_id,
                    entity_mentions.c.position,
                )
            )  # fmt: skip
            for article_id, position, data, published in rows:
                yield article_id, position, actor_from_dict(data), published

    def add_correction(self, action: str, actor_id: str, value: str) -> None:
        with self.write() as conn:
            self._set_state(conn, "needs_full", "1")
            conn.execute(
                insert(actor_corrections).values(
                    action=action, actor_id=actor_id, value=value,
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )  # fmt: skip

    def corrections(self) -> list[Correction]:
        """User corrections in the order they were made (later ones win)."""
        with self.connect() as conn:
            rows = conn.execute(select(actor_corrections).order_by(actor_corrections.c.id))
            from wirewatch.link.actors import Correction

            return [Correction(r.action, r.actor_id, r.value) for r in rows]

    def article_infos(self) -> list[ArticleInfo]:
        """Non-duplicate articles in publication order (undated last), for the linker
        (the text feeds story grouping)."""
        from wirewatch.link import ArticleInfo

        with self.connect() as conn:
            rows = conn.execute(
                select(articles.c.id, articles.c.title, articles.c.published, articles.c.text)
                .where(articles.c.duplicate_of.is_(None))
                .order_by(
                    articles.c.published_utc.is_(None), articles.c.published_utc, articles.c.id
                )
            )
            return [ArticleInfo(r.id, r.title, r.published, r.text) for r in rows]

    def previous_links(self) -> Previous:
        """Event and story ids of the last link run, to keep them stable."""
        from wirewatch.link import Previous

        with self.connect() as conn:
            ev = conn.execute(
                select(mentions.c.id, mentions.c.event_id).where(mentions.c.event_id.is_not(None))
            )
            st = conn.execute(
                select(articles.c.id, articles.c.story).where(articles.c.story.is_not(None))
            )
            return Previous({r[0]: r[1] for r in ev}, {r[0]: r[1] for r in st})

    def article_count(self) -> int:
        with self.connect() as conn:
            return len(conn.execute(select(articles.c.id)).all())

    # -- derived tables (link stage) ---------------------------------------------------------

    def replace_links(self, linked: Linked) -> None:
        """Swap in the link stage's actors and events in one transaction, so readers see
        either the old ledger or the new one, never a mix."""
        with self.write() as conn:
            for table in (actor_roles, actor_aliases, events, actors, stories):
                conn.execute(delete(table))
            if linked.stories:
                conn.execute(insert(stories), linked.stories)
            story_of = {(a,): s for a, s in linked.article_stories.items()}
            # A syndicated copy belongs to its original's story.
            originals = linked.article_stories
            copies = conn.execute(
                select(articles.c.id, articles.c.duplicate_of).where(
                    articles.c.duplicate_of.is_not(None)
                )
            ).all()
            story_of.update({
                (c.id,): originals[c.duplicate_of] for c in copies if c.duplicate_of in originals
            })  # fmt: skip
            _reassign(conn, articles, ("id",), "story", story_of)
            if linked.actors:
                conn.execute(insert(actors), linked.actors)
            _insert(conn, actor_aliases, linked.aliases)
            _insert(conn, actor_roles, linked.roles)
            if linked.events:
                conn.execute(insert(events), linked.events)
            _reassign(conn, mentions, ("id",), "event_id", {
                (mention_id,): event_id
                for event_id, mention_ids in linked.event_mentions.items()
                for mention_id in mention_ids
            })  # fmt: skip
            _reassign(conn, entity_mentions, ("article_id", "position"), "actor_id",
                    linked.entity_actor_ids)  # fmt: skip
            _reassign(conn, mention_actors, ("mention_id", "position"), "actor_id",
                    linked.mention_actor_ids)  # fmt: skip
            self._write_link_state(conn, linked)

    def _write_link_state(self, conn: Connection, linked: Linked) -> None:
        """The state an incremental relink resumes from (``link.incremental``)."""
        from wirewatch.link.incremental import short_summaries

        for table in (pass_cells, mention_cells, actor_bases, actor_names, actor_votes,
                      actor_shorts, person_state, person_families, story_docs):  # fmt: skip
            conn.execute(delete(table))
        _reassign(conn, mentions, ("id",), "pass_id", {(m,): p for m, p in linked.passes.items()})
        _insert(conn, pass_cells, [{"cell": c, "pass_id": p} for c, p in linked.pass_cells])
        _insert(conn, mention_cells,
                [{"cell": c, "mention_id": m} for c, m in linked.mention_cells])  # fmt: skip
        state = linked.actor_state
        if state is not None:
            _insert(conn, actor_bases, [
                {"base": b, "actor_id": a, "simple": int(simple), "n": n}
                for b, (a, simple, n) in state.bases.items()
            ])  # fmt: skip
            _insert(conn, actor_names, [
                {"fold": f, "as_person": c[0], "as_org": c[1]} for f, c in state.names.items()
            ])  # fmt: skip
            _insert(conn, person_state, list(state.holders.values()))
            _insert(conn, person_families, [
                {"family": f, "base": b} for b, r in state.holders.items() for f in r["families"]
            ])  # fmt: skip
            _insert(conn, actor_votes, [
                {"short": k[0], "target": k[1], "n": n} for k, n in state.votes.items()
            ])  # fmt: skip
            _insert(conn, actor_shorts, _short_rows(short_summaries(state.votes)))
            _assign(conn, actors, ("id",), "stats",
                    {(a,): st for a, st in state.stats.items()})  # fmt: skip
        known = set(conn.execute(select(articles.c.id)).scalars())
        _insert(conn, story_docs, [
            _story_doc_row(d) for d in linked.story_docs.values() if d.id in known
        ])  # fmt: skip
        for table in (story_terms, story_postings, story_actors, story_sums):
            conn.execute(delete(table))
        _insert(conn, story_sums, linked.story_sums)
        _insert(conn, story_actors, [
            {"story_id": sid, "actor_id": a, "articles": n, "mentions": c["mentions"].get(a, 0)}
            for sid, c in linked.story_stats.items() for a, n in c["articles"].items()
        ])  # fmt: skip
        _insert(conn, story_terms, [{"term": t, "df": n} for t, n in linked.story_df.items()])
        _insert(conn, story_postings, [
            {"term": t, "story_id": sid, "seq": q} for t, sid, q in linked.story_postings
        ])  # fmt: skip
        self._set_state(conn, "story_n", str(len(linked.story_docs)))
        self._set_state(conn, "story_seq", str(len(linked.story_docs)))
        threshold = linked.story_threshold
        self._set_state(conn, "story_threshold", None if threshold is None else repr(threshold))
        self._set_state(conn, "story_full_n", str(len(linked.story_docs)))
        self._set_state(conn, "events", str(len(linked.events)))
        self._set_state(conn, "needs_full", None)

    # -- incremental linking (see wirewatch.link.incremental) ------------------------------

    def _set_state(self, conn: Connection, key: str, value: str | None) -> None:
        conn.execute(delete(link_state).where(link_state.c.key == key))
        if value is not None:
            conn.execute(insert(link_state).values(key=key, value=value))

    def link_state(self) -> dict[str, str]:
        with self.connect() as conn:
            return {r.key: r.value for r in conn.execute(select(link_state))}

    def pending_articles(self) -> tuple[list[str], int]:
        """Non-duplicate articles no relink has seen yet (no story), in store order, and the
        number of non-duplicate articles (the linked ones as the link state counts them, so
        the table is not counted: ``story_n``)."""
        linked = self.link_state().get("story_n")
        with self.connect() as conn:
            ids = conn.execute(
                select(articles.c.id)
                .where(articles.c.duplicate_of.is_(None), articles.c.story.is_(None))
                .order_by(
                    articles.c.published_utc.is_(None), articles.c.published_utc, articles.c.id
                )
            ).scalars()
            pending = list(ids)
            if linked is not None:
                return pending, int(linked) + len(pending)
            total = conn.execute(
                select(func.count()).select_from(articles).where(articles.c.duplicate_of.is_(None))
            ).scalar_one()
        return pending, int(total)

    def article_order(self) -> list[str]:
        """Non-duplicate article ids in the linker's story order (publication, undated last)."""
        with self.connect() as conn:
            return list(
                conn.execute(
                    select(articles.c.id)
                    .where(articles.c.duplicate_of.is_(None))
                    .order_by(
                        articles.c.published_utc.is_(None),
                        articles.c.published_utc,
                        articles.c.id,
                    )  # fmt: skip
                ).scalars()
            )

    def article_infos_for(self, ids: Sequence[str]) -> list[ArticleInfo]:
        from wirewatch.link import ArticleInfo

        out: dict[str, ArticleInfo] = {}
        with self.connect() as conn:
            for chunk in chunks(ids):
                q = select(articles.c.id, articles.c.title, articles.c.published, articles.c.text)
                for r in conn.execute(q.where(articles.c.id.in_(chunk))):
                    out[r.id] = ArticleInfo(r.id, r.title, r.published, r.text)
        return [out[i] for i in ids if i in out]

    def article_titles(self, ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """id -> (title, published), without the text."""
        out: dict[str, tuple[str | None, str | None]] = {}
        with self.connect() as conn:
            for chunk in chunks(ids):
                q = select(articles.c.id, articles.c.title, articles.c.published)
                for r in conn.execute(q.where(articles.c.id.in_(chunk))):
                    out[r.id] = (r.title, r.published)
        return out

    def _positioned(
        self, conn: Connection, where: Any
    ) -> list[tuple[tuple[str, str, int], EventMention, str | None, str | None]]:
        """(position, mention with its actors' ids, pass id, event id) of non-duplicate
        articles' mentions; actors carry what the last relink gave them."""
        rows = list(_fast_rows(conn,
            select(
                mentions.c.data, mentions.c.pass_id, mentions.c.event_id, articles.c.published_utc
            )
            .join(articles, articles.c.id == mentions.c.article_id)
            .where(articles.c.duplicate_of.is_(None), where)
        ))  # fmt: skip
        out = []
        for data, pass_id, event_id, published_utc in rows:
            m = EventMention.from_dict(data)
            out.append(((published_utc or "", m.article, m.index), m, pass_id, event_id))
        self._hydrate(conn, [m for _, m, _, _ in out])
        return out

    def _hydrate(self, conn: Connection, ms: Sequence[EventMention]) -> None:
        """Set each actor's id, its inherited country and corrected kind, as the relink that
        linked it left them."""
        by_id = {m.id: m for m in ms}
        ids: dict[tuple[str, int], str] = {}
        for chunk in chunks(list(by_id)):
            q = select(mention_actors.c.mention_id, mention_actors.c.position,
                       mention_actors.c.actor_id)  # fmt: skip
            for r in conn.execute(q.where(mention_actors.c.mention_id.in_(chunk))):
                if r.actor_id:
                    ids[(r.mention_id, r.position)] = r.actor_id
        info = {}
        for chunk in chunks(sorted(set(ids.values()))):
            q = select(actors.c.id, actors.c.kind, actors.c.country)
            for r in conn.execute(q.where(actors.c.id.in_(chunk))):
                info[r.id] = (r.kind, r.country)
        for m in ms:
            for pos, a in enumerate([*m.actors, *m.attributed_to]):
                if a.kind is None:  # a place: its id is stored, but the relink leaves it None
                    continue
                a.id = ids.get((m.id, pos))
                kind, country = info.get(a.id or "", (None, None))
                if (a.kind == "person" and kind not in (None, "person") and not a.kb_id
                        and not a.title):  # fmt: skip
                    a.kind = "organization"
                if not a.country and a.id in info:
                    a.country = country

    def mentions_of_articles(
        self, ids: Sequence[str]
    ) -> list[tuple[tuple[str, str, int], EventMention]]:
        with self.connect() as conn:
            out = []
            for chunk in chunks(ids):
                rows = _fast_rows(conn,
                    select(mentions.c.data, articles.c.published_utc)
                    .join(articles, articles.c.id == mentions.c.article_id)
                    .where(mentions.c.article_id.in_(chunk))
                )  # fmt: skip
                for data, published_utc in rows:
                    m = EventMention.from_dict(data)
                    out.append(((published_utc or "", m.article, m.index), m))
        out.sort(key=lambda pm: pm[0])
        return out

    def entities_of_articles(
        self, ids: Sequence[str]
    ) -> list[tuple[str, int, ActorMention, str | None]]:
        """Their entities in the order ``iter_entities`` gives them."""
        rows: list[Any] = []
        with self.connect() as conn:
            for chunk in chunks(ids):
                rows.extend(_fast_rows(conn,
                    select(entity_mentions.c.article_id, entity_mentions.c.position,
                           entity_mentions.c.data, articles.c.published,
                           articles.c.published_utc)
                    .join(articles, articles.c.id == entity_mentions.c.article_id)
                    .where(entity_mentions.c.article_id.in_(chunk))
                ))  # fmt: skip
        # (article id, position, data, published, published_utc)
        rows.sort(key=lambda r: (r[4] or "", r[0], r[1]))
        return [(r[0], r[1], actor_from_dict(r[2]), r[3]) for r in rows]

    def mentions_querying(
        self, cells: Iterable[str], after: tuple[str, str, int]
    ) -> list[tuple[tuple[str, str, int], EventMention, str | None]]:
        """Mentions after ``after`` in store order that look in one of these cells."""
        out: dict[str, tuple[tuple[str, str, int], EventMention, str | None]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(cells))):
                ids = select(mention_cells.c.mention_id).where(mention_cells.c.cell.in_(chunk))
                where: Any = mentions.c.id.in_(ids)
                if after[0]:
                    where = and_(where, articles.c.published_utc >= after[0])
                for p, m, pid, _ in self._positioned(conn, where):
                    if p > after:
                        out[m.id] = (p, m, pid)
        return list(out.values())

    def pass_cells_of(self, passes: Iterable[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(passes))):
                q = select(pass_cells).where(pass_cells.c.pass_id.in_(chunk))
                for r in conn.execute(q):
                    out.setdefault(r.pass_id, set()).add(r.cell)
        return out

    def passes_at(self, cells: Iterable[str]) -> set[str]:
        found: set[str] = set()
        with self.connect() as conn:
            for chunk in chunks(sorted(cells)):
                q = select(pass_cells.c.pass_id).where(pass_cells.c.cell.in_(chunk))
                found.update(conn.execute(q).scalars())
        return found

    def pass_members(
        self, passes: Iterable[str]
    ) -> list[tuple[tuple[str, str, int], EventMention, str]]:
        out = []
        with self.connect() as conn:
            for chunk in chunks(sorted(passes)):
                for p, m, pid, _ in self._positioned(conn, mentions.c.pass_id.in_(chunk)):
                    out.append((p, m, pid or ""))
        return out

    def passes_labelled(self, groups: Iterable[tuple[str, str]]) -> set[str]:
        found: set[str] = set()
        with self.connect() as conn:
            for chunk in chunks(sorted(groups), 200):
                q = select(mentions.c.pass_id).where(
                    tuple_(mentions.c.type, mentions.c.label).in_(chunk),
                    mentions.c.pass_id.is_not(None),
                )
                found.update(conn.execute(q).scalars())
        return found

    def event_ids_of_mentions(self, ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(ids)):
                q = select(mentions.c.id, mentions.c.event_id).where(mentions.c.id.in_(chunk))
                out.update({r.id: r.event_id for r in conn.execute(q) if r.event_id})
        return out

    def existing_event_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        with self.connect() as conn:
            for chunk in chunks(sorted(ids)):
                found.update(conn.execute(select(events.c.id).where(events.c.id.in_(chunk)))
                             .scalars())  # fmt: skip
        return found

    def event_count(self) -> int:
        """The number of events: kept in the link state by relinks (``events``), so an
        increment does not count the table; counted when the state has none."""
        known = self.link_state().get("events")
        if known is not None:
            return int(known)
        with self.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(events)).scalar_one())

    # actors

    def actor_bases(self, bases: Iterable[str]) -> dict[str, tuple[str, bool, int]]:
        out: dict[str, tuple[str, bool, int]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(bases)):
                for r in conn.execute(select(actor_bases).where(actor_bases.c.base.in_(chunk))):
                    out[r.base] = (r.actor_id, bool(r.simple), r.n)
        return out

    def actor_vote_counts(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The stored votes of these (short form, long name) pairs (one primary-key lookup
        each: SQLite scans the table for a row-value IN list)."""
        out: dict[tuple[str, str], int] = {}
        q = select(actor_votes.c.n).where(
            actor_votes.c.short == bindparam("s"), actor_votes.c.target == bindparam("t")
        )
        with self.connect() as conn:
            for short, target in sorted(set(pairs)):
                n = conn.execute(q, {"s": short, "t": target}).scalar()
                if n is not None:
                    out[(short, target)] = int(n)
        return out

    def actor_shorts(self, shorts: Iterable[str]) -> dict[str, tuple[int, int, str, int]]:
        """short form -> (votes, long names, a long name with the most votes, its votes)."""
        return self._shorts(actor_shorts.c.short, shorts)

    def actor_shorts_by_top(self, targets: Iterable[str]) -> dict[str, tuple[int, int, str, int]]:
        """The short forms whose most-voted long name is one of these (``actor_shorts``)."""
        return self._shorts(actor_shorts.c.top, targets)

    def _shorts(self, column: Any, keys: Iterable[str]) -> dict[str, tuple[int, int, str, int]]:
        out: dict[str, tuple[int, int, str, int]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(keys))):
                for r in conn.execute(select(actor_shorts).where(column.in_(chunk))):
                    out[r.short] = (r.total, r.targets, r.top, r.top_n)
        return out

    def actor_name_counts(self, folds: Iterable[str]) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(folds)):
                for r in conn.execute(select(actor_names).where(actor_names.c.fold.in_(chunk))):
                    out[r.fold] = (r.as_person, r.as_org)
        return out

    def person_rows(self, bases: Iterable[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(bases))):
                for r in conn.execute(select(person_state).where(person_state.c.base.in_(chunk))):
                    out[r.base] = dict(r._mapping)
        return out

    def persons_by_family(self, families: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The person_state rows of names carrying one of these family names."""
        bases: set[str] = set()
        with self.connect() as conn:
            for chunk in chunks(sorted(set(families))):
                q = select(person_families.c.base).where(person_families.c.family.in_(chunk))
                bases.update(conn.execute(q).scalars())
        return self.person_rows(bases)

    def actor_rows_for(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(ids)):
                for r in conn.execute(select(actors).where(actors.c.id.in_(chunk))):
                    out[r.id] = dict(r._mapping)
        return out

    def occurrences_of(self, actor_ids: Iterable[str]) -> tuple[list[Any], list[Any]]:
        """Every stored occurrence of these actors in non-duplicate articles, as the last
        relink assigned them: (mention actors: mention_id, position, actor_id, data, pass_id,
        published_utc; names: article_id, position, actor_id, data, published)."""
        in_mentions: list[Any] = []
        names: list[Any] = []
        with self.connect() as conn:
            for chunk in chunks(sorted(set(actor_ids))):
                q = (
                    select(mention_actors.c.mention_id, mention_actors.c.position,
                           mention_actors.c.actor_id, mentions.c.data, mentions.c.pass_id,
                           articles.c.published_utc)
                    .join(mentions, mentions.c.id == mention_actors.c.mention_id)
                    .join(articles, articles.c.id == mentions.c.article_id)
                    .where(mention_actors.c.actor_id.in_(chunk),
                           articles.c.duplicate_of.is_(None))
                )  # fmt: skip
                in_mentions += conn.execute(q).all()
                q = (
                    select(entity_mentions.c.article_id, entity_mentions.c.position,
                           entity_mentions.c.actor_id, entity_mentions.c.data,
                           articles.c.published)
                    .join(articles, articles.c.id == entity_mentions.c.article_id)
                    .where(entity_mentions.c.actor_id.in_(chunk),
                           articles.c.duplicate_of.is_(None))
                )  # fmt: skip
                names += conn.execute(q).all()
        return in_mentions, names

    def alias_rows_for(self, ids: Iterable[str]) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(ids)):
                q = select(actor_aliases).where(actor_aliases.c.actor_id.in_(chunk))
                out.update({(r.actor_id, r.alias): r.reason for r in conn.execute(q)})
        return out

    def role_rows_for(self, ids: Iterable[str]) -> dict[tuple[str, str], tuple[str, str]]:
        out: dict[tuple[str, str], tuple[str, str]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(ids)):
                q = select(actor_roles).where(actor_roles.c.actor_id.in_(chunk))
                out.update(
                    {(r.actor_id, r.title): (r.first_seen, r.last_seen) for r in conn.execute(q)}
                )
        return out

    def actor_kinds(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """id -> {id, name, kind}, for story rows."""
        out: dict[str, dict[str, Any]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(ids)):
                q = select(actors.c.id, actors.c.name, actors.c.kind)
                for r in conn.execute(q.where(actors.c.id.in_(chunk))):
                    out[r.id] = {"id": r.id, "name": r.name, "kind": r.kind}
        return out

    # stories

    def story_doc_rows(self) -> dict[str, StoryArticle]:
        from wirewatch.link.stories import StoryArticle

        with self.connect() as conn:
            rows = conn.execute(select(story_docs)).all()
        return {
            r.article_id: StoryArticle(
                r.article_id, Counter(r.words), Counter(r.actors), Counter(), Counter(r.countries)
            )
            for r in rows
        }

    def mention_events(self) -> list[tuple[tuple[str, str, int], str, str | None]]:
        """(position, article, event) of every non-duplicate mention."""
        with self.connect() as conn:
            rows = conn.execute(
                select(
                    articles.c.published_utc,
                    mentions.c.article_id,
                    mentions.c.idx,
                    mentions.c.event_id,
                )  # fmt: skip
                .join(articles, articles.c.id == mentions.c.article_id)
                .where(articles.c.duplicate_of.is_(None))
            ).all()
        return [((r.published_utc or "", r.article_id, r.idx), r.article_id, r.event_id)
                for r in rows]  # fmt: skip

    def event_dates(self) -> dict[str, tuple[str | None, str | None, str | None]]:
        """event id -> (date_start, date_end, story)."""
        with self.connect() as conn:
            rows = conn.execute(
                select(events.c.id, events.c.date_start, events.c.date_end, events.c.story)
            ).all()
        return {r.id: (r.date_start, r.date_end, r.story) for r in rows}

    def story_rows(self) -> dict[str, dict[str, Any]]:
        with self.connect() as conn:
            return {r.id: dict(r._mapping) for r in conn.execute(select(stories))}

    def article_story_map(self) -> dict[str, str | None]:
        with self.connect() as conn:
            rows = conn.execute(
                select(articles.c.id, articles.c.story).where(articles.c.duplicate_of.is_(None))
            )
            return {r.id: r.story for r in rows}

    def story_df(self, terms: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(terms), 2000):
                q = select(story_terms.c.term, story_terms.c.df)
                rows = conn.execute(q.where(story_terms.c.term.in_(chunk)))
                out.update({r.term: r.df for r in rows})
        return out

    def story_docs_for(self, ids: Iterable[str]) -> dict[str, StoryArticle]:
        from wirewatch.link.stories import StoryArticle

        out: dict[str, StoryArticle] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                for r in conn.execute(select(story_docs).where(story_docs.c.article_id.in_(chunk))):
                    out[r.article_id] = StoryArticle(
                        r.article_id, Counter(r.words), Counter(r.actors),
                        Counter(r.events or {}), Counter(r.countries),
                    )  # fmt: skip
        return out

    def story_members(
        self, story_ids: Iterable[str]
    ) -> dict[str, list[tuple[str, tuple[int, str, str]]]]:
        """story -> its non-duplicate articles with their story-order keys, in that order."""
        out: dict[str, list[tuple[str, tuple[int, str, str]]]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(story_ids))):
                q = select(articles.c.id, articles.c.story, articles.c.published_utc).where(
                    articles.c.story.in_(chunk), articles.c.duplicate_of.is_(None)
                )
                for r in conn.execute(q):
                    key = (int(r.published_utc is None), r.published_utc or "", r.id)
                    out.setdefault(r.story, []).append((r.id, key))
        for rows in out.values():
            rows.sort(key=lambda t: t[1])
        return out

    def story_ends(
        self, story_ids: Iterable[str], head: int, tail: int
    ) -> dict[str, tuple[int, list[tuple[str, tuple[int, str, str]]],
                         list[tuple[str, tuple[int, str, str]]]]]:  # fmt: skip
        """story -> (its non-duplicate articles, the first ``head`` and the latest ``tail``
        of them with their story-order keys, in that order): index ranges of
        ix_articles_story_published, however long the story (dated ones first, undated last,
        as ``article_infos`` orders them)."""
        out = {}
        sizes: dict[str, int] = {}
        ids = sorted(set(story_ids))
        with self.connect() as conn:
            for chunk in chunks(ids):
                q = select(stories.c.id, stories.c.articles).where(stories.c.id.in_(chunk))
                sizes.update({r.id: int(r.articles) for r in conn.execute(q)})
            base = select(articles.c.id, articles.c.published_utc).where(
                articles.c.duplicate_of.is_(None)
            )
            dated = articles.c.published_utc.is_not(None)
            undated = articles.c.published_utc.is_(None)

            def rows(sid: str, where: Any, order: Sequence[Any], n: int) -> list[Any]:
                if n <= 0:
                    return []
                q = base.where(articles.c.story == sid, where).order_by(*order).limit(n)
                return list(conn.execute(q))

            def key(r: Any) -> tuple[int, str, str]:
                return (int(r.published_utc is None), r.published_utc or "", r.id)

            for sid in ids:
                first = rows(sid, dated, (articles.c.published_utc, articles.c.id), head)
                first += rows(sid, undated, (articles.c.id,), head - len(first))
                last = rows(sid, undated, (articles.c.id.desc(),), tail)
                last += rows(sid, dated, (articles.c.published_utc.desc(), articles.c.id.desc()),
                             tail - len(last))  # fmt: skip
                if not first:
                    continue
                count = sizes.get(sid)
                if count is None or count < len(last):
                    count = int(conn.execute(
                        select(func.count()).select_from(articles)
                        .where(articles.c.story == sid, articles.c.duplicate_of.is_(None))
                    ).scalar_one())  # fmt: skip
                out[sid] = (count, [(r.id, key(r)) for r in first],
                            [(r.id, key(r)) for r in reversed(last)])  # fmt: skip
        return out

    def first_titled(self, story_ids: Iterable[str]) -> dict[str, ArticleInfo]:
        """story -> its first non-duplicate article (story order) with a title, through a
        partial index of titled articles (a store of untitled ones would scan each story)."""
        from wirewatch.link import ArticleInfo

        out: dict[str, ArticleInfo] = {}
        titled = and_(articles.c.title.is_not(None), articles.c.title != "")
        q = select(articles.c.id, articles.c.title, articles.c.published).where(
            articles.c.duplicate_of.is_(None), titled
        )
        with self.connect() as conn:
            for sid in sorted(set(story_ids)):
                here = q.where(articles.c.story == sid)
                r = conn.execute(
                    here.where(articles.c.published_utc.is_not(None))
                    .order_by(articles.c.published_utc, articles.c.id).limit(1)
                ).first() or conn.execute(
                    here.where(articles.c.published_utc.is_(None))
                    .order_by(articles.c.id).limit(1)
                ).first()  # fmt: skip
                if r is not None:
                    out[sid] = ArticleInfo(r.id, r.title, r.published)
        return out

    def story_postings_for(self, terms: Iterable[str]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(terms))):
                q = select(story_postings).where(story_postings.c.term.in_(chunk))
                for r in conn.execute(q):
                    out.setdefault(r.term, {})[r.story_id] = r.seq
        return out

    def story_terms_of(self, story_id: str) -> set[str]:
        with self.connect() as conn:
            q = select(story_postings.c.term).where(story_postings.c.story_id == story_id)
            return set(conn.execute(q).scalars())

    def existing_story_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                found.update(conn.execute(select(stories.c.id).where(stories.c.id.in_(chunk)))
                             .scalars())  # fmt: skip
        return found

    def article_mention_events(self, ids: Sequence[str]) -> list[tuple[str, str, str | None]]:
        """(article, mention, event) of these articles' mentions."""
        out: list[tuple[str, str, str | None]] = []
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                q = select(mentions.c.article_id, mentions.c.id, mentions.c.event_id)
                rows = conn.execute(q.where(mentions.c.article_id.in_(chunk)))
                out.extend((r.article_id, r.id, r.event_id) for r in rows)
        return out

    def event_article_counts(self, ids: Iterable[str]) -> dict[str, int]:
        """event -> the number of non-duplicate articles reporting it."""
        out: dict[str, int] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                q = (
                    select(mentions.c.event_id, func.count(func.distinct(mentions.c.article_id)))
                    .where(mentions.c.event_id.in_(chunk))
                    .group_by(mentions.c.event_id)
                )
                out.update({e: int(n) for e, n in conn.execute(q)})
        return out

    def events_of_stories(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """id, story and dates of the events of these stories."""
        out: list[dict[str, Any]] = []
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                q = select(events.c.id, events.c.story, events.c.date_start, events.c.date_end)
                rows = conn.execute(q.where(events.c.story.in_(chunk)))
                out.extend(dict(r._mapping) for r in rows)
        return out

    def story_rows_for(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                for r in conn.execute(select(stories).where(stories.c.id.in_(chunk))):
                    out[r.id] = dict(r._mapping)
        return out

    def story_actor_counts(
        self, story_id: str, actor_ids: Iterable[str] | None = None
    ) -> dict[str, tuple[int, int]]:
        """actor -> (articles naming it, its mentions) in the story: these actors', or all."""
        q = select(story_actors).where(story_actors.c.story_id == story_id)
        with self.connect() as conn:
            if actor_ids is None:
                return {r.actor_id: (r.articles, r.mentions) for r in conn.execute(q)}
            out: dict[str, tuple[int, int]] = {}
            for chunk in chunks(sorted(set(actor_ids))):
                for r in conn.execute(q.where(story_actors.c.actor_id.in_(chunk))):
                    out[r.actor_id] = (r.articles, r.mentions)
            return out

    def stories_naming(self, actor_ids: Iterable[str]) -> set[str]:
        """The stories any of these actors is named in."""
        out: set[str] = set()
        with self.connect() as conn:
            for chunk in chunks(sorted(set(actor_ids))):
                q = select(story_actors.c.story_id).where(story_actors.c.actor_id.in_(chunk))
                out.update(conn.execute(q.distinct()).scalars())
        return out

    def story_top_actors(self, story_id: str, n: int) -> dict[str, tuple[int, int]]:
        """The story's ``n`` actors most articles name (then most mentioned, then by id)."""
        q = (
            select(story_actors)
            .where(story_actors.c.story_id == story_id)
            .order_by(story_actors.c.articles.desc(), story_actors.c.mentions.desc(),
                      story_actors.c.actor_id)
            .limit(n)
        )  # fmt: skip
        with self.connect() as conn:
            return {r.actor_id: (r.articles, r.mentions) for r in conn.execute(q)}

    def story_event_spans(
        self, ids: Iterable[str], leave_out: Iterable[str]
    ) -> dict[str, tuple[int, list[str]]]:
        """story -> (its events, their earliest and latest dates), events in ``leave_out``
        aside (those an increment rewrites): the count from the story's row less the events
        left out, the dates from the ends of the story's date indexes (a long story's events
        are not read)."""
        out: dict[str, tuple[int, list[str]]] = {}
        skip = sorted(set(leave_out))
        ids = sorted(set(ids))
        if len(skip) > 500:  # too many to leave out in SQL: read the events' rows instead
            rows: dict[str, list[dict[str, Any]]] = {}
            left = set(skip)
            for r in self.events_of_stories(ids):
                if r["id"] not in left:
                    rows.setdefault(r["story"], []).append(r)
            for story, rs in rows.items():
                days = [d for r in rs for d in (r["date_start"], r["date_end"]) if d]
                out[story] = (len(rs), [min(days), max(days)] if days else [])
            return out
        gone: Counter[str] = Counter(s for s in self.event_stories_of(skip).values() if s)
        with self.connect() as conn:
            counts: dict[str, int] = {}
            for chunk in chunks(ids):
                q = select(stories.c.id, stories.c.events).where(stories.c.id.in_(chunk))
                counts.update({r.id: int(r.events) for r in conn.execute(q)})
            for sid in ids:
                if sid not in counts:
                    continue
                ends = []
                for col in (events.c.date_start, events.c.date_end):
                    for order in (col, col.desc()):
                        q = select(col).where(events.c.story == sid, col.is_not(None))
                        if skip:
                            q = q.where(events.c.id.not_in(skip))
                        value = conn.execute(q.order_by(order).limit(1)).scalar()
                        if value:
                            ends.append(value)
                out[sid] = (counts[sid] - gone[sid], [min(ends), max(ends)] if ends else [])
        return out

    def story_article_spans(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """story -> the earliest and latest publication of its articles (as stored)."""
        out: dict[str, list[str]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                q = (
                    select(articles.c.story, func.min(articles.c.published),
                           func.max(articles.c.published))
                    .where(articles.c.story.in_(chunk), articles.c.duplicate_of.is_(None),
                           articles.c.published.is_not(None))
                    .group_by(articles.c.story)
                )  # fmt: skip
                for story, lo, hi in conn.execute(q):
                    out[story] = [lo, hi]
        return out

    def event_stories_of(self, ids: Iterable[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                q = select(events.c.id, events.c.story).where(events.c.id.in_(chunk))
                out.update({r.id: r.story for r in conn.execute(q)})
        return out

    def story_sums_for(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                for r in conn.execute(select(story_sums).where(story_sums.c.story_id.in_(chunk))):
                    out[r.story_id] = dict(r._mapping)
        return out

    def delete_link_rows(
        self,
        actors: Iterable[str] = (),
        aliases: Sequence[tuple[str, str]] = (),
        roles: Sequence[tuple[str, str]] = (),
        cells: Sequence[tuple[str, str]] = (),
        story_actors: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Delete what an increment leaves behind when stored names change actor, which
        ``write_increment`` only upserts: actors left without a name (with their aliases and
        titles), (actor, alias) and (actor, title) rows, (cell, mention) index cells and
        (story, actor) counts gone to nothing. Inside the caller's write transaction."""
        actors = sorted(set(actors))
        if not (actors or aliases or roles or cells or story_actors):
            return
        with self.write() as conn:
            _delete_keys(conn, actor_aliases, ("actor_id", "alias"), aliases)
            _delete_keys(conn, actor_roles, ("actor_id", "title"), roles)
            _delete_keys(conn, mention_cells, ("cell", "mention_id"), cells)
            _delete_keys(conn, schema.story_actors, ("story_id", "actor_id"), story_actors)
            for chunk in chunks(actors):
                for table in (actor_aliases, actor_roles):  # also without foreign keys enforced
                    conn.execute(delete(table).where(table.c.actor_id.in_(chunk)))
                conn.execute(delete(schema.actors).where(schema.actors.c.id.in_(chunk)))

    def write_increment(self, inc: Increment) -> None:
        """Apply an incremental relink's rows (inside the caller's write transaction)."""
        with self.write() as conn:
            a = inc.actors
            if a is not None:
                # Updated in place: deleting an actor row would take its aliases with it.
                have = set(self.actor_rows_for(r["id"] for r in a.actors))
                _insert(conn, actors, [r for r in a.actors if r["id"] not in have])
                changed = [r for r in a.actors if r["id"] in have]
                if changed:
                    stmt = (
                        update(actors)
                        .where(actors.c.id == bindparam("k_id"))
                        .values({c: bindparam(f"v_{c}")
                                 for c in ("name", "kind", "country", "sector", "stats")})
                    )  # fmt: skip
                    conn.execute(stmt, [{"k_id": r["id"], **{f"v_{c}": r[c] for c in
                                        ("name", "kind", "country", "sector", "stats")}}
                                        for r in changed])  # fmt: skip
                # Replaced rows by key, one statement for all (a union's aliases all change
                # reason when its vote count does; SQLite scans for a row-value IN list).
                _delete_keys(conn, actor_aliases, ("actor_id", "alias"),
                             [(r["actor_id"], r["alias"]) for r in a.aliases])  # fmt: skip
                _insert(conn, actor_aliases, a.aliases)
                _delete_keys(conn, actor_roles, ("actor_id", "title"),
                             [(r["actor_id"], r["title"]) for r in a.roles])  # fmt: skip
                _insert(conn, actor_roles, a.roles)
                for chunk in chunks(sorted(a.bases)):
                    conn.execute(delete(actor_bases).where(actor_bases.c.base.in_(chunk)))
                _insert(conn, actor_bases, [
                    {"base": b, "actor_id": i, "simple": int(simple), "n": n}
                    for b, (i, simple, n) in a.bases.items()
                ])  # fmt: skip
                for chunk in chunks(sorted(a.names)):
                    conn.execute(delete(actor_names).where(actor_names.c.fold.in_(chunk)))
                _insert(conn, actor_names, [
                    {"fold": f, "as_person": c[0], "as_org": c[1]} for f, c in a.names.items()
                ])  # fmt: skip
                _delete_keys(conn, actor_votes, ("short", "target"), list(a.votes))
                _insert(conn, actor_votes, [
                    {"short": k[0], "target": k[1], "n": n} for k, n in a.votes.items()
                ])  # fmt: skip
                for chunk in chunks(sorted(a.shorts)):
                    conn.execute(delete(actor_shorts).where(actor_shorts.c.short.in_(chunk)))
                _insert(conn, actor_shorts, _short_rows(a.shorts))
                for chunk in chunks(sorted(a.holders)):
                    conn.execute(delete(person_state).where(person_state.c.base.in_(chunk)))
                    conn.execute(delete(person_families).where(person_families.c.base.in_(chunk)))
                _insert(conn, person_state, list(a.holders.values()))
                _insert(conn, person_families, [
                    {"family": f, "base": b} for b, r in a.holders.items() for f in r["families"]
                ])  # fmt: skip
                _assign(conn, mention_actors, ("mention_id", "position"), "actor_id",
                        a.mention_actor_ids)  # fmt: skip
                _assign(conn, entity_mentions, ("article_id", "position"), "actor_id",
                        a.entity_actor_ids)  # fmt: skip
            counted = conn.execute(
                select(link_state.c.value).where(link_state.c.key == "events")
            ).scalar()
            n_events = int(counted) if counted is not None else None
            for chunk in chunks(sorted(inc.dropped_events)):
                deleted = conn.execute(delete(events).where(events.c.id.in_(chunk))).rowcount
                if n_events is not None:
                    n_events -= deleted
            _insert(conn, events, inc.events)
            if n_events is not None:
                self._set_state(conn, "events", str(n_events + len(inc.events)))
            _assign(conn, mentions, ("id",), "event_id",
                    {(m,): e for m, e in inc.mention_events.items()})  # fmt: skip
            _assign(conn, mentions, ("id",), "pass_id", {(m,): p for m, p in inc.passes.items()})
            for chunk in chunks(sorted(inc.dropped_passes)):
                conn.execute(delete(pass_cells).where(pass_cells.c.pass_id.in_(chunk)))
            _insert(conn, pass_cells, [{"cell": c, "pass_id": p} for c, p in inc.pass_cells])
            _insert(conn, mention_cells,
                    [{"cell": c, "mention_id": m} for c, m in inc.mention_cells])  # fmt: skip
            upd = inc.story_update
            if upd is not None:
                for chunk in chunks(sorted({d.id for d in upd.docs})):
                    conn.execute(delete(story_docs).where(story_docs.c.article_id.in_(chunk)))
                _insert(conn, story_docs, [_story_doc_row(d) for d in upd.docs])
                for chunk in chunks(sorted(upd.df)):
                    conn.execute(delete(story_terms).where(story_terms.c.term.in_(chunk)))
                _insert(conn, story_terms,
                        [{"term": t, "df": n} for t, n in upd.df.items() if n > 0])  # fmt: skip
                for chunk in chunks(sorted(upd.postings)):
                    conn.execute(delete(story_postings).where(story_postings.c.term.in_(chunk)))
                for chunk in chunks(sorted(upd.merged)):
                    conn.execute(delete(story_postings).where(story_postings.c.story_id.in_(chunk)))
                _insert(conn, story_postings, [
                    {"term": t, "story_id": sid, "seq": q}
                    for t, seen in upd.postings.items() for sid, q in seen.items()
                ])  # fmt: skip
                self._set_state(conn, "story_n", str(upd.n))
                self._set_state(conn, "story_seq", str(upd.seq))
            for chunk in chunks(sorted(inc.dropped_stories)):
                conn.execute(delete(stories).where(stories.c.id.in_(chunk)))
            if upd is not None:
                for chunk in chunks(sorted(upd.merged)):
                    conn.execute(delete(story_actors).where(story_actors.c.story_id.in_(chunk)))
            for sid, counts in inc.story_stats.items():
                for chunk in chunks(sorted(counts)):
                    conn.execute(delete(story_actors).where(
                        story_actors.c.story_id == sid, story_actors.c.actor_id.in_(chunk)
                    ))  # fmt: skip
            if upd is not None:
                gone = sorted(set(upd.sums) | set(upd.merged))
                for chunk in chunks(gone):
                    conn.execute(delete(story_sums).where(story_sums.c.story_id.in_(chunk)))
                _insert(conn, story_sums, list(upd.sums.values()))
            _insert(conn, stories, inc.stories)
            _insert(conn, story_actors, [
                {"story_id": sid, "actor_id": a, "articles": n, "mentions": m}
                for sid, counts in inc.story_stats.items() for a, (n, m) in counts.items()
            ])  # fmt: skip
            _assign(conn, articles, ("id",), "story",
                    {(a,): s for a, s in inc.article_stories.items()})  # fmt: skip
            _assign(conn, events, ("id",), "story",
                    {(e,): s for e, s in inc.event_stories.items()})  # fmt: skip
            # A syndicated copy belongs to its original's story: copies of the articles that
            # changed story, and copies not placed yet.
            moved = dict(inc.article_stories)
            q = select(articles.c.id, articles.c.duplicate_of, articles.c.story)
            copies = list(conn.execute(
                q.where(articles.c.duplicate_of.is_not(None), articles.c.story.is_(None))
            ))  # fmt: skip
            for chunk in chunks(sorted(moved)):
                copies.extend(conn.execute(q.where(articles.c.duplicate_of.in_(chunk))))
            originals = self.article_stories_of(
                {c.duplicate_of for c in copies if c.duplicate_of not in moved}
            )
            originals.update(moved)
            _assign(conn, articles, ("id",), "story", {
                (c.id,): originals[c.duplicate_of] for c in copies
                if originals.get(c.duplicate_of) and originals[c.duplicate_of] != c.story
            })  # fmt: skip

    def article_stories_of(self, ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        with self.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                q = select(articles.c.id, articles.c.story).where(articles.c.id.in_(chunk))
                out.update({r.id: r.story for r in conn.execute(q) if r.story})
        return out


@dataclass
class Increment:
    """What an incremental relink writes: rows for the affected part of the ledger only."""

    actors: Any = None  # link.incremental.ActorUpdate
    events: list[dict[str, Any]] = field(default_factory=list)
    dropped_events: set[str] = field(default_factory=set)
    mention_events: dict[str, str] = field(default_factory=dict)
    passes: dict[str, str] = field(default_factory=dict)
    pass_cells: list[tuple[str, str]] = field(default_factory=list)
    dropped_passes: set[str] = field(default_factory=set)
    mention_cells: list[tuple[str, str]] = field(default_factory=list)  # of the new mentions
    stories: list[dict[str, Any]] = field(default_factory=list)
    dropped_stories: set[str] = field(default_factory=set)
    article_stories: dict[str, str] = field(default_factory=dict)
    event_stories: dict[str, str | None] = field(default_factory=dict)
    story_update: Any = None  # link.story_increment.StoryUpdate
    # story -> actor -> (articles, mentions): the story_actors rows an increment changes
    story_stats: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)


class VersionProbe:
    """The latest committed ledger version, read on a connection of its own with a plain
    DBAPI statement: ~10 us, where ``Store.ledger_version`` outside a snapshot costs ~100 us
    (a pooled connection, a transaction, a compiled statement). For a server that asks before
    every answer whether what it keeps still holds. None when the store cannot be read.

    A server calls it in its event loop, so it never waits for a database server it cannot
    reach: the connection is opened where the probe is made (``connect_now``) or in a thread
    of its own, and once lost it is opened again in that thread, at most every RETRY_S
    seconds, while the probe answers None (the server then answers without its cache). A
    SQLite file is opened in place: a local file cannot keep it waiting."""

    _QUERY = f"SELECT version FROM {ledger_state.name}"
    RETRY_S = 1.0

    def __init__(self, store: Store, connect_now: bool = True) -> None:
        self.engine = store.engine
        self._in_place = self.engine.dialect.name == "sqlite"
        self._conn: Any = None
        self._lock = threading.Lock()
        self._connecting: threading.Thread | None = None
        self._retry_at = 0.0
        if connect_now:
            self._connect()
        elif not self._in_place:
            with self._lock:
                self._connect_in_background()

    def _connect(self) -> None:
        try:
            conn = self.engine.raw_connection()
        except Exception:
            self._retry_at = time.monotonic() + self.RETRY_S
            return
        with self._lock:
            if self._conn is None:
                self._conn = conn
                return
        conn.close()  # another caller connected meanwhile

    def _connect_in_background(self) -> None:
        """Called with the lock held."""
        if self._connecting is not None and self._connecting.is_alive():
            return
        if time.monotonic() < self._retry_at:  # set by the last attempt that failed
            return
        self._connecting = threading.Thread(
            target=self._connect, name="wirewatch-version-probe", daemon=True
        )
        self._connecting.start()

    def __call__(self) -> int | None:
        if self._in_place and self._conn is None:
            self._connect()
        with self._lock:
            if self._conn is None:
                if not self._in_place:
                    self._connect_in_background()
                return None
            try:
                cursor = self._conn.cursor()
                try:
                    cursor.execute(self._QUERY)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                # Ends the read (PostgreSQL opened a transaction; SQLite is in autocommit).
                self._conn.rollback()
                return int(row[0]) if row else None
            except Exception:
                conn, self._conn = self._conn, None
                if conn is not None:
                    conn.invalidate()
                return None


def chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """Slices that keep IN (...) lists under the database's bind limits."""
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _driver_takes_binds(compiled: Any, dialect: Any) -> bool:
    """A compiled statement whose parameters need nothing from SQLAlchemy (no type's bind
    processor, no callable value): the driver can take the values as they are."""
    return (
        bool(compiled.positional)
        and compiled.positiontup is not None
        and not any(
            b.callable or b.type.dialect_impl(dialect).bind_processor(dialect) is not None
            for b in compiled.binds.values()
        )
    )


def _json_dumps(value: Any) -> str:
    """The JSON columns' writer. orjson, not the json module: reading and writing the names
    and mentions of every article was ~0.5 s CPU per 1k articles of an ingest, half of it in
    the relink at the end. Dict keys that are no strings become strings, as json.dumps
    makes them; a float NaN becomes null (json.dumps writes NaN, which is no JSON)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _fast_rows(conn: Connection, stmt: Any) -> Iterator[Sequence[Any]]:
    """The rows of a SELECT as tuples. On SQLite they come from the driver, and only the
    columns whose type converts values (JSON) go through that type's own result processor:
    SQLAlchemy's per-row result handling was over a third of reading a store's names
    (27k rows per 1k articles, read by every full relink). Other databases: as ``execute``."""
    if conn.dialect.name != "sqlite":
        yield from conn.execute(stmt)
        return
    dialect = conn.dialect
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    if not _driver_takes_binds(compiled, dialect):
        yield from conn.execute(stmt)
        return
    names = compiled.positiontup or ()
    procs = [
        (n, proc)
        for n, col in enumerate(stmt.selected_columns)
        if (proc := col.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
    ]
    params = compiled.construct_params()
    args = tuple(params[name] for name in names)
    # The DBAPI cursor of this connection (and so of its transaction): no Row objects.
    cursor: Any = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        if not procs:
            yield from cursor
            return
        for row in cursor:
            values = list(row)
            for n, proc in procs:
                values[n] = proc(values[n])
            yield values
    finally:
        cursor.close()


def _executemany(conn: Connection, stmt: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """``conn.execute(stmt, rows)``, on SQLite without SQLAlchemy's per-row parameter
    handling when no parameter needs a type's conversion (strings, numbers, None): that
    handling was ~1/6 of a full relink's CPU at 10k articles (1.2M rows), for values the
    driver takes as they are. Other databases keep SQLAlchemy's own batching."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        dialect = conn.dialect
        compiled = stmt.compile(dialect=dialect, column_keys=list(rows[0]))
        order = compiled.positiontup
        if (
            _driver_takes_binds(compiled, dialect)
            and order is not None
            and set(order) <= rows[0].keys()  # no column default filled in by SQLAlchemy
        ):
            conn.exec_driver_sql(str(compiled), [tuple(r[name] for name in order) for r in rows])
            return
    conn.execute(stmt, rows)


def _insert(conn: Connection, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    for chunk in chunks(rows, 5000):
        _executemany(conn, insert(table), list(chunk))


def _delete_keys(
    conn: Connection, table: Any, columns: tuple[str, str], keys: Sequence[tuple[str, str]]
) -> None:
    """Delete the rows of these two-column keys: one statement run for each key."""
    if keys:
        a, b = columns
        stmt = delete(table).where(table.c[a] == bindparam("k_a"), table.c[b] == bindparam("k_b"))
        conn.execute(stmt, [{"k_a": x, "k_b": y} for x, y in sorted(set(keys))])


def _short_rows(shorts: Mapping[str, tuple[int, int, str, int]]) -> list[dict[str, Any]]:
    return [{"short": k, "total": t, "targets": n, "top": top, "top_n": c}
            for k, (t, n, top, c) in shorts.items()]  # fmt: skip


def _story_doc_row(d: StoryArticle) -> dict[str, Any]:
    return {"article_id": d.id, "words": dict(d.words), "actors": dict(d.actors),
            "countries": dict(d.countries), "events": dict(d.events)}  # fmt: skip


def _assign(
    conn: Connection, table: Any, keys: tuple[str, ...], column: str, values: Mapping[tuple, Any]
) -> None:
    """Set one column for many rows by key in a single executemany."""
    if not values:
        return
    stmt = (
        update(table)
        .where(*[table.c[k] == bindparam(f"k_{k}") for k in keys])
        .values({column: bindparam("v")})
    )
    if conn.dialect.name == "sqlite":
        # The driver's tuples made straight from the keys: building a dict per row for
        # _executemany to take apart again was ~40% of setting 27k names' actor ids.
        names = ["v", *(f"k_{k}" for k in keys)]
        compiled = stmt.compile(dialect=conn.dialect, column_keys=names)
        if (
            _driver_takes_binds(compiled, conn.dialect)
            and list(compiled.positiontup or ()) == names
        ):
            conn.exec_driver_sql(str(compiled), [(value, *key) for key, value in values.items()])
            return
    rows = [
        {**{f"k_{k}": part for k, part in zip(keys, key, strict=True)}, "v": value}
        for key, value in values.items()
    ]
    _executemany(conn, stmt, rows)


def _reassign(
    conn: Connection, table: Any, keys: tuple[str, ...], column: str, values: Mapping[tuple, Any]
) -> None:
    """Set one column to ``values`` by key and to NULL on every other row, writing only the
    rows whose value changes: a full relink of a linked store changes few of them, and
    rewriting all (1.3M rows at 10k articles) was most of its write time."""
    cols = [table.c[k] for k in keys]
    current = {tuple(r[:-1]): r[-1] for r in _fast_rows(conn, select(*cols, table.c[column]))}
    changed = {k: v for k, v in values.items() if k in current and current[k] != v}
    changed.update({k: None for k, v in current.items() if v is not None and k not in values})
    _assign(conn, table, keys, column, changed)


def _article_row(article: Article, now: str, analysed_with: str) -> dict[str, Any]:
    published = article.published
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "outlet": article.outlet,
        "published": published.isoformat() if published else None,
        "published_utc": published.astimezone(UTC).isoformat() if published else None,
        "language": article.language,
        "text": article.text,
        "content_hash": article.content_hash,
        "duplicate_of": article.duplicate_of,
        "story": None,
        "source": article.source,
        "ingested_at": now,
        "analysed_with": analysed_with,
    }


def _mention_row(m: EventMention) -> dict[str, Any]:
    return {
        "id": m.id,
        "article_id": m.article,
        "idx": m.index,
        "type": m.type,
        "status": m.status,
        "cameo": m.cameo,
        "mode": m.mode,
        "label": m.label,
        "date_start": m.date_start,
        "date_end": m.date_end,
        "location_name": m.location_name,
        "location_country": m.location_country,
        "confidence": m.confidence,
        "data": m.to_dict(),
    }


__all__ = ["Increment", "Store", "schema"]
