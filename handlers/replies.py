"""The private answers the app gives: confirmations, refusals and help."""

from __future__ import annotations

from datetime import datetime

from handlers.text import FALLBACK_LIMIT, clip, user, when
from storage.errors import (
    AlreadyAccepted,
    InvalidSetting,
    NoChannel,
    NoLongerOpen,
    NotFound,
    NotInTeam,
    NotYours,
    OwnOffer,
    Refused,
    UnknownTeam,
    WrongTeam,
)
from storage.views import TeamView
from storage.workspaces import WEEKDAYS, Schedule

HELP = """*Liaison Bridge* helps Marketing and Physician Liaisons work as one team.
• `/share <update>`: share a plan update with the other team.
   e.g. `/share Ortho campaign starts May 6; mailers go to 120 referring offices`
• `/ask <question>`: ask the other team; they answer with a button or in the thread.
   e.g. `/ask Which cardiology practices should we visit first this quarter?`
• `/offer <help>`: offer help; the other team takes it with Accept.
   e.g. `/offer I can pull a target list of splitter PCPs in the north territory`
• Any of the three without text opens a form.
• `/liaison join marketing` or `/liaison join liaison`: join your team.
• `/liaison leave`: leave your team.
• `/liaison teams`: who is in each team, and each team's channel.
• `/liaison setup marketing` (admins, in the team's channel): make it the team's home channel.
• `/liaison settings` (admins): digest day and time, timezone, and re-asking.
• `/liaison settings show`: the current schedule.
• `/liaison help`: this list.
Keep patient information out of Slack: no names, record numbers or dates of birth."""

JOIN_HINT = "Join your team first: `/liaison join marketing` or `/liaison join liaison`."

KIND_NOUN = {"share": "plan update", "ask": "question", "offer": "offer"}


def refusal(error: Refused) -> str:
    match error:
        case NotInTeam():
            return f"You're not in a team yet. {JOIN_HINT}"
        case UnknownTeam(key=""):
            return "Which team? `marketing` or `liaison`, e.g. `/liaison join marketing`."
        case UnknownTeam(key=key):
            return f"There is no team “{clip(key, 40)}”. The teams are `marketing` and `liaison`."
        case NoChannel(team_key=key, team_name=name):
            return (
                f"{name} has no channel yet. An admin can run `/liaison setup {key}` "
                "in the channel they use."
            )
        case NotFound(what=what):
            return f"That {what} no longer exists."
        case WrongTeam(team_name=name):
            return f"Only members of {name} can do that."
        case NotYours(author_id=author):
            return f"Only {user(author)} can do that."
        case OwnOffer():
            return "That's your own offer: someone from the other team accepts it."
        case AlreadyAccepted(by=by, at=at):
            return f"Already accepted by {user(by)} {when(at)}."
        case NoLongerOpen(what=what, status=status):
            return f"That {what} is {status}."
        case InvalidSetting(message=message):
            return message
    return "That can't be done."


def with_text(message: str, text: str) -> str:
    """A refusal that hands the user's text back, so nothing they typed is lost."""
    if not text:
        return message
    return f"{message}\nYour text, to copy:\n```{clip(text, 2500)}```"


def posted(kind: str, channel_id: str, team: str) -> str:
    return f"Your {KIND_NOUN[kind]} is on its way to {team} in <#{channel_id}>."


def joined(team: TeamView) -> str:
    where = f" Its channel is <#{team.channel_id}>." if team.channel_id else ""
    return f"You're in {team.name} now.{where}"


def left(team: TeamView) -> str:
    return f"You left {team.name}. {JOIN_HINT}"


def channel_set(team: TeamView) -> str:
    return (
        f"This channel is now the home of {team.name}: the other team's updates, questions "
        "and offers arrive here. In a private channel, add the app first: "
        "`/invite @Liaison Bridge`."
    )


def teams(views: list[TeamView]) -> str:
    lines = []
    for team in views:
        channel = f"<#{team.channel_id}>" if team.channel_id else "no channel yet"
        members = ", ".join(user(u) for u in team.members) or "nobody yet"
        lines.append(f"*{team.name}* (`{team.key}`), {channel}: {members}")
    return "\n".join(lines)


def accepted(offerer_id: str) -> str:
    return f"You accepted the offer. {user(offerer_id)} has been told."


def closed() -> str:
    return "You closed the question."


def withdrawn() -> str:
    return "You withdrew the offer."


NOT_ADMIN = (
    "Only workspace admins and owners, or people listed in LIAISON_ADMINS, can change how "
    "Liaison Bridge is set up."
)
OPEN_FAILED = "Couldn't open the form. Type the command with your text instead, e.g. `/ask …`."
SETTINGS_OPEN_FAILED = "Couldn't open the settings form. Please try `/liaison settings` again."
TROUBLE = "Something went wrong on our side and nothing was posted. Please try again."


def couldnt_check_admin(error: str) -> str:
    said = clip(error, FALLBACK_LIMIT)
    return f"Couldn't check that you're an admin (Slack said `{said}`). {NOT_ADMIN}"


def schedule(current: Schedule) -> str:
    day = WEEKDAYS[current.digest_weekday]
    return (
        f"*Weekly digest:* {day}s at {current.digest_time} ({current.timezone}), in each "
        "team's channel.\n"
        f"*Re-asking:* an unanswered question is asked again after "
        f"{current.reask_after_days} business days, at most {current.max_reasks} times; "
        "then the asker chooses to keep asking or close it."
    )


def snoozed(until: datetime) -> str:
    return f"Thanks! Reminders for this question pause until {when(until)}."


def keep_asking() -> str:
    return "We'll keep asking the other team."


def settings_saved(current: Schedule) -> str:
    return "Saved.\n" + schedule(current)
