"""Event merging: mentions of one real event in many articles become one event.

Two mentions are the same event when they have the same type, do not disagree on a named
format (a "2+2" is not an "SCM"), their dates overlap, their places agree and they share
actors without naming different countries on one side. A mention with no date of its own is
placed in a window around its article's publication (before it for what already happened,
after it for what is planned), so two undated "condemn" reports weeks apart stay apart.
When nothing places two reports in time (no date and no publication date), they must share
a named format or two actors, one of them not a country.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from wirewatch.link.kb import KnowledgeBase, fold
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


@dataclass(eq=False)
class EventCluster:
    seq: int = 0  # creation order: breaks ties, and keeps ids stable
    indexed: set[tuple[str, int]] = field(default_factory=set)  # (actor key, month) indexed
    mentions: list[EventMention] = field(default_factory=list)
    type: str = ""
    label: str | None = None
    dated: tuple[date, date] | None = None  # from mentions that give a date
    window: tuple[date, date] | None = None  # from undated mentions
    location: tuple[str, str | None] | None = None
    actors: set[str] = field(default_factory=set)
    countries: dict[str, set[str]] = field(default_factory=dict)  # role -> country ids
    country_keys: set[str] = field(default_factory=set)  # actor keys that are countries
    articles: set[str] = field(default_factory=set)

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
        self.country_keys |= _country_keys(m)
        self.articles.add(m.article)
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


def _country_keys(m: EventMention) -> set[str]:
    return {a.id for a in m.actors if a.kind == "country" and a.id} | {
        a.country for a in m.actors if a.country
    }


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
    other_article = m.article not in cluster.articles
    same_format = bool(m.label and m.label == cluster.label)
    if other_article and not (own[0] and own[1]) and len(shared) < 2 and not same_format:
        # A report without a date of its own is placed only within days of its publication:
        # one common name (often just a country) is too little to make it that event.
        return None
    if other_article and (mention_window(m) is None or cluster.span() is None):
        # Nothing places the two reports in time (no date, no publication date): one shared
        # name, or only countries, is too little; "asked" by the US in 2005 and in 2011 differ.
        named = shared - cluster.country_keys - _country_keys(m)
        if not (m.label and m.label == cluster.label) and (len(shared) < 2 or not named):
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
    """Greedy, order-stable clustering: each mention joins the best compatible event (ties
    go to the older event).

    Only events of the same type sharing an actor are candidates (an index on both), so the
    cost per mention grows with the events of its actors, not with the whole store."""
    merging = MergePass()
    for m in mentions:
        merging.add(m)
    return reconcile(merging.clusters, {id(m): n for n, m in enumerate(mentions)})


def query_cells(m: EventMention) -> list[tuple[str, str, int]]:
    """The (type, actor key, month) index cells where a mention looks for its event."""
    months = _months(mention_window(m))
    return [(m.type, key, month) for key in _actor_keys(m) for month in months]


def cell_key(type_: str, key: str, month: int) -> str:
    """One index cell as stored (``pass_cells``)."""
    return f"{type_}|{key}|{month}"


class MergePass:
    """The greedy pass of ``merge_mentions``, resumable: clusters rebuilt from their earlier
    members (``replay``) can be put back in the index, and the pass goes on from there."""

    def __init__(self) -> None:
        self.clusters: list[EventCluster] = []
        self.index: dict[tuple[str, str, int], list[EventCluster]] = {}

    def replay(self, members: list[EventMention]) -> EventCluster:
        """A cluster as the pass left it after these members (in pass order), indexed."""
        cluster = EventCluster(seq=len(self.clusters))
        self.clusters.append(cluster)
        for m in members:
            self._join(cluster, m)
        return cluster

    def add(self, m: EventMention) -> EventCluster:
        months = _months(mention_window(m))
        candidates = {
            c.seq: c
            for key in _actor_keys(m)
            for month in months
            for c in self.index.get((m.type, key, month), ())
        }
        best: tuple[float, int] | None = None
        for seq, cluster in candidates.items():
            score = compatibility(cluster, m)
            if score is not None and (best is None or (score, -seq) > (best[0], -best[1])):
                best = (score, seq)
        if best is None:
            target = EventCluster(seq=len(self.clusters))
            self.clusters.append(target)
        else:
            target = candidates[best[1]]
        self._join(target, m)
        return target

    def _join(self, target: EventCluster, m: EventMention) -> None:
        target.add(m)
        for key in _actor_keys(m):
            for month in _months(target.span()):
                if (key, month) not in target.indexed:
                    self.index.setdefault((m.type, key, month), []).append(target)
                    target.indexed.add((key, month))


RECONCILE_DAYS = 3  # named events this close, with the same people, are one event


def reconcile(clusters: list[EventCluster], position: dict[int, Any]) -> list[EventCluster]:
    """One event whose reports disagree on the date: two events of one named format ("the
    9th Strategic Dialogue") a few days apart, with two or more named actors in common (or
    named by one article with the same countries) and no different place or partner, are
    one event reported with two dates. They become one
    (its date the one most articles give); the disagreement is a contradiction to show.
    The ROK-US 2+2 of 31 Oct and the ROK-Canada 2+2 of 1 Nov share people and a format,
    but not the partner or the place: they stay two."""
    by_key: dict[tuple[str, str], list[EventCluster]] = {}
    for c in clusters:
        if c.label and c.dated:
            by_key.setdefault((c.type, c.label), []).append(c)
    gone: set[int] = set()
    for members in by_key.values():
        members.sort(key=lambda c: (c.dated[0] if c.dated else date.min, c.seq))
        for i, a in enumerate(members):
            if a.seq in gone:
                continue
            for b in members[i + 1 :]:
                assert a.dated and b.dated
                if (b.dated[0] - a.dated[1]).days > RECONCILE_DAYS:
                    break
                if b.seq in gone or not _one_event_two_dates(a, b):
                    continue
                keep, drop = (a, b) if a.seq < b.seq else (b, a)
                for m in drop.mentions:
                    keep.add(m)
                keep.mentions.sort(key=lambda m: position[id(m)])
                keep.dated = _majority_date(keep.mentions) or keep.dated
                gone.add(drop.seq)
                if keep is b:
                    break  # a is gone; b carries on in the outer loop
    # An undated event of a named format whose reports all come from articles that date
    # that event elsewhere ("the 2+2 meeting continues" before "held on Oct. 31"): the
    # article names it again; it was only met before its date in the pass.
    for c in clusters:
        if c.seq in gone or c.dated or not c.label:
            continue
        hosts = [
            d for d in by_key.get((c.type, c.label), ())
            if d.seq not in gone and c.articles <= d.articles and _same_setting(c, d)
            and c.actors & d.actors
        ]  # fmt: skip
        if hosts:
            host = max(hosts, key=lambda d: (len(c.actors & d.actors), -d.seq))
            for m in c.mentions:
                host.add(m)
            host.mentions.sort(key=lambda m: position[id(m)])
            gone.add(c.seq)
    return [c for c in clusters if c.seq not in gone]


def _one_event_two_dates(a: EventCluster, b: EventCluster) -> bool:
    assert a.dated and b.dated
    if _overlap(a.dated, b.dated):
        return False  # compatible dates: the greedy pass already had its chance
    if not _same_setting(a, b):
        return False
    shared = {x for x in a.actors & b.actors if not x.isupper()}  # named, not countries
    if len(shared) >= 2:
        return True
    # One article naming the format twice, with the same countries, on two adjacent days: a
    # relative date ("the previous day") read against two anchors, not two meetings.
    ca = set().union(*a.countries.values()) if a.countries else set()
    cb = set().union(*b.countries.values()) if b.countries else set()
    return bool(a.articles & b.articles) and bool(ca) and ca == cb


def _majority_date(ms: list[EventMention]) -> tuple[date, date] | None:
    """The date most articles give (ties: the most precise, then the earliest)."""
    votes: dict[tuple[date, date], set[str]] = {}
    for m in ms:
        start, end = _day(m.date_start), _day(m.date_end)
        if start and end:
            votes.setdefault((start, end), set()).add(m.article)
    if not votes:
        return None
    return min(votes, key=lambda d: (-len(votes[d]), d[1] - d[0], d))


def _months(span: tuple[date, date] | None) -> list[int]:
    """Month buckets a date interval touches (year * 12 + month); -1 when there is no date
    and no publication date to place it. Indexing events by month keeps the candidates of a
    mention to its own time, so the cost does not grow with the archive."""
    if span is None:
        return [-1]
    first = span[0].year * 12 + span[0].month
    last = span[1].year * 12 + span[1].month
    if last - first > 24:  # a vague period ("the 1990s"): its ends are enough to meet
        return [first, last]
    return list(range(first, last + 1))


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


def find_contradictions(
    clusters: list[EventCluster], kb: KnowledgeBase | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Disagreements an analyst must see, keyed by cluster index.

    Within one event: different dates ("Oct. 30" vs "Oct. 31": reports that merging found to
    be one event, see ``reconcile``), different places in one country, different numbers
    for the same thing ("1,500 troops" / "3,000 troops"), reports that it happened beside
    reports denying it. Intervals that overlap ("early 2025" and "the first half of next
    year") are consistent and not flagged.
    """
    kb = kb or KnowledgeBase.default()
    found: dict[int, list[dict[str, Any]]] = {}
    for n, cluster in enumerate(clusters):
        # Two different towns of one country; "Washington" beside "the United States" is
        # only less precise, not a contradiction.
        places = {
            (m.location_name, m.location_country)
            for m in cluster.mentions
            if m.location_name and not _is_country_name(kb, m.location_name, m.location_country)
        }
        if len({p[0] for p in places}) > 1 and len({p[1] for p in places}) == 1:
            found.setdefault(n, []).append(_conflict("place", cluster, lambda m: m.location_name))
        by_unit: dict[str, set[int]] = {}
        for m in cluster.mentions:
            for q in m.quantities:
                by_unit.setdefault(q["unit"], set()).add(q["value"])
        for unit, values in by_unit.items():
            if len(values) > 1:
                found.setdefault(n, []).append(
                    _conflict(
                        f"number of {unit}",
                        cluster,
                        lambda m, u=unit: next(
                            (q["value"] for q in m.quantities if q["unit"] == u), None
                        ),
                    )  # fmt: skip
                )
        statuses = {m.status for m in cluster.mentions}
        if "denied" in statuses and statuses & {"occurred", "claimed"}:
            found.setdefault(n, []).append(_conflict("outcome", cluster, lambda m: m.status))
        dates = {
            (_day(m.date_start), _day(m.date_end)) for m in cluster.mentions
            if m.date_start and m.date_end
        }  # fmt: skip
        if any(not _overlap(x, y) for x in dates for y in dates if x < y):  # type: ignore[arg-type]
            found.setdefault(n, []).append(
                _conflict("date", cluster, lambda m: _span_text(_own_span(m)))
            )
    return found


def _own_span(m: EventMention) -> tuple[date, date] | None:
    start, end = _day(m.date_start), _day(m.date_end)
    return (start, end) if start and end else None


def _is_country_name(kb: KnowledgeBase, name: str, country: str | None) -> bool:
    known = kb.country(country) if country else None
    return known is not None and fold(known.name) == fold(name)


def _same_setting(a: EventCluster, b: EventCluster) -> bool:
    """Could two events be one: no different places, no different countries at the table."""
    country_a = a.location[1] if a.location else None
    country_b = b.location[1] if b.location else None
    if country_a and country_b and country_a != country_b:
        return False
    ca = set().union(*a.countries.values()) if a.countries else set()
    cb = set().union(*b.countries.values()) if b.countries else set()
    return not (ca and cb and ca - cb and cb - ca)


def _span_text(span: tuple[date, date] | None) -> str | None:
    if span is None:
        return None
    return span[0].isoformat() if span[0] == span[1] else f"{span[0]}..{span[1]}"


def _conflict(field_name: str, cluster: EventCluster, value: Any) -> dict[str, Any]:
    sides: dict[str, list[str]] = {}
    for m in cluster.mentions:
        v = value(m)
        if v is not None:
            sides.setdefault(str(v), [])
            if m.article not in sides[str(v)]:
                sides[str(v)].append(m.article)
    return {"field": field_name, "values": sorted(sides), "sources": sides}
