"""Button clicks on questions and offers. Button values are untrusted ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import ids, replies
from handlers.actors import actor_for, workspace_of
from handlers.deps import Deps
from handlers.modals import answer_modal, decline_modal, deliver_modal, done_modal
from handlers.text import parse_id
from storage.enums import Action
from storage.errors import NotFound, Refused
from storage.policy.permissions import Actor
from storage.views import OfferView, QuestionView

Clicked = tuple[Actor, int]
Json = dict[str, Any]
NAME = "Liaison Bridge"


def register(app: App, deps: Deps) -> None:
    items = deps.services.items

    def tell(body: dict[str, Any], client: WebClient, respond: Respond, text: str) -> None:
        """A private answer to the clicker: ephemeral in the channel, or in the modal the
        button sits in (the author's confirmation after a form)."""
        if body.get("response_url"):
            deps.background.submit(
                respond, text=text, response_type="ephemeral", replace_original=False
            )
        elif (view := body.get("view")) and view.get("type") == "home":
            # The Home is redrawn by the change itself; what happened shows in a small modal.
            deps.background.submit(
                client.views_open, trigger_id=body.get("trigger_id"), view=done_modal(NAME, text)
            )
        elif view:
            deps.background.submit(
                client.views_update, view_id=view.get("id"), view=done_modal(NAME, text)
            )

    def clicked(
        what: str, action: Action, context: BoltContext, body: dict[str, Any], client: WebClient
    ) -> Clicked:
        item = parse_id(body["actions"][0].get("value"))
        if item is None:
            raise NotFound(what)
        user = body["user"]["id"]
        return actor_for(deps, client, workspace_of(context, body), user, action), item

    def with_form(
        what: str,
        action: Action,
        check: Callable[[Actor, int], Any],
        form: Callable[[Any], dict[str, Any]],
    ) -> Callable[..., None]:
        """A click that opens a form (answer, decline, deliver), checked before it opens."""

        def handle(
            ack: Ack, context: BoltContext, body: Json, client: WebClient, respond: Respond
        ) -> None:
            ack()
            try:
                actor, item = clicked(what, action, context, body, client)
                view = check(actor, item)
            except Refused as refused:
                tell(body, client, respond, replies.refusal(refused))
                return
            try:
                client.views_open(trigger_id=body["trigger_id"], view=form(view))
            except (SlackApiError, OSError):
                tell(body, client, respond, replies.BUTTON_FORM_FAILED)

        return handle

    def can(action: Action) -> Callable[[Actor, int], Any]:
        return lambda actor, item: items.can(actor, action, item)

    app.action(ids.ANSWER)(with_form("question", Action.ANSWER, can(Action.ANSWER), answer_modal))
    app.action(ids.DECLINE)(with_form("offer", Action.DECLINE, can(Action.DECLINE), decline_modal))
    app.action(ids.DELIVER)(with_form("offer", Action.DELIVER, can(Action.DELIVER), deliver_modal))

    def simple(
        what: str, action: Action, act: Callable[..., Any], done: Callable[[Any], str]
    ) -> Callable[..., None]:
        def handle(
            ack: Ack, context: BoltContext, body: Json, client: WebClient, respond: Respond
        ) -> None:
            ack()
            try:
                result = act(*clicked(what, action, context, body, client), deps.clock())
            except Refused as refused:
                tell(body, client, respond, replies.refusal(refused))
                return
            tell(body, client, respond, done(result))

        return handle

    def accepted(offer: OfferView) -> str:
        return replies.done(Action.ACCEPT, offer.offerer_id)

    def closed(_: QuestionView) -> str:
        return replies.done(Action.CLOSE)

    app.action(ids.ACCEPT)(simple("offer", Action.ACCEPT, items.accept, accepted))
    app.action(ids.CLOSE)(simple("question", Action.CLOSE, items.close, closed))
    app.action(ids.WITHDRAW)(
        simple("offer", Action.WITHDRAW, items.withdraw, lambda _: replies.done(Action.WITHDRAW))
    )
    app.action(ids.WORKING)(simple("question", Action.SNOOZE, items.snooze, replies.snoozed))
    app.action(ids.KEEP_ASKING)(
        simple(
            "question",
            Action.KEEP_ASKING,
            items.keep_asking,
            lambda _: replies.done(Action.KEEP_ASKING),
        )
    )
