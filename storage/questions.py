"""Habit 3, ask questions: asked by one team, answered by the other."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.claims import owned
from storage.errors import NoLongerOpen, NotInTeam, NotYours, WrongTeam
from storage.models import Answer, Delivery, Question, Team
from storage.ports import Renderer
from storage.teams import member_team, route
from storage.uow import Database, UnitOfWork
from storage.views import AnswerView, Posted, QuestionView


def question_view_of(
    question: Question, names: dict[int, str], answers: Sequence[Answer] = ()
) -> QuestionView:
    return QuestionView(
        id=question.id,
        asker_id=question.asker_id,
        from_team=names[question.from_team_id],
        to_team=names[question.to_team_id],
        text=question.text,
        status=question.status,
        created_at=question.created_at,
        answers=tuple(AnswerView(a.author_id, a.text, a.created_at) for a in answers),
        closed_at=question.closed_at,
    )


def team_names(session: Session, *team_ids: int) -> dict[int, str]:
    rows = session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)))
    return {team_id: name for team_id, name in rows}


def question_view(session: Session, question: Question) -> QuestionView:
    answers = session.scalars(
        select(Answer).where(Answer.question_id == question.id).order_by(Answer.id)
    ).all()
    names = team_names(session, question.from_team_id, question.to_team_id)
    return question_view_of(question, names, answers)


class QuestionService:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def ask(self, workspace_id: str, user_id: str, text: str, now: datetime) -> Posted:
        with self._db.unit_of_work() as uow:
            team, other, channel = route(uow.session, workspace_id, user_id)
            question = Question(
                workspace_id=workspace_id,
                from_team_id=team.id,
                to_team_id=other.id,
                asker_id=user_id,
                text=text,
                status="open",
                created_at=now,
                last_asked_at=now,
            )
            uow.session.add(question)
            uow.session.flush()
            view = question_view_of(question, {team.id: team.name, other.id: other.name})
            post = uow.queue(
                workspace_id, "post", channel, self._render.question(view), now, notify=user_id
            )
            question.delivery_id = post.id
            uow.audit(workspace_id, user_id, "question.ask", "question", question.id, now)
            return Posted(channel, other.name, question.id)

    def answerable(self, workspace_id: str, question_id: int, user_id: str) -> QuestionView:
        """The question, if this user may answer it now (checked again on submit)."""
        with self._db.unit_of_work() as uow:
            question = self._answerable(uow.session, workspace_id, question_id, user_id)
            return question_view(uow.session, question)

    def answer(
        self, workspace_id: str, question_id: int, user_id: str, text: str, now: datetime
    ) -> QuestionView:
        """An answer given in the app's modal: posted in the question's thread."""
        with self._db.unit_of_work() as uow:
            question = self._answerable(uow.session, workspace_id, question_id, user_id)
            answer = self._record(uow, question, user_id, text, None, now)
            view = question_view(uow.session, question)
            post = uow.session.get_one(Delivery, question.delivery_id)
            reply = self._render.answer_reply(view, answer)
            uow.queue(workspace_id, "thread", post.channel, reply, now, ref=post)
            self._announce(uow, question, view, answer, now)
            return view

    def answer_from_thread(
        self,
        workspace_id: str,
        channel_id: str,
        thread_ts: str,
        user_id: str,
        text: str,
        ts: str,
        now: datetime,
    ) -> bool:
        """A reply in a question's thread. False when it is not an answer (or a repeat)."""
        try:
            with self._db.unit_of_work() as uow:
                question = uow.session.scalar(
                    select(Question)
                    .join(Delivery, Delivery.id == Question.delivery_id)
                    .where(
                        Question.workspace_id == workspace_id,
                        Delivery.result_channel == channel_id,
                        Delivery.result_ts == thread_ts,
                    )
                )
                if question is None or question.status == "closed":
                    return False
                try:
                    team = member_team(uow.session, workspace_id, user_id)
                except NotInTeam:
                    return False
                if team.id != question.to_team_id:
                    return False
                answer = self._record(uow, question, user_id, text, ts, now)
                view = question_view(uow.session, question)
                self._announce(uow, question, view, answer, now)
                return True
        except IntegrityError:
            return False  # Slack delivered the same reply twice; the first one counted.

    def close(
        self, workspace_id: str, question_id: int, user_id: str, now: datetime
    ) -> QuestionView:
        with self._db.unit_of_work() as uow:
            question = owned(uow.session, Question, workspace_id, question_id, "question")
            if question.asker_id != user_id:
                raise NotYours(question.asker_id)
            # Conditional, so a close racing an answer or a second close happens once.
            won = uow.session.execute(
                update(Question)
                .where(Question.id == question.id, Question.status != "closed")
                .values(status="closed", closed_at=now)
                .execution_options(synchronize_session=False)
            )
            uow.session.refresh(question)
            if won.rowcount != 1:  # type: ignore[attr-defined]
                raise NoLongerOpen("question", question.status)
            view = question_view(uow.session, question)
            post = uow.session.get_one(Delivery, question.delivery_id)
            uow.queue(
                workspace_id, "update", post.channel, self._render.question(view), now, ref=post
            )
            uow.audit(workspace_id, user_id, "question.close", "question", question.id, now)
            return view

    def _answerable(
        self, session: Session, workspace_id: str, question_id: int, user_id: str
    ) -> Question:
        question = owned(session, Question, workspace_id, question_id, "question")
        if question.status == "closed":
            raise NoLongerOpen("question", question.status)
        team = member_team(session, workspace_id, user_id)
        if team.id != question.to_team_id:
            to_team = session.get_one(Team, question.to_team_id)
            raise WrongTeam(to_team.name)
        return question

    def _record(
        self,
        uow: UnitOfWork,
        question: Question,
        user_id: str,
        text: str,
        slack_ts: str | None,
        now: datetime,
    ) -> AnswerView:
        source = "thread" if slack_ts else "modal"
        answer = Answer(
            workspace_id=question.workspace_id,
            question_id=question.id,
            author_id=user_id,
            text=text,
            source=source,
            slack_ts=slack_ts,
            created_at=now,
        )
        uow.session.add(answer)
        # Only an open question becomes answered; one closed meanwhile stays closed.
        uow.session.execute(
            update(Question)
            .where(Question.id == question.id, Question.status == "open")
            .values(status="answered", answered_at=now)
            .execution_options(synchronize_session=False)
        )
        uow.session.flush()
        uow.session.refresh(question)
        uow.audit(question.workspace_id, user_id, "question.answer", "question", question.id, now)
        return AnswerView(user_id, text, now)

    def _announce(
        self,
        uow: UnitOfWork,
        question: Question,
        view: QuestionView,
        answer: AnswerView,
        now: datetime,
    ) -> None:
        """Show the question as answered and tell the asker, with a link to the thread."""
        post = uow.session.get_one(Delivery, question.delivery_id)
        ws = question.workspace_id
        uow.queue(ws, "update", post.channel, self._render.question(view), now, ref=post)
        dm = self._render.answer_dm(view, answer)
        uow.queue(ws, "dm", question.asker_id, dm, now, ref=post)
