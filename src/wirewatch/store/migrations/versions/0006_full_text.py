"""Full-text search over evidence sentences and labels: an FTS5 table on SQLite, a GIN index
on PostgreSQL (see wirewatch.store.fts).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from wirewatch.store import fts

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_mentions = sa.table("mentions", sa.column("id"), sa.column("data", sa.JSON), sa.column("label"))


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute(fts.SQLITE_CREATE)
        rows = conn.execute(sa.select(_mentions.c.id, _mentions.c.data, _mentions.c.label))
        fts.sqlite_index(conn, [dict(r._mapping) for r in rows])
    elif conn.dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {fts.PG_INDEX} ON mentions USING gin (({fts.PG_DOCUMENT}))")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {fts.SQLITE_TABLE}")
    elif conn.dialect.name == "postgresql":
        op.drop_index(fts.PG_INDEX, table_name="mentions")
