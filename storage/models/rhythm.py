"""The weekly digest and the re-ask rounds, each made exactly once by a unique key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import WS, Base


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
