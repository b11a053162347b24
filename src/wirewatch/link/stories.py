"""Stories: groups of articles about one developing situation.

An article is a TF-IDF vector of three blocks, each weighted by rarity in the store and
normalised on its own: its content words, the named actors it mentions (people,
organisations, bodies; not countries, which nearly every article names), and the
multi-article events it reports. Two articles are alike by the cosine of their vectors.

Grouping is group-average (UPGMA) clustering: an article joins the story whose members it
is most alike on average, and two stories merge while the average similarity between their
members stays above a threshold: a fixed floor, or (``background_factor``, on by default)
the average similarity of two articles of the store when that is higher (a store about one
country or one crisis is alike throughout, and its stories must stand out from it).
Average rather than single link, because one shared name or one loose report must not
chain two situations into one (single link over the same vectors merges everything at any
useful threshold). The average similarity of an article to a story, and between two
stories, is a dot product with the stories' summed vectors, so no pairwise matrix is ever
built.

Articles are taken in store order (publication, undated last) and compared only with the
stories that recently used one of their most telling terms; the cost per article depends on
those few stories, not on the size of the store. Publication dates are not needed: content
alone decides. Dates are not a hard window either, because one situation is reported again
after months or years (a lawsuit, a bailout, an aircraft programme).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter, mul

from spacy.lang.en.stop_words import STOP_WORDS

THRESHOLD = 0.035  # average cosine between the members of one story
# ... and at least this many times the average cosine of two articles of the store: in a
# store about one region or one crisis every pair shares its names and words, and a story
# must be more alike than that (1.0 splits the seeds into their two situations). A store
# whose background is under THRESHOLD (a general news stream, MEANTIME's four topics) is not
# affected. Incremental placement uses the last full grouping's threshold; a store above the
# floor is regrouped in full once it has grown by REGROUP since then (link/incremental.py).
BACKGROUND = 1.0
REGROUP = 1.25
ACTOR_WEIGHT = 1.0  # named actors against content words (each block has unit length)
EVENT_WEIGHT = 0.5  # shared events against content words
TOP_TERMS = 12  # an article's most telling terms, used to find candidate stories
RECENT = 8  # stories per term an article is compared with (the most recent ones)
CANDIDATES = 6  # stories scored per article: those sharing most of its telling terms
WINDOW = 100  # a story is compared by its latest members
COMMON = 0.5  # terms in more than this share of the articles are not used to find stories

_WORD = re.compile(r"[^\W\d_](?:[\w'-]*\w)?")


@dataclass
class StoryArticle:
    """What the story grouping knows of one article."""

    id: str
    words: Counter[str] = field(default_factory=Counter)
    actors: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)  # named, not used for grouping


@dataclass
class Story:
    articles: list[str] = field(default_factory=list)
    id: str = ""


def content_words(*texts: str | None) -> Counter[str]:
    """Lower-cased words of three letters or more, without stop words or numbers."""
    raw: Counter[str] = Counter()
    for text in texts:
        if text:
            raw.update(_WORD.findall(text.lower().replace("\u2019", "'")))
    counts: Counter[str] = Counter()
    for word, n in raw.items():
        if word.endswith("'s"):
            word = word[:-2]
        if len(word) > 2 and word not in STOP_WORDS:
            counts[word] += n
    return counts


def _weights(
    docs: Sequence[StoryArticle], block: str, prefix: str, scale: float
) -> list[dict[str, float] | None]:
    """Sublinear TF x IDF, one block of length ``scale`` per article (None when the article
    has no such terms). Terms of one article only are left out once the length is taken:
    they cannot match anything, and most of a store's vocabulary is such terms."""
    counts: list[Counter[str]] = [getattr(d, block) for d in docs]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = max(len(docs), 1)
    idf = {k: math.log(1.0 + n / f) for k, f in df.items()}
    out: list[dict[str, float] | None] = []
    for c in counts:
        if not c:
            out.append(None)
            continue
        vec = {k: (1.0 + math.log(x)) * idf[k] if x > 1 else idf[k] for k, x in c.items()}
        factor = scale / (math.sqrt(sum(v * v for v in vec.values())) or 1.0)
        out.append({prefix + k: v * factor for k, v in vec.items() if df[k] > 1})
    return out


def vectors(
    docs: Sequence[StoryArticle],
    actor_weight: float = ACTOR_WEIGHT,
    event_weight: float = EVENT_WEIGHT,
) -> list[dict[str, float]]:
    """One unit-length vector per article: words, actors and events blocks."""
    scales = (1.0, actor_weight, event_weight)
    blocks = [
        _weights(docs, "words", "w:", scales[0]),
        _weights(docs, "actors", "a:", scales[1]),
        _weights(docs, "events", "e:", scales[2]),
    ]
    out = []
    for parts in zip(*blocks, strict=True):
        vec: dict[str, float] = {}
        length2 = 0.0
        for part, scale in zip(parts, scales, strict=True):
            if part is not None:
                vec.update(part)
                length2 += scale * scale
        norm = math.sqrt(length2) or 1.0
        out.append({k: v / norm for k, v in vec.items()} if norm != 1.0 else vec)
    return out


def background(vecs: Sequence[Mapping[str, float]]) -> float:
    """The average similarity of two different articles of the store: (|sum|^2 - sum of
    |v|^2) / (n (n - 1)), in one pass over the vectors."""
    n = len(vecs)
    if n < 2:
        return 0.0
    total: dict[str, float] = {}
    own = 0.0
    for vec in vecs:
        for k, v in vec.items():
            total[k] = total.get(k, 0.0) + v
            own += v * v
    return max(0.0, (sum(v * v for v in total.values()) - own) / (n * (n - 1)))


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Sparse dot product: only the shared keys are visited (set intersection in C)."""
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0
    if len(shared) == 1:
        k = next(iter(shared))
        return a[k] * b[k]
    get = itemgetter(*shared)
    return sum(map(mul, get(a), get(b)))


def _norm(a: Mapping[str, float]) -> float:
    return math.sqrt(sum(v * v for v in a.values()))


class _Clusters:
    """Stories being built: the summed vectors of their latest WINDOW members and an index of
    their telling terms. A story is described by its recent coverage, which follows a
    situation as it develops and keeps the cost of a comparison bounded however long the
    story grows."""

    def __init__(self, threshold: float, vecs: Sequence[dict[str, float]]) -> None:
        self.threshold = threshold
        self.vecs = vecs
        self.sums: list[dict[str, float]] = []
        self.members: list[list[int]] = []
        self.window: list[list[int]] = []  # the latest members, in pass order
        self.keys: list[Counter[str]] = []  # telling terms of the members, with counts
        self.alive: list[bool] = []
        self.postings: dict[str, list[int]] = defaultdict(list)

    def candidates(self, keys: Iterable[str], exclude: int = -1) -> list[int]:
        """The stories that recently used most of these terms (at most CANDIDATES)."""
        hits: Counter[int] = Counter()
        for key in keys:
            for c in {self._root(c) for c in self.postings.get(key, ())[-RECENT:]}:
                hits[c] += 1
        hits.pop(exclude, None)
        return sorted(hits, key=lambda c: (-hits[c], c))[:CANDIDATES]

    def _root(self, c: int) -> int:
        while not self.alive[c]:
            c = self.members[c][0]  # a merged story points at the one it joined
        return c

    def new(self, n: int, keys: Sequence[str]) -> int:
        c = len(self.sums)
        self.sums.append(dict(self.vecs[n]))
        self.members.append([n])
        self.window.append([n])
        self.keys.append(Counter())
        self.alive.append(True)
        self.index(c, keys)
        return c

    def add(self, c: int, n: int, keys: Sequence[str]) -> None:
        total = self.sums[c]
        for k, v in self.vecs[n].items():
            total[k] = total.get(k, 0.0) + v
        self.members[c].append(n)
        self.window[c].append(n)
        if len(self.window[c]) > WINDOW:
            for k, v in self.vecs[self.window[c].pop(0)].items():
                left = total[k] - v
                if abs(left) > 1e-9:
                    total[k] = left
                else:
                    del total[k]
        self.index(c, keys)

    def index(self, c: int, keys: Iterable[str], counts: Mapping[str, int] | None = None) -> None:
        for key in keys:
            self.keys[c][key] += counts[key] if counts else 1
            posting = self.postings[key]
            if not posting or posting[-1] != c:
                posting.append(c)

    def telling(self, c: int) -> list[str]:
        """A story's most used telling terms, to find the stories it may merge with."""
        return [k for k, _ in self.keys[c].most_common(2 * TOP_TERMS)]

    def score(self, n: int, c: int) -> float:
        """Average similarity of article n to the story's latest members."""
        return _dot(self.vecs[n], self.sums[c]) / len(self.window[c])

    def average(self, a: int, b: int) -> float:
        return _dot(self.sums[a], self.sums[b]) / (len(self.window[a]) * len(self.window[b]))

    def carried(self, a: int, b: int) -> bool:
        """Whether the likeness of two stories survives without its strongest member on
        either side: a roundup that names both situations must not be the only bridge."""
        total = _dot(self.sums[a], self.sums[b])
        for side, other in ((a, b), (b, a)):
            size = len(self.window[side])
            if size < 2:
                continue
            rest = (size - 1) * len(self.window[other])
            # No member (a unit vector) adds more than the other's norm: often that is enough.
            if (total - _norm(self.sums[other])) / rest >= self.threshold:
                continue
            strongest = max(_dot(self.vecs[m], self.sums[other]) for m in self.window[side])
            if (total - strongest) / rest < self.threshold:
                return False
        return True

    def merge(self, keep: int, gone: int) -> None:
        window = sorted(self.window[keep] + self.window[gone])[-WINDOW:]
        if len(window) == len(self.window[keep]) + len(self.window[gone]):
            total = self.sums[keep]
            for k, v in self.sums[gone].items():
                total[k] = total.get(k, 0.0) + v
        else:
            total = {}
            for m in window:
                for k, v in self.vecs[m].items():
                    total[k] = total.get(k, 0.0) + v
            self.sums[keep] = total
        self.window[keep] = window
        self.members[keep].extend(self.members[gone])
        self.index(keep, list(self.keys[gone]), self.keys[gone])
        self.alive[gone] = False
        self.sums[gone] = {}
        self.window[gone] = []
        self.keys[gone] = Counter()
        self.members[gone] = [keep]


def group_stories(
    docs: Sequence[StoryArticle],
    order: Sequence[str] = (),
    threshold: float = THRESHOLD,
    actor_weight: float = ACTOR_WEIGHT,
    event_weight: float = EVENT_WEIGHT,
    used: dict[str, float] | None = None,
    background_factor: float = BACKGROUND,
    computed: dict[str, tuple[dict[str, float], list[str]]] | None = None,
) -> list[Story]:
    """Stories of the given articles. ``order`` (articles by publication; the store's order)
    fixes the order of the pass, of the stories and their ids; articles not in it follow in
    id order. The same input always gives the same stories. ``used`` receives the threshold
    applied (``threshold`` or the store's background, whichever is higher); ``computed``, per
    article, the vector and telling terms the pass used (``story_index`` takes them)."""
    rank = {a: n for n, a in enumerate(order)}
    docs = sorted(docs, key=lambda d: (rank.get(d.id, len(rank)), d.id))
    vecs = vectors(docs, actor_weight, event_weight)
    df: Counter[str] = Counter()
    for v in vecs:
        df.update(v.keys())
    common = max(2.0, COMMON * len(docs))
    if background_factor > 0:
        threshold = max(threshold, background_factor * background(vecs))
    if used is not None:
        used["threshold"] = threshold
    clusters = _Clusters(threshold, vecs)
    for n, vec in enumerate(vecs):
        telling = [k for k in vec if 1 < df[k] <= common]
        keys = heapq.nlargest(TOP_TERMS, telling, key=vec.__getitem__)
        if computed is not None:
            computed[docs[n].id] = (vec, keys)
        best: tuple[float, int] | None = None
        for c in clusters.candidates(keys):
            score = clusters.score(n, c)
            if score >= threshold and (best is None or (score, -c) > (best[0], -best[1])):
                best = (score, c)
        if best is None:
            clusters.new(n, keys)
        else:
            clusters.add(best[1], n, keys)
    _merge(clusters)

    stories = []
    for c, alive in enumerate(clusters.alive):
        if alive:
            members = sorted(clusters.members[c])
            ids = [docs[m].id for m in members]
            digest = hashlib.sha1(ids[0].encode("utf-8")).hexdigest()[:12]
            stories.append(Story(ids, f"st-{digest}"))
    stories.sort(key=lambda s: (rank.get(s.articles[0], len(rank)), s.articles[0]))
    return stories


def _merge(clusters: _Clusters) -> None:
    """Merge the two most alike stories while their average similarity is above the
    threshold (greedy group-average agglomeration, pairs found through the term index)."""
    threshold = clusters.threshold
    heap: list[tuple[float, int, int]] = []

    def push(a: int) -> None:
        for b in clusters.candidates(clusters.telling(a), exclude=a):
            score = clusters.average(a, b)
            if score >= threshold:
                heapq.heappush(heap, (-score, min(a, b), max(a, b)))

    for c, alive in enumerate(clusters.alive):
        if alive:
            push(c)
    sizes = {c: len(m) for c, m in enumerate(clusters.members)}
    while heap:
        _, a, b = heapq.heappop(heap)
        if not (clusters.alive[a] and clusters.alive[b]):
            continue
        if sizes[a] != len(clusters.members[a]) or sizes[b] != len(clusters.members[b]):
            continue  # stale: one of them grew since this pair was scored
        if not clusters.carried(a, b):
            continue
        clusters.merge(a, b)  # the older story keeps its place
        sizes[a] = len(clusters.members[a])
        push(a)


# --------------------------------------------------------------------------- incremental

BLOCKS = (("words", "w:"), ("actors", "a:"), ("events", "e:"))


def doc_terms(doc: StoryArticle) -> set[str]:
    """The article's terms as the document frequencies count them (block prefix added)."""
    return {prefix + k for block, prefix in BLOCKS for k in getattr(doc, block)}


def doc_vector(
    doc: StoryArticle,
    df: Mapping[str, int],
    n: int,
    actor_weight: float = ACTOR_WEIGHT,
    event_weight: float = EVENT_WEIGHT,
) -> dict[str, float]:
    """The article's vector as ``vectors`` gives it in a store of ``n`` articles with these
    document frequencies (prefixed terms): one article at a time, so an ingest can place a
    new article without weighing the whole store again."""
    scales = (1.0, actor_weight, event_weight)
    vec: dict[str, float] = {}
    length2 = 0.0
    n = max(n, 1)
    for (block, prefix), scale in zip(BLOCKS, scales, strict=True):
        counts: Counter[str] = getattr(doc, block)
        if not counts:
            continue
        part = {}
        for k, x in counts.items():
            idf = math.log(1.0 + n / max(df.get(prefix + k, 1), 1))
            part[k] = (1.0 + math.log(x)) * idf if x > 1 else idf
        factor = scale / (math.sqrt(sum(v * v for v in part.values())) or 1.0)
        vec.update({prefix + k: v * factor for k, v in part.items() if df.get(prefix + k, 1) > 1})
        length2 += scale * scale
    norm = math.sqrt(length2) or 1.0
    return {k: v / norm for k, v in vec.items()} if norm != 1.0 else vec


def telling_keys(vec: Mapping[str, float], df: Mapping[str, int], n: int) -> list[str]:
    """An article's most telling terms, as ``group_stories`` picks them."""
    common = max(2.0, COMMON * n)
    telling = [k for k in vec if 1 < df.get(k, 0) <= common]
    return heapq.nlargest(TOP_TERMS, telling, key=vec.__getitem__)


KEPT_KEYS = 500  # telling terms kept per story for an incremental assignment (it uses 24)


def kept_keys(counts: Mapping[str, int]) -> dict[str, int]:
    """A story's telling-term counts as stored for incremental assignment: the KEPT_KEYS most
    used, in the order they were first counted (ties of ``most_common`` go to the first).
    A long story's rare terms would make the row grow with the story (1.7 MB for a story of
    13k articles) while only its 2 x TOP_TERMS most used are ever read; a term outside the
    kept ones that becomes common again starts from its new counts."""
    if len(counts) <= KEPT_KEYS:
        return dict(counts)
    top = {k for k, _ in Counter(counts).most_common(KEPT_KEYS)}
    return {k: n for k, n in counts.items() if k in top}


def story_index(
    docs: Sequence[StoryArticle],
    order: Sequence[str],
    stories: Sequence[Story],
    ids: Sequence[str],
    computed: Mapping[str, tuple[dict[str, float], list[str]]] | None = None,
) -> tuple[Counter[str], list[tuple[str, str, int]], list[dict]]:
    """What an incremental assignment starts from after a full grouping: the document
    frequency of every term; per telling term the RECENT stories (final ids) that last took
    an article with it, as (term, story id, sequence number in the pass); and per story the
    summed vectors of its latest WINDOW members with the counts of its telling terms
    (``story_sums`` rows). ``computed``: the vectors and telling terms ``group_stories``
    found for these articles (the same as ``doc_vector`` and ``telling_keys`` give, which
    are a tenth of a full relink's CPU at 10k articles)."""
    rank = {a: n for n, a in enumerate(order)}
    docs = sorted(docs, key=lambda d: (rank.get(d.id, len(rank)), d.id))
    df: Counter[str] = Counter()
    for d in docs:
        df.update(doc_terms(d))
    story_of = {a: sid for s, sid in zip(stories, ids, strict=True) for a in s.articles}
    last: dict[str, dict[str, int]] = defaultdict(dict)
    windows: dict[str, list[dict[str, float]]] = defaultdict(list)
    keys_of: dict[str, Counter[str]] = defaultdict(Counter)
    members: Counter[str] = Counter()
    last_member: dict[str, str] = {}
    for seq, d in enumerate(docs):
        sid = story_of.get(d.id)
        if sid is None:
            continue
        known = computed.get(d.id) if computed is not None else None
        if known is not None:
            vec, keys = known
        else:
            vec = doc_vector(d, df, len(docs))
            keys = telling_keys(vec, df, len(docs))
        windows[sid].append(vec)
        if len(windows[sid]) > WINDOW:
            windows[sid].pop(0)
        keys_of[sid].update(keys)
        members[sid] += 1
        last_member[sid] = d.id
        for key in keys:
            seen = last[key]
            seen.pop(sid, None)
            seen[sid] = seq
            if len(seen) > RECENT:
                del seen[next(iter(seen))]
    postings = [(k, s, q) for k, seen in last.items() for s, q in seen.items()]
    sums = []
    for sid, vecs in windows.items():
        total: dict[str, float] = {}
        for vec in vecs:
            for k, v in vec.items():
                total[k] = total.get(k, 0.0) + v
        sums.append({"story_id": sid, "n_at": len(docs), "members": members[sid],
                     "last": last_member[sid], "sums": total,
                     "keys": kept_keys(keys_of[sid])})  # fmt: skip
    return df, postings, sums
