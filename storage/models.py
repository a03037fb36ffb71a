"""Tables. Every row carries the Slack workspace (team) id it belongs to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no zone, so we never rely on one."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


WS = String(32)  # Slack workspace ids are short; 32 leaves room for enterprise ids.
USER = String(32)
CHANNEL = String(32)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Workspace(Base):
    """A Slack workspace and its schedule: the weekly digest and how questions are re-asked."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(WS, primary_key=True)
    created_at: Mapped[datetime]
    digest_weekday: Mapped[int] = mapped_column(default=0, server_default="0")  # Monday
    digest_time: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    timezone: Mapped[str] = mapped_column(
        String(64), default="America/New_York", server_default="America/New_York"
    )
    reask_after_days: Mapped[int] = mapped_column(default=3, server_default="3")
    max_reasks: Mapped[int] = mapped_column(default=2, server_default="2")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    key: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    channel_id: Mapped[str | None] = mapped_column(CHANNEL)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    user_id: Mapped[str] = mapped_column(USER)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    joined_at: Mapped[datetime]


class Delivery(Base):
    """A Slack call owed to a workspace, written in the transaction that caused it.

    kind: "post" (a top-level message), "thread" (a reply in ref's thread), "update" (edits
    ref's message) or "dm" (to a user; with a ref, it carries a link to ref's message).
    Rows of one channel are sent one at a time in id order.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_pending", "status", "workspace_id", "channel", "id"),
        # The claim walks pending rows in id order and stops at the first it may send.
        Index("ix_deliveries_queue", "status", "id"),
        Index("ix_deliveries_message", "result_channel", "result_ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(CHANNEL)
    payload: Mapped[dict[str, Any]]
    ref_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    result_channel: Mapped[str | None] = mapped_column(CHANNEL)
    result_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(200))
    # Who to tell privately if Slack refuses this post for good (the author of the item).
    notify_user: Mapped[str | None] = mapped_column(USER)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class PlanUpdate(Base):
    __tablename__ = "plan_updates"
    __table_args__ = (Index("ix_plan_updates_team_time", "workspace_id", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    author_id: Mapped[str] = mapped_column(USER)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_open", "workspace_id", "to_team_id", "status"),
        Index("ix_questions_reask", "status", "last_asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    from_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    to_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    asker_id: Mapped[str] = mapped_column(USER)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), index=True)
    # Re-asking: when it was last put to the team, how many reminders went out (the last
    # round may be the private note to the asker), how many the asker allows, and a pause.
    last_asked_at: Mapped[datetime]
    reask_round: Mapped[int] = mapped_column(default=0, server_default="0")
    reask_limit: Mapped[int | None]
    snoozed_until: Mapped[datetime | None]


class Answer(Base):
    __tablename__ = "answers"
    # A thread reply is recorded once, however often Slack delivers its event.
    __table_args__ = (UniqueConstraint("question_id", "slack_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    author_id: Mapped[str] = mapped_column(USER)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (Index("ix_offers_open", "workspace_id", "to_team_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    from_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    to_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    offerer_id: Mapped[str] = mapped_column(USER)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="offered")
    created_at: Mapped[datetime]
    accepted_by: Mapped[str | None] = mapped_column(USER)
    accepted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))


class Digest(Base):
    """One weekly digest of one team; the unique key makes it once per scheduled week."""

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("workspace_id", "team_id", "week"),
        Index("ix_digests_team_time", "team_id", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    week: Mapped[str] = mapped_column(String(10))  # the scheduled local date, ISO
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    created_at: Mapped[datetime]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))


class Reask(Base):
    """One reminder round of one question; the unique key makes each round happen once."""

    __tablename__ = "reasks"
    __table_args__ = (UniqueConstraint("question_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    round: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))  # "reask" or "escalation"
    created_at: Mapped[datetime]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))


class AuditEntry(Base):
    """Who did what to which object, and when. Never the message text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_workspace_time", "workspace_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS)
    actor_id: Mapped[str] = mapped_column(USER)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None]
    at: Mapped[datetime]
