"""The schedule settings as an admin changes them in Slack, and the re-ask buttons
("Working on it", "Keep asking") end to end."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from conftest import (
    ADMIN,
    LIA_CHANNEL,
    LIAISONS,
    MARKETING,
    MKT_CHANNEL,
    Served,
    serve,
    set_up,
    settings_for,
    wait_until,
)
from fake_slack import Call, FakeSlack
from slack_requests import Reply

from handlers import ids
from storage.enums import Action
from storage.models import AuditEntry, Delivery, Digest, Question, Workspace

M1 = MARKETING[0]
L1 = LIAISONS[0]
DEFAULTS = "*Weekly digest:* Mondays at 09:00 (America/New_York)"

# -- the settings modal ---------------------------------------------------------------------


def submit_settings(app: Served, user: str, values: dict[str, dict[str, Any]]) -> Reply:
    """A view_submission of the settings modal, each field in its own element's shape."""
    payload = {
        "type": "view_submission",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "dummy-verification-token",
        "trigger_id": "trig-3",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": ids.SETTINGS_MODAL,
            "private_metadata": "",
            "state": {"values": {block: {"value": v} for block, v in values.items()}},
        },
    }
    body = urlencode({"payload": json.dumps(payload)})
    return app.slack.raw(body, "application/x-www-form-urlencoded")


def fields(
    weekday: str = "2",
    clock: str = "08:30",
    zone: str = "America/Chicago",
    after: str = "4",
    most: str = "1",
) -> dict[str, dict[str, Any]]:
    day = {"type": "plain_text", "text": "Wednesday", "emoji": True}
    return {
        "digest_weekday": {
            "type": "static_select",
            "selected_option": {"text": day, "value": weekday},
        },
        "digest_time": {"type": "timepicker", "selected_time": clock},
        "timezone": {"type": "plain_text_input", "value": zone},
        "reask_after_days": {"type": "number_input", "value": after},
        "max_reasks": {"type": "number_input", "value": most},
    }


def shown(app: Served) -> str:
    reply = app.slack.command("/liaison", "settings show", M1, MKT_CHANNEL)
    assert reply.status == 200
    return reply.text


def test_settings_show_lists_the_defaults(teams: Served) -> None:
    text = shown(teams)

    assert DEFAULTS in text
    assert "after 3 business days, at most 2 times" in text


def test_the_admin_opens_the_settings_modal_with_the_current_values(
    teams: Served, fake: FakeSlack
) -> None:
    reply = teams.slack.command("/liaison", "settings", ADMIN, MKT_CHANNEL, trigger_id="trig-9")

    assert reply.status == 200 and reply.text == ""
    [opened] = fake.wait_for("views.open")
    assert opened.body["trigger_id"] == "trig-9"
    view = opened.body["view"]
    assert view["callback_id"] == ids.SETTINGS_MODAL
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert elements["digest_weekday"]["initial_option"]["value"] == "0"
    assert elements["digest_time"]["initial_time"] == "09:00"
    assert elements["timezone"]["initial_value"] == "America/New_York"
    assert str(elements["reask_after_days"]["initial_value"]) == "3"
    assert str(elements["max_reasks"]["initial_value"]) == "2"
    assert {e["action_id"] for e in elements.values()} == {"value"}


def test_a_non_admin_cannot_open_the_settings(teams: Served, fake: FakeSlack) -> None:
    reply = teams.slack.command("/liaison", "settings", M1, MKT_CHANNEL)

    assert reply.status == 200
    assert "Only workspace admins and owners" in reply.text
    # What Slack said about M1 when M1 joined is still fresh: no second lookup.
    assert [c.body["user"] for c in fake.calls("users.info")].count(M1) == 1
    assert fake.calls("views.open", include_failed=True) == []


def test_when_the_modal_cannot_open_the_admin_is_told(teams: Served, fake: FakeSlack) -> None:
    fake.fail_next("views.open", "error:expired_trigger_id")

    reply = teams.slack.command("/liaison", "settings", ADMIN, MKT_CHANNEL)

    assert reply.status == 200
    assert reply.text.startswith("Couldn't open the settings form.")


def test_a_slack_workspace_admin_may_save_without_being_listed(
    teams: Served, fake: FakeSlack
) -> None:
    fake.admins.add("U_WSADMIN")

    answer = submit_settings(teams, "U_WSADMIN", fields()).json()

    assert answer["response_action"] == "update"
    assert "Wednesdays at 08:30 (America/Chicago)" in shown(teams)


def test_submitting_the_modal_saves_the_schedule(teams: Served) -> None:
    reply = submit_settings(teams, ADMIN, fields())

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "update"
    assert answer["view"]["title"]["text"] == "Settings saved"
    saved = json.dumps(answer["view"])
    assert "Wednesdays at 08:30 (America/Chicago)" in saved
    text = shown(teams)
    assert "*Weekly digest:* Wednesdays at 08:30 (America/Chicago)" in text
    assert "after 4 business days, at most 1 times" in text
    [workspace] = teams.rows(Workspace)
    assert (workspace.digest_weekday, workspace.digest_time, workspace.timezone) == (
        2,
        "08:30",
        "America/Chicago",
    )
    assert (workspace.reask_after_days, workspace.max_reasks) == (4, 1)
    assert [a.actor_id for a in teams.rows(AuditEntry) if a.action == Action.SETTINGS] == [ADMIN]


def test_the_saved_schedule_is_the_one_the_digest_pass_keeps(teams: Served) -> None:
    assert submit_settings(teams, ADMIN, fields()).json()["response_action"] == "update"
    chicago = ZoneInfo("America/Chicago")
    day = datetime.now(UTC).astimezone(chicago).date() + timedelta(days=14)
    wednesday = day + timedelta(days=(2 - day.weekday()) % 7)
    due = datetime.combine(wednesday, time(8, 30), chicago)
    digests = teams.runtime.services.digests

    digests.run_due(due - timedelta(minutes=1))  # the Wednesday before, if still owed
    before = {d.id for d in teams.rows(Digest)}
    queued = digests.run_due(due)

    assert queued
    new = [d for d in teams.rows(Digest) if d.id not in before]
    assert {d.week for d in new} == {wednesday.isoformat()}
    assert len(new) == 2 and {d.created_at for d in new} == {due}


def test_the_modal_submitted_as_opened_changes_nothing(teams: Served, fake: FakeSlack) -> None:
    teams.slack.command("/liaison", "settings", ADMIN, MKT_CHANNEL)
    [opened] = fake.wait_for("views.open")
    initial = {b["block_id"]: b["element"] for b in opened.body["view"]["blocks"]}

    reply = submit_settings(
        teams,
        ADMIN,
        fields(
            weekday=initial["digest_weekday"]["initial_option"]["value"],
            clock=initial["digest_time"]["initial_time"],
            zone=initial["timezone"]["initial_value"],
            after=str(initial["reask_after_days"]["initial_value"]),
            most=str(initial["max_reasks"]["initial_value"]),
        ),
    )

    assert reply.json()["response_action"] == "update"
    assert DEFAULTS in shown(teams)
    assert "after 3 business days, at most 2 times" in shown(teams)


def test_an_unknown_timezone_is_an_error_on_its_field_and_changes_nothing(
    teams: Served,
) -> None:
    reply = submit_settings(teams, ADMIN, fields(zone="Mars/Olympus_Mons"))

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["timezone"]
    assert "America/New_York" in answer["errors"]["timezone"]
    assert DEFAULTS in shown(teams)
    assert not [a for a in teams.rows(AuditEntry) if a.action == Action.SETTINGS]


@pytest.mark.parametrize(
    ("field", "value"),
    [("reask_after_days", "0"), ("max_reasks", "11"), ("digest_weekday", "7")],
)
def test_an_out_of_range_number_is_an_error_on_its_field(
    teams: Served, field: str, value: str
) -> None:
    wrong = fields()
    wrong[field] = (
        {"type": "static_select", "selected_option": {"value": value}}
        if field == "digest_weekday"
        else {"type": "number_input", "value": value}
    )

    answer = submit_settings(teams, ADMIN, wrong).json()

    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [field]
    assert DEFAULTS in shown(teams)


def test_a_non_admins_submission_is_refused(teams: Served) -> None:
    reply = submit_settings(teams, M1, fields())

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert "Only workspace admins and owners" in answer["errors"]["timezone"]
    assert DEFAULTS in shown(teams)
    [workspace] = teams.rows(Workspace)
    assert workspace.timezone == "America/New_York"


# -- "Working on it" and "Keep asking", with the app's clock moved on ---------------------


class Clock:
    """The app's clock: real time plus an offset a test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shifted(fake: FakeSlack, db_url: str, clock: Clock) -> Iterator[Served]:
    """The `teams` set-up, served by a Runtime whose every part reads `clock`.

    The delivery worker must share the injected time: a post queued at a later "now" is not
    due on the real clock, and would hold back its channel until then.
    """
    app = serve(settings_for(fake, db_url), clock=clock)
    try:
        yield set_up(app, (M1,), (L1,))
    finally:
        app.runtime.stop()


def in_thread(ts: str, words: str) -> Callable[[Call], bool]:
    return lambda c: c.body.get("thread_ts") == ts and words in json.dumps(c.body)


def ask(app: Served) -> tuple[int, str]:
    """A question asked with /ask, once Slack has it: its id and its message's ts."""
    reply = app.slack.command("/ask", "Which offices raised access issues?", M1, MKT_CHANNEL)
    assert "on its way to Physician Liaisons" in reply.text
    [question] = app.rows(Question)

    def posted() -> str | None:
        with app.runtime.db.unit_of_work() as uow:
            return uow.session.get_one(Delivery, question.delivery_id).result_ts

    return question.id, wait_until(posted)


def response(fake: FakeSlack, name: str) -> str:
    [call] = fake.wait_for("response_url", where=lambda c: c.name == name)
    return str(call.body["text"])


def click(app: Served, fake: FakeSlack, user: str, action_id: str, question: int) -> str:
    name = f"{action_id}-{user}-{len(fake.calls('response_url'))}"
    reply = app.slack.action(user, action_id, str(question), response_url=fake.response_url(name))
    assert reply.status == 200
    return response(fake, name)


def test_working_on_it_pauses_the_reminders_with_a_note_in_the_thread(
    shifted: Served, fake: FakeSlack, clock: Clock
) -> None:
    question, ts = ask(shifted)
    reasks = shifted.runtime.services.reasks
    clock.offset = timedelta(days=7)

    assert len(reasks.run_due(clock())) == 1
    [reminder] = fake.wait_for("chat.postMessage", where=in_thread(ts, "reminder 1 of 2"))
    assert reminder.body["reply_broadcast"] is True
    clicked_at = clock()

    said = click(shifted, fake, L1, ids.WORKING, question)

    assert said.startswith("Thanks! Reminders for this question pause until <!date^")
    [note] = fake.wait_for("chat.postMessage", where=in_thread(ts, "is working on it"))
    assert note.body["channel"] == LIA_CHANNEL
    assert f"<@{L1}> is working on it. Reminders pause until" in note.body["text"]
    [asked] = shifted.rows(Question)
    assert asked.snoozed_until is not None
    assert asked.snoozed_until - clicked_at >= timedelta(days=3)
    assert reasks.run_due(asked.snoozed_until - timedelta(minutes=1)) == []
    assert len(reasks.run_due(asked.snoozed_until)) == 1


def test_only_the_team_asked_can_say_it_is_working_on_it(
    shifted: Served, fake: FakeSlack, clock: Clock
) -> None:
    question, _ = ask(shifted)
    clock.offset = timedelta(days=7)
    assert len(shifted.runtime.services.reasks.run_due(clock())) == 1
    queued = len(shifted.rows(Delivery))

    said = click(shifted, fake, M1, ids.WORKING, question)

    assert said.startswith("Only members of Physician Liaisons can pause this question's")
    [asked] = shifted.rows(Question)
    assert asked.snoozed_until is None
    assert len(shifted.rows(Delivery)) == queued  # no note in the thread


def test_keep_asking_after_the_last_round_asks_again(
    shifted: Served, fake: FakeSlack, clock: Clock
) -> None:
    question, ts = ask(shifted)
    reasks = shifted.runtime.services.reasks
    for week in (1, 2, 3):
        clock.offset = timedelta(days=7 * week)
        assert len(reasks.run_due(clock())) == 1
    [dm] = fake.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == M1)
    actions = [
        e["action_id"] for b in dm.body["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == [ids.KEEP_ASKING, ids.CLOSE]

    said = click(shifted, fake, L1, ids.KEEP_ASKING, question)
    assert said.startswith(f"Only <@{M1}> can keep this question asked.")
    assert click(shifted, fake, M1, ids.KEEP_ASKING, question) == (
        "We'll keep asking the other team."
    )

    clock.offset = timedelta(days=28)
    assert len(reasks.run_due(clock())) == 1
    [again] = fake.wait_for("chat.postMessage", where=in_thread(ts, "reminder 4 of 5"))
    assert again.body["reply_broadcast"] is True
