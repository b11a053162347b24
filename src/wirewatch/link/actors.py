"""Actor resolution across articles: every actor mention gets a canonical actor id.

Countries and organisations the knowledge base knows keep its ids (ISO alpha-3 for
countries). Places (``kind`` None: cities, regions, continents) keep the id the analyser
resolved (``place:<GeoNames id>``, or a name key): one identity across articles, but no
actor of their own, so they are not among the resolved actors. People are resolved in three
steps, each leaving a reason on the alias it attaches, so ``wirewatch actors show`` can
explain every merge:

1. Occurrences with the same name key (``names.person_key``: hyphens, initials, suffixes,
   nicknames, romanisation and name order folded) are one person...
2. ...unless they hold different offices at the same time: "Foreign Minister Cho Tae-yong"
   and "NIS Director Cho Tae-yong" in one month are two people.
3. Different name keys merge only with the same family name, the same single-holder office
   of the same country at overlapping dates: "Secretary of Defense Royce Austin" is Lloyd
   Austin; "Foreign Minister Cho Tae-yong" in October 2024 is Cho Tae-yul. A close spelling
   alone never merges two people.

User corrections (merge, split, alias, rename) are applied last and win.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from wirewatch.link.kb import KnowledgeBase, fold
from wirewatch.link.names import initials, org_key, org_suffixes, person_key
from wirewatch.link.places import place_key
from wirewatch.model import ActorMention, EventMention

SAME_OFFICE_DAYS = 180  # how far apart two sightings of one office-holder may be
# Two conflicting offices seen this close under one name are held at once, so by two
# people; further apart they may be one career ("Foreign Minister" then "NIS Director").
CONCURRENT_OFFICE_DAYS = 60


@lru_cache(maxsize=500_000)
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


@lru_cache(maxsize=1)
def _role_table() -> dict[frozenset[str], str]:
    path = resources.files("wirewatch") / "data" / "names" / "roles.tsv"
    rows = [ln for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    return {
        frozenset(r[0].split()): r[1].strip()
        for r in csv.reader(rows[1:], delimiter="\t")
        if len(r) >= 2
    }


@lru_cache(maxsize=1)
def _single_holder_roles() -> frozenset[str]:
    """Offices listed in roles.tsv: one holder per country at a time. A title not listed
    ("Senator", "Co-chair") is no proof that two names are one person."""
    return frozenset(_role_table().values()) - {"-"}


_ROLE_STOP = {"of", "the", "and", "u.s.", "us", "u.s", "for", "'s", "’s"}
# A former office says nothing about who holds it now.
_FORMER = {"former", "ex", "then", "late"}


@lru_cache(maxsize=200_000)
def role_key(title: str | None, kb: KnowledgeBase | None = None) -> str | None:
    """The office a title names, comparable across wordings: "Secretary of Defense",
    "Defense Secretary" and "Minister of National Defense" are all ``defense_minister``.
    Titles not in roles.tsv keep their words ("Apple CEO" -> ``apple_ceo``), legal forms
    dropped ("Apple Inc. CEO" is the same)."""
    if not title:
        return None
    words = [w.strip(".,") for w in re.split(r"[\s\-]+", title.lower())]
    words = [w for w in words if w and w not in _ROLE_STOP and w not in org_suffixes()]
    if kb is not None:
        words = [w for w in words if kb.country_by_demonym(w.title()) is None]
    if not words or _FORMER & set(words):
        return None
    key = frozenset(words)
    role = _role_table().get(key) or "_".join(sorted(key))
    return None if role == "-" else role


def _role_words(role: str) -> frozenset[str]:
    return frozenset({role}) if role in _single_holder_roles() else frozenset(role.split("_"))


def _compatible_roles(a: str, b: str) -> bool:
    """One office in two wordings: "CEO" and "Apple CEO", "Apple Computer CEO"."""
    if a == b:
        return True
    wa, wb = _role_words(a), _role_words(b)
    return wa <= wb or wb <= wa


def _conflicting_roles(a: str, b: str) -> bool:
    """Two offices one person cannot hold at once. Only a single-holder office (roles.tsv)
    is such evidence: a business executive often carries two titles ("Executive Vice
    President" and "CEO" of a division), a foreign minister is not also spy chief."""
    if _compatible_roles(a, b):
        return False
    single = _single_holder_roles()
    return a in single or b in single


def _family_names(name: str) -> set[str]:
    """Family-name candidates: first or last word (Korean and Japanese names put it first)."""
    words = [w for w in re.split(r"[\s,]+", person_key(name)) if w]
    return {words[0], words[-1]} if words else set()


@dataclass
class Occurrence:
    """One sighting of an actor: in an event mention or among an article's names."""

    actor: ActorMention
    published: str | None
    article: str
    base: str = ""  # id before person refinement
    reason: str = ""

    @property
    def day(self) -> date | None:
        return date.fromisoformat(self.published[:10]) if self.published else None


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
    display: str | None = None  # set by a user's rename

    @property
    def name(self) -> str:
        if self.display:
            return self.display
        if self.kb_name:
            return self.kb_name
        # The spelling most reports use; ties go to the longer (fuller) form, then alphabetical.
        return sorted(self.names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]

    @property
    def country(self) -> str | None:
        if self.kb_country or self.kind != "person":
            return self.kb_country
        return self.countries.most_common(1)[0][0] if self.countries else None


@dataclass(frozen=True)
class Correction:
    """A user's decision about actors; applied after automatic resolution, so it survives
    re-ingest and re-analysis. ``value`` is the other actor (merge), the alias (split, alias)
    or the new name (rename)."""

    action: str  # merge | split | alias | rename
    actor_id: str
    value: str


def actor_key(actor: ActorMention, kb: KnowledgeBase) -> tuple[str, str]:
    """(base actor id, reason) from the mention alone, before person refinement."""
    if actor.kind is None:  # a place: its id from the analyser (gazetteer), else a name key
        return actor.kb_id or place_key(actor.name, actor.country), "place"
    if actor.kb_id:
        return actor.kb_id, "knowledge base"
    sector = _sector_key(actor)
    if sector is not None:
        return sector, f"{actor.sector} of {actor.country}, named by a common noun"
    return _name_key(actor.kind == "person", actor.name, kb)


def _sector_key(actor: ActorMention) -> str | None:
    """ "troops", "police", "the people in Ukraine": a common noun for a domestic actor, with
    the country the analyser gave it, is that country's sector ("PRK-military"), not one
    actor for every country's troops."""
    if actor.kind == "group" and actor.sector and actor.country and not actor.kb_id:
        return f"{actor.country}-{actor.sector}"
    return None


def fixed_fields(
    actor: ActorMention, kb: KnowledgeBase
) -> tuple[str, str | None, str | None] | None:
    """(name, country, sector) an actor takes from what it is rather than from how reports
    spell it: the knowledge base's, or a sector's ("Military (North Korea)"); None for an
    actor known only by its names."""
    if actor.kb_id:
        known = kb.lookup(actor.name)
        name = known.name if known and known.id == actor.kb_id else actor.name
        return name, actor.country, actor.sector
    if _sector_key(actor) is not None:
        assert actor.sector is not None and actor.country is not None
        country = kb.country(actor.country)
        where = country.name if country is not None else actor.country
        return f"{actor.sector.capitalize()} ({where})", actor.country, actor.sector
    return None


@lru_cache(maxsize=500_000)
def _name_key(is_person: bool, name: str, kb: KnowledgeBase) -> tuple[str, str]:
    if is_person:
        key = person_key(name)
        return f"person:{_slug(key)}", f"same name key {key!r}"
    known = kb.lookup(name)
    if known is not None:
        return known.id, "knowledge base"
    key = org_key(name)
    return f"org:{_slug(key)}", f"same name {key!r} (legal form ignored)"


def user_aliases(corrections: Sequence[Correction]) -> dict[str, str]:
    """Folded name -> actor id, of the user's alias corrections."""
    return {fold(c.value): c.actor_id for c in corrections if c.action == "alias"}


def first_key(
    actor: ActorMention, kb: KnowledgeBase, aliases: Mapping[str, str]
) -> tuple[str, str]:
    """An occurrence's (actor key, reason) before refinement: a user alias of its name or
    surface form wins over ``actor_key``."""
    forced = aliases.get(fold(actor.name)) or aliases.get(fold(actor.surface))
    return (forced, "user alias") if forced else actor_key(actor, kb)


def resolve_actors(
    mentions: list[EventMention],
    kb: KnowledgeBase,
    entities: Sequence[tuple[str, int, ActorMention, str | None]] = (),
    corrections: Sequence[Correction] = (),
    keys: Sequence[tuple[str, str]] | None = None,
) -> tuple[dict[str, ResolvedActor], dict[tuple[str, int], str], dict[tuple[str, int], str]]:
    """Canonical actors, and the actor id of each (mention id, actor position) and of each
    (article id, entity position). ``entities`` are all names seen, in events or not.
    ``keys``: each occurrence's (actor key, reason) before refinement, mentions' actors then
    entities, when the caller has them already (``incremental.occurrence_bases``)."""
    slots: list[tuple[str, tuple[str, int], Occurrence]] = []
    for m in mentions:
        for pos, actor in enumerate([*m.actors, *m.attributed_to]):
            slots.append(("m", (m.id, pos), Occurrence(actor, m.published, m.article)))
    for article_id, pos, actor, published in entities:
        slots.append(("e", (article_id, pos), Occurrence(actor, published, article_id)))
    occurrences = [o for _, _, o in slots]

    if keys is None:
        aliases = user_aliases(corrections)
        keys = [first_key(occ.actor, kb, aliases) for occ in occurrences]
    for occ, (base, reason) in zip(occurrences, keys, strict=True):
        occ.base, occ.reason = base, reason
    _correct_kinds(occurrences, kb)
    _resolve_org_forms([o for o in occurrences if o.actor.kind in ("organization", "igo")])
    final = _refine_people([o for o in occurrences if o.actor.kind == "person"], kb)
    for occ in occurrences:
        occ.base = final.get(id(occ), occ.base)
    _apply_corrections(occurrences, corrections)

    resolved: dict[str, ResolvedActor] = {}
    assignment: dict[tuple[str, int], str] = {}
    entity_ids: dict[tuple[str, int], str] = {}
    for kind, key, occ in slots:
        if occ.actor.kind is not None:  # places get an identity but are no actors
            _observe(resolved, occ, kb)
        (assignment if kind == "m" else entity_ids)[key] = occ.base
    for c in corrections:
        if c.action == "rename" and c.actor_id in resolved:
            resolved[c.actor_id].display = c.value
    # A person named with a title in one article and bare in another gets the country known.
    for occ in occurrences:
        if occ.base in resolved and not occ.actor.country:
            occ.actor.country = resolved[occ.base].country
    return resolved, assignment, entity_ids


@lru_cache(maxsize=200_000)
def _acronym(name: str) -> str | None:
    """ "GM", "U.S.A.F.", "SIA": the letters of an all-capitals short name."""
    letters = clean_alias(name).replace(".", "").replace("&", "")
    return letters if 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper() else None


_ACRONYM_SKIP = {"of", "the", "and", "for", "de"}


@lru_cache(maxsize=200_000)
def _short_form_of(short: str, long: str) -> bool:
    """ "GM" of "General Motors", "Ford" of "Ford Motor Company", "Northrop" of "Northrop
    Grumman": an acronym of the long name, or its leading words. A long name that is a
    conference, a building or another thing named after the organisation is no long form
    ("Apple Worldwide Developers Conference"); nor is a product with a number ("Airbus A380")."""
    acronym = _acronym(short)
    if acronym is not None:
        words = [w for w in re.split(r"[\s\-]+", clean_alias(long)) if w[:1].isalpha()]
        full = "".join(w[0] for w in words if w.lower() not in _ACRONYM_SKIP).upper()
        return len(words) > 1 and acronym in (initials(long), full)
    sk, lk = org_key(short).split(), org_key(long).split()
    if not sk or len(sk) >= len(lk) or lk[: len(sk)] != sk:
        return False
    extra = lk[len(sk) :]
    return all(w.isalpha() for w in extra) and not (set(extra) & _not_org_forms())


@lru_cache(maxsize=1)
def _not_org_forms() -> frozenset[str]:
    path = resources.files("wirewatch") / "data" / "names" / "not_org_forms.txt"
    lines = path.read_text("utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def _resolve_org_forms(orgs: list[Occurrence]) -> None:
    """One organisation under its full name, its acronym and its short form.

    Within an article, a short form ("GM", "Ford") that fits exactly one longer name of the
    same article ("General Motors", "Ford Motor Company") pairs with it. A short form is
    then that organisation across the corpus when most articles that pair it pair it with
    the same long name (and more than one does, when it pairs with several): "Ford" beside
    "Ford Motor Company" in five articles and "Ford Australia" in one is Ford Motor Company.
    A short form that pairs with several names equally often ("Chrysler Group", "Chrysler
    Aspen") stays apart."""
    by_article: dict[str, list[Occurrence]] = defaultdict(list)
    for occ in orgs:
        by_article[occ.article].append(occ)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for group in by_article.values():
        longs = {o.base: o.actor.name for o in group if " " in clean_alias(o.actor.name)}
        paired: set[str] = set()
        for occ in group:
            # "Singapore Airlines (SIA)": the analyser gave the acronym its full name.
            acronym = _acronym(occ.actor.surface)
            if acronym and " " in clean_alias(occ.actor.name):
                short = f"org:{_slug(org_key(acronym))}"
                if short not in paired:
                    paired.add(short)
                    votes[short][occ.base] += 1
            if occ.actor.kb_id or occ.base in paired:
                continue
            paired.add(occ.base)
            fits = {b for b, name in longs.items() if b != occ.base
                    and _short_form_of(occ.actor.name, name)}  # fmt: skip
            if len(fits) == 1:
                votes[occ.base][next(iter(fits))] += 1
    find, how = union_short_forms(votes, Counter(o.base for o in orgs))
    for occ in orgs:
        target = find(occ.base)
        if target != occ.base:
            occ.reason = how.get(occ.base, f"same organisation as {target}")
            occ.base = target


def short_form_target(counter: Mapping[str, int]) -> tuple[str, int] | None:
    """The long name a short form's votes merge it with, and its votes; None when they do
    not: most of its pairings must agree, and more than one when it pairs with several."""
    if not counter:
        return None
    (target, n), total = Counter(counter).most_common(1)[0], sum(counter.values())
    if 2 * n <= total or (len(counter) > 1 and n < 2):
        return None
    return target, n


def union_short_forms(
    votes: Mapping[str, Mapping[str, int]], sizes: Mapping[str, int]
) -> tuple[Callable[[str], str], dict[str, str]]:
    """Union-find over bases, short form to the long name its votes pick: a knowledge-base
    id keeps its id, else the best-attested base (``sizes``) names the union. Returns the
    root of a base and the reason each merged base was attached."""
    size = Counter(sizes)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    how: dict[str, str] = {}
    for short, counter in sorted(votes.items()):
        picked = short_form_target(counter)
        if picked is None:
            continue
        target, n = picked
        a, b = find(short), find(target)
        if a != b:
            keep, drop = sorted((a, b), key=lambda x: (x.startswith("org:"), -size[x], x))
            parent[drop] = keep
            size[keep] += size[drop]
            how[short] = f"short form of {target} (named together in {n} article(s))"
            how[target] = f"full name of {short} (named together in {n} article(s))"
    return find, how


def _correct_kinds(occurrences: list[Occurrence], kb: KnowledgeBase) -> None:
    """The statistical model calls some organisations people ("Ryanair said", "Northrop
    Grumman"). A name tagged person that the corpus also names as an organisation, and that
    is a single word (no given name anywhere) or is tagged organisation at least as often,
    is the organisation."""
    as_org: Counter[str] = Counter()
    as_person: Counter[str] = Counter()
    for occ in occurrences:
        if occ.actor.kb_id is None and occ.reason != "user alias":
            if occ.actor.kind == "person":
                as_person[fold(occ.actor.name)] += 1
            elif occ.actor.kind in ("organization", "igo"):
                as_org[fold(occ.actor.name)] += 1
    for occ in occurrences:
        if occ.actor.kind != "person" or occ.actor.kb_id or occ.actor.title:
            continue
        key = fold(occ.actor.name)
        if as_org[key] and (" " not in key or as_org[key] >= as_person[key]):
            occ.actor.kind = "organization"
            occ.base, _ = _name_key(False, occ.actor.name, kb)
            occ.reason = "named as an organisation elsewhere in the corpus"


@dataclass
class _Person:
    """One candidate person while refining: occurrences that so far belong together."""

    id: str
    occurrences: list[Occurrence] = field(default_factory=list)
    # role -> (first day, last day) it was seen
    roles: dict[str, tuple[date, date]] = field(default_factory=dict)
    countries: Counter[str] = field(default_factory=Counter)

    def add(self, occ: Occurrence, role: str | None) -> None:
        self.occurrences.append(occ)
        if occ.actor.country:
            self.countries[occ.actor.country] += 1
        day = occ.day
        if role and day:
            first, last = self.roles.get(role, (day, day))
            self.roles[role] = (min(first, day), max(last, day))

    @property
    def country(self) -> str | None:
        return self.countries.most_common(1)[0][0] if self.countries else None


def _refine_people(people: list[Occurrence], kb: KnowledgeBase) -> dict[int, str]:
    """Steps 2 and 3 of the module docstring; returns occurrence -> final id where it changed."""
    by_key: dict[str, list[Occurrence]] = defaultdict(list)
    for occ in people:
        by_key[occ.base].append(occ)
    persons: list[_Person] = []
    for base, group in sorted(by_key.items()):
        persons.extend(_split_by_office(base, group, kb))
    merged = _merge_office_holders(persons)
    result: dict[int, str] = {}
    for person in persons:
        target = merged.get(person.id, person.id)
        for occ in person.occurrences:
            if target != occ.base:
                if target != person.id:
                    occ.reason = merged_reason(person, target)
                else:
                    occ.reason = f"same name as {occ.base} but another office at the same time"
                result[id(occ)] = target
    return result


def _overlap(a: tuple[date, date], b: tuple[date, date], slack: int = SAME_OFFICE_DAYS) -> bool:
    return (a[0] - b[1]).days <= slack and (b[0] - a[1]).days <= slack


def _split_by_office(base: str, group: list[Occurrence], kb: KnowledgeBase) -> list[_Person]:
    """Occurrences of one name key holding different offices at the same time are different
    people; untitled occurrences join the office seen in their own article, else the most
    frequent one."""
    roles = [role_key(o.actor.title, kb) for o in group]
    by_role: dict[str, _Person] = {}
    for occ, role in zip(group, roles, strict=True):
        if role:
            by_role.setdefault(role, _Person(base)).add(occ, role)
    if len(by_role) <= 1:
        person = _Person(base)
        for occ, role in zip(group, roles, strict=True):
            person.add(occ, role)
        return [person]
    # Offices that never overlap in time may be one career: keep those together.
    clusters: list[list[str]] = []
    for role in sorted(by_role, key=lambda r: -len(by_role[r].occurrences)):
        span = by_role[role].roles[role] if by_role[role].roles else None
        home = None
        for cluster in clusters:
            if span is None or all(
                not _conflicting_roles(role, r)
                or not _overlap(span, by_role[r].roles[r], CONCURRENT_OFFICE_DAYS)
                for r in cluster
                if by_role[r].roles
            ):
                home = cluster
                break
        if home is None:
            clusters.append([role])
        else:
            home.append(role)
    persons = []
    for n, cluster in enumerate(clusters):
        pid = base if n == 0 else f"{base}~{_slug(cluster[0])}"
        person = _Person(pid)
        for role in cluster:
            for occ in by_role[role].occurrences:
                person.add(occ, role)
        persons.append(person)
    untitled = [o for o, r in zip(group, roles, strict=True) if not r]
    by_article: dict[str, _Person] = {}
    for person in persons:
        for o in person.occurrences:
            by_article.setdefault(o.article, person)
    largest = max(persons, key=lambda p: len(p.occurrences))
    for occ in untitled:
        by_article.get(occ.article, largest).add(occ, None)
    return persons


def _merge_office_holders(persons: list[_Person]) -> dict[str, str]:
    """person id -> the id of the person it merges into (union-find over office holders)."""
    parent = {p.id: p.id for p in persons}
    size = {p.id: len(p.occurrences) for p in persons}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Only people sharing a family name and holding a single-holder office can merge: index
    # them by family name instead of comparing every pair (pairs keep their old order).
    single = _single_holder_roles()
    by_family: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(persons):
        if any(r in single for r in p.roles):
            for n in {n for o in p.occurrences for n in _family_names(o.actor.name)}:
                by_family[n].append(i)
    pairs = {(i, j) for idx in by_family.values() for k, i in enumerate(idx) for j in idx[k + 1 :]}
    for i, j in sorted(pairs):
        a, b = persons[i], persons[j]
        if a.country and b.country and a.country != b.country:
            continue
        shared = [
            r for r in a.roles.keys() & b.roles.keys()
            if r in single and _overlap(a.roles[r], b.roles[r])
        ]  # fmt: skip
        # An office names one holder only with its country: both unknown is too weak.
        if not shared or not (a.country or b.country):
            continue
        ra, rb = find(a.id), find(b.id)
        if ra != rb:
            # The better-attested person keeps the id; ties go to the smaller id.
            keep, drop = sorted((ra, rb), key=lambda x: (-size[x], x))
            parent[drop] = keep
            size[keep] += size[drop]
    return {pid: find(pid) for pid in parent if find(pid) != pid}


def merged_reason(person: _Person, target: str) -> str:
    roles = ", ".join(sorted(person.roles)) or "office"
    return f"same family name and office ({roles}) at the same time as {target}"


def _apply_corrections(
    occurrences: Iterable[Occurrence], corrections: Sequence[Correction]
) -> None:
    for c in corrections:
        if c.action == "merge":  # value is absorbed into actor_id
            for occ in occurrences:
                if occ.base == c.value:
                    occ.base, occ.reason = c.actor_id, f"user merge of {c.value}"
        elif c.action == "split":  # occurrences spelled `value` leave actor_id
            for occ in occurrences:
                if occ.base == c.actor_id and fold(clean_alias(occ.actor.surface)) == fold(c.value):
                    occ.base = f"{c.actor_id}~{_slug(c.value)}"
                    occ.reason = f"user split from {c.actor_id}"


def _observe(resolved: dict[str, ResolvedActor], occ: Occurrence, kb: KnowledgeBase) -> None:
    """Attach one occurrence to its canonical actor (creating it)."""
    actor = occ.actor
    actor.id = occ.base
    entry = resolved.get(occ.base)
    if entry is None:
        entry = ResolvedActor(occ.base, actor.kind or "organization")
        fixed = fixed_fields(actor, kb)
        if fixed is not None:
            entry.kb_name, entry.kb_country, entry.sector = fixed
        resolved[occ.base] = entry
    entry.names[actor.name] += 1
    alias = clean_alias(actor.surface)
    reason = occ.reason
    if actor.kind == "person" and " " not in alias and fold(alias) != fold(actor.name):
        # "Cho said": the analyser gave a lone surname the full name used earlier.
        reason = f"surname of {actor.name}, named in full earlier in the article; {reason}"
    entry.aliases.setdefault(alias, reason)
    if actor.country:
        entry.countries[actor.country] += 1
    if actor.title and occ.published:
        day = occ.published[:10]
        seen = entry.titles.setdefault(actor.title, [day, day])
        seen[0], seen[1] = min(seen[0], day), max(seen[1], day)


def actor_rows(resolved: dict[str, ResolvedActor]) -> tuple[list[dict], list[dict], list[dict]]:
    actors: list[dict[str, Any]] = []
    aliases: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
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


__all__ = [
    "Correction", "ResolvedActor", "actor_key", "actor_rows", "fixed_fields", "resolve_actors",
    "role_key",
]  # fmt: skip
