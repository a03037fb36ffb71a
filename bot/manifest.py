"""The Slack app manifest: everything Slack needs to know, for a one-paste app creation.

Checked against Slack's published schema (tests/slack_manifest_schema/). Slack needs a public
HTTPS base URL in HTTP mode and none in Socket Mode; later features (an OAuth redirect URL,
App Home events) add their entries next to the ones built from `base`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

COMMANDS = [
    ("/share", "Share a plan update with the other team", "[what the other team should know]"),
    ("/ask", "Ask the other team a question", "[your question]"),
    ("/offer", "Offer help to the other team", "[what you can help with]"),
    (
        "/liaison",
        "Teams, channels and help",
        "join marketing | join liaison | teams | setup <team> | help",
    ),
]
# Only what the code calls: chat.postMessage (also to a user id, for direct messages, so no
# im:write) and chat.update need chat:write; posting to a team's channel without joining it,
# chat:write.public; users.info (is this user an admin?), users:read; thread replies as
# answers, the history scopes of the message events, which also let a post whose outcome was
# unknown be looked for before it is resent; im:history does that for direct messages.
SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "channels:history",
    "groups:history",
    "im:history",
]
# A message shortcut; its callback_id is handlers.ids.ASK_ABOUT.
SHORTCUTS = [
    {
        "name": "Ask the other team",
        "type": "message",
        "callback_id": "ask_about_message",
        "description": "Ask the other team a question about this message, quoted and linked.",
    }
]
# Thread replies; App Home opened; an uninstall or revoked tokens, which stop what is queued.
BOT_EVENTS = [
    "message.channels",
    "message.groups",
    "app_home_opened",
    "app_uninstalled",
    "tokens_revoked",
]
EVENTS_PATH = "/slack/events"
REDIRECT_PATH = "/slack/oauth_redirect"


class ManifestError(ValueError):
    """One line saying what is wrong with the manifest's arguments."""


def public_base(url: str | None, *, socket_mode: bool) -> str | None:
    """The app's public HTTPS base URL (without /slack/events), or None in Socket Mode."""
    if socket_mode:
        if url:
            raise ManifestError("--url is for HTTP mode; Socket Mode needs no public URL.")
        return None
    if not url:
        raise ManifestError(
            "--url is required: the public HTTPS address Slack sends requests to, "
            "e.g. --url https://bridge.example.org (or use --socket-mode)."
        )
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ManifestError(
            f"--url must be an https:// address like https://bridge.example.org, not {url!r}."
        )
    path = parts.path.rstrip("/")
    path = path.removesuffix(EVENTS_PATH)  # the events URL itself is given often
    return f"https://{parts.netloc}{path}"


def manifest(base: str | None, *, oauth: bool = False) -> dict[str, Any]:
    """`base` from public_base(); None for Socket Mode. `oauth`: workspaces (and Enterprise
    Grid orgs) install the app themselves, coming back to our redirect URL."""
    socket_mode = base is None
    url = f"{base}{EVENTS_PATH}"
    commands: list[dict[str, Any]] = []
    for command, description, hint in COMMANDS:
        entry: dict[str, Any] = {"command": command, "description": description, "usage_hint": hint}
        if not socket_mode:
            entry["url"] = url
        commands.append(entry)
    events: dict[str, Any] = {"bot_events": BOT_EVENTS}
    interactivity: dict[str, Any] = {"is_enabled": True}
    oauth_config: dict[str, Any] = {"scopes": {"bot": SCOPES}}
    if not socket_mode:
        events["request_url"] = url
        interactivity["request_url"] = url
        if oauth:
            oauth_config["redirect_urls"] = [f"{base}{REDIRECT_PATH}"]
    return {
        "_metadata": {"major_version": 2},
        "display_information": {
            "name": "Liaison Bridge",
            "description": "Marketing and physician liaisons, working as one team.",
            "background_color": "#1d4f91",
        },
        "features": {
            "bot_user": {"display_name": "Liaison Bridge", "always_online": True},
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "shortcuts": SHORTCUTS,
            "slash_commands": commands,
        },
        "oauth_config": oauth_config,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": oauth,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(base: str | None, *, oauth: bool = False) -> str:
    return yaml.safe_dump(manifest(base, oauth=oauth), sort_keys=False)
