"""Pure builders of the app's modals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from handlers import ids
from handlers.structure import item_fields, link_input
from handlers.text import SECTION_LIMIT, clip
from storage.enums import GuardPolicy, ItemKind
from storage.views import Choices, OfferView, QuestionView
from storage.workspaces import WEEKDAYS, ZONES, Schedule

INPUT_LIMIT = 3000  # the most a plain_text_input accepts


@dataclass(frozen=True)
class Compose:
    """One of the three habits, as a command and its modal."""

    kind: str  # the command: share, ask or offer
    item: ItemKind
    title: str
    label: str
    placeholder: str


COMPOSERS = {
    "share": Compose(
        "share",
        ItemKind.UPDATE,
        "Share a plan update",
        "What should the other team know?",
        "Q3 orthopedics campaign launches Sept 9: mailers to 140 referring offices.",
    ),
    "ask": Compose(
        "ask",
        ItemKind.QUESTION,
        "Ask the other team",
        "Your question",
        "Which cardiology practices should we prioritise this quarter?",
    ),
    "offer": Compose(
        "offer",
        ItemKind.OFFER,
        "Offer help",
        "What can you help with?",
        "I can pull a target list of splitter PCPs in the north territory.",
    ),
}


VALUE_LABEL = "Involves something of value to a referral source"
VALUE_EXAMPLES = "Meals, gifts, sponsored or paid events"


def _text_input(
    label: str, placeholder: str, initial: str | None = None, optional: bool = False
) -> InputBlock:
    return InputBlock(
        block_id=ids.TEXT_BLOCK,
        label=label,
        optional=optional,
        element=PlainTextInputElement(
            action_id=ids.TEXT_INPUT,
            multiline=True,
            max_length=INPUT_LIMIT,
            placeholder=placeholder,
            initial_value=initial[:INPUT_LIMIT] if initial else None,
        ),
    )


def _value_checkbox(checked: bool) -> InputBlock:
    option = Option(value=ids.VALUE_OPTION, label=VALUE_LABEL, description=VALUE_EXAMPLES)
    return InputBlock(
        block_id=ids.VALUE_BLOCK,
        label="Compliance",
        optional=True,
        hint="Flagged offers show the flag to everyone who sees them, for compliance review.",
        element=CheckboxesElement(
            action_id=ids.VALUE_INPUT,
            options=[option],
            initial_options=[option] if checked else None,
        ),
    )


def compose_modal(
    compose: Compose,
    text: str | None = None,
    note: str | None = None,
    choices: Choices | None = None,
) -> dict[str, Any]:
    """The form behind a habit; `text` and `note` when a command's text needs a second look,
    and the workspace's service lines and goals to tag it with."""
    blocks: list[Block] = []
    if note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=note)))
    blocks.append(_text_input(compose.label, compose.placeholder, text))
    if compose.item == ItemKind.OFFER:
        blocks.append(_value_checkbox(False))
    blocks += item_fields(compose.item, choices)
    return View(
        type="modal",
        callback_id=f"{ids.COMPOSE}:{compose.kind}",
        title=compose.title,
        submit="Post",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def decline_modal(offer: OfferView) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=ids.DECLINE_MODAL,
        private_metadata=str(offer.id),
        title="Decline the offer",
        submit="Decline",
        close="Cancel",
        blocks=[
            _quote(f"{offer.from_team} offers:", offer.text),
            _text_input(
                "Why not? (optional)",
                "e.g. We covered the north territory last month.",
                optional=True,
            ),
        ],
    ).to_dict()


def deliver_modal(offer: OfferView) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=ids.DELIVER_MODAL,
        private_metadata=str(offer.id),
        title="Mark delivered",
        submit="Delivered",
        close="Cancel",
        blocks=[
            _quote("The offer:", offer.text),
            link_input("Link to what was delivered"),
        ],
    ).to_dict()


def _quote(head: str, text: str) -> SectionBlock:
    head = f"*{head}*\n"
    return SectionBlock(text=MarkdownTextObject(text=head + clip(text, SECTION_LIMIT - len(head))))


def answer_modal(question: QuestionView) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=ids.ANSWER_MODAL,
        private_metadata=str(question.id),
        title="Answer a question",
        submit="Answer",
        close="Cancel",
        blocks=[
            _quote(f"{question.from_team} asks:", question.text),
            _text_input("Your answer", "The answer is posted in the question's thread."),
        ],
    ).to_dict()


def done_modal(title: str, message: str | list[dict[str, Any]]) -> dict[str, Any]:
    """What a modal turns into after a successful submit: a line, or ready-made blocks (the
    author's confirmation, with their own buttons)."""
    if isinstance(message, str):
        blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=message))]
    else:
        blocks = [b for b in map(Block.parse, message) if b is not None]
    return View(type="modal", title=title, close="Done", blocks=blocks).to_dict()


BROADCAST = {"on": True, "off": False}  # the reask_broadcast select's values


def _zones(current: str) -> list[Option]:
    """The common zones, with the current one added if it is not among them."""
    zones = ZONES if current in ZONES else {**ZONES, current: current}
    return [Option(value=name, label=label) for name, label in zones.items()]


def _select(
    block_id: str, label: str, options: list[Option], chosen: str, hint: str | None = None
) -> InputBlock:
    """A settings field chosen from a list, the current value preselected."""
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        element=StaticSelectElement(
            action_id="value",
            options=options,
            initial_option=next(o for o in options if o.value == chosen),
        ),
    )


def settings_modal(current: Schedule, closed_days: str) -> dict[str, Any]:
    """The workspace's schedule; block ids are the Schedule's field names. `closed_days`
    says in words which days the workspace is closed."""
    days = [Option(value=str(n), label=name) for n, name in enumerate(WEEKDAYS)]
    guard = [
        Option(value=GuardPolicy.BLOCK, label="Block it (recommended)"),
        Option(value=GuardPolicy.WARN, label="Post it and warn the author"),
    ]
    broadcast = [
        Option(value="on", label="Yes, post the last reminder to the channel too"),
        Option(value="off", label="No, keep every reminder in the thread"),
    ]
    return View(
        type="modal",
        callback_id=ids.SETTINGS_MODAL,
        title="Liaison Bridge settings",
        submit="Save",
        close="Cancel",
        blocks=[
            _select("digest_weekday", "Weekly digest day", days, str(current.digest_weekday)),
            InputBlock(
                block_id="digest_time",
                label="Digest time",
                element=TimePickerElement(action_id="value", initial_time=current.digest_time),
            ),
            _select(
                "timezone",
                "Timezone",
                _zones(current.timezone),
                current.timezone,
                "Reminders go out 09:00-17:00 on business days in this zone.",
            ),
            InputBlock(
                block_id="reask_after_days",
                label="Ask unanswered questions again after (business days)",
                element=NumberInputElement(
                    action_id="value",
                    initial_value=current.reask_after_days,
                    min_value=1,
                    max_value=30,
                ),
            ),
            InputBlock(
                block_id="max_reasks",
                label="Ask again at most (times)",
                element=NumberInputElement(
                    action_id="value", initial_value=current.max_reasks, min_value=0, max_value=10
                ),
            ),
            _select(
                "reask_broadcast",
                "Also post the last reminder to the channel?",
                broadcast,
                "on" if current.reask_broadcast else "off",
                "Earlier reminders stay in the question's thread.",
            ),
            SectionBlock(block_id="closed_days", text=MarkdownTextObject(text=closed_days)),
            _select(
                "phi_policy",
                "When a message looks like it holds patient information",
                guard,
                current.phi_policy,
                "Block keeps it out of the app entirely; warn posts it and warns the author.",
            ),
        ],
    ).to_dict()
