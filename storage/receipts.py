"""Exactly once per Slack request.

Slack signs a request for five minutes and carries no nonce, and it sends an event again
until it is answered with a 2xx; a proxy or an attacker can replay a signed command. The
serving layer names each request it could see twice (`expect`: a command's or a submission's
trigger_id, an event's event_id); the first unit of work of that request that writes inserts
the receipt in its own transaction. A replay finds the key taken: its transaction is rolled
back whole and `Replayed` raised, so it changes nothing and queues nothing.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Table, delete
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import RequestReceipt

if TYPE_CHECKING:
    from storage.uow import Database

# Slack's signatures last 5 minutes and its event retries end about 6 minutes after the
# first try; an hour leaves room for clock skew and a slow retry.
WINDOW = timedelta(hours=1)


@dataclass
class Receipt:
    workspace_id: str
    key: str
    at: datetime
    claimed: bool = False  # this request's receipt is committed


class Replayed(Exception):
    """The request was received and acted on before; nothing was changed now."""


_current: ContextVar[Receipt | None] = ContextVar("receipt", default=None)

# INSERT ... ON CONFLICT DO NOTHING RETURNING id, built once per dialect.
_TABLE = cast(Table, RequestReceipt.__table__)
_CLAIM = {
    "postgresql": postgresql.insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.id),
    "sqlite": sqlite.insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.id),
}


def expect(receipt: Receipt | None) -> None:
    """The request being served from here on, in this thread's context."""
    _current.set(receipt)


def current() -> Receipt | None:
    return _current.get()


def claim(connection: Connection) -> Receipt | None:
    """In a transaction about to commit writes: record the request, or raise `Replayed`.
    Returns the receipt to mark claimed once the transaction has committed."""
    receipt = _current.get()
    if receipt is None or receipt.claimed:
        return None
    row = {"workspace_id": receipt.workspace_id, "key": receipt.key, "created_at": receipt.at}
    taken = connection.execute(_CLAIM[connection.dialect.name], row).scalar()
    if taken is None:
        raise Replayed(receipt.key)
    return receipt


class Receipts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def release(self, receipt: Receipt) -> None:
        """The request failed after a write: let Slack's retry (or ours) act again."""
        with self._db.unit_of_work() as uow:
            uow.session.execute(
                delete(RequestReceipt).where(
                    RequestReceipt.workspace_id == receipt.workspace_id,
                    RequestReceipt.key == receipt.key,
                )
            )
        receipt.claimed = False

    def prune(self, now: datetime) -> int:
        """Forget receipts older than any replay Slack would still sign or retry."""
        with self._db.unit_of_work() as uow:
            result = uow.session.execute(
                delete(RequestReceipt).where(RequestReceipt.created_at < now - WINDOW)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]
