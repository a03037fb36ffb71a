"""The delivery worker's own promises, with a stand-in for Slack that the test controls."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from conftest import wait_until
from sqlalchemy import select

from bot.delivery import DeliveryWorker, SlackSender
from handlers.messages import SlackRenderer
from storage.enums import DeliveryKind, DeliveryStatus
from storage.models import Delivery
from storage.outbox import Job, Outbox
from storage.teams import ensure_workspace
from storage.uow import Database

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


class HeldSlack(SlackSender):
    """Answers each call only when the test lets it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def send(self, job: Job) -> tuple[str | None, str | None]:
        self.calls += 1
        self.started.set()
        assert self.release.wait(10)
        return job.channel, "1700000000.000100"


def test_a_call_under_way_when_the_worker_stops_is_recorded_not_repeated(db: Database) -> None:
    with db.unit_of_work() as uow:
        ensure_workspace(uow.session, "T0001", NOW)
        row = uow.queue("T0001", DeliveryKind.POST, "C_LIA", {"text": "hello"}, NOW)
    slack = HeldSlack()
    outbox = Outbox(db, SlackRenderer())
    worker = DeliveryWorker(outbox, slack, senders=2)
    worker.start()
    assert slack.started.wait(10)

    stopping = threading.Thread(target=worker.stop)
    stopping.start()
    slack.release.set()
    stopping.join(10)

    with db.unit_of_work() as uow:
        status = uow.session.scalar(select(Delivery.status).where(Delivery.id == row))
    assert status == DeliveryStatus.SENT
    assert slack.calls == 1
    assert outbox.claim_many(datetime.now(UTC), worker._lease, 1) == []
    assert wait_until(lambda: not stopping.is_alive(), timeout=1)
