"""WarmTokenizer: the Doc spaCy's own tokenizer gives, with spaCy's chunk cache filled."""

import numpy
import pytest
from spacy.attrs import IDX, LEMMA, NORM, ORTH, SPACY
from spacy.tokenizer import Tokenizer

from wirewatch.analyse import load_nlp
from wirewatch.analyse.tokenizer import WarmTokenizer

# Special cases early (abbreviations, contractions, an emoticon, times) so the rest of each
# text is what spaCy's own cache skips; odd whitespace, since chunks are split on it.
TEXTS = [
    "Mr. Okafor didn't sign the accord in the U.S. on Jan. 5; he'll sign it at 9 a.m. :)",
    "The ministers met again.  Talks ended late\n\nand resumed on Tuesday (local time).",
    "Gen. Ruiz's forces can't hold the pass, officials said\u00a0on Monday\tnight.",
    "Talks ended late and resumed on Tuesday; the ministers met again, Mr. Okafor said.",
    "\"We won't,\" said Dr. Lee -- 3.5% of e-mail isn't spam... isn't it?",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def plain():
    return load_nlp(warm_cache=False).tokenizer


def _fresh(tok):
    """A tokenizer with ``tok``'s rules and an empty cache of its own."""
    return Tokenizer(
        tok.vocab, rules=tok.rules, prefix_search=tok.prefix_search,
        suffix_search=tok.suffix_search, infix_finditer=tok.infix_finditer,
        token_match=tok.token_match, url_match=tok.url_match,
    )  # fmt: skip


def _tokens(doc):
    return doc.to_array([ORTH, NORM, SPACY, LEMMA, IDX])


def test_the_pipeline_tokenizes_through_the_warm_tokenizer():
    assert isinstance(load_nlp().tokenizer, WarmTokenizer)
    assert not isinstance(load_nlp(warm_cache=False).tokenizer, WarmTokenizer)


def test_docs_are_spacys_token_for_token(plain):
    warm = WarmTokenizer(_fresh(plain))
    for _ in range(2):  # the second pass reads the cache the first one filled
        for text in TEXTS:
            a, b = warm(text), plain(text)
            assert [t.text for t in a] == [t.text for t in b], text
            assert numpy.array_equal(_tokens(a), _tokens(b)), text
    assert [t.text for t in warm("didn't")] == ["did", "n't"]
    assert warm("Mr. Okafor")[0].norm_ == plain("Mr. Okafor")[0].norm_


def test_chunks_are_remembered_up_to_the_limit(plain):
    small = _fresh(plain)
    small.max_cache_size = 10
    WarmTokenizer(small, max_chunks=100)
    assert small.max_cache_size == 100  # spaCy's cache holds what is warmed
    warm = WarmTokenizer(small, max_chunks=6)
    assert small.max_cache_size == 100  # and is never made smaller
    warm("one two three")
    assert warm._seen == {"one", "two", "three"}
    warm("two four five six seven")
    assert len(warm._seen) == 7  # the batch that crossed the limit is taken whole
    warm("eight nine")
    assert "eight" not in warm._seen  # past the limit: spaCy's tokenizer alone
    assert [t.text for t in warm("eight nine")] == ["eight", "nine"]


def test_everything_else_is_the_wrapped_tokenizers(plain):
    warm = WarmTokenizer(_fresh(plain))
    assert warm.rules == plain.rules
    assert warm.explain("can't") == plain.explain("can't")
    assert [t.text for d in warm.pipe(["a b", "c"]) for t in d] == ["a", "b", "c"]
