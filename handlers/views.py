"""Modal submissions. Problems are shown on the field, so the user's text stays put."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers import ids, replies
from handlers.actors import actor_for, workspace_of
from handlers.deps import Deps
from handlers.modals import BROADCAST, COMPOSERS, done_modal
from handlers.plaintext import inline
from handlers.state import chosen, chosen_id, picked_date, typed, value, written
from handlers.text import parse_id
from storage.enums import Action, GuardPolicy, OfferType
from storage.errors import InvalidSetting, NotFound, Refused, ValueUnflagged
from storage.guard import PhiBlocked, Text
from storage.policy.lifecycle import CREATED
from storage.policy.permissions import Actor
from storage.views import Draft
from storage.workspaces import Schedule

Json = dict[str, Any]


def _text(view: dict[str, Any]) -> str:
    return written(view, ids.TEXT_BLOCK, ids.TEXT_INPUT)


def _flagged(view: dict[str, Any]) -> bool:
    chosen = value(view, ids.VALUE_BLOCK, ids.VALUE_INPUT).get("selected_options") or []
    return any(option.get("value") == ids.VALUE_OPTION for option in chosen)


def field_error(ack: Ack, message: str, block: str = ids.TEXT_BLOCK) -> None:
    # Field errors are plain text: spell out the mrkdwn of the usual private answers.
    ack(response_action="errors", errors={block: inline(message).replace("`", "")})


def _offer_type(view: dict[str, Any]) -> OfferType | None:
    picked = chosen(view, ids.OFFER_TYPE_BLOCK)
    if picked is None:
        return None
    if picked not in set(OfferType):
        raise InvalidSetting(ids.OFFER_TYPE_BLOCK, "Choose a kind of help from the list.")
    return OfferType(picked)


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

    def screened_link(who: Actor, view: dict[str, Any]) -> Text | None:
        """The form's link through the PHI guard; a finding is shown on the link field."""
        try:
            return screen(who, typed(view, ids.LINK_BLOCK, ids.LINK_INPUT), "link")
        except PhiBlocked as blocked:
            raise InvalidSetting(ids.LINK_BLOCK, replies.phi_field(blocked)) from None

    @app.view(re.compile(rf"^{ids.COMPOSE}:(share|ask|offer)$"))
    def compose(ack: Ack, context: BoltContext, body: Json, view: Json, client: WebClient) -> None:
        form = COMPOSERS[view["callback_id"].split(":", 1)[1]]
        text = _text(view)
        if not text:
            field_error(ack, "Please write something first.")
            return
        try:
            line = chosen_id(view, ids.SERVICE_LINE_BLOCK, "service line")
            goal = chosen_id(view, ids.GOAL_BLOCK, "goal")
            needed_by = picked_date(view, ids.NEEDED_BY_BLOCK)
            kind = _offer_type(view)
            who = actor(context, body, client, CREATED[form.item][0])
            clean = deps.services.guard.screen(who, text, deps.clock())
            link = screened_link(who, view)
            draft = Draft(form.item, clean, _flagged(view), line, goal, needed_by, link, kind)
            sent = items.post(who, draft, deps.clock())
        except ValueUnflagged as unflagged:
            field_error(ack, replies.value_question(unflagged.words), ids.VALUE_BLOCK)
            return
        except InvalidSetting as invalid:
            field_error(ack, invalid.message, invalid.field)
            return
        except Refused as refused:
            field_error(ack, replies.refusal(refused))
            return
        confirmation = replies.posted(sent, (*clean.warned, *(link.warned if link else ())))
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
                field_error(ack, invalid.message, invalid.field)
                return
            except Refused as refused:
                field_error(ack, replies.refusal(refused), field)
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
        link = screen(who, typed(view, ids.LINK_BLOCK, ids.LINK_INPUT), "delivered link")
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
    field = value(view, block_id, "value")
    option = field.get("selected_option") or {}
    said = option.get("value") or field.get("selected_time") or field.get("value")
    return str(said or "").strip()


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
            field_error(ack, replies.refusal(refused), "timezone")
            return
        ack(response_action="update", view=done_modal("Settings saved", replies.schedule(saved)))
