"""The App Home, "my queue": what waits on a person and their team, with the buttons to act
on it (the same action ids as in the channels, so the same listeners answer them).

Every list is capped by storage and says how many more there are, so the view stays under
Slack's 100 blocks however much is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
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


@dataclass(frozen=True)
class Section:
    title: str
    verb: str
    buttons: tuple[tuple[str, str, str | None], ...]  # label, action id, style
    empty: str


SECTIONS = {
    "waiting": Section(
        "Questions waiting on my team",
        "Asked",
        (("Answer", ids.ANSWER, "primary"),),
        "Nothing waits on {team}.",
    ),
    "asked": Section(
        "My open questions",
        "Asked",
        (("Close", ids.CLOSE, None),),
        "None: ask {other} with `/ask`.",
    ),
    "offered_to_us": Section(
        "Offers to my team",
        "Offered",
        (("Accept", ids.ACCEPT, "primary"), ("Decline", ids.DECLINE, None)),
        "No offers waiting.",
    ),
    "accepted": Section(
        "Offers I accepted",
        "Offered",
        (("Mark delivered", ids.DELIVER, None),),
        "Nothing to deliver.",
    ),
    "my_offers": Section(
        "My open offers",
        "Offered",
        (("Withdraw", ids.WITHDRAW, None),),
        "None: offer {other} help with `/offer`.",
    ),
}


@lru_cache(maxsize=256)
def _list(section: Section, listing: Listing, empty: str) -> tuple[Payload, ...]:
    """One list's blocks, checked by to_dict(). Cached: after a change the same lists are
    drawn for a whole team (the team's lists are the same for each of its members)."""
    blocks: list[Block] = [HeaderBlock(text=section.title)]
    if not listing.entries:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=empty)]))
    for entry in listing.entries:
        text = MarkdownTextObject(text=_line(entry, section.verb))
        pressed = [
            button(label, action, entry.id, style) for label, action, style in section.buttons
        ]
        if len(pressed) == 1:
            blocks.append(SectionBlock(text=text, accessory=pressed[0]))
        else:
            blocks += [SectionBlock(text=text), ActionsBlock(elements=pressed)]
    if listing.more:
        more = f"…and {listing.more} more (oldest first above)."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    blocks.append(DividerBlock())
    return tuple(block.to_dict() for block in blocks)


def home(view: HomeView) -> Payload:
    """The Home's view: at most 2 + 4 × (CAP + 3) + (2 × CAP + 3) + 2 = 67 blocks (an offer
    to my team takes two), with CAP = 8; Slack allows 100."""
    if view.team_name is None:
        blocks: list[Block] = [
            HeaderBlock(text="My queue"),
            SectionBlock(text=MarkdownTextObject(text=JOIN_HINT)),
        ]
        return View(type="home", blocks=blocks).to_dict()
    names = {"team": view.team_name, "other": view.other_team or "the other team"}
    head = [
        HeaderBlock(text="My queue"),
        ContextBlock(
            elements=[MarkdownTextObject(text=f"{user(view.user_id)} · {view.team_name}")]
        ),
    ]
    goals = (
        "\n".join(describe(goal) for goal in view.goals) or "No team goals yet: `/liaison goals`."
    )
    tail = [
        HeaderBlock(text="My team's goals"),
        SectionBlock(text=MarkdownTextObject(text=clip_lines(goals))),
    ]
    lists = [
        block
        for key, section in SECTIONS.items()
        for block in _list(section, getattr(view, key), section.empty.format(**names))
    ]
    return {
        "type": "home",
        "blocks": [*(b.to_dict() for b in head), *lists, *(b.to_dict() for b in tail)],
    }


def clip_lines(text: str, limit: int = 3000) -> str:
    """Whole lines of mrkdwn (already escaped) that fit a section."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 2].rsplit("\n", 1)[0]
    return cut + "\n…"
