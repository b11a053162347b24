"""Settings: where the store lives and the limits ingest enforces."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = "wirewatch.db"
ENV_DB = "WIREWATCH_DB"


def database_url(db: str | None = None) -> str:
    """Turn ``--db`` (a path or a SQLAlchemy URL), ``$WIREWATCH_DB`` or the default into a URL."""
    value = db or os.environ.get(ENV_DB) or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one pathological input from stalling or exhausting a run."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_article_chars: int = 2_000_000
    max_line_chars: int = 20_000_000
