"""The REST API under ``/api/``: one envelope ``{"data": ..., "meta": {...}}`` for every answer,
``{"error": {"code", "message"}}`` for every failure, ``?format=csv|jsonl`` on every list."""

from __future__ import annotations

import csv
import functools
import hmac
import io
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute

from wirewatch.serve import queries as Q
from wirewatch.serve.queries import BadParameter, EventQuery
from wirewatch.store import Store
from wirewatch.store.records import encode, event_records_for, event_records_json


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


FORMATS = ("json", "csv", "jsonl")
LIST_LIMIT_DEFAULT = 50

Limit = Annotated[
    int | None,
    Query(description=f"Page size, 1..{Q.MAX_LIMIT} (default 50; all rows for csv/jsonl)."),
]
Offset = Annotated[int | None, Query(description="Rows to skip (default 0).")]
Format = Annotated[str, Query(description="json (envelope), csv or jsonl (streamed).")]


# Dependencies that neither read nor wait are ``async``: FastAPI hands a plain ``def`` one to
# the thread pool, a thread switch per dependency per request.
async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def _in_snapshot(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def read(*args: Any, **kwargs: Any) -> Any:
        store = kwargs.get("store")
        if not isinstance(store, Store):
            return endpoint(*args, **kwargs)
        with store.snapshot():
            return endpoint(*args, **kwargs)

    return read


class SnapshotRoute(APIRoute):
    """A GET answer is built from several queries; they all read one snapshot of the store, so
    an ingest relinking meanwhile cannot tear it (streamed lists read batch by batch)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if set(kwargs.get("methods") or ["GET"]) <= {"GET", "HEAD"}:
            endpoint = _in_snapshot(endpoint)
        super().__init__(path, endpoint, **kwargs)


def envelope(
    data: Any,
    total: int | None = None,
    limit: int | None = None,
    offset: int | None = None,
    **meta: Any,
) -> JSONResponse:
    """The one answer shape. Encoded with ``json`` directly: FastAPI's generic encoder walks
    every nested value and costs more than the query on a page of full event records."""
    return JSONResponse(
        {"data": data, "meta": {"total": total, "limit": limit, "offset": offset, **meta}}
    )


def encoded_envelope(
    data: bytes,
    total: int | None = None,
    limit: int | None = None,
    offset: int | None = None,
    **meta: Any,
) -> Response:
    """``envelope`` around ``data`` already encoded (``records.encode``): cached records are
    kept as JSON and spliced in as they are."""
    head = encode({"total": total, "limit": limit, "offset": offset, **meta})
    return Response(b'{"data":' + data + b',"meta":' + head + b"}", media_type="application/json")


def _check_format(fmt: str) -> str:
    fmt = (fmt or "json").lower()
    if fmt not in FORMATS:
        raise BadParameter("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def _flat(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def stream(records: Iterable[dict[str, Any]], fmt: str, name: str) -> StreamingResponse:
    """CSV or JSONL, produced while it is sent (the columns of CSV are the first record's)."""

    def jsonl() -> Iterator[str]:
        for r in records:
            yield json.dumps(r, ensure_ascii=False) + "\n"

    def as_csv() -> Iterator[str]:
        buf = io.StringIO()
        writer: csv.DictWriter[str] | None = None
        for r in records:
            if writer is None:
                writer = csv.DictWriter(buf, fieldnames=list(r), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _flat(v) for k, v in r.items()})
            if buf.tell() > 64 * 1024:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    if fmt == "csv":
        return StreamingResponse(
            as_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'inline; filename="{name}.csv"'},
        )
    return StreamingResponse(
        jsonl(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'inline; filename="{name}.jsonl"'},
    )


def _paged_stream(
    fetch: Callable[[int, int], list[dict[str, Any]]], limit: int | None, offset: int
) -> Iterator[dict[str, Any]]:
    """Rows from ``fetch(limit, offset)`` batch by batch, up to ``limit`` rows (or all)."""
    sent = 0
    while True:
        size = 500 if limit is None else min(500, limit - sent)
        if size <= 0:
            return
        rows = fetch(size, offset + sent)
        yield from rows
        sent += len(rows)
        if len(rows) < size:
            return


router = APIRouter(prefix="/api", route_class=SnapshotRoute)


# -- events --------------------------------------------------------------------------------------


async def event_query(
    actor: Annotated[str | None, Query(description="Actor id, ISO code, name or alias.")] = None,
    type: Annotated[str | None, Query(description="PLOVER type(s), comma-separated.")] = None,
    status: Annotated[str | None, Query(description="Status(es), comma-separated.")] = None,
    since: Annotated[str | None, Query(description="Events ending on/after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, Query(description="Events starting on/before YYYY-MM-DD.")] = None,
    story: Annotated[str | None, Query(description="Story id.")] = None,
    q: Annotated[
        str | None,
        Query(description='Words in an evidence sentence or label (stemmed; "phrase", -word, or).'),
    ] = None,
    order: Annotated[str | None, Query(description="desc (latest first, default) or asc.")] = None,
) -> EventQuery:
    return EventQuery.build(actor, type, status, since, until, story, q, order)


@router.get("/events", summary="Events, filtered and paged")
def list_events(
    store: StoreDep,
    flt: Annotated[EventQuery, Depends(event_query)],
    limit: Limit = None,
    offset: Offset = None,
    format: Format = "json",
) -> Any:
    fmt = _check_format(format)
    if fmt != "json":
        lim = None if limit is None else Q.paging(limit, offset)[0]
        off = Q.paging(1, offset)[1]

        def fetch(size: int, at: int) -> list[dict[str, Any]]:
            return event_records_for(store, Q.event_page(store, flt, size, at, False).ids)

        return stream(_paged_stream(fetch, lim, off), fmt, "events")
    lim, off = Q.paging(limit, offset, LIST_LIMIT_DEFAULT)
    page = Q.event_page(store, flt, lim, off)
    data = b"[" + b",".join(event_records_json(store, page.ids)) + b"]"
    return encoded_envelope(data, page.total, lim, off, total_exact=page.exact)


@router.get("/events/{event_id}", summary="One event with its sources and evidence")
def get_event(store: StoreDep, event_id: str) -> Any:
    records = event_records_json(store, [event_id])
    if not records:
        raise ApiError(404, "not_found", f"no event {event_id!r}")
    return encoded_envelope(records[0])


# -- actors --------------------------------------------------------------------------------------

KINDS = ("person", "country", "organization", "igo", "group")


@router.get("/actors", summary="Actors, filtered and paged")
def list_actors(
    store: StoreDep,
    kind: Annotated[
        str | None, Query(description="person, country, organization, igo, group")
    ] = None,
    country: Annotated[str | None, Query(description="ISO 3166-1 alpha-3 code.")] = None,
    q: Annotated[str | None, Query(description="Text in the name or an alias, or the id.")] = None,
    limit: Limit = None,
    offset: Offset = None,
    format: Format = "json",
) -> Any:
    fmt = _check_format(format)
    if kind and kind.lower() not in KINDS:
        raise BadParameter("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    if country and (len(country) != 3 or not country.isalpha()):
        raise BadParameter("country", "an ISO 3166-1 alpha-3 code such as KOR")
    if fmt != "json":
        lim = None if limit is None else Q.paging(limit, offset)[0]
        off = Q.paging(1, offset)[1]
        return stream(
            _paged_stream(lambda n, at: Q.actor_page(store, n, at, kind, country, q)[0], lim, off),
            fmt,
            "actors",
        )
    lim, off = Q.paging(limit, offset, LIST_LIMIT_DEFAULT)
    rows, total = Q.actor_page(store, lim, off, kind, country, q)
    return envelope(rows, total, lim, off)


@router.get("/actors/{actor_id}", summary="One actor: aliases with reasons, roles, counterparts")
def get_actor(store: StoreDep, actor_id: str) -> Any:
    record = Q.actor_record(store, actor_id)
    if record is None:
        raise ApiError(404, "not_found", f"no actor {actor_id!r}")
    ids, total, exact = Q.actor_event_ids(store, actor_id, limit=100)
    rows = Q.event_rows(store, ids)
    record["events"] = [_event_row(r) for r in rows]
    record["event_count"] = total
    record["event_count_exact"] = exact
    record["counterparts"] = Q.counterparts(store, actor_id)
    return envelope(record)


def _event_row(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "type": r.type,
        "status": r.status,
        "label": r.label,
        "date": {"start": r.date_start, "end": r.date_end or r.date_start}
        if r.date_start
        else None,
        "story": r.story,
        "confidence": r.confidence,
    }


# -- articles ------------------------------------------------------------------------------------


@router.get("/articles", summary="Articles, newest first, paged")
def list_articles(
    store: StoreDep,
    story: Annotated[str | None, Query(description="Story id.")] = None,
    outlet: Annotated[str | None, Query(description="Outlet name (exact, any case).")] = None,
    q: Annotated[str | None, Query(description="Text in the title.")] = None,
    limit: Limit = None,
    offset: Offset = None,
    format: Format = "json",
) -> Any:
    fmt = _check_format(format)
    if fmt != "json":
        lim = None if limit is None else Q.paging(limit, offset)[0]
        off = Q.paging(1, offset)[1]
        return stream(
            _paged_stream(
                lambda n, at: Q.article_page(store, n, at, story, outlet, q)[0], lim, off
            ),
            fmt,
            "articles",
        )
    lim, off = Q.paging(limit, offset, LIST_LIMIT_DEFAULT)
    rows, total = Q.article_page(store, lim, off, story, outlet, q)
    return envelope(rows, total, lim, off)


@router.get("/articles/{article_id}", summary="One article: text and the events found in it")
def get_article(store: StoreDep, article_id: str) -> Any:
    record = Q.article_record(store, article_id)
    if record is None:
        raise ApiError(404, "not_found", f"no article {article_id!r}")
    return envelope(record)


# -- stories -------------------------------------------------------------------------------------


@router.get("/stories", summary="Stories, latest first, paged")
def list_stories(
    store: StoreDep, limit: Limit = None, offset: Offset = None, format: Format = "json"
) -> Any:
    fmt = _check_format(format)
    if fmt != "json":
        lim = None if limit is None else Q.paging(limit, offset)[0]
        off = Q.paging(1, offset)[1]
        return stream(
            _paged_stream(lambda n, at: Q.story_page(store, n, at)[0], lim, off), fmt, "stories"
        )
    lim, off = Q.paging(limit, offset, LIST_LIMIT_DEFAULT)
    rows, total = Q.story_page(store, lim, off)
    return envelope(rows, total, lim, off)


@router.get("/stories/{story_id}", summary="One story: its articles and events")
def get_story(store: StoreDep, story_id: str) -> Any:
    record = Q.story_record(store, story_id)
    if record is None:
        raise ApiError(404, "not_found", f"no story {story_id!r}")
    record.pop("articles_list", None)
    page = Q.event_page(store, EventQuery(story=story_id, order="asc"), Q.MAX_LIMIT, 0)
    record["event_ids"] = page.ids
    record["event_count"] = page.total
    record["event_count_exact"] = page.exact
    return envelope(record)


# -- corrections (write) -------------------------------------------------------------------------

_write_lock = threading.Lock()


async def require_writer(request: Request) -> None:
    settings = request.app.state.settings
    if not settings.allow_write or not settings.token:
        raise ApiError(
            403,
            "read_only",
            "this server is read-only; start it with --token (or WIREWATCH_TOKEN) to allow "
            "corrections",
        )
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credentials.strip().encode(), settings.token.encode()
    ):
        raise ApiError(
            401,
            "unauthorized",
            "a valid 'Authorization: Bearer <token>' header is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _correct(store: Store, action: str, actor_id: str, value: Any) -> JSONResponse:
    from wirewatch.engine import relink

    if not isinstance(value, str) or not value.strip():
        raise BadParameter("body", "a non-empty string value is required")
    if len(value) > 500:
        raise BadParameter("body", "at most 500 characters")
    if Q.actor_record(store, actor_id) is None:
        raise ApiError(404, "not_found", f"no actor {actor_id!r}")
    if action == "merge" and Q.actor_record(store, value) is None:
        raise ApiError(404, "not_found", f"no actor {value!r} to merge")
    with _write_lock:
        store.add_correction(action, actor_id, value.strip())
        n = relink(store)
    return envelope({"action": action, "actor": actor_id, "value": value.strip(), "events": n})


Writer = Depends(require_writer)
BodyDict = Annotated[dict[str, Any], Body(examples=[{"other": "ACTOR-ID"}])]


@router.post(
    "/actors/{actor_id}/merge",
    dependencies=[Writer],
    summary="The actor in the body ('other') is the same as this one",
)
def merge_actor(store: StoreDep, actor_id: str, body: BodyDict) -> Any:
    return _correct(store, "merge", actor_id, body.get("other"))


@router.post(
    "/actors/{actor_id}/split",
    dependencies=[Writer],
    summary="Mentions spelled 'alias' are someone else",
)
def split_actor(store: StoreDep, actor_id: str, body: BodyDict) -> Any:
    return _correct(store, "split", actor_id, body.get("alias"))


@router.post(
    "/actors/{actor_id}/alias",
    dependencies=[Writer],
    summary="Any mention spelled 'alias' is this actor",
)
def alias_actor(store: StoreDep, actor_id: str, body: BodyDict) -> Any:
    return _correct(store, "alias", actor_id, body.get("alias"))


@router.post(
    "/actors/{actor_id}/rename", dependencies=[Writer], summary="Show this actor under 'name'"
)
def rename_actor(store: StoreDep, actor_id: str, body: BodyDict) -> Any:
    return _correct(store, "rename", actor_id, body.get("name"))


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )
