"""Workspaces installing the app over OAuth, as a browser and Slack do it."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
from conftest import ADMIN, LIA_CHANNEL, MKT_CHANNEL, SECRET, Served, serve, settings_for
from cryptography.fernet import Fernet
from fake_slack import FakeSlack
from slack_requests import SlackSender
from sqlalchemy import JSON, MetaData, String, Text, select

from bot.sandbox import signed_requests as slack

KEY = Fernet.generate_key().decode()
CLIENT_ID = "1111.2222"
M1, L1 = "U_M1", "U_L1"


@dataclass(frozen=True)
class Page:
    status: int
    body: str
    headers: dict[str, str]


def get(url: str, headers: dict[str, str] | None = None) -> Page:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Page(answer.status, answer.read().decode(), dict(answer.headers))
    except HTTPError as error:
        return Page(error.code, error.read().decode(), dict(error.headers))


def oauth_settings(fake: FakeSlack, db_url: str, **overrides: Any) -> Any:
    values = {
        "slack_bot_token": None,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": "client-secret",
        "token_encryption_key": KEY,
    }
    return settings_for(fake, db_url, **{**values, **overrides})


@pytest.fixture
def oauth(fake: FakeSlack, db_url: str) -> Iterator[Served]:
    served = serve(oauth_settings(fake, db_url))
    yield served
    served.runtime.stop()


def install(app: Served, fake: FakeSlack, code: str) -> str:
    """Add to Slack from our install page, Slack sending the browser back with `code`;
    the bot token the install got."""
    page = get(app.url + "/slack/install")
    assert page.status == 200, page
    found = re.search(r"state=([\w-]+)", page.body)
    assert found is not None, page.body
    cookie = page.headers["set-cookie"].split(";")[0]
    query = urlencode({"code": code, "state": found.group(1)})
    done = get(f"{app.url}/slack/oauth_redirect?{query}", {"Cookie": cookie})
    assert done.status == 200, done
    # Bolt asks Slack who the new bot is, with the new token, once at install time.
    return str(fake.calls("auth.test")[-1].token)


def in_workspace(app: Served, team_id: str) -> SlackSender:
    return SlackSender(app.url, SECRET, team_id=team_id)


def set_up(sender: SlackSender) -> None:
    for command, user, channel in [
        ("setup marketing", ADMIN, MKT_CHANNEL),
        ("setup liaison", ADMIN, LIA_CHANNEL),
        ("join marketing", M1, MKT_CHANNEL),
        ("join liaison", L1, LIA_CHANNEL),
    ]:
        reply = sender.command("/liaison", command, user, channel)
        assert reply.status == 200 and "went wrong" not in reply.text, reply


def ready(app: Served, fake: FakeSlack, team: str, code: str = "") -> tuple[str, SlackSender]:
    """A workspace installed (the install's `code` defaults to the team's) and set up; its
    token and a way to send its requests."""
    token = install(app, fake, code or f"team={team}")
    sender = in_workspace(app, team)
    set_up(sender)
    return token, sender


def event(
    sender: SlackSender, body: dict[str, Any], event_id: str, org_wide: str | None = None
) -> None:
    """An Events API request; `org_wide`: the org whose org-wide install it is sent to."""
    envelope = json.loads(slack.event_envelope(body, event_id, sender.team_id))
    if org_wide:
        envelope["enterprise_id"] = org_wide
        envelope["authorizations"][0].update(
            enterprise_id=org_wide, team_id=None, is_enterprise_install=True
        )
    reply = sender.raw(json.dumps(envelope), slack.JSON)
    assert reply.status == 200, reply


def text_at_rest(app: Served) -> str:
    """Every text value of every table, as one string to search."""
    engine = app.runtime.db.engine
    tables = MetaData()
    tables.reflect(engine)
    seen: list[str] = []
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            columns = [c for c in table.c if isinstance(c.type, String | Text | JSON)]
            if columns:
                for row in connection.execute(select(*columns)):
                    seen += [str(value) for value in row]
    return "\n".join(seen)
