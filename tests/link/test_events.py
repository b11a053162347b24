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
