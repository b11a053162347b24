"""State for incremental linking: each mention's merging-pass cluster, the pass's index
cells, actor keys and name counts, each article's story terms, the story terms' document
frequencies and the stories that recently used each term (incremental story assignment).
Empty after the upgrade: the first relink is a full one (``needs_full``). The articles
indexes by date and story it relies on come with 0009.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("pass_id", sa.String))
    op.create_index("ix_mentions_pass", "mentions", ["pass_id"])
    op.create_index("ix_mentions_type_label", "mentions", ["type", "label"])
    with op.batch_alter_table("actors") as batch:
        batch.add_column(sa.Column("stats", sa.JSON))
    op.create_table(
        "link_state",
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("value", sa.Text),
    )
    op.create_table(
        "pass_cells",
        sa.Column("cell", sa.String, primary_key=True),
        sa.Column("pass_id", sa.String, primary_key=True),
    )
    op.create_index("ix_pass_cells_pass", "pass_cells", ["pass_id"])
    op.create_table(
        "actor_bases",
        sa.Column("base", sa.String, primary_key=True),
        sa.Column("actor_id", sa.String, nullable=False),
        sa.Column("simple", sa.Integer, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "actor_names",
        sa.Column("fold", sa.String, primary_key=True),
        sa.Column("as_person", sa.Integer, nullable=False),
        sa.Column("as_org", sa.Integer, nullable=False),
    )
    op.create_table(
        "actor_votes",
        sa.Column("short", sa.String, primary_key=True),
        sa.Column("target", sa.String, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "actor_families",
        sa.Column("family", sa.String, primary_key=True),
        sa.Column("actor_id", sa.String, primary_key=True),
    )
    op.create_table(
        "story_docs",
        sa.Column(
            "article_id",
            sa.String,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),  # fmt: skip
        sa.Column("words", sa.JSON, nullable=False),
        sa.Column("actors", sa.JSON, nullable=False),
        sa.Column("countries", sa.JSON, nullable=False),
        sa.Column("events", sa.JSON),
    )
    op.create_table(
        "story_terms",
        sa.Column("term", sa.String, primary_key=True),
        sa.Column("df", sa.Integer, nullable=False),
    )
    op.create_table(
        "story_stats",
        sa.Column("story_id", sa.String, primary_key=True),
        sa.Column("articles", sa.JSON, nullable=False),
        sa.Column("mentions", sa.JSON, nullable=False),
    )
    op.create_table(
        "story_sums",
        sa.Column("story_id", sa.String, primary_key=True),
        sa.Column("n_at", sa.Integer, nullable=False),
        sa.Column("members", sa.Integer, nullable=False),
        sa.Column("last", sa.String, nullable=False),
        sa.Column("sums", sa.JSON, nullable=False),
        sa.Column("keys", sa.JSON, nullable=False),
    )
    op.create_table(
        "story_postings",
        sa.Column("term", sa.String, primary_key=True),
        sa.Column("story_id", sa.String, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.create_index("ix_story_postings_story", "story_postings", ["story_id"])
    op.create_index("ix_events_story", "events", ["story"])
    op.execute("INSERT INTO link_state (key, value) VALUES ('needs_full', '1')")


def downgrade() -> None:
    op.drop_index("ix_events_story", table_name="events")
    tables = ("story_postings", "story_sums", "story_stats", "story_terms", "story_docs",
              "actor_families", "actor_votes", "actor_names", "actor_bases", "pass_cells",
              "link_state")  # fmt: skip
    for table in tables:
        op.drop_table(table)
    with op.batch_alter_table("actors") as batch:
        batch.drop_column("stats")
    op.drop_index("ix_mentions_type_label", table_name="mentions")
    op.drop_index("ix_mentions_pass", table_name="mentions")
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("pass_id")
