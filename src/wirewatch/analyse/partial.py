"""Parse only where an event can be (issue 8; opt-in, ``WIREWATCH_PARTIAL_PARSE=1``).

The model's NER has its own token vectors, but the tagger, the parser and through them the
lemmas share one ``tok2vec``: together most of the model's time. ``PartialPipeline`` runs the
cheap sentence recogniser and the NER over the whole article and the shared layers only over
the sentences a trigger of the lexicon could match in (with ``context`` neighbours each side);
the other sentences keep their tokens, entities and sentence bounds and get a flat placeholder
tree (first token ROOT, every other token a ``dep`` of it, no tags, lower-cased lemmas), so
rules that look for a subject or a tense find none there.

Measured on the ingest corpus: 47% of the tokens are in candidate sentences and the analysis
takes ~20% less CPU, with the same PLOVER scores; but the entity rules read POS and the parse
in every sentence (titles, name extension, capitals as governments), and 91% of the tokens are
in sentences with a trigger or a name, so names outside candidate sentences suffer (actors_bench
B3 P 97.0 -> 96.8, R 87.5 -> 86.9). Hence not the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import numpy
from spacy.attrs import DEP, HEAD, LEMMA, LOWER, MORPH, POS, TAG
from spacy.tokens import Doc

from wirewatch.analyse import entities as ents_mod
from wirewatch.analyse.coder import _MUST, SentenceCoder
from wirewatch.link.kb import KnowledgeBase

_PARSE_PIPES = ("tok2vec", "tagger", "wirewatch_line_breaks", "parser")
_AFTER_PARSE = ("wirewatch_attributes", "attribute_ruler", "wirewatch_lemmatizer", "lemmatizer")
_ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD]


class TriggerScreen:
    """Could a sentence hold a trigger? A superset test on word forms: each token stands for its
    lower-cased form and every lemma the model's lemmatizer rules could give it as a noun, verb
    or adjective, so a sentence the coder would find a trigger in always passes."""

    def __init__(self, coder: SentenceCoder, lemmatizer: Any) -> None:
        lex = coder.lex
        self.single = frozenset(lex.verbs) | frozenset(lex.nouns)
        self.phrases: dict[str, list[tuple[str, ...]]] = {}
        for table in (lex.verb_phrases, lex.noun_phrases):
            for first, entries in table.items():
                self.phrases.setdefault(first, []).extend(p for p, _ in entries)
        # verb -> the nouns that make it an event with it (object pairs, subject nouns)
        self.partners: dict[str, set[str]] = {}
        for words in coder.pairs:
            self.partners.setdefault(words[0], set()).update(words[1:])
        for verb, (_, nouns) in coder.subject_verbs.items():
            self.partners.setdefault(verb, set()).update(nouns)
        self.reporting = frozenset(coder.reporting)
        self.must = frozenset(_MUST)
        self._rules = {
            pos: (
                lemmatizer.lookups.get_table("lemma_rules", {}).get(pos, []),
                lemmatizer.lookups.get_table("lemma_exc", {}).get(pos, {}),
            )
            for pos in ("noun", "verb", "adj")
        }
        self._forms: dict[str, frozenset[str]] = {}

    def forms(self, lower: str) -> frozenset[str]:
        """``lower`` and every lemma the rules or exceptions could give it."""
        found = self._forms.get(lower)
        if found is None:
            out = {lower}
            for rules, exceptions in self._rules.values():
                out.update(exceptions.get(lower, []))
                for old, new in rules:
                    if lower.endswith(old) and (lower[: len(lower) - len(old)] + new):
                        out.add(lower[: len(lower) - len(old)] + new)
            found = self._forms[lower] = frozenset(out)
        return found

    def __call__(self, lowers: list[str]) -> bool:
        toks = [self.forms(w) for w in lowers]
        every = frozenset().union(*toks) if toks else frozenset()
        if every & self.single:
            return True
        for i, forms in enumerate(toks):
            for first in forms & self.phrases.keys():
                for parts in self.phrases[first]:
                    if i + len(parts) <= len(toks) and all(
                        p in toks[i + k] for k, p in enumerate(parts)
                    ):
                        return True
        if any(self.partners[v] & every for v in every & self.partners.keys()):
            return True
        return bool(every & self.reporting and every & self.must)


class NameScreen:
    """Does a sentence without a trigger still need its parse? A superset test, on the tokens
    and the NER alone, for the rules that read tags or the tree outside event sentences:

    - a PERSON entity: the name is extended left over proper nouns, its title and country
      read from an apposition ("Sidhoum, Algeria's leading activist");
    - a later surname of a person named in full ("Mulally said"): a proper noun or noun;
    - a word that starts a domestic actor ("police", "rebels", "ethnic ..."): the phrase
      ends at its head noun, its country comes from its modifiers and prepositions;
    - a capital or a seat of government ("Tokyo", "the Kremlin"): the city as a place
      ("in Tokyo") or its government ("Tokyo said") is read from the tree;
    - "the town of X" (X's proper nouns), "the X administration" (compound names);
    - a one-word typo of a country's name ("Ethopia"), tested on proper nouns;
    - a reporting verb, "according to" or a document noun: the coder keeps who said or
      issued what for the sentences after it.
    """

    def __init__(self, coder: SentenceCoder, kb: KnowledgeBase, trigger: TriggerScreen) -> None:
        self.kb = kb
        self.trigger = trigger
        self.words = ents_mod._domestic_firsts() | ents_mod._ethnic_words() | {"according"}
        self.reporting = frozenset(coder.reporting)
        self.documents = frozenset(w for d in coder.documents for w in d.split())
        self.place_nouns = ents_mod.place_nouns()
        self._word_needs: dict[str, bool] = {}
        self._name_needs: dict[str, bool] = {}
        self._typo_needs: dict[str, bool] = {}

    def word(self, lower: str) -> bool:
        found = self._word_needs.get(lower)
        if found is None:
            found = self._word_needs[lower] = bool(
                lower in self.words or lower in self.documents
                or self.trigger.forms(lower) & (self.reporting | self.documents)
                or self.kb.body(lower) in ents_mod._LEADER_BODIES
            )  # fmt: skip
        return found

    def metonym(self, text: str) -> bool:
        found = self._name_needs.get(text)
        if found is None:
            found = self._name_needs[text] = self.kb.metonym(text) is not None
        return found

    def typo(self, text: str) -> bool:
        found = self._typo_needs.get(text)
        if found is None:
            found = self._typo_needs[text] = self.kb.lookup_fuzzy(text) is not None
        return found

    def __call__(self, doc: Doc, start: int, end: int, lowers: list[str],
                 surnames: set[str]) -> bool:  # fmt: skip
        for ent in doc.ents:
            if ent.start >= end:
                break
            if ent.end > start and ent.label_ == "PERSON":
                return True
        for k in range(start, end):
            w = lowers[k - start]
            if self.word(w):
                return True
            if w in self.place_nouns and k + 1 < end and lowers[k + 1 - start] == "of":
                return True
            tok = doc[k]
            text = tok.text
            if not (text[:1].isupper() or w == "the"):
                continue
            if text in surnames:
                return True
            if text.isalpha() and not tok.ent_type and self.typo(text):
                return True
            # the n-grams the knowledge-base scan tries here (entities._kb_matches)
            limit = 1
            while limit < ents_mod._MAX_NGRAM and k + limit < end:
                nxt = doc[k + limit].text
                if not (
                    nxt[:1].isupper() or nxt.lower() in ents_mod._NAME_JOINERS
                    or nxt in ents_mod._NAME_PUNCT or nxt[:1].isdigit()
                ):  # fmt: skip
                    break
                limit += 1
            for n in range(1, limit + 1):
                if self.metonym(doc[k : k + n].text):
                    return True
        return False


def _surnames(doc: Doc) -> set[str]:
    """Last words of the names the model tags as people, for ``NameScreen``."""
    return {ent[-1].text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1}


class PartialPipeline:
    """``nlp.pipe`` with the shared layers run only on candidate sentences (see the module)."""

    def __init__(self, nlp: Any, coder: SentenceCoder, kb: KnowledgeBase, context: int = 0) -> None:
        self.nlp = nlp
        self.context = context
        encode = nlp.config["components"]["tok2vec"]["model"].get("encode", {})
        self.margin = int(encode.get("depth", 4)) * int(encode.get("window_size", 1))
        self.senter = nlp.get_pipe("senter")
        self.ner = nlp.get_pipe("ner")
        self.line_breaks = nlp.get_pipe("wirewatch_line_breaks")
        self.parse = [(n, nlp.get_pipe(n)) for n in _PARSE_PIPES if n in nlp.pipe_names]
        self.parse += [(n, nlp.get_pipe(n)) for n in _AFTER_PARSE if n in nlp.pipe_names]
        lemmatizer = nlp.get_pipe("lemmatizer")
        self.screen = TriggerScreen(coder, lemmatizer)
        self.names = NameScreen(coder, kb, self.screen)
        self.dep_hash = nlp.vocab.strings.add("dep")
        self.root_hash = nlp.vocab.strings.add("ROOT")

    def regions(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges to parse: runs of candidate sentences, widened by ``context``
        sentences on each side (a pronoun's antecedent, a speaker named before)."""
        sents = [(s.start, s.end) for s in doc.sents]
        lower = doc.to_array(LOWER).tolist() if len(doc) else []
        strings = doc.vocab.strings
        words = [strings[h] for h in lower]
        wanted = [self.screen(words[s:e]) for s, e in sents]
        keep = [False] * len(sents)
        for k, w in enumerate(wanted):
            if w:
                for j in range(max(0, k - self.context), min(len(sents), k + self.context + 1)):
                    keep[j] = True
        surnames = _surnames(doc)
        actors = [False] * len(sents)
        for ent in doc.ents:
            if ent.label_ in ents_mod._ENT_LABELS:
                k = next(j for j, (s, e) in enumerate(sents) if s <= ent.start < e)
                actors[k] = True
        for k, (s, e) in enumerate(sents):
            if not keep[k] and self.names(doc, s, e, words[s:e], surnames):
                keep[k] = True
        # The coder carries the subjects of the sentence before an event sentence into it
        # ("He said ..."): the nearest earlier sentence that names an actor.
        for k, w in enumerate(wanted):
            if w:
                j = k - 1
                while j >= 0 and not wanted[j]:
                    if actors[j]:
                        keep[j] = True
                        break
                    j -= 1
        out: list[tuple[int, int]] = []
        for (s, e), k in zip(sents, keep, strict=True):
            if not k:
                continue
            if out and out[-1][1] == s:
                out[-1] = (out[-1][0], e)
            else:
                out.append((s, e))
        return out

    def pipe(
        self, stream: Iterable[tuple[str, Any]], batch_size: int = 32
    ) -> Iterator[tuple[Doc, Any]]:
        it = iter(stream)
        while batch := list(islice(it, batch_size)):
            docs = [self.nlp.make_doc(text) for text, _ in batch]
            yield from zip(self.annotate(docs), (ctx for _, ctx in batch), strict=True)

    def annotate(self, docs: list[Doc]) -> list[Doc]:
        docs = [self.line_breaks(d) for d in self.senter.pipe(docs)]
        docs = list(self.ner.pipe(docs))
        jobs: list[tuple[Doc, int, int, int]] = []
        subs: list[Doc] = []
        for doc in docs:
            for s, e in self.regions(doc):
                sub, off = self.window(doc, s, e)
                subs.append(sub)
                jobs.append((doc, s, e, off))
        for _, proc in self.parse:
            subs = list(proc.pipe(subs)) if hasattr(proc, "pipe") else [proc(d) for d in subs]
        parsed: dict[int, list[tuple[int, int, int, Doc]]] = {}
        for (doc, s, e, off), sub in zip(jobs, subs, strict=True):
            parsed.setdefault(id(doc), []).append((s, e, off, sub))
        for doc in docs:
            self._merge(doc, parsed.get(id(doc), []))
        return docs

    def window(self, doc: Doc, start: int, end: int) -> tuple[Doc, int]:
        """A new Doc of ``doc[start:end]`` and ``margin`` tokens of context each side, and
        where the range starts in it. The shared tok2vec reads that far, so the range gets
        the vectors (and tags) it has in the whole article; preset sentence starts keep the
        parser from attaching across the range's ends."""
        a, b = max(0, start - self.margin), min(len(doc), end + self.margin)
        toks = doc[a:b]
        starts: list[bool | int | None] = [None] * (b - a)
        starts[start - a] = True
        if b > end:
            starts[end - a] = True
        words, spaces = [t.text for t in toks], [bool(t.whitespace_) for t in toks]
        return Doc(doc.vocab, words, spaces, sent_starts=starts), start - a

    def _merge(self, doc: Doc, parts: list[tuple[int, int, int, Doc]]) -> None:
        """Write the parsed ranges back; a flat tree for each other sentence."""
        n = len(doc)
        if not n:
            return
        arr = numpy.zeros((n, len(_ATTRS)), dtype=numpy.uint64)
        arr[:, 3] = doc.to_array(LOWER)  # lemma: the lower-cased form
        heads = numpy.zeros(n, dtype=numpy.int64)
        done = numpy.zeros(n, dtype=bool)
        for s, e, off, sub in parts:
            arr[s:e] = sub.to_array(_ATTRS)[off : off + e - s]
            done[s:e] = True
        for sent in doc.sents:
            if done[sent.start]:
                continue
            arr[sent.start : sent.end, 4] = self.dep_hash
            arr[sent.start, 4] = self.root_hash
            heads[sent.start : sent.end] = sent.start - numpy.arange(sent.start, sent.end)
        flat = ~done
        arr[flat, 5] = heads[flat].astype(numpy.uint64)
        doc.from_array(_ATTRS, arr)  # type: ignore[arg-type]
