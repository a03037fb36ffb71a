"""The digest is built in a fixed, small number of SQL statements, whatever the history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from handlers.messages import SlackRenderer
from storage.services import Services
from storage.uow import Database

WS = "T0001"
START = datetime(2026, 10, 1, 13, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def activity(services: Services, rounds: int, since: datetime) -> None:
    """Each round: an update each way, two questions (one answered), two offers (one taken)."""
    s = services
    for n in range(rounds):
        at = since + timedelta(hours=n)
        s.updates.share(WS, "U_M1", f"Marketing update {n}", at)
        s.updates.share(WS, "U_L1", f"Liaison update {n}", at)
        s.questions.ask(WS, "U_L1", f"Open question {n}", at)
        answered = s.questions.ask(WS, "U_M1", f"Answered question {n}", at).item_id
        s.questions.answer(WS, answered, "U_L1", "An answer", at + timedelta(minutes=5))
        s.offers.offer(WS, "U_L1", f"Open offer {n}", at)
        taken = s.offers.offer(WS, "U_M1", f"Taken offer {n}", at).item_id
        s.offers.accept(WS, taken, "U_L1", at + timedelta(minutes=5))


def statements_for_digest(db: Database, services: Services) -> int:
    services.digests.preview(WS, "marketing", NOW)  # as warm as a running app
    with counting(db) as seen:
        view = services.digests.preview(WS, "marketing", NOW)
    assert view.updates.total and view.waiting.total and view.offers.total
    return len(seen)


def test_building_a_digest_takes_the_same_few_statements_as_history_grows(db: Database) -> None:
    services = Services.build(db, SlackRenderer())
    services.teams.set_channel(WS, "marketing", "C_MKT", "U_ADMIN", START)
    services.teams.set_channel(WS, "liaison", "C_LIA", "U_ADMIN", START)
    services.teams.join(WS, "U_M1", "marketing", START)
    services.teams.join(WS, "U_L1", "liaison", START)

    activity(services, 2, NOW - timedelta(days=2))
    small = statements_for_digest(db, services)
    # Older history, and far more items in this week's lists than a digest shows.
    activity(services, 20, START)
    activity(services, 40, NOW - timedelta(days=5))
    large = statements_for_digest(db, services)

    assert small == large
    assert large <= 10
