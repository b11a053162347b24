"""Tests for the actor knowledge base: aliases, patterns, places, user extensions."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from wirewatch.link.kb import KnowledgeBase, Place, _read_tsv, fold

DATA = files("wirewatch") / "data" / "actors"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def ids(kb: KnowledgeBase, *surfaces: str) -> list[str | None]:
    out = []
    for surface in surfaces:
        actor = kb.lookup(surface)
        out.append(actor.id if actor else None)
    return out


def test_fold_normalises_spelling_variants() -> None:
    assert fold("the U.S.'s") == fold("US") == "us"
    assert fold("Russia\u2019s") == "russia"
    assert fold("N. Korea") == "n korea"
    assert fold("Guinea-Bissau") == fold("Guinea  Bissau") == "guinea bissau"
    assert fold("Côte d\u2019Ivoire") == "cote d'ivoire"
    assert fold("the Philippines'") == "philippines"


def test_korean_aliases(kb: KnowledgeBase) -> None:
    assert (
        ids(kb, "ROK", "S. Korea", "S.Korea", "Republic of Korea", "South Korea", "Korea")
        == ["KOR"] * 6
    )
    assert (
        ids(
            kb,
            "DPRK",
            "N. Korea",
            "N.Korea",
            "NK",
            "North Korea",
            "Democratic People\u2019s Republic of Korea",
        )
        == ["PRK"] * 6
    )


def test_the_and_possessives(kb: KnowledgeBase) -> None:
    assert ids(
        kb,
        "the United States",
        "the ROK",
        "the DPRK's",
        "South Korea's",
        "Russia\u2019s",
        "the UK's",
    ) == ["USA", "KOR", "PRK", "KOR", "RUS", "GBR"]


def test_punctuation_and_case_rules(kb: KnowledgeBase) -> None:
    assert ids(kb, "U.S.", "US", "U.S.A.", "America", "Nato", "NATO") == [
        "USA",
        "USA",
        "USA",
        "USA",
        "NATO",
        "NATO",
    ]
    # short all-caps aliases only match in capitals; no substring matches
    assert ids(kb, "us", "Us", "who", "USB", "is") == [None] * 5
    assert ids(kb, "WHO", "IS") == ["WHO", "ISIS"]


def test_organizations(kb: KnowledgeBase) -> None:
    assert ids(
        kb,
        "UN Security Council",
        "UNSC",
        "the Pentagon",
        "State Department",
        "the Kremlin",
        "KCNA",
        "MSMT",
        "AUKUS",
        "AUKU.S.",
        "Hamas",
        "Houthis",
    ) == [
        "UNSC",
        "UNSC",
        "USA-DOD",
        "USA-STATE",
        "RUS-KREMLIN",
        "PRK-KCNA",
        "MSMT",
        "AUKUS",
        "AUKUS",
        "HAMAS",
        "HOUTHIS",
    ]
    taliban = kb.lookup("the Taliban")
    assert taliban is not None and taliban.kind == "group"
    un = kb.lookup("UN")
    assert un is not None and un.kind == "igo" and un.country is None


def test_qualified_organizations(kb: KnowledgeBase) -> None:
    assert ids(
        kb,
        "NATO's North Atlantic Council",
        "the EU's Political and Security Committee",
        "U.S. Department of Defense",
        "the National Intelligence Service",
        "The Ukrainian Ministry of Defense's Main Directorate of Intelligence",
    ) == ["NATO-NAC", "EU-PSC", "USA-DOD", "KOR-NIS", "UKR-HUR"]
    # shared aliases resolve only with a country
    assert kb.lookup("Joint Chiefs of Staff") is None
    assert ids(kb, "South Korea's Joint Chiefs of Staff", "the U.S. Joint Chiefs of Staff") == [
        "KOR-JCS",
        "USA-JCS",
    ]


def test_body_patterns(kb: KnowledgeBase) -> None:
    assert ids(
        kb,
        "South Korea's Foreign Ministry",
        "the South Korean Foreign Ministry",
        "the Foreign Ministry in Seoul",
        "Ministry of Foreign Affairs of the Republic of Korea",
        "the Ukrainian Ministry of Defense",
        "the Defense Ministry in Seoul",
        "Russian forces",
        "US military",
        "Japan's Foreign Office",
    ) == [
        "KOR-foreign_ministry",
        "KOR-foreign_ministry",
        "KOR-foreign_ministry",
        "KOR-foreign_ministry",
        "UKR-defense_ministry",
        "KOR-defense_ministry",
        "RUS-military",
        "USA-military",
        "JPN-foreign_ministry",
    ]
    body = kb.lookup("South Korea's Foreign Ministry")
    assert body is not None
    assert (body.name, body.kind, body.country, body.sector) == (
        "South Korea Foreign Ministry",
        "organization",
        "KOR",
        "diplomatic",
    )


def test_body_patterns_prefer_the_named_organization(kb: KnowledgeBase) -> None:
    # organizations.tsv rows with a body column stand for that body of their country
    assert ids(
        kb,
        "South Korea's spy agency",
        "Ukraine's military intelligence agency",
        "North Korean troops",
        "North Korea's state media",
        "the US Defense Department",
    ) == ["KOR-NIS", "UKR-HUR", "PRK-KPA", "PRK-KCNA", "USA-DOD"]


def test_body_patterns_do_not_overreach(kb: KnowledgeBase) -> None:
    assert (
        ids(
            kb,
            "the Foreign Ministry",
            "troops in Kursk",
            "Korean Peninsula",
            "US election",
            "the embassy in Seoul",
        )
        == [None] * 5
    )
    assert ids(kb, "the US Embassy in Seoul") == ["USA-embassy"]


def test_demonyms(kb: KnowledgeBase) -> None:
    found = {
        w: kb.country_by_demonym(w)
        for w in (
            "South Korean",
            "Korean",
            "North Korean",
            "British",
            "Britons",
            "American",
            "Russian",
            "Ukrainian",
            "Canadian",
            "Japanese",
            "Chinese",
        )
    }
    assert {w: a.id if a else None for w, a in found.items()} == {
        "South Korean": "KOR",
        "Korean": "KOR",
        "North Korean": "PRK",
        "British": "GBR",
        "Britons": "GBR",
        "American": "USA",
        "Russian": "RUS",
        "Ukrainian": "UKR",
        "Canadian": "CAN",
        "Japanese": "JPN",
        "Chinese": "CHN",
    }
    assert kb.country_by_demonym("Korea") is None


def test_places(kb: KnowledgeBase) -> None:
    assert kb.place("Washington") == Place("Washington", "USA")
    assert kb.place("Washington, D.C.") == Place("Washington", "USA")
    assert kb.place("Washington, US") == Place("Washington", "USA")
    assert kb.place("Ottawa") == Place("Ottawa", "CAN")
    assert kb.place("Seoul") == Place("Seoul", "KOR")
    assert kb.place("Kiev") == kb.place("Kyiv") == Place("Kyiv", "UKR")
    assert kb.place("Seoul\u2019s Jongno-gu") == Place("Jongno-gu", "KOR")
    assert kb.place("Chongjin Port") == Place("Chongjin", "PRK")
    assert kb.place("South Korea") == Place("South Korea", "KOR")
    assert kb.place("Brussels") == Place("Brussels", "BEL")
    assert kb.place("Korean Peninsula") == Place("Korean Peninsula", None)
    assert kb.place("Nowhere-on-Sea") is None


def test_metonyms(kb: KnowledgeBase) -> None:
    got = {
        s: kb.metonym(s)
        for s in (
            "Seoul",
            "Pyongyang",
            "Washington",
            "Moscow",
            "Beijing",
            "the Kremlin",
            "Langley",
            "Busan",
            "Brussels",
        )
    }
    assert {s: a.id if a else None for s, a in got.items()} == {
        "Seoul": "KOR",
        "Pyongyang": "PRK",
        "Washington": "USA",
        "Moscow": "RUS",
        "Beijing": "CHN",
        "the Kremlin": "RUS-KREMLIN",
        "Langley": "USA-CIA",
        "Busan": None,
        "Brussels": "EU",
    }


def test_country_and_actor_by_id(kb: KnowledgeBase) -> None:
    korea = kb.country("kor")
    assert korea is not None and korea.name == "South Korea" and korea.kind == "country"
    assert kb.country("NATO") is None
    body = kb.actor("CAN-defense_ministry")
    assert body is not None and body.name == "Canada Defense Ministry"


def test_every_country_row_is_valid() -> None:
    rows = list(_read_tsv(DATA / "countries.tsv"))
    assert len(rows) >= 249
    codes = [r["iso3"] for r in rows]
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in codes)
    assert len(codes) == len(set(codes))
    assert all(r["name"] for r in rows)


def test_country_aliases_are_unique_across_countries() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for row in _read_tsv(DATA / "countries.tsv"):
        for alias in [row["name"], *row["aliases"].split("|")]:
            key = fold(alias)
            if key and owner.setdefault(key, row["iso3"]) != row["iso3"]:
                clashes.append((alias, owner[key], row["iso3"]))
    assert clashes == []


def test_demonyms_are_unique_across_countries() -> None:
    owner: dict[str, str] = {}
    for row in _read_tsv(DATA / "countries.tsv"):
        for demonym in filter(None, row["demonyms"].split("|")):
            assert owner.setdefault(fold(demonym), row["iso3"]) == row["iso3"], demonym


def test_organization_rows_are_consistent(kb: KnowledgeBase) -> None:
    bodies = {r["body"] for r in _read_tsv(DATA / "bodies.tsv")}
    for row in _read_tsv(DATA / "organizations.tsv"):
        assert row["kind"] in {"country", "organization", "igo", "group"}, row["id"]
        assert not row["country"] or kb.country(row["country"]) is not None, row["id"]
        assert not row["body"] or row["body"] in bodies, row["id"]
    for place in kb.places():
        assert place.country is None or kb.country(place.country) is not None, place


def test_extra_dir_adds_and_overrides_rows(tmp_path: Path) -> None:
    (tmp_path / "organizations.tsv").write_text(
        "id\tname\tkind\tcountry\tsector\taliases\n"
        "KOR-KCG\tKorea Coast Guard\torganization\tKOR\tmilitary\tKCG|Korean Coast Guard\n"
        "NATO\tNorth Atlantic Alliance\tigo\t\tsecurity\tNATO|Alliance\n",
        encoding="utf-8",
    )
    (tmp_path / "places.tsv").write_text(
        "# a user's gazetteer\nname\tcountry\taliases\tis_capital\nSokcho\tKOR\t\t0\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load([tmp_path])
    coast_guard = kb.lookup("the Korean Coast Guard")
    assert coast_guard is not None and coast_guard.id == "KOR-KCG"
    nato = kb.lookup("NATO")
    assert nato is not None and nato.name == "North Atlantic Alliance"
    assert kb.place("Sokcho") == Place("Sokcho", "KOR")
    assert kb.lookup("ROK") is not None  # package data still loaded


def test_default_reads_env_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "countries.tsv").write_text(
        "iso3\tname\taliases\tdemonyms\tcapital\n"
        "XXA\tAtlantis\tSunken Kingdom\tAtlantean\tPoseidonia\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("WIREWATCH_KB", str(tmp_path))
    kb = KnowledgeBase.default()
    assert kb is KnowledgeBase.default()
    assert ids(kb, "the Sunken Kingdom", "Atlantean forces") == ["XXA", "XXA-military"]
    assert kb.metonym("Poseidonia") == kb.country("XXA")


def test_fuzzy_country_typos_only_for_long_multiword_names() -> None:
    kb = KnowledgeBase.default()
    assert kb.lookup_fuzzy("North Norea").id == "PRK"  # type: ignore[union-attr]
    assert kb.lookup_fuzzy("Unites States").id == "USA"  # type: ignore[union-attr]
    assert kb.lookup_fuzzy("Niger") is None  # short names are too easy to hit by chance
    assert kb.lookup_fuzzy("North Korea") is None  # exact names are lookup's job
    assert kb.lookup_fuzzy("Northern Territory") is None


def test_central_banks_by_name_acronym_and_pattern(kb: KnowledgeBase) -> None:
    assert ids(kb, "the Federal Reserve", "the U.S. Federal Reserve", "the Fed") == ["USA-FED"] * 3
    assert ids(kb, "the US central bank", "South Korea's central bank") == ["USA-FED", "KOR-BOK"]
    assert ids(kb, "ECB", "the European Central Bank") == ["ECB", "ECB"]


def test_regions_are_places_without_a_country(kb: KnowledgeBase) -> None:
    assert kb.place("North American") == Place("North America", None)
    assert kb.lookup("North American") is None
    assert kb.country_by_demonym("North American") is None


def test_a_list_with_numbers_is_not_a_city_and_country(kb: KnowledgeBase) -> None:
    assert kb.place("Austria, 400") is None
    assert kb.place("Graz, Austria") == Place("Graz", "AUT")


def test_fuzzy_one_word_country_typos_need_one_edit_and_one_candidate() -> None:
    kb = KnowledgeBase.default()
    assert kb.lookup_fuzzy("Tanzaniaa").id == "TZA"  # type: ignore[union-attr]  # one added
    assert kb.lookup_fuzzy("Venezula").id == "VEN"  # type: ignore[union-attr]  # one dropped
    assert kb.lookup_fuzzy("Cambodai").id == "KHM"  # type: ignore[union-attr]  # two swapped
    assert kb.lookup_fuzzy("Austrlia") is None  # Austria and Australia are both one edit away
    assert kb.lookup_fuzzy("Zenya") is None  # the first letter is kept in a typo
    assert kb.lookup_fuzzy("Chad") is None  # under five letters
    assert kb.lookup_fuzzy("venezula") is None  # a name is capitalised
    assert kb.lookup_fuzzy("Canada") is None  # exact names are lookup's job


def test_a_possessive_place_needs_its_country_as_owner(kb: KnowledgeBase) -> None:
    assert kb.place("Ukraine's Kharkiv") == Place("Kharkiv", "UKR")
    # a company's division is no place, whatever follows the possessive
    assert kb.place("Ford's North American") is None


def test_a_comma_qualifier_must_be_a_place(kb: KnowledgeBase) -> None:
    assert kb.place("Seoul, South Korea") == Place("Seoul", "KOR")
    assert kb.place("San Francisco, Apple") is None  # "..., Apple CEO Steve Jobs said"
