"""HTML pages to article text and metadata, through trafilatura's boilerplate remover."""

from __future__ import annotations

from typing import Any

import trafilatura

from wirewatch.errors import Code, InputError

# Keep the time and zone of the publication date, not only the day, when the page has them.
_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True}


def extract_html(html: str, source: str, url: str | None = None) -> dict[str, Any]:
    """Return ``text`` plus whatever metadata the page carries (title, published, outlet, url)."""
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params=_DATE_PARAMS,
    )
    meta: dict[str, Any] = {}
    if doc is not None:
        meta = doc if isinstance(doc, dict) else doc.as_dict()
    text = (meta.get("text") or "").strip()
    if not text:
        raise InputError(Code.E013, source)
    return {
        "text": text,
        "title": meta.get("title"),
        "published": meta.get("date"),
        "outlet": meta.get("sitename"),
        "url": meta.get("url"),
        "language": meta.get("language"),
        "byline": meta.get("author"),
    }
