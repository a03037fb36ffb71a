"""Reading what a modal's fields hold, in the shapes Slack sends them (view.state.values)."""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.text import from_modal, from_user, parse_id
from storage.errors import InvalidSetting


def value(view: dict[str, Any], block: str, action: str | None = None) -> dict[str, Any]:
    """One element's state; its action_id is its block's id unless told otherwise."""
    field = view["state"]["values"].get(block, {}).get(action or block, {})
    return field if isinstance(field, dict) else {}


def typed(view: dict[str, Any], block: str, action: str | None = None) -> str:
    """A field's raw `value`, trimmed: for what is checked rather than shown, such as a link."""
    return from_user(value(view, block, action).get("value"))


def written(view: dict[str, Any], block: str, action: str | None = None) -> str:
    """What someone wrote in a plain_text_input, in the stored form (Slack's escaping)."""
    return from_modal(value(view, block, action).get("value"))


def chosen(view: dict[str, Any], block: str) -> str | None:
    """A static_select's `selected_option` value, if one was chosen."""
    option = value(view, block).get("selected_option") or {}
    return str(option["value"]) if isinstance(option, dict) and "value" in option else None


def chosen_id(view: dict[str, Any], block: str, what: str) -> int | None:
    """A chosen option that names a row by id: untrusted, so only plain small digits."""
    picked = chosen(view, block)
    if picked is None:
        return None
    row = parse_id(picked)
    if row is None:
        raise InvalidSetting(block, f"Choose a {what} from the list.")
    return row


def picked_date(view: dict[str, Any], block: str) -> date | None:
    """A datepicker's `selected_date` (YYYY-MM-DD), if one was picked."""
    raw = value(view, block).get("selected_date")
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidSetting(block, "Pick a day with the calendar.") from None
