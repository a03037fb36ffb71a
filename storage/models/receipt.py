"""Requests Slack sent that changed something, so a replay of one changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import WS, Base


class RequestReceipt(Base):
    """Written in the transaction of the request's first write; the unique key refuses the
    same request again. No foreign key: a request may create its workspace's first row."""

    __tablename__ = "request_receipts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        Index("ix_request_receipts_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS)
    key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
