"""Asking unanswered questions again, politely, in business hours, once per round.

Reminders go to the question's thread; only the last round is also broadcast to the channel,
unless the workspace turned that off. A round falls due `reask_after_days` business days after
the last ask (see `Calendar.after`) and is sent only in business hours, so one that falls due
at night, on a weekend or on a holiday waits for the next opening.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, cast

from sqlalchemy import Table, func, or_, select, update

from storage.calendar import OPENS, Calendar, calendars
from storage.enums import Action, DeliveryKind, State
from storage.items.views import item_view
from storage.models import Delivery, Item, Question, Reask, Workspace
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import Database
from storage.views import QuestionView

log = logging.getLogger(__name__)


# The latest a needed-by reminder goes out on the eve: an hour before business hours end.
LAST_CALL = time(16)


def _utc_yesterday(now: datetime) -> date:
    return (now.astimezone(UTC) - timedelta(days=1)).date()


class Candidate(NamedTuple):
    """An open question the pass may remind, as the pass saw it."""

    question_id: int
    workspace_id: str
    done: int  # rounds sent so far
    last_asked: datetime
    after_days: int
    needed_by: date | None


def due_at(candidate: Candidate, calendar: Calendar) -> datetime | None:
    """When the question's next round falls due: always a business-hours moment; None once
    its needed-by date has passed."""
    return cap_by_needed_by(
        calendar.after(candidate.last_asked, candidate.after_days),
        candidate.last_asked,
        candidate.needed_by,
        calendar,
    )


def cap_by_needed_by(
    due: datetime, last_asked: datetime, needed_by: date | None, calendar: Calendar
) -> datetime | None:
    """When a question with a needed-by date is reminded: on the usual schedule, but by the
    business day before that date at the latest (at the hour it was asked, kept within
    business hours), and never once the date has passed (None: no reminder and no note to
    the asker, who set the date and knows it lapsed)."""
    if needed_by is None:
        return due
    zone = calendar.zone
    eve = needed_by - timedelta(days=1)
    while not calendar.is_business_day(eve):
        eve -= timedelta(days=1)
    clock = min(max(last_asked.astimezone(zone).time(), OPENS), LAST_CALL)
    eve_at = datetime.combine(eve, clock, tzinfo=zone)
    if last_asked < eve_at < due:
        due = eve_at
    lapses = datetime.combine(needed_by + timedelta(days=1), time(), tzinfo=zone)
    return due if due < lapses else None


class ReaskService:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def run_due(self, now: datetime) -> list[int]:
        """Send the next round for every question whose turn it is; the queued ids."""
        limit = func.coalesce(Question.reask_limit, Workspace.max_reasks)
        with self._db.unit_of_work() as uow:
            rows = uow.session.execute(
                select(
                    Question.id,
                    Question.workspace_id,
                    Question.reask_round,
                    Question.last_asked_at,
                    Workspace.reask_after_days,
                    Question.needed_by,
                )
                .join(Workspace, Workspace.id == Question.workspace_id)
                .where(
                    Question.status == State.OPEN,
                    # A business day is at least a calendar day: a cheap first cut.
                    Question.last_asked_at <= now - timedelta(days=1),
                    or_(Question.snoozed_until.is_(None), Question.snoozed_until <= now),
                    Question.reask_round <= limit,
                    # No place's date is more than a day behind UTC's: lapsed ones drop out.
                    or_(Question.needed_by.is_(None), Question.needed_by >= _utc_yesterday(now)),
                )
                .order_by(Question.id)
            ).all()
            candidates = [Candidate(*row) for row in rows]
            by_workspace = calendars(uow.session, {c.workspace_id for c in candidates})
        queued: list[int] = []
        for candidate in candidates:
            calendar = by_workspace[candidate.workspace_id]
            due = due_at(candidate, calendar)
            if due is None or not calendar.is_open(now) or due > now:
                continue
            try:
                queued += self._remind(
                    candidate.question_id, candidate.done, candidate.last_asked, now
                )
            except Exception:  # one question's trouble must not hold up the others
                log.exception("re-ask of question %s failed", candidate.question_id)
        return queued

    def _remind(
        self, question_id: int, done: int, last_asked: datetime, now: datetime
    ) -> list[int]:
        with self._db.unit_of_work() as uow:
            session = uow.session
            # Exactly once: the UPDATE matches only if the question is still as this pass
            # saw it (same round, same last ask, not answered, closed or paused since), so
            # another replica's pass that got there first makes this one a no-op.
            table = cast(Table, Question.__table__)
            questions = table.c
            won = session.execute(
                update(table)
                .where(
                    questions.id == question_id,
                    questions.reask_round == done,
                    questions.last_asked_at == last_asked,
                    or_(questions.snoozed_until.is_(None), questions.snoozed_until <= now),
                    questions.id.in_(select(Item.id).where(Item.status == State.OPEN)),
                )
                .values(reask_round=done + 1, last_asked_at=now)
            )
            if won.rowcount != 1:  # type: ignore[attr-defined]
                return []
            question = session.get_one(Question, question_id)
            workspace = session.get_one(Workspace, question.workspace_id)
            limit = workspace.max_reasks if question.reask_limit is None else question.reask_limit
            kind = "reask" if done < limit else "escalation"
            reask = Reask(
                workspace_id=question.workspace_id,
                question_id=question_id,
                round=done + 1,
                kind=kind,
                created_at=now,
            )
            session.add(reask)
            session.flush()
            ws = question.workspace_id
            action = Action.REASK if kind == "reask" else Action.ESCALATE
            uow.act(Actor.app(ws), action, question, now, detail={"round": done + 1})
            view = cast(QuestionView, item_view(session, question))
            post = session.get_one(Delivery, question.delivery_id)
            if kind == "reask":
                # Only the last round also reaches the channel, if the workspace wants it.
                loud = done + 1 == limit and workspace.reask_broadcast
                message = self._render.reask(view, done + 1, limit, now, broadcast=loud)
                sent = uow.queue(ws, DeliveryKind.THREAD, post.channel, message, now, post.id)
            else:
                message = self._render.escalation_dm(view, done, now)
                sent = uow.queue(ws, DeliveryKind.DM, question.author_id, message, now, post.id)
            reask.delivery_id = sent
            return [sent]
