"""The Block Kit pieces every message builder uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement

Payload = dict[str, Any]


def payload(fallback: str, blocks: Sequence[Block]) -> Payload:
    """A message: its notification text and its blocks, checked by slack_sdk's to_dict()."""
    return {"text": fallback, "blocks": [b.to_dict() for b in blocks]}


def button(label: str, action_id: str, item_id: int, style: str | None = None) -> ButtonElement:
    """A button that carries an item's id."""
    return ButtonElement(text=label, action_id=action_id, value=str(item_id), style=style)
