"""A workspace, its schedule, its two teams and their members."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import CHANNEL, USER, WS, Base


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
    # Whether the last reminder round is also broadcast to the channel (the others stay in
    # the question's thread).
    reask_broadcast: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # What the PHI guard does with a patient identifier: "block" it, or "warn" and let it by.
    phi_policy: Mapped[str] = mapped_column(String(10), default="block", server_default="block")
    # The Enterprise Grid org it belongs to, as installs and requests tell: an org-wide
    # install's token is found by the org.
    enterprise_id: Mapped[str | None] = mapped_column(WS)
    # Slack refused its token (which error, since when): nothing is sent until it is fixed.
    suspended_at: Mapped[datetime | None]
    suspended_error: Mapped[str | None] = mapped_column(String(40))


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


class ClosedDay(Base):
    """A day the workspace's hospital is closed besides the public holidays: no business day."""

    __tablename__ = "closed_days"
    __table_args__ = (UniqueConstraint("workspace_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    day: Mapped[date]
    label: Mapped[str] = mapped_column(String(80), default="", server_default="")
