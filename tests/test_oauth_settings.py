"""OAuth's settings: the client id and secret together, and the keys tokens are encrypted
with; a mistake stops start-up with one line naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from test_settings_cli import cli

from bot.installs import cipher
from bot.settings import SettingsError, load_settings

KEY, OLD = Fernet.generate_key().decode(), Fernet.generate_key().decode()
OAUTH = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_SIGNING_SECRET": "shh",
    "TOKEN_ENCRYPTION_KEY": KEY,
}


def test_with_oauth_no_bot_token_is_needed() -> None:
    settings = load_settings(OAUTH)

    assert settings.oauth and settings.slack_bot_token is None
    assert (settings.slack_client_id, settings.slack_client_secret) == (
        "1111.2222",
        "client-secret",
    )
    assert "client-secret" not in repr(settings) and KEY not in repr(settings)


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    settings = load_settings({**OAUTH, "TOKEN_ENCRYPTION_KEY": f" {KEY} , {OLD} "})
    assert settings.token_encryption_key == f"{KEY},{OLD}"
    rotated = cipher(settings.token_encryption_key)

    sealed_before = Fernet(OLD.encode()).encrypt(b"xoxb-old")
    assert rotated.decrypt(sealed_before) == b"xoxb-old"
    assert Fernet(KEY.encode()).decrypt(rotated.encrypt(b"xoxb-new")) == b"xoxb-new"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET is not set"),
        ({"SLACK_CLIENT_ID": ""}, "SLACK_CLIENT_ID is not set"),
        ({"TOKEN_ENCRYPTION_KEY": ""}, "TOKEN_ENCRYPTION_KEY is not set"),
        ({"TOKEN_ENCRYPTION_KEY": "not-a-key"}, "TOKEN_ENCRYPTION_KEY key 1 is not a Fernet key"),
        ({"TOKEN_ENCRYPTION_KEY": f"{KEY},short"}, "TOKEN_ENCRYPTION_KEY key 2 is not"),
        ({"SLACK_BOT_TOKEN": "xoxb-1-2-abc"}, "leave SLACK_BOT_TOKEN empty"),
    ],
)
def test_oauth_settings_errors_name_the_setting(change: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({**OAUTH, **change})


def test_a_malformed_key_stops_start_up_in_one_line(tmp_path: Path) -> None:
    env = {**OAUTH, "TOKEN_ENCRYPTION_KEY": "not-a-key"}
    done = cli(tmp_path, "run", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", **env)

    assert done.returncode != 0 and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert "TOKEN_ENCRYPTION_KEY" in line and "not-a-key" not in line
