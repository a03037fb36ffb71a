"""A workspace whose token Slack refuses: its deliveries stop, it is logged once, and the
people who can fix it are told once, where Slack still lets the app reach them."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.replies import MISSING_SCOPE
from storage.installs import InstallService

log = logging.getLogger(__name__)

# The token still posts (only some other call lacks its scope); the others cannot post at all.
STILL_POSTS = frozenset({"missing_scope"})


class Suspender:
    def __init__(
        self,
        installs: InstallService,
        clients: Callable[[str], WebClient],
        installer: Callable[[str], str | None],
        admins: Iterable[str],
        fix: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._installs = installs
        self._clients = clients
        self._installer = installer
        self._admins = sorted(admins)
        self._fix = fix  # what the operator does about it, for the log line
        self._clock = clock

    def __call__(self, workspace_id: str, error: str) -> None:
        suspension = self._installs.suspend(workspace_id, error, self._clock())
        if suspension is None:
            return  # suspended already, and told then
        log.error(
            "Slack refused workspace %s's token (%s): its deliveries wait until %s",
            workspace_id,
            error,
            self._fix,
        )
        if error not in STILL_POSTS:
            return
        people = [self._installer(workspace_id), *self._admins, *suspension.contacts]
        client = self._clients(workspace_id)
        for user in dict.fromkeys(p for p in people if p):
            # Best effort: an admin from another workspace, say, is no one here.
            with contextlib.suppress(SlackApiError, OSError):
                client.chat_postMessage(channel=user, text=MISSING_SCOPE)
