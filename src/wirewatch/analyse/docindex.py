"""A read-only, pure-Python view of a parsed spaCy ``Doc``, built once per document.

The coder and the entity finder walk the parse many times per sentence. Every ``doc[i]``,
``token.head`` or ``token.children`` of spaCy builds new ``Token`` objects (``head`` costs
about 2.5 microseconds here), so they read this view instead: one ``Tok`` per token, with
its attributes copied once and its head, children and subtree as plain references. A
``Tok`` answers the same attribute names as a spaCy ``Token`` with the same values (tested
against spaCy in ``tests/analyse/test_docindex.py``), so rules read the same either way.

The view is cached in ``doc.user_data`` (holding the Doc only weakly) and assumes the Doc
is not changed afterwards.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator, Sequence

import numpy
from spacy.attrs import (
    DEP,
    ENT_TYPE,
    HEAD,
    IDX,
    LEMMA,
    LOWER,
    ORTH,
    POS,
    SENT_START,
    SPACY,
    TAG,
)
from spacy.tokens import Doc, Span

_KEY = "wirewatch_index"
_ATTRS = [ORTH, LOWER, LEMMA, POS, TAG, DEP, ENT_TYPE, HEAD, SENT_START, IDX, SPACY]
# hash -> string; hashes are a fixed function of the string, so one table serves every Vocab
_STRINGS: dict[int, str] = {0: ""}
# word hash -> (is_alpha, is_punct, is_upper, is_space): flags of the English lexemes
_FLAGS: dict[int, tuple[bool, bool, bool, bool]] = {}
_SENT_STARTS = numpy.array([None, True, False], dtype=object)  # by SENT_START 0, 1, -1
_SPACES = numpy.array(["", " "], dtype=object)


class Tok:
    """One token of a ``DocIndex``: spaCy ``Token`` attribute names, plain Python values."""

    __slots__ = (
        "i", "text", "lower_", "lemma_", "pos_", "tag_", "dep_", "ent_type_", "idx",
        "whitespace_", "is_alpha", "is_punct", "is_upper", "is_space", "is_sent_start",
        "head", "children", "index", "sent_start", "_subtree", "_subtree_ids",
    )  # fmt: skip

    i: int
    text: str
    lower_: str
    lemma_: str
    pos_: str
    tag_: str
    dep_: str
    ent_type_: str
    idx: int
    whitespace_: str
    is_alpha: bool
    is_punct: bool
    is_upper: bool
    is_space: bool
    is_sent_start: bool | None
    head: Tok
    children: tuple[Tok, ...]
    index: DocIndex
    sent_start: int  # index of the first token of this token's sentence
    _subtree: list[Tok] | None
    _subtree_ids: frozenset[int] | None

    def __len__(self) -> int:
        return len(self.text)

    @property
    def doc(self) -> Doc:
        return self.index.doc

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    @property
    def lefts(self) -> Iterator[Tok]:
        return (c for c in self.children if c.i < self.i)

    @property
    def rights(self) -> Iterator[Tok]:
        return (c for c in self.children if c.i > self.i)

    @property
    def subtree(self) -> list[Tok]:
        """The token and its descendants in spaCy's order (left subtrees, self, right)."""
        if self._subtree is None:
            out: list[Tok] = []
            for c in self.children:
                if c.i < self.i:
                    out += c.subtree
            out.append(self)
            for c in self.children:
                if c.i > self.i:
                    out += c.subtree
            self._subtree = out
        return self._subtree

    @property
    def subtree_ids(self) -> frozenset[int]:
        """The indices of ``subtree`` (not a spaCy attribute: rules ask it again and again)."""
        found = self._subtree_ids
        if found is None:
            # one walk down, without building (and keeping) every descendant's ordered list
            out = [self.i]
            todo = list(self.children)
            while todo:
                t = todo.pop()
                out.append(t.i)
                todo += t.children
            found = self._subtree_ids = frozenset(out)
        return found

    @property
    def left_edge(self) -> Tok:
        return self.index.toks[min(t.i for t in self.subtree)]

    @property
    def ancestors(self) -> Iterator[Tok]:
        cur = self
        n = len(self.index.toks)
        k = 0
        while cur.head is not cur and k < n:
            cur = cur.head
            yield cur
            k += 1

    def is_ancestor(self, descendant: Tok) -> bool:
        return any(a is self for a in descendant.ancestors)

    @property
    def conjuncts(self) -> tuple[Tok, ...]:
        start = self
        while start.head is not start and start.dep_ == "conj":
            start = start.head
        queue = [start]
        output = [start]
        for word in queue:
            for child in word.children:
                if child.i > word.i and child.dep_ == "conj":
                    output.append(child)
                    queue.append(child)
        return tuple(w for w in output if w is not self)

    @property
    def sent(self) -> Span:
        return self.index.sent_of(self.i)


class DocIndex:
    """Every token of a Doc as a ``Tok``, and the sentence spans."""

    __slots__ = ("_doc", "toks", "text", "bounds", "_ents", "_roots", "__weakref__")

    def __init__(self, doc: Doc) -> None:
        # Only a weak reference: the Doc holds the index in its user_data, and a Doc must
        # not wait for the cycle collector to be freed.
        self._doc = weakref.ref(doc)
        n = len(doc)
        toks: list[Tok] = []
        heads: list[int] = []
        # Tens of thousands of new objects, none of them garbage yet: the cycle collector
        # would walk them again and again while they are made.
        enabled = gc.isenabled()
        gc.disable()
        try:
            if n:
                self._build(doc, n, toks, heads)
            self._link(toks, heads)
        finally:
            if enabled:
                gc.enable()
        # Doc.text builds a Token per token; the strings are all here already.
        self.text = "".join([x for t in toks for x in (t.text, t.whitespace_)])
        self.toks = toks
        self._ents: list[tuple[int, int, str]] | None = None
        self._roots: dict[tuple[int, int], Tok] = {}
        # Tokens point at each other (head, children): when the Doc goes, break those
        # cycles so that reference counting frees them at once, not the cycle collector.
        weakref.finalize(doc, _release, weakref.ref(self))
        # sentence bounds, not Spans: a Span would hold the Doc
        self.bounds: dict[int, int] = _sentence_bounds(doc, toks)
        for start, end in self.bounds.items():
            for j in range(start, end):
                toks[j].sent_start = start

    def _build(self, doc: Doc, n: int, toks: list[Tok], heads: list[int]) -> None:
        arr = doc.to_array(_ATTRS)
        # Hashes are 64-bit numbers, slow to turn into Python ints one by one: number the
        # distinct ones and look their strings up once.
        uniq, inv = numpy.unique(arr[:, :7], return_inverse=True)
        inv = inv.reshape(n, 7)
        cache = _STRINGS
        hashes = uniq.tolist()
        strings = doc.vocab.strings
        for h in hashes:
            if h not in cache:
                cache[h] = str(strings[h])
        names = numpy.array([cache[h] for h in hashes], dtype=object)
        # lexical flags of each distinct word
        words = numpy.unique(inv[:, 0])
        flag_of = numpy.empty(len(hashes), dtype=object)
        for u, h in zip(words.tolist(), uniq[words].tolist(), strict=True):
            found = _FLAGS.get(h)
            if found is None:
                lex = doc.vocab[h]
                found = _FLAGS[h] = (lex.is_alpha, lex.is_punct, lex.is_upper, lex.is_space)
            flag_of[u] = found
        nums = arr[:, 7:].view(numpy.int64)
        heads += (numpy.arange(n) + nums[:, 0]).tolist()
        # SENT_START is 1, 0 (unknown) or -1: spaCy's True, None, False
        starts = _SENT_STARTS[nums[:, 1]].tolist()
        spaces = _SPACES[(nums[:, 3] != 0).astype(numpy.intp)].tolist()
        for i, (orth, lower, lemma, pos, tag, dep, ent), flags, idx, ss, sp in zip(
            range(n), names[inv].tolist(), flag_of[inv[:, 0]].tolist(), nums[:, 2].tolist(),
            starts, spaces, strict=True,
        ):  # fmt: skip
            t = Tok()
            t.i = i
            t.text = orth
            t.lower_ = lower
            t.lemma_ = lemma
            t.pos_ = pos
            t.tag_ = tag
            t.dep_ = dep
            t.ent_type_ = ent
            t.idx = idx
            t.whitespace_ = sp
            t.is_sent_start = ss
            t.is_alpha, t.is_punct, t.is_upper, t.is_space = flags
            t.index = self
            t.sent_start = 0  # set from the bounds below; a user "sents" hook may skip some
            t._subtree = t._subtree_ids = None
            toks.append(t)

    @staticmethod
    def _link(toks: list[Tok], heads: list[int]) -> None:
        kids: dict[int, list[Tok]] = {}
        for t, h in zip(toks, heads, strict=True):
            t.head = toks[h]
            if h != t.i:
                kids.setdefault(h, []).append(t)
        for t in toks:
            k = kids.get(t.i)
            t.children = tuple(k) if k else ()

    @property
    def doc(self) -> Doc:
        doc = self._doc()
        if doc is None:
            raise ReferenceError("the Doc of this index is gone")
        return doc

    def __len__(self) -> int:
        return len(self.toks)

    def __getitem__(self, i: int) -> Tok:
        return self.toks[i]

    def span(self, start: int, end: int) -> list[Tok]:
        return self.toks[start:end]

    @property
    def sents(self) -> list[Span]:
        """``list(doc.sents)``."""
        doc = self.doc
        return [doc[start:end] for start, end in self.bounds.items()]

    def sent_of(self, i: int) -> Span:
        start = self.toks[i].sent_start
        return self.doc[start : self.bounds[start]]

    @property
    def ents(self) -> list[tuple[int, int, str]]:
        """``doc.ents`` as (start, end, label) token bounds."""
        return self._ents if self._ents is not None else self._keep_ents(self.doc.ents)

    def ent_spans(self) -> Sequence[Span]:
        """``doc.ents``; their bounds are kept for ``ents`` (Doc.ents makes every Span anew)."""
        spans = self.doc.ents
        if self._ents is None:
            self._keep_ents(spans)
        return spans

    def _keep_ents(self, spans: Sequence[Span]) -> list[tuple[int, int, str]]:
        self._ents = [(e.start, e.end, e.label_) for e in spans]
        return self._ents

    def span_chars(self, start: int, end: int) -> tuple[int, int]:
        """``(span.start_char, span.end_char)`` of ``doc[start:end]`` (non-empty)."""
        last = self.toks[end - 1]
        return self.toks[start].idx, last.idx + len(last.text)

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text`` without building the Span."""
        if start >= end:
            return ""
        last = self.toks[end - 1]
        return self.text[self.toks[start].idx : last.idx + len(last.text)]

    def root(self, start: int, end: int) -> Tok:
        """``doc[start:end].root``: spaCy's rule, without building the Span (kept per span:
        rules ask it of the same entities again and again)."""
        found = self._roots.get((start, end))
        if found is None:
            found = self._roots[(start, end)] = self._root(start, end)
        return found

    def _root(self, start: int, end: int) -> Tok:
        toks = self.toks
        for i in range(start, end):
            if toks[i].head is toks[i]:
                return toks[i]
        best, root = len(toks), -1
        for i in range(start, end):
            t = toks[i]
            if start <= t.head.i < end:
                continue
            if (t.is_space or t.is_punct) and not t.children:
                n = len(toks) - 1
            else:
                n = 0
                cur = t
                while cur.head is not cur:
                    cur = cur.head
                    n += 1
            if n < best:
                best, root = n, i
        return toks[start] if root == -1 else toks[root]


def _sentence_bounds(doc: Doc, toks: list[Tok]) -> dict[int, int]:
    """``{s.start: s.end for s in doc.sents}``: a sentence starts at each token flagged as a
    start, as ``Doc.sents`` reads the flags (it raises the same error without them)."""
    if not toks:
        return {}
    if "sents" in doc.user_hooks or not doc.has_annotation("SENT_START"):
        return {s.start: s.end for s in doc.sents}
    starts = [0] + [t.i for t in toks[1:] if t.is_sent_start]
    return dict(zip(starts, starts[1:] + [len(toks)], strict=True))


def _release(ref: weakref.ref[DocIndex]) -> None:
    ix = ref()
    if ix is None:
        return
    for t in ix.toks:
        del t.head, t.children, t.index
        t._subtree = t._subtree_ids = None
    ix.toks = []
    ix._roots = {}


def _no_doc() -> None:
    return None


# The last view asked for, as one tuple so that threads read a consistent pair: rules ask for
# the view tens of thousands of times per batch, and ``Doc.user_data`` is slow to reach.
_last: tuple[Callable[[], Doc | None], DocIndex | None] = (_no_doc, None)


def doc_index(doc: Doc) -> DocIndex:
    """The cached view of ``doc`` (built on first use)."""
    global _last
    alive, last = _last
    if last is not None and alive() is doc:
        return last
    ix = doc.user_data.get(_KEY)
    if ix is None or ix._doc() is not doc:
        ix = doc.user_data[_KEY] = DocIndex(doc)
    _last = (ix._doc, ix)
    return ix


__all__ = ["DocIndex", "Tok", "doc_index"]
