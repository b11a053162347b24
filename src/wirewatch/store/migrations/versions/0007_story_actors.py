"""Stories name their main actors (the actors most of the story's articles name).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("actors", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("actors")
