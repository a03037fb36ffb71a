"""Refusals name a person to ask, and a post Slack refuses for good comes back to its author
in words, with their text. Every test runs on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from conftest import ADMIN, LIA_CHANNEL, LIAISONS, MARKETING, MKT_CHANNEL, Served, wait_until
from fake_slack import Call, FakeSlack
from slack_sdk.models.blocks import Block

from handlers import messages
from storage.models import Delivery, Update

M1 = MARKETING[0]
L1 = LIAISONS[0]
TEXT = "Ortho kickoff with <@U_L3>: <https://drive.example/ortho-brief|ortho brief> &amp; more"


def posted_to(channel: str) -> Callable[[Call], bool]:
    return lambda call: call.body.get("channel") == channel and "thread_ts" not in call.body


def blocks_of(call: Call) -> str:
    return json.dumps(call.body["blocks"])


def valid(blocks: list[dict[str, object]]) -> None:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None and parsed.to_dict() == block


# -- refusals name the admins who set the teams up -------------------------------------------


def test_a_team_without_a_channel_names_the_admin_who_set_up_the_other(
    app: Served, fake: FakeSlack
) -> None:
    for command, user in [("setup marketing", ADMIN), ("join marketing", M1)]:
        assert app.slack.command("/liaison", command, user, MKT_CHANNEL).status == 200

    reply = app.slack.command("/share", "Q3 plan", M1, MKT_CHANNEL)

    assert f"Ask <@{ADMIN}> to run `/liaison setup liaison`" in reply.text
    assert "LIAISON_ADMINS" not in reply.text
    assert app.rows(Update) == []


def test_before_any_setup_refusals_point_to_a_workspace_admin(app: Served, fake: FakeSlack) -> None:
    for command, user, channel in [
        ("join marketing", M1, MKT_CHANNEL),
        ("join liaison", L1, LIA_CHANNEL),
    ]:
        assert app.slack.command("/liaison", command, user, channel).status == 200

    no_channel = app.slack.command("/share", "Q3 plan", M1, MKT_CHANNEL)
    assert "Ask a workspace admin to run `/liaison setup liaison`" in no_channel.text
    not_allowed = app.slack.command("/liaison", "setup marketing", M1, MKT_CHANNEL)
    assert "Only workspace admins" in not_allowed.text
    assert "contact a workspace admin" in not_allowed.text
    for said in (no_channel.text, not_allowed.text):
        assert "LIAISON_ADMINS" not in said and "<@" not in said


def test_a_member_who_may_not_set_up_is_told_whom_to_ask(teams: Served, fake: FakeSlack) -> None:
    refused = teams.slack.command("/liaison", "settings", M1, MKT_CHANNEL)

    assert "Only workspace admins" in refused.text
    assert f"To ask about it, contact <@{ADMIN}>." in refused.text
    assert "LIAISON_ADMINS" not in refused.text


# -- a post Slack refused for good -------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        ("not_in_channel", "invite it there with `/invite @Liaison Bridge`"),
        ("is_archived", f"was archived: ask <@{ADMIN}> to set up a new one with `/liaison setup`"),
    ],
)
def test_a_refused_post_comes_back_with_what_to_do_and_the_text(
    teams: Served, fake: FakeSlack, error: str, advice: str
) -> None:
    fake.fail_next("chat.postMessage", f"error:{error}")
    assert "on its way" in teams.slack.command("/share", TEXT, M1, MKT_CHANNEL).text

    [note] = fake.wait_for("chat.postMessage", where=posted_to(M1))
    said = blocks_of(note)
    assert f"Your post to <#{LIA_CHANNEL}> didn't go out" in said
    assert advice in said
    assert error not in said and error not in note.body["text"]  # words, not Slack's code
    assert TEXT in said  # handed back with its mention and link intact
    valid(note.body["blocks"])
    wait_until(lambda: [d for d in teams.rows(Delivery) if d.status == "failed"] or None)
    first = fake.calls("chat.postMessage", include_failed=True)[0]
    assert (first.body["channel"], first.failed) == (LIA_CHANNEL, f"error:{error}")


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        ("channel_not_found", "The app can't find <#C1> any more"),
        ("restricted_action", "Slack won't take posts in <#C1> from the app"),
    ],
)
def test_every_refusal_is_said_in_words_with_whom_to_ask(error: str, advice: str) -> None:
    note = messages.post_failed("C1", error, "Q3 plan", ())
    said = json.dumps(note["blocks"])
    assert advice in said and "ask a workspace admin" in said
    assert error not in said and error not in note["text"]
    assert "Q3 plan" in said
    valid(note["blocks"])

    retained = messages.post_failed("C1", "not_in_channel", None, ("UADMIN",))
    assert len(retained["blocks"]) == 1  # no item behind the post: no text to hand back
