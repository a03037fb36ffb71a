"""Signed Slack requests as raw HTTP bytes, built ahead of time so the client stays light."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlencode

from bench.common import SECRET, TEAM


def raw_request(port: int, body: str, content_type: str) -> bytes:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    data = body.encode()
    head = (
        "POST /slack/events HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(data)}\r\n"
        f"X-Slack-Request-Timestamp: {timestamp}\r\n"
        f"X-Slack-Signature: v0={digest.hexdigest()}\r\n"
        "\r\n"
    )
    return head.encode() + data


FORM = "application/x-www-form-urlencoded"


def command(port: int, name: str, text: str, user: str, channel: str, team: str = TEAM) -> bytes:
    body = urlencode(
        {
            "token": "x",
            "team_id": team,
            "team_domain": "bench",
            "channel_id": channel,
            "channel_name": "bench",
            "user_id": user,
            "user_name": user.lower(),
            "command": name,
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": uuid.uuid4().hex,
        }
    )
    return raw_request(port, body, FORM)


def click(
    port: int, action_id: str, value: str, user: str, response_url: str, team: str = TEAM
) -> bytes:
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": "bench"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": "A0001",
        "token": "x",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C_MKT"},
        "trigger_id": uuid.uuid4().hex,
        "channel": {"id": "C_MKT", "name": "marketing"},
        "message": {"ts": "1.1", "text": "", "type": "message"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "type": "button",
                "action_ts": "1.2",
            }
        ],
    }
    return raw_request(port, urlencode({"payload": json.dumps(payload)}), FORM)
