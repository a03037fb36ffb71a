"""Slack listeners and the pure Block Kit builders they post."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse, Respond

from handlers import actions, commands, events, goals, replies, shortcuts, views
from handlers.deps import Deps
from handlers.text import from_slack_text

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    goals.register(app, deps)
    events.register(app, deps)
    shortcuts.register(app, deps)
    app.error(_error_handler(deps))


def _error_handler(deps: Deps) -> Callable[..., None]:
    def on_error(
        error: Exception, body: dict[str, Any], response: BoltResponse, respond: Respond
    ) -> None:
        """An unexpected failure: a private apology (with the user's text back), never a 5xx."""
        log.error("listener failed: %s", type(error).__name__, exc_info=error)
        answer: dict[str, Any] = {}
        if "command" in body:
            # Handed back as the guard would: never a patient identifier, even now.
            typed = deps.services.guard.redacted(from_slack_text(body.get("text")))
            text = replies.with_text(replies.TROUBLE, typed)
            answer = {"response_type": "ephemeral", "text": text}
        elif body.get("type") == "view_submission":
            # Keep the modal open with what was typed in it, so the user can submit again;
            # the error must name an input block this modal has.
            fields = body.get("view", {}).get("state", {}).get("values", {})
            field = next(iter(fields), None)
            if field:
                answer = {"response_action": "errors", "errors": {field: replies.TROUBLE}}
        elif body.get("type") == "block_actions" and body.get("response_url"):
            deps.background.submit(
                respond, text=replies.TROUBLE, response_type="ephemeral", replace_original=False
            )
        response.status = 200
        response.body = json.dumps(answer) if answer else ""
        response.headers["content-type"] = ["application/json;charset=utf-8"]

    return on_error
