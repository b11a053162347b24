"""Person-name keys: two spellings of one name get the same key.

The key folds what news spelling varies without changing who is meant: case, accents,
hyphens in Korean given names ("Kim Yong-hyun" / "Kim Yong Hyun"), middle initials and
suffixes ("Lloyd J. Austin III"), common nicknames ("Tony Blinken"), romanisation
variants of given-name syllables and of family names ("Yi"/"Lee"/"Rhee") listed in
``data/names``. It never uses string similarity: "Cho Tae-yong" and
"Cho Tae-yul" are different people unless a role and a date say otherwise (a later stage).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from importlib import resources

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}
_TITLES = {"mr", "mrs", "ms", "dr", "sir", "dame", "gen", "lt", "col", "adm", "prof"}


def _table(name: str) -> dict[str, str]:
    path = resources.files("wirewatch") / "data" / "names" / name
    rows = [ln for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    reader = csv.reader(rows[1:], delimiter="\t")
    return {r[0].strip().lower(): r[1].strip().lower() for r in reader if len(r) >= 2}


def _words(name: str) -> frozenset[str]:
    path = resources.files("wirewatch") / "data" / "names" / name
    lines = path.read_text("utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def meeting_words() -> frozenset[str]:
    """Last words that make a name a meeting's, not an organisation's ("Summit", "Talks")."""
    return _words("meeting_words.txt")


@lru_cache(maxsize=1)
def title_words() -> frozenset[str]:
    return _words("titles.txt")


@lru_cache(maxsize=1)
def org_suffixes() -> frozenset[str]:
    """Legal-form words ("Inc", "Corp") that do not change which organisation is meant."""
    return _words("org_suffixes.txt")


_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    return _table("spellings.tsv")


@lru_cache(maxsize=500_000)
def org_key(name: str) -> str:
    """Matching key of an organisation: "The Apple Inc." -> "apple"; "Ford Motor Co." and
    "Ford Motor Company" -> "ford motor" (a last word's plural s folded: "Ford Motors" too)."""
    text = _DOTTED.sub(lambda m: m[0].replace(".", ""), _ascii(name))  # "N.V." -> "NV"
    text = text.lower().replace(".", " ")
    words = [w.strip("\"'()[]{};:!?") for w in re.split(r"[\s,]+", text)]
    words = [_spellings().get(w, w) for w in words if w]
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in org_suffixes():
        words.pop()
    # "General Motors" / "General Motor", "Ford Motors" / "Ford Motor": one name.
    if (
        len(words) > 1
        and len(words[-1]) > 3
        and words[-1].endswith("s")
        and not (words[-1].endswith("ss"))
    ):
        words[-1] = words[-1][:-1]
    return " ".join(words)


@lru_cache(maxsize=500_000)
def initials(name: str) -> str:
    """ "General Motors" -> "GM"; "North Atlantic Treaty Organization" -> "NATO"."""
    skip = {"of", "the", "and", "for", "de", "&"}
    words = [w for w in re.split(r"[\s\-]+", org_key(name)) if w and w not in skip]
    return "".join(w[0] for w in words).upper()


@lru_cache(maxsize=1)
def _nicknames() -> dict[str, str]:
    return _table("nicknames.tsv")


@lru_cache(maxsize=1)
def _family_names() -> dict[str, str]:
    return _table("family_names.tsv")


@lru_cache(maxsize=1)
def _syllables() -> dict[str, str]:
    return _table("romanisation.tsv")


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=500_000)
def person_key(name: str) -> str:
    """The matching key of a person's name: ``"Lloyd J. Austin III"`` -> ``"austin lloyd"``."""
    text = _ascii(name).lower().replace("’", "'")
    text = re.sub(r"'s$", "", text)
    words = [w for w in re.split(r"[\s,]+", text.replace(".", " ")) if w]
    words = [w for w in words if w not in _SUFFIXES and w not in _TITLES]
    # "CEO Steve Jobs", "Alan Mulally, CEO": office words around a name are not the name.
    while len(words) > 2 and words[0] in title_words():
        words.pop(0)
    while len(words) > 2 and words[-1] in title_words():
        words.pop()
    if len(words) > 2:
        words = [words[0]] + [w for w in words[1:-1] if len(w) > 1] + [words[-1]]
    if not words:
        return ""
    if len(words) > 1:  # "Yi Jae-myung" / "Lee Jae-myung": family names first or last
        family = _family_names()
        words[0], words[-1] = family.get(words[0], words[0]), family.get(words[-1], words[-1])
    first = _nicknames().get(words[0], words[0]) if len(words) > 1 else words[0]
    # Everything after the first word is joined: Korean given names come hyphenated, spaced or
    # run together ("Yong-hyun", "Yong Hyun", "Yonghyun").
    rest = _fold_syllables([p for w in words[1:] for p in w.split("-") if p])
    first = _fold_syllables([p for p in first.split("-") if p])
    # Order-free: "Kamikawa Yoko" and "Yoko Kamikawa" (family name first or last) are one name.
    return " ".join(sorted(filter(None, [first, rest])))


def _fold_syllables(parts: list[str]) -> str:
    """Join the parts of a name, folding romanisation variants of each syllable. A part that
    is two syllables run together ("seokyeol", "kimseok") is folded at its ends too."""
    table = _syllables()
    out = []
    for part in parts:
        part = table.get(part, part)
        for variant, key in table.items():
            if len(part) > len(variant) and variant != key:
                if part.endswith(variant):
                    part = part[: -len(variant)] + key
                if part.startswith(variant):
                    part = key + part[len(variant) :]
        out.append(part)
    return "".join(out)
