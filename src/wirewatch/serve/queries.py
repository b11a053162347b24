"""SQL for the API and the pages: filters and paging run in the database; full export records
are built only for the rows of the page being returned.

``wirewatch.store.records.event_records`` loads the whole ledger to build records; here the
same record builder is fed only the mentions of the requested events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection, Engine

from wirewatch.model import PLOVER_TYPES, STATUSES
from wirewatch.store import Store, fts
from wirewatch.store import chunks as _chunks
from wirewatch.store.records import ledger_cached
from wirewatch.store.schema import (
    actor_aliases,
    actor_roles,
    actors,
    articles,
    events,
    mention_actors,
    mentions,
    stories,
)

MAX_LIMIT = 1000
COUNT_CAP = 10_000  # totals are exact up to here, a lower bound beyond
FREQUENT_ACTOR = 5_000  # mentions: above this an actor's events are not looked up one by one
FREQUENT_COUNT_CAP = 1_000
SPAN_TTL = 60.0  # seconds the longest event span is cached


class BadParameter(ValueError):
    """A query parameter the API cannot use; becomes a 400 with its message."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


def _day(value: str | None, param: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadParameter(param, f"{value!r} is not a date (YYYY-MM-DD)") from None


@dataclass
class EventQuery:
    """Filters of ``/api/events`` and the pages; validated by ``build``."""

    actor: str | None = None
    type: str | None = None
    status: str | None = None
    since: str | None = None
    until: str | None = None
    story: str | None = None
    q: str | None = None
    order: str = "desc"
    frequent: bool = False  # set while querying: an actor too common to look up event by event
    rare_actor: bool = False  # set while querying: few enough events to count them all

    @classmethod
    def build(
        cls,
        actor: str | None = None,
        type: str | None = None,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
        q: str | None = None,
        order: str | None = None,
    ) -> EventQuery:
        types = None
        if type:
            types = [t.strip().upper() for t in type.split(",") if t.strip()]
            bad = [t for t in types if t not in PLOVER_TYPES]
            if bad:
                raise BadParameter(
                    "type", f"unknown event type {bad[0]!r}; one of {', '.join(PLOVER_TYPES)}"
                )
        statuses = None
        if status:
            statuses = [s.strip().lower() for s in status.split(",") if s.strip()]
            bad = [s for s in statuses if s not in STATUSES]
            if bad:
                raise BadParameter(
                    "status", f"unknown status {bad[0]!r}; one of {', '.join(STATUSES)}"
                )
        since_d, until_d = _day(since, "since"), _day(until, "until")
        if since_d and until_d and since_d > until_d:
            raise BadParameter("since", f"since {since_d} is after until {until_d}")
        order = (order or "desc").lower()
        if order not in ("asc", "desc"):
            raise BadParameter("order", "asc or desc")
        if q is not None and len(q) > 200:
            raise BadParameter("q", "at most 200 characters")
        return cls(
            actor=(actor or "").strip() or None,
            type=",".join(types) if types else None,
            status=",".join(statuses) if statuses else None,
            since=since_d,
            until=until_d,
            story=(story or "").strip() or None,
            q=(q or "").strip() or None,
            order=order,
        )

    def cache_key(self) -> tuple[Any, ...]:
        """The filters as the user gave them (not the flags set while querying)."""
        return (
            self.actor,
            self.type,
            self.status,
            self.since,
            self.until,
            self.story,
            self.q,
            self.order,
        )

    def is_empty(self) -> bool:
        return not any(
            (self.actor, self.type, self.status, self.since, self.until, self.story, self.q)
        )


def paging(limit: int | None, offset: int | None, default: int = 50) -> tuple[int, int]:
    lim = default if limit is None else limit
    off = 0 if offset is None else offset
    if lim < 1 or lim > MAX_LIMIT:
        raise BadParameter("limit", f"between 1 and {MAX_LIMIT}")
    if off < 0:
        raise BadParameter("offset", "0 or more")
    return lim, off


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def actor_ids_matching(conn: Connection, text: str) -> list[str]:
    """Actors whose id or ISO code equals ``text``, or whose name or an alias contains it."""
    exact = conn.execute(
        select(actors.c.id).where(or_(actors.c.id == text, func.lower(actors.c.id) == text.lower()))
    ).all()
    if exact:
        return [r.id for r in exact]
    pattern = _like(text)
    rows = conn.execute(
        select(actors.c.id)
        .outerjoin(actor_aliases, actor_aliases.c.actor_id == actors.c.id)
        .where(
            or_(
                func.lower(actors.c.name).like(pattern, escape="\\"),
                func.lower(actor_aliases.c.alias).like(pattern, escape="\\"),
                func.lower(actors.c.country) == text.lower(),
            )
        )
        .distinct()
    ).all()
    return [r.id for r in rows]


_spans: dict[str, tuple[float, int | None]] = {}
_span_refresh: set[str] = set()
_span_lock = threading.Lock()


def _compute_span(engine: Engine) -> int | None:
    if engine.dialect.name == "sqlite":
        expr = func.max(func.julianday(events.c.date_end) - func.julianday(events.c.date_start))
    elif engine.dialect.name == "postgresql":
        expr = func.max(cast(events.c.date_end, Date) - cast(events.c.date_start, Date))
    else:
        return None
    with engine.connect() as conn:
        value = conn.execute(select(expr)).scalar()
    return max(int(value or 0), 0)


def _refresh_span(engine: Engine, key: str) -> None:
    try:
        _spans[key] = (time.monotonic(), _compute_span(engine))
    finally:
        with _span_lock:
            _span_refresh.discard(key)


def longest_span(conn: Connection) -> int | None:
    """Days between date_start and date_end of the longest event. Computed once per store,
    then refreshed in the background every SPAN_TTL seconds (a full scan on a large store):
    an event longer than any before is found by date filters at most that much later."""
    key = str(conn.engine.url)
    cached = _spans.get(key)
    if cached is None:
        span = _compute_span(conn.engine)
        _spans[key] = (time.monotonic(), span)
        return span
    if time.monotonic() - cached[0] > SPAN_TTL:
        with _span_lock:
            start = key not in _span_refresh
            _span_refresh.add(key)
        if start:
            threading.Thread(target=_refresh_span, args=(conn.engine, key), daemon=True).start()
    return cached[1]


def _event_conditions(conn: Connection, flt: EventQuery) -> list[ColumnElement[bool]] | None:
    """WHERE clauses for a filter; None when the filter cannot match anything."""
    where: list[ColumnElement[bool]] = []
    if flt.type:
        types = flt.type.split(",")
        where.append(events.c.type == types[0] if len(types) == 1 else events.c.type.in_(types))
    if flt.status:
        sts = flt.status.split(",")
        where.append(events.c.status == sts[0] if len(sts) == 1 else events.c.status.in_(sts))
    if flt.story:
        where.append(events.c.story == flt.story)
    if flt.since:
        where.append(
            or_(
                events.c.date_end >= flt.since,
                and_(events.c.date_end.is_(None), events.c.date_start >= flt.since),
            )
        )
        # No event lasts longer than the longest one: a lower bound on date_start turns the
        # scan into an index range.
        span = longest_span(conn)
        if span is not None:
            lower = (date.fromisoformat(flt.since) - timedelta(days=span + 1)).isoformat()
            where.append(events.c.date_start >= lower)
    if flt.until:
        where.append(events.c.date_start <= flt.until)
    if flt.actor:
        ids = actor_ids_matching(conn, flt.actor)
        if not ids:
            return None
        # A rare actor: look its events up and sort them. A frequent one: walk the date
        # index and keep the events it is in (stops after a page).
        seen = conn.execute(
            select(func.count()).select_from(
                select(literal(1))
                .select_from(mention_actors)
                .where(mention_actors.c.actor_id.in_(ids))
                .limit(FREQUENT_ACTOR + 1)
                .subquery()
            )
        ).scalar_one()
        if seen <= FREQUENT_ACTOR:
            # A rare actor: its events are looked up and sorted; the page query counts them
            # as it goes (a window count), so the lookup runs once.
            sub = (
                select(mentions.c.event_id)
                .join(mention_actors, mention_actors.c.mention_id == mentions.c.id)
                .where(mention_actors.c.actor_id.in_(ids))
            )
            where.append(events.c.id.in_(sub))
            flt.rare_actor = True
        else:
            where.append(
                exists(
                    select(literal(1))
                    .select_from(mentions)
                    .join(mention_actors, mention_actors.c.mention_id == mentions.c.id)
                    .where(mentions.c.event_id == events.c.id, mention_actors.c.actor_id.in_(ids))
                )
            )
            flt.frequent = True
    if flt.q:
        matched = fts.matching_mentions(conn, flt.q)
        if matched is None:
            return None
        where.append(events.c.id.in_(select(mentions.c.event_id).where(mentions.c.id.in_(matched))))
    return where


def _ordered(query: Select[Any], order: str, dialect: str = "sqlite") -> Select[Any]:
    """Latest first (undated last) or oldest first. On SQLite a descending order already puts
    NULL last, so the plain form lets the (x, date_start, id) indexes serve the ORDER BY."""
    if order == "asc":
        return query.order_by(events.c.date_start.is_(None), events.c.date_start, events.c.id)
    if dialect == "sqlite":
        return query.order_by(events.c.date_start.desc(), events.c.id.desc())
    return query.order_by(events.c.date_start.desc().nulls_last(), events.c.id.desc())


@dataclass
class Page:
    """One page of event ids; ``total`` is exact up to ``COUNT_CAP``, beyond it a lower bound
    (``exact`` False): counting a million rows for every page would cost more than the page."""

    ids: list[str]
    total: int | None
    exact: bool = True


@ledger_cached
def event_page(
    store: Store,
    flt: EventQuery,
    limit: int,
    offset: int,
    count: bool = True,
    count_cap: int | None = None,
) -> Page:
    """Ids of one page of events and how many match."""
    count_cap = COUNT_CAP if count_cap is None else count_cap
    with store.connect() as conn:
        where = _event_conditions(conn, flt)
        if where is None:
            return Page([], 0)
        cond = and_(true(), *where)
        if flt.rare_actor:
            query = _ordered(
                select(events.c.id, func.count().over().label("n")).where(cond),
                flt.order,
                conn.dialect.name,
            )
            rows = conn.execute(query.limit(limit).offset(offset)).all()
            if rows or offset == 0:
                n = int(rows[0].n) if rows else 0
                return Page([r.id for r in rows], n if count else None)
        query = _ordered(select(events.c.id).where(cond), flt.order, conn.dialect.name)
        ids = [r.id for r in conn.execute(query.limit(limit).offset(offset))]
        if not count:
            return Page(ids, None)
        if len(ids) < limit and (ids or offset == 0):
            return Page(ids, offset + len(ids))
        if flt.frequent:
            count_cap = min(count_cap, FREQUENT_COUNT_CAP)
        bounded = select(literal(1)).select_from(events).where(cond).limit(count_cap + 1)
        n = conn.execute(select(func.count()).select_from(bounded.subquery())).scalar_one()
        return Page(ids, min(n, count_cap), n <= count_cap)


def iter_event_ids(store: Store, flt: EventQuery, batch: int = 500) -> Iterator[list[str]]:
    """Every matching event id, in batches (keyset paging would be faster; offsets are fine
    for exports that run once)."""
    offset = 0
    while True:
        ids = event_page(store, flt, batch, offset, count=False).ids
        if not ids:
            return
        yield ids
        offset += len(ids)


# -- actors ------------------------------------------------------------------------------------


@ledger_cached
def actor_page(
    store: Store,
    limit: int,
    offset: int,
    kind: str | None = None,
    country: str | None = None,
    q: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    where: list[ColumnElement[bool]] = [true()]
    if kind:
        where.append(actors.c.kind == kind.lower())
    if country:
        where.append(func.upper(actors.c.country) == country.upper())
    if q:
        pattern = _like(q)
        alias_hit = select(actor_aliases.c.actor_id).where(
            func.lower(actor_aliases.c.alias).like(pattern, escape="\\")
        )
        where.append(
            or_(
                func.lower(actors.c.name).like(pattern, escape="\\"),
                func.lower(actors.c.id) == q.lower(),
                actors.c.id.in_(alias_hit),
            )
        )
    with store.connect() as conn:
        total = conn.execute(
            select(func.count()).select_from(actors).where(and_(*where))
        ).scalar_one()
        rows = conn.execute(
            select(actors).where(and_(*where)).order_by(actors.c.id).limit(limit).offset(offset)
        ).all()
        ids = [r.id for r in rows]
        return [_actor_record(conn, r) for r in rows] if ids else [], total


def _actor_record(conn: Connection, row: Any) -> dict[str, Any]:
    aliases = conn.execute(
        select(actor_aliases)
        .where(actor_aliases.c.actor_id == row.id)
        .order_by(actor_aliases.c.alias)
    ).all()
    roles = [
        {"title": r.title, "first_seen": r.first_seen, "last_seen": r.last_seen}
        for r in conn.execute(
            select(actor_roles)
            .where(actor_roles.c.actor_id == row.id)
            .order_by(actor_roles.c.first_seen)
        )
    ]
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "country": row.country,
        "aliases": sorted({a.alias for a in aliases} | {row.name}),
        "roles": roles,
        "sector": row.sector,
        "alias_reasons": {a.alias: a.reason for a in aliases},
    }


@ledger_cached
def actor_record(store: Store, actor_id: str) -> dict[str, Any] | None:
    with store.connect() as conn:
        row = conn.execute(select(actors).where(actors.c.id == actor_id)).first()
        return _actor_record(conn, row) if row else None


@ledger_cached
def actor_event_ids(
    store: Store, actor_id: str, limit: int = 200, count_cap: int = COUNT_CAP
) -> tuple[list[str], int, bool]:
    """The actor's latest events (any role, attribution included) and how many there are."""
    flt = EventQuery(actor=None)
    with store.connect() as conn:
        sub = (
            select(mentions.c.event_id)
            .join(mention_actors, mention_actors.c.mention_id == mentions.c.id)
            .where(mention_actors.c.actor_id == actor_id)
        )
        # Counted as the page is found (a window count): the latest-first order gathers all
        # of the actor's events anyway, and a second query would look them all up again.
        query = _ordered(
            select(events.c.id, func.count().over().label("n")).where(events.c.id.in_(sub)),
            flt.order,
            conn.dialect.name,
        )
        rows = conn.execute(query.limit(limit)).all()
    n = int(rows[0].n) if rows else 0
    return [r.id for r in rows], min(n, count_cap), n <= count_cap


@ledger_cached
def counterparts(store: Store, actor_id: str, limit: int = 12) -> list[dict[str, Any]]:
    """Actors that share events with this one, with how many events and in which roles."""
    me = mention_actors.alias("me")
    other = mention_actors.alias("other")
    m2 = mentions.alias("m2")
    with store.connect() as conn:
        my_events = (
            select(mentions.c.event_id)
            .join(me, me.c.mention_id == mentions.c.id)
            .where(me.c.actor_id == actor_id, mentions.c.event_id.is_not(None))
            .distinct()
            .limit(5000)
            .subquery()
        )
        rows = conn.execute(
            select(
                other.c.actor_id,
                func.count(func.distinct(m2.c.event_id)).label("events"),
                func.group_concat(func.distinct(other.c.role)).label("roles")
                if conn.dialect.name == "sqlite"
                else func.string_agg(func.distinct(other.c.role), literal(",")).label("roles"),
            )
            .join(m2, m2.c.id == other.c.mention_id)
            .where(
                m2.c.event_id.in_(select(my_events.c.event_id)),
                other.c.actor_id.is_not(None),
                other.c.actor_id != actor_id,
            )
            .group_by(other.c.actor_id)
            .order_by(func.count(func.distinct(m2.c.event_id)).desc(), other.c.actor_id)
            .limit(limit)
        ).all()
        names = {
            r.id: r
            for r in conn.execute(select(actors).where(actors.c.id.in_([r.actor_id for r in rows])))
        }
    out = []
    for r in rows:
        a = names.get(r.actor_id)
        out.append(
            {
                "id": r.actor_id,
                "name": a.name if a else r.actor_id,
                "kind": a.kind if a else None,
                "country": a.country if a else None,
                "events": int(r.events),
                "roles": sorted(set(str(r.roles or "").split(",")) - {""}),
            }
        )
    return out


# -- articles ------------------------------------------------------------------------------------

ARTICLE_COLUMNS = (
    articles.c.id,
    articles.c.url,
    articles.c.title,
    articles.c.outlet,
    articles.c.published,
    articles.c.language,
    articles.c.story,
    articles.c.duplicate_of,
)


@ledger_cached
def article_page(
    store: Store,
    limit: int,
    offset: int,
    story: str | None = None,
    outlet: str | None = None,
    q: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    where: list[ColumnElement[bool]] = [true()]
    if story:
        where.append(articles.c.story == story)
    if outlet:
        where.append(func.lower(articles.c.outlet) == outlet.lower())
    if q:
        where.append(func.lower(articles.c.title).like(_like(q), escape="\\"))
    with store.connect() as conn:
        total = conn.execute(
            select(func.count()).select_from(articles).where(and_(*where))
        ).scalar_one()
        rows = conn.execute(
            select(*ARTICLE_COLUMNS)
            .where(and_(*where))
            .order_by(articles.c.published_utc.desc(), articles.c.id)
            .limit(limit)
            .offset(offset)
        ).all()
    return [dict(r._mapping) for r in rows], total


@ledger_cached
def article_record(store: Store, article_id: str) -> dict[str, Any] | None:
    """The article with its text and the event mentions found in it (spans in ``text``)."""
    with store.connect() as conn:
        row = conn.execute(
            select(*ARTICLE_COLUMNS, articles.c.text).where(articles.c.id == article_id)
        ).first()
        if row is None:
            return None
        source = row.duplicate_of or row.id
        ms = conn.execute(
            select(mentions.c.event_id, mentions.c.data)
            .where(mentions.c.article_id == source)
            .order_by(mentions.c.idx)
        ).all()
    record = dict(row._mapping)
    record["mentions"] = [
        {
            "event": m.event_id,
            "type": m.data.get("type"),
            "status": m.data.get("status"),
            "label": m.data.get("label"),
            "sentence": m.data.get("sentence"),
            "trigger": m.data.get("trigger"),
        }
        for m in ms
    ]
    return record


# -- stories -------------------------------------------------------------------------------------


@ledger_cached
def story_page(store: Store, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    with store.connect() as conn:
        total = conn.execute(select(func.count()).select_from(stories)).scalar_one()
        rows = conn.execute(
            select(stories)
            .order_by(stories.c.last_date.is_(None), stories.c.last_date.desc(), stories.c.id)
            .limit(limit)
            .offset(offset)
        ).all()
    return [dict(r._mapping) for r in rows], total


@ledger_cached
def story_record(store: Store, story_id: str) -> dict[str, Any] | None:
    with store.connect() as conn:
        row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
        if row is None:
            return None
        members = conn.execute(
            select(*ARTICLE_COLUMNS)
            .where(articles.c.story == story_id, articles.c.duplicate_of.is_(None))
            .order_by(articles.c.published_utc, articles.c.id)
        ).all()
    return dict(row._mapping) | {
        "article_ids": [m.id for m in members],
        "articles_list": [dict(m._mapping) for m in members],
    }


@ledger_cached
def story_titles(store: Store, ids: Sequence[str]) -> dict[str, str | None]:
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    with store.connect() as conn:
        return {
            r.id: r.title
            for r in conn.execute(
                select(stories.c.id, stories.c.title).where(stories.c.id.in_(ids))
            )
        }


@ledger_cached
def article_meta(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    ids = list(set(ids))
    out: dict[str, dict[str, Any]] = {}
    with store.connect() as conn:
        for chunk in _chunks(ids, 500):
            for r in conn.execute(select(*ARTICLE_COLUMNS).where(articles.c.id.in_(chunk))):
                out[r.id] = dict(r._mapping)
    return out


def article_texts(store: Store, ids: Sequence[str]) -> dict[str, str]:
    ids = list(set(ids))
    out: dict[str, str] = {}
    with store.connect() as conn:
        for chunk in _chunks(ids, 500):
            for r in conn.execute(
                select(articles.c.id, articles.c.text).where(articles.c.id.in_(chunk))
            ):
                out[r.id] = r.text
    return out


def event_rows(store: Store, ids: Sequence[str]) -> list[Any]:
    """Event table rows (no sources, no evidence) in the order of ``ids``: for charts."""
    found: dict[str, Any] = {}
    with store.connect() as conn:
        for chunk in _chunks(list(ids), 500):
            for r in conn.execute(select(events).where(events.c.id.in_(chunk))):
                found[r.id] = r
    return [found[i] for i in ids if i in found]
