"""The HTML pages in-process: content, escaping, errors and headers."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def html(c: TestClient, url: str, status: int = 200) -> str:
    r = c.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def test_home_lists_events_and_stories(client: TestClient) -> None:
    page = html(client, "/")
    assert 'name="q"' in page and 'action="/events"' in page
    events = client.get("/api/events?limit=5").json()["data"]
    for e in events:
        assert f'href="/events/{e["id"]}"' in page
    story = client.get("/api/stories").json()["data"][0]
    assert f'href="/stories/{story["id"]}"' in page


def test_search_and_filters_page(client: TestClient) -> None:
    page = html(client, "/events?q=condemned")
    api = client.get("/api/events?q=condemned&limit=1000").json()
    assert f"{api['meta']['total']} event(s)" in page
    for e in api["data"]:
        assert f"/events/{e['id']}" in page
    page = html(client, "/events?type=NOPE", 400)
    assert "unknown event type" in page


def test_event_page_sources_and_highlight(client: TestClient) -> None:
    e = client.get("/api/events?type=CONSULT&actor=USA").json()["data"][0]
    page = html(client, f"/events/{e['id']}")
    assert page.count('class="source"') == len(e["evidence"])
    trig = e["evidence"][0]["trigger"]["text"]
    assert re.search(r'<mark class="hl trigger"[^>]*>' + re.escape(trig) + "</mark>", page)
    assert "Status history" in page and "Corroboration" in page
    assert f'href="/articles/{e["articles"][0]}"' in page
    for a in e["actors"]:
        assert f'href="/actors/{a["id"]}"' in page


def test_article_page_marks_events(client: TestClient) -> None:
    a = client.get("/api/articles/t-002").json()["data"]
    page = html(client, "/articles/t-002")
    for m in a["mentions"]:
        assert f'href="/events/{m["event"]}"' in page


def test_actor_page_graph_timeline_aliases(client: TestClient) -> None:
    page = html(client, "/actors/PRK")
    assert '<svg id="counterparts-graph"' in page and 'href="/actors/RUS"' in page
    assert 'id="actor-timeline"' in page
    assert "North Korean" in page and "Aliases" in page
    html(client, "/actors/NOPE", 404)


def test_story_page_timeline(client: TestClient) -> None:
    story = client.get("/api/stories").json()["data"][0]
    page = html(client, f"/stories/{story['id']}")
    assert '<svg id="story-timeline"' in page and "<circle" in page
    html(client, "/stories/none", 404)
    html(client, "/actors", 200)


def test_hostile_article_text_is_escaped(client: TestClient) -> None:
    pages = [html(client, "/articles/t-003"), html(client, "/")]
    # The event pages whose evidence holds the markup, whichever actors the coder found.
    events = client.get("/api/events?limit=1000").json()["data"]
    hostile = [e for e in events if any("onerror" in ev["sentence"] for ev in e["evidence"])]
    assert hostile
    pages += [html(client, f"/events/{e['id']}") for e in hostile]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<b>Outlet" not in page
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in pages[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[0]
    assert any("&lt;img src=x onerror=alert(1)&gt;" in p for p in pages[2:])


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_static_files(client: TestClient) -> None:
    r = client.get("/static/app.css")
    assert r.status_code == 200 and "mark" in r.text


def test_html_errors_are_pages(client: TestClient) -> None:
    page = html(client, "/events/ev-missing", 404)
    assert "no event" in page
    html(client, "/no/such/page", 404)
    html(client, "/events?offset=-1", 400)


def test_timeline_ticks_fall_on_the_days_they_name() -> None:
    from datetime import date

    from wirewatch.serve.render import _ticks

    # A span of about five months, labelled by month: each tick is that month's first day.
    ticks = _ticks(date(2024, 10, 20), date(2025, 3, 5))
    assert ticks and all(t.day == 1 for t in ticks)
    assert [t.strftime("%Y-%m") for t in ticks] == sorted({t.strftime("%Y-%m") for t in ticks})
    assert date(2025, 1, 1) in ticks
    # A short span, labelled by day: ticks are days inside it.
    short = _ticks(date(2024, 10, 1), date(2024, 10, 31))
    assert short[0] == date(2024, 10, 1) and short[-1] <= date(2024, 10, 31)


def test_an_undated_event_says_what_its_approximation_rests_on() -> None:
    from wirewatch.serve.pages import _when

    story = {"start": "2024-06-09", "end": "2024-06-09", "basis": "story_date"}
    week = {"start": "2024-06-05", "end": "2024-06-12", "basis": "first_report"}
    assert _when(None, story) == "undated (≈ 2024-06-09, the day the story had just named)"
    assert _when(None, week) == "undated (≈ by 2024-06-12, from the first report)"
    assert _when({"start": "2024-06-09", "end": "2024-06-09"}, None) == "2024-06-09"
