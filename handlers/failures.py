"""What Slack is answered when a listener did not finish normally.

- a request type the app has no listener for: 200 (a 404 is a failed delivery Slack retries,
  and in Socket Mode an unacknowledged one);
- a replay of a request already acted on: nothing changes; a command says so privately;
- a database connection lost under the request: the request runs once more on a fresh one;
- any other failure: an event answers 503 so that Slack sends it again (the receipt of
  anything it wrote is released first, so the retry acts); commands, clicks and submissions
  get a private apology instead, never a 5xx.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.error import BoltUnhandledRequestError

from handlers import replies
from handlers.deps import Deps
from handlers.inbound import bolt_request
from handlers.text import from_slack
from storage import receipts
from storage.db import connection_lost
from storage.receipts import Replayed

log = logging.getLogger(__name__)

RETRIED = "liaison_retried"


def again(request: BoltRequest) -> BoltRequest:
    """A fresh copy of a request, to dispatch once more: the body as first parsed."""
    copy = bolt_request(
        request.raw_body, request.body, request.query, request.headers, request.mode
    )
    copy.context[RETRIED] = True
    return copy


def error_handler(app: App, deps: Deps) -> Callable[..., None]:
    def on_error(
        error: Exception,
        body: dict[str, Any],
        request: BoltRequest,
        context: BoltContext,
        response: BoltResponse,
        respond: Respond,
    ) -> None:
        if isinstance(error, BoltUnhandledRequestError):
            _answer(response, {})  # nothing to do with it; acknowledged so it is not resent
            return
        if isinstance(error, Replayed):
            log.info("a replayed request changed nothing")
            said = {"response_type": "ephemeral", "text": replies.ALREADY_RECEIVED}
            _answer(response, said if "command" in body else {})
            return
        _release(deps)
        if connection_lost(error) and not context.get(RETRIED):
            log.warning("the database dropped the connection; serving the request once more")
            retried = app.dispatch(again(request))
            response.status, response.body = retried.status, retried.body
            response.headers = retried.headers
            return
        log.error("listener failed: %s", type(error).__name__, exc_info=error)
        if body.get("type") == "event_callback":
            response.status, response.body = 503, ""  # Slack sends the event again
            return
        _answer(response, _apology(deps, body, respond))

    return on_error


def _release(deps: Deps) -> None:
    receipt = receipts.current()
    if receipt is None or not receipt.claimed:
        return
    try:
        deps.services.receipts.release(receipt)
    except Exception as failure:  # the database may still be away; Slack's retry then waits
        log.error("could not release a failed request's receipt: %s", type(failure).__name__)


def _apology(deps: Deps, body: dict[str, Any], respond: Respond) -> dict[str, Any]:
    """A private apology (with the user's text back), never a 5xx."""
    if "command" in body:
        # Handed back as the guard would: never a patient identifier, even now.
        typed = deps.services.guard.redacted(from_slack(body.get("text")))
        return {"response_type": "ephemeral", "text": replies.with_text(replies.TROUBLE, typed)}
    view = body.get("view")
    if body.get("type") == "view_submission" and isinstance(view, dict):
        # Keep the modal open with what was typed in it, so the user can submit again;
        # the error must name an input block this modal has.
        field = next(iter(view.get("state", {}).get("values", {})), None)
        if field:
            return {"response_action": "errors", "errors": {field: replies.TROUBLE}}
    elif body.get("type") == "block_actions" and body.get("response_url"):
        deps.background.submit(
            respond, text=replies.TROUBLE, response_type="ephemeral", replace_original=False
        )
    return {}


def _answer(response: BoltResponse, answer: dict[str, Any]) -> None:
    response.status = 200
    response.body = json.dumps(answer) if answer else ""
    response.headers["content-type"] = ["application/json;charset=utf-8"]
