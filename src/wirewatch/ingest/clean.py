"""Plain-text cleaning: drop the page debris that scrapers leave between paragraphs.

Why lines and not characters: scraped debris comes as whole lines ("Link copied",
"Visited 1 times"), and dropping lines keeps the remaining sentences intact.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

# "By Ji Da-gyumPublished : Oct. 22, 2024 - 15:21": a byline glued to its date line.
_GLUED_BYLINE = re.compile(r"^(By\s+.{2,60}?)\s*(Published\s*:?.*)$")
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'\- ]{1,50}(,\s*[A-Z][\w.'\- ]{1,30})?$")
_PUBLISHED = re.compile(r"^(Published|Updated|Posted)\s*:?\s*(?P<date>.{6,40})$", re.IGNORECASE)


@lru_cache(maxsize=1)
def prefix_patterns() -> tuple[re.Pattern[str], ...]:
    return _patterns("line_prefixes.txt", anchored_end=False)


@lru_cache(maxsize=1)
def debris_patterns() -> tuple[re.Pattern[str], ...]:
    return _patterns("debris.txt", anchored_end=True)


@lru_cache(maxsize=1)
def _any_debris() -> re.Pattern[str]:
    """The debris patterns as one alternation: one match per line, not one per pattern
    (~22 regex calls a line were the bulk of cleaning an article)."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in debris_patterns()), re.IGNORECASE)


def _patterns(name: str, anchored_end: bool) -> tuple[re.Pattern[str], ...]:
    text = (resources.files("wirewatch") / "data" / "lexicons" / name).read_text("utf-8")
    lines = [ln.strip() for ln in text.splitlines()]
    end = "$" if anchored_end else ""
    return tuple(
        re.compile(rf"^(?:{ln}){end}", re.IGNORECASE)
        for ln in lines
        if ln and not ln.startswith("#")
    )


@lru_cache(maxsize=8192)
def _latin_letter(c: str) -> bool:
    return "LATIN" in unicodedata.name(c, "")


def _is_latin_text(text: str) -> bool:
    """At least half the letters are Latin ones (or there are none). ASCII letters are all
    Latin: only other letters are looked up (once each), the Unicode name of every letter
    of every article took ~6% of the ingesting process's busy time."""
    if text.isascii():
        return True
    letters = latin = 0
    for c in text:
        if c.isalpha():
            letters += 1
            if c.isascii() or _latin_letter(c):
                latin += 1
    return not letters or latin / letters >= 0.5


def clean_text(text: str) -> tuple[str, dict[str, str]]:
    """Return the article body without debris lines, and what was learnt from them
    (``byline``, ``published_text``) so metadata is not lost with the line."""
    found: dict[str, str] = {}
    body_is_latin = _is_latin_text(text)
    kept: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            kept.append("")
            continue
        glued = _GLUED_BYLINE.match(line)
        if glued:
            found.setdefault("byline", glued.group(1).strip())
            line = glued.group(2).strip()
        published = _PUBLISHED.match(line)
        if published:
            found.setdefault("published_text", published.group("date").strip())
            continue
        if _BYLINE.match(line) and len(line) < 70:
            found.setdefault("byline", line)
            continue
        if _any_debris().match(line):
            continue
        for prefix in prefix_patterns():
            found_prefix = prefix.match(line)
            if found_prefix:
                found.setdefault("byline", found_prefix.group(0).strip())
                line = line[found_prefix.end() :].lstrip()
        # A stray line in another script (a Hangul caption in an English article).
        if body_is_latin and not _is_latin_text(line):
            continue
        kept.append(line)
    cleaned = "\n".join(kept)
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    return cleaned, found
