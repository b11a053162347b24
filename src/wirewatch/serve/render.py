"""Helpers for the pages: highlighted text as segments (the template escapes every piece) and
server-side SVG geometry for the timeline chart and the counterparts graph."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

STATUS_COLOURS = {
    "occurred": "#2b6cb0",
    "planned": "#2f855a",
    "claimed": "#c05621",
    "denied": "#9b2c2c",
    "hypothetical": "#6b46c1",
}
KIND_COLOURS = {
    "country": "#2b6cb0",
    "person": "#c05621",
    "organization": "#2f855a",
    "igo": "#6b46c1",
    "group": "#9b2c2c",
}


@dataclass
class Mark:
    start: int
    end: int
    cls: str
    href: str | None = None
    title: str | None = None
    priority: int = 0


@dataclass
class Segment:
    text: str
    mark: Mark | None = None


def segments(text: str, marks: Iterable[Mark], offset: int = 0) -> list[Segment]:
    """Split ``text`` (which starts at ``offset`` in its article) into plain and marked pieces.
    Overlapping marks: the higher priority one wins, then the earlier one."""
    chosen: list[Mark] = []
    for m in sorted(marks, key=lambda m: (-m.priority, m.start, m.end)):
        s, e = max(m.start - offset, 0), min(m.end - offset, len(text))
        if s >= e:
            continue
        if any(s < c.end and c.start < e for c in chosen):
            continue
        chosen.append(Mark(s, e, m.cls, m.href, m.title, m.priority))
    chosen.sort(key=lambda m: m.start)
    out: list[Segment] = []
    pos = 0
    for m in chosen:
        if m.start > pos:
            out.append(Segment(text[pos : m.start]))
        out.append(Segment(text[m.start : m.end], m))
        pos = m.end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def evidence_segments(record: dict[str, Any], ev: dict[str, Any]) -> list[Segment]:
    """One evidence sentence with its trigger, actors, date and place marked."""
    sentence: str = (ev.get("sentence") or "").rstrip()
    start: int = ev.get("start") or 0
    article = ev.get("article")
    marks: list[Mark] = []
    trig = ev.get("trigger") or {}
    if trig.get("start") is not None and trig.get("end") is not None:
        t_start, t_end = int(trig["start"]), int(trig["end"])
        if sentence[t_start - start : t_end - start] != trig.get("text"):
            found = sentence.find(trig.get("text") or "\0")
            if found >= 0:
                t_start, t_end = start + found, start + found + len(trig["text"])
        marks.append(
            Mark(t_start, t_end, "trigger", title=f"trigger: {record['type']}", priority=3)
        )
    for actor in record.get("actors", []):
        for span in actor.get("evidence", []):
            if span.get("article") == article:
                marks.append(
                    Mark(
                        span["start"],
                        span["end"],
                        "actor",
                        href=f"/actors/{actor['id']}",
                        title=f"{actor['role']}: {actor['name']}",
                        priority=2,
                    )
                )
    for span in record.get("date_evidence", []):
        if span.get("article") == article:
            marks.append(Mark(span["start"], span["end"], "date", title="date", priority=1))
    for span in record.get("location_evidence", []):
        if span.get("article") == article:
            marks.append(Mark(span["start"], span["end"], "place", title="place", priority=1))
    return segments(sentence, marks, offset=start)


# -- timeline chart -----------------------------------------------------------------------------


@dataclass
class TimelineItem:
    id: str
    x: float
    y: float
    w: float
    colour: str
    title: str
    bar: bool


@dataclass
class Timeline:
    width: int
    height: int
    left: int
    lanes: list[tuple[str, float]] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    items: list[TimelineItem] = field(default_factory=list)
    undated: int = 0
    legend: list[tuple[str, str]] = field(default_factory=list)


def _d(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def timeline(rows: Sequence[Any], width: int = 900) -> Timeline:
    """Events as marks on a time axis, one lane per event type; colour is the status."""
    dated = [(r, _d(r.date_start), _d(r.date_end) or _d(r.date_start)) for r in rows]
    dated = [(r, s, e) for r, s, e in dated if s is not None]
    undated = len(rows) - len(dated)
    lanes = sorted({r.type for r, _, _ in dated})
    lane_h, top, left, right = 26, 30, 110, 20
    height = top + lane_h * max(len(lanes), 1) + 30
    tl = Timeline(width=width, height=height, left=left, undated=undated)
    tl.legend = [(s, c) for s, c in STATUS_COLOURS.items()]
    if not dated:
        return tl
    lo = min(s for _, s, _ in dated if s)
    hi = max(e for _, _, e in dated if e)
    span_days = max((hi - lo).days, 1)
    pad = max(span_days // 20, 1)
    lo, hi = lo - timedelta(days=pad), hi + timedelta(days=pad)
    span_days = (hi - lo).days
    inner = width - left - right

    def x(d: date) -> float:
        return left + inner * (d - lo).days / span_days

    tl.lanes = [(t, top + lane_h * i + lane_h / 2) for i, t in enumerate(lanes)]
    lane_y = dict(tl.lanes)
    for tick in _ticks(lo, hi):
        tl.ticks.append(
            (round(x(tick), 1), tick.isoformat() if span_days < 120 else tick.strftime("%Y-%m"))
        )
    for r, s, e in dated:
        assert s is not None and e is not None
        x0, x1 = x(s), x(e + timedelta(days=1))
        span = f"..{r.date_end}" if r.date_end and r.date_end != r.date_start else ""
        label = f"{r.date_start}{span}"
        title = f"{label} {r.type}{' (' + r.label + ')' if r.label else ''} {r.status}"
        tl.items.append(
            TimelineItem(
                id=r.id,
                x=round(x0, 1),
                y=lane_y[r.type],
                w=round(max(x1 - x0, 3), 1),
                colour=STATUS_COLOURS.get(r.status, "#4a5568"),
                title=title,
                bar=(e - s).days >= 1,
            )
        )
    return tl


def _ticks(lo: date, hi: date, n: int = 6) -> list[date]:
    days = (hi - lo).days
    if days <= 0:
        return [lo]
    if days > 60:
        # Month starts: a tick some days into a month, labelled with its month, put the label
        # weeks away from where that month begins.
        out, d = [], date(lo.year, lo.month, 1)
        step = max(1, round(days / 30 / n))
        while d <= hi:
            if d >= lo:
                out.append(d)
            month = d.month - 1 + step
            d = date(d.year + month // 12, month % 12 + 1, 1)
        return out
    step = max(1, days // n)
    return [lo + timedelta(days=i) for i in range(0, days + 1, step)]


# -- counterparts graph ------------------------------------------------------------------------


@dataclass
class Node:
    id: str
    name: str
    x: float
    y: float
    r: float
    colour: str
    events: int
    anchor: str
    lx: float
    ly: float


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    events: int
    roles: str


@dataclass
class Graph:
    width: int
    height: int
    centre: Node
    nodes: list[Node]
    edges: list[Edge]


def graph(actor: dict[str, Any], others: Sequence[dict[str, Any]], size: int = 520) -> Graph:
    """The actor in the middle, its counterparts on a circle; edge width grows with the
    number of shared events. Room is left on both sides for the labels."""
    width = size + 360
    cx, cy = width / 2, size / 2
    radius = size / 2 - 60
    centre = Node(
        id=actor["id"],
        name=actor["name"],
        x=cx,
        y=cy,
        r=26,
        colour=KIND_COLOURS.get(actor.get("kind") or "", "#4a5568"),
        events=0,
        anchor="middle",
        lx=cx,
        ly=cy + 42,
    )
    most = max((o["events"] for o in others), default=1)
    nodes, edges = [], []
    for i, o in enumerate(others):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(others), 1)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        r = 8 + 10 * math.sqrt(o["events"] / most)
        anchor = "start" if math.cos(angle) > 0.3 else "end" if math.cos(angle) < -0.3 else "middle"
        lx = x + (r + 6) * (1 if anchor == "start" else -1 if anchor == "end" else 0)
        ly = y + (r + 14 if anchor == "middle" and math.sin(angle) > 0 else -r - 6)
        if anchor != "middle":
            ly = y + 4
        nodes.append(
            Node(
                id=o["id"],
                name=o["name"],
                x=round(x, 1),
                y=round(y, 1),
                r=round(r, 1),
                colour=KIND_COLOURS.get(o.get("kind") or "", "#4a5568"),
                events=o["events"],
                anchor=anchor,
                lx=round(lx, 1),
                ly=round(ly, 1),
            )
        )
        edges.append(
            Edge(
                x1=cx,
                y1=cy,
                x2=round(x, 1),
                y2=round(y, 1),
                width=round(1 + 7 * o["events"] / most, 1),
                events=o["events"],
                roles=", ".join(o.get("roles") or []),
            )
        )
    return Graph(width=int(width), height=size, centre=centre, nodes=nodes, edges=edges)
