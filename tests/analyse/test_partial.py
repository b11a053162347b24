"""The opt-in partial parse: the shared layers run only on sentences a trigger could match in;
there the annotations are the full pipeline's, elsewhere a flat tree keeps sentence bounds and
the NER's entities are kept everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from wirewatch.analyse import Analyser, load_nlp
from wirewatch.analyse.coder import SentenceCoder
from wirewatch.analyse.lexicon import load_lexicon
from wirewatch.analyse.partial import PartialPipeline

TEXT = (
    "The weather in Lisbon was mild on Thursday. "
    "Portugal's prime minister met the Spanish foreign minister in Madrid on Friday. "
    "Crowds filled the squares of Porto."
)


def _pipeline(kb=None) -> PartialPipeline:
    return PartialPipeline(load_nlp(), SentenceCoder(load_lexicon(), kb))


def test_the_screen_sees_inflected_triggers_and_lets_plain_sentences_pass_by():
    screen = _pipeline().screen
    assert screen(["the", "envoys", "met", "in", "geneva"])  # "met": meet
    assert screen(["talks", "resumed", "after", "the", "holiday"])  # "talks": talk
    assert not screen(["the", "weather", "was", "mild", "and", "sunny"])


def test_only_candidate_sentences_are_parsed_and_the_rest_keeps_its_bounds():
    pipe = _pipeline()
    (doc,) = pipe.annotate([pipe.nlp.make_doc(TEXT)])
    full = load_nlp()(TEXT)
    sents = [s.text for s in doc.sents]
    assert sents == [s.text for s in full.sents]
    parsed = next(s for s in doc.sents if "met" in s.text)
    flat = next(s for s in doc.sents if "weather" in s.text)
    # The trigger sentence has the full pipeline's parse ...
    ref = next(s for s in full.sents if "met" in s.text)
    assert [(t.dep_, t.head.i, t.tag_, t.lemma_) for t in parsed] == [
        (t.dep_, t.head.i, t.tag_, t.lemma_) for t in ref
    ]
    # ... the other a flat placeholder tree without tags.
    assert flat.root.i == flat.start and {t.dep_ for t in flat[1:]} == {"dep"}
    assert all(t.tag_ == "" for t in flat)
    # Entities come from the NER over the whole text.
    assert {e.text for e in doc.ents} == {e.text for e in full.ents}


def test_partial_and_full_analysers_code_the_same_event_in_a_trigger_sentence():
    full = Analyser(partial=False)
    part = Analyser(nlp=full.nlp, kb=full.kb, partial=True)
    from wirewatch.model import Article

    art = Article(id="p1", text=TEXT, published=datetime(2024, 5, 6, tzinfo=UTC))
    a, b = full.analyse(art), part.analyse(art)
    assert [(m.type, m.status, m.sentence, m.trigger, m.date_start) for m in a.mentions] == [
        (m.type, m.status, m.sentence, m.trigger, m.date_start) for m in b.mentions
    ]
    assert any(m.type == "CONSULT" for m in b.mentions)
    (c,) = list(part.run([art]))
    assert [m.type for m in c.mentions] == [m.type for m in b.mentions]
