"""Incremental linking: after an ingest, recompute only what the new articles can change,
with the result a full relink would give, or say why not (the caller then relinks in full).

Actors.  A full relink records, per actor key (``actor_key`` of a name before refinement),
the actor it resolved to and whether it is *simple*: all its names resolve there and
nothing else does (no split by office, office-holder merge, short form or correction).
Also the person/organisation counts of each folded name (the kind correction), per short
form its votes summed up (``actor_shorts``: what picks its long name), and per person name
holding a single-holder office what the office-holder merge weighs (``person_state``). A
new name resolves locally when none of these decisions can change for a stored name: its
key is unseen or simple; the kind decision of its folded name stays; the short-form
unions its names reach by following picks (not every name a short form was ever paired
with) keep their members and roots; its person is not split by two offices held at once,
and the office-holder unions it reaches through shared family names, merged again before
and after its sightings, keep their members and roots; the actor's country (which names
without one inherit) and its first-seen fields stay. A short-form union whose members
change (a short form's pick moves: "Mac" is no longer "Mac News" once a new article pairs
it with another name) moves stored names to another actor: every stored occurrence of an
actor that loses names is read and observed again in the resolver's order with the new
ones (``_restore``: names, aliases and their reasons, titles, first sighting; an actor left
without names is deleted), the names that moved are observed on their new actor, and
their mentions, events and story counts follow (below). That reads the occurrences of the
actors losing names, so over MAX_RESTORE of them is a ``Fallback``. Anything else is a
cascade this does not follow (an office-holder merge that changes, a kind or country
that changes): ``Fallback``.

Events.  The merging pass (``events.MergePass``) is greedy in store order; each mention
looks only at clusters indexed under its (type, actor key, month) cells. The pass is
resumed at the new mentions over what they can reach (``_Resume``): a cluster whose members
change makes its cells dirty from then on, and only the stored mentions that look in a
dirty cell later are replayed (``mention_cells`` says who looks where), over clusters
rebuilt from their members up to that point. Since a mention never sees a cluster outside
its cells, this is the full pass's result; a backdated report replays its weeks, not the
rest of the store. A stored mention whose actors changed is placed again at its own place
(its cells and its cluster change with it), and every copy of it read from the store takes
its new actors. Date reconciliation then runs again over the (type, named format) groups of
the rebuilt clusters.

Stories: each new article joins the story it fits by the full grouping's criterion, or
starts one, and only the stories it touches are rewritten (``story_increment``); unlike
actors and events this is not the full relink's result, which regroups the whole store.
Stored articles whose names changed actor count the new actor in their story terms, and
their stories' actor counts and listed actors follow.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from wirewatch.link.actors import (
    CONCURRENT_OFFICE_DAYS,
    SAME_OFFICE_DAYS,
    Correction,
    ResolvedActor,
    _acronym,
    _conflicting_roles,
    _family_names,
    _name_key,
    _overlap,
    _Person,
    _short_form_of,
    _single_holder_roles,
    _slug,
    clean_alias,
    first_key,
    fixed_fields,
    merged_reason,
    role_key,
    union_short_forms,
    user_aliases,
)
from wirewatch.link.events import (
    EventCluster,
    _actor_keys,
    _months,
    cell_key,
    compatibility,
    mention_window,
    query_cells,
    reconcile,
)
from wirewatch.link.kb import KnowledgeBase, fold
from wirewatch.link.names import org_key
from wirewatch.model import ActorMention, EventMention

if TYPE_CHECKING:
    from wirewatch.store import Store

Pos = tuple[str, str, int]  # (publication in UTC or "", article id, mention index): store order
Shorts = tuple[int, int, str, int]  # a short form's votes: (total, targets, top target, its n)


class Fallback(Exception):
    """The new articles may change more than their own links: relink in full."""


# --------------------------------------------------------------------------- actors


@dataclass
class Base:
    """One name occurrence's actor key before refinement, as the resolver computes it."""

    base: str
    reason: str
    counted: str | None  # "person" / "org": counted for the kind correction
    kind: str | None  # kind before the kind correction
    country: str | None = None  # as the analyser gave it (before an actor's is inherited)


@dataclass
class ActorState:
    """What a full relink leaves for incremental actor resolution (see the module doc)."""

    # base -> (actor, simple, organisation occurrences: the short-form union's sizes)
    bases: dict[str, tuple[str, bool, int]] = field(default_factory=dict)
    names: dict[str, list[int]] = field(default_factory=dict)  # fold -> [as_person, as_org]
    holders: dict[str, dict[str, Any]] = field(default_factory=dict)  # person_state rows
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)  # actor id -> counts
    votes: dict[tuple[str, str], int] = field(default_factory=dict)  # (short, long) -> n


def _occurrences(
    mentions: Sequence[EventMention],
    entities: Sequence[tuple[str, int, ActorMention, str | None]],
) -> list[tuple[ActorMention, str | None, str]]:
    """(actor, published, article) in the resolver's slot order: mentions, then entities."""
    out = [(a, m.published, m.article) for m in mentions for a in [*m.actors, *m.attributed_to]]
    out.extend((a, pub, aid) for aid, _pos, a, pub in entities)
    return out


@lru_cache(maxsize=100_000)
def _utc(published: str | None) -> str:
    """The store's ``published_utc`` of a publication date ("" when none); every actor
    occurrence asks it of its article's date, so answers are kept."""
    if not published:
        return ""
    try:
        return datetime.fromisoformat(published).astimezone(UTC).isoformat()
    except ValueError:
        return published


def _slots(
    mentions: Sequence[EventMention],
    entities: Sequence[tuple[str, int, ActorMention, str | None]],
) -> list[list[Any]]:
    """A comparable key of each occurrence's place in the resolver's slot order, parallel to
    ``_occurrences``: the first occurrence of an actor creates its entry (kind, kb fields)."""
    out: list[list[Any]] = [
        [0, _utc(m.published), m.article, m.index, n]
        for m in mentions
        for n in range(len(m.actors) + len(m.attributed_to))
    ]
    out.extend([1, _utc(pub), aid, pos, 0] for aid, pos, _a, pub in entities)
    return out


def _base_of(actor: ActorMention, kb: KnowledgeBase, aliases: Mapping[str, str]) -> Base:
    base, reason = first_key(actor, kb, aliases)
    counted = None
    if actor.kb_id is None and reason != "user alias":
        if actor.kind == "person":
            counted = "person"
        elif actor.kind in ("organization", "igo"):
            counted = "org"
    return Base(base, reason, counted, actor.kind, actor.country)


def occurrence_bases(
    mentions: Sequence[EventMention],
    entities: Sequence[tuple[str, int, ActorMention, str | None]],
    kb: KnowledgeBase,
    corrections: Sequence[Correction],
) -> list[Base]:
    """Actor keys of every occurrence, taken before ``resolve_actors`` corrects kinds."""
    aliases = user_aliases(corrections)
    return [_base_of(a, kb, aliases) for a, _, _ in _occurrences(mentions, entities)]


def _flipped(b: Base, actor: ActorMention) -> bool:
    return b.kind == "person" and actor.kind == "organization" and not actor.kb_id


def actor_state_after(
    bases: Sequence[Base],
    mentions: Sequence[EventMention],
    entities: Sequence[tuple[str, int, ActorMention, str | None]],
    resolved: Mapping[str, ResolvedActor],
    kb: KnowledgeBase,
) -> ActorState:
    """The incremental state of a full resolution (occurrences carry their actor ids)."""
    state = ActorState()
    finals: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    occurrences = _occurrences(mentions, entities)
    sizes: Counter[str] = Counter()
    first: dict[str, list[Any]] = {}
    alias_first: dict[str, dict[str, list[Any]]] = {}
    for b, (actor, _pub, _art), slot in zip(
        bases, occurrences, _slots(mentions, entities), strict=True
    ):
        base = _name_key(False, actor.name, kb)[0] if _flipped(b, actor) else b.base
        final = actor.id or base
        finals.setdefault(base, set()).add(final)
        sources.setdefault(final, set()).add(base)
        first.setdefault(final, slot)
        alias_first.setdefault(final, {}).setdefault(clean_alias(actor.surface), [slot, base])
        if actor.kind in ("organization", "igo"):
            sizes[base] += 1
        if b.counted:
            counts = state.names.setdefault(fold(actor.name), [0, 0])
            counts[0 if b.counted == "person" else 1] += 1
    for base, ids in finals.items():
        actor_id = next(iter(ids)) if len(ids) == 1 else sorted(ids)[0]
        simple = ids == {base} and sources.get(base) == {base}
        state.bases[base] = (actor_id, simple, sizes[base])
    # People as the office-holder merge saw them, for those it could merge (a single-holder
    # office) or that were split by office.
    people: dict[str, _Holder] = {}
    finals_of: dict[str, set[str]] = {}
    for b, (actor, pub, _art) in zip(bases, occurrences, strict=True):
        if actor.kind == "person":
            people.setdefault(b.base, _Holder(b.base)).see(actor, pub, b.country, kb)
            finals_of.setdefault(b.base, set()).add(actor.id or b.base)
    single = _single_holder_roles()
    for base, holder in people.items():
        split = _splits(holder.roles)
        if split or holder.offices(single):
            state.holders[base] = holder.row(sorted(finals_of[base])[0], split)
    for a in resolved.values():
        state.stats[a.id] = {**_stats(a), "first": first.get(a.id),
                             "aliases": alias_first.get(a.id, {})}  # fmt: skip
    by_article: dict[str, list[tuple[ActorMention, str]]] = {}
    for b, (actor, _pub, article) in zip(bases, occurrences, strict=True):
        if actor.kind in ("organization", "igo"):
            base = _name_key(False, actor.name, kb)[0] if _flipped(b, actor) else b.base
            by_article.setdefault(article, []).append((actor, base))
    for group in by_article.values():
        for key, n in _votes_in(group).items():
            state.votes[key] = state.votes.get(key, 0) + n
    return state


def _stats(a: ResolvedActor) -> dict[str, Any]:
    return {"names": dict(a.names), "countries": dict(a.countries), "kb": a.kb_name,
            "kb_country": a.kb_country, "sector": a.sector}  # fmt: skip


class ActorStore(Protocol):
    """What incremental resolution reads from the store (``Store`` implements it)."""

    def actor_bases(self, bases: Iterable[str]) -> dict[str, tuple[str, bool, int]]: ...

    def actor_vote_counts(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]: ...

    def actor_shorts(self, shorts: Iterable[str]) -> dict[str, Shorts]: ...

    def actor_shorts_by_top(self, targets: Iterable[str]) -> dict[str, Shorts]: ...

    def actor_name_counts(self, folds: Iterable[str]) -> dict[str, tuple[int, int]]: ...

    def person_rows(self, bases: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    def persons_by_family(self, families: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    def actor_rows_for(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    def alias_rows_for(self, ids: Iterable[str]) -> dict[tuple[str, str], str]: ...

    def role_rows_for(self, ids: Iterable[str]) -> dict[tuple[str, str], tuple[str, str]]: ...

    def occurrences_of(self, actor_ids: Iterable[str]) -> tuple[list[Any], list[Any]]: ...


@dataclass
class ActorUpdate:
    """Rows to write after resolving the new articles' names."""

    mention_actor_ids: dict[tuple[str, int], str] = field(default_factory=dict)
    entity_actor_ids: dict[tuple[str, int], str] = field(default_factory=dict)
    actors: list[dict[str, Any]] = field(default_factory=list)  # upserts, with stats
    aliases: list[dict[str, Any]] = field(default_factory=list)  # inserts
    roles: list[dict[str, Any]] = field(default_factory=list)  # upserts
    bases: dict[str, tuple[str, bool, int]] = field(default_factory=dict)  # upserts
    # (actor, base, old reason, new reason): a short-form union's reasons that changed
    alias_reasons: list[tuple[str, str, str, str]] = field(default_factory=list)
    names: dict[str, tuple[int, int]] = field(default_factory=dict)  # new totals
    holders: dict[str, dict[str, Any]] = field(default_factory=dict)  # person_state upserts
    votes: dict[tuple[str, str], int] = field(default_factory=dict)  # new totals
    shorts: dict[str, Shorts] = field(default_factory=dict)  # changed short-form summaries
    actor_info: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> row
    # Stored names a short-form union's change moves to another actor (``_restore``):
    # mention id -> (its place in store order, its pass, position -> (actor id, country))
    moved_mentions: dict[str, tuple[Pos, str | None, dict[int, tuple[str, str | None]]]] = field(
        default_factory=dict
    )
    doc_moves: dict[str, Counter[str]] = field(default_factory=dict)  # article -> actor deltas
    dropped_actors: set[str] = field(default_factory=set)  # actors left without a name
    dropped_aliases: list[tuple[str, str]] = field(default_factory=list)  # (actor, alias)
    dropped_roles: list[tuple[str, str]] = field(default_factory=list)  # (actor, title)


def _kind_decision(fold_name: str, as_person: int, as_org: int) -> bool:
    """Whether untitled people of this name are the organisation (``_correct_kinds``)."""
    return bool(as_org) and (" " not in fold_name or as_org >= as_person)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _top_name(names: Mapping[str, int]) -> str:
    return sorted(names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]


def _top_country(countries: Mapping[str, int]) -> str | None:
    """Counter.most_common(1): ties go to the one counted first; None when none."""
    return Counter(countries).most_common(1)[0][0] if countries else None


def _votes_in(group: Sequence[tuple[ActorMention, str]]) -> Counter[tuple[str, str]]:
    """The short-form votes one article casts (the per-article step of
    ``_resolve_org_forms``): (short form's key, long name's key) -> 1."""
    votes: Counter[tuple[str, str]] = Counter()
    longs = {base: a.name for a, base in group if " " in clean_alias(a.name)}
    paired: set[str] = set()
    for a, base in group:
        acronym = _acronym(a.surface)
        if acronym and " " in clean_alias(a.name):
            short = f"org:{_slug(org_key(acronym))}"
            if short not in paired:
                paired.add(short)
                votes[(short, base)] += 1
        if a.kb_id or base in paired:
            continue
        paired.add(base)
        fits = {b for b, name in longs.items() if b != base and _short_form_of(a.name, name)}
        if len(fits) == 1:
            votes[(base, next(iter(fits)))] += 1
    return votes


MAX_UNION = 2_000  # short forms and long names one union may span before a full relink


def _find_roots(
    votes: Mapping[tuple[str, str], int], sizes: Mapping[str, int]
) -> tuple[dict[str, str], dict[str, str]]:
    """The union-find of ``_resolve_org_forms`` over these votes: base -> root, and the
    reasons it gives (``how``)."""
    by_short: dict[str, Counter[str]] = {}
    for (short, target), n in sorted(votes.items()):
        by_short.setdefault(short, Counter())[target] += n
    find, how = union_short_forms(by_short, sizes)
    return {x: find(x) for x in set(by_short) | {t for _, t in votes}}, how


def short_summaries(votes: Mapping[tuple[str, str], int]) -> dict[str, Shorts]:
    """Per short form, what its pick needs of its votes (``_pick``), so an increment reads
    one row per short form instead of every vote a common short form has collected."""
    by_short: dict[str, Counter[str]] = {}
    for (short, target), n in votes.items():
        by_short.setdefault(short, Counter())[target] += n
    out: dict[str, Shorts] = {}
    for short, counter in by_short.items():
        top, n = counter.most_common(1)[0]
        out[short] = (sum(counter.values()), len(counter), top, n)
    return out


def _pick(summary: Shorts | None) -> tuple[str, int] | None:
    """``short_form_target`` of the votes summed up: a strict majority is one target."""
    if summary is None:
        return None
    total, targets, top, n = summary
    if 2 * n <= total or (targets > 1 and n < 2):
        return None
    return top, n


def _add_votes(
    summaries: dict[str, Shorts],
    new_votes: Mapping[tuple[str, str], int],
    stored_votes: Mapping[tuple[str, str], int],
) -> dict[str, Shorts]:
    """The summaries after new votes (votes only grow in an increment: the top stays a
    target with the most votes)."""
    out = dict(summaries)
    for (short, target), k in sorted(new_votes.items()):
        total, targets, top, n = out.get(short, (0, 0, target, 0))
        before = stored_votes.get((short, target), 0)
        count = before + k
        if before == 0:
            targets += 1
        if target == top:
            n = count
        elif count > n:
            top, n = target, count
        out[short] = (total + k, targets, top, n)
    return out


def _org_unions(
    seeds: set[str],
    new_votes: Mapping[tuple[str, str], int],
    new_sizes: Mapping[str, int],
    store: ActorStore,
) -> tuple[
    dict[str, str], dict[str, str], dict[str, str], set[str], dict[tuple[str, str], int],
    dict[str, Shorts], dict[str, tuple[str, str]],
]:  # fmt: skip
    """The short-form unions the new organisation names take part in, before and after their
    votes: (roots after, reasons before, reasons after, the bases involved, stored votes of
    the new pairs, the changed short forms' summaries, the stored bases that change actor:
    base -> (actor before, actor after)). A union is what the short forms' picks join (not
    every name a short form was ever paired with), found by following the picks from the
    new names, before and after. Raises ``Fallback`` when the store's actors are not the
    unions found (a state this reading cannot explain)."""
    stored_votes = store.actor_vote_counts(new_votes)
    before: dict[str, Shorts] = store.actor_shorts({s for s, _ in new_votes})
    after = _add_votes(before, new_votes, stored_votes)
    component = set(seeds)
    frontier = set(seeds)
    while frontier:
        before.update(store.actor_shorts(frontier - before.keys()))
        reached: set[str] = set()
        for x in frontier:
            for summary in (before.get(x), after.get(x, before.get(x))):
                picked = _pick(summary)
                if picked:
                    reached.add(picked[0])
        for short, summary in store.actor_shorts_by_top(frontier).items():
            before.setdefault(short, summary)
            if _pick(summary):
                reached.add(short)
        reached |= {s for s, v in after.items() if (p := _pick(v)) and p[0] in frontier}
        frontier = reached - component
        component |= frontier
        if len(component) > MAX_UNION:
            raise Fallback(f"short-form unions span over {MAX_UNION} names")
    changed = {s: v for s, v in after.items() if before.get(s) != v}

    def picks(summaries: Mapping[str, Shorts]) -> dict[tuple[str, str], int]:
        out = {}
        for short in component:
            picked = _pick(summaries.get(short))
            if picked:
                out[(short, picked[0])] = picked[1]
        return out

    votes_before = picks(before)
    votes_after = picks({**before, **after})
    if not votes_before and not votes_after:
        return {}, {}, {}, set(), stored_votes, changed, {}
    stored = store.actor_bases(component)
    sizes = {b: v[2] for b, v in stored.items()}
    roots_before, how_before = _find_roots(votes_before, sizes)
    after_sizes = Counter(sizes)
    after_sizes.update(new_sizes)
    roots_after, how_after = _find_roots(votes_after, after_sizes)
    moves: dict[str, tuple[str, str]] = {}
    for base in component:
        was, now = roots_before.get(base, base), roots_after.get(base, base)
        if base in stored and stored[base][0] != was:
            raise Fallback(f"{base} resolves to {stored[base][0]}, not its short-form union")
        if was != now and base in stored:
            moves[base] = (was, now)  # its stored names change actor (``_restore``)
    return roots_after, how_before, how_after, component, stored_votes, changed, moves


def resolve_new(
    mentions: Sequence[EventMention],
    entities: Sequence[tuple[str, int, ActorMention, str | None]],
    kb: KnowledgeBase,
    corrections: Sequence[Correction],
    store: ActorStore,
) -> ActorUpdate:
    """Resolve the names of new articles against the stored resolution, or raise
    ``Fallback`` when they could change the actor of any stored name. Sets ``actor.id`` (and
    an inherited country) on the given mentions' and entities' actors, as a full run would."""
    aliases = user_aliases(corrections)
    named = {c.actor_id for c in corrections} | {
        c.value for c in corrections if c.action == "merge"
    }
    occurrences = _occurrences(mentions, entities)
    bases = [_base_of(a, kb, aliases) for a, _, _ in occurrences]

    # Kind correction: the decision for each folded name must not change for stored names.
    new_counts: dict[str, list[int]] = {}
    for b, (actor, _, _) in zip(bases, occurrences, strict=True):
        if b.counted:
            c = new_counts.setdefault(fold(actor.name), [0, 0])
            c[0 if b.counted == "person" else 1] += 1
    person_folds = {
        fold(a.name) for b, (a, _, _) in zip(bases, occurrences, strict=True) if b.kind == "person"
    }
    stored_counts = store.actor_name_counts(set(new_counts) | person_folds)
    totals: dict[str, tuple[int, int]] = {}
    for f in set(new_counts) | person_folds:
        old = stored_counts.get(f, (0, 0))
        add = new_counts.get(f, [0, 0])
        totals[f] = (old[0] + add[0], old[1] + add[1])
        if old[0] and _kind_decision(f, *old) != _kind_decision(f, *totals[f]):
            raise Fallback(f"the kind of the name {f!r} changes")
    update = ActorUpdate(names={f: totals[f] for f in new_counts})
    for b, (actor, _, _) in zip(bases, occurrences, strict=True):
        if actor.kind == "person" and not actor.kb_id and not actor.title:
            f = fold(actor.name)
            if _kind_decision(f, *totals.get(f, (0, 0))):
                actor.kind = "organization"
                b.base = _name_key(False, actor.name, kb)[0]
                b.reason = "named as an organisation elsewhere in the corpus"

    # Short forms: a new pairing changes the votes of the short form everywhere.
    by_article: dict[str, list[tuple[ActorMention, str]]] = {}
    for b, (actor, _, article) in zip(bases, occurrences, strict=True):
        if actor.kind in ("organization", "igo"):
            by_article.setdefault(article, []).append((actor, b.base))
    new_votes: Counter[tuple[str, str]] = Counter()
    for group in by_article.values():
        new_votes.update(_votes_in(group))
    org_bases = {b.base for b, (a, _, _) in zip(bases, occurrences, strict=True)
                 if a.kind in ("organization", "igo")}  # fmt: skip
    new_sizes = Counter(
        b.base for b, (a, _, _) in zip(bases, occurrences, strict=True)
        if a.kind in ("organization", "igo")
    )  # fmt: skip
    roots, how_before, how_after, component, stored_votes, shorts, moves = _org_unions(
        org_bases | {x for pair in new_votes for x in pair}, new_votes, new_sizes, store
    )
    update.votes = {k: stored_votes.get(k, 0) + n for k, n in new_votes.items()}
    update.shorts = shorts

    keys = {b.base for b in bases}
    if keys & named:
        raise Fallback("a user correction names one of the new actors")
    if named & {x for base, pair in moves.items() for x in (base, *pair)}:
        raise Fallback("a user correction names an actor whose names change")
    stored_bases = store.actor_bases(keys | component)
    office = _office_unions(bases, occurrences, kb, store, stored_bases)
    for key in keys:
        if key in component or key in office.handled:
            continue  # its actor is the short-form or office-holder union's, checked there
        if key in stored_bases and (not stored_bases[key][1] or stored_bases[key][0] != key):
            raise Fallback(f"{key} is refined (split, merged or corrected)")
    # A short form or long name merged with others takes the union's actor and its reason.
    own_bases = [b.base for b in bases]
    for b in bases:
        root = roots.get(b.base, b.base)
        if root != b.base:
            b.reason = how_after.get(b.base, f"same organisation as {root}")
            b.base = root
    for b in bases:  # a person merged with another holder of the same office
        root = office.finals.get(b.base, b.base) if b.kind == "person" else b.base
        if root != b.base:
            b.reason = office.reasons[b.base]
            b.base = root
    update.alias_reasons.extend(office.alias_reasons)
    update.holders = office.holders
    update.bases.update(office.bases)
    for base in component:
        root = roots.get(base, base)
        if root != base and base not in moves:  # moved names are observed anew below
            old_reason = how_before.get(base, f"same organisation as {root}")
            new_reason = how_after.get(base, f"same organisation as {root}")
            if old_reason != new_reason:
                update.alias_reasons.append((root, base, old_reason, new_reason))
    # A union's members with names of their own (an acronym key may have none), by root.
    members: dict[str, set[str]] = {}
    for base, root in roots.items():
        if new_sizes.get(base) or (base in stored_bases and stored_bases[base][2]):
            members.setdefault(root, set()).add(base)
    for base in component | new_sizes.keys():
        had = stored_bases.get(base)
        if had is None and base not in new_sizes:
            continue
        root = roots.get(base, base)
        n = (had[2] if had else 0) + new_sizes.get(base, 0)
        if base in component:  # a union's members are all in it: simple is a lone root
            state = (root, root == base and members.get(base, {base}) <= {base}, n)
        else:
            state = (had[0] if had else root, (had[1] if had else True) and root == base, n)
        if state != had:
            update.bases[base] = state
    for b in bases:  # new keys that are not organisations (people, countries)
        if b.base not in update.bases and b.base not in stored_bases:
            update.bases[b.base] = (b.base, True, 0)
    # Stored names whose union changed move to their new actor; an actor that loses names is
    # observed again from all of its occurrences (``_restore``).
    restored = _restore(moves, roots, how_after, kb, aliases, named, store) if moves else []
    losers = {was for was, _ in moves.values()}
    keys = {b.base for b in bases} | {r.base.base for r in restored} | losers
    rows = store.actor_rows_for(keys)

    # Observe the new occurrences on their actors, as ``resolve_actors`` would, in its order.
    stored_aliases = store.alias_rows_for(keys)
    stored_roles = store.role_rows_for(keys)
    entries: dict[str, dict[str, Any]] = {}
    new_aliases: dict[tuple[str, str], str] = {}
    role_span: dict[tuple[str, str], list[str]] = {}
    touched: dict[str, set[str]] = {}
    items: list[tuple[list[Any], Base, ActorMention, str | None, str]] = [
        (slot, b, actor, published, own)
        for b, (actor, published, _article), slot, own in zip(
            bases, occurrences, _slots(mentions, entities), own_bases, strict=True
        )
    ]
    items += [(r.slot, r.base, r.actor, r.published, r.own) for r in restored]
    items.sort(key=lambda item: item[0])
    assigned: dict[int, str] = {}  # id(occurrence's actor) -> actor id, places included
    for slot, b, actor, published, base_of_occ in items:
        assigned[id(actor)] = b.base
        if actor.kind is None:  # a place: an identity but no actor, as ``resolve_actors``
            continue
        actor.id = b.base
        entry = entries.get(b.base)
        if entry is None:
            old_row = None if b.base in losers else rows.get(b.base)
            entry = _entry(b.base, actor, kb, old_row, slot)
            entries[b.base] = entry
        stats = entry["stats"]
        stats["names"][actor.name] = stats["names"].get(actor.name, 0) + 1
        if actor.country:
            stats["countries"][actor.country] = stats["countries"].get(actor.country, 0) + 1
            touched.setdefault(b.base, set()).add(actor.country)
        alias = clean_alias(actor.surface)
        reason = b.reason
        if actor.kind == "person" and " " not in alias and fold(alias) != fold(actor.name):
            reason = f"surname of {actor.name}, named in full earlier in the article; {reason}"
        # An alias keeps the reason of the first occurrence (in slot order) that named it.
        seen_at = stats["aliases"].get(alias)
        if seen_at is None or slot < seen_at[0]:
            stats["aliases"][alias] = [slot, base_of_occ]
            if stored_aliases.get((b.base, alias)) != reason:
                new_aliases[(b.base, alias)] = reason
        if actor.title and published:
            day = published[:10]
            span = role_span.get((b.base, actor.title))
            if span is None:
                seen = None if b.base in losers else stored_roles.get((b.base, actor.title))
                span = role_span[(b.base, actor.title)] = list(seen) if seen else [day, day]
            span[0], span[1] = min(span[0], day), max(span[1], day)
    # A union's reason names its vote count: aliases it gave take the new count.
    for root, base, was, now in update.alias_reasons:
        entry = entries.get(root)
        if entry is None:
            raise Fallback(f"the reasons of {root}'s aliases change")
        for alias, (_slot, from_base) in entry["stats"]["aliases"].items():
            current = new_aliases.get((root, alias), stored_aliases.get((root, alias)))
            if from_base != base or current is None:
                continue
            if current == was:
                new_aliases[(root, alias)] = now
            elif current.endswith("; " + was):  # "surname of ...; <reason>"
                new_aliases[(root, alias)] = current[: -len(was)] + now
    for actor_id, entry in entries.items():
        stored_row = rows.get(actor_id)
        entry["name"] = entry["kb_name"] or _top_name(entry["stats"]["names"])
        if entry["kb_country"] or entry["kind"] != "person":
            entry["country"] = entry["kb_country"]
        else:
            countries = entry["stats"]["countries"]
            entry["country"] = _top_country(countries)
            top = max(countries.values(), default=0)
            tied = {k for k, v in countries.items() if v == top}
            # A tie goes to the country seen first; a stored actor's new country may have been
            # seen first in store order (an actor observed again counts them in that order).
            if (stored_row is not None and actor_id not in losers and len(tied) > 1
                    and tied & touched.get(actor_id, set())):  # fmt: skip
                raise Fallback(f"{actor_id} has two countries named equally often")
        if stored_row is not None:
            kinds = {stored_row["kind"], entry["kind"]}
            # Its first name may now be another's: organisation or igo, never a person's kind.
            if len(kinds) > 1 and (actor_id not in losers or kinds & {"person", "country"}):
                raise Fallback(f"{actor_id} is named as another kind")
            if stored_row["country"] != entry["country"]:
                raise Fallback(f"the country of {actor_id} changes")
        for corr in corrections:
            if corr.action == "rename" and corr.actor_id == actor_id:
                entry["name"] = corr.value
    # Names without a country take their actor's (a person named with a title elsewhere).
    for actor in [*(a for a, _, _ in occurrences), *(r.actor for r in restored)]:
        if not actor.country and actor.id in entries:
            actor.country = entries[actor.id]["country"]

    for m in mentions:
        for pos, a in enumerate([*m.actors, *m.attributed_to]):
            update.mention_actor_ids[(m.id, pos)] = assigned.get(id(a), a.id or "")
    for aid, pos, a, _pub in entities:
        update.entity_actor_ids[(aid, pos)] = assigned.get(id(a), a.id or "")
    _write_moves(update, restored, losers, entries, stored_aliases, stored_roles, role_span)
    for actor_id, entry in entries.items():
        row = {k: entry[k] for k in ("id", "name", "kind", "country", "sector")}
        stats = {**entry["stats"], "kb": entry["kb_name"], "kb_country": entry["kb_country"],
                 "sector": entry["sector"]}  # fmt: skip
        update.actors.append({**row, "stats": stats})
        update.actor_info[actor_id] = row
    update.aliases = [
        {"actor_id": a, "alias": alias, "reason": r} for (a, alias), r in new_aliases.items()
    ]
    update.roles = [
        {"actor_id": a, "title": t, "first_seen": s[0], "last_seen": s[1]}
        for (a, t), s in role_span.items()
    ]
    return update


MAX_RESTORE = 20_000  # stored names of actors that lose names, observed again at most


@dataclass
class _Moved:
    """A stored occurrence of an actor that loses names when a short-form union changes."""

    key: tuple[str, int]  # (mention id, position) or (article id, position)
    in_mention: bool
    actor: ActorMention  # as analysed (its kind corrected as the store has it)
    published: str | None
    article: str
    slot: list[Any]  # its place in the resolver's order (``_slots``)
    base: Base  # its actor after the change, and why
    own: str  # its key before unions
    was: str  # its stored actor
    counted: bool  # counted among its article's story actors (not an attribution)
    pos: Pos = ("", "", 0)  # a mention's place in store order
    pass_id: str | None = None  # a mention's merging-pass cluster


def _stored_occurrences(store: ActorStore, actor_ids: Iterable[str]) -> list[_Moved]:
    """Every stored occurrence of these actors, from the analyses as stored (mention actors
    and names of non-duplicate articles), with the actor the last relink gave it."""
    from wirewatch.model import actor_from_dict

    out: list[_Moved] = []
    base = Base("", "", None, None)
    in_mentions, names = store.occurrences_of(actor_ids)
    parsed: dict[str, EventMention] = {}
    for r in in_mentions:
        m = parsed.get(r.mention_id) or EventMention.from_dict(r.data)
        parsed[r.mention_id] = m
        actor = [*m.actors, *m.attributed_to][r.position]
        slot = [0, _utc(m.published), m.article, m.index, r.position]
        out.append(_Moved(
            (r.mention_id, r.position), True, actor, m.published, m.article, slot, base, "",
            r.actor_id, r.position < len(m.actors),
            (r.published_utc or "", m.article, m.index), r.pass_id,
        ))  # fmt: skip
    for e in names:
        slot = [1, _utc(e.published), e.article_id, e.position, 0]
        out.append(_Moved(
            (e.article_id, e.position), False, actor_from_dict(e.data), e.published,
            e.article_id, slot, base, "", e.actor_id, True,
        ))  # fmt: skip
    return out


def _restore(
    moves: Mapping[str, tuple[str, str]],
    roots: Mapping[str, str],
    how_after: Mapping[str, str],
    kb: KnowledgeBase,
    aliases: Mapping[str, str],
    named: set[str],
    store: ActorStore,
) -> list[_Moved]:
    """The stored occurrences of the actors that lose names to a short-form union's change
    (those moved and those that stay), with their actor and reason after it: the resolver's
    decisions for them again (kind correction as stored, short-form union as it is now).
    Raises ``Fallback`` when there are over MAX_RESTORE of them, or one is not where the
    unions say it was."""
    losers = {was for was, _ in moves.values()}
    rows = store.actor_rows_for(losers)
    size = sum(sum(((r.get("stats") or {}).get("names") or {}).values()) for r in rows.values())
    if size > MAX_RESTORE:
        raise Fallback(f"{size} stored names of actors a short-form union's change reaches")
    out = _stored_occurrences(store, losers)
    for occ in out:
        actor = occ.actor
        b = _base_of(actor, kb, aliases)
        # A person-tagged name on an organisation was corrected to one (``_correct_kinds``).
        if (actor.kind == "person" and not actor.kb_id and not actor.title
                and rows.get(occ.was, {}).get("kind", "person") != "person"):  # fmt: skip
            actor.kind = "organization"
            b.base = _name_key(False, actor.name, kb)[0]
            b.reason = "named as an organisation elsewhere in the corpus"
        occ.own = b.base
        if b.base in named:
            raise Fallback("a user correction names an actor whose names change")
        root = roots.get(b.base, b.base)
        if (moves[b.base][0] if b.base in moves else root) != occ.was:
            raise Fallback(f"{b.base} is stored under {occ.was}, not its short-form union")
        if root != b.base:
            b.reason = how_after.get(b.base, f"same organisation as {root}")
            b.base = root
        occ.base = b
    return out


def _write_moves(
    update: ActorUpdate,
    restored: Sequence[_Moved],
    losers: set[str],
    entries: Mapping[str, dict[str, Any]],
    stored_aliases: Mapping[tuple[str, str], str],
    stored_roles: Mapping[tuple[str, str], tuple[str, str]],
    role_span: Mapping[tuple[str, str], list[str]],
) -> None:
    """The rows of stored names that changed actor, and the rows an actor that lost names no
    longer has (its aliases and titles seen only on those names; itself, when none is left)."""
    for occ in restored:
        now = occ.base.base
        if now == occ.was:
            continue
        if occ.in_mention:
            update.mention_actor_ids[occ.key] = now
            mid, position = occ.key
            fixes = update.moved_mentions.setdefault(mid, (occ.pos, occ.pass_id, {}))[2]
            fixes[position] = (now, occ.actor.country)
        else:
            update.entity_actor_ids[occ.key] = now
        if occ.counted:
            delta = update.doc_moves.setdefault(occ.article, Counter())
            delta[occ.was] -= 1
            delta[now] += 1
    update.dropped_actors = losers - entries.keys()
    update.dropped_aliases = [
        (a, alias) for a, alias in stored_aliases
        if a in losers and a in entries and alias not in entries[a]["stats"]["aliases"]
    ]  # fmt: skip
    update.dropped_roles = [
        key for key in stored_roles
        if key[0] in losers and key[0] in entries and key not in role_span
    ]  # fmt: skip


def _entry(
    actor_id: str,
    actor: ActorMention,
    kb: KnowledgeBase,
    old: dict[str, Any] | None,
    slot: list[Any],
) -> dict[str, Any]:
    """An actor row being updated: the stored one, or the one this occurrence creates (the
    first in slot order sets kind and knowledge-base fields)."""
    kb_name, kb_country, sector = fixed_fields(actor, kb) or (None, None, None)
    fresh = {
        "id": actor_id, "kind": actor.kind or "organization", "kb_name": kb_name,
        "kb_country": kb_country, "sector": sector,
    }  # fmt: skip
    if old is None:
        return {**fresh, "stats": {"names": {}, "countries": {}, "first": slot, "aliases": {}}}
    stats = old.get("stats") or {}
    entry = {
        "id": actor_id, "kind": old["kind"], "kb_name": stats.get("kb"),
        "kb_country": stats.get("kb_country"), "sector": stats.get("sector"),
        "stats": {"names": dict(stats.get("names", {})),
                  "countries": dict(stats.get("countries", {})), "first": stats.get("first"),
                  "aliases": dict(stats.get("aliases", {}))},
    }  # fmt: skip
    first = stats.get("first")
    if first is None or slot < first:
        # This occurrence comes before the one that created the entry: it creates it now.
        for k in ("kind", "kb_name", "kb_country", "sector"):
            if entry[k] != fresh[k]:
                raise Fallback(f"{actor_id}: another {k} ({fresh[k]!r} vs {entry[k]!r})")
        entry["stats"]["first"] = slot
    return entry


def _role_spans(titles: Mapping[str, tuple[str, str]], kb: KnowledgeBase) -> dict[str, list[str]]:
    spans: dict[str, list[str]] = {}
    for title, (first, last) in titles.items():
        role = role_key(title, kb)
        if role:
            s = spans.setdefault(role, [first, last])
            s[0], s[1] = min(s[0], first), max(s[1], last)
    return spans


@dataclass
class _Holder:
    """One name key of a person as the office-holder merge sees it (``actors._Person`` of a
    name not split by office): its sightings, their countries in the order first seen (a
    tie goes to the first), its offices' first and last days, its family names."""

    base: str
    size: int = 0
    countries: dict[str, int] = field(default_factory=dict)
    roles: dict[str, list[str]] = field(default_factory=dict)
    families: set[str] = field(default_factory=set)

    def see(
        self, actor: ActorMention, published: str | None, country: str | None, kb: KnowledgeBase
    ) -> None:
        self.size += 1
        if country:
            self.countries[country] = self.countries.get(country, 0) + 1
        role = role_key(actor.title, kb)
        if role and published:
            day = published[:10]
            span = self.roles.setdefault(role, [day, day])
            span[0], span[1] = min(span[0], day), max(span[1], day)
        self.families |= _family_names(actor.name)

    def copy(self) -> _Holder:
        return _Holder(self.base, self.size, dict(self.countries),
                       {r: list(v) for r, v in self.roles.items()}, set(self.families))  # fmt: skip

    @property
    def country(self) -> str | None:
        return _top_country(self.countries)

    def offices(self, single: frozenset[str]) -> set[str]:
        return {r for r in self.roles if r in single}

    def row(self, root: str, split: bool = False) -> dict[str, Any]:
        return {"base": self.base, "size": self.size, "countries": self.countries,
                "roles": self.roles, "families": sorted(self.families), "root": root,
                "split": int(split)}  # fmt: skip

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> _Holder:
        return cls(row["base"], row["size"], dict(row["countries"]),
                   {r: list(v) for r, v in row["roles"].items()}, set(row["families"]))  # fmt: skip


def _holders_merge(a: _Holder, b: _Holder, single: frozenset[str]) -> bool:
    """The pair test of ``_merge_office_holders``."""
    if not (a.families & b.families and a.offices(single) and b.offices(single)):
        return False
    ca, cb = a.country, b.country
    if (ca and cb and ca != cb) or not (ca or cb):
        return False
    return any(
        r in single and _near(*a.roles[r], *b.roles[r]) for r in a.roles.keys() & b.roles.keys()
    )


def _may_share_office(a: _Holder, b: _Holder, single: frozenset[str]) -> bool:
    """Whether the pair test could pass for some people among these (countries aside)."""
    if not a.families & b.families:
        return False
    shared = a.roles.keys() & b.roles.keys()
    return any(r in single and _near(*a.roles[r], *b.roles[r]) for r in shared)


def _holder_roots(holders: Mapping[str, _Holder], single: frozenset[str]) -> dict[str, str]:
    """``_merge_office_holders`` over these people (a whole union or several): its pairs in
    its order (people by name key), the better-attested person keeping the id."""
    order = sorted(holders)
    parent = {b: b for b in order}
    size = {b: holders[b].size for b in order}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            if _holders_merge(holders[a], holders[b], single):
                ra, rb = find(a), find(b)
                if ra != rb:
                    keep, drop = sorted((ra, rb), key=lambda x: (-size[x], x))
                    parent[drop] = keep
                    size[keep] += size[drop]
    return {b: find(b) for b in order}


@dataclass
class _Office:
    """What the office-holder merge makes of the new sightings of people."""

    finals: dict[str, str] = field(default_factory=dict)  # person name key -> its actor
    reasons: dict[str, str] = field(default_factory=dict)  # merged name key -> its reason
    handled: set[str] = field(default_factory=set)  # stored keys whose actor this explains
    alias_reasons: list[tuple[str, str, str, str]] = field(default_factory=list)
    holders: dict[str, dict[str, Any]] = field(default_factory=dict)  # person_state rows
    bases: dict[str, tuple[str, bool, int]] = field(default_factory=dict)  # actor_bases rows


def _office_unions(
    bases: Sequence[Base],
    occurrences: Sequence[tuple[ActorMention, str | None, str]],
    kb: KnowledgeBase,
    store: ActorStore,
    stored_bases: Mapping[str, tuple[str, bool, int]],
) -> _Office:
    """Split by office and office-holder merge for the people the new articles name
    (``_split_by_office``, ``_merge_office_holders``): their offices must not split them;
    the people they may be merged with (sharing a family name, holding a single-holder
    office) are followed from them and merged again, before and after the new sightings,
    from what the store keeps of each (``person_state``). Raises ``Fallback`` when a stored
    name would change actor."""
    people: dict[str, list[tuple[ActorMention, str | None, str | None]]] = {}
    for b, (actor, published, _) in zip(bases, occurrences, strict=True):
        if actor.kind == "person":
            people.setdefault(b.base, []).append((actor, published, b.country))
    out = _Office()
    if not people:
        return out
    single = _single_holder_roles()
    rows = store.person_rows(people)
    plain = [p for p in people if p not in rows and p in stored_bases
             and stored_bases[p][1] and stored_bases[p][0] == p]  # fmt: skip
    titles: dict[str, dict[str, tuple[str, str]]] = {}
    for (aid, title), span in store.role_rows_for(plain).items():
        titles.setdefault(aid, {})[title] = span
    stats = store.actor_rows_for(plain)
    before: dict[str, _Holder] = {}
    after: dict[str, _Holder] = {}
    for base, seen in people.items():
        if base in rows:
            if rows[base]["split"]:
                raise Fallback(f"{base} is split by office")
            holder = _Holder.of_row(rows[base])
        elif base in plain:  # one actor of its own: its stored counts are its own
            st = (stats.get(base) or {}).get("stats") or {}
            names = st.get("names", {})
            holder = _Holder(base, sum(names.values()), dict(st.get("countries", {})),
                             _role_spans(titles.get(base, {}), kb),
                             {f for n in names for f in _family_names(n)})  # fmt: skip
        elif base in stored_bases:
            continue  # refined otherwise (a correction, a kind): ``resolve_new`` falls back
        else:
            holder = _Holder(base)
        grown = holder.copy()
        for actor, published, country in seen:
            grown.see(actor, published, country, kb)
        if grown.roles != holder.roles and _splits(grown.roles):
            raise Fallback(f"the offices of {base} change")
        top = max(grown.countries.values(), default=0)
        tied = {c for c, n in grown.countries.items() if n == top}
        if holder.size and len(tied) > 1 and tied & {c for _, _, c in seen if c}:
            raise Fallback(f"{base} has two countries named equally often")
        before[base], after[base] = holder, grown
    known = {k: _Holder.of_row(r) for k, r in rows.items()}
    roots = {k: r["root"] for k, r in rows.items()}
    component = {k for k in after if after[k].offices(single) or k in rows}
    frontier = set(component)

    def then(x: str) -> _Holder:
        return before[x] if x in before else known[x]

    def later(x: str) -> _Holder:
        return after[x] if x in after else known[x]

    while frontier:
        families = {f for x in frontier for f in then(x).families | later(x).families}
        for k, r in store.persons_by_family(families).items():
            if k not in known and k not in after:
                if r["split"]:  # its people are unknown, but their offices are among its own
                    split = _Holder.of_row(r)
                    if any(_may_share_office(later(x), split, single) for x in frontier):
                        raise Fallback(f"{k}, split by office, may share an office with a new name")
                    continue
                known[k], roots[k] = _Holder.of_row(r), r["root"]
        reached = set()
        for x in frontier:
            for y in (set(known) | set(after)) - component:
                if _holders_merge(then(x), then(y), single) or _holders_merge(
                    later(x), later(y), single
                ):
                    reached.add(y)
        frontier = reached
        component |= reached
        if len(component) > MAX_UNION:
            raise Fallback(f"office-holder unions span over {MAX_UNION} names")
    stored_bases = {**store.actor_bases(component - stored_bases.keys()), **stored_bases}
    roots_before = _holder_roots({x: then(x) for x in component}, single)
    roots_after = _holder_roots({x: later(x) for x in component}, single)
    for x in component:
        stored = roots.get(x) or (stored_bases[x][0] if x in stored_bases else None)
        if stored is None:
            continue  # a name the store has not seen
        if roots_before[x] != stored:
            raise Fallback(f"{x} resolves to {stored}, not its office-holder union")
        if roots_after[x] != roots_before[x]:
            raise Fallback(f"{x} and another holder of its office merge or part")
    members: dict[str, set[str]] = {}
    for x in component:
        members.setdefault(roots_after[x], set()).add(x)
    for x in component:
        root = roots_after[x]
        simple = root == x and members[root] == {x}
        stored_base = stored_bases.get(x)
        if stored_base is None or stored_base[:2] != (root, simple):
            out.bases[x] = (root, simple, stored_base[2] if stored_base else 0)
    out.handled = set(rows) & set(after)
    for x, holder in after.items():
        root = roots_after.get(x, x)
        out.finals[x] = root
        if root != x:
            out.reasons[x] = merged_reason(_as_person(holder), root)
            if x in stored_bases:
                old = merged_reason(_as_person(before[x]), root)
                if old != out.reasons[x]:
                    out.alias_reasons.append((root, x, old, out.reasons[x]))
        if x in component:
            out.holders[x] = holder.row(root)
    return out


def _as_person(holder: _Holder) -> _Person:
    person = _Person(holder.base)
    person.roles = {r: (date.fromisoformat(a[:10]), date.fromisoformat(b[:10]))
                    for r, (a, b) in holder.roles.items()}  # fmt: skip
    return person


def _splits(spans: Mapping[str, Sequence[str]]) -> bool:
    """Whether ``_split_by_office`` makes two people of one name with these role spans: it
    does exactly when two of its roles conflict at overlapping dates (otherwise every role
    joins the first group, whatever their order), so longer spans of offices one person can
    hold together keep one person."""
    days = {
        r: (date.fromisoformat(a[:10]), date.fromisoformat(b[:10])) for r, (a, b) in spans.items()
    }
    roles = sorted(days)
    return any(
        _conflicting_roles(r, q) and _overlap(days[r], days[q], CONCURRENT_OFFICE_DAYS)
        for n, r in enumerate(roles)
        for q in roles[n + 1 :]
    )


def _near(a0: str, a1: str, b0: str, b1: str) -> bool:
    x0, x1, y0, y1 = (date.fromisoformat(v[:10]) for v in (a0, a1, b0, b1))
    return (x0 - y1).days <= SAME_OFFICE_DAYS and (y0 - x1).days <= SAME_OFFICE_DAYS


# --------------------------------------------------------------------------- events


class EventStore(Protocol):
    """What the incremental merging pass reads from the store (``Store`` implements it)."""

    def mentions_querying(
        self, cells: Iterable[str], after: Pos
    ) -> list[tuple[Pos, EventMention, str | None]]:
        """Stored mentions after ``after`` in store order that look for their event in one of
        these cells, with their pass cluster."""
        ...

    def passes_at(self, cells: Iterable[str]) -> set[str]: ...

    def pass_cells_of(self, passes: Iterable[str]) -> dict[str, set[str]]: ...

    def pass_members(self, passes: Iterable[str]) -> list[tuple[Pos, EventMention, str]]: ...

    def passes_labelled(self, groups: Iterable[tuple[str, str]]) -> set[str]: ...


@dataclass
class EventUpdate:
    clusters: list[EventCluster]  # final events (reconciled) to write, with their passes
    passes: dict[str, str]  # mention id -> pass id, for every mention of those events
    pass_cells: list[tuple[str, str]]  # cells of the rebuilt passes
    dropped_passes: set[str]  # passes whose cells are replaced
    replayed: int  # mentions the pass went over again
    positions: dict[str, Pos]
    # stored mentions whose actors changed: their query cells (``mention_cells``) before, after
    moved_cells: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)


def _join(cluster: EventCluster, m: EventMention) -> list[tuple[str, int]]:
    """``MergePass._join`` without the pass's index: the (actor key, month) cells the
    cluster is newly indexed under."""
    cluster.add(m)
    added = []
    for key in _actor_keys(m):
        for month in _months(cluster.span()):
            if (key, month) not in cluster.indexed:
                cluster.indexed.add((key, month))
                added.append((key, month))
    return added


class _Resume:
    """The merging pass resumed at the new mentions over the part of the store they can
    reach. A cluster is *dirty* from the moment its members differ from the stored pass's
    (a new mention joined it, a replayed one left or joined it, a member's actors changed:
    ``moved``, each replayed and never taken as the same decision); a cell is dirty from the
    moment a dirty cluster is or was indexed under it. Only stored mentions that look in a
    dirty cell after it became dirty can decide otherwise than they did, so only those are
    replayed: each stored member of a dirty cluster is among them (it found the cluster in
    one of its cells), and every other mention sees what it saw before. Clean clusters are
    rebuilt from their stored members up to the time they are looked at."""

    def __init__(
        self,
        store: EventStore,
        max_replay: int,
        moved: Mapping[str, Mapping[int, tuple[str, str | None]]] | None = None,
    ) -> None:
        self.store = store
        self.max_replay = max_replay
        # Stored mentions whose actors change (``ActorUpdate.moved_mentions``): every copy
        # read takes its new actors, and each is placed again (its cluster changes with it).
        self.moved = moved or {}
        self.moved_cells: dict[str, tuple[set[str], set[str]]] = {}  # mention -> old, new
        self.heap: list[tuple[Pos, str]] = []
        self.todo: dict[str, tuple[Pos, EventMention, str | None]] = {}
        self.seen: set[str] = set()  # mentions queued once
        self.replayed = 0
        self.members: dict[str, list[tuple[Pos, EventMention]]] = {}  # stored pass members
        self.cells_of: dict[str, set[str]] = {}  # stored pass -> its stored cells
        self.at_cell: dict[str, set[str]] = {}  # cell -> stored passes indexed there
        self.clean: dict[str, tuple[EventCluster, list[int]]] = {}  # builder, members added
        self.dirty: dict[str, EventCluster] = {}  # pass id -> its cluster in the resumed pass
        self.first: dict[str, Pos] = {}  # pass id -> its first member's place (creation order)
        self.index: dict[str, set[str]] = {}  # cell -> dirty passes indexed there
        self.dirty_cells: set[str] = set()
        self.positions: dict[str, Pos] = {}

    def push(self, p: Pos, m: EventMention, pid: str | None) -> None:
        if m.id in self.seen:
            return
        self.seen.add(m.id)
        self.todo[m.id] = (p, m, pid)
        heapq.heappush(self.heap, (p, m.id))

    def run(self) -> None:
        while self.heap:
            _, mid = heapq.heappop(self.heap)
            p, m, pid = self.todo.pop(mid)
            self.replayed += 1
            if self.replayed > self.max_replay:
                raise Fallback(f"over {self.max_replay} mentions to replay")
            self.place(p, m, pid)

    # loading

    def load(self, pids: Iterable[str]) -> None:
        missing = [p for p in pids if p not in self.members]
        if not missing:
            return
        for p in missing:
            self.members[p] = []
        for pos, m, pid in self.store.pass_members(missing):
            self.fix(m)
            self.members[pid].append((pos, m))
        for p in missing:
            self.members[p].sort(key=lambda pm: pm[0])
            if self.members[p]:
                self.first.setdefault(p, self.members[p][0][0])
        self.cells_of.update(self.store.pass_cells_of(missing))

    def fix(self, m: EventMention) -> None:
        """Give a stored mention read from the store the actors it has after this increment."""
        fixes = self.moved.get(m.id)
        if not fixes:
            return
        before = {cell_key(*c) for c in query_cells(m)}
        for position, a in enumerate([*m.actors, *m.attributed_to]):
            if position in fixes:
                a.id, a.country = fixes[position]
        self.moved_cells.setdefault(m.id, (before, {cell_key(*c) for c in query_cells(m)}))

    def stored_at(self, cells: Sequence[str]) -> set[str]:
        missing = [c for c in cells if c not in self.at_cell]
        if missing:
            for c in missing:
                self.at_cell[c] = set()
            found = self.store.passes_at(missing)
            self.load(found)
            for pid in found:
                for c in self.cells_of.get(pid, set()) & set(missing):
                    self.at_cell[c].add(pid)
        return {pid for c in cells for pid in self.at_cell[c]}

    def state_at(self, pid: str, p: Pos) -> EventCluster:
        """A clean stored cluster as the pass left it just before ``p``."""
        self.load([pid])
        cluster, done = self.clean.setdefault(pid, (EventCluster(), [0]))
        members = self.members[pid]
        while done[0] < len(members) and members[done[0]][0] < p:
            pos, m = members[done[0]]
            self.positions[m.id] = pos
            _join(cluster, m)
            done[0] += 1
        return cluster

    # the pass

    def place(self, p: Pos, m: EventMention, stored: str | None) -> None:
        self.positions[m.id] = p
        months = _months(mention_window(m))
        cells = [cell_key(m.type, key, month) for key in _actor_keys(m) for month in months]
        candidates: dict[str, EventCluster] = {}
        for pid in {pid for c in cells for pid in self.index.get(c, ())}:
            candidates[pid] = self.dirty[pid]
        wanted = {(key, month) for key in _actor_keys(m) for month in months}
        for pid in self.stored_at(cells) - self.dirty.keys():
            cluster = self.state_at(pid, p)
            if cluster.mentions and cluster.type == m.type and cluster.indexed & wanted:
                candidates[pid] = cluster
        best: tuple[float, Pos, str] | None = None
        for pid, cluster in candidates.items():
            score = compatibility(cluster, m)
            if score is None:
                continue
            # Ties go to the older cluster, as in ``MergePass.add``.
            if best is None or score > best[0] or (score == best[0] and self.first[pid] < best[1]):
                best = (score, self.first[pid], pid)
        target = best[2] if best else m.id
        if target == stored and stored not in self.dirty and m.id not in self.moved:
            return  # the same decision over the same cluster: nothing changes
        if target not in self.dirty:
            if best is None:  # a cluster of its own
                self.dirty[target] = EventCluster()
                self.first[target] = p
                self.mark(self.cells_of.get(target, set()), p)
            else:
                self.make_dirty(target, p)
        if stored is not None and stored != target and stored not in self.dirty:
            self.make_dirty(stored, p)
        added = _join(self.dirty[target], m)
        self.mark([cell_key(m.type, k, month) for k, month in added], p, target)

    def make_dirty(self, pid: str, p: Pos) -> None:
        cluster = self.state_at(pid, p)
        self.clean.pop(pid, None)
        self.dirty[pid] = cluster
        own = [cell_key(cluster.type, k, month) for k, month in cluster.indexed]
        for c in own:
            self.index.setdefault(c, set()).add(pid)
        self.mark([*own, *self.cells_of.get(pid, set())], p)

    def mark(self, cells: Iterable[str], p: Pos, pid: str | None = None) -> None:
        fresh = []
        for c in cells:
            if pid is not None:
                self.index.setdefault(c, set()).add(pid)
            if c not in self.dirty_cells:
                self.dirty_cells.add(c)
                fresh.append(c)
        if fresh:
            for pos, m, stored in self.store.mentions_querying(fresh, p):
                self.fix(m)
                self.push(pos, m, stored)


def update_events(
    new: Sequence[tuple[Pos, EventMention]],
    store: EventStore,
    max_replay: int,
    moved: Mapping[str, tuple[Pos, str | None, Mapping[int, tuple[str, str | None]]]] | None = None,
) -> EventUpdate:
    """Resume the merging pass at the new mentions, and at the stored ones whose actors
    change (``moved``: ``ActorUpdate.moved_mentions``), over what they reach (``_Resume``),
    then reconcile dates over the (type, named format) groups the rebuilt clusters are in."""
    from wirewatch.link import pass_state

    moved = moved or {}
    work = _Resume(store, max_replay, {mid: fixes for mid, (_p, _pid, fixes) in moved.items()})
    for p, m in new:
        work.push(p, m, None)
    if any(pid is None for _p, pid, _f in moved.values()):
        raise Fallback("a stored mention whose actors change is in no merging-pass cluster")
    work.load({pid for _p, pid, _f in moved.values() if pid})
    for mid, (p, pid, _f) in sorted(moved.items(), key=lambda kv: kv[1][0]):
        found = next((x for _, x in work.members.get(pid or "", []) if x.id == mid), None)
        if found is None:
            raise Fallback(f"{mid} is not among its merging-pass cluster's members")
        work.push(p, found, pid)
    work.run()
    built = [c for c in work.dirty.values() if c.mentions]
    positions = work.positions
    passes, pass_cells = pass_state(built)
    dropped = {pid for pid in work.dirty if pid in work.members}
    # Date reconciliation over every (type, named format) group the rebuilt clusters are in.
    groups = {(c.type, c.label) for c in built if c.label}
    extra = store.passes_labelled(groups) - set(passes.values()) - dropped
    others: dict[str, list[tuple[Pos, EventMention]]] = {}
    for p, m, pid in store.pass_members(extra):
        others.setdefault(pid, []).append((p, m))
    for pid, ms in others.items():
        ms.sort(key=lambda pm: pm[0])
        cluster = EventCluster()
        for p, m in ms:
            positions[m.id] = p
            passes[m.id] = pid
            cluster.add(m)
        built.append(cluster)
    built.sort(key=lambda c: positions[c.mentions[0].id])
    for n, c in enumerate(built):
        c.seq = n
    clusters = reconcile(built, {id(m): positions[m.id] for c in built for m in c.mentions})
    return EventUpdate(
        clusters, passes, pass_cells, dropped, work.replayed, positions, work.moved_cells
    )


def label_groups(clusters: Iterable[EventCluster]) -> set[tuple[str, str]]:
    return {(c.type, c.label) for c in clusters if c.label}


__all__ = [
    "ActorState",
    "ActorUpdate",
    "Fallback",
    "actor_state_after",
    "IncrementReport",
    "relink_increment",
    "occurrence_bases",
    "resolve_new",
    "update_events",
]


# --------------------------------------------------------------------------- stories


def _story_rows(
    store: Store,
    upd: Any,  # story_increment.StoryUpdate
    inc: Any,  # store.Increment
    new_docs: Mapping[str, Any],
    infos: Sequence[Any],
    deltas: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, tuple[int, int]]]]:
    """The rows of the stories an increment touches, from their stored counts and the new
    articles (no member is re-read): title, dates, sizes and actors as ``build_story_rows``
    gives them; and their new actor counts. Stories whose events only changed keep the rest
    of their row (stored articles whose events changed name the same actors). ``deltas``:
    story -> actor -> (articles, mentions) the stored names that changed actor move; the
    stories they are in list their actors again."""
    from wirewatch.link import _story_title, story_counts, top_actors

    deltas = deltas or {}
    rewritten = {r["id"]: r for r in inc.events}
    before = store.event_stories_of(set(inc.dropped_events) | set(rewritten))
    merged = dict(upd.merged)
    touched = set(upd.touched)
    event_only = {s for s in before.values() if s} | {r["story"] for r in inc.events if r["story"]}
    event_only -= touched | set(merged)
    reach = touched | set(merged) | event_only
    spans = store.story_event_spans(reach, set(inc.dropped_events) | set(rewritten))
    counts: dict[str, list[Any]] = {}  # story -> [events, days]
    for sid, (n, days) in spans.items():
        c = counts.setdefault(merged.get(sid, sid), [0, []])
        c[0] += n
        c[1].extend(days)
    for r in inc.events:
        if r["story"]:
            c = counts.setdefault(r["story"], [0, []])
            c[0] += 1
            c[1].extend(d for d in (r["date_start"], r["date_end"]) if d)
    stored_rows = store.story_rows_for(event_only)
    rows: list[dict[str, Any]] = []
    for sid in sorted(event_only):
        row = dict(stored_rows.get(sid) or {})
        if not row:
            continue
        n, days = counts.get(sid, [0, []])
        if days:
            row.update(first_date=min(days), last_date=max(days))
        row["events"] = n
        rows.append(row)
    # Stories whose members changed: their actor counts change by the new articles' and
    # those of the stories merged into them; the rest of a story's counts is not read.
    # Stories without dated events are dated by their articles (read only for those).
    undated = {sid for sid in touched if not counts.get(sid, [0, []])[1]}
    spans_a = store.story_article_spans(
        undated | {g for g, k in merged.items() if k in undated}
    )  # fmt: skip
    new_of: dict[str, list[str]] = {}
    for article, sid in upd.article_stories.items():
        if article in new_docs:
            new_of.setdefault(sid, []).append(article)
    published = {i.id: i.published for i in infos}
    tops: dict[str, list[tuple[str, int, int]]] = {}
    out_stats: dict[str, dict[str, tuple[int, int]]] = {}
    for sid in touched:
        named, mentioned = story_counts(new_of.get(sid, []), new_docs)
        for part in [g for g, k in merged.items() if k == sid]:
            for actor, (n, m) in store.story_actor_counts(part).items():
                named[actor] += n
                mentioned[actor] += m
        for actor, (n, m) in deltas.get(sid, {}).items():
            named[actor] += n
            mentioned[actor] += m
        changed = {a: (named[a], mentioned[a]) for a in named}
        tops[sid], out_stats[sid] = _story_top(store, sid, changed)
    # Stories the assignment leaves alone whose stored names changed actor: their actors.
    moved_only = sorted(set(deltas) - touched - set(merged))
    for sid in moved_only:
        tops[sid], out_stats[sid] = _story_top(
            store, sid, {a: (d[0], d[1]) for a, d in deltas[sid].items()}
        )
    actor_ids = {a for top in tops.values() for a, _, _ in top}
    actor_info = store.actor_kinds(actor_ids - set(inc.actors.actor_info))
    actor_info.update(inc.actors.actor_info)
    for sid in sorted(touched):
        parts = [sid, *[g for g, k in merged.items() if k == sid]]
        info = _title_infos(store, upd.heads[sid], parts, new_of.get(sid, []), infos)
        n, days = counts.get(sid, [0, []])
        if not days:
            days = [d for p in parts for d in spans_a.get(p, [])]
            days += [published[a] for a in new_of.get(sid, []) if published.get(a)]
            days = [d[:10] for d in days if d]
        named_n = {a: c for a, c, _ in tops[sid]}
        mentioned_n = {a: m for a, _, m in tops[sid]}
        rows.append({
            "id": sid, "title": _story_title(info),
            "first_date": min(days) if days else None, "last_date": max(days) if days else None,
            "articles": upd.sizes[sid], "events": n,
            "actors": top_actors(named_n, mentioned_n, actor_info),
        })  # fmt: skip
    kept = {r["id"]: r for r in rows}
    stored_rows.update(store.story_rows_for(set(moved_only) - kept.keys() - stored_rows.keys()))
    for sid in moved_only:
        if sid not in kept and sid not in stored_rows:
            continue
        if sid not in kept:
            kept[sid] = dict(stored_rows[sid])
            rows.append(kept[sid])
        named_n = {a: c for a, c, _ in tops[sid]}
        mentioned_n = {a: m for a, _, m in tops[sid]}
        kept[sid]["actors"] = top_actors(named_n, mentioned_n, actor_info)
    # An actor the increment renames (its best-attested name or its kind changed) is listed
    # under its old name in rows kept from the store: the event-only ones above and those of
    # stories the increment does not reach. Counts and order go by id and stay.
    renamed = _renamed(store, inc.actors.actor_info)
    if renamed:
        done = {r["id"] for r in rows} | set(merged)  # merged away: their rows go
        rows += store.story_rows_for(store.stories_naming(renamed) - done).values()
        for row in rows:
            row["actors"] = [
                {**a, "name": renamed[a["id"]][0], "kind": renamed[a["id"]][1]}
                if a["id"] in renamed else a
                for a in row.get("actors") or []
            ]  # fmt: skip
    return rows, out_stats


def _story_top(
    store: Store, sid: str, changed: dict[str, tuple[int, int]]
) -> tuple[list[tuple[str, int, int]], dict[str, tuple[int, int]]]:
    """A story's listed actors after these changes of its (articles, mentions) counts, and
    the changed counts in full (stored ones added)."""
    from wirewatch.link import STORY_ACTORS

    for actor, (n, m) in store.story_actor_counts(sid, changed).items():
        changed[actor] = (changed[actor][0] + n, changed[actor][1] + m)
    # The top after the change: changed actors, or stored ones no change could pass; an
    # actor no article of the story names any more is not listed.
    both = {a: c for a, c in store.story_top_actors(sid, STORY_ACTORS + len(changed)).items()
            if a not in changed}  # fmt: skip
    both.update(changed)
    listed = [a for a in both if both[a][0] > 0]
    top = sorted(listed, key=lambda a: (-both[a][0], -both[a][1], a))[:STORY_ACTORS]
    return [(a, *both[a]) for a in top], changed


def _renamed(store: Store, info: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Actors whose name or kind this increment changes: id -> (new name, new kind)."""
    if not info:
        return {}
    stored = store.actor_kinds(info)
    return {
        a: (row["name"], row["kind"]) for a, row in info.items()
        if a in stored and (stored[a]["name"], stored[a]["kind"]) != (row["name"], row["kind"])
    }  # fmt: skip


def _title_infos(
    store: Store,
    head: Sequence[str],
    parts: Sequence[str],
    new: Sequence[str],
    infos: Sequence[Any],
) -> list[Any]:
    """What ``_story_title`` needs of a story (its first titled member, else its first
    members' texts) without reading every member: the first HEAD members' titles; when none
    has one, the first titled member of each stored story merged into it and of its new
    articles; when none has one either, the first members' texts."""
    from wirewatch.link import ArticleInfo

    titles = store.article_titles(head)
    info = [ArticleInfo(a, *titles[a]) for a in head if a in titles]
    if any(i.title for i in info):
        return info
    fresh = {i.id: i for i in infos}
    titled = [*store.first_titled(parts).values(),
              *[fresh[a] for a in new if a in fresh and fresh[a].title]]  # fmt: skip
    if titled:
        return [min(titled, key=lambda i: (i.published is None, _utc(i.published), i.id))]
    texts = store.article_infos_for(head)
    if any((i.text or "").strip() for i in texts):
        return texts
    stored = store.story_members(parts)
    every = [(key, a) for p in parts for a, key in stored.get(p, [])]
    every += [((int(not fresh[a].published), _utc(fresh[a].published), a), a)
              for a in new if a in fresh]  # fmt: skip
    return store.article_infos_for([a for _, a in sorted(every)])


# --------------------------------------------------------------------------- relink

MAX_REPLAY = 50_000  # mentions the resumed pass may go over before a full relink is cheaper


@dataclass
class IncrementReport:
    """How a relink ran, for benches, tests and logs."""

    mode: str = "incremental"  # incremental | full
    reason: str | None = None  # why it was full
    articles: int = 0  # new articles linked
    replayed: int = 0  # mentions the merging pass went over
    moved: int = 0  # stored articles whose story changed (stories merged)
    events_written: int = 0
    events: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _check_background(state: Mapping[str, Any], new: int) -> None:
    """A store whose background set the stories' threshold (``stories.BACKGROUND``) is
    regrouped in full once it has grown by ``REGROUP`` since that grouping: each article
    moves the background, which the placement of one article cannot follow."""
    from wirewatch.link.stories import REGROUP, THRESHOLD

    threshold = float(state.get("story_threshold") or THRESHOLD)
    grouped = int(state.get("story_full_n") or 0)
    now = int(state.get("story_n") or 0) + new
    if threshold > THRESHOLD and grouped and now > REGROUP * grouped:
        raise Fallback(
            f"the store's background set the story threshold ({threshold:.3f}) at {grouped}"
            f" articles; {now} now"
        )


def _move_docs(
    store: Store,
    moves: Mapping[str, Counter[str]],
    loaded: Mapping[str, Any],  # article -> stories.StoryArticle, read already
    changed: list[Any],
) -> dict[str, dict[str, tuple[int, int]]]:
    """Stored articles whose names changed actor (``ActorUpdate.doc_moves``): their story
    articles count the new actors (added to ``changed``, which the story assignment
    writes), and per article what that changes of each actor's (articles, mentions)."""
    if not moves:
        return {}
    docs = dict(loaded)
    docs.update(store.story_docs_for(set(moves) - docs.keys()))
    listed = {id(d) for d in changed}
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for article, delta in sorted(moves.items()):
        doc = docs.get(article)
        if doc is None:
            continue
        before = Counter(doc.actors)
        for actor, k in delta.items():
            doc.actors[actor] += k
            if doc.actors[actor] <= 0:
                del doc.actors[actor]
        out[article] = {
            a: (int(doc.actors[a] > 0) - int(before[a] > 0), doc.actors[a] - before[a])
            for a in delta
            if doc.actors[a] != before[a]
        }
        if id(doc) not in listed:
            changed.append(doc)
            listed.add(id(doc))
    return out


def relink_increment(store: Store, kb: KnowledgeBase, report: IncrementReport) -> int:
    """Link the articles no relink has seen yet into the stored ledger; raises ``Fallback``
    when a full relink is needed. Call inside ``store.write()``."""
    import time

    from wirewatch.link import _keep_ids, _story_articles, query_cell_rows
    from wirewatch.link.events import event_row, find_contradictions
    from wirewatch.link.story_increment import assign_stories, event_docs
    from wirewatch.store import Increment

    state = store.link_state()
    if state.get("needs_full"):
        raise Fallback("needs a full relink (first link, a changed article or a correction)")
    pending, total = store.pending_articles()
    report.articles = len(pending)
    inc = Increment()
    if not pending:  # nothing new; syndicated copies still take their original's story
        store.write_increment(inc)
        report.events = store.event_count()
        return report.events
    if 2 * len(pending) > total:
        raise Fallback(f"{len(pending)} of {total} articles are new")
    _check_background(state, len(pending))
    t0 = time.process_time()
    new = store.mentions_of_articles(pending)
    ents = store.entities_of_articles(pending)
    inc.actors = resolve_new([m for _, m in new], ents, kb, store.corrections(), store)
    report.timings["actors"] = round(time.process_time() - t0, 4)

    t0 = time.process_time()
    clusters: list[EventCluster] = []
    first_articles: list[str] = []
    moved = inc.actors.moved_mentions
    cells_gone: list[tuple[str, str]] = []
    if new or moved:
        ev = update_events(new, store, MAX_REPLAY, moved)
        report.replayed = ev.replayed
        clusters = ev.clusters
        members = [[m.id for m in c.mentions] for c in clusters]
        previous = store.event_ids_of_mentions(m for ms in members for m in ms)
        inc.dropped_events = set(previous.values())
        proposed = [c.id for c in clusters]
        reserved = store.existing_event_ids(proposed) - inc.dropped_events
        event_ids = _keep_ids(proposed, members, previous, reserved)
        contradictions = find_contradictions(clusters, kb)
        for n, (c, eid) in enumerate(zip(clusters, event_ids, strict=True)):
            row = event_row(c)
            row["id"] = eid
            row["contradictions"] = contradictions.get(n) or None
            inc.events.append(row)
            first_articles.append(c.mentions[0].article)
            for m in c.mentions:
                inc.mention_events[m.id] = eid
        inc.passes = ev.passes
        inc.pass_cells = ev.pass_cells
        inc.mention_cells = query_cell_rows([m for _, m in new])
        for mid, (before, after) in ev.moved_cells.items():  # stored mentions look elsewhere
            inc.mention_cells += [(c, mid) for c in sorted(after - before)]
            cells_gone += [(c, mid) for c in sorted(before - after)]
        inc.dropped_passes = ev.dropped_passes
    report.events_written = len(inc.events)
    report.timings["events"] = round(time.process_time() - t0, 4)

    # Stories: each new article joins the story it fits, or starts one (``story_increment``).
    t0 = time.process_time()
    infos = store.article_infos_for(pending)
    kinds = {k: v["kind"] for k, v in inc.actors.actor_info.items()}
    pending_set = set(pending)
    fresh = _story_articles(
        [a.id for a in infos], infos, [m for _, m in new],
        {k: v for k, v in inc.actors.entity_actor_ids.items() if k[0] in pending_set},
        [{"id": k, "kind": v} for k, v in kinds.items()], [],
    )  # fmt: skip
    reported = {m.rsplit("#", 1)[0] for m in inc.mention_events}
    events_now = event_docs(store, reported, inc.mention_events)
    for d in fresh:
        d.events = events_now.get(d.id, Counter())
    stored_docs = store.story_docs_for(reported - pending_set)
    changed = []
    for a, doc in stored_docs.items():
        if doc.events != events_now.get(a, Counter()):
            doc.events = events_now.get(a, Counter())
            changed.append(doc)
    doc_deltas = _move_docs(store, inc.actors.doc_moves, stored_docs, changed)
    order_keys = {i.id: (int(not i.published), _utc(i.published), i.id) for i in infos}
    by_id = {d.id: d for d in fresh}
    upd = assign_stories(store, [by_id[a] for a in pending if a in by_id], changed, order_keys)
    inc.story_update = upd
    inc.article_stories = dict(upd.article_stories)
    report.moved = sum(1 for a in upd.article_stories if a not in pending_set)
    # The story actor counts those articles change, by the story they are in now.
    in_story = store.article_stories_of(set(doc_deltas) - upd.article_stories.keys())
    in_story.update(upd.article_stories)
    story_deltas: dict[str, dict[str, list[int]]] = {}
    for a, delta in doc_deltas.items():
        sid = upd.merged.get(in_story.get(a, ""), in_story.get(a, ""))
        if sid:
            for actor, (n_articles, n_mentions) in delta.items():
                counts = story_deltas.setdefault(sid, {}).setdefault(actor, [0, 0])
                counts[0] += n_articles
                counts[1] += n_mentions
    # Events take the story of their first report's article.
    story_of = store.article_stories_of({a for a in first_articles if a not in upd.article_stories})
    story_of.update(upd.article_stories)
    for row, a in zip(inc.events, first_articles, strict=True):
        row["story"] = story_of.get(a)
    inc.stories, inc.story_stats = _story_rows(store, upd, inc, by_id, infos, story_deltas)
    # A story merged away takes its events with it (its rows are gone).
    rewritten = {r["id"] for r in inc.events} | inc.dropped_events
    for r in store.events_of_stories(upd.merged):
        if r["id"] not in rewritten:
            inc.event_stories[r["id"]] = upd.merged[r["story"]]
    inc.dropped_stories = {r["id"] for r in inc.stories} | set(upd.merged)
    report.timings["stories"] = round(time.process_time() - t0, 4)

    t0 = time.process_time()
    store.write_increment(inc)
    gone = [(sid, a) for sid, c in inc.story_stats.items() for a, (n, _m) in c.items() if n <= 0]
    a = inc.actors
    store.delete_link_rows(
        actors=a.dropped_actors if a else set(),
        aliases=a.dropped_aliases if a else [],
        roles=a.dropped_roles if a else [],
        cells=cells_gone,
        story_actors=gone,
    )
    report.timings["write"] = round(time.process_time() - t0, 4)
    report.events = store.event_count()
    return report.events
