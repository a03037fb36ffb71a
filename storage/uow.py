"""One transaction per use case, with the Slack posts it causes written inside it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_session_factory
from storage.models import AuditEntry, Delivery
from storage.ports import Payload


class Database:
    """The engine, its sessions, and whom to tell that new deliveries were committed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_session_factory(engine)
        self.on_queued: Callable[[], None] = lambda: None
        # SQLite runs one writer at a time and makes the others poll with sleeps of up to
        # 100 ms; queueing this process's transactions on a lock instead keeps them fast.
        # (Correctness never depends on it: other processes still meet SQLite's own lock.)
        sqlite = engine.dialect.name == "sqlite"
        self.serial: AbstractContextManager[object] = threading.Lock() if sqlite else nullcontext()

    @classmethod
    def from_url(cls, url: str, pool_size: int = 10) -> Database:
        return cls(make_engine(url, pool_size=pool_size))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._queued = False
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
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()
            self._db.serial.__exit__(None, None, None)
        if exc_type is None and self._queued:
            self._db.on_queued()

    def queue(
        self,
        workspace_id: str,
        kind: str,
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
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self.session.add(delivery)
        self.session.flush()
        self._queued = True
        return delivery

    def audit(
        self,
        workspace_id: str,
        actor_id: str,
        action: str,
        object_type: str,
        object_id: int | None,
        now: datetime,
    ) -> None:
        self.session.add(
            AuditEntry(
                workspace_id=workspace_id,
                actor_id=actor_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                at=now,
            )
        )
