"""Incremental story assignment: an ingest places each new article in the story it fits, by
the criterion the full grouping uses, and rewrites only the stories it touches.

A new article's vector is weighed with the store's current document frequencies (kept per
term, ``story_terms``). Its candidate stories are those that recently took an article with
one of its telling terms (``story_postings``, a few per term); each candidate is scored as in
``stories.group_stories``, by the average similarity to its latest WINDOW members, whose
vectors are weighed again with the same frequencies. It joins the best story at or above the
threshold, or starts its own. The story it joined or started is then merged with a
candidate while their group average stays above the threshold and carried by more than one
member (the full grouping's merge step, for this story only).

What it does not do: move older articles between stories when the frequencies drift, or
split a story. A full relink (``wirewatch.engine.relink(store)``) regroups the whole store,
and the result differs a little from the incremental one (see bench/linking_bench.py). The
cost per new article depends on its candidate stories (at most CANDIDATES, WINDOW members
each), not on the size of the store: a story is loaded as its size, its first HEAD and its
latest WINDOW + 1 members (``_Members``), never all of them; only a merge reads the ids of
the story merged away (their rows change)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wirewatch.link.stories import (
    CANDIDATES,
    RECENT,
    THRESHOLD,
    TOP_TERMS,
    WINDOW,
    StoryArticle,
    _dot,
    _norm,
    doc_terms,
    doc_vector,
    kept_keys,
    telling_keys,
)

if TYPE_CHECKING:
    from wirewatch.store import Store

MIN_STORED = 10  # a story this large is scored from its stored sum while that is fresh
FRESH = 1.25  # a stored sum is fresh until the store has grown by this factor
HEAD = 20  # a story's first members kept in memory (its title is its first titled article's)

Rank = tuple[int, str, str]  # a story-order key: (undated, published in UTC, article id)


class _Members:
    """What the assignment needs of a story's members, in story order: their number, the
    first HEAD and the latest WINDOW + 1 (the scoring window and the one it drops next)."""

    def __init__(self, count: int, head: list[str], tail: list[str]) -> None:
        self.count = count
        self.head = head
        self.tail = tail

    def __len__(self) -> int:
        return self.count

    @property
    def first(self) -> str:
        return self.head[0]

    @property
    def last(self) -> str:
        return self.tail[-1]

    def window(self) -> list[str]:
        return self.tail[-WINDOW:]

    def add(self, article: str, rank: Mapping[str, Rank]) -> None:
        """Place one more member by its rank (articles not ranked go last)."""

        def key(a: str) -> Rank:
            return rank.get(a, (2, "", a))

        mine = key(article)
        if self.count <= len(self.tail) or (self.tail and mine > key(self.tail[0])):
            self.tail = sorted([*self.tail, article], key=key)[-(WINDOW + 1) :]
        if self.count < HEAD or (self.head and mine < key(self.head[-1])):
            self.head = sorted([*self.head, article], key=key)[:HEAD]
        self.count += 1

    def absorb(self, other: _Members, rank: Mapping[str, Rank]) -> None:
        def key(a: str) -> Rank:
            return rank.get(a, (2, "", a))

        self.count += other.count
        self.head = sorted({*self.head, *other.head}, key=key)[:HEAD]
        self.tail = sorted({*self.tail, *other.tail}, key=key)[-(WINDOW + 1) :]


@dataclass
class StoryUpdate:
    """What an incremental story assignment writes."""

    docs: list[StoryArticle] = field(default_factory=list)  # new and changed articles' terms
    df: dict[str, int] = field(default_factory=dict)  # terms whose frequency changed
    n: int = 0  # articles with story terms
    seq: int = 0  # the postings' sequence counter
    postings: dict[str, dict[str, int]] = field(default_factory=dict)  # term -> story -> seq
    article_stories: dict[str, str] = field(default_factory=dict)  # new or moved articles
    merged: dict[str, str] = field(default_factory=dict)  # story merged away -> kept story
    touched: set[str] = field(default_factory=set)  # stories whose rows change
    sizes: dict[str, int] = field(default_factory=dict)  # touched story -> its articles
    heads: dict[str, list[str]] = field(default_factory=dict)  # touched -> first HEAD articles
    sums: dict[str, dict[str, Any]] = field(default_factory=dict)  # touched -> story_sums row


class _Assign:
    """The stories being updated, loaded from the store as they are reached."""

    def __init__(self, store: Store, df: dict[str, int], n: int, seq: int) -> None:
        self.store = store
        self.df = df
        self.n = n
        self.seq = seq
        self.docs: dict[str, StoryArticle] = {}
        self.members: dict[str, _Members] = {}  # story -> its members (``_Members``)
        self.rank: dict[str, Rank] = {}  # article -> store order key
        self.joined_ids: dict[str, list[str]] = {}  # story -> articles that joined it now
        self.postings: dict[str, dict[str, int]] = {}
        self.touched_terms: set[str] = set()
        self.vec_cache: dict[str, dict[str, float]] = {}
        self.sums: dict[str, dict[str, float]] = {}  # story -> summed window vectors
        self.n_at: dict[str, int] = {}  # story -> store size its sum was weighed at
        self.keys: dict[str, Counter[str]] = {}
        self.stored_sums: dict[str, dict[str, Any]] = {}

    # loading

    def need_df(self, docs: Iterable[StoryArticle]) -> None:
        missing = {t for d in docs for t in doc_terms(d)} - self.df.keys()
        if missing:
            found = self.store.story_df(missing)
            for t in missing:
                self.df[t] = found.get(t, 0)

    def need_docs(self, ids: Iterable[str]) -> None:
        missing = [a for a in ids if a not in self.docs]
        if missing:
            self.docs.update(self.store.story_docs_for(missing))
            self.need_df(self.docs[a] for a in missing if a in self.docs)

    def need_members(self, sids: Iterable[str]) -> None:
        missing = [s for s in sids if s not in self.members]
        if missing:
            for sid, (count, head, tail) in self.store.story_ends(
                missing, HEAD, WINDOW + 1
            ).items():
                self.rank.update(head)
                self.rank.update(tail)
                self.members[sid] = _Members(count, [a for a, _ in head], [a for a, _ in tail])
            for sid in missing:
                self.members.setdefault(sid, _Members(0, [], []))
            self.stored_sums.update(self.store.story_sums_for(missing))

    def need_postings(self, terms: Iterable[str]) -> None:
        missing = [t for t in terms if t not in self.postings]
        if missing:
            found = self.store.story_postings_for(missing)
            for t in missing:
                self.postings[t] = dict(found.get(t, {}))

    # the grouping's measures

    def vector(self, article: str) -> dict[str, float]:
        vec = self.vec_cache.get(article)
        if vec is None:
            doc = self.docs.get(article) or StoryArticle(article)
            vec = self.vec_cache[article] = doc_vector(doc, self.df, self.n)
        return vec

    def window(self, sid: str) -> list[str]:
        return self.members[sid].window()

    def summed(self, sid: str) -> tuple[dict[str, float], list[str]]:
        """The summed vectors of the story's latest members, and those members: the stored
        sum while it is fresh (the story unchanged since, the store grown by at most
        FRESH), else weighed again from the members' terms."""
        window = self.window(sid)
        cached = self.sums.get(sid)
        if cached is not None:
            return cached, window
        row = self.stored_sums.get(sid)
        members = self.members[sid]
        if (row is not None and len(members) >= MIN_STORED and row["members"] == len(members)
                and row["last"] == members.last and self.n <= FRESH * row["n_at"]):  # fmt: skip
            self.sums[sid] = dict(row["sums"])
            self.n_at[sid] = row["n_at"]
            return self.sums[sid], window
        self.need_docs(window)
        total: dict[str, float] = {}
        for a in window:
            for k, v in self.vector(a).items():
                total[k] = total.get(k, 0.0) + v
        self.sums[sid] = total
        self.n_at[sid] = self.n
        return total, window

    def joined(self, sid: str, article: str) -> None:
        """Update the story's sum for a member just added (the newest, or weigh again)."""
        members = self.members[sid]
        if sid not in self.sums or members.last != article:
            self.sums.pop(sid, None)
            return
        total = self.sums[sid]
        for k, v in self.vector(article).items():
            total[k] = total.get(k, 0.0) + v
        if len(members) > WINDOW:
            gone = members.tail[-WINDOW - 1]
            self.need_docs([gone])
            for k, v in self.vector(gone).items():
                left = total.get(k, 0.0) - v
                if abs(left) > 1e-9:
                    total[k] = left
                else:
                    total.pop(k, None)

    def keys_of(self, sid: str) -> Counter[str]:
        """The counts of the telling terms of the story's members (as the full pass keeps)."""
        counts = self.keys.get(sid)
        if counts is None:
            row = self.stored_sums.get(sid)
            if row is not None:
                counts = Counter(row["keys"])
            else:  # no stored counts (not expected after a full relink): weigh every member
                counts = Counter()
                ids = self.all_ids(sid)
                self.need_docs(ids)
                for a in ids:
                    counts.update(telling_keys(self.vector(a), self.df, self.n))
            self.keys[sid] = counts
        return counts

    def candidates(self, keys: Sequence[str], exclude: str | None = None) -> list[str]:
        self.need_postings(keys)
        hits: Counter[str] = Counter()
        for key in keys:
            recent = sorted(self.postings[key].items(), key=lambda kv: kv[1])[-RECENT:]
            for sid, _ in recent:
                hits[sid] += 1
        hits.pop(exclude or "", None)
        return sorted(hits, key=lambda s: (-hits[s], s))[:CANDIDATES]

    def index(self, sid: str, keys: Iterable[str]) -> None:
        self.need_postings(keys)
        for key in keys:
            self.seq += 1
            seen = self.postings[key]
            seen[sid] = self.seq
            if len(seen) > RECENT:
                for old, _ in sorted(seen.items(), key=lambda kv: kv[1])[: len(seen) - RECENT]:
                    del seen[old]
            self.touched_terms.add(key)

    def all_ids(self, sid: str) -> list[str]:
        """Every member of the story now: the stored ones and those that joined it now."""
        stored = [a for a, _ in self.store.story_members([sid]).get(sid, [])]
        return [*stored, *self.joined_ids.get(sid, [])]

    def place(self, sid: str, article: str) -> None:
        self.members[sid].add(article, self.rank)
        self.joined_ids.setdefault(sid, []).append(article)

    def telling(self, sid: str) -> list[str]:
        return [k for k, _ in self.keys_of(sid).most_common(2 * TOP_TERMS)]


def _carried(
    a: tuple[dict[str, float], list[str]],
    b: tuple[dict[str, float], list[str]],
    vector: Any,
    threshold: float,
) -> bool:
    """``stories._Clusters.carried`` for two loaded stories."""
    total = _dot(a[0], b[0])
    for (_sums, window), (other, other_window) in ((a, b), (b, a)):
        size = len(window)
        if size < 2:
            continue
        rest = (size - 1) * len(other_window)
        if (total - _norm(other)) / rest >= threshold:
            continue
        strongest = max(_dot(vector(m), other) for m in window)
        if (total - strongest) / rest < threshold:
            return False
    return True


def assign_stories(
    store: Store,
    new_docs: Sequence[StoryArticle],
    changed_docs: Sequence[StoryArticle],
    order: Mapping[str, tuple[int, str, str]],
    threshold: float | None = None,
) -> StoryUpdate:
    """Place the new articles (``new_docs``, in store order, with ``order`` their store order
    keys) in stories; ``changed_docs`` are stored articles whose events changed. The
    threshold is the last full grouping's (which weighs the store's background), unless
    given."""
    state = store.link_state()
    if threshold is None:
        threshold = float(state.get("story_threshold") or THRESHOLD)
    n = int(state.get("story_n") or 0)
    seq = int(state.get("story_seq") or 0)
    work = _Assign(store, {}, n, seq)
    old = store.story_docs_for([d.id for d in changed_docs])
    work.need_df([*new_docs, *changed_docs, *old.values()])
    changed_df: set[str] = set()
    for d in changed_docs:
        before = doc_terms(old[d.id]) if d.id in old else set()
        after = doc_terms(d)
        for t in after - before:
            work.df[t] += 1
        for t in before - after:
            work.df[t] -= 1
        changed_df |= before ^ after
        work.docs[d.id] = d
    for d in new_docs:
        for t in doc_terms(d):
            work.df[t] += 1
            changed_df.add(t)
        work.docs[d.id] = d
    work.n = n + len(new_docs)
    update = StoryUpdate(docs=[*changed_docs, *new_docs], n=work.n)
    taken = store.existing_story_ids(
        ["st-" + hashlib.sha1(d.id.encode("utf-8")).hexdigest()[:12] for d in new_docs]
    )
    for d in new_docs:
        work.rank[d.id] = order[d.id]
        vec = work.vector(d.id)
        keys = telling_keys(vec, work.df, work.n)
        best: tuple[float, str] | None = None
        cands = work.candidates(keys)
        work.need_members(cands)
        for sid in cands:
            total, window = work.summed(sid)
            if not window:
                continue
            score = _dot(vec, total) / len(window)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, sid)
        if best is None:
            sid = base = "st-" + hashlib.sha1(d.id.encode("utf-8")).hexdigest()[:12]
            k = 0
            while sid in taken or (k and store.existing_story_ids([sid])):
                k += 1
                sid = f"{base}-{k}"
            taken.add(sid)
            work.members[sid] = _Members(0, [], [])
            work.place(sid, d.id)
            work.keys[sid] = Counter()
        else:
            sid = best[1]
            work.place(sid, d.id)
            work.keys_of(sid)
            work.joined(sid, d.id)
        update.article_stories[d.id] = sid
        update.touched.add(sid)
        work.keys[sid].update(keys)
        work.index(sid, keys)
        _merge_around(work, sid, update, threshold)
    update.df = {t: work.df[t] for t in changed_df}
    update.seq = work.seq
    update.postings = {t: work.postings[t] for t in work.touched_terms}
    update.sizes = {sid: len(work.members[sid]) for sid in update.touched}
    update.heads = {sid: list(work.members[sid].head) for sid in update.touched}
    for sid in sorted(update.touched):
        total, _window = work.summed(sid)
        update.sums[sid] = {
            "story_id": sid, "n_at": work.n_at[sid], "members": len(work.members[sid]),
            "last": work.members[sid].last, "sums": total, "keys": kept_keys(work.keys_of(sid)),
        }  # fmt: skip
    return update


def _merge_around(work: _Assign, sid: str, update: StoryUpdate, threshold: float) -> None:
    """Merge the story with the most alike candidate while the full grouping would."""
    while True:
        sid = update.merged.get(sid, sid)
        cands = work.candidates(work.telling(sid), exclude=sid)
        work.need_members(cands)
        mine = work.summed(sid)
        best: tuple[float, str] | None = None
        for other in cands:
            theirs = work.summed(other)
            if not theirs[1]:
                continue
            score = _dot(mine[0], theirs[0]) / (len(mine[1]) * len(theirs[1]))
            better = score >= threshold and (best is None or score > best[0])
            if better and _carried(mine, theirs, work.vector, threshold):
                best = (score, other)
        if best is None:
            return
        other = best[1]
        first = min((sid, other), key=lambda s: work.rank.get(work.members[s].first, (2, "", s)))
        keep, gone = first, other if first == sid else sid
        _absorb(work, keep, gone, update)
        sid = keep


def _absorb(work: _Assign, keep: str, gone: str, update: StoryUpdate) -> None:
    """The older story keeps its id; the other's articles, events and postings move to it."""
    moved = work.all_ids(gone)
    for a in moved:
        update.article_stories[a] = keep
    work.joined_ids[keep] = [*work.joined_ids.get(keep, []), *moved]
    work.joined_ids.pop(gone, None)
    work.members[keep].absorb(work.members[gone], work.rank)
    work.keys[keep] = work.keys_of(keep) + work.keys_of(gone)
    work.sums.pop(keep, None)
    work.stored_sums.pop(keep, None)
    work.members[gone] = _Members(0, [], [])
    for old, target in list(update.merged.items()):
        if target == gone:
            update.merged[old] = keep
    update.merged[gone] = keep
    update.touched.discard(gone)
    update.touched.add(keep)
    terms = work.store.story_terms_of(gone) | {
        t for t, seen in work.postings.items() if gone in seen
    }
    work.need_postings(terms)
    for t in terms:
        seen = work.postings[t]
        if gone in seen:
            q = seen.pop(gone)
            seen[keep] = max(q, seen.get(keep, 0))
            work.touched_terms.add(t)


def event_docs(
    store: Store, articles: Iterable[str], mention_events: Mapping[str, str]
) -> dict[str, Counter[str]]:
    """The multi-article events of these articles after an increment (``mention_events``
    overrides the stored event of a mention)."""
    rows = store.article_mention_events(list(articles))
    events_of: dict[str, set[str]] = {}
    for article, mention, stored in rows:
        eid = mention_events.get(mention, stored)
        if eid:
            events_of.setdefault(article, set()).add(eid)
    counts = store.event_article_counts({e for es in events_of.values() for e in es})
    # Events rewritten in this increment: their articles as they are now.
    moved: dict[str, set[str]] = {}
    for mention, eid in mention_events.items():
        moved.setdefault(eid, set()).add(mention.rsplit("#", 1)[0])
    out: dict[str, Counter[str]] = {a: Counter() for a, _, _ in rows}
    for article, events in events_of.items():
        for eid in events:  # one count per event and article, as the full grouping counts
            if (len(moved[eid]) if eid in moved else counts.get(eid, 0)) > 1:
                out[article][eid] = 1
    return out
