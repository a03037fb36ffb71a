"""Pure builders of the messages the app posts: plain data in, Slack payload out.

Blocks are built with slack_sdk.models so to_dict() checks Slack's limits; every piece of
user text goes through clip() (gist() in the notification text), which keeps Slack's markup,
neutralises broadcasts and keeps it inside those limits. Each
state of an item looks different, and shows only the buttons its readers may use.
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
from handlers.home import home
from handlers.permalinks import Permalinks
from handlers.replies import whom
from handlers.structure import tags
from handlers.text import FALLBACK_LIMIT, SECTION_LIMIT, age, clip, gist, plural, user, when
from storage.enums import Action, State
from storage.views import AnswerView, DigestView, ItemView, OfferView, QuestionView, UpdateView

VALUE_FLAG = (
    ":warning: Involves something of value to a referral source (meals, gifts, sponsored or "
    "paid events): check it against your compliance policy."
)


def _section(heading: str, body: str) -> SectionBlock:
    """A bold heading over user text, the text cut to fit the section."""
    head = f"*{heading}*\n"
    return SectionBlock(text=MarkdownTextObject(text=head + clip(body, SECTION_LIMIT - len(head))))


def _context(*parts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text="  ·  ".join(parts))])


def _tags(view: ItemView) -> list[Block]:
    line = tags(view)
    return [_context(line)] if line else []


def plan_update(update: UpdateView) -> Payload:
    heading = f":memo: Plan update from {update.team_name}"
    return payload(
        f"{heading}: {gist(update.text)}",
        [
            _section(heading, update.text),
            *_tags(update),
            _context(f"Shared by {user(update.author_id)}", when(update.created_at)),
        ],
    )


def _question_status(question: QuestionView) -> str:
    answered = ""
    if question.answers:
        first = question.answers[0]
        more = len(question.answers) - 1
        extra = f" (+{more} more in the thread)" if more else ""
        answered = f":white_check_mark: Answered by {user(first.author_id)}{extra}"
    if question.status == State.CLOSED:
        closed = f"closed by the asker {when(question.closed_at)}" if question.closed_at else ""
        if answered:
            return f"{answered}, {closed}" if closed else answered
        return f":heavy_minus_sign: Closed without an answer{', ' + closed if closed else ''}"
    return answered or ":hourglass_flowing_sand: Waiting for an answer"


def question(question: QuestionView) -> Payload:
    heading = f":question: Question for {question.to_team} from {question.from_team}"
    blocks: list[Block] = [
        _section(heading, question.text),
        *_tags(question),
        _context(
            f"Asked by {user(question.asker_id)}",
            when(question.created_at),
            _question_status(question),
        ),
    ]
    if question.status != State.CLOSED:
        blocks.append(ActionsBlock(elements=[button("Answer", ids.ANSWER, question.id, "primary")]))
    return payload(f"{heading}: {gist(question.text)}", blocks)


def _offer_status(offer: OfferView) -> str | None:
    by, at = offer.moved_by, offer.moved_at
    if by is None or at is None:
        return None
    said = {
        State.ACCEPTED: ":white_check_mark: Accepted by",
        State.DECLINED: ":no_entry_sign: Declined by",
        State.DELIVERED: ":package: Delivered, marked by",
        State.WITHDRAWN: ":heavy_multiplication_x: Withdrawn by",
    }[offer.status]
    return f"{said} {user(by)} {when(at)}"


def _offer_buttons(offer: OfferView) -> list[Block]:
    if offer.status == State.OFFERED:
        return [
            ActionsBlock(
                elements=[
                    button("Accept", ids.ACCEPT, offer.id, "primary"),
                    button("Decline", ids.DECLINE, offer.id),
                ]
            )
        ]
    if offer.status == State.ACCEPTED:
        return [ActionsBlock(elements=[button("Mark delivered", ids.DELIVER, offer.id)])]
    return []


def offer(offer: OfferView) -> Payload:
    # A declined or withdrawn offer must not look live: no handshake, its state up front.
    live = offer.status in (State.OFFERED, State.ACCEPTED, State.DELIVERED)
    what = ":handshake: Offer of help" if live else f"{offer.status.capitalize()} offer of help"
    heading = f"{what} to {offer.to_team} from {offer.from_team}"
    blocks: list[Block] = [_section(heading, offer.text), *_tags(offer)]
    meta = [f"Offered by {user(offer.offerer_id)}", when(offer.created_at)]
    status = _offer_status(offer)
    if status:
        meta.append(status)
    blocks.append(_context(*meta))
    if offer.status == State.DECLINED and offer.decline_reason:
        blocks.append(_context("Reason: " + clip(offer.decline_reason, FALLBACK_LIMIT)))
    if offer.status == State.DELIVERED and offer.delivered_link:
        blocks.append(_context(f"<{offer.delivered_link}|What was delivered>"))
    if offer.of_value:
        blocks.append(_context(VALUE_FLAG))
    blocks += _offer_buttons(offer)
    return payload(f"{heading}: {gist(offer.text)}", blocks)


def item(view: ItemView) -> Payload:
    if isinstance(view, QuestionView):
        return question(view)
    if isinstance(view, OfferView):
        return offer(view)
    return plan_update(view)


def answer_reply(question: QuestionView, answer: AnswerView) -> Payload:
    heading = f"Answer from {user(answer.author_id)}"
    return payload(f"{heading}: {gist(answer.text)}", [_section(heading, answer.text)])


def answer_dm(question: QuestionView, answer: AnswerView) -> Payload:
    heading = f"{user(answer.author_id)} ({question.to_team}) answered your question"
    return payload(
        f"{heading}: {gist(answer.text)}",
        [
            _section(heading, answer.text),
            _context("You asked: " + clip(question.text, FALLBACK_LIMIT)),
        ],
    )


def offer_dm(offer: OfferView, action: Action) -> Payload:
    """To the other side of an offer: accepted, declined or delivered."""
    extra: list[Block] = []
    if action == Action.ACCEPT:
        heading = f"{user(offer.accepted_by or '')} ({offer.to_team}) accepted your offer"
        extra.append(_context("Now it's a commitment: follow up in the thread."))
    elif action == Action.DECLINE:
        heading = f"{user(offer.declined_by or '')} ({offer.to_team}) declined your offer"
        if offer.decline_reason:
            extra.append(_context("Reason: " + clip(offer.decline_reason, FALLBACK_LIMIT)))
    else:
        heading = f"{user(offer.delivered_by or '')} marked the offer delivered"
        if offer.delivered_link:
            extra.append(_context(f"<{offer.delivered_link}|What was delivered>"))
    return payload(f"{heading}: {gist(offer.text)}", [_section(heading, offer.text), *extra])


def reask(
    question: QuestionView, round: int, limit: int, now: datetime, *, broadcast: bool = False
) -> Payload:
    """A reminder in the question's thread; `broadcast` also shows it in the channel."""
    heading = f":wave: Still open: can someone from {question.to_team} help?"
    message = payload(
        f"{heading} {gist(question.text)}",
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
    return {**message, "reply_broadcast": True} if broadcast else message


def escalation_dm(question: QuestionView, rounds: int, now: datetime) -> Payload:
    heading = (
        f"{question.to_team} hasn't answered your question after {plural(rounds, 'reminder')} "
        f"(open {age(question.created_at, now)})"
    )
    return payload(
        f"{heading}: {gist(question.text)}",
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


def _what_to_do(channel: str, error: str, contacts: tuple[str, ...]) -> str:
    """What the author can do about Slack's refusal, in words (never Slack's error code)."""
    setup = f"ask {whom(contacts)} to set up a new one with `/liaison setup`"
    match error:
        case "not_in_channel":
            return f"The app isn't in {channel}: invite it there with `/invite @Liaison Bridge`."
        case "is_archived":
            return f"{channel} was archived: {setup}."
        case "channel_not_found":
            return f"The app can't find {channel} any more (deleted, or private to it): {setup}."
    return f"Slack won't take posts in {channel} from the app for now: {setup}."


def post_failed(
    channel_id: str, error: str, text: str | None, contacts: tuple[str, ...]
) -> Payload:
    """To an author whose post Slack refused for good: why, what to do, and their text."""
    channel = f"<#{channel_id}>"
    head = (
        f"Your post to {channel} didn't go out, so the other team hasn't seen it. "
        f"{_what_to_do(channel, error, contacts)} Then send it again."
    )
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=head))]
    if text:
        blocks.append(_section("Your text, to send again:", text))
    return payload(head, blocks)


def guard_notice(channel_id: str, kinds: tuple[str, ...], blocked: bool) -> Payload:
    found = ", ".join(kinds)
    if blocked:
        text = (
            f"Your reply in <#{channel_id}> looks like it contains patient information "
            f"({found}), so it was not recorded or forwarded. Please delete it from the thread."
        )
    else:
        text = (
            f"Your reply in <#{channel_id}> was recorded, but it looks like it contains patient "
            f"information ({found}). If it identifies a patient, please delete it."
        )
    return payload(text, [SectionBlock(text=MarkdownTextObject(text=text))])


def with_link(message: Payload, url: str, label: str = "Open the conversation") -> Payload:
    """The same message with a link to the message it is about (a permalink from Slack)."""
    link = SectionBlock(text=MarkdownTextObject(text=f"<{url}|{label}>")).to_dict()
    return {**message, "blocks": [*message.get("blocks", []), link]}


class SlackRenderer:
    """The storage layer's Renderer, drawn with the builders above; digests link to items'
    messages through `links` (the workspace's address once auth.test has given it)."""

    def __init__(self, links: Permalinks | None = None) -> None:
        self.links = links or Permalinks()

    def digest(self, view: DigestView) -> tuple[Payload, list[Payload]]:
        return digest(view, self.links)

    item = staticmethod(item)
    answer_reply = staticmethod(answer_reply)
    answer_dm = staticmethod(answer_dm)
    offer_dm = staticmethod(offer_dm)
    reask = staticmethod(reask)
    escalation_dm = staticmethod(escalation_dm)
    working_on_it = staticmethod(working_on_it)
    post_failed = staticmethod(post_failed)
    guard_notice = staticmethod(guard_notice)
    home = staticmethod(home)
