"""The event coder: a sentence's triggers become event mentions with actors in roles, a date,
a place, a status and its attribution, each with the character span it came from.

First version (rules over spaCy's parse). What it does, so later versions know what to beat:
- triggers come from ``data/lexicons/triggers.toml``; a noun trigger under a verb trigger of the
  same type, or several trigger words on one noun phrase, make one mention;
- the clause of a trigger is the subtree of its governing verb without nested clauses that do
  not contain it, so "X said on Tuesday that A met B on Monday" dates the meeting Monday and
  makes X the attribution, not an actor;
- roles: every side of a symmetric event (a meeting) is a participant; otherwise the subject
  side is the source and the rest the target, flipped for the passive voice;
- status: cues in ``cues.toml`` on the path from the trigger to the sentence root; a date
  after publication makes an otherwise plain event planned.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span

from wirewatch.analyse.docindex import Tok, doc_index
from wirewatch.analyse.entities import EntityRef, is_pronoun, place_nouns
from wirewatch.analyse.lexicon import Lexicon, Trigger
from wirewatch.analyse.timex import Timex
from wirewatch.link.kb import KnowledgeBase
from wirewatch.model import ActorMention, EventMention
from wirewatch.model import Span as CharSpan

_CLAUSAL = {"ccomp", "advcl", "relcl", "parataxis", "csubj"}
_LIGHT_VERBS = {
    "hold", "convene", "attend", "conduct", "carry", "stage", "issue", "make", "launch",
    "host", "begin", "continue", "resume", "join", "take", "have", "mark", "plan", "set",
    "agree", "arrange", "schedule", "propose", "wrap", "end", "conclude", "open", "sit",
    "initiate", "start", "inaugurate",
}  # fmt: skip
_NOMINAL_SOURCE_DEPS = {"poss", "compound", "amod", "nmod"}
_AGREE_TO_MEET = {"agree", "decide", "arrange", "consent"}
# Verbs whose complement is what they offer, threaten, refuse or ask for.
_SPEECH_ACTS = {"AGREE", "THREATEN", "REJECT"}
_REFUSABLE = {"AGREE", "SUPPORT"}
_DIRECTIVE = {"REQUEST", "ACCUSE", "THREATEN"}
_MUST = {"must", "should", "ought"}
_FUTURE_MODALS = {"will", "would", "shall", "'ll", "'d"}
_INTENT_WORDS = {
    "offer", "promise", "pledge", "vow", "swear", "willing", "prepared", "ready", "commit",
    "undertake", "agree",
}  # fmt: skip
_COOPERATIVE = {"CONCEDE", "RETREAT", "AID", "COOPERATE", "SUPPORT"}
# Done by force: with no named doer, the doer is of the place where it happens.
_UNNAMED_ATTACKS = {"ASSAULT", "COERCE"}
_HOSTILE = {"SANCTION", "COERCE", "ASSAULT", "REJECT", "RETREAT", "PROTEST", "MOBILIZE"}
_SEPARATE = {"separate", "standalone", "stand-alone", "bilateral", "side"}
_STATUS_ORDER = ("denied", "claimed", "hypothetical", "planned")
_FRAME_PREPS = {"during", "amid", "amidst"}
_ANCHOR_PREPS = {"since", "after", "before", "following", "until", "till"}
_EXAMPLE_PREPS = {"including", "like", "as", "notably", "especially"}
_SPOKEN = {"REQUEST", "ACCUSE", "THREATEN", "REJECT", "AGREE", "SUPPORT", "AID"}
_DIRECTED = {"MOBILIZE", "AID", "ASSAULT", "RETREAT"}
_MOVED = {"MOBILIZE", "AID", "RETREAT"}  # events whose patient is the mover's own troops or aid
_NOT_EVENT_ENTS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "QUANTITY", "PERCENT"}


def _reduced_passive(verb: Tok) -> bool:
    """ "soldiers killed in an ambush", "aid delivered to Gaza": a past participle modifying
    a noun, with no auxiliary, is a passive whose subject is that noun."""
    return (
        verb.dep_ == "acl"
        and verb.tag_ == "VBN"
        and verb.head.pos_ in ("NOUN", "PROPN")
        and not any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in verb.children)
    )


def _headline_future(tok: Tok) -> bool:
    """Headline grammar: "Poland to expel Russian diplomats", a subject and a bare "to" verb
    as the main clause, announces what is to happen."""
    if tok.tag_ != "VB" or not any(c.dep_ == "aux" and c.tag_ == "TO" for c in tok.children):
        return False
    if tok.dep_ == "ROOT":
        return any(c.dep_ == "nsubj" for c in tok.children)
    return tok.dep_ == "acl" and tok.head.dep_ == "ROOT" and tok.head.pos_ == "PROPN"


@dataclass
class _Hit:
    tokens: list[Tok]
    trigger: Trigger
    label: str | None = None
    mode: str | None = None
    extra: list[Tok] = field(default_factory=list)  # merged trigger words
    directive: bool = False  # "said X must": the modal makes the demand, not a hedge
    absorbed: list[Tok] = field(default_factory=list)  # "to discuss" of "a meeting to discuss"

    _head: Tok | None = field(default=None, repr=False, compare=False)

    @property
    def head(self) -> Tok:
        if self._head is not None:
            return self._head
        if not self.trigger.nominal:
            self._head = self.tokens[0]
            return self._head
        # The phrase's syntactic head: "war" in "war of aggression", "meeting" in "2+2 meeting".
        ids = {t.i for t in self.tokens}
        roots = [t for t in self.tokens if t.head.i not in ids or t.head.i == t.i]
        self._head = roots[0] if len(roots) == 1 else max(self.tokens, key=lambda t: t.i)
        return self._head


def _char(doc: Doc, start: int, end: int) -> CharSpan:
    # Doc.text joins every token on each call: the index keeps it once per document.
    return CharSpan(start, end, doc_index(doc).text[start:end])


# Dependencies of a date written before a noun as its modifier ("the 1978 resolution").
_NOUN_PREMODIFIER = frozenset({"compound", "amod", "nummod"})
_ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "iobj", "attr", "appos"})


def _range_span(doc: Doc, tx: Timex, timexes: list[Timex]) -> CharSpan:
    """The text of a whole written range, from its first end to its last."""
    i = timexes.index(tx)
    ends = [tx] + [
        t
        for t in timexes[max(0, i - 1) : i + 2]
        if t is not tx and (t.range_first, t.range_last) == (tx.range_first, tx.range_last)
    ]
    return _char(doc, min(t.start for t in ends), max(t.end for t in ends))


def _span_of(tokens: list[Tok]) -> CharSpan:
    doc = tokens[0].doc
    start, end = min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)
    text = doc_index(doc).text
    # "Security Consultative Meeting (SCM)": a phrase that takes in an opening bracket takes
    # its closing one.
    if text[end : end + 1] == ")" and text.count("(", start, end) > text.count(")", start, end):
        end += 1
    return _char(doc, start, end)


@lru_cache(maxsize=1)
def _measure_nouns() -> frozenset[str]:
    text = (resources.files("wirewatch") / "data" / "lexicons" / "measure_nouns.txt").read_text(
        "utf-8"
    )
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=4)
def _verb_object_tables(
    extra_dir: str | None,
) -> tuple[tuple[str, tuple[str, ...], str | None], ...]:
    """(type, words, mode) of ``verb_objects.toml`` and a user's copy in WIREWATCH_LEXICONS."""
    sources: list[Any] = [resources.files("wirewatch") / "data" / "lexicons" / "verb_objects.toml"]
    if extra_dir and (Path(extra_dir) / "verb_objects.toml").exists():
        sources.append(Path(extra_dir) / "verb_objects.toml")
    out: list[tuple[str, tuple[str, ...], str | None]] = []
    for src in sources:
        for type_, spec in tomllib.loads(src.read_text("utf-8")).items():
            modes = spec.get("modes", {})
            out += [(type_, tuple(p.lower().split()), modes.get(p)) for p in spec.get("pairs", [])]
    return tuple(out)


@lru_cache(maxsize=4)
def _subject_verb_tables(
    extra_dir: str | None,
) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """(type, subject nouns, verbs) of the ``[TYPE.subjects]`` tables in ``verb_objects.toml``."""
    sources: list[Any] = [resources.files("wirewatch") / "data" / "lexicons" / "verb_objects.toml"]
    if extra_dir and (Path(extra_dir) / "verb_objects.toml").exists():
        sources.append(Path(extra_dir) / "verb_objects.toml")
    out = []
    for src in sources:
        for type_, spec in tomllib.loads(src.read_text("utf-8")).items():
            sub = spec.get("subjects")
            if sub:
                nouns = frozenset(n.lower() for n in sub.get("nouns", []))
                out.append((type_, nouns, frozenset(v.lower() for v in sub.get("verbs", []))))
    return tuple(out)


class SentenceCoder:
    def __init__(self, lexicon: Lexicon, kb: KnowledgeBase | None = None) -> None:
        self.lex = lexicon
        self.kb = kb
        self.pairs: dict[tuple[str, ...], Trigger] = {}
        for type_, words, mode in _verb_object_tables(os.environ.get("WIREWATCH_LEXICONS")):
            base = lexicon.types.get(type_)
            if base is not None and len(words) >= 2:
                self.pairs.setdefault(words, Trigger(type_, base.cameo, base.symmetric, mode))
        self.pair_verbs = {words[0] for words in self.pairs}
        self.phrase_firsts = frozenset(lexicon.verb_phrases) | frozenset(lexicon.noun_phrases)
        self._starters: dict[tuple[str, str], bool] = {}  # see _may_start
        # verb lemma -> (trigger, subject nouns): "troops arrived", "forces crossed"
        self.subject_verbs: dict[str, tuple[Trigger, frozenset[str]]] = {}
        for type_, nouns, verbs in _subject_verb_tables(os.environ.get("WIREWATCH_LEXICONS")):
            base = lexicon.types.get(type_)
            if base is None:
                continue
            for verb in verbs:
                trig, known = self.subject_verbs.get(verb, (base, frozenset()))
                self.subject_verbs[verb] = (trig, known | nouns)
        cues = lexicon.cues
        self.reporting = cues["reporting"]["neutral"] | cues["reporting"]["hedged"]
        self.hedged_reporting = cues["reporting"]["hedged"]
        self.documents = cues["reporting"].get("documents", set())
        self.collectives = frozenset(cues.get("collectives", {}).get("nouns", set()))
        self.stimulus_verbs = frozenset(cues.get("stimulus", {}).get("lemmas", set()))
        questions = cues.get("questions", {})
        self.question_verbs = frozenset(questions.get("verbs", set()))
        self.question_topics = frozenset(questions.get("topics", set()))
        self.question_marks = frozenset(questions.get("marks", set()))
        openers = sorted(cues.get("credits", {}).get("openers", set()), key=len, reverse=True)
        self._credit = (
            re.compile(
                r"\s*[\[(]\s*(?:" + "|".join(re.escape(o) for o in openers) + r")\b"
                r"[^\[\]()\n]*[\])][\s.]*",
                re.I,
            )
            if openers
            else None
        )

    def is_credit(self, text: str) -> bool:
        """A line that only credits a picture or a document (cues.toml ``[credits]``)."""
        return self._credit is not None and self._credit.fullmatch(text) is not None

    def credit_lines(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges of the sentences that are such lines."""
        index = doc_index(doc)
        return [
            (s.start, s.end) for s in index.sents
            if self.is_credit(index.span_text(s.start, s.end))
        ]  # fmt: skip

    # -- triggers --------------------------------------------------------------------------

    def find_triggers(self, sent: Span, entities: list[EntityRef]) -> list[_Hit]:
        blocked = {i for e in entities if e.kind is not None for i in range(e.start, e.end)}
        hits: list[_Hit] = []
        doc = sent.doc
        toks = doc_index(doc).toks
        words = toks[sent.start : sent.end]
        known, may_start = self._starters.get, self._may_start
        free = sent.start  # the first token no hit has taken
        starts = [
            t for t in words if (m := known((t.lower_, t.lemma_))) or (m is None and may_start(t))
        ]  # fmt: skip
        for tok in starts:
            i = tok.i
            if i < free or i in blocked:
                continue
            hit = self._phrase_at(doc, i, sent.end, toks)
            if hit is None:
                hit = self._word_at(tok)
            if hit is not None and not self._is_modifier_only(hit):
                hits.append(hit)
                free = hit.tokens[-1].i + 1
        verbs = [t for t in words if t.pos_ == "VERB"]
        hits = self._verb_objects(verbs, hits, blocked)
        hits += self._subject_verbs(verbs, hits)
        hits += self._directives(verbs, hits)
        hits.sort(key=lambda h: h.tokens[0].i)
        merged = self._merge(hits)
        for hit in merged:
            # "a separate meeting with Blinken", "a standalone meeting": the text itself says
            # this is not the event around it, so it must not merge with the named one.
            if (
                hit.trigger.nominal
                and not hit.label
                and any(c.dep_ == "amod" and c.lower_ in _SEPARATE for c in hit.head.children)
            ):
                hit.label = f"separate {hit.head.lemma_.lower()}"
        return merged

    def _verb_objects(self, verbs: list[Tok], hits: list[_Hit], blocked: set[int]) -> list[_Hit]:
        """ "lifted a night curfew", "upgraded their diplomatic ties": a verb and its object
        noun, with any words between, make one event whose type the pair decides."""
        for tok in verbs:
            if tok.lemma_.lower() not in self.pair_verbs:
                continue
            lemma = tok.lemma_.lower()
            prt = tuple(c.lower_ for c in tok.children if c.dep_ == "prt")
            for obj in tok.children:
                if obj.dep_ not in ("dobj", "nsubjpass") or obj.i in blocked:
                    continue
                trig = None
                # "two tonnes of medicine": the measured noun decides, not the measure.
                nouns = [obj]
                if obj.lemma_.lower() in _measure_nouns():
                    nouns += [g for p in obj.children if p.dep_ == "prep" and p.lower_ == "of"
                              for g in p.children if g.dep_ == "pobj"]  # fmt: skip
                for noun in (w for n in nouns for w in (n.lemma_.lower(), n.lower_)):
                    trig = self.pairs.get((lemma, *prt, noun)) or self.pairs.get((lemma, noun))
                    if trig is not None:
                        break
                if trig is None:
                    continue
                hits = [h for h in hits if not ({tok.i, obj.i} & {t.i for t in h.tokens})]
                hits.append(_Hit([tok], trig, None, trig.mode, extra=[obj]))
                break
        return hits

    def _subject_verbs(self, verbs: list[Tok], hits: list[_Hit]) -> list[_Hit]:
        """ "1,500 special forces had arrived in ...": a verb that is an event by its subject."""
        taken = {t.i for h in hits for t in h.tokens}
        out: list[_Hit] = []
        for tok in verbs:
            entry = self.subject_verbs.get(tok.lemma_.lower())
            if entry is None or tok.i in taken:
                continue
            trig, nouns = entry
            for subj in (c for c in tok.children if c.dep_ == "nsubj"):
                heads = [subj] + [
                    o for p in subj.children if p.dep_ == "prep" and p.lower_ == "of"
                    for o in p.children if o.dep_ == "pobj"
                ]  # fmt: skip
                if any(h.lower_ in nouns or h.lemma_.lower() in nouns for h in heads):
                    out.append(_Hit([tok], trig, None, trig.mode))
                    break
        return out

    def _directives(self, verbs: list[Tok], hits: list[_Hit]) -> list[_Hit]:
        """ "Russia said that Sudan must return the helicopter": a statement that someone must
        or should act is a demand on them (REQUEST) by the speaker."""
        out: list[_Hit] = []
        taken = {t.i for h in hits for t in h.tokens}
        base = self.lex.types.get("REQUEST")
        if base is None:
            return out
        for tok in verbs:
            if tok.i in taken or tok.lemma_.lower() not in self.reporting:
                continue
            for comp in tok.children:
                if comp.dep_ != "ccomp":
                    continue
                modal = [c for c in comp.children if c.dep_ == "aux" and c.lower_ in _MUST]
                if modal and any(c.dep_ in ("nsubj", "nsubjpass") for c in comp.children):
                    out.append(_Hit([tok], base, None, None, extra=modal[:1], directive=True))
                    break
        return out

    def _may_start(self, tok: Tok) -> bool:
        """Whether ``_phrase_at`` or ``_word_at`` can find anything at ``tok``, by its words
        alone: most tokens cannot, and the answer is kept per (word, lemma)."""
        key = (tok.lower_, tok.lemma_)
        found = self._starters.get(key)
        if found is None:
            if len(self._starters) > 200_000:
                self._starters.clear()
            lower, lemma = key
            folded = lemma.lower()
            firsts, lex = self.phrase_firsts, self.lex
            found = self._starters[key] = (
                lower in firsts or lemma in firsts or folded in firsts
                or folded in lex.verbs or lower in lex.nouns or folded in lex.nouns
            )  # fmt: skip
        return found

    def _phrase_at(self, doc: Doc, i: int, end: int, toks: list[Tok] | None = None) -> _Hit | None:
        toks = toks if toks is not None else doc_index(doc).toks
        tok = toks[i]
        lower = tok.lower_
        lemma = tok.lemma_
        if lower not in self.phrase_firsts and lemma not in self.phrase_firsts:
            lemma = lemma.lower()
            if lemma not in self.phrase_firsts:
                return None  # most tokens start no phrase
        else:
            lemma = lemma.lower()
        lists = [
            self.lex.verb_phrases.get(lemma) if tok.pos_ == "VERB" else None,
            self.lex.noun_phrases.get(lower),
            self.lex.noun_phrases.get(lemma) if lemma != lower else None,
        ]
        found = [entries for entries in lists if entries]
        if not found:
            return None  # most tokens start no phrase: skip the sort
        candidates = found[0] if len(found) == 1 else sorted(
            (e for entries in found for e in entries), key=lambda c: -len(c[0])
        )  # fmt: skip
        for parts, trig in candidates:
            n = len(parts)
            if i + n > end:
                continue
            words = toks[i : i + n]
            # Any word may be inflected: "called for" matches "call for", "talks" "talk".
            if all(
                w.lower_ == p or w.lemma_.lower() == p for w, p in zip(words, parts, strict=True)
            ):
                return _Hit(words, trig, trig.label, trig.mode)
        return None

    def _word_at(self, tok: Tok) -> _Hit | None:
        lemma = tok.lemma_.lower()
        if tok.pos_ == "VERB" and lemma in self.lex.verbs:
            allowed = self.lex.objects.get(lemma)
            if allowed is not None:
                # "launched a missile" is a test; "launched the body", "launched talks" not.
                objs = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
                if not objs and any(c.dep_ == "auxpass" for c in tok.children):
                    objs = self._subjects(tok)  # "MSMT ... was launched": a shared subject
                # the object, its compounds, and its "of" noun ("thousands of troops")
                words = [
                    w for o in objs for w in [
                        o, *(c for c in o.children if c.dep_ == "compound"),
                        *(g for p in o.children if p.dep_ == "prep" and p.lower_ == "of"
                          for g in p.children if g.dep_ == "pobj"),
                    ]
                ]  # fmt: skip
                if objs and not any(
                    w.lower_ in allowed or w.lemma_.lower() in allowed for w in words
                ):
                    return None
            if lemma in self.question_verbs and self._is_question(tok):
                return None
            trig = self.lex.verbs[lemma]
            return _Hit([tok], trig, None, trig.mode)
        if tok.ent_type_ in _NOT_EVENT_ENTS:
            return None  # "in March 2021": a month named like an event noun
        if tok.pos_ in ("NOUN", "PROPN"):
            noun = self.lex.nouns.get(tok.lower_) or self.lex.nouns.get(lemma)
            if noun is not None:
                return _Hit([tok], noun, None, noun.mode)
        return None

    def _is_question(self, verb: Tok) -> bool:
        """ "asked about the election", "asked whether talks would resume": a question put,
        with nothing asked for."""
        asked_about = False
        for c in verb.children:
            dep, word = c.dep_, c.lower_
            if dep == "xcomp" or (dep == "prep" and word == "for"):
                return False  # "asked Iran to release", "asked for aid"
            if dep == "prep" and word in self.question_topics:
                asked_about = True
            elif dep == "ccomp":
                marks = {m.lower_ for m in c.children if m.dep_ == "mark"}
                if "that" in marks:
                    return False  # "asked that the envoy be recalled"
                first = c.left_edge
                if marks & self.question_marks or first.tag_ in ("WDT", "WP", "WP$", "WRB"):
                    asked_about = True
        return asked_about

    def _is_modifier_only(self, hit: _Hit) -> bool:
        """ "meeting framework", "dialogue partner": a trigger noun modifying a non-event noun."""
        if not hit.trigger.nominal:
            return False
        # the phrase's own root: "2+2" in "a 2+2 meeting framework" hangs from "framework"
        inside = {t.i for t in hit.tokens}
        last = next((t for t in hit.tokens if t.head.i not in inside), hit.tokens[-1])
        head = last.head
        if (
            last.dep_ not in ("compound", "amod", "nmod", "nummod")
            or head.pos_ not in ("NOUN", "PROPN")
            or head.i in inside
        ):
            return False
        return self._word_at(head) is None and self._phrase_at(head.doc, head.i, head.i + 1) is None

    @staticmethod
    def _noun_head(tok: Tok) -> Tok:
        while (
            tok.dep_ in ("compound", "nmod", "amod", "appos", "nummod")
            and tok.head.pos_ in ("NOUN", "PROPN")
            and tok.head.i != tok.i
        ):
            tok = tok.head
        return tok

    def _merge(self, hits: list[_Hit]) -> list[_Hit]:
        """One mention per event phrase: words on one noun phrase, or a noun under its verb."""
        merged: list[_Hit] = []
        for hit in hits:
            host = None
            absorbed = False
            for other in merged:
                if other.trigger.type != hit.trigger.type:
                    continue
                if (
                    hit.trigger.nominal
                    and other.trigger.nominal
                    and (
                        self._noun_head(hit.head).i == self._noun_head(other.head).i
                        or (hit.head in other.head.ancestors or other.head in hit.head.ancestors)
                        and not _semicolon_between(hit.head, other.head)
                    )
                    or not other.trigger.nominal
                    and hit.trigger.nominal
                    and other.head in hit.head.ancestors
                    and self._within_clause(hit.head, other.head)
                    and not _semicolon_between(hit.head, other.head)
                ):
                    host = other
                elif self._purpose_of(hit, other):
                    other.absorbed += hit.tokens
                    host = other
                    absorbed = True
                elif (
                    not hit.trigger.nominal
                    and other.trigger.nominal
                    and hit.head in other.head.ancestors
                    and self._within_clause(other.head, hit.head)
                    and not _semicolon_between(hit.head, other.head)
                ):
                    hit.extra, hit.label = other.tokens, hit.label or other.label
                    hit.mode = hit.mode or other.mode
                    merged[merged.index(other)] = hit
                    host = hit
                if host is not None:
                    break
            if host is None:
                merged.append(hit)
            elif host is not hit and not absorbed:
                host.extra += hit.tokens
                host.label = host.label or hit.label
                host.mode = host.mode or hit.mode
        # "launched an attack", "made an offer": a light verb whose object is an event noun
        # of another type is only its support.
        merged = [
            hit for hit in merged
            if hit.trigger.nominal or hit.head.lemma_.lower() not in _LIGHT_VERBS
            or not any(
                o.trigger.nominal and o.trigger.type != hit.trigger.type
                and o.head.head.i == hit.head.i and o.head.dep_ in ("dobj", "attr")
                for o in merged
            )
        ]  # fmt: skip
        # "agreed to hold the meeting": a verb of agreeing that only introduces a meeting makes
        # it planned; the meeting is the event.
        out = []
        for hit in merged:
            introduced = [o for o in merged if o is not hit and hit.head in o.head.ancestors]
            if (
                not hit.trigger.nominal
                and hit.head.lemma_.lower() in _AGREE_TO_MEET
                and introduced
                and all(o.trigger.type == "CONSULT" for o in introduced)
            ):
                continue
            out.append(hit)
        # "offered to release", "threatened to ban", "refused to deploy": what a speech act
        # offers, threatens or refuses is its content, not a second event.
        return [
            hit for hit in out
            if not any(
                o is not hit and not o.trigger.nominal and o.trigger.type in _SPEECH_ACTS
                and self._is_content_of(hit, o)
                for o in out
            )
        ]  # fmt: skip

    @staticmethod
    def _purpose_of(hit: _Hit, other: _Hit) -> bool:
        """ "will hold a meeting on Thursday to discuss ...": the talk the meeting is for is the
        meeting itself."""
        tok = hit.head
        if hit.trigger.nominal or tok.dep_ not in ("advcl", "acl", "xcomp", "relcl"):
            return False
        if not (hit.trigger.symmetric and other.trigger.symmetric):
            return False  # "a hunger strike to protest against X": X is the strike's target
        if not any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
            return False
        up = tok.head
        own = {t.i for t in other.tokens + other.extra}
        return up.i in own or (up.lemma_.lower() in _LIGHT_VERBS and other.head.head.i == up.i)

    @staticmethod
    def _is_content_of(hit: _Hit, act: _Hit) -> bool:
        """Is ``hit`` the complement of the verb ``act`` ("threatened to [ban]", "promised
        [aid]"), without crossing into a clause of its own?"""
        if act.head not in hit.head.ancestors:
            return False
        cur = hit.head
        while cur.i != act.head.i:
            if cur.dep_ in _CLAUSAL or cur.dep_ in ("conj", "acl") or cur.dep_ == "ccomp":
                return False
            if cur.dep_ == "advcl":
                return False
            cur = cur.head
        return True

    @staticmethod
    def _within_clause(low: Tok, high: Tok) -> bool:
        """No clause boundary between a token and its ancestor."""
        cur = low
        while cur.i != high.i:
            if cur.dep_ in _CLAUSAL:
                return False
            cur = cur.head
        return True

    # -- structure --------------------------------------------------------------------------

    def _met_by_subject(self, head: Tok, gov: Tok) -> bool:
        """ "react to any changes in threats": an event noun in the object of a verb of
        response is done by someone other than that verb's subject."""
        if head.i == gov.i or gov.lemma_.lower() not in self.stimulus_verbs:
            return False
        # the word on the path from the event noun that hangs from the verb
        below = next((t for t in [head, *head.ancestors] if t.head.i == gov.i), None)
        return below is not None and below.dep_ in ("dobj", "prep", "pobj")

    @staticmethod
    def governing_verb(tok: Tok) -> Tok:
        cur = tok
        while cur.pos_ not in ("VERB", "AUX") and cur.head.i != cur.i:
            cur = cur.head
        return cur

    @staticmethod
    def clause(gov: Tok, trigger: Tok) -> set[int]:
        path = {t.i for t in trigger.ancestors} | {trigger.i}
        keep: set[int] = set()
        todo = [gov]
        while todo:
            tok = todo.pop()
            keep.add(tok.i)
            for child in tok.children:
                dep = child.dep_
                nested = dep in _CLAUSAL or (
                    dep == "conj" and child.pos_ in ("VERB", "AUX")
                    and any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children)
                )  # fmt: skip
                if not nested or child.i in path:
                    todo.append(child)
        return keep

    # -- who says so ------------------------------------------------------------------------

    def speakers(
        self, sent: Span, entities: list[EntityRef], recent: list[EntityRef]
    ) -> dict[int, list[EntityRef]]:
        """Who asserts what in a sentence: reporting verb index -> its speakers, and -1 ->
        the sources of "according to X". ``recent`` are earlier speakers of the article, for
        "it said", "the agency added"."""
        out: dict[int, list[EntityRef]] = {}
        doc = sent.doc
        for tok in doc_index(sent.doc).span(sent.start, sent.end):
            if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in self.reporting:
                subj = [
                    c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")
                    # "Youths resorted to ..., officials said": the youths say nothing
                    and not any(
                        a.dep_ == "acl" and self._fragment_subject(a) is c for a in c.children
                    )
                ]  # fmt: skip
                refs: list[EntityRef] = []
                for s in subj:
                    for c in [s, *(c for c in s.conjuncts if c.i > s.i)]:
                        refs += [r for r in self._speaker(c, entities, recent) if r not in refs]
                if refs:
                    out[tok.i] = refs
            elif tok.lower_ == "according" and tok.i + 1 < sent.end:
                to = doc_index(doc).toks[tok.i + 1]
                if to.lower_ == "to":
                    for obj in (c for c in to.children if c.dep_ == "pobj"):
                        out.setdefault(-1, []).extend(self._speaker(obj, entities, recent))
        return out

    def _speaker(
        self, tok: Tok, entities: list[EntityRef], recent: list[EntityRef]
    ) -> list[EntityRef]:
        doc = tok.doc
        ids = tok.subtree_ids
        own = [e for e in entities if e.kind and e.start <= tok.i < e.end]
        if own:
            return own
        # "South Korea's spy agency", "Ukraine's military intelligence agency": a description
        # that the knowledge base knows as one body.
        if tok.pos_ == "NOUN" and self.kb is not None:
            left = tok.left_edge
            while left.i < tok.i and left.dep_ in ("det", "punct"):
                left = doc_index(doc).toks[left.i + 1]
            if left.i < tok.i:
                phrase = doc[left.i : tok.i + 1]
                known = self.kb.lookup(phrase.text)
                if known is not None and known.kind != "country":
                    return [
                        EntityRef(
                            left.i, tok.i + 1, phrase.start_char, phrase.end_char, phrase.text,
                            known.name, known.kind, known.country, known.id, known.sector,
                        )
                    ]  # fmt: skip
        inside = [e for e in entities if e.start in ids and e.kind]
        if inside:
            return inside
        # "it said", "the ministry added", "the agency also reported": an earlier speaker.
        word = tok.lower_
        definite = any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children)
        for ref in reversed(recent):
            if word == "it" and ref.kind in ("organization", "igo", "group", "country"):
                return [ref]
            if word in ("he", "she") and ref.kind == "person":
                return [ref]
            if definite and tok.pos_ == "NOUN" and word in ref.surface.lower().split():
                return [ref]
        return []

    # -- one mention -----------------------------------------------------------------------

    def code(
        self,
        sent: Span,
        hit: _Hit,
        entities: list[EntityRef],
        timexes: list[Timex],
        published: date | None,
        previous_subjects: list[EntityRef],
        speakers: dict[int, list[EntityRef]] | None = None,
        issuers: list[EntityRef] | None = None,
        triggers: set[int] | None = None,
        parties: list[EntityRef] | None = None,
    ) -> tuple[dict[str, Any], list[EntityRef]] | None:
        doc = sent.doc
        toks = doc_index(doc).toks
        head = hit.head
        gov = self.governing_verb(head)
        # An event noun that another event's verb is about ("condemned the deployment",
        # "will discuss the deployment"): its actors, date and status are its own.
        own = set(head.subtree_ids)
        # "discuss the deployment of troops to Russia": the parser often hangs the direction
        # of a movement on the verb that talks about it.
        if hit.trigger.type in _DIRECTED:
            for c in gov.children:
                if c.dep_ == "prep" and c.lower_ in ("to", "into") and c.i > head.i:
                    for obj in (o for o in c.children if o.dep_ == "pobj"):
                        for t in [obj, *obj.conjuncts]:
                            own |= {x.i for x in t.subtree if x.dep_ != "appos"} - {
                                y.i for a in t.children if a.dep_ == "appos" for y in a.subtree
                            }
        embedded = bool(
            hit.trigger.nominal
            and triggers
            and gov.i in triggers
            and gov.i not in {t.i for t in hit.tokens + hit.extra}
            and gov.lemma_.lower() not in _LIGHT_VERBS
            and self._within_clause(head, gov)
            # "threw stones during demonstrations": the frame of the act, not what it is about
            and not (head.dep_ == "pobj" and head.head.lower_ in _FRAME_PREPS)
        )
        # "is likely to veto", "agreed to hold": the clause runs up to the verb whose
        # complement the trigger is, which is where the subject sits.
        top = gov
        while top.dep_ in ("xcomp", "acomp") and top.head.i != top.i:
            top = top.head
        clause = self.clause(top, head)
        negated = any(c.dep_ == "neg" for c in gov.children) and (
            gov.i == head.i or gov.lemma_ in _LIGHT_VERBS
        )
        in_clause = [
            e for e in entities
            if e.start in clause and sent.start <= e.start < sent.end and not e.consumed
        ]  # fmt: skip
        # Attribution: the subject of the nearest reporting verb above the trigger,
        # or "according to X".
        attribution: list[EntityRef] = []
        hedged_by_reporter = False
        announced = False
        speakers = speakers if speakers is not None else self.speakers(sent, entities, [])
        for anc in [gov, *gov.ancestors]:
            if anc.lemma_.lower() in self.reporting and anc.i != head.i:
                attribution = list(speakers.get(anc.i, []))
                hedged_by_reporter = anc.lemma_.lower() in self.hedged_reporting
                # "Italy announced a suspension of air links": a reported event noun is the
                # speaker's own act, so the speaker is its source as well as its attribution.
                announced = anc.i == gov.i and hit.trigger.nominal and head.i != anc.i
                break
        attribution += [e for e in speakers.get(-1, []) if e not in attribution]
        attr_ids = set() if announced else {id(e) for e in attribution}

        # "talks amid troops in Russia": a place inside the background is not the event's.
        background: set[int] = set()
        for w in {head, gov, *hit.tokens}:
            for c in w.children:
                if c.dep_ == "prep" and c.lower_ in _FRAME_PREPS:
                    frame = c.subtree_ids
                    if head.i not in frame:  # the event itself may be the frame's object
                        background |= frame
        place_ref = self._place([e for e in in_clause if e.start not in background], doc)
        # "have backed Kyiv since Moscow's attack": who acts in the event a state dates from is
        # not an actor of the state.
        anchor: set[int] = set()
        for w in {head, gov}:
            for c in w.children:
                if (
                    c.dep_ == "prep"
                    and c.lower_ == "since"
                    and head.i not in c.subtree_ids
                    and any(o.i in (triggers or ()) for o in c.children if o.dep_ == "pobj")
                ):
                    anchor |= c.subtree_ids
        actors = [
            e for e in in_clause
            if e.kind is not None and id(e) not in attr_ids and e is not place_ref
            and not self._is_locative(e, doc) and not self._in_apposition(e, doc)
            and e.start not in anchor
        ]  # fmt: skip
        subjects = self._subjects(gov)
        host = gov.head
        if gov.dep_ == "acl" and self._is_document(host) and host.head.pos_ in ("VERB", "AUX"):
            # "issued a statement condemning X": the issuer condemns, not the statement.
            subjects = self._subjects(host.head)
        if announced:
            actors += [e for e in attribution if e not in actors]
        shared = {i for sub in subjects for i in _own_words(sub, gov)} - clause
        if shared:
            actors += [
                e for e in entities
                if e.start in shared and e.kind and not e.consumed and id(e) not in attr_ids
                and e not in actors
            ]  # fmt: skip
        # "Lammy, who met Yoon": the relative pronoun stands for the noun the clause modifies.
        if gov.dep_ == "relcl" and any(t.lower_ in ("who", "which", "that") for t in subjects):
            owner = gov.head
            actors = [e for e in entities if e.start <= owner.i < e.end and e.kind] + actors
            subjects = [owner]
        # "The statement condemned ...": a document speaks for whoever issued it.
        if issuers and subjects and all(self._is_document(t) for t in subjects):
            actors = list(issuers) + [e for e in actors if e not in issuers]
            subjects = subjects + [toks[e.start] for e in issuers if e.start < len(toks)]
        # "The two sides agreed", "Both ministers condemned": the parties named before.
        elif parties and any(self._is_collective(t, entities) for t in subjects):
            actors = list(parties) + [e for e in actors if e not in parties]
            subjects = subjects + [toks[e.start] for e in parties if e.start < len(toks)]
        # Pronoun subjects ("they condemn"): the subject of the clause above, else the last
        # sentence's subject.
        elif any(is_pronoun(t) for t in subjects):
            above = [a for a in gov.ancestors if a.pos_ in ("VERB", "AUX")]
            resolved: list[EntityRef] = []
            for anc in above:
                ids = {t.i for s in self._subjects(anc) for t in s.subtree}
                # "Syria says it will withdraw": the pronoun is the speaker, who is then both
                # the source and the attribution.
                resolved = [e for e in entities if e.start in ids and e.kind]
                if resolved:
                    break
            if not resolved:
                resolved = list(previous_subjects)
            actors = resolved + [e for e in actors if e not in resolved]
            subjects = subjects + [toks[e.start] for e in resolved if e.start < len(toks)]
        # "demanded that Hamas renounce ...", "said that Sudan must return ...": the subject of
        # the demanded clause is the target of the demand.
        addressees: list[EntityRef] = []
        if hit.trigger.type in _DIRECTIVE and not hit.trigger.nominal:
            for comp in gov.children:
                if comp.dep_ not in ("ccomp", "xcomp") or comp.pos_ not in ("VERB", "AUX"):
                    continue
                ids = {t.i for s in self._subjects(comp) for t in s.subtree}
                addressees += [
                    e for e in entities
                    if e.start in ids and e.kind and not e.consumed and e not in actors
                    and not self._is_locative(e, doc)
                ]  # fmt: skip
            actors = actors + addressees
        if embedded or self._met_by_subject(head, gov):
            actors = [e for e in actors if e.start in own]
        elif (
            hit.trigger.nominal
            and head.dep_ == "pobj"
            and head.head.lower_ in _ANCHOR_PREPS
            and any(e.start in own for e in actors)
        ):
            # "allies of Ukraine since Russia's invasion": an event that only dates the clause
            # is another event, with the actors its own phrase names.
            actors = [e for e in actors if e.start in own]
        if hit.trigger.nominal and not actors:
            # "the acts of North Korea, including an ICBM test": an example of something
            # someone did is theirs.
            actors = self._example_owner(head, entities)
        pron_owner: EntityRef | None = None
        if hit.trigger.nominal and not any(e.start in own and e.start < head.i for e in actors):
            # "the deployment of its troops": the owner named by a pronoun is the nearest
            # actor before it in the sentence, else the last sentence's subject.
            found = self._possessive_owner(head, entities, previous_subjects)
            if found is not None:
                pron_owner, owned = found
                # "its troops": the troops are the owner's, not a second actor
                actors = [e for e in actors if not e.start <= owned.i < e.end]
                if pron_owner not in actors:
                    actors.append(pron_owner)
        if not actors and not hit.label:
            return None

        type_ = hit.trigger.type
        intent = None
        if negated and type_ in _REFUSABLE:
            # "will not accept", "did not agree": a refusal, not the positive event.
            type_, negated = "REJECT", False
        else:
            intent = self._intent_type(type_, hit, gov)
        if (
            type_ == "MOBILIZE"
            and not hit.trigger.nominal
            and any(
                c.dep_ == "prep"
                and c.lower_ in ("at", "on", "into", "upon")
                and not any(t.ent_type_ in ("DATE", "TIME") for t in c.subtree)
                for c in [
                    *head.children,
                    *(g for o in head.children if o.dep_ == "dobj" for g in o.children),
                ]
            )
        ):
            type_ = "ASSAULT"  # "fired shells at", "opened fire on": not a test launch

        symmetric = hit.trigger.symmetric and type_ == hit.trigger.type
        roles = self._roles(hit, gov, actors, subjects, entities, symmetric)
        if pron_owner is not None and not symmetric:
            roles = [(e, "source" if e is pron_owner else r) for e, r in roles]
        if addressees:
            roles = [(e, "target" if e in addressees else r) for e, r in roles]
        if (intent or type_) == "THREATEN":
            # "will withdraw unless the president ...", "threatened to ban voting if Hamas
            # ran": whoever the condition is about is the target of the threat.
            known = {id(e) for e, _ in roles}
            roles += [
                (e, "target") for e in self._condition_subjects(gov, entities)
                if id(e) not in known and not e.consumed
            ]  # fmt: skip
        if (
            not hit.trigger.symmetric
            and type_ not in ("AGREE", "CONSULT", "COOPERATE")
            and not any(r == "target" for _, r in roles)
        ):
            # "fired shells at targets in Jericho", "lifted the curfew in Montenegro": with no
            # one named as the target, the place where it happens is what it is done to.
            where = place_ref or next(
                (e for e in in_clause if e.place is not None and self._is_locative(e, doc)), None
            )
            if where is not None and where.country:
                roles.append((where, "target"))
        if type_ in _UNNAMED_ATTACKS and not any(r in ("source", "participant") for _, r in roles):
            # "A roadside bomb near the town of Samarra killed a U.S. soldier", "was arrested
            # in Lebanon": an attack or arrest no one is named for is done by someone of the
            # place it happens in (its country's insurgents, police, authorities).
            where = place_ref or next(
                (e for e in in_clause if e.place is not None and self._is_locative(e, doc)), None
            )
            if where is not None and where.country and not any(e is where for e, _ in roles):
                roles.insert(0, (where, "source"))
        roles = _one_side_each(roles, head, sent)
        if not roles:
            return None

        # A date inside another event named within this one is that event's ("criticized the
        # acts of X, including an ICBM test on October 31").
        nested: set[int] = set()
        for i in triggers or ():
            other = toks[i]
            if i != head.i and other.pos_ in ("NOUN", "PROPN") and head.is_ancestor(other):
                nested |= other.subtree_ids
        trigger_ids = {t.i for t in hit.tokens + hit.extra}
        timex = self._date((own if embedded else clause) - nested, doc, timexes, head, trigger_ids)
        # "convene a meeting with the US, paired with talks with Canada": a participle hanging
        # from an event noun shares the status of the verb above that noun.
        status_gov = gov
        while (
            status_gov.dep_ in ("acl", "advcl") and status_gov.tag_ in ("VBN", "VBG")
            and not any(c.dep_ in ("nsubj", "nsubjpass") for c in status_gov.children)
            and status_gov.head.i != status_gov.i
        ):  # fmt: skip
            status_gov = self.governing_verb(status_gov.head)
        status, cue = self._status(
            sent, hit, status_gov, negated, hedged_by_reporter, timex, published, embedded
        )
        if status is None:
            return None
        if type_ == "REJECT" and hit.trigger.type in _REFUSABLE and status == "planned":
            status, cue = "occurred", None  # "will not accept": the refusal is made now
        if intent is not None:
            # The promise or threat itself has been made: "will" dates what is promised.
            type_ = intent
            if status == "planned":
                status, cue = "occurred", None
        subject_refs = [e for e, role in roles if role in ("source", "participant")]
        mention: dict[str, Any] = {
            "type": type_,
            "cameo": (
                hit.trigger.cameo if type_ == hit.trigger.type else self.lex.types[type_].cameo
            )
            or None,
            "mode": hit.mode,
            "label": hit.label,
            "status": status,
            "status_cue": cue,
            "sentence": _char(doc, sent.start_char, sent.end_char),
            "trigger": _span_of(hit.tokens + hit.extra) if hit.extra else _span_of(hit.tokens),
            "actors": [_actor(e, role) for e, role in roles],
            "attributed_to": [_actor(e, "attribution") for e in attribution],
            "quantities": self._quantities(doc, clause, sent),
        }
        if timex is not None:
            first, last = timex.first_day, timex.last_day
            span = CharSpan(timex.start, timex.end, timex.text)
            if timex.range_first is not None:
                # one end of "from Monday to Wednesday": the event spans the whole range
                first, last = timex.range_first, timex.range_last
                span = _range_span(doc, timex, timexes)
            mention["date_start"] = first.isoformat() if first else None
            mention["date_end"] = last.isoformat() if last else None
            mention["date_span"] = span
        if place_ref is not None and place_ref.place is not None:
            mention["location_name"] = place_ref.place.name
            mention["location_country"] = place_ref.place.country
            mention["location_span"] = _char(doc, place_ref.start_char, place_ref.end_char)
        mention["confidence"] = _confidence(mention, hit)
        return mention, subject_refs

    @staticmethod
    def _condition_subjects(gov: Tok, entities: list[EntityRef]) -> list[EntityRef]:
        verbs = [gov, *[c for c in gov.children if c.dep_ == "xcomp"]]
        ids: set[int] = set()
        for verb in verbs:
            for adv in verb.children:
                if adv.dep_ == "advcl" and any(
                    m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in adv.children
                ):
                    ids |= {t.i for s in SentenceCoder._subjects(adv) for t in s.subtree}
        return [e for e in entities if e.start in ids and e.kind]

    @staticmethod
    def _intent_type(type_: str, hit: _Hit, gov: Tok) -> str | None:
        """Promises and threats: PLOVER codes what is offered or threatened by the intent.

        "will release", "offered to negotiate", "is willing to withdraw" express an intent to
        cooperate (AGREE); "would boycott", "will withdraw unless", "will strike if" are
        threats (THREATEN).
        """
        chain = [gov]
        while chain[-1].dep_ in ("xcomp", "acomp") and chain[-1].head.i != chain[-1].i:
            chain.append(chain[-1].head)
        modals = {
            c.lower_ for t in chain for c in t.children if c.dep_ in ("aux", "auxpass")
        } & _FUTURE_MODALS
        intent = {t.lemma_.lower() for t in chain[1:]} & _INTENT_WORDS
        if gov.i != hit.head.i and gov.lemma_.lower() in _INTENT_WORDS:
            intent.add(gov.lemma_.lower())
        conditions = {
            m.lower_
            for t in chain for c in t.children if c.dep_ == "advcl"
            for m in c.children if m.dep_ == "mark" and m.lower_ in ("if", "unless")
        }  # fmt: skip
        if not (modals or intent):
            return None
        if "unless" in conditions or (conditions and type_ in _HOSTILE):
            return "THREATEN"
        if type_ in _HOSTILE and type_ != "RETREAT":
            if intent & {"vow", "swear"} or (modals - {"will", "'ll", "shall"}):
                return "THREATEN"
            return None
        if type_ in _COOPERATIVE:
            return "AGREE"
        if type_ == "CONSULT" and intent - _AGREE_TO_MEET:
            return "AGREE"
        return None

    def _is_collective(self, tok: Tok, entities: list[EntityRef]) -> bool:
        """ "the two sides", "both ministers", "the foreign ministers of both countries": a
        plural noun (cues.toml ``[collectives]``) under "the", "both" or "two" that names no
        actor of its own."""
        if tok.lower_ not in self.collectives or tok.tag_ not in ("NNS", "NNPS"):
            return False
        if not any(
            c.dep_ in ("det", "predet", "nummod", "quantmod") and c.lower_ in ("the", "both", "two")
            for c in tok.children
        ):
            return False
        inside = tok.subtree_ids
        return not any(e.start in inside and e.kind for e in entities)

    @staticmethod
    def _subjects(verb: Tok) -> list[Tok]:
        subs = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
        if subs or verb.head.i == verb.i:
            return subs
        if verb.dep_ == "acl" and verb.tag_ in ("VBG", "VBD") and verb.head.pos_ != "VERB":
            return [verb.head]  # "protesters demanding reforms"
        if _reduced_passive(verb):
            return [verb.head]  # "two soldiers killed in an ambush": who underwent it
        fragment = SentenceCoder._fragment_subject(verb)
        if fragment is not None:
            return [fragment]
        if verb.dep_ in ("xcomp", "acomp", "conj", "acl"):
            return SentenceCoder._subjects(verb.head)
        # "mobilized pressure groups to help support ...": an infinitive of purpose shares the
        # subject of the verb it serves.
        if (
            verb.dep_ == "advcl"
            and verb.head.pos_ in ("VERB", "AUX")
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        ):
            return SentenceCoder._subjects(verb.head)
        # "resorted to throwing stones": a verb under a preposition shares the subject of the
        # verb it hangs from.
        if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" and verb.head.head.pos_ == "VERB":
            return SentenceCoder._subjects(verb.head.head)
        return subs

    @staticmethod
    def _fragment_subject(verb: Tok) -> Tok | None:
        """ "Doctors from two aid groups donated medicine to ...": when the parser found no
        main verb (the sentence's root is a noun), an active participle with an object that
        hangs inside the root's phrase is the main verb, and the root its subject. So when
        the noun it hangs from is a second subject of a reporting verb ("Youths resorted to
        throwing stones, officials said"). A passive one ("two soldiers killed in an
        attack") has no object and stays as it is."""
        if verb.dep_ != "acl" or any(c.dep_ in ("agent", "auxpass") for c in verb.children):
            return None
        chain = [verb]
        for v in chain:
            chain += [
                c for c in v.children
                if c.pos_ == "VERB" and c.dep_ in ("conj", "xcomp")
                or c.dep_ == "prep" and any(g.dep_ == "pcomp" for g in c.children)
            ]  # fmt: skip
            chain += [g for c in v.children if c.dep_ == "prep" for g in c.children
                      if g.dep_ == "pcomp" and g.pos_ == "VERB"]  # fmt: skip
            if len(chain) > 8:
                break
        if not any(c.dep_ == "dobj" for v in chain for c in v.children):
            return None
        noun = verb.head
        if noun.dep_ == "nsubj" and any(
            c.dep_ == "nsubj" and c is not noun for c in noun.head.children
        ):
            return noun
        cur = noun
        while cur.head is not cur:
            if cur.pos_ in ("VERB", "AUX"):
                return None
            cur = cur.head
        return cur if cur.pos_ in ("NOUN", "PROPN") and cur.i < verb.i else None

    @staticmethod
    def _example_owner(head: Tok, entities: list[EntityRef]) -> list[EntityRef]:
        if head.dep_ != "pobj" or head.head.lower_ not in _EXAMPLE_PREPS:
            return []
        host = head.head.head
        if host.pos_ not in ("NOUN", "PROPN"):
            return []
        ids = {
            t.i for c in host.children
            if c.dep_ == "poss" or c.dep_ == "prep" and c.lower_ == "of" for t in c.subtree
        }  # fmt: skip
        return [e for e in entities if e.start in ids and e.kind and not e.consumed]

    @staticmethod
    def _possessive_owner(
        head: Tok, entities: list[EntityRef], previous: list[EntityRef]
    ) -> tuple[EntityRef, Tok] | None:
        mods = [c for c in head.children if c.dep_ == "poss"]
        mods += [
            g for p in head.children if p.dep_ == "prep" and p.lower_ == "of"
            for o in p.children for g in o.children if g.dep_ == "poss"
        ]  # fmt: skip
        pron = next((m for m in mods if m.lower_ in ("its", "their")), None)
        if pron is None:
            return None
        before = [
            e for e in entities
            if e.end <= pron.i and e.kind in ("country", "organization", "igo", "group")
            and not e.consumed and e.start >= pron.sent_start
        ]  # fmt: skip
        if before:
            return before[-1], pron.head
        earlier = next((e for e in reversed(previous) if e.kind != "person"), None)
        return (earlier, pron.head) if earlier is not None else None

    def issuers(self, sent: Span, entities: list[EntityRef]) -> list[EntityRef]:
        """Who issued a document in this sentence ("X and Y issued a joint statement")."""
        for tok in doc_index(sent.doc).span(sent.start, sent.end):
            if tok.dep_ == "dobj" and self._is_document(tok) and tok.head.pos_ == "VERB":
                ids = {i for s in self._subjects(tok.head) for i in _own_words(s, tok.head)}
                refs = [e for e in entities if e.start in ids and e.kind and not e.consumed]
                if refs:
                    return refs
        return []

    def _is_document(self, tok: Tok) -> bool:
        if tok.pos_ != "NOUN":
            return False
        words = {tok.lower_, tok.lemma_.lower()}
        words |= {
            f"{c.lower_} {tok.lower_}" for c in tok.children if c.dep_ in ("amod", "compound")
        }
        return bool(words & self.documents)

    @staticmethod
    def _in_apposition(ref: EntityRef, doc: Doc) -> bool:
        """ "Pakistan, a key U.S. ally, ...": a name modifying an apposition describes the
        actor; it is not one."""
        root = doc_index(doc).root(ref.start, ref.end)
        if root.dep_ not in ("compound", "amod", "poss", "nmod", "pobj"):
            return False
        for anc in root.ancestors:
            if anc.dep_ == "appos":
                # "Foreign Minister Cho, Defense Minister Kim, ...": a person set beside
                # another person is the next of a list, not a description of the first.
                head = anc.head
                listed = ref.kind == "person" and head.ent_type_ == "PERSON"
                return not (listed and not ref.start <= head.i < ref.end)
            if anc.pos_ in ("VERB", "AUX"):
                return False
        return False

    @staticmethod
    def _is_locative(ref: EntityRef, doc: Doc) -> bool:
        """A place named after "in"/"at" is where, not who ("meetings in the U.S.")."""
        if ref.place is None:
            return False
        root = _place_root(doc_index(doc).root(ref.start, ref.end))
        return root.dep_ == "pobj" and root.head.lower_ in ("in", "at", "near", "outside", "inside")

    @staticmethod
    def _place(refs: list[EntityRef], doc: Doc) -> EntityRef | None:
        candidates = []
        for ref in refs:
            if ref.place is None:
                continue
            root = _place_root(doc_index(doc).root(ref.start, ref.end))
            prep = root.head
            if root.dep_ == "pobj" and prep.lower_ in ("in", "at", "near", "outside", "inside"):
                city = ref.kind is None or ref.kb_id is None or ref.place.name != ref.name
                candidates.append((0 if city else 1, ref.start, ref))
        if not candidates:
            return None
        return min(candidates, key=lambda c: (c[0], c[1]))[2]

    def _roles(
        self,
        hit: _Hit,
        gov: Tok,
        actors: list[EntityRef],
        subjects: list[Tok],
        entities: list[EntityRef],
        symmetric: bool | None = None,
    ) -> list[tuple[EntityRef, str]]:
        flat: list[EntityRef] = []
        for e in actors:
            flat.extend(e.members or [e])
        head = hit.head
        if hit.trigger.symmetric if symmetric is None else symmetric:
            allowed = self._participant_tokens(hit, gov, subjects)
            return [(e, "participant") for e in _unique(flat) if e.start in allowed]
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in gov.children) or (
            _reduced_passive(gov)
        )
        agent_ids = {t.i for c in gov.children if c.dep_ == "agent" for t in c.subtree}
        # The subject's own words, not a clause hanging from it ("units, trained in Russia,
        # reached ...") nor the event itself ("a statement condemning ...").
        subj_ids = {i for s in subjects for i in _own_words(s, gov)}
        own_mods = set()
        if hit.trigger.nominal:
            # modifiers of any word of the phrase: "Chinese" in "Chinese troop deployment"
            phrase = {x.i for x in hit.tokens}
            own_mods = {
                t.i for w in {head, *hit.tokens} for c in w.children
                if c.dep_ in _NOMINAL_SOURCE_DEPS and c.i not in phrase
                for t in c.subtree
            }  # fmt: skip
            own_mods |= {
                t.i for c in head.children if c.dep_ == "prep" and c.lower_ == "by"
                for t in c.subtree
            }  # fmt: skip
            # "the missiles launched by Iran", "aid delivered by Jordan": the agent of a
            # participle on the event noun is who acts.
            own_mods |= {
                t.i for c in head.children if c.dep_ == "acl"
                for a in c.children if a.dep_ == "agent" for t in a.subtree
            }  # fmt: skip
            if hit.trigger.type in ("MOBILIZE", "AID"):
                own_mods |= {
                    t.i for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                    for t in c.subtree
                }  # fmt: skip
            if hit.trigger.type in _SPOKEN:
                # "demands from the opposition", "threats from the North": who makes them
                own_mods |= {
                    t.i for c in head.children if c.dep_ == "prep" and c.lower_ == "from"
                    for t in c.subtree
                }  # fmt: skip
        roles: list[tuple[EntityRef, str]] = []
        doc = head.doc
        # An entity's place in the parse is its last word ("the Chinese" -> "Chinese").
        at = {id(e): max(e.start, min(e.end, len(doc)) - 1) for e in flat}
        for e in flat:
            pos = at[id(e)]
            if pos in own_mods or pos in agent_ids or e.start in own_mods:
                role = "source"
            elif hit.trigger.nominal and e.start < head.i and pos not in subj_ids:
                role = "target" if e.start > gov.i else "source"
            elif passive and pos in subj_ids and hit.trigger.type in _MOVED:
                # "North Korean troops were deployed", "Russian units were withdrawn": what is
                # moved is the subject, and whose it is, the mover.
                role = "source"
            elif passive:  # everyone but the "by" agent undergoes a passive event
                role = "target"
            elif pos in subj_ids or e.start in subj_ids or e.start < head.i:
                role = "source"
            else:
                role = "target"
            roles.append((e, role))
        # Nominal triggers with an explicit owner ("North Korea's dispatch"): the owner is the
        # source and the light verb's subject (who condemns it) is not an actor of this event.
        owned = {
            id(e) for e, _ in roles if at.get(id(e), e.start) in own_mods or e.start in own_mods
        }
        if hit.trigger.nominal and owned:
            roles = [(e, r) for e, r in roles if not (r == "source" and id(e) not in owned)]
        return _unique_roles(roles)

    @staticmethod
    def _participant_tokens(hit: _Hit, gov: Tok, subjects: list[Tok]) -> set[int]:
        """Who takes part in a meeting: the subject, "with"/"between" objects, the event noun's
        own modifiers ("Korea-UK dialogue"), a person met ("met President Yoon"); not what
        they discuss ("discuss the deployment of North Korean troops")."""
        head = hit.head
        allowed: set[int] = set()
        # "Beijing criticised the Tokyo talks": the subject of a verb that only comments on a
        # meeting is not at the table; the subject of "hold"/"attend"/"meet" is.
        if (
            not hit.trigger.nominal
            or gov.lemma_.lower() in _LIGHT_VERBS
            or head.dep_ in ("nsubj", "nsubjpass")
        ):
            allowed = {t.i for s in subjects for t in s.subtree}
        under_gov = gov.subtree_ids
        hosts = [head, *[a for a in head.ancestors if a.i in under_gov]]
        for host in hosts:
            for child in host.children:
                if child.dep_ == "prep" and child.lower_ in (
                    "with",
                    "between",
                    "among",
                    "by",
                    "to",
                ):
                    allowed |= child.subtree_ids
                # "offered to negotiate with Armenia", "promised aid to Mozambique": who the
                # promised action involves takes part in the agreement.
                if host.i == gov.i and child.dep_ == "xcomp" and not hit.trigger.nominal:
                    allowed |= {
                        t.i for g in child.subtree
                        if g.dep_ in ("dobj", "dative") or g.dep_ == "prep"
                        and g.lower_ in ("with", "to", "between")
                        for t in g.subtree
                    }  # fmt: skip
                if host.i == head.i and child.dep_ in ("compound", "nmod", "amod", "poss", "appos"):
                    allowed |= child.subtree_ids
                if child.dep_ == "dobj" and child.ent_type_ in ("PERSON", "GPE", "NORP", "ORG"):
                    allowed |= child.subtree_ids
            if host.i == gov.i:
                break
        for tok in hit.tokens + hit.extra:
            if tok.pos_ in ("NOUN", "PROPN", "NUM"):
                for child in tok.children:
                    if child.dep_ in ("compound", "nmod", "amod", "poss"):
                        allowed |= child.subtree_ids
                    # "held talks with Peru": the noun of a verb phrase takes the other side
                    if (
                        not hit.trigger.nominal
                        and child.dep_ == "prep"
                        and child.lower_ in ("with", "between", "among")
                    ):
                        allowed |= child.subtree_ids
        return allowed

    @staticmethod
    def _date(
        clause: set[int], doc: Doc, timexes: list[Timex], head: Tok, trigger_ids: set[int]
    ) -> Timex | None:
        best = None
        # Tok ranges of the timexes, once per document (char_span is not cheap).
        ranges = doc.user_data.get("wirewatch_timex_tokens")
        if ranges is None:
            ranges = doc.user_data["wirewatch_timex_tokens"] = {}
        for tx in timexes:
            # a DURATION with a day is an offset from a date in the story ("three days
            # later"): it dates the event as well as a DATE would
            if tx.first_day is None or tx.type not in ("DATE", "TIME", "DURATION"):
                continue
            if tx.function == "PUBLICATION_TIME":
                continue  # a dateline's date is when the story was filed
            key = (tx.start, tx.end)
            if key not in ranges:
                span = doc.char_span(tx.start, tx.end, alignment_mode="expand")
                ranges[key] = (span.start, span.end) if span is not None else None
            rng = ranges[key]
            if rng is None or not any(i in clause for i in range(*rng)):
                continue
            root = head.index.root(*rng)
            if (
                root.dep_ in _NOUN_PREMODIFIER
                and root.head.pos_ == "NOUN"
                and root.head.dep_ in _ARGUMENT_DEPS
                and root.head.i != head.i
                and root.head.i not in trigger_ids
                and not (rng[0] <= root.head.i < rng[1])
            ):
                # "That 1978 resolution calls for ...", "the 2015 deal collapsed": the date
                # describes a participant of the clause, not when this event happened ("the
                # Friday explosions killed": the trigger's own noun keeps it, as do a frame,
                # "in a Wednesday media event, Apple released", and a name, "the 2022 World
                # Cup", or a misparse, "In 1991 Charles Keating was convicted")
                continue
            dist = abs(rng[0] - head.i)
            if best is None or dist < best[0]:
                best = (dist, tx)
        return best[1] if best else None

    def _status(
        self,
        sent: Span,
        hit: _Hit,
        gov: Tok,
        negated: bool,
        hedged_by_reporter: bool,
        timex: Timex | None,
        published: date | None,
        embedded: bool = False,
    ) -> tuple[str | None, CharSpan | None]:
        cues = self.lex.cues
        head = hit.head
        # Cues count on the trigger and its governing verb, and on verbs above them only
        # through a complement ("agreed to hold", "claimed that", "is expected to"), never
        # through a prepositional phrase ("During the dialogue, the ministers agreed").
        near: list[Tok] = []
        chain = [head]
        for anc in head.ancestors:
            below = chain[-1]
            if (
                anc.i == gov.i
                or below.dep_ in ("xcomp", "ccomp", "acomp", "csubj", "nsubjpass", "auxpass")
                or (below.dep_ == "pobj" and anc.dep_ == "prep" and anc.lower_ == "for")
                or (below.dep_ == "prep" and below.lower_ == "for")
                or below.dep_ == "dobj"
                and anc.i == gov.i
                or below.dep_ == "advcl"
                and below.tag_ in ("VBN", "VBG")
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in below.children)
                # "will share information and issue a statement": a verb coordinated without
                # a subject or auxiliary of its own shares the first one's.
                or below.dep_ == "conj"
                and below.pos_ == "VERB"
                and anc.pos_ in ("VERB", "AUX")
                and not any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in below.children)
            ):
                chain.append(anc)
                continue
            if anc.dep_ == "prep" and anc.lower_ == "since":
                break  # "allies since Russia's invasion": a past anchor, not what is planned
            if (
                anc.i in gov.subtree_ids
                and anc.i != gov.i
                and (
                    anc.dep_
                    in ("prep", "agent", "pobj", "dobj", "acl", "amod", "compound", "nmod", "appos")
                    or anc.dep_ == "advcl"
                    and anc.tag_ in ("VBN", "VBG")
                    and not any(c.dep_ in ("nsubj", "nsubjpass") for c in anc.children)
                )
            ):
                chain.append(anc)
                continue
            break
        if embedded:
            # "will discuss the deployment", "is expected to condemn the test": the verb's
            # plans and hedges are its own, not those of the event it is about.
            chain = [head]
        for tok in chain:
            near.append(tok)
            near += [
                c
                for c in tok.children
                if c.dep_ in ("aux", "auxpass", "advmod", "neg", "acomp", "amod", "mark")
            ]
        if not hit.directive:
            near += [t for t in hit.extra]
        found: dict[str, Tok] = {}
        lowered = doc_index(sent.doc).text[sent.start_char : sent.end_char].lower()
        for tok in near:
            lemma = tok.lemma_.lower()
            low = tok.lower_
            if (
                tok.pos_ == "VERB"
                and lemma in self.reporting
                and any(c.dep_ == "nsubj" for c in tok.children)
            ):
                # "a newspaper reported": a named reporter, not "reportedly".
                lemma = low = ""
            for status in ("denied", "claimed", "hypothetical", "planned"):
                if status == "planned" and tok is head:
                    # "agreed to cooperate": the agreeing has happened; only what it is
                    # about ("agreed to hold talks") is planned
                    continue
                words = cues[status].get("lemmas", set())
                if (lemma in words or low in words) and status not in found:
                    found[status] = tok
            if tok.dep_ == "mark" and low in cues["hypothetical"].get("marks", set()):
                found.setdefault("hypothetical", tok)
            if lemma in cues["claimed"]["negated_lemmas"] and any(
                c.dep_ == "neg" for c in tok.children
            ):
                found.setdefault("claimed", tok)
        # A phrase counts where it touches the trigger's chain ("will take place" said of
        # another clause's meeting is not this event's plan).
        reach = {t.i for t in chain} | {c.i for t in chain for c in t.children}
        for status in ("claimed", "hypothetical", "planned"):
            for phrase in cues[status].get("phrases", set()) if not embedded else ():
                if status in found:
                    break
                pos = lowered.find(phrase)
                while pos >= 0:
                    cue = sent.doc.char_span(
                        sent.start_char + pos, sent.start_char + pos + len(phrase),
                        alignment_mode="expand",
                    )  # fmt: skip
                    if cue is not None and any(t.i in reach for t in cue):
                        found[status] = doc_index(sent.doc).toks[cue.start]
                        break
                    pos = lowered.find(phrase, pos + 1)
        for tok in chain:
            if _headline_future(tok):
                found.setdefault("planned", tok)
        if hedged_by_reporter:
            found.setdefault("claimed", gov)
        # "reports of troop deployments", "allegations about ...": what is only reported
        hearsay = cues["claimed"].get("nouns", set())
        if (
            hit.trigger.nominal
            and head.dep_ == "pobj"
            and head.head.lower_ in ("of", "about", "on", "that")
            and head.head.head.lemma_.lower() in hearsay
        ):
            found.setdefault("claimed", head.head.head)
        if hit.trigger.nominal:
            generic = cues["hypothetical"].get("determiners", set())
            for c in head.children:
                if c.dep_ == "det" and c.lower_ in generic:
                    found.setdefault("hypothetical", c)
            consequence = head.head
            if (
                head.dep_ in ("nsubj", "nsubjpass")
                and consequence.lemma_.lower() in cues["hypothetical"].get("consequences", set())
                and any(c.dep_ == "aux" and c.tag_ == "MD" for c in consequence.children)
            ):
                found.setdefault("hypothetical", consequence)
            governors = cues["hypothetical"].get("governors", set())
            for anc in head.ancestors:
                if anc.pos_ == "VERB" and anc.lemma_.lower() in governors:
                    found.setdefault("hypothetical", anc)
                    break
                # "called for the withdrawal of the troop dispatch": only what is called for
                # is hypothetical, not the event named inside it.
                if anc.i == gov.i or anc.pos_ in ("NOUN", "PROPN"):
                    break
        if negated and "denied" not in found:
            return None, None  # "did not agree" is not the positive event
        for status in _STATUS_ORDER:
            if status in found:
                tok = found[status]
                return status, _char(sent.doc, tok.idx, tok.idx + len(tok))
        if timex is not None and timex.first_day and published and timex.first_day > published:
            return "planned", CharSpan(timex.start, timex.end, timex.text)
        return "occurred", None

    @staticmethod
    def _quantities(doc: Doc, clause: set[int], sent: Span) -> list[dict]:
        # Span.ents walks every entity of the document: collect the counts once per document.
        by_sent = doc.user_data.get("wirewatch_counts")
        if by_sent is None:
            by_sent = doc.user_data["wirewatch_counts"] = {}
            ix = doc_index(doc)
            for start, end, label in ix.ents:
                if label != "CARDINAL":
                    continue
                root = ix.root(start, end)
                unit = root.head
                text = ix.span_text(start, end)
                digits = text.replace(",", "")
                if _in_formula(ix.toks, start, end) or any(ch.isdigit() for ch in unit.text):
                    continue  # "the 2+2 meeting" is a format's name; "2 1st" no count
                if unit.pos_ == "NOUN" and digits.isdigit():
                    row = {
                        "value": int(digits),
                        "unit": unit.lemma_.lower(),
                        "text": f"{text} {unit.text}",
                        "start": ix.toks[start].idx,
                        "end": unit.idx + len(unit),
                    }
                    by_sent.setdefault(ix.toks[root.i].sent_start, []).append((root.i, row))
        counts = by_sent.get(sent.start, ())
        return [dict(row) for i, row in counts if i in clause and sent.start <= i < sent.end]


def _semicolon_between(a: Tok, b: Tok) -> bool:
    """ "1st 2+2 talks with the US; inaugural meeting with Canada": a semicolon parts two
    phrases (two events of a headline) however the parser hangs one from the other."""
    toks = doc_index(a.doc).toks
    lo, hi = sorted((a.i, b.i))
    return any(toks[i].text == ";" for i in range(lo + 1, hi))


def _in_formula(toks: list[Tok], start: int, end: int) -> bool:
    """A number written against a "+" ("2+2 talks", "the P5+1"): a name, not a count."""
    before = toks[start - 1] if start > 0 else None
    after = toks[end] if end < len(toks) else None
    return bool(
        (after is not None and after.text == "+" and not toks[end - 1].whitespace_)
        or (before is not None and before.text == "+" and not before.whitespace_)
    )


def _own_words(tok: Tok, stop: Tok) -> set[int]:
    """A noun phrase without the clauses that hang from it, and without ``stop``'s subtree."""
    out: set[int] = set()
    todo = [tok]
    while todo:
        cur = todo.pop()
        out.add(cur.i)
        todo += [c for c in cur.children if c.dep_ not in ("acl", "relcl") and c.i != stop.i]
    return out


def _unique(refs: Iterable[EntityRef]) -> list[EntityRef]:
    seen: set[tuple] = set()
    out = []
    for e in refs:
        key = (e.kb_id or e.name, e.kind)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _unique_roles(roles: list[tuple[EntityRef, str]]) -> list[tuple[EntityRef, str]]:
    seen: set[tuple] = set()
    out = []
    for e, role in roles:
        key = (e.kb_id or e.name, role)
        if key not in seen:
            seen.add(key)
            out.append((e, role))
    return out


def _one_side_each(
    roles: list[tuple[EntityRef, str]], head: Tok, sent: Span
) -> list[tuple[EntityRef, str]]:
    """An actor is not on both sides of one event ("cooperation between Russia and North Korea
    threatens ... and shows the desperation of North Korea"): it keeps the side of the
    occurrence nearest the trigger in the parse. A name in the sentence beats one resolved
    from before it (a pronoun's antecedent is a guess); on a tie, the source stays. A demonym
    on a plural noun ("Croatia is investigating crimes by Croatian extremists") names some of
    the country's people, not the state, and is another actor here."""
    index = doc_index(head.doc)

    def key_of(e: EntityRef) -> tuple:
        group = False
        if sent.start <= e.start < sent.end:
            root = index.root(e.start, min(e.end, sent.end))
            group = (
                root.ent_type_ == "NORP"
                and root.dep_ in ("amod", "compound")
                and root.head.tag_ in ("NNS", "NNPS")
                and not e.start <= root.head.i < e.end
            )
        return (e.kb_id or e.name, e.kind, group)

    keys = [key_of(e) for e, _ in roles]
    sides: dict[tuple, set[str]] = {}
    for k, (_, role) in zip(keys, roles, strict=True):
        sides.setdefault(k, set()).add(role)
    torn = {k for k, s in sides.items() if {"source", "target"} <= s}
    if not torn:
        return roles
    best: dict[tuple, tuple[int, int, int]] = {}
    for key, (e, role) in zip(keys, roles, strict=True):
        if key not in torn or role not in ("source", "target"):
            continue
        if sent.start <= e.start < sent.end:
            rank = (0, _tree_distance(index.root(e.start, min(e.end, sent.end)), head))
        else:
            rank = (1, 0)
        choice = (*rank, 0 if role == "source" else 1)
        if key not in best or choice < best[key]:
            best[key] = choice
    keep = {k: "source" if c[2] == 0 else "target" for k, c in best.items()}
    return [
        (e, role) for key, (e, role) in zip(keys, roles, strict=True)
        if key not in keep or role not in ("source", "target") or keep[key] == role
    ]  # fmt: skip


def _tree_distance(a: Tok, b: Tok) -> int:
    """Arcs between two tokens of one sentence in the dependency tree. A conjunct is as near
    as the first one ("Russia and the DPRK"; "violates ..., threatens ... and reflects ..."
    share one subject), so coordination arcs cost nothing."""
    depth_of: dict[int, int] = {}
    tok, depth = a, 0
    while True:
        depth_of[tok.i] = depth
        if tok.head.i == tok.i:
            break
        tok, depth = tok.head, depth + (tok.dep_ != "conj")
    tok, depth = b, 0
    while tok.i not in depth_of:
        if tok.head.i == tok.i:
            return len(tok.doc)  # not in one tree
        tok, depth = tok.head, depth + (tok.dep_ != "conj")
    return depth + depth_of[tok.i]


def _place_root(root: Tok) -> Tok:
    """ "near the town of Samarra", "in the West Bank city of Hebron": the place noun the
    name is "of" stands where the name would."""
    head = root.head
    if root.dep_ == "pobj" and head.lower_ == "of" and head.head.lower_ in place_nouns():
        return head.head
    return root


def _actor(e: EntityRef, role: str) -> ActorMention:
    return ActorMention(
        name=e.name, surface=e.surface, kind=e.kind, country=e.country, role=role,
        span=CharSpan(e.start_char, e.end_char, e.surface), kb_id=e.kb_id, title=e.title,
        sector=e.sector,
    )  # fmt: skip


def _confidence(mention: dict, hit: _Hit) -> float:
    """A transparent score, not a probability: how much of the event the sentence pins down."""
    score = 0.4
    roles = {a.role for a in mention["actors"]}
    if ("source" in roles and "target" in roles) or len(mention["actors"]) >= 2:
        score += 0.2
    if mention.get("date_start"):
        score += 0.1
    if mention.get("location_name"):
        score += 0.1
    if not hit.trigger.nominal or hit.label:
        score += 0.1
    if mention["status"] in ("claimed", "hypothetical"):
        score -= 0.1
    return round(min(max(score, 0.05), 0.95), 2)


def build_mentions(
    article_id: str,
    doc: Doc,
    coder: SentenceCoder,
    entities: list[EntityRef],
    timexes: list[Timex],
    published: date | None,
    published_iso: str | None,
    credit_lines: list[tuple[int, int]] | None = None,
) -> list[EventMention]:
    """The event mentions of a parsed document. ``credit_lines``: ``coder.credit_lines(doc)``,
    when the caller has it already."""
    if credit_lines is None:
        credit_lines = coder.credit_lines(doc)
    credits = {start for start, _ in credit_lines}
    mentions: list[EventMention] = []
    previous_subjects: list[EntityRef] = []
    recent_speakers: list[EntityRef] = []
    previous_roots: list[EntityRef] = []
    issuers: list[EntityRef] = []
    parties: list[EntityRef] = []  # the last two or more actors that acted together
    ordered = sorted(entities, key=lambda e: e.start)
    first = 0
    index = doc_index(doc)
    toks = index.toks
    for sent in index.sents:
        while first < len(ordered) and ordered[first].start < sent.start:
            first += 1
        last = first
        while last < len(ordered) and ordered[last].start < sent.end:
            last += 1
        sent_entities = ordered[first:last]
        if sent.start in credits:
            continue  # transparent: no event, no speaker, no antecedent
        last_subjects: list[EntityRef] = []
        sent_parties: list[EntityRef] = []
        # "It said ...": an earlier speaker, else the subject of the sentence before.
        speakers = coder.speakers(sent, sent_entities, recent_speakers + previous_roots)
        for refs in speakers.values():
            keys = {r.kb_id or r.name for r in refs}
            recent_speakers = [r for r in recent_speakers if (r.kb_id or r.name) not in keys]
            recent_speakers += refs
        issuers = coder.issuers(sent, sent_entities) or issuers
        hits = coder.find_triggers(sent, sent_entities)
        heads = {t.i for h in hits for t in [h.head, *h.absorbed]}
        for hit in hits:
            coded = coder.code(
                sent, hit, sent_entities, timexes, published, previous_subjects, speakers,
                issuers, heads, parties,
            )  # fmt: skip
            if coded is None:
                continue
            data, subjects = coded
            last_subjects = last_subjects or subjects
            # the sides of a meeting or an agreement ("Cho and Lammy held talks", "the talks
            # between Chile and Peru were held"), not of an event noun another verb is about
            # ("welcomed consultations between the ROK and AUKUS")
            if (
                not sent_parties
                and data["actors"]
                and all(a.role == "participant" for a in data["actors"])
                and (
                    not hit.trigger.nominal
                    or hit.head.dep_ in ("nsubj", "nsubjpass", "ROOT")
                    or hit.head.head.lemma_.lower() in _LIGHT_VERBS
                )
                and len({(e.kb_id or e.name) for e in subjects}) >= 2
            ):
                sent_parties = subjects
            mentions.append(
                EventMention(
                    article=article_id, index=len(mentions), published=published_iso, **data
                )
            )
        root_subjects = [
            e for e in sent_entities
            if e.kind and any(toks[i].dep_ in ("nsubj", "nsubjpass") for i in range(e.start, e.end))
        ]  # fmt: skip
        previous_subjects = last_subjects or root_subjects or previous_subjects
        parties = sent_parties or parties
        previous_roots = root_subjects or previous_roots
    _story_dates(mentions, timexes, index.text, published)
    return mentions


# How far back (characters before the sentence, within its paragraph) a day the story named
# still frames an undated event told after it.
_STORY_DATE_REACH = 400
_PAST_STATUSES = frozenset({"occurred", "claimed", "denied"})
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BASELINE_BEFORE = re.compile(r"\b(?:from|since|than|compared\s+(?:with|to))\s+$", re.I)


def _story_dates(
    mentions: list[EventMention], timexes: list[Timex], text: str, published: date | None
) -> None:
    """An undated past mention takes, as its ``context_date``, the last day named before its
    sentence in the same paragraph: the narrative's day.  It is kept apart from the date,
    as what the approximation rests on, not as something the text says."""
    days = [
        t
        for t in timexes
        if t.type in ("DATE", "TIME")
        and t.first_day is not None
        and t.first_day == t.last_day
        and t.function is None
        and (published is None or t.first_day <= published)
        # a baseline ("fell 2% from Monday's close", "the first since Friday") is not the
        # day the story is telling
        and not _BASELINE_BEFORE.search(text, max(0, t.start - 16), t.start)
    ]
    if not days:
        return
    for m in mentions:
        if m.date_start or m.status not in _PAST_STATUSES:
            continue
        start = m.sentence.start
        before = [t for t in days if t.end <= start and start - t.end <= _STORY_DATE_REACH]
        if not before:
            continue
        t = before[-1]
        if _BLANK_LINE.search(text, t.end, start):
            continue  # another paragraph
        assert t.first_day is not None
        m.context_date = t.first_day.isoformat()
        m.context_date_span = CharSpan(t.start, t.end, t.text)
