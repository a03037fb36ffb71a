"""Whether Slack takes our tokens: checked once at start, again in the background while
Slack cannot be reached, and the identity Bolt needs for each request."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import EXIT_SLACK, OperatorError
from handlers.permalinks import Permalinks

log = logging.getLogger(__name__)

# Slack's answers for a token it will never take; anything else may pass.
REJECTED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked"})
RETRY_SECONDS = 30.0

OK, UNREACHABLE, REJECTED_STATE, UNCHECKED = "ok", "unreachable", "rejected", "unchecked"


def rejected(setting: str, code: str, where: str) -> OperatorError:
    return OperatorError(
        EXIT_SLACK,
        f"Slack rejected {setting} ({code}): copy the current token from {where} into .env "
        "(reinstall the app if it was revoked).",
    )


class SlackLink:
    def __init__(
        self,
        client: WebClient,
        token: str | None,
        on_ok: Callable[[], object] = lambda: None,
        links: Permalinks | None = None,
    ) -> None:
        self._client = client
        self._token = token
        self._on_ok = on_ok  # Slack takes the token (again): deliveries may resume
        self._links = links or Permalinks()
        self.state = UNCHECKED
        self._bot_user_id: str | None = None
        self._bot_id: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """One auth.test; raises OperatorError if Slack refuses the bot token."""
        try:
            reply = self._client.auth_test()
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            if code in REJECTED:
                self.state = REJECTED_STATE
                where = "the app's OAuth & Permissions page"
                raise rejected("SLACK_BOT_TOKEN", code, where) from None
            self.state = UNREACHABLE  # 5xx or rate limited: Slack is there but not answering
            return False
        except OSError:  # refused, reset, DNS, timeouts (URLError and TimeoutError are OSErrors)
            self.state = UNREACHABLE
            return False
        self._bot_user_id = reply.get("user_id")
        self._bot_id = reply.get("bot_id")
        self._links.learn(reply.get("url"))  # digests link to messages through it
        self.state = OK
        self._on_ok()
        return True

    def check_app_token(self, app_token: str) -> None:
        """Socket Mode: the app-level token must open a connection."""
        try:
            self._client.apps_connections_open(app_token=app_token)
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            if code in REJECTED:
                raise rejected(
                    "SLACK_APP_TOKEN", code, "the app's Basic Information page (App-Level Tokens)"
                ) from None
            raise

    def start(self) -> None:
        """Check now; if Slack is out of reach, serve anyway and keep checking."""
        if self.check():
            return
        log.warning(
            "Slack is unreachable; serving and queueing anyway, retrying every %ds",
            RETRY_SECONDS,
        )
        self._thread = threading.Thread(target=self._retry, name="slack-check", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _retry(self) -> None:
        while not self._stop.wait(RETRY_SECONDS):
            try:
                if self.check():
                    log.info("Slack is reachable again")
                    return
            except OperatorError as error:  # the token was refused once Slack answered
                log.error("%s", error)
                return

    def authorizer(self) -> Callable[..., AuthorizeResult]:
        """Bolt's per-request identity, without an auth.test of its own on a request.

        (Bolt passes arguments by the function's parameter names, so a plain function.)
        """

        def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id,
                bot_token=self._token,
                bot_user_id=self._bot_user_id,
                bot_id=self._bot_id,
            )

        return authorize
