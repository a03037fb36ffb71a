"""Pure builders of the app's modals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from handlers import ids
from handlers.text import SECTION_LIMIT, clip
from storage.views import QuestionView

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
