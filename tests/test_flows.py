"""The three habits end to end: signed requests in, Slack calls and stored rows out."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from conftest import LIA_CHANNEL, LIAISONS, MARKETING, MKT_CHANNEL, Served, wait_until
from fake_slack import Call, FakeSlack
from slack_requests import Reply, thread_reply_event

from handlers import ids
from storage.models import Answer, Delivery, Offer, Question, Update

M1, M2 = MARKETING
L1, L2 = LIAISONS[:2]


def posted_to(channel: str) -> Callable[[Call], bool]:
    return lambda call: call.body.get("channel") == channel and "thread_ts" not in call.body


def blocks_text(call: Call) -> str:
    return json.dumps(call.body.get("blocks", []))


def buttons(call: Call) -> list[str]:
    return [
        element["action_id"]
        for block in call.body.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def own_buttons(reply: Reply) -> list[tuple[str, str]]:
    """The author's buttons in the command's private confirmation."""
    return [
        (element["action_id"], element["value"])
        for block in reply.json().get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_share_posts_to_the_other_team_and_confirms_privately(teams: Served, fake: FakeSlack):
    reply = teams.slack.command("/share", "Ortho campaign launches May 6", M1, MKT_CHANNEL)

    assert reply.status == 200
    assert "on its way to Physician Liaisons" in reply.text
    assert "in_channel" not in reply.body
    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    assert "Ortho campaign launches May 6" in blocks_text(post)
    assert "Plan update from Marketing" in blocks_text(post)
    assert f"<@{M1}>" in blocks_text(post)
    assert "<!date^" in blocks_text(post)
    [update] = teams.rows(Update)
    assert (update.author_id, update.text) == (M1, "Ortho campaign launches May 6")
    assert own_buttons(reply) == []


def ask(app: Served, fake: FakeSlack, text: str = "Which practices first?") -> tuple[int, Call]:
    reply = app.slack.command("/ask", text, M1, MKT_CHANNEL)
    assert "on its way" in reply.text
    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    [question] = app.rows(Question)
    # The asker's Close button is in their private confirmation, not in the other channel.
    assert own_buttons(reply) == [(ids.CLOSE, str(question.id))]
    return question.id, post


def test_ask_posts_an_answer_button_and_a_modal_answer_goes_to_the_thread(
    teams: Served, fake: FakeSlack
):
    question_id, post = ask(teams, fake)
    assert buttons(post) == [ids.ANSWER]

    click = teams.slack.action(
        L1, ids.ANSWER, str(question_id), response_url=fake.response_url("a")
    )
    assert click.status == 200
    [opened] = fake.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == ids.ANSWER_MODAL
    assert opened.body["view"]["private_metadata"] == str(question_id)

    submit = teams.slack.view_submission(
        L1,
        ids.ANSWER_MODAL,
        {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "Start with Dr. Lee's group"}},
        private_metadata=str(question_id),
    )
    assert submit.status == 200
    assert submit.json()["response_action"] == "update"

    [reply] = fake.wait_for("chat.postMessage", where=lambda c: "thread_ts" in c.body)
    assert reply.body["thread_ts"] == _ts_of(teams)
    assert reply.body["channel"] == LIA_CHANNEL
    assert "Start with Dr. Lee's group" in blocks_text(reply)
    [edit] = fake.wait_for("chat.update")
    assert "Answered by" in blocks_text(edit)
    [dm] = fake.wait_for("chat.postMessage", where=posted_to(M1))
    assert "answered your question" in blocks_text(dm)
    assert "https://example.slack.com/archives/" in blocks_text(dm)
    [question] = teams.rows(Question)
    assert question.status == "answered"
    [answer] = teams.rows(Answer)
    assert (answer.author_id, answer.source) == (L1, "modal")


def test_a_thread_reply_from_the_other_team_answers_once(teams: Served, fake: FakeSlack):
    ask(teams, fake)
    event = thread_reply_event(L2, LIA_CHANNEL, _ts_of(teams), "Cardiology first", "1800000000.1")

    assert teams.slack.event(event, event_id="Ev1").status == 200
    # Slack sends the event again when it thinks the first delivery failed.
    assert teams.slack.event(event, event_id="Ev1", retry_num=1).status == 200

    [edit] = fake.wait_for("chat.update")
    assert f"Answered by <@{L2}>" in blocks_text(edit)
    [dm] = fake.wait_for("chat.postMessage", where=posted_to(M1))
    assert "Cardiology first" in blocks_text(dm)
    [answer] = teams.rows(Answer)
    assert (answer.author_id, answer.text, answer.source) == (L2, "Cardiology first", "thread")
    assert teams.rows(Question)[0].status == "answered"
    assert len(fake.calls("chat.update")) == 1


def _ts_of(app: Served) -> str:
    """The ts Slack gave the question's message, once the app has recorded it."""
    [question] = app.rows(Question)

    def recorded() -> str | None:
        [post] = [d for d in app.rows(Delivery) if d.id == question.delivery_id]
        return post.result_ts

    return wait_until(recorded)


def test_replies_that_are_not_answers_are_ignored(teams: Served, fake: FakeSlack):
    ask(teams, fake)
    thread_ts = _ts_of(teams)
    own_team = thread_reply_event(M2, LIA_CHANNEL, thread_ts, "+1 to this", "1800000000.2")
    elsewhere = thread_reply_event(L1, LIA_CHANNEL, "1234.5678", "unrelated", "1800000000.3")
    bot = {**thread_reply_event(L1, LIA_CHANNEL, thread_ts, "bot", "1800000000.4"), "bot_id": "B1"}
    for n, event in enumerate([own_team, elsewhere, bot]):
        assert teams.slack.event(event, event_id=f"Ev{n}").status == 200
    assert teams.rows(Answer) == []
    assert teams.rows(Question)[0].status == "open"


def test_only_the_asker_closes_a_question(teams: Served, fake: FakeSlack):
    question_id, _ = ask(teams, fake)
    teams.slack.action(L1, ids.CLOSE, str(question_id), response_url=fake.response_url("no"))
    [refusal] = fake.wait_for("response_url", where=lambda c: c.name == "no")
    assert f"Only <@{M1}>" in refusal.body["text"]
    assert teams.rows(Question)[0].status == "open"

    teams.slack.action(M1, ids.CLOSE, str(question_id), response_url=fake.response_url("ok"))
    fake.wait_for("response_url", where=lambda c: c.name == "ok")
    [edit] = fake.wait_for("chat.update")
    assert "Closed without an answer" in blocks_text(edit)
    assert "closed by the asker" in blocks_text(edit)
    assert buttons(edit) == []
    assert teams.rows(Question)[0].status == "closed"

    teams.slack.action(L1, ids.ANSWER, str(question_id), response_url=fake.response_url("late"))
    [late] = fake.wait_for("response_url", where=lambda c: c.name == "late")
    assert "is closed" in late.body["text"]
    assert fake.calls("views.open") == []


def offer(app: Served, fake: FakeSlack) -> tuple[int, Call]:
    reply = app.slack.command("/offer", "Target list of splitter PCPs", L1, LIA_CHANNEL)
    assert "on its way to Marketing" in reply.text
    [post] = fake.wait_for("chat.postMessage", where=posted_to(MKT_CHANNEL))
    [row] = app.rows(Offer)
    assert own_buttons(reply) == [(ids.WITHDRAW, str(row.id))]
    return row.id, post


def test_accept_turns_an_offer_into_a_commitment(teams: Served, fake: FakeSlack):
    offer_id, post = offer(teams, fake)
    assert buttons(post) == [ids.ACCEPT, ids.DECLINE]

    teams.slack.action(M1, ids.ACCEPT, str(offer_id), response_url=fake.response_url("yes"))
    [ok] = fake.wait_for("response_url", where=lambda c: c.name == "yes")
    assert f"<@{L1}> has been told" in ok.body["text"]
    [edit] = fake.wait_for("chat.update")
    assert f"Accepted by <@{M1}>" in blocks_text(edit) and buttons(edit) == [ids.DELIVER]
    [dm] = fake.wait_for("chat.postMessage", where=posted_to(L1))
    assert "accepted your offer" in blocks_text(dm)
    [row] = teams.rows(Offer)
    assert (row.status, row.accepted_by) == ("accepted", M1)

    teams.slack.action(M2, ids.ACCEPT, str(offer_id), response_url=fake.response_url("late"))
    [late] = fake.wait_for("response_url", where=lambda c: c.name == "late")
    assert late.body["text"].startswith(f"That offer is already accepted (<@{M1}>, <!date^")
    assert teams.rows(Offer)[0].accepted_by == M1


def test_the_offerer_cannot_accept_their_own_offer(teams: Served, fake: FakeSlack):
    offer_id, _ = offer(teams, fake)
    teams.slack.action(L1, ids.ACCEPT, str(offer_id), response_url=fake.response_url("own"))
    [own] = fake.wait_for("response_url", where=lambda c: c.name == "own")
    # The offerer is no member of the receiving team, who alone may accept.
    assert own.body["text"].startswith("Only members of Marketing can accept this offer.")
    teams.slack.action(L2, ids.ACCEPT, str(offer_id), response_url=fake.response_url("team"))
    [team] = fake.wait_for("response_url", where=lambda c: c.name == "team")
    assert "Only members of Marketing" in team.body["text"]
    assert teams.rows(Offer)[0].status == "offered"


def test_twelve_simultaneous_accepts_give_exactly_one(teams: Served, fake: FakeSlack):
    reply = teams.slack.command("/offer", "Event support for the heart fair", M1, MKT_CHANNEL)
    assert reply.status == 200
    fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    [row] = teams.rows(Offer)

    def click(user: str) -> int:
        url = fake.response_url(user)
        return teams.slack.action(user, ids.ACCEPT, str(row.id), response_url=url).status

    with ThreadPoolExecutor(len(LIAISONS)) as pool:
        statuses = list(pool.map(click, LIAISONS))

    assert statuses == [200] * len(LIAISONS)
    answers = fake.wait_for("response_url", count=len(LIAISONS))
    winners = [c for c in answers if "has been told" in c.body["text"]]
    assert len(winners) == 1
    late = "That offer is already accepted"
    assert sum(c.body["text"].startswith(late) for c in answers) == len(LIAISONS) - 1
    [accepted] = teams.rows(Offer)
    assert accepted.accepted_by == winners[0].name
    fake.wait_for("chat.update")
    fake.wait_for("chat.postMessage", where=posted_to(M1))
    assert len(fake.calls("chat.update")) == 1


def test_the_offerer_can_withdraw_an_open_offer(teams: Served, fake: FakeSlack):
    offer_id, _ = offer(teams, fake)
    teams.slack.action(M1, ids.WITHDRAW, str(offer_id), response_url=fake.response_url("x"))
    [no] = fake.wait_for("response_url", where=lambda c: c.name == "x")
    assert f"Only <@{L1}>" in no.body["text"]
    teams.slack.action(L1, ids.WITHDRAW, str(offer_id), response_url=fake.response_url("w"))
    fake.wait_for("response_url", where=lambda c: c.name == "w")
    [edit] = fake.wait_for("chat.update")
    assert "Withdrawn" in blocks_text(edit) and buttons(edit) == []
    teams.slack.action(M1, ids.ACCEPT, str(offer_id), response_url=fake.response_url("gone"))
    [gone] = fake.wait_for("response_url", where=lambda c: c.name == "gone")
    assert "is withdrawn" in gone.body["text"]
    assert teams.rows(Offer)[0].status == "withdrawn"


def test_a_reply_also_sent_to_the_channel_answers_and_keeps_its_text(
    teams: Served, fake: FakeSlack
):
    ask(teams, fake)
    # Slack escapes &, < and > in message text; "also send to channel" adds a subtype.
    event = {
        **thread_reply_event(L1, LIA_CHANNEL, _ts_of(teams), "Smith &amp; Jones &lt;3", "1.5"),
        "subtype": "thread_broadcast",
    }
    assert teams.slack.event(event, event_id="EvB").status == 200

    [dm] = fake.wait_for("chat.postMessage", where=posted_to(M1))
    assert "Smith &amp; Jones &lt;3" in blocks_text(dm)
    assert "&amp;amp;" not in blocks_text(dm)
    [answer] = teams.rows(Answer)
    assert answer.text == "Smith &amp; Jones &lt;3"  # stored as Slack sent it
