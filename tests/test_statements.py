"""The digest is built in a fixed, small number of SQL statements, whatever the history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from conftest import typed
from sqlalchemy import event

from handlers.messages import SlackRenderer
from storage.enums import ItemKind
from storage.policy.permissions import Actor
from storage.services import Services
from storage.uow import Database
from storage.views import Draft

WS = "T0001"
START = datetime(2026, 10, 1, 13, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
ADMIN = Actor(WS, "U_ADMIN", app_admin=True)
M1, L1 = Actor(WS, "U_M1"), Actor(WS, "U_L1")
UPDATE, QUESTION, OFFER = ItemKind.UPDATE, ItemKind.QUESTION, ItemKind.OFFER


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
    items = services.items
    for n in range(rounds):
        at = since + timedelta(hours=n)
        items.post(M1, Draft(UPDATE, typed(f"Marketing update {n}")), at)
        items.post(L1, Draft(UPDATE, typed(f"Liaison update {n}")), at)
        items.post(L1, Draft(QUESTION, typed(f"Open question {n}")), at)
        answered = items.post(M1, Draft(QUESTION, typed(f"Answered question {n}")), at).item_id
        items.answer(L1, answered, typed("An answer"), at + timedelta(minutes=5))
        items.post(L1, Draft(OFFER, typed(f"Open offer {n}")), at)
        taken = items.post(M1, Draft(OFFER, typed(f"Taken offer {n}")), at).item_id
        items.accept(L1, taken, at + timedelta(minutes=5))


def statements_for_digest(db: Database, services: Services) -> int:
    services.digests.preview(WS, "marketing", NOW)  # as warm as a running app
    with counting(db) as seen:
        view = services.digests.preview(WS, "marketing", NOW)
    assert view.updates.total and view.waiting.total and view.offers.total
    return len(seen)


def test_building_a_digest_takes_the_same_few_statements_as_history_grows(db: Database) -> None:
    services = Services.build(db, SlackRenderer())
    services.teams.set_channel(ADMIN, "marketing", "C_MKT", START)
    services.teams.set_channel(ADMIN, "liaison", "C_LIA", START)
    services.teams.join(M1, "marketing", START)
    services.teams.join(L1, "liaison", START)

    activity(services, 2, NOW - timedelta(days=2))
    small = statements_for_digest(db, services)
    # Older history, and far more items in this week's lists than a digest shows.
    activity(services, 20, START)
    activity(services, 40, NOW - timedelta(days=5))
    large = statements_for_digest(db, services)

    assert small == large
    assert large <= 11  # one of them names the service lines and goals items are tagged with
