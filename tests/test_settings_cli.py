"""Settings from the environment, the command line as an operator runs it, and /healthz."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import Served

from bot.settings import SettingsError, load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "shh"}
SETTINGS = {
    "DATABASE_URL",
    "HOST",
    "PORT",
    "LIAISON_ADMINS",
    "DELIVERY_WORKERS",
    "LOG_LEVEL",
    "RETENTION_DAYS",
    "LOG_FORMAT",
    "XDG_DATA_HOME",
    "TOKEN_ENCRYPTION_KEY",
}
TABLES = {
    "alembic_version",
    "workspaces",
    "teams",
    "members",
    "deliveries",
    "items",
    "questions",
    "answers",
    "offers",
    "audit_log",
}


def test_defaults() -> None:
    settings = load_settings(GOOD)

    assert settings.slack_bot_token == "xoxb-1-2-abc"
    assert settings.slack_signing_secret == "shh"
    assert (
        settings.database_url
        == f"sqlite:///{Path.home()}/.local/share/liaison-bridge/liaison-bridge.db"
    )
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)
    assert settings.slack_app_token is None and not settings.socket_mode
    assert settings.slack_api_url is None
    assert settings.admins == frozenset()
    assert (settings.slack_api_timeout, settings.delivery_workers) == (10, 16)
    assert settings.queue_stale_seconds == 300


def test_every_setting_is_read() -> None:
    settings = load_settings(
        {
            **GOOD,
            "DATABASE_URL": "postgresql://u:p@db:5432/bridge",
            "HOST": "127.0.0.1",
            "PORT": "8080",
            "SLACK_API_TIMEOUT": "3",
            "DELIVERY_WORKERS": "8",
            "QUEUE_STALE_SECONDS": "120",
        }
    )

    assert settings.database_url == "postgresql://u:p@db:5432/bridge"
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert (settings.slack_api_timeout, settings.delivery_workers) == (3, 8)
    assert settings.queue_stale_seconds == 120


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "   "}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN"),
        ({"SLACK_API_URL": "ftp://slack.com/api/"}, "SLACK_API_URL"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"SLACK_API_URL": "https://"}, "SLACK_API_URL"),
        ({"DATABASE_URL": "garbage"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///liaison-bridge.db"}, "DATABASE_URL"),
        ({"PORT": "abc"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"PORT": "0"}, "PORT"),
        ({"PORT": "-1"}, "PORT"),
        ({"SLACK_API_TIMEOUT": "0"}, "SLACK_API_TIMEOUT"),
        ({"SLACK_API_TIMEOUT": "soon"}, "SLACK_API_TIMEOUT"),
        ({"SLACK_API_TIMEOUT": "2.5"}, "SLACK_API_TIMEOUT"),
        ({"DELIVERY_WORKERS": "0"}, "DELIVERY_WORKERS"),
        ({"DELIVERY_WORKERS": "100"}, "DELIVERY_WORKERS"),
        ({"QUEUE_STALE_SECONDS": "5"}, "QUEUE_STALE_SECONDS"),
    ],
)
def test_a_bad_or_missing_setting_is_named(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({**GOOD, **env})

    message = str(error.value)
    assert message.startswith(name), message
    assert "\n" not in message


def test_the_default_database_follows_xdg_data_home() -> None:
    settings = load_settings({**GOOD, "XDG_DATA_HOME": "/srv/data"})

    assert settings.database_url == "sqlite:////srv/data/liaison-bridge/liaison-bridge.db"


def test_missing_bot_token_is_named_even_with_nothing_else_set() -> None:
    with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN is not set"):
        load_settings({})


@pytest.mark.parametrize(("name", "value"), [("PORT", "8080.9"), ("DELIVERY_WORKERS", "2.5")])
def test_a_fractional_whole_number_setting_is_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{name}"):
        load_settings({**GOOD, name: value})


def test_the_signing_secret_is_optional_in_socket_mode() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A-b"})

    assert settings.socket_mode
    assert settings.slack_app_token == "xapp-1-A-b"
    assert settings.slack_signing_secret == ""


@pytest.mark.parametrize(
    ("raw", "admins"),
    [
        ("", frozenset()),
        ("U1", frozenset({"U1"})),
        (" U1, U2 ,,U3 , ", frozenset({"U1", "U2", "U3"})),
        ("U1,U1", frozenset({"U1"})),
    ],
)
def test_liaison_admins_is_a_comma_separated_list(raw: str, admins: frozenset[str]) -> None:
    assert load_settings({**GOOD, "LIAISON_ADMINS": raw}).admins == admins


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("http://127.0.0.1:9000/api", "http://127.0.0.1:9000/api/"),
        ("https://slack-gov.com/api/", "https://slack-gov.com/api/"),
        ("  https://slack.com/api//  ", "https://slack.com/api/"),
    ],
)
def test_slack_api_url_ends_with_one_slash(raw: str, url: str) -> None:
    assert load_settings({**GOOD, "SLACK_API_URL": raw}).slack_api_url == url


# -- the command line ---------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and k not in SETTINGS}
    env.update(extra)
    return env


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_run_without_a_token_says_so_in_one_line(tmp_path: Path) -> None:
    done = cli(tmp_path, "run")

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert "SLACK_BOT_TOKEN" in line
    assert done.stdout == ""


def test_run_reads_dotenv_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-from-dotenv\nSLACK_SIGNING_SECRET=shh\nPORT=abc\n"
    )

    done = cli(tmp_path, "run")

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert "PORT" in line and "SLACK_BOT_TOKEN" not in line


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        found = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in found}


def test_db_upgrade_creates_the_tables_and_can_run_again(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    url = f"sqlite:///{path}"

    first = cli(tmp_path, "db", "upgrade", DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    assert "up to date" in first.stdout
    assert tables(path) >= TABLES

    second = cli(tmp_path, "db", "upgrade", DATABASE_URL=url)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert tables(path) >= TABLES
    with sqlite3.connect(path) as connection:
        assert len(connection.execute("SELECT * FROM alembic_version").fetchall()) == 1


def test_commands_from_any_folder_share_the_default_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    upgraded = cli(tmp_path / "a", "db", "upgrade", XDG_DATA_HOME=str(data))
    preview = cli(tmp_path / "b", "digest", "preview", XDG_DATA_HOME=str(data))

    path = data / "liaison-bridge" / "liaison-bridge.db"
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database sqlite:///{path}" in upgraded.stderr  # announced, in one line
    assert tables(path) >= TABLES
    # The same, migrated database: no workspace yet, rather than "no schema" (exit 3).
    assert preview.returncode == 2, preview.stderr
    assert "none yet" in preview.stderr


def test_db_upgrade_names_a_malformed_database_url(tmp_path: Path) -> None:
    done = cli(tmp_path, "db", "upgrade", DATABASE_URL="garbage")

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "DATABASE_URL" in done.stderr


def test_the_installed_command_has_help(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "liaison-bridge"
    done = subprocess.run(
        [str(script), "--help"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 0, done.stderr
    assert "usage: liaison-bridge" in done.stdout
    for command in ("run", "db", "manifest"):
        assert command in done.stdout


# -- serving ------------------------------------------------------------------------------


def test_healthz_answers_ok(app: Served) -> None:
    with urllib.request.urlopen(f"{app.url}/healthz", timeout=10) as response:
        status = response.status
        content_type = response.headers["Content-Type"]
        body = json.loads(response.read())

    assert status == 200
    assert content_type.startswith("application/json")
    assert body["ok"] is True
    assert body["pending_deliveries"] == 0
