"""A Bolt request for a body parsed by us, not by Bolt (Bolt's parser takes any form body
containing the word "payload" for an interaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt import BoltContext, BoltRequest
from slack_bolt.request.internals import build_context


def bolt_request(
    raw: str,
    body: dict[str, Any],
    query: str | dict[str, Sequence[str]],
    headers: dict[str, Any],
    mode: str = "http",
) -> BoltRequest:
    # Socket Mode requests come as parsed JSON, with no raw body.
    request = BoltRequest(
        body=raw if mode == "http" else body, query=query, headers=headers, mode=mode
    )
    request.body = body
    request.context = build_context(BoltContext(), body)
    return request
