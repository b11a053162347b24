"""Every actor-like name seen in an article, in or out of an event: actor aliases and
profiles need all surface forms, not only those inside coded events.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_mentions",
        sa.Column(
            "article_id",
            sa.String,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("actor_id", sa.String),
    )
    op.create_index("ix_entity_mentions_actor", "entity_mentions", ["actor_id"])


def downgrade() -> None:
    op.drop_table("entity_mentions")
