"""Link: what needs the whole store. Canonical actors across articles, and one event from
the mentions of it in many articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wirewatch.link.actors import Correction, actor_rows, resolve_actors
from wirewatch.link.events import event_row, merge_mentions
from wirewatch.link.kb import KnowledgeBase
from wirewatch.model import ActorMention, EventMention


@dataclass
class Linked:
    actors: list[dict] = field(default_factory=list)
    aliases: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    event_mentions: dict[str, list[str]] = field(default_factory=dict)
    mention_actor_ids: dict[tuple[str, int], str] = field(default_factory=dict)
    entity_actor_ids: dict[tuple[str, int], str] = field(default_factory=dict)


def link(
    mentions: list[EventMention],
    entities: list[tuple[str, int, ActorMention, str | None]] | None = None,
    kb: KnowledgeBase | None = None,
    corrections: Sequence[Correction] = (),
) -> Linked:
    """Resolve actors and merge mentions into events. Deterministic for a given store."""
    kb = kb or KnowledgeBase.default()
    resolved, assignment, entity_ids = resolve_actors(mentions, kb, entities or [], corrections)
    actors, aliases, roles = actor_rows(resolved)
    clusters = merge_mentions(mentions)
    return Linked(
        actors=actors,
        aliases=aliases,
        roles=roles,
        events=[event_row(c) for c in clusters],
        event_mentions={c.id: [m.id for m in c.mentions] for c in clusters},
        mention_actor_ids=assignment,
        entity_actor_ids=entity_ids,
    )


__all__ = ["Correction", "KnowledgeBase", "Linked", "link"]
