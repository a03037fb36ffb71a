"""Items as the plain data the message builders read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.enums import State
from storage.models import Answer, Item, Offer, Question, Team
from storage.views import AnswerView, ItemView, OfferView, QuestionView, UpdateView


def team_names(session: Session, *team_ids: int) -> dict[int, str]:
    rows = session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)))
    return {team_id: name for team_id, name in rows}


def question_view_of(
    question: Question, names: dict[int, str], answers: Sequence[Answer] = ()
) -> QuestionView:
    return QuestionView(
        id=question.id,
        asker_id=question.author_id,
        from_team=names[question.from_team_id],
        to_team=names[question.to_team_id],
        text=question.text,
        status=question.status,
        created_at=question.created_at,
        answers=tuple(AnswerView(a.author_id, a.text, a.created_at) for a in answers),
        closed_at=question.closed_at,
    )


def last_move(offer: Offer) -> tuple[str | None, datetime | None]:
    """Who took the offer to its current state, and when (None before anyone did)."""
    return {
        State.ACCEPTED: (offer.accepted_by, offer.accepted_at),
        State.DECLINED: (offer.declined_by, offer.declined_at),
        State.DELIVERED: (offer.delivered_by, offer.delivered_at),
        State.WITHDRAWN: (offer.author_id, offer.withdrawn_at),
    }.get(offer.status, (None, None))


def offer_view_of(offer: Offer, names: dict[int, str]) -> OfferView:
    moved_by, moved_at = last_move(offer)
    return OfferView(
        id=offer.id,
        offerer_id=offer.author_id,
        from_team=names[offer.from_team_id],
        to_team=names[offer.to_team_id],
        text=offer.text,
        status=offer.status,
        created_at=offer.created_at,
        of_value=offer.of_value,
        accepted_by=offer.accepted_by,
        accepted_at=offer.accepted_at,
        declined_by=offer.declined_by,
        declined_at=offer.declined_at,
        decline_reason=offer.decline_reason,
        delivered_by=offer.delivered_by,
        delivered_at=offer.delivered_at,
        delivered_link=offer.delivered_link,
        withdrawn_at=offer.withdrawn_at,
        moved_by=moved_by,
        moved_at=moved_at,
    )


def view_of(item: Item, names: dict[int, str], answers: Sequence[Answer] = ()) -> ItemView:
    if isinstance(item, Question):
        return question_view_of(item, names, answers)
    if isinstance(item, Offer):
        return offer_view_of(item, names)
    return UpdateView(item.id, item.author_id, names[item.from_team_id], item.text, item.created_at)


def item_view(session: Session, item: Item) -> ItemView:
    """The item as it stands, with its answers (one query each for answers and names)."""
    answers: Sequence[Answer] = ()
    if isinstance(item, Question):
        answers = session.scalars(
            select(Answer).where(Answer.question_id == item.id).order_by(Answer.id)
        ).all()
    return view_of(item, team_names(session, item.from_team_id, item.to_team_id), answers)
