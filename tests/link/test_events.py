"""Event merging across articles, on mentions built by hand (no model needed)."""

from wirewatch.link.events import merge_mentions
from wirewatch.model import ActorMention, EventMention, Span


def actor(name, kind, country, role="participant"):
    a = ActorMention(
        name=name,
        surface=name,
        kind=kind,
        country=country,
        role=role,
        span=Span(0, len(name), name),
    )
    a.id = country if kind == "country" else f"person:{name.lower().replace(' ', '-')}"
    return a


def mention(
    article,
    published,
    actors,
    *,
    date=None,
    place=None,
    status="occurred",
    label="2+2",
    type_="CONSULT",
):
    return EventMention(
        article=article,
        index=0,
        type=type_,
        status=status,
        label=label,
        sentence=Span(0, 1, "x"),
        trigger=Span(0, 1, "x"),
        actors=actors,
        date_start=date,
        date_end=date,
        location_name=place[0] if place else None,
        location_country=place[1] if place else None,
        published=published,
    )


KOR, USA, CAN = (
    actor("South Korea", "country", "KOR"),
    actor("United States", "country", "USA"),
    actor("Canada", "country", "CAN"),
)


def test_planned_then_held_is_one_event():
    preview = mention(
        "a",
        "2024-05-01T09:00:00+00:00",
        [KOR, USA],
        date="2024-05-09",
        place=("Geneva", "CHE"),
        status="planned",
    )
    held = mention(
        "b", "2024-05-10T09:00:00+00:00", [KOR, USA], date="2024-05-09", place=("Geneva", "CHE")
    )
    clusters = merge_mentions([preview, held])
    assert len(clusters) == 1
    assert [m.article for m in clusters[0].mentions] == ["a", "b"]


def test_same_week_same_format_different_partner_stays_apart():
    us = mention("a", "2024-05-01T09:00:00+00:00", [KOR, USA], date="2024-05-09")
    canada = mention("a", "2024-05-01T09:00:00+00:00", [KOR, CAN], date="2024-05-10")
    canada_undated = mention("c", "2024-05-11T09:00:00+00:00", [KOR, CAN])
    clusters = merge_mentions([us, canada, canada_undated])
    assert len(clusters) == 2
    assert {m.article for m in clusters[1].mentions} == {"a", "c"}


def test_different_named_formats_stay_apart():
    scm = mention("a", "2024-05-01T09:00:00+00:00", [KOR, USA], date="2024-05-08", label="SCM")
    two = mention("a", "2024-05-01T09:00:00+00:00", [KOR, USA], date="2024-05-08", label="2+2")
    assert len(merge_mentions([scm, two])) == 2


def test_people_link_to_their_countries_event():
    by_country = mention("a", "2024-05-01T09:00:00+00:00", [KOR, USA], date="2024-05-09")
    by_people = mention(
        "b",
        "2024-05-02T09:00:00+00:00",
        [actor("Park Jin", "person", "KOR"), actor("Ann Lee", "person", "USA")],
        date="2024-05-09",
    )
    assert len(merge_mentions([by_country, by_people])) == 1


def test_undated_reports_weeks_apart_stay_apart():
    first = mention("a", "2024-01-05T09:00:00+00:00", [KOR, USA], label=None, type_="ACCUSE")
    later = mention("b", "2024-03-05T09:00:00+00:00", [KOR, USA], label=None, type_="ACCUSE")
    assert len(merge_mentions([first, later])) == 2


def test_conflicting_dates_stay_apart():
    a = mention("a", "2024-05-01T09:00:00+00:00", [KOR, USA], date="2024-05-08")
    b = mention("b", "2024-05-02T09:00:00+00:00", [KOR, USA], date="2024-05-09")
    assert len(merge_mentions([a, b])) == 2


def _q(m, value, unit):
    m.quantities = [{"value": value, "unit": unit, "text": f"{value} {unit}"}]
    return m


def test_contradictions_dates_numbers_places():
    from wirewatch.link.events import find_contradictions

    park = actor("Park Jin", "person", "KOR")
    lee = actor("Ann Lee", "person", "USA")
    a = mention("a", "2024-05-01T09:00:00+00:00", [KOR, USA, park, lee], date="2024-05-08")
    b = mention("b", "2024-05-02T09:00:00+00:00", [KOR, USA, park, lee], date="2024-05-09")
    clusters = merge_mentions([a, b])
    found = find_contradictions(clusters)
    assert [x["field"] for x in found[0]] == ["date"]
    assert found[0][0]["values"] == ["2024-05-08", "2024-05-09"]

    # same partner set elsewhere: the Canada meeting the next day is not a contradiction
    c = mention("c", "2024-05-02T09:00:00+00:00", [KOR, CAN, park, lee], date="2024-05-09")
    assert not find_contradictions(merge_mentions([a, c]))

    sender, host = (
        actor("Northland", "country", "NLD", "source"),
        actor("Eastland", "country", "EST", "target"),
    )
    troops = [
        _q(
            mention("x", "2024-06-01T00:00:00+00:00", [sender, host], label=None,
                    type_="MOBILIZE"),
            1500,
            "troop",
        ),
        _q(
            mention("y", "2024-06-02T00:00:00+00:00", [sender, host], label=None,
                    type_="MOBILIZE"),
            3000,
            "troop",
        ),
    ]  # fmt: skip
    clusters = merge_mentions(troops)
    assert len(clusters) == 1
    assert find_contradictions(clusters)[0][0]["field"] == "number of troop"


def test_consistent_intervals_are_not_contradictions():
    from wirewatch.link.events import find_contradictions

    early = mention("a", "2024-10-22T00:00:00+00:00", [KOR, USA], status="planned")
    early.date_start, early.date_end = "2025-01-01", "2025-04-30"
    half = mention("b", "2024-10-22T00:00:00+00:00", [KOR, USA], status="planned")
    half.date_start, half.date_end = "2025-01-01", "2025-06-30"
    clusters = merge_mentions([early, half])
    assert len(clusters) == 1 and not find_contradictions(clusters)


def test_reports_with_no_time_at_all_need_more_than_one_common_name():
    # No event date and no publication date: nothing says the two requests are one.
    lee = actor("Lee Min", "person", "KOR")
    first = mention("a", None, [USA], label=None, type_="REQUEST")
    other = mention("b", None, [USA], label=None, type_="REQUEST")
    assert len(merge_mentions([first, other])) == 2
    # Two actors in common, one of them a person, or the same named format, is enough.
    a = mention("a", None, [USA, lee], label=None, type_="REQUEST")
    b = mention("b", None, [USA, lee], label=None, type_="REQUEST")
    assert len(merge_mentions([a, b])) == 1
    same_format = [mention("a", None, [KOR, USA]), mention("b", None, [KOR, USA])]
    assert len(merge_mentions(same_format)) == 1
    # Within one article the usual rule holds: one shared actor joins two mentions.
    c = mention("a", None, [USA], label=None, type_="REQUEST")
    d = mention("a", None, [USA], label=None, type_="REQUEST")
    d.index = 1
    assert len(merge_mentions([c, d])) == 1


def test_one_named_event_reported_with_two_dates_is_one_event_with_a_contradiction():
    from wirewatch.link import link

    park, lee = actor("Park Jin", "person", "KOR"), actor("Ann Lee", "person", "USA")
    # Two reports say the forum met on the 8th, one (a date slip) says the 7th.
    reports = [
        mention("a", "2024-05-09T09:00:00+00:00", [KOR, USA, park, lee], date="2024-05-08",
                label="strategic dialogue"),
        mention("b", "2024-05-09T10:00:00+00:00", [KOR, USA, park, lee], date="2024-05-07",
                label="strategic dialogue"),
        mention("c", "2024-05-10T09:00:00+00:00", [KOR, USA, park, lee], date="2024-05-08",
                label="strategic dialogue"),
    ]  # fmt: skip
    linked = link(reports)
    assert len(linked.events) == 1
    ev = linked.events[0]
    assert (ev["date_start"], ev["date_end"]) == ("2024-05-08", "2024-05-08")
    (conflict,) = ev["contradictions"]
    assert conflict["field"] == "date"
    assert conflict["sources"] == {"2024-05-07": ["b"], "2024-05-08": ["a", "c"]}


def test_an_undated_report_needs_more_than_a_country_to_join_another_articles_event():
    lee = actor("Ann Lee", "person", "GBR")
    dialogue = mention("a", "2024-05-09T09:00:00+00:00", [KOR, USA, lee], date="2024-05-08",
                       label="strategic dialogue")  # fmt: skip
    # A headline two days later, no date of its own, naming only one of the countries.
    headline = mention("b", "2024-05-10T09:00:00+00:00", [KOR], label=None)
    assert len(merge_mentions([dialogue, headline])) == 2
    # Naming the format, or two of the actors, is enough.
    named = mention("c", "2024-05-10T09:00:00+00:00", [KOR], label="strategic dialogue")
    both = mention("d", "2024-05-10T09:00:00+00:00", [KOR, lee], label=None)
    assert len(merge_mentions([dialogue, named])) == 1
    assert len(merge_mentions([dialogue, both])) == 1


def test_one_article_giving_a_named_event_two_adjacent_dates_makes_one_event():
    # "held on the 8th" and, later in the same article, "held the previous day" read
    # against the wrong anchor: the same countries, one format, one article.
    park = actor("Park Jin", "person", "KOR")
    first = mention("a", "2024-05-09T09:00:00+00:00", [KOR, USA, park], date="2024-05-08",
                    label="strategic dialogue")  # fmt: skip
    second = mention("a", "2024-05-09T09:00:00+00:00", [KOR, USA], date="2024-05-07",
                     label="strategic dialogue")  # fmt: skip
    second.index = 1
    assert len(merge_mentions([first, second])) == 1
    # Two articles, each with one date and nobody named in common, stay two events.
    other = mention("b", "2024-05-09T09:00:00+00:00", [KOR, USA], date="2024-05-07",
                    label="strategic dialogue")  # fmt: skip
    assert len(merge_mentions([first, other])) == 2


def test_an_article_naming_its_dated_event_again_without_a_date_adds_to_it():
    # "The 2+2 meeting continues" comes before "will be held on the 31st" in one article;
    # the undated mention falls outside its own time window, but the article dates it.
    again = mention("a", "2024-10-30T00:00:00+00:00", [KOR, USA])
    dated = mention("a", "2024-10-30T00:00:00+00:00", [KOR, USA], date="2024-10-31",
                    status="planned")  # fmt: skip
    dated.index = 1
    held = mention("b", "2024-11-01T00:00:00+00:00", [KOR, USA], date="2024-10-31")
    clusters = merge_mentions([again, dated, held])
    assert len(clusters) == 1 and len(clusters[0].mentions) == 3
    # An article that never dates it keeps its undated mention apart; so does one naming
    # another partner.
    elsewhere = mention("c", "2024-10-30T00:00:00+00:00", [KOR, USA])
    canada = mention("a", "2024-10-30T00:00:00+00:00", [CAN, USA])
    canada.index = 2
    assert len(merge_mentions([elsewhere, dated, held])) == 2
    assert len(merge_mentions([canada, dated, held])) == 2
