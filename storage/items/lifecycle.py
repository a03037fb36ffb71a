"""Moving an item: one transition() for every action on every kind, run from the tables in
storage.policy (who may, from which states, to which state).

The move is a conditional UPDATE, so when many people click at once exactly one wins and
the rest are told, from the row as it now is, who got there first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from storage.claims import owned
from storage.enums import Action, DeliveryKind, State
from storage.errors import NoLongerOpen, NotFound
from storage.items.views import item_view, last_move
from storage.models import Delivery, Item, Offer, Question
from storage.policy.lifecycle import LIFECYCLE, Step
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import UnitOfWork
from storage.views import ItemView


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
    session = uow.session
    item, step = located(session, actor, action, item_id)
    entry = uow.act(actor, action, item, now)
    moved = session.execute(
        update(Item)
        .where(Item.id == item.id, Item.status.in_(step.start))
        .values(status=step.end)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(item)
        raise refusal(item)
    if values:
        table: Table = type(item).__table__  # type: ignore[assignment]
        session.execute(update(table).where(table.c.id == item.id).values(**values))
    session.refresh(item)
    if isinstance(item, Offer) and item.of_value:
        entry.detail = {"of_value": True}
    if then is not None:
        then(item)
    view = item_view(session, item)
    if step.redraw:
        refresh_message(uow, render, item, view, now)
    return item, view


def located(session: Session, actor: Actor, action: Action, item_id: int) -> tuple[Item, Step]:
    """The workspace's item that `action` applies to, and the step the action takes it."""
    item = owned(session, Item, actor.workspace_id, item_id, noun(action))
    step = LIFECYCLE[item.kind].get(action)
    if step is None:  # an id of another kind of item: to this button, it does not exist
        raise NotFound(noun(action))
    return item, step


def refresh_message(
    uow: UnitOfWork, render: Renderer, item: Item, view: ItemView, now: datetime
) -> Delivery | None:
    """Queue the edit that shows the item's message in its new state; its original post."""
    if item.delivery_id is None:
        return None
    post = uow.session.get_one(Delivery, item.delivery_id)
    uow.queue(item.workspace_id, DeliveryKind.EDIT, post.channel, render.item(view), now, ref=post)
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


def post_of(session: Session, item: Item) -> Delivery:
    return session.get_one(Delivery, item.delivery_id)
