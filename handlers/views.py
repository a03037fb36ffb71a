"""Modal submissions. Problems are shown on the field, so the user's text stays put."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers import ids, replies
from handlers.admins import admin_refusal
from handlers.commands import posting
from handlers.deps import Deps
from handlers.modals import COMPOSERS, done_modal
from handlers.plaintext import inline
from handlers.text import from_user, parse_id
from storage.errors import InvalidSetting, NotFound, Refused
from storage.workspaces import Schedule


def _text(view: dict[str, Any]) -> str:
    field = view["state"]["values"].get(ids.TEXT_BLOCK, {}).get(ids.TEXT_INPUT, {})
    return from_user(field.get("value"))


def _error(ack: Ack, message: str) -> None:
    # Field errors are plain text: spell out the mrkdwn of the usual private answers.
    ack(response_action="errors", errors={ids.TEXT_BLOCK: inline(message).replace("`", "")})


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
            question = parse_id(view.get("private_metadata"))
            if question is None:
                raise NotFound("question")
            deps.services.questions.answer(
                body["team"]["id"], question, body["user"]["id"], text, deps.clock()
            )
        except Refused as refused:
            _error(ack, replies.refusal(refused))
            return
        done = "Your answer is on its way to the question's thread, and the asker will be told."
        ack(response_action="update", view=done_modal("Answer a question", done))

    _register_settings(app, deps)


def _setting(view: dict[str, Any], block_id: str) -> str:
    """A settings field's value, whichever element holds it."""
    field = view["state"]["values"].get(block_id, {}).get("value", {})
    option = field.get("selected_option") or {}
    value = option.get("value") or field.get("selected_time") or field.get("value")
    return str(value or "").strip()


def _register_settings(app: App, deps: Deps) -> None:
    @app.view(ids.SETTINGS_MODAL)
    def settings(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        denied = admin_refusal(deps, client, user)
        if denied:
            ack(response_action="errors", errors={"timezone": denied})
            return
        numbers: dict[str, int] = {}
        for name in ("digest_weekday", "reask_after_days", "max_reasks"):
            value = _setting(view, name)
            if not (value.isascii() and value.isdigit()):
                ack(response_action="errors", errors={name: "Use a whole number."})
                return
            numbers[name] = int(value)
        wanted = Schedule(
            digest_time=_setting(view, "digest_time"),
            timezone=_setting(view, "timezone"),
            **numbers,
        )
        try:
            saved = deps.services.schedules.update(body["team"]["id"], user, wanted, deps.clock())
        except InvalidSetting as invalid:
            ack(response_action="errors", errors={invalid.field: invalid.message})
            return
        ack(response_action="update", view=done_modal("Settings saved", replies.schedule(saved)))
