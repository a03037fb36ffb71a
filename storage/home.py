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

from sqlalchemy import select

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
        for workspace_id, users in touched(uow, entries).items():
            if shown := published(uow, workspace_id, users):
                publish(uow, workspace_id, shown, entries[-1].at)

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


def touched(uow: UnitOfWork, entries: Iterable[AuditEntry]) -> dict[str, set[str]]:
    """Whose Home the audited changes alter, by workspace."""
    session = uow.session
    users: dict[str, set[str]] = {}
    items: set[int] = set()
    goals: set[int] = set()
    for entry in entries:
        if entry.action in ON_PEOPLE:
            users.setdefault(entry.workspace_id, set()).add(entry.actor_id)
        elif entry.action in ON_ITEMS and entry.object_id is not None:
            items.add(entry.object_id)
        elif entry.action == Action.TEAM_GOAL and entry.object_id is not None:
            goals.add(entry.object_id)
    teams: set[int] = set()
    if items:
        rows = session.execute(
            select(Item.workspace_id, Item.author_id, Item.to_team_id).where(Item.id.in_(items))
        )
        for workspace_id, author, team in rows:
            users.setdefault(workspace_id, set()).add(author)
            teams.add(team)
    if goals:
        teams |= {t for t in session.scalars(select(Goal.team_id).where(Goal.id.in_(goals))) if t}
    if teams:
        members = session.execute(
            select(Member.workspace_id, Member.user_id).where(Member.team_id.in_(teams))
        )
        for workspace_id, user in members:
            users.setdefault(workspace_id, set()).add(user)
    return users


def published(uow: UnitOfWork, workspace_id: str, users: set[str]) -> list[str]:
    """Those of `users` whose Home the app has published before (they opened it once)."""
    return sorted(
        uow.session.scalars(
            select(Delivery.channel)
            .where(
                # Every status, named so that ix_deliveries_pending serves the lookup.
                Delivery.status.in_(tuple(DeliveryStatus)),
                Delivery.workspace_id == workspace_id,
                Delivery.channel.in_(users),
                Delivery.kind == DeliveryKind.HOME,
            )
            .distinct()
        )
    )
