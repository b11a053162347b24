"""Export records: the stable contract of ``../shared/DESIGN.md`` built from the store.

Fields beyond the contract (added, never renamed): events carry ``label``, ``status_history``,
``quantities`` and per-field evidence (``trigger``, ``date_evidence``, ``location_evidence``,
each actor's ``evidence``); actors carry ``sector`` and ``alias_reasons``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import BindParameter, bindparam, or_, select

from wirewatch.link.outlets import outlet_group
from wirewatch.model import ActorMention, EventMention
from wirewatch.store import Store, chunks, fts
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

T = TypeVar("T")


@dataclass
class EventFilter:
    story: str | None = None
    actor: str | None = None
    type: str | None = None
    status: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None
    text: str | None = None  # words in an evidence sentence or label (see store.fts)


def _actor_ids_matching(store: Store, text: str) -> set[str]:
    pattern = f"%{text.lower()}%"
    with store.connect() as conn:
        rows = conn.execute(
            select(actors.c.id)
            .outerjoin(actor_aliases, actor_aliases.c.actor_id == actors.c.id)
            .where(
                or_(
                    actors.c.id.ilike(text),
                    actors.c.name.ilike(pattern),
                    actor_aliases.c.alias.ilike(pattern),
                    actors.c.country.ilike(text),
                )
            )
        )
        return {r.id for r in rows}


def event_records(store: Store, flt: EventFilter | None = None) -> Iterator[dict[str, Any]]:
    flt = flt or EventFilter()
    query = select(events)
    if flt.type:
        query = query.where(events.c.type == flt.type.upper())
    if flt.story:
        query = query.where(events.c.story == flt.story)
    if flt.status:
        query = query.where(events.c.status == flt.status.lower())
    if flt.since:
        query = query.where(events.c.date_end >= flt.since)
    if flt.until:
        query = query.where(events.c.date_start <= flt.until)
    query = query.order_by(events.c.date_start.is_(None), events.c.date_start, events.c.id)
    wanted_actors = _actor_ids_matching(store, flt.actor) if flt.actor else None
    with store.connect() as conn:
        if flt.text:
            matched = fts.matching_mentions(conn, flt.text)
            if matched is None:
                return
            query = query.where(
                events.c.id.in_(select(mentions.c.event_id).where(mentions.c.id.in_(matched)))
            )
        ids = [r.id for r in conn.execute(query.with_only_columns(events.c.id))]
    # A chunk at a time: a filtered listing loads only its own events' mentions and actors.
    for chunk in chunks(ids, 500):
        for record in event_records_for(store, chunk):
            if wanted_actors is not None and not (
                {a["id"] for a in record["actors"] + record["attributed_to"]} & wanted_actors
            ):
                continue
            yield record


class ReadCache:
    """What a server built from the ledger (event records, pages of ids, counts), kept for as
    long as the ledger version it was read at holds.

    A server answers the same events and filters again and again (the latest events, an
    actor's, a story's); building a record costs several queries and more Python than the
    rest of the answer, and counting a filter's matches costs more than its page. Values handed
    out are shared: callers must not change them. Bounded, least recently used first out;
    safe across the threads of one server process (each worker process has its own).
    """

    # Records are kept encoded, ~1.2 kB each: 60,000 are ~80 MB per server process; whole
    # answers (serve.app.ResponseCache) up to 256 kB each, a page of 50 events ~60 kB.
    def __init__(self, records: int = 60_000, results: int = 5_000, responses: int = 1_000) -> None:
        self.sizes = {"records": records, "results": results, "responses": responses}
        self.version: int | None = None
        self._entries: dict[str, OrderedDict[Any, Any]] = {k: OrderedDict() for k in self.sizes}
        self._lock = threading.Lock()

    def _at(self, version: int) -> bool:
        """Whether values read at ``version`` may be kept (the lock is held)."""
        if self.version is None or version > self.version:
            self.version = version
            for entries in self._entries.values():
                entries.clear()
        return version == self.version

    def get(self, kind: str, version: int, keys: Iterable[Any]) -> dict[Any, Any]:
        with self._lock:
            if version != self.version:
                return {}
            entries = self._entries[kind]
            found = {}
            for key in keys:
                if key in entries:
                    entries.move_to_end(key)
                    found[key] = entries[key]
            return found

    def put(self, kind: str, version: int, values: Mapping[Any, Any]) -> None:
        with self._lock:
            if not self._at(version):
                return  # read in an older snapshot than what the cache holds now
            entries = self._entries[kind]
            for key, value in values.items():
                entries[key] = value
                entries.move_to_end(key)
            while len(entries) > self.sizes[kind]:
                entries.popitem(last=False)


def cached(store: Store, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its value from the store's read cache when the ledger has not changed
    since (only inside a read snapshot, where the version and the value are read together)."""
    cache = store.read_cache
    if cache is None or not store.in_snapshot():
        return compute()
    version = store.ledger_version()
    found = cache.get("results", version, [key])
    if key in found:
        return cast(T, found[key])
    value = compute()
    cache.put("results", version, {key: value})
    return value


def _key(value: Any) -> Hashable:
    cache_key = getattr(value, "cache_key", None)
    if callable(cache_key):
        return cast(Hashable, cache_key())
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    return cast(Hashable, value)


def ledger_cached(query: Callable[..., T]) -> Callable[..., T]:
    """A query ``f(store, ...)`` whose answer the store's read cache keeps per ledger version
    (arguments hashable, or lists of such, or objects with a ``cache_key()``)."""

    @functools.wraps(query)
    def answer(store: Store, *args: Any, **kwargs: Any) -> T:
        named = tuple((k, _key(v)) for k, v in sorted(kwargs.items()))
        key = (query.__qualname__, _key(args), named)
        return cached(store, key, lambda: query(store, *args, **kwargs))

    return answer


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON, as the server sends it (Starlette's JSONResponse encoding)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def event_records_json(store: Store, ids: Sequence[str]) -> list[bytes]:
    """The records of ``event_records_for``, each encoded by ``encode``, in the order of
    ``ids``. With the store's read cache and inside a read snapshot, records built at the same
    ledger version are reused, not rebuilt. The cache keeps them encoded: a record as dicts
    and lists is ~15 objects the cycle collector walks on every full pass, and over a cache of
    20,000 records such passes stalled a server process for up to half a second; bytes are
    not tracked at all, and an answer splices them without encoding them again."""
    if not ids:
        return []
    ids = list(ids)
    cache = store.read_cache
    if cache is None or not store.in_snapshot():
        return [encode(r) for r in _build_event_records(store, ids)]
    version = store.ledger_version()
    known = cache.get("records", version, ids)
    missing = [i for i in dict.fromkeys(ids) if i not in known]
    if missing:
        built = {r["id"]: encode(r) for r in _build_event_records(store, missing)}
        cache.put("records", version, built)
        known.update(built)
    return [known[i] for i in ids if i in known]


def event_records_for(store: Store, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Export-contract records of these events, in the order of ``ids``; loads only their
    mentions and actors. Inside a read snapshot of a store with a read cache they come from
    ``event_records_json`` (decoded: each caller gets its own copy)."""
    if not ids:
        return []
    if store.read_cache is None or not store.in_snapshot():
        return _build_event_records(store, list(ids))
    return [json.loads(b) for b in event_records_json(store, ids)]


# The record builder's statements, built once: a fresh ``in_(list)`` per call cost more in
# SQLAlchemy (clause, cache key, parameters) than SQLite took to answer it.
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_EVENTS_OF = select(events).where(events.c.id.in_(_IDS))
_MENTIONS_OF = (
    select(
        mentions.c.id,
        mentions.c.event_id,
        mentions.c.data,
        articles.c.outlet,
        articles.c.published,
    )
    .join(articles, articles.c.id == mentions.c.article_id)
    .where(mentions.c.event_id.in_(_IDS))
    .order_by(articles.c.published_utc, mentions.c.article_id, mentions.c.idx)
)
# The resolved actor of each role in the mentions, with its name (one query, not two).
_ACTORS_OF = (
    select(
        mention_actors.c.mention_id,
        mention_actors.c.position,
        mention_actors.c.actor_id,
        actors.c.name,
        actors.c.kind,
        actors.c.country,
    )
    .outerjoin(actors, actors.c.id == mention_actors.c.actor_id)
    .where(mention_actors.c.mention_id.in_(_IDS), mention_actors.c.actor_id.is_not(None))
)
_COPIES_OF = select(articles.c.duplicate_of, articles.c.outlet).where(
    articles.c.duplicate_of.in_(_IDS)
)


def _build_event_records(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    with store.connect() as conn:
        event_rows = {
            r.id: r for chunk in chunks(ids, 500) for r in conn.execute(_EVENTS_OF, {"ids": chunk})
        }
        mention_rows = [
            r for chunk in chunks(ids, 500) for r in conn.execute(_MENTIONS_OF, {"ids": chunk})
        ]
        actor_ids: dict[tuple[str, int], str] = {}
        # Plain tuples: a Row's attributes cost more than the rest of the record building.
        actor_names: dict[str, tuple[str, str, str | None]] = {}
        for chunk in chunks([r.id for r in mention_rows], 500):
            for mention_id, position, actor_id, name, kind, country in conn.execute(
                _ACTORS_OF, {"ids": chunk}
            ):
                actor_ids[(mention_id, position)] = actor_id
                if name is not None:
                    actor_names[actor_id] = (name, kind, country)
        # Syndicated copies (exact or near duplicates) of the events' articles: their outlets
        # carry the report too, but are not independent of the original.
        copies: dict[str, list[str | None]] = defaultdict(list)
        reported = sorted({r.data["article"] for r in mention_rows})
        for chunk in chunks(reported, 500):
            for copy in conn.execute(_COPIES_OF, {"ids": chunk}):
                copies[copy.duplicate_of].append(copy.outlet)
    by_event: dict[str, list[tuple[EventMention, Any]]] = defaultdict(list)
    for row in mention_rows:
        m = EventMention.from_dict(row.data)
        for pos, actor in enumerate([*m.actors, *m.attributed_to]):
            actor.id = actor_ids.get((m.id, pos), actor.id)
        by_event[row.event_id].append((m, row))
    return [
        _event_record(event_rows[eid], by_event.get(eid, []), actor_names, copies)
        for eid in ids
        if eid in event_rows
    ]


def _event_record(
    ev: Any,
    ms: list[tuple[EventMention, Any]],
    actor_names: dict,
    copies: Mapping[str, list[str | None]] | None = None,
) -> dict[str, Any]:
    actors_out: dict[tuple[str, str], dict[str, Any]] = {}
    attributed: dict[str, dict[str, Any]] = {}
    evidence, history, quantities = [], [], []
    date_evidence, location_evidence = [], []
    article_ids: list[str] = []
    reports: dict[tuple[str, str], set[str]] = {}
    for m, row in ms:
        if m.article not in article_ids:
            article_ids.append(m.article)
        for a in m.actors:
            key = (a.id or a.name, a.role)
            entry = actors_out.setdefault(key, _actor_record(a, actor_names.get(a.id), []))
            entry["evidence"] += _actor_evidence(m, a)
            reports.setdefault(key, set()).add(m.id)
        for a in m.attributed_to:
            attributed.setdefault(a.id or a.name, _actor_record(a, actor_names.get(a.id), None))
        evidence.append(_mention_evidence(m))
        history.append(
            {
                "article": m.article,
                "outlet": row.outlet,
                "published": row.published,
                "status": m.status,
            }
        )
        if m.date_span:
            date_evidence.append(
                {"article": m.article, "start": m.date_span.start, "end": m.date_span.end,
                 "text": m.date_span.text, "date_start": m.date_start, "date_end": m.date_end}
            )  # fmt: skip
        if m.location_span:
            location_evidence.append(
                {"article": m.article, "start": m.location_span.start,
                 "end": m.location_span.end, "text": m.location_span.text}
            )  # fmt: skip
        for q in m.quantities:
            quantities.append({**q, "article": m.article})
    corroboration = _corroboration(ms, copies or {})
    # Outlet as the attribution when no party is named: the report itself is the source.
    if not attributed:
        for _, row in ms:
            if row.outlet:
                attributed.setdefault(
                    f"outlet:{row.outlet}",
                    {"id": f"outlet:{row.outlet}", "name": row.outlet, "kind": "organization",
                     "country": None},
                )  # fmt: skip
    return {
        "id": ev.id,
        "type": ev.type,
        "mode": ev.mode,
        "context": ev.context or None,
        "cameo": ev.cameo,
        "status": ev.status,
        "date": _date(ev.date_start, ev.date_end),
        "date_approximate": approximate_date(
            _date(ev.date_start, ev.date_end),
            ev.status,
            (row.published for _, row in ms),
            (m for m, _ in ms),
        ),
        "location": _location(ev.location_name, ev.location_country),
        "actors": one_side_per_actor(actors_out, reports),
        "attributed_to": list(attributed.values()),
        "articles": article_ids,
        "evidence": evidence,
        "confidence": ev.confidence,
        "label": ev.label,
        "status_history": history,
        "date_evidence": date_evidence,
        "location_evidence": location_evidence,
        "quantities": quantities,
        "story": ev.story,
        "corroboration": corroboration,
        "contradictions": ev.contradictions or [],
    }


def _corroboration(
    ms: list[tuple[EventMention, Any]], copies: Mapping[str, list[str | None]]
) -> dict[str, Any]:
    """How many reports stand behind an event, and how many of them are independent: an
    outlet and its sister titles or wire copies count once (data/outlets/groups.tsv), and
    an outlet that ran a syndicated copy is one more outlet but not one more source."""
    by_article: dict[str, tuple[str | None, list[EventMention]]] = {}
    for m, row in ms:
        by_article.setdefault(m.article, (row.outlet, []))[1].append(m)
    originals = {o for o, _ in by_article.values() if o}
    groups = {outlet_group(o) for o in originals}
    syndicated = [o for a in by_article for o in copies.get(a, [])]
    outlets = originals | {o for o in syndicated if o}
    unknown = sum(1 for o, _ in by_article.values() if not o)
    repeats = sum(
        1 for _, reports in by_article.values()
        if all(r.status == "claimed" for r in reports) and any(r.attributed_to for r in reports)
    )  # fmt: skip
    return {
        "reports": len(by_article),
        "outlets": len(outlets) + unknown,
        "independent": len(groups) + unknown,
        "copies": len(syndicated),
        "claim_share": round(repeats / len(by_article), 2) if by_article else 0.0,
    }


def story_records(store: Store) -> Iterator[dict[str, Any]]:
    """Stories with their articles, in order of their first date."""
    with store.connect() as conn:
        rows = conn.execute(
            select(stories).order_by(stories.c.first_date.is_(None), stories.c.first_date)
        ).all()
        members: dict[str, list[str]] = defaultdict(list)
        for r in conn.execute(
            select(articles.c.id, articles.c.story)
            .where(articles.c.story.is_not(None), articles.c.duplicate_of.is_(None))
            .order_by(articles.c.published_utc, articles.c.id)
        ):
            members[r.story].append(r.id)
    for r in rows:
        yield dict(r._mapping) | {"article_ids": members.get(r.id, [])}


def _date(start: str | None, end: str | None) -> dict[str, str] | None:
    return {"start": start, "end": end or start} if start else None


# An event the text gives no date for, reported as done, happened on or before its first
# report; news reports most such events within days. The window is an assumption, so it is
# exported apart from ``date`` (which stays null) and says what it rests on.
APPROXIMATE_WINDOW_DAYS = 7
_PAST_STATUSES = ("occurred", "claimed", "denied")


def approximate_date(
    date: dict[str, str] | None,
    status: str,
    published: Iterable[str | None],
    story: Iterable[EventMention] = (),
) -> dict[str, Any] | None:
    """``{"start", "end", "basis"}`` for an undated past event.

    ``basis: "story_date"``: the day its reports had just named (their mentions'
    ``context_date``; the one most of them give, the earliest on a tie), with the spans it
    was read from as ``evidence``.  Else ``"first_report"``: the week up to its first report.
    """
    if date is not None or status not in _PAST_STATUSES:
        return None
    framed = [m for m in story if m.context_date and m.context_date_span]
    if framed:
        counts = Counter(m.context_date for m in framed)
        day = min(counts, key=lambda d: (-counts[d], d))
        return {
            "start": day,
            "end": day,
            "basis": "story_date",
            "evidence": [
                {"article": m.article, "start": m.context_date_span.start,
                 "end": m.context_date_span.end, "text": m.context_date_span.text}
                for m in framed
                if m.context_date == day and m.context_date_span
            ],
        }  # fmt: skip
    days = sorted(p[:10] for p in published if p)
    if not days:
        return None
    first = dt.date.fromisoformat(days[0])
    start = first - dt.timedelta(days=APPROXIMATE_WINDOW_DAYS)
    return {"start": start.isoformat(), "end": first.isoformat(), "basis": "first_report"}


def _location(name: str | None, country: str | None) -> dict[str, str | None] | None:
    return {"name": name, "country": country} if name else None


def one_side_per_actor(
    actors: dict[tuple[str, str], dict[str, Any]], reports: Mapping[tuple[str, str], set[str]]
) -> list[dict[str, Any]]:
    """An event's actor is on one side: where its mentions put it now as the source, now as
    the target (one report's parse against another's), the side more mentions give wins, the
    source on a tie. Each mention keeps its own roles in ``evidence``."""
    out = []
    for (actor_id, role), record in actors.items():
        other = {"source": "target", "target": "source"}.get(role)
        if other is not None and (actor_id, other) in actors:
            mine = len(reports.get((actor_id, role), ()))
            theirs = len(reports.get((actor_id, other), ()))
            if mine < theirs or (mine == theirs and role == "target"):
                continue
        out.append(record)
    return out


def _actor_record(
    a: ActorMention, known: tuple[str, str, str | None] | None, evidence: list | None
) -> dict[str, Any]:
    """``known``: the resolved actor's (name, kind, country), when the mention has one."""
    name, kind, country = known if known else (a.name, a.kind, None)
    record: dict[str, Any] = {
        "id": a.id or a.name,
        "name": name,
        "kind": kind,
        "country": country or a.country,
    }
    if evidence is not None:
        record["role"] = a.role
        record["evidence"] = evidence
    return record


def _actor_evidence(m: EventMention, a: ActorMention) -> list[dict[str, Any]]:
    return [{"article": m.article, "start": a.span.start, "end": a.span.end, "text": a.span.text}]


def _mention_evidence(m: EventMention) -> dict[str, Any]:
    return {
        "article": m.article,
        "sentence": m.sentence.text,
        "start": m.sentence.start,
        "end": m.sentence.end,
        "trigger": {"start": m.trigger.start, "end": m.trigger.end, "text": m.trigger.text},
        "status": m.status,
        "status_cue": m.status_cue.text if m.status_cue else None,
    }


def mention_record(m: EventMention) -> dict[str, Any]:
    """One mention in the shape of an exported event plus ``article``: the ``extract``
    contract. Actor ids must be set on the mention's actors."""
    return {
        "id": m.id,
        "article": m.article,
        "type": m.type,
        "mode": m.mode,
        "context": m.context or None,
        "cameo": m.cameo,
        "status": m.status,
        "date": _date(m.date_start, m.date_end),
        "date_approximate": approximate_date(
            _date(m.date_start, m.date_end), m.status, [m.published], [m]
        ),
        "location": _location(m.location_name, m.location_country),
        "actors": [
            _actor_record(a, None, _actor_evidence(m, a)) | {"title": a.title} for a in m.actors
        ],
        "attributed_to": [_actor_record(a, None, None) for a in m.attributed_to],
        "articles": [m.article],
        "evidence": [_mention_evidence(m)],
        "confidence": m.confidence,
        "label": m.label,
        "date_text": m.date_span.text if m.date_span else None,
        "quantities": m.quantities,
    }


def actor_records(store: Store) -> Iterator[dict[str, Any]]:
    with store.connect() as conn:
        actor_rows = conn.execute(select(actors).order_by(actors.c.id)).all()
        aliases: dict[str, list[Any]] = defaultdict(list)
        for row in conn.execute(select(actor_aliases).order_by(actor_aliases.c.alias)):
            aliases[row.actor_id].append(row)
        roles: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in conn.execute(select(actor_roles).order_by(actor_roles.c.first_seen)):
            roles[row.actor_id].append(
                {"title": row.title, "first_seen": row.first_seen, "last_seen": row.last_seen}
            )
    for a in actor_rows:
        names = [r.alias for r in aliases[a.id]]
        yield {
            "id": a.id,
            "name": a.name,
            "kind": a.kind,
            "country": a.country,
            "aliases": sorted(set(names) | {a.name}),
            "roles": roles[a.id],
            "sector": a.sector,
            "alias_reasons": {r.alias: r.reason for r in aliases[a.id]},
        }


def article_records(store: Store) -> Iterator[dict[str, Any]]:
    with store.connect() as conn:
        rows = conn.execute(
            select(
                articles.c.id, articles.c.url, articles.c.title, articles.c.outlet,
                articles.c.published, articles.c.language, articles.c.story,
                articles.c.duplicate_of,
            ).order_by(articles.c.published_utc, articles.c.id)
        )  # fmt: skip
        for r in rows:
            yield dict(r._mapping)
