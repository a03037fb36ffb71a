"""Offers of something of value to a referral source carry a flag wherever they show."""

from __future__ import annotations

import json

from conftest import LIA_CHANNEL, LIAISONS, MKT_CHANNEL, Served
from fake_slack import FakeSlack

from handlers import ids
from storage.models import Offer

L1 = LIAISONS[0]
CHECKED = {
    ids.VALUE_BLOCK: {
        ids.VALUE_INPUT: {"type": "checkboxes", "selected_options": [{"value": ids.VALUE_OPTION}]}
    }
}
UNCHECKED = {ids.VALUE_BLOCK: {ids.VALUE_INPUT: {"type": "checkboxes", "selected_options": []}}}
TEXT = "Lunch-and-learn for Dr. Patel's office on the new ortho pathway"


def test_a_command_mentioning_a_meal_asks_first_and_posts_nothing(
    teams: Served, fake: FakeSlack
) -> None:
    reply = teams.slack.command("/offer", TEXT, L1, LIA_CHANNEL)
    assert reply.status == 200
    assert "Your offer mentions “Lunch”" in reply.text
    [opened] = fake.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == f"{ids.COMPOSE}:offer"
    shown = json.dumps(view["blocks"])
    assert "Involves something of value to a referral source" in shown
    text_block = next(b for b in view["blocks"] if b.get("block_id") == ids.TEXT_BLOCK)
    assert text_block["element"]["initial_value"] == TEXT
    assert teams.rows(Offer) == []
    assert fake.calls("chat.postMessage") == []


def test_the_form_needs_the_box_ticked_or_the_words_removed(teams: Served, fake: FakeSlack) -> None:
    callback = f"{ids.COMPOSE}:offer"
    refused = teams.slack.view_submission(
        L1, callback, {ids.TEXT_BLOCK: {ids.TEXT_INPUT: TEXT}}, elements=UNCHECKED
    )
    assert refused.json()["response_action"] == "errors"
    assert "Lunch" in refused.json()["errors"][ids.VALUE_BLOCK]
    assert teams.rows(Offer) == []

    flagged = teams.slack.view_submission(
        L1, callback, {ids.TEXT_BLOCK: {ids.TEXT_INPUT: TEXT}}, elements=CHECKED
    )
    assert flagged.json()["response_action"] == "update"
    # The author's Withdraw button comes with the confirmation in the form.
    assert ids.WITHDRAW in json.dumps(flagged.json()["view"]["blocks"])
    [offer] = teams.rows(Offer)
    assert offer.of_value
    [post] = fake.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == MKT_CHANNEL)
    assert "something of value to a referral source" in json.dumps(post.body["blocks"])


def test_an_offer_without_such_words_needs_no_flag(teams: Served, fake: FakeSlack) -> None:
    reply = teams.slack.command(
        "/offer", "Talking points on the new spine program", L1, LIA_CHANNEL
    )
    assert "on its way to Marketing" in reply.text
    [offer] = teams.rows(Offer)
    assert not offer.of_value
