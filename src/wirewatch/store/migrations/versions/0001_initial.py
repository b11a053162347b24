"""The first schema: articles, event mentions, actors, events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("published", sa.String),
        sa.Column("published_utc", sa.String),
        sa.Column("language", sa.String),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String, nullable=False),
        sa.Column("duplicate_of", sa.String),
        sa.Column("story", sa.String),
        sa.Column("source", sa.Text),
        sa.Column("ingested_at", sa.String, nullable=False),
        sa.Column("analysed_with", sa.String),
    )
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_table(
        "mentions",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column(
            "article_id",
            sa.String,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("type", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("cameo", sa.String),
        sa.Column("mode", sa.String),
        sa.Column("label", sa.String),
        sa.Column("date_start", sa.String),
        sa.Column("date_end", sa.String),
        sa.Column("location_name", sa.Text),
        sa.Column("location_country", sa.String),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("event_id", sa.String),
    )
    op.create_index("ix_mentions_article", "mentions", ["article_id"])
    op.create_index("ix_mentions_event", "mentions", ["event_id"])
    op.create_table(
        "mention_actors",
        sa.Column(
            "mention_id",
            sa.String,
            sa.ForeignKey("mentions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("surface", sa.Text, nullable=False),
        sa.Column("actor_id", sa.String),
    )
    op.create_index("ix_mention_actors_actor", "mention_actors", ["actor_id"])
    op.create_table(
        "actors",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("country", sa.String),
        sa.Column("sector", sa.String),
    )
    op.create_table(
        "actor_aliases",
        sa.Column(
            "actor_id", sa.String, sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("alias", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text),
    )
    op.create_table(
        "actor_roles",
        sa.Column(
            "actor_id", sa.String, sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("title", sa.Text, primary_key=True),
        sa.Column("first_seen", sa.String),
        sa.Column("last_seen", sa.String),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("type", sa.String, nullable=False),
        sa.Column("mode", sa.String),
        sa.Column("context", sa.JSON),
        sa.Column("cameo", sa.String),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("label", sa.String),
        sa.Column("date_start", sa.String),
        sa.Column("date_end", sa.String),
        sa.Column("location_name", sa.Text),
        sa.Column("location_country", sa.String),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("first_published", sa.String),
    )
    op.create_index("ix_events_date", "events", ["date_start"])
    op.create_index("ix_events_type", "events", ["type"])


def downgrade() -> None:
    for name in (
        "events", "actor_roles", "actor_aliases", "actors", "mention_actors", "mentions",
        "articles",
    ):  # fmt: skip
        op.drop_table(name)
