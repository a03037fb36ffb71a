"""`/liaison stats`: the reciprocity ledger of a period, both directions side by side.

Counted as the digest counts: what was asked, answered, offered, accepted and delivered
within the period. Time to answer is in business hours (09:00-17:00 on business days in the
workspace's timezone), so a question asked on Friday evening and answered on Monday at
10:00 took one hour, not sixty-three.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select

from storage.calendar import calendar_of
from storage.enums import Action
from storage.errors import InvalidSetting
from storage.models import Offer, Question, Team, Workspace
from storage.policy.permissions import Actor
from storage.teams import ensure_workspace
from storage.uow import Database


class Period(StrEnum):
    DAYS_30 = "30d"
    DAYS_90 = "90d"
    QUARTER = "quarter"  # the calendar quarter so far

    @classmethod
    def parse(cls, text: str) -> Period:
        try:
            return cls(text.strip().lower() or cls.DAYS_30)
        except ValueError:
            raise InvalidSetting(
                "period", "Use `/liaison stats 30d`, `90d` or `quarter`."
            ) from None

    def start(self, now: datetime, zone: ZoneInfo) -> datetime:
        if self == Period.QUARTER:
            today = now.astimezone(zone).date()
            first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
            return datetime.combine(first, datetime.min.time(), tzinfo=zone)
        return now - timedelta(days=30 if self == Period.DAYS_30 else 90)


@dataclass(frozen=True)
class Direction:
    """What one team asked and offered the other, and what came of it."""

    from_team: str
    to_team: str
    asked: int
    answered: int
    median_hours: float | None  # business hours to the first answer
    p90_hours: float | None
    offers: int
    accepted: int
    delivered: int


@dataclass(frozen=True)
class Stats:
    period: Period
    start: datetime
    end: datetime
    timezone: str
    directions: tuple[Direction, ...]


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with `share` of them at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class StatsService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def report(self, actor: Actor, period: Period, now: datetime) -> Stats:
        """Only a team's members see the figures (audited, with the period)."""
        workspace_id = actor.workspace_id
        with self._db.unit_of_work() as uow:
            session = uow.session
            ensure_workspace(session, workspace_id, now)
            uow.act(actor, Action.STATS, None, now, detail={"period": str(period)})
            zone_name = session.get_one(Workspace, workspace_id).timezone
            calendar = calendar_of(session, workspace_id)
            zone = calendar.zone
            start = period.start(now, zone)
            teams = session.scalars(
                select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)
            ).all()

            def within(moment: datetime | None) -> bool:
                return moment is not None and start <= moment < now

            def during(column: Any) -> Any:
                return and_(column >= start, column < now)

            questions = session.execute(
                select(Question.from_team_id, Question.created_at, Question.answered_at).where(
                    Question.workspace_id == workspace_id,
                    or_(during(Question.created_at), during(Question.answered_at)),
                )
            ).all()
            offers = session.execute(
                select(
                    Offer.from_team_id, Offer.created_at, Offer.accepted_at, Offer.delivered_at
                ).where(
                    Offer.workspace_id == workspace_id,
                    or_(
                        during(Offer.created_at),
                        during(Offer.accepted_at),
                        during(Offer.delivered_at),
                    ),
                )
            ).all()
        directions = []
        for team in teams:
            other = next(t for t in teams if t.id != team.id)
            asked = [q for q in questions if q.from_team_id == team.id]
            hours = [
                calendar.business_hours_between(q.created_at, q.answered_at) / timedelta(hours=1)
                for q in asked
                if within(q.answered_at)
            ]
            made = [o for o in offers if o.from_team_id == team.id]
            directions.append(
                Direction(
                    from_team=team.name,
                    to_team=other.name,
                    asked=sum(within(q.created_at) for q in asked),
                    answered=len(hours),
                    median_hours=statistics.median(hours) if hours else None,
                    p90_hours=percentile(hours, 0.9),
                    offers=sum(within(o.created_at) for o in made),
                    accepted=sum(within(o.accepted_at) for o in made),
                    delivered=sum(within(o.delivered_at) for o in made),
                )
            )
        return Stats(period, start, now, zone_name, tuple(directions))
