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
    [
        "The trade framework covers 2+2 issues.",
        "A meeting framework exists with Japan.",
        # a named format on a non-event noun: "a 2+2 dialogue framework" is no meeting
        "Kenya maintains a 2+2 dialogue framework with a few partners, including Ethiopia.",
    ],
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


# -- concrete actions from the lexicon ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        ("Soldiers in Myanmar tortured detained villagers last week.", "ASSAULT"),
        ("Rebels in Mali blew up a railway bridge near the border.", "COERCE"),
        ("Kazakhstan banned the main opposition newspaper on Monday.", "COERCE"),
        ("Thousands of farmers blocked roads across Poland on Friday.", "PROTEST"),
        ("Teachers in Ghana went on strike over unpaid salaries.", "PROTEST"),
        ("Armenian troops fired shells at Azerbaijani positions overnight.", "ASSAULT"),
    ],
)
def test_concrete_action_verbs(analyser, text, type_):
    ms = code(analyser, text)
    assert ms and ms[0].type == type_, [(m.type, m.trigger.text) for m in ms]


def test_verb_and_object_decide_the_type(analyser):
    ms = code(analyser, "Latvia upgraded its diplomatic ties with Georgia on Tuesday.")
    assert ms[0].type == "SUPPORT"
    ms = code(analyser, "Serbia lifted the night curfew in Novi Pazar.")
    assert [m.type for m in ms] == ["CONCEDE"]
    ms = code(analyser, "The Nigerian teachers' union called off its strike on Monday.")
    assert ms[0].type == "CONCEDE"


# -- intent: promises are AGREE, conditional or hedged hostile acts are THREATEN ------------


def test_offer_to_negotiate_is_agree(analyser):
    ms = code(analyser, "Mongolia offered to negotiate with China over the mining dispute.")
    m = ms[0]
    assert m.type == "AGREE"
    assert {"MNG", "CHN"} <= countries(m, "participant")
    assert not [x for x in ms if x.type == "CONSULT"]


def test_will_release_is_a_promise(analyser):
    m = code(analyser, "Chile said it will release the detained Bolivian fishermen.")[0]
    assert m.type == "AGREE"
    assert "CHL" in countries(m, "source") | countries(m, "participant")


def test_willing_to_withdraw_is_agree(analyser):
    m = code(analyser, "Armenia is willing to withdraw its forces from the disputed villages.")[0]
    assert m.type == "AGREE"


def test_conditional_hostile_act_is_a_threat(analyser):
    m = code(
        analyser, "Ghana will withdraw its ambassador unless Togo releases the detained soldiers."
    )[0]
    assert m.type == "THREATEN"
    assert "GHA" in countries(m, "source")
    assert "TGO" in countries(m, "target")


def test_would_boycott_is_a_threat(analyser):
    m = code(analyser, "Estonian farmers said they would boycott the agricultural fair.")[0]
    assert m.type == "THREATEN"


def test_threatened_content_is_not_a_second_event(analyser):
    ms = code(analyser, "Hungary threatened to ban the rally in Budapest.")
    assert [m.type for m in ms] == ["THREATEN"]


def test_refusal_to_accept_is_reject(analyser):
    m = code(analyser, "Malta says it will not accept the migrants rescued at sea.")[0]
    assert m.type == "REJECT"
    assert "MLT" in countries(m, "source")  # "it" is the speaker


# -- demands ------------------------------------------------------------------------------


def test_demanded_that_x_makes_x_the_target(analyser):
    m = one(code(analyser, "Bolivia demanded that Chile return the disputed coastline."), "REQUEST")
    assert countries(m, "source") == {"BOL"}
    assert countries(m, "target") == {"CHL"}


def test_saying_that_x_must_act_is_a_demand(analyser):
    ms = code(
        analyser, "Peru said on Friday that Ecuador must withdraw its troops from the border."
    )
    m = ms[0]
    assert m.type == "REQUEST" and m.status == "occurred"
    assert countries(m, "source") == {"PER"}
    assert countries(m, "target") == {"ECU"}


# -- actors' countries ---------------------------------------------------------------------


def test_known_office_holder_carries_a_country(analyser):
    m = one(code(analyser, "Chancellor Angela Merkel criticized Russia on Sunday."), "ACCUSE")
    assert "DEU" in countries(m, "source")
    m = one(code(analyser, "Putin warned Finland against joining the alliance."), "THREATEN")
    assert "RUS" in countries(m, "source")


def test_titled_person_takes_the_home_country(analyser):
    m = one(code(analyser, "President Amadou Diallo imposed a curfew in Bamako."), "COERCE")
    assert "MLI" in countries(m, "source")


def test_domestic_actors_take_the_country_of_the_sentence(analyser):
    m = one(code(analyser, "Police in Kenya arrested dozens of protesters on Tuesday."), "COERCE")
    assert countries(m, "source") == {"KEN"}
    assert "KEN" in countries(m, "target")


def test_place_of_an_undirected_attack_is_its_target(analyser):
    m = one(code(analyser, "Turkish artillery shelled villages in northern Syria."), "ASSAULT")
    assert "TUR" in countries(m, "source")
    assert "SYR" in countries(m, "target")


def test_apposition_describes_the_actor(analyser):
    m = one(code(analyser, "Kenya, a close British partner, criticized Somalia."), "ACCUSE")
    assert countries(m, "source") == {"KEN"}


def test_verb_under_preposition_shares_the_subject(analyser):
    m = one(
        code(analyser, "Greek students have resorted to throwing stones at riot police."), "ASSAULT"
    )
    assert "GRC" in countries(m, "source")


def test_entity_repairs_hyphenated_names_acronyms_typos_and_country_named_orgs(analyser):
    from wirewatch.analyse.entities import find_entities

    doc = analyser.nlp(
        "President Moon Jae-in met envoys of the Unites States. The NSC met on Friday. "
        "Air Canada cancelled flights."
    )
    refs = {r.surface: r for r in find_entities(doc, analyser.kb)}
    assert "Moon Jae-in" in refs and refs["Moon Jae-in"].kind == "person"
    usa = [r for r in refs.values() if r.kb_id == "USA"]
    assert usa and usa[0].surface.endswith("Unites States")
    assert all(r.kind != "person" for r in refs.values() if r.surface == "NSC")
    air = [r for r in refs.values() if r.surface == "Air Canada"]
    assert not air or (air[0].kind == "organization" and air[0].country == "CAN")


def test_no_country_guessed_from_a_namesake_or_a_foreign_venue(analyser):
    from wirewatch.analyse.entities import find_entities

    doc = analyser.nlp(
        "Defense Minister Bill Blair met Japanese Foreign Minister Yoko Kamikawa at the "
        "State Department in Washington on Monday."
    )
    people = {r.name: r for r in find_entities(doc, analyser.kb) if r.kind == "person"}
    assert people["Bill Blair"].country is None  # not Tony Blair's GBR, not the venue's USA
    assert people["Yoko Kamikawa"].country == "JPN"


def test_one_nationality_for_a_coordinated_pair_of_officials(analyser):
    from wirewatch.analyse.entities import find_entities

    doc = analyser.nlp(
        "Chilean Foreign Minister Ana Rojas and Defense Minister Luis Soto met Peruvian "
        "officials, while Trade Minister Eva Paz stayed home."
    )
    people = {r.name: r for r in find_entities(doc, analyser.kb) if r.kind == "person"}
    assert people["Ana Rojas"].country == "CHL"
    assert people["Luis Soto"].country == "CHL"
    assert people["Eva Paz"].country is None  # not joined to them by "and"


def test_a_separate_meeting_is_labelled_apart(analyser):
    ms = code(analyser, "Ruto will also hold a separate meeting with Museveni on Friday.")
    assert one(ms, "CONSULT").label == "separate meeting"


# -- issue 4, second round: attribution, precision, troop movements --------------------------


def test_spy_agency_description_is_the_attributed_body(analyser):
    m = one(
        code(
            analyser,
            "Britain's spy agency claimed on Monday that around 900 Iranian soldiers had "
            "arrived in Syria.",
        ),
        "MOBILIZE",
    )
    assert m.status == "claimed"
    assert {a.name for a in m.attributed_to} == {"Secret Intelligence Service"}
    assert countries(m, "source") == {"IRN"}


def test_the_agency_added_is_the_earlier_speaker(analyser):
    ms = code(
        analyser,
        "Britain's spy agency claimed that Iranian soldiers had arrived in Syria. "
        "The agency also reported that Iranian troops had entered Iraq.",
    )
    second = [m for m in ms if m.trigger.text == "entered"]
    assert second, [(m.type, m.trigger.text) for m in ms]
    assert {a.name for a in second[0].attributed_to} == {"Secret Intelligence Service"}


def test_it_said_is_the_earlier_organisation(analyser):
    ms = code(
        analyser,
        "The Foreign Ministry of Peru issued a note on Monday. "
        "It said Chile had condemned Bolivia over the border closure.",
    )
    m = one(ms, "ACCUSE")
    assert countries(m, "source") == {"CHL"}
    assert m.attributed_to and all(a.country == "PER" for a in m.attributed_to)


def test_troops_arriving_is_a_deployment_but_people_arriving_is_not(analyser):
    m = one(code(analyser, "Two battalions of Chadian soldiers arrived in Niger."), "MOBILIZE")
    assert countries(m, "source") == {"TCD"}
    ms = code(analyser, "Chadian tourists arrived in Niger on Sunday.")
    assert not [x for x in ms if x.type == "MOBILIZE"]


def test_launching_a_body_is_not_a_missile_launch(analyser):
    ms = code(analyser, "Seven countries including Peru launched a new monitoring body on Tuesday.")
    assert not [m for m in ms if m.type in ("MOBILIZE", "ASSAULT")]
    m = one(code(analyser, "Iran launched a ballistic missile on Sunday."), "MOBILIZE")
    assert m.mode == "weapons_test" and countries(m, "source") == {"IRN"}


def test_a_month_named_march_is_not_a_protest(analyser):
    ms = code(analyser, "The last round of talks between Peru and Chile took place in March 2019.")
    assert not [m for m in ms if m.type == "PROTEST"]
    assert one(ms, "CONSULT").date_start == "2019-03-01"


def test_announced_event_noun_has_the_announcer_as_source(analyser):
    m = one(code(analyser, "Norway announced an embargo on Venezuela on Monday."), "SANCTION")
    assert countries(m, "source") == {"NOR"}
    assert countries(m, "target") == {"VEN"}


def test_a_statement_speaks_for_its_issuers(analyser):
    ms = code(
        analyser,
        "Kenya and Uganda issued a joint statement after the talks. "
        "The statement condemned Sudan over the border raids.",
    )
    m = one(ms, "ACCUSE")
    assert countries(m, "source") == {"KEN", "UGA"}
    assert countries(m, "target") == {"SDN"}
    m = one(
        code(analyser, "Ghana and Togo issued a statement on Friday condemning Burkina Faso."),
        "ACCUSE",
    )
    assert countries(m, "source") == {"GHA", "TGO"}
    assert countries(m, "target") == {"BFA"}


def test_infinitive_of_purpose_shares_the_subject(analyser):
    m = one(
        code(
            analyser,
            "Japan sent a trade delegation to Manila to support the Philippine government.",
        ),
        "SUPPORT",
    )
    assert countries(m, "source") == {"JPN"}
    assert countries(m, "target") == {"PHL"}


def test_sending_a_delegation_is_not_a_deployment(analyser):
    ms = code(analyser, "Japan dispatched a trade delegation to Manila.")
    assert not [m for m in ms if m.type == "MOBILIZE"]
    m = one(code(analyser, "Japan dispatched two warships to Manila."), "MOBILIZE")
    assert countries(m, "source") == {"JPN"}


def test_topic_of_a_planned_briefing_keeps_its_own_status_and_actors(analyser):
    ms = code(
        analyser,
        "Estonia will brief the alliance on the deployment of Belarusian troops on Monday.",
    )
    assert one(ms, "CONSULT").status == "planned"
    m = one(ms, "MOBILIZE")
    assert m.status == "occurred" and m.date_start is None
    assert countries(m, "source") == {"BLR"}
    assert "EST" not in {a.country for a in m.actors}
    m = one(code(analyser, "The ministers are expected to discuss the Chinese troop deployment."),
            "MOBILIZE")  # fmt: skip
    assert m.status == "occurred" and countries(m, "source") == {"CHN"}


def test_its_troops_belong_to_the_actor_named_before(analyser):
    m = one(
        code(
            analyser,
            "Italy criticized Libya's arms purchases and the deployment of its troops to Chad.",
        ),
        "MOBILIZE",
    )
    assert countries(m, "source") == {"LBY"}
    assert countries(m, "target") == {"TCD"}


def test_an_example_of_someones_acts_is_theirs_and_keeps_its_date(analyser):
    ms = code(
        analyser, "Japan criticized the provocations of Iran, including a missile test on March 2."
    )
    test = one(ms, "MOBILIZE")
    assert countries(test, "source") == {"IRN"}
    assert test.date_start == "2024-03-02" and test.status == "occurred"
    assert one(ms, "ACCUSE").date_start is None


def test_reports_of_an_event_make_it_claimed(analyser):
    m = one(
        code(analyser, "The talks came amid reports of Syrian troop deployments near the border."),
        "MOBILIZE",
    )
    assert m.status == "claimed" and countries(m, "source") == {"SYR"}


def test_demands_from_x_are_made_by_x(analyser):
    ms = code(analyser, "Peru yielded to the demands from Ecuador.")
    m = one(ms, "REQUEST")
    assert countries(m, "source") == {"ECU"}


def test_inspectors_dispatched_are_an_investigation(analyser):
    m = one(code(analyser, "The IAEA has dispatched inspectors to a plant in Iran."), "ACCUSE")
    assert m.mode == "investigate"
    assert not [
        x for x in code(analyser, "The IAEA dispatched inspectors to Iran.") if x.type == "MOBILIZE"
    ]


def test_participle_shares_the_plan_of_the_main_verb(analyser):
    ms = code(
        analyser,
        "Chile is set to host talks with Peru next month, followed by separate talks with Bolivia.",
    )
    consult = [m for m in ms if m.type == "CONSULT"]
    assert len(consult) >= 2 and all(m.status == "planned" for m in consult)


def test_launched_body_in_a_passive_coordination_is_not_a_launch(analyser):
    ms = code(analyser, "The council is a group of nine states and was launched on Monday by Peru.")
    assert not [m for m in ms if m.type in ("MOBILIZE", "ASSAULT")]


def test_noun_rooted_fragment_takes_the_root_as_subject(analyser):
    # The parser finds no main verb here: "donated" hangs from "charities" as a participle.
    m = one(
        code(
            analyser,
            "Volunteers from three Danish charities donated and delivered blankets to a camp "
            "in Chad.",
        ),
        "AID",
    )
    assert "DNK" in countries(m, "source")
    assert "DNK" not in countries(m, "target")


def test_second_subject_of_a_reporting_verb_acts_and_says_nothing(analyser):
    # The parser hangs "resorted" from "miners" and makes the miners a subject of "said".
    ms = code(
        analyser,
        "Chilean miners resorted to blocking roads during protests against the Peruvian "
        "company, witnesses said on Friday.",
    )
    m = one(ms, "PROTEST")
    assert "CHL" in countries(m, "source")
    assert not any(a.country == "CHL" for a in m.attributed_to)


def test_event_noun_in_a_during_phrase_shares_the_actors_of_the_act(analyser):
    ms = code(analyser, "Egyptian students threw stones at police during protests on Monday.")
    assert "EGY" in countries(one(ms, "PROTEST"), "source")
    assert "EGY" in countries(one(ms, "ASSAULT"), "source")


@pytest.mark.parametrize(
    "text",
    [
        "Norwegian volunteers handed over two tonnes of medicine to a clinic in Tumaco.",
        "The Japanese air force airlifted supplies to flooded villages in Pakistan.",
        "Kenya provided food to refugees arriving from Somalia on Tuesday.",
    ],
)
def test_handing_over_or_airlifting_supplies_is_aid(analyser, text):
    assert one(code(analyser, text), "AID")


@pytest.mark.parametrize(
    "text",
    [
        "Riot police broke up a rally of farmers outside the parliament in Accra on Monday.",
        "Bolivian soldiers dispersed protesters who had blocked the highway to La Paz.",
        "The Kenyan interior ministry banned a march planned by opposition students.",
    ],
)
def test_stopping_a_protest_is_coercion(analyser, text):
    ms = code(analyser, text)
    assert one(ms, "COERCE")


@pytest.mark.parametrize(
    "text,type_",
    [
        ("If Serbia attacks Kosovo, NATO will respond.", "ASSAULT"),
        ("Unless Iran releases the sailors, Britain will act.", "CONCEDE"),
        ("The ministers discussed whether to impose sanctions on Belarus.", "SANCTION"),
        ("Any attack on Estonia will face a swift response.", "ASSAULT"),
    ],
)
def test_conditions_and_open_questions_are_hypothetical(analyser, text, type_):
    assert one(code(analyser, text), type_).status == "hypothetical"


def test_condition_on_another_clause_leaves_the_event_as_it_is(analyser):
    ms = code(analyser, "Chile expelled the Venezuelan ambassador on Monday, as if to warn Peru.")
    assert one(ms, "SANCTION").status == "occurred"


def test_attacking_a_proposal_is_criticism(analyser):
    ms = code(analyser, "Poland attacked the proposal on Monday.")
    assert one(ms, "ACCUSE")
    assert not [m for m in ms if m.type == "ASSAULT"]


def test_event_that_would_bring_a_consequence_is_hypothetical(analyser):
    text = "The ministers stressed that an invasion of Estonia will face a united response."
    assert one(code(analyser, text), "ASSAULT").status == "hypothetical"


def test_event_since_which_something_holds_is_not_planned(analyser):
    text = (
        "The talks will include envoys from Poland and Lithuania, partners of Ukraine since "
        "Russia's invasion."
    )
    assert one(code(analyser, text), "ASSAULT").status == "occurred"


def test_coordinated_verb_shares_the_frame_of_the_first(analyser):
    text = (
        "It is expected that Chile and Peru will sign a border accord and issue a statement "
        "condemning Bolivia."
    )
    assert one(code(analyser, text), "ACCUSE").status in ("hypothetical", "planned")


def test_plan_phrase_of_another_clause_does_not_plan_the_event(analyser):
    text = (
        "The talks will take place in Vienna and include envoys from Austria, which has hosted "
        "negotiators since the ceasefire collapsed."
    )
    hosted = [m for m in code(analyser, text) if m.trigger.text == "hosted"]
    assert hosted and hosted[0].status == "occurred"


@pytest.mark.parametrize(
    "text",
    [
        "The embargo demonstrates the weakness of the Serbian government.",
        "Greece rallied support for the Cypriot proposal.",
    ],
)
def test_protest_verbs_with_an_object_mean_show_or_gather(analyser, text):
    assert not [m for m in code(analyser, text) if m.type == "PROTEST"]


def test_protest_verb_without_object_is_a_protest(analyser):
    ms = code(analyser, "Thousands of Georgians demonstrated outside the parliament in Tbilisi.")
    assert one(ms, "PROTEST")


@pytest.mark.parametrize(
    "text,type_",
    [
        ("Poland to expel Russian diplomats over spy case", "SANCTION"),
        ("Chile to host talks with Peru in Santiago", "CONSULT"),
    ],
)
def test_headline_infinitive_is_planned(analyser, text, type_):
    assert one(code(analyser, text), type_).status == "planned"


def test_infinitive_of_purpose_is_not_a_headline_plan(analyser):
    ms = code(analyser, "Poland expelled Russian diplomats to punish Moscow on Monday.")
    assert one(ms, "SANCTION").status == "occurred"


def test_place_inside_the_background_is_not_the_events(analyser):
    m = one(
        code(analyser, "Chile held talks with Peru in Lima amid reports of troops in Bolivia."),
        "CONSULT",
    )
    assert m.location_country == "PER"
    m = one(code(analyser, "Chile held talks with Peru amid fighting in Bolivia."), "CONSULT")
    assert m.location_country != "BOL"


def test_event_that_is_the_frame_keeps_its_place(analyser):
    ms = code(analyser, "Police fired tear gas during protests in Tbilisi on Monday.")
    assert one(ms, "PROTEST").location_name == "Tbilisi"


def test_reduced_passive_headline_has_the_victims_as_target(analyser):
    m = one(code(analyser, "Two Kenyan soldiers killed in Somalia ambush"), "ASSAULT")
    assert "KEN" in countries(m, "target")
    assert "KEN" not in countries(m, "source")


@pytest.mark.parametrize(
    "text,type_,mover",
    [
        ("North Korean troops were deployed to Russia.", "MOBILIZE", "PRK"),
        ("Russian units were withdrawn from Kherson.", "RETREAT", "RUS"),
    ],
)
def test_passive_movement_keeps_the_owner_as_source(analyser, text, type_, mover):
    m = one(code(analyser, text), type_)
    assert mover in countries(m, "source")


@pytest.mark.parametrize(
    "text,type_,actor",
    [
        ("Egypt condemned the missiles launched by Iran.", "MOBILIZE", "IRN"),
        ("Aid delivered by Jordan reached Gaza on Monday.", "AID", "JOR"),
    ],
)
def test_agent_of_a_participle_on_the_event_noun_is_the_source(analyser, text, type_, actor):
    m = one(code(analyser, text), type_)
    assert actor in countries(m, "source")


def test_talks_with_a_country_make_it_a_participant(analyser):
    m = one(code(analyser, "Chile held talks with Peru."), "CONSULT")
    assert {"CHL", "PER"} <= countries(m, "participant")


@pytest.mark.parametrize(
    "text,town",
    [
        ("Chile held talks with Peru near Gao.", "Gao"),  # tagged a person by the model
        ("Chile held talks with Peru in Kidal.", "Kidal"),  # tagged a nationality
    ],
)
def test_a_town_after_a_preposition_of_place_is_the_place(analyser, text, town):
    m = one(code(analyser, text), "CONSULT")
    assert m.location_name == town and m.location_country == "MLI"
    assert town not in names(m, "participant")


def test_a_person_met_is_not_taken_for_a_town(analyser):
    m = one(code(analyser, "The minister met Gao in Beijing."), "CONSULT")
    assert m.location_name == "Beijing"


def _parsed(words, heads, deps, people):
    """A parse as the model sometimes gives it, for rules that read the tree."""
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    ents = ["O"] * len(words)
    for start, end in people:
        ents[start:end] = ["B-PERSON"] + ["I-PERSON"] * (end - start - 1)
    return Doc(Vocab(), words=words, heads=heads, deps=deps, ents=ents)


def test_a_person_listed_beside_another_is_not_an_apposition():
    from wirewatch.analyse.coder import SentenceCoder
    from wirewatch.analyse.entities import EntityRef

    # "Minister Ana Ruiz, Minister of Defense Luis Vega sat": the parser hangs the second
    # minister on the first as an apposition.
    words = ["Minister", "Ana", "Ruiz", ",", "Minister", "of", "Defense", "Luis", "Vega", "sat"]
    heads = [2, 2, 9, 2, 2, 4, 8, 8, 5, 9]
    deps = ["compound", "compound", "nsubj", "punct", "appos", "prep", "compound", "compound",
            "pobj", "ROOT"]  # fmt: skip
    doc = _parsed(words, heads, deps, [(1, 3), (7, 9)])
    vega = EntityRef(7, 9, 0, 0, "Luis Vega", "Luis Vega", "person")
    assert not SentenceCoder._in_apposition(vega, doc)
    # "Peru, a key ally of Chile": a name inside a description of a country describes it.
    words = ["Peru", ",", "a", "key", "ally", "of", "Chile", ",", "met"]
    heads = [8, 0, 4, 4, 0, 4, 5, 0, 8]
    deps = ["nsubj", "punct", "det", "amod", "appos", "prep", "pobj", "punct", "ROOT"]
    doc = _parsed(words, heads, deps, [])
    chile = EntityRef(6, 7, 0, 0, "Chile", "Chile", "country")
    assert SentenceCoder._in_apposition(chile, doc)


def test_who_initiates_talks_takes_part(analyser):
    m = one(code(analyser, "Chile and Peru initiated border talks on Monday."), "CONSULT")
    assert {"CHL", "PER"} <= countries(m, "participant")


def test_trigger_scan_skips_only_tokens_that_start_no_trigger(analyser):
    """find_triggers tries the lexicon only at tokens _may_start lets through: it must let
    through every token where a phrase or word trigger is found (verbs, nouns, phrases,
    inflected forms), and rule out most others."""
    from wirewatch.analyse.docindex import doc_index

    coder = analyser.coder
    doc = analyser.nlp(
        "The ministers called for talks and condemned the missile launches on Friday. "
        "Rebels attacked a convoy, police arrested two suspects and the army withdrew. "
        "Officials will hold a summit, sign an agreement and impose sanctions next week. "
        "Protesters rallied outside the embassy while envoys negotiated a ceasefire."
    )
    toks = doc_index(doc).toks
    found = ruled_out = 0
    for tok in toks:
        end = doc_index(doc).bounds[tok.sent_start]
        hit = coder._phrase_at(doc, tok.i, end, toks) or coder._word_at(tok)
        if hit is not None:
            found += 1
            assert coder._may_start(tok), tok.text
        ruled_out += not coder._may_start(tok)
    assert found >= 10
    assert ruled_out > len(toks) / 2


def test_a_credit_line_is_no_event_and_no_antecedent(analyser):
    # A picture's credit on its own line, wholly in brackets, has a trigger word ("provided")
    # and a name; it reports nothing, and the lines around it are coded as before.
    text = (
        "Peru and Chile signed a fisheries accord in Lima on Monday.\n"
        "[Provided by the Ministry of Production]\n"
        "(Photo by Andina)\n"
        "Chile later accused Peru of overfishing.\n"
        "The ministry provided emergency aid to Chile."
    )
    mentions = code(analyser, text)
    triggers = {m.trigger.text for m in mentions}
    assert "Provided" not in triggers and "Photo" not in triggers
    assert countries(one(mentions, "ACCUSE"), "source") == {"CHL"}
    aid = one(mentions, "AID")
    assert aid.trigger.text.startswith("provided")
    assert "Ministry of Production" not in {a.name for a in aid.actors}
    # Nor is who the credit names one of the article's names.
    found = analyser.analyse(Article(id="t", text=text, published=DCT)).entities
    assert not any("Production" in e.name or e.name == "Andina" for e in found)
    assert {"Peru", "Chile"} <= {e.name for e in found}
    # Brackets around a real report are no credit.
    assert one(code(analyser, "[Chile accused Peru of overfishing on Monday.]"), "ACCUSE")


def test_a_trigger_that_opens_a_bracket_closes_it(analyser):
    # A named format and its bracketed short form are one trigger phrase.
    text = "Peru and Chile will hold their first Security Consultative Meeting (SCM) on Friday."
    m = one(code(analyser, text), "CONSULT")
    assert "(SCM" in m.trigger.text
    assert m.trigger.text.count("(") == m.trigger.text.count(")")


@pytest.mark.parametrize(
    "text",
    [
        "Cooperation between Iran and Syria threatens regional stability and shows the "
        "weakness of Iran and Syria.",
        "The alliance between Chile and Peru threatens the region and reveals the fears of "
        "Peru and Chile.",
    ],
)
def test_an_actor_is_not_on_both_sides(analyser, text):
    m = one(code(analyser, text), "THREATEN")
    sources, targets = countries(m, "source"), countries(m, "target")
    assert len(sources) == 2 and not sources & targets


def test_a_demonym_on_people_is_not_the_state(analyser):
    # "Peruvian soldiers" are some of Peru's people: the state can act on them
    m = one(
        code(
            analyser, "Peru is prosecuting alleged abuses by Peruvian soldiers against civilians."
        ),
        "ACCUSE",
    )
    assert "Peru" in names(m, "source") and "Peru" in names(m, "target")


@pytest.mark.parametrize(
    "text",
    [
        "Japan and India held a 2+2 meeting in Tokyo on Monday.",
        "Japan and India will hold 2+2 talks in Tokyo next week.",
    ],
)
def test_a_format_name_is_not_a_count(analyser, text):
    m = one(code(analyser, text), "CONSULT")
    assert m.quantities == []


def test_a_count_is_kept(analyser):
    m = one(
        code(analyser, "Japan and India will hold talks with 40 delegates next month."), "CONSULT"
    )
    assert [(q["value"], q["unit"]) for q in m.quantities] == [(40, "delegate")]


def test_an_event_that_dates_a_clause_keeps_its_own_actors(analyser):
    mentions = code(
        analyser,
        "The talks will include envoys from founding EU members, firm allies of Georgia since "
        "Russia's invasion.",
    )
    invasion = one(mentions, "ASSAULT")
    assert countries(invasion, "source") == {"RUS"}
    assert not countries(invasion, "target")


def test_who_acts_in_the_anchor_event_is_not_an_actor_of_the_state(analyser):
    m = one(
        code(analyser, "Officials from Poland have backed Kyiv since Moscow's attack."), "SUPPORT"
    )
    assert countries(m, "source") == {"POL"} and countries(m, "target") == {"UKR"}


def test_a_semicolon_parts_two_events_of_a_headline(analyser):
    mentions = code(
        analyser,
        "Peru and Chile agreed on a fishing accord. 3rd round of talks with Chile in two years; "
        "first meeting with Bolivia",
    )
    triggers = [m.trigger.text for m in mentions if m.type == "CONSULT"]
    assert triggers == ["talks", "meeting"]


@pytest.mark.parametrize(
    "subject", ["The two sides", "Both ministers", "The ministers of both countries"]
)
def test_a_collective_subject_is_the_parties_named_before(analyser, subject):
    mentions = code(
        analyser,
        "Chile and Peru held talks in Lima on Monday. The statement welcomed consultations "
        f"between Chile and NATO. {subject} agreed to expand trade.",
    )
    agree = one(mentions, "AGREE")
    # the sides of the talks, not of the consultations another verb is about
    assert countries(agree, "participant") == {"CHL", "PER"}


def test_a_collective_subject_that_names_its_parties_keeps_them(analyser):
    m = one(
        code(
            analyser,
            "Chile and Peru held talks in Lima on Monday. The ministers of Bolivia and Ecuador "
            "agreed to expand trade.",
        ),
        "AGREE",
    )
    assert countries(m, "participant") == {"BOL", "ECU"}


def test_the_subject_of_a_verb_of_response_is_not_the_actor_of_the_event_it_meets(analyser):
    # "counter cyberattacks": Peru meets the attacks, it does not make them; with no one named
    # for the attacks there is no event.
    mentions = code(
        analyser, "Peru will counter cyberattacks with new laws, its defence minister said."
    )
    assert not [
        m for m in mentions if "PER" in countries(m, "source") and m.trigger.text == "cyberattacks"
    ]
    # the event's own phrase still names its actor
    m = one(
        code(analyser, "Peru responded to the threats from Bolivia by recalling its ambassador."),
        "THREATEN",
    )
    assert countries(m, "source") == {"BOL"}


def test_a_question_put_is_not_a_request(analyser):
    asked = code(
        analyser,
        "Chile's president was asked whether Peru would reopen the border, and declined to answer.",
    )
    assert not [m for m in asked if m.type == "REQUEST"]
    asked = code(analyser, "Peru asked the United Nations about sending observers to the border.")
    assert not [m for m in asked if m.type == "REQUEST"]
    # asking someone to do something, or for something, is a request
    m = one(code(analyser, "Peru asked Chile to reopen the border on Monday."), "REQUEST")
    assert countries(m, "source") == {"PER"} and countries(m, "target") == {"CHL"}
    m = one(code(analyser, "Chile asked for emergency aid from Argentina."), "REQUEST")
    assert countries(m, "source") == {"CHL"}


def test_an_event_over_a_written_range_is_dated_by_the_whole_range(analyser):
    # on Tuesday 12 March: a past "Sunday to Tuesday" is this week's, ending today
    m = one(
        code(analyser, "Egyptian and Qatari mediators held talks in Cairo from Sunday to Tuesday."),
        "CONSULT",
    )
    assert (m.date_start, m.date_end) == ("2024-03-10", "2024-03-12")
    assert m.date_span is not None and m.date_span.text == "Sunday to Tuesday"
    m = one(
        code(
            analyser, "Armenian and Azerbaijani envoys will meet in Almaty between 20 and 22 May."
        ),
        "CONSULT",
    )
    assert (m.date_start, m.date_end) == ("2024-05-20", "2024-05-22")


def test_an_offset_from_the_story_date_dates_the_event(analyser):
    # "three days later" is a DURATION in TimeML, but it points to a day
    ms = code(
        analyser,
        "Serbian and Kosovar negotiators met in Brussels on March 1. Three days later, "
        "Serbian police arrested two Kosovar officials.",
    )
    assert one(ms, "COERCE").date_start == "2024-03-04"


def test_an_offset_with_no_date_before_it_is_not_counted_from_publication(analyser):
    # with nothing to be later than, the event is undated, not planned for three days hence
    m = one(
        code(analyser, "Three days later, Serbian police arrested two Kosovar officials."), "COERCE"
    )
    assert m.date_start is None and m.status == "occurred"


def test_a_dateline_does_not_date_the_event(analyser):
    # the wire date says when the story was filed: the event keeps its own date, or none
    ms = code(
        analyser,
        "ANKARA, March 12 (Anadolu) -- Turkish jets struck Kurdish militants in northern "
        "Iraq on Sunday, the ministry said.",
    )
    assert one(ms, "ASSAULT").date_start == "2024-03-10"
    ms = code(
        analyser,
        "ANKARA, March 12 (Anadolu) -- Turkish jets struck Kurdish militants in northern "
        "Iraq, the ministry said.",
    )
    assert one(ms, "ASSAULT").date_start is None


def test_a_date_that_describes_a_participant_does_not_date_the_event(analyser):
    # "the 2016 resolution" is the resolution's year, "its 2019 envoy" the envoy's: the
    # demand and the criticism are undated here
    ms = code(analyser, "The 2016 resolution demands Eritrea's withdrawal from the border town.")
    assert one(ms, "REQUEST").date_start is None
    ms = code(analyser, "Ethiopia's 2019 envoy to Asmara criticised Eritrea.")
    assert one(ms, "ACCUSE").date_start is None
    # a date on the trigger's own noun or on the frame it happens in still dates it
    m = one(
        code(analyser, "The Friday bombing of the Turkish embassy killed four guards."), "ASSAULT"
    )
    assert m.date_start == "2024-03-08"
    m = one(
        code(
            analyser,
            "At a Sunday meeting, Ethiopian and Eritrean envoys agreed to reopen the border.",
        ),
        "AGREE",
    )
    assert m.date_start == "2024-03-10"


def test_an_agreement_to_act_has_happened(analyser):
    # the agreeing is done; only what is agreed to lies ahead
    m = one(
        code(analyser, "On Monday, Ethiopian and Eritrean envoys agreed to cooperate."), "AGREE"
    )
    assert m.status == "occurred"


def test_an_undated_past_event_keeps_the_story_day_apart_from_its_date(analyser):
    text = (
        "Israeli troops raided the Jenin refugee camp on Sunday.\n"
        "Israeli soldiers arrested 12 Palestinians in the camp.\n\n"
        "Israeli police arrested two Palestinian journalists in Hebron."
    )
    ms = code(analyser, text)
    framed, apart = [m for m in ms if m.type == "COERCE" and m.date_start is None]
    # the day the story had just named frames the arrest, kept out of its date
    assert (framed.context_date, framed.context_date_span.text) == ("2024-03-10", "Sunday")
    # a new paragraph is a new scene: nothing frames it
    assert apart.context_date is None


def test_a_planned_event_or_a_day_ahead_frames_nothing(analyser):
    ms = code(
        analyser,
        "Israel and Egypt will hold talks in Cairo on Friday.\n"
        "Israeli soldiers arrested 12 Palestinians in Jenin.",
    )
    assert all(m.context_date is None for m in ms)


def test_a_baseline_day_does_not_frame_the_events_after_it(analyser):
    # "from Sunday's level" is what the rise is measured against, not the day being told
    ms = code(
        analyser,
        "Oil prices rose 3% from Sunday's level in Asian trading.\n"
        "Israeli soldiers arrested 12 Palestinians in Jenin.",
    )
    assert all(m.context_date is None for m in ms if m.type == "COERCE")
