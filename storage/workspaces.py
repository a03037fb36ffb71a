"""Each workspace's schedule: when the digest goes out, how questions are re-asked, and the
days it is closed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from storage.calendar import Calendar, calendar_of
from storage.enums import Action, GuardPolicy
from storage.errors import InvalidSetting
from storage.guard import Text
from storage.models import ClosedDay, Workspace
from storage.policy.permissions import Actor
from storage.teams import ensure_workspace
from storage.uow import Database

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The zones offered in the settings, US first, in words; any IANA name is still accepted.
ZONES = {
    "America/New_York": "Eastern (New York)",
    "America/Chicago": "Central (Chicago)",
    "America/Denver": "Mountain (Denver)",
    "America/Phoenix": "Arizona (Phoenix)",
    "America/Los_Angeles": "Pacific (Los Angeles)",
    "America/Anchorage": "Alaska (Anchorage)",
    "Pacific/Honolulu": "Hawaii (Honolulu)",
    "America/Puerto_Rico": "Atlantic (Puerto Rico)",
    "America/Toronto": "Eastern Canada (Toronto)",
    "Europe/London": "UK (London)",
    "Europe/Paris": "Central Europe (Paris)",
    "Asia/Kolkata": "India (Kolkata)",
    "Australia/Sydney": "Australia East (Sydney)",
    "UTC": "UTC",
}
LABEL_LIMIT = 80  # a closed day's label, as stored


@dataclass(frozen=True)
class Schedule:
    digest_weekday: int = 0
    digest_time: str = "09:00"
    timezone: str = "America/New_York"
    reask_after_days: int = 3
    max_reasks: int = 2
    phi_policy: GuardPolicy = GuardPolicy.BLOCK  # not the schedule, but set in the same form
    reask_broadcast: bool = True  # the last round also goes to the channel

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def zone_name(self) -> str:
        """The zone in words, e.g. "Eastern (New York)"; any other zone by its IANA name."""
        return ZONES.get(self.timezone, self.timezone)

    @property
    def clock(self) -> time:
        return time.fromisoformat(self.digest_time)

    @classmethod
    def of(cls, workspace: Workspace) -> Schedule:
        return cls(
            workspace.digest_weekday,
            workspace.digest_time,
            workspace.timezone,
            workspace.reask_after_days,
            workspace.max_reasks,
            GuardPolicy(workspace.phi_policy),
            workspace.reask_broadcast,
        )


def validate(schedule: Schedule) -> Schedule:
    """The schedule, or InvalidSetting naming the first field that is wrong."""
    if not 0 <= schedule.digest_weekday <= 6:
        raise InvalidSetting("digest_weekday", "Pick a day of the week.")
    try:
        clock = time.fromisoformat(schedule.digest_time)
    except ValueError:
        raise InvalidSetting("digest_time", "Use a time like 09:00.") from None
    try:
        ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSetting("timezone", "Pick a timezone from the list.") from None
    if not 1 <= schedule.reask_after_days <= 30:
        raise InvalidSetting("reask_after_days", "Use a number of business days from 1 to 30.")
    if not 0 <= schedule.max_reasks <= 10:
        raise InvalidSetting("max_reasks", "Use a number from 0 to 10.")
    if schedule.phi_policy not in set(GuardPolicy):
        raise InvalidSetting("phi_policy", "Choose block or warn.")
    return replace(
        schedule, digest_time=clock.strftime("%H:%M"), phi_policy=GuardPolicy(schedule.phi_policy)
    )


@dataclass(frozen=True)
class Closed:
    day: date
    label: str


class ScheduleService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def workspaces(self) -> list[str]:
        with self._db.unit_of_work() as uow:
            return list(uow.session.scalars(select(Workspace.id).order_by(Workspace.id)))

    def get(self, workspace_id: str, now: datetime) -> Schedule:
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            return Schedule.of(uow.session.get_one(Workspace, workspace_id))

    def calendar(self, workspace_id: str, now: datetime) -> Calendar:
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            return calendar_of(uow.session, workspace_id)

    def permit(self, actor: Actor) -> None:
        """Refuse now, before the settings form opens, anyone who could not save it."""
        with self._db.unit_of_work() as uow:
            uow.permit(actor, Action.SETTINGS, None)

    def update(self, actor: Actor, schedule: Schedule, now: datetime) -> Schedule:
        with self._db.unit_of_work() as uow:
            uow.act(actor, Action.SETTINGS, None, now)
            clean = validate(schedule)
            ensure_workspace(uow.session, actor.workspace_id, now)
            workspace = uow.session.get_one(Workspace, actor.workspace_id)
            workspace.digest_weekday = clean.digest_weekday
            workspace.digest_time = clean.digest_time
            workspace.timezone = clean.timezone
            workspace.reask_after_days = clean.reask_after_days
            workspace.max_reasks = clean.max_reasks
            workspace.phi_policy = clean.phi_policy
            workspace.reask_broadcast = clean.reask_broadcast
            return clean

    def closed_days(self, workspace_id: str, now: datetime) -> list[Closed]:
        """The workspace's closed days from today on (in its own zone), soonest first."""
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            today = now.astimezone(calendar_of(uow.session, workspace_id).zone).date()
            rows = uow.session.scalars(
                select(ClosedDay)
                .where(ClosedDay.workspace_id == workspace_id, ClosedDay.day >= today)
                .order_by(ClosedDay.day)
            )
            return [Closed(row.day, row.label) for row in rows]

    def close_day(self, actor: Actor, day: date, label: Text | None, now: datetime) -> Closed:
        """Add a closed day: no reminder is sent and no business day counted on it."""
        with self._db.unit_of_work() as uow:
            uow.act(actor, Action.ADD_CLOSED_DAY, None, now, detail={"day": day.isoformat()})
            ensure_workspace(uow.session, actor.workspace_id, now)
            if day < now.astimezone(calendar_of(uow.session, actor.workspace_id).zone).date():
                raise InvalidSetting("day", "That day is past: pick today or a later day.")
            if label is not None and len(label.value) > LABEL_LIMIT:
                raise InvalidSetting("label", f"Keep the label under {LABEL_LIMIT} characters.")
            row = uow.session.scalar(
                select(ClosedDay).where(
                    ClosedDay.workspace_id == actor.workspace_id, ClosedDay.day == day
                )
            )
            if row is None:
                row = ClosedDay(workspace_id=actor.workspace_id, day=day)
                uow.session.add(row)
            row.label = label.value if label else ""
            return Closed(day, row.label)

    def reopen_day(self, actor: Actor, day: date, now: datetime) -> None:
        with self._db.unit_of_work() as uow:
            uow.act(actor, Action.REMOVE_CLOSED_DAY, None, now, detail={"day": day.isoformat()})
            row = uow.session.scalar(
                select(ClosedDay).where(
                    ClosedDay.workspace_id == actor.workspace_id, ClosedDay.day == day
                )
            )
            if row is None:
                raise InvalidSetting("day", f"{day.isoformat()} is not one of the closed days.")
            uow.session.delete(row)
