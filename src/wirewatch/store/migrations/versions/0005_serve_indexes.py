"""Indexes for the API: filtered, date-ordered paging of events without sorting the table.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {
    # events: each filter with the date order, so a page is an index range, not a sort
    "ix_events_date_id": ("events", ["date_start", "id", "date_end"]),
    "ix_events_type_date": ("events", ["type", "date_start", "id"]),
    "ix_events_status_date": ("events", ["status", "date_start", "id"]),
    "ix_events_type_status_date": ("events", ["type", "status", "date_start", "id"]),
    "ix_events_story_date": ("events", ["story", "date_start", "id"]),
    # actor filter: actor -> mentions -> events without touching the table rows
    "ix_mention_actors_actor_mention": ("mention_actors", ["actor_id", "mention_id"]),
    "ix_mentions_id_event": ("mentions", ["id", "event_id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
