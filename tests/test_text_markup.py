"""What people write shows as Slack shows it: mentions, channel links, links and dates stay
markup through commands, forms and thread replies, into posts, DMs and the digest; only
broadcasts and typed `&<>` are neutralised. Every test runs on both databases."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import LIA_CHANNEL, LIAISONS, MARKETING, MKT_CHANNEL, Served, wait_until
from fake_slack import Call, FakeSlack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_requests import thread_reply_event
from slack_sdk.models.blocks import Block

from handlers import ids
from storage.digests import FIRST_PERIOD
from storage.models import Answer, Delivery, Question, Update

M1 = MARKETING[0]
L1, L2 = LIAISONS[:2]

# Markup as Slack sends it in command and message text (`should_escape` on).
MARKUP = {
    "mention": "<@U_L3>",
    "named mention": "<@U_L3|lena>",
    "channel": "<#C_OUTREACH>",
    "named channel": "<#C_OUTREACH|outreach>",
    "link": "<https://drive.example/ortho-brief>",
    "labelled link": "<https://drive.example/ortho-brief?v=2&amp;x=1|ortho brief>",
    "mailto": "<mailto:events@hospital.example|events team>",
    "date": "<!date^1767225600^{date_short_pretty}|Jan 1, 2026>",
}
CROWDS = {
    "<!channel>": "@channel",
    "<!here>": "@here",
    "<!everyone>": "@everyone",
    "<!here|here>": "@here",
    "<!subteam^S0ORTHO>": "@team",
    "<!subteam^S0ORTHO|@ortho-team>": "@ortho-team",
}
BROADCASTS = ("<!channel", "<!here", "<!everyone", "<!subteam", "<!group")


def wire(text: str) -> str:
    """Typed text as Slack sends it in a command or a message."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def typed(text: str) -> str:
    """Slack's text as a person would type it in a form (which Slack sends raw)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def posted_to(channel: str) -> Any:
    return lambda call: call.body.get("channel") == channel and "thread_ts" not in call.body


def sections(call: Call) -> list[str]:
    return [b["text"]["text"] for b in call.body.get("blocks", []) if b["type"] == "section"]


def body_of(call: Call) -> str:
    """The user text under a section's bold heading."""
    return sections(call)[0].split("\n", 1)[1]


def valid(call: Call) -> None:
    for block in call.body["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None and parsed.to_dict() == block


def no_broadcast(calls: list[Call]) -> None:
    for call in calls:
        dumped = json.dumps(call.body)
        for crowd in BROADCASTS:
            assert crowd not in dumped, (crowd, call)
        assert "link_names" not in call.body and "parse" not in call.body, call


def thread_of(app: Served, question_id: int) -> str:
    def ts() -> str | None:
        [question] = [q for q in app.rows(Question) if q.id == question_id]
        [row] = [d for d in app.rows(Delivery) if d.id == question.delivery_id]
        return row.result_ts

    return wait_until(ts)


def ask(app: Served, fake: FakeSlack, text: str, count: int = 1) -> tuple[int, Call]:
    assert "on its way" in app.slack.command("/ask", text, M1, MKT_CHANNEL).text
    post = fake.wait_for("chat.postMessage", count=count, where=posted_to(LIA_CHANNEL))[-1]
    return max(q.id for q in app.rows(Question)), post


# -- each kind of markup, each way in ----------------------------------------------------------


@pytest.mark.parametrize("token", list(MARKUP.values()), ids=list(MARKUP))
def test_markup_in_a_command_shows_as_slack_shows_it(
    teams: Served, fake: FakeSlack, token: str
) -> None:
    sent = f"See {token} &amp; bring 1 &lt; 2 &gt; 0"
    assert "on its way" in teams.slack.command("/share", sent, M1, MKT_CHANNEL).text

    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    assert body_of(post) == sent  # the markup intact, the typed characters still escaped
    [update] = teams.rows(Update)
    assert update.text == sent
    valid(post)
    # The notification text reads as words: a link by its label, never half a token.
    fallback = post.body["text"]
    assert "&amp; bring 1 &lt; 2" in fallback
    if token.startswith(("<http", "<mailto", "<!date")):
        label = token.split("|")[1][:-1] if "|" in token else token[1:-1]
        assert f"See {label} &amp;" in fallback


def test_markup_in_a_thread_reply_reaches_the_asker_intact(teams: Served, fake: FakeSlack) -> None:
    question_id, _ = ask(teams, fake, "Which practices first?")
    reply = " ".join(MARKUP.values()) + " <!here> &lt;3"
    event = thread_reply_event(L1, LIA_CHANNEL, thread_of(teams, question_id), reply, "1.1")
    assert teams.slack.event(event, event_id="EvMarkup").status == 200

    [dm] = fake.wait_for("chat.postMessage", where=posted_to(M1))
    expected = " ".join(MARKUP.values()) + " @here &lt;3"
    assert body_of(dm) == expected
    [answer] = teams.rows(Answer)
    assert answer.text == expected
    [edit] = fake.wait_for("chat.update")  # the question now says who answered
    assert f"Answered by <@{L1}>" in json.dumps(edit.body["blocks"])
    valid(dm)
    no_broadcast(fake.calls(include_failed=True))


def test_a_form_is_plain_text_with_its_mentions_and_links_kept(
    teams: Served, fake: FakeSlack
) -> None:
    raw = "R&D <north> &lt; <@U_L3> <https://drive.example/b|brief> <!channel> <#C_LIA>"
    teams.slack.view_submission(M1, f"{ids.COMPOSE}:share", {ids.TEXT_BLOCK: {ids.TEXT_INPUT: raw}})

    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    stored = (
        "R&amp;D &lt;north&gt; &amp;lt; <@U_L3> <https://drive.example/b|brief> @channel <#C_LIA>"
    )
    assert body_of(post) == stored
    assert [u.text for u in teams.rows(Update)] == [stored]
    valid(post)
    no_broadcast(fake.calls(include_failed=True))


def test_a_command_sent_back_to_its_form_shows_the_text_as_typed(
    teams: Served, fake: FakeSlack
) -> None:
    # An offer that needs its compliance box goes back to the form, which takes raw text.
    sent = "Lunch &amp; learn with <@U_L3>, see <https://x.example/menu|the menu>"
    teams.slack.command("/offer", sent, M1, MKT_CHANNEL)

    [opened] = fake.wait_for("views.open")
    [field] = [b for b in opened.body["view"]["blocks"] if b.get("block_id") == ids.TEXT_BLOCK]
    assert field["element"]["initial_value"] == (
        "Lunch & learn with <@U_L3>, see <https://x.example/menu|the menu>"
    )


@pytest.mark.parametrize("crowd", list(CROWDS))
def test_a_broadcast_is_shown_as_words_and_pings_no_one(
    teams: Served, fake: FakeSlack, crowd: str
) -> None:
    teams.slack.command("/share", f"{crowd} ortho kickoff", M1, MKT_CHANNEL)

    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    assert body_of(post) == f"{CROWDS[crowd]} ortho kickoff"
    no_broadcast(fake.calls(include_failed=True))


def test_long_text_is_cut_between_tokens(teams: Served, fake: FakeSlack) -> None:
    link = MARKUP["labelled link"]
    sent = " ".join(itertools.repeat(f"{link} &amp; <@U_L3>", 120))
    assert len(sent) > 3000
    teams.slack.command("/share", sent, M1, MKT_CHANNEL)

    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    shown = body_of(post)
    assert shown.endswith("…") and len(sections(post)[0]) <= 3000
    assert sent.startswith(shown.removesuffix("…"))
    cut = shown.removesuffix("…").rstrip()
    assert cut.endswith((link, "&amp;", "<@U_L3>")), cut[-40:]
    assert len(post.body["text"]) <= 400
    assert not post.body["text"].rstrip("…").endswith(("&am", "<http", "<@U"))
    valid(post)


def test_the_digest_shows_mentions_and_links_intact(teams: Served, fake: FakeSlack) -> None:
    sent = f"Kickoff with {MARKUP['named mention']}: {MARKUP['labelled link']} in <#C_LIA>"
    teams.slack.command("/share", sent, M1, MKT_CHANNEL)
    fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))

    services = teams.runtime.services
    queued = services.digests.run_due(datetime.now(UTC) + FIRST_PERIOD - timedelta(minutes=1))
    services.outbox.due_now(queued, datetime.now(UTC))

    def listed(call: Call) -> bool:
        return call.body.get("channel") == LIA_CHANNEL and "thread_ts" in call.body

    [listing] = fake.wait_for("chat.postMessage", where=listed)
    assert any(sent in text.splitlines() for text in sections(listing)), sections(listing)


# -- nobody can ping a crowd, whatever they send, however they send it -----------------------

PIECES = st.one_of(
    st.tuples(st.text(alphabet="abc xyz&<>;!@#|^:/", max_size=20), st.just(False)),
    st.tuples(st.sampled_from([*MARKUP.values(), *CROWDS, "&lt;!channel&gt;"]), st.just(True)),
)
SENDS = st.lists(PIECES, min_size=1, max_size=8).filter(
    lambda ps: "".join(p for p, _ in ps).strip()
)
counter = itertools.count(1)


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pieces=SENDS)
def test_no_command_form_or_thread_reply_pings_a_crowd_and_markup_survives(
    teams: Served, fake: FakeSlack, pieces: list[tuple[str, bool]]
) -> None:
    fake.reset()
    n = next(counter)
    # The same words three ways: a command and a thread reply (typed characters escaped by
    # Slack, markup as Slack sends it) and a form (everything raw, as typed).
    slack_text = "".join(p if markup else wire(p) for p, markup in pieces)
    form_text = "".join(typed(p) if markup else p for p, markup in pieces)
    question_id, post = ask(teams, fake, slack_text, count=1)
    ts = thread_of(teams, question_id)
    event = thread_reply_event(L1, LIA_CHANNEL, ts, slack_text, f"{n}.1")
    assert teams.slack.event(event, event_id=f"EvP{n}").status == 200
    teams.slack.view_submission(
        L2,
        ids.ANSWER_MODAL,
        {ids.TEXT_BLOCK: {ids.TEXT_INPUT: form_text}},
        private_metadata=str(question_id),
    )
    dms = fake.wait_for("chat.postMessage", count=2, where=posted_to(M1))

    no_broadcast(fake.calls(include_failed=True))
    kept = [p for p, markup in pieces if markup and p in MARKUP.values()]
    for call in [post, *dms]:
        for token in kept:
            assert token in body_of(call), (token, call.body)
