"""The records that flow between stages. Plain dataclasses so every stage, worker and
engine (in-process, process pool, Spark) can pickle and serialise them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from typing import Any

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)  # fmt: skip
STATUSES = ("occurred", "planned", "claimed", "denied", "hypothetical")
ACTOR_KINDS = ("person", "country", "organization", "igo", "group")
ROLES = ("source", "target", "participant")


_ATOMS = (str, int, float, bool, type(None))
_FIELDS: dict[type, tuple[str, ...]] = {}


def as_dict(obj: Any) -> Any:
    """``dataclasses.asdict`` with the same result (nested records, lists, tuples and dicts
    copied, other values deep-copied) in a fraction of its time: it took ~14% of the ingesting
    process's CPU, storing every mention and name. Strings, numbers and None are returned as
    they are, as ``copy.deepcopy`` would."""
    if isinstance(obj, _ATOMS):
        return obj
    cls = type(obj)
    names = _FIELDS.get(cls)
    if names is None and is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS[cls] = tuple(f.name for f in fields(obj))
    if names is not None:
        return {name: as_dict(getattr(obj, name)) for name in names}
    if cls is list:
        return [as_dict(v) for v in obj]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a named tuple
        return cls(*[as_dict(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return cls(as_dict(v) for v in obj)
    if isinstance(obj, dict):
        return cls((as_dict(k), as_dict(v)) for k, v in obj.items())
    return copy.deepcopy(obj)


@dataclass
class Article:
    id: str
    text: str
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    language: str | None = None
    content_hash: str = ""
    source: str = ""  # file (and line) it came from, for error reports and provenance
    duplicate_of: str | None = None


@dataclass
class Span:
    """Character offsets into the article text (end exclusive)."""

    start: int
    end: int
    text: str


@dataclass
class ActorMention:
    """An actor as one sentence names it, with what the analyse stage could tell about it."""

    name: str  # canonical name when known, else the surface form cleaned of titles
    surface: str
    kind: str | None
    country: str | None
    role: str  # source | target | participant | attribution
    span: Span
    kb_id: str | None = None  # a knowledge-base id (ISO alpha-3, "NATO", "KOR-intelligence")
    title: str | None = None  # "Foreign Minister", when the text gives it
    sector: str | None = None
    id: str | None = None  # the canonical actor id, set by the link stage


@dataclass
class EventMention:
    """One event as one sentence of one article reports it."""

    article: str
    index: int  # position among the article's mentions: makes the mention id stable
    type: str
    status: str
    sentence: Span
    trigger: Span
    cameo: str | None = None
    mode: str | None = None
    context: list[str] = field(default_factory=list)
    label: str | None = None  # a named format such as "2+2" or "SCM": keeps look-alikes apart
    date_start: str | None = None
    date_end: str | None = None
    date_span: Span | None = None
    # an undated past mention: the day the story had just named ("On Friday, police fired tear
    # gas. Protesters threw stones."), an assumption for date_approximate, never its date
    context_date: str | None = None
    context_date_span: Span | None = None
    location_name: str | None = None
    location_country: str | None = None
    location_span: Span | None = None
    actors: list[ActorMention] = field(default_factory=list)
    attributed_to: list[ActorMention] = field(default_factory=list)
    status_cue: Span | None = None
    quantities: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.5
    published: str | None = None  # the article's publication date, for linking and history

    @property
    def id(self) -> str:
        return f"{self.article}#{self.index}"

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventMention:
        data = dict(data)

        def span(value: dict[str, Any] | None) -> Span | None:
            return Span(**value) if value else None

        for key in ("sentence", "trigger"):
            data[key] = Span(**data[key])
        for key in ("date_span", "context_date_span", "location_span", "status_cue"):
            data[key] = span(data.get(key))
        for key in ("actors", "attributed_to"):
            data[key] = [actor_from_dict(a) for a in data.get(key, [])]
        return cls(**data)


def actor_from_dict(data: dict[str, Any]) -> ActorMention:
    return ActorMention(**{**data, "span": Span(**data["span"])})


@dataclass
class Analysis:
    """What the per-article stage found: a pure function of one article."""

    article: Article
    mentions: list[EventMention]
    entities: list[ActorMention] = field(default_factory=list)  # every actor-like name
    error: str | None = None  # set when the analyser failed on this article
