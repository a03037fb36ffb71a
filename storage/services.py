"""The use cases, gathered for the Slack layer and the command line."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from storage.digests import DigestService
from storage.goals import GoalService
from storage.guard import Guard
from storage.home import HomeService
from storage.installs import InstallService
from storage.items.service import ItemService
from storage.outbox import Outbox
from storage.phi import Kind
from storage.ports import Renderer
from storage.reasks import ReaskService
from storage.receipts import Receipts
from storage.reports.audit import AuditExport
from storage.reports.items import ItemExport
from storage.reports.search import SearchService
from storage.reports.stats import StatsService
from storage.retention import RetentionService
from storage.structure import ServiceLineService
from storage.teams import TeamService
from storage.uow import Database
from storage.workspaces import ScheduleService


@dataclass(frozen=True)
class Services:
    guard: Guard
    teams: TeamService
    items: ItemService
    outbox: Outbox
    schedules: ScheduleService
    digests: DigestService
    reasks: ReaskService
    retention: RetentionService
    audit: AuditExport
    installs: InstallService
    receipts: Receipts
    service_lines: ServiceLineService
    goals: GoalService
    home: HomeService
    search: SearchService
    export: ItemExport
    stats: StatsService

    @classmethod
    def build(
        cls,
        db: Database,
        render: Renderer,
        *,
        mrn_pattern: re.Pattern[str] | None = None,
        on_block: Callable[[Kind], None] = lambda _: None,
    ) -> Services:
        outbox = Outbox(db, render)
        home = HomeService(db, render)
        db.before_commit = home.republish
        return cls(
            guard=Guard(db, render, mrn_pattern, on_block),
            teams=TeamService(db),
            items=ItemService(db, render),
            outbox=outbox,
            schedules=ScheduleService(db),
            digests=DigestService(db, render),
            reasks=ReaskService(db, render),
            retention=RetentionService(db),
            audit=AuditExport(db),
            installs=InstallService(db, outbox),
            receipts=Receipts(db),
            service_lines=ServiceLineService(db),
            goals=GoalService(db),
            home=home,
            search=SearchService(db),
            export=ItemExport(db),
            stats=StatsService(db),
        )
