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

from wirewatch.analyse.coder import _MUST, SentenceCoder

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


class PartialPipeline:
    """``nlp.pipe`` with the shared layers run only on candidate sentences (see the module)."""

    def __init__(self, nlp: Any, coder: SentenceCoder, context: int = 0) -> None:
        self.nlp = nlp
        self.context = context
        self.senter = nlp.get_pipe("senter")
        self.ner = nlp.get_pipe("ner")
        self.line_breaks = nlp.get_pipe("wirewatch_line_breaks")
        self.parse = [(n, nlp.get_pipe(n)) for n in _PARSE_PIPES if n in nlp.pipe_names]
        self.parse += [(n, nlp.get_pipe(n)) for n in _AFTER_PARSE if n in nlp.pipe_names]
        lemmatizer = nlp.get_pipe("lemmatizer")
        self.screen = TriggerScreen(coder, lemmatizer)
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
        jobs: list[tuple[Doc, int, int]] = []
        subs: list[Doc] = []
        for doc in docs:
            for s, e in self.regions(doc):
                toks = doc[s:e]
                words, spaces = [t.text for t in toks], [bool(t.whitespace_) for t in toks]
                subs.append(Doc(doc.vocab, words, spaces))
                jobs.append((doc, s, e))
        for _, proc in self.parse:
            subs = list(proc.pipe(subs)) if hasattr(proc, "pipe") else [proc(d) for d in subs]
        parsed: dict[int, list[tuple[int, Doc]]] = {}
        for (doc, s, _), sub in zip(jobs, subs, strict=True):
            parsed.setdefault(id(doc), []).append((s, sub))
        for doc in docs:
            self._merge(doc, parsed.get(id(doc), []))
        return docs

    def _merge(self, doc: Doc, parts: list[tuple[int, Doc]]) -> None:
        """Write the parsed ranges back; a flat tree for each other sentence."""
        n = len(doc)
        if not n:
            return
        arr = numpy.zeros((n, len(_ATTRS)), dtype=numpy.uint64)
        arr[:, 3] = doc.to_array(LOWER)  # lemma: the lower-cased form
        heads = numpy.zeros(n, dtype=numpy.int64)
        done = numpy.zeros(n, dtype=bool)
        for s, sub in parts:
            arr[s : s + len(sub)] = sub.to_array(_ATTRS)
            done[s : s + len(sub)] = True
        for sent in doc.sents:
            if done[sent.start]:
                continue
            arr[sent.start : sent.end, 4] = self.dep_hash
            arr[sent.start, 4] = self.root_hash
            heads[sent.start : sent.end] = sent.start - numpy.arange(sent.start, sent.end)
        flat = ~done
        arr[flat, 5] = heads[flat].astype(numpy.uint64)
        doc.from_array(_ATTRS, arr)  # type: ignore[arg-type]
