"""What items are about: a workspace's service lines and its goals.

Service lines are archived, never deleted, so items tagged with one stay readable. Goals
come in two levels: corporate goals, and team goals that serve one of them and belong to
one team.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.enums import GoalLevel, GoalStatus
from storage.models.base import USER, WS, Base, EnumText


class ServiceLine(Base):
    __tablename__ = "service_lines"
    # One line per name (case-insensitive via `key`): adding an archived name brings it back.
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    key: Mapped[str] = mapped_column(String(80))  # the name, lower-cased
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_workspace", "workspace_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    level: Mapped[GoalLevel] = mapped_column(EnumText(GoalLevel, 10))
    # A team goal's corporate goal, and the team that owns it; both empty for corporate goals.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    title: Mapped[str] = mapped_column(Text)
    service_line_id: Mapped[int | None] = mapped_column(ForeignKey("service_lines.id"))
    target: Mapped[str | None] = mapped_column(Text)  # the metric and its target, as written
    period: Mapped[str | None] = mapped_column(String(40))  # e.g. "FY27" or "Q3 2027"
    status: Mapped[GoalStatus] = mapped_column(EnumText(GoalStatus, 12))
    created_by: Mapped[str] = mapped_column(USER)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
