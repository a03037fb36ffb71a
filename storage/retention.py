"""Retention: what users wrote is replaced by a marker once it is older than N days.

Rows, states, timestamps, figures and the audit trail stay, so digests and figures still
work; only the words go. Messages already posted in Slack are Slack's to keep, under the
workspace's own retention settings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, select, update
from sqlalchemy.orm import Session

from storage.enums import Action, DeliveryStatus
from storage.models import Answer, Delivery, Item, Offer
from storage.policy.permissions import Actor
from storage.uow import Database

MARKER = "[removed under the retention policy]"
PAYLOAD = {"text": MARKER}


@dataclass(frozen=True)
class Purge:
    """How many texts each kind of row had (or, in a dry run, would have) replaced."""

    cutoff: datetime
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _targets() -> list[tuple[str, Table, str, str]]:
    """(name, table, text column, the timestamp that dates it)."""
    items: Table = Item.__table__  # type: ignore[assignment]
    answers: Table = Answer.__table__  # type: ignore[assignment]
    offers: Table = Offer.__table__  # type: ignore[assignment]
    return [
        ("item texts", items, "text", "created_at"),
        ("item links", items, "link", "created_at"),
        ("answers", answers, "text", "created_at"),
        ("decline reasons", offers, "decline_reason", "declined_at"),
        ("delivered links", offers, "delivered_link", "delivered_at"),
    ]


class RetentionService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def purge(self, days: int, now: datetime, *, dry_run: bool = False) -> Purge:
        cutoff = now - timedelta(days=days)
        counts: dict[str, int] = {}
        per_workspace: Counter[str] = Counter()
        with self._db.unit_of_work() as uow:
            session = uow.session
            for name, table, column, stamp in _targets():
                text, moment = table.c[column], table.c[stamp]
                due = (moment < cutoff, text.is_not(None), text != MARKER)
                counts[name] = _apply(
                    session,
                    dry_run,
                    table,
                    due,
                    {column: MARKER},
                    _workspace_of(table),
                    per_workspace,
                )
            deliveries: Table = Delivery.__table__  # type: ignore[assignment]
            c = deliveries.c
            counts["Slack messages queued"] = _apply(
                session,
                dry_run,
                deliveries,
                (c.created_at < cutoff, c.purged_at.is_(None)),
                {
                    "payload": PAYLOAD,
                    "purged_at": now,
                    # A post still waiting after all this time is given up, not sent blank.
                    "status": case(
                        (c.status == DeliveryStatus.PENDING, DeliveryStatus.FAILED.value),
                        else_=c.status,
                    ),
                },
                c.workspace_id,
                per_workspace,
            )
            if not dry_run:
                for workspace, count in sorted(per_workspace.items()):
                    detail = {"days": days, "texts": count}
                    uow.act(Actor.app(workspace), Action.PURGE, None, now, detail=detail)
            return Purge(cutoff, counts)


def _workspace_of(table: Table) -> Any:
    if "workspace_id" in table.c:
        return table.c.workspace_id
    items: Table = Item.__table__  # type: ignore[assignment]
    return select(items.c.workspace_id).where(items.c.id == table.c.id).scalar_subquery()


def _apply(
    session: Session,
    dry_run: bool,
    table: Table,
    where: Iterable[Any],
    values: dict[str, Any],
    workspace: Any,
    per_workspace: Counter[str],
) -> int:
    conditions = list(where)
    if dry_run:
        rows = session.execute(select(workspace).select_from(table).where(*conditions))
    else:
        rows = session.execute(
            update(table).where(*conditions).values(**values).returning(workspace)
        )
    found = [workspace_id for (workspace_id,) in rows]
    per_workspace.update(found)
    return len(found)
