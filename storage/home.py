"""Each person's App Home: published when they open it and after every change that touches
them, through the outbox. The change's transaction queues only a marker (so it is ordered
with the change); the Home is drawn from the database when the marker is sent, so the
answer to Slack never waits for it, and a marker still waiting covers any later change.

A change touches the author of the item and the team it was sent to (for a join or a leave,
the person; for a team goal, its team). Only people who have opened their Home once are
published to: the first open publishes it, and nobody else would see it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BindParameter, Select, Table, bindparam, select, tuple_, union

from storage.enums import Action, DeliveryKind, DeliveryStatus
from storage.models import AuditEntry, Delivery, Goal, Item, Member
from storage.ports import Payload, Renderer
from storage.reports.home import homes
from storage.teams import ensure_workspace
from storage.uow import Database, UnitOfWork

ON_ITEMS = frozenset(
    {
        Action.ASK,
        Action.ANSWER,
        Action.CLOSE,
        Action.OFFER,
        Action.ACCEPT,
        Action.DECLINE,
        Action.DELIVER,
        Action.WITHDRAW,
    }
)
ON_PEOPLE = frozenset({Action.JOIN, Action.LEAVE})


class HomeService:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def opened(self, workspace_id: str, user_id: str, now: datetime) -> None:
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            publish(uow, workspace_id, [user_id], now)

    def republish(self, uow: UnitOfWork, entries: list[AuditEntry]) -> None:
        """The hook run before each commit with the audit rows it writes."""
        for workspace_id, users in shown(uow, entries).items():
            publish(uow, workspace_id, users, entries[-1].at)

    def view(self, workspace_id: str, user_id: str) -> Payload:
        """The user's Home as it is now: what a marker publishes when it is sent."""
        with self._db.unit_of_work() as uow:
            [home] = homes(uow.session, workspace_id, [user_id])
        return self._render.home(home)


def publish(uow: UnitOfWork, workspace_id: str, users: list[str], now: datetime) -> None:
    """Queue a marker for each user's Home, unless one is already waiting to go out (it
    will draw the Home as it is when it is sent)."""
    waiting = set(
        uow.session.scalars(
            select(Delivery.channel).where(
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.workspace_id == workspace_id,
                Delivery.channel.in_(users),
                Delivery.kind == DeliveryKind.HOME,
                Delivery.lease_until.is_(None),  # one being sent now may be drawn already
            )
        )
    )
    for user in users:
        if user not in waiting:
            uow.queue(workspace_id, DeliveryKind.HOME, user, {}, now)


_ITEMS, _MEMBERS, _GOALS, _DELIVERIES = (
    cast(Table, model.__table__) for model in (Item, Member, Goal, Delivery)
)
_ITEM_IDS: BindParameter[int] = bindparam("items", expanding=True)
_GOAL_IDS: BindParameter[int] = bindparam("goals", expanding=True)
# Who an item or team goal touches: its author, and the members of the team it is for.
_TOUCHED = union(
    select(_ITEMS.c.workspace_id, _ITEMS.c.author_id).where(_ITEMS.c.id.in_(_ITEM_IDS)),
    select(_MEMBERS.c.workspace_id, _MEMBERS.c.user_id)
    .join(_ITEMS, _ITEMS.c.to_team_id == _MEMBERS.c.team_id)
    .where(_ITEMS.c.id.in_(_ITEM_IDS)),
    select(_MEMBERS.c.workspace_id, _MEMBERS.c.user_id)
    .join(_GOALS, _GOALS.c.team_id == _MEMBERS.c.team_id)
    .where(_GOALS.c.id.in_(_GOAL_IDS)),
).subquery()


def _with_home(people: Any) -> Select[Any]:
    """Of these (workspace, user) pairs, those who have a Home (a Home row of any status)."""
    return (
        select(_DELIVERIES.c.workspace_id, _DELIVERIES.c.channel)
        .where(
            # Every status, named so that ix_deliveries_pending serves the lookup.
            _DELIVERIES.c.status.in_(tuple(DeliveryStatus)),
            tuple_(_DELIVERIES.c.workspace_id, _DELIVERIES.c.channel).in_(people),
            _DELIVERIES.c.kind == DeliveryKind.HOME,
        )
        .distinct()
    )


_SHOWN = _with_home(select(_TOUCHED))  # built once: this runs before every change commits


def shown(uow: UnitOfWork, entries: Iterable[AuditEntry]) -> dict[str, list[str]]:
    """Whose published Home the audited changes alter, by workspace: one statement, which
    finds nobody at once where no one touched has opened their Home."""
    items = {e.object_id for e in entries if e.action in ON_ITEMS and e.object_id is not None}
    goals = {
        e.object_id for e in entries if e.action == Action.TEAM_GOAL and e.object_id is not None
    }
    people = {(e.workspace_id, e.actor_id) for e in entries if e.action in ON_PEOPLE}
    rows: list[tuple[str, str]] = []
    if items or goals:
        params = {"items": sorted(items), "goals": sorted(goals)}
        rows += [(w, u) for w, u in uow.connection.execute(_SHOWN, params)]
    if people:  # a join or a leave: the person, whose teams changed
        rows += [(w, u) for w, u in uow.connection.execute(_with_home(people))]
    users: dict[str, list[str]] = {}
    for workspace_id, user in sorted(set(rows)):
        users.setdefault(workspace_id, []).append(user)
    return users
