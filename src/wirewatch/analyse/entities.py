"""Actor and place mentions in a parsed document.

spaCy's small English model mislabels political names ("Lammy" as ORG, "DPRK" as ORG, "ROK"
missed), so its entities are only candidates: the knowledge base decides what a span is when
it knows it, titles and nationalities next to a person become that person's attributes, and a
lone surname resolves to the full name used earlier in the same article.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Span, Token

from wirewatch.analyse.docindex import DocIndex, Tok, doc_index
from wirewatch.link.kb import KnowledgeBase, KnownActor, Place, fold
from wirewatch.link.names import meeting_words, org_suffixes
from wirewatch.link.places import CITY, REGION, Gazetteer, GazPlace, place_key
from wirewatch.model import ActorMention
from wirewatch.model import Span as CharSpan

_ENT_LABELS = {"PERSON", "GPE", "NORP", "ORG", "LOC", "FAC"}
_MAX_NGRAM = 7
_PRONOUNS = {"they", "he", "she", "we", "them", "him", "her", "it"}
_TITLE_JOINERS = {"of", "'s", "’s", "-", "for", "and"}
# Lower-case words allowed inside a multi-word name ("Ministry of Foreign Affairs",
# "the Foreign Ministry in Seoul"); any other lower-case word ends the name.
_NAME_JOINERS = {"of", "the", "and", "for", "in", "on", "de", "du", "al", "el", "'s", "’s"}
_NAME_PUNCT = {"-", ".", "&", ",", "'", "’", "–"}
_POSSESSIVE = re.compile(r"\s*['’]s$")


@dataclass
class EntityRef:
    """One actor-like span: a person, a country, an organisation or a place."""

    start: int  # token index
    end: int  # token index, exclusive
    start_char: int
    end_char: int
    surface: str
    name: str
    kind: str | None
    country: str | None = None
    kb_id: str | None = None
    sector: str | None = None
    title: str | None = None
    place: Place | None = None
    members: list[EntityRef] = field(default_factory=list)  # "Korea-UK" -> two countries
    consumed: bool = False  # part of a person's title ("South Korean" in "South Korean FM Cho")

    def tokens(self, doc: Doc) -> Span:
        return doc[self.start : self.end]

    @property
    def title_part(self) -> bool:
        """Only words of a title ("Defense" in "Defense Minister Kim", "State" in "Secretary
        of State"): not a name of its own, unlike "Apple" in "Apple CEO Steve Jobs"."""
        return self.consumed and self.kb_id is None and _only_title_words(self.name)

    @property
    def is_place_only(self) -> bool:
        return self.place is not None and self.kind is None


# The model's spans often take the article in: "the Ministry of Foreign Affairs". A lower-case
# "the" is never part of the name (a title's own "The" is capitalised: "The Korea Herald").
_LEADING_THE = re.compile(r"^the\s+(?=\S)")


def _clean_name(text: str) -> str:
    name = _POSSESSIVE.sub("", text.strip(" \t\n[]()")).strip(" \t\n,.;:\"'“”‘’[]()")
    return _LEADING_THE.sub("", name)


def _from_known(ix: DocIndex, start: int, end: int, known: KnownActor) -> EntityRef:
    start_char, end_char = ix.span_chars(start, end)
    return EntityRef(
        start, end, start_char, end_char, ix.text[start_char:end_char], known.name,
        known.kind, known.country, known.id, known.sector,
    )  # fmt: skip


def _kb_matches(doc: Doc, kb: KnowledgeBase) -> list[EntityRef]:
    """Longest knowledge-base matches over n-grams starting at capitalised tokens."""
    found: list[EntityRef] = []
    ix = doc_index(doc)
    toks = ix.toks
    size = len(toks)
    i = 0
    while i < size:
        tok = toks[i]
        if not (tok.text[:1].isupper() or tok.lower_ == "the"):
            i += 1
            continue
        best: EntityRef | None = None
        # A name runs over capitalised words, joiners and name punctuation, within a sentence.
        limit = 1
        first_lower = 0  # the first word after ``tok`` that starts in lower case, if any
        while limit < _MAX_NGRAM and i + limit < size:
            nxt = toks[i + limit]
            if nxt.is_sent_start or not (
                nxt.text[:1].isupper() or nxt.lower_ in _NAME_JOINERS
                or nxt.text in _NAME_PUNCT or nxt.text[:1].isdigit()
            ):  # fmt: skip
                break
            if not first_lower and nxt.text[:1].islower():
                first_lower = limit
            limit += 1
        for n in range(limit, 0, -1):
            last = toks[i + n - 1].text
            if not (last.isalnum() or any(c.isalnum() for c in last)):
                continue
            text = ix.span_text(i, i + n)
            lowers = 0 < first_lower < n
            known = kb.lookup(text)
            if known is not None:
                # "the State Department in Washington": the organisation, then a place.
                cut = next((t.i for t in toks[i + 1 : i + n] if t.lower_ == "in"), None)
                if cut is not None and kb.lookup(ix.span_text(i, cut)) is not None:
                    continue
                best = _from_known(ix, i, i + n, known)
                if known.country is None and known.kind != "country":
                    # "Iraq's al-Qaeda": a branch of a movement of no country is that country's
                    best.country = _possessive_country(kb, ix, i, i + n)
                if known.kind == "country":
                    # "sanctions on Russia in Luxembourg": a country can also be the place.
                    best.place = kb.place(text)
                break
            demonym = kb.country_by_demonym(text) if n <= 3 and not lowers else None
            if demonym is not None:
                best = _from_known(ix, i, i + n, demonym)
                break
            place = kb.place(text) if n <= 4 and not lowers else None
            if (
                place is not None and "," in text and kb.place(text.split(",")[0]) is None
                and _person_before_comma(toks[i : i + n])
            ):  # fmt: skip
                place = None  # "Salim Haddad, Lebanon's envoy": a person, then his country
            if place is not None and text[:1].isupper():
                start_char, end_char = ix.span_chars(i, i + n)
                best = EntityRef(
                    i, i + n, start_char, end_char, text, place.name, None, place.country,
                    place=place,
                )  # fmt: skip
                metonym = kb.metonym(text)
                if metonym is not None and not _locative(doc[i : i + n], kb):
                    best.kind, best.kb_id, best.sector = metonym.kind, metonym.id, metonym.sector
                    best.name = metonym.name
                break
        if best is None and tok.pos_ == "PROPN" and not tok.ent_type_ and tok.is_alpha:
            # "Ethopia has agreed": a misspelt country the model did not tag either
            typo = kb.lookup_fuzzy(tok.text)
            if typo is not None:
                best = _from_known(ix, i, i + 1, typo)
        if best is not None:
            if best.kind is not None or best.place is not None:
                found.append(best)
            i = best.end
        else:
            i += 1
    return found


def _possessive_country(kb: KnowledgeBase, ix: DocIndex, start: int, end: int) -> str | None:
    for k in range(start + 1, end - 1):
        if ix.toks[k].lower_ in ("'s", "’s"):
            owner = kb.lookup(ix.span_text(start, k))
            return owner.country if owner is not None and owner.kind == "country" else None
    return None


def _person_before_comma(toks: list[Tok]) -> bool:
    """ "Salim Haddad, Lebanon's envoy" is a person and a country, not a town in that
    country: a full name the model tags as a person, or a possessive after the comma (a
    lone word the model calls a person may be a town it does not know: "Toulouse, France")."""
    everything = toks[0].index.toks
    comma = next(t.i for t in toks if t.text == ",")
    names = 0
    k = comma - 1
    while k >= 0 and everything[k].ent_type_ == "PERSON":  # the name may start before
        names += 1
        k -= 1
    after = everything[comma + 1 : toks[-1].i + 2]
    return names >= 2 or (names >= 1 and any(t.lower_ in ("'s", "’s") for t in after))


# Prepositions of place: "met in Washington". "to" and "from" only after a word of motion
# ("flew from London to Sydney"): "protested to Beijing" names the government.
_PLACE_PREPS = {
    "in", "at", "near", "inside", "outside", "into", "via", "through", "across", "around",
    "throughout",
}  # fmt: skip
_MOTION_PREPS = {"to", "from", "toward", "towards"}


@lru_cache(maxsize=1)
def _motion_words() -> frozenset[str]:
    path = resources.files("wirewatch") / "data" / "names" / "motion_words.txt"
    lines = path.read_text("utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _place_prep(prep: Tok | Token) -> bool:
    if prep.lower_ in _PLACE_PREPS:
        return True
    if prep.lower_ not in _MOTION_PREPS:
        return False
    # "from London to Sydney": the second preposition may hang on the first one's object.
    head = prep.head
    while head.dep_ == "pobj" or head.pos_ == "ADP":
        if head.head is head:
            break
        head = head.head
    return head.lemma_.lower() in _motion_words()


@lru_cache(maxsize=1)
def _government_nouns() -> frozenset[str]:
    """ "Seoul officials", "Kremlin aides": nouns that make a capital its government."""
    path = resources.files("wirewatch") / "data" / "names" / "government_nouns.txt"
    lines = path.read_text("utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _locative(span: Span, kb: KnowledgeBase) -> bool:
    """A capital as the object of a preposition of place is the city, not its government:
    "talks in Seoul", "from London to Sydney" ("Seoul said" stays South Korea); so is one
    that modifies a noun other than a government body ("a London court", not "Seoul
    officials")."""
    root = doc_index(span.doc).root(span.start, span.end)
    if root.dep_ == "pobj" and _place_prep(root.head):
        return True
    head = root.head
    if root.dep_ in ("compound", "nmod") and head.i > root.i and head.pos_ in ("NOUN", "PROPN"):
        return kb.body(head.text) is None and head.lower_ not in _government_nouns()
    # "in London and Paris": a conjunct of a locative object
    return root.dep_ == "conj" and root.head.dep_ == "pobj" and _place_prep(root.head.head)


def _split_compound(ent: Span, kb: KnowledgeBase) -> list[EntityRef]:
    """ "Korea-UK", "ROK-U.S.", "North Korea-Russia": several countries in one hyphenated span."""
    text = doc_index(ent.doc).span_text(ent.start, ent.end)
    if "-" not in text and "–" not in text and "/" not in text:
        return []  # most names: no split, and no Span.text to build
    parts = re.split(r"\s*[-–/]\s*", _clean_name(text))
    if len(parts) < 2:
        return []
    members = []
    offset = ent.start_char
    for part in parts:
        known = kb.lookup(part)
        if known is None:
            return []
        start = doc_index(ent.doc).text.find(part, offset)
        members.append(
            EntityRef(
                ent.start,
                ent.end,
                start,
                start + len(part),
                part,
                known.name,
                known.kind,
                known.country,
                known.id,
                known.sector,
            )  # fmt: skip
        )
        offset = start + len(part)
    return members


def _overlaps(a: EntityRef, b: EntityRef) -> bool:
    return a.start < b.end and b.start < a.end


def find_entities(doc: Doc, kb: KnowledgeBase) -> list[EntityRef]:
    """Actor and place candidates of a document, sorted by position."""
    refs = _kb_matches(doc, kb)
    for ent in (part for e in doc_index(doc).ent_spans() for part in _split_parenthetical(e)):
        if ent.label_ not in _ENT_LABELS:
            continue
        if (
            ent.label_ == "PERSON"
            and len(ent) > 1
            and (ent[0].lower_.strip(".") in org_suffixes() or ent[0].lower_ in ("the", "a", "an"))
        ):
            ent = ent[1:]  # "Chrysler LLC Jim Press", "the Kim Jong Un regime"
        compound = _split_compound(ent, kb) if ent.label_ != "PERSON" else []
        if compound:
            ref = EntityRef(
                ent.start, ent.end, ent.start_char, ent.end_char, ent.text,
                " / ".join(m.name for m in compound), "group", members=compound,
            )  # fmt: skip
            refs = [r for r in refs if not _overlaps(r, ref)]
            refs.append(ref)
            continue
        candidate = _span_ref(ent)
        inside = [r for r in refs if r.start < candidate.end and candidate.start < r.end]
        # "Bank of America", "Air Canada", "the U.S. Department of Labor", "Baghdad
        # University": an organisation whose name contains a country or a place is the
        # organisation, of that country.
        if (
            ent.label_ == "ORG" and len(inside) == 1
            and (
                inside[0].kind == "country" or (inside[0].is_place_only and inside[0].country)
                # "GM Europe"; not "the Indo-Pacific region", a place of no one country
                or (inside[0].is_place_only and _named_beyond(doc, ent, inside[0]))
            )
            and candidate.start <= inside[0].start and inside[0].end <= candidate.end
            and (candidate.end - candidate.start) > (inside[0].end - inside[0].start)
            and kb.lookup(ent.text) is None
        ):  # fmt: skip
            refs.remove(inside[0])
            org = _span_ref(ent, _clean_name(ent.text), "organization")
            org.country = inside[0].country
            refs.append(org)
            continue
        if inside:
            continue
        name = _clean_name(ent.text)
        if not name or fold(name).replace(" ", "") in org_suffixes():
            continue  # "LLC" cut off its company's name is no organisation
        if ent.label_ in ("GPE", "LOC", "ORG"):
            # "North Norea", "Unites States": a typo of a country's name.
            known = kb.lookup_fuzzy(name)
            if known is not None:
                ref = _span_ref(ent, known.name, known.kind)
                ref.country, ref.kb_id, ref.sector = known.country, known.id, known.sector
                refs.append(ref)
                continue
        if ent.label_ == "PERSON" and name.replace(".", "").isupper() and len(name) <= 6:
            # "SCM", "NIS": the model often calls an acronym a person.
            refs.append(_span_ref(ent, name, "organization"))
            continue
        if ent.label_ == "PERSON":
            ent = _extend_name_right(_extend_name_left(ent))
            refs.append(_span_ref(ent, _clean_name(ent.text), "person"))
        elif ent.label_ == "ORG":
            refs.append(_span_ref(ent, name, "organization"))
        elif ent.label_ in ("GPE", "LOC", "FAC"):
            ref = _span_ref(ent, name, None)
            ref.place = Place(name, None)
            refs.append(ref)
    refs.sort(key=lambda r: r.start)
    _resolve_people(doc, refs, kb)
    refs.extend(_bare_surnames(doc, refs))
    refs.extend(_leaders_of_governments(doc, refs, kb))
    refs.sort(key=lambda r: r.start)
    _bracketed_acronyms(doc, refs)
    _qualify_bodies(refs, kb)
    _resolve_places(doc, refs, kb)
    # "ethnic Albanians", "ethnic Turks": a minority, not the country of the demonym; the
    # domestic-actor pass below gives it the country it lives in.
    toks = doc_index(doc).toks
    ethnic = {
        r.start for r in refs
        if r.kind == "country" and not r.members and r.start > 0
        and toks[r.start - 1].lower_ in _ethnic_words()
        and kb.country_by_demonym(r.surface) is not None
    }  # fmt: skip
    refs[:] = [r for r in refs if r.start not in ethnic]
    # Which tokens are taken is fixed before the first sentence: the actors found below lie
    # in the sentence that finds them.
    taken = {i for r in refs if r.kind or r.place for i in range(r.start, r.end)}
    for sent in doc_index(doc).sents:
        _domestic_actors(doc, sent, refs, taken, ethnic)
    _drop_meeting_names(doc, refs)
    _drop_common_words(doc, refs)
    _drop_term_acronyms(doc, refs)
    refs.sort(key=lambda r: r.start)
    return refs


def _drop_term_acronyms(doc: Doc, refs: list[EntityRef]) -> None:
    """An acronym bracketed after lower-case words whose initials it spells ("table top
    simulation (TTS)", "an unmanned aerial vehicle (UAV)") abbreviates a common term, not an
    organisation's name, wherever the article uses it."""
    toks = doc_index(doc).toks
    terms: set[str] = set()
    for r in refs:
        letters = r.name
        if not (
            r.kind == "organization" and not r.kb_id and r.end - r.start == 1
            and 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()
            and r.start >= 2 and toks[r.start - 1].text == "("
        ):  # fmt: skip
            continue
        words = [t.text for t in toks[max(0, r.start - 1 - 3 * len(letters)) : r.start - 1]]
        content = [w for w in words if w.isalpha() and w not in _TERM_JOINERS][-len(letters) :]
        if (
            len(content) == len(letters)
            and all(w.islower() for w in content)
            and "".join(w[0] for w in content).upper() == letters
        ):
            terms.add(letters)
    _drop_org_names(refs, terms)


# small words a term's acronym leaves out ("weapons of mass destruction": WMD)
_TERM_JOINERS = frozenset({"of", "and", "the", "for", "on", "in", "to", "a", "an"})


def _drop_common_words(doc: Doc, refs: list[EntityRef]) -> None:
    """One capitalised word the model took for an organisation that the article itself
    writes in lower case at least as often ("modernise Alliance capabilities" beside "a
    nuclear-based alliance", "the alliance") is a common noun written with a capital for
    emphasis, not a name. A company's name may be a common word the article also uses once
    ("Apple" beside an "apple"): the capitalised form is then the more frequent."""
    candidates = {
        r.name for r in refs
        if r.kind == "organization" and not r.kb_id and not r.members and not r.consumed
        and r.name.isalpha() and r.name[:1].isupper() and r.name[1:].islower()
    }  # fmt: skip
    if not candidates:
        return
    lowered = {c.lower(): c for c in candidates}
    counts: dict[str, int] = {}
    for t in doc_index(doc).toks:
        if t.text in candidates or t.text in lowered:
            counts[t.text] = counts.get(t.text, 0) + 1
    common = {c for c in candidates if counts.get(c.lower(), 0) >= counts.get(c, 0) > 0}
    _drop_org_names(refs, common, spare_title_parts=True)


def _drop_org_names(
    refs: list[EntityRef], names: set[str], spare_title_parts: bool = False
) -> None:
    """Drop the organisations outside the knowledge base named one of ``names``; with
    ``spare_title_parts``, not the words of a person's title ("Defense" in "Defense Minister
    Kim")."""
    if names:
        refs[:] = [
            r for r in refs
            if not (
                r.kind == "organization" and not r.kb_id and r.name in names
                and not (spare_title_parts and r.consumed)
            )
        ]  # fmt: skip


# " (SCM)": an acronym in brackets, as the text gives it after a name.
_BRACKETED = r"\s*\(\s*([A-Z][A-Za-z0-9&.\-]{1,9})\s*\)"
_ACRONYM_AFTER = re.compile(_BRACKETED)


@lru_cache(maxsize=4)
def _meeting_acronyms(words: frozenset[str]) -> re.Pattern[str]:
    heads = "|".join(sorted((re.escape(w[:1].upper() + w[1:]) for w in words), reverse=True))
    return re.compile(rf"\b(?:{heads}){_BRACKETED}")


def _drop_meeting_names(doc: Doc, refs: list[EntityRef]) -> None:
    """The name of a meeting the model took for an organisation ("the Security Consultative
    Meeting (SCM)") is the event's name, not an actor: it goes, and so does the acronym
    bracketed after it, wherever the article uses it (names/meeting_words.txt)."""
    words = meeting_words()
    text = doc_index(doc).text
    # An acronym bracketed after a capitalised meeting name, entity or not ("the 56th
    # Security Consultative Meeting (SCM)"): the acronym names the meeting too.
    meetings = {m.group(1) for m in _meeting_acronyms(words).finditer(text)}
    for r in refs:
        if r.kind == "organization" and not r.kb_id and not r.members:
            last = r.name.rsplit(None, 1)[-1].lower() if r.name.strip() else ""
            if last in words:
                meetings.add(r.name)
                after = _ACRONYM_AFTER.match(text, r.end_char)
                if after:
                    meetings.add(after.group(1))
    _drop_org_names(refs, meetings)


def _named_beyond(doc: Doc, ent: Span, inner: EntityRef) -> bool:
    """The entity has a capitalised word of its own outside the name inside it."""
    toks = doc_index(doc).toks
    return any(
        toks[k].text[:1].isupper() and toks[k].lower_ != "the"
        for k in range(ent.start, ent.end) if not inner.start <= k < inner.end
    )  # fmt: skip


def _split_parenthetical(ent: Span) -> list[Span]:
    """ "General Motors (GM)", "the United States Air Force (USAF)": the model often takes
    a name and its acronym in brackets as one entity; they are two names of one actor.
    Likewise a company and the person named after its legal form."""
    doc = ent.doc
    toks = doc_index(doc).toks
    for tok in toks[ent.start + 1 : ent.end]:
        if tok.text == "(":
            inner = [t for t in toks[tok.i + 1 : ent.end] if t.text != ")"]
            if inner and all(t.text[:1].isupper() for t in inner) and len(inner) <= 3:
                full = Span(doc, ent.start, tok.i, label=ent.label_)
                short = Span(doc, inner[0].i, inner[-1].i + 1, label=ent.label_)
                return [full, short]
            break
    if ent.label_ == "ORG":
        # "Quillon Motors LLC Pavel Orlik": a legal form ends the company; a name after it
        # is the person the title before it belongs to.
        for tok in toks[ent.start + 1 : max(ent.start + 1, ent.end - 2)]:
            rest = toks[tok.i + 1 : ent.end]
            if (
                tok.lower_.strip(".") in org_suffixes() and len(rest) <= 3
                and all(t.is_alpha and t.text[:1].isupper() and t.text[1:].islower() for t in rest)
            ):  # fmt: skip
                return [Span(doc, ent.start, tok.i + 1, label="ORG"),
                        Span(doc, tok.i + 1, ent.end, label="PERSON")]  # fmt: skip
    return [ent]


def _bracketed_acronyms(doc: Doc, refs: list[EntityRef]) -> None:
    """ "Singapore Airlines (SIA)": the bracketed acronym names the actor before it, even
    when its letters are not the name's initials. It keeps its own surface."""
    by_end = {r.end: r for r in refs if r.kind is not None and not r.members}
    taken = {i for r in refs for i in range(r.start, r.end)}
    for end in by_end:  # an acronym the model did not tag: "(USAF)"
        if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
            tok = doc[end + 1]
            if tok.i not in taken and tok.is_alpha and tok.is_upper and 2 <= len(tok) <= 6:
                refs.append(EntityRef(tok.i, tok.i + 1, tok.idx, tok.idx + len(tok), tok.text,
                                      tok.text, "organization"))  # fmt: skip
    for ref in refs:
        letters = ref.surface.replace(".", "")
        if not (2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()):
            continue
        if ref.start < 2 or doc[ref.start - 1].text != "(":
            continue
        full = by_end.get(ref.start - 1)
        if full is None or full is ref or full.kind == "person":
            continue
        ref.name, ref.kind, ref.kb_id = full.name, full.kind, full.kb_id
        ref.country, ref.sector = full.country, full.sector


def _qualify_bodies(refs: list[EntityRef], kb: KnowledgeBase) -> None:
    """ "the Air Force" in an article that named "the United States Air Force", "the
    Foreign Ministry" after "South Korea's Foreign Ministry": an unqualified body is the one
    of the country the article has already qualified it with, when only one country fits."""
    named = {r.kb_id for r in refs if r.kb_id}
    countries = sorted({r.country for r in refs if r.kb_id and r.country})
    for ref in refs:
        if ref.kind != "organization" or ref.kb_id or ref.members:
            continue
        bare = re.sub(r"^(the|The)\s+", "", _clean_name(ref.name))
        hits: dict[str, KnownActor] = {}
        for iso3 in countries:
            country = kb.country(iso3)
            known = kb.lookup(f"{country.name} {bare}") if country is not None else None
            if known is not None and known.id in named and known.kind != "country":
                hits[known.id] = known
        if len(hits) == 1:
            known = next(iter(hits.values()))
            ref.name, ref.kb_id, ref.country, ref.sector = (
                known.name, known.id, known.country, known.sector,
            )  # fmt: skip


_LEADER_BODIES = {"government", "presidential_office"}


def _leaders_of_governments(doc: Doc, refs: list[EntityRef], kb: KnowledgeBase) -> list[EntityRef]:
    """ "under the Yoon Suk Yeol administration": the model often misses a full name used as
    a modifier of the government it leads; it is that leader, a person."""
    taken = {i for r in refs for i in range(r.start, r.end)}
    found = []
    for tok in doc_index(doc).toks:
        if tok.pos_ != "NOUN" or kb.body(tok.text) not in _LEADER_BODIES:
            continue
        names = [c for c in tok.children if c.dep_ == "compound" and c.i < tok.i]
        if not names:
            continue
        start = min(t.i for c in names for t in c.subtree)
        span = doc[start : tok.i]
        first, last = span[0], span[-1]
        if (
            len(span) < 2 or any(t.i in taken for t in span)
            or not all(_in_name(t) for t in span)
            or first.pos_ != "PROPN" or not first.text[:1].isupper() or not last.is_alpha
        ):  # fmt: skip
            continue  # one word ("the Biden administration") the model tags itself
        found.append(EntityRef(span.start, span.end, span.start_char, span.end_char, span.text,
                               _clean_name(span.text), "person"))  # fmt: skip
    return found


def _in_name(tok: Tok | Token) -> bool:
    """A capitalised proper noun, or a piece of a hyphenated given name ("Jae-in")."""
    toks = doc_index(tok.doc).toks
    joined = tok.i > 0 and toks[tok.i - 1].text == "-" and not toks[tok.i - 1].whitespace_
    if tok.text == "-":
        return not tok.whitespace_ and tok.i > 0 and not toks[tok.i - 1].whitespace_
    return tok.is_alpha and (joined or (tok.pos_ == "PROPN" and tok.text[:1].isupper()))


def _bare_surnames(doc: Doc, refs: list[EntityRef]) -> list[EntityRef]:
    """ "Mulally said": a surname the model did not tag, after the full name earlier in the
    article, is that person."""
    full: dict[str, EntityRef] = {}
    for ref in refs:
        if ref.kind == "person" and " " in ref.name and ref.end - ref.start > 1:
            surname = ref.name.split()[-1]
            if len(surname) >= 3 and surname[:1].isupper() and surname.isalpha():
                full.setdefault(surname, ref)
    if not full:
        return []
    taken = {i for r in refs for i in range(r.start, r.end)}
    found = []
    toks = doc_index(doc).toks
    for tok in toks:
        person = full.get(tok.text)
        if person is None or tok.i in taken or tok.i < person.end:
            continue
        if tok.pos_ != "PROPN" and (tok.is_sent_start or tok.pos_ != "NOUN"):
            continue  # "Jobs were cut" at the start of a sentence is no surname
        nxt = toks[tok.i + 1] if tok.i + 1 < len(toks) else None
        if nxt is not None and nxt.text[:1].isupper() and nxt.is_alpha:
            continue  # part of a longer name the model missed
        ref = EntityRef(tok.i, tok.i + 1, tok.idx, tok.idx + len(tok), tok.text, person.name,
                        "person", person.country, title=person.title)  # fmt: skip
        found.append(ref)
    return found


# -- places ---------------------------------------------------------------------------------

# A name the model tags as a place but the knowledge base does not know is taken from the
# gazetteer only for a town of this many people or more, unless "X, Region" qualifies it.
MIN_TOWN_POPULATION = 1000


def _resolve_places(doc: Doc, refs: list[EntityRef], kb: KnowledgeBase) -> None:
    """Countries and identities for places: the knowledge base first, then the gazetteer for
    the names the model tagged as places ("Samarra", "Sindh province", "Everett").

    "X, Y" qualifies X by Y: "Paris, Texas" is the Texan town, and Y read as a first-level
    region of X's country is that region, not a namesake country ("Atlanta, Georgia" is the
    US state; "Tbilisi, Georgia" stays the country). Among same-named places one in a country
    the document names wins when it is not much smaller, else the most populous. Every
    place then carries an id: ISO code for a country, ``place:<GeoNames id>``, or a name key.
    """
    _towns_after_prepositions(doc, refs, kb)
    if not any(r.place is not None for r in refs) and not any(
        t.lower_ in place_nouns() for t in doc_index(doc).toks
    ):
        return
    gaz = Gazetteer.default()
    toks = doc_index(doc).toks
    _split_qualified(doc, refs, kb, gaz)
    _places_by_context(doc, refs)
    countries = {r.country for r in refs if r.country and (r.kind == "country" or r.is_place_only)}
    by_start = {r.start: r for r in refs if not r.members}
    for ref in refs:
        if ref.place is None or ref.members:
            continue
        if not ref.is_place_only:
            _namesake_of_capital(gaz, ref, by_start, toks)
            continue
        known = ref.place.country is not None or kb.place(ref.name) is not None
        if known and ref.place.country is None:
            continue  # a sea or a region of no one country the knowledge base names
        after = (
            by_start.get(ref.end + 1) if ref.end < len(toks) and toks[ref.end].text == "," else None
        )
        qualifier = after if after is not None and after.place is not None else None
        found: GazPlace | None = None
        if qualifier is not None:
            found = _qualified(gaz, ref, qualifier, known)
        if found is None and not known:
            there = qualifier.place.country if qualifier and qualifier.place else None
            if there:
                ref.country = there  # a village the gazetteer lacks
                ref.place = Place(ref.place.name, ref.country)
                continue
            found = gaz.resolve(ref.name, countries, min_population=MIN_TOWN_POPULATION)
        if found is not None:
            ref.place = Place(found.name, found.country, found.id)
            ref.country = found.country
            if found.country:
                countries.add(found.country)  # "Sindh police ... in Hyderabad": Pakistan's
    for ref in refs:
        if ref.place is not None and ref.place.id is None:
            ref.place = Place(ref.place.name, ref.place.country, _place_id(kb, ref.place))


def _namesake_of_capital(
    gaz: Gazetteer, ref: EntityRef, by_start: dict[int, EntityRef], toks: list[Tok]
) -> None:
    """ "Flooding hit London, Ontario": a capital the text uses for its government is the
    namesake town when a region of another country qualifies it."""
    assert ref.place is not None
    if ref.kind != "country" or ref.end >= len(toks) or toks[ref.end].text != ",":
        return
    after = by_start.get(ref.end + 1)
    if after is None or after.place is None or after.kind is not None:
        return
    for city in gaz.candidates(ref.place.name):
        if city.kind == CITY and city.country != ref.country:
            region = gaz.region_named(after.name, city.region or "")
            if region is not None:
                ref.kind, ref.kb_id, ref.sector, ref.name = None, None, None, city.name
                ref.country, ref.place = city.country, Place(city.name, city.country, city.id)
                return


def _qualified(
    gaz: Gazetteer, ref: EntityRef, qualifier: EntityRef, known: bool
) -> GazPlace | None:
    """ "Everett, Washington", "Paris, Texas": the town the qualifier places, and the
    qualifier as the first-level region the town lies in when it is one (not a namesake
    country or capital). None when the town stays what it was."""
    assert ref.place is not None and qualifier.place is not None
    home, there = ref.place.country, qualifier.place.country
    for city in gaz.candidates(ref.name):
        if city.kind != CITY or (home and there and city.country not in (home, there)):
            continue
        region = gaz.region_named(qualifier.name, city.region or "")
        if region is not None:
            qualifier.kind, qualifier.kb_id, qualifier.sector = None, None, None
            qualifier.name, qualifier.country = region.name, region.country
            qualifier.place = Place(region.name, region.country, region.id)
            return city if not known or city.country != home else None
    if not there or (known and home in (None, there)):
        return None
    return gaz.resolve(ref.name, within=there)


def _split_qualified(doc: Doc, refs: list[EntityRef], kb: KnowledgeBase, gaz: Gazetteer) -> None:
    """ "Toulouse, France" matched as one place: the town and, after the comma, the country
    or region that qualifies it are two places (the second no actor)."""
    toks = doc_index(doc).toks
    for ref in list(refs):
        if not ref.is_place_only or ref.end - ref.start < 3:
            continue
        comma = next((t.i for t in toks[ref.start + 1 : ref.end - 1] if t.text == ","), None)
        if comma is None:
            continue
        ix = doc_index(doc)
        rest = _clean_name(ix.text[slice(*ix.span_chars(comma + 1, ref.end))])
        where = kb.place(rest)
        if where is None and any(p.kind == REGION for p in gaz.candidates(rest)):
            where = Place(rest, None)  # "London, Ontario": a region the gazetteer knows
        if where is None:
            continue
        a_start, a_end = ix.span_chars(ref.start, comma)
        b_start, b_end = ix.span_chars(comma + 1, ref.end)
        # The town's country is the qualifier's only once the gazetteer has not found it
        # elsewhere ("Atlanta, Georgia" is in the US state).
        name = _clean_name(ix.text[a_start:a_end])
        own = kb.place(name)
        first = EntityRef(
            ref.start, comma, a_start, a_end, ix.text[a_start:a_end], name, None,
            own.country if own else None, place=own or Place(name, None),
        )  # fmt: skip
        second = EntityRef(
            comma + 1, ref.end, b_start, b_end, ix.text[b_start:b_end], where.name, None,
            where.country, place=where,
        )  # fmt: skip
        at = refs.index(ref)
        refs[at : at + 1] = [first, second]


@lru_cache(maxsize=1)
def place_nouns() -> frozenset[str]:
    """Nouns for a kind of place: "the town of Samarra" (data/names/place_nouns.txt)."""
    path = resources.files("wirewatch") / "data" / "names" / "place_nouns.txt"
    lines = path.read_text("utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


# A name after a preposition of place that the model tagged as a person, or did not tag, is
# taken as a town of this many people or more ("an attack near Gao", "clashes in Kidal").
MIN_CONTEXT_TOWN = 20_000


def _towns_after_prepositions(doc: Doc, refs: list[EntityRef], kb: KnowledgeBase) -> None:
    """ "killed near Gao" (tagged a person: a common surname), "fighting in Kidal" (not
    tagged): a one-word proper name that is the object of a preposition of place, unknown to
    the knowledge base, and a town in the gazetteer, is that place."""
    ix = doc_index(doc)
    toks = ix.toks
    by_start = {r.start: r for r in refs}
    taken = {i for r in refs for i in range(r.start, r.end)}
    gaz: Gazetteer | None = None
    added = []
    for tok in toks:
        if not (tok.dep_ == "pobj" and tok.pos_ == "PROPN" and _place_prep(tok.head)):
            continue
        ref = by_start.get(tok.i)
        if ref is not None:
            if ref.kind != "person" or ref.end - ref.start != 1 or ref.title or ref.kb_id:
                continue
        elif (
            tok.i in taken
            or tok.ent_type_ not in ("", "NORP", "PERSON", "ORG")  # not a date, not a number
            or not tok.text[:1].isupper()
        ):
            continue
        if any(c.dep_ in ("compound", "amod", "det", "poss") for c in tok.children):
            continue  # "in the Blue Room", "at Chairman Mao's": not a bare name
        if kb.lookup(tok.text) is not None:
            continue
        gaz = gaz or Gazetteer.default()
        found = gaz.resolve(tok.text, min_population=MIN_CONTEXT_TOWN)
        if found is None or found.kind != CITY or found.population < MIN_CONTEXT_TOWN:
            continue
        if ref is not None:
            ref.kind, ref.place = None, Place(ref.name, None)
        else:
            a, b = ix.span_chars(tok.i, tok.i + 1)
            name = ix.text[a:b]
            added.append(
                EntityRef(tok.i, tok.i + 1, a, b, name, name, None, place=Place(name, None))
            )
    if added:
        refs.extend(added)
        refs.sort(key=lambda r: r.start)


def _places_by_context(doc: Doc, refs: list[EntityRef]) -> None:
    """ "near the town of Samarra": a capitalised name after a place noun and "of" is a place
    the model may have tagged as something else (or not at all)."""
    toks = doc_index(doc).toks
    nouns = place_nouns()
    added = []
    for tok in toks[:-2]:
        if tok.lower_ not in nouns or toks[tok.i + 1].lower_ != "of":
            continue
        start = end = tok.i + 2
        while end < len(toks) and toks[end].pos_ == "PROPN" and toks[end].text[:1].isupper():
            end += 1
        if end == start or any(r.start < end and start < r.end for r in refs):
            continue
        ix = doc_index(doc)
        a, b = ix.span_chars(start, end)
        name = _clean_name(ix.text[a:b])
        added.append(EntityRef(start, end, a, b, ix.text[a:b], name, None, place=Place(name, None)))
    if added:
        refs.extend(added)
        refs.sort(key=lambda r: r.start)


def _place_id(kb: KnowledgeBase, place: Place) -> str:
    """A country's ISO code, the GeoNames id of a known place, else a name key."""
    return _known_place_id(kb, place.name, place.country)


@lru_cache(maxsize=50_000)
def _known_place_id(kb: KnowledgeBase, name: str, country: str | None) -> str:
    if country is not None:
        actor = kb.country(country)
        if actor is not None and fold(actor.name) == fold(name):
            return country
        found = Gazetteer.default().resolve(name, within=country)
        if found is not None:
            return found.id
    elif kb.place(name) is None:  # a continent ("Europe"), or a region of no one country
        found = Gazetteer.default().resolve(name)
        if found is not None and found.country is None:
            return found.id
    return place_key(name, country)


def place_names(entities: list[EntityRef]) -> list[ActorMention]:
    """The places among an article's names, as mentions the actor resolver gives their place
    id (``kind`` None: places are no actors, so they are not exported as such)."""
    return [
        ActorMention(
            name=e.place.name,
            surface=e.surface,
            kind=None,
            country=e.place.country,
            role="mention",
            span=CharSpan(e.start_char, e.end_char, e.surface),
            kb_id=e.place.id,
        )  # fmt: skip
        for e in entities
        if e.is_place_only and e.place is not None and e.place.id and not e.members
    ]


# -- office holders -------------------------------------------------------------------------

# Family name first: index the first word of these countries' leaders as well.
_FAMILY_FIRST = {"CHN", "TWN", "KOR", "PRK", "JPN", "VNM", "KHM", "MMR", "HUN"}
_OFFICE_WORDS = {
    "president", "minister", "premier", "chancellor", "king", "queen", "emir", "sultan",
    "leader", "secretary", "prince", "dictator", "ruler", "chairman", "general",
}  # fmt: skip


def _read_lexicon_tsv(name: str) -> list[dict[str, str]]:
    text = (resources.files("wirewatch") / "data" / "lexicons" / name).read_text("utf-8")
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = [c.strip() for c in cells]
            continue
        rows.append(dict(zip(header, (c.strip() for c in cells), strict=False)))
    return rows


def _surname_key(word: str) -> str:
    return re.sub(r"^(al|el|ad|as|ash|an)-", "", fold(word))


@lru_cache(maxsize=1)
def _leaders() -> tuple[dict[str, str], dict[str, set[str]]]:
    """Full name -> country and surname -> countries, from ``leaders.tsv``."""
    by_name: dict[str, str] = {}
    by_surname: dict[str, set[str]] = {}
    for row in _read_lexicon_tsv("leaders.tsv"):
        name, country = row.get("name", ""), row.get("country", "")
        if not name or len(country) != 3:
            continue
        by_name[fold(name)] = country
        words = name.replace(".", " ").split()
        keys = {_surname_key(words[-1])}
        if country in _FAMILY_FIRST or words[0].lower() in ("king", "mullah", "ayatollah"):
            keys.add(_surname_key(words[0] if country in _FAMILY_FIRST else words[-1]))
        for key in keys:
            by_surname.setdefault(key, set()).add(country)
    return by_name, by_surname


def leader_country(name: str, title: str | None) -> str | None:
    """The country of a well-known office holder: the full name, else the surname (with some
    spelling tolerance when a title of office stands before it)."""
    by_name, by_surname = _leaders()
    full = fold(name)
    if full in by_name:
        return by_name[full]
    words = name.replace(".", " ").split()
    # A full name that is not a known leader's is someone else with the same surname
    # ("Bill Blair" is not Tony Blair): only a bare surname falls back to the surname table.
    if len(words) != 1:
        return None
    surname = _surname_key(words[-1])
    countries = by_surname.get(surname)
    if (
        countries is None
        and title
        and len(surname) >= 5
        and {w.lower() for w in re.split(r"[\s-]+", title)} & _OFFICE_WORDS
    ):
        close = difflib.get_close_matches(surname, list(by_surname), n=1, cutoff=0.85)
        countries = by_surname.get(close[0]) if close else None
    if countries and len(countries) == 1:
        return next(iter(countries))
    return None


# -- domestic actors ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _ethnic_words() -> frozenset[str]:
    """ "ethnic Serbs": words that make a demonym a minority, not a country."""
    return _word_list("ethnic_words.txt")


@lru_cache(maxsize=1)
def _residence_verbs() -> frozenset[str]:
    """ "a group based in Trinidad": participles that give a noun the country it is in."""
    return _word_list("residence_verbs.txt")


def _political(ref: EntityRef, toks: list[Tok]) -> bool:
    """The subject of its clause, and a party, front, union or movement by its name ("the
    Homeland Union said") or by the word party after it ("the Umma party said"; not "the
    Airbus union", which is the union of a company)."""
    words = {w.lower() for w in re.split(r"[\s\-]+", ref.name)}
    root = toks[ref.end - 1]
    if root.dep_ in ("compound", "nmod", "amod") and root.head.i >= ref.end:
        if root.head.lower_ in ("party", "parties"):
            words.add(root.head.lower_)
        root = root.head
    return root.dep_ in ("nsubj", "nsubjpass") and bool(words & _political_words())


@lru_cache(maxsize=1)
def _political_words() -> frozenset[str]:
    return _word_list("political_words.txt")


def _word_list(name: str) -> frozenset[str]:
    text = (resources.files("wirewatch") / "data" / "lexicons" / name).read_text("utf-8")
    return frozenset(
        w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")
    )


@lru_cache(maxsize=1)
def _domestic_firsts() -> frozenset[str]:
    return frozenset(key[0] for key in _domestic_words())


@lru_cache(maxsize=1)
def _domestic_words() -> dict[tuple[str, ...], str]:
    return {
        tuple(row["word"].split()): row.get("sector", "") or "civilian"
        for row in _read_lexicon_tsv("domestic.tsv")
        if row.get("word")
    }


_LOCATIVE = {"in", "at", "near", "inside", "across", "throughout"}


def _ref_with_country(tok: Tok | Token, refs: list[EntityRef]) -> EntityRef | None:
    return next((r for r in refs if r.start <= tok.i < r.end and r.country), None)


def _country_in(tok: Tok | Token, refs: list[EntityRef]) -> str | None:
    for r in refs:
        if r.start <= tok.i < r.end and r.country:
            return r.country
    return None


def _domestic_actors(
    doc: Doc,
    sent: Span,
    all_refs: list[EntityRef],
    taken: set[int],
    ethnic: AbstractSet[int] = frozenset(),
) -> None:
    """ "Rebels in the Ivory Coast", "police" in a sentence about Monrovia: common nouns for
    domestic actors become actors with the country the sentence gives them."""
    words = _domestic_words()
    firsts = _domestic_firsts()
    toks = doc_index(doc).toks
    # the actors that overlap this sentence, in document order
    refs = [r for r in all_refs if r.start < sent.end and r.end > sent.start]
    found: list[tuple[int, int, str, str | None]] = []  # start, end, sector, own country
    homes: list[str] = []
    # only these tokens can start a phrase: jump from one to the next
    starts = [t.i for t in toks[sent.start : sent.end] if t.lower_ in firsts or t.i + 1 in ethnic]
    k = 0
    i = sent.start
    while i < sent.end:
        while k < len(starts) and starts[k] < i:
            k += 1
        if k == len(starts):
            break
        i = starts[k]
        match = None
        if i + 1 in ethnic:
            # "ethnic Albanians", "ethnic Albanian guerrillas": the phrase ends at its head
            demonym = toks[i + 1]
            head_i = demonym.head.i
            if demonym.dep_ in ("amod", "compound") and i + 1 < head_i <= i + 3:
                match = (head_i + 1 - i, words.get((toks[head_i].lower_,), "ethnic"))
            else:
                match = (2, "ethnic")
        for n in (2, 1):
            if match is not None:
                break
            if i + n > sent.end:
                continue
            key = tuple(t.lower_ for t in toks[i : i + n])
            if key in words and not any(j in taken for j in range(i, i + n)):
                match = (n, words[key])
                break
        if match is None:
            i += 1
            continue
        n, sector = match
        head = toks[i + n - 1]
        if head.pos_ not in ("NOUN", "PROPN") or (head.dep_ == "compound" and head.head.i == i + n):
            # "opposition groups": the phrase ends at its head noun.
            if head.dep_ == "compound" and head.head.i == i + n and head.head.pos_ == "NOUN":
                n += 1
                head = toks[i + n - 1]
            else:
                i += n
                continue
        mods = [c for c in head.children if c.dep_ in ("amod", "compound", "poss", "nmod")]
        if any(c.dep_ == "poss" and c.tag_ == "PRP$" for c in mods):
            # "its troops in Bolivia", "their soldiers": whose they are is someone named
            # before, not the place they are in nor the sentence's country.
            i += n
            continue
        mod_ref = next(
            (r for m in mods for t in m.subtree if (r := _ref_with_country(t, refs)) is not None),
            None,
        )
        if mod_ref is not None and mod_ref.is_place_only and mod_ref.end == i:
            # "Sindh police", "Kandahar officials": the place's own, named with it
            assert mod_ref.country is not None
            homes.append(mod_ref.country)
            found.append((mod_ref.start, i + n, sector, mod_ref.country))
            i += n
            continue
        if mod_ref is not None:
            homes.append(mod_ref.country or "")  # "Ugandan opposition": an actor of its own
            i += n
            continue
        own = None
        # "rebels in Chad", "a newspaper based in Beirut", "guerrillas operating in Mali"
        residence = [
            p for c in head.children
            if c.dep_ == "acl" and c.lemma_.lower() in _residence_verbs() for p in c.children
        ]  # fmt: skip
        for prep in [*head.children, *residence]:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "of", "from"):
                own = next(
                    (c for t in prep.subtree if (c := _country_in(t, refs)) is not None), None
                )
                if own is not None:
                    homes.append(own)
                    break
        found.append((i, i + n, sector, own))
        i += n
    for r in refs:
        if not (sent.start <= r.start < sent.end) or not r.country or r.kind == "person":
            continue
        root = doc_index(doc).root(r.start, r.end)
        if r.place is not None and root.dep_ == "pobj" and root.head.lower_ in _LOCATIVE:
            homes.append(r.country)
        elif r.kind == "organization" and (not r.kb_id or r.kb_id.startswith(f"{r.country}-")):
            # a national body: "Kenya Police", "the Defense Ministry", "the Chad Red Cross"
            homes.append(r.country)
    home = homes[0] if len(set(homes)) == 1 else None
    for start, end, sector, own in found:
        country = own or home
        if country is None and start + 1 not in ethnic:
            continue  # "police" of no known country; "ethnic Albanians" are a group still
        span = doc[start:end]
        ref = (
            EntityRef(
                start,
                end,
                span.start_char,
                span.end_char,
                span.text,
                span.text.lower(),
                "group",
                country,
                None,
                sector,
            )  # fmt: skip
        )
        all_refs.append(ref)
        refs.append(ref)
    # Only where the sentence is about one country: "Defense Minister Kim met Austin in
    # Washington" says nothing about Kim's country.
    named = {r.country for r in refs if sent.start <= r.start < sent.end and r.country}
    if len(named) == 1:
        # "The Umma party will boycott Algeria's elections": a party, front or union of no
        # known country in a sentence about one country is that country's.
        only = next(iter(named))
        for r in refs:
            if (
                sent.start <= r.start < sent.end and r.kind == "organization" and not r.kb_id
                and r.country is None and _political(r, toks)
            ):  # fmt: skip
                r.country = only
    if home is None or named - {home}:
        return
    # A person of known country beside them may be the host, not a compatriot.
    if any(sent.start <= r.start < sent.end and r.kind == "person" and r.country for r in refs):
        return
    for r in refs:
        if (
            sent.start <= r.start < sent.end and r.kind == "person" and r.country is None
            and r.title and {w.lower() for w in re.split(r"[\s-]+", r.title)} & _OFFICE_WORDS
        ):  # fmt: skip
            r.country = home


@lru_cache(maxsize=1)
def _title_words() -> frozenset[str]:
    text = (resources.files("wirewatch") / "data" / "names" / "titles.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=4096)
def _only_title_words(name: str) -> bool:
    return all(w in _title_words() for w in re.split(r"[\s\-]+", name.lower()))


def _extend_name_left(ent: Span) -> Span:
    """ "Lloyd J. Austin III": the model often starts the name at the initial."""
    start = ent.start
    doc = ent.doc
    while start > ent.sent.start:
        prev = doc[start - 1]
        if (
            prev.pos_ == "PROPN" and prev.text[:1].isupper() and prev.lower_ not in _title_words()
            and prev.lower_.strip(".") not in org_suffixes()
            and ent.start <= prev.head.i < ent.end and prev.ent_type_ not in ("GPE", "NORP", "ORG")
        ):  # fmt: skip
            start -= 1
        else:
            break
    return doc[start : ent.end] if start != ent.start else ent


def _extend_name_right(ent: Span) -> Span:
    """ "Yoon Suk-yeol": the model often stops a name at a hyphen inside a given name."""
    doc = ent.doc
    end = ent.end
    while (
        end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_
        and not doc[end].whitespace_ and doc[end + 1].is_alpha
    ):  # fmt: skip
        end += 2
    return doc[ent.start : end] if end != ent.end else ent


def _span_ref(ent: Span, name: str | None = None, kind: str | None = None) -> EntityRef:
    ix = doc_index(ent.doc)
    start_char, end_char = ix.span_chars(ent.start, ent.end)
    text = ix.text[start_char:end_char]
    return EntityRef(ent.start, ent.end, start_char, end_char, text, name or text, kind)


def _resolve_people(doc: Doc, refs: list[EntityRef], kb: KnowledgeBase) -> None:
    """Titles and nationality for people; lone surnames and mislabelled people to full names."""
    full_names: list[EntityRef] = []
    for ref in refs:
        if ref.kind == "person" and " " in ref.name:
            _attach_title(doc, ref, refs, kb)
            if ref.country is None:
                ref.country = leader_country(ref.name, ref.title) or _appositive_country(
                    doc, ref, refs
                )
            if ref.country is None and ref.title and full_names:
                ref.country = _coordinated_country(doc, full_names[-1], ref)
            full_names.append(ref)
            continue
        # A single capitalised word the model called a person or an organisation: is it the
        # surname or family name of someone named in full earlier in the article?
        # "Henderson spoke": a surname the model took for an unknown place.
        unknown_place = ref.kind is None and ref.place is not None and ref.place.country is None
        if (
            (ref.kind in ("person", "organization") or unknown_place)
            and ref.kb_id is None and " " not in ref.name
        ):  # fmt: skip
            earlier = [
                p for p in full_names
                if ref.name in (p.name.split()[0], p.name.split()[-1]) and p.start < ref.start
            ]  # fmt: skip
            if earlier:
                person = earlier[-1]
                ref.kind, ref.name, ref.place = "person", person.name, None
                ref.country, ref.title = person.country, person.title
            elif ref.kind == "person":
                _attach_title(doc, ref, refs, kb)
                if ref.country is None:
                    ref.country = leader_country(ref.name, ref.title) or _appositive_country(
                        doc, ref, refs
                    )


def _coordinated_country(doc: Doc, before: EntityRef, person: EntityRef) -> str | None:
    """ "South Korean Foreign Minister Cho and Defense Minister Kim": one nationality for a
    pair of titled people joined by "and" with nothing but a title between them."""
    between = doc[before.end : person.start]
    if not before.country or not len(between) or between[0].lower_ != "and":
        return None
    words = [t for t in between[1:]]
    if any(t.is_punct or not t.text[:1].isupper() for t in words):
        return None
    if person.title is None or " ".join(t.text for t in words).strip() != person.title:
        return None
    return before.country


def _appositive_country(doc: Doc, person: EntityRef, refs: list[EntityRef]) -> str | None:
    """ "Sidhoum, Algeria's leading activist" / "Qatar's emir, Sheikh Hamad": the country
    that owns the apposition."""
    root = doc_index(doc).root(person.start, person.end)
    nouns = [c for c in root.children if c.dep_ == "appos"]
    if root.dep_ == "appos":
        nouns.append(root.head)
    for noun in nouns:
        if person.start <= noun.i < person.end:
            continue
        for child in noun.children:
            if child.dep_ in ("poss", "amod", "compound"):
                for t in child.subtree:
                    other = next((r for r in refs if r.start <= t.i < r.end), None)
                    if other is not None and other.kind == "country" and other.country:
                        return other.country
    return None


def _attach_title(doc: Doc, person: EntityRef, refs: list[EntityRef], kb: KnowledgeBase) -> None:
    """Read "South Korean Foreign Minister" / "U.S. Secretary of State" left of a name."""
    i = person.start - 1
    words: list[str] = []
    toks = doc_index(doc).toks
    while i >= 0 and toks[i].sent_start == toks[person.start].sent_start:
        tok = toks[i]
        owner = next((r for r in refs if r.start <= i < r.end), None)
        if owner is not None and owner is not person:
            if owner.kind == "person":
                break
            if owner.kind == "country" or (owner.kind is None and owner.place):
                if person.country is None:
                    person.country = owner.country
                owner.consumed = True
                i = owner.start - 1
                continue
            if owner.kind in ("organization", "igo"):
                # "Defense" in "Defense Minister Kim", "State" in "Secretary of State Blinken":
                # the model's ORG inside a title is part of the title.
                person.country = person.country or owner.country
                words.insert(0, owner.surface)
                owner.consumed = True
                i = owner.start - 1
                continue
            break
        if tok.lower_ == "and" or tok.is_punct and tok.text not in ("-",):
            break
        if tok.text[:1].isupper() or tok.lower_ in _TITLE_JOINERS - {"and"}:
            demonym = kb.country_by_demonym(tok.text)
            if demonym is not None:
                person.country = person.country or demonym.country
                i -= 1
                continue
            words.insert(0, tok.text)
            i -= 1
            continue
        break
    while words and words[0].lower() in _TITLE_JOINERS:
        words.pop(0)
    title = " ".join(words).replace(" - ", "-").strip()
    if title and title[:1].isupper():
        person.title = title


def is_pronoun(tok: Tok | Token) -> bool:
    return tok.lower_ in _PRONOUNS
