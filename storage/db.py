"""Engine set-up for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and use psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )
        _tune_sqlite(engine)
        return engine
    # hide_parameters: errors in the logs must not carry what users wrote.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping round trip per checkout: after a database restart the first use of a
        # dead connection fails and invalidates the whole pool, and the request it served is
        # run once more on a fresh connection (see `connection_lost`). A ping would not
        # cover a connection killed in the middle of a transaction anyway.
        pool_recycle=1800,
        hide_parameters=True,
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transactions (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that later writes can fail with SQLITE_BUSY without waiting;
        # taking the write lock up front makes concurrent writers queue instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def connection_lost(error: BaseException) -> bool:
    """The database dropped the connection (a restart, terminated backends). The pool is
    invalidated by then, so trying the use case once more gets a fresh connection."""
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def writer_lock(engine: Engine, *, background: bool = False) -> AbstractContextManager[object]:
    """What a transaction holds while it runs: SQLite's writers one at a time.

    SQLite makes a writer that finds the file locked poll with sleeps of up to 100 ms;
    waiting on a lock instead wakes it the moment the other writer is done. `run`'s request
    and delivery processes write one file, so the lock spans processes (an flock on a side
    file). Correctness never depends on it: SQLite's own lock still decides. `background`:
    this process (delivery, the scheduled passes) lets a waiting request go first.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    path = engine.url.database
    if not path or path == ":memory:":
        return threading.Lock()
    return WriterLock(f"{path}-writer", background=background)


class WriterLock:
    """This process's threads take turns on a lock; processes take turns on an flock.

    A request waiting for the lock holds a shared lock on a second file (the gate) while it
    waits; a background process must take the gate exclusively before it may queue for the
    lock. So a request waits at most for the transaction under way, never behind a run of
    delivery's (Monday's digests are hundreds of transactions in a row).
    """

    def __init__(self, path: str, *, background: bool = False) -> None:
        self._paths = (path, f"{path}-gate")
        self._gate_mode = fcntl.LOCK_EX if background else fcntl.LOCK_SH
        self._threads = threading.Lock()
        self._fds = (-1, -1)  # opened on first use, again after close (an engine outlives dispose)

    def __enter__(self) -> WriterLock:
        self._threads.acquire()
        try:
            if self._fds[0] < 0:
                self._fds = tuple(  # type: ignore[assignment]
                    os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                    for path in self._paths
                )
            lock, gate = self._fds
            fcntl.flock(gate, self._gate_mode)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
            finally:
                fcntl.flock(gate, fcntl.LOCK_UN)
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        fcntl.flock(self._fds[0], fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        with self._threads:
            for fd in self._fds:
                if fd >= 0:
                    os.close(fd)
            self._fds = (-1, -1)
