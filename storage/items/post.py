"""Posting an item: one skeleton for updates, questions and offers.

Route to the other team, check and audit, insert, render, queue: all in one transaction, in
statements prepared once (this is the path every /share, /ask and /offer takes before Slack
gets its answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, update

from storage.enums import DeliveryKind, ItemKind
from storage.errors import InvalidSetting, NotInTeam, ValueUnflagged
from storage.items.views import item_tags, view_of
from storage.links import web_link
from storage.models import Item, Offer, Question, Update, Workspace
from storage.models.items import OWN_TABLES
from storage.policy.compliance import value_words
from storage.policy.lifecycle import CREATED
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.structure import check_goal, check_line
from storage.teams import home_channel, route
from storage.uow import UnitOfWork
from storage.views import Draft, Posted

NEEDED_BY_FIELD = "needed_by"

_ITEMS = cast(Table, Item.__table__)
_ADD_ITEM = insert(_ITEMS).returning(_ITEMS.c.id)
_ADD_KIND = {kind: insert(table) for kind, table in OWN_TABLES.items()}
_POSTED_AS = (
    update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("item_id"))
    .values(delivery_id=bindparam("delivery_id"))
)
_COMMON = tuple(column.key for column in _ITEMS.c if column.key != "id")


def _new(uow: UnitOfWork, draft: Draft, workspace_id: str, now: datetime) -> Item:
    """The item of the draft's kind, with the fields only that kind has."""
    match draft.kind:
        case ItemKind.QUESTION:
            if draft.needed_by is not None:
                zone = ZoneInfo(uow.session.get_one(Workspace, workspace_id).timezone)
                if draft.needed_by < now.astimezone(zone).date():
                    raise InvalidSetting(NEEDED_BY_FIELD, "Choose today or a later day.")
            return Question(last_asked_at=now, needed_by=draft.needed_by, reask_round=0)
        case ItemKind.OFFER:
            return Offer(of_value=bool(draft.of_value), offer_type=draft.offer_type)
    return Update()


def _insert(uow: UnitOfWork, item: Item) -> int:
    """Write the item (and its kind's own row); its id. The item itself stays out of the
    session: it is the plain data the message is drawn from."""
    state = item.__dict__
    connection = uow.write()
    item_id = int(
        connection.execute(_ADD_ITEM, {key: state.get(key) for key in _COMMON}).scalar_one()
    )
    if (statement := _ADD_KIND.get(item.kind)) is not None:
        connection.execute(statement, {"id": item_id} | _own(OWN_TABLES[item.kind], state))
    return item_id


def _own(table: Table, state: dict[str, Any]) -> dict[str, Any]:
    return {column.key: state[column.key] for column in table.c if column.key in state}


def post(uow: UnitOfWork, render: Renderer, actor: Actor, draft: Draft, now: datetime) -> Posted:
    action, state = CREATED[draft.kind]
    mine, other = route(uow, actor.workspace_id, actor.user_id)
    entry = uow.act(actor, action, None, now, team_id=mine.id if mine else None)
    if mine is None or other is None:
        raise NotInTeam(actor.user_id)
    text = draft.text.value
    if draft.kind == ItemKind.OFFER and not draft.of_value and (words := value_words(text)):
        raise ValueUnflagged(tuple(words))
    channel = home_channel(uow.session, actor.workspace_id, other)
    item = _new(uow, draft, actor.workspace_id, now)
    item.service_line_id = check_line(uow.session, actor.workspace_id, draft.service_line_id)
    check_goal(uow.session, actor.workspace_id, draft.goal_id)
    item.goal_id = draft.goal_id
    item.link = None
    if draft.link is not None and draft.kind != ItemKind.QUESTION:
        item.link = web_link(draft.link.value)
    item.kind = draft.kind
    item.workspace_id = actor.workspace_id
    item.author_id = actor.user_id
    item.from_team_id = mine.id
    item.to_team_id = other.id
    item.text = text
    item.status = state
    item.created_at = now
    item.delivery_id = None
    item.id = _insert(uow, item)
    entry.object_type, entry.object_id = str(draft.kind), item.id
    if isinstance(item, Offer) and item.of_value:
        entry.detail = {"of_value": True}
    view = view_of(
        item, {mine.id: mine.name, other.id: other.name}, (), item_tags(uow.session, item)
    )
    message = render.item(view)
    sent = uow.queue(
        actor.workspace_id, DeliveryKind.POST, channel, message, now, notify=actor.user_id
    )
    uow.write().execute(_POSTED_AS, {"item_id": item.id, "delivery_id": sent})
    item.delivery_id = sent
    return Posted(channel, other.name, item.id, draft.kind, view)
