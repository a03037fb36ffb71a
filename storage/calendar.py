"""Business days and the weekly digest's instant, in a workspace's own timezone.

Local wall-clock times are computed on dates and then placed in the zone, so a daylight
saving change moves neither the digest's hour nor its day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SATURDAY = 5


def is_business_day(day: date) -> bool:
    return day.weekday() < SATURDAY


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def add_business_days(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The same local time `days` business days later (Saturdays and Sundays skipped)."""
    local = moment.astimezone(zone)
    day = local.date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return _at(day, local.timetz().replace(tzinfo=None), zone)


def latest_digest_time(now: datetime, weekday: int, clock: time, zone: ZoneInfo) -> datetime:
    """The most recent scheduled digest instant at or before `now`."""
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    scheduled = _at(day, clock, zone)
    if scheduled > now:
        scheduled = _at(day - timedelta(days=7), clock, zone)
    return scheduled
