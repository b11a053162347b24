"""model.as_dict: what dataclasses.asdict gives, faster."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from wirewatch.model import ActorMention, Article, EventMention, Span, as_dict


def _mention() -> EventMention:
    who = ActorMention(
        "Ann Lee", "Lee", "person", "KOR", "source", Span(4, 7, "Lee"), title="Minister"
    )
    return EventMention(
        article="a1", index=0, type="CONSULT", status="occurred",
        sentence=Span(0, 20, "Lee met Kim in Seoul."), trigger=Span(8, 11, "met"),
        context=["talks", "visit"], actors=[who], attributed_to=[],
        quantities=[{"value": 3, "unit": "day", "span": (1, 2), "tags": ["x"]}],
        date_span=None, confidence=0.7,
    )  # fmt: skip


def test_same_result_as_dataclasses_asdict():
    m = _mention()
    assert as_dict(m) == dataclasses.asdict(m)
    a = Article("x", "text", published=datetime(2024, 5, 6, tzinfo=UTC))
    assert as_dict(a) == dataclasses.asdict(a)
    assert as_dict(m.actors[0]) == dataclasses.asdict(m.actors[0])
    # tuples stay tuples, as with asdict
    assert as_dict(m)["quantities"][0]["span"] == (1, 2)


def test_the_result_shares_no_container_with_the_record():
    m = _mention()
    d = as_dict(m)
    d["context"].append("more")
    d["actors"][0]["name"] = "changed"
    d["quantities"][0]["tags"].append("y")
    assert m.context == ["talks", "visit"]
    assert m.actors[0].name == "Ann Lee"
    assert m.quantities[0]["tags"] == ["x"]
