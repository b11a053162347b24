"""Places the knowledge base does not know, on our own sentences: the gazetteer gives them a
country and one identity across articles; a person's name is no town; "X, Region" qualifies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wirewatch.analyse.entities import find_entities, place_names
from wirewatch.link.actors import resolve_actors
from wirewatch.link.kb import KnowledgeBase
from wirewatch.link.places import CITY, REGION, Gazetteer, place_key
from wirewatch.model import Article

KB = KnowledgeBase.default()
DCT = datetime(2024, 3, 12, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def places(analyser, text: str) -> dict[str, tuple[str | None, str | None]]:
    """surface -> (country, id) of the place-only entities of ``text``."""
    refs = find_entities(analyser.nlp(text), analyser.kb)
    return {
        r.surface: (r.place.country, r.place.id)
        for r in refs
        if r.is_place_only and r.place is not None
    }


# ---------------------------------------------------------------------- the index


def test_most_populous_place_of_a_name_wins(gaz):
    sydney = gaz.resolve("Sydney")
    assert sydney is not None and sydney.country == "AUS" and sydney.kind == CITY
    assert sydney.id.startswith("place:")


def test_a_qualifier_restricts_the_candidates(gaz):
    canadian = gaz.resolve("Sydney", within="CAN")
    assert canadian is not None and canadian.country == "CAN"
    assert canadian.id != gaz.resolve("Sydney").id


def test_the_document_countries_prefer_a_local_namesake_not_much_smaller(gaz):
    # Hyderabad in India is the most populous, Pakistan's is a fifth of it
    assert gaz.resolve("Hyderabad").country == "IND"
    assert gaz.resolve("Hyderabad", countries={"PAK"}).country == "PAK"
    # a hamlet in a country the article names does not beat a capital elsewhere
    assert gaz.resolve("Moscow", countries={"USA"}).country == "RUS"


def test_regions_under_their_english_names_and_with_the_kind_word(gaz):
    anbar = gaz.resolve("Anbar Province")
    assert anbar is not None and anbar.country == "IRQ" and anbar.kind == REGION
    assert gaz.resolve("Helmand province").country == "AFG"
    assert gaz.resolve("the province of Helmand").country == "AFG"


def test_a_region_named_like_its_main_city_is_the_city(gaz):
    sivas = gaz.resolve("Sivas")
    assert sivas is not None and sivas.kind == CITY and sivas.country == "TUR"


def test_codes_and_lower_case_transliterations_are_not_names(gaz):
    assert gaz.candidates("YXU") == []  # an airport code among London, Ontario's names
    assert not any(p.country == "GBR" for p in gaz.candidates("lun dun"))


def test_small_towns_need_a_qualifier(gaz):
    tiny = [p for p in gaz.candidates("Hebron") if p.country == "USA" and p.population < 1000]
    assert tiny  # there are hamlets of that name
    assert gaz.resolve("Hebron", min_population=1000).country == "PSE"


def test_an_unknown_place_keeps_a_name_key():
    assert place_key("Camp Nowhere", "USA") == "place:usa-camp-nowhere"
    assert place_key("the Atlantic Ridge", None) == "place:atlantic-ridge"


# ---------------------------------------------------------------------- in documents


def test_a_town_the_model_tags_gets_its_country(analyser):
    found = places(analyser, "Gunmen attacked a police checkpoint in Kandahar on Monday.")
    assert found["Kandahar"][0] == "AFG"


def test_the_town_of_x_is_a_place_whatever_the_model_calls_it(analyser):
    found = places(analyser, "The convoy was ambushed near the town of Fallujah on Sunday.")
    assert found["Fallujah"][0] == "IRQ"


def test_a_us_state_after_a_town_is_not_the_country_of_the_same_name(analyser):
    found = places(analyser, "Officials met in Macon, Georgia, and later in Batumi, Georgia.")
    assert found["Macon"][0] == "USA"
    # the first Georgia is the state, the second the country (its id is the country's)
    georgias = [
        r for r in find_entities(analyser.nlp("Officials met in Macon, Georgia."), KB)
        if r.surface == "Georgia"
    ]  # fmt: skip
    assert georgias[0].country == "USA" and georgias[0].kind is None
    assert found["Batumi"][0] == "GEO"


def test_a_qualifier_of_another_country_names_a_namesake_town(analyser):
    found = places(analyser, "She drove from Paris, Texas to Dallas on Friday.")
    assert found["Paris"][0] == "USA"
    found = places(analyser, "Flooding hit London, Ontario overnight.")
    assert found["London"][0] == "CAN"


def test_a_persons_name_is_no_town(analyser):
    # Warren is a city of 130,000 people in Michigan; here it is a senator
    assert "Warren" not in places(analyser, "Senator Warren said the bill would pass.")


def test_places_named_with_a_domestic_noun_give_it_their_country(analyser):
    art = Article(id="t", text="Sindh police arrested ten protesters in Hyderabad.", published=DCT)
    mention = analyser.analyse(art).mentions[0]
    source = next(a for a in mention.actors if a.role == "source")
    assert source.name == "sindh police" and source.country == "PAK"
    # the document is about Pakistan: its Hyderabad, not India's larger one
    assert mention.location_country == "PAK"


def test_event_location_takes_the_gazetteer_country(analyser):
    art = Article(id="t", text="Gunmen stormed a bank in Kandahar on Monday.", published=DCT)
    mention = analyser.analyse(art).mentions[0]
    assert (mention.location_name, mention.location_country) == ("Kandahar", "AFG")


def test_an_attack_no_one_is_named_for_is_done_from_the_place(analyser):
    text = "A roadside bomb near the town of Samarra killed two British soldiers on Sunday."
    mention = analyser.analyse(Article(id="t", text=text, published=DCT)).mentions[0]
    roles = {a.role: a.country for a in mention.actors}
    assert roles == {"source": "IRQ", "target": "GBR"}
    assert mention.location_country == "IRQ"


# ---------------------------------------------------------------------- identities


def _place_ids(analyser, texts: list[str]) -> dict[str, set[str]]:
    rows = []
    for n, text in enumerate(texts):
        refs = find_entities(analyser.nlp(text), analyser.kb)
        for pos, mention in enumerate(place_names(refs)):
            rows.append((f"a{n}", pos, mention, None))
    resolved, _, entity_ids = resolve_actors([], KB, rows)
    out: dict[str, set[str]] = {}
    for article, pos, mention, _ in rows:
        out.setdefault(mention.surface, set()).add(entity_ids[(article, pos)])
    assert not any(i.startswith("place:") for i in resolved)  # places are no actors
    return out


def test_one_place_is_one_identity_across_articles(analyser):
    ids = _place_ids(
        analyser,
        [
            "The talks were held in New York on Monday.",
            "Delegates arrived in New York City on Tuesday.",
            "Rents in NYC rose again.",
            "A storm hit Kandahar overnight.",
            "Markets in Kandahar reopened on Friday.",
        ],
    )
    assert len(ids["New York"] | ids["New York City"] | ids["NYC"]) == 1
    assert len(ids["Kandahar"]) == 1
    assert ids["Kandahar"] != ids["New York"]


def test_namesakes_stay_apart(analyser):
    ids = _place_ids(
        analyser,
        ["Flooding hit London, Ontario overnight.", "Flooding hit homes in London overnight."],
    )
    assert len(ids["London"]) == 2


def test_a_named_attacker_keeps_the_source(analyser):
    text = "Rebels ambushed a convoy of Kenyan soldiers near the town of Garissa on Sunday."
    mention = analyser.analyse(Article(id="t", text=text, published=DCT)).mentions[0]
    sources = [a for a in mention.actors if a.role == "source"]
    assert [a.name for a in sources] == ["rebels"]  # not the town as a second attacker


def test_the_index_survives_its_cache_file(gaz, tmp_path):
    from wirewatch.link.places import _Index

    path = tmp_path / "gazetteer.bin"
    with path.open("wb") as f:
        gaz._ix.write(f)
    again = Gazetteer(_Index.read(path))
    assert len(again) == len(gaz)
    assert again.resolve("Kandahar") == gaz.resolve("Kandahar")
    path.write_bytes(path.read_bytes()[:1000])  # a torn file is refused, not half read
    with pytest.raises((EOFError, ValueError)):
        _Index.read(path)
