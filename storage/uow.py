"""One transaction per use case, with the Slack posts it causes written inside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy import (
    Connection,
    Engine,
    RootTransaction,
    Table,
    bindparam,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session, sessionmaker

from storage.db import READING, WriterLock, make_engine, make_session_factory, writer_lock
from storage.enums import Action, DeliveryKind, DeliveryStatus, Role
from storage.errors import NotAllowed, NotInTeam
from storage.models import AuditEntry, Delivery, Goal, Item, Member, Team
from storage.policy.permissions import (
    MATRIX,
    Actor,
    Standing,
    allowed,
    roles_of,
)
from storage.ports import Payload
from storage.receipts import claim


class Database:
    """The engine, its sessions, and whom to tell that new deliveries were committed."""

    def __init__(self, engine: Engine, *, background: bool = False) -> None:
        """`background`: a process whose writes may wait (delivery, the scheduled passes)."""
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_session_factory(engine)
        event.listen(self.sessions, "after_flush", _mark_written)
        self.on_queued: Callable[[], None] = lambda: None
        # Run before each commit that writes audit rows, with them (the App Home republishes).
        self.before_commit: Callable[[UnitOfWork, list[AuditEntry]], None] = lambda *_: None
        self.serial: AbstractContextManager[object] = writer_lock(engine, background=background)

    @classmethod
    def from_url(cls, url: str, pool_size: int = 10, *, background: bool = False) -> Database:
        return cls(make_engine(url, pool_size=pool_size), background=background)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A consistent snapshot to read from, outside the writer lock: what a use case
        reads and renders before its own short write (a digest), and read-only views.
        Its transaction is rolled back when the session closes: nothing here is kept."""
        with self.engine.connect() as connection:
            connection.execution_options(**{READING: True})
            with self.sessions(bind=connection) as session:
                yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if isinstance(self.serial, WriterLock):
            self.serial.close()


WROTE = "wrote"


def _mark_written(session: Session, _context: Any) -> None:
    session.info[WROTE] = True


# The write path's statements, built once: a use case runs them on its transaction's
# connection, without the ORM's flush (which cost more than the rest of a request).
_DELIVERIES = cast(Table, Delivery.__table__)
_AUDIT = insert(cast(Table, AuditEntry.__table__))
_QUEUE = insert(_DELIVERIES).returning(_DELIVERIES.c.id)
_TEAM_OF = select(Member.team_id).where(
    Member.workspace_id == bindparam("workspace_id"), Member.user_id == bindparam("user_id")
)


class UnitOfWork:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._queued = False
        self._written = False  # by a statement of its own, not through the session
        self._entries: list[AuditEntry] = []
        self._session: Session | None = None
        # Set on entering: the transaction and its connection.
        self.connection: Connection
        self._transaction: RootTransaction

    def __enter__(self) -> Self:
        self._db.serial.__enter__()
        try:
            self.connection = self._db.engine.connect()
        except BaseException:
            self._db.serial.__exit__(None, None, None)
            raise
        try:
            self._transaction = self.connection.begin()
        except BaseException:
            self.connection.close()
            self._db.serial.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        transaction = self._transaction
        try:
            if exc_type is None:
                if self._entries:
                    self._db.before_commit(self, self._entries)
                    self.connection.execute(_AUDIT, [_audit_row(e) for e in self._entries])
                if self._session is not None:
                    self._session.flush()
                # A request that changes something is recorded with its change, once.
                receipt = claim(self.connection) if self._wrote() else None
                transaction.commit()
                if receipt is not None:
                    receipt.claimed = True
            elif transaction.is_active:  # the session may have rolled it back already
                transaction.rollback()
        finally:
            if self._session is not None:
                self._session.close()
            self.connection.close()
            self._db.serial.__exit__(None, None, None)
        if exc_type is None and self._queued:
            self._db.on_queued()

    @property
    def session(self) -> Session:
        """The ORM's session, in the same transaction; made on first use (the write path
        runs its own statements and needs none)."""
        if self._session is None:
            self._session = self._db.sessions(bind=self.connection)
        return self._session

    def write(self) -> Connection:
        """The connection, for a statement that changes something (the request's receipt
        is then claimed with it)."""
        self._written = True
        return self.connection

    def _wrote(self) -> bool:
        session = self._session
        return bool(self._written or self._entries or (session and session.info.get(WROTE)))

    def queue(
        self,
        workspace_id: str,
        kind: DeliveryKind,
        channel: str,
        payload: Payload,
        now: datetime,
        ref: int | None = None,
        notify: str | None = None,
    ) -> int:
        """Record a Slack call to make once this transaction commits; its delivery id.
        `ref`: the delivery it follows (the post an edit or a thread reply is about)."""
        if self._session is not None and (self._session.new or self._session.dirty):
            self._session.flush()  # rows the session holds go first, as written
        row = {
            "workspace_id": workspace_id,
            "kind": kind,
            "channel": channel,
            "payload": payload,
            "ref_id": ref,
            "notify_user": notify,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        self._queued = True
        return int(self.write().execute(_QUEUE, row).scalar_one())

    def act(
        self,
        actor: Actor,
        action: Action,
        target: Item | Team | Goal | None,
        now: datetime,
        *,
        object_id: int | None = None,
        detail: dict[str, Any] | None = None,
        team_id: int | None = None,
    ) -> AuditEntry:
        """The one door for writes: check the permissions matrix, then record the audit row.

        A refusal raises, and the transaction is rolled back. The row is written with the
        commit, so the use case can still name what it created (`object_id`) or add to
        `detail`; a later refusal leaves it unwritten. `team_id`: the actor's team, where the
        use case has read it already.
        """
        object_type, object_id = self.permit(actor, action, target, object_id, team_id)
        entry = AuditEntry(
            workspace_id=actor.workspace_id,
            actor_id=actor.user_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            at=now,
            detail=detail,
        )
        self._entries.append(entry)
        return entry

    def permit(
        self,
        actor: Actor,
        action: Action,
        target: Item | Team | Goal | None,
        object_id: int | None = None,
        team_id: int | None = None,
    ) -> tuple[str, int | None]:
        """Raise the refusal if the matrix says no; otherwise what the action is about."""
        if team_id is None and not actor.system:
            team_id = self.team_of(actor.workspace_id, actor.user_id)
        if isinstance(target, Item):
            standing = Standing(team_id, target.from_team_id, target.to_team_id, target.author_id)
            object_type, object_id = str(target.kind), target.id
        elif isinstance(target, Goal):
            # A goal's owning team stands where an item's sending team does.
            standing = Standing(team_id, target.team_id)
            object_type, object_id = "goal", target.id
        else:
            standing = Standing(team_id)
            object_type = "team" if isinstance(target, Team) else action_object(action)
            object_id = target.id if isinstance(target, Team) else object_id
        roles = roles_of(actor, standing)
        if not allowed(action, roles):
            raise self._refusal(actor, action, roles, target)
        return object_type, object_id

    def team_of(self, workspace_id: str, user_id: str) -> int | None:
        found = self.connection.execute(
            _TEAM_OF, {"workspace_id": workspace_id, "user_id": user_id}
        ).scalar()
        return None if found is None else int(found)

    def _refusal(
        self,
        actor: Actor,
        action: Action,
        roles: frozenset[Role],
        target: Item | Team | Goal | None,
    ) -> Exception:
        who = MATRIX[action].roles
        if Role.NO_TEAM in roles and Role.GUEST not in roles and Role.SENDING_TEAM in who:
            return NotInTeam(actor.user_id)
        team = None
        if isinstance(target, Item) and Role.RECEIVING_TEAM in who:
            team = self.session.get_one(Team, target.to_team_id).name
        author = target.author_id if isinstance(target, Item) else None
        return NotAllowed(
            action, who, Role.GUEST in roles, author, team, self.contacts(actor.workspace_id)
        )

    def contacts(self, workspace_id: str) -> tuple[str, ...]:
        return contacts(self.session, workspace_id)


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "workspace_id": entry.workspace_id,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "at": entry.at,
        "detail": entry.detail,
    }


def contacts(session: Session, workspace_id: str) -> tuple[str, ...]:
    """Whom to ask about the app: the admins who set its teams up, latest first."""
    rows = session.execute(
        select(AuditEntry.actor_id, func.max(AuditEntry.at))
        .where(AuditEntry.workspace_id == workspace_id, AuditEntry.action == Action.SETUP)
        .group_by(AuditEntry.actor_id)
        .order_by(func.max(AuditEntry.at).desc())
        .limit(3)
    )
    return tuple(actor for actor, _ in rows)


OBJECTS = {
    Action.DIGEST: "digest",
    Action.GIVE_UP: "delivery",
    Action.RETRY: "delivery",
    Action.EXPORT: "audit_log",
    Action.SERVICE_LINES: "service_line",
    Action.CORPORATE_GOAL: "goal",
    Action.TEAM_GOAL: "goal",
}


def action_object(action: Action) -> str:
    """What an action on no item or team is about, for the audit row."""
    return OBJECTS.get(action, "workspace")
