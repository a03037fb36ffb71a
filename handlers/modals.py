"""Pure builders of the app's modals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
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
from handlers.text import SECTION_LIMIT, clip
from storage.views import QuestionView
from storage.workspaces import WEEKDAYS, Schedule

INPUT_LIMIT = 3000  # the most a plain_text_input accepts


@dataclass(frozen=True)
class Compose:
    """One of the three habits, as a command and its modal."""

    kind: str
    title: str
    label: str
    placeholder: str


COMPOSERS = {
    "share": Compose(
        "share",
        "Share a plan update",
        "What should the other team know?",
        "Q3 orthopedics campaign launches Sept 9: mailers to 140 referring offices.",
    ),
    "ask": Compose(
        "ask",
        "Ask the other team",
        "Your question",
        "Which cardiology practices should we prioritise this quarter?",
    ),
    "offer": Compose(
        "offer",
        "Offer help",
        "What can you help with?",
        "I can pull a target list of splitter PCPs in the north territory.",
    ),
}


def _text_input(label: str, placeholder: str) -> InputBlock:
    return InputBlock(
        block_id=ids.TEXT_BLOCK,
        label=label,
        element=PlainTextInputElement(
            action_id=ids.TEXT_INPUT,
            multiline=True,
            max_length=INPUT_LIMIT,
            placeholder=placeholder,
        ),
    )


def compose_modal(compose: Compose) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=f"{ids.COMPOSE}:{compose.kind}",
        title=compose.title,
        submit="Post",
        close="Cancel",
        blocks=[_text_input(compose.label, compose.placeholder)],
    ).to_dict()


def answer_modal(question: QuestionView) -> dict[str, Any]:
    head = f"*{question.from_team} asks:*\n"
    return View(
        type="modal",
        callback_id=ids.ANSWER_MODAL,
        private_metadata=str(question.id),
        title="Answer a question",
        submit="Answer",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(text=head + clip(question.text, SECTION_LIMIT - len(head)))
            ),
            _text_input("Your answer", "The answer is posted in the question's thread."),
        ],
    ).to_dict()


def done_modal(title: str, message: str) -> dict[str, Any]:
    """What a modal turns into after a successful submit."""
    return View(
        type="modal",
        title=title,
        close="Done",
        blocks=[SectionBlock(text=MarkdownTextObject(text=message))],
    ).to_dict()


def settings_modal(current: Schedule) -> dict[str, Any]:
    """The workspace's schedule; block ids are the Schedule's field names."""
    days = [Option(value=str(n), label=name) for n, name in enumerate(WEEKDAYS)]
    return View(
        type="modal",
        callback_id=ids.SETTINGS_MODAL,
        title="Liaison Bridge settings",
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id="digest_weekday",
                label="Weekly digest day",
                element=StaticSelectElement(
                    action_id="value", options=days, initial_option=days[current.digest_weekday]
                ),
            ),
            InputBlock(
                block_id="digest_time",
                label="Digest time",
                element=TimePickerElement(action_id="value", initial_time=current.digest_time),
            ),
            InputBlock(
                block_id="timezone",
                label="Timezone",
                hint="An IANA name, e.g. America/New_York, America/Chicago, America/Denver.",
                element=PlainTextInputElement(action_id="value", initial_value=current.timezone),
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
        ],
    ).to_dict()
