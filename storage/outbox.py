"""The queue of Slack calls owed, shared safely by any number of workers and processes.

A worker claims a row with a conditional UPDATE that sets a lease; only one claimant's
UPDATE matches. Rows of one channel go out one at a time, in the order they were queued, so
an edit never overtakes the message it edits and a rate-limited channel waits as a whole.
The same UPDATE marks the row unsure (Slack may take it from here on) and the channel_pace
table keeps each channel to its pace; both live in the database, shared by every process.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Connection,
    Integer,
    Table,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from storage.enums import REPEATABLE, Action, DeliveryKind, DeliveryStatus
from storage.models import ChannelPace, Delivery, Item, UTCDateTime, Workspace
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import Database, UnitOfWork

PENDING, SENT, FAILED = DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED


@dataclass(frozen=True)
class Job:
    id: int
    workspace_id: str
    kind: DeliveryKind
    channel: str
    payload: dict[str, Any]
    attempts: int
    ref_channel: str | None
    ref_ts: str | None
    # Set when an earlier call's outcome is unknown: look for the message in Slack, posted
    # since this instant, before sending it again.
    check_since: datetime | None = None
    # A DM's channel (D...), as Slack answered an earlier DM to the same person: where to look.
    dm_channel: str | None = None


@dataclass(frozen=True)
class Sent:
    """Slack took it. The channel's next row then waits `pace`: Slack allows about one
    message per second per channel, so pacing avoids 429s rather than meeting them."""

    job_id: int
    channel: str | None
    ts: str | None
    pace: timedelta = timedelta(0)


@dataclass(frozen=True)
class Retry:
    job_id: int
    error: str
    at: datetime
    unsure: bool = False  # Slack may have taken the call: check before making it again


@dataclass(frozen=True)
class Fail:
    job_id: int
    error: str


Outcome = Sent | Retry | Fail


class Outbox:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def claim_many(
        self, now: datetime, lease: timedelta, limit: int, settled: list[Outcome] | None = None
    ) -> list[Job]:
        """Lease up to `limit` rows that may go out now, each the head of its channel.

        One UPDATE ... RETURNING, plus one read of the messages they refer to. `settled`:
        answers to record first, in the same transaction (a worker's turn is then one
        transaction, not two: on SQLite every transaction takes the one writer's turn).
        """
        params = {"now": now, "lease_until": now + lease, "limit": limit}
        with self._db.unit_of_work() as uow:
            if settled:
                self._record(uow, settled, now)
            rows = uow.write().execute(_TAKE, params).all() if limit else []
            refs = {row.ref_id for row in rows if row.ref_id is not None}
            parents = (
                {
                    parent.id: parent
                    for parent in uow.connection.execute(_PARENTS, {"refs": sorted(refs)})
                }
                if refs
                else {}
            )
            failed = {ref for ref, parent in parents.items() if parent.status == FAILED}
            checks = {r.id for r in rows if r.unsure_since is not None and r.unsure_since < now}
            dm_channels = _dm_channels(uow.session, [r for r in rows if r.id in checks])
            # A reply or an edit needs its message; a DM only links to it, and goes without.
            orphans = [r.id for r in rows if r.ref_id in failed and r.kind != DeliveryKind.DM]
            if orphans:
                self._give_up(uow, orphans, NEEDS_FAILED, now)
        jobs = []
        for row in sorted(rows, key=lambda r: r.id):
            if row.id in orphans:
                continue
            parent = parents.get(row.ref_id) if row.ref_id not in failed else None
            jobs.append(
                Job(
                    id=row.id,
                    workspace_id=row.workspace_id,
                    kind=DeliveryKind(row.kind),
                    channel=row.channel,
                    payload=row.payload,
                    attempts=row.attempts,
                    ref_channel=parent.result_channel if parent else None,
                    ref_ts=parent.result_ts if parent else None,
                    check_since=row.unsure_since if row.id in checks else None,
                    dm_channel=dm_channels.get((row.workspace_id, row.channel)),
                )
            )
        if orphans and not jobs:
            return self.claim_many(now, lease, limit)  # they may have held up their channels
        return jobs

    def settle(self, outcomes: list[Outcome], now: datetime) -> None:
        """Record what Slack answered for a batch of rows, in one transaction."""
        with self._db.unit_of_work() as uow:
            self._record(uow, outcomes, now)

    def _record(self, uow: UnitOfWork, outcomes: list[Outcome], now: datetime) -> None:
        connection = uow.write()
        for outcome in outcomes:
            match outcome:
                case Sent(job_id, channel, ts, pace):
                    sent = connection.execute(
                        _SENT,
                        {"job": job_id, "sent_channel": channel, "sent_ts": ts, "now": now},
                    ).one_or_none()
                    if sent and pace:
                        _pace(connection, sent.workspace_id, sent.channel, now + pace)
                case Retry(job_id, error, at, unsure):
                    connection.execute(
                        _RETRY,
                        {"job": job_id, "at": at, "error": error[:200], "unsure": unsure},
                    )
                case Fail(job_id, error):
                    self._give_up(uow, [job_id], error, now)
                    self._tell_author(uow, job_id, error, now)

    def _give_up(self, uow: UnitOfWork, ids: list[int], error: str, now: datetime) -> None:
        """Fail these rows and those that need them; each give-up is audited."""
        for job_id, workspace_id in _fail(uow.session, ids, error):
            detail = {"error": error[:100]}
            system = Actor.app(workspace_id)
            uow.act(system, Action.GIVE_UP, None, now, object_id=job_id, detail=detail)

    def _tell_author(self, uow: UnitOfWork, job_id: int, error: str, now: datetime) -> None:
        """Nothing a user sent may vanish quietly: say so when their post cannot go out."""
        row = uow.session.get_one(Delivery, job_id)
        if row.status == FAILED and row.notify_user:
            # The text comes back from the item this row posted (never from the logs).
            text = uow.session.scalar(select(Item.text).where(Item.delivery_id == job_id))
            contacts = uow.contacts(row.workspace_id)
            note = self._render.post_failed(row.channel, error, text, contacts)
            uow.queue(row.workspace_id, DeliveryKind.DM, row.notify_user, note, now)

    def cancel(self, workspace_id: str, reason: str, now: datetime) -> int:
        """Give up everything the workspace still has queued (the app was uninstalled)."""
        with self._db.unit_of_work() as uow:
            ids = list(
                uow.session.scalars(
                    select(Delivery.id).where(
                        Delivery.workspace_id == workspace_id, Delivery.status == PENDING
                    )
                )
            )
            self._give_up(uow, ids, reason, now)
            return len(ids)

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

    def due_now(self, ids: list[int], now: datetime) -> None:
        """Make these pending rows due at `now`: a pass run for a future instant queues them
        at that instant, but whoever ran it wants them sent now."""
        if not ids:
            return
        with self._db.unit_of_work() as uow:
            uow.session.execute(
                update(Delivery)
                .where(
                    Delivery.id.in_(ids),
                    Delivery.status == PENDING,
                    Delivery.next_attempt_at > now,
                )
                .values(next_attempt_at=now)
            )

    def due_again(self, workspace_id: str, errors: Collection[str], now: datetime) -> int:
        """A call to this workspace just succeeded: its rows waiting out a backoff for one of
        these (transient) errors are due now instead of at the end of their backoff."""
        with self._db.unit_of_work() as uow:
            result = uow.session.execute(
                update(Delivery)
                .where(
                    Delivery.status == PENDING,
                    Delivery.workspace_id == workspace_id,
                    Delivery.next_attempt_at > now,
                    Delivery.last_error.in_(errors),
                )
                .values(next_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def oldest_pending(self) -> datetime | None:
        """When the oldest row still pending was queued (ids follow the queueing order)."""
        with self._db.unit_of_work() as uow:
            return uow.session.scalar(
                select(Delivery.created_at)
                .where(Delivery.status == PENDING)
                .order_by(Delivery.id)
                .limit(1)
            )

    def pending_ids(self) -> list[int]:
        with self._db.unit_of_work() as uow:
            return list(uow.session.scalars(select(Delivery.id).where(Delivery.status == PENDING)))

    def pending(self) -> int:
        return self._count(PENDING)

    def failed(self) -> int:
        return self._count(FAILED)

    def _count(self, status: str) -> int:
        with self._db.unit_of_work() as uow:
            return (
                uow.session.scalar(
                    select(func.count()).select_from(Delivery).where(Delivery.status == status)
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
    paced = exists().where(
        ChannelPace.workspace_id == Delivery.workspace_id,
        ChannelPace.channel == Delivery.channel,
        ChannelPace.not_before > now,
    )
    head = (
        select(Delivery.id)
        .outerjoin(ref, ref.id == Delivery.ref_id)
        .where(
            Delivery.status == PENDING,
            Delivery.next_attempt_at <= now,
            free,
            # A row whose ref failed is claimed too, to be failed in turn.
            or_(Delivery.ref_id.is_(None), ref.status.in_((SENT, FAILED))),
            # Not while Slack refuses the workspace's token. NOT IN a (tiny) set, which
            # PostgreSQL hashes once and checks before the head-of-channel lookup below: a
            # NOT EXISTS became an anti-join checked after it, and a suspended workspace's
            # backlog then cost that lookup per row (310 ms a claim for 16k rows, not 10).
            Delivery.workspace_id.not_in(
                select(Workspace.id).where(Workspace.suspended_at.is_not(None))
            ),
            # Its channel's pace (a primary-key lookup), also after the channel went quiet.
            # An edit posts nothing new: Slack limits chat.update per workspace, not channel.
            or_(Delivery.kind.in_(REPEATABLE), ~paced),
            # The head of its channel: a lookup ix_deliveries_pending answers directly, even
            # when the planner's row estimates are stale (a NOT EXISTS on "an earlier pending
            # row" let PostgreSQL scan every pending row for every candidate).
            Delivery.id
            == select(func.min(earlier.id))
            .where(
                earlier.status == PENDING,
                earlier.workspace_id == Delivery.workspace_id,
                earlier.channel == Delivery.channel,
            )
            .scalar_subquery(),
        )
        .order_by(Delivery.id)
        .limit(bindparam("limit", type_=Integer()))
        # PostgreSQL: concurrent claimers pass over each other's rows instead of queueing
        # on them. (SQLite ignores this; its writers take turns anyway.)
        .with_for_update(skip_locked=True, of=Delivery)
        # Chosen once: as a plain subquery PostgreSQL may run it again for each row it
        # updates, and then (skipping its own locks) choose more rows than asked.
        .cte("head")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return (
        update(Delivery)
        # The conditions again: only one claimant's UPDATE can still match.
        .where(Delivery.id.in_(select(head.c.id)), Delivery.status == PENDING, free)
        .values(
            lease_until=bindparam("lease_until", type_=UTCDateTime()),
            attempts=Delivery.attempts + 1,
            # From here Slack may take it. An edit or a Home made again does no harm.
            unsure_since=case(
                (Delivery.kind.in_(REPEATABLE), None),
                else_=func.coalesce(Delivery.unsure_since, now),
            ),
        )
        .returning(
            Delivery.id,
            Delivery.workspace_id,
            Delivery.kind,
            Delivery.channel,
            Delivery.payload,
            Delivery.attempts,
            Delivery.ref_id,
            Delivery.unsure_since,
        )
        .execution_options(synchronize_session=False)
    )


_TAKE = _take_statement()
_table = cast(Table, Delivery.__table__)
_job = bindparam("job", type_=Integer())
_RETRY = (
    update(_table)
    .where(_table.c.id == _job, _table.c.status == PENDING)
    .values(
        next_attempt_at=bindparam("at", type_=UTCDateTime()),
        lease_until=None,
        last_error=bindparam("error"),
        unsure_since=case(
            (bindparam("unsure", type_=Boolean()), _table.c.unsure_since), else_=None
        ),
    )
)
_SENT = (
    update(_table)
    .where(_table.c.id == _job, _table.c.status == PENDING)
    .values(
        status=SENT,
        result_channel=bindparam("sent_channel"),
        result_ts=bindparam("sent_ts"),
        sent_at=bindparam("now", type_=UTCDateTime()),
        lease_until=None,
        last_error=None,
        unsure_since=None,
    )
    .returning(_table.c.workspace_id, _table.c.channel)
)


_PARENTS = select(_table.c.id, _table.c.status, _table.c.result_channel, _table.c.result_ts).where(
    _table.c.id.in_(bindparam("refs", expanding=True))
)


def _pace_statement(dialect: Any) -> Any:
    insert = dialect.insert(cast(Table, ChannelPace.__table__))
    return insert.on_conflict_do_update(
        index_elements=["workspace_id", "channel"],
        set_={"not_before": insert.excluded.not_before},
    )


_PACE = {"postgresql": _pace_statement(postgresql), "sqlite": _pace_statement(sqlite)}


def _pace(connection: Connection, workspace_id: str, channel: str, until: datetime) -> None:
    """The channel's next message waits until `until`."""
    row = {"workspace_id": workspace_id, "channel": channel, "not_before": until}
    connection.execute(_PACE[connection.dialect.name], row)


def _dm_channels(session: Session, unsure: list[Any]) -> dict[tuple[str, str], str]:
    """For unsure DMs: the D... channel Slack answered with for an earlier DM to that person."""
    found: dict[tuple[str, str], str] = {}
    for row in unsure:
        if row.kind != DeliveryKind.DM:
            continue
        channel = session.scalar(
            select(Delivery.result_channel)
            .where(
                Delivery.status == SENT,
                Delivery.workspace_id == row.workspace_id,
                Delivery.channel == row.channel,
                Delivery.kind == DeliveryKind.DM,
                Delivery.result_channel.is_not(None),
            )
            .limit(1)
        )
        if channel:
            found[(row.workspace_id, row.channel)] = channel
    return found


def _fail(session: Session, ids: list[int], error: str) -> list[tuple[int, str]]:
    """Fail the pending rows among `ids` and, in turn, the rows that need them; each failed
    row's id and workspace."""
    failed = [
        (row.id, row.workspace_id)
        for row in session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == PENDING)
            .values(status=FAILED, lease_until=None, last_error=error[:200])
            .returning(Delivery.id, Delivery.workspace_id)
            .execution_options(synchronize_session=False)
        )
    ]
    # Replies and edits need the failed message; a DM that only links to it still goes.
    dependents = list(
        session.scalars(
            select(Delivery.id).where(
                Delivery.ref_id.in_(ids),
                Delivery.status == PENDING,
                Delivery.kind != DeliveryKind.DM,
            )
        )
    )
    if dependents:
        failed += _fail(session, dependents, NEEDS_FAILED)
    return failed
