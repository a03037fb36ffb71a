"""Posting an item: one skeleton for updates, questions and offers.

Route to the other team, check and audit, insert, render, queue: all in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage.enums import DeliveryKind, ItemKind
from storage.errors import InvalidSetting, ValueUnflagged
from storage.items.views import item_tags, view_of
from storage.links import web_link
from storage.models import Item, Offer, Question, Update, Workspace
from storage.policy.compliance import value_words
from storage.policy.lifecycle import CREATED
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.structure import check_goal, check_line
from storage.teams import route
from storage.uow import UnitOfWork
from storage.views import Draft, Posted

NEEDED_BY_FIELD = "needed_by"


def _new(uow: UnitOfWork, draft: Draft, workspace_id: str, now: datetime) -> Item:
    """The item of the draft's kind, with the fields only that kind has."""
    match draft.kind:
        case ItemKind.QUESTION:
            if draft.needed_by is not None:
                zone = ZoneInfo(uow.session.get_one(Workspace, workspace_id).timezone)
                if draft.needed_by < now.astimezone(zone).date():
                    raise InvalidSetting(NEEDED_BY_FIELD, "Choose today or a later day.")
            return Question(last_asked_at=now, needed_by=draft.needed_by)
        case ItemKind.OFFER:
            return Offer(of_value=draft.of_value, offer_type=draft.offer_type)
    return Update()


def post(uow: UnitOfWork, render: Renderer, actor: Actor, draft: Draft, now: datetime) -> Posted:
    action, state = CREATED[draft.kind]
    entry = uow.act(actor, action, None, now)
    text = draft.text.value
    if draft.kind == ItemKind.OFFER and not draft.of_value and (words := value_words(text)):
        raise ValueUnflagged(tuple(words))
    team, other, channel = route(uow.session, actor.workspace_id, actor.user_id)
    item = _new(uow, draft, actor.workspace_id, now)
    item.service_line_id = check_line(uow.session, actor.workspace_id, draft.service_line_id)
    check_goal(uow.session, actor.workspace_id, draft.goal_id)
    item.goal_id = draft.goal_id
    if draft.link is not None and draft.kind != ItemKind.QUESTION:
        item.link = web_link(draft.link.value)
    item.workspace_id = actor.workspace_id
    item.author_id = actor.user_id
    item.from_team_id = team.id
    item.to_team_id = other.id
    item.text = text
    item.status = state
    item.created_at = now
    uow.session.add(item)
    uow.session.flush()
    entry.object_type, entry.object_id = str(draft.kind), item.id
    if isinstance(item, Offer) and item.of_value:
        entry.detail = {"of_value": True}
    view = view_of(
        item, {team.id: team.name, other.id: other.name}, (), item_tags(uow.session, item)
    )
    message = render.item(view)
    sent = uow.queue(
        actor.workspace_id, DeliveryKind.POST, channel, message, now, notify=actor.user_id
    )
    item.delivery_id = sent.id
    return Posted(channel, other.name, item.id, draft.kind, view)
