"""Pure builders of the messages the app posts: plain data in, Slack payload out.

Blocks are built with slack_sdk.models so to_dict() checks Slack's limits; every piece of
user text goes through clip(), which escapes it and keeps it inside those limits.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from handlers import ids
from handlers.blocks import Payload, button, payload
from handlers.digest import digest
from handlers.text import FALLBACK_LIMIT, SECTION_LIMIT, age, clip, user, when
from storage.views import AnswerView, OfferView, QuestionView, UpdateView


def _section(heading: str, body: str) -> SectionBlock:
    """A bold heading over user text, the text cut to fit the section."""
    head = f"*{heading}*\n"
    return SectionBlock(text=MarkdownTextObject(text=head + clip(body, SECTION_LIMIT - len(head))))


def _context(*parts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text="  ·  ".join(parts))])


def plan_update(update: UpdateView) -> Payload:
    heading = f":memo: Plan update from {update.team_name}"
    return payload(
        f"{heading}: {clip(update.text, FALLBACK_LIMIT)}",
        [
            _section(heading, update.text),
            _context(f"Shared by {user(update.author_id)}", when(update.created_at)),
        ],
    )


def _question_status(question: QuestionView) -> str:
    if question.status == "closed" and question.closed_at:
        return f":white_check_mark: Closed by the asker {when(question.closed_at)}"
    if question.answers:
        first = question.answers[0]
        more = len(question.answers) - 1
        extra = f" (+{more} more in the thread)" if more else ""
        return f":white_check_mark: Answered by {user(first.author_id)}{extra}"
    return ":hourglass_flowing_sand: Waiting for an answer"


def question(question: QuestionView) -> Payload:
    heading = f":question: Question for {question.to_team} from {question.from_team}"
    blocks: list[Block] = [
        _section(heading, question.text),
        _context(
            f"Asked by {user(question.asker_id)}",
            when(question.created_at),
            _question_status(question),
        ),
    ]
    if question.status != "closed":
        blocks.append(
            ActionsBlock(
                elements=[
                    button("Answer", ids.ANSWER, question.id, "primary"),
                    button("Close", ids.CLOSE, question.id),
                ]
            )
        )
    return payload(f"{heading}: {clip(question.text, FALLBACK_LIMIT)}", blocks)


def answer_reply(question: QuestionView, answer: AnswerView) -> Payload:
    heading = f"Answer from {user(answer.author_id)}"
    return payload(
        f"{heading}: {clip(answer.text, FALLBACK_LIMIT)}", [_section(heading, answer.text)]
    )


def answer_dm(question: QuestionView, answer: AnswerView) -> Payload:
    heading = f"{user(answer.author_id)} ({question.to_team}) answered your question"
    return payload(
        f"{heading}: {clip(answer.text, FALLBACK_LIMIT)}",
        [
            _section(heading, answer.text),
            _context("You asked: " + clip(question.text, FALLBACK_LIMIT)),
        ],
    )


def offer(offer: OfferView) -> Payload:
    heading = f":handshake: Offer of help to {offer.to_team} from {offer.from_team}"
    meta = [f"Offered by {user(offer.offerer_id)}", when(offer.created_at)]
    blocks: list[Block] = [_section(heading, offer.text)]
    if offer.status == "accepted" and offer.accepted_by and offer.accepted_at:
        meta.append(
            f":white_check_mark: Accepted by {user(offer.accepted_by)} {when(offer.accepted_at)}"
        )
    elif offer.status == "withdrawn" and offer.withdrawn_at:
        meta.append(f"Withdrawn {when(offer.withdrawn_at)}")
    blocks.append(_context(*meta))
    if offer.status == "offered":
        blocks.append(
            ActionsBlock(
                elements=[
                    button("Accept", ids.ACCEPT, offer.id, "primary"),
                    button("Withdraw", ids.WITHDRAW, offer.id),
                ]
            )
        )
    return payload(f"{heading}: {clip(offer.text, FALLBACK_LIMIT)}", blocks)


def offer_accepted_dm(offer: OfferView) -> Payload:
    heading = f"{user(offer.accepted_by or '')} ({offer.to_team}) accepted your offer"
    return payload(
        f"{heading}: {clip(offer.text, FALLBACK_LIMIT)}",
        [
            _section(heading, offer.text),
            _context("Now it's a commitment: follow up in the thread."),
        ],
    )


def reask(question: QuestionView, round: int, limit: int, now: datetime) -> Payload:
    heading = f":wave: Still open: can someone from {question.to_team} help?"
    message = payload(
        f"{heading} {clip(question.text, FALLBACK_LIMIT)}",
        [
            _section(heading, question.text),
            _context(
                f"Asked by {user(question.asker_id)} {when(question.created_at)}",
                f"open {age(question.created_at, now)}",
                f"reminder {round} of {limit}",
            ),
            ActionsBlock(
                elements=[
                    button("Answer", ids.ANSWER, question.id, "primary"),
                    button("Working on it", ids.WORKING, question.id),
                ]
            ),
        ],
    )
    return {**message, "reply_broadcast": True}


def escalation_dm(question: QuestionView, rounds: int, now: datetime) -> Payload:
    heading = (
        f"{question.to_team} hasn't answered your question after {rounds} reminder(s) "
        f"(open {age(question.created_at, now)})"
    )
    return payload(
        f"{heading}: {clip(question.text, FALLBACK_LIMIT)}",
        [
            _section(heading, question.text),
            _context("Keep asking, or close it if you no longer need an answer."),
            ActionsBlock(
                elements=[
                    button("Keep asking", ids.KEEP_ASKING, question.id, "primary"),
                    button("Close", ids.CLOSE, question.id),
                ]
            ),
        ],
    )


def working_on_it(question: QuestionView, user_id: str, until: datetime) -> Payload:
    text = f"{user(user_id)} is working on it. Reminders pause until {when(until)}."
    return payload(text, [_context(text)])


def post_failed(channel_id: str, error: str) -> Payload:
    text = (
        f"Slack refused your post to <#{channel_id}> (`{clip(error, 100)}`), so the other "
        "team hasn't seen it. In a private channel, invite the app first "
        "(`/invite @Liaison Bridge`), then send it again; it is saved, not lost."
    )
    return payload(text, [SectionBlock(text=MarkdownTextObject(text=text))])


def with_link(message: Payload, url: str, label: str = "Open the conversation") -> Payload:
    """The same message with a link to the message it is about (a permalink from Slack)."""
    link = SectionBlock(text=MarkdownTextObject(text=f"<{url}|{label}>")).to_dict()
    return {**message, "blocks": [*message.get("blocks", []), link]}


class SlackRenderer:
    """The storage layer's Renderer, drawn with the builders above."""

    plan_update = staticmethod(plan_update)
    question = staticmethod(question)
    answer_reply = staticmethod(answer_reply)
    answer_dm = staticmethod(answer_dm)
    offer = staticmethod(offer)
    offer_accepted_dm = staticmethod(offer_accepted_dm)
    digest = staticmethod(digest)
    reask = staticmethod(reask)
    escalation_dm = staticmethod(escalation_dm)
    working_on_it = staticmethod(working_on_it)
    post_failed = staticmethod(post_failed)
