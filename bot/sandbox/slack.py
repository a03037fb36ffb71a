"""What Slack does when a person acts: it signs a request to the app and shows the answer.

A slash command's answer, or a follow-up through its response_url, becomes a message only
its sender sees; a modal submit's answer keeps the modal open with errors, replaces it or
closes it.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from typing import Any

from bot.sandbox import signed_requests as slack
from bot.sandbox.workspace import BOT_ID, Json, Message, Workspace, dm_channel


def escape(text: str) -> str:
    """Slack escapes &, < and > in what people type before an app sees it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackStandIn:
    def __init__(self, workspace: Workspace, app_url: str, secret: str, base_url: str) -> None:
        self.workspace = workspace
        self.events_url = app_url.rstrip("/") + "/slack/events"
        self.secret = secret
        self.base_url = base_url.rstrip("/")
        self._counter = itertools.count(1)
        # Trigger and event ids must be new across restarts on the same database too: the
        # app takes a repeated one for a replay of the request it named.
        self._run = uuid.uuid4().hex[:8]
        self._responses: dict[str, tuple[str, str, str | None]] = {}  # token -> who, where
        self._lock = threading.Lock()

    # -- what people do -------------------------------------------------------
    def say(self, user: str, channel: str, text: str, thread_ts: str | None) -> None:
        """The composer: a slash command, or a message (a thread reply is an event)."""
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            self.command(user, channel, command, rest.strip(), thread_ts)
            return
        message = self.workspace.post(
            Message(self.workspace.next_ts(), channel, user, escape(text), thread_ts=thread_ts)
        )
        if not channel.startswith("D"):  # the app subscribes to channel messages only
            event = slack.message_event(user, channel, message.text, message.ts, thread_ts)
            slack.send_signed(
                self.events_url,
                self.secret,
                slack.event_envelope(event, f"Ev{self._run}{next(self._counter)}"),
                slack.JSON,
            )

    def command(
        self, user: str, channel: str, command: str, text: str, thread_ts: str | None
    ) -> None:
        form = slack.command_form(
            command,
            escape(text),
            user,
            channel,
            self.channel_name(channel),
            response_url=self._response_url(user, channel, thread_ts),
            trigger_id=self._trigger(user),
        )
        reply = slack.send_signed(self.events_url, self.secret, form, slack.FORM)
        if reply.status != 200:
            self.tell(user, channel, f"{command} failed with the error “http_{reply.status}”.")
            return
        if reply.body:
            answer = reply.json() if reply.body.startswith("{") else {"text": reply.body}
            self.respond(user, channel, thread_ts, answer)

    def click(self, user: str, channel: str, ts: str, action: Json) -> None:
        found = self.workspace.find(channel, ts)
        message = found.as_json() if found else {"ts": ts, "text": "", "blocks": []}
        payload = slack.block_actions(
            user,
            action,
            channel=channel,
            channel_name=self.channel_name(channel),
            message=message,
            response_url=self._response_url(user, channel, message.get("thread_ts")),
            trigger_id=self._trigger(user),
        )
        reply = slack.send_signed(
            self.events_url, self.secret, slack.interaction_form(payload), slack.FORM
        )
        if reply.status != 200:
            self.tell(user, channel, f"That didn't work (http_{reply.status}).")

    def home_opened(self, user: str) -> None:
        event = slack.app_home_opened(user, dm_channel(user))
        envelope = slack.event_envelope(event, f"Ev{next(self._counter)}")
        slack.send_signed(self.events_url, self.secret, envelope, slack.JSON)

    def home_click(self, user: str, action: Json) -> None:
        """A button in App Home: the container is the Home view; there is no response_url."""
        home = self.workspace.home_of(user)
        payload = slack.view_actions(user, action, home or {}, self._trigger(user))
        slack.send_signed(self.events_url, self.secret, slack.interaction_form(payload), slack.FORM)

    def submit(self, user: str, view_id: str, values: Json) -> Json:
        """Submit a modal; the answer's field errors, if any, for the page to show."""
        view = self.workspace.view(view_id)
        if view is None or view["user"] != user:
            return {}
        sent = {k: v for k, v in view.items() if k not in ("user", "kind")}
        payload = slack.view_submission(user, sent, values, trigger_id=self._trigger(user))
        reply = slack.send_signed(
            self.events_url, self.secret, slack.interaction_form(payload), slack.FORM
        )
        answer: Json = reply.json() if reply.body.startswith("{") else {}
        action = answer.get("response_action")
        if reply.status != 200:
            return {"errors": {}, "problem": f"The app answered http_{reply.status}."}
        if action == "errors":
            return {"errors": answer.get("errors", {})}
        if action == "update":
            self.workspace.replace_view(view_id, answer.get("view", {}))
        elif action == "push":
            self.workspace.open_view(answer.get("view", {}), user)
        elif action == "clear":
            self.workspace.close_modals(user)
        else:
            self.close(user, view_id)
        return {}

    def close(self, user: str, view_id: str) -> None:
        self.workspace.close_view(user, view_id)

    # -- what the app sends back ----------------------------------------------
    def response(self, token: str, body: Json) -> bool:
        """A post to a response_url the sandbox handed out."""
        with self._lock:
            target = self._responses.get(token)
        if target is None:
            return False
        user, channel, thread_ts = target
        self.respond(user, channel, thread_ts, body)
        return True

    def respond(self, user: str, channel: str, thread_ts: str | None, answer: Json) -> None:
        text, blocks = str(answer.get("text") or ""), answer.get("blocks") or []
        if not text and not blocks:
            return
        in_channel = answer.get("response_type") == "in_channel"
        self.workspace.post(
            Message(
                self.workspace.next_ts(),
                channel,
                BOT_ID,
                text,
                blocks=[b for b in blocks if isinstance(b, dict)],
                thread_ts=thread_ts,
                only_for=None if in_channel else user,
            )
        )

    def tell(self, user: str, channel: str, text: str) -> None:
        self.respond(user, channel, None, {"text": text})

    # -- bookkeeping ----------------------------------------------------------
    def channel_name(self, channel: str) -> str:
        return self.workspace.channels.get(channel, "directmessage")

    def _trigger(self, user: str) -> str:
        return f"trigger:{user}:{self._run}{next(self._counter)}"

    def _response_url(self, user: str, channel: str, thread_ts: Any) -> str:
        token = f"r{next(self._counter)}"
        with self._lock:
            self._responses[token] = (user, channel, str(thread_ts) if thread_ts else None)
        return f"{self.base_url}/response/{token}"
