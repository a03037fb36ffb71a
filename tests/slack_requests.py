"""Send signed requests to the app the way Slack's servers do."""

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

_DEFAULT_RESPONSE_URL = "http://127.0.0.1:9/unused"


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


def thread_reply_event(
    user: str, channel: str, thread_ts: str, text: str, ts: str
) -> dict[str, Any]:
    """A Slack ``message`` event for a reply posted in a thread."""
    return {
        "type": "message",
        "channel_type": "channel",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "team": "T0001",
    }


class SlackSender:
    def __init__(self, base_url: str, signing_secret: str, team_id: str = "T0001") -> None:
        self.url = base_url.rstrip("/") + "/slack/events"
        self.signing_secret = signing_secret
        self.team_id = team_id

    def raw(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Reply:
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": content_type, **signed_headers(self.signing_secret, body, ts)}
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        headers.update(extra_headers or {})
        request = urllib.request.Request(
            self.url, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return Reply(resp.status, resp.read().decode(), dict(resp.headers.items()))
        except urllib.error.HTTPError as err:
            # Tests assert on rejections, so 4xx/5xx are answers, not errors.
            return Reply(err.code, err.read().decode(), dict(err.headers.items()))

    def _team(self) -> dict[str, str]:
        return {"id": self.team_id, "domain": "example"}

    def _user(self, user: str) -> dict[str, str]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id}

    def _payload(
        self, payload: dict[str, Any], timestamp: int | None, signature: str | None
    ) -> Reply:
        body = urlencode({"payload": json.dumps(payload)})
        return self.raw(
            body, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature
        )

    def command(
        self,
        command: str,
        text: str,
        user: str,
        channel: str = "C_MKT",
        *,
        trigger_id: str = "trig-1",
        response_url: str = _DEFAULT_RESPONSE_URL,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Reply:
        fields = {
            "token": "dummy-verification-token",
            "team_id": self.team_id,
            "team_domain": "example",
            "channel_id": channel,
            "channel_name": "chan-" + channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        return self.raw(
            urlencode(fields),
            "application/x-www-form-urlencoded",
            timestamp=timestamp,
            signature=signature,
        )

    def action(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        channel: str = "C_LIA",
        message_ts: str = "1700000000.000100",
        response_url: str = _DEFAULT_RESPONSE_URL,
        trigger_id: str = "trig-2",
        block_id: str = "b",
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Reply:
        payload = {
            "type": "block_actions",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": "A0001",
            "token": "dummy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": trigger_id,
            "channel": {"id": channel, "name": "chan-" + channel.lower()},
            "message": {"ts": message_ts, "text": "", "type": "message"},
            "response_url": response_url,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self._payload(payload, timestamp, signature)

    def view_submission(
        self,
        user: str,
        callback_id: str,
        values: dict[str, dict[str, str]],
        *,
        private_metadata: str = "",
        view_id: str = "V1",
        timestamp: int | None = None,
        signature: str | None = None,
        elements: dict[str, dict[str, dict[str, Any]]] | None = None,
    ) -> Reply:
        """`values` are plain text inputs; `elements` any other input's state as Slack
        sends it (block id → action id → element state)."""
        state: dict[str, dict[str, Any]] = {
            block_id: {
                action_id: {"type": "plain_text_input", "value": value}
                for action_id, value in actions.items()
            }
            for block_id, actions in values.items()
        }
        for block_id, actions in (elements or {}).items():
            state.setdefault(block_id, {}).update(actions)
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": "A0001",
            "token": "dummy-verification-token",
            "trigger_id": "trig-3",
            "view": {
                "id": view_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": state},
            },
        }
        return self._payload(payload, timestamp, signature)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str = "Ev1",
        retry_num: int | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Reply:
        envelope = {
            "token": "dummy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": self.team_id,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        extra = None
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.raw(
            json.dumps(envelope),
            "application/json",
            timestamp=timestamp,
            signature=signature,
            extra_headers=extra,
        )
