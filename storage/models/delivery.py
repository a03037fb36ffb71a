"""The outbox: Slack calls owed, written in the transaction that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.enums import DeliveryKind, DeliveryStatus
from storage.models.base import CHANNEL, USER, WS, Base, EnumText


class Delivery(Base):
    """A Slack call owed to a workspace. Rows of one channel are sent one at a time, in id
    order; `ref` is the message a reply, an edit or a DM's link is about."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_pending", "status", "workspace_id", "channel", "id"),
        # The claim walks pending rows in id order and stops at the first it may send.
        Index("ix_deliveries_queue", "status", "id"),
        Index("ix_deliveries_message", "result_channel", "result_ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    kind: Mapped[DeliveryKind] = mapped_column(EnumText(DeliveryKind, 10))
    channel: Mapped[str] = mapped_column(CHANNEL)
    payload: Mapped[dict[str, Any]]
    ref_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    status: Mapped[DeliveryStatus] = mapped_column(
        EnumText(DeliveryStatus, 10), default=DeliveryStatus.PENDING
    )
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
    purged_at: Mapped[datetime | None]  # when retention replaced the payload's text
    # Set by the claim before the call, cleared when Slack surely did not take it: the next
    # claim of a row still unsure looks for it in Slack (posted since then) before sending.
    unsure_since: Mapped[datetime | None]


class ChannelPace(Base):
    """When a channel may get its next message: Slack allows about one per second per
    channel, also for a row queued after the channel's last send."""

    __tablename__ = "channel_pace"

    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(CHANNEL, primary_key=True)
    not_before: Mapped[datetime]
