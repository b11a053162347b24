"""Report: briefings an analyst can forward, from a story, an actor or a date range.

A briefing has the key events (what happened, with status and sources), what is still only
planned, the open claims (who claims what, not yet corroborated), and the contradictions
between reports. ``build_briefing`` collects it; ``to_markdown`` and ``to_html`` write it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import select

from wirewatch.store import Store
from wirewatch.store.records import EventFilter, event_records
from wirewatch.store.schema import actor_aliases, actors, articles, stories

__all__ = ["Briefing", "ReportError", "build_briefing", "to_html", "to_markdown"]

KEY_EVENTS = 12


class ReportError(ValueError):
    """The briefing cannot be built as asked (unknown story or actor, bad range)."""


@dataclass
class Briefing:
    title: str
    scope: str
    generated: str
    events: list[dict[str, Any]]
    key_events: list[dict[str, Any]]
    planned: list[dict[str, Any]]
    open_claims: list[dict[str, Any]]
    contradictions: list[dict[str, Any]]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def period(self) -> str:
        days = [e["date"]["start"] for e in self.events if e["date"]] + [
            e["date"]["end"] for e in self.events if e["date"]
        ]
        return f"{min(days)} to {max(days)}" if days else "undated"


def _resolve_actor(store: Store, name: str) -> tuple[str, str]:
    """(id, display name) of the actor called ``name`` (id, ISO code, name or alias)."""
    low = name.strip().lower()
    with store.connect() as conn:
        for query in (
            select(actors.c.id, actors.c.name).where(actors.c.id == name.strip()),
            select(actors.c.id, actors.c.name).where(actors.c.name.ilike(low)),
            select(actors.c.id, actors.c.name)
            .join(actor_aliases, actor_aliases.c.actor_id == actors.c.id)
            .where(actor_aliases.c.alias.ilike(low)),
        ):
            row = conn.execute(query).first()
            if row:
                return row.id, row.name
    raise ReportError(f"no actor called {name!r}; `wirewatch actors` lists them")


def _day(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        raise ReportError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


def _score(e: dict[str, Any]) -> tuple[float, ...]:
    """Key events first: corroborated, named (2+2, summit), confident, dated."""
    c = e["corroboration"]
    return (
        c["independent"]
        + 0.5 * c["reports"]
        + (1.0 if e.get("label") else 0.0)
        + (0.5 if e["date"] else 0.0)
        + (0.5 if e["location"] else 0.0),
        e["confidence"],
    )


def _date_key(e: dict[str, Any]) -> tuple[int, str, str]:
    return (0, e["date"]["start"], e["id"]) if e["date"] else (1, "", e["id"])


def build_briefing(
    store: Store,
    *,
    story: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    until: str | None = None,
    key_events: int = KEY_EVENTS,
) -> Briefing:
    """Collect a briefing. At least one of story, actor or since must be given."""
    if not (story or actor or since):
        raise ReportError("give a story, an actor or a date range (since)")
    since, until = _day(since, "since"), _day(until, "until")
    if since and until and since > until:
        raise ReportError(f"since {since} is after until {until}")
    parts: list[str] = []
    title = "Briefing"
    actor_id = None
    if story:
        with store.connect() as conn:
            row = conn.execute(select(stories).where(stories.c.id == story)).first()
        if row is None:
            raise ReportError(f"no story {story!r}; `wirewatch stories` lists them")
        title = row.title or story
        parts.append(f"story {story}")
    if actor:
        actor_id, actor_name = _resolve_actor(store, actor)
        title = actor_name if not story else f"{title}: {actor_name}"
        parts.append(f"actor {actor_name} ({actor_id})")
    if since or until:
        parts.append(f"events from {since or 'the start'} to {until or 'today'}")
        if not (story or actor):
            title = f"Events {since} to {until or 'today'}"
    flt = EventFilter(story=story, actor=actor_id, since=since, until=until)
    records = list(event_records(store, flt))
    if actor_id:
        records = [
            r for r in records if actor_id in {a["id"] for a in r["actors"] + r["attributed_to"]}
        ]
    records.sort(key=_date_key)
    done = [r for r in records if r["status"] == "occurred"]
    chosen = {r["id"] for r in sorted(done, key=_score, reverse=True)[:key_events]}
    key = [r for r in records if r["id"] in chosen]
    planned = [r for r in records if r["status"] == "planned"]
    claims = [
        r
        for r in records
        if r["status"] in ("claimed", "denied") or r["corroboration"]["claim_share"] >= 0.5
    ]
    contradictions = [r for r in records if r["contradictions"]]
    wanted = {a for r in key + planned + claims + contradictions for a in r["articles"]}
    with store.connect() as conn:
        sources = {
            row.id: dict(row._mapping)
            for row in conn.execute(
                select(
                    articles.c.id,
                    articles.c.title,
                    articles.c.outlet,
                    articles.c.published,
                    articles.c.url,
                ).where(articles.c.id.in_(sorted(wanted)))
            )
        }
    return Briefing(
        title=title,
        scope="; ".join(parts),
        generated=datetime.now(UTC).isoformat(timespec="minutes"),
        events=records,
        key_events=key,
        planned=planned,
        open_claims=claims,
        contradictions=contradictions,
        sources=sources,
    )


# -- writing --------------------------------------------------------------------------------


def when(date: dict[str, str] | None) -> str:
    if not date:
        return "undated"
    return date["start"] if date["start"] == date["end"] else f"{date['start']} to {date['end']}"


def who(e: dict[str, Any]) -> str:
    by_role: dict[str, list[str]] = {}
    for a in e["actors"]:
        by_role.setdefault(a["role"], [])
        if a["name"] not in by_role[a["role"]]:
            by_role[a["role"]].append(a["name"])
    if "participant" in by_role:
        return ", ".join(by_role["participant"])
    if not by_role:
        return "unnamed actors"
    src, tgt = by_role.get("source"), by_role.get("target")
    if src and tgt:
        return f"{', '.join(src)} → {', '.join(tgt)}"
    return ", ".join(src or tgt or [])


def says_who(e: dict[str, Any]) -> str:
    names = [a["name"] for a in e["attributed_to"] if not str(a["id"]).startswith("outlet:")]
    return ", ".join(dict.fromkeys(names))


def headline(e: dict[str, Any]) -> str:
    label = f" ({e['label']})" if e.get("label") else ""
    where = f" in {e['location']['name']}" if e.get("location") else ""
    return f"{e['type']}{label}: {who(e)}{where}"


def sentence(e: dict[str, Any]) -> str:
    """The evidence sentence that reports the event's current status (the latest such)."""
    if not e["evidence"]:
        return ""
    same = [ev for ev in e["evidence"] if ev.get("status") == e["status"]]
    return " ".join((same or e["evidence"])[-1]["sentence"].split())


def _md(text: Any) -> str:
    """Text safe inside Markdown: no HTML, no link or emphasis syntax from article text."""
    s = str(text)
    for ch in "\\`*_[]<>#|":
        s = s.replace(ch, "\\" + ch)
    return s


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(when=when, who=who, headline=headline, says_who=says_who, md=_md)
    env.globals.update(sentence=sentence)
    return env


def to_markdown(b: Briefing) -> str:
    return _env().get_template("briefing.md").render(b=b)


def to_html(b: Briefing) -> str:
    env = _env()
    env.autoescape = True
    return env.get_template("briefing.html").render(b=b)
