"""Modal submissions. Problems are shown on the field, so the user's text stays put."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers import ids, replies
from handlers.actors import actor_for, workspace_of
from handlers.deps import Deps
from handlers.modals import BROADCAST, COMPOSERS, done_modal
from handlers.plaintext import inline
from handlers.text import from_modal, from_user, parse_id
from storage.enums import Action, GuardPolicy
from storage.errors import InvalidSetting, NotFound, Refused, ValueUnflagged
from storage.guard import Text
from storage.policy.lifecycle import CREATED
from storage.policy.permissions import Actor
from storage.views import Draft
from storage.workspaces import Schedule

Json = dict[str, Any]


def _value(view: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    field = view["state"]["values"].get(block, {}).get(action, {})
    return field if isinstance(field, dict) else {}


def _text(view: dict[str, Any]) -> str:
    return from_modal(_value(view, ids.TEXT_BLOCK, ids.TEXT_INPUT).get("value"))


def _flagged(view: dict[str, Any]) -> bool:
    chosen = _value(view, ids.VALUE_BLOCK, ids.VALUE_INPUT).get("selected_options") or []
    return any(option.get("value") == ids.VALUE_OPTION for option in chosen)


def _error(ack: Ack, message: str, block: str = ids.TEXT_BLOCK) -> None:
    # Field errors are plain text: spell out the mrkdwn of the usual private answers.
    ack(response_action="errors", errors={block: inline(message).replace("`", "")})


def _link(view: dict[str, Any]) -> str | None:
    """A delivered link: http(s) only, and nothing that could break Slack's link markup."""
    url = from_user(_value(view, ids.LINK_BLOCK, ids.LINK_INPUT).get("value"))
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or re.search(r"[\s<>|]", url):
        raise InvalidSetting(ids.LINK_BLOCK, "Use a web link that starts with https://")
    return url


def register(app: App, deps: Deps) -> None:
    items = deps.services.items

    def actor(
        context: BoltContext, body: dict[str, Any], client: WebClient, action: Action
    ) -> Actor:
        return actor_for(deps, client, workspace_of(context, body), body["user"]["id"], action)

    def screen(who: Actor, raw: str | None, where: str) -> Text | None:
        return deps.services.guard.screen(who, raw, deps.clock(), where=where) if raw else None

    def said(message: str, *texts: Text | None) -> str:
        warned = [kind for text in texts if text for kind in text.warned]
        return message + ("\n" + replies.phi_warning(warned) if warned else "")

    @app.view(re.compile(rf"^{ids.COMPOSE}:(share|ask|offer)$"))
    def compose(ack: Ack, context: BoltContext, body: Json, view: Json, client: WebClient) -> None:
        form = COMPOSERS[view["callback_id"].split(":", 1)[1]]
        text = _text(view)
        if not text:
            _error(ack, "Please write something first.")
            return
        try:
            who = actor(context, body, client, CREATED[form.item][0])
            clean = deps.services.guard.screen(who, text, deps.clock())
            sent = items.post(who, Draft(form.item, clean, _flagged(view)), deps.clock())
        except ValueUnflagged as unflagged:
            _error(ack, replies.value_question(unflagged.words), ids.VALUE_BLOCK)
            return
        except Refused as refused:
            _error(ack, replies.refusal(refused))
            return
        confirmation = replies.posted(sent, clean.warned)
        ack(response_action="update", view=done_modal(form.title, confirmation["blocks"]))

    def on_item(
        action: Action,
        what: str,
        title: str,
        run: Callable[[Actor, int, dict[str, Any]], str],
        field: str = ids.TEXT_BLOCK,
    ) -> Callable[..., None]:
        def handle(
            ack: Ack, context: BoltContext, body: Json, view: Json, client: WebClient
        ) -> None:
            try:
                item = parse_id(view.get("private_metadata"))
                if item is None:
                    raise NotFound(what)
                message = run(actor(context, body, client, action), item, view)
            except InvalidSetting as invalid:
                _error(ack, invalid.message, invalid.field)
                return
            except Refused as refused:
                _error(ack, replies.refusal(refused), field)
                return
            ack(response_action="update", view=done_modal(title, message))

        return handle

    def answer(who: Actor, item: int, view: dict[str, Any]) -> str:
        text = screen(who, _text(view), "answer")
        if text is None:
            raise InvalidSetting(ids.TEXT_BLOCK, "Please write your answer first.")
        items.answer(who, item, text, deps.clock())
        done = "Your answer is on its way to the question's thread, and the asker will be told."
        return said(done, text)

    def decline(who: Actor, item: int, view: dict[str, Any]) -> str:
        reason = screen(who, _text(view), "decline reason")
        offer = items.decline(who, item, reason, deps.clock())
        return said(replies.done(Action.DECLINE, offer.offerer_id), reason)

    def deliver(who: Actor, item: int, view: dict[str, Any]) -> str:
        link = screen(who, _link(view), "delivered link")
        items.deliver(who, item, link, deps.clock())
        return said(replies.done(Action.DELIVER), link)

    app.view(ids.ANSWER_MODAL)(on_item(Action.ANSWER, "question", "Answer a question", answer))
    app.view(ids.DECLINE_MODAL)(on_item(Action.DECLINE, "offer", "Offer declined", decline))
    app.view(ids.DELIVER_MODAL)(
        on_item(Action.DELIVER, "offer", "Offer delivered", deliver, ids.LINK_BLOCK)
    )
    _register_settings(app, deps)


def _setting(view: dict[str, Any], block_id: str) -> str:
    """A settings field's value, whichever element holds it."""
    field = _value(view, block_id, "value")
    option = field.get("selected_option") or {}
    value = option.get("value") or field.get("selected_time") or field.get("value")
    return str(value or "").strip()


def _register_settings(app: App, deps: Deps) -> None:
    @app.view(ids.SETTINGS_MODAL)
    def settings(ack: Ack, context: BoltContext, body: Json, view: Json, client: WebClient) -> None:
        numbers: dict[str, int] = {}
        for name in ("digest_weekday", "reask_after_days", "max_reasks"):
            value = _setting(view, name)
            if not (value.isascii() and value.isdigit()):
                ack(response_action="errors", errors={name: "Use a whole number."})
                return
            numbers[name] = int(value)
        policy = _setting(view, "phi_policy") or GuardPolicy.BLOCK
        if policy not in set(GuardPolicy):
            ack(response_action="errors", errors={"phi_policy": "Choose block or warn."})
            return
        broadcast = _setting(view, "reask_broadcast") or "on"
        if broadcast not in BROADCAST:
            ack(response_action="errors", errors={"reask_broadcast": "Choose yes or no."})
            return
        wanted = Schedule(
            digest_weekday=numbers["digest_weekday"],
            digest_time=_setting(view, "digest_time"),
            timezone=_setting(view, "timezone"),
            reask_after_days=numbers["reask_after_days"],
            max_reasks=numbers["max_reasks"],
            phi_policy=GuardPolicy(policy),
            reask_broadcast=BROADCAST[broadcast],
        )
        try:
            workspace = workspace_of(context, body)
            who = actor_for(deps, client, workspace, body["user"]["id"], Action.SETTINGS)
            saved = deps.services.schedules.update(who, wanted, deps.clock())
        except InvalidSetting as invalid:
            ack(response_action="errors", errors={invalid.field: invalid.message})
            return
        except Refused as refused:
            _error(ack, replies.refusal(refused), "timezone")
            return
        ack(response_action="update", view=done_modal("Settings saved", replies.schedule(saved)))
