"""Monday fan-out: 1,000 workspaces, each with two team channels, all due at the same
minute. The fake Slack answers each call after 200 ms and allows one message per second
per channel (429 with Retry-After beyond that). The app runs as `liaison-bridge run`.

    python -m bench.fanout [--quick] [--workers N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.common import FakeSlack, databases, save, start_app, table
from bench.seed import open_db, person, workspace
from storage.enums import DeliveryStatus, ItemKind, State
from storage.models import Delivery, Question, Update
from storage.uow import Database


def seed(db: Database, count: int, now: datetime) -> None:
    """`count` workspaces whose digest is due a minute ago, each with a little news."""
    due = now - timedelta(minutes=1)
    schedule = {
        "timezone": "UTC",
        "digest_weekday": due.weekday(),
        "digest_time": due.strftime("%H:%M"),
    }
    for n in range(count):
        ws = f"T{n:05d}"
        teams = workspace(db, ws, now - timedelta(days=8), members=2, **schedule)
        with db.unit_of_work() as uow:
            uow.session.execute(
                insert(Update),
                [
                    {
                        "workspace_id": ws,
                        "kind": ItemKind.UPDATE,
                        "from_team_id": teams[key],
                        "to_team_id": teams[other],
                        "author_id": person(ws, "marketing", 1),
                        "text": f"{key} plan for the week",
                        "status": State.SHARED,
                        "created_at": now - timedelta(days=1),
                    }
                    for key, other in (("marketing", "liaison"), ("liaison", "marketing"))
                ],
            )
            uow.session.execute(
                insert(Question),
                [
                    {
                        "workspace_id": ws,
                        "kind": ItemKind.QUESTION,
                        "from_team_id": teams["marketing"],
                        "to_team_id": teams["liaison"],
                        "author_id": person(ws, "marketing", 1),
                        "text": "Which offices should we visit first?",
                        "status": State.OPEN,
                        "created_at": now - timedelta(hours=2),
                        "last_asked_at": now - timedelta(hours=2),
                    }
                ],
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 workspaces instead of 1,000")
    parser.add_argument("--workers", type=int, default=16, help="DELIVERY_WORKERS for the app")
    args = parser.parse_args(argv)
    count = 50 if args.quick else 1000
    results: dict[str, Any] = {"workspaces": count, "workers": args.workers, "runs": {}}
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    for label, url in databases(tmp, "fanout"):
        db = open_db(url)
        seed(db, count, datetime.now(UTC))
        fake = FakeSlack()
        fake.latency = 0.2
        fake.per_channel_rate = 1.0
        fake.start()
        began, began_wall = time.monotonic(), time.time()
        app = start_app(url, fake, DELIVERY_WORKERS=str(args.workers))
        try:
            finished = wait_for_delivery(db, began, timeout=600)
        finally:
            rss = app.peak_rss_mb()
            app.stop()
            fake.stop()
        parents = Counter(
            c.body["channel"] for c in fake.calls("chat.postMessage") if "thread_ts" not in c.body
        )
        replies = [c for c in fake.calls("chat.postMessage") if "thread_ts" in c.body]
        with db.unit_of_work() as uow:
            queued = uow.session.scalar(select(func.count()).select_from(Delivery)) or 0
        last_parent = max(
            (c.at for c in fake.calls("chat.postMessage") if "thread_ts" not in c.body),
            default=0.0,
        )
        r = {
            "digests": len(parents),
            "exactly_once": len(parents) == 2 * count and set(parents.values()) == {1},
            "thread_replies": len(replies),
            "slack_calls_queued": queued,
            "all_delivered": finished is not None,
            "seconds_to_last_parent": last_parent - began_wall if last_parent else None,
            "seconds_to_last_post": finished,
            "rate_limited_429": fake.rate_limited,
            "peak_rss_mb": rss,
        }
        results["runs"][label] = r
        rows.append(
            [
                label,
                r["digests"],
                r["exactly_once"],
                r["thread_replies"],
                r["seconds_to_last_parent"],
                r["seconds_to_last_post"],
                r["rate_limited_429"],
                r["peak_rss_mb"],
            ]
        )
        db.dispose()
    print(f"{count} workspaces x 2 channels due at once; Slack: 200 ms a call, 1 msg/s/channel")
    print(
        table(
            [
                "db",
                "digests",
                "exactly once",
                "thread replies",
                "last digest s",
                "last post s",
                "429s",
                "peak RSS MB",
            ],
            rows,
        )
    )
    print(f"written: {save('fanout-quick' if args.quick else 'fanout', results)}")
    return 0


def wait_for_delivery(db: Database, began: float, timeout: float) -> float | None:
    """Seconds from the app's start until nothing is left to send, or None on timeout."""
    seen_work = False
    while time.monotonic() - began < timeout:
        with db.unit_of_work() as uow:
            total = uow.session.scalar(select(func.count()).select_from(Delivery)) or 0
            waiting = Delivery.status == DeliveryStatus.PENDING
            pending = (
                uow.session.scalar(select(func.count()).select_from(Delivery).where(waiting)) or 0
            )
        seen_work = seen_work or total > 0
        if seen_work and pending == 0:
            return time.monotonic() - began
        time.sleep(0.2)
    return None


if __name__ == "__main__":
    sys.exit(main())
