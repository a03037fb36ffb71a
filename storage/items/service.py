"""The use cases on items: post one, and every action people take on it afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.calendar import calendar_of
from storage.enums import Action, DeliveryKind
from storage.errors import Refused
from storage.guard import Text
from storage.items.lifecycle import Post, located, post_of, refusal, transition
from storage.items.post import post
from storage.items.views import item_view
from storage.links import web_link
from storage.models import Answer, Delivery, Item, Offer, Question, Workspace
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import Database, UnitOfWork
from storage.views import AnswerView, Draft, ItemView, OfferView, Posted, QuestionView

WORKING_ON_IT_DAYS = 3


class ItemService:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def post(self, actor: Actor, draft: Draft, now: datetime) -> Posted:
        with self._db.unit_of_work() as uow:
            return post(uow, self._render, actor, draft, now)

    def can(self, actor: Actor, action: Action, item_id: int) -> ItemView:
        """The item, if this user may take `action` on it now; before a form opens (the
        submit is checked again)."""
        with self._db.unit_of_work() as uow:
            item, step = located(uow, actor, action, item_id)
            uow.permit(actor, action, item)
            if item.status not in step.start:
                raise refusal(item)
            return item_view(uow.session, item)

    def answer(self, actor: Actor, question_id: int, text: Text, now: datetime) -> QuestionView:
        """An answer given in the app's modal: posted in the question's thread."""
        with self._db.unit_of_work() as uow:
            _, view, post = self._answer(uow, actor, question_id, text.value, None, now)
            reply = self._render.answer_reply(view, view.answers[-1])
            uow.queue(actor.workspace_id, DeliveryKind.THREAD, post.channel, reply, now, post.id)
            return view

    def thread_question(self, workspace_id: str, channel_id: str, thread_ts: str) -> int | None:
        """The question whose message heads this thread, if any."""
        with self._db.unit_of_work() as uow:
            return uow.session.scalar(
                select(Question.id)
                .join(Delivery, Delivery.id == Question.delivery_id)
                .where(
                    Question.workspace_id == workspace_id,
                    Delivery.result_channel == channel_id,
                    Delivery.result_ts == thread_ts,
                )
            )

    def answer_from_thread(
        self, actor: Actor, question_id: int, text: Text, ts: str, now: datetime
    ) -> bool:
        """A reply in a question's thread. False when it is not an answer (or a repeat)."""
        try:
            with self._db.unit_of_work() as uow:
                self._answer(uow, actor, question_id, text.value, ts, now)
                return True
        except IntegrityError:
            return False  # Slack delivered the same reply twice; the first one counted.
        except Refused:
            return False  # a closed question, or a reply from someone who doesn't answer it

    def _answer(
        self,
        uow: UnitOfWork,
        actor: Actor,
        question_id: int,
        text: str,
        slack_ts: str | None,
        now: datetime,
    ) -> tuple[Question, QuestionView, Post]:
        def record(item: Item) -> None:
            uow.session.add(
                Answer(
                    workspace_id=item.workspace_id,
                    question_id=item.id,
                    author_id=actor.user_id,
                    text=text,
                    source="thread" if slack_ts else "modal",
                    slack_ts=slack_ts,
                    created_at=now,
                )
            )
            uow.session.flush()

        first = func.coalesce(Question.__table__.c.answered_at, now)
        item, view = transition(
            uow,
            self._render,
            actor,
            Action.ANSWER,
            question_id,
            now,
            values={"answered_at": first},
            then=record,
        )
        question, qview = cast(Question, item), cast(QuestionView, view)
        post = post_of(uow, question)
        answer = AnswerView(actor.user_id, text, now)
        dm = self._render.answer_dm(qview, answer)
        uow.queue(actor.workspace_id, DeliveryKind.DM, question.author_id, dm, now, ref=post.id)
        return question, qview, post

    def close(self, actor: Actor, question_id: int, now: datetime) -> QuestionView:
        with self._db.unit_of_work() as uow:
            _, view = transition(
                uow, self._render, actor, Action.CLOSE, question_id, now, values={"closed_at": now}
            )
            return cast(QuestionView, view)

    def accept(self, actor: Actor, offer_id: int, now: datetime) -> OfferView:
        values = {"accepted_by": actor.user_id, "accepted_at": now}
        return self._offer(actor, Action.ACCEPT, offer_id, now, values)

    def decline(self, actor: Actor, offer_id: int, reason: Text | None, now: datetime) -> OfferView:
        said = reason.value if reason else None
        values = {"declined_by": actor.user_id, "declined_at": now, "decline_reason": said}
        return self._offer(actor, Action.DECLINE, offer_id, now, values)

    def deliver(self, actor: Actor, offer_id: int, link: Text | None, now: datetime) -> OfferView:
        url = web_link(link.value) if link else None
        values = {"delivered_by": actor.user_id, "delivered_at": now, "delivered_link": url}
        return self._offer(actor, Action.DELIVER, offer_id, now, values)

    def withdraw(self, actor: Actor, offer_id: int, now: datetime) -> OfferView:
        return self._offer(actor, Action.WITHDRAW, offer_id, now, {"withdrawn_at": now})

    def _offer(
        self, actor: Actor, action: Action, offer_id: int, now: datetime, values: dict[str, object]
    ) -> OfferView:
        with self._db.unit_of_work() as uow:
            item, view = transition(uow, self._render, actor, action, offer_id, now, values=values)
            offer, oview = cast(Offer, item), cast(OfferView, view)
            # The other side hears of it: the offerer, or (when the offerer delivers) the
            # person who accepted.
            told = offer.author_id if actor.user_id != offer.author_id else offer.accepted_by
            if action != Action.WITHDRAW and told:
                dm = self._render.offer_dm(oview, action)
                post = post_of(uow, offer)
                uow.queue(actor.workspace_id, DeliveryKind.DM, told, dm, now, ref=post.id)
            return oview

    def snooze(self, actor: Actor, question_id: int, now: datetime) -> datetime:
        """The other team is on it: no reminder for a few business days. Returns until when."""
        with self._db.unit_of_work() as uow:
            until = calendar_of(uow.session, actor.workspace_id).after(now, WORKING_ON_IT_DAYS)
            item, view = transition(
                uow,
                self._render,
                actor,
                Action.SNOOZE,
                question_id,
                now,
                values={"snoozed_until": until},
            )
            note = self._render.working_on_it(cast(QuestionView, view), actor.user_id, until)
            post = post_of(uow, item)
            uow.queue(actor.workspace_id, DeliveryKind.THREAD, post.channel, note, now, ref=post.id)
            return until

    def keep_asking(self, actor: Actor, question_id: int, now: datetime) -> None:
        """The asker wants more reminders after the last round: allow another set."""
        with self._db.unit_of_work() as uow:
            workspace = uow.session.get_one(Workspace, actor.workspace_id)
            more = Question.__table__.c.reask_round + workspace.max_reasks
            transition(
                uow,
                self._render,
                actor,
                Action.KEEP_ASKING,
                question_id,
                now,
                values={"reask_limit": more, "last_asked_at": now},
            )
