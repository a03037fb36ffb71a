"""Asking unanswered questions again, politely, on business days, once per round."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from storage.calendar import add_business_days
from storage.claims import owned
from storage.errors import NoLongerOpen, NotYours, WrongTeam
from storage.models import Delivery, Question, Reask, Team, Workspace
from storage.ports import Renderer
from storage.questions import question_view
from storage.teams import member_team
from storage.uow import Database

log = logging.getLogger(__name__)

WORKING_ON_IT_DAYS = 3


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
                )
                .join(Workspace, Workspace.id == Question.workspace_id)
                .where(
                    Question.status == "open",
                    # A business day is at least a calendar day: a cheap first cut.
                    Question.last_asked_at <= now - timedelta(days=1),
                    or_(Question.snoozed_until.is_(None), Question.snoozed_until <= now),
                    Question.reask_round <= limit,
                )
                .order_by(Question.id)
            ).all()
        queued: list[int] = []
        for question_id, done, last_asked, timezone, after_days in candidates:
            if add_business_days(last_asked, after_days, ZoneInfo(timezone)) > now:
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
            won = session.execute(
                update(Question)
                .where(
                    Question.id == question_id,
                    Question.status == "open",
                    Question.reask_round == done,
                    Question.last_asked_at == last_asked,
                    or_(Question.snoozed_until.is_(None), Question.snoozed_until <= now),
                )
                .values(reask_round=done + 1, last_asked_at=now)
                .execution_options(synchronize_session=False)
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
            view = question_view(session, question)
            post = session.get_one(Delivery, question.delivery_id)
            if kind == "reask":
                message = self._render.reask(view, done + 1, limit, now)
                sent = uow.queue(question.workspace_id, "thread", post.channel, message, now, post)
            else:
                message = self._render.escalation_dm(view, done, now)
                sent = uow.queue(question.workspace_id, "dm", question.asker_id, message, now, post)
            reask.delivery_id = sent.id
            return [sent.id]

    def working_on_it(
        self, workspace_id: str, question_id: int, user_id: str, now: datetime
    ) -> datetime:
        """The other team is on it: no reminder for a few business days. Returns until when."""
        with self._db.unit_of_work() as uow:
            session = uow.session
            question = _open(session, workspace_id, question_id)
            if member_team(session, workspace_id, user_id).id != question.to_team_id:
                raise WrongTeam(session.get_one(Team, question.to_team_id).name)
            zone = ZoneInfo(session.get_one(Workspace, workspace_id).timezone)
            question.snoozed_until = add_business_days(now, WORKING_ON_IT_DAYS, zone)
            view = question_view(session, question)
            post = session.get_one(Delivery, question.delivery_id)
            note = self._render.working_on_it(view, user_id, question.snoozed_until)
            uow.queue(workspace_id, "thread", post.channel, note, now, post)
            uow.audit(workspace_id, user_id, "question.working_on_it", "question", question.id, now)
            return question.snoozed_until

    def keep_asking(self, workspace_id: str, question_id: int, user_id: str, now: datetime) -> None:
        """The asker wants more reminders after the last round: allow another set."""
        with self._db.unit_of_work() as uow:
            session = uow.session
            question = _open(session, workspace_id, question_id)
            if question.asker_id != user_id:
                raise NotYours(question.asker_id)
            workspace = session.get_one(Workspace, workspace_id)
            question.reask_limit = question.reask_round + workspace.max_reasks
            question.last_asked_at = now
            uow.audit(workspace_id, user_id, "question.keep_asking", "question", question.id, now)


def _open(session: Session, workspace_id: str, question_id: int) -> Question:
    question = owned(session, Question, workspace_id, question_id, "question")
    if question.status != "open":
        raise NoLongerOpen("question", question.status)
    return question
