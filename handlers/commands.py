"""Slash commands: /share, /ask, /offer and /liaison."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import replies
from handlers.admins import admin_refusal
from handlers.deps import Deps
from handlers.modals import COMPOSERS, compose_modal, settings_modal
from handlers.text import from_slack_text
from storage.errors import Refused
from storage.views import Posted

Post = Callable[[str, str, str, datetime], Posted]


def posting(deps: Deps, kind: str) -> Post:
    """The use case behind each habit; the command and its modal share it."""
    services = deps.services
    return {
        "share": services.updates.share,
        "ask": services.questions.ask,
        "offer": services.offers.offer,
    }[kind]


def register(app: App, deps: Deps) -> None:
    for kind in COMPOSERS:
        app.command(f"/{kind}")(_compose_command(deps, kind))
    app.command("/liaison")(_liaison_command(deps))


def _compose_command(deps: Deps, kind: str) -> Callable[..., None]:
    post = posting(deps, kind)

    def handle(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        text = from_slack_text(command.get("text"))
        if not text:
            try:
                client.views_open(
                    trigger_id=command["trigger_id"], view=compose_modal(COMPOSERS[kind])
                )
            except (SlackApiError, OSError):
                ack(replies.OPEN_FAILED)
                return
            ack()
            return
        try:
            sent = post(command["team_id"], command["user_id"], text, deps.clock())
        except Refused as refused:
            ack(replies.with_text(replies.refusal(refused), text))
            return
        ack(replies.posted(kind, sent.channel_id, sent.team))

    handle.__name__ = f"{kind}_command"
    return handle


def _liaison_command(deps: Deps) -> Callable[..., None]:
    teams = deps.services.teams

    def handle(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        sub, _, rest = from_slack_text(command.get("text")).partition(" ")
        workspace, user, now = command["team_id"], command["user_id"], deps.clock()
        try:
            match sub.lower():
                case "setup":
                    denied = admin_refusal(deps, client, user)
                    if denied:
                        ack(denied)
                        return
                    team = teams.set_channel(workspace, rest, command["channel_id"], user, now)
                    ack(replies.channel_set(team))
                case "join":
                    ack(replies.joined(teams.join(workspace, user, rest, now)))
                case "leave":
                    ack(replies.left(teams.leave(workspace, user, now)))
                case "teams":
                    ack(replies.teams(teams.overview(workspace, now)))
                case "settings" if rest.strip().lower() == "show":
                    ack(replies.schedule(deps.services.schedules.get(workspace, now)))
                case "settings":
                    denied = admin_refusal(deps, client, user)
                    if denied:
                        ack(denied)
                        return
                    schedule = deps.services.schedules.get(workspace, now)
                    try:
                        client.views_open(
                            trigger_id=command["trigger_id"], view=settings_modal(schedule)
                        )
                    except (SlackApiError, OSError):
                        ack(replies.SETTINGS_OPEN_FAILED)
                        return
                    ack()
                case _:
                    ack(replies.HELP)
        except Refused as refused:
            ack(replies.refusal(refused))

    return handle
