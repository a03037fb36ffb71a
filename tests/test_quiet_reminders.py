"""Quieter reminders end to end: the app served over signed HTTP, its clock injected and the
scheduler's passes run hour by hour. Reminders stay in the thread until the last round, go
out only in business hours on business days (US holidays and the workspace's closed days
skipped), and an admin can keep the last round out of the channel too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import ADMIN, LIA_CHANNEL, MKT_CHANNEL, Served
from fake_slack import Call, FakeSlack
from test_settings_flow import ask as asked_in_slack
from test_settings_flow import fields, served_on, submit_settings

from bot.scheduler import JOBS, run_job
from storage.enums import Action
from storage.models import AuditEntry, ClosedDay, Reask

NY = ZoneInfo("America/New_York")
M1 = "U_M1"
HOUR = timedelta(hours=1)


class Clock:
    """The app's clock: set by the test, and running on from there as real time does (the
    delivery worker spaces a thread's posts by a second)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    @property
    def now(self) -> datetime:
        return self._set + (datetime.now(UTC) - self._at)

    @now.setter
    def now(self, moment: datetime) -> None:
        self._set, self._at = moment, datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 10, 1, 14, 0, tzinfo=UTC))


@pytest.fixture
def served(fake: FakeSlack, db_url: str, clock: Clock) -> Iterator[Served]:
    with served_on(fake, db_url, clock) as app:
        yield app


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY).astimezone(UTC)  # type: ignore[misc]


def ask(app: Served, clock: Clock, at: datetime) -> str:
    """/ask at `at`; the question's message ts once Slack has it. The clock runs on while the
    request is served: a second's head start keeps the question's due time on the hour the
    passes run at."""
    clock.now = at - timedelta(seconds=1)
    return asked_in_slack(app)[1]


def run_hourly(app: Served, clock: Clock, start: datetime, end: datetime) -> None:
    """The scheduler's passes at every hour from `start` to `end`, each pass's posts in
    Slack before the clock moves on."""
    at = start
    while at <= end:
        clock.now = at
        queued = [i for job in JOBS for i in run_job(app.runtime.services, job, at)]
        if queued:
            assert app.runtime.worker.drain(queued, 10.0) == 0
        at += HOUR


def rounds(app: Served) -> list[tuple[int, str, datetime]]:
    return sorted((r.round, r.kind, r.created_at) for r in app.rows(Reask))


def reminders(fake: FakeSlack, ts: str) -> list[Call]:
    return [
        c
        for c in fake.calls("chat.postMessage")
        if c.body.get("thread_ts") == ts and "Still open" in json.dumps(c.body)
    ]


def test_a_friday_evening_question_waits_for_business_hours_and_only_the_last_round_is_loud(
    served: Served, fake: FakeSlack, clock: Clock
) -> None:
    asked = ny(2026, 12, 4, 18, 30)  # Friday evening in New York
    ts = ask(served, clock, asked)

    run_hourly(served, clock, asked + timedelta(minutes=30), ny(2026, 12, 21, 9))

    # Three business days from Monday's opening: Thursday 09:00, never the weekend or a night.
    assert rounds(served) == [
        (1, "reask", ny(2026, 12, 10, 9)),
        (2, "reask", ny(2026, 12, 15, 9)),
        (3, "escalation", ny(2026, 12, 18, 9)),
    ]
    first, last = reminders(fake, ts)
    assert "reminder 1 of 2" in json.dumps(first.body) and "reply_broadcast" not in first.body
    assert "reminder 2 of 2" in json.dumps(last.body) and last.body["reply_broadcast"] is True
    assert first.body["channel"] == last.body["channel"] == LIA_CHANNEL
    [dm] = [c for c in fake.calls("chat.postMessage") if c.body["channel"] == M1]
    assert "Keep asking" in json.dumps(dm.body)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        # Thanksgiving (Thursday 2026-11-26) is no business day.
        (ny(2026, 11, 24, 10), ny(2026, 11, 30, 10)),
        # Nor is Christmas (Friday 2026-12-25).
        (ny(2026, 12, 22, 10), ny(2026, 12, 28, 10)),
        # DST ends on Sunday 2026-11-01: still 10:00 on the wall clock, an hour later in UTC.
        (ny(2026, 10, 29, 10), ny(2026, 11, 3, 10)),
        # DST starts on Sunday 2026-03-08.
        (ny(2026, 3, 5, 10), ny(2026, 3, 10, 10)),
    ],
    ids=["thanksgiving", "christmas", "dst-ends", "dst-starts"],
)
def test_the_first_reminder_comes_three_business_days_later_at_the_same_local_time(
    served: Served, fake: FakeSlack, clock: Clock, asked: datetime, expected: datetime
) -> None:
    ts = ask(served, clock, asked)

    run_hourly(served, clock, asked + HOUR, expected + HOUR)

    assert rounds(served) == [(1, "reask", expected)]
    assert expected.astimezone(NY).hour == 10
    [reminder] = reminders(fake, ts)
    assert "reply_broadcast" not in reminder.body


def test_with_the_broadcast_off_and_a_closed_day_every_round_stays_in_the_thread(
    served: Served, fake: FakeSlack, clock: Clock
) -> None:
    clock.now = ny(2026, 12, 21, 9)
    saved = submit_settings(
        served,
        ADMIN,
        fields(
            weekday="0",
            clock="09:00",
            zone="America/New_York",
            after="3",
            most="2",
            broadcast="off",
        ),
    )
    assert saved.json()["response_action"] == "update"
    added = served.slack.command("/liaison", "closed add 2026-12-23 Staff day", ADMIN, MKT_CHANNEL)
    assert added.text.startswith("Wed Dec 23, 2026 is now a closed day.")
    ts = ask(served, clock, ny(2026, 12, 21, 10))

    run_hourly(served, clock, ny(2026, 12, 21, 11), ny(2027, 1, 6, 11))

    # Wednesday closed, Christmas and New Year's Day holidays, the weekends off.
    assert rounds(served) == [
        (1, "reask", ny(2026, 12, 28, 10)),
        (2, "reask", ny(2026, 12, 31, 10)),
        (3, "escalation", ny(2027, 1, 6, 10)),
    ]
    first, last = reminders(fake, ts)
    assert "reminder 2 of 2" in json.dumps(last.body)
    assert "reply_broadcast" not in first.body and "reply_broadcast" not in last.body


# -- /liaison closed ------------------------------------------------------------------------


def closed(app: Served, text: str, user: str = ADMIN) -> str:
    reply = app.slack.command("/liaison", f"closed {text}".strip(), user, MKT_CHANNEL)
    assert reply.status == 200
    return reply.text


def test_an_admin_adds_lists_and_removes_closed_days(served: Served, clock: Clock) -> None:
    clock.now = ny(2026, 12, 1, 10)
    assert "none ahead besides US public holidays" in closed(served, "", M1)

    assert closed(served, "add 2026-12-24 Christmas Eve <!channel>").startswith(
        "Thu Dec 24, 2026 is now a closed day."
    )
    closed(served, "add 2026-12-31")
    listed = closed(served, "", M1)
    # A broadcast in the label is kept as plain words: it pings nobody.
    assert "• Thu Dec 24, 2026 (Christmas Eve @channel)\n• Thu Dec 31, 2026" in listed
    assert (
        "Christmas Eve" in served.slack.command("/liaison", "settings show", M1, MKT_CHANNEL).text
    )

    assert closed(served, "remove 2026-12-31") == "Thu Dec 31, 2026 is no longer a closed day."
    assert [(d.day.isoformat(), d.label) for d in served.rows(ClosedDay)] == [
        ("2026-12-24", "Christmas Eve @channel")
    ]
    audited = [a.action for a in served.rows(AuditEntry) if "closed" in a.action]
    assert audited == [Action.ADD_CLOSED_DAY, Action.ADD_CLOSED_DAY, Action.REMOVE_CLOSED_DAY]


@pytest.mark.parametrize(
    ("text", "user", "said"),
    [
        ("add 2026-12-24", M1, "Only workspace admins and owners"),
        ("remove 2026-12-24", M1, "Only workspace admins and owners"),
        ("add 24/12/2026", ADMIN, "Use a date like 2026-12-24."),
        ("add 2026-02-30", ADMIN, "Use a date like 2026-12-24."),
        ("add 2026-11-30", ADMIN, "That day is past"),
        ("remove 2026-12-25", ADMIN, "2026-12-25 is not one of the closed days."),
        ("add 2026-12-24 " + "x" * 81, ADMIN, "Keep the label under 80 characters."),
        ("add 2026-12-24 Pt Ann Lee MRN 12345678", ADMIN, "patient"),
        ("shut 2026-12-24", ADMIN, "Use `/liaison closed add 2026-12-24 Christmas Eve`"),
    ],
)
def test_a_wrong_closed_day_command_is_answered_privately_and_changes_nothing(
    served: Served, clock: Clock, text: str, user: str, said: str
) -> None:
    clock.now = ny(2026, 12, 1, 10)
    before = len(served.rows(AuditEntry))

    assert said in closed(served, text, user)

    assert served.rows(ClosedDay) == []
    changes = [a for a in served.rows(AuditEntry)[before:] if "closed" in a.action]
    assert changes == []
