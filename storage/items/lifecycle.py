"""Moving an item: one transition() for every action on every kind, run from the tables in
storage.policy (who may, from which states, to which state).

The move is a conditional UPDATE, so when many people click at once exactly one wins and
the rest are told, from the row as it now is, who got there first. A click waits on this
path, so it runs statements prepared once, and reads the item as plain columns into an
object that stays out of the session (nothing is written by accident at commit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import ClauseElement, Connection, Table, bindparam, select, update

from storage.enums import Action, DeliveryKind, ItemKind, State
from storage.errors import NoLongerOpen, NotFound
from storage.items.views import item_view, last_move
from storage.models import Delivery, Item, Offer, Question
from storage.models.items import KINDS, OWN_TABLES
from storage.policy.lifecycle import LIFECYCLE, Step
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import UnitOfWork
from storage.views import ItemView

_ITEMS = cast(Table, Item.__table__)
_QUESTIONS, _OFFERS = OWN_TABLES[ItemKind.QUESTION], OWN_TABLES[ItemKind.OFFER]
_LOAD = (
    select(_ITEMS, *(c for own in OWN_TABLES.values() for c in own.c if c.key != "id"))
    .select_from(_ITEMS)
    .outerjoin(_QUESTIONS, _QUESTIONS.c.id == _ITEMS.c.id)
    .outerjoin(_OFFERS, _OFFERS.c.id == _ITEMS.c.id)
    .where(_ITEMS.c.id == bindparam("item_id"))
)
_MOVE = (
    update(_ITEMS)
    .where(
        _ITEMS.c.id == bindparam("item_id"), _ITEMS.c.status.in_(bindparam("start", expanding=True))
    )
    .values(status=bindparam("end"))
)
_DELIVERIES = cast(Table, Delivery.__table__)
_POST = select(_DELIVERIES.c.id, _DELIVERIES.c.channel).where(
    _DELIVERIES.c.id == bindparam("delivery_id")
)


class Post(NamedTuple):
    """The message an item was posted as: what edits and thread replies refer to."""

    id: int
    channel: str


def transition(
    uow: UnitOfWork,
    render: Renderer,
    actor: Actor,
    action: Action,
    item_id: int,
    now: datetime,
    *,
    values: dict[str, Any] | None = None,
    then: Callable[[Item], None] | None = None,
) -> tuple[Item, ItemView]:
    """Take `action` on the item: check, move, record `values` on the kind's own table,
    run `then` (e.g. recording an answer), re-render the item's message and audit it."""
    item, step = located(uow, actor, action, item_id)
    entry = uow.act(actor, action, item, now)
    connection = uow.write()
    params = {"item_id": item.id, "start": list(step.start), "end": step.end}
    if connection.execute(_MOVE, params).rowcount != 1:
        raise refusal(load(connection, item.workspace_id, item.id, noun(action)))
    item.status = step.end
    if values:
        _record(connection, item, values)
    if isinstance(item, Offer) and item.of_value:
        entry.detail = {"of_value": True}
    if then is not None:
        then(item)
    view = item_view(uow.session, item)
    if step.redraw:
        refresh_message(uow, render, item, view, now)
    return item, view


def _record(connection: Connection, item: Item, values: dict[str, Any]) -> None:
    """Write `values` on the kind's own table, and onto the item as they were stored."""
    table = OWN_TABLES[item.kind]
    statement = update(table).where(table.c.id == item.id).values(**values)
    if any(isinstance(value, ClauseElement) for value in values.values()):
        stored = connection.execute(statement.returning(*(table.c[k] for k in values))).one()
        values = dict(zip(values, stored, strict=True))
    else:
        connection.execute(statement)
    for key, value in values.items():
        setattr(item, key, value)


def load(connection: Connection, workspace_id: str, item_id: int, what: str) -> Item:
    """The item with this id as it is now, if it belongs to this workspace (ids in buttons
    are untrusted); an object of its kind, outside the session."""
    row = connection.execute(_LOAD, {"item_id": item_id}).mappings().first()
    if row is None or row["workspace_id"] != workspace_id:
        raise NotFound(what)
    kind = ItemKind(row["kind"])
    item = KINDS[kind]()
    columns = [*_ITEMS.c]
    if kind in OWN_TABLES:
        columns += [column for column in OWN_TABLES[kind].c if column.key != "id"]
    for column in columns:
        setattr(item, column.key, row[column])
    return item


def located(uow: UnitOfWork, actor: Actor, action: Action, item_id: int) -> tuple[Item, Step]:
    """The workspace's item that `action` applies to, and the step the action takes it."""
    item = load(uow.connection, actor.workspace_id, item_id, noun(action))
    step = LIFECYCLE[item.kind].get(action)
    if step is None:  # an id of another kind of item: to this button, it does not exist
        raise NotFound(noun(action))
    return item, step


def refresh_message(
    uow: UnitOfWork, render: Renderer, item: Item, view: ItemView, now: datetime
) -> Post | None:
    """Queue the edit that shows the item's message in its new state; its original post."""
    if item.delivery_id is None:
        return None
    post = post_of(uow, item)
    uow.queue(item.workspace_id, DeliveryKind.EDIT, post.channel, render.item(view), now, post.id)
    return post


def refusal(item: Item) -> NoLongerOpen:
    """Why the item can't take the action: where it is now, and who took it there."""
    what = str(item.kind)
    if isinstance(item, Offer):
        return NoLongerOpen(what, item.status, *last_move(item))
    if isinstance(item, Question) and item.status == State.CLOSED:
        return NoLongerOpen(what, item.status, item.author_id, item.closed_at)
    return NoLongerOpen(what, item.status)


def noun(action: Action) -> str:
    offers = {Action.ACCEPT, Action.DECLINE, Action.DELIVER, Action.WITHDRAW}
    return "offer" if action in offers else "question"


def post_of(uow: UnitOfWork, item: Item) -> Post:
    row = uow.connection.execute(_POST, {"delivery_id": item.delivery_id}).one()
    return Post(int(row.id), str(row.channel))
