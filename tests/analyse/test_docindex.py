"""The pure-Python view of a parse answers exactly what spaCy's Token and Span answer."""

from __future__ import annotations

import weakref

import pytest

from wirewatch.analyse.docindex import doc_index

TEXT = (
    "Foreign ministers of Chile and Peru met in Lima on Monday, and they agreed that "
    "talks would resume.\n"
    "A spokesman for the ministry said the border, which was closed in 2019, would reopen.\n"
    "Headline without a full stop\n"
    "The   navy , the army and  the police ( all three ) were deployed ."
)

ATTRS = (
    "i", "text", "lower_", "lemma_", "pos_", "tag_", "dep_", "ent_type_", "idx",
    "whitespace_", "is_alpha", "is_punct", "is_upper", "is_space", "is_sent_start",
)  # fmt: skip


def test_tokens_match_spacy(analyser):
    doc = analyser.nlp(TEXT)
    ix = doc_index(doc)
    assert len(ix) == len(doc)
    for tok in doc:
        t = ix[tok.i]
        for name in ATTRS:
            assert getattr(t, name) == getattr(tok, name), (tok.text, name)
        assert len(t) == len(tok)
        assert t.head.i == tok.head.i
        assert [c.i for c in t.children] == [c.i for c in tok.children]
        assert [c.i for c in t.lefts] == [c.i for c in tok.lefts]
        assert [c.i for c in t.rights] == [c.i for c in tok.rights]
        assert [c.i for c in t.subtree] == [c.i for c in tok.subtree]
        assert t.subtree_ids == {c.i for c in tok.subtree}
        assert [c.i for c in t.ancestors] == [c.i for c in tok.ancestors]
        assert [c.i for c in t.conjuncts] == [c.i for c in tok.conjuncts]
        assert t.left_edge.i == tok.left_edge.i
        assert (t.sent.start, t.sent.end) == (tok.sent.start, tok.sent.end)
        for other in doc:
            assert t.is_ancestor(ix[other.i]) == tok.is_ancestor(other)
    # the index is built once per Doc
    assert doc_index(doc) is ix


def test_span_root_and_text_match_spacy(analyser):
    doc = analyser.nlp(TEXT)
    ix = doc_index(doc)
    for start in range(len(doc)):
        for end in range(start + 1, min(start + 6, len(doc)) + 1):
            span = doc[start:end]
            assert ix.root(start, end).i == span.root.i, span.text
            assert ix.span_text(start, end) == span.text
    assert [(s.start, s.end) for s in ix.sents] == [(s.start, s.end) for s in doc.sents]


def test_empty_doc(analyser):
    doc = analyser.nlp("")
    ix = doc_index(doc)
    assert len(ix) == 0 and ix.sents == []


def test_index_does_not_keep_its_doc_alive(analyser):
    doc = analyser.nlp("Seoul said it would meet Tokyo.")
    ix = doc_index(doc)
    ref = weakref.ref(doc)
    del doc
    assert ref() is None  # freed at once, without waiting for the cycle collector
    with pytest.raises(ReferenceError):
        _ = ix.doc


def test_last_view_is_not_given_to_another_doc(analyser):
    """doc_index answers the last Doc asked for without its user_data: only for that Doc."""
    first = analyser.nlp("Chile and Peru met in Lima.")
    second = analyser.nlp("The navy was deployed.")
    a, b = doc_index(first), doc_index(second)
    assert doc_index(first) is a and doc_index(second) is b
    assert [t.text for t in doc_index(first).toks][:2] == ["Chile", "and"]
    del first
    third = analyser.nlp("Chile and Peru met in Lima.")  # may reuse the freed Doc's address
    assert doc_index(third) is not a
    assert doc_index(third).toks[0].text == "Chile"
