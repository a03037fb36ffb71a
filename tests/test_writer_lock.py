"""On a SQLite file, a request waiting to write goes before delivery's next transaction.

Each side is its own WriterLock on the same file, as `run`'s request and delivery processes
are (flock locks belong to the open file, so two in one process contend as two processes
would). Who is waiting is read from /proc/locks, never guessed from a sleep.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from storage.db import WriterLock

pytestmark = pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs /proc/locks")


def waiting_on(path: Path) -> int:
    """How many lock requests on this file are blocked (/proc/locks marks them '->')."""
    inode = os.stat(path).st_ino
    return sum(
        1
        for line in Path("/proc/locks").read_text().splitlines()
        if "->" in line and line.split()[-3].endswith(f":{inode}")
    )


def until(condition: Callable[[], bool]) -> None:
    """Wait for another thread to get where the test needs it (it gets there at once)."""
    done = threading.Event()
    for _ in range(2000):
        if condition():
            return
        done.wait(0.005)
    raise AssertionError("the other thread never got there")


def write(name: str, lock: WriterLock, order: list[str]) -> threading.Thread:
    """A transaction in a thread of its own; it notes its turn when it has the lock."""

    def run() -> None:
        with lock:
            order.append(name)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_waiting_request_goes_before_delivery_that_came_later(tmp_path: Path) -> None:
    path = tmp_path / "app.db-writer"
    holder, request = WriterLock(str(path)), WriterLock(str(path))
    delivery = WriterLock(str(path), background=True)
    order: list[str] = []

    with holder:  # a transaction under way
        first = write("request", request, order)
        until(lambda: waiting_on(path) == 1)  # the request waits for the lock
        second = write("delivery", delivery, order)
        until(lambda: waiting_on(Path(f"{path}-gate")) == 1)  # delivery waits at the gate
    first.join(5)
    second.join(5)
    assert order == ["request", "delivery"]
    for lock in (holder, request, delivery):
        lock.close()


def test_delivery_that_was_waiting_first_still_goes_first(tmp_path: Path) -> None:
    """The gate only keeps delivery from queueing again behind a waiting request; it
    never takes a place from a transaction already waiting (nothing waits forever)."""
    path = tmp_path / "app.db-writer"
    # Another background writer (the `scheduler` command) has a transaction under way.
    holder, request = WriterLock(str(path), background=True), WriterLock(str(path))
    delivery = WriterLock(str(path), background=True)
    order: list[str] = []

    with holder:
        first = write("delivery", delivery, order)
        until(lambda: waiting_on(path) == 1)  # delivery passed the gate, waits for the lock
        second = write("request", request, order)
        until(lambda: waiting_on(Path(f"{path}-gate")) == 1)  # the request waits at the gate
    first.join(5)
    second.join(5)
    assert order == ["delivery", "request"]
    for lock in (holder, request, delivery):
        lock.close()


def test_delivery_writes_in_a_gap_between_requests_not_between_two_of_them(tmp_path: Path) -> None:
    """The request process's threads share one WriterLock: while one of them writes and
    another waits behind it, delivery waits at the gate, and goes after both."""
    path = tmp_path / "app.db-writer"
    requests = WriterLock(str(path))
    delivery = WriterLock(str(path), background=True)
    order: list[str] = []

    with requests:  # one request's transaction under way
        late = write("delivery", delivery, order)
        until(lambda: waiting_on(Path(f"{path}-gate")) == 1)  # at the gate, not at the lock
        assert waiting_on(path) == 0
        queued = write("request", requests, order)  # the next request, in this process
        until(lambda: requests._requests == 2)  # it is in, waiting for this one's turn
    queued.join(5)
    late.join(5)
    assert order == ["request", "delivery"]
    for lock in (requests, delivery):
        lock.close()
