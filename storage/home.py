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

from sqlalchemy import Select, literal, select, tuple_, union

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


def shown(uow: UnitOfWork, entries: Iterable[AuditEntry]) -> dict[str, list[str]]:
    """Whose published Home the audited changes alter, by workspace: one statement, which
    finds nobody at once where no one touched has opened their Home."""
    people: list[Select[str, str]] = []
    items = {e.object_id for e in entries if e.action in ON_ITEMS and e.object_id is not None}
    goals = {
        e.object_id for e in entries if e.action == Action.TEAM_GOAL and e.object_id is not None
    }
    for entry in entries:
        if entry.action in ON_PEOPLE:
            people.append(select(literal(entry.workspace_id), literal(entry.actor_id)))
    if items:
        people.append(select(Item.workspace_id, Item.author_id).where(Item.id.in_(items)))
        people.append(
            select(Member.workspace_id, Member.user_id)
            .join(Item, Item.to_team_id == Member.team_id)
            .where(Item.id.in_(items))
        )
    if goals:
        people.append(
            select(Member.workspace_id, Member.user_id)
            .join(Goal, Goal.team_id == Member.team_id)
            .where(Goal.id.in_(goals))
        )
    if not people:
        return {}
    touched = union(*people).subquery()
    rows = uow.session.execute(
        select(Delivery.workspace_id, Delivery.channel)
        .where(
            # Every status, named so that ix_deliveries_pending serves the lookup.
            Delivery.status.in_(tuple(DeliveryStatus)),
            tuple_(Delivery.workspace_id, Delivery.channel).in_(select(touched)),
            Delivery.kind == DeliveryKind.HOME,
        )
        .distinct()
    )
    users: dict[str, list[str]] = {}
    for workspace_id, user in sorted(rows):
        users.setdefault(workspace_id, []).append(user)
    return users
