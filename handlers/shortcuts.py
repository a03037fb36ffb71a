"""The message shortcut "Ask the other team": the ask form, opened on a message, with the
message quoted and linked so the other team sees what the question is about.

The quote is prefilled with any patient identifier already taken out (as every echo is);
nothing is stored until the form is submitted, and the submission passes the guard again.
"""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import ids, replies
from handlers.actors import workspace_of
from handlers.deps import Deps
from handlers.modals import COMPOSERS, INPUT_LIMIT, compose_modal
from handlers.text import from_slack, to_modal

Json = dict[str, Any]
QUOTE_LIMIT = 1500  # of the message's text, leaving room for the question


def quoted(text: str, permalink: str | None) -> str:
    """The message as a quote, with its link, and room below for the question."""
    lines = text[:QUOTE_LIMIT].splitlines() or [""]
    cut = "…" if len(text) > QUOTE_LIMIT else ""
    quote = "\n".join(f"> {line}" for line in lines) + cut
    about = f"About this message: {permalink}\n" if permalink else "About this message:\n"
    return (about + quote + "\n\n")[:INPUT_LIMIT]


def register(app: App, deps: Deps) -> None:
    @app.shortcut(ids.ASK_ABOUT)
    def ask_about(
        ack: Ack, context: BoltContext, shortcut: Json, client: WebClient, respond: Respond
    ) -> None:
        ack()
        message, channel = shortcut.get("message") or {}, shortcut.get("channel") or {}
        # Shown in the form as typed text; only a submitted question is stored.
        text = to_modal(deps.services.guard.redacted(from_slack(message.get("text"))))
        permalink = None
        # Without a link (Slack out of reach), the question still quotes the message.
        with contextlib.suppress(SlackApiError, OSError, KeyError):
            reply = client.chat_getPermalink(channel=channel["id"], message_ts=message["ts"])
            permalink = str(reply["permalink"])
        workspace = workspace_of(context, shortcut)
        choices = deps.services.goals.choices(workspace, deps.clock())
        view = compose_modal(COMPOSERS["ask"], quoted(text, permalink), None, choices)
        try:
            client.views_open(trigger_id=shortcut["trigger_id"], view=view)
        except (SlackApiError, OSError):
            deps.background.submit(respond, text=replies.OPEN_FAILED, response_type="ephemeral")
