"""One side effect per Slack request: replayed commands and submissions, events Slack sends
again (X-Slack-Retry-Num), and an event whose first delivery failed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import LIA_CHANNEL, LIAISONS, MARKETING, MKT_CHANNEL, Served, wait_until
from fake_slack import FakeSlack
from slack_requests import fresh, thread_reply_event
from test_flows import _ts_of, ask, posted_to

from bot.sandbox import signed_requests as slack
from handlers import ids, replies
from storage.enums import Action, DeliveryKind
from storage.models import Answer, AuditEntry, Delivery, Item, RequestReceipt, Update
from storage.receipts import WINDOW

M1 = MARKETING[0]
L1, L2 = LIAISONS[:2]
WITH_MRN = "Can someone call back pt Maria Gonzalez, MRN 48213377? She was admitted Monday."


def five_times(send: Callable[[], Any]) -> list[Any]:
    return [send() for _ in range(5)]


def dms_to(app: Served, user: str) -> list[Delivery]:
    return [d for d in app.rows(Delivery) if d.kind == DeliveryKind.DM and d.channel == user]


def fail_once(monkeypatch: pytest.MonkeyPatch, service: object, method: str) -> None:
    """The use case fails the first time it is called (a full disk), then works."""
    real = getattr(service, method)
    failures = iter([RuntimeError("the disk is full")])

    def fails_first(*args: Any) -> Any:
        if failure := next(failures, None):
            raise failure
        return real(*args)

    monkeypatch.setattr(service, method, fails_first)


def test_a_replayed_command_posts_once_and_says_it_was_already_received(
    teams: Served, fake: FakeSlack
) -> None:
    form = slack.command_form(
        "/share",
        "Ortho mailers go out Sept 9",
        M1,
        MKT_CHANNEL,
        "marketing",
        response_url="http://127.0.0.1:9/unused",
        trigger_id=fresh("13345224609.738474920.8088930838d88f008e0"),
        team_id="T0001",
    )
    signed_at = int(time.time())  # the very same signed request, five times
    replies_ = five_times(lambda: teams.slack.raw(form, slack.FORM, timestamp=signed_at))

    assert [r.status for r in replies_] == [200] * 5
    assert "on its way" in replies_[0].text
    for again in replies_[1:]:
        assert again.json() == {"response_type": "ephemeral", "text": replies.ALREADY_RECEIVED}
    [update] = teams.rows(Update)
    assert update.text == "Ortho mailers go out Sept 9"
    assert len([a for a in teams.rows(AuditEntry) if a.action == Action.SHARE]) == 1
    fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    assert len(teams.rows(Delivery)) == 1


def test_a_replayed_modal_submission_posts_once(teams: Served, fake: FakeSlack) -> None:
    view = {"id": "V0PKXQ8LT", "hash": "1712345678.AbCdEf12", "type": "modal"}
    payload = slack.view_submission(
        M1,
        {**view, "callback_id": f"{ids.COMPOSE}:ask", "private_metadata": ""},
        {ids.TEXT_BLOCK: {ids.TEXT_INPUT: {"type": "plain_text_input", "value": "Who first?"}}},
        trigger_id=fresh("trig"),
        team_id="T0001",
    )
    body = slack.interaction_form(payload)
    signed_at = int(time.time())
    replies_ = five_times(lambda: teams.slack.raw(body, slack.FORM, timestamp=signed_at))

    assert [r.status for r in replies_] == [200] * 5
    assert replies_[0].json()["response_action"] == "update"
    assert [r.body for r in replies_[1:]] == [""] * 4  # the modal just closes
    assert [i.text for i in teams.rows(Item)] == ["Who first?"]
    fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    assert len(teams.rows(Delivery)) == 1


def test_an_event_slack_sends_five_times_answers_once(teams: Served, fake: FakeSlack) -> None:
    ask(teams, fake)
    event = thread_reply_event(L2, LIA_CHANNEL, _ts_of(teams), "Cardiology first", "1800000000.1")
    event_id = fresh("Ev")
    statuses = [teams.slack.event(event, event_id=event_id).status]
    statuses += [teams.slack.event(event, event_id=event_id, retry_num=n).status for n in (1, 2, 3)]
    statuses.append(teams.slack.event(event, event_id=event_id, retry_num=3).status)

    assert statuses == [200] * 5
    assert [a.text for a in teams.rows(Answer)] == ["Cardiology first"]
    fake.wait_for("chat.update")
    fake.wait_for("chat.postMessage", where=posted_to(M1))
    assert len(dms_to(teams, M1)) == 1
    assert len([d for d in teams.rows(Delivery) if d.kind == DeliveryKind.EDIT]) == 1


def test_a_thread_reply_delivered_twice_is_screened_once_and_noticed_once(
    teams: Served, fake: FakeSlack
) -> None:
    ask(teams, fake)
    event = thread_reply_event(L2, LIA_CHANNEL, _ts_of(teams), WITH_MRN, "1800000000.7")
    event_id = fresh("Ev")
    assert teams.slack.event(event, event_id=event_id).status == 200
    assert teams.slack.event(event, event_id=event_id, retry_num=1).status == 200

    assert teams.rows(Answer) == []
    assert len([a for a in teams.rows(AuditEntry) if a.action == Action.PHI_BLOCK]) == 1
    [notice] = dms_to(teams, L2)
    fake.wait_for("chat.postMessage", where=posted_to(L2))
    assert "patient information" in json.dumps(notice.payload)


def test_a_failed_event_answers_503_and_slacks_retry_acts_once(
    teams: Served, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(teams, fake)
    fail_once(monkeypatch, teams.runtime.services.items, "answer_from_thread")
    event = thread_reply_event(L2, LIA_CHANNEL, _ts_of(teams), "Cardiology first", "1800000000.1")
    event_id = fresh("Ev")

    assert teams.slack.event(event, event_id=event_id).status == 503
    assert teams.rows(Answer) == []
    assert teams.slack.event(event, event_id=event_id, retry_num=1).status == 200
    assert teams.slack.event(event, event_id=event_id, retry_num=2).status == 200
    assert [a.text for a in teams.rows(Answer)] == ["Cardiology first"]
    fake.wait_for("chat.postMessage", where=posted_to(M1))
    assert len(dms_to(teams, M1)) == 1


def test_an_event_failing_after_a_write_is_released_for_the_retry(
    teams: Served, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard's audit row committed (and the receipt with it), then the notice failed:
    the retry must still tell the author, once."""
    ask(teams, fake)
    fail_once(monkeypatch, teams.runtime.services.guard, "notice")
    event = thread_reply_event(L2, LIA_CHANNEL, _ts_of(teams), WITH_MRN, "1800000000.8")
    event_id = fresh("Ev")

    assert teams.slack.event(event, event_id=event_id).status == 503
    assert teams.slack.event(event, event_id=event_id, retry_num=1).status == 200
    assert teams.slack.event(event, event_id=event_id, retry_num=2).status == 200
    fake.wait_for("chat.postMessage", where=posted_to(L2))
    assert len(dms_to(teams, L2)) == 1


def test_receipts_are_pruned_after_the_replay_window(teams: Served) -> None:
    teams.slack.command("/share", "Mailers land Monday", M1, MKT_CHANNEL)
    [receipt] = [r for r in teams.rows(RequestReceipt) if r.workspace_id == "T0001"][-1:]
    receipts = teams.runtime.services.receipts

    assert receipts.prune(receipt.created_at + WINDOW - timedelta(seconds=1)) == 0
    assert receipts.prune(receipt.created_at + WINDOW + timedelta(seconds=1)) >= 1
    assert receipt.id not in {r.id for r in teams.rows(RequestReceipt)}


def test_a_new_command_with_the_same_text_is_not_a_replay(teams: Served) -> None:
    for _ in range(2):
        assert "on its way" in teams.slack.command("/share", "Same words", M1, MKT_CHANNEL).text
    assert [u.text for u in teams.rows(Update)] == ["Same words", "Same words"]
    wait_until(lambda: len(teams.rows(Delivery)) == 2)
