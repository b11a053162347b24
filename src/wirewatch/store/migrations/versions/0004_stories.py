"""Stories (groups of articles about one situation) and per-event contradictions.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("first_date", sa.String),
        sa.Column("last_date", sa.String),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("story", sa.String))
        batch.add_column(sa.Column("contradictions", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("contradictions")
        batch.drop_column("story")
    op.drop_table("stories")
