"""Send signed requests to the app the way Slack's servers do.

The requests are the sandbox's (bot/sandbox/signed_requests.py); this adds the defaults
tests use and ways to send them forged, stale or retried.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.sandbox import signed_requests as slack
from bot.sandbox.signed_requests import Reply, signed_headers

__all__ = ["Reply", "SlackSender", "signed_headers", "thread_reply_event"]

_DEFAULT_RESPONSE_URL = "http://127.0.0.1:9/unused"


def fresh(prefix: str) -> str:
    """A new trigger or event id: Slack never sends two requests with the same one."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def thread_reply_event(
    user: str, channel: str, thread_ts: str, text: str, ts: str
) -> dict[str, Any]:
    """A Slack ``message`` event for a reply posted in a thread."""
    return slack.message_event(user, channel, text, ts, thread_ts)


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
        return slack.send_signed(
            self.url,
            self.signing_secret,
            body,
            content_type,
            timestamp=timestamp,
            signature=signature,
            extra_headers=extra_headers,
        )

    def _payload(
        self, payload: dict[str, Any], timestamp: int | None, signature: str | None
    ) -> Reply:
        return self.raw(
            slack.interaction_form(payload), slack.FORM, timestamp=timestamp, signature=signature
        )

    def command(
        self,
        command: str,
        text: str,
        user: str,
        channel: str = "C_MKT",
        *,
        trigger_id: str | None = None,
        response_url: str = _DEFAULT_RESPONSE_URL,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Reply:
        form = slack.command_form(
            command,
            text,
            user,
            channel,
            "chan-" + channel.lower(),
            response_url=response_url,
            trigger_id=trigger_id or fresh("trig"),
            team_id=self.team_id,
        )
        return self.raw(form, slack.FORM, timestamp=timestamp, signature=signature)

    def action(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        channel: str = "C_LIA",
        message_ts: str = "1700000000.000100",
        response_url: str = _DEFAULT_RESPONSE_URL,
        trigger_id: str | None = None,
        block_id: str = "b",
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Reply:
        payload = slack.block_actions(
            user,
            {"action_id": action_id, "block_id": block_id, "value": value, "type": "button"},
            channel=channel,
            channel_name="chan-" + channel.lower(),
            message={"ts": message_ts, "text": ""},
            response_url=response_url,
            trigger_id=trigger_id or fresh("trig"),
            team_id=self.team_id,
        )
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
        view = {
            "id": view_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
        }
        payload = slack.view_submission(
            user, view, state, trigger_id=fresh("trig"), team_id=self.team_id
        )
        return self._payload(payload, timestamp, signature)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Reply:
        extra = None
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.raw(
            slack.event_envelope(event, event_id or fresh("Ev"), self.team_id),
            slack.JSON,
            timestamp=timestamp,
            signature=signature,
            extra_headers=extra,
        )
