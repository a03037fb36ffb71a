"""service lines and goals; items tagged with them; a link on items, a needed-by date on
questions, a type on offers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Every workspace already known gets the starting list of service lines, as a new one does.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The list as it stood when this migration was written (storage/servicelines.py keeps the
# live one).
SERVICE_LINES = (
    "Orthopedics",
    "Cardiology",
    "Oncology",
    "Neurosciences",
    "Spine",
    "Women's health",
    "Primary care",
    "Emergency",
    "Imaging",
    "Surgery",
)


def upgrade() -> None:
    lines = op.create_table(
        "service_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "key"),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("service_line_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("period", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["goals.id"]),
        sa.ForeignKeyConstraint(["service_line_id"], ["service_lines.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_goals_workspace", "goals", ["workspace_id", "level"])
    op.create_index("ix_goals_parent_id", "goals", ["parent_id"])

    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("service_line_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("goal_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("link", sa.Text(), nullable=True))
        batch.create_foreign_key(
            "fk_items_service_line", "service_lines", ["service_line_id"], ["id"]
        )
        batch.create_foreign_key("fk_items_goal", "goals", ["goal_id"], ["id"])
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("needed_by", sa.Date(), nullable=True))
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("offer_type", sa.String(length=20), nullable=True))

    bind = op.get_bind()
    workspaces = bind.execute(sa.text("SELECT id FROM workspaces ORDER BY id")).scalars().all()
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {"workspace_id": ws, "key": name.lower(), "name": name, "created_at": now}
        for ws in workspaces
        for name in SERVICE_LINES
    ]
    if rows:
        op.bulk_insert(lines, rows)


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("offer_type")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("needed_by")
    with op.batch_alter_table("items") as batch:
        batch.drop_constraint("fk_items_goal", type_="foreignkey")
        batch.drop_constraint("fk_items_service_line", type_="foreignkey")
        batch.drop_column("link")
        batch.drop_column("goal_id")
        batch.drop_column("service_line_id")
    op.drop_index("ix_goals_parent_id", table_name="goals")
    op.drop_index("ix_goals_workspace", table_name="goals")
    op.drop_table("goals")
    op.drop_table("service_lines")
