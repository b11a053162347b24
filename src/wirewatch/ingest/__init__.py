"""Ingest: files, folders and records in; clean ``Article`` objects with stable ids out.

The article id is the record's own id when given (so users find their ids in every export),
else a hash of the cleaned text: the same input always gets the same id, so re-runs add nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dateutil import parser as dateparser

from wirewatch.config import Limits
from wirewatch.errors import Code, InputError
from wirewatch.ingest.clean import clean_text
from wirewatch.ingest.html import extract_html
from wirewatch.ingest.readers import RawRecord, iter_files, read_file, read_paths
from wirewatch.ingest.sources import FeedState, FetchPolicy, fetch_url, iter_feed, iter_warc
from wirewatch.model import Article

__all__ = ["build_article", "content_hash", "iter_articles", "parse_published"]

# "2024-10-31", "2024-10-31T09:30:00+09:00", "2024-10-31 09:30Z": what feeds and our own
# exports give, read by the standard library (dateutil took ~0.1 ms a date); the rest goes
# to dateutil.
_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)

_STRING_FIELDS = ("id", "url", "title", "text", "html", "outlet", "language", "published")


def content_hash(text: str) -> str:
    """Hash of the text with whitespace and case folded: exact copies match across outlets'
    formatting differences."""
    folded = re.sub(r"\s+", " ", text).strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def parse_published(value: Any, source: str, record: str) -> datetime | None:
    """A timezone-aware datetime. Dates without a zone are taken as UTC: a guess, but a
    stated one, and the same on every machine."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str):
        raise InputError(
            Code.E009, source, record=record, field="published", expected="a string",
            got=type(value).__name__,
        )  # fmt: skip
    try:
        parsed = (
            datetime.fromisoformat(value) if _ISO_DATE.fullmatch(value) else dateparser.parse(value)
        )
    except (ValueError, OverflowError):
        raise InputError(Code.E010, source, record=record, value=value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def build_article(raw: RawRecord, limits: Limits = Limits()) -> Article:
    """One validated, cleaned article from one raw record; raises InputError when unusable."""
    data = raw.data
    record = str(data.get("id") or raw.source)
    for name in _STRING_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            if name == "id" and isinstance(value, int) and not isinstance(value, bool):
                continue
            if name == "published" and isinstance(value, (int, float)):
                continue
            raise InputError(
                Code.E009, raw.source, record=record, field=name, expected="a string",
                got=type(value).__name__,
            )  # fmt: skip
    meta: dict[str, Any] = {}
    if data.get("html") and not (data.get("text") or "").strip():
        meta = extract_html(data["html"], raw.source, url=data.get("url"))
        text, found = clean_text(meta["text"])
    elif (data.get("text") or "").strip():
        text, found = clean_text(data["text"])
    else:
        raise InputError(Code.E008, raw.source, record=record)
    if not text:
        raise InputError(Code.E008, raw.source, record=record)
    if len(text) > limits.max_article_chars:
        raise InputError(
            Code.E015, raw.source, record=record, size=len(text), limit=limits.max_article_chars
        )

    title = data.get("title") or meta.get("title")
    if not title and raw.kind == "text":
        title = text.split("\n", 1)[0].strip()[:300]
    published_value = data.get("published") or meta.get("published") or found.get("published_text")
    try:
        published = parse_published(published_value, raw.source, record)
    except InputError:
        if data.get("published"):
            raise
        published = None  # a byline date we could not read is not worth losing the article
    digest = content_hash(text)
    article_id = str(data["id"]) if data.get("id") not in (None, "") else f"sha-{digest[:16]}"
    return Article(
        id=article_id,
        text=text,
        url=data.get("url") or meta.get("url"),
        title=title,
        outlet=data.get("outlet") or meta.get("outlet"),
        published=published,
        language=data.get("language") or meta.get("language"),
        content_hash=digest,
        source=raw.source,
    )


def _is_url(value: str | Path) -> bool:
    return isinstance(value, str) and value.split(":", 1)[0].lower() in ("http", "https")


def _is_warc(path: Path) -> bool:
    return path.name.lower().endswith((".warc", ".warc.gz"))


def iter_records(
    paths: Iterable[str | Path],
    limits: Limits = Limits(),
    policy: FetchPolicy | None = None,
    feeds: Iterable[str] = (),
    feed_state: FeedState | None = None,
    fetch_pages: bool = False,
) -> Iterator[RawRecord | InputError]:
    """Raw records from files, folders, WARC archives, URLs (fetched now) and feeds."""
    paths = list(paths)
    for given in paths:
        if _is_url(given):
            yield fetch_url(str(given), policy)
            continue
        path = Path(given)
        if path.is_file() and _is_warc(path):
            yield from iter_warc(path)
            continue
        yield from (_folder(path, limits) if path.is_dir() else read_paths([path], limits))
    feeds = list(feeds)
    if feeds:
        state = feed_state or FeedState(Path("wirewatch-feeds.json"))
        for url in feeds:
            yield from iter_feed(url, policy, state, fetch_pages=fetch_pages)


def _folder(path: Path, limits: Limits) -> Iterator[RawRecord | InputError]:
    """A folder's files, WARC archives among them."""
    for item in iter_files([path]):
        if isinstance(item, InputError):
            yield item
        elif _is_warc(item):
            yield from iter_warc(item)
        else:
            yield from read_file(item, limits)


def iter_articles(
    paths: Iterable[str | Path],
    limits: Limits = Limits(),
    policy: FetchPolicy | None = None,
    feeds: Iterable[str] = (),
    feed_state: FeedState | None = None,
    fetch_pages: bool = False,
) -> Iterator[Article | InputError]:
    """Articles from files, folders, WARC archives, URLs and feeds, with an InputError in
    place of each bad file, page or record."""
    for item in iter_records(paths, limits, policy, feeds, feed_state, fetch_pages):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield build_article(item, limits)
        except InputError as exc:
            yield exc
