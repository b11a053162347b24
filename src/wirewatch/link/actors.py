"""Actor resolution across articles: every actor mention gets a canonical actor id.

Countries and organisations the knowledge base knows keep its ids (ISO alpha-3 for
countries). People are grouped by their name key (see ``names.person_key``); their display
name is the spelling most reports use, their country the one most reports give.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from wirewatch.link.kb import KnowledgeBase
from wirewatch.link.names import person_key
from wirewatch.model import ActorMention, EventMention


def clean_alias(surface: str) -> str:
    """The name as a reader would quote it: no article, possessive or stray brackets."""
    text = surface.strip(" \t\n()[]{}\"'“”‘’,;:")
    if text.endswith(".") and "." not in text[:-1]:  # a full stop, not "U.S."
        text = text[:-1]
    text = re.sub(r"\s*['’]s$", "", text)
    text = re.sub(r"^(the|The)\s+", "", text)
    return text.strip(" ()[]\"'“”‘’,;:")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


@dataclass
class ResolvedActor:
    id: str
    kind: str
    names: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> why it was attached
    titles: dict[str, list[str]] = field(default_factory=dict)  # title -> [first, last] seen
    sector: str | None = None
    kb_name: str | None = None
    kb_country: str | None = None

    @property
    def name(self) -> str:
        if self.kb_name:
            return self.kb_name
        # The spelling most reports use; ties go to the longer (fuller) form, then alphabetical.
        return sorted(self.names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]

    @property
    def country(self) -> str | None:
        if self.kb_country or self.kind != "person":
            return self.kb_country
        return self.countries.most_common(1)[0][0] if self.countries else None


def actor_key(actor: ActorMention, kb: KnowledgeBase) -> tuple[str, str]:
    """(canonical id, reason the mention belongs to it)."""
    if actor.kb_id:
        return actor.kb_id, "knowledge base"
    if actor.kind == "person":
        key = person_key(actor.name)
        return f"person:{_slug(key)}", f"same name key {key!r}"
    known = kb.lookup(actor.name)
    if known is not None:
        return known.id, "knowledge base"
    return f"org:{_slug(actor.name)}", "same name"


def resolve_actors(
    mentions: list[EventMention],
    kb: KnowledgeBase,
    entities: Sequence[tuple[str, int, ActorMention, str | None]] = (),
) -> tuple[dict[str, ResolvedActor], dict[tuple[str, int], str], dict[tuple[str, int], str]]:
    """Canonical actors, and the actor id of each (mention id, actor position) and of each
    (article id, entity position). ``entities`` are all names seen, in events or not."""
    resolved: dict[str, ResolvedActor] = {}
    assignment: dict[tuple[str, int], str] = {}
    entity_ids: dict[tuple[str, int], str] = {}
    for m in mentions:
        for pos, actor in enumerate([*m.actors, *m.attributed_to]):
            assignment[(m.id, pos)] = _observe(resolved, actor, m.published, kb)
    for article_id, pos, actor, published in entities:
        entity_ids[(article_id, pos)] = _observe(resolved, actor, published, kb)
    # Fill each actor mention's country from its canonical actor (a person named with a title
    # in one article and bare in another).
    for m in mentions:
        for actor in [*m.actors, *m.attributed_to]:
            if actor.id in resolved and not actor.country:
                actor.country = resolved[actor.id].country
    return resolved, assignment, entity_ids


def _observe(
    resolved: dict[str, ResolvedActor],
    actor: ActorMention,
    published: str | None,
    kb: KnowledgeBase,
) -> str:
    """Attach one occurrence to its canonical actor (creating it) and return the actor id."""
    actor_id, reason = actor_key(actor, kb)
    actor.id = actor_id
    entry = resolved.get(actor_id)
    if entry is None:
        entry = ResolvedActor(actor_id, actor.kind or "organization")
        if actor.kb_id:
            known = kb.lookup(actor.name)
            entry.kb_name = known.name if known and known.id == actor.kb_id else actor.name
            entry.kb_country = actor.country
            entry.sector = actor.sector
        resolved[actor_id] = entry
    entry.names[actor.name] += 1
    entry.aliases.setdefault(clean_alias(actor.surface), reason)
    if actor.country:
        entry.countries[actor.country] += 1
    if actor.title and published:
        day = published[:10]
        seen = entry.titles.setdefault(actor.title, [day, day])
        seen[0], seen[1] = min(seen[0], day), max(seen[1], day)
    return actor_id


def actor_rows(resolved: dict[str, ResolvedActor]) -> tuple[list[dict], list[dict], list[dict]]:
    actors, aliases, roles = [], [], []
    for actor in sorted(resolved.values(), key=lambda a: a.id):
        actors.append(
            {"id": actor.id, "name": actor.name, "kind": actor.kind, "country": actor.country,
             "sector": actor.sector}
        )  # fmt: skip
        for alias, reason in sorted(actor.aliases.items()):
            aliases.append({"actor_id": actor.id, "alias": alias, "reason": reason})
        for title, (first, last) in sorted(actor.titles.items()):
            roles.append(
                {"actor_id": actor.id, "title": title, "first_seen": first, "last_seen": last}
            )
    return actors, aliases, roles


__all__ = ["ResolvedActor", "actor_key", "actor_rows", "resolve_actors"]
