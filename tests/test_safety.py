"""Bad input and safety: forged or stale requests, malformed bodies, people outside the teams,
long text, Slack control sequences and crashing listeners. Every test runs on both databases."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import (
    ADMIN,
    LIA_CHANNEL,
    LIAISONS,
    MARKETING,
    MKT_CHANNEL,
    SECRET,
    Served,
    wait_until,
)
from fake_slack import Call, FakeSlack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_requests import Reply, signed_headers
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy import text as sql

from handlers import ids
from storage.models import Answer, Base, Delivery, Member, Offer, Question, Update

M1 = MARKETING[0]
L1 = LIAISONS[0]
OUTSIDER = "U_NOBODY"
FORM = "application/x-www-form-urlencoded"
SECTION_LIMIT = 3000  # Block Kit: a section's text holds at most 3,000 characters
KINDS = ["share", "ask", "offer"]
MODEL: dict[str, type[Base]] = {"share": Update, "ask": Question, "offer": Offer}
NOUN = {"share": "plan update", "ask": "question", "offer": "offer"}
STORED = (Update, Question, Offer, Answer, Delivery)
TROUBLE = "Something went wrong on our side"


# -- helpers -----------------------------------------------------------------------------


def posted_to(channel: str) -> Callable[[Call], bool]:
    return lambda call: call.body.get("channel") == channel and "thread_ts" not in call.body


def opened_by(trigger_id: str) -> Callable[[Call], bool]:
    return lambda call: call.body.get("trigger_id") == trigger_id


def mentioning(fragment: str) -> Callable[[Call], bool]:
    return lambda call: posted_to(LIA_CHANNEL)(call) and fragment in call.body["text"]


def sections(call: Call) -> list[str]:
    return [b["text"]["text"] for b in call.body.get("blocks", []) if b["type"] == "section"]


def settled(app: Served) -> None:
    """Wait until the app has recorded every post as sent. A post queued before that is held
    back a second (the app paces each channel to about one message a second)."""
    wait_until(lambda: all(d.status == "sent" for d in app.rows(Delivery)))


def nothing_stored(app: Served) -> None:
    for model in STORED:
        assert app.rows(model) == [], model.__name__


def no_posts(fake: FakeSlack) -> None:
    assert fake.calls("chat.postMessage") == []
    assert fake.calls("chat.update") == []


def validate_blocks(blocks: list[dict[str, Any]]) -> None:
    """Rebuild the blocks with slack_sdk, whose to_dict() checks Slack's limits."""
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        assert parsed.to_dict() == block


def post_bytes(app: Served, data: bytes, content_type: str) -> Reply:
    """A correctly signed request whose body need not be text (SlackSender.raw takes str)."""
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + data, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }
    request = urllib.request.Request(app.slack.url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return Reply(resp.status, resp.read().decode(), dict(resp.headers.items()))
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read().decode("utf-8", "replace"), dict(err.headers.items()))


# -- forged and stale requests -------------------------------------------------------------


def _forgeries() -> dict[str, Callable[[Served, str], Reply]]:
    command = urlencode(
        {"command": "/share", "text": "Forged update", "user_id": M1, "team_id": "T0001"}
    )

    def other_secret(app: Served, url: str) -> Reply:
        now = int(time.time())
        wrong = signed_headers("not-the-secret", command, now)["X-Slack-Signature"]
        return app.slack.raw(command, FORM, timestamp=now, signature=wrong)

    def tampered(app: Served, url: str) -> Reply:
        # Signed for one text, sent with another.
        now = int(time.time())
        honest = urlencode({"command": "/share", "text": "harmless"})
        sig = signed_headers(SECRET, honest, now)["X-Slack-Signature"]
        return app.slack.raw(command, FORM, timestamp=now, signature=sig)

    return {
        "garbage signature": lambda app, url: app.slack.command(
            "/share", "Forged update", M1, MKT_CHANNEL, response_url=url, signature="v0=" + "0" * 64
        ),
        "empty signature": lambda app, url: app.slack.command(
            "/share", "Forged update", M1, MKT_CHANNEL, response_url=url, signature=""
        ),
        "other secret": other_secret,
        "tampered body": tampered,
        "forged action": lambda app, url: app.slack.action(
            L1, ids.ACCEPT, "1", response_url=url, signature="v0=bad"
        ),
        "forged modal": lambda app, url: app.slack.view_submission(
            M1, f"{ids.COMPOSE}:share", {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "x"}}, signature="v0=bad"
        ),
        "forged event": lambda app, url: app.slack.event(
            {"type": "message", "channel": LIA_CHANNEL, "user": L1, "text": "hi", "ts": "1.2"},
            signature="v0=bad",
        ),
    }


FORGERIES = _forgeries()


def test_a_wrong_signature_gets_401_and_changes_nothing(teams: Served, fake: FakeSlack) -> None:
    before = fake.calls()
    members = len(teams.rows(Member))

    for name, forge in FORGERIES.items():
        reply = forge(teams, fake.response_url("forged"))
        assert reply.status == 401, name
        assert "Forged" not in reply.body, name

    nothing_stored(teams)
    assert len(teams.rows(Member)) == members
    assert fake.calls() == before


def test_a_stale_timestamp_is_refused_even_when_correctly_signed(
    teams: Served, fake: FakeSlack
) -> None:
    before = fake.calls()
    for age in [6 * 60, 60 * 60, -6 * 60, 10**9]:  # too old, or from the future
        stamp = int(time.time()) - age
        reply = teams.slack.command("/share", "Replayed update", M1, MKT_CHANNEL, timestamp=stamp)
        assert reply.status == 401, age
    nothing_stored(teams)
    assert fake.calls() == before

    # The control: the same request a little less old goes through.
    stamp = int(time.time()) - 4 * 60
    reply = teams.slack.command("/share", "Replayed update", M1, MKT_CHANNEL, timestamp=stamp)
    assert reply.status == 200
    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    assert sections(post)[0].endswith("\nReplayed update")
    assert [u.text for u in teams.rows(Update)] == ["Replayed update"]


# -- malformed bodies ----------------------------------------------------------------------


MALFORMED = [
    ("payload=not-json", FORM),
    ("payload=", FORM),
    ("payload=%5B1%2C+2%5D", FORM),  # payload=[1, 2]
    ("[1, 2, 3]", "application/json"),
    ('"just a string"', "application/json"),
    ("{not json", "application/json"),
    ("", FORM),
    ("payload=%7B%7D", FORM),  # payload={}
    ("hello", "text/plain"),
    # Signed JSON, but fields of the wrong type (once a 500: bot/server.py built Bolt's
    # context outside its try).
    *[
        (urlencode({"payload": json.dumps(payload)}), FORM)
        for payload in [
            {"type": "block_actions", "user": 5},
            {"type": "block_actions", "team": 5},
            {"type": "block_actions", "channel": 5},
            {"type": "view_submission", "authorizations": 5},
            {"type": "block_actions", "user": ["id"]},
        ]
    ],
]


def test_malformed_bodies_get_a_4xx(app: Served, fake: FakeSlack) -> None:
    for body, content_type in MALFORMED:
        reply = app.slack.raw(body, content_type)
        assert 400 <= reply.status < 500, (body, reply)
    nothing_stored(app)
    # Bolt may look up its own identity (auth.test) on a first request; nothing else is sent.
    assert [c.method for c in fake.calls() if c.method != "auth.test"] == []


def test_a_body_that_is_not_utf8_gets_a_4xx(app: Served, fake: FakeSlack) -> None:
    # SlackSender.raw only sends text, so these bytes are sent (and signed) directly.
    data = b"command=%2Fshare&text=" + "café".encode("latin-1") + b"\xff\xfe"
    before = fake.calls()
    reply = post_bytes(app, data, FORM)
    assert 400 <= reply.status < 500, reply
    nothing_stored(app)
    assert fake.calls() == before


def ask(app: Served, fake: FakeSlack, text: str = "Which practices first?") -> int:
    assert "on its way" in app.slack.command("/ask", text, M1, MKT_CHANNEL).text
    fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    [question] = app.rows(Question)
    return int(question.id)


# Values that only look like ids: "²".isdigit() is True but int("²") fails; 25 nines overflow
# every database, 2**31 overflows PostgreSQL's 32-bit ids.
NOT_IDS = ["abc", "", "-1", "1.5", " 1", "0x1", "0", "424242", "²", "9" * 25, str(2**31)]
BAD_CLICKS = [
    *[(ids.ANSWER, v, "question") for v in NOT_IDS],
    (ids.CLOSE, "abc", "question"),
    (ids.ACCEPT, "1", "offer"),  # question 1 exists, offer 1 does not
    (ids.WITHDRAW, "", "offer"),
]


def test_a_button_value_that_is_no_id_gets_a_private_no_longer_exists(
    teams: Served, fake: FakeSlack
) -> None:
    ask(teams, fake)  # a real question (id 1) exists, so only the value can be wrong

    for n, (action_id, value, _) in enumerate(BAD_CLICKS):
        reply = teams.slack.action(L1, action_id, value, response_url=fake.response_url(str(n)))
        assert reply.status == 200, (action_id, value)

    answers = {c.name: c.body for c in fake.wait_for("response_url", count=len(BAD_CLICKS))}
    for n, (action_id, value, what) in enumerate(BAD_CLICKS):
        assert answers[str(n)] == {
            "text": f"That {what} no longer exists.",
            "response_type": "ephemeral",
            "replace_original": False,
        }, (action_id, value)
    assert fake.calls("views.open") == []
    assert fake.calls("chat.update") == []
    assert [q.status for q in teams.rows(Question)] == ["open"]


def test_an_answer_modal_with_bad_private_metadata_gets_field_errors(
    teams: Served, fake: FakeSlack
) -> None:
    ask(teams, fake)

    for metadata in [*NOT_IDS, "1;DROP TABLE questions"]:
        reply = teams.slack.view_submission(
            L1,
            ids.ANSWER_MODAL,
            {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "An answer to nothing"}},
            private_metadata=metadata,
        )
        assert reply.status == 200, metadata
        assert reply.json() == {
            "response_action": "errors",
            "errors": {ids.TEXT_BLOCK: "That question no longer exists."},
        }, metadata

    assert teams.rows(Answer) == []
    assert [q.status for q in teams.rows(Question)] == ["open"]
    assert len(teams.rows(Delivery)) == 1  # only the question's own post


# -- commands that Bolt alone would get wrong ---------------------------------------------


def test_a_command_mentioning_payload_is_still_a_command(teams: Served, fake: FakeSlack) -> None:
    texts = ["ship the payload service", "payload={}", 'payload={"type": "block_actions"}']
    for n, text in enumerate(texts, start=1):
        reply = teams.slack.command("/share", text, M1, MKT_CHANNEL)
        assert reply.status == 200, text
        assert "Your plan update is on its way to Physician Liaisons" in reply.text, text

        post = fake.wait_for("chat.postMessage", count=n, where=posted_to(LIA_CHANNEL))[-1]
        settled(teams)
        assert html.unescape(sections(post)[0]).split("\n", 1)[1] == text
        stored = max(teams.rows(Update), key=lambda u: u.id)
        assert (stored.author_id, stored.text) == (M1, text)


# -- empty text opens a form ----------------------------------------------------------------


FORM_FIELDS = {
    "share": [ids.SERVICE_LINE_BLOCK, ids.LINK_BLOCK],
    "ask": [ids.NEEDED_BY_BLOCK, ids.SERVICE_LINE_BLOCK],
    "offer": [ids.VALUE_BLOCK, ids.OFFER_TYPE_BLOCK, ids.SERVICE_LINE_BLOCK, ids.LINK_BLOCK],
}


def test_a_command_without_text_opens_its_form(teams: Served, fake: FakeSlack) -> None:
    for kind in KINDS:
        for n, text in enumerate(["", "   "]):
            trigger = f"trig-{kind}-{n}"
            reply = teams.slack.command(f"/{kind}", text, M1, MKT_CHANNEL, trigger_id=trigger)
            assert (reply.status, reply.body) == (200, ""), kind

            [opened] = fake.wait_for("views.open", where=opened_by(trigger))
            view = opened.body["view"]
            assert view["callback_id"] == f"{ids.COMPOSE}:{kind}"
            # An offer's form also has the compliance checkbox; then the optional structure.
            field, *more = view["blocks"]
            assert [b["block_id"] for b in more] == FORM_FIELDS[kind]
            assert all(b["optional"] for b in more)
            assert field["type"] == "input"
            assert (field["block_id"], field["element"]["action_id"]) == (
                ids.TEXT_BLOCK,
                ids.TEXT_INPUT,
            )
            View(**view).to_dict()  # a view Slack accepts

    assert len(fake.calls("views.open")) == 6

    # When Slack won't open it, the command says so.
    fake.fail_next("views.open", "error:expired_trigger_id")
    reply = teams.slack.command("/ask", "", M1, MKT_CHANNEL)
    assert reply.status == 200
    assert "Couldn't open the form" in reply.text
    assert "in_channel" not in reply.body

    nothing_stored(teams)
    no_posts(fake)


def test_submitting_the_form_posts_it(teams: Served, fake: FakeSlack) -> None:
    for kind in KINDS:
        text = f"  From the {kind} form  \n"
        reply = teams.slack.view_submission(
            M1, f"{ids.COMPOSE}:{kind}", {ids.TEXT_BLOCK: {ids.TEXT_INPUT: text}}
        )

        assert reply.status == 200
        answer = reply.json()
        assert answer["response_action"] == "update", kind
        done = json.dumps(answer["view"])
        assert f"Your {NOUN[kind]} is on its way to Physician Liaisons" in done
        [post] = fake.wait_for("chat.postMessage", where=mentioning(f"the {kind} form"))
        settled(teams)
        assert sections(post)[0].endswith(f"\nFrom the {kind} form")
        [row] = teams.rows(MODEL[kind])
        assert (row.text, row.workspace_id) == (f"From the {kind} form", "T0001")

    [question] = fake.wait_for("chat.postMessage", where=lambda c: "ask form" in c.body["text"])
    assert ids.ANSWER in json.dumps(question.body["blocks"])


def test_submitting_the_form_blank_keeps_it_open_with_an_error(
    teams: Served, fake: FakeSlack
) -> None:
    for value in ["", "  \n\t "]:
        reply = teams.slack.view_submission(
            M1, f"{ids.COMPOSE}:ask", {ids.TEXT_BLOCK: {ids.TEXT_INPUT: value}}
        )
        assert reply.status == 200
        assert reply.json() == {
            "response_action": "errors",
            "errors": {ids.TEXT_BLOCK: "Please write something first."},
        }, value
    nothing_stored(teams)
    no_posts(fake)


# -- people outside the teams, teams without a channel ------------------------------------


def test_someone_in_no_team_is_told_how_to_join_and_gets_the_text_back(
    teams: Served, fake: FakeSlack
) -> None:
    for kind in KINDS:
        text = f"{kind}: mailers go to 120 offices & the north territory"

        reply = teams.slack.command(f"/{kind}", text, OUTSIDER, MKT_CHANNEL)

        assert reply.status == 200
        assert "in_channel" not in reply.body
        assert "You're not in a team yet" in reply.text
        assert "/liaison join marketing" in reply.text
        assert f"{kind}: mailers go to 120 offices &amp; the north territory" in reply.text

    # The form keeps their text and says the same on the field.
    reply = teams.slack.view_submission(
        OUTSIDER, f"{ids.COMPOSE}:offer", {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "I can help"}}
    )
    assert reply.json()["response_action"] == "errors"
    assert "/liaison join marketing" in reply.json()["errors"][ids.TEXT_BLOCK]

    nothing_stored(teams)
    no_posts(fake)


def test_a_team_without_a_home_channel_is_said_so(app: Served, fake: FakeSlack) -> None:
    for command, user in [("setup marketing", ADMIN), ("join marketing", M1), ("join liaison", L1)]:
        assert app.slack.command("/liaison", command, user, MKT_CHANNEL).status == 200

    for kind in KINDS:
        reply = app.slack.command(f"/{kind}", f"Heart fair on June 3 ({kind})", M1, MKT_CHANNEL)

        assert reply.status == 200
        assert "Physician Liaisons has no channel yet" in reply.text, kind
        assert "/liaison setup liaison" in reply.text
        assert f"Heart fair on June 3 ({kind})" in reply.text

    nothing_stored(app)
    no_posts(fake)

    # The other way round works: Marketing has its channel.
    assert "on its way to Marketing" in app.slack.command("/offer", "Hi", L1, LIA_CHANNEL).text
    fake.wait_for("chat.postMessage", where=posted_to(MKT_CHANNEL))


# -- long text -----------------------------------------------------------------------------

ENTITY = re.compile(r"&(?!(?:amp|lt|gt);)")


@pytest.mark.parametrize(
    "text",
    [
        ("Ortho campaign: mailers to referring offices. " * 120)[:5000],
        ("R&D <north> " * 500)[:5000],  # escaping makes it longer still
    ],
    ids=["plain", "escaped"],
)
def test_long_text_is_stored_whole_and_posted_cut(
    teams: Served, fake: FakeSlack, text: str
) -> None:
    for n, kind in enumerate(KINDS, start=1):
        reply = teams.slack.command(f"/{kind}", wire(text), M1, MKT_CHANNEL)
        assert "on its way" in reply.text, kind
        post = fake.wait_for("chat.postMessage", count=n, where=posted_to(LIA_CHANNEL))[-1]
        settled(teams)
        [row] = teams.rows(MODEL[kind])
        assert row.text == wire(text), kind  # stored as Slack sent it

        assert all(len(section) <= SECTION_LIMIT for section in sections(post))
        first = sections(post)[0]
        assert first.endswith("…")
        assert not ENTITY.search(first), "a cut left half an entity"
        assert text.startswith(html.unescape(first.split("\n", 1)[1].removesuffix("…")))
        assert len(post.body["text"]) <= 400
        validate_blocks(post.body["blocks"])


def test_a_long_question_fits_its_answer_form(teams: Served, fake: FakeSlack) -> None:
    text = "<Which> & " * 500
    teams.slack.command("/ask", wire(text), M1, MKT_CHANNEL)
    fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    [question] = teams.rows(Question)

    teams.slack.action(L1, ids.ANSWER, str(question.id), response_url=fake.response_url("a"))

    [opened] = fake.wait_for("views.open")
    view = opened.body["view"]
    assert len(view["blocks"][0]["text"]["text"]) <= SECTION_LIMIT
    assert view["blocks"][0]["text"]["text"].endswith("…")
    View(**view).to_dict()


# -- Slack control sequences -----------------------------------------------------------------

CROWDS = ("<!channel", "<!here", "<!everyone", "<!subteam", "<!group")
FORBIDDEN = (*CROWDS, "<@U999", "<https://evil")  # typed as text, never turned into markup
TOKENS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S123>",
    "<!subteam^S123|@team>",
    "<@U999>",
    "<@U999|boss>",
    "<https://evil.example|click>",
    "@channel",
    "@here",
    "&",
    "<",
    ">",
    "&lt;",
    "&amp;",
]
PIECES = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.sampled_from(TOKENS),
)
TEXTS = st.lists(PIECES, min_size=1, max_size=8).map("".join).filter(lambda t: t.strip())


def wire(text: str) -> str:
    """Text as Slack sends what a person typed in a command or a message."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def assert_never_unescaped(calls: list[Call], forbidden: tuple[str, ...] = FORBIDDEN) -> None:
    for call in calls:
        dumped = json.dumps(call.body)
        for sequence in forbidden:
            assert sequence not in dumped, (sequence, call)
        assert "link_names" not in call.body and "parse" not in call.body, call


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=TEXTS)
def test_shared_text_never_reaches_slack_unescaped(
    teams: Served, fake: FakeSlack, text: str
) -> None:
    fake.reset()
    # Slack escapes &, < and > in the command text it sends; the app stores it so.
    sent = wire(text)

    reply = teams.slack.command("/share", sent, M1, MKT_CHANNEL)

    assert reply.status == 200
    assert "on its way" in reply.text, reply
    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    settled(teams)
    assert_never_unescaped(fake.calls(include_failed=True))
    stored = max(teams.rows(Update), key=lambda u: u.id)
    assert stored.text == sent.strip()
    # Escaped, not mangled: the reader sees exactly what was typed.
    assert html.unescape(sections(post)[0].split("\n", 1)[1]) == text.strip()


def test_broadcasts_are_neutralised_in_questions_answers_and_offers(
    teams: Served, fake: FakeSlack
) -> None:
    question_id = ask(teams, fake, "<!channel> which <@U999> first?")
    teams.slack.view_submission(
        L1,
        ids.ANSWER_MODAL,
        {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "<!here> <!subteam^S123> start <https://evil.x|here>"}},
        private_metadata=str(question_id),
    )
    fake.wait_for("chat.postMessage", where=lambda c: "thread_ts" in c.body)
    fake.wait_for("chat.postMessage", where=posted_to(M1))
    fake.wait_for("chat.update")
    teams.slack.command("/offer", "<!everyone> I can help", L1, LIA_CHANNEL)
    [offer] = fake.wait_for("chat.postMessage", where=posted_to(MKT_CHANNEL))
    assert sections(offer)[0].endswith("\n@everyone I can help")

    assert len(fake.calls("chat.postMessage")) == 4
    # Slack's own markup stays markup; no broadcast reaches Slack as one.
    assert "<@U999>" in json.dumps([call.body for call in fake.calls()])
    assert_never_unescaped(fake.calls(), CROWDS)


def test_text_with_a_nul_character_is_shared_without_it(teams: Served, fake: FakeSlack) -> None:
    # PostgreSQL text cannot hold U+0000; once this failed there with "Something went wrong".
    reply = teams.slack.command("/share", "Q3\x00plan", M1, MKT_CHANNEL)

    assert "on its way" in reply.text, reply
    [post] = fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))
    [update] = teams.rows(Update)
    assert "\x00" not in update.text and "\x00" not in json.dumps(post.body)
    assert update.text.startswith("Q3") and update.text.endswith("plan")
    assert sections(post)[0].endswith(update.text)


# -- a crashing listener ---------------------------------------------------------------------


def break_plan_updates(app: Served) -> None:
    """Make the database refuse every new plan update (other items still work)."""
    with app.runtime.db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(
                sql(
                    "CREATE TRIGGER no_updates BEFORE INSERT ON items WHEN NEW.kind = 'update' "
                    "BEGIN SELECT RAISE(ABORT, 'plan updates are broken'); END"
                )
            )
            return
        connection.execute(
            sql(
                "CREATE FUNCTION no_updates() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'plan updates are broken'; END $$"
            )
        )
        connection.execute(
            sql(
                "CREATE TRIGGER no_updates BEFORE INSERT ON items FOR EACH ROW "
                "WHEN (NEW.kind = 'update') EXECUTE FUNCTION no_updates()"
            )
        )


def test_a_crashing_command_answers_200_with_an_apology_and_the_text(
    teams: Served, fake: FakeSlack
) -> None:
    break_plan_updates(teams)

    reply = teams.slack.command("/share", "Ortho campaign <May 6>", M1, MKT_CHANNEL)

    assert reply.status == 200
    assert reply.json()["response_type"] == "ephemeral"
    assert TROUBLE in reply.text
    assert "nothing was posted" in reply.text
    assert "Ortho campaign &lt;May 6&gt;" in reply.text
    assert teams.rows(Delivery) == []
    no_posts(fake)

    # Everything else keeps working.
    assert "on its way" in teams.slack.command("/ask", "Still there?", M1, MKT_CHANNEL).text
    fake.wait_for("chat.postMessage", where=posted_to(LIA_CHANNEL))


def test_a_crashing_form_submission_keeps_the_form_open(teams: Served, fake: FakeSlack) -> None:
    break_plan_updates(teams)

    reply = teams.slack.view_submission(
        M1, f"{ids.COMPOSE}:share", {ids.TEXT_BLOCK: {ids.TEXT_INPUT: "From the form"}}
    )

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert TROUBLE in answer["errors"][ids.TEXT_BLOCK]
    assert teams.rows(Delivery) == []
    no_posts(fake)


def test_a_crashing_click_answers_200_and_changes_nothing(teams: Served, fake: FakeSlack) -> None:
    question_id = ask(teams, fake, "Which practices first?")
    settled(teams)
    deliveries = len(teams.rows(Delivery))
    with teams.runtime.db.engine.begin() as connection:
        connection.execute(sql("DROP TABLE answers"))

    reply = teams.slack.action(M1, ids.CLOSE, str(question_id), response_url=fake.response_url("c"))

    assert reply.status == 200
    assert [q.status for q in teams.rows(Question)] == ["open"]
    assert len(teams.rows(Delivery)) == deliveries
    assert fake.calls("chat.update") == []


def test_a_crashing_click_tells_the_user_privately(teams: Served, fake: FakeSlack) -> None:
    question_id = ask(teams, fake)
    settled(teams)
    with teams.runtime.db.engine.begin() as connection:
        connection.execute(sql("DROP TABLE answers"))

    teams.slack.action(M1, ids.CLOSE, str(question_id), response_url=fake.response_url("c"))

    [apology] = fake.wait_for("response_url", where=lambda c: c.name == "c", timeout=1)
    assert TROUBLE in apology.body["text"]
    assert apology.body.get("response_type", "ephemeral") == "ephemeral"


def test_a_missing_or_garbled_timestamp_gets_401(app: Served, fake: FakeSlack) -> None:
    body = b"command=%2Fshare&text=hello&team_id=T0001&user_id=U_M1"
    for timestamp in [None, "", "soon", "-5"]:
        headers = {"Content-Type": FORM, "X-Slack-Signature": "v0=00"}
        if timestamp is not None:
            headers["X-Slack-Request-Timestamp"] = timestamp
        request = urllib.request.Request(app.slack.url, data=body, headers=headers, method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401, timestamp
    nothing_stored(app)
    assert fake.calls() == []
