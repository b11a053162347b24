"""spaCy's tokenizer with its chunk cache doing its job.

spaCy caches the tokens of each whitespace-separated chunk, but once a chunk of a text has hit
a special case ("U.S.", "Mr.", "don't"), nothing later in that text is cached: the flag that
should mark one chunk stays set for the rest of the text (spaCy issue #13950, unfixed in the
3.8 series). Nearly every news article hits one in its first lines, so the cache stayed almost
empty and the tokenizer took ~10% of the model's time, re-splitting the same words article
after article.

``WarmTokenizer`` tokenizes each chunk it has not seen before on its own first (where the flag
marks only that chunk, as spaCy means it to), which puts it in spaCy's cache; then it
tokenizes the text with spaCy's tokenizer as before, now mostly from the cache. A chunk's
tokens do not depend on the chunks around it (spaCy's cache rests on that), so the Doc is
the one spaCy gives: the tests compare every token, its whitespace and its attributes.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

# Distinct chunks warmed (and so cached) at most: ~50 bytes each in spaCy's cache and ~100 in
# the set of those seen. Past it the tokenizer runs as spaCy's alone; news vocabulary repeats,
# so the common words are in by then (268 articles have ~9,000 distinct chunks).
MAX_CHUNKS = 100_000


class WarmTokenizer:
    """Wraps a loaded spaCy ``Tokenizer``; anything but calling it goes to that tokenizer."""

    def __init__(self, tokenizer: Any, max_chunks: int = MAX_CHUNKS) -> None:
        self.tokenizer = tokenizer
        self.max_chunks = max_chunks
        # spaCy stops caching at its own limit (10,000 chunks by default).
        tokenizer.max_cache_size = max(tokenizer.max_cache_size, max_chunks)
        self._seen: set[str] = set()

    def __call__(self, text: str) -> Doc:
        seen = self._seen
        if len(seen) < self.max_chunks:
            new = set(text.split())  # spaCy's chunks: str.isspace() separates both
            new -= seen
            if new:
                seen |= new
                tokenize = self.tokenizer
                for chunk in new:
                    tokenize(chunk)
        return self.tokenizer(text)

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        # Only reached for what this class lacks (rules, explain, to_bytes, ...).
        return getattr(self.__dict__["tokenizer"], name)
