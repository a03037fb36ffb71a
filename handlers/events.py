"""Events API: a reply in a question's thread answers it; opening App Home publishes it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from handlers.actors import workspace_of
from handlers.deps import Deps
from handlers.text import from_slack
from storage.guard import PhiBlocked
from storage.policy.permissions import Actor

# A plain reply, one also sent to the channel, and one with a file attached.
ANSWER_SUBTYPES = (None, "thread_broadcast", "file_share")


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(context: BoltContext, event: dict[str, Any], body: dict[str, Any]) -> None:
        # Slack sends it for the Messages tab too; only the Home tab is ours to draw.
        if event.get("tab", "home") == "home" and event.get("user"):
            deps.services.home.opened(workspace_of(context, body), event["user"], deps.clock())

    @app.event("message")
    def message(context: BoltContext, event: dict[str, Any], body: dict[str, Any]) -> None:
        thread_ts = event.get("thread_ts")
        text = from_slack(event.get("text"))
        # Only people's replies inside a thread: not our own posts, edits or deletions.
        if (
            not thread_ts
            or thread_ts == event.get("ts")
            or event.get("subtype") not in ANSWER_SUBTYPES
            or event.get("bot_id")
            or not event.get("user")
            or not text
        ):
            return
        items, guard, channel = deps.services.items, deps.services.guard, event["channel"]
        # The installation that received it: in a Slack Connect channel, not the host's.
        workspace = workspace_of(context, body)
        question = items.thread_question(workspace, channel, thread_ts)
        if question is None:
            return  # not a thread the app started: nothing is read or kept
        user, now = event["user"], deps.clock()
        actor = Actor(workspace, user, app_admin=user in deps.admins)
        try:
            clean = guard.screen(actor, text, now, where="thread reply")
        except PhiBlocked as blocked:
            guard.notice(actor, channel, blocked.kinds, now)
            return
        items.answer_from_thread(actor, question, clean, event["ts"], now)
        if clean.warned:
            guard.notice(actor, channel, clean.warned, now)
