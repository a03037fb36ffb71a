"""`liaison-bridge manifest` as an operator runs it, checked against Slack's own schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from test_settings_cli import cli

from handlers import ids

SCHEMA = Path(__file__).with_name("slack_manifest_schema") / "manifest.schema.2.0.0.json"
EVENTS_URL = "https://bridge.example.org/slack/events"
SCOPES = {
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "channels:history",
    "groups:history",
    "im:history",  # a DM whose outcome was unknown is looked for before it is resent
}


def printed(tmp_path: Path, *args: str, **env: str) -> dict[str, Any]:
    done = cli(tmp_path, "manifest", *args, **env)
    assert done.returncode == 0, done.stderr
    manifest = yaml.safe_load(done.stdout)
    errors = sorted(Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(manifest), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    return dict(manifest)


def all_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


@pytest.mark.parametrize(
    "url",
    [
        "https://bridge.example.org",
        "https://bridge.example.org/",
        "https://bridge.example.org/slack/events",
        "https://bridge.example.org/slack/events/",
    ],
)
def test_manifest_for_http_is_valid_and_never_doubles_the_path(tmp_path: Path, url: str) -> None:
    manifest = printed(tmp_path, "--url", url)

    assert manifest["_metadata"] == {"major_version": 2}
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/share", "/ask", "/offer", "/liaison"}
    assert {c["url"] for c in commands.values()} == {EVENTS_URL}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "message.channels",
        "message.groups",
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert settings["event_subscriptions"]["request_url"] == EVENTS_URL
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    [shortcut] = manifest["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", ids.ASK_ABOUT)
    assert settings["interactivity"] == {"is_enabled": True, "request_url": EVENTS_URL}
    assert settings["socket_mode_enabled"] is False
    assert "redirect_urls" not in manifest["oauth_config"]
    assert settings["org_deploy_enabled"] is False


def test_with_oauth_the_manifest_names_the_redirect_url(tmp_path: Path) -> None:
    manifest = printed(tmp_path, "--url", "https://example.org/bridge/", SLACK_CLIENT_ID="1.2")

    redirect = "https://example.org/bridge/slack/oauth_redirect"
    assert manifest["oauth_config"]["redirect_urls"] == [redirect]
    # Enterprise Grid orgs may install it org-wide.
    assert manifest["settings"]["org_deploy_enabled"] is True


def test_a_path_prefix_is_kept(tmp_path: Path) -> None:
    manifest = printed(tmp_path, "--url", "https://example.org/bridge")

    url = manifest["settings"]["event_subscriptions"]["request_url"]
    assert url == "https://example.org/bridge/slack/events"


def test_manifest_for_socket_mode_has_no_urls(tmp_path: Path) -> None:
    manifest = printed(tmp_path, "--socket-mode")

    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert not all_keys(manifest) & {"url", "request_url"}
    assert len(manifest["features"]["slash_commands"]) == 4
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES


def test_the_schema_catches_a_broken_manifest() -> None:
    # The check above can fail: a URL without a scheme is what Slack's schema rejects.
    manifest = {
        "display_information": {"name": "Liaison Bridge"},
        "settings": {"event_subscriptions": {"request_url": "bridge.example.org/slack/events"}},
    }
    assert list(Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(manifest))


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ((), "--url is required"),
        (("--url", "bridge.example.org"), "https://"),
        (("--url", "http://bridge.example.org"), "https://"),
        (("--url", "https://"), "https://"),
        (("--url", "https://bridge.example.org/?x=1"), "https://"),
        (("--url", "https://bridge.example.org", "--socket-mode"), "Socket Mode"),
    ],
)
def test_manifest_refuses_what_slack_would(
    tmp_path: Path, args: tuple[str, ...], named: str
) -> None:
    done = cli(tmp_path, "manifest", *args)

    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert named in line
