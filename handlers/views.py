"""Modal submissions. Problems are shown on the field, so the user's text stays put."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from handlers import ids, replies
from handlers.commands import posting
from handlers.deps import Deps
from handlers.modals import COMPOSERS, done_modal
from storage.errors import NotFound, Refused


def _text(view: dict[str, Any]) -> str:
    field = view["state"]["values"].get(ids.TEXT_BLOCK, {}).get(ids.TEXT_INPUT, {})
    return str(field.get("value") or "").strip()


def _error(ack: Ack, message: str) -> None:
    ack(response_action="errors", errors={ids.TEXT_BLOCK: message})


def register(app: App, deps: Deps) -> None:
    @app.view(re.compile(rf"^{ids.COMPOSE}:(share|ask|offer)$"))
    def compose(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        kind = view["callback_id"].split(":", 1)[1]
        text = _text(view)
        if not text:
            _error(ack, "Please write something first.")
            return
        try:
            sent = posting(deps, kind)(body["team"]["id"], body["user"]["id"], text, deps.clock())
        except Refused as refused:
            _error(ack, replies.refusal(refused))
            return
        message = replies.posted(kind, sent.channel_id, sent.team)
        ack(response_action="update", view=done_modal(COMPOSERS[kind].title, message))

    @app.view(ids.ANSWER_MODAL)
    def answer(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        text = _text(view)
        if not text:
            _error(ack, "Please write your answer first.")
            return
        try:
            metadata = view.get("private_metadata", "")
            if not metadata.isdigit():
                raise NotFound("question")
            deps.services.questions.answer(
                body["team"]["id"], int(metadata), body["user"]["id"], text, deps.clock()
            )
        except Refused as refused:
            _error(ack, replies.refusal(refused))
            return
        done = "Your answer is on its way to the question's thread, and the asker will be told."
        ack(response_action="update", view=done_modal("Answer a question", done))
