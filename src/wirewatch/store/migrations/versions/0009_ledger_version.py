"""A ledger version, one counter every write transaction raises, so a server can keep what it
built from the ledger (event records, counts) and know in one read when it is out of date;
and article indexes for the newest-first article list and a story's articles, which scanned
and sorted the articles table on every request.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_articles_published": ("articles", ["published_utc", "id"]),
    "ix_articles_story_published": ("articles", ["story", "published_utc", "id"]),
}


def upgrade() -> None:
    table = op.create_table(
        "ledger_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])
    for name, (table_name, columns) in INDEXES.items():
        op.create_index(name, table_name, columns)


def downgrade() -> None:
    for name, (table_name, _) in INDEXES.items():
        op.drop_index(name, table_name=table_name)
    op.drop_table("ledger_state")
