"""One transaction per use case, with the Slack posts it causes written inside it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import WriterLock, make_engine, make_session_factory, writer_lock
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

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_session_factory(engine)
        event.listen(self.sessions, "after_flush", _mark_written)
        self.on_queued: Callable[[], None] = lambda: None
        # Run before each commit that writes audit rows, with them (the App Home republishes).
        self.before_commit: Callable[[UnitOfWork, list[AuditEntry]], None] = lambda *_: None
        self.serial: AbstractContextManager[object] = writer_lock(engine)

    @classmethod
    def from_url(cls, url: str, pool_size: int = 10) -> Database:
        return cls(make_engine(url, pool_size=pool_size))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    def dispose(self) -> None:
        self.engine.dispose()
        if isinstance(self.serial, WriterLock):
            self.serial.close()


WROTE = "wrote"


def _mark_written(session: Session, _context: Any) -> None:
    session.info[WROTE] = True


class UnitOfWork:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._queued = False
        self._entries: list[AuditEntry] = []
        self.session: Session

    def __enter__(self) -> Self:
        self._db.serial.__enter__()
        try:
            self.session = self._db.sessions()
            self.session.begin()
        except BaseException:
            self._db.serial.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                if self._entries:
                    self._db.before_commit(self, self._entries)
                # A request that changes something is recorded with its change, once.
                receipt = claim(self.session) if self._wrote() else None
                self.session.commit()
                if receipt is not None:
                    receipt.claimed = True
            else:
                self.session.rollback()
        finally:
            self.session.close()
            self._db.serial.__exit__(None, None, None)
        if exc_type is None and self._queued:
            self._db.on_queued()

    def _wrote(self) -> bool:
        session = self.session
        return bool(session.new or session.dirty or session.deleted or session.info.get(WROTE))

    def queue(
        self,
        workspace_id: str,
        kind: DeliveryKind,
        channel: str,
        payload: Payload,
        now: datetime,
        ref: Delivery | None = None,
        notify: str | None = None,
    ) -> Delivery:
        """Record a Slack call to make once this transaction commits."""
        delivery = Delivery(
            workspace_id=workspace_id,
            kind=kind,
            channel=channel,
            payload=payload,
            ref_id=ref.id if ref else None,
            notify_user=notify,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self.session.add(delivery)
        self.session.flush()
        self._queued = True
        return delivery

    def act(
        self,
        actor: Actor,
        action: Action,
        target: Item | Team | Goal | None,
        now: datetime,
        *,
        object_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """The one door for writes: check the permissions matrix, then write the audit row.

        A refusal raises, and the transaction (this row with it) is rolled back; so is the
        row when a later step of the use case refuses.
        """
        object_type, object_id = self.permit(actor, action, target, object_id)
        entry = AuditEntry(
            workspace_id=actor.workspace_id,
            actor_id=actor.user_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            at=now,
            detail=detail,
        )
        self.session.add(entry)
        self._entries.append(entry)
        return entry

    def permit(
        self,
        actor: Actor,
        action: Action,
        target: Item | Team | Goal | None,
        object_id: int | None = None,
    ) -> tuple[str, int | None]:
        """Raise the refusal if the matrix says no; otherwise what the action is about."""
        team_id = None if actor.system else self.team_of(actor.workspace_id, actor.user_id)
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
        return self.session.scalar(
            select(Member.team_id).where(
                Member.workspace_id == workspace_id, Member.user_id == user_id
            )
        )

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
