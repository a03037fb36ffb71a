"""Offers from the other team's channel to delivered: Accept, Decline with a reason, Mark
delivered with a link, Withdraw from the private confirmation, and clicks that race."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from conftest import LIA_CHANNEL, LIAISONS, MARKETING, MKT_CHANNEL, Served
from fake_slack import Call, FakeSlack

from handlers import ids
from storage.enums import Action, State
from storage.models import AuditEntry, Delivery, Offer

M1 = MARKETING[0]
L1, L2 = LIAISONS[:2]


def _buttons(call: Call) -> list[str]:
    return [
        element["action_id"]
        for block in call.body.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def _offer(app: Served, fake: FakeSlack, user: str = L1, text: str = "A target list") -> Offer:
    to_channel, to_team = (
        (LIA_CHANNEL, "Physician Liaisons")
        if user in MARKETING
        else (
            MKT_CHANNEL,
            "Marketing",
        )
    )
    reply = app.slack.command("/offer", text, user, LIA_CHANNEL)
    assert f"on its way to {to_team}" in reply.text
    # The offerer's own button is in the private confirmation, not in Marketing's channel.
    assert ids.WITHDRAW in json.dumps(reply.json().get("blocks"))
    [post] = fake.wait_for(
        "chat.postMessage",
        where=lambda c: c.body.get("channel") == to_channel and "thread_ts" not in c.body,
    )
    assert _buttons(post) == [ids.ACCEPT, ids.DECLINE]
    [offer] = [o for o in app.rows(Offer) if o.text == text]
    return offer


def _edits(fake: FakeSlack) -> list[Call]:
    return fake.calls("chat.update")


def test_twelve_people_accepting_and_declining_at_once_give_one_outcome(
    teams: Served, fake: FakeSlack
) -> None:
    offer = _offer(teams, fake, user=M1, text="Co-branded mailer for your territory")
    clickers = LIAISONS[:12]

    def click(n: int) -> str:
        user = clickers[n]
        if n % 2:
            reply = teams.slack.view_submission(
                user,
                ids.DECLINE_MODAL,
                {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "We covered it"}},
                private_metadata=str(offer.id),
            )
            assert reply.status == 200
            body = reply.json()
            return "declined" if body.get("response_action") == "update" else json.dumps(body)
        url = fake.response_url(f"click-{n}")
        reply = teams.slack.action(user, ids.ACCEPT, str(offer.id), response_url=url)
        assert reply.status == 200
        [said] = fake.wait_for("response_url", where=lambda c: c.name == f"click-{n}")
        return str(said.body["text"])

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(click, range(12)))

    [stored] = teams.rows(Offer)
    assert stored.status in (State.ACCEPTED, State.DECLINED)
    winners = [a for a in answers if a == "declined" or a.startswith("You accepted")]
    assert len(winners) == 1, answers
    # Everyone else is told, privately, what happened and who got there first.
    losers = [a for a in answers if a not in winners]
    winner = stored.accepted_by or stored.declined_by
    for said in losers:
        assert winner in said and ("accepted" in said or "declined" in said), said
    moves = [a for a in teams.rows(AuditEntry) if a.action in (Action.ACCEPT, Action.DECLINE)]
    assert len(moves) == 1
    [dm] = fake.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == M1)
    assert "your offer" in dm.body["text"]
    assert len(fake.calls("chat.update")) == 1


def test_decline_with_a_reason_tells_the_offerer_and_the_message_shows_it(
    teams: Served, fake: FakeSlack
) -> None:
    offer = _offer(teams, fake)
    reply = teams.slack.action(M1, ids.DECLINE, str(offer.id))
    assert reply.status == 200
    [opened] = fake.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == ids.DECLINE_MODAL
    reply = teams.slack.view_submission(
        M1,
        ids.DECLINE_MODAL,
        {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "We did this list <last month>"}},
        private_metadata=opened.body["view"]["private_metadata"],
    )
    assert reply.json()["response_action"] == "update"
    [edit] = fake.wait_for("chat.update")
    shown = json.dumps(edit.body["blocks"])
    assert "Declined offer of help" in shown and ":handshake:" not in shown
    assert "We did this list &lt;last month&gt;" in shown
    assert _buttons(edit) == []
    [dm] = fake.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == L1)
    assert "declined your offer" in dm.body["text"]
    [stored] = teams.rows(Offer)
    assert (stored.status, stored.declined_by) == (State.DECLINED, M1)


def test_accept_then_mark_delivered_with_a_link(teams: Served, fake: FakeSlack) -> None:
    offer = _offer(teams, fake)
    teams.slack.action(M1, ids.ACCEPT, str(offer.id))
    [accepted] = fake.wait_for("chat.update")
    assert _buttons(accepted) == [ids.DELIVER]
    teams.slack.action(L1, ids.DELIVER, str(offer.id))
    [opened] = fake.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == ids.DELIVER_MODAL
    bad = teams.slack.view_submission(
        L1,
        ids.DELIVER_MODAL,
        {ids.LINK_BLOCK: {ids.LINK_INPUT: "javascript:alert(1)"}},
        private_metadata=str(offer.id),
    )
    assert bad.json()["response_action"] == "errors"
    assert ids.LINK_BLOCK in bad.json()["errors"]
    good = teams.slack.view_submission(
        L1,
        ids.DELIVER_MODAL,
        {ids.LINK_BLOCK: {ids.LINK_INPUT: "https://drive.example.org/north-list"}},
        private_metadata=str(offer.id),
    )
    assert good.json()["response_action"] == "update"
    _, delivered = fake.wait_for("chat.update", count=2)
    shown = json.dumps(delivered.body["blocks"])
    assert "<https://drive.example.org/north-list|What was delivered>" in shown
    assert "Delivered, marked by" in shown
    [dm] = fake.wait_for(
        "chat.postMessage",
        where=lambda c: c.body.get("channel") == M1 and "delivered" in c.body["text"],
    )
    assert dm
    [stored] = teams.rows(Offer)
    assert stored.status == State.DELIVERED
    assert stored.delivered_link == "https://drive.example.org/north-list"


def test_withdraw_from_the_confirmation_and_the_offer_no_longer_looks_live(
    teams: Served, fake: FakeSlack
) -> None:
    offer = _offer(teams, fake)
    refused = teams.slack.action(
        M1, ids.WITHDRAW, str(offer.id), response_url=fake.response_url("w")
    )
    assert refused.status == 200
    [said] = fake.wait_for("response_url", where=lambda c: c.name == "w")
    assert f"Only <@{L1}> can withdraw this offer" in said.body["text"]
    teams.slack.action(L1, ids.WITHDRAW, str(offer.id), response_url=fake.response_url("w2"))
    [edit] = fake.wait_for("chat.update")
    shown = json.dumps(edit.body["blocks"])
    assert "Withdrawn offer of help" in shown and _buttons(edit) == []
    again = fake.response_url("w3")
    teams.slack.action(M1, ids.ACCEPT, str(offer.id), response_url=again)
    [late] = fake.wait_for("response_url", where=lambda c: c.name == "w3")
    assert "withdrawn" in late.body["text"]
    assert [d.kind for d in teams.rows(Delivery)].count("update") == 1


def test_when_the_decline_form_cannot_open_the_clicker_is_told_and_nothing_changes(
    teams: Served, fake: FakeSlack
) -> None:
    offer = _offer(teams, fake)
    fake.fail_next("views.open", "error:expired_trigger_id")
    teams.slack.action(M1, ids.DECLINE, str(offer.id), response_url=fake.response_url("d"))
    [said] = fake.wait_for("response_url", where=lambda c: c.name == "d")
    assert "Couldn't open the form" in said.body["text"] and "click again" in said.body["text"]
    [stored] = teams.rows(Offer)
    assert stored.status == State.OFFERED
