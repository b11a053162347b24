"""HTML pages. Jinja2 with autoescaping on: nothing from an article reaches the page unescaped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from wirewatch.model import PLOVER_TYPES, STATUSES
from wirewatch.serve import queries as Q
from wirewatch.serve import render
from wirewatch.serve.api import ApiError, SnapshotRoute, StoreDep
from wirewatch.serve.queries import EventQuery
from wirewatch.store.records import event_records_for

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(
    STATUS_COLOURS=render.STATUS_COLOURS, TYPES=PLOVER_TYPES, STATUSES=STATUSES
)


def _when(date: dict[str, str] | None, approx: dict[str, Any] | None = None) -> str:
    if not date:
        if not approx:
            return "undated"
        if approx.get("basis") == "story_date":
            return f"undated (≈ {approx['start']}, the day the story had just named)"
        return f"undated (≈ by {approx['end']}, from the first report)"
    if date["start"] == date["end"]:
        return date["start"]
    return f"{date['start']} – {date['end']}"


def _who(record: dict[str, Any]) -> str:
    by_role: dict[str, list[str]] = {}
    for a in record.get("actors", []):
        by_role.setdefault(a["role"], []).append(a["name"])
    if "participant" in by_role:
        return ", ".join(dict.fromkeys(by_role["participant"]))
    if not by_role:
        return ""
    src = ", ".join(dict.fromkeys(by_role.get("source", ["?"])))
    return f"{src} → {', '.join(dict.fromkeys(by_role.get('target', ['?'])))}"


templates.filters["when"] = _when
templates.filters["who"] = _who


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status)


router = APIRouter(include_in_schema=False, route_class=SnapshotRoute)


def _filters(**kw: str | None) -> str:
    return urlencode({k: v for k, v in kw.items() if v})


@router.get("/", response_class=HTMLResponse)
def home(store: StoreDep) -> HTMLResponse:
    found = Q.event_page(store, EventQuery(), 25, 0)
    stories, story_total = Q.story_page(store, 10, 0)
    return page(
        "home.html",
        events=event_records_for(store, found.ids),
        total=f"{found.total}{'' if found.exact else '+'}",
        stories=stories,
        story_total=story_total,
        q="",
        flt=EventQuery(),
    )


@router.get("/events", response_class=HTMLResponse)
def events_page(
    store: StoreDep,
    q: str | None = None,
    actor: str | None = None,
    type: str | None = None,
    status: str | None = None,
    since: str | None = None,
    until: str | None = None,
    story: str | None = None,
    offset: Annotated[int, Query()] = 0,
) -> HTMLResponse:
    flt = EventQuery.build(actor, type, status, since, until, story, q)
    _, off = Q.paging(50, offset)
    found = Q.event_page(store, flt, 50, off)
    ids, total = found.ids, found.total or 0
    base = _filters(
        q=flt.q,
        actor=flt.actor,
        type=flt.type,
        status=flt.status,
        since=flt.since,
        until=flt.until,
        story=flt.story,
    )
    return page(
        "events.html",
        events=event_records_for(store, ids),
        total=total,
        offset=off,
        limit=50,
        flt=flt,
        q=flt.q or "",
        base=base,
        exact=found.exact,
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(store: StoreDep, event_id: str) -> HTMLResponse:
    records = event_records_for(store, [event_id])
    if not records:
        raise ApiError(404, "not_found", f"no event {event_id!r}")
    record = records[0]
    meta = Q.article_meta(store, record["articles"])
    sources = []
    for ev in record["evidence"]:
        sources.append(
            {
                "evidence": ev,
                "article": meta.get(ev["article"], {"id": ev["article"]}),
                "segments": render.evidence_segments(record, ev),
            }
        )
    titles = Q.story_titles(store, [record["story"]] if record["story"] else [])
    return page(
        "event.html",
        e=record,
        sources=sources,
        meta=meta,
        story_title=titles.get(record["story"] or ""),
        q="",
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(store: StoreDep, article_id: str) -> HTMLResponse:
    record = Q.article_record(store, article_id)
    if record is None:
        raise ApiError(404, "not_found", f"no article {article_id!r}")
    marks = []
    for m in record["mentions"]:
        trig = m.get("trigger") or {}
        if trig.get("start") is None:
            continue
        title = f"{m['type']} · {m['status']}" + (f" · {m['label']}" if m.get("label") else "")
        marks.append(
            render.Mark(
                trig["start"],
                trig["end"],
                f"trigger st-{m['status']}",
                href=f"/events/{m['event']}" if m.get("event") else None,
                title=title,
            )
        )
    paragraphs = _paragraphs(record["text"], marks)
    return page("article.html", a=record, paragraphs=paragraphs, q="")


def _paragraphs(text: str, marks: list[render.Mark]) -> list[list[render.Segment]]:
    """The text cut into paragraphs at newlines, each a list of (escaped) segments."""
    out, pos = [], 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            out.append(
                render.segments(line, [m for m in marks if m.start < end and m.end > pos], pos)
            )
        pos = end + 1
    return out


@router.get("/actors", response_class=HTMLResponse)
def actors_page(
    store: StoreDep,
    q: str | None = None,
    kind: str | None = None,
    offset: Annotated[int, Query()] = 0,
) -> HTMLResponse:
    _, off = Q.paging(100, offset)
    rows, total = Q.actor_page(store, 100, off, kind or None, None, q or None)
    return page(
        "actors.html",
        actors=rows,
        total=total,
        offset=off,
        q=q or "",
        base=_filters(q=q, kind=kind),
    )


@router.get("/actors/{actor_id}", response_class=HTMLResponse)
def actor_page(store: StoreDep, actor_id: str) -> HTMLResponse:
    record = Q.actor_record(store, actor_id)
    if record is None:
        raise ApiError(404, "not_found", f"no actor {actor_id!r}")
    ids, total, exact = Q.actor_event_ids(store, actor_id, limit=300)
    rows = Q.event_rows(store, ids)
    others = Q.counterparts(store, actor_id)
    return page(
        "actor.html",
        a=record,
        events=rows[:100],
        total=total,
        exact=exact,
        timeline=render.timeline(rows),
        graph=render.graph(record, others),
        others=others,
        q="",
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(store: StoreDep, story_id: str) -> HTMLResponse:
    record = Q.story_record(store, story_id)
    if record is None:
        raise ApiError(404, "not_found", f"no story {story_id!r}")
    found = Q.event_page(store, EventQuery(story=story_id, order="asc"), Q.MAX_LIMIT, 0)
    ids, total = found.ids, found.total or 0
    rows = Q.event_rows(store, ids)
    shown = event_records_for(store, ids[:100])
    return page(
        "story.html",
        s=record,
        events=shown,
        total=total,
        timeline=render.timeline(rows),
        q="",
    )


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """The API reference, drawn from /openapi.json on the server (no CDN scripts)."""
    spec = request.app.openapi()
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "description": p.get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            ops.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "params": params,
                    "body": "requestBody" in op,
                }
            )
    return page("docs.html", spec=spec, ops=ops, q="")
