"""The app uninstalled, or its tokens revoked: the tokens go, and so does the queue of
posts that could only have been sent with them."""

from __future__ import annotations

from typing import Any, Protocol

from slack_bolt import App, BoltContext

from handlers.deps import Deps


class Tokens(Protocol):
    """Where the installs' tokens are kept (OAuth installs; None with a single token)."""

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None: ...

    def revoke(
        self, enterprise_id: str | None, team_id: str | None, bot: bool, users: list[str]
    ) -> None: ...


def _install(context: BoltContext) -> tuple[str | None, str | None]:
    """The install an event is about: an org-wide install has no team of its own."""
    team = None if context.is_enterprise_install else context.team_id
    return context.enterprise_id, team


def register(app: App, deps: Deps) -> None:
    installs = deps.services.installs

    def cancel(enterprise_id: str | None, team_id: str | None, reason: str) -> None:
        workspaces = installs.workspaces(enterprise_id, team_id)
        installs.uninstalled(workspaces, reason, deps.clock())

    @app.event("app_uninstalled")
    def uninstalled(context: BoltContext) -> None:
        enterprise_id, team_id = _install(context)
        if deps.tokens is not None:
            deps.tokens.forget(enterprise_id, team_id)
        cancel(enterprise_id, team_id, "app_uninstalled")

    @app.event("tokens_revoked")
    def revoked(event: dict[str, Any], context: BoltContext) -> None:
        enterprise_id, team_id = _install(context)
        tokens = event.get("tokens") or {}
        bot, users = bool(tokens.get("bot")), list(tokens.get("oauth") or [])
        if deps.tokens is not None:
            deps.tokens.revoke(enterprise_id, team_id, bot, users)
        if bot:  # the app posts only with its bot token; a user's token is not ours to use
            cancel(enterprise_id, team_id, "tokens_revoked")
