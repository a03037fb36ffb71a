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


READING = "liaison_reading"  # an execution option: this connection only reads


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
        # taking the write lock up front makes concurrent writers queue instead. A snapshot
        # (`Database.reading`) never writes, so it takes no lock and waits for no writer.
        reading = connection.get_execution_options().get(READING, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if reading else "BEGIN IMMEDIATE")


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
    this process (delivery, the scheduled passes) writes between requests.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    path = engine.url.database
    if not path or path == ":memory:":
        return threading.Lock()
    return WriterLock(f"{path}-writer", background=background)


class WriterLock:
    """This process's threads take turns on a lock; processes take turns on an flock.

    While any request of this process waits for the lock or holds it, the process holds a
    shared lock on a second file (the gate); a background process must take the gate
    exclusively before it may queue for the lock. So delivery writes in the gaps between
    requests, and a request waits at most for the one delivery transaction under way, never
    behind a run of them (Monday's digests are thousands of transactions in a row). Under
    an overload that leaves no gap, delivery waits for one: acknowledgements first.
    """

    def __init__(self, path: str, *, background: bool = False) -> None:
        self._paths = (path, f"{path}-gate")
        self._background = background
        self._threads = threading.Lock()  # one transaction of this process at a time
        self._state = threading.Lock()  # guards the files and the count below
        self._requests = 0  # this process's requests waiting or writing, under the gate
        self._fds = (-1, -1)  # opened on first use, again after close (an engine outlives dispose)

    def __enter__(self) -> WriterLock:
        if not self._background:
            self._pass_gate()
        try:
            self._threads.acquire()
            try:
                with self._state:
                    lock, gate = self._opened()
                if self._background:
                    fcntl.flock(gate, fcntl.LOCK_EX)
                    try:
                        fcntl.flock(lock, fcntl.LOCK_EX)
                    finally:
                        fcntl.flock(gate, fcntl.LOCK_UN)
                else:
                    fcntl.flock(lock, fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise
        except BaseException:
            if not self._background:
                self._leave_gate()
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
        if not self._background:
            self._leave_gate()

    def _pass_gate(self) -> None:
        # flock belongs to the open file, not the thread: the first request in takes the
        # shared lock for all of them and the last one out releases it.
        with self._state:
            if self._requests == 0:
                fcntl.flock(self._opened()[1], fcntl.LOCK_SH)
            self._requests += 1

    def _leave_gate(self) -> None:
        with self._state:
            self._requests -= 1
            if self._requests == 0 and self._fds[1] >= 0:  # closing the file released it
                fcntl.flock(self._fds[1], fcntl.LOCK_UN)

    def _opened(self) -> tuple[int, int]:
        if self._fds[0] < 0:
            lock, gate = (
                os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600) for path in self._paths
            )
            self._fds = (lock, gate)
        return self._fds

    def close(self) -> None:
        with self._threads, self._state:
            for fd in self._fds:
                if fd >= 0:
                    os.close(fd)
            self._fds = (-1, -1)
