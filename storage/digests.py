"""The weekly digest: what each team should see from the other, once per scheduled week."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Row, Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from storage.calendar import latest_digest_time
from storage.claims import insert_ignore
from storage.enums import Action, DeliveryKind, State
from storage.items.views import offer_view_of, question_view_of, update_view_of, workspace_tags
from storage.models import Delivery, Digest, Item, Offer, Question, Team, Update, Workspace
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import Database
from storage.views import (
    DigestView,
    Figures,
    Listing,
    MessageRef,
    OfferView,
    QuestionView,
    UpdateView,
)
from storage.workspaces import Schedule

log = logging.getLogger(__name__)
T = TypeVar("T", UpdateView, QuestionView, OfferView)

LIST_LIMIT = 15  # items shown per list; the rest are counted
FIRST_PERIOD = timedelta(days=7)


def _with_message(model: type[Item]) -> Select[Item, str | None, str | None]:
    """Items of a kind, each with where Slack put its message (one outer join, same query)."""
    return select(model, Delivery.result_channel, Delivery.result_ts).outerjoin(
        Delivery, Delivery.id == model.delivery_id
    )


def _first(
    session: Session, query: Select[*tuple[Any, ...]], *windows: Any
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The first LIST_LIMIT rows, each ending with `windows` and the total count, at once."""
    counted = query.add_columns(*windows, func.count().over()).limit(LIST_LIMIT)
    return session.execute(counted).all()


def _listing(rows: Sequence[Row[*tuple[Any, ...]]], build: Callable[[Any], T]) -> Listing[T]:
    def entry(row: Row[*tuple[Any, ...]]) -> T:
        channel, ts = row[1], row[2]
        message = MessageRef(channel, ts) if channel and ts else None
        return replace(build(row[0]), message=message)

    return Listing(tuple(entry(row) for row in rows), rows[0][-1] if rows else 0)


def _median(durations: list[timedelta]) -> timedelta | None:
    if not durations:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


def build_digest(
    session: Session, team: Team, other: Team, start: datetime, end: datetime
) -> DigestView:
    """Everything one team's digest shows, in a fixed number of queries."""
    ws = team.workspace_id
    names = {team.id: team.name, other.id: other.name}
    tags = workspace_tags(session, ws)

    def in_period(column: Any) -> Any:
        return and_(column >= start, column < end)

    updates = _listing(
        _first(
            session,
            _with_message(Update)
            .where(Update.workspace_id == ws, Update.from_team_id == other.id)
            .where(in_period(Update.created_at))
            .order_by(Update.created_at),
        ),
        lambda u: update_view_of(u, names, tags),
    )

    def open_questions(from_team: Team, to_team: Team) -> Select[*tuple[Any, ...]]:
        return (
            _with_message(Question)
            .where(Question.workspace_id == ws, Question.to_team_id == to_team.id)
            .where(Question.from_team_id == from_team.id, Question.status == State.OPEN)
            .order_by(Question.created_at, Question.id)
        )

    def question(q: Question) -> QuestionView:
        return question_view_of(q, names, tags=tags)

    # The waiting list also counts, over all its questions, the needed-by dates and the soonest.
    waiting_rows = _first(
        session,
        open_questions(other, team),
        func.count(Question.needed_by).over(),
        func.min(Question.needed_by).over(),
    )
    offers = _listing(
        _first(
            session,
            _with_message(Offer)
            .where(Offer.workspace_id == ws, Offer.to_team_id == team.id)
            .where(Offer.status == State.OFFERED)
            .order_by(Offer.created_at, Offer.id),
        ),
        lambda o: offer_view_of(o, names, tags),
    )
    accepted = _listing(
        _first(
            session,
            _with_message(Offer)
            .where(Offer.workspace_id == ws, in_period(Offer.accepted_at))
            .order_by(Offer.accepted_at),
        ),
        lambda o: offer_view_of(o, names, tags),
    )

    # The figures, both ways: questions and offers of the period, in one statement.
    activity = session.execute(
        union_all(
            select(literal(True), Question.created_at, Question.answered_at).where(
                Question.workspace_id == ws,
                or_(in_period(Question.created_at), in_period(Question.answered_at)),
            ),
            select(literal(False), Offer.created_at, Offer.accepted_at).where(
                Offer.workspace_id == ws,
                or_(in_period(Offer.created_at), in_period(Offer.accepted_at)),
            ),
        )
    ).all()
    asked_rows = [(created, done) for question, created, done in activity if question]
    offer_rows = [(created, done) for question, created, done in activity if not question]

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    waits = [done - created for created, done in asked_rows if done and within(done)]
    figures = Figures(
        asked=sum(within(created) for created, _ in asked_rows),
        answered=len(waits),
        median_answer=_median(waits),
        offers_made=sum(within(created) for created, _ in offer_rows),
        offers_accepted=sum(within(accepted) for _, accepted in offer_rows),
    )

    return DigestView(
        team=team.name,
        other=other.name,
        period_start=start,
        period_end=end,
        updates=updates,
        waiting=_listing(waiting_rows, question),
        asked=_listing(_first(session, open_questions(team, other)), question),
        offers=offers,
        accepted=accepted,
        figures=figures,
        workspace_id=ws,
        needed_by_count=waiting_rows[0][3] if waiting_rows else 0,
        soonest_needed_by=waiting_rows[0][4] if waiting_rows else None,
    )


class DigestService:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def preview(self, workspace_id: str, team_key: str, now: datetime) -> DigestView:
        """What the team's next digest would say if it went out now; nothing is recorded."""
        with self._db.reading() as session:
            team, other = _pair(session, workspace_id, team_key)
            start = _period_start(session, team, now)
            return build_digest(session, team, other, start, now)

    def run_due(self, now: datetime) -> list[int]:
        """Post every digest owed at `now` that no one has posted yet; the queued ids."""
        with self._db.unit_of_work() as uow:
            due: dict[str, tuple[str, datetime]] = {}
            for workspace in uow.session.scalars(select(Workspace)):
                schedule = Schedule.of(workspace)
                scheduled = latest_digest_time(
                    now, schedule.digest_weekday, schedule.clock, schedule.zone
                )
                if scheduled >= workspace.created_at:
                    week = scheduled.astimezone(schedule.zone).date().isoformat()
                    due[workspace.id] = (week, scheduled)
            # A digest sent at or after the scheduled instant covers it, whichever week it
            # was for: moving the digest day or zone never adds an extra digest.
            latest = select(Digest.team_id, func.max(Digest.period_end)).group_by(Digest.team_id)
            last = {team_id: end for team_id, end in uow.session.execute(latest)}
            teams = uow.session.execute(
                select(Team.workspace_id, Team.id).where(Team.channel_id.is_not(None))
            ).all()
        queued: list[int] = []
        for workspace_id, team_id in teams:
            if workspace_id not in due:
                continue
            week, scheduled = due[workspace_id]
            if team_id in last and last[team_id] >= scheduled:
                continue
            try:
                queued += self._post(workspace_id, team_id, week, now)
            except Exception:  # one team's trouble must not hold up the others
                log.exception("digest of team %s failed", team_id)
        return queued

    def _post(self, workspace_id: str, team_id: int, week: str, now: datetime) -> list[int]:
        # Read and drawn from a snapshot first, so that the transaction that claims and
        # queues the digest is a few rows long: on SQLite a request waits for it, not for
        # a digest being drawn. Exactly once is still the claim's unique key.
        with self._db.reading() as session:
            team = session.get_one(Team, team_id)
            other = session.scalars(
                select(Team).where(Team.workspace_id == workspace_id, Team.id != team_id)
            ).one()
            channel = team.channel_id
            start = _period_start(session, team, now)
            view = build_digest(session, team, other, start, now)
        parent, thread = self._render.digest(view)
        with self._db.unit_of_work() as uow:
            claimed = insert_ignore(
                uow.session,
                Digest,
                workspace_id=workspace_id,
                team_id=team_id,
                week=week,
                period_start=start,
                period_end=now,
                created_at=now,
            )
            if claimed is None or channel is None:
                return []  # another pass, here or in another process, has it
            uow.act(Actor.app(workspace_id), Action.DIGEST, None, now, object_id=claimed)
            post = uow.queue(workspace_id, DeliveryKind.POST, channel, parent, now)
            replies = [
                uow.queue(workspace_id, DeliveryKind.THREAD, channel, part, now, ref=post)
                for part in thread
            ]
            uow.session.get_one(Digest, claimed).delivery_id = post
            return [post, *replies]


def _pair(session: Session, workspace_id: str, team_key: str) -> tuple[Team, Team]:
    teams = session.scalars(select(Team).where(Team.workspace_id == workspace_id)).all()
    team = next(t for t in teams if t.key == team_key)
    other = next(t for t in teams if t.key != team_key)
    return team, other


def _period_start(session: Session, team: Team, now: datetime) -> datetime:
    last = session.scalar(
        select(func.max(Digest.period_end)).where(
            Digest.team_id == team.id, Digest.period_end < now
        )
    )
    return last or now - FIRST_PERIOD
