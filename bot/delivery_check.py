"""Exactly once in Slack: every post carries its delivery id in Slack's message metadata, so
a call whose outcome is unknown (a timeout, a dropped connection, a 5xx, a process killed
mid-call) is looked for in the channel before it is made again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage.enums import REPEATABLE, DeliveryKind
from storage.outbox import Job

EVENT_TYPE = "liaison_bridge_delivery"
# Slack stamps ts with its own clock: look a little further back than our first attempt.
CLOCK_SLACK = timedelta(minutes=2)
PAGE = 200
# The app posts to a channel it has not joined (chat:write.public) but cannot read it.
UNREADABLE = frozenset({"not_in_channel", "channel_not_found"})
MAX_PAGES = 10  # 2,000 messages since the first attempt is far beyond one channel's pace


class Unverifiable(Exception):
    """The call may be in Slack but we cannot look (a DM whose channel we never learnt, a
    channel the app cannot read): it is not made again, so it is never there twice."""


def metadata(job: Job) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"delivery_id": job.id}}


def find_posted(client: WebClient, job: Job) -> tuple[str, str] | None:
    """The channel and ts of the message this row already put in Slack, if it did."""
    if job.check_since is None or job.kind in REPEATABLE:
        return None
    oldest = f"{(job.check_since - CLOCK_SLACK).timestamp():.6f}"
    if job.kind == DeliveryKind.THREAD:
        channel: str | None = job.ref_channel or job.channel
        read: Any = client.conversations_replies
        args: dict[str, Any] = {"channel": channel, "ts": job.ref_ts}
    else:
        channel = job.dm_channel if job.kind == DeliveryKind.DM else job.channel
        if not channel:
            raise Unverifiable(job.id)
        read, args = client.conversations_history, {"channel": channel}
    cursor = None
    for _ in range(MAX_PAGES):
        try:
            page = read(**args, oldest=oldest, include_all_metadata=True, limit=PAGE, cursor=cursor)
        except SlackApiError as error:
            if error.response.get("error") in UNREADABLE:
                raise Unverifiable(job.id) from None
            raise
        for message in page.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("delivery_id") == job.id:
                return str(channel), str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return None
    return None
