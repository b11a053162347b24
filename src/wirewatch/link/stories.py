"""Stories: groups of articles about one developing situation.

Two articles are in one story when they report a common event, or when the actors they name
are alike (cosine similarity of actor-id profiles weighted by inverse document frequency, so
"United States" says little and "Multilateral Sanctions Monitoring Team" says much). Groups
are the connected components. Publication dates are not needed: content alone decides.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SIMILARITY = 0.35  # cosine over actor profiles at or above which two articles share a story
MAX_POSTINGS = 500  # actors named in more articles than this are too common to pair on
RECENT = 100  # earlier articles per actor an article is compared with


@dataclass
class Story:
    articles: list[str] = field(default_factory=list)
    id: str = ""


def _find(parent: dict[str, str], x: str) -> str:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def group_stories(
    profiles: Mapping[str, Counter[str]],
    shared_events: Iterable[list[str]],
    order: list[str],
    threshold: float = SIMILARITY,
) -> list[Story]:
    """Stories from per-article actor profiles (actor id -> mentions) and the article lists
    of multi-source events. ``order`` (articles by publication) fixes ids and story order."""
    parent = {a: a for a in order}
    for a in profiles:
        parent.setdefault(a, a)

    def union(a: str, b: str) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb, key=rank.__getitem__)] = min(ra, rb, key=rank.__getitem__)

    rank = {a: n for n, a in enumerate(order)}
    for a in parent:
        rank.setdefault(a, len(rank))
    for articles in shared_events:
        for other in articles[1:]:
            union(articles[0], other)

    df: Counter[str] = Counter()
    for profile in profiles.values():
        df.update(profile.keys())
    n_docs = max(len(profiles), 1)
    vectors: dict[str, dict[str, float]] = {}
    for article, profile in profiles.items():
        vec = {k: (1 + math.log(c)) * math.log(1 + n_docs / df[k]) for k, c in profile.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors[article] = {k: v / norm for k, v in vec.items()}
    df_cap = {k for k, n in df.items() if n > MAX_POSTINGS}
    # Each article is compared with the most recent RECENT earlier articles that name the
    # same actor: single-link grouping only needs one link into a story, and this keeps the
    # cost per article flat as the archive grows.
    postings: dict[str, list[str]] = defaultdict(list)
    for article in sorted(vectors, key=rank.__getitem__):
        vec = vectors[article]
        scores: dict[str, float] = defaultdict(float)
        for key, weight in vec.items():
            if key in df_cap:
                continue
            posting = postings[key]
            for other in posting[-RECENT:]:
                scores[other] += weight * vectors[other][key]
            posting.append(article)
        for other, score in scores.items():
            if score >= threshold:
                union(article, other)

    groups: dict[str, list[str]] = defaultdict(list)
    for article in sorted(parent, key=rank.__getitem__):
        groups[_find(parent, article)].append(article)
    stories = []
    for members in groups.values():
        digest = hashlib.sha1(members[0].encode("utf-8")).hexdigest()[:12]
        stories.append(Story(members, f"st-{digest}"))
    return stories
