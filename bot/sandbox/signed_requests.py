"""The requests Slack's servers send an app, built and signed exactly as Slack does.

Slash commands are form posts; clicks and modal submissions are a form with one `payload`
field of JSON; events come in the Events API's JSON envelope. Every one carries the v0
signature of its body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.sandbox.workspace import BOT_ID, TEAM_ID

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
Json = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}

    @property
    def text(self) -> str:
        """What the user sees: a command's answer comes as plain text or as JSON."""
        if self.body.startswith("{"):
            return str(self.json().get("text", ""))
        return self.body


def signed_headers(secret: str, body: str, timestamp: int) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body`` sent at ``timestamp``."""
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def send_signed(
    url: str,
    secret: str,
    body: str,
    content_type: str,
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Reply:
    """POST `body` to the app; rejections (4xx, 5xx) are answers, not errors."""
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {"Content-Type": content_type, **signed_headers(secret, body, ts)}
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    headers.update(extra_headers or {})
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return Reply(resp.status, resp.read().decode(), dict(resp.headers.items()))
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read().decode(), dict(err.headers.items()))


def _team(team_id: str) -> dict[str, str]:
    return {"id": team_id, "domain": "example"}


def _user(user: str, team_id: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id}


def command_form(
    command: str,
    text: str,
    user: str,
    channel: str,
    channel_name: str,
    *,
    response_url: str,
    trigger_id: str,
    team_id: str = TEAM_ID,
) -> str:
    return urlencode(
        {
            "token": "dummy-verification-token",
            "team_id": team_id,
            "team_domain": "example",
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def interaction_form(payload: Json) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _interaction(kind: str, user: str, team_id: str) -> Json:
    """What every interaction payload starts with: its type, who, where, which app."""
    return {
        "type": kind,
        "team": _team(team_id),
        "user": _user(user, team_id),
        "api_app_id": "A0001",
        "token": "dummy-verification-token",
    }


def block_actions(
    user: str,
    action: Json,
    *,
    channel: str,
    channel_name: str,
    message: Json,
    response_url: str,
    trigger_id: str,
    team_id: str = TEAM_ID,
) -> Json:
    """A click on an element of a message; `action` is the element's part of `actions`."""
    return {
        **_interaction("block_actions", user, team_id),
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": bool(message.get("ephemeral")),
        },
        "trigger_id": trigger_id,
        "channel": {"id": channel, "name": channel_name},
        "message": {"type": "message", **message},
        "response_url": response_url,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }


def view_actions(
    user: str, action: Json, view: Json, trigger_id: str, team_id: str = TEAM_ID
) -> Json:
    """A click on an element of a view (App Home): no channel, message or response_url."""
    return {
        **_interaction("block_actions", user, team_id),
        "container": {"type": "view", "view_id": view.get("id", "")},
        "trigger_id": trigger_id,
        "view": {"type": "home", "team_id": team_id, "blocks": [], **view},
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }


def app_home_opened(user: str, channel: str) -> Json:
    """The event Slack sends when someone opens the app's Home tab."""
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }


def view_submission(
    user: str, view: Json, values: Json, *, trigger_id: str, team_id: str = TEAM_ID
) -> Json:
    """A modal's submit; `values` is state.values: block id -> action id -> typed value."""
    return {
        **_interaction("view_submission", user, team_id),
        "trigger_id": trigger_id,
        "view": {**view, "state": {"values": values}},
        "response_urls": [],
    }


def message_event(
    user: str, channel: str, text: str, ts: str, thread_ts: str | None, team_id: str = TEAM_ID
) -> Json:
    """A Slack ``message`` event, as message.channels delivers it."""
    event = {
        "type": "message",
        "channel_type": "channel",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "team": team_id,
    }
    return {**event, "thread_ts": thread_ts} if thread_ts else event


def event_envelope(event: Json, event_id: str, team_id: str = TEAM_ID) -> str:
    return json.dumps(
        {
            "token": "dummy-verification-token",
            "team_id": team_id,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": team_id,
                    "user_id": BOT_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
    )
