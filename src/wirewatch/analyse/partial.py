"""Parse only where an event can be (issue 8; opt-in, ``WIREWATCH_PARTIAL_PARSE=1``).

The model's NER has its own token vectors, but the tagger, the parser and through them the
lemmas share one ``tok2vec``: together about half of the model's time. ``PartialPipeline``
runs the cheap sentence recogniser and the NER over the whole article and the shared layers
only over the sentences that need them: those a trigger of the lexicon could match in
(``TriggerScreen``), those whose names the entity rules read with tags or the tree
(``NameScreen``), and those whose subjects or speakers the coder carries into a later event
sentence. The other sentences keep their tokens, entities and sentence bounds and get a flat
placeholder tree (first token ROOT, every other token a ``dep`` of it, no tags, lower-cased
lemmas). Each parsed range is parsed with four tokens of context each side (the reach of
the shared tok2vec), so it gets the vectors, tags and tree it has in the whole article.

Measured on the ingest corpus and MEANTIME (2026-12-01): actors_bench and plover_bench give
the full parse's figures (a first version that parsed candidate sentences alone and without
context lost names: actors B3 P 97.0 -> 96.8, R 87.5 -> 86.9); but 76% of the tokens need the
parse, and with the extra sentence recogniser, the screens and NER run apart from the parse,
the model then takes ~20% MORE CPU than the full pipeline (7.3 s against 6.1 s on 268
articles). Hence not the default; a cheaper screen or a model whose NER and parser share one
tok2vec would change that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import numpy
from spacy.attrs import DEP, ENT_TYPE, HEAD, LEMMA, LOWER, MORPH, ORTH, POS, SPACY, TAG
from spacy.tokens import Doc

from wirewatch.analyse import entities as ents_mod
from wirewatch.analyse.coder import _MUST, SentenceCoder
from wirewatch.link.kb import KnowledgeBase

_PARSE_PIPES = ("tok2vec", "tagger", "wirewatch_line_breaks", "parser")
_AFTER_PARSE = ("wirewatch_attributes", "attribute_ruler", "wirewatch_lemmatizer", "lemmatizer")
_ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD]
# pronouns the coder resolves to the sentence before (entities.is_pronoun, possessives)
_PRONOUNS = frozenset(ents_mod._PRONOUNS | {"its", "their"})
# words by which a speaker is an earlier one ("it said", "the agency added")
_RECENT = frozenset({"it", "he", "she", "the"})


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
    - a document noun ("statement"): the coder keeps who issued it for the sentences after.

    Reporting verbs are left to ``PartialPipeline.regions``: their speakers matter to a later
    sentence only when it says "it said", "the ministry added".
    """

    def __init__(self, coder: SentenceCoder, kb: KnowledgeBase, trigger: TriggerScreen) -> None:
        self.kb = kb
        self.trigger = trigger
        self.words = ents_mod._domestic_firsts() | ents_mod._ethnic_words()
        self.reporting = frozenset(coder.reporting)
        self.documents = frozenset(w for d in coder.documents for w in d.split())
        self.place_nouns = ents_mod.place_nouns()
        self._word_needs: dict[str, bool] = {}
        self._name_needs: dict[str, bool] = {}
        self._typo_needs: dict[str, bool] = {}
        self._report_words: dict[str, bool] = {}

    def word(self, lower: str) -> bool:
        found = self._word_needs.get(lower)
        if found is None:
            found = self._word_needs[lower] = bool(
                lower in self.words or lower in self.documents
                or self.trigger.forms(lower) & self.documents
                or self.kb.body(lower) in ents_mod._LEADER_BODIES
            )  # fmt: skip
        return found

    def reports(self, lower: str) -> bool:
        """A reporting verb's form, or "according" (to X)."""
        found = self._report_words.get(lower)
        if found is None:
            found = self._report_words[lower] = lower == "according" or bool(
                self.trigger.forms(lower) & self.reporting
            )
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

    def sentences(
        self,
        doc: Doc,
        sents: list[tuple[int, int]],
        texts: list[str],
        lowers: list[str],
        spaces: list[bool],
        entities: list[tuple[int, int, str]],
    ) -> list[bool]:
        """The test for each sentence of ``doc``, given its token ranges, words, lower-cased
        words, trailing spaces and entities (start, end, label)."""
        n = len(texts)
        need = [False] * n
        surnames = set()
        for start, end, label in entities:
            if label == "PERSON":
                need[start] = True
                if end - start > 1:
                    surnames.add(texts[end - 1])
        ents = doc.to_array(ENT_TYPE).tolist() if n else []
        word, metonym, typo = self.word, self.metonym, self.typo
        nouns = self.place_nouns
        for k in range(n):
            if need[k]:
                continue
            w = lowers[k]
            text = texts[k]
            if word(w) or (w in nouns and k + 1 < n and lowers[k + 1] == "of"):
                need[k] = True
            elif text[:1].isupper() or w == "the":
                typo_ok = not ents[k] and text.isalpha()
                need[k] = text in surnames or metonym(text) or (typo_ok and typo(text))
        # several-word seats of government ("San Jose", "the Blue House"): the n-grams the
        # knowledge-base scan tries (entities._kb_matches), within a sentence
        for s, e in sents:
            if any(need[s:e]):
                continue
            for k in range(s, e - 1):
                if not (texts[k][:1].isupper() or lowers[k] == "the"):
                    continue
                limit = 1
                while (
                    limit < ents_mod._MAX_NGRAM and k + limit < e and _continues(texts[k + limit])
                ):
                    limit += 1
                if limit > 1 and any(
                    metonym(_join(texts, spaces, k, k + m)) for m in range(2, limit + 1)
                ):
                    need[k] = True
                    break
        return [any(need[s:e]) for s, e in sents]


def _continues(text: str) -> bool:
    """A word a name may go on with (the KB scan's rule in entities._kb_matches)."""
    return (
        text[:1].isupper() or text.lower() in ents_mod._NAME_JOINERS
        or text in ents_mod._NAME_PUNCT or text[:1].isdigit()
    )  # fmt: skip


def _join(texts: list[str], spaces: list[bool], start: int, end: int) -> str:
    """``doc[start:end].text`` from the token texts and trailing spaces."""
    out = [texts[i] + " " if spaces[i] else texts[i] for i in range(start, end - 1)]
    return "".join(out) + texts[end - 1]


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
        strings = doc.vocab.strings
        if len(doc):
            arr = doc.to_array([ORTH, LOWER, SPACY])
            texts = [strings[h] for h in arr[:, 0].tolist()]
            words = [strings[h] for h in arr[:, 1].tolist()]
            spaces = arr[:, 2].astype(bool).tolist()
        else:
            texts, words, spaces = [], [], []
        entities = [(e.start, e.end, e.label_) for e in doc.ents]
        wanted = [self.screen(words[s:e]) for s, e in sents]
        keep = [False] * len(sents)
        for k, w in enumerate(wanted):
            if w:
                for j in range(max(0, k - self.context), min(len(sents), k + self.context + 1)):
                    keep[j] = True
        actors = [False] * len(sents)
        sent_of = numpy.searchsorted([s for s, _ in sents], [e[0] for e in entities], "right")
        for (_, _, label), k in zip(entities, sent_of.tolist(), strict=True):
            if label in ents_mod._ENT_LABELS:
                actors[k - 1] = True
        needs = self.names.sentences(doc, sents, texts, words, spaces, entities)
        for k, need in enumerate(needs):
            keep[k] = keep[k] or need
        # The coder carries state from sentence to sentence. A pronoun ("He said ...", "its
        # plan") may stand for the subjects of the sentence before: the nearest earlier one
        # that names an actor is parsed. "It said", "he added", "the ministry said" stand
        # for an earlier speaker: a reporting sentence is parsed when a later parsed one
        # reads speakers that way.
        pron = [bool(_PRONOUNS.intersection(words[s:e])) for s, e in sents]
        report = [any(self.names.reports(w) for w in words[s:e]) for s, e in sents]
        recent = [
            r and bool(_RECENT.intersection(words[s:e]))
            for r, (s, e) in zip(report, sents, strict=True)
        ]
        for k, w in enumerate(wanted):
            if w and (pron[k] or recent[k]):
                j = k - 1
                while j >= 0 and not wanted[j]:
                    if actors[j]:
                        keep[j] = True
                        break
                    j -= 1
        later = False
        for k in range(len(sents) - 1, -1, -1):
            if not keep[k] and report[k] and later:
                keep[k] = True
            later = later or (keep[k] and recent[k])
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
