"""Story grouping on short articles written for these tests (no model needed)."""

from collections import Counter

import pytest

from wirewatch.link.stories import (
    THRESHOLD,
    StoryArticle,
    _dot,
    background,
    content_words,
    group_stories,
    vectors,
)

# Three situations in made-up places, each reported three times in different words.
PORT = [
    "Dockworkers in Velmora walked off the job on Tuesday, halting container traffic at the "
    "harbour. The dockworkers union demands higher wages and safer cranes.",
    "The Velmora harbour strike entered its third day as the union rejected the port "
    "authority's wage offer. Container ships queued outside the harbour.",
    "Port authority officials in Velmora met union leaders to end the dockworkers strike; "
    "cranes stood idle and container traffic stayed frozen at the harbour.",
]
DROUGHT = [
    "Farmers in the Ostrava valley say the drought has ruined the wheat harvest, and the "
    "reservoir has fallen to a record low.",
    "Water rationing began in the Ostrava valley after the reservoir dropped again; wheat "
    "farmers asked for drought relief.",
    "The drought in the Ostrava valley deepened: irrigation canals are dry, the reservoir is "
    "nearly empty, and the wheat harvest failed.",
]
ELECTION = [
    "The opposition in Marlen refused to accept the presidential election count and "
    "demanded a recount of ballots in three provinces.",
    "Election officials in Marlen began a partial recount of presidential ballots after "
    "opposition protests over the count.",
    "Marlen's electoral commission confirmed the presidential result after the recount; the "
    "opposition still disputes the ballots.",
]


def _docs(texts: dict[str, str], actors: dict[str, Counter] | None = None):
    actors = actors or {}
    return [
        StoryArticle(a, words=content_words(t), actors=actors.get(a, Counter()))
        for a, t in texts.items()
    ]


def _groups(stories):
    return sorted(sorted(s.articles) for s in stories)


def _corpus() -> dict[str, str]:
    texts = {}
    for name, story in (("port", PORT), ("drought", DROUGHT), ("election", ELECTION)):
        for n, text in enumerate(story):
            texts[f"{name}-{n}"] = text
    return texts


def test_reports_of_one_situation_make_one_story():
    texts = _corpus()
    # Interleaved, as a news stream is.
    order = [f"{s}-{n}" for n in range(3) for s in ("port", "drought", "election")]
    stories = group_stories(_docs(texts), order)
    assert _groups(stories) == [
        [f"drought-{n}" for n in range(3)],
        [f"election-{n}" for n in range(3)],
        [f"port-{n}" for n in range(3)],
    ]


def test_grouping_does_not_depend_on_the_order_of_articles():
    texts = _corpus()
    forward = group_stories(_docs(texts), sorted(texts))
    backward = group_stories(_docs(texts), sorted(texts, reverse=True))
    assert _groups(forward) == _groups(backward)
    assert len(forward) == 3


def test_a_roundup_does_not_chain_stories():
    # A news digest names all three situations; it may join one story, but must not be the
    # bridge that merges them (single link over the same similarities merges all three).
    texts = _corpus()
    texts["roundup"] = (
        "News in brief. Velmora: the dockworkers strike idles the harbour. Ostrava valley: "
        "the drought empties the reservoir. Marlen: the opposition disputes the presidential "
        "recount. Sport: the national rowing team won silver."
    )
    for threshold in (0.01, 0.02, 0.035):
        stories = group_stories(_docs(texts), sorted(texts), threshold=threshold)
        without = [sorted(a for a in s.articles if a != "roundup") for s in stories]
        assert sorted(g for g in without if g) == [
            [f"drought-{n}" for n in range(3)],
            [f"election-{n}" for n in range(3)],
            [f"port-{n}" for n in range(3)],
        ], threshold


def test_common_actors_alone_do_not_join_stories():
    # Every article names the same large organisation; nothing else is shared.
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    texts = {x: f"{w} {w}" for x, w in zip("abcdef", words, strict=True)}
    actors = {x: Counter({"igo:united-nations": 2, f"person:{x}": 1}) for x in texts}
    stories = group_stories(_docs(texts, actors), sorted(texts))
    assert len(stories) == 6


def test_named_actors_and_shared_events_group_articles_without_text():
    docs = [
        StoryArticle("a", actors=Counter({"person:lee": 3, "org:harbor-authority": 2})),
        StoryArticle("b", actors=Counter({"person:lee": 2, "org:harbor-authority": 1})),
        StoryArticle("c", actors=Counter({"person:silva": 3})),
        StoryArticle("d", actors=Counter({"person:ortega": 2}), events=Counter({"ev-1": 1})),
        StoryArticle("e", actors=Counter({"person:novak": 1}), events=Counter({"ev-1": 1})),
    ]
    assert _groups(group_stories(docs, list("abcde"))) == [["a", "b"], ["c"], ["d", "e"]]


def test_an_added_article_keeps_the_other_stories():
    texts = _corpus()
    order = sorted(texts)
    before = group_stories(_docs({k: texts[k] for k in order[:-1]}), order[:-1])
    after = group_stories(_docs(texts), order)
    kept = {s.id: set(s.articles) for s in before}
    for s in after:
        if s.id in kept:
            assert kept[s.id] <= set(s.articles)
    assert {s.id for s in before} <= {s.id for s in after}


def test_story_ids_do_not_depend_on_input_order():
    docs = _docs(_corpus())
    order = sorted(d.id for d in docs)
    one = group_stories(docs, order)
    two = group_stories(list(reversed(docs)), order)
    assert [s.id for s in one] == [s.id for s in two]


def test_content_words_drop_stop_words_numbers_and_possessives():
    words = content_words("The union's 3 demands were rejected by the port's authority.")
    assert words == Counter({"union": 1, "demands": 1, "rejected": 1, "port": 1, "authority": 1})


def test_a_story_longer_than_its_window_still_gathers_its_reports(monkeypatch):
    # A story is compared by its latest members only; a long-running situation stays one
    # story, and the others stay apart.
    import wirewatch.link.stories as stories_module

    monkeypatch.setattr(stories_module, "WINDOW", 2)
    texts = _corpus()
    order = [f"{s}-{n}" for n in range(3) for s in ("port", "drought", "election")]
    stories = group_stories(_docs(texts), order)
    assert len(stories) == 3
    assert all(len({a.split("-")[0] for a in s.articles}) == 1 for s in stories)


# One small country's news: every article names its government and capital, so any two are
# alike; two situations still stand apart from that background.
FOCUSED = {
    "strike-0": "Velmora's government faced a harbour strike in the capital Dunmore on Monday "
    "as dockworkers walked out over wages; the Velmoran interior minister called the union "
    "leaders to talks.",
    "strike-1": "The dockworkers strike in Dunmore harbour entered its second day; the union "
    "rejected the Velmoran government's wage offer and container ships queued at the docks.",
    "strike-2": "Velmora's harbour reopened in Dunmore after the dockworkers union accepted a "
    "wage deal brokered by the government; cranes moved containers again.",
    "border-0": "Velmora's foreign minister met her Ostravan counterpart in Dunmore to discuss "
    "the disputed river border; the Velmoran government proposed a joint survey commission.",
    "border-1": "Ostrava and Velmora agreed in Dunmore to set up a river border commission, the "
    "two foreign ministers said after talks on the disputed frontier survey.",
}


def test_a_focused_store_still_tells_its_situations_apart():
    docs = _docs(FOCUSED)
    order = list(FOCUSED)
    used: dict[str, float] = {}
    assert len(group_stories(docs, order, background_factor=0.0)) == 1  # the floor alone
    stories = group_stories(docs, order, used=used, background_factor=1.0)
    assert _groups(stories) == [["border-0", "border-1"], ["strike-0", "strike-1", "strike-2"]]
    assert used["threshold"] > THRESHOLD  # the background of this store is above the floor


def test_background_is_the_average_similarity_of_two_articles():
    vecs = vectors(_docs(_corpus()))
    pairs = [_dot(a, b) for i, a in enumerate(vecs) for j, b in enumerate(vecs) if i != j]
    assert abs(background(vecs) - sum(pairs) / len(pairs)) < 1e-12


def test_a_long_story_keeps_its_most_used_telling_terms_in_first_counted_order():
    from wirewatch.link.stories import KEPT_KEYS, kept_keys

    counts = Counter({f"w:rare{k}": 1 for k in range(KEPT_KEYS + 100)})
    counts.update({"w:late": 50, "w:early": 50})  # counted after the rare ones
    counts = Counter({"w:first": 3, **counts})
    kept = kept_keys(counts)
    assert len(kept) == KEPT_KEYS
    assert {"w:first", "w:late", "w:early"} <= kept.keys()
    order = list(kept)
    assert order.index("w:first") < order.index("w:rare0") < order.index("w:late")
    assert kept_keys({"w:a": 1}) == {"w:a": 1}


def test_a_store_whose_background_set_the_threshold_is_regrouped_as_it_grows():
    """Incremental placement keeps the last full grouping's threshold; a store whose
    background raised it is regrouped in full once it has grown by REGROUP, and a store at
    the floor never is."""
    from wirewatch.link.incremental import Fallback, _check_background
    from wirewatch.link.stories import REGROUP

    focused = {"story_threshold": "0.18", "story_full_n": "100", "story_n": "110"}
    _check_background(focused, int(100 * REGROUP) - 110)  # grown to REGROUP: not yet
    with pytest.raises(Fallback, match="background"):
        _check_background(focused, int(100 * REGROUP) - 110 + 1)
    general = {"story_threshold": repr(THRESHOLD), "story_full_n": "100", "story_n": "110"}
    _check_background(general, 10_000)
