"""Slack failing as it does in production, and every post still in Slack exactly once.

The fake Slack fails about 30% of calls (429 with Retry-After, 500, and calls it takes but
never answers, held past the client's 1 s timeout), then goes down (connections refused),
then comes back. A kill -9 with posts in flight, then a restart. Counted in the fake's own
workspace: each delivery's id is in its message's metadata.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import Served, serve, settings_for, wait_until
from fake_slack import FakeSlack
from sqlalchemy import select
from test_schedule_e2e import cli_env

from bot.delivery import MAX_BACKOFF
from bot.sandbox.workspace import TEAM_ID, dm_channel
from storage.enums import DeliveryKind
from storage.models import Delivery
from storage.teams import ensure_workspace
from storage.uow import Database

CHANNELS = [f"C_F{n}" for n in range(10)]
PEOPLE = [f"U_P{n}" for n in range(4)]
RETRY_AFTER = 2
SENT_KINDS = (DeliveryKind.POST, DeliveryKind.THREAD, DeliveryKind.DM)


@pytest.fixture
def busy(fake: FakeSlack, db_url: str) -> Iterator[Served]:
    served = serve(settings_for(fake, db_url, delivery_workers=8))
    yield served
    served.runtime.stop()


def queue(db: Database, kind: DeliveryKind, channel: str, text: str, ref: int | None = None) -> int:
    now = datetime.now(UTC)
    with db.unit_of_work() as uow:
        ensure_workspace(uow.session, TEAM_ID, now)
        return uow.queue(TEAM_ID, kind, channel, {"text": text}, now, ref=ref)


def rows(db: Database) -> list[Delivery]:
    with db.unit_of_work() as uow:
        return list(uow.session.scalars(select(Delivery).order_by(Delivery.id)))


def all_sent(db: Database) -> list[Delivery] | None:
    found = rows(db)
    return found if all(row.status == "sent" for row in found) else None


def refused(db: Database) -> list[Delivery]:
    return [row for row in rows(db) if row.last_error == "connection_refused"]


def key(row: Delivery) -> str:
    """The channel the fake records a row's message in."""
    return dm_channel(row.channel) if row.kind == DeliveryKind.DM else row.channel


def test_thirty_percent_failures_then_an_outage_lose_nothing_and_double_nothing(
    busy: Served, fake: FakeSlack
) -> None:
    db = busy.runtime.db
    # Slack healthy: a message in four channels, a DM to each person (their DM channel).
    parents = [queue(db, DeliveryKind.POST, c, f"parent {c}") for c in CHANNELS[:4]]
    for person in PEOPLE:
        queue(db, DeliveryKind.DM, person, f"hello {person}")
    busy.runtime.worker.wake()
    wait_until(lambda: all_sent(db), timeout=20)

    fake.hold_seconds = 1.5  # a taken-but-unanswered call outlasts SLACK_API_TIMEOUT=1
    fake.chaos(0.3, retry_after=RETRY_AFTER)
    for n in range(10):  # at one post per second, ten seconds of work in each channel
        for channel in CHANNELS:
            queue(db, DeliveryKind.POST, channel, f"post {n} to {channel}")
    for n, parent in enumerate(parents * 2):
        queue(db, DeliveryKind.THREAD, CHANNELS[n % 4], f"reply {n}", ref=parent)
        queue(db, DeliveryKind.DM, PEOPLE[n % 4], f"dm {n}", ref=parent)
    busy.runtime.worker.wake()
    wait_until(lambda: len([c for c in fake.calls(include_failed=True) if c.failed]) >= 20, 30)

    fake.chaos(0)
    fake.go_down()
    wait_until(lambda: len(refused(db)) >= 10, timeout=30)
    back = time.time()
    waiting = {key(row) for row in rows(db) if row.status == "pending"}
    fake.come_back()
    done = wait_until(lambda: all_sent(db), timeout=60)

    # Nothing lost, nothing twice: each row's message is in Slack exactly once.
    delivered = fake.delivered()
    assert {row.id: delivered[row.id] for row in done if row.kind in SENT_KINDS} == {
        row.id: 1 for row in done if row.kind in SENT_KINDS
    }
    calls = fake.calls(include_failed=True)
    failures = {c.failed for c in calls if c.failed}
    assert {"429", "500", "posted_timeout"} <= failures, failures
    # A call taken but unanswered was looked for, not repeated.
    assert fake.calls("conversations.history")
    # Retry-After: a channel's next post came no sooner than Slack asked.
    posts = [c for c in calls if c.method == "chat.postMessage"]
    for n, call in enumerate(posts):
        if call.failed == "429":
            later = [c for c in posts[n + 1 :] if c.body["channel"] == call.body["channel"]]
            assert later and later[0].at - call.at >= RETRY_AFTER - 0.01, call
    # The pace, from the fake's own clock: at most one message per second per channel.
    for channel, times in fake.post_times.items():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps, default=1.0) >= 1.0, (channel, gaps)
    # Recovery: once a call gets through, every waiting channel flows within seconds.
    after = {c: [t for t in times if t >= back] for c, times in fake.post_times.items()}
    first = min(times[0] for times in after.values() if times)
    assert first - back <= MAX_BACKOFF * 1.2 + 2
    # A channel whose waiting row had reached Slack before the outage (its answer lost) only
    # needed the row recorded, once found there: no new post is due in it.
    flowing = {c for c in waiting if after.get(c)}
    assert flowing and {c: after[c][0] - first <= 4 for c in flowing} == dict.fromkeys(
        flowing, True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_run(fake: FakeSlack, db_url: str, cwd: Path, port: int) -> subprocess.Popen[str]:
    env = cli_env(fake, db_url, cwd) | {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DELIVERY_WORKERS": "8",
        "SCHEDULER_ENABLED": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_a_kill_9_with_posts_in_flight_loses_nothing_and_doubles_nothing(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    ids = [
        queue(db, DeliveryKind.POST, channel, f"post {n} to {channel}")
        for n in range(3)
        for channel in CHANNELS[:8]
    ]
    fake.answer_delay = 0.7  # Slack takes each post at once and answers late
    port = free_port()
    first = start_run(fake, db_url, tmp_path, port)
    try:
        wait_until(lambda: len(fake.calls("chat.postMessage")) >= 10, timeout=30)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    in_slack = fake.delivered()
    recorded = {row.id for row in rows(db) if row.status == "sent"}
    assert set(in_slack) - recorded, "no post was in flight when the process was killed"

    fake.answer_delay = 0
    again = start_run(fake, db_url, tmp_path, port)
    try:
        done = wait_until(lambda: all_sent(db), timeout=45)
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(15)
    assert fake.delivered() == dict.fromkeys(ids, 1)
    assert {row.result_ts for row in done} == {m.ts for m in fake.workspace.messages if m.metadata}
    assert fake.calls("conversations.history")  # the unrecorded ones were looked for


def settled(db: Database, delivery_id: int, status: str = "sent") -> Delivery:
    def check() -> Delivery | None:
        [row] = [r for r in rows(db) if r.id == delivery_id]
        return row if row.status == status else None

    return wait_until(check, timeout=20)


@pytest.mark.parametrize("mode", ["posted_timeout", "500", "timeout"])
def test_a_call_whose_outcome_is_unknown_is_looked_for_then_sent_once(
    busy: Served, fake: FakeSlack, mode: str
) -> None:
    db = busy.runtime.db
    parent = queue(db, DeliveryKind.POST, "C_F0", "parent")
    busy.runtime.worker.wake()
    settled(db, parent)
    fake.hold_seconds = 1.5
    fake.fail_next("chat.postMessage", mode)
    reply = queue(db, DeliveryKind.THREAD, "C_F0", "reply", ref=parent)
    busy.runtime.worker.wake()

    row = settled(db, reply)
    assert fake.delivered()[reply] == 1
    [looked] = fake.calls("conversations.replies")
    assert looked.body["include_all_metadata"] in (True, "true", "1")
    [message] = [m for m in fake.workspace.messages if m.thread_ts]
    assert (row.result_channel, row.result_ts) == ("C_F0", message.ts)
    posted = fake.calls("chat.postMessage", include_failed=True)
    # Found in Slack: recorded, not posted again. Not found: posted once more.
    assert len(posted) == (2 if mode == "posted_timeout" else 3)


def test_a_dm_that_may_have_gone_out_to_an_unknown_dm_channel_is_never_sent_twice(
    busy: Served, fake: FakeSlack
) -> None:
    db = busy.runtime.db
    fake.hold_seconds = 1.5
    fake.fail_next("chat.postMessage", "posted_timeout")
    dm = queue(db, DeliveryKind.DM, "U_NEW", "first words to a new person")
    busy.runtime.worker.wake()

    row = settled(db, dm, "failed")
    assert row.last_error == "outcome_unknown"
    assert fake.delivered()[dm] == 1
    assert len(fake.calls("chat.postMessage", include_failed=True)) == 1
    # Once a DM to them is answered, their DM channel is known and can be looked in.
    second = queue(db, DeliveryKind.DM, "U_NEW", "second")
    busy.runtime.worker.wake()
    settled(db, second)
    fake.fail_next("chat.postMessage", "posted_timeout")
    third = queue(db, DeliveryKind.DM, "U_NEW", "third")
    busy.runtime.worker.wake()
    settled(db, third)
    assert fake.delivered()[third] == 1
    [looked] = fake.calls("conversations.history")
    assert looked.body["channel"] == dm_channel("U_NEW")


def test_a_rate_limited_permalink_delays_the_dm_by_its_retry_after(
    busy: Served, fake: FakeSlack
) -> None:
    db = busy.runtime.db
    parent = queue(db, DeliveryKind.POST, "C_F0", "parent")
    busy.runtime.worker.wake()
    settled(db, parent)
    fake.fail_next("chat.getPermalink", "429", retry_after=2)
    dm = queue(db, DeliveryKind.DM, "U_P0", "about the parent", ref=parent)
    busy.runtime.worker.wake()

    row = settled(db, dm)
    [limited] = fake.calls("chat.getPermalink", include_failed=True)[:1]
    [post] = [c for c in fake.calls("chat.postMessage") if c.body["channel"] == "U_P0"]
    assert limited.failed == "429" and post.at - limited.at >= 2
    assert "archives" in str(post.body["blocks"])
    assert row.attempts == 2 and row.last_error is None
