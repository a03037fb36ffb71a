"""What only Slack knows about a user (admin, guest), asked once and kept briefly."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage.errors import Refused

log = logging.getLogger(__name__)
FACTS_TTL = 60.0  # seconds: a promotion or a new guest shows within a minute


@dataclass
class CouldNotCheck(Refused):
    """Slack could not tell us what the action needs to know about the user."""

    error: str


@dataclass(frozen=True)
class Facts:
    admin: bool
    guest: bool
    at: float


class FactCache:
    """users.info answers, kept briefly per workspace and user."""

    def __init__(self, ttl: float = FACTS_TTL) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._facts: dict[tuple[str, str], Facts] = {}

    def get(self, client: WebClient, workspace_id: str, user_id: str) -> Facts:
        key = (workspace_id, user_id)
        now = time.monotonic()
        with self._lock:
            known = self._facts.get(key)
        if known is not None and now - known.at < self._ttl:
            return known
        try:
            profile = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            code = str(error.response.get("error", "") or error.response.status_code)
            log.warning("users.info for a permission check failed: %s", code)
            raise CouldNotCheck(code) from None
        except OSError as error:
            log.warning("users.info for a permission check failed: %s", type(error).__name__)
            raise CouldNotCheck(type(error).__name__) from None
        facts = Facts(
            admin=bool(profile.get("is_admin") or profile.get("is_owner")),
            guest=bool(profile.get("is_restricted") or profile.get("is_ultra_restricted")),
            at=now,
        )
        with self._lock:
            self._facts[key] = facts
        return facts
