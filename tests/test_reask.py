"""Re-asking unanswered questions: once per round, business days only, polite escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import typed
from sqlalchemy import select

from handlers import ids
from handlers.messages import SlackRenderer
from storage.calendar import Calendar
from storage.enums import DeliveryKind, ItemKind
from storage.models import Delivery, Reask
from storage.policy.permissions import Actor
from storage.reasks import cap_by_needed_by
from storage.services import Services
from storage.uow import Database
from storage.views import Draft
from storage.workspaces import Schedule

WS = "T0001"
ASKED = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
THURSDAY = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # 3 business days later
TUESDAY = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 3 more (the weekend skipped)
FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 2 more: Thanksgiving is no business day
MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 3 more
MINUTE = timedelta(minutes=1)
ADMIN = Actor(WS, "U_ADMIN", app_admin=True)
M1, L1 = Actor(WS, "U_M1"), Actor(WS, "U_L1")


@pytest.fixture
def services(db: Database) -> Services:
    services = Services.build(db, SlackRenderer())
    services.teams.set_channel(ADMIN, "marketing", "C_MKT", ASKED)
    services.teams.set_channel(ADMIN, "liaison", "C_LIA", ASKED)
    services.teams.join(M1, "marketing", ASKED)
    services.teams.join(L1, "liaison", ASKED)
    return services


def ask(services: Services, when: datetime = ASKED) -> int:
    draft = Draft(ItemKind.QUESTION, typed("Which offices raised access issues?"))
    return services.items.post(M1, draft, when).item_id


def sent(db: Database, ids_: list[int]) -> list[Delivery]:
    with db.unit_of_work() as uow:
        return list(uow.session.scalars(select(Delivery).where(Delivery.id.in_(ids_))))


def action_ids(delivery: Delivery) -> list[str]:
    return [
        element["action_id"]
        for block in delivery.payload["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_a_question_is_asked_again_in_its_thread_after_three_business_days(
    services: Services, db: Database
) -> None:
    ask(services)
    assert services.reasks.run_due(THURSDAY - MINUTE) == []

    [reminder] = sent(db, services.reasks.run_due(THURSDAY))

    assert reminder.kind == DeliveryKind.THREAD and reminder.channel == "C_LIA"
    assert "reply_broadcast" not in reminder.payload  # in the thread only
    text = str(reminder.payload["blocks"])
    assert "Which offices raised access issues?" in text and "reminder 1 of 2" in text
    assert "open 3 days" in text
    assert action_ids(reminder) == [ids.ANSWER, ids.WORKING]
    assert services.reasks.run_due(THURSDAY) == []
    assert services.reasks.run_due(THURSDAY + timedelta(hours=5)) == []


def test_rounds_then_a_private_note_to_the_asker_then_silence(
    services: Services, db: Database
) -> None:
    ask(services)
    rounds = [services.reasks.run_due(t) for t in (THURSDAY, TUESDAY, FRIDAY, MONDAY)]
    first, second, thanksgiving, note = (sent(db, r) for r in rounds)
    assert thanksgiving == []
    assert "reminder 2 of 2" in str(second[0].payload["blocks"])
    assert second[0].payload["reply_broadcast"] is True  # the last round reaches the channel
    [dm] = note
    assert (dm.kind, dm.channel) == (DeliveryKind.DM, "U_M1")
    assert action_ids(dm) == [ids.KEEP_ASKING, ids.CLOSE]
    assert first[0].kind == DeliveryKind.THREAD
    assert services.reasks.run_due(MONDAY + timedelta(days=30)) == []
    with db.unit_of_work() as uow:
        kinds = [
            (r.round, r.kind) for r in uow.session.scalars(select(Reask).order_by(Reask.round))
        ]
    assert kinds == [(1, "reask"), (2, "reask"), (3, "escalation")]


def test_keep_asking_allows_another_set_of_rounds(services: Services, db: Database) -> None:
    question = ask(services)
    for moment in (THURSDAY, TUESDAY, MONDAY):
        services.reasks.run_due(moment)
    services.items.keep_asking(M1, question, MONDAY + MINUTE)
    [again] = sent(db, services.reasks.run_due(MONDAY + timedelta(days=3, hours=1)))
    assert again.kind == DeliveryKind.THREAD and "reminder 4 of 5" in str(again.payload["blocks"])


def test_no_reminder_after_an_answer_or_a_close(services: Services) -> None:
    answered, closed = ask(services), ask(services)
    services.items.answer(L1, answered, typed("Dr. Patel's office"), ASKED + MINUTE)
    services.items.close(M1, closed, ASKED + MINUTE)
    assert services.reasks.run_due(THURSDAY) == []
    assert services.reasks.run_due(MONDAY + timedelta(days=60)) == []


def test_after_downtime_one_reminder_not_one_per_missed_round(
    services: Services, db: Database
) -> None:
    ask(services)
    [reminder] = sent(db, services.reasks.run_due(ASKED + timedelta(days=28)))
    assert "reminder 1 of 2" in str(reminder.payload["blocks"])
    assert services.reasks.run_due(ASKED + timedelta(days=28, minutes=1)) == []


def test_working_on_it_pauses_reminders_for_three_business_days(
    services: Services, db: Database
) -> None:
    question = ask(services)
    services.reasks.run_due(THURSDAY)
    paused = THURSDAY + timedelta(hours=2)
    until = services.items.snooze(L1, question, paused)
    assert until == TUESDAY + timedelta(hours=2)
    assert services.reasks.run_due(TUESDAY) == []
    [resumed] = sent(db, services.reasks.run_due(until))
    assert "reminder 2 of 2" in str(resumed.payload["blocks"])


def test_weekends_do_not_count(services: Services, db: Database) -> None:
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    ask(services, friday)
    wednesday = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert services.reasks.run_due(wednesday - MINUTE) == []
    assert len(services.reasks.run_due(wednesday)) == 1


def test_a_pass_that_saw_the_question_before_another_replica_reminded_does_nothing(
    services: Services,
) -> None:
    question = ask(services)
    assert len(services.reasks.run_due(THURSDAY)) == 1
    # A second replica listed the question before the first one's reminder committed.
    assert services.reasks._remind(question, 0, ASKED, THURSDAY) == []
    services.items.snooze(L1, question, THURSDAY + MINUTE)
    # Nor may a pass that listed it before the pause remind it during the pause.
    assert services.reasks._remind(question, 1, THURSDAY, TUESDAY) == []


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(("most", "kind"), [(2, DeliveryKind.THREAD), (0, DeliveryKind.DM)])
def test_a_round_due_after_hours_waits_for_the_next_opening(
    services: Services, db: Database, most: int, kind: DeliveryKind
) -> None:
    services.schedules.update(ADMIN, Schedule(max_reasks=most), ASKED)
    ask(services, ny(2026, 12, 7, 16, 30))  # Monday, half an hour before closing
    # Due Thursday 16:30; the passes between then and 17:00 were missed (say, a deploy).
    for moment in (ny(2026, 12, 10, 17), ny(2026, 12, 10, 23), ny(2026, 12, 11, 8, 59)):
        assert services.reasks.run_due(moment) == [], moment
    [sent_] = sent(db, services.reasks.run_due(ny(2026, 12, 11, 9)))
    assert sent_.kind == kind  # a reminder, or with no rounds the asker's private note


def test_working_on_it_on_a_friday_evening_pauses_until_thursday_morning(
    services: Services,
) -> None:
    question = ask(services, ny(2026, 12, 4, 10))
    assert services.items.snooze(L1, question, ny(2026, 12, 4, 18, 30)) == ny(2026, 12, 10, 9)


def test_a_workspace_closed_day_is_no_business_day(services: Services, db: Database) -> None:
    services.schedules.close_day(ADMIN, date(2026, 12, 9), None, ASKED)
    ask(services, ny(2026, 12, 7, 10))
    assert services.reasks.run_due(ny(2026, 12, 10, 10)) == []
    assert len(services.reasks.run_due(ny(2026, 12, 11, 10))) == 1


def ask_needed_by(services: Services, needed_by: date) -> int:
    draft = Draft(
        ItemKind.QUESTION, typed("Which offices raised access issues?"), needed_by=needed_by
    )
    return services.items.post(M1, draft, ASKED).item_id


def test_a_question_needed_by_thursday_is_reminded_wednesday_and_never_after(
    services: Services, db: Database
) -> None:
    ask_needed_by(services, date(2026, 11, 19))  # asked Monday, needed by Thursday
    wednesday = ASKED + timedelta(days=2)
    assert services.reasks.run_due(wednesday - MINUTE) == []
    [reminder] = sent(db, services.reasks.run_due(wednesday))
    assert reminder.kind == DeliveryKind.THREAD and "reminder 1 of 2" in str(reminder.payload)
    # Nothing on Thursday (the usual day), nor once the date has passed: not even the note.
    for later in (THURSDAY, TUESDAY, FRIDAY, FRIDAY + timedelta(days=14)):
        assert services.reasks.run_due(later) == []
    with db.unit_of_work() as uow:
        assert [r.round for r in uow.session.scalars(select(Reask))] == [1]


def test_a_deadline_after_the_usual_day_changes_nothing(services: Services, db: Database) -> None:
    ask_needed_by(services, date(2026, 12, 18))
    assert services.reasks.run_due(THURSDAY - MINUTE) == []
    assert len(services.reasks.run_due(THURSDAY)) == 1


def test_a_question_needed_by_tomorrow_is_not_reminded(services: Services) -> None:
    ask_needed_by(services, date(2026, 11, 17))
    for later in (ASKED + timedelta(days=1), THURSDAY, TUESDAY):
        assert services.reasks.run_due(later) == []


@pytest.mark.parametrize(
    ("needed_by", "due"),
    [
        (None, datetime(2026, 11, 19, 10, 0)),
        (date(2026, 11, 19), datetime(2026, 11, 18, 10, 0)),  # Thursday: Wednesday
        (date(2026, 11, 23), datetime(2026, 11, 19, 10, 0)),  # Monday: Thursday is sooner
        (date(2026, 11, 18), datetime(2026, 11, 17, 10, 0)),  # Wednesday: Tuesday
        (date(2026, 11, 17), None),  # Tuesday: the eve is the day it was asked
    ],
)
def test_the_cap_by_needed_by(needed_by: date | None, due: datetime | None) -> None:
    zone = ZoneInfo("America/New_York")
    calendar = Calendar(zone)
    usual = calendar.after(ASKED, 3)
    capped = cap_by_needed_by(usual, ASKED, needed_by, calendar)
    assert capped == (due.replace(tzinfo=zone) if due else None)
