"""Button clicks on questions and offers. Button values are untrusted ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import ids, replies
from handlers.deps import Deps
from handlers.modals import answer_modal
from handlers.text import parse_id
from storage.errors import NotFound, Refused


def register(app: App, deps: Deps) -> None:
    services = deps.services

    def tell(respond: Respond, text: str) -> None:
        deps.background.submit(
            respond, text=text, response_type="ephemeral", replace_original=False
        )

    def clicked(what: str, body: dict[str, Any]) -> tuple[str, int, str]:
        """The workspace, the item id the button carries, and who clicked."""
        item = parse_id(body["actions"][0].get("value"))
        if item is None:
            raise NotFound(what)
        return body["team"]["id"], item, body["user"]["id"]

    @app.action(ids.ANSWER)
    def answer(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        try:
            question = services.questions.answerable(*clicked("question", body))
        except Refused as refused:
            tell(respond, replies.refusal(refused))
            return
        try:
            client.views_open(trigger_id=body["trigger_id"], view=answer_modal(question))
        except (SlackApiError, OSError):
            tell(respond, replies.OPEN_FAILED)

    def simple(
        what: str, act: Callable[..., Any], done: Callable[[Any], str]
    ) -> Callable[..., None]:
        def handle(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            try:
                result = act(*clicked(what, body), deps.clock())
            except Refused as refused:
                tell(respond, replies.refusal(refused))
                return
            tell(respond, done(result))

        return handle

    app.action(ids.CLOSE)(simple("question", services.questions.close, lambda _: replies.closed()))
    app.action(ids.ACCEPT)(
        simple("offer", services.offers.accept, lambda offer: replies.accepted(offer.offerer_id))
    )
    app.action(ids.WORKING)(simple("question", services.reasks.working_on_it, replies.snoozed))
    app.action(ids.KEEP_ASKING)(
        simple("question", services.reasks.keep_asking, lambda _: replies.keep_asking())
    )
    app.action(ids.WITHDRAW)(
        simple("offer", services.offers.withdraw, lambda _: replies.withdrawn())
    )
