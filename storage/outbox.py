"""The queue of Slack calls owed, shared safely by any number of workers and processes.

A worker claims a row with a conditional UPDATE that sets a lease; only one claimant's
UPDATE matches. Rows of one channel go out one at a time, in the order they were queued, so
an edit never overtakes the message it edits and a rate-limited channel waits as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Integer, Table, and_, bindparam, exists, func, or_, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from storage.models import Delivery, UTCDateTime
from storage.uow import Database

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True)
class Job:
    id: int
    workspace_id: str
    kind: str
    channel: str
    payload: dict[str, Any]
    attempts: int
    ref_channel: str | None
    ref_ts: str | None


class Outbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim(self, now: datetime, lease: timedelta) -> Job | None:
        """Lease the next row that may go out now, or None. One UPDATE ... RETURNING."""
        with self._db.unit_of_work() as uow:
            row = uow.session.execute(_TAKE, {"now": now, "lease_until": now + lease}).first()
            if row is None:
                return None
            parent = None
            if row.ref_id is not None:
                parent = uow.session.execute(
                    select(Delivery.status, Delivery.result_channel, Delivery.result_ts).where(
                        Delivery.id == row.ref_id
                    )
                ).one()
                if parent.status == FAILED:
                    _fail(uow.session, [row.id], NEEDS_FAILED)
                    parent = None
                    row = None
        if row is None:
            return self.claim(now, lease)  # the failed row may have held up its channel
        return Job(
            id=row.id,
            workspace_id=row.workspace_id,
            kind=row.kind,
            channel=row.channel,
            payload=row.payload,
            attempts=row.attempts,
            ref_channel=parent.result_channel if parent else None,
            ref_ts=parent.result_ts if parent else None,
        )

    def sent(
        self,
        job_id: int,
        channel: str | None,
        ts: str | None,
        now: datetime,
        pace: timedelta = timedelta(0),
    ) -> None:
        """Record Slack's answer; the channel's next row waits `pace` (Slack allows about
        one message per second per channel, so this avoids 429s rather than meeting them)."""
        with self._db.unit_of_work() as uow:
            connection = uow.session.connection()
            if pace:
                connection.execute(_PACE, {"job": job_id, "until": now + pace})
            connection.execute(
                _SENT, {"job": job_id, "sent_channel": channel, "sent_ts": ts, "now": now}
            )

    def retry(self, job_id: int, error: str, at: datetime) -> None:
        with self._db.unit_of_work() as uow:
            uow.session.execute(
                update(Delivery)
                .where(Delivery.id == job_id)
                .values(next_attempt_at=at, lease_until=None, last_error=error[:200])
            )

    def fail(self, job_id: int, error: str) -> None:
        """Give up on a row, and on every row that needs its message (a reply, an edit)."""
        with self._db.unit_of_work() as uow:
            _fail(uow.session, [job_id], error)

    def unfinished(self, ids: list[int]) -> tuple[int, datetime | None]:
        """How many of these rows are still pending, and when the next one is due."""
        if not ids:
            return 0, None
        with self._db.unit_of_work() as uow:
            count, due = uow.session.execute(
                select(func.count(), func.min(Delivery.next_attempt_at)).where(
                    Delivery.id.in_(ids), Delivery.status == PENDING
                )
            ).one()
            return int(count), due

    def pending_ids(self) -> list[int]:
        with self._db.unit_of_work() as uow:
            return list(uow.session.scalars(select(Delivery.id).where(Delivery.status == PENDING)))

    def pending(self) -> int:
        with self._db.unit_of_work() as uow:
            return (
                uow.session.scalar(
                    select(func.count()).select_from(Delivery).where(Delivery.status == PENDING)
                )
                or 0
            )


NEEDS_FAILED = "the message it needs was not sent"


def _take_statement() -> Any:
    """The claim, built once (it is the hottest statement): lease the first pending row,
    in id order, that is due, not leased, not behind an earlier row of its channel, and
    whose ref (if any) is settled."""
    now = bindparam("now", type_=UTCDateTime())
    earlier = aliased(Delivery)
    ref = aliased(Delivery)
    free = or_(Delivery.lease_until.is_(None), Delivery.lease_until < now)
    head = (
        select(Delivery.id)
        .outerjoin(ref, ref.id == Delivery.ref_id)
        .where(
            Delivery.status == PENDING,
            Delivery.next_attempt_at <= now,
            free,
            # A row whose ref failed is claimed too, to be failed in turn.
            or_(Delivery.ref_id.is_(None), ref.status.in_((SENT, FAILED))),
            ~exists().where(
                and_(
                    earlier.status == PENDING,
                    earlier.channel == Delivery.channel,
                    earlier.workspace_id == Delivery.workspace_id,
                    earlier.id < Delivery.id,
                )
            ),
        )
        .order_by(Delivery.id)
        .limit(1)
        # PostgreSQL: concurrent claimers pass over each other's rows instead of queueing
        # on them. (SQLite ignores this; its writers take turns anyway.)
        .with_for_update(skip_locked=True, of=Delivery)
    )
    return (
        update(Delivery)
        # The conditions again: only one claimant's UPDATE can still match.
        .where(Delivery.id == head.scalar_subquery(), Delivery.status == PENDING, free)
        .values(
            lease_until=bindparam("lease_until", type_=UTCDateTime()),
            attempts=Delivery.attempts + 1,
        )
        .returning(
            Delivery.id,
            Delivery.workspace_id,
            Delivery.kind,
            Delivery.channel,
            Delivery.payload,
            Delivery.attempts,
            Delivery.ref_id,
        )
        .execution_options(synchronize_session=False)
    )


_TAKE = _take_statement()
_table = cast(Table, Delivery.__table__)
_job = bindparam("job", type_=Integer())
_until = bindparam("until", type_=UTCDateTime())
_PACE = (
    update(_table)
    .where(
        tuple_(_table.c.workspace_id, _table.c.channel).in_(
            select(_table.c.workspace_id, _table.c.channel).where(_table.c.id == _job)
        ),
        _table.c.status == PENDING,
        _table.c.next_attempt_at < _until,
    )
    .values(next_attempt_at=_until)
)
_SENT = (
    update(_table)
    .where(_table.c.id == _job)
    .values(
        status=SENT,
        result_channel=bindparam("sent_channel"),
        result_ts=bindparam("sent_ts"),
        sent_at=bindparam("now", type_=UTCDateTime()),
        lease_until=None,
        last_error=None,
    )
)


def _fail(session: Session, ids: list[int], error: str) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(status=FAILED, lease_until=None, last_error=error[:200])
    )
    dependents = list(
        session.scalars(
            select(Delivery.id).where(Delivery.ref_id.in_(ids), Delivery.status == PENDING)
        )
    )
    if dependents:
        _fail(session, dependents, NEEDS_FAILED)
