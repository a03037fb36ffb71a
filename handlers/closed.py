"""`/liaison closed`: the days a workspace is closed besides the US public holidays."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from handlers.deps import Deps
from handlers.text import clip
from storage.enums import Action
from storage.errors import InvalidSetting
from storage.policy.permissions import Actor
from storage.workspaces import LABEL_LIMIT, Closed

USAGE = (
    "Use `/liaison closed add 2026-12-24 Christmas Eve` to add a closed day, "
    "`/liaison closed remove 2026-12-24` to remove it, or `/liaison closed` to list them."
)


def _day(text: str) -> date:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidSetting("day", f"Use a date like 2026-12-24. {USAGE}")


def said(day: date) -> str:
    return f"{day:%a %b} {day.day}, {day.year}"


def listed(closed: list[Closed]) -> str:
    """The closed days ahead, in words, with how to change them."""
    if not closed:
        return (
            "*Closed days:* none ahead besides US public holidays. An admin can add one: "
            "`/liaison closed add 2026-12-24 Christmas Eve`."
        )
    days = "\n".join(
        f"• {said(c.day)}" + (f" ({clip(c.label, LABEL_LIMIT)})" if c.label else "") for c in closed
    )
    return (
        "*Closed days* (besides US public holidays): no reminders, and they are not counted "
        f"as business days.\n{days}\nAdmins change them with `/liaison closed add|remove`."
    )


def closed_command(
    deps: Deps, actor: Callable[[Action], Actor], typed: str, workspace: str, now: datetime
) -> str:
    """Run `/liaison closed …` (`typed` is what follows "closed"); the private answer."""
    verb, _, rest = typed.strip().partition(" ")
    day_text, _, label = rest.strip().partition(" ")
    schedules = deps.services.schedules
    match verb.lower():
        case "" | "list":
            return listed(schedules.closed_days(workspace, now))
        case "add":
            day = _day(day_text)
            who = actor(Action.ADD_CLOSED_DAY)
            text = label.strip()
            clean = deps.services.guard.screen(who, text, now, where="closed day") if text else None
            schedules.close_day(who, day, clean, now)
            return f"{said(day)} is now a closed day.\n" + listed(
                schedules.closed_days(workspace, now)
            )
        case "remove":
            day = _day(day_text)
            schedules.reopen_day(actor(Action.REMOVE_CLOSED_DAY), day, now)
            return f"{said(day)} is no longer a closed day."
        case _:
            return USAGE
