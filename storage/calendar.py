"""Business days and the weekly digest's instant, in a workspace's own timezone.

Local wall-clock times are computed on dates and then placed in the zone, so a daylight
saving change moves neither the digest's hour nor its day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SATURDAY = 5
WORK_START, WORK_END = time(9), time(17)  # business hours, local time


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


def business_hours_between(
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    is_business_day: Callable[[date], bool] = is_business_day,
) -> timedelta:
    """The part of [start, end) that falls within 09:00-17:00 local time on business days.

    The day predicate is a parameter so that a workspace's holidays can be left out too.
    """
    total = timedelta(0)
    if end <= start:
        return total
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        if is_business_day(day):
            opens, closes = _at(day, WORK_START, zone), _at(day, WORK_END, zone)
            total += max(timedelta(0), min(closes, end) - max(opens, start))
        day += timedelta(days=1)
    return total


def latest_digest_time(now: datetime, weekday: int, clock: time, zone: ZoneInfo) -> datetime:
    """The most recent scheduled digest instant at or before `now`."""
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    scheduled = _at(day, clock, zone)
    if scheduled > now:
        scheduled = _at(day - timedelta(days=7), clock, zone)
    return scheduled
