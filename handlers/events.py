"""Events API: a reply in a question's thread answers it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from handlers.deps import Deps


def register(app: App, deps: Deps) -> None:
    @app.event("message")
    def message(event: dict[str, Any], body: dict[str, Any]) -> None:
        thread_ts = event.get("thread_ts")
        # Only people's replies inside a thread: not our own posts, edits or other subtypes.
        if (
            not thread_ts
            or thread_ts == event.get("ts")
            or event.get("subtype")
            or event.get("bot_id")
            or not event.get("user")
            or not event.get("text", "").strip()
        ):
            return
        deps.services.questions.answer_from_thread(
            body["team_id"],
            event["channel"],
            thread_ts,
            event["user"],
            event["text"],
            event["ts"],
            deps.clock(),
        )
