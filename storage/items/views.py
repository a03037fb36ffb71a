"""Items as the plain data the message builders read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from storage.enums import State
from storage.models import Answer, Goal, Item, Offer, Question, ServiceLine, Team
from storage.views import AnswerView, ItemView, OfferView, QuestionView, Tag, UpdateView


@dataclass(frozen=True)
class Tags:
    """The names of a workspace's service lines (archived ones too) and goals, by id."""

    lines: dict[int, str] = field(default_factory=dict)
    goals: dict[int, str] = field(default_factory=dict)

    def line(self, item: Item) -> Tag | None:
        line = item.service_line_id
        return None if line is None else Tag(line, self.lines[line])

    def goal(self, item: Item) -> Tag | None:
        goal = item.goal_id
        return None if goal is None else Tag(goal, self.goals[goal])


def workspace_tags(session: Session, workspace_id: str) -> Tags:
    """Every name an item of the workspace may be tagged with, in one statement."""
    lines = select(literal("line"), ServiceLine.id, ServiceLine.name).where(
        ServiceLine.workspace_id == workspace_id
    )
    goals = select(literal("goal"), Goal.id, Goal.title).where(Goal.workspace_id == workspace_id)
    tags = Tags()
    for kind, row_id, name in session.execute(union_all(lines, goals)):
        (tags.lines if kind == "line" else tags.goals)[row_id] = name
    return tags


def item_tags(session: Session, item: Item) -> Tags:
    """The names of one item's tags only."""
    lines = goals = {}
    if item.service_line_id is not None:
        lines = {item.service_line_id: session.get_one(ServiceLine, item.service_line_id).name}
    if item.goal_id is not None:
        goals = {item.goal_id: session.get_one(Goal, item.goal_id).title}
    return Tags(lines, goals)


NO_TAGS = Tags()


_TEAMS = cast(Table, Team.__table__)
_NAMES = select(_TEAMS.c.id, _TEAMS.c.name).where(
    _TEAMS.c.id.in_(bindparam("team_ids", expanding=True))
)


def team_names(session: Session, *team_ids: int) -> dict[int, str]:
    rows = session.connection().execute(_NAMES, {"team_ids": list(team_ids)})
    return {team_id: name for team_id, name in rows}


def question_view_of(
    question: Question, names: dict[int, str], answers: Sequence[Answer] = (), tags: Tags = NO_TAGS
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
        needed_by=question.needed_by,
        service_line=tags.line(question),
        goal=tags.goal(question),
    )


def last_move(offer: Offer) -> tuple[str | None, datetime | None]:
    """Who took the offer to its current state, and when (None before anyone did)."""
    return {
        State.ACCEPTED: (offer.accepted_by, offer.accepted_at),
        State.DECLINED: (offer.declined_by, offer.declined_at),
        State.DELIVERED: (offer.delivered_by, offer.delivered_at),
        State.WITHDRAWN: (offer.author_id, offer.withdrawn_at),
    }.get(offer.status, (None, None))


def offer_view_of(offer: Offer, names: dict[int, str], tags: Tags = NO_TAGS) -> OfferView:
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
        link=offer.link,
        offer_type=offer.offer_type,
        service_line=tags.line(offer),
        goal=tags.goal(offer),
    )


def update_view_of(item: Item, names: dict[int, str], tags: Tags = NO_TAGS) -> UpdateView:
    return UpdateView(
        item.id,
        item.author_id,
        names[item.from_team_id],
        item.text,
        item.created_at,
        service_line=tags.line(item),
        goal=tags.goal(item),
        link=item.link,
    )


def view_of(
    item: Item, names: dict[int, str], answers: Sequence[Answer] = (), tags: Tags = NO_TAGS
) -> ItemView:
    if isinstance(item, Question):
        return question_view_of(item, names, answers, tags)
    if isinstance(item, Offer):
        return offer_view_of(item, names, tags)
    return update_view_of(item, names, tags)


def item_view(session: Session, item: Item) -> ItemView:
    """The item as it stands, with its answers (one query each for answers and names)."""
    answers: Sequence[Answer] = ()
    if isinstance(item, Question):
        answers = session.scalars(
            select(Answer).where(Answer.question_id == item.id).order_by(Answer.id)
        ).all()
    names = team_names(session, item.from_team_id, item.to_team_id)
    return view_of(item, names, answers, item_tags(session, item))
