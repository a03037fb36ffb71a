"""Pure builders of the weekly digest: one short parent message, the lists in its thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from handlers import ids
from handlers.blocks import Payload, button, payload
from handlers.text import age, clip, user, when
from storage.views import DigestView, Figures, Listing, OfferView, QuestionView, UpdateView

T = TypeVar("T")
ITEM_LIMIT = 600  # characters of one item's text in a list


def duration(span: timedelta | None) -> str:
    if span is None:
        return "n/a"
    hours = span.total_seconds() / 3600
    if hours < 1:
        return "under 1 h"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _figures(f: Figures) -> str:
    answered = f"{f.answered} answered (median {duration(f.median_answer)})"
    return (
        f"*{f.from_team} → {f.to_team}*\n"
        f"{f.asked} questions asked, {answered}\n"
        f"{f.offers_made} offers made, {f.offers_accepted} accepted"
    )


def _summary(view: DigestView) -> str:
    parts = [
        f"{view.other} shared *{view.updates.total}* update(s)",
        f"*{view.waiting.total}* question(s) wait on you",
        f"you wait on *{view.asked.total}*",
        f"*{view.offers.total}* offer(s) of help are open for you",
        f"*{view.accepted.total}* offer(s) accepted",
    ]
    return f"Since {when(view.period_start)}: " + " · ".join(parts) + "."


def _list(title: str, listing: Listing[T], item: Callable[[T], SectionBlock]) -> Payload | None:
    if not listing.total:
        return None
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"*{title}*"))]
    blocks += [item(x) for x in listing.items]
    hidden = listing.total - len(listing.items)
    if hidden > 0:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"…and {hidden} more.")]))
    return payload(title, blocks)


def _update(update: UpdateView) -> SectionBlock:
    head = f"{user(update.author_id)} · {when(update.created_at)}\n"
    return SectionBlock(text=MarkdownTextObject(text=head + clip(update.text, ITEM_LIMIT)))


def _question(now: datetime, answerable: bool) -> Callable[[QuestionView], SectionBlock]:
    def item(question: QuestionView) -> SectionBlock:
        head = f"{clip(question.text, ITEM_LIMIT)}\n"
        meta = f"_from {user(question.asker_id)}, open {age(question.created_at, now)}_"
        return SectionBlock(
            text=MarkdownTextObject(text=head + meta),
            accessory=button("Answer", ids.ANSWER, question.id) if answerable else None,
        )

    return item


def _flag(offer: OfferView) -> str:
    flag = "\n:warning: _involves something of value to a referral source_"
    return flag if offer.of_value else ""


def _offer(offer: OfferView) -> SectionBlock:
    meta = f"_from {user(offer.offerer_id)}, {when(offer.created_at)}_{_flag(offer)}"
    return SectionBlock(
        text=MarkdownTextObject(text=f"{clip(offer.text, ITEM_LIMIT)}\n{meta}"),
        accessory=button("Accept", ids.ACCEPT, offer.id),
    )


def _accepted(offer: OfferView) -> SectionBlock:
    by = f"_{offer.from_team} → {offer.to_team}, accepted by {user(offer.accepted_by or '')}_"
    text = f"{clip(offer.text, ITEM_LIMIT)}\n{by}{_flag(offer)}"
    return SectionBlock(text=MarkdownTextObject(text=text))


def digest(view: DigestView) -> tuple[Payload, list[Payload]]:
    heading = f"Weekly digest for {view.team}"
    if view.quiet:
        line = (
            f"Quiet week: nothing new between {view.team} and {view.other} "
            f"since {when(view.period_start)}."
        )
        quiet = SectionBlock(text=MarkdownTextObject(text=line))
        return payload(f"{heading}: a quiet week", [quiet]), []

    now = view.period_end
    parent: Sequence[Block] = [
        HeaderBlock(text=f":newspaper: {heading}"),
        SectionBlock(text=MarkdownTextObject(text=_summary(view))),
        SectionBlock(fields=[MarkdownTextObject(text=_figures(f)) for f in view.figures]),
        ContextBlock(elements=[MarkdownTextObject(text="The lists are in this thread.")]),
    ]
    parts = [
        _list(f"What {view.other} shared", view.updates, _update),
        _list("Questions waiting on you, oldest first", view.waiting, _question(now, True)),
        _list(f"Your open questions to {view.other}", view.asked, _question(now, False)),
        _list("Offers of help for you", view.offers, _offer),
        _list("Offers accepted", view.accepted, _accepted),
    ]
    fallback = f"{heading}: {view.waiting.total} question(s) wait on you"
    return (
        payload(fallback, parent),
        [p for p in parts if p is not None],
    )
