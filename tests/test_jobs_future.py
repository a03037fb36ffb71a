"""`jobs run` for a future instant sends what it queued now, not at that instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fake_slack import FakeSlack
from sqlalchemy import select
from test_schedule_e2e import START, build, queued_count, run_cli, seed_week

from storage.models import Delivery
from storage.uow import Database


def test_a_future_week_is_sent_at_once(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    seed_week(build(db, START), START)
    future = datetime.now(UTC) + timedelta(days=60)

    code, out, err = run_cli(
        fake,
        db_url,
        tmp_path,
        "jobs",
        "run",
        "digest",
        "--at",
        future.isoformat(),
        "--timeout",
        "30",
    )

    assert code == 0, err
    assert queued_count(out) > 0
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(select(Delivery)).all()
    assert {r.status for r in rows} == {"sent"}
    # Due on the real clock, not at --at (where they would have headed their channels).
    assert all(r.next_attempt_at < future - timedelta(days=1) for r in rows)
    assert fake.calls("chat.postMessage")
