"""The weekly digest: content for a seeded week, exactly once per team and week."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from conftest import typed
from sqlalchemy import select

from handlers import ids
from handlers.messages import SlackRenderer
from storage.enums import DeliveryKind, ItemKind
from storage.models import Delivery, Digest
from storage.policy.permissions import Actor
from storage.services import Services
from storage.uow import Database
from storage.views import Draft
from storage.workspaces import Schedule

dumps = partial(json.dumps, ensure_ascii=False)
WS = "T0001"
START = datetime(2026, 11, 16, 13, 0, tzinfo=UTC)  # Monday 08:00 in New York
DUE = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # the next Monday, 09:00 in New York
ADMIN = Actor(WS, "U_ADMIN", app_admin=True)
UPDATE, QUESTION, OFFER = ItemKind.UPDATE, ItemKind.QUESTION, ItemKind.OFFER


def as_user(user: str) -> Actor:
    return Actor(WS, user)


@pytest.fixture
def services(db: Database) -> Services:
    services = Services.build(db, SlackRenderer())
    services.teams.set_channel(ADMIN, "marketing", "C_MKT", START)
    services.teams.set_channel(ADMIN, "liaison", "C_LIA", START)
    for user in ("U_M1", "U_M2"):
        services.teams.join(as_user(user), "marketing", START)
    for user in ("U_L1", "U_L2"):
        services.teams.join(as_user(user), "liaison", START)
    return services


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def post(services: Services, user: str, kind: ItemKind, text: str, when: datetime) -> int:
    return services.items.post(as_user(user), Draft(kind, typed(text)), when).item_id


def seed_week(services: Services) -> dict[str, int]:
    s = services
    post(s, "U_L1", UPDATE, "North territory visits up 12%", at(2))
    post(s, "U_L2", UPDATE, "Ortho drop-offs done", at(30))
    post(s, "U_M1", UPDATE, "Mailer to PCPs next week", at(31))  # Marketing's own
    old = post(s, "U_M1", QUESTION, "Which cardiology groups first?", at(3))
    answered = post(s, "U_M2", QUESTION, "Who owns the spine list?", at(4))
    s.items.answer(as_user("U_L1"), answered, typed("Dana does"), at(10))
    theirs = post(s, "U_L1", QUESTION, "When do the mailers land?", at(5))
    open_offer = post(s, "U_L2", OFFER, "Talking points for the heart fair", at(6))
    taken = post(s, "U_M1", OFFER, "A target list of splitters", at(7))
    s.items.accept(as_user("U_L2"), taken, at(8))
    return {"old": old, "theirs": theirs, "open_offer": open_offer, "taken": taken}


def buttons(dumped: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button":
                found.append((node["action_id"], node["value"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(dumped))
    return found


def digest_posts(db: Database, channel: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(Delivery).where(Delivery.channel == channel).order_by(Delivery.id)
        ).all()
        digest_ids = set(uow.session.scalars(select(Digest.delivery_id)))
    [parent] = [r for r in rows if r.id in digest_ids]
    thread = [r.payload for r in rows if r.ref_id == parent.id and r.kind == DeliveryKind.THREAD]
    return parent.payload, thread


def test_a_seeded_week_gives_each_team_its_digest(services: Services, db: Database) -> None:
    seeded = seed_week(services)

    queued = services.digests.run_due(DUE)

    assert queued
    parent, thread = digest_posts(db, "C_MKT")
    text = dumps(parent)
    assert "Weekly digest for Marketing" in text
    assert "Physician Liaisons shared *2* update(s)" in text
    assert "*1* question(s) wait on you" in text
    assert "*Marketing → Physician Liaisons*\\n2 questions asked, 1 answered (median 6 h)" in text
    assert "*Physician Liaisons → Marketing*\\n1 questions asked, 0 answered" in text
    lists = {p["text"]: dumps(p) for p in thread}
    shared = lists["What Physician Liaisons shared"]
    assert "North territory visits up 12%" in shared and "Ortho drop-offs done" in shared
    assert "Mailer to PCPs" not in shared
    waiting = lists["Questions waiting on you, oldest first"]
    assert "When do the mailers land?" in waiting
    assert (ids.ANSWER, str(seeded["theirs"])) in buttons(waiting)
    assert "Which cardiology groups first?" in lists["Your open questions to Physician Liaisons"]
    offers = lists["Offers of help for you"]
    assert "Talking points" in offers
    assert buttons(offers) == [(ids.ACCEPT, str(seeded["open_offer"]))]
    assert "A target list of splitters" in lists["Offers accepted"]

    _, liaison_thread = digest_posts(db, "C_LIA")
    liaison_lists = {p["text"]: dumps(p) for p in liaison_thread}
    assert "Mailer to PCPs next week" in liaison_lists["What Marketing shared"]
    assert (
        "Which cardiology groups first?" in liaison_lists["Questions waiting on you, oldest first"]
    )


def test_a_second_pass_for_the_same_week_posts_nothing(services: Services, db: Database) -> None:
    seed_week(services)
    first = services.digests.run_due(DUE)
    assert services.digests.run_due(DUE) == []
    assert services.digests.run_due(DUE + timedelta(days=2)) == []
    with db.unit_of_work() as uow:
        assert len(uow.session.scalars(select(Digest)).all()) == 2
    next_week = services.digests.run_due(DUE + timedelta(days=7))
    assert len(next_week) >= 2 and not set(first) & set(next_week)


def test_the_first_digest_waits_for_the_first_scheduled_time(services: Services) -> None:
    # The workspace started at 08:00 on a Monday: last week's 09:00 was never owed.
    assert services.digests.run_due(at(0.5)) == []
    assert len(services.digests.run_due(at(1))) == 2


def test_a_quiet_week_posts_a_one_line_note(services: Services, db: Database) -> None:
    services.digests.run_due(DUE)
    parent, thread = digest_posts(db, "C_MKT")
    assert thread == []
    [block] = parent["blocks"]
    assert block["text"]["text"].startswith("Quiet week: nothing new between Marketing and")


def test_the_next_digest_covers_only_the_time_since_the_last(
    services: Services, db: Database
) -> None:
    seed_week(services)
    services.digests.run_due(DUE)
    post(services, "U_L1", UPDATE, "Week two update", DUE + timedelta(days=1))
    services.digests.run_due(DUE + timedelta(days=7))
    with db.unit_of_work() as uow:
        latest = uow.session.scalars(
            select(Digest).where(Digest.team_id.is_not(None)).order_by(Digest.id.desc())
        ).first()
        assert latest is not None
        assert latest.period_start == DUE
    parents = _all_digest_threads(db, "C_MKT")
    assert "Week two update" in parents[-1]
    assert "North territory" not in parents[-1]


def _all_digest_threads(db: Database, channel: str) -> list[str]:
    with db.unit_of_work() as uow:
        digests = uow.session.scalars(select(Digest).order_by(Digest.id)).all()
        rows = uow.session.scalars(select(Delivery).where(Delivery.channel == channel)).all()
        return [
            dumps([r.payload for r in rows if r.ref_id == d.delivery_id])
            for d in digests
            if any(r.id == d.delivery_id for r in rows)
        ]


def test_moving_the_digest_day_adds_no_extra_digest(services: Services) -> None:
    assert len(services.digests.run_due(DUE)) == 2  # Monday's
    wednesday = DUE + timedelta(days=2)
    services.schedules.update(ADMIN, Schedule(digest_weekday=4), wednesday)

    # "Last Friday" is before Monday's digest: nothing is owed until this Friday.
    assert services.digests.run_due(wednesday) == []
    friday = DUE + timedelta(days=4)
    assert services.digests.run_due(friday - timedelta(minutes=1)) == []
    assert len(services.digests.run_due(friday)) == 2
