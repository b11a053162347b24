"""Store: SQL through SQLAlchemy Core; SQLite by default (one file, WAL), PostgreSQL by URL.

The schema is versioned with Alembic from the first release; opening a store upgrades it.
Every write of an article happens in one transaction with its mentions, so a crash never
leaves half an article behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Engine,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from wirewatch.config import database_url

if TYPE_CHECKING:
    from wirewatch.link import ArticleInfo, Linked, Previous
    from wirewatch.link.actors import Correction
    from wirewatch.store.records import ReadCache
from wirewatch.errors import Code, WirewatchError
from wirewatch.model import ActorMention, Article, EventMention, actor_from_dict
from wirewatch.store import fts, schema
from wirewatch.store.schema import (
    actor_aliases,
    actor_corrections,
    actor_roles,
    actors,
    articles,
    entity_mentions,
    events,
    ledger_state,
    mention_actors,
    mentions,
    stories,
)

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module only opens a transaction before DML, so DDL (a migration) would run
    # in autocommit and a kill mid-migration would leave half a schema. Hand transaction
    # control to SQLAlchemy instead (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A writer waits its turn behind a relink of a large store rather than fail.
    cursor.execute("PRAGMA busy_timeout=300000")
    cursor.close()


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
        self._pinned: ContextVar[tuple[Connection, bool] | None] = ContextVar(
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
            token = self._pinned.set((conn, False))
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
                token = self._pinned.set((conn, True))
                try:
                    yield conn
                finally:
                    self._pinned.reset(token)

    @classmethod
    def open(cls, db: str | None = None) -> Store:
        url = database_url(db)
        try:
            engine = create_engine(url, future=True)
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
        """The count of write transactions committed (as seen by the enclosing snapshot)."""
        with self.connect() as conn:
            return int(conn.execute(select(ledger_state.c.version)).scalar_one())

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
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # PostgreSQL's text index follows the table by itself
                replaced = select(mentions.c.id).where(mentions.c.article_id.in_(ids))
                fts.sqlite_unindex(conn, conn.execute(replaced).scalars().all())
            conn.execute(delete(articles).where(articles.c.id.in_(ids)))
            conn.execute(
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
                conn.execute(insert(mention_actors), actor_rows)
            entity_rows = [
                {"article_id": aid, "position": n, "data": asdict(e)}
                for aid, es in (entities or {}).items()
                for n, e in enumerate(es)
            ]
            if entity_rows:
                conn.execute(insert(entity_mentions), entity_rows)
        return late_copies

    def iter_mentions(self) -> Iterator[EventMention]:
        """Every stored mention of a non-duplicate article, in a repeatable order."""
        with self.connect() as conn:
            rows = conn.execute(
                select(mentions.c.data)
                .join(articles, articles.c.id == mentions.c.article_id)
                .where(articles.c.duplicate_of.is_(None))
                .order_by(articles.c.published_utc, mentions.c.article_id, mentions.c.idx)
            )
            for row in rows:
                yield EventMention.from_dict(row.data)

    def iter_entities(self) -> Iterator[tuple[str, int, ActorMention, str | None]]:
        """Every actor-like name of non-duplicate articles:
        (article id, position, mention, publication date)."""
        with self.connect() as conn:
            rows = conn.execute(
                select(
                    entity_mentions.c.article_id,
                    entity_mentions.c.position,
                    entity_mentions.c.data,
                    articles.c.published,
                )
                .join(articles, articles.c.id == entity_mentions.c.article_id)
                .where(articles.c.duplicate_of.is_(None))
                .order_by(
                    articles.c.published_utc,
                    entity_mentions.c.article_id,
                    entity_mentions.c.position,
                )
            )
            for row in rows:
                yield row.article_id, row.position, actor_from_dict(row.data), row.published

    def add_correction(self, action: str, actor_id: str, value: str) -> None:
        with self.write() as conn:
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
            conn.execute(update(articles).values(story=None))
            _assign(conn, articles, ("id",), "story",
                    {(a,): s for a, s in linked.article_stories.items()})  # fmt: skip
            # A syndicated copy belongs to its original's story.
            originals = {a: s for a, s in linked.article_stories.items()}
            copies = conn.execute(
                select(articles.c.id, articles.c.duplicate_of).where(
                    articles.c.duplicate_of.is_not(None)
                )
            ).all()
            _assign(conn, articles, ("id",), "story", {
                (c.id,): originals[c.duplicate_of] for c in copies if c.duplicate_of in originals
            })  # fmt: skip
            if linked.actors:
                conn.execute(insert(actors), linked.actors)
            if linked.aliases:
                conn.execute(insert(actor_aliases), linked.aliases)
            if linked.roles:
                conn.execute(insert(actor_roles), linked.roles)
            if linked.events:
                conn.execute(insert(events), linked.events)
            conn.execute(update(mentions).values(event_id=None))
            _assign(conn, mentions, ("id",), "event_id", {
                (mention_id,): event_id
                for event_id, mention_ids in linked.event_mentions.items()
                for mention_id in mention_ids
            })  # fmt: skip
            conn.execute(update(entity_mentions).values(actor_id=None))
            _assign(conn, entity_mentions, ("article_id", "position"), "actor_id",
                    linked.entity_actor_ids)  # fmt: skip
            conn.execute(update(mention_actors).values(actor_id=None))
            _assign(conn, mention_actors, ("mention_id", "position"), "actor_id",
                    linked.mention_actor_ids)  # fmt: skip


def _assign(
    conn: Connection, table: Any, keys: tuple[str, ...], column: str, values: Mapping[tuple, str]
) -> None:
    """Set one column for many rows by key in a single executemany."""
    if not values:
        return
    stmt = (
        update(table)
        .where(*[table.c[k] == bindparam(f"k_{k}") for k in keys])
        .values({column: bindparam("v")})
    )
    rows = [
        {**{f"k_{k}": part for k, part in zip(keys, key, strict=True)}, "v": value}
        for key, value in values.items()
    ]
    conn.execute(stmt, rows)


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


__all__ = ["Store", "schema"]
