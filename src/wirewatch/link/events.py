"""Event merging: mentions of one real event in many articles become one event.

Two mentions are the same event when they have the same type, do not disagree on a named
format (a "2+2" is not an "SCM"), their dates overlap, their places agree and they share
actors without naming different countries on one side. A mention with no date of its own is
placed in a window around its article's publication (before it for what already happened,
after it for what is planned), so two undated "condemn" reports weeks apart stay apart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from wirewatch.model import EventMention

PAST_WINDOW = timedelta(days=10)
FUTURE_WINDOW = timedelta(days=180)
_STATUS_RANK = {"occurred": 5, "denied": 4, "claimed": 3, "planned": 2, "hypothetical": 1}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def mention_window(m: EventMention) -> tuple[date, date] | None:
    """The days the event can fall on: its own date, else a window around publication."""
    start, end = _day(m.date_start), _day(m.date_end)
    if start and end:
        return start, end
    published = _day(m.published)
    if published is None:
        return None
    if m.status in ("planned", "hypothetical"):
        return published, published + FUTURE_WINDOW
    return published - PAST_WINDOW, published


@dataclass
class EventCluster:
    mentions: list[EventMention] = field(default_factory=list)
    type: str = ""
    label: str | None = None
    dated: tuple[date, date] | None = None  # from mentions that give a date
    window: tuple[date, date] | None = None  # from undated mentions
    location: tuple[str, str | None] | None = None
    actors: set[str] = field(default_factory=set)
    countries: dict[str, set[str]] = field(default_factory=dict)  # role -> country ids

    @property
    def id(self) -> str:
        first = self.mentions[0]
        return "ev-" + hashlib.sha1(first.id.encode("utf-8")).hexdigest()[:12]

    def add(self, m: EventMention) -> None:
        self.mentions.append(m)
        self.type = m.type
        self.label = self.label or m.label
        own = (_day(m.date_start), _day(m.date_end))
        if own[0] and own[1]:
            interval = (own[0], own[1])
            # Keep the most precise date any report gives.
            if self.dated is None or (interval[1] - interval[0]) < (self.dated[1] - self.dated[0]):
                self.dated = interval
        else:
            self.window = (
                _intersect(self.window, mention_window(m)) if self.window else mention_window(m)
            )
        if m.location_name and (self.location is None or self.location[0] == self.location[1]):
            self.location = (m.location_name, m.location_country)
        self.actors |= _actor_keys(m)
        for a in m.actors:
            if a.kind == "country" and a.id:
                self.countries.setdefault(_side(a.role), set()).add(a.id)

    def span(self) -> tuple[date, date] | None:
        return self.dated or self.window


def _actor_keys(m: EventMention) -> set[str]:
    """Actor ids plus the countries of the people named: "Kim Yong-hyun and Lloyd Austin"
    and "South Korea and the US" can describe the same meeting."""
    keys = {a.id for a in m.actors if a.id}
    keys |= {a.country for a in m.actors if a.kind == "person" and a.country}
    return keys


def _side(role: str) -> str:
    return "participant" if role == "participant" else role


def _intersect(
    a: tuple[date, date] | None, b: tuple[date, date] | None
) -> tuple[date, date] | None:
    if a is None or b is None:
        return a or b
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo <= hi else a


def _overlap(a: tuple[date, date] | None, b: tuple[date, date] | None) -> bool:
    if a is None or b is None:
        return True
    return a[0] <= b[1] and b[0] <= a[1]


def compatibility(cluster: EventCluster, m: EventMention) -> float | None:
    """A score when the mention can join the cluster, None when it cannot."""
    if m.type != cluster.type:
        return None
    if m.label and cluster.label and m.label != cluster.label:
        return None
    own = (_day(m.date_start), _day(m.date_end))
    if own[0] and own[1] and cluster.dated:
        if not _overlap((own[0], own[1]), cluster.dated):
            return None
    elif not _overlap(mention_window(m), cluster.span()):
        return None
    their_country = cluster.location[1] if cluster.location else None
    if m.location_country and their_country and m.location_country != their_country:
        return None
    ids = _actor_keys(m)
    shared = ids & cluster.actors
    if not shared:
        return None
    # Different countries on one side ("ROK-US" vs "ROK-Canada") mean different events.
    for a in m.actors:
        if a.kind != "country" or not a.id:
            continue
        side = cluster.countries.get(_side(a.role), set())
        if side and a.id not in side and not (side & {x.id for x in m.actors}) - {a.id}:
            return None
    mine = {x.id for x in m.actors if x.kind == "country"}
    theirs = set().union(*cluster.countries.values()) if cluster.countries else set()
    if mine and theirs and mine - theirs and theirs - mine:
        return None
    score = len(shared) / len(ids | cluster.actors)
    if m.label and m.label == cluster.label:
        score += 0.5
    if own[0] and cluster.dated and (own[0], own[1]) == cluster.dated:
        score += 0.3
    return score


def merge_mentions(mentions: list[EventMention]) -> list[EventCluster]:
    """Greedy, order-stable clustering: each mention joins the best compatible event."""
    clusters: list[EventCluster] = []
    for m in mentions:
        best: tuple[float, EventCluster] | None = None
        for cluster in clusters:
            score = compatibility(cluster, m)
            if score is not None and (best is None or score > best[0]):
                best = (score, cluster)
        if best is None:
            cluster = EventCluster()
            cluster.add(m)
            clusters.append(cluster)
        else:
            best[1].add(m)
    return clusters


def event_status(mentions: list[EventMention]) -> str:
    """What the reports together say: an event reported as held is occurred, whatever earlier
    previews said; a later denial does not erase a report that it happened."""
    return max((m.status for m in mentions), key=lambda s: _STATUS_RANK.get(s, 0))


def event_row(cluster: EventCluster) -> dict:
    ms = cluster.mentions
    dated = cluster.dated
    location = cluster.location
    confidence = 1.0
    for m in ms:
        confidence *= 1.0 - m.confidence
    modes = [m.mode for m in ms if m.mode]
    contexts = sorted({c for m in ms for c in m.context})
    return {
        "id": cluster.id,
        "type": cluster.type,
        "mode": modes[0] if modes else None,
        "context": contexts,
        "cameo": ms[0].cameo,
        "status": event_status(ms),
        "label": cluster.label,
        "date_start": dated[0].isoformat() if dated else None,
        "date_end": dated[1].isoformat() if dated else None,
        "location_name": location[0] if location else None,
        "location_country": location[1] if location else None,
        "confidence": round(min(0.99, 1.0 - confidence), 3),
        "first_published": min((m.published or "" for m in ms), default=None) or None,
    }
