"""Slash commands: /share, /ask, /offer and /liaison."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import replies
from handlers.actors import actor_for, workspace_of
from handlers.closed import closed_command, listed
from handlers.deps import Deps
from handlers.goals import goal_list
from handlers.modals import COMPOSERS, compose_modal, settings_modal
from handlers.reports import SEARCH_HELP, answer_search, stats_answer
from handlers.text import clip, from_slack, to_modal
from storage.enums import Action
from storage.errors import Refused, ValueUnflagged
from storage.guard import PhiBlocked
from storage.policy.lifecycle import CREATED
from storage.policy.permissions import Actor
from storage.reports.stats import Period
from storage.views import Draft


def register(app: App, deps: Deps) -> None:
    for kind in COMPOSERS:
        app.command(f"/{kind}")(_compose_command(deps, kind))
    app.command("/liaison")(_liaison_command(deps))


def _open(client: WebClient, trigger_id: str, view: dict[str, Any]) -> bool:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, OSError):
        return False
    return True


def _compose_command(deps: Deps, kind: str) -> Callable[..., None]:
    compose = COMPOSERS[kind]
    action = CREATED[compose.item][0]

    def form(workspace: str, text: str | None = None, note: str | None = None) -> dict[str, Any]:
        """The form, with the workspace's service lines and goals to choose from."""
        choices = deps.services.goals.choices(workspace, deps.clock())
        return compose_modal(compose, text, note, choices)

    def handle(ack: Ack, context: BoltContext, command: dict[str, Any], client: WebClient) -> None:
        text, workspace = from_slack(command.get("text")), workspace_of(context, command)
        if not text:
            if _open(client, command["trigger_id"], form(workspace)):
                ack()
            else:
                ack(replies.OPEN_FAILED)
            return
        now = deps.clock()
        try:
            actor = actor_for(deps, client, workspace, command["user_id"], action)
            clean = deps.services.guard.screen(actor, text, now)
            sent = deps.services.items.post(actor, Draft(compose.item, clean), now)
        except PhiBlocked as blocked:
            ack(replies.phi_blocked(blocked))
            return
        except ValueUnflagged as unflagged:
            # Nothing is posted until the author flags the offer or rewords it, in the form.
            question = replies.value_question(unflagged.words)
            view = form(workspace, to_modal(text), question)
            if _open(client, command["trigger_id"], view):
                ack(question)
            else:
                ack(replies.with_text(question + " Send it again with `/offer`.", text))
            return
        except Refused as refused:
            ack(replies.with_text(replies.refusal(refused), text))
            return
        ack(replies.posted(sent, clean.warned))

    handle.__name__ = f"{kind}_command"
    return handle


def _liaison_command(deps: Deps) -> Callable[..., None]:
    teams = deps.services.teams

    def handle(
        ack: Ack, context: BoltContext, command: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        # A team name is echoed in refusals: never an identifier. What is stored (a closed
        # day's label, a service line's name) goes through the guard itself.
        raw = from_slack(command.get("text"))
        typed = deps.services.guard.redacted(raw)
        sub, _, rest = typed.partition(" ")
        workspace, user, now = workspace_of(context, command), command["user_id"], deps.clock()

        def actor(action: Action) -> Actor:
            return actor_for(deps, client, workspace, user, action)

        try:
            match sub.lower():
                case "setup":
                    channel = command["channel_id"]
                    team = teams.set_channel(actor(Action.SETUP), rest, channel, now)
                    ack(replies.channel_set(team))
                case "join":
                    ack(replies.joined(teams.join(actor(Action.JOIN), rest, now)))
                case "leave":
                    ack(replies.left(teams.leave(actor(Action.LEAVE), now)))
                case "teams":
                    ack(replies.teams(teams.overview(workspace, now)))
                case "closed":
                    ack(closed_command(deps, actor, raw.partition(" ")[2], workspace, now))
                case "settings" if rest.strip().lower() == "show":
                    schedules = deps.services.schedules
                    current = schedules.get(workspace, now)
                    closed = listed(schedules.closed_days(workspace, now))
                    ack(replies.schedule(current) + "\n" + closed)
                case "settings":
                    schedules = deps.services.schedules
                    schedules.permit(actor(Action.SETTINGS))
                    closed = listed(schedules.closed_days(workspace, now))
                    view = settings_modal(schedules.get(workspace, now), closed)
                    if _open(client, command["trigger_id"], view):
                        ack()
                    else:
                        ack(replies.SETTINGS_OPEN_FAILED)
                case "servicelines" | "service-lines":
                    said = raw.partition(" ")[2].strip()
                    ack(_service_lines(deps, actor, workspace, said, rest.strip()))
                case "goals":
                    ack(goal_list(deps.services.goals.choices(workspace, now).goals))
                case "search":
                    # Matched with identifiers taken out, like every echo; never kept.
                    results = deps.services.search.search(actor(Action.SEARCH), rest, now)
                    if not results.words:
                        ack(SEARCH_HELP)
                        return
                    ack()
                    args = (client, respond, workspace, results, rest)
                    deps.background.submit(answer_search, *args)
                case "stats":
                    period = Period.parse(rest)
                    stats = deps.services.stats.report(actor(Action.STATS), period, now)
                    ack(**stats_answer(stats))
                case _:
                    ack(replies.HELP)
        except PhiBlocked as blocked:
            ack(replies.phi_blocked(blocked))
        except Refused as refused:
            ack(replies.refusal(refused))

    return handle


def _service_lines(
    deps: Deps, actor: Callable[[Action], Actor], workspace: str, raw: str, redacted: str
) -> str:
    """`/liaison servicelines [add NAME | remove NAME]`; `raw` is the text after the word."""
    lines, now = deps.services.service_lines, deps.clock()
    verb, _, name = raw.partition(" ")
    match verb.lower():
        case "":
            return replies.service_lines(lines.listing(workspace, now))
        case "add":
            who = actor(Action.SERVICE_LINES)
            added = lines.add(who, deps.services.guard.screen(who, name, now, where="name"), now)
            return f"{clip(added.name, 80)} is on the list of service lines."
        case "remove":
            removed = lines.remove(actor(Action.SERVICE_LINES), name, now)
            return f"{clip(removed.name, 80)} is off the list. Items tagged with it keep the tag."
    return replies.with_text(SERVICE_LINES_HELP, redacted)


SERVICE_LINES_HELP = (
    "Use `/liaison servicelines` to see the list, `/liaison servicelines add NAME` or "
    "`/liaison servicelines remove NAME` (admins) to change it."
)
