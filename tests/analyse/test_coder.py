"""The event coder on our own sentences, one phenomenon each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wirewatch.model import Article

DCT = datetime(2024, 3, 12, 9, 0, tzinfo=UTC)  # a Tuesday


def code(analyser, text: str, published: datetime = DCT):
    return analyser.analyse(Article(id="t", text=text, published=published)).mentions


def one(mentions, type_):
    found = [m for m in mentions if m.type == type_]
    assert found, f"no {type_} in {[(m.type, m.trigger.text) for m in mentions]}"
    return found[0]


def names(m, role):
    return {a.name for a in m.actors if a.role == role}


def countries(m, role):
    return {a.country for a in m.actors if a.role == role}


def test_meeting_participants_date_place(analyser):
    m = one(
        code(
            analyser,
            "Chilean Foreign Minister Alberto van Klaveren met Argentine Foreign "
            "Minister Diana Mondino on Monday in Santiago.",
        ),
        "CONSULT",
    )
    assert {"Alberto van Klaveren", "Diana Mondino"} <= names(m, "participant")
    assert m.date_start == m.date_end == "2024-03-11"
    assert m.location_name == "Santiago" and m.location_country == "CHL"
    assert m.status == "occurred"
    # every field points back into the text
    assert m.sentence.text.startswith("Chilean Foreign Minister")
    assert m.date_span.text == "Monday"


def test_directed_event_source_and_target(analyser):
    m = one(
        code(analyser, "Poland condemned Belarus over the border incident on Sunday."), "ACCUSE"
    )
    assert countries(m, "source") == {"POL"}
    assert countries(m, "target") == {"BLR"}


def test_passive_voice_swaps_roles(analyser):
    m = one(code(analyser, "Belarus was condemned by Poland on Sunday."), "ACCUSE")
    assert countries(m, "source") == {"POL"}
    assert countries(m, "target") == {"BLR"}


def test_planned_by_future_tense_and_date(analyser):
    m = one(
        code(
            analyser,
            "The foreign ministers of Kenya and Ethiopia will hold talks in Nairobi on Friday.",
        ),
        "CONSULT",
    )
    assert m.status == "planned"
    assert m.date_start == "2024-03-15"


def test_agreed_to_hold_is_a_planned_meeting(analyser):
    ms = code(analyser, "Vietnam and Australia agreed to hold a strategic dialogue in early 2025.")
    m = one(ms, "CONSULT")
    assert m.status == "planned"
    assert not [x for x in ms if x.type == "AGREE"]


def test_hedged_claim(analyser):
    m = one(
        code(
            analyser, "Syria reportedly deployed troops to the northern border, the monitor said."
        ),
        "MOBILIZE",
    )
    assert m.status == "claimed"


def test_claim_by_named_party_is_attributed(analyser):
    m = one(
        code(
            analyser,
            "Ukraine's military intelligence claimed that Russia deployed "
            "additional troops near Kharkiv.",
        ),
        "MOBILIZE",
    )
    assert m.status == "claimed"
    assert any(a.country == "UKR" for a in m.attributed_to)
    assert "RUS" in countries(m, "source")


def test_hypothetical(analyser):
    m = one(code(analyser, "Hungary is likely to veto the proposal next week."), "REJECT")
    assert m.status == "hypothetical"


def test_negated_event_is_not_coded_as_positive(analyser):
    ms = code(analyser, "Serbia did not condemn Kosovo after the vote.")
    assert not [m for m in ms if m.type == "ACCUSE" and m.status == "occurred"]


def test_reported_speech_codes_the_reported_event(analyser):
    ms = code(analyser, "The Brazilian government said Argentina criticized Chile on Friday.")
    m = one(ms, "ACCUSE")
    assert countries(m, "source") == {"ARG"}
    assert countries(m, "target") == {"CHL"}
    assert any(a.country == "BRA" for a in m.attributed_to)
    assert "said" not in m.trigger.text


def test_nominal_event_with_named_format(analyser):
    m = one(
        code(analyser, "Japan and Australia held their 2+2 meeting in Tokyo on Monday."), "CONSULT"
    )
    assert m.label == "2+2"
    assert {"JPN", "AUS"} <= countries(m, "participant")


def test_meeting_topic_is_not_a_participant(analyser):
    m = one(
        code(
            analyser, "Ministers from Chile and Peru discussed the deployment of Bolivian troops."
        ),
        "CONSULT",
    )
    assert "BOL" not in countries(m, "participant")


@pytest.mark.parametrize(
    "text",
    ["The trade framework covers 2+2 issues.", "A meeting framework exists with Japan."],
)
def test_trigger_word_modifying_another_noun_is_not_an_event(analyser, text):
    assert not [m for m in code(analyser, text) if m.type == "CONSULT"]


def test_country_after_in_is_the_place_not_a_target(analyser):
    m = one(
        code(analyser, "The European Union imposed new sanctions on Iran in Luxembourg on Monday."),
        "SANCTION",
    )
    assert "LUX" not in countries(m, "target")
    assert m.location_country == "LUX"
    assert "IRN" in countries(m, "target")


def test_inflected_multiword_trigger(analyser):
    m = one(
        code(analyser, "Estonia called for the release of the detained journalists."), "REQUEST"
    )
    assert countries(m, "source") == {"EST"}


def test_demanded_event_has_not_happened(analyser):
    ms = code(analyser, "Lithuania demanded the withdrawal of Russian troops from the border.")
    assert one(ms, "REQUEST").status == "occurred"
    assert one(ms, "RETREAT").status == "hypothetical"


def test_commenting_on_a_meeting_is_not_taking_part(analyser):
    m = one(
        code(analyser, "Moscow criticised the Warsaw talks between Poland and Ukraine."), "CONSULT"
    )
    assert "RUS" not in countries(m, "participant")
    assert {"POL", "UKR"} <= countries(m, "participant")
