"""What an operator sees of the outbox and may do with it: list what is stuck, send a
failed row again. Never the payload's text: it may hold what users wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select, update

from storage.enums import Action, DeliveryStatus
from storage.models import Delivery, Workspace
from storage.policy.permissions import Actor
from storage.uow import Database

LIST_LIMIT = 500


class Listing(StrEnum):
    """Which rows `deliveries list` shows."""

    STUCK = "stuck"  # pending or failed: what an operator may need to look at
    PENDING = "pending"
    FAILED = "failed"
    SUSPENDED = "suspended"  # pending in a workspace whose token Slack refuses


@dataclass(frozen=True)
class DeliveryLine:
    id: int
    workspace_id: str
    kind: str
    channel: str
    attempts: int
    status: str
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None  # None once sent or failed


class NotRetryable(Exception):
    """The row is not failed: one line says why."""


class Deliveries:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self, listing: Listing, limit: int = LIST_LIMIT) -> list[DeliveryLine]:
        with self._db.unit_of_work() as uow:
            rows = uow.session.scalars(_listing(listing).order_by(Delivery.id).limit(limit))
            return [
                DeliveryLine(
                    id=row.id,
                    workspace_id=row.workspace_id,
                    kind=str(row.kind),
                    channel=row.channel,
                    attempts=row.attempts,
                    status=str(row.status),
                    last_error=row.last_error,
                    created_at=row.created_at,
                    next_attempt_at=(
                        row.next_attempt_at if row.status == DeliveryStatus.PENDING else None
                    ),
                )
                for row in rows
            ]

    def retry(self, delivery_id: int, now: datetime) -> None:
        """A failed row becomes pending and due now, from a clean slate; audited."""
        with self._db.unit_of_work() as uow:
            row = uow.session.get(Delivery, delivery_id)
            if row is None:
                raise NotRetryable(f"there is no delivery {delivery_id}.")
            if row.status != DeliveryStatus.FAILED:
                raise NotRetryable(f"delivery {delivery_id} is {row.status}, not failed.")
            detail = {"error": (row.last_error or "")[:100]}
            uow.act(
                Actor.app(row.workspace_id),
                Action.RETRY,
                None,
                now,
                object_id=delivery_id,
                detail=detail,
            )
            uow.session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.FAILED)
                .values(
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now,
                    lease_until=None,
                    attempts=0,
                    last_error=None,
                    unsure_since=None,
                )
                .execution_options(synchronize_session=False)
            )


def _listing(listing: Listing) -> Select[Any]:
    query = select(Delivery)
    if listing == Listing.STUCK:
        return query.where(Delivery.status != DeliveryStatus.SENT)
    if listing == Listing.SUSPENDED:
        suspended = select(Workspace.id).where(Workspace.suspended_at.is_not(None))
        return query.where(
            Delivery.status == DeliveryStatus.PENDING, Delivery.workspace_id.in_(suspended)
        )
    return query.where(Delivery.status == DeliveryStatus(listing.value))
