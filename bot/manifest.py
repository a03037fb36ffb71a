"""The Slack app manifest: everything Slack needs to know, for a one-paste app creation."""

from __future__ import annotations

from typing import Any

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
SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "im:write",
    "channels:history",
    "groups:history",
]
BOT_EVENTS = ["message.channels", "message.groups"]


def manifest(base_url: str | None, *, socket_mode: bool = False) -> dict[str, Any]:
    url = (base_url or "https://your-host.example.org").rstrip("/") + "/slack/events"
    commands: list[dict[str, Any]] = []
    for command, description, hint in COMMANDS:
        entry: dict[str, Any] = {"command": command, "description": description, "usage_hint": hint}
        if not socket_mode:
            entry["url"] = url
        commands.append(entry)
    events: dict[str, Any] = {"bot_events": BOT_EVENTS}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket_mode:
        events["request_url"] = url
        interactivity["request_url"] = url
    return {
        "display_information": {
            "name": "Liaison Bridge",
            "description": "Marketing and physician liaisons, working as one team.",
            "background_color": "#1d4f91",
        },
        "features": {
            "bot_user": {"display_name": "Liaison Bridge", "always_online": True},
            "app_home": {
                "home_tab_enabled": False,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": SCOPES}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(base_url: str | None, *, socket_mode: bool = False) -> str:
    return yaml.safe_dump(manifest(base_url, socket_mode=socket_mode), sort_keys=False)
