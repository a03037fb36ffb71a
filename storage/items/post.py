"""Posting an item: one skeleton for updates, questions and offers.

Route to the other team, check and audit, insert, render, queue: all in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from storage.enums import DeliveryKind, ItemKind
from storage.errors import ValueUnflagged
from storage.items.views import view_of
from storage.models import Item, Offer, Question, Update
from storage.policy.compliance import value_words
from storage.policy.lifecycle import CREATED
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.teams import route
from storage.uow import UnitOfWork
from storage.views import Draft, Posted


def _new(draft: Draft, now: datetime) -> Item:
    match draft.kind:
        case ItemKind.QUESTION:
            return Question(last_asked_at=now)
        case ItemKind.OFFER:
            return Offer(of_value=draft.of_value)
    return Update()


def post(uow: UnitOfWork, render: Renderer, actor: Actor, draft: Draft, now: datetime) -> Posted:
    action, state = CREATED[draft.kind]
    entry = uow.act(actor, action, None, now)
    text = draft.text.value
    if draft.kind == ItemKind.OFFER and not draft.of_value and (words := value_words(text)):
        raise ValueUnflagged(tuple(words))
    team, other, channel = route(uow.session, actor.workspace_id, actor.user_id)
    item = _new(draft, now)
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
    message = render.item(view_of(item, {team.id: team.name, other.id: other.name}))
    sent = uow.queue(
        actor.workspace_id, DeliveryKind.POST, channel, message, now, notify=actor.user_id
    )
    item.delivery_id = sent.id
    return Posted(channel, other.name, item.id, draft.kind)
