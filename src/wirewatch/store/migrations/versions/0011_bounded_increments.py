"""Incremental linking whose cost does not grow with the store: the index of syndicated copies
made partial (copies only: SQLite took "duplicate_of IS NULL", true of nearly every article,
for a narrow range of the full index and read a few mentions or the pending articles through
it, scanning the store); an index of events by story and end date (a story's last date without
reading its events); a partial index of titled articles by story (a story's title is its
first titled article's, found without scanning an untitled store); a story's actor counts as
rows (story_actors, replacing the JSON of story_stats that a long story made large), so an
increment reads the top ones and the ones it changes; per short form its votes summed up
(actor_shorts, indexed by the long name they pick), so the short-form unions a new name
reaches are found by following picks; the cells each mention looks for its event in
(mention_cells), so a resumed merging pass replays the mentions a change can reach, not
every later one; per person name that holds a single-holder office what the office-holder
merge weighs (person_state, indexed by family name in person_families, replacing
actor_families), so a merged office holder named again is merged again from those rows. The
state is rebuilt by the next relink (``needs_full``).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TITLED = "title IS NOT NULL AND title != ''"
COPIES = "duplicate_of IS NOT NULL"


def upgrade() -> None:
    op.drop_index("ix_articles_duplicate_of", table_name="articles")
    op.create_index("ix_events_story_end", "events", ["story", "date_end"])
    op.create_index(
        "ix_articles_copies",
        "articles",
        ["duplicate_of"],
        sqlite_where=sa.text(COPIES),
        postgresql_where=sa.text(COPIES),
    )
    op.drop_table("story_stats")
    op.create_table(
        "story_actors",
        sa.Column("story_id", sa.String, primary_key=True),
        sa.Column("actor_id", sa.String, primary_key=True),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("mentions", sa.Integer, nullable=False),
    )
    op.create_index("ix_story_actors_top", "story_actors", ["story_id", "articles", "mentions"])
    op.create_table(
        "actor_shorts",
        sa.Column("short", sa.String, primary_key=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("targets", sa.Integer, nullable=False),
        sa.Column("top", sa.String, nullable=False),
        sa.Column("top_n", sa.Integer, nullable=False),
    )
    op.create_index("ix_actor_shorts_top", "actor_shorts", ["top"])
    op.drop_table("actor_families")
    op.create_table(
        "person_state",
        sa.Column("base", sa.String, primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("countries", sa.JSON, nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("families", sa.JSON, nullable=False),
        sa.Column("root", sa.String, nullable=False),
        sa.Column("split", sa.Integer, nullable=False),
    )
    op.create_table(
        "person_families",
        sa.Column("family", sa.String, primary_key=True),
        sa.Column("base", sa.String, primary_key=True),
    )
    op.create_table(
        "mention_cells",
        sa.Column("cell", sa.String, primary_key=True),
        sa.Column("mention_id", sa.String, primary_key=True),
    )
    op.execute("DELETE FROM link_state WHERE key = 'needs_full'")
    op.execute("INSERT INTO link_state (key, value) VALUES ('needs_full', '1')")
    op.create_index(
        "ix_articles_story_titled",
        "articles",
        ["story", "published_utc", "id"],
        sqlite_where=sa.text(TITLED),
        postgresql_where=sa.text(TITLED),
    )


def downgrade() -> None:
    op.drop_index("ix_articles_copies", table_name="articles")
    op.drop_index("ix_events_story_end", table_name="events")
    op.create_index("ix_articles_duplicate_of", "articles", ["duplicate_of"])
    op.drop_index("ix_articles_story_titled", table_name="articles")
    op.drop_table("story_actors")
    op.drop_table("actor_shorts")
    op.drop_table("mention_cells")
    op.drop_table("person_families")
    op.drop_table("person_state")
    op.create_table(
        "actor_families",
        sa.Column("family", sa.String, primary_key=True),
        sa.Column("actor_id", sa.String, primary_key=True),
    )
    op.create_table(
        "story_stats",
        sa.Column("story_id", sa.String, primary_key=True),
        sa.Column("articles", sa.JSON, nullable=False),
        sa.Column("mentions", sa.JSON, nullable=False),
    )
    op.execute("DELETE FROM link_state WHERE key = 'needs_full'")
    op.execute("INSERT INTO link_state (key, value) VALUES ('needs_full', '1')")
