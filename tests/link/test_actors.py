"""Person resolution on our own name pairs: variants that must merge, people who must not."""

from __future__ import annotations

import pytest

from wirewatch.link.actors import Correction, resolve_actors, role_key
from wirewatch.link.kb import KnowledgeBase
from wirewatch.model import ActorMention, Span

KB = KnowledgeBase.default()


def person(name, title=None, country=None):
    return ActorMention(name=name, surface=name, kind="person", country=country,
                        role="mention", span=Span(0, len(name), name), title=title)  # fmt: skip


def ids(*people, days=None, corrections=()):
    """Resolve each person as seen in its own article; returns their actor ids."""
    entities = [
        (f"a{n}", 0, p, f"2024-{(days or {}).get(n, '10-15')}T00:00:00+00:00")
        for n, p in enumerate(people)
    ]
    _, _, entity_ids = resolve_actors([], KB, entities, corrections)
    return [entity_ids[(f"a{n}", 0)] for n in range(len(people))]


SAME_NAME = [
    ("Park Jin-young", "Park Jin Young"), ("Park Jin-young", "Park Jinyoung"),
    ("Lee Jae-yeol", "Lee Jae-yul"), ("Yoon Suk-yeol", "Yoon Suk Yeol"),
    ("Kamikawa Yoko", "Yoko Kamikawa"), ("Robert F. Kennedy Jr.", "Robert Kennedy"),
    ("Tony Blair", "Antony Blair"), ("Bill Nelson", "William Nelson"),
    ("José Manuel Albares", "Jose Manuel Albares"), ("Lloyd J. Austin III", "Lloyd Austin"),
    ("Mike Pompeo", "Michael Pompeo"), ("Kim Jong-un", "Kim Jong Un"),
    ("Moon Jae-in", "Moon Jae In"), ("Chung Eui-yong", "Chung Eui Yong"),
    ("Jim Mattis", "James Mattis"), ("Steve Bannon", "Stephen Bannon"),
    ("Han Duck-soo", "Han Duck Soo"), ("Choo Kyung-ho", "Choo Kyung Ho"),
    ("Dan Quayle", "Daniel Quayle"), ("Chris Van Hollen", "Christopher Van Hollen"),
    ("Ho Chi Minh", "Ho Chi-Minh"), ("Xi Jinping", "Xi Jin-ping"),
    # family-name romanisations (data/names/family_names.tsv)
    ("Yi Jae-won", "Lee Jae-won"), ("Rhee Sung-ho", "Lee Sung-ho"),
    ("Ri Chol-man", "Lee Chol-man"),
    ("Pak Myong-su", "Park Myong-su"), ("Choe Ryong-nam", "Choi Ryong-nam"),
    ("Jeong Se-hun", "Jung Se-hun"), ("Chung Se-hun", "Jung Se-hun"),
    ("Gang Dong-min", "Kang Dong-min"),
    ("Yun Seok-min", "Yoon Suk-min"), ("Suh Ji-hye", "Seo Ji-hye"),
    ("Roh Hyun-jae", "Noh Hyun-jae"),
    # given-name syllables and spacing
    ("Han Jeong-hee", "Han Jung-hee"), ("Shin Hyeon-su", "Shin Hyun-su"),
    ("Kwon Yeong-ho", "Kwon Young-ho"),
    ("Oh Sang-cheol", "Oh Sang-chul"), ("Baek Seok-jin", "Baek Suk Jin"),
    # nicknames, initials, suffixes, accents, order
    ("Bob Kessler", "Robert Kessler"), ("Liz Thornbury", "Elizabeth Thornbury"),
    ("Alex Marchetti", "Alexander Marchetti"), ("Dave Okafor", "David Okafor"),
    ("John Q. Harlan Jr.", "John Harlan"), ("Zoë Ferrand", "Zoe Ferrand"),
    ("Nakamura Haruto", "Haruto Nakamura"),
]  # fmt: skip

DIFFERENT_PEOPLE = [
    ("Park Jin-young", "Park Jin-yong"), ("Kim Min-su", "Kim Min-ho"),
    ("John Smith", "Jane Smith"), ("Kim Yong-hyun", "Kim Sang-hyup"),
    ("Lee Jae-myung", "Lee Jae-yong"), ("Ahn Cheol-soo", "Ahn Chul-min"),
    ("George Bush", "Jeb Bush"), ("Hillary Clinton", "Bill Clinton"),
    ("Raul Castro", "Fidel Castro"), ("Abe Shinzo", "Abe Akie"),
    ("Mark Rutte", "Mark Rutter"), ("Ed Miliband", "David Miliband"),
    ("Choi Sang-mok", "Choi Sang-moon"), ("Cho Tae-yul", "Cho Tae-yong"),
    ("Ri Son-gwon", "Ri Su-yong"), ("Kim Yo-jong", "Kim Jong-un"),
    # same family name, different given names, across romanisations
    ("Yi Jae-won", "Lee Jae-wan"), ("Pak Myong-su", "Park Myong-chol"),
    ("Kim Hyun-woo", "Kim Hyun-wook"), ("Lee Sang-min", "Lee Min-sang"),
    ("Park Jung-ho", "Park Jung-hoon"), ("Choi Young-jin", "Choi Young-jun"),
    # same given name, different families, or different given names with one nickname root
    ("Kim Min-jae", "Lee Min-jae"), ("Cho Tae-yul", "Jang Tae-yul"),
    ("Bill Harlan", "Phil Harlan"), ("Anna Kessler", "Hanna Kessler"),
    ("Maria Lopez", "Mario Lopez"), ("Chen Wei", "Chen Wen"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), SAME_NAME)
def test_spelling_variants_merge(a, b):
    first, second = ids(person(a), person(b))
    assert first == second


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PEOPLE)
def test_different_people_stay_apart_without_context(a, b):
    first, second = ids(person(a), person(b))
    assert first != second


OFFICE_MERGES = [
    # (name, title, country), (name, title, country): one holder of one office, same month
    (("Lloyd Austin", "Secretary of Defense", "USA"), ("Royce Austin", "Defense Secretary", None)),
    (
        ("Cho Tae-yul", "Foreign Minister", "KOR"),
        ("Cho Tae-yong", "Minister of Foreign Affairs", None),
    ),
    (("Penny Wong", "Foreign Minister", "AUS"), ("Penny Wang", "Foreign Minister", "AUS")),
    (
        ("Melanie Joly", "Foreign Minister", "CAN"),
        ("Melanie Jolie", "Foreign Affairs Minister", None),
    ),
    (("Kihara Minoru", "Defense Minister", "JPN"), ("Kiharu Minoru", "Defence Minister", "JPN")),
    (
        ("Richard Marles", "Defence Minister", "AUS"),
        ("Richard Marle", "Minister for Defence", "AUS"),
    ),
]

OFFICE_APART = [
    # same name key or family name, but different offices, countries or times
    (("Cho Tae-yong", "Foreign Minister", "KOR"), ("Cho Tae-yong", "NIS Director", "KOR")),
    (("Kim Yong-hyun", "Defense Minister", "KOR"), ("Kim Sang-hyup", "Co-chair", "KOR")),
    (
        ("Lloyd Austin", "Secretary of Defense", "USA"),
        ("Royce Austin", "Secretary of Defense", "GBR"),
    ),
    (("Park Min", "Foreign Minister", "KOR"), ("Park Jun", "Defense Minister", "KOR")),
    (("Ann Lee", "Foreign Minister", None), ("Bo Lee", "Foreign Minister", None)),
    # a many-holder title is no proof: two senators of one country share a given name
    (("John Smith", "Senator", "USA"), ("John Jones", "Senator", "USA")),
]


@pytest.mark.parametrize(("a", "b"), OFFICE_MERGES)
def test_same_office_same_time_same_family_name_merges(a, b):
    first, second = ids(person(*a), person(*b))
    assert first == second


@pytest.mark.parametrize(("a", "b"), OFFICE_APART)
def test_office_context_keeps_people_apart(a, b):
    first, second = ids(person(*a), person(*b))
    assert first != second


def test_same_office_years_apart_stays_apart():
    a = person("Kim Min", "Foreign Minister", "KOR")
    b = person("Kim Mun", "Foreign Minister", "KOR")
    first, second = ids(a, b)
    assert first == second  # same month: one office holder
    entities = [
        ("x", 0, a, "2018-01-10T00:00:00+00:00"), ("y", 0, b, "2024-06-10T00:00:00+00:00")
    ]  # fmt: skip
    _, _, entity_ids = resolve_actors([], KB, entities)
    assert entity_ids[("x", 0)] != entity_ids[("y", 0)]


def test_bare_rank_is_not_another_office():
    assert role_key("Minister") is None
    main, bare = ids(
        person("Kim Yong-hyun", "Defense Minister", "KOR"), person("Kim Yong Hyun", "Minister")
    )
    assert main == bare


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Secretary of Defense", "Defense Secretary"),
        ("Minister of National Defense", "Defence Minister"),
        ("Foreign Secretary", "Minister of Foreign Affairs"),
        ("U.S. Secretary of State", "Secretary of State"),
    ],
)
def test_role_key_folds_wordings(a, b):
    assert role_key(a) == role_key(b)


def test_corrections_merge_split_alias_rename():
    a, b = person("Ivo Petrov"), person("Ivan Petrov")
    first, second = ids(a, b)
    assert first != second
    merged = ids(a, b, corrections=[Correction("merge", first, second)])
    assert merged[0] == merged[1] == first
    split = ids(a, b, corrections=[Correction("merge", first, second),
                                   Correction("split", first, "Ivan Petrov")])  # fmt: skip
    assert split[0] != split[1]
    aliased = ids(person("I. Petrov"), corrections=[Correction("alias", first, "I. Petrov")])
    assert aliased == [first]
    resolved, _, _ = resolve_actors(
        [], KB, [("a0", 0, a, None)], [Correction("rename", first, "Ivo P. Petrov")]
    )
    assert resolved[first].name == "Ivo P. Petrov"


def org(name, kind="organization"):
    return ActorMention(name=name, surface=name, kind=kind, country=None, role="mention",
                        span=Span(0, len(name), name))  # fmt: skip


def resolve_articles(*articles):
    """Each argument is one article's list of mentions; returns ids article by article."""
    entities = [
        (f"a{n}", pos, m, "2024-10-15T00:00:00+00:00")
        for n, mentions in enumerate(articles)
        for pos, m in enumerate(mentions)
    ]
    _, _, entity_ids = resolve_actors([], KB, entities)
    return [[entity_ids[(f"a{n}", p)] for p in range(len(ms))] for n, ms in enumerate(articles)]


def test_short_form_and_acronym_join_the_full_name_across_articles():
    got = resolve_articles(
        [org("Zentrix Motor Company"), org("Zentrix"), org("ZMC")],
        [org("Zentrix")],  # named alone: the pairing made elsewhere holds
        [org("ZMC")],
    )
    assert len({i for ids_ in got for i in ids_}) == 1


def test_short_form_paired_with_different_names_stays_apart():
    got = resolve_articles(
        [org("Orbis Airways"), org("Orbis")], [org("Orbis Bank"), org("Orbis")], [org("Orbis")]
    )
    assert got[0][0] != got[1][0]
    assert got[2][0] not in (got[0][0], got[1][0])


def test_a_foundation_or_conference_named_after_an_organisation_is_not_its_full_name():
    got = resolve_articles(
        [org("Halvor Foundation"), org("Halvor")], [org("Brightline Developers Conference"),
                                                    org("Brightline")],
    )  # fmt: skip
    assert got[0][0] != got[0][1]
    assert got[1][0] != got[1][1]


def test_plural_of_the_last_word_is_one_organisation():
    assert resolve_articles([org("Kestrel Motors")], [org("Kestrel Motor")]) == [
        ["org:kestrel-motor"],
        ["org:kestrel-motor"],
    ]


def test_name_tagged_person_but_named_as_organisation_elsewhere_is_the_organisation():
    got = resolve_articles([person("Volantis")], [org("Volantis")], [person("Quarrow Peel")])
    assert got[0][0] == got[1][0] == "org:volantis"
    assert got[2][0].startswith("person:")  # never named as an organisation


def test_one_business_office_in_two_wordings_is_one_person():
    a = person("Mara Quell", "CEO")
    b = person("Mara Quell", "Quellcorp CEO")
    c = person("Mara Quell", "Quellcorp Inc. CEO")
    d = person("Mara Quell", "Executive Vice President")
    assert len(set(ids(a, b, c, d))) == 1


def test_a_former_office_is_no_office():
    assert role_key("Former Foreign Minister") is None
    main, former = ids(
        person("Oda Renn", "Foreign Minister", "NOR"), person("Oda Renn", "Former Defense Minister")
    )
    assert main == former


def test_places_get_an_identity_but_no_actor():
    def place(name, place_id, country):
        span = Span(0, len(name), name)
        return ActorMention(name=name, surface=name, kind=None, country=country,
                            role="mention", span=span, kb_id=place_id)  # fmt: skip

    entities = [
        ("a0", 0, place("Kandahar", "place:1138336", "AFG"), None),
        ("a1", 0, place("Qandahar", "place:1138336", "AFG"), None),
        ("a1", 1, place("Camp Nowhere", None, "USA"), None),
        ("a1", 2, person("Lee Mi-ran"), None),
    ]
    resolved, _, entity_ids = resolve_actors([], KB, entities)
    assert entity_ids[("a0", 0)] == entity_ids[("a1", 0)] == "place:1138336"
    assert entity_ids[("a1", 1)] == "place:usa-camp-nowhere"
    assert set(resolved) == {entity_ids[("a1", 2)]}  # only the person is an actor


def group(name, country, sector):
    return ActorMention(name=name, surface=name, kind="group", country=country, role="mention",
                        span=Span(0, len(name), name), sector=sector)  # fmt: skip


def test_a_common_noun_for_a_domestic_actor_is_its_countrys_sector():
    # "troops" of two countries are two actors; "troops" and "soldiers" of one are one
    articles = [
        [group("troops", "PRK", "military")],
        [group("troops", "UKR", "military")],
        [group("soldiers", "PRK", "military"), group("police", "PRK", "police")],
    ]
    entities = [
        (f"a{n}", pos, m, "2024-10-15T00:00:00+00:00")
        for n, ms in enumerate(articles) for pos, m in enumerate(ms)
    ]  # fmt: skip
    resolved, _, entity_ids = resolve_actors([], KB, entities)
    assert entity_ids[("a0", 0)] == entity_ids[("a2", 0)] != entity_ids[("a1", 0)]
    assert entity_ids[("a2", 1)] not in (entity_ids[("a0", 0)], entity_ids[("a1", 0)])
    troops = resolved[entity_ids[("a0", 0)]]
    assert (troops.name, troops.country, troops.sector) == (
        "Military (North Korea)",
        "PRK",
        "military",
    )
