"""The audit trail: who did what to which object, and when. Never any text a user wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.enums import Action
from storage.models.base import USER, WS, Base, EnumText


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_workspace_time", "workspace_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS)
    actor_id: Mapped[str] = mapped_column(USER)
    action: Mapped[Action] = mapped_column(EnumText(Action, 40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None]
    at: Mapped[datetime]
    # Facts without text: counts, flags, the kinds a guard found. Never a value users wrote.
    detail: Mapped[dict[str, Any] | None]
