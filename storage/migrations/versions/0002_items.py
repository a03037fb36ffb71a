"""one items table for updates, questions and offers; offer decline, delivery and flag; audit
detail; the PHI guard policy

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Questions keep their ids, so buttons already posted in Slack still act on the right question.
Offers and updates move above every id used before, so an old offer button can only miss
(the user is told it no longer exists), never act on some other offer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = {
    "update.share": "share",
    "question.ask": "ask",
    "question.answer": "answer",
    "question.close": "close",
    "question.working_on_it": "snooze",
    "question.keep_asking": "keep_asking",
    "offer.make": "offer",
    "offer.accept": "accept",
    "offer.withdraw": "withdraw",
    "team.set_channel": "setup",
    "team.join": "join",
    "team.leave": "leave",
    "workspace.schedule": "settings",
}
COMMON = ("workspace_id", "from_team_id", "to_team_id", "text", "status", "created_at")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Tables rebuilt below are referenced by others; check the references at commit.
        op.execute("PRAGMA defer_foreign_keys = ON")
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("from_team_id", sa.Integer(), nullable=False),
        sa.Column("to_team_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"]),
        sa.ForeignKeyConstraint(["from_team_id"], ["teams.id"]),
        sa.ForeignKeyConstraint(["to_team_id"], ["teams.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    shift = bind.scalar(
        sa.text(
            "SELECT MAX(m) FROM (SELECT COALESCE(MAX(id), 0) AS m FROM questions"
            " UNION ALL SELECT COALESCE(MAX(id), 0) FROM offers"
            " UNION ALL SELECT COALESCE(MAX(id), 0) FROM plan_updates) AS ids"
        )
    )
    columns = "id, kind, author_id, delivery_id, " + ", ".join(COMMON)
    shared = ", ".join(COMMON)
    op.execute(
        f"INSERT INTO items ({columns}) SELECT id, 'question', asker_id, delivery_id, {shared}"
        " FROM questions"
    )
    op.execute(
        f"INSERT INTO items ({columns}) SELECT id + {shift}, 'offer', offerer_id, delivery_id,"
        f" {shared} FROM offers"
    )
    op.execute(
        f"INSERT INTO items ({columns}) SELECT p.id + {2 * shift}, 'update', p.author_id,"
        " p.delivery_id, p.workspace_id, p.team_id, (SELECT t.id FROM teams t"
        " WHERE t.workspace_id = p.workspace_id AND t.id <> p.team_id), p.text, 'shared',"
        " p.created_at FROM plan_updates p"
    )
    op.execute(f"UPDATE offers SET id = id + {shift}")
    op.execute(f"UPDATE audit_log SET object_id = object_id + {shift} WHERE object_type = 'offer'")
    op.execute(
        f"UPDATE audit_log SET object_id = object_id + {2 * shift}, object_type = 'update'"
        " WHERE object_type = 'plan_update'"
    )
    for old, new in OLD_ACTIONS.items():
        op.execute(f"UPDATE audit_log SET action = '{new}' WHERE action = '{old}'")
    if bind.dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('items', 'id'),"
            " (SELECT COALESCE(MAX(id), 0) + 1 FROM items), false)"
        )

    with op.batch_alter_table("items") as batch:
        batch.create_index("ix_items_open", ["workspace_id", "to_team_id", "kind", "status"])
        batch.create_index("ix_items_team_time", ["workspace_id", "from_team_id", "created_at"])
        batch.create_index("ix_items_created", ["created_at"])
        batch.create_index("ix_items_delivery_id", ["delivery_id"])

    with op.batch_alter_table("questions") as batch:
        batch.drop_index("ix_questions_delivery_id")
        batch.drop_index("ix_questions_open")
        batch.drop_index("ix_questions_reask")
    with op.batch_alter_table("questions") as batch:
        for column in (*COMMON, "asker_id", "delivery_id"):
            batch.drop_column(column)
        batch.alter_column("id", server_default=None)
        batch.create_foreign_key("fk_questions_item", "items", ["id"], ["id"])
        batch.create_index("ix_questions_reask", ["last_asked_at"])

    with op.batch_alter_table("offers") as batch:
        batch.drop_index("ix_offers_open")
    with op.batch_alter_table("offers") as batch:
        for column in (*COMMON, "offerer_id", "delivery_id"):
            batch.drop_column(column)
        batch.alter_column("id", server_default=None)
        batch.add_column(sa.Column("of_value", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(sa.Column("declined_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("declined_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("decline_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("delivered_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("delivered_link", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_offers_item", "items", ["id"], ["id"])

    with op.batch_alter_table("plan_updates") as batch:
        batch.drop_index("ix_plan_updates_team_time")
    op.drop_table("plan_updates")

    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(
            sa.Column("phi_policy", sa.String(length=10), server_default="block", nullable=False)
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("detail", sa.JSON(), nullable=True))


def downgrade() -> None:
    raise RuntimeError("0002 merges three tables into one and is not reversed: restore a backup")
