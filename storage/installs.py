"""Where each workspace stands with Slack: its Enterprise Grid org, whether Slack refuses its
token (its deliveries then wait), and its queue cancelled when the app is uninstalled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from storage.enums import DeliveryStatus
from storage.models import Delivery, Workspace
from storage.outbox import Outbox
from storage.teams import ensure_workspace
from storage.uow import Database


@dataclass(frozen=True)
class Suspension:
    """A workspace newly suspended, and whom to tell: the admins who set its teams up."""

    workspace_id: str
    error: str
    contacts: tuple[str, ...]


class InstallService:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox

    def locate(self, workspace_id: str, enterprise_id: str | None, now: datetime) -> None:
        """Remember the org a workspace belongs to (None: a workspace outside any org)."""
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            uow.session.execute(
                update(Workspace)
                .where(
                    Workspace.id == workspace_id,
                    Workspace.enterprise_id.is_distinct_from(enterprise_id),
                )
                .values(enterprise_id=enterprise_id)
            )

    def enterprise_of(self, workspace_id: str) -> str | None:
        with self._db.unit_of_work() as uow:
            return uow.session.scalar(
                select(Workspace.enterprise_id).where(Workspace.id == workspace_id)
            )

    def suspend(self, workspace_id: str, error: str, now: datetime) -> Suspension | None:
        """Stop the workspace's deliveries; only the first of many refused calls gets the
        Suspension back (the others find it suspended already), so it is told once."""
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            won = uow.session.execute(
                update(Workspace)
                .where(Workspace.id == workspace_id, Workspace.suspended_at.is_(None))
                .values(suspended_at=now, suspended_error=error[:40])
                .returning(Workspace.id)
            ).first()
            if won is None:
                return None
            return Suspension(workspace_id, error, uow.contacts(workspace_id))

    def resume(self, workspace_ids: list[str] | None, now: datetime) -> list[str]:
        """Lift the suspension of these workspaces (None: all of them), their waiting
        deliveries due now; the workspaces resumed."""
        with self._db.unit_of_work() as uow:
            lift = update(Workspace).where(Workspace.suspended_at.is_not(None))
            if workspace_ids is not None:
                lift = lift.where(Workspace.id.in_(workspace_ids))
            resumed = list(
                uow.session.scalars(
                    lift.values(suspended_at=None, suspended_error=None).returning(Workspace.id)
                )
            )
            if resumed:
                uow.session.execute(
                    update(Delivery)
                    .where(
                        Delivery.workspace_id.in_(resumed),
                        Delivery.status == DeliveryStatus.PENDING,
                    )
                    .values(next_attempt_at=now)
                    .execution_options(synchronize_session=False)
                )
        if resumed:
            self._db.on_queued()
        return resumed

    def workspaces(self, enterprise_id: str | None, team_id: str | None) -> list[str]:
        """The workspaces an install covers: one team, or every known team of an org."""
        if team_id is not None:
            return [team_id]
        with self._db.unit_of_work() as uow:
            return list(
                uow.session.scalars(
                    select(Workspace.id).where(Workspace.enterprise_id == enterprise_id)
                )
            )

    def uninstalled(self, workspace_ids: list[str], reason: str, now: datetime) -> int:
        """The app is gone from these workspaces: cancel what they still have queued."""
        return sum(self._outbox.cancel(ws, reason, now) for ws in workspace_ids)
