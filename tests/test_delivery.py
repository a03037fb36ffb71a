"""The delivery worker end to end: Slack failing in every way, and the posts still arrive once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import (
    ADMIN,
    LIA_CHANNEL,
    LIAISONS,
    MARKETING,
    MKT_CHANNEL,
    Served,
    serve,
    settings_for,
    wait_until,
)
from fake_slack import Call, FakeSlack

from handlers import ids
from storage.models import Delivery, Question

M1, M2 = MARKETING
L1 = LIAISONS[0]


def posted_to(channel: str) -> Callable[[Call], bool]:
    return lambda call: call.body.get("channel") == channel and "thread_ts" not in call.body


def posts(fake: FakeSlack, channel: str, *, include_failed: bool = False) -> list[Call]:
    calls = fake.calls("chat.postMessage", include_failed=include_failed)
    return [c for c in calls if posted_to(channel)(c)]


def failed_posts(fake: FakeSlack, channel: str) -> list[Call]:
    return [c for c in posts(fake, channel, include_failed=True) if c.failed is not None]


def deliveries(app: Served) -> list[Delivery]:
    rows: list[Delivery] = app.rows(Delivery)
    return rows


def delivery(app: Served, delivery_id: int) -> Delivery:
    [row] = [d for d in deliveries(app) if d.id == delivery_id]
    return row


def settled(app: Served, delivery_id: int, status: str, timeout: float = 15.0) -> Delivery:
    """The delivery row once the worker has given it ``status``."""

    def check() -> Delivery | None:
        row = delivery(app, delivery_id)
        return row if row.status == status else None

    return wait_until(check, timeout)


def share(app: Served, user: str, text: str, channel: str = MKT_CHANNEL) -> int:
    """Share an update; returns the id of the delivery that posts it."""
    before = {d.id for d in deliveries(app)}
    reply = app.slack.command("/share", text, user, channel)
    assert reply.status == 200 and "on its way" in reply.text, reply
    [new] = [d for d in deliveries(app) if d.id not in before]
    return new.id


def ask(app: Served, text: str = "Which practices first?") -> Question:
    reply = app.slack.command("/ask", text, M1, MKT_CHANNEL)
    assert reply.status == 200 and "on its way" in reply.text, reply
    questions: list[Question] = app.rows(Question)
    [question] = questions
    return question


def answer_in_modal(app: Served, question: Question, text: str) -> None:
    submit = app.slack.view_submission(
        L1,
        ids.ANSWER_MODAL,
        {ids.TEXT_BLOCK: {ids.TEXT_INPUT: text}},
        private_metadata=str(question.id),
    )
    assert submit.status == 200
    assert submit.json()["response_action"] == "update", submit


@pytest.mark.parametrize("mode", ["429", "500", "timeout"])
def test_a_failed_post_is_retried_and_arrives_exactly_once(
    teams: Served, fake: FakeSlack, mode: str
) -> None:
    fake.fail_next("chat.postMessage", mode, retry_after=1)

    delivery_id = share(teams, M1, "Ortho campaign launches May 6")

    row = settled(teams, delivery_id, "sent")
    [failure] = failed_posts(fake, LIA_CHANNEL)
    assert failure.failed == mode
    [post] = posts(fake, LIA_CHANNEL)
    assert "Ortho campaign launches May 6" in str(post.body.get("text"))
    # Slack asked for a second (429), or the worker backs off from about a second.
    assert post.at - failure.at >= 0.75
    assert row.attempts == 2
    assert (row.result_channel, row.last_error) == (LIA_CHANNEL, None)
    assert row.result_ts is not None
    assert len(posts(fake, LIA_CHANNEL, include_failed=True)) == 2


def test_a_rate_limited_channel_waits_as_a_whole_while_others_proceed(
    teams: Served, fake: FakeSlack
) -> None:
    fake.fail_next("chat.postMessage", "429", retry_after=2)
    first = share(teams, M1, "first to liaisons")
    wait_until(lambda: failed_posts(fake, LIA_CHANNEL) or None, timeout=5)

    second = share(teams, M2, "second to liaisons")
    other = share(teams, L1, "to marketing", LIA_CHANNEL)

    [to_marketing] = fake.wait_for("chat.postMessage", where=posted_to(MKT_CHANNEL))
    settled(teams, second, "sent")
    assert delivery(teams, first).status == "sent"
    assert delivery(teams, other).status == "sent"
    texts = [str(c.body.get("text")) for c in posts(fake, LIA_CHANNEL)]
    assert len(texts) == 2
    assert "first to liaisons" in texts[0] and "second to liaisons" in texts[1]
    [first_post, _] = posts(fake, LIA_CHANNEL)
    [failure] = failed_posts(fake, LIA_CHANNEL)
    assert first_post.at - failure.at >= 1.9  # Retry-After: 2 was honoured
    # The other channel did not wait for the rate-limited one.
    assert failure.at < to_marketing.at < first_post.at


def test_posts_left_undelivered_by_a_stopped_app_go_out_after_a_restart(
    teams: Served, fake: FakeSlack, db_url: str
) -> None:
    fake.fail_next("chat.postMessage", "500", times=1000)
    delivery_id = share(teams, M1, "Survives a restart")
    wait_until(lambda: failed_posts(fake, LIA_CHANNEL) or None, timeout=5)
    teams.runtime.stop()
    assert delivery(teams, delivery_id).status == "pending"
    fake.reset()

    again = serve(settings_for(fake, db_url))
    try:
        row = settled(again, delivery_id, "sent")
        [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
        assert "Survives a restart" in str(post.body.get("text"))
        assert row.result_ts is not None and row.last_error is None
        assert len(fake.calls("chat.postMessage", include_failed=True)) == 1
    finally:
        again.runtime.stop()


def test_a_permanent_error_fails_the_post_and_what_needs_it_but_the_dm_still_goes(
    teams: Served, fake: FakeSlack
) -> None:
    # Hold the question's post back long enough to answer it, then refuse it for good.
    fake.fail_next("chat.postMessage", "429", retry_after=3)
    fake.fail_next("chat.postMessage", "error:not_in_channel")
    question = ask(teams)
    wait_until(lambda: failed_posts(fake, LIA_CHANNEL) or None, timeout=5)
    assert delivery(teams, question.delivery_id or 0).status == "pending"
    answer_in_modal(teams, question, "Start with Dr. Lee's group")
    dependents = [d for d in deliveries(teams) if d.ref_id == question.delivery_id]
    assert sorted(d.kind for d in dependents) == ["dm", "thread", "update"]

    post = settled(teams, question.delivery_id or 0, "failed")
    assert post.last_error == "not_in_channel"
    for dependent in dependents:
        if dependent.kind == "dm":
            continue
        row = settled(teams, dependent.id, "failed", timeout=5)
        assert row.last_error == "the message it needs was not sent"
        assert row.attempts == 0
    # The asker still hears the answer, without a link to a message that does not exist.
    [dm] = [d for d in dependents if d.kind == "dm"]
    settled(teams, dm.id, "sent", timeout=5)

    # The channel is not blocked: the next post to it goes out.
    later = share(teams, M2, "after the failure")
    settled(teams, later, "sent")
    assert [c.failed for c in posts(fake, LIA_CHANNEL, include_failed=True)] == [
        "429",
        "error:not_in_channel",
        None,
    ]
    assert fake.calls("chat.update", include_failed=True) == []
    assert fake.calls("chat.getPermalink", include_failed=True) == []
    sent = fake.calls("chat.postMessage", include_failed=True)
    assert not [c for c in sent if "thread_ts" in c.body]
    fake.wait_for("chat.postMessage", count=2, where=posted_to(M1))
    told = [str(c.body["blocks"]) for c in posts(fake, M1, include_failed=True)]
    [answer] = [t for t in told if "Start with Dr. Lee" in t]
    assert "archives" not in answer
    # The asker also hears that the question itself never reached the liaisons.
    [note] = [t for t in told if "didn't go out" in t]
    assert "not_in_channel" not in note and f"<#{LIA_CHANNEL}>" in note
    assert "invite it there with `/invite @Liaison Bridge`" in note
    wait_until(lambda: teams.runtime.services.outbox.pending() == 0, timeout=5)


def test_an_answer_never_goes_out_before_the_question(teams: Served, fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", "429", retry_after=2)
    question = ask(teams)
    wait_until(lambda: failed_posts(fake, LIA_CHANNEL) or None, timeout=5)
    answer_in_modal(teams, question, "Cardiology first")

    [dm] = fake.wait_for("chat.postMessage", where=posted_to(M1))
    [edit] = fake.wait_for("chat.update")
    [reply] = fake.wait_for("chat.postMessage", where=lambda c: "thread_ts" in c.body)
    [link] = fake.wait_for("chat.getPermalink")
    post = delivery(teams, question.delivery_id or 0)
    assert post.status == "sent"

    order = fake.calls(include_failed=True)
    [question_post] = posts(fake, LIA_CHANNEL)
    assert order.index(question_post) < order.index(reply)
    assert order.index(question_post) < order.index(edit)
    assert order.index(question_post) < order.index(link) < order.index(dm)
    assert reply.body["thread_ts"] == post.result_ts
    assert (edit.body["channel"], edit.body["ts"]) == (post.result_channel, post.result_ts)
    assert link.body["message_ts"] == post.result_ts
    assert "Cardiology first" in str(reply.body.get("blocks"))


def test_an_author_hears_privately_when_slack_refuses_their_post_for_good(
    teams: Served, fake: FakeSlack
) -> None:
    fake.fail_next("chat.postMessage", "error:is_archived")
    delivery_id = share(teams, M1, "Q3 ortho plan")

    settled(teams, delivery_id, "failed")
    [note] = fake.wait_for("chat.postMessage", where=posted_to(M1))
    said = str(note.body["blocks"])
    assert "didn't go out" in said and "is_archived" not in said
    assert f"was archived: ask <@{ADMIN}> to set up a new one with `/liaison setup`" in said
    assert "Q3 ortho plan" in said  # the author's text, to send again
    assert [c.failed for c in posts(fake, LIA_CHANNEL, include_failed=True)] == [
        "error:is_archived"
    ]
