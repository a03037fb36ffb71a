"""Who is acting: the Actor the permissions matrix reads, with only the Slack facts the
action at hand needs (most actions need none, so most requests never wait on Slack)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from handlers.deps import Deps
from storage.enums import Action
from storage.policy.permissions import Actor, Fact, needs


def workspace_of(body: dict[str, Any]) -> str:
    """The workspace a request acts in. Slash commands carry team_id; interactions carry a
    team object, or the user's team where the team is null (org-wide installs)."""
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    user = body.get("user") or {}
    return str(team or user.get("team_id") or body.get("enterprise_id") or "")


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
