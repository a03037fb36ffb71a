"""The use cases, gathered for the Slack layer and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from storage.digests import DigestService
from storage.offers import OfferService
from storage.outbox import Outbox
from storage.ports import Renderer
from storage.questions import QuestionService
from storage.reasks import ReaskService
from storage.teams import TeamService
from storage.uow import Database
from storage.updates import UpdateService
from storage.workspaces import ScheduleService


@dataclass(frozen=True)
class Services:
    teams: TeamService
    updates: UpdateService
    questions: QuestionService
    offers: OfferService
    outbox: Outbox
    schedules: ScheduleService
    digests: DigestService
    reasks: ReaskService

    @classmethod
    def build(cls, db: Database, render: Renderer) -> Services:
        return cls(
            teams=TeamService(db),
            updates=UpdateService(db, render),
            questions=QuestionService(db, render),
            offers=OfferService(db, render),
            outbox=Outbox(db, render),
            schedules=ScheduleService(db),
            digests=DigestService(db, render),
            reasks=ReaskService(db, render),
        )
