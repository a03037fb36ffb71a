"""The PHI guard on every way text comes in: blocked text leaves no item, no queued post, no
audit text and no log line, and the author's reply never holds the identifier."""

from __future__ import annotations

import json
import logging
import urllib.request

import pytest
from conftest import LIA_CHANNEL, LIAISONS, MARKETING, MKT_CHANNEL, Served, wait_until
from fake_slack import FakeSlack
from slack_requests import thread_reply_event

from handlers import ids
from storage.enums import Action, GuardPolicy, State
from storage.models import Answer, AuditEntry, Delivery, Item, Offer, Question, Workspace

M1 = MARKETING[0]
L1 = LIAISONS[0]
MRN = "48213377"
WITH_MRN = f"Can someone call back pt Maria Gonzalez, MRN {MRN}? She was admitted Monday."


def _nowhere(app: Served, *values: str) -> None:
    """None of `values` is in any stored row the app keeps."""
    stored = json.dumps(
        [
            [i.text for i in app.rows(Item)],
            [a.text for a in app.rows(Answer)],
            [(o.decline_reason, o.delivered_link) for o in app.rows(Offer)],
            [d.payload for d in app.rows(Delivery)],
            [(a.detail, a.object_type) for a in app.rows(AuditEntry)],
        ]
    )
    for value in values:
        assert value not in stored


def _blocks(app: Served) -> list[AuditEntry]:
    return [a for a in app.rows(AuditEntry) if a.action == Action.PHI_BLOCK]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def test_a_command_is_blocked_and_handed_back_without_the_identifiers(
    teams: Served, fake: FakeSlack, logs: pytest.LogCaptureFixture
) -> None:
    reply = teams.slack.command("/ask", WITH_MRN, M1, MKT_CHANNEL)
    assert reply.status == 200
    said = reply.text
    assert "Not posted" in said and "MRN" in said and "patient name" in said
    assert MRN not in said and "Gonzalez" not in said
    assert "[MRN]" in said and "[patient name]" in said
    assert teams.rows(Question) == []
    _nowhere(teams, MRN, "Gonzalez")
    [block] = _blocks(teams)
    assert block.actor_id == M1
    assert block.detail is not None
    assert set(block.detail["kinds"]) >= {"MRN", "patient name"}
    assert block.detail["length"] == len(WITH_MRN) and block.detail["rules"]
    assert MRN not in logs.text and "Gonzalez" not in logs.text
    assert fake.calls("chat.postMessage") == []


def test_a_form_keeps_the_draft_and_shows_the_error_on_the_field(teams: Served) -> None:
    reply = teams.slack.view_submission(
        M1, f"{ids.COMPOSE}:share", {ids.TEXT_BLOCK: {ids.TEXT_INPUT: WITH_MRN}}
    )
    answer = reply.json()
    assert answer["response_action"] == "errors"
    error = answer["errors"][ids.TEXT_BLOCK]
    assert "patient information" in error and "MRN" in error and MRN not in error
    assert teams.rows(Item) == []
    _nowhere(teams, MRN)


def _question(app: Served, fake: FakeSlack) -> tuple[int, str]:
    app.slack.command("/ask", "Which practices should we visit first?", M1, MKT_CHANNEL)
    [post] = fake.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == LIA_CHANNEL)
    [question] = app.rows(Question)
    ts = wait_until(lambda: next((d.result_ts for d in app.rows(Delivery) if d.result_ts), None))
    assert post.body["channel"] == LIA_CHANNEL
    return question.id, ts


def test_an_answer_in_the_form_is_blocked_on_its_field(teams: Served, fake: FakeSlack) -> None:
    question, _ = _question(teams, fake)
    reply = teams.slack.view_submission(
        L1,
        ids.ANSWER_MODAL,
        {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "Mrs. Alvarez, DOB 04/12/1948, asked about Lakeside"}},
        private_metadata=str(question),
    )
    assert reply.json()["response_action"] == "errors"
    assert "date of birth" in reply.json()["errors"][ids.TEXT_BLOCK]
    assert teams.rows(Answer) == []
    _nowhere(teams, "04/12/1948", "Alvarez")


def test_a_thread_reply_is_not_recorded_and_its_author_is_asked_to_delete_it(
    teams: Served, fake: FakeSlack
) -> None:
    _, ts = _question(teams, fake)
    reply = f"Her daughter can be reached at 617-555-0134 about the admission, MRN {MRN}"
    teams.slack.event(thread_reply_event(L1, LIA_CHANNEL, ts, reply, "1700000500.000100"))
    [dm] = fake.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == L1)
    assert "not recorded or forwarded" in dm.body["text"] and "delete it" in dm.body["text"]
    assert MRN not in json.dumps(dm.body) and "617-555-0134" not in json.dumps(dm.body)
    assert teams.rows(Answer) == []
    [stored] = teams.rows(Question)
    assert stored.status == State.OPEN
    _nowhere(teams, MRN, "617-555-0134")
    assert len(_blocks(teams)) == 1


def test_a_decline_reason_and_a_delivered_link_pass_the_guard_too(
    teams: Served, fake: FakeSlack
) -> None:
    teams.slack.command("/offer", "A target list of splitter PCPs", L1, LIA_CHANNEL)
    [offer] = teams.rows(Offer)
    reason = f"The patient John Carter (MRN {MRN}) already has a referral"
    declined = teams.slack.view_submission(
        M1,
        ids.DECLINE_MODAL,
        {ids.TEXT_BLOCK: {ids.TEXT_INPUT: reason}},
        private_metadata=str(offer.id),
    )
    assert declined.json()["response_action"] == "errors"
    teams.slack.action(M1, ids.ACCEPT, str(offer.id))
    wait_until(lambda: teams.rows(Offer)[0].status == State.ACCEPTED)
    link = f"https://chart.example.org/patient?mrn={MRN}"
    delivered = teams.slack.view_submission(
        L1,
        ids.DELIVER_MODAL,
        {ids.LINK_BLOCK: {ids.LINK_INPUT: link}},
        private_metadata=str(offer.id),
    )
    assert delivered.json()["response_action"] == "errors"
    assert ids.LINK_BLOCK in delivered.json()["errors"]
    [stored] = teams.rows(Offer)
    assert stored.status == State.ACCEPTED and stored.decline_reason is None
    _nowhere(teams, MRN, "Carter")
    assert len(_blocks(teams)) == 2


def test_physician_level_business_talk_passes(teams: Served, fake: FakeSlack) -> None:
    text = (
        "Dr. Chen at Northgate Cardiology sent 22 referrals last month; office fax "
        "617-555-0100, NPI 1234567893. CME dinner Oct 14 at 200 Main St."
    )
    reply = teams.slack.command("/share", text, M1, MKT_CHANNEL)
    assert "on its way" in reply.text
    assert [i.text for i in teams.rows(Item)] == [text]
    assert _blocks(teams) == []


def test_warn_posts_the_text_warns_the_author_and_audits_it(teams: Served, fake: FakeSlack) -> None:
    with teams.runtime.db.unit_of_work() as uow:
        for workspace in uow.session.query(Workspace):
            workspace.phi_policy = GuardPolicy.WARN
    reply = teams.slack.command("/share", WITH_MRN, M1, MKT_CHANNEL)
    assert "on its way" in reply.text and ":warning:" in reply.text
    assert MRN not in reply.text
    [item] = teams.rows(Item)
    assert item.text == WITH_MRN
    [warned] = [a for a in teams.rows(AuditEntry) if a.action == Action.PHI_WARN]
    assert warned.detail is not None and "MRN" in warned.detail["kinds"]
    assert MRN not in json.dumps(warned.detail)


def test_blocks_are_counted_by_kind_in_the_metrics(teams: Served) -> None:
    teams.slack.command("/share", WITH_MRN, M1, MKT_CHANNEL)
    with urllib.request.urlopen(teams.url + "/metrics", timeout=5) as response:
        metrics = response.read().decode()
    assert 'phi_blocks_total{kind="mrn"}' in metrics
