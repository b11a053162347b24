"""User corrections of actor resolution (merge, split, alias, rename), kept apart from the
derived tables so they survive relinking, re-ingest and re-analysis.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actor_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("actor_id", sa.String, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", sa.String, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("actor_corrections")
