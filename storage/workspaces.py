"""Each workspace's schedule: when the digest goes out and how questions are re-asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from storage.enums import Action, GuardPolicy
from storage.errors import InvalidSetting
from storage.models import Workspace
from storage.policy.permissions import Actor
from storage.teams import ensure_workspace
from storage.uow import Database

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Schedule:
    digest_weekday: int = 0
    digest_time: str = "09:00"
    timezone: str = "America/New_York"
    reask_after_days: int = 3
    max_reasks: int = 2
    phi_policy: GuardPolicy = GuardPolicy.BLOCK  # not the schedule, but set in the same form

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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
        raise InvalidSetting(
            "timezone", "Use a timezone name like America/New_York or America/Chicago."
        ) from None
    if not 1 <= schedule.reask_after_days <= 30:
        raise InvalidSetting("reask_after_days", "Use a number of business days from 1 to 30.")
    if not 0 <= schedule.max_reasks <= 10:
        raise InvalidSetting("max_reasks", "Use a number from 0 to 10.")
    if schedule.phi_policy not in set(GuardPolicy):
        raise InvalidSetting("phi_policy", "Choose block or warn.")
    return Schedule(
        schedule.digest_weekday,
        clock.strftime("%H:%M"),
        schedule.timezone,
        schedule.reask_after_days,
        schedule.max_reasks,
        GuardPolicy(schedule.phi_policy),
    )


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
            return clean
