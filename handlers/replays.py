"""Which requests Slack (or a replay) could send twice, and what makes two of them the same:
an event's event_id (Slack retries an event until it gets a 2xx), otherwise the request's
trigger_id (every command, click and submission has a fresh one), or a modal's id and hash.
The unit of work that first writes for the request records it (storage/receipts.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from handlers.actors import workspace_of
from handlers.deps import Deps
from storage import receipts
from storage.receipts import Receipt


def key_of(body: dict[str, Any]) -> str | None:
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return f"event:{event_id}" if isinstance(event_id, str) and event_id else None
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger:
        return f"trigger:{trigger}"
    view = body.get("view")
    if body.get("type") == "view_submission" and isinstance(view, dict) and view.get("hash"):
        return f"view:{view.get('id')}:{view['hash']}"
    return None


def remember(deps: Deps) -> Callable[..., None]:
    """Global middleware: name the request for the units of work it runs."""

    def middleware(context: BoltContext, body: dict[str, Any], next: Callable[[], None]) -> None:
        key = key_of(body)
        workspace = workspace_of(context, body)
        receipts.expect(Receipt(workspace, key[:255], deps.clock()) if key else None)
        next()

    return middleware
