"""Full-text search over evidence sentences and event labels, with each database's own engine.

PostgreSQL: a GIN index on ``to_tsvector('english', ...)`` and ``websearch_to_tsquery``, so a
query gets English stemming ("condemn" finds "condemned"), stop words, "quoted phrases",
``-excluded`` words and ``or``. SQLite: an FTS5 table with the Porter stemmer, kept in step by
the store when it writes mentions; the same query syntax is translated to FTS5's. Any other
database falls back to a substring match.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, literal_column, select, text
from sqlalchemy.engine import Connection

from wirewatch.store.schema import mentions

SQLITE_TABLE = "mentions_fts"
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5("
    "body, mention_id UNINDEXED, tokenize = 'porter unicode61')"
)
PG_INDEX = "ix_mentions_fts"
PG_DOCUMENT = (
    "to_tsvector('english', coalesce(data -> 'sentence' ->> 'text', '') || ' ' || "
    "coalesce(label, ''))"
)


def body(data: Mapping[str, Any], label: str | None) -> str:
    """What a mention is searchable by: its sentence and its label ("2+2", "SCM")."""
    sentence = (data.get("sentence") or {}).get("text") or ""
    return f"{sentence} {label or ''}".strip()


def rowid(mention_id: str) -> int:
    """A stable FTS5 rowid from the mention id (a VACUUM may renumber a table's own rowids)."""
    digest = hashlib.blake2b(mention_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def sqlite_index(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Add mention rows (``id``, ``data``, ``label``) to the SQLite index."""
    values = [{"r": rowid(r["id"]), "b": body(r["data"], r["label"]), "m": r["id"]} for r in rows]
    if values:
        conn.execute(
            text(f"INSERT INTO {SQLITE_TABLE} (rowid, body, mention_id) VALUES (:r, :b, :m)"),
            values,
        )


def sqlite_unindex(conn: Connection, mention_ids: Iterable[str]) -> None:
    values = [{"r": rowid(m)} for m in mention_ids]
    if values:
        conn.execute(text(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = :r"), values)


_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def fts5_query(query: str) -> str | None:
    """The web-search syntax of PostgreSQL's ``websearch_to_tsquery`` in FTS5 terms: words and
    "phrases" must all occur, ``-word`` must not, ``or`` joins alternatives. Every word is
    quoted, so no input is FTS5 syntax. None when nothing searchable is left."""
    groups: list[list[str]] = [[]]
    excluded: list[str] = []
    for match in _TERM.finditer(query):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or":
            groups.append([])
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, phrase, bare = "-", bare[1:], None
        words = _WORD.findall(phrase if phrase is not None else bare or "")
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        (excluded if negated else groups[-1]).append(term)
    alternatives = ["(" + " AND ".join(g) + ")" for g in groups if g]
    if not alternatives:
        return None
    out = " OR ".join(alternatives)
    if excluded:
        out = f"({out}) NOT ({' OR '.join(excluded)})"
    return out


def matching_mentions(conn: Connection, query: str) -> Select[Any] | None:
    """A subquery of the ids of mentions whose sentence or label matches ``query``; None when
    the query has nothing searchable in it."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        tsquery = func.websearch_to_tsquery(literal_column("'english'"), bindparam("fts_q", query))
        return select(mentions.c.id).where(literal_column(PG_DOCUMENT).op("@@")(tsquery))
    if dialect == "sqlite":
        match = fts5_query(query)
        if match is None:
            return None
        return (
            select(literal_column("mention_id"))
            .select_from(text(SQLITE_TABLE))
            .where(literal_column(SQLITE_TABLE).op("MATCH")(bindparam("fts_q", match)))
        )
    return select(mentions.c.id).where(substring(query))


def substring(query: str) -> ColumnElement[bool]:
    """The fallback for databases without a text index of ours: a case-blind substring."""
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    sentence = mentions.c.data["sentence"]["text"].as_string()
    return func.lower(sentence).like(pattern, escape="\\") | func.lower(
        func.coalesce(mentions.c.label, "")
    ).like(pattern, escape="\\")
