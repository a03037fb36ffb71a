"""The types of the payload fields the listeners (and Bolt) read, checked before a request is
dispatched: a field of the wrong type ("user": "x", "actions": null) is a malformed request,
answered 400, never a listener failing halfway."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Deeper than any payload Slack sends (rich text nests about ten levels); deeper input is
# refused before anything walks it recursively.
MAX_DEPTH = 64

NONE = type(None)
STR = (str,)
OPT_STR = (str, NONE)


@dataclass(frozen=True)
class Maybe:
    """null, or the shape."""

    shape: Any


@dataclass(frozen=True)
class Each:
    """An object whose every value has the shape (modal state: block id -> action id)."""

    shape: Any


@dataclass(frozen=True)
class Needs:
    """An object that must have these keys, each of the shape given in `shape`."""

    keys: tuple[str, ...]
    shape: dict[str, Any]


OPTION = {"value": OPT_STR}
ELEMENT = {
    "value": OPT_STR,
    "selected_time": OPT_STR,
    "selected_option": Maybe(OPTION),
    "selected_options": Maybe([OPTION]),
}
# A message event's fields (other events carry objects under some of these names).
MESSAGE = {
    key: OPT_STR for key in ("subtype", "text", "user", "channel", "ts", "thread_ts", "bot_id")
}
AUTHORIZATION = {"team_id": OPT_STR, "enterprise_id": OPT_STR, "user_id": OPT_STR}
VIEW = {
    "id": OPT_STR,
    "hash": OPT_STR,
    "callback_id": OPT_STR,
    "private_metadata": OPT_STR,
    "team_id": OPT_STR,
    "app_installed_team_id": OPT_STR,
    "state": {"values": Each(Each(ELEMENT))},
}
BODY = {
    **{
        key: OPT_STR
        for key in (
            "type",
            "token",
            "team_id",
            "enterprise_id",
            "user_id",
            "channel_id",
            "command",
            "text",
            "trigger_id",
            "response_url",
            "event_id",
            "api_app_id",
        )
    },
    "team": (str, NONE, dict),
    "enterprise": Maybe({"id": OPT_STR}),
    "user": Maybe(Needs(("id",), {"id": STR, "team_id": OPT_STR})),
    "channel": Maybe({"id": OPT_STR}),
    "container": Maybe({}),
    "message": Maybe({"ts": OPT_STR}),
    "actions": [Needs(("action_id",), {"action_id": STR, "block_id": OPT_STR, "value": OPT_STR})],
    "view": Maybe(VIEW),
    "event": Needs(("type",), {"type": STR}),
    "authorizations": [AUTHORIZATION],
    "response_urls": [{"response_url": OPT_STR}],
    "is_enterprise_install": (bool, str, NONE),
}
# What each kind of request must carry for its listener to act.
REQUIRED = {
    "block_actions": ("user", "actions"),
    "view_submission": ("user", "view"),
    "event_callback": ("event",),
}
COMMAND = ("team_id", "user_id", "channel_id", "command", "trigger_id")


def too_deep(value: Any) -> bool:
    """Nesting beyond MAX_DEPTH, found without recursion."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False


def without_nul(body: dict[str, Any]) -> dict[str, Any]:
    """The body with NUL characters taken out of every string: Slack sends none, and no
    database stores one (PostgreSQL refuses it in text), in an id no more than in a text.
    Called on bodies no deeper than MAX_DEPTH."""
    cleaned: dict[str, Any] = _without_nul(body)
    return cleaned


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_without_nul(inner) for inner in value]
    return value


def problem(body: dict[str, Any]) -> str | None:
    """Why the body cannot be a request Slack sent, or None."""
    if too_deep(body):
        return "nested too deeply"
    if "command" not in body and not isinstance(body.get("type"), str):
        return "neither a command nor a typed payload"
    required = COMMAND if "command" in body else REQUIRED.get(str(body.get("type")), ())
    missing = [key for key in required if body.get(key) is None]
    if missing:
        return f"missing {missing[0]}"
    if body.get("type") == "block_actions" and not body["actions"]:
        return "no actions"
    found = _check(body, BODY, "body")
    event = body.get("event")
    if found is None and isinstance(event, dict) and event.get("type") == "message":
        found = _check(event, MESSAGE, "event")
    return found


def _check(value: Any, shape: Any, where: str) -> str | None:
    if isinstance(shape, tuple):
        return None if isinstance(value, shape) else f"{where} has the wrong type"
    if isinstance(shape, Maybe):
        return None if value is None else _check(value, shape.shape, where)
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{where} is not a list"
        return next((p for item in value if (p := _check(item, shape[0], where))), None)
    if isinstance(shape, Each):
        if not isinstance(value, dict):
            return f"{where} is not an object"
        return next((p for item in value.values() if (p := _check(item, shape.shape, where))), None)
    if isinstance(shape, Needs):
        if not isinstance(value, dict) or any(value.get(key) is None for key in shape.keys):
            return f"{where} lacks {shape.keys[0]}"
        shape = shape.shape
    if not isinstance(value, dict):
        return f"{where} is not an object"
    for key, inner in shape.items():
        if key in value and (found := _check(value[key], inner, f"{where}.{key}")):
            return found
    return None
