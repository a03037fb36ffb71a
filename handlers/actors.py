"""Who is acting: the Actor the permissions matrix reads, with only the Slack facts the
action at hand needs (most actions need none, so most requests never wait on Slack)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from handlers.deps import Deps
from storage.enums import Action
from storage.policy.permissions import Actor, Fact, needs


def workspace_of(context: BoltContext, body: dict[str, Any]) -> str:
    """The workspace a request acts in: the installation that received it, as Bolt reads it.

    Events name it in authorizations[0] (in a Slack Connect channel the envelope's team_id
    is the host's); a modal carries view.app_installed_team_id; where an org-wide install on
    Enterprise Grid sends "team": null, user.team_id. An org-wide install's events authorize
    the organisation, not a workspace: then the envelope's team_id.
    """
    user = body.get("user")
    return str(
        context.team_id
        or body.get("team_id")
        or (user.get("team_id") if isinstance(user, dict) else None)
        or context.enterprise_id
        or ""
    )


def actor_for(
    deps: Deps, client: WebClient, workspace_id: str, user_id: str, action: Action
) -> Actor:
    app_admin = user_id in deps.admins
    wanted = needs(action)
    # An app admin passes every admin check already; ask Slack only what could change it.
    if app_admin:
        wanted -= {Fact.ADMIN}
    if not wanted:
        return Actor(workspace_id, user_id, app_admin=app_admin)
    facts = deps.facts.get(client, workspace_id, user_id)
    return Actor(
        workspace_id,
        user_id,
        app_admin=app_admin,
        workspace_admin=facts.admin and Fact.ADMIN in wanted,
        guest=facts.guest and Fact.GUEST in wanted,
    )
