"""The pipeline's own components: a line break starts a sentence (headlines and captions carry
no full stop), and only a line break does."""

from __future__ import annotations

from wirewatch.analyse import load_nlp


def test_a_line_break_starts_a_sentence_and_a_space_does_not():
    nlp = load_nlp()
    text = "Envoys Gather in Oslo\nTalks on the truce began on Tuesday in the city \n \nPhoto: AFP"
    doc = nlp(text)
    starts = [t.text for t in doc if t.is_sent_start and not t.is_space]
    assert starts[:3] == ["Envoys", "Talks", "Photo"], starts
    # A plain space between words is no break: "Tuesday in" stays in one sentence.
    sent = next(s for s in doc.sents if "Talks" in s.text)
    assert "Tuesday in the city" in sent.text


def test_the_lexicon_splits_phrases_as_the_models_tokenizer_does() -> None:
    # The analyser builds its lexicon with the loaded model's tokenizer rather than building a
    # blank English one: both must split every shipped phrase alike ("test-fire", "call on").
    from wirewatch.analyse.lexicon import load_lexicon

    with_model = load_lexicon(tokenizer=load_nlp().tokenizer)
    blank = load_lexicon()
    assert with_model is not blank
    assert with_model == blank
    assert ("test", "-", "fire") in {p for ps in blank.verb_phrases.values() for p, _ in ps}
