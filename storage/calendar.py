"""Business days and hours, and the weekly digest's instant, in a workspace's own timezone.

A business day is a weekday that is neither a US public holiday (the `holidays` package) nor
one of the workspace's own closed days; business hours are 09:00 to 17:00 on such a day.
Local wall-clock times are computed on dates and then placed in the zone, so a daylight
saving change moves neither the digest's hour nor a reminder's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ClosedDay, Workspace

SATURDAY = 5
OPENS, CLOSES = time(9), time(17)
COUNTRY = "US"


@lru_cache(maxsize=32)
def public_holidays(year: int) -> dict[date, str]:
    """The country's public holidays in `year` (observed days included), by date."""
    return dict(holidays.country_holidays(COUNTRY, years=year))


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


@dataclass(frozen=True)
class Calendar:
    """One workspace's working time: its zone, the public holidays and its closed days."""

    zone: ZoneInfo
    closed: frozenset[date] = frozenset()

    def is_business_day(self, day: date) -> bool:
        return (
            day.weekday() < SATURDAY
            and day not in public_holidays(day.year)
            and day not in self.closed
        )

    def is_open(self, moment: datetime) -> bool:
        """Whether `moment` falls in business hours."""
        local = moment.astimezone(self.zone)
        return self.is_business_day(local.date()) and OPENS <= local.time() < CLOSES

    def next_open(self, moment: datetime) -> datetime:
        """`moment` if it is in business hours, else the next business day's opening."""
        if self.is_open(moment):
            return moment
        day = moment.astimezone(self.zone).date()
        if self.is_business_day(day) and moment < _at(day, OPENS, self.zone):
            return _at(day, OPENS, self.zone)
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return _at(day, OPENS, self.zone)

    def add_business_days(self, moment: datetime, days: int) -> datetime:
        """The same local time `days` business days later."""
        local = moment.astimezone(self.zone)
        day, left = local.date(), days
        while left > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                left -= 1
        return _at(day, local.time(), self.zone)

    def after(self, moment: datetime, days: int) -> datetime:
        """`days` business days after `moment`, counted from the first business-hours moment
        at or after it: asked on Friday evening, three business days run from Monday 09:00
        to Thursday 09:00. The result is always in business hours."""
        return self.add_business_days(self.next_open(moment), days)

    def business_hours_between(self, start: datetime, end: datetime) -> timedelta:
        """The part of [start, end) that falls in business hours on business days."""
        total = timedelta(0)
        day, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        while day <= last:
            if self.is_business_day(day):
                opens, closes = _at(day, OPENS, self.zone), _at(day, CLOSES, self.zone)
                total += max(timedelta(0), min(closes, end) - max(opens, start))
            day += timedelta(days=1)
        return total


def calendars(session: Session, workspace_ids: set[str]) -> dict[str, Calendar]:
    """The calendars of these workspaces, in two queries."""
    zones = session.execute(
        select(Workspace.id, Workspace.timezone).where(Workspace.id.in_(workspace_ids))
    ).all()
    closed: dict[str, set[date]] = {ws: set() for ws, _ in zones}
    rows = session.execute(
        select(ClosedDay.workspace_id, ClosedDay.day).where(
            ClosedDay.workspace_id.in_(workspace_ids)
        )
    )
    for ws, day in rows:
        closed[ws].add(day)
    return {ws: Calendar(ZoneInfo(zone), frozenset(closed[ws])) for ws, zone in zones}


def calendar_of(session: Session, workspace_id: str) -> Calendar:
    return calendars(session, {workspace_id})[workspace_id]


def latest_digest_time(now: datetime, weekday: int, clock: time, zone: ZoneInfo) -> datetime:
    """The most recent scheduled digest instant at or before `now`."""
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    scheduled = _at(day, clock, zone)
    if scheduled > now:
        scheduled = _at(day - timedelta(days=7), clock, zone)
    return scheduled
