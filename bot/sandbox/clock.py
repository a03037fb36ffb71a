"""The sandbox's clock: real time plus an offset that only grows, so it can skip ahead.

The app, its delivery worker and its scheduler all read this clock, as they would read
the real one, so skipping to Monday 09:00 makes the digest fall due exactly as in
production; time keeps running from there.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from storage.calendar import Calendar, latest_digest_time
from storage.workspaces import Schedule


class SandboxClock:
    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def epoch(self) -> float:
        return self().timestamp()

    def skip_to(self, moment: datetime) -> datetime:
        """Move forward to `moment` (never back: the app's records must stay in order)."""
        with self._lock:
            now = datetime.now(UTC) + self._offset
            if moment > now:
                self._offset += moment - now
            return datetime.now(UTC) + self._offset


def next_digest(now: datetime, schedule: Schedule) -> datetime:
    """The first scheduled digest instant after `now`."""
    return latest_digest_time(
        now + timedelta(days=7), schedule.digest_weekday, schedule.clock, schedule.zone
    )


def next_reask(now: datetime, schedule: Schedule, calendar: Calendar) -> datetime:
    """When a question asked now would be asked again: the re-ask delay in business days,
    a minute on, and in business hours."""
    return calendar.next_open(calendar.after(now, schedule.reask_after_days) + timedelta(minutes=1))
