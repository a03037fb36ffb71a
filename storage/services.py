"""The use cases, gathered for the Slack layer and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from storage.digests import DigestService
from storage.items.service import ItemService
from storage.outbox import Outbox
from storage.ports import Renderer
from storage.reasks import ReaskService
from storage.reports.audit import AuditExport
from storage.retention import RetentionService
from storage.teams import TeamService
from storage.uow import Database
from storage.workspaces import ScheduleService


@dataclass(frozen=True)
class Services:
    teams: TeamService
    items: ItemService
    outbox: Outbox
    schedules: ScheduleService
    digests: DigestService
    reasks: ReaskService
    retention: RetentionService
    audit: AuditExport

    @classmethod
    def build(cls, db: Database, render: Renderer) -> Services:
        return cls(
            teams=TeamService(db),
            items=ItemService(db, render),
            outbox=Outbox(db, render),
            schedules=ScheduleService(db),
            digests=DigestService(db, render),
            reasks=ReaskService(db, render),
            retention=RetentionService(db),
            audit=AuditExport(db),
        )
