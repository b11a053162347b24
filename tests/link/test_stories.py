from collections import Counter

from wirewatch.link.stories import group_stories


def test_shared_events_and_similar_actors_make_a_story():
    profiles = {
        "a": Counter({"person:lee": 3, "org:harbor-authority": 2, "KOR": 4}),
        "b": Counter({"person:lee": 2, "org:harbor-authority": 1, "USA": 2}),
        "c": Counter({"person:silva": 3, "BRA": 5}),
        "d": Counter({"person:ortega": 2, "MEX": 1}),
        "e": Counter({"person:novak": 1}),
    }
    stories = group_stories(profiles, [["d", "e"]], ["a", "b", "c", "d", "e"])
    groups = sorted(sorted(s.articles) for s in stories)
    assert groups == [["a", "b"], ["c"], ["d", "e"]]


def test_common_actors_alone_do_not_join_stories():
    # Everyone mentions the United States; that says nothing about the situation.
    profiles = {x: Counter({"USA": 3, f"person:{x}": 2}) for x in "abcdef"}
    stories = group_stories(profiles, [], list("abcdef"))
    assert len(stories) == 6


def test_story_ids_do_not_depend_on_input_order():
    profiles = {"a": Counter({"org:x": 1}), "b": Counter({"org:x": 1})}
    one = group_stories(profiles, [], ["a", "b"])
    two = group_stories(dict(reversed(list(profiles.items()))), [], ["a", "b"])
    assert [s.id for s in one] == [s.id for s in two]
