"""What an operator sees of the queue: `deliveries list` and `retry`, and a stale queue in
/healthz and the log."""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Served
from sqlalchemy import select

from bot.cli import main
from handlers.messages import SlackRenderer
from storage.enums import Action, DeliveryKind
from storage.models import AuditEntry, Delivery, Workspace
from storage.outbox import Fail, Outbox, Sent
from storage.teams import ensure_workspace
from storage.uow import Database

WS = "T0001"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECRET_TEXT = "Dr. Lee prefers Tuesdays"


@pytest.fixture
def queued(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    with db.unit_of_work() as uow:
        ensure_workspace(uow.session, WS, NOW)
        ids = {
            name: uow.queue(WS, DeliveryKind.POST, channel, {"text": SECRET_TEXT}, NOW)
            for name, channel in [("sent", "C_A"), ("failed", "C_B"), ("pending", "C_C")]
        }
    outbox = Outbox(db, SlackRenderer())
    outbox.claim_many(NOW, timedelta(minutes=2), 3)
    outbox.settle([Sent(ids["sent"], "C_A", "1.1"), Fail(ids["failed"], "not_in_channel")], NOW)
    return ids


def retries(db: Database) -> list[AuditEntry]:
    with db.unit_of_work() as uow:
        query = select(AuditEntry).where(AuditEntry.action == Action.RETRY)
        return list(uow.session.scalars(query))


def listed(capsys: pytest.CaptureFixture[str], *flags: str) -> dict[int, list[str]]:
    assert main(["deliveries", "list", *flags]) == 0
    out = capsys.readouterr().out
    assert SECRET_TEXT not in out  # never the text
    lines = [line.split("\t") for line in out.splitlines()[1:-1]]
    return {int(cells[0]): cells for cells in lines}


def test_list_shows_what_is_stuck_without_its_text(
    queued: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    stuck = listed(capsys)
    assert sorted(stuck) == [queued["failed"], queued["pending"]]
    assert stuck[queued["failed"]] == [
        str(queued["failed"]), WS, "post", "C_B", "1", "failed",
        NOW.isoformat(), "-", "not_in_channel",
    ]  # fmt: skip
    assert stuck[queued["pending"]][4:8] == ["1", "pending", NOW.isoformat(), NOW.isoformat()]
    assert sorted(listed(capsys, "--failed")) == [queued["failed"]]
    assert sorted(listed(capsys, "--pending")) == [queued["pending"]]
    assert listed(capsys, "--suspended") == {}


def test_list_suspended_shows_the_rows_held_for_a_refused_token(
    queued: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.unit_of_work() as uow:
        uow.session.get_one(Workspace, WS).suspended_at = NOW
    assert sorted(listed(capsys, "--suspended")) == [queued["pending"]]


def test_retry_makes_a_failed_row_pending_and_due_now_and_audits_it(
    queued: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = queued["failed"]
    assert main(["deliveries", "retry", str(failed)]) == 0
    assert f"Delivery {failed} is pending again" in capsys.readouterr().out

    with db.unit_of_work() as uow:
        row = uow.session.get_one(Delivery, failed)
        assert (row.status, row.attempts, row.last_error) == ("pending", 0, None)
        assert row.next_attempt_at > NOW
        [entry] = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == Action.RETRY)
        ).all()
        assert (entry.object_type, entry.object_id, entry.actor_id) == (
            "delivery",
            failed,
            "system",
        )
        assert entry.detail == {"error": "not_in_channel"}
    assert sorted(listed(capsys, "--failed")) == []


@pytest.mark.parametrize("which", ["sent", "pending", "missing"])
def test_retry_refuses_a_row_that_is_not_failed_in_one_line(
    queued: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    target = queued.get(which, 999)
    assert main(["deliveries", "retry", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Only a failed delivery is retried" in err
    assert (f"is {which}" if which != "missing" else "there is no delivery 999") in err
    with db.unit_of_work() as uow:
        assert not uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == Action.RETRY)
        ).all()


def healthz(app: Served) -> dict[str, object]:
    with urllib.request.urlopen(f"{app.url}/healthz", timeout=10) as response:
        assert response.status == 200
        body: dict[str, object] = json.loads(response.read())
        return body


def test_a_stale_queue_shows_in_healthz_and_is_logged_once_each_way(
    app: Served, caplog: pytest.LogCaptureFixture
) -> None:
    assert healthz(app) | {"slack": None} == {
        "ok": True, "pending_deliveries": 0, "slack": None,
        "oldest_pending_seconds": None, "queue": "ok",
    }  # fmt: skip
    app.runtime.worker.stop()  # nothing is delivered meanwhile
    old = datetime.now(UTC) - timedelta(seconds=400)  # QUEUE_STALE_SECONDS is 300
    with app.runtime.db.unit_of_work() as uow:
        ensure_workspace(uow.session, WS, old)
        row = uow.queue(WS, DeliveryKind.POST, "C_A", {"text": "late"}, old)

    with caplog.at_level(logging.INFO, logger="bot.queue_health"):
        first, second = healthz(app), healthz(app)
        assert first["queue"] == second["queue"] == "stale"
        assert 400 <= float(str(first["oldest_pending_seconds"])) < 460
        assert first["pending_deliveries"] == 1
        app.runtime.services.outbox.settle([Sent(row, "C_A", "1.1")], datetime.now(UTC))
        assert healthz(app)["queue"] == "ok"
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.queue_health"]
    assert [level for level, _ in said] == ["WARNING", "INFO"]
    assert "stale" in said[0][1] and "QUEUE_STALE_SECONDS" in said[0][1]
