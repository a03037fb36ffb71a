"""0002 carries a filled 0001 database over to the items table, keeping every row."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, select, text

from storage.enums import Action, ItemKind, State
from storage.migrate import alembic_config, upgrade
from storage.models import Answer, AuditEntry, Item, Offer, Question, Reask, Update

T0 = datetime(2026, 11, 2, 14, 0)

FILL = [
    "INSERT INTO workspaces (id, created_at) VALUES ('T1', :t)",
    "INSERT INTO teams (id, workspace_id, key, name, channel_id) VALUES"
    " (1, 'T1', 'marketing', 'Marketing', 'C_M'),"
    " (2, 'T1', 'liaison', 'Physician Liaisons', 'C_L')",
    "INSERT INTO members (workspace_id, user_id, team_id, joined_at) VALUES"
    " ('T1', 'U_M', 1, :t), ('T1', 'U_L', 2, :t)",
    "INSERT INTO deliveries (id, workspace_id, kind, channel, payload, status, attempts,"
    " next_attempt_at, created_at, result_channel, result_ts) VALUES"
    " (1, 'T1', 'post', 'C_L', '{}', 'sent', 1, :t, :t, 'C_L', '1.1'),"
    " (2, 'T1', 'post', 'C_L', '{}', 'sent', 1, :t, :t, 'C_L', '1.2'),"
    " (3, 'T1', 'post', 'C_M', '{}', 'sent', 1, :t, :t, 'C_M', '1.3'),"
    " (4, 'T1', 'post', 'C_L', '{}', 'pending', 0, :t, :t, NULL, NULL)",
    "INSERT INTO plan_updates (id, workspace_id, team_id, author_id, text, created_at,"
    " delivery_id) VALUES (1, 'T1', 1, 'U_M', 'Ortho mailers go out Sept 9', :t, 1)",
    "INSERT INTO questions (id, workspace_id, from_team_id, to_team_id, asker_id, text, status,"
    " created_at, answered_at, delivery_id, last_asked_at, reask_round) VALUES"
    " (1, 'T1', 1, 2, 'U_M', 'Which practices split referrals?', 'answered', :t, :t, 2, :t, 1),"
    " (2, 'T1', 1, 2, 'U_M', 'Who covers the north territory?', 'open', :t, NULL, 4, :t, 0)",
    "INSERT INTO answers (workspace_id, question_id, author_id, text, source, slack_ts,"
    " created_at) VALUES ('T1', 1, 'U_L', 'Lakeside and Northgate', 'thread', '1.9', :t)",
    "INSERT INTO reasks (workspace_id, question_id, round, kind, created_at) VALUES"
    " ('T1', 1, 1, 'reask', :t)",
    "INSERT INTO offers (id, workspace_id, from_team_id, to_team_id, offerer_id, text, status,"
    " created_at, accepted_by, accepted_at, delivery_id) VALUES"
    " (1, 'T1', 2, 1, 'U_L', 'A target list of splitter PCPs', 'accepted', :t, 'U_M', :t, 3)",
    "INSERT INTO audit_log (workspace_id, actor_id, action, object_type, object_id, at) VALUES"
    " ('T1', 'U_M', 'update.share', 'plan_update', 1, :t),"
    " ('T1', 'U_M', 'question.ask', 'question', 1, :t),"
    " ('T1', 'U_L', 'offer.make', 'offer', 1, :t),"
    " ('T1', 'U_M', 'offer.accept', 'offer', 1, :t)",
]


def test_0002_keeps_every_row_of_a_filled_0001_database(db_url: str) -> None:
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for statement in FILL:
            connection.execute(text(statement), {"t": T0})
    upgrade(engine)

    from sqlalchemy.orm import Session

    with Session(engine) as session:
        items = {(i.kind, i.text): i for i in session.scalars(select(Item))}
        assert len(items) == 4
        update = items[ItemKind.UPDATE, "Ortho mailers go out Sept 9"]
        assert isinstance(update, Update)
        assert (update.from_team_id, update.to_team_id, update.status) == (1, 2, State.SHARED)
        asked = items[ItemKind.QUESTION, "Which practices split referrals?"]
        assert isinstance(asked, Question)
        assert asked.id == 1  # question ids are kept for the buttons already in Slack
        assert (asked.status, asked.reask_round, asked.delivery_id) == (State.ANSWERED, 1, 2)
        assert asked.author_id == "U_M"
        offer = items[ItemKind.OFFER, "A target list of splitter PCPs"]
        assert isinstance(offer, Offer)
        assert offer.id > 2 and offer.accepted_by == "U_M" and not offer.of_value
        assert offer.accepted_at == T0.replace(tzinfo=UTC)
        assert len({i.id for i in items.values()}) == 4
        assert [a.question_id for a in session.scalars(select(Answer))] == [1]
        assert [r.question_id for r in session.scalars(select(Reask))] == [1]
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        audit = [(a.action, a.object_type, a.object_id) for a in entries]
        assert audit == [
            (Action.SHARE, "update", update.id),
            (Action.ASK, "question", 1),
            (Action.OFFER, "offer", offer.id),
            (Action.ACCEPT, "offer", offer.id),
        ]
        # New items take fresh ids after the carried-over ones.
        fresh = Update(
            workspace_id="T1",
            author_id="U_M",
            from_team_id=1,
            to_team_id=2,
            text="new",
            status=State.SHARED,
            created_at=datetime.now(UTC),
        )
        session.add(fresh)
        session.commit()
        assert fresh.id > max(i.id for i in items.values())
    engine.dispose()


def test_the_migrated_schema_is_exactly_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    upgrade(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_0007_gives_every_known_workspace_the_starting_service_lines(db_url: str) -> None:
    from sqlalchemy.orm import Session

    from storage.models import ServiceLine
    from storage.servicelines import SERVICE_LINES

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        for workspace in ("T1", "T2"):
            connection.execute(
                text("INSERT INTO workspaces (id, created_at) VALUES (:w, :t)"),
                {"w": workspace, "t": T0},
            )
    upgrade(engine)
    with Session(engine) as session:
        lines = session.scalars(select(ServiceLine).order_by(ServiceLine.id)).all()
        for workspace in ("T1", "T2"):
            names = [line.name for line in lines if line.workspace_id == workspace]
            assert names == list(SERVICE_LINES)
        assert all(line.archived_at is None for line in lines)
        assert "Women's health" in SERVICE_LINES
    engine.dispose()
