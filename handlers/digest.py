"""Pure builders of the weekly digest, written to be read on a phone: a short parent message
that says in words what waits on the team, and the lists, grouped by service line, in as few
thread replies as Slack's limits allow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from handlers.permalinks import Permalinks
from handlers.structure import day
from handlers.text import FALLBACK_LIMIT, age, clip, plural, user, when
from storage.views import DigestView, Figures, Listing, OfferView, QuestionView, UpdateView

ItemT = TypeVar("ItemT", UpdateView, QuestionView, OfferView)
ITEM_LIMIT = 600  # characters of one item's text in a list
NAME_LIMIT = 140  # characters of a service line's name as a group's heading
MESSAGE_BLOCKS = 50  # Slack's limit of blocks in one message
NO_SERVICE_LINE = "No service line"
VALUE_NOTE = "involves something of value to a referral source"
WEEK = timedelta(days=7, hours=1)  # a period this long or shorter reads "this week"


def duration(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours < 1:
        return "under 1 h"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"


def age_ago(days: int) -> str:
    return f"{plural(days, 'day')} ago"


def figures_line(f: Figures, start: datetime, end: datetime) -> str | None:
    """The period's activity on one line, with every part that is zero left out."""
    parts = []
    if f.asked:
        parts.append(f"{f.asked} asked")
    if f.answered:
        median = f" (median {duration(f.median_answer)})" if f.median_answer else ""
        parts.append(f"{f.answered} answered{median}")
    if f.offers_made:
        accepted = f", {f.offers_accepted} accepted" if f.offers_accepted else ""
        parts.append(plural(f.offers_made, "offer") + accepted)
    elif f.offers_accepted:
        parts.append(plural(f.offers_accepted, "offer") + " accepted")
    if not parts:
        return None
    since = "This week" if end - start <= WEEK else f"Since {when(start)}"
    return f"{since}: " + " · ".join(parts)


def _waiting(view: DigestView) -> str | None:
    count = view.waiting.total
    if not count:
        return None
    days = (view.period_end - view.waiting.items[0].created_at).days
    if count == 1:
        details = ["asked today" if days < 1 else f"asked {age_ago(days)}"]
    else:
        details = ["all asked today" if days < 1 else f"the oldest asked {age_ago(days)}"]
    if view.soonest_needed_by is not None:
        soonest = day(view.soonest_needed_by)
        if view.needed_by_count == 1:
            details.append(f"{'' if count == 1 else 'one '}needed by {soonest}")
        else:
            details.append(f"{view.needed_by_count} with a needed-by date, the soonest {soonest}")
    verb = "waits" if count == 1 else "wait"
    return f"*{plural(count, 'question')} {verb} on you*: {', '.join(details)}."


def _to_do(view: DigestView) -> list[str]:
    """What needs this team, first, then what it may want to know; zero counts left out."""
    lines = [_waiting(view)]
    if view.offers.total:
        lines.append(f"*{plural(view.offers.total, 'offer')} of help* for you to accept.")
    if view.updates.total:
        lines.append(f"{view.other} shared {plural(view.updates.total, 'update')}.")
    if view.asked.total:
        lines.append(f"You wait on {view.other} for {plural(view.asked.total, 'answer')}.")
    return [line for line in lines if line]


def _fallback(heading: str, view: DigestView) -> str:
    """The notification: what waits on the team, else what happened, in plain words."""
    parts = []
    if view.waiting.total:
        verb = "waits" if view.waiting.total == 1 else "wait"
        parts.append(f"{plural(view.waiting.total, 'question')} {verb} on you")
    if view.offers.total:
        parts.append(f"{plural(view.offers.total, 'offer')} of help to accept")
    if not parts and view.updates.total:
        parts.append(f"{view.other} shared {plural(view.updates.total, 'update')}")
    text = f"{heading}: {', '.join(parts)}" if parts else heading
    return clip(text, FALLBACK_LIMIT)


@dataclass(frozen=True)
class Entry:
    """One block of the lists; a heading keeps with the block after it."""

    block: Block
    title: str  # the list it belongs to
    heading: bool = False


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _list(
    title: str, listing: Listing[ItemT], item: Callable[[ItemT], SectionBlock]
) -> list[Entry]:
    """A list's title, then its items grouped by service line (those without one last)."""
    if not listing.total:
        return []
    groups: dict[str | None, list[ItemT]] = {}
    for x in listing.items:
        groups.setdefault(x.service_line.name if x.service_line else None, []).append(x)
    entries = [Entry(HeaderBlock(text=title), title, heading=True)]
    named: list[str] = sorted((n for n in groups if n is not None), key=str.casefold)
    for name in [*named, None] if None in groups else named:
        if named:  # one list without any service line needs no heading
            label = clip(name, NAME_LIMIT) if name is not None else NO_SERVICE_LINE
            entries.append(Entry(_section(f":hospital: *{label}*"), title, heading=True))
        entries += [Entry(item(x), title) for x in groups[name]]
    hidden = listing.total - len(listing.items)
    if hidden > 0:
        more = ContextBlock(elements=[MarkdownTextObject(text=f"…and {hidden} more.")])
        entries.append(Entry(more, title))
    return entries


def _pack(entries: list[Entry]) -> list[list[Entry]]:
    """The entries in messages of at most MESSAGE_BLOCKS blocks, in order; a heading is never
    left at the end of a message without what it heads."""
    messages: list[list[Entry]] = []
    current: list[Entry] = []
    for entry in entries:
        if len(current) == MESSAGE_BLOCKS:
            cut = len(current)
            while current[cut - 1].heading:
                cut -= 1
            messages.append(current[:cut])
            current = current[cut:]
        current.append(entry)
    return [*messages, current] if current else messages


def _link(view: DigestView, links: Permalinks, item: UpdateView | QuestionView | OfferView) -> str:
    return f" · <{links.to(view.workspace_id, item.message)}|Open>" if item.message else ""


def digest(view: DigestView, links: Permalinks) -> tuple[Payload, list[Payload]]:
    heading = f"Weekly digest for {view.team}"
    if view.quiet:
        line = (
            f"Quiet week: nothing new between {view.team} and {view.other} "
            f"since {when(view.period_start)}."
        )
        return payload(f"{heading}: a quiet week", [_section(line)]), []

    now = view.period_end

    def update(x: UpdateView) -> SectionBlock:
        meta = f"{user(x.author_id)} · {when(x.created_at)}{_link(view, links, x)}"
        return _section(f"{clip(x.text, ITEM_LIMIT)}\n{meta}")

    def question(answerable: bool) -> Callable[[QuestionView], SectionBlock]:
        def item(x: QuestionView) -> SectionBlock:
            needed = f", needed by {day(x.needed_by)}" if x.needed_by else ""
            meta = f"_from {user(x.asker_id)}, open {age(x.created_at, now)}{needed}_"
            return SectionBlock(
                text=MarkdownTextObject(
                    text=f"{clip(x.text, ITEM_LIMIT)}\n{meta}{_link(view, links, x)}"
                ),
                accessory=button("Answer", ids.ANSWER, x.id) if answerable else None,
            )

        return item

    def flag(x: OfferView) -> str:
        return (
            "\n:warning: _involves something of value to a referral source_" if x.of_value else ""
        )

    def offer(x: OfferView) -> SectionBlock:
        meta = f"_from {user(x.offerer_id)}, {when(x.created_at)}_{_link(view, links, x)}"
        return SectionBlock(
            text=MarkdownTextObject(text=f"{clip(x.text, ITEM_LIMIT)}\n{meta}{flag(x)}"),
            accessory=button("Accept", ids.ACCEPT, x.id),
        )

    def accepted(x: OfferView) -> SectionBlock:
        by = f"_{x.from_team} → {x.to_team}, accepted by {user(x.accepted_by or '')}_"
        return _section(f"{clip(x.text, ITEM_LIMIT)}\n{by}{_link(view, links, x)}{flag(x)}")

    parent: list[Block] = [
        HeaderBlock(text=f":newspaper: {heading}"),
        _section("\n".join(_to_do(view)) or f"Nothing waits on {view.team}."),
    ]
    figures = figures_line(view.figures, view.period_start, view.period_end)
    if figures:
        parent.append(ContextBlock(elements=[MarkdownTextObject(text=figures)]))
    entries = [
        *_list("Questions waiting on you, oldest first", view.waiting, question(True)),
        *_list("Offers of help for you", view.offers, offer),
        *_list(f"What {view.other} shared", view.updates, update),
        *_list(f"Your open questions to {view.other}", view.asked, question(False)),
        *_list("Offers accepted", view.accepted, accepted),
    ]
    thread = []
    for part in _pack(entries):
        titles = list(dict.fromkeys(e.title for e in part))
        thread.append(payload(clip(" · ".join(titles), FALLBACK_LIMIT), [e.block for e in part]))
    if thread:
        hint = "The lists are in this thread."
        parent.append(ContextBlock(elements=[MarkdownTextObject(text=hint)]))
    return payload(_fallback(heading, view), parent), thread
