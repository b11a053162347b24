"""Fixtures for the API, page and browser tests: small stores built by the real pipeline."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("WIREWATCH_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "corpus" / "seeds.jsonl"

XSS_TITLE = "Hostile <script>alert('title')</script> title"
ARTICLES = [
    {
        "id": "t-001",
        "outlet": "Example Wire",
        "published": "2024-11-04T09:00:00+00:00",
        "language": "en",
        "title": "North Korea sends troops to Russia",
        "text": "North Korea sends troops to Russia\n"
        "North Korea deployed 3,000 troops to Russia on Monday, South Korea's spy agency "
        "claimed on Tuesday.\nThe National Intelligence Service said the claim has not been "
        "verified.\nRussia denied that any North Korean soldiers were in Kursk.",
    },
    {
        "id": "t-002",
        "outlet": "Daily Telegraph Seoul",
        "published": "2024-11-05T10:00:00+00:00",
        "language": "en",
        "title": "Seoul and Washington hold talks",
        "text": "Seoul and Washington hold talks\nSouth Korea and the United States held a 2+2 "
        "meeting in Washington on Monday.\nThe ministers condemned North Korea's missile launch.\n"
        "South Korea and Japan agreed to hold a 2+2 meeting in early 2025.",
    },
    {
        "id": "t-003",
        "outlet": "Evil <b>Outlet</b>",
        "published": "2024-11-06T10:00:00+00:00",
        "language": "en",
        "title": XSS_TITLE,
        "text": "Hostile <script>alert('xss')</script> payload\n"
        "Japan condemned China on Wednesday <img src=x onerror=alert(1)> in Tokyo.\n"
        "The Japanese government protested to Beijing <script>alert(document.cookie)</script> "
        "again.",
    },
]


def build_store(path: Path, records: list[dict], analyser: object | None = None) -> str:
    from wirewatch.engine import ingest
    from wirewatch.store import Store

    corpus = path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = str(path / "serve.db")
    summary = ingest([corpus], Store.open(db), analyser)  # type: ignore[arg-type]
    assert summary.failed == 0 and summary.events > 0
    return db


@pytest.fixture(scope="session")
def serve_db(tmp_path_factory: pytest.TempPathFactory, analyser: object) -> str:
    return build_store(tmp_path_factory.mktemp("serve"), ARTICLES, analyser)


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory, analyser: object) -> str:
    if not SEEDS.exists():
        pytest.skip(f"{SEEDS} not found: the shared corpus sits beside the checkout")
    from wirewatch.engine import ingest
    from wirewatch.store import Store

    db = str(tmp_path_factory.mktemp("seeds") / "seeds.db")
    ingest([SEEDS], Store.open(db), analyser)  # type: ignore[arg-type]
    return db


@pytest.fixture(scope="module")
def client(serve_db: str) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from wirewatch.serve import create_app

    with TestClient(create_app(serve_db)) as c:
        yield c
