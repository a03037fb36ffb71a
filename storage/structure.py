"""A workspace's service lines, edited by its admins, and what an item may be tagged with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.enums import Action
from storage.errors import InvalidSetting, NotFound
from storage.guard import Text
from storage.models import Goal, ServiceLine
from storage.policy.permissions import Actor
from storage.servicelines import NAME_LIMIT, line_key
from storage.teams import ensure_workspace
from storage.uow import Database
from storage.views import ServiceLineView

LINE_FIELD, GOAL_FIELD = "service_line", "goal"


def _line_view(line: ServiceLine) -> ServiceLineView:
    return ServiceLineView(line.id, line.name, line.archived_at is not None)


def active_lines(session: Session, workspace_id: str) -> tuple[ServiceLineView, ...]:
    rows = session.scalars(
        select(ServiceLine)
        .where(ServiceLine.workspace_id == workspace_id, ServiceLine.archived_at.is_(None))
        .order_by(ServiceLine.key)
    )
    return tuple(map(_line_view, rows))


def check_line(session: Session, workspace_id: str, line_id: int | None) -> int | None:
    """A service line an item may be tagged with now: the workspace's own, not archived."""
    if line_id is None:
        return None
    line = session.get(ServiceLine, line_id)
    if line is None or line.workspace_id != workspace_id or line.archived_at is not None:
        raise InvalidSetting(LINE_FIELD, "That service line is no longer on the list.")
    return line_id


def check_goal(session: Session, workspace_id: str, goal_id: int | None) -> Goal | None:
    if goal_id is None:
        return None
    goal = session.get(Goal, goal_id)
    if goal is None or goal.workspace_id != workspace_id:
        raise InvalidSetting(GOAL_FIELD, "That goal doesn't exist in this workspace.")
    return goal


class ServiceLineService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def listing(self, workspace_id: str, now: datetime) -> tuple[ServiceLineView, ...]:
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            return active_lines(uow.session, workspace_id)

    def add(self, actor: Actor, name: Text, now: datetime) -> ServiceLineView:
        """A new service line, or an archived one back on the list."""
        clean = " ".join(name.value.split())
        if not clean:
            raise InvalidSetting("name", "Which service line? e.g. `/liaison servicelines add ENT`")
        if len(clean) > NAME_LIMIT:
            raise InvalidSetting("name", f"Keep the name under {NAME_LIMIT} characters.")
        with self._db.unit_of_work() as uow:
            entry = uow.act(actor, Action.SERVICE_LINES, None, now, detail={"change": "add"})
            ensure_workspace(uow.session, actor.workspace_id, now)
            line = self._by_name(uow.session, actor.workspace_id, clean)
            if line is not None and line.archived_at is None:
                raise InvalidSetting("name", f"{line.name} is already on the list.")
            if line is None:
                line = ServiceLine(
                    workspace_id=actor.workspace_id, key=line_key(clean), name=clean, created_at=now
                )
                uow.session.add(line)
            line.archived_at = None
            uow.session.flush()
            entry.object_id = line.id
            return _line_view(line)

    def remove(self, actor: Actor, name: str, now: datetime) -> ServiceLineView:
        """Archive a service line: it leaves the forms, items tagged with it keep its name."""
        with self._db.unit_of_work() as uow:
            entry = uow.act(actor, Action.SERVICE_LINES, None, now, detail={"change": "remove"})
            line = self._by_name(uow.session, actor.workspace_id, name)
            if line is None or line.archived_at is not None:
                raise NotFound("service line")
            line.archived_at = now
            entry.object_id = line.id
            return _line_view(line)

    @staticmethod
    def _by_name(session: Session, workspace_id: str, name: str) -> ServiceLine | None:
        return session.scalar(
            select(ServiceLine).where(
                ServiceLine.workspace_id == workspace_id, ServiceLine.key == line_key(name)
            )
        )
