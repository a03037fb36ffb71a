"""Asking unanswered questions again, politely, on business days, once per round."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, or_, select, update

from storage.calendar import add_business_days, is_business_day
from storage.enums import Action, DeliveryKind, State
from storage.items.views import item_view
from storage.models import Delivery, Item, Question, Reask, Workspace
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import Database
from storage.views import QuestionView

log = logging.getLogger(__name__)


def cap_by_needed_by(
    due: datetime, last_asked: datetime, needed_by: date | None, zone: ZoneInfo
) -> datetime | None:
    """When a question with a needed-by date is reminded: on the usual schedule, but by the
    business day before that date at the latest, and never once the date has passed (None:
    no reminder and no note to the asker, who set the date and knows it lapsed)."""
    if needed_by is None:
        return due
    eve = needed_by - timedelta(days=1)
    while not is_business_day(eve):
        eve -= timedelta(days=1)
    eve_at = datetime.combine(eve, last_asked.astimezone(zone).time(), tzinfo=zone)
    if last_asked < eve_at < due:
        due = eve_at
    lapses = datetime.combine(needed_by + timedelta(days=1), time(), tzinfo=zone)
    return due if due < lapses else None


def _utc_yesterday(now: datetime) -> date:
    return (now.astimezone(UTC) - timedelta(days=1)).date()


class ReaskService:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def run_due(self, now: datetime) -> list[int]:
        """Send the next round for every question whose turn it is; the queued ids."""
        limit = func.coalesce(Question.reask_limit, Workspace.max_reasks)
        with self._db.unit_of_work() as uow:
            candidates = uow.session.execute(
                select(
                    Question.id,
                    Question.reask_round,
                    Question.last_asked_at,
                    Workspace.timezone,
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
        queued: list[int] = []
        for question_id, done, last_asked, timezone, after_days, needed_by in candidates:
            zone = ZoneInfo(timezone)
            due = add_business_days(last_asked, after_days, zone)
            capped = cap_by_needed_by(due, last_asked, needed_by, zone)
            if capped is None or capped > now:
                continue
            try:
                queued += self._remind(question_id, done, last_asked, now)
            except Exception:  # one question's trouble must not hold up the others
                log.exception("re-ask of question %s failed", question_id)
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
                message = self._render.reask(view, done + 1, limit, now)
                sent = uow.queue(ws, DeliveryKind.THREAD, post.channel, message, now, post)
            else:
                message = self._render.escalation_dm(view, done, now)
                sent = uow.queue(ws, DeliveryKind.DM, question.author_id, message, now, post)
            reask.delivery_id = sent.id
            return [sent.id]
