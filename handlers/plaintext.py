"""Slack messages as readable terminal text (for previews on the command line)."""

from __future__ import annotations

import html
import re
from typing import Any

_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_NAMED = re.compile(r"<([@#])[A-Z0-9_]+\|([^>]+)>")  # a mention or channel with its name
_LINK = re.compile(r"<(?:\bmailto:)?([^|>]+)\|([^>]+)>")
_MENTION = re.compile(r"<([@#][A-Z0-9_]+|https?://[^>]+|mailto:[^>]+)>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def inline(text: str) -> str:
    """Slack mrkdwn as plain text: dates, links and mentions spelled out, entities undone,
    and no control characters (user text must not drive a terminal)."""
    text = _DATE.sub(r"\1", text)
    text = _NAMED.sub(lambda m: m[1] + m[2].removeprefix(m[1]), text)
    text = _LINK.sub(r"\2 (\1)", text)
    text = _MENTION.sub(lambda m: m[1].removeprefix("mailto:"), text)
    return _CONTROL.sub("", html.unescape(text))


def _texts(node: Any) -> list[str]:
    """Every visible text in a block, in order, with buttons shown as [Label]."""
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    if not isinstance(node, dict):
        return []
    if node.get("type") == "button":
        return [f"[{node['text']['text']}]"]
    found = [node["text"]] if isinstance(node.get("text"), str) else []
    for key in ("text", "fields", "elements", "accessory"):
        if not isinstance(node.get(key), str):
            found += _texts(node.get(key))
    return found


def as_text(payload: dict[str, Any]) -> str:
    lines = [" ".join(_texts(block)) for block in payload.get("blocks", [])]
    return inline("\n".join(line for line in lines if line))
