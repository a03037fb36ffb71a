"""The ticker: about once a minute, run the scheduled passes over the database.

APScheduler only keeps time here (an in-memory job store, never shared). Whether a digest
or a re-ask is owed, and whether someone already sent it, is decided by unique keys in the
database, so any number of replicas can tick at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.metrics import SCHEDULED_POSTS
from storage.services import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 60


JOBS = ("digest", "reask")
RETENTION_HOUR = 3  # UTC: the daily retention pass runs in the first tick of this hour


def run_job(services: Services, name: str, now: datetime) -> list[int]:
    """One pass of a scheduled job at `now`; the ids of the Slack posts it queued."""
    passes: dict[str, Callable[[datetime], list[int]]] = {
        "digest": services.digests.run_due,
        "reask": services.reasks.run_due,
    }
    queued = passes[name](now)
    SCHEDULED_POSTS.labels(name).inc(len(queued))
    return queued


class Ticker:
    def __init__(
        self,
        services: Services,
        clock: Callable[[], datetime],
        retention_days: int | None = None,
    ) -> None:
        self._services = services
        self._clock = clock
        self._retention_days = retention_days
        self._scheduler = BackgroundScheduler(timezone=UTC)

    def tick(self) -> None:
        now = self._clock()
        for name in JOBS:
            try:
                queued = run_job(self._services, name, now)
            except Exception:  # one failed pass must not stop the next one
                log.exception("scheduled %s pass failed", name)
                continue
            if queued:  # a pass that did nothing is not worth a line every minute
                log.info("%s pass queued %d post(s)", name, len(queued))
        try:
            self._services.receipts.prune(now)
        except Exception:
            log.exception("pruning request receipts failed")
        # Daily; a missed or repeated pass is harmless, since purging is idempotent.
        if self._retention_days and now.hour == RETENTION_HOUR and now.minute == 0:
            try:
                purged = self._services.retention.purge(self._retention_days, now)
                if purged.total:
                    log.info("retention replaced %s old texts", purged.total)
            except Exception:
                log.exception("retention pass failed")

    def start(self) -> None:
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=TICK_SECONDS,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
