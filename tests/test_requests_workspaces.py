"""Which workspace a request acts in, as Slack sends it from Enterprise Grid and Slack Connect,
and the requests every Slack app must answer 200: ssl_check and types without a listener.

Payload shapes are Slack's own, copied from captured payloads in bolt-python's test suite
(ids replaced by this suite's workspace, users and channels)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from conftest import ADMIN, LIA_CHANNEL, LIAISONS, MARKETING, MKT_CHANNEL, Served, wait_until
from fake_slack import FakeSlack
from slack_requests import Reply, fresh
from test_flows import _ts_of, ask, posted_to
from test_requests_replays import fail_once
from test_settings_flow import fields

import storage.items.service
from bot.sandbox import signed_requests as slack
from bot.sandbox.workspace import BOT_ID
from handlers import ids, replies
from storage.models import Answer, Offer, Question, Update, Workspace

M1 = MARKETING[0]
L1, L2 = LIAISONS[:2]
TEAM, ENTERPRISE = "T0001", "E0001"


def send_payload(app: Served, payload: dict[str, Any]) -> Reply:
    return app.slack.raw(slack.interaction_form(payload), slack.FORM)


def send_envelope(app: Served, envelope: dict[str, Any]) -> Reply:
    return app.slack.raw(json.dumps(envelope), slack.JSON)


def org_wide_click(user: str, action_id: str, value: str, response_url: str) -> dict[str, Any]:
    """block_actions from an org-wide install: "team": null, the user's team_id, the
    enterprise. Shape: bolt-python tests/slack_bolt/request/test_request.py,
    test_org_wide_installations_block_actions."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "fixed-value",
        "container": {
            "type": "message",
            "message_ts": "1643113871.000700",
            "channel_id": MKT_CHANNEL,
            "is_ephemeral": False,
        },
        "trigger_id": fresh("111.222"),
        "team": None,
        "enterprise": {"id": ENTERPRISE, "name": "Sandbox Org"},
        "is_enterprise_install": True,
        "channel": {"id": MKT_CHANNEL, "name": "marketing"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "text": {"type": "plain_text", "text": "Accept"},
                "value": value,
                "type": "button",
                "action_ts": "1643113877.645417",
            }
        ],
    }


def org_wide_submission(user: str, callback_id: str, text: str) -> dict[str, Any]:
    """view_submission from an org-wide install: "team": null, and a user (and view) of
    another workspace of the organisation than the installation the modal was opened in
    (view.app_installed_team_id). Shape: bolt-python tests/slack_bolt/request/
    test_request.py, test_org_wide_installations_view_submission."""
    return {
        "type": "view_submission",
        "team": None,
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T_ORG2"},
        "api_app_id": "A0001",
        "token": "fixed-value",
        "trigger_id": fresh("1111.222"),
        "view": {
            "id": "V111",
            "team_id": "T_ORG2",
            "type": "modal",
            "private_metadata": "",
            "callback_id": callback_id,
            "state": {
                "values": {
                    ids.TEXT_BLOCK: {ids.TEXT_INPUT: {"type": "plain_text_input", "value": text}}
                }
            },
            "hash": "111.xxx",
            "previous_view_id": None,
            "root_view_id": "V111",
            "app_id": "A0001",
            "external_id": "",
            "app_installed_team_id": TEAM,
            "bot_id": "B111",
        },
        "response_urls": [],
        "is_enterprise_install": True,
        "enterprise": {"id": ENTERPRISE, "name": "Sandbox Org"},
    }


def test_org_wide_install_commands_clicks_and_submissions_act_in_the_workspace(
    teams: Served, fake: FakeSlack
) -> None:
    # A slash command from an org-wide install carries the enterprise besides the team.
    form = dict(parse_qsl(_command_form("/offer", "A target list for the mailer", L1)))
    form.update(enterprise_id=ENTERPRISE, is_enterprise_install="true")
    offered = teams.slack.raw(urlencode(form), slack.FORM)
    assert "on its way" in offered.text
    [offer] = teams.rows(Offer)

    click = org_wide_click(M1, ids.ACCEPT, str(offer.id), fake.response_url("grid"))
    assert send_payload(teams, click).status == 200
    wait_until(lambda: teams.rows(Offer)[0].status == "accepted")
    assert teams.rows(Offer)[0].accepted_by == M1

    submitted = send_payload(
        teams, org_wide_submission(M1, f"{ids.COMPOSE}:share", "Mailers land Monday")
    )
    assert submitted.json()["response_action"] == "update"
    [update] = teams.rows(Update)
    assert (update.workspace_id, update.author_id, update.text) == (
        TEAM,
        M1,
        "Mailers land Monday",
    )
    fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL), count=1)


def _command_form(command: str, text: str, user: str) -> str:
    channel = LIA_CHANNEL if user in LIAISONS else MKT_CHANNEL
    return slack.command_form(
        command,
        text,
        user,
        channel,
        "chan",
        response_url="http://127.0.0.1:9/unused",
        trigger_id=fresh("trig"),
        team_id=TEAM,
    )


def test_a_thread_reply_in_a_slack_connect_channel_answers_in_our_workspace(
    teams: Served, fake: FakeSlack
) -> None:
    """The channel is hosted by another organisation: the envelope's team_id is the host's,
    authorizations[0] names our installation. Shape: bolt-python tests/slack_bolt/request/
    test_internals.py, slack_connect_events_api_requests (and tests/scenario_tests/
    test_app_actor_user_token.py)."""
    ask(teams, fake)
    envelope = {
        "team_id": "T_HOST",
        "enterprise_id": "E_HOST",
        "context_team_id": TEAM,
        "context_enterprise_id": None,
        "api_app_id": "A0001",
        "event": {
            "type": "message",
            "text": "Cardiology first",
            "user": L2,
            "ts": "1800000000.100100",
            "thread_ts": _ts_of(teams),
            "team": TEAM,
            "channel": LIA_CHANNEL,
            "event_ts": "1800000000.100100",
            "channel_type": "channel",
        },
        "type": "event_callback",
        "event_id": fresh("Ev"),
        "event_time": 1800000000,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": BOT_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": True,
    }
    assert send_envelope(teams, envelope).status == 200
    [answer] = teams.rows(Answer)
    assert (answer.workspace_id, answer.author_id, answer.source) == (TEAM, L2, "thread")
    fake.wait_for("chat.postMessage", where=posted_to(M1))


def test_an_org_wide_install_event_takes_the_envelope_team(teams: Served, fake: FakeSlack) -> None:
    """An org-wide install's authorization names the organisation and no team. Shape:
    bolt-python tests/scenario_tests/test_events_org_apps.py."""
    ask(teams, fake)
    envelope = {
        "token": "verification-token",
        "team_id": TEAM,
        "enterprise_id": ENTERPRISE,
        "api_app_id": "A0001",
        "event": {
            **slack.message_event(L1, LIA_CHANNEL, "North first", "1800000000.2", None),
            "thread_ts": _ts_of(teams),
        },
        "type": "event_callback",
        "event_id": fresh("Ev"),
        "event_time": 1800000000,
        "authorizations": [
            {
                "enterprise_id": ENTERPRISE,
                "team_id": None,
                "user_id": BOT_ID,
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ],
        "is_ext_shared_channel": False,
    }
    assert send_envelope(teams, envelope).status == 200
    assert [a.author_id for a in teams.rows(Answer)] == [L1]
    assert teams.rows(Question)[0].status == "answered"


def _unsigned(app: Served, body: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(
        app.slack.url, data=body.encode(), headers={"Content-Type": slack.FORM, **headers}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def test_ssl_check_is_answered_200_without_a_signature(app: Served) -> None:
    assert _unsigned(app, "ssl_check=1&token=xyz", {}) == (200, "")
    forged = {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}
    assert _unsigned(app, "ssl_check=1&token=xyz", forged) == (200, "")


def test_event_and_interaction_types_without_a_listener_are_acknowledged(
    teams: Served, fake: FakeSlack
) -> None:
    reaction = {
        "type": "reaction_added",
        "user": M1,
        "reaction": "eyes",
        "item": {"type": "message", "channel": LIA_CHANNEL, "ts": "1678453386.979699"},
        "event_ts": "1678456876.000900",
    }
    home = {"type": "app_home_opened", "user": M1, "channel": "D1", "tab": "home"}
    for event in (reaction, home):
        assert teams.slack.event(event).status == 200
    rate_limited = {
        "token": "x",
        "type": "app_rate_limited",
        "team_id": TEAM,
        "minute_rate_limited": 1518467820,
        "api_app_id": "A0001",
    }
    assert send_envelope(teams, rate_limited).status == 200
    unknown_button = teams.slack.action(M1, "someone_elses_button", "1")
    assert (unknown_button.status, unknown_button.body) == (200, "")
    closed = {
        "type": "view_closed",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": M1, "team_id": TEAM},
        "view": {"id": "V1", "callback_id": ids.ANSWER_MODAL, "state": {"values": {}}},
        "is_cleared": False,
    }
    shortcut = {
        "type": "shortcut",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": M1, "team_id": TEAM},
        "callback_id": "not_ours",
        "trigger_id": fresh("trig"),
    }
    for payload in (closed, shortcut):
        assert send_payload(teams, payload).status == 200
    assert teams.slack.command("/unknown", "hello", M1, MKT_CHANNEL).status == 200
    assert fake.calls("chat.postMessage") == []


def test_every_other_listener_takes_the_org_wide_shape(
    teams: Served, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The click that opens a form, the form's submission, /liaison, the settings form and
    the error handler's apology, each sent as an org-wide install sends them (shapes above)."""
    question_id, _ = ask(teams, fake)

    opens = org_wide_click(L1, ids.ANSWER, str(question_id), fake.response_url("open"))
    assert send_payload(teams, opens).status == 200
    [opened] = fake.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == ids.ANSWER_MODAL

    answer = org_wide_submission(L1, ids.ANSWER_MODAL, "Start with Dr. Lee's group")
    answer["view"]["private_metadata"] = str(question_id)
    assert send_payload(teams, answer).json()["response_action"] == "update"
    assert [(a.workspace_id, a.author_id) for a in teams.rows(Answer)] == [(TEAM, L1)]

    form = dict(parse_qsl(_command_form("/liaison", "teams", M1)))
    form.update(enterprise_id=ENTERPRISE, is_enterprise_install="true")
    assert "Marketing" in teams.slack.raw(urlencode(form), slack.FORM).text

    settings = org_wide_submission(ADMIN, ids.SETTINGS_MODAL, "")
    settings["view"]["state"]["values"] = {b: {"value": v} for b, v in fields().items()}
    assert send_payload(teams, settings).json()["response_action"] == "update"
    [workspace] = teams.rows(Workspace)
    assert (workspace.id, workspace.digest_weekday) == (TEAM, 2)

    # The close use case fails (the buttons hold their use cases, so its step is patched).
    fail_once(monkeypatch, storage.items.service, "transition")
    closes = org_wide_click(M1, ids.CLOSE, str(question_id), fake.response_url("sorry"))
    assert send_payload(teams, closes).status == 200
    [apology] = fake.wait_for("response_url", where=lambda c: c.name == "sorry")
    assert replies.TROUBLE in apology.body["text"]
