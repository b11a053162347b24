"""Actor knowledge base: countries, named organizations, generic bodies and places.

The data lives in TSV files under ``wirewatch/data/actors`` (see the README there) so that
users can read and extend it without touching code; this module only indexes it. Every
lookup folds the surface form (:func:`fold`) and then does a handful of dict hits, so the
linker can call it for every entity mention.

Matching rules worth knowing:

* Short all-caps aliases (at most three letters, dots ignored: ``US``, ``U.S.``, ``UK``,
  ``ROK``, ``WHO``, ``IS``) match only a surface written in capitals, so the pronoun "us",
  "who" or "is" never becomes an actor. Longer aliases match in any case (``Nato``).
* Lookups are whole-string: "USB" is not "US". The caller decides the span.
* Aliases shared by several organizations (``Joint Chiefs of Staff``, ``NSC``,
  ``Treasury``) resolve only when a country qualifies them ("South Korea's Joint Chiefs of
  Staff"); alone they are ambiguous and return None.
* Country aliases are unique across countries (a test enforces it). Known ambiguities are
  resolved towards international news usage: "Korea" is South Korea, "Congo" is the
  Republic of the Congo (ISO's short name; "DR Congo"/"DRC" is COD), "Georgia" is the
  country, "Chad" and "Jordan" are countries even though they are also first names. The
  caller, which sees the entity type, must keep PERSON spans away from :meth:`lookup`.
* "the North"/"the South" are not aliases: they need discourse context.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["KnownActor", "KnowledgeBase", "Place", "fold"]

ENV_VAR = "WIREWATCH_KB"
FILES = ("countries.tsv", "organizations.tsv", "bodies.tsv", "places.tsv")

# Known misspellings, folded typo -> folded correct form, applied before any lookup.
# Deliberately empty: typo tolerance belongs to the fuzzy matcher (a later issue); add an
# entry here only for a misspelling that recurs in real sources (e.g. "north norea").
TYPOS: dict[str, str] = {}

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
    }
)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_/]+")
_EDGE_PUNCT = "\"'()[]{},;:!?*"
_THE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:'[sS]|(?<=[sS])')$")
_BODY_ID = re.compile(r"^([A-Z]{3})-([a-z_]+)$")
# "the Foreign Ministry in Seoul"; "of" also takes full names ("Ministry of Defense of Ukraine").
_SUFFIX_LINKS = ("of", "in")
# Bodies abroad by nature: "the embassy in Seoul" is a foreign embassy, not South Korea's.
_ABROAD = frozenset({"embassy", "consulate", "un_mission"})
# Bodies whose building or seat names the government: "the Kremlin said", "the Pentagon".
_SEATS = frozenset(
    {
        "presidential_office",
        "prime_minister_office",
        "government",
        "defense_ministry",
        "foreign_ministry",
    }
)


@dataclass(frozen=True)
class KnownActor:
    """A country, named organization, IGO, group, or a country's generic body."""

    id: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """A location an event happened in, with the country it belongs to (None for seas).

    ``id`` is its identity across articles once the analyser has resolved it: a country's
    ISO code, ``place:<GeoNames id>`` for a place the gazetteer knows, else a name key
    (``place:usa-camp-david``); it takes no part in comparisons."""

    name: str
    country: str | None
    id: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class _PlaceRow:
    place: Place
    is_capital: bool
    metonym: str | None


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text  # nothing to strip, and most names in English news are ASCII
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)  # recompose Hangul and the like


@lru_cache(maxsize=500_000)
def _normalise(surface: str) -> str:
    """Everything :func:`fold` does except casefolding, so case can still be checked."""
    text = _strip_accents(unicodedata.normalize("NFKC", surface).translate(_QUOTES))
    text = text.replace(".", "")
    text = _SEPARATORS.sub(" ", text).strip(" " + _EDGE_PUNCT)
    text = _POSSESSIVE.sub("", text).strip(" " + _EDGE_PUNCT)
    text = _THE.sub("", text)
    return text.strip()


@lru_cache(maxsize=500_000)
def fold(surface: str) -> str:
    """Matching key: one spelling for "the U.S.'s", "US", "u.s."; "N. Korea" is "n korea".

    NFKC, accents dropped, curly quotes straightened, dots removed, hyphens and whitespace
    collapsed to one space, a trailing possessive and a leading "the" stripped, casefolded.
    """
    key = _normalise(surface).casefold()
    return TYPOS.get(key, key)


def _needs_upper(alias: str) -> bool:
    """Short all-caps aliases ("US", "U.S.", "WHO") must be written in capitals to match."""
    letters = [c for c in alias if c.isalpha()]
    return 0 < len(letters) <= 3 and all(c.isupper() for c in letters)


def _is_upper(raw: str) -> bool:
    letters = [c for c in raw if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def _read_tsv(source: Traversable | Path) -> Iterator[dict[str, str]]:
    """Rows as dicts keyed by the header, so optional columns may be left out."""
    header: list[str] | None = None
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        cells += [""] * (len(header) - len(cells))
        yield dict(zip(header, cells, strict=False))


class KnowledgeBase:
    """Folded-alias indexes over the actor TSV files; build with :meth:`load`."""

    def __init__(self) -> None:
        self._actors: dict[str, KnownActor] = {}
        self._countries: dict[str, dict[str, str]] = {}  # iso3 -> row
        self._orgs: dict[str, dict[str, str]] = {}  # id -> row
        self._body_rows: dict[str, dict[str, str]] = {}  # body -> row
        self._place_rows: dict[str, dict[str, str]] = {}  # folded name -> row
        # folded alias -> {actor id: needs_upper}
        self._country_keys: dict[str, dict[str, bool]] = {}
        self._org_keys: dict[str, dict[str, bool]] = {}
        self._body_keys: dict[str, dict[str, bool]] = {}
        self._demonyms: dict[str, str] = {}
        self._places: dict[str, tuple[_PlaceRow, bool]] = {}
        self._body_orgs: dict[tuple[str, str], str] = {}
        self._body_info: dict[str, tuple[str | None, str]] = {}
        self._body_cache: dict[tuple[str, str], KnownActor | None] = {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, extra_dirs: Sequence[Path] = ()) -> KnowledgeBase:
        """Package data first, then each extra dir's files of the same names.

        A row in a later file replaces the row with the same key (iso3, id, body, place
        name) in an earlier one; new keys add rows. Missing files are skipped.
        """
        kb = cls()
        sources: list[Traversable | Path] = [files("wirewatch") / "data" / "actors"]
        sources += [Path(d) for d in extra_dirs]
        for source in sources:
            for name in FILES:
                path = source / name
                if path.is_file():
                    kb._ingest(name, path)
        kb._index()
        kb._memoise()
        return kb

    def _memoise(self) -> None:
        """The KB is read-only once indexed, and news repeats names: remember answers per
        surface string (the analyser asks about every capitalised n-gram)."""
        for name in ("lookup", "lookup_fuzzy", "country_by_demonym", "place", "metonym", "body"):
            setattr(self, name, lru_cache(maxsize=200_000)(getattr(self, name)))

    @classmethod
    def default(cls) -> KnowledgeBase:
        """The shared instance: package data plus the dirs in $WIREWATCH_KB, loaded once."""
        env = os.environ.get(ENV_VAR, "")
        kb = _DEFAULTS.get(env)
        if kb is None:
            dirs = [Path(d) for d in env.split(os.pathsep) if d.strip()]
            kb = _DEFAULTS[env] = cls.load(dirs)
        return kb

    def _ingest(self, name: str, path: Traversable | Path) -> None:
        for row in _read_tsv(path):
            if name == "countries.tsv" and row.get("iso3"):
                self._countries[row["iso3"].upper()] = row
            elif name == "organizations.tsv" and row.get("id"):
                self._orgs[row["id"]] = row
            elif name == "bodies.tsv" and row.get("body"):
                self._body_rows[row["body"]] = row
            elif name == "places.tsv" and row.get("name"):
                self._place_rows[fold(row["name"])] = row

    def _index(self) -> None:
        for iso3, row in self._countries.items():
            names = [row.get("name") or iso3, *_split(row.get("aliases"))]
            self._actors[iso3] = KnownActor(
                iso3, names[0], "country", iso3, None, tuple(dict.fromkeys(names))
            )
            self._add_keys(self._country_keys, iso3, names)
            for demonym in _split(row.get("demonyms")):
                self._demonyms.setdefault(fold(demonym), iso3)
        for org_id, row in self._orgs.items():
            names = [row.get("name") or org_id, *_split(row.get("aliases"))]
            country = (row.get("country") or "").upper() or None
            self._actors.setdefault(
                org_id,
                KnownActor(
                    org_id,
                    names[0],
                    row.get("kind") or "organization",
                    country,
                    row.get("sector") or None,
                    tuple(dict.fromkeys(names)),
                ),
            )
            self._add_keys(self._org_keys, org_id, names)
            if country and row.get("body"):
                self._body_orgs[(country, row["body"])] = org_id
        for body, row in self._body_rows.items():
            aliases = _split(row.get("aliases")) or [body.replace("_", " ")]
            self._body_info[body] = (row.get("sector") or None, aliases[0])
            self._add_keys(self._body_keys, body, aliases)
        self._index_places()

    def _index_places(self) -> None:
        # Countries first, so explicit places win on a shared name ("Djibouti", "Singapore").
        for iso3 in self._countries:
            actor = self._actors[iso3]
            for alias in actor.aliases:
                self._places[fold(alias)] = (
                    _PlaceRow(Place(actor.name, iso3), False, None),
                    _needs_upper(alias),
                )
        capitals = {(row.get("capital") or "", iso3) for iso3, row in self._countries.items()}
        for capital, iso3 in sorted(capitals):
            if capital and fold(capital) not in self._place_rows:
                self._place_rows[fold(capital)] = {
                    "name": capital,
                    "country": iso3,
                    "is_capital": "1",
                }
        for row in self._place_rows.values():
            country = (row.get("country") or "").upper() or None
            entry = _PlaceRow(
                Place(row["name"], country),
                (row.get("is_capital") or "").strip().lower() in ("1", "true", "yes"),
                row.get("metonym") or None,
            )
            for alias in [row["name"], *_split(row.get("aliases"))]:
                self._places[fold(alias)] = (entry, _needs_upper(alias))

    @staticmethod
    def _add_keys(index: dict[str, dict[str, bool]], target: str, aliases: list[str]) -> None:
        for alias in aliases:
            key = fold(alias)
            if not key:
                continue
            ids = index.setdefault(key, {})
            ids[target] = ids.get(target, True) and _needs_upper(alias)

    # ------------------------------------------------------------------ public API
    def lookup(self, surface: str) -> KnownActor | None:
        """Country, organization or IGO by name or alias, or a country's body by pattern."""
        raw = _normalise(surface)
        if not raw:
            return None
        tokens, keys = raw.split(" "), fold(surface).split(" ")
        if len(tokens) != len(keys):  # a TYPOS entry changed the words: case is lost
            tokens = keys
        return self._resolve(tokens, keys, depth=0)

    def lookup_fuzzy(self, surface: str, min_score: float = 90.0) -> KnownActor | None:
        """A country whose multi-word name or alias is one typo away ("North Norea",
        "Unites States"), or a one-word name of five letters or more one edit away
        ("Ethopia"). Short names are too easy to hit by chance ("Niger"/"Nigeria"), and only
        one clear best match counts."""
        from rapidfuzz import fuzz, process

        key = fold(surface)
        if " " not in key:
            return self._one_word_typo(surface, key)
        if len(key) < 8:
            return None
        if not hasattr(self, "_fuzzy_keys"):
            self._fuzzy_keys = sorted(k for k in self._country_keys if " " in k and len(k) >= 8)
        found = process.extract(key, self._fuzzy_keys, scorer=fuzz.ratio, limit=2)
        if not found or found[0][1] < min_score or found[0][1] == 100:
            return None
        if len(found) > 1 and found[1][1] >= found[0][1] - 3:
            candidates = {self._pick(self._country_keys.get(k), k)[0] for k, _, _ in found[:2]}
            if len(candidates) > 1:
                return None
        iso3 = next(iter(self._country_keys[found[0][0]]))
        return self.country(iso3)

    def _one_word_typo(self, surface: str, key: str) -> KnownActor | None:
        """ "Ethopia", "Quatar", "Phillipines": one letter added, dropped, changed or swapped
        in a capitalised one-word country name of five letters or more, with the first letter
        kept, when only one country is that close."""
        from rapidfuzz.distance import DamerauLevenshtein

        if len(key) < 5 or not key.isalpha() or not surface.strip()[:1].isupper():
            return None
        if not hasattr(self, "_one_word_keys"):
            self._one_word_keys = sorted(
                k for k in self._country_keys if " " not in k and len(k) >= 4 and k.isalpha()
            )
        close = {
            iso3
            for k in self._one_word_keys
            if k[0] == key[0] and abs(len(k) - len(key)) <= 1
            and DamerauLevenshtein.distance(k, key, score_cutoff=1) == 1
            for iso3 in self._pick(self._country_keys.get(k), k)
        }  # fmt: skip
        return self.country(next(iter(close))) if len(close) == 1 else None

    def country_by_demonym(self, word: str) -> KnownActor | None:
        """ "South Korean" -> KOR, "Britons" -> GBR (plural s tolerated)."""
        key = fold(word)
        iso3 = self._demonyms.get(key)
        if iso3 is None and key.endswith("s"):
            iso3 = self._demonyms.get(key[:-1])
        return self._actors.get(iso3) if iso3 else None

    def place(self, surface: str) -> Place | None:
        """City, region or country as a location; "Kyiv, Ukraine" and "Russia's Kursk" work."""
        raw = _normalise(surface)
        if not raw:
            return None
        hit = self._place_entry(raw, fold(surface))
        if hit is not None:
            return hit.place
        if "," in raw:
            first, _, rest = raw.partition(",")
            if not rest.strip()[:1].isupper():
                return None  # "France, 3,700 in Germany": a list, not "Kyiv, Ukraine"
            where = self._place_entry(rest.strip(), fold(rest))
            country = where.place.country if where else None
            here = self._place_entry(first.strip(), fold(first))
            # "Kyiv, Ukraine"; not "San Francisco, Apple CEO ...": the rest must be a place
            if here is not None and where is not None and here.place.country in (None, country):
                return here.place
            if here is None and country is not None and first.strip():
                return Place(first.strip(), country)

        tokens, keys = raw.split(" "), fold(surface).split(" ")
        for i, token in enumerate(keys[:-1]):
            if _POSSESSIVE.search(token):
                owner = self._head_country(
                    [*tokens[:i], _POSSESSIVE.sub("", tokens[i])],
                    [*keys[:i], _POSSESSIVE.sub("", keys[i])],
                )
                inner = self._place_entry(" ".join(tokens[i + 1 :]), " ".join(keys[i + 1 :]))
                # "Russia's Kursk"; not "Ford's North American", whose owner is no country
                if inner is not None and owner is not None and owner == inner.place.country:
                    return inner.place
        return None

    def metonym(self, surface: str) -> KnownActor | None:
        """A place or building named for its government: "Seoul", "Washington", "Kremlin".

        Capitals give their country; places with an explicit metonym column give that
        actor ("Langley" -> USA-CIA, "Brussels" -> EU); organizations that stand for a
        government body ("the Kremlin", "the Pentagon") give the organization itself.
        """
        raw = _normalise(surface)
        if not raw:
            return None
        hit = self._place_entry(raw, fold(surface))
        if hit is not None:
            if hit.metonym:
                return self.actor(hit.metonym)
            if hit.is_capital and hit.place.country:
                return self._actors.get(hit.place.country)
            return None
        actor = self.lookup(surface)
        if actor is not None and self._orgs.get(actor.id, {}).get("body") in _SEATS:
            return actor
        return None

    def body(self, surface: str) -> str | None:
        """The generic body an unqualified word names: "administration" -> ``government``."""
        raw = _normalise(surface)
        found = self._pick(self._body_keys.get(fold(surface)), raw) if raw else []
        return found[0] if len(found) == 1 else None

    def country(self, iso3: str) -> KnownActor | None:
        """The country actor for an ISO alpha-3 code, any case."""
        actor = self._actors.get(iso3.upper())
        return actor if actor is not None and actor.kind == "country" else None

    def actor(self, actor_id: str) -> KnownActor | None:
        """Any actor by id, including generic bodies such as "KOR-foreign_ministry"."""
        if actor_id in self._actors:
            return self._actors[actor_id]
        match = _BODY_ID.match(actor_id)
        return self._body_actor(match[1], match[2]) if match else None

    def countries(self) -> list[KnownActor]:
        """All country actors, sorted by ISO code (for exports and tests)."""
        return [self._actors[iso3] for iso3 in sorted(self._countries)]

    def organizations(self) -> list[KnownActor]:
        """All named organizations, IGOs and groups from organizations.tsv."""
        return [self._actors[org_id] for org_id in self._orgs]

    def places(self) -> list[Place]:
        """All explicit places (places.tsv and capitals), not the country-as-place entries."""
        return [
            Place(r["name"], (r.get("country") or "").upper() or None)
            for r in self._place_rows.values()
        ]

    # ------------------------------------------------------------------ resolution
    @staticmethod
    def _pick(candidates: dict[str, bool] | None, raw: str) -> list[str]:
        if not candidates:
            return []
        upper = _is_upper(raw)
        return [i for i, needs_upper in candidates.items() if upper or not needs_upper]

    def _direct(self, raw: str, key: str, country: str | None = None) -> KnownActor | None:
        """A country or organization named by the whole string, optionally of one country."""
        for iso3 in self._pick(self._country_keys.get(key), raw):
            if country in (None, iso3):
                return self._actors[iso3]
        orgs = [self._actors[i] for i in self._pick(self._org_keys.get(key), raw)]
        if country is not None:
            orgs = [o for o in orgs if o.country == country]
        return orgs[0] if len(orgs) == 1 else None

    def _resolve(self, tokens: list[str], keys: list[str], depth: int) -> KnownActor | None:
        hit = self._direct(" ".join(tokens), " ".join(keys))
        if hit is not None or depth > 2 or len(keys) < 2:
            return hit
        n = len(keys)
        # "South Korea's Foreign Ministry", "NATO's North Atlantic Council"
        for i in range(n - 1):
            if _POSSESSIVE.search(keys[i]):
                head_t = [*tokens[:i], _POSSESSIVE.sub("", tokens[i])]
                head_k = [*keys[:i], _POSSESSIVE.sub("", keys[i])]
                owner = self._head_country(head_t, head_k)
                if owner is None:
                    head = self._resolve(head_t, head_k, depth + 1)
                    owner = head.country if head is not None else None
                hit = self._tail(tokens[i + 1 :], keys[i + 1 :], owner)
                if hit is not None:
                    return hit
        # "the South Korean Foreign Ministry", "Russian forces", "U.S. Department of Defense"
        for i in range(1, n):
            owner = self._head_country(tokens[:i], keys[:i])
            if owner is not None:
                hit = self._tail(tokens[i:], keys[i:], owner)
                if hit is not None:
                    return hit
        # "the Ministry of Foreign Affairs of the Republic of Korea", "Foreign Ministry in Seoul"
        for j in range(1, n - 1):
            if keys[j] in _SUFFIX_LINKS:
                owner = self._head_country(tokens[j + 1 :], keys[j + 1 :], demonyms=False)
                if owner is None:
                    continue
                hit = self._tail(tokens[:j], keys[:j], owner, at_home=keys[j] == "in")
                if hit is not None:
                    return hit
        return None

    def _head_country(
        self, tokens: list[str], keys: list[str], demonyms: bool = True
    ) -> str | None:
        """ISO code of a qualifier: a country name, a demonym, or a capital ("Seoul's")."""
        raw, key = " ".join(tokens), " ".join(keys)
        if key.startswith("the "):
            raw, key = raw[4:], key[4:]
        picked = self._pick(self._country_keys.get(key), raw)
        if picked:
            return picked[0]
        if demonyms and key in self._demonyms:  # not after "of": "the suffering of the Ukrainian"
            return self._demonyms[key]
        hit = self._place_entry(raw, key)
        return hit.place.country if hit is not None and hit.is_capital else None

    def _tail(
        self, tokens: list[str], keys: list[str], country: str | None, at_home: bool = False
    ) -> KnownActor | None:
        """What a qualified phrase names: an organization of that country, or its body."""
        raw, key = " ".join(tokens), " ".join(keys)
        hit = self._direct(raw, key, country) if country else None
        if hit is None:
            # Country-less organizations only ("NATO's North Atlantic Council").
            hit = self._direct(raw, key)
            if hit is not None and hit.country not in (None, country):
                hit = None
        if hit is not None:
            return hit if hit.kind != "country" else None
        if country is None:
            return None
        bodies = self._pick(self._body_keys.get(key), raw)
        if bodies and not (at_home and bodies[0] in _ABROAD):
            return self._body_actor(country, bodies[0])
        if "in" in keys[1:]:  # "embassy in Seoul" after "the US": the location is not the owner
            j = keys.index("in", 1)
            return self._tail(tokens[:j], keys[:j], country) if j else None
        return None

    def _body_actor(self, iso3: str, body: str) -> KnownActor | None:
        cache_key = (iso3, body)
        if cache_key not in self._body_cache:
            self._body_cache[cache_key] = self._make_body(iso3, body)
        return self._body_cache[cache_key]

    def _make_body(self, iso3: str, body: str) -> KnownActor | None:
        org_id = self._body_orgs.get((iso3, body))
        if org_id is not None:
            return self._actors[org_id]
        country = self.country(iso3)
        if country is None or body not in self._body_info:
            return None
        sector, label = self._body_info[body]
        return KnownActor(
            f"{iso3}-{body}", f"{country.name} {label}", "organization", iso3, sector, ()
        )

    def _place_entry(self, raw: str, key: str) -> _PlaceRow | None:
        hit = self._places.get(key)
        if hit is None:
            return None
        entry, needs_upper = hit
        return entry if not needs_upper or _is_upper(raw) else None


_DEFAULTS: dict[str, KnowledgeBase] = {}
