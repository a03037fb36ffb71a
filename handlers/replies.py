"""The private answers the app gives: confirmations, refusals and help."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ContextBlock, MarkdownTextObject, SectionBlock

from handlers import ids
from handlers.blocks import Payload, button, payload
from handlers.facts import CouldNotCheck
from handlers.structure import tags
from handlers.text import clip, user, when
from storage.enums import Action, GuardPolicy, ItemKind, Role, State
from storage.errors import (
    InvalidSetting,
    NoChannel,
    NoLongerOpen,
    NotAllowed,
    NotFound,
    NotInTeam,
    Refused,
    UnknownTeam,
    ValueUnflagged,
)
from storage.guard import PhiBlocked
from storage.views import Posted, ServiceLineView, TeamView
from storage.workspaces import WEEKDAYS, Schedule

HELP = """*Liaison Bridge* helps Marketing and Physician Liaisons work as one team.
• `/share [update]`: share a plan update with the other team.
   e.g. `/share Ortho campaign starts May 6; mailers go to 120 referring offices`
• `/ask [question]`: ask the other team; they answer with a button or in the thread.
   e.g. `/ask Which cardiology practices should we visit first this quarter?`
• `/offer [help]`: offer help; the other team takes it with Accept or declines it.
   e.g. `/offer I can pull a target list of splitter PCPs in the north territory`
   Meals, gifts or sponsored events for referral sources carry a compliance flag.
• Any of the three without text opens a form.
• `/liaison join marketing` or `/liaison join liaison`: join your team.
• `/liaison leave`: leave your team.
• `/liaison teams`: who is in each team, and each team's channel.
• `/liaison setup marketing` (admins, in the team's channel): make it the team's home channel.
• `/liaison settings` (admins): digest day and time, timezone, and re-asking.
• `/liaison settings show`: the current schedule.
• `/liaison closed`: the workspace's closed days; admins add or remove one with
   `/liaison closed add 2026-12-24 Christmas Eve` or `/liaison closed remove 2026-12-24`.
• `/liaison servicelines`: the service lines items can be tagged with; admins `add NAME`
   or `remove NAME`, e.g. `/liaison servicelines add ENT`.
• `/liaison goals`: corporate goals and the team goals under them; add one or change a status.
• `/liaison search <words>`: find updates, questions, offers and answers, with links.
• `/liaison stats [30d|90d|quarter]`: questions and offers both ways, times to answer.
• App Home: your queue, with the buttons to answer, accept, deliver or close.
• `/liaison help`: this list.
Keep patient information out of Slack: no names, record numbers or dates of birth."""

JOIN_HINT = "Join your team first: `/liaison join marketing` or `/liaison join liaison`."

KIND_NOUN = {ItemKind.UPDATE: "plan update", ItemKind.QUESTION: "question", ItemKind.OFFER: "offer"}
AUTHOR_BUTTONS = {
    ItemKind.QUESTION: ("Close the question", ids.CLOSE),
    ItemKind.OFFER: ("Withdraw the offer", ids.WITHDRAW),
}


VERBS = {
    Action.SETUP: "set up the teams' channels",
    Action.SETTINGS: "change the schedule",
    Action.ADD_CLOSED_DAY: "add a closed day",
    Action.REMOVE_CLOSED_DAY: "remove a closed day",
    Action.JOIN: "join a team",
    Action.ANSWER: "answer this question",
    Action.CLOSE: "close this question",
    Action.ACCEPT: "accept this offer",
    Action.DECLINE: "decline this offer",
    Action.DELIVER: "mark this offer delivered",
    Action.WITHDRAW: "withdraw this offer",
    Action.SNOOZE: "pause this question's reminders",
    Action.KEEP_ASKING: "keep this question asked",
    Action.EXPORT: "export the audit trail",
    Action.PURGE: "purge old texts",
    Action.SEARCH: "search the items",
    Action.STATS: "see the figures",
    Action.SERVICE_LINES: "change the service lines",
    Action.CORPORATE_GOAL: "add or edit corporate goals",
    Action.TEAM_GOAL: "add or edit this team's goals",
}
STATE_SAID = {
    State.ANSWERED: "answered already",
    State.CLOSED: "closed",
    State.OFFERED: "not accepted yet",
    State.ACCEPTED: "already accepted",
    State.DECLINED: "declined",
    State.DELIVERED: "already delivered",
    State.WITHDRAWN: "withdrawn",
}


def whom(admins: tuple[str, ...]) -> str:
    """The admins who set the teams up, by name; before anyone has, a workspace admin."""
    return " or ".join(user(a) for a in admins) if admins else "a workspace admin"


def _contact(admins: tuple[str, ...]) -> str:
    return f" To ask about it, contact {whom(admins)}."


def _not_allowed(error: NotAllowed) -> str:
    if error.guest:
        return "Guest accounts can't take part in Liaison Bridge." + _contact(error.admins)
    who = []
    if Role.AUTHOR in error.who and error.author_id:
        who.append(user(error.author_id))
    if Role.RECEIVING_TEAM in error.who and error.team_name:
        who.append(f"members of {error.team_name}")
    if Role.WORKSPACE_ADMIN in error.who:
        who.append("workspace admins and owners, and the app's admins")
    verb = VERBS.get(error.action, "do that")
    return f"Only {' or '.join(who) or 'someone else'} can {verb}." + _contact(error.admins)


def _no_longer_open(error: NoLongerOpen) -> str:
    said = f"That {error.what} is {STATE_SAID.get(error.status, str(error.status))}"
    if error.by and error.at:
        said += f" ({user(error.by)}, {when(error.at)})"
    elif error.at:
        said += f" ({when(error.at)})"
    return said + "."


def refusal(error: Refused) -> str:
    match error:
        case NotInTeam():
            return f"You're not in a team yet. {JOIN_HINT}"
        case UnknownTeam(key=""):
            return "Which team? `marketing` or `liaison`, e.g. `/liaison join marketing`."
        case UnknownTeam(key=key):
            return f"There is no team “{clip(key, 40)}”. The teams are `marketing` and `liaison`."
        case NoChannel(team_key=key, team_name=name, admins=admins):
            return (
                f"{name} has no channel yet. Ask {whom(admins)} to run "
                f"`/liaison setup {key}` in the channel {name} uses."
            )
        case NotFound(what=what):
            return f"That {what} no longer exists."
        case NotAllowed():
            return _not_allowed(error)
        case NoLongerOpen():
            return _no_longer_open(error)
        case ValueUnflagged(words=words):
            return value_question(words)
        case PhiBlocked():
            return phi_field(error)
        case CouldNotCheck():
            return COULD_NOT_CHECK
        case InvalidSetting(message=message):
            return message
    return "That can't be done."


def _found(kinds: Sequence[str], cues: Sequence[str] = ()) -> str:
    said = ", ".join(kinds)
    if cues:
        said += "; near " + ", ".join(f"“{clip(cue, 30)}”" for cue in cues)
    return f"patient information ({said})"


def phi_blocked(blocked: PhiBlocked) -> str:
    """A command's private answer: what was found, never the value, and the text back with
    each identifier replaced by its kind, to fix and send again."""
    return (
        f":no_entry: Not posted: this looks like it contains {_found(blocked.kinds, blocked.cues)}."
        " Patient identifiers can't be stored or shared through Liaison Bridge; physician-level"
        " facts are fine. Your text without them, to fix and send again:\n"
        f"```{clip(blocked.redacted, 2500)}```"
    )


def phi_field(blocked: PhiBlocked) -> str:
    """The same, as a form field's error: the draft stays in the form to fix."""
    return (
        f"This looks like it contains {_found(blocked.kinds, blocked.cues)}. Nothing was "
        "posted: take the identifiers out and submit again."
    )


def phi_warning(kinds: Sequence[str]) -> str:
    return (
        f":warning: Posted, but it looks like it contains {_found(kinds)}. If it identifies a "
        "patient, please delete it."
    )


def value_question(words: tuple[str, ...]) -> str:
    quoted = ", ".join(f"“{clip(w, 40)}”" for w in words)
    return (
        f"Your offer mentions {quoted}. If it involves something of value to a referral source "
        "(meals, gifts, sponsored or paid events), tick the compliance box; otherwise remove "
        "those words."
    )


def with_text(message: str, text: str) -> str:
    """A refusal that hands the user's text back, so nothing they typed is lost."""
    if not text:
        return message
    return f"{message}\nYour text, to copy:\n```{clip(text, 2500)}```"


def posted(sent: Posted, warned: Sequence[str] = ()) -> Payload:
    """The private confirmation; the author's own buttons (Close, Withdraw) live here, not in
    the other team's channel."""
    text = f"Your {KIND_NOUN[sent.kind]} is on its way to {sent.team} in <#{sent.channel_id}>."
    if warned:
        text += "\n" + phi_warning(warned)
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if sent.item and (line := tags(sent.item)):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=line)]))
    own = AUTHOR_BUTTONS.get(sent.kind)
    if own:
        blocks.append(ActionsBlock(elements=[button(own[0], own[1], sent.item_id)]))
    return {**payload(text, blocks), "response_type": "ephemeral"}


def service_lines(lines: Sequence[ServiceLineView]) -> str:
    names = ", ".join(clip(line.name, 80) for line in lines) or "none yet"
    edit = "Admins change it with `/liaison servicelines add NAME` or `remove NAME`."
    return f"*Service lines* ({len(lines)}): {names}.\n{edit}"


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


DONE = {
    Action.ACCEPT: "You accepted the offer. {offerer} has been told.",
    Action.DECLINE: "You declined the offer. {offerer} has been told.",
    Action.DELIVER: "Marked delivered. The other side has been told.",
    Action.WITHDRAW: "You withdrew the offer.",
    Action.CLOSE: "You closed the question.",
    Action.KEEP_ASKING: "We'll keep asking the other team.",
}


def done(action: Action, offerer: str | None = None) -> str:
    return DONE[action].format(offerer=user(offerer) if offerer else "The offerer")


OPEN_FAILED = "Couldn't open the form. Type the command with your text instead, e.g. `/ask …`."
BUTTON_FORM_FAILED = "Couldn't open the form (Slack didn't answer in time). Please click again."
SETTINGS_OPEN_FAILED = "Couldn't open the settings form. Please try `/liaison settings` again."
COULD_NOT_CHECK = (
    "Slack didn't answer when Liaison Bridge checked your account, so nothing was changed. "
    "Please try again in a minute."
)
TROUBLE = "Something went wrong on our side and nothing was posted. Please try again."
MISSING_SCOPE = (
    "Liaison Bridge can't post everything it should here: Slack says the app is missing a "
    "permission. Please reinstall the app to this workspace; the posts waiting meanwhile go out "
    "as soon as it is reinstalled."
)
ALREADY_RECEIVED = "Already received: this request was handled once, so nothing more was done."


GUARD_SAID = {
    GuardPolicy.BLOCK: "messages that look like they hold patient identifiers are blocked",
    GuardPolicy.WARN: "messages that look like they hold patient identifiers are posted, "
    "and their authors warned",
}


def schedule(current: Schedule) -> str:
    day = WEEKDAYS[current.digest_weekday]
    last = (
        "the last one is also posted to the channel"
        if current.reask_broadcast
        else "none is posted to the channel"
    )
    return (
        f"*Weekly digest:* {day}s at {current.digest_time} {current.zone_name} time, in each "
        "team's channel.\n"
        f"*Business hours:* 09:00-17:00 {current.zone_name} time, Monday to Friday, except "
        "US public holidays and the workspace's closed days (`/liaison closed`).\n"
        "*Re-asking:* an unanswered question is asked again in its thread, in business "
        f"hours, after {current.reask_after_days} business days, at most "
        f"{current.max_reasks} times ({last}); then the asker chooses to keep asking or "
        "close it.\n"
        f"*Patient information:* {GUARD_SAID[current.phi_policy]}."
    )


def snoozed(until: datetime) -> str:
    return f"Thanks! Reminders for this question pause until {when(until)}."
