"""deliveries remember an unsure Slack call; channels keep their pace

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

A row claimed before this migration is not unsure: it was sent at least once, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("unsure_since", sa.DateTime(), nullable=True))
    op.create_table(
        "channel_pace",
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("workspace_id", "channel"),
    )


def downgrade() -> None:
    op.drop_table("channel_pace")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("unsure_since")
