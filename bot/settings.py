"""Typed settings from the environment (and .env, loaded once by the command line)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlparse

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SECRETS = (
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "slack_client_secret",
    "token_encryption_key",
)
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """One line naming the setting and how to fix it."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None  # None when workspaces install the app over OAuth
    slack_signing_secret: str
    database_url: str
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    host: str = "0.0.0.0"
    port: int = 3000
    admins: frozenset[str] = frozenset()
    slack_api_timeout: int = 10  # seconds
    delivery_workers: int = 16
    queue_stale_seconds: int = 300  # /healthz and the log call the queue stale past this age
    scheduler_enabled: bool = True
    retention_days: int | None = None  # None: texts are kept
    mrn_pattern: re.Pattern[str] | None = None  # the hospital's own MRN format
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    token_encryption_key: str | None = None  # Fernet keys, comma-separated, newest first

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def oauth(self) -> bool:
        """Several workspaces install the app themselves; each has its own token."""
        return self.slack_client_id is not None

    def __repr__(self) -> str:
        # Settings end up in logs and tracebacks: never with their secrets.
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in SECRETS:
            if shown[name]:
                shown[name] = "***"
        shown["database_url"] = masked(self.database_url)
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


def masked(url: str) -> str:
    """A database URL fit to print: its password replaced by ***."""
    return make_url(url).render_as_string(hide_password=True)


def default_database_url(env: Mapping[str, str]) -> str:
    """SQLite at a stable per-user path, so a command run from another folder finds the same
    data instead of silently creating an empty database there."""
    data_home = env.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(data_home) / 'liaison-bridge' / 'liaison-bridge.db'}"


def _required(env: Mapping[str, str], name: str, prefix: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set: put the {what} in .env (see .env.example).")
    if not value.startswith(prefix):
        raise SettingsError(f"{name} should be the {what}, which starts with '{prefix}'.")
    return value


def _whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    problem = SettingsError(f"{name} must be a whole number from {low} to {high}, not {raw!r}.")
    try:
        value = int(raw)
    except ValueError:
        raise problem from None
    if not low <= value <= high:
        raise problem
    return value


def database_url(env: Mapping[str, str]) -> str:
    url = env.get("DATABASE_URL", "").strip() or default_database_url(env)
    try:
        make_url(url)
    except ArgumentError:
        raise SettingsError(
            "DATABASE_URL is not a database URL: use e.g. sqlite:////var/lib/bridge.db or "
            "postgresql://user:password@host:5432/dbname."
        ) from None
    # A relative file would depend on the folder the command happens to run in.
    path = _sqlite_file(url)
    if path and not Path(path).is_absolute():
        raise SettingsError(
            f"DATABASE_URL must name an absolute SQLite path (sqlite:////path/to/file.db), "
            f"not the relative {path!r}."
        )
    return url


def _sqlite_file(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return parsed.database
    return None


def make_database_folder(url: str) -> None:
    """SQLite creates its file but not the folders above it."""
    if path := _sqlite_file(url):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def log_format(env: Mapping[str, str]) -> str:
    value = env.get("LOG_FORMAT", "").strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise SettingsError(f"LOG_FORMAT must be text or json, not {value!r}.")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}.")


def oauth_client(env: Mapping[str, str]) -> tuple[str, str] | None:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: both (OAuth installs) or neither."""
    client_id = env.get("SLACK_CLIENT_ID", "").strip()
    secret = env.get("SLACK_CLIENT_SECRET", "").strip()
    if not client_id and not secret:
        return None
    if not client_id or not secret:
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        raise SettingsError(
            f"{missing} is not set: OAuth installs need both SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET, from the app's Basic Information page."
        )
    if env.get("SLACK_BOT_TOKEN", "").strip():
        raise SettingsError(
            "SLACK_BOT_TOKEN is set along with SLACK_CLIENT_ID: with OAuth each workspace's "
            "token comes from its install, so leave SLACK_BOT_TOKEN empty."
        )
    return client_id, secret


def encryption_keys(env: Mapping[str, str]) -> str:
    """TOKEN_ENCRYPTION_KEY: Fernet keys, comma-separated; the first encrypts, all decrypt."""
    raw = env.get("TOKEN_ENCRYPTION_KEY", "").strip()
    how = (
        "make one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'"
    )
    if not raw:
        raise SettingsError(f"TOKEN_ENCRYPTION_KEY is not set: OAuth installs need it; {how}.")
    keys = [key.strip() for key in raw.split(",")]
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise SettingsError(
                f"TOKEN_ENCRYPTION_KEY key {position} is not a Fernet key (32 url-safe base64 "
                f"bytes); {how}."
            ) from None
    return ",".join(keys)


def load_settings(env: Mapping[str, str]) -> Settings:
    client = oauth_client(env)
    token = (
        None
        if client
        else _required(env, "SLACK_BOT_TOKEN", "xoxb-", "bot token from the app's OAuth page")
    )
    app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
    if app_token:
        _required(env, "SLACK_APP_TOKEN", "xapp-", "app-level token for Socket Mode")
    secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    if not secret and not app_token:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is not set: copy it from the app's Basic Information page "
            "into .env (see .env.example)."
        )

    api_url = env.get("SLACK_API_URL", "").strip() or None
    if api_url:
        parsed = urlparse(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise SettingsError(
                f"SLACK_API_URL must be a URL like https://slack.com/api/, not {api_url!r}."
            )
        api_url = api_url.rstrip("/") + "/"

    return Settings(
        slack_bot_token=token,
        slack_signing_secret=secret,
        slack_app_token=app_token,
        slack_api_url=api_url,
        database_url=database_url(env),
        host=env.get("HOST", "").strip() or "0.0.0.0",
        port=_whole(env, "PORT", 3000, 1, 65535),
        admins=frozenset(u.strip() for u in env.get("LIAISON_ADMINS", "").split(",") if u.strip()),
        slack_api_timeout=_whole(env, "SLACK_API_TIMEOUT", 10, 1, 60),
        delivery_workers=_whole(env, "DELIVERY_WORKERS", 16, 1, 64),
        queue_stale_seconds=_whole(env, "QUEUE_STALE_SECONDS", 300, 10, 86400),
        scheduler_enabled=_flag(env, "SCHEDULER_ENABLED", True),
        retention_days=retention_days(env),
        mrn_pattern=mrn_pattern(env),
        slack_client_id=client[0] if client else None,
        slack_client_secret=client[1] if client else None,
        token_encryption_key=encryption_keys(env) if client else None,
    )


def mrn_pattern(env: Mapping[str, str]) -> re.Pattern[str] | None:
    """PHI_MRN_PATTERN: a regular expression for the hospital's medical record numbers."""
    raw = env.get("PHI_MRN_PATTERN", "").strip()
    if not raw:
        return None
    try:
        pattern = re.compile(raw)
    except re.error as error:
        raise SettingsError(f"PHI_MRN_PATTERN is not a regular expression ({error}).") from None
    if pattern.search(""):
        raise SettingsError("PHI_MRN_PATTERN matches empty text: it must match an MRN itself.")
    return pattern


def retention_days(env: Mapping[str, str]) -> int | None:
    """RETENTION_DAYS: off when empty or 0; otherwise how many days texts are kept."""
    days = _whole(env, "RETENTION_DAYS", 0, 0, 36500)
    return days or None
