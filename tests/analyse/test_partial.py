"""The partial parse: the shared layers run only on sentences where an event can be or whose names
the entity rules read with tags and tree; there the annotations are the full pipeline's,
elsewhere a flat tree keeps sentence bounds and the NER's entities are kept everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from wirewatch.analyse import Analyser, load_nlp
from wirewatch.analyse.coder import SentenceCoder
from wirewatch.analyse.lexicon import load_lexicon
from wirewatch.analyse.partial import PartialPipeline

TEXT = (
    "The weather was mild on Thursday. "
    "Portugal's prime minister met the Spanish foreign minister in Madrid on Friday. "
    "Crowds filled the squares of Porto."
)


def _pipeline() -> PartialPipeline:
    from wirewatch.link.kb import KnowledgeBase

    kb = KnowledgeBase.default()
    return PartialPipeline(load_nlp(), SentenceCoder(load_lexicon(), kb), kb)


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


def _parsed(pipe: PartialPipeline, text: str) -> list[str]:
    (doc,) = pipe.annotate([pipe.nlp.make_doc(text)])
    return [s.text.strip() for s in doc.sents if s[0].tag_]


def test_sentences_whose_names_need_tags_or_the_tree_are_parsed_too():
    pipe = _pipeline()
    text = (
        "The weather was mild on Thursday. "
        "Maria Oliveira, a retired teacher, was there. "  # a person: title, apposition
        "The rain came late. "
        "Oliveira was happy. "  # the surname of a person named in full
        "Tourists crowded the cafes of Lisbon. "  # a capital: the city or its government
        "Police closed two roads. "  # a domestic actor
        "The ferries ran as usual."
    )
    parsed = _parsed(pipe, text)
    assert "Maria Oliveira, a retired teacher, was there." in parsed
    assert "Oliveira was happy." in parsed
    assert "Tourists crowded the cafes of Lisbon." in parsed
    assert "Police closed two roads." in parsed
    assert "The weather was mild on Thursday." not in parsed
    assert "The ferries ran as usual." not in parsed


def test_the_sentence_naming_an_actor_before_an_event_sentence_is_parsed():
    pipe = _pipeline()
    # "It" in the event sentence is the subject of the one before: the coder needs its tree.
    text = "The ferries ran as usual. Acme Corp opened a plant in 1990. It agreed to a merger."
    parsed = _parsed(pipe, text)
    assert "Acme Corp opened a plant in 1990." in parsed
    assert "The ferries ran as usual." not in parsed


def test_a_parsed_range_gets_the_vectors_it_has_in_the_whole_article():
    import numpy

    pipe = _pipeline()
    nlp = pipe.nlp
    tok2vec = nlp.get_pipe("tok2vec")
    text = (
        "The weather was mild on Thursday in the hills.\n"
        "Henderson agreed to a new contract with the club on Friday."
    )
    full = tok2vec(nlp.make_doc(text))
    start = next(t.i for t in full if t.text == "Henderson")
    end = len(full)

    def vectors(margin: int) -> numpy.ndarray:
        pipe.margin = margin
        sub, off = pipe.window(full, start, end)
        return tok2vec(sub).tensor[off : off + end - start]

    assert pipe.margin == 4  # the model's tok2vec: depth 4, window 1
    assert numpy.allclose(vectors(4), full.tensor[start:end], atol=1e-5)
    # without the context the first words' vectors are not the article's
    assert not numpy.allclose(vectors(0)[:2], full.tensor[start : start + 2], atol=1e-3)
