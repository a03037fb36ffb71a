"""OAuth installs: each workspace's tokens, kept encrypted in our database by slack_sdk's
SQLAlchemy stores, and read back for Bolt's requests and for delivery without asking Slack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, String, TypeDecorator, and_, update
from sqlalchemy.engine import Dialect

from bot.manifest import REDIRECT_PATH, SCOPES
from storage.installs import InstallService

log = logging.getLogger(__name__)

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
INSTALL_PATH = "/slack/install"


def cipher(keys: str) -> MultiFernet:
    """TOKEN_ENCRYPTION_KEY's keys: the first encrypts, every one decrypts (key rotation)."""
    return MultiFernet([Fernet(key) for key in keys.split(",")])


class Sealed(TypeDecorator[str]):
    """A token column: Fernet ciphertext in the database, the token in Python."""

    impl = String
    cache_ok = False  # holds the keys, which no statement cache should key on

    def __init__(self, keys: MultiFernet, length: int) -> None:
        super().__init__(length)
        self._keys = keys

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self._keys.encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return self._keys.decrypt(value.encode()).decode()
        except InvalidToken:
            # Its key was dropped from TOKEN_ENCRYPTION_KEY: as good as no token (reinstall).
            log.error("a stored Slack token cannot be decrypted with TOKEN_ENCRYPTION_KEY")
            return None


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store with its token columns encrypted; saving an install also records
    the workspace's org and lifts a suspension of its deliveries."""

    def __init__(
        self,
        client_id: str,
        engine: Engine,
        keys: MultiFernet,
        installs: InstallService,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(client_id, engine)
        for table in (self.bots, self.installations):
            for column in table.c:
                if column.name in TOKEN_COLUMNS:
                    column.type = Sealed(keys, column.type.length)  # type: ignore[attr-defined]
        self._installs = installs
        self._clock = clock

    def save(self, installation: Installation) -> None:
        super().save(installation)
        now = self._clock()
        enterprise, team = installation.enterprise_id, installation.team_id
        if team is not None and not installation.is_enterprise_install:
            self._installs.locate(team, enterprise, now)
        self._installs.resume(self._installs.workspaces(enterprise, team), now)

    def bot_for(self, enterprise_id: str | None, team_id: str | None) -> Bot | None:
        """The workspace's own install, else its org's org-wide install."""
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id is not None:
            bot = self.find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        return bot

    def installer(self, enterprise_id: str | None, team_id: str | None) -> str | None:
        found = self.find_installation(enterprise_id=enterprise_id, team_id=team_id)
        if found is None and enterprise_id is not None:
            found = self.find_installation(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        return found.user_id if found else None

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """The app was uninstalled: every token of the install goes."""
        self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self.delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    def revoke(
        self, enterprise_id: str | None, team_id: str | None, bot: bool, users: list[str]
    ) -> None:
        """Slack revoked these tokens: the bot's, and those of these users; nothing else."""
        if bot:
            self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
            self._clear(enterprise_id, team_id, None, bot_token=None, bot_refresh_token=None)
        if users:
            self._clear(enterprise_id, team_id, users, user_token=None, user_refresh_token=None)

    def _clear(
        self, enterprise_id: str | None, team_id: str | None, users: list[str] | None, **to: Any
    ) -> None:
        c = self.installations.c
        scope = and_(
            c.client_id == self.client_id, c.enterprise_id == enterprise_id, c.team_id == team_id
        )
        if users is not None:
            scope = and_(scope, c.user_id.in_(users))
        with self.engine.begin() as connection:
            connection.execute(update(self.installations).where(scope).values(**to))


class StoredAuthorize(Authorize):
    """Bolt's identity for a request, from the install alone: no auth.test on the request
    path (Bolt's own InstallationStoreAuthorize makes one), so Slack being slow or away
    never holds a request up. None (not installed) gets Bolt's reinstall message."""

    def __init__(
        self,
        store: InstallationStore,
        installs: InstallService,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._installs = installs
        self._clock = clock
        self._located: set[tuple[str, str]] = set()  # only spares repeated writes

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult | None:
        if context.is_enterprise_install:
            bot = self._store.find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        else:
            bot = self._store.bot_for(enterprise_id, team_id)
        if bot is None or not bot.bot_token:
            return None
        if enterprise_id and team_id and (team_id, enterprise_id) not in self._located:
            # Delivery finds an org-wide install's token by the workspace's org.
            self._installs.locate(team_id, enterprise_id, self._clock())
            self._located.add((team_id, enterprise_id))
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            bot_token=bot.bot_token,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
        )


def oauth_settings(
    client_id: str, client_secret: str, store: InstallationStore, engine: Engine
) -> OAuthSettings:
    return OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=SCOPES,
        installation_store=store,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )


class WorkspaceClients:
    """The WebClient for a workspace's deliveries: its install's current token, read at
    each send (an uninstall elsewhere takes effect at once), one client kept per token."""

    def __init__(
        self,
        make_client: Callable[[str | None], WebClient],
        store: InstallationStore,
        installs: InstallService,
    ) -> None:
        self._make = make_client
        self._store = store
        self._installs = installs
        self._clients: dict[str | None, WebClient] = {}

    def __call__(self, workspace_id: str) -> WebClient:
        bot = self._store.bot_for(self._installs.enterprise_of(workspace_id), workspace_id)
        # No install: a client without a token, which Slack answers not_authed, suspending
        # the workspace until it installs.
        token = bot.bot_token if bot else None
        client = self._clients.get(token)
        if client is None:
            client = self._clients.setdefault(token, self._make(token))
        return client

    def installer(self, workspace_id: str) -> str | None:
        return self._store.installer(self._installs.enterprise_of(workspace_id), workspace_id)
