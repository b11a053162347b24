import json

from wirewatch.errors import InputError
from wirewatch.ingest import build_article, content_hash, iter_articles
from wirewatch.ingest.readers import RawRecord


def _write_bad_folder(folder):
    good = folder / "good.jsonl"
    good.write_text(
        json.dumps(
            {
                "id": "a1",
                "text": "Ministers met in Oslo on Monday.",
                "published": "2024-05-06T09:00:00+02:00",
            }
        )
        + "\n{broken json\n"
        + json.dumps(["not", "an", "object"])
        + "\n"
        + json.dumps({"id": "a2", "text": "The envoy visited Riga.", "outlet": "Baltic Wire"})
        + "\n"
        + json.dumps({"id": "a3", "text": 42})
        + "\n",
        encoding="utf-8",
    )
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 talks in Paris".encode("latin-1"))
    (folder / "plain.txt").write_text(
        "Headline here\nThe minister spoke in Rome.\n", encoding="utf-8"
    )
    (folder / "notes.md").write_text("ignored: not an input type", encoding="utf-8")


def test_bad_files_are_named_and_good_records_kept(tmp_path):
    _write_bad_folder(tmp_path)
    items = list(iter_articles([tmp_path]))
    articles = [i for i in items if not isinstance(i, InputError)]
    errors = [i for i in items if isinstance(i, InputError)]
    assert sorted(a.id for a in articles if not a.id.startswith("sha-")) == ["a1", "a2"]
    assert any(a.title == "Headline here" for a in articles)
    reasons = {e.source.split("/")[-1]: e.code.name for e in errors}
    assert reasons["binary.txt"] == "E003"
    assert reasons["empty.txt"] == "E002"
    assert reasons["latin1.txt"] == "E004"
    assert reasons["good.jsonl:2"] == "E005"
    assert reasons["good.jsonl:3"] == "E007"
    assert reasons["good.jsonl:5"] == "E009"
    assert "notes.md" not in " ".join(reasons)


def test_published_is_timezone_aware(tmp_path):
    article = build_article(RawRecord({"text": "x y z", "published": "2024-10-22"}, "r", "json"))
    assert article.published is not None and article.published.tzinfo is not None
    article = build_article(
        RawRecord({"text": "x", "published": "2024-10-22T15:21:00+09:00"}, "r", "json")
    )
    assert article.published.utcoffset().total_seconds() == 9 * 3600


def test_id_is_record_id_or_stable_hash():
    a = build_article(RawRecord({"id": 7, "text": "Same words."}, "r", "json"))
    assert a.id == "7"
    b = build_article(RawRecord({"text": "Same   words."}, "r1", "json"))
    c = build_article(RawRecord({"text": "same words."}, "r2", "json"))
    assert b.id == c.id and b.id.startswith("sha-")
    assert content_hash("A  b") == content_hash("a b")


def test_html_goes_through_boilerplate_removal():
    html = """<html><head><title>Site | Story</title>
    <meta property="article:published_time" content="2024-07-08T10:00:00+08:00">
    <meta property="og:site_name" content="Gulf Courier"></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a> Subscribe now</nav>
    <article><h1>Envoys meet in Doha</h1>
    <p>Envoys from the two governments met in Doha on Monday to discuss a prisoner exchange,
    officials said after the talks ended late in the evening.</p>
    <p>The next round is expected in the autumn, according to a statement from the mediators.</p>
    </article><footer>Copyright 2024 Gulf Courier. All rights reserved.</footer></body></html>"""
    a = build_article(RawRecord({"html": html}, "page.html", "html"))
    assert "Envoys from the two governments met in Doha" in a.text
    assert "Subscribe" not in a.text and "Copyright" not in a.text
    assert a.outlet == "Gulf Courier"
    assert a.published.isoformat() == "2024-07-08T10:00:00+08:00"


def test_publication_dates_read_alike_by_either_parser():
    """ISO dates take the standard library's fast path, the rest dateutil: both give the
    same aware datetime, and an impossible date is an E010 either way."""
    from datetime import UTC, datetime, timedelta, timezone

    import pytest

    from wirewatch.errors import InputError
    from wirewatch.ingest import parse_published

    kst = timezone(timedelta(hours=9))
    cases = {
        "2025-03-04": datetime(2025, 3, 4, tzinfo=UTC),
        "2025-03-04T18:05:00+09:00": datetime(2025, 3, 4, 18, 5, tzinfo=kst),
        "2025-03-04 18:05Z": datetime(2025, 3, 4, 18, 5, tzinfo=UTC),
        "March 4, 2025 6:05 PM": datetime(2025, 3, 4, 18, 5, tzinfo=UTC),
        "Tue, 04 Mar 2025 09:05:00 GMT": datetime(2025, 3, 4, 9, 5, tzinfo=UTC),
    }
    for value, expected in cases.items():
        assert parse_published(value, "feed.xml", "r1") == expected, value
    for bad in ("2025-02-30", "2025-03-04T24:30"):
        with pytest.raises(InputError, match="E010"):
            parse_published(bad, "feed.xml", "r1")
