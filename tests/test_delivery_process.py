"""`liaison-bridge run` delivers from a child process: restarted when it dies, gone when
`run` is killed, stopped with `run`."""

from __future__ import annotations

import os
import signal
import urllib.request
from pathlib import Path

from conftest import wait_until
from fake_slack import FakeSlack
from prometheus_client.parser import text_string_to_metric_families
from test_delivery_faults import all_sent, free_port, queue, start_run

from storage.enums import DeliveryKind
from storage.uow import Database


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            found += [int(child) for child in listed.read().split()]
    return found


def delivering(pid: int) -> int | None:
    """The child of `run` that delivers (multiprocessing may add a helper of its own)."""
    for child in children(pid):
        with open(f"/proc/{child}/cmdline", "rb") as cmdline:
            argv = cmdline.read()
        if b"spawn_main" in argv and b"resource_tracker" not in argv:
            return child
    return None


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # exited, not yet reaped
    except FileNotFoundError:
        return True


def test_a_killed_delivery_process_is_restarted_and_delivers(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    run = start_run(fake, db_url, tmp_path, free_port())
    try:
        first = wait_until(lambda: delivering(run.pid), timeout=30)
        os.kill(first, signal.SIGKILL)
        second = wait_until(lambda: (c := delivering(run.pid)) != first and c, timeout=30)
        assert second != first
        sent = queue(db, DeliveryKind.POST, "C_F1", "after the restart")
        wait_until(lambda: all_sent(db), timeout=30)
        assert fake.delivered() == {sent: 1}
    finally:
        run.send_signal(signal.SIGTERM)
        run.wait(20)
    assert run.returncode == 0
    assert gone(second)


def test_killing_run_with_9_takes_its_delivery_process_with_it(
    db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    run = start_run(fake, db_url, tmp_path, free_port())
    try:
        child = wait_until(lambda: delivering(run.pid), timeout=30)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(10)
    finally:
        run.kill()
    assert wait_until(lambda: gone(child), timeout=10)


def sent_count(port: int) -> float | None:
    """`liaison_deliveries_total{outcome="sent"}` as `run` serves it; None while it is down."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            scraped = answer.read().decode()
    except OSError:
        return None
    return sum(
        sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
        if sample.name == "liaison_deliveries_total" and sample.labels == {"outcome": "sent"}
    )


def test_metrics_count_the_posts_the_delivery_process_made(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    run = start_run(fake, db_url, tmp_path, port)
    try:
        assert wait_until(lambda: sent_count(port), timeout=30) == 0
        for n in range(3):
            queue(db, DeliveryKind.POST, "C_F1", f"post {n}")
        wait_until(lambda: all_sent(db), timeout=30)
        assert sent_count(port) == 3
    finally:
        run.send_signal(signal.SIGTERM)
        run.wait(20)
    assert run.returncode == 0
