"""Is the queue of Slack calls moving? The age of its oldest pending row says so, in /healthz
and in the log: one warning when the queue turns stale, one line when it recovers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.outbox import Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueState:
    oldest_seconds: float | None  # None: nothing pending
    stale: bool

    def as_json(self) -> dict[str, object]:
        age = None if self.oldest_seconds is None else round(self.oldest_seconds, 1)
        return {"oldest_pending_seconds": age, "queue": "stale" if self.stale else "ok"}


class QueueWatch:
    def __init__(
        self, outbox: Outbox, stale_after: timedelta, clock: Callable[[], datetime]
    ) -> None:
        self._outbox = outbox
        self._stale_after = stale_after
        self._clock = clock
        self._lock = threading.Lock()
        self._stale = False

    def check(self) -> QueueState:
        oldest = self._outbox.oldest_pending()
        age = None if oldest is None else (self._clock() - oldest).total_seconds()
        stale = age is not None and age > self._stale_after.total_seconds()
        with self._lock:
            turned, self._stale = stale != self._stale, stale
        if turned and stale:
            log.warning(
                "delivery queue is stale: the oldest pending Slack call waits for %.0fs "
                "(QUEUE_STALE_SECONDS=%.0f)",
                age,
                self._stale_after.total_seconds(),
            )
        elif turned:
            log.info("delivery queue is moving again")
        return QueueState(age, stale)
