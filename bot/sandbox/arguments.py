"""How Web API arguments arrive: slack_sdk sends some methods a form, others JSON."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qs

# Form-encoded Web API arguments that carry JSON documents inside a string.
_JSON_FORM_KEYS = ("blocks", "attachments", "view", "metadata")


def parse_api_body(raw: str, content_type: str, query: str = "") -> dict[str, Any]:
    """A Web API call's arguments, whether slack_sdk sent them as a form or as JSON."""
    body: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not raw:
        return body
    if "application/json" in content_type:
        parsed = json.loads(raw)
        body.update(parsed if isinstance(parsed, dict) else {"_": parsed})
        return body
    for key, values in parse_qs(raw, keep_blank_values=True).items():
        value: Any = values[-1]
        if key in _JSON_FORM_KEYS:
            # Keep the string if it isn't JSON: a caller may be sending malformed input.
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        body[key] = value
    return body
