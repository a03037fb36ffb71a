"""The App Home, "my queue": what waits on a person and their team, with the buttons to act
on it (the same action ids as in the channels, so the same listeners answer them).

Every list is capped by storage and says how many more there are, so the view stays under
Slack's 100 blocks however much is open.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from handlers import ids
from handlers.blocks import Payload, button
from handlers.goals import describe
from handlers.structure import day
from handlers.text import clip, user, when
from storage.reports.home import Entry, HomeView, Listing

ENTRY_TEXT = 280  # of an item's text, per entry

JOIN_HINT = (
    "*Welcome to Liaison Bridge.* It brings marketing and the physician liaisons together: "
    "updates, questions and offers of help between the two teams.\n\n"
    "You are not in a team yet. Join yours in any channel with `/liaison join marketing` or "
    "`/liaison join liaison`; then your team's questions, offers and goals show here. "
    "`/liaison help` lists every command."
)


def _line(entry: Entry, verb: str) -> str:
    meta = [f"{verb} by {user(entry.author_id)}", when(entry.created_at)]
    if entry.needed_by is not None:
        meta.append(f"needed by {day(entry.needed_by)}")
    return f"{clip(entry.text, ENTRY_TEXT)}\n_{' · '.join(meta)}_"


def _list(
    title: str,
    listing: Listing,
    verb: str,
    buttons: Callable[[Entry], list[ButtonElement]],
    empty: str,
) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=title)]
    if not listing.entries:
        return [*blocks, ContextBlock(elements=[MarkdownTextObject(text=empty)])]
    for entry in listing.entries:
        text = MarkdownTextObject(text=_line(entry, verb))
        pressed = buttons(entry)
        if len(pressed) == 1:
            blocks.append(SectionBlock(text=text, accessory=pressed[0]))
        else:
            blocks += [SectionBlock(text=text), ActionsBlock(elements=pressed)]
    if listing.more:
        more = f"…and {listing.more} more (oldest first above)."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def home(view: HomeView) -> Payload:
    if view.team_name is None:
        blocks: list[Block] = [
            HeaderBlock(text="My queue"),
            SectionBlock(text=MarkdownTextObject(text=JOIN_HINT)),
        ]
        return View(type="home", blocks=blocks).to_dict()
    other = view.other_team or "the other team"
    sections = [
        _list(
            "Questions waiting on my team",
            view.waiting,
            "Asked",
            lambda e: [button("Answer", ids.ANSWER, e.id, "primary")],
            f"Nothing waits on {view.team_name}.",
        ),
        _list(
            "My open questions",
            view.asked,
            "Asked",
            lambda e: [button("Close", ids.CLOSE, e.id)],
            f"None: ask {other} with `/ask`.",
        ),
        _list(
            "Offers to my team",
            view.offered_to_us,
            "Offered",
            lambda e: [
                button("Accept", ids.ACCEPT, e.id, "primary"),
                button("Decline", ids.DECLINE, e.id),
            ],
            "No offers waiting.",
        ),
        _list(
            "Offers I accepted",
            view.accepted,
            "Offered",
            lambda e: [button("Mark delivered", ids.DELIVER, e.id)],
            "Nothing to deliver.",
        ),
        _list(
            "My open offers",
            view.my_offers,
            "Offered",
            lambda e: [button("Withdraw", ids.WITHDRAW, e.id)],
            f"None: offer {other} help with `/offer`.",
        ),
    ]
    blocks = [
        HeaderBlock(text="My queue"),
        ContextBlock(
            elements=[MarkdownTextObject(text=f"{user(view.user_id)} · {view.team_name}")]
        ),
    ]
    for section in sections:
        blocks += [*section, DividerBlock()]
    blocks.append(HeaderBlock(text="My team's goals"))
    goals = (
        "\n".join(describe(goal) for goal in view.goals) or "No team goals yet: `/liaison goals`."
    )
    blocks.append(SectionBlock(text=MarkdownTextObject(text=clip_lines(goals))))
    return View(type="home", blocks=blocks).to_dict()


def clip_lines(text: str, limit: int = 3000) -> str:
    """Whole lines of mrkdwn (already escaped) that fit a section."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 2].rsplit("\n", 1)[0]
    return cut + "\n…"
